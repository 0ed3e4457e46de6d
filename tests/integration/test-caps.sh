#!/bin/bash
# Capabilities: Docker's default 14, --cap-add/--cap-drop, --user, --privileged.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

caps() { run_minirun "$@" /probe status CapInh CapPrm CapEff CapBnd CapAmb; }

caps "$ROOTFS"
expect "root: Docker's 14 in permitted, effective, bounding; inheritable and ambient empty" 0 \
    "$(caps_lines "$NO_CAPS" "$DOCKER_CAPS" "$DOCKER_CAPS" "$DOCKER_CAPS" "$NO_CAPS")"

run_expect "grep ^Cap /proc/self/status (root)" 0 \
    "$(printf 'CapInh:\t%s\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t%s' \
        "$NO_CAPS" "$DOCKER_CAPS" "$DOCKER_CAPS" "$DOCKER_CAPS" "$NO_CAPS")" -- \
    "$ROOTFS" grep ^Cap /proc/self/status

caps --user 1000:1000 "$ROOTFS"
expect "--user 1000:1000: bounding only" 0 \
    "$(caps_lines "$NO_CAPS" "$NO_CAPS" "$NO_CAPS" "$DOCKER_CAPS" "$NO_CAPS")"

caps --user alice "$ROOTFS"
expect "--user alice: bounding only" 0 \
    "$(caps_lines "$NO_CAPS" "$NO_CAPS" "$NO_CAPS" "$DOCKER_CAPS" "$NO_CAPS")"

caps --user root "$ROOTFS"
expect "--user root: the default set" 0 \
    "$(caps_lines "$NO_CAPS" "$DOCKER_CAPS" "$DOCKER_CAPS" "$DOCKER_CAPS" "$NO_CAPS")"

nbs=0000000000000400
caps --cap-drop ALL --cap-add NET_BIND_SERVICE "$ROOTFS"
expect "--cap-drop ALL --cap-add NET_BIND_SERVICE" 0 "$(caps_lines "$NO_CAPS" $nbs $nbs $nbs "$NO_CAPS")"

caps --cap-add NET_BIND_SERVICE --cap-drop ALL "$ROOTFS"
expect "--cap-add before --cap-drop ALL: the add still wins (Docker)" 0 "$(caps_lines "$NO_CAPS" $nbs $nbs $nbs "$NO_CAPS")"

caps --cap-drop all --cap-add net_bind_service "$ROOTFS"
expect "capability names are case-insensitive" 0 "$(caps_lines "$NO_CAPS" $nbs $nbs $nbs "$NO_CAPS")"

caps --cap-drop=ALL --cap-add=CAP_NET_BIND_SERVICE "$ROOTFS"
expect "CAP_ prefix and --flag=value" 0 "$(caps_lines "$NO_CAPS" $nbs $nbs $nbs "$NO_CAPS")"

caps --cap-drop ALL --cap-add cap_net_bind_service "$ROOTFS"
expect "lower-case cap_ prefix" 0 "$(caps_lines "$NO_CAPS" $nbs $nbs $nbs "$NO_CAPS")"

caps --cap-drop ALL "$ROOTFS"
expect "--cap-drop ALL: all five sets empty" 0 \
    "$(caps_lines "$NO_CAPS" "$NO_CAPS" "$NO_CAPS" "$NO_CAPS" "$NO_CAPS")"

sa=0000000000200000
caps --cap-drop ALL --cap-add SYS_ADMIN "$ROOTFS"
expect "--cap-drop ALL --cap-add SYS_ADMIN" 0 "$(caps_lines "$NO_CAPS" $sa $sa $sa "$NO_CAPS")"

caps --cap-drop CHOWN "$ROOTFS"
expect "--cap-drop CHOWN clears bit 0" 0 \
    "$(caps_lines "$NO_CAPS" 00000000a80425fa 00000000a80425fa 00000000a80425fa "$NO_CAPS")"

caps --cap-drop chown --cap-drop Kill "$ROOTFS"
expect "two --cap-drop (chown, Kill)" 0 \
    "$(caps_lines "$NO_CAPS" 00000000a80425da 00000000a80425da 00000000a80425da "$NO_CAPS")"

caps --cap-add SYS_ADMIN "$ROOTFS"
expect "--cap-add SYS_ADMIN sets bit 21" 0 \
    "$(caps_lines "$NO_CAPS" 00000000a82425fb 00000000a82425fb 00000000a82425fb "$NO_CAPS")"

