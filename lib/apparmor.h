/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_APPARMOR_H
#define MINIRUN_LIB_APPARMOR_H

#include <stdbool.h>

#include "minirun/error.h"

/* "unconfined" (or NULL) changes nothing. */
bool mr_apparmor_is_noop(const char *profile);

/*
 * Parent, before any process exists: fail clearly when a profile is asked
 * for and the kernel has no AppArmor, or when the profile is not loaded.
 */
int mr_apparmor_check(const char *profile, struct mr_error *err);

/* Container process: have the kernel switch to PROFILE at the next execve. */
int mr_apparmor_apply_on_exec(const char *profile, struct mr_error *err);

#endif
