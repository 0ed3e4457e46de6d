/* SPDX-License-Identifier: MIT */
/*
 * tmpcopyup (copyup.h).  Runs in the container process before pivot_root,
 * as root, on the image's tree: the image owner is hostile, so no name is
 * ever followed (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW, readlinkat), a regular file
 * is checked to be the one fstatat saw once it is open, FIFOs and devices
 * are made with mknodat and never opened, and the walk is bounded.  The
 * destination is a tmpfs nobody else can reach yet (a detached mount).  A
 * file swapped for a device node between fstatat and open is opened
 * (O_NONBLOCK, never read) under the container's device cgroup, joined
 * before the mounts: only a node the container may open anyway.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/copyup.h"
#include "common/util.h"

/* Deeper than any image directory a tmpfs goes over (/run, /tmp). */
#define MAX_DEPTH 64
#define COPY_BUF  65536

/*
 * The walk's state, on the heap: the recursion keeps only a struct stat and
 * a few descriptors per level on the stack.  With the buffers there (72 KiB a
 * level) a 14-deep image directory overran a config's 1 MiB RLIMIT_STACK,
 * set before the mounts: the container process died of SIGSEGV and run
 * reported 139, as if the command had crashed.
 */
struct walk {
	const char *what;
	struct mr_error *err;
	char buf[COPY_BUF];
	char link[PATH_MAX];
	char path[PATH_MAX]; /* the entry at hand, for messages */
};

static int
copy_range(int src, int dst, off_t off, off_t end, char *buf)
{
	while (off < end) {
		size_t want = end - off < COPY_BUF ? (size_t)(end - off) : COPY_BUF;
		ssize_t n = pread(src, buf, want, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n; /* 0: cut short since fstat; ftruncate restores the size */
		for (ssize_t done = 0; done < n;) {
			ssize_t w = pwrite(dst, buf + done, (size_t)(n - done), off + done);
			if (w < 0)
				return -1;
			done += w;
		}
		off += n;
	}
	return 0;
}

/*
 * Only the data extents are written (SEEK_DATA/SEEK_HOLE), and the size is
 * set last: a hole stays a hole.  Read through, a sparse file of the image
 * (truncate -s 1T) would fill the tmpfs with zeros, its whole size (half the
 * host's RAM by default) charged before the command runs, or fail the start
 * with ENOSPC; the tmpfs now holds what the image does.
 */
static int
copy_data(int src, int dst, off_t size, char *buf)
{
	for (off_t off = 0; off < size;) {
		off_t data = lseek(src, off, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break; /* a hole up to the end */
		if (data < 0)
			return -1;
		off_t end = lseek(src, data, SEEK_HOLE);
		if (end < 0)
			return -1;
		if (end > size)
			end = size;
		if (data < end && copy_range(src, dst, data, end, buf) < 0)
			return -1;
		off = end > data ? end : size;
	}
	return ftruncate(dst, size);
}

static int
copy_file(struct walk *w, int from, int to, const char *name, const struct stat *st)
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
	if (dst < 0 || copy_data(src, dst, now.st_size, w->buf) < 0)
		return -1;
	/* Owner first: chown clears the set-id bits the mode then gives back. */
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	if (fchown(dst, st->st_uid, st->st_gid) < 0 || fchmod(dst, st->st_mode & 07777) < 0 ||
	    futimens(dst, times) < 0)
		return -1;
	return 0;
}

static int copy_tree(struct walk *w, int from, int to, int depth);

static int
copy_dir(struct walk *w, int from, int to, const char *name, int depth)
{
	if (depth >= MAX_DEPTH)
		return mr_error_set(w->err, ELOOP,
				    "%s: tmpcopyup: %s: more than %d levels of directories",
				    w->what, w->path, MAX_DEPTH);
	if (mkdirat(to, name, 0700) < 0)
		return mr_error_set(w->err, errno, "%s: tmpcopyup: mkdir %s", w->what, w->path);
	cleanup_close int sfrom =
	    openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int sto = openat(to, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfrom < 0 || sto < 0)
		return mr_error_set(w->err, errno, "%s: tmpcopyup: open %s", w->what, w->path);
	return copy_tree(w, sfrom, sto, depth + 1);
}

/* One entry NAME of FROM, made in TO; w->path names it. */
static int
copy_entry(struct walk *w, int from, int to, const char *name, int depth)
{
	struct stat st;

	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return mr_error_set(w->err, errno, "%s: tmpcopyup: %s", w->what, w->path);
	if (S_ISREG(st.st_mode)) {
		if (copy_file(w, from, to, name, &st) < 0)
			return mr_error_set(w->err, errno, "%s: tmpcopyup: copy %s", w->what,
					    w->path);
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(from, name, w->link, sizeof(w->link) - 1);
		if (n < 0)
			return mr_error_set(w->err, errno, "%s: tmpcopyup: readlink %s", w->what,
					    w->path);
		w->link[n] = '\0';
		if (symlinkat(w->link, to, name) < 0)
			return mr_error_set(w->err, errno, "%s: tmpcopyup: symlink %s", w->what,
					    w->path);
	} else if (S_ISDIR(st.st_mode)) {
		if (copy_dir(w, from, to, name, depth) < 0)
			return -1;
	} else if (mknodat(to, name, st.st_mode & (S_IFMT | 07777), st.st_rdev) < 0) {
		/* FIFO, socket, device: made, never opened. */
		return mr_error_set(w->err, errno, "%s: tmpcopyup: mknod %s", w->what, w->path);
	}
	/* Made just now in the detached tmpfs: nothing can stand in its place. */
	struct timespec times[2] = {st.st_atim, st.st_mtim};
	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(st.st_mode) && fchmodat(to, name, st.st_mode & 07777, 0) < 0) ||
	    utimensat(to, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return mr_error_set(w->err, errno, "%s: tmpcopyup: %s", w->what, w->path);
	return 0;
}

static int
copy_tree(struct walk *w, int from, int to, int depth)
{
	int dup_from = fcntl(from, F_DUPFD_CLOEXEC, 0);
	cleanup_dir DIR *d = dup_from >= 0 ? fdopendir(dup_from) : NULL;
	if (d == NULL) {
		if (dup_from >= 0)
			close(dup_from);
		return mr_error_set(w->err, errno, "%s: tmpcopyup: read %s", w->what, w->path);
	}
	size_t len = strlen(w->path);
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		/* Cut short past PATH_MAX: it only names the entry in a message. */
		snprintf(w->path + len, sizeof(w->path) - len, "/%s", e->d_name);
		if (copy_entry(w, from, to, e->d_name, depth) < 0)
			return -1;
		w->path[len] = '\0';
		errno = 0;
	}
	if (errno != 0)
		return mr_error_set(w->err, errno, "%s: tmpcopyup: read %s", w->what, w->path);
	return 0;
}

int
mr_copyup(int from, int to, const char *what, struct mr_error *err)
{
	/* FROM may be an O_PATH descriptor: readdir needs the directory open. */
	cleanup_close int dir = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return mr_error_set(err, errno, "%s: tmpcopyup: open the image's directory", what);
	cleanup_free struct walk *w = malloc(sizeof(*w));
	if (w == NULL)
		return mr_error_oomf(err, "%s: tmpcopyup", what);
	w->what = what;
	w->err = err;
	snprintf(w->path, sizeof(w->path), "%s", what);
	return copy_tree(w, dir, to, 0);
}
