/* SPDX-License-Identifier: MIT */
/*
 * Docker's setupSeccomp (moby profiles/seccomp/seccomp_linux.go): pick the
 * architectures (architectures, or the archMap entry of the native arch), and
 * keep or drop each rule by its includes/excludes against the native arch (in
 * Go's spelling), the bounding capability set and the kernel version.
 */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/utsname.h>

#include <linux/seccomp.h>

#include "seccomp/arch.h"
#include "seccomp/reduce.h"
#include "common/util.h"

int
mr_reduce_env_host(mr_capset bounding, struct mr_reduce_env *env, struct mr_error *err)
{
	struct utsname u;
	int kernel, major;

	memset(env, 0, sizeof(*env));
	env->native_arch = seccomp_arch_native();
	env->go_arch = mr_arch_go_name(env->native_arch);
	if (env->go_arch == NULL)
		env->go_arch = "";
	if (uname(&u) < 0)
		return mr_error_set(err, errno, "seccomp: uname");
	/* moby's getKernelVersion: Sscanf(release, "%d.%d"), so "3.12-rc5" is 3.12. */
	if (sscanf(u.release, "%d.%d", &kernel, &major) != 2 || kernel < 0 || major < 0)
		return mr_error_set(err, 0, "seccomp: cannot read the kernel version from \"%s\"",
				    u.release);
	env->kernel = (unsigned)kernel;
	env->major = (unsigned)major;
	env->bounding = bounding;
	return 0;
}

int
mr_reduce_env_for(mr_capset bounding, uint32_t arch, struct mr_reduce_env *env,
		  struct mr_error *err)
{
	if (mr_reduce_env_host(bounding, env, err) < 0)
		return -1;
	if (arch != 0 && arch != env->native_arch) {
		env->native_arch = arch;
		env->go_arch = mr_arch_go_name(arch);
		if (env->go_arch == NULL)
			env->go_arch = "";
	}
	return 0;
}

/* moby's kernelGreaterEqualThan. */
static bool
kernel_at_least(const struct mr_reduce_env *env, unsigned kernel, unsigned major)
{
	return env->kernel > kernel || (env->kernel == kernel && env->major >= major);
}

/*
 * moby checks "slices.Contains(Bounding, c)" on strings like "CAP_SYS_ADMIN":
 * only the exact upper-case CAP_ name of a capability in the set matches.
 */
static bool
cap_in_bounding(const char *name, mr_capset bounding)
{
	cap_value_t cap;
	if (strncmp(name, "CAP_", 4) != 0 || cap_from_name(name, &cap) < 0 || cap < 0 || cap > 63)
		return false;
	if (!(bounding & MR_CAP_BIT(cap)))
		return false;
	char *canon = cap_to_name(cap);
	if (canon == NULL)
		return false;
	bool same = true;
	/* libcap spells names in lower case ("cap_sys_admin") or "N" for unnamed ones. */
	if (strlen(canon) != strlen(name))
		same = false;
	for (size_t i = 0; same && canon[i]; i++)
		if (toupper((unsigned char)canon[i]) != name[i])
			same = false;
	cap_free(canon);
	return same;
}

static bool
has_string(char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool
rule_applies(const struct mr_prof_rule *r, const struct mr_reduce_env *env)
{
	const struct mr_prof_cond *ex = &r->excludes, *in = &r->includes;

	if (ex->present) {
		if (ex->n_arches > 0 && has_string(ex->arches, ex->n_arches, env->go_arch))
			return false;
		for (size_t i = 0; i < ex->n_caps; i++)
			if (cap_in_bounding(ex->caps[i], env->bounding))
				return false;
		if (ex->has_min_kernel && kernel_at_least(env, ex->min_kernel, ex->min_major))
			return false;
	}
	if (in->present) {
		if (in->n_arches > 0 && !has_string(in->arches, in->n_arches, env->go_arch))
			return false;
		for (size_t i = 0; i < in->n_caps; i++)
			if (!cap_in_bounding(in->caps[i], env->bounding))
				return false;
		if (in->has_min_kernel && !kernel_at_least(env, in->min_kernel, in->min_major))
			return false;
	}
	return true;
}

void
mr_reduced_clear(struct mr_reduced *r)
{
	free(r->arches);
	free(r->rules);
	memset(r, 0, sizeof(*r));
}

/* One archMap entry: the native arch and its sub-architectures. */
static int
arches_from_archmap(const struct mr_profile *p, size_t i, uint32_t native, struct mr_reduced *r,
		    struct mr_error *err)
{
	const struct mr_prof_archmap *am = &p->archmap[i];

	r->arches = calloc(1 + am->n_sub_arches, sizeof(*r->arches));
	if (r->arches == NULL)
		return mr_error_oomf(err, "seccomp profile %s", p->source);
	r->arches[r->n_arches++] = native;
	for (size_t k = 0; k < am->n_sub_arches; k++) {
		uint32_t t = mr_arch_resolve(am->sub_arches[k]);
		if (t != 0) {
			r->arches[r->n_arches++] = t;
			continue;
		}
		if (am->sub_pos[k].line > 0)
			return mr_error_set(err, 0,
					    "seccomp profile %s:%d:%d: archMap[%zu]: unknown "
					    "architecture \"%s\"",
					    p->source, am->sub_pos[k].line, am->sub_pos[k].column,
					    i, am->sub_arches[k]);
		return mr_error_set(err, 0,
				    "seccomp profile %s: archMap[%zu]: unknown architecture \"%s\"",
				    p->source, i, am->sub_arches[k]);
	}
	return 0;
}

/* "architectures" as given, or the archMap entry of the native arch. */
static int
reduce_arches(const struct mr_profile *p, const struct mr_reduce_env *env, struct mr_reduced *r,
	      struct mr_error *err)
{
	if (p->n_arches > 0) {
		r->arches = malloc(p->n_arches * sizeof(*r->arches));
		if (r->arches == NULL)
			return mr_error_oomf(err, "seccomp profile %s", p->source);
		memcpy(r->arches, p->arches, p->n_arches * sizeof(*r->arches));
		r->n_arches = p->n_arches;
	}
	/* moby: the first matching entry only. */
	for (size_t i = 0; i < p->n_archmap; i++)
		if (mr_arch_resolve(p->archmap[i].arch) == env->native_arch)
			return arches_from_archmap(p, i, env->native_arch, r, err);
	return 0;
}

int
mr_profile_reduce(const struct mr_profile *p, const struct mr_reduce_env *env,
		  struct mr_reduced *out, struct mr_error *err)
{
	cleanup_reduced struct mr_reduced r = {.profile = p};

	memset(out, 0, sizeof(*out));
	if (p->unconfined) {
		out->profile = p;
		return 0;
	}
	r.default_act = p->default_action;
	r.default_action = mr_act_value(p->default_action, p->default_errno);
	/* runc and crun: SPEC_ALLOW unless the profile says which flags it wants. */
	r.flags = p->has_flags ? p->flags : SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	if (reduce_arches(p, env, &r, err) < 0)
		return -1;
	if (p->n_rules > 0) {
		r.rules = calloc(p->n_rules, sizeof(*r.rules));
		if (r.rules == NULL)
			return mr_error_oomf(err, "seccomp profile %s", p->source);
	}
	for (size_t i = 0; i < p->n_rules; i++)
		if (rule_applies(&p->rules[i], env))
			r.rules[r.n_rules++] = &p->rules[i];
	*out = r;
	memset(&r, 0, sizeof(r));
	return 0;
}

/* ---- added for `minirun profile explain`: the same decision, with its reason ---- */

static void
list_join(char *buf, size_t len, char **list, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", list[i]);
		if (w < 0)
			return;
		off += (size_t)w;
	}
}

