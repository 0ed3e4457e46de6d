/* SPDX-License-Identifier: MIT */
/* The OCI runtime's per-container state directories: see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "container/state.h"
#include "container/cgroup.h"
#include "container/exec.h"
#include "container/freezer.h"
#include "container/oci-config.h"
#include "common/util.h"

static const char *const status_names[] = {
    [MR_STATUS_CREATING] = "creating", [MR_STATUS_CREATED] = "created",
    [MR_STATUS_RUNNING] = "running",   [MR_STATUS_STOPPED] = "stopped",
    [MR_STATUS_PAUSED] = "paused",
};

const char *
mr_status_name(enum mr_status s)
{
	return (size_t)s < MR_ARRAY_SIZE(status_names) ? status_names[s] : "unknown";
}

int
mr_state_check_id(const char *id, struct mr_error *err)
{
	size_t n = strlen(id);
	/* The id names a directory: nothing that could climb out of the root. */
	if (n == 0 || n > 1024 ||
	    strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != n ||
	    strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return mr_error_set(err, 0,
				    "invalid container id \"%s\": use letters, digits, '_', '.' "
				    "and '-' (not \".\" or \"..\")",
				    id);
	return 0;
}

unsigned long long
mr_proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* After the command name, which may hold spaces and parentheses: the last ')'. */
	char *s = strrchr(buf, ')');
	if (s == NULL || s[1] != ' ')
		return 0;
	s += 2;
	if (*s == 'Z' || *s == 'X') /* exited, only not reaped yet */
		return 0;
	/* Field 3 is the state; the start time is field 22. */
	for (int field = 3; field < 22 && s; field++) {
		s = strchr(s, ' ');
		if (s)
			s++;
	}
	return s ? strtoull(s, NULL, 10) : 0;
}

enum lock_mode { STATE_LOCK_SHARED, STATE_LOCK_EXCLUSIVE, STATE_LOCK_PEEK };

/* 1 when STATE_LOCK_PEEK found the lock held (nothing taken), else 0 or -1. */
static int
lock_dir(int dfd, enum lock_mode mode, const char *dir, struct mr_error *err)
{
	int r;
	do
		r = flock(dfd, mode == STATE_LOCK_EXCLUSIVE ? LOCK_EX
			       : mode == STATE_LOCK_SHARED  ? LOCK_SH
							    : LOCK_SH | LOCK_NB);
	while (r < 0 && errno == EINTR);
	if (r < 0 && mode == STATE_LOCK_PEEK && errno == EWOULDBLOCK)
		return 1;
	return r < 0 ? mr_error_set(err, errno, "state %s: flock", dir) : 0;
}

static void
now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

/* mkdir -p ROOT, each missing directory mode 0700. */
static int
make_dirs(const char *root, struct mr_error *err)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s", root) >= (int)sizeof(path))
		return mr_error_set(err, ENAMETOOLONG, "state root %s", root);
	for (char *s = path + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return mr_error_set(err, errno, "state root %s", path);
		*s = c;
		if (c == '\0')
			return 0;
	}
}

