/* SPDX-License-Identifier: MIT */
/*
 * minirun --target RUNTIME with --seccomp-learn or --seccomp-report: the
 * runtime's own calls after its filter (lib/tools/targets.h) added to the
 * learned profile, or checked against the reported profile after the run.
 */
#ifndef MINIRUN_CMD_RUN_TARGET_H
#define MINIRUN_CMD_RUN_TARGET_H

#include "minirun/minirun.h"

struct mr_run_target {
	struct mr_target target;
	struct mr_learn_extra *extra; /* one per group, for the observer */
	size_t n_extra;
	bool loaded;
	struct mr_strv
	    lines; /* --seccomp-report: what the runtime's calls get, for after the run */
};

/*
 * Before mr_prepare: load spec->seccomp_target (if any) and point the spec's
 * learn extras at it.  --target without --seccomp-learn or --seccomp-report
 * is an error: nothing would use it.
 */
int mr_run_target_setup(struct mr_spec *spec, struct mr_run_target *rt, struct mr_error *err);

/* After the run with --seccomp-report: one line per group the profile denies. */
void mr_run_target_report(const struct mr_run_target *rt);

void mr_run_target_clear(struct mr_run_target *rt);

#endif
