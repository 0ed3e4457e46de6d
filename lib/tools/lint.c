/* SPDX-License-Identifier: MIT */
/*
 * `minirun profile check`.  Most findings are about the gap between what a
 * profile says and what Docker + runc/crun + libseccomp do with it: names
 * skipped because libseccomp does not know them, legacy names absent on
 * aarch64, keys Go's JSON decoder ignores, rules libseccomp ignores, argument
 * lists that turn AND into OR, and new system calls that meet the ENOSYS
 * stub.  The outcome checks use the compiled program (lib/tools/explain.c).
 */
#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <linux/seccomp.h>

#include "seccomp/arch.h"
#include "seccomp/equivalents.h"
#include "seccomp/filter.h"
#include "seccomp/program.h"
#include "seccomp/reduce.h"
#include "tools/explain.h"
#include "tools/lint.h"
#include "common/typo.h"
#include "common/util.h"

struct lctx {
	const char *source;
	struct mr_lint *out;
	size_t seq;
	bool oom;
	struct mr_strv candidates; /* every name libseccomp knows, for "did you mean" */
	const char *lost_key;	   /* the profile's misspelt "syscalls" key, or NULL */
	bool have_candidates;
};

static void add(struct lctx *c, enum mr_lint_severity sev, struct mr_pos pos, const char *fix,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
add(struct lctx *c, enum mr_lint_severity sev, struct mr_pos pos, const char *fix, const char *fmt,
    ...)
{
	va_list ap;
	char *msg = NULL;
	if (c->oom)
		return;
	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	struct mr_lint_item *nv = r < 0 ? NULL : realloc(c->out->v, (c->out->n + 1) * sizeof(*nv));
	char *f = fix ? strdup(fix) : NULL;
	if (nv == NULL || (fix && f == NULL)) {
		free(msg);
		free(f);
		c->oom = true;
		return;
	}
	c->out->v = nv;
	nv[c->out->n++] = (struct mr_lint_item){
	    .severity = sev,
	    .line = pos.line > 0 ? pos.line : 1,
	    .column = pos.line > 0 ? pos.column : 1,
	    .msg = msg,
	    .fix = f,
	};
}

static const struct mr_pos top = {1, 1};

/* ------------------------------------------------------------ distances */

size_t
mr_lint_distance(const char *a, const char *b)
{
	return mr_typo_distance(a, b);
}

static const char *
nearest(const char *s, const char *const *cand, size_t n, bool nocase)
{
	return mr_typo_nearest(s, cand, n, nocase);
}

static int
load_candidates(struct lctx *c, const struct mr_lint_opts *o)
{
	static const uint32_t base[] = {SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_AARCH64,
					SCMP_ARCH_ARM};
	struct mr_error err = {0};
	if (c->have_candidates)
		return 0;
	c->have_candidates = true;
	for (size_t i = 0; i < MR_ARRAY_SIZE(base) + o->n_arches; i++) {
		struct mr_strv one;
		uint32_t a = i < MR_ARRAY_SIZE(base) ? base[i] : o->arches[i - MR_ARRAY_SIZE(base)];
		if (mr_arch_syscalls(a, &one, &err) < 0 || mr_strv_move(&c->candidates, &one) < 0) {
			c->oom = true;
			return -1;
		}
	}
	return 0;
}

/* -------------------------------------------------------- parser messages */

/*
 * The parser's messages read "seccomp profile SOURCE:LINE:COLUMN: text" (or
 * without a position); split them so findings share one format.
 */
static const char *
split_msg(const char *msg, const char *source, struct mr_pos *pos)
{
	static const char prefix[] = "seccomp profile ";
	size_t sl = strlen(source);
	*pos = (struct mr_pos){0, 0};
	if (strncmp(msg, prefix, sizeof(prefix) - 1) != 0)
		return msg;
	const char *p = msg + sizeof(prefix) - 1;
	if (strncmp(p, source, sl) != 0 || p[sl] != ':')
		return msg;
	p += sl + 1;
	int line, col, n = 0;
	if (sscanf(p, "%d:%d: %n", &line, &col, &n) == 2 && n > 0) {
		*pos = (struct mr_pos){line, col};
		return p + n;
	}
	while (*p == ' ')
		p++;
	return p;
}

static const char *
parse_error_fix(const char *m)
{
	static const struct {
		const char *needle;
		const char *fix;
	} fixes[] = {
	    /* Before "invalid JSON": the whole file is another format. */
	    {"looks like YAML", "rename the file to .yaml or .yml: minirun reads YAML profiles "
				"and Security Profiles Operator resources by that name"},
	    {"invalid JSON", "correct the JSON syntax here; a missing comma or quote, or a "
			     "trailing comma, is the usual cause"},
	    {"which returns no errno", "remove the errno, or use SCMP_ACT_ERRNO; crun refuses "
				       "this, runc silently ignores it"},
	    {"both 'name' and 'names'", "keep only \"names\": [...]"},
	    {"both 'architectures' and 'archMap'", "keep only one of them (Docker refuses both)"},
	    {"unknown action", "use one of the SCMP_ACT_ actions listed"},
	    {"SCMP_ACT_NOTIFY", "use SCMP_ACT_ERRNO or SCMP_ACT_LOG"},
	    {"unknown operator", "use one of the SCMP_CMP_ operators listed"},
	    {"\"index\"", "use argument indexes 0-5"},
	    {"minKernel", "write it as a string \"<kernel>.<major>\", e.g. \"4.8\""},
	    {"unknown architecture", "use an SCMP_ARCH_ name libseccomp knows, e.g. "
				     "SCMP_ARCH_X86_64 or SCMP_ARCH_AARCH64"},
	    {"given twice", "keep one of the two keys"},
	    {"is missing", "add the missing key"},
	    {"must be", "give the value the type shown"},
	    {"unknown seccomp flag", "use SECCOMP_FILTER_FLAG_LOG or "
				     "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
	};
	for (size_t i = 0; i < MR_ARRAY_SIZE(fixes); i++)
		if (strstr(m, fixes[i].needle) != NULL)
			return fixes[i].fix;
	return "correct the profile at this position";
}

static const char *const known_keys[] = {
    "defaultAction",
    "defaultErrnoRet",
    "defaultErrno",
    "architectures",
    "archMap",
    "flags",
    "listenerPath",
    "listenerMetadata",
    "syscalls",
    "comment",
    "names",
    "name",
    "action",
    "errnoRet",
    "errno",
    "args",
    "includes",
    "excludes",
    "index",
    "value",
    "valueTwo",
    "op",
    "arches",
    "caps",
    "minKernel",
    "architecture",
    "subArchitectures",
};

static void
lint_parser_warning(struct lctx *c, const char *w)
{
	struct mr_pos pos;
	const char *m = split_msg(w, c->source, &pos);
	const char *k = strstr(m, "unknown key \"");
	if (k != NULL) {
		char key[128];
		if (sscanf(k, "unknown key \"%127[^\"]\"", key) == 1 && c->lost_key != NULL &&
		    strcmp(key, c->lost_key) == 0) {
			/* Every rule lost: a run refuses it, so it is an error here. */
			add(c, MR_LINT_ERROR, pos, "did you mean \"syscalls\"?",
			    "%s: without \"syscalls\" the profile has no rule, which Docker does "
			    "without a word; minirun refuses to run it (unless "
			    "--seccomp-strict=off)",
			    m);
			return;
		}
		if (sscanf(k, "unknown key \"%127[^\"]\"", key) == 1) {
			const char *near =
			    nearest(key, known_keys, MR_ARRAY_SIZE(known_keys), true);
			char fix[256];
			if (near)
				snprintf(fix, sizeof(fix), "did you mean \"%s\"?", near);
			else
				snprintf(fix, sizeof(fix),
					 "remove it, or move it where it belongs");
			add(c, MR_LINT_WARNING, pos, fix,
			    "%s: Docker silently ignores unknown keys", m);
			return;
		}
	}
	add(c, MR_LINT_WARNING, pos, "see the message", "%s", m);
}

/* ------------------------------------------------------------- the rules */

static bool
allow_like(enum mr_act a)
{
	return a == MR_ACT_ALLOW || a == MR_ACT_LOG;
}

static bool
names(const struct mr_prof_rule *r, const char *n)
{
	for (size_t k = 0; k < r->n_names; k++)
		if (strcmp(r->names[k], n) == 0)
			return true;
	return false;
}

static bool
cond_has(const struct mr_prof_cond *c, const char *go)
{
	for (size_t i = 0; i < c->n_arches; i++)
		if (strcmp(c->arches[i], go) == 0)
			return true;
	return false;
}

/* Could the rule apply on a host of this arch at all (its arches conditions)? */
static bool
rule_for_arch(const struct mr_prof_rule *r, uint32_t arch)
{
	const char *go = mr_arch_go_name(arch);
	if (go == NULL)
		return true;
	if (r->excludes.present && cond_has(&r->excludes, go))
		return false;
	if (r->includes.present && r->includes.n_arches > 0 && !cond_has(&r->includes, go))
		return false;
	return true;
}

/* Does some rule (that can apply on arch) give name this action? */
static bool
named_with_action(const struct mr_profile *p, const char *name, uint32_t act, uint32_t arch)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct mr_prof_rule *r = &p->rules[i];
		if (names(r, name) && rule_for_arch(r, arch) &&
		    mr_act_value(r->action, r->errno_ret) == act)
			return true;
	}
	return false;
}

