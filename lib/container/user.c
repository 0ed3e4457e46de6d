/* SPDX-License-Identifier: MIT */
/*
 * USER[:GROUP] -> uid, gid, supplementary groups and HOME, read from the
 * container's own etc/passwd and etc/group (runc's GetExecUser rules), and
 * the syscalls that apply the result.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/user.h"
#include "common/file.h"
#include "common/util.h"

/* (uid_t)-1 means "leave unchanged" to setresuid(2) and friends, so it can never be an id. */
#define ID_MAX 4294967294ULL

#define PASSWD_PATH "etc/passwd"
#define GROUP_PATH  "etc/group"

/*
 * The image owner writes these files and root reads them on the host: a
 * sparse file of gigabytes without a newline made getline() allocate all of
 * it (3 GiB of RSS, 15 s for a 3 GiB file, on every start: no --user reads
 * etc/passwd too).  runc reads them with bufio.Scanner, which fails on a
 * line of 64 KiB or more; a file above 64 MiB (a million users) is no
 * image's passwd either.
 */
#define LINE_MAX_BYTES 65536
#define FILE_MAX_BYTES (64 * 1024 * 1024)
#define LINE_BUF       (LINE_MAX_BYTES + 2)
/*
 * Where the line buffer starts: it grows to LINE_BUF only for a long line.
 * 64 KiB at once put the FILE and its buffer, malloc'ed next, two fresh
 * heap pages further on every start (a fault each, ~12 us on a PVM guest).
 */
#define LINE_START 1024

enum id_parse {
	ID_OK,
	ID_NOT_NUMBER, /* not made of digits only: may be a name */
	ID_OUT_OF_RANGE,
};

/*
 * Decimal digits only: no sign, no spaces, no base prefix.  strtoul would
 * accept " +1" and wrap "-1" to ULONG_MAX, which is how id parsers go wrong
 * (CVE-2026-30892).
 */
static enum id_parse
parse_id(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return ID_NOT_NUMBER;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return ID_NOT_NUMBER;
	}
	for (const char *p = s; *p != '\0'; p++) {
		v = v * 10 + (unsigned long long)(*p - '0');
		if (v > ID_MAX)
			return ID_OUT_OF_RANGE;
	}
	*out = (uint32_t)v;
	return ID_OK;
}

/*
 * Open a file of the root filesystem for reading.  RESOLVE_IN_ROOT makes
 * absolute symlinks and ".." resolve against rootfs_fd, so an image cannot
 * make us read the host's files.  *out is NULL when the file does not exist.
 */
static int
open_in_root(int rootfs_fd, const char *path, FILE **out, char **line, size_t *cap,
	     struct mr_error *err)
{
	/*
	 * Opened only once known to be a regular file: a FIFO planted in the
	 * image would hang the open, and a device node would have its driver's
	 * open run by root on the host before being rejected.
	 */
	struct stat st;
	*out = NULL;
	cleanup_close int fd =
	    mr_open_regular_read(rootfs_fd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, &st);
	if (fd == MR_NOT_REGULAR)
		return mr_error_set(err, 0, "/%s of the root filesystem is not a regular file",
				    path);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOSYS)
			return mr_error_set(
			    err, errno, "open /%s of the root filesystem: openat2 needs Linux 5.6",
			    path);
		return mr_error_set(err, errno, "open /%s of the root filesystem", path);
	}
	if (st.st_size > FILE_MAX_BYTES)
		return mr_error_set(err, 0, "/%s of the root filesystem is larger than %d MiB",
				    path, FILE_MAX_BYTES >> 20);

	*cap = LINE_START;
	*line = malloc(*cap);
	if (*line == NULL)
		return mr_error_set(err, ENOMEM, "read /%s of the root filesystem", path);
	FILE *f = fdopen(fd, "r");
	if (f == NULL)
		return mr_error_set(err, errno, "open /%s of the root filesystem", path);
	mr_steal_fd(&fd);
	*out = f;
	return 0;
}

/*
 * The next line of PATH into *buf (*cap bytes, grown up to LINE_BUF): 1, or
 * 0 at the end.  A line longer than LINE_MAX_BYTES, or reading past
 * FILE_MAX_BYTES (the file grew since it was opened: a container writing
 * into its --rootfs), is an error: memory and time stay bounded whatever
 * the file holds.  *pos counts the bytes consumed, NUL bytes too (strlen
 * would stop at one); counted here because ftello makes an lseek(2) each
 * time, two per line.
 */
