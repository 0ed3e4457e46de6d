/* SPDX-License-Identifier: MIT */
/*
 * pause and resume: freezing a container's cgroup.  On cgroup2 (pure or
 * hybrid: every non-root cgroup2 directory has cgroup.freeze since Linux
 * 5.2, with or without controllers) cgroup.freeze, whose state
 * cgroup.events reports as "frozen 1" once every task is stopped; else the
 * v1 freezer hierarchy's freezer.state (FROZEN, THAWED).
 */
#ifndef MINIRUN_LIB_FREEZER_H
#define MINIRUN_LIB_FREEZER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Freeze (or thaw) the cgroup directories PATHS; waits until it took effect. */
int mr_freezer_set(char *const *paths, size_t n, bool frozen, struct mr_error *err);

/* Is it frozen (or being frozen)? false when there is no freezer. */
bool mr_freezer_frozen(char *const *paths, size_t n);

#endif