static bool
named_at_all(const struct mr_profile *p, const char *name)
{
	for (size_t i = 0; i < p->n_rules; i++)
		if (names(&p->rules[i], name))
			return true;
	return false;
}

/* A name libseccomp does not know: a typo, or newer than this libseccomp. */
static void
lint_unknown_name(struct lctx *c, const struct mr_profile *p, const struct mr_prof_rule *r,
		  const char *n, struct mr_pos pos, const struct mr_lint_opts *o)
{
	const struct scmp_version *v = seccomp_version();
	bool default_allows = allow_like(p->default_action);

	load_candidates(c, o);
	const char *near = nearest(n, (const char *const *)c->candidates.v, c->candidates.n, false);
	char fix[256];
	if (near)
		snprintf(fix, sizeof(fix),
			 "did you mean \"%s\"? If not, it is newer than "
			 "libseccomp %u.%u.%u: upgrade libseccomp for it to "
			 "take effect",
			 near, v->major, v->minor, v->micro);
	else
		snprintf(fix, sizeof(fix),
			 "remove it if it is a typo; if it is newer than "
			 "libseccomp %u.%u.%u, upgrade libseccomp for it to "
			 "take effect",
			 v->major, v->minor, v->micro);
	/* An error, as a run refuses it (lib/seccomp/program.c): check is never
	   more lenient than a run. */
	if (mr_act_stricter(r->action, p->default_action) && r->action != MR_ACT_LOG)
		add(c, MR_LINT_ERROR, pos, fix,
		    "unknown system call \"%s\" in a rule stricter than the default: "
		    "libseccomp %u.%u.%u does not know it, runc and crun skip it, and it stays "
		    "%s (the rule fails open); minirun refuses to run it (unless "
		    "--seccomp-strict=off)",
		    n, v->major, v->minor, v->micro, default_allows ? "allowed" : "as the default");
	else
		add(c, MR_LINT_WARNING, pos, fix,
		    "unknown system call \"%s\": libseccomp %u.%u.%u does "
		    "not know it, so runc, crun and minirun skip it",
		    n, v->major, v->minor, v->micro);
}

