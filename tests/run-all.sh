#!/bin/bash
# Build minirun and run the whole test suite (unit and integration tests)
# twice: in build/ (-Dwerror=true), then in build-asan/ under ASan and UBSan;
# and the gates, one test each: the layer rule (tests/structure/
# check-layers.sh), clang-format, shellcheck, and the fuzz target replayed
# over its corpus for 30 s (built with clang in build-fuzz/).
#
#   tests/run-all.sh
#   RUN_ALL_BUILD_DIR=build-x tests/run-all.sh    # build-x/, build-x-asan/, build-x-fuzz/
#   RUN_ALL_FUZZ_SECONDS=10 tests/run-all.sh      # a shorter fuzz run (default 30 s)
#   MESON_TESTTHREADS=2 tests/run-all.sh          # tests at once (default: CPUs + 1)
#
# A gate whose tool is missing (clang-format, shellcheck, clang) is skipped
# with the reason, but with CI=true it fails: CI must run every gate.
#
# As root it first installs the missing build and test dependencies with
# apt-get (.ci/install-deps); that and the builds are quick when already done.
# The last line it prints is "N passed, N failed" (", N skipped" when some
# were), summed over both runs from meson's testlog.json; it exits non-zero
# when a test failed, a build failed or no test ran.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 1

log() { printf 'run-all: %s\n' "$*" >&2; }

if [ "$(id -u)" = 0 ]; then
    if [ -x .ci/install-deps ]; then
        .ci/install-deps || { log "installing the dependencies failed"; exit 1; }
    else
        export DEBIAN_FRONTEND=noninteractive
        if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
            gcc clang clang-format shellcheck meson ninja-build pkg-config python3 libseccomp-dev libcap-dev \
            libjansson-dev libapparmor-dev libarchive-dev libyaml-dev zlib1g-dev libbz2-dev liblzma-dev libzstd-dev check busybox-static util-linux procps tmux xz-utils zstd \
            > /dev/null; }; then
            log "installing the dependencies failed"
            exit 1
        fi
    fi
else
    log "not root: not installing dependencies, and the integration tests will skip"
fi

passed=0 failed=0 skipped=0

# count BUILDDIR: add the results in BUILDDIR/meson-logs/testlog.json.
count() {
    local line p f s
    line=$(python3 - "$1/meson-logs/testlog.json" <<'EOF'
import json, sys
p = f = s = 0
try:
    with open(sys.argv[1]) as log:
        for line in log:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line).get("result")
            if r in ("OK", "EXPECTEDFAIL"):
                p += 1
            elif r == "SKIP":
                s += 1
            else:
                f += 1
except FileNotFoundError:
    pass
print(p, f, s)
EOF
    ) || line="0 1 0"
    read -r p f s <<< "$line"
    printf '%s: %d passed, %d failed, %d skipped\n' "$(basename "$1")" "$p" "$f" "$s"
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

# gate NAME STATUS OUTPUT: count a gate's result as one test.  STATUS is 0
# (pass), 77 (skip: the reason is OUTPUT's last line) or else (fail).
gate() {
    local name=$1 rc=$2 out=$3
    [ -n "$out" ] && printf '%s\n' "$out" >&2
    case $rc in
    0) log "gate $name: ok"; passed=$((passed + 1)) ;;
    77) log "gate $name: SKIP (${out##*$'\n'})"; skipped=$((skipped + 1)) ;;
    *) log "gate $name: FAILED"; failed=$((failed + 1)) ;;
    esac
}

# need TOOL: 0 when it is installed; else 77 with the reason, or 1 under CI.
need() {
    command -v "$1" > /dev/null && return 0
    if [ "${CI:-}" = true ]; then
        echo "$1 is not installed (CI=true: every gate must run)"
        return 1
    fi
    echo "$1 is not installed (.ci/install-deps installs it)"
    return 77
}

gate_layers() {
    bash tests/structure/check-layers.sh "$top"
}

gate_clang_format() {
    need clang-format || return
    find cmd lib include tests -name '*.[ch]' -print0 | sort -z |
        xargs -0 clang-format --dry-run -Werror
}

