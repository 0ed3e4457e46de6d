/* SPDX-License-Identifier: MIT */
/* lib/tools/lint.c: `minirun profile check` findings on tests/data/profile-cmd/. */
#include "tools/lint.h"
#include "profile_cmd_test.h"

static const uint32_t both[] = {SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64};

/* Lint a fixture for x86_64 + aarch64; the formatted lines joined by "\n". */
static char *
lint(const char *fixture, int *status)
{
	struct mr_lint l;
	struct mr_error err = {0};
	struct mr_lint_opts o = {.arches = both, .n_arches = 2};
	char *path = pc_fixture(fixture);
	ck_assert_msg(mr_lint_file(path, &o, &l, &err) == 0, "%s", err.msg);
	size_t len = 0;
	char *all = calloc(1, 1);
	for (size_t i = 0; i < l.n; i++) {
		/* the fixture's bare name keeps the expectations short */
		char *line = mr_lint_format(fixture, &l.v[i]);
		ck_assert_ptr_nonnull(line);
		all = realloc(all, len + strlen(line) + 2);
		len += (size_t)sprintf(all + len, "%s%s", i ? "\n" : "", line);
		free(line);
	}
	*status = mr_lint_status(&l);
	mr_lint_clear(&l);
	free(path);
	return all;
}

static void
expect_has(const char *all, const char *needle)
{
	ck_assert_msg(strstr(all, needle) != NULL, "\"%s\" not in:\n%s", needle, all);
}

START_TEST(test_clean)
{
	int st;
	char *out = lint("clean.json", &st);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(st, 0);
	free(out);
	out = lint("caps.json", &st);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(st, 0);
	free(out);
}
END_TEST

START_TEST(test_parse_errors)
{
	int st;
	char *out = lint("bad-json.json", &st);
	ck_assert_int_eq(st, 2);
	expect_has(out, "bad-json.json:5:2: error: invalid JSON: ");
	expect_has(out, "(fix: correct the JSON syntax here");
	free(out);
	out = lint("errnoret-on-allow.json", &st);
	ck_assert_int_eq(st, 2);
	expect_has(out, "errnoret-on-allow.json:4:85: error: syscalls[0]: \"errnoRet\" given for "
			"action SCMP_ACT_ALLOW");
	free(out);
}
END_TEST

START_TEST(test_unconfined_and_keys)
{
	int st;
	char *out = lint("empty.json", &st);
	ck_assert_int_eq(st, 1);
	expect_has(out, "empty.json:1:1: warning: no defaultAction and no syscalls: Docker runs "
			"the container with no seccomp filter at all (unconfined)");
	free(out);
	/* Every rule lost: an error, as a run refuses it (not a mere ignored key). */
	out = lint("typo-key.json", &st);
	ck_assert_int_eq(st, 2);
	ck_assert_str_eq(out, "typo-key.json:3:13: error: profile: unknown key \"sycalls\" "
			      "ignored: without \"syscalls\" the profile has no rule, which Docker "
			      "does without a word; minirun refuses to run it (unless "
			      "--seccomp-strict=off) (fix: did you mean \"syscalls\"?)");
	free(out);
}
END_TEST

