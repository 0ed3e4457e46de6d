/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container/namespaces.h"
#include "common/util.h"

unsigned long
mr_ns_clone_flags(const struct mr_spec *spec, bool rootless)
{
	/*
	 * No CLONE_NEWCGROUP here: the child unshares it once minirun has moved
	 * it into its cgroup, so the namespace is rooted there (launch.c).
	 */
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
	if (spec->network == MR_NETWORK_NONE)
		flags |= CLONE_NEWNET;
	/*
	 * One clone creates the user namespace first and the others owned by
	 * it, so the container's root can mount proc, sysfs and mqueue for
	 * its own namespaces.
	 */
	if (rootless)
		flags |= CLONE_NEWUSER;
	return flags;
}

static int
write_file(pid_t pid, const char *name, const char *data, struct mr_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, errno, "user namespace: open %s", path);
	size_t len = strlen(data);
	if (write(fd, data, len) != (ssize_t)len)
		return mr_error_set(err, errno, "user namespace: write '%.*s' to %s",
				    (int)strcspn(data, "\n"), data, path);
	return 0;
}

int
mr_ns_write_id_maps(pid_t pid, uid_t outer_uid, gid_t outer_gid, struct mr_error *err)
{
	char map[64];

	/* Since Linux 3.19 an unprivileged gid_map write needs setgroups denied. */
	if (write_file(pid, "setgroups", "deny", err) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)outer_uid);
	if (write_file(pid, "uid_map", map, err) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)outer_gid);
	return write_file(pid, "gid_map", map, err);
}

int
mr_ns_loopback_up(struct mr_error *err)
{
	struct ifreq ifr;
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return mr_error_set(err, errno, "network: socket");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	/* A new network namespace starts with lo down: docker's "none" has it up. */
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return mr_error_set(err, errno, "network: bring lo up");
	return 0;
}
