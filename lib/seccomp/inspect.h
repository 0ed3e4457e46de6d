/* SPDX-License-Identifier: MIT */
/*
 * Reading back the seccomp filters installed in a running process
 * (PTRACE_SECCOMP_GET_FILTER, Linux 4.4; needs CAP_SYS_ADMIN and a tracer
 * that is not itself under seccomp).
 */
#ifndef MINIRUN_SECCOMP_INSPECT_H
#define MINIRUN_SECCOMP_INSPECT_H

#include <linux/filter.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

struct mr_installed_filter {
	struct sock_filter *insns;
	size_t n_insns;
	unsigned long flags; /* what PTRACE_SECCOMP_GET_METADATA reports (LOG) */
};

/*
 * The filters of pid in PTRACE_SECCOMP_GET_FILTER's order: index 0 is the
 * oldest (installed first, inherited ones before the process's own), the last
 * one was installed last and runs first; the process adds its own only after
 * that last index, so a filter keeps its index.  The process is stopped only
 * for the time of the read (PTRACE_SEIZE + PTRACE_INTERRUPT) and detached
 * again.
 */
int mr_inspect_filters(pid_t pid, struct mr_installed_filter **out, size_t *n,
		       struct mr_error *err);

void mr_inspect_free(struct mr_installed_filter *f, size_t n);

#endif
