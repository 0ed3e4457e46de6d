#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Regenerate cmd/start-path.ld, the order of the functions a start runs
# (tests/bench/start-path-order.py says why and how).  As root, on a quiet
# machine; a maintainer's step after the launch path changed, not part of
# the build or the tests (a stale list costs speed, never correctness).
#
#   tests/bench/start-path-order.sh
#
# It builds minirun (release, static-pie, with a link map) in a temporary
# directory, makes a busybox rootfs there, and traces one start of each of
# the kinds the benchmark times: the default, --seccomp=unconfined,
# --rootfs, and the OCI runtime's run --bundle.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "start-path-order: run as root (tracefs uprobes)" >&2; exit 1; }

work=$(mktemp -d /tmp/start-path-order.XXXXXX)
trap 'rm -rf "$work"' EXIT

meson setup "$work/build" "$top" -Dbuildtype=release \
    -Dc_link_args="-Wl,-Map,$work/minirun.map" >/dev/null
ninja -C "$work/build" cmd/minirun >/dev/null
m=$work/build/cmd/minirun
"$top/tests/setup-rootfs.sh" "$work/rootfs" >/dev/null

mkdir "$work/bundle"
(cd "$work/bundle" && "$m" spec)
python3 - "$work/bundle/config.json" "$work/rootfs" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["root"]["path"] = sys.argv[2]
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(sys.argv[1], "w"))
EOF

# Twice: a page fault on .rodata shows only the first read of its 64 KiB
# window, so the second pass, on the layout the first made, finds more.
keep=()
for pass in 1 2; do
    ninja -C "$work/build" cmd/minirun >/dev/null
    python3 "$here/start-path-order.py" --bin "$m" --map "$work/minirun.map" \
        --out "$top/cmd/start-path.ld" "${keep[@]}" \
        --run "$m $work/rootfs /bin/true" \
        --run "$m --seccomp=unconfined $work/rootfs /bin/true" \
        --run "$m --rootfs $work/rootfs /bin/true" \
        --run "$m --root $work/state run --bundle $work/bundle start-path-order-$pass"
    cp "$top/cmd/start-path.ld" "$work/pass$pass.ld"
    keep=(--keep-rodata-from "$work/pass$pass.ld")
done
