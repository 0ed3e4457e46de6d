#!/bin/sh
# shellcheck shell=sh
# The pure cgroup v2 checks, run as /checks inside the test VM (busybox sh,
# as root, by tests/vm/init, which mounted cgroup2 at /sys/fs/cgroup and no
# v1 hierarchy).  Prints TAP; the host script (tests/vm/cgroup2-vm.sh)
# relays it.  The expectations are those of tests/integration/
# test-cgroups.sh on the hybrid host: the same policy, enforced here by the
# BPF device program and the v2 controllers.
#
# The layout, following cgroup2's "no internal processes" rule (a non-root
# cgroup that has processes cannot enable controllers for its children):
#   /sys/fs/cgroup          +memory +pids +cpu +cpuset for its children
#   /sys/fs/cgroup/shell    this shell (a leaf, no controllers below it);
#                           plain minirun makes its cgroup here
#   /sys/fs/cgroup/test     no process, the controllers enabled below it:
#                           --cgroup-parent /test for the limits
#   /sys/fs/cgroup/test/user  delegated to uid 1000 as systemd's Delegate=yes
#                           does (the directory, cgroup.procs,
#                           cgroup.subtree_control and cgroup.threads
#                           chowned); a shell of uid 1000 is moved there and
#                           runs rootless minirun (the part of this script
#                           run as "/checks user", below)

MINIRUN=/usr/local/bin/minirun
# In the container: "MOUNTPOINT ro|rw FSTYPE" of each mount at /sys/fs/cgroup.
# shellcheck disable=SC2016
CG_MOUNTS='awk '"'"'$5 ~ "^/sys/fs/cgroup" { split($6, o, ","); for (i = 7; $i != "-"; i++) {}; print $5, o[1], $(i + 1) }'"'"' /proc/self/mountinfo'
ROOTFS=/rootfs
CG=/sys/fs/cgroup
CTRLS="+memory +pids +cpu +cpuset"

USER_UID=1000
U=/tmp/u

# --- as uid 1000, in its delegated cgroup (started by the root part below) ----------
# Each run leaves TAG.out, TAG.err and TAG.rc in $U for the root part to check.
if [ "${1:-}" = user ]; then
    r() {
        tag=$1
        shift
        "$MINIRUN" --rootfs "$@" >"$U/$tag.out" 2>"$U/$tag.err" </dev/null
        echo $? >"$U/$tag.rc"
    }
    cat /proc/self/cgroup >"$U/cgroup0"
    # minirun's own cgroup is delegated, its parent /test is not.
    r own --pids-limit 20 "$ROOTFS" true
    # What systemd --user does with its delegated cgroup: the processes in a
    # leaf (its init.scope, the app-*.scope units), the controllers enabled
    # for the children in the delegated cgroup, which then has no process.
    mkdir "$CG/test/user/shell" && echo $$ >"$CG/test/user/shell/cgroup.procs" &&
        echo "+memory +pids +cpu" >"$CG/test/user/cgroup.subtree_control" ||
        echo "the user's leaf or controllers failed" >"$U/setup"
    cat /proc/self/cgroup >"$U/cgroup1"
    r oom --memory 32m -h oombox "$ROOTFS" /probe alloc 64
    r pids --pids-limit 20 "$ROOTFS" /probe fork 40
    # The user namespace owns the cgroup namespace: cgroup2 can be mounted.
    r mnt --pids-limit 20 "$ROOTFS" sh -c "$CG_MOUNTS; cat /sys/fs/cgroup/pids.max"
    "$MINIRUN" --rootfs --pids-limit 20 "$ROOTFS" sh -c 'trap "exit 0" TERM; sleep 10 & wait' \
        >/dev/null 2>&1 </dev/null &
    mr=$!
    dir=
    for _ in $(seq 100); do
        dir=$(find "$CG/test/user" -maxdepth 1 -name 'minirun-*' -type d | head -n 1)
        [ -n "$dir" ] && [ -n "$(cat "$dir/cgroup.procs" 2>/dev/null)" ] && break
        sleep 0.05
    done
    echo "$(stat -c %u "$dir" 2>/dev/null) $dir $(cat "$dir/pids.max" 2>/dev/null)" >"$U/dir"
    # Only once the container's sh has its TERM trap (SigCgt bit 15): before
    # that PID 1 ignores SIGTERM and the run ends in --stop-timeout's SIGKILL.
    init=$(head -n 1 "$dir/cgroup.procs" 2>/dev/null)
    for _ in $(seq 100); do
        cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$init/status" 2>/dev/null)
        [ -n "$cgt" ] && [ $((0x$cgt & 0x4000)) -ne 0 ] && break
        sleep 0.05
    done
    kill -TERM "$mr"
    wait "$mr"
    echo $? >"$U/bg.rc"
    [ -n "$dir" ] && [ -d "$dir" ] && echo "$dir" >"$U/left"
    exit 0
