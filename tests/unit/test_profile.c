/* SPDX-License-Identifier: MIT */
/* lib/seccomp/profile.c: JSON -> rules, the Docker, OCI and Podman spellings, and bad input. */
#include <check.h>
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include <linux/seccomp.h>

#include "seccomp/filter.h"
#include "seccomp/profile.h"
#include "seccomp/reduce.h"
#include "seccomp_test.h"

#define FAILS(fixture, ...)                                                                        \
	do {                                                                                       \
		const char *const needles_[] = {__VA_ARGS__, NULL};                                \
		test_load_fails((fixture), needles_);                                              \
	} while (0)

START_TEST(test_bad_json_position)
{
	/* the trailing comma at line 4: jansson reports the '}' after it */
	FAILS("bad-json.json", "bad-json.json:4:", "invalid JSON");
}
END_TEST

START_TEST(test_missing_file)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	ck_assert_int_lt(mr_profile_load("/nonexistent/profile.json", &p, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/profile.json"));
	ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
	ck_assert_int_lt(mr_profile_load("/", &p, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "directory"));
}
END_TEST

START_TEST(test_wrong_types)
{
	FAILS("wrong-type-names.json", "wrong-type-names.json:4:", "syscalls[0]",
	      "\"names\" must be an array, not a string");
	FAILS("wrong-type-errnoret.json",
	      "wrong-type-errnoret.json:4:", "\"errnoRet\" must be an integer, not a string");
	FAILS("wrong-type-default.json",
	      "wrong-type-default.json:2:19:", "\"defaultAction\" must be a string");
	FAILS("not-object.json", "not-object.json:1:1:", "must be a JSON object");
}
END_TEST

START_TEST(test_unknown_action_operator_arch)
{
	FAILS("unknown-action.json",
	      "unknown-action.json:4:34:", "unknown action \"SCMP_ACT_ALLOWED\"");
	FAILS("unknown-operator.json",
	      "unknown-operator.json:7:", "unknown operator \"SCMP_CMP_EQUAL\"");
	FAILS("unknown-arch.json",
	      "unknown-arch.json:3:40:", "unknown architecture \"SCMP_ARCH_VAX\"");
	FAILS("notify.json",
	      "notify.json:3:", "syscalls[0]: SCMP_ACT_NOTIFY needs \"listenerPath\"");
	FAILS("listener.json",
	      "listener.json:3:", "\"listenerMetadata\" is set but \"listenerPath\" is not");
	FAILS("flags-bad.json", "unknown seccomp flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"");
}
END_TEST

START_TEST(test_index_6)
{
	FAILS("index-6.json", "index-6.json:9:", "syscalls[0].args[1]",
	      "\"index\" 6 is out of range", "0-5");
}
END_TEST

START_TEST(test_min_kernel_bad)
{
	FAILS("minkernel-4.8.1.json", "minkernel-4.8.1.json:4:", "invalid minKernel \"4.8.1\"");
	FAILS("minkernel-0.0.json", "invalid minKernel \"0.0\"");
	FAILS("minkernel-abc.json", "invalid minKernel \"abc\"");
	FAILS("minkernel-4..json", "invalid minKernel \"4.\"");
	FAILS("minkernel-256.1.json", "invalid minKernel \"256.1\"");
}
END_TEST

START_TEST(test_errnoret_on_allow)
{
	FAILS("errnoret-on-allow.json",
	      "errnoret-on-allow.json:4:", "\"errnoRet\" given for action SCMP_ACT_ALLOW");
	FAILS("default-errno-on-kill.json", "\"defaultErrnoRet\" given for defaultAction "
					    "SCMP_ACT_KILL_PROCESS");
}
END_TEST

START_TEST(test_name_and_names)
{
	FAILS("name-and-names.json",
	      "name-and-names.json:4:", "both 'name' and 'names' are specified");
}
END_TEST

START_TEST(test_arches_and_archmap)
{
	FAILS("arches-and-archmap.json", "both 'architectures' and 'archMap' are specified");
}
END_TEST

START_TEST(test_duplicate_key)
{
	FAILS("duplicate-key.json", "duplicate-key.json:3:", "\"defaultAction\" given twice");
}
END_TEST

START_TEST(test_utf8_column)
{
	/* jansson counts characters; so do the positions of values */
	FAILS("utf8-position.json", "utf8-position.json:4:50:", "SCMP_ACT_NOPE");
}
END_TEST

START_TEST(test_legacy_name)
{
	char *path = test_fixture("legacy-name.json");
	struct mr_profile *p = test_load_ok(path);
	ck_assert_int_eq(p->n_rules, 2);
	ck_assert_int_eq(p->rules[0].n_names, 1);
	ck_assert_str_eq(p->rules[0].names[0], "read");
	ck_assert_str_eq(p->rules[1].names[0], "write");
	ck_assert_int_eq(p->rules[1].name_pos[0].line, 6);
	ck_assert_int_eq(p->n_arches, 3);
	ck_assert_uint_eq(p->arches[0], SCMP_ARCH_X86_64);
	ck_assert_uint_eq(p->arches[2], SCMP_ARCH_X32);
	ck_assert_int_eq(p->default_action, MR_ACT_ERRNO);
	ck_assert_int_eq(p->default_errno, EPERM);
	ck_assert(!p->has_flags);
	mr_profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_podman_errno)
{
	char *path = test_fixture("podman-errno.json");
	struct mr_profile *p = test_load_ok(path);
	ck_assert_int_eq(p->default_errno, ENOSYS);
	ck_assert_int_eq(p->rules[1].errno_ret, EPERM);
	ck_assert_int_eq(p->rules[2].errno_ret, EACCES);
	ck_assert_int_eq(p->rules[3].errno_ret, 100);
	ck_assert_int_eq(p->rules[4].errno_ret, 22);
	ck_assert_int_eq(p->rules[0].errno_ret, EPERM); /* unset: EPERM, not defaultErrnoRet */
	mr_profile_free(p);
	free(path);
	FAILS("podman-bad-errno.json", "unknown errno \"EWHATEVER\"");

	unsigned e = 0;
	ck_assert_int_eq(mr_errno_parse("ENOSYS", &e), 0);
	ck_assert_uint_eq(e, ENOSYS);
	ck_assert_int_eq(mr_errno_parse("ENETDOWN", &e), 0);
	ck_assert_uint_eq(e, 100);
	ck_assert_int_eq(mr_errno_parse("4094", &e), 0);
	/* libseccomp refuses MAX_ERRNO itself: runc and crun cannot run it. */
	ck_assert_int_lt(mr_errno_parse("4095", &e), 0);
	ck_assert_int_lt(mr_errno_parse("4096", &e), 0);
	ck_assert_int_lt(mr_errno_parse("eperm", &e), 0);

	/* 4095 compiled by the range tree, refused by libseccomp: refused at parse. */
	static const char *const bad[] = {
	    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
	    "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":4095}]}",
	    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":4095}",
	};
	for (size_t i = 0; i < 2; i++) {
		struct mr_profile *p4 = NULL;
		struct mr_error err = {0};
		ck_assert_int_lt(mr_profile_parse(bad[i], strlen(bad[i]), "e", &p4, &err), 0);
		ck_assert_msg(strstr(err.msg, "4095 is out of range 0..4094") != NULL, "%s",
			      err.msg);
	}
	const char ok4094[] = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":4094}";
	struct mr_profile *p5 = NULL;
	struct mr_error err5 = {0};
	ck_assert_int_eq(mr_profile_parse(ok4094, sizeof(ok4094) - 1, "e", &p5, &err5), 0);
	ck_assert_uint_eq(p5->default_errno, 4094);
	mr_profile_free(p5);
	ck_assert_int_lt(mr_errno_parse("", &e), 0);
}
END_TEST

