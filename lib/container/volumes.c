/* SPDX-License-Identifier: MIT */
/*
 * Volumes (volumes.h): parse, prepare on the host, attach in the container.
 *
 * The threat model is runc's CVE-2025-31133 and CVE-2025-52565: whoever owns
 * the rootfs (or a directory on a volume's path) can swap a directory for a
 * symlink at any moment while the container starts.  So nothing here looks a
 * path up twice and trusts both answers: the host source is opened once and
 * then used by descriptor (or, rootless, opened again and checked to be the
 * same inode), the destination is resolved with openat2 RESOLVE_IN_ROOT and
 * created one component at a time beneath descriptors, and the mount goes
 * onto the descriptor (move_mount MOVE_MOUNT_T_EMPTY_PATH), never onto a
 * path string.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "container/volumes.h"
#include "container/copyup.h"
#include "container/prepare.h"
#include "common/util.h"
#include "container/resources.h"

/* Deeper than any sane destination; bounds the walks below. */
#define MAX_DEPTH 256

static const struct {
	const char *name;
	enum mr_volume_propagation value;
} propagations[] = {
    {"rprivate", MR_PROPAGATION_RPRIVATE}, {"private", MR_PROPAGATION_PRIVATE},
    {"rslave", MR_PROPAGATION_RSLAVE},	   {"slave", MR_PROPAGATION_SLAVE},
    {"rshared", MR_PROPAGATION_RSHARED},   {"shared", MR_PROPAGATION_SHARED},
};

static bool
find_propagation(const char *name, size_t len, enum mr_volume_propagation *out)
{
	for (size_t i = 0; i < MR_ARRAY_SIZE(propagations); i++)
		if (strlen(propagations[i].name) == len &&
		    strncmp(propagations[i].name, name, len) == 0) {
			*out = propagations[i].value;
			return true;
		}
	return false;
}

/* --- parse ----------------------------------------------------------------- */

/*
 * Lexically clean an absolute path (as Go's filepath.Clean, which docker
 * applies to destinations): no "//", "." or "..", no trailing "/".  ".."
 * cannot climb above "/".  Returns a malloc'ed string or NULL (ENOMEM).
 */
char *
mr_path_clean(const char *path)
{
	size_t len = strlen(path);
	char *out = malloc(len + 2);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* the '/' before the dropped component */
		} else {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

static bool
under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/*
 * The destination: absolute, cleaned, and not one of the container's own
 * mounts.  /proc and /sys hold the masked and read-only paths that keep
 * the host's kernel interfaces out of reach (binding over one of them is
 * how CVE-2025-31133 unmasked them), so nothing may go there; docker also
 * refuses "/".  /dev itself would hide the device nodes; /dev/x is fine.
 * The same rules are checked again on what the destination resolves to in
 * the container (attach), since a symlink in the image can point there.
 */
static int
set_target(struct mr_volume *vol, const char *dst, struct mr_error *err)
{
	if (dst[0] == '\0')
		return mr_error_set(err, 0, "%s %s: no destination in the container", vol->flag,
				    vol->arg);
	if (dst[0] != '/')
		return mr_error_set(err, 0,
				    "%s %s: the destination '%s' must be an absolute path in "
				    "the container",
				    vol->flag, vol->arg, dst);
	vol->target = mr_path_clean(dst);
	if (vol->target == NULL)
		return mr_error_oomf(err, "%s %s", vol->flag, vol->arg);
	const char *t = vol->target;
	if (strcmp(t, "/") == 0)
		return mr_error_set(err, 0, "%s %s: the destination cannot be '/'", vol->flag,
				    vol->arg);
	if (strcmp(t, "/proc") == 0 || strcmp(t, "/sys") == 0 || strcmp(t, "/dev") == 0 ||
	    under(t, "/proc") || under(t, "/sys"))
		return mr_error_set(err, 0,
				    "%s %s: cannot mount over %s: /proc, /sys and /dev are the "
				    "container's own (with their masked and read-only paths)",
				    vol->flag, vol->arg, t);
	return 0;
}

static bool
looks_like_volume_name(const char *s)
{
	if (!isalnum((unsigned char)s[0]))
		return false;
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.' && *c != '-')
			return false;
	return true;
}

static int
set_source(struct mr_volume *vol, const char *src, size_t len, struct mr_error *err)
{
	vol->source = strndup(src, len);
	if (vol->source == NULL)
		return mr_error_oomf(err, "%s %s", vol->flag, vol->arg);
	if (vol->source[0] == '/')
		return 0;
	if (vol->source[0] == '\0')
		return mr_error_set(err, 0, "%s %s: no source given", vol->flag, vol->arg);
	if (looks_like_volume_name(vol->source))
		return mr_error_set(err, 0,
				    "%s %s: '%s' would be a named volume, and minirun has no "
				    "named volumes: give an absolute host path",
				    vol->flag, vol->arg, vol->source);
	return mr_error_set(err, 0, "%s %s: the source '%s' must be an absolute host path",
			    vol->flag, vol->arg, vol->source);
}

/* Append a zeroed volume for FLAG/ARG; *out points at it. */
static int
push_volume(struct mr_volume **v, size_t *n, const char *flag, const char *arg,
	    struct mr_volume **out, struct mr_error *err)
{
	struct mr_volume *nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (nv == NULL)
		return mr_error_oomf(err, "%s %s", flag, arg);
	*v = nv;
	struct mr_volume *vol = &nv[(*n)++];
	memset(vol, 0, sizeof(*vol));
	vol->flag = flag;
	vol->arg = strdup(arg);
	if (vol->arg == NULL)
		return mr_error_oomf(err, "%s %s", flag, arg);
	*out = vol;
	return 0;
}

/*
 * The caller's array keeps a failed entry (it owns its strings) until
 * mr_volumes_free; the spec is refused as a whole anyway.
 */
int
mr_volume_parse_bind(const char *arg, struct mr_volume **v, size_t *n, struct mr_error *err)
{
	struct mr_volume *vol = NULL;

	if (push_volume(v, n, "-v", arg, &vol, err) < 0)
		return -1;
	vol->type = MR_VOLUME_BIND;
	vol->create_source = true;

	const char *c1 = strchr(arg, ':');
	if (c1 == NULL) {
		if (arg[0] == '/')
			return mr_error_set(err, 0,
					    "-v %s: an anonymous volume, and minirun has no "
					    "volumes of its own: use -v HOST-PATH:%s",
					    arg, arg);
		return set_source(vol, arg, strlen(arg), err) < 0
			   ? -1
			   : mr_error_set(err, 0, "-v %s: expected SRC:DST[:OPTIONS]", arg);
	}
	const char *c2 = strchr(c1 + 1, ':');
	if (c2 != NULL && strchr(c2 + 1, ':') != NULL)
		return mr_error_set(err, 0,
				    "-v %s: too many ':' (expected SRC:DST[:OPTIONS]; paths "
				    "with ':' need --mount)",
				    arg);
	if (set_source(vol, arg, (size_t)(c1 - arg), err) < 0)
		return -1;
	cleanup_free char *dst = strndup(c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1));
	if (dst == NULL)
		return mr_error_oomf(err, "-v %s", arg);
	if (set_target(vol, dst, err) < 0)
		return -1;
	if (c2 == NULL)
		return 0;

	bool mode_seen = false, prop_seen = false;
	for (const char *o = c2 + 1;;) {
		const char *end = strchrnul(o, ',');
		size_t len = (size_t)(end - o);
		enum mr_volume_propagation prop;
		if ((len == 2 && strncmp(o, "ro", 2) == 0) ||
		    (len == 2 && strncmp(o, "rw", 2) == 0)) {
			if (mode_seen)
				return mr_error_set(err, 0, "-v %s: give ro or rw once, not both",
						    arg);
			mode_seen = true;
			vol->readonly = o[1] == 'o';
		} else if (len == 1 && (o[0] == 'z' || o[0] == 'Z')) {
			vol->relabel = true;
		} else if (find_propagation(o, len, &prop)) {
			if (prop_seen)
				return mr_error_set(
				    err, 0, "-v %s: give one propagation mode, not two", arg);
			prop_seen = true;
			vol->propagation = prop;
		} else {
			return mr_error_set(err, 0,
					    "-v %s: unknown option '%.*s' (expected ro, rw, z, Z, "
					    "rprivate, private, rslave, slave, rshared, shared)",
					    arg, (int)len, o);
		}
		if (*end == '\0')
			break;
		o = end + 1;
	}
	return 0;
}