fi

n=0
failed=0
out=/tmp/checks.out
err=/tmp/checks.err

ok() { n=$((n + 1)); echo "ok $n - $1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    shift
    [ $# -gt 0 ] && diag "$@"
    return 0
}
# run ARGS...: minirun ARGS, stdout in $out, stderr in $err, status in $rc.
# --rootfs everywhere: Debian's kernel has overlayfs as a module, which the
# initramfs does not carry; these checks are about cgroup v2, not the root.
run() {
    "$MINIRUN" --rootfs "$@" >"$out" 2>"$err" </dev/null
    rc=$?
}
# expect NAME RC STDOUT [STDERR]: the last run, exactly.
expect() {
    if [ "$rc" = "$2" ] && [ "$(cat "$out")" = "$3" ] && [ "$(cat "$err")" = "${4:-}" ]; then
        ok "$1"
    else
        not_ok "$1" "expected exit status $2, stdout '$3', stderr '${4:-}'" \
            "got exit status $rc" "stdout:" "$(cat "$out")" "stderr:" "$(cat "$err")"
    fi
}
# expect_error NAME RC PATTERN: exit RC, no stdout, one stderr line matching
# the glob PATTERN.
expect_error() {
    e=$(cat "$err")
    lines=$(wc -l < "$err")
    # shellcheck disable=SC2254 # PATTERN is a glob on purpose
    case $e in
        $3) m=1 ;;
        *) m=0 ;;
    esac
    if [ "$rc" = "$2" ] && [ ! -s "$out" ] && [ "$lines" = 1 ] && [ $m = 1 ]; then
        ok "$1"
    else
        not_ok "$1" "expected exit status $2 and one line matching '$3'" \
            "got exit status $rc" "stdout:" "$(cat "$out")" "stderr:" "$e"
    fi
}
leftovers() { find "$CG" -name 'minirun-*' -type d 2>/dev/null; }

echo "1..26"

# --- the layout ------------------------------------------------------------------
# busybox stat does not name cgroup2's magic: ask /proc/mounts.
if ! grep -q "^[^ ]* $CG cgroup2 " /proc/mounts || grep -q " cgroup " /proc/mounts; then
    echo "Bail out! $CG is not a cgroup2 mount, or a v1 hierarchy is mounted"
    grep cgroup /proc/mounts | sed 's/^/# /'
    exit 1
fi
if ! echo "$CTRLS" > "$CG/cgroup.subtree_control" ||
    ! mkdir "$CG/shell" "$CG/test" ||
    ! echo "$CTRLS" > "$CG/test/cgroup.subtree_control" ||
    ! echo $$ > "$CG/shell/cgroup.procs"; then
    echo "Bail out! cannot set up $CG (controllers: $(cat "$CG/cgroup.controllers"))"
    exit 1
fi
if [ "$(cat /proc/self/cgroup)" = "0::/shell" ] &&
    [ "$(cat "$CG/test/cgroup.subtree_control")" = "cpuset cpu memory pids" ]; then
    ok "pure cgroup v2: this shell in /shell, controllers enabled below /test"
else
    not_ok "pure cgroup v2: this shell in /shell, controllers enabled below /test" \
        "/proc/self/cgroup: $(cat /proc/self/cgroup)" \
        "test/cgroup.subtree_control: $(cat "$CG/test/cgroup.subtree_control")"
fi

# --- devices: the BPF program ------------------------------------------------------
run "$ROOTFS" sh -c 'mknod /dev/b b 7 0 && head -c 11 /dev/b'
expect "a block device node can be made (mknod) but not read" 1 "" \
    "head: /dev/b: Operation not permitted"
