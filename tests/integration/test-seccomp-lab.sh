#!/bin/bash
# examples/lab/seccomp-lab.sh, run non-interactively against the test rootfs:
# its whole transcript is compared with the expected one (paths normalised).
# The unknown-syscall warnings it shows for the copies of the default profile
# are taken from minirun's own run of examples/profiles/no-mkdir.json and
# no-chmod.json (test-seccomp.sh checks those against libseccomp's table).
#
# Environment (tests/meson.build): MR_LAB_SCRIPT (examples/lab/seccomp-lab.sh),
# MR_EXAMPLES (examples/profiles).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=${MR_LAB_SCRIPT:-$here/../../examples/lab/seccomp-lab.sh}
EXAMPLES=${MR_EXAMPLES:-$here/../../examples/profiles}
[ -f "$LAB" ] || missing_tool "no lab script at MR_LAB_SCRIPT=$LAB"
command -v python3 > /dev/null || command -v sed > /dev/null || missing_tool "neither python3 nor sed"
# The lab's own steps use the default cache, as a student's would.
unset MINIRUN_SECCOMP_CACHE

host_mode=$(sed -n 's/^Seccomp:\t//p' /proc/self/status)
host_filters=$(sed -n 's/^Seccomp_filters:\t//p' /proc/self/status)
grep_seccomp() {
    if [ "$1" = 2 ]; then
        printf 'Seccomp:\t2'
        [ -z "$host_filters" ] || printf '\nSeccomp_filters:\t%s' $((host_filters + 1))
    else
        printf 'Seccomp:\t%s' "$host_mode"
        [ -z "$host_filters" ] || printf '\nSeccomp_filters:\t%s' "$host_filters"
    fi
}

# The warning (if any) minirun prints for a copy of the default profile, with
# the profile's path replaced by PROFILE.
warning_for() {
    run_minirun --seccomp="$1" "$ROOTFS" true
    if [ "$RC" != 0 ] || [ -n "$OUT" ]; then
        echo "(minirun --seccomp=$1 true failed: $RC)"
        return
    fi
    [ -z "$ERR" ] || printf '%s\n' "${ERR//"$1"/PROFILE}"
}
w_mkdir=$(warning_for "$EXAMPLES/no-mkdir.json")
w_chmod=$(warning_for "$EXAMPLES/no-chmod.json")
NL=$'\n'

# Run the lab with its temporary directory under ours, so it can be named.
mkdir "$TESTS_TMP/tmp"
TMPDIR=$TESTS_TMP/tmp MINIRUN=$MINIRUN run_cmd bash "$LAB" "$ROOTFS"
lab_rc=$RC
lab_out=$OUT
lab_err=$ERR
is "$lab_rc" 0 "seccomp-lab.sh exits 0"
is "$lab_err" "" "seccomp-lab.sh: nothing on stderr (the commands' stderr is part of the transcript)"

