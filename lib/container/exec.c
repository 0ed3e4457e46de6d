/* SPDX-License-Identifier: MIT */
/* The OCI runtime's exec: see exec.h for the sequence. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/exec.h"
#include "container/cgroup.h"
#include "container/launch.h"
#include "container/launch-steps.h"
#include "container/oci-config.h"
#include "container/resources.h"
#include "common/file.h"
#include "common/json.h"
#include "common/util.h"

#define CONFIG_MAX (4 * 1024 * 1024)

/* --- the spec ---------------------------------------------------------------- */

static char *
read_text(int dirfd, const char *path, size_t *len, struct mr_error *err)
{
	struct stat st;
	cleanup_close int fd = mr_open_regular_read(dirfd, path, 0, &st);
	if (fd == MR_NOT_REGULAR) {
		mr_error_set(err, 0, "%s: not a regular file", path);
		return NULL;
	}
	if (fd < 0) {
		mr_error_set(err, errno, "%s", path);
		return NULL;
	}
	if (st.st_size > CONFIG_MAX) {
		mr_error_set(err, 0, "%s: larger than %d bytes", path, CONFIG_MAX);
		return NULL;
	}
	char *text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		mr_error_oom(err, path);
		return NULL;
	}
	size_t n = 0;
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, text + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			mr_error_set(err, errno, "read %s", path);
			free(text);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	text[n] = '\0';
	*len = n;
	return text;
}

int
mr_exec_keep_config(const struct mr_state *st, const char *text, size_t len, struct mr_error *err)
{
	cleanup_close int fd = openat(st->dirfd, MR_STATE_CONFIG,
				      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return mr_error_set(err, errno, "%s/%s", st->dir, MR_STATE_CONFIG);
	return 0;
}

/* runc exec's flags over a copy of the config's process object. */
static int
apply_flags(json_t *proc, const struct mr_exec_opts *o, struct mr_error *err)
{
	if (o->argc == 0)
		return mr_error_set(err, 0, "exec: a command is needed (or --process FILE)");
	json_object_set_new(proc, "args", mr_json_strings((const char *const *)o->argv, o->argc));
	json_object_set_new(proc, "terminal", json_boolean(o->tty));
	if (o->cwd)
		json_object_set_new(proc, "cwd", json_string(o->cwd));
	json_t *env = json_object_get(proc, "env");
	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(proc, "env", env);
	}
	for (size_t i = 0; i < o->n_env; i++)
		json_array_append_new(env, json_string(o->env[i]));
	if (o->user) {
		char *end;
		unsigned long uid = strtoul(o->user, &end, 10), gid = 0;
		if (end == o->user || (*end != '\0' && *end != ':'))
			return mr_error_set(err, 0, "--user %s: expected UID[:GID]", o->user);
		if (*end == ':') {
			const char *g = end + 1;
			gid = strtoul(g, &end, 10);
			if (end == g || *end != '\0')
				return mr_error_set(err, 0, "--user %s: expected UID[:GID]",
						    o->user);
		}
		json_t *u = json_object_get(proc, "user");
		if (!json_is_object(u)) {
			u = json_object();
			json_object_set_new(proc, "user", u);
		}
		json_object_set_new(u, "uid", json_integer((json_int_t)uid));
		json_object_set_new(u, "gid", json_integer((json_int_t)gid));
	}
	if (o->n_caps > 0) {
		static const char *const sets[] = {"bounding", "effective", "permitted"};
		json_t *caps = json_object_get(proc, "capabilities");
		if (!json_is_object(caps)) {
			caps = json_object();
			json_object_set_new(proc, "capabilities", caps);
		}
		for (size_t s = 0; s < MR_ARRAY_SIZE(sets); s++) {
			json_t *set = json_object_get(caps, sets[s]);
			if (!json_is_array(set)) {
				set = json_array();
				json_object_set_new(caps, sets[s], set);
			}
			for (size_t i = 0; i < o->n_caps; i++)
				json_array_append_new(set, json_string(o->caps[i]));
		}
	}
	if (o->no_new_privs)
		json_object_set_new(proc, "noNewPrivileges", json_true());
	if (o->apparmor)
		json_object_set_new(proc, "apparmorProfile", json_string(o->apparmor));
	return 0;
}

