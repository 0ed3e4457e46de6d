/* SPDX-License-Identifier: MIT */
/* The command line: argv -> struct mr_spec.  No syscall here changes anything. */
#ifndef MINIRUN_CMD_OPTIONS_H
#define MINIRUN_CMD_OPTIONS_H

#include <stdbool.h>

#include "minirun/minirun.h"

enum mr_cli_action {
	MR_CLI_RUN = 0,
	MR_CLI_HELP,
	MR_CLI_VERSION,
};

struct mr_cli {
	enum mr_cli_action action;
	struct mr_spec spec;
	bool verbose;
};

/*
 * Parse "minirun [OPTIONS] ROOTFS COMMAND [ARG...]".  Options stop at ROOTFS,
 * so everything after it belongs to COMMAND.  environ is consulted for
 * "-e KEY" (no '='), as docker run does.  Returns 0 or -1 with err filled.
 */
int mr_cli_parse(int argc, char **argv, char **environ_, struct mr_cli *cli, struct mr_error *err);

void mr_cli_clear(struct mr_cli *cli);

/* The --help text. */
extern const char mr_cli_usage[];

#endif
