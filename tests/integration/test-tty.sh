#!/bin/bash
# -t through a real pseudo-terminal (util-linux script(1)), -it driven by
# tmux, and the TIOCSTI protection without -t.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
command -v script > /dev/null || missing_tool "script(1) is missing (apt-get install bsdutils)"

# in_pty COMMAND-STRING: run it under script(1) on a fresh pty; sets OUT (with
# the pty's \r removed), ERR (script's own stderr) and RC (the command's).
# script's stdin is a FIFO that never reaches EOF: at EOF script(1) would type
# the EOF character into the pty, racing with the command.
mkfifo "$TESTS_TMP/stdin"
exec 9<> "$TESTS_TMP/stdin"
in_pty() {
    timeout -k 5 "$RUN_TIMEOUT" script -qec "$1" /dev/null <&9 > "$TESTS_TMP/out" 2> "$TESTS_TMP/err"
    RC=$?
    OUT=$(tr -d '\r' < "$TESTS_TMP/out")
    ERR=$(cat "$TESTS_TMP/err")
}
M=$(printf '%q' "$MINIRUN")
RQ=$(printf '%q' "$ROOTFS")

in_pty "$M -t $RQ tty"
expect "-t: tty prints /dev/pts/0" 0 /dev/pts/0
in_pty "$M -t $RQ sh -c 'test -t 0 && test -t 1 && test -t 2 && echo yes'"
expect "-t: stdin, stdout and stderr are the terminal" 0 yes
in_pty "$M -t $RQ sh -c 'exit 3'"
expect "-t: the exit status passes through" 3 ""
in_pty "$M -t -h lab $RQ env"
is "$RC:$(sort <<< "$OUT")" "0:$(printf '%s\n' HOME=/root HOSTNAME=lab "PATH=$DEFAULT_PATH" TERM=xterm)" \
    "-t: TERM=xterm is added to the environment"
in_pty "$M -t $RQ /probe fds"
expect "-t: no leaked fd (0 1 2)" 0 "0 1 2"
in_pty "$M -t $RQ ls -A1 /dev/pts"
expect "-t: the container's devpts has ptmx and its own pty 0" 0 "$(printf '0\nptmx')"
in_pty "$M -t $RQ cut -d' ' -f6,7 /proc/self/stat"
expect "-t: PID 1 leads a session whose terminal is pts 0 (tty_nr 136:0)" 0 "1 $((136 << 8))"
in_pty "stty -g; $M -t $RQ true; stty -g"
lines=$(wc -l <<< "$OUT")
first=$(head -n 1 <<< "$OUT")
is "$RC:$lines:$(tail -n 1 <<< "$OUT")" "0:2:$first" "-t: the caller's terminal settings are restored"
in_pty "stty -g; $M -it $RQ true; stty -g"
first=$(head -n 1 <<< "$OUT")
is "$RC:$(tail -n 1 <<< "$OUT")" "0:$first" "-it: the caller's terminal settings are restored"
in_pty "stty -g; $M -it $RQ sh -c 'kill -9 \$\$; sleep 1'; echo rc=\$?; stty -g"
first=$(head -n 1 <<< "$OUT")
is "$RC:$(tail -n 2 <<< "$OUT" | tr '\n' ' ')" "0:rc=0 $first " \
    "-it: settings restored after PID 1 ignores SIGKILL from inside and exits 0"
in_pty "stty -g; $M -it /nonexistent true; echo rc=\$?; stty -g"
first=$(head -n 1 <<< "$OUT")
is "$RC:$(tail -n 3 <<< "$OUT" | tr '\n' '|')" \
    "0:minirun: rootfs /nonexistent: No such file or directory|rc=125|$first|" \
    "-it: a failure leaves the terminal as it was"

