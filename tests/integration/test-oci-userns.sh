#!/bin/bash
# OCI config, as root: a user namespace of the container's own with the
# config's uidMappings/gidMappings (what Kubernetes' hostUsers: false and
# podman --userns ask of a runtime).  Root inside, 100000 outside; its
# capabilities count inside only; bad maps refused, one line naming the
# JSON path; nothing left behind.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

oci_state
CG=minirun-userns-test-$$
mkdir -p "$TESTS_TMP/vol"
chmod 777 "$TESTS_TMP/vol"
echo host > "$TESTS_TMP/hostfile"

(cd "$BUNDLE" && "$MINIRUN" spec) || missing_tool "minirun spec failed"
# The test rootfs (world-searchable, owned by the host's root), a user
# namespace 0 -> 100000 (65536 ids), CAP_SYS_ADMIN, a volume and a host file.
jq --arg root "$ROOTFS" --arg vol "$TESTS_TMP/vol" --arg file "$TESTS_TMP/hostfile" \
    --arg cg "/$CG" '.root.path = $root | .root.readonly = true | .process.terminal = false
    | .linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.cgroupsPath = $cg
    | .process.capabilities |= with_entries(if .key != "inheritable" and .key != "ambient"
        then .value += ["CAP_SYS_ADMIN"] else . end)
    | .mounts += [{"destination": "/mnt", "type": "bind", "source": $vol, "options": ["rbind"]},
                  {"destination": "/etc/hostname", "type": "bind", "source": $file,
                   "options": ["bind"]}]' "$BUNDLE/config.json" > "$TESTS_TMP/base.json"

# config JQ-FILTER ARG...: the bundle's config.json from base.json, running ARG...
config() {
    local filter=$1 args
    shift
    args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
    jq --argjson args "$args" "$filter | .process.args = \$args" "$TESTS_TMP/base.json" \
        > "$BUNDLE/config.json"
}
MAP="         0     100000      65536"

# --- inside: root, with the config's maps -------------------------------------------
config . sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; stat -c %u:%g /dev/mqueue'
run_minirun "${R[@]}" run --bundle "$BUNDLE" u1
expect "inside: uid 0, gid 0, uid_map and gid_map the config's, /dev/mqueue the root's" 0 \
    "0
0
$MAP
$MAP
0:0"

# --- outside: 100000, files it makes are 100000's ----------------------------------------
config . sh -c 'touch /mnt/made; while :; do sleep 0.05; done'
(cd "$BUNDLE" && timeout 20 "$MINIRUN" "${R[@]}" create u2 < /dev/null > /dev/null 2>&1)
"$MINIRUN" "${R[@]}" start u2
PID=$("$MINIRUN" "${R[@]}" state u2 | jq -r .pid)
for _ in $(seq 100); do [ -e "$TESTS_TMP/vol/made" ] && break; sleep 0.05; done
is "$(grep -E '^(Uid|Gid):' "/proc/$PID/status" | tr '\t' ' ')" "Uid: 100000 100000 100000 100000
Gid: 100000 100000 100000 100000" "outside: the container process runs as uid and gid 100000"
is "$(stat -c %u:%g "$TESTS_TMP/vol/made")" "100000:100000" \
    "a file it creates in a volume belongs to 100000:100000 on the host"
is "$(test -d "/sys/fs/cgroup/devices/$CG" && echo yes)" yes "its cgroup exists (made by real root)"
run_minirun "${R[@]}" exec u2 sh -c 'id -u; cat /proc/self/uid_map'
expect "exec enters its user namespace: uid 0 inside, the same map" 0 "0
$MAP"
"$MINIRUN" "${R[@]}" delete --force u2
is "$(ls -A "$STATE"; test -e "/sys/fs/cgroup/devices/$CG" && echo cgroup left)" "" \
    "delete: no state, no cgroup left"

# --- capabilities count in the namespace only -------------------------------------------
# (One line: config passes each argument through jq -R, one per line.)
config . sh -c 'mount -t tmpfs none /dev/shm && echo mounted; stat -c %u:%g /etc/hostname; (echo x >> /etc/hostname) 2> /dev/null || echo refused; grep CapEff /proc/self/status'
run_minirun "${R[@]}" run --bundle "$BUNDLE" u3
expect "CAP_SYS_ADMIN mounts inside; a host root's file is nobody's and not writable" 0 \
    "mounted
