/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/namespaces.h"
#include "common/util.h"

/* CLONE_NEW* of each joinable kind, and its name in /proc/PID/ns. */
static const struct {
	int nstype;
	const char *name;
} kinds[MR_JOIN_N] = {
    [MR_JOIN_NET] = {CLONE_NEWNET, "network"}, [MR_JOIN_IPC] = {CLONE_NEWIPC, "ipc"},
    [MR_JOIN_UTS] = {CLONE_NEWUTS, "uts"},     [MR_JOIN_CGROUP] = {CLONE_NEWCGROUP, "cgroup"},
    [MR_JOIN_PID] = {CLONE_NEWPID, "pid"},     [MR_JOIN_USER] = {CLONE_NEWUSER, "user"},
};

static const char *
nstype_name(int nstype)
{
	static const struct {
		int nstype;
		const char *name;
	} all[] = {
	    {CLONE_NEWNET, "network"},	 {CLONE_NEWIPC, "ipc"},	  {CLONE_NEWUTS, "uts"},
	    {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWPID, "pid"},	  {CLONE_NEWNS, "mount"},
	    {CLONE_NEWUSER, "user"},	 {CLONE_NEWTIME, "time"},
	};
	for (size_t i = 0; i < MR_ARRAY_SIZE(all); i++)
		if (all[i].nstype == nstype)
			return all[i].name;
	return "unknown";
}

int
mr_ns_open(enum mr_ns_join_kind kind, const char *path, struct mr_error *err)
{
	struct statfs sf;
	char self[64];

	if (path[0] != '/')
		return mr_error_set(err, 0, "\"%s\": must be an absolute path", path);
	/*
	 * O_PATH first: a FIFO or a device at PATH is never opened for real
	 * (that could block, or act), only named.  The type is checked on
	 * that descriptor, and the file reopened through it, so the path is
	 * resolved exactly once: what is joined is what was checked.
	 */
	cleanup_close int pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return mr_error_set(err, errno, "%s", path);
	if (fstatfs(pfd, &sf) < 0)
		return mr_error_set(err, errno, "%s", path);
	/* The spec: a path that is not a namespace of that type MUST be an error. */
	if (sf.f_type != NSFS_MAGIC)
		return mr_error_set(err, 0, "%s: not a namespace (no nsfs file)", path);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	cleanup_close int fd = open(self, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, errno, "%s", path);
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return mr_error_set(err, errno, "%s: ioctl(NS_GET_NSTYPE)", path);
	if (type != kinds[kind].nstype)
		return mr_error_set(err, 0, "%s: not a %s namespace (it is a %s one)", path,
				    kinds[kind].name, nstype_name(type));
	/* setns into one's own user namespace is EINVAL: say what it means. */
	struct stat own, st;
	if (kind == MR_JOIN_USER && stat("/proc/self/ns/user", &own) == 0 && fstat(fd, &st) == 0 &&
	    own.st_ino == st.st_ino && own.st_dev == st.st_dev)
		return mr_error_set(err, 0,
				    "%s: minirun's own user namespace (leave the path out: "
				    "without a user namespace the container shares it)",
				    path);
	return mr_steal_fd(&fd);
}

int
mr_ns_owned_within(int nsfd, int userfd, struct mr_error *err)
{
	struct stat want, st;

	if (fstat(userfd, &want) < 0)
		return mr_error_set(err, errno, "fstat");
	cleanup_close int owner = ioctl(nsfd, NS_GET_USERNS);
	if (owner < 0)
		return mr_error_set(err, errno, "ioctl(NS_GET_USERNS)");
	for (;;) {
		if (fstat(owner, &st) < 0)
			return mr_error_set(err, errno, "fstat");
		if (st.st_ino == want.st_ino && st.st_dev == want.st_dev)
			return 1;
		/* EPERM: the parent is above minirun's own user namespace (or there is none). */
		int parent = ioctl(owner, NS_GET_PARENT);
		if (parent < 0 && errno == EPERM)
			return 0;
		if (parent < 0)
			return mr_error_set(err, errno, "ioctl(NS_GET_PARENT)");
		close(owner);
		owner = parent;
	}
}

/* "CONTAINER HOST SIZE" lines, as the kernel shows a map. */
static int
parse_id_map_text(char *text, struct mr_id_map **out, size_t *n_out)
{
	size_t n = 0, cap = 0;
	struct mr_id_map *m = NULL;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned a, b, c;
		if (sscanf(line, "%u %u %u", &a, &b, &c) != 3) {
			free(m);
			return -1;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 4;
			struct mr_id_map *bigger = realloc(m, cap * sizeof(*m));
			if (bigger == NULL) {
				free(m);
				return -1;
			}
			m = bigger;
		}
		m[n++] = (struct mr_id_map){a, b, c};
	}
	*out = m;
	*n_out = n;
	return 0;
}

