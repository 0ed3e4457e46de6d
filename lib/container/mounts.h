/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_MOUNTS_H
#define MINIRUN_LIB_MOUNTS_H

#include "container/prepare.h"

/*
 * Container process, in its new mount namespace: build the container's
 * filesystem view from p->rootfs_path in three steps, in this order
 * (launch.c: enter_root):
 *   mr_mounts_setup_first: the bind of ROOTFS, the overlay, /proc --
 *     nothing that depends on the network namespace, which the process
 *     enters next;
 *   mr_mounts_setup_net: the sysctls (net.* are the writer's namespace's),
 *     /sys (sysfs shows the mounter's) and /sys/fs/cgroup;
 *   mr_mounts_setup_rest: /dev, the masked and read-only paths, the /etc
 *     files (m->devmnt, m->etcmnt: what minirun built, or made here),
 *     volumes.
 *     Returns a descriptor of the root for mr_mounts_pivot_root (the
 *     caller owns it), or -1.
 * Afterwards the host's paths still resolve: the OCI hooks of create run
 * there (launch.c).
 */
struct mr_mounts {
	int rootfd;  /* the root being built */
	int scratch; /* where the /etc files' tmpfs is attached (overlay.h) */
	int procfd;  /* the container's /proc, /sys and /dev, by descriptor */
	int sysfd;
	int devfd;
	/* in: what minirun built (mr_mounts_prebuilt), detached, or -1 */
	int devmnt; /* mr_mounts_dev_build */
	int etcmnt; /* mr_etc_files_build (etc-files.h) */
	/* in: minirun's network thread wrote the net.* sysctls (sysctl.h) */
	bool net_sysctls_written;
};
#define MR_MOUNTS_INIT ((struct mr_mounts){-1, -1, -1, -1, -1, -1, -1, false})
int mr_mounts_setup_first(const struct mr_prepared *p, struct mr_mounts *m, struct mr_error *err);
int mr_mounts_setup_net(const struct mr_prepared *p, struct mr_mounts *m, struct mr_error *err);
int mr_mounts_setup_rest(const struct mr_prepared *p, struct mr_mounts *m, struct mr_error *err);
/* Close what the steps left open. */
void mr_mounts_clear(struct mr_mounts *m);
#define cleanup_mounts __attribute__((cleanup(mr_mounts_clear)))
/*
 * A new /dev tmpfs, detached, with Docker's links and the mount points of
 * pts, shm and mqueue, and with NODES its device nodes (mknod: real root
 * only).  Nothing in it depends on the container's namespaces, so minirun
 * builds it on its own CPU while the container process mounts /proc and
 * /sys (mr_mounts_prebuilt), and sends it over; the container process
 * attaches it to its root.  Returns the mount's descriptor, or -1.
 */
int mr_mounts_dev_build(bool nodes, struct mr_error *err);
/*
 * Whether minirun builds the container's /dev and /etc files' tmpfs (the
 * container process attaches them): as real root, without a user namespace.
 */
bool mr_mounts_prebuilt(const struct mr_prepared *p);

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
