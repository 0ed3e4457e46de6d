/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/common/caps.c: names, Docker's default set, TweakCapabilities, applying sets.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/caps.h"
#include "test-helpers.h"

#define NAMES(...) ((const char *const[]){__VA_ARGS__})

/* The "CapXxx:" line of /proc/self/status, the kernel's own view. */
static mr_capset
proc_caps(const char *field)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t len = strlen(field);
	mr_capset v = 0;
	bool found = false;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			v = strtoull(line + len + 1, NULL, 16);
			found = true;
			break;
		}
	}
	fclose(f);
	ck_assert_msg(found, "no %s line in /proc/self/status", field);
	return v;
}

/* Applying sets needs these in the test runner's own permitted set. */
static bool
can_change_caps(void)
{
	mr_capset perm;
	struct mr_error err = {0};
	if (mr_caps_get_permitted(&perm, &err) < 0)
		return false;
	return (perm & MR_CAP_BIT(CAP_SETPCAP)) != 0;
}

START_TEST(test_docker_default)
{
	ck_assert_uint_eq(mr_caps_docker_default(), 0x00000000a80425fbULL);
	ck_assert_int_eq(__builtin_popcountll(mr_caps_docker_default()), 14);
}
END_TEST

START_TEST(test_all_known)
{
	mr_capset all = mr_caps_all_known();
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = -1;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &last), 1);
	fclose(f);
	ck_assert_uint_eq(all, (MR_CAP_BIT(last + 1) - 1));
	ck_assert_uint_eq(all & mr_caps_docker_default(), mr_caps_docker_default());
}
END_TEST

START_TEST(test_parse_name_forms)
{
	struct mr_error err = {0};
	int cap = -1;

	ck_assert_int_eq(mr_caps_parse_name("net_admin", &cap, &err), 0);
	ck_assert_int_eq(cap, CAP_NET_ADMIN);
	cap = -1;
	ck_assert_int_eq(mr_caps_parse_name("CAP_NET_ADMIN", &cap, &err), 0);
	ck_assert_int_eq(cap, CAP_NET_ADMIN);
	cap = -1;
	ck_assert_int_eq(mr_caps_parse_name("Net_Admin", &cap, &err), 0);
	ck_assert_int_eq(cap, CAP_NET_ADMIN);
	cap = -1;
	ck_assert_int_eq(mr_caps_parse_name("cap_chown", &cap, &err), 0);
	ck_assert_int_eq(cap, CAP_CHOWN);
	ck_assert_int_eq(mr_caps_parse_name("Cap_Sys_Admin", &cap, &err), 0);
	ck_assert_int_eq(cap, CAP_SYS_ADMIN);
	ck_assert_int_eq(mr_caps_parse_name("audit_write", &cap, &err), 0);
	ck_assert_int_eq(cap, CAP_AUDIT_WRITE);
}
END_TEST

START_TEST(test_parse_name_all)
{
	struct mr_error err = {0};
	int cap = -1;

	ck_assert(mr_caps_is_all("ALL"));
	ck_assert(mr_caps_is_all("all"));
	ck_assert(mr_caps_is_all("CAP_ALL"));
	ck_assert(mr_caps_is_all("cap_All"));
	ck_assert(!mr_caps_is_all("ALLX"));
	ck_assert(!mr_caps_is_all("CAP_"));
	ck_assert(!mr_caps_is_all(""));
	ck_assert(!mr_caps_is_all(NULL));
	ck_assert(!mr_caps_is_all("chown"));

	ck_assert_int_eq(mr_caps_parse_name("ALL", &cap, &err), -1);
	ck_assert_int_eq(cap, -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "'ALL'"));
}
END_TEST

START_TEST(test_parse_name_bad)
{
	/* cap_from_name() alone accepts "12", "chown1" and "chown,kill". */
	static const char *const bad[] = {
	    "FOO", "CAP_FOO", "CAP_",	"cap",	      " chown", "chown ", "chown,kill",
	    "12",  "cap_12",  "chown1", "CAP_CHOWNX", "chow",	"0x0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mr_error err = {0};
		char want[128];
		int cap = -1;
		ck_assert_msg(mr_caps_parse_name(bad[i], &cap, &err) == -1, "'%s' accepted",
			      bad[i]);
		ck_assert_int_eq(cap, -1);
		snprintf(want, sizeof(want), "unknown capability '%s'", bad[i]);
		ck_assert_str_eq(err.msg, want);
	}
}
END_TEST

