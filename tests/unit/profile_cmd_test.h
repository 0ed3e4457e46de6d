/* SPDX-License-Identifier: MIT */
/* Helpers shared by test_lint.c, test_explain.c and test_convert.c. */
#ifndef MINIRUN_TEST_PROFILE_CMD_H
#define MINIRUN_TEST_PROFILE_CMD_H

#include <check.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp/program.h"
#include "tools/explain.h"
#include "seccomp/filter.h"
#include "seccomp/profile.h"
#include "seccomp/reduce.h"
#include "seccomp/arch.h"
#include "common/util.h"
#include "test-helpers.h"

/* tests/data/profile-cmd/NAME (meson sets MR_PROFILE_CMD_DATA). */
static inline char *
pc_fixture(const char *name)
{
	const char *d = getenv("MR_PROFILE_CMD_DATA");
	char *p = NULL;
	ck_assert_int_ge(asprintf(&p, "%s/%s", d && *d ? d : "tests/data/profile-cmd", name), 0);
	return p;
}

/* ../shared/profiles/NAME: only the --shared suite (test-helpers.h) calls it. */
static inline char *
pc_shared(const char *name)
{
	return test_shared_path(name);
}

/* Load a profile and compile it for arch (0: native) and a bounding set. */
static inline struct mr_profile *
pc_prepare(const char *path, mr_capset caps, uint32_t arch, struct mr_explained *x)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	struct mr_reduce_env env;
	ck_assert_msg(mr_profile_load_named(path, &p, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(mr_reduce_env_for(caps, arch, &env, &err), 0);
	ck_assert_msg(mr_explain_prepare(p, &env, x, &err) == 0, "%s", err.msg);
	return p;
}

#endif
