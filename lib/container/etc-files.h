/* SPDX-License-Identifier: MIT */
/*
 * Docker's per-container files: /etc/hostname, /etc/hosts and
 * /etc/resolv.conf.  Their text is made in mr_prepare (the host's files are
 * read there, once) and written into a private tmpfs, whose files are
 * bind-mounted over their paths in the root, resolved inside the root by
 * descriptor.  Nothing is ever written into the image.
 */
#ifndef MINIRUN_LIB_ETC_FILES_H
#define MINIRUN_LIB_ETC_FILES_H

#include "common/error.h"

struct mr_spec;
struct mr_prepared;

struct mr_etc_files {
	char *hostname; /* "NAME\n" */
	char *hosts;
	char *resolv;
};

/*
 * The three texts for this run.  hostname is the container's.  --network
 * none: the loopback names and HOSTNAME on 127.0.1.1, a resolv.conf with no
 * name server.  --network host: the host's /etc/hosts and /etc/resolv.conf
 * as they are (read here, before any process exists).
 */
int mr_etc_files_prepare(const struct mr_spec *spec, const char *hostname, struct mr_etc_files *out,
			 struct mr_error *err);
void mr_etc_files_clear(struct mr_etc_files *f);

/* Default /etc/hosts text for HOSTNAME (malloc'ed), NULL on ENOMEM. */
char *mr_etc_hosts_default(const char *hostname);

/*
 * The three files written into a tmpfs of their own (4 MiB, 16 inodes),
 * detached, mounted nosuid,nodev,noexec (read-only with --read-only); a
 * file a volume replaces is left out.  minirun builds it while the
 * container process mounts (mounts.h), or the container process does.
 * Returns the mount's descriptor, or -1.
 */
int mr_etc_files_build(const struct mr_prepared *p, struct mr_error *err);

/*
 * Container process, after /proc, /dev, /sys and their masks, before the
 * volumes (a -v on the same path wins, as with Docker): attach FILES_MNT
 * (mr_etc_files_build; taken over) on AT (overlay.h: the scratch directory,
 * which the container never sees) and bind each file over its path in the
 * root rootfd.
 */
int mr_etc_files_attach(const struct mr_prepared *p, int rootfd, int at, int files_mnt,
			struct mr_error *err);

#endif
