/* SPDX-License-Identifier: MIT */
/*
 * The OCI runtime's second slice: exec, ps, list, pause, resume, features, with
 * runc's spellings (containerd's go-runc and podman's conmon call them).
 * exec's sequence is lib/container/exec.h; the freezer is
 * lib/container/freezer.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <seccomp.h>

#include "config.h"
#include "runtime.h"

static int
push(char ***v, size_t *n, char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (nv == NULL)
		return -1;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

/* --- exec -------------------------------------------------------------------------- */

struct exec_cli {
	struct mr_state *st;
	const char *pid_file;
	const char *console_socket;
};

/* It runs: the pid file, the terminal to the console socket; the state is let go. */
static int
exec_started(void *data, pid_t pid, int *master, struct mr_error *err)
{
	struct exec_cli *c = data;
	if (*master >= 0 && c->console_socket != NULL) {
		if (mr_rt_send_console(c->console_socket, *master, err) < 0)
			return -1;
		close(*master);
		*master = -1;
	}
	if (c->pid_file && mr_rt_write_pid_file(c->pid_file, pid, err) < 0)
		return -1;
	/* delete and kill from elsewhere must not wait for the exec'ed process. */
	flock(c->st->dirfd, LOCK_UN);
	return 0;
}

/* Options of exec; the fields of mr_exec_opts and the CLI's own. */
struct exec_args {
	struct mr_exec_opts o;
	struct exec_cli cli;
	bool detach, ignore_paused, tty_given;
	unsigned preserve_fds;
};

static int
exec_options(int argc, char **argv, struct exec_args *a)
{
	static const struct option opts[] = {
	    {"process", required_argument, NULL, 'p'},
	    {"tty", no_argument, NULL, 't'},
	    {"console-socket", required_argument, NULL, 's'},
	    {"detach", no_argument, NULL, 'd'},
	    {"pid-file", required_argument, NULL, 'P'},
	    {"cwd", required_argument, NULL, 'w'},
	    {"env", required_argument, NULL, 'e'},
	    {"user", required_argument, NULL, 'u'},
	    {"cap", required_argument, NULL, 'c'},
	    {"no-new-privs", no_argument, NULL, 'n'},
	    {"apparmor", required_argument, NULL, 'a'},
	    {"preserve-fds", required_argument, NULL, 'f'},
	    {"process-label", required_argument, NULL, 'l'},
	    {"ignore-paused", no_argument, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long_only(argc, argv, "+p:tdw:e:u:c:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			a->o.process_file = optarg;
			break;
		case 't':
			a->o.tty = a->tty_given = true;
			break;
		case 's':
			a->cli.console_socket = optarg;
			break;
		case 'd':
			a->detach = true;
			break;
		case 'P':
			a->cli.pid_file = optarg;
			break;
		case 'w':
			a->o.cwd = optarg;
			break;
		case 'e':
			if (strchr(optarg, '=') == NULL || optarg[0] == '=')
				return mr_rt_failf("--env %s: expected KEY=VALUE", optarg), -1;
			if (push(&a->o.env, &a->o.n_env, optarg) < 0)
				return mr_rt_failf("exec: Cannot allocate memory"), -1;
			break;
		case 'u':
			a->o.user = optarg;
			break;
		case 'c':
			if (push(&a->o.caps, &a->o.n_caps, optarg) < 0)
				return mr_rt_failf("exec: Cannot allocate memory"), -1;
			break;
		case 'n':
			a->o.no_new_privs = true;
			break;
		case 'a':
			a->o.apparmor = optarg;
			break;
		case 'f': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' || n > 1024)
				return mr_rt_failf(
					   "--preserve-fds %s: expected a number of fds (0 to "
					   "1024)",
					   optarg),
				       -1;
			a->preserve_fds = (unsigned)n;
			break;
		}
		case 'l':
			mr_rt_warning("--process-label: ignored, minirun has no SELinux support");
			break;
		case 'i':
			a->ignore_paused = true;
			break;
		default:
			return -1;
		}
	}
	if (argc - optind < 1 || (a->o.process_file == NULL && argc - optind < 2))
		return mr_rt_failf("exec: expected [OPTIONS] CONTAINER-ID COMMAND [ARG...] (or "
				   "--process FILE CONTAINER-ID)"),
		       -1;
	a->o.argv = argv + optind + 1;
	a->o.argc = (size_t)(argc - optind - 1);
	return 0;
}

