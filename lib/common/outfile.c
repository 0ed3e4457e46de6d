/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/outfile.h"
#include "common/file.h"
#include "common/util.h"

static const char *
file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFDIR:
		return "a directory";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "not a regular file";
	}
}

/* Why PATH (BASE in DIRFD) cannot be opened for writing, from what is there now. */
static int
refuse(const char *flag, const char *path, int dirfd, const char *base, int e, struct mr_error *err)
{
	struct stat st;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return mr_error_set(err, 0, "%s=%s: a symbolic link (not followed)", flag, path);
	/* ENXIO: a FIFO with no reader, or a socket. */
	if (e == ENXIO && fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(st.st_mode))
		return mr_error_set(err, 0, "%s=%s: not a regular file (%s)", flag, path,
				    file_kind(st.st_mode));
	return mr_error_set(err, e, "%s=%s", flag, path);
}

int
mr_outfile_open(struct mr_outfile *f, const char *flag, const char *path, bool truncate,
		struct mr_error *err)
{
	/*
	 * O_NONBLOCK: opening a FIFO for writing would wait for a reader
	 * (forever); with it the open fails (ENXIO) or succeeds and fstat
	 * refuses it.  O_EXCL first, to know whether this run created the
	 * file; then the existing one.  No O_TRUNC: the path could change
	 * between two opens, the descriptor cannot.
	 */
	const int flags = O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	int fd = -1;
	bool created = false;
	const char *base;

	/* The directory, once: the file is looked up in it, and it is what is checked below. */
	cleanup_close int dirfd = mr_open_parent(path, &base);
	if (dirfd < 0)
		return mr_error_set(err, errno, "%s=%s", flag, path);

	/* A few rounds: the file may be removed or created between the two opens. */
	for (int tries = 0; fd < 0 && tries < 4; tries++) {
		fd = openat(dirfd, base, flags | O_CREAT | O_EXCL, 0644);
		if (fd >= 0) {
			created = true;
			break;
		}
		if (errno != EEXIST)
			return refuse(flag, path, dirfd, base, errno, err);
		fd = openat(dirfd, base, flags);
		if (fd < 0 && errno != ENOENT)
			return refuse(flag, path, dirfd, base, errno, err);
	}
	if (fd < 0)
		return mr_error_set(err, ENOENT, "%s=%s", flag, path);

	struct stat st, dst;
	if (fstat(fd, &st) < 0 || fstat(dirfd, &dst) < 0) {
		int e = errno;
		close(fd);
		return mr_error_set(err, e, "%s=%s: fstat", flag, path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return mr_error_set(err, 0, "%s=%s: not a regular file (%s)", flag, path,
				    file_kind(st.st_mode));
	}
	/*
	 * Another user's file in /tmp, put there before the caller's run
	 * (mode 0666): what minirun wrote (a learned profile the caller then
	 * deploys) would stay that user's to rewrite, and to read.
	 */
	if (!created && mr_foreign_in_sticky_dir(&dst, &st)) {
		close(fd);
		return mr_error_set(err, 0,
				    "%s=%s: another user's file (uid %u) in a sticky directory "
				    "others can write to; not written (remove it, or choose "
				    "another path)",
				    flag, path, (unsigned)st.st_uid);
	}
	if (!created && mr_linked_in_sticky_dir(&dst, &st)) {
		close(fd);
		return mr_error_set(err, 0,
				    "%s=%s: a file with %lu hard links in a sticky directory "
				    "others can write to; not written (remove it, or choose "
				    "another path)",
				    flag, path, (unsigned long)st.st_nlink);
	}
	/* A regular file: back to ordinary blocking writes; emptied only now. */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
	    (truncate && ftruncate(fd, 0) < 0)) {
		int e = errno;
		close(fd);
		return mr_error_set(err, e, "%s=%s", flag, path);
	}
	char *copy = strdup(path);
	if (copy == NULL) {
		close(fd);
		return mr_error_oom(err, flag);
	}
	f->fd = fd;
	f->path = copy;
	f->created = created;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

int
mr_outfile_write(struct mr_outfile *f, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
mr_outfile_replace(struct mr_outfile *f, const void *data, size_t len)
{
	if (ftruncate(f->fd, 0) < 0 || lseek(f->fd, 0, SEEK_SET) < 0)
		return -1;
	return mr_outfile_write(f, data, len);
}

void
mr_outfile_discard(struct mr_outfile *f)
{
	struct stat st;
	if (f->path == NULL || !f->created)
		return;
	/* Only the file this run made: not whatever the path names now. */
	if (lstat(f->path, &st) == 0 && st.st_dev == f->dev && st.st_ino == f->ino)
		unlink(f->path);
	f->created = false;
}

void
mr_outfile_close(struct mr_outfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->path);
	f->path = NULL;
}
