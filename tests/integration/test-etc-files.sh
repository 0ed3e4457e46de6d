#!/bin/bash
# Docker's per-container files (/etc/hostname, /etc/hosts, /etc/resolv.conf)
# bound from a private tmpfs, never written into the image, and refused when
# a hostile image points them into /proc or /sys; the sysctls Docker sets in
# a container's own network namespace, --sysctl, --group-add, --env-file.
# shellcheck disable=SC2016 # $ in single quotes expands in the container
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_env
require_root

chmod 0711 "$TESTS_TMP"

# --- the three files -------------------------------------------------------------
hosts_for() {
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n127.0.1.1\t%s' "$1"
}
run_expect "-h NAME: /etc/hostname and the host name" 0 "web1
web1" -- -h web1 "$ROOTFS" sh -c 'cat /etc/hostname; hostname'
run_expect "/etc/hosts: loopback names and the host name on 127.0.1.1" 0 "$(hosts_for web1)" -- \
    -h web1 "$ROOTFS" cat /etc/hosts
run_expect "--network none: a resolv.conf with no name server" 0 \
    "# minirun: --network none: the container has no network, so no name server." -- \
    "$ROOTFS" cat /etc/resolv.conf
# The files live on a small tmpfs of their own, mounted on a directory beside
# the overlay's upper and work directories (overlay.c: scratch), which the
# container cannot reach; without the overlay the same tmpfs lies under a
# clone of the rootfs bind.  Nothing is staged in /dev, and nothing is
# written into ROOTFS.
# --rootfs writes into the image (podman's meaning), so it gets a copy; the
# copy has the three files for --read-only to mount over.
rw_image="$TESTS_TMP/rw-image"
cp -a "$ROOTFS" "$rw_image"
touch "$rw_image/etc/hosts" "$rw_image/etc/resolv.conf"
rw_before=$(ls -a "$rw_image")
for mode in "" --rootfs --read-only; do
    image=$ROOTFS
    [ -n "$mode" ] && image=$rw_image
    run_expect "${mode:-overlay}: the three bound from the scratch directory, nothing in /dev or /" 0 \
        "/hostname /etc/hostname tmpfs rw,size=4096k,nr_inodes=16,mode=755