/*
 * A size as docker's go-units RAMInBytes reads it: N, Nk, Nm, Ng, Nt (any
 * case, an optional trailing "b"), powers of 1024.
 */
/* Docker's units (go-units RAMInBytes), with the parser --memory uses; 0 is refused. */
static int
parse_size(const char *s, unsigned long long *out)
{
	struct mr_error ignored;
	int64_t v;
	if (mr_parse_memory("size", s, &v, &ignored) < 0 || v <= 0)
		return -1;
	*out = (unsigned long long)v;
	return 0;
}

static int
parse_mode(const char *s, unsigned int *out)
{
	char *end;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	unsigned long m = strtoul(s, &end, 8);
	if (errno != 0 || *end != '\0' || m > 07777)
		return -1;
	*out = (unsigned int)m;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	if (s == NULL || strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

/* docker's --tmpfs and --mount type=tmpfs: noexec,nosuid,nodev unless told. */
static const unsigned int tmpfs_default_attrs =
    MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

int
mr_volume_parse_mount(const char *arg, struct mr_volume **v, size_t *n, struct mr_error *err)
{
	struct mr_volume *vol = NULL;

	if (push_volume(v, n, "--mount", arg, &vol, err) < 0)
		return -1;
	cleanup_free char *copy = strdup(arg);
	if (copy == NULL)
		return mr_error_oomf(err, "--mount %s", arg);

	const char *type = NULL, *src = NULL, *dst = NULL, *prop = NULL, *size = NULL, *mode = NULL;
	bool ro = false;
	char *save = NULL;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *val = strchr(kv, '=');
		if (val)
			*val++ = '\0';
		const char **slot = NULL;
		if (strcmp(kv, "type") == 0)
			slot = &type;
		else if (strcmp(kv, "source") == 0 || strcmp(kv, "src") == 0)
			slot = &src;
		else if (strcmp(kv, "target") == 0 || strcmp(kv, "destination") == 0 ||
			 strcmp(kv, "dst") == 0)
			slot = &dst;
		else if (strcmp(kv, "bind-propagation") == 0)
			slot = &prop;
		else if (strcmp(kv, "tmpfs-size") == 0)
			slot = &size;
		else if (strcmp(kv, "tmpfs-mode") == 0)
			slot = &mode;
		else if (strcmp(kv, "readonly") == 0 || strcmp(kv, "ro") == 0) {
			if (parse_bool(val, &ro) < 0)
				return mr_error_set(
				    err, 0, "--mount %s: readonly takes true or false", arg);
			continue;
		} else
			return mr_error_set(err, 0,
					    "--mount %s: unknown key '%s' (minirun knows type, "
					    "source, target, readonly, bind-propagation, "
					    "tmpfs-size, tmpfs-mode)",
					    arg, kv);
		if (val == NULL)
			return mr_error_set(err, 0, "--mount %s: %s needs a value (%s=...)", arg,
					    kv, kv);
		*slot = val;
	}

	if (type == NULL || strcmp(type, "volume") == 0)
		return mr_error_set(err, 0,
				    "--mount %s: %s, and minirun has no named volumes: use "
				    "type=bind or type=tmpfs",
				    arg,
				    type ? "type=volume is a named volume"
					 : "no type= means a named volume (docker's default)");
	if (dst == NULL)
		return mr_error_set(err, 0, "--mount %s: no target= given", arg);
	vol->readonly = ro;
	if (strcmp(type, "bind") == 0) {
		vol->type = MR_VOLUME_BIND;
		if (size || mode)
			return mr_error_set(err, 0,
					    "--mount %s: tmpfs-size and tmpfs-mode are for "
					    "type=tmpfs",
					    arg);
		if (src == NULL)
			return mr_error_set(err, 0, "--mount %s: type=bind needs source=", arg);
		if (set_source(vol, src, strlen(src), err) < 0)
			return -1;
		if (prop && !find_propagation(prop, strlen(prop), &vol->propagation))
			return mr_error_set(err, 0,
					    "--mount %s: bind-propagation=%s: expected rprivate, "
					    "private, rslave, slave, rshared or shared",
					    arg, prop);
	} else if (strcmp(type, "tmpfs") == 0) {
		vol->type = MR_VOLUME_TMPFS;
		vol->tmpfs_attrs = tmpfs_default_attrs;
		if (src)
			return mr_error_set(err, 0, "--mount %s: type=tmpfs takes no source", arg);
		if (prop)
			return mr_error_set(err, 0, "--mount %s: bind-propagation is for type=bind",
					    arg);
		if (size && parse_size(size, &vol->tmpfs_size) < 0)
			return mr_error_set(err, 0,
					    "--mount %s: tmpfs-size=%s: expected a size in bytes "
					    "(or with k, m, g)",
					    arg, size);
		if (mode) {
			if (parse_mode(mode, &vol->tmpfs_mode) < 0)
				return mr_error_set(err, 0,
						    "--mount %s: tmpfs-mode=%s: expected an octal "
						    "mode (1777)",
						    arg, mode);
			vol->tmpfs_mode_set = true;
		}
	} else {
		return mr_error_set(err, 0,
				    "--mount %s: type=%s is not supported (minirun has bind "
				    "and tmpfs)",
				    arg, type);
	}
	return set_target(vol, dst, err);
}

int
mr_volume_parse_tmpfs(const char *arg, struct mr_volume **v, size_t *n, struct mr_error *err)
{
	struct mr_volume *vol = NULL;

	if (push_volume(v, n, "--tmpfs", arg, &vol, err) < 0)
		return -1;
	vol->type = MR_VOLUME_TMPFS;
	vol->tmpfs_attrs = tmpfs_default_attrs;
	const char *colon = strchr(arg, ':');
	cleanup_free char *dst = strndup(arg, colon ? (size_t)(colon - arg) : strlen(arg));
	if (dst == NULL)
		return mr_error_oomf(err, "--tmpfs %s", arg);
	if (set_target(vol, dst, err) < 0)
		return -1;
	if (colon == NULL)
		return 0;
	cleanup_free char *opts = strdup(colon + 1);
	if (opts == NULL)
		return mr_error_oomf(err, "--tmpfs %s", arg);
	char *save = NULL;
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		static const struct {
			const char *name;
			unsigned int attr;
			bool set;
		} flags[] = {
		    {"exec", MOUNT_ATTR_NOEXEC, false}, {"noexec", MOUNT_ATTR_NOEXEC, true},
		    {"suid", MOUNT_ATTR_NOSUID, false}, {"nosuid", MOUNT_ATTR_NOSUID, true},
		    {"dev", MOUNT_ATTR_NODEV, false},	{"nodev", MOUNT_ATTR_NODEV, true},
		};
		bool known = false;
		for (size_t i = 0; i < MR_ARRAY_SIZE(flags); i++)
			if (strcmp(o, flags[i].name) == 0) {
				if (flags[i].set)
					vol->tmpfs_attrs |= flags[i].attr;
				else
					vol->tmpfs_attrs &= ~flags[i].attr;
				known = true;
			}
		if (known)
			continue;
		if (strcmp(o, "ro") == 0 || strcmp(o, "rw") == 0) {
			vol->readonly = o[1] == 'o';
		} else if (strncmp(o, "size=", 5) == 0) {
			if (parse_size(o + 5, &vol->tmpfs_size) < 0)
				return mr_error_set(err, 0,
						    "--tmpfs %s: %s: expected a size in bytes (or "
						    "with k, m, g)",
						    arg, o);
		} else if (strncmp(o, "mode=", 5) == 0) {
			if (parse_mode(o + 5, &vol->tmpfs_mode) < 0)
				return mr_error_set(err, 0,
						    "--tmpfs %s: %s: expected an octal mode (1777)",
						    arg, o);
			vol->tmpfs_mode_set = true;
		} else {
			return mr_error_set(err, 0,
					    "--tmpfs %s: unknown option '%s' (minirun knows size=, "
					    "mode=, ro, rw, exec, noexec, suid, nosuid, dev, "
					    "nodev)",
					    arg, o);
		}
	}
	return 0;
}

