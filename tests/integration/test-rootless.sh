#!/bin/bash
# Rootless mode: minirun run by an unprivileged user creates a user namespace
# and maps the caller to root inside.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
[ "$(id -u)" = 0 ] || missing_tool "needs root to switch to an unprivileged user (setpriv)"
command -v setpriv > /dev/null || missing_tool "setpriv is missing (apt-get install util-linux)"

uid=65534 gid=65534
as_user() { setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all "$@"; }

# Can this kernel give an unprivileged user a user namespace?
if ! as_user unshare --user true 2> "$TESTS_TMP/userns.err"; then
    why=$(head -n 1 "$TESTS_TMP/userns.err")
    for f in /proc/sys/kernel/unprivileged_userns_clone /proc/sys/user/max_user_namespaces \
        /proc/sys/kernel/apparmor_restrict_unprivileged_userns; do
        [ -r "$f" ] && why="$why; $f=$(cat "$f")"
    done
    skip_all "the kernel forbids user namespaces to unprivileged users ($why)"
fi

# The user must reach the binary and the rootfs; copy them if the build
# directory is not open to it.
if ! as_user test -x "$MINIRUN" || ! as_user test -x "$ROOTFS/bin/busybox"; then
    chmod 0755 "$TESTS_TMP"
    cp "$MINIRUN" "$TESTS_TMP/minirun"
    cp -a "$ROOTFS" "$TESTS_TMP/rootfs"
    MINIRUN=$TESTS_TMP/minirun ROOTFS=$TESTS_TMP/rootfs
    diag "copied minirun and the rootfs to $TESTS_TMP for uid $uid"
fi

run_rootless() { run_cmd setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all "$MINIRUN" "$@"; }
rl_expect() {
    local name=$1 rc=$2 out=$3
    shift 3
    [ "$1" = -- ] && shift
    run_rootless "$@"
    expect "$name" "$rc" "$out"
}

rl_expect "rootless: id -u is 0" 0 0 -- "$ROOTFS" id -u
rl_expect "rootless: all ids 0, no supplementary group" 0 "uid=0,0,0 gid=0,0,0 groups=" -- "$ROOTFS" /probe ids
rl_expect "rootless: the caller's uid is mapped to 0" 0 "$(printf '%10u %10u %10u' 0 "$uid" 1)" -- \
    "$ROOTFS" cat /proc/self/uid_map
rl_expect "rootless: the caller's gid is mapped to 0" 0 "$(printf '%10u %10u %10u' 0 "$gid" 1)" -- \
    "$ROOTFS" cat /proc/self/gid_map
rl_expect "rootless: Docker's 14 capabilities" 0 \
    "$(caps_lines "$NO_CAPS" "$DOCKER_CAPS" "$DOCKER_CAPS" "$DOCKER_CAPS" "$NO_CAPS")" -- \
    "$ROOTFS" /probe status CapInh CapPrm CapEff CapBnd CapAmb
rl_expect "rootless: --cap-drop ALL --cap-add NET_BIND_SERVICE" 0 \
    "$(caps_lines "$NO_CAPS" 0000000000000400 0000000000000400 0000000000000400 "$NO_CAPS")" -- \
    --cap-drop ALL --cap-add NET_BIND_SERVICE "$ROOTFS" /probe status CapInh CapPrm CapEff CapBnd CapAmb
rl_expect "rootless: a new user namespace" 0 yes -- \
    "$ROOTFS" sh -c "test \"\$(readlink /proc/self/ns/user)\" != '$(readlink /proc/self/ns/user)' && echo yes"
rl_expect "rootless: PID 1" 0 1 -- "$ROOTFS" sh -c 'echo $$'
rl_expect "rootless: --hostname" 0 lab -- -h lab "$ROOTFS" hostname
rl_expect "rootless: only lo" 0 lo -- "$ROOTFS" ls /sys/class/net
rl_expect "rootless: lo is up" 0 0x9 -- "$ROOTFS" cat /sys/class/net/lo/flags
rl_expect "rootless: exit 42" 42 "" -- "$ROOTFS" sh -c 'exit 42'
rl_expect "rootless: no leaked fd" 0 "0 1 2" -- "$ROOTFS" /probe fds
rl_expect "rootless: mount(2) denied without CAP_SYS_ADMIN" 1 EPERM -- "$ROOTFS" /probe mount
rl_expect "rootless: mount(2) of a tmpfs works with --cap-add SYS_ADMIN" 0 OK -- \
    --cap-add SYS_ADMIN "$ROOTFS" /probe mount
