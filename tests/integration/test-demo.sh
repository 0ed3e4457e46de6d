#!/bin/bash
# examples/lab/demo.sh against the test rootfs (MINIRUN and ROOTFS set: it
# installs and builds nothing): every step does what the lab says, and a
# minirun that does something else makes it fail loudly.
#
# Environment (tests/meson.build): MR_DEMO_SCRIPT (examples/lab/demo.sh).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEMO=${MR_DEMO_SCRIPT:-$here/../../examples/lab/demo.sh}
[ -f "$DEMO" ] || missing_tool "no demo script at MR_DEMO_SCRIPT=$DEMO"
unset MINIRUN_SECCOMP_CACHE

run_demo() { MINIRUN=$1 ROOTFS=$ROOTFS RUN_TIMEOUT=120 run_cmd bash "$DEMO"; }

run_demo "$MINIRUN"
is "$RC" 0 "demo.sh exits 0"
is "$ERR" "" "demo.sh: nothing on stderr (no MISMATCH)"
n=$(grep -c '^(expected: exit status ' <<< "$OUT")
is "$n:$(tail -n 1 <<< "$OUT")" "$n:All $n steps did what the lab says." \
    "demo.sh: every step states its expected outcome, and all held"
if [ "$n" -ge 9 ]; then ok "demo.sh: $n checked steps"; else not_ok "demo.sh: at least 9 checked steps" "$OUT"; fi
if [ -e "$ROOTFS/tmp/test" ]; then
    not_ok "the demo leaves no /tmp/test in the rootfs"
else
    ok "the demo leaves no /tmp/test in the rootfs"
fi

# A minirun that ignores a missing profile (runs unconfined instead of the
# default): the demo must not pass for a success.
fake=$TESTS_TMP/unconfined-minirun
printf '#!/bin/sh\nexec %q --security-opt seccomp=unconfined "$@"\n' "$MINIRUN" > "$fake"
chmod +x "$fake"
run_demo "$fake"
if [ "$RC" = 1 ] && [[ $ERR == "demo: MISMATCH in step 1: expected exit status 0 and output with \"Seccomp:"$'\t'"2\", got exit status 0"$'\n'* ]] &&
    [[ $ERR == *$'\n'"demo: "*" steps did not do what the lab says (MISMATCH above)" ]]; then
    ok "demo.sh with a minirun that runs unconfined: MISMATCH on stderr, exit 1"
else
    not_ok "demo.sh with a minirun that runs unconfined: MISMATCH on stderr, exit 1" "$(_result_diag)"
fi

# The same for seccomp-lab.sh (test-seccomp-lab.sh checks its transcript).
LAB=${MR_LAB_SCRIPT:-$here/../../examples/lab/seccomp-lab.sh}
mkdir "$TESTS_TMP/tmp"
TMPDIR=$TESTS_TMP/tmp MINIRUN=$fake run_cmd bash "$LAB" "$ROOTFS"
if [ "$RC" = 1 ] && [[ $ERR == "seccomp-lab: MISMATCH in step 1: "* ]] &&
    [[ $ERR == *$'\n'"seccomp-lab: "*" steps did not do what the lab says (MISMATCH above)" ]]; then
    ok "seccomp-lab.sh with a minirun that runs unconfined: MISMATCH on stderr, exit 1"
else
    not_ok "seccomp-lab.sh with a minirun that runs unconfined: MISMATCH on stderr, exit 1" "$(_result_diag)"
fi

done_testing