gate_shellcheck() {
    need shellcheck || return
    local f scripts=()
    # Scripts are *.sh, or any file that starts with a shell's #!.
    while IFS= read -r -d '' f; do
        case $f in
        *.sh) scripts+=("$f") ;;
        *) head -n1 "$f" | grep -qE '^#!.*[/ ](ba|da)?sh( |$)' && scripts+=("$f") ;;
        esac
    done < <(find tests .ci examples -type f -print0 | sort -z)
    # -x from the top: the "# shellcheck source=" lines are relative to it.
    shellcheck -x "${scripts[@]}"
}

# Its own build dir: the fuzz target needs clang and libFuzzer, the others
# are built with the default compiler.
gate_fuzz() {
    need clang || return
    local dir=$builddir-fuzz scratch rc
    if [ ! -f "$dir/build.ninja" ]; then
        rm -rf "$dir"
        # Shared libraries: tests/fuzz/lsan.supp names libseccomp.so (its known leak on a
        # repeated rule); linked statically, the leak is reported from an anonymous zmalloc.
        CC=clang meson setup "$dir" -Dwerror=true -Dfuzz=enabled -Db_sanitize=none \
            -Dstatic_deps=disabled > /dev/null ||
            return 1
    fi
    # Quiet when it builds; the compiler's or linker's words when it does not.
    local out
    out=$(ninja -C "$dir" tests/fuzz_profile 2>&1) || { printf '%s\n' "$out" | tail -n 20 >&2; return 1; }
    # New inputs go to a scratch dir, never into the committed seed corpus.  A finding
    # exits 1: libFuzzer's own error exit code is 77, which this script reads as a skip.
    scratch=$(mktemp -d)
    LSAN_OPTIONS=suppressions=$top/tests/fuzz/lsan.supp \
        "$dir/tests/fuzz_profile" -max_total_time="${RUN_ALL_FUZZ_SECONDS:-30}" \
        -dict=tests/fuzz/profile.dict -artifact_prefix="$dir/" -print_final_stats=1 \
        -error_exitcode=1 -timeout_exitcode=1 \
        "$scratch" tests/fuzz/corpus 2>&1 | grep -E '^(stat::number_of_executed_units|==|SUMMARY|artifact_prefix|Test unit written)'
    rc=${PIPESTATUS[0]}
    rm -rf "$scratch"
    return "$rc"
}

builddir=${RUN_ALL_BUILD_DIR:-build}
log "== gates: layers, clang-format, shellcheck"
out=$(gate_layers 2>&1)
gate layers $? "$out"
out=$(gate_clang_format 2>&1)
gate clang-format $? "$out"
out=$(gate_shellcheck 2>&1)
gate shellcheck $? "$out"

# run BUILDDIR TIMEOUT-MULTIPLIER MESON-OPTION...: configure, build, test.
run() {
    local dir=$1 mult=$2
    shift 2
    log "== $dir: meson setup $*"
    if [ -f "$dir/build.ninja" ]; then
        meson configure "$dir" "$@" > /dev/null || { log "$dir: meson configure failed"; failed=$((failed + 1)); return; }
    else
        rm -rf "$dir"
        meson setup "$dir" "$@" > "$dir.setup.log" 2>&1 || {
            cat "$dir.setup.log" >&2
            log "$dir: meson setup failed"
            failed=$((failed + 1))
            return
        }
        rm -f "$dir.setup.log"
    fi
    if ! meson compile -C "$dir"; then
        log "$dir: build failed"
        failed=$((failed + 1))
        return
    fi
    rm -f "$dir/meson-logs/testlog.json"
    # One test more than CPUs: the integration tests spend much of their time
    # waiting (timeouts, podman, containerd), and on this project's 2-CPU VM
    # the whole run took 17 minutes with two at once.
    # The structure suite is the layers gate above: counted once, not per build.
    MESON_TESTTHREADS=${MESON_TESTTHREADS:-$(($(nproc) + 1))} \
        meson test -C "$dir" --print-errorlogs --timeout-multiplier "$mult" --no-suite structure
    count "$dir"
}

run "$builddir" 1 -Dwerror=true -Db_sanitize=none
# The static probe overrides b_sanitize=none; UBSan must stop at the first
# error so a unit test cannot pass with a UB report on its stderr.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1} \
    run "$builddir-asan" 3 -Db_sanitize=address,undefined -Db_lundef=false
log "== gate: fuzz (${RUN_ALL_FUZZ_SECONDS:-30} s)"
out=$(gate_fuzz 2>&1)
gate fuzz $? "$out"

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
exit 0
