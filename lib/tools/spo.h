/* SPDX-License-Identifier: MIT */
/*
 * Internal: `profile convert --to spo`: a reduced profile as the Security
 * Profiles Operator's SeccompProfile resource (YAML, written with libyaml),
 * for `kubectl apply -f`.
 */
#ifndef MINIRUN_TOOLS_SPO_H
#define MINIRUN_TOOLS_SPO_H

#include "seccomp/reduce.h"

/*
 * name: metadata.name (a DNS subdomain: lowercase letters, digits, '-' and
 * '.'); ns: metadata.namespace or NULL.  Refused, because the CRD cannot say
 * them: a default errno other than EPERM, argument values above 2^63-1.
 */
int mr_convert_spo(const struct mr_reduced *r, const char *name, const char *ns, char **out,
		   struct mr_error *err);

/* A metadata.name from a file name: "my_profile.json" -> "my-profile". */
char *mr_spo_name_from(const char *path);

#endif
