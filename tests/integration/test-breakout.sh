#!/bin/bash
# Breakout battery: the classic container-escape attempts, under minirun's
# defaults (no extra flag), as root, rootless (minirun started by an
# unprivileged user) and as root with --user 1000.  Every attempt must be
# refused, and the test asserts the exact refusal: the errno name that
# "/probe syscall|open|mount" prints, or minirun's exit status and message.
#
# An attempt that is not refused is a failure: never weaken a case into a pass.
#
# Most attempts run in one container per mode (one line "label=result" each)
# to keep the whole script fast; the ones that need their own rootfs or
# minirun's own exit status run alone.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root
command -v setpriv > /dev/null || missing_tool "setpriv is missing (apt-get install util-linux)"

# --- modes ------------------------------------------------------------------------
# root: minirun as root; user: as root with --user 1000 (alice in the rootfs);
# rootless: minirun started by uid 65534 (the patterns of test-rootless.sh).
rl_uid=65534 rl_gid=65534
as_user() { setpriv --reuid="$rl_uid" --regid="$rl_gid" --clear-groups --inh-caps=-all "$@"; }
RL_MINIRUN=$MINIRUN RL_ROOTFS=$ROOTFS
modes=(root user)
if ! as_user unshare --user true 2> "$TESTS_TMP/userns.err"; then
    rootless_why="the kernel forbids user namespaces to unprivileged users ($(head -n 1 "$TESTS_TMP/userns.err"))"
else
    rootless_why=
    modes+=(rootless)
    # The user must reach the binary and the rootfs: copy them if the build
    # directory is not open to it.
    chmod 0755 "$TESTS_TMP"
    if ! as_user test -x "$MINIRUN" || ! as_user test -x "$ROOTFS/bin/busybox"; then
        cp "$MINIRUN" "$TESTS_TMP/minirun"
        cp -a "$ROOTFS" "$TESTS_TMP/rootfs"
        RL_MINIRUN=$TESTS_TMP/minirun RL_ROOTFS=$TESTS_TMP/rootfs
        diag "copied minirun and the rootfs to $TESTS_TMP for uid $rl_uid"
    fi
fi

# in_mode MODE ROOTFS COMMAND...: run minirun in MODE, with the options in
# the array EXTRA_OPTS (normally empty: the defaults), on ROOTFS (replaced by
# the rootless copy when it is $ROOTFS); sets OUT, ERR, RC like run_minirun.
EXTRA_OPTS=()
in_mode() {
    local mode=$1 rootfs=$2
    shift 2
    case $mode in
        root) run_minirun "${EXTRA_OPTS[@]}" "$rootfs" "$@" ;;
        user) run_minirun --user 1000 "${EXTRA_OPTS[@]}" "$rootfs" "$@" ;;
        rootless)
            [ "$rootfs" = "$ROOTFS" ] && rootfs=$RL_ROOTFS
            run_cmd setpriv --reuid="$rl_uid" --regid="$rl_gid" --clear-groups --inh-caps=-all \
                "$RL_MINIRUN" "${EXTRA_OPTS[@]}" "$rootfs" "$@" ;;
    esac
}

for m in root user rootless; do
    [[ " ${modes[*]} " == *" $m "* ]] || skip "every attempt in mode $m" "$rootless_why"
done