/*
 * libseccomp clears a MASKED_EQ datum's bits outside the mask: the profile is
 * read the same way (the range tree, explain and the report follow), with a
 * warning at the valueTwo.  test_rangetree runs the fixture through both
 * generators.
 */
START_TEST(test_masked_eq_outside_mask)
{
	char *path = test_fixture("masked-eq-outside-mask.json");
	struct mr_profile *p = test_load_ok(path);
	ck_assert_int_eq(p->n_rules, 2);
	ck_assert_uint_eq(p->rules[0].args[0].value, 2);
	ck_assert_uint_eq(p->rules[0].args[0].value_two, 0);
	ck_assert_uint_eq(p->rules[1].args[0].value, 0xffff0000u);
	ck_assert_uint_eq(p->rules[1].args[0].value_two, 0);
	ck_assert_int_eq(p->warnings.n, 2);
	ck_assert_msg(strstr(p->warnings.v[0],
			     "masked-eq-outside-mask.json:7:53: syscalls[0].args[0]: "
			     "SCMP_CMP_MASKED_EQ \"valueTwo\" has bits outside the mask \"value\" "
			     "(0x1): libseccomp, runc and crun clear them, so the condition is "
			     "arg0 & 0x2 == 0") != NULL,
		      "%s", p->warnings.v[0]);
	ck_assert_msg(strstr(p->warnings.v[1], "(0x100000001)") != NULL, "%s", p->warnings.v[1]);
	mr_profile_free(p);
	free(path);
}
END_TEST

