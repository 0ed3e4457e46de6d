/* SPDX-License-Identifier: MIT */
/* Unit tests: command line -> spec, spec validation, errors, exit-status mapping. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "../../cmd/options.h"
#include "minirun/minirun.h"

static char *test_environ[] = {"FROM_CALLER=yes", "PATH=/host/bin", NULL};

static int
parse(struct mr_cli *cli, struct mr_error *err, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return mr_cli_parse(argc, argv, test_environ, cli, err);
}

#define PARSE_OK(cli, ...)                                                                         \
	do {                                                                                       \
		char *argv_[] = {"minirun", __VA_ARGS__, NULL};                                    \
		struct mr_error e_ = {0};                                                          \
		int r_ = parse(cli, &e_, argv_);                                                   \
		ck_assert_msg(r_ == 0, "parse failed: %s", e_.msg);                                \
	} while (0)

#define PARSE_FAIL(cli, errp, ...)                                                                 \
	do {                                                                                       \
		char *argv_[] = {"minirun", __VA_ARGS__, NULL};                                    \
		ck_assert_int_eq(parse(cli, errp, argv_), -1);                                     \
		ck_assert_int_eq((errp)->exit_status, MR_EXIT_FAILURE);                            \
	} while (0)

START_TEST(options_end_at_rootfs)
{
	struct mr_cli cli;
	PARSE_OK(&cli, "-it", "--rm", "--name", "alpine-test", "rootfs", "/bin/sh", "-c", "echo hi",
		 "--user", "x");
	ck_assert(cli.spec.interactive);
	ck_assert(cli.spec.tty);
	ck_assert(!cli.spec.init);
	ck_assert_str_eq(cli.spec.name, "alpine-test");
	ck_assert_str_eq(cli.spec.rootfs, "rootfs");
	ck_assert_uint_eq(cli.spec.argc, 5);
	ck_assert_str_eq(cli.spec.argv[1], "-c");
	ck_assert_str_eq(cli.spec.argv[4], "x");
	ck_assert_ptr_null(cli.spec.argv[5]);
	ck_assert_ptr_null(cli.spec.user);
	mr_cli_clear(&cli);
}
END_TEST

START_TEST(init_flag)
{
	struct mr_cli cli;
	PARSE_OK(&cli, "--init", "rootfs", "sleep", "--init");
	ck_assert(cli.spec.init);
	ck_assert_str_eq(cli.spec.argv[1], "--init");
	mr_cli_clear(&cli);
}
END_TEST

START_TEST(flag_value_forms)
{
	struct mr_cli cli;
	PARSE_OK(&cli, "--user=alice:staff", "-w", "/tmp", "--hostname=lab", "-ebar=1", "-e",
		 "FROM_CALLER", "-e", "UNSET_IN_CALLER", "--network=host", "r", "true");
	ck_assert_str_eq(cli.spec.user, "alice:staff");
	ck_assert_str_eq(cli.spec.workdir, "/tmp");
	ck_assert_str_eq(cli.spec.hostname, "lab");
	ck_assert_uint_eq(cli.spec.n_env, 2);
	ck_assert_str_eq(cli.spec.env[0], "bar=1");
	/* "-e KEY" takes the caller's value; an unset KEY is dropped, as docker does. */
	ck_assert_str_eq(cli.spec.env[1], "FROM_CALLER=yes");
	ck_assert_int_eq(cli.spec.network, MR_NETWORK_HOST);
	mr_cli_clear(&cli);

	PARSE_OK(&cli, "-u", "1000", "-h", "box", "--network", "none", "r", "true");
	ck_assert_str_eq(cli.spec.user, "1000");
	ck_assert_str_eq(cli.spec.hostname, "box");
	ck_assert_int_eq(cli.spec.network, MR_NETWORK_NONE);
	mr_cli_clear(&cli);

	PARSE_OK(&cli, "-u=7", "r", "true");
	ck_assert_str_eq(cli.spec.user, "7");
	mr_cli_clear(&cli);
}
END_TEST

