#!/bin/bash
# Images as ROOTFS ("bring the real workload in", part 4): tarballs in every
# compression, an OCI layout with two layers and whiteouts, a docker save
# archive, the image config applied as docker run applies it, the cache
# (a second start unpacks nothing), its index (a second start does not
# even read the archive; a touched or rewritten one is hashed again) and
# hostile archives refused with nothing written outside and nothing
# partial left in the cache.
# Every input is made here from $ROOTFS (tests/helpers/mkimage.py).
# shellcheck source=tests/integration/lib.sh
# shellcheck disable=SC2016 # $(...) in single quotes: the container's shell expands them
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
command -v python3 > /dev/null || missing_tool "no python3 (tests/helpers/mkimage.py)"
command -v xz > /dev/null || missing_tool "no xz (apt-get install xz-utils)"
command -v zstd > /dev/null || missing_tool "no zstd (apt-get install zstd)"

MKIMAGE="${MINIRUN_SRCDIR:-$(dirname "${BASH_SOURCE[0]}")/../..}/tests/helpers/mkimage.py"

plan 69

# A private cache, so that runs never share one (MINIRUN_CACHE_DIR: image.h).
export MINIRUN_CACHE_DIR="$TESTS_TMP/cache"
IMAGES="$MINIRUN_CACHE_DIR/images"
img="$TESTS_TMP/img"
mkdir -p "$img"

# cache_entries: the names in the cache, temporary directories included
# (the index of archives hashed, IMAGES/index, is not an entry).
cache_entries() {
    find "$IMAGES" -mindepth 1 -maxdepth 1 ! -name index -printf '%f\n' 2> /dev/null | sort | tr '\n' ' '
}

# --- root filesystem tarballs, told apart by content ---
tar -C "$ROOTFS" -cf "$img/rootfs.tar" .
gzip -c "$img/rootfs.tar" > "$img/rootfs.tar.gz"
xz -c "$img/rootfs.tar" > "$img/rootfs.tar.xz"
zstd -q -c "$img/rootfs.tar" > "$img/rootfs.tar.zst"
cp "$img/rootfs.tar.zst" "$img/misnamed.tar.gz"

for f in rootfs.tar rootfs.tar.gz rootfs.tar.xz rootfs.tar.zst misnamed.tar.gz; do
    run_expect "$f runs" 0 "hello from $f" -- "$img/$f" /bin/echo "hello from $f"
done

# The card's example, as written: a seccomp profile and a gzip'ed tarball.
cat > "$TESTS_TMP/profile.json" << 'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
EOF
STDIN_FILE=/dev/null run_minirun --seccomp="$TESTS_TMP/profile.json" "$img/rootfs.tar.gz" /bin/sh -c \
    'mkdir /x 2>/dev/null || echo denied; cat /etc/passwd | head -1'
expect "--seccomp=profile.json rootfs.tar.gz /bin/sh" 0 "denied
root:x:0:0:root:/root:/bin/sh"

# --- the cache: the second start unpacks nothing ---
before=$(cache_entries)
key="sha256-$(sha256sum "$img/rootfs.tar.gz" | cut -d' ' -f1)"
is "$before" "$(for f in rootfs.tar rootfs.tar.gz rootfs.tar.xz rootfs.tar.zst; do
    echo "sha256-$(sha256sum "$img/$f" | cut -d' ' -f1)"
done | sort | tr '\n' ' ')" "one cache entry per archive, keyed by its sha256, no temporary left"
# The unpacked tree is the cache entry's, so a file planted there shows up
# on the next start: proof that the archive was not unpacked again.
echo planted > "$IMAGES/$key/rootfs/planted"
start=$(date +%s%N)
run_minirun --verbose "$img/rootfs.tar.gz" /bin/cat /planted
end=$(date +%s%N)
is "$OUT" "planted" "second start: the cached tree is used, not a new unpack"
case $ERR in
*"image $key (root filesystem tarball), from the cache"*) ok "--verbose says: from the cache" ;;
*) not_ok "--verbose says: from the cache" "$(_result_diag)" ;;
esac
is "$(cache_entries)" "$before" "second start: no new cache directory"
ms=$(((end - start) / 1000000))
if [ "$ms" -lt 2000 ]; then ok "second start is fast (${ms} ms)"; else not_ok "second start is fast" "${ms} ms"; fi

