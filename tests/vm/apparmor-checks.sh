#!/bin/sh
# shellcheck shell=sh
# The AppArmor checks, run as /checks inside the test VM (busybox sh, as
# root, by tests/vm/init after it loaded the compiled example profiles).
# Prints TAP; the host script (tests/vm/apparmor-vm.sh) relays it.
#
# In the VM: minirun (with its libraries) in /usr/local/bin, the busybox
# container rootfs in /rootfs, Debian's stock kernel with AppArmor enabled.

MINIRUN=/usr/local/bin/minirun
ROOTFS=/rootfs
DENY=minirun-deny-tmp-write
COMPLAIN=minirun-tmp-complain
DEFAULT=minirun-default
NOT_LOADED=minirun-not-loaded
# Docker's 14 default capabilities.
CAPS=00000000a80425fb

n=0
failed=0
out=/tmp/checks.out
err=/tmp/checks.err

ok() { n=$((n + 1)); echo "ok $n - $1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    shift
    [ $# -gt 0 ] && diag "$@"
    return 0
}
# check NAME CONDITION-STATUS: ok/not ok with the last run's output as diagnostics.
check() {
    if [ "$2" = 0 ]; then
        ok "$1"
    else
        not_ok "$1" "exit status: $rc" "stdout:" "$(cat "$out")" "stderr:" "$(cat "$err")"
    fi
}
# run ARGS...: minirun ARGS, stdout in $out, stderr in $err, status in $rc.
# --rootfs everywhere: Debian's kernel has overlayfs as a module, which the
# initramfs does not carry, so the default copy-on-write root fails here
# ("overlayfs unavailable (fsopen: No such device)"); these checks are about
# AppArmor, not the root.
run() {
    "$MINIRUN" --rootfs "$@" >"$out" 2>"$err" </dev/null
    rc=$?
}
# audit_line PATTERN...: the first kernel log line containing every PATTERN.
audit_line() {
    dmesg | grep -F 'apparmor=' | {
        while IFS= read -r l; do
            m=1
            for p in "$@"; do
                case $l in *"$p"*) ;; *) m=0; break ;; esac
            done
            if [ $m = 1 ]; then
                printf '%s\n' "$l"
                exit 0
            fi
        done
        exit 1
    }
}

echo "1..16"

aa=/sys/kernel/security/apparmor
if ! grep -qx Y /sys/module/apparmor/parameters/enabled 2>/dev/null; then
    echo "Bail out! AppArmor is not enabled in the VM's kernel"
    exit 1
fi
loaded=$(cat "$aa/profiles" 2>/dev/null)
diag "loaded profiles:" "$loaded"
for p in $DENY $COMPLAIN $DEFAULT; do
    case $loaded in
        *"$p ("*) ;;
        *) echo "Bail out! profile $p did not load"; exit 1 ;;
    esac
done

# 1. A write the profile denies fails with EACCES ...
run --apparmor "$DENY" "$ROOTFS" sh -c 'echo hi > /tmp/x'
c=1
[ "$rc" != 0 ] && grep -q 'Permission denied' "$err" && c=0
check "$DENY: writing /tmp/x in the container fails with Permission denied" $c

# 2. ... and the kernel says which profile and which (container) path.
if l=$(audit_line 'apparmor="DENIED"' 'operation="mknod"' "profile=\"$DENY\"" 'name="/tmp/x"'); then
    ok "$DENY: the audit line names the profile and the container path"
    diag "$l"
else
    not_ok "$DENY: the audit line names the profile and the container path" \
        "no line with apparmor=\"DENIED\" operation=\"mknod\" profile=\"$DENY\" name=\"/tmp/x\"; apparmor lines:" \
        "$(dmesg | grep -F 'apparmor=' | tail -n 5)"
fi

# 3. The label, with the --security-opt spelling.
run --security-opt "apparmor=$DENY" "$ROOTFS" cat /proc/self/attr/current
c=1
[ "$rc" = 0 ] && [ "$(cat "$out")" = "$DENY (enforce)" ] && c=0
check "--security-opt apparmor=$DENY: /proc/self/attr/current is '$DENY (enforce)'" $c

# 4. Writes the profile allows still work.
run --apparmor "$DENY" "$ROOTFS" sh -c \
    'echo a > /root/f && echo b > /var/tmp/f && echo c > /home/alice/f && cat /root/f /var/tmp/f /home/alice/f && rm /root/f && ls /tmp >/dev/null && echo done'
c=1
[ "$rc" = 0 ] && [ "$(tr '\n' ' ' < "$out")" = "a b c done " ] && c=0
check "$DENY: writes outside /tmp and reads of /tmp still work" $c

# 5. Seccomp still applies alongside AppArmor.
run --apparmor "$DENY" "$ROOTFS" sh -c 'grep -E "^(Seccomp|Seccomp_filters):" /proc/self/status'
c=1
[ "$rc" = 0 ] && grep -qx 'Seccomp:[[:space:]]*2' "$out" && c=0
check "$DENY: the seccomp filter is in place (Seccomp: 2)" $c

# 6. So do the capabilities.
run --apparmor "$DENY" "$ROOTFS" sh -c 'grep -E "^Cap(Eff|Bnd|Prm):" /proc/self/status'
c=1
[ "$rc" = 0 ] && [ "$(grep -c "[[:space:]]$CAPS\$" "$out")" = 3 ] && c=0
check "$DENY: CapEff, CapPrm and CapBnd are Docker's defaults ($CAPS)" $c

