/* SPDX-License-Identifier: MIT */
/*
 * Safe tar unpacking (see unpack.h for the rules).  libarchive parses and
 * decompresses; it never writes: archive_write_disk works on path names,
 * and its SECURE_SYMLINKS check is an lstat of each parent done before the
 * open -- a walk the kernel does again afterwards, by name.  Here every
 * file is made by this code with *at() calls on a parent descriptor the
 * kernel resolved beneath the target, which leaves nothing to race and no
 * name to re-resolve.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "container/unpack.h"
#include "common/escape.h"
#include "common/util.h"

/*
 * Deeper trees are refused: removing one must not run out of descriptors
 * (mr_rm_rf_at keeps one open per level; RLIMIT_NOFILE is often 1024).
 */
#define MAX_DEPTH 256

/* The openat2 walk of every parent: beneath the target, no /proc magic links, no mounts. */
#define BENEATH (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

struct mr_unpack_dir {
	char *path;
	unsigned depth;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec mtime;
	bool has_mtime;
};

/* --- a set of strings (open addressing, FNV-1a) --- */

#define FNV_OFFSET 0xcbf29ce484222325ULL

/* FNV-1a runs byte by byte: the hash of a prefix is the hash at that point. */
static uint64_t
fnv1a_step(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t
fnv1a(const char *s)
{
	return fnv1a_step(FNV_OFFSET, s, strlen(s));
}

/* Whether the first len bytes of s (hash h) are in the set. */
static bool
pathset_has_n(const struct mr_pathset *ps, const char *s, size_t len, uint64_t h)
{
	if (ps->cap == 0)
		return false;
	for (size_t i = h & (ps->cap - 1);; i = (i + 1) & (ps->cap - 1)) {
		if (ps->slots[i] == NULL)
			return false;
		if (strncmp(ps->slots[i], s, len) == 0 && ps->slots[i][len] == '\0')
			return true;
	}
}

static bool
pathset_has(const struct mr_pathset *ps, const char *s)
{
	return pathset_has_n(ps, s, strlen(s), fnv1a(s));
}

static void
pathset_put(struct mr_pathset *ps, char *owned, uint64_t h)
{
	size_t i = h & (ps->cap - 1);
	while (ps->slots[i] != NULL)
		i = (i + 1) & (ps->cap - 1);
	ps->slots[i] = owned;
	ps->n++;
}

/* Add a copy of the first len bytes of s (hash h), known not to be there.  -1 on ENOMEM. */
static int
pathset_add_new(struct mr_pathset *ps, const char *s, size_t len, uint64_t h)
{
	cleanup_free char *copy = strndup(s, len);
	if (copy == NULL)
		return -1;
	if ((ps->n + 1) * 2 > ps->cap) {
		struct mr_pathset bigger = {calloc(ps->cap ? ps->cap * 2 : 64, sizeof(char *)),
					    ps->cap ? ps->cap * 2 : 64, 0};
		if (bigger.slots == NULL)
			return -1;
		for (size_t i = 0; i < ps->cap; i++)
			if (ps->slots[i] != NULL)
				pathset_put(&bigger, ps->slots[i], fnv1a(ps->slots[i]));
		free(ps->slots);
		*ps = bigger;
	}
	pathset_put(ps, mr_steal_pointer(&copy), h);
	return 0;
}

/* Add a copy of s unless it is there.  -1 on ENOMEM. */
static int
pathset_add(struct mr_pathset *ps, const char *s)
{
	uint64_t h = fnv1a(s);
	if (pathset_has_n(ps, s, strlen(s), h))
		return 0;
	return pathset_add_new(ps, s, strlen(s), h);
}

static void
pathset_clear(struct mr_pathset *ps)
{
	for (size_t i = 0; i < ps->cap; i++)
		free(ps->slots[i]);
	free(ps->slots);
	memset(ps, 0, sizeof(*ps));
}

/* --- names --- */

int
mr_unpack_clean_path(const char *in, char *out, size_t size, const char **why)
{
	size_t o = 0, depth = 0;

	if (in[0] == '/') {
		*why = "absolute path";
		return -1;
	}
	for (const char *p = in; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			*why = "'..' component";
			return -1;
		}
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (o + len + 2 > size || ++depth > MAX_DEPTH) {
				*why = "name too long or too deep";
				return -1;
			}
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	if (size == 0) {
		*why = "name too long or too deep";
		return -1;
	}
	out[o] = '\0';
	return 0;
}

static unsigned
path_depth(const char *p)
{
	unsigned d = p[0] != '\0';
	for (; *p; p++)
		d += *p == '/';
	return d;
}

/* --- removal --- */

int
mr_rm_rf_at(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	/*
	 * An image may make its directories read-only (0555): without
	 * CAP_DAC_OVERRIDE their entries could not be removed.  It is a
	 * directory in minirun's private tree, so the name cannot change under us.
	 */
	if ((st.st_mode & S_IRWXU) != S_IRWXU)
		(void)fchmodat(dfd, name, S_IRWXU, 0);
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	/* Entries removed while reading may make readdir skip some: pass again. */
	for (int pass = 0; pass < 8; pass++) {
		struct dirent *de;
		rewinddir(d);
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (mr_rm_rf_at(dirfd(d), de->d_name) < 0) {
				int e = errno;
				closedir(d);
				errno = e;
				return -1;
			}
		}
		if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT) {
			closedir(d);
			return 0;
		}
		if (errno != ENOTEMPTY && errno != EEXIST)
			break;
	}
	int e = errno;
	closedir(d);
	errno = e;
	return -1;
}