/*
 * A name missing on one of the target arches, which has a replacement there
 * (lib/seccomp/equivalents.c): "open is allowed but aarch64 has only openat".
 */
static void
lint_name_on_arches(struct lctx *c, const struct mr_profile *p, const struct mr_prof_rule *r,
		    const char *n, struct mr_pos pos, const struct mr_lint_opts *o)
{
	uint32_t act = mr_act_value(r->action, r->errno_ret);

	for (size_t a = 0; a < o->n_arches; a++) {
		uint32_t arch = o->arches[a];
		const char *an = mr_arch_lib_name(arch);
		const char *g[MR_EQUIV_MAX];
		size_t k = rule_for_arch(r, arch) ? mr_equiv_on_arch(n, arch, g) : 0;
		char have[128] = "", add_[192] = "";
		/* One replacement with the same action is enough (newfstatat without statx). */
		bool missing = k > 0;
		for (size_t i = 0; i < k; i++) {
			size_t hl = strlen(have), al = strlen(add_);
			snprintf(have + hl, sizeof(have) - hl, "%s%s", i ? " and " : "", g[i]);
			snprintf(add_ + al, sizeof(add_) - al, "%s\"%s\"", i ? ", " : "", g[i]);
			missing = missing && !named_with_action(p, g[i], act, arch);
		}
		if (!missing)
			continue;
		char fix[256], verb[64];
		snprintf(fix, sizeof(fix), "add %s to the rule", add_);
		if (allow_like(r->action))
			snprintf(verb, sizeof(verb), "allowed");
		else
			snprintf(verb, sizeof(verb), "given %s", r->action_name);
		add(c, MR_LINT_WARNING, pos, fix,
		    "\"%s\" is %s but %s has only %s: there this rule does nothing for it", n, verb,
		    an, have);
	}
}

