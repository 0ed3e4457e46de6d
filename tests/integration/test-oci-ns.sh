#!/bin/bash
# OCI config: linux.namespaces[].path (joining a running container's
# namespaces, a Kubernetes pod's way), linux.personality, domainname and
# linux.rootfsPropagation; each refusal one line naming the JSON path.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
command -v unshare > /dev/null || missing_tool "unshare is not installed (util-linux)"

oci_state

(cd "$BUNDLE" && "$MINIRUN" spec) || missing_tool "minirun spec failed"
jq --arg root "$ROOTFS" '.root.path = $root | .root.readonly = true
    | .process.terminal = false | .hostname = "pod1"' "$BUNDLE/config.json" > "$TESTS_TMP/base.json"

# config JQ-FILTER ARG...: the bundle's config.json from base.json, the
# container running ARG... (jq -R: an argument "-c" is not jq's option).
config() {
    local filter=$1 args
    shift
    args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
    jq --argjson args "$args" --arg pod "${POD:-}" "$filter | .process.args = \$args" \
        "$TESTS_TMP/base.json" > "$BUNDLE/config.json"
}
# A filter that joins the pod's namespaces of the given types.
join() {
    local types
    types=$(printf '"%s",' "$@")
    printf '.hostname = "" | .linux.namespaces |= map(if (.type | IN(%s)) then
        .path = "/proc/\\($pod)/ns/" + (if .type == "network" then "net" else .type end)
        else . end)' "${types%,}"
}
NS_LOOP='for n in net ipc uts pid cgroup; do readlink /proc/self/ns/$n; done'

# --- the pod: its own namespaces, a sysctl and a host name to recognise -----------------
config '.linux.sysctl = {"net.ipv4.ip_default_ttl": "42"}' sh -c 'while :; do sleep 0.1; done'
(cd "$BUNDLE" && timeout 20 "$MINIRUN" "${R[@]}" create pod < /dev/null > /dev/null 2>&1)
"$MINIRUN" "${R[@]}" start pod
POD=$("$MINIRUN" "${R[@]}" state pod | jq -r .pid)
pod_ns=$(for n in net ipc uts pid cgroup; do readlink "/proc/$POD/ns/$n"; done)
if [ -n "$POD" ] && [ "$POD" != 0 ] && [ "$(readlink "/proc/$POD/ns/net")" != "$(readlink /proc/self/ns/net)" ]; then
    ok "the pod container runs in a network namespace of its own"
else
    not_ok "the pod container runs in a network namespace of its own" "pid $POD"
fi

# --- joining ------------------------------------------------------------------------------
config "$(join network)" sh -c \
    "$NS_LOOP | head -1; cat /proc/sys/net/ipv4/ip_default_ttl /sys/class/net/lo/operstate; hostname"
