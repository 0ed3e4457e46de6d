/* SPDX-License-Identifier: MIT */
/*
 * The launch sequence, each step once, in the order the kernel sees it.
 * The functions below follow it top to bottom; the mounts are in
 * lib/container/mounts.c, the filter in lib/seccomp/program.c, the observer
 * in lib/seccomp/observe.c.
 *
 *   prepare: [a new network namespace as root, no user namespace: once the
 *           spec and its sysctls are checked, start a thread on another
 *           CPU that makes it, lo up (namespaces.c); the other checks
 *           meanwhile (prepare.c, MR_PREPARE_LAUNCH)]
 *   parent: [observing: open the observer, map the shared page] ->
 *           [SCMP_ACT_NOTIFY: connect to the agent's listenerPath] -> [the
 *           network namespace's thread, if prepare did not start it] -> [root:
 *           create the cgroup] -> block the relayed signals -> [no -t,
 *           stdin (-i), stdout or stderr a terminal: stdio pipes] ->
 *           socketpair ->
 *           [OCI pid namespace path: setns(CLONE_NEWPID)] ->
 *           clone3(namespaces but that network one, pidfd, [cgroup2:
 *           CLONE_INTO_CGROUP]) ->
 *           [pid namespace path: setns back] ->
 *           {OCI user namespace path, instead of those three steps:
 *           clone3(pidfd) an intermediate: non-dumpable -> join the v1
 *           and v2 cgroups -> setns(CLONE_NEWUSER) -> [pid namespace
 *           path: setns(CLONE_NEWPID)] -> clone3(namespaces,
 *           CLONE_PARENT, pidfd) -> send the pid and pidfd -> exit;
 *           minirun reaps it, takes the pidfd} ->
 *           [minirun's network namespace: join the thread (which made
 *           it, brought lo up and wrote the net.* sysctls there), send the
 *           namespace's fd first on the sync socket] -> [as root, no
 *           user namespace: build the container's /dev tmpfs and its /etc
 *           files' tmpfs, detached, and send their fds] ->
 *           [user namespace: write the id maps (rootless: setgroups
 *           deny, the caller's ids; as root: the config's; joined: none),
 *           release the child] ->
 *           [SCMP_ACT_NOTIFY: queue the agent's socket and the container
 *           process state on the sync socket (OCI prestart/createRuntime
 *           hooks: once they have run and their byte is written)]
 *   child:  [not OCI create: pdeathsig, minirun still there] -> [root,
 *           no user namespace path: join the v1 cgroups]
 *           -> [user namespace: wait for the maps; as root: become
 *           its root (setresgid, setgroups, setresuid), a new IPC
 *           namespace (unless joined), rootfs access check] -> [OCI
 *           namespace paths: setns net, ipc, uts, cgroup] -> cgroup
 *           namespace (unless joined) -> ulimits -> [OCI: oom_score_adj]
 *           -> non-dumpable -> setsid -> [stdio pipes onto fds 0, 1, 2] ->
 *           umask 0 -> mounts ([OCI slave: / rslave, else rprivate],
 *           rootfs, [read-only root (mount points and workdir made
 *           first)], /proc, [minirun's network
 *           namespace: receive it, setns], sysctls [minirun's network
 *           namespace: only those outside net.*, its thread wrote the
 *           others], /sys, [as root, no
 *           user namespace: receive the /dev and /etc files' tmpfs minirun
 *           built] /dev, masks, /etc files, volumes [OCI tmpcopyup: the
 *           image's directory copied into the tmpfs before it is attached],
 *           [OCI: the config's
 *           read-only then masked paths]) -> [OCI hooks:
 *           prestart + createRuntime (ask minirun, wait for its byte),
 *           createContainer (forked here, host paths)] -> pivot_root ->
 *           [OCI rootfsPropagation on /] -> close fds -> [--init: fork;
 *           the parent stays as PID 1 (init.c), the child goes on: setsid
 *           -> (observing: send its pidfd)] -> [network none, user
 *           namespace: lo up] -> [uts not joined: hostname] -> [OCI:
 *           domainname] -> AppArmor
 *           exec label -> stdio/tty -> umask 022 -> workdir (getcwd check)
 *           -> [a command only a volume provides: the $PATH search]
 *           -> exec target check -> signals reset -> [OCI: personality]
 *           -> [OCI create: tell minirun it is ready, block opening the
 *           exec fifo until start, keep it open to report a failure] ->
 *           [OCI startContainer hooks: each forked, takes the identity
 *           steps below, then execve] -> [SCMP_ACT_NOTIFY: receive the
 *           agent's socket] -> [not rootless:
 *           setgroups] -> bounding set -> clear ambient -> KEEPCAPS ->
 *           setresgid -> [seccomp if !no_new_privs (SCMP_ACT_NOTIFY: send
 *           the listener and the state to the agent, close both)] ->
 *           setresuid -> capset
 *           -> [OCI: raise ambient] -> [non-root, not OCI create:
 *           pdeathsig again] -> read back -> [no_new_privs -> seccomp]
 *           -> execve
 *   parent: wait for exec (EOF on the sync socket) or an error message,
 *           [OCI hooks: when the child asks, run prestart and createRuntime
 *           here, then write it a byte], [--init, observing: the workload's
 *           pidfd], [observing: take the
 *           seccomp listener, answer notifications] -> [-it: block the
 *           job-control signals] -> signalfd -> [-it: raw tty] -> relay tty
 *           or stdio pipes (never blocking on the caller's reader), forward
 *           signals, [-it, SIGTSTP/SIGTTIN/SIGTTOU: terminal restored, stop],
 *           [PTRACE_TRACEME: detach from each ptrace stop] -> reap ->
 *           [observing: report or learned profile] -> [OOM kill: say so] ->
 *           kill what is left in the cgroup, remove it -> exit status
 *   parent, OCI create (struct mr_launch_ctl): once the child is ready,
 *           hand it over alive with its pty master and cgroup, and return
 *   OCI exec (exec.c, through launch-steps.h): a process joining a running
 *           container takes the child's steps from the AppArmor exec label
 *           to execve, these very functions, so it is confined as the init
 *
 * The cgroup is lib/container/cgroup.c, the device policy
 * lib/container/devices.c, the limits lib/container/resources.c.
 *
 * Parent and child talk over one SOCK_SEQPACKET pair: the child sends the
 * tty master fd, with --init its own pidfd, a request for the OCI hooks
 * (answered with one byte), or an error; a successful
 * execve closes the child's end (close-on-exec), which the parent reads as
 * "the command is running".
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "container/launch.h"
#include "container/launch-steps.h"
#include "container/apparmor.h"
#include "container/cgroup.h"
#include "container/etc-files.h"
#include "container/exec-check.h"
#include "container/hooks.h"
#include "container/init.h"
#include "container/mounts.h"
#include "container/user.h"
#include "container/namespaces.h"
#include "container/state.h"
#include "container/sysctl.h"
#include "seccomp/observe.h"
#include "container/tty.h"
#include "common/phases.h"
#include "common/util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

enum sync_type {
	SYNC_TTY = 1, /* carries the pty master fd */
	SYNC_ERROR,   /* the container process failed before exec */
	SYNC_PIDFD,   /* --init: carries a pidfd of the workload (observing only) */
	SYNC_READY,   /* detach (OCI create): set up, now waiting at the exec fifo */
	SYNC_HOOKS,   /* mounts made: run prestart, createRuntime, then write one byte */
	SYNC_SPAWNED, /* joined user namespace: the intermediate's; pid, carries the pidfd */
	SYNC_NETNS,   /* minirun's, first: carries the network namespace its thread made */
	SYNC_MOUNTS,  /* minirun's, next: carries the /dev and /etc files' tmpfs it built */
};

struct sync_msg {
	int type;
	int exit_status;
	int errnum;
	pid_t pid; /* SYNC_SPAWNED: the container process, in minirun's pid namespace */
	bool net_sysctls_written; /* SYNC_NETNS: its thread wrote the net.* sysctls */
	char msg[MR_ERROR_MSG_MAX];
};

/*
 * One page shared by minirun and the container process, for the one hand-over
 * that cannot use the sync socket: once an observing filter is in, any syscall
 * of the child may be a notification that only minirun can answer, so the
 * child publishes the listener's fd number here with plain stores and spins
 * until minirun has taken it with pidfd_getfd().
 */
/* The container process's name until its execve (died_before_exec). */
#define SETUP_COMM "minirun-setup"

struct shared_page {
	_Atomic int listener; /* -1 until the child installed the filter */
	_Atomic int taken;    /* set by minirun once it holds its own copy */
};

/*
 * Without -t the container's stdio used to be the caller's terminal itself:
 * a descriptor it could read keystrokes from (typed while it runs, meant for
 * the shell) and change the terminal's modes through (tcsetattr works on a
 * write-only tty fd too, and on a terminal that is not the caller's
 * controlling one): `stty raw -echo` outlived the container, TCXONC
 * (tcflow TCOOFF) froze the caller's terminal for good, and with
 * CAP_SYS_ADMIN TIOCSTI typed into the caller's shell.  Docker never hands
 * the terminal to a container (`docker run -i` gives a pipe); neither does
 * minirun: when fd 0 (with -i), 1 or 2 is a terminal and -t is not given,
 * the container reads from or writes into a pipe and minirun copies between
 * it and its own fd.  Other stdio (files, pipes) is passed as it is, with no
 * copy.
 */
struct stdio_pipes {
	int in_w;		  /* minirun's write end, -1 when not relayed */
	int out_r, err_r;	  /* minirun's read ends, -1 when not relayed */
	int child_in;		  /* the container's fd 0; -1: keep minirun's (or /dev/null) */
	int child_out, child_err; /* the container's fd 1 and 2; -1: keep minirun's */
};

#define STDIO_PIPES_NONE ((struct stdio_pipes){-1, -1, -1, -1, -1, -1})

/* OCI create: the container process outlives the minirun that made it. */
static bool
detached(const struct mr_prepared *p)
{
	return p->ctl != NULL && p->ctl->detach;
}

/* --- the sync socket ------------------------------------------------------ */

#define SYNC_FDS_MAX 2

