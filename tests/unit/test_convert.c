/* SPDX-License-Identifier: MIT */
/*
 * lib/tools/convert.c: converting a profile and loading the result compiles to the
 * same BPF program as the original, for the same caps and arch.
 */
#include <linux/filter.h>

#include "tools/convert.h"
#include "profile_cmd_test.h"

#define DOCKER_CAPS 0xa80425fbULL

static char *
convert(const struct mr_explained *x, enum mr_convert_format fmt)
{
	struct mr_reduced r;
	struct mr_error err = {0};
	char *text = NULL;
	/* as cmd/profile.c does: the reduction without explain's target-arch entry */
	ck_assert_int_eq(mr_profile_reduce(x->profile, &x->env, &r, &err), 0);
	ck_assert_msg(mr_convert(&r, fmt, &text, &err) == 0, "%s", err.msg);
	mr_reduced_clear(&r);
	return text;
}

static void
roundtrip(const char *path, mr_capset caps, uint32_t arch)
{
	struct mr_explained x, y;
	struct mr_profile *p = pc_prepare(path, caps, arch, &x);
	for (int fmt = MR_CONVERT_OCI; fmt <= MR_CONVERT_DOCKER; fmt++) {
		char *text = convert(&x, (enum mr_convert_format)fmt);
		char *again = convert(&x, (enum mr_convert_format)fmt);
		ck_assert_str_eq(text, again); /* deterministic */
		free(again);
		struct mr_profile *q = NULL;
		struct mr_error err = {0};
		ck_assert_msg(mr_profile_parse(text, strlen(text), "converted", &q, &err) == 0,
			      "%s: %s", path, err.msg);
		ck_assert_uint_eq(q->warnings.n, 0);
		ck_assert_msg(mr_explain_prepare(q, &x.env, &y, &err) == 0, "%s", err.msg);
		ck_assert_msg(
		    y.f.n_insns == x.f.n_insns && y.f.n_stub == x.f.n_stub &&
			memcmp(y.f.insns, x.f.insns, x.f.n_insns * sizeof(struct sock_filter)) == 0,
		    "%s (%s, arch %#x, caps %#llx): converted program differs", path,
		    fmt == MR_CONVERT_OCI ? "oci" : "docker", arch, (unsigned long long)caps);
		mr_explained_clear(&y);
		mr_profile_free(q);
		free(text);
	}
	mr_explained_clear(&x);
	mr_profile_free(p);
}

START_TEST(test_roundtrip_fixtures)
{
	const char *fx[] = {"caps.json", "mixed.json", "clean.json", "old.json", "no-mkdir.json"};
	for (size_t i = 0; i < MR_ARRAY_SIZE(fx); i++) {
		char *path = pc_fixture(fx[i]);
		roundtrip(path, DOCKER_CAPS, SCMP_ARCH_X86_64);
		roundtrip(path, ~0ULL >> 23, SCMP_ARCH_X86_64);
		roundtrip(path, DOCKER_CAPS, SCMP_ARCH_AARCH64);
		free(path);
	}
	roundtrip("runtime/default", DOCKER_CAPS, 0);
}
END_TEST

START_TEST(test_roundtrip_shared)
{
	const char *files[] = {"moby-moby_default.json", "containers-common_seccomp.json",
			       "docker-labs_default.json", "moby-moby_default_v20.10.0.json"};
	for (size_t i = 0; i < MR_ARRAY_SIZE(files); i++) {
		char *path = pc_shared(files[i]);
		roundtrip(path, DOCKER_CAPS, SCMP_ARCH_X86_64);
		roundtrip(path, ~0ULL >> 23, SCMP_ARCH_X86_64);
		roundtrip(path, DOCKER_CAPS, SCMP_ARCH_AARCH64);
		free(path);
	}
}
END_TEST

START_TEST(test_oci_shape)
{
	struct mr_explained x;
	char *path = pc_fixture("caps.json");
	struct mr_profile *p = pc_prepare(path, DOCKER_CAPS, SCMP_ARCH_X86_64, &x);
	char *text = convert(&x, MR_CONVERT_OCI);
	/* archMap expanded, includes/excludes gone, ALLOW names grouped, errnoRet explicit */
	ck_assert_ptr_nonnull(strstr(text, "\"architectures\": [\n    \"SCMP_ARCH_X86_64\",\n    "
					   "\"SCMP_ARCH_X86\"\n  ]"));
	ck_assert_ptr_null(strstr(text, "includes"));
	ck_assert_ptr_null(strstr(text, "excludes"));
	ck_assert_ptr_null(strstr(text, "mount"));
	ck_assert_ptr_nonnull(strstr(text, "\"fchmodat2\",\n        \"clone\",\n        "
					   "\"arch_prctl\"\n      ],\n      \"action\": "
					   "\"SCMP_ACT_ALLOW\""));
	ck_assert_ptr_nonnull(strstr(text, "\"errnoRet\": 38"));
	ck_assert_ptr_nonnull(strstr(text, "\"defaultErrnoRet\": 1"));
	free(text);
	text = convert(&x, MR_CONVERT_DOCKER);
	ck_assert_ptr_null(strstr(text, "mount needs CAP_SYS_ADMIN"));
	free(text);
	mr_explained_clear(&x);
	mr_profile_free(p);

	/* {} is "no seccomp": nothing to convert */
	char *empty = pc_fixture("empty.json");
	p = pc_prepare(empty, DOCKER_CAPS, 0, &x);
	struct mr_reduced r;
	struct mr_error err = {0};
	char *out = NULL;
	ck_assert_int_eq(mr_profile_reduce(p, &x.env, &r, &err), 0);
	ck_assert_int_eq(mr_convert(&r, MR_CONVERT_OCI, &out, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "unconfined"));
	mr_reduced_clear(&r);
	mr_explained_clear(&x);
	mr_profile_free(p);
	free(empty);
	free(path);
}
END_TEST

static Suite *
convert_suite(void)
{
	Suite *s = suite_create("convert");
	TCase *tc = tcase_create("convert");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_roundtrip_fixtures);
	tcase_add_test(tc, test_oci_shape);
	suite_add_tcase(s, tc);
	return s;
}

/* The cases that read ../shared/profiles: `test_convert --shared`. */
static Suite *
convert_shared_suite(void)
{
	Suite *s = suite_create("convert-shared");
	TCase *tc = tcase_create("shared profiles");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_roundtrip_shared);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	return test_main(argc, argv, convert_suite, convert_shared_suite);
}
