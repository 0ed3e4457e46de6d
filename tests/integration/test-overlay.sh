#!/bin/bash
# The copy-on-write root (lib/container/overlay.c): by default ROOTFS is the
# read-only lower layer of an overlay whose upper layer is on a tmpfs of the
# container's own, so whatever the container writes is gone at exit; --rootfs
# writes into ROOTFS itself; --read-only needs no overlay.  As root and
# rootless.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

# Every write test works on a copy: a broken overlay must not damage the
# ROOTFS the other scripts share.
img=$TESTS_TMP/rootfs
cp -a "$ROOTFS" "$img"
# Everything in the image, with size, mode, owner and times: "unchanged"
# means this listing is byte for byte the same.
snapshot() { (cd "$1" && find . -printf '%p %y %s %m %u:%g %T@ %l\n' | sort); }
img_before=$(snapshot "$img")
# The type of the file system ROOTFS is on, as the host sees it.
host_type=$(findmnt -n -o FSTYPE -T "$img")

# --- the default: writes stay in the container -----------------------------------
run_expect "the root is an overlay" 0 overlay -- \
    "$img" sh -c 'awk "\$2 == \"/\" { print \$3 }" /proc/mounts'
run_expect "a new file, a new directory, a changed file, a removed file: all visible inside" 0 \
    "$(printf '%s\n' new dir changed gone)" -- \
    "$img" sh -c 'echo new > /new && cat /new && mkdir /tmp/test && [ -d /tmp/test ] && echo dir &&
        echo changed > /etc/hostname && cat /etc/hostname &&
        rm /etc/passwd && { [ -e /etc/passwd ] || echo gone; }'
is "$(snapshot "$img")" "$img_before" "ROOTFS is unchanged after the container exits"
run_expect "mkdir /tmp/test succeeds again in the next container" 0 ok -- \
    "$img" sh -c 'mkdir /tmp/test && echo ok'
run_expect "and in the one after (every run starts from the image)" 0 ok -- \
    "$img" sh -c 'mkdir /tmp/test && echo ok'
run_expect "a file the previous container removed (a whiteout there) is back" 0 root -- \
    "$img" sh -c 'head -n 1 /etc/passwd | cut -d: -f1'
# /home, not /etc: Docker's /etc files are mount points in it (etc-files.c)
run_expect "a directory removed and made again is empty (opaque)" 0 "" -- \
    "$img" sh -c 'rm -r /home && mkdir /home && ls -A /home'
run_expect "the root shows ROOTFS's mode and owner" 0 "$(stat -c '%a %u %g' "$img")" -- \
    "$img" stat -c '%a %u %g' /
run_expect "no trace of the upper layer's tmpfs in the container" 0 "" -- \
    "$img" sh -c 'ls -d /upper /work 2>/dev/null; true'
is "$(snapshot "$img")" "$img_before" "ROOTFS is still unchanged"
run_expect "--rm is accepted (there is nothing to remove)" 0 ok -- --rm "$img" sh -c 'touch /x && echo ok'

# --- --rootfs: straight into ROOTFS --------------------------------------------
run_expect "--rootfs: the root is ROOTFS's own file system ($host_type)" 0 "$host_type" -- \
    --rootfs "$img" sh -c 'awk "\$2 == \"/\" { print \$3 }" /proc/mounts'
run_expect "--rootfs: a new file and directory" 0 ok -- \
    --rootfs "$img" sh -c 'echo direct > /direct && mkdir /tmp/direct && echo ok'
is "$(cat "$img/direct" 2>&1; [ -d "$img/tmp/direct" ] && echo dir)" "direct
dir" "--rootfs: the writes are in ROOTFS"
run_minirun --rootfs "$img" sh -c 'mkdir /tmp/direct'
expect "--rootfs: a second mkdir of the same directory fails" 1 "" "mkdir: can't create directory '/tmp/direct': File exists"
rm -rf "$img/direct" "$img/tmp/direct"
img_before=$(snapshot "$img") # the directories' times changed

# --- --read-only: no overlay, nothing written -------------------------------------
run_minirun --read-only "$img" sh -c 'awk "\$2 == \"/\" { print \$3 }" /proc/mounts; mkdir /tmp/ro'
expect "--read-only: the root is ROOTFS's read-only bind, not an overlay" 1 \
    "$host_type" "mkdir: can't create directory '/tmp/ro': Read-only file system"
is "$(snapshot "$img")" "$img_before" "--read-only: ROOTFS is unchanged"

# --- CVE-2019-5736 through the overlay --------------------------------------------
# Through the overlay a file shows the overlay's st_dev: the check is made on
# ROOTFS's own tree before clone (exec-check.c).
if ln "$MINIRUN" "$img/bin/minirun-link" 2>/dev/null; then
    run_minirun "$img" /bin/minirun-link --version
    expect_error "a hard link to minirun's binary in ROOTFS is refused under the overlay: 126" 126 \
        "minirun: exec /bin/minirun-link: refusing to execute minirun's own binary*CVE-2019-5736*"
    printf '#!/bin/minirun-link\n' > "$img/bin/via-link"
    chmod 0755 "$img/bin/via-link"
    run_minirun "$img" /bin/via-link
    expect_error "... and as a script's interpreter: 126" 126 \
        "minirun: exec /bin/via-link: refusing*as the interpreter /bin/minirun-link*CVE-2019-5736*"
    rm -f "$img/bin/minirun-link" "$img/bin/via-link"
