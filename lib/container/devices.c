/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "container/devices.h"
#include "container/device-bpf.h"
#include "common/util.h"

/*
 * Docker's default device rules, as the kernel ends up with them: moby's
 * oci/defaults.go (DefaultLinuxSpec: deny all, allow null, zero, urandom,
 * random, tty, console; deny fuse 10:229) followed by the rules runc appends
 * to every container (libcontainer/specconv AllowedDevices: mknod of any
 * node, null, random, full, tty, zero, urandom, console, pts 136:*, ptmx,
 * tun 10:200).  Without them a root process that holds CAP_MKNOD (Docker's
 * default set does) could create a node for the host's disk and read it
 * (mknod b 8 0): the cgroup, not the capability, is what stops that.
 * fuse 10:229 stays denied: runc's "c *:* m" lets it be created, not opened.
 *
 * The one list both backends read: v1 writes it as text, v2 compiles it to
 * BPF (device-bpf.c).
 */
static const struct mr_device_rule default_allow[] = {
    {'c', MR_DEV_ANY, MR_DEV_ANY, MR_DEV_MKNOD, false}, /* mknod of any character device */
    {'b', MR_DEV_ANY, MR_DEV_ANY, MR_DEV_MKNOD,
     false},				       /* and any block device; open() is checked */
    {'c', 1, 3, MR_DEV_RWM, false},	       /* null */
    {'c', 1, 5, MR_DEV_RWM, false},	       /* zero */
    {'c', 1, 7, MR_DEV_RWM, false},	       /* full */
    {'c', 1, 8, MR_DEV_RWM, false},	       /* random */
    {'c', 1, 9, MR_DEV_RWM, false},	       /* urandom */
    {'c', 5, 0, MR_DEV_RWM, false},	       /* tty */
    {'c', 5, 1, MR_DEV_RWM, false},	       /* console */
    {'c', 5, 2, MR_DEV_RWM, false},	       /* ptmx */
    {'c', 136, MR_DEV_ANY, MR_DEV_RWM, false}, /* pts/N */
    {'c', 10, 200, MR_DEV_RWM, false},	       /* net/tun (kept by runc for compatibility) */
};

const struct mr_device_rule *
mr_devices_default(size_t *n)
{
	*n = MR_ARRAY_SIZE(default_allow);
	return default_allow;
}

char *
mr_device_rule_format(const struct mr_device_rule *r, char *buf, size_t size)
{
	char maj[16], min[16];

	if (r->major == MR_DEV_ANY)
		snprintf(maj, sizeof(maj), "*");
	else
		snprintf(maj, sizeof(maj), "%d", (int)r->major);
	if (r->minor == MR_DEV_ANY)
		snprintf(min, sizeof(min), "*");
	else
		snprintf(min, sizeof(min), "%d", (int)r->minor);
	snprintf(buf, size, "%c %s:%s %s%s%s", r->type, maj, min,
		 r->access & MR_DEV_READ ? "r" : "", r->access & MR_DEV_WRITE ? "w" : "",
		 r->access & MR_DEV_MKNOD ? "m" : "");
	return buf;
}

static int
write_rule(int fd, const char *path, const char *file, const char *rule, struct mr_error *err)
{
	size_t len = strlen(rule);
	/* One rule per write(): the controller parses each write as one rule. */
	if (write(fd, rule, len) != (ssize_t)len)
		return mr_error_set(err, errno, "devices cgroup %s: write '%s' to %s", path, rule,
				    file);
	return 0;
}

void
mr_device_to_rule(const struct mr_device *d, struct mr_device_rule *r)
{
	*r = (struct mr_device_rule){
	    .type = d->type,
	    .major = d->major == MR_DEVICE_ANY ? MR_DEV_ANY : (int32_t)d->major,
	    .minor = d->minor == MR_DEVICE_ANY ? MR_DEV_ANY : (int32_t)d->minor,
	    .deny = d->deny};
	r->access |= strchr(d->perms, 'r') ? MR_DEV_READ : 0;
	r->access |= strchr(d->perms, 'w') ? MR_DEV_WRITE : 0;
	r->access |= strchr(d->perms, 'm') ? MR_DEV_MKNOD : 0;
}