int
mr_volumes_validate(const struct mr_volume *v, size_t n, struct mr_error *err)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(v[i].target, v[j].target) == 0)
				return mr_error_set(
				    err, 0, "%s %s: duplicate mount point %s (also %s %s)",
				    v[i].flag, v[i].arg, v[i].target, v[j].flag, v[j].arg);
	return 0;
}

void
mr_volumes_free(struct mr_volume *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].arg);
		free(v[i].source);
		free(v[i].target);
	}
	free(v);
}

/* --- prepare (caller's mount namespace, no process yet) ---------------------- */

/* mkdir -p for a missing -v source, as docker's daemon does (mode 0755). */
static int
make_source_dir(const char *path)
{
	cleanup_free char *copy = strdup(path);
	if (copy == NULL)
		return (errno = ENOMEM), -1;
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

static int
setattr_propagation(int mnt, unsigned long mode, bool recursive, const struct mr_volume *vol,
		    struct mr_error *err)
{
	struct mount_attr prop = {.propagation = mode};
	unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
	if (syscall(SYS_mount_setattr, mnt, "", flags, &prop, sizeof(prop)) < 0)
		return mr_error_set(err, errno, "%s %s: propagation", vol->flag, vol->arg);
	return 0;
}

/*
 * The propagation of a freshly cloned bind tree.  As root the clone is made
 * in minirun's own mount namespace, and a clone of a shared host mount is a
 * peer of it: every mount of the tree, not only the top, is first cut from
 * the host's group (private, or a slave that still receives the host's
 * mounts), in one call; a non-recursive mode then changes the top mount
 * only.  Otherwise a mount made later below a submount (masked and
 * read-only paths, nested volumes, the workload's) would appear on the host
 * and outlive the container.  Docker's -v ...:rshared alone keeps the
 * host's peer group, as documented.  An OCI (r)shared makes a peer group of
 * the container's own, a slave of the host's.  (r)unbindable is set at
 * attach (attach_one): an unbindable tree cannot be cloned.
 */
static int
set_tree_propagation(int tree, const struct mr_volume *vol, struct mr_error *err)
{
	switch (vol->propagation) {
	case MR_PROPAGATION_RPRIVATE:
	case MR_PROPAGATION_PRIVATE:
	case MR_PROPAGATION_RUNBINDABLE:
	case MR_PROPAGATION_UNBINDABLE:
		return setattr_propagation(tree, MS_PRIVATE, true, vol, err);
	case MR_PROPAGATION_RSLAVE:
	case MR_PROPAGATION_SLAVE:
		return setattr_propagation(tree, MS_SLAVE, true, vol, err);
	case MR_PROPAGATION_RSHARED:
		if (!vol->shared_own_group)
			return setattr_propagation(tree, MS_SHARED, true, vol, err);
		/* fall through */
	case MR_PROPAGATION_SHARED:
		if (setattr_propagation(tree, MS_SLAVE, true, vol, err) < 0)
			return -1;
		return setattr_propagation(tree, MS_SHARED,
					   vol->propagation == MR_PROPAGATION_RSHARED, vol, err);
	default:
		return mr_error_set(err, 0, "%s %s: internal error: propagation", vol->flag,
				    vol->arg);
	}
}

/*
 * The attributes a bind tree gets before it is attached: read-only on
 * every mount of the tree (a read-only volume whose source has submounts
 * must not leave them writable), and the propagation asked for.
 */
static int
configure_tree(int tree, const struct mr_volume *vol, struct mr_error *err)
{
	/* tmpfs_attrs on a bind: an OCI config's nosuid, nodev, noexec. */
	if (vol->readonly || vol->tmpfs_attrs) {
		struct mount_attr ro = {.attr_set = (vol->readonly ? MOUNT_ATTR_RDONLY : 0) |
						    vol->tmpfs_attrs};
		if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro,
			    sizeof(ro)) < 0)
			return mr_error_set(err, errno, "%s %s: read-only", vol->flag, vol->arg);
	}
	return set_tree_propagation(tree, vol, err);
}