static int
next_line(FILE *f, char **bufp, size_t *cap, off_t *pos, const char *path, struct mr_error *err)
{
	size_t n = 0;
	int c = 0;

	for (;;) {
		if (n == *cap - 1) {
			if (*cap == LINE_BUF)
				break;
			size_t grown = *cap * 8 < LINE_BUF ? *cap * 8 : LINE_BUF;
			char *b = realloc(*bufp, grown);
			if (b == NULL)
				return mr_error_set(err, ENOMEM, "read /%s of the root filesystem",
						    path);
			*bufp = b;
			*cap = grown;
		}
		if ((c = getc_unlocked(f)) == EOF)
			break;
		(*bufp)[n++] = (char)c;
		if (c == '\n')
			break;
	}
	char *buf = *bufp;
	buf[n] = '\0';
	if (n == 0) {
		if (ferror(f))
			return mr_error_set(err, errno, "read /%s of the root filesystem", path);
		return 0;
	}
	*pos += (off_t)n;
	if (*pos > FILE_MAX_BYTES)
		return mr_error_set(err, 0, "/%s of the root filesystem is larger than %d MiB",
				    path, FILE_MAX_BYTES >> 20);
	if (n == LINE_BUF - 1 && buf[n - 1] != '\n')
		return mr_error_set(err, 0,
				    "/%s of the root filesystem has a line longer than %d KiB",
				    path, LINE_MAX_BYTES >> 10);
	return 1;
}

