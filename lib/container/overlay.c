/* SPDX-License-Identifier: MIT */
/*
 * The copy-on-write root: an overlayfs with ROOTFS as its only lower layer
 * and its upper and work directories on a tmpfs that exists only in this
 * container's mount namespace.  Two mounts (the tmpfs, the overlay) and a
 * handful of syscalls on the start path; see mr_overlay_setup for the order.
 * Without the overlay the tmpfs is still there, for minirun's scratch
 * directory, under a clone of the rootfs bind.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/overlay.h"
#include "common/util.h"

bool
mr_overlay_wanted(const struct mr_spec *spec)
{
	/*
	 * --read-only needs no upper layer: nothing can be written, so the
	 * read-only bind of ROOTFS (mounts.c) already starts every run from
	 * the same image, one mount cheaper.  Except for an image's cached
	 * tree: the mount points and volume destinations the image lacks are
	 * made before the read-only remount, and they would stay in the
	 * cache, in every later run of the image.
	 */
	return !spec->rootfs_direct && (!spec->read_only || spec->rootfs_cached);
}

/*
 * The kernel's own words for a failed fsconfig: the filesystem context keeps
 * a log ("e overlay: ..." for errors), read one message per read(2).  Keeps
 * the last error (reason may be NULL: only drain the log).
 */
#define REASON_MAX 256
static void
kernel_reason(int fsfd, char reason[REASON_MAX])
{
	char msg[REASON_MAX];

	if (reason != NULL)
		reason[0] = '\0';
	for (;;) {
		ssize_t n = read(fsfd, msg, sizeof(msg) - 1);
		if (n <= 0)
			break;
		msg[n] = '\0';
		if (reason != NULL && n > 2 && msg[0] == 'e' && msg[1] == ' ')
			memcpy(reason, msg + 2, (size_t)n - 1);
	}
}

/*
 * Overlayfs cannot be had: say so and name the flag that does without it.
 * Writing into ROOTFS instead would silently change what the user asked for
 * (every run from the same image), so it is never done behind their back.
 */
static int
unavailable(struct mr_error *err, int errnum, const char *step, int fsfd)
{
	char reason[REASON_MAX] = "";

	if (fsfd >= 0)
		kernel_reason(fsfd, reason);
	mr_error_set(err, 0,
		     "copy-on-write root: overlayfs unavailable (%s: %s%s%s); use --rootfs to "
		     "write into ROOTFS directly",
		     step, strerror(errnum), reason[0] ? "; kernel: " : "", reason);
	if (err != NULL)
		err->errnum = errnum;
	return -1;
}

/*
 * Mount a new tmpfs over the bind of ROOTFS (rootfd) and return its mount
 * descriptor.  It is private to the container's mount namespace and never a
 * path on the host; pivot_root later detaches it together with the host's
 * tree, after which only the mounts on it (the overlay or the rootfs clone,
 * the /etc files' tmpfs) still hold it, and it goes away with the container.
 * It is attached rather than left detached because older kernels (before
 * 6.15) take an upper layer only from a mount in the caller's namespace.
 * Its size is tmpfs's default (half the RAM); the pages are charged to the
 * container's memory cgroup, so --memory bounds it.
 */