run_minirun "${R[@]}" run --bundle "$BUNDLE" c1
host_name=$(printf '%s\n' "$OUT" | tail -1)
is "$(printf '%s\n' "$OUT" | head -3)" "$(readlink "/proc/$POD/ns/net")
42
unknown" "network path: the pod's netns (same inode), its sysctl (ttl 42) and its lo (up)"
if [ "$RC" = 0 ] && [ "$host_name" != pod1 ] && [ ${#host_name} = 12 ]; then
    ok "network path alone: the UTS namespace is still the container's own ($host_name)"
else
    not_ok "network path alone: own UTS namespace" "$(_result_diag)"
fi

config "$(join network ipc uts pid cgroup)" sh -c "$NS_LOOP; hostname; tr '\0' ' ' < /proc/1/cmdline"
run_minirun "${R[@]}" run --bundle "$BUNDLE" c2
expect "network, ipc, uts, pid and cgroup paths: all five the pod's, its host name, its PID 1" \
    0 "$pod_ns
pod1
sh -c while :; do sleep 0.1; done "

# A joined pid namespace outlives the container's init, and so do its children:
# a writer without a pause on a relayed pipe (stdout a terminal) kept minirun
# draining it after the init's end, forever.  Under script(1), whose stdin never
# ends (at EOF it would type the EOF character, racing with the command).
mkfifo "$TESTS_TMP/never"
exec 9<> "$TESTS_TMP/never"
config "$(join pid)" sh -c 'yes & yes & sleep 0.2; exit 5'
timeout -k 1 "$RUN_TIMEOUT" script -qec "$(printf '%q ' "$MINIRUN" "${R[@]}" run --bundle "$BUNDLE" c9)" \
    /dev/null <&9 > /dev/null 2> "$TESTS_TMP/c9.err"
RC=$?
is "$RC $(cat "$TESTS_TMP/c9.err")" "5 " \
    "joined pid namespace, its init's children flood the stdout pipe: run ends with the init (5)"
exec 9>&-

# exec into a container whose namespaces are joined ones: /proc/PID/ns, not the paths.
config "$(join network ipc uts pid)" sh -c 'while :; do sleep 0.1; done'
(cd "$BUNDLE" && timeout 20 "$MINIRUN" "${R[@]}" create c3 < /dev/null > /dev/null 2>&1)
"$MINIRUN" "${R[@]}" start c3
run_minirun "${R[@]}" exec c3 sh -c "$NS_LOOP | head -4; hostname"
expect "exec into it enters the joined namespaces" 0 "$(printf '%s\n' "$pod_ns" | head -4)
pod1"
"$MINIRUN" "${R[@]}" delete --force c3

# --- personality, domainname --------------------------------------------------------------
# A filter that refuses personality() entirely: the call is made before any filter.
config '.linux.personality = {"domain": "LINUX32"} | .domainname = "example.test"
    | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO"}]}' \
    sh -c 'uname -m; cat /proc/self/personality /proc/sys/kernel/domainname'
run_minirun "${R[@]}" run --bundle "$BUNDLE" c4
expect "personality LINUX32 (before a filter denying personality) and domainname" 0 "i686
00000008
example.test"
is "$(cat /proc/sys/kernel/domainname)" "$(unshare -u cat /proc/sys/kernel/domainname)" \
    "the host's domain name is untouched"
config '.linux.personality = {"domain": "LINUX"}' sh -c 'uname -m; cat /proc/self/personality'
run_minirun "${R[@]}" run --bundle "$BUNDLE" c5
expect "personality LINUX" 0 "$(uname -m)
00000000"

# --- rootfsPropagation --------------------------------------------------------------------
ROOT_PROP='awk '\''$5 == "/" || $5 == "/proc" {print $5, $7 == "-" ? "private" : $7}'\'' /proc/self/mountinfo | sed "s/:[0-9]*//"'
got=""
for prop in "" private shared rshared unbindable; do
    config ".linux.rootfsPropagation = \"$prop\"" sh -c "$ROOT_PROP"
    run_minirun "${R[@]}" run --bundle "$BUNDLE" "p$RANDOM"
    got+="${prop:-default}: $(printf '%s' "$OUT" | tr '\n' ' ') [$RC]
"
done
is "$got" "default: / private /proc private [0]
private: / private /proc private [0]
shared: / shared /proc private [0]
rshared: / shared /proc shared [0]
unbindable: / unbindable /proc private [0]
" "rootfsPropagation on / after pivot_root (mountinfo's optional fields)"

# With the root under a shared mount of the host (made in a mount namespace of
# the test's own, gone with it): slave receives the host's mounts; shared is a
# peer group of the container's own, so a mount inside never reaches the host.
mkdir -p "$TESTS_TMP/prop" "$TESTS_TMP/sync"
cat > "$TESTS_TMP/prop.sh" << 'EOF'
# prop.sh PROPAGATION: in a private mount namespace of its own
prop=$1
mount --bind "$ROOTFS" "$TESTS_TMP/prop" && mount --make-shared "$TESTS_TMP/prop" || exit 1
rm -f "$TESTS_TMP/sync/"*
jq --arg p "$prop" --arg root "$TESTS_TMP/prop" --arg sync "$TESTS_TMP/sync" '.root.path = $root
    | .linux.rootfsPropagation = $p
    | .mounts += [{"destination": "/run", "type": "bind", "source": $sync, "options": ["rbind"]}]
    | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
    | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
    | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]
    | .process.args = ["sh", "-c", "touch /run/ready; while [ ! -e /run/go ]; do sleep 0.05; done
        awk '\''$5 == \"/mnt\" {print \"host mount seen\"}'\'' /proc/self/mountinfo
        mount -t tmpfs inner /home && echo mounted"]' \
    "$TESTS_TMP/base.json" > "$BUNDLE/config.json"
timeout 20 "$MINIRUN" --root "$STATE" run --bundle "$BUNDLE" "prop$RANDOM" < /dev/null &
for _ in $(seq 200); do [ -e "$TESTS_TMP/sync/ready" ] && break; sleep 0.05; done
mount -t tmpfs hostside "$TESTS_TMP/prop/mnt"
touch "$TESTS_TMP/sync/go"
wait $!
echo "rc $?; on the host: $(findmnt -n -o SOURCE "$TESTS_TMP/prop/home" || echo nothing)"
EOF
export TESTS_TMP ROOTFS MINIRUN STATE BUNDLE
got=""
for prop in rslave rprivate rshared; do
    got+="$prop: $(unshare -m --propagation private bash "$TESTS_TMP/prop.sh" "$prop" 2>&1 | tr '\n' ' ')
"
done
is "$got" "rslave: host mount seen mounted rc 0; on the host: nothing 
rprivate: mounted rc 0; on the host: nothing 
rshared: mounted rc 0; on the host: nothing 
" "under a shared host mount: slave receives the host's mounts, none propagates to the host"

# --- refusals: one line with the JSON path, nothing started, nothing left --------------------
C=$BUNDLE/config.json
refuse() {
    local name=$1 filter=$2 pattern=$3
    # [N] of a JSON path is literal, not a glob's bracket expression.
    pattern=${pattern//[[]/\\[}
    config "$filter" true
    run_minirun "${R[@]}" run --bundle "$BUNDLE" bad
    expect_error "$name" 1 "minirun: $C: $pattern"
}
refuse "a missing namespace path" '.linux.namespaces[1].path = "/nonexistent/net"' \
    'linux.namespaces[1].path: /nonexistent/net: No such file or directory'
refuse "a namespace of another type" '.linux.namespaces[1].path = "/proc/\($pod)/ns/ipc"' \
    "linux.namespaces[1].path: /proc/$POD/ns/ipc: not a network namespace (it is a ipc one)"
refuse "a path that is no namespace" '.linux.namespaces[1].path = "/etc/passwd"' \
    'linux.namespaces[1].path: /etc/passwd: not a namespace (no nsfs file)'
refuse "a relative namespace path" '.linux.namespaces[1].path = "proc/1/ns/net"' \
    'linux.namespaces[1].path: "proc/1/ns/net": must be an absolute path'
refuse "joining a mount namespace" '.linux.namespaces[4].path = "/proc/\($pod)/ns/mnt"' \
    'linux.namespaces[4].path: joining a mount namespace is not supported: *'
refuse "joining minirun's own user namespace" '.linux.namespaces += [{"type": "user", "path": "/proc/self/ns/user"}]' \
    "linux.namespaces[6].path: /proc/self/ns/user: minirun's own user namespace (leave the path out: *"
refuse "a net sysctl with a joined network namespace" \
    "$(join network) | .linux.sysctl = {\"net.ipv4.ip_default_ttl\": \"9\"}" \
    'linux.sysctl.net.ipv4.ip_default_ttl: the config joins the network namespace /proc/*/ns/net, *'
refuse "an unknown personality domain" '.linux.personality = {"domain": "LINUX64"}' \
    'linux.personality.domain: "LINUX64": unknown execution domain (LINUX or LINUX32)'
refuse "a personality flag" '.linux.personality = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}' \
    'linux.personality.flags[0]: "ADDR_NO_RANDOMIZE": unknown flag (the runtime-spec defines none)'
refuse "a personality without domain" '.linux.personality = {}' \
    'linux.personality.domain: missing (it is REQUIRED)'
refuse "an unknown rootfsPropagation" '.linux.rootfsPropagation = "bogus"' \
    'linux.rootfsPropagation: "bogus": expected shared, slave, private or unbindable *'
refuse "a domainname over 64 characters" ".domainname = \"$(printf 'd%.0s' $(seq 65))\"" \
    'domainname: longer than 64 characters'
is "$(ls -A "$STATE")" "pod" "refused configs leave no state (the pod's only)"

# A hostname or domainname given with a joined UTS namespace is set there, as runc 1.1 and
# crun do (the runtime-tools suite's linux_ns_path): the pod sees it too.
config "$(join uts) | .hostname = \"renamed\" | .domainname = \"dom.test\"" \
    sh -c 'hostname; cat /proc/sys/kernel/domainname'
run_minirun "${R[@]}" run --bundle "$BUNDLE" c4
expect "hostname and domainname with a joined UTS namespace: set in it" 0 "renamed
dom.test"
run_minirun "${R[@]}" exec pod sh -c 'hostname; cat /proc/sys/kernel/domainname'
expect "... which is the pod's" 0 "renamed
dom.test"

"$MINIRUN" "${R[@]}" delete --force pod
is "$(ls -A "$STATE")" "" "the pod is deleted"
done_testing
