#!/bin/bash
# cgroups: one cgroup per container below minirun's own, Docker's device
# policy, resource limits, nothing left behind (also after a SIGKILL).
# Run alone (is_parallel: false): it looks at minirun-* cgroups host-wide,
# and a parallel minirun start would sweep the stale one this test leaves on
# purpose.  Every cgroup the test itself makes is removed at exit.  Other
# minirun instances on the machine (a developer runs several) do not disturb
# the "nothing left" checks: the containers they count run below
# --cgroup-parent directories of this test's own (unique names), and the
# containers that must run below minirun's own cgroup are checked by their
# exact paths.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
[ -d /sys/fs/cgroup/devices ] || skip_all "no cgroup v1 devices hierarchy (the VM test covers pure v2)"

# The hierarchies minirun uses, and minirun's own cgroup in each (this
# shell's: minirun inherits it).
HIER=(cpu cpuset memory devices freezer pids)
own() { # own HIERARCHY -> this shell's cgroup path in it
    local line
    while IFS= read -r line; do
        case ",${line#*:}" in
            ",$1:"* | *",$1,"* | *",$1:"*) echo "${line#*:*:}"; return ;;
        esac
    done < /proc/self/cgroup
}
# cgroup_paths PID: "HIER PATH" for each hierarchy minirun uses, and "unified PATH".
cgroup_paths() {
    local h
    for h in "${HIER[@]}"; do
        echo "$h $(sed -n "s/^[0-9]*:\(.*,\)\{0,1\}$h\(,[^:]*\)\{0,1\}:\(.*\)/\3/p" "/proc/$1/cgroup")"
    done
    echo "unified $(sed -n 's/^0:://p' "/proc/$1/cgroup")"
}
# want_paths NAME HIER...: cgroup_paths of a container in NAME in the given v1
# hierarchies and cgroup2 (kept by cgroup.kill), left in this shell's cgroup
# in every other one.
want_paths() {
    local name=$1 h u p
    shift
    for h in "${HIER[@]}"; do
        u=""
        [[ " $* " == *" $h "* ]] && u="/$name"
        p="$(own "$h" | sed 's,/$,,')$u"
        echo "$h ${p:-/}"
    done
    echo "unified $(sed -n 's/^0:://p' /proc/self/cgroup | sed 's,/$,,')/$name"
}
mountpoint_of() { [ "$1" = unified ] && echo /sys/fs/cgroup/unified || echo "/sys/fs/cgroup/$1"; }
# This test's own --cgroup-parent (relative to each hierarchy's root) for
# every container whose cleanup a leftovers check counts.  minirun makes it
# in the hierarchies a container needs and removes it after each run (it
# made it): between runs it does not exist.
TCG="minirun-test-cg-$$"
CGP=(--cgroup-parent "$TCG")
cgp="minirun-test-parent-$$"
at_exit "rmdir /sys/fs/cgroup/*/$TCG/minirun-* /sys/fs/cgroup/*/$TCG 2>/dev/null"
# leftovers: anything minirun made below this test's parents that is still
# there: a minirun-* cgroup directory (whether or not a process or a lock
# holds it: every run of this test has ended when it is called) or $TCG
# itself.  No other minirun makes anything there.
leftovers() {
    local h p
    for h in "${HIER[@]}" unified; do
        for p in "$TCG" "$cgp" "$sweep"; do
            find "/sys/fs/cgroup/$h/$p" -maxdepth 1 -name 'minirun-*' -type d 2>/dev/null
        done
        [ -d "/sys/fs/cgroup/$h/$TCG" ] && echo "/sys/fs/cgroup/$h/$TCG"
    done
}
# want_below PARENT NAME HIER...: what want_paths gives for a container made
# with --cgroup-parent PARENT: /PARENT/NAME in the given v1 hierarchies and in
# cgroup2, this shell's cgroup in every other one.
want_below() {
    local parent=$1 name=$2 h p
    shift 2
    for h in "${HIER[@]}"; do
        p=$(own "$h" | sed 's,/$,,')
        [[ " $* " == *" $h "* ]] && p="/$parent/$name"
        echo "$h ${p:-/}"
    done
    echo "unified /$parent/$name"
}

# --- the container's own cgroup -------------------------------------------------
run_expect "/proc/self/cgroup shows only root paths (cgroup namespace entered after the move)" \
    0 / -- "${CGP[@]}" "$ROOTFS" sh -c 'cut -d: -f3 /proc/self/cgroup | sort -u'

"$MINIRUN" -h cgtest "$ROOTFS" sh -c 'trap "exit 3" TERM; sleep 30 & wait' > /dev/null 2>&1 &
mr=$!
at_exit "kill -KILL $mr 2>/dev/null"
if init=$(container_init "$mr"); then
    paths=$(cgroup_paths "$init")
    name=$(awk '$1 == "devices" { n = split($2, a, "/"); print a[n] }' <<< "$paths")
    is "$paths" "$(want_paths "$name" devices)" \
        "without limits: minirun-<id> below minirun's own cgroup in devices and cgroup2 only"
    if [[ $name =~ ^minirun-[0-9a-f]{12}$ ]]; then
        ok "the cgroup is named minirun-<12 hex id>"
    else
        not_ok "the cgroup is named minirun-<12 hex id>" "got: $name"
    fi
    is "$(cat "/sys/fs/cgroup/devices$(own devices | sed 's,/$,,')/$name/devices.list")" \
        "$(printf '%s\n' 'c *:* m' 'b *:* m' 'c 1:3 rwm' 'c 1:5 rwm' 'c 1:7 rwm' 'c 1:8 rwm' \
            'c 1:9 rwm' 'c 5:0 rwm' 'c 5:1 rwm' 'c 5:2 rwm' 'c 136:* rwm' 'c 10:200 rwm')" \
        "devices.list is Docker's default list"
    wait_caught "$init" 15
    kill -TERM "$mr"
    wait_exit "$mr" 10
    is "$RC" 3 "minirun relays SIGTERM; the container exits 3, its sleep left running"
    gone=""
    while read -r h p; do
        [[ $p == */minirun-* && -e "$(mountpoint_of "$h")$p" ]] && gone+="$h$p still exists "
    done <<< "$paths"
    is "$gone" "" "every cgroup directory is removed after the run"