# --- the battery: one container per mode ------------------------------------------
# Each entry: LABEL^COMMAND IN THE CONTAINER^ROOT^USER^ROOTLESS (the expected
# output, usually an errno name from the probe).  A "-" skips the mode (the
# case does not apply there).
#
# CLONE_* flags: NEWTIME 0x80, NEWNS 0x20000, NEWCGROUP 0x2000000, NEWUTS
# 0x4000000, NEWIPC 0x8000000, NEWUSER 0x10000000, NEWPID 0x20000000,
# NEWNET 0x40000000.  S_IFBLK|0600 = 0x6180; makedev(7, 0) = 0x700 (loop0).
battery=(
    # Mounting anything is the first step of most escapes (remount the host's
    # disk, mount a cgroup v1 hierarchy for release_agent...): seccomp and the
    # missing CAP_SYS_ADMIN refuse it.
    'mount(2) of a tmpfs^/probe mount /mnt^EPERM^EPERM^EPERM'
    # CVE-2022-0492: mount a cgroup v1 hierarchy to write its release_agent.
    'mount(2) of a cgroup v1 hierarchy (CVE-2022-0492)^/probe syscall mount str:cgroup str:/mnt str:cgroup 0 str:rdma^EPERM^EPERM^EPERM'
    # CVE-2022-0492: no release_agent is reachable, and /sys cannot grow one.
    'no release_agent under /sys/fs/cgroup (CVE-2022-0492)^find /sys/fs/cgroup -name release_agent^^^'
    # /sys/fs/cgroup is a read-only mount of the container's own cgroups.
    'create /sys/fs/cgroup/release_agent (CVE-2022-0492)^/probe open /sys/fs/cgroup/release_agent c^EROFS^EROFS^EROFS'
    # New namespaces (above all a user namespace, where the process gets
    # every capability back: CVE-2022-0185, CVE-2022-0492, CVE-2023-0386...).
    'unshare(CLONE_NEWNS)^/probe syscall unshare 0x20000^EPERM^EPERM^EPERM'
    'unshare(CLONE_NEWCGROUP)^/probe syscall unshare 0x2000000^EPERM^EPERM^EPERM'
    'unshare(CLONE_NEWUTS)^/probe syscall unshare 0x4000000^EPERM^EPERM^EPERM'
    'unshare(CLONE_NEWIPC)^/probe syscall unshare 0x8000000^EPERM^EPERM^EPERM'
    'unshare(CLONE_NEWUSER)^/probe syscall unshare 0x10000000^EPERM^EPERM^EPERM'
    'unshare(CLONE_NEWPID)^/probe syscall unshare 0x20000000^EPERM^EPERM^EPERM'
    'unshare(CLONE_NEWNET)^/probe syscall unshare 0x40000000^EPERM^EPERM^EPERM'
    'unshare(CLONE_NEWTIME)^/probe syscall unshare 0x80^EPERM^EPERM^EPERM'
    'clone(CLONE_NEWUSER|SIGCHLD)^/probe syscall clone 0x10000011^EPERM^EPERM^EPERM'
    # clone3 passes its flags in memory, out of seccomp's reach: it must be
    # ENOSYS so that libcs fall back to the filtered clone.
    'clone3 is ENOSYS (its flags escape the filter)^/probe syscall clone3^ENOSYS^ENOSYS^ENOSYS'
    # setns: no host namespace fd is reachable (/proc/1 is the container's
    # own init), and setns itself is refused.
    '/proc/1/ns/mnt is the container'"'"'s own^test "$(readlink /proc/1/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" && echo same^same^same^same'
    'setns on /proc/1/ns/mnt^/probe syscall setns 3 0 3< /proc/1/ns/mnt^EPERM^EPERM^EPERM'
    'setns on /proc/1/ns/user^/probe syscall setns 3 0 3< /proc/1/ns/user^EPERM^EPERM^EPERM'
    # ptrace: Docker's profile allows ptrace on kernels >= 4.8 (no capability
    # needed), so attaching to a same-uid process of the container works, as in
    # Docker; no host process is visible, and a process of another uid needs
    # CAP_SYS_PTRACE, which the defaults drop.
    'ptrace(PTRACE_ATTACH) of a same-uid container process (allowed as in Docker)^sleep 30 & p=$!; /probe syscall ptrace 16 $p 0 0; kill -9 $p 2>/dev/null^OK^OK^OK'
    # Attached once su has become alice and exec'ed sleep (up to 10 s): before
    # that the process is root's own and the attach succeeds.  Where su fails
    # at once (the modes that do not check this), no waiting for it.
    'ptrace(PTRACE_ATTACH) of a uid-1000 process by root^su alice -c "exec sleep 30" & p=$!; i=0; until [ "$(cat /proc/$p/comm 2>/dev/null)" = sleep ] || [ $i = 200 ] || ! grep -qs "State:.*[RSD]" /proc/$p/status; do sleep 0.05; i=$((i+1)); done; /probe syscall ptrace 16 $p 0 0; kill -9 $p 2>/dev/null^EPERM^-^-'
    # The "shocker" escape (2014): open_by_handle_at reads any host inode.
    'open_by_handle_at (shocker)^/probe syscall open_by_handle_at^EPERM^EPERM^EPERM'
    # The kernel keyring is not namespaced.
    'keyctl^/probe syscall keyctl^EPERM^EPERM^EPERM'
    'add_key^/probe syscall add_key^EPERM^EPERM^EPERM'
    'request_key^/probe syscall request_key^EPERM^EPERM^EPERM'
    # Kernel modules and kexec: code in the host kernel.
    'init_module^/probe syscall init_module^EPERM^EPERM^EPERM'
    'finit_module^/probe syscall finit_module^EPERM^EPERM^EPERM'
    'delete_module^/probe syscall delete_module^EPERM^EPERM^EPERM'
    'kexec_load^/probe syscall kexec_load^EPERM^EPERM^EPERM'
    # eBPF and perf: kernel attack surface and host-wide observation.
    'bpf^/probe syscall bpf^EPERM^EPERM^EPERM'
    'perf_event_open^/probe syscall perf_event_open^EPERM^EPERM^EPERM'
    # core_pattern escape: a "|/path" core_pattern runs a program on the host.
    # (EROFS from the read-only /proc/sys mount; a non-root uid, or root of a
    # user namespace, meets the file's host-root owner first: EACCES)
    'write /proc/sys/kernel/core_pattern^/probe open /proc/sys/kernel/core_pattern w^EROFS^EACCES^EACCES'
    # /sys is read-only (uevent_helper, device attributes...).
    'create a file in /sys^/probe open /sys/x c^EROFS^EROFS^EROFS'
    'write /sys/class/net/lo/mtu^/probe open /sys/class/net/lo/mtu w^EROFS^EROFS^EROFS'
    # Masked paths: host kernel memory, keys, timers (information leaks).
    '/proc/keys reads empty^wc -c < /proc/keys^0^0^0'
    '/proc/timer_list reads empty^wc -c < /proc/timer_list^0^0^0'
    # CVE-2024-21626 (and CVE-2016-9962): no fd of the caller leaks in, and the
    # cwd is inside the container even when minirun starts elsewhere.
    'only fds 0 1 2 (CVE-2024-21626)^/probe fds^0 1 2^0 1 2^0 1 2'
    'the cwd is the container'"'"'s / (CVE-2024-21626)^readlink /proc/self/cwd^/^/^/'
    # A block device made with mknod (CAP_MKNOD is one of Docker's 14): the
    # device cgroup must refuse to open it.
    'mknod b 7:0 (root has CAP_MKNOD, as in Docker)^/probe syscall mknod str:/tmp/.loop0 0x6180 0x700; rm -f /tmp/.loop0^OK^EPERM^EPERM'
)
# modprobe_path: the kernel runs it as host root on an unknown binary format.
if [ -e /proc/sys/kernel/modprobe ]; then
    battery+=('write /proc/sys/kernel/modprobe^/probe open /proc/sys/kernel/modprobe w^EROFS^EACCES^EACCES')