START_TEST(security_opts)
{
	struct mr_cli cli;
	struct mr_error err;

	PARSE_OK(&cli, "--security-opt", "no-new-privileges", "--security-opt=seccomp=p.json",
		 "--security-opt", "apparmor:foo", "r", "true");
	ck_assert(cli.spec.no_new_privs);
	ck_assert_str_eq(cli.spec.seccomp, "p.json");
	ck_assert_str_eq(cli.spec.apparmor, "foo");
	mr_cli_clear(&cli);

	PARSE_OK(&cli, "--security-opt", "no-new-privileges=false", "--seccomp", "unconfined",
		 "--seccomp-strict", "r", "true");
	ck_assert(!cli.spec.no_new_privs);
	ck_assert(cli.spec.seccomp_strict);
	ck_assert_str_eq(cli.spec.seccomp, "unconfined");
	mr_cli_clear(&cli);

	PARSE_FAIL(&cli, &err, "--security-opt", "bogus", "r", "true");
	ck_assert_str_eq(err.msg, "--security-opt bogus: unknown option (expected "
				  "no-new-privileges, seccomp=PROFILE or apparmor=PROFILE)");
	mr_cli_clear(&cli);
	PARSE_FAIL(&cli, &err, "--security-opt", "seccomp=", "r", "true");
	mr_cli_clear(&cli);
	PARSE_FAIL(&cli, &err, "--security-opt", "no-new-privileges=maybe", "r", "true");
	mr_cli_clear(&cli);
}
END_TEST

START_TEST(capability_flags)
{
	struct mr_cli cli;
	struct mr_error err;

	PARSE_OK(&cli, "r", "true");
	ck_assert_uint_eq(cli.spec.caps, 0xa80425fbULL);
	mr_cli_clear(&cli);

	PARSE_OK(&cli, "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE", "r", "true");
	ck_assert_uint_eq(cli.spec.caps, 0x400);
	ck_assert(!cli.spec.caps_all);
	mr_cli_clear(&cli);

	PARSE_OK(&cli, "--cap-drop=chown", "--cap-add=cap_sys_admin", "r", "true");
	ck_assert_uint_eq(cli.spec.caps, (0xa80425fbULL & ~1ULL) | (1ULL << 21));
	mr_cli_clear(&cli);

	PARSE_OK(&cli, "--cap-add", "all", "r", "true");
	ck_assert(cli.spec.caps_all);
	ck_assert_uint_eq(cli.spec.caps, mr_caps_all_known());
	mr_cli_clear(&cli);

	/* --privileged ignores add/drop (moby TweakCapabilities). */
	PARSE_OK(&cli, "--privileged", "--cap-drop", "ALL", "r", "true");
	ck_assert_uint_eq(cli.spec.caps, mr_caps_all_known());
	mr_cli_clear(&cli);

	PARSE_FAIL(&cli, &err, "--cap-add", "NOT_A_CAP", "r", "true");
	ck_assert_ptr_nonnull(strstr(err.msg, "NOT_A_CAP"));
	mr_cli_clear(&cli);
}
END_TEST

START_TEST(bad_command_lines)
{
	struct mr_cli cli;
	struct mr_error err;

	PARSE_FAIL(&cli, &err, "--bogus", "r", "true");
	ck_assert_str_eq(err.msg, "unknown option '--bogus' (see minirun --help)");
	mr_cli_clear(&cli);
	PARSE_FAIL(&cli, &err, "-x", "r", "true");
	ck_assert_str_eq(err.msg, "unknown option '-x' (see minirun --help)");
	mr_cli_clear(&cli);
	PARSE_FAIL(&cli, &err, "--user");
	ck_assert_str_eq(err.msg, "option '--user' needs a value");
	mr_cli_clear(&cli);
	PARSE_FAIL(&cli, &err, "--rm=yes", "r", "true");
	ck_assert_str_eq(err.msg, "option '--rm' takes no value");
	mr_cli_clear(&cli);
	PARSE_FAIL(&cli, &err, "--network", "bridge", "r", "true");
	mr_cli_clear(&cli);
	{
		/* No COMMAND parses: an image may supply it (mr_image_resolve says when not). */
		char *argv[] = {"minirun", "r", NULL};
		ck_assert_int_eq(mr_cli_parse(2, argv, test_environ, &cli, &err), 0);
		ck_assert_uint_eq(cli.spec.argc, 0);
		ck_assert_int_eq(mr_image_config_apply(&cli.spec, NULL, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "no command given"));
		mr_cli_clear(&cli);
	}
	{
		char *argv[] = {"minirun", NULL};
		ck_assert_int_eq(mr_cli_parse(1, argv, test_environ, &cli, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "no root filesystem given"));
		mr_cli_clear(&cli);
	}
	PARSE_FAIL(&cli, &err, "-e", "=x", "r", "true");
	mr_cli_clear(&cli);
}
END_TEST

