/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_CGROUP_H
#define MINIRUN_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/prepare.h"

/*
 * One cgroup per container as root.  It is made below the cgroup minirun
 * itself runs in -- in each cgroup v1 hierarchy it uses and in the cgroup2
 * hierarchy, or only in cgroup2 on a pure v2 host -- or below
 * --cgroup-parent (relative to each hierarchy's root, as Docker).  Rootless,
 * only when a limit asks for one: a single cgroup2 directory next to
 * minirun's own, in the parent cgroup when that is delegated to the caller
 * (cgroup.c: rootless_parent()), else a limit is refused.  Its name is
 * "minirun-<container id>".
 *
 * The order:
 *   mr_cgroup_create   parent, before clone: sweep stale ones, mkdir,
 *                      limits, devices
 *   clone3             CLONE_INTO_CGROUP into the cgroup2 directory
 *   mr_cgroup_join_self  the child, before anything else, moves itself into
 *                      each v1 cgroup; it then waits for minirun and
 *                      unshares its cgroup namespace, so that namespace is
 *                      rooted at these cgroups
 *   mr_cgroup_oom_killed  after the container's init died of SIGKILL
 *   mr_cgroup_destroy  every process left is killed, every directory removed
 */

#define MR_CGROUP_MAX_DIRS 16

struct mr_cgroup_dir {
	char *path;	/* absolute path of the directory minirun created */
	int dfd;	/* open on it, flock(LOCK_SH) held: "in use, not stale" */
	unsigned ctrls; /* MR_CG_* controllers of this hierarchy minirun uses */
	bool v2;
	bool hidden; /* made only for its namespace root (every_hierarchy): not mounted in
			/sys/fs/cgroup (each cgroup mount costs a start about 0.1 ms) */
};

struct mr_cgroup {
	size_t n;
	struct mr_cgroup_dir dirs[MR_CGROUP_MAX_DIRS];
	/* cgroup parent components minirun made: mr_cgroup_check bounds the depth */
	char *parents[MR_CGROUP_MAX_DIRS * MR_CGROUP_MAX_PARENT_DEPTH];
	size_t n_parents;
	int64_t memory_limit; /* for the out-of-memory message */
	bool cloned_into;     /* the child was created in the cgroup2 directory */
	bool disabled;	      /* --cgroups=disabled: none made */
};

#define MR_CGROUP_INIT                                                                             \
	{                                                                                          \
		.n = 0                                                                             \
	}

/*
 * Checks in mr_prepare, before anything exists: a limit asked for rootless,
 * --memory-swap without --memory or below it, --cpus above the CPU count,
 * --cgroup-parent with "..".
 */
int mr_cgroup_check(const struct mr_spec *spec, bool rootless, struct mr_error *err);

/*
 * --cgroups=disabled as real root (not --privileged): no device policy
 * exists, so the root and the volumes are mounted nodev (mounts.c,
 * volumes.c) and CAP_MKNOD is never granted (mr_cgroup_check).
 */
bool mr_cgroup_devices_unguarded(const struct mr_spec *spec, bool userns);

/*
 * Parent, before clone.  Rootless without a limit: does nothing.  On
 * failure nothing is left.  PAUSABLE: an OCI container, which `pause` may
 * freeze and `kill --all` may empty while minirun is gone; on cgroup v1
 * without cgroup2's cgroup.kill it then gets a freezer directory.
 */
int mr_cgroup_create(const struct mr_prepared *p, bool pausable, struct mr_cgroup *cg,
		     struct mr_error *err);

/*
 * Parent, for clone3: the cgroup2 directory to start the child in
 * (CLONE_INTO_CGROUP), or -1.  mr_cgroup_clone_into_failed() when the kernel
 * refused the flag (before 5.7): the child then joins it itself.
 */
int mr_cgroup_clone_fd(struct mr_cgroup *cg);
void mr_cgroup_clone_into_failed(struct mr_cgroup *cg);

/*
 * Container process, first thing after clone (it is single-threaded and runs
 * nothing of the image yet): join every cgroup.  Moving oneself into a v1
 * hierarchy through "tasks" with pid 0 spares the kernel its global
 * cgroup_threadgroup_rwsem write lock, an RCU grace period (~0.7 ms here)
 * that a cgroup.procs write of another pid pays.
 */
int mr_cgroup_join_self(const struct mr_cgroup *cg, struct mr_error *err);

/*
 * Container process: does the container have a cgroup of its own in the
 * hierarchy whose controllers /proc/self/cgroup lists as CONTROLLERS
 * ("cpu,cpuacct"; "" for cgroup2), one to show in /sys/fs/cgroup?  In any other its cgroup
 * namespace is rooted at minirun's cgroup, or at the hierarchy's root: cgroup-mount.c mounts only
 * these.
 */
bool mr_cgroup_has_own(const struct mr_cgroup *cg, const char *controllers);

/* Did the memory controller's OOM killer kill a process of the container? */
bool mr_cgroup_oom_killed(const struct mr_cgroup *cg);

/*
 * After the run: a container that died of SIGKILL because the OOM killer
 * chose it becomes an error with exit status 137 and the line Docker users
 * need ("NAME: killed: out of memory (memory limit 64 MiB)").  Returns 0
 * when that is not what happened.
 */
int mr_cgroup_check_oom(const struct mr_cgroup *cg, const struct mr_prepared *p, int exit_status,
			struct mr_error *err);

/*
 * Kill every process still in the cgroup (cgroup.kill on cgroup2, else
 * freeze / SIGKILL / thaw with the v1 freezer) and remove every directory
 * minirun created.  Safe on a zeroed or never-created struct.
 */
void mr_cgroup_destroy(struct mr_cgroup *cg);

/*
 * What was applied, read back from the cgroup files, one line each with
 * PREFIX: "cgroup CONTROLLERS: PATH" for each directory, then "limit NAME:
 * VALUE" for each limit file of the controllers used and "device RULE" for
 * each line of devices.list (v1).  For --verbose.
 */
void mr_cgroup_print(const struct mr_cgroup *cg, const char *prefix, FILE *out);

/*
 * The same for a running process (minirun inspect PID): its minirun-<id>
 * cgroups, found in /proc/PID/cgroup.  Only reads.
 */
int mr_cgroup_inspect(pid_t pid, const char *prefix, FILE *out, struct mr_error *err);

/*
 * The OCI runtime's delete: the directories a detached container's create
 * made (PATHS, from its state), opened again so that mr_cgroup_destroy can
 * empty and remove them.  Missing ones are skipped.  Locks are not taken:
 * a live minirun holds none on them (its create has exited).
 */
int mr_cgroup_reopen(char *const *paths, size_t n, struct mr_cgroup *cg, struct mr_error *err);

/*
 * The OCI runtime's ps and kill --all: every pid in the cgroup DIR and in
 * the cgroups below it, which a container with CAP_SYS_ADMIN makes in its
 * own (systemd, docker in a container; runc's ps and kill --all see them).
 * *PIDS is malloc'ed.  Nested deeper than MR_CGROUP_TREE_DEPTH: an error,
 * not a list that silently leaves processes out.
 */
#define MR_CGROUP_TREE_DEPTH 64
int mr_cgroup_tree_pids(const char *dir, pid_t **pids, size_t *n, struct mr_error *err);

#define cleanup_cgroup __attribute__((cleanup(mr_cgroup_destroy)))

#endif
