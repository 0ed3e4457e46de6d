/* SPDX-License-Identifier: MIT */
/* OCI hooks: parsed, kept in the state directory, run.  See hooks.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/hooks.h"
#include "container/state.h"
#include "common/util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static const char *const kind_names[MR_HOOK_KINDS] = {
    [MR_HOOK_PRESTART] = "prestart",
    [MR_HOOK_CREATE_RUNTIME] = "createRuntime",
    [MR_HOOK_CREATE_CONTAINER] = "createContainer",
    [MR_HOOK_START_CONTAINER] = "startContainer",
    [MR_HOOK_POSTSTART] = "poststart",
    [MR_HOOK_POSTSTOP] = "poststop",
};

const char *
mr_hook_kind_name(enum mr_hook_kind kind)
{
	return (size_t)kind < MR_HOOK_KINDS ? kind_names[kind] : "unknown";
}

bool
mr_hooks_any(const struct mr_hooks *h, enum mr_hook_kind kind)
{
	return h != NULL && (size_t)kind < MR_HOOK_KINDS && h->n[kind] > 0;
}

static void
strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void
mr_hooks_clear(struct mr_hooks *h)
{
	for (size_t k = 0; k < MR_HOOK_KINDS; k++) {
		for (size_t i = 0; i < h->n[k]; i++) {
			free(h->v[k][i].path);
			strv_free(h->v[k][i].argv);
			strv_free(h->v[k][i].envp);
		}
		free(h->v[k]);
	}
	memset(h, 0, sizeof(*h));
}

/* --- parsing --------------------------------------------------------------- */