# --- the index: a cached archive is not even read ---
# Two tar archives of the same size that differ in one file's content
# (same names, times and owners: only the bytes of /marker differ).
mkdir -p "$TESTS_TMP/m1" "$TESTS_TMP/m2"
echo one > "$TESTS_TMP/m1/marker"
echo two > "$TESTS_TMP/m2/marker"
touch -d @1000000000 "$TESTS_TMP/m1/marker" "$TESTS_TMP/m2/marker"
tar -C "$ROOTFS" -cf "$img/one.tar" . -C "$TESTS_TMP/m1" marker
tar -C "$ROOTFS" -cf "$img/two.tar" . -C "$TESTS_TMP/m2" marker
cp "$img/one.tar" "$img/indexed.tar"
key1="sha256-$(sha256sum "$img/one.tar" | cut -d' ' -f1)"
key2="sha256-$(sha256sum "$img/two.tar" | cut -d' ' -f1)"
entry="$IMAGES/index/$(stat -c '%d-%i' "$img/indexed.tar")"

# reads_of: how many times the start reads the archive, counted by strace
# (-y names each descriptor's file).  Not -f: the image is resolved before
# minirun forks, and its descriptor is close-on-exec.
# LeakSanitizer refuses to run under ptrace (strace) and aborts: only the leak
# check is off for these runs, in the ASan build.
reads_of() {
    local asan=${ASAN_OPTIONS:-}
    [ "${MINIRUN_SANITIZED:-0}" = 1 ] && asan="${asan:+$asan:}detect_leaks=0"
    ASAN_OPTIONS=$asan timeout -k 5 "$RUN_TIMEOUT" strace -qq -y -o "$TESTS_TMP/strace" \
        -e trace=read,readv,pread64,preadv,preadv2,mmap,sendfile,splice,copy_file_range \
        "$MINIRUN" --verbose "$img/indexed.tar" /bin/cat /marker > "$TESTS_TMP/out" 2> "$TESTS_TMP/err"
    RC=$?
    OUT=$(cat "$TESTS_TMP/out")
    ERR=$(cat "$TESTS_TMP/err")
    READS=$(grep -c "<$img/indexed.tar>" "$TESTS_TMP/strace")
}
# from_cache KEY: the --verbose line of a start that found KEY's tree.
from_cache() { case $ERR in *"image $1 (root filesystem tarball), from the cache"*) echo yes ;; *) echo "no: $ERR" ;; esac; }

if ! command -v strace > /dev/null; then
    for i in $(seq 16); do skip "the index ($i/16)" "no strace (apt-get install strace)"; done
