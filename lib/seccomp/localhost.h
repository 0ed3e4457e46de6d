/* SPDX-License-Identifier: MIT */
/*
 * Internal: localhost/NAME, the kubelet's way to name a profile on the node:
 * NAME is a file beneath the seccomp root (the kubelet's
 * /var/lib/kubelet/seccomp), and it may not leave it.
 */
#ifndef MINIRUN_SECCOMP_LOCALHOST_H
#define MINIRUN_SECCOMP_LOCALHOST_H

#include <stddef.h>

#include "common/error.h"

#define MR_SECCOMP_ROOT_DEFAULT "/var/lib/kubelet/seccomp"

/* --seccomp-root DIR (process-wide, as the kubelet's root is node-wide); NULL: unset. */
void mr_seccomp_root_set(const char *dir);

/* --seccomp-root, else $MINIRUN_SECCOMP_ROOT, else /var/lib/kubelet/seccomp. */
const char *mr_seccomp_root(void);

/* NAME must descend from the root: not empty, no ".." component.  An absolute NAME
 * (localhost//PATH) is accepted here: it names the file itself (program.c). */
int mr_localhost_check(const char *name, struct mr_error *err);

/*
 * Read ROOT/NAME: the root opened once, NAME opened beneath it with openat2
 * RESOLVE_BENEATH (a symlink may not lead out either).  *source gets
 * "ROOT/NAME" for messages (malloc'ed), *text the contents.
 */
int mr_localhost_read(const char *name, char **text, size_t *len, char **source,
		      struct mr_error *err);

#endif
