#!/bin/bash
# Seccomp profiles minirun must refuse: each gives exit 125, nothing on stdout,
# exactly one "minirun:" line on stderr (with file:line:column where the
# mistake is in the JSON) and no process at all.  Also the profiles that
# cannot start anything (execve denied) and those that deny a syscall minirun
# needs after installing the filter without no-new-privileges.
#
# "No process": minirun runs under strace -f, and none of its clone, clone3,
# fork or vfork calls may make one (each must carry CLONE_THREAD).  The
# network namespace's thread, which mr_prepare starts before the checks that
# follow it (prepare.c), is minirun's own thread, not a process; it is joined
# and its namespace dropped before the refusal.  A control run checks that a
# started container does show up that way.
#
# Environment (tests/meson.build): MR_SECCOMP_IT_DATA (tests/data/seccomp-it),
# MR_EXAMPLES (examples/profiles), MR_SHARED_PROFILES (../shared/profiles).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=${MR_SECCOMP_IT_DATA:-$here/../data/seccomp-it}
EXAMPLES=${MR_EXAMPLES:-$here/../../examples/profiles}
SHARED=${MR_SHARED_PROFILES:-$here/../../../shared/profiles}
BAD=$DATA/bad
[ -f "$BAD/invalid-json.json" ] || missing_tool "no fixtures in MR_SECCOMP_IT_DATA=$DATA"
command -v strace > /dev/null || missing_tool "no strace (it counts the processes minirun makes)"
export MINIRUN_SECCOMP_CACHE=0

# run_counted CMD ARG...: run_cmd under strace -f; PROCS is how many processes
# CMD made (clone, clone3, fork or vfork without CLONE_THREAD; 0: none).
run_counted() {
    local f=$TESTS_TMP/clones
    rm -f "$f"
    # LeakSanitizer refuses to run under ptrace: leaks are checked elsewhere.
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    run_cmd strace -f -qq -e 'trace=clone,clone3,?fork,?vfork' -e signal=none -o "$f" "$@"
    if [ -f "$f" ]; then
        PROCS=$(grep -E '(^|[^a-z_])(clone3?|v?fork)\(' "$f" | grep -vc CLONE_THREAD || true)
    else
        PROCS="?"
    fi
}

# refused NAME EXACT-STDERR-LINE MINIRUN-ARG...: exit 125, no stdout, exactly
# that stderr line, no process created.
refused() {
    local name=$1 want=$2
    shift 2
    run_counted "$MINIRUN" "$@"
    check_refused "$name" "$want" "=="
}
# refused_like NAME GLOB MINIRUN-ARG...: the same with a glob for the line
# (write a literal [ as \[).
refused_like() {
    local name=$1 want=$2
    shift 2
    run_counted "$MINIRUN" "$@"
    check_refused "$name" "$want" glob
}
# shellcheck disable=SC2053 # a glob on purpose when $3 is "glob"
check_refused() {
    local name=$1 want=$2 how=$3 match=0
    if [ "$how" = glob ]; then
        [[ $ERR != *$'\n'* && $ERR == $want ]] && match=1
    else
        [ "$ERR" == "$want" ] && match=1
    fi
    if [ "$RC" = 125 ] && [ -z "$OUT" ] && [ "$match" = 1 ] && [ "$PROCS" = 0 ]; then
        ok "$name"
    else
        not_ok "$name" "expected exit status 125, no stdout, no process and the stderr line $(_show "$want")
processes made: $PROCS
$(_result_diag)"
    fi
}

# The control: the namespace sees the container's process.
run_counted "$MINIRUN" --seccomp="$DATA/errno-100.json" "$ROOTFS" true
if [ "$RC" = 0 ] && [ "$PROCS" != "?" ] && [ "$PROCS" -ge 1 ]; then
    ok "control: a started container shows up as a process made ($PROCS)"
else
    not_ok "control: a started container shows up as a process made" "processes made: $PROCS
$(_result_diag)"
fi

p="minirun: seccomp profile"

# ---------------------------------------------------------------- files
refused "missing file" "$p $BAD/no-such-profile.json: No such file or directory" \
    --seccomp="$BAD/no-such-profile.json" "$ROOTFS" true
