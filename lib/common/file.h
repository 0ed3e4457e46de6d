/* SPDX-License-Identifier: MIT */
/*
 * Files named by the user or by the image, opened only once they are known
 * to be regular files.  Opening is not a harmless look: opening a FIFO for
 * reading blocks until a writer comes, and opening a device node runs its
 * driver's open (a tape rewinds, a watchdog arms) -- as root, on the host.
 * So the name is first opened O_PATH (which opens nothing), checked with
 * fstat, and only then that same inode is opened for real.
 */
#ifndef MINIRUN_COMMON_FILE_H
#define MINIRUN_COMMON_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

/* Returned (with errno EINVAL) for a path that exists but is not a regular file. */
#define MR_NOT_REGULAR (-2)

/*
 * Open PATH (relative to dirfd) for reading if it is a regular file.  resolve
 * is 0 for a plain openat that follows symlinks, or openat2 RESOLVE_* flags
 * (then symlinks are followed as those flags allow).  Returns a descriptor
 * (O_RDONLY|O_CLOEXEC), -1 with errno, or MR_NOT_REGULAR; *st (if not NULL)
 * describes the file in every case where it exists.
 */
int mr_open_regular_read(int dirfd, const char *path, uint64_t resolve, struct stat *st);

/*
 * The same, for a name already opened O_PATH (pathfd) and fstat'ed (*st,
 * which must say a regular file): that very inode, opened for reading,
 * without looking the name up again.  Returns a descriptor, -1 with errno,
 * or MR_NOT_REGULAR.
 */
int mr_reopen_regular_read(int pathfd, const struct stat *st);

/*
 * The directory PATH names an entry of, opened O_PATH|O_DIRECTORY (symlinks
 * on the way followed as open(PATH) follows them where fs.protected_symlinks
 * is 1: another user's symlink in a sticky directory others may write to is
 * EACCES, whatever the sysctl), and *base the entry's
 * name in it (a pointer into PATH).  A PATH without a slash, or ending in
 * one, is looked up from the working directory as it is: "." is opened and
 * *base is PATH.  Returns a descriptor or -1 with errno.
 */
int mr_open_parent(const char *path, const char **base);

/*
 * Whether the file *file describes, in the directory *dir describes, is
 * another user's file in a sticky directory others may write to (/tmp): the
 * file fs.protected_regular=2 keeps an O_CREAT open out of (its owner is
 * neither the caller, by effective uid, nor the directory's owner).  Its
 * owner can rewrite what minirun writes there, or read it, once written.
 */
bool mr_foreign_in_sticky_dir(const struct stat *dir, const struct stat *file);

/*
 * Whether *file, in such a directory (sticky, others may write to it), has
 * more than one name: a hard link anyone there may have made to a file of
 * the caller's or of the directory's owner (/etc/shadow for root's /tmp),
 * which mr_foreign_in_sticky_dir passes, as the owner is not another user.
 */
bool mr_linked_in_sticky_dir(const struct stat *dir, const struct stat *file);

#endif
