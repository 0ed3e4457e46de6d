#!/bin/bash
# --seccomp-learn, the issue's proof of done: learn a profile for a shell
# script that creates files, lists a directory and starts a background
# process; run the script again under the learned profile with
# --seccomp-report (no denial, the same output); remove one learned syscall
# and the report names exactly it.  Then learning on top of a base profile
# adds exactly what the base lacked.
#
# Every run gets a fresh copy of the rootfs (the script writes to it).
#
# Environment (tests/meson.build): MR_EXAMPLES (examples/profiles).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXAMPLES=${MR_EXAMPLES:-$here/../../examples/profiles}
[ -f "$EXAMPLES/no-mkdir.json" ] || missing_tool "no example profiles in MR_EXAMPLES=$EXAMPLES"
command -v python3 > /dev/null || missing_tool "python3 is not installed (JSON checks)"
ulimit -c 0
export MINIRUN_SECCOMP_CACHE=0

case $(uname -m) in
x86_64) ARCH=SCMP_ARCH_X86_64 ;;
aarch64) ARCH=SCMP_ARCH_AARCH64 ;;
*) ARCH= ;;
esac

# fresh_rootfs NAME: a copy of ROOTFS with the workload as /work.sh; prints its path.
# The shell calls `wait` only once it has reaped the background job itself
# (ash reaps an ended job between commands: its /proc entry is then gone).
# ash's `wait` calls rt_sigprocmask and rt_sigsuspend only while the job still
# runs, so with a bare `sleep 0.1 & wait $!` a learning run in which the shell
# was held up for 0.1 s (a loaded machine) learned neither, and the next run
# was denied them.  The calls are now the same in every run, fast or slow.
fresh_rootfs() {
    local d=$TESTS_TMP/$1
    cp -a "$ROOTFS" "$d"
    cat > "$d/work.sh" <<'EOF'
cd /tmp
mkdir w
echo one > w/a
echo two > w/b
ls w
sleep 0.1 &
while [ -d /proc/$! ]; do :; done
wait $!
echo "background: $?"
cat w/a w/b
EOF
    echo "$d"
}
WORK_OUT="a
b
background: 0
one
two"

# pyjson FILE CODE: run python CODE with d = the JSON in FILE; prints its output.
pyjson() {
    python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$2" "$1" 2>&1
}

# --- learn ----------------------------------------------------------------------
L=$TESTS_TMP/learned.json
run_minirun --seccomp-learn="$L" "$(fresh_rootfs r1)" sh /work.sh
expect "learn: the workload runs unchanged" 0 "$WORK_OUT"

if [ -f "$L" ]; then
    ok "learn: the profile is written"
else
    not_ok "learn: the profile is written" "no $L"
fi
is "$(pyjson "$L" 'print(list(d), d["defaultAction"], len(d["syscalls"]), list(d["syscalls"][0]), d["syscalls"][0]["action"])')" \
    "['defaultAction', 'architectures', 'syscalls'] SCMP_ACT_ERRNO 1 ['names', 'action'] SCMP_ACT_ALLOW" \
    "learn: defaultAction ERRNO and one ALLOW rule"
if [ -n "$ARCH" ]; then
    is "$(pyjson "$L" 'print(d["architectures"])')" "['$ARCH']" "learn: the native architecture"
else
    skip "learn: the native architecture" "architecture name known for x86_64 and aarch64 only"
fi
is "$(pyjson "$L" 'n = d["syscalls"][0]["names"]; print(n == sorted(set(n)), all(isinstance(x, str) for x in n))')" \
    "True True" "learn: names sorted and unique"
# What any such run needs: exec, the file and directory calls, the background
# process (clone/fork, wait4) and exit.
is "$(pyjson "$L" 'n = set(d["syscalls"][0]["names"])
need = ["execve", "getdents64", "wait4", "write", "exit_group"]
print([x for x in need if x not in n], bool(n & {"mkdir", "mkdirat"}), bool(n & {"clone", "clone3", "fork", "vfork"}), bool(n & {"open", "openat"}))')" \
    "[] True True True" "learn: the names include exec, mkdir, getdents64, clone, wait4, open, write, exit_group"

# --- the learned profile, observed ------------------------------------------------
run_minirun --seccomp="$L" --seccomp-report "$(fresh_rootfs r2)" sh /work.sh
expect "learned profile + report: exit 0, the same output, no denial" 0 "$WORK_OUT" \
    "minirun: seccomp: summary: no syscall was denied by $L"