else
    for t in paths name devices.list status removed; do not_ok "container cgroup: $t" "no container init found"; done
fi

# --- devices ---------------------------------------------------------------------
run_minirun "${CGP[@]}" "$ROOTFS" sh -c 'mknod /dev/b b 7 0 && head -c 11 /dev/b'
expect "a block device node can be made (mknod) but not read" 1 "" "head: /dev/b: Operation not permitted"
run_minirun "${CGP[@]}" "$ROOTFS" sh -c 'mknod /dev/k c 1 11 && head -c 1 /dev/k'
expect "/dev/kmsg made with mknod cannot be opened" 1 "" "head: /dev/k: Operation not permitted"
run_expect "/dev/null, /dev/zero, /dev/full, /dev/urandom work" 0 ok -- "${CGP[@]}" "$ROOTFS" \
    sh -c 'echo x > /dev/null && head -c 1 /dev/zero /dev/urandom > /dev/null && ! echo x 2> /dev/null > /dev/full && echo ok'
run_expect "--privileged allows every device" 0 ok -- "${CGP[@]}" --privileged "$ROOTFS" \
    sh -c 'mknod /dev/k c 1 11 && head -c 1 /dev/k > /dev/null && echo ok'

# --- --device --------------------------------------------------------------------
run_expect "--device /dev/null:/dev/mynull: the node is made (1:3, mode 666) and can be written" 0 \
    "$(printf 'character special file 1:3 666\nok')" -- "${CGP[@]}" --device /dev/null:/dev/mynull "$ROOTFS" \
    sh -c 'stat -c "%F %t:%T %a" /dev/mynull && echo x > /dev/mynull && echo ok'
# A block device outside Docker's list: an unused loop device (open only, no I/O).
loopdev=""
for d in /dev/loop7 /dev/loop6 /dev/loop5; do
    [ -b "$d" ] && ! losetup "$d" > /dev/null 2>&1 && { loopdev=$d; break; }
done
if [ -n "$loopdev" ]; then
    run_expect "--device $loopdev:/dev/xvda:r: opened for reading, not for writing (the device cgroup)" \
        0 "$(printf 'OK\nEPERM')" -- "${CGP[@]}" --device "$loopdev:/dev/xvda:r" "$ROOTFS" \
        sh -c '/probe open /dev/xvda r; /probe open /dev/xvda w; true'
    run_expect "--device $loopdev:/dev/xvda: rwm by default" 0 OK -- "${CGP[@]}" --device "$loopdev:/dev/xvda" \
        "$ROOTFS" /probe open /dev/xvda w
else
    skip "--device LOOP:/dev/xvda:r" "no unused loop device"
    skip "--device LOOP:/dev/xvda" "no unused loop device"
fi
bad_device() { # bad_device NAME MESSAGE ARG
    run_minirun "${CGP[@]}" --device "$3" "$ROOTFS" true
    expect "$1" 125 "" "$2"
}
bad_device "--device of a regular file is refused, 125, one line" \
    "minirun: --device /etc/passwd: not a character or block device" /etc/passwd
bad_device "--device of a missing path is refused" \
    "minirun: --device /nonexistent: No such file or directory" /nonexistent
bad_device "--device to a container path outside /dev is refused" \
    "minirun: --device /dev/null:/etc/x: the container path must be below /dev/" /dev/null:/etc/x
bad_device "--device with .. in the container path is refused" \
    "minirun: --device /dev/null:/dev/../x: the container path must be below /dev/" /dev/null:/dev/../x
bad_device "--device with bad permissions is refused" \
    "minirun: --device /dev/null:/dev/n:rx: bad permissions 'rx' (r, w and m)" /dev/null:/dev/n:rx

# --- limits ----------------------------------------------------------------------
run_minirun "${CGP[@]}" --memory 32m -h oombox "$ROOTFS" /probe alloc 64
expect "--memory 32m: allocating 64 MiB is OOM-killed, 137, one line" 137 "" \
    "minirun: oombox: killed: out of memory (memory limit 32 MiB)"
run_minirun "${CGP[@]}" --name web -m 32m "$ROOTFS" /probe alloc 64
expect "the OOM line names --name" 137 "" "minirun: web: killed: out of memory (memory limit 32 MiB)"
run_expect "--memory 64m: 16 MiB fit" 0 "allocated 16 MiB" -- "${CGP[@]}" --memory 64m "$ROOTFS" /probe alloc 16
run_expect "a plain exit 137 is not reported as OOM" 137 "" -- "${CGP[@]}" --memory 64m "$ROOTFS" \
    sh -c 'exit 137'

