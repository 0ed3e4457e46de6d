#!/bin/bash
# The OCI runtime validation suite (opencontainers/runtime-tools) against
# minirun and its peers, with a per-test and per-assertion table.
#
#   tests/compliance/runtime-tools.sh [-o OUTDIR] [-r NAME=COMMAND]... [-t TEST]...
#                                     [--timeout SECONDS] [RUNTIME_TOOLS_CHECKOUT]
#
# RUNTIME_TOOLS_CHECKOUT (or $RUNTIME_TOOLS_SRC) is a runtime-tools source tree
# (a git checkout, or `git archive COMMIT | tar x` with $RUNTIME_TOOLS_COMMIT
# naming the commit for the report).  Its vendored
# dependencies are used (-mod=vendor); commit 260e151 (2025-03-03) is the last
# one that builds with Debian 12's Go 1.19 (later ones need Go 1.21).  Without
# a checkout this exits 77: runtime-tools is not in Debian's archive in a
# usable form (golang-github-opencontainers-runtime-tools-dev lacks
# validation/ and cmd/runtimetest), so the suite cannot run in CI and is
# not part of `meson test` or tests/run-all.sh.
#
# -r NAME=COMMAND  a runtime to test (repeatable); COMMAND is what the suite
#                  runs as $RUNTIME.  Default: crun and runc when installed,
#                  and minirun=$MINIRUN (default build/cmd/minirun) when it exists.
# -t TEST          run only this test (e.g. kill, linux_devices; repeatable).
# -o OUTDIR        where the TAP logs and tables go (default build-compliance/).
#
# As root.  Builds runtimetest and validation/*/*.t as the suite's Makefile
# does (`make runtimetest validation-executables`), then runs every test
# binary from the checkout's top directory (the tests read runtimetest and
# rootfs-amd64.tar.gz from there) once per runtime, one at a time.  On
# hybrid cgroups everything runs in a private mount namespace without
# /sys/fs/cgroup/unified (tests/helpers/v1-only-cgroups.sh, as tests/bench/run.sh): crun 1.8.1 refuses the
# hybrid layout, and all runtimes see the same mounts.  Writes
# OUTDIR/NAME/TEST.tap (stdout), .err (stderr), .rc (exit status), then
# OUTDIR/results.md (the tables) and OUTDIR/results.json (every assertion).
# Afterwards it removes what the suite left that was not there before: bundles
# in $TMPDIR and the empty cgroups of the suite's cgroupsPath values.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=tests/helpers/v1-only-cgroups.sh
. "$here/../helpers/v1-only-cgroups.sh"

usage() {
    sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

out=
timeout_s=300
runtimes=()
only=()
checkout=${RUNTIME_TOOLS_SRC:-}
while [ $# -gt 0 ]; do
    case $1 in
        -o) out=$2; shift 2 ;;
        -r) runtimes+=("$2"); shift 2 ;;
        -t) only+=("$2"); shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "runtime-tools.sh: unknown option $1" >&2; exit 2 ;;
        *) checkout=$1; shift ;;
    esac
done

if [ -z "$checkout" ]; then
    echo "runtime-tools.sh: SKIP: no runtime-tools checkout given (argument or RUNTIME_TOOLS_SRC);" \
        "it is not in Debian's archive in a usable form, so this cannot run in CI" >&2
    exit 77
fi
if [ ! -f "$checkout/validation/util/test.go" ] || [ ! -d "$checkout/cmd/runtimetest" ]; then
    echo "runtime-tools.sh: $checkout is not a runtime-tools source tree" >&2
    exit 2
fi
checkout=$(cd "$checkout" && pwd)
if [ "$(id -u)" != 0 ]; then
    echo "runtime-tools.sh: run as root (the suite creates containers and cgroups)" >&2
    exit 1
fi
for tool in go make python3 unshare timeout; do
    command -v "$tool" >/dev/null || { echo "runtime-tools.sh: $tool is not installed" >&2; exit 1; }
done

