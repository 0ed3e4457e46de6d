#!/bin/bash
# Volumes: -v/--volume, --mount type=bind|tmpfs, --tmpfs, --read-only with
# volumes, the refusals.  The race of runc's CVE-2025-31133 family is
# test-volumes-race.sh.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

# Every case works on its own copy of the rootfs: volumes create their
# destinations in it, and the shared ROOTFS must stay as it was built.
chmod 0711 "$TESTS_TMP"
copy="$TESTS_TMP/rootfs"
cp -a "$ROOTFS" "$copy"
host="$TESTS_TMP/host"
mkdir -p "$host/dir"
echo hello > "$host/dir/greeting"
echo file-volume > "$host/file"

# --- bind volumes ---------------------------------------------------------------
run_expect "-v SRC:DST: the host directory is visible" 0 hello -- \
    -v "$host/dir:/mnt/data" "$copy" cat /mnt/data/greeting
run_expect "-v SRC:DST:rw: a write is visible on the host" 0 "" -- \
    -v "$host/dir:/mnt/data:rw" "$copy" sh -c 'echo written > /mnt/data/new'
is "$(cat "$host/dir/new" 2> /dev/null)" written "the file written in the container is on the host"
run_expect "-v SRC:DST:ro: a write fails with EROFS" 0 \
    "sh: can't create /mnt/ro/x: Read-only file system" -- \
    -v "$host/dir:/mnt/ro:ro" "$copy" sh -c 'echo x 2>&1 > /mnt/ro/x; true'
run_expect "-v :ro is read-only in mountinfo" 0 ro -- \
    -v "$host/dir:/mnt/ro:ro" "$copy" \
    sh -c 'awk "\$5 == \"/mnt/ro\" { split(\$6, o, \",\"); print o[1] }" /proc/self/mountinfo'
run_expect "a file volume (the destination file is created)" 0 file-volume -- \
    -v "$host/file:/etc/from-host:ro" "$copy" cat /etc/from-host
run_expect "a missing destination directory is created, parents too" 0 hello -- \
    -v "$host/dir:/srv/a/b/c" "$copy" cat /srv/a/b/c/greeting
run_expect "a volume inside another, given in the wrong order" 0 "hello
file-volume" -- \
    -v "$host/file:/opt/outer/inner" -v "$host/dir:/opt/outer" "$copy" \
    sh -c 'cat /opt/outer/greeting /opt/outer/inner'
run_expect "a volume under /dev lands in the container's /dev" 0 hello -- \
    -v "$host/dir:/dev/vol" "$copy" cat /dev/vol/greeting
# Propagation relates the volume to its host mount's peer group: a shared
# host mount (here a tmpfs made for the test) keeps it with rshared, makes
# the volume its slave with rslave and cuts it off with the default rprivate.
prop_tags='awk "\$5 == \"/mnt/p\" { for (i = 7; \$i != \"-\"; i++) { sub(/:[0-9]+$/, \"\", \$i); print \$i } }" /proc/self/mountinfo'
shared="$TESTS_TMP/shared"
mkdir -p "$shared"
if mount -t tmpfs -o size=1m tmpfs "$shared" && mount --make-shared "$shared"; then
    at_exit "umount -l '$shared'"
    run_expect "rshared: the volume is in the host mount's peer group" 0 shared -- \
        -v "$shared:/mnt/p:rshared" "$copy" sh -c "$prop_tags"
    run_expect "rslave: the volume is a slave of the host mount" 0 master -- \
        -v "$shared:/mnt/p:rslave" "$copy" sh -c "$prop_tags"
    run_expect "rprivate by default: neither shared nor a slave" 0 "" -- \
        -v "$shared:/mnt/p" "$copy" sh -c "$prop_tags"
    run_expect "--mount bind-propagation=slave" 0 master -- \
        --mount "type=bind,source=$shared,target=/mnt/p,bind-propagation=slave" "$copy" \
        sh -c "$prop_tags"
else
    for n in rshared rslave rprivate bind-propagation; do
        skip "propagation: $n" "cannot make a shared tmpfs here"
    done
fi

# --- missing sources ------------------------------------------------------------
run_expect "-v: a missing source is created as a directory (as docker does)" 0 ok -- \
    -v "$host/made/by/v:/mnt/m" "$copy" sh -c '[ -d /mnt/m ] && echo ok'
if [ -d "$host/made/by/v" ]; then ok "the missing -v source exists on the host now"; else
    not_ok "the missing -v source exists on the host now"; fi
run_minirun --mount "type=bind,source=$host/not-there,target=/mnt/m" "$copy" true
expect_error "--mount type=bind: a missing source is an error" 125 \
    "minirun: --mount *: bind source $host/not-there: No such file or directory"
if [ -e "$host/not-there" ]; then not_ok "--mount created nothing on the host"; else
    ok "--mount created nothing on the host"; fi