static int
sync_send_fds(int sock, const struct sync_msg *m, const int *fds, size_t n)
{
	struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
	union {
		char buf[CMSG_SPACE(SYNC_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (n > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/*
 * A send's errno when the container process is gone: EPIPE, or ECONNRESET
 * when it left a message of ours unread (a SEQPACKET peer that closes with
 * data queued resets us).  Its own report waits on the socket for
 * wait_for_exec().
 */
static bool
peer_gone(int errnum)
{
	return errnum == EPIPE || errnum == ECONNRESET;
}

static int
sync_send(int sock, const struct sync_msg *m, int fd)
{
	return sync_send_fds(sock, m, &fd, fd >= 0 ? 1 : 0);
}

/*
 * Returns 1 with a message and up to N fds in FDS (-1 for the others), 0 at
 * EOF (the child exec'ed or died), -1 on error.
 */
static int
sync_recv_fds(int sock, struct sync_msg *m, int *fds, size_t n)
{
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	union {
		char buf[CMSG_SPACE(SYNC_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = u.buf,
	    .msg_controllen = sizeof(u.buf),
	};
	ssize_t n_read;
	size_t got = 0;

	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	/*
	 * ECONNRESET: the peer closed with a message of ours unread.  The
	 * kernel reports that once, ahead of what it sent before it went (the
	 * container process's error report): read on.
	 */
	do
		n_read = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n_read < 0 && (errno == EINTR || errno == ECONNRESET));
	if (n_read <= 0)
		return (int)n_read;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < n)
				fds[got++] = fd;
			else
				close(fd); /* more than asked for: not ours to keep */
		}
	}
	if ((size_t)n_read != sizeof(*m)) {
		errno = EPROTO;
		return -1;
	}
	m->msg[sizeof(m->msg) - 1] = '\0';
	return 1;
}

static int
sync_recv(int sock, struct sync_msg *m, int *fd)
{
	return sync_recv_fds(sock, m, fd, 1);
}

/* --- the container process ------------------------------------------------ */

/*
 * Signals minirun relays to the container; blocked in minirun, read from a
 * signalfd.  Every signal another process can send, as docker's sig-proxy
 * does: one left out (SIGALRM, SIGXCPU, SIGPWR, a real-time signal...) would
 * kill minirun with its default action, leaving the caller's terminal raw
 * (-it) and the container to its parent-death signal.  Not those: what only
 * the kernel sends for a fault; SIGPIPE (a write's EPIPE, the relay's
 * own); job control (SIGTSTP, SIGTTIN, SIGTTOU stop minirun as any job of
 * the shell, SIGCONT resumes it; under -it relay_until_exit takes the first
 * three to stop with the terminal restored, job_stop).  SIGCHLD and
 * SIGWINCH are minirun's own.
 */
static void
relay_sigset(sigset_t *set)
{
	static const int own[] = {SIGFPE,  SIGILL,  SIGSEGV, SIGBUS,  SIGTRAP, SIGSYS, SIGPIPE,
				  SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT, SIGKILL, SIGSTOP};
	sigfillset(set);
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		sigdelset(set, own[i]);
}

static int
check_cwd(struct mr_error *err)
{
	char buf[4096];
	/*
	 * CVE-2024-21626: a cwd outside the container's root reads back as
	 * "(unreachable)/..." (or fails with ENOENT through glibc).
	 */
	if (getcwd(buf, sizeof(buf)) == NULL)
		return mr_error_set(err, errno, "workdir: getcwd (possible container breakout)");
	if (buf[0] != '/')
		return mr_error_set(err, 0,
				    "workdir: the working directory %s is outside the "
				    "container (possible container breakout)",
				    buf);
	return 0;
}

static int
mkdir_p(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int
enter_workdir(const struct mr_prepared *p, struct mr_error *err)
{
	const char *dir = p->workdir ? p->workdir : "/";
	if (chdir(dir) < 0) {
		if (errno != ENOENT)
			return mr_error_set(err, errno, "workdir %s", dir);
		/*
		 * docker run -w creates a missing working directory, root's,
		 * 0755 (dockerd's umask, not the container's); runc and crun
		 * make a missing process.cwd with the umask they were started
		 * with, not process.user.umask, which is the command's.
		 */
		mode_t cmd_umask = umask(p->spec->workdir_as_given ? p->caller_umask : 022);
		int made = mkdir_p(dir);
		umask(cmd_umask);
		if (made < 0 || chdir(dir) < 0)
			return mr_error_set(err, errno, "workdir %s", dir);
	}
	return check_cwd(err);
}

/*
 * Everything about the identity that can be done while the process still
 * holds every capability: done before a filter that goes in without
 * no_new_privs, so the fewest possible calls run under the user's profile.
 */
static int
identity_before_filter(const struct mr_prepared *p, struct mr_error *err)
{
	/* With setgroups denied (rootless) the list is empty and cannot change. */
	if (!p->rootless && mr_user_set_groups(&p->user, err) < 0)
		return -1;
	if (mr_caps_drop_bounding(p->bounding, err) < 0)
		return -1;
	if (mr_caps_clear_ambient(err) < 0)
		return -1;
	/* Without KEEPCAPS a switch to a non-zero uid empties the permitted set;
	   execve resets it. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return mr_error_set(err, errno, "prctl(PR_SET_KEEPCAPS)");
	return mr_user_set_gid(&p->user, err);
}

/*
 * A profile can make a call "succeed" without doing anything (ERRNO with
 * errnoRet 0).  Read the result back into sentinels a faked call leaves in
 * place, and refuse to exec with anything but what was asked for.
 */
static int
verify_identity(const struct mr_prepared *p, struct mr_error *err)
{
	uid_t r = (uid_t)-2, e = (uid_t)-2, s = (uid_t)-2;
	gid_t gr = (gid_t)-2, ge = (gid_t)-2, gs = (gid_t)-2;
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];

	/*
	 * Best effort: prepare proved setresuid and capset are allowed on every
	 * path, so this only backs that proof up.  A profile that refuses these
	 * read-only calls just skips it; one that fakes them leaves the
	 * sentinels and fails closed below.
	 */
	if (p->skip_readback)
		return 0;
	memset(data, 0xa5, sizeof(data));
	if (getresuid(&r, &e, &s) < 0 || getresgid(&gr, &ge, &gs) < 0 ||
	    syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	mr_capset eff = data[0].effective | ((mr_capset)data[1].effective << 32);
	mr_capset prm = data[0].permitted | ((mr_capset)data[1].permitted << 32);
	mr_capset inh = data[0].inheritable | ((mr_capset)data[1].inheritable << 32);
	if (r != p->user.uid || e != p->user.uid || s != p->user.uid || gr != p->user.gid ||
	    ge != p->user.gid || gs != p->user.gid || eff != p->effective || prm != p->permitted ||
	    inh != p->inheritable)
		return mr_error_set(
		    err, 0,
		    "the user or capabilities are not what was asked for (uid %u, gid %u, CapEff "
		    "%016llx): the seccomp profile fakes the success of a call minirun makes "
		    "after installing it (an ERRNO rule with errnoRet 0?); refusing to run with "
		    "more privilege than asked",
		    (unsigned)e, (unsigned)ge, (unsigned long long)eff);
	return 0;
}

/* What is left once the filter may be in: the uid and the final sets. */
static int
identity_after_filter(const struct mr_prepared *p, struct mr_error *err)
{
	if (mr_user_set_uid(&p->user, err) < 0)
		return -1;
	if (mr_caps_set(p->effective, p->permitted, p->inheritable, err) < 0)
		return -1;
	/* Only an OCI config asks for ambient capabilities (prepare kept those allowed). */
	for (int cap = 0; cap < 64; cap++)
		if ((p->ambient >> cap) & 1 &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0)
			return mr_error_set(err, errno, "prctl(PR_CAP_AMBIENT_RAISE, %d)", cap);
	/* The kernel clears the parent-death signal when the uid changes. */
	if (p->user.uid != 0 && !detached(p) && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return mr_error_set(err, errno, "prctl(PR_SET_PDEATHSIG)");
	return verify_identity(p, err);
}

static int
close_fds_except(unsigned first, int keep, int keep2, struct mr_error *err)
{
	unsigned lo = first;
	int keeps[2] = {keep < keep2 ? keep : keep2, keep < keep2 ? keep2 : keep};

	/*
	 * CVE-2024-21626: nothing of the caller's may reach the container.
	 * Only the sync socket stays, and it is close-on-exec; with OCI create
	 * also the exec fifo's O_PATH descriptor, closed before exec, and the
	 * fds below FIRST the caller asked to pass (--preserve-fds).
	 */
	for (size_t i = 0; i < 2; i++) {
		if (keeps[i] < (int)first)
			continue;
		if ((unsigned)keeps[i] > lo &&
		    syscall(SYS_close_range, lo, (unsigned)keeps[i] - 1, 0U) < 0)
			return mr_error_set(err, errno, "close_range");
		lo = (unsigned)keeps[i] + 1;
	}
	if (syscall(SYS_close_range, lo, ~0U, 0U) < 0)
		return mr_error_set(err, errno, "close_range");
	return 0;
}

/*
 * SCMP_ACT_NOTIFY: what the container process hands the seccomp agent once
 * its filter is in (minirun prepared both: see send_agent_message).
 */
struct agent_msg {
	int sock;   /* connected to listenerPath, -1 if none */
	char *text; /* the container process state, JSON */
	size_t len;
};

#define AGENT_MSG_NONE ((struct agent_msg){.sock = -1})

/* Larger than any state minirun sends (annotations included); SEQPACKET keeps it whole. */
#define AGENT_MSG_MAX (256 * 1024)

/*
 * Container process: take the agent's message off the sync socket, before
 * the filter (after it, the recvmsg could itself be a notification).
 */
static int
recv_agent_message(int sync_fd, struct agent_msg *a, struct mr_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = {0};
	a->text = malloc(AGENT_MSG_MAX);
	if (a->text == NULL)
		return mr_error_oom(err, "seccomp agent");
	struct iovec iov = {.iov_base = a->text, .iov_len = AGENT_MSG_MAX - 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	do
		n = recvmsg(sync_fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (c != NULL && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&a->sock, CMSG_DATA(c), sizeof(int));
	if (n <= 0 || a->sock < 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return mr_error_set(err, n < 0 ? errno : EPROTO,
				    "seccomp agent: receive the agent's socket from minirun");
	a->len = (size_t)n;
	a->text[n] = '\0';
	return 0;
}

/*
 * Container process, the filter just in: the listener to the agent, then
 * closed here (the agent holds its copy).  Before anything else: until the
 * agent has it, a notified call would wait for nobody (prepare refused a
 * profile that notifies sendmsg or close).
 */
static int
hand_listener_to_agent(const struct mr_prepared *p, struct agent_msg *a, int listener,
		       struct mr_error *err)
{
	int r = -1;
	if (a == NULL || a->sock < 0)
		mr_error_set(err, 0, "seccomp: SCMP_ACT_NOTIFY without a connection to the agent");
	else
		r = mr_seccomp_agent_send(&p->seccomp, a->sock, listener, a->text, a->len, err);
	/* Closed first on failure too: with no listener left, notified calls get ENOSYS. */
	close(listener);
	if (a != NULL && a->sock >= 0)
		close(mr_steal_fd(&a->sock));
	return r;
}

static int
install_filter(const struct mr_prepared *p, struct shared_page *shared, struct agent_msg *agent,
	       struct mr_error *err)
{
	int listener;

	/* Rootless minirun may only pidfd_getfd() from a dumpable process. */
	if (p->seccomp.observe != MR_OBSERVE_NONE && p->rootless)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (mr_seccomp_install(&p->seccomp, &listener, err) < 0)
		return -1;
	if (listener < 0)
		return 0;
	if (p->seccomp.notify)
		return hand_listener_to_agent(p, agent, listener, err);
	if (shared == NULL) {
		close(listener);
		return mr_error_set(err, 0, "seccomp: a listener with nobody to take it");
	}
	atomic_store(&shared->listener, listener);
	/* No syscall until minirun holds the listener: it could be a notification. */
	while (atomic_load(&shared->taken) == 0) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
	return 0;
}

static int
write_oom_score_adj(int value, struct mr_error *err)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", value);
	cleanup_close int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)len) != len)
		return mr_error_set(err, errno, "process.oomScoreAdj %d", value);
	return 0;
}

/*
 * As root with a user namespace, the maps written: until now the process
 * still had the host's root as its ids, which the namespace does not map,
 * so a file or mount it made would belong to nobody there, and the host's
 * root's group memberships would open files for it.  It becomes the
 * container's root first (runc's nsexec does the same).
 */
static int
become_ns_root(const struct mr_prepared *p, int sync_fd, struct mr_error *err)
{
	if (mr_setresgid(0, 0, 0) < 0 || mr_setgroups(0, NULL) < 0 || mr_setresuid(0, 0, 0) < 0)
		return mr_error_set(err, errno, "user namespace: become its root");
	/*
	 * The IPC namespace clone3 made has its mqueue root owned by the ids
	 * the process had then, unmapped: a new one, now, is the root's.  A
	 * joined one (owned by a joined user namespace) replaces it anyway.
	 */
	if (!mr_spec_joins(p->spec, MR_JOIN_IPC) && unshare(CLONE_NEWIPC) < 0)
		return mr_error_set(err, errno, "unshare(CLONE_NEWIPC)");
	/* The kernel clears the parent-death signal when the uids change. */
	struct pollfd alive = {.fd = sync_fd, .events = POLLIN};
	if (!detached(p) && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return mr_error_set(err, errno, "prctl(PR_SET_PDEATHSIG)");
	if (!detached(p) && poll(&alive, 1, 0) == 1 && (alive.revents & POLLHUP))
		_exit(MR_EXIT_FAILURE);
	/*
	 * The rootfs is used as the mapped root (runc does not chown it
	 * either: the engine does, or an idmapped mount): say so, not a bare
	 * EACCES from the mounts below.  The path is what those resolve.
	 */
	if (faccessat(AT_FDCWD, p->rootfs_path, X_OK, AT_EACCESS) < 0)
		return mr_error_set(
		    err, errno,
		    "rootfs %s: not accessible to the container's root (uid %u "
		    "outside); in a user namespace the rootfs and the directories "
		    "above it must be searchable by the mapped ids",
		    p->rootfs_path,
		    (unsigned)mr_id_map_host(p->spec->uid_map, p->spec->n_uid_map, 0));
	return 0;
}

/*
 * The first steps of the container process: nothing else may run before
 * them, because until they are done the process can outlive minirun, be
 * ptraced from the caller's side, or still share the caller's terminal.
 */
static int
detach_from_caller(const struct mr_prepared *p, int sync_fd, const struct stdio_pipes *pipes,
		   struct mr_error *err)
{
	char go;

	/*
	 * A container must not outlive the minirun that supervises it -- unless
	 * it is an OCI runtime's, which has no supervisor by design: "create"
	 * exits and its caller (a subreaper) adopts the container.
	 */
	if (!detached(p) && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return mr_error_set(err, errno, "prctl(PR_SET_PDEATHSIG)");
	/*
	 * A minirun killed between clone3 and that prctl sends no signal
	 * (getppid() cannot tell: it is 0 in a new pid namespace).  Its end of
	 * the sync socket is then closed, which the socket says as POLLHUP.
	 */
	struct pollfd alive = {.fd = sync_fd, .events = POLLIN};
	if (!detached(p) && poll(&alive, 1, 0) == 1 && (alive.revents & POLLHUP))
		_exit(MR_EXIT_FAILURE);

	/*
	 * Into the container's cgroups before anything else runs.  The child
	 * writes itself into each v1 hierarchy's tasks file: a write of another
	 * pid to cgroup.procs waits on a global kernel lock (lib/container/cgroup.c).
	 * A joined user namespace: the intermediate process did, while it could
	 * (spawn_in_userns); the files are the host root's.
	 */
	if (p->cgroup != NULL && !mr_spec_joins(p->spec, MR_JOIN_USER) &&
	    mr_cgroup_join_self(p->cgroup, err) < 0)
		return -1;

	/* A user namespace: wait until the parent has written our uid/gid maps. */
	if (p->userns && read(sync_fd, &go, 1) != 1)
		return mr_error_set(err, errno, "user namespace: waiting for the id maps");
	if (p->userns && !p->rootless && become_ns_root(p, sync_fd, err) < 0)
		return -1;

	/*
	 * OCI namespace paths: after the v1 cgroups (joined by their host
	 * paths) and the id maps, before the mounts that show the namespaces.
	 */
	if (mr_ns_join_early(p->spec, err) < 0)
		return -1;
	/*
	 * Made now, the cgroup namespace is rooted at the container's cgroup.
	 * A given one replaces it: its root is whatever its maker chose.
	 */
	if (!mr_spec_joins(p->spec, MR_JOIN_CGROUP) && syscall(SYS_unshare, CLONE_NEWCGROUP) < 0)
		return mr_error_set(err, errno, "unshare(CLONE_NEWCGROUP)");
	if (mr_resources_apply_ulimits(&p->spec->resources, err) < 0)
		return -1;
	/* The host's /proc still: the value is the process's, kept across exec. */
	if (p->spec->oom_score_adj_set && write_oom_score_adj(p->spec->oom_score_adj, err) < 0)
		return -1;

	/* Nobody may ptrace us or open /proc/PID/ files while we set up. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return mr_error_set(err, errno, "prctl(PR_SET_DUMPABLE)");

	/* CVE-2017-5226: without a controlling terminal, TIOCSTI cannot reach the caller's. */
	if (setsid() < 0)
		return mr_error_set(err, errno, "setsid");

	/* Not the caller's terminal, but a pipe minirun relays (struct stdio_pipes). */
	if (pipes->child_in >= 0 && dup2(pipes->child_in, STDIN_FILENO) < 0)
		return mr_error_set(err, errno, "stdin: pipe");
	if (pipes->child_out >= 0 && dup2(pipes->child_out, STDOUT_FILENO) < 0)
		return mr_error_set(err, errno, "stdout: pipe");
	if (pipes->child_err >= 0 && dup2(pipes->child_err, STDERR_FILENO) < 0)
		return mr_error_set(err, errno, "stderr: pipe");
	return 0;
}

/*
 * OCI: the container process asks minirun to run prestart and createRuntime
 * (SYNC_HOOKS) and waits for its byte (create_hooks); minirun queues
 * nothing else for it before that byte (launch).
 */
static bool
asks_for_runtime_hooks(const struct mr_prepared *p)
{
	const struct mr_launch_ctl *ctl = p->ctl;
	return ctl != NULL && ctl->hooks != NULL && ctl->state != NULL &&
	       (mr_hooks_any(ctl->hooks, MR_HOOK_PRESTART) ||
		mr_hooks_any(ctl->hooks, MR_HOOK_CREATE_RUNTIME));
}

/*
 * OCI create, the mounts made, before pivot_root (runtime-spec config.md):
 * minirun runs prestart and createRuntime in its own namespaces while we
 * wait, then createContainer runs here, in the container's namespaces,
 * from the host's paths (they still resolve).  The state's pid is the one
 * seen where the hook runs: ours as seen in here.
 */
static int
create_hooks(const struct mr_prepared *p, int sync_fd, mode_t caller_umask, struct mr_error *err)
{
	const struct mr_launch_ctl *ctl = p->ctl;
	char go;

	if (ctl == NULL || ctl->hooks == NULL || ctl->state == NULL)
		return 0;
	if (asks_for_runtime_hooks(p)) {
		struct sync_msg m = {.type = SYNC_HOOKS};
		if (sync_send(sync_fd, &m, -1) < 0)
			return mr_error_set(err, errno, "hooks: ask minirun to run createRuntime");
		/* A failed hook: minirun kills us, and this read never returns. */
		if (read(sync_fd, &go, 1) != 1)
			return mr_error_set(err, errno, "hooks: wait for createRuntime");
	}
	if (!mr_hooks_any(ctl->hooks, MR_HOOK_CREATE_CONTAINER))
		return 0;
	cleanup_free char *state = mr_hooks_state_json(ctl->state, getpid(), MR_STATUS_CREATING);
	if (state == NULL)
		return mr_error_oom(err, "hooks: state");
	/* The hook gets the umask we were started with, not the 0 of the mounts. */
	umask(caller_umask);
	int r = mr_hooks_run(ctl->hooks, MR_HOOK_CREATE_CONTAINER, state, NULL, err);
	umask(0);
	return r;
}

/* The next message M, which minirun sends with N descriptors: TYPE, its fds in FDS. */
static int
receive_from_minirun(int sync_fd, int type, const char *what, struct sync_msg *m, int *fds,
		     size_t n, struct mr_error *err)
{
	int r = sync_recv_fds(sync_fd, m, fds, n);
	if (r == 0)
		_exit(MR_EXIT_FAILURE); /* minirun is gone, and said why */
	bool all = r == 1 && m->type == type;
	for (size_t i = 0; i < n; i++)
		all = all && fds[i] >= 0;
	if (!all) {
		int e = r < 0 ? errno : EPROTO;
		for (size_t i = 0; i < n; i++)
			if (fds[i] >= 0)
				close(mr_steal_fd(&fds[i]));
		return mr_error_set(err, e, "%s from minirun", what);
	}
	return 0;
}

/*
 * The network namespace minirun's thread made (mr_ns_net_made_apart), sent
 * once the thread is done: this process was cloned while it still ran, and
 * got as far as /proc meanwhile; the thread wrote the net.* sysctls there
 * (unless the message says it could not).  Everything after shows the
 * namespace: sysfs.
 */
static int
enter_own_netns(const struct mr_prepared *p, int sync_fd, struct mr_mounts *mounts,
		struct mr_error *err)
{
	struct sync_msg m;
	if (!mr_ns_net_made_apart(p->spec, p->userns))
		return 0;
	cleanup_close int nsfd = -1;
	if (receive_from_minirun(sync_fd, SYNC_NETNS, "network: receiving the namespace", &m, &nsfd,
				 1, err) < 0)
		return -1;
	mounts->net_sysctls_written = m.net_sysctls_written;
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return mr_error_set(err, errno, "setns into the container's network namespace");
	mr_phase("child:network");
	return 0;
}

/* What minirun built meanwhile (mounts.h), attached by mr_mounts_setup_rest. */
static int
receive_mounts(const struct mr_prepared *p, int sync_fd, struct mr_mounts *m, struct mr_error *err)
{
	struct sync_msg msg;
	int fds[2];
	if (!mr_mounts_prebuilt(p))
		return 0;
	if (receive_from_minirun(sync_fd, SYNC_MOUNTS, "/dev and /etc files: receiving them", &msg,
				 fds, 2, err) < 0)
		return -1;
	m->devmnt = fds[0];
	m->etcmnt = fds[1];
	return 0;
}

static int
enter_root(const struct mr_prepared *p, int sync_fd, struct mr_error *err)
{
	mode_t caller_umask = umask(0);
	cleanup_mounts struct mr_mounts m = MR_MOUNTS_INIT;
	if (mr_mounts_setup_first(p, &m, err) < 0 || enter_own_netns(p, sync_fd, &m, err) < 0 ||
	    mr_mounts_setup_net(p, &m, err) < 0 || receive_mounts(p, sync_fd, &m, err) < 0)
		return -1;
	cleanup_close int rootfd = mr_mounts_setup_rest(p, &m, err);
	if (rootfd < 0)
		return -1;
	if (create_hooks(p, sync_fd, caller_umask, err) < 0)
		return -1;
	if (mr_mounts_pivot_root(p, rootfd, err) < 0)
		return -1;
	close(mr_steal_fd(&rootfd));
	/*
	 * From here on paths from the image are followed (workdir, the
	 * command): no fd of minirun's may be left for a symlink such as
	 * /proc/self/fd/3/.. to climb out through (CVE-2024-21626).  It is
	 * also before any filter, which matters: a profile older than
	 * close_range (the lab's) gets ENOSYS for it from the stub.  Every fd
	 * opened below is closed again before exec; only the close-on-exec
	 * sync socket stays.
	 */
	if (p->ctl == NULL)
		return close_fds_except(3, sync_fd, -1, err);
	return close_fds_except(3 + p->ctl->preserve_fds, sync_fd, p->ctl->exec_fifo, err);
}

static int
set_up_stdio(const struct mr_spec *spec, int sync_fd, struct mr_error *err)
{
	if (spec->tty) {
		cleanup_close int master = mr_tty_open_in_container(err);
		if (master < 0)
			return -1;
		struct sync_msg m = {.type = SYNC_TTY};
		if (sync_send(sync_fd, &m, master) < 0)
			return mr_error_set(err, errno, "tty: hand the terminal to minirun");
	} else if (!spec->interactive) {
		/* docker run without -i: the container's stdin is empty. */
		cleanup_close int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0)
			return mr_error_set(err, errno, "stdin: /dev/null");
	}
	return 0;
}

static int
apply_personality(unsigned long persona, struct mr_error *err)
{
	if (personality(persona) < 0)
		return mr_error_set(err, errno, "linux.personality: personality(0x%lx)", persona);
	/* 0xffffffff only reads it back. */
	int now = personality(0xffffffff);
	if (now < 0 || (unsigned long)now != persona)
		return mr_error_set(err, errno, "linux.personality: 0x%lx did not take (0x%x)",
				    persona, (unsigned)now);
	return 0;
}

/*
 * The process's own surroundings, from the AppArmor label to the signals:
 * also those of a process exec'ed into a running container (exec.c).
 */
static int
set_up_process(const struct mr_prepared *p, int sync_fd, struct mr_error *err)
{
	const struct mr_spec *spec = p->spec;

	if (mr_apparmor_apply_on_exec(spec->apparmor, spec->no_new_privs, err) < 0)
		return -1;
	if (set_up_stdio(spec, sync_fd, err) < 0)
		return -1;
	umask(spec->umask_set ? (mode_t)spec->umask : 022);
	if (enter_workdir(p, err) < 0)
		return -1;
	if (mr_find_command_late(p, err) < 0 || mr_exec_check_target(p, err) < 0)
		return -1;
	mr_reset_signals();
	/*
	 * Last before the identity: nothing after it asks uname() or maps
	 * memory in a way LINUX32 changes, and it is before any seccomp filter
	 * on every path (take_identity installs it), so Docker's profile,
	 * which allows personality() only for a few arguments, never sees
	 * this call.  execve keeps the persona.
	 */
	if (spec->personality_set && apply_personality(spec->personality, err) < 0)
		return -1;
	return 0;
}

/* What the workload sees of its surroundings, set while we are still root. */
static int
set_up_surroundings(const struct mr_prepared *p, int sync_fd, struct mr_error *err)
{
	const struct mr_spec *spec = p->spec;

	/* minirun brought lo up in the namespace it made (mr_ns_net_start). */
	if (spec->network == MR_NETWORK_NONE && !mr_ns_net_made_apart(spec, p->userns) &&
	    mr_ns_loopback_up(err) < 0)
		return -1;
	/*
	 * A joined UTS namespace is another's: its names change only when the
	 * config gives one (runc 1.1 and crun set it there too; a Kubernetes
	 * pod's containers give none), never to minirun's generated name.
	 */
	bool own_uts = !mr_spec_joins(spec, MR_JOIN_UTS);
	if ((own_uts || spec->hostname != NULL) &&
	    sethostname(p->hostname, strlen(p->hostname)) < 0)
		return mr_error_set(err, errno, "sethostname %s", p->hostname);
	if (spec->domainname != NULL &&
	    setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return mr_error_set(err, errno, "setdomainname %s", spec->domainname);
	return set_up_process(p, sync_fd, err);
}

/*
 * The user, the capabilities and the filter, in the one order that works
 * both with and without no_new_privs.
 */
static int
take_identity(const struct mr_prepared *p, struct shared_page *shared, struct agent_msg *agent,
	      struct mr_error *err)
{
	const struct mr_spec *spec = p->spec;

	if (identity_before_filter(p, err) < 0)
		return -1;
	mr_phase("child:identity");

	/*
	 * Without no_new_privs, installing a filter needs CAP_SYS_ADMIN, so it
	 * goes in while we still hold it; the profile must then allow the few
	 * calls below (setresuid, capset, prctl for a non-root user, execve):
	 * prepare checked that on every path of the program, and the result is
	 * read back.  Fail closed: never run with more privilege than
	 * asked for.
	 */
	if (!spec->no_new_privs && install_filter(p, shared, agent, err) < 0)
		return -1;
	if (!spec->no_new_privs)
		mr_phase("child:seccomp-load");

	if (identity_after_filter(p, err) < 0) {
		if (p->seccomp.enabled && !spec->no_new_privs &&
		    (err->errnum == EPERM || err->errnum == ENOSYS || err->errnum == EACCES))
			mr_error_wrap(
			    err, "after the seccomp profile was installed (without "
				 "no-new-privileges it must go in before the user and "
				 "capabilities are set, and the profile may deny this call: allow "
				 "it, or use --security-opt no-new-privileges so the filter is "
				 "installed last)");
		return -1;
	}
	mr_phase("child:identity-final");

	if (spec->no_new_privs) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return mr_error_set(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
		/* As late as possible: only execve runs under it. */
		if (install_filter(p, shared, agent, err) < 0)
			return -1;
		mr_phase("child:seccomp-load");
	}
	return 0;
}

/* Returns only on failure. */
static int
exec_command(const struct mr_prepared *p, struct mr_error *err)
{
	/* OCI create stopped before the identity (wait_for_start), not here. */
	mr_phase("child:execve");
	execve(p->exec_path, p->spec->argv, p->envp);
	int e = errno;
	if (p->seccomp.enabled && (e == EPERM || e == ENOSYS))
		return mr_error_set_status(
		    err, MR_EXIT_CANNOT_EXEC, e,
		    "exec %s: the seccomp profile %s denies execve, so nothing "
		    "can start under it (allow execve and execveat)",
		    p->exec_path, p->seccomp.source ? p->seccomp.source : "");
	return mr_error_set_status(err, e == ENOENT ? MR_EXIT_NOT_FOUND : MR_EXIT_CANNOT_EXEC, e,
				   "exec %s", p->exec_path);
}

/*
 * --init: the process clone3 made stays as the container's PID 1 (init.c);
 * its child, PID 2, goes on to become the workload.  Forked here: after the
 * mounts, so the init holds nothing of the host's, and before the identity
 * and the filter, which are the workload's alone.
 */
static int
split_off_init(const struct mr_prepared *p, int sync_fd, struct mr_error *err)
{
	if (mr_init_fork(p->permitted, err) < 0)
		return -1;
	/*
	 * A session of its own, as without --init: the pty of -t becomes its
	 * controlling terminal, and Ctrl-C reaches it, not the init.
	 */
	if (setsid() < 0)
		return mr_error_set(err, errno, "setsid");
	if (p->seccomp.observe == MR_OBSERVE_NONE)
		return 0;
	/* minirun takes the filter's listener out of this process, not the init. */
	cleanup_close int self = (int)syscall(SYS_pidfd_open, getpid(), 0U);
	struct sync_msg m = {.type = SYNC_PIDFD};
	if (self < 0 || sync_send(sync_fd, &m, self) < 0)
		return mr_error_set(err, errno, "--init: hand the workload's pidfd to minirun");
	return 0;
}

/*
 * OCI create: everything that can fail on the input is done; tell "create"
 * it may return, then wait for "start", which opens the fifo for reading
 * (runc's exec.fifo, the same split).  The fifo is opened by descriptor:
 * its host path is not reachable from the container's root.  *report keeps
 * it open, close-on-exec, until the execve: `start` reads it to the end,
 * and learns there why we failed if we do (child_failed).
 */
static int
wait_for_start(const struct mr_prepared *p, int sync_fd, int *report, struct mr_error *err)
{
	char path[64];
	struct sync_msg m = {.type = SYNC_READY};

	if (sync_send(sync_fd, &m, -1) < 0)
		return mr_error_set(err, errno, "create: tell minirun the container is ready");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p->ctl->exec_fifo);
	int fd;
	do
		fd = open(path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return mr_error_set(err, errno, "exec fifo: open for writing");
	ssize_t w = write(fd, "0", 1);
	int e = errno;
	close(p->ctl->exec_fifo);
	if (w != 1) {
		close(fd);
		return mr_error_set(err, e, "exec fifo: write");
	}
	*report = fd;
	return 0;
}

static int
hook_identity(const void *data, const struct mr_hook *hook, struct mr_error *err)
{
	const struct mr_prepared *p = data;
	/* Resolved in the container: it may be the image's link to minirun itself. */
	if (mr_exec_check_path(p, hook->path, err) < 0)
		return -1;
	return take_identity(p, NULL, NULL, err);
}

/*
 * startContainer (after start, before the command): in the container, the
 * path resolved in its root, each hook with the command's own identity,
 * capabilities and filter (taken in the hook's process: we keep ours for
 * the command).  Never with an observing filter (OCI has none): its
 * listener is handed over through the launch's shared page only.
 */
static int
start_hooks(const struct mr_prepared *p, struct mr_error *err)
{
	const struct mr_launch_ctl *ctl = p->ctl;
	const struct mr_hooks_how how = {.before_exec = hook_identity, .data = p};

	if (ctl == NULL || ctl->state == NULL || !mr_hooks_any(ctl->hooks, MR_HOOK_START_CONTAINER))
		return 0;
	if (p->seccomp.observe != MR_OBSERVE_NONE)
		return mr_error_set(err, 0, "hooks.startContainer: not with a seccomp observer");
	cleanup_free char *state = mr_hooks_state_json(ctl->state, getpid(), MR_STATUS_CREATED);
	if (state == NULL)
		return mr_error_oom(err, "hooks: state");
	return mr_hooks_run(ctl->hooks, MR_HOOK_START_CONTAINER, state, &how, err);
}

/* The steps of the header comment's "child" line, in that order. */
static int
container_init(const struct mr_prepared *p, int sync_fd, const struct stdio_pipes *pipes,
	       struct shared_page *shared, int *report, struct mr_error *err)
{
	mr_phase("child:start");
	/* Until execve names it after the command (died_before_exec). */
	if (!p->spec->init)
		prctl(PR_SET_NAME, SETUP_COMM, 0, 0, 0);
	if (detach_from_caller(p, sync_fd, pipes, err) < 0)
		return -1;
	mr_phase("child:detach");
	if (enter_root(p, sync_fd, err) < 0)
		return -1;
	mr_phase("child:close-fds");
	if (p->spec->init && split_off_init(p, sync_fd, err) < 0)
		return -1;
	if (set_up_surroundings(p, sync_fd, err) < 0)
		return -1;
	mr_phase("child:surroundings");
	if (detached(p) && wait_for_start(p, sync_fd, report, err) < 0)
		return -1;
	if (start_hooks(p, err) < 0)
		return -1;
	struct agent_msg agent = AGENT_MSG_NONE;
	if (p->seccomp.notify && recv_agent_message(sync_fd, &agent, err) < 0)
		return -1;
	if (take_identity(p, shared, &agent, err) < 0)
		return -1;
	free(agent.text);
	return exec_command(p, err);
}

static _Noreturn void
child_failed(int sync_fd, int report, const struct mr_error *e)
{
	struct mr_error err = *e;
	struct sync_msg m = {
	    .type = SYNC_ERROR,
	    .exit_status = err.exit_status ? err.exit_status : MR_EXIT_FAILURE,
	    .errnum = err.errnum,
	};
	memcpy(m.msg, err.msg, sizeof(m.msg));
	/* After start: `start` reads the exec fifo (wait_for_start). */
	if (report >= 0 && write(report, m.msg, strlen(m.msg)) > 0)
		_exit(m.exit_status);
	/* After OCI create has returned nobody reads the socket: say it on stderr. */
	if (sync_send(sync_fd, &m, -1) < 0)
		dprintf(STDERR_FILENO, "minirun: %s\n", m.msg);
	_exit(m.exit_status);
}

static _Noreturn void
container_main(const struct mr_prepared *p, int sync_fd, const struct stdio_pipes *pipes,
	       struct shared_page *shared)
{
	struct mr_error err = {0};
	int report = -1;

	container_init(p, sync_fd, pipes, shared, &report, &err);
	child_failed(sync_fd, report, &err);
}

/* --- the parent ----------------------------------------------------------- */

/*
 * The container process, from clone3 until it is reaped.  Whatever way
 * minirun leaves the launch, the container must not be left running
 * without its supervisor (or as a zombie), so the variable that holds it
 * kills and reaps it when it goes out of scope; child_reaped() disarms it
 * once waitid has collected the exit status.
 */
struct child {
	pid_t pid;
	int pidfd;
};

#define CHILD_NONE ((struct child){.pid = -1, .pidfd = -1})

static bool
is_exit(const siginfo_t *si)
{
	return si->si_code == CLD_EXITED || si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED;
}

static void
reap(int pidfd)
{
	siginfo_t si;
	/* A tracee's ptrace stop is reported too (see release_tracee): not an exit. */
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (is_exit(&si))
			return;
	}
}

static void
child_kill_and_reap(struct child *c)
{
	if (c->pidfd < 0)
		return;
	int saved = errno;
	syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
	reap(c->pidfd);
	close(c->pidfd);
	errno = saved;
}

#define cleanup_child __attribute__((cleanup(child_kill_and_reap)))

static void
child_reaped(struct child *c)
{
	close(mr_steal_fd(&c->pidfd));
}

static int
status_from_siginfo(const siginfo_t *si)
{
	if (si->si_code == CLD_EXITED)
		return si->si_status;
	return 128 + si->si_status;
}

static void
stdio_pipes_close(struct stdio_pipes *op)
{
	int *fds[] = {&op->in_w,     &op->out_r,     &op->err_r,
		      &op->child_in, &op->child_out, &op->child_err};
	size_t n = sizeof(fds) / sizeof(fds[0]);
	for (size_t i = 0; i < n; i++) {
		int fd = *fds[i];
		if (fd < 0)
			continue;
		for (size_t j = i; j < n; j++)
			if (*fds[j] == fd)
				*fds[j] = -1; /* fd 2 may share fd 1's pipe */
		close(fd);
	}
}

#define cleanup_stdio_pipes __attribute__((cleanup(stdio_pipes_close)))

static bool
same_file(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino && sa.st_rdev == sb.st_rdev;
}

/* A pipe whose end *mine is minirun's (non-blocking), *theirs the container's. */
static int
stdio_pipe(bool minirun_reads, int *mine, int *theirs, struct mr_error *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return mr_error_set(err, errno, "pipe");
	/* Only minirun's end: the container's reads and writes block as on a terminal. */
	*mine = fds[minirun_reads ? 0 : 1];
	*theirs = fds[minirun_reads ? 1 : 0];
	fcntl(*mine, F_SETFL, O_NONBLOCK);
	return 0;
}

/*
 * See struct stdio_pipes.  When fds 1 and 2 are the same terminal they
 * share one pipe, so what the container writes to both arrives in the
 * order it was written.
 */
static int
open_stdio_pipes(const struct mr_prepared *p, struct stdio_pipes *op, struct mr_error *err)
{
	const struct mr_spec *spec = p->spec;
	/* Detached, nobody would relay: the caller chose the stdio (runc's rule). */
	bool relayed = !spec->tty && !detached(p);
	bool in_tty = relayed && spec->interactive && isatty(STDIN_FILENO);
	bool out_tty = relayed && isatty(STDOUT_FILENO);
	bool err_tty = relayed && isatty(STDERR_FILENO);

	if (in_tty && stdio_pipe(false, &op->in_w, &op->child_in, err) < 0)
		return -1;
	if (out_tty && stdio_pipe(true, &op->out_r, &op->child_out, err) < 0)
		return -1;
	if (err_tty && out_tty && same_file(STDOUT_FILENO, STDERR_FILENO))
		op->child_err = op->child_out;
	else if (err_tty && stdio_pipe(true, &op->err_r, &op->child_err, err) < 0)
		return -1;
	return 0;
}

/* After clone3: the container's ends are the container's alone. */
static void
stdio_pipes_close_child_ends(struct stdio_pipes *op)
{
	struct stdio_pipes child_ends = {-1, -1, -1, op->child_in, op->child_out, op->child_err};
	stdio_pipes_close(&child_ends);
	op->child_in = op->child_out = op->child_err = -1;
}

/*
 * OCI pid namespace path: the container process is born in it (clone3 then
 * has no CLONE_NEWPID).  setns(CLONE_NEWPID) changes only where minirun's
 * next children go, so minirun enters it just around clone3 and goes back
 * at once: its own later helpers (LeakSanitizer's tracer in the ASan build)
 * must not be born in the container.  *own: minirun's namespace, -1 when
 * nothing is joined.
 */
static int
enter_given_pidns(const struct mr_spec *spec, int *own, struct mr_error *err)
{
	if (!mr_spec_joins(spec, MR_JOIN_PID))
		return 0;
	*own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (*own < 0)
		return mr_error_set(err, errno, "open /proc/self/ns/pid");
	if (setns(spec->ns_join[MR_JOIN_PID].fd, CLONE_NEWPID) < 0)
		return mr_error_set(err, errno, "setns into the pid namespace %s",
				    spec->ns_join[MR_JOIN_PID].path);
	return 0;
}

static int
leave_given_pidns(int own, struct mr_error *err)
{
	if (own >= 0 && setns(own, CLONE_NEWPID) < 0)
		return mr_error_set(err, errno, "setns back into minirun's own pid namespace");
	return 0;
}

/*
 * clone3 with every namespace at once and a pidfd, so the process is never
 * known by a bare pid that could be reused.  The child end of the sync
 * socket is left to the child; *sock receives minirun's end.
 */
static int spawn_in_userns(const struct mr_prepared *p, const struct stdio_pipes *pipes,
			   struct shared_page *shared, struct child *child, int *sock,
			   struct mr_error *err);

static int
spawn(const struct mr_prepared *p, const struct stdio_pipes *pipes, struct shared_page *shared,
      struct child *child, int *sock, struct mr_error *err)
{
	int sv[2];
	int pidfd = -1;

	if (mr_spec_joins(p->spec, MR_JOIN_USER))
		return spawn_in_userns(p, pipes, shared, child, sock, err);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return mr_error_set(err, errno, "socketpair");
	cleanup_close int parent_end = sv[0];
	cleanup_close int child_end = sv[1];

	struct clone_args args = {
	    .flags = mr_ns_clone_flags(p->spec, p->userns) | CLONE_PIDFD,
	    .pidfd = (uint64_t)(uintptr_t)&pidfd,
	    .exit_signal = SIGCHLD,
	};
	int cgfd = p->cgroup != NULL ? mr_cgroup_clone_fd(p->cgroup) : -1;
	if (cgfd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgfd;
	}
	mr_phase("socketpair");
	cleanup_close int own_pidns = -1;
	if (enter_given_pidns(p->spec, &own_pidns, err) < 0) {
		leave_given_pidns(own_pidns, err);
		return -1;
	}
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && cgfd >= 0 && (errno == EINVAL || errno == E2BIG)) {
		/* Before Linux 5.7: the child joins its cgroup2 directory itself. */
		mr_cgroup_clone_into_failed(p->cgroup);
		args.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		args.cgroup = 0;
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	}
	int clone_errno = errno;
	if (pid > 0) {
		*child = (struct child){.pid = pid, .pidfd = pidfd};
		if (leave_given_pidns(own_pidns, err) < 0)
			return -1; /* *child's cleanup kills it */
	} else if (pid < 0) {
		struct mr_error ignored;
		leave_given_pidns(own_pidns, &ignored);
	}
	if (pid < 0 && clone_errno == ENOMEM && own_pidns >= 0)
		return mr_error_set(
		    err, ENOMEM,
		    "clone3 into the pid namespace %s: its init has exited, nothing "
		    "can join it",
		    p->spec->ns_join[MR_JOIN_PID].path);
	if (pid < 0) {
		int e = clone_errno;
		if (e == EPERM || e == EINVAL || e == ENOSPC)
			return mr_error_set(
			    err, e, "clone3: creating the container's namespaces failed%s",
			    p->rootless ? " (are unprivileged user namespaces "
					  "allowed? sysctl kernel.unprivileged_userns_clone)"
					: "");
		return mr_error_set(err, e, "clone3");
	}
	if (pid == 0) {
		close(parent_end);
		container_main(p, child_end, pipes, shared);
	}
	/* minirun's side; the container process may already be past child:start. */
	mr_phase("clone3-return");
	*sock = mr_steal_fd(&parent_end);
	return 0;
}

/*
 * The intermediate process of spawn_in_userns: into the container's
 * cgroups while it is still the host's root (the files are that root's),
 * then into the user namespace, [the given pid namespace], and clone3.
 * Returns the container process's pid (0 in it), or -1.
 */
static pid_t
join_and_clone(const struct mr_prepared *p, int *pidfd, struct mr_error *err)
{
	const struct mr_ns_join *user = &p->spec->ns_join[MR_JOIN_USER];
	const struct mr_ns_join *pidns = &p->spec->ns_join[MR_JOIN_PID];

	/*
	 * It holds minirun's descriptors: in the namespace, its root (with
	 * CAP_SYS_PTRACE there) could attach to a dumpable process, or open its
	 * /proc/PID/fd.  The container process inherits this (as for the
	 * memory, the host's user namespace decides who may attach).
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return mr_error_set(err, errno, "prctl(PR_SET_DUMPABLE)");
	/* cgroup2 too: CLONE_INTO_CGROUP would work from inside, but this is one path. */
	if (p->cgroup != NULL && mr_cgroup_join_self(p->cgroup, err) < 0)
		return -1;
	if (setns(user->fd, CLONE_NEWUSER) < 0)
		return mr_error_set(err, errno, "setns into the user namespace %s", user->path);
	/* Owned by the joined user namespace (oci-config.c): allowed from in there. */
	if (pidns->path != NULL && setns(pidns->fd, CLONE_NEWPID) < 0)
		return mr_error_set(err, errno, "setns into the pid namespace %s", pidns->path);
	/*
	 * CLONE_PARENT: minirun's own child, which it waits for and signals
	 * by pidfd as any container process.  clone3 wants exit_signal 0
	 * with it: the child gets this process's, SIGCHLD.
	 */
	struct clone_args args = {
	    .flags = mr_ns_clone_flags(p->spec, false) | CLONE_PARENT | CLONE_PIDFD,
	    .pidfd = (uint64_t)(uintptr_t)pidfd,
	};
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && errno == ENOMEM && pidns->path != NULL)
		return mr_error_set(err, ENOMEM,
				    "clone3 into the pid namespace %s: its init has exited, "
				    "nothing can join it",
				    pidns->path);
	if (pid < 0)
		return mr_error_set(err, errno, "clone3 in the user namespace %s", user->path);
	return pid;
}

static _Noreturn void
intermediate_main(const struct mr_prepared *p, int sync_fd, const struct stdio_pipes *pipes,
		  struct shared_page *shared)
{
	struct mr_error err = {0};
	int pidfd = -1;

	pid_t pid = join_and_clone(p, &pidfd, &err);
	if (pid == 0)
		container_main(p, sync_fd, pipes, shared);
	if (pid > 0) {
		/* The container process waits for minirun's go: no message of its own before. */
		struct sync_msg m = {.type = SYNC_SPAWNED, .pid = pid};
		if (sync_send(sync_fd, &m, pidfd) == 0)
			_exit(0);
		mr_error_set(&err, errno, "hand the container process to minirun");
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	}
	child_failed(sync_fd, -1, &err);
}

/*
 * A user namespace given by path (as root): the namespaces clone3 makes
 * belong to the caller's user namespace, so the caller must be in the
 * joined one, and minirun cannot go there and back (nothing can setns into
 * an ancestor user namespace).  An intermediate process does it, as runc's
 * nsexec stages: intermediate_main, with CLONE_PARENT, sends the pidfd of
 * the container process and exits.  Only this path pays that fork.
 */
static int
spawn_in_userns(const struct mr_prepared *p, const struct stdio_pipes *pipes,
		struct shared_page *shared, struct child *child, int *sock, struct mr_error *err)
{
	int sv[2];
	int mid_pidfd = -1, fd = -1;
	struct sync_msg m;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return mr_error_set(err, errno, "socketpair");
	cleanup_close int parent_end = sv[0];
	cleanup_close int child_end = sv[1];
	struct clone_args args = {
	    .flags = CLONE_PIDFD,
	    .pidfd = (uint64_t)(uintptr_t)&mid_pidfd,
	    .exit_signal = SIGCHLD,
	};
	pid_t mid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (mid < 0)
		return mr_error_set(err, errno,
				    "clone3 (the process that joins the user namespace)");
	if (mid == 0) {
		close(parent_end);
		intermediate_main(p, child_end, pipes, shared);
	}
	cleanup_close int mid_fd = mid_pidfd;
	close(mr_steal_fd(&child_end));
	reap(mid_fd);
	/*
	 * It has exited: its message is queued, or there is none (killed).
	 * Not a blocking read: a container process it made may hold the
	 * other end, waiting for minirun.
	 */
	struct pollfd pfd = {.fd = parent_end, .events = POLLIN};
	int r =
	    poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN) ? sync_recv(parent_end, &m, &fd) : 0;
	if (r == 1 && m.type == SYNC_SPAWNED && fd >= 0) {
		*child = (struct child){.pid = m.pid, .pidfd = fd};
		mr_phase("clone3-return");
		*sock = mr_steal_fd(&parent_end);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	if (r == 1 && m.type == SYNC_ERROR) {
		mr_error_set_status(err, m.exit_status, 0, "%s", m.msg);
		err->errnum = m.errnum;
		return -1;
	}
	return mr_error_set(err, r < 0 ? errno : 0,
			    "the process joining the user namespace %s ended without a word",
			    p->spec->ns_join[MR_JOIN_USER].path);
}

/*
 * A user namespace: the child waits for its uid/gid maps before anything
 * else.  Rootless, the caller's own ids as 0; as root, the config's ranges
 * (setgroups stays allowed: the maps' writer is privileged, and the
 * container's root may set the groups its user has).
 */
static int
write_id_maps(const struct mr_prepared *p, const struct child *child, int sock,
	      struct mr_error *err)
{
	const struct mr_id_map own_uid = {0, p->outer_uid, 1}, own_gid = {0, p->outer_gid, 1};
	const struct mr_ns_id_maps own = {&own_uid, &own_gid, 1, 1, true};
	const struct mr_ns_id_maps given = {p->spec->uid_map, p->spec->gid_map, p->spec->n_uid_map,
					    p->spec->n_gid_map, false};

	/* A joined user namespace has its maps already. */
	if (!mr_spec_joins(p->spec, MR_JOIN_USER) &&
	    mr_ns_write_id_maps(child->pid, p->rootless ? &own : &given, err) < 0)
		return -1;
	if (write(sock, "g", 1) != 1)
		return mr_error_set(err, errno, "user namespace: release the container");
	return 0;
}

/*
 * The observing filter is in: take a copy of its listener out of the
 * container process and let it go on.
 */
static int
take_listener(int pidfd, struct shared_page *shared, struct mr_observer *observer,
	      struct mr_error *err)
{
	int lfd = (int)syscall(SYS_pidfd_getfd, pidfd, atomic_load(&shared->listener), 0U);
	if (lfd < 0)
		return mr_error_set(err, errno,
				    "seccomp: take the notification fd from "
				    "the container (pidfd_getfd)");
	fcntl(lfd, F_SETFD, FD_CLOEXEC);
	mr_observer_set_listener(observer, lfd);
	atomic_store(&shared->taken, 1);
	return 0;
}

/*
 * The end of the sync socket is the exec (close-on-exec), or the container
 * process's death before it: one killed by a signal (a KILL rule on a call
 * minirun makes after the filter, the OOM killer, a crash in the set-up)
 * sends no message, and its status would pass for the command's own.  *si
 * is its exit, seen with WNOWAIT: the zombie is ours, its pid not reused.
 * The name (SETUP_COMM, set by container_init, not under --init) says the
 * process is minirun's set-up, but the command can take that name too
 * (prctl(PR_SET_NAME), or a file named so).  What it cannot undo is its
 * execve: that clears PF_FORKNOEXEC in the task's flags (stat(5) field 9),
 * for good, and only another fork sets it again in another process.
 */
#define PF_FORKNOEXEC 0x00000040 /* include/linux/sched.h, not in the uapi */

static int
died_before_exec(pid_t pid, const siginfo_t *si, struct mr_error *err)
{
	if (si->si_code != CLD_KILLED && si->si_code != CLD_DUMPED)
		return 0;
	char path[64], stat[512] = "";
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, stat, sizeof(stat) - 1) : -1;
	if (n <= 0)
		return 0;
	/* "PID (COMM) STATE PPID PGRP SESSION TTY TPGID FLAGS ...": COMM may hold ") ". */
	char *open_paren = strchr(stat, '('), *close_paren = strrchr(stat, ')');
	unsigned long task_flags = 0;
	if (open_paren == NULL || close_paren == NULL || close_paren < open_paren ||
	    (size_t)(close_paren - open_paren - 1) != strlen(SETUP_COMM) ||
	    strncmp(open_paren + 1, SETUP_COMM, strlen(SETUP_COMM)) != 0 ||
	    sscanf(close_paren + 1, " %*c %*d %*d %*d %*d %*d %lu", &task_flags) != 1 ||
	    !(task_flags & PF_FORKNOEXEC))
		return 0;
	const char *sig = sigabbrev_np(si->si_status);
	return mr_error_set(err, 0,
			    "the container process was killed by SIG%s before it executed the "
			    "command (killed from outside, the OOM killer, or a seccomp KILL rule "
			    "on a call minirun makes after the filter)",
			    sig ? sig : "?");
}

/* The hooks' byte met a closed socket: the process is dead, or soon will be. */
static int
died_before_hooks_ran(const struct child *child, struct mr_error *err)
{
	siginfo_t si = {0};
	while (waitid((idtype_t)P_PIDFD, (id_t)child->pidfd, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			return 0;
	return died_before_exec(child->pid, &si, err);
}

/*
 * Wait for the exec: messages until EOF.  When observing, the listener
 * appears in the shared page somewhere in between, and from then on the
 * container process's syscalls may wait for minirun's answers.  *master
 * receives the pty master if the child sends one.  With --init the filter
 * is in the workload, not in the child: its pidfd comes first (SYNC_PIDFD).
 * *stop says where it stopped: 0 at the exec, SYNC_READY (OCI create) or
 * SYNC_HOOKS (the child waits for createRuntime; call again after).
 */
static int
wait_for_exec(const struct child *child, bool init, int sock, struct mr_observer *observer,
	      struct shared_page *shared, int *master, int *stop, struct mr_error *err)
{
	cleanup_close int workload = -1;

	for (;;) {
		struct sync_msg m;
		int fd;
		struct pollfd pfd[2] = {{.fd = sock, .events = POLLIN}, {.fd = -1}};
		bool waiting_listener = observer && mr_observer_listener_fd(observer) < 0;

		if (observer && !waiting_listener)
			pfd[1] = (struct pollfd){.fd = mr_observer_listener_fd(observer),
						 .events = POLLIN};
		if (poll(pfd, 2, waiting_listener ? 1 : -1) < 0 && errno != EINTR)
			return mr_error_set(err, errno, "poll");
		if (waiting_listener && atomic_load(&shared->listener) >= 0 &&
		    (!init || workload >= 0) &&
		    take_listener(init ? workload : child->pidfd, shared, observer, err) < 0)
			return -1;
		/*
		 * The sync socket first: once the exec has closed it, a pending
		 * notification is the workload's, and is left to relay_loop().
		 * Before that, any notification is minirun's own.
		 */
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if ((pfd[1].revents & POLLIN) &&
			    mr_observer_handle(observer, true, err) < 0)
				return -1;
			continue;
		}
		int r = sync_recv(sock, &m, &fd);
		if (r == 0)
			return 0;
		if (r < 0)
			return mr_error_set(err, errno, "sync with the container process");
		if (m.type == SYNC_TTY && fd >= 0) {
			*master = fd;
			continue;
		}
		if (m.type == SYNC_PIDFD && fd >= 0 && workload < 0) {
			workload = fd;
			continue;
		}
		if (m.type == SYNC_READY || m.type == SYNC_HOOKS) {
			*stop = m.type;
			return 0;
		}
		if (fd >= 0)
			close(fd);
		if (m.type == SYNC_ERROR) {
			mr_error_set_status(err, m.exit_status, 0, "%s", m.msg);
			err->errnum = m.errnum;
			return -1;
		}
	}
}

/*
 * What relay_loop() moves between the caller and the running container.  It
 * owns master, out, err and in (relay_close), and closes one as soon as the
 * other side of its copy is gone, so the container meets what it would meet
 * on a terminal or pipe of its own, not a full buffer nobody will ever read
 * (`minirun -t IMAGE yes | head -1` never ended): a pty master closed is a
 * hangup (SIGHUP to the session, EIO on writes), a pipe's read end closed
 * is EPIPE, its write end closed is the end of the input.
 */
struct relay {
	pid_t pid;
	int pidfd;
	int sigfd;
	int master; /* -1 without -t */
	int out;    /* the output pipes' read ends, -1 when not relayed */
	int err;
	int in;			      /* the stdin pipe's write end, -1 when not relayed */
	bool read_stdin;	      /* -it, or -i with the stdin pipe */
	struct mr_observer *observer; /* NULL unless --seccomp-report/--seccomp-learn */
	const struct mr_spec *spec;   /* --stop-signal, --stop-timeout, --name */
	struct mr_out *out1, *out2;   /* minirun's stdout (master or out), stderr (err) */
	struct mr_tty_state *tty;     /* the caller's terminal, raw under -it */
	bool quit;		      /* the container is gone, a signal ends the last output */
};

/*
 * What a stop request started: PID 1 ignores every signal it has no handler
 * for (pid_namespaces(7)), so a forwarded SIGINT or SIGTERM may do nothing at
 * all; the user is told once, and minirun's own SIGTERM ends in SIGKILL after
 * --stop-timeout, as docker stop does.  Times in CLOCK_MONOTONIC ms, 0: none.
 */
struct stop_state {
	int64_t check_at; /* when to look whether PID 1 ignored note_sig */
	int note_sig;
	bool noted;	 /* said once, never again */
	int64_t kill_at; /* SIGKILL then */
};

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first SIGINT or SIGTERM that reached PID 1: look again in 2 s. */
static void
watch_stop(struct stop_state *st, int sig)
{
	if (!st->noted && st->check_at == 0) {
		st->check_at = now_ms() + 2000;
		st->note_sig = sig;
	}
}

/* Whether host pid pid has a handler for sig (SigCgt in /proc/PID/status). */
static bool
handles_signal(pid_t pid, int sig)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return true; /* gone, or unknown: say nothing */
	bool caught = true;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long mask;
		if (sscanf(line, "SigCgt: %llx", &mask) == 1) {
			caught = (mask >> (sig - 1)) & 1;
			break;
		}
	}
	fclose(f);
	return caught;
}

/*
 * One line on stderr, "minirun: [NAME: ]...", at column 0 even while the
 * caller's terminal is raw (-it): there "\n" alone does not return the
 * carriage, and the container's output (an echoed "^C") may have left the
 * cursor mid-line, so the line starts on a new one.
 */
static void
say(const struct relay *s, const char *msg)
{
	struct termios t;
	char line[1024];
	bool raw =
	    tcgetattr(STDERR_FILENO, &t) == 0 && !((t.c_oflag & OPOST) && (t.c_oflag & ONLCR));
	int n = snprintf(line, sizeof(line), "%sminirun: %s%s%s%s", raw ? "\r\n" : "",
			 s->spec->name ? s->spec->name : "", s->spec->name ? ": " : "", msg,
			 raw ? "\r\n" : "\n");
	/* After what the container wrote there, and never waiting for a stalled reader. */
	if (n > 0)
		mr_out_say(s->out2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* The 2 s have passed: if PID 1 is still there and has no handler, say so. */
static void
note_ignored(const struct relay *s, struct stop_state *st)
{
	char path[64], comm[32] = "", msg[512];
	st->check_at = 0;
	st->noted = true;
	if (handles_signal(s->pid, st->note_sig))
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)s->pid);
	FILE *f = fopen(path, "re");
	if (f != NULL) {
		if (fgets(comm, sizeof(comm), f) != NULL)
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(msg, sizeof(msg),
		 "SIG%s had no effect: the container's PID 1 (%s) has no handler for it, and "
		 "PID 1 ignores the signals it does not handle; run with --init to have them "
		 "passed on to COMMAND%s",
		 sigabbrev_np(st->note_sig), comm,
		 st->kill_at ? " (minirun's SIGTERM still ends in SIGKILL after --stop-timeout)"
			     : "");
	say(s, msg);
}

/*
 * What a pty master can still hold once every writer is gone: its buffers are
 * 64 KiB and n_tty's 4 KiB (drivers/tty/tty_buffer.c, n_tty.c); generously.
 */
#define DRAIN_TTY_MAX (1L << 20)

/*
 * The caller's terminal raw (-it), with SIGTTOU let through: in the
 * background (the shell's `bg`) the kernel then stops minirun on the
 * tcsetattr as it stops any job that sets its terminal's modes, until `fg`,
 * instead of the modes changing under the shell.  Blocked, SIGTTOU would
 * let the call through from the background.
 */
static int
tty_raw(const struct relay *s, struct mr_error *err)
{
	sigset_t ttou;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_UNBLOCK, &ttou, NULL);
	int ret = mr_tty_make_raw(STDIN_FILENO, s->tty, err);
	sigprocmask(SIG_BLOCK, &ttou, NULL);
	return ret;
}

/*
 * -it: SIGTSTP, SIGTTIN or SIGTTOU for minirun (kill -TSTP; Ctrl-Z itself is
 * a byte for the container's terminal).  With its default action it would
 * stop minirun and leave the caller at a shell on a raw terminal; so, as
 * ssh and vim do: the terminal's modes back, stop with that very signal (the
 * shell reports it as usual), and on SIGCONT raw again and the window size,
 * which may have changed meanwhile, passed on (SIGWINCH to the container).
 * The container runs on meanwhile, as ssh's remote side does: what it
 * writes waits in its pty until minirun reads it again, nothing is lost.
 * In an orphaned process group the kernel discards the stop (nobody could
 * continue it): minirun just goes on.
 */
static void
job_stop(const struct relay *s, int sig)
{
	sigset_t one;
	if (s->tty == NULL)
		return;
	mr_tty_restore(s->tty);
	sigemptyset(&one);
	sigaddset(&one, sig);
	/* Pending while blocked; its default action takes effect on the unblock. */
	raise(sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	sigprocmask(SIG_BLOCK, &one, NULL);
	struct mr_error ignored = {0};
	(void)tty_raw(s, &ignored);
	if (s->master >= 0)
		mr_tty_copy_winsize(STDIN_FILENO, s->master);
}

/*
 * After the container's end: write what o holds, waiting for a slow reader
 * as long as it takes, but not for one that is stalled while the user asks
 * minirun to end (SIGINT, SIGTERM, SIGHUP, SIGQUIT: what was not written is
 * dropped, as a process killed in a write drops its own).  Stopped and
 * continued on a job-control signal (-it), as during the relay.
 */
static int
flush_wait(struct relay *s, struct mr_out *o)
{
	for (;;) {
		if (s->quit || mr_out_flush(o) < 0)
			return -1;
		if (!mr_out_pending(o))
			return 0;
		struct pollfd pfd[2] = {{.fd = mr_out_pollfd(o), .events = POLLOUT},
					{.fd = s->sigfd, .events = POLLIN}};
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return -1;
		struct signalfd_siginfo si;
		while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			int sig = (int)si.ssi_signo;
			if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
				s->quit = true;
			else if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
				job_stop(s, sig);
		}
	}
}

/*
 * What is left once the container's init is reaped, and no more: in a pid
 * namespace of its own every writer died with it, and a pipe holds at most
 * its capacity.  One that joined another's (an OCI path) leaves the init's
 * children running; one that wrote without a pause (yes) kept the pipe from
 * ever running dry, and minirun from ever getting to the cgroup that kills
 * them: run never returned.  What they write after is theirs to lose.
 */
static void
drain(struct relay *s, int from, struct mr_out *o)
{
	int fl = fcntl(from, F_GETFL);
	fcntl(from, F_SETFL, fl | O_NONBLOCK);
	int cap = fcntl(from, F_GETPIPE_SZ);
	long budget = cap > 0 ? cap : DRAIN_TTY_MAX, n;
	while (flush_wait(s, o) == 0 && budget > 0 && (n = mr_out_fill(o, from)) > 0)
		budget -= n;
}

/* Returns true when a SIGCHLD was among them: the child may have changed state. */
static bool
forward_signals(const struct relay *s, struct stop_state *st)
{
	struct signalfd_siginfo si;
	bool sigchld = false;

	while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			sigchld = true;
			continue;
		}
		if (si.ssi_signo == SIGWINCH) {
			if (s->master >= 0)
				mr_tty_copy_winsize(STDIN_FILENO, s->master);
			continue;
		}
		if (si.ssi_signo == SIGTSTP || si.ssi_signo == SIGTTIN || si.ssi_signo == SIGTTOU) {
			job_stop(s, (int)si.ssi_signo);
			continue;
		}
		int sig = (int)si.ssi_signo;
		if (sig == SIGTERM) {
			/* docker stop: the stop signal, then SIGKILL after the timeout. */
			sig = s->spec->stop_signal;
			if (st->kill_at == 0 && s->spec->stop_timeout >= 0)
				st->kill_at = now_ms() + (int64_t)s->spec->stop_timeout * 1000;
		}
		if (sig == SIGINT || sig == SIGTERM)
			watch_stop(st, sig);
		syscall(SYS_pidfd_send_signal, s->pidfd, sig, NULL, 0);
	}
	return sigchld;
}

