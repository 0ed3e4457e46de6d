/* SPDX-License-Identifier: MIT */
/*
 * `minirun profile explain` and `diff`: the outcome of each system call under
 * a profile, from the compiled program (so it is the kernel's answer, stub
 * included), with the reasons taken from the rules: which rule decided, which
 * includes/excludes dropped a rule, which rule libseccomp ignored.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "seccomp/arch.h"
#include "seccomp/bpf-eval.h"
#include "tools/explain.h"
#include "common/escape.h"
#include "common/util.h"

/* ---------------------------------------------------------------- strings */

struct sbuf {
	char *s;
	size_t len;
	size_t cap;
	bool oom;
};

static void sb_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->oom)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (ns == NULL) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void
sb_freep(struct sbuf *b)
{
	free(b->s);
}
#define cleanup_sbuf __attribute__((cleanup(sb_freep)))

/* The text, or NULL (and nothing leaked) when memory ran out; b is left empty. */
static char *
sb_take(struct sbuf *b)
{
	char *s = b->s;
	bool oom = b->oom;

	memset(b, 0, sizeof(*b));
	if (oom) {
		free(s);
		return NULL;
	}
	return s != NULL ? s : strdup("");
}

/* ---------------------------------------------------------------- prepare */

void
mr_explained_clear(struct mr_explained *x)
{
	mr_filter_clear(&x->f);
	mr_reduced_clear(&x->r);
	free(x->kept);
	memset(x, 0, sizeof(*x));
}

/*
 * On a real host of the target arch, libseccomp always filters the native
 * arch; here the native arch is the build host's, so put the target in the
 * list (as the host's own would be) so the program has a section for it.
 */
static int
add_target_arch(struct mr_explained *x, struct mr_error *err)
{
	for (size_t i = 0; i < x->r.n_arches; i++)
		if (x->r.arches[i] == x->arch)
			return 0;
	if (x->arch == seccomp_arch_native())
		return 0;
	uint32_t *na = realloc(x->r.arches, (x->r.n_arches + 1) * sizeof(*na));
	if (na == NULL)
		return mr_error_oomf(err, "seccomp profile %s", x->profile->source);
	na[x->r.n_arches++] = x->arch;
	x->r.arches = na;
	return 0;
}

static int
compile_for_target(struct mr_explained *x, struct mr_error *err)
{
	struct mr_filter_opts o = {0};
	if (mr_filter_build(&x->r, &o, &x->f, err) == 0)
		return 0;
	/* libseccomp keeps one byte order per filter: s390x cannot be simulated on x86_64. */
	if (err != NULL && err->errnum == EDOM && x->arch != seccomp_arch_native())
		mr_error_set(err, 0,
			     "seccomp profile %s: cannot compile for %s on this host: "
			     "libseccomp cannot mix big- and little-endian architectures",
			     x->profile->source,
			     mr_arch_lib_name(x->arch) ? mr_arch_lib_name(x->arch) : "?");
	return -1;
}

/* mr_explain_prepare's steps; the caller clears x when one fails. */
static int
explain_prepare(const struct mr_profile *p, const struct mr_reduce_env *env, struct mr_explained *x,
		struct mr_error *err)
{
	x->profile = p;
	x->env = *env;
	x->arch = env->native_arch;
	/* x32 calls arrive with AUDIT_ARCH_X86_64 and the x32 bit in the number. */
	x->audit = x->arch == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : x->arch;
	x->kept = calloc(p->n_rules ? p->n_rules : 1, sizeof(*x->kept));
	if (x->kept == NULL)
		return mr_error_oomf(err, "seccomp profile %s", p->source);
	if (mr_profile_reduce(p, env, &x->r, err) < 0)
		return -1;
	for (size_t i = 0; i < x->r.n_rules; i++)
		x->kept[x->r.rules[i] - p->rules] = true;
	if (p->unconfined)
		return 0;
	if (add_target_arch(x, err) < 0)
		return -1;
	return compile_for_target(x, err);
}

int
mr_explain_prepare(const struct mr_profile *p, const struct mr_reduce_env *env,
		   struct mr_explained *x, struct mr_error *err)
{
	memset(x, 0, sizeof(*x));
	if (explain_prepare(p, env, x, err) < 0) {
		mr_explained_clear(x);
		return -1;
	}
	return 0;
}

/* --------------------------------------------------------------- outcomes */

static const char *
errno_name(unsigned e, char *buf, size_t len)
{
	const char *n = strerrorname_np((int)e);
	if (n != NULL)
		return n;
	snprintf(buf, len, "%u", e);
	return buf;
}

