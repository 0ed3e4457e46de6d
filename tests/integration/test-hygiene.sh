#!/bin/bash
# Hygiene: no fd, signal mask, mount, process or temporary file leaks, and
# minirun's own binary can never be executed in the container (CVE-2019-5736).
# Run alone (is_parallel: false): it compares host-wide state before and after.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

# --- file descriptors --------------------------------------------------------------
exec 5< /etc/hostname 7<> "$TESTS_TMP/fd7" 200> "$TESTS_TMP/fd200"
run_expect "no fd of the caller reaches the container (probe)" 0 "0 1 2" -- "$ROOTFS" /probe fds
run_expect "ls /proc/self/fd shows 0 1 2 and ls's own 3" 0 "$(printf '%s\n' 0 1 2 3)" -- \
    "$ROOTFS" ls /proc/self/fd
run_expect "no leaked fd as --user alice" 0 "0 1 2" -- --user alice "$ROOTFS" /probe fds
run_expect "no leaked fd with --network host" 0 "0 1 2" -- --network host "$ROOTFS" /probe fds
STDIN_FILE=/etc/hostname run_minirun -i "$ROOTFS" /probe fds
expect "no leaked fd with -i" 0 "0 1 2"
exec 5<&- 7<&- 200>&-

# --- signals ---------------------------------------------------------------------------
run_expect "the container starts with no blocked signal" 0 0000000000000000 -- "$ROOTFS" /probe status SigBlk
run_cmd env --ignore-signal=INT,QUIT,TERM,HUP "$MINIRUN" "$ROOTFS" /probe status SigIgn
expect "signals the caller ignored are not ignored in the container" 0 0000000000000000

# --- CVE-2019-5736: minirun's own binary -------------------------------------------------
sum_before=$(sha256sum < "$MINIRUN")
copy="$TESTS_TMP/rootfs-copy"
cp -a "$ROOTFS" "$copy"
ln -s /proc/self/exe "$copy/bin/selfexe"
run_minirun "$copy" /proc/self/exe --version
expect "/proc/self/exe as COMMAND is not found in the rootfs: 127" 127 "" \
    "minirun: exec /proc/self/exe: No such file or directory"
run_minirun "$copy" /bin/selfexe --version
expect "a symlink to /proc/self/exe as COMMAND is not found in the rootfs: 127" 127 "" \
    "minirun: exec /bin/selfexe: No such file or directory"
run_minirun "$copy" sh -c 'exec /proc/self/exe --version'
expect "exec /proc/self/exe from the container runs the shell's own binary" 127 "" "exe: applet not found"
if ln "$MINIRUN" "$copy/bin/minirun-link" 2>/dev/null; then
    run_minirun "$copy" /bin/minirun-link --version
    expect_error "a hard link to minirun's binary is refused: 126" 126 "minirun: *exec /bin/minirun-link*CVE-2019-5736*"
    rm -f "$copy/bin/minirun-link"
else
    skip "a hard link to minirun's binary is refused: 126" "the rootfs copy is on another filesystem than $MINIRUN"
fi
is "$(sha256sum < "$MINIRUN")" "$sum_before" "minirun's binary is unchanged"

# --- no mount, process or file left behind ------------------------------------------
foreign_procs() {
    # processes in another PID namespace, or whose exe is minirun
    local self_ns p
    self_ns=$(readlink /proc/self/ns/pid)
    for p in /proc/[0-9]*; do
        if [ "$(readlink "$p/ns/pid" 2>/dev/null)" != "$self_ns" ] ||
            [ "$(readlink "$p/exe" 2>/dev/null)" = "$MINIRUN" ]; then
            [ -e "$p" ] && echo "${p#/proc/} $(cat "$p/comm" 2>/dev/null)"
        fi
    done | sort
}
zombies() {
    # unreaped children of this shell, and minirun processes nobody reaped
    local p
    for p in /proc/[0-9]*; do
        [ "$(sed -n 's/^State:\s*//p' "$p/status" 2>/dev/null | cut -c1)" = Z ] || continue
        if [ "$(sed -n 's/^PPid:\s*//p' "$p/status" 2>/dev/null)" = $$ ] ||
            [ "$(cat "$p/comm" 2>/dev/null)" = minirun ]; then
            echo "${p#/proc/}"
        fi
    done | sort
}
# Temporary files: minirun runs with TMPDIR set to an empty directory, which
# must stay empty; in /tmp, /dev/shm and /run (shared with whatever else runs
# on the machine) only names mentioning minirun count.
export TMPDIR="$TESTS_TMP/tmpdir"
mkdir "$TMPDIR"
tmp_files() {
    {
        find /tmp /dev/shm /run -mindepth 1 -maxdepth 1 -iname '*minirun*' ! -name 'minirun-test.*'
        find "$TMPDIR" -mindepth 1
    } 2>/dev/null | sort
}

