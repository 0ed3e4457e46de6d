#!/bin/bash
# SCMP_ACT_NOTIFY and listenerPath (runtime-spec config-linux.md): the
# container process state and the seccomp listener reach the agent at
# listenerPath, and the workload sees exactly the agent's answers.  The
# agent is tests/helpers/seccomp-agent.py.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
command -v jq > /dev/null || missing_tool "jq is not installed (apt-get install jq)"
command -v python3 > /dev/null || missing_tool "python3 is not installed (the test's agent)"

AGENT=$MINIRUN_SRCDIR/tests/helpers/seccomp-agent.py
SOCK=$TESTS_TMP/agent.sock
STATEF=$TESTS_TMP/agent-state
STATE=$TESTS_TMP/state
BUNDLE=$TESTS_TMP/bundle
R=(--root "$STATE")
NR_MKDIR=$(python3 -c 'import os; print(83 if os.uname().machine == "x86_64" else -1)')
[ "$NR_MKDIR" = 83 ] || skip_all "the agent's syscall numbers are x86_64's"
NR_SYMLINK=88
mkdir -p "$BUNDLE"
at_exit 'for d in "$STATE"/*/; do [ -d "$d" ] && "$MINIRUN" "${R[@]}" delete --force "$(basename "$d")"; done'
at_exit '[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2> /dev/null'

# start_agent: mkdir fails with EOPNOTSUPP (95), symlink runs (CONTINUE).
start_agent() {
    rm -f "$SOCK" "$STATEF" "$STATEF.log" "$STATEF.ready"
    python3 "$AGENT" "$SOCK" "$STATEF" "$NR_MKDIR=95" &
    AGENT_PID=$!
    for _ in $(seq 100); do [ -e "$STATEF.ready" ] && return; sleep 0.05; done
    diag "the agent did not start"
}
stop_agent() {
    # It exits by itself once the container is gone (no process on the filter).
    for _ in $(seq 100); do kill -0 "$AGENT_PID" 2> /dev/null || break; sleep 0.05; done
    kill "$AGENT_PID" 2> /dev/null
    wait "$AGENT_PID" 2> /dev/null
    AGENT_PID=
}

PROFILE=$TESTS_TMP/notify.json
jq -n --arg sock "$SOCK" '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $sock,
    listenerMetadata: "test-meta", syscalls: [
    {names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"},
    {names: ["symlink", "symlinkat"], action: "SCMP_ACT_NOTIFY"}]}' > "$PROFILE"
WORK='ln -s target /tmp/l && readlink /tmp/l; mkdir /tmp/d; echo "mkdir $?"; [ -d /tmp/d ] || echo absent'

# --- minirun run --seccomp PROFILE ------------------------------------------------------
start_agent
run_minirun --seccomp="$PROFILE" --tmpfs /tmp --name agent-run "$ROOTFS" sh -c "$WORK"
expect "run: the agent's answers are what the workload sees (CONTINUE, EOPNOTSUPP)" 0 \
    "target
mkdir 1
absent" "mkdir: can't create directory '/tmp/d': Operation not supported"
stop_agent
is "$(cat "$STATEF.log" 2> /dev/null)" "$NR_SYMLINK continue
$NR_MKDIR 95" "run: the agent answered exactly symlink and mkdir"
if jq -e '.ociVersion == "1.0.2" and .fds == ["seccompFd"] and .nfds == 1
        and .metadata == "test-meta" and (.pid | type) == "number" and .pid > 0
        and .state.id == "agent-run" and .state.status == "creating"
        and .state.pid == .pid' "$STATEF" > /dev/null 2>&1; then
    ok "run: the container process state, with one fd named seccompFd"
else
    not_ok "run: the container process state" "$(cat "$STATEF" 2> /dev/null)"
fi

# --- the OCI runtime: create/start, run ------------------------------------------------
env -C "$BUNDLE" "$MINIRUN" spec
jq --arg root "$ROOTFS" --arg w "$WORK" --slurpfile sc "$PROFILE" '.root.path = $root
    | .root.readonly = true | .process.terminal = false | .process.args = ["sh", "-c", $w]
    | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs"}]
    | .annotations = {"k": "v"} | .linux.seccomp = $sc[0]' \
    "$BUNDLE/config.json" > "$BUNDLE/config.json.new"
mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
start_agent
(cd "$BUNDLE" && timeout 20 "$MINIRUN" "${R[@]}" create oc1 > "$TESTS_TMP/oc1.out" 2>&1)
is "$?" 0 "create with an SCMP_ACT_NOTIFY profile"
run_minirun "${R[@]}" start oc1
expect "start" 0 ""
stop_agent
"$MINIRUN" "${R[@]}" delete --force oc1
is "$(cat "$TESTS_TMP/oc1.out")" "target
mkdir: can't create directory '/tmp/d': Operation not supported
mkdir 1
absent" "create/start: the workload sees the agent's answers"
if jq -e --arg b "$BUNDLE" '.state.id == "oc1" and .state.bundle == $b
        and .state.annotations == {"k": "v"} and .metadata == "test-meta"' \
    "$STATEF" > /dev/null 2>&1; then
    ok "create/start: the state names the container, its bundle and annotations"
