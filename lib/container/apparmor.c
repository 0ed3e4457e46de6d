/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config.h"
#include "container/apparmor.h"
#include "common/util.h"

#if HAVE_APPARMOR
#include <sys/apparmor.h>
#endif

/* lsm_set_self_attr(2), Linux 6.8 (uapi/linux/lsm.h); not in Debian 12's headers. */
#ifndef __NR_lsm_set_self_attr
#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv)
#define __NR_lsm_set_self_attr 460
#endif
#endif
#define MR_LSM_ATTR_EXEC   101
#define MR_LSM_ID_APPARMOR 104

struct mr_lsm_ctx {
	uint64_t id;
	uint64_t flags;
	uint64_t len;
	uint64_t ctx_len;
	char ctx[];
};

bool
mr_apparmor_is_noop(const char *profile)
{
	return profile == NULL || strcmp(profile, "unconfined") == 0;
}

static int
not_loaded(const char *profile, struct mr_error *err)
{
	return mr_error_set(err, 0,
			    "AppArmor profile '%s' is not loaded (load it with: apparmor_parser "
			    "-r FILE)",
			    profile);
}

#if HAVE_APPARMOR
/*
 * 1 if PROFILE is in the kernel's list of loaded profiles, 0 if not, -1 if
 * the list cannot be read (not root): then the exec-time write decides.
 */
static int
profile_loaded(const char *profile)
{
	cleanup_free char *mnt = NULL;
	char path[4096];

	if (aa_find_mountpoint(&mnt) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/profiles", mnt);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	size_t len = strlen(profile);
	int found = 0;
	/* Lines read "NAME (MODE)". */
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, profile, len) == 0 && line[len] == ' ' && line[len + 1] == '(') {
			found = 1;
			break;
		}
	}
	free(line);
	fclose(f);
	return found;
}
#endif

int
mr_apparmor_check(const char *profile, struct mr_error *err)
{
	if (mr_apparmor_is_noop(profile))
		return 0;
#if HAVE_APPARMOR
	/*
	 * Docker silently ignores the profile on such a host and runc fails
	 * with "write /proc/self/attr/exec: invalid argument"; a lab user
	 * deserves to know the profile would not be applied.
	 */
	if (!aa_is_enabled())
		return mr_error_set(
		    err, 0, "AppArmor is not enabled on this kernel, cannot apply profile '%s'",
		    profile);
	if (profile_loaded(profile) == 0)
		return not_loaded(profile, err);
	return 0;
#else
	return mr_error_set(err, 0,
			    "AppArmor is not enabled on this kernel, cannot apply profile '%s' "
			    "(minirun was built without libapparmor)",
			    profile);
#endif
}

static bool
currently_unconfined(void)
{
	char buf[256] = {0};
	cleanup_close int fd = open("/proc/thread-self/attr/current", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		return true;
	return strncmp(buf, "unconfined", 10) == 0;
}

/*
 * Open the exec attribute through the procfs minirun itself mounted a moment
 * ago in its private mount namespace, and check it is procfs: a path into a
 * shared or image-controlled /proc could be redirected to a harmless file
 * and the profile silently not applied (CVE-2019-16884, CVE-2025-52881).
 */
static int
open_exec_attr(struct mr_error *err)
{
	static const char *const paths[] = {
	    "/proc/thread-self/attr/apparmor/exec",
	    "/proc/thread-self/attr/exec",
	};
	for (size_t i = 0; i < MR_ARRAY_SIZE(paths); i++) {
		struct statfs sfs;
		int fd = open(paths[i], O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return mr_error_set(err, errno, "apparmor: open %s", paths[i]);
		}
		if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
			close(fd);
			return mr_error_set(err, 0, "apparmor: %s is not on procfs", paths[i]);
		}
		return fd;
	}
	return mr_error_set(err, ENOENT, "apparmor: no exec attribute in /proc/thread-self/attr");
}

int
mr_apparmor_apply_on_exec(const char *profile, bool no_new_privs, struct mr_error *err)
{
	char cmd[4096];

	if (mr_apparmor_is_noop(profile))
		return 0;
	/* With no_new_privs a confined task may only add to its confinement. */
	const char *op = no_new_privs && !currently_unconfined() ? "stack" : "exec";
	int n = snprintf(cmd, sizeof(cmd), "%s %s", op, profile);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return mr_error_set(err, 0, "apparmor: profile name too long");

#ifdef __NR_lsm_set_self_attr
	/* Linux >= 6.8: no procfs path at all. */
	size_t size = sizeof(struct mr_lsm_ctx) + (size_t)n + 1;
	cleanup_free struct mr_lsm_ctx *ctx = calloc(1, size);
	if (ctx == NULL)
		return mr_error_set(err, ENOMEM, "apparmor");
	ctx->id = MR_LSM_ID_APPARMOR;
	ctx->len = size;
	ctx->ctx_len = (uint64_t)n + 1;
	memcpy(ctx->ctx, cmd, (size_t)n + 1);
	if (syscall(__NR_lsm_set_self_attr, MR_LSM_ATTR_EXEC, ctx, (uint32_t)size, 0U) == 0)
		return 0;
	if (errno == ENOENT)
		return not_loaded(profile, err);
	if (errno != ENOSYS && errno != EOPNOTSUPP)
		return mr_error_set(err, errno, "apparmor: set the exec label to '%s'", profile);
#endif

	cleanup_close int fd = open_exec_attr(err);
	if (fd < 0)
		return -1;
	if (write(fd, cmd, (size_t)n) != n) {
		if (errno == ENOENT)
			return not_loaded(profile, err);
		return mr_error_set(err, errno, "apparmor: set the exec label to '%s'", profile);
	}
	return 0;
}