static int
read_map(pid_t pid, const char *name, struct mr_id_map **out, size_t *n_out, struct mr_error *err)
{
	/* At most 340 lines of three 10-digit numbers. */
	char path[64], text[340 * 33 + 1];
	size_t len = 0;
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, errno, "open %s", path);
	while (len < sizeof(text) - 1 && (r = read(fd, text + len, sizeof(text) - 1 - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return mr_error_set(err, errno, "read %s", path);
		len += (size_t)r;
	}
	text[len] = '\0';
	if (parse_id_map_text(text, out, n_out) < 0)
		return mr_error_set(err, EPROTO, "%s: unexpected contents", path);
	return 0;
}

/* The process that stands in the user namespace while its maps are read. */
struct map_reader {
	pid_t pid;
	int sock;
};

static void
map_reader_end(struct map_reader *r)
{
	if (r->sock >= 0)
		close(r->sock); /* its read() returns 0: it exits */
	while (r->pid > 0 && waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int
mr_ns_read_id_maps(int userfd, struct mr_ns_read_maps *out, struct mr_error *err)
{
	int sv[2], e = 0;
	char c;

	/*
	 * An nsfs file has no maps to read: a process in the namespace shows
	 * them, in /proc/PID/uid_map.  Read from here, the host ids are as
	 * minirun's own user namespace sees them, however deep the joined one is.
	 */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return mr_error_set(err, errno, "socketpair");
	__attribute__((cleanup(map_reader_end))) struct map_reader r = {fork(), sv[0]};
	if (r.pid == 0) {
		close(sv[0]);
		/*
		 * It holds minirun's descriptors: once in the namespace, the
		 * namespace's root (CAP_SYS_PTRACE there) could otherwise attach
		 * to it.  Non-dumpable, ptrace needs that capability where its
		 * memory was made: the host's user namespace.
		 */
		e = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ? errno
		    : setns(userfd, CLONE_NEWUSER) < 0	   ? errno
							   : 0;
		if (write(sv[1], &e, sizeof(e)) == (ssize_t)sizeof(e))
			while (read(sv[1], &c, 1) < 0 && errno == EINTR)
				;
		_exit(0);
	}
	if (r.pid < 0) {
		mr_error_set(err, errno, "fork");
		close(sv[1]);
		return -1;
	}
	close(sv[1]);
	if (read(r.sock, &e, sizeof(e)) != (ssize_t)sizeof(e))
		return mr_error_set(err, EPROTO, "reading its maps: the helper process died");
	if (e != 0)
		return mr_error_set(err, e, "setns");
	if (read_map(r.pid, "uid_map", &out->uid, &out->n_uid, err) < 0)
		return -1;
	return read_map(r.pid, "gid_map", &out->gid, &out->n_gid, err);
}

int
mr_ns_join_early(const struct mr_spec *spec, struct mr_error *err)
{
	/*
	 * Before the mounts: sysfs shows the devices of the mounter's network
	 * namespace, mqueue the queues of its IPC namespace, procfs's
	 * /proc/sys/net the same.  The pid namespace is not here: it is the
	 * one children are born into, joined by minirun before clone3.
	 */
	static const enum mr_ns_join_kind order[] = {MR_JOIN_NET, MR_JOIN_IPC, MR_JOIN_UTS,
						     MR_JOIN_CGROUP};
	for (size_t i = 0; i < MR_ARRAY_SIZE(order); i++) {
		const struct mr_ns_join *j = &spec->ns_join[order[i]];
		if (j->path != NULL && setns(j->fd, kinds[order[i]].nstype) < 0)
			return mr_error_set(err, errno, "setns into the %s namespace %s",
					    kinds[order[i]].name, j->path);
	}
	return 0;
}

unsigned long
mr_ns_clone_flags(const struct mr_spec *spec, bool userns)
{
	/*
	 * No CLONE_NEWCGROUP here: the child unshares it once minirun has moved
	 * it into its cgroup, so the namespace is rooted there (launch.c).
	 * A namespace given by path is joined instead (mr_ns_join_early; the
	 * pid namespace by minirun before clone3).
	 */
	unsigned long flags = CLONE_NEWNS;
	if (!mr_spec_joins(spec, MR_JOIN_PID))
		flags |= CLONE_NEWPID;
	if (!mr_spec_joins(spec, MR_JOIN_UTS))
		flags |= CLONE_NEWUTS;
	if (!mr_spec_joins(spec, MR_JOIN_IPC))
		flags |= CLONE_NEWIPC;
	if (spec->network == MR_NETWORK_NONE && !mr_ns_net_made_apart(spec, userns))
		flags |= CLONE_NEWNET;
	/*
	 * One clone creates the user namespace first and the others owned by
	 * it, so the container's root can mount proc, sysfs and mqueue for
	 * its own namespaces.
	 */
	if (userns)
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

size_t
mr_ns_format_id_map(const struct mr_id_map *map, size_t n, char *buf, size_t size)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		int r = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				 "%u %u %u\n", (unsigned)map[i].container_id,
				 (unsigned)map[i].host_id, (unsigned)map[i].size);
		len += r > 0 ? (size_t)r : 0;
	}
	return len;
}

static int
write_id_map(pid_t pid, const char *name, const struct mr_id_map *map, size_t n,
	     struct mr_error *err)
{
	/* The kernel takes a map in one write, shorter than a page (checked at parse). */
	char buf[4096];
	if (mr_ns_format_id_map(map, n, buf, sizeof(buf)) >= sizeof(buf))
		return mr_error_set(err, E2BIG, "user namespace: %s: too long", name);
	return write_file(pid, name, buf, err);
}

int
mr_ns_write_id_maps(pid_t pid, const struct mr_ns_id_maps *m, struct mr_error *err)
{
	/* Since Linux 3.19 an unprivileged gid_map write needs setgroups denied. */
	if (m->deny_setgroups && write_file(pid, "setgroups", "deny", err) < 0)
		return -1;
	if (write_id_map(pid, "uid_map", m->uid, m->n_uid, err) < 0)
		return -1;
	return write_id_map(pid, "gid_map", m->gid, m->n_gid, err);
}

/* A new network namespace starts with lo down: docker's "none" has it up. */
static int
loopback_up(int sock)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	return ioctl(sock, SIOCSIFFLAGS, &ifr);
}

