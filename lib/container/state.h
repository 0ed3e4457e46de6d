/* SPDX-License-Identifier: MIT */
/*
 * The OCI runtime's state: one directory per container below the state root
 * (--root, default /run/minirun, mode 0700), named by the container id:
 *
 *   ROOT/ID/state.json   the spec's state (ociVersion, id, status, pid,
 *                        bundle, annotations) and minirun's own keys (the
 *                        init's start time, the cgroup directories, rootfs,
 *                        created)
 *   ROOT/ID/config.json  the bundle's config.json as create read it: exec's
 *                        process joins the container with its seccomp profile
 *                        (lib/container/exec.h)
 *   ROOT/ID/hooks.json   the config's OCI hooks as create parsed them (only if
 *                        any): start runs poststart, delete poststop from
 *                        it (lib/container/hooks.h)
 *   ROOT/ID/exec.fifo    while the container is "created": its init blocks
 *                        opening it for writing until `start` opens it for
 *                        reading (lib/container/launch.c); `start` removes it.
 *                        The init keeps it open (close-on-exec) through the
 *                        startContainer hooks until its execve, and writes
 *                        there why it failed if it does: `start` reads it to
 *                        the end, so it returns once the command runs
 *
 * Every command holds flock on ROOT/ID for as long as it reads or changes
 * it (exclusive to change, shared to read), so `start` and `delete` of the
 * same container never interleave.
 *
 * The status is never only what the file says: the init is looked up by
 * pid and its start time (field 22 of /proc/PID/stat), so a pid that was
 * reused, a process that is gone or a zombie all read as "stopped".
 */
#ifndef MINIRUN_LIB_STATE_H
#define MINIRUN_LIB_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/error.h"

#define MR_STATE_ROOT_DEFAULT "/run/minirun"
#define MR_STATE_FIFO	      "exec.fifo"
#define MR_STATE_HOOKS	      "hooks.json"

enum mr_status {
	MR_STATUS_CREATING = 0,
	MR_STATUS_CREATED,
	MR_STATUS_RUNNING,
	MR_STATUS_STOPPED,
	MR_STATUS_PAUSED, /* running, its cgroup frozen (pause) */
};

struct mr_state {
	char *id;
	char *dir; /* ROOT/ID */
	int dirfd; /* open on dir, flock held; -1 once removed */
	enum mr_status status;
	pid_t pid;		       /* the container's init, 0 before it exists */
	unsigned long long start_time; /* its start time, in clock ticks after boot */
	char *bundle;
	char *rootfs;
	char *oci_version;
	char *created;	    /* RFC 3339, UTC */
	char **annotations; /* key, value pairs */
	size_t n_annotations;
	char **cgroup_paths; /* the directories minirun made (lib/container/cgroup.c) */
	size_t n_cgroup_paths;
	/*
	 * The cgroupsPath directories minirun made for them, in the order made:
	 * cgroupsPath is the container's own cgroup (podman's libpod-ID), so
	 * delete removes it too, as runc does.
	 */
	char **cgroup_parents;
	size_t n_cgroup_parents;
};

/* "status" as the spec spells it. */
const char *mr_status_name(enum mr_status s);

/* A container id: [A-Za-z0-9_.-]+, not "." or "..", at most 1024 bytes. */
int mr_state_check_id(const char *id, struct mr_error *err);

/*
 * create: make ROOT (0700) if needed and ROOT/ID, locked exclusively,
 * status "creating".  An existing ID is an error ("already exists").
 */
/*
 * ROOT (described by *st) may hold the caller's state: owned by the caller
 * and writable by no one else.  0, or -1 with err set.
 */
int mr_state_check_root(const char *root, const struct stat *st, struct mr_error *err);

int mr_state_new(const char *root, const char *id, struct mr_state *st, struct mr_error *err);

/*
 * Every other command: open ROOT/ID, lock it (EXCLUSIVE or shared), read
 * state.json and look at the init (mr_state_refresh).  A missing one is
 * "container ID does not exist".
 */
int mr_state_open(const char *root, const char *id, bool exclusive, struct mr_state *st,
		  struct mr_error *err);

/*
 * mr_state_open for the commands that only look (state, list): a create
 * that still holds the lock (its hooks running) is not waited for but
 * shown as "creating", as the OCI spec names that state; runc takes no
 * lock to look either.
 */
int mr_state_peek(const char *root, const char *id, struct mr_state *st, struct mr_error *err);

/* Look at the init again: created, running or stopped. */
void mr_state_refresh(struct mr_state *st);

/* Write state.json (a temporary file renamed over it: never half-written). */
int mr_state_save(const struct mr_state *st, struct mr_error *err);

/* Remove every file of ROOT/ID and the directory; the lock goes with it. */
int mr_state_remove(struct mr_state *st, struct mr_error *err);

/* The spec's state object (a new reference), NULL when out of memory. */
json_t *mr_state_json(const struct mr_state *st);

/* The spec's state JSON (`minirun state ID`), malloc'ed, with a final newline. */
char *mr_state_to_json(const struct mr_state *st);

/*
 * A pidfd of the init, checked to be that process (its start time), or -1
 * with err "container ID is not running" when it is gone.
 */
int mr_state_pidfd(const struct mr_state *st, struct mr_error *err);

/* Start time of PID (field 22 of /proc/PID/stat); 0 if gone or a zombie. */
unsigned long long mr_proc_start_time(pid_t pid);

/*
 * start: open the exec fifo for reading, which lets the init waiting to
 * open it for writing go on to its command; then remove the fifo, read it
 * to the end (EOF: the command was exec'ed; a message: the init failed
 * before, as that message says) and save "running".  An init that dies
 * meanwhile is an error, never a hang.
 */
int mr_state_start(struct mr_state *st, struct mr_error *err);

/*
 * kill: SIG to the init, or with ALL to every process of the container's
 * cgroup (the init alone when rootless: there is no cgroup).
 */
int mr_state_signal(const struct mr_state *st, int sig, bool all, struct mr_error *err);

/*
 * delete: SIGKILL the init if it is alive and wait (up to 10 s) for it to
 * exit, then empty and remove the cgroup, then the state directory.
 */
int mr_state_destroy(struct mr_state *st, struct mr_error *err);

void mr_state_clear(struct mr_state *st);
/* Declared {.dirfd = -1}; the dirfd holds the flock, so clearing lets the lock go. */
#define cleanup_state __attribute__((cleanup(mr_state_clear)))

#endif
