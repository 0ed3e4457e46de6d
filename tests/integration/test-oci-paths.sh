#!/bin/bash
# OCI config: linux.maskedPaths and linux.readonlyPaths beyond minirun's own
# lists (any absolute path, resolved in the container's root, over the
# volumes too), and the propagation options of mounts[] (shared, slave,
# private, unbindable and their r forms).
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

oci_state

# The image: a copy of the rootfs (the shared one stays as built) with what
# the config names, a symlink that would leave the root if followed on the
# host, and one to the root itself.
copy=$TESTS_TMP/rootfs
cp -a "$ROOTFS" "$copy"
mkdir -p "$copy/m-dir/sub" "$copy/m-target" "$copy/ro-dir/sub"
echo secret > "$copy/m-dir/sub/f"
echo secret > "$copy/m-file"
echo secret > "$copy/m-target/f"
mkfifo "$copy/m-fifo"
ln -s ../../../../../../m-target "$copy/m-link"
ln -s / "$copy/rootlink"
echo r > "$copy/ro-dir/sub/f"
echo r > "$copy/ro-file"
vol=$TESTS_TMP/vol
mkdir -p "$vol"
echo v > "$vol/f"

(cd "$BUNDLE" && "$MINIRUN" spec) || missing_tool "minirun spec failed"
jq --arg root "$copy" --arg vol "$vol" '.root.path = $root | .root.readonly = false
    | .process.terminal = false
    | .mounts += [{"destination": "/vol", "type": "bind", "source": $vol, "options": ["rbind"]}]' \
    "$BUNDLE/config.json" > "$TESTS_TMP/base.json"

# config JQ-FILTER ARG...: the bundle's config.json from base.json, running ARG...
config() {
    local filter=$1 args
    shift
    args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
    jq --argjson args "$args" --arg shared "$TESTS_TMP/shared" --arg hv "${hv-}" --arg opt "${opt-}" \
        "$filter | .process.args = \$args" "$TESTS_TMP/base.json" > "$BUNDLE/config.json"
}

# --- mounts in the listed order (config.md: "MUST mount entries in the listed order") ------
# mountinfo lists mounts by id (Linux 6.8): a bind cloned before the container's
# own mounts came first.
config . sh -c "awk '{ print \$5 }' /proc/self/mountinfo | grep -E '^/(proc|vol)\$'"
run_minirun "${R[@]}" run --bundle "$BUNDLE" o1
expect "mountinfo: the config's bind after minirun's /proc, as mounted" 0 "/proc
/vol"

# --- maskedPaths ---------------------------------------------------------------------------
script='echo "dir:[$(ls -A /m-dir)] file:[$(cat /m-file)] link:[$(ls -A /m-target)]'
script+=' vol:[$(ls -A /vol)]"; stat -c "%n %F %t:%T" /m-file /m-fifo; touch /m-dir/x 2>&1;'
script+=' echo x 2>&1 > /m-target/x; echo end'
config '.linux.maskedPaths += ["/m-dir", "/m-file", "/m-fifo", "/m-link", "/m-dir/sub",
        "/nope/x", "/m-file/x", "/vol"]' sh -c "$script"
run_minirun "${R[@]}" run --bundle "$BUNDLE" m1
expect "masked: a directory is an empty read-only tmpfs, a file or FIFO /dev/null, a symlink is followed inside the root, a volume is hidden, missing paths are skipped" 0 \
    "dir:[] file:[] link:[] vol:[]
/m-file character special file 1:3
/m-fifo character special file 1:3
touch: /m-dir/x: Read-only file system
sh: can't create /m-target/x: Read-only file system
end"
is "$(cat "$copy/m-file" "$copy/m-target/f" "$vol/f"; ls -A "$copy/m-dir")" "secret
secret
v
sub" "masked: the image and the volume's source are untouched"

# --- readonlyPaths -------------------------------------------------------------------------
config '.linux.readonlyPaths += ["/ro-dir", "/ro-file", "/vol", "/nope"]' sh -c \
    'cat /ro-dir/sub/f /ro-file /vol/f; touch /ro-dir/sub/n 2>&1; echo x 2>&1 > /ro-file;'\
' touch /vol/n 2>&1; touch /m-dir/w && rm /m-dir/w && echo elsewhere writable'
run_minirun "${R[@]}" run --bundle "$BUNDLE" r1
expect "read-only: recursive read-only binds of a directory, a file and a volume, still readable" 0 \
    "r
