#!/bin/bash
# minirun's start-up benchmark against the floor, bubblewrap, crun and runc.
#
#   tests/bench/run.sh [--minirun PATH [--buildtype TYPE]] [--rounds N] [--quick]
#                      [--profile MOBY_DEFAULT_JSON] [OUTDIR]
#
# As root.  Installs the peers (.ci/install-deps --with-peers), builds an
# optimized minirun in build-bench/ (unless --minirun is given), makes the
# busybox rootfs with the static syscall-loop helper in it, and runs
# tests/bench/bench.py, which prints the tables (start-up, the per-phase budget
# from MINIRUN_TRACE_PHASES, per-call costs, targets) and writes OUTDIR/results.json,
# OUTDIR/results.md and OUTDIR/chart.png (OUTDIR defaults to build-bench/bench).
# Never part of `meson test`: a benchmark does not pass or fail.
#
# crun 1.8.1 refuses this machine's hybrid cgroup layout, so when
# /sys/fs/cgroup/unified is mounted the whole driver runs in a private mount
# namespace whose /sys/fs/cgroup has the v1 hierarchies only (every command
# then sees the same mounts, and every runtime makes its cgroups in them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
# Second stage, inside the private mount namespace: /sys/fs/cgroup becomes a
# fresh tmpfs holding the host's v1 hierarchies only (no cgroup2), so crun can
# use its cgroupfs manager; whatever a runtime writes outside the hierarchies
# (crun 1.8.1 makes directories where cgroup2 was) stays in this namespace's
# tmpfs and goes with it, not into the host's /sys/fs/cgroup.
if [ "${MR_BENCH_IN_NS:-}" = 1 ]; then
    # shellcheck source=tests/helpers/v1-only-cgroups.sh
    . "$here/../helpers/v1-only-cgroups.sh"
    v1_only_cgroups
    exec python3 -B "$here/bench.py" "$@"
fi

minirun=
buildtype=unknown
rounds=100
syscall_rounds=11
out=
profile=

usage() {
    sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

while [ $# -gt 0 ]; do
    case $1 in
        --minirun) minirun=$2; shift 2 ;;
        --buildtype) buildtype=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --quick) rounds=10; syscall_rounds=2; shift ;;
        --profile) profile=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) out=$1; shift ;;
    esac
done

if [ "$(id -u)" != 0 ]; then
    echo "run.sh: run as root (the peers and minirun's default mode need it)" >&2
    exit 1
fi

"$src/.ci/install-deps" --with-peers

if [ -z "$minirun" ]; then
    if [ ! -f "$src/build-bench/build.ninja" ]; then
        meson setup "$src/build-bench" "$src" -Dbuildtype=release >/dev/null
    fi
    if ! log=$(ninja -C "$src/build-bench" cmd/minirun 2>&1); then
        printf '%s\n' "$log" >&2
        echo "run.sh: building minirun in build-bench/ failed" >&2
        exit 1
    fi
    minirun=$src/build-bench/cmd/minirun
    buildtype=$(meson introspect --buildoptions "$src/build-bench" |
        python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"))')
fi
[ -x "$minirun" ] || { echo "run.sh: $minirun is not executable" >&2; exit 1; }
minirun=$(cd "$(dirname "$minirun")" && pwd)/$(basename "$minirun")

out=${out:-$src/build-bench/bench}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The static helpers (per-syscall loop, peak RSS, the syscall floor), then the
# rootfs with the loop at /syscall-loop.
cc=${CC:-cc}
for h in syscall-loop peak-rss syscall-floor; do
    if [ ! -x "$out/$h" ] || [ "$here/$h.c" -nt "$out/$h" ]; then
        "$cc" -O2 -Wall -Wextra -static -o "$out/$h" "$here/$h.c"
    fi
done
"$src/tests/setup-rootfs.sh" "$out/rootfs" "$out/syscall-loop"

# moby's default.json sits in ../shared next to the main checkout; a git
# worktree elsewhere finds it through the repository's common directory.
rel=shared/profiles/moby-moby_default.json
if [ -z "$profile" ]; then
    profile=$src/../$rel
    if [ ! -f "$profile" ] &&
        common=$(git -C "$src" rev-parse --path-format=absolute --git-common-dir 2>/dev/null); then
        profile=$(dirname "$common")/../$rel
    fi
fi
args=(--minirun "$minirun" --rootfs "$out/rootfs" --out "$out" --rounds "$rounds"
      --syscall-rounds "$syscall_rounds" --profile "$profile" --peak-rss "$out/peak-rss"
      --buildtype "$buildtype" --floor "$out/syscall-floor")

if mountpoint -q /sys/fs/cgroup/unified; then
    args+=(--crun-note "hybrid cgroups: the driver ran in a private mount namespace whose /sys/fs/cgroup is a fresh tmpfs with the host's v1 hierarchies only (crun 1.8.1 refuses hybrid layouts); crun, runc and minirun make their cgroups in those")
    MR_BENCH_IN_NS=1 exec unshare --mount --propagation private "$0" "${args[@]}"
fi
exec python3 -B "$here/bench.py" "${args[@]}"