/*
 * The command may call ptrace(PTRACE_TRACEME): Docker's default profile
 * allows it, and it makes its parent, minirun, the tracer.  From then on
 * every signal it receives stops it in a ptrace stop (State: t) that only
 * the tracer can end; the kernel reports that stop to waitid even without
 * WSTOPPED (a ptrace stop is always reported to the tracer), but the pidfd
 * does not become readable, so without this the command waits for minirun
 * and minirun for the command, forever.  minirun debugs nothing: it
 * detaches, delivering the signal that caused the stop, as if nobody had
 * been tracing.  A later PTRACE_TRACEME just brings us here again.
 */
static void
release_tracee(pid_t pid, const siginfo_t *si)
{
	ptrace(PTRACE_DETACH, pid, NULL, (void *)(intptr_t)(si->si_status & 0x7f));
}

/*
 * What happened to the child, without blocking: 1 with *exit_status when it
 * exited (it is reaped), 0 when it is still running, -1 on error.
 */
static int
child_changed(const struct relay *s, int *exit_status, struct mr_error *err)
{
	for (;;) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		/* A look first: the zombie's /proc entry tells a death before the execve. */
		int flags = WEXITED | WNOHANG | WNOWAIT;
		if (waitid((idtype_t)P_PIDFD, (id_t)s->pidfd, &si, flags) < 0) {
			if (errno == EINTR)
				continue;
			return mr_error_set(err, errno, "waitid");
		}
		if (si.si_pid == 0)
			return 0;
		if (is_exit(&si) && died_before_exec(s->pid, &si, err) < 0)
			return -1;
		memset(&si, 0, sizeof(si));
		if (waitid((idtype_t)P_PIDFD, (id_t)s->pidfd, &si, WEXITED | WNOHANG) < 0) {
			if (errno == EINTR)
				continue;
			return mr_error_set(err, errno, "waitid");
		}
		if (si.si_pid == 0)
			return 0;
		if (si.si_code == CLD_TRAPPED) {
			release_tracee(s->pid, &si);
			continue;
		}
		if (!is_exit(&si))
			continue;
		*exit_status = status_from_siginfo(&si);
		return 1;
	}
}

