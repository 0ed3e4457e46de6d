/* SPDX-License-Identifier: MIT */
/*
 * Internal: minirun's own BPF generator (lib/seccomp/rangetree.c).  The
 * reduced rules become, per architecture, a binary search over contiguous
 * ranges of syscall numbers with one outcome each, and a comparison block
 * per argument-checked syscall.  It decides exactly what libseccomp's
 * program decides (the unit tests prove it with bpf-eval), in a fraction of
 * the instructions and in microseconds; libseccomp stays the source of the
 * syscall numbers and the reference.
 */
#ifndef MINIRUN_SECCOMP_RANGETREE_H
#define MINIRUN_SECCOMP_RANGETREE_H

#include <stddef.h>

#include "common/error.h"
#include "seccomp/reduce.h"

/* Part of every cache key: a new generator must never meet an old entry.
 * v2: v1 could load an argument word before a target it did not fall into
 * (an OR of a never-true and an always-true condition let calls through). */
#define MR_RANGETREE_VERSION "rangetree v2"

struct sock_filter;

/*
 * The program for r, without the ENOSYS stub (filter.c puts it in front as
 * it does for libseccomp's).  Returns 1 and sets *insns (malloc'ed) and *n;
 * 0 when r uses something the generator does not reproduce (*why says what:
 * the caller then compiles with libseccomp); -1 on ENOMEM.
 */
int mr_rangetree_build(const struct mr_reduced *r, struct sock_filter **insns, size_t *n,
		       const char **why, struct mr_error *err);

#endif
