/* SPDX-License-Identifier: MIT */
/*
 * Text that comes from a container (a process's name, its executable's
 * path, the paths it passes to a syscall) is the container's to choose:
 * printed as is, a newline in it starts a line that looks like minirun's
 * own, an escape sequence drives the user's terminal, and bytes that are
 * not UTF-8 make a JSON encoder fail.  mr_escape makes such text printable,
 * C-style as strace shows it: \n \t \r \a \b \f \v, \\ for a backslash,
 * \xNN for any other control character (C0, DEL, C1) and for every byte
 * that is not part of valid UTF-8.  Valid UTF-8 (accents, CJK ...) is kept
 * as is, so the result is always valid UTF-8 without control characters.
 */
#ifndef MINIRUN_ESCAPE_H
#define MINIRUN_ESCAPE_H

#include <stddef.h>

enum {
	MR_ESCAPE_QUOTE = 1 << 0, /* also \" (the text goes between double quotes) */
	/*
	 * A backslash stays one: for text made of parts escaped already (an
	 * error message, common/error.c), which must not be escaped twice.
	 */
	MR_ESCAPE_KEEP_BACKSLASH = 1 << 1,
};

/* LEN bytes of S (NULs included), escaped: a new string, NULL if out of memory. */
char *mr_escape(const char *s, size_t len, unsigned flags);

/* The same for a NUL-terminated string. */
char *mr_escape_str(const char *s, unsigned flags);

#endif
