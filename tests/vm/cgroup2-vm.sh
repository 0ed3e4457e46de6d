#!/bin/bash
# minirun on a pure cgroup v2 host, tested in a throw-away QEMU VM (TAP
# producer).
#
#   MINIRUN=BUILD/cmd/minirun PROBE=BUILD/tests/probe MINIRUN_SRCDIR=. \
#       tests/vm/cgroup2-vm.sh [WORKDIR]
#
# This machine's cgroups are hybrid (v1 controllers, an empty cgroup2 at
# /sys/fs/cgroup/unified), so the v2 half of the cgroup code -- limits
# through the v2 controllers and the device policy as a BPF
# BPF_CGROUP_DEVICE program, and rootless limits in a delegated cgroup
# (uid 1000, dropped to by the probe's asuser mode) -- runs in a VM whose
# /init (tests/vm/init) mounts only cgroup2 at /sys/fs/cgroup.  The VM is the one of
# tests/vm/apparmor-vm.sh: Debian's stock kernel, downloaded once and cached
# (tests/vm/vm-lib.sh), booted under QEMU's software emulation with an
# initramfs made fresh in WORKDIR (default a temporary directory) holding
# static busybox, minirun with its shared libraries and loader, the busybox
# rootfs with the static probe (tests/helpers/probe.c), /init and /checks
# (tests/vm/cgroup2-checks.sh).  The guest prints TAP on the serial
# console, this script relays it; a run that prints no result is retried
# once (booting the bzImage the second time).
#
# Environment: MINIRUN (the binary under test), PROBE (the static probe),
# MINIRUN_SRCDIR, MINIRUN_UNDER_MESON=1 (a skip prints "1..0 # SKIP reason"
# and exits 0; by hand a skip exits 77), and MINIRUN_VM_CACHE,
# MINIRUN_VM_KERNEL, MINIRUN_VM_TIMEOUT (tests/vm/vm-lib.sh).  Needs:
# qemu-system-x86 (qemu-system-x86_64), busybox-static, cpio, xz-utils, apt.
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

t0=$(date +%s.%N)

# --- what is needed ----------------------------------------------------------
minirun=${MINIRUN:-}
probe=${PROBE:-}
[ -n "$minirun" ] || vm_skip "MINIRUN is not set (the minirun binary to test)"
[ -x "$minirun" ] || vm_fail "MINIRUN=$minirun is not an executable"
[ -n "$probe" ] || vm_skip "PROBE is not set (the static probe, BUILD/tests/probe)"
[ -x "$probe" ] || vm_fail "PROBE=$probe is not an executable"
[ "$(uname -m)" = x86_64 ] || vm_skip "the VM test needs an x86_64 host (this is $(uname -m))"
vm_have qemu-system-x86_64 || vm_skip "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
vm_have cpio || vm_have busybox || vm_skip "no cpio to make the initramfs (apt-get install cpio)"
vm_have timeout || vm_skip "no timeout(1)"
vm_have ldd || vm_skip "no ldd"
bb=${BUSYBOX:-/bin/busybox}
[ -x "$bb" ] || vm_skip "$bb not found (apt-get install busybox-static)"
[[ $(LC_ALL=C ldd "$bb" 2>&1 || true) == *"not a dynamic executable"* ]] ||
    vm_skip "$bb is not statically linked (apt-get install busybox-static)"
# The guest has no libc of its own: the probe must be static (meson links it -static).
[[ $(LC_ALL=C ldd "$probe" 2>&1 || true) == *"not a dynamic executable"* ]] ||
    vm_fail "PROBE=$probe is not statically linked"

kernel_fallback=
if [ -n "${1:-}" ]; then
    work=$1
    mkdir -p "$work"
    kernel_fallback=$work/kernel-cache
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/minirun-vm.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
# The same cache as vm-apparmor: the kernel is downloaded once for both.
vm_get_kernel "$kernel_fallback"

# --- the initramfs -----------------------------------------------------------
# Its own directory: vm-apparmor uses the same WORKDIR, and meson runs both
# at once.
root=$work/cgroup2-initramfs
cpio_file=$work/cgroup2-initramfs.cpio
rm -rf "$root" "$cpio_file"
mkdir -p "$root"/{proc,sys,dev,tmp,usr/local/bin}

vm_busybox "$root"
vm_copy_with_libs "$minirun" "$root" /usr/local/bin/minirun ||
    vm_fail "cannot copy $minirun's shared libraries" "$(ldd "$minirun" 2>&1)"

# The container's rootfs with /probe, made (or refreshed, quick) beside the initramfs.
if ! bash "$srcdir/tests/setup-rootfs.sh" "$work/rootfs-probe" "$probe" \
    > "$work/setup-rootfs.log" 2>&1; then
    vm_fail "tests/setup-rootfs.sh failed" "$(cat "$work/setup-rootfs.log")"
fi
cp -a "$work/rootfs-probe" "$root/rootfs"

cp "$here/init" "$root/init"
cp "$here/cgroup2-checks.sh" "$root/checks"
chmod 0755 "$root/init" "$root/checks"
vm_cpio "$root" "$cpio_file" || vm_fail "cannot make the initramfs"
t1=$(date +%s.%N)

# --- boot --------------------------------------------------------------------
# Nothing mounts a v1 hierarchy in the guest; cgroup_no_v1=all makes sure
# no v1 controller could hold one (the kernel then offers them all to v2).
VM_CMDLINE="$VM_CMDLINE cgroup_no_v1=all"
vm_run_checks "$cpio_file" "$work/cgroup2-console.log" "$t0" "$t1"