/*
 * The source's mount and, unless the config asked for a plain "bind", every
 * mount below it: a host mount under the source (a tmpfs of secrets, a
 * disk) that the config's "bind" leaves out must not reach the container.
 */
static int
clone_tree(int source_fd, const struct mr_volume *vol, struct mr_error *err)
{
	cleanup_close int tree = (int)syscall(SYS_open_tree, source_fd, "",
					      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
						  (vol->nonrecursive ? 0 : AT_RECURSIVE));
	if (tree < 0)
		return mr_error_set(err, errno, "%s %s: bind %s", vol->flag, vol->arg, vol->source);
	if (configure_tree(tree, vol, err) < 0)
		return -1;
	return mr_steal_fd(&tree);
}

static int
prepare_bind(const struct mr_volume *vol, bool rootless, bool nodev, struct mr_volume_prepared *vp,
	     struct mr_error *err)
{
	struct stat st;
	char link[64], real[PATH_MAX];

	/* The host side is the caller's to name: symlinks in SRC are followed. */
	int fd = open(vol->source, O_PATH | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && vol->create_source) {
		if (make_source_dir(vol->source) < 0)
			return mr_error_set(err, errno, "%s %s: create %s", vol->flag, vol->arg,
					    vol->source);
		fd = open(vol->source, O_PATH | O_CLOEXEC);
	}
	if (fd < 0)
		return mr_error_set(err, errno, "%s %s: bind source %s", vol->flag, vol->arg,
				    vol->source);
	vp->source_fd = fd;
	if (fstat(fd, &st) < 0)
		return mr_error_set(err, errno, "%s %s: %s", vol->flag, vol->arg, vol->source);
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) &&
	    !S_ISBLK(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISFIFO(st.st_mode))
		return mr_error_set(err, 0, "%s %s: %s: not a file or directory", vol->flag,
				    vol->arg, vol->source);
	vp->dev = st.st_dev;
	vp->ino = st.st_ino;
	vp->is_dir = S_ISDIR(st.st_mode);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t len = readlink(link, real, sizeof(real) - 1);
	if (len <= 0)
		return mr_error_set(err, errno, "%s %s: %s", vol->flag, vol->arg, vol->source);
	real[len] = '\0';
	vp->source_path = strdup(real);
	if (vp->source_path == NULL)
		return mr_error_oomf(err, "%s %s", vol->flag, vol->arg);
	/*
	 * As real root the tree is cloned here, from the descriptor, in the
	 * caller's mount namespace: the container moves in exactly what was
	 * opened, and with the host's peer group, so rshared and rslave mean
	 * what they mean for docker.  An unprivileged caller may not clone
	 * mounts of its own namespace; its container clones the source in its
	 * new one (attach), where this descriptor, belonging to another mount
	 * namespace, cannot be cloned from (open_tree: EINVAL).
	 */
	if (!rootless) {
		vp->tree_fd = clone_tree(fd, vol, err);
		if (vp->tree_fd < 0)
			return -1;
	}
	struct mount_attr nd = {.attr_set = MOUNT_ATTR_NODEV};
	if (nodev && vp->tree_fd >= 0 &&
	    syscall(SYS_mount_setattr, vp->tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &nd,
		    sizeof(nd)) < 0)
		return mr_error_set(err, errno, "%s %s: nodev", vol->flag, vol->arg);
	return 0;
}

static size_t
depth(const char *path)
{
	size_t d = 0;
	for (; *path; path++)
		d += *path == '/';
	return d;
}