/* What exec owns, released by exec_job_clear whichever way it ends. */
struct exec_job {
	struct exec_args a;
	struct mr_state st;
	struct mr_spec spec;
	struct mr_prepared p;
	bool prepared;
};

static void
exec_job_clear(struct exec_job *j)
{
	if (j->prepared)
		mr_prepared_clear(&j->p);
	mr_state_clear(&j->st);
	mr_spec_clear(&j->spec);
	free(j->a.o.env);
	free(j->a.o.caps);
}

#define cleanup_exec_job __attribute__((cleanup(exec_job_clear)))

/* The container ID's state and the process to run in it, all checked. */
static int
exec_prepare(struct exec_job *j, const char *id, struct mr_error *err)
{
	const struct exec_args *a = &j->a;

	if (mr_state_open(mr_rt_root(), id, false, &j->st, err) < 0)
		return -1;
	if (j->st.status == MR_STATUS_STOPPED)
		return mr_error_set(err, 0, "cannot exec in a stopped container %s", j->st.id);
	if (j->st.status == MR_STATUS_PAUSED && !a->ignore_paused)
		return mr_error_set(err, 0,
				    "cannot exec in a paused container %s (use --ignore-paused to "
				    "override)",
				    j->st.id);
	if (mr_exec_load_spec(&j->st, &a->o, geteuid() != 0, &j->spec, err) < 0)
		return -1;
	/* runc's rules, as for create: a detached terminal needs a console socket. */
	if (j->spec.tty && a->detach && a->cli.console_socket == NULL)
		return mr_error_set(err, 0,
				    "exec: a terminal with --detach needs --console-socket to "
				    "receive it");
	if (a->cli.console_socket != NULL && !j->spec.tty)
		return mr_error_set(err, 0,
				    "--console-socket: only with --tty (or process.terminal)");
	for (unsigned fd = 3; fd < 3 + a->preserve_fds; fd++)
		if (fcntl((int)fd, F_GETFD) < 0)
			return mr_error_set(err, 0, "--preserve-fds %u: fd %u is not open",
					    a->preserve_fds, fd);
	/* No flag: exec enters the container's namespaces, it makes none. */
	if (mr_prepare(&j->spec, 0, &j->p, err) < 0)
		return -1;
	j->prepared = true;
	return 0;
}

/* The command that could not start: 126/127 as docker exec says; else 1 (runc). */
static int
exec_failed(const struct mr_error *err)
{
	int status =
	    err->exit_status == MR_EXIT_CANNOT_EXEC || err->exit_status == MR_EXIT_NOT_FOUND
		? err->exit_status
		: 1;
	mr_rt_fail(err);
	return status;
}

int
mr_rt_exec(int argc, char **argv)
{
	cleanup_exec_job struct exec_job j = {.st = {.dirfd = -1}};
	struct mr_exec_ctl ctl = {0};
	struct mr_error err = {0};
	int status = 1;

	mr_spec_init(&j.spec);
	if (exec_options(argc, argv, &j.a) < 0)
		return 1;
	/* The container outlives this process, which joins it (self-seal.h). */
	if (mr_rt_seal_self() != 0)
		return 1;
	if (exec_prepare(&j, argv[optind], &err) < 0)
		return exec_failed(&err);
	j.a.cli.st = &j.st;
	ctl.detach = j.a.detach;
	ctl.preserve_fds = j.a.preserve_fds;
	ctl.started = exec_started;
	ctl.data = &j.a.cli;
	if (mr_exec(&j.p, &j.st, &ctl, &status, &err) < 0)
		return exec_failed(&err);
	return j.a.detach ? 0 : status;
}

