/* SPDX-License-Identifier: MIT */
/* lib/tools/explain.c: outcomes, reasons and diff (`minirun profile explain|diff`). */
#include "profile_cmd_test.h"

#define DOCKER_CAPS	  0xa80425fbULL
#define CAP_SYS_ADMIN_BIT (1ULL << 21)

static struct mr_outcome
outcome(const struct mr_explained *x, const char *name)
{
	struct mr_outcome o;
	struct mr_error err = {0};
	ck_assert_msg(mr_explain_syscall(x, name, &o, &err) == 0, "%s", err.msg);
	return o;
}

static bool
why_has(const struct mr_outcome *o, const char *needle)
{
	for (size_t i = 0; i < o->why.n; i++)
		if (strstr(o->why.v[i], needle) != NULL)
			return true;
	return false;
}

START_TEST(test_caps_includes_excludes)
{
	struct mr_explained x;
	char *path = pc_fixture("caps.json");
	struct mr_profile *p = pc_prepare(path, DOCKER_CAPS, SCMP_ARCH_X86_64, &x);

	struct mr_outcome o = outcome(&x, "mount");
	ck_assert_str_eq(o.effect, "ERRNO(EPERM)");
	ck_assert_int_eq(o.rule, -1);
	ck_assert_msg(why_has(&o, "rule 1 (line 9) \"mount needs CAP_SYS_ADMIN anyway\" dropped: "
				  "includes.caps CAP_SYS_ADMIN not in the bounding set"),
		      "%s", o.why.v[o.why.n - 1]);
	mr_outcome_clear(&o);
	o = outcome(&x, "clone3");
	ck_assert_str_eq(o.effect, "ERRNO(ENOSYS)");
	ck_assert_int_eq(o.kind, MR_OUT_ACTION);
	ck_assert_int_eq(o.rule, 2);
	mr_outcome_clear(&o);
	o = outcome(&x, "arch_prctl");
	ck_assert_str_eq(o.effect, "ALLOW");
	ck_assert(why_has(&o, "includes.arches has amd64"));
	mr_outcome_clear(&o);
	o = outcome(&x, "no_such_call");
	ck_assert_int_eq(o.kind, MR_OUT_UNKNOWN);
	mr_outcome_clear(&o);
	mr_explained_clear(&x);
	mr_profile_free(p);

	/* --cap-add SYS_ADMIN */
	p = pc_prepare(path, DOCKER_CAPS | CAP_SYS_ADMIN_BIT, SCMP_ARCH_X86_64, &x);
	o = outcome(&x, "mount");
	ck_assert_str_eq(o.effect, "ALLOW");
	ck_assert(why_has(&o, "includes.caps CAP_SYS_ADMIN in the bounding set"));
	mr_outcome_clear(&o);
	o = outcome(&x, "clone3");
	ck_assert_str_eq(o.effect, "ERRNO(EPERM)");
	ck_assert(why_has(&o, "excludes.caps CAP_SYS_ADMIN is in the bounding set"));
	mr_outcome_clear(&o);
	mr_explained_clear(&x);
	mr_profile_free(p);

	/* aarch64: the archMap entry and includes.arches follow the target arch */
	p = pc_prepare(path, DOCKER_CAPS, SCMP_ARCH_AARCH64, &x);
	o = outcome(&x, "arch_prctl");
	ck_assert_int_eq(o.kind, MR_OUT_NOT_ON_ARCH);
	mr_outcome_clear(&o);
	o = outcome(&x, "clone");
	ck_assert_str_eq(o.effect, "ALLOW");
	ck_assert_int_eq(o.nr, 220);
	mr_outcome_clear(&o);
	mr_explained_clear(&x);
	mr_profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_conditions_and_shadowing)
{
	struct mr_explained x;
	char *path = pc_fixture("mixed.json");
	struct mr_profile *p = pc_prepare(path, DOCKER_CAPS, SCMP_ARCH_X86_64, &x);
	struct mr_outcome o = outcome(&x, "socket");
	ck_assert_int_eq(o.kind, MR_OUT_CONDITIONAL);
	ck_assert_str_eq(o.effect, "ALLOW if arg0 == 1 || arg0 == 2; else ERRNO(EPERM)");
	mr_outcome_clear(&o);
	o = outcome(&x, "personality");
	ck_assert_str_eq(o.effect, "ALLOW");
	ck_assert_int_eq(o.rule, 3);
	ck_assert(why_has(&o, "rule 2 (line 18) conditions dropped: rule 3 decides personality "
			      "unconditionally"));
	mr_outcome_clear(&o);
	o = outcome(&x, "write");
	ck_assert_str_eq(o.effect, "ALLOW");
	ck_assert(why_has(&o, "rule 4 (line 24) ignored: rule 0 decides write first"));
	mr_outcome_clear(&o);
	mr_explained_clear(&x);
	mr_profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_stub)
{
	struct mr_explained x;
	char *path = pc_fixture("old.json");
	struct mr_profile *p = pc_prepare(path, DOCKER_CAPS, SCMP_ARCH_X86_64, &x);
	struct mr_outcome o = outcome(&x, "clone3");
	ck_assert_int_eq(o.kind, MR_OUT_STUB);
	ck_assert_str_eq(o.effect, "ERRNO(ENOSYS)");
	ck_assert(why_has(&o, "above the highest system call the profile names on x86_64 "
			      "(execveat, 322)"));
	mr_outcome_clear(&o);
	o = outcome(&x, "mkdir"); /* 83 < 322: the default action */
	ck_assert_str_eq(o.effect, "ERRNO(EPERM)");
	ck_assert(why_has(&o, "defaultAction"));
	mr_outcome_clear(&o);
	ck_assert_int_eq(mr_explain_max_nr(&x), 322);

	char *bpf = mr_explain_bpf(&x);
	ck_assert_ptr_nonnull(strstr(bpf, "A = arch"));
	ck_assert_ptr_nonnull(strstr(bpf, "# end of minirun's ENOSYS stub"));
	ck_assert_ptr_nonnull(strstr(bpf, "return ERRNO(ENOSYS)"));
	free(bpf);
	char *pfc = NULL;
	struct mr_error err = {0};
	ck_assert_int_eq(mr_explain_pfc(&x, &pfc, &err), 0);
	ck_assert_ptr_nonnull(strstr(pfc, "$syscall > 322) action ERRNO(38); # x86_64"));
	ck_assert_ptr_nonnull(strstr(pfc, "action ERRNO(1);"));
	free(pfc);
	mr_explained_clear(&x);
	mr_profile_free(p);
	free(path);
}
END_TEST

