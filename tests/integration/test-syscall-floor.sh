#!/bin/bash
# The benchmark's syscall floor (tests/bench/syscall-floor.c) must make the
# kernel calls minirun's start makes, or "minirun over the floor" is not
# minirun's own overhead: a floor that leaves out a mount (as it once left
# out /sys/fs/cgroup and two masks) flatters nobody but hides kernel work.
# Both start /bin/true under strace -f, on this host's cgroup layout; the
# calls that do the container's kernel work must match in number.  Calls of
# libc, ld.so and minirun's own checks (stat, fcntl, reads, prctl probes)
# are not compared.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
command -v strace > /dev/null || missing_tool "strace is not installed (apt-get install strace)"
command -v "${CC:-cc}" > /dev/null || missing_tool "no C compiler for the floor (apt-get install gcc)"

# A copy with the three /etc files: --rootfs (and the floor's -r) create those
# ROOTFS lacks in it, and only the first of the two would.
image=$TESTS_TMP/rootfs
cp -a "$ROOTFS" "$image"
touch "$image/etc/hostname" "$image/etc/hosts" "$image/etc/resolv.conf"
floor=$TESTS_TMP/syscall-floor
if ! log=$("${CC:-cc}" -O2 -static -o "$floor" "$MINIRUN_SRCDIR/tests/bench/syscall-floor.c" 2>&1); then
    diag "$log"
    missing_tool "cannot build the static syscall floor (libc6-dev's libc.a)"
fi

kernel_work=clone3,unshare,setns,mount,umount2,fsopen,fsconfig,fsmount,move_mount,open_tree
kernel_work+=,mount_setattr,pivot_root,mkdir,mkdirat,rmdir,mknodat,symlinkat,seccomp,capset
kernel_work+=,setresuid,setresgid,setgroups,sethostname,socket,socketpair,openat2,write
kernel_work+=,close_range,fchdir,execve,ioctl,fchmodat,fchownat

# counts FILE: "NAME COUNT" per call of kernel_work in an strace -f log.
counts() {
    sed -E 's/^[0-9]+ +//' "$1" | grep -vE '^(<\.\.\.|---|\+\+\+)' | sed 's/(.*//' | sort | uniq -c |
        awk '{ print $2, $1 }' | sort
}

# LeakSanitizer aborts under ptrace (test-oci.sh).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
# One attempt: MRC, FRC (exit statuses), DIFF ("NAME MINIRUN FLOOR" lines).
attempt() {
    timeout -k 5 "$RUN_TIMEOUT" strace -f -qq -e trace="$kernel_work" -o "$TESTS_TMP/m.txt" \
        "$MINIRUN" "${margs[@]}" "$image" /bin/true > /dev/null 2>&1
    MRC=$?
    timeout -k 5 "$RUN_TIMEOUT" strace -f -qq -e trace="$kernel_work" -o "$TESTS_TMP/f.txt" \
        "$floor" "${fargs[@]}" "$image" /bin/true > /dev/null 2>&1
    FRC=$?
    counts "$TESTS_TMP/m.txt" > "$TESTS_TMP/m.n"
    counts "$TESTS_TMP/f.txt" > "$TESTS_TMP/f.n"
    DIFF=$(join -a1 -a2 -e0 -o 0,1.2,2.2 "$TESTS_TMP/m.n" "$TESTS_TMP/f.n" | awk '$2 != $3')
    [ "$MRC" = 0 ] && [ "$FRC" = 0 ] && [ -z "$DIFF" ] && [ -s "$TESTS_TMP/m.n" ]
}

# Up to three attempts: another minirun starting meanwhile (meson runs tests
# side by side) may remove a cgroup this one has just made, taking it for a
# dead run's before it is locked, and minirun makes it again: one mkdir more.
compare() { # NAME FLOOR_ARGS -- MINIRUN_ARGS
    local name=$1 fargs=() margs=()
    shift
    while [ "$1" != -- ]; do fargs+=("$1"); shift; done
    shift
    margs=("$@")
    for _ in 1 2 3; do
        if attempt; then
            ok "$name: the floor makes minirun's kernel calls ($(wc -l < "$TESTS_TMP/m.n") kinds)"
            return
        fi
    done
    not_ok "$name: the floor and minirun differ"
    diag "exit: minirun $MRC, floor $FRC; differing calls (name, minirun, floor):"
    diag "${DIFF:-(none)}"
}

plan 3
compare "default" -a --
compare "--rootfs" -a -r -- --rootfs
compare "--seccomp=unconfined" -- --seccomp=unconfined
done_testing
