/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

const char *const *
mr_devices_default_rules(size_t *n)
{
	*n = MR_ARRAY_SIZE(default_allow);
	return default_allow;
}

void
mr_device_rule(const struct mr_device *d, char *buf, size_t size)
{
	snprintf(buf, size, "%c %u:%u %s", d->type, d->major, d->minor, d->perms);
}

int
mr_devices_allow_v1(int dfd, const char *path, const struct mr_device *devs, size_t n,
		    struct mr_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char rule[64];
		const char *rules[1] = {rule};
		mr_device_rule(&devs[i], rule, sizeof(rule));
		if (write_rules(dfd, path, "devices.allow", rules, 1, err) < 0)
			return -1;
	}
	return 0;
}

/* Make the directories of PATH (relative to DFD, "a/b/node") up to its last component. */
static int
make_parents(int dfd, const char *path, struct mr_error *err)
{
	char dir[4096];
	for (const char *s = strchr(path, '/'); s != NULL; s = strchr(s + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(s - path), path);
		if (mkdirat(dfd, dir, 0755) < 0 && errno != EEXIST)
			return mr_error_set(err, errno, "--device: mkdir /dev/%s", dir);
	}
	return 0;
}

int
mr_devices_make_nodes(int devfd, const struct mr_device *devs, size_t n, bool rootless,
		      struct mr_error *err)
{
	if (n == 0)
		return 0;
	/* mknodat needs a directory opened for real, not O_PATH. */
	cleanup_close int dfd = openat(devfd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return mr_error_set(err, errno, "open /dev");
	for (size_t i = 0; i < n; i++) {
		const struct mr_device *d = &devs[i];
		const char *rel = d->path + strlen("/dev/"); /* checked when parsed */
		if (make_parents(dfd, rel, err) < 0)
			return -1;
		/* As docker: --device /dev/null:/dev/null replaces minirun's own node. */
		if (unlinkat(dfd, rel, 0) < 0 && errno != ENOENT)
			return mr_error_set(err, errno, "--device: replace %s", d->path);
		if (!rootless) {
			if (mknodat(dfd, rel, d->mode & (S_IFMT | 07777),
				    makedev(d->major, d->minor)) < 0)
				return mr_error_set(err, errno, "--device: mknod %s", d->path);
			/* The host's permission bits, not those the umask left. */
			if (fchmodat(dfd, rel, d->mode & 07777, 0) < 0)
				return mr_error_set(err, errno, "--device: chmod %s", d->path);
			continue;
		}
		char target[64];
		cleanup_close int fd =
		    openat(dfd, rel, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
		if (fd < 0)
			return mr_error_set(err, errno, "--device: create %s", d->path);
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		if (mount(d->host, target, NULL, MS_BIND, NULL) < 0)
			return mr_error_set(err, errno, "--device: bind %s onto %s", d->host,
					    d->path);
	}
	return 0;
}
