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

# --- ptrace(PTRACE_TRACEME): minirun, the parent, becomes the tracer ------------
# Docker's default profile allows it.  Each signal then stops the command in
# a ptrace stop until the tracer resumes it: minirun must never leave it there.
run_cmd timeout -k 1 5 "$MINIRUN" "$ROOTFS" /probe traceme
expect "PTRACE_TRACEME then a signal: the handler runs, exit 42 (not a hang)" 42 ""

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

# --- a command that takes the set-up's name is still the command -----------------
# minirun tells a death before the execve by the name minirun-setup, but the
# command may take that name too: its status is its own, not a forged 125.
run_expect "a command executed as minirun-setup killed by a kernel SIGSEGV exits 139" 139 "" -- \
    "$ROOTFS" sh -c 'ln -s /probe /tmp/minirun-setup; exec /tmp/minirun-setup segv'
"$MINIRUN" "$ROOTFS" sh -c 'printf minirun-setup > /proc/self/comm; echo ready; sleep 1000; exit 3' \
    < /dev/null > "$TESTS_TMP/bg.out" 2> "$TESTS_TMP/bg.err" &
mpid=$!
for _ in $(seq 200); do
    [ "$(cat "$TESTS_TMP/bg.out")" = ready ] && break
    sleep 0.05
done
if init=$(container_init "$mpid") && [ "$(cat "/proc/$init/comm")" = minirun-setup ]; then
    kill -KILL "$init"
    wait_exit "$mpid" 10
    OUT=$(cat "$TESTS_TMP/bg.out") ERR=$(cat "$TESTS_TMP/bg.err")
    expect "PID 1 renamed minirun-setup, killed by SIGKILL from the host: 137" 137 ready
else
    kill -KILL "$mpid" 2>/dev/null
    not_ok "PID 1 renamed minirun-setup, killed by SIGKILL from the host: 137" \
        "no container init named minirun-setup found under minirun (pid $mpid)"
fi

# --- --init: minirun's own PID 1, the command as PID 2 -------------------------------
run_expect "--init: the command is PID 2 under minirun-init" 0 "2 minirun-init" -- \
    --init "$ROOTFS" sh -c 'echo "$$ $(cat /proc/1/comm)"'
run_expect "--init: exit 3 passes through" 3 out -- --init "$ROOTFS" sh -c 'echo out; exit 3'
run_expect "--init: killed by a kernel SIGSEGV: 139, as without --init" 139 "" -- --init "$ROOTFS" /probe segv
run_expect "--init: SIGKILL from inside: 137" 137 "" -- --init "$ROOTFS" sh -c 'kill -KILL $$; sleep 1'
run_expect "--init: the init holds no fd, the command gets 0 1 2" 0 "0|0 1 2" -- \
    --init "$ROOTFS" sh -c 'echo "$(ls /proc/1/fd | wc -l)|$(/probe fds)"'
run_expect "--init: orphans are reaped (no zombie)" 0 "none" -- \
    --init "$ROOTFS" sh -c '(sleep 0.1 &); sleep 0.5; grep -l "^State:.*Z" /proc/[0-9]*/status || echo none'
run_cmd timeout -k 1 5 "$MINIRUN" --init "$ROOTFS" /probe traceme
expect "--init: PTRACE_TRACEME under the init: exit 42" 42 ""
run_minirun --init --cap-add SYS_PTRACE "$ROOTFS" true
expect_error "--init with CAP_SYS_PTRACE is refused (CVE-2019-5736)" 125 "minirun: --init: not with CAP_SYS_PTRACE*"

