/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_CGROUP_H
#define MINIRUN_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/launch.h"

/*
 * One cgroup per container (as root; rootless minirun creates none).  It is
 * made below the cgroup minirun itself runs in -- in each cgroup v1
 * hierarchy it uses and in the cgroup2 hierarchy, or only in cgroup2 on a
 * pure v2 host -- or below --cgroup-parent (relative to each hierarchy's
 * root, as Docker).  Its name is "minirun-<container id>".
 *
 * The order, in the parent:
 *   mr_cgroup_create   before clone: sweep stale ones, mkdir, limits, devices
 *   mr_cgroup_enter    the child's pid into every cgroup.procs, while the
 *                      child waits (it then unshares its cgroup namespace,
 *                      so that namespace is rooted at these cgroups)
 *   mr_cgroup_oom_killed  after the container's init died of SIGKILL
 *   mr_cgroup_destroy  every process left is killed, every directory removed
 */

#define MR_CGROUP_MAX_DIRS 10

struct mr_cgroup_dir {
	char *path;	/* absolute path of the directory minirun created */
	int dfd;	/* open on it, flock(LOCK_SH) held: "in use, not stale" */
	unsigned ctrls; /* MR_CG_* controllers of this hierarchy minirun uses */
	bool v2;
};

struct mr_cgroup {
	size_t n;
	struct mr_cgroup_dir dirs[MR_CGROUP_MAX_DIRS];
	char *parents[MR_CGROUP_MAX_DIRS * 4]; /* --cgroup-parent components minirun made */
	size_t n_parents;
	int64_t memory_limit; /* for the out-of-memory message */
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

/* Parent, before clone.  Rootless: does nothing.  On failure nothing is left. */
int mr_cgroup_create(const struct mr_prepared *p, struct mr_cgroup *cg, struct mr_error *err);

/* Parent, after clone, while the child waits: move PID into every cgroup. */
int mr_cgroup_enter(struct mr_cgroup *cg, pid_t pid, struct mr_error *err);

/* Did the memory controller's OOM killer kill a process of the container? */
bool mr_cgroup_oom_killed(const struct mr_cgroup *cg);

/*
 * Kill every process still in the cgroup (cgroup.kill on cgroup2, else
 * freeze / SIGKILL / thaw with the v1 freezer) and remove every directory
 * minirun created.  Safe on a zeroed or never-created struct.
 */
void mr_cgroup_destroy(struct mr_cgroup *cg);

#endif