# 7. Complain mode: the label ...
run --apparmor "$COMPLAIN" "$ROOTFS" cat /proc/self/attr/current
c=1
[ "$rc" = 0 ] && [ "$(cat "$out")" = "$COMPLAIN (complain)" ] && c=0
check "$COMPLAIN: /proc/self/attr/current is '$COMPLAIN (complain)'" $c

# 8. ... the write succeeds ...
run --apparmor "$COMPLAIN" "$ROOTFS" sh -c 'echo hi > /tmp/y && cat /tmp/y'
c=1
[ "$rc" = 0 ] && [ "$(cat "$out")" = hi ] && c=0
check "$COMPLAIN: writing /tmp/y succeeds" $c

# 9. ... and is logged.
if l=$(audit_line 'apparmor="ALLOWED"' 'operation="mknod"' "profile=\"$COMPLAIN\"" 'name="/tmp/y"'); then
    ok "$COMPLAIN: the write is logged as ALLOWED with the container path"
    diag "$l"
else
    not_ok "$COMPLAIN: the write is logged as ALLOWED with the container path" \
        "no line with apparmor=\"ALLOWED\" operation=\"mknod\" profile=\"$COMPLAIN\" name=\"/tmp/y\"; apparmor lines:" \
        "$(dmesg | grep -F 'apparmor=' | tail -n 5)"
fi

# 10. A profile that is not loaded: one clear line, 125, nothing started.
rm -f "$ROOTFS/root/started"
run --apparmor "$NOT_LOADED" "$ROOTFS" sh -c 'echo started > /root/started'
c=1
[ "$rc" = 125 ] &&
    [ "$(wc -l < "$err")" = 1 ] &&
    grep -q "^minirun: AppArmor profile '$NOT_LOADED' is not loaded" "$err" &&
    grep -qF 'apparmor_parser -r' "$err" &&
    [ ! -e "$ROOTFS/root/started" ] && c=0
check "profile not loaded: exit 125, one line naming it and how to load it, nothing started" $c

# 11. unconfined changes nothing.
run --security-opt apparmor=unconfined "$ROOTFS" cat /proc/self/attr/current
c=1
[ "$rc" = 0 ] && [ "$(cat "$out")" = unconfined ] && c=0
check "apparmor=unconfined: the label is 'unconfined'" $c

# 12. minirun itself stays unconfined; the container process is confined.
"$MINIRUN" --rootfs --apparmor "$DEFAULT" "$ROOTFS" sleep 30 >"$out" 2>"$err" </dev/null &
mr=$!
spid=
i=0
while [ $i -lt 100 ] && [ -z "$spid" ]; do
    for d in /proc/[0-9]*; do
        [ "$(cat "$d/comm" 2>/dev/null)" = sleep ] && spid=${d#/proc/} && break
    done
    [ -n "$spid" ] && break
    kill -0 "$mr" 2>/dev/null || break    # minirun gave up
    sleep 0.1
    i=$((i + 1))
done
mr_label=$(cat "/proc/$mr/attr/current" 2>/dev/null)
s_label=$(cat "/proc/$spid/attr/current" 2>/dev/null)
# sleep is the container's PID 1: only SIGKILL from outside ends it.
if [ -n "$spid" ]; then kill -9 "$spid"; else kill -9 "$mr"; fi 2>/dev/null
wait "$mr" 2>/dev/null
rc=$?
if [ -n "$spid" ] && [ "$mr_label" = unconfined ] && [ "$s_label" = "$DEFAULT (enforce)" ]; then
    ok "minirun stays unconfined, the container process runs under $DEFAULT"
else
    not_ok "minirun stays unconfined, the container process runs under $DEFAULT" \
        "minirun ($mr): '$mr_label'; container process (${spid:-not found}): '$s_label'" \
        "stderr:" "$(cat "$err")"
fi

# 13. The default-like profile: a shell works normally.
run --apparmor "$DEFAULT" "$ROOTFS" sh -c \
    'cat /proc/self/attr/current; echo a > /tmp/a && cat /tmp/a; ls / >/dev/null && ps >/dev/null && echo done'
c=1
[ "$rc" = 0 ] && [ "$(tr '\n' ' ' < "$out")" = "$DEFAULT (enforce) a done " ] && c=0
check "$DEFAULT: label '$DEFAULT (enforce)', ordinary shell work succeeds" $c

# 14./15. ... and refuses mounts even with CAP_SYS_ADMIN (--privileged);
# without the profile the same mount works, so it is AppArmor that refuses.
run --privileged "$ROOTFS" sh -c 'mount -t tmpfs none /mnt && echo mounted'
c=1
[ "$rc" = 0 ] && [ "$(cat "$out")" = mounted ] && c=0
check "control: --privileged without a profile may mount a tmpfs" $c
run --privileged --apparmor "$DEFAULT" "$ROOTFS" sh -c 'mount -t tmpfs none /mnt && echo mounted'
c=1
[ "$rc" != 0 ] && grep -q 'Permission denied' "$err" && ! grep -q mounted "$out" && c=0
check "$DEFAULT: --privileged, mount is refused (Permission denied)" $c

# 16. ... and writes below /proc/sys.
run --privileged --apparmor "$DEFAULT" "$ROOTFS" sh -c 'echo x > /proc/sys/kernel/domainname'
c=1
[ "$rc" != 0 ] && grep -q 'Permission denied' "$err" && c=0
check "$DEFAULT: --privileged, writing /proc/sys/kernel/domainname is refused (Permission denied)" $c

[ "$failed" = 0 ]
