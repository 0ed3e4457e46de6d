/* SPDX-License-Identifier: MIT */
/*
 * tmpcopyup (copyup.h).  Runs in the container process before pivot_root,
 * as root, on the image's tree: the image owner is hostile, so no name is
 * ever followed (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW, readlinkat), a regular file
 * is checked to be the one fstatat saw once it is open, FIFOs and devices
 * are made with mknodat and never opened, and the walk is bounded.  The
 * destination is a tmpfs nobody else can reach yet (a detached mount).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/copyup.h"
#include "common/util.h"

/* Deeper than any image directory a tmpfs goes over (/run, /tmp). */
#define MAX_DEPTH 64

static int
copy_data(int src, int dst)
{
	char buf[65536];
	for (;;) {
		ssize_t n = copy_file_range(src, NULL, dst, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return -1;
		break;
	}
	for (;;) {
		ssize_t n = read(src, buf, sizeof(buf));
		if (n <= 0)
			return (int)n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(dst, buf + off, (size_t)(n - off));
			if (w < 0)
				return -1;
			off += w;
		}
	}
}

static int
copy_file(int from, int to, const char *name, const struct stat *st)
{
	cleanup_close int src =
	    openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat now;
	if (src < 0 || fstat(src, &now) < 0)
		return -1;
	if (!S_ISREG(now.st_mode) || now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
		errno = ESTALE; /* swapped since fstatat */
		return -1;
	}
	cleanup_close int dst =
	    openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dst < 0 || copy_data(src, dst) < 0)
		return -1;
	/* Owner first: chown clears the set-id bits the mode then gives back. */
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	if (fchown(dst, st->st_uid, st->st_gid) < 0 || fchmod(dst, st->st_mode & 07777) < 0 ||
	    futimens(dst, times) < 0)
		return -1;
	return 0;
}

static int copy_tree(int from, int to, const char *path, int depth, struct mr_error *err,
		     const char *what);

/* One entry NAME of FROM, made in TO. */
static int
copy_entry(int from, int to, const char *name, const char *path, int depth, struct mr_error *err,
	   const char *what)
{
	struct stat st;
	char sub[PATH_MAX];
	snprintf(sub, sizeof(sub), "%s/%s", path, name);

	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return mr_error_set(err, errno, "%s: tmpcopyup: %s", what, sub);
	if (S_ISREG(st.st_mode)) {
		if (copy_file(from, to, name, &st) < 0)
			return mr_error_set(err, errno, "%s: tmpcopyup: copy %s", what, sub);
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(from, name, target, sizeof(target) - 1);
		if (n < 0)
			return mr_error_set(err, errno, "%s: tmpcopyup: readlink %s", what, sub);
		target[n] = '\0';
		if (symlinkat(target, to, name) < 0)
			return mr_error_set(err, errno, "%s: tmpcopyup: symlink %s", what, sub);
	} else if (S_ISDIR(st.st_mode)) {
		if (depth >= MAX_DEPTH)
			return mr_error_set(err, ELOOP,
					    "%s: tmpcopyup: %s: more than %d levels of directories",
					    what, sub, MAX_DEPTH);
		if (mkdirat(to, name, 0700) < 0)
			return mr_error_set(err, errno, "%s: tmpcopyup: mkdir %s", what, sub);
		cleanup_close int sfrom =
		    openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int sto =
		    openat(to, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sfrom < 0 || sto < 0)
			return mr_error_set(err, errno, "%s: tmpcopyup: open %s", what, sub);
		if (copy_tree(sfrom, sto, sub, depth + 1, err, what) < 0)
			return -1;
	} else if (mknodat(to, name, st.st_mode & (S_IFMT | 07777), st.st_rdev) < 0) {
		/* FIFO, socket, device: made, never opened. */
		return mr_error_set(err, errno, "%s: tmpcopyup: mknod %s", what, sub);
	}
	/* Made just now in the detached tmpfs: nothing can stand in its place. */
	struct timespec times[2] = {st.st_atim, st.st_mtim};
	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(st.st_mode) && fchmodat(to, name, st.st_mode & 07777, 0) < 0) ||
	    utimensat(to, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return mr_error_set(err, errno, "%s: tmpcopyup: %s", what, sub);
	return 0;
}

static int
copy_tree(int from, int to, const char *path, int depth, struct mr_error *err, const char *what)
{
	int dup_from = fcntl(from, F_DUPFD_CLOEXEC, 0);
	cleanup_dir DIR *d = dup_from >= 0 ? fdopendir(dup_from) : NULL;
	if (d == NULL) {
		if (dup_from >= 0)
			close(dup_from);
		return mr_error_set(err, errno, "%s: tmpcopyup: read %s", what, path);
	}
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (copy_entry(from, to, e->d_name, path, depth, err, what) < 0)
			return -1;
		errno = 0;
	}
	if (errno != 0)
		return mr_error_set(err, errno, "%s: tmpcopyup: read %s", what, path);
	return 0;
}

int
mr_copyup(int from, int to, const char *what, struct mr_error *err)
{
	/* FROM may be an O_PATH descriptor: readdir needs the directory open. */
	cleanup_close int dir = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return mr_error_set(err, errno, "%s: tmpcopyup: open the image's directory", what);
	return copy_tree(dir, to, what, 0, err, what);
}