else
    # An entry is made only once the archive's ctime is INDEX_SETTLE (2 s)
    # in the past (image.c: a change within the same clock tick would not
    # move it): settle waits for that.
    settle() { while [ $(($(date +%s) - $(stat -c %Z "$img/indexed.tar"))) -lt 3 ]; do sleep 0.2; done; }
    settle
    reads_of
    if [ "$RC" = 0 ] && [ "$OUT" = one ] && [ "$READS" -gt 0 ]; then
        ok "first start: the archive is read (hashed, unpacked: $READS reads)"
    else
        not_ok "first start: the archive is read" "rc $RC, out '$OUT', $READS reads, err: $ERR"
    fi
    is "$(cat "$entry" 2> /dev/null)" "minirun-index-1 $(stat -c '%d %i %s' "$img/indexed.tar") $(
        stat -c '%.9Y %.9Z' "$img/indexed.tar") $key1" "... and indexed: IMAGES/index/<dev>-<ino>, its five numbers and key"
    is "$(stat -c '%U %a' "$IMAGES/index") $(stat -c '%a' "$entry")" "root 700 600" "... the index is the caller's alone"

    reads_of
    is "$OUT $READS" "one 0" "second start: the archive is not read at all"
    is "$(from_cache "$key1")" yes "... its key from the index, its tree from the cache"

    # An entry that does not parse is ignored: hashed again, and rewritten.
    echo "minirun-index-1 garbage $key2" > "$entry"
    reads_of
    if [ "$OUT" = one ] && [ "$READS" -gt 0 ] && [ "$(from_cache "$key1")" = yes ]; then
        ok "a damaged index entry: ignored, the archive hashed, the right tree"
    else
        not_ok "a damaged index entry: ignored" "out '$OUT', $READS reads, err: $ERR"
    fi
    is "$(cut -d' ' -f7 "$entry")" "$key1" "... and the entry written again"

    # touch: the same bytes, new times.  Hashed again, same key, no new entry.
    before=$(cache_entries)
    touch "$img/indexed.tar"
    reads_of
    if [ "$OUT" = one ] && [ "$READS" -gt 0 ]; then
        ok "touched: the archive is hashed again"
    else
        not_ok "touched: the archive is hashed again" "out '$OUT', $READS reads, err: $ERR"
    fi
    is "$(from_cache "$key1")" yes "... and found the same key's tree"
    is "$(cache_entries)" "$before" "... no new cache directory"
    # Too young to be indexed: a change in the same tick would keep its ctime.
    reads_of
    if [ "$READS" -gt 0 ]; then ok "... hashed on each start while its ctime is recent"; else not_ok "... hashed while recent" "0 reads"; fi

    # Rewritten in place with other bytes: same inode, same size, mtime put
    # back.  Only ctime tells, and it does: a new key, a new tree.
    settle
    reads_of # indexed again, with the new times
    reads_of
    is "$READS" 0 "settled again: indexed again, not read"
    was=$(stat -c '%i %s %.9Y' "$img/indexed.tar")
    touch -r "$img/indexed.tar" "$TESTS_TMP/indexed.ref"
    cat "$img/two.tar" > "$img/indexed.tar"
    touch -r "$TESTS_TMP/indexed.ref" "$img/indexed.tar"
    is "$(stat -c '%i %s %.9Y' "$img/indexed.tar")" "$was" "rewritten in place: same inode, size and mtime"
    reads_of
    if [ "$OUT" = two ] && [ "$READS" -gt 0 ]; then
        ok "rewritten in place: hashed again, the new content runs"
    else
        not_ok "rewritten in place: the new content runs" "out '$OUT', $READS reads, err: $ERR"
    fi
    case $ERR in
    *"image $key2 (root filesystem tarball), unpacked now"*) ok "... under its own new key" ;;
    *) not_ok "... under its own new key" "$ERR" ;;
    esac
    is "$(cache_entries)" "$(echo "$before $key2" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')" "... one new cache directory"
fi

# --- an OCI layout: two layers, whiteouts, the config ---
python3 "$MKIMAGE" oci "$ROOTFS" "$img/oci"
python3 "$MKIMAGE" oci-archive "$ROOTFS" "$img/oci.tar"
python3 "$MKIMAGE" docker-save "$ROOTFS" "$img/docker.tar"

