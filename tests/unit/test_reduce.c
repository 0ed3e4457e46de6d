/* SPDX-License-Identifier: MIT */
/*
 * lib/seccomp/reduce.c: Docker's includes/excludes and archMap, and the proof that
 * examples/profiles/default.json reduces exactly like Docker's default.json.
 */
#include <check.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include <linux/seccomp.h>

#include "seccomp/filter.h"
#include "seccomp/profile.h"
#include "seccomp/reduce.h"
#include "seccomp/arch.h"
#include "seccomp/program.h"
#include "common/util.h"
#include "seccomp_test.h"

#define CAP_SYS_ADMIN_BIT  MR_CAP_BIT(21)
#define CAP_SYS_PTRACE_BIT MR_CAP_BIT(19)
#define CAP_SYSLOG_BIT	   MR_CAP_BIT(34)

/* The comments ("r0".."r9") of the conditions.json rules that survive. */
static char *
kept(const char *fixture, struct mr_reduce_env env)
{
	char *path = test_fixture(fixture);
	struct mr_profile *p = test_load_ok(path);
	struct mr_reduced r;
	struct mr_error err = {0};
	ck_assert_msg(mr_profile_reduce(p, &env, &r, &err) == 0, "%s", err.msg);
	char *s = calloc(1, 64);
	for (size_t i = 0; i < r.n_rules; i++) {
		strcat(s, r.rules[i]->comment);
		strcat(s, " ");
	}
	mr_reduced_clear(&r);
	mr_profile_free(p);
	free(path);
	return s;
}

#define ASSERT_KEPT(env, expect)                                                                   \
	do {                                                                                       \
		char *got_ = kept("conditions.json", env);                                         \
		ck_assert_str_eq(got_, expect);                                                    \
		free(got_);                                                                        \
	} while (0)

START_TEST(test_caps)
{
	/* Docker's default caps: no SYS_ADMIN -> r2 (clone3 ENOSYS) stays, r1/r3 go */
	ASSERT_KEPT(test_env("amd64", SCMP_ARCH_X86_64, 6, 18, TEST_CAPS_DOCKER),
		    "r0 r2 r4 r5 r6 r9 ");
	/* +SYS_ADMIN: r1 in, r2 out; r3 needs both PTRACE and SYS_ADMIN */
	ASSERT_KEPT(
	    test_env("amd64", SCMP_ARCH_X86_64, 6, 18, TEST_CAPS_DOCKER | CAP_SYS_ADMIN_BIT),
	    "r0 r1 r4 r5 r6 r9 ");
	ASSERT_KEPT(test_env("amd64", SCMP_ARCH_X86_64, 6, 18,
			     TEST_CAPS_DOCKER | CAP_SYS_ADMIN_BIT | CAP_SYS_PTRACE_BIT),
		    "r0 r1 r3 r4 r5 r6 r9 ");
	/* "cap_syslog" never matches, even with CAP_SYSLOG (Docker compares exact strings) */
	ASSERT_KEPT(test_env("amd64", SCMP_ARCH_X86_64, 6, 18, ~(mr_capset)0 >> 23),
		    "r0 r1 r3 r4 r5 r6 r9 ");
	ASSERT_KEPT(test_env("amd64", SCMP_ARCH_X86_64, 6, 18, CAP_SYSLOG_BIT),
		    "r0 r2 r4 r5 r6 r9 ");
}
END_TEST

START_TEST(test_arches)
{
	ASSERT_KEPT(test_env("arm64", SCMP_ARCH_AARCH64, 6, 18, 0), "r0 r2 r5 r6 r9 ");
	ASSERT_KEPT(test_env("s390x", SCMP_ARCH_S390X, 6, 18, 0), "r0 r2 r6 r9 ");
	/* "x32" in includes.arches never matches by itself: the host is amd64 */
	ASSERT_KEPT(test_env("x86", SCMP_ARCH_X86, 6, 18, 0), "r0 r2 r5 r6 r9 ");
}
END_TEST

START_TEST(test_min_kernel)
{
	ASSERT_KEPT(test_env("amd64", SCMP_ARCH_X86_64, 4, 7, 0), "r0 r2 r4 r5 r7 r9 ");
	ASSERT_KEPT(test_env("amd64", SCMP_ARCH_X86_64, 4, 8, 0), "r0 r2 r4 r5 r6 r7 r9 ");
	ASSERT_KEPT(test_env("amd64", SCMP_ARCH_X86_64, 4, 20, 0), "r0 r2 r4 r5 r6 r7 r9 ");
	ASSERT_KEPT(test_env("amd64", SCMP_ARCH_X86_64, 5, 0, 0), "r0 r2 r4 r5 r6 r9 ");
	ASSERT_KEPT(test_env("amd64", SCMP_ARCH_X86_64, 3, 10, 0), "r0 r2 r4 r5 r7 r9 ");
}
END_TEST

