/* SPDX-License-Identifier: MIT */
/*
 * Internal: the applicable rules compiled to BPF (lib/seccomp/filter.c):
 * libseccomp's program behind minirun's ENOSYS stub, and the cache of
 * compiled programs.
 */
#ifndef MINIRUN_SECCOMP_FILTER_H
#define MINIRUN_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"
#include "seccomp/reduce.h"

struct sock_filter;

/* Who writes the program (the ENOSYS stub is minirun's either way). */
enum mr_filter_gen {
	MR_GEN_AUTO = 0,   /* the range tree (seccomp/rangetree.h) when it can, else libseccomp */
	MR_GEN_LIBSECCOMP, /* libseccomp's code generator: the reference */
	MR_GEN_RANGETREE,  /* the range tree only: an error (ENOTSUP) when it cannot */
};

struct mr_filter_opts {
	enum mr_filter_gen gen;
	bool strict;	       /* unknown syscall names are an error */
	bool quiet_unknown;    /* do not warn about unknown names (the built-in default) */
	const char *cache_dir; /* NULL: no cache */
};

struct mr_filter {
	struct sock_filter *insns; /* ENOSYS stub + the range tree's or libseccomp's program */
	size_t n_insns;
	unsigned flags; /* SECCOMP_FILTER_FLAG_* */
	size_t n_stub;	/* instructions of the ENOSYS stub at the start */
	bool from_cache;
	bool rangetree; /* the range tree wrote it (not from the cache: unknown) */
	struct mr_strv warnings;
};

int mr_filter_build(const struct mr_reduced *r, const struct mr_filter_opts *opts,
		    struct mr_filter *out, struct mr_error *err);

void mr_filter_clear(struct mr_filter *f);
#define cleanup_filter __attribute__((cleanup(mr_filter_clear)))

/*
 * The ENOSYS stub's ceiling on arch (an SCMP_ARCH_* of the filter;
 * SCMP_ARCH_X32 for x32's half of x86_64): numbers above it get ENOSYS,
 * numbers up to it go to libseccomp's program, prog/n (without the stub).
 * Covers every number a rule decides on arch, including those libseccomp
 * adds for the multiplexed calls.  -1: the profile decides nothing there.
 */
int64_t mr_filter_stub_ceiling(const struct mr_reduced *r, const struct sock_filter *prog, size_t n,
			       uint32_t arch);

/*
 * libseccomp's pseudo-code (seccomp_export_pfc) for the same rules as
 * mr_filter_build compiles, without the ENOSYS stub (which libseccomp does
 * not know about).  *out is malloc'ed text.  For `profile explain --format=pfc`.
 */
int mr_filter_export_pfc(const struct mr_reduced *r, char **out, struct mr_error *err);

/*
 * The cache directory to use, from MINIRUN_SECCOMP_CACHE ("0": none, an
 * absolute path: that directory) or the default ($XDG_CACHE_HOME or
 * ~/.cache, /var/cache for root, + /minirun/seccomp).  *out = NULL when the
 * cache is disabled.  Returns -1 only on ENOMEM.
 */
int mr_filter_cache_dir(char **out);

/*
 * An entry under a key the caller computed (the built-in default's fast path:
 * its key covers the embedded text and every input of the reduction, so a hit
 * needs no parsing).  get returns 1 on a hit and fills insns, n_insns,
 * n_stub and flags (no warnings); put is best effort.
 */
int mr_filter_cache_get(const char *cache_dir, const uint8_t key[32], struct mr_filter *out);
void mr_filter_cache_put(const char *cache_dir, const uint8_t key[32], const struct mr_filter *f);

/* The cache key: SHA-256 of everything that affects the program. */
int mr_filter_cache_key(const struct mr_reduced *r, const struct mr_filter_opts *opts,
			uint8_t key[32], struct mr_error *err);

#endif
