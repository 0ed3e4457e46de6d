#!/bin/bash
# SPDX-License-Identifier: MIT
# Measure which system calls a container runtime makes AFTER it installed the
# container's seccomp filter, and write examples/targets/RUNTIME.json, the
# list `minirun --target RUNTIME` adds to a learned profile and checks for.
#
#   tests/targets/measure.sh [-o OUTDIR] [-n REPETITIONS] [RUNTIME...]
#
# RUNTIME: runc, crun (default: both).  OUTDIR: examples/targets.  Needs root,
# strace, python3, busybox-static and the runtime.  Rerun it when a new runtime
# version is to be supported; the file records the versions it measured.
#
# Method.  A bundle (a busybox rootfs running /bin/true) whose seccomp
# profile allows everything but one marker call is run under
# `strace -f -ff -ttt`; tests/targets/after-filter.py then takes every call
# of the process that installed the filter (all its threads, and processes it
# forks) from that moment until the workload's execve succeeded.  These are
# the calls a profile must allow for the runtime to start the container at
# all; the workload's own calls are learned by minirun --seccomp-learn.
#
# Each run is repeated for every condition that changes what the runtime does
# after the filter: noNewPrivileges false/true (runc installs the filter
# before dropping capabilities and changing user when NNP is off, just before
# exec when it is on), user 0/1000, terminal false/true.  And twice for the
# marker: getcpu (309) lets the runtime's ENOSYS stub answer every newer
# call, so the fallbacks (faccessat2 -> faccessat...) are seen; with
# set_mempolicy_home_node (450) nothing is stubbed and the new calls are seen.
# A call seen in any repetition counts.  A call is put under the narrowest
# condition that covers every run it was seen in ("when"): seen in all runs
# -> always; only with NNP off -> {"noNewPrivileges": false}; and so on.
#
# crun 1.8.1 refuses hybrid cgroups: it runs in a private mount namespace
# without /sys/fs/cgroup/unified, with --cgroup-manager=disabled
# (/work/shared/reference/testing-env.md).  A terminal needs a terminal on
# the runtime's side: `script` provides one.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
outdir=$here/../../examples/targets
reps=2
while getopts "o:n:" opt; do
    case $opt in
        o) outdir=$OPTARG ;;
        n) reps=$OPTARG ;;
        *) echo "usage: $0 [-o OUTDIR] [-n REPETITIONS] [RUNTIME...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
runtimes=("$@")
((${#runtimes[@]})) || runtimes=(runc crun)

die() { echo "measure: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (the runtimes run rootful containers)"
for t in strace python3 script /bin/busybox "${runtimes[@]}"; do
    command -v "$t" >/dev/null || die "$t not found (apt-get install strace python3 bsdutils busybox-static runc crun)"
done

work=$(mktemp -d /tmp/measure-targets.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The rootfs must be a directory, not a symlink, in the bundle (runc).
rootfs=$work/bundle/rootfs
mkdir -p "$work/state"
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/dev" "$rootfs/sys" "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/true"

# config.json for one condition: $1 nnp (true/false), $2 uid, $3 terminal, $4 marker.
write_config() {
    python3 - "$@" >"$work/bundle/config.json" <<'PY'
import json, sys
nnp, uid, tty, marker = sys.argv[1] == "true", int(sys.argv[2]), sys.argv[3] == "true", sys.argv[4]
print(json.dumps({
    "ociVersion": "1.0.2",
    "process": {
        "terminal": tty, "user": {"uid": uid, "gid": uid}, "args": ["/bin/true"],
        "env": ["PATH=/bin"], "cwd": "/", "noNewPrivileges": nnp,
        "capabilities": {k: ["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL"]
                         for k in ("bounding", "effective", "permitted")},
    },
    "root": {"path": "rootfs", "readonly": True},
    "hostname": "measure",
    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
               {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
               {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
                "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}],
    "linux": {
        "namespaces": [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network")],
        # Everything allowed but the marker: the runtime must install a filter.
        "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                    "syscalls": [{"names": [marker], "action": "SCMP_ACT_ERRNO"}]},
    },
}, indent=1))
PY
}

# One run of $1 (runtime) under strace into $work/st/PREFIX; $2 terminal.
run_traced() {
    local rt=$1 tty=$2 id=m$RANDOM$RANDOM cmd
    rm -rf "$work/st" && mkdir -p "$work/st"
    case $rt in
        runc) cmd="strace -f -ff -ttt -qq -o $work/st/t runc --root $work/state run $id" ;;
        crun) cmd="unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec strace -f -ff -ttt -qq -o $work/st/t crun --root $work/state --cgroup-manager=disabled run $id'" ;;
        *) die "unknown runtime $rt (runc or crun)" ;;
    esac
    if [ "$tty" = true ]; then
        (cd "$work/bundle" && script -qec "$cmd" /dev/null </dev/null >/dev/null)
    else
        (cd "$work/bundle" && sh -c "$cmd" </dev/null >/dev/null)
    fi
}

for rt in "${runtimes[@]}"; do
    : >"$work/seen.tsv"
    for nnp in false true; do
        for uid in 0 1000; do
            for tty in false true; do
                for marker in getcpu set_mempolicy_home_node; do
                    for ((r = 0; r < reps; r++)); do
                        write_config "$nnp" "$uid" "$tty" "$marker"
                        run_traced "$rt" "$tty" || die "$rt failed (nnp=$nnp uid=$uid terminal=$tty)"
                        python3 "$here/after-filter.py" "$work/st/t" |
                            sed "s/^/$nnp $uid $tty\t/" >>"$work/seen.tsv"
                    done
                done
            done
        done
    done
    case $rt in
        runc) version=$(runc --version | head -1) ;;
        crun) version=$(crun --version | head -1) ;;
    esac
    pkg=$(dpkg-query -W -f='${Package} ${Version}' "$rt" 2>/dev/null || true)
    python3 "$here/write-target.py" "$rt" "$version${pkg:+ (Debian package $pkg)}" "$reps" \
        <"$work/seen.tsv" >"$outdir/$rt.json"
    echo "measure: wrote $outdir/$rt.json"
done
