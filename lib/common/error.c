/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "common/error.h"

__attribute__((format(printf, 4, 0))) static int
vset(struct mr_error *err, int exit_status, int errnum, const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	err->errnum = errnum;
	err->exit_status = exit_status;
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		n = 0;
	if (errnum != 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s", strerror(errnum));
	return -1;
}

int
mr_error_set(struct mr_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, MR_EXIT_FAILURE, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int
mr_error_set_status(struct mr_error *err, int exit_status, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, exit_status, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int
mr_error_wrap(struct mr_error *err, const char *fmt, ...)
{
	char prefix[MR_ERROR_MSG_MAX];
	char old[MR_ERROR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	size_t n = strlen(prefix);
	if (n > sizeof(err->msg) - 3)
		n = sizeof(err->msg) - 3;
	memcpy(err->msg, prefix, n);
	memcpy(err->msg + n, ": ", 2);
	size_t room = sizeof(err->msg) - n - 3;
	size_t m = strnlen(old, room);
	memcpy(err->msg + n + 2, old, m);
	err->msg[n + 2 + m] = '\0';
	return -1;
}

void
mr_error_clear(struct mr_error *err)
{
	if (err == NULL)
		return;
	err->errnum = 0;
	err->exit_status = 0;
	err->msg[0] = '\0';
}

int
mr_exit_status_from_wait(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return MR_EXIT_FAILURE;
}

int
mr_error_oom(struct mr_error *err, const char *what)
{
	return mr_error_set(err, ENOMEM, "%s", what);
}

int
mr_error_oomf(struct mr_error *err, const char *fmt, ...)
{
	char what[MR_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return mr_error_oom(err, what);
}
