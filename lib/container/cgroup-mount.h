/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_CGROUP_MOUNT_H
#define MINIRUN_LIB_CGROUP_MOUNT_H

#include "common/error.h"
#include "container/prepare.h"

/*
 * Container process, in its cgroup namespace (rooted at the container's
 * cgroup) and its mount namespace, after /sys is mounted: /sys/fs/cgroup
 * showing only the container's own cgroups, as Docker mounts it.  SYSFD is
 * the root of the fresh sysfs, PROCFD of the fresh procfs (for
 * /proc/self/cgroup).
 *
 *   pure cgroup v2  a cgroup2 mount on /sys/fs/cgroup
 *   hybrid, v1      a tmpfs with one cgroup v1 mount per hierarchy the
 *                   container has its own cgroup in, named after its
 *                   controllers ("devices", "cpu,cpuacct"), and "unified"
 *                   (cgroup2)
 *
 * Read-only (nosuid, nodev, noexec too), read-write with --privileged.
 * Rootless only cgroup2 can be mounted (a user namespace may not mount
 * cgroup v1): cgroup2 if possible, else /sys/fs/cgroup is left as it was;
 * never an error.  As root a mount that fails is an error.
 */
int mr_cgroup_mount(const struct mr_prepared *p, int sysfd, int procfd, struct mr_error *err);

#endif
