/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_NAMESPACES_H
#define MINIRUN_LIB_NAMESPACES_H

#include <pthread.h>
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

/*
 * Whether the namespace NSFD is owned by the user namespace USERFD or one
 * nested in it (what a process in USERFD can setns into): 1 yes, 0 no, -1
 * on error.
 */
int mr_ns_owned_within(int nsfd, int userfd, struct mr_error *err);

/* The uid and gid maps of a user namespace (malloc'ed), host ids as minirun sees them. */
struct mr_ns_read_maps {
	struct mr_id_map *uid, *gid;
	size_t n_uid, n_gid;
};

/*
 * As root: the maps of the user namespace USERFD, read through a short-lived
 * child that joins it.  On failure the arrays already read are in OUT, for
 * the caller to free.
 */
int mr_ns_read_id_maps(int userfd, struct mr_ns_read_maps *out, struct mr_error *err);

/* Container process, first thing after its cgroups: setns into the given
   network, IPC, UTS and cgroup namespaces (spec->ns_join). */
int mr_ns_join_early(const struct mr_spec *spec, struct mr_error *err);

/* The clone flags for the namespaces the container gets (none joined); USERNS:
   a new user namespace too. */
unsigned long mr_ns_clone_flags(const struct mr_spec *spec, bool userns);

/* The container's user namespace maps, as minirun writes them. */
struct mr_ns_id_maps {
	const struct mr_id_map *uid, *gid;
	size_t n_uid, n_gid;
	bool deny_setgroups; /* rootless: the kernel's condition for an unprivileged
				writer of gid_map */
};

/*
 * MAP as uid_map text ("CONTAINER HOST SIZE\n" per range) into BUF of SIZE
 * bytes (may be NULL, 0): returns the length it needs, as snprintf.
 */
size_t mr_ns_format_id_map(const struct mr_id_map *map, size_t n, char *buf, size_t size);

/*
 * Parent: write the child's new user namespace's setgroups (if denied),
 * uid_map and gid_map.
 */
int mr_ns_write_id_maps(pid_t pid, const struct mr_ns_id_maps *maps, struct mr_error *err);

/* Container process, new network namespace: bring lo up. */
int mr_ns_loopback_up(struct mr_error *err);

/*
 * The container's new network namespace, made by a thread of minirun
 * instead of by clone3.  The kernel spends about 0.35 ms making a network
 * namespace (every pernet subsystem's init), most of what clone3 costs with
 * it, and more when other work competes for its per-CPU allocator.  The
 * thread starts on another CPU once the input it uses is checked (in
 * mr_prepare, MR_PREPARE_LAUNCH; a refused start joins it and drops the
 * namespace); meanwhile the main thread finishes the checks, makes the
 * cgroup and clones the container process, which
 * mounts its root, /proc and /dev.  minirun then joins the thread and sends
 * the namespace on the sync socket; the container process enters it before
 * the first thing that shows it, the sysctls and /sys (launch.c).
 *
 * Only for a new namespace as root: in a user namespace, new or joined,
 * the network namespace must be owned by it (the container's root mounts
 * sysfs for it), so clone3 makes it there.
 */
bool mr_ns_net_made_apart(const struct mr_spec *spec, bool userns);

struct mr_ns_net {
	pthread_t thread;
	bool started; /* the thread runs, or ran and was not joined yet */
	int nsfd;     /* the namespace (close-on-exec), once made */
	int errnum;   /* the thread's failure: errno and the step that failed */
	const char *step;
	/* Run by the thread in the namespace once made (syscalls only); its failure: */
	int (*in_ns)(void *);
	void *in_ns_data;
	bool in_ns_failed;
};

#define MR_NS_NET_INIT ((struct mr_ns_net){.nsfd = -1})

/*
 * Start making it, then run IN_NS (when not NULL) in it: 0, or -1 with
 * errno (sysctl.h: the net.* values).  The thread makes only syscalls: it allocates nothing
 * and takes no lock of glibc's, so a process cloned while it runs inherits
 * none held (AddressSanitizer's thread start and exit do allocate: in that
 * build mr_launch joins it before clone3).  Such a process still inherits glibc's list of threads,
 * which names one it does not have: no set*id wrapper of glibc's may run in it (user.h).  The
 * thread must be joined (mr_ns_net_finish or _clear) before anything else is forked.  When no
 * thread can be started, mr_ns_net_finish makes the namespace itself.
 */
void mr_ns_net_start(struct mr_ns_net *n, int (*in_ns)(void *), void *in_ns_data);

/* Wait for it: 0 with n->nsfd the namespace, or -1 with what failed. */
int mr_ns_net_finish(struct mr_ns_net *n, struct mr_error *err);

/* Join the thread if it still runs, close the namespace. */
void mr_ns_net_clear(struct mr_ns_net *n);

#endif