static void
lint_legacy_trap(struct lctx *c, const struct mr_profile *p, const struct mr_lint_opts *o)
{
	/*
	 * The lab exercise trap: "mkdir" left out (denied by default) while
	 * "mkdirat" is allowed; on aarch64 mkdir(2) is mkdirat, so it works there.
	 */
	/*
	 * Only for profiles that allow legacy names elsewhere (so leaving this
	 * one out looks deliberate), and only for the file calls whose *at form
	 * is a drop-in: a profile that allows clone is not trying to deny fork.
	 */
	bool legacy_style = false;
	for (size_t i = 0; mr_equiv_nth(i) != NULL && !legacy_style; i++)
		for (size_t r = 0; r < p->n_rules && !legacy_style; r++)
			legacy_style = allow_like(p->rules[r].action) &&
				       names(&p->rules[r], mr_equiv_nth(i)->legacy);
	for (size_t i = 0; legacy_style && mr_equiv_nth(i) != NULL; i++) {
		const char *l = mr_equiv_nth(i)->legacy, *g = mr_equiv_nth(i)->repl[0];
		/* The calls a profile denies to stop changes to files (the labs' exercise);
		 * leaving out open or stat is usually just "nobody needed them". */
		static const char *const modifying[] = {"mkdir",   "chmod",  "chown",  "lchown",
							"rmdir",   "unlink", "rename", "link",
							"symlink", "mknod"};
		bool at_form = false;
		for (size_t m = 0; m < MR_ARRAY_SIZE(modifying); m++)
			at_form = at_form || strcmp(modifying[m], l) == 0;
		if (!at_form || allow_like(p->default_action) || named_at_all(p, l) ||
		    seccomp_syscall_resolve_name(l) < 0)
			continue;
		for (size_t r = 0; r < p->n_rules; r++) {
			const struct mr_prof_rule *rule = &p->rules[r];
			if (!allow_like(rule->action) || rule->n_args > 0 || !names(rule, g))
				continue;
			struct mr_pos pos = rule->pos;
			for (size_t k = 0; k < rule->n_names; k++)
				if (strcmp(rule->names[k], g) == 0 && rule->name_pos)
					pos = rule->name_pos[k];
			for (size_t a = 0; a < o->n_arches; a++) {
				uint32_t arch = o->arches[a];
				if (seccomp_syscall_resolve_name_arch(arch, l) >= 0 ||
				    seccomp_syscall_resolve_name_arch(arch, g) < 0)
					continue;
				char fix[256];
				snprintf(
				    fix, sizeof(fix),
				    "remove \"%s\" too if %s(2) must fail everywhere, or allow "
				    "\"%s\" if it should work",
				    g, l, l);
				add(c, MR_LINT_WARNING, pos, fix,
				    "\"%s\" is allowed but \"%s\" is not: %s has no %s, programs "
				    "call %s there, so %s(2) is allowed on %s",
				    g, l, mr_arch_lib_name(arch), l, g, l, mr_arch_lib_name(arch));
			}
			break;
		}
	}
}