/*
 * The exec'ed process enters the init's namespaces through /proc/PID/ns
 * (ns_flags below), which are the ones the config's paths named at create:
 * the paths are not opened again (the namespace may have lost its path
 * since, a pod's pause container gone, while the init still holds it).
 */
static void
drop_namespace_paths(json_t *root, pid_t init)
{
	json_t *list = json_object_get(json_object_get(root, "linux"), "namespaces"), *e;
	size_t i;
	char user[64];

	/*
	 * A joined user namespace has no uidMappings in the config: its maps
	 * are read from it (oci-config.c), so it is named, as the init's.
	 */
	snprintf(user, sizeof(user), "/proc/%d/ns/user", (int)init);
	json_array_foreach(list, i, e)
	{
		const char *path = json_string_value(json_object_get(e, "path"));
		const char *type = json_string_value(json_object_get(e, "type"));
		if (path == NULL || *path == '\0')
			json_object_del(e, "path");
		else if (type != NULL && strcmp(type, "user") == 0)
			json_object_set_new(e, "path", json_string(user));
		else
			json_object_del(e, "path");
	}
}

int
mr_exec_load_spec(const struct mr_state *st, const struct mr_exec_opts *o, bool rootless,
		  struct mr_spec *spec, struct mr_error *err)
{
	char source[PATH_MAX];
	json_error_t jerr;
	size_t len;

	snprintf(source, sizeof(source), "%s/%s", st->dir, MR_STATE_CONFIG);
	cleanup_free char *text = read_text(st->dirfd, MR_STATE_CONFIG, &len, err);
	if (text == NULL)
		return mr_error_wrap(err, "container %s: its config (kept by create)", st->id);
	cleanup_free char *merged = NULL;
	/* Go's integers above 2^63-1 (an rlimit's 18446744073709551615), which
	   create read: kept as they are through the merge (mr_json_unmark). */
	struct mr_json_big big;
	json_auto_t *root = mr_json_loadb(text, len, 0, &jerr, &big), *proc = NULL;
	if (root == NULL)
		return mr_error_set(err, 0, "%s:%d:%d: %s", source, jerr.line, jerr.column,
				    jerr.text);
	if (mr_json_unmark(root, &big) < 0)
		return mr_error_oom(err, "exec");
	if (o->process_file != NULL) {
		size_t plen;
		cleanup_free char *ptext = read_text(AT_FDCWD, o->process_file, &plen, err);
		if (ptext == NULL)
			return -1;
		proc = mr_json_loadb(ptext, plen, JSON_REJECT_DUPLICATES, &jerr, &big);
		if (proc == NULL)
			return mr_error_set(err, 0, "%s:%d:%d: %s", o->process_file, jerr.line,
					    jerr.column, jerr.text);
		if (mr_json_unmark(proc, &big) < 0)
			return mr_error_oom(err, "exec");
		if (!json_is_object(proc))
			return mr_error_set(err, 0, "%s: expected the OCI process object",
					    o->process_file);
	} else {
		proc = json_deep_copy(json_object_get(root, "process"));
		if (proc == NULL)
			proc = json_object();
		if (apply_flags(proc, o, err) < 0)
			return -1;
	}
	json_object_set(root, "process", proc);
	drop_namespace_paths(root, st->pid);
	merged = mr_json_dumps_big(root, JSON_COMPACT);
	if (merged == NULL)
		return mr_error_oom(err, "exec");
	/*
	 * Parsed as a whole, with the config's checks: the process object is
	 * validated exactly as the init's was, linux.seccomp included.
	 */
	struct mr_oci_config cfg;
	int r = mr_oci_config_parse(merged, strlen(merged), source, st->bundle ? st->bundle : "/",
				    rootless, spec, &cfg, err);
	if (r < 0 && o->process_file != NULL && strstr(err->msg, ": process") != NULL)
		mr_error_wrap(err, "--process %s", o->process_file);
	mr_oci_config_clear(&cfg);
	return r;
}

