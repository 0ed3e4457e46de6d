#!/bin/bash
# The container's filesystem: pivot_root, /proc, /dev, /sys, masked and
# read-only paths, --read-only.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

# --- the root ----------------------------------------------------------------
run_expect "/ is the rootfs" 0 "$(ls -A "$ROOTFS")" -- "$ROOTFS" ls -A /
run_expect "no mount point outside /, /proc, /dev, /sys, Docker's /etc files (old root detached)" 0 "" -- \
    "$ROOTFS" sh -c 'cut -d" " -f5 /proc/self/mountinfo | grep -v -e "^/$" -e "^/proc" -e "^/dev" -e "^/sys" \
        -e "^/etc/hostname$" -e "^/etc/hosts$" -e "^/etc/resolv.conf$"; true'
run_expect "the root is mounted read-write by default" 0 rw -- \
    "$ROOTFS" sh -c 'awk "\$5 == \"/\" { split(\$6, o, \",\"); print o[1] }" /proc/self/mountinfo'
run_expect "the rootfs is writable by default" 0 ok -- \
    "$ROOTFS" sh -c 'touch /tmp/.minirun-rw && rm /tmp/.minirun-rw && echo ok'

# --- the kernel filesystems ------------------------------------------------------
run_expect "/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys have the right types" 0 \
    "$(printf '%s\n' '/dev tmpfs' '/dev/mqueue mqueue' '/dev/pts devpts' '/dev/shm tmpfs' '/proc proc' '/sys sysfs')" -- \
    "$ROOTFS" sh -c 'awk "\$2 ~ /^\\/(proc|dev|dev\\/pts|dev\\/shm|dev\\/mqueue|sys)\$/ { print \$2, \$3 }" /proc/mounts | sort'
run_expect "/proc is a fresh procfs of the container's PID namespace" 0 1 -- "$ROOTFS" readlink /proc/self
run_expect "/sys is mounted read-only" 0 ro -- \
    "$ROOTFS" sh -c 'awk "\$2 == \"/sys\" { split(\$4, o, \",\"); print o[1] }" /proc/mounts'
run_minirun "$ROOTFS" touch /sys/x
expect "/sys: creating a file fails with Read-only file system" 1 "" "touch: /sys/x: Read-only file system"
run_minirun "$ROOTFS" sh -c 'echo 65536 > /sys/class/net/lo/mtu'
expect "/sys: writing an attribute fails with Read-only file system" 1 "" \
    "sh: can't create /sys/class/net/lo/mtu: Read-only file system"

# --- /dev ----------------------------------------------------------------------
# /dev/core only where the kernel has /proc/kcore, as runc makes it (no dangling link).
core_entry=
[ -e /proc/kcore ] && core_entry=core
run_expect "/dev holds exactly the expected entries" 0 \
    "$(printf '%s\n' $core_entry fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero)" -- \
    "$ROOTFS" ls -A /dev
run_expect "device nodes: type, major:minor (hex), mode" 0 \
    "$(printf '%s\n' '/dev/null c 1:3 666' '/dev/zero c 1:5 666' '/dev/full c 1:7 666' \
        '/dev/random c 1:8 666' '/dev/urandom c 1:9 666' '/dev/tty c 5:0 666')" -- \
    "$ROOTFS" sh -c 'for d in null zero full random urandom tty; do
        f=/dev/$d; [ -c $f ] && t=c || t=?; echo "$f $t $(stat -c "%t:%T %a" $f)"; done'
# minirun builds /dev with its caller's umask in force (launch.c: hand_over_mounts).
umask_was=$(umask)
umask 077
run_expect "device nodes: mode 666 under a caller's umask 077, /dev 755" 0 "666 666 666 666 666 666 755" -- \
    "$ROOTFS" sh -c 'stat -c %a /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev | xargs'
umask "$umask_was"
core_link=
[ -e /proc/kcore ] && core_link=$'\n/dev/core -> /proc/kcore'
run_expect "/dev symlinks (/dev/core only with a /proc/kcore)" 0 \
    "$(printf '%s\n' '/dev/fd -> /proc/self/fd' '/dev/stdin -> /proc/self/fd/0' \
        '/dev/stdout -> /proc/self/fd/1' '/dev/stderr -> /proc/self/fd/2' \
        '/dev/ptmx -> pts/ptmx')$core_link" -- \
    "$ROOTFS" sh -c 'for l in fd stdin stdout stderr ptmx core; do
        [ -L /dev/$l ] && echo "/dev/$l -> $(readlink /dev/$l)"; done; true'