/* What is left in the terminal and the output pipes, once the container is gone. */
static void
drain_all(struct relay *s, bool master_open, bool out_open, bool err_open)
{
	if (master_open && s->master >= 0)
		drain(s, s->master, s->out1);
	if (out_open && s->out >= 0)
		drain(s, s->out, s->out1);
	if (err_open && s->err >= 0)
		drain(s, s->err, s->out2);
	/* minirun's own lines, the container's output being all out. */
	flush_wait(s, s->out2);
}

static void
relay_close(struct relay *s)
{
	int *fds[] = {&s->master, &s->out, &s->err, &s->in};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(mr_steal_fd(fds[i]));
}

/*
 * Reads what *fd has into o, which is empty, and writes what can be written
 * now (the rest waits for POLLOUT, and *fd is not read meanwhile); false
 * once nothing more will come.  A write to o that failed (the caller's
 * terminal hung up, the reader of minirun's stdout exited) closes *fd: see
 * struct relay.  The end of *fd itself leaves it open: a -t container that
 * closed its terminal's fds is not hung up for it (under --init the
 * workload leads the session and would die of the SIGHUP).
 */
static bool
pump(int *fd, struct mr_out *o)
{
	/* A line of minirun's own (say) came in since the poll: it goes first. */
	if (mr_out_pending(o))
		return true;
	long n = mr_out_fill(o, *fd);
	if (n > 0 && mr_out_flush(o) == 0)
		return true;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n != 0)
		close(mr_steal_fd(fd));
	return false;
}

