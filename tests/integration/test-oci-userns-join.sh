#!/bin/bash
# OCI config, as root: joining a user namespace by path (linux.namespaces
# user path), Kubernetes' hostUsers: false pod: a "pod" container with a
# user namespace of its own (0 -> 100000, 65536 ids) and its own net, ipc,
# uts; a second container joining the pod's user, net, ipc, uts (and pid)
# namespaces by /proc/PID/ns paths, with its own mount (and pid) namespace.
# Root inside, 100000 outside, the pod's maps; exec into it; bad configs
# refused with one line naming the JSON path; nothing left behind.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
command -v setpriv > /dev/null || missing_tool "setpriv is missing (apt-get install util-linux)"

oci_state
CG=minirun-usernsjoin-test-$$

(cd "$BUNDLE" && "$MINIRUN" spec) || missing_tool "minirun spec failed"
jq --arg root "$ROOTFS" --arg cg "/$CG-pod" '.root.path = $root | .root.readonly = true
    | .process.terminal = false | .hostname = "pod1"
    | .linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.cgroupsPath = $cg' "$BUNDLE/config.json" > "$TESTS_TMP/pod.json"

# config BASE JQ-FILTER ARG...: the bundle's config.json from BASE.json, running ARG...
config() {
    local base=$1 filter=$2 args
    shift 2
    args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
    jq --argjson args "$args" --arg pod "${POD:-}" "$filter | .process.args = \$args" \
        "$TESTS_TMP/$base.json" > "$BUNDLE/config.json"
}
MAP="         0     100000      65536"

# --- the pod ------------------------------------------------------------------------------
config pod . sh -c 'while :; do sleep 0.1; done'
(cd "$BUNDLE" && timeout 20 "$MINIRUN" "${R[@]}" create pod < /dev/null > /dev/null 2>&1)
"$MINIRUN" "${R[@]}" start pod
POD=$("$MINIRUN" "${R[@]}" state pod | jq -r .pid)
ns() { for n in "$@"; do readlink "/proc/$POD/ns/$n"; done; }
is "$(grep '^Uid:' "/proc/$POD/status" | tr '\t' ' ')" "Uid: 100000 100000 100000 100000" \
    "the pod runs as 100000 in a user namespace of its own"

# The joining container: the pod's user, net, ipc, uts by path, no maps, its own cgroup.
jq --arg cg "/$CG" --arg pod "$POD" '.hostname = "" | del(.linux.uidMappings, .linux.gidMappings)
    | .linux.cgroupsPath = $cg
    | .linux.namespaces |= map(if (.type | IN("user", "network", "ipc", "uts")) then
        .path = "/proc/\($pod)/ns/" + (if .type == "network" then "net" else .type end)
        else . end)' "$TESTS_TMP/pod.json" > "$TESTS_TMP/join.json"
NS_LOOP='for n in user net ipc uts mnt pid; do readlink /proc/self/ns/$n; done'

# --- inside: root, the pod's maps and namespaces, its own mount and pid ones ---------------
config join . sh -c "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; hostname; echo \$\$; $NS_LOOP"
run_minirun "${R[@]}" run --bundle "$BUNDLE" j1
expect "inside: uid and gid 0, the pod's maps, its host name, PID 1" 0 "0
0
$MAP
$MAP
pod1
1
$(ns user net ipc uts)
$(printf '%s\n' "$OUT" | tail -2)"
is "$(printf '%s\n' "$OUT" | tail -2 | grep -cxF -f <(ns mnt pid))" 0 \
    "its mount and pid namespaces are not the pod's"

# --- outside: 100000; exec enters the joined user namespace -------------------------------
config join . sh -c 'while :; do sleep 0.1; done'
(cd "$BUNDLE" && timeout 20 "$MINIRUN" "${R[@]}" create j2 < /dev/null > /dev/null 2>&1)
"$MINIRUN" "${R[@]}" start j2
PID=$("$MINIRUN" "${R[@]}" state j2 | jq -r .pid)
is "$(grep -E '^(Uid|Gid):' "/proc/$PID/status" | tr '\t' ' ')" "Uid: 100000 100000 100000 100000
Gid: 100000 100000 100000 100000" "outside: the container process runs as uid and gid 100000"
is "$(readlink "/proc/$PID/ns/user" "/proc/$PID/ns/net")" "$(ns user net)" \
    "outside: in the pod's user and network namespaces"
is "$(grep -c "/$CG\$" "/proc/$PID/cgroup")" "$(grep -c "/$CG-pod\$" "/proc/$POD/cgroup")" \
    "in its own cgroups, in as many hierarchies as the pod"
run_minirun "${R[@]}" exec j2 sh -c 'id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user'
expect "exec enters the joined user namespace: uid 0, the pod's map" 0 "0
$MAP
$(ns user)"
"$MINIRUN" "${R[@]}" delete --force j2
is "$(ls -A "$STATE"; test -e "/sys/fs/cgroup/devices/$CG" && echo cgroup left)" "pod" \
    "delete: no state, no cgroup left"

# --- the pod's pid namespace too (entered after the user namespace) ------------------------
config join '.linux.namespaces |= map(if .type == "pid" then .path = "/proc/\($pod)/ns/pid" else . end)' \
    sh -c 'readlink /proc/self/ns/pid; id -u'
run_minirun "${R[@]}" run --bundle "$BUNDLE" j3
expect "joining the pod's pid namespace as well" 0 "$(ns pid)
0"

