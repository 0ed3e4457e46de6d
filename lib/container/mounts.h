/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_MOUNTS_H
#define MINIRUN_LIB_MOUNTS_H

#include "container/prepare.h"

/*
 * Container process, in its new mount namespace: build the container's
 * filesystem view from p->rootfs_path (bind, /proc, /dev, /sys, masked and
 * read-only paths, volumes).  Returns a descriptor of its root for
 * mr_mounts_pivot_root (the caller owns it), or -1.  In between, the
 * host's paths still resolve: the OCI hooks of create run there (launch.c).
 */
int mr_mounts_setup(const struct mr_prepared *p, struct mr_error *err);

/* pivot_root into ROOTFD: the cwd is "/" of the container, the host's root detached;
 * then the OCI rootfsPropagation on "/". */
int mr_mounts_pivot_root(const struct mr_prepared *p, int rootfd, struct mr_error *err);

/*
 * The I-th path minirun masks (readonly false) or makes read-only (true),
 * as a container path ("/proc/kcore") in BUF; false past the end.  For the
 * OCI front end, which compares a config's lists with these.
 */
bool mr_mounts_default_path(bool readonly, size_t i, char *buf, size_t size);

#endif
