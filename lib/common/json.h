/* SPDX-License-Identifier: MIT */
/*
 * Internal: JSON with the unsigned 64-bit integers Go writes.  jansson's
 * integers are long long, so it refuses 18446744073709551615 -- the
 * RLIM_INFINITY Docker and podman write for --ulimit core=-1, and any
 * seccomp argument value above 2^63-1 -- which runc and crun read.
 */
#ifndef MINIRUN_COMMON_JSON_H
#define MINIRUN_COMMON_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* At most this many integers above 2^63-1 in one document. */
#define MR_JSON_BIG_MAX 64

/* The integers above 2^63-1 of one document: each stands in the tree as a
   real of a value no document has (marks), known only by this table. */
struct mr_json_big {
	size_t n;
	double mark[MR_JSON_BIG_MAX];
	uint64_t value[MR_JSON_BIG_MAX];
};

/*
 * json_loadb, except that an integer in 2^63..2^64-1 is read (into *big)
 * instead of failing.  jerr is jansson's, about the text as given.
 */
json_t *mr_json_loadb(const char *text, size_t len, size_t flags, json_error_t *jerr,
		      struct mr_json_big *big);

/* v as an unsigned 64-bit integer: a json integer >= 0, or one of big's. */
bool mr_json_u64(const json_t *v, const struct mr_json_big *big, uint64_t *out);

/*
 * For a tree that is changed and written out again (runc exec merges its
 * process into the kept config): each of big's integers in v becomes a
 * stand-in string (a tree read without JSON_ALLOW_NUL has no other), which
 * mr_json_dumps_big writes as the integer, so that mr_json_loadb reads the
 * text as the document was.  Marks of other documents must not be mixed in
 * before (each document's marks are the same reals).  0, or -1 (ENOMEM).
 */
int mr_json_unmark(json_t *v, const struct mr_json_big *big);

/* json_dumps, with mr_json_unmark's stand-ins written as their integers. */
char *mr_json_dumps_big(const json_t *v, size_t flags);

#endif