char *
mr_ret_name(uint32_t ret)
{
	char *s = NULL, eb[16];
	int r;
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		r = asprintf(&s, "KILL_PROCESS");
		break;
	case SECCOMP_RET_KILL_THREAD:
		r = asprintf(&s, "KILL_THREAD");
		break;
	case SECCOMP_RET_TRAP:
		r = asprintf(&s, "TRAP");
		break;
	case SECCOMP_RET_ERRNO:
		r = asprintf(&s, "ERRNO(%s)", errno_name(ret & SECCOMP_RET_DATA, eb, sizeof(eb)));
		break;
	case SECCOMP_RET_USER_NOTIF:
		r = asprintf(&s, "NOTIFY");
		break;
	case SECCOMP_RET_TRACE:
		r = asprintf(&s, "TRACE(%u)", ret & SECCOMP_RET_DATA);
		break;
	case SECCOMP_RET_LOG:
		r = asprintf(&s, "LOG");
		break;
	case SECCOMP_RET_ALLOW:
		r = asprintf(&s, "ALLOW");
		break;
	default:
		r = asprintf(&s, "0x%08x", ret);
	}
	return r < 0 ? NULL : s;
}

static void
add_value(struct sbuf *b, uint64_t v)
{
	/* Flags and masks read better in hex, small numbers (fds, families) in decimal. */
	if (v < 0x10000)
		sb_addf(b, "%llu", (unsigned long long)v);
	else
		sb_addf(b, "0x%llx", (unsigned long long)v);
}

static void
add_cond(struct sbuf *b, const struct mr_prof_arg *a)
{
	static const char *const ops[] = {
	    [SCMP_CMP_NE] = "!=", [SCMP_CMP_LT] = "<",	[SCMP_CMP_LE] = "<=",
	    [SCMP_CMP_EQ] = "==", [SCMP_CMP_GE] = ">=", [SCMP_CMP_GT] = ">",
	};
	if (a->op == SCMP_CMP_MASKED_EQ) {
		sb_addf(b, "arg%u & 0x%llx == ", a->index, (unsigned long long)a->value);
		add_value(b, a->value_two);
		return;
	}
	const char *op =
	    (a->op > 0 && (size_t)a->op < MR_ARRAY_SIZE(ops) && ops[a->op]) ? ops[a->op] : "?";
	sb_addf(b, "arg%u %s ", a->index, op);
	add_value(b, a->value);
}

static bool
repeats_index(const struct mr_prof_rule *r)
{
	bool seen[6] = {false};
	for (size_t i = 0; i < r->n_args; i++) {
		if (r->args[i].index < 6 && seen[r->args[i].index])
			return true;
		if (r->args[i].index < 6)
			seen[r->args[i].index] = true;
	}
	return false;
}

static bool
rule_names(const struct mr_prof_rule *r, const char *name)
{
	for (size_t k = 0; k < r->n_names; k++)
		if (strcmp(r->names[k], name) == 0)
			return true;
	return false;
}

/* "rule 12 (line 40, "comment")" */
static void
add_rule_ref(struct sbuf *b, const struct mr_profile *p, size_t i)
{
	const struct mr_prof_rule *r = &p->rules[i];
	sb_addf(b, "rule %zu", i);
	if (r->pos.line > 0)
		sb_addf(b, " (line %d)", r->pos.line);
	if (r->comment != NULL && r->comment[0] != '\0') {
		/* Long comments (Docker's are one-liners) are cut so the table stays readable. */
		size_t n = strlen(r->comment);
		if (n > 60)
			sb_addf(b, " \"%.57s...\"", r->comment);
		else
			sb_addf(b, " \"%s\"", r->comment);
	}
}