caps --user 1000 --cap-add SYS_ADMIN "$ROOTFS"
expect "--user 1000 --cap-add SYS_ADMIN: in the bounding set only" 0 \
    "$(caps_lines "$NO_CAPS" "$NO_CAPS" "$NO_CAPS" 00000000a82425fb "$NO_CAPS")"

# What the caller (root here) holds: --cap-add ALL and --privileged give that.
host_bnd=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
caps --cap-add ALL "$ROOTFS"
expect "--cap-add ALL: every capability minirun holds" 0 \
    "$(caps_lines "$NO_CAPS" "$host_bnd" "$host_bnd" "$host_bnd" "$NO_CAPS")"

caps --privileged "$ROOTFS"
expect "--privileged: every capability minirun holds" 0 \
    "$(caps_lines "$NO_CAPS" "$host_bnd" "$host_bnd" "$host_bnd" "$NO_CAPS")"

# Comma lists, as podman takes them (and `minirun profile explain`, the same
# rule): one flag, several capabilities.
caps --cap-add SYS_TIME,SYS_ADMIN "$ROOTFS"
expect "--cap-add SYS_TIME,SYS_ADMIN: bits 25 and 21" 0 \
    "$(caps_lines "$NO_CAPS" 00000000aa2425fb 00000000aa2425fb 00000000aa2425fb "$NO_CAPS")"
caps --cap-drop chown,Kill "$ROOTFS"
expect "--cap-drop chown,Kill: the same as two --cap-drop" 0 \
    "$(caps_lines "$NO_CAPS" 00000000a80425da 00000000a80425da 00000000a80425da "$NO_CAPS")"
caps --cap-add SYS_TIME,ALL "$ROOTFS"
expect "--cap-add SYS_TIME,ALL: ALL in a list is ALL" 0 \
    "$(caps_lines "$NO_CAPS" "$host_bnd" "$host_bnd" "$host_bnd" "$NO_CAPS")"
run_minirun --cap-add SYS_TIME,,SYS_ADMIN "$ROOTFS" true
expect_error "--cap-add with an empty name in the list" 125 \
    "minirun: invalid capability to add: empty capability name in 'SYS_TIME,,SYS_ADMIN'"
run_minirun --cap-add SYS_TIME,NOPE "$ROOTFS" true
expect_error "--cap-add SYS_TIME,NOPE names NOPE" 125 "minirun: invalid capability to add: unknown capability 'NOPE'"

for bad in NOPE CAP_NOPE SYS_ADMINX "" "," "SYS_TIME,"; do
    run_minirun --cap-add "$bad" "$ROOTFS" true
    expect_error "--cap-add '$bad' exits 125 with one minirun: line" 125 "minirun: *"
done
run_minirun --cap-drop FOO "$ROOTFS" true
expect_error "--cap-drop FOO exits 125 and names FOO" 125 "minirun: *FOO*"
run_minirun --cap-add NOPE "$ROOTFS" true
expect_error "--cap-add NOPE names NOPE" 125 "minirun: *NOPE*"

if (( (16#$host_bnd >> 24) & 1 )); then
    skip "a capability minirun lacks cannot be added" "minirun's caller holds CAP_SYS_RESOURCE here"
else
    run_minirun --cap-add SYS_RESOURCE "$ROOTFS" true
    expect_error "a capability minirun lacks (SYS_RESOURCE) cannot be added: 125" 125 "minirun: *SYS_RESOURCE*"
fi

# mount(2) needs CAP_SYS_ADMIN
run_expect "mount(2) is denied with EPERM" 1 EPERM -- "$ROOTFS" /probe mount
run_expect "mount(2) works with --cap-add SYS_ADMIN" 0 OK -- --cap-add SYS_ADMIN "$ROOTFS" /probe mount
run_minirun "$ROOTFS" mount -t tmpfs t /mnt
expect "busybox mount -t tmpfs is denied" 1 "" "mount: permission denied (are you root?)"

# no_new_privs
run_expect "--security-opt no-new-privileges sets NoNewPrivs" 0 1 -- \
    --security-opt no-new-privileges "$ROOTFS" /probe status NoNewPrivs

# SELinux: label=disable asks for what every container has (docker takes it);
# a label to apply cannot be given, so it is refused.
# shellcheck disable=SC2016 # expanded in the container
run_expect "--security-opt label=disable: accepted, nothing else changes" 0 "0 0" -- \
    --security-opt label=disable "$ROOTFS" sh -c 'echo "$(id -u) $(/probe status NoNewPrivs)"'
run_minirun --security-opt label=type:container_t "$ROOTFS" true
expect_error "--security-opt label=type:...: refused" 125 \
    "minirun: --security-opt label=type:container_t: SELinux labels are not supported by minirun"

done_testing