/* --- the process ------------------------------------------------------------- */

/* Does PID have a namespace of type NAME other than ours? */
static bool
other_ns(pid_t pid, const char *name)
{
	char path[64];
	struct stat a, b;
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	if (stat(path, &a) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return stat(path, &b) == 0 && (a.st_ino != b.st_ino || a.st_dev != b.st_dev);
}

static int
ns_flags(pid_t pid)
{
	static const struct {
		const char *name;
		int flag;
	} ns[] = {
	    {"mnt", CLONE_NEWNS},  {"uts", CLONE_NEWUTS},	{"ipc", CLONE_NEWIPC},
	    {"net", CLONE_NEWNET}, {"cgroup", CLONE_NEWCGROUP}, {"user", CLONE_NEWUSER},
	};
	int flags = 0;
	/* setns of one's own user namespace is EINVAL; the others are only skipped. */
	for (size_t i = 0; i < MR_ARRAY_SIZE(ns); i++)
		if (other_ns(pid, ns[i].name))
			flags |= ns[i].flag;
	return flags;
}

/* The close of the cgroup that exec reopened: it is the container's, never removed. */
static void
cgroup_close(struct mr_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		close(cg->dirs[i].dfd);
		free(cg->dirs[i].path);
	}
	memset(cg, 0, sizeof(*cg));
}

static int
exec_child_steps(const struct mr_prepared *p, int init_pidfd, int flags, const struct mr_cgroup *cg,
		 unsigned preserve_fds, int sync_fd, struct mr_error *err)
{
	/*
	 * CVE-2016-9962: until execve, this process holds minirun's fds (the
	 * init's pidfd, the cgroup directories, the sync socket) and runs as
	 * root.  Once it is in the container's pid namespace, a process of the
	 * container could ptrace it or open its /proc/PID/fd: non-dumpable
	 * forbids both, first thing.  execve makes it dumpable again, as the
	 * init is, once nothing of minirun's is left.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return mr_error_set(err, errno, "prctl(PR_SET_DUMPABLE)");
	/* The v1 hierarchies by their host paths: before the mount namespace changes. */
	if (cg->n > 0 && mr_cgroup_join_self(cg, err) < 0)
		return -1;
	/* All at once, the user namespace first (the kernel's order): setns on a pidfd. */
	if (flags != 0 && setns(init_pidfd, flags) < 0)
		return mr_error_set(err, errno, "setns into the container's namespaces");
	/* Nothing of minirun's reaches the container (CVE-2024-21626, CVE-2016-9962). */
	if (mr_launch_close_fds(3 + preserve_fds, sync_fd, err) < 0)
		return -1;
	/* CVE-2017-5226: a session of its own, no controlling terminal of the caller's. */
	if (setsid() < 0)
		return mr_error_set(err, errno, "setsid");
	if (mr_resources_apply_ulimits(&p->spec->resources, err) < 0)
		return -1;
	/* From here on, launch.c's own steps: the same confinement as the init's. */
	if (mr_launch_set_up_process(p, sync_fd, err) < 0)
		return -1;
	if (mr_launch_take_identity(p, err) < 0)
		return -1;
	return mr_launch_exec_command(p, err);
}

/*
 * clone3 straight into the container's cgroup2 cgroup when it has one; a
 * kernel or cgroup that refuses CLONE_INTO_CGROUP gets a plain clone3, and
 * the cgroup is then joined the other way (mr_cgroup_clone_into_failed).
 */
