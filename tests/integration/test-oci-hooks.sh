#!/bin/bash
# OCI hooks (runtime-spec config.md "POSIX-platform Hooks", runtime.md
# "Lifecycle"): when each kind runs, where, with what state, argv and env;
# what a failure or a timeout of each kind does; podman's hooks.d.
# shellcheck disable=SC2016 # $ in single quotes expands later (at_exit, the hook, jq)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

oci_state
REC=$TESTS_TMP/rec # bound at /out in the container: the hooks' records
mkdir -p "$REC"
chmod 0777 "$REC"

# The hook: what it got, in files NAME.* beside itself (host: $REC, container: /out).
# /proc/self in a redirection is the shell's own process (forked, not exec'ed yet).
cat > "$REC/hook.sh" << 'EOF'
#!/bin/sh
d=$(dirname "$0") n=$1
cat > "$d/$n.state"
tr '\0' '\n' < /proc/self/cmdline > "$d/$n.argv"
tr '\0' '\n' < /proc/self/environ > "$d/$n.env"
readlink /proc/self/ns/mnt > "$d/$n.mnt"
grep -E '^(Uid|CapEff|Seccomp|NoNewPrivs):' /proc/self/status > "$d/$n.confinement"
pid=$(sed -n 's/^ *"pid": \([0-9]*\).*/\1/p' "$d/$n.state")
[ "$n" = createRuntime ] && cat "/proc/$pid/cgroup" > "$d/$n.cgroup"
[ "$n" = poststart ] && cat "/proc/$pid/comm" > "$d/$n.comm"
[ "$n" = poststop ] && { [ -e "${STATE_DIR:-/nonexistent}" ] && echo present || echo gone; } > "$d/$n.statedir"
echo "$n" >> "$d/order"
exit "${HOOK_EXIT:-0}"
EOF
chmod 0755 "$REC/hook.sh"

# host_hook NAME [ENV-JSON]: argv[0] of our choosing, the script as sh's operand.
host_hook() {
    jq -n --arg s "$REC/hook.sh" --arg n "$1" --argjson env "${2:-null}" \
        '{path: "/bin/sh", args: ["hook-" + $n, $s, $n]} + (if $env then {env: $env} else {} end)'
}
# Resolved in the container's root: /out exists only there.
START_HOOK='{"path": "/out/hook.sh", "args": ["x", "startContainer"], "env": ["PATH=/bin"]}'

# config HOOKS-JSON ARGS-JSON: the bundle's config.json, user 1000 (the
# startContainer hook must get the workload's identity), /out bound.
mv_spec_once() {
    [ -e "$BUNDLE/config.json.orig" ] && return
    "$MINIRUN" spec --bundle "$BUNDLE"
    mv "$BUNDLE/config.json" "$BUNDLE/config.json.orig"
}
config() {
    mv_spec_once
    jq --arg root "$ROOTFS" --arg out "$REC" --argjson hooks "$1" --argjson args "$2" \
        '.root.path = $root | .root.readonly = true | .process.terminal = false
        | .process.args = $args | .process.user = {uid: 1000, gid: 1000}
        | .mounts += [{destination: "/out", type: "bind", source: $out, options: ["rbind", "rw"]}]
        | .hooks = $hooks' "$BUNDLE/config.json.orig" > "$BUNDLE/config.json"
}
ALL_HOOKS=$(jq -n --argjson pre "$(host_hook prestart)" \
    --argjson cr "$(host_hook createRuntime '["A=1", "B=two words"]')" \
    --argjson cc "$(host_hook createContainer '[]')" --argjson sc "$START_HOOK" \
    --argjson ps "$(host_hook poststart)" \
    --argjson pst "$(host_hook poststop "[\"STATE_DIR=$STATE/h1\"]")" \
    '{prestart: [$pre], createRuntime: [$cr], createContainer: [$cc], startContainer: [$sc],
      poststart: [$ps], poststop: [$pst]}')
