/* SPDX-License-Identifier: MIT */
/*
 * Internal: the legacy system calls the generic syscall table (aarch64,
 * riscv64, loongarch64 and every newer port) never had, and the calls libc
 * makes there instead.  A profile written or learned on x86_64 that allows
 * "open" does nothing for open(2) on aarch64, where libc calls openat:
 * `profile check --arch` says so, and --seccomp-learn --arch adds the
 * replacements (lib/seccomp/equivalents.c holds the table).
 */
#ifndef MINIRUN_SECCOMP_EQUIVALENTS_H
#define MINIRUN_SECCOMP_EQUIVALENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "seccomp/calls.h"

#define MR_EQUIV_MAX 3

/* Names in arrays, not pointers: nothing of the table is relocated at start-up (calls.h). */
struct mr_syscall_equiv {
	char legacy[MR_SYSCALL_NAME_MAX];	      /* "open" */
	char repl[MR_EQUIV_MAX][MR_SYSCALL_NAME_MAX]; /* "openat", ...; then "" when fewer */
	bool drop_in; /* same arguments but a dirfd (AT_FDCWD): a file call */
};

/* The row of a legacy name; NULL when name has no replacement in the table. */
const struct mr_syscall_equiv *mr_equiv_find(const char *legacy);

/* Row i, NULL past the last. */
const struct mr_syscall_equiv *mr_equiv_nth(size_t i);

/*
 * The replacements of legacy that exist on arch, when legacy itself does not
 * (libseccomp's table for arch decides).  Returns how many went to out.
 */
size_t mr_equiv_on_arch(const char *legacy, uint32_t arch, const char *out[MR_EQUIV_MAX]);

/*
 * --seccomp-learn --arch: names (a JSON array of syscall names, sorted) gets,
 * for each arch of arches, the replacements of every name that arch lacks;
 * architectures (a JSON array of SCMP_ARCH_* names, may be NULL) gets each
 * arch not yet in it.  The array stays sorted and free of repeats.  -1: out
 * of memory.
 */
int mr_equiv_widen(json_t *names, json_t *architectures, const uint32_t *arches, size_t n_arches);

#endif
