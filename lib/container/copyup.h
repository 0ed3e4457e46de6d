/* SPDX-License-Identifier: MIT */
/*
 * An OCI tmpfs mount's "tmpcopyup" (crun's option; podman sets it on every
 * --tmpfs and on --read-only's /tmp, /var/tmp, /run): the tmpfs starts with a
 * copy of what the image has at its destination.
 */
#ifndef MINIRUN_LIB_COPYUP_H
#define MINIRUN_LIB_COPYUP_H

#include "common/error.h"

/*
 * Copy the tree of directory FROM (the image's, any descriptor of it) into
 * directory TO (the fresh tmpfs, not yet attached): directories, regular
 * files, symlinks, FIFOs, sockets and device nodes, with their modes, owners
 * and times.  Nothing is followed: a symlink is copied as one.  WHAT is the
 * mount's destination, for messages.  Returns 0 or -1 with err filled.
 */
int mr_copyup(int from, int to, const char *what, struct mr_error *err);

#endif
