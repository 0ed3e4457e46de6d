/* SPDX-License-Identifier: MIT */
/*
 * Internal: deployment targets (--target RUNTIME).  A profile learned under
 * minirun covers the workload and minirun's own calls, but runc and crun
 * make calls of their own after they installed the container's filter
 * (dropping capabilities, changing user, closing fds, checking /proc, the
 * execve of the workload): a profile that denies one of them stops the
 * container from starting there.  examples/targets/RUNTIME.json lists them,
 * measured by tests/targets/measure.sh, per condition (noNewPrivileges,
 * user, terminal); the lists are embedded in minirun at build time.
 *
 * Composite targets (docker, podman, containerd, cri-o, kubernetes) name the
 * runtimes they run ("uses") and get the union of their lists.
 */
#ifndef MINIRUN_TOOLS_TARGETS_H
#define MINIRUN_TOOLS_TARGETS_H

#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"
#include "tools/explain.h"

/* -1: any; otherwise the value the condition must have. */
struct mr_target_when {
	signed char nnp;     /* noNewPrivileges: 0 false, 1 true */
	signed char nonroot; /* user: 0 root, 1 non-root */
	signed char tty;     /* terminal: 0 false, 1 true */
};

struct mr_target_group {
	struct mr_target_when when;
	struct mr_strv names; /* sorted, unique */
};

struct mr_target {
	char *name;	/* as given: "kubernetes", "./my-runc.json" */
	char *runtimes; /* what was measured: "runc version 1.1.5+ds1 (...); crun ..." */
	char *via;	/* the measured runtimes' names: "runc", "runc or crun" */
	struct mr_target_group *groups; /* most general first ("always") */
	size_t n_groups;
};

/* "docker, runc, crun, podman, containerd, cri-o, kubernetes" (static). */
const char *mr_target_known(void);

/*
 * name: a built-in target, or a path to a file in the format of
 * examples/targets/ (containing '/' or ending in ".json").
 */
int mr_target_load(const char *name, struct mr_target *t, struct mr_error *err);
void mr_target_clear(struct mr_target *t);

/* "always", "when noNewPrivileges is false and the user is not root", ... (malloc'ed). */
char *mr_target_when_text(const struct mr_target_when *w);

/* What a profile denies of one group. */
struct mr_target_gap {
	const struct mr_target_group *group;
	/* "fstatfs", or "prctl (allowed only for some arguments)" */
	struct mr_strv names;
};

/*
 * The calls of t that the compiled profile x does not allow unconditionally
 * (ALLOW or LOG), one gap per group that has any.  *n == 0: the runtime's
 * own calls are all allowed.
 */
int mr_target_gaps(const struct mr_explained *x, const struct mr_target *t,
		   struct mr_target_gap **out, size_t *n, struct mr_error *err);
void mr_target_gaps_free(struct mr_target_gap *v, size_t n);

/*
 * One line for a gap: "the profile denies fstatfs, futex, which runc calls
 * after installing the filter (always): the container would not start under
 * runc" (malloc'ed, no newline).
 */
char *mr_target_gap_text(const struct mr_target *t, const struct mr_target_gap *g);

/* The comment of the rule --seccomp-learn --target adds for a group (malloc'ed). */
char *mr_target_learn_comment(const struct mr_target *t, const struct mr_target_group *g);

#endif
