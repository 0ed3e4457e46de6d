# shellcheck shell=bash disable=SC2034
# (SC2034: VM_* are read by the scripts that source this file)
# Host-side helpers for minirun's throw-away QEMU test VMs.
#
# A VM boots Debian's stock kernel (which has AppArmor) under QEMU's software
# emulation (TCG), from an uncompressed newc cpio initramfs; no disk, no
# network.  See ../shared/reference/testing-env.md for why each step is there.
#
# The caller defines vm_skip REASON (the whole test cannot run here) and
# vm_fail REASON (something that should work did not).
#
# Environment:
#   MINIRUN_VM_CACHE    where the kernel package and the extracted kernel are
#                       kept (default ${XDG_CACHE_HOME:-$HOME/.cache}/minirun-vm)
#   MINIRUN_VM_KERNEL   use this kernel image instead (vmlinux or bzImage)
#   MINIRUN_VM_TIMEOUT  seconds before a VM run is abandoned (default 90)

VM_KPKG_META=linux-image-amd64
VM_CMDLINE="console=ttyS0 apparmor=1 security=apparmor reboot=t panic=-1 mitigations=off quiet"

vm_have() { command -v "$1" >/dev/null 2>&1; }

# vm_cache_dir [FALLBACK]: the cache directory, FALLBACK when the usual one
# cannot be written (no HOME, read-only HOME).
vm_cache_dir() {
    local d
    for d in "${MINIRUN_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/minirun-vm}" "${1:-}"; do
        [ -n "$d" ] || continue
        if mkdir -p "$d" 2>/dev/null && [ -w "$d" ]; then
            printf '%s\n' "$d"
            return 0
        fi
    done
    return 1
}

# vm_cached_kernel_dir CACHE [EXCEPT]: the newest kernel unpacked in CACHE.
vm_cached_kernel_dir() {
    find "$1" -mindepth 1 -maxdepth 1 -type d -name 'linux-image-*-amd64' ! -name "${2:-/}" \
        -exec test -d '{}/boot' ';' -print 2>/dev/null | sort -V | tail -n 1 || true
}

# The versioned kernel package Debian's linux-image-amd64 points at
# (linux-image-6.1.0-N-amd64 on Debian 12); empty if apt does not know it.
vm_kernel_package() {
    local p
    vm_have apt-cache || return 1
    p=$(LC_ALL=C apt-cache depends "$VM_KPKG_META" 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][0-9.]*-[0-9]*-amd64\)$/\1/p' | head -n 1)
    if [ -z "$p" ]; then
        p=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
            grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -n 1)
    fi
    [ -n "$p" ] && printf '%s\n' "$p"
}

