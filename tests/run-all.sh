#!/bin/bash
# Build minirun and run the whole test suite (unit and integration tests)
# twice: in build/ (-Dwerror=true), then in build-asan/ under ASan and UBSan.
#
#   tests/run-all.sh
#   RUN_ALL_BUILD_DIR=build-x tests/run-all.sh    # build-x/ and build-x-asan/
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
            gcc clang meson ninja-build pkg-config python3 libseccomp-dev libcap-dev \
            libjansson-dev libapparmor-dev check busybox-static util-linux procps tmux \
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
    meson test -C "$dir" --print-errorlogs --timeout-multiplier "$mult"
    count "$dir"
}

# RUN_ALL_BUILD_DIR moves the two build directories (default build, build-asan).
builddir=${RUN_ALL_BUILD_DIR:-build}
run "$builddir" 1 -Dwerror=true -Db_sanitize=none
# The static probe overrides b_sanitize=none; UBSan must stop at the first
# error so a unit test cannot pass with a UB report on its stderr.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1} \
    run "$builddir-asan" 3 -Db_sanitize=address,undefined -Db_lundef=false

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
exit 0