START_TEST(test_names_args_shadow)
{
	int st;
	char *out = lint("mixed.json", &st);
	ck_assert_int_eq(st, 1);
	expect_has(out, "mixed.json:6:80: warning: unknown system call \"mkdri\"");
	expect_has(out, "(fix: did you mean \"mkdir\"?");
	expect_has(out, "mixed.json:6:89: warning: \"mkdir\" is allowed but aarch64 has only "
			"mkdirat: there this rule does nothing for it (fix: add \"mkdirat\" to the "
			"rule)");
	expect_has(out, "mixed.json:15:5: warning: syscalls[1] compares arg0 more than once");
	expect_has(out, "mixed.json:19:14: warning: the argument conditions of syscalls[2] are "
			"dropped for \"personality\": syscalls[3] (line 23)");
	expect_has(out,
		   "mixed.json:24:14: warning: \"write\" gets ALLOW from syscalls[0] (line 5), "
		   "an earlier unconditional rule: libseccomp ignores this ERRNO(EIO)");
	free(out);

	/* Fails open: an error, as a run refuses it. */
	out = lint("deny-unknown.json", &st);
	ck_assert_int_eq(st, 2);
	expect_has(out, "deny-unknown.json:4:23: error: unknown system call \"setsidaccept4\" in "
			"a rule stricter than the default");
	expect_has(out, "(the rule fails open); minirun refuses to run it");
	free(out);

	out = lint("no-mkdir.json", &st);
	ck_assert_int_eq(st, 1);
	expect_has(out, "no-mkdir.json:5:71: warning: \"mkdirat\" is allowed but \"mkdir\" is not: "
			"aarch64 has no mkdir");
	free(out);
}
END_TEST

START_TEST(test_outcomes)
{
	int st;
	char *out = lint("execve-denied.json", &st);
	ck_assert_int_eq(st, 2);
	expect_has(out,
		   "execve-denied.json:1:1: error: execve is denied (ERRNO(EPERM), by "
		   "defaultAction): no container can start its command (fix: allow \"execve\")");
	expect_has(out, "execve-denied.json:1:1: warning: execveat is denied");
	free(out);

	out = lint("old.json", &st);
	ck_assert_int_eq(st, 1);
	expect_has(out, "old.json:1:1: warning: the highest system call this profile names on "
			"x86_64 is execveat (322): newer ones get ENOSYS from the stub");
	expect_has(out, "clone3, close_range, openat2, faccessat2");
	free(out);

	out = lint("conflict.json", &st);
	ck_assert_int_eq(st, 2);
	expect_has(out, "conflict.json:6:14: error: cannot compile for x86_64: syscalls[2]: "
			"conflicts with an earlier rule");
	free(out);
}
END_TEST

START_TEST(test_unreadable)
{
	struct mr_lint l;
	struct mr_error err = {0};
	struct mr_lint_opts o = {0};
	ck_assert_int_eq(mr_lint_file("/nonexistent/p.json", &o, &l, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "No such file or directory"));
}
END_TEST

START_TEST(test_distance)
{
	ck_assert_uint_eq(mr_lint_distance("mkdri", "mkdir"), 1);
	ck_assert_uint_eq(mr_lint_distance("sycalls", "syscalls"), 1);
	ck_assert_uint_eq(mr_lint_distance("", "abc"), 3);
	ck_assert_uint_eq(mr_lint_distance("open", "open"), 0);
}
END_TEST

START_TEST(test_shared_profiles)
{
	/* Docker's current default: only names this libseccomp lacks (warnings). */
	char *path = pc_shared("moby-moby_default.json");
	struct mr_lint l;
	struct mr_error err = {0};
	struct mr_lint_opts o = {.arches = both, .n_arches = 2};
	ck_assert_int_eq(mr_lint_file(path, &o, &l, &err), 0);
	ck_assert_int_eq(mr_lint_status(&l), l.n ? 1 : 0);
	for (size_t i = 0; i < l.n; i++)
		ck_assert_msg(strstr(l.v[i].msg, "unknown system call") != NULL, "%s", l.v[i].msg);
	mr_lint_clear(&l);
	free(path);
}
END_TEST

static Suite *
lint_suite(void)
{
	Suite *s = suite_create("lint");
	TCase *tc = tcase_create("lint");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_clean);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_unconfined_and_keys);
	tcase_add_test(tc, test_names_args_shadow);
	tcase_add_test(tc, test_outcomes);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_distance);
	suite_add_tcase(s, tc);
	return s;
}

/* The cases that read ../shared/profiles: `test_lint --shared`. */
static Suite *
lint_shared_suite(void)
{
	Suite *s = suite_create("lint-shared");
	TCase *tc = tcase_create("shared profiles");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_shared_profiles);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	return test_main(argc, argv, lint_suite, lint_shared_suite);
}