static void
lint_names(struct lctx *c, const struct mr_profile *p, const struct mr_lint_opts *o)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct mr_prof_rule *r = &p->rules[i];
		for (size_t k = 0; k < r->n_names; k++) {
			const char *n = r->names[k];
			struct mr_pos pos = r->name_pos ? r->name_pos[k] : r->pos;
			if (seccomp_syscall_resolve_name(n) == __NR_SCMP_ERROR)
				lint_unknown_name(c, p, r, n, pos, o);
			else
				lint_name_on_arches(c, p, r, n, pos, o);
		}
	}
	lint_legacy_trap(c, p, o);
}

static void
lint_args(struct lctx *c, const struct mr_profile *p)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct mr_prof_rule *r = &p->rules[i];
		bool seen[6] = {false};
		for (size_t k = 0; k < r->n_args; k++) {
			unsigned ix = r->args[k].index;
			if (ix < 6 && seen[ix]) {
				add(c, MR_LINT_WARNING, r->args[k].pos,
				    "if you meant OR, write one rule per comparison so it reads as "
				    "OR; for AND, libseccomp cannot compare one argument twice in "
				    "a "
				    "rule: use SCMP_CMP_MASKED_EQ or several rules",
				    "syscalls[%zu] compares arg%u more than once: runc, crun and "
				    "minirun then add each of its %zu comparisons as a rule of its "
				    "own, so the rule matches when ANY of them holds (OR), not all",
				    i, ix, r->n_args);
				break;
			}
			if (ix < 6)
				seen[ix] = true;
		}
	}
}

/* One finding per (rule, name), however many environments show it. */
struct seen_pair {
	size_t rule;
	size_t name;
};

static bool
pair_seen(struct seen_pair **v, size_t *n, size_t rule, size_t name, bool *oom)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].rule == rule && (*v)[i].name == name)
			return true;
	struct seen_pair *nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (nv == NULL) {
		*oom = true;
		return true;
	}
	*v = nv;
	nv[(*n)++] = (struct seen_pair){rule, name};
	return false;
}

/*
 * libseccomp 2.5.4, per system call (the reference's §1.6 table): the first
 * unconditional rule wins, later rules are ignored, and conditional rules
 * before or after it are removed.  Checked on reductions (so that rules
 * Docker never keeps together, like the CAP_SYS_ADMIN pairs, are not
 * compared), for each arch with Docker's default caps and with all caps.
 */
