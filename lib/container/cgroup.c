/* SPDX-License-Identifier: MIT */
/*
 * The container's cgroup: created before the container process exists,
 * entered while it waits, emptied and removed when the run ends.  See
 * cgroup.h for the order.  Rules this file keeps:
 *   - cgroups are only created below the cgroup minirun runs in (per
 *     hierarchy, from /proc/self/cgroup) or below --cgroup-parent; rootless,
 *     next to it, in its parent when that is delegated to the caller;
 *   - nothing outside them is ever written, no other process is moved;
 *   - what was created is removed, also after a failure half-way;
 *   - a minirun that was SIGKILLed leaves empty "minirun-*" directories:
 *     the next start removes those it can prove are unused (no process,
 *     no other minirun holding their lock), and never a non-empty one.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "container/cgroup.h"
#include "container/devices.h"
#include "container/volumes.h"
#include "common/caps.h"
#include "common/util.h"

enum {
	MR_CG_CPU = 1u << 0,
	MR_CG_CPUSET = 1u << 1,
	MR_CG_MEMORY = 1u << 2,
	MR_CG_DEVICES = 1u << 3,
	MR_CG_FREEZER = 1u << 4,
	MR_CG_PIDS = 1u << 5,
	/* Known only to be joined (every_hierarchy): no limit of minirun's is in them. */
	MR_CG_CPUACCT = 1u << 6,
	MR_CG_BLKIO = 1u << 7,
	MR_CG_NET_CLS = 1u << 8,
	MR_CG_NET_PRIO = 1u << 9,
	MR_CG_PERF_EVENT = 1u << 10,
	MR_CG_HUGETLB = 1u << 11,
	MR_CG_RDMA = 1u << 12,
	MR_CG_MISC = 1u << 13,
	MR_CG_SYSTEMD = 1u << 14, /* systemd's named hierarchy, name=systemd */
};

static const struct {
	const char *name;
	unsigned bit;
} v1_controllers[] = {
    {"cpu", MR_CG_CPU},
    {"cpuset", MR_CG_CPUSET},
    {"memory", MR_CG_MEMORY},
    {"devices", MR_CG_DEVICES},
    {"freezer", MR_CG_FREEZER},
    {"pids", MR_CG_PIDS},
    {"cpuacct", MR_CG_CPUACCT},
    {"blkio", MR_CG_BLKIO},
    {"net_cls", MR_CG_NET_CLS},
    {"net_prio", MR_CG_NET_PRIO},
    {"perf_event", MR_CG_PERF_EVENT},
    {"hugetlb", MR_CG_HUGETLB},
    {"rdma", MR_CG_RDMA},
    {"misc", MR_CG_MISC},
    {"name=systemd", MR_CG_SYSTEMD},
};

#define NAME_PREFIX "minirun-"

/* --- reading and writing cgroup files ------------------------------------- */

