/* SPDX-License-Identifier: MIT */
/*
 * Deployment targets: the system calls a container runtime makes after it
 * installed the container's seccomp filter (lib/tools/targets.h).
 */
#include "tools/targets.h"

#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "seccomp/profile.h"
#include "targets-data.h"

/* Composite targets name runtimes, never other composite targets. */
#define MAX_DEPTH 2

const char *
mr_target_known(void)
{
	return "docker, runc, crun, podman, containerd, cri-o, kubernetes";
}

static void
group_clear(struct mr_target_group *g)
{
	mr_strv_clear(&g->names);
}

void
mr_target_clear(struct mr_target *t)
{
	for (size_t i = 0; i < t->n_groups; i++)
		group_clear(&t->groups[i]);
	free(t->groups);
	free(t->name);
	free(t->runtimes);
	free(t->via);
	*t = (struct mr_target){0};
}

static bool
when_equal(const struct mr_target_when *a, const struct mr_target_when *b)
{
	return a->nnp == b->nnp && a->nonroot == b->nonroot && a->tty == b->tty;
}

/* Every run a needs the call in is also a run b covers: a is at least as general. */
static bool
when_covers(const struct mr_target_when *a, const struct mr_target_when *b)
{
	return (a->nnp < 0 || a->nnp == b->nnp) && (a->nonroot < 0 || a->nonroot == b->nonroot) &&
	       (a->tty < 0 || a->tty == b->tty);
}

static int
when_rank(const struct mr_target_when *w)
{
	return (w->nnp >= 0) + (w->nonroot >= 0) + (w->tty >= 0);
}

