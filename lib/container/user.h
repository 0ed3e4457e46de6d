/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_USER_H
#define MINIRUN_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* The identity the container process runs as. */
struct mr_user {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups (malloc'ed), may be NULL */
	size_t n_groups;
	char *home; /* HOME from the rootfs's passwd, "/" when unknown (malloc'ed) */
	char *name; /* user name from passwd, NULL when numeric and unknown */
};

/*
 * Resolve USER[:GROUP] as docker run --user does (runc's GetExecUser), reading
 * passwd and group from the root filesystem open at rootfs_fd (never the
 * host's); the files are opened with openat2(RESOLVE_IN_ROOT) so a symlink in
 * the image cannot point outside it.
 *
 *  - USER is a name from etc/passwd or a decimal uid; a uid not in passwd is
 *    allowed (gid 0, HOME "/").  GROUP is a name from etc/group or a decimal gid.
 *  - Without GROUP: gid from passwd and supplementary groups from every
 *    etc/group entry that lists the user name.  With GROUP: that gid, no
 *    supplementary groups (runc's rule).
 *  - Numbers are parsed strictly (CVE-2026-30892): decimal digits only, at most
 *    4294967294 (2^32-1 is the "no id" value).  "1" is uid 1 (never 0:0);
 *    "1:", ":1", "-1", "4294967296", "" and an unknown name are errors.
 *
 * spec == NULL means root without looking anything up: uid 0, gid 0, no
 * supplementary groups, HOME from passwd or "/root".  (The launcher passes
 * "0" instead, which gives root's groups from the image, as docker run does.)
 */
int mr_user_resolve(int rootfs_fd, const char *spec, struct mr_user *out, struct mr_error *err);

/*
 * --group-add: append each GROUP (a decimal gid or a name from the image's
 * etc/group, read as mr_user_resolve reads it) to u's supplementary groups.
 */
int mr_user_add_groups(int rootfs_fd, struct mr_user *u, char *const *groups, size_t n,
		       struct mr_error *err);

/* Append gid to u's supplementary groups unless it is there. */
int mr_user_add_gid(struct mr_user *u, gid_t gid, struct mr_error *err);

/* Free what mr_user_resolve allocated; safe on a zeroed struct. */
void mr_user_clear(struct mr_user *u);

/* --- applied in the container process --- */

/*
 * The kernel's credential calls, not glibc's wrappers.  In a process glibc
 * believes multi-threaded, setresuid(), setgroups() and the rest ask every
 * other thread it lists to change as well and wait for each (nptl's setxid
 * broadcast).  The container process is cloned while minirun's network
 * thread may still run (launch.c): its copy of glibc lists a thread that
 * does not exist in it, and the wrapper would wait for it forever.  The
 * syscall changes the calling task, the container process's only one.
 * tests/structure/check-layers.sh keeps the wrappers out of lib/ and cmd/.
 */
int mr_setresuid(uid_t r, uid_t e, uid_t s);
int mr_setresgid(gid_t r, gid_t e, gid_t s);
int mr_setgroups(size_t n, const gid_t *groups);

/* setgroups(2) with u->groups (also with 0 groups, so the caller's groups never leak). */
int mr_user_set_groups(const struct mr_user *u, struct mr_error *err);

/* setresgid then setresuid. */
int mr_user_switch(const struct mr_user *u, struct mr_error *err);

/* The two halves, for a launch sequence that puts something in between. */
int mr_user_set_gid(const struct mr_user *u, struct mr_error *err);
int mr_user_set_uid(const struct mr_user *u, struct mr_error *err);

#endif
