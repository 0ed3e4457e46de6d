#!/bin/bash
# Seccomp, end to end: the seed lab's steps, errno/kill/trap/trace/log
# actions, argument filters, the ENOSYS stub, the OCI form, includes/excludes
# by capability, --privileged, no-new-privileges, unknown syscall names, every
# profile in ../shared/profiles and the compiled-filter cache.
# (Bad input and launch refusals: test-seccomp-input.sh; the lab script:
# test-seccomp-lab.sh.)
#
# Environment (tests/meson.build): MR_SECCOMP_IT_DATA (tests/data/seccomp-it),
# MR_EXAMPLES (examples/profiles), MR_SHARED_PROFILES (../shared/profiles; the
# tests that need it skip when it is absent).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=${MR_SECCOMP_IT_DATA:-$here/../data/seccomp-it}
EXAMPLES=${MR_EXAMPLES:-$here/../../examples/profiles}
SHARED=${MR_SHARED_PROFILES:-$here/../../../shared/profiles}
[ -f "$DATA/errno-100.json" ] || missing_tool "no fixtures in MR_SECCOMP_IT_DATA=$DATA"
[ -f "$EXAMPLES/no-mkdir.json" ] || missing_tool "no example profiles in MR_EXAMPLES=$EXAMPLES"
have_shared=0
[ -f "$SHARED/docker-labs_default.json" ] && have_shared=1
# SIGSYS (TRAP, KILL) dumps core by default: not into the test rootfs.
ulimit -c 0

# Most runs compile the filter every time; the lab's steps run as a user's
# would (the default cache, /var/cache/minirun/seccomp for root) and the cache
# section uses a private directory.
export MINIRUN_SECCOMP_CACHE=0

# What /proc/self/status says outside: a run under a filter shows mode 2 and
# one filter more; an unconfined one shows the caller's own values.
host_mode=$(sed -n 's/^Seccomp:\t//p' /proc/self/status)
host_filters=$(sed -n 's/^Seccomp_filters:\t//p' /proc/self/status)
# grep_seccomp MODE: what "grep Seccomp /proc/$$/status" prints in a container
# with MODE 2 (a filter of minirun's) or 0 (unconfined).
grep_seccomp() {
    if [ "$1" = 2 ]; then
        printf 'Seccomp:\t2'
        [ -z "$host_filters" ] || printf '\nSeccomp_filters:\t%s' $((host_filters + 1))
    else
        printf 'Seccomp:\t%s' "$host_mode"
        [ -z "$host_filters" ] || printf '\nSeccomp_filters:\t%s' "$host_filters"
    fi
}
# The unconfined checks only mean something when the caller has no filter.
unconfined_ok=1
[ "$host_mode" = 0 ] || unconfined_ok=0
skip_confined_host() { skip "$1" "the caller already runs under seccomp (Seccomp: $host_mode)"; }

# unknown_warning PROFILE [CAP...]: the warning line minirun must print for
# PROFILE (empty when none), computed independently of minirun: Docker's
# reduction (includes/excludes by arch, bounding set, minKernel) in Python,
# then libseccomp's own name table through ctypes.  The bounding set is
# Docker's default 14 plus CAPs.  Prints "?" when Python or libseccomp's
# shared library is not available.
unknown_warning() {
    python3 - "$@" <<'EOF' 2>/dev/null || echo "?"
import ctypes, json, os, platform, sys
lib = ctypes.CDLL("libseccomp.so.2")
lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
class Ver(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint), ("minor", ctypes.c_uint), ("micro", ctypes.c_uint)]
lib.seccomp_version.restype = ctypes.POINTER(Ver)
v = lib.seccomp_version().contents
path = sys.argv[1]
bounding = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"} | set(sys.argv[2:])
goarch = {"x86_64": "amd64", "aarch64": "arm64", "i686": "386", "armv7l": "arm", "ppc64le": "ppc64le",
          "s390x": "s390x", "riscv64": "riscv64"}.get(platform.machine(), platform.machine())
rel = tuple(int(x) for x in os.uname().release.split("-")[0].split(".")[:2])
def kernel_ge(s):
    return rel >= tuple(int(x) for x in s.split("."))
with open(path) as f:
    p = json.load(f)
if "linux" in p:
    p = p["linux"]["seccomp"]
