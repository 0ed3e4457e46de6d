#!/bin/bash
# The seccomp part of the lab in ../shared/seed, step by step, with minirun in
# place of "docker run".  Each step prints the command (as you would type it)
# and then what the container answered, so you can follow along or replay a
# step by hand (examples/lab/README.md shows how, with an interactive shell).
#
#   examples/lab/seccomp-lab.sh [--pause] [ROOTFS]
#
#   ROOTFS    a busybox (or Alpine) root filesystem; default: $ROOTFS, else
#             build/demo-rootfs, made with tests/setup-rootfs.sh when missing
#   --pause   wait for Enter before each step
#   MINIRUN   the minirun binary (default: build/cmd/minirun, else minirun
#             from PATH)
#
# Each step checks what the lab says it does (exit status, a line of output);
# a step that does something else is reported (MISMATCH, on stderr) and the
# lab exits 1 once every step has run.
#
# Unlike demo.sh it installs and builds nothing.  It needs python3 (or sed)
# to make the copy of the default profile without mkdir, and nothing else.
# It runs as root (minirun's rootful mode) or as a user whose kernel allows
# unprivileged user namespaces (rootless mode).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
profiles=$top/examples/profiles

pause=0
rootfs=${ROOTFS:-}
while [ $# -gt 0 ]; do
    case $1 in
        --pause) pause=1; shift ;;
        -h | --help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "seccomp-lab: unknown option $1" >&2; exit 2 ;;
        *) rootfs=$1; shift ;;
    esac
done

minirun=${MINIRUN:-}
if [ -z "$minirun" ]; then
    if [ -x "$top/build/cmd/minirun" ]; then
        minirun=$top/build/cmd/minirun
    else
        minirun=$(command -v minirun || true)
    fi
fi
if [ -z "$minirun" ] || [ ! -x "$minirun" ]; then
    echo "seccomp-lab: no minirun binary: build it (meson setup build && meson compile -C build) or set MINIRUN" >&2
    exit 1
fi
if [ -z "$rootfs" ]; then
    rootfs=$top/build/demo-rootfs
    if [ ! -x "$rootfs/bin/sh" ]; then
        "$top/tests/setup-rootfs.sh" "$rootfs"
    fi
fi
if [ ! -x "$rootfs/bin/sh" ]; then
    echo "seccomp-lab: $rootfs has no /bin/sh: give a busybox or Alpine root filesystem" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/seccomp-lab.XXXXXX")
trap 'rm -rf "$work"' EXIT
# minirun runs as root but reads the profile as the caller; keep it readable.
chmod 0755 "$work"

# show ARG...: the command as a student would type it ("minirun" for the
# binary, quoting only where the shell needs it).
show() {
    local out="minirun" a
    shift
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./=:,+@%-]+$ ]]; then
            out+=" $a"
        else
            out+=" '${a//\'/\'\\\'\'}'"
        fi
    done
    printf '%s\n' "$out"
}

# What the host itself runs under: "unconfined" shows the caller's mode.
host_seccomp=$(sed -n 's/^Seccomp:\t//p' /proc/self/status)
T=$'\t'
steps=0
mismatches=0

# mismatch WHAT: a step did not do what the lab says: said loudly (stderr),
# and the lab exits 1 at the end.
mismatch() {
    mismatches=$((mismatches + 1))
    printf 'seccomp-lab: MISMATCH in step %d: %s\n' "$steps" "$*" >&2
}

# step RC TEXT MINIRUN-ARG...: print the command, run it, print its output
# and, when it is not 0, its exit status (the status is part of the lesson);
# then check what the lab expects: exit status RC and TEXT in the output.
step() {
    local want_rc=$1 want_text=$2 rc=0 out
    shift 2
    steps=$((steps + 1))
    if [ "$pause" = 1 ]; then
        read -r -p "(Enter for the next step) " _ < /dev/tty || true
    fi
    printf '\n$ %s\n' "$(show "$minirun" "$@")"
    out=$("$minirun" "$@" < /dev/null 2>&1) || rc=$?
    [ -z "$out" ] || printf '%s\n' "$out"
    if [ "$rc" != 0 ]; then
        printf '(exit status %d)\n' "$rc"
    fi
    printf '(expected: exit status %d, output with "%s")\n' "$want_rc" "$want_text"
    if [ "$rc" != "$want_rc" ] || [[ $out != *"$want_text"* ]]; then
        mismatch "expected exit status $want_rc and output with \"$want_text\", got exit status $rc"
    fi
}

section() { printf '\n== %s\n' "$*"; }

echo "minirun: $minirun"
echo "rootfs:  $rootfs"

section "1. Default seccomp profile (docker run -it --rm --name alpine-test alpine /bin/sh)"
echo "No profile given: minirun applies its built-in default (Docker's). Inside, check the mode:"
step 0 "Seccomp:${T}2" --rm --name alpine-test "$rootfs" /bin/sh -c 'grep Seccomp /proc/$$/status'
echo "Seccomp: 2 means a filter is installed."

