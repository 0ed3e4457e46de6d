/* SPDX-License-Identifier: MIT */
/*
 * Build-time generator: the built-in default profile compiled, exactly as
 * mr_filter_build compiles it at run time, for the bounding sets a start
 * usually has, written as C arrays (default-programs.h).  A first start
 * with the built-in default then costs what a cached one does: no parse, no
 * reduction, no compile.
 *
 *   gen-programs PROFILE.json OUTPUT.h
 *
 * What the program depends on besides the embedded text (which is fixed in
 * the same binary) is the key of each entry, checked at run time by
 * lib/seccomp/program.c before one is used:
 *  - the native arch (Docker's reduction and libseccomp's program follow it);
 *  - libseccomp's version (its syscall tables and code generation);
 *  - the bounding set (includes/excludes.caps);
 *  - the kernel version, but only through the minKernel thresholds the
 *    profile names: every version in [kmin, kmax) reduces alike, so one
 *    program per threshold bucket covers every kernel.
 * Any other host falls back to the cache, then to a compile.
 */
#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/filter.h>

#include "common/caps.h"
#include "seccomp/filter.h"
#include "seccomp/profile.h"
#include "seccomp/reduce.h"

#define MAX_THRESHOLDS 64

static uint32_t
kver(unsigned kernel, unsigned major)
{
	return (uint32_t)kernel << 16 | (major & 0xffff);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Every minKernel the profile compares with, sorted and unique: the bucket edges. */
static size_t
thresholds(const struct mr_profile *p, uint32_t out[MAX_THRESHOLDS])
{
	size_t n = 0;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct mr_prof_cond *c[2] = {&p->rules[i].includes, &p->rules[i].excludes};
		for (int k = 0; k < 2; k++) {
			if (!c[k]->present || !c[k]->has_min_kernel)
				continue;
			if (c[k]->min_kernel > 0xffff || c[k]->min_major > 0xffff) {
				fprintf(stderr, "gen-programs: minKernel out of range\n");
				exit(1);
			}
			if (n == MAX_THRESHOLDS) {
				fprintf(stderr, "gen-programs: too many minKernel values\n");
				exit(1);
			}
			out[n++] = kver(c[k]->min_kernel, c[k]->min_major);
		}
	}
	qsort(out, n, sizeof(*out), cmp_u32);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || out[u - 1] != out[i])
			out[u++] = out[i];
	return u;
}

static int
emit_program(FILE *o, const struct mr_profile *p, mr_capset bounding, uint32_t kmin, size_t idx)
{
	struct mr_reduce_env env;
	struct mr_reduced r = {0};
	struct mr_filter f = {0};
	struct mr_error err = {0};
	/* What prepare_profile passes for the built-in default. */
	struct mr_filter_opts opts = {.quiet_unknown = true};

	if (mr_reduce_env_host(bounding, &env, &err) < 0)
		goto fail;
	env.kernel = kmin >> 16;
	env.major = kmin & 0xffff;
	if (mr_profile_reduce(p, &env, &r, &err) < 0 || mr_filter_build(&r, &opts, &f, &err) < 0)
		goto fail;
	fprintf(o,
		"/* bounding %#" PRIx64 ", kernel >= %u.%u (below the next bucket): %zu "
		"instructions */\n"
		"static const struct sock_filter mr_embedded_insns_%zu[] = {\n",
		bounding, kmin >> 16, kmin & 0xffff, f.n_insns, idx);
	for (size_t i = 0; i < f.n_insns; i++)
		fprintf(o, "\t{%#x, %u, %u, %#" PRIx32 "},\n", f.insns[i].code, f.insns[i].jt,
			f.insns[i].jf, f.insns[i].k);
	fprintf(o, "};\n\n");
	fprintf(stderr, "gen-programs: bounding %#" PRIx64 " kernel >= %u.%u: %zu instructions\n",
		bounding, kmin >> 16, kmin & 0xffff, f.n_insns);
	/* The table entry is written after every array: hand back what it needs. */
	int flags = (int)f.flags, n_stub = (int)f.n_stub;
	mr_filter_clear(&f);
	mr_reduced_clear(&r);
	return n_stub << 16 | flags;
fail:
	fprintf(stderr, "gen-programs: %s\n", err.msg);
	mr_filter_clear(&f);
	mr_reduced_clear(&r);
	return -1;
}

