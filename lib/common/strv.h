/* SPDX-License-Identifier: MIT */
/* Internal: a growable list of malloc'ed strings (warnings, syscall names). */
#ifndef MINIRUN_COMMON_STRV_H
#define MINIRUN_COMMON_STRV_H

#include <stddef.h>

struct mr_strv {
	char **v;
	size_t n;
};

/* Append one formatted line.  Returns -1 (and leaves sv as it was) on ENOMEM. */
int mr_strv_addf(struct mr_strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Move every line of from to the end of to; from is left empty. */
int mr_strv_move(struct mr_strv *to, struct mr_strv *from);
/* Sort by strcmp and drop duplicates. */
void mr_strv_sort_uniq(struct mr_strv *sv);
void mr_strv_clear(struct mr_strv *sv);

static inline void
mr_strv_clearp(struct mr_strv *sv)
{
	mr_strv_clear(sv);
}
#define cleanup_strv __attribute__((cleanup(mr_strv_clearp)))

#endif