static pid_t
clone_into_cgroup(struct clone_args *args, struct mr_cgroup *cg)
{
	int cgfd = cg->n > 0 ? mr_cgroup_clone_fd(cg) : -1;
	if (cgfd >= 0) {
		args->flags |= CLONE_INTO_CGROUP;
		args->cgroup = (uint64_t)cgfd;
	}
	pid_t pid = (pid_t)syscall(SYS_clone3, args, sizeof(*args));
	if (pid < 0 && cgfd >= 0 && (errno == EINVAL || errno == E2BIG)) {
		mr_cgroup_clone_into_failed(cg);
		args->flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		args->cgroup = 0;
		pid = (pid_t)syscall(SYS_clone3, args, sizeof(*args));
	}
	return pid;
}

/* What the intermediate hands minirun: the pid (its pidfd as SCM_RIGHTS), or why not. */
struct handover {
	pid_t pid;
	int errnum;
	char msg[MR_ERROR_MSG_MAX];
};

static int
handover_send(int sock, const struct handover *h, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)h, .iov_len = sizeof(*h)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(*h) ? 0 : -1;
}

/* 0 and *fd >= 0: h->pid is the process; 0 and *fd < 0: h->msg says why not. */
static int
handover_recv(int sock, struct handover *h, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = h, .iov_len = sizeof(*h)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	*fd = -1;
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (n != (ssize_t)sizeof(*h)) {
		if (*fd >= 0)
			close(mr_steal_fd(fd));
		return -1;
	}
	h->msg[sizeof(h->msg) - 1] = '\0';
	return 0;
}

/*
 * Rootless, the intermediate (as launch.c's for a joined user namespace, and
 * runc's nsexec): minirun may not enter the container's pid namespace, which
 * takes CAP_SYS_ADMIN in its own user namespace, and cannot come back from
 * the container's user namespace.  This process enters both at once (the
 * user namespace first, which gives it that capability there), makes the
 * exec'ed process as minirun's own child (CLONE_PARENT), hands over its
 * pidfd and exits.  Non-dumpable before it joins anything: it holds
 * minirun's descriptors (CVE-2016-9962).
 */
static _Noreturn void
intermediate_main(const struct mr_prepared *p, int init_pidfd, int flags,
		  const struct mr_cgroup *cg, unsigned preserve_fds, int sync_fd, int hand_fd)
{
	struct mr_error err = {0};
	struct handover h = {0};
	int pidfd = -1;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		mr_error_set(&err, errno, "prctl(PR_SET_DUMPABLE)");
	else if (cg->n > 0 && mr_cgroup_join_self(cg, &err) < 0)
		;
	else if (setns(init_pidfd, CLONE_NEWUSER | CLONE_NEWPID) < 0)
		mr_error_set(&err, errno, "setns into the container's user and pid namespaces");
	else {
		/* CLONE_PARENT wants exit_signal 0: the child gets ours, SIGCHLD. */
		struct clone_args args = {.flags = CLONE_PARENT | CLONE_PIDFD,
					  .pidfd = (uint64_t)(uintptr_t)&pidfd};
		pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid == 0) {
			struct mr_cgroup none = MR_CGROUP_INIT;
			close(hand_fd);
			exec_child_steps(p, init_pidfd, flags & ~CLONE_NEWUSER, &none, preserve_fds,
					 sync_fd, &err);
			mr_launch_child_failed(sync_fd, &err);
		}
		if (pid < 0)
			mr_error_set(&err, errno, "clone3 into the container");
		h.pid = pid;
	}
	if (pidfd >= 0 && handover_send(hand_fd, &h, pidfd) == 0)
		_exit(0);
	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0U);
	h.pid = -1;
	h.errnum = err.errnum;
	memcpy(h.msg, err.msg, sizeof(h.msg));
	(void)handover_send(hand_fd, &h, -1);
	_exit(MR_EXIT_FAILURE);
}

