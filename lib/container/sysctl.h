/* SPDX-License-Identifier: MIT */
/*
 * Kernel parameters in the container's own namespaces: the two Docker sets
 * in every container with its own network namespace, and --sysctl KEY=VALUE.
 *
 *   parse  (the CLI, no syscall)  KEY=VALUE checked against the namespaced
 *                                 keys Docker accepts
 *   check  (mr_prepare)           net.* refused with --network host, a key of
 *                                 a joined (OCI path) network or IPC namespace
 *   apply  (the container process) written through the container's fresh
 *                                 procfs, before /proc/sys is made read-only;
 *          (minirun's network thread) net.* in the namespace it made
 */
#ifndef MINIRUN_LIB_SYSCTL_H
#define MINIRUN_LIB_SYSCTL_H

#include <stdbool.h>

#include "common/error.h"

struct mr_spec;
struct mr_prepared;

enum mr_sysctl_ns {
	MR_SYSCTL_NOT_NAMESPACED = 0,
	MR_SYSCTL_IPC, /* kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* */
	MR_SYSCTL_NET, /* net.*: only with the container's own network namespace */
};

/* Which namespace KEY (dotted, "net.ipv4.ip_forward") belongs to. */
enum mr_sysctl_ns mr_sysctl_namespace(const char *key);

/*
 * One --sysctl value: KEY=VALUE with a key Docker accepts (docker run's
 * list: kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem,
 * kernel.shmall, kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced,
 * fs.mqueue.*, net.*), dotted components that are not empty, no '/', a
 * value on one line.  Returns 0 or -1 with err filled.
 */
int mr_sysctl_parse(const char *arg, struct mr_error *err);

/* mr_prepare: every key parsed again (whatever the front end), and what needs
   the rest of the spec (net.* and --network host, joined namespaces). */
int mr_sysctl_check(const struct mr_spec *spec, struct mr_error *err);

/*
 * Container process, right after procfs is mounted (procfd: its root): with
 * its own network namespace net.ipv4.ip_unprivileged_port_start=0 and
 * net.ipv4.ping_group_range, then every --sysctl in flag order (so the
 * user's value wins).  NET_WRITTEN: minirun's network thread wrote the
 * net.* ones already (below); only the others are left.
 */
int mr_sysctl_apply(const struct mr_prepared *p, int procfd, bool net_written,
		    struct mr_error *err);

/*
 * The net.* values in a network namespace minirun makes itself
 * (namespaces.h: its thread, off the container process's path), written
 * by that thread right after it made the namespace, through the host's
 * /proc/sys, whose net.* files are the writer's namespace's: the two
 * defaults (a missing one skipped), then every --sysctl net.* in flag
 * order.  mr_sysctl_net_prepare before the thread starts;
 * mr_sysctl_net_write (the thread's) makes syscalls only -- no lock, no
 * allocation -- and returns 0 or -1 with errno (a value refused);
 * mr_sysctl_net_error, after the join, says which value failed as
 * mr_sysctl_apply would.  Where a file cannot be opened through that
 * /proc, it returns 0 with WRITTEN false: the container process writes
 * them all (mr_sysctl_apply with NET_WRITTEN false).
 */
struct mr_sysctl_net {
	const struct mr_prepared *p;
	char ping[64];
	const char *failed; /* the KEY=VALUE that failed */
	bool written;	    /* all of them */
};
void mr_sysctl_net_prepare(const struct mr_prepared *p, struct mr_sysctl_net *s);
int mr_sysctl_net_write(void *s);
int mr_sysctl_net_error(const struct mr_sysctl_net *s, int errnum, struct mr_error *err);

#endif