refused "missing file via localhost/" "$p $BAD/no-such-profile.json: No such file or directory" \
    --security-opt "seccomp=localhost/$BAD/no-such-profile.json" "$ROOTFS" true
refused "a directory, not a file" "$p $BAD: Is a directory" --seccomp="$BAD" "$ROOTFS" true
refused "empty --seccomp" "minirun: --seccomp: empty profile name" --seccomp= "$ROOTFS" true
refused "localhost/ without a path" "minirun: --security-opt seccomp=localhost/: no profile path given" \
    --security-opt seccomp=localhost/ "$ROOTFS" true

# Unreadable: root reads any file, so run minirun as uid 1000 (rootless mode)
# on a 0600 root-owned file in a directory it can search.
if command -v setpriv > /dev/null; then
    chmod 0755 "$TESTS_TMP"
    mkdir -m 0755 "$TESTS_TMP/profiles"
    cp "$DATA/errno-100.json" "$TESTS_TMP/profiles/readable.json"
    cp "$DATA/errno-100.json" "$TESTS_TMP/profiles/unreadable.json"
    chmod 0644 "$TESTS_TMP/profiles/readable.json"
    chmod 0600 "$TESTS_TMP/profiles/unreadable.json"
    as_user=(setpriv --reuid=1000 --regid=1000 --clear-groups)
    run_counted "${as_user[@]}" "$MINIRUN" --seccomp="$TESTS_TMP/profiles/readable.json" "$ROOTFS" mkdir /tmp/sc-it-x
    if [ "$RC" = 1 ] && [ "$ERR" = "mkdir: can't create directory '/tmp/sc-it-x': Network is down" ]; then
        run_counted "${as_user[@]}" "$MINIRUN" --seccomp="$TESTS_TMP/profiles/unreadable.json" "$ROOTFS" true
        check_refused "unreadable file (uid 1000, rootless)" \
            "$p $TESTS_TMP/profiles/unreadable.json: Permission denied" "=="
    else
        skip "unreadable file (uid 1000, rootless)" "minirun does not run rootless here (control: RC=$RC, stderr $(_show "$ERR"))"
    fi
else
    skip "unreadable file (uid 1000, rootless)" "no setpriv (util-linux)"
fi

# ---------------------------------------------------------------- JSON and types
b() { printf '%s %s/%s' "$p" "$BAD" "$1"; }
refused "invalid JSON: file:line:column from jansson" \
    "$(b invalid-json.json):5:3: invalid JSON: ']' expected near '{'" --seccomp="$BAD/invalid-json.json" "$ROOTFS" true
refused "truncated JSON" \
    "$(b truncated.json):5:0: invalid JSON: '}' expected near end of file" --seccomp="$BAD/truncated.json" "$ROOTFS" true
# YAML (a profile, or a Security Profiles Operator resource) in a file named
# .json is named as such (not only "invalid JSON at 1:1"), with the fix: the
# file name decides the format, since every JSON file is also YAML.
refused "YAML in a .json file: said so, with the fix" \
    "$(b yaml-named-json.json):1:1: invalid JSON: '[' or '{' expected near '#'; the file looks like YAML (defaultAction: SCMP_ACT_ERRNO): name it .yaml or .yml to read it as YAML" \
    --seccomp="$BAD/yaml-named-json.json" "$ROOTFS" true
refused "a Security Profiles Operator resource in a .json file: said so, with the fix" \
    "$(b spo-named-json.json):1:1: invalid JSON: '[' or '{' expected near '-'; the file looks like YAML (---): name it .yaml or .yml to read it as YAML" \
    --seccomp="$BAD/spo-named-json.json" "$ROOTFS" true
refused "wrong type: defaultAction an array" \
    "$(b wrong-type-default-action.json):2:19: profile: \"defaultAction\" must be a string, not an array" \
    --seccomp="$BAD/wrong-type-default-action.json" "$ROOTFS" true
refused "wrong type: names a string" \
    "$(b wrong-type-names.json):4:14: syscalls[0]: \"names\" must be an array, not a string" \
    --seccomp="$BAD/wrong-type-names.json" "$ROOTFS" true
