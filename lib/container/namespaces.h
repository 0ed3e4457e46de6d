/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_NAMESPACES_H
#define MINIRUN_LIB_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/spec.h"

/*
 * PATH (absolute) opened as a namespace of KIND: returns the descriptor
 * (O_RDONLY, close-on-exec), or -1 with err naming what is wrong (no such
 * file, not a namespace, a namespace of another type).
 */
int mr_ns_open(enum mr_ns_join_kind kind, const char *path, struct mr_error *err);

/* Container process, first thing after its cgroups: setns into the given
   network, IPC, UTS and cgroup namespaces (spec->ns_join). */
int mr_ns_join_early(const struct mr_spec *spec, struct mr_error *err);

/* The clone flags for the namespaces the container gets (none joined). */
unsigned long mr_ns_clone_flags(const struct mr_spec *spec, bool rootless);

/*
 * Parent, rootless mode: map the caller's uid and gid to 0 in the child's new
 * user namespace (setgroups is denied first, as the kernel requires for an
 * unprivileged writer of gid_map).
 */
int mr_ns_write_id_maps(pid_t pid, uid_t outer_uid, gid_t outer_gid, struct mr_error *err);

/* Container process, new network namespace: bring lo up. */
int mr_ns_loopback_up(struct mr_error *err);

#endif