unknown = []
for r in p.get("syscalls") or []:
    ex, inc = r.get("excludes") or {}, r.get("includes") or {}
    if goarch in (ex.get("arches") or []) or any(c in bounding for c in ex.get("caps") or []):
        continue
    if ex.get("minKernel") and kernel_ge(ex["minKernel"]):
        continue
    if inc.get("arches") and goarch not in inc["arches"]:
        continue
    if any(c not in bounding for c in inc.get("caps") or []):
        continue
    if inc.get("minKernel") and not kernel_ge(inc["minKernel"]):
        continue
    for n in r.get("names") or ([r["name"]] if r.get("name") else []):
        # -1 (__NR_SCMP_ERROR): in no architecture's table.  Other negative
        # numbers are names libseccomp knows for other architectures.
        if lib.seccomp_syscall_resolve_name(n.encode()) == -1 and n not in unknown:
            unknown.append(n)
if unknown:
    print("minirun: warning: seccomp profile %s: %d system call name%s unknown to libseccomp "
          "%d.%d.%d, skipped: %s" % (path, len(unknown), "" if len(unknown) == 1 else "s",
                                     v.major, v.minor, v.micro, ", ".join(unknown)))
EOF
}

# expect_warned NAME RC STDOUT STDERR-AFTER-THE-WARNING PROFILE [CAP...]: like
# expect, with the unknown-names warning for PROFILE (if any) first on stderr.
expect_warned() {
    local name=$1 rc=$2 out=$3 err=$4 w
    w=$(unknown_warning "${@:5}")
    if [ "$w" = "?" ]; then
        # No way to compute the list here: check the line's form only.
        if [ "$RC" == "$rc" ] && [ "$OUT" == "$out" ] &&
            { [ "$ERR" == "$err" ] ||
              [[ $ERR == "minirun: warning: seccomp profile $5: "[0-9]*" unknown to libseccomp "*", skipped: "*$'\n'"$err" ]]; }; then
            ok "$name (warning's form only: python3 or libseccomp.so.2 missing)"
        else
            not_ok "$name" "$(_result_diag)"
        fi
        return
    fi
    expect "$name" "$rc" "$out" "${w:+$w${err:+$'\n'}}$err"
}

# errno_of NAME: the probe's exit status for that errno name.
declare -A ERRNO_NR=([OK]=0 [EPERM]=1 [ESRCH]=3 [ENXIO]=6 [EBADF]=9 [ECHILD]=10 [EACCES]=13
    [EFAULT]=14 [ENOTBLK]=15 [EXDEV]=18 [EINVAL]=22 [ETXTBSY]=26 [EDOM]=33 [ERANGE]=34
    [ENOSYS]=38 [ENOLINK]=67 [ENETDOWN]=100)
# expect_errno NAME ERRNO-NAME: the last probe run printed ERRNO-NAME and
# exited with its value.
expect_errno() { expect "$1" "${ERRNO_NR[$2]}" "$2"; }

# sc NAME ERRNO-NAME MINIRUN-FLAG... -- PROBE-SYSCALL-ARG...
sc() {
    local name=$1 want=$2
    shift 2
    local flags=()
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    run_minirun "${flags[@]}" "$ROOTFS" /probe syscall "$@"
    expect_errno "$name: syscall $* -> $want" "$want"
}

mkdir_msg() { printf "mkdir: can't create directory '%s': %s" "$1" "$2"; }

# ---------------------------------------------------------------- 1. the lab
# Step 1: no profile given, the built-in default (default cache on).
run_cmd env -u MINIRUN_SECCOMP_CACHE "$MINIRUN" --rm --name alpine-test "$ROOTFS" \
    /bin/sh -c 'grep Seccomp /proc/$$/status'
expect "lab 1: no profile: grep Seccomp /proc/\$\$/status shows 2" 0 "$(grep_seccomp 2)"

# Step 2: the project's copy of the default profile without mkdir.
p=$EXAMPLES/no-mkdir.json
run_minirun --rm --security-opt "seccomp=$p" --name alpine-custom-seccomp "$ROOTFS" \
    /bin/sh -c 'cd /tmp && mkdir test'
