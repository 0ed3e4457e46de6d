/* SPDX-License-Identifier: MIT */
/*
 * How long mr_seccomp_prepare takes for a profile (default: the built-in
 * one), without the compiled-filter cache and with a warm cache.
 *   bench_seccomp [PROFILE] [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "seccomp/program.h"

static double
now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double
run(const char *profile, int runs)
{
	struct mr_seccomp_request req = {
	    .profile = profile,
	    .explicit_profile = profile != NULL,
	    .bounding = 0xa80425fbULL, /* Docker's default capabilities */
	};
	double *t = calloc((size_t)runs, sizeof(*t));
	if (t == NULL)
		exit(1);
	for (int i = 0; i < runs; i++) {
		struct mr_seccomp_prepared p;
		struct mr_error err = {0};
		double a = now_ms();
		if (mr_seccomp_prepare(&req, &p, &err) < 0) {
			fprintf(stderr, "bench_seccomp: %s\n", err.msg);
			exit(1);
		}
		t[i] = now_ms() - a;
		mr_seccomp_prepared_clear(&p);
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	double median = t[runs / 2];
	free(t);
	return median;
}

int
main(int argc, char **argv)
{
	const char *profile = argc > 1 && strcmp(argv[1], "-") != 0 ? argv[1] : NULL;
	int runs = argc > 2 ? atoi(argv[2]) : 50;
	char dir[] = "/tmp/minirun-bench-XXXXXX";
	char cmd[64];

	if (runs < 1)
		runs = 1;
	setenv("MINIRUN_SECCOMP_CACHE", "0", 1);
	double cold = run(profile, runs);
	if (mkdtemp(dir) == NULL)
		return 1;
	setenv("MINIRUN_SECCOMP_CACHE", dir, 1);
	run(profile, 1); /* fill the cache */
	double warm = run(profile, runs);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	printf("mr_seccomp_prepare(%s), median of %d runs: no cache %.3f ms, cached %.3f ms "
	       "(%.0fx)\n",
	       profile ? profile : "built-in default", runs, cold, warm, cold / warm);
	return 0;
}
