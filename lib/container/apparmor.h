/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_APPARMOR_H
#define MINIRUN_LIB_APPARMOR_H

#include <stdbool.h>

#include "common/error.h"

/* NULL or "unconfined" changes nothing. */
bool mr_apparmor_is_noop(const char *profile);

/*
 * Parent, before any process exists: fail clearly when a profile is asked
 * for and the kernel has no AppArmor, or when the profile is not loaded.
 */
int mr_apparmor_check(const char *profile, struct mr_error *err);

/*
 * Container process, after pivot_root (so /proc is the fresh procfs minirun
 * mounted in its private mount namespace): have the kernel switch to PROFILE
 * at the next execve, so minirun stays unconfined and the command starts
 * confined.  With no_new_privs and an already confined minirun, the profile
 * is stacked, the only transition the kernel then allows.
 */
int mr_apparmor_apply_on_exec(const char *profile, bool no_new_privs, struct mr_error *err);

#endif
