/* SPDX-License-Identifier: MIT */
/*
 * `minirun profile convert`: the reduced profile as OCI linux.seccomp or as a
 * Docker profile with nothing left to decide.  The output must compile to the
 * same program as the input, so the rule order that libseccomp depends on
 * (per system call: first unconditional rule wins, conditional rules in
 * order) is kept, and every name stays even when it does nothing here: the
 * ENOSYS stub's threshold includes the highest number the profile names.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <seccomp.h>
#include <linux/seccomp.h>

#include "seccomp/arch.h"
#include "tools/convert.h"
#include "tools/explain.h"
#include "common/util.h"

static const char *
op_name(int op)
{
	switch (op) {
	case SCMP_CMP_NE:
		return "SCMP_CMP_NE";
	case SCMP_CMP_LT:
		return "SCMP_CMP_LT";
	case SCMP_CMP_LE:
		return "SCMP_CMP_LE";
	case SCMP_CMP_EQ:
		return "SCMP_CMP_EQ";
	case SCMP_CMP_GE:
		return "SCMP_CMP_GE";
	case SCMP_CMP_GT:
		return "SCMP_CMP_GT";
	case SCMP_CMP_MASKED_EQ:
		return "SCMP_CMP_MASKED_EQ";
	default:
		break;
	}
	return NULL;
}

/* Build helpers: each returns false on ENOMEM (jansson's *_new steal even on failure). */
static bool
set(json_t *o, const char *k, json_t *v)
{
	return v != NULL && json_object_set_new(o, k, v) == 0;
}