static int
cg_write(const struct mr_cgroup_dir *d, const char *file, const char *value, const char *flag,
	 struct mr_error *err)
{
	cleanup_close int fd = openat(d->dfd, file, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(value);
	if (fd < 0 || write(fd, value, len) != (ssize_t)len)
		return mr_error_set(err, errno, "%s%scgroup %s: write %s to %s", flag ? flag : "",
				    flag ? ": " : "", d->path, value, file);
	return 0;
}

/* cg_write of a printf-formatted value (numbers, "QUOTA PERIOD"). */
static __attribute__((format(printf, 5, 6))) int
cg_writef(const struct mr_cgroup_dir *d, const char *file, const char *flag, struct mr_error *err,
	  const char *fmt, ...)
{
	char value[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return cg_write(d, file, value, flag, err);
}

/* Read a small file at DFD/FILE into BUF; returns the length or -1. */
static ssize_t
read_small(int dfd, const char *file, char *buf, size_t size)
{
	cleanup_close int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off + 1 < size) {
		ssize_t n = read(fd, buf + off, size - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	return (ssize_t)off;
}

/* "KEY N" in a flat-keyed file (memory.events, memory.oom_control). */
static int64_t
keyed_value(int dfd, const char *file, const char *key)
{
	char buf[4096];
	size_t klen = strlen(key);
	if (read_small(dfd, file, buf, sizeof(buf)) < 0)
		return -1;
	for (char *line = buf; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			return strtoll(line + klen + 1, NULL, 10);
	return -1;
}

static bool
procs_empty(int dfd)
{
	char buf[64];
	ssize_t n = read_small(dfd, "cgroup.procs", buf, sizeof(buf));
	return n == 0;
}

/* MOUNT + "/" + REL (any slashes trimmed) + "/" + NAME (when not NULL). */
static void
join_path(char *out, size_t size, const char *mount, const char *rel, const char *name)
{
	while (*rel == '/')
		rel++;
	size_t rl = strlen(rel);
	while (rl > 0 && rel[rl - 1] == '/')
		rl--;
	int n = snprintf(out, size, "%s%s%.*s%s%s", mount, rl ? "/" : "", (int)rl, rel,
			 name ? "/" : "", name ? name : "");
	/*
	 * A truncated path would name another cgroup: leave an empty one, which
	 * every later open or mkdir refuses.  (Checking the result is also what
	 * keeps -O3's -Wformat-truncation, an error here, quiet.)
	 */
	if (n < 0 || (size_t)n >= size)
		out[0] = '\0';
}

/* --- where the hierarchies are -------------------------------------------- */

/*
 * One line of /proc/self/cgroup: NAMES and OWN point into the file's text,
 * split in place.  They were arrays of their own in each of 16 entries:
 * 22 KiB of mr_cgroup_create()'s frame, 1.4 KiB of it touched for each
 * hierarchy on every start (a page is a fault, about 12 us on a PVM guest,
 * and its callees' frames went that much deeper).  A path of any length
 * is read (proc_cgroup); a mount point longer than MOUNT is not used.
 */
struct hierarchy {
	unsigned ctrls; /* 0 for cgroup2 */
	bool v2;
	bool mounted;
	const char *names; /* the controllers as /proc/self/cgroup lists them: "cpu,cpuacct" */
	char *own;	   /* minirun's cgroup in it (from /proc/self/cgroup) */
	char mount[256];   /* where it is mounted */
};

/*
 * /proc/PID/cgroup read and split: H points into TEXT, or into HEAP for a
 * file longer than TEXT (nested containers under long cgroup paths reach
 * 4 KiB).  Whoever declares one sets HEAP to NULL before anything can
 * return, and declares it cleanup_proc_cgroup.
 */
struct proc_cgroup {
	char *heap;
	size_t n;
	struct hierarchy h[16];
	char text[4096];
};

static void
proc_cgroup_release(struct proc_cgroup *pc)
{
	free(pc->heap);
}
#define cleanup_proc_cgroup __attribute__((cleanup(proc_cgroup_release)))

static unsigned
controller_bits(const char *list, size_t len)
{
	unsigned bits = 0;
	while (len > 0) {
		size_t n = 0;
		while (n < len && list[n] != ',')
			n++;
		for (size_t i = 0; i < MR_ARRAY_SIZE(v1_controllers); i++)
			if (strlen(v1_controllers[i].name) == n &&
			    strncmp(v1_controllers[i].name, list, n) == 0)
				bits |= v1_controllers[i].bit;
		list += n;
		len -= n;
		if (len > 0) {
			list++;
			len--;
		}
	}
	return bits;
}

/* The hierarchies of FILE (/proc/PID/cgroup) and the process's cgroup in each. */
static int
read_proc_cgroup(const char *file, struct proc_cgroup *pc, struct mr_error *err)
{
	ssize_t len = read_small(AT_FDCWD, file, pc->text, sizeof(pc->text));
	if (len < 0)
		return mr_error_set(err, errno, "cgroup: read %s", file);
	char *text = pc->text;
	if ((size_t)len == sizeof(pc->text) - 1) {
		/* Perhaps longer: the whole file (getdelim reads to the end: it holds no NUL). */
		cleanup_file FILE *f = fopen(file, "re");
		size_t cap = 0;
		if (f == NULL || getdelim(&pc->heap, &cap, '\0', f) < 0)
			return mr_error_set(err, errno, "cgroup: read %s", file);
		text = pc->heap;
	}

	pc->n = 0;
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 != NULL && pc->n < MR_ARRAY_SIZE(pc->h)) {
			struct hierarchy *x = &pc->h[pc->n];
			x->mount[0] = '\0';
			x->mounted = false;
			x->v2 = c1 == line + 1 && line[0] == '0' && c2 == c1 + 1;
			x->ctrls = x->v2 ? 0 : controller_bits(c1 + 1, (size_t)(c2 - c1 - 1));
			*c2 = '\0';
			x->names = c1 + 1;
			x->own = c2 + 1;
			if (x->v2 || x->ctrls)
				pc->n++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

/*
 * The usual layout, without reading mountinfo (70 us): v1 hierarchies at
 * /sys/fs/cgroup/<controllers>, cgroup2 at /sys/fs/cgroup (pure v2) or
 * /sys/fs/cgroup/unified (hybrid), each checked with statfs.  A v1 mount
 * found this way is only trusted when it holds a file of every controller
 * of the hierarchy.
 */
static bool
find_mount_fast(struct hierarchy *x, bool pure_v2)
{
	struct statfs sf;
	char mnt[sizeof(x->mount)], probe[sizeof(x->mount) + 64];

	if (x->v2) {
		snprintf(mnt, sizeof(mnt), "%s",
			 pure_v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified");
		if (statfs(mnt, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
			return false;
	} else {
		/* systemd mounts its name=systemd hierarchy on .../systemd. */
		snprintf(mnt, sizeof(mnt), "/sys/fs/cgroup/%s",
			 strncmp(x->names, "name=", 5) == 0 ? x->names + 5 : x->names);
		if (statfs(mnt, &sf) < 0 || sf.f_type != CGROUP_SUPER_MAGIC)
			return false;
		for (size_t k = 0; k < MR_ARRAY_SIZE(v1_controllers); k++) {
			/* Only these have a file in the root to look for. */
			if (!(x->ctrls & v1_controllers[k].bit) ||
			    !(v1_controllers[k].bit &
			      (MR_CG_CPU | MR_CG_CPUSET | MR_CG_MEMORY | MR_CG_DEVICES)))
				continue;
			snprintf(probe, sizeof(probe), "%s/%s.%s", mnt, v1_controllers[k].name,
				 v1_controllers[k].bit == MR_CG_DEVICES	 ? "list"
				 : v1_controllers[k].bit == MR_CG_CPUSET ? "cpus"
				 : v1_controllers[k].bit == MR_CG_MEMORY ? "usage_in_bytes"
									 : "shares");
			if (access(probe, F_OK) < 0)
				return false;
		}
	}
	snprintf(x->mount, sizeof(x->mount), "%s", mnt);
	x->mounted = true;
	return true;
}

/*
 * find_mount_fast() for cgroup2 and each v1 hierarchy with a controller in
 * NEED: the others are not used by this start (two syscalls each saved).
 * Returns true when every one of those was found.
 */
static bool
find_mounts_fast(struct hierarchy *h, size_t n, unsigned need)
{
	struct statfs sf;
	bool found = statfs("/sys/fs/cgroup", &sf) == 0;
	bool pure_v2 = found && sf.f_type == CGROUP2_SUPER_MAGIC;
	/*
	 * A v1 layout with nothing at /sys/fs/cgroup/unified (systemd's legacy
	 * mode): the kernel lists "0::" in /proc/self/cgroup all the same, but
	 * cgroup2 is not mounted where anything would look for it, and the
	 * start goes on as on v1.  Only a v1 layout qualifies: a tmpfs at
	 * /sys/fs/cgroup, its unified entry absent.
	 */
	bool v1_only = found && sf.f_type == TMPFS_MAGIC &&
		       statfs("/sys/fs/cgroup/unified", &sf) < 0 && errno == ENOENT;

	for (size_t i = 0; i < n; i++) {
		if (h[i].v2 && v1_only)
			continue;
		if ((h[i].v2 || (h[i].ctrls & need)) && !find_mount_fast(&h[i], pure_v2)) {
			for (size_t k = 0; k < n; k++)
				h[k].mounted = false;
			return false;
		}
	}
	return true;
}

/* Match each hierarchy to its mount point in /proc/self/mountinfo. */
static int
find_mounts(struct hierarchy *h, size_t n, struct mr_error *err)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	if (f == NULL)
		return mr_error_set(err, errno, "cgroup: open /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE SOURCE SUPEROPTS */
		char root[PATH_MAX], mnt[PATH_MAX];
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2)
			continue;
		char *sep = strstr(line, " - ");
		if (sep == NULL)
			continue;
		char fstype[32], source[256], super[1024];
		if (sscanf(sep + 3, "%31s %255s %1023s", fstype, source, super) != 3)
			continue;
		bool is_v2 = strcmp(fstype, "cgroup2") == 0;
		if (!is_v2 && strcmp(fstype, "cgroup") != 0)
			continue;
		unsigned bits = is_v2 ? 0 : controller_bits(super, strlen(super));
		for (size_t i = 0; i < n; i++) {
			if (h[i].mounted || h[i].v2 != is_v2 || (!is_v2 && h[i].ctrls != bits))
				continue;
			/* A mount of a sub-tree: our path is relative to its root. */
			char *rel = h[i].own;
			size_t rl = strlen(root);
			if (strcmp(root, "/") != 0) {
				if (strncmp(h[i].own, root, rl) != 0 ||
				    (h[i].own[rl] != '/' && h[i].own[rl] != '\0'))
					continue;
				rel = h[i].own + rl;
			}
			if (strlen(mnt) >= sizeof(h[i].mount))
				continue;
			snprintf(h[i].mount, sizeof(h[i].mount), "%s", mnt);
			h[i].own = rel;
			h[i].mounted = true;
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* --- rootless: a delegated cgroup ---------------------------------------- */

/*
 * Can the caller make cgroups in DIR and move its own processes between
 * them?  What systemd's Delegate=yes (or an admin's chown) gives a user:
 * the directory and its cgroup.procs writable by it.  The owner of DIR is
 * not asked for itself: a group-writable delegation counts as well, and an
 * owner whose cgroup.procs was left to root cannot move anything.
 */
static bool
delegated(const char *dir)
{
	char procs[PATH_MAX + 16];
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	return faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) == 0 &&
	       faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) == 0;
}

/*
 * Rootless: where the container's cgroup goes.  minirun's own cgroup2
 * cgroup (from "0::PATH" in /proc/self/cgroup) is not the place, even when
 * it is writable: cgroup2's no-internal-process rule forbids enabling a
 * controller for the children of a cgroup that has processes, and minirun
 * itself is one of them -- a cgroup made below it could hold no limit.  So
 * the container's cgroup is made next to minirun's, in the parent, which
 * must be delegated to the caller: its cgroup.procs is then also the
 * common ancestor's that moving the container there (CLONE_INTO_CGROUP,
 * unprivileged) needs, and the controllers its owner enabled in its
 * cgroup.subtree_control are those the container's cgroup has.  minirun
 * writes nothing in that parent but the new directory: it enables no
 * controller in it and moves no process (not even itself) -- that is the
 * delegated subtree's owner's business, as systemd --user keeps its own
 * processes in leaves (init.scope, app-*.scope) below its slices.  crun
 * and podman instead ask systemd for a transient scope over D-Bus; minirun
 * speaks no D-Bus, and a scope's parent slice is the same kind of place.
 * With X, fills in its mount and sets its "own" to that parent.
 */
static bool
rootless_parent(struct proc_cgroup *pc, struct hierarchy **out)
{
	struct hierarchy *v2 = NULL;
	struct mr_error ignored;
	char dir[PATH_MAX];

	if (read_proc_cgroup("/proc/self/cgroup", pc, &ignored) < 0)
		return false;
	for (size_t i = 0; i < pc->n && v2 == NULL; i++)
		if (pc->h[i].v2)
			v2 = &pc->h[i];
	if (v2 == NULL || (!find_mounts_fast(v2, 1, 0) && find_mounts(v2, 1, &ignored) < 0) ||
	    !v2->mounted)
		return false;
	/* The parent of "/a/b" is "/a"; the root cgroup has none (and is root's). */
	char *slash = strrchr(v2->own, '/');
	if (slash == NULL || slash[1] == '\0')
		return false;
	*slash = '\0';
	join_path(dir, sizeof(dir), v2->mount, v2->own, NULL);
	if (!delegated(dir))
		return false;
	if (out != NULL)
		*out = v2;
	return true;
}

/* Not inlined: the text and the array stay off the stack of the checks' callers. */
static __attribute__((noinline)) bool
rootless_parent_found(void)
{
	cleanup_proc_cgroup struct proc_cgroup pc;
	pc.heap = NULL;
	return rootless_parent(&pc, NULL);
}

/* --- checks before anything exists ---------------------------------------- */

static long
online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

/* No device cgroup to narrow a --device to fewer than rwm: WHY says why there is none. */
static int
no_device_policy(const struct mr_resources *r, const char *why, struct mr_error *err)
{
	for (size_t i = 0; i < r->n_devices; i++)
		if (strcmp(r->devices[i].perms, "rwm") != 0)
			return mr_error_set(err, 0,
					    "--device %s:%s:%s: permissions need a device cgroup, "
					    "and %s",
					    r->devices[i].host, r->devices[i].path,
					    r->devices[i].perms, why);
	return 0;
}

/*
 * --cgroups=disabled (podman's flag): no cgroup, so nothing a cgroup holds.
 * As root that includes the device policy, the only thing that keeps a
 * node made with CAP_MKNOD (Docker's default grants it: "c *:* m") from
 * being opened.  The command line drops CAP_MKNOD from the default set;
 * asking for it again, or for CAP_SYS_ADMIN (which can mount devtmpfs or
 * lift the root's nodev), is refused, and the root and the volumes are
 * mounted nodev (mr_cgroup_devices_unguarded).  --privileged allows every
 * device anyway.
 */
static int
check_no_cgroup(const struct mr_spec *spec, bool rootless, struct mr_error *err)
{
	const struct mr_resources *r = &spec->resources;
	const char *flag = mr_resources_first_cgroup_flag(r);

	/* --cgroup-parent among them. */
	if (flag != NULL)
		return mr_error_set(err, 0, "%s: needs a cgroup, and --cgroups=disabled makes none",
				    flag);
	if (no_device_policy(r, "--cgroups=disabled makes none", err) < 0)
		return -1;
	if (rootless || spec->privileged)
		return 0;
	/*
	 * A mount the host adds below a slave or shared volume's source later
	 * arrives in the container with the host's flags, not nodev.
	 */
	for (size_t i = 0; i < spec->n_volumes; i++) {
		enum mr_volume_propagation prop = spec->volumes[i].propagation;
		if (prop == MR_PROPAGATION_SLAVE || prop == MR_PROPAGATION_RSLAVE ||
		    prop == MR_PROPAGATION_SHARED || prop == MR_PROPAGATION_RSHARED)
			return mr_error_set(err, 0,
					    "%s %s: not with --cgroups=disabled: a mount the host "
					    "adds there later would arrive without nodev, and no "
					    "device cgroup would stop its nodes",
					    spec->volumes[i].flag, spec->volumes[i].arg);
	}
	mr_capset unsafe = spec->caps & (MR_CAP_BIT(CAP_MKNOD) | MR_CAP_BIT(CAP_SYS_ADMIN));
	if (unsafe != 0) {
		cleanup_free char *names = mr_caps_to_string(unsafe);
		return mr_error_set(err, 0,
				    "--cap-add %s: not with --cgroups=disabled: without a "
				    "device cgroup a device node made or mounted in the "
				    "container could be opened (--privileged allows every "
				    "device)",
				    names ? names : "?");
	}
	return 0;
}

bool
mr_cgroup_devices_unguarded(const struct mr_spec *spec, bool userns)
{
	return spec->resources.no_cgroup && !userns && !spec->privileged;
}

int
mr_cgroup_check(const struct mr_spec *spec, bool rootless, struct mr_error *err)
{
	const struct mr_resources *r = &spec->resources;
	const char *flag = mr_resources_first_cgroup_flag(r);

	if (r->no_cgroup)
		return check_no_cgroup(spec, rootless, err);

	/*
	 * Rootless, the container's cgroup can only go into a cgroup delegated
	 * to the caller (see rootless_parent()); --cgroup-parent names a place
	 * relative to the hierarchy's root, which is root's.  Without such a
	 * cgroup, silently running without the limit would be worse than
	 * refusing.
	 */
	if (rootless && r->cgroup_parent != NULL)
		return mr_error_set(err, 0,
				    "--cgroup-parent: not available rootless (the container's "
				    "cgroup goes next to minirun's own, in the cgroup delegated "
				    "to uid %u)",
				    (unsigned)geteuid());
	if (rootless && flag != NULL && !rootless_parent_found())
		return mr_error_set(err, 0,
				    "%s: needs a cgroup, and rootless minirun can only create one "
				    "in a cgroup2 delegated to uid %u (the parent of its own "
				    "cgroup, with a writable cgroup.procs): none here",
				    flag, (unsigned)geteuid());
	if (rootless && no_device_policy(r, "none can be created without root", err) < 0)
		return -1;
	if (r->memory_swap != 0 && r->memory == 0)
		return mr_error_set(err, 0,
				    "--memory-swap: needs --memory as well (it is the limit "
				    "of memory plus swap)");
	if (r->memory_swap > 0 && r->memory_swap < r->memory) {
		char a[32], b[32];
		mr_format_size(r->memory_swap, a, sizeof(a));
		mr_format_size(r->memory, b, sizeof(b));
		return mr_error_set(err, 0,
				    "--memory-swap %s: must be at least --memory (%s): it is "
				    "the limit of memory plus swap",
				    a, b);
	}
	if (r->cpu_nanos > 0 && r->cpu_nanos > online_cpus() * 1000000000LL)
		return mr_error_set(
		    err, 0,
		    "--cpus %" PRId64 ".%02" PRId64 ": the range is 0.01 to %ld, as "
		    "there are only %ld CPUs available",
		    r->cpu_nanos / 1000000000, (r->cpu_nanos % 1000000000) / 10000000,
		    online_cpus(), online_cpus());
	if (r->cgroup_parent != NULL) {
		const char *s = r->cgroup_parent;
		/* ".." would climb above the hierarchy's root, into someone else's cgroup. */
		for (const char *c = s; *c; c++)
			if (c[0] == '.' && c[1] == '.' && (c == s || c[-1] == '/') &&
			    (c[2] == '/' || c[2] == '\0'))
				return mr_error_set(err, 0,
						    "--cgroup-parent %s: '..' is not allowed", s);
		if (strlen(s) > 512)
			return mr_error_set(err, 0, "--cgroup-parent: too long");
		if (mr_resources_cgroup_depth(s) > MR_CGROUP_MAX_PARENT_DEPTH)
			return mr_error_set(err, 0,
					    "--cgroup-parent %s: %zu levels, at most %d (each one "
					    "minirun makes is recorded for delete to remove)",
					    s, mr_resources_cgroup_depth(s),
					    MR_CGROUP_MAX_PARENT_DEPTH);
	}
	return 0;
}

/* --- create --------------------------------------------------------------- */

/* Remove DFD/NAME (locked exclusively as FD) if no process is in it. */
static void
remove_locked_if_empty(int dfd, const char *name, int fd)
{
	/* Never a non-empty one: rmdir would fail anyway, but say so by not trying. */
	if (procs_empty(fd))
		unlinkat(dfd, name, AT_REMOVEDIR);
}

static bool
is_container_name(const char *name)
{
	if (strncmp(name, NAME_PREFIX, strlen(NAME_PREFIX)) != 0)
		return false;
	const char *id = name + strlen(NAME_PREFIX);
	size_t len = strspn(id, "0123456789abcdef");
	return len == 12 && id[len] == '\0';
}

/*
 * Directories "minirun-<12 hex>" below this start's parent in X that no live
 * minirun holds (flock) and no process is in: left by a minirun that was
 * SIGKILLed.  One getdents of that parent, for each hierarchy this start
 * uses.  For the anchor (the first hierarchy mr_cgroup_create() makes and
 * locks, the last mr_cgroup_destroy() removes; every container has a
 * directory there) a stale name is also looked for in each other hierarchy
 * of H (N of them): so the memory or pids directories of a killed run with
 * limits are removed by a later run without any.  A live minirun holds the
 * lock on its anchor before it makes any other directory, so nothing of a
 * live one is touched.  Pass N = 0 for a hierarchy that is not the anchor.
 */
static __attribute__((noinline)) void
sweep_stale(const struct hierarchy *x, struct hierarchy *h, size_t n, const char *parent)
{
	/* One buffer, the directory's path and then each stale one's: a page less of stack. */
	char path[PATH_MAX];
	join_path(path, sizeof(path), x->mount, parent ? parent : x->own, NULL);
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || !is_container_name(e->d_name))
			continue;
		cleanup_close int afd =
		    openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (afd < 0 || flock(afd, LOCK_EX | LOCK_NB) < 0 || !procs_empty(afd))
			continue;
		for (size_t i = 0; i < n; i++) {
			/* Not looked up for this start (unused): the usual place, checked. */
			if (&h[i] == x || (!h[i].mounted && !find_mount_fast(&h[i], false)))
				continue;
			join_path(path, sizeof(path), h[i].mount, parent ? parent : h[i].own,
				  e->d_name);
			cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
				remove_locked_if_empty(AT_FDCWD, path, fd);
		}
		remove_locked_if_empty(dirfd(d), e->d_name, afd);
	}
	closedir(d);
}

static int setup_cpuset_v1(const struct mr_cgroup_dir *d, const char *cpus, const char *mems,
			   struct mr_error *err);

static int
make_parents(struct mr_cgroup *cg, const struct hierarchy *h, const char *parent,
	     struct mr_error *err)
{
	const char *mount = h->mount;
	char path[PATH_MAX];
	size_t len = (size_t)snprintf(path, sizeof(path), "%s/", mount);

	for (const char *s = parent; *s;) {
		while (*s == '/')
			s++;
		size_t n = strcspn(s, "/");
		if (n == 0)
			break;
		if (len + n + 2 >= sizeof(path))
			return mr_error_set(err, ENAMETOOLONG, "--cgroup-parent %s", parent);
		memcpy(path + len, s, n);
		len += n;
		path[len] = '\0';
		/*
		 * Every directory made is recorded before the next step, or
		 * neither the failure path nor delete could remove it.
		 * mr_cgroup_check bounds the depth; this is the backstop.
		 */
		if (cg->n_parents == MR_ARRAY_SIZE(cg->parents))
			return mr_error_set(err, E2BIG, "--cgroup-parent %s: too many levels",
					    parent);
		if (mkdir(path, 0755) == 0) {
			if ((cg->parents[cg->n_parents] = strdup(path)) == NULL) {
				rmdir(path);
				return mr_error_oom(err, "cgroup");
			}
			cg->n_parents++;
			/* A new cpuset v1 cgroup is empty: no child could take a task. */
			if (h->ctrls & MR_CG_CPUSET) {
				struct mr_cgroup_dir d = {.path = path, .dfd = -1};
				d.dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				int r = d.dfd < 0
					    ? mr_error_set(err, errno, "cgroup: open %s", path)
					    : setup_cpuset_v1(&d, NULL, NULL, err);
				if (d.dfd >= 0)
					close(d.dfd);
				if (r < 0)
					return -1;
			}
		} else if (errno != EEXIST) {
			return mr_error_set(err, errno, "--cgroup-parent: mkdir %s", path);
		}
		path[len++] = '/';
		s += n;
	}
	return 0;
}

static int
make_dir(struct mr_cgroup *cg, const struct hierarchy *h, const char *parent, const char *name,
	 struct mr_error *err)
{
	char path[PATH_MAX];
	struct mr_cgroup_dir *d = &cg->dirs[cg->n];

	if (parent != NULL && make_parents(cg, h, parent, err) < 0)
		return -1;
	join_path(path, sizeof(path), h->mount, parent ? parent : h->own, name);
	/*
	 * The lock is held until minirun exits: another minirun's sweep_stale()
	 * never takes a locked directory.  In the instant between mkdir and
	 * flock one may take it for stale and remove it (before the open, or
	 * before the flock: the lock then waits for it); make it again.
	 */
	for (int attempt = 0;; attempt++) {
		if (attempt == 8)
			return mr_error_set(err, ENOENT, "cgroup: %s keeps disappearing", path);
		if (mkdir(path, 0755) < 0) {
			if (errno == EEXIST && !is_container_name(name))
				return mr_error_set(
				    err, 0,
				    "cgroup %s exists: minirun runs a container only "
				    "in a cgroup it creates (a container of that "
				    "cgroupsPath still there, or another's cgroup)",
				    path);
			return mr_error_set(err, errno, "cgroup: mkdir %s", path);
		}
		d->dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d->dfd < 0 && errno == ENOENT)
			continue;
		if (d->dfd < 0)
			return mr_error_set(err, errno, "cgroup: open %s", path);
		if (flock(d->dfd, LOCK_SH) < 0) {
			int e = errno;
			close(d->dfd);
			rmdir(path);
			return mr_error_set(err, e, "cgroup: flock %s", path);
		}
		if (faccessat(d->dfd, "cgroup.procs", F_OK, 0) == 0)
			break;
		close(d->dfd);
	}
	d->path = strdup(path);
	if (d->path == NULL) {
		close(d->dfd);
		rmdir(path);
		return mr_error_oom(err, "cgroup");
	}
	d->ctrls = h->ctrls;
	d->v2 = h->v2;
	cg->n++;
	return 0;
}

/* cpuset v1 starts empty: a task cannot join until cpus and mems are set. */
static int
setup_cpuset_v1(const struct mr_cgroup_dir *d, const char *cpus, const char *mems,
		struct mr_error *err)
{
	char parent_cpus[1024], parent_mems[1024];
	cleanup_close int pfd = openat(d->dfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (pfd < 0 || read_small(pfd, "cpuset.cpus", parent_cpus, sizeof(parent_cpus)) < 0 ||
	    read_small(pfd, "cpuset.mems", parent_mems, sizeof(parent_mems)) < 0)
		return mr_error_set(err, errno, "cgroup %s: read the parent's cpuset", d->path);
	parent_cpus[strcspn(parent_cpus, "\n")] = '\0';
	parent_mems[strcspn(parent_mems, "\n")] = '\0';
	const char *sets[][4] = {{"cpuset.mems", mems, parent_mems, "--cpuset-mems"},
				 {"cpuset.cpus", cpus, parent_cpus, "--cpuset-cpus"}};
	for (size_t i = 0; i < MR_ARRAY_SIZE(sets); i++) {
		const char *want = sets[i][1] ? sets[i][1] : sets[i][2];
		cleanup_close int fd = openat(d->dfd, sets[i][0], O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write(fd, want, strlen(want)) == (ssize_t)strlen(want))
			continue;
		/* The kernel's EINVAL: a CPU or node the parent does not have. */
		if (sets[i][1] != NULL)
			return mr_error_set(err, 0, "%s %s: not available (available: %s)",
					    sets[i][3], want, sets[i][2]);
		return mr_error_set(err, errno, "cgroup %s: write %s to %s", d->path, want,
				    sets[i][0]);
	}
	return 0;
}

/* v1: what only an OCI config sets in the memory controller. */
static int
apply_memory_extra_v1(const struct mr_resources *r, const struct mr_cgroup_dir *d,
		      struct mr_error *err)
{
	static const char *const f = "linux.resources.memory";

	if (r->memory_reservation > 0) {
		if (cg_writef(d, "memory.soft_limit_in_bytes", f, err, "%" PRId64,
			      r->memory_reservation) < 0)
			return -1;
	}
	if (r->swappiness_set) {
		if (cg_writef(d, "memory.swappiness", f, err, "%" PRId64, r->memory_swappiness) < 0)
			return -1;
	}
	if (r->kernel_tcp > 0) {
		if (cg_writef(d, "memory.kmem.tcp.limit_in_bytes", f, err, "%" PRId64,
			      r->kernel_tcp) < 0)
			return -1;
	}
	/* The container's processes wait (under_oom) instead of being killed. */
	if (r->disable_oom_killer && cg_write(d, "memory.oom_control", "1", f, err) < 0)
		return -1;
	return 0;
}

/* v1: an OCI config's cpu values, written as given (Docker's --cpus is apply_v1's). */
static int
apply_cpu_extra_v1(const struct mr_resources *r, const struct mr_cgroup_dir *d,
		   struct mr_error *err)
{
	static const char *const f = "linux.resources.cpu";

	/* The period first: the quota is checked against it (and the parent's). */
	if (r->cpu_period > 0) {
		if (cg_writef(d, "cpu.cfs_period_us", f, err, "%" PRIu64, r->cpu_period) < 0)
			return -1;
	}
	if (r->cpu_quota != 0) {
		if (cg_writef(d, "cpu.cfs_quota_us", f, err, "%" PRId64, r->cpu_quota) < 0)
			return -1;
	}
	if (r->cpu_rt_period > 0) {
		if (cg_writef(d, "cpu.rt_period_us", f, err, "%" PRIu64, r->cpu_rt_period) < 0)
			return -1;
	}
	if (r->cpu_rt_runtime != 0) {
		if (cg_writef(d, "cpu.rt_runtime_us", f, err, "%" PRId64, r->cpu_rt_runtime) < 0)
			return -1;
	}
	if (r->cpu_idle_set && cg_write(d, "cpu.idle", r->cpu_idle ? "1" : "0", f, err) < 0)
		return -1;
	return 0;
}

/*
 * The limit of memory plus swap, -1 for none.  Docker's default without
 * --memory-swap: as much swap again as memory.  Twice a --memory above
 * 4 EiB is past int64 (it wrapped to a negative value, which the kernel
 * refused, blaming a --memory-swap never given): no limit, as twice
 * any real memory would be.
 */
static int64_t
memory_plus_swap(const struct mr_resources *r)
{
	if (r->memory_swap != 0)
		return r->memory_swap;
	return r->memory > INT64_MAX / 2 ? -1 : 2 * r->memory;
}

static int
apply_v1(const struct mr_prepared *p, struct mr_cgroup *cg, const struct mr_cgroup_dir *d,
	 struct mr_error *err)
{
	const struct mr_resources *r = &p->spec->resources;

	if (d->ctrls & MR_CG_DEVICES &&
	    mr_devices_apply_v1(d->dfd, d->path, p->spec->privileged, r->ordered_rules, r->devices,
				r->n_devices, err) < 0)
		return -1;
	if (d->ctrls & MR_CG_CPUSET && setup_cpuset_v1(d, r->cpuset_cpus, r->cpuset_mems, err) < 0)
		return -1;
	if (d->ctrls & MR_CG_MEMORY && apply_memory_extra_v1(r, d, err) < 0)
		return -1;
	if (d->ctrls & MR_CG_MEMORY && r->memory > 0) {
		if (cg_writef(d, "memory.limit_in_bytes", "--memory", err, "%" PRId64, r->memory) <
		    0)
			return -1;
		int64_t sw = memory_plus_swap(r);
		if (cg_writef(d, "memory.memsw.limit_in_bytes", "--memory-swap", err, "%" PRId64,
			      sw) < 0) {
			/* No swap accounting in this kernel: only an explicit request fails. */
			if (err->errnum != ENOENT || r->memory_swap != 0)
				return -1;
			mr_error_clear(err);
		}
		cg->memory_limit = r->memory;
	}
	if (d->ctrls & MR_CG_PIDS && r->pids_set) {
		int w = r->pids_limit > 0 ? cg_writef(d, "pids.max", "--pids-limit", err,
						      "%" PRId64, r->pids_limit)
					  : cg_write(d, "pids.max", "max", "--pids-limit", err);
		if (w < 0)
			return -1;
	}
	if (d->ctrls & MR_CG_CPU && apply_cpu_extra_v1(r, d, err) < 0)
		return -1;
	if (d->ctrls & MR_CG_CPU && r->cpu_nanos > 0) {
		if (cg_writef(d, "cpu.cfs_period_us", "--cpus", err, "%d", MR_CPU_PERIOD_US) < 0)
			return -1;
		if (cg_writef(d, "cpu.cfs_quota_us", "--cpus", err, "%" PRId64,
			      r->cpu_nanos * MR_CPU_PERIOD_US / 1000000000) < 0)
			return -1;
	}
	if (d->ctrls & MR_CG_CPU && r->cpu_shares > 0) {
		if (cg_writef(d, "cpu.shares", "--cpu-shares", err, "%" PRIu64, r->cpu_shares) < 0)
			return -1;
	}
	return 0;
}

/* Pure cgroup v2: the controllers must be enabled in the parent by its owner. */
static int
need_v2_controller(const struct mr_cgroup_dir *d, const char *ctrl, const char *flag,
		   struct mr_error *err)
{
	char buf[512];
	if (read_small(d->dfd, "cgroup.controllers", buf, sizeof(buf)) >= 0) {
		for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
			if (strcmp(t, ctrl) == 0)
				return 0;
	}
	return mr_error_set(err, 0,
			    "%s: the %s controller is not enabled for %s (the parent cgroup's "
			    "cgroup.subtree_control, which minirun does not change)",
			    flag, ctrl, d->path);
}

/*
 * Pure v2: an OCI config's values, converted as runc and crun do: the soft
 * limit is memory.low, quota and period are cpu.max.  v1-only knobs
 * (swappiness, the OOM killer switch, kernelTCP, realtime) have no cgroup2
 * file: refused, as crun refuses them, rather than silently dropped.
 */
static int
apply_oci_v2(const struct mr_resources *r, const struct mr_cgroup_dir *d, struct mr_error *err)
{
	static const char *const fm = "linux.resources.memory", *const fc = "linux.resources.cpu";

	if (r->swappiness_set || r->disable_oom_killer || r->kernel_tcp > 0)
		return mr_error_set(err, 0, "%s.%s: cgroup v2 has no such setting", fm,
				    r->swappiness_set	    ? "swappiness"
				    : r->disable_oom_killer ? "disableOOMKiller"
							    : "kernelTCP");
	if (r->cpu_rt_period > 0 || r->cpu_rt_runtime != 0)
		return mr_error_set(err, 0, "%s.%s: cgroup v2 has no realtime budget", fc,
				    r->cpu_rt_period > 0 ? "realtimePeriod" : "realtimeRuntime");
	if (r->memory_reservation > 0) {
		if (need_v2_controller(d, "memory", fm, err) < 0)
			return -1;
		if (cg_writef(d, "memory.low", fm, err, "%" PRId64, r->memory_reservation) < 0)
			return -1;
	}
	if (r->cpu_quota != 0 || r->cpu_period > 0 || r->cpu_idle_set) {
		if (need_v2_controller(d, "cpu", fc, err) < 0)
			return -1;
	}
	if (r->cpu_quota != 0 || r->cpu_period > 0) {
		/* "max" for no quota; the kernel's default period when none is given. */
		uint64_t period = r->cpu_period > 0 ? r->cpu_period : MR_CPU_PERIOD_US;
		int w = r->cpu_quota > 0 ? cg_writef(d, "cpu.max", fc, err, "%" PRId64 " %" PRIu64,
						     r->cpu_quota, period)
					 : cg_writef(d, "cpu.max", fc, err, "max %" PRIu64, period);
		if (w < 0)
			return -1;
	}
	if (r->cpu_idle_set && cg_write(d, "cpu.idle", r->cpu_idle ? "1" : "0", fc, err) < 0)
		return -1;
	return 0;
}

static int
apply_v2(const struct mr_prepared *p, struct mr_cgroup *cg, const struct mr_cgroup_dir *d,
	 struct mr_error *err)
{
	const struct mr_resources *r = &p->spec->resources;

	if (r->memory > 0) {
		if (need_v2_controller(d, "memory", "--memory", err) < 0)
			return -1;
		if (cg_writef(d, "memory.max", "--memory", err, "%" PRId64, r->memory) < 0)
			return -1;
		int64_t sw = memory_plus_swap(r);
		int w = sw < 0 ? cg_write(d, "memory.swap.max", "max", "--memory-swap", err)
			       : cg_writef(d, "memory.swap.max", "--memory-swap", err, "%" PRId64,
					   sw - r->memory);
		if (w < 0) {
			if (err->errnum != ENOENT || r->memory_swap != 0)
				return -1;
			mr_error_clear(err);
		}
		cg->memory_limit = r->memory;
	}
	if (r->pids_set) {
		if (need_v2_controller(d, "pids", "--pids-limit", err) < 0)
			return -1;
		int w = r->pids_limit > 0 ? cg_writef(d, "pids.max", "--pids-limit", err,
						      "%" PRId64, r->pids_limit)
					  : cg_write(d, "pids.max", "max", "--pids-limit", err);
		if (w < 0)
			return -1;
	}
	if (r->cpu_nanos > 0 || r->cpu_shares > 0) {
		if (need_v2_controller(d, "cpu", r->cpu_nanos ? "--cpus" : "--cpu-shares", err) < 0)
			return -1;
	}
	if (r->cpu_nanos > 0) {
		if (cg_writef(d, "cpu.max", "--cpus", err, "%" PRId64 " %d",
			      r->cpu_nanos * MR_CPU_PERIOD_US / 1000000000, MR_CPU_PERIOD_US) < 0)
			return -1;
	}
	if (r->cpu_shares > 0) {
		/* The conversion runc and crun use: shares 2..262144 -> weight 1..10000. */
		if (cg_writef(d, "cpu.weight", "--cpu-shares", err, "%" PRIu64,
			      1 + ((r->cpu_shares - 2) * 9999) / 262142) < 0)
			return -1;
	}
	if (r->cpuset_cpus != NULL) {
		if (need_v2_controller(d, "cpuset", "--cpuset-cpus", err) < 0)
			return -1;
		if (cg_write(d, "cpuset.cpus", r->cpuset_cpus, "--cpuset-cpus", err) < 0)
			return -1;
	}
	if (r->cpuset_mems != NULL) {
		if (need_v2_controller(d, "cpuset", "--cpuset-mems", err) < 0)
			return -1;
		if (cg_write(d, "cpuset.mems", r->cpuset_mems, "--cpuset-mems", err) < 0)
			return -1;
	}
	return apply_oci_v2(r, d, err);
}

static int
container_id(const struct mr_prepared *p, char *out, size_t size, struct mr_error *err)
{
	unsigned char r[6];

	/* The default hostname is the container's random id (Docker's short id). */
	if (p->spec->hostname == NULL && strlen(p->hostname) == 12) {
		snprintf(out, size, "%s", p->hostname);
		return 0;
	}
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return mr_error_set(err, errno, "cgroup: getrandom");
	snprintf(out, size, "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5]);
	return 0;
}

/*
 * The v1 controllers a container needs a directory for.  Each mkdir in a
 * v1 hierarchy costs (memory and cpuset ~0.1 ms each, plus the join and the
 * rmdir), so only the device policy is always there; the others only when a
 * limit is theirs.  The freezer is added by mr_cgroup_create() only for a
 * container whose processes can outlive its init or minirun, and only when
 * there is no cgroup.kill to empty the cgroup with.
 */
static unsigned
needed_v1(const struct mr_resources *r)
{
	unsigned need = MR_CG_DEVICES;
	if (r->memory > 0 || r->memory_section)
		need |= MR_CG_MEMORY;
	if (r->pids_set)
		need |= MR_CG_PIDS;
	if (r->cpu_nanos > 0 || r->cpu_shares > 0 || r->cpu_section)
		need |= MR_CG_CPU;
	if (r->cpuset_cpus != NULL || r->cpuset_mems != NULL || r->cpu_section)
		need |= MR_CG_CPUSET;
	return need;
}

/* The flag behind a v1 controller, for "no hierarchy" errors. */
static const char *
controller_flag(unsigned bit, const struct mr_resources *r)
{
	switch (bit) {
	case MR_CG_MEMORY:
		return r->memory_section ? "linux.resources.memory" : "--memory";
	case MR_CG_PIDS:
		return "--pids-limit";
	case MR_CG_CPU:
		return r->cpu_section	  ? "linux.resources.cpu"
		       : r->cpu_nanos > 0 ? "--cpus"
					  : "--cpu-shares";
	case MR_CG_CPUSET:
		return r->cpu_section ? "linux.resources.cpu" : "--cpuset-cpus";
	default:
		return "the device policy";
	}
}

/*
 * Rootless, with a limit: one cgroup2 directory in the delegated parent,
 * the limits in it.  No device program (loading one needs CAP_BPF; the
 * user namespace already refuses mknod of a real device), no v1 hierarchy
 * (cgroupfs v1 is never delegated), no --cgroup-parent (refused earlier).
 */
/* Not inlined: its proc_cgroup stays out of mr_cgroup_create's frame. */
static __attribute__((noinline)) int
create_rootless(const struct mr_prepared *p, struct mr_cgroup *cg, const char *name,
		struct mr_error *err)
{
	cleanup_proc_cgroup struct proc_cgroup pc;
	struct hierarchy *x;

	pc.heap = NULL;
	if (!rootless_parent(&pc, &x))
		return mr_error_set(err, 0, "%s: no delegated cgroup found (any more)",
				    mr_resources_first_cgroup_flag(&p->spec->resources));
	sweep_stale(x, NULL, 0, NULL);
	if (make_dir(cg, x, NULL, name, err) < 0)
		return -1;
	/* On a hybrid host the unified hierarchy has no controllers: refused there. */
	if (apply_v2(p, cg, &cg->dirs[0], err) < 0) {
		mr_cgroup_destroy(cg);
		return -1;
	}
	return 0;
}

/*
 * A container that can make a cgroup namespace of its own (its seccomp
 * filter lets unshare, clone or clone3 do it: unconfined, learning,
 * complaining, CAP_SYS_ADMIN under Docker's profile, a profile file that
 * allows it; or CAP_SYS_ADMIN, which may mount a hierarchy at the present
 * namespace's root) gets it rooted at its cgroup in each hierarchy.  In a v1
 * hierarchy where it has none, that is minirun's cgroup, the host's: from a
 * user namespace of its own the container mounted it and wrote it as its
 * owner (uid 0), made child cgroups, changed limits.  So it gets one in every
 * v1 hierarchy, as runc makes.  The same with a user namespace of the
 * config's (OCI uidMappings): the cgroup namespace minirun makes belongs to
 * it, so CAP_SYS_ADMIN there mounts any v1 hierarchy at that root and reads
 * the host's tree below it, and writes it where hostID 0 is mapped.
 * Rootless, minirun can make no v1 cgroup (and those it is in are the
 * caller's); --privileged is given them anyway.
 */
static bool
every_hierarchy(const struct mr_prepared *p)
{
	if (p->rootless || p->spec->privileged)
		return false;
	return p->lets_cgroupns || (p->bounding & MR_CAP_BIT(CAP_SYS_ADMIN));
}

int
mr_cgroup_create(const struct mr_prepared *p, bool pausable, struct mr_cgroup *cg,
		 struct mr_error *err)
{
	cleanup_proc_cgroup struct proc_cgroup pc;
	struct hierarchy *h = pc.h;
	size_t order[MR_ARRAY_SIZE(pc.h)], no = 0;
	char id[16], name[NAME_MAX + 1];
	const struct mr_resources *r = &p->spec->resources;
	const char *parent = r->cgroup_parent;
	bool any_v1 = false, v1_devices = false;
	unsigned need = needed_v1(r), got = 0;

	pc.heap = NULL;
	memset(cg, 0, sizeof(*cg));
	cg->disabled = r->no_cgroup;
	if (cg->disabled)
		return 0;
	/*
	 * The freezer empties the cgroup without a race against fork (kill_all)
	 * where no cgroup2 directory gives cgroup.kill.  A container with its
	 * own pid namespace needs neither: when its init dies the kernel kills
	 * and reaps every other process of it before the init's exit is
	 * reported (zap_pid_ns_processes).  The freezer's mkdir, join, mount and
	 * rmdir cost about 0.08 ms a start: kept where processes can outlive the
	 * init (a joined pid namespace) or minirun (OCI: pause, kill --all).
	 */
	if (pausable || mr_spec_joins(p->spec, MR_JOIN_PID))
		need |= MR_CG_FREEZER;
	bool every = every_hierarchy(p);
	unsigned shown = need;
	if (every)
		need = ~0u;
	/* Rootless a cgroup is only made for a limit (no device policy needs one). */
	if (p->rootless && mr_resources_first_cgroup_flag(r) == NULL)
		return 0;
	if (p->rootless) {
		if (container_id(p, id, sizeof(id), err) < 0)
			return -1;
		snprintf(name, sizeof(name), NAME_PREFIX "%s", id);
		return create_rootless(p, cg, name, err);
	}
	if (read_proc_cgroup("/proc/self/cgroup", &pc, err) < 0)
		return -1;
	if (!find_mounts_fast(h, pc.n, need) && find_mounts(h, pc.n, err) < 0)
		return -1;
	/*
	 * The order: cgroup2 first (it says whether cgroup.kill exists, which
	 * decides about the freezer), then the devices hierarchy, then the
	 * rest.  The first is the anchor of sweep_stale(), and
	 * mr_cgroup_destroy() removes in the reverse order.
	 */
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < pc.n; i++) {
			bool dev = !h[i].v2 && (h[i].ctrls & MR_CG_DEVICES);
			if (h[i].mounted && (pass == 0	 ? h[i].v2
					     : pass == 1 ? dev
							 : !h[i].v2 && !dev))
				order[no++] = i;
			/* Hybrid: v1 hierarchies are listed (pure v2 lists only "0::"). */
			if (!h[i].v2)
				any_v1 = true;
			if (pass == 0 && h[i].mounted && !h[i].v2 && (h[i].ctrls & MR_CG_DEVICES))
				v1_devices = true;
		}
	if (r->cgroup_name != NULL) {
		if (strlen(r->cgroup_name) >= sizeof(name))
			return mr_error_set(err, ENAMETOOLONG, "cgroup %s", r->cgroup_name);
		snprintf(name, sizeof(name), "%s", r->cgroup_name);
	} else {
		if (container_id(p, id, sizeof(id), err) < 0)
			return -1;
		snprintf(name, sizeof(name), NAME_PREFIX "%s", id);
	}

	bool swept = false;
	for (size_t k = 0; k < no; k++) {
		struct hierarchy *x = &h[order[k]];
		if ((!x->v2 && !every && !(x->ctrls & need)) || cg->n == MR_CGROUP_MAX_DIRS)
			continue;
		sweep_stale(x, h, swept ? 0 : pc.n, parent);
		swept = true;
		if (make_dir(cg, x, parent, name, err) < 0)
			goto fail;
		struct mr_cgroup_dir *d = &cg->dirs[cg->n - 1];
		d->hidden = !d->v2 && !(d->ctrls & shown);
		if (d->v2 && faccessat(d->dfd, "cgroup.kill", F_OK, 0) == 0)
			need &= ~(unsigned)MR_CG_FREEZER;
		got |= d->ctrls;
		/*
		 * Hybrid: the limits are in the v1 hierarchies; the cgroup2 one has
		 * no controllers but gives cgroup.kill.
		 */
		if (d->v2 ? !any_v1 && apply_v2(p, cg, d, err) < 0 : apply_v1(p, cg, d, err) < 0)
			goto fail;
		/*
		 * The device policy is enforced once: by the v1 devices controller
		 * where there is one (hybrid), else by a BPF program on the cgroup2
		 * directory (pure v2).  Both would work on a hybrid host, but two
		 * policies to keep identical and a second check on every open of a
		 * device buy nothing.
		 */
		if (d->v2 && !v1_devices &&
		    mr_devices_apply_v2(d->dfd, d->path, p->spec->privileged, r->ordered_rules,
					r->devices, r->n_devices, err) < 0)
			goto fail;
	}
	/* A limit whose hierarchy is not mounted would silently not be applied. */
	unsigned missing = any_v1 ? needed_v1(r) & ~got & ~(unsigned)MR_CG_DEVICES : 0;
	for (unsigned bit = 1; missing != 0; bit <<= 1)
		if (missing & bit) {
			mr_error_set(err, 0, "%s: no cgroup v1 hierarchy with that controller",
				     controller_flag(bit, r));
			goto fail;
		}
	return 0;
fail:
	mr_cgroup_destroy(cg);
	return -1;
}

int
mr_cgroup_clone_fd(struct mr_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->dirs[i].v2) {
			cg->cloned_into = true;
			return cg->dirs[i].dfd;
		}
	return -1;
}

void
mr_cgroup_clone_into_failed(struct mr_cgroup *cg)
{
	cg->cloned_into = false;
}

int
mr_cgroup_join_self(const struct mr_cgroup *cg, struct mr_error *err)
{
	for (size_t i = 0; i < cg->n; i++) {
		const struct mr_cgroup_dir *d = &cg->dirs[i];
		if (d->v2 && cg->cloned_into)
			continue;
		/* v2 has no "tasks"; its cgroup.procs with 0 is "this process". */
		if (cg_write(d, d->v2 ? "cgroup.procs" : "tasks", "0", NULL, err) < 0)
			return -1;
	}
	return 0;
}

bool
mr_cgroup_has_own(const struct mr_cgroup *cg, const char *controllers)
{
	bool v2 = controllers[0] == '\0';
	unsigned bits = v2 ? 0 : controller_bits(controllers, strlen(controllers));

	if (!v2 && bits == 0)
		return false;
	for (size_t i = 0; i < cg->n; i++)
		if (cg->dirs[i].v2 == v2 && (v2 || cg->dirs[i].ctrls == bits) &&
		    !cg->dirs[i].hidden)
			return true;
	return false;
}

bool
mr_cgroup_oom_killed(const struct mr_cgroup *cg)
{
	/* oom_kill counts the processes the OOM killer chose (v1: Linux 4.13+). */
	for (size_t i = 0; i < cg->n; i++)
		if (!cg->dirs[i].v2 && (cg->dirs[i].ctrls & MR_CG_MEMORY))
			return keyed_value(cg->dirs[i].dfd, "memory.oom_control", "oom_kill") > 0;
	/* No v1 memory hierarchy: the cgroup2 one has the limit (pure v2). */
	for (size_t i = 0; i < cg->n; i++)
		if (cg->dirs[i].v2 && cg->memory_limit > 0)
			return keyed_value(cg->dirs[i].dfd, "memory.events", "oom_kill") > 0;
	return false;
}

int
mr_cgroup_check_oom(const struct mr_cgroup *cg, const struct mr_prepared *p, int exit_status,
		    struct mr_error *err)
{
	if (exit_status != 128 + SIGKILL || !mr_cgroup_oom_killed(cg))
		return 0;
	char limit[32];
	mr_format_size(cg->memory_limit, limit, sizeof(limit));
	/* With --name the CLI puts the name in front of every error line. */
	const char *name = p->spec->name != NULL ? "" : p->hostname;
	return mr_error_set_status(err, exit_status, 0,
				   "%s%skilled: out of memory (memory limit %s)", name,
				   *name ? ": " : "", limit);
}

static void
kill_pids_in(int dfd)
{
	char buf[16384];
	if (read_small(dfd, "cgroup.procs", buf, sizeof(buf)) <= 0)
		return;
	for (char *s = buf; *s;) {
		char *end;
		long pid = strtol(s, &end, 10);
		if (end == s)
			break;
		if (pid > 0)
			kill((pid_t)pid, SIGKILL);
		s = end;
		while (*s == '\n')
			s++;
	}
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000};
	nanosleep(&ts, NULL);
}

/* Every process in the container's cgroup, also those that left its pid namespace. */
static void
kill_all(const struct mr_cgroup *cg)
{
	const struct mr_cgroup_dir *freezer = NULL, *any = NULL;

	/* cgroup.kill (Linux 5.14): one write, no race with fork, cheap when empty. */
	for (size_t i = 0; i < cg->n; i++)
		if (cg->dirs[i].v2 && cg_write(&cg->dirs[i], "cgroup.kill", "1", NULL, NULL) == 0)
			return;
	/* Every directory holds the same processes: look at one. */
	for (size_t i = 0; i < cg->n; i++) {
		if (any == NULL)
			any = &cg->dirs[i];
		if (cg->dirs[i].ctrls & MR_CG_FREEZER)
			freezer = any = &cg->dirs[i];
	}
	if (any == NULL || procs_empty(any->dfd))
		return;
	if (freezer == NULL) {
		/* Best effort: a process forking right now could slip through. */
		kill_pids_in(any->dfd);
		return;
	}
	/* Frozen, nothing can fork between reading cgroup.procs and the kills. */
	if (cg_write(freezer, "freezer.state", "FROZEN", NULL, NULL) == 0) {
		char st[32];
		for (int i = 0; i < 100; i++) {
			if (read_small(freezer->dfd, "freezer.state", st, sizeof(st)) > 0 &&
			    strncmp(st, "FROZEN", 6) == 0)
				break;
			sleep_ms(1);
		}
	}
	kill_pids_in(freezer->dfd);
	/* SIGKILL is delivered to frozen tasks once they are thawed. */
	cg_write(freezer, "freezer.state", "THAWED", NULL, NULL);
}

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static int
pids_of(int dfd, struct pid_list *l, const char *dir, struct mr_error *err)
{
	int fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	cleanup_file FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
	char line[32];
	if (f == NULL) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return mr_error_set(err, e, "cgroup %s: cgroup.procs", dir);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 64;
			pid_t *v = realloc(l->v, cap * sizeof(*v));
			if (v == NULL)
				return mr_error_oom(err, "cgroup pids");
			l->v = v;
			l->cap = cap;
		}
		l->v[l->n++] = (pid_t)strtol(line, NULL, 10);
	}
	return 0;
}

/* DFD's pids, then each child cgroup's, depth first; DEPTH levels below DIR. */
static int
tree_pids(int dfd, unsigned depth, struct pid_list *l, const char *dir, struct mr_error *err)
{
	if (pids_of(dfd, l, dir, err) < 0)
		return -1;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_dir DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return mr_error_set(err, e, "cgroup %s: list", dir);
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		if (depth == MR_CGROUP_TREE_DEPTH)
			return mr_error_set(err, 0,
					    "cgroup %s: the container nested cgroups more than %d "
					    "levels deep",
					    dir, MR_CGROUP_TREE_DEPTH);
		cleanup_close int child =
		    openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		/* Removed since readdir saw it: nothing in it any more. */
		if (child < 0 && errno == ENOENT)
			continue;
		if (child < 0)
			return mr_error_set(err, errno, "cgroup %s: %s", dir, e->d_name);
		if (tree_pids(child, depth + 1, l, dir, err) < 0)
			return -1;
	}
	return 0;
}

