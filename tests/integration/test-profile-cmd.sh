#!/bin/bash
# minirun profile check|explain|diff|convert: the real binary, exact lines and
# exit statuses.  Needs no root and no rootfs (nothing runs in a container).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -z "${MINIRUN:-}" ] || [ ! -x "$MINIRUN" ]; then
    missing_tool "MINIRUN is not set or not executable"
fi
D=${MR_PROFILE_CMD_DATA:-$(dirname "${BASH_SOURCE[0]}")/../data/profile-cmd}
SHARED=${MR_SHARED_PROFILES:-$(dirname "${BASH_SOURCE[0]}")/../../../shared/profiles}
export MINIRUN_SECCOMP_CACHE=0
cd "$D" || missing_tool "no fixtures in $D"
ARCHES=(--arch x86_64 --arch arm64) # the same findings on any host

# --- check ----------------------------------------------------------------
# Levels, for CI: exit 0 with warnings only, 1 with an error (what a run
# refuses, or a rule that fails open), --strict: warnings fail too; 2: bad
# usage or an unreadable file.
run_minirun profile check clean.json "${ARCHES[@]}"
expect "check: a clean profile prints nothing, exit 0" 0 ""

run_minirun profile check typo-key.json "${ARCHES[@]}"
expect "check: \"sycalls\" typo drops every rule: an error, as a run refuses it, exit 1" 1 \
    'typo-key.json:3:13: error: profile: unknown key "sycalls" ignored: without "syscalls" the profile has no rule, which Docker does without a word; minirun refuses to run it (unless --seccomp-strict=off) (fix: did you mean "syscalls"?)'

run_minirun profile check empty.json "${ARCHES[@]}"
expect "check: {} is unconfined: a warning (a run warns too), exit 0" 0 \
    'empty.json:1:1: warning: no defaultAction and no syscalls: Docker runs the container with no seccomp filter at all (unconfined) (fix: add "defaultAction" and the syscalls to allow; to run without seccomp on purpose, say --security-opt seccomp=unconfined)'

run_minirun profile check --strict empty.json "${ARCHES[@]}"
is "$RC" 1 "check --strict: the same warning fails, exit 1"

run_minirun profile check bad-json.json "${ARCHES[@]}"
expect "check: invalid JSON, exit 1" 1 \
    "bad-json.json:5:2: error: invalid JSON: unexpected token near ']' (fix: correct the JSON syntax here; a missing comma or quote, or a trailing comma, is the usual cause)"

run_minirun profile check spo-named-json.json "${ARCHES[@]}"
expect "check: YAML (a Security Profiles Operator resource) in a .json file is named as such, exit 1" 1 \
    "spo-named-json.json:1:1: error: invalid JSON: '[' or '{' expected near '-'; the file looks like YAML (---): name it .yaml or .yml to read it as YAML (fix: rename the file to .yaml or .yml: minirun reads YAML profiles and Security Profiles Operator resources by that name)"

run_minirun profile check errnoret-on-allow.json "${ARCHES[@]}"
expect "check: errnoRet on SCMP_ACT_ALLOW, exit 1" 1 \
    'errnoret-on-allow.json:4:85: error: syscalls[0]: "errnoRet" given for action SCMP_ACT_ALLOW, which returns no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do) (fix: remove the errno, or use SCMP_ACT_ERRNO; crun refuses this, runc silently ignores it)'

run_minirun profile check mixed.json "${ARCHES[@]}"
expect "check: typo, aarch64 legacy name, OR args, dropped conditions, ignored rule: warnings, exit 0" 0 \
    "$(cat << 'EOF2'