/* mr_rule_applies_why must keep exactly the rules mr_profile_reduce keeps. */
static void
check_why_matches_reduce(const char *path)
{
	uint32_t arches[] = {SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, SCMP_ARCH_RISCV64};
	mr_capset sets[] = {DOCKER_CAPS, DOCKER_CAPS | CAP_SYS_ADMIN_BIT, 0, ~0ULL >> 23};
	for (size_t a = 0; a < 3; a++)
		for (size_t s = 0; s < 4; s++) {
			struct mr_explained x;
			struct mr_profile *p = pc_prepare(path, sets[s], arches[a], &x);
			for (size_t i = 0; i < p->n_rules; i++) {
				char why[512];
				ck_assert_int_eq(
				    mr_rule_applies_why(&p->rules[i], &x.env, why, sizeof(why)),
				    x.kept[i]);
			}
			mr_explained_clear(&x);
			mr_profile_free(p);
		}
}

START_TEST(test_why_matches_reduce)
{
	char *path = pc_fixture("caps.json");
	check_why_matches_reduce(path);
	free(path);
}
END_TEST

START_TEST(test_why_matches_reduce_shared)
{
	const char *files[] = {"moby-moby_default.json", "containers-common_seccomp.json"};
	for (size_t f = 0; f < MR_ARRAY_SIZE(files); f++) {
		char *path = pc_shared(files[f]);
		check_why_matches_reduce(path);
		free(path);
	}
}
END_TEST