# --name is in minirun's warning too ("minirun: NAME: warning: ...").
w=$(unknown_warning "$p")
if [ -n "$w" ] && [ "$w" != "?" ]; then
    expect "lab 2: no-mkdir.json: mkdir test is refused with EPERM, exit 1" 1 "" \
        "${w/#"minirun: "/"minirun: alpine-custom-seccomp: "}"$'\n'"$(mkdir_msg test 'Operation not permitted')"
else
    expect_warned "lab 2: no-mkdir.json: mkdir test is refused with EPERM, exit 1" 1 "" \
        "$(mkdir_msg test 'Operation not permitted')" "$p"
fi
run_minirun --rm --seccomp="$p" "$ROOTFS" /probe syscall mkdirat
expect_warned "lab 2: no-mkdir.json: raw mkdirat -> EPERM" 1 EPERM "" "$p"
run_minirun --rm --seccomp="$p" "$ROOTFS" /probe syscall mkdir
expect_warned "lab 2: no-mkdir.json: raw mkdir -> EPERM" 1 EPERM "" "$p"
run_minirun "$ROOTFS" /probe syscall mkdirat
expect_errno "lab 2: the built-in default allows mkdirat (bad pointer: EFAULT)" EFAULT

# Step 3: unconfined.
if [ "$unconfined_ok" = 1 ]; then
    run_minirun --rm --security-opt seccomp=unconfined --name alpine-wo-seccomp "$ROOTFS" \
        /bin/sh -c 'grep Seccomp /proc/$$/status'
    expect "lab 3: seccomp=unconfined: grep Seccomp shows 0" 0 "$(grep_seccomp 0)"
else
    skip_confined_host "lab 3: seccomp=unconfined: grep Seccomp shows 0"
fi

# The Kubernetes spellings.
for s in runtime/default RuntimeDefault docker/default; do
    run_minirun --security-opt "seccomp=$s" "$ROOTFS" /bin/sh -c 'grep Seccomp /proc/$$/status; /probe syscall clone3'
    expect "seccomp=$s: the built-in default (Seccomp 2, clone3 ENOSYS)" 38 "$(grep_seccomp 2)
ENOSYS"
done
if [ "$unconfined_ok" = 1 ]; then
    run_minirun --security-opt seccomp=Unconfined "$ROOTFS" /bin/sh -c 'grep Seccomp /proc/$$/status'
    expect "seccomp=Unconfined: no filter" 0 "$(grep_seccomp 0)"
else
    skip_confined_host "seccomp=Unconfined: no filter"
fi
run_minirun --security-opt "seccomp=localhost/$DATA/errno-100.json" "$ROOTFS" \
    /bin/sh -c 'grep Seccomp /proc/$$/status; cd /tmp && mkdir test'
expect "seccomp=localhost/ABS_PATH: the file" 1 "$(grep_seccomp 2)" "$(mkdir_msg test 'Network is down')"
run_minirun --seccomp "$DATA/errno-100.json" "$ROOTFS" mkdir /tmp/sc-it-x
expect "--seccomp PROFILE (separate argument)" 1 "" "$(mkdir_msg /tmp/sc-it-x 'Network is down')"

# ---------------------------------------------------------------- 2. actions
run_minirun --seccomp="$DATA/errno-100.json" "$ROOTFS" mkdir /tmp/sc-it-x
expect "errnoRet 100: busybox mkdir says Network is down" 1 "" "$(mkdir_msg /tmp/sc-it-x 'Network is down')"
sc "errnoRet 100" ENETDOWN --seccomp="$DATA/errno-100.json" -- mkdirat
run_minirun --seccomp="$DATA/podman-errno.json" "$ROOTFS" mkdir /tmp/sc-it-x
expect "Podman dialect \"errno\": \"ENETDOWN\"" 1 "" "$(mkdir_msg /tmp/sc-it-x 'Network is down')"

d=$DATA/default-errno.json
sc "defaultErrnoRet 6, not listed" ENXIO --seccomp="$d" -- fsync 1000
sc "defaultErrnoRet 6, not listed" ENXIO --seccomp="$d" -- getpid
sc "rule ERRNO without errnoRet: EPERM, not defaultErrnoRet" EPERM --seccomp="$d" -- fdatasync 1000
sc "rule errnoRet 13" EACCES --seccomp="$d" -- fchdir 1000
sc "defaultErrnoRet profile, above the highest listed number: the stub's" ENOSYS --seccomp="$d" -- 1000

