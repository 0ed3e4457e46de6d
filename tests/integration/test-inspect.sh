#!/bin/bash
# minirun inspect PID [--seccomp=PROFILE]: the filters of running containers,
# read back from the kernel, and whether they are exactly what PROFILE
# compiles to.  Containers run `sleep 30` in the background and are killed at
# the end (and on any exit).
#
# Environment (tests/meson.build): MR_EXAMPLES (examples/profiles).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXAMPLES=${MR_EXAMPLES:-$here/../../examples/profiles}
[ -f "$EXAMPLES/no-mkdir.json" ] || missing_tool "no example profiles in MR_EXAMPLES=$EXAMPLES"
export MINIRUN_SECCOMP_CACHE=0
# The expected lines assume a caller without filters of its own (filter 0 is
# the container's and there is no other).
[ "$(sed -n 's/^Seccomp:\t//p' /proc/self/status)" = 0 ] ||
    skip_all "the caller already runs under seccomp"

NO_MKDIR=$EXAMPLES/no-mkdir.json
LOG_ALL=$EXAMPLES/log-all.json
DOCKER_BND=00000000a80425fb
SYSADMIN_BND=00000000a82425fb # Docker's 14 and CAP_SYS_ADMIN (21)

# n_insns PROFILE [ARG...]: the program's length, from `minirun profile explain
# --format=bpf` (one line per instruction).
n_insns() {
    "$MINIRUN" profile explain "$@" --format=bpf 2> /dev/null | grep -c '^ [0-9a-f]\{4\}: '
}

# start NAME MINIRUN-ARG...: start a container running `sleep 30` (the ones
# named vforkwait and addfilter: `/probe NAME`); sets MPID_NAME (minirun) and
# CPID_NAME (the container's host pid, empty on failure).
declare -A MPID CPID
start() {
    local name=$1
    local -a cmd=(sleep 30)
    case $name in vforkwait | addfilter) cmd=(/probe "$name") ;; esac
    shift
    "$MINIRUN" "$@" "$ROOTFS" "${cmd[@]}" < /dev/null > /dev/null 2> "$TESTS_TMP/$name.err" &
    MPID[$name]=$!
    at_exit "stop $name"
    CPID[$name]=$(container_init "${MPID[$name]}") || CPID[$name]=
}
# stop NAME: kill the container and reap minirun.
stop() {
    local m=${MPID[$1]:-} c=${CPID[$1]:-}
    [ -n "$m" ] || return 0
    [ -n "$c" ] && kill -KILL "$c" 2> /dev/null
    kill -0 "$m" 2> /dev/null && wait_exit "$m" 10
    kill -KILL "$m" 2> /dev/null
    MPID[$1]=
}

start nomkdir --seccomp="$NO_MKDIR"
start default
start sysadmin --cap-add SYS_ADMIN
start nnp --seccomp="$LOG_ALL" --security-opt no-new-privileges
start unconfined --seccomp=unconfined
start report --seccomp="$NO_MKDIR" --seccomp-report
start complain --seccomp="$NO_MKDIR" --seccomp-complain
start vforkwait
start addfilter
for n in nomkdir default sysadmin nnp unconfined report complain vforkwait addfilter; do
    if [ -n "${CPID[$n]}" ]; then
        ok "container $n started"
    else
        not_ok "container $n started" "$(cat "$TESTS_TMP/$n.err")"
    fi
done

# run_inspect ARG...: minirun inspect, without the cgroup lines (cgroup,
# limit, device: tested in test-cgroups.sh), which come after the header.
run_inspect() {
    run_minirun inspect "$@"
    CGLINES=$(grep -cE '^(cgroup|limit|device) ' <<< "$OUT")
    OUT=$(grep -vE '^(cgroup|limit|device) ' <<< "$OUT")
}

# header PID SECCOMP FILTERS NNP CAPBND
header() {
    local mode=none
    [ "$2" = 2 ] && mode=filter
    printf 'pid %s (%s): Seccomp: %s (%s), Seccomp_filters: %s, NoNewPrivs: %s, CapBnd: %s' \
        "$1" "${COMM:-sleep}" "$2" "$mode" "$3" "$4" "$5"
}

p=${CPID[nomkdir]:-0}
n=$(n_insns "$NO_MKDIR")
run_inspect "$p" --seccomp="$NO_MKDIR"
expect "no-mkdir container: matches no-mkdir.json" 0 "$(header "$p" 2 1 0 $DOCKER_BND)
filter 0 (installed last, runs first): $n instructions, flags: none
filter 0 matches $NO_MKDIR exactly ($n instructions, compiled for CapBnd $DOCKER_BND)"

