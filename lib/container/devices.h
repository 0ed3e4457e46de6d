/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_DEVICES_H
#define MINIRUN_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "container/resources.h"

/*
 * The device policy of a container: which device nodes it may read, write
 * or create.  One list of rules (mr_devices_default) feeds both backends:
 *   - cgroup v1: the devices controller (devices.deny "a", devices.allow);
 *   - pure cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
 *     container's cgroup (device-bpf.c).
 * Both deny whatever no rule allows.
 */

enum {
	MR_DEV_MKNOD = 1u << 0, /* the kernel's BPF_DEVCG_ACC_MKNOD */
	MR_DEV_READ = 1u << 1,	/* BPF_DEVCG_ACC_READ */
	MR_DEV_WRITE = 1u << 2, /* BPF_DEVCG_ACC_WRITE */
	MR_DEV_RWM = MR_DEV_MKNOD | MR_DEV_READ | MR_DEV_WRITE,
};

#define MR_DEV_ANY (-1) /* major or minor: any number ("*") */

/* One rule, as v1 writes it: "TYPE MAJOR:MINOR ACCESS" ("c 1:3 rwm"). */
struct mr_device_rule {
	char type;	 /* 'c' character, 'b' block, 'a' either */
	int32_t major;	 /* MR_DEV_ANY or 0..0xfff (Linux's 12 bits) */
	int32_t minor;	 /* MR_DEV_ANY or 0..0xfffff (20 bits) */
	unsigned access; /* MR_DEV_* bits, not 0 */
	bool deny;	 /* devices.deny (OCI "allow": false), else devices.allow */
};

/* Docker's default allow list (see devices.c); *N gets its length. */
const struct mr_device_rule *mr_devices_default(size_t *n);

/* RULE in the devices cgroup's syntax, "c 136:* rwm"; returns BUF. */
char *mr_device_rule_format(const struct mr_device_rule *rule, char *buf, size_t size);

/*
 * v1: write Docker's default policy into the devices cgroup open as DFD
 * (PATH for messages): deny everything, then allow Docker's list and DEVS
 * (--device).  ORDERED (an OCI config's linux.resources.devices): deny
 * everything, then DEVS' rules in order (allow or deny), then the default
 * list.
 * Privileged containers keep every device their parent cgroup allows.
 */
int mr_devices_apply_v1(int dfd, const char *path, bool privileged, bool ordered,
			const struct mr_device *devs, size_t n, struct mr_error *err);

/*
 * Pure cgroup v2: the same policy as a BPF device program, attached to the
 * cgroup2 directory open as DFD, before any process is in it.  ORDERED:
 * DEVS' rules, then the default list, the last match winning.
 * --privileged: no program (the parent's programs, if any, still apply).
 * Failing to load or attach it is an error: a container never runs without
 * its device policy.
 */
int mr_devices_apply_v2(int dfd, const char *path, bool privileged, bool ordered,
			const struct mr_device *devs, size_t n, struct mr_error *err);

/* One --device as a rule of the policy (its PERMS "rwm" or a subset). */
void mr_device_to_rule(const struct mr_device *d, struct mr_device_rule *r);

/*
 * Container, while /dev is set up: make each --device's node in the new
 * /dev (DEVFD, that tmpfs's root), with the host node's type, numbers and
 * mode.  In a user namespace (USERNS: no mknod there) the host node is
 * bound onto an empty file instead, as the default nodes are.
 */
int mr_devices_make_nodes(int devfd, const struct mr_device *devs, size_t n, bool userns,
			  struct mr_error *err);

#endif
