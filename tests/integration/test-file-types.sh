#!/bin/bash
# Files minirun reads or writes on the user's or the image's say are opened
# only once known to be regular files (issue "Hardening", C).  Opening is
# not harmless: a FIFO blocks the open until the other end comes, and a
# device node has its driver's open run, by root on the host, even when the
# file is rejected right after.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
command -v python3 > /dev/null || missing_tool "no python3 (inotify watcher)"

plan 6

# Nothing here may wait for the other end of a FIFO: 2 s is plenty.
RUN_TIMEOUT=2

fifo="$TESTS_TMP/fifo"
mkfifo "$fifo"
run_minirun --seccomp="$fifo" "$ROOTFS" true
expect_error "a FIFO as --seccomp fails at once: 125" 125 \
    "minirun: seccomp profile $fifo: not a regular file"

run_minirun --seccomp=/dev/null "$ROOTFS" true
expect_error "a character device as --seccomp: 125" 125 \
    "minirun: seccomp profile /dev/null: not a regular file"

run_minirun --seccomp-report="$fifo" "$ROOTFS" true
expect_error "a FIFO as --seccomp-report=FILE fails at once: 125" 125 \
    "minirun: *--seccomp-report=$fifo: not a regular file (a FIFO)"

run_minirun --seccomp-learn="$fifo" "$ROOTFS" true
expect_error "a FIFO as --seccomp-learn=FILE fails at once: 125" 125 \
    "minirun: *--seccomp-learn=$fifo: not a regular file (a FIFO)"

# A character device (1:3, what /dev/null is) as the image's /etc/passwd,
# watched with inotify: opening it (anything but O_PATH) is an IN_OPEN event.
copy="$TESTS_TMP/rootfs"
cp -a "$ROOTFS" "$copy"
rm -f "$copy/etc/passwd"
mknod -m 0644 "$copy/etc/passwd" c 1 3
python3 - "$copy/etc/passwd" "$TESTS_TMP/opened" "$TESTS_TMP/watching" << 'PY' &
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
IN_OPEN = 0x20
fd = libc.inotify_init1(os.O_CLOEXEC)
if fd < 0 or libc.inotify_add_watch(fd, sys.argv[1].encode(), IN_OPEN) < 0:
    sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
open(sys.argv[3], "w").close()
os.read(fd, 4096)  # blocks until the first open of the node
with open(sys.argv[2], "w") as f:
    f.write("opened\n")
PY
watcher=$!
for _ in $(seq 100); do
    [ -e "$TESTS_TMP/watching" ] && break
    sleep 0.02
done
RUN_TIMEOUT=20 run_minirun --user nobody "$copy" true
expect_error "a character device as /etc/passwd with --user: 125" 125 \
    "minirun: *: /etc/passwd of the root filesystem is not a regular file"
# Give the watcher time to see an event, then stop it.
sleep 0.5
kill "$watcher" 2> /dev/null
wait "$watcher" 2> /dev/null
is "$(cat "$TESTS_TMP/opened" 2> /dev/null || echo never)" never \
    "the device node at /etc/passwd was never opened (no inotify IN_OPEN)"
done_testing