int
mr_cgroup_tree_pids(const char *dir, pid_t **pids, size_t *n, struct mr_error *err)
{
	struct pid_list l = {0};
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*pids = NULL;
	*n = 0;
	if (dfd < 0)
		return mr_error_set(err, errno, "cgroup %s", dir);
	if (tree_pids(dfd, 0, &l, dir, err) < 0) {
		free(l.v);
		return -1;
	}
	*pids = l.v;
	*n = l.n;
	return 0;
}

/* The first directory in DFD other than "." and "..": 1 and NAME, 0 if none, -1. */
static int
first_subdir(int dfd, char name[NAME_MAX + 1])
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int r = 0;
	for (struct dirent *e; r == 0 && (e = readdir(d)) != NULL;)
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) {
			snprintf(name, NAME_MAX + 1, "%s", e->d_name);
			r = 1;
		}
	closedir(d);
	return r;
}

/*
 * Remove every cgroup below DFD, deepest first: those the container made
 * in its own.  With CAP_SYS_ADMIN it mounts its cgroup namespace's view
 * read-write (systemd and docker in a container do), and a child cgroup
 * keeps rmdir of the container's failing with EBUSY: it stayed on the
 * host.  Iterative, back up through "..", which in cgroupfs is always the
 * parent: the container may nest deeper than any fd or stack limit.  0 once
 * none is left; -1 if one still holds a process (killed, not yet gone).
 */