/* The group for w, made if needed. */
static struct mr_target_group *
group_for(struct mr_target *t, const struct mr_target_when *w)
{
	for (size_t i = 0; i < t->n_groups; i++)
		if (when_equal(&t->groups[i].when, w))
			return &t->groups[i];
	struct mr_target_group *v = realloc(t->groups, (t->n_groups + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	t->groups = v;
	v[t->n_groups] = (struct mr_target_group){.when = *w};
	return &v[t->n_groups++];
}

static int
add_runtimes(struct mr_target *t, const char *s)
{
	if (t->runtimes != NULL && strstr(t->runtimes, s) != NULL)
		return 0;
	char *n = NULL;
	if (asprintf(&n, "%s%s%s", t->runtimes ? t->runtimes : "", t->runtimes ? "; " : "", s) < 0)
		return -1;
	free(t->runtimes);
	t->runtimes = n;
	return 0;
}

static int
parse_bool_cond(json_t *when, const char *key, signed char *out, const char *source,
		struct mr_error *err)
{
	json_t *v = json_object_get(when, key);
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return mr_error_set(err, 0, "target %s: \"when\".%s must be true or false", source,
				    key);
	*out = json_is_true(v) ? 1 : 0;
	return 0;
}

static int load_depth(const char *name, struct mr_target *t, int depth, struct mr_error *err);

/* Add the lists of one parsed file to t. */
static int
merge_doc(json_t *doc, const char *source, struct mr_target *t, int depth, struct mr_error *err)
{
	if (!json_is_object(doc))
		return mr_error_set(err, 0, "target %s: not a JSON object", source);
	json_t *uses = json_object_get(doc, "uses");
	json_t *calls = json_object_get(doc, "syscalls");
	if ((uses == NULL) == (calls == NULL))
		return mr_error_set(err, 0,
				    "target %s: needs either \"syscalls\" (a measured list) or "
				    "\"uses\" (the runtimes it runs)",
				    source);
	if (uses != NULL) {
		size_t i;
		json_t *u;
		if (!json_is_array(uses) || json_array_size(uses) == 0)
			return mr_error_set(err, 0, "target %s: \"uses\" must be a list of names",
					    source);
		if (depth >= MAX_DEPTH)
			return mr_error_set(
			    err, 0, "target %s: \"uses\" may name only measured runtimes", source);
		json_array_foreach(uses, i, u)
		{
			if (!json_is_string(u))
				return mr_error_set(
				    err, 0, "target %s: \"uses\"[%zu] is not a name", source, i);
			if (load_depth(json_string_value(u), t, depth + 1, err) < 0)
				return -1;
		}
		return 0;
	}

	json_t *m = json_object_get(doc, "measured");
	json_t *rt = json_is_object(m) ? json_object_get(m, "runtime") : NULL;
	if (add_runtimes(t, json_is_string(rt) ? json_string_value(rt) : source) < 0)
		return mr_error_oom(err, "target");
	json_t *tn = json_object_get(doc, "target");
	char *via = NULL;
	if (asprintf(&via, "%s%s%s", t->via ? t->via : "", t->via ? " or " : "",
		     json_is_string(tn) ? json_string_value(tn) : source) < 0)
		return mr_error_oom(err, "target");
	free(t->via);
	t->via = via;
	if (!json_is_array(calls))
		return mr_error_set(err, 0, "target %s: \"syscalls\" must be a list", source);
	size_t i;
	json_t *g;
	json_array_foreach(calls, i, g)
	{
		json_t *when = json_object_get(g, "when");
		json_t *names = json_object_get(g, "names");
		struct mr_target_when w = {-1, -1, -1};
		if (!json_is_object(g) || (when != NULL && !json_is_object(when)) ||
		    !json_is_array(names))
			return mr_error_set(err, 0,
					    "target %s: syscalls[%zu] needs \"names\" (a list) and "
					    "may have \"when\" (an object)",
					    source, i);
		if (when != NULL) {
			json_t *user = json_object_get(when, "user");
			const char *key;
			json_t *val;
			json_object_foreach(when, key, val)
			{
				if (strcmp(key, "noNewPrivileges") != 0 &&
				    strcmp(key, "user") != 0 && strcmp(key, "terminal") != 0)
					return mr_error_set(err, 0,
							    "target %s: syscalls[%zu]: unknown "
							    "condition \"%s\" (noNewPrivileges, "
							    "user, terminal)",
							    source, i, key);
			}
			if (parse_bool_cond(when, "noNewPrivileges", &w.nnp, source, err) < 0 ||
			    parse_bool_cond(when, "terminal", &w.tty, source, err) < 0)
				return -1;
			if (user != NULL) {
				const char *s = json_string_value(user);
				if (s == NULL ||
				    (strcmp(s, "root") != 0 && strcmp(s, "non-root") != 0))
					return mr_error_set(
					    err, 0,
					    "target %s: \"user\" must be \"root\" or \"non-root\"",
					    source);
				w.nonroot = strcmp(s, "non-root") == 0;
			}
		}
		struct mr_target_group *grp = group_for(t, &w);
		if (grp == NULL)
			return mr_error_oom(err, "target");
		size_t j;
		json_t *n;
		json_array_foreach(names, j, n)
		{
			if (!json_is_string(n))
				return mr_error_set(err, 0,
						    "target %s: syscalls[%zu].names[%zu] is "
						    "not a string",
						    source, i, j);
			if (mr_strv_addf(&grp->names, "%s", json_string_value(n)) < 0)
				return mr_error_oom(err, "target");
		}
	}
	return 0;
}

static int
load_depth(const char *name, struct mr_target *t, int depth, struct mr_error *err)
{
	json_error_t je;
	json_t *doc = NULL;
	size_t len = strlen(name);

	if (strchr(name, '/') != NULL || (len > 5 && strcmp(name + len - 5, ".json") == 0)) {
		cleanup_free char *text = NULL;
		size_t text_len = 0;
		if (mr_profile_read(name, &text, &text_len, err) < 0)
			return -1;
		doc = json_loadb(text, text_len, 0, &je);
		if (doc == NULL)
			return mr_error_set(err, 0, "target %s:%d:%d: %s", name, je.line, je.column,
					    je.text);
	} else {
		for (size_t i = 0; i < MR_ARRAY_SIZE(mr_targets_embedded); i++)
			if (strcmp(mr_targets_embedded[i].name, name) == 0)
				doc = json_loads(mr_targets_embedded[i].text, 0, &je);
		if (doc == NULL)
			return mr_error_set(err, 0,
					    "unknown target \"%s\" (%s, or a path to a JSON file "
					    "like examples/targets/runc.json)",
					    name, mr_target_known());
	}
	int r = merge_doc(doc, name, t, depth, err);
	json_decref(doc);
	return r;
}

static int
cmp_group(const void *a, const void *b)
{
	const struct mr_target_group *x = a, *y = b;
	int d = when_rank(&x->when) - when_rank(&y->when);
	if (d != 0)
		return d;
	if (x->when.nnp != y->when.nnp)
		return x->when.nnp - y->when.nnp;
	if (x->when.nonroot != y->when.nonroot)
		return x->when.nonroot - y->when.nonroot;
	return x->when.tty - y->when.tty;
}

static bool
strv_has(const struct mr_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

int
mr_target_load(const char *name, struct mr_target *t, struct mr_error *err)
{
	*t = (struct mr_target){0};
	if (load_depth(name, t, 1, err) < 0 || (t->name = strdup(name)) == NULL) {
		bool oom = t->name == NULL && err != NULL && err->msg[0] == '\0';
		mr_target_clear(t);
		return oom ? mr_error_oom(err, "target") : -1;
	}
	if (t->n_groups > 1)
		qsort(t->groups, t->n_groups, sizeof(*t->groups), cmp_group);
	/*
	 * A name a more general group already has is dropped from the narrower
	 * one (the union of runc's and crun's lists repeats names): each call is
	 * named once, under the widest condition it is needed in.
	 */
	for (size_t i = 0; i < t->n_groups; i++) {
		struct mr_target_group *g = &t->groups[i];
		mr_strv_sort_uniq(&g->names);
		size_t k = 0;
		for (size_t j = 0; j < g->names.n; j++) {
			bool dup = false;
			for (size_t a = 0; a < i && !dup; a++)
				dup = when_covers(&t->groups[a].when, &g->when) &&
				      strv_has(&t->groups[a].names, g->names.v[j]);
			if (dup)
				free(g->names.v[j]);
			else
				g->names.v[k++] = g->names.v[j];
		}
		g->names.n = k;
	}
	return 0;
}

char *
mr_target_when_text(const struct mr_target_when *w)
{
	char *s = NULL;
	if (when_rank(w) == 0)
		return strdup("always");
	if (asprintf(&s, "when %s%s%s%s%s",
		     w->nnp < 0 ? ""
		     : w->nnp	? "noNewPrivileges is true"
				: "noNewPrivileges is false",
		     w->nnp >= 0 && w->nonroot >= 0 ? " and " : "",
		     w->nonroot < 0 ? ""
		     : w->nonroot   ? "the user is not root"
				    : "the user is root",
		     (w->nnp >= 0 || w->nonroot >= 0) && w->tty >= 0 ? " and " : "",
		     w->tty < 0 ? ""
		     : w->tty	? "there is a terminal"
				: "there is no terminal") < 0)
		return NULL;
	return s;
}

void
mr_target_gaps_free(struct mr_target_gap *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mr_strv_clear(&v[i].names);
	free(v);
}

int
mr_target_gaps(const struct mr_explained *x, const struct mr_target *t, struct mr_target_gap **out,
	       size_t *n, struct mr_error *err)
{
	struct mr_target_gap *v = NULL;
	size_t nv = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < t->n_groups; i++) {
		struct mr_target_gap gap = {.group = &t->groups[i]};
		for (size_t j = 0; j < t->groups[i].names.n; j++) {
			const char *name = t->groups[i].names.v[j];
			struct mr_outcome o = {0};
			if (mr_explain_syscall(x, name, &o, err) < 0) {
				mr_strv_clear(&gap.names);
				mr_target_gaps_free(v, nv);
				return -1;
			}
			uint32_t act = o.ret & SECCOMP_RET_ACTION_FULL;
			bool allowed = o.kind == MR_OUT_UNCONFINED ||
				       /* The runtime's libseccomp does not know it either. */
				       o.kind == MR_OUT_UNKNOWN || o.kind == MR_OUT_NOT_ON_ARCH ||
				       (o.kind == MR_OUT_ACTION &&
					(act == SCMP_ACT_ALLOW || act == SCMP_ACT_LOG));
			int r = 0;
			if (!allowed)
				r = o.kind == MR_OUT_CONDITIONAL
					? mr_strv_addf(&gap.names,
						       "%s (allowed only for some arguments)", name)
					: mr_strv_addf(&gap.names, "%s", name);
			mr_outcome_clear(&o);
			if (r < 0) {
				mr_strv_clear(&gap.names);
				mr_target_gaps_free(v, nv);
				return mr_error_oom(err, "target");
			}
		}
		if (gap.names.n == 0)
			continue;
		struct mr_target_gap *nvv = realloc(v, (nv + 1) * sizeof(*nvv));
		if (nvv == NULL) {
			mr_strv_clear(&gap.names);
			mr_target_gaps_free(v, nv);
			return mr_error_oom(err, "target");
		}
		v = nvv;
		v[nv++] = gap;
	}
	*out = v;
	*n = nv;
	return 0;
}

static char *
join(const struct mr_strv *sv)
{
	size_t len = 1;
	for (size_t i = 0; i < sv->n; i++)
		len += strlen(sv->v[i]) + 2;
	char *s = malloc(len);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < sv->n; i++) {
		if (i > 0)
			strcat(s, ", ");
		strcat(s, sv->v[i]);
	}
	return s;
}

char *
mr_target_gap_text(const struct mr_target *t, const struct mr_target_gap *g)
{
	cleanup_free char *names = join(&g->names);
	cleanup_free char *when = mr_target_when_text(&g->group->when);
	char *s = NULL;
	if (names == NULL || when == NULL)
		return NULL;
	/* "runc calls", or "runc or crun (the runtimes of kubernetes) call" */
	const char *via = t->via ? t->via : t->name;
	cleanup_free char *who = NULL;
	bool many = strstr(via, " or ") != NULL;
	if (strcmp(via, t->name) == 0)
		who = strdup(via);
	else if (asprintf(&who, "%s (the runtime%s of %s)", via, many ? "s" : "", t->name) < 0)
		who = NULL;
	if (who == NULL)
		return NULL;
	if (asprintf(&s,
		     "the profile denies %s, which %s call%s after installing the filter (%s): "
		     "the container would not start under %s",
		     names, who, many ? "" : "s", when, t->name) < 0)
		return NULL;
	return s;
}

char *
mr_target_learn_comment(const struct mr_target *t, const struct mr_target_group *g)
{
	cleanup_free char *when = mr_target_when_text(&g->when);
	char *s = NULL;
	if (when == NULL)
		return NULL;
	if (asprintf(&s,
		     "added for --target %s: the runtime's own calls after the filter (%s; "
		     "measured: %s)",
		     t->name, when, t->runtimes ? t->runtimes : "?") < 0)
		return NULL;
	return s;
}
