/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_DEVICES_H
#define MINIRUN_DEVICES_H

#include <stdbool.h>

#include "common/error.h"

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

#endif
