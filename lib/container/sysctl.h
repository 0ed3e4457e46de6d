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
 *                                 procfs, before /proc/sys is made read-only
 */
#ifndef MINIRUN_LIB_SYSCTL_H
#define MINIRUN_LIB_SYSCTL_H

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
 * user's value wins).
 */
int mr_sysctl_apply(const struct mr_prepared *p, int procfd, struct mr_error *err);

#endif