static int
why_add(struct mr_outcome *o, struct sbuf *b)
{
	char *s = sb_take(b);
	if (s == NULL)
		return -1;
	char **nv = realloc(o->why.v, (o->why.n + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(s);
		return -1;
	}
	o->why.v = nv;
	o->why.v[o->why.n++] = s;
	return 0;
}

long
mr_explain_max_nr(const struct mr_explained *x)
{
	/* The stub's own computation, so the explanation is the stub's threshold
	 * (it includes the numbers libseccomp adds, not only the names). */
	if (x->f.n_insns <= x->f.n_stub)
		return -1;
	return (long)mr_filter_stub_ceiling(&x->r, x->f.insns + x->f.n_stub,
					    x->f.n_insns - x->f.n_stub, x->arch);
}

void
mr_outcome_clear(struct mr_outcome *o)
{
	free(o->name);
	free(o->effect);
	mr_strv_clear(&o->why);
	memset(o, 0, sizeof(*o));
}

static int
eval(const struct mr_explained *x, int nr, uint32_t *full, uint32_t *nostub)
{
	struct seccomp_data d = {.nr = nr, .arch = x->audit};
	if (mr_bpf_eval(x->f.insns, x->f.n_insns, &d, full) < 0)
		return -1;
	if (mr_bpf_eval(x->f.insns + x->f.n_stub, x->f.n_insns - x->f.n_stub, &d, nostub) < 0)
		return -1;
	return 0;
}

/* The conditional rules that survive in libseccomp, as "ACTION if C; ...; else DEFAULT". */
static void
add_conditional_effect(struct sbuf *b, const struct mr_explained *x, const size_t *conds,
		       size_t n_conds)
{
	uint32_t prev = 0;
	bool first = true;
	for (size_t c = 0; c < n_conds; c++) {
		const struct mr_prof_rule *r = &x->profile->rules[conds[c]];
		uint32_t act = mr_act_value(r->action, r->errno_ret);
		bool split = repeats_index(r);
		/* runc/crun: a repeated index makes every comparison its own rule (OR). */
		size_t n_alt = split ? r->n_args : 1;
		for (size_t a = 0; a < n_alt; a++) {
			if (first || act != prev) {
				char *an = mr_ret_name(act);
				sb_addf(b, "%s%s if ", first ? "" : "; ", an ? an : "?");
				free(an);
			} else {
				sb_addf(b, " || ");
			}
			bool paren = !split && r->n_args > 1;
			if (paren)
				sb_addf(b, "(");
			if (split) {
				add_cond(b, &r->args[a]);
			} else {
				for (size_t k = 0; k < r->n_args; k++) {
					if (k)
						sb_addf(b, " && ");
					add_cond(b, &r->args[k]);
				}
			}
			if (paren)
				sb_addf(b, ")");
			first = false;
			prev = act;
		}
	}
	char *dn = mr_ret_name(x->r.default_action);
	sb_addf(b, "; else %s", dn ? dn : "?");
	free(dn);
}

/* The outcomes known without running the program: 1 when o is complete. */
static int
outcome_without_program(const struct mr_explained *x, struct mr_outcome *o, const char *arch,
			struct sbuf *b)
{
	if (x->profile->unconfined) {
		o->kind = MR_OUT_UNCONFINED;
		o->ret = SECCOMP_RET_ALLOW;
		o->effect = strdup("ALLOW");
		sb_addf(b, "no defaultAction and no syscalls: Docker runs the container without "
			   "seccomp");
	} else if (o->nr == __NR_SCMP_ERROR) {
		const struct scmp_version *v = seccomp_version();
		o->kind = MR_OUT_UNKNOWN;
		o->effect = strdup("unknown");
		sb_addf(b,
			"libseccomp %u.%u.%u does not know this name: runc, crun and minirun "
			"skip it",
			v->major, v->minor, v->micro);
	} else if (o->nr < 0) {
		o->kind = MR_OUT_NOT_ON_ARCH;
		o->effect = strdup("absent");
		sb_addf(b, "no such system call on %s: rules naming it do nothing there", arch);
	} else {
		return 0;
	}
	if (o->effect == NULL || why_add(o, b) < 0)
		return -1;
	return 1;
}

/* The kept rules that can decide one syscall, as libseccomp will see them. */
struct deciders {
	long uncond;   /* the first unconditional rule, -1: none */
	size_t *conds; /* the conditional ones, by profile index */
	size_t n_conds;
};

static void
deciders_clear(struct deciders *d)
{
	free(d->conds);
}
#define cleanup_deciders __attribute__((cleanup(deciders_clear)))

static int
find_deciders(const struct mr_explained *x, const char *name, struct deciders *d)
{
	const struct mr_profile *p = x->profile;

	d->uncond = -1;
	d->conds = calloc(p->n_rules ? p->n_rules : 1, sizeof(*d->conds));
	if (d->conds == NULL)
		return -1;
	/* libseccomp, per syscall: the first unconditional rule wins; it also removes
	 * every conditional rule, before or after it (see profile-tools.md). */
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct mr_prof_rule *r = &p->rules[i];
		if (!x->kept[i] || !rule_names(r, name))
			continue;
		if (mr_act_value(r->action, r->errno_ret) == x->r.default_action)
			continue;
		if (r->n_args == 0 && d->uncond < 0)
			d->uncond = (long)i;
		else if (r->n_args > 0)
			d->conds[d->n_conds++] = i;
	}
	return 0;
}

/* One reason: the rule, and the includes/excludes that kept it. */
static int
why_rule(struct mr_outcome *o, const struct mr_explained *x, size_t rule, struct sbuf *b)
{
	char cw[512];
	mr_rule_applies_why(&x->profile->rules[rule], &x->env, cw, sizeof(cw));
	add_rule_ref(b, x->profile, rule);
	if (cw[0])
		sb_addf(b, ": %s", cw);
	return why_add(o, b);
}

