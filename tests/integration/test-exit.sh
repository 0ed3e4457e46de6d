#!/bin/bash
# Exit statuses (the container's, 128+N, 125, 126, 127) and signal forwarding.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
ulimit -c 0 # the SIGSEGV test must not leave a core file in the rootfs

# --- the container's own status ---------------------------------------------------
run_expect "sh -c 'exit 42' exits 42" 42 "" -- "$ROOTFS" sh -c 'exit 42'
run_expect "true exits 0" 0 "" -- "$ROOTFS" true
run_expect "false exits 1" 1 "" -- "$ROOTFS" false
run_expect "exit 255 exits 255" 255 "" -- "$ROOTFS" sh -c 'exit 255'
run_expect "stdout and stderr of the container pass through" 3 out -- "$ROOTFS" sh -c 'echo out; exit 3'
run_minirun "$ROOTFS" sh -c 'echo err >&2; exit 4'
expect "the container's stderr passes through" 4 "" err
run_expect "PID 1 killed by a kernel SIGSEGV exits 139" 139 "" -- "$ROOTFS" /probe segv
run_minirun "$ROOTFS" sh -c 'sh -c "kill -TERM \$\$"; echo $?'
expect "a child killed by SIGTERM is 143 for the shell" 0 143 Terminated
run_minirun "$ROOTFS" sh -c 'sleep 100 & kill -9 $!; wait $!; echo $?'
expect "a child killed by SIGKILL is 137 for the shell" 0 137 Killed

# --- killed from outside: 128+9 --------------------------------------------------
"$MINIRUN" "$ROOTFS" sleep 1000 < /dev/null > "$TESTS_TMP/bg.out" 2> "$TESTS_TMP/bg.err" &
mpid=$!
if init=$(container_init "$mpid"); then
    kill -KILL "$init"
    wait_exit "$mpid" 10
    OUT=$(cat "$TESTS_TMP/bg.out") ERR=$(cat "$TESTS_TMP/bg.err")
    expect "PID 1 killed by SIGKILL from the host: minirun exits 137" 137 ""
else
    kill -KILL "$mpid" 2>/dev/null
    not_ok "PID 1 killed by SIGKILL from the host: minirun exits 137" "no container init found under minirun (pid $mpid)"
fi

# --- minirun's own failures --------------------------------------------------------
run_minirun /nonexistent true
expect "a missing rootfs: 125 and the exact message" 125 "" "minirun: rootfs /nonexistent: No such file or directory"
run_minirun "$ROOTFS/etc/passwd" true
expect "a rootfs that is a file (and no tar archive): 125 and the exact message" 125 "" \
    "minirun: rootfs $ROOTFS/etc/passwd: not a directory, and not a tar archive (plain, gzip, bzip2, xz or zstd)"
run_minirun / true
expect_error "the host's / as rootfs: 125" 125 "minirun: rootfs /: *"

# --- exec failures -------------------------------------------------------------------
run_minirun "$ROOTFS" /etc/passwd
expect_error "a non-executable file: 126" 126 "minirun: *exec /etc/passwd: Permission denied"
run_minirun "$ROOTFS" /tmp
expect_error "a directory: 126" 126 "minirun: *exec /tmp*"
run_minirun "$ROOTFS" not-elf
expect_error "an executable file in no known format: 126" 126 "minirun: *not-elf*"
run_minirun "$ROOTFS" nosuchcmd
expect_error "a command not in PATH: 127" 127 "minirun: *exec nosuchcmd*"
run_minirun "$ROOTFS" /nosuch
expect_error "a missing absolute path: 127" 127 "minirun: *exec /nosuch: No such file or directory"
run_minirun "$ROOTFS" /etc/passwd/x
expect_error "a path through a file: 127" 127 "minirun: *exec /etc/passwd/x*"
run_minirun -e PATH=/nowhere "$ROOTFS" ls
expect_error "the command is looked up in the container's PATH (-e PATH)" 127 "minirun: *exec ls*"
run_expect "a relative command is looked up in PATH" 0 / -- "$ROOTFS" pwd
run_minirun "$ROOTFS" bash
expect_error "a host-only command is not found in the container" 127 "minirun: *exec bash*"

# --- signal forwarding ----------------------------------------------------------------
# minirun is started with default signal dispositions (a background job of a
# script would otherwise ignore INT and QUIT, and a shell cannot trap a signal
# that was ignored when it started).
n=7
for sig in TERM INT HUP QUIT USR1 USR2; do
    signum=$(kill -l "$sig")
    env --default-signal "$MINIRUN" "$ROOTFS" sh -c "trap 'exit $n' $sig; sleep 1000 & wait" \
        < /dev/null > "$TESTS_TMP/bg.out" 2> "$TESTS_TMP/bg.err" &
    mpid=$!
    if init=$(container_init "$mpid") && wait_caught "$init" "$signum"; then
        kill -"$sig" "$mpid"
        wait_exit "$mpid" 10
        OUT=$(cat "$TESTS_TMP/bg.out") ERR=$(cat "$TESTS_TMP/bg.err")
        expect "SIG$sig sent to minirun reaches the container (trap exits $n)" "$n" ""
    else
        kill -KILL "$mpid" 2>/dev/null
        wait "$mpid" 2>/dev/null
        not_ok "SIG$sig sent to minirun reaches the container (trap exits $n)" "the container's PID 1 never trapped $sig"
    fi
    n=$((n + 1))
done

# SIGTERM to minirun while PID 1 has no handler: PID 1 ignores it (pid_namespaces(7)),
# so the container keeps running; SIGKILL from the host then ends it.
env --default-signal "$MINIRUN" "$ROOTFS" sleep 1000 < /dev/null > "$TESTS_TMP/bg.out" 2> "$TESTS_TMP/bg.err" &
mpid=$!
if init=$(container_init "$mpid"); then
    kill -TERM "$mpid"
    sleep 0.3
    if kill -0 "$mpid" 2>/dev/null && kill -0 "$init" 2>/dev/null; then
        ok "SIGTERM to a PID 1 without a handler is ignored, minirun keeps waiting"
    else
        not_ok "SIGTERM to a PID 1 without a handler is ignored, minirun keeps waiting" \
            "minirun or the container is gone after SIGTERM"
    fi
    kill -KILL "$init" 2>/dev/null
    wait_exit "$mpid" 10
    is "$RC" 137 "... and exits 137 once PID 1 is killed"
else
    kill -KILL "$mpid" 2>/dev/null
    not_ok "SIGTERM to a PID 1 without a handler is ignored, minirun keeps waiting" "no container init found"
    not_ok "... and exits 137 once PID 1 is killed" "no container init found"
fi

done_testing