int
mr_state_check_root(const char *root, const struct stat *st, struct mr_error *err)
{
	/*
	 * Whoever may write ROOT may rename the caller's container
	 * directories in it: swapped, "kill web" signals the container made
	 * as "db" (each directory is the caller's, and its state.json names
	 * the caller's pid).  So ROOT is the caller's alone, as runc's
	 * /run/runc and $XDG_RUNTIME_DIR are; not a shared /tmp/x.
	 */
	if (st->st_uid != geteuid() || (st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return mr_error_set(err, 0,
				    "state root %s: owned by uid %u, mode %04o: it must be the "
				    "caller's (uid %u) and writable by no one else, who could "
				    "rename the containers' directories in it",
				    root, (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777),
				    (unsigned)geteuid());
	return 0;
}

/* ROOT, opened and checked; -1 with *missing (err not set) when it does not exist. */
static int
open_root(const char *root, bool *missing, struct mr_error *err)
{
	struct stat st;
	cleanup_close int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*missing = fd < 0 && errno == ENOENT;
	if (fd < 0)
		return *missing ? -1 : mr_error_set(err, errno, "state root %s", root);
	if (fstat(fd, &st) < 0)
		return mr_error_set(err, errno, "state root %s", root);
	if (mr_state_check_root(root, &st, err) < 0)
		return -1;
	return mr_steal_fd(&fd);
}

/* ROOT/ID as the state's directory, and its id. */
static int
set_names(struct mr_state *st, const char *root, const char *id, struct mr_error *err)
{
	if (asprintf(&st->dir, "%s/%s", root, id) < 0) {
		st->dir = NULL;
		return mr_error_oom(err, "state");
	}
	if ((st->id = strdup(id)) == NULL)
		return mr_error_oom(err, "state");
	return 0;
}

int
mr_state_new(const char *root, const char *id, struct mr_state *st, struct mr_error *err)
{
	char created[64];

	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
	if (mr_state_check_id(id, err) < 0)
		return -1;
	/*
	 * 0700: the state names processes and paths that are nobody else's
	 * business.  Missing parents too, as runc does: containerd's shim
	 * passes --root /run/containerd/runc/NAMESPACE before anything made it.
	 */
	if (make_dirs(root, err) < 0)
		return -1;
	bool missing;
	cleanup_close int rootfd = open_root(root, &missing, err);
	if (rootfd < 0)
		return missing ? mr_error_set(err, ENOENT, "state root %s", root) : -1;
	if (set_names(st, root, id, err) < 0)
		return -1;
	if (mkdirat(rootfd, id, 0700) < 0) {
		if (errno == EEXIST)
			return mr_error_set(err, 0, "container %s already exists", id);
		return mr_error_set(err, errno, "state %s", st->dir);
	}
	st->dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (st->dirfd < 0)
		return mr_error_set(err, errno, "state %s", st->dir);
	if (lock_dir(st->dirfd, STATE_LOCK_EXCLUSIVE, st->dir, err) < 0)
		return -1;
	now_rfc3339(created, sizeof(created));
	if ((st->created = strdup(created)) == NULL)
		return mr_error_oom(err, "state");
	st->status = MR_STATUS_CREATING;
	return 0;
}

static char *
dup_string(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? strdup(s) : NULL;
}

static int
read_state(struct mr_state *st, struct mr_error *err)
{
	json_error_t jerr;
	cleanup_close int fd = openat(st->dirfd, "state.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		/* A create that died before its first save: nothing ever ran. */
		if (errno == ENOENT) {
			st->status = MR_STATUS_STOPPED;
			return 0;
		}
		return mr_error_set(err, errno, "%s/state.json", st->dir);
	}
	json_t *j = json_loadfd(fd, 0, &jerr);
	if (j == NULL)
		return mr_error_set(err, 0, "%s/state.json:%d:%d: %s", st->dir, jerr.line,
				    jerr.column, jerr.text);
	st->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
	st->start_time = (unsigned long long)json_integer_value(json_object_get(j, "startTime"));
	st->bundle = dup_string(j, "bundle");
	st->rootfs = dup_string(j, "rootfs");
	st->oci_version = dup_string(j, "ociVersion");
	free(st->created);
	st->created = dup_string(j, "created");
	const char *status = json_string_value(json_object_get(j, "status"));
	st->status = MR_STATUS_STOPPED;
	for (size_t i = 0; status && i < MR_ARRAY_SIZE(status_names); i++)
		if (strcmp(status, status_names[i]) == 0)
			st->status = (enum mr_status)i;
	json_t *a = json_object_get(j, "annotations"), *v;
	const char *key;
	if (json_object_size(a) > 0 &&
	    (st->annotations = calloc(2 * json_object_size(a), sizeof(char *))) != NULL)
		json_object_foreach(a, key, v)
		{
			st->annotations[2 * st->n_annotations] = strdup(key);
			st->annotations[2 * st->n_annotations + 1] =
			    strdup(json_string_value(v) ? json_string_value(v) : "");
			st->n_annotations++;
		}
	json_t *cg = json_object_get(j, "cgroupPaths");
	size_t i;
	if (json_array_size(cg) > 0 &&
	    (st->cgroup_paths = calloc(json_array_size(cg), sizeof(char *))) != NULL)
		json_array_foreach(cg, i, v) if (json_is_string(v))
		    st->cgroup_paths[st->n_cgroup_paths++] = strdup(json_string_value(v));
	cg = json_object_get(j, "cgroupParents");
	if (json_array_size(cg) > 0 &&
	    (st->cgroup_parents = calloc(json_array_size(cg), sizeof(char *))) != NULL)
		json_array_foreach(cg, i, v) if (json_is_string(v))
		    st->cgroup_parents[st->n_cgroup_parents++] = strdup(json_string_value(v));
	json_decref(j);
	return 0;
}

static int
open_state(const char *root, const char *id, enum lock_mode mode, struct mr_state *st,
	   struct mr_error *err)
{
	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
	if (mr_state_check_id(id, err) < 0)
		return -1;
	if (set_names(st, root, id, err) < 0)
		return -1;
	bool missing;
	cleanup_close int rootfd = open_root(root, &missing, err);
	if (rootfd < 0)
		return missing ? mr_error_set(err, 0, "container %s does not exist", id) : -1;
	st->dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (st->dirfd < 0) {
		if (errno == ENOENT)
			return mr_error_set(err, 0, "container %s does not exist", id);
		return mr_error_set(err, errno, "state %s", st->dir);
	}
	int held = lock_dir(st->dirfd, mode, st->dir, err);
	if (held < 0)
		return -1;
	/* Removed by a delete while we waited for the lock. */
	struct stat s;
	if (fstat(st->dirfd, &s) < 0 || s.st_nlink == 0)
		return mr_error_set(err, 0, "container %s does not exist", id);
	/*
	 * Made by this user's minirun (mkdir as the caller) or by nobody's: in a
	 * root another user can write to (a shared --root, a misconfigured
	 * XDG_RUNTIME_DIR) that user's ID/state.json would name any pid and
	 * start time of the caller's, for kill and delete --force to signal.
	 */
	if (s.st_uid != geteuid())
		return mr_error_set(err, 0, "state %s: owned by uid %u, not by the caller (uid %u)",
				    st->dir, (unsigned)s.st_uid, (unsigned)geteuid());
	if (read_state(st, err) < 0)
		return -1;
	/*
	 * A create still holds the lock (its hooks may run for minutes): it
	 * saved "creating" with the init's pid, or nothing yet.  Every save is
	 * a rename, so the file read without the lock is whole.
	 */
	bool creating =
	    held == 1 && (st->status == MR_STATUS_CREATING ||
			  faccessat(st->dirfd, "state.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
	mr_state_refresh(st);
	if (creating && (st->pid <= 0 || st->status != MR_STATUS_STOPPED))
		st->status = MR_STATUS_CREATING;
	return 0;
}

int
mr_state_open(const char *root, const char *id, bool exclusive, struct mr_state *st,
	      struct mr_error *err)
{
	return open_state(root, id, exclusive ? STATE_LOCK_EXCLUSIVE : STATE_LOCK_SHARED, st, err);
}

int
mr_state_peek(const char *root, const char *id, struct mr_state *st, struct mr_error *err)
{
	return open_state(root, id, STATE_LOCK_PEEK, st, err);
}

void
mr_state_refresh(struct mr_state *st)
{
	if (st->pid <= 0) {
		/* No init yet: a create holds the lock until it has one, so it died. */
		st->status = MR_STATUS_STOPPED;
		return;
	}
	unsigned long long t = mr_proc_start_time(st->pid);
	if (t == 0 || t != st->start_time) {
		st->status = MR_STATUS_STOPPED;
		return;
	}
	/* The fifo is there until start has opened it: the init still waits. */
	st->status = faccessat(st->dirfd, MR_STATE_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0
			 ? MR_STATUS_CREATED
			 : MR_STATUS_RUNNING;
	/* A frozen cgroup (pause) is what "paused" is: asked from anywhere, seen here. */
	if (st->status == MR_STATUS_RUNNING &&
	    mr_freezer_frozen(st->cgroup_paths, st->n_cgroup_paths))
		st->status = MR_STATUS_PAUSED;
}

static json_t *
state_json(const struct mr_state *st, bool full)
{
	json_t *a = json_object();
	for (size_t i = 0; a && i < st->n_annotations; i++)
		json_object_set_new(a, st->annotations[2 * i],
				    json_string(st->annotations[2 * i + 1]));
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion",
			      st->oci_version ? st->oci_version : MR_OCI_VERSION, "id", st->id,
			      "status", mr_status_name(st->status), "pid",
			      (json_int_t)(st->status == MR_STATUS_STOPPED && !full ? 0 : st->pid),
			      "bundle", st->bundle ? st->bundle : "");
	if (j == NULL) {
		json_decref(a);
		return NULL;
	}
	json_object_set_new(j, "rootfs", json_string(st->rootfs ? st->rootfs : ""));
	json_object_set_new(j, "created", json_string(st->created ? st->created : ""));
	if (st->n_annotations > 0 || full)
		json_object_set_new(j, "annotations", a);
	else
		json_decref(a);
	if (full) {
		json_t *cg = json_array();
		for (size_t i = 0; cg && i < st->n_cgroup_paths; i++)
			json_array_append_new(cg, json_string(st->cgroup_paths[i]));
		json_object_set_new(j, "startTime", json_integer((json_int_t)st->start_time));
		json_object_set_new(j, "cgroupPaths", cg);
		if (st->n_cgroup_parents > 0) {
			json_t *pa = json_array();
			for (size_t i = 0; pa && i < st->n_cgroup_parents; i++)
				json_array_append_new(pa, json_string(st->cgroup_parents[i]));
			json_object_set_new(j, "cgroupParents", pa);
		}
	}
	return j;
}

int
mr_state_save(const struct mr_state *st, struct mr_error *err)
{
	json_t *j = state_json(st, true);
	if (j == NULL)
		return mr_error_oom(err, "state");
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (text == NULL)
		return mr_error_oom(err, "state");
	cleanup_close int fd = openat(st->dirfd, "state.json.tmp",
				      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t len = strlen(text);
	/*
	 * No fsync: the rename makes the update atomic for every reader, and the
	 * state does not outlive the machine (its root is /run, a tmpfs, as for
	 * runc and crun).  Where /run is on a disk, an fsync cost ~1 ms a write.
	 */
	bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
	int e = errno;
	free(text);
	if (!ok)
		return mr_error_set(err, e, "%s/state.json", st->dir);
	if (renameat(st->dirfd, "state.json.tmp", st->dirfd, "state.json") < 0)
		return mr_error_set(err, errno, "%s/state.json", st->dir);
	return 0;
}

int
mr_state_remove(struct mr_state *st, struct mr_error *err)
{
	static const char *const files[] = {"state.json", "state.json.tmp", MR_STATE_FIFO,
					    MR_STATE_CONFIG, MR_STATE_HOOKS};
	for (size_t i = 0; i < MR_ARRAY_SIZE(files); i++)
		if (unlinkat(st->dirfd, files[i], 0) < 0 && errno != ENOENT)
			return mr_error_set(err, errno, "%s/%s", st->dir, files[i]);
	if (rmdir(st->dir) < 0 && errno != ENOENT)
		return mr_error_set(err, errno, "state %s", st->dir);
	close(st->dirfd);
	st->dirfd = -1;
	return 0;
}

json_t *
mr_state_json(const struct mr_state *st)
{
	return state_json(st, false);
}

char *
mr_state_to_json(const struct mr_state *st)
{
	json_t *j = state_json(st, false);
	if (j == NULL)
		return NULL;
	char *text = mr_json_text(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return text;
}

int
mr_state_pidfd(const struct mr_state *st, struct mr_error *err)
{
	if (st->pid <= 0)
		return mr_error_set(err, 0, "container %s is not running", st->id);
	int fd = (int)syscall(SYS_pidfd_open, st->pid, 0U);
	/* Checked after the open: from here on the pidfd holds exactly that process. */
	if (fd < 0 || mr_proc_start_time(st->pid) != st->start_time) {
		if (fd >= 0)
			close(fd);
		return mr_error_set(err, 0, "container %s is not running", st->id);
	}
	return fd;
}

/*
 * After the first byte: the init goes on (startContainer hooks, identity,
 * execve) holding the fifo open; EOF once it has exec'ed or died, a message
 * first when it failed.  Its text came through code of ours only (the
 * descriptor is closed on exec), but may quote names of the image: made
 * printable.
 */
static int
read_outcome(const struct mr_state *st, int fifo, struct mr_error *err)
{
	char msg[MR_ERROR_MSG_MAX / 2];
	size_t len = 0;

	for (;;) {
		struct pollfd pfd = {.fd = fifo, .events = POLLIN};
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return mr_error_set(err, errno, "poll");
		}
		ssize_t n = read(fifo, msg + len, sizeof(msg) - 1 - len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0 || (len += (size_t)n) == sizeof(msg) - 1)
			break;
	}
	if (len == 0)
		return 0;
	msg[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	return mr_error_set(err, 0, "container %s: %s", st->id, msg);
}

int
mr_state_start(struct mr_state *st, struct mr_error *err)
{
	cleanup_close int pidfd = mr_state_pidfd(st, err);
	if (pidfd < 0)
		return -1;
	/* Non-blocking: an init that died meanwhile must not hang start. */
	cleanup_close int fifo =
	    openat(st->dirfd, MR_STATE_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fifo < 0)
		return mr_error_set(err, errno, "container %s: exec fifo", st->id);
	for (;;) {
		struct pollfd pfd[2] = {{.fd = fifo, .events = POLLIN},
					{.fd = pidfd, .events = POLLIN}};
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return mr_error_set(err, errno, "poll");
		}
		if (pfd[0].revents & POLLIN) {
			char c;
			if (read(fifo, &c, 1) == 1)
				break;
		}
		if (pfd[1].revents & POLLIN)
			return mr_error_set(err, 0, "container %s exited before it was started",
					    st->id);
		if (pfd[0].revents & POLLHUP) {
			/* The writer came and went without a byte: only its death does that. */
			struct timespec ms = {0, 1000000};
			nanosleep(&ms, NULL);
		}
	}
	unlinkat(st->dirfd, MR_STATE_FIFO, 0);
	if (read_outcome(st, fifo, err) < 0)
		return -1;
	st->status = MR_STATUS_RUNNING;
	return mr_state_save(st, err);
}

static int
signal_cgroup(const struct mr_state *st, int sig, struct mr_error *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n;

	/* Every directory holds the same processes: the first and its nested cgroups say who. */
	if (mr_cgroup_tree_pids(st->cgroup_paths[0], &pids, &n, err) < 0)
		return mr_error_wrap(err, "container %s", st->id);
	/* Race with exits only: a pid of the cgroup is not reused elsewhere yet. */
	for (size_t i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], sig);
	return 0;
}

int
mr_state_signal(const struct mr_state *st, int sig, bool all, struct mr_error *err)
{
	cleanup_close int pidfd = mr_state_pidfd(st, err);
	if (pidfd < 0)
		return -1;
	if (all && st->n_cgroup_paths > 0)
		return signal_cgroup(st, sig, err);
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0U) < 0)
		return mr_error_set(err, errno, "container %s: signal %d", st->id, sig);
	return 0;
}

int
mr_state_destroy(struct mr_state *st, struct mr_error *err)
{
	struct mr_error ignored = {0};
	cleanup_close int pidfd =
	    st->status == MR_STATUS_STOPPED ? -1 : mr_state_pidfd(st, &ignored);

	if (pidfd >= 0) {
		/* PID 1 of its namespace: the kernel kills the rest with it. */
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0U);
		/* A v1-frozen process dies only once thawed. */
		if (st->status == MR_STATUS_PAUSED)
			mr_freezer_set(st->cgroup_paths, st->n_cgroup_paths, false, &ignored);
		/* A pidfd polls readable once the process has exited, reaped or not. */
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
		int r;
		do
			r = poll(&pfd, 1, 10000);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			return mr_error_set(err, 0, "container %s: still alive 10 s after SIGKILL",
					    st->id);
	}
	/* Whatever is left in the cgroup (processes that left the pid namespace too). */
	struct mr_cgroup cg;
	if (mr_cgroup_reopen(st->cgroup_paths, st->n_cgroup_paths, &cg, err) < 0)
		return -1;
	mr_cgroup_destroy(&cg);
	/* Deepest first; one that is not empty (shared) stays. */
	for (size_t i = st->n_cgroup_parents; i-- > 0;)
		if (st->cgroup_parents[i])
			rmdir(st->cgroup_parents[i]);
	return mr_state_remove(st, err);
}

void
mr_state_clear(struct mr_state *st)
{
	if (st->dirfd >= 0)
		close(st->dirfd);
	free(st->id);
	free(st->dir);
	free(st->bundle);
	free(st->rootfs);
	free(st->oci_version);
	free(st->created);
	for (size_t i = 0; i < 2 * st->n_annotations; i++)
		free(st->annotations[i]);
	free(st->annotations);
	for (size_t i = 0; i < st->n_cgroup_paths; i++)
		free(st->cgroup_paths[i]);
	free(st->cgroup_paths);
	for (size_t i = 0; i < st->n_cgroup_parents; i++)
		free(st->cgroup_parents[i]);
	free(st->cgroup_parents);
	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
}