static int
outcome_stub(const struct mr_explained *x, struct mr_outcome *o, const char *arch, struct sbuf *b)
{
	long max = mr_explain_max_nr(x);
	char *maxname = max >= 0 ? seccomp_syscall_resolve_num_arch(x->arch, (int)max) : NULL;
	o->kind = MR_OUT_STUB;
	o->effect = strdup("ERRNO(ENOSYS)");
	sb_addf(b,
		"ENOSYS stub: nr %d is above the highest system call the profile names "
		"on %s (%s, %ld)",
		o->nr, arch, maxname ? maxname : "?", max);
	free(maxname);
	if (o->effect == NULL || why_add(o, b) < 0)
		return -1;
	return 0;
}

static int
outcome_conditional(const struct mr_explained *x, struct mr_outcome *o, const struct deciders *d,
		    struct sbuf *b)
{
	o->kind = MR_OUT_CONDITIONAL;
	o->rule = (long)d->conds[0];
	add_conditional_effect(b, x, d->conds, d->n_conds);
	o->effect = sb_take(b);
	if (o->effect == NULL)
		return -1;
	for (size_t c = 0; c < d->n_conds; c++)
		if (why_rule(o, x, d->conds[c], b) < 0)
			return -1;
	return 0;
}

/* full: the program's answer; nostub: the same without the ENOSYS stub. */
static int
outcome_from_program(const struct mr_explained *x, struct mr_outcome *o, const struct deciders *d,
		     uint32_t full, uint32_t nostub, const char *arch, struct sbuf *b)
{
	o->ret = full;
	if (full != nostub && full == (SECCOMP_RET_ERRNO | ENOSYS))
		return outcome_stub(x, o, arch, b);
	if (d->uncond < 0 && d->n_conds > 0)
		return outcome_conditional(x, o, d, b);
	o->kind = MR_OUT_ACTION;
	o->effect = mr_ret_name(full);
	if (o->effect == NULL)
		return -1;
	if (d->uncond < 0) {
		sb_addf(b, "defaultAction");
		return why_add(o, b);
	}
	o->rule = d->uncond;
	return why_rule(o, x, (size_t)d->uncond, b);
}

/* What else named it, and why it did not count. */
static int
why_others(const struct mr_explained *x, struct mr_outcome *o, const char *name,
	   const struct deciders *d, struct sbuf *b)
{
	const struct mr_profile *p = x->profile;

	for (size_t i = 0; i < p->n_rules; i++) {
		const struct mr_prof_rule *r = &p->rules[i];
		if ((long)i == o->rule || !rule_names(r, name))
			continue;
		bool listed = false;
		for (size_t c = 0; o->kind == MR_OUT_CONDITIONAL && c < d->n_conds; c++)
			listed = listed || d->conds[c] == i;
		if (listed)
			continue;
		add_rule_ref(b, p, i);
		if (!x->kept[i]) {
			char cw[512];
			mr_rule_applies_why(r, &x->env, cw, sizeof(cw));
			sb_addf(b, " dropped: %s", cw);
		} else if (mr_act_value(r->action, r->errno_ret) == x->r.default_action) {
			sb_addf(b, " has the default action: skipped");
		} else if (d->uncond >= 0 && r->n_args > 0) {
			sb_addf(b, " conditions dropped: rule %ld decides %s unconditionally",
				d->uncond, name);
		} else if (d->uncond >= 0) {
			sb_addf(b, " ignored: rule %ld decides %s first", d->uncond, name);
		}
		if (why_add(o, b) < 0)
			return -1;
	}
	return 0;
}

/* mr_explain_syscall's steps; the caller clears o when one fails. */
static int
explain_syscall(const struct mr_explained *x, const char *name, struct mr_outcome *o,
		struct mr_error *err)
{
	cleanup_sbuf struct sbuf b = {0};
	cleanup_deciders struct deciders d = {0};
	const char *arch = mr_arch_lib_name(x->arch);
	uint32_t full, nostub;

	o->rule = -1;
	o->name = strdup(name);
	if (o->name == NULL)
		return mr_error_oomf(err, "explain %s", name);
	if (arch == NULL)
		arch = "?";
	o->nr = seccomp_syscall_resolve_name_arch(x->arch, name);
	int known = outcome_without_program(x, o, arch, &b);
	if (known != 0)
		return known < 0 ? mr_error_oomf(err, "explain %s", name) : 0;
	if (find_deciders(x, name, &d) < 0)
		return mr_error_oomf(err, "explain %s", name);
	if (eval(x, o->nr, &full, &nostub) < 0)
		return mr_error_set(err, 0, "seccomp profile %s: the compiled program is invalid",
				    x->profile->source);
	if (outcome_from_program(x, o, &d, full, nostub, arch, &b) < 0 ||
	    why_others(x, o, name, &d, &b) < 0)
		return mr_error_oomf(err, "explain %s", name);
	return 0;
}