65534:65534
refused
CapEff:	0000000020200420"
is "$(cat "$TESTS_TMP/hostfile")" host "the host's file is unchanged"

# --- cgroup v1: a cgroup of its own in every hierarchy -----------------------------------
# The container's cgroup namespace belongs to its user namespace, so CAP_SYS_ADMIN there
# mounts any v1 hierarchy; the mount's root is the namespace's, which is minirun's own
# cgroup (the host's) wherever the container has none: the host's tree readable, and with
# hostID 0 mapped writable (new cgroups that outlive the container, limits above it).
# The checks need the v1 hierarchies of a hybrid or v1 host; on pure v2 none is listed.
config . sh -c 'mount -t tmpfs none /dev/shm; while IFS=: read -r n c p; do [ -n "$c" ] || continue; o=$c; case $c in name=*) o=none,$c;; esac; mkdir /dev/shm/$n; mount -t cgroup -o $o none /dev/shm/$n 2> /dev/null || continue; [ -e /dev/shm/$n/cgroup.sane_behavior ] && echo "$c: the root"; done < /proc/self/cgroup; echo done'
run_minirun "${R[@]}" run --bundle "$BUNDLE" u4
expect "no v1 hierarchy it mounts shows the hierarchy's root cgroup" 0 "done"
config . sh -c 'while :; do sleep 0.05; done'
(cd "$BUNDLE" && timeout 20 "$MINIRUN" "${R[@]}" create u5 < /dev/null > /dev/null 2>&1)
PID=$("$MINIRUN" "${R[@]}" state u5 | jq -r .pid)
is "$(awk -F: -v cg="/$CG" '$2 != "" && $3 != cg { print }' "/proc/$PID/cgroup")" "" \
    "its cgroup is /$CG in every v1 hierarchy of /proc/PID/cgroup"
"$MINIRUN" "${R[@]}" delete --force u5
is "$(ls -A "$STATE"; find /sys/fs/cgroup -maxdepth 2 -name "$CG")" "" \
    "delete: no state, no cgroup left in any hierarchy"

# --- refusals: exit 1, one line naming the JSON path, before anything exists ------------
refuse() {
    local name=$1 filter=$2 pattern=$3
    config "$filter" true
    run_minirun "${R[@]}" run --bundle "$BUNDLE" bad
    expect_error "$name" 1 "$pattern"
}
refuse "overlapping host ranges" \
    '.linux.uidMappings += [{"containerID": 70000, "hostID": 100005, "size": 1}]' \
    "minirun: */config.json: linux.uidMappings\[1\]: overlaps linux.uidMappings\[0\] (host ids)"
refuse "no mapping for containerID 0" \
    '.linux.gidMappings = [{"containerID": 1, "hostID": 100000, "size": 10}]' \
    "minirun: */config.json: linux.gidMappings: no range maps containerID 0: *"
refuse "size 0" '.linux.uidMappings[0].size = 0' \
    "minirun: */config.json: linux.uidMappings\[0\].size: 0: a range maps at least one id"
refuse "a user namespace without its maps" 'del(.linux.uidMappings)' \
    "minirun: */config.json: linux.uidMappings: missing: the new user namespace needs its map*"
refuse "maps without a user namespace" '.linux.namespaces |= map(select(.type != "user"))' \
    "minirun: */config.json: linux.uidMappings: given without a user namespace*"
refuse "process.user.uid outside the map" '.process.user.uid = 70000' \
    "minirun: process.user.uid 70000: not mapped in the user namespace (linux.uidMappings)"
# The rootfs copy below $TESTS_TMP (mode 0700, root's): not searchable by 100000.
cp -a "$ROOTFS" "$TESTS_TMP/rootfs"
config '.root.path = "'"$TESTS_TMP"'/rootfs"' true
run_minirun "${R[@]}" run --bundle "$BUNDLE" bad
expect_error "a rootfs the mapped root cannot reach: said so (a start failure: 125)" 125 \
    "minirun: rootfs $TESTS_TMP/rootfs: not accessible to the container's root (uid 100000 outside)*: Permission denied"
is "$(ls -A "$STATE"; test -e "/sys/fs/cgroup/devices/$CG" && echo cgroup left)" "" \
    "after the refusals: no state, no cgroup left"

done_testing
