/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_MOUNTS_H
#define MINIRUN_LIB_MOUNTS_H

#include "container/prepare.h"

/*
 * Container process, in its new mount namespace: build the container's
 * filesystem view from p->rootfs_path (bind, /proc, /dev, /sys, masked and
 * read-only paths) and pivot_root into it.  On return the cwd is "/" of the
 * container and the host's root is detached.
 */
int mr_mounts_setup(const struct mr_prepared *p, struct mr_error *err);

/*
 * The I-th path minirun masks (readonly false) or makes read-only (true),
 * as a container path ("/proc/kcore") in BUF; false past the end.  For the
 * OCI front end, which compares a config's lists with these.
 */
bool mr_mounts_default_path(bool readonly, size_t i, char *buf, size_t size);

#endif