WORKLOAD='["sh", "-c", "echo workload >> /out/order; grep -E \"^(Uid|CapEff|Seccomp|NoNewPrivs):\" /proc/self/status > /out/workload.confinement; readlink /proc/self/ns/mnt > /out/workload.mnt; while :; do sleep 1; done"]'
reset_out() {
    rm -f "$REC"/*.* "$REC/order"
    cp "$TESTS_TMP/hook.sh" "$REC/hook.sh"
    # Root's hooks and uid 1000's (startContainer, the workload) append to it.
    install -m 0666 /dev/null "$REC/order"
}
cp "$REC/hook.sh" "$TESTS_TMP/hook.sh"
field() { jq -r "$2" "$REC/$1.state" 2> /dev/null; }

# --- the lifecycle: create, start, delete ---------------------------------------------
config "$ALL_HOOKS" "$WORKLOAD"
reset_out
run_minirun "${R[@]}" create --bundle "$BUNDLE" h1
expect "create with every kind of hook" 0 ""
PID=$("$MINIRUN" "${R[@]}" state h1 | jq -r .pid)
INIT_MNT=$(readlink "/proc/$PID/ns/mnt")
is "$(cat "$REC/order")" $'prestart\ncreateRuntime\ncreateContainer' \
    "create: prestart, createRuntime, createContainer, in this order"
is "$(field prestart .status) $(field createRuntime .status) $(field createContainer .status)" \
    "created creating creating" "create's hooks see status creating (prestart: created, runtime-spec 1.0's)"
is "$(field createRuntime .pid) $(field createContainer .pid)" "$PID 1" \
    "the pid as seen where the hook runs: the host's (createRuntime), the container's (createContainer)"
is "$(field createRuntime '.id + " " + .bundle')" "h1 $BUNDLE" "the state has the id and the bundle"
is "$(cat "$REC/createRuntime.mnt")" "$(readlink /proc/self/ns/mnt)" \
    "createRuntime runs in minirun's mount namespace"
is "$(cat "$REC/createContainer.mnt")" "$INIT_MNT" \
    "createContainer runs in the container's mount namespace"
is "$(cat "$REC/createRuntime.argv")" "hook-createRuntime
$REC/hook.sh
createRuntime" "args exactly as given (argv[0] too)"
is "$(cat "$REC/createRuntime.env")" $'A=1\nB=two words' "env exactly as given"
is "$(cat "$REC/prestart.env")$(cat "$REC/createContainer.env")" "" \
    "no env (absent or empty): an empty environment"
is "$(jq -c '.poststop[0].env' "$STATE/h1/hooks.json" 2> /dev/null)" "[\"STATE_DIR=$STATE/h1\"]" \
    "the hooks are kept in the state directory"

# The bundle's config goes away: start and delete run what create read.
mv "$BUNDLE/config.json" "$BUNDLE/config.json.gone"
run_minirun "${R[@]}" start h1
expect "start (the bundle's config.json removed meanwhile)" 0 ""
is "$(cat "$REC/poststart.comm" 2> /dev/null)" "sh" \
    "poststart ran before start returned, once the command ran (the pid is the workload's sh)"
is "$(grep -v poststart "$REC/order")" $'prestart\ncreateRuntime\ncreateContainer\nstartContainer\nworkload' \
    "startContainer ran before the command"
n=$(grep -n . "$REC/order" | sed -n 's/:poststart$//p')
if [ "${n:-0}" -gt 4 ]; then
    ok "poststart ran after startContainer"
else
    not_ok "poststart ran after startContainer" "$(cat "$REC/order")"
fi
is "$(field startContainer .status):$(field startContainer .pid) $(field poststart .status):$(field poststart .pid)" \
    "created:1 running:$PID" "startContainer sees created (its own pid), poststart running"
is "$(cat "$REC/startContainer.mnt")" "$INIT_MNT" "startContainer runs in the container's mount namespace"
is "$(cat "$REC/startContainer.confinement")" "$(cat "$REC/workload.confinement")" \
    "startContainer has the workload's uid, capabilities, filter, no_new_privs"
is "$(sed -n 's/^Uid:\t\([0-9]*\).*/\1/p' "$REC/startContainer.confinement")" 1000 "(that is uid 1000)"
is "$(cat "$REC/startContainer.env")" "PATH=/bin" "startContainer: its env exactly"
run_minirun "${R[@]}" delete --force h1
expect "delete" 0 ""
is "$(tail -n 1 "$REC/order") $(cat "$REC/poststop.statedir" 2> /dev/null) $(field poststop .status)" \
    "poststop gone stopped" "poststop runs after the container is deleted, status stopped"
mv "$BUNDLE/config.json.gone" "$BUNDLE/config.json"

# --- run: create and start in one ---------------------------------------------------
config "$ALL_HOOKS" '["sh", "-c", "echo workload >> /out/order"]'
reset_out
run_minirun "${R[@]}" run --bundle "$BUNDLE" h2
expect "run with every kind of hook" 0 ""
is "$(grep -v poststart "$REC/order")" \
    $'prestart\ncreateRuntime\ncreateContainer\nstartContainer\nworkload\npoststop' \
    "run: every hook, in the order of the lifecycle"
is "$(field poststart .status) $(field poststop .status) $(ls -A "$STATE")" "running stopped " \
    "run: poststart, poststop; the state is gone"

# --- failures: an error, the container stopped, nothing left ------------------------
# gone NAME: no state directory, no process, no cgroup (from what createRuntime
# saw: the minirun-* directories; the others are the hierarchies' parents).
gone() {
    local left="" pid cg n=0
    [ -z "$(ls -A "$STATE")" ] || left+="state $(ls -A "$STATE"); "
    pid=$(field createRuntime .pid)
    # Exited: a zombie only until its parent (here a PID 1 that never reaps) waits.
    [ -n "$pid" ] && [ -e "/proc/$pid" ] && ! grep -q '^State:.Z' "/proc/$pid/status" &&
        left+="process $pid; "
    while IFS=: read -r _ ctrl cg; do
        [ -n "$ctrl" ] || ctrl=unified
        ctrl=${ctrl#name=}
        [[ $cg == */minirun-* ]] || continue
        n=$((n + 1))
        [ -e "/sys/fs/cgroup/$ctrl$cg" ] && left+="cgroup $ctrl$cg; "
    done < "$REC/createRuntime.cgroup"
    if [ "$n" -gt 0 ] && [ -z "$left" ]; then
        ok "$1: no state, process or cgroup left"
    else
        not_ok "$1: no state, process or cgroup left" "left: $left"
    fi
}
# failing KIND HOOK-JSON: ALL_HOOKS with KIND's replaced.
failing() { jq --argjson h "$2" ".$1 = [\$h]" <<< "$ALL_HOOKS"; }

config "$(failing prestart "$(host_hook prestart '["HOOK_EXIT=3"]')")" "$WORKLOAD"
reset_out
run_minirun "${R[@]}" create --bundle "$BUNDLE" f1
expect_error "prestart fails: create fails" 1 "minirun: hooks.prestart\[0\]: hook /bin/sh failed: exit status 3"
is "$(cat "$REC/order")" $'prestart\npoststop' "prestart fails: nothing after it but poststop"

config "$(failing createRuntime "$(host_hook createRuntime '["HOOK_EXIT=4"]')")" "$WORKLOAD"
reset_out
run_minirun "${R[@]}" create --bundle "$BUNDLE" f2
expect_error "createRuntime fails: create fails" 1 "minirun: hooks.createRuntime\[0\]: hook /bin/sh failed: exit status 4"
gone "createRuntime fails"
is "$(cat "$REC/order")" $'prestart\ncreateRuntime\npoststop' "createRuntime fails: then only poststop"

config "$(failing createContainer "$(host_hook createContainer '["HOOK_EXIT=5"]')")" "$WORKLOAD"
reset_out
run_minirun "${R[@]}" create --bundle "$BUNDLE" f3
expect_error "createContainer fails: create fails" 1 "minirun: hooks.createContainer\[0\]: hook /bin/sh failed: exit status 5"
gone "createContainer fails"

config "$(failing startContainer '{"path": "/out/hook.sh", "args": ["x", "startContainer"], "env": ["HOOK_EXIT=6"]}')" "$WORKLOAD"
reset_out
run_minirun "${R[@]}" create --bundle "$BUNDLE" f4
expect "startContainer fails: create succeeds" 0 ""
run_minirun "${R[@]}" start f4
expect_error "startContainer fails: start fails" 1 "minirun: container f4: hooks.startContainer\[0\]: hook /out/hook.sh failed: exit status 6"
gone "startContainer fails"
is "$(tail -n 2 "$REC/order")" $'startContainer\npoststop' "startContainer fails: no command, poststop"

reset_out
run_minirun "${R[@]}" run --bundle "$BUNDLE" f5
if [ "$RC" != 0 ] && [ "$ERR" = "minirun: hooks.startContainer[0]: hook /out/hook.sh failed: exit status 6" ]; then
    ok "startContainer fails under run: an error"
else
    not_ok "startContainer fails under run: an error" "$(_result_diag)"
fi
gone "startContainer fails under run"

# A hook that never ends: killed at its timeout (1 s), not after its 10.
config "$(failing createRuntime '{"path": "/bin/sleep", "args": ["sleep", "10.0731"], "timeout": 1}')" "$WORKLOAD"
reset_out
t0=$(date +%s%N)
run_minirun "${R[@]}" create --bundle "$BUNDLE" f6
ms=$((($(date +%s%N) - t0) / 1000000))
expect_error "a hook past its timeout fails" 1 "minirun: hooks.createRuntime\[0\]: hook /bin/sleep failed: killed after its timeout of 1 s"
if [ "$ms" -ge 1000 ] && [ "$ms" -lt 3000 ] && ! pgrep -f "sleep 10.0731" > /dev/null; then
    ok "it is killed after 1 s (${ms} ms), and gone"
else
    not_ok "it is killed after 1 s, and gone" "${ms} ms; $(pgrep -af "sleep 10.0731")"
fi
is "$(ls -A "$STATE")" "" "the timeout leaves no state"

# poststart and poststop failing: warnings, and the next hook still runs.
config "$(jq --argjson ps "$(host_hook poststart)" \
    '.poststart = [{path: "/bin/false"}, $ps] | .poststop = [{path: "/bin/false"}] + .poststop' <<< "$ALL_HOOKS")" "$WORKLOAD"
reset_out
run_minirun "${R[@]}" create --bundle "$BUNDLE" w1
# With --log the warning goes there alone (as runc's): under an engine,
# stderr is the container's.  The poststop case below has it on stderr.
run_minirun "${R[@]}" --log "$TESTS_TMP/log" start w1
if [ "$RC" = 0 ] && [ -z "$OUT$ERR" ]; then
    ok "poststart fails: start succeeds, nothing on stderr with --log"
else
    not_ok "poststart fails: start succeeds, nothing on stderr with --log" "$(_result_diag)"
fi
is "$("$MINIRUN" "${R[@]}" state w1 | jq -r .status) $(tail -n 1 "$REC/order")" "running poststart" \
    "the container runs, and the next poststart hook ran"
if grep -q 'level=warning msg="hooks.poststart\[0\]: hook /bin/false failed: exit status 1"' "$TESTS_TMP/log"; then
    ok "the warning is in --log"
else
    not_ok "the warning is in --log" "$(cat "$TESTS_TMP/log")"
fi
run_minirun "${R[@]}" delete --force w1
expect_error "poststop fails: delete succeeds with a warning" 0 \
    "minirun: warning: hooks.poststop\[0\]: hook /bin/false failed: exit status 1"
is "$(tail -n 1 "$REC/order") $(ls -A "$STATE")" "poststop " "the next poststop hook ran, nothing left"

# Checked before any process exists: one line with the JSON path.
config '{"poststart": [{"path": "/bin/true"}, {"path": "/bin/true", "timeout": 0}]}' '["true"]'
reset_out
run_minirun "${R[@]}" create --bundle "$BUNDLE" v1
expect_error "a bad timeout is refused" 1 \
    "minirun: $BUNDLE/config.json: hooks.poststart\[1\].timeout: 0: must be greater than 0 (seconds, at most 2147483)"
config '{"createRuntime": [{"path": "bin/true"}]}' '["true"]'
run_minirun "${R[@]}" create --bundle "$BUNDLE" v2
expect_error "a relative path is refused" 1 \
    "minirun: $BUNDLE/config.json: hooks.createRuntime\[0\].path: expected an absolute path (a string)"
is "$(ls -A "$STATE")" "" "nothing made for a refused config"

# --- podman: hooks.d ----------------------------------------------------------------
podman_hooks() {
    local P=$TESTS_TMP/podman
    mkdir -p "$P/hooks.d"
    printf '[engine]\nevents_logfile_path = "%s/events.log"\n[network]\nnetwork_config_dir = "%s/networks"\n' \
        "$P" "$P" > "$P/containers.conf"
    export CONTAINERS_CONF=$P/containers.conf
    local pm=(podman --root "$P/storage" --runroot "$P/run" --storage-driver vfs
        --cgroup-manager cgroupfs --events-backend file --tmpdir "$P/tmp")
    at_exit "$(printf '%q ' "${pm[@]}") rm -af -t 0 > /dev/null 2>&1; $(printf '%q ' "${pm[@]}") rmi -af > /dev/null 2>&1"
    local d
    for d in /run/containers /var/lib/containers; do
        [ -e "$d" ] || at_exit "rm -rf $d"
    done
    local stage
    for stage in createRuntime poststop; do
        jq -n --arg s "$REC/hook.sh" --arg n "podman-$stage" --arg st "$stage" \
            '{version: "1.0.0", hook: {path: "/bin/sh", args: ["sh", $s, $n]},
              when: {always: true}, stages: [$st]}' > "$P/hooks.d/$stage.json"
    done
    if ! tar -C "$ROOTFS" -c . | "${pm[@]}" import - localhost/minirun-hooks:t > "$TESTS_TMP/import.log" 2>&1; then
        not_ok "podman: import the test rootfs" "$(cat "$TESTS_TMP/import.log")"
        return
    fi
    reset_out
    # Our own cgroup parent, removed at exit: podman's default, libpod_parent, would stay.
    local cgp=minirun-test-oci-hooks-$$
    at_exit "for d in /sys/fs/cgroup/*/$cgp /sys/fs/cgroup/$cgp; do [ -d \"\$d\" ] && find \"\$d\" -depth -type d -exec rmdir {} + 2> /dev/null; done"
    run_cmd "${pm[@]}" --runtime "$MINIRUN" --hooks-dir "$P/hooks.d" run --rm --network none \
        --cgroup-parent "/$cgp" --ulimit nofile=1024:4096 --ulimit nproc=1024:4096 localhost/minirun-hooks:t echo hi
    # poststop comes from conmon's cleanup, which podman run does not wait for.
    for _ in $(seq 50); do
        grep -q poststop "$REC/order" && break
        sleep 0.1
    done
    if [ "$RC" = 0 ] && [ "$OUT" = hi ] &&
        [ "$(cat "$REC/order" 2> /dev/null)" = $'podman-createRuntime\npodman-poststop' ]; then
        ok "podman --hooks-dir: its createRuntime and poststop hooks ran"
    else
        not_ok "podman --hooks-dir: its createRuntime and poststop hooks ran" \
            "$(_result_diag)
order: $(cat "$REC/order" 2> /dev/null)"
    fi
}
# --- a container process killed before its exec ------------------------------------------
# A createRuntime hook that SIGKILLs it (what the OOM killer or a KILL rule on
# a call minirun makes after the filter would do): minirun says so and fails
# (125), where it passed 137 on as if the command had been killed.
printf '#!/bin/sh\nkill -KILL "$(jq -r .pid)"\n' > "$TESTS_TMP/kill-hook.sh"
chmod 755 "$TESTS_TMP/kill-hook.sh"
config "{\"createRuntime\": [{\"path\": \"$TESTS_TMP/kill-hook.sh\"}]}" '["true"]'
run_minirun "${R[@]}" run --bundle "$BUNDLE" hk-kill
expect_error "killed before exec: one line, exit status 125, not the command's 137" 125 \
    "minirun: the container process was killed by SIGKILL before it executed the command*"
is "$(ls -A "$STATE")" "" "killed before exec: no state left"

# --- state and list while a create's hook runs -------------------------------------------
# The create holds the container's lock until its hooks are done: state and
# list (podman ps asks state of each container) used to wait for it.  They
# now answer at once, "creating" as the OCI spec names it; runc takes no
# lock to look either.
cat > "$TESTS_TMP/wait-hook.sh" << EOF
#!/bin/sh
touch "$REC/cr-started"
while [ ! -e "$REC/cr-go" ]; do sleep 0.05; done
EOF
chmod 755 "$TESTS_TMP/wait-hook.sh"
config "{\"createRuntime\": [{\"path\": \"$TESTS_TMP/wait-hook.sh\", \"timeout\": 30}]}" '["true"]'
rm -f "$REC/cr-started" "$REC/cr-go"
"$MINIRUN" "${R[@]}" create --bundle "$BUNDLE" hk-wait > /dev/null 2>&1 &
create_pid=$!
for _ in $(seq 200); do
    [ -e "$REC/cr-started" ] && break
    sleep 0.05
done
state_out=$(timeout 5 "$MINIRUN" "${R[@]}" state hk-wait 2>&1 | jq -r .status 2>&1)
list_out=$(timeout 5 "$MINIRUN" "${R[@]}" list 2>&1 | awk '$1 == "hk-wait" { print $3 }')
touch "$REC/cr-go"
wait "$create_pid"
create_rc=$?
is "$state_out" "creating" "state during a create's hook: creating, without waiting for the hook"
is "$list_out" "creating" "list during a create's hook: creating, without waiting for the hook"
is "$create_rc $(timeout 5 "$MINIRUN" "${R[@]}" state hk-wait | jq -r .status)" "0 created" \
    "the create then ends as before: created"
"$MINIRUN" "${R[@]}" delete --force hk-wait > /dev/null 2>&1
is "$(ls -A "$STATE")" "" "deleted: no state left"

if command -v podman > /dev/null; then
    podman_hooks
else
    skip "podman --hooks-dir" "podman is not installed"
fi

done_testing