# ttyS0 (c 4:64, the guest's console): not in Docker's list, yet a device
# any root process may open without a capability, so only the device program
# stands in the way.  (/dev/kmsg would be refused even without the program:
# the kernel wants CAP_SYSLOG to open it under dmesg_restrict.)
run "$ROOTFS" sh -c 'mknod /dev/s c 4 64 && head -c 0 /dev/s'
expect "/dev/ttyS0 made with mknod cannot be opened" 1 "" "head: /dev/s: Operation not permitted"
run "$ROOTFS" sh -c 'echo x > /dev/null && head -c 1 /dev/zero /dev/urandom > /dev/null &&
    ! echo x 2> /dev/null > /dev/full && echo ok'
expect "/dev/null, /dev/zero, /dev/full, /dev/urandom work" 0 ok
run --privileged "$ROOTFS" sh -c 'mknod /dev/s c 4 64 && head -c 0 /dev/s && echo ok'
expect "--privileged: no device program, /dev/ttyS0 made with mknod opens" 0 ok
# The guest has no loop driver: past the (absent) program, open finds no device.
run --privileged "$ROOTFS" sh -c 'mknod /dev/b b 7 0 && head -c 1 /dev/b > /dev/null'
case $(cat "$err") in
    *"Operation not permitted"*)
        not_ok "--privileged: a block device node is not refused (EPERM)" "$(cat "$err")" ;;
    *) ok "--privileged: a block device node is not refused (EPERM)" ;;
esac

# --- the container's cgroup ----------------------------------------------------------
run "$ROOTFS" cat /proc/self/cgroup
expect "/proc/self/cgroup in the container is 0::/ (its own cgroup namespace)" 0 "0::/"

"$MINIRUN" --rootfs "$ROOTFS" sleep 2 >/dev/null 2>&1 </dev/null &
mr=$!
dir=
for _ in $(seq 100); do
    dir=$(find "$CG/shell" -maxdepth 1 -name 'minirun-*' -type d | head -n 1)
    # cgroupfs files have no size: read it.
    [ -n "$dir" ] && [ -n "$(cat "$dir/cgroup.procs" 2>/dev/null)" ] && break
    sleep 0.05
done
case ${dir#"$CG"/shell/minirun-} in
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f])
        ok "the container runs in /shell/minirun-<12 hex>, below minirun's own cgroup" ;;
    *) not_ok "the container runs in /shell/minirun-<12 hex>, below minirun's own cgroup" \
        "found: '$dir'" ;;
esac
kill "$mr" 2>/dev/null
wait "$mr" 2>/dev/null

# --- limits --------------------------------------------------------------------------
run --memory 32m -h oombox --cgroup-parent /test "$ROOTFS" /probe alloc 64
expect "--memory 32m: allocating 64 MiB is OOM-killed, 137, one line" 137 "" \
    "minirun: oombox: killed: out of memory (memory limit 32 MiB)"
run --pids-limit 20 --cgroup-parent /test "$ROOTFS" /probe fork 40
expect "--pids-limit 20: the 20th process cannot be forked" 1 "forked 19 of 40: EAGAIN"
run --pids-limit 20 "$ROOTFS" true
expect_error "a limit where the controller is not enabled: one line, 125" 125 \
    "minirun: --pids-limit: the pids controller is not enabled for $CG/shell/minirun-* (*)"
run --pids-limit 20 --cgroup-parent /test --memory 32m "$ROOTFS" sh -c \
    'cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max 2>&1 || echo "(no cgroupfs)"'
if [ "$rc" = 0 ]; then
    ok "limits with devices and controllers together run (exit 0)"
else
    not_ok "limits with devices and controllers together run (exit 0)" "exit status $rc" \
        "stdout:" "$(cat "$out")" "stderr:" "$(cat "$err")"
fi

# --- /sys/fs/cgroup in the container: cgroup2, read-only, as Docker on v2 ----------
# Its cgroup namespace is rooted at the container's cgroup, and so is the mount.
run "$ROOTFS" sh -c "$CG_MOUNTS"
expect "/sys/fs/cgroup is a read-only cgroup2 mount" 0 "/sys/fs/cgroup ro cgroup2"
# A process outside the container's pid namespace would be listed as 0.
run "$ROOTFS" sh -c 'grep -qx $$ /sys/fs/cgroup/cgroup.procs && echo shell
    grep -cx 0 /sys/fs/cgroup/cgroup.procs || true; find /sys/fs/cgroup -mindepth 1 -type d'
expect "its cgroup.procs holds the container's pids only, no cgroup below or above" 0 \
    "$(printf '%s\n' shell 0)"
run --memory 32m --pids-limit 20 --cgroup-parent /test "$ROOTFS" \
    cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
