/* SPDX-License-Identifier: MIT */
/*
 * "Did you mean ...?": the nearest known word to a misspelt one.  Shared by
 * `minirun profile check` (lib/tools/lint.c) and a run's refusal of a profile
 * that would fail open (lib/seccomp/program.c), so both suggest the same.
 */
#ifndef MINIRUN_COMMON_TYPO_H
#define MINIRUN_COMMON_TYPO_H

#include <stdbool.h>
#include <stddef.h>

/* Edit distance (insert, delete, substitute, swap neighbours); (size_t)-1
   past 64 characters. */
size_t mr_typo_distance(const char *a, const char *b);

/* The candidate nearest to s, if close enough to be a typo of it, else NULL. */
const char *mr_typo_nearest(const char *s, const char *const *cand, size_t n, bool nocase);

#endif