refused "wrong type: errnoRet a string" \
    "$(b wrong-type-errnoret.json):4:67: syscalls[0]: \"errnoRet\" must be an integer, not a string" \
    --seccomp="$BAD/wrong-type-errnoret.json" "$ROOTFS" true
refused "wrong type: index a string" \
    "$(b wrong-type-index.json):4:74: syscalls[0].args[0]: \"index\" must be an integer, not a string" \
    --seccomp="$BAD/wrong-type-index.json" "$ROOTFS" true
refused "wrong type: syscalls an object" \
    "$(b wrong-type-syscalls.json):3:14: profile: \"syscalls\" must be an array, not an object" \
    --seccomp="$BAD/wrong-type-syscalls.json" "$ROOTFS" true

# ---------------------------------------------------------------- unknown values
actions="(expected SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG or SCMP_ACT_NOTIFY)"
refused "unknown action" \
    "$(b unknown-action.json):4:37: syscalls[0]: unknown action \"SCMP_ACT_DENY\" $actions" \
    --seccomp="$BAD/unknown-action.json" "$ROOTFS" true
refused "unknown defaultAction" \
    "$(b unknown-default-action.json):2:19: profile: unknown action \"SCMP_ACT_PERMIT\" $actions" \
    --seccomp="$BAD/unknown-default-action.json" "$ROOTFS" true
refused "unknown operator" \
    "$(b unknown-operator.json):4:95: syscalls[0].args[0]: unknown operator \"SCMP_CMP_NEQ\" (expected SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ)" \
    --seccomp="$BAD/unknown-operator.json" "$ROOTFS" true
refused_like "unknown architecture" \
    "$(b unknown-arch.json):3:40: profile: unknown architecture \"SCMP_ARCH_PDP11\" (libseccomp [0-9]*.[0-9]*.[0-9]* does not know it)" \
    --seccomp="$BAD/unknown-arch.json" "$ROOTFS" true

# ---------------------------------------------------------------- structure
refused "index 6" \
    "$(b index-6.json):4:74: syscalls[0].args[0]: \"index\" 6 is out of range: system calls have 6 arguments, numbered 0-5" \
    --seccomp="$BAD/index-6.json" "$ROOTFS" true
refused "name with names" \
    "$(b name-and-names.json):4:13: syscalls[0]: both 'name' and 'names' are specified, use either 'name' or 'names'" \
    --seccomp="$BAD/name-and-names.json" "$ROOTFS" true
refused "architectures with archMap" \
    "$(b architectures-and-archmap.json):4:13: profile: both 'architectures' and 'archMap' are specified, use either 'architectures' or 'archMap'" \
    --seccomp="$BAD/architectures-and-archmap.json" "$ROOTFS" true
refused_like "minKernel \"4.8.1\"" \
    "$(b minkernel-4.8.1.json):4:82: syscalls\\[0\\].includes: invalid minKernel \"4.8.1\": expected \"<kernel>.<major>\"*" \
    --seccomp="$BAD/minkernel-4.8.1.json" "$ROOTFS" true
refused_like "minKernel \"abc\"" \
    "$(b minkernel-abc.json):4:82: syscalls\\[0\\].includes: invalid minKernel \"abc\": expected \"<kernel>.<major>\"*" \
    --seccomp="$BAD/minkernel-abc.json" "$ROOTFS" true
refused_like "excludes.minKernel \"4\"" \
    "$(b minkernel-excludes-4.json):4:82: syscalls\\[0\\].excludes: invalid minKernel \"4\": expected \"<kernel>.<major>\"*" \
    --seccomp="$BAD/minkernel-excludes-4.json" "$ROOTFS" true
refused "errnoRet on ALLOW" \
    "$(b errnoret-on-allow.json):4:77: syscalls[0]: \"errnoRet\" given for action SCMP_ACT_ALLOW, which returns no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)" \
    --seccomp="$BAD/errnoret-on-allow.json" "$ROOTFS" true
