/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_COMMON_ERROR_H
#define MINIRUN_COMMON_ERROR_H

/*
 * Errors, crun-style: a fallible function returns 0 on success or a negative
 * value on failure and fills a struct mr_error.  The message names the step,
 * the object and the reason ("rootfs /x: No such file or directory"); the CLI
 * prints it as one line prefixed "minirun: ".  lib/ never prints or exits.
 */

#define MR_ERROR_MSG_MAX 1024

/* Exit statuses, as docker run documents them. */
enum {
	MR_EXIT_FAILURE = 125, /* minirun itself failed */
	MR_EXIT_CANNOT_EXEC = 126,
	MR_EXIT_NOT_FOUND = 127,
};

struct mr_error {
	int errnum;	 /* errno of the failure, 0 if none */
	int exit_status; /* 125, 126 or 127: what the CLI exits with */
	char msg[MR_ERROR_MSG_MAX];
};

/*
 * Fill *err with the formatted message; if errnum != 0 append ": " and
 * strerror(errnum).  exit_status is set to MR_EXIT_FAILURE.  Returns -1 so
 * callers can write "return mr_error_set (...)".  err may be NULL.
 */
int mr_error_set(struct mr_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, with an explicit exit status (126/127 for exec failures). */
int mr_error_set_status(struct mr_error *err, int exit_status, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prefix an existing message with more context: "ctx: old message". Returns -1. */
int mr_error_wrap(struct mr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Out of memory while doing WHAT ("seccomp profile /x", "environment"):
 * "WHAT: Cannot allocate memory".  Returns -1.
 */
int mr_error_oom(struct mr_error *err, const char *what);
/* The same, WHAT formatted ("seccomp profile %s"). */
int mr_error_oomf(struct mr_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset to "no error". */
void mr_error_clear(struct mr_error *err);

/* Map a wait status (from waitpid/waitid) to the shell convention: status or 128+signal. */
int mr_exit_status_from_wait(int wstatus);

#endif