static void
check_archmap(struct mr_reduce_env env, const uint32_t *expect, size_t n)
{
	char *path = test_fixture("archmap.json");
	struct mr_profile *p = test_load_ok(path);
	struct mr_reduced r;
	struct mr_error err = {0};
	ck_assert_msg(mr_profile_reduce(p, &env, &r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(r.n_arches, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(r.arches[i], expect[i]);
	mr_reduced_clear(&r);
	mr_profile_free(p);
	free(path);
}

START_TEST(test_archmap)
{
	/* first matching entry only; LOONGARCH64 (unknown to libseccomp 2.5.4) is no error */
	static const uint32_t x86[] = {SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32};
	static const uint32_t arm[] = {SCMP_ARCH_AARCH64, SCMP_ARCH_ARM};
	check_archmap(test_env("amd64", SCMP_ARCH_X86_64, 6, 18, 0), x86, 3);
	check_archmap(test_env("arm64", SCMP_ARCH_AARCH64, 6, 18, 0), arm, 2);
	check_archmap(test_env("s390x", SCMP_ARCH_S390X, 6, 18, 0), NULL, 0);

	/* an unknown sub-architecture of the native entry is an error, another host's is not */
	char *path = test_fixture("archmap-bad-sub.json");
	struct mr_profile *p = test_load_ok(path);
	struct mr_reduced r;
	struct mr_error err = {0};
	struct mr_reduce_env env = test_env("amd64", SCMP_ARCH_X86_64, 6, 18, 0);
	ck_assert_int_lt(mr_profile_reduce(p, &env, &r, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "archmap-bad-sub.json:4:"));
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown architecture \"SCMP_ARCH_X99\""));
	env = test_env("arm64", SCMP_ARCH_AARCH64, 6, 18, 0);
	ck_assert_int_eq(mr_profile_reduce(p, &env, &r, &err), 0);
	mr_reduced_clear(&r);
	mr_profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_flags_default)
{
	struct mr_reduce_env env = test_env("amd64", SCMP_ARCH_X86_64, 6, 18, 0);
	static const struct {
		const char *fixture;
		unsigned flags;
	} cases[] = {
	    {"legacy-name.json", SECCOMP_FILTER_FLAG_SPEC_ALLOW}, /* no key: runc's default */
	    {"flags-empty.json", 0},
	    {"flags.json", SECCOMP_FILTER_FLAG_LOG},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = test_fixture(cases[i].fixture);
		struct mr_profile *p = test_load_ok(path);
		struct mr_reduced r;
		struct mr_error err = {0};
		ck_assert_int_eq(mr_profile_reduce(p, &env, &r, &err), 0);
		ck_assert_uint_eq(r.flags, cases[i].flags);
		mr_reduced_clear(&r);
		mr_profile_free(p);
		free(path);
	}
}
END_TEST

START_TEST(test_host_env)
{
	struct mr_reduce_env env;
	struct mr_error err = {0};
	ck_assert_int_eq(mr_reduce_env_host(TEST_CAPS_DOCKER, &env, &err), 0);
	ck_assert_uint_eq(env.native_arch, seccomp_arch_native());
	ck_assert_uint_ge(env.kernel, 3);
	if (env.native_arch == SCMP_ARCH_X86_64)
		ck_assert_str_eq(env.go_arch, "amd64");
	ck_assert_str_eq(mr_arch_go_name(SCMP_ARCH_AARCH64), "arm64");
	/* No GOARCH: NULL, not the table's "" (rule_for_arch and the reducer test for it). */
	ck_assert_ptr_null(mr_arch_go_name(SCMP_ARCH_PARISC));
	ck_assert_uint_eq(mr_arch_resolve("SCMP_ARCH_X86_64"), SCMP_ARCH_X86_64);
	ck_assert_uint_eq(mr_arch_resolve("SCMP_ARCH_AARCH64"), SCMP_ARCH_AARCH64);
	ck_assert_uint_eq(mr_arch_resolve("x86_64"), 0);
	ck_assert_uint_eq(mr_arch_resolve("SCMP_ARCH_"), 0);
}
END_TEST

/* seccomp/arch.c's archMap pairing is the built-in default's, and every spelling parses back. */
START_TEST(test_arch_table)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	const struct mr_arch *a;

	ck_assert_msg(mr_profile_load_named("runtime/default", &p, &err) == 0, "%s", err.msg);
	for (size_t i = 0; i < p->n_archmap; i++) {
		const struct mr_prof_archmap *am = &p->archmap[i];
		a = mr_arch_find(mr_arch_resolve(am->arch));
		if (a == NULL)
			continue; /* newer than this libseccomp or than the table */
		ck_assert_uint_le(am->n_sub_arches, MR_ARRAY_SIZE(a->docker_subs));
		for (size_t k = 0; k < MR_ARRAY_SIZE(a->docker_subs); k++)
			ck_assert_uint_eq(a->docker_subs[k],
					  k < am->n_sub_arches ? mr_arch_resolve(am->sub_arches[k])
							       : 0);
	}
	for (size_t i = 0; (a = mr_arch_nth(i)) != NULL; i++) {
		/* Arrays, not pointers: each name must end within its own. */
		ck_assert_ptr_nonnull(memchr(a->scmp, '\0', sizeof(a->scmp)));
		ck_assert_ptr_nonnull(memchr(a->lib, '\0', sizeof(a->lib)));
		ck_assert_ptr_nonnull(memchr(a->go, '\0', sizeof(a->go)));
		ck_assert_uint_eq(mr_arch_resolve(a->scmp), a->token);
		ck_assert_uint_eq(mr_arch_parse(a->lib), a->token);
		if (a->go[0] != '\0')
			ck_assert_uint_eq(mr_arch_parse(a->go), a->token);
		ck_assert_ptr_eq(mr_arch_find(a->token), a);
	}
	mr_profile_free(p);
}
END_TEST