/* --- the state --- */

void
mr_unpack_init(struct mr_unpack *u, int root_fd, bool layers)
{
	memset(u, 0, sizeof(*u));
	u->root_fd = root_fd;
	u->layers = layers;
	u->as_root = geteuid() == 0;
	u->max_bytes = MR_UNPACK_MAX_BYTES;
	u->max_entries = MR_UNPACK_MAX_ENTRIES;
	u->max_name_bytes = MR_UNPACK_MAX_NAME_BYTES;
}

void
mr_unpack_clear(struct mr_unpack *u)
{
	for (size_t i = 0; i < u->n_dirs; i++)
		free(u->dirs[i].path);
	free(u->dirs);
	pathset_clear(&u->layer_paths);
	memset(u, 0, sizeof(*u));
	u->root_fd = -1;
}

static int
open_beneath(int root_fd, const char *path, int flags, uint64_t extra)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = BENEATH | extra,
	};
	return mr_openat2(root_fd, path[0] ? path : ".", &how);
}

/* The parent directory of an entry, resolved beneath the target (a symlink on the way may only
   lead to somewhere beneath it). */
static int
open_parent(const struct mr_unpack *u, const char *parent)
{
	return open_beneath(u->root_fd, parent, O_PATH | O_DIRECTORY, 0);
}

/*
 * How many levels below the target the directory fd is, by its ".."
 * (MAX_DEPTH + 1: deeper, or not known).  A name is at most MAX_DEPTH
 * levels deep, but it may start with a symlink an earlier entry made
 * (s1 -> a/.../a, s2 -> s1/a/.../a, ...): the tree it reaches is deeper
 * than any name, too deep for mr_rm_rf_at.
 */
