/* SPDX-License-Identifier: MIT */
/*
 * Tar streams (plain, gzip, bzip2, xz, lzma, zstd: told apart by content,
 * with libarchive) unpacked into a directory that minirun created itself,
 * under the hostile-image threat model:
 *
 *  - no entry lands outside the target: names with a ".." component or a
 *    leading "/" are refused; every entry is created with *at() calls
 *    relative to its parent directory, which is opened beneath the target
 *    with openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV), so
 *    a symlink made by an earlier entry ("evil -> /", then "evil/etc/x")
 *    cannot carry a later one out: the kernel refuses the walk (EXDEV);
 *  - the last component is never followed: mkdirat, openat(O_CREAT|O_EXCL|
 *    O_NOFOLLOW), symlinkat, linkat without AT_SYMLINK_FOLLOW, mknodat; what
 *    was there before (a lower layer, an earlier entry) is removed first, so
 *    no write ever goes through an existing link;
 *  - hard links only to entries inside (the target name is checked and
 *    resolved like any entry's);
 *  - device nodes only as root, and setuid/setgid bits and owners only as
 *    root (rootless: the user's own files, the bits dropped);
 *  - a budget: at most max_bytes of file data (the sizes the headers
 *    declare, which bound what is written) and max_entries entries over
 *    the whole image, each directory made for an entry's name counted as
 *    one, so a decompression bomb stops early; at most max_name_bytes of
 *    names kept in memory (each directory's, each layer's paths);
 *  - no directory deeper than 256 levels, however it is reached (a name is
 *    at most 256 levels deep, but a symlink made by an earlier entry can
 *    start one that deep): mr_rm_rf_at holds a descriptor per level.
 *
 * Extended attributes: file capabilities (security.capability, as root)
 * and user.* are restored, no others (see xattr_wanted in unpack.c).
 */
#ifndef MINIRUN_CONTAINER_UNPACK_H
#define MINIRUN_CONTAINER_UNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "seccomp/sha256.h"

struct mr_pathset {
	char **slots;
	size_t cap, n;
};

struct mr_unpack_dir;

struct mr_unpack {
	int root_fd;			 /* the target, O_PATH|O_DIRECTORY (borrowed) */
	bool as_root;			 /* euid 0: owners, device nodes and setuid/setgid kept */
	bool layers;			 /* OCI/Docker layer semantics: .wh. whiteouts */
	uint64_t max_bytes;		 /* budget over every stream unpacked with this */
	uint64_t max_entries;		 /* entries, and the directories made for their names */
	uint64_t max_name_bytes;	 /* the names kept in memory (below) */
	uint64_t bytes, entries;	 /* spent so far */
	uint64_t layer_bytes, dir_bytes; /* held by layer_paths and dirs */
	uint64_t skipped_devices;	 /* device nodes not made (not root) */
	uint64_t skipped_xattrs;	 /* extended attributes the filesystem refused */
	struct mr_pathset layer_paths;	 /* this layer's entries (opaque whiteouts) */
	struct mr_unpack_dir *dirs;	 /* directory metadata, applied by mr_unpack_finish */
	size_t n_dirs, cap_dirs;
};

/* Defaults: 8 GiB of file data, one million entries, 256 MiB of names held. */
#define MR_UNPACK_MAX_BYTES	 (8ULL << 30)
#define MR_UNPACK_MAX_ENTRIES	 1000000ULL
#define MR_UNPACK_MAX_NAME_BYTES (256ULL << 20)

void mr_unpack_init(struct mr_unpack *u, int root_fd, bool layers);

/*
 * Unpack the tar stream read from fd (from its current offset) into
 * u->root_fd.  what names the stream in messages.  With sha, every byte read
 * from fd -- to its end, not only to the end of the archive -- is hashed.
 * One stream is one layer (whiteouts apply to what earlier streams made).
 * Returns 0, -1, or MR_UNPACK_NOT_TAR when the stream is no tar at all.
 */
#define MR_UNPACK_NOT_TAR (-2)
int mr_unpack_fd(struct mr_unpack *u, int fd, const char *what, struct mr_sha256 *sha,
		 struct mr_error *err);

/* Directory modes, owners and times, deepest first (after the last stream). */
int mr_unpack_finish(struct mr_unpack *u, struct mr_error *err);

void mr_unpack_clear(struct mr_unpack *u);

/*
 * Remove NAME beneath dirfd and everything in it, never following a
 * symlink (directories made unwritable by an image are made writable first).
 * 0 or -1 with errno; a missing NAME is success.
 */
int mr_rm_rf_at(int dirfd, const char *name);

/*
 * An archive member's name made relative and clean: "./a//b/" -> "a/b",
 * "." -> "".  Returns 0, or -1 with *why set ("absolute path", "'..'
 * component", "too long") for a name that is refused.
 */
int mr_unpack_clean_path(const char *in, char *out, size_t size, const char **why);

#endif