static json_t *
args_json(const struct mr_prof_rule *r)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < r->n_args; i++) {
		const struct mr_prof_arg *g = &r->args[i];
		json_t *o = json_object();
		const char *op = op_name(g->op);
		bool ok = o != NULL && op != NULL && set(o, "index", json_integer(g->index)) &&
			  set(o, "value", json_integer((json_int_t)g->value));
		/* OCI: valueTwo is omitempty; the parser reads an absent one as 0. */
		if (ok && g->value_two != 0)
			ok = set(o, "valueTwo", json_integer((json_int_t)g->value_two));
		ok = ok && set(o, "op", json_string(op));
		if (!ok || json_array_append_new(a, o) != 0) {
			if (!ok)
				json_decref(o);
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static bool
same_args(const struct mr_prof_rule *a, const struct mr_prof_rule *b)
{
	if (a->n_args != b->n_args)
		return false;
	for (size_t i = 0; i < a->n_args; i++)
		if (a->args[i].index != b->args[i].index || a->args[i].op != b->args[i].op ||
		    a->args[i].value != b->args[i].value ||
		    a->args[i].value_two != b->args[i].value_two)
			return false;
	return true;
}

static bool
same_key(const struct mr_prof_rule *a, const struct mr_prof_rule *b)
{
	return mr_act_value(a->action, a->errno_ret) == mr_act_value(b->action, b->errno_ret) &&
	       same_args(a, b);
}

/* One output entry: its key comes from the first rule, its names from every rule merged. */
struct group {
	const struct mr_prof_rule *key;
	const char **names;
	size_t n_names;
};

struct grouping {
	struct group *g;
	size_t n;
	/* per distinct name: the last group holding it */
	const char **seen;
	size_t *last;
	size_t n_seen;
};

static long
last_group_of(const struct grouping *gr, const char *name)
{
	for (size_t i = 0; i < gr->n_seen; i++)
		if (strcmp(gr->seen[i], name) == 0)
			return (long)gr->last[i];
	return -1;
}

static int
note_group(struct grouping *gr, const char *name, size_t g)
{
	for (size_t i = 0; i < gr->n_seen; i++)
		if (strcmp(gr->seen[i], name) == 0) {
			gr->last[i] = g;
			return 0;
		}
	const char **ns = realloc(gr->seen, (gr->n_seen + 1) * sizeof(*ns));
	if (ns == NULL)
		return -1;
	gr->seen = ns;
	size_t *nl = realloc(gr->last, (gr->n_seen + 1) * sizeof(*nl));
	if (nl == NULL)
		return -1;
	gr->last = nl;
	gr->seen[gr->n_seen] = name;
	gr->last[gr->n_seen++] = g;
	return 0;
}

static int
group_add_name(struct group *g, const char *name)
{
	for (size_t i = 0; i < g->n_names; i++)
		if (strcmp(g->names[i], name) == 0)
			return 0; /* the same name, action and arguments again changes nothing */
	const char **nn = realloc(g->names, (g->n_names + 1) * sizeof(*nn));
	if (nn == NULL)
		return -1;
	g->names = nn;
	g->names[g->n_names++] = name;
	return 0;
}

/*
 * A name joins the newest group with its action and arguments only if no
 * later group already holds that name: otherwise its rules would be handed
 * to libseccomp in another order, which decides the outcome.
 */
static int
group_rules(const struct mr_reduced *r, struct grouping *gr)
{
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct mr_prof_rule *rule = r->rules[i];
		long newest = -1;
		for (size_t g = gr->n; g-- > 0;)
			if (same_key(gr->g[g].key, rule)) {
				newest = (long)g;
				break;
			}
		for (size_t k = 0; k < rule->n_names; k++) {
			const char *name = rule->names[k];
			long target =
			    newest >= 0 && last_group_of(gr, name) <= newest ? newest : -1;
			if (target < 0) {
				struct group *ng = realloc(gr->g, (gr->n + 1) * sizeof(*ng));
				if (ng == NULL)
					return -1;
				gr->g = ng;
				gr->g[gr->n] = (struct group){.key = rule};
				target = (long)gr->n++;
				newest = target;
			}
			if (group_add_name(&gr->g[target], name) < 0 ||
			    note_group(gr, name, (size_t)target) < 0)
				return -1;
		}
	}
	return 0;
}

static void
grouping_clear(struct grouping *gr)
{
	for (size_t i = 0; i < gr->n; i++)
		free(gr->g[i].names);
	free(gr->g);
	free(gr->seen);
	free(gr->last);
}

static json_t *
rule_json(const struct mr_prof_rule *key, const char *const *names, size_t n_names,
	  const char *comment)
{
	json_t *o = json_object(), *jn = json_array();
	bool ok = o != NULL && jn != NULL;
	for (size_t i = 0; ok && i < n_names; i++)
		ok = json_array_append_new(jn, json_string(names[i])) == 0;
	if (!ok) {
		json_decref(o);
		json_decref(jn);
		return NULL;
	}
	ok = (comment == NULL || set(o, "comment", json_string(comment))) && set(o, "names", jn) &&
	     set(o, "action", json_string(key->action_name));
	if (ok && mr_act_has_errno(key->action))
		ok = set(o, "errnoRet", json_integer(key->errno_ret));
	if (ok && key->n_args > 0)
		ok = set(o, "args", args_json(key));
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
mr_convert(const struct mr_reduced *r, enum mr_convert_format fmt, char **out, struct mr_error *err)
{
	const struct mr_profile *p = r->profile;
	struct grouping gr = {0};
	json_t *root = NULL, *arches = NULL, *sys = NULL;

	*out = NULL;
	if (p->unconfined)
		return mr_error_set(err, 0,
				    "seccomp profile %s: unconfined (no defaultAction and no "
				    "syscalls): nothing to convert; leave linux.seccomp out to run "
				    "without seccomp",
				    p->source);
	/* Read since they are Go's (mr_json_loadb), but jansson writes signed 64-bit only. */
	for (size_t i = 0; i < r->n_rules; i++)
		for (size_t k = 0; k < r->rules[i]->n_args; k++) {
			const struct mr_prof_arg *g = &r->rules[i]->args[k];
			if (g->value > INT64_MAX || g->value_two > INT64_MAX)
				return mr_error_set(
				    err, 0,
				    "seccomp profile %s:%d:%d: an argument value above 2^63-1 "
				    "(%" PRIu64 "): minirun cannot write it yet",
				    p->source, g->pos.line, g->pos.column,
				    g->value > INT64_MAX ? g->value : g->value_two);
		}
	root = json_object();
	arches = json_array();
	sys = json_array();
	bool ok = root != NULL && arches != NULL && sys != NULL;

	ok = ok && set(root, "defaultAction", json_string(p->default_action_name));
	if (ok && mr_act_has_errno(p->default_action))
		ok = set(root, "defaultErrnoRet", json_integer(p->default_errno));
	for (size_t i = 0; ok && i < r->n_arches; i++) {
		const char *n = mr_arch_scmp_name(r->arches[i]);
		if (n == NULL) {
			json_decref(root);
			json_decref(arches);
			json_decref(sys);
			return mr_error_set(err, 0, "seccomp profile %s: no name for arch 0x%x",
					    p->source, r->arches[i]);
		}
		ok = json_array_append_new(arches, json_string(n)) == 0;
	}
	if (ok)
		ok = set(root, "architectures", arches); /* steals arches, even on failure */
	else
		json_decref(arches);
	arches = NULL;
	if (ok && p->has_flags) {
		/* TSYNC and WAIT_KILLABLE_RECV were accepted and dropped on input. */
		json_t *fl = json_array();
		ok = fl != NULL;
		if (ok && (r->flags & SECCOMP_FILTER_FLAG_LOG))
			ok = json_array_append_new(fl, json_string("SECCOMP_FILTER_FLAG_LOG")) == 0;
		if (ok && (r->flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW))
			ok = json_array_append_new(
				 fl, json_string("SECCOMP_FILTER_FLAG_SPEC_ALLOW")) == 0;
		ok = ok && set(root, "flags", fl);
	}
	if (ok && fmt == MR_CONVERT_OCI) {
		ok = group_rules(r, &gr) == 0;
		for (size_t i = 0; ok && i < gr.n; i++) {
			json_t *o = rule_json(gr.g[i].key, gr.g[i].names, gr.g[i].n_names, NULL);
			ok = o != NULL && json_array_append_new(sys, o) == 0;
		}
	} else if (ok) {
		for (size_t i = 0; ok && i < r->n_rules; i++) {
			const struct mr_prof_rule *rule = r->rules[i];
			json_t *o = rule_json(rule, (const char *const *)rule->names, rule->n_names,
					      rule->comment);
			ok = o != NULL && json_array_append_new(sys, o) == 0;
		}
	}
	if (ok) {
		ok = set(root, "syscalls", sys);
		sys = NULL;
	}
	char *s = ok ? json_dumps(root, JSON_INDENT(2)) : NULL;
	grouping_clear(&gr);
	json_decref(root);
	json_decref(arches);
	json_decref(sys);
	if (s == NULL)
		return mr_error_oomf(err, "seccomp profile %s: convert", p->source);
	size_t len = strlen(s);
	char *t = realloc(s, len + 2);
	if (t == NULL) {
		free(s);
		return mr_error_oomf(err, "seccomp profile %s: convert", p->source);
	}
	memcpy(t + len, "\n", 2);
	*out = t;
	return 0;
}
