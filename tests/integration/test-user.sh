#!/bin/bash
# --user: names and numbers from the rootfs's /etc/passwd and /etc/group,
# supplementary groups, HOME, and strict parsing (CVE-2026-30892).
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

# The rootfs (tests/setup-rootfs.sh): alice 1000:1000 in wheel (10) and
# audio (29); bob 1001:1001; daemon 2:2; no uid 1.
# The gid is always among the supplementary groups too (CVE-2022-36109 in
# moby, CVE-2022-2989 in podman: a process that drops its gid with newgrp or
# a setgid program must keep it, or a file's group bits that deny it (0707)
# deny nothing); root is a member of no group in the rootfs's /etc/group, so
# it has gid 0 alone, and the host's groups must not leak in.
run_expect "default: root" 0 "uid=0(root) gid=0(root) groups=0(root)" -- "$ROOTFS" id
run_expect "default: all ids 0, the gid its only supplementary group" 0 "uid=0,0,0 gid=0,0,0 groups=0" -- "$ROOTFS" /probe ids
run_cmd setpriv --groups 4,24,27 "$MINIRUN" "$ROOTFS" /probe ids
expect "the caller's supplementary groups do not leak in" 0 "uid=0,0,0 gid=0,0,0 groups=0"
run_expect "default: HOME=/root" 0 /root -- "$ROOTFS" sh -c 'echo $HOME'

run_expect "--user alice: id" 0 "uid=1000(alice) gid=1000(alice) groups=10(wheel),29(audio),1000(alice)" -- \
    --user alice "$ROOTFS" id
run_expect "--user alice: id -G" 0 "1000 10 29" -- --user alice "$ROOTFS" id -G
run_expect "--user alice: id -Gn" 0 "alice wheel audio" -- --user alice "$ROOTFS" id -Gn
run_expect "--user alice: real, effective, saved ids and groups" 0 \
    "uid=1000,1000,1000 gid=1000,1000,1000 groups=10,29,1000" -- --user alice "$ROOTFS" /probe ids
run_expect "--user alice: HOME from /etc/passwd" 0 /home/alice -- --user alice "$ROOTFS" sh -c 'echo $HOME'
run_expect "--user alice: Uid/Gid/Groups in /proc/self/status" 0 \
    "$(printf '1000\t1000\t1000\t1000\n1000\t1000\t1000\t1000\n10 29 1000 ')" -- \
    --user alice "$ROOTFS" /probe status Uid Gid Groups
run_minirun --verbose --user alice "$ROOTFS" true
is "$RC:$(grep '^minirun: user ' <<< "$ERR")" "0:minirun: user uid=1000 gid=1000 groups=10,29,1000 home=/home/alice" \
    "--verbose --user alice: the supplementary gids themselves, not their count"
run_minirun --verbose "$ROOTFS" true
is "$RC:$(grep '^minirun: user ' <<< "$ERR")" "0:minirun: user uid=0 gid=0 groups=0 home=/root" \
    "--verbose: root's supplementary groups: its gid alone"
run_expect "-u alice" 0 "1000 10 29" -- -u alice "$ROOTFS" id -G
run_expect "--user=alice" 0 "1000 10 29" -- --user=alice "$ROOTFS" id -G
run_expect "--user 1000: the name and groups of uid 1000" 0 \
    "uid=1000(alice) gid=1000(alice) groups=10(wheel),29(audio),1000(alice)" -- --user 1000 "$ROOTFS" id
run_expect "--user 1000:1000: no supplementary groups but the gid" 0 \
    "uid=1000,1000,1000 gid=1000,1000,1000 groups=1000" -- --user 1000:1000 "$ROOTFS" /probe ids
run_expect "--user 1000:1000: id" 0 "uid=1000(alice) gid=1000(alice) groups=1000(alice)" -- --user 1000:1000 "$ROOTFS" id
run_expect "--user alice:audio: gid 29, no supplementary groups but 29" 0 \
    "uid=1000,1000,1000 gid=29,29,29 groups=29" -- --user alice:audio "$ROOTFS" /probe ids
run_expect "--user alice:29" 0 "uid=1000(alice) gid=29(audio) groups=29(audio)" -- --user alice:29 "$ROOTFS" id
run_expect "--user bob" 0 "uid=1001(bob) gid=1001(bob) groups=1001(bob)" -- --user bob "$ROOTFS" id
run_expect "--user 1: uid 1, gid 0 (CVE-2026-30892)" 0 "uid=1,1,1 gid=0,0,0 groups=0" -- --user 1 "$ROOTFS" /probe ids
run_expect "--user 1: id" 0 "uid=1 gid=0(root) groups=0(root)" -- --user 1 "$ROOTFS" id
run_expect "--user 1: HOME=/" 0 / -- --user 1 "$ROOTFS" sh -c 'echo $HOME'
run_expect "--user 2: daemon" 0 "uid=2(daemon) gid=2(daemon) groups=2(daemon)" -- --user 2 "$ROOTFS" id
run_expect "--user 4242:4343: unknown ids are allowed" 0 "uid=4242,4242,4242 gid=4343,4343,4343 groups=4343" -- \
    --user 4242:4343 "$ROOTFS" /probe ids
run_expect "--user 4294967294: the largest uid" 0 "uid=4294967294,4294967294,4294967294 gid=0,0,0 groups=0" -- \
    --user 4294967294 "$ROOTFS" /probe ids
run_expect "--user root" 0 "uid=0(root) gid=0(root) groups=0(root)" -- --user root "$ROOTFS" id
run_expect "--user 0:0" 0 "uid=0,0,0 gid=0,0,0 groups=0" -- --user 0:0 "$ROOTFS" /probe ids
run_expect "--user alice: /home/alice is writable" 0 ok -- \
    --user alice "$ROOTFS" sh -c 'touch /home/alice/.t && rm /home/alice/.t && echo ok'

for spec in 1: :1 -1 +1 4294967295 4294967296 99999999999999999999 nosuch abc 1:-1 1:2:3 alice:nosuchgroup " 1" 1x ""; do
    run_minirun --user "$spec" "$ROOTFS" true
    expect_error "--user '$spec' exits 125 with one minirun: line" 125 "minirun: *"
done
run_minirun --user 4294967296 "$ROOTFS" true
expect_error "--user 4294967296: the message names the value" 125 "minirun: *4294967296*"
run_minirun --user nosuch "$ROOTFS" true
expect_error "--user nosuch: the message names the user" 125 "minirun: *nosuch*"
run_minirun --user alice:nosuchgroup "$ROOTFS" true
expect_error "--user alice:nosuchgroup: the message names the group" 125 "minirun: *nosuchgroup*"

# Names come from the rootfs, never from the host.
host_only=$(cut -d: -f1 /etc/passwd | grep -vxF -e root -e daemon -e alice -e bob -e nobody | head -n 1)
if [ -n "$host_only" ]; then
    run_minirun --user "$host_only" "$ROOTFS" true
    expect_error "--user $host_only (a host user only) is unknown in the container" 125 "minirun: *$host_only*"
else
    skip "a host-only user is unknown in the container" "the host has no user that the rootfs lacks"
fi

done_testing
