/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "container/sysctl.h"
#include "container/prepare.h"
#include "container/spec.h"
#include "common/util.h"

/*
 * docker run's list (docker/cli opts.ValidateSysctl): the IPC keys that
 * the kernel keeps per IPC namespace, and two prefixes.  Anything else is
 * global to the host (kernel.core_pattern, vm.*, fs.file-max...): writing
 * it from a container would change the host, so it is refused, whatever
 * the capabilities.
 */
static const char *const ipc_keys[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

#define ALLOWED_LIST                                                                               \
	"kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, "                 \
	"kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.* and net.*"

enum mr_sysctl_ns
mr_sysctl_namespace(const char *key)
{
	for (size_t i = 0; i < MR_ARRAY_SIZE(ipc_keys); i++)
		if (strcmp(key, ipc_keys[i]) == 0)
			return MR_SYSCTL_IPC;
	if (strncmp(key, "fs.mqueue.", 10) == 0 && key[10] != '\0')
		return MR_SYSCTL_IPC;
	if (strncmp(key, "net.", 4) == 0 && key[4] != '\0')
		return MR_SYSCTL_NET;
	return MR_SYSCTL_NOT_NAMESPACED;
}

int
mr_sysctl_parse(const char *arg, struct mr_error *err)
{
	const char *eq = strchr(arg, '=');
	if (eq == NULL || eq == arg)
		return mr_error_set(err, 0, "--sysctl %s: expected KEY=VALUE", arg);
	int klen = (int)(eq - arg);
	/*
	 * The key becomes a path below /proc/sys (dots to slashes): a '/' or
	 * an empty component ("net..x", ".net") could make it name another
	 * file than the one checked here.
	 */
	bool bad = arg[0] == '.' || eq[-1] == '.';
	for (const char *c = arg; c < eq && !bad; c++)
		bad = *c == '/' || (c[0] == '.' && c[1] == '.');
	if (bad)
		return mr_error_set(err, 0,
				    "--sysctl %s: invalid key '%.*s' (dotted names only, as "
				    "net.ipv4.ip_forward)",
				    arg, klen, arg);
	if (strchr(eq + 1, '\n') != NULL)
		return mr_error_set(err, 0, "--sysctl %.*s: the value must be one line", klen, arg);
	char key[256];
	if ((size_t)klen >= sizeof(key))
		return mr_error_set(err, 0, "--sysctl %.*s...: key too long", 32, arg);
	memcpy(key, arg, (size_t)klen);
	key[klen] = '\0';
	if (mr_sysctl_namespace(key) != MR_SYSCTL_NOT_NAMESPACED)
		return 0;
	if (strcmp(key, "kernel.hostname") == 0)
		return mr_error_set(
		    err, 0, "--sysctl %s: not allowed: set the host name with --hostname", arg);
	/* The UTS namespace's, so not the host's: but docker's list has it not either. */
	if (strcmp(key, "kernel.domainname") == 0)
		return mr_error_set(
		    err, 0,
		    "--sysctl %s: not allowed, as docker refuses it (the container's "
		    "own domain name; an OCI config's domainname sets it)",
		    arg);
	return mr_error_set(err, 0,
			    "--sysctl %s: %s is not namespaced: a container would change it for "
			    "the whole host (allowed: " ALLOWED_LIST ")",
			    arg, key);
}

int
mr_sysctl_check(const struct mr_spec *spec, struct mr_error *err)
{
	for (size_t i = 0; i < spec->n_sysctls; i++) {
		const char *s = spec->sysctls[i];
		/* Again here: an OCI config's linux.sysctl comes this way too. */
		if (mr_sysctl_parse(s, err) < 0)
			return -1;
		if (strncmp(s, "net.", 4) == 0 && spec->network == MR_NETWORK_HOST)
			return mr_error_set(err, 0,
					    "--sysctl %s: net.* sysctls need the container's own "
					    "network namespace: with --network host they would "
					    "change the host's",
					    s);
		/* A joined namespace is its maker's: set them there. */
		char key[256];
		snprintf(key, sizeof(key), "%.*s", (int)strcspn(s, "="), s);
		enum mr_sysctl_ns ns = mr_sysctl_namespace(key);
		enum mr_ns_join_kind kind = ns == MR_SYSCTL_NET ? MR_JOIN_NET : MR_JOIN_IPC;
		if (ns != MR_SYSCTL_NOT_NAMESPACED && mr_spec_joins(spec, kind))
			return mr_error_set(err, 0,
					    "%s: the container joins the %s namespace %s, which is "
					    "not its own: set it in the container that made it",
					    s, ns == MR_SYSCTL_NET ? "network" : "IPC",
					    spec->ns_join[kind].path);
	}
	return 0;
}

/*
 * KEY's file (its first KLEN bytes, dots as slashes) below DIRFD/PREFIX,
 * opened for writing with RESOLVE, and only if it is a procfs file.
 * Syscalls and snprintf to the stack only: the network thread uses it too
 * (mr_sysctl_net_write).
 */
static int
open_sysctl(int dirfd, const char *prefix, const char *key, size_t klen, uint64_t resolve)
{
	char path[320];
	int n = snprintf(path, sizeof(path), "%s%.*s", prefix, (int)klen, key);
	if (n < 0 || (size_t)n >= sizeof(path))
		return (errno = ENAMETOOLONG), -1;
	for (char *c = path + strlen(prefix); *c; c++)
		if (*c == '.')
			*c = '/';
	struct open_how how = {
	    .flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
	    .resolve = resolve,
	};
	cleanup_close int fd = mr_openat2(dirfd, path, &how);
	struct statfs sf;
	if (fd < 0)
		return -1;
	if (fstatfs(fd, &sf) < 0)
		return -1;
	if (sf.f_type != PROC_SUPER_MAGIC)
		return (errno = EXDEV), -1;
	return mr_steal_fd(&fd);
}

static int
write_sysctl(int procfd, const char *kv, struct mr_error *err)
{
	const char *eq = strchr(kv, '=');
	size_t klen = (size_t)(eq - kv);
	/* Never leaving the container's procfs: no symlink, no other mount (a
	   mask or a read-only bind of minirun's), nothing but procfs. */
	cleanup_close int fd = open_sysctl(procfd, "sys/", kv, klen,
					   RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					       RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
	if (fd < 0) {
		if (errno == ENOENT)
			return mr_error_set(err, ENOENT,
					    "--sysctl %s: no such sysctl in the container", kv);
		return mr_error_set(err, errno, "--sysctl %s: open /proc/sys", kv);
	}
	/* One write: procfs takes a sysctl's value from the first write alone. */
	size_t len = strlen(eq + 1);
	ssize_t w = write(fd, eq + 1, len);
	if (w < 0)
		return mr_error_set(err, errno, "--sysctl %s", kv);
	if ((size_t)w != len)
		return mr_error_set(err, EIO, "--sysctl %s: short write", kv);
	return 0;
}

/*
 * What moby and containerd's CRI set in every container that has its own
 * network namespace: ports below 1024 bindable and ICMP echo sockets open
 * to every group.  Without them a non-root workload that works under
 * Docker needs CAP_NET_BIND_SERVICE or CAP_NET_RAW here, and a profile
 * tested with minirun asks for capabilities it does not need.  The
 * namespace is the container's alone, so the host's settings are
 * untouched.  Rootless, only gid 0 is mapped, and the kernel refuses a
 * range whose ends the writer's user namespace does not map: in one of the
 * OCI config's, up to its highest mapped gid.
 */
static void
default_ping(const struct mr_prepared *p, char *buf, size_t size)
{
	const struct mr_spec *spec = p->spec;
	uint32_t top = p->rootless ? 0 : 2147483647;
	for (size_t i = 0; p->userns && !p->rootless && i < spec->n_gid_map; i++) {
		uint32_t last = spec->gid_map[i].container_id + spec->gid_map[i].size - 1;
		top = i == 0 || last > top ? last : top;
	}
	top = top > 2147483647 ? 2147483647 : top; /* the sysctl's own limit */
	snprintf(buf, size, "net.ipv4.ping_group_range=0 %u", (unsigned)top);
}

static const char port_default[] = "net.ipv4.ip_unprivileged_port_start=0";

static bool
is_net(const char *kv)
{
	char key[256];
	snprintf(key, sizeof(key), "%.*s", (int)strcspn(kv, "="), kv);
	return mr_sysctl_namespace(key) == MR_SYSCTL_NET;
}

int
mr_sysctl_apply(const struct mr_prepared *p, int procfd, bool net_written, struct mr_error *err)
{
	const struct mr_spec *spec = p->spec;

	if (spec->network == MR_NETWORK_NONE && !net_written) {
		char ping[64];
		default_ping(p, ping, sizeof(ping));
		const char *defaults[] = {port_default, ping};
		for (size_t i = 0; i < MR_ARRAY_SIZE(defaults); i++) {
			struct mr_error e2;
			if (write_sysctl(procfd, defaults[i], &e2) < 0 && e2.errnum != ENOENT)
				return mr_error_set(err, e2.errnum, "default sysctl %s",
						    defaults[i]);
		}
	}
	for (size_t i = 0; i < spec->n_sysctls; i++)
		if (!(net_written && is_net(spec->sysctls[i])) &&
		    write_sysctl(procfd, spec->sysctls[i], err) < 0)
			return -1;
	return 0;
}

void
mr_sysctl_net_prepare(const struct mr_prepared *p, struct mr_sysctl_net *s)
{
	s->p = p;
	s->failed = NULL;
	s->written = false;
	default_ping(p, s->ping, sizeof(s->ping));
}

/*
 * KEY=VALUE through the host's /proc/sys: its net.* files are those of the
 * writer's network namespace.  Syscalls only (no mr_error, no strerror:
 * gettext takes a lock).  -1 with errno when the value is refused, -2 when
 * the file cannot be opened there (see mr_sysctl_net_write).
 */
static int
write_host_sysctl(const char *kv)
{
	size_t klen = strcspn(kv, "=");
	cleanup_close int fd = open_sysctl(AT_FDCWD, "/proc/sys/", kv, klen,
					   RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (fd < 0)
		return -2;
	size_t len = strlen(kv + klen + 1);
	ssize_t w = write(fd, kv + klen + 1, len);
	if (w >= 0 && (size_t)w != len)
		errno = EIO;
	return w >= 0 && (size_t)w == len ? 0 : -1;
}

int
mr_sysctl_net_write(void *data)
{
	struct mr_sysctl_net *s = data;
	const struct mr_spec *spec = s->p->spec;
	const char *defaults[] = {port_default, s->ping};

	/*
	 * A file that cannot be opened through minirun's /proc -- read-only
	 * or masked where minirun itself runs in a container, not mounted, a
	 * subset=pid procfs, or a key the namespace lacks -- leaves them all
	 * to the container process, through its own procfs as without the
	 * thread: its errors, and a missing default skipped, as there.
	 */
	for (size_t i = 0; i < MR_ARRAY_SIZE(defaults); i++) {
		int r = write_host_sysctl(defaults[i]);
		if (r == -2)
			return 0;
		if (r < 0) {
			s->failed = defaults[i];
			return -1;
		}
	}
	for (size_t i = 0; i < spec->n_sysctls; i++) {
		int r = is_net(spec->sysctls[i]) ? write_host_sysctl(spec->sysctls[i]) : 0;
		if (r == -2)
			return 0;
		if (r < 0) {
			s->failed = spec->sysctls[i];
			return -1;
		}
	}
	s->written = true;
	return 0;
}

int
mr_sysctl_net_error(const struct mr_sysctl_net *s, int errnum, struct mr_error *err)
{
	const char *kv = s->failed != NULL ? s->failed : "?";
	if (s->failed == s->ping || s->failed == port_default)
		return mr_error_set(err, errnum, "default sysctl %s", kv);
	if (errnum == ENOENT)
		return mr_error_set(err, ENOENT, "--sysctl %s: no such sysctl in the container",
				    kv);
	return mr_error_set(err, errnum, "--sysctl %s", kv);
}