r
v
touch: /ro-dir/sub/n: Read-only file system
sh: can't create /ro-file: Read-only file system
touch: /vol/n: Read-only file system
elsewhere writable"

# --- refusals ------------------------------------------------------------------------------
config '.linux.maskedPaths += ["/rootlink"]' true
run_minirun "${R[@]}" run --bundle "$BUNDLE" x1
expect_error "masked: a path resolving to the root is refused" 125 \
    "minirun: linux.maskedPaths: /rootlink resolves to the container's root (a symlink in the image?); refusing to mount over it"
config '.linux.readonlyPaths += ["ro-dir"]' true
run_minirun "${R[@]}" run --bundle "$BUNDLE" x2
expect_error "read-only: a relative path is refused (the spec's MUST)" 1 \
    "minirun: $BUNDLE/config.json: linux.readonlyPaths?5?: \"ro-dir\": must be an absolute path"
is "$(ls -A "$STATE")" "" "refused configs leave no state"

# --- mounts[].options: propagation --------------------------------------------------------
shared=$TESTS_TMP/shared
mkdir -p "$shared"
if mount -t tmpfs -o size=1m tmpfs "$shared" && mount --make-shared "$shared"; then
    at_exit "umount -l '$shared'"
    host_group=$(awk -v m="$shared" '$5 == m { for (i = 7; $i != "-"; i++) if ($i ~ /^shared:/) print substr($i, 8) }' /proc/self/mountinfo)
    config '.mounts += [
        {"destination": "/p1", "type": "bind", "source": $shared, "options": ["rbind", "rshared"]},
        {"destination": "/p2", "type": "tmpfs", "source": "tmpfs", "options": ["size=1k", "shared"]},
        {"destination": "/p3", "type": "tmpfs", "source": "tmpfs", "options": ["unbindable"]},
        {"destination": "/p4", "source": $shared, "options": ["nosuid", "mode=755", "rbind", "runbindable"]},
        {"destination": "/p5", "source": $shared, "options": ["rbind", "rslave"]},
        {"destination": "/p6", "source": $shared, "options": ["bind", "private"]}]' \
        sh -c 'awk '\''{ o = ""; for (i = 7; $i != "-"; i++) o = o " " $i; print $5 ":" o }'\'' /proc/self/mountinfo'
    run_minirun "${R[@]}" run --bundle "$BUNDLE" p1
    # The peer-group numbers are the kernel's: replace them by names.
    got=$(printf '%s\n' "$OUT" | grep -E '^/(proc|p[0-9]):' |
        sed -E "s/master:$host_group\$/master:HOST/; s/shared:$host_group /shared:HOST /; s/shared:[0-9]+/shared:N/")
    if [ "$RC" = 0 ] && [ "$got" = "/proc:
/p1: shared:N master:HOST
/p2: shared:N
/p3: unbindable
/p4: unbindable
/p5: master:HOST
/p6:" ] && [ "$ERR" = "minirun: warning: $BUNDLE/config.json: mounts[11]: \"mode=755\" ignored: filesystem options do not apply to a bind" ]; then
        ok "propagation: rshared is a peer group of the container's own, a slave of the host's; shared tmpfs, unbindable, rslave, private; mounted after /proc, in order"
    else
        not_ok "propagation options applied" "$(_result_diag)
got: $got (host group $host_group)"
    fi
else
    skip "propagation options applied" "cannot make a shared tmpfs here"
fi