# Without -t the container runs in a new session (the caller's terminal is not
# its controlling terminal) and, with -i, its stdin is a pipe minirun copies the
# caller's terminal into, as `docker run -i` does: it used to be the terminal
# itself, and a terminal needs not be one's controlling terminal to be
# changed: `stty raw -echo` outlived the container, TCXONC (tcflow TCOOFF)
# froze the caller's terminal for good, and TIOCSTI typed into the caller's
# shell with CAP_SYS_ADMIN.
in_pty "$M -i $RQ /probe syscall ioctl 0 0x5412 str:x"
expect "-i without -t: TIOCSTI on fd 0 fails (ENOTTY: a pipe, not the caller's terminal)" 25 ENOTTY
in_pty "$M -i $RQ sh -c 'test ! -t 0 && test -p /proc/self/fd/0 && echo pipe'"
expect "-i without -t, stdin a terminal: the container's stdin is a pipe" 0 pipe
in_pty "stty -g; $M -i $RQ sh -c 'stty raw -echo 2>/dev/null || echo stty-failed'; stty -g"
first=$(head -n 1 <<< "$OUT")
is "$RC:$(tail -n 2 <<< "$OUT" | tr '\n' '|')" "0:stty-failed|$first|" \
    "-i without -t: stty raw -echo on stdin fails, the caller's terminal is unchanged"
in_pty "$M -i $RQ /probe syscall ioctl 0 0x540A 0; echo rc=\$?; echo still-visible"
expect "-i without -t: tcflow(TCOOFF) on stdin fails, the terminal's output goes on" 0 \
    "$(printf 'ENOTTY\nrc=25\nstill-visible')"
printf 'typed\n\004' >&9
in_pty "$M -i $RQ sh -c 'cat; echo cat=\$?'"
expect "-i without -t: a line typed reaches the container, Ctrl-D ends its input" 0 \
    "$(printf 'typed\ntyped\ncat=0')"
in_pty "$M $RQ tty"
expect "without -t and -i: stdin is not a terminal" 1 "not a tty"
in_pty "$M -i $RQ cut -d' ' -f6,7 /proc/self/stat"
expect "without -t: the container has no controlling terminal (session, tty_nr 0)" 0 "1 0"

# Without -t, stdout and stderr on the caller's terminal: the container gets
# a pipe that minirun copies to the terminal, never the terminal itself, so it
# cannot read what the user types (read(2) on fd 1: EBADF, not a wait for
# keystrokes) nor change the terminal's modes (TCGETS/TCSETS: ENOTTY).
# busybox's timeout ends a read that waits on the terminal (143).
in_pty "$M $RQ sh -c 'timeout 1 /probe syscall 0 1 bad 1; echo rc=\$?'"
expect "without -t: fd 1 cannot be read from (EBADF, not the caller's keystrokes)" 0 "$(printf 'EBADF\nrc=9')"
in_pty "$M $RQ sh -c '/probe syscall ioctl 1 0x5401 bad; /probe syscall ioctl 2 0x5402 bad; test -t 1 || echo no-tty'"
expect "without -t: no terminal ioctl on fd 1 or 2 (TCGETS, TCSETS: ENOTTY)" 0 "$(printf 'ENOTTY\nENOTTY\nno-tty')"
in_pty "$M $RQ sh -c 'stty -F /proc/self/fd/1 2>/dev/null || echo stty-failed'"
expect "without -t: stty on fd 1 fails" 0 stty-failed
in_pty "$M $RQ sh -c 'echo 1; echo 2 >&2; echo 3; echo 4 >&2; exit 5'"
expect "without -t: stdout and stderr reach the terminal in the order written, exit 5" 5 "$(printf '1\n2\n3\n4')"
in_pty "$M $RQ seq 1 200000"
is "$RC:$(wc -l <<< "$OUT"):$(head -n 1 <<< "$OUT"):$(tail -n 1 <<< "$OUT")" "0:200000:1:200000" \
    "without -t: a long output arrives whole"
in_pty "$M $RQ sh -c 'echo out; echo err >&2' 2> $TESTS_TMP/err-file; cat $TESTS_TMP/err-file"
expect "without -t: stderr to a file stays that file, stdout relayed" 0 "$(printf 'out\nerr')"
run_minirun "$ROOTFS" sh -c 'test -p /proc/self/fd/1 || echo not-a-pipe'
expect "stdout not a terminal: passed as it is, no relay" 0 not-a-pipe

