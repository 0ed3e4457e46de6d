/* SPDX-License-Identifier: MIT */
/* The container's freezer: see freezer.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "container/freezer.h"
#include "common/util.h"

/* The directory that freezes: the cgroup2 one if it can, else the v1 freezer. */
static int
freezer_dir(char *const *paths, size_t n, bool *v2)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			int fd = open(paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			struct statfs sf;
			if (fd < 0)
				continue;
			bool is_v2 = fstatfs(fd, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
			const char *file = is_v2 ? "cgroup.freeze" : "freezer.state";
			if ((pass == 0) == is_v2 && faccessat(fd, file, F_OK, 0) == 0) {
				*v2 = is_v2;
				return fd;
			}
			close(fd);
		}
	return -1;
}

static int
read_at(int dfd, const char *file, char *buf, size_t size)
{
	cleanup_close int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);
	ssize_t r = fd < 0 ? -1 : read(fd, buf, size - 1);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return 0;
}

/* Has the kernel finished: every task stopped (or running again)? */
static bool
settled(int dfd, bool v2, bool frozen)
{
	char buf[512];
	if (v2) {
		if (read_at(dfd, "cgroup.events", buf, sizeof(buf)) < 0)
			return false;
		return strstr(buf, frozen ? "frozen 1" : "frozen 0") != NULL;
	}
	if (read_at(dfd, "freezer.state", buf, sizeof(buf)) < 0)
		return false;
	return strncmp(buf, frozen ? "FROZEN" : "THAWED", 6) == 0;
}

int
mr_freezer_set(char *const *paths, size_t n, bool frozen, struct mr_error *err)
{
	bool v2 = false;
	cleanup_close int dfd = freezer_dir(paths, n, &v2);
	if (dfd < 0)
		return mr_error_set(err, 0,
				    "the container has no freezer (no cgroup: rootless without "
				    "limits?)");
	const char *file = v2 ? "cgroup.freeze" : "freezer.state";
	const char *value = v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
	/* Up to 10 s: v1 FREEZING may need the write repeated until it sticks. */
	for (int i = 0; i < 2000; i++) {
		cleanup_close int fd = openat(dfd, file, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, value, strlen(value)) < 0)
			return mr_error_set(err, errno, "%s", file);
		if (settled(dfd, v2, frozen))
			return 0;
		nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
	return mr_error_set(err, 0, "%s: still not %s after 10 s", file,
			    frozen ? "frozen" : "thawed");
}

bool
mr_freezer_frozen(char *const *paths, size_t n)
{
	char buf[64];
	bool v2 = false;
	cleanup_close int dfd = freezer_dir(paths, n, &v2);
	if (dfd < 0)
		return false;
	/* What was asked, not whether it completed: a freezing container is paused. */
	if (read_at(dfd, v2 ? "cgroup.freeze" : "freezer.state", buf, sizeof(buf)) < 0)
		return false;
	return v2 ? buf[0] == '1' : strncmp(buf, "THAWED", 6) != 0;
}