# --- a bind volume's submounts are cut from the host's peer group -------------------------
# As root the volume is cloned in minirun's own mount namespace: a clone of a
# shared host mount is a peer of it, submounts included.  A non-recursive mode
# must still cut every submount from the host's group, or the masked path's
# tmpfs below /data/sub appears on the host and outlives the container.
# below DIR: the host's mounts strictly below DIR, one a line.
below() { awk -v p="$1/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo; }
for opt in private slave unbindable; do
    hv=$TESTS_TMP/hv-$opt
    mkdir -p "$hv"
    if ! { mount --bind "$hv" "$hv" && mount --make-shared "$hv"; }; then
        skip "propagation $opt: submounts" "cannot make a shared bind mount here"
        continue
    fi
    at_exit "umount -l '$hv'"
    mkdir -p "$hv/sub" "$hv/top" && mount -t tmpfs -o size=1m tmpfs "$hv/sub" && mkdir "$hv/sub/x" "$hv/sub/y"
    config '.mounts += [{"destination": "/data", "type": "bind", "source": $hv, "options": ["rbind", $opt]}]
        | .linux.maskedPaths += ["/data/sub/x"]' sleep 30
    run_minirun "${R[@]}" run --detach --bundle "$BUNDLE" "v-$opt"
    host_below=$(below "$hv")
    if [ "$opt" = slave ]; then
        mount -t tmpfs -o size=1k tmpfs "$hv/top" && mount -t tmpfs -o size=1k tmpfs "$hv/sub/y"
    fi
    in_ctr=$("$MINIRUN" "${R[@]}" exec "v-$opt" awk '$5 ~ /^\/data\// { print $5 }' /proc/self/mountinfo 2>&1)
    "$MINIRUN" "${R[@]}" delete --force "v-$opt"
    host_after=$(below "$hv")
    want_ctr=$(printf '/data/sub\n/data/sub/x')
    want_after=$hv/sub
    arrive=
    if [ "$opt" = slave ]; then
        arrive=", and the host's mounts arrive"
        want_ctr=$(printf '/data/sub\n/data/sub/x\n/data/top\n/data/sub/y')
        want_after=$(printf '%s\n' "$hv/sub" "$hv/top" "$hv/sub/y")
    fi
    if [ "$RC" = 0 ] && [ "$host_below" = "$hv/sub" ] && [ "$in_ctr" = "$want_ctr" ] &&
        [ "$host_after" = "$want_after" ]; then
        ok "propagation $opt: the container's mount below a shared source's submount stays in the container$arrive"
    else
        not_ok "propagation $opt: submounts" "$(_result_diag)
host while running: $(_show "$host_below")
in the container: $(_show "$in_ctr")
host after delete: $(_show "$host_after")"
    fi
done

# --- "bind" is not "rbind": the host's mounts below the source stay out ------------------
# The spec's (and runc's, crun's) "bind" is MS_BIND without MS_REC.  minirun
# cloned every bind recursively, so a host mount below the source that the
# config meant to leave out (here a tmpfs holding a secret) reached the container.
nr=$TESTS_TMP/nr
mkdir -p "$nr/sub"
if mount -t tmpfs -o size=1m tmpfs "$nr/sub"; then
    at_exit "umount -l '$nr/sub'"
    echo secret > "$nr/sub/f"
    opt=$nr config '.mounts += [
        {"destination": "/b", "type": "bind", "source": $opt, "options": ["bind", "ro"]},
        {"destination": "/r", "type": "bind", "source": $opt, "options": ["rbind", "ro"]},
        {"destination": "/n", "type": "bind", "source": $opt}]' \
        sh -c 'echo "b:[$(ls /b/sub)] r:[$(cat /r/sub/f)] n:[$(cat /n/sub/f)]"'
    run_minirun "${R[@]}" run --bundle "$BUNDLE" nr1
    expect "bind: the source's mount alone; rbind and a bare type bind: with the host's mounts below it" 0 \
        "b:[] r:[secret] n:[secret]"
else
    skip "bind: the source's mount alone" "cannot mount a tmpfs here"
fi

# --- an image's /etc/resolv.conf as a dangling symlink, bound over as engines do ---------
# podman and containerd put /etc/resolv.conf, hosts and hostname in mounts[];
# runc follows the symlink inside the root and makes its target.
rm -f "$copy/etc/resolv.conf"
ln -s ../run/systemd/resolve/stub-resolv.conf "$copy/etc/resolv.conf"
echo "nameserver 192.0.2.53" > "$TESTS_TMP/resolv.conf"
opt=$TESTS_TMP/resolv.conf config '.mounts += [{"destination": "/etc/resolv.conf", "type": "bind",
        "source": $opt, "options": ["rbind", "ro"]}]' cat /etc/resolv.conf
run_minirun "${R[@]}" run --bundle "$BUNDLE" rc1
expect "mounts[]: /etc/resolv.conf a dangling symlink in the image: bound on its target" 0 \
    "nameserver 192.0.2.53"
is "$(stat -c '%F %a' "$copy/run/systemd/resolve/stub-resolv.conf")" "regular empty file 644" \
    "the symlink's target: made in the root, empty"