/*
 * rule_applies, with the reason: the first exclude that fires or include
 * that fails ("includes.caps CAP_SYS_ADMIN not in the bounding set"), or for
 * a kept rule with conditions, why they hold.  why is "" for a rule without
 * includes/excludes.  Kept in step with rule_applies by a unit test that
 * compares the two on Docker's default profile.
 */
bool
mr_rule_applies_why(const struct mr_prof_rule *r, const struct mr_reduce_env *env, char *why,
		    size_t len)
{
	const struct mr_prof_cond *ex = &r->excludes, *in = &r->includes;
	char list[256];
	size_t off = 0;

	why[0] = '\0';
	if (ex->present) {
		if (ex->n_arches > 0 && has_string(ex->arches, ex->n_arches, env->go_arch)) {
			snprintf(why, len, "excludes.arches lists %s", env->go_arch);
			return false;
		}
		for (size_t i = 0; i < ex->n_caps; i++)
			if (cap_in_bounding(ex->caps[i], env->bounding)) {
				snprintf(why, len, "excludes.caps %s is in the bounding set",
					 ex->caps[i]);
				return false;
			}
		if (ex->has_min_kernel && kernel_at_least(env, ex->min_kernel, ex->min_major)) {
			snprintf(why, len, "excludes.minKernel %u.%u: the kernel is %u.%u",
				 ex->min_kernel, ex->min_major, env->kernel, env->major);
			return false;
		}
	}
	if (in->present) {
		if (in->n_arches > 0 && !has_string(in->arches, in->n_arches, env->go_arch)) {
			list_join(list, sizeof(list), in->arches, in->n_arches);
			snprintf(why, len, "includes.arches [%s] lacks %s", list, env->go_arch);
			return false;
		}
		for (size_t i = 0; i < in->n_caps; i++)
			if (!cap_in_bounding(in->caps[i], env->bounding)) {
				snprintf(why, len, "includes.caps %s not in the bounding set",
					 in->caps[i]);
				return false;
			}
		if (in->has_min_kernel && !kernel_at_least(env, in->min_kernel, in->min_major)) {
			snprintf(why, len, "includes.minKernel %u.%u: the kernel is %u.%u",
				 in->min_kernel, in->min_major, env->kernel, env->major);
			return false;
		}
	}
	/* Kept: say which conditions held, so "--cap-add" effects are visible. */
	if (in->present && in->n_caps > 0 && off < len) {
		list_join(list, sizeof(list), in->caps, in->n_caps);
		int w =
		    snprintf(why + off, len - off, "includes.caps %s in the bounding set", list);
		off += w > 0 ? (size_t)w : 0;
	}
	if (in->present && in->n_arches > 0 && off < len) {
		int w = snprintf(why + off, len - off, "%sincludes.arches has %s", off ? ", " : "",
				 env->go_arch);
		off += w > 0 ? (size_t)w : 0;
	}
	if (in->present && in->has_min_kernel && off < len) {
		int w = snprintf(why + off, len - off, "%sincludes.minKernel %u.%u",
				 off ? ", " : "", in->min_kernel, in->min_major);
		off += w > 0 ? (size_t)w : 0;
	}
	if (ex->present && ex->n_caps > 0 && off < len) {
		list_join(list, sizeof(list), ex->caps, ex->n_caps);
		snprintf(why + off, len - off, "%sexcludes.caps %s not in the bounding set",
			 off ? ", " : "", list);
	}
	return true;
}