# The reader of minirun's output goes away: the container must meet what it
# would meet without minirun in between, not a full buffer nobody reads.
timeout -k 5 "$RUN_TIMEOUT" "$MINIRUN" -t "$ROOTFS" yes 2> /dev/null | head -n 1 > "$TESTS_TMP/out"
is "${PIPESTATUS[0]}:$(tr -d '\r' < "$TESTS_TMP/out")" "1:y" \
    "-t, the reader of stdout exits (| head -1): the pty is hung up, yes fails on EIO (exit 1, no hang)"
# Without -t: minirun's stdout is a terminal that hangs up (EIO); the pipe's
# read end is closed, yes (not PID 1) dies of SIGPIPE.
OUT=$(python3 - "$MINIRUN" "$ROOTFS" "$RUN_TIMEOUT" <<'EOF'
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.Popen([sys.argv[1], sys.argv[2], "sh", "-c", 'yes; echo "yes=$?" >&2'],
                     stdin=subprocess.DEVNULL, stdout=s, stderr=subprocess.PIPE)
os.close(s)
os.read(m, 1)
os.close(m)
try:
    err = p.communicate(timeout=int(sys.argv[3]))[1]
    print(p.returncode, err.decode().strip())
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    print("hang")
EOF
)
is "$OUT" "0 yes=141" "without -t, the caller's terminal hangs up: the output pipe is closed, yes dies of SIGPIPE (no hang)"

# The reader of minirun's output stalls without exiting (a pipe nobody reads):
# minirun holds one read and stops reading the container's terminal, whose
# writes then wait (nothing lost), but it must go on acting on signals: it
# used to sit in a blocking write(), forwarding SIGTERM only once the reader
# read again, and --stop-timeout never came.  stall.py NAME MINIRUN-ARG...
# runs minirun with stdout a pipe nobody reads for 1 s, then sends SIGTERM
# and prints what followed, read by nobody yet; then reads everything.
mkdir "$TESTS_TMP/vol"
cat > "$TESTS_TMP/stall.py" <<'EOF'
import os, signal, subprocess, sys, time
what, vol, args = sys.argv[1], sys.argv[2], sys.argv[3:]
r, w = os.pipe()
p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=w, stderr=subprocess.DEVNULL)
os.close(w)
time.sleep(1)
kids = open("/proc/%d/task/%d/children" % (p.pid, p.pid)).read().split()
# quit: the container must have ended first (reaped by minirun).
for _ in range(100 if what == "quit" and kids else 0):
    if not os.path.exists("/proc/" + kids[0] + "/stat"):
        break
    time.sleep(0.1)
p.send_signal(signal.SIGTERM)
res = []
for _ in range(30):
    time.sleep(0.1)
    if what == "forward" and os.path.exists(vol + "/got"):
        res.append("forwarded")
        break
    if what == "timeout" and kids and not os.path.exists("/proc/" + kids[0] + "/stat"):
        res.append("container-gone")
        break
    if what == "quit" and p.poll() is not None:
        res.append("exited")
        break
else:
    res.append("nothing")
data = b""
while True:
    b = os.read(r, 65536)
    if not b:
        break
    data += b
try:
    rc = p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "hang"
nums = data.replace(b"\r", b"").split()
if what == "forward":
    whole = len(nums) > 1000 and all(int(n) == i + 1 for i, n in enumerate(nums))
    res.append("whole" if whole else "lost")
elif what == "quit":
    res.append("dropped" if len(data) < 70000 else "all")
print(" ".join(res + ["rc=%s" % rc]))
EOF
OUT=$(timeout -k 5 30 python3 "$TESTS_TMP/stall.py" forward "$TESTS_TMP/vol" "$MINIRUN" -t -v "$TESTS_TMP/vol:/vol" "$ROOTFS" \
    sh -c 'trap "echo term > /vol/got; exit 7" TERM; i=0; while :; do i=$((i+1)); echo $i; done & wait')
is "$OUT" "forwarded whole rc=7" \
    "-t, stdout a pipe nobody reads: SIGTERM still reaches the container (its trap runs), output whole once read"