# --- --mount and --tmpfs ------------------------------------------------------
run_expect "--mount type=bind,readonly" 0 "hello
sh: can't create /m/x: Read-only file system" -- \
    --mount "type=bind,source=$host/dir,target=/m,readonly" "$copy" \
    sh -c 'cat /m/greeting; echo x 2>&1 > /m/x; true'
run_expect "--mount type=tmpfs with tmpfs-size and tmpfs-mode" 0 \
    "tmpfs rw,nosuid,nodev,noexec,relatime,size=64k,mode=700" -- \
    --mount "type=tmpfs,target=/scratch,tmpfs-size=65536,tmpfs-mode=700" "$copy" \
    sh -c 'awk "\$2 == \"/scratch\" { print \$3, \$4 }" /proc/mounts'
run_expect "--tmpfs DST: noexec,nosuid,nodev (docker's defaults)" 0 \
    "tmpfs rw,nosuid,nodev,noexec,relatime" -- \
    --tmpfs /run/t "$copy" sh -c 'awk "\$2 == \"/run/t\" { print \$3, \$4 }" /proc/mounts'
run_expect "--tmpfs DST:size=1m: writing more fails with ENOSPC" 0 \
    "dd: error writing '/small/x': No space left on device
1024" -- \
    --tmpfs /small:size=1m,mode=1777 "$copy" \
    sh -c 'dd if=/dev/zero of=/small/x bs=1k count=2048 2>&1 | grep error; du -k /small/x | cut -f1'

# --- --read-only ------------------------------------------------------------------
# A submount the rootfs already has on the host (it comes along with the
# recursive bind of the rootfs): --read-only must cover it too.
ro_copy="$TESTS_TMP/rootfs-ro"
cp -a "$ROOTFS" "$ro_copy"
mkdir -p "$ro_copy/mnt/sub"
if mount -t tmpfs -o size=1m tmpfs "$ro_copy/mnt/sub"; then
    at_exit "umount -l '$ro_copy/mnt/sub'"
    run_expect "--read-only: a submount of the rootfs is read-only too" 0 \
        "sh: can't create /mnt/sub/x: Read-only file system" -- \
        --read-only "$ro_copy" sh -c 'echo x 2>&1 > /mnt/sub/x; true'
else
    skip "--read-only: a submount of the rootfs is read-only too" "cannot mount a tmpfs here"
fi
run_expect "--read-only: the root is read-only, an rw volume is writable, a new destination made" 0 \
    "sh: can't create /etc/x: Read-only file system
rw-ok
sh: can't create /srv/ro/x: Read-only file system
tmpfs-ok" -- \
    --read-only -v "$host/dir:/new/rw" -v "$host/dir:/srv/ro:ro" --tmpfs /run "$ro_copy" \
    sh -c 'echo x 2>&1 > /etc/x; echo x > /new/rw/x && echo rw-ok
        echo x 2>&1 > /srv/ro/x; echo x > /run/x && echo tmpfs-ok'
run_expect "--read-only: /dev and /dev/shm stay writable" 0 ok -- \
    --read-only "$ro_copy" sh -c 'echo x > /dev/shm/x && echo ok'

# --- refusals --------------------------------------------------------------------
run_minirun -v "$host/dir:/proc" "$copy" true
expect_error "-v SRC:/proc is refused" 125 "minirun: -v *: cannot mount over /proc: *"
run_minirun -v "$host/dir:/proc/sys/kernel" "$copy" true
expect_error "-v SRC:/proc/sys/kernel is refused" 125 "minirun: -v *: cannot mount over /proc/sys/kernel: *"
run_minirun --tmpfs /sys "$copy" true
expect_error "--tmpfs /sys is refused" 125 "minirun: --tmpfs /sys: cannot mount over /sys: *"
run_minirun -v "$host/dir:/" "$copy" true
expect_error "-v SRC:/ is refused" 125 "minirun: -v *: the destination cannot be '/'"
run_minirun -v relative/dir:/x "$copy" true
expect_error "a relative source is refused" 125 "minirun: -v relative/dir:/x: the source 'relative/dir' must be an absolute host path"
run_minirun -v data:/x "$copy" true
expect_error "a name is a named volume: refused" 125 "minirun: -v data:/x: 'data' would be a named volume, and minirun has no named volumes*"
run_minirun --mount type=volume,source=data,target=/x "$copy" true
expect_error "--mount type=volume is refused" 125 "minirun: --mount *minirun has no named volumes*"
run_minirun -v "$host/dir:/x:rw,ro" "$copy" true
expect_error "ro and rw together are refused" 125 "minirun: -v *: give ro or rw once, not both"
run_minirun -v "$host/dir:/x" -v "$host/file:/x/" "$copy" true
expect_error "two volumes on one destination are refused" 125 "minirun: -v *: duplicate mount point /x *"
# Image symlinks that point the destination at the container's own mounts.
ln -s /proc/sys "$copy/mnt/to-proc-sys"
ln -s / "$copy/mnt/to-root"
ln -s ../dev "$copy/mnt/to-dev"
run_minirun -v "$host/dir:/mnt/to-proc-sys" "$copy" true
expect_error "a destination symlinked into /proc is refused" 125 \
    "minirun: -v *: the destination /mnt/to-proc-sys resolves to /proc, /sys, /dev*"
