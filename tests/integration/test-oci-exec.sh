#!/bin/bash
# The OCI runtime's exec, ps, pause, resume and features, on a bundle made
# from the test rootfs: an exec'ed process is as confined as the init.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
# LeakSanitizer stops the world at exit with a tracer it clones; after
# `exec` has joined the container's PID namespace (setns CLONE_NEWPID) that
# tracer is born there and cannot see minirun's threads, and the exit hangs.
# Only the leak check is off under ASan; every other check stays.
if [ "${MINIRUN_SANITIZED:-0}" = 1 ]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
require_root

oci_state

# The container: `sleep 30` as its init, a hostname, a profile that denies
# mkdir and mount (EPERM) and allows the rest, and the core size Docker
# writes for --ulimit core=-1: Go's RLIM_INFINITY, 2^64-1, which jq would
# round (it reads numbers as doubles), so it is put in with sed.
(cd "$BUNDLE" && "$MINIRUN" spec)
jq --arg root "$ROOTFS" '.root.path = $root | .root.readonly = true
    | .process.terminal = false | .process.args = ["sleep", "30"] | .hostname = "exec-test"
    | .process.rlimits = [{"type": "RLIMIT_CORE", "soft": "BIG", "hard": "BIG"}]
    | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names":
        ["mkdir", "mkdirat", "mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}' \
    "$BUNDLE/config.json" | sed 's/"BIG"/18446744073709551615/g' > "$BUNDLE/c.json" &&
    mv "$BUNDLE/c.json" "$BUNDLE/config.json"
run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" x1
expect "run --detach: the container runs sleep 30" 0 ""
init=$(jq -r .pid "$STATE/x1/state.json")

# --- what the exec'ed process sees --------------------------------------------------------
run_minirun "${R[@]}" exec x1 hostname
expect "exec: the container's hostname" 0 "exec-test"
run_minirun "${R[@]}" exec x1 sh -c '[ $$ -lt 10 ] && echo small; ps -o pid,args | grep -c "^ *1 sleep 30"'
expect "exec: a small pid in the container's pid namespace, whose ps shows the init" 0 "small
1"
run_minirun "${R[@]}" exec x1 sh -c 'wc -c < /proc/timer_list; test -x /probe && echo rootfs'
expect "exec: the container's mounts (masked /proc/timer_list, the rootfs)" 0 "0
rootfs"
run_minirun "${R[@]}" exec x1 sh -c 'grep "core file" /proc/self/limits | tr -s " "'
expect "exec: the config's rlimit of 18446744073709551615 is unlimited (as at create)" 0 \
    "Max core file size unlimited unlimited bytes "
run_minirun "${R[@]}" exec x1 sh -c 'mkdir /tmp/d; /probe syscall mount'
expect "exec: the config's seccomp profile (mkdir and mount denied)" 1 "EPERM" \
    "mkdir: can't create directory '/tmp/d': Operation not permitted"
run_minirun "${R[@]}" exec x1 sh -c 'for f in 1 self; do
    grep -E "^(Seccomp|NoNewPrivs|CapBnd|CapEff)" /proc/$f/status | tr -d "\t" | tr "\n" " "; echo; done'
if [ "$RC" = 0 ] && [ "$(echo "$OUT" | sed -n 1p)" = "$(echo "$OUT" | sed -n 2p)" ] &&
    [[ $OUT == *"Seccomp:2"* ]]; then
    ok "exec: the init's seccomp mode, no_new_privs, bounding and effective sets"
else
    not_ok "exec: the same confinement as the init" "$(_result_diag)"
fi
run_minirun "${R[@]}" exec x1 ls /proc/self/fd
expect "exec: no fd of minirun's reaches the process" 0 "0
1
2
3"

# --- exit statuses -----------------------------------------------------------------------
run_minirun "${R[@]}" exec x1 sh -c 'exit 3'
expect "exec: exit 3 is minirun's exit 3" 3 ""
run_minirun "${R[@]}" exec x1 sh -c 'kill -9 $$'
expect "exec: killed by SIGKILL is 128+9" 137 ""
run_minirun "${R[@]}" exec x1 nosuch
expect_error "exec: a missing command is 127" 127 "minirun: exec nosuch: executable file not found*"

# --- the cgroup, detached, with a pid file ------------------------------------------------
run_minirun "${R[@]}" exec --detach --pid-file "$TESTS_TMP/e.pid" x1 sleep 20
expect "exec --detach --pid-file" 0 ""
epid=$(cat "$TESTS_TMP/e.pid")
is "$(cat "/proc/$epid/cgroup")" "$(cat "/proc/$init/cgroup")" \
    "exec: /proc/PID/cgroup of the exec'ed process is the init's"
is "$(readlink "/proc/$epid/ns/pid") $(readlink "/proc/$epid/ns/mnt") $(readlink "/proc/$epid/ns/cgroup")" \
    "$(readlink "/proc/$init/ns/pid") $(readlink "/proc/$init/ns/mnt") $(readlink "/proc/$init/ns/cgroup")" \
    "exec: the init's pid, mount and cgroup namespaces"

# --- ps --------------------------------------------------------------------------------
run_minirun "${R[@]}" ps --format json x1
if [ "$RC" = 0 ] && echo "$OUT" | jq -e --argjson a "$init" --argjson b "$epid" \
    'type == "array" and (index($a) != null) and (index($b) != null)' > /dev/null; then
    ok "ps --format json: the pids of the container's cgroup"
else
    not_ok "ps --format json" "$(_result_diag)"
fi
run_minirun "${R[@]}" ps x1
if [ "$RC" = 0 ] && [[ $(echo "$OUT" | sed -n 1p) == *PID* ]] && [[ $OUT == *"sleep 30"* ]] &&
    [[ $OUT != *"$MINIRUN"* ]]; then
    ok "ps: the host's ps -ef, only the container's lines"
else
    not_ok "ps: table" "$(_result_diag)"
fi

# --- pause, resume -------------------------------------------------------------------------
"$MINIRUN" "${R[@]}" exec --detach x1 sh -c 'while :; do echo x >> /dev/shm/ticks; sleep 0.02; done'
# Paused once the loop has ticked (up to 10 s; was a 0.3 s sleep, and a loop
# not started by then made "no progress" pass on a missing file).
for _ in $(seq 200); do
    [ -s "/proc/$init/root/dev/shm/ticks" ] && break
    sleep 0.05
done
run_minirun "${R[@]}" pause x1
expect "pause" 0 ""
is "$("$MINIRUN" "${R[@]}" state x1 | jq -r .status)" "paused" "pause: state says paused"
a=$(wc -c < "/proc/$init/root/dev/shm/ticks")
sleep 0.5
b=$(wc -c < "/proc/$init/root/dev/shm/ticks")
is "$b" "$a" "pause: the container's processes make no progress"
run_minirun "${R[@]}" exec x1 true
expect_error "exec into a paused container is refused (runc)" 1 "minirun: cannot exec in a paused container*"
# --ignore-paused: the process is born frozen and runs once resumed (runc's
# behaviour).  It used to keep the state's lock (its clone shared the locked
# open file) while it waited, frozen, so resume and delete --force hung for
# good, even after the exec was killed.
n=$("$MINIRUN" "${R[@]}" ps --format json x1 | jq length)
timeout -k 2 15 "$MINIRUN" "${R[@]}" exec --ignore-paused x1 echo thawed \
    < /dev/null > "$TESTS_TMP/ip.out" 2>&1 &
ip=$!
for _ in $(seq 100); do # until its process is in the (frozen) cgroup
    [ "$("$MINIRUN" "${R[@]}" ps --format json x1 | jq length)" -gt "$n" ] && break
    sleep 0.05
done
RUN_TIMEOUT=5 run_minirun "${R[@]}" resume x1
expect "resume while an exec --ignore-paused waits, frozen" 0 ""
if [ "$RC" != 0 ]; then
    # Thawed by hand, or the rest of this script (and its clean-up) hangs too.
    for d in $(jq -r '.cgroupPaths[]' "$STATE/x1/state.json"); do
        [ -e "$d/cgroup.freeze" ] && echo 0 > "$d/cgroup.freeze"
        [ -e "$d/freezer.state" ] && echo THAWED > "$d/freezer.state"
    done
fi
wait "$ip"
is "$? $(cat "$TESTS_TMP/ip.out")" "0 thawed" "exec --ignore-paused: its command ran once resumed"
is "$("$MINIRUN" "${R[@]}" state x1 | jq -r .status)" "running" "resume: state says running"
# It goes on within 10 s (was: a fixed 0.5 s, short for a loaded machine).
for _ in $(seq 200); do
    c=$(wc -c < "/proc/$init/root/dev/shm/ticks")
    [ "$c" -gt "$b" ] && break
    sleep 0.05
done
if [ "$c" -gt "$b" ]; then ok "resume: they go on"; else not_ok "resume: they go on" "$b -> $c"; fi
run_minirun "${R[@]}" resume x1
expect_error "resume of a running container is refused" 1 "minirun: container x1 is not paused: running"

# --- process.json: user and capabilities -------------------------------------------------
jq '.process | .args = ["sh", "-c", "id; grep -E \"^Cap(Eff|Bnd)\" /proc/self/status"]
    | .user = {"uid": 1000, "gid": 1000} | .capabilities = {"bounding": ["CAP_KILL"],
    "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"], "inheritable": ["CAP_KILL"],
    "ambient": ["CAP_KILL"]} | .noNewPrivileges = true | del(.rlimits)' \
    "$BUNDLE/config.json" > "$TESTS_TMP/process.json"