work=$(printf '%s\n' "$lab_out" | sed -n 's|.*\('"$TESTS_TMP"'/tmp/seccomp-lab\.[A-Za-z0-9]*\)/.*|\1|p' | head -n 1)
[ -n "$work" ] || work="(no temporary directory in the transcript)"
profiles=$(cd "$(dirname "$LAB")/../profiles" && pwd)
nomkdir=WORK/seccomp-profile-no-mkdir.json
# The warning lines (with their newline) the transcript shows, if any.
wm=${w_mkdir:+${w_mkdir//PROFILE/$nomkdir}$NL}
wch=${w_chmod:+${w_chmod//PROFILE/$profiles/no-chmod.json}$NL}
# With --name, minirun's warnings carry it too: "minirun: NAME: warning: ...".
wmn=${wm/#"minirun: "/"minirun: alpine-custom-seccomp: "}
norm=${lab_out//"$work"/WORK}
# Each step states what it expects (checked by the lab itself, which exits 1
# on a mismatch); the transcript is compared without those lines.
n_steps=$(grep -c '^\$ minirun ' <<< "$norm")
n_expected=$(grep -c '^(expected: exit status [0-9]*, output with ".*")$' <<< "$norm")
is "$n_expected" "$n_steps" "seccomp-lab.sh: every step states its expected outcome"
norm=$(grep -v '^(expected: exit status ' <<< "$norm")

expected=$(cat <<EOF
minirun: $MINIRUN
rootfs:  $ROOTFS

== 1. Default seccomp profile (docker run -it --rm --name alpine-test alpine /bin/sh)
No profile given: minirun applies its built-in default (Docker's). Inside, check the mode:

\$ minirun --rm --name alpine-test $ROOTFS /bin/sh -c 'grep Seccomp /proc/\$\$/status'
$(grep_seccomp 2)
Seccomp: 2 means a filter is installed.

== 2. Custom profile: the default one without mkdir

\$ cp examples/profiles/default.json WORK/your-custom-profile.json
Remove every reference to mkdir (and mkdirat, its modern form, which busybox uses):
$(if command -v python3 > /dev/null; then
    echo "\$ python3 -c ... (drop \"mkdir\" and \"mkdirat\" from every rule's names) > $nomkdir"
else
    echo "\$ sed -E 's/\"mkdir(at)?\",[[:space:]]*//g' your-custom-profile.json > $nomkdir"
fi)
\$ grep -o '"mkdir[a-z]*"' your-custom-profile.json
"mkdir"
"mkdirat"
\$ grep -o '"mkdir[a-z]*"' seccomp-profile-no-mkdir.json
(exit status 1: no match)
Run with it (docker run -it --rm --security-opt seccomp=... --name alpine-custom-seccomp alpine /bin/sh) and try mkdir:

\$ minirun --rm --security-opt seccomp=$nomkdir --name alpine-custom-seccomp $ROOTFS /bin/sh -c 'cd /tmp && mkdir test'
${wmn}mkdir: can't create directory 'test': Operation not permitted
(exit status 1)
The warning lists system calls newer than this host's libseccomp: they are skipped.
The same mkdir under the default profile works:

\$ minirun --rm $ROOTFS /bin/sh -c 'cd /tmp && mkdir test && echo created test && rmdir test'
created test

== 3. Another restriction: chmod (examples/profiles/no-chmod.json)

\$ minirun --rm --security-opt seccomp=$profiles/no-chmod.json $ROOTFS chmod 0644 /etc/hostname
${wch}chmod: /etc/hostname: Operation not permitted
(exit status 1)

== 4. No seccomp at all (--security-opt seccomp=unconfined)

\$ minirun --rm --security-opt seccomp=unconfined --name alpine-wo-seccomp $ROOTFS /bin/sh -c 'grep Seccomp /proc/\$\$/status'
$(grep_seccomp 0)
Seccomp: 0 means no filter: not recommended unless you know why.

== 5. The names Kubernetes manifests use
RuntimeDefault (securityContext.seccompProfile.type), runtime/default (the pre-1.19 annotation):

\$ minirun --rm --security-opt seccomp=RuntimeDefault $ROOTFS /bin/sh -c 'grep Seccomp: /proc/\$\$/status'
Seccomp:	2

\$ minirun --rm --security-opt seccomp=runtime/default $ROOTFS /bin/sh -c 'grep Seccomp: /proc/\$\$/status'
Seccomp:	2
localhost/PATH (type: Localhost) names a profile file:

\$ minirun --rm --security-opt seccomp=localhost/$nomkdir $ROOTFS /bin/sh -c 'cd /tmp && mkdir test'
${wm}mkdir: can't create directory 'test': Operation not permitted
(exit status 1)
Unconfined:

\$ minirun --rm --security-opt seccomp=Unconfined $ROOTFS /bin/sh -c 'grep Seccomp: /proc/\$\$/status'
Seccomp:	$host_mode

== 6. Capabilities before seccomp: drop all but NET_BIND_SERVICE

\$ minirun --rm --cap-drop ALL --cap-add NET_BIND_SERVICE $ROOTFS /bin/sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
CapEff:	0000000000000400
CapBnd:	0000000000000400

Done.
EOF
)
if [ "$norm" == "$expected" ]; then
    ok "seccomp-lab.sh: the whole transcript"
else
    not_ok "seccomp-lab.sh: the whole transcript" "$(diff <(printf '%s\n' "$expected") <(printf '%s\n' "$norm"))"
fi

# The key lines on their own, so a failure says which step broke.
key() {
    local name=$1 after=$2 want=$3 got n
    n=$(printf '%s\n' "$want" | wc -l)
    # One line more: a warning may come first.
    got=$(printf '%s\n' "$norm" | grep -F -x -m 1 -A "$((n + 1))" -- "$after" | tail -n +2 |
        grep -v '^minirun: \([a-z-]*: \)\?warning: ' | head -n "$n")
    is "$got" "$want" "$name"
}
key "lab step 1: default profile, Seccomp 2" \
    "\$ minirun --rm --name alpine-test $ROOTFS /bin/sh -c 'grep Seccomp /proc/\$\$/status'" "$(grep_seccomp 2)"
key "lab step 2: mkdir refused with the copy without mkdir" \
    "\$ minirun --rm --security-opt seccomp=$nomkdir --name alpine-custom-seccomp $ROOTFS /bin/sh -c 'cd /tmp && mkdir test'" \
    "mkdir: can't create directory 'test': Operation not permitted
(exit status 1)"
key "lab step 2: mkdir works under the default" \
    "\$ minirun --rm $ROOTFS /bin/sh -c 'cd /tmp && mkdir test && echo created test && rmdir test'" "created test"
if [ "$host_mode" = 0 ]; then
    key "lab step 3: unconfined, Seccomp 0" \
        "\$ minirun --rm --security-opt seccomp=unconfined --name alpine-wo-seccomp $ROOTFS /bin/sh -c 'grep Seccomp /proc/\$\$/status'" \
        "$(grep_seccomp 0)"
else
    skip "lab step 3: unconfined, Seccomp 0" "the caller already runs under seccomp"
fi
if [ -e "$ROOTFS/tmp/test" ]; then
    not_ok "the lab leaves no /tmp/test in the rootfs"
else
    ok "the lab leaves no /tmp/test in the rootfs"
fi

done_testing