run_minirun -v "$host/dir:/mnt/to-root" "$copy" true
expect_error "a destination symlinked to / is refused" 125 \
    "minirun: -v *: the destination /mnt/to-root resolves to the container's root*"
run_minirun -v "$host/dir:/mnt/to-dev" "$copy" true
expect_error "a destination symlinked to /dev is refused" 125 \
    "minirun: -v *: the destination /mnt/to-dev resolves to /proc, /sys, /dev*"
masked=
for f in kcore keys timer_list; do
    [ -e "/proc/$f" ] && masked=$f && break
done
if [ -n "$masked" ]; then
    ln -s "/proc/$masked" "$copy/mnt/to-masked"
    run_minirun -v "$host/file:/mnt/to-masked" "$copy" true
    expect_error "a file destination symlinked to a masked /proc file is refused" 125 \
        "minirun: -v *: the destination /mnt/to-masked resolves to /proc, /sys, /dev*"
else
    skip "a file destination symlinked to a masked /proc file is refused" "no masked file here"
fi
# Dangling symlinks on the way are followed inside the root and what they
# name is made there, as runc's securejoin does: engines bind over
# /etc/resolv.conf, which some images have as a symlink to
# ../run/systemd/resolve/stub-resolv.conf.  minirun refused them before.
ln -s ../run/sr/stub "$copy/mnt/dangling-file"
ln -s "/../../../../../../tmp/mr-escape-$$" "$copy/mnt/dangling-out"
ln -s dl-b "$copy/mnt/dl-a"
ln -s dl-a "$copy/mnt/dl-b"
run_expect "a file destination that is a dangling symlink: its target is made in the root" 0 \
    "file-volume" -- -v "$host/file:/mnt/dangling-file" "$copy" cat /run/sr/stub
run_expect "a dangling absolute symlink climbing with ..: followed inside the root" 0 hello -- \
    -v "$host/dir:/mnt/dangling-out/sub" "$copy" cat "/tmp/mr-escape-$$/sub/greeting"
is "$(ls -d "/tmp/mr-escape-$$" 2>&1)" "ls: cannot access '/tmp/mr-escape-$$': No such file or directory" \
    "a dangling symlink: nothing made on the host"
run_minirun -v "$host/dir:/mnt/dl-a/x" "$copy" true
expect_error "a symlink loop on the way: refused" 125 \
    "minirun: -v *: destination /mnt/dl-a/x: Too many levels of symbolic links"
run_minirun -v "$host/dir:/a:z" -v "$host/file:/b:Z" "$copy" cat /b
expect "z and Z: accepted with one warning line" 0 file-volume \
    "minirun: warning: -v: z and Z (SELinux relabeling) are ignored: minirun sets no SELinux labels"
run_minirun -v "$copy" true
expect_error "-v alone (an anonymous volume) is refused" 125 "minirun: -v *: an anonymous volume*"
run_minirun --verbose "$copy" true
if [ "$RC" = 0 ] && [[ $ERR == "minirun: rootfs "* ]]; then ok "--verbose still prints what was applied"; else
    not_ok "--verbose still prints what was applied" "$(_result_diag)"; fi

# --- rootless ------------------------------------------------------------------
uid=1000
if command -v setpriv > /dev/null && setpriv --reuid=$uid --regid=$uid --clear-groups unshare --user true 2> /dev/null; then
    rl_copy="$TESTS_TMP/rootfs-rl"
    cp -a "$ROOTFS" "$rl_copy"
    cp "$MINIRUN" "$TESTS_TMP/minirun"
    mkdir -p "$TESTS_TMP/rl-host"
    echo rootless > "$TESTS_TMP/rl-host/f"
    chown -R $uid:$uid "$rl_copy" "$TESTS_TMP/rl-host"
    run_cmd setpriv --reuid=$uid --regid=$uid --clear-groups --inh-caps=-all "$TESTS_TMP/minirun" \
        -v "$TESTS_TMP/rl-host:/mnt/data" -v "$TESTS_TMP/rl-host:/mnt/ro:ro" "$rl_copy" \
        sh -c 'cat /mnt/data/f; echo w > /mnt/data/w; echo x 2>&1 > /mnt/ro/x; true'
    expect "rootless: rw and ro bind volumes" 0 "rootless
sh: can't create /mnt/ro/x: Read-only file system"
    is "$(cat "$TESTS_TMP/rl-host/w" 2> /dev/null)" w "rootless: the write is on the host"
else
    skip "rootless: rw and ro bind volumes" "no user namespaces for uid $uid"
    skip "rootless: the write is on the host" "no user namespaces for uid $uid"
fi

done_testing
