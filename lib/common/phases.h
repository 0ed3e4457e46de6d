/* SPDX-License-Identifier: MIT */
/*
 * MINIRUN_TRACE_PHASES: minirun's own timestamps of its launch phases, for
 * the benchmark's per-phase budget (tests/bench/README.md).
 *
 * The variable is read once, at the start of main.  When it is unset,
 * mr_phase() is one load and a not-taken branch: no syscall, no page, no
 * message on the sync socket.  When it is set, one MAP_SHARED page is
 * mapped before anything else; minirun and the container process (a clone
 * without CLONE_VM keeps the shared mapping, as does --init's fork) append
 * their CLOCK_MONOTONIC stamps to it (clock_gettime is the vDSO: no
 * syscall, so also none under the container's filter), and minirun prints
 * them all at exit: "phases CLOCK_MONOTONIC NS" (the start of main on that
 * clock), then "phase NAME USEC" lines, USEC counted from the start of
 * main, in time order.  The container's stamps are all written before
 * its execve, which minirun sees as EOF on the sync socket, so they are
 * complete when it prints them.
 */
#ifndef MINIRUN_COMMON_PHASES_H
#define MINIRUN_COMMON_PHASES_H

struct mr_phase_log;

/* NULL unless MINIRUN_TRACE_PHASES is set (mr_phases_init). */
extern struct mr_phase_log *mr_phase_log;

/* Read MINIRUN_TRACE_PHASES; first thing in main.  Stamps "main". */
void mr_phases_init(void);

void mr_phase_record(const char *name);

/* Stamp the end of the phase NAME (at most 23 characters, no spaces). */
static inline void
mr_phase(const char *name)
{
	if (__builtin_expect(mr_phase_log != 0, 0))
		mr_phase_record(name);
}

#endif