run_minirun --seccomp="$L" "$(fresh_rootfs r3)" sh /work.sh
expect "learned profile, not observed: the same run" 0 "$WORK_OUT"

# --- one syscall fewer: the report names exactly it -------------------------------
L2=$TESTS_TMP/learned-no-getdents64.json
python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
d['syscalls'][0]['names'].remove('getdents64')
json.dump(d, open(sys.argv[2], 'w'), indent=2)" "$L" "$L2"
run_minirun --seccomp="$L2" --seccomp-report "$(fresh_rootfs r4)" sh /work.sh
# busybox ls reports the failure and exits 1; the script goes on.
if [ "$RC" = 0 ] && [ "$OUT" = "background: 0
one
two" ]; then
    ok "without getdents64: ls fails, the rest runs"
else
    not_ok "without getdents64: ls fails, the rest runs" "$(_result_diag)"
fi
# Only the report's lines: the names in "denied NAME(" and the summary.
denied=$(printf '%s\n' "$ERR" | sed -n 's/^minirun: seccomp: denied \([a-z0-9_]*\)(.*= -EPERM  \[pid [0-9]* \/bin\/busybox; default action\]$/\1/p' | sort -u)
summary=$(printf '%s\n' "$ERR" | grep '^minirun: seccomp: \(summary\|  \)')
n_denied=$(printf '%s\n' "$ERR" | grep -c '^minirun: seccomp: denied ')
is "$denied" "getdents64" "without getdents64: every denial names getdents64"
is "$summary" "minirun: seccomp: summary: $n_denied denied call$([ "$n_denied" = 1 ] || echo s) ($L2):
minirun: seccomp:   getdents64       $(printf '%5s' "$n_denied") x  -EPERM  [default action]" \
    "without getdents64: the summary names only getdents64"

# --- learning on top of a base ----------------------------------------------------
BASE=$EXAMPLES/no-mkdir.json
LB=$TESTS_TMP/learned-base.json
run_minirun --seccomp="$BASE" --seccomp-learn="$LB" "$(fresh_rootfs r5)" sh -c 'mkdir /tmp/d && echo made'
if [ "$RC" = 0 ] && [ "$OUT" = made ]; then
    ok "learn with a base: the workload runs (mkdir allowed while learning)"
else
    not_ok "learn with a base: the workload runs (mkdir allowed while learning)" "$(_result_diag)"
fi
is "$(python3 -c "import json, sys
b = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
added = d['syscalls'][-1]
rest = dict(d)
rest['syscalls'] = d['syscalls'][:-1]
print(rest == b, list(d) == list(b))
print(added)" "$BASE" "$LB" 2>&1)" \
"True True
{'names': ['mkdir'], 'action': 'SCMP_ACT_ALLOW', 'comment': 'added by minirun --seccomp-learn: what the base profile lacked for this workload'}" \
    "learn with a base: the base plus one rule with exactly mkdir"

run_minirun --seccomp="$LB" "$(fresh_rootfs r6)" sh -c 'mkdir /tmp/d && echo made'
is "$RC $OUT" "0 made" "learn with a base: the result lets the workload run"
run_minirun --seccomp="$BASE" "$(fresh_rootfs r7)" sh -c 'mkdir /tmp/d && echo made'
is "$RC $OUT" "1 " "learn with a base: (the base alone does not)"

# A base that lacks nothing: the result is the base, unchanged in content.
LN=$TESTS_TMP/learned-nothing.json
run_minirun --seccomp="$BASE" --seccomp-learn="$LN" "$ROOTFS" echo hi
is "$RC $OUT" "0 hi" "learn with a base, nothing lacking: the run"
is "$(python3 -c "import json, sys
print(json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])))" "$BASE" "$LN" 2>&1)" "True" \
    "learn with a base, nothing lacking: the base, no rule added"

# A base in another shape: a SeccompProfile in YAML (errnoRet a string) and a whole OCI
# config.json.  The result is the profile object itself as Docker JSON, plus what it
# lacked; before, the first failed after the workload had run (exit 125) and the second
# got its rule appended to the config's top level.
SPO=$TESTS_TMP/base-spo.yaml
cat > "$SPO" <<'EOF2'
apiVersion: security-profiles-operator.x-k8s.io/v1beta1
kind: SeccompProfile
metadata:
  name: no-chmod
