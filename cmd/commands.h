/* SPDX-License-Identifier: MIT */
/* Subcommands that run no container: each returns the process exit status. */
#ifndef MINIRUN_CMD_COMMANDS_H
#define MINIRUN_CMD_COMMANDS_H

/* minirun profile check|explain|diff|convert ... (argv[0] is "profile"). */
int mr_cmd_profile(int argc, char **argv);

/* minirun inspect PID [--seccomp=FILE] (argv[0] is "inspect"). */
int mr_cmd_inspect(int argc, char **argv);

/*
 * The OCI runtime command line (cmd/runtime.c): create, start, state, kill,
 * delete, run, spec, after runc's global flags.  mr_runtime_wanted() says
 * whether ARGV is one (a subcommand first, or runtime global flags first).
 */
int mr_runtime_wanted(int argc, char **argv);
int mr_cmd_runtime(int argc, char **argv);

#endif