/hosts /etc/hosts tmpfs rw,size=4096k,nr_inodes=16,mode=755
/resolv.conf /etc/resolv.conf tmpfs rw,size=4096k,nr_inodes=16,mode=755
0
0" -- $mode "$image" sh -c 'awk "\$5 ~ /^\/etc\/(hostname|hosts|resolv.conf)\$/ { for (i = 7; \$i != \"-\"; i++); print \$4, \$5, \$(i + 1), \$(i + 3) }" /proc/self/mountinfo
ls -a /dev | grep -c minirun || true
ls -a / | grep -cE "^(scratch|upper|work)$" || true'
done
is "$(ls -a "$rw_image")" "$rw_before" "--rootfs, --read-only: nothing of minirun's left in ROOTFS"
# With CAP_DAC_READ_SEARCH, open_by_handle_at decodes any handle of the
# filesystem a given fd is on: had the files shared the upper layer's tmpfs,
# the overlay root's handle (which carries the upper directory's own) opened
# upper/ through /etc/hostname's mount, behind the overlay's back.
run_expect "--cap-add DAC_READ_SEARCH: the upper layer is not reachable by handle through /etc/hostname" \
    116 ESTALE -- --cap-add DAC_READ_SEARCH "$ROOTFS" /probe upperbyhandle /etc/hostname
run_expect "the files' tmpfs holds at most 4 MiB" 0 "No space left on device" -- "$ROOTFS" \
    sh -c 'dd if=/dev/zero of=/etc/hosts bs=1M count=5 2>&1 | grep -o "No space left on device" | head -1'
run_minirun "$ROOTFS" cat /etc/hostname
if [[ $RC == 0 && $OUT =~ ^[0-9a-f]{12}$ ]]; then
    ok "no -h: /etc/hostname is the random 12-hex id"
else
    not_ok "no -h: /etc/hostname is the random 12-hex id" "$(_result_diag)"
fi
run_expect "writable, as with docker" 0 "ok" -- \
    "$ROOTFS" sh -c 'echo "10.0.0.1 db" >> /etc/hosts && grep -q db /etc/hosts && echo ok'
ro_image="$TESTS_TMP/ro-image"
cp -a "$ROOTFS" "$ro_image"
touch "$ro_image/etc/hosts" "$ro_image/etc/resolv.conf"
run_expect "--read-only: read-only, as with docker" 0 "ro ro ro" -- \
    --read-only "$ro_image" sh -c 'for f in hostname hosts resolv.conf; do
        awk -v m=/etc/$f "\$5 == m { split(\$6, o, \",\"); printf \"%s \", o[1] }" /proc/self/mountinfo
    done | sed "s/ \$//"'
run_expect "--read-only, files the image lacks: left out, never created in ROOTFS" 0 \
    "1" -- --read-only "$ROOTFS" sh -c 'grep -cE " /etc/(hostname|hosts|resolv.conf) " /proc/self/mountinfo'
is "$(ls "$ROOTFS/etc")" "group
hostname
passwd" "--read-only: nothing was created in ROOTFS's /etc"
echo volume-resolv > "$TESTS_TMP/resolv"
run_expect "a -v on the same path wins" 0 volume-resolv -- \
    -v "$TESTS_TMP/resolv:/etc/resolv.conf:ro" "$ROOTFS" cat /etc/resolv.conf

# --network host: the host's name and files, as docker copies them.
host_hosts=$(cat /etc/hosts 2> /dev/null)
host_resolv=$(cat /etc/resolv.conf 2> /dev/null)
run_expect "--network host: the host's name" 0 "$(uname -n)
$(uname -n)" -- --network host "$ROOTFS" sh -c 'cat /etc/hostname; hostname'
run_expect "--network host: the host's /etc/hosts" 0 "$host_hosts" -- \
    --network host "$ROOTFS" cat /etc/hosts
run_expect "--network host: the host's /etc/resolv.conf" 0 "$host_resolv" -- \
    --network host "$ROOTFS" cat /etc/resolv.conf
run_expect "--network host -h NAME: NAME" 0 "other" -- \
    --network host -h other "$ROOTFS" cat /etc/hostname

# --add-host, --dns, --dns-search, --dns-option: docker run's lines.
run_expect "--add-host NAME:IP (IPv4, IPv6, NAME=IP, [IPv6]): lines after the defaults" 0 \
    "$(hosts_for web1)
1.2.3.4	db
::1	v6
fe80::1	br" -- -h web1 --add-host db:1.2.3.4 --add-host v6:::1 --add-host 'br=[fe80::1]' \
    "$ROOTFS" cat /etc/hosts
run_expect "--dns, --dns-search, --dns-option: resolv.conf has them" 0 "nameserver 9.9.9.9
nameserver 2001:db8::1
search example.com lab.test
options ndots:2 edns0" -- --dns 9.9.9.9 --dns 2001:db8::1 --dns-search example.com \
    --dns-search lab.test --dns-option ndots:2 --dns-opt edns0 "$ROOTFS" cat /etc/resolv.conf
run_expect "--dns-search .: no search line" 0 "nameserver 9.9.9.9" -- \
    --dns 9.9.9.9 --dns-search . "$ROOTFS" cat /etc/resolv.conf
# With --network host each replaces its own lines of the host's file.
run_expect "--network host --dns: the host's name servers replaced, the rest kept" 0 \
    "$({
        grep -v -e '^nameserver[[:blank:]]' -e '^$' /etc/resolv.conf 2> /dev/null
        echo nameserver 1.1.1.1
    })" -- \
    --network host --dns 1.1.1.1 "$ROOTFS" sh -c 'grep -v "^$" /etc/resolv.conf'
run_expect "--network host --add-host: after the host's lines" 0 "$host_hosts
5.6.7.8	extra" -- --network host --add-host extra:5.6.7.8 "$ROOTFS" cat /etc/hosts
run_minirun --add-host gw:host-gateway "$ROOTFS" true
expect_error "--add-host NAME:host-gateway: refused, no bridge" 125 \
    "minirun: --add-host 'gw:host-gateway': host-gateway is a bridge's address*"
run_minirun --add-host db:1.2.3 "$ROOTFS" true
expect_error "--add-host with a bad address: refused" 125 \
    "minirun: --add-host 'db:1.2.3': '1.2.3' is not an IP address"
run_minirun --dns resolver.lan "$ROOTFS" true
expect_error "--dns NAME: refused (docker wants an IP)" 125 \
    "minirun: --dns 'resolver.lan': not an IP address"
run_minirun --dns-option 'ndots:1 rotate' "$ROOTFS" true
expect_error "--dns-option with a blank: refused" 125 \
    "minirun: --dns-option 'ndots:1 rotate': empty, or a blank in it"

# --rootfs writes into ROOTFS: the files still never are.
copy="$TESTS_TMP/rootfs"
cp -a "$ROOTFS" "$copy"
printf 'image-hosts\n' > "$copy/etc/hosts"
before_hostname=$(cat "$copy/etc/hostname")
run_expect "--rootfs: the container sees minirun's files and writes to them" 0 "img" -- \
    --rootfs -h img "$copy" sh -c 'echo changed >> /etc/hosts; echo changed > /etc/hostname