/* --- list ------------------------------------------------------------------------- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The container ids under --root, sorted; none when it does not exist yet. */
static int
container_ids(char ***ids, size_t *n, struct mr_error *err)
{
	*ids = NULL;
	*n = 0;
	DIR *d = opendir(mr_rt_root());
	if (d == NULL)
		return errno == ENOENT ? 0 : mr_error_set(err, errno, "list: %s", mr_rt_root());
	struct stat st;
	int r = fstat(dirfd(d), &st) < 0 ? mr_error_set(err, errno, "list: %s", mr_rt_root())
					 : mr_state_check_root(mr_rt_root(), &st, err);
	if (r < 0) {
		closedir(d);
		return -1;
	}
	struct dirent *e;
	int ret = 0;
	while ((e = readdir(d)) != NULL) {
		struct mr_error ignored = {0};
		if (e->d_type != DT_DIR || mr_state_check_id(e->d_name, &ignored) < 0)
			continue;
		char *id = strdup(e->d_name);
		if (id == NULL || push(ids, n, id) < 0) {
			free(id);
			ret = mr_error_oom(err, "list");
			break;
		}
	}
	closedir(d);
	if (*n > 0)
		qsort(*ids, *n, sizeof(**ids), name_cmp);
	return ret;
}

/*
 * runc list: every container under --root, as runc's table (ID PID STATUS BUNDLE
 * CREATED OWNER), --format json (each one's state) or --quiet (the ids).  A
 * directory that is no container (state.json missing) is left out.
 */