int
mr_explain_syscall(const struct mr_explained *x, const char *name, struct mr_outcome *o,
		   struct mr_error *err)
{
	memset(o, 0, sizeof(*o));
	if (explain_syscall(x, name, o, err) < 0) {
		mr_outcome_clear(o);
		return -1;
	}
	return 0;
}

int
mr_explain_named(const struct mr_profile *p, struct mr_strv *out, struct mr_error *err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < p->n_rules; i++)
		for (size_t k = 0; k < p->rules[i].n_names; k++)
			if (mr_strv_addf(out, "%s", p->rules[i].names[k]) < 0) {
				mr_strv_clear(out);
				return mr_error_oomf(err, "seccomp profile %s", p->source);
			}
	mr_strv_sort_uniq(out);
	return 0;
}

/* ------------------------------------------------------------- formatting */

static size_t
utf8_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/*
 * Names and comments are the profile author's: an escape sequence or a newline
 * in them is shown escaped (common/escape.h), never sent to the terminal or
 * taken for a row of the table.  Backslashes stay as they are.
 */
static char *
printable(const char *s)
{
	return mr_escape_str(s, MR_ESCAPE_KEEP_BACKSLASH);
}

static int
table_row(struct sbuf *b, const struct mr_outcome *o, size_t wn, size_t we)
{
	cleanup_free char *name = printable(o->name);
	cleanup_free char *effect = printable(o->effect);
	if (name == NULL || effect == NULL)
		return -1;
	sb_addf(b, "%-*s  %-*s", (int)wn, name, (int)we, effect);
	for (size_t k = 0; k < o->why.n; k++) {
		cleanup_free char *why = printable(o->why.v[k]);
		if (why == NULL)
			return -1;
		sb_addf(b, "%s%s", k ? "; " : "  ", why);
	}
	/* No trailing blanks when there is no reason. */
	while (b->len > 0 && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	sb_addf(b, "\n");
	return 0;
}

char *
mr_explain_table(const struct mr_outcome *v, size_t n)
{
	struct sbuf b = {0};
	size_t wn = 0, we = 0;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *name = printable(v[i].name);
		if (name == NULL)
			return NULL;
		size_t a = utf8_width(name), e = utf8_width(v[i].effect);
		wn = a > wn ? a : wn;
		/* Conditional effects are long; aligning on them would push every reason far right.
		 */
		if (v[i].kind != MR_OUT_CONDITIONAL)
			we = e > we ? e : we;
	}
	for (size_t i = 0; i < n; i++) {
		if (table_row(&b, &v[i], wn, we) < 0) {
			free(sb_take(&b));
			return NULL;
		}
	}
	return sb_take(&b);
}

static const char *
kind_name(enum mr_outcome_kind k)
{
	switch (k) {
	case MR_OUT_ACTION:
		return "action";
	case MR_OUT_CONDITIONAL:
		return "conditional";
	case MR_OUT_STUB:
		return "enosys-stub";
	case MR_OUT_NOT_ON_ARCH:
		return "not-on-arch";
	case MR_OUT_UNKNOWN:
		return "unknown";
	case MR_OUT_UNCONFINED:
		return "unconfined";
	default:
		break;
	}
	return "?";
}

char *
mr_explain_json(const struct mr_explained *x, const struct mr_outcome *v, size_t n)
{
	json_t *arr = json_array();
	const char *arch = mr_arch_scmp_name(x->arch);
	bool ok = arr != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		json_t *why = json_array();
		json_t *o = json_object();
		ok = why != NULL && o != NULL;
		for (size_t k = 0; ok && k < v[i].why.n; k++)
			ok = json_array_append_new(why, json_string(v[i].why.v[k])) == 0;
		const struct mr_prof_rule *r =
		    v[i].rule >= 0 ? &x->profile->rules[v[i].rule] : NULL;
		ok = ok && json_object_set_new(o, "name", json_string(v[i].name)) == 0 &&
		     json_object_set_new(o, "arch", arch ? json_string(arch) : json_null()) == 0 &&
		     json_object_set_new(o, "nr",
					 v[i].nr >= 0 ? json_integer(v[i].nr) : json_null()) == 0 &&
		     json_object_set_new(o, "kind", json_string(kind_name(v[i].kind))) == 0 &&
		     json_object_set_new(o, "effect", json_string(v[i].effect)) == 0 &&
		     json_object_set_new(o, "rule", r ? json_integer(v[i].rule) : json_null()) ==
			 0 &&
		     json_object_set_new(o, "line",
					 r && r->pos.line > 0 ? json_integer(r->pos.line)
							      : json_null()) == 0 &&
		     json_object_set_new(o, "comment",
					 r && r->comment ? json_string(r->comment) : json_null()) ==
			 0 &&
		     json_object_set_new(o, "why", why) == 0;
		if (!ok) {
			json_decref(o);
			break;
		}
		ok = json_array_append_new(arr, o) == 0;
	}
	char *s = ok ? json_dumps(arr, JSON_INDENT(2)) : NULL;
	json_decref(arr);
	if (s == NULL)
		return NULL;
	/* jansson leaves the final newline to the caller; one document, one line ending. */
	size_t len = strlen(s);
	char *t = realloc(s, len + 2);
	if (t == NULL) {
		free(s);
		return NULL;
	}
	memcpy(t + len, "\n", 2);
	return t;
}

