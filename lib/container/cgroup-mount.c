/* SPDX-License-Identifier: MIT */
/*
 * /sys/fs/cgroup inside the container (cgroup-mount.h).  Why it looks the
 * way it does:
 *   - Docker on cgroup v2 gives a container a private cgroup namespace and
 *     mounts cgroup2 read-only: within the namespace a cgroup mount's root
 *     is the namespace's root, the container's own cgroup, so the container
 *     sees its limits and processes and nothing above them.  On cgroup v1
 *     runc mounts each hierarchy the same way below a tmpfs.
 *   - CVE-2022-0492: writing a v1 hierarchy's release_agent makes the host
 *     kernel run a program as root.  The file exists only in a hierarchy's
 *     root cgroup.  A hierarchy is therefore mounted only where the
 *     container has a cgroup of its own (minirun joins only the hierarchies
 *     it needs, cgroup.c: in the others the namespace is rooted at
 *     minirun's cgroup, on many hosts the hierarchy's root), and a mount
 *     that shows a release_agent anyway is refused.
 *   - The mount point is looked up beneath the fresh sysfs minirun mounted,
 *     never through a path of the image, and every mount is made detached
 *     (new mount API) and attached by descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/cgroup-mount.h"
#include "container/cgroup.h"
#include "common/util.h"

#define MAX_HIERARCHIES 16

struct cg_mount {
	char controllers[128]; /* as /proc/self/cgroup lists them; "" for cgroup2 */
	int mntfd;	       /* the detached mount */
};

/* A directory beneath dirfd: no symlink, no other mount on the way. */
static int
open_dir_beneath(int dirfd, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW,
	    .resolve =
		RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	return mr_openat2(dirfd, path, &how);
}

