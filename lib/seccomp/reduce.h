/* SPDX-License-Identifier: MIT */
/*
 * Internal: Docker's setupSeccomp (lib/seccomp/reduce.c): a profile's
 * includes/excludes and archMap decided for one host, leaving the rules that
 * apply there.
 */
#ifndef MINIRUN_SECCOMP_REDUCE_H
#define MINIRUN_SECCOMP_REDUCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/caps.h"
#include "common/error.h"
#include "seccomp/profile.h"

/* What Docker's setupSeccomp looks at on the host. */
struct mr_reduce_env {
	const char *go_arch;  /* Go's spelling of the native arch: "amd64", "arm64", "x86", ... */
	uint32_t native_arch; /* SCMP_ARCH_* token of the native arch */
	unsigned kernel;      /* uname release "6.18.44-..." -> 6, 18 */
	unsigned major;
	mr_capset bounding; /* the bounding set the process will get */
};

/* The running host's arch and kernel, with the given bounding set. */
int mr_reduce_env_host(mr_capset bounding, struct mr_reduce_env *env, struct mr_error *err);

/*
 * The host's reduction environment (kernel version from uname) for the given
 * bounding set, pretending the native arch is arch (0: the real one): what
 * Docker on such a host would do.
 */
int mr_reduce_env_for(mr_capset bounding, uint32_t arch, struct mr_reduce_env *env,
		      struct mr_error *err);

/* The profile reduced for one host: an OCI linux.seccomp with everything decided. */
struct mr_reduced {
	const struct mr_profile *profile;
	uint32_t default_action; /* libseccomp value, errno included */
	enum mr_act default_act;
	uint32_t *arches; /* architectures or the native archMap entry; may lack native */
	size_t n_arches;
	unsigned flags; /* SECCOMP_FILTER_FLAG_*: the profile's, else SPEC_ALLOW */
	const struct mr_prof_rule **rules;
	size_t n_rules;
};

int mr_profile_reduce(const struct mr_profile *p, const struct mr_reduce_env *env,
		      struct mr_reduced *out, struct mr_error *err);

void mr_reduced_clear(struct mr_reduced *r);
#define cleanup_reduced __attribute__((cleanup(mr_reduced_clear)))

/*
 * Whether mr_profile_reduce keeps rule r for env, with the reason in why
 * ("includes.caps CAP_SYS_ADMIN not in the bounding set"; for a kept rule,
 * the conditions that held, or "" when it has none).  For `profile explain`.
 */
bool mr_rule_applies_why(const struct mr_prof_rule *r, const struct mr_reduce_env *env, char *why,
			 size_t len);

#endif