/*
 * Go reads argument values as uint64, so Docker, runc and crun take values
 * above 2^63-1, which jansson alone refuses (lib/common/json.c).
 * test_rangetree runs the fixture through both generators.
 */
START_TEST(test_go_uint64_values)
{
	char *path = test_fixture("go-uint64-values.json");
	struct mr_profile *p = test_load_ok(path);
	ck_assert_int_eq(p->n_rules, 3);
	ck_assert_uint_eq(p->rules[0].args[0].value, UINT64_MAX);
	ck_assert_uint_eq(p->rules[1].args[0].value, 1ULL << 63);
	ck_assert_uint_eq(p->rules[2].args[0].value, 0xffffffff00000000ULL);
	ck_assert_uint_eq(p->rules[2].args[0].value_two, 1ULL << 63);
	ck_assert_int_eq(p->warnings.n, 0);
	mr_profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_oci_object)
{
	char *path = test_fixture("oci-seccomp.json");
	struct mr_profile *p = test_load_ok(path);
	ck_assert(p->has_flags);
	ck_assert_uint_eq(p->flags, SECCOMP_FILTER_FLAG_LOG);
	ck_assert_int_eq(p->n_rules, 2);
	ck_assert_int_eq(p->rules[1].errno_ret, 100);
	ck_assert_int_eq(p->warnings.n, 0);
	mr_profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_oci_config)
{
	char *path = test_fixture("oci-config.json");
	struct mr_profile *p = test_load_ok(path);
	ck_assert_int_eq(p->n_rules, 2);
	ck_assert_str_eq(p->rules[1].names[0], "mkdirat");
	/* positions are those of the whole file */
	ck_assert_int_eq(p->rules[1].pos.line, 12);
	/* the unknown key inside linux.seccomp is reported, the rest of config.json is not */
	ck_assert_int_eq(p->warnings.n, 1);
	ck_assert_ptr_nonnull(strstr(p->warnings.v[0], "oci-config.json:12:"));
	ck_assert_ptr_nonnull(strstr(p->warnings.v[0], "\"bogus\""));
	mr_profile_free(p);
	free(path);
	FAILS("oci-config-no-seccomp.json", "without linux.seccomp");
}
END_TEST

/*
 * Docker's own keys in a config.json's linux.seccomp are ignored as runc and
 * crun ignore them (found by tests/differential/seccomp-diff.py): the rule
 * whose includes.caps the container lacks still denies, archMap adds no
 * architecture, a legacy "name" names nothing.  Before, minirun reduced them
 * as Docker does and let personality through where runc and crun denied it.
 */