/* ---------------------------------------------------------------- equivalence */

/*
 * The outcome of a reduced profile for one syscall name: every (action,
 * comparison list) it gets, after runc's same-index OR split, sorted and
 * deduplicated.  Two profiles with the same outcomes for every name, the
 * same default and the same architectures compile to the same decisions.
 */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct outcomes {
	char **v;
	size_t n, cap;
};

static void
push(struct outcomes *o, char *s)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 512;
		o->v = realloc(o->v, o->cap * sizeof(*o->v));
	}
	o->v[o->n++] = s;
}

static char *
canonical(const char *fixture_path, struct mr_reduce_env env)
{
	struct mr_profile *p = test_load_ok(fixture_path);
	struct mr_reduced r;
	struct mr_error err = {0};
	struct outcomes o = {0};

	ck_assert_msg(mr_profile_reduce(p, &env, &r, &err) == 0, "%s", err.msg);
	for (size_t i = 0; i < r.n_rules; i++) {
		const struct mr_prof_rule *rule = r.rules[i];
		uint32_t act = mr_act_value(rule->action, rule->errno_ret);
		bool repeated = false;
		for (size_t a = 0; a < rule->n_args; a++)
			for (size_t b = a + 1; b < rule->n_args; b++)
				repeated = repeated || rule->args[a].index == rule->args[b].index;
		for (size_t k = 0; k < rule->n_names; k++) {
			size_t groups = repeated ? rule->n_args : 1;
			for (size_t g = 0; g < groups; g++) {
				char *s = NULL, *conds = strdup("");
				for (size_t a = 0; a < rule->n_args; a++) {
					if (repeated && a != g)
						continue;
					char *c = NULL;
					ck_assert_int_ge(
					    asprintf(&c, "%s[a%u %d %llu %llu]", conds,
						     rule->args[a].index, rule->args[a].op,
						     (unsigned long long)rule->args[a].value,
						     (unsigned long long)rule->args[a].value_two),
					    0);
					free(conds);
					conds = c;
				}
				ck_assert_int_ge(
				    asprintf(&s, "%s %08x %s", rule->names[k], act, conds), 0);
				free(conds);
				push(&o, s);
			}
		}
	}
	qsort(o.v, o.n, sizeof(*o.v), cmp_str);
	size_t len = 0;
	for (size_t i = 0; i < o.n; i++)
		len += strlen(o.v[i]) + 1;
	char *all = NULL;
	ck_assert_int_ge(asprintf(&all, "default %08x flags %u arches", r.default_action, r.flags),
			 0);
	for (size_t i = 0; i < r.n_arches; i++) {
		char *n = NULL;
		ck_assert_int_ge(asprintf(&n, "%s %08x", all, r.arches[i]), 0);
		free(all);
		all = n;
	}
	all = realloc(all, strlen(all) + len + 2);
	strcat(all, "\n");
	for (size_t i = 0; i < o.n; i++) {
		if (i > 0 && strcmp(o.v[i], o.v[i - 1]) == 0)
			continue;
		strcat(all, o.v[i]);
		strcat(all, "\n");
	}
	for (size_t i = 0; i < o.n; i++)
		free(o.v[i]);
	free(o.v);
	mr_reduced_clear(&r);
	mr_profile_free(p);
	return all;
}

