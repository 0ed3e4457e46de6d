/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "common/error.h"

/*
 * A message often quotes a hostile file (a profile's action name, an image's
 * path): a newline in it would start a line that reads as minirun's own and an
 * escape sequence would drive the user's terminal.  Control characters (C0,
 * DEL, and C1 as UTF-8 encodes them) become \n, \t or \xNN as strace and
 * common/escape.h write them; the rest, backslashes too, is kept, so text
 * that was escaped already is not escaped twice.  Truncated to fit DST.
 */
static void
copy_printable(char *dst, size_t size, const char *src)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)src; *p != '\0'; p++) {
		char esc[5];
		size_t n;
		if (*p == '\n' || *p == '\t') {
			esc[0] = '\\';
			esc[1] = *p == '\n' ? 'n' : 't';
			n = 2;
		} else if (*p < 0x20 || *p == 0x7f ||
			   (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			unsigned c = *p == 0xc2 ? *++p : *p;
			n = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c);
		} else {
			esc[0] = (char)*p;
			n = 1;
		}
		if (o + n >= size)
			break;
		memcpy(dst + o, esc, n);
		o += n;
	}
	dst[o] = '\0';
}

__attribute__((format(printf, 4, 0))) static int
vset(struct mr_error *err, int exit_status, int errnum, const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	err->errnum = errnum;
	err->exit_status = exit_status;
	char raw[MR_ERROR_MSG_MAX];
	vsnprintf(raw, sizeof(raw), fmt, ap);
	copy_printable(err->msg, sizeof(err->msg), raw);
	size_t n = strlen(err->msg);
	if (errnum != 0 && n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
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
	char raw[MR_ERROR_MSG_MAX];
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	copy_printable(prefix, sizeof(prefix), raw);
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