run_minirun "${R[@]}" exec --process "$TESTS_TMP/process.json" x1
expect "exec --process: the user and capabilities of process.json" 0 "uid=1000(alice) gid=1000(alice)
CapEff:	0000000000000020
CapBnd:	0000000000000020"
jq '.args = ["sh", "-c", "grep \"core file\" /proc/self/limits | tr -s \" \""]
    | .rlimits = [{"type": "RLIMIT_CORE", "soft": 1048576, "hard": "BIG"}]' \
    "$TESTS_TMP/process.json" | sed 's/"BIG"/18446744073709551614/' > "$TESTS_TMP/limits.json"
run_minirun "${R[@]}" exec --process "$TESTS_TMP/limits.json" x1
expect "exec --process: a hard limit above 2^63-1 is unlimited" 0 \
    "Max core file size 1048576 unlimited bytes "
run_minirun "${R[@]}" exec --user 1000:1000 --cwd /tmp --env FOO=bar x1 sh -c 'id -u; pwd; echo $FOO'
expect "exec --user --cwd --env" 0 "1000
/tmp
bar"

# --- --tty with --console-socket ---------------------------------------------------------
if ! command -v python3 > /dev/null; then
    skip "exec --tty --console-socket" "python3 is not installed"
else
    cat > "$TESTS_TMP/console.py" << 'EOF_PY'
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
_, anc, _, _ = c.recvmsg(64, socket.CMSG_SPACE(4))
fd = array.array("i", anc[0][2][:4])[0]
out = b""
while True:
    try:
        d = os.read(fd, 1024)
    except OSError:  # EIO: the process's side is closed
        break
    if not d:
        break
    out += d