else
    skip "write /proc/sys/kernel/modprobe" "this kernel has no /proc/sys/kernel/modprobe"
fi
if [ -e /proc/sysrq-trigger ]; then
    battery+=('write /proc/sysrq-trigger^/probe open /proc/sysrq-trigger w^EROFS^EROFS^EROFS')
else
    skip "write /proc/sysrq-trigger" "this kernel has no /proc/sysrq-trigger"
fi
if [ -e /proc/kcore ]; then
    battery+=('/proc/kcore reads empty^wc -c < /proc/kcore^0^0^0')
else
    skip "/proc/kcore reads empty" "this kernel has no /proc/kcore"
fi

# The container script: "label=output" for each entry, with the entries
# numbered (labels contain spaces and quotes).
script=
for i in "${!battery[@]}"; do
    IFS='^' read -r _ cmd _ <<< "${battery[$i]}"
    script+="printf '%s=%s\\n' $i \"\$( { $cmd ; } 2>&1 | tr '\\n' ' ' | sed 's/ \$//')\""$'\n'
done

# A fd and a cwd of the caller that must not reach the container.
exec 9< /etc/hostname
for mode in "${modes[@]}"; do
    (cd "$TESTS_TMP" && in_mode "$mode" "$ROOTFS" sh -c "$script" && declare -p OUT ERR RC) \
        > "$TESTS_TMP/battery.$mode"
done
exec 9<&-

for mode in "${modes[@]}"; do
    # shellcheck disable=SC1090 # written just above
    . "$TESTS_TMP/battery.$mode"
    declare -A got=()
    while IFS= read -r line; do
        got[${line%%=*}]=${line#*=}
    done <<< "$OUT"
    if [ "$RC" != 0 ] || [ -n "$ERR" ]; then
        diag "$mode: the battery container exited $RC, stderr: $ERR"
    fi
    for i in "${!battery[@]}"; do
        IFS='^' read -r label _ r_root r_user r_rootless <<< "${battery[$i]}"
        case $mode in
            root) want=$r_root ;;
            user) want=$r_user ;;
            rootless) want=$r_rootless ;;
        esac
        [ "$want" = - ] && continue
        is "${got[$i]-<no output>}" "$want" "$mode: $label"
    done
    unset got