char *
mr_explain_summary(const struct mr_explained *x, const struct mr_outcome *v, size_t n)
{
	struct sbuf b = {0};
	/* Distinct effects in first-seen order, with counts; conditionals are one bucket. */
	const char *eff[64];
	size_t cnt[64], ne = 0, n_cond = 0, n_stub = 0, n_abs = 0, n_unk = 0;
	for (size_t i = 0; i < n; i++) {
		switch (v[i].kind) {
		case MR_OUT_CONDITIONAL:
			n_cond++;
			continue;
		case MR_OUT_STUB:
			n_stub++;
			continue;
		case MR_OUT_NOT_ON_ARCH:
			n_abs++;
			continue;
		case MR_OUT_UNKNOWN:
			n_unk++;
			continue;
		case MR_OUT_ACTION:
		case MR_OUT_UNCONFINED:
		default:
			break;
		}
		size_t k;
		for (k = 0; k < ne; k++)
			if (strcmp(eff[k], v[i].effect) == 0)
				break;
		if (k == ne && ne < MR_ARRAY_SIZE(eff)) {
			eff[ne] = v[i].effect;
			cnt[ne++] = 0;
		}
		if (k < ne)
			cnt[k]++;
	}
	const char *arch = mr_arch_lib_name(x->arch);
	sb_addf(&b, "summary (%s): %zu system call%s", arch ? arch : "?", n, n == 1 ? "" : "s");
	const char *sep = ": ";
	for (size_t k = 0; k < ne; k++, sep = ", ")
		sb_addf(&b, "%s%zu %s", sep, cnt[k], eff[k]);
	if (n_cond) {
		sb_addf(&b, "%s%zu depending on arguments", sep, n_cond);
		sep = ", ";
	}
	if (n_stub) {
		sb_addf(&b, "%s%zu ENOSYS (stub)", sep, n_stub);
		sep = ", ";
	}
	if (n_abs) {
		sb_addf(&b, "%s%zu not on %s", sep, n_abs, arch ? arch : "?");
		sep = ", ";
	}
	if (n_unk)
		sb_addf(&b, "%s%zu unknown to libseccomp", sep, n_unk);
	if (x->profile->unconfined) {
		sb_addf(&b, "; no seccomp at all (unconfined)\n");
		return sb_take(&b);
	}
	char *dn = mr_ret_name(x->r.default_action);
	sb_addf(&b, "; any other: %s", dn ? dn : "?");
	free(dn);
	long max = mr_explain_max_nr(x);
	if (x->f.n_stub > 0 && max >= 0) {
		char *mn = seccomp_syscall_resolve_num_arch(x->arch, (int)max);
		sb_addf(&b, ", ENOSYS above nr %ld (%s)", max, mn ? mn : "?");
		free(mn);
	}
	sb_addf(&b, "\n");
	return sb_take(&b);
}

/* ----------------------------------------------------------- disassembly */

static const char *
seccomp_field(uint32_t off, char *buf, size_t len)
{
	if (off == offsetof(struct seccomp_data, nr))
		return "sys_number";
	if (off == offsetof(struct seccomp_data, arch))
		return "arch";
	if (off == offsetof(struct seccomp_data, instruction_pointer))
		return "instruction_pointer";
	if (off == offsetof(struct seccomp_data, instruction_pointer) + 4)
		return "instruction_pointer >> 32";
	if (off >= offsetof(struct seccomp_data, args) && off < sizeof(struct seccomp_data)) {
		uint32_t a = off - (uint32_t)offsetof(struct seccomp_data, args);
		/* Little-endian hosts: the low word first. */
		snprintf(buf, len, "args[%u]%s", a / 8, a % 8 ? " >> 32" : "");
		return buf;
	}
	snprintf(buf, len, "data[%u]", off);
	return buf;
}