run_inspect "$p"
expect "no-mkdir container: without --seccomp, the filters only" 0 "$(header "$p" 2 1 0 $DOCKER_BND)
filter 0 (installed last, runs first): $n instructions, flags: none"
if [ "$(id -u)" = 0 ]; then
    is "$((CGLINES >= 14))" 1 "as root: the container's cgroups and device rules are shown too ($CGLINES lines)"
fi

run_inspect "$p" --seccomp=runtime/default
# shellcheck disable=SC2053 # a glob on purpose
if [ "$RC" = 1 ] && [ -z "$ERR" ] && [[ $OUT == "$(header "$p" 2 1 0 $DOCKER_BND)
filter 0 (installed last, runs first): $n instructions, flags: none
filter 0 differs from runtime/default: $n instructions installed, "[0-9]*" compiled (CapBnd $DOCKER_BND); first difference at instruction "[0-9]* ]]; then
    ok "no-mkdir container: differs from runtime/default, exit 1"
else
    not_ok "no-mkdir container: differs from runtime/default, exit 1" "$(_result_diag)"
fi

p=${CPID[default]:-0}
run_inspect "$p" --seccomp=runtime/default
n=$(printf '%s\n' "$OUT" | sed -n 's/^filter 0 (installed last, runs first): \([0-9]*\) instructions, flags: none$/\1/p')
expect "default container: matches runtime/default" 0 "$(header "$p" 2 1 0 $DOCKER_BND)
filter 0 (installed last, runs first): $n instructions, flags: none
filter 0 matches runtime/default exactly ($n instructions, compiled for CapBnd $DOCKER_BND)"
default_n=$n
run_inspect "$p" --seccomp="$NO_MKDIR"
if [ "$RC" = 1 ] && [[ $OUT == *"
filter 0 differs from $NO_MKDIR: $default_n instructions installed, $(n_insns "$NO_MKDIR") compiled (CapBnd $DOCKER_BND); first difference at instruction "[0-9]* ]]; then
    ok "default container: differs from no-mkdir.json, exit 1"
else
    not_ok "default container: differs from no-mkdir.json, exit 1" "$(_result_diag)"
fi

p=${CPID[sysadmin]:-0}
run_inspect "$p" --seccomp=runtime/default
n=$(printf '%s\n' "$OUT" | sed -n 's/^filter 0 (installed last, runs first): \([0-9]*\) instructions, flags: none$/\1/p')
expect "--cap-add SYS_ADMIN: matches runtime/default compiled for its bounding set" 0 \
    "$(header "$p" 2 1 0 $SYSADMIN_BND)
filter 0 (installed last, runs first): $n instructions, flags: none
filter 0 matches runtime/default exactly ($n instructions, compiled for CapBnd $SYSADMIN_BND)"
is "$([ -n "$n" ] && [ "$n" != "$default_n" ] && echo different)" different \
    "--cap-add SYS_ADMIN: a different program than the default container's"

# The workload adds a filter of its own: the kernel numbers filters from the
# oldest, so minirun's stays filter 0 (installed first, runs last) and the
# workload's, filter 1, is the one installed last that runs first.
p=${CPID[addfilter]:-0}
for _ in $(seq 200); do
    [ "$(sed -n 's/^Seccomp_filters:\t//p' "/proc/$p/status" 2> /dev/null)" = 2 ] && break
    sleep 0.05
done
run_inspect "$p" --seccomp=runtime/default
expect "a workload's own filter: filter 1 runs first, filter 0 still matches runtime/default" 0 \
    "$(COMM=probe header "$p" 2 2 1 $DOCKER_BND)
filter 0 (installed first, runs last): $default_n instructions, flags: none
filter 1 (installed last, runs first): 3 instructions, flags: none
filter 0 matches runtime/default exactly ($default_n instructions, compiled for CapBnd $DOCKER_BND)"

p=${CPID[nnp]:-0}
n=$(n_insns "$LOG_ALL")
run_inspect "$p" --seccomp="$LOG_ALL"
expect "log-all with no-new-privileges: NoNewPrivs 1, matches" 0 "$(header "$p" 2 1 1 $DOCKER_BND)
filter 0 (installed last, runs first): $n instructions, flags: none
filter 0 matches $LOG_ALL exactly ($n instructions, compiled for CapBnd $DOCKER_BND)"

p=${CPID[unconfined]:-0}
run_inspect "$p"
expect "unconfined container: Seccomp 0, no filter lines" 0 "$(header "$p" 0 0 0 $DOCKER_BND)"
run_inspect "$p" --seccomp=runtime/default
expect "unconfined container vs runtime/default: exit 1" 1 "$(header "$p" 0 0 0 $DOCKER_BND)
no filter installed, but runtime/default was given"
# "unconfined" is what this container was given: it matches.
run_inspect "$p" --seccomp=unconfined
if [ "$RC" = 0 ] && [ -z "$ERR" ] && [[ $OUT == "$(header "$p" 0 0 0 $DOCKER_BND)"* ]]; then
    ok "unconfined container vs unconfined: exit 0"
else
    not_ok "unconfined container vs unconfined: exit 0" "$(_result_diag)"
fi

# --- observed containers: the profile's program with USER_NOTIF returns ----------
n=$(n_insns "$NO_MKDIR")
p=${CPID[report]:-0}
run_inspect "$p" --seccomp="$NO_MKDIR"
expect "--seccomp-report container: named, enforced, exit 0" 0 "$(header "$p" 2 1 0 $DOCKER_BND)
filter 0 (installed last, runs first): $n instructions, flags: none
filter 0 is the --seccomp-report program of $NO_MKDIR: the profile's own program with USER_NOTIF in place of refusals, which minirun answers as the profile would: enforced ($n instructions, compiled for CapBnd $DOCKER_BND)"
p=${CPID[complain]:-0}
run_inspect "$p" --seccomp="$NO_MKDIR"
expect "--seccomp-complain container: named, not enforced, exit 1" 1 "$(header "$p" 2 1 0 $DOCKER_BND)
filter 0 (installed last, runs first): $n instructions, flags: none
filter 0 is the --seccomp-complain program of $NO_MKDIR: the profile's own program with USER_NOTIF in place of refusals, which minirun reports and lets run: not enforced ($n instructions, compiled for CapBnd $DOCKER_BND)"

# --- bad input ----------------------------------------------------------------
true &
gone=$!
wait "$gone"
run_minirun inspect "$gone"
expect_error "a pid that does not exist: 125" 125 "minirun: inspect $gone: No such file or directory"
run_minirun inspect abc
expect_error "not a pid: 125" 125 "minirun: inspect: 'abc' is not a process id"
run_minirun inspect 0
expect_error "pid 0: 125" 125 "minirun: inspect: '0' is not a process id"
run_minirun inspect
expect_error "no pid: 125" 125 "minirun: inspect: no PID given (see minirun inspect --help)"
run_minirun inspect "${CPID[nomkdir]:-1}" --bogus
expect_error "unknown option: 125" 125 "minirun: inspect: unexpected argument '--bogus' (see minirun inspect --help)"
run_minirun inspect "${CPID[nomkdir]:-1}" --seccomp="$TESTS_TMP/none.json"
if [ "$RC" = 125 ] && [[ $ERR == "minirun: inspect: "*"$TESTS_TMP/none.json"* ]]; then
    ok "a profile that does not exist: 125"
else
    not_ok "a profile that does not exist: 125" "$(_result_diag)"
fi

# A process that never reaches a ptrace stop (a vfork parent sleeps in the
# kernel until its child execs or exits): inspect gives up after 2 s instead of
# waiting for as long as the process chooses.
p=${CPID[vforkwait]:-0}
for _ in $(seq 200); do
    grep -q '^State:[[:space:]]*D' "/proc/$p/status" 2> /dev/null && break
    sleep 0.05
done
t0=$(date +%s%N)
run_cmd timeout 10 "$MINIRUN" inspect "$p"
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$RC" = 125 ] && [ "$ERR" = "minirun: inspect $p: the process did not stop within 2000 ms (it is in a kernel wait such as vfork's or a blocked file system request): its filters cannot be read now" ] &&
    [ "$ms" -lt 10000 ]; then
    ok "a process in vfork's wait: 125 after 2 s (${ms} ms), not a hang"
else
    not_ok "a process in vfork's wait: 125 after 2 s, not a hang" "$ms ms; $(_result_diag)"
fi

# --- no leftovers ---------------------------------------------------------------
left=
for n in nomkdir default sysadmin nnp unconfined report complain vforkwait addfilter; do
    stop "$n"
    c=${CPID[$n]:-}
    [ -n "$c" ] && kill -0 "$c" 2> /dev/null && left="$left $c"
done
is "$left" "" "every container is gone"

done_testing
