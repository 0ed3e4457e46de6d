/* SPDX-License-Identifier: MIT */
/* Subcommands that run no container: each returns the process exit status. */
#ifndef MINIRUN_CMD_COMMANDS_H
#define MINIRUN_CMD_COMMANDS_H

/* minirun profile check|explain|diff|convert ... (argv[0] is "profile"). */
int mr_cmd_profile(int argc, char **argv);

/* minirun inspect PID [--seccomp=FILE] (argv[0] is "inspect"). */
int mr_cmd_inspect(int argc, char **argv);

#endif
