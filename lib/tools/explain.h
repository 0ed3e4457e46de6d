/* SPDX-License-Identifier: MIT */
/*
 * Internal: what a profile does to each system call once Docker's reduction,
 * libseccomp and the ENOSYS stub are through with it, and why.  Shared by
 * `minirun profile explain`, `diff` (lib/tools/explain.c) and `check` (lib/tools/lint.c).
 *
 * The answer comes from running the compiled program (lib/seccomp/bpf-eval.c) on the
 * syscall, so it is what the kernel would do; the rule model only supplies
 * the reasons and the argument conditions, which one evaluation with all
 * arguments zero cannot show.
 */
#ifndef MINIRUN_TOOLS_EXPLAIN_H
#define MINIRUN_TOOLS_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strv.h"
#include "seccomp/filter.h"
#include "seccomp/profile.h"
#include "seccomp/reduce.h"

/* -------------------------------------------------------------- explaining */

/* One profile compiled for one target. */
struct mr_explained {
	const struct mr_profile *profile;
	struct mr_reduce_env env;
	uint32_t arch;	/* the target arch (env.native_arch) */
	uint32_t audit; /* seccomp_data.arch for it */
	struct mr_reduced r;
	struct mr_filter f; /* stub + libseccomp program; empty when unconfined */
	bool *kept;	    /* per profile rule: survived the reduction */
};

int mr_explain_prepare(const struct mr_profile *p, const struct mr_reduce_env *env,
		       struct mr_explained *x, struct mr_error *err);
void mr_explained_clear(struct mr_explained *x);

enum mr_outcome_kind {
	MR_OUT_ACTION,	    /* one action whatever the arguments */
	MR_OUT_CONDITIONAL, /* depends on the arguments */
	MR_OUT_STUB,	    /* ENOSYS from the stub: newer than anything the profile names */
	MR_OUT_NOT_ON_ARCH, /* libseccomp knows the name, the arch has no such syscall */
	MR_OUT_UNKNOWN,	    /* libseccomp does not know the name: runtimes skip it */
	MR_OUT_UNCONFINED,  /* the profile means "no seccomp" (Docker's {}) */
};

struct mr_outcome {
	enum mr_outcome_kind kind;
	char *name;
	int nr;	      /* on the target arch; < 0 for NOT_ON_ARCH / UNKNOWN */
	uint32_t ret; /* the program's answer with all arguments 0 */
	/* "ALLOW", "ERRNO(EPERM)", "ALLOW if arg0 == 0 || arg0 == 8; else ERRNO(EPERM)" */
	char *effect;
	long rule;	    /* deciding rule (index in the profile's syscalls), -1: none */
	struct mr_strv why; /* reasons, most important first */
};

int mr_explain_syscall(const struct mr_explained *x, const char *name, struct mr_outcome *o,
		       struct mr_error *err);
void mr_outcome_clear(struct mr_outcome *o);

/* The names of every rule of the profile (kept or dropped), sorted, unique. */
int mr_explain_named(const struct mr_profile *p, struct mr_strv *out, struct mr_error *err);

/* "ALLOW", "ERRNO(EPERM)", "KILL_PROCESS", ... for a SECCOMP_RET_* value. */
char *mr_ret_name(uint32_t ret);

/*
 * The ENOSYS stub's ceiling on the target arch (mr_filter_stub_ceiling): the
 * highest number the profile names or its compiled rules decide, -1: none.
 */
long mr_explain_max_nr(const struct mr_explained *x);

/* ------------------------------------------------------------- formatting */

/* Aligned "NAME  OUTCOME  WHY" lines (no header), one per outcome. */
char *mr_explain_table(const struct mr_outcome *v, size_t n);
/* A JSON array of objects {name, nr, arch, kind, effect, ret, rule, line, comment, why}. */
char *mr_explain_json(const struct mr_explained *x, const struct mr_outcome *v, size_t n);
/* One line: counts by outcome, the default action, the stub's threshold. */
char *mr_explain_summary(const struct mr_explained *x, const struct mr_outcome *v, size_t n);
/* The final program, one instruction a line, seccomp-tools style. */
char *mr_explain_bpf(const struct mr_explained *x);
/* libseccomp's PFC, preceded by the stub as PFC-style comments. */
int mr_explain_pfc(const struct mr_explained *x, char **out, struct mr_error *err);

/* ------------------------------------------------------------------- diff */

struct mr_diff_line {
	char *name;
	char *a; /* effect under the first profile */
	char *b;
};

/*
 * Every system call of the target arch (and every name either profile uses)
 * whose effect differs, sorted by name.  a and b must share the target arch.
 */
int mr_explain_diff(const struct mr_explained *a, const struct mr_explained *b,
		    struct mr_diff_line **out, size_t *n, struct mr_error *err);
void mr_diff_free(struct mr_diff_line *v, size_t n);

#endif