START_TEST(test_parse_name_empty)
{
	struct mr_error err = {0};
	int cap = -1;

	ck_assert_int_eq(mr_caps_parse_name("", &cap, &err), -1);
	ck_assert_str_eq(err.msg, "empty capability name");
	ck_assert_int_eq(mr_caps_parse_name(NULL, &cap, &err), -1);
	ck_assert_int_eq(cap, -1);
}
END_TEST

START_TEST(test_tweak_nothing)
{
	struct mr_error err = {0};
	mr_capset out = 0;

	ck_assert_int_eq(mr_caps_tweak(mr_caps_docker_default(), NULL, 0, NULL, 0, &out, &err), 0);
	ck_assert_uint_eq(out, 0xa80425fbULL);
}
END_TEST

START_TEST(test_tweak_drop_all_add_one)
{
	struct mr_error err = {0};
	mr_capset out = 0;

	ck_assert_int_eq(mr_caps_tweak(mr_caps_docker_default(), NAMES("NET_BIND_SERVICE"), 1,
				       NAMES("ALL"), 1, &out, &err),
			 0);
	ck_assert_uint_eq(out, 0x400);

	/* Drop ALL alone leaves nothing, whatever the base. */
	ck_assert_int_eq(
	    mr_caps_tweak(mr_caps_docker_default(), NULL, 0, NAMES("all"), 1, &out, &err), 0);
	ck_assert_uint_eq(out, 0);

	/* Other names next to ALL in the drops are still validated (moby normalises first). */
	ck_assert_int_eq(mr_caps_tweak(0, NULL, 0, NAMES("ALL", "bogus"), 2, &out, &err), -1);
}
END_TEST

START_TEST(test_tweak_add_all)
{
	struct mr_error err = {0};
	mr_capset out = 0;
	mr_capset all = mr_caps_all_known();

	ck_assert_int_eq(
	    mr_caps_tweak(0, NAMES("ALL"), 1, NAMES("sys_admin", "CAP_NET_RAW"), 2, &out, &err), 0);
	ck_assert_uint_eq(out, all & ~(MR_CAP_BIT(CAP_SYS_ADMIN) | MR_CAP_BIT(CAP_NET_RAW)));

	/* "ALL" in the adds wins over "ALL" in the drops, as in moby. */
	ck_assert_int_eq(mr_caps_tweak(0, NAMES("ALL"), 1, NAMES("ALL"), 1, &out, &err), 0);
	ck_assert_uint_eq(out, all);
}
END_TEST

START_TEST(test_tweak_drop_one)
{
	struct mr_error err = {0};
	mr_capset out = 0;

	ck_assert_int_eq(
	    mr_caps_tweak(mr_caps_docker_default(), NULL, 0, NAMES("net_raw"), 1, &out, &err), 0);
	ck_assert_uint_eq(out, 0xa80425fbULL & ~MR_CAP_BIT(CAP_NET_RAW));
	ck_assert_uint_eq(out, 0xa80405fbULL);

	/* Dropping something the base does not have changes nothing. */
	ck_assert_int_eq(
	    mr_caps_tweak(mr_caps_docker_default(), NULL, 0, NAMES("SYS_ADMIN"), 1, &out, &err), 0);
	ck_assert_uint_eq(out, 0xa80425fbULL);
}
END_TEST

START_TEST(test_tweak_add_one)
{
	struct mr_error err = {0};
	mr_capset out = 0;

	ck_assert_int_eq(mr_caps_tweak(mr_caps_docker_default(), NAMES("CAP_SYS_PTRACE"), 1, NULL,
				       0, &out, &err),
			 0);
	ck_assert_uint_eq(out, 0xa80425fbULL | MR_CAP_BIT(CAP_SYS_PTRACE));

	/* Add and drop the same one: drops apply first, then adds. */
	ck_assert_int_eq(
	    mr_caps_tweak(mr_caps_docker_default(), NAMES("kill"), 1, NAMES("KILL"), 1, &out, &err),
	    0);
	ck_assert_uint_eq(out, 0xa80425fbULL);
}
END_TEST

START_TEST(test_tweak_errors)
{
	struct mr_error err = {0};
	mr_capset out = 0x1234;

	ck_assert_int_eq(mr_caps_tweak(0, NAMES("chown", "FOO"), 2, NULL, 0, &out, &err), -1);
	ck_assert_str_eq(err.msg, "invalid capability to add: unknown capability 'FOO'");
	ck_assert_uint_eq(out, 0x1234);

	/* A bad drop is reported even when the adds contain ALL. */
	ck_assert_int_eq(mr_caps_tweak(0, NAMES("ALL"), 1, NAMES("nope"), 1, &out, &err), -1);
	ck_assert_str_eq(err.msg, "invalid capability to drop: unknown capability 'nope'");

	ck_assert_int_eq(mr_caps_tweak(0, NAMES(""), 1, NULL, 0, &out, &err), -1);
	ck_assert_str_eq(err.msg, "invalid capability to add: empty capability name");
	ck_assert_uint_eq(out, 0x1234);
}
END_TEST