static void
lint_shadow(struct lctx *c, const struct mr_profile *p, const struct mr_lint_opts *o)
{
	struct seen_pair *seen = NULL;
	size_t n_seen = 0;
	mr_capset sets[2] = {mr_caps_docker_default(), mr_caps_all_known()};

	for (size_t a = 0; a < o->n_arches; a++) {
		for (size_t s = 0; s < 2; s++) {
			struct mr_reduce_env env;
			struct mr_reduced red;
			struct mr_error err = {0};
			if (mr_reduce_env_for(sets[s], o->arches[a], &env, &err) < 0 ||
			    mr_profile_reduce(p, &env, &red, &err) < 0)
				continue; /* reported by the compile check */
			uint32_t def = red.default_action;
			for (size_t j = 0; j < red.n_rules; j++) {
				const struct mr_prof_rule *rj = red.rules[j];
				size_t ij = (size_t)(rj - p->rules);
				if (mr_act_value(rj->action, rj->errno_ret) == def)
					continue;
				for (size_t k = 0; k < rj->n_names; k++) {
					const char *n = rj->names[k];
					/* the first unconditional rule for n, other than rj */
					long u = -1;
					for (size_t i = 0; i < red.n_rules && u < 0; i++) {
						const struct mr_prof_rule *ri = red.rules[i];
						if (i != j && ri->n_args == 0 && names(ri, n) &&
						    mr_act_value(ri->action, ri->errno_ret) != def)
							u = (long)i;
					}
					if (u < 0 || (rj->n_args == 0 && (size_t)u > j))
						continue;
					const struct mr_prof_rule *ru = red.rules[u];
					/* The same action again (Docker's default does this on
					 * purpose for old kernels) changes nothing: not worth a
					 * finding. */
					if (rj->n_args == 0 &&
					    mr_act_value(ru->action, ru->errno_ret) ==
						mr_act_value(rj->action, rj->errno_ret))
						continue;
					size_t iu = (size_t)(ru - p->rules);
					if (pair_seen(&seen, &n_seen, ij, k, &c->oom))
						continue;
					struct mr_pos pos =
					    rj->name_pos ? rj->name_pos[k] : rj->pos;
					char *au =
					    mr_ret_name(mr_act_value(ru->action, ru->errno_ret));
					char *aj =
					    mr_ret_name(mr_act_value(rj->action, rj->errno_ret));
					char fix[256];
					if (rj->n_args > 0) {
						snprintf(
						    fix, sizeof(fix),
						    "remove \"%s\" from syscalls[%zu] if these "
						    "conditions should apply",
						    n, iu);
						add(c, MR_LINT_WARNING, pos, fix,
						    "the argument conditions of syscalls[%zu] are "
						    "dropped for \"%s\": syscalls[%zu] (line %d) "
						    "gives it %s unconditionally, and libseccomp "
						    "keeps "
						    "only the unconditional rule",
						    ij, n, iu, ru->pos.line, au ? au : "?");
					} else {
						snprintf(fix, sizeof(fix),
							 "remove \"%s\" from one of the two rules",
							 n);
						add(c, MR_LINT_WARNING, pos, fix,
						    "\"%s\" gets %s from syscalls[%zu] (line %d), "
						    "an "
						    "earlier unconditional rule: libseccomp "
						    "ignores "
						    "this %s",
						    n, au ? au : "?", iu, ru->pos.line,
						    aj ? aj : "?");
					}
					free(au);
					free(aj);
				}
			}
			mr_reduced_clear(&red);
		}
	}
	free(seen);
}

/* System calls old profiles do not know and programs try first; glibc falls back on ENOSYS. */
static const char *const well_known_new[] = {
    "copy_file_range", "preadv2",      "pwritev2",    "statx",	     "rseq",
    "io_uring_setup",  "pidfd_open",   "clone3",      "close_range", "openat2",
    "faccessat2",      "epoll_pwait2", "futex_waitv", "fchmodat2",
};

