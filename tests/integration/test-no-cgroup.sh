#!/bin/bash
# --cgroups=disabled (podman's flag): minirun makes no cgroup, for a host
# where it cannot (minirun in a container, its cgroupfs read-only) or a start
# that needs none.  As root the device cgroup is then gone, so the device
# guarantee is kept another way: no CAP_MKNOD, the root and the volumes
# nodev, and anything that would undo that refused before anything exists.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

# A copy of ROOTFS with a device node in it, as an image could carry one:
# /dev/null's numbers, which Docker's device policy allows, so only nodev
# can be what refuses it.
img="$TESTS_TMP/img"
cp -a "$ROOTFS" "$img"
mknod "$img/tmp/node" c 1 3
vol="$TESTS_TMP/vol"
mkdir "$vol"
mknod "$vol/node" c 1 3

# --- no cgroup -------------------------------------------------------------
"$MINIRUN" --cgroups=disabled "$img" /bin/sleep 30 > /dev/null 2>&1 &
mpid=$!
init=$(container_init "$mpid")
if [ -n "$init" ]; then
    is "$(cat "/proc/$init/cgroup")" "$(cat /proc/self/cgroup)" \
        "the container stays in minirun's own cgroups (none is made)"
else
    not_ok "the container stays in minirun's own cgroups (none is made)" "no container init found"
fi
kill "$mpid" 2> /dev/null
wait "$mpid" 2> /dev/null

run_expect "/sys/fs/cgroup in the container is empty (no cgroup of its own to show)" 0 "0" -- \
    --cgroups=disabled "$img" /bin/sh -c 'ls -A /sys/fs/cgroup | wc -l'
run_minirun --verbose --cgroups=disabled "$img" /bin/true
if [ "$RC" = 0 ] && grep -qx "minirun: cgroup: none (--cgroups=disabled)" <<< "$ERR"; then
    ok "--verbose says: cgroup: none (--cgroups=disabled)"
else
    not_ok "--verbose says: cgroup: none (--cgroups=disabled)" "$(_result_diag)"
fi

# --- the device guarantee without a device cgroup --------------------------
run_expect "CAP_MKNOD is not granted (Docker's set without it)" 0 \
    "CapEff:	00000000a00425fb
CapBnd:	00000000a00425fb" -- \
    --cgroups=disabled "$img" /bin/sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
run_expect "mknod of a device fails: Operation not permitted" 0 \
    "mknod: /tmp/x: Operation not permitted" -- \
    --cgroups=disabled "$img" /bin/sh -c 'mknod /tmp/x c 1 3 2>&1; true'
run_expect "control: with a cgroup, the image's node opens (the device policy allows 1:3)" 0 \
    "open" -- "$img" /bin/sh -c 'cat /tmp/node && echo open'
for mode in "" --rootfs --read-only; do
    run_expect "the image's node does not open: the root is nodev${mode:+ ($mode)}" 0 \
        "cat: can't open '/tmp/node': Permission denied" -- \
        --cgroups=disabled $mode "$img" /bin/sh -c 'cat /tmp/node 2>&1; true'
done
run_expect "a volume's node does not open: the volume is nodev" 0 \
    "cat: can't open '/v/node': Permission denied
nodev" -- \
    --cgroups=disabled -v "$vol:/v" "$img" /bin/sh -c \
    'cat /v/node 2>&1; awk '"'"'$5 == "/v" { print ($6 ~ /(^|,)nodev(,|$)/) ? "nodev" : $6 }'"'"' /proc/self/mountinfo'
run_expect "/dev's own nodes work (null, zero, urandom)" 0 "ok" -- \
    --cgroups=disabled "$img" /bin/sh -c \
    'echo x > /dev/null && head -c 1 /dev/zero | od -An -tx1 | grep -q 00 && head -c 4 /dev/urandom > /dev/null && echo ok'
run_expect "--privileged allows every device anyway: the image's node opens" 0 "open" -- \
    --cgroups=disabled --privileged "$img" /bin/sh -c 'cat /tmp/node && echo open'

# --- refused before anything exists ----------------------------------------
refuse() { # NAME PATTERN ARG...
    local name=$1 pattern=$2
    shift 2
    run_minirun --cgroups=disabled "$@" "$img" /bin/true
    expect_error "$name" 125 "$pattern"
}
refuse "--memory: refused (a limit needs a cgroup)" \
    "minirun: --memory: needs a cgroup, and --cgroups=disabled makes none" --memory 64m
refuse "--pids-limit: refused" \
    "minirun: --pids-limit: needs a cgroup, and --cgroups=disabled makes none" --pids-limit 10
refuse "--cgroup-parent: refused" \
    "minirun: --cgroup-parent: needs a cgroup, and --cgroups=disabled makes none" \
    --cgroup-parent minirun-test
refuse "--device with fewer than rwm: refused (no policy to narrow it)" \
    "minirun: --device /dev/null:/dev/n2:r: permissions need a device cgroup*" \
    --device /dev/null:/dev/n2:r
refuse "--cap-add MKNOD: refused" \
    "minirun: --cap-add CAP_MKNOD: not with --cgroups=disabled: *" --cap-add MKNOD
refuse "--cap-add SYS_ADMIN: refused (it could lift nodev or mount devtmpfs)" \
    "minirun: --cap-add CAP_SYS_ADMIN: not with --cgroups=disabled: *" --cap-add SYS_ADMIN
