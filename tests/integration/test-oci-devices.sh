#!/bin/bash
# OCI linux.devices (nodes in the container's /dev, mode and owner as given)
# and linux.resources.devices (the rules in the listed order, then the ones
# runc adds), as runc pairs them: a node alone is not opened unless a rule allows it.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

oci_state
env -C "$BUNDLE" "$MINIRUN" spec
mv "$BUNDLE/config.json" "$BUNDLE/config.json.orig"

# set_config DEVICES RULES CMD: linux.devices, linux.resources.devices and the command.
set_config() {
    jq --arg root "$ROOTFS" --argjson devs "$1" --argjson rules "$2" --arg cmd "$3" '
        .root.path = $root | .root.readonly = true | .process.terminal = false
        | .process.args = ["sh", "-c", $cmd] | .linux.devices = $devs
        | .linux.resources.devices = $rules' "$BUNDLE/config.json.orig" > "$BUNDLE/config.json"
}
DENY='{"allow": false, "access": "rwm"}'
MYZERO='{"type": "c", "path": "/dev/myzero", "major": 1, "minor": 5, "fileMode": 438, "uid": 1, "gid": 2}'

set_config "[$MYZERO, {\"type\": \"p\", \"path\": \"/dev/sub/fifo\", \"fileMode\": 384}]" \
    "[$DENY, {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"rw\"}]" \
    'stat -c "%F %t:%T %a %u:%g" /dev/myzero; stat -c "%F %a" /dev/sub/fifo; head -c 3 /dev/myzero | od -An -tx1'
run_minirun "${R[@]}" run --bundle "$BUNDLE" d1
expect "linux.devices: the node, its mode and owner; a FIFO; readable with its rule" 0 \
    "character special file 1:5 666 1:2
fifo 600
 00 00 00"

set_config '[{"type": "b", "path": "/dev/loopx", "major": 7, "minor": 0}]' "[$DENY]" \
    'head -c 1 /dev/loopx; echo "rc $?"'
run_minirun "${R[@]}" run --bundle "$BUNDLE" d2
expect "a node without a linux.resources.devices rule is not opened (runc's behaviour)" 0 \
    "rc 1" "head: /dev/loopx: Operation not permitted"

# podman and CRI-O write a node's whole st_mode as fileMode (S_IFCHR|0620 is
# 8592); podman --privileged lists every host node, /dev/ptmx (c 5:2) too,
# which stays minirun's pts/ptmx symlink (runc's too), and more than 64 of them.
MANY=$(jq -cn '[range(100) | {type: "c", path: "/dev/mz\(.)", major: 1, minor: 5, fileMode: 8630}]')
set_config "$(jq -c '. + [{type: "c", path: "/dev/ptmx", major: 5, minor: 2, fileMode: 8630},
    {type: "b", path: "/dev/loopx", major: 7, minor: 0, fileMode: 24992},
    {type: "p", path: "/dev/fifo", fileMode: 4516}]' <<< "$MANY")" "[$DENY]" \
    'stat -c "%F %a" /dev/mz99 /dev/loopx /dev/fifo; readlink /dev/ptmx; ls /dev | grep -c "^mz"'
run_minirun "${R[@]}" run --bundle "$BUNDLE" d0
expect "fileMode with the file type bits, /dev/ptmx c 5:2, 103 nodes: podman --privileged's" 0 \
    "character special file 666
block special file 640
fifo 644
pts/ptmx
100"

# --- linux.resources.devices in the listed order (the spec's MUST) -----------------------
# The later entry wins; then the rules runc and crun always add (/dev/null...).
LOOP='[{"type": "b", "path": "/dev/loopx", "major": 7, "minor": 0}]'
ALLOW_LOOP='{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "rw"}'
DENY_LOOP='{"allow": false, "type": "b", "major": 7, "minor": 0, "access": "rwm"}'
OPEN='if (: < /dev/loopx) 2> /dev/null; then echo opened; else echo refused; fi'
set_config "$LOOP" "[$DENY, $ALLOW_LOOP, $DENY_LOOP]" "$OPEN"
run_minirun "${R[@]}" run --bundle "$BUNDLE" o1
expect "an allow then a deny of the same device: denied" 0 "refused"
set_config "$LOOP" "[$DENY, $DENY_LOOP, $ALLOW_LOOP]" "$OPEN"
run_minirun "${R[@]}" run --bundle "$BUNDLE" o2
expect "a deny then an allow of the same device: allowed" 0 "opened"
# (rw: minirun makes the node in the container's cgroup, with its mknod.)
set_config "$LOOP" '[{"allow": true, "access": "rwm"}, {"allow": false, "type": "b", "major": 7, "minor": 0, "access": "rw"}]' "$OPEN"
run_minirun "${R[@]}" run --bundle "$BUNDLE" o3
expect "allow all, then a deny of one device: that one denied" 0 "refused"
set_config "$LOOP" "[{\"allow\": true, \"type\": \"b\", \"major\": 8, \"access\": \"r\"}]" "$OPEN"
run_minirun "${R[@]}" run --bundle "$BUNDLE" o4
expect "a list without \"deny all\" starts from deny all all the same" 0 "refused"
set_config "[]" "[$DENY, {\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 3}]" \
    'echo x > /dev/null && head -c 2 /dev/zero | od -An -tx1'