for i in oci oci.tar docker.tar; do
    # Entrypoint ["/bin/sh","-c"] + Cmd, Env, WorkingDir /data, User alice (1000).
    run_expect "$i: Entrypoint, Cmd, Env, WorkingDir and User of the config" 0 \
        "cmd-default from-image /data 1000" -- "$img/$i"
    run_expect "$i: whiteouts (.wh.gone, opaque /opq keeps its own layer's upper)" 0 \
        "keep noted xdir upper layer 2" -- --entrypoint /bin/sh "$img/$i" -c \
        'echo $(ls /data) $(ls /opq) $(cat /etc/image-release)'
    # The image's file capability, as podman and docker keep it: USER alice
    # gets cap_net_raw from it (Debian's ping has one).
    run_expect "$i: a file capability (security.capability) is kept" 0 \
        "0000000000002000
0000000000002000" -- --entrypoint /bin/capprobe "$img/$i" status CapPrm CapEff
done
# user.* attributes kept; none that overlayfs would read on the cached tree
# (it is the container's lower layer): trusted.overlay.*, user.overlay.*.
xattrs_of() {
    python3 -c 'import os, sys
for p in sys.argv[1:]:
    print(" ".join("%s=%s" % (n, os.getxattr(p, n, follow_symlinks=False).decode())
                   for n in sorted(os.listxattr(p, follow_symlinks=False))))' "$@"
}
tree=$(dirname "$(find "$IMAGES" -mindepth 4 -maxdepth 4 -path '*/rootfs/data/noted' | head -1)")
is "$(xattrs_of "$tree/noted" "$tree/xdir" | tr '\n' '|')" "user.note=hello|user.mark=d|" \
    "user.* attributes kept, trusted.overlay.* and user.overlay.* not"

# docker run's rules: ARGS replace Cmd, after the Entrypoint.
run_expect "ARGS replace Cmd (Entrypoint kept)" 0 "args 1000" -- "$img/oci" 'echo args $(id -u)'
run_expect "-e overrides the image's Env; -w and -u override" 0 "cli / 0" -- \
    -e IMG_VAR=cli -w / -u root "$img/oci" 'echo $IMG_VAR $(pwd) $(id -u)'
run_expect "image PATH replaces the default" 0 "/usr/sbin:/usr/bin:/sbin:/bin" -- \
    "$img/oci" 'echo $PATH'
run_expect "--entrypoint replaces Entrypoint and drops Cmd" 0 "" -- --entrypoint /bin/true "$img/oci"
run_expect "--entrypoint with ARGS" 0 "a b" -- --entrypoint /bin/echo "$img/oci" a b
run_minirun --entrypoint "" "$img/oci"
expect_error "--entrypoint \"\" and no ARGS: no command, 125" 125 "minirun: no command given*"
run_minirun "$ROOTFS"
expect_error "a directory without COMMAND: 125" 125 "minirun: no command given*"
run_expect "--entrypoint on a directory" 0 "dir" -- --entrypoint /bin/echo "$ROOTFS" dir

# A layout's blob that does not match its digest is refused.  (In a cache
# of its own: the key is the manifest's digest, which is the good image's,
# whose unpacked copy -- made from blobs that were checked -- is cached.)
cp -a "$img/oci" "$img/oci-bad"
l2=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"][7:]; print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m))["layers"][1]["digest"][7:])' "$img/oci-bad")
tar -C "$ROOTFS" -czf "$img/oci-bad/blobs/sha256/$l2" etc/passwd
MINIRUN_CACHE_DIR="$TESTS_TMP/cache2" run_minirun "$img/oci-bad"
expect_error "a layer that does not match its digest: 125" 125 \
    "minirun: image $img/oci-bad: layer 2/2: *does not match its digest"
is "$(ls -A "$TESTS_TMP/cache2/images")" "" "... and nothing left in the cache"

