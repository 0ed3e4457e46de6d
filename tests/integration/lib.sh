# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are used by the scripts that source it)
# Shared helpers for minirun's integration tests (TAP producers).
#
# Environment (meson's tests/meson.build sets all of them):
#   MINIRUN   the minirun binary under test
#   ROOTFS    the busybox rootfs built by tests/setup-rootfs.sh (with /probe)
#   MINIRUN_UNDER_MESON=1
#             meson's TAP protocol counts any non-zero exit as an ERROR, so
#             under meson a skipped script prints "1..0 # SKIP reason" and
#             exits 0, and a script with failures exits 0 (its "not ok" lines
#             already fail it).  Run by hand, a skipped script exits 77 and a
#             failing one exits 1.
#
# Every check compares exact values and, on failure, prints what was expected
# and what was seen as TAP diagnostics.

set -u

_tap_n=0
_tap_failed=0
_tap_planned=

TESTS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/minirun-test.XXXXXX")
_cleanup_hooks=()
_lib_cleanup() {
    local h
    for h in "${_cleanup_hooks[@]}"; do
        eval "$h" || true
    done
    rm -rf "$TESTS_TMP"
}
trap _lib_cleanup EXIT
# Run "$1" (a command string) when the script exits.
at_exit() { _cleanup_hooks+=("$1"); }

diag() {
    local line
    while IFS= read -r line; do
        printf '# %s\n' "$line"
    done <<< "$*"
}

plan() { _tap_planned=$1; echo "1..$1"; }

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }

