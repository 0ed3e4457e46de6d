#!/bin/bash
# minirun as the OCI runtime of real engines: podman (through conmon, with
# --runtime) and containerd (through its runc shim v2 and go-runc, with
# ctr --runc-binary).  Each engine is isolated: podman gets its own storage,
# run root, events file and cgroup parent; containerd is a private daemon
# with its own root, state, socket and namespace.  Where it is cheap, the
# same podman command runs with crun too and the two must agree.
#
# Not parallel: the engines, their shims and conmon are heavy, and the
# cgroup parent is made at the hierarchies' roots (as test-cgroups.sh does).
# shellcheck source=tests/integration/lib.sh disable=SC2016
# (SC2016: the $(...) in single quotes are for the container's shell)
source "$(dirname "$0")/lib.sh"
require_env
# LeakSanitizer stops the world at exit with a tracer it clones; after
# `exec` has joined the container's PID namespace (setns CLONE_NEWPID) that
# tracer is born there and cannot see minirun's threads, and the exit hangs.
# Only the leak check is off under ASan; every other check stays.
if [ "${MINIRUN_SANITIZED:-0}" = 1 ]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
require_root

# tool_missing NAME N REASON: NAME's N cases cannot run.  In CI (CI=true),
# where .ci/install-deps installed the engines, that is a failure.
tool_missing() {
    local i
    if [ "${CI:-}" = true ]; then
        not_ok "$1: installed" "$3"
        return
    fi
    for i in $(seq "$2"); do
        skip "$1 ($i/$2)" "$3"
    done
}

# minirun exec arrives with another change: until then the exec cases are
# skipped, and they turn on by themselves once `minirun exec` exists.
if "$MINIRUN" --root "$TESTS_TMP/exec-probe" exec --help > /dev/null 2>&1; then
    HAVE_EXEC=1
else
    HAVE_EXEC=0
fi

# Podman's default rlimits for root (1048576 open files and processes) are
# above this machine's hard limits and root lacks CAP_SYS_RESOURCE here:
# every runtime (runc and crun too) refuses them, so ask for less.
ULIMITS=(--ulimit nofile=1024:4096 --ulimit nproc=1024:4096)
# Relative to each hierarchy's root, like test-cgroups.sh's parents; podman
# puts conmon and libpod-ID in it, minirun its minirun-* directory below.
CGP="minirun-test-engines-$$"

# The image: the test rootfs (busybox and /probe).
IMAGE_TAR="$TESTS_TMP/rootfs.tar"
tar -C "$ROOTFS" -cf "$IMAGE_TAR" .

