#!/bin/bash
# Hygiene: no fd, signal mask, mount, process or temporary file leaks, and
# minirun's own binary can never be executed in the container (CVE-2019-5736).
# Run alone (is_parallel: false): it compares the host's mounts and /tmp
# before and after; processes are told apart by a marker (below).
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

# --- minirun's own binary: no data in an executable segment --------------------------
# The start-path layout (cmd/start-path.ld) moves read-only data; inserted
# before .rodata it once landed in the code's R+X segment, where its bytes
# are gadgets an exploit can jump to (what -z separate-code exists for).
if command -v readelf > /dev/null; then
    segs=$(LC_ALL=C readelf -lW "$MINIRUN")
    # LOAD segments with E in their flags, by index in the program headers.
    xidx=$(printf '%s\n' "$segs" | awk '/^Program Headers:/ {p = 1; next} p && /^ *[A-Z_]+ / {
        if ($1 == "LOAD" && $0 ~ / R?W?E +0x[0-9a-f]+$/) print n; n++ } /^$/ && p && n {p = 0}')
    bad=""
    for i in $xidx; do
        secs=$(printf '%s\n' "$segs" | awk -v i="$(printf '%02d' "$i")" '/Section to Segment mapping/ {m = 1}
            m && $1 == i { $1 = ""; print }')
        for s in $secs; do
            case $s in
            .init | .plt | .plt.* | .iplt | .text | .text.* | __libc_freeres_fn | .fini) ;;
            *) bad="$bad $s" ;;
            esac
        done
    done
    if [ -z "$xidx" ]; then
        not_ok "minirun's executable segments hold only code" "readelf shows no executable LOAD segment"
    else
        is "${bad# }" "" "minirun's executable segments hold only code (segments: ${xidx//$'\n'/ })"
    fi
elif [ "${CI:-}" = true ]; then
    not_ok "minirun's executable segments hold only code" "readelf (binutils) is not installed"
else
    skip "minirun's executable segments hold only code" "readelf (binutils) is not installed"
fi

# --- no mount, process or file left behind ------------------------------------------
# Other containers and other test runs may share the machine: only the
# processes of this script's runs count.  Each run carries a marker no other
# process has, MR_HYGIENE_MARK=<this run's id>, in minirun's environment and
# (-e) in the container's, so every process it starts inherits it.
mark="hygiene-$$-$(date +%s%N)"
# marked_pids MARK: the processes whose environment holds MARK.
marked_pids() {
    grep -lxzF "MR_HYGIENE_MARK=$1" /proc/[0-9]*/environ 2>/dev/null |
        sed 's|^/proc/||; s|/environ$||' | sort -n
}
# mr [MINIRUN-ARG...]: minirun, marked, container included.
mr() { MR_HYGIENE_MARK=$mark "$MINIRUN" -e "MR_HYGIENE_MARK=$mark" "$@"; }
leftover_procs() {
    local p
    for p in $(marked_pids "$mark"); do
        echo "$p $(cat "/proc/$p/comm" 2>/dev/null)"
    done
}
zombies() {
    # A zombie's environment is gone: go by its parent, this shell or a marked process.
    local p ppid parents
    parents=" $$ $(marked_pids "$mark" | tr '\n' ' ')"
    for p in /proc/[0-9]*; do
        [ "$(sed -n 's/^State:\s*//p' "$p/status" 2>/dev/null | cut -c1)" = Z ] || continue
        ppid=$(sed -n 's/^PPid:\s*//p' "$p/status" 2>/dev/null)
        [[ $parents == *" $ppid "* ]] && echo "${p#/proc/}"
    done | sort
}

# The marker must find a container: a sleeping one is seen, minirun and its
# child, and found no more once it is killed.
MR_HYGIENE_MARK=$mark.control "$MINIRUN" -e "MR_HYGIENE_MARK=$mark.control" "$ROOTFS" sleep 30 \
    < /dev/null > /dev/null 2>&1 &
control=$!
for _ in $(seq 50); do
    [ "$(marked_pids "$mark.control" | wc -l)" -ge 2 ] && break
    sleep 0.1
done
is "$(marked_pids "$mark.control" | wc -l)" 2 "the marker finds a running container: minirun and its command"
kill "$control"
wait "$control" 2> /dev/null
for _ in $(seq 50); do
    [ -z "$(marked_pids "$mark.control")" ] && break
    sleep 0.1
done
is "$(marked_pids "$mark.control")" "" "the marker finds nothing once that container is gone"

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

mounts_before=$(own_mounts "$ROOTFS")
zombies_before=$(zombies)
files_before=$(tmp_files)
rootfs_before=$(ls -A "$ROOTFS" "$ROOTFS/etc")

start=$(date +%s%N)
failed=0
for _ in $(seq 100); do
    mr "$ROOTFS" true < /dev/null || failed=$((failed + 1))
done
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
is "$failed" 0 "100 runs of 'minirun ROOTFS true' succeed"
diag "100 runs took $elapsed_ms ms"

# Failures at every stage, and runs with every feature.
{
    mr /nonexistent true
    mr --user nosuch "$ROOTFS" true
    mr --cap-add NOPE "$ROOTFS" true
    mr "$ROOTFS" nosuchcmd
    mr "$ROOTFS" /etc/passwd
    mr -w /etc/passwd "$ROOTFS" true
    mr --read-only -w /etc/passwd/sub "$ROOTFS" true
    mr --read-only --user alice -h x -e A=b "$ROOTFS" true
    mr --privileged --network host "$ROOTFS" true
    mr "$ROOTFS" /probe segv
    mr "$ROOTFS" sh -c 'sleep 100 & sleep 100 & exit 0'
    mr --init "$ROOTFS" sh -c 'sleep 100 & sleep 100 & exit 0'
    mr --cap-add SYS_ADMIN "$ROOTFS" sh -c 'mount -t tmpfs t /mnt && mount --make-shared /mnt'
    MR_HYGIENE_MARK=$mark setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$MINIRUN" -e "MR_HYGIENE_MARK=$mark" "$ROOTFS" true
} < /dev/null > /dev/null 2>&1

sleep 0.2
is "$(own_mounts "$ROOTFS")" "$mounts_before" "the host's mountinfo is unchanged (what concerns this test)"
is "$(leftover_procs)" "" "no container process and no minirun process of these runs is left"
is "$(comm -13 <(echo "$zombies_before") <(zombies))" "" "no zombie is left"
is "$(tmp_files)" "$files_before" "no file left in \$TMPDIR, and none named *minirun* in /tmp, /dev/shm, /run"
is "$(find "$ROOTFS/mnt" "$ROOTFS/dev" "$ROOTFS/proc" "$ROOTFS/sys" -mindepth 1)" "" \
    "nothing mounted or created under the rootfs's mnt, dev, proc, sys"
is "$(ls -A "$ROOTFS" "$ROOTFS/etc")" "$rootfs_before" "nothing created in the rootfs or its /etc"

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