static int
remove_descendants(int dfd)
{
	cleanup_close int cur = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char name[NAME_MAX + 1];
	size_t depth = 0;

	/* Each step removes, enters or leaves one: bounded by what the kernel lets exist. */
	for (long step = 0; cur >= 0 && step < 4 * 1024 * 1024; step++) {
		int r = first_subdir(cur, name);
		if (r < 0)
			return -1;
		if (r == 1) {
			if (unlinkat(cur, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
				continue;
			if (errno != EBUSY && errno != ENOTEMPTY)
				return -1;
			int child =
			    openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (child < 0 || first_subdir(child, name) != 1) {
				/* A leaf that a dying process still holds: next time. */
				if (child >= 0)
					close(child);
				return -1;
			}
			close(cur);
			cur = child;
			depth++;
			continue;
		}
		if (depth == 0)
			return 0;
		int up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = up;
		depth--;
	}
	return -1;
}

/*
 * The container's directory D, and what the container made in it: those
 * are looked for only once rmdir failed, the one call of every clean run.
 */
static int
remove_dir(const struct mr_cgroup_dir *d)
{
	if (rmdir(d->path) == 0)
		return 0;
	if (errno != EBUSY && errno != ENOTEMPTY)
		return -1;
	remove_descendants(d->dfd);
	return rmdir(d->path);
}

void
mr_cgroup_destroy(struct mr_cgroup *cg)
{
	if (cg->n > 0)
		kill_all(cg);
	/* Last made, first removed: the anchor of sweep_stale() goes last. */
	for (size_t i = cg->n; i-- > 0;) {
		struct mr_cgroup_dir *d = &cg->dirs[i];
		/* EBUSY while killed tasks are still exiting: retry for up to 2 s. */
		for (int t = 0; remove_dir(d) < 0 && errno == EBUSY && t < 2000; t++) {
			if (t % 100 == 99)
				kill_all(cg);
			sleep_ms(1);
		}
		close(d->dfd);
		free(d->path);
	}
	/* --cgroup-parent directories minirun made, deepest first; shared ones stay. */
	while (cg->n_parents > 0) {
		char *path = cg->parents[--cg->n_parents];
		if (path)
			rmdir(path);
		free(path);
	}
	memset(cg, 0, sizeof(*cg));
}

int
mr_cgroup_reopen(char *const *paths, size_t n, struct mr_cgroup *cg, struct mr_error *err)
{
	memset(cg, 0, sizeof(*cg));
	for (size_t i = 0; i < n && cg->n < MR_CGROUP_MAX_DIRS; i++) {
		struct mr_cgroup_dir *d = &cg->dirs[cg->n];
		struct statfs sf;
		/* Gone already (another minirun's sweep of an empty one): nothing to do. */
		d->dfd = open(paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d->dfd < 0)
			continue;
		d->path = strdup(paths[i]);
		if (d->path == NULL) {
			close(d->dfd);
			mr_cgroup_destroy(cg);
			return mr_error_oom(err, "cgroup");
		}
		d->v2 = fstatfs(d->dfd, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
		if (!d->v2 && faccessat(d->dfd, "freezer.state", F_OK, 0) == 0)
			d->ctrls = MR_CG_FREEZER;
		cg->n++;
	}
	return 0;
}

/* --- reading it back: --verbose and minirun inspect ------------------------ */

/* FILE in DFD, its first line without the newline, or NULL. */
static const char *
read_line(int dfd, const char *file, char *buf, size_t size)
{
	if (read_small(dfd, file, buf, size) < 0)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* A byte count as "67108864 (64 MiB)"; the kernel's "no limit" values as "max". */
static void
print_bytes(FILE *out, const char *prefix, const char *what, const char *v)
{
	char *end;
	long long n = strtoll(v, &end, 10);
	char size[32];
	/* v1 says "no limit" with PAGE_COUNTER_MAX pages: anything above 2^62. */
	if (strcmp(v, "max") == 0 || n < 0 || n > (1LL << 62) || *end != '\0') {
		fprintf(out, "%slimit %s: max\n", prefix, what);
		return;
	}
	mr_format_size(n, size, sizeof(size));
	fprintf(out, "%slimit %s: %lld (%s)\n", prefix, what, n, size);
}

/* The limits of D, or (DEVICES) its device rules. */
static void
describe_dir(FILE *out, const char *prefix, const struct mr_cgroup_dir *d, bool devices)
{
	char a[1024], b[64];
	const char *v, *w;

	if (devices) {
		char list[8192];
		if (!(d->ctrls & MR_CG_DEVICES) ||
		    read_small(d->dfd, "devices.list", list, sizeof(list)) < 0)
			return;
		for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(out, "%sdevice %s\n", prefix, line);
		return;
	}
	if (d->v2) {
		/* Pure v2 (on a hybrid host the cgroup2 directory has no controller files). */
		if ((v = read_line(d->dfd, "memory.max", a, sizeof(a))) != NULL)
			print_bytes(out, prefix, "memory", v);
		if ((v = read_line(d->dfd, "memory.swap.max", a, sizeof(a))) != NULL)
			print_bytes(out, prefix, "swap", v);
		if ((v = read_line(d->dfd, "pids.max", a, sizeof(a))) != NULL)
			fprintf(out, "%slimit pids: %s\n", prefix, v);
		if ((v = read_line(d->dfd, "cpu.max", a, sizeof(a))) != NULL)
			fprintf(out, "%slimit cpu.max: %s\n", prefix, v);
		if ((v = read_line(d->dfd, "cpu.weight", a, sizeof(a))) != NULL)
			fprintf(out, "%slimit cpu.weight: %s\n", prefix, v);
		if ((v = read_line(d->dfd, "cpuset.cpus", a, sizeof(a))) != NULL && *v)
			fprintf(out, "%slimit cpuset-cpus: %s\n", prefix, v);
		return;
	}
	if ((d->ctrls & MR_CG_MEMORY) &&
	    (v = read_line(d->dfd, "memory.limit_in_bytes", a, sizeof(a))) != NULL) {
		print_bytes(out, prefix, "memory", v);
		if ((v = read_line(d->dfd, "memory.memsw.limit_in_bytes", a, sizeof(a))) != NULL)
			print_bytes(out, prefix, "memory+swap", v);
	}
	if ((d->ctrls & MR_CG_PIDS) && (v = read_line(d->dfd, "pids.max", a, sizeof(a))) != NULL)
		fprintf(out, "%slimit pids: %s\n", prefix, v);
	if ((d->ctrls & MR_CG_CPU) &&
	    (v = read_line(d->dfd, "cpu.cfs_quota_us", a, sizeof(a))) != NULL &&
	    strtoll(v, NULL, 10) > 0 &&
	    (w = read_line(d->dfd, "cpu.cfs_period_us", b, sizeof(b))) != NULL &&
	    strtoll(w, NULL, 10) > 0) {
		long long q = strtoll(v, NULL, 10), per = strtoll(w, NULL, 10);
		fprintf(out, "%slimit cpus: %lld.%02lld (cfs quota %lld us per %lld us)\n", prefix,
			q / per, (q % per) * 100 / per, q, per);
	}
	if ((d->ctrls & MR_CG_CPU) && (v = read_line(d->dfd, "cpu.shares", a, sizeof(a))) != NULL)
		fprintf(out, "%slimit cpu-shares: %s\n", prefix, v);
	if ((d->ctrls & MR_CG_CPUSET) &&
	    (v = read_line(d->dfd, "cpuset.cpus", a, sizeof(a))) != NULL)
		fprintf(out, "%slimit cpuset-cpus: %s\n", prefix, v);
}

/* The paths, the limits, the device rules: the order --verbose and inspect share. */
static void
describe(FILE *out, const char *prefix, const struct mr_cgroup_dir *dirs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char names[64] = "";
		for (size_t k = 0; k < MR_ARRAY_SIZE(v1_controllers); k++)
			if (dirs[i].ctrls & v1_controllers[k].bit)
				snprintf(names + strlen(names), sizeof(names) - strlen(names),
					 "%s%s", names[0] ? "," : "", v1_controllers[k].name);
		fprintf(out, "%scgroup %s: %s\n", prefix, dirs[i].v2 ? "cgroup2" : names,
			dirs[i].path);
	}
	for (int devices = 0; devices < 2; devices++)
		for (size_t i = 0; i < n; i++)
			describe_dir(out, prefix, &dirs[i], devices);
}

void
mr_cgroup_print(const struct mr_cgroup *cg, const char *prefix, FILE *out)
{
	if (cg->n == 0)
		fprintf(out, "%scgroup: none (%s)\n", prefix,
			cg->disabled ? "--cgroups=disabled" : "rootless");
	describe(out, prefix, cg->dirs, cg->n);
}

int
mr_cgroup_inspect(pid_t pid, const char *prefix, FILE *out, struct mr_error *err)
{
	cleanup_proc_cgroup struct proc_cgroup pc;
	struct hierarchy *h = pc.h;
	struct mr_cgroup_dir dirs[MR_CGROUP_MAX_DIRS];
	size_t nh = 0, n = 0;
	char file[64];

	pc.heap = NULL;
	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	if (read_proc_cgroup(file, &pc, err) < 0)
		return -1;
	nh = pc.n;
	if (!find_mounts_fast(h, nh, ~0u) && find_mounts(h, nh, err) < 0)
		return -1;
	/* Only the container's own cgroups: those minirun made, named minirun-<id>. */
	for (size_t i = 0; i < nh && n < MR_CGROUP_MAX_DIRS; i++) {
		const char *base = strrchr(h[i].own, '/');
		char path[PATH_MAX];
		if (!h[i].mounted || base == NULL || !is_container_name(base + 1))
			continue;
		join_path(path, sizeof(path), h[i].mount, h[i].own, NULL);
		dirs[n] =
		    (struct mr_cgroup_dir){.dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
					   .ctrls = h[i].ctrls,
					   .v2 = h[i].v2,
					   .path = strdup(path)};
		if (dirs[n].dfd < 0 || dirs[n].path == NULL) {
			if (dirs[n].dfd >= 0)
				close(dirs[n].dfd);
			free(dirs[n].path);
			continue;
		}
		n++;
	}
	if (n == 0)
		fprintf(out,
			"%scgroup: none named minirun-<id> (not a container minirun started as "
			"root)\n",
			prefix);
	describe(out, prefix, dirs, n);
	for (size_t i = 0; i < n; i++) {
		close(dirs[i].dfd);
		free(dirs[i].path);
	}
	return 0;
}