rl_expect "rootless: /dev/null and /dev/zero work" 0 "ok 00 00" -- \
    "$ROOTFS" sh -c 'echo x > /dev/null && echo "ok$(head -c 2 /dev/zero | od -An -tx1)"'
# /dev/core only where the kernel has /proc/kcore (test-mounts.sh).
core_entry=
[ -e /proc/kcore ] && core_entry=core
rl_expect "rootless: /dev entries" 0 \
    "$(printf '%s\n' $core_entry fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero)" -- \
    "$ROOTFS" ls -A /dev
run_rootless "$ROOTFS" touch /sys/x
expect "rootless: /sys is read-only" 1 "" "touch: /sys/x: Read-only file system"
# --network host: sysfs cannot be mounted (the host's network namespace is
# not the user namespace's), so the host's /sys is bound with its submounts.
rl_expect "rootless --network host: every mount under /sys is read-only (the host's /sys/fs/cgroup too)" \
    0 "" -- --network host "$ROOTFS" awk '$5 ~ "^/sys" && $6 !~ /^ro(,|$)/ { print $5, $6 }' /proc/self/mountinfo
rl_expect "rootless: /proc/timer_list reads empty" 0 "" -- "$ROOTFS" cat /proc/timer_list
rl_expect "rootless: /dev/shm is writable" 0 ok -- "$ROOTFS" sh -c 'echo x > /dev/shm/x && echo ok'
run_cmd timeout -k 1 5 setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all \
    "$MINIRUN" "$ROOTFS" /probe traceme
expect "rootless: PTRACE_TRACEME then a signal: the handler runs, exit 42 (not a hang)" 42 ""
rl_expect "rootless: --init: the command is PID 2, exit 3 passes through" 3 2 -- \
    --init "$ROOTFS" sh -c 'echo $$; exit 3'
run_cmd timeout -k 1 5 setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all \
    "$MINIRUN" --init "$ROOTFS" /probe traceme
expect "rootless: --init: PTRACE_TRACEME under the init: exit 42" 42 ""
run_rootless /nonexistent true
expect "rootless: a missing rootfs is 125 with the exact message" 125 "" \
    "minirun: rootfs /nonexistent: No such file or directory"
run_rootless "$ROOTFS" nosuchcmd
expect_error "rootless: a missing command is 127" 127 "minirun: *nosuchcmd*"
# Rootless, a cgroup is made only in a cgroup2 delegated to the caller (the
# parent of its own); uid $uid has none here (it runs in the test runner's
# cgroup, root's): a limit is refused, never ignored.  The delegated case is
# tested in the pure v2 VM (tests/vm/cgroup2-checks.sh).
nodeleg="needs a cgroup, and rootless minirun can only create one in a cgroup2 delegated to uid $uid (the parent of its own cgroup, with a writable cgroup.procs): none here"
run_rootless --memory 64m "$ROOTFS" true
expect "rootless, no delegated cgroup: --memory is 125 with the exact message" 125 "" \
    "minirun: --memory: $nodeleg"
run_rootless --pids-limit 10 "$ROOTFS" true
expect "rootless, no delegated cgroup: --pids-limit is 125 with the exact message" 125 "" \
    "minirun: --pids-limit: $nodeleg"
run_rootless --cpus 0.5 "$ROOTFS" true
expect "rootless, no delegated cgroup: --cpus is 125 with the exact message" 125 "" \
    "minirun: --cpus: $nodeleg"
run_rootless --cgroup-parent x "$ROOTFS" true
expect "rootless: --cgroup-parent is 125 (root's part of the hierarchy)" 125 "" \
    "minirun: --cgroup-parent: not available rootless (the container's cgroup goes next to minirun's own, in the cgroup delegated to uid $uid)"
