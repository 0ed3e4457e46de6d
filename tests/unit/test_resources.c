/* SPDX-License-Identifier: MIT */
/* Unit tests: Docker's resource flags (lib/container/resources.c). */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "container/resources.h"

static int64_t
mem(const char *s)
{
	struct mr_error e = {0};
	int64_t v = -42;
	ck_assert_msg(mr_parse_memory("--memory", s, &v, &e) == 0, "%s: %s", s, e.msg);
	return v;
}

static const char *
mem_fail(const char *s)
{
	static struct mr_error e;
	int64_t v;
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mr_parse_memory("--memory", s, &v, &e), -1);
	return e.msg;
}

START_TEST(memory_sizes)
{
	ck_assert_int_eq(mem("100"), 100);
	ck_assert_int_eq(mem("100b"), 100);
	ck_assert_int_eq(mem("64m"), 64 << 20);
	ck_assert_int_eq(mem("64M"), 64 << 20);
	ck_assert_int_eq(mem("64mb"), 64 << 20);
	ck_assert_int_eq(mem("64MiB"), 64 << 20);
	ck_assert_int_eq(mem("64 m"), 64 << 20);
	ck_assert_int_eq(mem("512k"), 512 << 10);
	ck_assert_int_eq(mem("1g"), 1 << 30);
	ck_assert_int_eq(mem("1.5g"), 3LL << 29);
	ck_assert_int_eq(mem("2t"), 2LL << 40);
	ck_assert_int_eq(mem("1p"), 1LL << 50);
	ck_assert_str_eq(mem_fail("abc"), "--memory abc: invalid size (expected a number of bytes "
					  "with an optional unit b, k, m, g, t or p, e.g. 64m)");
	mem_fail("");
	mem_fail("-1");
	mem_fail("64q");
	mem_fail("m");
	mem_fail("1.g");
	mem_fail("64mm");
	ck_assert_str_eq(mem_fail("9999999p"), "--memory 9999999p: too large");
	mem_fail("99999999999999999999");
}
END_TEST

START_TEST(memory_limits)
{
	struct mr_error e = {0};
	int64_t v;
	ck_assert_int_eq(mr_parse_memory_limit("6m", &v, &e), 0);
	ck_assert_int_eq(v, 6 << 20);
	ck_assert_int_eq(mr_parse_memory_limit("5m", &v, &e), -1);
	ck_assert_str_eq(e.msg, "--memory 5m: the minimum memory limit is 6 MiB (6m)");
	ck_assert_int_eq(mr_parse_memory_swap("-1", &v, &e), 0);
	ck_assert_int_eq(v, -1);
	ck_assert_int_eq(mr_parse_memory_swap("1g", &v, &e), 0);
	ck_assert_int_eq(v, 1 << 30);
	ck_assert_int_eq(mr_parse_memory_swap("0", &v, &e), -1);
	ck_assert_int_eq(mr_parse_memory_swap("-2", &v, &e), -1);
}
END_TEST

START_TEST(pids_cpus_shares)
{
	struct mr_error e = {0};
	int64_t v;
	uint64_t u;
	ck_assert_int_eq(mr_parse_pids_limit("20", &v, &e), 0);
	ck_assert_int_eq(v, 20);
	ck_assert_int_eq(mr_parse_pids_limit("-1", &v, &e), 0);
	ck_assert_int_eq(v, -1);
	ck_assert_int_eq(mr_parse_pids_limit("0", &v, &e), 0);
	ck_assert_int_eq(mr_parse_pids_limit("-2", &v, &e), -1);
	ck_assert_int_eq(mr_parse_pids_limit("x", &v, &e), -1);
	ck_assert_int_eq(mr_parse_pids_limit("", &v, &e), -1);
	ck_assert_int_eq(mr_parse_pids_limit("1e3", &v, &e), -1);

	ck_assert_int_eq(mr_parse_cpus("1.5", &v, &e), 0);
	ck_assert_int_eq(v, 1500000000);
	ck_assert_int_eq(mr_parse_cpus("2", &v, &e), 0);
	ck_assert_int_eq(v, 2000000000);
	ck_assert_int_eq(mr_parse_cpus(".5", &v, &e), 0);
	ck_assert_int_eq(v, 500000000);
	ck_assert_int_eq(mr_parse_cpus("0.01", &v, &e), 0);
	ck_assert_int_eq(v, 10000000);
	ck_assert_int_eq(mr_parse_cpus("0.009", &v, &e), -1);
	ck_assert_str_eq(e.msg, "--cpus 0.009: the minimum is 0.01");
	ck_assert_int_eq(mr_parse_cpus("0", &v, &e), -1);
	ck_assert_int_eq(mr_parse_cpus("-1", &v, &e), -1);
	ck_assert_int_eq(mr_parse_cpus("1.5x", &v, &e), -1);
	ck_assert_int_eq(mr_parse_cpus(".", &v, &e), -1);
	ck_assert_int_eq(mr_parse_cpus("", &v, &e), -1);

	ck_assert_int_eq(mr_parse_cpu_shares("512", &u, &e), 0);
	ck_assert_int_eq(u, 512);
	ck_assert_int_eq(mr_parse_cpu_shares("0", &u, &e), 0);
	ck_assert_int_eq(mr_parse_cpu_shares("1", &u, &e), -1);
	ck_assert_int_eq(mr_parse_cpu_shares("262145", &u, &e), -1);
	ck_assert_int_eq(mr_parse_cpu_shares("-5", &u, &e), -1);
}
END_TEST