/* Rootless: the intermediate makes the process; its pid and pidfd, or -1. */
static pid_t
spawn_via_userns(const struct mr_prepared *p, const struct mr_state *st, int init_pidfd,
		 struct mr_cgroup *cg, unsigned preserve_fds, int flags, const int sv[2],
		 int *pidfd, struct mr_error *err)
{
	int hv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, hv) < 0)
		return mr_error_set(err, errno, "socketpair");
	cleanup_close int mine = hv[0];
	int mid_pidfd = -1;
	struct clone_args args = {
	    .flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)&mid_pidfd, .exit_signal = SIGCHLD};
	pid_t mid = clone_into_cgroup(&args, cg);
	if (mid < 0) {
		int e = errno;
		close(hv[1]);
		return mr_error_set(err, e, "clone3 (the process that joins container %s)", st->id);
	}
	if (mid == 0) {
		close(mine);
		close(sv[0]);
		intermediate_main(p, init_pidfd, flags, cg, preserve_fds, sv[1], hv[1]);
	}
	close(hv[1]);
	cleanup_close int mid_fd = mid_pidfd;
	siginfo_t si;
	while (waitid((idtype_t)P_PIDFD, (id_t)mid_fd, &si, WEXITED) < 0 && errno == EINTR)
		;
	struct handover h;
	int fd;
	if (handover_recv(mine, &h, &fd) < 0)
		return mr_error_set(err, 0,
				    "exec into container %s: the process joining its "
				    "namespaces ended without a word",
				    st->id);
	if (fd < 0) {
		/* The message names the cause already: not its errno's text again. */
		mr_error_set(err, 0, "%s", h.msg);
		err->errnum = h.errnum;
		return -1;
	}
	*pidfd = fd;
	return h.pid;
}

static pid_t
spawn(const struct mr_prepared *p, const struct mr_state *st, int init_pidfd, struct mr_cgroup *cg,
      unsigned preserve_fds, bool via_userns, int *pidfd, int *sock, struct mr_error *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return mr_error_set(err, errno, "socketpair");
	int flags = ns_flags(st->pid);
	if (via_userns) {
		pid_t pid =
		    spawn_via_userns(p, st, init_pidfd, cg, preserve_fds, flags, sv, pidfd, err);
		close(sv[1]);
		if (pid < 0)
			close(sv[0]);
		else
			*sock = sv[0];
		return pid;
	}
	struct clone_args args = {
	    .flags = CLONE_PIDFD,
	    .pidfd = (uint64_t)(uintptr_t)pidfd,
	    .exit_signal = SIGCHLD,
	};
	pid_t pid = clone_into_cgroup(&args, cg);
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		/* ENOMEM: the pid namespace's init is gone, nothing can join it. */
		return mr_error_set(err, e, "clone3 into container %s", st->id);
	}
	if (pid == 0) {
		struct mr_error cerr = {0};
		close(sv[0]);
		exec_child_steps(p, init_pidfd, flags, cg, preserve_fds, sv[1], &cerr);
		mr_launch_child_failed(sv[1], &cerr);
	}
	close(sv[1]);
	*sock = sv[0];
	return pid;
}

static void
kill_and_reap(int pidfd)
{
	siginfo_t si;
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0U);
	while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
		;
}

/*
 * What mr_exec holds while the relayed signals are blocked: the child's
 * pidfd, its report socket and the terminal; cleared in that order after
 * the old mask is back.
 */
struct exec_run {
	struct mr_prepared *p;
	sigset_t orig;
	int pidfd, sock, master;
};

static void
exec_run_clear(struct exec_run *r)
{
	sigprocmask(SIG_SETMASK, &r->orig, NULL);
	r->p->ctl = NULL;
	if (r->master >= 0)
		close(r->master);
	if (r->sock >= 0)
		close(r->sock);
	if (r->pidfd >= 0)
		close(r->pidfd);
}