/* A JSON string without an embedded NUL (execve could only see its first part). */
static const char *
plain_string(const json_t *v)
{
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

/* hooks.KIND[I].KEY: an array of strings into a NULL-terminated copy. */
static int
parse_strings(const json_t *arr, const char *source, const char *at, bool env, char ***out,
	      struct mr_error *err)
{
	size_t i, n = json_array_size(arr);
	const json_t *e;

	if (!json_is_array(arr))
		return mr_error_set(err, 0, "%s: %s: expected an array of strings", source, at);
	char **v = calloc(n + 1, sizeof(char *));
	if (v == NULL)
		return mr_error_oom(err, source);
	*out = v;
	json_array_foreach(arr, i, e)
	{
		const char *s = plain_string(e);
		if (s == NULL)
			return mr_error_set(err, 0, "%s: %s[%zu]: expected a string (without NUL)",
					    source, at, i);
		/* environ(7): NAME=VALUE, and a NAME is never empty. */
		if (env && (strchr(s, '=') == NULL || s[0] == '='))
			return mr_error_set(err, 0, "%s: %s[%zu]: \"%s\" is not NAME=VALUE", source,
					    at, i, s);
		if ((v[i] = strdup(s)) == NULL)
			return mr_error_oom(err, source);
	}
	return 0;
}

static int
parse_hook(const json_t *e, const char *source, const char *at, struct mr_hook *hook,
	   struct mr_error *err)
{
	char sub[160];

	if (!json_is_object(e))
		return mr_error_set(err, 0, "%s: %s: expected an object", source, at);
	const json_t *path = json_object_get(e, "path");
	const char *p = plain_string(path);
	if (path == NULL || json_is_null(path))
		return mr_error_set(err, 0, "%s: %s.path: missing (it is REQUIRED)", source, at);
	if (p == NULL || p[0] != '/')
		return mr_error_set(err, 0, "%s: %s.path: expected an absolute path (a string)",
				    source, at);
	if ((hook->path = strdup(p)) == NULL)
		return mr_error_oom(err, source);

	const json_t *args = json_object_get(e, "args");
	snprintf(sub, sizeof(sub), "%s.args", at);
	if (args != NULL && !json_is_null(args) &&
	    parse_strings(args, source, sub, false, &hook->argv, err) < 0)
		return -1;
	/* execv's argv: absent or empty is argv[0] = path, as runc runs it. */
	if (hook->argv == NULL || hook->argv[0] == NULL) {
		strv_free(hook->argv);
		hook->argv = calloc(2, sizeof(char *));
		if (hook->argv == NULL || (hook->argv[0] = strdup(p)) == NULL)
			return mr_error_oom(err, source);
	}

	const json_t *env = json_object_get(e, "env");
	snprintf(sub, sizeof(sub), "%s.env", at);
	if (env != NULL && !json_is_null(env) &&
	    parse_strings(env, source, sub, true, &hook->envp, err) < 0)
		return -1;
	if (hook->envp == NULL && (hook->envp = calloc(1, sizeof(char *))) == NULL)
		return mr_error_oom(err, source);

	const json_t *t = json_object_get(e, "timeout");
	if (t != NULL && !json_is_null(t)) {
		if (!json_is_integer(t))
			return mr_error_set(err, 0, "%s: %s.timeout: expected an integer (seconds)",
					    source, at);
		json_int_t s = json_integer_value(t);
		if (s <= 0 || s > INT_MAX / 1000)
			return mr_error_set(
			    err, 0,
			    "%s: %s.timeout: %lld: must be greater than 0 (seconds, "
			    "at most %d)",
			    source, at, (long long)s, INT_MAX / 1000);
		hook->timeout = (int)s;
	}
	return 0;
}

static int
parse_kind(const json_t *arr, const char *source, size_t k, struct mr_hooks *out,
	   struct mr_error *err)
{
	char at[64];
	size_t i;
	const json_t *e;

	if (!json_is_array(arr))
		return mr_error_set(err, 0, "%s: hooks.%s: expected an array", source,
				    kind_names[k]);
	if (json_array_size(arr) == 0)
		return 0;
	out->v[k] = calloc(json_array_size(arr), sizeof(struct mr_hook));
	if (out->v[k] == NULL)
		return mr_error_oom(err, source);
	json_array_foreach(arr, i, e)
	{
		snprintf(at, sizeof(at), "hooks.%s[%zu]", kind_names[k], i);
		out->n[k]++;
		if (parse_hook(e, source, at, &out->v[k][i], err) < 0)
			return -1;
	}
	return 0;
}

int
mr_hooks_parse(const json_t *hooks, const char *source, struct mr_hooks *out, struct mr_error *err)
{
	const char *key;
	const json_t *v;

	memset(out, 0, sizeof(*out));
	if (hooks == NULL || json_is_null(hooks))
		return 0;
	if (!json_is_object(hooks))
		return mr_error_set(err, 0, "%s: hooks: expected an object", source);
	json_object_foreach((json_t *)hooks, key, v)
	{
		size_t k = 0;
		while (k < MR_HOOK_KINDS && strcmp(key, kind_names[k]) != 0)
			k++;
		/* A program asked to run at a point minirun does not know: never skipped. */
		if (k == MR_HOOK_KINDS) {
			mr_error_set(err, 0,
				     "%s: hooks.%s: unknown kind of hook (minirun runs prestart, "
				     "createRuntime, createContainer, startContainer, poststart, "
				     "poststop)",
				     source, key);
			break;
		}
		if (json_is_null(v))
			continue;
		if (parse_kind(v, source, k, out, err) < 0)
			break;
	}
	if (key != NULL) {
		mr_hooks_clear(out);
		return -1;
	}
	return 0;
}

/* --- kept in the state directory ------------------------------------------- */

static json_t *
strv_json(char **v)
{
	json_t *a = json_array();
	for (size_t i = 0; a && v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *
hooks_json(const struct mr_hooks *h)
{
	json_t *j = json_object();
	for (size_t k = 0; j && k < MR_HOOK_KINDS; k++) {
		if (h->n[k] == 0)
			continue;
		json_t *a = json_array();
		for (size_t i = 0; a && i < h->n[k]; i++) {
			const struct mr_hook *hook = &h->v[k][i];
			json_t *e = json_pack("{s:s, s:o, s:o}", "path", hook->path, "args",
					      strv_json(hook->argv), "env", strv_json(hook->envp));
			if (e && hook->timeout > 0)
				json_object_set_new(e, "timeout", json_integer(hook->timeout));
			if (e == NULL || json_array_append_new(a, e) < 0) {
				json_decref(a);
				a = NULL;
			}
		}
		if (a == NULL || json_object_set_new(j, kind_names[k], a) < 0) {
			json_decref(j);
			return NULL;
		}
	}
	return j;
}

int
mr_hooks_save(int dirfd, const char *dir, const struct mr_hooks *h, struct mr_error *err)
{
	bool any = false;
	for (size_t k = 0; k < MR_HOOK_KINDS; k++)
		any = any || h->n[k] > 0;
	if (!any)
		return 0;
	json_t *j = hooks_json(h);
	cleanup_free char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (text == NULL)
		return mr_error_oom(err, "hooks");
	cleanup_close int fd = openat(dirfd, MR_STATE_HOOKS,
				      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		return mr_error_set(err, errno, "%s/%s", dir, MR_STATE_HOOKS);
	return 0;
}

int
mr_hooks_load(int dirfd, const char *dir, struct mr_hooks *h, struct mr_error *err)
{
	char source[PATH_MAX];
	json_error_t jerr;

	memset(h, 0, sizeof(*h));
	snprintf(source, sizeof(source), "%s/%s", dir, MR_STATE_HOOKS);
	cleanup_close int fd = openat(dirfd, MR_STATE_HOOKS, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : mr_error_set(err, errno, "%s", source);
	json_t *j = json_loadfd(fd, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return mr_error_set(err, 0, "%s:%d:%d: %s", source, jerr.line, jerr.column,
				    jerr.text);
	int r = mr_hooks_parse(j, source, h, err);
	json_decref(j);
	return r;
}

char *
mr_hooks_state_json(const struct mr_state *st, pid_t pid, enum mr_status status)
{
	struct mr_state copy = *st;
	copy.pid = pid;
	copy.status = status;
	return mr_state_to_json(&copy);
}

/* --- running them ---------------------------------------------------------- */

/*
 * The state as a sealed memfd: a hook reads it as a file, so one that never
 * reads its stdin cannot block us on a full pipe, and none can change what
 * the next one reads.
 */
static int
state_memfd(const char *state, struct mr_error *err)
{
	cleanup_close int fd =
	    (int)syscall(SYS_memfd_create, "oci-state", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return mr_error_set(err, errno, "hooks: memfd_create for the state");
	size_t len = strlen(state), off = 0;
	while (off < len) {
		ssize_t w = write(fd, state + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return mr_error_set(err, errno, "hooks: write the state");
		off += (size_t)w;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0)
		return mr_error_set(err, errno, "hooks: seal the state");
	return mr_steal_fd(&fd);
}

/* The hook's process: its stdio and nothing else of ours. */
static int
hook_child_setup(const struct mr_hook *hook, int state_fd, int report, pid_t parent,
		 const struct mr_hooks_how *how, struct mr_error *err)
{
	/* Neither our blocked signals (launch.c blocks the relayed ones) nor our handlers. */
	mr_reset_signals();
	/* A hook does not outlive the minirun (or container process) waiting for it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return mr_error_set(err, errno, "prctl(PR_SET_PDEATHSIG)");
	/*
	 * A parent that died between clone3 and the prctl sent no signal: we
	 * were reparented already.  Same pid namespace as the parent (no
	 * CLONE_NEWPID), so getppid() is comparable with its getpid().
	 */
	if (getppid() != parent)
		_exit(126);
	/* dup2 onto itself keeps close-on-exec: then clear it. */
	if ((state_fd == STDIN_FILENO ? fcntl(state_fd, F_SETFD, 0)
				      : dup2(state_fd, STDIN_FILENO)) < 0 ||
	    (fcntl(STDERR_FILENO, F_GETFD) >= 0 && report != STDOUT_FILENO &&
	     dup2(STDERR_FILENO, STDOUT_FILENO) < 0))
		return mr_error_set(err, errno, "stdin, stdout");
	/* Every other descriptor is closed by execve; the report pipe only then. */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return mr_error_set(err, errno, "close_range");
	if (how != NULL && how->before_exec != NULL && how->before_exec(how->data, hook, err) < 0)
		return -1;
	return 0;
}

static _Noreturn void
hook_child(const struct mr_hook *hook, int state_fd, int report, pid_t parent,
	   const struct mr_hooks_how *how)
{
	struct mr_error err = {0};

	if (hook_child_setup(hook, state_fd, report, parent, how, &err) == 0) {
		execve(hook->path, hook->argv, hook->envp);
		mr_error_set(&err, errno, "exec %s", hook->path);
	}
	/* Nothing more to do if even this fails: the exit status says it. */
	(void)!write(report, err.msg, strlen(err.msg));
	_exit(126);
}

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A hook's process, from clone3 until reaped: never left behind. */
struct hook_proc {
	int pidfd;
	int report; /* read end: the child's message if it fails before execve */
};

static void
hook_proc_kill(struct hook_proc *hp)
{
	siginfo_t si;
	if (hp->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, hp->pidfd, SIGKILL, NULL, 0U);
		while (waitid((idtype_t)P_PIDFD, (id_t)hp->pidfd, &si, WEXITED) < 0 &&
		       errno == EINTR)
			;
		close(hp->pidfd);
	}
	if (hp->report >= 0)
		close(hp->report);
}

#define cleanup_hook_proc __attribute__((cleanup(hook_proc_kill)))

static int
hook_spawn(const struct mr_hook *hook, int state_fd, const struct mr_hooks_how *how,
	   struct hook_proc *hp, struct mr_error *err)
{
	int pipefd[2], pidfd = -1;
	pid_t parent = getpid();

	if (lseek(state_fd, 0, SEEK_SET) < 0)
		return mr_error_set(err, errno, "hooks: rewind the state");
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return mr_error_set(err, errno, "hooks: pipe");
	cleanup_close int wr = pipefd[1];
	hp->report = pipefd[0];
	/* With a pidfd from the start: the pid is never one that could be reused. */
	struct clone_args args = {
	    .flags = CLONE_PIDFD,
	    .pidfd = (uint64_t)(uintptr_t)&pidfd,
	    .exit_signal = SIGCHLD,
	};
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		return mr_error_set(err, errno, "hooks: clone3");
	if (pid == 0)
		hook_child(hook, state_fd, wr, parent, how);
	hp->pidfd = pidfd;
	return 0;
}

/* Until the hook exits or its time is up; its pre-exec message into MSG. */
static int
hook_wait(struct hook_proc *hp, int timeout, char *msg, size_t size, bool *timed_out)
{
	int64_t deadline = timeout > 0 ? now_ms() + (int64_t)timeout * 1000 : 0;
	size_t len = 0;

	*timed_out = false;
	for (;;) {
		struct pollfd pfd[2] = {{.fd = hp->pidfd, .events = POLLIN},
					{.fd = hp->report, .events = POLLIN}};
		int64_t left = deadline ? deadline - now_ms() : -1;
		if (deadline && left <= 0) {
			*timed_out = true;
			return 0;
		}
		int r = poll(pfd, 2, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(hp->report, msg + len, size - 1 - len);
			if (n <= 0 || (len += (size_t)n) == size - 1) {
				close(hp->report);
				hp->report = -1;
			}
			msg[len] = '\0';
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		/* Exited: whatever it wrote before is in the pipe already. */
		for (ssize_t n = 1; hp->report >= 0 && n > 0 && len < size - 1; len += (size_t)n)
			if ((n = read(hp->report, msg + len, size - 1 - len)) <= 0)
				n = 0;
		msg[len] = '\0';
		return 0;
	}
}

static int
run_one(const struct mr_hook *hook, const char *at, int state_fd, const struct mr_hooks_how *how,
	struct mr_error *err)
{
	cleanup_hook_proc struct hook_proc hp = {.pidfd = -1, .report = -1};
	char msg[MR_ERROR_MSG_MAX / 2] = "";
	bool timed_out;
	siginfo_t si;

	if (hook_spawn(hook, state_fd, how, &hp, err) < 0)
		return mr_error_wrap(err, "%s: hook %s", at, hook->path);
	if (hook_wait(&hp, hook->timeout, msg, sizeof(msg), &timed_out) < 0)
		return mr_error_set(err, errno, "%s: hook %s: poll", at, hook->path);
	if (timed_out)
		return mr_error_set(err, 0, "%s: hook %s failed: killed after its timeout of %d s",
				    at, hook->path, hook->timeout);
	memset(&si, 0, sizeof(si));
	while (waitid((idtype_t)P_PIDFD, (id_t)hp.pidfd, &si, WEXITED) < 0)
		if (errno != EINTR)
			return mr_error_set(err, errno, "%s: hook %s: waitid", at, hook->path);
	close(mr_steal_fd(&hp.pidfd));
	if (msg[0] != '\0')
		return mr_error_set(err, 0, "%s: hook %s failed: %s", at, hook->path, msg);
	if (si.si_code == CLD_EXITED && si.si_status == 0)
		return 0;
	if (si.si_code == CLD_EXITED)
		return mr_error_set(err, 0, "%s: hook %s failed: exit status %d", at, hook->path,
				    si.si_status);
	return mr_error_set(err, 0, "%s: hook %s failed: killed by signal %d (SIG%s)", at,
			    hook->path, si.si_status,
			    sigabbrev_np(si.si_status) ? sigabbrev_np(si.si_status) : "?");
}

int
mr_hooks_run(const struct mr_hooks *h, enum mr_hook_kind kind, const char *state,
	     const struct mr_hooks_how *how, struct mr_error *err)
{
	char at[64];
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;

	if (!mr_hooks_any(h, kind))
		return 0;
	cleanup_close int state_fd = state_memfd(state, err);
	if (state_fd < 0)
		return -1;
	/* An inherited SIGCHLD SIG_IGN would reap the hook before we read its status. */
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old);
	int r = 0;
	for (size_t i = 0; i < h->n[kind] && r == 0; i++) {
		snprintf(at, sizeof(at), "hooks.%s[%zu]", kind_names[kind], i);
		struct mr_error e = {0};
		if (run_one(&h->v[kind][i], at, state_fd, how, &e) == 0)
			continue;
		if (how != NULL && how->warn != NULL) {
			how->warn(e.msg);
			continue;
		}
		*err = e;
		r = -1;
	}
	sigaction(SIGCHLD, &old, NULL);
	return r;
}