static unsigned
real_depth(const struct mr_unpack *u, int fd)
{
	struct stat root, st;
	cleanup_close int cur = -1;

	if (fstat(u->root_fd, &root) < 0)
		return MAX_DEPTH + 1;
	for (unsigned d = 0; d <= MAX_DEPTH; d++) {
		if (fstat(cur >= 0 ? cur : fd, &st) < 0)
			return MAX_DEPTH + 1;
		if (st.st_dev == root.st_dev && st.st_ino == root.st_ino)
			return d;
		int up = openat(cur >= 0 ? cur : fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (up < 0)
			return MAX_DEPTH + 1;
		if (cur >= 0)
			close(cur);
		cur = up;
	}
	return MAX_DEPTH + 1;
}

static int
over_entries(const struct mr_unpack *u, const char *what, struct mr_error *err)
{
	return mr_error_set(err, 0,
			    "%s: more than %llu entries: refused (MINIRUN_IMAGE_MAX_ENTRIES "
			    "sets the limit)",
			    what, (unsigned long long)u->max_entries);
}

static int entry_error(struct mr_error *err, int errnum, const char *what, const char *name,
		       const char *why);

/*
 * The missing directories of parent made (tar files need not list every
 * parent), each counted as an entry, none deeper than MAX_DEPTH; then
 * parent opened.
 */
static int
make_parents(struct mr_unpack *u, const char *parent, const char *what, const char *clean,
	     struct mr_error *err)
{
	char prefix[PATH_MAX];
	size_t len = strlen(parent);
	bool checked = false;

	if (len >= sizeof(prefix))
		return entry_error(err, ENAMETOOLONG, what, clean, "parent directory");
	cleanup_close int cur = open_beneath(u->root_fd, "", O_PATH | O_DIRECTORY, 0);
	if (cur < 0)
		return entry_error(err, errno, what, clean, "parent directory");
	for (size_t end = 0; end < len;) {
		size_t start = end;
		end += strcspn(parent + end, "/");
		memcpy(prefix, parent, end);
		prefix[end] = '\0';
		char *comp = prefix + start;
		struct stat st;
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
			/* The first one missing: the rest are made below it. */
			if (!checked && real_depth(u, cur) + path_depth(parent + start) > MAX_DEPTH)
				return entry_error(err, 0, what, clean,
						   "more than 256 directory levels deep "
						   "(through a symlink)");
			checked = true;
			if (++u->entries > u->max_entries)
				return over_entries(u, what, err);
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
				return entry_error(err, errno, what, clean, "parent directory");
		}
		int next = open_beneath(u->root_fd, prefix, O_PATH | O_DIRECTORY, 0);
		/* EXDEV: RESOLVE_BENEATH met a symlink (made by an earlier entry) leading out. */
		if (next < 0 && errno == EXDEV)
			return entry_error(
			    err, 0, what, clean,
			    "its parent leads outside the image (through a symlink)");
		if (next < 0)
			return entry_error(err, errno, what, clean, "parent directory");
		close(cur);
		cur = next;
		if (parent[end] == '/')
			end++;
	}
	return mr_steal_fd(&cur);
}

/* Make room for a new entry: what is there goes, unless both are directories. */
static int
clear_slot(int pfd, const char *name, bool want_dir, bool *kept_dir)
{
	struct stat st;

	*kept_dir = false;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (want_dir && S_ISDIR(st.st_mode)) {
		*kept_dir = true;
		return 0;
	}
	return mr_rm_rf_at(pfd, name);
}

static int
defer_dir(struct mr_unpack *u, const char *path, struct archive_entry *e, mode_t perm)
{
	if (u->n_dirs == u->cap_dirs) {
		size_t cap = u->cap_dirs ? u->cap_dirs * 2 : 64;
		struct mr_unpack_dir *n = realloc(u->dirs, cap * sizeof(*n));
		if (n == NULL)
			return -1;
		u->dirs = n;
		u->cap_dirs = cap;
	}
	struct mr_unpack_dir *d = &u->dirs[u->n_dirs];
	d->path = strdup(path);
	if (d->path == NULL)
		return -1;
	d->depth = path_depth(path);
	d->mode = perm;
	d->uid = (uid_t)archive_entry_uid(e);
	d->gid = (gid_t)archive_entry_gid(e);
	d->has_mtime = archive_entry_mtime_is_set(e);
	d->mtime.tv_sec = archive_entry_mtime(e);
	d->mtime.tv_nsec = archive_entry_mtime_nsec(e);
	u->n_dirs++;
	return 0;
}

static void
entry_times(struct archive_entry *e, struct timespec ts[2])
{
	if (archive_entry_mtime_is_set(e)) {
		ts[1].tv_sec = archive_entry_mtime(e);
		ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	} else {
		ts[1].tv_nsec = UTIME_OMIT;
	}
	ts[0] = ts[1];
}

/* The message for a refused or failed entry, its name escaped (it is the image's text). */
static int
entry_error(struct mr_error *err, int errnum, const char *what, const char *name, const char *why)
{
	cleanup_free char *esc = mr_escape_str(name, 0);
	return mr_error_set(err, errnum, "%s: entry '%s': %s", what, esc ? esc : "?", why);
}

static const char *
entry_name(struct archive_entry *e)
{
	const char *p = archive_entry_pathname(e);
	return p ? p : archive_entry_pathname_utf8(e);
}

static int
write_data(struct archive *a, int fd, int64_t declared, const char *what, const char *name,
	   struct mr_error *err)
{
	const void *buf;
	size_t size;
	la_int64_t off;