/* The reader of o took more (POLLOUT); false, *fd closed, when it is gone. */
static bool
flush_out(int *fd, struct mr_out *o)
{
	if (mr_out_flush(o) == 0)
		return true;
	if (*fd >= 0)
		close(mr_steal_fd(fd));
	return false;
}

/* What the caller typed, on its way to the pty (-it) or the stdin pipe (-i). */
#define INPUT_SIZE 16384
struct input {
	char *buf; /* INPUT_SIZE bytes, only when stdin is read */
	size_t len, off;
	bool open;     /* stdin is still read */
	bool send_eof; /* piped into -it and ended: type the EOF character */
};

static void
input_read(struct relay *s, struct input *in, struct stop_state *st)
{
	ssize_t r = read(STDIN_FILENO, in->buf, INPUT_SIZE);
	if (r > 0) {
		in->len = (size_t)r;
		in->off = 0;
		/* Ctrl-C typed at -it: the pty turns it into SIGINT
		   for the foreground group, PID 1 itself perhaps. */
		struct termios t;
		if (s->master >= 0 && tcgetattr(s->master, &t) == 0 && (t.c_lflag & ISIG) &&
		    memchr(in->buf, t.c_cc[VINTR], in->len) != NULL)
			watch_stop(st, SIGINT);
		return;
	}
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/*
	 * -it in the background (SIGSTOP, then bg) reads EIO, SIGTTIN being
	 * blocked: stop as the kernel would have stopped it, terminal restored.
	 * Still in the background after that (an orphaned process group), the
	 * terminal is no longer minirun's to read.
	 */
	if (r < 0 && errno == EIO && s->tty != NULL && tcgetpgrp(STDIN_FILENO) != getpgrp()) {
		job_stop(s, SIGTTIN);
		if (tcgetpgrp(STDIN_FILENO) == getpgrp())
			return;
	}
	in->open = false;
	/* Piped input ended: let the container's line discipline see EOF. */
	if (s->master >= 0)
		in->send_eof = !isatty(STDIN_FILENO);
	/* Ctrl-D at the caller's terminal (-i): the container reads the end. */
	if (s->in >= 0)
		close(mr_steal_fd(&s->in));
}