/* --rootfs takes no value: like podman's, it says what the positional ROOTFS is. */
START_TEST(rootfs_flag)
{
	struct mr_cli cli;
	struct mr_error err;

	PARSE_OK(&cli, "r", "true");
	ck_assert(!cli.spec.rootfs_direct);
	mr_cli_clear(&cli);
	PARSE_OK(&cli, "--rootfs", "r", "true");
	ck_assert(cli.spec.rootfs_direct);
	ck_assert(!cli.spec.read_only);
	ck_assert_str_eq(cli.spec.rootfs, "r");
	ck_assert_str_eq(cli.spec.argv[0], "true");
	mr_cli_clear(&cli);
	PARSE_OK(&cli, "--read-only", "--rootfs", "r", "true");
	ck_assert(cli.spec.rootfs_direct);
	ck_assert(cli.spec.read_only);
	mr_cli_clear(&cli);
	PARSE_FAIL(&cli, &err, "--rootfs=r", "true");
	ck_assert_str_eq(err.msg, "option '--rootfs' takes no value");
	mr_cli_clear(&cli);
}
END_TEST

START_TEST(help_and_version)
{
	struct mr_cli cli;
	PARSE_OK(&cli, "--help");
	ck_assert_int_eq(cli.action, MR_CLI_HELP);
	mr_cli_clear(&cli);
	PARSE_OK(&cli, "--version");
	ck_assert_int_eq(cli.action, MR_CLI_VERSION);
	mr_cli_clear(&cli);
	/* -h is --hostname, as in docker run, not help. */
	PARSE_OK(&cli, "-h", "x", "r", "true");
	ck_assert_int_eq(cli.action, MR_CLI_RUN);
	mr_cli_clear(&cli);
}
END_TEST

START_TEST(spec_validation)
{
	struct mr_spec spec;
	struct mr_error err;
	char *argv[] = {"true"};

	mr_spec_init(&spec);
	spec.rootfs = strdup("/r");
	ck_assert_int_eq(mr_spec_set_argv(&spec, argv, 1, &err), 0);
	ck_assert_int_eq(mr_spec_validate(&spec, &err), 0);

	spec.hostname = strdup("-bad");
	ck_assert_int_eq(mr_spec_validate(&spec, &err), -1);
	free(spec.hostname);
	spec.hostname = strdup("good.host-1");
	ck_assert_int_eq(mr_spec_validate(&spec, &err), 0);

	spec.workdir = strdup("relative");
	ck_assert_int_eq(mr_spec_validate(&spec, &err), -1);
	ck_assert_str_eq(err.msg, "--workdir 'relative': the working directory must be an "
				  "absolute path");
	mr_spec_clear(&spec);
}
END_TEST

START_TEST(errors_format)
{
	struct mr_error err;
	ck_assert_int_eq(mr_error_set(&err, 2, "rootfs %s", "/x"), -1);
	ck_assert_str_eq(err.msg, "rootfs /x: No such file or directory");
	ck_assert_int_eq(err.exit_status, 125);
	ck_assert_int_eq(err.errnum, 2);
	mr_error_wrap(&err, "step");
	ck_assert_str_eq(err.msg, "step: rootfs /x: No such file or directory");
	mr_error_set_status(&err, 127, 0, "exec %s", "foo");
	ck_assert_str_eq(err.msg, "exec foo");
	ck_assert_int_eq(err.exit_status, 127);
}
END_TEST

START_TEST(exit_status_mapping)
{
	ck_assert_int_eq(mr_exit_status_from_wait(42 << 8), 42);
	ck_assert_int_eq(mr_exit_status_from_wait(0), 0);
	ck_assert_int_eq(mr_exit_status_from_wait(SIGKILL), 137);
	ck_assert_int_eq(mr_exit_status_from_wait(SIGSYS), 159);
	ck_assert_int_eq(mr_exit_status_from_wait(SIGSEGV | 0x80), 139);
}
END_TEST