for a in kill kill-thread kill-process trap; do
    run_minirun --seccomp="$DATA/$a.json" "$ROOTFS" /bin/sh -c 'mkdir /tmp/sc-it-x; echo $?'
    expect "$a.json: the shell sees mkdir die of SIGSYS (159)" 0 159 "Bad system call"
    run_minirun --seccomp="$DATA/$a.json" "$ROOTFS" /probe syscall mkdirat
    expect "$a.json: the command itself dies of SIGSYS: minirun exits 159" 159 ""
done
sc "SCMP_ACT_TRACE without a tracer" ENOSYS --seccomp="$DATA/trace.json" -- mkdirat

# LOG: everything allowed (and logged).
p=$EXAMPLES/log-all.json
run_minirun --seccomp="$p" "$ROOTFS" true
expect "log-all.json: true runs" 0 ""
run_minirun --seccomp="$p" "$ROOTFS" /bin/sh -c '/probe status Seccomp; /probe syscall mkdirat'
expect "log-all.json: a filter is installed and mkdirat is allowed (EFAULT)" 14 "2
EFAULT"

# ---------------------------------------------------------------- 3. argument filters
a=$DATA/args.json
sc "EQ matches" EACCES --seccomp="$a" -- setns 1000 0
sc "EQ does not match" EBADF --seccomp="$a" -- setns 1001 0
sc "multi-arg AND: both match" ENOLINK --seccomp="$a" -- setns 3000 0x20000000
sc "multi-arg AND: only arg0 matches" EBADF --seccomp="$a" -- setns 3000 0
sc "multi-arg AND: only arg1 matches" EBADF --seccomp="$a" -- setns 3001 0x20000000
sc "MASKED_EQ (arg & value) == valueTwo" EDOM --seccomp="$a" -- ioctl 1000 0x5412 0
sc "MASKED_EQ, other bits outside the mask" EDOM --seccomp="$a" -- ioctl 1000 0x1000054ff 0
sc "MASKED_EQ does not match" EBADF --seccomp="$a" -- ioctl 1000 0x1254 0
sc "MASKED_EQ is not EQ on value" EBADF --seccomp="$a" -- ioctl 1000 0xff00 0
sc "same-index OR: first value" ETXTBSY --seccomp="$a" -- ioctl 2000 0 0
sc "same-index OR: second value" ETXTBSY --seccomp="$a" -- ioctl 2001 0 0
sc "same-index OR: neither" EBADF --seccomp="$a" -- ioctl 2002 0 0
sc "NE: differs" ERANGE --seccomp="$a" -- fsync 1001
sc "NE: equal" EBADF --seccomp="$a" -- fsync 1000
sc "LT: below" EXDEV --seccomp="$a" -- fdatasync 999
sc "LT: equal" EBADF --seccomp="$a" -- fdatasync 1000
sc "GT: above" ENOTBLK --seccomp="$a" -- fchdir 1001
sc "GT: equal" EBADF --seccomp="$a" -- fchdir 1000
sc "LE: equal" ECHILD --seccomp="$a" -- dup 1000
sc "LE: above" EBADF --seccomp="$a" -- dup 1001
sc "GE: equal" ESRCH --seccomp="$a" -- close 1000
sc "GE: below" EBADF --seccomp="$a" -- close 999
sc "comparisons are 64-bit: 2^32+1000 is not 1000" EBADF --seccomp="$a" -- setns 0x1000003e8 0

# ---------------------------------------------------------------- 4. the ENOSYS stub
if [ "$have_shared" = 1 ]; then
    lab=$SHARED/docker-labs_default.json
    sc "docker-labs_default.json (no clone3 in it)" ENOSYS --seccomp="$lab" -- clone3
    sc "docker-labs_default.json" ENOSYS --seccomp="$lab" -- 1000
    run_minirun --seccomp="$lab" "$ROOTFS" /probe thread
    expect "docker-labs_default.json: pthread_create works (glibc falls back from clone3 to clone)" 0 OK
    # The contrast: allow faccessat2 (439), above clone3 (435), and clone3 is
    # under the stub's limit: the profile's default EPERM, which glibc does
    # not fall back from.
    python3 - "$lab" "$TESTS_TMP/lab-faccessat2.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["syscalls"].append({"name": "faccessat2", "action": "SCMP_ACT_ALLOW", "args": []})
