/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "container/devices.h"
#include "common/util.h"

/*
 * Docker's default device rules, as the kernel ends up with them: moby's
 * oci/defaults.go (DefaultLinuxSpec: deny all, allow null, zero, urandom,
 * random, tty, console; deny fuse 10:229) followed by the rules runc appends
 * to every container (libcontainer/specconv AllowedDevices: mknod of any
 * node, null, random, full, tty, zero, urandom, console, pts 136:*, ptmx,
 * tun 10:200).  Without them a root process that holds CAP_MKNOD (Docker's
 * default set does) could create a node for the host's disk and read it
 * (mknod b 8 0): the cgroup, not the capability, is what stops that.
 * fuse 10:229 stays denied: runc's "c *:* m" lets it be created, not opened.
 */
static const char *const default_allow[] = {
    "c *:* m",	   /* mknod of any character device */
    "b *:* m",	   /* and any block device; open() is what is checked */
    "c 1:3 rwm",   /* null */
    "c 1:5 rwm",   /* zero */
    "c 1:7 rwm",   /* full */
    "c 1:8 rwm",   /* random */
    "c 1:9 rwm",   /* urandom */
    "c 5:0 rwm",   /* tty */
    "c 5:1 rwm",   /* console */
    "c 5:2 rwm",   /* ptmx */
    "c 136:* rwm", /* pts/N */
    "c 10:200 rwm" /* net/tun (kept by runc for compatibility) */
};

static int
write_rules(int dfd, const char *path, const char *file, const char *const *rules, size_t n,
	    struct mr_error *err)
{
	cleanup_close int fd = openat(dfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, errno, "devices cgroup %s: open %s", path, file);
	/* One rule per write(): the controller parses each write as one rule. */
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(rules[i]);
		if (write(fd, rules[i], len) != (ssize_t)len)
			return mr_error_set(err, errno, "devices cgroup %s: write '%s' to %s", path,
					    rules[i], file);
	}
	return 0;
}

int
mr_devices_apply_v1(int dfd, const char *path, bool privileged, struct mr_error *err)
{
	static const char *const deny_all[] = {"a"};

	/* --privileged: every device the parent cgroup allows (the host's are all). */
	if (privileged)
		return 0;
	if (write_rules(dfd, path, "devices.deny", deny_all, 1, err) < 0)
		return -1;
	return write_rules(dfd, path, "devices.allow", default_allow, MR_ARRAY_SIZE(default_allow),
			   err);
}
