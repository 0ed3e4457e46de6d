#!/bin/bash
# CLI basics, PID 1, hostname, network, environment, working directory, -i.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

# --- CLI -------------------------------------------------------------------
run_minirun --help
if [ "$RC" = 0 ] && [ -z "$ERR" ] && [[ $OUT == *ROOTFS* ]] && [[ $OUT == *COMMAND* ]]; then
    ok "--help exits 0 and prints a usage naming ROOTFS and COMMAND on stdout"
else
    not_ok "--help exits 0 and prints a usage naming ROOTFS and COMMAND on stdout" "$(_result_diag)"
fi

run_minirun --version
expect "--version prints 'minirun VERSION'" 0 "minirun ${MINIRUN_VERSION:-0.1.0}"

run_minirun --no-such-option "$ROOTFS" true
expect_error "an unknown option exits 125 with one minirun: line" 125 "minirun: *--no-such-option*"

run_minirun
expect_error "no ROOTFS exits 125 with one minirun: line" 125 "minirun: *"

run_minirun "$ROOTFS"
expect_error "no COMMAND exits 125 with one minirun: line" 125 "minirun: *"

run_expect "options end at ROOTFS: sh -c passes -c to the shell" 0 hi -- "$ROOTFS" sh -c 'echo hi'
run_expect "options end at ROOTFS: --version after ROOTFS is the command's" 0 "--version" -- "$ROOTFS" echo --version
run_expect "options end at ROOTFS: -e, -u, --user after ROOTFS are the command's" 0 \
    "$(printf '%s\n' -e FOO=bar -u --user -t)" -- "$ROOTFS" sh -c 'printf "%s\n" "$@"' sh -e FOO=bar -u --user -t
run_expect "--rm and --name NAME are accepted" 0 "" -- --rm --name alpine-test "$ROOTFS" true
run_expect "--name=NAME is accepted" 0 "" -- --name=x "$ROOTFS" true

run_minirun --name boxname /nonexistent true
expect_error "--name is shown in minirun's messages" 125 "minirun: *boxname*rootfs /nonexistent: No such file or directory"

# --- PID namespace -----------------------------------------------------------
run_expect "COMMAND is PID 1" 0 1 -- "$ROOTFS" sh -c 'echo $$'
run_expect "only the container's processes are in /proc" 0 /proc/1 -- "$ROOTFS" sh -c 'echo /proc/[0-9]*'
run_expect "the parent of PID 1 is 0" 0 0 -- "$ROOTFS" sh -c 'cut -d" " -f4 /proc/1/stat'

# --- UTS namespace -----------------------------------------------------------
host_hostname=$(hostname)
run_expect "--hostname lab sets the hostname" 0 lab -- --hostname lab "$ROOTFS" hostname
run_expect "--hostname=lab sets the hostname" 0 lab -- --hostname=lab "$ROOTFS" hostname
run_expect "-h lab sets the hostname" 0 lab -- -h lab "$ROOTFS" hostname
run_expect "the kernel's nodename is the hostname" 0 lab -- -h lab "$ROOTFS" cat /proc/sys/kernel/hostname
run_minirun "$ROOTFS" sh -c 'echo "$(hostname) $HOSTNAME"'
if [ "$RC" = 0 ] && [ -z "$ERR" ] && [[ $OUT =~ ^([0-9a-f]{12})\ ([0-9a-f]{12})$ ]] &&
    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]; then
    ok "the default hostname is a 12-hex-digit id, also in \$HOSTNAME"
else
    not_ok "the default hostname is a 12-hex-digit id, also in \$HOSTNAME" "$(_result_diag)"
fi
is "$(hostname)" "$host_hostname" "the host's hostname is unchanged"