# Signals without a handler reach the command: it is not a namespace's init.
for sig in TERM INT; do
    signum=$(kill -l "$sig")
    env --default-signal "$MINIRUN" --init "$ROOTFS" sleep 100 \
        < /dev/null > "$TESTS_TMP/bg.out" 2> "$TESTS_TMP/bg.err" &
    mpid=$!
    workload=
    for _ in $(seq 200); do
        for d in $(descendants "$mpid" 2>/dev/null); do
            [ "$(cat "/proc/$d/comm" 2>/dev/null)" = sleep ] && workload=$d
        done
        [ -n "$workload" ] && break
        sleep 0.05
    done
    kill -"$sig" "$mpid"
    wait_exit "$mpid" 5
    is "$RC" $((128 + signum)) "--init: SIG$sig to minirun ends 'sleep 100' (no handler): $((128 + signum))"
done

# The command clears its parent-death signal (prctl(PR_SET_PDEATHSIG, 0):
# Docker's default profile allows it; a setuid exec does the same), then
# minirun is SIGKILLed.  With --init the init's own PDEATHSIG still fires,
# and the end of a PID namespace's init kills everything in it.
tagged() {
    local p cmd
    for p in /proc/[0-9]*; do
        cmd=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)
        [[ $cmd == "/probe nopdeathsig $1 " ]] && echo "${p#/proc/}"
    done
}
for mode in init no-init; do
    tag="mr-$mode-$$-$RANDOM"
    flag=--init
    [ "$mode" = no-init ] && flag=--rm
    : > "$TESTS_TMP/bg.out"
    "$MINIRUN" "$flag" "$ROOTFS" /probe nopdeathsig "$tag" < /dev/null > "$TESTS_TMP/bg.out" 2>&1 &
    mpid=$!
    for _ in $(seq 200); do
        grep -q ready "$TESTS_TMP/bg.out" && break
        kill -0 "$mpid" 2>/dev/null || break
        sleep 0.05
    done
    before=$(tagged "$tag")
    kill -KILL "$mpid"
    wait "$mpid" 2>/dev/null
    sleep 1
    after=$(tagged "$tag")
    if [ "$mode" = init ]; then
        if [ -n "$before" ] && [ -z "$after" ]; then
            ok "--init: a command that cleared PDEATHSIG is gone within 1 s of kill -9 minirun"
        else
            not_ok "--init: a command that cleared PDEATHSIG is gone within 1 s of kill -9 minirun" \
                "before: '$before' after: '$after' output: $(cat "$TESTS_TMP/bg.out")"
        fi
    else
        # The documented limit (README: Hygiene): without --init it survives.
        if [ -n "$before" ] && [ "$after" = "$before" ]; then
            ok "without --init: a command that cleared PDEATHSIG outlives kill -9 minirun (documented)"
        else
            not_ok "without --init: a command that cleared PDEATHSIG outlives kill -9 minirun (documented)" \
                "before: '$before' after: '$after' output: $(cat "$TESTS_TMP/bg.out")"
        fi
    fi
    for p in $after; do kill -KILL "$p"; done
done

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
# Not only those a terminal sends: an ALRM, XCPU, PWR or real-time signal
# killed minirun (its default action), leaving an -it terminal raw.
n=7
for sig in TERM INT HUP QUIT USR1 USR2 ALRM XCPU PWR RTMIN+3; do
    signum=$(kill -l "$sig")
    env --default-signal "$MINIRUN" "$ROOTFS" sh -c "trap 'exit $n' $signum; sleep 1000 & wait" \
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

# --- PID 1 that ignores a stop, --stop-signal, --stop-timeout ---------------------------
NOTE_INT="minirun: SIGINT had no effect: the container's PID 1 (sleep) has no handler for it, and PID 1 ignores the signals it does not handle; run with --init to have them passed on to COMMAND"
# bg_minirun ARG...: minirun in the background with default dispositions; sets mpid.
bg_minirun() {
    env --default-signal "$MINIRUN" "$@" < /dev/null > "$TESTS_TMP/bg.out" 2> "$TESTS_TMP/bg.err" &
    mpid=$!
}
bg_result() { OUT=$(cat "$TESTS_TMP/bg.out") ERR=$(cat "$TESTS_TMP/bg.err"); }

