/* SPDX-License-Identifier: MIT */
/* minirun: argv -> spec -> prepared (checked) -> run -> exit status. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "minirun/minirun.h"
#include "commands.h"
#include "options.h"
#include "run-target.h"

extern char **environ;

static void
print_error(const struct mr_cli *cli, const struct mr_error *err)
{
	if (cli->spec.name != NULL)
		fprintf(stderr, "minirun: %s: %s\n", cli->spec.name, err->msg);
	else
		fprintf(stderr, "minirun: %s\n", err->msg);
}

/* Warnings carry --name as errors do: with several containers, which one? */
static void print_warning(const struct mr_cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
print_warning(const struct mr_cli *cli, const char *fmt, ...)
{
	va_list ap;
	if (cli->spec.name != NULL)
		fprintf(stderr, "minirun: %s: warning: ", cli->spec.name);
	else
		fputs("minirun: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "10,29" (as id(1) and /probe ids print them); "" for none. */
static void
print_groups(FILE *f, const gid_t *groups, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%u", i ? "," : "", (unsigned)groups[i]);
}

static void
print_verbose(const struct mr_prepared *p)
{
	char *caps = mr_caps_to_string(p->bounding);
	fprintf(stderr, "minirun: rootfs %s%s, %s mode\n", p->rootfs_path,
		p->spec->read_only	 ? " (read-only)"
		: p->spec->rootfs_direct ? " (written directly)"
					 : " (copy-on-write overlay)",
		p->rootless ? "rootless (user namespace)" : "root");
	/* The gids themselves: a count says nothing about which groups were given. */
	fprintf(stderr, "minirun: user uid=%u gid=%u groups=", (unsigned)p->user.uid,
		(unsigned)p->user.gid);
	print_groups(stderr, p->user.groups, p->user.n_groups);
	fprintf(stderr,
		" home=%s\n"
		"minirun: capabilities (bounding%s): %s\n"
		"minirun: no_new_privs %s; seccomp %s%s%s (%zu instructions, flags %#x)\n",
		p->user.home ? p->user.home : "/", p->effective ? ", effective, permitted" : "",
		caps && caps[0] ? caps : "(none)", p->spec->no_new_privs ? "on" : "off",
		p->seccomp.enabled ? "on" : "off", p->seccomp.source ? " from " : "",
		p->seccomp.source ? p->seccomp.source : "", p->seccomp.n_insns, p->seccomp.flags);
	free(caps);
}

/* "minirun help [profile [COMMAND]|inspect]": as git help does, the texts of --help. */
static int
help(int argc, char **argv)
{
	static char help_flag[] = "--help";
	if (argc == 1) {
		fputs(mr_cli_usage, stdout);
		return 0;
	}
	char *sub[] = {argv[1], help_flag, NULL};
	if (argc == 2 && strcmp(argv[1], "profile") == 0)
		return mr_cmd_profile(2, sub);
	char *subsub[] = {argv[1], argc > 2 ? argv[2] : NULL, help_flag, NULL};
	if (argc == 3 && strcmp(argv[1], "profile") == 0) /* help profile check */
		return mr_cmd_profile(3, subsub);
	if (argc == 2 && strcmp(argv[1], "inspect") == 0)
		return mr_cmd_inspect(2, sub);
	fprintf(stderr,
		"minirun: help: no help for '%s' (try: minirun help, minirun help profile, "
		"minirun help inspect)\n",
		argv[1]);
	return MR_EXIT_FAILURE;
}

int
main(int argc, char **argv)
{
	struct mr_cli cli;
	struct mr_prepared prepared;
	struct mr_run_target target;
	struct mr_error err = {0};
	int status = MR_EXIT_FAILURE;

	/* Before anything else: the budget starts here (tests/bench). */
	mr_phases_init();

	/*
	 * Subcommands that need no container.  A root filesystem really named
	 * "profile" or "inspect" (or an OCI runtime command) can still be given
	 * as ./profile.
	 */
	if (argc > 1 && strcmp(argv[1], "profile") == 0)
		return mr_cmd_profile(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "inspect") == 0)
		return mr_cmd_inspect(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "help") == 0)
		return help(argc - 1, argv + 1);
	/* runc's command line: create, start, run... (also ./run for a ROOTFS named so). */
	if (mr_runtime_wanted(argc, argv))
		return mr_cmd_runtime(argc, argv);

	if (mr_cli_parse(argc, argv, environ, &cli, &err) < 0) {
		print_error(&cli, &err);
		mr_cli_clear(&cli);
		return MR_EXIT_FAILURE;
	}
	mr_phase("parsed");
	if (cli.action == MR_CLI_HELP) {
		fputs(mr_cli_usage, stdout);
		mr_cli_clear(&cli);
		return 0;
	}
	if (cli.action == MR_CLI_VERSION) {
		printf("minirun %s\n", MINIRUN_VERSION);
		mr_cli_clear(&cli);
		return 0;
	}

	/* An image as ROOTFS: unpacked (or found in the cache), its config merged. */
	struct mr_image_options image_opts;
	struct mr_image_info image;
	int r = mr_image_options_default(&image_opts, &err);
	if (r == 0)
		r = mr_image_resolve(&cli.spec, &image_opts, &image, &err);
	mr_image_options_clear(&image_opts);
	if (r < 0) {
		print_error(&cli, &err);
		mr_cli_clear(&cli);
		return MR_EXIT_FAILURE;
	}
	mr_phase("image");
	if (image.skipped_devices > 0)
		print_warning(&cli, "%llu device nodes of the image not made (only root can)",
			      (unsigned long long)image.skipped_devices);
	if (image.skipped_xattrs > 0)
		print_warning(&cli,
			      "%llu extended attributes of the image not set (the image cache's "
			      "filesystem does not support them)",
			      (unsigned long long)image.skipped_xattrs);
	if (cli.verbose && image.key[0] != '\0')
		fprintf(stderr, "minirun: image %s (%s), %s\n", image.key,
			image.kind == MR_IMAGE_TARBALL	    ? "root filesystem tarball"
			: image.kind == MR_IMAGE_OCI_LAYOUT ? "OCI layout"
							    : "image archive",
			image.cached ? "from the cache" : "unpacked now");

	if (mr_run_target_setup(&cli.spec, &target, &err) < 0) {
		print_error(&cli, &err);
		mr_run_target_clear(&target);
		mr_cli_clear(&cli);
		return MR_EXIT_FAILURE;
	}
	if (mr_prepare(&cli.spec, MR_PREPARE_LAUNCH, &prepared, &err) < 0) {
		print_error(&cli, &err);
		mr_run_target_clear(&target);
		mr_cli_clear(&cli);
		return err.exit_status ? err.exit_status : MR_EXIT_FAILURE;
	}
	for (size_t i = 0; i < prepared.seccomp.n_warnings; i++)
		print_warning(&cli, "%s", prepared.seccomp.warnings[i]);
	if (prepared.volumes.warning != NULL)
		print_warning(&cli, "%s", prepared.volumes.warning);
	if (cli.verbose)
		print_verbose(&prepared);

	/* Flush before the container writes to the same stdout. */
	fflush(stdout);
	fflush(stderr);

	if (mr_run(&prepared, &status, &err) < 0) {
		print_error(&cli, &err);
		status = err.exit_status ? err.exit_status : MR_EXIT_FAILURE;
	} else {
		mr_run_target_report(&target);
	}
	mr_run_target_clear(&target);
	/* mr_run removed the cgroup on its way out. */
	mr_phase("cgroup-remove");
	mr_prepared_clear(&prepared);
	mr_cli_clear(&cli);
	return status;
}