static void
input_write(struct relay *s, struct input *in)
{
	int to = s->master >= 0 ? s->master : s->in;
	if (to < 0) {
		in->open = false;
		in->off = in->len;
		return;
	}
	if (in->off < in->len) {
		ssize_t w = write(to, in->buf + in->off, in->len - in->off);
		if (w > 0) {
			in->off += (size_t)w;
		} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			/* The container closed its terminal or its stdin. */
			in->off = in->len;
			if (to == s->in) {
				close(mr_steal_fd(&s->in));
				in->open = false;
			}
		}
	}
	if (s->master >= 0 && in->send_eof && in->off == in->len) {
		if (write(s->master, "\x04", 1) == 1 || (errno != EAGAIN && errno != EINTR))
			in->send_eof = false;
	}
}

/* poll's timeout: until the next stop-state deadline, -1 when there is none. */
static int
stop_timeout_ms(const struct stop_state *st)
{
	int64_t next = st->check_at;
	if (st->kill_at != 0 && (next == 0 || st->kill_at < next))
		next = st->kill_at;
	if (next == 0)
		return -1;
	/* Only with a deadline: no clock read on a start that sets none (phases.c). */
	int64_t now = now_ms();
	if (next <= now)
		return 0;
	return next - now > 60000 ? 60000 : (int)(next - now);
}