json.dump(p, open(sys.argv[2], "w"))
EOF
    sc "the same plus faccessat2 (439): clone3 below the limit" EPERM --seccomp="$TESTS_TMP/lab-faccessat2.json" -- clone3
    run_minirun --seccomp="$TESTS_TMP/lab-faccessat2.json" "$ROOTFS" /probe thread
    expect "the same plus faccessat2: pthread_create fails with EPERM (what the stub prevents)" 1 EPERM
    sc "the same plus faccessat2: above the limit still" ENOSYS --seccomp="$TESTS_TMP/lab-faccessat2.json" -- 1000
else
    for t in "clone3 ENOSYS" "syscall 1000 ENOSYS" "pthread_create" "contrast clone3 EPERM" \
        "contrast pthread_create EPERM" "contrast 1000 ENOSYS"; do
        skip "docker-labs_default.json: $t" "no $SHARED (../shared/profiles)"
    done
fi
run_minirun "$ROOTFS" /probe thread
expect "built-in default: pthread_create works" 0 OK

# ---------------------------------------------------------------- 5. OCI form
for p in "$DATA/oci-seccomp.json" "$DATA/oci-config.json"; do
    n=$(basename "$p")
    run_minirun --seccomp="$p" "$ROOTFS" /bin/sh -c 'mkdir /tmp/sc-it-x; /probe syscall setns 3000 0x20000000; /probe syscall setns 3000 0'
    expect "$n: errnoRet and arguments as in the Docker form" 9 "ENOLINK
EBADF" "$(mkdir_msg /tmp/sc-it-x 'Network is down')"
done

# ---------------------------------------------------------------- 6. includes/excludes by capability
c=$DATA/caps.json
caps_probe() {
    run_minirun "$@" --seccomp="$c" "$ROOTFS" /bin/sh -c \
        '/probe syscall unshare; /probe syscall setns 1000 0; /probe syscall fsync 1000; /probe syscall fdatasync 1000'
}
caps_probe
expect "caps.json, default caps: excludes SYS_ADMIN rule on, includes SYS_ADMIN rule off" 18 "EACCES
EBADF
EBADF
EXDEV"
caps_probe --cap-add SYS_ADMIN
expect "caps.json, --cap-add SYS_ADMIN: the two rules swap" 9 "EINVAL
ENOLINK
EBADF
EBADF"
caps_probe --cap-add NET_ADMIN
expect "caps.json, --cap-add NET_ADMIN: includes needs every cap, excludes drops on any" 9 "EACCES
EBADF
EBADF
EBADF"
caps_probe --cap-add SYS_ADMIN --cap-add NET_ADMIN
expect "caps.json, both caps: includes of two caps applies" 9 "EINVAL
ENOLINK
EDOM
EBADF"
caps_probe --user 1000 --cap-add SYS_ADMIN
expect "caps.json, --user 1000 --cap-add SYS_ADMIN: compared with the bounding set" 9 "EINVAL
ENOLINK
EBADF
EBADF"
caps_probe --cap-drop ALL --cap-add SYS_ADMIN
expect "caps.json, --cap-drop ALL --cap-add SYS_ADMIN" 9 "EINVAL
ENOLINK
EBADF
EBADF"

# The built-in default (Docker's): clone3, unshare, mount depend on CAP_SYS_ADMIN.
if [ "$unconfined_ok" = 1 ]; then
    run_minirun --seccomp=unconfined "$ROOTFS" /bin/sh -c '/probe syscall clone3; /probe syscall unshare; /probe syscall mount'
    expect "control: unconfined without CAP_SYS_ADMIN the kernel says EFAULT/EINVAL/EFAULT" 14 "EFAULT
EINVAL
EFAULT"
else
    skip_confined_host "control: unconfined without CAP_SYS_ADMIN"