# --- hostile archives: refused, nothing outside, nothing partial ---
canary="$TESTS_TMP/canary"
mkdir -p "$canary"
expect_refused() {
    local kind=$1 pattern=$2
    python3 "$MKIMAGE" evil "$kind" "$img/evil-$kind.tar" "$canary"
    before=$(cache_entries)
    run_minirun "$img/evil-$kind.tar" /bin/true
    expect_error "$kind: refused, 125" 125 "minirun: image $img/evil-$kind.tar: $pattern"
    if [ -z "$(ls -A "$canary")" ] && [ "$(cache_entries)" == "$before" ]; then
        ok "$kind: nothing written outside, no partial cache entry"
    else
        not_ok "$kind: nothing written outside, no partial cache entry" \
            "canary: $(ls -A "$canary"); cache: $(cache_entries) (was $before)"
    fi
}
expect_refused dotdot "entry '*/dotdot': '..' component"
expect_refused abs "entry '$canary/abs': absolute path"
expect_refused symlink-parent "entry 'escape$canary/through-symlink': its parent leads outside the image*"
expect_refused hardlink-abs "entry 'shadow': hard link to an absolute path"
expect_refused hardlink-via-symlink "entry 'shadow': hard link to a target outside the image*"
# A tree deeper than any name, through symlinks: removing it (a failed
# unpack, a whiteout) took a descriptor per level; at 1024 levels, with
# the common limit of 1024, the partial unpack stayed in the cache.
nofile=$(ulimit -Sn)
ulimit -Sn 1024
expect_refused deep-symlinks "entry 's1/a/*': more than 256 directory levels deep (through a symlink)"
ulimit -Sn "$nofile"
# The directories made for an entry's name count as entries: 2 entries
# made 502 directories under a limit of 100.
MINIRUN_IMAGE_MAX_ENTRIES=100 expect_refused implicit-dirs "more than 100 entries: refused*"
# 1200 entries, each parent path of layer 2 distinct (through 600 symlinks
# to one directory): the paths kept for opaque whiteouts took 1.5 GB.
expect_refused names "layer 2/2: more than 268435456 bytes of names to keep: refused"

# --- the cached tree is never written by a container ---
# --rootfs writes into ROOTFS: for an image that is the cache entry every
# later run starts from (a workload's file there showed up in the next
# plain run).  --read-only made the mount points and volume destinations
# the image lacks in the cache entry, before the read-only remount.
run_minirun --rootfs "$img/rootfs.tar" /bin/sh -c 'echo poison > /poison'
expect_error "--rootfs with an image: refused, 125" 125 \
    "minirun: --rootfs: image $img/rootfs.tar is unpacked into the image cache*"
key="sha256-$(sha256sum "$img/rootfs.tar" | cut -d' ' -f1)"
mkdir -p "$TESTS_TMP/vol"
run_expect "--read-only image: a new volume destination, the root read-only" 0 \
    "/new-volume-dst EROFS" -- --read-only -v "$TESTS_TMP/vol:/new-volume-dst" "$img/rootfs.tar" \
    /bin/sh -c 'echo $(ls -d /new-volume-dst) $(touch /x 2>/dev/null || echo EROFS)'
is "$(find "$IMAGES/$key/rootfs" -maxdepth 1 \( -name poison -o -name new-volume-dst \) | wc -l)" 0 \
    "... nothing of either run in the cached tree"

# --- damaged and oversized archives ---
head -c 20000 "$img/rootfs.tar.gz" > "$img/truncated.tar.gz"
before=$(cache_entries)
run_minirun "$img/truncated.tar.gz" /bin/true
expect_error "a truncated gzip: 125, one line" 125 "minirun: image $img/truncated.tar.gz: corrupt archive: *"
is "$(cache_entries)" "$before" "a truncated gzip: no partial cache entry"

python3 "$MKIMAGE" evil bomb "$img/bomb.tar"
zstd -q -19 -c "$img/bomb.tar" > "$img/bomb.tar.zst"
MINIRUN_IMAGE_MAX_BYTES=16m run_minirun "$img/bomb.tar.zst" /bin/true
expect_error "64 MiB of zeros over a 16 MiB limit: refused" 125 \
    "minirun: image $img/bomb.tar.zst: more than 16777216 bytes of files: refused*"

done_testing
