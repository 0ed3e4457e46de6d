/* SPDX-License-Identifier: MIT */
/*
 * Internal: the architectures, under every spelling minirun meets them.
 * Profiles name them as SCMP_ARCH_* (architectures, archMap), moby compares
 * includes.arches with Go's GOARCH ("amd64"), libseccomp and users of
 * `profile explain --arch` say "x86_64".  One table keeps them in step.
 */
#ifndef MINIRUN_SECCOMP_ARCH_H
#define MINIRUN_SECCOMP_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"

/*
 * Names in arrays, not pointers: a table of pointers is relocated (written)
 * at every start of the static-pie (calls.h).  The unit tests check that
 * each ends within its array.
 */
struct mr_arch {
	uint32_t token; /* libseccomp's SCMP_ARCH_* value */
	char scmp[24];	/* "SCMP_ARCH_X86_64" */
	char lib[16];	/* libseccomp's short name: "x86_64" */
	char go[16];	/* Go's GOARCH as moby spells it: "amd64"; "" when Go has none */
	/* What Docker's default profile pairs with it in archMap (0: no more). */
	uint32_t docker_subs[2];
	/* Where its syscall numbers start (-1: no second range), to list them all. */
	long bases[2];
};

/* The table row of a token; NULL when minirun does not know the arch. */
const struct mr_arch *mr_arch_find(uint32_t token);

/* Row i, NULL past the last: to walk every known arch in a fixed order. */
const struct mr_arch *mr_arch_nth(size_t i);

/*
 * "SCMP_ARCH_X86_64" -> token, the way runc and crun read a profile; 0 when
 * libseccomp does not know it.
 */
uint32_t mr_arch_resolve(const char *scmp_name);

/*
 * "SCMP_ARCH_AARCH64", libseccomp's "aarch64" or Go's "arm64" (any case) ->
 * token; 0 when libseccomp does not know it.
 */
uint32_t mr_arch_parse(const char *s);

/* Token -> "SCMP_ARCH_X86_64" / "x86_64" / "amd64"; NULL when unknown. */
const char *mr_arch_scmp_name(uint32_t token);
const char *mr_arch_lib_name(uint32_t token);
const char *mr_arch_go_name(uint32_t token);

/* Every system call libseccomp knows on arch, sorted by name (malloc'ed strings). */
int mr_arch_syscalls(uint32_t arch, struct mr_strv *out, struct mr_error *err);

#endif