int
mr_rt_list(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {"quiet", no_argument, NULL, 'q'},
					     {NULL, 0, NULL, 0}};
	const char *format = "table";
	bool quiet = false;
	int c;

	while ((c = getopt_long_only(argc, argv, "+f:q", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'q')
			quiet = true;
		else
			return 1;
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return mr_rt_failf("list: --format %s: expected table or json", format);
	if (optind != argc)
		return mr_rt_failf("list: expected no operand");
	struct mr_error err = {0};
	char **ids;
	size_t n;
	if (container_ids(&ids, &n, &err) < 0)
		return mr_rt_fail(&err);
	json_t *all = json_array();
	if (!quiet && strcmp(format, "table") == 0)
		printf("%-12s %-8s %-8s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++) {
		struct mr_state st;
		struct mr_error ignored = {0};
		if (mr_state_peek(mr_rt_root(), ids[i], &st, &ignored) == 0) {
			if (quiet)
				printf("%s\n", st.id);
			else if (strcmp(format, "json") == 0 && all != NULL)
				json_array_append_new(all, mr_state_json(&st));
			else if (strcmp(format, "table") == 0)
				printf("%-12s %-8d %-8s %-40s %-30s %s\n", st.id,
				       st.status == MR_STATUS_STOPPED ? 0 : (int)st.pid,
				       mr_status_name(st.status), st.bundle ? st.bundle : "",
				       st.created ? st.created : "", geteuid() == 0 ? "root" : "");
		}
		mr_state_clear(&st);
		free(ids[i]);
	}
	free(ids);
	if (!quiet && strcmp(format, "json") == 0) {
		char *text = all ? json_dumps(all, JSON_COMPACT) : NULL;
		if (text == NULL) {
			json_decref(all);
			return mr_rt_failf("list: Cannot allocate memory");
		}
		printf("%s\n", text);
		free(text);
	}
	json_decref(all);
	return 0;
}

/* --- ps ---------------------------------------------------------------------------- */

/*
 * The pids of the container's cgroup and those nested in it (the init alone without one).
 * A stopped container has no init; what is left in its cgroup (processes that outlived a
 * shared PID namespace's init) is still listed, as runc does: containerd's shim runs ps on
 * a stopped task and wants an empty list, not an error.
 */
static int
container_pids(const struct mr_state *st, pid_t **pids, size_t *n, struct mr_error *err)
{
	*pids = NULL;
	*n = 0;
	if (st->n_cgroup_paths == 0) {
		if (st->status == MR_STATUS_STOPPED)
			return 0;
		if ((*pids = malloc(sizeof(pid_t))) == NULL)
			return mr_error_oom(err, "ps");
		(*pids)[(*n)++] = st->pid;
		return 0;
	}
	if (mr_cgroup_tree_pids(st->cgroup_paths[0], pids, n, err) < 0) {
		if (st->status == MR_STATUS_STOPPED && err->errnum == ENOENT)
			return 0;
		return mr_error_wrap(err, "container %s", st->id);
	}
	return 0;
}

/* runc's table: the host's ps (PS-ARGS, default -ef), only the container's lines. */
static int
ps_table(const pid_t *pids, size_t n, char **ps_args, int n_args, struct mr_error *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return mr_error_set(err, errno, "pipe");
	pid_t child = fork();
	if (child < 0)
		return mr_error_set(err, errno, "fork");
	if (child == 0) {
		char *args[66] = {"ps"};
		int k = 1;
		if (n_args == 0)
			args[k++] = "-ef";
		for (int i = 0; i < n_args && k < 65; i++)
			args[k++] = ps_args[i];
		args[k] = NULL;
		dup2(fds[1], STDOUT_FILENO);
		execvp("ps", args);
		dprintf(STDERR_FILENO, "minirun: ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	char *line = NULL;
	size_t size = 0;
	int pid_col = -1;
	for (int lineno = 0; f && getline(&line, &size, f) > 0; lineno++) {
		char copy[4096];
		snprintf(copy, sizeof(copy), "%s", line);
		char *save = NULL, *tok = strtok_r(copy, " \t\n", &save);
		if (lineno == 0) {
			for (int col = 0; tok; col++, tok = strtok_r(NULL, " \t\n", &save))
				if (strcmp(tok, "PID") == 0)
					pid_col = col;
			fputs(line, stdout);
			continue;
		}
		for (int col = 0; tok && col < pid_col; col++)
			tok = strtok_r(NULL, " \t\n", &save);
		pid_t pid = tok ? (pid_t)strtol(tok, NULL, 10) : 0;
		for (size_t i = 0; i < n; i++)
			if (pids[i] == pid)
				fputs(line, stdout);
	}
	free(line);
	if (f)
		fclose(f);
	int ws;
	while (waitpid(child, &ws, 0) < 0 && errno == EINTR)
		;
	if (pid_col < 0)
		return mr_error_set(err, 0, "ps: no PID column in its output");
	return WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? 0 : mr_error_set(err, 0, "ps: it failed");
}

int
mr_rt_ps(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {NULL, 0, NULL, 0}};
	cleanup_state struct mr_state st = {.dirfd = -1};
	struct mr_error err = {0};
	const char *format = "table";
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	int c;

	while ((c = getopt_long_only(argc, argv, "+f:", opts, NULL)) != -1) {
		if (c != 'f')
			return 1;
		format = optarg;
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return mr_rt_failf("ps: --format %s: expected table or json", format);
	if (argc - optind < 1)
		return mr_rt_failf("ps: expected [--format table|json] CONTAINER-ID [PS-ARGS...]");
	if (strcmp(format, "json") == 0 && argc - optind > 1)
		return mr_rt_failf("ps: PS-ARGS cannot be used with --format json");
	if (mr_state_open(mr_rt_root(), argv[optind], false, &st, &err) < 0 ||
	    container_pids(&st, &pids, &n, &err) < 0)
		return mr_rt_fail(&err);
	if (strcmp(format, "json") == 0) {
		/* runc's form: one line, the pids as a JSON array. */
		fputc('[', stdout);
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		fputs("]\n", stdout);
		return 0;
	}
	fflush(stdout);
	if (ps_table(pids, n, argv + optind + 1, argc - optind - 1, &err) < 0)
		return mr_rt_fail(&err);
	return 0;
}

/* --- pause, resume ----------------------------------------------------------------- */

/* ST paused (PAUSE) or resumed, if it is running or paused. */
static int
pause_set(const struct mr_state *st, bool pause, const char *cmd, struct mr_error *err)
{
	if (pause && st->status != MR_STATUS_RUNNING)
		return mr_error_set(err, 0, "container %s is not running: %s", st->id,
				    mr_status_name(st->status));
	if (!pause && st->status != MR_STATUS_PAUSED)
		return mr_error_set(err, 0, "container %s is not paused: %s", st->id,
				    mr_status_name(st->status));
	if (mr_freezer_set(st->cgroup_paths, st->n_cgroup_paths, pause, err) < 0) {
		mr_error_wrap(err, "%s %s", cmd, st->id);
		return -1;
	}
	return 0;
}

int
mr_rt_pause(int argc, char **argv, bool pause)
{
	struct mr_state st;
	struct mr_error err = {0};
	const char *cmd = pause ? "pause" : "resume";

	if (getopt_long_only(argc, argv, "+", (struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1)
		return 1;
	if (argc - optind != 1)
		return mr_rt_failf("%s: expected CONTAINER-ID", cmd);
	/* Exclusive: two pauses, or a pause and a delete, do not interleave. */
	int r = mr_state_open(mr_rt_root(), argv[optind], true, &st, &err) < 0
		    ? -1
		    : pause_set(&st, pause, cmd, &err);
	/* The lock is let go before the error is told, as kill does. */
	mr_state_clear(&st);
	return r < 0 ? mr_rt_fail(&err) : 0;
}

/* --- features ---------------------------------------------------------------------- */

#define STRINGS(v) mr_json_strings(v, MR_ARRAY_SIZE(v))

int
mr_rt_features(int argc, char **argv)
{
	/*
	 * What minirun accepts, not what the kernel knows (lib/container/oci-config.c).
	 * These lists are automatic, not static: a static array of pointers is
	 * relocated (written) at every start of the static-pie, features or not.
	 */
	const char *const mount_options[] = {
	    "atime",	     "bind",	    "dev",	  "diratime",	 "exec",       "lazytime",
	    "noatime",	     "nodev",	    "nodiratime", "noexec",	 "nolazytime", "norelatime",
	    "nostrictatime", "nosuid",	    "private",	  "rbind",	 "relatime",   "ro",
	    "rprivate",	     "rshared",	    "rslave",	  "runbindable", "rw",	       "shared",
	    "slave",	     "strictatime", "suid",	  "unbindable"};
	const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network",
					  "pid",    "user", "uts"};
	const char *const actions[] = {
	    "SCMP_ACT_ALLOW",	    "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",	"SCMP_ACT_KILL_PROCESS",
	    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",   "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"};
	const char *const operators[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
					 "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
					 "SCMP_CMP_NE"};
	const char *const known_flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					   "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					   "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
	/* TSYNC and WAIT_KILLABLE_RECV are accepted and dropped (profile.c). */
	const char *const supported_flags[] = {"SECCOMP_FILTER_FLAG_LOG",
					       "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
	char buf[64];

	(void)argv;
	if (argc != 1)
		return mr_rt_failf("features: takes no arguments");
	json_t *caps = json_array();
	char *names = mr_caps_to_string(mr_caps_all_known());
	for (char *save = NULL, *s = names ? strtok_r(names, ",", &save) : NULL; s;
	     s = strtok_r(NULL, ",", &save))
		json_array_append_new(caps, json_string(s));
	free(names);
	json_t *archs = json_array();
	for (size_t i = 0; mr_arch_nth(i) != NULL; i++)
		/* Those this libseccomp knows. */
		if (mr_arch_resolve(mr_arch_nth(i)->scmp) != 0)
			json_array_append_new(archs, json_string(mr_arch_nth(i)->scmp));
	const struct scmp_version *v = seccomp_version();
	snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
	bool apparmor = access("/sys/kernel/security/apparmor", F_OK) == 0 ||
			access("/sys/module/apparmor/parameters/enabled", F_OK) == 0;

	json_t *hooks = json_array();
	for (size_t k = 0; hooks && k < MR_HOOK_KINDS; k++)
		json_array_append_new(hooks, json_string(mr_hook_kind_name((enum mr_hook_kind)k)));
	json_t *j = json_pack(
	    "{s:s, s:s, s:o, s:o, s:{s:o, s:o, s:{s:b, s:b, s:b, s:b}, s:{s:b, s:o, s:o, s:o, "
	    "s:o, s:o}, s:{s:b}, s:{s:b}}, s:{s:s, s:s}}",
	    "ociVersionMin", "1.0.0", "ociVersionMax", MR_OCI_VERSION, "hooks", hooks,
	    "mountOptions", STRINGS(mount_options), "linux", "namespaces", STRINGS(namespaces),
	    "capabilities", caps, "cgroup", "v1", 1, "v2", 1, "systemd", 0, "systemdUser", 0,
	    "seccomp", "enabled", 1, "actions", STRINGS(actions), "operators", STRINGS(operators),
	    "archs", archs, "knownFlags", STRINGS(known_flags), "supportedFlags",
	    STRINGS(supported_flags), "apparmor", "enabled", apparmor, "selinux", "enabled", 0,
	    "annotations", "io.github.seccomp.libseccomp.version", buf, "org.minirun.version",
	    MINIRUN_VERSION);
	char *text = j ? json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (text == NULL)
		return mr_rt_failf("features: Cannot allocate memory");
	puts(text);
	free(text);
	return 0;
}