mixed.json:6:80: warning: unknown system call "mkdri": libseccomp 2.5.4 does not know it, so runc, crun and minirun skip it (fix: did you mean "mkdir"? If not, it is newer than libseccomp 2.5.4: upgrade libseccomp for it to take effect)
mixed.json:6:89: warning: "mkdir" is allowed but aarch64 has only mkdirat: there this rule does nothing for it (fix: add "mkdirat" to the rule)
mixed.json:15:5: warning: syscalls[1] compares arg0 more than once: runc, crun and minirun then add each of its 2 comparisons as a rule of its own, so the rule matches when ANY of them holds (OR), not all (fix: if you meant OR, write one rule per comparison so it reads as OR; for AND, libseccomp cannot compare one argument twice in a rule: use SCMP_CMP_MASKED_EQ or several rules)
mixed.json:19:14: warning: the argument conditions of syscalls[2] are dropped for "personality": syscalls[3] (line 23) gives it ALLOW unconditionally, and libseccomp keeps only the unconditional rule (fix: remove "personality" from syscalls[3] if these conditions should apply)
mixed.json:24:14: warning: "write" gets ALLOW from syscalls[0] (line 5), an earlier unconditional rule: libseccomp ignores this ERRNO(EIO) (fix: remove "write" from one of the two rules)
EOF2
)"

run_minirun profile check deny-unknown.json "${ARCHES[@]}"
expect "check: a deny rule with an unknown name fails open: an error, as a run refuses it" 1 \
    'deny-unknown.json:4:23: error: unknown system call "setsidaccept4" in a rule stricter than the default: libseccomp 2.5.4 does not know it, runc and crun skip it, and it stays allowed (the rule fails open); minirun refuses to run it (unless --seccomp-strict=off) (fix: remove it if it is a typo; if it is newer than libseccomp 2.5.4, upgrade libseccomp for it to take effect)'

run_minirun profile check execve-denied.json "${ARCHES[@]}"
expect "check: execve denied is an error, exit 1" 1 \
    'execve-denied.json:1:1: error: execve is denied (ERRNO(EPERM), by defaultAction): no container can start its command (fix: allow "execve")
execve-denied.json:1:1: warning: execveat is denied (ERRNO(EPERM), by defaultAction): fexecve(3) and programs that exec by file descriptor fail (fix: allow "execveat")'

run_minirun profile check no-mkdir.json "${ARCHES[@]}"
expect "check: the lab's mkdir exercise is a no-op on aarch64 (a warning, exit 0)" 0 \
    'no-mkdir.json:5:71: warning: "mkdirat" is allowed but "mkdir" is not: aarch64 has no mkdir, programs call mkdirat there, so mkdir(2) is allowed on aarch64 (fix: remove "mkdirat" too if mkdir(2) must fail everywhere, or allow "mkdir" if it should work)'

if [ "$(uname -m)" = x86_64 ]; then
    run_minirun profile check no-mkdir.json
    expect "check without --arch: this host's arch only (no aarch64 finding)" 0 ""
else
    skip "check without --arch: this host's arch only (no aarch64 finding)" "not an x86_64 host"
fi

run_minirun profile check old.json "${ARCHES[@]}"
expect "check: new syscalls meet the ENOSYS stub (a warning, exit 0)" 0 \
    'old.json:1:1: warning: the highest system call this profile names on x86_64 is execveat (322): newer ones get ENOSYS from the stub rather than the default action, among them copy_file_range, preadv2, pwritev2, statx, rseq, io_uring_setup, pidfd_open, clone3, close_range, openat2, faccessat2, epoll_pwait2, futex_waitv, fchmodat2 (fix: nothing to do if the workload copes (glibc falls back to older calls on ENOSYS); name them with an action to decide yourself)'

run_minirun profile check conflict.json "${ARCHES[@]}"
expect "check: a rule libseccomp refuses is an error, exit 1" 1 \
    'conflict.json:6:14: error: cannot compile for x86_64: syscalls[2]: conflicts with an earlier rule (same system call and arguments, another action): "personality" (fix: change the rule so libseccomp accepts it (see the message))'

run_minirun profile check /nonexistent.json
expect_error "check: a missing file exits 2 with one line" 2 \
    "minirun: profile check: seccomp profile /nonexistent.json: No such file or directory"