run_minirun "${CGP[@]}" --pids-limit 20 "$ROOTFS" /probe fork 40
expect "--pids-limit 20: the 20th process cannot be forked" 1 "forked 19 of 40: EAGAIN"
run_expect "--pids-limit -1: unlimited" 0 "forked 40 of 40" -- "${CGP[@]}" --pids-limit -1 "$ROOTFS" /probe fork 40
run_expect "no --pids-limit: unlimited" 0 "forked 40 of 40" -- "${CGP[@]}" "$ROOTFS" /probe fork 40

"$MINIRUN" "${CGP[@]}" -h limits --memory 64m --memory-swap 96m --pids-limit 30 --cpus 1.5 --cpu-shares 512 \
    --cpuset-cpus 0 "$ROOTFS" sleep 30 > /dev/null 2>&1 &
mr=$!
at_exit "kill -KILL $mr 2>/dev/null"
if init=$(container_init "$mr"); then
    paths=$(cgroup_paths "$init")
    is "$paths" "$(want_below "$TCG" "$(basename "$(awk '$1 == "devices" { print $2 }' <<< "$paths")")" \
        cpu cpuset memory devices pids)" \
        "with every limit: cpu, cpuset, memory, devices, pids and cgroup2 (no freezer: cgroup.kill)"
    dir() { echo "/sys/fs/cgroup/$1$(awk -v h="$1" '$1 == h { print $2 }' <<< "$paths")"; }
    is "$(cat "$(dir memory)/memory.limit_in_bytes" "$(dir memory)/memory.memsw.limit_in_bytes" \
        "$(dir pids)/pids.max" "$(dir cpu)/cpu.cfs_quota_us" "$(dir cpu)/cpu.cfs_period_us" \
        "$(dir cpu)/cpu.shares" "$(dir cpuset)/cpuset.cpus")" \
        "$(printf '%s\n' 67108864 100663296 30 150000 100000 512 0)" \
        "the limits are written: memory, memory+swap, pids, cfs quota/period, shares, cpuset"
    kill -KILL "$init"
    wait_exit "$mr" 10
else
    not_ok "the limits are written" "no container init found"
fi
# --cpus, measured loosely: a loop that spins for 1 s of wall time may get
# at most about half of it as CPU time under --cpus 0.5 (the CFS quota:
# 50 ms per 100 ms period; 0.65 leaves room for a period's rounding at the
# edges), and nearly all of it without a quota -- unless others load this
# machine, in which case the unconstrained figure says nothing.
cpu_ratio() { # cpu_ratio "wall W ms cpu C ms" -> C/W with two decimals
    awk '$1 == "wall" && $2 > 0 { printf "%.2f", $5 / $2 }' <<< "$1"
}
run_minirun "${CGP[@]}" --cpus 0.5 "$ROOTFS" /probe spin 1000
r=$(cpu_ratio "$OUT")
if [ "$RC" = 0 ] && [ -n "$r" ] && awk -v r="$r" 'BEGIN { exit !(r <= 0.65) }'; then
    ok "--cpus 0.5: a 1 s busy loop gets at most 0.65 s of CPU (got $r)"
else
    not_ok "--cpus 0.5: a 1 s busy loop gets at most 0.65 s of CPU" "ratio: '$r'" "$(_result_diag)"
fi
run_minirun "${CGP[@]}" "$ROOTFS" /probe spin 1000
r=$(cpu_ratio "$OUT")
if [ "$RC" != 0 ] || [ -z "$r" ]; then
    not_ok "no --cpus: a 1 s busy loop gets at least 0.8 s of CPU" "$(_result_diag)"
elif awk -v r="$r" 'BEGIN { exit !(r >= 0.8) }'; then
    ok "no --cpus: a 1 s busy loop gets at least 0.8 s of CPU (got $r)"
else
    skip "no --cpus: a 1 s busy loop gets at least 0.8 s of CPU" \
        "the machine is loaded: only $r s of CPU per s without a quota (load average $(cut -d' ' -f1-3 /proc/loadavg))"
fi

