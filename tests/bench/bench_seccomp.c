/* SPDX-License-Identifier: MIT */
/*
 * How long mr_seccomp_prepare takes for a profile (default: the built-in
 * one), without the compiled-filter cache and with a warm cache.  For the
 * built-in default with Docker's capabilities the program is compiled in
 * (default-programs.h), so "no cache" is a first start as minirun makes it;
 * the same with CAP_SYS_ADMIN added is not compiled in and shows the cost of
 * a compile.
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

#define CAPS_DOCKER	  0xa80425fbULL /* Docker's default capabilities */
#define CAP_SYS_ADMIN_BIT (1ULL << 21)

static double
run(const char *profile, int runs, unsigned long long bounding)
{
	struct mr_seccomp_request req = {
	    .profile = profile,
	    .explicit_profile = profile != NULL,
	    .bounding = bounding,
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
	double cold = run(profile, runs, CAPS_DOCKER);
	double compile = run(profile, runs, CAPS_DOCKER | CAP_SYS_ADMIN_BIT);
	if (mkdtemp(dir) == NULL)
		return 1;
	setenv("MINIRUN_SECCOMP_CACHE", dir, 1);
	run(profile, 1, CAPS_DOCKER); /* fill the cache */
	double warm = run(profile, runs, CAPS_DOCKER);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	printf("mr_seccomp_prepare(%s), median of %d runs: no cache %.3f ms, cached %.3f ms; "
	       "no cache with CAP_SYS_ADMIN (a compile for the built-in default) %.3f ms\n",
	       profile ? profile : "built-in default", runs, cold, warm, compile);
	return 0;
}
