#!/bin/bash
# OCI linux.resources cpu and memory values, read back from the container's
# cgroup v1 files, and linux.resources.devices as devices.list lists it (in
# the config's order, then the rules runc adds).  cgroup v2 is tests/vm's.
# shellcheck disable=SC2016 # $ in single quotes expands later (at_exit)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

# The mount point of the v1 hierarchy with controller $1.
v1_mount() { awk -v c="$1" '$3 == "cgroup" && ("," $4 ",") ~ ("," c ",") {print $2; exit}' /proc/self/mounts; }
CPU=$(v1_mount cpu) CPUSET=$(v1_mount cpuset) MEM=$(v1_mount memory) DEV=$(v1_mount devices)
if [ -z "$CPU" ] || [ -z "$CPUSET" ] || [ -z "$MEM" ] || [ -z "$DEV" ]; then
    skip_all "no cgroup v1 cpu, cpuset, memory and devices hierarchies (pure cgroup v2: tests/vm)"
fi

oci_state
CGP=minirun-test-res-$$
env -C "$BUNDLE" "$MINIRUN" spec
jq --arg root "$ROOTFS" --arg cgp "/$CGP/r1" '.root.path = $root | .root.readonly = true
    | .process.terminal = false | .process.args = ["sleep", "100"] | .linux.cgroupsPath = $cgp
    | .linux.resources = {
        cpu: {shares: 2048, quota: 200000, period: 500000, cpus: "0", mems: "0"},
        memory: {limit: 50593792, swap: 50593792, reservation: 33554432, swappiness: 10,
                 kernelTCP: 50593792, disableOOMKiller: true},
        devices: [{allow: false, access: "rwm"},
                  {allow: true, type: "c", major: 10, minor: 229, access: "rwm"},
                  {allow: true, type: "b", major: 8, minor: 20, access: "rw"},
                  {allow: false, type: "b", major: 8, minor: 20, access: "w"},
                  {allow: true, type: "b", major: 10, minor: 200, access: "r"}]}' \
    "$BUNDLE/config.json" > "$BUNDLE/config.json.new"
mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"

run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" r1
expect "run --detach with every cpu and memory value" 0 ""
vals() { (cd "$1/$CGP/r1" && shift && for f in "$@"; do printf '%s=%s\n' "$f" "$(head -1 "$f")"; done); }
is "$(vals "$CPU" cpu.shares cpu.cfs_quota_us cpu.cfs_period_us)" \
    "cpu.shares=2048
cpu.cfs_quota_us=200000
cpu.cfs_period_us=500000" "cpu: shares, quota and period as given (not Docker's 100 ms period)"
is "$(vals "$CPUSET" cpuset.cpus cpuset.mems)" "cpuset.cpus=0
cpuset.mems=0" "cpuset: cpus and mems"
is "$(vals "$MEM" memory.limit_in_bytes memory.soft_limit_in_bytes memory.swappiness \
    memory.kmem.tcp.limit_in_bytes memory.oom_control)" "memory.limit_in_bytes=50593792
memory.soft_limit_in_bytes=33554432
memory.swappiness=10
memory.kmem.tcp.limit_in_bytes=50593792
memory.oom_control=oom_kill_disable 1" \
    "memory: limit, reservation (the soft limit), swappiness, kernelTCP, the OOM killer off"
if [ -e "$MEM/$CGP/r1/memory.memsw.limit_in_bytes" ]; then
    is "$(cat "$MEM/$CGP/r1/memory.memsw.limit_in_bytes")" 50593792 "memory: swap (memsw)"
else
    skip "memory: swap (memsw)" "no swap accounting in this kernel"
fi
# The kernel keeps the list in the order of the writes; the deny took w from 8:20.
is "$(cat "$DEV/$CGP/r1/devices.list")" "c 10:229 rwm
b 8:20 r
b 10:200 r
c *:* m
b *:* m
c 1:3 rwm
c 1:5 rwm
c 1:7 rwm
c 1:8 rwm
c 1:9 rwm
c 5:0 rwm
c 5:1 rwm
c 5:2 rwm
c 136:* rwm
c 10:200 rwm" "devices.list: the config's rules in order, then runc's defaults"
run_minirun "${R[@]}" delete --force r1
expect "delete" 0 ""

# Refused before anything exists: a value the kernel would refuse.
jq '.linux.resources.cpu.cpus = "0-4095"' "$BUNDLE/config.json" > "$BUNDLE/config.json.new"
mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" r2
expect_error "cpus the parent does not have: refused" 1 \
    "minirun: --cpuset-cpus 0-4095: not available (available: *)"
is "$([ -e "$CPU/$CGP" ] && echo left)$([ -e "$DEV/$CGP" ] && echo left)$(ls -A "$STATE")" "" \
    "no cgroup and no state left"

done_testing