# --- a process.cwd the image lacks, with root.readonly ------------------------------------
# runc and crun create it before the root goes read-only (Kubernetes:
# readOnlyRootFilesystem with a workingDir the image does not have).
config '.root.readonly = true | .process.cwd = "/new/cwd"' sh -c 'touch x 2> /dev/null || pwd'
run_minirun "${R[@]}" run --bundle "$BUNDLE" cwd1
expect "root.readonly: a missing process.cwd is created first, as runc does" 0 /new/cwd
is "$(stat -c '%U %a' "$copy/new/cwd")" "root 755" "the cwd: root's, 0755"
# Through a dangling symlink: followed inside the root (as runc's securejoin),
# never to the host.
ln -s /../../../../../tmp/outside-cwd "$copy/cwd-link"
config '.root.readonly = true | .process.cwd = "/cwd-link/d"' pwd
run_minirun "${R[@]}" run --bundle "$BUNDLE" cwd2
expect "process.cwd through a dangling symlink: followed inside the root" 0 /tmp/outside-cwd/d
is "$(ls -d "$copy/tmp/outside-cwd/d" /tmp/outside-cwd 2>&1)" "ls: cannot access '/tmp/outside-cwd': No such file or directory
$copy/tmp/outside-cwd/d" "process.cwd: nothing made outside the root"
# --- tmpcopyup: the tmpfs starts with the image's directory (podman's --read-only, --tmpfs) -
# Modes, owners, times, symlinks (never followed), FIFOs; a read-only one
# goes read-only once filled; the image's tree is left as it was.
mkdir -p "$copy/cu/sub"
echo data > "$copy/cu/sub/f"
chown 1000:1001 "$copy/cu/sub/f"
chmod 4755 "$copy/cu/sub/f"
touch -d @1000000000 "$copy/cu/sub/f"
ln -s /etc/shadow-on-host "$copy/cu/link"
mkfifo "$copy/cu/fifo"
script='stat -c "%n %F %a %u:%g %Y" /cu/sub/f; readlink /cu/link; stat -c "%F" /cu/fifo'
script+='; cat /cu/sub/f; awk "\$2 == \"/cu\" { print \$3, \$4 }" /proc/mounts; touch /cu/x; echo rc=$?'
config '.root.readonly = true | .mounts += [{"destination": "/cu", "type": "tmpfs", "source": "tmpfs",
        "options": ["ro", "nosuid", "nodev", "tmpcopyup"]}]' sh -c "$script"
run_minirun "${R[@]}" run --bundle "$BUNDLE" cu1
expect "mounts[]: tmpcopyup: the image's tree copied into the tmpfs, then read-only" 0 \
    "/cu/sub/f regular file 4755 1000:1001 1000000000
/etc/shadow-on-host
fifo
data
tmpfs ro,nosuid,nodev,relatime
rc=1" "touch: /cu/x: Read-only file system"
is "$(find "$copy/cu" | sort | tr '\n' ' ')" "$copy/cu $copy/cu/fifo $copy/cu/link $copy/cu/sub $copy/cu/sub/f " \
    "tmpcopyup: the image's directory is unchanged"

# Bounded by what the image holds, not by its apparent size or depth: a
# sparse file keeps its holes (read through, 1 GiB of zeros overflowed the
# 1 MiB tmpfs: ENOSPC, 125), and a 40-deep tree copies within a 256 KiB
# RLIMIT_STACK (with 72 KiB of buffers a level on the stack the container
# process died of SIGSEGV: 139, no message).
mkdir -p "$copy/cu2"
printf head > "$copy/cu2/holes"
truncate -s 1G "$copy/cu2/holes"
printf tail >> "$copy/cu2/holes"
config '.mounts += [{"destination": "/cu2", "type": "tmpfs", "source": "tmpfs",
        "options": ["size=1m", "tmpcopyup"]}]' \
    sh -c 'stat -c "%s %b" /cu2/holes; head -c 4 /cu2/holes; tail -c 4 /cu2/holes; echo'
run_minirun "${R[@]}" run --bundle "$BUNDLE" cu2
expect "tmpcopyup: a sparse file's holes stay holes in the tmpfs" 0 "1073741828 16
headtail"
deep=$copy/cu3$(printf '/d%.0s' $(seq 40))
mkdir -p "$deep"
echo deep > "$deep/f"
config '.mounts += [{"destination": "/cu3", "type": "tmpfs", "source": "tmpfs",
        "options": ["tmpcopyup"]}]
        | .process.rlimits = [{"type": "RLIMIT_STACK", "soft": 262144, "hard": 262144}]' \
    sh -c "find /cu3 -type d | wc -l; cat /cu3${deep#"$copy/cu3"}/f"
run_minirun "${R[@]}" run --bundle "$BUNDLE" cu3
expect "tmpcopyup: 40 levels of directories within a 256 KiB RLIMIT_STACK" 0 "41
deep"