done

# --- the device cgroup ------------------------------------------------------------
# As root, mknod works (CAP_MKNOD), so only the device cgroup stands between
# the container and the host's disks: opening b 7:0 (loop0) or the host's root
# disk must fail with EPERM, as Docker's device rules make it.
root_dev=$(mountpoint -d / 2>/dev/null)
run_minirun "$ROOTFS" sh -c '/probe syscall mknod str:/tmp/.loop0 0x6180 0x700 > /dev/null; /probe open /tmp/.loop0; rm -f /tmp/.loop0'
is "$OUT" EPERM "root: open a mknod'ed b 7:0 (loop0): EPERM (the device cgroup)"
# The host's root disk, when this host lets root read it at all.
if [ -n "$root_dev" ] && mknod "$TESTS_TMP/disk" b "${root_dev%:*}" "${root_dev#*:}" 2>/dev/null &&
    head -c 1 "$TESTS_TMP/disk" > /dev/null 2>&1; then
    run_minirun "$ROOTFS" sh -c "mknod /tmp/.disk b ${root_dev%:*} ${root_dev#*:} && /probe open /tmp/.disk; rm -f /tmp/.disk"
    is "$OUT" EPERM "root: open a mknod'ed host root disk (b $root_dev): EPERM (the device cgroup)"
else
    skip "root: open a mknod'ed host root disk: EPERM" "the host's root cannot read its root disk (${root_dev:-no device number}) either"
fi
rm -f "$TESTS_TMP/disk"

# --- symlinked /proc, /dev, /sys in the image ------------------------------------
# CVE-2019-16884 / CVE-2019-19921 class: an image whose proc, dev or sys is a
# symlink would redirect minirun's mounts (or the masking of /proc paths) onto
# the host.  minirun opens each mount point with openat2(RESOLVE_NO_SYMLINKS)
# and refuses the image with 125 (lib/container/mounts.c).
for d in proc dev sys; do
    for target in / /etc; do
        copy=$TESTS_TMP/img-$d-$(tr / _ <<< "$target")
        cp -al "$ROOTFS" "$copy" 2>/dev/null || cp -a "$ROOTFS" "$copy"
        rmdir "$copy/$d"
        ln -s "$target" "$copy/$d"
        case $d in
            sys) want="minirun: mount sysfs on /sys: Not a directory" ;;
            *) want="minirun: mount: /$d in the rootfs (it must be a real directory, not a symlink): Not a directory" ;;
        esac
        for mode in root rootless; do
            [[ " ${modes[*]} " == *" $mode "* ]] || continue
            in_mode "$mode" "$copy" true
            expect "$mode: image with $d -> $target is refused: 125" 125 "" "$want"
        done
        rm -rf "$copy"
    done
done

# --- CVE-2019-5736: #!/proc/self/exe ----------------------------------------------
copy=$TESTS_TMP/img-selfexe
cp -al "$ROOTFS" "$copy" 2>/dev/null || cp -a "$ROOTFS" "$copy"
printf '#!/proc/self/exe\n' > "$copy/evil"
chmod 0755 "$copy/evil"
for mode in "${modes[@]}"; do
    in_mode "$mode" "$copy" /evil --version
    expect "$mode: a #!/proc/self/exe script as COMMAND is refused: 126 (CVE-2019-5736)" 126 "" \
        "minirun: exec /evil: refusing to execute minirun's own binary inside the container as the interpreter /proc/self/exe (CVE-2019-5736)"
    in_mode "$mode" "$copy" sh -c '/evil --version'
    expect "$mode: run from the container, #!/proc/self/exe is the shell's own binary (CVE-2019-5736)" 127 "" \
        "exe: applet not found"
done