int
main(int argc, char **argv)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	uint32_t th[MAX_THRESHOLDS + 1];
	/* Docker's 14 (root and non-root alike: a non-root user keeps the bounding set),
	 * every capability (--cap-add ALL) and none (--cap-drop ALL). */
	const mr_capset sets[] = {mr_caps_docker_default(), mr_caps_all_known(), 0};

	if (argc != 3) {
		fprintf(stderr, "usage: gen-programs PROFILE.json OUTPUT.h\n");
		return 2;
	}
	if (mr_profile_load(argv[1], &p, &err) < 0) {
		fprintf(stderr, "gen-programs: %s\n", err.msg);
		return 1;
	}
	if (p->warnings.n != 0 || p->unconfined) {
		/* prepare_profile never caches a profile with warnings; neither do we. */
		fprintf(stderr, "gen-programs: the built-in profile has warnings\n");
		return 1;
	}
	size_t n_th = thresholds(p, th + 1);
	th[0] = 0; /* the first bucket: older than every threshold */
	if (n_th > 0 && th[1] == 0)
		memmove(th, th + 1, n_th-- * sizeof(*th));
	size_t n_buckets = n_th + 1;

	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp", argv[2]) < 0)
		return 1;
	FILE *o = fopen(tmp, "w");
	if (o == NULL) {
		perror(tmp);
		return 1;
	}
	const struct scmp_version *v = seccomp_version();
	fprintf(o, "/* generated by lib/seccomp/default-profile/gen-programs.c; do not edit */\n"
		   "#include <linux/filter.h>\n#include <stdint.h>\n\n");
	fprintf(o,
		"#define MR_EMBEDDED_SCMP_MAJOR %u\n#define MR_EMBEDDED_SCMP_MINOR %u\n"
		"#define MR_EMBEDDED_SCMP_MICRO %u\n#define MR_EMBEDDED_NATIVE_ARCH %#" PRIx32
		"u\n\n",
		v->major, v->minor, v->micro, seccomp_arch_native());
	fprintf(o, "struct mr_embedded_program {\n\tuint64_t bounding;\n"
		   "\tuint32_t kmin, kmax; /* kernel major << 16 | minor, kmax excluded */\n"
		   "\tunsigned flags;\n\tsize_t n_stub;\n"
		   "\tconst struct sock_filter *insns;\n\tsize_t n_insns;\n};\n\n");

	size_t n_progs = sizeof(sets) / sizeof(sets[0]) * n_buckets;
	int *meta = calloc(n_progs, sizeof(*meta));
	if (meta == NULL)
		return 1;
	size_t idx = 0;
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++)
		for (size_t b = 0; b < n_buckets; b++, idx++) {
			meta[idx] = emit_program(o, p, sets[s], th[b], idx);
			if (meta[idx] < 0)
				return 1;
		}
	fprintf(o, "static const struct mr_embedded_program mr_embedded_programs[] = {\n");
	idx = 0;
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++)
		for (size_t b = 0; b < n_buckets; b++, idx++)
			fprintf(o,
				"\t{%#" PRIx64 "ULL, %#" PRIx32 "u, %#" PRIx32 "u, %#x, %d, "
				"mr_embedded_insns_%zu, sizeof(mr_embedded_insns_%zu) / "
				"sizeof(struct sock_filter)},\n",
				sets[s], th[b], b + 1 < n_buckets ? th[b + 1] : UINT32_MAX,
				meta[idx] & 0xffff, meta[idx] >> 16, idx, idx);
	fprintf(o, "};\n");
	free(meta);
	mr_profile_free(p);
	if (fclose(o) != 0 || rename(tmp, argv[2]) != 0) {
		perror(argv[2]);
		return 1;
	}
	free(tmp);
	return 0;
}
