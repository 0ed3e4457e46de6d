/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for lib/container/unpack.c (archive member names made safe)
 * and lib/container/image-config.c (an image config, docker run's merge).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "container/image.h"
#include "container/unpack.h"

static void
check_clean(const char *in, const char *want)
{
	char out[256];
	const char *why = NULL;
	ck_assert_msg(mr_unpack_clean_path(in, out, sizeof(out), &why) == 0, "%s: %s", in,
		      why ? why : "");
	ck_assert_str_eq(out, want);
}

static void
check_refused(const char *in, const char *want_why)
{
	char out[256];
	const char *why = NULL;
	ck_assert_int_eq(mr_unpack_clean_path(in, out, sizeof(out), &why), -1);
	ck_assert_str_eq(why, want_why);
}

START_TEST(test_clean_path)
{
	check_clean("bin/sh", "bin/sh");
	check_clean("./bin//sh/", "bin/sh");
	check_clean(".", "");
	check_clean("./", "");
	check_clean("a/./b/.", "a/b");
	check_clean("..foo/...", "..foo/...");
	check_clean(".wh..wh..opq", ".wh..wh..opq");
}
END_TEST

START_TEST(test_clean_path_refused)
{
	check_refused("/etc/shadow", "absolute path");
	check_refused("../evil", "'..' component");
	check_refused("a/../../evil", "'..' component");
	check_refused("a/..", "'..' component");
	check_refused("./..", "'..' component");
	char deep[1200] = "";
	for (int i = 0; i < 300; i++)
		strcat(deep, "d/");
	check_refused(deep, "name too long or too deep");
}
END_TEST

#define CONFIG                                                                                     \
	"{\"config\":{\"Env\":[\"PATH=/img\",\"A=1\"],\"Entrypoint\":[\"/ep\",\"-x\"],"            \
	"\"Cmd\":[\"c1\",\"c2\"],\"WorkingDir\":\"srv\",\"User\":\"alice\"}}"

static void
spec_with(struct mr_spec *spec, char *const *argv, size_t argc)
{
	struct mr_error err;
	mr_spec_init(spec);
	ck_assert_int_eq(mr_spec_set_argv(spec, argv, argc, &err), 0);
}

static void
check_argv(const struct mr_spec *spec, const char *want)
{
	char got[512] = "";
	for (size_t i = 0; i < spec->argc; i++) {
		strcat(got, i ? " " : "");
		strcat(got, spec->argv[i]);
	}
	ck_assert_str_eq(got, want);
}

START_TEST(test_config_apply)
{
	struct mr_image_config c;
	struct mr_spec spec;
	struct mr_error err;
	char *args[] = {"a1", "a2"};

	ck_assert_int_eq(mr_image_config_parse(CONFIG, strlen(CONFIG), "t", &c, &err), 0);

	/* No ARGS: Entrypoint + Cmd, Env first, WorkingDir made absolute, User. */
	spec_with(&spec, NULL, 0);
	ck_assert_int_eq(mr_spec_add_env(&spec, "A=cli", &err), 0);
	ck_assert_int_eq(mr_image_config_apply(&spec, &c, &err), 0);
	check_argv(&spec, "/ep -x c1 c2");
	ck_assert_uint_eq(spec.n_env, 3);
	ck_assert_str_eq(spec.env[0], "PATH=/img");
	ck_assert_str_eq(spec.env[2], "A=cli"); /* -e comes last: it wins */
	ck_assert_str_eq(spec.workdir, "/srv");
	ck_assert_str_eq(spec.user, "alice");
	mr_spec_clear(&spec);

	/* ARGS replace Cmd; -u and -w win. */
	spec_with(&spec, args, 2);
	spec.user = strdup("root");
	spec.workdir = strdup("/");
	ck_assert_int_eq(mr_image_config_apply(&spec, &c, &err), 0);
	check_argv(&spec, "/ep -x a1 a2");
	ck_assert_str_eq(spec.user, "root");
	ck_assert_str_eq(spec.workdir, "/");
	mr_spec_clear(&spec);

	/* --entrypoint E drops Cmd; with ARGS they follow it. */
	spec_with(&spec, NULL, 0);
	spec.entrypoint = strdup("/bin/true");
	spec.entrypoint_set = true;
	ck_assert_int_eq(mr_image_config_apply(&spec, &c, &err), 0);
	check_argv(&spec, "/bin/true");
	mr_spec_clear(&spec);

	spec_with(&spec, args, 2);
	spec.entrypoint = strdup("");
	spec.entrypoint_set = true;
	ck_assert_int_eq(mr_image_config_apply(&spec, &c, &err), 0);
	check_argv(&spec, "a1 a2");
	mr_spec_clear(&spec);

	/* --entrypoint "" and no ARGS: nothing to run. */
	spec_with(&spec, NULL, 0);
	spec.entrypoint = strdup("");
	spec.entrypoint_set = true;
	ck_assert_int_eq(mr_image_config_apply(&spec, &c, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no command given"));
	mr_spec_clear(&spec);
	mr_image_config_clear(&c);
}
END_TEST

START_TEST(test_config_bad)
{
	struct mr_image_config c;
	struct mr_error err;
	const char *bad[] = {
	    "[]",
	    "{\"config\":{\"Env\":[\"NOEQUALS\"]}}",
	    "{\"config\":{\"Env\":[\"=v\"]}}",
	    "{\"config\":{\"Cmd\":[1]}}",
	    "{\"config\":{\"User\":7}}",
	    "{\"config\":{}, \"config\":{}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mr_image_config_parse(bad[i], strlen(bad[i]), "t", &c, &err) == -1,
			      "%s", bad[i]);
	/* A string Cmd (Docker's StrSlice) and a missing config are fine. */
	const char *ok = "{\"config\":{\"Cmd\":\"/bin/sh\"}}";
	ck_assert_int_eq(mr_image_config_parse(ok, strlen(ok), "t", &c, &err), 0);
	ck_assert_str_eq(c.cmd[0], "/bin/sh");
	mr_image_config_clear(&c);
	ck_assert_int_eq(mr_image_config_parse("{}", 2, "t", &c, &err), 0);
	ck_assert_ptr_null(c.cmd);
}
END_TEST

static Suite *
image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("image");
	tcase_add_test(tc, test_clean_path);
	tcase_add_test(tc, test_clean_path_refused);
	tcase_add_test(tc, test_config_apply);
	tcase_add_test(tc, test_config_bad);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(image_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
