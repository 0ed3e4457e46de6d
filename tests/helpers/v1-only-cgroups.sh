#!/bin/bash
# Sourced, in a private mount namespace (unshare --mount --propagation
# private): v1_only_cgroups makes /sys/fs/cgroup a fresh tmpfs holding the
# host's v1 hierarchies only, no cgroup2.  crun 1.8.1 refuses the hybrid
# layout of this machine; in this view every runtime makes its cgroups in the
# v1 hierarchies, and what one writes outside them (crun 1.8.1 makes
# directories where cgroup2 was) lands in this namespace's tmpfs and goes with
# it, never in the host's /sys/fs/cgroup.  Used by tests/bench/run.sh and
# tests/compliance/runtime-tools.sh.
v1_only_cgroups() {
    mountpoint -q /sys/fs/cgroup/unified || return 0
    local save m
    local -a hier
    save=$(mktemp -d)
    mapfile -t hier < <(awk '$3 == "cgroup" {print $2}' /proc/self/mounts)
    for m in "${hier[@]}"; do
        mkdir -p "$save/${m##*/}"
        mount --bind "$m" "$save/${m##*/}"
    done
    umount -l /sys/fs/cgroup
    mount -t tmpfs -o mode=755,nosuid,nodev,noexec cgroup /sys/fs/cgroup
    for m in "${hier[@]}"; do
        mkdir -p "$m"
        mount --move "$save/${m##*/}" "$m"
    done
    rmdir "$save"/* "$save"
}