refuse "--cap-add ALL: refused" \
    "minirun: --cap-add CAP_SYS_ADMIN,CAP_MKNOD: not with --cgroups=disabled: *" --cap-add ALL
refuse "-v ...:rslave: refused (a mount the host adds later would arrive without nodev)" \
    "minirun: -v $vol:/v:rslave: not with --cgroups=disabled: *" -v "$vol:/v:rslave"
# The container stays in minirun's own cgroups, the host's.  A cgroup
# namespace made in a user namespace of its own would be rooted there and
# let it mount the cgroupfs and write them as their owner (limits,
# freezer.state, child cgroups that outlive it): a filter that lets that
# through is refused.
refuse "--seccomp=unconfined: refused (it would let the container make a cgroup namespace)" \
    "minirun: --cgroups=disabled: not with a seccomp filter that lets every call through (unconfined): *" \
    --seccomp=unconfined
refuse "--seccomp-complain: refused (it lets every call through)" \
    "minirun: --cgroups=disabled: not with a seccomp filter that lets every call through (learning or complaining): *" \
    --seccomp-complain="$TESTS_TMP/complain.json"
it_data=${MR_SECCOMP_IT_DATA:-$(dirname "${BASH_SOURCE[0]}")/../data/seccomp-it}
allow_but_clone3=$it_data/allow-unshare.json
refuse "a profile that lets unshare make a cgroup namespace: refused" \
    "minirun: --cgroups=disabled: seccomp profile $allow_but_clone3 lets unshare make a cgroup namespace (x86_64): *" \
    --seccomp "$allow_but_clone3"
no_cgroupns=$it_data/no-cgroupns.json
# CLONE_NEWUSER|CLONE_NEWCGROUP: the user namespace first, then the cgroup
# namespace in it, which needs no capability outside.
run_expect "a profile refusing CLONE_NEWCGROUP runs: unshare(NEWUSER|NEWCGROUP) fails, NEWUSER alone works" \
    0 "EPERM
OK" -- --cgroups=disabled --seccomp "$no_cgroupns" "$img" /bin/sh -c \
    '/probe syscall unshare 0x12000000; /probe syscall unshare 0x10000000'
# Rules with comparisons on the other arguments before the one on the flag:
# their paths join again at each next rule, and counted one by one they made
# the walk give up ("too branchy": refused) after 6 ms.
run_expect "a profile of many conditional rules refusing CLONE_NEWCGROUP runs: EPERM" 0 "EPERM" -- \
    --cgroups=disabled --seccomp "$it_data/no-cgroupns-many-rules.json" "$img" /bin/sh -c \
    '/probe syscall unshare 0x12000000; true'
run_expect "the default profile refuses unshare(NEWUSER|NEWCGROUP)" 0 "EPERM" -- \
    --cgroups=disabled "$img" /bin/sh -c '/probe syscall unshare 0x12000000; true'
run_expect "--privileged --seccomp=unconfined runs (every device and CAP_SYS_ADMIN anyway)" 0 "" -- \
    --cgroups=disabled --privileged --seccomp=unconfined "$img" /bin/true
run_expect "-v ...:rprivate (the default) runs" 0 "" -- \
    --cgroups=disabled -v "$vol:/v:rprivate" "$img" /bin/true
run_minirun --cgroups=split "$img" /bin/true
expect_error "--cgroups split (podman's conmon mode): refused" 125 \
    "minirun: --cgroups split: enabled or disabled"
run_expect "--cgroups enabled: the default (a cgroup, CAP_MKNOD)" 0 \
    "CapBnd:	00000000a80425fb" -- --cgroups enabled "$img" /bin/sh -c 'grep ^CapBnd /proc/self/status'

# --- what the cgroup held otherwise ----------------------------------------
# The pid namespace still takes every process down with the init.
run_minirun --cgroups=disabled "$img" /bin/sh -c 'sleep 987654 & echo started'
left=$(pgrep -fx "sleep 987654" || true)
if [ "$RC" = 0 ] && [ "$OUT" = started ] && [ -z "$left" ]; then
    ok "a process the init left is gone when the init exits (its pid namespace)"
else
    not_ok "a process the init left is gone when the init exits (its pid namespace)" \
        "left: $left
$(_result_diag)"
    [ -n "$left" ] && kill -KILL "$left"
fi

# minirun in a container: its cgroupfs read-only.  The default start cannot
# make its cgroup there; --cgroups=disabled runs.
ro_cgroupfs() { # ARG...: minirun in a mount namespace whose cgroup mounts are read-only
    # shellcheck disable=SC2016 # expanded by the inner bash
    run_cmd unshare -m bash -c 'mount --make-rprivate / &&
        for m in $(awk '"'"'$3 ~ /^cgroup2?$/ { print $2 }'"'"' /proc/self/mounts); do
            mount -o remount,bind,ro "$m" || exit 99
        done && exec "$@"' bash "$MINIRUN" "$@"
}
ro_cgroupfs "$img" /bin/echo hi
if [ "$RC" = 125 ] && [[ $ERR == "minirun: "*"Read-only file system"* ]] && [[ $ERR != *$'\n'* ]]; then
    ok "control: a read-only cgroupfs, the default start fails (125, one line)"
else
    not_ok "control: a read-only cgroupfs, the default start fails (125, one line)" "$(_result_diag)"
fi
ro_cgroupfs --cgroups=disabled "$img" /bin/echo hi
expect "a read-only cgroupfs: --cgroups=disabled runs" 0 "hi"

done_testing
