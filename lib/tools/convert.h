/* SPDX-License-Identifier: MIT */
/*
 * Internal: a reduced profile (includes/excludes and archMap decided for one
 * host) written back out as JSON, for `minirun profile convert`.
 */
#ifndef MINIRUN_TOOLS_CONVERT_H
#define MINIRUN_TOOLS_CONVERT_H

#include "seccomp/reduce.h"

enum mr_convert_format {
	/* An OCI runtime-spec linux.seccomp object (runc, crun): names grouped by
	 * identical action and arguments. */
	MR_CONVERT_OCI,
	/* Docker's format: one entry per surviving rule, in order, comments kept. */
	MR_CONVERT_DOCKER,
};

/*
 * The JSON text (2-space indent, keys in a fixed order, final newline) in
 * *out (malloc'ed).  Loading it again and reducing it for the same host
 * compiles to the same BPF program.  An unconfined profile is an error: OCI
 * has no way to say "no seccomp" but to leave linux.seccomp out.
 */
int mr_convert(const struct mr_reduced *r, enum mr_convert_format fmt, char **out,
	       struct mr_error *err);

#endif