# --device without a device cgroup: the host node bound in, the host's permissions apply.
rl_expect "rootless: --device /dev/null:/dev/mynull is bound in and writable" 0 ok -- \
    --device /dev/null:/dev/mynull "$ROOTFS" sh -c 'echo x > /dev/mynull && echo ok'
run_rootless --device /dev/null:/dev/mynull:r "$ROOTFS" true
expect "rootless: --device with narrower permissions than rwm is 125" 125 "" \
    "minirun: --device /dev/null:/dev/mynull:r: permissions need a device cgroup, and none can be created without root"
rl_expect "rootless: the cgroup namespace shows root paths" 0 / -- \
    "$ROOTFS" sh -c 'cut -d: -f3 /proc/self/cgroup | sort -u'

# --- the OCI runtime, rootless ------------------------------------------------------
# exec: minirun may not enter the container's pid namespace itself (that takes
# CAP_SYS_ADMIN in its own user namespace too): it failed with "setns into
# container c1's pid namespace: Operation not permitted" on every call.
chmod 0755 "$TESTS_TMP"
RLB=$TESTS_TMP/rl-bundle RLS=$TESTS_TMP/rl-state
mkdir -p "$RLB" "$RLS" && cp -a "$ROOTFS" "$RLB/rootfs"
chown -R "$uid:$gid" "$RLB" "$RLS"
as_user env -C "$RLB" "$MINIRUN" spec --rootless
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"sleep", "30"/' "$RLB/config.json"
rl_oci() { run_rootless --root "$RLS" "$@"; }
rl_oci run --detach --bundle "$RLB" c1
expect "rootless OCI: run --detach" 0 ""
rl_oci exec c1 sh -c 'id -u; for n in user mnt pid net ipc uts cgroup; do
    [ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/1/ns/$n)" ] || echo "$n differs"; done
    [ $$ -gt 1 ] && [ $$ -lt 100 ] && echo "a pid of the container"'
expect "rootless OCI: exec runs in every namespace of the init, as its root" \
    0 "0
a pid of the container"
rl_oci exec c1 sh -c 'exit 7'
expect "rootless OCI: exec passes the exit status on" 7 ""
rl_oci exec c1 nosuchcmd
expect_error "rootless OCI: exec of a missing command is 127" 127 "minirun: exec nosuchcmd: *"
rl_pid=$(as_user "$MINIRUN" --root "$RLS" state c1 | sed -n 's/^ *"pid": \([0-9]*\),$/\1/p')
rl_oci delete --force c1
expect "rootless OCI: delete --force" 0 ""
# Dead: gone, or a zombie until whoever adopted it (PID 1) reaps it.
rl_st=$( [ -n "$rl_pid" ] && { cut -d' ' -f3 "/proc/$rl_pid/stat" 2> /dev/null || echo gone; })
is "${rl_st/Z/gone} $(ls -A "$RLS")" "gone " "rootless OCI: the init is dead, its state removed"
# The state root in a directory another user made (uid 65533, mode 0777, as a
# /tmp/minirun made first where XDG_RUNTIME_DIR is /tmp): refused, never used.
mkdir -m 0777 "$TESTS_TMP/rl-shared" && chown 65533:65533 "$TESTS_TMP/rl-shared"
run_rootless --root "$TESTS_TMP/rl-shared" run --detach --bundle "$RLB" c2
expect "rootless OCI: a state root of another user's is refused" 1 "" \
    "minirun: state root $TESTS_TMP/rl-shared: owned by uid 65533, mode 0777: it must be the caller's (uid $uid) and writable by no one else, who could rename the containers' directories in it"
as_user "$MINIRUN" --root "$TESTS_TMP/rl-shared" delete --force c2 2> /dev/null

