/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_INIT_H
#define MINIRUN_LIB_INIT_H

#include "common/caps.h"
#include "common/error.h"

/*
 * --init: the container process (PID 1 of the new PID namespace) forks.
 * Returns 0 in the child, which goes on to become the workload (PID 2);
 * the parent stays behind as the container's init and never returns: it
 * reaps every process of the namespace, forwards signals to the workload
 * and exits with the workload's status (128+N for signal N).  Returns -1
 * only if the fork failed.
 *
 * Call it before the identity and the seccomp filter are set: the init takes
 * none of the workload's steps.  It keeps the capabilities in keep (the
 * workload's permitted set) and CAP_KILL, and closes every fd.
 */
int mr_init_fork(mr_capset keep, struct mr_error *err);

#endif