# runtime-spec: "If the SCMP_ACT_NOTIFY action is not used this value is ignored."
run_expect "listenerPath without an SCMP_ACT_NOTIFY rule is ignored" 0 "" \
    --seccomp="$DATA/listener-path.json" "$ROOTFS" true
refused "an OCI config.json without linux.seccomp" \
    "$(b oci-config-without-seccomp.json):4:11: an OCI config.json without linux.seccomp: there is no profile in it (use --security-opt seccomp=unconfined to run without one)" \
    --seccomp="$BAD/oci-config-without-seccomp.json" "$ROOTFS" true

# ---------------------------------------------------------------- nothing can start
execve_msg() { printf '%s %s denies execve (%s): no command can start under it; allow execve (and execveat) in the profile' "$p" "$1" "$2"; }
refused "deny-all.json: execve denied, said plainly" \
    "$(execve_msg "$EXAMPLES/deny-all.json" "ERRNO(Operation not permitted)")" \
    --seccomp="$EXAMPLES/deny-all.json" "$ROOTFS" true
refused "deny-all.json with no-new-privileges: the same" \
    "$(execve_msg "$EXAMPLES/deny-all.json" "ERRNO(Operation not permitted)")" \
    --security-opt no-new-privileges --seccomp="$EXAMPLES/deny-all.json" "$ROOTFS" true
refused "execve KILL_PROCESS" "$(execve_msg "$BAD/kill-execve.json" KILL_PROCESS)" \
    --seccomp="$BAD/kill-execve.json" "$ROOTFS" true
if [ -f "$SHARED/docker-labs_deny.json" ]; then
    refused "shared docker-labs_deny.json" \
        "$(execve_msg "$SHARED/docker-labs_deny.json" "ERRNO(Operation not permitted)")" \
        --seccomp="$SHARED/docker-labs_deny.json" "$ROOTFS" true
else
    skip "shared docker-labs_deny.json" "no $SHARED (../shared/profiles)"
fi

# ---------------------------------------------------------------- syscalls minirun needs without no-new-privileges
nnp_msg() {
    printf '%s %s denies %s (%s), which minirun must call after installing the filter because no-new-privileges is off (installing a filter then needs CAP_SYS_ADMIN, so it goes in before the user and capabilities are set): allow %s in the profile, or add --security-opt no-new-privileges so the filter is installed last' \
        "$p" "$1" "$2" "$3" "$2"
}
refused "deny capset without no-new-privileges: names capset, suggests no-new-privileges" \
    "$(nnp_msg "$DATA/deny-capset.json" capset "ERRNO(Operation not permitted)")" \
    --seccomp="$DATA/deny-capset.json" "$ROOTFS" true
refused "deny setresuid (ENOSYS) without no-new-privileges" \
    "$(nnp_msg "$DATA/deny-setresuid.json" setresuid "ERRNO(Function not implemented)")" \
    --seccomp="$DATA/deny-setresuid.json" "$ROOTFS" true
refused "deny setresuid, --user alice" \
    "$(nnp_msg "$DATA/deny-setresuid.json" setresuid "ERRNO(Function not implemented)")" \
    --user alice --seccomp="$DATA/deny-setresuid.json" "$ROOTFS" true
run_counted "$MINIRUN" --security-opt no-new-privileges --seccomp="$DATA/deny-capset.json" "$ROOTFS" true
if [ "$RC" = 0 ] && [ -z "$OUT$ERR" ] && [ "$PROCS" != "?" ] && [ "$PROCS" -ge 1 ]; then
    ok "deny capset with no-new-privileges: runs"
else
    not_ok "deny capset with no-new-privileges: runs" "processes made: $PROCS
$(_result_diag)"
fi
# Reading the identity back is best effort: a profile that kills or traps on
# those calls (runc and crun never make them) starts the command all the same.
for u in root alice; do
    run_counted "$MINIRUN" --user "$u" --seccomp="$DATA/kill-readback.json" "$ROOTFS" echo ran
    is "$RC:$OUT:$ERR" "0:ran:" \
        "getresuid KILL_PROCESS, capget TRAP (--user $u): runs, no read-back (was 159)"
done