START_TEST(test_to_string)
{
	char *s;

	s = mr_caps_to_string(0);
	ck_assert_str_eq(s, "");
	free(s);

	s = mr_caps_to_string(MR_CAP_BIT(CAP_KILL) | MR_CAP_BIT(CAP_CHOWN));
	ck_assert_str_eq(s, "CAP_CHOWN,CAP_KILL");
	free(s);

	s = mr_caps_to_string(mr_caps_docker_default());
	ck_assert_str_eq(s, "CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_SETGID,"
			    "CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_NET_RAW,"
			    "CAP_SYS_CHROOT,CAP_MKNOD,CAP_AUDIT_WRITE,CAP_SETFCAP");
	free(s);

	s = mr_caps_to_string(MR_CAP_BIT(CAP_NET_BIND_SERVICE));
	ck_assert_str_eq(s, "CAP_NET_BIND_SERVICE");
	free(s);
}
END_TEST

START_TEST(test_to_string_parse_round_trip)
{
	mr_capset all = mr_caps_all_known();
	for (int cap = 0; cap < 64; cap++) {
		struct mr_error err = {0};
		int back = -1;
		if (!(all & MR_CAP_BIT(cap)))
			continue;
		char *s = mr_caps_to_string(MR_CAP_BIT(cap));
		ck_assert_ptr_nonnull(s);
		/* A kernel newer than libcap has capabilities without names; libcap prints numbers.
		 */
		if (s[0] >= '0' && s[0] <= '9') {
			free(s);
			continue;
		}
		ck_assert_msg(mr_caps_parse_name(s, &back, &err) == 0, "%s: %s", s, err.msg);
		ck_assert_int_eq(back, cap);
		free(s);
	}
}
END_TEST

START_TEST(test_get_sets_match_proc)
{
	struct mr_error err = {0};
	mr_capset bnd = 0, prm = 0;

	ck_assert_int_eq(mr_caps_get_bounding(&bnd, &err), 0);
	ck_assert_uint_eq(bnd, proc_caps("CapBnd"));
	ck_assert_int_eq(mr_caps_get_permitted(&prm, &err), 0);
	ck_assert_uint_eq(prm, proc_caps("CapPrm"));
}
END_TEST

/* --- applying sets: needs CAP_SETPCAP, runs in a child --- */

static const char *
child_drop_bounding(char *buf, size_t size)
{
	struct mr_error err = {0};
	mr_capset before = proc_caps("CapBnd");
	mr_capset want = before & mr_caps_docker_default();

	if (mr_caps_drop_bounding(mr_caps_docker_default(), &err) < 0)
		return test_copy_msg(buf, size, err.msg);
	if (proc_caps("CapBnd") != want) {
		snprintf(buf, size, "CapBnd %016" PRIx64 ", want %016" PRIx64, proc_caps("CapBnd"),
			 want);
		return buf;
	}
	/* Bits the kernel does not know are ignored, not an error. */
	if (mr_caps_drop_bounding(mr_caps_docker_default() | MR_CAP_BIT(63), &err) < 0)
		return test_copy_msg(buf, size, err.msg);
	return NULL;
}

START_TEST(test_drop_bounding)
{
	test_run_in_child(child_drop_bounding);
}
END_TEST

static const char *
child_drop_bounding_eperm(char *buf, size_t size)
{
	struct mr_error err = {0};
	mr_capset keep = MR_CAP_BIT(CAP_KILL) | MR_CAP_BIT(CAP_CHOWN);
	mr_capset prm = proc_caps("CapPrm");

	if (mr_caps_drop_bounding(mr_caps_docker_default(), &err) < 0)
		return test_copy_msg(buf, size, err.msg);
	/* Without CAP_SETPCAP in the effective set, PR_CAPBSET_DROP fails... */
	if (mr_caps_set(prm & ~MR_CAP_BIT(CAP_SETPCAP), prm, 0, &err) < 0)
		return test_copy_msg(buf, size, err.msg);
	if (mr_caps_drop_bounding(keep, &err) == 0)
		return "drop_bounding succeeded without CAP_SETPCAP";
	if (err.errnum != EPERM ||
	    strcmp(err.msg, "drop CAP_DAC_OVERRIDE from the bounding set: Operation not "
			    "permitted") != 0) {
		snprintf(buf, size, "unexpected error: %s", err.msg);
		return buf;
	}
	/* ...but asking again for what is already dropped needs no privilege. */
	if (mr_caps_drop_bounding(mr_caps_docker_default(), &err) < 0)
		return test_copy_msg(buf, size, err.msg);
	return NULL;
}

