/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the report's tables (lib/seccomp/calls.c: arguments per
 * syscall, expected fallbacks) and for --seccomp-learn-args
 * (lib/seccomp/argclass.c).
 */
#include <check.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/argclass.h"
#include "seccomp/calls.h"

START_TEST(test_arity_table_sorted_and_sane)
{
	size_t n;
	const struct mr_syscall_arity_entry *t = mr_syscall_arity_table(&n);
	ck_assert_uint_gt(n, 100);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_ge(t[i].n_args, 0);
		ck_assert_int_le(t[i].n_args, 6);
		/* An array in place: a name as long as it would lose its NUL. */
		ck_assert_uint_lt(strnlen(t[i].name, sizeof(t[i].name)), sizeof(t[i].name));
		/* Sorted and unique: the lookup is a binary search. */
		if (i > 0)
			ck_assert_msg(strcmp(t[i - 1].name, t[i].name) < 0, "%s before %s",
				      t[i - 1].name, t[i].name);
		/* A name libseccomp knows on some architecture (no typo). */
		ck_assert_msg(
		    seccomp_syscall_resolve_name(t[i].name) != __NR_SCMP_ERROR ||
			seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, t[i].name) >= 0 ||
			seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, t[i].name) >= 0,
		    "unknown syscall name %s", t[i].name);
		ck_assert_int_eq(mr_syscall_arity(t[i].name), t[i].n_args);
	}
}
END_TEST

START_TEST(test_arity_lookup)
{
	/* The report's old bug: getgroups printed with three "arguments". */
	ck_assert_int_eq(mr_syscall_arity("getgroups"), 2);
	ck_assert_int_eq(mr_syscall_arity("fdatasync"), 1);
	ck_assert_int_eq(mr_syscall_arity("getpid"), 0);
	ck_assert_int_eq(mr_syscall_arity("mmap"), 6);
	ck_assert_int_eq(mr_syscall_arity("clone3"), 2);
	ck_assert_int_eq(mr_syscall_arity("no_such_call"), -1);
	ck_assert_int_eq(mr_syscall_arity(""), -1);
}
END_TEST

START_TEST(test_fallbacks)
{
	ck_assert_ptr_nonnull(mr_syscall_fallback("clone3", ENOSYS));
	/* glibc falls back from clone3 on ENOSYS only: EPERM breaks pthread_create. */
	ck_assert_ptr_null(mr_syscall_fallback("clone3", EPERM));
	ck_assert_ptr_nonnull(mr_syscall_fallback("faccessat2", ENOSYS));
	ck_assert_ptr_null(mr_syscall_fallback("faccessat2", EPERM));
	ck_assert_ptr_nonnull(mr_syscall_fallback("statx", ENOSYS));
	ck_assert_ptr_nonnull(mr_syscall_fallback("close_range", ENOSYS));
	/* rseq: any error, glibc runs without it. */
	ck_assert_ptr_nonnull(mr_syscall_fallback("rseq", EPERM));
	ck_assert_ptr_nonnull(mr_syscall_fallback("rseq", ENOSYS));
	ck_assert_ptr_null(mr_syscall_fallback("mkdir", ENOSYS));
	size_t n;
	const struct mr_syscall_fallback_entry *t = mr_syscall_fallback_table(&n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_ge(mr_syscall_arity(t[i].name), 0);
		ck_assert_ptr_nonnull(t[i].why);
	}
}
END_TEST

static void
note(struct mr_arglearn *al, const char *name, uint64_t a0)
{
	uint64_t args[6] = {a0, 0, 0, 0, 0, 0};
	uint32_t arch = seccomp_arch_native();
	int nr = seccomp_syscall_resolve_name_arch(arch, name);
	ck_assert_int_ge(nr, 0);
	mr_arglearn_note(al, arch, nr, args);
}

