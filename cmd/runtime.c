/* SPDX-License-Identifier: MIT */
/*
 * The OCI runtime command line, as containerd's go-runc and podman's conmon
 * call runc:
 *
 *   minirun [--root DIR] [--log FILE] [--log-format text|json] [--debug]
 *           create|start|state|kill|delete|run|spec ...
 *           exec|ps|pause|resume|features ...      (runtime-exec.c)
 *
 * config.json is read into the same struct mr_spec as the docker-like
 * command line (lib/container/oci-config.c) and launched by the same
 * mr_prepare + mr_launch.  What differs is who supervises the container:
 *
 *   - create: the container's init is made, set up and left waiting at the
 *     exec fifo (lib/container/state.h); create then exits.  There is no
 *     monitor process: as with runc, the init is reparented to the caller
 *     if it is a subreaper (containerd-shim, conmon), else to PID 1, which
 *     reaps it.  Its parent-death signal is therefore not set (launch.h).
 *   - start: opens the fifo for reading; the init goes on to execve, and
 *     start returns once it has (or fails with the init's error).
 *   - hooks (lib/container/hooks.h): those of create and startContainer run
 *     within mr_launch; poststart and poststop here, from the state dir.
 *   - run: create + start; without --detach minirun stays the parent,
 *     relays the terminal and signals, and exits with the container's
 *     status, exactly as the docker-like front end does.
 *
 * Errors are one line "minirun: ..." on stderr, and with --log also a line
 * in that file (text or JSON, as runc writes them: the shims read it).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <seccomp.h>

#include "config.h"
#include "minirun/minirun.h"
#include "commands.h"
#include "runtime.h"

struct globals {
	const char *root;
	const char *log;
	bool log_json;
	char **argv; /* minirun's whole command line, for mr_rt_seal_self */
};

static struct globals g = {.root = MR_STATE_ROOT_DEFAULT};

static const char *const subcommands[] = {"create", "start",	"state", "kill", "delete",
					  "run",    "spec",	"exec",	 "ps",	 "pause",
					  "resume", "features", "list"};

/* --- messages ------------------------------------------------------------------ */

