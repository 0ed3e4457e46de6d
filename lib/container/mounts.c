/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "container/mounts.h"
#include "container/cgroup-mount.h"
#include "container/volumes.h"
#include "container/devices.h"
#include "container/overlay.h"
#include "container/cgroup.h"
#include "container/etc-files.h"
#include "container/sysctl.h"
#include "common/phases.h"
#include "common/util.h"

/*
 * OCI / Docker masked paths (runc spec, crun spec, newer moby additions),
 * relative to the filesystem they are in: each is resolved beneath a
 * descriptor of the procfs or sysfs minirun itself just mounted, never
 * through the rootfs's directories again.
 */
static const char *const masked_proc_paths[] = {
    "acpi",	     "asound",	   "interrupts",  "kcore",	 "keys",
    "latency_stats", "timer_list", "timer_stats", "sched_debug", "scsi",
};
/* fs/selinux and dev/block: podman's (containers/common) list has them too. */
static const char *const masked_sys_paths[] = {
    "firmware",
    "devices/virtual/powercap",
    "fs/selinux",
    "dev/block",
};

static const char *const readonly_proc_paths[] = {
    "bus", "fs", "irq", "sys", "sysrq-trigger",
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
	int fd = mr_openat2(dirfd, name, &how);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
			return mr_error_set(err, errno, "mount: create /%s in the rootfs", name);
		fd = mr_openat2(dirfd, name, &how);
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

/* Pass "key=value,flag,..." to a filesystem context, as mount(2)'s data would. */
static int
fs_configure(int fsfd, const char *data)
{
	char buf[256];
	char *save = NULL;

	if (data == NULL)
		return 0;
	if (snprintf(buf, sizeof(buf), "%s", data) >= (int)sizeof(buf))
		return (errno = E2BIG), -1;
	for (char *opt = strtok_r(buf, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		int r;
		if (eq) {
			*eq = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

/*
 * Attach the detached mount mntfd on NAME beneath dirfd.  mntfd keeps naming
 * the new mount's root wherever it ends up: the owner of ROOTFS may rename
 * NAME at any time (the mount moves with the directory, and another
 * directory can take its name), so everything done inside the new
 * filesystem afterwards goes through mntfd, never through the rootfs path.
 */
static int
attach_mount(int mntfd, int dirfd, const char *name, const char *what, struct mr_error *err)
{
	cleanup_close int target = open_mountpoint(dirfd, name, true, err);
	if (target < 0)
		return -1;
	if (move_mount(mntfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return mr_error_set(err, errno, "mount %s on /%s", what, name);
	return 0;
}

/*
 * Mount a new instance of FSTYPE on NAME beneath dirfd (new mount API,
 * Linux 5.2) and return a descriptor of its root.
 */
static int
mount_fresh(int dirfd, const char *name, const char *fstype, unsigned int attrs, const char *data,
	    struct mr_error *err)
{
	cleanup_close int fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return mr_error_set(err, errno, "mount %s on /%s: fsopen", fstype, name);
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", fstype, 0) < 0 ||
	    fs_configure(fsfd, data) < 0 || fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return mr_error_set(err, errno, "mount %s on /%s", fstype, name);
	cleanup_close int mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mntfd < 0)
		return mr_error_set(err, errno, "mount %s on /%s: fsmount", fstype, name);
	if (attach_mount(mntfd, dirfd, name, fstype, err) < 0)
		return -1;
	return mr_steal_fd(&mntfd);
}

/*
 * A path inside a filesystem minirun mounted, by descriptor: never leaving
 * it (RESOLVE_BENEATH), never through a symlink, never into another mount.
 */
static int
open_beneath(int fsfd, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
	    .resolve =
		RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	return mr_openat2(fsfd, path, &how);
}

static int
make_dev_nodes(int devfd, bool userns, struct mr_error *err)
{
	for (size_t i = 0; i < MR_ARRAY_SIZE(dev_nodes); i++) {
		const struct dev_node *d = &dev_nodes[i];
		if (!userns) {
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

/*
 * --privileged (as root): a node for every host device, as Docker gives a
 * privileged container (runc's HostDevices): char and block devices of the
 * host's /dev and its subdirectories (/dev/mapper, /dev/snd, /dev/net...),
 * with their modes and owners.  Not /dev/pts, shm, mqueue, fd (the
 * container has its own), not console or ptmx, and no symlink; a name
 * already made (null, tty...) is kept.  Called before pivot_root, while
 * "/dev" is still the host's.  depth bounds the walk (a /dev made by udev
 * is shallow).
 */
static int
copy_host_devices(int from, int to, const char *path, int depth, struct mr_error *err)
{
	static const char *const skip[] = {"pts",  "shm",  "mqueue",	  "fd",	  "console",
					   "ptmx", ".lxc", ".lxd-mounts", ".udev"};
	int dup_from = fcntl(from, F_DUPFD_CLOEXEC, 0);
	DIR *d = dup_from >= 0 ? fdopendir(dup_from) : NULL;
	if (d == NULL) {
		if (dup_from >= 0)
			close(dup_from);
		return mr_error_set(err, errno, "--privileged: read the host's %s", path);
	}
	int ret = 0;
	struct dirent *e;
	while (ret == 0 && (e = readdir(d)) != NULL) {
		bool skipped = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
		for (size_t i = 0; i < MR_ARRAY_SIZE(skip) && !skipped; i++)
			skipped = depth == 0 && strcmp(e->d_name, skip[i]) == 0;
		struct stat st;
		if (skipped || fstatat(from, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile: udev renames as it likes */
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			if (mknodat(to, e->d_name, st.st_mode & (S_IFMT | 07777), st.st_rdev) < 0) {
				if (errno == EEXIST)
					continue;
				ret = mr_error_set(err, errno, "--privileged: mknod %s/%s", path,
						   e->d_name);
				break;
			}
			/* mknod applies the umask: the host's mode, exactly, and its owner. */
			if (fchmodat(to, e->d_name, st.st_mode & 07777, 0) < 0 ||
			    fchownat(to, e->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
				ret = mr_error_set(err, errno, "--privileged: %s/%s", path,
						   e->d_name);
			continue;
		}
		if (!S_ISDIR(st.st_mode) || depth >= 8)
			continue;
		int sub_from =
		    openat(from, e->d_name, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_from < 0)
			continue;
		if (mkdirat(to, e->d_name, st.st_mode & 07777) < 0 && errno != EEXIST) {
			close(sub_from);
			ret =
			    mr_error_set(err, errno, "--privileged: mkdir %s/%s", path, e->d_name);
			break;
		}
		int sub_to = openat(to, e->d_name, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_to < 0) {
			close(sub_from);
			ret = mr_error_set(err, errno, "--privileged: open %s/%s", path, e->d_name);
			break;
		}
		char sub_path[PATH_MAX];
		snprintf(sub_path, sizeof(sub_path), "%s/%s", path, e->d_name);
		ret = copy_host_devices(sub_from, sub_to, sub_path, depth + 1, err);
		close(sub_from);
		close(sub_to);
	}
	closedir(d);
	return ret;
}

int
mr_mounts_dev_build(bool nodes, struct mr_error *err)
{
	/*
	 * The modes exactly (0666 nodes), whatever the caller's umask: minirun
	 * builds it with the user's, the container process under umask 0.
	 * minirun has no other thread by then (launch.c), and the umask is
	 * shared only with threads.
	 */
	cleanup_umask mode_t umask_was = umask(0);
	cleanup_close int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
	    fs_configure(fsfd, "mode=755,size=65536k") < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return mr_error_set(err, errno, "mount tmpfs on /dev");
	cleanup_close int mntfd =
	    fsmount(fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME);
	if (mntfd < 0)
		return mr_error_set(err, errno, "mount tmpfs on /dev: fsmount");
	/* mknodat and friends need a real directory fd, not O_PATH. */
	cleanup_close int dirfd = openat(mntfd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dirfd < 0)
		return mr_error_set(err, errno, "open /dev");
	if (nodes && make_dev_nodes(dirfd, false, err) < 0)
		return -1;
	/*
	 * /dev/core only where the kernel has /proc/kcore (CONFIG_PROC_KCORE),
	 * as runc makes it: elsewhere it would be a dangling link.  The host's
	 * /proc (minirun's): the container's is the same kernel's.
	 */
	bool kcore = access("/proc/kcore", F_OK) == 0;
	for (size_t i = 0; i < MR_ARRAY_SIZE(dev_links); i++) {
		if (!kcore && strcmp(dev_links[i].name, "core") == 0)
			continue;
		if (symlinkat(dev_links[i].target, dirfd, dev_links[i].name) < 0)
			return mr_error_set(err, errno, "symlink /dev/%s", dev_links[i].name);
	}
	static const char *const mount_points[] = {"pts", "shm", "mqueue"};
	for (size_t i = 0; i < MR_ARRAY_SIZE(mount_points); i++)
		if (mkdirat(dirfd, mount_points[i], 0755) < 0)
			return mr_error_set(err, errno, "create /dev/%s", mount_points[i]);
	return mr_steal_fd(&mntfd);
}

bool
mr_mounts_prebuilt(const struct mr_prepared *p)
{
	return !p->userns; /* rootless is always in a user namespace */
}

/*
 * The new /dev on the root: BUILT (mr_mounts_dev_build, by minirun), or
 * built here.  Returns a descriptor of its root.
 */
static int
setup_dev(int rootfd, int built, bool userns, bool tty_gid, bool host_devices, struct mr_error *err)
{
	cleanup_close int mntfd = built >= 0 ? built : mr_mounts_dev_build(!userns, err);
	if (mntfd < 0)
		return -1;
	if (attach_mount(mntfd, rootfd, "dev", "tmpfs", err) < 0)
		return -1;
	cleanup_close int dirfd = openat(mntfd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dirfd < 0)
		return mr_error_set(err, errno, "open /dev");
	/* In a user namespace: binds of the host's nodes, which need the tree attached. */
	if (userns && make_dev_nodes(dirfd, true, err) < 0)
		return -1;
	if (host_devices) {
		cleanup_close int hostfd = open("/dev", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (hostfd < 0)
			return mr_error_set(err, errno, "--privileged: open the host's /dev");
		if (copy_host_devices(hostfd, dirfd, "/dev", 0, err) < 0)
			return -1;
	}
	/* gid 5 (tty) only where it exists: the kernel refuses an unmapped gid. */
	if (mount_at(dirfd, "pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		     tty_gid ? "newinstance,ptmxmode=0666,mode=0620,gid=5"
			     : "newinstance,ptmxmode=0666,mode=0620",
		     err) < 0)
		return -1;
	if (mount_at(dirfd, "shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		     "mode=1777,size=65536k", err) < 0)
		return -1;
	if (mount_at(dirfd, "mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
		     err) < 0)
		return -1;
	return mr_steal_fd(&dirfd);
}

/* Returns a descriptor of the new /sys's root. */
static int
setup_sys(int rootfd, bool userns, bool writable, struct mr_error *err)
{
	/* --privileged: read-write, as Docker mounts it for a privileged container. */
	const unsigned int attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
				   (writable ? 0 : MOUNT_ATTR_RDONLY);
	struct mr_error ignored;

	/* "ro" on the superblock too, as mount(2) with MS_RDONLY gives runc and
	   Docker: a write then fails with EROFS before any permission check. */
	int sysfd = mount_fresh(rootfd, "sys", "sysfs", attrs, writable ? NULL : "ro", &ignored);
	if (sysfd >= 0)
		return sysfd;
	/*
	 * sysfs can only be mounted by a user namespace that owns the network
	 * namespace; in one with --network host (or the OCI config's network
	 * namespace not listed) it falls back to a read-only bind of the
	 * host's /sys (crun's sysfs_userns_fallback).
	 */
	if (!userns || ignored.errnum != EPERM)
		return mr_error_set(err, ignored.errnum, "mount sysfs on /sys");
	cleanup_close int tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/sys",
					      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return mr_error_set(err, errno, "bind /sys into the container");
	/*
	 * Every mount of the tree: the host's /sys/fs/cgroup hierarchies and
	 * any other submount come along and would stay writable (on v1 with
	 * their root's release_agent, CVE-2022-0492).
	 */
	struct mount_attr attr = {.attr_set = attrs};
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
		    sizeof(attr)) < 0)
		return mr_error_set(err, errno, "bind /sys into the container: read-only");
	if (attach_mount(tree, rootfd, "sys", "/sys", err) < 0)
		return -1;
	return mr_steal_fd(&tree);
}

/*
 * Hide PATHS of the filesystem fsfd (a procfs or sysfs minirun mounted):
 * /dev/null over files, an empty read-only tmpfs over directories.  Only a
 * path this fresh filesystem really lacks is skipped (not every kernel has
 * every file); anything else is an error.
 */
static int
mask_paths(int fsfd, const char *fs, const char *const *paths, size_t n, int nullfd,
	   struct mr_error *err)
{
	char null_path[64];
	fd_path(null_path, sizeof(null_path), nullfd);

	for (size_t i = 0; i < n; i++) {
		const char *path = paths[i];
		char target[64];
		struct stat st;
		cleanup_close int fd = open_beneath(fsfd, path);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return mr_error_set(err, errno, "mask /%s/%s", fs, path);
		}
		if (fstat(fd, &st) < 0)
			return mr_error_set(err, errno, "mask /%s/%s", fs, path);
		fd_path(target, sizeof(target), fd);
		/*
		 * Our own /dev/null, a node minirun made in a tmpfs nobody else
		 * can reach: it cannot have been swapped (CVE-2025-31133).
		 */
		if (S_ISDIR(st.st_mode)) {
			if (mount("tmpfs", target, "tmpfs",
				  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "nr_inodes=1") < 0)
				return mr_error_set(err, errno, "mask /%s/%s", fs, path);
		} else if (mount(null_path, target, NULL, MS_BIND, NULL) < 0) {
			return mr_error_set(err, errno, "mask /%s/%s", fs, path);
		}
	}
	return 0;
}

static int
readonly_paths_setup(int procfd, struct mr_error *err)
{
	for (size_t i = 0; i < MR_ARRAY_SIZE(readonly_proc_paths); i++) {
		const char *path = readonly_proc_paths[i];
		cleanup_close int fd = open_beneath(procfd, path);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return mr_error_set(err, errno, "read-only /proc/%s", path);
		}
		/*
		 * A detached copy of the path, made read-only before it is put
		 * back over it: at no point does a writable bind exist, and
		 * nothing is looked up by name again.  nosuid,nodev,noexec stay
		 * (a user namespace may not clear procfs's).
		 */
		cleanup_close int tree = (int)syscall(
		    SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0)
			return mr_error_set(err, errno, "read-only /proc/%s: bind", path);
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
						      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
		if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
			return mr_error_set(err, errno, "read-only /proc/%s: remount", path);
		if (move_mount(tree, "", fd, "",
			       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return mr_error_set(err, errno, "read-only /proc/%s: bind", path);
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

/*
 * ROOTFS bound onto itself in the new mount namespace (pivot_root needs a
 * mount point), checked to be the directory opened before clone.  Returns
 * a descriptor of its root.
 */
static int
bind_checked_rootfs(const struct mr_prepared *p, struct mr_error *err)
{
	const char *root = p->rootfs_path;

	/*
	 * Nothing we mount may propagate back to the host's mount namespace.
	 * An OCI rootfsPropagation of (r)slave asks for the host's mounts to
	 * keep arriving: a slave receives, never sends, and a bind of a slave
	 * (the root below) is a slave of the same master.
	 */
	unsigned long first = MS_REC | MS_PRIVATE;
	if (p->spec->rootfs_propagation & MS_SLAVE)
		first = MS_REC | MS_SLAVE;
	if (mount(NULL, "/", NULL, first, NULL) < 0)
		return mr_error_set(err, errno, "make / %s",
				    first & MS_SLAVE ? "a slave" : "private");
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
	return mr_steal_fd(&rootfd);
}

/*
 * OCI linux.rootfsPropagation, on the container's / once it is the root
 * (runc's order: the flag is for the new root, not for the directory it
 * was).  Everything below it is private or a slave by then, so "shared"
 * makes a new peer group of the container's own, as the spec says ("this
 * does not mean that it's shared with the host"): nested containers'
 * mounts propagate to it, the host sees none of them.
 */
static int
apply_root_propagation(unsigned long flags, struct mr_error *err)
{
	if (flags == 0)
		return 0;
	if (mount(NULL, "/", NULL, flags, NULL) < 0)
		return mr_error_set(err, errno, "linux.rootfsPropagation: set on /");
	return 0;
}

/* The OCI masked and read-only paths, through the fresh procfs and sysfs descriptors. */
static int
apply_masks(int procfd, int sysfd, int devfd, struct mr_error *err)
{
	cleanup_close int nullfd = openat(devfd, "null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (nullfd < 0)
		return mr_error_set(err, errno, "open /dev/null for masking");
	if (mask_paths(procfd, "proc", masked_proc_paths, MR_ARRAY_SIZE(masked_proc_paths), nullfd,
		       err) < 0)
		return -1;
	if (mask_paths(sysfd, "sys", masked_sys_paths, MR_ARRAY_SIZE(masked_sys_paths), nullfd,
		       err) < 0)
		return -1;
	return readonly_paths_setup(procfd, err);
}

/*
 * One path of the config's linux.maskedPaths or readonlyPaths, resolved in
 * the container's root as the container will see it: the image's symlinks
 * are followed, but never out of the root (RESOLVE_IN_ROOT) nor through a
 * magic link, and everything after is done on this descriptor, never on a
 * path string the image owner could swap meanwhile.  -1 with *missing: the
 * path does not exist (skipped, as runc and crun do).
 */
static int
open_config_path(int rootfd, const char *key, const char *path, bool *missing, struct mr_error *err)
{
	struct statx a, b;

	*missing = false;
	cleanup_close int fd = mr_open_in_root(rootfd, path + 1, O_PATH, RESOLVE_NO_MAGICLINKS);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		*missing = true;
		return -1;
	}
	if (fd < 0)
		return mr_error_set(err, errno, "linux.%s: %s", key, path);
	/*
	 * "/..", or an image symlink to "/": a mount over the root would lie
	 * under what pivot_root enters (the root's descriptor), hiding nothing.
	 */
	if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &a) < 0 ||
	    statx(rootfd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &b) < 0)
		return mr_error_set(err, errno, "linux.%s: %s", key, path);
	if (a.stx_mnt_id == b.stx_mnt_id && a.stx_ino == b.stx_ino)
		return mr_error_set(err, 0,
				    "linux.%s: %s resolves to the container's root (a symlink in "
				    "the image?); refusing to mount over it",
				    key, path);
	return mr_steal_fd(&fd);
}

/*
 * A recursive read-only bind of the path onto itself, detached and made
 * read-only before it is attached: no writable copy ever exists.
 */
static int
config_readonly(int fd, const char *path, struct mr_error *err)
{
	cleanup_close int tree =
	    (int)syscall(SYS_open_tree, fd, "",
			 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		return mr_error_set(err, errno, "linux.readonlyPaths: %s: bind", path);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
		    sizeof(attr)) < 0)
		return mr_error_set(err, errno, "linux.readonlyPaths: %s: read-only", path);
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mr_error_set(err, errno, "linux.readonlyPaths: %s: mount", path);
	return 0;
}

/*
 * runc's way: a directory gets an empty read-only tmpfs over it, anything
 * else (file, device, FIFO, socket) a bind of minirun's own /dev/null,
 * which nobody else can reach to swap (CVE-2025-31133).
 */
static int
config_mask(int fd, int nullfd, const char *path, struct mr_error *err)
{
	struct stat st;
	cleanup_close int tree = -1;

	if (fstat(fd, &st) < 0)
		return mr_error_set(err, errno, "linux.maskedPaths: %s", path);
	if (S_ISDIR(st.st_mode)) {
		cleanup_close int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
		if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
		    fsconfig(fsfd, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
		    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
			return mr_error_set(err, errno, "linux.maskedPaths: %s: tmpfs", path);
		tree = fsmount(fsfd, FSMOUNT_CLOEXEC,
			       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				   MOUNT_ATTR_NOEXEC);
	} else {
		tree = (int)syscall(SYS_open_tree, nullfd, "",
				    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	}
	if (tree < 0)
		return mr_error_set(err, errno, "linux.maskedPaths: %s: %s", path,
				    S_ISDIR(st.st_mode) ? "fsmount tmpfs" : "bind /dev/null");
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mr_error_set(err, errno, "linux.maskedPaths: %s: mount", path);
	return 0;
}

/*
 * The config's own masked and read-only paths, in runc's order (read-only
 * first, then masks, each list in its order: a mask over a directory hides
 * the paths below it, which are then skipped).  Last of all the mounts, so
 * one on a volume or on a mount point is on top of it, as the config means.
 */
static int
apply_config_paths(const struct mr_spec *spec, int rootfd, int devfd, struct mr_error *err)
{
	bool missing;

	for (size_t i = 0; i < spec->n_readonly_paths; i++) {
		const char *path = spec->readonly_paths[i];
		cleanup_close int fd =
		    open_config_path(rootfd, "readonlyPaths", path, &missing, err);
		if (fd < 0 && !missing)
			return -1;
		if (fd >= 0 && config_readonly(fd, path, err) < 0)
			return -1;
	}
	if (spec->n_masked_paths == 0)
		return 0;
	cleanup_close int nullfd = openat(devfd, "null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (nullfd < 0)
		return mr_error_set(err, errno, "open /dev/null for masking");
	for (size_t i = 0; i < spec->n_masked_paths; i++) {
		const char *path = spec->masked_paths[i];
		cleanup_close int fd = open_config_path(rootfd, "maskedPaths", path, &missing, err);
		if (fd < 0 && !missing)
			return -1;
		if (fd >= 0 && config_mask(fd, nullfd, path, err) < 0)
			return -1;
	}
	return 0;
}

void
mr_mounts_clear(struct mr_mounts *m)
{
	int *fds[] = {&m->rootfd, &m->scratch, &m->procfd, &m->sysfd,
		      &m->devmnt, &m->devfd,   &m->etcmnt};
	for (size_t i = 0; i < MR_ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(mr_steal_fd(fds[i]));
}

int
mr_mounts_setup_first(const struct mr_prepared *p, struct mr_mounts *m, struct mr_error *err)
{
	m->rootfd = bind_checked_rootfs(p, err);
	if (m->rootfd < 0)
		return -1;
	mr_phase("child:rootfs");
	/* The copy-on-write root (overlay.c) over the checked bind, by fd. */
	if (mr_overlay_setup(p, &m->rootfd, &m->scratch, err) < 0)
		return -1;

	/* --read-only: the whole root tree, before anything is mounted on it. */
	if (mr_volumes_root_readonly(p, m->rootfd, err) < 0)
		return -1;
	/*
	 * No device cgroup (--cgroups=disabled): a node of the image, or of a
	 * mount ROOTFS has on the host, must not open.  The whole tree, before
	 * /dev (whose nodes are Docker's list) goes on it.
	 */
	if (mr_cgroup_devices_unguarded(p->spec, p->userns)) {
		struct mount_attr nodev = {.attr_set = MOUNT_ATTR_NODEV};
		if (syscall(SYS_mount_setattr, m->rootfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &nodev,
			    sizeof(nodev)) < 0)
			return mr_error_set(err, errno, "--cgroups=disabled: root: nodev");
	}
	mr_phase("child:overlay");

	/*
	 * procfs, /dev and /sys are mounted by descriptor and everything done
	 * in them afterwards (masks, read-only paths, /dev nodes) goes through
	 * that descriptor: the owner of ROOTFS can rename ROOTFS/proc while we
	 * work, and the mounted procfs moves with it; masks looked up again as
	 * "proc/kcore" in the rootfs were then all skipped and the container
	 * got the host's /proc/sys read-write once it was renamed back.
	 */
	m->procfd =
	    mount_fresh(m->rootfd, "proc", "proc",
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, NULL, err);
	if (m->procfd < 0)
		return -1;
	mr_phase("child:proc");
	return 0;
}

int
mr_mounts_setup_net(const struct mr_prepared *p, struct mr_mounts *m, struct mr_error *err)
{
	/*
	 * Docker's default sysctls and --sysctl, through this procfs (the
	 * process is in the container's network and IPC namespaces by now),
	 * before /proc/sys becomes read-only (mr_mounts_setup_rest); in a
	 * network namespace minirun made, its thread wrote the net.* ones.
	 */
	if (mr_sysctl_apply(p, m->procfd, m->net_sysctls_written, err) < 0)
		return -1;
	cleanup_close int sysfd = setup_sys(m->rootfd, p->userns, p->spec->privileged, err);
	if (sysfd < 0)
		return -1;
	/*
	 * /sys/fs/cgroup of this sysfs: the container's own cgroups, read-only
	 * (cgroup-mount.c).  The cgroup namespace already exists (launch.c).
	 */
	if (mr_cgroup_mount(p, sysfd, m->procfd, err) < 0)
		return -1;
	m->sysfd = mr_steal_fd(&sysfd);
	mr_phase("child:sys");
	return 0;
}

int
mr_mounts_setup_rest(const struct mr_prepared *p, struct mr_mounts *m, struct mr_error *err)
{
	/*
	 * Only real root can make nodes (the kernel refuses mknod of a device
	 * in a user namespace): there the host's nodes are bound, and
	 * --privileged keeps the default /dev.  --device nodes go into the
	 * fresh /dev by its descriptor, as the default ones.
	 */
	bool tty_gid =
	    !p->rootless && (!p->userns || mr_id_map_has(p->spec->gid_map, p->spec->n_gid_map, 5));
	m->devfd = setup_dev(m->rootfd, mr_steal_fd(&m->devmnt), p->userns, tty_gid,
			     p->spec->privileged && !p->userns, err);
	if (m->devfd < 0 || mr_devices_make_nodes(m->devfd, p->spec->resources.devices,
						  p->spec->resources.n_devices, p->userns, err) < 0)
		return -1;
	mr_phase("child:dev");
	if (!p->spec->privileged && apply_masks(m->procfd, m->sysfd, m->devfd, err) < 0)
		return -1;
	mr_phase("child:masks");
	/*
	 * Docker's /etc/hostname, hosts and resolv.conf: after procfs and
	 * sysfs, so an /etc the image points into them is recognised, and
	 * before the volumes, so a -v on the same path is what the container
	 * sees.
	 */
	int etc = m->etcmnt >= 0 ? mr_steal_fd(&m->etcmnt) : mr_etc_files_build(p, err);
	if (etc < 0 || mr_etc_files_attach(p, m->rootfd, m->scratch, etc, err) < 0)
		return -1;
	mr_phase("child:etc-files");
	/*
	 * Volumes last, as docker mounts user mounts after its defaults: a
	 * volume at /dev/x must land in the /dev tmpfs, not under it, and a
	 * destination that an image symlink points into /proc or /sys is
	 * recognised only once the procfs, sysfs and their masks are there.
	 * Before pivot_root, while the host's paths still resolve (rootless
	 * sources are opened again here).
	 */
	if (mr_volumes_attach(p, m->rootfd, err) < 0)
		return -1;
	mr_phase("child:volumes");
	if (apply_config_paths(p->spec, m->rootfd, m->devfd, err) < 0)
		return -1;
	int rootfd = mr_steal_fd(&m->rootfd);
	mr_mounts_clear(m);
	return rootfd;
}

int
mr_mounts_pivot_root(const struct mr_prepared *p, int rootfd, struct mr_error *err)
{
	if (do_pivot_root(rootfd, err) < 0)
		return -1;
	mr_phase("child:pivot_root");
	return apply_root_propagation(p->spec->rootfs_propagation, err);
}

bool
mr_mounts_default_path(bool readonly, size_t i, char *buf, size_t size)
{
	size_t n_proc =
	    readonly ? MR_ARRAY_SIZE(readonly_proc_paths) : MR_ARRAY_SIZE(masked_proc_paths);
	size_t n_sys = readonly ? 0 : MR_ARRAY_SIZE(masked_sys_paths);

	if (i < n_proc)
		snprintf(buf, size, "/proc/%s",
			 readonly ? readonly_proc_paths[i] : masked_proc_paths[i]);
	else if (i < n_proc + n_sys)
		snprintf(buf, size, "/sys/%s", masked_sys_paths[i - n_proc]);
	else
		return false;
	return true;
}
