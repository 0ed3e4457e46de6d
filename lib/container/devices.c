/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "container/devices.h"
#include "container/device-bpf.h"
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
 *
 * The one list both backends read: v1 writes it as text, v2 compiles it to
 * BPF (device-bpf.c).
 */
static const struct mr_device_rule default_allow[] = {
    {'c', MR_DEV_ANY, MR_DEV_ANY, MR_DEV_MKNOD}, /* mknod of any character device */
    {'b', MR_DEV_ANY, MR_DEV_ANY, MR_DEV_MKNOD}, /* and any block device; open() is checked */
    {'c', 1, 3, MR_DEV_RWM},			 /* null */
    {'c', 1, 5, MR_DEV_RWM},			 /* zero */
    {'c', 1, 7, MR_DEV_RWM},			 /* full */
    {'c', 1, 8, MR_DEV_RWM},			 /* random */
    {'c', 1, 9, MR_DEV_RWM},			 /* urandom */
    {'c', 5, 0, MR_DEV_RWM},			 /* tty */
    {'c', 5, 1, MR_DEV_RWM},			 /* console */
    {'c', 5, 2, MR_DEV_RWM},			 /* ptmx */
    {'c', 136, MR_DEV_ANY, MR_DEV_RWM},		 /* pts/N */
    {'c', 10, 200, MR_DEV_RWM},			 /* net/tun (kept by runc for compatibility) */
};

const struct mr_device_rule *
mr_devices_default(size_t *n)
{
	*n = MR_ARRAY_SIZE(default_allow);
	return default_allow;
}

char *
mr_device_rule_format(const struct mr_device_rule *r, char *buf, size_t size)
{
	char maj[16], min[16];

	if (r->major == MR_DEV_ANY)
		snprintf(maj, sizeof(maj), "*");
	else
		snprintf(maj, sizeof(maj), "%d", (int)r->major);
	if (r->minor == MR_DEV_ANY)
		snprintf(min, sizeof(min), "*");
	else
		snprintf(min, sizeof(min), "%d", (int)r->minor);
	snprintf(buf, size, "%c %s:%s %s%s%s", r->type, maj, min,
		 r->access & MR_DEV_READ ? "r" : "", r->access & MR_DEV_WRITE ? "w" : "",
		 r->access & MR_DEV_MKNOD ? "m" : "");
	return buf;
}

static int
write_rule(int fd, const char *path, const char *file, const char *rule, struct mr_error *err)
{
	size_t len = strlen(rule);
	/* One rule per write(): the controller parses each write as one rule. */
	if (write(fd, rule, len) != (ssize_t)len)
		return mr_error_set(err, errno, "devices cgroup %s: write '%s' to %s", path, rule,
				    file);
	return 0;
}

int
mr_devices_apply_v1(int dfd, const char *path, bool privileged, struct mr_error *err)
{
	/* --privileged: every device the parent cgroup allows (the host's are all). */
	if (privileged)
		return 0;
	cleanup_close int deny = openat(dfd, "devices.deny", O_WRONLY | O_CLOEXEC);
	if (deny < 0)
		return mr_error_set(err, errno, "devices cgroup %s: open devices.deny", path);
	if (write_rule(deny, path, "devices.deny", "a", err) < 0)
		return -1;
	cleanup_close int allow = openat(dfd, "devices.allow", O_WRONLY | O_CLOEXEC);
	if (allow < 0)
		return mr_error_set(err, errno, "devices cgroup %s: open devices.allow", path);
	for (size_t i = 0; i < MR_ARRAY_SIZE(default_allow); i++) {
		char rule[64];
		mr_device_rule_format(&default_allow[i], rule, sizeof(rule));
		if (write_rule(allow, path, "devices.allow", rule, err) < 0)
			return -1;
	}
	return 0;
}

int
mr_devices_apply_v2(int dfd, const char *path, bool privileged, struct mr_error *err)
{
	/*
	 * --privileged: no program of ours.  BPF_F_ALLOW_MULTI programs of the
	 * parent cgroups (systemd's, a runtime's above us) still run: a
	 * privileged container gets what its parent allows, as on v1.
	 */
	if (privileged)
		return 0;
	return mr_device_bpf_attach(dfd, path, default_allow, MR_ARRAY_SIZE(default_allow), err);
}