	for (;;) {
		int r = archive_read_data_block(a, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return entry_error(err, 0, what, name, archive_error_string(a));
		if (off < 0 || (uint64_t)off + size > (uint64_t)declared)
			return entry_error(err, 0, what, name, "data beyond its declared size");
		for (size_t done = 0; done < size;) {
			ssize_t n =
			    pwrite(fd, (const char *)buf + done, size - done, off + (off_t)done);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return entry_error(err, errno, what, name, "write");
			done += (size_t)n;
		}
	}
	/* Sparse files: a hole at the end is not in any block. */
	if (ftruncate(fd, declared) < 0)
		return entry_error(err, errno, what, name, "truncate");
	return 0;
}

/* An OCI whiteout: .wh.NAME removes NAME; .wh..wh..opq empties the directory. */
static int
whiteout(struct mr_unpack *u, const char *clean, const char *parent, const char *base,
	 const char *what, struct mr_error *err)
{
	cleanup_close int pfd = open_parent(u, parent);
	if (pfd < 0) {
		if (errno == ENOENT)
			return 0; /* nothing below to hide */
		return entry_error(err, errno, what, clean, "parent directory");
	}
	if (strcmp(base, ".wh..wh..opq") == 0) {
		/* Only what lower layers made: this layer's entries stay. */
		int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = fd < 0 ? NULL : fdopendir(fd);
		if (d == NULL) {
			if (fd >= 0)
				close(fd);
			return entry_error(err, errno, what, clean, "opaque directory");
		}
		struct dirent *de;
		char path[PATH_MAX + sizeof(de->d_name) + 2];
		int ret = 0;
		while (ret == 0 && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s%s%s", parent, parent[0] ? "/" : "",
				 de->d_name);
			if (pathset_has(&u->layer_paths, path))
				continue;
			if (mr_rm_rf_at(pfd, de->d_name) < 0)
				ret =
				    entry_error(err, errno, what, path, "opaque whiteout: remove");
		}
		closedir(d);
		return ret;
	}
	if (strncmp(base, ".wh..wh.", 8) == 0)
		return 0; /* aufs bookkeeping (.wh..wh.plnk...): not part of the tree */
	const char *victim = base + 4;
	if (victim[0] == '\0' || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0)
		return entry_error(err, 0, what, clean, "whiteout of nothing");
	if (mr_rm_rf_at(pfd, victim) < 0)
		return entry_error(err, errno, what, clean, "whiteout: remove");
	return 0;
}

/*
 * The extended attributes that podman and docker restore and that mean
 * something in a container: file capabilities (on regular files, as root
 * only, like setuid bits: writing them takes CAP_SETFCAP, and an image's
 * ping or arping run by a non-root USER needs them) and user.* data.  Not
 * trusted.* nor user.overlay.*: overlayfs reads them on its lower layers
 * (opaque, redirect, metacopy) and the cached tree is one, so an image
 * could steer the container's overlay.  Not the rest of security.*
 * (SELinux, IMA, EVM): labels are the host's policy, not the image's.
 */
static bool
xattr_wanted(const struct mr_unpack *u, const char *name, mode_t type)
{
	if (strcmp(name, "security.capability") == 0)
		return u->as_root && type == AE_IFREG;
	return strncmp(name, "user.", 5) == 0 && strncmp(name, "user.overlay.", 13) != 0 &&
	       (type == AE_IFREG || type == AE_IFDIR);
}

/*
 * The entry's extended attributes set on fd, the file just made.  Last:
 * a write or a chown removes security.capability (the kernel's killpriv).
 * A filesystem without them (EOPNOTSUPP) is counted, as podman ignores it.
 */
static int
set_xattrs(struct mr_unpack *u, struct archive_entry *e, int fd, mode_t type, const char *what,
	   const char *clean, struct mr_error *err)
{
	const char *name;
	const void *value;
	size_t size;

	if (archive_entry_xattr_reset(e) == 0)
		return 0;
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (name == NULL || !xattr_wanted(u, name, type))
			continue;
		if (fsetxattr(fd, name, value, size, 0) == 0)
			continue;
		if (errno == EOPNOTSUPP) {
			u->skipped_xattrs++;
			continue;
		}
		cleanup_free char *esc = mr_escape_str(name, 0);
		char why[160];
		snprintf(why, sizeof(why), "extended attribute %s", esc ? esc : "?");
		return entry_error(err, errno, what, clean, why);
	}
	return 0;
}