echo x >> /etc/resolv.conf; hostname'
is "$(cat "$copy/etc/hosts")" image-hosts "--rootfs: the image's /etc/hosts is unchanged"
is "$(cat "$copy/etc/hostname")" "$before_hostname" "--rootfs: the image's /etc/hostname is unchanged"
is "$(stat -c %s "$copy/etc/resolv.conf" 2> /dev/null)" 0 \
    "--rootfs: a missing /etc/resolv.conf is only an empty mount point"
rm -f "$copy/etc/resolv.conf"
ln -s /run/resolv.conf "$copy/etc/resolv.conf"
run_expect "a dangling /etc/resolv.conf symlink is followed in the root" 0 \
    "# minirun: --network none: the container has no network, so no name server." -- \
    "$copy" cat /etc/resolv.conf
rm -f "$copy/etc/resolv.conf"

# Hostile images: /etc, or one file, pointing into the kernel's filesystems.
core_before=$(cat /proc/sys/kernel/core_pattern)
hn_before=$(cat /proc/sys/kernel/hostname)
evil="$TESTS_TMP/evil"
cp -a "$ROOTFS" "$evil"
rm -rf "${evil:?}/etc"
ln -s /proc/sys/kernel "$evil/etc"
run_minirun "$evil" true
expect_error "/etc -> /proc/sys/kernel: refused" 125 \
    "minirun: /etc/hostname in the image is not a regular file of the image*refusing*"
rm "$evil/etc"
ln -s /sys/kernel "$evil/etc"
run_minirun "$evil" true
expect_error "/etc -> /sys/kernel: refused" 125 "minirun: /etc/hostname in the image*refusing*"
rm "$evil/etc"
cp -a "$ROOTFS/etc" "$evil/etc"
ln -sf /proc/sys/kernel/core_pattern "$evil/etc/hosts"
run_minirun "$evil" true
expect_error "/etc/hosts -> /proc/sys/kernel/core_pattern: refused" 125 \
    "minirun: /etc/hosts in the image*refusing*"
rm "$evil/etc/hosts"
ln -sf /dev/null "$evil/etc/hosts"
run_minirun "$evil" true
expect_error "/etc/hosts -> /dev/null: refused" 125 "minirun: /etc/hosts in the image*refusing*"
is "$(cat /proc/sys/kernel/core_pattern)" "$core_before" "the host's core_pattern is unchanged"
is "$(cat /proc/sys/kernel/hostname)" "$hn_before" "the host's hostname is unchanged"

# --- sysctls ---------------------------------------------------------------------
run_expect "own network namespace: Docker's two sysctls" 0 "0
0	2147483647" -- "$ROOTFS" cat /proc/sys/net/ipv4/ip_unprivileged_port_start \
    /proc/sys/net/ipv4/ping_group_range
run_expect "--network host: the host's sysctls untouched" 0 \
    "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -- \
    --network host "$ROOTFS" cat /proc/sys/net/ipv4/ip_unprivileged_port_start
run_expect "--user 1000 binds port 80 (busybox nc listens until timeout kills it)" 0 "143" -- \
    -u 1000 "$ROOTFS" sh -c 'exec 2> /dev/null; timeout 1 nc -l -p 80; echo $?'
run_expect "--user 1000 opens an ICMP datagram socket" 0 "OK" -- \
    -u 1000 "$ROOTFS" /probe syscall socket 2 2 1
run_expect "--sysctl after the defaults: port 80 refused again" 0 "nc: bind: Permission denied
1" -- -u 1000 --sysctl net.ipv4.ip_unprivileged_port_start=1024 "$ROOTFS" \
    sh -c 'nc -l -p 80 2>&1; echo $?'
run_minirun -u 1000 --sysctl "net.ipv4.ping_group_range=1 0" "$ROOTFS" /probe syscall socket 2 2 1
expect "--sysctl ping_group_range=1 0: no ICMP socket" 13 "EACCES"
shmmax_before=$(cat /proc/sys/kernel/shmmax)
run_expect "--sysctl IPC keys, read back inside" 0 "12345
20" -- --sysctl kernel.shmmax=12345 --sysctl fs.mqueue.msg_max=20 "$ROOTFS" \
    cat /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max
is "$(cat /proc/sys/kernel/shmmax)" "$shmmax_before" "the host's kernel.shmmax is unchanged"
run_minirun --sysctl kernel.core_pattern=x "$ROOTFS" true
expect_error "--sysctl kernel.core_pattern: not namespaced" 125 \
    "minirun: --sysctl kernel.core_pattern=x: kernel.core_pattern is not namespaced: a container would change it for the whole host (allowed: kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.* and net.*)"