/* --stop-timeout's SIGKILL, and the note that PID 1 ignored the stop signal. */
static void
stop_timers(const struct relay *s, struct stop_state *st)
{
	if (st->kill_at == 0 && st->check_at == 0)
		return;
	int64_t now = now_ms();
	if (st->kill_at != 0 && now >= st->kill_at) {
		st->kill_at = 0;
		syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
	}
	if (st->check_at != 0 && now >= st->check_at)
		note_ignored(s, st);
}

/* Until the container exits; on success it has been reaped. */
static int
relay_loop(struct relay *s, int *exit_status, struct mr_error *err)
{
	bool master_open = s->master >= 0, out_open = s->out >= 0, err_open = s->err >= 0;
	/*
	 * Input waiting for the pty or the pipe: both are non-blocking, so a
	 * container that does not read (or writes back faster than we drain)
	 * can never block minirun in write() while signals and output wait.
	 */
	/*
	 * The buffer is not on the stack: 16 KiB there put this frame four
	 * pages below the deepest one of the start, each a fault (about 12 us
	 * on a PVM guest) on every start, though most never read stdin.
	 */
	struct input in = {.open = s->read_stdin};
	cleanup_free char *input_buf = in.open ? malloc(INPUT_SIZE) : NULL;
	if (in.open && input_buf == NULL)
		return mr_error_oom(err, "stdin buffer");
	in.buf = input_buf;
	struct stop_state st = {0};

	if (s->master >= 0)
		fcntl(s->master, F_SETFL, fcntl(s->master, F_GETFL) | O_NONBLOCK);

	for (;;) {
		struct pollfd pfd[12];
		int n = 0, i_sig, i_pid, i_master = -1, i_stdin = -1, i_lis = -1, i_kmsg = -1,
		    i_procev = -1, i_out = -1, i_err = -1, i_w1 = -1, i_w2 = -1;
		bool pending = in.off < in.len;
		/* Output held for a slow reader: its source is not read meanwhile. */
		bool held1 = mr_out_pending(s->out1), held2 = mr_out_pending(s->out2);
		short master_ev =
		    (short)((held1 ? 0 : POLLIN) | (pending || in.send_eof ? POLLOUT : 0));

		pfd[i_sig = n++] = (struct pollfd){.fd = s->sigfd, .events = POLLIN};
		pfd[i_pid = n++] = (struct pollfd){.fd = s->pidfd, .events = POLLIN};
		if (master_open && master_ev != 0)
			pfd[i_master = n++] = (struct pollfd){.fd = s->master, .events = master_ev};
		if (s->in >= 0 && pending)
			pfd[n++] = (struct pollfd){.fd = s->in, .events = POLLOUT};
		if (out_open && !held1)
			pfd[i_out = n++] = (struct pollfd){.fd = s->out, .events = POLLIN};
		if (err_open && !held2)
			pfd[i_err = n++] = (struct pollfd){.fd = s->err, .events = POLLIN};
		if (held1)
			pfd[i_w1 = n++] =
			    (struct pollfd){.fd = mr_out_pollfd(s->out1), .events = POLLOUT};
		if (held2)
			pfd[i_w2 = n++] =
			    (struct pollfd){.fd = mr_out_pollfd(s->out2), .events = POLLOUT};
		if (in.open && !pending)
			pfd[i_stdin = n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		if (s->observer && mr_observer_listener_fd(s->observer) >= 0)
			pfd[i_lis = n++] = (struct pollfd){
			    .fd = mr_observer_listener_fd(s->observer), .events = POLLIN};
		if (s->observer && mr_observer_procev_fd(s->observer) >= 0)
			pfd[i_procev = n++] = (struct pollfd){
			    .fd = mr_observer_procev_fd(s->observer), .events = POLLIN};
		if (s->observer && mr_observer_kmsg_fd(s->observer) >= 0)
			pfd[i_kmsg = n++] = (struct pollfd){.fd = mr_observer_kmsg_fd(s->observer),
							    .events = POLLIN};

		if (poll(pfd, (nfds_t)n, stop_timeout_ms(&st)) < 0) {
			if (errno == EINTR)
				continue;
			return mr_error_set(err, errno, "poll");
		}
		stop_timers(s, &st);

		bool changed = false;
		const short ready = POLLIN | POLLHUP | POLLERR;
		if (pfd[i_sig].revents & POLLIN)
			changed = forward_signals(s, &st);
		const short writable = POLLOUT | POLLHUP | POLLERR;
		if (i_w1 >= 0 && (pfd[i_w1].revents & writable)) {
			if (master_open)
				master_open = flush_out(&s->master, s->out1);
			else if (out_open)
				out_open = flush_out(&s->out, s->out1);
			else
				(void)mr_out_flush(s->out1);
		}
		if (i_w2 >= 0 && (pfd[i_w2].revents & writable)) {
			if (err_open)
				err_open = flush_out(&s->err, s->out2);
			else
				(void)mr_out_flush(s->out2);
		}
		if (i_master >= 0 && !held1 && (pfd[i_master].revents & ready))
			master_open = pump(&s->master, s->out1);
		if (i_out >= 0 && (pfd[i_out].revents & ready))
			out_open = pump(&s->out, s->out1);
		if (i_err >= 0 && (pfd[i_err].revents & ready))
			err_open = pump(&s->err, s->out2);
		if (i_stdin >= 0 && (pfd[i_stdin].revents & ready))
			input_read(s, &in, &st);
		if (in.off < in.len || in.send_eof)
			input_write(s, &in);
		if (i_lis >= 0 && (pfd[i_lis].revents & POLLIN) &&
		    mr_observer_handle(s->observer, false, err) < 0)
			return -1;
		if (i_procev >= 0 && (pfd[i_procev].revents & POLLIN))
			mr_observer_handle_procev(s->observer);
		if (i_kmsg >= 0 && (pfd[i_kmsg].revents & POLLIN))
			mr_observer_handle_kmsg(s->observer);
		if (changed || (pfd[i_pid].revents & POLLIN)) {
			int r = child_changed(s, exit_status, err);
			if (r < 0)
				return -1;
			if (r == 0)
				continue;
			/* Every writer has exited with the namespace's init. */
			drain_all(s, master_open, out_open, err_open);
			return 0;
		}
	}
}

/*
 * The command is running: relay the terminal and signals until it exits.
 * On success the child has been reaped.  *master and the pipes' ends of
 * minirun's are taken over (struct relay).
 */
static int
relay_until_exit(const struct mr_prepared *p, const struct child *child, const sigset_t *relay,
		 int *master, struct stdio_pipes *pipes, struct mr_observer *observer,
		 int *exit_status, struct mr_error *err)
{
	struct mr_tty_state tty_state = {0};
	__attribute__((cleanup(mr_out_close))) struct mr_out out1, out2;
	sigset_t mask = *relay, jobctl;
	/* -it: the job-control signals are minirun's to handle (job_stop). */
	bool it = *master >= 0 && p->spec->interactive && isatty(STDIN_FILENO);

	mr_out_init(&out1, STDOUT_FILENO);
	mr_out_init(&out2, STDERR_FILENO);
	sigemptyset(&jobctl);
	if (it) {
		sigaddset(&jobctl, SIGTSTP);
		sigaddset(&jobctl, SIGTTIN);
		sigaddset(&jobctl, SIGTTOU);
		sigorset(&mask, &mask, &jobctl);
		sigprocmask(SIG_BLOCK, &jobctl, NULL);
	}
	cleanup_close int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		sigprocmask(SIG_UNBLOCK, &jobctl, NULL);
		return mr_error_set(err, errno, "signalfd");
	}

	__attribute__((cleanup(relay_close))) struct relay s = {
	    .pid = child->pid,
	    .pidfd = child->pidfd,
	    .sigfd = sigfd,
	    .master = mr_steal_fd(master),
	    .out = mr_steal_fd(&pipes->out_r),
	    .err = mr_steal_fd(&pipes->err_r),
	    .in = mr_steal_fd(&pipes->in_w),
	    .observer = observer,
	    .spec = p->spec,
	    .out1 = &out1,
	    .out2 = &out2,
	};
	s.read_stdin = (s.master >= 0 && p->spec->interactive) || s.in >= 0;
	/* A reader that went away must not kill minirun mid-relay. */
	if (s.master >= 0 || s.out >= 0 || s.err >= 0 || s.in >= 0)
		signal(SIGPIPE, SIG_IGN);
	int ret = 0;
	if (it) {
		s.tty = &tty_state;
		/* Started in the background (&): stopped on it until fg, as before. */
		ret = tty_raw(&s, err);
	}
	if (ret == 0)
		ret = relay_loop(&s, exit_status, err);
	/* Before the observer's summary: it may go to this terminal. */
	mr_tty_restore(&tty_state);
	if (it) {
		/* One that came after the container's end was for nobody (as in run()). */
		while (sigtimedwait(&jobctl, NULL, &(struct timespec){0}) > 0)
			;
		sigprocmask(SIG_UNBLOCK, &jobctl, NULL);
	}
	return ret;
}

/*
 * OCI create: the container process waits at the exec fifo.  It is left
 * alive -- the cleanup of *child is disarmed -- and handed to the caller.
 */
static int
hand_over(const struct mr_prepared *p, struct child *child, int *master, bool ready,
	  struct mr_error *err)
{
	struct mr_launch_ctl *ctl = (struct mr_launch_ctl *)p->ctl;

	if (!ready)
		return mr_error_set(err, 0, "the container process exited before it was ready");
	ctl->pid = child->pid;
	ctl->pidfd = mr_steal_fd(&child->pidfd);
	ctl->master = mr_steal_fd(master);
	*child = CHILD_NONE;
	return 0;
}

/*
 * SCMP_ACT_NOTIFY: queue for the container process the agent's connection
 * and the container process state it will send with the listener.  The
 * state is the OCI one ("creating", as runc sends it) under OCI create/run,
 * else one made of the name.
 */
static int
send_agent_message(const struct mr_prepared *p, const struct child *child, int sock, int agent_sock,
		   struct mr_error *err)
{
	struct mr_state st = {.id = p->spec->name ? p->spec->name : p->hostname,
			      .bundle = "",
			      .rootfs = p->rootfs_path};
	if (p->ctl != NULL && p->ctl->state != NULL)
		st = *p->ctl->state;
	st.pid = child->pid;
	st.status = MR_STATUS_CREATING;
	json_t *state = mr_state_json(&st);
	cleanup_free char *text =
	    state ? mr_seccomp_agent_message(&p->seccomp, child->pid, state) : NULL;
	json_decref(state);
	if (text == NULL)
		return mr_error_oom(err, "seccomp agent");
	size_t len = strlen(text);
	if (len >= AGENT_MSG_MAX)
		return mr_error_set(err, E2BIG, "seccomp agent: the container state is %zu bytes",
				    len);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = {0};
	struct iovec iov = {.iov_base = text, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &agent_sock, sizeof(int));
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 && !peer_gone(errno))
		return mr_error_set(err, errno, "seccomp agent: hand the agent's socket over");
	return 0;
}

/* The container process holds it now; the agent sees EOF once that copy is closed. */
static int
hand_over_agent(const struct mr_prepared *p, const struct child *child, int sock, int *agent_sock,
		struct mr_error *err)
{
	if (*agent_sock < 0)
		return 0;
	if (send_agent_message(p, child, sock, *agent_sock, err) < 0)
		return -1;
	close(mr_steal_fd(agent_sock));
	return 0;
}

/*
 * OCI create: the container process has made its mounts and waits before
 * pivot_root.  prestart, then createRuntime, here in minirun's namespaces,
 * given the pid as minirun sees it; then let it go on.  A failure returns,
 * and the cleanup of the child kills it.
 */
static int
runtime_hooks(const struct mr_prepared *p, const struct child *child, int sock,
	      struct mr_error *err)
{
	const struct mr_launch_ctl *ctl = p->ctl;

