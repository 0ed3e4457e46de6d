/* SPDX-License-Identifier: MIT */
/*
 * Images as ROOTFS.  ROOTFS may be a directory (used as it is), or
 *
 *  - a tar archive, plain or compressed (gzip, bzip2, xz, zstd: told apart
 *    by content, not by name): a root filesystem such as Alpine's
 *    minirootfs or `docker export` output;
 *  - an OCI image layout: a directory with oci-layout and index.json;
 *  - a `docker save` / `podman save` archive: a tar with manifest.json and
 *    the layer tars, or with an OCI layout inside.
 *
 * Images are unpacked (unpack.h: safely, with a budget) into a
 * content-addressed cache, IMAGES/<key>/rootfs, IMAGES being
 * $MINIRUN_CACHE_DIR/images, else /var/cache/minirun/images as root and
 * ${XDG_CACHE_HOME:-~/.cache}/minirun/images otherwise.  The key is
 * "sha256-" and the SHA-256 of the archive's bytes, or of the manifest of
 * an OCI layout directory.  A start always recomputes the key (an archive
 * is read once, to hash it; a layout's index and manifest only) and never
 * trusts a file's name, size or time: an image changed in place is a new
 * key.  Unpacking goes to IMAGES/.tmp-<key>-XXXXXX, renamed to IMAGES/<key>
 * only when complete, so a cache entry is always whole and a second start
 * unpacks nothing; a failed unpack removes its temporary directory.
 *
 * With an image config (OCI layout, docker save), its Env, Entrypoint, Cmd,
 * WorkingDir and User apply as `docker run` applies them; it is kept as
 * IMAGES/<key>/config.json.
 */
#ifndef MINIRUN_CONTAINER_IMAGE_H
#define MINIRUN_CONTAINER_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "container/spec.h"

enum mr_image_kind {
	MR_IMAGE_DIRECTORY = 0, /* a plain root filesystem directory */
	MR_IMAGE_TARBALL,	/* a root filesystem in a tar archive */
	MR_IMAGE_OCI_LAYOUT,	/* an OCI image layout directory */
	MR_IMAGE_ARCHIVE,	/* docker/podman save, or an OCI layout, in a tar archive */
};

/* What an image's config says about how to run it ("config" of the OCI/Docker config). */
struct mr_image_config {
	char **env; /* KEY=VALUE, NULL-terminated (all of these may be NULL) */
	char **entrypoint;
	char **cmd;
	char *workdir;
	char *user;
};

struct mr_image_options {
	char *cache_dir;      /* the directory holding images/ (malloc'ed) */
	uint64_t max_bytes;   /* file data one image may unpack to */
	uint64_t max_entries; /* entries one image may have */
};

struct mr_image_info {
	enum mr_image_kind kind;
	char key[80];		  /* "sha256-<hex>", empty for a plain directory */
	bool cached;		  /* found in the cache: nothing was unpacked */
	bool has_config;	  /* the image had a config (Env, Cmd...) */
	uint64_t skipped_devices; /* device nodes not made (not root) */
	uint64_t skipped_xattrs;  /* extended attributes the cache's filesystem refused */
};

/*
 * The defaults, with the environment's overrides: MINIRUN_CACHE_DIR,
 * MINIRUN_IMAGE_MAX_BYTES (a size: 512m, 8g) and MINIRUN_IMAGE_MAX_ENTRIES.
 */
int mr_image_options_default(struct mr_image_options *o, struct mr_error *err);
void mr_image_options_clear(struct mr_image_options *o);

/*
 * If spec->rootfs is an image, make sure it is unpacked in the cache and
 * point spec->rootfs at the unpacked directory; then merge the image's
 * config and --entrypoint into spec (argv, env, workdir, user) the way
 * `docker run` does.  Fails (exit 125) on an image that cannot be read or
 * is refused, and when there is no command at all.
 */
int mr_image_resolve(struct mr_spec *spec, const struct mr_image_options *opts,
		     struct mr_image_info *info, struct mr_error *err);

/* image-config.c */

/* The "config" object of an image config JSON (what names it in messages). */
int mr_image_config_parse(const char *json, size_t len, const char *what, struct mr_image_config *c,
			  struct mr_error *err);
void mr_image_config_clear(struct mr_image_config *c);

/*
 * docker run's rules: Env before -e (which wins); WorkingDir unless -w;
 * User unless -u; the command is ENTRYPOINT + (ARGS, or Cmd when no ARGS);
 * --entrypoint E replaces Entrypoint and drops Cmd ("" : no entrypoint).
 * c may be NULL (a plain directory: only --entrypoint applies).
 */
int mr_image_config_apply(struct mr_spec *spec, const struct mr_image_config *c,
			  struct mr_error *err);

#endif