START_TEST(test_drop_bounding_eperm)
{
	test_run_in_child(child_drop_bounding_eperm);
}
END_TEST

static const char *
child_set_and_ambient(char *buf, size_t size)
{
	struct mr_error err = {0};
	mr_capset nbs = MR_CAP_BIT(CAP_NET_BIND_SERVICE);
	mr_capset kill = MR_CAP_BIT(CAP_KILL);

	if (mr_caps_set(nbs, nbs | kill, nbs, &err) < 0)
		return test_copy_msg(buf, size, err.msg);
	if (proc_caps("CapEff") != nbs || proc_caps("CapPrm") != (nbs | kill) ||
	    proc_caps("CapInh") != nbs) {
		snprintf(buf, size, "after capset: eff %" PRIx64 " prm %" PRIx64 " inh %" PRIx64,
			 proc_caps("CapEff"), proc_caps("CapPrm"), proc_caps("CapInh"));
		return buf;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)CAP_NET_BIND_SERVICE, 0L,
		  0L) != 0)
		return "could not raise an ambient capability for the test";
	if (proc_caps("CapAmb") != nbs)
		return "ambient raise did not show in CapAmb";
	if (mr_caps_clear_ambient(&err) < 0)
		return test_copy_msg(buf, size, err.msg);
	if (proc_caps("CapAmb") != 0)
		return "CapAmb not empty after mr_caps_clear_ambient";

	/* Raising what is not permitted: capset fails and says so. */
	if (mr_caps_set(MR_CAP_BIT(CAP_SYS_ADMIN), MR_CAP_BIT(CAP_SYS_ADMIN), 0, &err) == 0)
		return "capset raised a capability outside the permitted set";
	if (err.errnum != EPERM || strcmp(err.msg, "capset: Operation not permitted") != 0) {
		snprintf(buf, size, "unexpected error: %s", err.msg);
		return buf;
	}

	/* Dropping everything is allowed. */
	if (mr_caps_set(0, 0, 0, &err) < 0)
		return test_copy_msg(buf, size, err.msg);
	if (proc_caps("CapEff") != 0 || proc_caps("CapPrm") != 0 || proc_caps("CapInh") != 0)
		return "sets not empty after mr_caps_set(0, 0, 0)";
	return NULL;
}

START_TEST(test_set_and_ambient)
{
	test_run_in_child(child_set_and_ambient);
}
END_TEST

static Suite *
caps_suite(void)
{
	Suite *s = suite_create("caps");
	TCase *tc = tcase_create("sets and names");

	tcase_add_test(tc, test_docker_default);
	tcase_add_test(tc, test_all_known);
	tcase_add_test(tc, test_parse_name_forms);
	tcase_add_test(tc, test_parse_name_all);
	tcase_add_test(tc, test_parse_name_bad);
	tcase_add_test(tc, test_parse_name_empty);
	tcase_add_test(tc, test_tweak_nothing);
	tcase_add_test(tc, test_tweak_drop_all_add_one);
	tcase_add_test(tc, test_tweak_add_all);
	tcase_add_test(tc, test_tweak_drop_one);
	tcase_add_test(tc, test_tweak_add_one);
	tcase_add_test(tc, test_tweak_errors);
	tcase_add_test(tc, test_to_string);
	tcase_add_test(tc, test_to_string_parse_round_trip);
	tcase_add_test(tc, test_get_sets_match_proc);
	suite_add_tcase(s, tc);

	if (can_change_caps()) {
		TCase *apply = tcase_create("apply (privileged)");
		tcase_add_test(apply, test_drop_bounding);
		tcase_add_test(apply, test_drop_bounding_eperm);
		tcase_add_test(apply, test_set_and_ambient);
		suite_add_tcase(s, apply);
	} else {
		fprintf(stderr, "test_caps: no CAP_SETPCAP, skipping the tests that apply sets\n");
	}
	return s;
}

int
main(void)
{
	return test_run_suite(caps_suite());
}