static void
log_line(const char *level, const char *msg)
{
	char when[64];
	struct timespec ts;
	struct tm tm;

	if (g.log == NULL)
		return;
	/*
	 * Only a regular file, never through a symbolic link: in a shared directory
	 * such as /tmp another user's FIFO there made fopen wait for a reader
	 * forever, and its symlink (fs.protected_symlinks=0) sent the line into a
	 * file of the caller's.  O_NONBLOCK is a no-op on a regular file.  Nor
	 * another user's file there (mode 0666, made before the caller's first
	 * line): that user would read every line, and could rewrite them.  Nor
	 * a hard link there, to a file of the caller's (/etc/shadow for root).
	 */
	struct stat st, dst;
	const char *base;
	cleanup_close int dirfd = mr_open_parent(g.log, &base);
	if (dirfd < 0 || fstat(dirfd, &dst) < 0)
		return;
	int fd = openat(
	    dirfd, base,
	    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	FILE *f = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			  !mr_foreign_in_sticky_dir(&dst, &st) &&
			  !mr_linked_in_sticky_dir(&dst, &st)
		      ? fdopen(fd, "a")
		      : NULL;
	if (f == NULL) {
		close(fd);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (g.log_json) {
		json_t *j = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", when);
		char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		if (text)
			fprintf(f, "%s\n", text);
		free(text);
		json_decref(j);
	} else {
		fprintf(f, "time=\"%s\" level=%s msg=\"", when, level);
		for (const char *s = msg; *s; s++)
			fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
		fputs("\"\n", f);
	}
	fclose(f);
}

static int
fail(const struct mr_error *err)
{
	fprintf(stderr, "minirun: %s\n", err->msg);
	log_line("error", err->msg);
	return 1;
}

int
mr_rt_failf(const char *fmt, ...)
{
	struct mr_error err = {0};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	return fail(&err);
}

/*
 * With --log a warning goes there alone, as runc's and crun's do: an engine gives create
 * the container's own stdio (conmon's pipes, containerd's fifos), so a warning on stderr
 * would reach `podman logs` and ctr's output as if the workload had written it.  Errors
 * go to both: go-runc and conmon read them from stderr.
 */
static void
warning(const char *msg)
{
	if (g.log == NULL)
		fprintf(stderr, "minirun: warning: %s\n", msg);
	log_line("warning", msg);
}

/* --- small pieces ---------------------------------------------------------------- */

/*
 * The pid file, written whole or not at all (a tmp file renamed).  The tmp file
 * is new (O_CREAT|O_EXCL, a random name): with a fixed name, another
 * user of a shared directory such as /tmp could put a FIFO there first (open for
 * writing waited for a reader, forever, with the container made) or a file of
 * its own that minirun wrote into.  runc's tmp file is O_EXCL too.
 */
static int
write_pid_file(const char *path, pid_t pid, struct mr_error *err)
{
	char tmp[NAME_MAX + 1], buf[32];
	const char *base;
	/*
	 * The directory once, by descriptor, for both the tmp file and the
	 * rename, never through another user's symlink in a sticky directory
	 * (mr_open_parent): nobody's /tmp/x -> /etc had --pid-file
	 * /tmp/x/passwd rename a pid over root's /etc/passwd.
	 */
	cleanup_close int dirfd = mr_open_parent(path, &base);
	if (dirfd < 0)
		return mr_error_set(err, errno, "--pid-file %s", path);
	int fd = -1;
	for (int tries = 0; fd < 0 && tries < 16; tries++) {
		unsigned long r = 0;
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return mr_error_set(err, errno, "--pid-file %s: getrandom", path);
		if (snprintf(tmp, sizeof(tmp), ".%s.%012lx", base, r & 0xffffffffffffUL) >=
		    (int)sizeof(tmp))
			return mr_error_set(err, ENAMETOOLONG, "--pid-file %s", path);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			return mr_error_set(err, errno, "--pid-file %s", path);
	}
	if (fd < 0)
		return mr_error_set(err, EEXIST, "--pid-file %s", path);
	int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
	bool ok = fchmod(fd, 0644) == 0 && write(fd, buf, (size_t)len) == len;
	int e = errno;
	close(fd);
	if (!ok || renameat(dirfd, tmp, dirfd, base) < 0) {
		e = ok ? errno : e;
		unlinkat(dirfd, tmp, 0);
		return mr_error_set(err, e, "--pid-file %s", path);
	}
	return 0;
}

/* runc's protocol: the pty master over the unix socket, with SCM_RIGHTS. */
static int
send_console(const char *sock_path, int master, struct mr_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char name[] = "/dev/ptmx";
	struct iovec iov = {.iov_base = (void *)name, .iov_len = sizeof(name) - 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};

	if (strlen(sock_path) >= sizeof(sa.sun_path))
		return mr_error_set(err, ENAMETOOLONG, "--console-socket %s", sock_path);
	strcpy(sa.sun_path, sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return mr_error_set(err, e, "--console-socket %s", sock_path);
	}
	memset(&u, 0, sizeof(u));
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	int e = errno;
	close(fd);
	return n < 0 ? mr_error_set(err, e, "--console-socket %s: send the terminal", sock_path)
		     : 0;
}

/* The cgroup now belongs to the state: close what create held, remove nothing. */
static void
cgroup_forget(struct mr_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		close(cg->dirs[i].dfd);
		free(cg->dirs[i].path);
	}
	for (size_t i = 0; i < cg->n_parents; i++)
		free(cg->parents[i]);
	memset(cg, 0, sizeof(*cg));
}

/* "TERM", "SIGTERM", "term", "15". */
static int
parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0')
		return n > 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *name = sigabbrev_np(sig);
		if (name && strcasecmp(name, s) == 0)
			return sig;
	}
	return -1;
}

/* For the other commands' files (runtime.h). */
const char *
mr_rt_root(void)
{
	return g.root;
}

int
mr_rt_fail(const struct mr_error *err)
{
	return fail(err);
}

int
mr_rt_seal_self(void)
{
	struct mr_error err = {0};
	return mr_self_seal(g.argv, &err) < 0 ? fail(&err) : 0;
}

void
mr_rt_warning(const char *msg)
{
	warning(msg);
}

int
mr_rt_write_pid_file(const char *path, pid_t pid, struct mr_error *err)
{
	return write_pid_file(path, pid, err);
}

int
mr_rt_send_console(const char *sock_path, int master, struct mr_error *err)
{
	return send_console(sock_path, master, err);
}

/* --- hooks ------------------------------------------------------------------------ */

/*
 * poststart, poststop: a failing hook is a warning and the next one runs
 * (runtime-spec 1.0.2, lifecycle steps 9 and 13), given ST's state with PID
 * and STATUS.
 */