int
mr_exec(struct mr_prepared *p, const struct mr_state *st, struct mr_exec_ctl *ctl, int *exit_status,
	struct mr_error *err)
{
	/* Never a parent-death signal: runc's exec'ed process outlives runc too. */
	struct mr_launch_ctl lctl = MR_LAUNCH_CTL_INIT;
	struct mr_cgroup cg = MR_CGROUP_INIT;
	sigset_t relay;

	lctl.detach = true;
	/* The exec'ed process would load a filter of its own, with a listener of its own. */
	if (p->seccomp.notify)
		return mr_error_set(err, 0,
				    "exec: the container's seccomp profile uses SCMP_ACT_NOTIFY; "
				    "handing an exec'ed process's listener to the agent is not "
				    "supported yet");
	cleanup_close int init_pidfd = mr_state_pidfd(st, err);
	if (init_pidfd < 0)
		return -1;
	if (mr_cgroup_reopen(st->cgroup_paths, st->n_cgroup_paths, &cg, err) < 0)
		return -1;
	/*
	 * Only the pid namespace of our children changes: minirun itself stays
	 * where it is, and the process it clones next is born in the
	 * container's, with a small pid there and the init as its reaper.
	 */
	/*
	 * Our own pid namespace, to go back to once the child exists: later
	 * helpers of ours (LeakSanitizer's tracer in the ASan build, a fork of
	 * libc's) must not be born in the container.
	 */
	cleanup_close int own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (own_pidns < 0) {
		mr_error_set(err, errno, "open /proc/self/ns/pid");
		cgroup_close(&cg);
		return -1;
	}
	/*
	 * Rootless: the pid namespace belongs to the container's user
	 * namespace, and setns into it also takes CAP_SYS_ADMIN in our own.
	 * An intermediate enters both (spawn_via_userns).
	 */
	bool via_userns = false;
	if (other_ns(st->pid, "pid") && setns(init_pidfd, CLONE_NEWPID) < 0) {
		if (errno != EPERM || !other_ns(st->pid, "user")) {
			mr_error_set(err, errno, "setns into container %s's pid namespace", st->id);
			cgroup_close(&cg);
			return -1;
		}
		via_userns = true;
	}
	p->ctl = &lctl;
	mr_launch_relay_sigset(&relay);
	__attribute__((cleanup(exec_run_clear))) struct exec_run run = {
	    .p = p, .pidfd = -1, .sock = -1, .master = -1};
	sigprocmask(SIG_BLOCK, &relay, &run.orig);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = spawn(p, st, init_pidfd, &cg, ctl->preserve_fds, via_userns, &run.pidfd,
			  &run.sock, err);
	cgroup_close(&cg);
	if (!via_userns && setns(own_pidns, CLONE_NEWPID) < 0 && pid >= 0) {
		mr_error_set(err, errno, "setns back into minirun's own pid namespace");
		kill_and_reap(run.pidfd);
		return -1;
	}
	if (pid < 0)
		return -1;
	/*
	 * The state's lock goes now, not once the command runs: the child
	 * shares the locked open file (flock is per open file, and it keeps its
	 * copy until it closes minirun's fds in the container), and in a frozen
	 * cgroup (exec --ignore-paused) it stops right here until a resume,
	 * which needs the lock, as delete --force does.  Nothing needs it any
	 * more: the child is in the container's cgroup and pid namespace and
	 * dies with them.
	 */
	flock(st->dirfd, LOCK_UN);
	if (mr_launch_wait_for_exec(pid, run.pidfd, run.sock, &run.master, err) < 0) {
		/* The child reported and exited: its status is in err. */
		kill_and_reap(run.pidfd);
		return -1;
	}
	ctl->pid = pid;
	if (ctl->started != NULL && ctl->started(ctl->data, pid, &run.master, err) < 0) {
		kill_and_reap(run.pidfd);
		return -1;
	}
	/* Detached: left running, unreaped; the caller's subreaper adopts it when we exit. */
	if (ctl->detach)
		return 0;
	return mr_launch_relay(p, pid, run.pidfd, &relay, &run.master, exit_status, err);
}