int
mr_volumes_prepare(const struct mr_volume *v, size_t n, bool rootless, bool nodev,
		   struct mr_volumes_prepared *out, struct mr_error *err)
{
	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	out->v = calloc(n, sizeof(*out->v));
	out->order = calloc(n, sizeof(*out->order));
	if (out->v == NULL || out->order == NULL) {
		mr_volumes_prepared_clear(out);
		return mr_error_oom(err, "volumes");
	}
	out->n = n;
	for (size_t i = 0; i < n; i++)
		out->v[i].source_fd = out->v[i].tree_fd = -1;
	/* Shallower first (stable): /data before /data/sub, whatever the flag order. */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		for (; j > 0 && depth(v[out->order[j - 1]].target) > depth(v[i].target); j--)
			out->order[j] = out->order[j - 1];
		out->order[j] = i;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].relabel)
			out->warning = "-v: z and Z (SELinux relabeling) are ignored: minirun "
				       "sets no SELinux labels";
		if (v[i].type == MR_VOLUME_BIND &&
		    prepare_bind(&v[i], rootless, nodev, &out->v[i], err) < 0) {
			mr_volumes_prepared_clear(out);
			return -1;
		}
	}
	return 0;
}

void
mr_volumes_prepared_clear(struct mr_volumes_prepared *vp)
{
	for (size_t i = 0; vp->v && i < vp->n; i++) {
		if (vp->v[i].source_fd >= 0)
			close(vp->v[i].source_fd);
		if (vp->v[i].tree_fd >= 0)
			close(vp->v[i].tree_fd);
		free(vp->v[i].source_path);
	}
	free(vp->v);
	free(vp->order);
	memset(vp, 0, sizeof(*vp));
}

/* --- attach (container process, before pivot_root) ---------------------------- */

/*
 * One component beneath dirfd, never a symlink, never leaving dirfd: for
 * what minirun just created itself.  If someone replaced it meanwhile with
 * a symlink, this fails (ELOOP) instead of following it.
 */
static int
open_component(int dirfd, const char *name, int flags, mode_t mode)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC),
	    .mode = (flags & O_CREAT) ? mode : 0,
	    .resolve =
		RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	return mr_openat2(dirfd, name, &how);
}

/* The kernel's own bound on symlinks in one lookup (MAXSYMLINKS). */
#define MAX_LINKS 40

/*
 * A walk that creates what is missing: `done` holds the components met so
 * far, each a real directory (never a symlink), so ".." is lexical on it;
 * `rest` what is left.  Both are malloc'ed.
 */
struct create_walk {
	char *done; /* "" for the root, else "a/b" */
	char *rest;
	unsigned links;
};

static void
create_walk_clear(struct create_walk *w)
{
	free(w->done);
	free(w->rest);
}

#define cleanup_create_walk __attribute__((cleanup(create_walk_clear)))

/* Next component of w->rest into name: 1, or 0 at the end, or -1 (too long). */
static int
walk_next(struct create_walk *w, char *name, bool *last)
{
	char *p = w->rest;
	while (*p == '/')
		p++;
	if (*p == '\0')
		return 0;
	size_t n = strcspn(p, "/");
	if (n > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, p, n);
	name[n] = '\0';
	p += n;
	memmove(w->rest, p, strlen(p) + 1);
	*last = w->rest[strspn(w->rest, "/")] == '\0';
	return 1;
}

/* A symlink met on the way: its text goes before what is left. */
static int
walk_follow(struct create_walk *w, int parent, const char *name)
{
	char link[PATH_MAX];
	ssize_t n = readlinkat(parent, name, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	if (++w->links > MAX_LINKS || n == 0) {
		errno = n == 0 ? ENOENT : ELOOP;
		return -1;
	}
	link[n] = '\0';
	char *rest;
	if (asprintf(&rest, "%s/%s", link, w->rest) < 0)
		return -1;
	free(w->rest);
	w->rest = rest;
	if (link[0] == '/')
		w->done[0] = '\0'; /* "/" is the container's root */
	return 0;
}

static int
walk_descend(struct create_walk *w, const char *name)
{
	char *done;
	if (asprintf(&done, "%s%s%s", w->done, w->done[0] ? "/" : "", name) < 0)
		return -1;
	free(w->done);
	w->done = done;
	return 0;
}

/*
 * One step of the walk below `parent`: the component opened (O_PATH), or
 * created -- a directory, or last the empty file a file volume needs.
 * Returns the fd, or -1 with errno; *followed when it was a symlink, whose
 * text now heads w->rest.
 */
static int
walk_step(struct create_walk *w, int parent, const char *name, bool make_dir, bool *followed)
{
	*followed = false;
	/*
	 * O_PATH|O_NOFOLLOW: a symlink comes back as itself.  Not
	 * RESOLVE_NO_XDEV here: an existing component may be a mount point (a
	 * volume attached before this one).
	 */
	struct open_how probe = {
	    .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	cleanup_close int fd = mr_openat2(parent, name, &probe);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) < 0)
		return -1;
	if (fd >= 0 && S_ISLNK(st.st_mode)) {
		if (walk_follow(w, parent, name) < 0)
			return -1;
		*followed = true;
		return -1;
	}
	if (fd >= 0 || errno != ENOENT)
		return mr_steal_fd(&fd);
	if (make_dir) {
		if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
			return -1;
		return open_component(parent, name, O_PATH | O_DIRECTORY, 0);
	}
	/* O_NONBLOCK|O_NOCTTY: a FIFO or device the image owner put there
	   meanwhile must neither hang the start nor be opened for real (its
	   driver's open runs as root). */
	return open_component(parent, name, O_RDONLY | O_CREAT | O_NONBLOCK | O_NOCTTY, 0644);
}

