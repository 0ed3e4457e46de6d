/* SPDX-License-Identifier: MIT */
/* minirun --target RUNTIME for --seccomp-learn and --seccomp-report (run-target.h). */
#include "run-target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * --seccomp-report: what the runtime's own calls get from the profile, worked
 * out before the run from the profile as it is now (not read again after it),
 * into rt->lines for mr_run_target_report.
 */
static int
report_lines(const struct mr_spec *spec, struct mr_run_target *rt, struct mr_error *err)
{
	const char *name = spec->seccomp ? spec->seccomp : "runtime/default";
	cleanup_profile struct mr_profile *p = NULL;
	struct mr_explained x;
	struct mr_reduce_env env;
	struct mr_target_gap *g = NULL;
	size_t n = 0;

	if (strcmp(name, "unconfined") == 0 || strcmp(name, "Unconfined") == 0)
		return 0;
	if (strncmp(name, "localhost/", 10) == 0)
		name += 10;
	/*
	 * Docker's default capabilities: what the runtime gives a container
	 * deployed there, whatever this run's --cap-add said.
	 */
	if (mr_profile_load_named(name, &p, err) < 0 ||
	    mr_reduce_env_for(mr_caps_docker_default(), 0, &env, err) < 0 ||
	    mr_explain_prepare(p, &env, &x, err) < 0)
		return mr_error_wrap(err, "--target %s", rt->target.name);
	int r = mr_target_gaps(&x, &rt->target, &g, &n, err);
	if (r == 0 && n == 0)
		r = mr_strv_addf(&rt->lines,
				 "the runtime's own calls after its filter are all allowed "
				 "(measured: %s)",
				 rt->target.runtimes);
	for (size_t i = 0; r == 0 && i < n; i++) {
		char *line = mr_target_gap_text(&rt->target, &g[i]);
		r = line ? mr_strv_addf(&rt->lines, "%s", line) : -1;
		free(line);
	}
	mr_target_gaps_free(g, n);
	mr_explained_clear(&x);
	if (r < 0 && err->msg[0] == '\0')
		mr_error_oom(err, "--target");
	return r < 0 ? mr_error_wrap(err, "--target %s", rt->target.name) : 0;
}

int
mr_run_target_setup(struct mr_spec *spec, struct mr_run_target *rt, struct mr_error *err)
{
	*rt = (struct mr_run_target){0};
	if (spec->seccomp_target == NULL)
		return 0;
	if (!spec->seccomp_learn && !spec->seccomp_report)
		return mr_error_set(err, 0,
				    "--target %s: only with --seccomp-learn (add the runtime's "
				    "calls) or --seccomp-report (check for them); for a profile "
				    "file: minirun profile check --target %s FILE",
				    spec->seccomp_target, spec->seccomp_target);
	if (mr_target_load(spec->seccomp_target, &rt->target, err) < 0)
		return -1;
	rt->loaded = true;
	if (spec->seccomp_report && report_lines(spec, rt, err) < 0)
		return -1;
	if (!spec->seccomp_learn)
		return 0;
	rt->extra = calloc(rt->target.n_groups ? rt->target.n_groups : 1, sizeof(*rt->extra));
	if (rt->extra == NULL)
		return mr_error_oom(err, "--target");
	/*
	 * Every condition's calls: a learned profile cannot know whether it
	 * will run with noNewPrivileges, as root or with a terminal, and Docker's
	 * and Kubernetes' defaults (NNP off) need the most.
	 */
	for (size_t i = 0; i < rt->target.n_groups; i++) {
		const struct mr_target_group *g = &rt->target.groups[i];
		char *c = mr_target_learn_comment(&rt->target, g);
		if (c == NULL)
			return mr_error_oom(err, "--target");
		rt->extra[rt->n_extra++] =
		    (struct mr_learn_extra){.comment = c, .names = g->names.v, .n = g->names.n};
	}
	spec->seccomp_learn_extra = rt->extra;
	spec->n_seccomp_learn_extra = rt->n_extra;
	return 0;
}

void
mr_run_target_report(const struct mr_run_target *rt)
{
	for (size_t i = 0; i < rt->lines.n; i++)
		fprintf(stderr, "minirun: seccomp: --target %s: %s\n", rt->target.name,
			rt->lines.v[i]);
}

void
mr_run_target_clear(struct mr_run_target *rt)
{
	for (size_t i = 0; i < rt->n_extra; i++)
		free((char *)rt->extra[i].comment);
	free(rt->extra);
	if (rt->loaded)
		mr_target_clear(&rt->target);
	mr_strv_clear(&rt->lines);
	*rt = (struct mr_run_target){0};
}