/* One entry on its way into the tree: where it goes and what it gets. */
struct entry {
	const char *what;  /* the archive, for messages */
	const char *clean; /* the entry's cleaned path */
	const char *base;  /* its last component */
	int pfd;	   /* its parent directory, opened beneath the target */
	mode_t perm;
	uid_t uid;
	gid_t gid;
	struct timespec ts[2];
};

/* A hard link: only to an entry inside the image, never through a symlink. */
static int
extract_hardlink(struct mr_unpack *u, const struct entry *x, const char *hardlink,
		 struct mr_error *err)
{
	char target[PATH_MAX], tparent[PATH_MAX];
	const char *why;
	bool kept_dir;

	if (mr_unpack_clean_path(hardlink, target, sizeof(target), &why) < 0)
		return entry_error(err, 0, x->what, x->clean,
				   strcmp(why, "absolute path") == 0
				       ? "hard link to an absolute path"
				       : "hard link with a '..' component");
	char *ts_ = strrchr(target, '/');
	snprintf(tparent, sizeof(tparent), "%.*s", ts_ ? (int)(ts_ - target) : 0, target);
	cleanup_close int tfd = open_parent(u, tparent);
	if (tfd < 0 && errno == EXDEV)
		return entry_error(err, 0, x->what, x->clean,
				   "hard link to a target outside the image (through a symlink)");
	if (tfd < 0)
		return entry_error(err, errno, x->what, x->clean, "hard link target");
	if (clear_slot(x->pfd, x->base, false, &kept_dir) < 0)
		return entry_error(err, errno, x->what, x->clean, "replace");
	/* flags 0: a symlink target is linked itself, never followed. */
	if (linkat(tfd, ts_ ? ts_ + 1 : target, x->pfd, x->base, 0) < 0)
		return entry_error(err, errno, x->what, x->clean, "hard link");
	return 0;
}