START_TEST(test_diff)
{
	struct mr_explained a, b;
	struct mr_diff_line *d;
	size_t n;
	struct mr_error err = {0};
	char *path = pc_fixture("caps.json");
	struct mr_profile *pa = pc_prepare(path, DOCKER_CAPS, SCMP_ARCH_X86_64, &a);
	struct mr_profile *pb = pc_prepare(path, DOCKER_CAPS, SCMP_ARCH_X86_64, &b);
	ck_assert_int_eq(mr_explain_diff(&a, &b, &d, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	mr_diff_free(d, n);
	mr_explained_clear(&b);
	mr_profile_free(pb);
	pb = pc_prepare(path, DOCKER_CAPS | CAP_SYS_ADMIN_BIT, SCMP_ARCH_X86_64, &b);
	ck_assert_int_eq(mr_explain_diff(&a, &b, &d, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(d[0].name, "clone3");
	ck_assert_str_eq(d[0].a, "ERRNO(ENOSYS)");
	ck_assert_str_eq(d[0].b, "ERRNO(EPERM)");
	ck_assert_str_eq(d[1].name, "mount");
	ck_assert_str_eq(d[1].b, "ALLOW");
	ck_assert_str_eq(d[2].name, "umount2");
	mr_diff_free(d, n);
	mr_explained_clear(&a);
	mr_explained_clear(&b);
	mr_profile_free(pa);
	mr_profile_free(pb);
	free(path);
}
END_TEST

START_TEST(test_diff_lab)
{
	struct mr_explained a, b;
	struct mr_diff_line *d;
	size_t n;
	struct mr_error err = {0};
	/* the lab's exercise: exactly chmod, fchmod and fchmodat lose ALLOW */
	char *lab = pc_shared("docker-labs_default.json");
	char *nochmod = pc_shared("docker-labs_default-no-chmod.json");
	struct mr_profile *pa = pc_prepare(lab, DOCKER_CAPS, SCMP_ARCH_X86_64, &a);
	struct mr_profile *pb = pc_prepare(nochmod, DOCKER_CAPS, SCMP_ARCH_X86_64, &b);
	ck_assert_int_eq(mr_explain_diff(&a, &b, &d, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	const char *want[] = {"chmod", "fchmod", "fchmodat"};
	for (size_t i = 0; i < 3; i++) {
		ck_assert_str_eq(d[i].name, want[i]);
		ck_assert_str_eq(d[i].a, "ALLOW");
		ck_assert_str_eq(d[i].b, "ERRNO(EPERM)");
	}
	mr_diff_free(d, n);
	mr_explained_clear(&a);
	mr_explained_clear(&b);
	mr_profile_free(pa);
	mr_profile_free(pb);
	free(lab);
	free(nochmod);
}
END_TEST

START_TEST(test_arch_names)
{
	ck_assert_uint_eq(mr_arch_parse("SCMP_ARCH_AARCH64"), SCMP_ARCH_AARCH64);
	ck_assert_uint_eq(mr_arch_parse("arm64"), SCMP_ARCH_AARCH64);
	ck_assert_uint_eq(mr_arch_parse("aarch64"), SCMP_ARCH_AARCH64);
	ck_assert_uint_eq(mr_arch_parse("amd64"), SCMP_ARCH_X86_64);
	ck_assert_uint_eq(mr_arch_parse("x86_64"), SCMP_ARCH_X86_64);
	ck_assert_uint_eq(mr_arch_parse("sparc"), 0);
	struct mr_strv all;
	struct mr_error err = {0};
	ck_assert_int_eq(mr_arch_syscalls(SCMP_ARCH_AARCH64, &all, &err), 0);
	ck_assert_uint_gt(all.n, 250);
	bool mkdir = false, mkdirat = false;
	for (size_t i = 0; i < all.n; i++) {
		mkdir = mkdir || strcmp(all.v[i], "mkdir") == 0;
		mkdirat = mkdirat || strcmp(all.v[i], "mkdirat") == 0;
		if (i > 0)
			ck_assert_int_lt(strcmp(all.v[i - 1], all.v[i]), 0);
	}
	ck_assert(!mkdir && mkdirat);
	mr_strv_clear(&all);
}
END_TEST

static Suite *
explain_suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("explain");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_caps_includes_excludes);
	tcase_add_test(tc, test_conditions_and_shadowing);
	tcase_add_test(tc, test_stub);
	tcase_add_test(tc, test_why_matches_reduce);
	tcase_add_test(tc, test_diff);
	tcase_add_test(tc, test_arch_names);
	suite_add_tcase(s, tc);
	return s;
}

/* The cases that read ../shared/profiles: `test_explain --shared`. */
static Suite *
explain_shared_suite(void)
{
	Suite *s = suite_create("explain-shared");
	TCase *tc = tcase_create("shared profiles");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_why_matches_reduce_shared);
	tcase_add_test(tc, test_diff_lab);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	return test_main(argc, argv, explain_suite, explain_shared_suite);
}
