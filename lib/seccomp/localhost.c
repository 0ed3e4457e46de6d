/* SPDX-License-Identifier: MIT */
/*
 * localhost/NAME resolved as the kubelet does: beneath its seccomp root.
 *
 * The kubelet validates localhostProfile as "a descending path, relative to
 * the kubelet's configured seccomp profile location".  Checking the string
 * is not enough on its own: a symlink inside the root could point anywhere,
 * so the file is opened with openat2(RESOLVE_BENEATH) on a descriptor of the
 * root, which the kernel resolves without ever leaving it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp/localhost.h"
#include "seccomp/profile.h"
#include "common/util.h"

static const char *root_override;

void
mr_seccomp_root_set(const char *dir)
{
	root_override = dir;
}

const char *
mr_seccomp_root(void)
{
	const char *env = getenv("MINIRUN_SECCOMP_ROOT");
	if (root_override != NULL)
		return root_override;
	return env != NULL && *env != '\0' ? env : MR_SECCOMP_ROOT_DEFAULT;
}

int
mr_localhost_check(const char *name, struct mr_error *err)
{
	if (*name == '\0')
		return mr_error_set(err, 0, "localhost/: no profile name given");
	/* An absolute NAME is the file itself (program.c, minirun's earlier meaning): no root. */
	if (*name == '/')
		return 0;
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return mr_error_set(err, 0,
					    "localhost/%s: \"..\" would leave the seccomp root %s",
					    name, mr_seccomp_root());
		p += n;
		while (*p == '/')
			p++;
	}
	return 0;
}

int
mr_localhost_read(const char *name, char **text, size_t *len, char **source, struct mr_error *err)
{
	const char *root = mr_seccomp_root();
	*text = NULL;
	*source = NULL;
	if (mr_localhost_check(name, err) < 0)
		return -1;
	if (*name == '/')
		return mr_error_set(err, EINVAL, "localhost/%s: not beneath the seccomp root",
				    name);
	if (asprintf(source, "%s/%s", root, name) < 0) {
		*source = NULL;
		return mr_error_oom(err, "seccomp profile");
	}
	cleanup_close int dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return mr_error_set(err, errno, "localhost/%s: seccomp root %s", name, root);
	if (mr_profile_read_at(dirfd, name, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, *source, text,
			       len, err) < 0) {
		if (err->errnum == EXDEV)
			return mr_error_set(err, 0,
					    "localhost/%s: resolving it leaves the seccomp root %s "
					    "(a symlink pointing out of it?)",
					    name, root);
		return -1;
	}
	return 0;
}
