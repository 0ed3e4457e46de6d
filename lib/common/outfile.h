/* SPDX-License-Identifier: MIT */
/*
 * Files minirun writes for the user while a container runs
 * (--seccomp-report=FILE, --seccomp-learn=FILE).  The path may lie inside
 * the container's rootfs, where the container can replace it with a symlink
 * to any host file, or with a FIFO: minirun (root on the host) must never
 * write through such a path.  So the file is opened once, in the parent,
 * before the container exists, and every later write goes through that
 * descriptor; the path is used again only to remove a file this run created.
 */
#ifndef MINIRUN_OUTFILE_H
#define MINIRUN_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

struct mr_outfile {
	int fd;	      /* -1 when not open */
	char *path;   /* as given */
	bool created; /* this run created it (and may remove it) */
	dev_t dev;
	ino_t ino;
};

#define MR_OUTFILE_INIT                                                                            \
	{                                                                                          \
		.fd = -1                                                                           \
	}

/*
 * Open PATH for writing: created if absent (0644), never through a symlink
 * (O_NOFOLLOW), regular files only (a FIFO is refused at once, not waited
 * on).  truncate: empty it now (after the checks, on the descriptor).  flag
 * names the option in errors ("--seccomp-report").
 */
int mr_outfile_open(struct mr_outfile *f, const char *flag, const char *path, bool truncate,
		    struct mr_error *err);

/* Write all of DATA at the current offset (retrying short writes). */
int mr_outfile_write(struct mr_outfile *f, const void *data, size_t len);

/* Replace the whole content with DATA: truncate the descriptor, write from 0. */
int mr_outfile_replace(struct mr_outfile *f, const void *data, size_t len);

/* The run failed: remove the file if this run created it and it is still there. */
void mr_outfile_discard(struct mr_outfile *f);

void mr_outfile_close(struct mr_outfile *f);

#endif