sys.stdout.write(out.decode().replace("\r", ""))
EOF_PY
    timeout 20 python3 "$TESTS_TMP/console.py" "$TESTS_TMP/console.sock" > "$TESTS_TMP/console.out" &
    py=$!
    for _ in $(seq 100); do
        [ -S "$TESTS_TMP/console.sock" ] && break
        sleep 0.05
    done
    run_minirun "${R[@]}" exec --tty --detach --console-socket "$TESTS_TMP/console.sock" x1 \
        sh -c 'tty; echo tty-ok'
    expect "exec --tty --detach --console-socket" 0 ""
    wait "$py"
    is "$(cat "$TESTS_TMP/console.out")" "/dev/pts/0
tty-ok" "exec --tty: the terminal arrives over the console socket (SCM_RIGHTS)"
fi
run_minirun "${R[@]}" exec --tty --detach x1 true
expect_error "exec --tty --detach needs --console-socket" 1 "minirun: exec: a terminal with --detach needs --console-socket*"

# --- a stopped container --------------------------------------------------------------------
run_minirun "${R[@]}" kill x1 KILL
for _ in $(seq 100); do
    [ "$("$MINIRUN" "${R[@]}" state x1 | jq -r .status)" = stopped ] && break
    sleep 0.05
done
run_minirun "${R[@]}" exec x1 true
expect_error "exec into a stopped container is refused" 1 "minirun: cannot exec in a stopped container x1"
run_minirun "${R[@]}" delete x1
expect "delete removes the stopped container, its kept config too" 0 ""
is "$(ls -A "$STATE")" "" "nothing is left in the state root"

