/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_DEVICE_BPF_H
#define MINIRUN_DEVICE_BPF_H

#include <stddef.h>
#include <linux/bpf.h>

#include "common/error.h"
#include "container/devices.h"

/*
 * The device policy on a pure cgroup v2: cgroup2 has no devices controller;
 * the kernel asks the BPF_PROG_TYPE_CGROUP_DEVICE programs attached to a
 * process's cgroup and its ancestors instead (Linux 4.15+,
 * CONFIG_CGROUP_BPF), on open(2) of a device node and on mknod(2).  Every
 * program must return 1 for the access to be allowed.
 */

/* Instructions of the program for RULES: at most this many. */
#define MR_DEVICE_BPF_MAX_INSNS(n) (6 + 8 * (n) + 2)

/* Docker's 12 default rules and up to 64 --device (resources.h MR_MAX_DEVICES). */
#define MR_DEVICE_BPF_MAX_RULES 80

/*
 * Build the program for N rules into OUT (room for
 * MR_DEVICE_BPF_MAX_INSNS(N)): a rule matches an access when the type (b/c,
 * 'a' either), the major and minor (or MR_DEV_ANY) match and the requested
 * access is a subset of an allow rule's, or overlaps a deny rule's (as the
 * v1 controller decides); the last rule that matches decides
 * (allow, or deny for a deny rule); none: deny.  Returns the number of
 * instructions.
 */
size_t mr_device_bpf_build(const struct mr_device_rule *rules, size_t n, struct bpf_insn *out);

/*
 * Load that program (bpf BPF_PROG_LOAD) and attach it to the cgroup2
 * directory open as CGFD (BPF_PROG_ATTACH, BPF_CGROUP_DEVICE,
 * BPF_F_ALLOW_MULTI); PATH is for messages.  The program's fd is closed:
 * the attachment holds the program, removing the cgroup detaches it.
 */
int mr_device_bpf_attach(int cgfd, const char *path, const struct mr_device_rule *rules, size_t n,
			 struct mr_error *err);

#endif