run_minirun profile check
expect_error "check: no FILE exits 2" 2 "minirun: profile check: no FILE given (see --help)"
run_minirun profile check clean.json --arch sparc
expect_error "check: an unknown --arch exits 2" 2 "minirun: profile check: --arch sparc: unknown architecture*"

# --- explain ----------------------------------------------------------------
run_minirun profile explain caps.json --arch amd64 mount clone3 arch_prctl fork
expect "explain: outcomes and reasons with Docker's default caps" 0 \
    'mount       ERRNO(EPERM)   defaultAction; rule 1 (line 9) "mount needs CAP_SYS_ADMIN anyway" dropped: includes.caps CAP_SYS_ADMIN not in the bounding set
clone3      ERRNO(ENOSYS)  rule 2 (line 15): excludes.caps CAP_SYS_ADMIN not in the bounding set
arch_prctl  ALLOW          rule 3 (line 16): includes.arches has amd64
fork        ERRNO(EPERM)   defaultAction'

run_minirun profile explain caps.json --arch amd64 --cap-add SYS_ADMIN mount clone3
expect "explain: --cap-add SYS_ADMIN keeps the includes rule, drops the excludes rule" 0 \
    'mount   ALLOW         rule 1 (line 9) "mount needs CAP_SYS_ADMIN anyway": includes.caps CAP_SYS_ADMIN in the bounding set
clone3  ERRNO(EPERM)  defaultAction; rule 2 (line 15) dropped: excludes.caps CAP_SYS_ADMIN is in the bounding set'

# A comma list is split the same way as for a run (test-caps.sh), an empty
# name refused the same way.
run_minirun profile explain caps.json --arch amd64 --cap-add SYS_TIME,SYS_ADMIN mount
expect "explain: --cap-add SYS_TIME,SYS_ADMIN is a list, as for a run" 0 \
    'mount  ALLOW  rule 1 (line 9) "mount needs CAP_SYS_ADMIN anyway": includes.caps CAP_SYS_ADMIN in the bounding set'
run_minirun profile explain caps.json --arch amd64 --cap-add SYS_TIME,,SYS_ADMIN mount
expect_error "explain: an empty name in a --cap-add list is refused, as for a run" 2 \
    "minirun: profile explain: invalid capability to add: empty capability name in 'SYS_TIME,,SYS_ADMIN'"

run_minirun profile explain mixed.json --arch x86_64 socket personality
expect "explain: argument conditions and a dropped conditional rule" 0 \
    'socket       ALLOW if arg0 == 1 || arg0 == 2; else ERRNO(EPERM)  rule 1 (line 9) "AF_UNIX or AF_INET: the repeated index makes this OR"
personality  ALLOW  rule 3 (line 23); rule 2 (line 18) conditions dropped: rule 3 decides personality unconditionally'

run_minirun profile explain old.json --arch x86_64
expect "explain: every name, then the summary" 0 \
    'execve      ALLOW  rule 0 (line 4)
execveat    ALLOW  rule 0 (line 4)
exit_group  ALLOW  rule 0 (line 4)
read        ALLOW  rule 0 (line 4)
write       ALLOW  rule 0 (line 4)
summary (x86_64): 5 system calls: 5 ALLOW; any other: ERRNO(EPERM), ENOSYS above nr 322 (execveat)'

run_minirun profile explain old.json --arch x86_64 clone3 --format=json
if [ "$RC" = 0 ] && printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d == [{"name": "clone3", "arch": "SCMP_ARCH_X86_64", "nr": 435, "kind": "enosys-stub",
  "effect": "ERRNO(ENOSYS)", "rule": None, "line": None, "comment": None,
  "why": ["ENOSYS stub: nr 435 is above the highest system call the profile names on x86_64 (execveat, 322)"]}], d
' 2>&1; then ok "explain --format=json"; else not_ok "explain --format=json" "$(_result_diag)"; fi

run_minirun profile explain old.json --arch x86_64 --format=bpf
if [ "$RC" = 0 ] && [[ $OUT == *"A = arch"* ]] && [[ $OUT == *"# end of minirun's ENOSYS stub"* ]] &&
    [[ $OUT == *"return ERRNO(ENOSYS)"* ]] && [[ $OUT == *"/* execveat */"* ]]; then
    ok "explain --format=bpf disassembles stub and filter"