/*
 * The destination inside the root: resolved by the kernel as the container
 * would see it (symlinks of the image followed, but "/" and ".." stay in
 * the root: RESOLVE_IN_ROOT).  When something is missing, the path is
 * walked again one component at a time, as runc's securejoin does: a
 * symlink (also a dangling one, such as an image's /etc/resolv.conf ->
 * ../run/systemd/resolve/stub-resolv.conf, which engines bind over) is
 * followed inside the root, and what is missing is made with
 * mkdirat/openat relative to its parent's descriptor, never through a
 * symlink (open_component).  ".." is taken on the components walked, which
 * are real directories, so it cannot leave the root either.
 */
static int
resolve_target(int rootfd, const struct mr_volume *vol, bool dir, bool create, struct mr_error *err)
{
	const char *rel = vol->target + 1;
	int fd = mr_open_in_root(rootfd, rel, O_PATH, RESOLVE_NO_MAGICLINKS);
	if (fd >= 0 || errno != ENOENT || !create) {
		if (fd < 0)
			return mr_error_set(err, errno, "%s %s: destination %s", vol->flag,
					    vol->arg, vol->target);
		return fd;
	}

	cleanup_create_walk struct create_walk w = {.done = calloc(1, 1), .rest = strdup(rel)};
	if (w.done == NULL || w.rest == NULL)
		return mr_error_oomf(err, "%s %s", vol->flag, vol->arg);
	char name[NAME_MAX + 1];
	bool last = false;
	for (unsigned steps = 0;; steps++) {
		int more = walk_next(&w, name, &last);
		if (more < 0)
			return mr_error_set(err, errno, "%s %s: destination", vol->flag, vol->arg);
		if (more == 0)
			break;
		if (steps > MAX_DEPTH + MAX_LINKS * MAX_DEPTH)
			return mr_error_set(err, ELOOP, "%s %s: destination", vol->flag, vol->arg);
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			char *slash = strrchr(w.done, '/');
			*(slash ? slash : w.done) = '\0';
			continue;
		}
		/* w.done has no symlink: any met now is a swap, and fails. */
		cleanup_close int parent =
		    mr_open_in_root(rootfd, w.done[0] ? w.done : ".", O_PATH | O_DIRECTORY,
				    RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		bool followed = false;
		int next = parent < 0 ? -1 : walk_step(&w, parent, name, !last || dir, &followed);
		if (next < 0 && parent >= 0 && followed)
			continue;
		if (next < 0 && errno == ENOMEM)
			return mr_error_oomf(err, "%s %s", vol->flag, vol->arg);
		if (next < 0)
			return mr_error_set(err, errno,
					    "%s %s: create %s in the container (%s: a symlink "
					    "or not a directory?)",
					    vol->flag, vol->arg, vol->target, name);
		if (last && w.rest[strspn(w.rest, "/")] == '\0')
			return next;
		close(next);
		if (walk_descend(&w, name) < 0)
			return mr_error_oomf(err, "%s %s", vol->flag, vol->arg);
	}
	/* The walk ended on a directory (the path ended in "..", or a symlink to one). */
	int end = mr_open_in_root(rootfd, w.done[0] ? w.done : ".", O_PATH | O_DIRECTORY,
				  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (end < 0)
		return mr_error_set(err, errno, "%s %s: destination %s", vol->flag, vol->arg,
				    vol->target);
	return end;
}

static int
same_mount_and_inode(int a, int b, bool *same)
{
	struct statx sa, sb;
	if (statx(a, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sa) < 0 ||
	    statx(b, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &sb) < 0)
		return -1;
	*same = sa.stx_mnt_id == sb.stx_mnt_id && sa.stx_ino == sb.stx_ino &&
		sa.stx_dev_major == sb.stx_dev_major && sa.stx_dev_minor == sb.stx_dev_minor;
	return 0;
}

static bool
kernel_fs(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC);
}

/*
 * What the destination really is, whatever path led there: not the root,
 * not /dev, not in or below a procfs or sysfs (their masks included: a
 * masked directory is a tmpfs whose parent is procfs or sysfs; a masked
 * file is a bind of /dev/null).  A directory is walked up with ".." to the
 * root; one that never gets there was moved out of the root meanwhile.
 */
static int
refuse(const struct mr_volume *vol, struct mr_error *err)
{
	return mr_error_set(err, 0,
			    "%s %s: the destination %s resolves to /proc, /sys, /dev or one "
			    "of their masked paths (a symlink in the image?); refusing to mount "
			    "over it",
			    vol->flag, vol->arg, vol->target);
}

static int
check_target(int rootfd, int fd, const struct mr_volume *vol, struct mr_error *err)
{
	struct stat st;
	struct statx stx;
	bool same;

	if (fstat(fd, &st) < 0 || statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0)
		return mr_error_set(err, errno, "%s %s: destination %s", vol->flag, vol->arg,
				    vol->target);
	if (kernel_fs(fd))
		return refuse(vol, err);
	if (!S_ISDIR(st.st_mode)) {
		bool mount_root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
				  (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
		if (S_ISCHR(st.st_mode) && mount_root && st.st_rdev == makedev(1, 3))
			return refuse(vol, err);
		return 0;
	}

	cleanup_close int devfd = mr_open_in_root(rootfd, "dev", O_PATH | O_DIRECTORY, 0);
	if (devfd >= 0) {
		if (same_mount_and_inode(fd, devfd, &same) < 0)
			return mr_error_set(err, errno, "%s %s: destination %s", vol->flag,
					    vol->arg, vol->target);
		if (same)
			return refuse(vol, err);
	}
	if (same_mount_and_inode(fd, rootfd, &same) < 0)
		return mr_error_set(err, errno, "%s %s: destination %s", vol->flag, vol->arg,
				    vol->target);
	if (same)
		return mr_error_set(err, 0,
				    "%s %s: the destination %s resolves to the container's root "
				    "(a symlink in the image?); refusing to mount over it",
				    vol->flag, vol->arg, vol->target);
	cleanup_close int cur = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int level = 0; cur >= 0 && level < MAX_DEPTH; level++) {
		if (kernel_fs(cur))
			return refuse(vol, err);
		if (same_mount_and_inode(cur, rootfd, &same) < 0)
			break;
		if (same)
			return 0;
		int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		bool top = up >= 0 && same_mount_and_inode(cur, up, &same) == 0 && same;
		close(cur);
		cur = up;
		if (top)
			break; /* the namespace's "/", past the container's root */
	}
	return mr_error_set(err, 0,
			    "%s %s: the destination %s is no longer inside the container's "
			    "root (it was moved while the container was starting); refusing "
			    "to continue",
			    vol->flag, vol->arg, vol->target);
}

