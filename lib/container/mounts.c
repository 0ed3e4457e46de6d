/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "container/mounts.h"
#include "common/util.h"

/* OCI / Docker masked paths (runc spec, crun spec, newer moby additions). */
static const char *const masked_paths[] = {
    "proc/acpi",	"proc/asound",	      "proc/interrupts", "proc/kcore",
    "proc/keys",	"proc/latency_stats", "proc/timer_list", "proc/timer_stats",
    "proc/sched_debug", "proc/scsi",	      "sys/firmware",	 "sys/devices/virtual/powercap",
};

static const char *const readonly_paths[] = {
    "proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
};

struct dev_node {
	const char *name;
	unsigned int major, minor;
};

static const struct dev_node dev_nodes[] = {
    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
	const char *name, *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},	   {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"},	 {"ptmx", "pts/ptmx"},
};

/*
 * Open a mount point inside the rootfs as a directory, refusing symlinks
 * anywhere on the way: an image whose /proc or /dev is a symlink must not
 * redirect a mount onto the host (CVE-2019-16884, CVE-2026-41579).
 */
static int
open_mountpoint(int dirfd, const char *name, bool create, struct mr_error *err)
{
	struct open_how how = {
	    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
			return mr_error_set(err, errno, "mount: create /%s in the rootfs", name);
		fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	}
	if (fd < 0)
		return mr_error_set(err, errno,
				    "mount: /%s in the rootfs (it must be a real directory, not a "
				    "symlink)",
				    name);
	return fd;
}

static void
fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

static int
mount_at(int dirfd, const char *name, const char *source, const char *fstype, unsigned long flags,
	 const char *data, struct mr_error *err)
{
	char target[64];
	cleanup_close int fd = open_mountpoint(dirfd, name, true, err);
	if (fd < 0)
		return -1;
	fd_path(target, sizeof(target), fd);
	if (mount(source, target, fstype, flags, data) < 0)
		return mr_error_set(err, errno, "mount %s on /%s", fstype ? fstype : source, name);
	return 0;
}