# --- stopping minirun: whatever is left in the cgroup is killed ----------------------
# SIGTERM, SIGINT and SIGHUP to minirun are forwarded to the container's
# init, which exits on them; a grandchild that ignores all three stays until
# minirun, once the init is gone, kills the rest of the cgroup (the PID
# namespace's end kills it too: the cgroup is what also holds processes
# outside that namespace) and removes the cgroup.  minirun does not itself
# escalate to SIGKILL after a timeout: a caller that wants a docker-stop
# deadline sends a second signal or SIGKILL (then PDEATHSIG ends the
# container, and the next start sweeps the empty cgroup).
for sig in TERM INT HUP; do
    "$MINIRUN" "${CGP[@]}" "$ROOTFS" sh -c \
        'trap "exit 0" TERM INT HUP; (trap "" TERM INT HUP; exec sleep 100) & wait' \
        > /dev/null 2>&1 &
    mr=$!
    at_exit "kill -KILL $mr 2>/dev/null"
    if init=$(container_init "$mr") && wait_caught "$init" "$(kill -l "$sig")"; then
        paths=$(cgroup_paths "$init" | grep /minirun-)
        gc=""
        for _ in $(seq 100); do
            gc=$(descendants "$init" | head -n 1)
            [ -n "$gc" ] && [ "$(cat "/proc/$gc/comm" 2>/dev/null)" = sleep ] && break
            sleep 0.05
        done
        ign=$(sed -n 's/^SigIgn:\s*//p' "/proc/$gc/status" 2>/dev/null)
        if [ -n "$ign" ] && (( (16#$ign >> ($(kill -l "$sig") - 1)) & 1 )); then
            ok "SIG$sig: the container's grandchild (sleep, pid $gc) ignores SIG$sig"
        else
            not_ok "SIG$sig: the container's grandchild ignores SIG$sig" "pid '$gc', SigIgn '$ign'"
        fi
        kill "-$sig" "$mr"
        wait_exit "$mr" 10
        is "$RC" 0 "SIG$sig to minirun: forwarded, the container's init exits 0"
        left=""
        [ -n "$gc" ] && [ -e "/proc/$gc" ] && left+="process $gc "
        while read -r h p; do
            [ -d "$(mountpoint_of "$h")$p" ] && left+="$h$p "
        done <<< "$paths"
        is "$left" "" "SIG$sig to minirun: no process of the container is left, its cgroup is removed"
    else
        for t in ignores exits left; do not_ok "SIG$sig: $t" "no container init found"; done
    fi
done

# --- reading it back: --verbose and minirun inspect ----------------------------------
out=$("$MINIRUN" "${CGP[@]}" --verbose --memory 64m --pids-limit 30 --device /dev/null:/dev/n:r "$ROOTFS" \
    sh -c 'cut -d: -f3 /proc/self/cgroup | sort -u' 2>&1 >/dev/null)
cg=$(sed -n 's,^minirun: cgroup devices: .*/\(minirun-[0-9a-f]*\)$,\1,p' <<< "$out")
is "$(grep -E '^minirun: (cgroup|limit)' <<< "$out" | grep -v 'memory+swap' | sed "s,$cg,ID,")" \
    "$(printf '%s\n' "minirun: cgroup cgroup2: /sys/fs/cgroup/unified/$TCG/ID" \
        "minirun: cgroup devices: /sys/fs/cgroup/devices/$TCG/ID" \
        "minirun: cgroup pids: /sys/fs/cgroup/pids/$TCG/ID" \
        "minirun: cgroup memory: /sys/fs/cgroup/memory/$TCG/ID" \
        "minirun: limit pids: 30" "minirun: limit memory: 67108864 (64 MiB)")" \
    "--verbose: one line per cgroup path and per limit (memory+swap: only with swap accounting)"
is "$(grep '^minirun: device' <<< "$out" | tr '\n' '|')" \
    "$(printf 'minirun: device %s|' 'c *:* m' 'b *:* m' 'c 1:3 rwm' 'c 1:5 rwm' 'c 1:7 rwm' \
        'c 1:8 rwm' 'c 1:9 rwm' 'c 5:0 rwm' 'c 5:1 rwm' 'c 5:2 rwm' 'c 136:* rwm' 'c 10:200 rwm')" \
    "--verbose: one line per device rule (the kernel merges c 1:3 r into c 1:3 rwm)"

"$MINIRUN" "${CGP[@]}" --memory 48m --pids-limit 25 ${loopdev:+--device "$loopdev:/dev/xvda:r"} "$ROOTFS" \
    sleep 30 > /dev/null 2>&1 &
mr=$!
at_exit "kill -KILL $mr 2>/dev/null"
if init=$(container_init "$mr"); then
    out=$("$MINIRUN" inspect "$init")
    is "$?" 0 "minirun inspect PID of a container: exit 0"
    want=""
    while read -r h p; do
        [[ $p == */minirun-* ]] || continue
        [ "$h" = unified ] && h=cgroup2
        want+="cgroup $h: $(mountpoint_of "${h/cgroup2/unified}")$p"$'\n'
    done < <(cgroup_paths "$init")
    is "$(grep '^cgroup ' <<< "$out" | sort)" "$(sort <<< "${want%$'\n'}")" \
        "inspect: the container's cgroup paths, as /proc/PID/cgroup has them"
    is "$(grep -E '^limit (memory|pids):' <<< "$out" | sort)" \
        "$(printf '%s\n' 'limit memory: 50331648 (48 MiB)' 'limit pids: 25')" "inspect: the limits, read back"
    if [ -n "$loopdev" ]; then
        is "$(grep -cx "device b $(printf '%d:%d' "0x$(stat -c %t "$loopdev")" "0x$(stat -c %T "$loopdev")") r" <<< "$out")" 1 \
            "inspect: the --device rule is listed"
    else
        skip "inspect: the --device rule is listed" "no unused loop device"
    fi
    is "$(grep -c '^device ' <<< "$out")" "$((12 + ${loopdev:+1}))" "inspect: every device rule, one line each"
    kill -KILL "$init"
    wait_exit "$mr" 10
else
    for t in status paths limits device rules; do not_ok "inspect: $t" "no container init found"; done
fi
is "$("$MINIRUN" inspect $$ | grep '^cgroup')" \
    "cgroup: none named minirun-<id> (not a container minirun started as root)" \
    "inspect of a process minirun did not start says so"
# Without swap accounting the default memsw (2x) cannot be checked; with it, it is 2x.
# Twice a --memory above 4 EiB is past int64: memory+swap without a limit, no overflow.
if [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then
    run_expect "--memory 5000p: memory+swap (2x) unlimited" 0 "9223372036854771712" -- "${CGP[@]}" \
        --memory 5000p "$ROOTFS" cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes
else
    skip "--memory 5000p: memory+swap (2x) unlimited" "no v1 swap accounting here"
fi
run_expect "--ulimit nofile=100:200" 0 "$(printf '100\n200')" -- "${CGP[@]}" --ulimit nofile=100:200 "$ROOTFS" \
    sh -c 'ulimit -n; ulimit -Hn'

# --- bad values: one line, 125, nothing created ----------------------------------
bad() { # bad NAME PATTERN ARG...
    local name=$1 pattern=$2
    shift 2
    # Its own --cgroup-parent first: the one of a case replaces it.
    run_minirun "${CGP[@]}" "$@" "$ROOTFS" true
    expect_error "$name" 125 "$pattern"
}
bad "--memory 5m is below the minimum" "minirun: --memory 5m: the minimum memory limit is 6 MiB (6m)" --memory 5m
bad "--memory abc" "minirun: --memory abc: invalid size*" --memory abc
bad "--memory 64q" "minirun: --memory 64q: invalid size*" --memory 64q
bad "--memory-swap without --memory" "minirun: --memory-swap: needs --memory as well*" --memory-swap 1g
bad "--memory-swap below --memory" "minirun: --memory-swap 32 MiB: must be at least --memory (64 MiB)*" \
    --memory 64m --memory-swap 32m
bad "--pids-limit x" "minirun: --pids-limit x: expected a whole number*" --pids-limit x
bad "--cpus 0" "minirun: --cpus 0: the minimum is 0.01" --cpus 0
bad "--cpus abc" "minirun: --cpus abc: expected a decimal number of CPUs*" --cpus abc
bad "--cpus above the CPU count" "minirun: --cpus 999.00: the range is 0.01 to $(nproc), as there are only $(nproc) CPUs available" --cpus 999
bad "--cpu-shares 1" "minirun: --cpu-shares 1: out of range*" --cpu-shares 1
bad "--cpuset-cpus 3-1" "minirun: --cpuset-cpus 3-1: invalid CPU list*" --cpuset-cpus 3-1
bad "--cpuset-cpus on a CPU that does not exist" \
    "minirun: --cpuset-cpus 4000: not available (available: *)" --cpuset-cpus 4000
bad "--cpuset-mems 1-0" "minirun: --cpuset-mems 1-0: invalid memory node list*" --cpuset-mems 1-0
bad "--cpuset-mems on a node that does not exist" \
    "minirun: --cpuset-mems 4000: not available (available: *)" --cpuset-mems 4000
bad "--ulimit foo=1" "minirun: --ulimit foo=1: unknown limit foo*" --ulimit foo=1
bad "--ulimit soft above hard" "minirun: --ulimit nofile=2:1: the soft limit is above the hard limit" \
    --ulimit nofile=2:1
bad "--cgroup-parent with .." "minirun: --cgroup-parent ../x: '..' is not allowed" --cgroup-parent ../x
bad "--cgroup-parent deeper than 8 levels" \
    "minirun: --cgroup-parent $TCG-d/1/2/3/4/5/6/7/8: 9 levels, at most 8 (each one minirun makes is recorded for delete to remove)" \
    --cgroup-parent "$TCG-d/1/2/3/4/5/6/7/8"
is "$(ls -d /sys/fs/cgroup/*/"$TCG-d" /sys/fs/cgroup/"$TCG-d" 2> /dev/null)" "" \
    "--cgroup-parent deeper than 8 levels: nothing made in any hierarchy"
is "$(leftovers)" "" "no minirun-* cgroup is left after the runs above"

# --- --cgroup-parent ----------------------------------------------------------
at_exit "rmdir /sys/fs/cgroup/*/$cgp/minirun-* /sys/fs/cgroup/*/$cgp 2>/dev/null"
run_minirun --cgroup-parent "$cgp" "$ROOTFS" sh -c 'cat /proc/1/cgroup > /dev/null; echo ok'
expect "--cgroup-parent: the container runs" 0 ok
"$MINIRUN" --cgroup-parent "/$cgp" "$ROOTFS" sleep 30 > /dev/null 2>&1 &
mr=$!
at_exit "kill -KILL $mr 2>/dev/null"
if init=$(container_init "$mr"); then
    got=$(sed -n 's/^[0-9]*:devices:\(.*\)\/minirun-[0-9a-f]*$/\1/p' "/proc/$init/cgroup")
    is "$got" "/$cgp" "--cgroup-parent PATH is relative to the hierarchy's root"
    kill -KILL "$init"
    wait_exit "$mr" 10
else
    not_ok "--cgroup-parent PATH is relative to the hierarchy's root" "no container init found"
fi

# --- SIGKILLed minirun: the next start sweeps what it left --------------------------
# Below a --cgroup-parent of its own: a minirun started meanwhile by anyone
# else on this host must not sweep what this part leaves on purpose.
sweep="minirun-test-sweep-$$"
at_exit "rmdir /sys/fs/cgroup/*/$sweep/minirun-* /sys/fs/cgroup/*/$sweep 2>/dev/null"
"$MINIRUN" --cgroup-parent "$sweep" --memory 64m --pids-limit 50 "$ROOTFS" sleep 30 > /dev/null 2>&1 &
mr=$!
at_exit "kill -KILL $mr 2>/dev/null"
if init=$(container_init "$mr"); then
    paths=$(cgroup_paths "$init" | grep /minirun-)
    kill -KILL "$mr"
    wait "$mr" 2> /dev/null
    # PDEATHSIG kills the container; its cgroups stay, empty.
    for _ in $(seq 100); do kill -0 "$init" 2> /dev/null || break; sleep 0.05; done
    left=0
    while read -r h p; do [ -d "$(mountpoint_of "$h")$p" ] && left=$((left + 1)); done <<< "$paths"
    is "$left" 4 "after SIGKILL of a minirun with --memory and --pids-limit its 4 cgroup directories (devices, memory, pids, cgroup2) are left, empty"
    # A stale-looking container cgroup with a process in it must never be touched.
    busy="/sys/fs/cgroup/pids/$sweep/minirun-0123456789ab"
    busy2="/sys/fs/cgroup/unified/$sweep/minirun-0123456789ab"
    mkdir "$busy" "$busy2"
    sleep 30 &
    sleeper=$!
    echo "$sleeper" > "$busy/cgroup.procs"
    echo "$sleeper" > "$busy2/cgroup.procs"
    at_exit "kill -KILL $sleeper 2>/dev/null; sleep 0.1; rmdir $busy $busy2 2>/dev/null"
    # Without limits: the memory and pids directories are found by name from the cgroup2 one.
    run_expect "the next start (no limits) runs" 0 ok -- --cgroup-parent "$sweep" "$ROOTFS" echo ok
    left=""
    while read -r h p; do [ -d "$(mountpoint_of "$h")$p" ] && left+="$h$p "; done <<< "$paths"
    is "$left" "" "the next start removed the empty stale cgroups, also in memory and pids"
    if [ -d "$busy" ] && [ -d "$busy2" ]; then
        ok "a minirun-* cgroup with a process in it is left alone"
    else
        not_ok "a minirun-* cgroup with a process in it is left alone"
    fi
    kill -KILL "$sleeper"
    wait "$sleeper" 2> /dev/null
    for _ in $(seq 100); do rmdir "$busy" "$busy2" 2> /dev/null && break; sleep 0.02; done
    rmdir /sys/fs/cgroup/*/"$sweep" 2> /dev/null
else
    for t in left swept next busy; do not_ok "SIGKILL sweep: $t" "no container init found"; done
fi
# --- /sys/fs/cgroup in the container ---------------------------------------------
# A cgroup namespace rooted at the container's cgroups and each hierarchy it
# has one in mounted read-only below a tmpfs, as Docker (runc) on cgroup v1.
# The freezer is joined only where cgroup2 has no cgroup.kill: left out.
# shellcheck disable=SC2016
cg_mounts='awk '"'"'$5 ~ "^/sys/fs/cgroup" { split($6, o, ","); for (i = 7; $i != "-"; i++) {}; print $5, o[1], $(i + 1) }'"'"' /proc/self/mountinfo | sort'
run_expect "/sys/fs/cgroup lists the hierarchies the container has its own cgroup in" 0 \
    "$(printf '%s\n' devices memory pids unified)" -- "${CGP[@]}" --memory 64m --pids-limit 50 \
    "$ROOTFS" sh -c 'ls /sys/fs/cgroup | grep -vx freezer'
run_expect "/sys/fs/cgroup: a read-only tmpfs, each hierarchy a read-only cgroup mount" 0 \
    "$(printf '%s\n' '/sys/fs/cgroup ro tmpfs' '/sys/fs/cgroup/devices ro cgroup' \
        '/sys/fs/cgroup/memory ro cgroup' '/sys/fs/cgroup/pids ro cgroup' \
        '/sys/fs/cgroup/unified ro cgroup2')" -- "${CGP[@]}" --memory 64m --pids-limit 50 \
    "$ROOTFS" sh -c "$cg_mounts | grep -v /freezer"
# The limits are the container's own cgroup's: the mount's root is that cgroup.
run_expect "each mount's root is the container's own cgroup (its limits, no parent, no child)" 0 \
    "$(printf '%s\n' 67108864 50 '' /)" -- "${CGP[@]}" --memory 64m --pids-limit 50 "$ROOTFS" \
    sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
           find /sys/fs/cgroup/devices /sys/fs/cgroup/pids /sys/fs/cgroup/unified -mindepth 1 -type d
           echo; sed -n "s/^[0-9]*:pids://p" /proc/self/cgroup'
# Only the container's processes: a process outside its pid namespace would be listed as 0.
run_expect "pids/cgroup.procs holds the shell's pid and only the container's" 0 \
    "$(printf '%s\n' shell 0)" -- "${CGP[@]}" --pids-limit 50 "$ROOTFS" \
    sh -c 'grep -qx $$ /sys/fs/cgroup/pids/cgroup.procs && echo shell
           grep -cx 0 /sys/fs/cgroup/pids/cgroup.procs /sys/fs/cgroup/devices/cgroup.procs | grep -v :0$
           grep -cx 0 /sys/fs/cgroup/unified/cgroup.procs || true'
run_expect "/sys/fs/cgroup is read-only (EROFS), also for root in the container" 0 \
    "$(printf '%s\n' EROFS EROFS EROFS)" -- "${CGP[@]}" --pids-limit 50 "$ROOTFS" \
    sh -c '/probe open /sys/fs/cgroup/pids/pids.max w; /probe open /sys/fs/cgroup/x c
           /probe open /sys/fs/cgroup/devices/devices.allow w || true'
# CVE-2022-0492: release_agent exists only in a hierarchy's root cgroup.
run_expect "no release_agent anywhere under /sys/fs/cgroup (CVE-2022-0492)" 0 "" -- \
    "${CGP[@]}" --memory 64m --pids-limit 50 "$ROOTFS" find /sys/fs/cgroup -name release_agent
run_expect "--privileged: the same mounts, read-write (as Docker), no release_agent" 0 \
    "$(printf '%s\n' '/sys/fs/cgroup rw tmpfs' '/sys/fs/cgroup/devices rw cgroup' \
        '/sys/fs/cgroup/pids rw cgroup' '/sys/fs/cgroup/unified rw cgroup2')" -- \
    "${CGP[@]}" --privileged --pids-limit 50 "$ROOTFS" \
    sh -c "$cg_mounts | grep -v /freezer; find /sys/fs/cgroup -name release_agent"
# --- cgroup v1 without cgroup2 (no cgroup.kill) ------------------------------------
# In a private mount namespace whose /sys/fs/cgroup has the v1 hierarchies
# only (tests/helpers/v1-only-cgroups.sh).  A container whose pid namespace
# is its own gets no freezer cgroup: when its init dies the kernel kills and
# reaps every other process of the namespace before the init's exit is
# reported.  An OCI container, which `pause` freezes and which may outlive
# minirun, still gets one.
V1=$(cd "$(dirname "${BASH_SOURCE[0]}")/../helpers" && pwd)/v1-only-cgroups.sh
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m bash -c '. "$1"; v1_only_cgroups; shift; exec "$@"' _ "$V1" \
    "$MINIRUN" "${CGP[@]}" "$ROOTFS" sh -c 'sleep 1000 & exec sleep 30' > /dev/null 2>&1 &
mr=$!
at_exit "kill -KILL $mr 2>/dev/null"
if init=$(container_init "$mr"); then
    is "$(sed -n 's/^[0-9]*:freezer://p' "/proc/$init/cgroup") $(sed -n 's/^[0-9]*:devices:.*\/\(minirun-\).*/\1/p' "/proc/$init/cgroup")" \
        "$(own freezer) minirun-" \
        "v1 only: a devices cgroup, no freezer cgroup (the pid namespace is the container's own)"
    bg=""
    for _ in $(seq 100); do
        bg=$(for d in $(descendants "$init"); do
            [ "$(tr '\0' ' ' < "/proc/$d/cmdline" 2>/dev/null)" = "sleep 1000 " ] && echo "$d"; done)
        [ -n "$bg" ] && break
        sleep 0.05
    done
    kill -KILL "$init"
    wait_exit "$mr" 10
    if [ -n "$bg" ] && ! kill -0 "$bg" 2> /dev/null; then
        ok "v1 only: the init's death took the process it left behind with it"
    else
        not_ok "v1 only: the init's death took the process it left behind with it" "pid '${bg}' still there or not found"
    fi
    is "$RC $(leftovers)" "137 " "v1 only: exit 137, no minirun-* cgroup left"
else
    for t in "no freezer" "nothing left" "exit"; do not_ok "v1 only: $t" "no container init found"; done
fi
oci_state
(cd "$BUNDLE" && "$MINIRUN" spec)
jq --arg root "$ROOTFS" '.root.path = $root | .process.terminal = false
    | .process.args = ["sleep", "30"]' "$BUNDLE/config.json" > "$BUNDLE/c.json" &&
    mv "$BUNDLE/c.json" "$BUNDLE/config.json"
# shellcheck disable=SC2016 # expanded by the inner shell
run_cmd unshare -m bash -c '. "$1"; v1_only_cgroups; m=$2 s=$3 b=$4
    "$m" --root "$s" run --detach --bundle "$b" v1 || exit
    f=/sys/fs/cgroup/freezer$(sed -n "s/^[0-9]*:freezer://p" "/proc/$(jq -r .pid "$s/v1/state.json")/cgroup")
    case ${f##*/} in minirun-?*) echo "its own: minirun-*" ;; *) echo "$f" ;; esac
    "$m" --root "$s" pause v1 && cat "$f/freezer.state"
    "$m" --root "$s" resume v1 && cat "$f/freezer.state"
    "$m" --root "$s" delete --force v1 && [ ! -d "$f" ] && echo removed' _ "$V1" "$MINIRUN" "$STATE" "$BUNDLE"
expect "v1 only, OCI: a freezer cgroup, which pause and resume use; removed by delete" 0 \
    "$(printf '%s\n' "its own: minirun-*" FROZEN THAWED removed)"

# A container that can make a cgroup namespace of its own (no filter stops
# it) gets it rooted at its cgroup in each hierarchy: where it had none, that
# was minirun's, the host's, which it could then mount from a user namespace
# of its own and write as its owner.  So it gets one in every v1 hierarchy.
# $1: what it runs with (for the names); the rest: minirun's options.
every_hierarchy() {
    local what=$1
    shift
    : > "$TESTS_TMP/ns-root"
    "$MINIRUN" "$@" "$ROOTFS" /bin/sh -c \
        'mkdir /tmp/m && /probe cgroupns pids /tmp/m; exec sleep 30' > "$TESTS_TMP/ns-root" 2>&1 &
    local mr=$!
    local init
    init=$(container_init "$mr")
    for _ in $(seq 100); do [ -s "$TESTS_TMP/ns-root" ] && break; sleep 0.05; done
    if [ -n "$init" ]; then
        is "$(grep -vc ':/.*minirun-[0-9a-f]*$' "/proc/$init/cgroup")" 0 \
            "$what: a cgroup of its own in every hierarchy (runc's), name=systemd too"
        local own_pids name
        own_pids=/sys/fs/cgroup/pids$(sed -n 's/^[0-9]*:pids://p' "/proc/$init/cgroup")
        name="$what: a cgroup namespace the container makes is rooted at its own pids cgroup"
        if [[ $own_pids == */minirun-* ]] && [ "$(cat "$TESTS_TMP/ns-root")" = "$(stat -c %i "$own_pids")" ]; then
            ok "$name"
        else
            not_ok "$name" "its pids cgroup: $own_pids (inode $(stat -c %i "$own_pids")); the namespace's root: $(cat "$TESTS_TMP/ns-root")"
        fi
    else
        for t in "a cgroup of its own in every hierarchy" "its cgroup namespace rooted at its own"; do
            not_ok "$what: $t" "no container init found"
        done
    fi
    kill "$mr" 2> /dev/null
    wait_exit "$mr" 10
}
every_hierarchy unconfined --seccomp=unconfined
# Not only when nothing is filtered: a profile file whose rules let unshare
# through (found by walking its program, the flag bit known, the rest not).
allow_ns=${MR_SECCOMP_IT_DATA:-$(dirname "${BASH_SOURCE[0]}")/../data/seccomp-it}/allow-unshare.json
every_hierarchy "a profile file that lets unshare through" --seccomp "$allow_ns"
# And one that refuses CLONE_NEWCGROUP, whatever the other flags, does not
# need them: its layout is the default's.
no_ns=${allow_ns%/*}/no-cgroupns.json
count='grep -c ":/.*minirun-[0-9a-f]*$" /proc/self/cgroup'
run_minirun "$ROOTFS" /bin/sh -c "$count"
default_n=$OUT
run_expect "a profile file that refuses CLONE_NEWCGROUP: as many cgroups as the default ($default_n), EPERM" \
    0 "$default_n
EPERM" -- --seccomp "$no_ns" "$ROOTFS" /bin/sh -c "$count; mkdir /tmp/m; /probe cgroupns pids /tmp/m; true"
run_expect "the default profile: the container cannot make one (EPERM)" 0 "EPERM" -- \
    "$ROOTFS" /bin/sh -c 'mkdir /tmp/m; /probe cgroupns pids /tmp/m; true'
# A /proc/self/cgroup longer than 4 KiB (a container engine nested under
# long cgroup paths): minirun reads all of it.  It used to read its first
# 4 KiB only, which cut a hierarchy's line short (here the devices one,
# below lines of about 1 KiB each: the start failed) and dropped the lines
# after it.  The test's own process goes into cgroups the test makes, four
# long names deep in every hierarchy below its own.
long_top="mrlong-$$-$(printf 'a%.0s' {1..200})"
long_name=$(printf 'b%.0s' {1..240})
long_dirs=() long_rm=()
while IFS=: read -r _ ctrls path; do
    if [ -z "$ctrls" ]; then
        mnt=/sys/fs/cgroup/unified
    else
        mnt=/sys/fs/cgroup/${ctrls#name=}
    fi
    [ -d "$mnt" ] || continue
    d=${mnt}${path%/}
    for n in "$long_top" "$long_name" "$long_name" "$long_name"; do
        d=$d/$n
        mkdir "$d" || break
        long_rm=("$d" "${long_rm[@]}")
        # A new cpuset cgroup has no CPU and no memory node: no task could join it.
        if [ -f "$d/cpuset.cpus" ]; then
            cat "${d%/*}/cpuset.cpus" > "$d/cpuset.cpus"
            cat "${d%/*}/cpuset.mems" > "$d/cpuset.mems"
        fi
    done
    long_dirs+=("$d")
done < /proc/self/cgroup
# Inner directories first (long_rm is in the reverse order of the mkdirs).
at_exit "rmdir $(printf '%q ' "${long_rm[@]}") 2>/dev/null"
# shellcheck disable=SC2154 # MINIRUN and ROOTFS come from lib.sh's require_env
run_cmd bash -c 'for d in "${@:3}"; do echo $$ > "$d/cgroup.procs" || exit 99; done
    wc -c < /proc/self/cgroup
    exec "$1" "$2" /bin/sh -c "echo ran"' _ "$MINIRUN" "$ROOTFS" "${long_dirs[@]}"
long_size=${OUT%%$'\n'*}
if [ "$RC" = 99 ] || [ "${long_size:-0}" -le 4096 ]; then
    not_ok "a /proc/self/cgroup longer than 4 KiB: set up" "$(_result_diag)"
else
    is "$RC ${OUT#*$'\n'}" "0 ran" "a /proc/self/cgroup of $long_size bytes: the container starts"
    is "$(find "${long_dirs[@]}" -mindepth 1 -maxdepth 1 -name 'minirun-*' 2>/dev/null)" "" \
        "and its cgroups below those long paths are removed"
fi

is "$(leftovers)" "" "no minirun-* cgroup is left at the end"
is "$(find /sys/fs/cgroup/*/ -maxdepth 3 -name "$cgp" 2> /dev/null)" "" "the --cgroup-parent directories minirun made are removed"

done_testing