static int
extract_regular(struct mr_unpack *u, struct archive *a, struct archive_entry *e,
		const struct entry *x, struct mr_error *err)
{
	bool kept_dir;
	int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;

	if (size < 0)
		return entry_error(err, 0, x->what, x->clean, "no size");
	if ((uint64_t)size > u->max_bytes - u->bytes)
		return mr_error_set(err, 0,
				    "%s: more than %llu bytes of files: refused "
				    "(MINIRUN_IMAGE_MAX_BYTES sets the limit)",
				    x->what, (unsigned long long)u->max_bytes);
	u->bytes += (uint64_t)size;
	if (clear_slot(x->pfd, x->base, false, &kept_dir) < 0)
		return entry_error(err, errno, x->what, x->clean, "replace");
	cleanup_close int fd =
	    openat(x->pfd, x->base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return entry_error(err, errno, x->what, x->clean, "create");
	if (write_data(a, fd, size, x->what, x->clean, err) < 0)
		return -1;
	/* chown first: it clears setuid/setgid, which the chmod then sets. */
	if (u->as_root && fchown(fd, x->uid, x->gid) < 0)
		return entry_error(err, errno, x->what, x->clean, "chown");
	if (fchmod(fd, x->perm) < 0 || futimens(fd, x->ts) < 0)
		return entry_error(err, errno, x->what, x->clean, "chmod");
	return set_xattrs(u, e, fd, AE_IFREG, x->what, x->clean, err);
}

static int
extract_symlink(struct mr_unpack *u, struct archive_entry *e, const struct entry *x,
		struct mr_error *err)
{
	bool kept_dir;
	const char *target = archive_entry_symlink(e);

	if (target == NULL)
		target = archive_entry_symlink_utf8(e);
	if (target == NULL || target[0] == '\0')
		return entry_error(err, 0, x->what, x->clean, "symlink without a target");
	if (clear_slot(x->pfd, x->base, false, &kept_dir) < 0)
		return entry_error(err, errno, x->what, x->clean, "replace");
	/* Any target is fine: it is resolved in the container, never here. */
	if (symlinkat(target, x->pfd, x->base) < 0)
		return entry_error(err, errno, x->what, x->clean, "symlink");
	if (u->as_root && fchownat(x->pfd, x->base, x->uid, x->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_error(err, errno, x->what, x->clean, "chown");
	(void)utimensat(x->pfd, x->base, x->ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int
extract_node(struct mr_unpack *u, struct archive_entry *e, mode_t type, const struct entry *x,
	     struct mr_error *err)
{
	bool kept_dir;

	if (type != AE_IFIFO && !u->as_root) {
		/* Only root may make them; the container's /dev is minirun's anyway. */
		u->skipped_devices++;
		return 0;
	}
	if (clear_slot(x->pfd, x->base, false, &kept_dir) < 0)
		return entry_error(err, errno, x->what, x->clean, "replace");
	dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
	if (mknodat(x->pfd, x->base, type | 0600, type == AE_IFIFO ? 0 : dev) < 0)
		return entry_error(err, errno, x->what, x->clean, "mknod");
	if (u->as_root && fchownat(x->pfd, x->base, x->uid, x->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_error(err, errno, x->what, x->clean, "chown");
	/* fchmodat follows symlinks; the name is the node just made in our private tree. */
	if (fchmodat(x->pfd, x->base, x->perm, 0) < 0)
		return entry_error(err, errno, x->what, x->clean, "chmod");
	(void)utimensat(x->pfd, x->base, x->ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/*
 * The names held in memory: a name is up to PATH_MAX bytes and 256 levels
 * deep, and an entry adds each of its parents' paths to layer_paths, so
 * without a bound a million short entries through symlinks (s1/a/.../f,
 * s2/a/.../f, ...) would hold hundreds of gigabytes.
 */
static int
over_names(const struct mr_unpack *u, const char *what, struct mr_error *err)
{
	if (u->layer_bytes + u->dir_bytes <= u->max_name_bytes)
		return 0;
	return mr_error_set(err, 0, "%s: more than %llu bytes of names to keep: refused", what,
			    (unsigned long long)u->max_name_bytes);
}

/*
 * The entry and its parents belong to this layer now (opaque whiteouts).
 * Longest first, with each prefix's hash from one pass over the name: when
 * one is there, so are all shorter ones (they were added with it), which
 * keeps an entry's cost to its own length, not its length times its depth.
 */
static int
layer_paths_add(struct mr_unpack *u, const char *clean, const char *what, struct mr_error *err)
{
	size_t ends[MAX_DEPTH + 1], n = 0;
	uint64_t hashes[MAX_DEPTH + 1], h = FNV_OFFSET;
	size_t len = strlen(clean);

	for (size_t i = 0; i <= len && n <= MAX_DEPTH; i++) {
		if (clean[i] == '/' || clean[i] == '\0') {
			ends[n] = i;
			hashes[n++] = h;
		}
		if (clean[i] != '\0')
			h = fnv1a_step(h, clean + i, 1);
	}
	while (n-- > 0) {
		if (pathset_has_n(&u->layer_paths, clean, ends[n], hashes[n]))
			break;
		if (pathset_add_new(&u->layer_paths, clean, ends[n], hashes[n]) < 0)
			return mr_error_oom(err, what);
		/* The copy, malloc's header and two slots of the table. */
		u->layer_bytes += ends[n] + 1 + 16 + 2 * sizeof(char *);
	}
	return over_names(u, what, err);
}

/* The name cleaned and the entry budget counted; 1: nothing to make ("./"). */
static int
admit_entry(struct mr_unpack *u, const char *name, char *clean, size_t size, const char *what,
	    struct mr_error *err)
{
	const char *why;

	if (mr_unpack_clean_path(name, clean, size, &why) < 0)
		return entry_error(err, 0, what, name, why);
	if (++u->entries > u->max_entries)
		return over_entries(u, what, err);
	if (clean[0] == '\0')
		return 1; /* "./": the target itself, made by minirun */
	return 0;
}

static int
unpack_entry(struct mr_unpack *u, struct archive *a, struct archive_entry *e, const char *what,
	     struct mr_error *err)
{
	char clean[PATH_MAX], parent[PATH_MAX];
	const char *name = entry_name(e);

	if (name == NULL)
		return mr_error_set(err, 0, "%s: an entry without a usable name", what);
	int r = admit_entry(u, name, clean, sizeof(clean), what, err);
	if (r != 0)
		return r < 0 ? -1 : 0;

	char *slash = strrchr(clean, '/');
	const char *base = slash ? slash + 1 : clean;
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - clean) : 0, clean);

	if (u->layers && strncmp(base, ".wh.", 4) == 0)
		return whiteout(u, clean, parent, base, what, err);
	if (u->layers && layer_paths_add(u, clean, what, err) < 0)
		return -1;

	struct entry x = {
	    .what = what,
	    .clean = clean,
	    .base = base,
	    .perm = archive_entry_perm(e) & 07777,
	    .uid = (uid_t)archive_entry_uid(e),
	    .gid = (gid_t)archive_entry_gid(e),
	};
	if (!u->as_root)
		x.perm &= (mode_t) ~(S_ISUID | S_ISGID);
	entry_times(e, x.ts);

	cleanup_close int pfd = open_parent(u, parent);
	/* EXDEV: RESOLVE_BENEATH met a symlink (made by an earlier entry) leading out. */
	if (pfd < 0 && errno == EXDEV)
		return entry_error(err, 0, what, clean,
				   "its parent leads outside the image (through a symlink)");
	if (pfd < 0 && errno == ENOENT)
		pfd = make_parents(u, parent, what, clean, err);
	else if (pfd < 0)
		return entry_error(err, errno, what, clean, "parent directory");
	if (pfd < 0)
		return -1;
	x.pfd = pfd;

	const char *hardlink = archive_entry_hardlink(e);
	if (hardlink == NULL)
		hardlink = archive_entry_hardlink_utf8(e);
	if (hardlink != NULL)
		return extract_hardlink(u, &x, hardlink, err);

	mode_t type = archive_entry_filetype(e);
	bool kept_dir;
	switch (type) {
	case AE_IFDIR:
		if (clear_slot(pfd, base, true, &kept_dir) < 0)
			return entry_error(err, errno, what, clean, "replace");
		if (!kept_dir && real_depth(u, pfd) + 1 > MAX_DEPTH)
			return entry_error(
			    err, 0, what, clean,
			    "more than 256 directory levels deep (through a symlink)");
		/* Writable by minirun until mr_unpack_finish sets the image's mode. */
		if (!kept_dir && mkdirat(pfd, base, 0700) < 0)
			return entry_error(err, errno, what, clean, "mkdir");
		if (archive_entry_xattr_count(e) > 0) {
			cleanup_close int dfd =
			    openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (dfd < 0)
				return entry_error(err, errno, what, clean, "open directory");
			if (set_xattrs(u, e, dfd, AE_IFDIR, what, clean, err) < 0)
				return -1;
		}
		if (defer_dir(u, clean, e, x.perm) < 0)
			return mr_error_oom(err, what);
		u->dir_bytes += strlen(clean) + 1 + sizeof(*u->dirs);
		return over_names(u, what, err);
	case AE_IFREG:
		return extract_regular(u, a, e, &x, err);
	case AE_IFLNK:
		return extract_symlink(u, e, &x, err);
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		return extract_node(u, e, type, &x, err);
	case AE_IFSOCK:
		return 0; /* a socket file is meaningless without its listener */
	default:
		break;
	}
	return entry_error(err, 0, what, clean, "unknown file type");
}

/* Every byte libarchive reads passes here, so it can be hashed. */
struct reader {
	int fd;
	struct mr_sha256 *sha;
	char buf[64 * 1024];
};

static la_ssize_t
read_cb(struct archive *a, void *arg, const void **out)
{
	struct reader *r = arg;
	ssize_t n;

	do
		n = read(r->fd, r->buf, sizeof(r->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read");
		return -1;
	}
	if (r->sha)
		mr_sha256_update(r->sha, r->buf, (size_t)n);
	*out = r->buf;
	return n;
}

static void
archive_freep(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}

int
mr_unpack_fd(struct mr_unpack *u, int fd, const char *what, struct mr_sha256 *sha,
	     struct mr_error *err)
{
	__attribute__((cleanup(archive_freep))) struct archive *a = archive_read_new();
	cleanup_free struct reader *r = calloc(1, sizeof(*r));

	if (a == NULL || r == NULL)
		return mr_error_oom(err, what);
	r->fd = fd;
	r->sha = sha;
	/*
	 * Tar only, and only the compressions libarchive decodes in-process:
	 * archive_read_support_filter_all would also run external programs
	 * (lrzip, lzop...) on the image's bytes.
	 */
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	/* Opening reads the first bytes: the compression is detected here. */
	if (archive_read_open(a, r, NULL, read_cb, NULL) != ARCHIVE_OK) {
		const char *msg = archive_error_string(a);
		if (msg != NULL && strstr(msg, "Unrecognized archive format") != NULL) {
			mr_error_set(
			    err, 0, "%s: not a tar archive (plain, gzip, bzip2, xz or zstd)", what);
			return MR_UNPACK_NOT_TAR;
		}
		return mr_error_set(err, 0, "%s: corrupt archive: %s", what, msg ? msg : "?");
	}

	pathset_clear(&u->layer_paths);
	u->layer_bytes = 0;
	for (size_t n = 0;; n++) {
		struct archive_entry *e;
		int ret = archive_read_next_header(a, &e);
		if (ret == ARCHIVE_EOF) {
			if (n == 0)
				return mr_error_set(err, 0, "%s: empty archive", what);
			break;
		}
		if (ret < ARCHIVE_WARN) {
			const char *msg = archive_error_string(a);
			/* Nothing recognized at all, or a damaged stream (bad gzip, truncated). */
			if (n == 0 && archive_format(a) == 0 && msg != NULL &&
			    strstr(msg, "Unrecognized archive format") != NULL) {
				mr_error_set(
				    err, 0,
				    "%s: not a tar archive (plain, gzip, bzip2, xz or zstd)", what);
				return MR_UNPACK_NOT_TAR;
			}
			return mr_error_set(err, 0, "%s: corrupt archive: %s", what,
					    msg ? msg : "?");
		}
		if (unpack_entry(u, a, e, what, err) < 0)
			return -1;
	}
	/* The rest of the file (tar padding, trailing bytes) is part of what was hashed. */
	if (sha != NULL) {
		for (;;) {
			const void *p;
			la_ssize_t n = read_cb(a, r, &p);
			if (n < 0)
				return mr_error_set(err, errno, "%s: read", what);
			if (n == 0)
				break;
		}
	}
	return 0;
}

static int
dir_cmp(const void *x, const void *y)
{
	const struct mr_unpack_dir *a = x, *b = y;
	return a->depth == b->depth ? 0 : a->depth > b->depth ? -1 : 1;
}

int
mr_unpack_finish(struct mr_unpack *u, struct mr_error *err)
{
	struct mr_pathset seen = {0};
	struct mr_unpack_dir *kept = calloc(u->n_dirs ? u->n_dirs : 1, sizeof(*kept));
	size_t n = 0;

	if (kept == NULL)
		return mr_error_oom(err, "image directories");
	/* The last record of a directory wins: keep that one only. */
	for (size_t i = u->n_dirs; i-- > 0;) {
		if (pathset_has(&seen, u->dirs[i].path) ||
		    pathset_add(&seen, u->dirs[i].path) < 0) {
			free(u->dirs[i].path);
			continue;
		}
		kept[n++] = u->dirs[i];
	}
	pathset_clear(&seen);
	free(u->dirs);
	u->dirs = kept;
	u->cap_dirs = u->n_dirs ? u->n_dirs : 1;
	u->n_dirs = n;
	/* Deepest first: a parent made read-only later does not block its children. */
	qsort(u->dirs, n, sizeof(*u->dirs), dir_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct mr_unpack_dir *d = &u->dirs[i];
		/* No symlink at all: a later entry may have replaced the directory. */
		cleanup_close int fd =
		    open_beneath(u->root_fd, d->path, O_RDONLY | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
		if (fd < 0) {
			if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
				continue;
			return mr_error_set(err, errno, "image directory %s", d->path);
		}
		if (u->as_root && fchown(fd, d->uid, d->gid) < 0)
			return mr_error_set(err, errno, "image directory %s: chown", d->path);
		if (fchmod(fd, d->mode) < 0)
			return mr_error_set(err, errno, "image directory %s: chmod", d->path);
		if (d->has_mtime) {
			struct timespec ts[2] = {d->mtime, d->mtime};
			(void)futimens(fd, ts);
		}
	}
	return 0;
}