# SIGINT to minirun, PID 1 has no handler: said once, 2 s later, on stderr.
bg_minirun "$ROOTFS" sleep 1000
if init=$(container_init "$mpid"); then
    kill -INT "$mpid"
    sleep 1
    kill -INT "$mpid"
    sleep 2
    bg_result
    is "$ERR" "$NOTE_INT" "SIGINT ignored by PID 1: one line after 2 s, naming --init (a second SIGINT adds none)"
    kill -KILL "$init" 2>/dev/null
    wait_exit "$mpid" 10
else
    kill -KILL "$mpid" 2>/dev/null
    not_ok "SIGINT ignored by PID 1: one line after 2 s, naming --init (a second SIGINT adds none)" "no container init found"
fi

# --init: its PID 1 forwards SIGINT, sleep dies of it (130), nothing to say.
bg_minirun --init "$ROOTFS" sleep 1000
workload=
for _ in $(seq 200); do
    for d in $(descendants "$mpid" 2>/dev/null); do
        [ "$(cat "/proc/$d/comm" 2>/dev/null)" = sleep ] && workload=$d
    done
    [ -n "$workload" ] && break
    sleep 0.05
done
if [ -n "$workload" ]; then
    kill -INT "$mpid"
    wait_exit "$mpid" 10
    bg_result
    expect "--init: SIGINT reaches COMMAND (130), no note" 130 ""
else
    kill -KILL "$mpid" 2>/dev/null
    not_ok "--init: SIGINT reaches COMMAND (130), no note" "no sleep found under minirun"
fi

# --stop-timeout 1: minirun's SIGTERM, ignored by PID 1, ends in SIGKILL 1 s later.
bg_minirun --stop-timeout 1 "$ROOTFS" sleep 1000
if init=$(container_init "$mpid"); then
    t0=$(date +%s%N)
    kill -TERM "$mpid"
    wait_exit "$mpid" 10
    ms=$((($(date +%s%N) - t0) / 1000000))
    bg_result
    expect "--stop-timeout 1: SIGTERM ignored by PID 1, SIGKILL after 1 s: 137" 137 ""
    if [ "$ms" -ge 900 ] && [ "$ms" -lt 4000 ]; then
        ok "--stop-timeout 1: exits about 1 s after SIGTERM (${ms} ms)"
    else
        not_ok "--stop-timeout 1: exits about 1 s after SIGTERM" "took $ms ms"
    fi
else
    kill -KILL "$mpid" 2>/dev/null
    not_ok "--stop-timeout 1: SIGTERM ignored by PID 1, SIGKILL after 1 s: 137" "no container init found"
    not_ok "--stop-timeout 1: exits about 1 s after SIGTERM" "no container init found"
fi

# --stop-signal USR1: minirun's SIGTERM reaches PID 1 as SIGUSR1.
bg_minirun --stop-signal SIGUSR1 "$ROOTFS" sh -c "trap 'echo usr1; exit 9' USR1; sleep 1000 & wait"
if init=$(container_init "$mpid") && wait_caught "$init" 10; then
    kill -TERM "$mpid"
    wait_exit "$mpid" 10
    bg_result
    expect "--stop-signal SIGUSR1: minirun's SIGTERM arrives as SIGUSR1" 9 usr1
else
    kill -KILL "$mpid" 2>/dev/null
    not_ok "--stop-signal SIGUSR1: minirun's SIGTERM arrives as SIGUSR1" "PID 1 never trapped USR1"
fi

run_minirun --stop-timeout soon "$ROOTFS" true
expect_error "--stop-timeout soon: refused" 125 \
    "minirun: --stop-timeout soon: expected seconds (0 or more; -1: wait forever)"
run_minirun --stop-signal SIGNOPE "$ROOTFS" true
expect_error "--stop-signal SIGNOPE: refused" 125 "minirun: --stop-signal SIGNOPE: unknown signal (TERM, SIGTERM, 15...)"
run_expect "--stop-signal 10 and --stop-timeout -1 are accepted" 0 ok -- \
    --stop-signal 10 --stop-timeout -1 "$ROOTFS" echo ok

done_testing