# --- features ------------------------------------------------------------------------------
run_minirun features
if [ "$RC" = 0 ] && echo "$OUT" | jq -e '.ociVersionMin and .ociVersionMax
        and .hooks == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
        and (.mountOptions | index("ro") != null)
        and (.linux.namespaces | index("pid") != null)
        and (.linux.capabilities | index("CAP_SYS_ADMIN") != null)
        and .linux.cgroup.v2 and .linux.seccomp.enabled
        and (.linux.seccomp.actions | index("SCMP_ACT_ERRNO") != null)
        and (.linux.seccomp.operators | index("SCMP_CMP_MASKED_EQ") != null)
        and (.linux.seccomp.archs | index("SCMP_ARCH_X86_64") != null)
        and (.linux.seccomp.knownFlags | length > 0) and (.linux.seccomp.supportedFlags | length > 0)
        and (.linux.apparmor | has("enabled")) and (.linux.selinux.enabled == false)
        and .annotations["io.github.seccomp.libseccomp.version"]' > /dev/null; then
    ok "features: the runtime-spec's features JSON"
else
    not_ok "features" "$(_result_diag)"
fi
if command -v runc > /dev/null; then
    # Every key runc's has (newer runc add knownFlags and supportedFlags, as minirun does).
    keys='[paths | map(select(type == "string")) | join(".")] | unique'
    is "$(jq -n --argjson m "$("$MINIRUN" features | jq -c "$keys")" \
        --argjson r "$(runc features | jq -c "$keys")" \
        '$r - $m | map(select(startswith("annotations.") | not))' | jq -c .)" "[]" \
        "features: every key of runc's"
else
    skip "features: the same keys as runc's" "runc is not installed"
fi

# --- CVE-2019-5736: no process left in the container has minirun's binary as its exe -----------
# What the container could do with one: hold /proc/PID/exe open (O_PATH) and, once no minirun
# runs (the kernel's ETXTBSY guards a binary only while it is executed), reopen it for writing.
# A copy of the binary takes the part of the host's, so the test never writes the build's.
cp "$MINIRUN" "$TESTS_TMP/mr-copy"
sum_before=$(sha256sum < "$TESTS_TMP/mr-copy")
"$TESTS_TMP/mr-copy" "${R[@]}" create --bundle "$BUNDLE" seal1 < /dev/null > /dev/null 2>&1
seal_init=$(jq -r .pid "$STATE/seal1/state.json" 2> /dev/null)
is "$(readlink "/proc/$seal_init/exe" 2> /dev/null)" "/memfd:minirun (deleted)" \
    "create: the init waiting for start runs from a sealed memfd copy of minirun"
cat > "$TESTS_TMP/hold-exe.py" <<'EOF'
import os, subprocess, sys
pid, copy, root = sys.argv[1], sys.argv[2], sys.argv[3:]
held = os.open(f"/proc/{pid}/exe", os.O_PATH)
subprocess.run([copy] + root + ["start", "seal1"], check=True, stdin=subprocess.DEVNULL)
try:
    fd = os.open(f"/proc/self/fd/{held}", os.O_WRONLY | os.O_APPEND)
    os.write(fd, b"#")
    print("written")
except OSError as e:
    print(e.strerror)
EOF
run_cmd python3 "$TESTS_TMP/hold-exe.py" "$seal_init" "$TESTS_TMP/mr-copy" "${R[@]}"
expect "create, start: the init's exe, held across start, cannot be written" 0 \
    "Operation not permitted"
is "$(sha256sum < "$TESTS_TMP/mr-copy")" "$sum_before" "create, start: minirun's binary unchanged"
"$TESTS_TMP/mr-copy" "${R[@]}" delete --force seal1 > /dev/null 2>&1
# The sealed copy still knows the file it was made from: that one, bound into the container,
# is refused as the command (it would be the host's binary again).  It is bound over /probe,
# which the rootfs has: a new destination would be made as a file in the shared test rootfs.
mkdir -p "$TESTS_TMP/bundle-seal"
# (jq would round the core rlimit: it goes.)
jq --arg src "$TESTS_TMP/mr-copy" 'del(.process.rlimits) | .mounts += [{"destination": "/probe", "type": "bind",
    "source": $src, "options": ["bind", "ro"]}]' "$BUNDLE/config.json" \
    > "$TESTS_TMP/bundle-seal/config.json"
"$TESTS_TMP/mr-copy" "${R[@]}" run -d --bundle "$TESTS_TMP/bundle-seal" seal3 < /dev/null > /dev/null 2>&1
refused="minirun: exec /probe: refusing to execute minirun's own binary inside the container (CVE-2019-5736)"
run_cmd "$TESTS_TMP/mr-copy" "${R[@]}" exec seal3 /probe --version
expect "exec: minirun's binary (the file the sealed copy came from) is refused as the command" \
    126 "" "$refused"