expect "memory.max and pids.max there are --memory's and --pids-limit's" 0 \
    "$(printf '%s\n' 33554432 20)"
run --memory 32m --cgroup-parent /test "$ROOTFS" sh -c '/probe open /sys/fs/cgroup/memory.max w
    /probe open /sys/fs/cgroup/x c || true'
expect "writing there fails with EROFS, also for root in the container" 0 "$(printf '%s\n' EROFS EROFS)"
run "$ROOTFS" find /sys/fs/cgroup -name release_agent
expect "no release_agent under /sys/fs/cgroup (CVE-2022-0492)" 0 ""
run --privileged "$ROOTFS" sh -c "$CG_MOUNTS"
expect "--privileged: read-write, as Docker" 0 "/sys/fs/cgroup rw cgroup2"

# --- rootless, in a delegated cgroup ------------------------------------------------------
mkdir -p "$U" && chown "$USER_UID:$USER_UID" "$U"
if mkdir "$CG/test/user" &&
    chown "$USER_UID:$USER_UID" "$CG/test/user" "$CG/test/user/cgroup.procs" \
        "$CG/test/user/cgroup.subtree_control" "$CG/test/user/cgroup.threads" &&
    sh -c 'echo $$ > "$1/cgroup.procs" && exec /rootfs/probe asuser "$2" "$2" /checks user' \
        sh "$CG/test/user" "$USER_UID" && [ ! -e "$U/setup" ] &&
    [ "$(cat "$U/cgroup0" "$U/cgroup1")" = "$(printf '0::/test/user\n0::/test/user/shell')" ]; then
    ok "rootless: uid $USER_UID in /test/user (delegated), then in its leaf /test/user/shell"
else
    not_ok "rootless: uid $USER_UID in /test/user (delegated), then in its leaf /test/user/shell" \
        "setup: $(cat "$U/setup" 2>/dev/null)" "cgroups: $(cat "$U/cgroup0" "$U/cgroup1" 2>&1)"
fi
# user_run TAG: the files of that run of the user part as $out, $err, $rc.
user_run() { out=$U/$1.out err=$U/$1.err rc=$(cat "$U/$1.rc" 2>/dev/null); }
user_run own
expect "rootless in the delegated cgroup itself: no controllers can be given below it (no internal processes), its parent is root's: a limit is refused, 125" \
    125 "" "minirun: --pids-limit: needs a cgroup, and rootless minirun can only create one in a cgroup2 delegated to uid $USER_UID (the parent of its own cgroup, with a writable cgroup.procs): none here"
user_run oom
expect "rootless, delegated: --memory 32m: allocating 64 MiB is OOM-killed, 137, one line" 137 "" \
    "minirun: oombox: killed: out of memory (memory limit 32 MiB)"
user_run pids
expect "rootless, delegated: --pids-limit 20: the 20th process cannot be forked" 1 \
    "forked 19 of 40: EAGAIN"
# "UID DIR PIDS.MAX" of the running container's cgroup.
read -r duid ddir dmax <"$U/dir"
case "$duid ${ddir#"$CG"/test/user/minirun-} $dmax" in
    "$USER_UID "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]" 20")
        ok "rootless, delegated: the container runs in /test/user/minirun-<12 hex> (uid $USER_UID's), pids.max 20" ;;
    *) not_ok "rootless, delegated: the container runs in /test/user/minirun-<12 hex> (uid $USER_UID's), pids.max 20" \
        "found: $(cat "$U/dir")" ;;
esac
user_run mnt
expect "rootless, delegated: /sys/fs/cgroup is a read-only cgroup2 mount of its own cgroup" 0 \
    "$(printf '%s\n' '/sys/fs/cgroup ro cgroup2' 20)"
if [ "$(cat "$U/bg.rc")" = 0 ] && [ ! -e "$U/left" ]; then
    ok "rootless, delegated: SIGTERM to minirun, the container exits 0, its cgroup is removed"
else
    not_ok "rootless, delegated: SIGTERM to minirun, the container exits 0, its cgroup is removed" \
        "exit status $(cat "$U/bg.rc"), left: $(cat "$U/left" 2>/dev/null)"
fi
rmdir "$CG/test/user/shell" "$CG/test/user" 2>/dev/null

left=$(leftovers)
if [ -z "$left" ]; then
    ok "no minirun-* cgroup is left after the runs"
else
    not_ok "no minirun-* cgroup is left after the runs" "$left"
fi

[ "$failed" = 0 ]