# --- network -----------------------------------------------------------------
ifaces='sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d " " | sort'
run_expect "--network none (default): only lo in /proc/net/dev" 0 lo -- "$ROOTFS" sh -c "$ifaces"
run_expect "--network none: only lo in /sys/class/net" 0 lo -- "$ROOTFS" ls /sys/class/net
run_expect "lo is up (operstate)" 0 unknown -- "$ROOTFS" cat /sys/class/net/lo/operstate
run_expect "lo is up (flags IFF_UP|IFF_LOOPBACK)" 0 0x9 -- "$ROOTFS" cat /sys/class/net/lo/flags
run_expect "--network=none is the default" 0 lo -- --network=none "$ROOTFS" sh -c "$ifaces"
# minirun makes the namespace in a thread of its own (namespaces.c): the
# container is in it, each container has its own, and minirun's main thread,
# whose children are the hooks', stays in the host's.
host_netns=$(readlink /proc/self/ns/net)
host_port_start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
run_minirun "$ROOTFS" readlink /proc/self/ns/net
if [ "$RC" = 0 ] && [[ $OUT == net:\[* ]] && [ "$OUT" != "$host_netns" ]; then
    ok "a network namespace of its own, not the host's"
else
    not_ok "a network namespace of its own, not the host's" "host $host_netns; $(_result_diag)"
fi
# Compared with a container that still runs: the kernel reuses a freed
# namespace's inode number, so a second container can show the number of
# the first one's, gone by then (seen once in a loaded test run).
"$MINIRUN" "$ROOTFS" sleep 60 < /dev/null > /dev/null 2>&1 &
live=$!
live_netns=none
if live_init=$(container_init "$live"); then
    live_netns=$(readlink "/proc/$live_init/ns/net")
fi
run_minirun "$ROOTFS" readlink /proc/self/ns/net
if [ "$RC" = 0 ] && [[ $OUT == net:\[* ]] && [[ $live_netns == net:\[* ]] &&
    [ "$OUT" != "$live_netns" ] && [ "$OUT" != "$host_netns" ]; then
    ok "each container a new network namespace"
else
    not_ok "each container a new network namespace" "running container's $live_netns; $(_result_diag)"
fi
[ -n "$live_init" ] && kill -KILL "$live_init" 2> /dev/null
wait_exit "$live" 10
run_expect "the default sysctls are the container's namespace's" 0 "0" -- "$ROOTFS" \
    cat /proc/sys/net/ipv4/ip_unprivileged_port_start
# A value the host does not have: written by minirun's network thread
# through the host's /proc/sys, it must land in the container's namespace.
port_value=$((host_port_start == 77 ? 78 : 77))
run_expect "--sysctl net.*: the container's namespace's value" 0 "$port_value" -- \
    --sysctl "net.ipv4.ip_unprivileged_port_start=$port_value" "$ROOTFS" \
    cat /proc/sys/net/ipv4/ip_unprivileged_port_start
# minirun's own /proc/sys read-only (as in a container): the thread cannot
# write them there, the container process writes them through its procfs.
# shellcheck disable=SC2016 # expanded by the inner shell
run_cmd unshare -m sh -c 'mount --make-rprivate / && mount --bind /proc/sys /proc/sys &&
    mount -o remount,bind,ro /proc/sys && exec "$@"' _ "$MINIRUN" \
    --sysctl "net.ipv4.ip_unprivileged_port_start=$port_value" "$ROOTFS" \
    cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/ping_group_range
expect "minirun's /proc/sys read-only: the net.* sysctls still set in the container" 0 \
    "$(printf '%s\n0\t2147483647' "$port_value")"
is "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" "$host_port_start" \
    "the host's ip_unprivileged_port_start is untouched"
# The check above cannot see Docker's defaults written to the host's
# namespace where the host already has them (0 and "0 2147483647": this
# machine's own values).  minirun in a network namespace made for this
# check, whose values are a new namespace's (1024 and "1 0"): after a start
# whose network thread writes them, one with --sysctl net.*, and one where
# the container process writes them (minirun's /proc/sys read-only), that
# namespace still has its own.
# shellcheck disable=SC2016 # expanded by the inner shell
run_cmd unshare -n -m sh -c 'mount --make-rprivate / && m=$1 && r=$2 &&
    "$m" "$r" true && "$m" --sysctl net.ipv4.ip_unprivileged_port_start=77 "$r" true &&
    mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys &&
    "$m" "$r" true &&
    cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/ping_group_range' \
    _ "$MINIRUN" "$ROOTFS"
expect "minirun's own network namespace keeps a new namespace's values (1024, 1 0)" 0 \
    "$(printf '1024\n1\t0')"
# Starts two at a time.  The container process is cloned while minirun's
# network thread still runs: a glibc set*id wrapper in it waits for that
# thread forever (user.h), a lock the thread held would never be released.
starts_ok=0
starts_failed=""
for _ in $(seq 1 60); do
    timeout 20 "$MINIRUN" "$ROOTFS" true &
    timeout 20 "$MINIRUN" "$ROOTFS" true
    rc_b=$?
    wait $!
    rc_a=$?
    if [ "$rc_a" = 0 ] && [ "$rc_b" = 0 ]; then
        starts_ok=$((starts_ok + 2))
    else
        starts_failed+=" $rc_a/$rc_b"
    fi
done
is "$starts_ok${starts_failed}" "120" "120 starts, two at a time: all exit 0, none hangs"
# The container process fails before the network namespace is sent (the
# thread held back 100 ms, its first mount(2) made to fail; minirun itself
# calls none): its own error is reported, not the send's EPIPE.
if command -v strace > /dev/null; then
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run_cmd strace -f -qq -o /dev/null \
        -e trace=socket,mount -e inject=socket:delay_enter=100000 \
        -e inject=mount:error=ENOMEM:when=1 "$MINIRUN" "$ROOTFS" true
    expect_error "failed before the network namespace arrived: the container process's error" 125 \
        "minirun: make / private: Cannot allocate memory"
    # minirun builds /dev (as root): its failure is its error, exit 125, the
    # container process waiting for it is killed.
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run_cmd strace -f -qq -o /dev/null \
        -e trace=mknodat -e inject=mknodat:error=EPERM:when=1 "$MINIRUN" "$ROOTFS" true
    expect_error "minirun's /dev build fails: its error" 125 "minirun: mknod /dev/null: Operation not permitted"
    # The container process fails (its first mount(2), held back 100 ms)
    # with the network namespace unread, while minirun builds /dev (held
    # back 300 ms): the send after it is reset (ECONNRESET, not EPIPE), and
    # the report queued before it must still be the error.
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run_cmd strace -f -qq -o /dev/null \
        -e trace=mount,mknodat -e inject=mount:error=ENOMEM:delay_enter=100000:when=1 \
        -e inject=mknodat:delay_enter=300000:when=1 "$MINIRUN" "$ROOTFS" true
    expect_error "failed with a message of minirun's unread: the container process's error" 125 \
        "minirun: make / private: Cannot allocate memory"
else
    for t in "failed before the network namespace arrived" "minirun's /dev build fails" \
        "failed with a message of minirun's unread"; do
        if [ "${CI:-}" = true ]; then not_ok "$t" "strace is not installed"; else skip "$t" "strace is not installed"; fi
    done
fi
host_ifaces=$(sh -c "$ifaces")
run_expect "--network host sees the host's interfaces" 0 "$host_ifaces" -- --network host "$ROOTFS" sh -c "$ifaces"
run_minirun --network bridge "$ROOTFS" true
expect_error "--network bridge is refused" 125 "minirun: *bridge*"

# --- namespaces ----------------------------------------------------------------
ns_list='for n in cgroup ipc mnt net pid uts; do echo "$n $(readlink /proc/self/ns/$n)"; done'
host_ns=$(bash -c "$ns_list")
run_minirun "$ROOTFS" sh -c "$ns_list"
if [ "$RC" = 0 ] && [ -z "$ERR" ]; then
    same=$(comm -12 <(echo "$host_ns") <(echo "$OUT") | cut -d' ' -f1 | tr '\n' ' ')
    is "$same" "" "new cgroup, ipc, mnt, net, pid and uts namespaces"
else
    not_ok "new cgroup, ipc, mnt, net, pid and uts namespaces" "$(_result_diag)"
fi
run_minirun --network host "$ROOTFS" sh -c "$ns_list"
same=$(comm -12 <(echo "$host_ns") <(echo "$OUT") | cut -d' ' -f1 | tr '\n' ' ')
is "$RC:$same" "0:net " "--network host shares only the network namespace"
run_expect "as root no user namespace is created" 0 "$(readlink /proc/self/ns/user)" -- "$ROOTFS" readlink /proc/self/ns/user
run_expect "the cgroup namespace is rooted at the container's cgroup" 0 "" -- "$ROOTFS" sed -n '/:\/$/!p' /proc/self/cgroup

# --- environment ---------------------------------------------------------------
export LEAKED_FROM_HOST=1
run_expect "the environment is clean: PATH, HOSTNAME, HOME (+ PWD, SHLVL from sh)" 0 \
    "$(printf '%s\n' HOME=/root HOSTNAME=lab "PATH=$DEFAULT_PATH" PWD=/ SHLVL=1)" -- \
    -h lab "$ROOTFS" sh -c 'env | sort'
run_expect "-e adds to the clean environment, values may hold spaces and '='" 0 \
    "$(printf '%s\n' FOO=bar HOME=/root HOSTNAME=lab "PATH=$DEFAULT_PATH" PWD=/ SHLVL=1 "X=a b=c")" -- \
    -h lab -e FOO=bar --env "X=a b=c" "$ROOTFS" sh -c 'env | sort'
run_minirun -h lab -e FOO=bar "$ROOTFS" env
is "$RC:$(echo "$OUT" | sort)" "0:$(printf '%s\n' FOO=bar HOME=/root HOSTNAME=lab "PATH=$DEFAULT_PATH")" \
    "env as PID 1 (no shell): exactly FOO, HOME, HOSTNAME, PATH"
run_expect "-e FOO=bar is visible" 0 bar -- -e FOO=bar "$ROOTFS" sh -c 'echo $FOO'
run_expect "--env=FOO=bar is visible" 0 bar -- --env=FOO=bar "$ROOTFS" sh -c 'echo $FOO'
run_expect "a later -e wins" 0 2 -- -e FOO=1 -e FOO=2 "$ROOTFS" sh -c 'echo $FOO'
run_expect "-e PATH=... replaces the default PATH" 0 /bin -- -e PATH=/bin "$ROOTFS" sh -c 'echo $PATH'
unset LEAKED_FROM_HOST

# --- working directory -----------------------------------------------------------
run_expect "the default working directory is /" 0 / -- "$ROOTFS" pwd
run_expect "-w /tmp" 0 /tmp -- -w /tmp "$ROOTFS" pwd
run_expect "--workdir=/home/alice" 0 /home/alice -- --workdir=/home/alice "$ROOTFS" pwd
run_expect "the kernel's cwd is the workdir" 0 /tmp -- -w /tmp "$ROOTFS" readlink /proc/self/cwd
run_minirun -w relative "$ROOTFS" pwd
expect_error "-w with a relative path is refused" 125 "minirun: *relative*"
run_expect "-w DIR the image lacks: created, as docker run -w does" 0 /new/dir -- \
    -w /new/dir "$ROOTFS" pwd
is "$(ls -d "$ROOTFS/new" 2>&1)" "ls: cannot access '$ROOTFS/new': No such file or directory" \
    "-w: created in the copy-on-write layer, not in ROOTFS"
# What docker makes (moby's SetupWorkingDirectory, at create, read-only root or
# not): the path cleaned (filepath.Clean), every missing directory owned by
# the container's root, 0755, whatever the user; the command starts there.
# (podman 4.3.1 refuses a -w the image lacks, and makes an image's missing
# WorkingDir with its last directory owned by the user: README.)
wd_script='pwd; stat -c "%n %u:%g %a" /w /w/a /w/a/b'
# --read-only runs on ROOTFS itself, no overlay (the workdir is made there):
# a copy of its own.
wdroot=$TESTS_TMP/wdroot
cp -a "$ROOTFS" "$wdroot"
run_expect "-u 1000 -w DIR: made as docker makes it (root's, 0755, every level)" 0 "/w/a/b
/w 0:0 755
/w/a 0:0 755
/w/a/b 0:0 755" -- -u 1000 -w /w/a/b "$ROOTFS" sh -c "$wd_script"
run_expect "--read-only -u 1000 -w DIR: the same" 0 "/w/a/b
/w 0:0 755
/w/a 0:0 755
/w/a/b 0:0 755" -- --read-only -u 1000 -w /w/a/b "$wdroot" sh -c "$wd_script"
run_expect "-w with ..: cleaned as docker cleans it (one path made and entered)" 0 /w/y -- \
    -w /w/x/../y "$ROOTFS" sh -c 'pwd; [ ! -e /w/x ] || echo x'
run_expect "--read-only -w with ..: the same (the path made is the path entered)" 0 /w/y -- \
    --read-only -w /w/x/../y "$wdroot" sh -c 'pwd; [ ! -e /w/x ] || echo x'
is "$(ls -d "$ROOTFS/w" 2>&1)" "ls: cannot access '$ROOTFS/w': No such file or directory" \
    "-w: nothing made in ROOTFS (the copy-on-write layer)"
# With --read-only there is no layer: created in ROOTFS before the read-only
# remount, as docker's runtimes do (and as they create the mount points).
cp -a "$ROOTFS" "$TESTS_TMP/ro-root"
run_expect "--read-only -w DIR the image lacks: created before the root goes read-only" 0 \
    "/new/dir ro" -- --read-only -w /new/dir "$TESTS_TMP/ro-root" \
    sh -c 'touch x 2> /dev/null && echo rw || echo "$PWD ro"'
is "$(stat -c '%U %a' "$TESTS_TMP/ro-root/new/dir")" "root 755" "--read-only -w: root's, 0755"

# --- stdin ---------------------------------------------------------------------
echo hi > "$TESTS_TMP/hi"
STDIN_FILE="$TESTS_TMP/hi" run_minirun -i "$ROOTFS" cat
expect "-i: stdin reaches the container" 0 hi
STDIN_FILE="$TESTS_TMP/hi" run_minirun "$ROOTFS" cat
expect "without -i the container's stdin is at EOF" 0 ""
out=$(echo hi | timeout 20 "$MINIRUN" -i "$ROOTFS" cat 2>&1)
is "$out" hi "echo hi | minirun -i ROOTFS cat prints hi"
out=$(echo hi | timeout 20 "$MINIRUN" "$ROOTFS" cat 2>&1)
is "$out" "" "echo hi | minirun ROOTFS cat prints nothing"


# --- MINIRUN_TRACE_PHASES (the benchmark's phase budget) -------------------------
run_cmd env MINIRUN_TRACE_PHASES=1 "$MINIRUN" "$ROOTFS" /probe fds
phases=$(printf '%s\n' "$ERR" | awk '$1 == "phase" { print $2 }' | tr '\n' ' ')
if [ "$RC" = 0 ] && [ "$OUT" = "0 1 2" ] && [[ $phases == "main "*" child:execve exec-seen reaped "*" exit " ]] &&
    [[ $phases == *" child:overlay "*" child:pivot_root "*" child:seccomp-load "* ]] &&
    [[ $ERR == "phases CLOCK_MONOTONIC "[0-9]*$'\n'"phase main 0.0"$'\n'* ]] &&
    [ "$(printf '%s\n' "$ERR" | sed 1d | grep -vc '^phase [a-z0-9:_-]* [0-9.]*$')" = 0 ]; then
    ok "MINIRUN_TRACE_PHASES=1: phase lines on stderr, in launch order, nothing else changes"
else
    not_ok "MINIRUN_TRACE_PHASES=1: phase lines on stderr" "phases: $phases
$(_result_diag)"
fi
run_cmd env MINIRUN_TRACE_PHASES=9 "$MINIRUN" "$ROOTFS" /probe fds 9> "$TESTS_TMP/phases"
if [ "$RC" = 0 ] && [ "$OUT" = "0 1 2" ] && [ -z "$ERR" ] &&
    grep -q '^phase child:execve ' "$TESTS_TMP/phases"; then
    ok "MINIRUN_TRACE_PHASES=9: the lines go to fd 9, which the container does not get"
else
    not_ok "MINIRUN_TRACE_PHASES=9" "$(_result_diag)
file: $(cat "$TESTS_TMP/phases")"
fi
run_cmd env MINIRUN_TRACE_PHASES=1 "$MINIRUN" "$ROOTFS" sh -c 'env | grep -c MINIRUN_TRACE || true'
is "$OUT" 0 "MINIRUN_TRACE_PHASES does not reach the container's environment"
run_cmd env MINIRUN_TRACE_PHASES=bogus "$MINIRUN" "$ROOTFS" true
expect "MINIRUN_TRACE_PHASES=bogus: a warning, no tracing, the container runs" 0 "" \
    "minirun: MINIRUN_TRACE_PHASES=bogus: expected 1 (stderr) or a file descriptor >= 3; not tracing"

done_testing