spec:
  baseProfileName: runc-v1.1.5
  defaultAction: SCMP_ACT_ALLOW
  syscalls:
  - names: [chmod, fchmodat]
    action: SCMP_ACT_ERRNO
    errnoRet: "13"
EOF2
LY=$TESTS_TMP/learned-spo.json
run_minirun --seccomp="$SPO" --seccomp-learn="$LY" "$(fresh_rootfs r8)" sh -c 'mkdir /tmp/d && echo made'
is "$RC $OUT" "0 made" "learn on a YAML SeccompProfile: the run"
is "$(pyjson "$LY" 'print(sorted(d), d["syscalls"])')" \
"['defaultAction', 'syscalls'] [{'names': ['chmod', 'fchmodat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 13}]" \
    "learn on a YAML SeccompProfile: its spec as Docker JSON (errnoRet a number)"
run_minirun --seccomp="$LY" "$(fresh_rootfs r9)" sh -c 'mkdir /tmp/d && chmod 700 /tmp/d'
is "$RC ${ERR##*: }" "1 Permission denied" \
    "learn on a YAML SeccompProfile: the result denies chmod with EACCES (13) as the base did"

OCI=$TESTS_TMP/base-config.json
python3 -c "import json, sys
print(json.dumps({'ociVersion': '1.0.2', 'process': {'args': ['sh']},
                  'linux': {'seccomp': json.load(open(sys.argv[1]))}}))" "$BASE" > "$OCI"
LO=$TESTS_TMP/learned-oci.json
run_minirun --seccomp="$OCI" --seccomp-learn="$LO" "$(fresh_rootfs r10)" sh -c 'mkdir /tmp/d && echo made'
is "$RC $OUT" "0 made" "learn on an OCI config.json: the run"
is "$(python3 -c "import json, sys
b = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
print(d['syscalls'][:-1] == b['syscalls'], 'ociVersion' in d, d['syscalls'][-1]['names'])" "$BASE" "$LO" 2>&1)" \
"True False ['mkdir']" "learn on an OCI config.json: its linux.seccomp plus mkdir"

# --- --seccomp-learn-args: the argument values, as Docker's default has them ---------
# A workload that makes AF_UNIX and AF_INET sockets only: the learned profile
# allows socket for exactly those families (one EQ rule each) and clone only
# without namespace flags (Docker's masked condition), so AF_NETLINK is refused.
LA=$TESTS_TMP/learned-args.json
SOCKETS='/probe syscall socket 1 1 0; /probe syscall socket 2 2 0'
run_minirun --seccomp-learn="$LA" --seccomp-learn-args "$ROOTFS" sh -c "$SOCKETS"
is "$RC $OUT" "0 OK
OK" "learn args: the workload runs"
is "$(pyjson "$LA" 'plain = d["syscalls"][0]["names"]
rules = [(r["names"], r["args"]) for r in d["syscalls"][1:]]
print("socket" in plain, "clone" in plain)
print([r for r in rules if r[0] == ["socket"]])
print([r for r in rules if r[0] == ["clone"]])
print(all(r["action"] == "SCMP_ACT_ALLOW" for r in d["syscalls"]))')" \
"False False
[(['socket'], [{'index': 0, 'value': 1, 'valueTwo': 0, 'op': 'SCMP_CMP_EQ'}]), (['socket'], [{'index': 0, 'value': 2, 'valueTwo': 0, 'op': 'SCMP_CMP_EQ'}])]
[(['clone'], [{'index': 0, 'value': 2114060288, 'valueTwo': 0, 'op': 'SCMP_CMP_MASKED_EQ'}])]
True" "learn args: socket per family, clone without namespace flags"

run_minirun --seccomp="$LA" --seccomp-report "$ROOTFS" sh -c "$SOCKETS"
expect "learn args: learn -> run: the same workload, no denial" 0 "OK
OK" "minirun: seccomp: summary: no syscall was denied by $LA"
run_minirun --seccomp="$LA" "$ROOTFS" /probe syscall socket 16 3 0
is "$RC $OUT" "1 EPERM" "learn args: AF_NETLINK is refused"
run_minirun --seccomp="$LA" "$ROOTFS" /probe syscall socket 1 2 0
is "$RC $OUT" "0 OK" "learn args: AF_UNIX (another type) is allowed"