/*
 * Rootless: the source opened in mr_prepare belongs to the caller's mount
 * namespace and cannot be cloned from this one.  Open the same path here
 * and clone it only if it is still the very inode opened then: if a
 * component was swapped for a symlink meanwhile, the start is refused.
 */
static int
rootless_tree(const struct mr_volume *vol, const struct mr_volume_prepared *vp,
	      struct mr_error *err)
{
	struct stat st;
	cleanup_close int fd = open(vp->source_path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, errno, "%s %s: bind source %s", vol->flag, vol->arg,
				    vp->source_path);
	if (fstat(fd, &st) < 0)
		return mr_error_set(err, errno, "%s %s: bind source %s", vol->flag, vol->arg,
				    vp->source_path);
	if (st.st_dev != vp->dev || st.st_ino != vp->ino)
		return mr_error_set(err, 0,
				    "%s %s: the source %s changed while the container was "
				    "starting (a component was replaced); refusing to continue",
				    vol->flag, vol->arg, vp->source_path);
	return clone_tree(fd, vol, err);
}

static int
tmpfs_tree(const struct mr_volume *vol, struct mr_error *err)
{
	char buf[32];
	cleanup_close int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return mr_error_set(err, errno, "%s %s: fsopen tmpfs", vol->flag, vol->arg);
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0)
		return mr_error_set(err, errno, "%s %s: tmpfs", vol->flag, vol->arg);
	if (vol->tmpfs_size) {
		snprintf(buf, sizeof(buf), "%llu", vol->tmpfs_size);
		if (fsconfig(fsfd, FSCONFIG_SET_STRING, "size", buf, 0) < 0)
			return mr_error_set(err, errno, "%s %s: tmpfs size=%s", vol->flag, vol->arg,
					    buf);
	}
	if (vol->tmpfs_mode_set) {
		snprintf(buf, sizeof(buf), "%o", vol->tmpfs_mode);
		if (fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", buf, 0) < 0)
			return mr_error_set(err, errno, "%s %s: tmpfs mode=%s", vol->flag, vol->arg,
					    buf);
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return mr_error_set(err, errno, "%s %s: tmpfs", vol->flag, vol->arg);
	/* A tmpcopyup one goes read-only once filled (attach_one). */
	unsigned int attrs =
	    vol->tmpfs_attrs | (vol->readonly && !vol->tmpfs_copyup ? MOUNT_ATTR_RDONLY : 0);
	cleanup_close int mnt = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mnt < 0)
		return mr_error_set(err, errno, "%s %s: fsmount tmpfs", vol->flag, vol->arg);
	/* A fresh mount is private, and a slave of nothing is private too: only an
	   OCI config's (r)shared or (r)unbindable changes it (one mount: no submounts). */
	enum mr_volume_propagation pr = vol->propagation;
	if ((pr == MR_PROPAGATION_RSHARED || pr == MR_PROPAGATION_SHARED) &&
	    setattr_propagation(mnt, MS_SHARED, false, vol, err) < 0)
		return -1;
	if ((pr == MR_PROPAGATION_RUNBINDABLE || pr == MR_PROPAGATION_UNBINDABLE) &&
	    setattr_propagation(mnt, MS_UNBINDABLE, false, vol, err) < 0)
		return -1;
	return mr_steal_fd(&mnt);
}

/*
 * As real root the tree was cloned in mr_prepare, before the container's own
 * mounts, so its mount ids are older than theirs; /proc/self/mountinfo lists
 * mounts by id (Linux 6.8), and the container saw its volumes before its
 * /proc, out of the order they were mounted in (the OCI spec's "MUST mount
 * entries in the listed order", which runtime-tools checks in mountinfo).
 * Once attached here the tree is in this namespace and can be cloned again
 * (a detached one cannot: open_tree EINVAL); the clone keeps its flags and
 * peer groups, and the staged one is detached.  Returns the fresh clone,
 * not yet attached.
 */
