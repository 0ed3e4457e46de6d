/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LAUNCH_H
#define MINIRUN_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/cgroup.h"
#include "container/hooks.h"
#include "container/prepare.h"
#include "container/state.h"

/*
 * Run the container to completion: create it, relay its terminal, forward
 * signals, reap it.  On success returns 0 and stores the container's exit
 * status (its code, or 128+N if it died of signal N) in *exit_status.  On
 * failure returns -1 with err->exit_status 125, 126 or 127.
 */
int mr_run(struct mr_prepared *p, int *exit_status, struct mr_error *err);

/*
 * The OCI runtime front end (cmd/runtime.c) goes through the same sequence,
 * told by this what differs:
 *
 *  - detach (runc create): mr_launch returns as soon as the container
 *    process is ready and waits at the exec fifo; the process is left
 *    running, not killed, not reaped: when the caller exits it is
 *    reparented to the nearest subreaper (containerd-shim, conmon), as
 *    runc's init is.  So it gets no parent-death signal, and its stdio are
 *    the caller's own (no relay pipes).  The cgroup is handed over in
 *    *cgroup instead of being removed.
 *  - exec_fifo (>= 0): the container process keeps this O_PATH descriptor
 *    and, once everything that can fail on the input has been done, opens
 *    it for writing through /proc/self/fd: that blocks until "start" opens
 *    the fifo for reading.  The user, the capabilities, the filter and the
 *    execve come after it.
 *  - preserve_fds: the caller's fds 3 to 3+N-1 are left open for the
 *    command (systemd's socket activation, podman); every other one is
 *    closed as always.
 *  - started (foreground runc run): called once the command runs, before
 *    the relay, with its pid (the state file is written there).
 *  - hooks: the OCI hooks of create and start (see below).
 */
struct mr_launch_ctl {
	bool detach;
	int exec_fifo;
	unsigned preserve_fds; /* fds 3 .. 3+N-1 of the caller reach the command (runc's) */
	void (*started)(void *data, pid_t pid);
	/* The container's OCI state (id, bundle, annotations): what an
	   SCMP_ACT_NOTIFY profile's seccomp agent receives; NULL: made up */
	const struct mr_state *state;
	void *data;
	/*
	 * OCI hooks (hooks.h): prestart and createRuntime (here, in the
	 * parent), createContainer and startContainer (in the container
	 * process) run within the launch, given the JSON of state (above) with
	 * the pid and status of that moment.  NULL: none.
	 */
	const struct mr_hooks *hooks;

	/* out, with detach */
	pid_t pid;		 /* the container process (PID 1 of its namespace) */
	int pidfd;		 /* caller owns */
	int master;		 /* the pty master with a terminal, else -1; caller owns */
	struct mr_cgroup cgroup; /* caller owns (mr_cgroup_destroy, or let it be) */
};

#define MR_LAUNCH_CTL_INIT                                                                         \
	{                                                                                          \
		.exec_fifo = -1, .pid = -1, .pidfd = -1, .master = -1                              \
	}

/* mr_run with CTL (NULL: mr_run). */
int mr_launch(struct mr_prepared *p, struct mr_launch_ctl *ctl, int *exit_status,
	      struct mr_error *err);

#endif