# clone3 takes its flags in memory, where no filter sees them: allowed by name,
# it would let through every namespace flag the clone rule refuses.  A
# workload that forks (clone) and starts a thread (glibc: clone3) gets
# clone3 answered ENOSYS, as in Docker's default; glibc falls back to clone.
LC=$TESTS_TMP/learned-clone3.json
run_minirun --seccomp-learn="$LC" --seccomp-learn-args "$ROOTFS" sh -c '/probe thread; true'
is "$RC $OUT" "0 OK" "learn args, clone3: the workload runs"
is "$(pyjson "$LC" 'print("clone3" in d["syscalls"][0]["names"])
print([(r["names"], r["action"], r.get("errnoRet")) for r in d["syscalls"][1:] if "clone3" in r["names"]])')" \
"False
[(['clone3'], 'SCMP_ACT_ERRNO', 38)]" "learn args, clone3: not a plain name, answered ENOSYS"
run_minirun --seccomp="$LC" "$ROOTFS" /probe clone3ns
is "$RC $OUT" "38 ENOSYS" "learn args, clone3: clone3(CLONE_NEWUSER) is refused"
run_minirun --seccomp="$LC" "$ROOTFS" sh -c '/probe thread; true'
is "$RC $OUT" "0 OK" "learn args, clone3: learn -> run: threads still start (through clone)"
# A namespace flag seen in clone3: clone and clone3 stay plain names.
LC2=$TESTS_TMP/learned-clone3-ns.json
run_minirun --seccomp-learn="$LC2" --seccomp-learn-args "$ROOTFS" sh -c '/probe clone3ns; /probe thread; true'
is "$RC $OUT" "0 OK
OK" "learn args, clone3 with CLONE_NEWUSER: the workload runs"
is "$(pyjson "$LC2" 'print("clone3" in d["syscalls"][0]["names"], "clone" in d["syscalls"][0]["names"])')" \
"True True" "learn args, clone3 with CLONE_NEWUSER: clone and clone3 plain names"

# --- a failure before exec -----------------------------------------------------------
LF=$TESTS_TMP/learned-fail.json
run_minirun --seccomp-learn="$LF" "$ROOTFS" no-such-command
is "$RC $([ -e "$LF" ] && echo written || echo absent)" "127 absent" \
    "learn, command not found: 127 and no profile written"

# --- the output file is the container's to replace, never to redirect --------------
# The learned profile is written where the user asked, possibly inside the
# rootfs.  A container that replaces it with a symlink to a host file must
# not have minirun (root on the host) write that file: the output file is
# opened before the container exists and written through that descriptor.
HOSTFILE=$TESTS_TMP/host-file
echo "host content" > "$HOSTFILE"
RL=$(fresh_rootfs r8)
run_minirun --seccomp-learn="$RL/learned.json" "$RL" sh -c "rm -f /learned.json; ln -s $HOSTFILE /learned.json && echo linked"
is "$RC $OUT" "0 linked" "learn file replaced by a symlink: the run"
is "$(cat "$HOSTFILE")" "host content" "learn file replaced by a symlink: the host file is unchanged"

# A symlink already there is not followed either.
RL2=$(fresh_rootfs r9)
ln -s "$HOSTFILE" "$RL2/learned.json"
run_minirun --seccomp-learn="$RL2/learned.json" "$RL2" true
expect_error "learn file is a symlink: refused" 125 \
    "minirun: --seccomp-learn=$RL2/learned.json: a symbolic link (not followed)"
is "$(cat "$HOSTFILE")" "host content" "learn file is a symlink: the host file is unchanged"

# A FIFO must not hang minirun (opening it for writing waits for a reader).
mkfifo "$TESTS_TMP/learn.fifo"
RUN_TIMEOUT=2 run_minirun --seccomp-learn="$TESTS_TMP/learn.fifo" "$ROOTFS" true
expect_error "learn file is a FIFO: refused at once" 125 \
    "minirun: --seccomp-learn=$TESTS_TMP/learn.fifo: not a regular file (a FIFO)"

# Another user's file in a sticky directory anyone writes to (/tmp), made
# (mode 0666) before the caller's run: the learned profile written into it
# would stay that user's to rewrite before the caller deploys it.  The second
# open (no O_CREAT) escaped even fs.protected_regular=2.
mkdir -m 1777 "$TESTS_TMP/sticky"
echo '{"defaultAction": "SCMP_ACT_ALLOW"}' > "$TESTS_TMP/sticky/learned.json"
chown 65534:65534 "$TESTS_TMP/sticky/learned.json" && chmod 0666 "$TESTS_TMP/sticky/learned.json"
run_minirun --seccomp-learn="$TESTS_TMP/sticky/learned.json" "$ROOTFS" true
expect_error "learn file is another user's in a sticky directory: refused" 125 \
    "minirun: --seccomp-learn=$TESTS_TMP/sticky/learned.json: another user's file (uid 65534) in a sticky directory others can write to; not written (remove it, or choose another path)"
