/* SPDX-License-Identifier: MIT */
/* MINIRUN_TRACE_PHASES: see phases.h. */
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common/phases.h"

#define PHASE_NAME_MAX 24
#define PHASES_MAX     120

struct phase_entry {
	char name[PHASE_NAME_MAX];
	uint64_t ns;
};

/* One page, shared with the container process (MAP_SHARED survives clone3 and fork). */
struct mr_phase_log {
	_Atomic unsigned n;
	int fd;
	pid_t owner; /* only this process prints, at its exit */
	struct phase_entry e[PHASES_MAX];
};

struct mr_phase_log *mr_phase_log;

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
record_at(struct mr_phase_log *log, const char *name, uint64_t ns)
{
	unsigned i = atomic_fetch_add(&log->n, 1);
	if (i >= PHASES_MAX)
		return;
	size_t len = strnlen(name, PHASE_NAME_MAX - 1);
	memcpy(log->e[i].name, name, len);
	log->e[i].name[len] = '\0';
	log->e[i].ns = ns;
}

void
mr_phase_record(const char *name)
{
	record_at(mr_phase_log, name, now_ns());
}

static void
print_phases(void)
{
	struct mr_phase_log *log = mr_phase_log;

	/* A container process that calls exit() (never on purpose) prints nothing. */
	if (log == NULL || getpid() != log->owner)
		return;
	mr_phase_record("exit");
	unsigned n = atomic_load(&log->n);
	if (n > PHASES_MAX)
		n = PHASES_MAX;
	/* Two processes append concurrently: put the stamps in time order. */
	for (unsigned i = 1; i < n; i++) {
		struct phase_entry x = log->e[i];
		unsigned j = i;
		for (; j > 0 && log->e[j - 1].ns > x.ns; j--)
			log->e[j] = log->e[j - 1];
		log->e[j] = x;
	}
	/* One write, so lines of concurrent minirun processes do not interleave. */
	char buf[PHASES_MAX * (PHASE_NAME_MAX + 32) + 64];
	/*
	 * The origin on CLOCK_MONOTONIC, which every process shares: whoever
	 * started minirun can split its wall time into exec + ld.so before
	 * main, the phases, and the exit after.
	 */
	int w0 = snprintf(buf, sizeof(buf), "phases CLOCK_MONOTONIC %llu\n",
			  (unsigned long long)log->e[0].ns);
	size_t off = w0 > 0 ? (size_t)w0 : 0;
	for (unsigned i = 0; i < n; i++) {
		int w = snprintf(buf + off, sizeof(buf) - off, "phase %s %.1f\n", log->e[i].name,
				 (double)(log->e[i].ns - log->e[0].ns) / 1000.0);
		if (w < 0 || (size_t)w >= sizeof(buf) - off)
			break;
		off += (size_t)w;
	}
	if (write(log->fd, buf, off) < 0) {
		/* Nothing to do: tracing is best effort and must not change the exit status. */
	}
}

void
mr_phases_init(void)
{
	/*
	 * The variable first, the clock only when it is set: a process's first
	 * clock_gettime faults in the vDSO's pages, 12-18 us on this project's
	 * VM (a PVM guest), and its first CLOCK_MONOTONIC the clock's page,
	 * 11-15 us more; an untraced start reads no monotonic clock (the relay
	 * only with a stop deadline).  The origin moves by one getenv.
	 */
	const char *v = getenv("MINIRUN_TRACE_PHASES");
	int fd;

	if (v == NULL || *v == '\0' || strcmp(v, "0") == 0)
		return;
	uint64_t start = now_ns();
	/* "1" means "on", to stderr: fd 1 is the container's stdout. */
	if (strcmp(v, "1") == 0 || strcmp(v, "stderr") == 0) {
		fd = STDERR_FILENO;
	} else {
		char *end;
		long n = strtol(v, &end, 10);
		if (*end != '\0' || n < 3 || n > INT_MAX) {
			fprintf(stderr,
				"minirun: MINIRUN_TRACE_PHASES=%s: expected 1 (stderr) or a "
				"file descriptor >= 3; not tracing\n",
				v);
			return;
		}
		fd = (int)n;
	}
	struct mr_phase_log *log =
	    mmap(NULL, sizeof(*log), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (log == MAP_FAILED)
		return;
	log->fd = fd;
	log->owner = getpid();
	record_at(log, "main", start);
	mr_phase_log = log;
	atexit(print_phases);
}
