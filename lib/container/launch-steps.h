/* SPDX-License-Identifier: MIT */
/*
 * The steps of the launch sequence (launch.c) that a process exec'ed into a
 * running container (exec.c) takes too, exactly as the container's own
 * process takes them: one implementation, so that an exec'ed process is
 * never confined differently from the init.  Library-internal: not in
 * minirun.h.
 */
#ifndef MINIRUN_LIB_LAUNCH_STEPS_H
#define MINIRUN_LIB_LAUNCH_STEPS_H

#include <signal.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/prepare.h"

/* The signals minirun relays to the container (blocked, read from a signalfd). */
void mr_launch_relay_sigset(sigset_t *set);

/* Child: close every fd from FIRST on but KEEP (CVE-2024-21626, CVE-2016-9962). */
int mr_launch_close_fds(unsigned first, int keep, struct mr_error *err);

/*
 * Child, inside the container's root: AppArmor exec label -> stdio/tty
 * (the pty master goes over SYNC_FD) -> umask -> workdir (getcwd check) ->
 * exec target check (CVE-2019-5736) -> signals reset.
 */
int mr_launch_set_up_process(const struct mr_prepared *p, int sync_fd, struct mr_error *err);

/* Child: groups, bounding set, gid, [filter], uid, capabilities, [nnp, filter]. */
int mr_launch_take_identity(const struct mr_prepared *p, struct mr_error *err);

/* Child: execve; returns only on failure (exit status 126 or 127 in err). */
int mr_launch_exec_command(const struct mr_prepared *p, struct mr_error *err);

/* Child: report ERR to the parent over SYNC_FD (or stderr) and exit. */
_Noreturn void mr_launch_child_failed(int sync_fd, const struct mr_error *err);

/*
 * Parent: wait until the child exec'ed (0) or reported an error (-1 with
 * the child's message and exit status); *master gets its pty master.
 */
int mr_launch_wait_for_exec(pid_t pid, int pidfd, int sock, int *master, struct mr_error *err);

/* Parent: relay the terminal (*MASTER, or -1; taken over) and signals until it exits; reaps it. */
int mr_launch_relay(const struct mr_prepared *p, pid_t pid, int pidfd, const sigset_t *relay,
		    int *master, int *exit_status, struct mr_error *err);

#endif