fi
run_minirun "$ROOTFS" /bin/sh -c '/probe syscall clone3; /probe syscall unshare; /probe syscall mount'
expect "built-in default: clone3 ENOSYS, unshare and mount EPERM" 1 "ENOSYS
EPERM
EPERM"
run_minirun --cap-add SYS_ADMIN "$ROOTFS" /bin/sh -c '/probe syscall clone3; /probe syscall unshare; /probe syscall mount'
expect "built-in default, --cap-add SYS_ADMIN: clone3, unshare, mount allowed" 14 "EFAULT
EINVAL
EFAULT"
run_minirun --user 1000 --cap-add SYS_ADMIN "$ROOTFS" /probe syscall clone3
expect_errno "built-in default, --user 1000 --cap-add SYS_ADMIN: clone3 allowed (bounding set)" EFAULT

# ---------------------------------------------------------------- 7. ../shared/profiles
if [ "$have_shared" = 1 ]; then
    for p in "$SHARED"/*.json; do
        n=$(basename "$p")
        [ "$n" = docker-labs_deny.json ] && continue # test-seccomp-input.sh
        run_minirun --seccomp="$p" "$ROOTFS" true
        expect_warned "shared $n: true runs" 0 "" "" "$p"
    done
    run_minirun --seccomp="$SHARED/docker-labs_allow.json" "$ROOTFS" /bin/sh -c '/probe status Seccomp; /probe syscall mount'
    expect "shared docker-labs_allow.json: a filter, and it allows mount" 14 "2
EFAULT"
    run_minirun --seccomp="$SHARED/moby-moby_default.json" "$ROOTFS" /bin/sh -c '/probe syscall clone3; /probe syscall mount; /probe thread'
    expect_warned "shared moby-moby_default.json: clone3 ENOSYS, mount EPERM, threads work" 0 "ENOSYS
EPERM
OK" "" "$SHARED/moby-moby_default.json"
else
    skip "every profile in ../shared/profiles runs true" "no $SHARED"
fi

# ---------------------------------------------------------------- 8. --privileged
if [ "$unconfined_ok" = 1 ]; then
    run_minirun --privileged "$ROOTFS" /bin/sh -c 'grep Seccomp /proc/$$/status'
    expect "--privileged: no seccomp" 0 "$(grep_seccomp 0)"
else
    skip_confined_host "--privileged: no seccomp"
fi
run_minirun --privileged --seccomp="$DATA/errno-100.json" "$ROOTFS" /bin/sh -c 'grep Seccomp /proc/$$/status; mkdir /tmp/sc-it-x'
expect "--privileged with an explicit profile: the profile" 1 "$(grep_seccomp 2)" "$(mkdir_msg /tmp/sc-it-x 'Network is down')"
run_minirun --privileged --security-opt "seccomp=$DATA/caps.json" "$ROOTFS" /probe syscall setns 1000 0
expect_errno "--privileged with caps.json: CAP_SYS_ADMIN is in the bounding set" ENOLINK

# ---------------------------------------------------------------- 9. no-new-privileges
run_minirun "$ROOTFS" /probe status NoNewPrivs Seccomp
expect "default: NoNewPrivs 0, a filter" 0 "0
2"
run_minirun --security-opt no-new-privileges "$ROOTFS" /bin/sh -c '/probe status NoNewPrivs Seccomp; /probe syscall clone3'
expect "no-new-privileges: NoNewPrivs 1 and the default filter still installed" 38 "1
2
ENOSYS"
run_minirun --security-opt no-new-privileges --seccomp="$DATA/deny-capset.json" "$ROOTFS" \
    /bin/sh -c '/probe status NoNewPrivs Seccomp; /probe syscall capset'
expect "deny-capset.json with no-new-privileges runs, and capset is denied" 1 "1
2
EPERM"
run_minirun --security-opt no-new-privileges --seccomp="$DATA/deny-setresuid.json" "$ROOTFS" \
    /bin/sh -c '/probe ids; /probe syscall setresuid'
expect "deny-setresuid.json with no-new-privileges runs as root, setresuid ENOSYS" 38 "uid=0,0,0 gid=0,0,0 groups=0
ENOSYS"
run_minirun --security-opt no-new-privileges --user alice --seccomp="$DATA/deny-setresuid.json" "$ROOTFS" /probe ids
expect "deny-setresuid.json, no-new-privileges, --user alice: the user and groups were set" 0 \
    "uid=1000,1000,1000 gid=1000,1000,1000 groups=10,29,1000"

# ---------------------------------------------------------------- 10. unknown names
# unknown-names.json names them in deny rules of an allow-by-default profile:
# they would fail open, so a run refuses it (test-seccomp-input.sh); with
# --seccomp-strict=off it runs as written, with the warning.
u=$DATA/unknown-names.json
run_minirun --seccomp-strict=off --seccomp="$u" "$ROOTFS" mkdir /tmp/sc-it-x
# shellcheck disable=SC2053 # a glob on purpose: only the version may vary
if [ "$RC" = 1 ] && [ -z "$OUT" ] &&
    [[ $ERR == "minirun: warning: seccomp profile $u: 2 system call names unknown to libseccomp "[0-9]*.[0-9]*.[0-9]*", skipped: no_such_syscall_a, no_such_syscall_b"$'\n'"$(mkdir_msg /tmp/sc-it-x 'Network is down')" ]]; then
    ok "unknown names: one warning listing each once, the rest applies"
else
    not_ok "unknown names: one warning listing each once, the rest applies" "$(_result_diag)"
fi
run_minirun --seccomp-strict=off --seccomp="$u" "$ROOTFS" mkdir /tmp/sc-it-x
expect_warned "unknown names: the warning as computed from libseccomp's table" 1 "" \
    "$(mkdir_msg /tmp/sc-it-x 'Network is down')" "$u"
run_minirun "$ROOTFS" true
expect "the built-in default names newer syscalls too, silently" 0 ""

# ---------------------------------------------------------------- 11. the compiled-filter cache
cache=$TESTS_TMP/cache/seccomp
e100=$DATA/errno-100.json
cached() { MINIRUN_SECCOMP_CACHE=$cache run_minirun "$@"; }
bpf_files() { find "$cache" -maxdepth 1 -name '*.bpf' -type f 2>/dev/null | sort; }

cached --seccomp="$e100" "$ROOTFS" mkdir /tmp/sc-it-x
expect "cache, first run (compiles, stores)" 1 "" "$(mkdir_msg /tmp/sc-it-x 'Network is down')"
mapfile -t entries < <(bpf_files)
is "${#entries[@]}" 1 "cache: one entry written"
is "$(stat -c %a "$cache" 2>/dev/null)" 700 "cache: the directory is private (0700)"
entry=${entries[0]:-$cache/none.bpf}
cp "$entry" "$TESTS_TMP/entry.orig" 2>/dev/null
cached --seccomp="$e100" "$ROOTFS" mkdir /tmp/sc-it-x
expect "cache, second run (from the cache): same outcome" 1 "" "$(mkdir_msg /tmp/sc-it-x 'Network is down')"
cached --seccomp="$e100" "$ROOTFS" /probe syscall mkdirat
expect_errno "cache: probe from the cache" ENETDOWN
MINIRUN_SECCOMP_CACHE=0 run_minirun --seccomp="$e100" "$ROOTFS" /probe syscall mkdirat
expect_errno "cache off: the same" ENETDOWN

# A different profile must not hit the first one's entry.
sed 's/"errnoRet": 100/"errnoRet": 101/' "$e100" > "$TESTS_TMP/errno-101.json"
cached --seccomp="$TESTS_TMP/errno-101.json" "$ROOTFS" mkdir /tmp/sc-it-x
expect "cache: errnoRet 101 is another entry, not errnoRet 100's" 1 "" "$(mkdir_msg /tmp/sc-it-x 'Network is unreachable')"

# Corrupt the entry so that, trusted, it would return 101 instead of 100:
# minirun must notice (payload checksum), recompile and rewrite it.
corrupt() {
    python3 - "$1" <<'EOF'
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
needle = struct.pack("<I", 0x00050000 | 100)   # SECCOMP_RET_ERRNO | 100
i = data.rfind(needle)
if i < 0:
    sys.exit("no ERRNO(100) instruction in " + path)
data[i:i + 4] = struct.pack("<I", 0x00050000 | 101)
open(path, "wb").write(data)
EOF
}
if [ -f "$entry" ] && corrupt "$entry"; then
    cached --seccomp="$e100" "$ROOTFS" mkdir /tmp/sc-it-x
    expect "cache: a corrupted entry is not trusted (still Network is down)" 1 "" "$(mkdir_msg /tmp/sc-it-x 'Network is down')"
    if cmp -s "$entry" "$TESTS_TMP/entry.orig"; then
        ok "cache: the corrupted entry was recompiled and rewritten"
    else
        not_ok "cache: the corrupted entry was recompiled and rewritten" "$entry differs from the first run's entry"
    fi
    head -c 100 "$TESTS_TMP/entry.orig" > "$entry"
    cached --seccomp="$e100" "$ROOTFS" /probe syscall mkdirat
    expect_errno "cache: a truncated entry is ignored" ENETDOWN
    if cmp -s "$entry" "$TESTS_TMP/entry.orig"; then
        ok "cache: the truncated entry was rewritten"
    else
        not_ok "cache: the truncated entry was rewritten" "$entry differs from the first run's entry"
    fi
else
    not_ok "cache: corrupt the entry" "no entry ($entry) or no ERRNO(100) in it"
    for t in "corrupted entry not trusted" "corrupted entry rewritten" "truncated entry ignored" "truncated entry rewritten"; do
        not_ok "cache: $t" "not run"
    done
fi

# The built-in default through the cache: the bounding set is part of the key.
for round in 1 2; do
    cached "$ROOTFS" /bin/sh -c 'grep Seccomp /proc/$$/status; /probe syscall clone3'
    expect "cache, built-in default, run $round: Seccomp 2, clone3 ENOSYS" 38 "$(grep_seccomp 2)
ENOSYS"
    cached --cap-add SYS_ADMIN "$ROOTFS" /probe syscall clone3
    expect_errno "cache, built-in default --cap-add SYS_ADMIN, run $round: clone3 allowed" EFAULT
done
# Corrupt every entry (flip the last byte): every outcome stays the same.
for f in $(bpf_files); do
    python3 -c 'import sys; p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[-1] ^= 0xff; open(p, "wb").write(d)' "$f"
done
cached "$ROOTFS" /probe syscall clone3
expect_errno "cache, every entry corrupted: built-in default still ENOSYS for clone3" ENOSYS
cached --cap-add SYS_ADMIN "$ROOTFS" /probe syscall clone3
expect_errno "cache, every entry corrupted: --cap-add SYS_ADMIN still EFAULT" EFAULT
cached --seccomp="$TESTS_TMP/errno-101.json" "$ROOTFS" mkdir /tmp/sc-it-x
expect "cache, every entry corrupted: errnoRet 101 still Network is unreachable" 1 "" "$(mkdir_msg /tmp/sc-it-x 'Network is unreachable')"

# A cache directory others can write to is not used (nothing read or written).
open_cache=$TESTS_TMP/open-cache
mkdir -m 0777 "$open_cache"
chmod 0777 "$open_cache"
MINIRUN_SECCOMP_CACHE=$open_cache run_minirun --seccomp="$e100" "$ROOTFS" /probe syscall mkdirat
expect_errno "cache dir with mode 0777: still works" ENETDOWN
is "$(find "$open_cache" -mindepth 1 | wc -l)" 0 "cache dir with mode 0777: nothing written to it"

# MASKED_EQ with valueTwo bits outside the mask: libseccomp (runc, crun)
# clears them, so "arg0 & 2 == 1" refuses every even argument; the range tree
# compared the bits as written and let personality(0) through.
m=$TESTS_TMP/masked.json
printf '%s' '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":2,"valueTwo":1,"op":"SCMP_CMP_MASKED_EQ"}]}]}' > "$m"
run_minirun --seccomp="$m" "$ROOTFS" /probe syscall personality 0
expect "MASKED_EQ valueTwo outside the mask: personality(0) refused as libseccomp does, with a warning" 1 EPERM \
    "minirun: warning: seccomp profile $m:1:138: syscalls[0].args[0]: SCMP_CMP_MASKED_EQ \"valueTwo\" has bits outside the mask \"value\" (0x1): libseccomp, runc and crun clear them, so the condition is arg0 & 0x2 == 0"

# A warning quotes the file (an unknown key): its ESC and newline are escaped.
w=$TESTS_TMP/warn-esc.json
printf '%s' '{"defaultAction":"SCMP_ACT_ALLOW","x\u001b[5m\nminirun: fake":1}' > "$w"
run_minirun --seccomp="$w" "$ROOTFS" true
expect "a warning's ESC and newline from the file are escaped" 0 "" \
    "minirun: warning: seccomp profile $w:1:63: profile: unknown key \"x\\x1b[5m\\nminirun: fake\" ignored"

done_testing