else
    not_ok "explain --format=bpf disassembles stub and filter" "$(_result_diag)"
fi

run_minirun profile explain old.json --arch x86_64 --format=pfc
# shellcheck disable=SC2016 # PFC's $syscall is literal
if [ "$RC" = 0 ] && [[ $OUT == *'$syscall > 322) action ERRNO(38); # x86_64'* ]] &&
    [[ $OUT == *"# filter for syscall \"execve\""* ]]; then
    ok "explain --format=pfc: libseccomp's PFC after the stub"
else
    not_ok "explain --format=pfc: libseccomp's PFC after the stub" "$(_result_diag)"
fi

run_minirun profile explain old.json --format=yaml
expect_error "explain: an unknown --format exits 2" 2 "minirun: profile explain: --format=yaml: unknown format (table, json, pfc or bpf)"
run_minirun profile explain old.json --cap-add NOPE
expect_error "explain: an unknown capability exits 2" 2 "minirun: profile explain: *NOPE*"
run_minirun profile explain bad-json.json
expect_error "explain: a profile that does not parse exits 2" 2 "minirun: profile explain: seccomp profile bad-json.json:5:2: invalid JSON: *"

# --- diff -------------------------------------------------------------------
run_minirun profile diff caps.json caps.json
expect "diff: a profile against itself: nothing, exit 0" 0 ""
run_minirun profile diff old.json clean.json --arch x86_64
# (the list is long: every syscall newer than execveat; check its shape)
if [ "$RC" = 1 ] && [[ $OUT == "cachestat: ERRNO(ENOSYS) -> ERRNO(EPERM)"$'\n'* ]] &&
    [[ $OUT == *$'\n'"close: ERRNO(EPERM) -> ALLOW"$'\n'* ]] &&
    [[ $OUT == *$'\n'"fchmodat2: ERRNO(ENOSYS) -> ALLOW"$'\n'* ]] &&
    [[ $OUT == *$'\n'"openat: ERRNO(EPERM) -> ALLOW"* ]] &&
    [[ $OUT == *$'\n'"clone3: ERRNO(ENOSYS) -> ERRNO(EPERM)"$'\n'* ]]; then
    ok "diff: stub ENOSYS vs EPERM and new ALLOWs"
else
    not_ok "diff: stub ENOSYS vs EPERM and new ALLOWs" "$(_result_diag)"
fi
if [ -r "$SHARED/docker-labs_default.json" ]; then
    run_minirun profile diff "$SHARED/docker-labs_default.json" "$SHARED/docker-labs_default-no-chmod.json" --arch x86_64
    expect "diff: docker/labs default vs default-no-chmod" 1 \
        'chmod: ALLOW -> ERRNO(EPERM)
fchmod: ALLOW -> ERRNO(EPERM)
fchmodat: ALLOW -> ERRNO(EPERM)'
else
    skip "diff: docker/labs default vs default-no-chmod" "no $SHARED"
fi
run_minirun profile diff caps.json
expect_error "diff: one profile exits 2" 2 "minirun: profile diff: needs two profiles A and B, got 1 (see --help)"

# --- convert ------------------------------------------------------------------
run_minirun profile convert caps.json --to oci --arch amd64
expect "convert --to oci: archMap expanded, includes/excludes decided, names grouped" 0 \
    '{
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "architectures": [
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X86"
  ],
  "syscalls": [
    {
      "names": [
        "execve",
        "execveat",
        "exit_group",
        "fchmodat2",
        "clone",
        "arch_prctl"
      ],
      "action": "SCMP_ACT_ALLOW"
    },
    {
      "names": [
        "clone3"
      ],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 38
    }
  ]
}'