run_minirun --sysctl vm.swappiness=1 "$ROOTFS" true
expect_error "--sysctl vm.swappiness: not namespaced" 125 \
    "minirun: --sysctl vm.swappiness=1: vm.swappiness is not namespaced*"
run_minirun --sysctl kernel.hostname=x "$ROOTFS" true
expect_error "--sysctl kernel.hostname: use --hostname" 125 \
    "minirun: --sysctl kernel.hostname=x: not allowed: set the host name with --hostname"
run_minirun --network host --sysctl net.ipv4.ip_forward=1 "$ROOTFS" true
expect_error "--sysctl net.* with --network host" 125 \
    "minirun: --sysctl net.ipv4.ip_forward=1: net.* sysctls need the container's own network namespace: with --network host they would change the host's"
run_minirun --sysctl net.ipv4.ip_forward=1 --network host "$ROOTFS" true
expect_error "--sysctl net.* before --network host" 125 "minirun: --sysctl net.ipv4.ip_forward=1: net.*"
run_minirun --sysctl net.ipv4 "$ROOTFS" true
expect_error "--sysctl without =" 125 "minirun: --sysctl net.ipv4: expected KEY=VALUE"
run_minirun --sysctl net..ipv4=1 "$ROOTFS" true
expect_error "--sysctl with an empty component" 125 \
    "minirun: --sysctl net..ipv4=1: invalid key 'net..ipv4' (dotted names only, as net.ipv4.ip_forward)"
run_minirun --sysctl net.ipv4/../../kernel/core_pattern=1 "$ROOTFS" true
expect_error "--sysctl with a slash" 125 "minirun: --sysctl net.ipv4/*: invalid key*"
run_minirun --sysctl net.nope.x=1 "$ROOTFS" true
expect_error "--sysctl of a key the kernel lacks" 125 \
    "minirun: --sysctl net.nope.x=1: no such sysctl in the container: No such file or directory"

# --- --group-add -----------------------------------------------------------------
run_expect "--group-add NAME and GID, after the user's own groups" 0 "1000 10 29 1001 1234" -- \
    -u 1000 --group-add bob --group-add 1234 --group-add wheel "$ROOTFS" id -G
run_expect "--group-add with USER:GROUP, a duplicate once" 0 "1001 29" -- \
    -u 1000:1001 --group-add audio --group-add 29 "$ROOTFS" id -G
run_expect "root's groups plus --group-add" 0 "0 1001" -- \
    --group-add bob "$ROOTFS" id -G
run_minirun --group-add nosuch "$ROOTFS" true
expect_error "--group-add of an unknown name" 125 \
    "minirun: --group-add nosuch: no group 'nosuch' in /etc/group of the root filesystem"
run_minirun --group-add -5 "$ROOTFS" true
expect_error "--group-add -5" 125 "minirun: --group-add '-5': expected a group name or a decimal gid"

# --- --env-file ------------------------------------------------------------------
envf="$TESTS_TMP/env"
printf '# a comment\n\n  A=1\nB= two words \nC\nD\r\nE="quoted"\nF=from-file\n' > "$envf"
run_cmd env C=from-caller "$MINIRUN" --env-file "$envf" -e F=from-e "$ROOTFS" \
    sh -c 'echo "$A|$B|$C|${D-unset}|$E|$F"'
expect "--env-file: values verbatim, KEY from the caller, -e wins" 0 \
    '1| two words |from-caller|unset|"quoted"|from-e'
run_expect "-e before --env-file still wins" 0 "from-e" -- \
    -e F=from-e --env-file "$envf" "$ROOTFS" sh -c 'echo $F'
printf 'GOOD=1\nBAD KEY=2\n' > "$TESTS_TMP/bad-env"
run_minirun --env-file "$TESTS_TMP/bad-env" "$ROOTFS" true
expect_error "--env-file: a key with a blank" 125 \
    "minirun: --env-file $TESTS_TMP/bad-env: line 2: variable 'BAD KEY' contains whitespaces"
mkfifo "$TESTS_TMP/fifo"
run_minirun --env-file "$TESTS_TMP/fifo" "$ROOTFS" true
expect_error "--env-file: a FIFO is refused without blocking" 125 \
    "minirun: --env-file $TESTS_TMP/fifo: not a regular file"
run_minirun --env-file "$TESTS_TMP/missing" "$ROOTFS" true
expect_error "--env-file: a missing file" 125 \
    "minirun: --env-file $TESTS_TMP/missing: No such file or directory"

done_testing
