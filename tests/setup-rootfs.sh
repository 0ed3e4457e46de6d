#!/bin/bash
# Build the busybox root filesystem that minirun's integration tests run in.
#
#   tests/setup-rootfs.sh [--stamp FILE] [--if-possible] OUTDIR [HELPER...]
#
# OUTDIR gets Debian's static busybox (package busybox-static) with one
# symlink per applet in bin/, an /etc/passwd and /etc/group with root, daemon,
# alice (1000, member of wheel and audio) and bob (1001), and the usual empty
# directories.  Each HELPER (a static binary, e.g. the probe) is copied to
# OUTDIR/<its name>.  Nothing is downloaded.
#
# The script is idempotent: when OUTDIR's stamp (busybox's version and this
# script's checksum) matches, only changed helpers are copied again.  With
# --stamp FILE, FILE is touched at the end (for meson's custom_target).  With
# --if-possible, a missing busybox-static is a warning, not an error: the
# rootfs is not made and the integration tests skip.
set -euo pipefail

stamp_file=
if_possible=0
die() { printf 'setup-rootfs: %s\n' "$*" >&2; exit 1; }
# No usable busybox: an error, or with --if-possible a warning.
no_busybox() {
    printf 'setup-rootfs: %s\n' "$*" >&2
    if [ "$if_possible" = 1 ]; then
        [ -z "$stamp_file" ] || touch "$stamp_file"
        exit 0
    fi
    exit 1
}

while [ $# -gt 0 ]; do
    case $1 in
        --stamp)
            [ $# -ge 2 ] || { echo "setup-rootfs: --stamp needs a file" >&2; exit 2; }
            stamp_file=$2
            shift 2 ;;
        --if-possible)
            if_possible=1
            shift ;;
        *) break ;;
    esac
done
if [ $# -lt 1 ]; then
    echo "usage: $0 [--stamp FILE] [--if-possible] OUTDIR [HELPER...]" >&2
    exit 2
fi
out=$1
shift

busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || no_busybox "$busybox not found: apt-get install busybox-static"
ldd_out=$(LC_ALL=C ldd "$busybox" 2>&1 || true)
if [[ $ldd_out != *"not a dynamic executable"* ]]; then
    no_busybox "$busybox is not statically linked: apt-get install busybox-static"
fi
for h in "$@"; do
    [ -f "$h" ] || die "helper $h: No such file"
done

version=$("$busybox" 2>/dev/null | head -n 1 || true)
[ -n "$version" ] || die "$busybox prints no version"
self_sum=$(sha256sum < "${BASH_SOURCE[0]}" | cut -d' ' -f1)
want_stamp="$version $self_sum"
stamp="$out/.minirun-rootfs"

copy_helpers() {
    local h dest
    for h in "$@"; do
        dest="$out/$(basename "$h")"
        if ! cmp -s "$h" "$dest"; then
            cp "$h" "$dest.tmp"
            chmod 0755 "$dest.tmp"
            mv -f "$dest.tmp" "$dest"
        fi
    done
}

# The mount points must be empty directories: a test run or a broken launcher
# may have left files there (the integration tests check that nothing does).
# Never delete through a mount: refuse if one is still there.
clean_mount_points() {
    local d
    for d in dev proc sys mnt; do
        if mountpoint -q "$out/$d" 2>/dev/null; then
            die "something is mounted on $out/$d: unmount it first"
        fi
        find "$out/$d" -xdev -mindepth 1 -delete
    done
}

finish() {
    clean_mount_points
    copy_helpers "$@"
    if [ -n "$stamp_file" ]; then
        touch "$stamp_file"
    fi
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
    finish "$@"
    exit 0
fi

if [ -e "$out" ] && [ ! -f "$stamp" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
    die "$out exists, is not empty and was not made by this script: refusing to replace it"
fi

# Build next to OUTDIR, then swap it in, so an interrupted run leaves no
# half-made rootfs behind a valid stamp.
tmp="$out.new.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"

mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,proc,dev,sys,root,home/alice,home/bob,mnt,run,var/tmp,tmp}
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
chmod 0700 "$tmp/root"

cp "$busybox" "$tmp/bin/busybox"
chmod 0755 "$tmp/bin/busybox"
"$busybox" --list | while read -r applet; do
    [ "$applet" = busybox ] && continue
    ln -s busybox "$tmp/bin/$applet"
done
[ -L "$tmp/bin/sh" ] || die "busybox has no sh applet"

# uid 1 is deliberately absent (daemon is 2, as in Alpine): "--user 1" must
# give uid 1 with gid 0 (CVE-2026-30892 gave uid 0).
cat > "$tmp/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:2:2:daemon:/sbin:/bin/false
alice:x:1000:1000:Alice:/home/alice:/bin/sh
bob:x:1001:1001:Bob:/home/bob:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$tmp/etc/group" <<'EOF'
root:x:0:
daemon:x:2:
wheel:x:10:alice
tty:x:5:
audio:x:29:alice
alice:x:1000:
bob:x:1001:
nogroup:x:65534:
EOF
chmod 0644 "$tmp/etc/passwd" "$tmp/etc/group"
echo minirun-test > "$tmp/etc/hostname"
# Executable but not a program: execve fails with ENOEXEC (exit 126).
printf 'not an executable format\n' > "$tmp/usr/local/bin/not-elf"
chmod 0755 "$tmp/usr/local/bin/not-elf"

if [ "$(id -u)" = 0 ]; then
    chown 1000:1000 "$tmp/home/alice"
    chown 1001:1001 "$tmp/home/bob"
fi

echo "$want_stamp" > "$tmp/.minirun-rootfs"

if [ -e "$out" ]; then
    rm -rf "$out"
fi
mkdir -p "$(dirname "$out")"
mv "$tmp" "$out"
trap - EXIT
finish "$@"
