#!/bin/bash
# AppArmor on the host: this machine's kernel may have no AppArmor at all.
# What a user must see then: a clear error and nothing started when a profile
# is asked for, and "unconfined" working.  Confinement itself is proven in
# the VM test (tests/vm/).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

enabled=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo absent)
marker=$ROOTFS/tmp/apparmor-host-marker
rm -f "$marker"
at_exit "rm -f '$marker'"

if [ "$enabled" = Y ]; then
    skip "a profile on a kernel without AppArmor" "this kernel has AppArmor enabled (the VM test covers confinement)"
    skip "a profile on a kernel without AppArmor: nothing started" "AppArmor is enabled here"
    skip "--apparmor NAME on a kernel without AppArmor" "AppArmor is enabled here"
else
    run_minirun --security-opt apparmor=my-profile "$ROOTFS" touch /tmp/apparmor-host-marker
    expect_error "a profile on a kernel without AppArmor: exit 125, one clear line" 125 \
        "minirun: AppArmor is not enabled on this kernel, cannot apply profile 'my-profile'"
    if [ -e "$marker" ]; then
        not_ok "a profile on a kernel without AppArmor: nothing started" "the command ran: $marker exists"
    else
        ok "a profile on a kernel without AppArmor: nothing started"
    fi
    run_minirun --apparmor=docker-default --name lab "$ROOTFS" true
    expect_error "--apparmor NAME on a kernel without AppArmor (with --name)" 125 \
        "minirun: lab: AppArmor is not enabled on this kernel, cannot apply profile 'docker-default'"
fi

run_expect "--security-opt apparmor=unconfined runs" 0 ok -- \
    --security-opt apparmor=unconfined "$ROOTFS" echo ok
run_expect "--apparmor unconfined runs" 0 ok -- --apparmor unconfined "$ROOTFS" echo ok
run_minirun --security-opt apparmor= "$ROOTFS" true
expect_error "an empty apparmor= is refused" 125 "minirun: --security-opt apparmor=: apparmor needs a profile name*"

done_testing