START_TEST(cpusets)
{
	struct mr_error e = {0};
	const char *good[] = {"0", "0-3", "0,2", "0-1,3,5-7", "12"};
	const char *bad[] = {"", "a", "3-1", "0,", ",0", "0-", "-1", "0 1", "0--1", "99999"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(mr_parse_cpuset("--cpuset-cpus", good[i], &e) == 0, "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mr_parse_cpuset("--cpuset-cpus", bad[i], &e) == -1, "%s", bad[i]);
	ck_assert_str_eq(e.msg, "--cpuset-cpus 99999: invalid CPU list (expected e.g. 0-3 or 0,2)");
}
END_TEST

START_TEST(ulimits)
{
	struct mr_error e = {0};
	struct mr_ulimit u;
	struct mr_resources r = {0};

	ck_assert_int_eq(mr_parse_ulimit("nofile=1024:2048", &u, &e), 0);
	ck_assert_int_eq(u.resource, RLIMIT_NOFILE);
	ck_assert_int_eq(u.soft, 1024);
	ck_assert_int_eq(u.hard, 2048);
	ck_assert_int_eq(mr_resources_add_ulimit(&r, &u, &e), 0);
	ck_assert_int_eq(mr_parse_ulimit("nproc=10", &u, &e), 0);
	ck_assert_int_eq(u.resource, RLIMIT_NPROC);
	ck_assert_int_eq(u.soft, 10);
	ck_assert_int_eq(u.hard, 10);
	ck_assert_int_eq(mr_resources_add_ulimit(&r, &u, &e), 0);
	ck_assert_int_eq(mr_parse_ulimit("core=-1", &u, &e), 0);
	ck_assert(u.soft == RLIM_INFINITY && u.hard == RLIM_INFINITY);
	ck_assert_int_eq(mr_parse_ulimit("nofile=5:-1", &u, &e), 0);
	ck_assert(u.soft == 5 && u.hard == RLIM_INFINITY);
	/* A later --ulimit for the same name replaces the earlier one. */
	ck_assert_int_eq(mr_resources_add_ulimit(&r, &u, &e), 0);
	ck_assert_int_eq(r.n_ulimits, 2);
	ck_assert_int_eq(r.ulimits[0].soft, 5);

	ck_assert_int_eq(mr_parse_ulimit("nofile=-1:5", &u, &e), -1);
	ck_assert_str_eq(e.msg, "--ulimit nofile=-1:5: the soft limit is above the hard limit");
	ck_assert_int_eq(mr_parse_ulimit("foo=1", &u, &e), -1);
	ck_assert_int_eq(mr_parse_ulimit("nofile", &u, &e), -1);
	ck_assert_int_eq(mr_parse_ulimit("nofile=", &u, &e), -1);
	ck_assert_int_eq(mr_parse_ulimit("nofile=1:", &u, &e), -1);
	ck_assert_int_eq(mr_parse_ulimit("nofile=x", &u, &e), -1);
	ck_assert_int_eq(mr_parse_ulimit("nofile=-2", &u, &e), -1);
	mr_resources_clear(&r);
}
END_TEST

START_TEST(sizes_for_messages)
{
	char b[32];
	mr_format_size(64 << 20, b, sizeof(b));
	ck_assert_str_eq(b, "64 MiB");
	mr_format_size(1 << 30, b, sizeof(b));
	ck_assert_str_eq(b, "1 GiB");
	mr_format_size(3LL << 29, b, sizeof(b));
	ck_assert_str_eq(b, "1536 MiB");
	mr_format_size(1000, b, sizeof(b));
	ck_assert_str_eq(b, "1000 bytes");
	mr_format_size(7 << 10, b, sizeof(b));
	ck_assert_str_eq(b, "7 KiB");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("resources");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, memory_sizes);
	tcase_add_test(tc, memory_limits);
	tcase_add_test(tc, pids_cpus_shares);
	tcase_add_test(tc, cpusets);
	tcase_add_test(tc, ulimits);
	tcase_add_test(tc, sizes_for_messages);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