/*
 * The policy's rules after the implicit "deny all", in the order they are
 * applied: Docker's list then each --device's allow; or (ORDERED, an OCI
 * config) the config's rules as listed, then the default list, which thus
 * wins over them as in runc and crun.  OUT has room for the default list
 * and MR_MAX_DEVICES rules; returns how many.
 */
static size_t
policy(bool ordered, const struct mr_device *devs, size_t n, struct mr_device_rule *out)
{
	size_t k = 0;

	if (!ordered) {
		memcpy(out, default_allow, sizeof(default_allow));
		k = MR_ARRAY_SIZE(default_allow);
	}
	size_t rules = 0;
	for (size_t i = 0; i < n && rules < MR_MAX_DEVICES; i++)
		if (!devs[i].no_rule) {
			mr_device_to_rule(&devs[i], &out[k++]);
			rules++;
		}
	if (ordered) {
		memcpy(out + k, default_allow, sizeof(default_allow));
		k += MR_ARRAY_SIZE(default_allow);
	}
	return k;
}

int
mr_devices_apply_v1(int dfd, const char *path, bool privileged, bool ordered,
		    const struct mr_device *devs, size_t n, struct mr_error *err)
{
	struct mr_device_rule rules[MR_ARRAY_SIZE(default_allow) + MR_MAX_DEVICES];

	/* --privileged: every device the parent cgroup allows (the host's are all). */
	if (privileged)
		return 0;
	cleanup_close int deny = openat(dfd, "devices.deny", O_WRONLY | O_CLOEXEC);
	if (deny < 0)
		return mr_error_set(err, errno, "devices cgroup %s: open devices.deny", path);
	if (write_rule(deny, path, "devices.deny", "a", err) < 0)
		return -1;
	cleanup_close int allow = openat(dfd, "devices.allow", O_WRONLY | O_CLOEXEC);
	if (allow < 0)
		return mr_error_set(err, errno, "devices cgroup %s: open devices.allow", path);
	/*
	 * The kernel applies each write to its list as it comes: the order of
	 * the writes is the order of the rules (a deny removes what an
	 * earlier allow of the same device gave, and the reverse).
	 */
	size_t k = policy(ordered, devs, n, rules);
	for (size_t i = 0; i < k; i++) {
		char rule[64];
		mr_device_rule_format(&rules[i], rule, sizeof(rule));
		if (write_rule(rules[i].deny ? deny : allow, path,
			       rules[i].deny ? "devices.deny" : "devices.allow", rule, err) < 0)
			return -1;
	}
	return 0;
}

int
mr_devices_apply_v2(int dfd, const char *path, bool privileged, bool ordered,
		    const struct mr_device *devs, size_t n, struct mr_error *err)
{
	struct mr_device_rule rules[MR_ARRAY_SIZE(default_allow) + MR_MAX_DEVICES];

	/*
	 * --privileged: no program of ours.  BPF_F_ALLOW_MULTI programs of the
	 * parent cgroups (systemd's, a runtime's above us) still run: a
	 * privileged container gets what its parent allows, as on v1.
	 */
	if (privileged)
		return 0;
	size_t n_rules = 0;
	for (size_t i = 0; i < n; i++)
		n_rules += !devs[i].no_rule;
	if (n_rules > MR_MAX_DEVICES)
		return mr_error_set(err, E2BIG, "device policy: %zu --device rules", n_rules);
	return mr_device_bpf_attach(dfd, path, rules, policy(ordered, devs, n, rules), err);
}

/*
 * The directory that holds PATH's last component ("a/b/node", relative to
 * DFD, the container's /dev), made if missing, opened one component at a
 * time with no symlink and no mount crossed: minirun's own /dev holds
 * fd -> /proc/self/fd, which before pivot_root resolves through the host's
 * /proc to this process's descriptors (the state directory, bind sources),
 * and /dev/pts, /dev/shm, /dev/mqueue are other mounts.  *LAST: the name
 * in the returned directory.
 */