# vm_extract_vmlinux BZIMAGE OUT: the ELF vmlinux embedded (xz-compressed) in
# Debian's bzImage.  Booted through its PVH entry point it saves QEMU the
# ~2.5 s of decompressing under emulation.
vm_extract_vmlinux() {
    local bz=$1 out=$2 off
    vm_have xz || return 1
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" 2>/dev/null | head -n 1 | cut -d: -f1)
    [ -n "$off" ] || return 1
    # The stream is followed by other data: decode one stream, ignore the rest.
    tail -c +"$((off + 1))" "$bz" | xz -dc --single-stream > "$out.tmp" 2>/dev/null
    if [ "$(head -c 4 "$out.tmp" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; then
        mv -f "$out.tmp" "$out"
    else
        rm -f "$out.tmp"
        return 1
    fi
}

# vm_fetch_kernel CACHE PKG: download PKG (unless its .deb is cached) and
# unpack its ./boot into CACHE/PKG/boot.  On failure: status 1, the reason in
# VM_FETCH_ERROR.
VM_FETCH_ERROR=
vm_fetch_kernel() {
    local cache=$1 pkg=$2 tmp deb
    vm_have apt-get || { VM_FETCH_ERROR="no apt-get"; return 1; }
    vm_have dpkg-deb || { VM_FETCH_ERROR="no dpkg-deb"; return 1; }
    tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
    deb=$(find "$cache" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
    if [ -z "$deb" ]; then
        echo "# downloading $pkg (about 70 MB, once) into $cache" >&2
        if ! (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>"$tmp/apt.err"); then
            VM_FETCH_ERROR=$(grep -v '^W: Download is performed unsandboxed' "$tmp/apt.err" | tail -n 1)
            VM_FETCH_ERROR=${VM_FETCH_ERROR:-apt-get download failed}
            rm -rf "$tmp"
            return 1
        fi
        deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
        if [ -z "$deb" ]; then
            VM_FETCH_ERROR="apt-get download gave no .deb"
            rm -rf "$tmp"
            return 1
        fi
        mv -f "$deb" "$cache/"
        deb=$cache/$(basename "$deb")
    fi
    # Unpack only ./boot; nothing is installed.
    if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./boot 2>/dev/null ||
        ! compgen -G "$tmp/boot/vmlinuz-*" >/dev/null; then
        VM_FETCH_ERROR="no ./boot/vmlinuz-* in $(basename "$deb")"
        rm -rf "$tmp" "$deb"
        return 1
    fi
    rm -rf "${cache:?}/$pkg"
    mkdir -p "$cache/$pkg"
    mv "$tmp/boot" "$cache/$pkg/boot"
    rm -rf "$tmp"
    # Older kernels and their packages: drop them, they are 70 MB each.
    find "$cache" -mindepth 1 -maxdepth 1 -name 'linux-image-*' ! -name "$pkg" ! -name "${pkg}_*" \
        -exec rm -rf {} + 2>/dev/null || true
    return 0
}

# vm_get_kernel [FALLBACK-CACHE]: sets VM_BZIMAGE (always) and VM_VMLINUX
# (empty when the extraction did not work).  Downloads the kernel package
# once (apt-get download, no installation), keeps it and the unpacked /boot
# in the cache; when the download fails, a kernel fetched earlier does.
VM_BZIMAGE=
VM_VMLINUX=
VM_KERNEL_NAME=
vm_get_kernel() {
    local cache pkg dir bz old
    if [ -n "${MINIRUN_VM_KERNEL:-}" ]; then
        [ -f "$MINIRUN_VM_KERNEL" ] || vm_skip "MINIRUN_VM_KERNEL=$MINIRUN_VM_KERNEL: no such file"
        VM_BZIMAGE=$MINIRUN_VM_KERNEL
        VM_VMLINUX=
        if [ "$(head -c 4 "$MINIRUN_VM_KERNEL" | od -An -c | tr -d ' ')" = '177ELF' ]; then
            VM_VMLINUX=$MINIRUN_VM_KERNEL
        fi
        VM_KERNEL_NAME=$(basename "$MINIRUN_VM_KERNEL")
        return 0
    fi
    cache=$(vm_cache_dir "${1:-}") ||
        vm_skip "no writable cache directory for the VM kernel (set MINIRUN_VM_CACHE)"

    # One download at a time, should two build dirs run the test together.
    exec 8>"$cache/.lock"
    if vm_have flock; then flock 8; fi

    # Asking apt takes a second; ask again only after an apt-get update.
    pkg=
    if [ -s "$cache/.package" ] && [ "$cache/.package" -nt /var/lib/apt/lists ]; then
        pkg=$(cat "$cache/.package")
    fi
    if [ -z "$pkg" ]; then
        pkg=$(vm_kernel_package || true)
        [ -z "$pkg" ] || echo "$pkg" > "$cache/.package"
    fi
    if [ -z "$pkg" ]; then
        # apt knows no kernel (no package lists?): use one fetched earlier.
        dir=$(vm_cached_kernel_dir "$cache")
        [ -n "$dir" ] || vm_skip "apt-cache knows no $VM_KPKG_META (run apt-get update) and no kernel is cached in $cache"
        pkg=$(basename "$dir")
    fi
    dir=$cache/$pkg
    if ! compgen -G "$dir/boot/vmlinuz-*" >/dev/null; then
        if ! vm_fetch_kernel "$cache" "$pkg"; then
            old=$(vm_cached_kernel_dir "$cache" "$pkg")
            [ -n "$old" ] || vm_skip "cannot get $pkg: $VM_FETCH_ERROR"
            echo "# cannot get $pkg ($VM_FETCH_ERROR), using $(basename "$old")" >&2
            dir=$old
            pkg=$(basename "$old")
        fi
    fi
    bz=$(compgen -G "$dir/boot/vmlinuz-*" | head -n 1)
    if [ ! -f "$dir/vmlinux" ] && [ ! -f "$dir/vmlinux.none" ]; then
        vm_extract_vmlinux "$bz" "$dir/vmlinux" || : > "$dir/vmlinux.none"
    fi
    exec 8>&-
    VM_KERNEL_NAME=$pkg
    VM_BZIMAGE=$bz
    VM_VMLINUX=
    [ -f "$dir/vmlinux" ] && VM_VMLINUX=$dir/vmlinux
    return 0
}

# vm_copy_with_libs BINARY ROOT DEST: BINARY at ROOT/DEST plus the shared
# libraries and the loader it needs, at the paths ldd names.
vm_copy_with_libs() {
    local bin=$1 root=$2 dest=$3 lib deps
    mkdir -p "$root$(dirname "$dest")"
    cp -L "$bin" "$root$dest"
    chmod 0755 "$root$dest"
    deps=$(LC_ALL=C ldd "$bin" 2>&1 || true)
    [[ $deps == *"not a dynamic executable"* ]] && return 0
    # ldd names a library it cannot find "not found": the VM could not run it.
    [[ $deps == *"not found"* ]] && return 1
    while read -r lib; do
        [ -n "$lib" ] || continue
        [ -e "$root$lib" ] && continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done < <(printf '%s\n' "$deps" |
        sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p')
    return 0
}

# vm_busybox ROOT: Debian's static busybox at ROOT/bin/busybox and sh; the
# guest's /init makes the other applet links (busybox --install -s), which is
# quicker than some 400 ln here.
vm_busybox() {
    local root=$1 bb=${BUSYBOX:-/bin/busybox}
    mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin"
    cp "$bb" "$root/bin/busybox"
    chmod 0755 "$root/bin/busybox"
    ln -sf busybox "$root/bin/sh"
}

# vm_cpio ROOT OUT: an uncompressed newc archive of ROOT, files owned by root.
vm_cpio() {
    local root=$1 out=$2
    if vm_have cpio; then
        (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out"
    else
        (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null) > "$out"
    fi
}

# vm_boot KERNEL INITRD LOG: one VM run, serial console in LOG.
vm_boot() {
    local kernel=$1 initrd=$2 log=$3
    timeout -k 5 "${MINIRUN_VM_TIMEOUT:-90}" \
        qemu-system-x86_64 -M pc -accel tcg -cpu max -smp 1 -m 256 \
            -nographic -nodefaults -serial stdio -no-reboot \
            -kernel "$kernel" -initrd "$initrd" -append "$VM_CMDLINE" \
        < /dev/null > "$log" 2>&1
}

# vm_run_checks CPIO LOG T0 T1: boot the kernel with CPIO (the ELF vmlinux
# first, PVH being faster, then the bzImage: two attempts), relay the
# guest's TAP lines (VMTAP: ..., the serial console ends lines with \r\n)
# and a timing line, and exit as a TAP producer under meson does: 0 with the
# failures in TAP, or 1 when run by hand and something failed.
vm_run_checks() {
    local cpio=$1 log=$2 t0=$3 t1=$4 t2 k attempt=0 result='' tap failed
    local kernels=()
    [ -n "$VM_VMLINUX" ] && kernels+=("$VM_VMLINUX")
    kernels+=("$VM_BZIMAGE")
    [ ${#kernels[@]} = 1 ] && kernels+=("$VM_BZIMAGE")
    for k in "${kernels[@]}"; do
        attempt=$((attempt + 1))
        vm_boot "$k" "$cpio" "$log" || true
        if grep -aq 'VMTAP-END' "$log"; then
            result=$k
            break
        fi
        cp "$log" "${log%.log}.$attempt.log"
    done
    t2=$(date +%s.%N)
    if [ -z "$result" ]; then
        echo "1..1"
        echo "not ok 1 - the VM printed no result (2 attempts, kernel $VM_KERNEL_NAME)"
        echo "# last 30 lines of the serial console:"
        tail -n 30 "$log" | sed -e 's/\r$//' -e 's/^/# /'
        [ "${MINIRUN_UNDER_MESON:-0}" = 1 ] && exit 0
        exit 1
    fi
    tap=$(sed -n -e 's/\r$//' -e 's/^.*VMTAP: //p' "$log")
    printf '%s\n' "$tap"
    echo "# kernel $VM_KERNEL_NAME ($(basename "$result")), initramfs" \
        "$(($(stat -c %s "$cpio") / 1024)) KiB built in $(vm_secs "$t0" "$t1") s," \
        "VM run $(vm_secs "$t1" "$t2") s (attempt $attempt), total $(vm_secs "$t0" "$t2") s"
    failed=$(printf '%s\n' "$tap" | grep -c -E '^(not ok|Bail out!)' || true)
    if [ "$failed" != 0 ]; then
        echo "# serial console (without TAP lines):"
        grep -av 'VMTAP' "$log" | tail -n 40 | sed -e 's/\r$//' -e 's/^/# /'
        [ "${MINIRUN_UNDER_MESON:-0}" != 1 ] && exit 1
    fi
    exit 0
}
vm_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