static void
hooks_warn(const struct mr_hooks *h, enum mr_hook_kind kind, const struct mr_state *st, pid_t pid,
	   enum mr_status status)
{
	const struct mr_hooks_how how = {.warn = warning};
	struct mr_error err = {0};

	if (!mr_hooks_any(h, kind))
		return;
	char *state = mr_hooks_state_json(st, pid, status);
	if (state == NULL || mr_hooks_run(h, kind, state, &how, &err) < 0)
		warning(state == NULL ? "hooks: state: Cannot allocate memory" : err.msg);
	free(state);
}

/* After the container is gone (delete, or a failed create, start or run). */
static void
poststop(const struct mr_hooks *h, const struct mr_state *st)
{
	hooks_warn(h, MR_HOOK_POSTSTOP, st, 0, MR_STATUS_STOPPED);
}

/*
 * start, run --detach: let the init go on and wait until its command runs,
 * then poststart (the lock let go first: a hook may ask `minirun state`).
 * If the init fails before (a startContainer hook, the exec), the container
 * is stopped and removed and poststop runs (lifecycle step 7 -> 12, 13).
 */
static int
start_container(struct mr_state *st, const struct mr_hooks *h, struct mr_error *err)
{
	if (mr_state_start(st, err) < 0) {
		mr_state_destroy(st, &(struct mr_error){0});
		poststop(h, st);
		return -1;
	}
	flock(st->dirfd, LOCK_UN);
	hooks_warn(h, MR_HOOK_POSTSTART, st, st->pid, MR_STATUS_RUNNING);
	return 0;
}

/* --- create and run -------------------------------------------------------------- */

struct create_opts {
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	bool detach;
	unsigned preserve_fds;
	const char *id;
};

struct started_ctx {
	struct mr_state *st;
	const char *pid_file;
	const struct mr_hooks *hooks;
	struct mr_error err;
	bool failed;
};

/* run in the foreground: the command runs; the state says so, unlocked. */
static void
on_started(void *data, pid_t pid)
{
	struct started_ctx *s = data;
	s->st->pid = pid;
	s->st->start_time = mr_proc_start_time(pid);
	s->st->status = MR_STATUS_RUNNING;
	if (mr_state_save(s->st, &s->err) < 0 ||
	    (s->pid_file && write_pid_file(s->pid_file, pid, &s->err) < 0))
		s->failed = true;
	/* `state` and `kill` from elsewhere must not wait for the whole run. */
	flock(s->st->dirfd, LOCK_UN);
	hooks_warn(s->hooks, MR_HOOK_POSTSTART, s->st, pid, MR_STATUS_RUNNING);
}