run_expect "/dev/pts is a new instance: no pty but ptmx" 0 ptmx -- "$ROOTFS" ls -A /dev/pts
run_expect "/dev/null, /dev/zero, /dev/full work" 0 \
    "$(printf '%s\n' ' 00 00 00 00' "sh: write error: No space left on device" rc=1)" -- \
    "$ROOTFS" sh -c 'echo x > /dev/null; head -c 4 /dev/zero | od -An -tx1; echo x 2>&1 > /dev/full; echo rc=$?'
run_expect "/dev/urandom gives bytes" 0 16 -- "$ROOTFS" sh -c 'head -c 16 /dev/urandom | wc -c'
run_expect "/dev/shm is writable" 0 ok -- "$ROOTFS" sh -c 'echo x > /dev/shm/x && cat /dev/shm/x >/dev/null && echo ok'
run_expect "/dev/shm is a fresh tmpfs" 0 "" -- "$ROOTFS" ls -A /dev/shm

# --- masked paths ----------------------------------------------------------------
oci_masked=(/proc/acpi /proc/asound /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list
    /proc/timer_stats /proc/sched_debug /proc/scsi /sys/firmware)
masked_mounts="cut -d' ' -f5 /proc/self/mountinfo | grep -x$(printf ' -e %s' "${oci_masked[@]}") | sort"
expected=$(for p in "${oci_masked[@]}"; do [ -e "$p" ] && echo "$p"; done | sort)
run_expect "every OCI masked path that exists here is covered by a mount" 0 "$expected" -- \
    "$ROOTFS" sh -c "$masked_mounts"
run_expect "--privileged: no masked path" 0 "" -- --privileged "$ROOTFS" sh -c "$masked_mounts; true"
run_expect "/proc/timer_list reads empty" 0 "" -- "$ROOTFS" cat /proc/timer_list
run_expect "/proc/keys reads empty" 0 "" -- "$ROOTFS" cat /proc/keys
if [ -e /proc/kcore ]; then
    run_expect "/proc/kcore reads empty" 0 "" -- "$ROOTFS" cat /proc/kcore
    run_expect "/proc/kcore is 0 bytes" 0 0 -- "$ROOTFS" sh -c 'wc -c < /proc/kcore'
else
    skip "/proc/kcore reads empty" "this kernel has no /proc/kcore"
    skip "/proc/kcore is 0 bytes" "this kernel has no /proc/kcore"
fi
for d in /proc/acpi /proc/scsi /proc/asound /sys/firmware; do
    if [ -d "$d" ] && [ -n "$(ls -A "$d")" ]; then
        run_expect "$d is an empty directory" 0 "" -- "$ROOTFS" ls -A "$d"
    else
        skip "$d is an empty directory" "the host's $d is missing or empty"
    fi
done

# --- read-only paths -------------------------------------------------------------
if [ -e /proc/sysrq-trigger ]; then
    run_minirun "$ROOTFS" sh -c 'echo 1 > /proc/sysrq-trigger'
    expect "/proc/sysrq-trigger is read-only" 1 "" "sh: can't create /proc/sysrq-trigger: Read-only file system"
else
    skip "/proc/sysrq-trigger is read-only" "this kernel has no /proc/sysrq-trigger"
fi
run_minirun -h lab "$ROOTFS" sh -c 'echo lab2 > /proc/sys/kernel/hostname; hostname'
expect "/proc/sys is read-only" 0 lab "sh: can't create /proc/sys/kernel/hostname: Read-only file system"
expected=
for d in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
    [ -e "$d" ] && expected+="$d ro"$'\n'
done
run_expect "the read-only paths that exist here are read-only mounts" 0 "${expected%$'\n'}" -- \
    "$ROOTFS" sh -c 'awk "\$5 ~ /^\/proc\/(bus|fs|irq|sys|sysrq-trigger)\$/ { split(\$6, o, \",\"); print \$5, o[1] }" /proc/self/mountinfo | sort'

# --- --read-only -------------------------------------------------------------------
run_minirun --read-only "$ROOTFS" touch /x
expect "--read-only: / is not writable" 1 "" "touch: /x: Read-only file system"
run_minirun --read-only "$ROOTFS" touch /tmp/x
expect "--read-only: /tmp is not writable either (no tmpfs)" 1 "" "touch: /tmp/x: Read-only file system"
run_expect "--read-only: /dev/shm stays writable" 0 ok -- \
    --read-only "$ROOTFS" sh -c 'echo x > /dev/shm/x && echo ok'