run_minirun "${R[@]}" run --bundle "$BUNDLE" o5
expect "only \"deny all\": runc's default devices stay usable (a deny of /dev/null too)" 0 \
    " 00 00"

# --- invalid entries: one line naming the field, nothing started ----------------------
bad() {
    set_config "$2" "[$DENY]" true
    run_minirun "${R[@]}" run --bundle "$BUNDLE" bad
    expect_error "refused: $1" 1 "minirun: $BUNDLE/config.json: $3"
}
bad "no major" '[{"type": "c", "path": "/dev/x", "minor": 1}]' \
    'linux.devices[[]0].major: REQUIRED for type c'
bad "type x" '[{"type": "x", "path": "/dev/x"}]' \
    'linux.devices[[]0].type: "x": expected c, b, u or p'
bad "a path outside /dev" '[{"type": "p", "path": "/etc/fifo"}]' \
    'linux.devices[[]0].path: "/etc/fifo": minirun makes device nodes only below /dev/*'
bad "a path with .." '[{"type": "p", "path": "/dev/../etc/fifo"}]' \
    'linux.devices[[]0].path: "/dev/../etc/fifo": minirun makes device nodes only below /dev/*'
bad "a duplicate path" "[$MYZERO, {\"type\": \"p\", \"path\": \"/dev/myzero\"}]" \
    'linux.devices[[]1].path: "/dev/myzero" is also linux.devices[[]0]'"'"'s'
bad "fileMode beyond S_IFMT|07777" '[{"type": "p", "path": "/dev/f", "fileMode": 65536}]' \
    'linux.devices[[]0].fileMode: 65536 is out of range (0 to 65535)'
bad "fileMode with another type's bits" '[{"type": "p", "path": "/dev/f", "fileMode": 8630}]' \
    'linux.devices[[]0].fileMode: 020666: its file type bits are not a type p device'"'"'s'
bad "another node at /dev/ptmx" '[{"type": "c", "path": "/dev/ptmx", "major": 1, "minor": 3}]' \
    'linux.devices[[]0].path: "/dev/ptmx": /dev/ptmx is minirun'"'"'s own (a symlink or a mount), refusing a device node there'
# minirun's own /dev entries: fd -> /proc/self/fd resolved, before pivot_root,
# to minirun's own descriptors (a node made in the state directory).
bad "a path through minirun's /dev/fd" \
    '[{"type": "c", "path": "/dev/fd/3/rvnode", "major": 1, "minor": 3, "fileMode": 438}]' \
    'linux.devices[[]0].path: "/dev/fd/3/rvnode": /dev/fd is minirun'"'"'s own (a symlink or a mount), refusing a device node there'
is "$(find "$STATE" "$BUNDLE" -name rvnode)" "" "nothing made through /dev/fd"
bad "a path in minirun's /dev/pts" '[{"type": "p", "path": "/dev/pts/x"}]' \
    'linux.devices[[]0].path: "/dev/pts/x": /dev/pts is minirun'"'"'s own (a symlink or a mount), refusing a device node there'
# The docker-like --device: the path is walked in the container's /dev with no
# symlink and no mount crossed.
mkdir -p "$TESTS_TMP/cwd"
for dev in /dev/fd/3/rvnode /dev/shm/rvnode; do
    run_cmd env -C "$TESTS_TMP/cwd" "$MINIRUN" --device "/dev/null:$dev" "$ROOTFS" true
    expect_error "--device $dev: refused when made" 125 \
        "minirun: --device: $dev: \"$(echo "$dev" | cut -d/ -f3)\" is not a plain directory of the container's /dev: *"
done
is "$(find "$TESTS_TMP" -name rvnode)" "" "nothing made through /dev/fd or in /dev/shm"
set_config '[{"type": "c", "path": "/dev/null", "major": 1, "minor": 5}]' "[$DENY]" true
run_minirun "${R[@]}" run --bundle "$BUNDLE" d3
expect_error "a path that holds another device: an error (the spec's MUST)" 125 \
    "minirun: linux.devices: /dev/null already exists in the container and is not that device*"
is "$(ls -A "$STATE")" "" "no state left behind"

done_testing
