/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_RESOURCES_H
#define MINIRUN_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/*
 * Resource limits, as docker run's flags give them (--memory, --pids-limit,
 * --cpus, ...).  Part of struct mr_spec; the parsers below turn one flag's
 * text into a value and are what the CLI calls.  Limits need a cgroup, which
 * only root can create (lib/container/cgroup.c).
 */

struct mr_ulimit {
	int resource;		 /* RLIMIT_* */
	unsigned long long soft; /* RLIM_INFINITY for -1 */
	unsigned long long hard;
};

/*
 * --device HOST[:CONTAINER[:PERMS]]: a host device node made in the
 * container, and its device cgroup rule.  An OCI config splits the two:
 * linux.devices is a node only (runc allows nothing for it: the cgroup
 * rules are linux.resources.devices'), linux.resources.devices a rule only.
 */
struct mr_device {
	char *host; /* the host's node, as given (OCI: the same path; rootless binds it) */
	char *path; /* where in the container: below /dev */
	char type;  /* 'c', 'b', 'p' (FIFO, node only) or 'a' (rule only: any type) */
	unsigned major, minor; /* MR_DEVICE_ANY in a rule: any number */
	unsigned mode;	       /* the node's st_mode (type and permission bits) */
	char perms[4];	       /* "rwm" or a subset: the device cgroup rule */
	bool no_rule;	       /* linux.devices: the node only */
	bool no_node;	       /* linux.resources.devices: the rule only */
	bool deny;	       /* linux.resources.devices "allow": false (a rule only) */
	bool owner_set;	       /* linux.devices uid/gid (container ids) */
	unsigned uid, gid;
};

#define MR_DEVICE_ANY 0xffffffffu

/* At most this many device cgroup rules (--device, linux.resources.devices). */
#define MR_MAX_DEVICES 64
/*
 * At most this many entries in all, rules and nodes: an OCI config's
 * linux.devices are nodes without a rule, and podman --privileged lists every
 * node of the host's /dev (a hundred on a small VM, more with many disks).
 */
#define MR_MAX_DEVICE_ENTRIES 4096

struct mr_resources {
	int64_t memory;	     /* --memory, bytes; 0 = no limit */
	int64_t memory_swap; /* --memory-swap (memory + swap), bytes; 0 = unset, -1 = unlimited */
	bool pids_set;	     /* --pids-limit given */
	int64_t pids_limit;  /* > 0: the limit; <= 0 unlimited (Docker's -1 and 0) */
	int64_t cpu_nanos;   /* --cpus * 1e9 (Docker's NanoCPUs); 0 = unset */
	uint64_t cpu_shares; /* --cpu-shares; 0 = unset */
	char *cpuset_cpus;   /* --cpuset-cpus "0-2,4"; NULL = unset */
	char *cpuset_mems;   /* --cpuset-mems "0-1" (NUMA nodes); NULL = unset */
	/*
	 * OCI linux.resources only: the values as given, written as they are
	 * (runc, crun) rather than through Docker's --cpus ratio.
	 */
	int64_t cpu_quota;	    /* cpu.quota, microseconds; 0 = unset, -1 = none */
	uint64_t cpu_period;	    /* cpu.period, microseconds; 0 = unset */
	uint64_t cpu_rt_period;	    /* cpu.realtimePeriod (v1 only); 0 = unset */
	int64_t cpu_rt_runtime;	    /* cpu.realtimeRuntime (v1 only); 0 = unset */
	bool cpu_idle_set;	    /* cpu.idle given */
	int64_t cpu_idle;	    /* 0 or 1: SCHED_IDLE for the whole cgroup */
	int64_t memory_reservation; /* v1 soft limit, v2 memory.low; 0 = unset */
	bool swappiness_set;	    /* memory.swappiness given (v1 only) */
	int64_t memory_swappiness;  /* 0..100 */
	int64_t kernel_tcp;	    /* memory.kernelTCP (v1 only); 0 = unset */
	bool disable_oom_killer;    /* memory.disableOOMKiller (v1 only) */
	bool cpu_section;    /* linux.resources.cpu given: cpu and cpuset cgroups even if empty */
	bool memory_section; /* linux.resources.memory given: a memory cgroup even if empty */
	/*
	 * linux.resources.devices: the rules in DEVICES (no_node ones, in the
	 * config's order, allow or deny) replace Docker's policy: minirun
	 * denies all, applies them in order, then allows what runc and crun
	 * always add (mr_devices_default()).
	 */
	bool ordered_rules;
	char *cgroup_parent;	   /* --cgroup-parent: relative to each hierarchy's root */
	bool no_cgroup;		   /* --cgroups=disabled: none is made (mr_cgroup_check) */
	char *cgroup_name;	   /* OCI cgroupsPath: the container's cgroup is cgroup_parent/NAME
				      itself, made by minirun (it must not exist); NULL: minirun-<id> */
	struct mr_ulimit *ulimits; /* --ulimit, in order; a later one for the same name wins */
	size_t n_ulimits;
	struct mr_device *devices; /* --device, in order */
	size_t n_devices;
};

