/* SPDX-License-Identifier: MIT */
/*
 * Small facts about syscalls that libseccomp does not carry, for the
 * report (lib/seccomp/observe.c): how many arguments a call takes, and
 * which refusals the C library handles by itself (expected fallbacks).
 */
#ifndef MINIRUN_SECCOMP_CALLS_H
#define MINIRUN_SECCOMP_CALLS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The number of arguments syscall NAME takes (0..6), the same on every
 * architecture minirun knows; -1 when the table does not know NAME.
 */
int mr_syscall_arity(const char *name);

/*
 * When refusing NAME with errno ERR is an expected fallback (the C library
 * or its callers try another way and the program does not notice): why, in
 * a few words ("glibc falls back to clone").  NULL for a real denial.
 */
const char *mr_syscall_fallback(const char *name, int err);

/* For the unit tests: the tables' entries, in order. */
/*
 * The name is an array, not a pointer: a table of pointers is relocated
 * when a static-pie starts, a write (and a copy-on-write fault) to every
 * page of it on every start, used or not.
 */
#define MR_SYSCALL_NAME_MAX 32
struct mr_syscall_arity_entry {
	char name[MR_SYSCALL_NAME_MAX];
	int n_args;
};
const struct mr_syscall_arity_entry *mr_syscall_arity_table(size_t *n);

struct mr_syscall_fallback_entry {
	const char *name;
	int err;	 /* the errno that is harmless; 0: any errno */
	const char *why; /* what the C library does instead */
};
const struct mr_syscall_fallback_entry *mr_syscall_fallback_table(size_t *n);

#endif
