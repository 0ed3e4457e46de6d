/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_COMMON_CAPS_H
#define MINIRUN_COMMON_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/*
 * Capability sets are bit masks: bit N is capability number N (CAP_CHOWN = 0),
 * the layout of the Cap* lines of /proc/PID/status.
 */
typedef uint64_t mr_capset;

#define MR_CAP_BIT(n) ((mr_capset)1 << (n))

/* Docker's 14 default capabilities (moby oci/caps/defaults.go): 0x00000000a80425fb. */
mr_capset mr_caps_docker_default(void);

/* Every capability the running kernel knows (bits 0..CAP_LAST_CAP, via libcap). */
mr_capset mr_caps_all_known(void);

/*
 * Parse one capability name as docker run does: case-insensitive, with or
 * without the "CAP_" prefix ("net_admin", "CAP_NET_ADMIN", "Net_Admin").
 * "ALL" is not a capability: returns -1 with an error naming it; use
 * mr_caps_is_all() first.  Unknown names are an error (like crun >= 1.29).
 */
int mr_caps_parse_name(const char *name, int *cap, struct mr_error *err);

/* True for "ALL" / "all" / "CAP_ALL" (case-insensitive). */
bool mr_caps_is_all(const char *name);

/*
 * Docker's TweakCapabilities (moby oci/caps/utils.go):
 *  - "ALL" in adds: every known capability except the drops;
 *  - else "ALL" in drops: exactly the adds;
 *  - else: base minus drops, plus adds.
 * Names are validated with mr_caps_parse_name.
 */
int mr_caps_tweak(mr_capset base, const char *const *adds, size_t n_adds, const char *const *drops,
		  size_t n_drops, mr_capset *out, struct mr_error *err);

/* "CAP_CHOWN,CAP_KILL" (upper-case, libcap names); caller frees. NULL on ENOMEM. */
char *mr_caps_to_string(mr_capset set);

/* The calling process's bounding set and permitted set (read, no change). */
int mr_caps_get_bounding(mr_capset *out, struct mr_error *err);
int mr_caps_get_permitted(mr_capset *out, struct mr_error *err);

/* --- applied in the container process (lib/container/launch.c calls these in order) --- */

/* PR_CAPBSET_DROP every capability not in keep. Needs CAP_SETPCAP. */
int mr_caps_drop_bounding(mr_capset keep, struct mr_error *err);

/* capset(2): effective, permitted and inheritable exactly as given. */
int mr_caps_set(mr_capset effective, mr_capset permitted, mr_capset inheritable,
		struct mr_error *err);

/* Clear the ambient set (PR_CAP_AMBIENT_CLEAR_ALL). */
int mr_caps_clear_ambient(struct mr_error *err);

#endif