static int
mount_upper_tmpfs(int rootfd, struct mr_error *err)
{
	cleanup_close int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return mr_error_set(err, errno, "root: tmpfs: fsopen");
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "0700", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return mr_error_set(err, errno, "root: tmpfs");
	cleanup_close int mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	if (mntfd < 0)
		return mr_error_set(err, errno, "root: tmpfs: fsmount");
	if (move_mount(mntfd, "", rootfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return mr_error_set(err, errno, "root: tmpfs: attach");
	return mr_steal_fd(&mntfd);
}

/*
 * NAME in the tmpfs, a directory that looks like ROOTFS's root (the upper
 * directory's mode and owner are what the overlay's root shows).  An owner
 * with no id in a rootless container's user namespace cannot be set
 * (EINVAL): the directory then stays owned by the container's root, which
 * is the caller.
 */
static int
make_dir(int tmpfd, const char *name, const struct stat *like, struct mr_error *err)
{
	if (mkdirat(tmpfd, name, 0700) < 0 || fchmodat(tmpfd, name, like->st_mode & 07777, 0) < 0)
		return mr_error_set(err, errno, "copy-on-write root: create %s", name);
	if (fchownat(tmpfd, name, like->st_uid, like->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno != EINVAL)
		return mr_error_set(err, errno, "copy-on-write root: chown %s", name);
	int fd = openat(tmpfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, errno, "copy-on-write root: open %s", name);
	return fd;
}

static int
set_layer_path(int ovl, const char *key, int fd)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return fsconfig(ovl, FSCONFIG_SET_STRING, key, path, 0);
}

/*
 * Name the three layers to the overlay.  The lower layer must be the very
 * directory prepare opened and mounts.c checked (the image's owner may be
 * hostile and rename paths at any moment), so no layer is named by a path
 * anyone else could change:
 *
 *  - Linux 6.13 and later take each layer as a descriptor (FSCONFIG_SET_FD
 *    on "lowerdir+", "upperdir", "workdir"): nothing is looked up at all.
 *  - Older kernels (overlayfs in a user namespace since 5.11) only take
 *    paths.  "/proc/self/fd/N" is a magic link: the kernel's lookup jumps
 *    straight to the descriptor's own mount and dentry without walking
 *    ROOTFS's path again, so it reaches the checked bind itself, not the
 *    tmpfs stacked on it meanwhile.  Such a kernel answers EINVAL for a
 *    descriptor (an unknown key, or a string-only one).
 */
static int
set_layers(int ovl, int lowerfd, int upperfd, int workfd, const char **step)
{
	*step = "lower layer";
	if (fsconfig(ovl, FSCONFIG_SET_FD, "lowerdir+", NULL, lowerfd) == 0) {
		*step = "upper layer";
		if (fsconfig(ovl, FSCONFIG_SET_FD, "upperdir", NULL, upperfd) < 0)
			return -1;
		*step = "work directory";
		return fsconfig(ovl, FSCONFIG_SET_FD, "workdir", NULL, workfd);
	}
	if (errno != EINVAL)
		return -1;
	/* Drop the refusal the kernel logged, so that it is not mistaken for
	   the reason of a later failure. */
	kernel_reason(ovl, NULL);
	if (set_layer_path(ovl, "lowerdir", lowerfd) < 0)
		return -1;
	*step = "upper layer";
	if (set_layer_path(ovl, "upperdir", upperfd) < 0)
		return -1;
	*step = "work directory";
	return set_layer_path(ovl, "workdir", workfd);
}

/*
 * A sibling of upper/ and work/ on the tmpfs, so outside the overlay's view:
 * where the /etc files' own tmpfs is attached (etc-files.c).  Never
 * unmounted: pivot_root detaches it with the rest.
 */
static int
make_scratch(int tmpfd, struct mr_error *err)
{
	if (mkdirat(tmpfd, "scratch", 0700) < 0)
		return mr_error_set(err, errno, "root: create the scratch directory");
	struct open_how how = {
	    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV,
	};
	int at = mr_openat2(tmpfd, "scratch", &how);
	if (at < 0)
		return mr_error_set(err, errno, "root: open the scratch directory");
	return at;
}

/*
 * --rootfs, --read-only: no overlay, but the same stack, so the /etc
 * files' tmpfs is detached by pivot_root with the host's tree as under an overlay
 * (a tmpfs of its own for the /etc files cost an unmount, one expedited RCU
 * grace period, at every start): the bind of ROOTFS, the tmpfs on it, and a
 * clone of the bind -- taken first, with its submounts -- on top, which
 * becomes the root.
 */
static int
scratch_under_bind(int *rootfd, int *scratch, struct mr_error *err)
{
	cleanup_close int tree =
	    (int)syscall(SYS_open_tree, *rootfd, "",
			 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		return mr_error_set(err, errno, "root: clone the rootfs bind");
	cleanup_close int tmpfd = mount_upper_tmpfs(*rootfd, err);
	if (tmpfd < 0)
		return -1;
	cleanup_close int scratchfd = make_scratch(tmpfd, err);
	if (scratchfd < 0)
		return -1;
	if (move_mount(tree, "", tmpfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mr_error_set(err, errno, "root: attach the rootfs bind on the tmpfs");
	int fd = openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, errno, "root: open the rootfs bind");
	close(*rootfd);
	*rootfd = fd;
	*scratch = mr_steal_fd(&scratchfd);
	return 0;
}

int
mr_overlay_setup(const struct mr_prepared *p, int *rootfd, int *scratch, struct mr_error *err)
{
	struct stat root_st;
	struct statvfs sv;

	*scratch = -1;
	if (!mr_overlay_wanted(p->spec))
		return scratch_under_bind(rootfd, scratch, err);
	if (fstat(*rootfd, &root_st) < 0 || fstatvfs(*rootfd, &sv) < 0)
		return mr_error_set(err, errno, "copy-on-write root: rootfs %s", p->rootfs_path);

	/* No overlayfs at all: say so before anything is mounted. */
	cleanup_close int ovl = fsopen("overlay", FSOPEN_CLOEXEC);
	if (ovl < 0)
		return unavailable(err, errno, "fsopen", -1);

	cleanup_close int tmpfd = mount_upper_tmpfs(*rootfd, err);
	if (tmpfd < 0)
		return -1;
	cleanup_close int upperfd = make_dir(tmpfd, "upper", &root_st, err);
	if (upperfd < 0)
		return -1;
	cleanup_close int workfd = make_dir(tmpfd, "work", &root_st, err);
	if (workfd < 0)
		return -1;
	cleanup_close int scratchfd = make_scratch(tmpfd, err);
	if (scratchfd < 0)
		return -1;

	const char *step = "";
	if (fsconfig(ovl, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
		return unavailable(err, errno, "source", ovl);
	if (set_layers(ovl, *rootfd, upperfd, workfd, &step) < 0)
		return unavailable(err, errno, step, ovl);
	/*
	 * In a user namespace the trusted.* xattrs overlayfs keeps its
	 * whiteouts and opaque directories in are out of reach: user.* then.
	 * As root, trusted.*: the (unprivileged) owner of the image cannot set
	 * those on ROOTFS's files to steer the overlay.
	 */
	if (p->rootless && fsconfig(ovl, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return unavailable(err, errno, "userxattr", ovl);
	if (fsconfig(ovl, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return unavailable(err, errno, "mount", ovl);

	/*
	 * The flags the host put on ROOTFS's mount stay the root's flags; not
	 * "ro": an image on a read-only mount is what an overlay is for.
	 */
	unsigned int attrs = 0;
	if (sv.f_flag & ST_NOSUID)
		attrs |= MOUNT_ATTR_NOSUID;
	if (sv.f_flag & ST_NODEV)
		attrs |= MOUNT_ATTR_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		attrs |= MOUNT_ATTR_NOEXEC;
	cleanup_close int mntfd = fsmount(ovl, FSMOUNT_CLOEXEC, attrs);
	if (mntfd < 0)
		return unavailable(err, errno, "fsmount", ovl);
	/* On top of the tmpfs, itself on the bind: pivot_root needs a mount. */
	if (move_mount(mntfd, "", tmpfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mr_error_set(err, errno, "copy-on-write root: attach the overlay");
	/* A descriptor of the same kind mounts.c opened for the bind. */
	int fd = openat(mntfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, errno, "copy-on-write root: open the overlay's root");
	close(*rootfd);
	*rootfd = fd;
	*scratch = mr_steal_fd(&scratchfd);
	return 0;
}
