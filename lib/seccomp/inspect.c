/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

#include "seccomp/inspect.h"

/* <linux/ptrace.h> clashes with glibc's <sys/ptrace.h>: the two requests by number. */
#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif
#ifndef PTRACE_SECCOMP_GET_METADATA
#define PTRACE_SECCOMP_GET_METADATA 0x420d
#endif

struct metadata {
	unsigned long long filter_off;
	unsigned long long flags;
};

static int
read_filters(pid_t pid, struct mr_installed_filter **out, size_t *n, struct mr_error *err)
{
	for (unsigned long i = 0;; i++) {
		long count = ptrace((enum __ptrace_request)PTRACE_SECCOMP_GET_FILTER, pid, i, NULL);
		if (count < 0) {
			/* ENOENT past the last filter; EINVAL when there is none at all. */
			if (errno == ENOENT || (errno == EINVAL && i == 0))
				return 0;
			if (errno == EACCES)
				return mr_error_set(
				    err, errno,
				    "inspect %d: reading filters needs CAP_SYS_ADMIN, "
				    "and minirun itself must not run under seccomp",
				    (int)pid);
			return mr_error_set(err, errno, "inspect %d: PTRACE_SECCOMP_GET_FILTER",
					    (int)pid);
		}
		struct mr_installed_filter *v = realloc(*out, (*n + 1) * sizeof(*v));
		if (v == NULL)
			return mr_error_oom(err, "inspect");
		*out = v;
		struct mr_installed_filter *f = &v[*n];
		memset(f, 0, sizeof(*f));
		f->insns = calloc((size_t)count, sizeof(struct sock_filter));
		if (f->insns == NULL)
			return mr_error_oom(err, "inspect");
		(*n)++;
		if (ptrace((enum __ptrace_request)PTRACE_SECCOMP_GET_FILTER, pid, i, f->insns) !=
		    count)
			return mr_error_set(err, errno, "inspect %d: PTRACE_SECCOMP_GET_FILTER",
					    (int)pid);
		f->n_insns = (size_t)count;
		struct metadata md = {.filter_off = i};
		if (ptrace((enum __ptrace_request)PTRACE_SECCOMP_GET_METADATA, pid, sizeof(md),
			   &md) >= 0)
			f->flags = (unsigned long)md.flags;
	}
}

/*
 * How long the process has to reach its stop.  PTRACE_INTERRUPT only takes
 * effect on the way back to user space: a process in a killable or
 * uninterruptible sleep (a vfork parent until its child execs or exits, a
 * blocked FUSE or NFS request) never gets there, and an unbounded waitpid
 * left minirun inspect hung on it for as long as the process chose.
 */
#define MR_INSPECT_STOP_MS 2000

static int
wait_stopped(pid_t pid)
{
	const struct timespec tick = {.tv_nsec = 1000 * 1000};
	int status;
	for (int ms = 0; ms < MR_INSPECT_STOP_MS;) {
		pid_t r = waitpid(pid, &status, __WALL | WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0) {
			nanosleep(&tick, NULL);
			ms++;
		}
	}
	return -ETIMEDOUT;
}

int
mr_inspect_filters(pid_t pid, struct mr_installed_filter **out, size_t *n, struct mr_error *err)
{
	*out = NULL;
	*n = 0;
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
		return mr_error_set(err, errno, "inspect %d: attach (PTRACE_SEIZE)", (int)pid);
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
		int e = errno;
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		return mr_error_set(err, e, "inspect %d: stop (PTRACE_INTERRUPT)", (int)pid);
	}
	int w = wait_stopped(pid);
	/*
	 * PTRACE_DETACH needs a stopped tracee: one that never stopped stays
	 * attached until minirun exits, when the kernel detaches it (exit_ptrace).
	 */
	if (w == -ETIMEDOUT)
		return mr_error_set(err, 0,
				    "inspect %d: the process did not stop within %d ms (it is in "
				    "a kernel wait such as vfork's or a blocked file system "
				    "request): its filters cannot be read now",
				    (int)pid, MR_INSPECT_STOP_MS);
	if (w < 0) {
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		return mr_error_set(err, -w, "inspect %d: waitpid", (int)pid);
	}
	int r = read_filters(pid, out, n, err);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	if (r < 0) {
		mr_inspect_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return r;
}

void
mr_inspect_free(struct mr_installed_filter *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].insns);
	free(f);
}