# =============================================================================
# podman
# =============================================================================
PODMAN_CASES=25
podman_tests() {
    local P=$TESTS_TMP/podman
    mkdir -p "$P"
    # What the command-line flags cannot move: the events log, the network
    # configs (podman's defaults are under /run).  runtime_supports_json as
    # README.md tells users: podman then passes --log to minirun too, and a
    # warning lands there, not in the container's stderr.
    cat > "$P/containers.conf" << EOF
[engine]
events_logfile_path = "$P/events.log"
runtime_supports_json = ["crun", "runc", "minirun"]
[network]
network_config_dir = "$P/networks"
EOF
    export CONTAINERS_CONF=$P/containers.conf
    # Every podman command: nothing of the machine's own podman is touched.
    pm_base=(podman --root "$P/storage" --runroot "$P/run" --storage-driver vfs
        --cgroup-manager cgroupfs --events-backend file --tmpdir "$P/tmp")
    # (Arrays, not functions: run_cmd runs them under timeout.)
    pm=("${pm_base[@]}" --runtime "$MINIRUN")
    RUN=(run --rm --network none --cgroup-parent "/$CGP" "${ULIMITS[@]}")
    at_exit "$(printf '%q ' "${pm_base[@]}") rm -af -t 0 > /dev/null 2>&1"
    at_exit "$(printf '%q ' "${pm_base[@]}") rmi -af > /dev/null 2>&1"
    # Nor these two (netavark's run directory, containers/image's blob-info
    # cache): when they were not there before, they go after the rm and rmi above.
    local d
    for d in /run/containers /var/lib/containers; do
        [ -e "$d" ] || at_exit "rm -rf $d"
    done
    IMG=localhost/minirun-test:engines
    if ! "${pm_base[@]}" import "$IMAGE_TAR" "$IMG" > "$TESTS_TMP/import.log" 2>&1; then
        not_ok "podman: import the test rootfs" "$(cat "$TESTS_TMP/import.log")"
        return
    fi

    # crun, for comparison: it refuses this machine's hybrid cgroups, so it
    # runs where /sys/fs/cgroup/unified is unmounted (a private mount
    # namespace) and without cgroups (testing-env.md).
    have_crun=0
    command -v crun > /dev/null && have_crun=1
    pm_crun=(unshare -m sh -c 'umount /sys/fs/cgroup/unified 2> /dev/null; exec "$@"' sh
        "${pm_base[@]}" --runtime crun run --rm --cgroups disabled --network none "${ULIMITS[@]}")
    # same_as_crun NAME ARG...: crun gives the same status and stdout as the
    # last minirun run (RC, OUT).
    same_as_crun() {
        local name=$1 rc=$RC out=$OUT
        shift
        if [ "$have_crun" = 0 ]; then
            skip "$name" "crun is not installed"
            return
        fi
        run_cmd "${pm_crun[@]}" "$@"
        if [ "$RC" == "$rc" ] && [ "$OUT" == "$out" ]; then
            ok "$name"
        else
            not_ok "$name" "minirun: exit status $rc, stdout $(_show "$out")
crun: $(_result_diag)"
        fi
        RC=$rc OUT=$out
    }

    # --- run: output and exit statuses ---
    run_cmd "${pm[@]}" "${RUN[@]}" "$IMG" sh -c 'echo "hello $(id -u) $(hostname | wc -c)"'
    expect_out "podman run: output, exit status 0" 0 "hello 0 13"
    same_as_crun "podman run: crun says the same" "$IMG" sh -c 'echo "hello $(id -u) $(hostname | wc -c)"'
    run_cmd "${pm[@]}" "${RUN[@]}" "$IMG" sh -c 'echo out; exit 3'
    expect_out "podman run: exit status 3" 3 out
    same_as_crun "podman run: crun's exit status is 3 too" "$IMG" sh -c 'echo out; exit 3'

    # --- run -d, logs -f: the container's own stdout and stderr alone (with
    # --log, minirun's warnings, here "no cgroup namespace listed", go there) ---
    run_cmd "${pm[@]}" run -d --network none --cgroup-parent "/$CGP" "${ULIMITS[@]}" \
        "$IMG" sh -c 'echo out; echo err >&2; exit 4'
    local id=$OUT
    run_cmd "${pm[@]}" logs -f "$id"
    local logs="$RC|$OUT|$ERR"
    run_cmd "${pm[@]}" wait "$id"
    is "$logs|$OUT" "0|out|err|4" "podman logs -f: the container's stdout and stderr alone, status 4"
    run_cmd "${pm[@]}" rm "$id"

    # --- kill: 137, and nothing left ---
    run_cmd "${pm[@]}" run -d --network none --cgroup-parent "/$CGP" "${ULIMITS[@]}" \
        "$IMG" sleep 100
    id=$OUT
    run_cmd "${pm[@]}" kill "$id"
    run_cmd "${pm[@]}" wait "$id"
    expect_out "podman kill: the container's exit status is 137" 0 137
    run_cmd "${pm[@]}" rm "$id"
    if [ "$RC" = 0 ] && [ ! -e "/run/minirun/$id" ] &&
        [ -z "$(find /sys/fs/cgroup/ -maxdepth 3 -path "*/$CGP/libpod-$id" 2> /dev/null)" ]; then
        ok "podman rm: minirun's state and the cgroups are gone"
    else
        not_ok "podman rm: minirun's state and the cgroups are gone" "$(_result_diag)
$(ls -d "/run/minirun/$id" /sys/fs/cgroup/*/"$CGP/libpod-$id" 2>&1)"
    fi

    # --- stop: SIGTERM reaches a handler, its exit status is kept ---
    run_cmd "${pm[@]}" run -d --network none --cgroup-parent "/$CGP" "${ULIMITS[@]}" "$IMG" \
        sh -c 'trap "exit 7" TERM; echo trapped; while :; do sleep 0.1; done'
    id=$OUT
    # Until the trap is set (PID 1 without a handler ignores SIGTERM): a fixed
    # 0.3 s was too short once on a loaded machine.
    for _ in $(seq 100); do
        [ "$("${pm[@]}" logs "$id" 2> /dev/null)" = trapped ] && break
        sleep 0.1
    done
    local t0=$SECONDS
    run_cmd "${pm[@]}" stop -t 20 "$id"
    run_cmd "${pm[@]}" inspect --format '{{.State.ExitCode}} {{.State.Status}}' "$id"
    if [ "$OUT" = "7 exited" ] && [ $((SECONDS - t0)) -lt 15 ]; then
        ok "podman stop: SIGTERM ran the trap, exit status 7"
    else
        not_ok "podman stop: SIGTERM ran the trap, exit status 7" "after $((SECONDS - t0)) s
$(_result_diag)"
    fi
    run_cmd "${pm[@]}" rm "$id"
    run_cmd "${pm[@]}" ps -aq
    expect_out "podman rm: no container left" 0 ""

    # --- exec (minirun exec comes with another change) ---
    if [ "$HAVE_EXEC" = 1 ]; then
        run_cmd "${pm[@]}" run -d --network none --cgroup-parent "/$CGP" "${ULIMITS[@]}" "$IMG" sleep 100
        id=$OUT
        run_cmd "${pm[@]}" exec "$id" sh -c 'echo "in $(cat /proc/1/comm)"; exit 4'
        expect_out "podman exec: runs in the container, exit status 4" 4 "in sleep"
        run_cmd "${pm[@]}" rm -f -t 0 "$id"
    else
        skip "podman exec: runs in the container, exit status 4" "exec not implemented"
    fi

    # --- the security options ---
    cat > "$P/nomkdir.json" << 'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
EOF
    local script='mkdir /tmp/x 2>&1; echo "mkdir=$?"; touch /tmp/y && echo touched'
    run_cmd "${pm[@]}" "${RUN[@]}" --security-opt "seccomp=$P/nomkdir.json" "$IMG" sh -c "$script"
    expect_out "podman --security-opt seccomp=FILE: mkdir fails with EPERM" 0 \
        "mkdir: can't create directory '/tmp/x': Operation not permitted
mkdir=1
touched"
    same_as_crun "podman --security-opt seccomp=FILE: crun says the same" \
        --security-opt "seccomp=$P/nomkdir.json" "$IMG" sh -c "$script"

    run_cmd "${pm[@]}" "${RUN[@]}" --cap-drop ALL --cap-add CHOWN "$IMG" /probe status CapEff CapBnd
    expect_out "podman --cap-drop ALL --cap-add CHOWN" 0 $'0000000000000001\n0000000000000001'
    same_as_crun "podman --cap-drop: crun says the same" --cap-drop ALL --cap-add CHOWN "$IMG" \
        /probe status CapEff CapBnd

    run_cmd "${pm[@]}" "${RUN[@]}" --user 1000:1000 "$IMG" sh -c 'echo "$(id -u) $(id -g) $(id -G)"'
    expect_out "podman --user 1000:1000" 0 "1000 1000 1000"
    same_as_crun "podman --user: crun says the same" --user 1000:1000 "$IMG" \
        sh -c 'echo "$(id -u) $(id -g) $(id -G)"'

    # --- what podman's config asks for beyond plain runc (crun's extensions,
    # host nodes) ---
    # --read-only: tmpfs at /tmp, /run, /var/tmp with crun's "tmpcopyup";
    # --tmpfs: the same, here over the image's /etc.
    script='touch /x 2> /dev/null || echo ro; touch /tmp/t /run/t /var/tmp/t && echo tmp; head -1 /etc/passwd'
    run_cmd "${pm[@]}" "${RUN[@]}" --read-only --tmpfs /etc "$IMG" sh -c "$script"
    expect_out "podman --read-only --tmpfs /etc: tmpcopyup" 0 "ro
tmp
root:x:0:0:root:/root:/bin/sh"
    same_as_crun "podman --read-only --tmpfs: crun says the same" --read-only --tmpfs /etc "$IMG" \
        sh -c "$script"
    # --init: catatonit bound at /run/podman-init, which the image lacks.
    run_cmd "${pm[@]}" "${RUN[@]}" --init "$IMG" sh -c 'cat /proc/1/comm'
    expect_out "podman --init: PID 1 is podman-init" 0 podman-init
    # --device, --privileged: linux.devices with the host node's whole
    # st_mode as fileMode, /dev/ptmx among them, over 64 with --privileged.
    run_cmd "${pm[@]}" "${RUN[@]}" --device /dev/null:/dev/xnull "$IMG" stat -c '%F %a' /dev/xnull
    expect_out "podman --device: the node, mode 666" 0 "character special file 666"
    script='readlink /dev/ptmx; grep CapBnd /proc/self/status'
    run_cmd "${pm[@]}" "${RUN[@]}" --privileged "$IMG" sh -c "$script"
    if [ "$RC" = 0 ] && [[ $OUT == "pts/ptmx"$'\n'"CapBnd:"* ]]; then
        ok "podman --privileged: runs, /dev/ptmx is pts/ptmx"
    else
        not_ok "podman --privileged: runs, /dev/ptmx is pts/ptmx" "$(_result_diag)"
    fi
    same_as_crun "podman --privileged: crun says the same" --privileged "$IMG" sh -c "$script"

    # --- resources, read on the host from the container's own cgroups ---
    run_cmd "${pm[@]}" run -d --network none --cgroup-parent "/$CGP" "${ULIMITS[@]}" \
        --memory 64m --pids-limit 42 "$IMG" sleep 100
    id=$OUT
    run_cmd "${pm[@]}" inspect --format '{{.State.Pid}}' "$id"
    local pid=$OUT mem pids
    if [ -d /sys/fs/cgroup/memory ]; then
        mem=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' "/proc/$pid/cgroup")/memory.limit_in_bytes
        pids=/sys/fs/cgroup/pids$(sed -n 's/^[0-9]*:pids://p' "/proc/$pid/cgroup")/pids.max
    else
        mem=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")/memory.max
        pids=${mem%/*}/pids.max
    fi
    is "$(cat "$mem" 2>&1)" 67108864 "podman --memory 64m: the container's cgroup has the limit"
    is "$(cat "$pids" 2>&1)" 42 "podman --pids-limit 42: the container's cgroup has the limit"
    run_cmd "${pm[@]}" rm -f -t 0 "$id"

    # --- run -it: the console socket, under a real terminal ---
    if ! command -v tmux > /dev/null; then
        tool_missing "podman run -it" 1 "tmux is missing (apt-get install tmux)"
        return
    fi
    local sock="$TESTS_TMP/tmux.sock"
    tmx() { tmux -S "$sock" -f /dev/null "$@"; }
    at_exit "tmux -S '$sock' kill-server 2> /dev/null"
    tmx new-session -d -s t -x 100 -y 30 "PS1='$ ' bash --norc --noprofile -i"
    tmx set-option -t t status off > /dev/null
    wait_pane() {
        local _
        for _ in $(seq 150); do
            tmx capture-pane -p -t t 2> /dev/null | grep -q -- "$1" && return 0
            sleep 0.1
        done
        return 1
    }
    wait_pane '^\$'
    {
        printf '%q ' "${pm_base[@]}" --runtime "$MINIRUN" "${RUN[@]}" -it -e "PS1=box> " "$IMG" sh
        printf '\necho rc=$?\n'
    } > "$P/it.sh"
    tmx send-keys -t t "bash $P/it.sh" Enter
    if wait_pane '^box>' && tmx send-keys -t t 'echo "n=$((6*7)) t=$(tty)"' Enter &&
        wait_pane '^n=42 t=/dev/pts/0$' && tmx send-keys -t t 'exit 5' Enter &&
        wait_pane '^rc=5$'; then
        ok "podman run -it: typed keys reach the shell, output and exit status 5 come back"
    else
        not_ok "podman run -it: typed keys reach the shell, output and exit status 5 come back" \
            "$(tmx capture-pane -p -t t)"
    fi
}

# =============================================================================
# containerd
# =============================================================================
CONTAINERD_CASES=8
containerd_tests() {
    local C=$TESTS_TMP/ctd
    mkdir -p "$C"
    # A private daemon: no CRI (it wants networking), no snapshotters that
    # need a special filesystem; "native" copies layers into directories.
    cat > "$C/config.toml" << EOF
version = 2
root = "$C/root"
state = "$C/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$C/c.sock"
[ttrpc]
  address = "$C/c.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
    containerd --config "$C/config.toml" > "$C/containerd.log" 2>&1 &
    local cpid=$!
    # Stopped before lib.sh removes its root; SIGTERM, then waited for.
    at_exit "kill $cpid 2> /dev/null; wait $cpid 2> /dev/null"
    local _
    for _ in $(seq 100); do
        [ -S "$C/c.sock" ] && break
        sleep 0.1
    done
    # Its own namespace: the shim's runc root is /run/containerd/runc/NS.
    local ns="minirun-test-$$"
    at_exit "rm -rf /run/containerd/runc/$ns"
    # ctr, the shim and minirun make /run/containerd/{fifo,s,runc}: when
    # none of it was there before, the empty directories go too.
    [ -e /run/containerd ] ||
        at_exit "rmdir /run/containerd/fifo /run/containerd/s /run/containerd/runc /run/containerd 2> /dev/null"
    local ctr=(ctr -a "$C/c.sock" -n "$ns")
    if ! "${ctr[@]}" version > /dev/null 2>&1; then
        not_ok "containerd: the private daemon answers" "$(tail -20 "$C/containerd.log")"
        return
    fi
    python3 "$MINIRUN_SRCDIR/tests/helpers/mkimage.py" docker-save "$ROOTFS" "$C/image.tar"
    local img=docker.io/library/minirun-test:latest
    if ! "${ctr[@]}" images import --snapshotter native "$C/image.tar" > "$C/import.log" 2>&1; then
        not_ok "containerd: import the test image" "$(cat "$C/import.log")"
        return
    fi
    # minirun as runc, in a cgroup of this test's parent (the shim's
    # default, /NS/ID, is at the roots).
    local ctr_run=("${ctr[@]}" run --snapshotter native --runc-binary "$MINIRUN")

    # --- run: output and exit statuses (the image's user is alice, 1000) ---
    run_cmd "${ctr_run[@]}" --cgroup "/$CGP/ctr-c1" --rm "$img" c1 sh -c 'echo "hello $(id -u)"'
    expect_out "ctr run: output, exit status 0" 0 "hello 1000"
    # The shim gives create the container's fifos and --log: minirun's
    # warnings (this config's atime option, no cgroup namespace) go to --log.
    is "$ERR" "" "ctr run: no minirun warning in the container's stderr"
    run_cmd "${ctr_run[@]}" --cgroup "/$CGP/ctr-c2" --rm "$img" c2 sh -c 'exit 3'
    expect_out "ctr run: exit status 3" 3 ""

    # --- kill: the waiting ctr run exits 137 ---
    "${ctr_run[@]}" --cgroup "/$CGP/ctr-c3" --rm "$img" c3 sleep 100 > /dev/null 2>&1 &
    local bg=$!
    for _ in $(seq 100); do
        "${ctr[@]}" task ls 2> /dev/null | grep -q '^c3 .*RUNNING' && break
        sleep 0.1
    done
    "${ctr[@]}" task kill -s SIGKILL c3
    wait_exit "$bg" 20
    is "$RC" 137 "ctr task kill -s SIGKILL: exit status 137"

    # --- exec ---
    run_cmd "${ctr_run[@]}" --cgroup "/$CGP/ctr-c4" -d "$img" c4 \
        sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
    if [ "$HAVE_EXEC" = 1 ]; then
        run_cmd "${ctr[@]}" task exec --exec-id e1 c4 sh -c 'echo "in $(cat /proc/1/comm)"; exit 4'
        expect_out "ctr task exec: runs in the container, exit status 4" 4 "in sh"
    else
        skip "ctr task exec: runs in the container, exit status 4" "exec not implemented"
    fi

    # --- kill (SIGTERM to a trap), delete: the status and nothing left ---
    sleep 0.3
    "${ctr[@]}" task kill c4
    for _ in $(seq 100); do
        "${ctr[@]}" task ls 2> /dev/null | grep -q '^c4 .*STOPPED' && break
        sleep 0.1
    done
    # The shim runs `runc ps` on a stopped task too: runc lists what is left
    # in its cgroup (nothing), not an error.
    run_cmd "${ctr[@]}" task ps c4
    expect_out "ctr task ps of a stopped task: no process, no error" 0 "PID    INFO"
    run_cmd "${ctr[@]}" task delete c4
    if [ "$RC" = 0 ] && [[ $ERR == *"exit code 7"* ]]; then
        ok "ctr task kill + delete: SIGTERM ran the trap, exit status 7"
    else
        not_ok "ctr task kill + delete: SIGTERM ran the trap, exit status 7" "$(_result_diag)"
    fi
    run_cmd "${ctr[@]}" containers delete c4
    if [ "$RC" = 0 ] && [ -z "$(ls -A "/run/containerd/runc/$ns" 2> /dev/null)" ] &&
        [ -z "$("${ctr[@]}" containers ls -q)" ] &&
        [ -z "$(find /sys/fs/cgroup/ -maxdepth 3 -path "*/$CGP/ctr-c4" 2> /dev/null)" ]; then
        ok "ctr containers delete: minirun's state, cgroups and the container are gone"
    else
        not_ok "ctr containers delete: minirun's state, cgroups and the container are gone" \
            "$(_result_diag)
$(ls -A "/run/containerd/runc/$ns" /sys/fs/cgroup/*/"$CGP/ctr-c4" 2>&1)"
    fi
}

expect_out() { # NAME RC STDOUT: stderr may carry minirun's warnings
    if [ "$RC" == "$2" ] && [ "$OUT" == "$3" ]; then ok "$1"; else
        not_ok "$1" "expected exit status $2, stdout $(_show "$3")
$(_result_diag)"
    fi
}

if command -v podman > /dev/null && command -v conmon > /dev/null; then
    podman_tests
else
    tool_missing "podman" "$PODMAN_CASES" "podman or conmon is missing (apt-get install podman)"
fi
if command -v containerd > /dev/null && command -v ctr > /dev/null &&
    command -v containerd-shim-runc-v2 > /dev/null; then
    containerd_tests
else
    tool_missing "containerd" "$CONTAINERD_CASES" "containerd is missing (apt-get install containerd)"
fi
# Last of the exit hooks (they run in order): after the engines are gone.
at_exit "for d in /sys/fs/cgroup/*/$CGP /sys/fs/cgroup/unified/$CGP; do [ -d \"\$d\" ] && find \"\$d\" -depth -type d -exec rmdir {} + 2>/dev/null; done"
done_testing