static void
lint_outcomes(struct lctx *c, const struct mr_profile *p, const struct mr_lint_opts *o)
{
	struct mr_reduce_env env;
	struct mr_explained x;
	struct mr_error err = {0};

	/* Compile for each arch: libseccomp's refusals (EEXIST...) are errors. */
	for (size_t a = 0; a < o->n_arches; a++) {
		if (mr_reduce_env_for(mr_caps_docker_default(), o->arches[a], &env, &err) < 0)
			return;
		if (mr_explain_prepare(p, &env, &x, &err) < 0) {
			struct mr_pos pos;
			const char *m = split_msg(err.msg, c->source, &pos);
			add(c, MR_LINT_ERROR, pos,
			    "change the rule so libseccomp accepts it (see the message)",
			    "cannot compile for %s: %s", mr_arch_lib_name(o->arches[a]), m);
			return;
		}
		if (a > 0) {
			mr_explained_clear(&x);
			continue;
		}
		/* The first arch (the native one by default): can a container start at all? */
		static const char *const execs[] = {"execve", "execveat"};
		for (size_t e = 0; e < 2; e++) {
			struct mr_outcome out;
			if (mr_explain_syscall(&x, execs[e], &out, &err) < 0) {
				c->oom = true;
				break;
			}
			bool denied = out.kind == MR_OUT_ACTION || out.kind == MR_OUT_STUB;
			denied = denied &&
				 (out.ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ALLOW &&
				 (out.ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_LOG;
			if (denied) {
				const struct mr_prof_rule *r =
				    out.rule >= 0 ? &p->rules[out.rule] : NULL;
				char fix[128];
				snprintf(fix, sizeof(fix), "allow \"%s\"", execs[e]);
				if (e == 0)
					add(c, MR_LINT_ERROR, r ? r->pos : top, fix,
					    "execve is denied (%s, by %s): no container can start "
					    "its command",
					    out.effect, r ? "this rule" : "defaultAction");
				else
					add(c, MR_LINT_WARNING, r ? r->pos : top, fix,
					    "execveat is denied (%s, by %s): fexecve(3) and "
					    "programs "
					    "that exec by file descriptor fail",
					    out.effect, r ? "this rule" : "defaultAction");
			}
			mr_outcome_clear(&out);
		}
		mr_explained_clear(&x);
	}

	/* New system calls meet the stub (always reported for x86_64, whose numbers
	 * people know). */
	if (mr_reduce_env_for(mr_caps_docker_default(), SCMP_ARCH_X86_64, &env, &err) < 0 ||
	    mr_explain_prepare(p, &env, &x, &err) < 0)
		return;
	long max = mr_explain_max_nr(&x);
	if (x.f.n_stub > 0 && max >= 0) {
		char list[512] = "";
		size_t off = 0, count = 0;
		for (size_t i = 0; i < MR_ARRAY_SIZE(well_known_new); i++) {
			int nr =
			    seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, well_known_new[i]);
			if (nr <= max || named_at_all(p, well_known_new[i]))
				continue;
			int w = snprintf(list + off, sizeof(list) - off, "%s%s", count ? ", " : "",
					 well_known_new[i]);
			if (w > 0 && (size_t)w < sizeof(list) - off)
				off += (size_t)w;
			count++;
		}
		char *mn = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)max);
		if (count > 0)
			add(c, MR_LINT_WARNING, top,
			    "nothing to do if the workload copes (glibc falls back to older calls "
			    "on ENOSYS); name them with an action to decide yourself",
			    "the highest system call this profile names on x86_64 is %s (%ld): "
			    "newer ones get ENOSYS from the stub rather than the default action, "
			    "among them %s",
			    mn ? mn : "?", max, list);
		free(mn);
	}
	mr_explained_clear(&x);
}

/* ------------------------------------------------------------------ API */

static int
cmp_item(const void *a, const void *b)
{
	const struct mr_lint_item *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return 0;
}