static char *
rules_text(const struct mr_arglearn *al)
{
	json_t *r = mr_arglearn_rules(al, "c");
	ck_assert_ptr_nonnull(r);
	char *s = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(r);
	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(test_arglearn_socket_families)
{
	struct mr_arglearn *al = mr_arglearn_new();
	ck_assert_ptr_nonnull(al);
	note(al, "socket", 2);
	note(al, "socket", 1);
	note(al, "socket", 2);
	note(al, "getpid", 7);
	ck_assert(mr_arglearn_covers(al, "socket"));
	ck_assert(!mr_arglearn_covers(al, "clone"));
	ck_assert(!mr_arglearn_covers(al, "getpid"));
	char *s = rules_text(al);
	ck_assert_str_eq(
	    s, "[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
	       "\"value\":1,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}],\"comment\":\"c\"},"
	       "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
	       "\"value\":2,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}],\"comment\":\"c\"}]");
	free(s);
	mr_arglearn_free(al);
}
END_TEST

START_TEST(test_arglearn_clone)
{
	struct mr_arglearn *al = mr_arglearn_new();
	/* A thread: no namespace flag, Docker's masked condition. */
	note(al, "clone", 0x3d0f00);
	ck_assert(mr_arglearn_covers(al, "clone"));
	char *s = rules_text(al);
	if (seccomp_arch_native() != SCMP_ARCH_S390X && seccomp_arch_native() != SCMP_ARCH_S390)
		ck_assert_str_eq(s, "[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\","
				    "\"args\":[{\"index\":0,\"value\":2114060288,\"valueTwo\":0,"
				    "\"op\":\"SCMP_CMP_MASKED_EQ\"}],\"comment\":\"c\"}]");
	free(s);
	/* CLONE_NEWNET seen: clone stays a plain name (allowed whatever the flags). */
	note(al, "clone", 0x40000000);
	ck_assert(!mr_arglearn_covers(al, "clone"));
	s = rules_text(al);
	ck_assert_str_eq(s, "[]");
	free(s);
	mr_arglearn_free(al);
}
END_TEST

START_TEST(test_arglearn_clone3)
{
	uint32_t arch = seccomp_arch_native();
	int clone3 = seccomp_syscall_resolve_name_arch(arch, "clone3");
	struct mr_arglearn *al = mr_arglearn_new();
	ck_assert(mr_arglearn_is_clone3(al, arch, clone3));
	ck_assert(
	    !mr_arglearn_is_clone3(al, arch, seccomp_syscall_resolve_name_arch(arch, "clone")));
	/* A thread by clone3: clone3 refused (ENOSYS), clone allowed without namespace flags. */
	uint64_t flags = 0x3d0f00;
	mr_arglearn_note_clone3(al, &flags);
	ck_assert(mr_arglearn_covers(al, "clone"));
	ck_assert(mr_arglearn_covers(al, "clone3"));
	char *s = rules_text(al);
	ck_assert_ptr_nonnull(strstr(s, "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\","
					"\"errnoRet\":38,"));
	free(s);
	/* CLONE_NEWTIME is a namespace flag for clone3. */
	flags = 0x80;
	mr_arglearn_note_clone3(al, &flags);
	ck_assert(!mr_arglearn_covers(al, "clone"));
	ck_assert(!mr_arglearn_covers(al, "clone3"));
	mr_arglearn_free(al);
	/* Flags that could not be read: plain names, never a profile that lost a call. */
	al = mr_arglearn_new();
	note(al, "clone", 0x3d0f00);
	ck_assert(!mr_arglearn_covers(al, "clone3"));
	mr_arglearn_note_clone3(al, NULL);
	ck_assert(!mr_arglearn_covers(al, "clone"));
	ck_assert(!mr_arglearn_covers(al, "clone3"));
	s = rules_text(al);
	ck_assert_str_eq(s, "[]");
	free(s);
	mr_arglearn_free(al);
}
END_TEST

START_TEST(test_arglearn_overflow)
{
	struct mr_arglearn *al = mr_arglearn_new();
	for (uint64_t v = 0; v <= MR_ARGLEARN_MAX_VALUES; v++)
		note(al, "prctl", v);
	/* Past the bound: a plain name, never a profile that lost a value. */
	ck_assert(!mr_arglearn_covers(al, "prctl"));
	note(al, "personality", 0xffffffff);
	ck_assert(mr_arglearn_covers(al, "personality"));
	ck_assert(!mr_arglearn_covers(NULL, "personality"));
	mr_arglearn_free(al);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("calls");
	TCase *tc = tcase_create("tables");
	tcase_add_test(tc, test_arity_table_sorted_and_sane);
	tcase_add_test(tc, test_arity_lookup);
	tcase_add_test(tc, test_fallbacks);
	suite_add_tcase(s, tc);
	tc = tcase_create("arglearn");
	tcase_add_test(tc, test_arglearn_socket_families);
	tcase_add_test(tc, test_arglearn_clone);
	tcase_add_test(tc, test_arglearn_clone3);
	tcase_add_test(tc, test_arglearn_overflow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
