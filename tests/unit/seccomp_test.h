/* SPDX-License-Identifier: MIT */
/* Helpers shared by test_profile.c, test_reduce.c and test_filter.c. */
#ifndef MINIRUN_TEST_SECCOMP_H
#define MINIRUN_TEST_SECCOMP_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp/filter.h"
#include "seccomp/profile.h"
#include "seccomp/reduce.h"
#include "test-helpers.h"

/* Docker's 14 default capabilities (moby oci/caps/defaults.go). */
#define TEST_CAPS_DOCKER 0xa80425fbULL

static inline const char *
test_env_dir(const char *var, const char *fallback)
{
	const char *d = getenv(var);
	return d && *d ? d : fallback;
}

/* tests/data/seccomp/NAME (meson sets MR_SECCOMP_DATA). */
static inline char *
test_fixture(const char *name)
{
	char *p = NULL;
	ck_assert_int_ge(
	    asprintf(&p, "%s/%s", test_env_dir("MR_SECCOMP_DATA", "tests/data/seccomp"), name), 0);
	return p;
}

/* ../shared/profiles/NAME: only the --shared suite (test-helpers.h) calls it. */
static inline char *
test_shared_profile(const char *name)
{
	return test_shared_path(name);
}

/* examples/profiles/NAME */
static inline char *
test_example(const char *name)
{
	char *p = NULL;
	ck_assert_int_ge(
	    asprintf(&p, "%s/%s", test_env_dir("MR_EXAMPLES", "examples/profiles"), name), 0);
	return p;
}

/* Load a fixture that must parse. */
static inline struct mr_profile *
test_load_ok(const char *path)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	int r = mr_profile_load(path, &p, &err);
	ck_assert_msg(r == 0, "%s: %s", path, err.msg);
	return p;
}

/* Load a fixture that must fail; every needle must be in the message. */
static inline void
test_load_fails(const char *fixture, const char *const *needles)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	char *path = test_fixture(fixture);
	int r = mr_profile_load(path, &p, &err);
	ck_assert_msg(r < 0, "%s parsed, but it should not", fixture);
	ck_assert_ptr_null(p);
	for (size_t i = 0; needles[i] != NULL; i++)
		ck_assert_msg(strstr(err.msg, needles[i]) != NULL, "%s: \"%s\" not in \"%s\"",
			      fixture, needles[i], err.msg);
	free(path);
}

static inline struct mr_reduce_env
test_env(const char *go_arch, uint32_t native, unsigned kernel, unsigned major, mr_capset caps)
{
	struct mr_reduce_env e = {
	    .go_arch = go_arch,
	    .native_arch = native,
	    .kernel = kernel,
	    .major = major,
	    .bounding = caps,
	};
	return e;
}

#endif