/* What a constant means given what A holds: an arch name or a syscall name. */
static void
add_const(struct sbuf *b, uint32_t k, int holds, uint32_t arch)
{
	sb_addf(b, "0x%x", k);
	if (holds == 1) {
		const char *n = mr_arch_lib_name(k);
		if (n)
			sb_addf(b, " /* %s */", n);
	} else if (holds == 2) {
		char *n = seccomp_syscall_resolve_num_arch(arch, (int)k);
		if (n)
			sb_addf(b, " /* %s */", n);
		free(n);
	}
}

char *
mr_explain_bpf(const struct mr_explained *x)
{
	struct sbuf b = {0};
	int holds = 0; /* what A holds: 0 other, 1 arch, 2 syscall number */
	uint32_t arch = x->arch;
	char fb[48];

	sb_addf(&b, " line  CODE  JT   JF      K\n");
	sb_addf(&b, "=================================\n");
	for (size_t pc = 0; pc < x->f.n_insns; pc++) {
		const struct sock_filter *f = &x->f.insns[pc];
		sb_addf(&b, " %04zu: 0x%02x 0x%02x 0x%02x 0x%08x  ", pc, f->code, f->jt, f->jf,
			f->k);
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (BPF_MODE(f->code) == BPF_ABS) {
				const char *fld = seccomp_field(f->k, fb, sizeof(fb));
				holds = strcmp(fld, "arch") == 0	 ? 1
					: strcmp(fld, "sys_number") == 0 ? 2
									 : 0;
				sb_addf(&b, "A = %s", fld);
			} else if (BPF_MODE(f->code) == BPF_IMM) {
				holds = 0;
				sb_addf(&b, "A = 0x%x", f->k);
			} else if (BPF_MODE(f->code) == BPF_MEM) {
				holds = 0;
				sb_addf(&b, "A = mem[%u]", f->k);
			} else {
				sb_addf(&b, "ld ?");
			}
			break;
		case BPF_LDX:
			sb_addf(&b, BPF_MODE(f->code) == BPF_MEM ? "X = mem[%u]" : "X = 0x%x",
				f->k);
			break;
		case BPF_ST:
			sb_addf(&b, "mem[%u] = A", f->k);
			break;
		case BPF_STX:
			sb_addf(&b, "mem[%u] = X", f->k);
			break;
		case BPF_ALU: {
			static const char *const ops[] = {"+",	"-",  "*",   "/", "|", "&",
							  "<<", ">>", "neg", "%", "^"};
			unsigned op = BPF_OP(f->code) >> 4;
			holds = 0;
			if (BPF_OP(f->code) == BPF_NEG)
				sb_addf(&b, "A = -A");
			else if (BPF_SRC(f->code) == BPF_X)
				sb_addf(&b, "A %s= X", op < MR_ARRAY_SIZE(ops) ? ops[op] : "?");
			else
				sb_addf(&b, "A %s= 0x%x", op < MR_ARRAY_SIZE(ops) ? ops[op] : "?",
					f->k);
			break;
		}
		case BPF_JMP: {
			size_t t = pc + 1 + f->jt, e = pc + 1 + f->jf;
			const char *op = NULL;
			switch (BPF_OP(f->code)) {
			case BPF_JA:
				sb_addf(&b, "goto %04zu", pc + 1 + f->k);
				break;
			case BPF_JEQ:
				op = "==";
				break;
			case BPF_JGT:
				op = ">";
				break;
			case BPF_JGE:
				op = ">=";
				break;
			case BPF_JSET:
				op = "&";
				break;
			default:
				sb_addf(&b, "jmp ?");
			}
			if (op == NULL)
				break;
			if (holds == 1 && BPF_OP(f->code) == BPF_JEQ && mr_arch_lib_name(f->k))
				arch = f->k == SCMP_ARCH_X86_64 && x->arch == SCMP_ARCH_X32
					   ? x->arch
					   : f->k; /* names below follow this arch's section */
			sb_addf(&b, "if (A %s ", op);
			if (BPF_SRC(f->code) == BPF_X)
				sb_addf(&b, "X");
			else
				add_const(&b, f->k, holds, arch);
			sb_addf(&b, ") goto %04zu", t);
			if (f->jf)
				sb_addf(&b, " else goto %04zu", e);
			break;
		}
		case BPF_RET: {
			char *rn = BPF_RVAL(f->code) == BPF_A ? NULL : mr_ret_name(f->k);
			sb_addf(&b, "return %s", rn ? rn : "A");
			free(rn);
			break;
		}
		case BPF_MISC:
			sb_addf(&b, BPF_MISCOP(f->code) == BPF_TAX ? "X = A" : "A = X");
			break;
		default:
			break;
		}
		if (pc + 1 == x->f.n_stub)
			sb_addf(&b, "  # end of minirun's ENOSYS stub");
		sb_addf(&b, "\n");
	}
	return sb_take(&b);
}

