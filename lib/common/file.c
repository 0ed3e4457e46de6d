/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/file.h"
#include "common/util.h"

/*
 * Open the very inode the O_PATH descriptor names (through its
 * /proc/self/fd magic link: no name is looked up again, so nothing can be
 * swapped in between).  O_NONBLOCK|O_NOCTTY in case it is not what fstat
 * said after all; O_NONBLOCK is cleared once that is ruled out.
 */
static int
reopen(int pathfd, const struct stat *want, int flags)
{
	char proc[64];
	struct stat st;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	cleanup_close int fd = open(proc, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return -1;
	if (st.st_dev != want->st_dev || st.st_ino != want->st_ino || !S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return MR_NOT_REGULAR;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return -1;
	return mr_steal_fd(&fd);
}

int
mr_open_regular_read(int dirfd, const char *path, uint64_t resolve, struct stat *st)
{
	struct stat local;
	cleanup_close int pathfd = -1;

	if (st == NULL)
		st = &local;
	if (resolve) {
		struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = resolve};
		pathfd = mr_openat2(dirfd, path, &how);
	} else {
		pathfd = openat(dirfd, path, O_PATH | O_CLOEXEC);
	}
	if (pathfd < 0)
		return -1;
	if (fstat(pathfd, st) < 0)
		return -1;
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		return MR_NOT_REGULAR;
	}
	return reopen(pathfd, st, O_RDONLY);
}

int
mr_reopen_regular_read(int pathfd, const struct stat *st)
{
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		return MR_NOT_REGULAR;
	}
	return reopen(pathfd, st, O_RDONLY);
}

/* The kernel's own bound on symlinks in one lookup (MAXSYMLINKS). */
#define PARENT_MAX_LINKS 40

/*
 * May a symlink whose owner is link_uid, in the directory *dir describes,
 * be followed?  The kernel's fs.protected_symlinks=1 rule (may_follow_link),
 * whatever the sysctl says (0 here and on many hosts), with "others" as in
 * mr_foreign_in_sticky_dir: another user's symlink in /tmp, /tmp/x -> /etc,
 * made /tmp/x/shadow root's /etc/shadow.
 */
static bool
may_follow(const struct stat *dir, uid_t link_uid)
{
	return link_uid == geteuid() || !(dir->st_mode & S_ISVTX) ||
	       !(dir->st_mode & (S_IWGRP | S_IWOTH)) || link_uid == dir->st_uid;
}

/* One step of the walk: *dfd becomes NAME's directory, or its symlink's text heads *rest. */
static int
parent_step(int *dfd, const char *name, char **rest, unsigned *links)
{
	struct stat st, dst;
	cleanup_close int fd = openat(*dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		close(*dfd);
		*dfd = mr_steal_fd(&fd);
		return 0;
	}
	if (!S_ISLNK(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	char link[PATH_MAX];
	ssize_t n = readlinkat(*dfd, name, link, sizeof(link) - 1);
	if (n < 0 || fstat(*dfd, &dst) < 0)
		return -1;
	if (!may_follow(&dst, st.st_uid)) {
		errno = EACCES;
		return -1;
	}
	if (++*links > PARENT_MAX_LINKS || n == 0) {
		errno = n == 0 ? ENOENT : ELOOP;
		return -1;
	}
	link[n] = '\0';
	char *joined;
	if (asprintf(&joined, "%s/%s", link, *rest) < 0)
		return -1;
	free(*rest);
	*rest = joined;
	if (link[0] == '/') {
		int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0)
			return -1;
		close(*dfd);
		*dfd = root;
	}
	return 0;
}

/* DIR opened component by component, each symlink followed only if may_follow says so. */
static int
open_dir_walk(const char *dir)
{
	cleanup_close int dfd = open(dir[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *rest = strdup(dir);
	unsigned links = 0;
	if (dfd < 0 || rest == NULL)
		return -1;
	for (;;) {
		char *p = rest + strspn(rest, "/");
		if (*p == '\0')
			return mr_steal_fd(&dfd);
		size_t len = strcspn(p, "/");
		cleanup_free char *name = strndup(p, len);
		if (name == NULL)
			return -1;
		memmove(rest, p + len, strlen(p + len) + 1);
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			int up = openat(dfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (up < 0)
				return -1;
			close(dfd);
			dfd = up;
			continue;
		}
		if (parent_step(&dfd, name, &rest, &links) < 0)
			return -1;
	}
}

int
mr_open_parent(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL || slash[1] == '\0') {
		*base = path;
		return open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	*base = slash + 1;
	if (slash == path)
		return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return -1;
	return open_dir_walk(dir);
}

bool
mr_foreign_in_sticky_dir(const struct stat *dir, const struct stat *file)
{
	/*
	 * The kernel's rule (may_create_in_sticky) at its strictest, whatever
	 * the sysctl says (0 on many hosts), and for every open: it only ever
	 * looks at opens with O_CREAT, and minirun opens an existing file
	 * without it.
	 */
	return (dir->st_mode & S_ISVTX) && (dir->st_mode & (S_IWGRP | S_IWOTH)) &&
	       file->st_uid != dir->st_uid && file->st_uid != geteuid();
}

bool
mr_linked_in_sticky_dir(const struct stat *dir, const struct stat *file)
{
	/*
	 * fs.protected_hardlinks=1 (systemd's setting; the kernel's default
	 * is 0) keeps others from linking a file they cannot both read and
	 * write, but minirun may run where it is 0: uid 1501's
	 * `ln /etc/shadow /tmp/p.json` then had root's learned profile
	 * written over /etc/shadow.  Whatever the sysctl, as above.
	 */
	return (dir->st_mode & S_ISVTX) && (dir->st_mode & (S_IWGRP | S_IWOTH)) &&
	       file->st_nlink > 1;
}