static int
lint_parsed(struct lctx *c, struct mr_profile *p, const struct mr_error *perr,
	    const struct mr_lint_opts *opts, struct mr_error *err)
{
	uint32_t def[1];
	struct mr_lint_opts o = *opts;
	/* The host's arch only, as a run checks it: a profile learned on x86_64
	   must not fail CI with findings about aarch64 nobody asked for. */
	if (o.n_arches == 0) {
		def[0] = seccomp_arch_native();
		o.arches = def;
		o.n_arches = 1;
	}
	if (p == NULL) {
		struct mr_pos pos;
		const char *m = split_msg(perr->msg, c->source, &pos);
		add(c, MR_LINT_ERROR, pos, parse_error_fix(m), "%s", m);
	} else {
		c->lost_key = p->lost_rules_key;
		for (size_t i = 0; i < p->warnings.n; i++)
			lint_parser_warning(c, p->warnings.v[i]);
		if (p->unconfined) {
			add(c, MR_LINT_WARNING, top,
			    "add \"defaultAction\" and the syscalls to allow; to run without "
			    "seccomp on purpose, say --security-opt seccomp=unconfined",
			    "no defaultAction and no syscalls: Docker runs the container with no "
			    "seccomp filter at all (unconfined)");
		} else {
			lint_names(c, p, &o);
			lint_args(c, p);
			lint_shadow(c, p, &o);
			lint_outcomes(c, p, &o);
		}
	}
	mr_strv_clear(&c->candidates);
	if (c->oom) {
		mr_lint_clear(c->out);
		return mr_error_oomf(err, "profile check %s", c->source);
	}
	/* Stable: insertion sort keeps discovery order among equal positions. */
	for (size_t i = 1; i < c->out->n; i++) {
		struct mr_lint_item t = c->out->v[i];
		size_t j = i;
		while (j > 0 && cmp_item(&c->out->v[j - 1], &t) > 0) {
			c->out->v[j] = c->out->v[j - 1];
			j--;
		}
		c->out->v[j] = t;
	}
	return 0;
}

int
mr_lint_file(const char *path, const struct mr_lint_opts *opts, struct mr_lint *out,
	     struct mr_error *err)
{
	struct mr_profile *p = NULL;
	struct mr_error perr = {0};
	struct lctx c = {.source = path, .out = out};

	memset(out, 0, sizeof(*out));
	/* A name as a run takes it: runtime/default, unconfined, localhost/NAME, a path. */
	if (mr_profile_load_named(path, &p, &perr) < 0 && perr.errnum != 0) {
		*err = perr;
		return -1;
	}
	int r = lint_parsed(&c, p, &perr, opts, err);
	mr_profile_free(p);
	return r;
}

int
mr_lint_text(const char *text, size_t len, const char *source, const struct mr_lint_opts *opts,
	     struct mr_lint *out, struct mr_error *err)
{
	struct mr_profile *p = NULL;
	struct mr_error perr = {0};
	struct lctx c = {.source = source, .out = out};

	memset(out, 0, sizeof(*out));
	if (mr_profile_parse(text, len, source, &p, &perr) < 0 && perr.errnum != 0) {
		*err = perr;
		return -1;
	}
	int r = lint_parsed(&c, p, &perr, opts, err);
	mr_profile_free(p);
	return r;
}

char *
mr_lint_format(const char *source, const struct mr_lint_item *it)
{
	char *s = NULL;
	int r = asprintf(&s, "%s:%d:%d: %s: %s%s%s%s", source, it->line, it->column,
			 it->severity == MR_LINT_ERROR ? "error" : "warning", it->msg,
			 it->fix ? " (fix: " : "", it->fix ? it->fix : "", it->fix ? ")" : "");
	return r < 0 ? NULL : s;
}

int
mr_lint_exit_status(const struct mr_lint *l, bool strict)
{
	for (size_t i = 0; i < l->n; i++)
		if (strict || l->v[i].severity == MR_LINT_ERROR)
			return 1;
	return 0;
}

int
mr_lint_status(const struct mr_lint *l)
{
	int st = 0;
	for (size_t i = 0; i < l->n; i++)
		st = l->v[i].severity == MR_LINT_ERROR ? 2 : (st > 1 ? st : 1);
	return st;
}

void
mr_lint_clear(struct mr_lint *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].msg);
		free(l->v[i].fix);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
