/* SPDX-License-Identifier: MIT */
/*
 * Watching a running container's seccomp filter: --seccomp-report names every
 * syscall the profile refuses, --seccomp-learn records every syscall the
 * workload needs.  Runs in minirun (the parent), outside the filter, on the
 * listener fd of a SECCOMP_RET_USER_NOTIF program (lib/seccomp/program.c).
 */
#ifndef MINIRUN_SECCOMP_OBSERVE_H
#define MINIRUN_SECCOMP_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "seccomp/program.h"

struct mr_observer;

/*
 * A rule --seccomp-learn adds besides what it saw (--target: the runtime's
 * own calls after the filter, which a run under minirun never shows).  Only
 * the names the learned rule lacks are added; none left: no rule.
 */
struct mr_learn_extra {
	const char *comment;
	char *const *names;
	size_t n;
};

/*
 * What the observer is told about the run.  Borrowed, not copied: every
 * pointer must stay valid until mr_observer_free().
 */
struct mr_observer_config {
	/* The prepared program: its observe mode, the profile's own program to
	   answer with, the rules to name, the base of a learned profile. */
	const struct mr_seccomp_prepared *seccomp;
	const char *report_file; /* --seccomp-report=FILE (JSON lines), or NULL: stderr */
	const char *learn_file;	 /* --seccomp-learn=FILE: where the learned profile goes */
	bool learn_args;	 /* --seccomp-learn-args: argument rules (seccomp/argclass.h) */
	/* --arch: the learned profile is for these too (seccomp/equivalents.h). */
	const uint32_t *learn_arches;
	size_t n_learn_arches;
	const struct mr_learn_extra *learn_extra; /* rules added to the learned profile */
	size_t n_learn_extra;
	const char *name; /* --name, or NULL: after "minirun: " on stderr lines */
};

/*
 * Before clone: open the report file (or use stderr), and for the report
 * the kernel log, where KILL and TRAP outcomes appear (they stay in the
 * kernel and are read back from their audit records).
 */
int mr_observer_open(const struct mr_observer_config *cfg, struct mr_observer **out,
		     struct mr_error *err);

/* The container's init (host pid): its descendants are the container. */
void mr_observer_set_init(struct mr_observer *o, pid_t pid);

/* The proc connector socket (or -1), and reading its fork/exit events. */
int mr_observer_procev_fd(const struct mr_observer *o);
void mr_observer_handle_procev(struct mr_observer *o);

/* The notification fd taken from the container process (pidfd_getfd). */
void mr_observer_set_listener(struct mr_observer *o, int listener);

/* fds to poll: the listener (or -1) and the kernel log (or -1). */
int mr_observer_listener_fd(const struct mr_observer *o);
int mr_observer_kmsg_fd(const struct mr_observer *o);

/*
 * Answer a pending notification.  before_exec: the caller is still minirun
 * in the container process, not the workload (answered, not reported).
 */
int mr_observer_handle(struct mr_observer *o, bool before_exec, struct mr_error *err);

/* Read new kernel log records (seccomp kills). */
void mr_observer_handle_kmsg(struct mr_observer *o);

/*
 * After the container exited: print the summary (report) or write the
 * learned profile (learn).
 */
int mr_observer_finish(struct mr_observer *o, struct mr_error *err);

/* A failure before exec: remove the report file this run created. */
void mr_observer_abort(struct mr_observer *o);

void mr_observer_free(struct mr_observer *o);

#endif
