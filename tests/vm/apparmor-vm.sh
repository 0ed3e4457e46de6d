#!/bin/bash
# AppArmor confinement, tested in a throw-away QEMU VM (TAP producer).
#
#   MINIRUN=BUILD/cmd/minirun MINIRUN_SRCDIR=. tests/vm/apparmor-vm.sh [WORKDIR]
#
# This machine's kernel has no AppArmor, so the checks (tests/vm/
# apparmor-checks.sh) run inside a VM that boots Debian's stock kernel under
# QEMU's software emulation:
#   - the kernel package is downloaded once with `apt-get download` (never
#     installed), only ./boot is unpacked, and the ELF vmlinux is extracted
#     from the bzImage for a faster PVH boot (cache: see tests/vm/vm-lib.sh);
#   - the initramfs (uncompressed newc cpio, made fresh every run in WORKDIR,
#     default a temporary directory) holds static busybox, minirun with its
#     shared libraries and loader, a busybox rootfs (tests/setup-rootfs.sh),
#     the example profiles of examples/apparmor/ compiled here to binary
#     policy, /init (tests/vm/init) and /checks;
#   - the guest prints TAP lines on the serial console, this script relays
#     them.  A run that prints no result line is retried once (booting the
#     bzImage the second time).
#
# Environment: MINIRUN (the binary under test), MINIRUN_SRCDIR (the source
# tree), MINIRUN_UNDER_MESON=1 (a skip prints "1..0 # SKIP reason" and exits
# 0, since meson's TAP protocol counts exit 77 as an error; by hand a skip
# exits 77), and MINIRUN_VM_CACHE, MINIRUN_VM_KERNEL, MINIRUN_VM_TIMEOUT
# (tests/vm/vm-lib.sh).  Needs: qemu-system-x86 (qemu-system-x86_64),
# busybox-static, apparmor (apparmor_parser), cpio, xz-utils, apt.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MINIRUN_SRCDIR:-$(cd "$here/../.." && pwd)}
# shellcheck source-path=SCRIPTDIR source=vm-lib.sh
. "$here/vm-lib.sh"

vm_skip() {
    echo "1..0 # SKIP $*"
    [ "${MINIRUN_UNDER_MESON:-0}" = 1 ] && exit 0
    exit 77
}
vm_fail() {
    echo "1..1"
    echo "not ok 1 - $1"
    shift
    local l
    for l in "$@"; do printf '# %s\n' "$l"; done
    [ "${MINIRUN_UNDER_MESON:-0}" = 1 ] && exit 0
    exit 1
}
# Diagnostics as TAP comments.

t0=$(date +%s.%N)

# --- what is needed ----------------------------------------------------------
minirun=${MINIRUN:-}
[ -n "$minirun" ] || vm_skip "MINIRUN is not set (the minirun binary to test)"
[ -x "$minirun" ] || vm_fail "MINIRUN=$minirun is not an executable"
[ "$(uname -m)" = x86_64 ] || vm_skip "the VM test needs an x86_64 host (this is $(uname -m))"
vm_have qemu-system-x86_64 || vm_skip "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
vm_have apparmor_parser || vm_skip "apparmor_parser not found (apt-get install apparmor)"
features=${MINIRUN_AA_FEATURES:-/usr/share/apparmor-features/features}
[ -f "$features" ] || vm_skip "$features not found (it comes with Debian's apparmor package)"
vm_have cpio || vm_have busybox || vm_skip "no cpio to make the initramfs (apt-get install cpio)"
vm_have timeout || vm_skip "no timeout(1)"
vm_have ldd || vm_skip "no ldd"
bb=${BUSYBOX:-/bin/busybox}
[ -x "$bb" ] || vm_skip "$bb not found (apt-get install busybox-static)"
[[ $(LC_ALL=C ldd "$bb" 2>&1 || true) == *"not a dynamic executable"* ]] ||
    vm_skip "$bb is not statically linked (apt-get install busybox-static)"
profiles=$(find "$srcdir/examples/apparmor" -maxdepth 1 -type f -name 'minirun-*' 2>/dev/null | sort)
[ -n "$profiles" ] || vm_fail "no profiles in $srcdir/examples/apparmor"

# WORKDIR (the build dir under meson) also holds the kernel cache when
# ${XDG_CACHE_HOME:-~/.cache} cannot be written.
kernel_fallback=
if [ -n "${1:-}" ]; then
    work=$1
    mkdir -p "$work"
    kernel_fallback=$work/kernel-cache
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/minirun-vm.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
vm_get_kernel "$kernel_fallback"

# --- the initramfs -----------------------------------------------------------
root=$work/initramfs
rm -rf "$root" "$work/initramfs.cpio"
mkdir -p "$root"/{proc,sys,dev,tmp,profiles,usr/local/bin}

vm_busybox "$root"
vm_copy_with_libs "$minirun" "$root" /usr/local/bin/minirun ||
    vm_fail "cannot copy $minirun's shared libraries" "$(ldd "$minirun" 2>&1)"

# The container's rootfs: made (or refreshed, quick) beside the initramfs.
if ! bash "$srcdir/tests/setup-rootfs.sh" "$work/rootfs" > "$work/setup-rootfs.log" 2>&1; then
    vm_fail "tests/setup-rootfs.sh failed" "$(cat "$work/setup-rootfs.log")"
fi
cp -a "$work/rootfs" "$root/rootfs"

# The example profiles, compiled here to binary policy for the kernel's
# feature set (Debian's apparmor package ships the 6.1 feature file).
for p in $profiles; do
    name=$(basename "$p")
    if ! apparmor_parser -Q -K -T --features-file "$features" -o "$root/profiles/$name.bin" "$p" \
        > "$work/parser.log" 2>&1; then
        vm_fail "apparmor_parser cannot compile examples/apparmor/$name" "$(cat "$work/parser.log")"
    fi
done

cp "$here/init" "$root/init"
cp "$here/apparmor-checks.sh" "$root/checks"
chmod 0755 "$root/init" "$root/checks"
vm_cpio "$root" "$work/initramfs.cpio" || vm_fail "cannot make the initramfs"
t1=$(date +%s.%N)

vm_run_checks "$work/initramfs.cpio" "$work/console.log" "$t0" "$t1"