int
mr_explain_pfc(const struct mr_explained *x, char **out, struct mr_error *err)
{
	struct sbuf b = {0};
	char *pfc = NULL;

	*out = NULL;
	if (x->profile->unconfined)
		return mr_error_set(err, 0,
				    "seccomp profile %s: unconfined (no defaultAction and no "
				    "syscalls): there is no filter",
				    x->profile->source);
	if (mr_filter_export_pfc(&x->r, &pfc, err) < 0)
		return -1;
	if (x->f.n_stub > 0) {
		/* libseccomp knows nothing of the stub; describe it the way PFC reads. */
		sb_addf(&b, "# minirun ENOSYS stub, runs before libseccomp's filter:\n");
		const struct mr_arch *a;
		for (size_t i = 0; (a = mr_arch_nth(i)) != NULL; i++) {
			uint32_t t = a->token;
			bool in = t == seccomp_arch_native();
			for (size_t k = 0; k < x->r.n_arches; k++)
				in = in || x->r.arches[k] == t;
			if (!in)
				continue;
			long max = -1;
			for (size_t r = 0; r < x->r.n_rules; r++)
				for (size_t k = 0; k < x->r.rules[r]->n_names; k++) {
					int nr = seccomp_syscall_resolve_name_arch(
					    t, x->r.rules[r]->names[k]);
					max = nr > max ? nr : max;
				}
			if (max >= 0)
				sb_addf(&b,
					"#   if ($arch == %u && $syscall > %ld) action ERRNO(%d); "
					"# %s\n",
					t, max, ENOSYS, a->lib);
		}
	}
	sb_addf(&b, "%s", pfc);
	free(pfc);
	*out = sb_take(&b);
	if (*out == NULL)
		return mr_error_oomf(err, "seccomp profile %s", x->profile->source);
	return 0;
}

/* ------------------------------------------------------------------- diff */

void
mr_diff_free(struct mr_diff_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].a);
		free(v[i].b);
	}
	free(v);
}

static int
add_names(struct mr_strv *all, const struct mr_profile *p, uint32_t arch)
{
	for (size_t i = 0; i < p->n_rules; i++)
		for (size_t k = 0; k < p->rules[i].n_names; k++) {
			const char *n = p->rules[i].names[k];
			/* Names that do not exist on the arch have no outcome to compare. */
			if (seccomp_syscall_resolve_name_arch(arch, n) >= 0 &&
			    mr_strv_addf(all, "%s", n) < 0)
				return -1;
		}
	return 0;
}

struct diff_list {
	struct mr_diff_line *v;
	size_t n;
};

static void
diff_list_clear(struct diff_list *l)
{
	mr_diff_free(l->v, l->n);
}
#define cleanup_diff_list __attribute__((cleanup(diff_list_clear)))
#define cleanup_outcome	  __attribute__((cleanup(mr_outcome_clear)))

/* One syscall under both profiles: a line in l when the effects differ. */
static int
diff_one(const struct mr_explained *a, const struct mr_explained *b, const char *name,
	 struct diff_list *l, struct mr_error *err)
{
	cleanup_outcome struct mr_outcome oa = {0};
	cleanup_outcome struct mr_outcome ob = {0};

	if (mr_explain_syscall(a, name, &oa, err) < 0 || mr_explain_syscall(b, name, &ob, err) < 0)
		return -1;
	if (strcmp(oa.effect, ob.effect) == 0)
		return 0;
	struct mr_diff_line *nw = realloc(l->v, (l->n + 1) * sizeof(*nw));
	if (nw == NULL)
		return mr_error_oom(err, "diff");
	l->v = nw;
	l->v[l->n++] = (struct mr_diff_line){
	    .name = mr_steal_pointer(&oa.name),
	    .a = mr_steal_pointer(&oa.effect),
	    .b = mr_steal_pointer(&ob.effect),
	};
	return 0;
}

int
mr_explain_diff(const struct mr_explained *a, const struct mr_explained *b,
		struct mr_diff_line **out, size_t *n, struct mr_error *err)
{
	cleanup_strv struct mr_strv all = {0};
	cleanup_diff_list struct diff_list l = {0};

	*out = NULL;
	*n = 0;
	if (a->arch != b->arch)
		return mr_error_set(err, EINVAL, "diff: the two profiles target different arches");
	if (mr_arch_syscalls(a->arch, &all, err) < 0)
		return -1;
	if (add_names(&all, a->profile, a->arch) < 0 || add_names(&all, b->profile, a->arch) < 0)
		return mr_error_oom(err, "diff");
	mr_strv_sort_uniq(&all);
	for (size_t i = 0; i < all.n; i++)
		if (diff_one(a, b, all.v[i], &l, err) < 0)
			return -1;
	*out = mr_steal_pointer(&l.v);
	*n = l.n;
	l.n = 0;
	return 0;
}