START_TEST(test_oci_config_docker_keys)
{
	static const char text[] =
	    "{\"ociVersion\": \"1.0.2\", \"linux\": {\"seccomp\": {\n"
	    "\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
	    "\"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": "
	    "[\"SCMP_ARCH_X86\"]}],\n"
	    "\"syscalls\": [\n"
	    "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"], \"minKernel\": \"99.0\"}},\n"
	    "{\"names\": [\"getpgid\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}, \"errno\": \"EACCES\"},\n"
	    "{\"name\": \"umask\", \"names\": [\"getsid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}}}\n";
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	ck_assert_msg(mr_profile_parse(text, sizeof(text) - 1, "config.json", &p, &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(p->n_archmap, 0);
	ck_assert_int_eq(p->n_rules, 3);
	ck_assert(!p->rules[0].includes.present);
	ck_assert(!p->rules[1].excludes.present);
	ck_assert_int_eq(p->rules[1].errno_ret, EPERM);
	ck_assert_int_eq(p->rules[2].n_names, 1);
	ck_assert_str_eq(p->rules[2].names[0], "getsid");
	/* one warning per key, at it */
	ck_assert_int_eq(p->warnings.n, 5);
	ck_assert_ptr_nonnull(strstr(p->warnings.v[0], "config.json:3:"));
	ck_assert_ptr_nonnull(strstr(p->warnings.v[0], "\"archMap\" is not a runtime-spec key"));
	ck_assert_ptr_nonnull(strstr(p->warnings.v[1], "syscalls[0]: \"includes\""));

	/* Reduced for a container without CAP_SYS_ADMIN, on this host: all three rules. */
	struct mr_reduce_env env;
	cleanup_reduced struct mr_reduced r = {0};
	ck_assert_int_eq(mr_reduce_env_host(0, &env, &err), 0);
	ck_assert_msg(mr_profile_reduce(p, &env, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.n_rules, 3);
	ck_assert_int_le(r.n_arches, 1);
	mr_profile_free(p);

	/* The same profile as a file of its own keeps Docker's reading, which
	 * refuses "name" next to "names". */
	const char *obj = strstr(text, "\"seccomp\": ") + 11;
	size_t len = strlen(obj) - 3; /* without "}}\n" */
	ck_assert_int_lt(mr_profile_parse(obj, len, "docker.json", &p, &err), 0);
	ck_assert_ptr_nonnull(
	    strstr(err.msg, "docker.json:7:10: syscalls[2]: both 'name' and 'names'"));
}
END_TEST

START_TEST(test_unconfined_and_missing_default)
{
	char *path = test_fixture("empty.json");
	struct mr_profile *p = test_load_ok(path);
	ck_assert(p->unconfined);
	mr_profile_free(p);
	free(path);
	FAILS("no-default-action.json", "\"defaultAction\" is missing");
}
END_TEST

START_TEST(test_unknown_keys_warn)
{
	char *path = test_fixture("unknown-keys.json");
	struct mr_profile *p = test_load_ok(path);
	/* Go matches keys case-insensitively: DefaultAction, Names, errnoret work */
	ck_assert_int_eq(p->default_action, MR_ACT_ERRNO);
	ck_assert_int_eq(p->n_rules, 1);
	ck_assert_str_eq(p->rules[0].names[0], "read");
	ck_assert_int_eq(p->warnings.n, 2);
	ck_assert_ptr_nonnull(strstr(p->warnings.v[0], "unknown-keys.json:3:13: profile: unknown "
						       "key \"sycalls\""));
	ck_assert_ptr_nonnull(strstr(p->warnings.v[1], "\"note\""));
	mr_profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_flags)
{
	char *path = test_fixture("flags.json");
	struct mr_profile *p = test_load_ok(path);
	ck_assert(p->has_flags);
	ck_assert_uint_eq(p->flags, SECCOMP_FILTER_FLAG_LOG); /* TSYNC is dropped, as runc does */
	mr_profile_free(p);
	free(path);
	path = test_fixture("flags-empty.json");
	p = test_load_ok(path);
	ck_assert(p->has_flags);
	ck_assert_uint_eq(p->flags, 0);
	mr_profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_conditions_parsed)
{
	char *path = test_fixture("conditions.json");
	struct mr_profile *p = test_load_ok(path);
	ck_assert_int_eq(p->n_rules, 10);
	ck_assert(p->rules[6].includes.has_min_kernel);
	ck_assert_uint_eq(p->rules[6].includes.min_kernel, 4);
	ck_assert_uint_eq(p->rules[6].includes.min_major, 8);
	ck_assert_int_eq(p->rules[3].includes.n_caps, 2);
	ck_assert(p->rules[9].includes.present);
	/* "cap_syslog" can never match Docker's exact comparison: a warning says so */
	ck_assert_int_eq(p->warnings.n, 1);
	ck_assert_ptr_nonnull(strstr(p->warnings.v[0], "cap_syslog"));
	mr_profile_free(p);
	free(path);
}
END_TEST

START_TEST(test_inline_text)
{
	static const char txt[] = "{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":null}";
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	ck_assert_int_eq(mr_profile_parse(txt, sizeof(txt) - 1, "inline", &p, &err), 0);
	ck_assert(!p->unconfined);
	ck_assert_int_eq(p->default_action, MR_ACT_LOG);
	ck_assert_int_eq(p->n_rules, 0);
	mr_profile_free(p);
	/* the fuzzer's first find: jansson took a raw NUL for the end of a number */
	ck_assert_int_lt(mr_profile_parse("{\"\":1\0}", 7, "nul", &p, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "nul:1:6: invalid JSON: a NUL byte"));
	ck_assert_int_lt(mr_profile_parse("", 0, "empty-text", &p, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "empty-text:1:0: invalid JSON"));
}
END_TEST

START_TEST(test_shared_profiles_parse)
{
	static const char *const names[] = {
	    "containers-common_seccomp.json",
	    "docker-labs_allow.json",
	    "docker-labs_default-no-chmod.json",
	    "docker-labs_default.json",
	    "docker-labs_deny.json",
	    "moby-moby_default.json",
	    "moby-moby_default_v1.12.0.json",
	    "moby-moby_default_v19.03.0.json",
	    "moby-moby_default_v20.10.0.json",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = test_shared_profile(names[i]);
		struct mr_profile *p = test_load_ok(path);
		ck_assert_msg(p->warnings.n == 0, "%s: %s", names[i],
			      p->warnings.n ? p->warnings.v[0] : "");
		mr_profile_free(p);
		free(path);
	}
}
END_TEST

static Suite *
profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_bad_json_position);
	tcase_add_test(tc, test_masked_eq_outside_mask);
	tcase_add_test(tc, test_go_uint64_values);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_wrong_types);
	tcase_add_test(tc, test_unknown_action_operator_arch);
	tcase_add_test(tc, test_index_6);
	tcase_add_test(tc, test_min_kernel_bad);
	tcase_add_test(tc, test_errnoret_on_allow);
	tcase_add_test(tc, test_name_and_names);
	tcase_add_test(tc, test_arches_and_archmap);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_utf8_column);
	tcase_add_test(tc, test_legacy_name);
	tcase_add_test(tc, test_podman_errno);
	tcase_add_test(tc, test_oci_object);
	tcase_add_test(tc, test_oci_config);
	tcase_add_test(tc, test_oci_config_docker_keys);
	tcase_add_test(tc, test_unconfined_and_missing_default);
	tcase_add_test(tc, test_unknown_keys_warn);
	tcase_add_test(tc, test_flags);
	tcase_add_test(tc, test_conditions_parsed);
	tcase_add_test(tc, test_inline_text);
	suite_add_tcase(s, tc);
	return s;
}

/* The cases that read ../shared/profiles: `test_profile --shared`. */
static Suite *
profile_shared_suite(void)
{
	Suite *s = suite_create("profile-shared");
	TCase *tc = tcase_create("shared profiles");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_shared_profiles_parse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	return test_main(argc, argv, profile_suite, profile_shared_suite);
}