# --- a hostile /etc/passwd ---------------------------------------------------------
# An image's etc/passwd that points at the host's files must be read inside
# the root (openat2 RESOLVE_IN_ROOT) or refused, never followed to the host.
host_only=$(cut -d: -f1 /etc/passwd | grep -vxF -e root -e daemon -e alice -e bob -e nobody | head -n 1)
for target in /etc/shadow ../../../../../../../../etc/passwd /etc/passwd /srv/passwd; do
    copy=$TESTS_TMP/img-passwd
    cp -al "$ROOTFS" "$copy" 2>/dev/null || cp -a "$ROOTFS" "$copy"
    rm "$copy/etc/passwd"
    ln -s "$target" "$copy/etc/passwd"
    mkdir -p "$copy/srv"
    echo 'mallory:x:4242:4343::/:/bin/sh' > "$copy/srv/passwd"
    case $target in
        /etc/shadow)
            # resolved inside the root: there is no etc/shadow there
            run_minirun --user root "$copy" id
            expect_error "passwd -> $target: --user root: no such file in the root: 125" 125 \
                "minirun: --user root: user 'root': no user 'root' in /etc/passwd of the root filesystem (there is no such file)"
            run_minirun --user 1000 "$copy" /probe ids
            expect "passwd -> $target: --user 1000 is numeric, gid 0" 0 "uid=1000,1000,1000 gid=0,0,0 groups=0" ;;
        /srv/passwd)
            run_minirun --user mallory "$copy" /probe ids
            expect "passwd -> $target: read inside the root" 0 "uid=4242,4242,4242 gid=4343,4343,4343 groups=4343" ;;
        *)
            # resolved inside the root, these point at themselves
            run_minirun --user alice "$copy" id
            expect_error "passwd -> $target: --user alice: ELOOP: 125" 125 \
                "minirun: --user alice: user 'alice': open /etc/passwd of the root filesystem: Too many levels of symbolic links"
            run_minirun --user 1000 "$copy" id
            expect_error "passwd -> $target: --user 1000: ELOOP: 125" 125 \
                "minirun: --user 1000: user '1000': open /etc/passwd of the root filesystem: Too many levels of symbolic links" ;;
    esac
    if [ -n "$host_only" ] && [ "$target" != /srv/passwd ]; then
        run_minirun --user "$host_only" "$copy" id
        expect_error "passwd -> $target: the host-only user $host_only is unknown: 125" 125 "minirun: --user $host_only: *"
    fi
    rm -rf "$copy"
done

# --- CVE-2024-21626: a workdir through a leaked fd --------------------------------
# runc's escape: the image's workdir /proc/self/fd/N named a host directory
# fd that leaked into the container.  The caller's fd 9 is open on the host's
# /; in the container there is no fd 9, so the workdir does not exist.
exec 9< /
EXTRA_OPTS=(-w /proc/self/fd/9)
for mode in "${modes[@]}"; do
    in_mode "$mode" "$ROOTFS" readlink /proc/self/cwd
    expect "$mode: -w /proc/self/fd/9 (a host fd of the caller) is refused: 125 (CVE-2024-21626)" 125 "" \
        "minirun: workdir /proc/self/fd/9: No such file or directory"
done
EXTRA_OPTS=()
exec 9<&-

# --- SIGKILL of minirun while it starts ----------------------------------------------
# Nothing of the container may outlive a minirun killed with SIGKILL (no
# chance to clean up): its PID 1 must die with it.
sleepers() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(tr '\0' ' ' 2>/dev/null < "$p/cmdline")" = "sleep $1 " ] && echo "${p#/proc/}"
    done
}
for mode in root rootless; do
    [[ " ${modes[*]} " == *" $mode "* ]] || continue
    tokens=()
    # (in a subshell: bash reports the killed jobs on stderr)
    for delay in 0.01 0.05 0.2; do
        token=30.$$$RANDOM
        tokens+=("$token")
        (
            if [ "$mode" = root ]; then
                "$MINIRUN" "$ROOTFS" sleep "$token" < /dev/null > /dev/null 2>&1 &
            else
                # (setpriv itself, not the as_user function: $! must be minirun)
                setpriv --reuid="$rl_uid" --regid="$rl_gid" --clear-groups --inh-caps=-all \
                    "$RL_MINIRUN" "$RL_ROOTFS" sleep "$token" < /dev/null > /dev/null 2>&1 &
            fi
            sleep "$delay"
            kill -KILL $!
            wait $!
        ) 2>/dev/null &
    done
    wait
    sleep 1
    left=()
    for token in "${tokens[@]}"; do
        mapfile -t -O "${#left[@]}" left < <(sleepers "$token")
    done
    is "${left[*]}" "" "$mode: minirun killed with SIGKILL after 0.01, 0.05, 0.2 s leaves no container process"
    for p in "${left[@]}"; do
        diag "left: $(ps -o pid=,ppid=,user=,stat=,args= -p "$p")"
        kill -KILL "$p" 2>/dev/null
    done
done

done_testing
