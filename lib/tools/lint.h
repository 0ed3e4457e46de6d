/* SPDX-License-Identifier: MIT */
/*
 * Internal: `minirun profile check`: everything wrong or risky in a profile,
 * each finding with its JSON position and a fix.
 *
 * Errors: the profile cannot be used (invalid JSON or schema, libseccomp
 * refuses a rule, execve is denied so no container can start).  Warnings: it
 * loads, but does something other than it appears to (a name is skipped, a
 * rule is ignored, a deny rule fails open, a key is ignored...).
 */
#ifndef MINIRUN_TOOLS_LINT_H
#define MINIRUN_TOOLS_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seccomp/profile.h"

enum mr_lint_severity {
	MR_LINT_WARNING,
	MR_LINT_ERROR,
};

struct mr_lint_item {
	enum mr_lint_severity severity;
	int line; /* 1-based; 1:1 for findings about the whole profile */
	int column;
	char *msg;
	char *fix;
};

struct mr_lint {
	struct mr_lint_item *v; /* sorted by line, then column, then discovery */
	size_t n;
};

struct mr_lint_opts {
	/* The architectures to check names on (SCMP_ARCH_* tokens); none: the
	 * native arch only. */
	const uint32_t *arches;
	size_t n_arches;
};

/*
 * Lint the file at path.  Returns -1 (err set) only when the file cannot be
 * read; a profile that does not parse is an MR_LINT_ERROR finding.
 */
int mr_lint_file(const char *path, const struct mr_lint_opts *opts, struct mr_lint *out,
		 struct mr_error *err);

/* The same for text already in memory; source names it in findings. */
int mr_lint_text(const char *text, size_t len, const char *source, const struct mr_lint_opts *opts,
		 struct mr_lint *out, struct mr_error *err);

/* "SOURCE:LINE:COLUMN: warning: MESSAGE (fix: FIX)" (malloc'ed, no newline). */
char *mr_lint_format(const char *source, const struct mr_lint_item *it);

/* 0: no findings, 1: warnings only, 2: at least one error. */
int mr_lint_status(const struct mr_lint *l);

/*
 * `minirun profile check`'s exit status, for CI: 0 when there is no error
 * (warnings are printed but pass), 1 when there is one; strict (--strict):
 * warnings count as errors.
 */
int mr_lint_exit_status(const struct mr_lint *l, bool strict);

void mr_lint_clear(struct mr_lint *l);

/* Edit distance (insert, delete, substitute, swap neighbours); for "did you mean". */
size_t mr_lint_distance(const char *a, const char *b);

#endif