OUT=$(timeout -k 5 30 python3 "$TESTS_TMP/stall.py" timeout "$TESTS_TMP/vol" "$MINIRUN" -t --stop-timeout 1 "$ROOTFS" yes)
is "$OUT" "container-gone rc=137" \
    "-t --stop-timeout 1, stdout a pipe nobody reads: PID 1 without a handler is killed after 1 s"
# The container has ended, 70 kB of its output wait for the stalled reader
# (64 KiB in the pipe, the rest in minirun and the pty): minirun waits as
# long as the reader lives, but a SIGTERM ends it, with the container's
# status, and what the pipe did not take is dropped.
OUT=$(timeout -k 5 30 python3 "$TESTS_TMP/stall.py" quit "$TESTS_TMP/vol" "$MINIRUN" -t "$ROOTFS" \
    sh -c 'head -c 70000 /dev/zero; exit 3')
is "$OUT" "exited dropped rc=3" \
    "-t, the container has ended, its last output stalled: SIGTERM ends minirun with the container's status"

# stdout /dev/tty (`minirun ... > /dev/tty`), the caller's controlling
# terminal, whose reader stalls: minirun used to write it in blocking
# PIPE_BUF pieces (/dev/tty was never opened again), sat in write() once
# the terminal had less room, and forwarded no SIGTERM until the reader read.
# devtty.py runs minirun in a session of its own on a fresh pty that nobody
# reads, stdout /dev/tty; SIGTERM after 1.5 s; then reads everything.
cat > "$TESTS_TMP/devtty.py" <<'EOF'
import fcntl, os, pty, select, signal, sys, termios, time
vol, args = sys.argv[1], sys.argv[2:]
m, s = pty.openpty()
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(s, termios.TIOCSCTTY, 0)
    os.dup2(os.open("/dev/tty", os.O_WRONLY), 1)
    nul = os.open("/dev/null", os.O_RDWR)
    os.dup2(nul, 0)
    os.dup2(nul, 2)
    os.execv(args[0], args)
os.close(s)
time.sleep(1.5)
os.kill(pid, signal.SIGTERM)
res = "nothing"
for _ in range(30):
    time.sleep(0.1)
    if os.path.exists(vol + "/got"):
        res = "forwarded"
        break
end, done = time.time() + 10, 0
while time.time() < end and not done:
    if select.select([m], [], [], 0.2)[0]:
        try:
            os.read(m, 65536)
        except OSError:
            pass
    done, st = os.waitpid(pid, os.WNOHANG)
if not done:
    os.kill(pid, signal.SIGKILL)
print(res, "rc=%s" % (os.waitstatus_to_exitcode(st) if done else "hang"))
EOF
rm -f "$TESTS_TMP/vol/got"
OUT=$(timeout -k 5 30 python3 "$TESTS_TMP/devtty.py" "$TESTS_TMP/vol" "$MINIRUN" -v "$TESTS_TMP/vol:/vol" "$ROOTFS" \
    sh -c 'trap "echo term > /vol/got; exit 7" TERM; i=0; while :; do i=$((i+1)); echo $i; done & wait')
is "$OUT" "forwarded rc=7" \
    "stdout /dev/tty, the caller's terminal, nobody reading: SIGTERM still reaches the container"

# --- -it with tmux ----------------------------------------------------------------
if ! command -v tmux > /dev/null; then
    if [ "${CI:-}" = true ]; then
        not_ok "-it: an interactive shell in tmux" "tmux is missing (apt-get install tmux)"
    else
        skip "-it: an interactive shell in tmux" "tmux is missing (apt-get install tmux)"
    fi
    done_testing
fi