mounts_before=$(cat /proc/self/mountinfo)
procs_before=$(foreign_procs)
zombies_before=$(zombies)
files_before=$(tmp_files)

start=$(date +%s%N)
failed=0
for _ in $(seq 100); do
    "$MINIRUN" "$ROOTFS" true < /dev/null || failed=$((failed + 1))
done
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
is "$failed" 0 "100 runs of 'minirun ROOTFS true' succeed"
diag "100 runs took $elapsed_ms ms"

# Failures at every stage, and runs with every feature.
{
    "$MINIRUN" /nonexistent true
    "$MINIRUN" --user nosuch "$ROOTFS" true
    "$MINIRUN" --cap-add NOPE "$ROOTFS" true
    "$MINIRUN" "$ROOTFS" nosuchcmd
    "$MINIRUN" "$ROOTFS" /etc/passwd
    "$MINIRUN" -w /etc/passwd "$ROOTFS" true
    "$MINIRUN" --read-only -w /nonexistent-dir "$ROOTFS" true
    "$MINIRUN" --read-only --user alice -h x -e A=b "$ROOTFS" true
    "$MINIRUN" --privileged --network host "$ROOTFS" true
    "$MINIRUN" "$ROOTFS" /probe segv
    "$MINIRUN" "$ROOTFS" sh -c 'sleep 100 & sleep 100 & exit 0'
    "$MINIRUN" --init "$ROOTFS" sh -c 'sleep 100 & sleep 100 & exit 0'
    "$MINIRUN" --cap-add SYS_ADMIN "$ROOTFS" sh -c 'mount -t tmpfs t /mnt && mount --make-shared /mnt'
    setpriv --reuid=65534 --regid=65534 --clear-groups "$MINIRUN" "$ROOTFS" true
} < /dev/null > /dev/null 2>&1

sleep 0.2
is "$(cat /proc/self/mountinfo)" "$mounts_before" "the host's mountinfo is unchanged"
# Only new entries count: processes that were there before may have ended.
is "$(comm -13 <(echo "$procs_before") <(foreign_procs))" "" "no container process and no minirun process is left"
is "$(comm -13 <(echo "$zombies_before") <(zombies))" "" "no zombie is left"
is "$(tmp_files)" "$files_before" "no file left in \$TMPDIR, and none named *minirun* in /tmp, /dev/shm, /run"
is "$(find "$ROOTFS/mnt" "$ROOTFS/dev" "$ROOTFS/proc" "$ROOTFS/sys" -mindepth 1)" "" \
    "nothing mounted or created under the rootfs's mnt, dev, proc, sys"

# A ROOTFS path that leads to the host's / (a symlink, or one swapped in
# while minirun starts) is refused by inode, not by comparing strings.
ln -s / "$TESTS_TMP/to-host-root"
run_minirun "$TESTS_TMP/to-host-root" true
expect_error "a rootfs symlink to the host's / is refused" 125 \
    "minirun: rootfs $TESTS_TMP/to-host-root: the host's root cannot be a container's root filesystem"
run_minirun "/tmp/../" true
expect_error "a rootfs path that is the host's / is refused" 125 \
    "minirun: rootfs /tmp/../: the host's root cannot be a container's root filesystem"

done_testing
