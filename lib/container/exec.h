/* SPDX-License-Identifier: MIT */
/*
 * The OCI runtime's exec: one more process in a running container, as
 * confined as its init.
 *
 * The spec of the process is the container's own config.json with its
 * "process" object replaced: by --process FILE (the OCI process object,
 * conmon's and go-runc's way), or by the config's process with runc exec's
 * flags applied.  config.json is the copy create kept in the state
 * directory (mr_exec_keep_config): the bundle may have changed or gone
 * since, and the seccomp program must be the one the init got -- the
 * seccomp layer reads linux.seccomp from that copy, and mr_prepare compiles
 * the same program from it (the program cache makes that cheap).  That
 * spec then goes through mr_prepare like the init's: the user, the
 * command, the capabilities, the filter are all checked the same way.
 *
 * The process (mr_exec), in order:
 *
 *   parent: reopen the container's cgroups -> block the relayed signals ->
 *           setns(pidfd, CLONE_NEWPID) (only the namespace of its children)
 *           -> clone3(pidfd, [cgroup2: CLONE_INTO_CGROUP]) -> let the
 *           state's lock go (the child shares it, and may be frozen)
 *           {rootless, where that setns is EPERM: clone3 an intermediate
 *           instead: non-dumpable -> [join the cgroups] -> setns(init's
 *           pidfd, user|pid) -> clone3(CLONE_PARENT, pidfd) -> hand the
 *           pid and pidfd to minirun -> exit; the child then enters the
 *           other namespaces as below, the user one excepted}
 *   child:  non-dumpable -> [v1: join each hierarchy through tasks] ->
 *           setns(init's pidfd, mnt|uts|ipc|net|cgroup[|user]) -> close
 *           every fd of minirun's -> setsid -> ulimits -> AppArmor exec
 *           label -> stdio/tty -> umask -> workdir -> exec target check ->
 *           signals reset -> identity and filter -> execve
 *           (those last steps are launch.c's own: launch-steps.h)
 *   parent: wait for the exec or an error -> started() (pid file, console
 *           socket) -> [detach: return, the caller's subreaper adopts it]
 *           -> relay tty and signals -> reap -> exit status
 */
#ifndef MINIRUN_LIB_EXEC_H
#define MINIRUN_LIB_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/prepare.h"
#include "container/spec.h"
#include "container/state.h"

/* The copy of config.json in the state directory. */
#define MR_STATE_CONFIG "config.json"

/*
 * create: keep the config.json create read (TEXT, LEN bytes) in the state
 * directory, for exec: the very text, not the bundle's file read again.
 */
int mr_exec_keep_config(const struct mr_state *st, const char *text, size_t len,
			struct mr_error *err);

/* runc exec's flags, applied over the config's process when there is no --process. */
struct mr_exec_opts {
	const char *process_file; /* the OCI process object; the flags below are then unused */
	char **argv;		  /* the command (required without process_file) */
	size_t argc;
	const char *cwd;
	char **env; /* KEY=VALUE, appended */
	size_t n_env;
	const char *user; /* UID[:GID] */
	char **caps;	  /* CAP_NAME, added to the bounding, effective and permitted sets */
	size_t n_caps;
	bool tty;
	bool no_new_privs;
	const char *apparmor;
};

/* The exec'ed process's spec (SPEC mr_spec_init'ed by the caller). */
int mr_exec_load_spec(const struct mr_state *st, const struct mr_exec_opts *o, bool rootless,
		      struct mr_spec *spec, struct mr_error *err);

struct mr_exec_ctl {
	bool detach;	       /* return once it runs: the caller's subreaper adopts it */
	unsigned preserve_fds; /* fds 3 .. 3+N-1 reach the command */
	/* Once it runs: its pid and its pty master (or -1; the callee may take it). */
	int (*started)(void *data, pid_t pid, int *master, struct mr_error *err);
	void *data;
	pid_t pid; /* out */
};

/*
 * Run P (mr_prepare'd from mr_exec_load_spec) in the container of ST, whose
 * init must be running.  Without detach, waits and stores its status (its
 * code, or 128+N for signal N) in *exit_status.
 */
int mr_exec(struct mr_prepared *p, const struct mr_state *st, struct mr_exec_ctl *ctl,
	    int *exit_status, struct mr_error *err);

#endif