# --- a failure in the intermediate process: said by it, nothing left --------------------
# A pid namespace whose init has exited (held by a bind mount, as its user namespace):
# the intermediate's clone3 into it fails; its message is minirun's.
config pod ".linux.cgroupsPath = \"/$CG-gone\"" sleep 100
(cd "$BUNDLE" && timeout 20 "$MINIRUN" "${R[@]}" create gone < /dev/null > /dev/null 2>&1)
GONE=$("$MINIRUN" "${R[@]}" state gone | jq -r .pid)
touch "$TESTS_TMP/userns" "$TESTS_TMP/pidns"
at_exit 'umount "$TESTS_TMP/userns" "$TESTS_TMP/pidns" 2> /dev/null'
mount --bind "/proc/$GONE/ns/user" "$TESTS_TMP/userns"
mount --bind "/proc/$GONE/ns/pid" "$TESTS_TMP/pidns"
"$MINIRUN" "${R[@]}" delete --force gone
config join ".linux.namespaces |= map(del(.path)
    | if .type == \"user\" then .path = \"$TESTS_TMP/userns\"
      elif .type == \"pid\" then .path = \"$TESTS_TMP/pidns\" else . end)" true
run_minirun "${R[@]}" run --bundle "$BUNDLE" bad
umount "$TESTS_TMP/userns" "$TESTS_TMP/pidns"
expect_error "the intermediate's clone3 fails: its error, 125" 125 \
    "minirun: clone3 into the pid namespace $TESTS_TMP/pidns: its init has exited, nothing can join it: Cannot allocate memory"

# --- refusals: exit 1, one line naming the JSON path, before anything exists -------------
refuse() {
    local name=$1 filter=$2 pattern=$3
    pattern=${pattern//[[]/\\[}
    config join "$filter" true
    run_minirun "${R[@]}" run --bundle "$BUNDLE" bad
    expect_error "$name" 1 "minirun: $BUNDLE/config.json: $pattern"
}
ui=$(jq '.linux.namespaces | map(.type) | index("user")' "$TESTS_TMP/join.json")
ni=$(jq '.linux.namespaces | map(.type) | index("network")' "$TESTS_TMP/join.json")
refuse "uidMappings with a user namespace path" \
    '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
    "linux.uidMappings: given with a user namespace path: the joined namespace /proc/$POD/ns/user has its maps already"
refuse "a user path that is not a user namespace" \
    ".linux.namespaces[$ui].path = \"/proc/$POD/ns/net\"" \
    "linux.namespaces[$ui].path: /proc/$POD/ns/net: not a user namespace (it is a network one)"
refuse "minirun's own user namespace" ".linux.namespaces[$ui].path = \"/proc/self/ns/user\"" \
    "linux.namespaces[$ui].path: /proc/self/ns/user: minirun's own user namespace *"
refuse "a network namespace the joined user namespace does not own" \
    ".linux.namespaces[$ni].path = \"/proc/self/ns/net\"" \
    "linux.namespaces: the namespace /proc/self/ns/net is not owned by the joined user namespace /proc/$POD/ns/user *"
config join '.process.user.uid = 70000' true
run_minirun "${R[@]}" run --bundle "$BUNDLE" bad
expect_error "process.user.uid outside the joined namespace's map" 1 \
    "minirun: process.user.uid 70000: not mapped in the user namespace (/proc/$POD/ns/user)"
# A start failure in the container process (after the intermediate handed it over):
# the rootfs copy below $TESTS_TMP (mode 0700, root's) is not searchable by 100000.
cp -a "$ROOTFS" "$TESTS_TMP/rootfs"
config join ".root.path = \"$TESTS_TMP/rootfs\"" true
run_minirun "${R[@]}" run --bundle "$BUNDLE" bad
expect_error "a rootfs the joined namespace's root cannot reach: said so (125)" 125 \
    "minirun: rootfs $TESTS_TMP/rootfs: not accessible to the container's root (uid 100000 outside)*: Permission denied"
is "$(ls -A "$STATE"; test -e "/sys/fs/cgroup/devices/$CG" && echo cgroup left)" "pod" \
    "after the refusals and the failed start: no state, no cgroup left"
# Rootless: refused at parse (the config readable by the user, its own state root).
chmod 0755 "$TESTS_TMP"
mkdir -m 0755 "$TESTS_TMP/rl"
config join '.linux.namespaces |= map(if .type == "user" then . else del(.path) end)' true
cp "$BUNDLE/config.json" "$TESTS_TMP/rl/config.json"
run_cmd setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
    "$MINIRUN" --root "$TESTS_TMP/rl/state" run --bundle "$TESTS_TMP/rl" bad
expect_error "rootless" 1 \
    "minirun: $TESTS_TMP/rl/config.json: linux.namespaces\\[$ui\\].path: joining a user namespace needs root *"

# --- nothing left behind ------------------------------------------------------------------
# The pod's sleeps come and go: a process gone meanwhile has no cgroup file to read.
# A zombie is dead: a deleted container's init left to its adopter (this shell is no
# subreaper, so PID 1 reaps it, in its own time).
# A process of a refused start may still be on its way out (cgroup.kill is asynchronous):
# looked at again for up to 2 s before it counts.
left_over() {
    local p cg
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/user" 2> /dev/null)" = "$(ns user)" ] || continue
        cg=$(cat "$p/cgroup" 2> /dev/null) || continue
        grep -q '^State:.Z' "$p/status" 2> /dev/null && continue
        grep -q "/$CG-pod\$" <<< "$cg" || printf ' %s' "${p#/proc/}"
    done
}
for _ in $(seq 20); do
    left=$(left_over)
    [ -z "$left" ] && break
    sleep 0.1
done
is "$left$(ls -A "$STATE"; test -e "/sys/fs/cgroup/devices/$CG" && echo cgroup left)" "pod" \
    "no process in the pod's user namespace outside its cgroup, no state, no cgroup left"

done_testing