else
    skip "a hard link to minirun's binary in ROOTFS is refused under the overlay: 126" \
        "the rootfs copy is on another filesystem than $MINIRUN"
    skip "... and as a script's interpreter: 126" "the same"
fi

# --- overlayfs refused: one line naming --rootfs ----------------------------------
# Honest simulation: ROOTFS that is itself an overlay on an overlay.  The
# kernel stacks file systems at most two deep (FILESYSTEM_MAX_STACK_DEPTH),
# so a third overlay with it as lower layer is refused.  (overlayfs missing
# from the kernel altogether, ENODEV from fsopen, cannot be simulated here:
# the same message path, with "fsopen: No such device".)
stack=$TESTS_TMP/stack
mkdir -p "$stack"/{u1,w1,m1,u2,w2,m2}
at_exit "umount '$stack/m2' 2> /dev/null; umount '$stack/m1' 2> /dev/null"
if mount -t overlay -o "lowerdir=$img,upperdir=$stack/u1,workdir=$stack/w1" minirun-test "$stack/m1" 2>/dev/null; then
    if mount -t overlay -o "lowerdir=$stack/m1,upperdir=$stack/u2,workdir=$stack/w2" minirun-test "$stack/m2" 2>/dev/null; then
        run_minirun "$stack/m1" sh -c 'echo ok'
        expect "ROOTFS on one overlay: the copy-on-write root works" 0 ok
        run_minirun "$stack/m2" sh -c 'echo ok'
        expect_error "ROOTFS on two overlays: one line that names --rootfs, 125" 125 \
            "minirun: copy-on-write root: overlayfs unavailable (mount: Invalid argument*); use --rootfs to write into ROOTFS directly"
        # The container process fails while minirun sends it the network
        # namespace and the mounts it built: whatever the timing, its own
        # report is what minirun says (minirun's sends and reads used to end
        # in ECONNRESET in about one start of ten: unread messages).
        others=""
        for _ in $(seq 60); do
            e=$("$MINIRUN" "$stack/m2" true 2>&1 > /dev/null)
            [[ $e == *"overlayfs unavailable"* ]] || others+="$e; "
        done
        is "$others" "" "ROOTFS on two overlays, 60 starts: always the container process's own error"
        run_minirun --rootfs "$stack/m2" sh -c 'echo ok'
        expect "ROOTFS on two overlays: --rootfs runs" 0 ok
    else
        skip "ROOTFS on one overlay: the copy-on-write root works" "no overlay over an overlay here"
        skip "ROOTFS on two overlays: one line that names --rootfs, 125" "the same"
        skip "ROOTFS on two overlays, 60 starts: always the container process's own error" "the same"
        skip "ROOTFS on two overlays: --rootfs runs" "the same"
    fi
else
    skip "ROOTFS on one overlay: the copy-on-write root works" "mount -t overlay failed here"
    skip "ROOTFS on two overlays: one line that names --rootfs, 125" "the same"
    skip "ROOTFS on two overlays, 60 starts: always the container process's own error" "the same"
    skip "ROOTFS on two overlays: --rootfs runs" "the same"
fi

# --- rootless ----------------------------------------------------------------------
uid=65534 gid=65534
as_user() { setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all "$@"; }
rl_names=("rootless: the root is an overlay with user.* xattrs"
    "rootless: writes, mkdir, whiteout visible inside"
    "rootless: ROOTFS is unchanged"
    "rootless: mkdir /tmp/test again succeeds"
    "rootless: a directory removed and made again is empty (opaque)"
    "rootless: --rootfs writes into ROOTFS")
rl_skip() {
    local n
    for n in "${rl_names[@]}"; do skip "$n" "$1"; done
}
if ! command -v setpriv > /dev/null; then
    rl_skip "setpriv is missing"
elif ! as_user unshare --user true 2> /dev/null; then
    rl_skip "the kernel forbids user namespaces to unprivileged users"
else
    chmod 0755 "$TESTS_TMP"
    rl_bin=$TESTS_TMP/minirun
    cp "$MINIRUN" "$rl_bin"
    rl_img=$TESTS_TMP/rootfs-rl
    cp -a "$img" "$rl_img"
    chown -R "$uid:$gid" "$rl_img"
    rl_before=$(snapshot "$rl_img")
    rl_run() { run_cmd setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all "$rl_bin" "$@"; }
    rl_run "$rl_img" sh -c 'awk "\$2 == \"/\" { print \$3, (\$4 ~ /userxattr/) }" /proc/mounts'
    expect "${rl_names[0]}" 0 "overlay 1"
    rl_run "$rl_img" sh -c 'echo new > /new && cat /new && mkdir /tmp/test && echo dir &&
        rm /etc/passwd && { [ -e /etc/passwd ] || echo gone; }'
    expect "${rl_names[1]}" 0 "$(printf '%s\n' new dir gone)"
    is "$(snapshot "$rl_img")" "$rl_before" "${rl_names[2]}"
    rl_run "$rl_img" sh -c 'mkdir /tmp/test && echo ok'
    expect "${rl_names[3]}" 0 ok
    rl_run "$rl_img" sh -c 'rm -r /home && mkdir /home && ls -A /home'
    expect "${rl_names[4]}" 0 ""
    rl_run --rootfs "$rl_img" sh -c 'mkdir /tmp/direct && echo ok'
    is "$RC $OUT $([ -d "$rl_img/tmp/direct" ] && echo there)" "0 ok there" "${rl_names[5]}"
fi

done_testing
