/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_DEVICES_H
#define MINIRUN_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "container/resources.h"

/*
 * The device policy of a container: which device nodes it may read, write
 * or create.  Enforced by the devices cgroup (v1 here; on a pure cgroup v2 a
 * BPF_PROG_TYPE_CGROUP_DEVICE program does the same job -- not yet).
 */

/*
 * v1: write Docker's default policy into the devices cgroup open as DFD
 * (PATH for messages): deny everything, then allow Docker's list.
 * Privileged containers keep every device their parent cgroup allows.
 */
int mr_devices_apply_v1(int dfd, const char *path, bool privileged, struct mr_error *err);

/* Docker's default allow rules ("c 1:3 rwm"...), in the order they are written. */
const char *const *mr_devices_default_rules(size_t *n);

/* The device cgroup rule of one --device: "c 1:3 rwm" into BUF. */
void mr_device_rule(const struct mr_device *d, char *buf, size_t size);

/* v1: allow each --device (after mr_devices_apply_v1) in the cgroup open as DFD. */
int mr_devices_allow_v1(int dfd, const char *path, const struct mr_device *devs, size_t n,
			struct mr_error *err);

/*
 * Container, while /dev is set up: make each --device's node in the new
 * /dev (DEVFD, that tmpfs's root), with the host node's type, numbers and
 * mode.  Rootless (no mknod in a user namespace) the host node is bound
 * onto an empty file instead, as the default nodes are.
 */
int mr_devices_make_nodes(int devfd, const struct mr_device *devs, size_t n, bool rootless,
			  struct mr_error *err);

#endif