run_expect "--read-only: /dev/null stays writable" 0 ok -- \
    --read-only "$ROOTFS" sh -c 'echo x > /dev/null && echo ok'
run_expect "--read-only: the root mount is ro" 0 ro -- \
    --read-only "$ROOTFS" sh -c 'awk "\$5 == \"/\" { split(\$6, o, \",\"); print o[1] }" /proc/self/mountinfo'

# --- --privileged ------------------------------------------------------------------
if [ -d /sys/firmware ] && [ -n "$(ls -A /sys/firmware)" ]; then
    run_expect "--privileged: /sys/firmware is not masked" 0 "$(ls -A /sys/firmware)" -- \
        --privileged "$ROOTFS" ls -A /sys/firmware
else
    skip "--privileged: /sys/firmware is not masked" "the host's /sys/firmware is missing or empty"
fi
run_expect "--privileged: /proc/timer_list is not masked" 0 "$(head -n 1 /proc/timer_list)" -- \
    --privileged "$ROOTFS" head -n 1 /proc/timer_list
if [ -e /proc/kcore ]; then
    run_expect "--privileged: /proc/kcore is not masked (it is no /dev/null)" 0 no -- \
        --privileged "$ROOTFS" sh -c 'grep -q " /proc/kcore " /proc/mounts && echo yes || echo no'
else
    skip "--privileged: /proc/kcore is not masked" "the host has no /proc/kcore"
fi

# /sys read-write, as Docker mounts it for a privileged container (the
# default stays read-only).  Nothing is written: only the mount's options.
sys_opt='awk "\$2 == \"/sys\" { split(\$4, o, \",\"); print o[1] }" /proc/mounts'
run_expect "--privileged: /sys is mounted rw" 0 rw -- --privileged "$ROOTFS" sh -c "$sys_opt"
run_expect "default: /sys is mounted ro" 0 ro -- "$ROOTFS" sh -c "$sys_opt"

# A node for every host device (runc's HostDevices, as Docker makes them),
# with the host's type, numbers, mode and owner; not pts, shm, mqueue, fd,
# console, ptmx.  Other tests may add loop devices meanwhile: what existed
# before and after the run must all be there, and nothing else.  The nodes
# minirun makes anyway (null, zero, ...) are compared without mode and owner.
host_devs() {
    find /dev \( -path /dev/pts -o -path /dev/shm -o -path /dev/mqueue -o -path /dev/fd \) -prune -o \
        \( -type c -o -type b \) ! -path /dev/console ! -path /dev/ptmx \
        -exec stat -c '%n %F %t:%T %a %u:%g' {} + | norm_devs
}
norm_devs() {
    awk '$1 ~ "^/dev/(null|zero|full|random|urandom|tty)$" { NF -= 2 } { print }' | sed 's/ *$//' | sort
}
before=$(host_devs)
run_minirun --privileged "$ROOTFS" sh -c \
    "find /dev \( -path /dev/pts -o -path /dev/shm -o -path /dev/mqueue \) -prune -o \( -type c -o -type b \) -exec stat -c '%n %F %t:%T %a %u:%g' {} +"
inside=$(norm_devs <<< "$OUT")
after=$(host_devs)
missing=$(comm -12 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | comm -23 - <(printf '%s\n' "$inside"))
extra=$(sort -u <(printf '%s\n' "$before") <(printf '%s\n' "$after") | comm -13 - <(printf '%s\n' "$inside"))
if [ "$RC" = 0 ] && [ -z "$missing" ] && [ -z "$extra" ] && [ "$(wc -l <<< "$inside")" -gt 6 ]; then
    ok "--privileged: /dev has a node for every host device ($(wc -l <<< "$inside") nodes)"
else
    not_ok "--privileged: /dev has a node for every host device" "missing: $missing
extra: $extra
$(_result_diag)"
fi
run_expect "default: /dev has only the standard nodes" 0 \
    "$(printf '%s\n' /dev/full /dev/null /dev/random /dev/tty /dev/urandom /dev/zero)" -- \
    "$ROOTFS" sh -c "find /dev \( -path /dev/pts -o -path /dev/shm -o -path /dev/mqueue \) -prune -o \( -type c -o -type b \) -print | sort"

done_testing