static int
open_parent(int dfd, const char *path, const char **last, const char *what,
	    const struct mr_device *d, struct mr_error *err)
{
	char name[256];
	struct open_how how = {
	    .flags = O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
	    .resolve =
		RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
	};
	cleanup_close int cur = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0)
		return mr_error_set(err, errno, "%s: %s", what, d->path);
	const char *s = path;
	for (const char *slash; (slash = strchr(s, '/')) != NULL; s = slash + 1) {
		if ((size_t)(slash - s) >= sizeof(name))
			return mr_error_set(err, ENAMETOOLONG, "%s: %s", what, d->path);
		snprintf(name, sizeof(name), "%.*s", (int)(slash - s), s);
		if (mkdirat(cur, name, 0755) < 0 && errno != EEXIST)
			return mr_error_set(err, errno, "%s: mkdir in %s", what, d->path);
		int next = mr_openat2(cur, name, &how);
		if (next < 0)
			return mr_error_set(err, errno,
					    "%s: %s: \"%s\" is not a plain directory of the "
					    "container's /dev",
					    what, d->path, name);
		close(cur);
		cur = next;
	}
	*last = s;
	return mr_steal_fd(&cur);
}

/*
 * An OCI linux.devices path may already hold a node (minirun's own
 * /dev/null...): the spec wants an error unless it is the same device.
 */
static int
check_existing(int dir, const char *name, const struct mr_device *d, struct mr_error *err)
{
	struct stat st;
	if (!d->no_rule || fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	bool same = (st.st_mode & S_IFMT) == (d->mode & S_IFMT) &&
		    (S_ISFIFO(st.st_mode) || st.st_rdev == makedev(d->major, d->minor));
	if (!same)
		return mr_error_set(err, EEXIST,
				    "linux.devices: %s already exists in the container and is not "
				    "that device",
				    d->path);
	return 0;
}

static int
make_node(int dir, const char *name, const struct mr_device *d, struct mr_error *err)
{
	const char *what = d->no_rule ? "linux.devices" : "--device";
	if (mknodat(dir, name, d->mode & (S_IFMT | 07777), makedev(d->major, d->minor)) < 0)
		return mr_error_set(err, errno, "%s: mknod %s", what, d->path);
	/* The asked permission bits, not those the umask left (the node was just
	   made in a directory held open: no symlink can stand in its place). */
	if (fchmodat(dir, name, d->mode & 07777, 0) < 0)
		return mr_error_set(err, errno, "%s: chmod %s", what, d->path);
	if (d->owner_set && fchownat(dir, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return mr_error_set(err, errno, "%s: chown %s", what, d->path);
	return 0;
}

int
mr_devices_make_nodes(int devfd, const struct mr_device *devs, size_t n, bool userns,
		      struct mr_error *err)
{
	if (n == 0)
		return 0;
	/* mknodat needs a directory opened for real, not O_PATH. */
	cleanup_close int dfd = openat(devfd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return mr_error_set(err, errno, "open /dev");
	for (size_t i = 0; i < n; i++) {
		const struct mr_device *d = &devs[i];
		if (d->no_node)
			continue;
		/* Below /dev/, without "..": checked when parsed; no symlink or
		   mount on the way (open_parent). */
		const char *what = d->no_rule ? "linux.devices" : "--device", *name = NULL;
		cleanup_close int dir =
		    open_parent(dfd, d->path + strlen("/dev/"), &name, what, d, err);
		if (dir < 0 || check_existing(dir, name, d, err) < 0)
			return -1;
		/* As docker: --device /dev/null:/dev/null replaces minirun's own node. */
		if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
			return mr_error_set(err, errno, "%s: replace %s", what, d->path);
		if (!userns) {
			if (make_node(dir, name, d, err) < 0)
				return -1;
			continue;
		}
		char target[64];
		cleanup_close int fd =
		    openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
		if (fd < 0)
			return mr_error_set(err, errno, "%s: create %s", what, d->path);
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		if (mount(d->host, target, NULL, MS_BIND, NULL) < 0)
			return mr_error_set(err, errno, "%s: bind %s onto %s", what, d->host,
					    d->path);
	}
	return 0;
}