	if (ctl == NULL || ctl->hooks == NULL || ctl->state == NULL)
		return mr_error_set(err, 0, "sync with the container process: unexpected message");
	/*
	 * prestart is runtime-spec 1.0's hook, defined to run after start, when
	 * the status is "created" (what crun gives it, and the runtime-tools
	 * suite checks); 1.1 moved it here, next to createRuntime.
	 */
	cleanup_free char *pre = mr_hooks_state_json(ctl->state, child->pid, MR_STATUS_CREATED);
	cleanup_free char *state = mr_hooks_state_json(ctl->state, child->pid, MR_STATUS_CREATING);
	if (pre == NULL || state == NULL)
		return mr_error_oom(err, "hooks: state");
	if (mr_hooks_run(ctl->hooks, MR_HOOK_PRESTART, pre, NULL, err) < 0 ||
	    mr_hooks_run(ctl->hooks, MR_HOOK_CREATE_RUNTIME, state, NULL, err) < 0)
		return -1;
	if (write(sock, "h", 1) != 1) {
		int saved = errno;
		/* Its end is closed: it died (a hook killed it?), or soon will. */
		if (died_before_hooks_ran(child, err) < 0)
			return -1;
		return mr_error_set(err, saved, "hooks: let the container process go on");
	}
	return 0;
}

/* The thread joined: its namespace, or what failed (a net.* sysctl: which). */
static int
net_finish(struct mr_ns_net *net, struct mr_error *err)
{
	if (mr_ns_net_finish(net, err) == 0)
		return 0;
	if (net->in_ns_failed)
		mr_sysctl_net_error(net->in_ns_data, net->errnum, err);
	return -1;
}

/* Join the network namespace's thread and send what it made, first on the sync socket. */
static int
hand_over_netns(struct mr_ns_net *net, int sock, struct mr_error *err)
{
	if (net_finish(net, err) < 0)
		return -1;
	mr_phase("network");
	const struct mr_sysctl_net *sysctls = net->in_ns_data;
	struct sync_msg m = {.type = SYNC_NETNS, .net_sysctls_written = sysctls->written};
	/* The container process failed before it got here: peer_gone(). */
	if (sync_send(sock, &m, net->nsfd) < 0 && !peer_gone(errno))
		return mr_error_set(err, errno,
				    "network: sending the namespace to the container process");
	close(mr_steal_fd(&net->nsfd));
	return 0;
}

/*
 * The container's /dev and the tmpfs of its /etc files, built here while
 * the container process mounts /proc and /sys on the other CPU (mounts.h),
 * sent after the network namespace.  peer_gone() as there.
 */
static int
hand_over_mounts(const struct mr_prepared *p, int sock, struct mr_error *err)
{
	if (!mr_mounts_prebuilt(p))
		return 0;
	cleanup_close int dev = mr_mounts_dev_build(true, err);
	if (dev < 0)
		return -1;
	cleanup_close int etc = mr_etc_files_build(p, err);
	if (etc < 0)
		return -1;
	mr_phase("mounts-built");
	struct sync_msg m = {.type = SYNC_MOUNTS};
	int fds[2] = {dev, etc};
	if (sync_send_fds(sock, &m, fds, 2) < 0 && !peer_gone(errno))
		return mr_error_set(err, errno,
				    "/dev and /etc files: sending them to the container process");
	return 0;
}

/*
 * The parent's steps of the header comment, with relayed signals blocked.
 * *execed tells whether the command got as far as running.
 */
static int
launch(const struct mr_prepared *p, struct mr_ns_net *net, const sigset_t *relay,
       struct mr_observer *observer, struct shared_page *shared, int *agent_sock, bool *execed,
       int *exit_status, struct mr_error *err)
{
	cleanup_close int sock = -1;
	cleanup_close int master = -1;
	cleanup_stdio_pipes struct stdio_pipes pipes = STDIO_PIPES_NONE;
	cleanup_child struct child child = CHILD_NONE;

	if (open_stdio_pipes(p, &pipes, err) < 0)
		return -1;
	if (spawn(p, &pipes, shared, &child, &sock, err) < 0)
		return -1;
	stdio_pipes_close_child_ends(&pipes);
	/* The container process waits for them after /proc and after /sys (enter_root). */
	if ((net != NULL && hand_over_netns(net, sock, err) < 0) ||
	    hand_over_mounts(p, sock, err) < 0)
		return -1;
	if (observer != NULL)
		mr_observer_set_init(observer, child.pid);
	if (p->userns && write_id_maps(p, &child, sock, err) < 0)
		return -1;
	/*
	 * The agent's message waits for the container process after its
	 * hooks' byte, if it asks for one: that byte is read with read(),
	 * which would take the message instead, cut to one byte.
	 */
	bool hooks_first = asks_for_runtime_hooks(p);
	if (!hooks_first && hand_over_agent(p, &child, sock, agent_sock, err) < 0)
		return -1;
	int stop;
	for (;;) {
		stop = 0;
		if (wait_for_exec(&child, p->spec->init, sock, observer, shared, &master, &stop,
				  err) < 0)
			return -1;
		if (stop != SYNC_HOOKS)
			break;
		if (runtime_hooks(p, &child, sock, err) < 0 ||
		    (hooks_first && hand_over_agent(p, &child, sock, agent_sock, err) < 0))
			return -1;
	}
	/* EOF on the sync socket: the container process has exec'ed. */
	mr_phase("exec-seen");
	if (detached(p))
		return hand_over(p, &child, &master, stop == SYNC_READY, err);
	*execed = true;
	if (p->ctl != NULL && p->ctl->started != NULL)
		p->ctl->started(p->ctl->data, child.pid);
	if (relay_until_exit(p, &child, relay, &master, &pipes, observer, exit_status, err) < 0)
		return -1;
	mr_phase("reaped");
	child_reaped(&child);
	if (observer != NULL)
		return mr_observer_finish(observer, err);
	return 0;
}

static void
net_clearp(struct mr_ns_net **n)
{
	mr_ns_net_clear(*n);
}

static void
observer_freep(struct mr_observer **o)
{
	mr_observer_free(*o);
}

static void
shared_page_unmapp(struct shared_page **page)
{
	if (*page != NULL)
		munmap(*page, sizeof(**page));
}

/*
 * --seccomp-report/--seccomp-learn: the observer, and the page over which
 * the container process hands it the listener.
 */
static int
start_observer(const struct mr_prepared *p, struct mr_observer **observer,
	       struct shared_page **shared, struct mr_error *err)
{
	const struct mr_observer_config cfg = {
	    .seccomp = &p->seccomp,
	    .report_file = p->spec->seccomp_complain ? p->spec->seccomp_complain_file
						     : p->spec->seccomp_report_file,
	    .learn_file = p->spec->seccomp_learn,
	    .learn_args = p->spec->seccomp_learn_args,
	    .learn_arches = p->spec->learn_arches,
	    .n_learn_arches = p->spec->n_learn_arches,
	    .learn_extra = p->spec->seccomp_learn_extra,
	    .n_learn_extra = p->spec->n_seccomp_learn_extra,
	    .name = p->spec->name,
	};

	if (mr_observer_open(&cfg, observer, err) < 0)
		return -1;
	struct shared_page *page =
	    mmap(NULL, sizeof(*page), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return mr_error_set(err, errno, "mmap");
	atomic_store(&page->listener, -1);
	*shared = page;
	return 0;
}

int
mr_run(struct mr_prepared *p, int *exit_status, struct mr_error *err)
{
	return mr_launch(p, NULL, exit_status, err);
}

int
mr_launch(struct mr_prepared *p, struct mr_launch_ctl *ctl, int *exit_status, struct mr_error *err)
{
	__attribute__((cleanup(observer_freep))) struct mr_observer *observer = NULL;
	__attribute__((cleanup(shared_page_unmapp))) struct shared_page *shared = NULL;
	cleanup_cgroup struct mr_cgroup cg = MR_CGROUP_INIT;
	cleanup_close int agent_sock = -1;
	/* Joined whichever way this returns: the caller may fork next (poststop hooks). */
	__attribute__((cleanup(net_clearp))) struct mr_ns_net *net = &p->net;
	sigset_t relay, orig;
	bool execed = false;

	/*
	 * A startContainer hook runs under the command's filter (hook_identity),
	 * in a process of its own with no connection to the agent: its
	 * listener would have nobody to go to and every start would fail.
	 * Refused at create, before anything exists.
	 */
	if (p->seccomp.notify && ctl != NULL && mr_hooks_any(ctl->hooks, MR_HOOK_START_CONTAINER))
		return mr_error_set(err, 0,
				    "hooks.startContainer: not with a seccomp profile that uses "
				    "SCMP_ACT_NOTIFY (the hook would run under the filter, and "
				    "its listener has no agent to go to)");
	if (p->seccomp.observe != MR_OBSERVE_NONE &&
	    start_observer(p, &observer, &shared, err) < 0) {
		mr_observer_abort(observer);
		return -1;
	}
	/* Before anything exists: no agent, no container (runtime-spec: an error). */
	if (p->seccomp.notify && mr_seccomp_agent_connect(&p->seccomp, &agent_sock, err) < 0)
		return -1;

	/*
	 * Every check has passed: the network namespace is made by a thread on
	 * another CPU (namespaces.h) -- started by mr_prepare (MR_PREPARE_LAUNCH),
	 * else here -- while the cgroup is made here, the container process is
	 * cloned, and it mounts its root and /proc.  A refused start makes no
	 * process (the thread is joined, its namespace dropped).  launch() joins
	 * the thread right after clone3 and sends the namespace; the cleanup
	 * joins it on every other return, before anything else is forked
	 * (poststop hooks).  The container process inherits no lock of the
	 * thread's (it takes none of glibc's; under ASan it is joined first,
	 * below) but glibc's list of threads: no set*id wrapper may run in it
	 * (user.h).
	 */
	bool own_net = mr_ns_net_made_apart(p->spec, p->userns);
	if (own_net && !p->net_early) {
		mr_sysctl_net_prepare(p, &p->net_sysctls);
		mr_ns_net_start(net, mr_sysctl_net_write, &p->net_sysctls);
	}
	if (mr_cgroup_create(p, ctl != NULL && ctl->state != NULL, &cg, err) < 0) {
		mr_observer_abort(observer);
		return -1;
	}
	mr_phase("cgroup-create");
#ifdef MR_ASAN
	/*
	 * Under AddressSanitizer the thread is not lock-free: ASan's thread
	 * start and exit allocate and take its allocator's and registry's
	 * locks, which a process cloned meanwhile would inherit held.  Joined
	 * first; the container process gets the namespace the same way.
	 */
	if (own_net && net_finish(net, err) < 0) {
		mr_observer_abort(observer);
		return -1;
	}
#endif
	p->cgroup = &cg;
	p->ctl = ctl;
	if (p->spec->verbose) {
		mr_cgroup_print(&cg, "minirun: ", stderr);
		fflush(stderr);
	}

	/* Blocked before clone, so no signal is lost between clone and the signalfd. */
	relay_sigset(&relay);
	sigprocmask(SIG_BLOCK, &relay, &orig);
	int ret = launch(p, own_net ? net : NULL, &relay, observer, shared, &agent_sock, &execed,
			 exit_status, err);
	/*
	 * One that came after the container's end was for nobody: unblocked, it
	 * would end minirun with its default action before the status and the
	 * cgroup's removal.
	 */
	while (sigtimedwait(&relay, NULL, &(struct timespec){0}) > 0)
		;
	if (ret == 0 && ctl != NULL && ctl->detach) {
		/* The container lives on in it: the caller removes it (OCI delete). */
		ctl->cgroup = cg;
		memset(&cg, 0, sizeof(cg));
	} else {
		if (ret == 0)
			ret = mr_cgroup_check_oom(&cg, p, *exit_status, err);
		/*
		 * Removed with the signals still blocked: the removal retries for
		 * up to 2 s while killed tasks exit, and a SIGTERM then would end
		 * minirun with the cgroup (and the processes left in it) behind.
		 */
		mr_cgroup_destroy(&cg);
		while (sigtimedwait(&relay, NULL, &(struct timespec){0}) > 0)
			;
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	p->cgroup = NULL;
	p->ctl = NULL;
	/* A run that never reached exec leaves no report file behind. */
	if (!execed)
		mr_observer_abort(observer);
	return ret;
}

/* --- shared with exec.c (launch-steps.h) ----------------------------------- */

void
mr_launch_relay_sigset(sigset_t *set)
{
	relay_sigset(set);
}

int
mr_launch_close_fds(unsigned first, int keep, struct mr_error *err)
{
	return close_fds_except(first, keep, -1, err);
}

int
mr_launch_set_up_process(const struct mr_prepared *p, int sync_fd, struct mr_error *err)
{
	return set_up_process(p, sync_fd, err);
}

int
mr_launch_take_identity(const struct mr_prepared *p, struct mr_error *err)
{
	/* No observer for an exec'ed process: the shared page is never touched. */
	return take_identity(p, NULL, NULL, err);
}

int
mr_launch_exec_command(const struct mr_prepared *p, struct mr_error *err)
{
	return exec_command(p, err);
}

_Noreturn void
mr_launch_child_failed(int sync_fd, const struct mr_error *err)
{
	child_failed(sync_fd, -1, err);
}

int
mr_launch_wait_for_exec(pid_t pid, int pidfd, int sock, int *master, struct mr_error *err)
{
	const struct child c = {.pid = pid, .pidfd = pidfd};
	int stop = 0;
	return wait_for_exec(&c, false, sock, NULL, NULL, master, &stop, err);
}

int
mr_launch_relay(const struct mr_prepared *p, pid_t pid, int pidfd, const sigset_t *relay,
		int *master, int *exit_status, struct mr_error *err)
{
	const struct child c = {.pid = pid, .pidfd = pidfd};
	struct stdio_pipes none = STDIO_PIPES_NONE;
	return relay_until_exit(p, &c, relay, master, &none, NULL, exit_status, err);
}