static int
attach(int mntfd, int target)
{
	return move_mount(mntfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/*
 * A detached mount of the hierarchy of CONTROLLERS ("" is cgroup2), or -1
 * with errno; *missing when the kernel does not know one of the controllers.
 */
static int
new_cgroup_mount(const char *controllers, unsigned int attrs, bool *missing)
{
	bool v2 = controllers[0] == '\0';
	char buf[128], *save = NULL;

	*missing = false;
	cleanup_close int fsfd = fsopen(v2 ? "cgroup2" : "cgroup", FSOPEN_CLOEXEC);
	if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "cgroup", 0) < 0)
		return -1;
	size_t len = strnlen(controllers, sizeof(buf) - 1);
	memcpy(buf, controllers, len);
	buf[len] = '\0';
	for (char *c = strtok_r(buf, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		/* A v1 mount must name exactly the hierarchy's controllers. */
		int r = strncmp(c, "name=", 5) == 0
			    ? fsconfig(fsfd, FSCONFIG_SET_STRING, "name", c + 5, 0)
			    : fsconfig(fsfd, FSCONFIG_SET_FLAG, c, NULL, 0);
		if (r < 0) {
			*missing = errno == EINVAL || errno == ENOENT;
			return -1;
		}
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	return fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
}

static const char *
dir_name(const struct cg_mount *m)
{
	/* name=systemd on systemd, as on the host and in Docker's containers. */
	if (strncmp(m->controllers, "name=", 5) == 0)
		return m->controllers + 5;
	return m->controllers[0] ? m->controllers : "unified";
}

/*
 * The hierarchies to mount, from /proc/self/cgroup (read in the container's
 * own procfs): as root those the container has its own cgroup in, rootless
 * only cgroup2.  Returns their number, or -1 (as root) on failure.
 */
static int
list_hierarchies(const struct mr_prepared *p, int procfd, struct cg_mount *m, size_t max,
		 struct mr_error *err)
{
	char buf[4096];
	size_t n = 0, len = 0;
	cleanup_close int fd = openat(procfd, "self/cgroup", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t r = 1;

	while (fd >= 0 && len < sizeof(buf) - 1 &&
	       (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	if (fd < 0 || r < 0)
		return mr_error_set(err, errno, "mount /sys/fs/cgroup: read /proc/self/cgroup");
	buf[len] = '\0';
	for (char *line = buf, *nl; *line && n < max; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		/* ID:CONTROLLERS:PATH */
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL || (size_t)(c2 - c1 - 1) >= sizeof(m[n].controllers))
			continue;
		snprintf(m[n].controllers, sizeof(m[n].controllers), "%.*s", (int)(c2 - c1 - 1),
			 c1 + 1);
		bool v2 = m[n].controllers[0] == '\0';
		if (p->rootless
			? !v2
			: p->cgroup == NULL || !mr_cgroup_has_own(p->cgroup, m[n].controllers))
			continue;
		m[n++].mntfd = -1;
	}
	return (int)n;
}

static void
close_all(struct cg_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].mntfd >= 0)
			close(m[i].mntfd);
}

/*
 * Detached mounts of the listed hierarchies.  Rootless a mount that fails is
 * dropped (the start goes on without it), as root it is an error, except for
 * a controller the kernel does not have.
 */
static int
make_mounts(const struct mr_prepared *p, struct cg_mount *m, size_t *n, unsigned int attrs,
	    struct mr_error *err)
{
	size_t kept = 0;

	for (size_t i = 0; i < *n; i++) {
		bool missing;
		m[i].mntfd = new_cgroup_mount(m[i].controllers, attrs, &missing);
		if (m[i].mntfd < 0 && !p->rootless && !missing) {
			close_all(m, kept);
			return mr_error_set(err, errno, "mount cgroup%s%s on /sys/fs/cgroup%s%s",
					    m[i].controllers[0] ? " " : "2", m[i].controllers,
					    *n > 1 ? "/" : "", *n > 1 ? dir_name(&m[i]) : "");
		}
		/*
		 * CVE-2022-0492: the namespace must have put the mount's root in
		 * the container's cgroup, never the hierarchy's root, the only
		 * cgroup with a release_agent.
		 */
		if (m[i].mntfd >= 0 && m[i].controllers[0] &&
		    faccessat(m[i].mntfd, "release_agent", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
			close(m[i].mntfd);
			close_all(m, kept);
			return mr_error_set(
			    err, 0,
			    "mount cgroup %s on /sys/fs/cgroup: it would show the "
			    "hierarchy's root and its release_agent (CVE-2022-0492)",
			    m[i].controllers);
		}
		if (m[i].mntfd >= 0)
			m[kept++] = m[i];
	}
	*n = kept;
	return 0;
}

/* Hybrid or v1: a tmpfs with one directory per mount, then made read-only. */
static int
attach_in_tmpfs(int target, struct cg_mount *m, size_t n, unsigned int attrs, struct mr_error *err)
{
	cleanup_close int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "755", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "64k", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return mr_error_set(err, errno, "mount tmpfs on /sys/fs/cgroup");
	/* Writable until its directories are made. */
	cleanup_close int tmpfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs & ~MOUNT_ATTR_RDONLY);
	if (tmpfd < 0 || attach(tmpfd, target) < 0)
		return mr_error_set(err, errno, "mount tmpfs on /sys/fs/cgroup");
	for (size_t i = 0; i < n; i++) {
		const char *name = dir_name(&m[i]);
		if (mkdirat(tmpfd, name, 0755) < 0)
			return mr_error_set(err, errno, "mkdir /sys/fs/cgroup/%s", name);
		cleanup_close int dir = open_dir_beneath(tmpfd, name);
		if (dir < 0 || attach(m[i].mntfd, dir) < 0)
			return mr_error_set(err, errno, "mount cgroup on /sys/fs/cgroup/%s", name);
	}
	if (attrs & MOUNT_ATTR_RDONLY) {
		struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
		if (syscall(SYS_mount_setattr, tmpfd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
			return mr_error_set(err, errno, "/sys/fs/cgroup: read-only");
	}
	return 0;
}

int
mr_cgroup_mount(const struct mr_prepared *p, int sysfd, int procfd, struct mr_error *err)
{
	/* --privileged: read-write, as Docker mounts it for a privileged container. */
	const unsigned int attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
				   (p->spec->privileged ? 0 : MOUNT_ATTR_RDONLY);
	struct cg_mount m[MAX_HIERARCHIES];
	struct statfs sf;

	/*
	 * Rootless, /sys may be the host's, bound (mounts.c: setup_sys): its
	 * fs/cgroup is then another mount, which RESOLVE_NO_XDEV refuses, and
	 * is left as it is.
	 */
	cleanup_close int target = open_dir_beneath(sysfd, "fs/cgroup");
	if (target < 0)
		return p->rootless || errno == ENOENT
			   ? 0
			   : mr_error_set(err, errno, "mount cgroup on /sys/fs/cgroup");
	/* The host's, still visible before pivot_root: pure v2 or not. */
	bool pure_v2 = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
	int r = list_hierarchies(p, procfd, m, MR_ARRAY_SIZE(m), err);
	if (r < 0 && p->rootless)
		mr_error_clear(err);
	if (r < 0)
		return p->rootless ? 0 : -1;
	size_t n = (size_t)r;
	if (pure_v2)
		n = n > 0 && m[0].controllers[0] == '\0' ? 1 : 0;
	if (make_mounts(p, m, &n, attrs, err) < 0)
		return -1;
	if (n == 0)
		return 0;
	if (pure_v2)
		r = attach(m[0].mntfd, target) < 0
			? mr_error_set(err, errno, "mount cgroup2 on /sys/fs/cgroup")
			: 0;
	else
		r = attach_in_tmpfs(target, m, n, attrs, err);
	close_all(m, n);
	/* Rootless this is never a reason not to start (README). */
	if (r < 0 && p->rootless) {
		mr_error_clear(err);
		r = 0;
	}
	return r;
}