static int
make_fifo(struct mr_state *st, struct mr_error *err)
{
	/* Anyone may write: the init may run as any uid by the time it opens it. */
	if (mkfifoat(st->dirfd, MR_STATE_FIFO, 0600) < 0 ||
	    fchmodat(st->dirfd, MR_STATE_FIFO, 0622, 0) < 0)
		return mr_error_set(err, errno, "%s/%s", st->dir, MR_STATE_FIFO);
	int fd = openat(st->dirfd, MR_STATE_FIFO, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return mr_error_set(err, errno, "%s/%s", st->dir, MR_STATE_FIFO);
	return fd;
}

static int
fill_state(struct mr_state *st, const struct mr_oci_config *cfg, const struct mr_prepared *p,
	   struct mr_error *err)
{
	st->bundle = strdup(cfg->bundle);
	st->rootfs = strdup(p->rootfs_path);
	st->oci_version = strdup(cfg->oci_version);
	if (!st->bundle || !st->rootfs || !st->oci_version)
		return mr_error_oom(err, "state");
	if (cfg->n_annotations > 0) {
		st->annotations = calloc(2 * cfg->n_annotations, sizeof(char *));
		if (st->annotations == NULL)
			return mr_error_oom(err, "state");
		for (size_t i = 0; i < 2 * cfg->n_annotations; i++)
			if ((st->annotations[i] = strdup(cfg->annotations[i])) == NULL)
				return mr_error_oom(err, "state");
		st->n_annotations = cfg->n_annotations;
	}
	return mr_state_save(st, err);
}

static int
keep_cgroup(struct mr_state *st, struct mr_cgroup *cg, struct mr_error *err)
{
	if (cg->n > 0 && (st->cgroup_paths = calloc(cg->n, sizeof(char *))) == NULL)
		return mr_error_oom(err, "state");
	for (size_t i = 0; i < cg->n; i++)
		if ((st->cgroup_paths[st->n_cgroup_paths++] = strdup(cg->dirs[i].path)) == NULL)
			return mr_error_oom(err, "state");
	/* The cgroupsPath directories made for it: delete removes them too. */
	if (cg->n_parents > 0 &&
	    (st->cgroup_parents = calloc(cg->n_parents, sizeof(char *))) == NULL)
		return mr_error_oom(err, "state");
	for (size_t i = 0; i < cg->n_parents; i++)
		if (cg->parents[i] != NULL &&
		    (st->cgroup_parents[st->n_cgroup_parents++] = strdup(cg->parents[i])) == NULL)
			return mr_error_oom(err, "state");
	return 0;
}

/*
 * What create and run own, from config.json to the container: the state
 * directory once made (MADE), the container process once launched
 * (LAUNCHED).  create_job_clear undoes what is still owned, whichever way
 * the command ends; a phase that hands something on clears its flag.
 */
struct create_job {
	const struct create_opts *o;
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_state st;
	struct mr_prepared p;
	struct mr_launch_ctl ctl;
	struct mr_error err;
	bool prepared, made, launched;
};

static void
create_job_clear(struct create_job *j)
{
	if (j->made)
		mr_state_remove(&j->st, &(struct mr_error){0});
	/* A container process was made (and is gone): lifecycle steps 12, 13. */
	if (j->launched)
		poststop(&j->cfg.hooks, &j->st);
	if (j->prepared)
		mr_prepared_clear(&j->p);
	mr_state_clear(&j->st);
	mr_oci_config_clear(&j->cfg);
	mr_spec_clear(&j->spec);
}

#define cleanup_create_job __attribute__((cleanup(create_job_clear)))

/* The error, if any, before create_job_clear removes what was made: exit 1. */
static int
create_failed(const struct create_job *j)
{
	if (j->err.msg[0] != '\0')
		fail(&j->err);
	return 1;
}

/* Everything refused before anything exists: the config and the flags. */
static int
create_checks(struct create_job *j)
{
	const struct create_opts *o = j->o;

	if (mr_state_check_id(o->id, &j->err) < 0 ||
	    mr_oci_config_load(o->bundle ? o->bundle : ".", geteuid() != 0, &j->spec, &j->cfg,
			       &j->err) < 0)
		return -1;
	/*
	 * A foreground run whose container joins another's PID namespace (a
	 * pod): that one's processes outlive this minirun and see its init
	 * before execve (self-seal.h).  Its own PID namespace dies with the
	 * init, so then no copy (3 to 5 ms) is made.  Before the config's
	 * warnings, which the copy prints.
	 */
	if (!o->detach && mr_spec_joins(&j->spec, MR_JOIN_PID) && mr_rt_seal_self() != 0)
		return -1;
	for (size_t i = 0; i < j->cfg.warnings.n; i++)
		warning(j->cfg.warnings.v[i]);
	/* runc's rules: a terminal needs somebody to hand it to. */
	if (j->spec.tty && o->detach && o->console_socket == NULL)
		return mr_error_set(
		    &j->err, 0,
		    "process.terminal is true: --console-socket is needed to receive "
		    "the terminal when minirun does not stay (create, run --detach)");
	if (o->console_socket && (!j->spec.tty || !o->detach))
		return mr_error_set(&j->err, 0,
				    "--console-socket: only with process.terminal true, and with "
				    "create or run --detach");
	/* Passed fds must exist: a closed one would be some other file by the exec. */
	for (unsigned fd = 3; fd < 3 + o->preserve_fds; fd++)
		if (fcntl((int)fd, F_GETFD) < 0)
			return mr_error_set(&j->err, 0, "--preserve-fds %u: fd %u is not open",
					    o->preserve_fds, fd);
	return 0;
}

/* The state directory, with what start and delete need, and the prepared launch. */
static int
create_prepare(struct create_job *j)
{
	j->ctl.preserve_fds = j->o->preserve_fds;
	if (mr_state_new(g.root, j->o->id, &j->st, &j->err) < 0)
		return -1;
	j->made = true;
	/* What start and delete run: never the bundle's config.json again. */
	if (mr_hooks_save(j->st.dirfd, j->st.dir, &j->cfg.hooks, &j->err) < 0)
		return -1;
	j->ctl.hooks = &j->cfg.hooks;
	j->ctl.state = &j->st;
	if (mr_prepare(&j->spec, MR_PREPARE_LAUNCH, &j->p, &j->err) < 0)
		return -1;
	j->prepared = true;
	for (size_t i = 0; i < j->p.seccomp.n_warnings; i++)
		warning(j->p.seccomp.warnings[i]);
	if (j->p.volumes.warning != NULL)
		warning(j->p.volumes.warning);
	if (fill_state(&j->st, &j->cfg, &j->p, &j->err) < 0 ||
	    mr_exec_keep_config(&j->st, j->cfg.text, j->cfg.text_len, &j->err) < 0)
		return -1;
	return 0;
}

/* create, run --detach: the init made and left waiting at the exec fifo. */
static int
launch_detached(struct create_job *j)
{
	int status;

	j->ctl.detach = true;
	if ((j->ctl.exec_fifo = make_fifo(&j->st, &j->err)) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	j->launched = true;
	int r = mr_launch(&j->p, &j->ctl, &status, &j->err);
	close(j->ctl.exec_fifo);
	if (r < 0)
		return -1;
	j->st.pid = j->ctl.pid;
	j->st.start_time = mr_proc_start_time(j->ctl.pid);
	j->st.status = MR_STATUS_CREATED;
	return 0;
}

/* The waiting init handed on: its state saved, MASTER sent, the pid file written. */
static int
publish_detached(struct create_job *j, int master)
{
	int k = keep_cgroup(&j->st, &j->ctl.cgroup, &j->err);
	cgroup_forget(&j->ctl.cgroup);
	if (j->ctl.pidfd >= 0)
		close(j->ctl.pidfd);
	if (k < 0 || mr_state_save(&j->st, &j->err) < 0 ||
	    (master >= 0 && send_console(j->o->console_socket, master, &j->err) < 0) ||
	    (j->o->pid_file && write_pid_file(j->o->pid_file, j->st.pid, &j->err) < 0))
		return -1;
	return 0;
}

/* create, run --detach (START): the container is the state directory's once this returns 0. */
static int
create_detached(struct create_job *j, bool start)
{
	if (launch_detached(j) < 0)
		return -1;
	cleanup_close int master = mr_steal_fd(&j->ctl.master);
	if (publish_detached(j, master) < 0) {
		if (master >= 0)
			close(mr_steal_fd(&master));
		/* Nothing half-made is left: the init is killed, all removed. */
		mr_state_destroy(&j->st, &(struct mr_error){0});
		j->made = false;
		return -1;
	}
	/* start_container removes it, and runs poststop, itself. */
	if (start && start_container(&j->st, &j->cfg.hooks, &j->err) < 0) {
		j->made = j->launched = false;
		return -1;
	}
	j->made = j->launched = false;
	return 0;
}

/* run in the foreground: the docker-like path, plus the state.  The container's status. */
static int
run_foreground(struct create_job *j)
{
	struct started_ctx sc = {.st = &j->st, .pid_file = j->o->pid_file, .hooks = &j->cfg.hooks};
	int status = 1;

	j->ctl.started = on_started;
	j->ctl.data = &sc;
	fflush(stdout);
	fflush(stderr);
	if (mr_launch(&j->p, &j->ctl, &status, &j->err) < 0) {
		status = j->err.exit_status ? j->err.exit_status : MR_EXIT_FAILURE;
		fail(&j->err);
	} else if (sc.failed) {
		fail(&sc.err);
	}
	/* runc run removes the container once it has exited. */
	flock(j->st.dirfd, LOCK_EX);
	mr_state_remove(&j->st, &j->err);
	poststop(&j->cfg.hooks, &j->st);
	j->made = false;
	return status;
}

/*
 * create (DETACH) or run in the foreground.  Returns the exit status: the
 * container's for a foreground run.
 */
static int
create_container(const struct create_opts *o, bool start)
{
	cleanup_create_job struct create_job j = {
	    .o = o, .st = {.dirfd = -1}, .ctl = MR_LAUNCH_CTL_INIT};

	mr_spec_init(&j.spec);
	if (create_checks(&j) < 0 || create_prepare(&j) < 0)
		return create_failed(&j);
	if (o->detach)
		return create_detached(&j, start) < 0 ? create_failed(&j) : 0;
	return run_foreground(&j);
}

/* --- the subcommands --------------------------------------------------------------- */

/* Options, then exactly N_ARGS operands (the last ones may be optional). */
static int
operands(int argc, char **argv, int min, int max, const char *usage)
{
	int n = argc - optind;
	if (n < min || n > max) {
		mr_rt_failf("%s: expected %s", argv[0], usage);
		return -1;
	}
	return 0;
}

static int
cmd_create_run(int argc, char **argv, bool run)
{
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"pid-file", required_argument, NULL, 'p'},
	    {"console-socket", required_argument, NULL, 'c'},
	    {"detach", no_argument, NULL, 'd'},
	    {"no-pivot", no_argument, NULL, 'n'},
	    {"no-new-keyring", no_argument, NULL, 'k'},
	    {"preserve-fds", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	struct create_opts o = {.detach = !run};
	int c;

	while ((c = getopt_long_only(argc, argv, "+b:d", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o.bundle = optarg;
			break;
		case 'p':
			o.pid_file = optarg;
			break;
		case 'c':
			o.console_socket = optarg;
			break;
		case 'd':
			if (!run)
				return mr_rt_failf(
				    "create: --detach is for run (create always detaches)");
			o.detach = true;
			break;
		case 'n':
			/* pivot_root works on every root minirun mounts (it binds it first). */
			warning("--no-pivot: ignored, minirun always uses pivot_root");
			break;
		case 'k':
			break; /* minirun never makes a session keyring: nothing to skip */
		case 'f': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' || n > 1024)
				return mr_rt_failf(
				    "--preserve-fds %s: expected a number of fds (0 to 1024)",
				    optarg);
			o.preserve_fds = (unsigned)n;
			break;
		}
		default:
			return 1;
		}
	}
	if (operands(argc, argv, 1, 1, "[OPTIONS] CONTAINER-ID") < 0)
		return 1;
	o.id = argv[optind];
	/* create and run --detach: the init stays in the container after minirun has gone. */
	if (o.detach && mr_rt_seal_self() != 0)
		return 1;
	return create_container(&o, run);
}

static int
cmd_start(int argc, char **argv)
{
	cleanup_state struct mr_state st = {.dirfd = -1};
	cleanup_hooks struct mr_hooks hooks = {0};
	struct mr_error err = {0};

	if (getopt_long_only(argc, argv, "+", (struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1 ||
	    operands(argc, argv, 1, 1, "CONTAINER-ID") < 0)
		return 1;
	if (mr_state_open(g.root, argv[optind], true, &st, &err) < 0)
		return fail(&err);
	if (st.status != MR_STATUS_CREATED) {
		mr_error_set(&err, 0, "cannot start %s container %s",
			     st.status == MR_STATUS_RUNNING ? "an already running" : "a stopped",
			     st.id);
		return fail(&err);
	}
	if (mr_hooks_load(st.dirfd, st.dir, &hooks, &err) < 0 ||
	    start_container(&st, &hooks, &err) < 0)
		return fail(&err);
	return 0;
}

static int
cmd_state(int argc, char **argv)
{
	struct mr_state st;
	struct mr_error err = {0};

	if (getopt_long_only(argc, argv, "+", (struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1 ||
	    operands(argc, argv, 1, 1, "CONTAINER-ID") < 0)
		return 1;
	if (mr_state_peek(g.root, argv[optind], &st, &err) < 0) {
		mr_state_clear(&st);
		return fail(&err);
	}
	char *text = mr_state_to_json(&st);
	mr_state_clear(&st);
	if (text == NULL)
		return mr_rt_failf("state: Cannot allocate memory");
	fputs(text, stdout);
	free(text);
	return 0;
}

static int
cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
	struct mr_state st;
	struct mr_error err = {0};
	bool all = false;
	int c, sig = SIGTERM;

	while ((c = getopt_long_only(argc, argv, "+a", opts, NULL)) != -1) {
		if (c != 'a')
			return 1;
		all = true;
	}
	if (operands(argc, argv, 1, 2, "[--all] CONTAINER-ID [SIGNAL]") < 0)
		return 1;
	if (optind + 1 < argc && (sig = parse_signal(argv[optind + 1])) < 0)
		return mr_rt_failf("kill: unknown signal \"%s\"", argv[optind + 1]);
	if (mr_state_open(g.root, argv[optind], false, &st, &err) < 0 ||
	    (st.status == MR_STATUS_STOPPED &&
	     mr_error_set(&err, 0, "container %s is not running", st.id) < 0) ||
	    mr_state_signal(&st, sig, all, &err) < 0) {
		mr_state_clear(&st);
		return fail(&err);
	}
	mr_state_clear(&st);
	return 0;
}

static int
cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	struct mr_state st;
	struct mr_error err = {0};
	bool force = false;
	int c;

	while ((c = getopt_long_only(argc, argv, "+f", opts, NULL)) != -1) {
		if (c != 'f')
			return 1;
		force = true;
	}
	if (operands(argc, argv, 1, 1, "[--force] CONTAINER-ID") < 0)
		return 1;
	if (mr_state_open(g.root, argv[optind], true, &st, &err) < 0) {
		bool missing = strstr(err.msg, "does not exist") != NULL;
		mr_state_clear(&st);
		/* runc: --force makes a missing container not an error. */
		return force && missing ? 0 : fail(&err);
	}
	/* A created one never ran its command: runc deletes it without --force. */
	if ((st.status == MR_STATUS_RUNNING || st.status == MR_STATUS_PAUSED) && !force) {
		mr_error_set(&err, 0,
			     "cannot delete container %s that is not stopped: %s "
			     "(use --force)",
			     st.id, mr_status_name(st.status));
		mr_state_clear(&st);
		return fail(&err);
	}
	/* Read before the directory goes; a broken file must not keep the container. */
	struct mr_hooks hooks;
	struct mr_error herr = {0};
	if (mr_hooks_load(st.dirfd, st.dir, &hooks, &herr) < 0)
		warning(herr.msg);
	int r = mr_state_destroy(&st, &err);
	if (r == 0)
		poststop(&hooks, &st);
	mr_hooks_clear(&hooks);
	mr_state_clear(&st);
	return r < 0 ? fail(&err) : 0;
}

static int
cmd_spec(int argc, char **argv)
{
	static const struct option opts[] = {{"bundle", required_argument, NULL, 'b'},
					     {"rootless", no_argument, NULL, 'r'},
					     {NULL, 0, NULL, 0}};
	const char *bundle = ".";
	bool rootless = false;
	char path[PATH_MAX];
	int c;

	while ((c = getopt_long_only(argc, argv, "+b:", opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else
			return 1;
	}
	if (operands(argc, argv, 0, 0, "[--bundle DIR] [--rootless]") < 0)
		return 1;
	char *text = mr_oci_config_template(rootless, (unsigned)geteuid(), (unsigned)getegid());
	if (text == NULL)
		return mr_rt_failf("spec: Cannot allocate memory");
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	/* Never over an existing one (runc's rule), never through a symlink. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0) {
		int e = errno;
		free(text);
		return e == EEXIST ? mr_rt_failf("%s exists: remove it first", path)
				   : mr_rt_failf("%s: %s", path, strerror(e));
	}
	size_t n = strlen(text);
	bool ok = write(fd, text, n) == (ssize_t)n;
	int e = errno;
	close(fd);
	free(text);
	return ok ? 0 : mr_rt_failf("%s: %s", path, strerror(e));
}

static void
print_version(void)
{
	const struct scmp_version *v = seccomp_version();
	printf("minirun version %s\nspec: %s\nlibseccomp: %u.%u.%u\n", MINIRUN_VERSION,
	       MR_OCI_VERSION, v->major, v->minor, v->micro);
}

static const char usage[] =
    "Usage: minirun [GLOBAL OPTIONS] COMMAND [OPTIONS] ARGS (the OCI runtime, runc's CLI)\n"
    "\n"
    "Commands:\n"
    "  create [--bundle DIR] [--pid-file F] [--console-socket SOCK] [--preserve-fds N] ID\n"
    "  start ID\n"
    "  state ID\n"
    "  kill [--all] ID [SIGNAL]\n"
    "  delete [--force] ID\n"
    "  run [--bundle DIR] [--detach] [--pid-file F] [--console-socket SOCK]\n"
    "      [--preserve-fds N] ID\n"
    "  spec [--bundle DIR] [--rootless]\n"
    "  exec [--process FILE] [--tty] [--console-socket SOCK] [--detach] [--pid-file F]\n"
    "       [--cwd DIR] [--env K=V]... [--user UID[:GID]] [--cap CAP]...\n"
    "       [--no-new-privs] [--apparmor PROFILE] [--preserve-fds N] ID [CMD...]\n"
    "  ps [--format table|json] ID [PS-ARGS...]\n"
    "  list [--format table|json] [--quiet]\n"
    "  pause ID\n"
    "  resume ID\n"
    "  features\n"
    "\n"
    "Global options:\n"
    "  --root DIR                 state directory (default " MR_STATE_ROOT_DEFAULT ",\n"
    "                             without root $XDG_RUNTIME_DIR/minirun)\n"
    "  --log FILE                 also write errors to FILE\n"
    "  --log-format text|json     the format of --log\n"
    "  --debug                    accepted\n"
    "  --version, --help\n"
    "\n"
    "The docker-like form is `minirun [OPTIONS] ROOTFS COMMAND` (minirun --help).\n";

/* Global flags at ARGV[*i]: consumed, 1; not one, 0; bad, -1 (printed). */
static int
global_flag(int argc, char **argv, int *i, bool apply)
{
	static const char *const with_value[] = {"root", "log", "log-format", "criu", "rootless"};
	const char *a = argv[*i];

	if (strncmp(a, "--", 2) != 0)
		return 0;
	a += 2;
	for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++) {
		size_t n = strlen(with_value[k]);
		if (strncmp(a, with_value[k], n) != 0 || (a[n] != '\0' && a[n] != '='))
			continue;
		const char *v = a[n] == '=' ? a + n + 1 : NULL;
		if (v == NULL) {
			if (*i + 1 >= argc)
				return apply
					   ? (mr_rt_failf("--%s: needs a value", with_value[k]), -1)
					   : 0;
			v = argv[++*i];
		}
		if (!apply)
			return 1;
		if (k == 0)
			g.root = v;
		else if (k == 1)
			g.log = v;
		else if (k == 2 && strcmp(v, "json") == 0)
			g.log_json = true;
		else if (k == 2 && strcmp(v, "text") != 0)
			return mr_rt_failf("--log-format %s: expected text or json", v), -1;
		return 1;
	}
	if (strcmp(a, "debug") == 0)
		return 1;
	if (strcmp(a, "systemd-cgroup") == 0)
		return apply ? (mr_rt_failf(
				    "--systemd-cgroup: not supported (minirun manages cgroupfs "
				    "directories itself)"),
				-1)
			     : 1;
	return 0;
}

int
mr_runtime_wanted(int argc, char **argv)
{
	int i = 1;
	bool globals = false;

	for (; i < argc; i++) {
		int r = global_flag(argc, argv, &i, false);
		if (r <= 0)
			break;
		globals = true;
	}
	if (i >= argc)
		return globals;
	for (size_t k = 0; k < sizeof(subcommands) / sizeof(subcommands[0]); k++)
		if (strcmp(argv[i], subcommands[k]) == 0)
			return 1;
	/* `minirun --version` alone stays the docker-like one ("minirun VERSION"). */
	return globals && (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "--help") == 0 ||
			   strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "-h") == 0);
}

int
mr_cmd_runtime(int argc, char **argv)
{
	int i = 1;
	static char rootless_root[PATH_MAX];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	g.argv = argv;
	/* runc's default without root: the user's runtime directory. */
	if (geteuid() != 0 && xdg != NULL && xdg[0] == '/') {
		snprintf(rootless_root, sizeof(rootless_root), "%s/minirun", xdg);
		g.root = rootless_root;
	}

	for (; i < argc; i++) {
		int r = global_flag(argc, argv, &i, true);
		if (r < 0)
			return 1;
		if (r == 0)
			break;
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 1;
	}
	if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0) {
		print_version();
		return 0;
	}
	if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	const char *cmd = argv[i];
	argc -= i;
	argv += i;
	/* runc answers "COMMAND --help"; engines probe for a command that way. */
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) &&
	    strstr(usage, cmd) != NULL) {
		fputs(usage, stdout);
		return 0;
	}
	optind = 1;
	opterr = 1;
	if (strcmp(cmd, "create") == 0)
		return cmd_create_run(argc, argv, false);
	if (strcmp(cmd, "run") == 0)
		return cmd_create_run(argc, argv, true);
	if (strcmp(cmd, "start") == 0)
		return cmd_start(argc, argv);
	if (strcmp(cmd, "state") == 0)
		return cmd_state(argc, argv);
	if (strcmp(cmd, "kill") == 0)
		return cmd_kill(argc, argv);
	if (strcmp(cmd, "delete") == 0)
		return cmd_delete(argc, argv);
	if (strcmp(cmd, "spec") == 0)
		return cmd_spec(argc, argv);
	if (strcmp(cmd, "exec") == 0)
		return mr_rt_exec(argc, argv);
	if (strcmp(cmd, "ps") == 0)
		return mr_rt_ps(argc, argv);
	if (strcmp(cmd, "list") == 0)
		return mr_rt_list(argc, argv);
	if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0)
		return mr_rt_pause(argc, argv, strcmp(cmd, "pause") == 0);
	if (strcmp(cmd, "features") == 0)
		return mr_rt_features(argc, argv);
	return mr_rt_failf("%s: unknown command (see minirun --root %s --help)", cmd, g.root);
}