static int
reclone_in_place(int tree, int target, const struct mr_volume *vol, struct mr_error *err)
{
	char staged[64];

	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mr_error_set(err, errno, "%s %s: mount on %s", vol->flag, vol->arg,
				    vol->target);
	cleanup_close int fresh =
	    (int)syscall(SYS_open_tree, tree, "",
			 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (fresh < 0)
		return mr_error_set(err, errno, "%s %s: bind %s", vol->flag, vol->arg, vol->source);
	snprintf(staged, sizeof(staged), "/proc/self/fd/%d", tree);
	if (umount2(staged, MNT_DETACH) < 0)
		return mr_error_set(err, errno, "%s %s: mount on %s", vol->flag, vol->arg,
				    vol->target);
	return mr_steal_fd(&fresh);
}

/*
 * tmpcopyup: the image's directory, still reachable by TARGET's descriptor,
 * copied into the tmpfs before it is attached over it (and only then made
 * read-only, when asked).
 */
static int
copy_up(int tree, int target, const struct mr_volume *vol, struct mr_error *err)
{
	if (mr_copyup(target, tree, vol->target, err) < 0)
		return -1;
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	if (vol->readonly &&
	    syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		return mr_error_set(err, errno, "%s %s: read-only", vol->flag, vol->arg);
	return 0;
}

static int
attach_one(const struct mr_prepared *p, int rootfd, size_t i, struct mr_error *err)
{
	const struct mr_volume *vol = &p->spec->volumes[i];
	const struct mr_volume_prepared *vp = &p->volumes.v[i];
	bool dir = vol->type == MR_VOLUME_TMPFS || vp->is_dir;
	cleanup_close int owned = -1;
	int tree;

	if (vol->type == MR_VOLUME_TMPFS)
		tree = owned = tmpfs_tree(vol, err);
	else if (vp->tree_fd >= 0)
		tree = vp->tree_fd; /* the prepared spec's: mr_prepared_clear closes it */
	else
		tree = owned = rootless_tree(vol, vp, err);
	if (tree < 0)
		return -1;

	cleanup_close int target = resolve_target(rootfd, vol, dir, true, err);
	if (target < 0)
		return -1;
	if (check_target(rootfd, target, vol, err) < 0)
		return -1;
	struct stat st;
	if (fstat(target, &st) < 0)
		return mr_error_set(err, errno, "%s %s: destination %s", vol->flag, vol->arg,
				    vol->target);
	if (dir && !S_ISDIR(st.st_mode))
		return mr_error_set(
		    err, 0, "%s %s: %s is a directory but %s in the container is not", vol->flag,
		    vol->arg, vol->type == MR_VOLUME_TMPFS ? "a tmpfs" : vol->source, vol->target);
	if (!dir && S_ISDIR(st.st_mode))
		return mr_error_set(err, 0,
				    "%s %s: %s is not a directory but %s in the container is",
				    vol->flag, vol->arg, vol->source, vol->target);
	if (vol->type == MR_VOLUME_TMPFS && vol->tmpfs_copyup &&
	    copy_up(tree, target, vol, err) < 0)
		return -1;
	if (vp->tree_fd >= 0 && vol->type == MR_VOLUME_BIND) {
		tree = owned = reclone_in_place(tree, target, vol, err);
		if (tree < 0)
			return -1;
	}
	/* After the clones: an unbindable mount cannot be cloned.  The tree was
	   made private at clone time (set_tree_propagation); a tmpfs has it already. */
	if ((vol->propagation == MR_PROPAGATION_UNBINDABLE ||
	     vol->propagation == MR_PROPAGATION_RUNBINDABLE) &&
	    vol->type == MR_VOLUME_BIND &&
	    setattr_propagation(tree, MS_UNBINDABLE, vol->propagation == MR_PROPAGATION_RUNBINDABLE,
				vol, err) < 0)
		return -1;
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mr_error_set(err, errno, "%s %s: mount on %s", vol->flag, vol->arg,
				    vol->target);
	return 0;
}

int
mr_volumes_attach(const struct mr_prepared *p, int rootfd, struct mr_error *err)
{
	for (size_t k = 0; k < p->volumes.n; k++)
		if (attach_one(p, rootfd, p->volumes.order[k], err) < 0)
			return -1;
	return 0;
}

/*
 * A missing working directory is created as the container starts
 * (launch.c), as docker does for -w; a read-only root would refuse it
 * then, so it is made here first, as runc and crun do for an OCI config
 * with root.readonly (Kubernetes' readOnlyRootFilesystem with a workingDir
 * the image lacks).  Resolved in the root like a volume's destination; not
 * below /proc, /sys or /dev, whose mounts come later and hide it.  The
 * path is p->workdir, the one the container enters, made as mkdir -p makes
 * it there: each component in turn, so that the "x" of an OCI cwd
 * "/w/x/../y" is made too (runc's MkdirAll; chdir needs it), with the mode
 * launch.c gives it (0755 less minirun's umask for process.cwd, as runc and
 * crun; 0755 for docker's -w).
 */
static void
create_workdir(const struct mr_prepared *p, int rootfd)
{
	if (p->workdir == NULL)
		return;
	cleanup_free char *dir = mr_path_clean(p->workdir);
	cleanup_free char *prefix = strdup(p->workdir);
	if (dir == NULL || prefix == NULL || strcmp(dir, "/") == 0 || strcmp(dir, "/proc") == 0 ||
	    strcmp(dir, "/sys") == 0 || strcmp(dir, "/dev") == 0 || under(dir, "/proc") ||
	    under(dir, "/sys") || under(dir, "/dev"))
		return;
	mode_t old = umask(p->spec->workdir_as_given ? p->caller_umask : 022);
	for (char *s = prefix + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		const char *last = strrchr(prefix, '/') + 1;
		if (*last != '\0' && strcmp(last, ".") != 0 && strcmp(last, "..") != 0) {
			struct mr_volume wd = {.flag = "workdir", .arg = prefix, .target = prefix};
			struct mr_error ignored;
			int fd = resolve_target(rootfd, &wd, true, true, &ignored);
			if (fd >= 0)
				close(fd);
		}
		if (c == '\0')
			break;
		*s = c;
	}
	umask(old);
}

int
mr_volumes_root_readonly(const struct mr_prepared *p, int rootfd, struct mr_error *err)
{
	static const char *const mountpoints[] = {"proc", "dev", "sys"};

	if (!p->spec->read_only)
		return 0;
	/*
	 * Mount points first, while the root can still be written (docker's
	 * runtimes also create them before the read-only remount).  Best
	 * effort: whatever fails here is reported where it is mounted.
	 * Destinations below /dev are left alone: they go into the /dev tmpfs.
	 */
	for (size_t i = 0; i < MR_ARRAY_SIZE(mountpoints); i++)
		(void)mkdirat(rootfd, mountpoints[i], 0755);
	for (size_t i = 0; i < p->volumes.n; i++) {
		const struct mr_volume *vol = &p->spec->volumes[i];
		struct mr_error ignored;
		if (strncmp(vol->target, "/dev/", 5) == 0)
			continue;
		bool dir = vol->type == MR_VOLUME_TMPFS || p->volumes.v[i].is_dir;
		int fd = resolve_target(rootfd, vol, dir, true, &ignored);
		if (fd >= 0)
			close(fd);
	}
	create_workdir(p, rootfd);
	/*
	 * Recursively: the submounts the rootfs already had are part of the
	 * root and become read-only with it (a plain remount of "/" left them
	 * writable).  /proc, /dev, /sys and the volumes are mounted after this
	 * and keep their own attributes, as with docker.
	 */
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	if (syscall(SYS_mount_setattr, rootfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) <
	    0)
		return mr_error_set(err, errno, "read-only root");
	return 0;
}
