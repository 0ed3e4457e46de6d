#!/bin/bash
# --seccomp-complain: every call the profile would refuse is reported in the
# report's words ("would deny"), then runs; the summary says how many calls
# (and how many distinct) the profile would have denied.  Text on stderr,
# JSON lines in FILE; KILL outcomes run too; the flag excludes the other
# observing modes.
#
# Environment (tests/meson.build): MR_SECCOMP_IT_DATA (tests/data/seccomp-it),
# MR_EXAMPLES (examples/profiles).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT=${MR_SECCOMP_IT_DATA:-$here/../data/seccomp-it}
EXAMPLES=${MR_EXAMPLES:-$here/../../examples/profiles}
[ -f "$IT/kill-process.json" ] || missing_tool "no fixtures in MR_SECCOMP_IT_DATA=$IT"
[ -f "$EXAMPLES/no-mkdir.json" ] || missing_tool "no example profiles in MR_EXAMPLES=$EXAMPLES"
command -v python3 > /dev/null || missing_tool "python3 is not installed (JSON checks)"
ulimit -c 0
export MINIRUN_SECCOMP_CACHE=0

NO_MKDIR=$EXAMPLES/no-mkdir.json
NOTE_EPERM="minirun: seccomp: note: -EPERM: a rule or the default action refused the call; a call the profile allows can still fail EPERM for want of a capability, which seccomp does not see"

report_lines() { printf '%s\n' "$1" | grep '^minirun: seccomp: ' || true; }

# --- every refusal reported, every call run --------------------------------------
run_minirun --seccomp="$NO_MKDIR" --seccomp-complain "$ROOTFS" \
    sh -c 'mkdir /tmp/a; mkdir /tmp/b; /probe syscall mkdirat AT_FDCWD str:/c 0755; ls -d /tmp/a /tmp/b /c'
is "$RC $OUT" "0 OK
/c
/tmp/a
/tmp/b" "no-mkdir, complain: the directories are made"
is "$(report_lines "$ERR")" "minirun: seccomp: would deny mkdir(\"/tmp/a\", 0777) = -EPERM  [pid 2 /bin/busybox; default action]
minirun: seccomp: would deny mkdir(\"/tmp/b\", 0777) = -EPERM  [pid 3 /bin/busybox; default action]
minirun: seccomp: would deny mkdirat(AT_FDCWD, \"/c\", 0755) = -EPERM  [pid 4 /probe; default action]
minirun: seccomp: summary: would have denied 3 calls (2 distinct) under $NO_MKDIR:
minirun: seccomp:   mkdir                2 x  -EPERM  [default action]
minirun: seccomp:   mkdirat              1 x  -EPERM  [default action]
$NOTE_EPERM" "no-mkdir, complain: each call named, the summary counts them"

run_minirun --seccomp="$NO_MKDIR" --seccomp-complain "$ROOTFS" echo hi
is "$RC $OUT $(report_lines "$ERR")" "0 hi minirun: seccomp: summary: would have denied no call under $NO_MKDIR" \
    "no-mkdir, complain, nothing refused"

# KILL_PROCESS is not enforced either: the call runs.
KILL=$IT/kill-process.json
run_minirun --seccomp="$KILL" --seccomp-complain "$ROOTFS" /probe syscall mkdirat AT_FDCWD str:/x 0700
kill_rule='rule 0, line 5: names mkdir,mkdirat action SCMP_ACT_KILL_PROCESS'
is "$RC $OUT" "0 OK" "KILL_PROCESS, complain: the call runs"
is "$(report_lines "$ERR")" "minirun: seccomp: would deny mkdirat(AT_FDCWD, \"/x\", 0700) = killed (KILL_PROCESS)  [pid 1 /probe; $kill_rule]
minirun: seccomp: summary: would have denied 1 call (1 distinct) under $KILL:
minirun: seccomp:   mkdirat              1 x  killed (KILL_PROCESS)  [$kill_rule]" \
    "KILL_PROCESS, complain: reported as killed"

# --- JSON lines ------------------------------------------------------------------
jf=$TESTS_TMP/complain.jsonl
run_minirun --seccomp="$NO_MKDIR" --seccomp-complain="$jf" "$ROOTFS" \
    sh -c 'mkdir /tmp/a; mkdir /tmp/b; /probe syscall mkdirat AT_FDCWD str:/c 0755'
is "$RC $OUT $(report_lines "$ERR")" "0 OK " "JSON: the run, nothing on stderr"
is "$(python3 -c 'import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
print([(l["syscall"], l["call"], l["result"], l["enforced"]) for l in lines[:-1]])
print(lines[-1])' "$jf" 2>&1)" \
    "[('mkdir', 'mkdir(\"/tmp/a\", 0777)', '-EPERM', False), ('mkdir', 'mkdir(\"/tmp/b\", 0777)', '-EPERM', False), ('mkdirat', 'mkdirat(AT_FDCWD, \"/c\", 0755)', '-EPERM', False)]
{'summary': [{'syscall': 'mkdir', 'count': 2, 'result': '-EPERM', 'rule': 'default action'}, {'syscall': 'mkdirat', 'count': 1, 'result': '-EPERM', 'rule': 'default action'}], 'would_deny': 3, 'distinct': 2}" \
    "JSON: one record per call (enforced: false), the summary counts"

# --- errors ----------------------------------------------------------------------
run_minirun --seccomp-complain --seccomp-report "$ROOTFS" true
expect_error "--seccomp-complain with --seccomp-report" 125 \
    "minirun: --seccomp-complain cannot be combined with --seccomp-report: use one at a time (complain lets refused calls run, report refuses them, learn writes a profile)"
run_minirun --seccomp-complain --seccomp-learn="$TESTS_TMP/l.json" "$ROOTFS" true
expect_error "--seccomp-complain with --seccomp-learn" 125 \
    "minirun: --seccomp-complain cannot be combined with --seccomp-learn: use one at a time (complain lets refused calls run, report refuses them, learn writes a profile)"
run_minirun --seccomp=unconfined --seccomp-complain "$ROOTFS" true
expect_error "--seccomp-complain with unconfined" 125 \
    "minirun: --seccomp-complain: no seccomp filter to report on (unconfined)"
run_minirun --seccomp-learn-args "$ROOTFS" true
expect_error "--seccomp-learn-args without --seccomp-learn" 125 \
    "minirun: --seccomp-learn-args: only with --seccomp-learn=FILE (it shapes the learned profile)"

done_testing