# The identity travels in _MINIRUN_SEALED_FROM; one the caller sets is replaced, not believed,
# and none reaches the command.
run_cmd env _MINIRUN_SEALED_FROM=1:1 "$TESTS_TMP/mr-copy" "${R[@]}" exec seal3 /probe --version
expect "exec: a caller's _MINIRUN_SEALED_FROM does not stop the refusal" 126 "" "$refused"
run_cmd env _MINIRUN_SEALED_FROM=1:1 "$TESTS_TMP/mr-copy" "${R[@]}" exec seal3 sh -c \
    'env | grep -c SEALED; tr "\0" "\n" < /proc/self/environ | grep -c SEALED'
expect "exec: _MINIRUN_SEALED_FROM reaches neither the command's environ nor /proc/self/environ" \
    1 "0
0"
"$TESTS_TMP/mr-copy" "${R[@]}" delete --force seal3 > /dev/null 2>&1
is "$(ls -d "$ROOTFS/mr" 2> /dev/null)" "" "the bind mount made no file in the shared test rootfs"
# vm.memfd_noexec=2 (per PID namespace, so set in a new one) forbids the copy: create and exec
# fail as any runtime command does (1, one line naming the setting) and leave nothing behind.
t="vm.memfd_noexec=2: create fails (1, one line) and leaves no state"
if unshare -fp --mount-proc true 2> /dev/null && [ -e /proc/sys/vm/memfd_noexec ]; then
    # shellcheck disable=SC2016 # expanded by the inner bash
    noexec=$(unshare -fp --mount-proc bash -c 'bundle=$1 tmp=$2; shift 2
        echo 2 > /proc/sys/vm/memfd_noexec || exit 9
        "$@" create --bundle "$bundle" seal4 < /dev/null > /dev/null 2> "$tmp/noexec.err"
        echo "$?:$(cat "$tmp/noexec.err")"
        "$@" exec seal-none true 2> "$tmp/noexec.err"
        echo "$?:$(cat "$tmp/noexec.err")"' - "$BUNDLE" "$TESTS_TMP" "$TESTS_TMP/mr-copy" "${R[@]}")
    msg="minirun: memfd_create for a sealed copy of minirun (CVE-2019-5736); vm.memfd_noexec=2 forbids executable memfds: Permission denied"
    is "$noexec" "1:$msg
1:$msg" "vm.memfd_noexec=2: create and exec fail with 1 and one line naming the setting"
    is "$(ls -d "$STATE/seal4" 2> /dev/null)" "" "$t"
else
    skip "vm.memfd_noexec=2: create and exec fail with 1 and one line naming the setting" \
        "cannot make a PID namespace or no vm.memfd_noexec (Linux 6.3)"
    skip "$t" "cannot make a PID namespace or no vm.memfd_noexec (Linux 6.3)"
fi
t="exec: the process joining the container runs from the sealed copy up to its execve"
if command -v strace > /dev/null; then
    # strace holds each execve for 2 s: the joined process is looked at while it waits in its
    # own (after the exec-target check, where a container would swap the command's path).
    "$TESTS_TMP/mr-copy" "${R[@]}" run -d --bundle "$BUNDLE" seal2 < /dev/null > /dev/null 2>&1
    seal_init=$(jq -r .pid "$STATE/seal2/state.json" 2> /dev/null)
    ns=$(readlink "/proc/$seal_init/ns/pid")
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 timeout 20 strace -f -qq \
        -o /dev/null -e trace=execve -e inject=execve:delay_enter=2000000 \
        "$TESTS_TMP/mr-copy" "${R[@]}" exec seal2 true < /dev/null > /dev/null 2>&1 &
    strace_pid=$!
    seen=""
    for _ in $(seq 1 100); do
        # timeout -> strace -> minirun exec -> the process joining the container
        for p in $(descendants "$strace_pid"); do
            [ "$(readlink "/proc/$p/ns/pid" 2> /dev/null)" = "$ns" ] &&
                seen=$(readlink "/proc/$p/exe" 2> /dev/null) && break 2
        done
        sleep 0.05
    done
    wait "$strace_pid"
    is "$seen" "/memfd:minirun (deleted)" "$t"
    "$TESTS_TMP/mr-copy" "${R[@]}" delete --force seal2 > /dev/null 2>&1
elif [ "${CI:-}" = true ]; then
    not_ok "$t" "strace is not installed"
else
    skip "$t" "strace is not installed"
fi

# A foreground run needs the copy too: a config may join another container's PID namespace (a
# pod), whose processes outlive this minirun and, with CAP_SYS_PTRACE, open /proc/PID/exe of
# the new init before its execve.  Here the createRuntime hook (run while that init waits)
# takes that part: it holds the exe with O_PATH and tries to write it once minirun is gone.
"$TESTS_TMP/mr-copy" "${R[@]}" run -d --bundle "$BUNDLE" seal5 < /dev/null > /dev/null 2>&1
init5=$(jq -r .pid "$STATE/seal5/state.json" 2> /dev/null)
cat > "$TESTS_TMP/hold-join.py" <<'EOF'
#!/usr/bin/python3
import json, os, sys, time
out = sys.argv[1]
pid = json.load(sys.stdin)["pid"]
with open(f"{out}/join-exe", "w") as f:
    f.write(os.readlink(f"/proc/{pid}/exe"))
held = os.open(f"/proc/{pid}/exe", os.O_PATH)
if os.fork() == 0:
    os.setsid()
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    for _ in range(200):
        if os.path.exists(f"{out}/join-go"):
            break
        time.sleep(0.05)
    try:
        fd = os.open(f"/proc/self/fd/{held}", os.O_WRONLY | os.O_APPEND)
        os.write(fd, b"#")
        res = "written"
    except OSError as e:
        res = e.strerror
    with open(f"{out}/join-result.tmp", "w") as f:
        f.write(res)
    os.rename(f"{out}/join-result.tmp", f"{out}/join-result")
    os._exit(0)
EOF
chmod +x "$TESTS_TMP/hold-join.py"
mkdir -p "$TESTS_TMP/bundle-join"
jq --arg ns "/proc/$init5/ns/pid" --arg hook "$TESTS_TMP/hold-join.py" --arg out "$TESTS_TMP" \
    'del(.process.rlimits) | .process.args = ["true"]
    | .linux.namespaces |= map(if .type == "pid" then .path = $ns else . end)
    | .hooks = {"createRuntime": [{"path": $hook, "args": ["hold-join.py", $out]}]}' \
    "$BUNDLE/config.json" > "$TESTS_TMP/bundle-join/config.json"
sum_before=$(sha256sum < "$TESTS_TMP/mr-copy")
run_cmd "$TESTS_TMP/mr-copy" "${R[@]}" run --bundle "$TESTS_TMP/bundle-join" seal6
expect "run (foreground) in another container's PID namespace" 0 "" ""
is "$(cat "$TESTS_TMP/join-exe" 2> /dev/null)" "/memfd:minirun (deleted)" \
    "run (foreground, joined PID namespace): the init runs from the sealed copy before its execve"
touch "$TESTS_TMP/join-go"
for _ in $(seq 1 100); do
    [ -e "$TESTS_TMP/join-result" ] && break
    sleep 0.1
done
is "$(cat "$TESTS_TMP/join-result" 2> /dev/null)" "Operation not permitted" \
    "run (foreground, joined PID namespace): the init's exe, held after minirun is gone, cannot be written"
is "$(sha256sum < "$TESTS_TMP/mr-copy")" "$sum_before" \
    "run (foreground, joined PID namespace): minirun's binary unchanged"
"$TESTS_TMP/mr-copy" "${R[@]}" delete --force seal5 > /dev/null 2>&1

# --- the same exec under runc ------------------------------------------------------------------
if ! command -v runc > /dev/null; then
    skip "runc exec gives the same exit statuses" "runc is not installed"
else
    timeout 20 runc --root "$TESTS_TMP/runc" run -d --bundle "$BUNDLE" rx < /dev/null > /dev/null 2>&1
    "$MINIRUN" "${R[@]}" run -d --bundle "$BUNDLE" mx < /dev/null > /dev/null 2>&1
    got=""
    for args in "true" "sh -c 'exit 3'" "sh -c 'kill -9 \$\$'" "sh -c 'mkdir /tmp/d'"; do
        eval "timeout 20 runc --root \"$TESTS_TMP/runc\" exec rx $args" < /dev/null > /dev/null 2>&1
        a=$?
        eval "timeout 20 \"$MINIRUN\" ${R[*]} exec mx $args" < /dev/null > /dev/null 2>&1
        got+="$a/$? "
    done
    timeout 20 runc --root "$TESTS_TMP/runc" delete --force rx > /dev/null 2>&1
    "$MINIRUN" "${R[@]}" delete --force mx
    is "$got" "0/0 3/3 137/137 1/1 " "runc and minirun exec: the same exit statuses (runc/minirun)"
fi

done_testing