# --- another local user ---------------------------------------------------------
# A file another user (uid 65533) made first in a sticky directory anyone writes
# to, as in /tmp: the caller's learned profile or report written into it would
# stay that user's to read and to rewrite before the caller deploys it.
mkdir -m 1777 "$TESTS_TMP/sticky"
echo '{"defaultAction": "SCMP_ACT_ALLOW"}' > "$TESTS_TMP/sticky/learned.json"
chown 65533:65533 "$TESTS_TMP/sticky/learned.json" && chmod 0666 "$TESTS_TMP/sticky/learned.json"
run_rootless --seccomp-learn="$TESTS_TMP/sticky/learned.json" "$ROOTFS" true
expect "rootless: --seccomp-learn into another user's file in a sticky directory is refused" 125 "" \
    "minirun: --seccomp-learn=$TESTS_TMP/sticky/learned.json: another user's file (uid 65533) in a sticky directory others can write to; not written (remove it, or choose another path)"
is "$(cat "$TESTS_TMP/sticky/learned.json")" '{"defaultAction": "SCMP_ACT_ALLOW"}' \
    "rootless: another user's learn file is left as it was"
run_rootless --seccomp-learn="$TESTS_TMP/sticky/mine.json" "$ROOTFS" true
is "$RC $(stat -c %u "$TESTS_TMP/sticky/mine.json") $(grep -c SCMP_ACT_ERRNO "$TESTS_TMP/sticky/mine.json")" \
    "0 $uid 1" "rootless: --seccomp-learn into a new file of the sticky directory: written, the caller's"

# The image cache below a directory another user may write (uid 65533 owns the
# parent, as with MINIRUN_CACHE_DIR=/tmp/shared/c): IMAGES itself is checked to be
# the caller's, but ROOTFS went on as a path and was opened again; a swap of the
# directory above it in between ran that user's tree as the image's.  The swap
# is made while minirun writes its warning about the device node it did not
# unpack (a full pipe as its stderr holds it there), between the cache's check
# and that open.
mkdir -p "$TESTS_TMP/img-stage" && cp -a "$ROOTFS/." "$TESTS_TMP/img-stage/"
mknod "$TESTS_TMP/img-stage/dev/null2" c 1 3
tar -C "$TESTS_TMP/img-stage" -cf "$TESTS_TMP/img.tar" . && chmod 0644 "$TESTS_TMP/img.tar"
img_key=sha256-$(sha256sum "$TESTS_TMP/img.tar" | cut -d' ' -f1)
SH=$TESTS_TMP/shared-cache
mkdir -m 0777 "$SH" && chown 65533:65533 "$SH"
mkdir -p "$SH/evil/images/$img_key" && cp -a "$ROOTFS" "$SH/evil/images/$img_key/rootfs"
echo theirs > "$SH/evil/images/$img_key/rootfs/PWNED"
chown -R 65533:65533 "$SH/evil"
mkfifo "$TESTS_TMP/stderr.fifo"
exec 3<> "$TESTS_TMP/stderr.fifo"
exec 4< "$TESTS_TMP/stderr.fifo"
head -c 65536 /dev/zero >&3 # the pipe is full: minirun's first write to stderr waits
setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all \
    env MINIRUN_CACHE_DIR="$SH/c" timeout -k 1 20 "$MINIRUN" "$TESTS_TMP/img.tar" cat /PWNED \
    > "$TESTS_TMP/swap.out" 2> "$TESTS_TMP/stderr.fifo" < /dev/null &
swap_pid=$!
exec 3>&- # minirun is the only writer left: its exit is the end of the pipe
sleep 0.5
setpriv --reuid=65533 --regid=65533 --clear-groups sh -c \
    "mv '$SH/c' '$SH/victim' && mv '$SH/evil' '$SH/c'"
head -c 65536 <&4 > /dev/null
wait "$swap_pid"
RC=$? ERR=$(cat <&4) OUT=$(cat "$TESTS_TMP/swap.out")
exec 4<&-
expect "rootless image: a directory above the cache swapped after its check is refused" 125 "" \
    "minirun: warning: 1 device nodes of the image not made (only root can)
minirun: rootfs $SH/c/images/$img_key/rootfs: not the image cache's entry found a moment ago (a directory on its path was replaced); refusing to continue"
rm -rf "$SH"

done_testing