sock="$TESTS_TMP/tmux.sock"
tmx() { tmux -S "$sock" -f /dev/null "$@"; }
at_exit 'tmux -S "$TESTS_TMP/tmux.sock" kill-server 2>/dev/null'
# wait_pane PATTERN [SESSION]: wait (up to 10 s) until SESSION's pane (default t)
# shows a line matching PATTERN.
wait_pane() {
    local _
    for _ in $(seq 100); do
        tmx capture-pane -p -t "${2:-t}" 2>/dev/null | grep -q -- "$1" && return 0
        sleep 0.1
    done
    return 1
}
wait_file() {
    local _
    for _ in $(seq 100); do
        [ -s "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

tmx new-session -d -s t -x 100 -y 30 "PS1='$ ' bash --norc --noprofile -i"
tmx set-option -t t status off > /dev/null
wait_pane '^\$'
cat > "$TESTS_TMP/it.sh" <<EOF
stty -g > $TESTS_TMP/before
stty size > $TESTS_TMP/size
$M -it -h lab -e PS1='box> ' $RQ sh
echo rc=\$? > $TESTS_TMP/rc
stty -g > $TESTS_TMP/after
EOF
tmx send-keys -t t "bash $TESTS_TMP/it.sh" Enter
if wait_pane '^box>'; then
    ok "-it: busybox sh shows its prompt"
else
    not_ok "-it: busybox sh shows its prompt" "$(tmx capture-pane -p -t t)"
fi
tmx send-keys -t t 'echo "n=$((6*7)) h=$(hostname) t=$(tty)"' Enter
if wait_pane '^n=42 h=lab t=/dev/pts/0$'; then
    ok "-it: keys typed reach the shell, output comes back"
else
    not_ok "-it: keys typed reach the shell, output comes back" "$(tmx capture-pane -p -t t)"
fi
tmx send-keys -t t 'echo "size=$(stty size)"' Enter
if wait_pane "^size=$(cat "$TESTS_TMP/size" 2>/dev/null)\$"; then
    ok "-it: the container's terminal has the caller's size"
else
    not_ok "-it: the container's terminal has the caller's size" "outer: $(cat "$TESTS_TMP/size" 2>/dev/null)
$(tmx capture-pane -p -t t)"
fi
tmx resize-window -t t -x 90 -y 25 2>/dev/null || tmx resize-pane -t t -x 90 -y 25
sleep 0.3
tmx send-keys -t t 'echo "resized=$(stty size)"' Enter
if wait_pane '^resized=25 90$'; then
    ok "-it: a window size change is relayed (SIGWINCH)"
else
    not_ok "-it: a window size change is relayed (SIGWINCH)" "$(tmx capture-pane -p -t t)"
fi
tmx send-keys -t t 'sleep 100' Enter
sleep 0.3
tmx send-keys -t t C-c
tmx send-keys -t t 'echo "after-int=$?"' Enter
if wait_pane '^after-int=130$'; then
    ok "-it: Ctrl-C interrupts the container's foreground job, not minirun"
else
    not_ok "-it: Ctrl-C interrupts the container's foreground job, not minirun" "$(tmx capture-pane -p -t t)"
fi
tmx send-keys -t t 'exit 5' Enter
if wait_file "$TESTS_TMP/after"; then
    is "$(cat "$TESTS_TMP/rc")" rc=5 "-it: exit 5 from the shell is minirun's status"
    is "$(cat "$TESTS_TMP/after")" "$(cat "$TESTS_TMP/before")" "-it: the terminal settings are restored after exit"
else
    not_ok "-it: exit 5 from the shell is minirun's status" "minirun did not exit: $(tmx capture-pane -p -t t)"
    not_ok "-it: the terminal settings are restored after exit" "minirun did not exit"
fi

# The report is written by minirun itself while the caller's terminal is raw:
# each line must still start at column 0 (no staircase), and carry --name.
tmx send-keys -t t clear Enter
tmx send-keys -t t "$M -it --name web --seccomp-report --seccomp $(printf '%q' "$MR_EXAMPLES/no-mkdir.json") $RQ sh -c 'mkdir /a; mkdir /b; sleep 0.2; echo it-done'" Enter
if wait_pane '^it-done'; then
    pane=$(tmx capture-pane -p -t t)
    lines=$(grep -c '^minirun: web: seccomp: denied mkdir("/[ab]", 0777) = -EPERM' <<< "$pane")
    is "$lines:$(grep -c '^ \+minirun' <<< "$pane")" "2:0" \
        "-it --seccomp-report: report lines start at column 0 on the raw terminal, with --name"
    [ "$lines" = 2 ] || diag "$pane"
else
    not_ok "-it --seccomp-report: report lines start at column 0 on the raw terminal, with --name" \
        "$(tmx capture-pane -p -t t)"
fi

# -it, Ctrl-C to a PID 1 without a handler (sleep): the pty's SIGINT does
# nothing; minirun says so once, 2 s later, at column 0 of the raw terminal.
# Then minirun's own SIGTERM ends it after --stop-timeout 1.
tmx send-keys -t t clear Enter
tmx send-keys -t t "$M -it --stop-timeout 1 $RQ sleep 100; echo rc=\$?" Enter
sleep 1
tmx send-keys -t t C-c
if wait_pane "^minirun: SIGINT had no effect: the container's PID 1 (sleep) has no handler for it"; then
    ok "-it: Ctrl-C ignored by PID 1 is explained once, at column 0"
else
    not_ok "-it: Ctrl-C ignored by PID 1 is explained once, at column 0" "$(tmx capture-pane -p -t t)"
fi
mr=
for d in $(descendants "$(tmx display -p -t t '#{pane_pid}')"); do
    [ "$(cat "/proc/$d/comm" 2>/dev/null)" = minirun ] && mr=$d && break
done
[ -n "$mr" ] && kill -TERM "$mr"
if wait_pane '^rc=137$'; then
    ok "-it --stop-timeout 1: SIGTERM to minirun ends the ignoring PID 1 with SIGKILL (137)"
else
    not_ok "-it --stop-timeout 1: SIGTERM to minirun ends the ignoring PID 1 with SIGKILL (137)" \
        "$(tmx capture-pane -p -t t)"
fi

# Without -t, stdout the caller's terminal, stopped with Ctrl-S (IXON): minirun
# waits to write, and must still forward a SIGTERM; Ctrl-Q lets the rest out.
tmx send-keys -t t clear Enter
rm -f "$TESTS_TMP/vol/got" "$TESTS_TMP/rc2"
tmx send-keys -t t "$M -v $TESTS_TMP/vol:/vol $RQ sh -c 'trap \"echo term > /vol/got; exit 7\" TERM; i=0; while :; do i=\$((i+1)); echo \$i; done & wait'; echo rc=\$? > $TESTS_TMP/rc2" Enter
sleep 0.5
tmx send-keys -t t C-s
sleep 0.5
mr=
for d in $(descendants "$(tmx display -p -t t '#{pane_pid}')"); do
    [ "$(cat "/proc/$d/comm" 2>/dev/null)" = minirun ] && mr=$d && break
done
[ -n "$mr" ] && kill -TERM "$mr"
if wait_file "$TESTS_TMP/vol/got" && [ ! -e "$TESTS_TMP/rc2" ]; then
    ok "without -t, the caller's terminal stopped (Ctrl-S): SIGTERM still reaches the container"
else
    not_ok "without -t, the caller's terminal stopped (Ctrl-S): SIGTERM still reaches the container" \
        "got: $(cat "$TESTS_TMP/vol/got" 2>/dev/null), rc: $(cat "$TESTS_TMP/rc2" 2>/dev/null)"
fi
tmx send-keys -t t C-q
wait_file "$TESTS_TMP/rc2"
is "$(cat "$TESTS_TMP/rc2" 2>/dev/null)" rc=7 "without -t, Ctrl-Q: the rest is written, the container's exit 7 is minirun's"

# -it and job control, under dash (bash puts its own terminal modes back when
# a job stops, and would hide a raw terminal left behind).  kill -TSTP: the
# caller's terminal as it was before, minirun stopped with SIGTSTP while the
# container runs on; bg: stopped again on the terminal (SIGTTOU), not raw
# under the shell; fg: raw again, the output written meanwhile and the new
# window size arrive.  kill -TTIN likewise.
if ! command -v dash > /dev/null; then
    skip "-it, kill -TSTP: the caller's terminal is restored" "dash is missing"
    done_testing
fi
jt="$TESTS_TMP/job"
mkdir "$jt"
tmx new-session -d -s j -x 100 -y 30 "PS1='$ ' dash -i"
tmx set-option -t j status off > /dev/null
wait_j() { wait_pane "$1" j; }
wait_state() {
    local _
    for _ in $(seq 50); do
        [ "$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}
wait_j '^\$'
ptty=$(tmx display -p -t j '#{pane_tty}')
tmx send-keys -t j "stty -g > $jt/before; $M -it -e PS1='box> ' -v $TESTS_TMP/vol:/vol $RQ sh" Enter
wait_j '^box>'
raw=$(stty -g -F "$ptty")
mr=
for d in $(descendants "$(tmx display -p -t j '#{pane_pid}')"); do
    [ "$(cat "/proc/$d/comm" 2>/dev/null)" = minirun ] && mr=$d && break
done
tmx send-keys -t j 'sleep 1; echo x > /vol/ran; echo "after-stop-$((6*7))"' Enter
sleep 0.3
[ -n "$mr" ] && kill -TSTP "$mr"
wait_state "$mr" T
tmx send-keys -t j "stty -g > $jt/stopped" Enter
wait_file "$jt/stopped"
is "$(cat "$jt/stopped" 2>/dev/null)" "$(cat "$jt/before")" \
    "-it, kill -TSTP: minirun stops, the caller's terminal is as it was before (not raw)"
if wait_file "$TESTS_TMP/vol/ran" && wait_state "$mr" T; then
    ok "-it, kill -TSTP: the container runs on while minirun is stopped"
else
    not_ok "-it, kill -TSTP: the container runs on while minirun is stopped" "$(tmx capture-pane -p -t j)"
fi
tmx resize-window -t j -x 90 -y 25 2> /dev/null || tmx resize-pane -t j -x 90 -y 25
tmx send-keys -t j bg Enter
sleep 0.5
tmx send-keys -t j "stty -g > $jt/bg" Enter
wait_file "$jt/bg"
if wait_state "$mr" T && [ "$(cat "$jt/bg")" = "$(cat "$jt/before")" ]; then
    ok "-it, bg: minirun stops again on the terminal (SIGTTOU), the shell's terminal stays as it was"
else
    not_ok "-it, bg: minirun stops again on the terminal (SIGTTOU), the shell's terminal stays as it was" \
        "$(tmx capture-pane -p -t j)"
fi
tmx send-keys -t j fg Enter
if wait_j '^after-stop-42'; then
    ok "-it, fg: what the container wrote while minirun was stopped arrives"
else
    not_ok "-it, fg: what the container wrote while minirun was stopped arrives" "$(tmx capture-pane -p -t j)"
fi
tmx send-keys -t j 'echo "size=$(stty size)"' Enter
if wait_j '^size=25 90$'; then
    ok "-it, fg: the window size changed while stopped is relayed"
else
    not_ok "-it, fg: the window size changed while stopped is relayed" "$(tmx capture-pane -p -t j)"
fi
is "$(stty -g -F "$ptty")" "$raw" "-it, fg: the caller's terminal is raw again"
[ -n "$mr" ] && kill -TTIN "$mr"
wait_state "$mr" T
tmx send-keys -t j "stty -g > $jt/ttin" Enter
wait_file "$jt/ttin"
is "$(cat "$jt/ttin" 2>/dev/null)" "$(cat "$jt/before")" \
    "-it, kill -TTIN: minirun stops, the caller's terminal is as it was before"
tmx send-keys -t j fg Enter
sleep 0.5
tmx send-keys -t j 'exit 5' Enter
# Not chained after minirun on its command line: dash runs the rest of the
# list when a job stops.
sleep 0.5
tmx send-keys -t j "echo rc=\$? > $jt/rc" Enter
if wait_file "$jt/rc"; then
    is "$(cat "$jt/rc"):$(stty -g -F "$ptty")" "rc=5:$(cat "$jt/before")" \
        "-it, after the stops: exit 5 is minirun's status, the terminal is restored"
else
    not_ok "-it, after the stops: exit 5 is minirun's status, the terminal is restored" \
        "$(tmx capture-pane -p -t j)"
fi
[ -n "$mr" ] && kill -KILL "$mr" 2> /dev/null

done_testing
