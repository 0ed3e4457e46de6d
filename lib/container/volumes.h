/* SPDX-License-Identifier: MIT */
/*
 * Volumes: -v/--volume, --mount type=bind|tmpfs and --tmpfs, as docker run
 * spells them.  Three stages, each in its own place of the launch:
 *
 *   parse    (the CLI, no syscall)   flag text -> struct mr_volume in the spec
 *   prepare  (mr_prepare, no process yet) the bind sources opened on the host
 *            and held by descriptor; as real root already cloned into
 *            detached mount trees with their final attributes
 *   attach   (the container process, before pivot_root) each tree put on a
 *            destination resolved inside the new root, never on a path of
 *            the host (runc CVE-2025-31133, CVE-2025-52565)
 *
 * This header includes no other header of container/: spec.h and prepare.h
 * include it.
 */
#ifndef MINIRUN_LIB_VOLUMES_H
#define MINIRUN_LIB_VOLUMES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

enum mr_volume_type {
	MR_VOLUME_BIND = 0,
	MR_VOLUME_TMPFS,
};

/* Docker's bind propagation modes; the default is rprivate. */
enum mr_volume_propagation {
	MR_PROPAGATION_RPRIVATE = 0,
	MR_PROPAGATION_PRIVATE,
	MR_PROPAGATION_RSLAVE,
	MR_PROPAGATION_SLAVE,
	MR_PROPAGATION_RSHARED,
	MR_PROPAGATION_SHARED,
	/* An OCI config's only (docker has none): neither -v nor --mount parse them. */
	MR_PROPAGATION_RUNBINDABLE,
	MR_PROPAGATION_UNBINDABLE,
};

struct mr_volume {
	enum mr_volume_type type;
	const char *flag; /* "-v", "--mount" or "--tmpfs": for messages */
	char *arg;	  /* the flag's value as given: for messages */
	char *source;	  /* bind: absolute host path, as given */
	char *target;	  /* absolute container path, cleaned ("/a/b", never "/") */
	bool readonly;
	bool create_source; /* -v: a missing source is made a directory (docker does) */
	bool relabel;	    /* z or Z: accepted, ignored with a warning */
	enum mr_volume_propagation propagation;
	/* OCI config mounts: (r)shared makes a peer group of the container's own,
	   a slave of the host's (runc's under its default rslave root); docker's
	   -v rshared stays in the host mount's group */
	bool shared_own_group;
	/* An OCI config's "bind" without "rbind": the source's mount alone, none of
	   the host's mounts below it (runc's and crun's MS_BIND without MS_REC) */
	bool nonrecursive;
	unsigned long long tmpfs_size; /* bytes; 0: the kernel's default */
	unsigned int tmpfs_mode;       /* with tmpfs_mode_set */
	bool tmpfs_mode_set;
	bool tmpfs_copyup;	  /* an OCI config's tmpcopyup: the image's directory copied in */
	unsigned int tmpfs_attrs; /* MOUNT_ATTR_NOEXEC|NOSUID|NODEV as chosen (also binds
				     from an OCI config) */
};

/*
 * Parse one flag's value and append it to *v (grown with realloc).  Only
 * the text is checked here: sources must be absolute, destinations absolute
 * and not /, /proc, /sys, /dev or below /proc and /sys, options known.
 * Returns 0 or -1 with err filled.
 */
int mr_volume_parse_bind(const char *arg, struct mr_volume **v, size_t *n, struct mr_error *err);
int mr_volume_parse_mount(const char *arg, struct mr_volume **v, size_t *n, struct mr_error *err);
int mr_volume_parse_tmpfs(const char *arg, struct mr_volume **v, size_t *n, struct mr_error *err);

/* Checks across volumes (two on one destination). */
/* PATH (absolute) lexically cleaned as Go's filepath.Clean: malloc'ed, NULL on ENOMEM. */
char *mr_path_clean(const char *path);

int mr_volumes_validate(const struct mr_volume *v, size_t n, struct mr_error *err);

void mr_volumes_free(struct mr_volume *v, size_t n);

/* One volume, checked against the host before any process exists. */
struct mr_volume_prepared {
	int source_fd;	   /* bind: O_PATH of the source, opened once */
	int tree_fd;	   /* bind, real root: detached clone, attributes set; else -1 */
	char *source_path; /* bind: what source_fd names (rootless re-opens it) */
	dev_t dev;
	ino_t ino;
	bool is_dir;
};

struct mr_volumes_prepared {
	struct mr_volume_prepared *v; /* same order as spec->volumes */
	size_t n;
	size_t *order;	     /* attach order: parents before what is inside them */
	const char *warning; /* one line for the CLI to print, or NULL */
};

struct mr_prepared;

/*
 * mr_prepare: open every bind source (a missing -v source is created as a
 * directory, as docker does; a missing --mount source is an error) and, as
 * real root, clone it into a detached tree now, in the caller's mount
 * namespace, so the container attaches exactly what was opened.  NODEV:
 * every mount of those trees nodev (mr_cgroup_devices_unguarded).
 */
int mr_volumes_prepare(const struct mr_volume *v, size_t n, bool rootless, bool nodev,
		       struct mr_volumes_prepared *out, struct mr_error *err);
void mr_volumes_prepared_clear(struct mr_volumes_prepared *vp);

/*
 * Container process, right after the rootfs is set up: --read-only makes
 * the whole root tree read-only (every submount the rootfs already had
 * too) before /proc, /dev, /sys and the volumes go on it.  Missing mount
 * points are created first, while it can still be written.
 */
int mr_volumes_root_readonly(const struct mr_prepared *p, int rootfd, struct mr_error *err);

/*
 * Container process, after /proc, /dev, /sys and their masks, before
 * pivot_root: attach every volume inside the root rootfd.
 */
int mr_volumes_attach(const struct mr_prepared *p, int rootfd, struct mr_error *err);

#endif
