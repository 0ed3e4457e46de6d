/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: --sysctl keys (lib/container/sysctl.c), --env-file lines
 * (lib/container/env-file.c), the default /etc/hosts (etc-files.c).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "container/env-file.h"
#include "container/etc-files.h"
#include "container/sysctl.h"

static const char *
sysctl_fail(const char *arg)
{
	static struct mr_error e;
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(mr_sysctl_parse(arg, &e), -1);
	return e.msg;
}

START_TEST(sysctl_namespaces)
{
	ck_assert_int_eq(mr_sysctl_namespace("kernel.shmmax"), MR_SYSCTL_IPC);
	ck_assert_int_eq(mr_sysctl_namespace("kernel.shm_rmid_forced"), MR_SYSCTL_IPC);
	ck_assert_int_eq(mr_sysctl_namespace("kernel.sem"), MR_SYSCTL_IPC);
	ck_assert_int_eq(mr_sysctl_namespace("kernel.msgmnb"), MR_SYSCTL_IPC);
	ck_assert_int_eq(mr_sysctl_namespace("fs.mqueue.msg_max"), MR_SYSCTL_IPC);
	ck_assert_int_eq(mr_sysctl_namespace("net.ipv4.ip_forward"), MR_SYSCTL_NET);
	ck_assert_int_eq(mr_sysctl_namespace("fs.mqueue."), MR_SYSCTL_NOT_NAMESPACED);
	ck_assert_int_eq(mr_sysctl_namespace("net."), MR_SYSCTL_NOT_NAMESPACED);
	ck_assert_int_eq(mr_sysctl_namespace("kernel.shmmaxx"), MR_SYSCTL_NOT_NAMESPACED);
	ck_assert_int_eq(mr_sysctl_namespace("kernel.core_pattern"), MR_SYSCTL_NOT_NAMESPACED);
	ck_assert_int_eq(mr_sysctl_namespace("vm.swappiness"), MR_SYSCTL_NOT_NAMESPACED);
	ck_assert_int_eq(mr_sysctl_namespace("netx.y"), MR_SYSCTL_NOT_NAMESPACED);
}
END_TEST

START_TEST(sysctl_parse)
{
	struct mr_error e = {0};
	ck_assert_int_eq(mr_sysctl_parse("net.ipv4.ip_unprivileged_port_start=1024", &e), 0);
	ck_assert_int_eq(mr_sysctl_parse("net.ipv4.ping_group_range=0 2147483647", &e), 0);
	ck_assert_int_eq(mr_sysctl_parse("kernel.shmmax=", &e), 0);
	ck_assert_int_eq(mr_sysctl_parse("kernel.sem=250 32000 32 128", &e), 0);
	ck_assert_str_eq(sysctl_fail("net.ipv4"), "--sysctl net.ipv4: expected KEY=VALUE");
	ck_assert_str_eq(sysctl_fail("=1"), "--sysctl =1: expected KEY=VALUE");
	ck_assert_str_eq(sysctl_fail("net..x=1"),
			 "--sysctl net..x=1: invalid key 'net..x' (dotted names only, as "
			 "net.ipv4.ip_forward)");
	ck_assert_ptr_nonnull(
	    strstr(sysctl_fail("net.x/../../kernel/core_pattern=1"), "invalid key"));
	ck_assert_ptr_nonnull(strstr(sysctl_fail(".net.x=1"), "invalid key"));
	ck_assert_ptr_nonnull(strstr(sysctl_fail("net.x.=1"), "invalid key"));
	ck_assert_str_eq(sysctl_fail("net.x=a\nb"), "--sysctl net.x: the value must be one line");
	ck_assert_str_eq(
	    sysctl_fail("kernel.hostname=x"),
	    "--sysctl kernel.hostname=x: not allowed: set the host name with --hostname");
	ck_assert_ptr_nonnull(strstr(sysctl_fail("kernel.core_pattern=|/x"),
				     "kernel.core_pattern is not namespaced"));
	ck_assert_ptr_nonnull(
	    strstr(sysctl_fail("kernel.domainname=x"), "not allowed, as docker refuses it"));
	/* A dot-dot in the value is only a value. */
	ck_assert_int_eq(mr_sysctl_parse("net.x=../..", &e), 0);
}
END_TEST

static char *env_caller[] = {"FROM_CALLER=yes", "EMPTY=", NULL};

static char *
line_ok(const char *line)
{
	struct mr_error e = {0};
	char *kv = NULL;
	int r = mr_env_file_line(line, env_caller, &kv, &e);
	ck_assert_msg(r >= 0, "%s: %s", line, e.msg);
	return kv;
}

START_TEST(env_file_lines)
{
	char *kv;
	ck_assert_ptr_null(line_ok(""));
	ck_assert_ptr_null(line_ok("   \t"));
	ck_assert_ptr_null(line_ok("# comment"));
	ck_assert_ptr_null(line_ok("   # indented comment"));
	ck_assert_ptr_null(line_ok("UNSET_IN_CALLER"));
	ck_assert_str_eq(kv = line_ok("A=1"), "A=1");
	free(kv);
	ck_assert_str_eq(kv = line_ok("  A=1"), "A=1");
	free(kv);
	ck_assert_str_eq(kv = line_ok("B= two words "), "B= two words ");
	free(kv);
	ck_assert_str_eq(kv = line_ok("C=\"quoted\""), "C=\"quoted\"");
	free(kv);
	ck_assert_str_eq(kv = line_ok("D=a=b"), "D=a=b");
	free(kv);
	ck_assert_str_eq(kv = line_ok("E="), "E=");
	free(kv);
	ck_assert_str_eq(kv = line_ok("FROM_CALLER"), "FROM_CALLER=yes");
	free(kv);
	ck_assert_str_eq(kv = line_ok("EMPTY"), "EMPTY=");
	free(kv);
	/* "FROM" is a prefix of FROM_CALLER, not the variable. */
	ck_assert_ptr_null(line_ok("FROM"));

	struct mr_error e = {0};
	ck_assert_int_eq(mr_env_file_line("BAD KEY=1", env_caller, &kv, &e), -1);
	ck_assert_str_eq(e.msg, "variable 'BAD KEY' contains whitespaces");
	ck_assert_int_eq(mr_env_file_line("KEY =1", env_caller, &kv, &e), -1);
	ck_assert_int_eq(mr_env_file_line("=1", env_caller, &kv, &e), -1);
	ck_assert_str_eq(e.msg, "no variable name on line '=1'");
}
END_TEST

START_TEST(default_hosts)
{
	char *h = mr_etc_hosts_default("web1");
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(strstr(h, "127.0.0.1\tlocalhost\n"));
	ck_assert_ptr_nonnull(strstr(h, "::1\tlocalhost ip6-localhost ip6-loopback\n"));
	ck_assert_ptr_nonnull(strstr(h, "\n127.0.1.1\tweb1\n"));
	free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("etc-sysctl");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, sysctl_namespaces);
	tcase_add_test(tc, sysctl_parse);
	tcase_add_test(tc, env_file_lines);
	tcase_add_test(tc, default_hosts);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