run_minirun profile convert caps.json --to docker --arch amd64 -o "$TESTS_TMP/d.json"
expect "convert --to docker -o FILE writes the file, prints nothing" 0 ""
run_minirun profile diff caps.json "$TESTS_TMP/d.json" --arch amd64
expect "convert: the converted profile has the same outcomes" 0 ""
if [ -r "$SHARED/moby-moby_default.json" ]; then
    for caps in "" "--cap-add=ALL"; do
        run_minirun profile convert "$SHARED/moby-moby_default.json" --to oci $caps -o "$TESTS_TMP/oci.json"
        a=$("$MINIRUN" profile explain "$SHARED/moby-moby_default.json" --format=bpf $caps)
        b=$("$MINIRUN" profile explain "$TESTS_TMP/oci.json" --format=bpf $caps)
        is "$b" "$a" "convert: Docker's default as OCI compiles to the same BPF ${caps:-(default caps)}"
    done
else
    skip "convert: Docker's default as OCI compiles to the same BPF" "no $SHARED"
fi
run_minirun profile convert empty.json --to oci
expect_error "convert: {} has nothing to convert, exit 2" 2 "minirun: profile convert: seccomp profile empty.json: unconfined*"
run_minirun profile convert caps.json --to yaml
expect_error "convert: an unknown --to exits 2" 2 "minirun: profile convert: --to yaml: unknown format (oci, docker or spo)"
run_minirun profile convert caps.json
expect_error "convert: --to is required" 2 "minirun: profile convert: --to oci|docker|spo is required"

# --- the file's strings, escaped -------------------------------------------------
# A syscall name, a comment and an action carrying ESC, BEL and a newline (the
# JSON escapes are the file's): shown escaped, never raw, and no line is added
# that reads as minirun's.
printf '%s' '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["execve","no\u001b]0;x\u0007y"],"action":"SCMP_ACT_ALLOW","comment":"\u001b[2J\nminirun: fake"}]}' > "$TESTS_TMP/esc.json"
printf '%s' '{"defaultAction":"SCMP_\u001b[2J\nminirun: fake"}' > "$TESTS_TMP/esc-action.json"
run_minirun profile check "$TESTS_TMP/esc.json"
is "$RC $(grep -c '^minirun: fake' <<< "$OUT$ERR") $(grep -F -c 'unknown system call "no\x1b]0;x\ay": ' <<< "$OUT")" \
    "0 0 1" "check: a name's ESC and BEL escaped, no added line"
run_minirun profile explain "$TESTS_TMP/esc.json" execve
expect "explain: a comment's ESC and newline escaped" 0 'execve  ALLOW  rule 0 (line 1) "\x1b[2J\nminirun: fake"'
run_minirun profile explain "$TESTS_TMP/esc.json"
is "$RC $(grep -c $'\e\\|\a' <<< "$OUT$ERR") $(wc -l <<< "$OUT")" "0 0 3" "explain: the table has no raw ESC or BEL, 3 lines"
run_minirun profile check "$TESTS_TMP/esc-action.json"
is "$RC $(grep -c $'\e' <<< "$OUT$ERR") $(wc -l <<< "$OUT$ERR") $(grep -F -c '"SCMP_\x1b[2J\nminirun: fake"' <<< "$OUT")" \
    "1 0 1 1" "check: an action's ESC and newline escaped in the error, one line"

# --- help and usage -------------------------------------------------------------
for sub in "" check explain diff convert; do
    # shellcheck disable=SC2086 # "" is no subcommand
    run_minirun profile $sub --help
    if [ "$RC" = 0 ] && [ -z "$ERR" ] && [[ $OUT == "Usage: minirun profile ${sub:-COMMAND}"* ]]; then
        ok "profile ${sub:+$sub }--help"
    else
        not_ok "profile ${sub:+$sub }--help" "$(_result_diag)"
    fi
done
run_minirun profile
expect_error "profile without a command exits 2" 2 "minirun: profile: no command given*"
run_minirun profile lint x.json
expect_error "profile with an unknown command exits 2" 2 'minirun: profile: unknown command "lint" (check, explain, diff or convert)'

done_testing