else
    not_ok "create/start: the container process state" "$(cat "$STATEF" 2> /dev/null)"
fi
# prestart and createRuntime: the container process reads minirun's one byte
# after them; the agent's message must not be what that read takes (and cuts).
cp "$BUNDLE/config.json" "$TESTS_TMP/no-hooks.json"
jq '.hooks = {prestart: [{path: "/bin/true"}], createRuntime: [{path: "/bin/true"}]}' \
    "$TESTS_TMP/no-hooks.json" > "$BUNDLE/config.json"
start_agent
run_minirun "${R[@]}" run --bundle "$BUNDLE" oc5
expect "run with prestart and createRuntime hooks: the agent's answers" 0 "target
mkdir 1
absent" "mkdir: can't create directory '/tmp/d': Operation not supported"
stop_agent
cp "$TESTS_TMP/no-hooks.json" "$BUNDLE/config.json"

# --- refusals: nothing is started ------------------------------------------------------
rm -f "$SOCK"
run_minirun "${R[@]}" run --bundle "$BUNDLE" oc2
expect_error "no agent listening: an error before the container exists" 125 \
    "minirun: seccomp listenerPath $SOCK: cannot connect to the seccomp agent: *"
is "$(ls -A "$STATE")" "" "no agent: no state left behind"
# A startContainer hook runs under the container's filter with no agent to
# hand its listener to: refused at create, not at every start.
jq '.hooks.startContainer = [{path: "/bin/true"}]' "$BUNDLE/config.json" > "$TESTS_TMP/hooked.json"
cp "$BUNDLE/config.json" "$TESTS_TMP/plain.json"
cp "$TESTS_TMP/hooked.json" "$BUNDLE/config.json"
run_minirun "${R[@]}" create --bundle "$BUNDLE" oc4
expect_error "SCMP_ACT_NOTIFY with a startContainer hook: refused at create" 1 \
    "minirun: hooks.startContainer: not with a seccomp profile that uses SCMP_ACT_NOTIFY *"
is "$(ls -A "$STATE")" "" "startContainer with SCMP_ACT_NOTIFY: no state left behind"
cp "$TESTS_TMP/plain.json" "$BUNDLE/config.json"
jq 'del(.linux.seccomp.listenerPath, .linux.seccomp.listenerMetadata)' "$BUNDLE/config.json" \
    > "$TESTS_TMP/c2" && mv "$TESTS_TMP/c2" "$BUNDLE/config.json"
run_minirun "${R[@]}" run --bundle "$BUNDLE" oc3
expect_error "SCMP_ACT_NOTIFY without listenerPath (OCI)" 1 \
    "minirun: seccomp profile $BUNDLE/config.json:*: profile: syscalls[[]0]: SCMP_ACT_NOTIFY needs \"listenerPath\", the seccomp agent's unix socket"
jq 'del(.listenerPath, .listenerMetadata)' "$PROFILE" > "$TESTS_TMP/no-path.json"
run_minirun --seccomp="$TESTS_TMP/no-path.json" "$ROOTFS" true
expect_error "SCMP_ACT_NOTIFY without listenerPath (run)" 125 \
    "minirun: seccomp profile $TESTS_TMP/no-path.json:4:5: profile: syscalls[[]0]: SCMP_ACT_NOTIFY needs \"listenerPath\"*"
run_minirun --seccomp="$PROFILE" --seccomp-report "$ROOTFS" true
expect_error "SCMP_ACT_NOTIFY with --seccomp-report" 125 \
    "minirun: seccomp profile $PROFILE: SCMP_ACT_NOTIFY cannot be combined with --seccomp-report, --seccomp-complain or --seccomp-learn: *"
jq '.syscalls += [{names: ["sendmsg"], action: "SCMP_ACT_NOTIFY"}]' "$PROFILE" > "$TESTS_TMP/sendmsg.json"
run_minirun --seccomp="$TESTS_TMP/sendmsg.json" "$ROOTFS" true
expect_error "SCMP_ACT_NOTIFY for sendmsg, which hands the listener over" 125 \
    "minirun: seccomp profile $TESTS_TMP/sendmsg.json: SCMP_ACT_NOTIFY for sendmsg: *"
jq '.defaultAction = "SCMP_ACT_NOTIFY"' "$PROFILE" > "$TESTS_TMP/default.json"
run_minirun --seccomp="$TESTS_TMP/default.json" "$ROOTFS" true
expect_error "SCMP_ACT_NOTIFY as the default action" 125 \
    "minirun: seccomp profile $TESTS_TMP/default.json:2:*: profile: \"defaultAction\": SCMP_ACT_NOTIFY cannot be the default action*"

done_testing