/* Strip the newline and surrounding blanks, as runc does before splitting. */
static char *
trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 &&
	       (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/*
 * Split s in place at ':' into exactly n fields.  Returns false when the
 * count differs: such lines are malformed and skipped, never half-used.
 */
static bool
split_fields(char *s, char **fields, size_t n)
{
	size_t i = 0;
	for (;;) {
		if (i == n)
			return false;
		fields[i++] = s;
		char *colon = strchr(s, ':');
		if (colon == NULL)
			break;
		*colon = '\0';
		s = colon + 1;
	}
	return i == n;
}

/* Outcome of a lookup; NO_FILE lets messages say why a name could not be found. */
enum lookup {
	LOOKUP_FOUND,
	LOOKUP_NOT_FOUND,
	LOOKUP_NO_FILE,
};

struct passwd_entry {
	uid_t uid;
	gid_t gid;
	char *name;
	char *home;
};

static void
passwd_entry_clear(struct passwd_entry *e)
{
	free(e->name);
	free(e->home);
	e->name = NULL;
	e->home = NULL;
}

/*
 * First etc/passwd entry whose name is `name` (when non-NULL) or whose uid is
 * `uid`.  *found is false when there is no such entry or no passwd file.
 */
static int
find_passwd(int rootfs_fd, const char *name, uid_t uid, struct passwd_entry *out,
	    enum lookup *found, struct mr_error *err)
{
	cleanup_file FILE *f = NULL;
	cleanup_free char *line = NULL;
	size_t line_cap = 0;
	off_t pos = 0;
	int more;

	*found = LOOKUP_NO_FILE;
	if (open_in_root(rootfs_fd, PASSWD_PATH, &f, &line, &line_cap, err) < 0)
		return -1;
	if (f == NULL)
		return 0;
	*found = LOOKUP_NOT_FOUND;

	while ((more = next_line(f, &line, &line_cap, &pos, PASSWD_PATH, err)) > 0) {
		/* name:password:uid:gid:gecos:home:shell */
		char *fields[7];
		uint32_t id_uid, id_gid;

		if (!split_fields(trim(line), fields, MR_ARRAY_SIZE(fields)))
			continue;
		if (fields[0][0] == '\0' || parse_id(fields[2], &id_uid) != ID_OK ||
		    parse_id(fields[3], &id_gid) != ID_OK)
			continue;
		if (name != NULL ? strcmp(fields[0], name) != 0 : id_uid != uid)
			continue;

		out->uid = id_uid;
		out->gid = id_gid;
		out->name = strdup(fields[0]);
		out->home = strdup(fields[5][0] != '\0' ? fields[5] : "/");
		if (out->name == NULL || out->home == NULL) {
			passwd_entry_clear(out);
			return mr_error_set(err, ENOMEM, "read /%s of the root filesystem",
					    PASSWD_PATH);
		}
		*found = LOOKUP_FOUND;
		return 0;
	}
	return more < 0 ? -1 : 0;
}

/* First etc/group entry whose name is `name` (when non-NULL) or whose gid is `gid`. */
static int
find_group(int rootfs_fd, const char *name, gid_t gid, gid_t *out, enum lookup *found,
	   struct mr_error *err)
{
	cleanup_file FILE *f = NULL;
	cleanup_free char *line = NULL;
	size_t line_cap = 0;
	off_t pos = 0;
	int more;

	*found = LOOKUP_NO_FILE;
	if (open_in_root(rootfs_fd, GROUP_PATH, &f, &line, &line_cap, err) < 0)
		return -1;
	if (f == NULL)
		return 0;
	*found = LOOKUP_NOT_FOUND;

	while ((more = next_line(f, &line, &line_cap, &pos, GROUP_PATH, err)) > 0) {
		/* name:password:gid:member,member,... */
		char *fields[4];
		uint32_t id;

		if (!split_fields(trim(line), fields, MR_ARRAY_SIZE(fields)))
			continue;
		if (fields[0][0] == '\0' || parse_id(fields[2], &id) != ID_OK)
			continue;
		if (name != NULL ? strcmp(fields[0], name) != 0 : id != gid)
			continue;
		*out = id;
		*found = LOOKUP_FOUND;
		return 0;
	}
	return more < 0 ? -1 : 0;
}

static bool
member_of(char *members, const char *user)
{
	for (char *tok = members; tok != NULL;) {
		char *comma = strchr(tok, ',');
		if (comma != NULL)
			*comma = '\0';
		if (strcmp(tok, user) == 0)
			return true;
		tok = comma != NULL ? comma + 1 : NULL;
	}
	return false;
}

/*
 * The gids of every etc/group entry that lists `user`, in file order.  A gid
 * listed twice (two group names for one gid) is kept once: setgroups(2) does
 * not care, but the list is also what --verbose shows.
 */
static int
supplementary_groups(int rootfs_fd, const char *user, gid_t **out, size_t *n_out,
		     struct mr_error *err)
{
	cleanup_file FILE *f = NULL;
	cleanup_free char *line = NULL;
	size_t line_cap = 0;
	cleanup_free gid_t *groups = NULL;
	size_t n = 0, cap = 0;
	off_t pos = 0;
	int more = 0;

	if (open_in_root(rootfs_fd, GROUP_PATH, &f, &line, &line_cap, err) < 0)
		return -1;
	if (f != NULL) {
		while ((more = next_line(f, &line, &line_cap, &pos, GROUP_PATH, err)) > 0) {
			char *fields[4];
			uint32_t id;
			bool dup = false;

			if (!split_fields(trim(line), fields, MR_ARRAY_SIZE(fields)))
				continue;
			if (fields[0][0] == '\0' || parse_id(fields[2], &id) != ID_OK)
				continue;
			if (!member_of(fields[3], user))
				continue;
			for (size_t i = 0; i < n && !dup; i++)
				dup = groups[i] == id;
			if (dup)
				continue;
			if (n == cap) {
				size_t ncap = cap == 0 ? 8 : cap * 2;
				gid_t *g = reallocarray(groups, ncap, sizeof(*g));
				if (g == NULL)
					return mr_error_set(err, ENOMEM, "groups of user '%s'",
							    user);
				groups = g;
				cap = ncap;
			}
			groups[n++] = id;
		}
		if (more < 0)
			return -1;
	}
	*out = mr_steal_ptr(&groups);
	*n_out = n;
	return 0;
}

static void
user_clearp(struct mr_user *u)
{
	mr_user_clear(u);
}

/* No --user: root, with HOME and name from the image when it has an entry for uid 0. */
static int
resolve_default(int rootfs_fd, struct mr_user *u, struct mr_error *err)
{
	__attribute__((cleanup(passwd_entry_clear))) struct passwd_entry pw = {0};
	enum lookup found;

	if (find_passwd(rootfs_fd, NULL, 0, &pw, &found, err) < 0)
		return -1;
	u->uid = 0;
	u->gid = 0;
	if (found == LOOKUP_FOUND) {
		u->name = mr_steal_ptr(&pw.name);
		u->home = mr_steal_ptr(&pw.home);
	} else {
		u->home = strdup("/root");
		if (u->home == NULL)
			return mr_error_set(err, ENOMEM, "default user");
	}
	return 0;
}

int
mr_user_resolve(int rootfs_fd, const char *spec, struct mr_user *out, struct mr_error *err)
{
	__attribute__((cleanup(user_clearp))) struct mr_user u = {0};
	cleanup_free char *copy = NULL;
	__attribute__((cleanup(passwd_entry_clear))) struct passwd_entry pw = {0};
	uint32_t id = 0;
	enum lookup found = LOOKUP_NOT_FOUND;

	memset(out, 0, sizeof(*out));
	if (spec == NULL) {
		if (resolve_default(rootfs_fd, &u, err) < 0)
			return -1;
		*out = u;
		memset(&u, 0, sizeof(u));
		return 0;
	}

	if (spec[0] == '\0')
		return mr_error_set(err, 0, "user '': empty user (expected USER[:GROUP])");
	copy = strdup(spec);
	if (copy == NULL)
		return mr_error_set(err, ENOMEM, "user '%s'", spec);
	char *user = copy;
	char *group = strchr(copy, ':');
	if (group != NULL)
		*group++ = '\0';
	/* runc silently ignores anything after a second ':'; a typo should not pass. */
	if (group != NULL && strchr(group, ':') != NULL)
		return mr_error_set(err, 0, "user '%s': too many ':' (expected USER[:GROUP])",
				    spec);
	if (user[0] == '\0')
		return mr_error_set(err, 0, "user '%s': empty user name before ':'", spec);
	if (group != NULL && group[0] == '\0')
		return mr_error_set(err, 0, "user '%s': empty group name after ':'", spec);

	/* USER: a uid always wins over a name that looks like a number (runc). */
	switch (parse_id(user, &id)) {
	case ID_OUT_OF_RANGE:
		return mr_error_set(err, 0, "user '%s': uid out of range (0-%llu)", spec, ID_MAX);
	case ID_OK:
		if (find_passwd(rootfs_fd, NULL, id, &pw, &found, err) < 0)
			return mr_error_wrap(err, "user '%s'", spec);
		break;
	case ID_NOT_NUMBER:
		/* A sign means someone meant a number; never look "-1" up as a name. */
		if (user[0] == '-' || user[0] == '+')
			return mr_error_set(err, 0, "user '%s': uid must be decimal digits only",
					    spec);
		if (find_passwd(rootfs_fd, user, 0, &pw, &found, err) < 0)
			return mr_error_wrap(err, "user '%s'", spec);
		if (found != LOOKUP_FOUND)
			return mr_error_set(
			    err, 0, "user '%s': no user '%s' in /%s of the root filesystem%s", spec,
			    user, PASSWD_PATH,
			    found == LOOKUP_NO_FILE ? " (there is no such file)" : "");
		break;
	default:
		break;
	}

	if (found == LOOKUP_FOUND) {
		u.uid = pw.uid;
		u.gid = pw.gid;
		u.name = mr_steal_ptr(&pw.name);
		u.home = mr_steal_ptr(&pw.home);
	} else {
		/* A uid the image does not know: allowed, with gid 0 and HOME "/". */
		u.uid = id;
		u.gid = 0;
		u.home = strdup("/");
		if (u.home == NULL)
			return mr_error_set(err, ENOMEM, "user '%s'", spec);
	}

	if (group != NULL) {
		/* An explicit GROUP replaces the primary gid and drops supplementary groups. */
		gid_t gid;
		switch (parse_id(group, &id)) {
		case ID_OUT_OF_RANGE:
			return mr_error_set(err, 0, "user '%s': gid out of range (0-%llu)", spec,
					    ID_MAX);
		case ID_OK:
			u.gid = id;
			break;
		case ID_NOT_NUMBER:
			if (group[0] == '-' || group[0] == '+')
				return mr_error_set(
				    err, 0, "user '%s': gid must be decimal digits only", spec);
			if (find_group(rootfs_fd, group, 0, &gid, &found, err) < 0)
				return mr_error_wrap(err, "user '%s'", spec);
			if (found != LOOKUP_FOUND)
				return mr_error_set(
				    err, 0,
				    "user '%s': no group '%s' in /%s of the root filesystem%s",
				    spec, group, GROUP_PATH,
				    found == LOOKUP_NO_FILE ? " (there is no such file)" : "");
			u.gid = gid;
			break;
		default:
			break;
		}
	} else if (u.name != NULL) {
		if (supplementary_groups(rootfs_fd, u.name, &u.groups, &u.n_groups, err) < 0)
			return mr_error_wrap(err, "user '%s'", spec);
	}

	*out = u;
	memset(&u, 0, sizeof(u));
	return 0;
}

void
mr_user_clear(struct mr_user *u)
{
	if (u == NULL)
		return;
	free(u->groups);
	free(u->home);
	free(u->name);
	u->groups = NULL;
	u->n_groups = 0;
	u->home = NULL;
	u->name = NULL;
}

int
mr_setresuid(uid_t r, uid_t e, uid_t s)
{
	return (int)syscall(SYS_setresuid, r, e, s);
}

int
mr_setresgid(gid_t r, gid_t e, gid_t s)
{
	return (int)syscall(SYS_setresgid, r, e, s);
}

int
mr_setgroups(size_t n, const gid_t *groups)
{
	return (int)syscall(SYS_setgroups, n, groups);
}

int
mr_user_set_groups(const struct mr_user *u, struct mr_error *err)
{
	if (mr_setgroups(u->n_groups, u->n_groups > 0 ? u->groups : NULL) == 0)
		return 0;

	int saved = errno;
	/* 16 ids of at most 10 digits each fit; the rest would not help the reader. */
	char list[256];
	size_t len = 0;
	list[0] = '\0';
	for (size_t i = 0; i < u->n_groups && i < 16; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u", i > 0 ? "," : "",
					(unsigned)u->groups[i]);
	if (u->n_groups > 16)
		snprintf(list + len, sizeof(list) - len, ",... (%zu groups)", u->n_groups);
	return mr_error_set(err, saved, "setgroups(%s)", list);
}

int
mr_user_switch(const struct mr_user *u, struct mr_error *err)
{
	/* gid first: after setresuid to a non-root uid we could no longer change it. */
	if (mr_user_set_gid(u, err) < 0)
		return -1;
	return mr_user_set_uid(u, err);
}

int
mr_user_set_gid(const struct mr_user *u, struct mr_error *err)
{
	if (mr_setresgid(u->gid, u->gid, u->gid) != 0)
		return mr_error_set(err, errno, "setresgid(%u)", (unsigned)u->gid);
	return 0;
}

int
mr_user_set_uid(const struct mr_user *u, struct mr_error *err)
{
	if (mr_setresuid(u->uid, u->uid, u->uid) != 0)
		return mr_error_set(err, errno, "setresuid(%u)", (unsigned)u->uid);
	return 0;
}

/*
 * --group-add: each GROUP a decimal gid or a name from the image's
 * etc/group, added to the supplementary groups (Docker's rule: whatever
 * --user says, also with USER:GROUP).  A gid already in the list is not
 * added twice.
 */
int
mr_user_add_groups(int rootfs_fd, struct mr_user *u, char *const *groups, size_t n,
		   struct mr_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *g = groups[i];
		uint32_t id;
		gid_t gid = 0;
		enum lookup found;

		switch (parse_id(g, &id)) {
		case ID_OUT_OF_RANGE:
			return mr_error_set(err, 0, "--group-add %s: gid out of range (0-%llu)", g,
					    ID_MAX);
		case ID_OK:
			gid = id;
			break;
		case ID_NOT_NUMBER:
		default:
			if (g[0] == '\0' || g[0] == '-' || g[0] == '+')
				return mr_error_set(err, 0,
						    "--group-add '%s': expected a group name or a "
						    "decimal gid",
						    g);
			if (find_group(rootfs_fd, g, 0, &gid, &found, err) < 0)
				return mr_error_wrap(err, "--group-add %s", g);
			if (found != LOOKUP_FOUND)
				return mr_error_set(
				    err, 0,
				    "--group-add %s: no group '%s' in /%s of the root "
				    "filesystem%s",
				    g, g, GROUP_PATH,
				    found == LOOKUP_NO_FILE ? " (there is no such file)" : "");
			break;
		}
		if (mr_user_add_gid(u, gid, err) < 0)
			return -1;
	}
	return 0;
}

int
mr_user_add_gid(struct mr_user *u, gid_t gid, struct mr_error *err)
{
	for (size_t k = 0; k < u->n_groups; k++)
		if (u->groups[k] == gid)
			return 0;
	gid_t *nv = reallocarray(u->groups, u->n_groups + 1, sizeof(*nv));
	if (nv == NULL)
		return mr_error_set(err, ENOMEM, "supplementary groups");
	nv[u->n_groups++] = gid;
	u->groups = nv;
	return 0;
}