/* The first line where two canonical outcome lists differ, for the failure message. */
static char *
first_diff(const char *a, const char *b)
{
	size_t i = 0, line = 0;
	while (a[i] && a[i] == b[i])
		i++;
	while (line < i && (a[i - line - 1] != '\n'))
		line++;
	const char *la = a + i - line, *lb = b + i - line;
	char *r = NULL;
	ck_assert_int_ge(asprintf(&r, "expected \"%.*s\", got \"%.*s\"", (int)strcspn(la, "\n"), la,
				  (int)strcspn(lb, "\n"), lb),
			 0);
	return r;
}

START_TEST(test_default_equals_docker)
{
	char *docker = test_shared_profile("moby-moby_default.json");
	char *ours = test_example("default.json");
	static const struct {
		const char *go;
		uint32_t native;
	} arches[] = {
	    {"amd64", SCMP_ARCH_X86_64},    {"arm64", SCMP_ARCH_AARCH64},
	    {"s390x", SCMP_ARCH_S390X},	    {"ppc64le", SCMP_ARCH_PPC64LE},
	    {"riscv64", SCMP_ARCH_RISCV64}, {"x86", SCMP_ARCH_X86},
	};
	const mr_capset capsets[] = {
	    TEST_CAPS_DOCKER,
	    TEST_CAPS_DOCKER | CAP_SYS_ADMIN_BIT,
	    TEST_CAPS_DOCKER | CAP_SYS_PTRACE_BIT,
	    0,			  /* --cap-drop ALL */
	    (MR_CAP_BIT(41) - 1), /* every capability (--privileged's set) */
	};
	const unsigned kernels[][2] = {{6, 18}, {4, 7}};
	size_t compared = 0;
	for (size_t a = 0; a < sizeof(arches) / sizeof(arches[0]); a++)
		for (size_t c = 0; c < sizeof(capsets) / sizeof(capsets[0]); c++)
			for (size_t k = 0; k < 2; k++) {
				struct mr_reduce_env env =
				    test_env(arches[a].go, arches[a].native, kernels[k][0],
					     kernels[k][1], capsets[c]);
				char *d = canonical(docker, env);
				char *m = canonical(ours, env);
				char *diff = strcmp(d, m) ? first_diff(d, m) : NULL;
				ck_assert_msg(diff == NULL,
					      "%s caps %llx kernel %u.%u: outcomes differ: %s",
					      arches[a].go, (unsigned long long)capsets[c],
					      kernels[k][0], kernels[k][1], diff);
				free(d);
				free(m);
				compared++;
			}
	ck_assert_uint_eq(compared, 60);
	free(docker);
	free(ours);
}
END_TEST

START_TEST(test_lab_variants)
{
	/* no-mkdir and no-chmod are the default minus exactly those names */
	char *def = test_example("default.json");
	struct mr_reduce_env env = test_env("amd64", SCMP_ARCH_X86_64, 6, 18, TEST_CAPS_DOCKER);
	char *base = canonical(def, env);
	static const struct {
		const char *file;
		const char *removed[5];
	} v[] = {
	    {"no-mkdir.json", {"mkdir", "mkdirat", NULL}},
	    {"no-chmod.json", {"chmod", "fchmod", "fchmodat", "fchmodat2", NULL}},
	};
	for (size_t i = 0; i < 2; i++) {
		char *path = test_example(v[i].file);
		char *got = canonical(path, env);
		char *expect = strdup(base);
		for (size_t k = 0; v[i].removed[k]; k++) {
			char *line = NULL;
			ck_assert_int_ge(asprintf(&line, "\n%s 7fff0000 \n", v[i].removed[k]), 0);
			char *at = strstr(expect, line);
			ck_assert_msg(at != NULL, "%s not in the default", v[i].removed[k]);
			memmove(at + 1, at + strlen(line), strlen(at + strlen(line)) + 1);
			free(line);
		}
		char *diff = strcmp(got, expect) ? first_diff(expect, got) : NULL;
		ck_assert_msg(diff == NULL, "%s: %s", v[i].file, diff);
		free(got);
		free(expect);
		free(path);
	}
	free(base);
	free(def);
}
END_TEST

static Suite *
reduce_suite(void)
{
	Suite *s = suite_create("reduce");
	TCase *tc = tcase_create("reduce");
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_arches);
	tcase_add_test(tc, test_min_kernel);
	tcase_add_test(tc, test_archmap);
	tcase_add_test(tc, test_flags_default);
	tcase_add_test(tc, test_host_env);
	tcase_add_test(tc, test_arch_table);
	tcase_add_test(tc, test_lab_variants);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

/* The cases that read ../shared/profiles: `test_reduce --shared`. */
static Suite *
reduce_shared_suite(void)
{
	Suite *s = suite_create("reduce-shared");
	TCase *tc = tcase_create("shared profiles");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_default_equals_docker);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	return test_main(argc, argv, reduce_suite, reduce_shared_suite);
}