int
mr_ns_loopback_up(struct mr_error *err)
{
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return mr_error_set(err, errno, "network: socket");
	if (loopback_up(fd) < 0)
		return mr_error_set(err, errno, "network: bring lo up");
	return 0;
}

bool
mr_ns_net_made_apart(const struct mr_spec *spec, bool userns)
{
	return spec->network == MR_NETWORK_NONE && !userns && !mr_spec_joins(spec, MR_JOIN_USER);
}

/* make_net's steps; -1 with n->step naming the one that failed. */
static int
make_net_steps(struct mr_ns_net *n)
{
	n->step = "network: unshare(CLONE_NEWNET)";
	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	n->step = "network: socket";
	cleanup_close int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -1;
	n->step = "network: bring lo up";
	if (loopback_up(sock) < 0)
		return -1;
	/* The socket's namespace, with no path to look up (Linux 4.9). */
	n->step = "network: ioctl(SIOCGSKNS)";
	n->nsfd = ioctl(sock, SIOCGSKNS);
	if (n->nsfd < 0)
		return -1;
	/* Still in the namespace, off the container process's path. */
	if (n->in_ns != NULL && n->in_ns(n->in_ns_data) < 0) {
		int saved = errno;
		n->in_ns_failed = true;
		n->step = "network: in the namespace";
		close(n->nsfd);
		n->nsfd = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

/*
 * Namespaces are per thread: unshare() here leaves the main thread's
 * network namespace alone.  No libc function that locks or allocates,
 * only syscall wrappers (errno is this thread's own).
 */
static void *
make_net(void *arg)
{
	struct mr_ns_net *n = arg;
	if (make_net_steps(n) < 0)
		n->errnum = errno;
	return NULL;
}

void
mr_ns_net_start(struct mr_ns_net *n, int (*in_ns)(void *), void *in_ns_data)
{
	pthread_attr_t attr;
	cpu_set_t cpus;
	sigset_t all, orig;
	int self = sched_getcpu();

	*n = MR_NS_NET_INIT;
	n->in_ns = in_ns;
	n->in_ns_data = in_ns_data;
	if (pthread_attr_init(&attr) != 0)
		return;
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setguardsize(&attr, 0);
	/*
	 * The scheduler starts a new thread on its creator's CPU and, here,
	 * left it there while both ran: the two took turns, and the launch
	 * gained nothing (measured: 3.44 ms against 3.17 ms with this).  On
	 * any other CPU minirun may use, it runs alongside.
	 */
	if (self >= 0 && sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1) {
		CPU_CLR(self, &cpus);
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	}
	/* Every signal stays the main thread's: the thread starts with all blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &orig);
	n->started = pthread_create(&n->thread, &attr, make_net, n) == 0;
	pthread_sigmask(SIG_SETMASK, &orig, NULL);
	pthread_attr_destroy(&attr);
}

int
mr_ns_net_finish(struct mr_ns_net *n, struct mr_error *err)
{
	if (n->started) {
		pthread_join(n->thread, NULL);
		n->started = false;
	} else if (n->nsfd < 0 && n->errnum == 0) {
		/* No thread: made here, in the main thread, which then goes back. */
		cleanup_close int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (own < 0)
			return mr_error_set(err, errno, "network: open /proc/thread-self/ns/net");
		make_net(n);
		if (setns(own, CLONE_NEWNET) < 0)
			return mr_error_set(err, errno, "network: setns back into minirun's own");
	}
	if (n->nsfd < 0)
		return mr_error_set(err, n->errnum, "%s", n->step);
	return 0;
}

void
mr_ns_net_clear(struct mr_ns_net *n)
{
	if (n->started)
		pthread_join(n->thread, NULL);
	if (n->nsfd >= 0)
		close(n->nsfd);
	*n = MR_NS_NET_INIT;
}