START_TEST(volume_flags)
{
	struct mr_cli cli;
	struct mr_error err = {0};

	/* -v is --volume now, as in docker run; verbose output is --verbose only. */
	PARSE_OK(&cli, "-v", "/h//a/:/c/./d/../e:ro,rslave,z", "--volume=/f:/g", "--mount",
		 "type=bind,src=/s,dst=/t,readonly,bind-propagation=shared", "--mount",
		 "type=tmpfs,target=/tm,tmpfs-size=64k,tmpfs-mode=700", "--tmpfs",
		 "/run:size=1m,exec", "--verbose", "r", "true");
	ck_assert(cli.verbose);
	ck_assert_uint_eq(cli.spec.n_volumes, 5);
	const struct mr_volume *v = cli.spec.volumes;
	ck_assert_str_eq(v[0].source, "/h//a/");
	ck_assert_str_eq(v[0].target, "/c/e");
	ck_assert(v[0].readonly && v[0].relabel && v[0].create_source);
	ck_assert_int_eq(v[0].propagation, MR_PROPAGATION_RSLAVE);
	ck_assert(!v[1].readonly);
	ck_assert_int_eq(v[1].propagation, MR_PROPAGATION_RPRIVATE);
	ck_assert(v[2].readonly && !v[2].create_source);
	ck_assert_int_eq(v[2].propagation, MR_PROPAGATION_SHARED);
	ck_assert_int_eq(v[3].type, MR_VOLUME_TMPFS);
	ck_assert_uint_eq(v[3].tmpfs_size, 65536);
	ck_assert(v[3].tmpfs_mode_set && v[3].tmpfs_mode == 0700);
	ck_assert_uint_eq(v[4].tmpfs_size, 1 << 20);
	ck_assert_uint_eq(v[4].tmpfs_attrs, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	mr_cli_clear(&cli);

	static const char *const bad[][2] = {
	    {"-v", "name:/x"},
	    {"-v", "rel/dir:/x"},
	    {"-v", "/x"},
	    {"-v", "/a:x"},
	    {"-v", "/a:/proc"},
	    {"-v", "/a:/sys/fs"},
	    {"-v", "/a:/dev"},
	    {"-v", "/a:/x/.."},
	    {"-v", "/a:/x:ro,rw"},
	    {"-v", "/a:/x:nocopy"},
	    {"-v", "/a:/x:ro:z"},
	    {"--mount", "source=/a,target=/x"},
	    {"--mount", "type=volume,source=v,target=/x"},
	    {"--mount", "type=bind,target=/x"},
	    {"--mount", "type=bind,source=/a,target=/x,tmpfs-size=1"},
	    {"--mount", "type=tmpfs,target=/x,tmpfs-mode=999"},
	    {"--mount", "type=bind,source=/a,target=/x,bind-propagation=up"},
	    {"--mount", "type=bind,source=/a,target=/x,colour=red"},
	    {"--tmpfs", "/x:size=lots"},
	    {"--tmpfs", "/proc/x"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PARSE_FAIL(&cli, &err, (char *)bad[i][0], (char *)bad[i][1], "r", "true");
		ck_assert_msg(strncmp(err.msg, bad[i][0], strlen(bad[i][0])) == 0, "%s %s: %s",
			      bad[i][0], bad[i][1], err.msg);
		mr_cli_clear(&cli);
	}

	/* Two on one destination: refused by the spec's validation. */
	PARSE_OK(&cli, "-v", "/a:/x", "--tmpfs", "/x/", "r", "true");
	ck_assert_int_eq(mr_spec_validate(&cli.spec, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "duplicate mount point /x"));
	mr_cli_clear(&cli);
}
END_TEST

static Suite *
options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("cli");
	tcase_add_test(tc, options_end_at_rootfs);
	tcase_add_test(tc, init_flag);
	tcase_add_test(tc, flag_value_forms);
	tcase_add_test(tc, security_opts);
	tcase_add_test(tc, capability_flags);
	tcase_add_test(tc, bad_command_lines);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, volume_flags);
	suite_add_tcase(s, tc);
	tc = tcase_create("spec");
	tcase_add_test(tc, spec_validation);
	tcase_add_test(tc, errors_format);
	tcase_add_test(tc, exit_status_mapping);
	tcase_add_test(tc, rootfs_flag);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(options_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