if [ ${#runtimes[@]} -eq 0 ]; then
    for peer in crun runc; do
        p=$(command -v "$peer") && runtimes+=("$peer=$p")
    done
    m=${MINIRUN:-$src/build/cmd/minirun}
    [ -x "$m" ] && runtimes+=("minirun=$m")
fi
[ ${#runtimes[@]} -gt 0 ] || { echo "runtime-tools.sh: no runtime to test" >&2; exit 1; }
for r in "${runtimes[@]}"; do
    case $r in
        ?*=?*) ;;
        *) echo "runtime-tools.sh: -r wants NAME=COMMAND, not $r" >&2; exit 2 ;;
    esac
done

out=${out:-$src/build-compliance}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Second stage, inside the private mount namespace: the suite itself.
run_suite() {
    v1_only_cgroups
    local r name cmd t test_name start
    local -a tests=()
    cd "$checkout"
    if [ ${#only[@]} -gt 0 ]; then
        for t in "${only[@]}"; do tests+=("validation/$t/$t.t"); done
    else
        mapfile -t tests < <(find validation -name '*.t' -type f | sort)
    fi
    for r in "${runtimes[@]}"; do
        name=${r%%=*}
        cmd=${r#*=}
        mkdir -p "$out/$name"
        start=$(date +%s)
        for t in "${tests[@]}"; do
            test_name=$(basename "$t" .t)
            printf 'runtime-tools.sh: %s %s\n' "$name" "$test_name" >&2
            set +e
            RUNTIME=$cmd timeout "$timeout_s" "$t" >"$out/$name/$test_name.tap" 2>"$out/$name/$test_name.err" </dev/null
            echo $? >"$out/$name/$test_name.rc"
            set -e
        done
        echo $(($(date +%s) - start)) >"$out/$name.seconds"
    done
}

if [ "${MR_COMPLIANCE_IN_NS:-}" = 1 ]; then
    run_suite
    exit 0
fi

echo "runtime-tools.sh: building runtimetest and the validation tests in $checkout" >&2
export GOFLAGS=-mod=vendor
export GOCACHE=${GOCACHE:-$out/gocache}
commit=${RUNTIME_TOOLS_COMMIT:-$(git -C "$checkout" rev-parse HEAD 2>/dev/null || echo unknown)}
if ! log=$(make -C "$checkout" runtimetest validation-executables COMMIT="$commit" 2>&1); then
    printf '%s\n' "$log" | tail -n 30 >&2
    echo "runtime-tools.sh: building runtime-tools failed (Go $(go env GOVERSION))" >&2
    exit 1
fi

# The runtimes' own state left by a previous run is not ours to judge: only
# this run's logs are read.
for r in "${runtimes[@]}"; do rm -rf "${out:?}/${r%%=*}"; done

# The suite's tests leave bundles in $TMPDIR when they stop early, and the
# runtimes leave the parents of the suite's cgroupsPath values (cgrouptest,
# testdir/cgrouptest/container) behind: afterwards the new, empty ones go.
leftovers() {
    local tmp=${TMPDIR:-/tmp} h p
    find "$tmp" -maxdepth 1 \( -name 'ocitest*' -o -name 'oci-pid*' -o -name 'oci-hook*' \) -print
    for h in /sys/fs/cgroup/*/; do
        for p in cgrouptest testdir testdir/cgrouptest testdir/cgrouptest/container; do
            [ -d "$h$p" ] && printf '%s\n' "$h$p"
        done
    done
    return 0
}
before=$(leftovers | sort)
cleanup() {
    local x
    # Deepest first, so that a parent is empty when its turn comes; rmdir
    # leaves a cgroup that still has processes or children alone.
    comm -13 <(printf '%s\n' "$before") <(leftovers | sort) | sort -r | while IFS= read -r x; do
        case $x in
            /sys/fs/cgroup/*) rmdir "$x" 2>/dev/null || echo "runtime-tools.sh: left $x (not empty)" >&2 ;;
            *) rm -rf -- "$x" ;;
        esac
    done
}
trap cleanup EXIT

begin=$(date +%s)
if mountpoint -q /sys/fs/cgroup/unified; then
    ns_note="hybrid cgroups: the suite ran in a private mount namespace whose /sys/fs/cgroup is a fresh tmpfs with the host's v1 hierarchies only (crun 1.8.1 refuses hybrid layouts)"
    again=(--timeout "$timeout_s" -o "$out")
    for r in "${runtimes[@]}"; do again+=(-r "$r"); done
    for t in "${only[@]}"; do again+=(-t "$t"); done
    MR_COMPLIANCE_IN_NS=1 unshare --mount --propagation private bash "$here/runtime-tools.sh" "${again[@]}" "$checkout"
else
    ns_note="cgroups as the host has them"
    run_suite
fi
echo "runtime-tools.sh: the suite took $(($(date +%s) - begin)) s" >&2

names=()
for r in "${runtimes[@]}"; do names+=("${r%%=*}"); done
python3 -B "$here/tap-table.py" --out "$out" --commit "$commit" --note "$ns_note" "${names[@]}"