static int
make_dev_nodes(int devfd, bool rootless, struct mr_error *err)
{
	for (size_t i = 0; i < MR_ARRAY_SIZE(dev_nodes); i++) {
		const struct dev_node *d = &dev_nodes[i];
		if (!rootless) {
			if (mknodat(devfd, d->name, S_IFCHR | 0666, makedev(d->major, d->minor)) <
			    0)
				return mr_error_set(err, errno, "mknod /dev/%s", d->name);
			continue;
		}
		/*
		 * mknod is refused in a user namespace: bind the host's node onto
		 * an empty file instead, as crun and runc do.
		 */
		char src[32], target[64];
		cleanup_close int fd = openat(
		    devfd, d->name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
		if (fd < 0)
			return mr_error_set(err, errno, "create /dev/%s", d->name);
		snprintf(src, sizeof(src), "/dev/%s", d->name);
		fd_path(target, sizeof(target), fd);
		if (mount(src, target, NULL, MS_BIND, NULL) < 0)
			return mr_error_set(err, errno, "bind %s into the container", src);
	}
	return 0;
}

static int
setup_dev(int rootfd, bool rootless, struct mr_error *err)
{
	if (mount_at(rootfd, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
		     "mode=755,size=65536k", err) < 0)
		return -1;
	cleanup_close int devfd = openat(rootfd, "dev", O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (devfd < 0)
		return mr_error_set(err, errno, "open /dev");
	if (make_dev_nodes(devfd, rootless, err) < 0)
		return -1;
	for (size_t i = 0; i < MR_ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0)
			return mr_error_set(err, errno, "symlink /dev/%s", dev_links[i].name);
	/* gid 5 (tty) only exists in the container when we are real root. */
	if (mount_at(devfd, "pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		     rootless ? "newinstance,ptmxmode=0666,mode=0620"
			      : "newinstance,ptmxmode=0666,mode=0620,gid=5",
		     err) < 0)
		return -1;
	if (mount_at(devfd, "shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     "mode=1777,size=65536k", err) < 0)
		return -1;
	if (mount_at(devfd, "mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
		     err) < 0)
		return -1;
	return 0;
}

static int
setup_sys(int rootfd, bool rootless, struct mr_error *err)
{
	const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY;
	struct mr_error ignored;

	if (mount_at(rootfd, "sys", "sysfs", "sysfs", flags, NULL, &ignored) == 0)
		return 0;
	/*
	 * sysfs can only be mounted by a user namespace that owns the network
	 * namespace; rootless with --network host falls back to a read-only
	 * bind of the host's /sys (crun's sysfs_userns_fallback).
	 */
	if (!rootless || ignored.errnum != EPERM)
		return mr_error_set(err, ignored.errnum, "mount sysfs on /sys");
	if (mount_at(rootfd, "sys", "/sys", NULL, MS_BIND | MS_REC, NULL, err) < 0)
		return -1;
	return mount_at(rootfd, "sys", NULL, NULL, MS_BIND | MS_REMOUNT | flags, NULL, err);
}

static int
mask_paths(int rootfd, struct mr_error *err)
{
	char null_path[64];
	cleanup_close int nullfd = openat(rootfd, "dev/null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (nullfd < 0)
		return mr_error_set(err, errno, "open /dev/null for masking");
	fd_path(null_path, sizeof(null_path), nullfd);

	for (size_t i = 0; i < MR_ARRAY_SIZE(masked_paths); i++) {
		const char *path = masked_paths[i];
		char target[64];
		struct stat st;
		cleanup_close int fd = openat(rootfd, path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return mr_error_set(err, errno, "mask /%s", path);
		}
		if (fstat(fd, &st) < 0)
			return mr_error_set(err, errno, "mask /%s", path);
		fd_path(target, sizeof(target), fd);
		/*
		 * Our own /dev/null, a node minirun made in a tmpfs nobody else
		 * can reach yet: it cannot have been swapped (CVE-2025-31133).
		 */
		if (S_ISDIR(st.st_mode)) {
			if (mount("tmpfs", target, "tmpfs",
				  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "nr_inodes=1") < 0)
				return mr_error_set(err, errno, "mask /%s", path);
		} else if (mount(null_path, target, NULL, MS_BIND, NULL) < 0) {
			return mr_error_set(err, errno, "mask /%s", path);
		}
	}
	return 0;
}

static int
readonly_paths_setup(int rootfd, struct mr_error *err)
{
	for (size_t i = 0; i < MR_ARRAY_SIZE(readonly_paths); i++) {
		const char *path = readonly_paths[i];
		char target[64];
		cleanup_close int fd = openat(rootfd, path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return mr_error_set(err, errno, "read-only /%s", path);
		}
		fd_path(target, sizeof(target), fd);
		if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) < 0)
			return mr_error_set(err, errno, "read-only /%s: bind", path);
		/*
		 * Remount the new bind (reopen: the fd still names the covered
		 * inode), keeping procfs's nosuid,nodev,noexec which a user
		 * namespace may not clear.
		 */
		cleanup_close int fd2 = openat(rootfd, path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
		if (fd2 < 0)
			return mr_error_set(err, errno, "read-only /%s", path);
		fd_path(target, sizeof(target), fd2);
		if (mount(NULL, target, NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			return mr_error_set(err, errno, "read-only /%s: remount", path);
	}
	return 0;
}

static int
do_pivot_root(int rootfd, struct mr_error *err)
{
	if (fchdir(rootfd) < 0)
		return mr_error_set(err, errno, "pivot_root: chdir to the rootfs");
	/* pivot_root(".", ".") stacks the old root on top of the new one. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return mr_error_set(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return mr_error_set(err, errno, "pivot_root: detach the old root");
	if (chdir("/") < 0)
		return mr_error_set(err, errno, "chdir /");
	return 0;
}

int
mr_mounts_setup(const struct mr_prepared *p, struct mr_error *err)
{
	const char *root = p->rootfs_path;

	/* Nothing we mount may propagate back to the host's mount namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return mr_error_set(err, errno, "make / private");
	/* pivot_root needs the new root to be a mount point. */
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return mr_error_set(err, errno, "bind rootfs %s", root);
	cleanup_close int rootfd = open(root, O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return mr_error_set(err, errno, "open rootfs %s", root);
	/*
	 * The path was resolved again (the fd opened before clone belongs to
	 * the caller's mount namespace and cannot be bound from this one):
	 * whoever can rename a component of ROOTFS could have swapped in a
	 * symlink to the host's / meanwhile.  What we are about to pivot into
	 * must be the directory checked before clone, and the root of the
	 * bind mount just made.
	 */
	struct stat want, got;
	struct statx stx;
	if (fstat(p->rootfs_fd, &want) < 0 || fstat(rootfd, &got) < 0 ||
	    statx(rootfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0)
		return mr_error_set(err, errno, "rootfs %s", root);
	if (want.st_dev != got.st_dev || want.st_ino != got.st_ino ||
	    ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	     !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)))
		return mr_error_set(err, 0,
				    "rootfs %s: the path changed while the container was starting "
				    "(a component was replaced); refusing to continue",
				    root);

	if (mount_at(rootfd, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) <
	    0)
		return -1;
	if (setup_dev(rootfd, p->rootless, err) < 0)
		return -1;
	if (setup_sys(rootfd, p->rootless, err) < 0)
		return -1;
	if (!p->spec->privileged) {
		if (mask_paths(rootfd, err) < 0)
			return -1;
		if (readonly_paths_setup(rootfd, err) < 0)
			return -1;
	}
	return do_pivot_root(rootfd, err);
}

int
mr_mounts_finalize(const struct mr_prepared *p, struct mr_error *err)
{
	struct statvfs sv;

	if (!p->spec->read_only)
		return 0;
	if (statvfs("/", &sv) < 0)
		return mr_error_set(err, errno, "read-only root: statvfs /");
	/* A user namespace may not clear flags locked on the rootfs's mount. */
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
	if (sv.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	if (mount(NULL, "/", NULL, flags, NULL) < 0)
		return mr_error_set(err, errno, "read-only root: remount /");
	return 0;
}
