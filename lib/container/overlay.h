/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_OVERLAY_H
#define MINIRUN_LIB_OVERLAY_H

#include "container/prepare.h"

/*
 * The copy-on-write root (the default): ROOTFS is the read-only lower layer
 * of an overlayfs whose upper and work directories are on a tmpfs of this
 * container's own, so every run starts from the same image and whatever the
 * container writes is gone when it exits.  --rootfs (write into ROOTFS
 * directly, podman's meaning) and --read-only (nothing can be written) do
 * without it.
 */
bool mr_overlay_wanted(const struct mr_spec *spec);

/*
 * Container process, in its new mount namespace: *rootfd is the root of the
 * bind of ROOTFS that mounts.c just made and checked against the directory
 * prepare opened.  A tmpfs goes on that bind; when the overlay is wanted it
 * is mounted on the tmpfs with the bind itself (by descriptor) as the lower
 * layer, otherwise a clone of the bind is; *rootfd is replaced with a
 * descriptor of that new root.  An overlay that cannot be made is an error
 * naming --rootfs, never a silent fallback to writing into ROOTFS.
 *
 * *SCRATCH: a directory of that tmpfs, beside the overlay's upper and work
 * directories, which the container never sees (its root is mounted on the
 * tmpfs's root, and pivot_root detaches both with the host's tree): where
 * the /etc files' tmpfs is attached (etc-files.h), with no mount to take
 * down again.
 */
int mr_overlay_setup(const struct mr_prepared *p, int *rootfd, int *scratch, struct mr_error *err);

#endif