/* The CFS period Docker uses for --cpus (microseconds). */
#define MR_CPU_PERIOD_US 100000

/* Docker's smallest --memory (daemon/daemon_unix.go: linuxMinMemory). */
#define MR_MIN_MEMORY (6 * 1024 * 1024)

/*
 * "64m", "1g", "1.5g", "512k", "100" (bytes), with Docker's units
 * (go-units RAMInBytes: b k m g t p, binary, optional "b"/"ib" suffix,
 * any case).  Returns 0 with *out or -1 with err naming FLAG.
 */
int mr_parse_memory(const char *flag, const char *s, int64_t *out, struct mr_error *err);

/* --memory: a size of at least 6 MiB. */
int mr_parse_memory_limit(const char *s, int64_t *out, struct mr_error *err);

/* --memory-swap: a size or -1 (unlimited). */
int mr_parse_memory_swap(const char *s, int64_t *out, struct mr_error *err);

/* --pids-limit: an integer; -1 and 0 mean unlimited (Docker). */
int mr_parse_pids_limit(const char *s, int64_t *out, struct mr_error *err);

/* --cpus: a positive decimal ("1.5"), to nano-CPUs; checked against the CPU count later. */
int mr_parse_cpus(const char *s, int64_t *nanos, struct mr_error *err);

/* --cpu-shares: 2 to 262144 (the kernel's range for cpu.shares); 0 = default. */
int mr_parse_cpu_shares(const char *s, uint64_t *out, struct mr_error *err);

/* --cpuset-cpus, --cpuset-mems: "0-3,5" (the kernel's list syntax); only checks the syntax. */
int mr_parse_cpuset(const char *flag, const char *s, struct mr_error *err);

/* --ulimit NAME=SOFT[:HARD] (Docker's names: nofile, nproc, core...; -1 = unlimited). */
int mr_parse_ulimit(const char *s, struct mr_ulimit *out, struct mr_error *err);

/*
 * --device HOST[:CONTAINER[:PERMS]] as docker run parses it: CONTAINER
 * defaults to HOST; a second field made only of r, w, m is PERMS, not a
 * path; PERMS defaults to "rwm".  HOST is stat()ed now (it must be a
 * character or block device) and CONTAINER must be below /dev.  Appended to
 * R (copied).
 */
int mr_resources_add_device(struct mr_resources *r, const char *s, struct mr_error *err);

/* Add one --ulimit (copied; replaces an earlier one for the same resource). */
int mr_resources_add_ulimit(struct mr_resources *r, const struct mr_ulimit *u,
			    struct mr_error *err);

/*
 * Parent: can every --ulimit be set?  Raising a hard limit above minirun's
 * own needs CAP_SYS_RESOURCE (which root lacks on some hosts).
 */
int mr_resources_check_ulimits(const struct mr_resources *r, struct mr_error *err);

/* Container process: setrlimit for each --ulimit. */
int mr_resources_apply_ulimits(const struct mr_resources *r, struct mr_error *err);

/* Any limit that needs a cgroup?  Returns the first flag given, or NULL. */
const char *mr_resources_first_cgroup_flag(const struct mr_resources *r);

/*
 * The most components cgroup_parent may have.  minirun may create each of
 * them in each hierarchy it uses and records every one it made so that
 * delete removes it (struct mr_cgroup's parents[]); engines send far fewer
 * (Kubernetes' cgroupfs "/kubepods/burstable/pod<uid>/<cid>": 3, podman's
 * "/libpod_parent/libpod-<id>": 1).
 */
#define MR_CGROUP_MAX_PARENT_DEPTH 8

/* The number of components of cgroup parent PATH ("a//b/" is 2). */
size_t mr_resources_cgroup_depth(const char *path);

/* "64 MiB", "1.5 GiB", "1000 bytes": a size for messages. */
void mr_format_size(int64_t bytes, char *buf, size_t size);

void mr_resources_clear(struct mr_resources *r);

#endif