# ---------------------------------------------------------------- --seccomp-strict
refused_like "--seccomp-strict: unknown names are an error" \
    "$p $DATA/unknown-names.json: 2 system call names are unknown to libseccomp [0-9]*.[0-9]*.[0-9]* (strict mode): no_such_syscall_a, no_such_syscall_b" \
    --seccomp-strict --seccomp="$DATA/unknown-names.json" "$ROOTFS" true
# Without --seccomp-strict: a profile that would fail open is refused all
# the same (one line, with the fix), where `profile check` says error too.
refused_like "an unknown name in a rule stricter than the default: refused, with the fix" \
    "$p $DATA/unknown-names.json:5:24: unknown system call \"no_such_syscall_a\" in a rule stricter than the default (SCMP_ACT_ERRNO, default SCMP_ACT_ALLOW): libseccomp [0-9]*.[0-9]*.[0-9]* does not know it, so the rule would not deny it. Fix the name (or skip it with a warning: --seccomp-strict=off)" \
    --seccomp="$DATA/unknown-names.json" "$ROOTFS" true
refused_like "the lab's typo mkdri in a deny rule: refused, with did you mean" \
    "$p $DATA/deny-mkdri.json:4:27: unknown system call \"mkdri\" in a rule stricter than the default (SCMP_ACT_ERRNO, default SCMP_ACT_ALLOW): libseccomp [0-9]*.[0-9]*.[0-9]* does not know it, so the rule would not deny it. Did you mean \"mkdir\"? Fix the name (or skip it with a warning: --seccomp-strict=off)" \
    --seccomp="$DATA/deny-mkdri.json" "$ROOTFS" mkdir /tmp/x
refused "a misspelt \"syscalls\" drops every rule: refused, with the fix" \
    "$p $DATA/typo-syscalls.json:3:13: unknown key \"sycalls\": did you mean \"syscalls\"? Without it the profile has no rule and SCMP_ACT_ALLOW applies to every system call; fix the key (or run it as written with --seccomp-strict=off)" \
    --seccomp="$DATA/typo-syscalls.json" "$ROOTFS" mkdir /tmp/x
run_counted "$MINIRUN" --seccomp-strict=off --seccomp="$DATA/deny-mkdri.json" "$ROOTFS" sh -c 'mkdir /tmp/x && echo made'
is "$RC:$OUT:$(grep -c '^minirun: warning: .*unknown to libseccomp.*skipped: mkdri$' <<< "$ERR")" "0:made:1" \
    "--seccomp-strict=off: runs it as written, with the warning (mkdir is not denied)"
run_counted "$MINIRUN" --seccomp="$DATA/log-unknown-name.json" "$ROOTFS" echo ran
is "$RC:$OUT:$(grep -c '^minirun: warning: .*unknown to libseccomp.*skipped: no_such_syscall_a$' <<< "$ERR")" "0:ran:1" \
    "an unknown name in a LOG rule (it denies nothing): runs with the warning, as runc and crun"
run_counted "$MINIRUN" --seccomp-strict=maybe "$ROOTFS" true
check_refused "--seccomp-strict=maybe: refused" "minirun: --seccomp-strict=maybe: expected on or off" "=="
run_counted "$MINIRUN" --seccomp-strict --seccomp="$DATA/errno-100.json" "$ROOTFS" true
expect "--seccomp-strict with only known names: runs" 0 ""
run_counted "$MINIRUN" --seccomp-strict "$ROOTFS" true
expect "--seccomp-strict with the built-in default (it lists newer syscalls on purpose): runs" 0 ""

# The error quotes the file: its ESC and newline are escaped (one line, nothing
# that drives the terminal or reads as a line of minirun's).
printf '%s' '{"defaultAction":"SCMP_\u001b[2J\nminirun: fake"}' > "$TESTS_TMP/esc-action.json"
refused_like "a profile's ESC and newline are escaped in its error" \
    'minirun: seccomp profile *:1:18: profile: unknown action "SCMP_\\x1b\[2J\\nminirun: fake" (expected *)' \
    --seccomp="$TESTS_TMP/esc-action.json" "$ROOTFS" true

done_testing