is "$(cat "$TESTS_TMP/sticky/learned.json")" '{"defaultAction": "SCMP_ACT_ALLOW"}' \
    "learn file is another user's in a sticky directory: left as it was"
# The directory's owner's file (root's /tmp, root's file) is written, as the kernel allows.
echo old > "$TESTS_TMP/sticky/root.json" && chmod 0666 "$TESTS_TMP/sticky/root.json"
run_minirun --seccomp-learn="$TESTS_TMP/sticky/root.json" "$ROOTFS" true
is "$RC $(grep -c SCMP_ACT_ERRNO "$TESTS_TMP/sticky/root.json")" "0 1" \
    "learn file of the sticky directory's owner: written"
# A hard link there (anyone may make one where fs.protected_hardlinks=0, the
# kernel's default) to a file of the caller's: `ln /etc/shadow /tmp/p.json`
# had root's learned profile written over /etc/shadow.  Its owner is root,
# the directory's and the caller's, so the owner rule above lets it through.
echo 'root:secret' > "$TESTS_TMP/victim"
ln "$TESTS_TMP/victim" "$TESTS_TMP/sticky/link.json"
run_minirun --seccomp-learn="$TESTS_TMP/sticky/link.json" "$ROOTFS" true
expect_error "learn file is a hard link in a sticky directory: refused" 125 \
    "minirun: --seccomp-learn=$TESTS_TMP/sticky/link.json: a file with 2 hard links in a sticky directory others can write to; not written (remove it, or choose another path)"
is "$(cat "$TESTS_TMP/victim")" 'root:secret' "learn file is a hard link in a sticky directory: the linked file is untouched"
# Another user's symlink as a directory on the way, in that sticky directory
# (/tmp/x -> /etc, made first): /tmp/x/shadow was root's /etc/shadow where
# fs.protected_symlinks=0 (O_NOFOLLOW covers the last component only).  The
# kernel's protected_symlinks rule, whatever the sysctl: refused (EACCES).
mkdir "$TESTS_TMP/victim-dir" && echo 'root:secret' > "$TESTS_TMP/victim-dir/shadow"
ln -s "$TESTS_TMP/victim-dir" "$TESTS_TMP/sticky/d" && chown -h 65534:65534 "$TESTS_TMP/sticky/d"
run_minirun --seccomp-learn="$TESTS_TMP/sticky/d/shadow" "$ROOTFS" true
expect_error "learn file under another user's symlink in a sticky directory: refused" 125 \
    "minirun: --seccomp-learn=$TESTS_TMP/sticky/d/shadow: Permission denied"
is "$(cat "$TESTS_TMP/victim-dir/shadow")" 'root:secret' \
    "learn file under another user's symlink in a sticky directory: the file it leads to is untouched"
# The caller's own symlink there is followed, as the kernel follows it.
ln -s "$TESTS_TMP/victim-dir" "$TESTS_TMP/sticky/mine"
run_minirun --seccomp-learn="$TESTS_TMP/sticky/mine/learned.json" "$ROOTFS" true
is "$RC $(grep -c SCMP_ACT_ERRNO "$TESTS_TMP/victim-dir/learned.json" 2>/dev/null)" "0 1" \
    "learn file under the caller's own symlink in a sticky directory: written"

# An existing file that the run never reached exec for is left as it was.
LK=$TESTS_TMP/learned-keep.json
echo '{"keep": true}' > "$LK"
run_minirun --seccomp-learn="$LK" "$ROOTFS" no-such-command
is "$RC $(cat "$LK")" '127 {"keep": true}' "learn, command not found: an existing file is kept as it was"
# ... and one that the run reached is replaced whole (no tail of the old text).
printf '%*s\n' 100000 x > "$LK"
run_minirun --seccomp-learn="$LK" "$ROOTFS" true
is "$RC $(pyjson "$LK" 'print(d["defaultAction"])')" "0 SCMP_ACT_ERRNO" \
    "learn over a longer existing file: a whole JSON document"

done_testing