section "2. Custom profile: the default one without mkdir"
nomkdir=$work/seccomp-profile-no-mkdir.json
printf '\n$ cp examples/profiles/default.json %s\n' "$work/your-custom-profile.json"
cp "$profiles/default.json" "$work/your-custom-profile.json"
echo "Remove every reference to mkdir (and mkdirat, its modern form, which busybox uses):"
if command -v python3 > /dev/null; then
    printf '$ python3 -c ... (drop "mkdir" and "mkdirat" from every rule'"'"'s names) > %s\n' "$nomkdir"
    python3 - "$work/your-custom-profile.json" "$nomkdir" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    profile = json.load(f)
drop = {"mkdir", "mkdirat"}
rules = []
for rule in profile.get("syscalls") or []:
    if rule.get("name") in drop:
        continue
    if "names" in rule:
        rule["names"] = [n for n in rule["names"] if n not in drop]
        if not rule["names"]:
            continue
    rules.append(rule)
profile["syscalls"] = rules
with open(sys.argv[2], "w") as f:
    json.dump(profile, f, indent="\t")
    f.write("\n")
EOF
else
    printf '$ sed -E '"'"'s/"mkdir(at)?",[[:space:]]*//g'"'"' your-custom-profile.json > %s\n' "$nomkdir"
    sed -E 's/"mkdir(at)?",[[:space:]]*//g' "$work/your-custom-profile.json" > "$nomkdir"
fi
chmod 0644 "$nomkdir"
for f in your-custom-profile.json seccomp-profile-no-mkdir.json; do
    printf '$ grep -o '"'"'"mkdir[a-z]*"'"'"' %s\n' "$f"
    grep -o '"mkdir[a-z]*"' "$work/$f" || printf '(exit status %d: no match)\n' "$?"
done
steps=$((steps + 1))
if grep -q '"mkdir[a-z]*"' "$nomkdir"; then
    mismatch "the copy still names mkdir or mkdirat"
fi
echo "Run with it (docker run -it --rm --security-opt seccomp=... --name alpine-custom-seccomp alpine /bin/sh) and try mkdir:"
step 1 "mkdir: can't create directory 'test': Operation not permitted" \
    --rm --security-opt "seccomp=$nomkdir" --name alpine-custom-seccomp "$rootfs" \
    /bin/sh -c 'cd /tmp && mkdir test'
echo "The warning lists system calls newer than this host's libseccomp: they are skipped."
echo "The same mkdir under the default profile works:"
step 0 "created test" --rm "$rootfs" /bin/sh -c 'cd /tmp && mkdir test && echo created test && rmdir test'

section "3. Another restriction: chmod (examples/profiles/no-chmod.json)"
step 1 "chmod: /etc/hostname: Operation not permitted" \
    --rm --security-opt "seccomp=$profiles/no-chmod.json" "$rootfs" chmod 0644 /etc/hostname

section "4. No seccomp at all (--security-opt seccomp=unconfined)"
step 0 "Seccomp:${T}${host_seccomp}" --rm --security-opt seccomp=unconfined --name alpine-wo-seccomp "$rootfs" \
    /bin/sh -c 'grep Seccomp /proc/$$/status'
echo "Seccomp: 0 means no filter: not recommended unless you know why."

section "5. The names Kubernetes manifests use"
echo "RuntimeDefault (securityContext.seccompProfile.type), runtime/default (the pre-1.19 annotation):"
step 0 "Seccomp:${T}2" --rm --security-opt seccomp=RuntimeDefault "$rootfs" /bin/sh -c 'grep Seccomp: /proc/$$/status'
step 0 "Seccomp:${T}2" --rm --security-opt seccomp=runtime/default "$rootfs" /bin/sh -c 'grep Seccomp: /proc/$$/status'
echo "localhost/PATH (type: Localhost) names a profile file:"
step 1 "Operation not permitted" --rm --security-opt "seccomp=localhost/$nomkdir" "$rootfs" /bin/sh -c 'cd /tmp && mkdir test'
echo "Unconfined:"
step 0 "Seccomp:${T}${host_seccomp}" --rm --security-opt seccomp=Unconfined "$rootfs" /bin/sh -c 'grep Seccomp: /proc/$$/status'

section "6. Capabilities before seccomp: drop all but NET_BIND_SERVICE"
step 0 "CapEff:${T}0000000000000400" --rm --cap-drop ALL --cap-add NET_BIND_SERVICE "$rootfs" /bin/sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'

echo
if [ "$mismatches" -gt 0 ]; then
    printf 'seccomp-lab: %d of %d steps did not do what the lab says (MISMATCH above)\n' \
        "$mismatches" "$steps" >&2
    exit 1
fi
echo "Done."