# not_ok NAME [DIAGNOSTIC...]
not_ok() {
    _tap_n=$((_tap_n + 1))
    _tap_failed=$((_tap_failed + 1))
    echo "not ok $_tap_n - $1"
    shift
    [ $# -gt 0 ] && diag "$*"
    return 0
}

# skip NAME REASON
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP $2"; }

# skip_all REASON: the whole script cannot run here.
skip_all() {
    echo "1..0 # SKIP $*"
    if [ "${MINIRUN_UNDER_MESON:-0}" = 1 ]; then
        exit 0
    fi
    exit 77
}

done_testing() {
    if [ -z "$_tap_planned" ]; then
        echo "1..$_tap_n"
    elif [ "$_tap_planned" != "$_tap_n" ]; then
        diag "planned $_tap_planned tests but ran $_tap_n"
        _tap_failed=$((_tap_failed + 1))
    fi
    if [ "$_tap_failed" -gt 0 ] && [ "${MINIRUN_UNDER_MESON:-0}" != 1 ]; then
        exit 1
    fi
    exit 0
}

# missing_tool REASON: something the tests need is not installed.  A skip on
# a developer's machine; in CI (CI=true), where tests/run-all.sh installed
# everything, an error, so that CI can never pass by skipping.
missing_tool() {
    if [ "${CI:-}" = true ]; then
        echo "Bail out! $*"
        exit 1
    fi
    skip_all "$@"
}

# Check the environment every script needs.
require_env() {
    [ -n "${MINIRUN:-}" ] || missing_tool "MINIRUN is not set (the minirun binary under test)"
    [ -x "$MINIRUN" ] || missing_tool "MINIRUN=$MINIRUN is not executable"
    [ -n "${ROOTFS:-}" ] || missing_tool "ROOTFS is not set (run tests/setup-rootfs.sh)"
    [ -x "$ROOTFS/bin/busybox" ] ||
        missing_tool "no busybox in ROOTFS=$ROOTFS (apt-get install busybox-static; tests/setup-rootfs.sh)"
    [ -x "$ROOTFS/probe" ] || missing_tool "no /probe in ROOTFS=$ROOTFS"
}

# oci_state: for the runtime commands, STATE (their --root), BUNDLE (made) and
# R=(--root STATE), jq required; every container left in STATE is deleted at exit.
oci_state() {
    command -v jq > /dev/null || missing_tool "jq is not installed (apt-get install jq)"
    STATE=$TESTS_TMP/state
    BUNDLE=$TESTS_TMP/bundle
    R=(--root "$STATE")
    mkdir -p "$BUNDLE"
    # shellcheck disable=SC2016 # expanded when the hook runs
    at_exit 'for d in "$STATE"/*/; do [ -d "$d" ] && "$MINIRUN" "${R[@]}" delete --force "$(basename "$d")"; done'
}

require_root() {
    [ "$(id -u)" = 0 ] || missing_tool "needs root (minirun's rootful mode)"
}

# Seconds a single minirun run may take before it is killed.
RUN_TIMEOUT=${RUN_TIMEOUT:-20}

# run_minirun ARG...: run "$MINIRUN" ARG... with stdin from /dev/null (or
# from the file $STDIN_FILE when set).  Sets OUT and ERR (stdout and stderr,
# without the final newline, as $(...) would) and RC (the exit status).
run_minirun() {
    run_cmd "$MINIRUN" "$@"
}

# run_cmd CMD ARG...: the same for any command.
run_cmd() {
    local stdin=${STDIN_FILE:-/dev/null}
    timeout -k 5 "$RUN_TIMEOUT" "$@" < "$stdin" > "$TESTS_TMP/out" 2> "$TESTS_TMP/err"
    RC=$?
    OUT=$(cat "$TESTS_TMP/out")
    ERR=$(cat "$TESTS_TMP/err")
    if [ "$RC" = 124 ]; then
        ERR="$ERR
(timed out after ${RUN_TIMEOUT}s)"
    fi
}

_show() { printf '%s' "$1" | sed -n l; }

# _result_diag: the last run, for diagnostics.
_result_diag() {
    printf 'exit status: %s\nstdout:\n%s\nstderr:\n%s' "$RC" "$(_show "$OUT")" "$(_show "$ERR")"
}

# is GOT EXPECTED NAME: exact string comparison.
is() {
    if [ "$1" == "$2" ]; then
        ok "$3"
    else
        not_ok "$3" "expected: $(_show "$2")
got:      $(_show "$1")"
    fi
}

# expect NAME RC STDOUT [STDERR]: the last run exited with RC and printed
# exactly STDOUT and STDERR (default: nothing on stderr).
expect() {
    local name=$1 rc=$2 out=$3 err=${4-}
    if [ "$RC" == "$rc" ] && [ "$OUT" == "$out" ] && [ "$ERR" == "$err" ]; then
        ok "$name"
    else
        not_ok "$name" "expected exit status $rc, stdout $(_show "$out"), stderr $(_show "$err")
$(_result_diag)"
    fi
}

# expect_error NAME RC PATTERN: the last run exited with RC, printed nothing
# on stdout and exactly one line on stderr, which starts with "minirun: " and
# matches the glob PATTERN (e.g. "minirun: *4294967296*").
# shellcheck disable=SC2053 # PATTERN is a glob on purpose
expect_error() {
    local name=$1 rc=$2 pattern=$3
    if [ "$RC" == "$rc" ] && [ -z "$OUT" ] && [[ $ERR != *$'\n'* ]] &&
        [[ $ERR == "minirun: "* ]] && [[ $ERR == $pattern ]]; then
        ok "$name"
    else
        not_ok "$name" "expected exit status $rc, no stdout and one stderr line matching $(_show "$pattern")
$(_result_diag)"
    fi
}

# run_expect NAME RC STDOUT -- MINIRUN-ARG...: run and check (stderr empty).
run_expect() {
    local name=$1 rc=$2 out=$3
    shift 3
    [ "$1" = -- ] && shift
    run_minirun "$@"
    expect "$name" "$rc" "$out"
}

# The capability sets minirun must give, as /proc/self/status prints them.
DOCKER_CAPS=00000000a80425fb
NO_CAPS=0000000000000000
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# caps_lines INH PRM EFF BND AMB: what "/probe status CapInh CapPrm CapEff
# CapBnd CapAmb" prints for these sets.
caps_lines() { printf '%s\n%s\n%s\n%s\n%s' "$@"; }

# Processes: the host pids of all descendants of PID.
descendants() {
    local root=$1 f pid rest
    local -a fields
    local -A kids=()
    for f in /proc/[0-9]*/stat; do
        # pid (comm) state ppid ...; comm may contain spaces and parentheses
        read -r rest < "$f" 2>/dev/null || continue
        pid=${rest%% *}
        rest=${rest##*) }
        read -r -a fields <<< "$rest"
        kids[${fields[1]}]="${kids[${fields[1]}]:-} $pid"
    done
    local queue=("$root") p c
    while [ ${#queue[@]} -gt 0 ]; do
        p=${queue[0]}
        queue=("${queue[@]:1}")
        for c in ${kids[$p]:-}; do
            echo "$c"
            queue+=("$c")
        done
    done
}

# container_init MINIRUN_PID: the host pid of the container's PID 1 (a
# descendant of MINIRUN_PID whose innermost pid is 1).  Waits up to 10 s.
container_init() {
    local i d nspid
    for i in $(seq 200); do
        for d in $(descendants "$1"); do
            nspid=$(sed -n 's/^NSpid:\s*//p' "/proc/$d/status" 2>/dev/null)
            if [ "${nspid##*[[:space:]]}" = 1 ] && [ "$nspid" != 1 ]; then
                echo "$d"
                return 0
            fi
        done
        kill -0 "$1" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# wait_caught PID SIGNUM: wait (up to 10 s) until PID has a handler for SIGNUM.
wait_caught() {
    local i cgt
    for i in $(seq 200); do
        cgt=$(sed -n 's/^SigCgt:\s*//p' "/proc/$1/status" 2>/dev/null)
        if [ -n "$cgt" ] && (( (16#$cgt >> ($2 - 1)) & 1 )); then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# wait_exit PID SECONDS: wait for a background job; sets RC (124 on timeout,
# after which the job is killed).
wait_exit() {
    local pid=$1
    for _ in $(seq $(($2 * 20))); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"
            RC=$?
            return 0
        fi
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    RC=124
}

# own_mounts [PATH...]: the host's mountinfo lines that concern this test:
# those whose root or mount point lies in $TESTS_TMP, $ROOTFS or a PATH.
# A mount a container leaked onto the host shows one of them (a bind keeps
# its source's path as root; a mount inside the image lands below ROOTFS),
# while mounts that other programs on the machine make at the same time do
# not, so the check neither misses a leak nor fails on a busy machine.
own_mounts() {
    local p args=(-e "$TESTS_TMP")
    [ -n "${ROOTFS:-}" ] && args+=(-e "$ROOTFS")
    for p in "$@"; do args+=(-e "$p"); done
    awk '{ print $4, $5 }' /proc/self/mountinfo | grep -F "${args[@]}" | sort
}