# --- a command only a mount provides (podman --init binds catatonit at /run/podman-init) ---
# The image does not have it: looked for once the container's mounts are made.
printf '#!/bin/sh\necho "in $PATH"\n' > "$TESTS_TMP/cmd.sh"
chmod 755 "$TESTS_TMP/cmd.sh"
opt=$TESTS_TMP/cmd.sh config '.mounts += [
        {"destination": "/run/podman-init", "type": "bind", "source": $opt, "options": ["bind", "ro"]},
        {"destination": "/opt/bin/by-path", "type": "bind", "source": $opt, "options": ["bind", "ro"]}]
        | .process.env = ["PATH=/opt/bin:/bin"]' /run/podman-init
run_minirun "${R[@]}" run --bundle "$BUNDLE" cmd0
expect "process.args[0] on a bind the image lacks: absolute" 0 "in /opt/bin:/bin"
jq '.process.args = ["by-path"]' "$BUNDLE/config.json" > "$TESTS_TMP/c.json"
mv "$TESTS_TMP/c.json" "$BUNDLE/config.json"
run_minirun "${R[@]}" run --bundle "$BUNDLE" cmd1
expect "process.args[0] on a bind the image lacks: by \$PATH" 0 "in /opt/bin:/bin"
is "$(stat -c '%n %F' "$copy/run/podman-init" "$copy/opt/bin/by-path")" \
    "$copy/run/podman-init regular empty file
$copy/opt/bin/by-path regular empty file" "only their mount points are made in the image"
config '.mounts += [{"destination": "/opt", "type": "tmpfs", "source": "tmpfs"}]
        | .process.env = ["PATH=/opt:/bin"]' nothere
run_minirun "${R[@]}" run --bundle "$BUNDLE" cmd2
expect_error "a command on a mount that is not there either: 127, one line" 127 \
    "minirun: exec nothere: executable file not found in the container's \$PATH (/opt:/bin)"

# --- process.cwd the image lacks: made as runc and crun make it --------------------------
# Measured with runc 1.1.5 and crun 1.8.1 (process.user 1000, root.readonly false
# and true): every missing directory of the path as given ("x" of "x/../y" too),
# owned by root, 0755 less the umask the runtime was started with (not
# process.user.umask, which is the command's); the command starts there.
# run_umask UMASK ARG...: run_minirun ARG... started with that umask.
run_umask() {
    local um=$1
    shift
    run_cmd sh -c 'umask "$1"; shift; exec "$@"' sh "$um" "$MINIRUN" "$@"
}
# made N: owner and mode of /cN and what is below it, seen from the host.
made() { (cd "$copy" && find "c$1" | sort | xargs stat -c '/%n %u:%g %a'); }
n=1
for ro in false true; do
    for um in 077 022; do
        config ".root.readonly = $ro | .process.user = {uid: 1000, gid: 1000} | .process.cwd = \"/c$n/a/b\"" \
            sh -c 'pwd; umask'
        mode=$(printf '%o' $((0755 & ~0$um)))
        run_umask $um "${R[@]}" run --bundle "$BUNDLE" wd$n
        expect "cwd /c$n/a/b (user 1000), readonly $ro, umask $um: entered" 0 "/c$n/a/b
0022"
        is "$(made $n)" "/c$n 0:0 $mode
/c$n/a 0:0 $mode
/c$n/a/b 0:0 $mode" "cwd, readonly $ro, umask $um: every level made, root's, $mode"
        n=$((n + 1))
    done
    config ".root.readonly = $ro | .process.user = {uid: 1000, gid: 1000, umask: 63}
        | .process.cwd = \"/c$n/a\"" sh -c 'pwd; umask'
    run_umask 022 "${R[@]}" run --bundle "$BUNDLE" wd$n
    expect "cwd, readonly $ro, process.user.umask 077: entered, the command's umask" 0 "/c$n/a
0077"
    is "$(made $n)" "/c$n 0:0 755
/c$n/a 0:0 755" "cwd, readonly $ro, process.user.umask 077: not the directories' umask"
    n=$((n + 1))
    config ".root.readonly = $ro | .process.cwd = \"/c$n/x/../y\"" pwd
    run_umask 022 "${R[@]}" run --bundle "$BUNDLE" wd$n
    expect "cwd /c$n/x/../y, readonly $ro: entered" 0 "/c$n/y"
    is "$(made $n)" "/c$n 0:0 755
/c$n/x 0:0 755
/c$n/y 0:0 755" "cwd with .., readonly $ro: made as given, x too (runc, crun)"
    n=$((n + 1))
done
done_testing
