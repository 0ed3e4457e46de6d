/* SPDX-License-Identifier: MIT */
/*
 * CVE-2019-5736: the container's command, and every interpreter the kernel
 * would load for it, must not be minirun's own binary.
 */
#ifndef MINIRUN_LIB_EXEC_CHECK_H
#define MINIRUN_LIB_EXEC_CHECK_H

#include <stddef.h>

#include "container/prepare.h"

/*
 * The interpreter the kernel would load for the file open at fd: a script's
 * "#!" path or an ELF's PT_INTERP (ELFCLASS32 and 64, either byte order, any
 * number of program headers, PN_XNUM included).  out gets "" when there is
 * none, or when the kernel would refuse to execute the file before opening
 * one.  size must be at least PATH_MAX.
 */
void mr_exec_interpreter_of(int fd, char *out, size_t size);

/*
 * Container process, after pivot_root: refuse (exit 126) to execute
 * p->exec_path when it, or any interpreter the kernel would load for it
 * (followed as deep as the kernel follows scripts), is minirun's own binary.
 * A missing command is reported with 127, as execve would.
 */
int mr_exec_check_target(const struct mr_prepared *p, struct mr_error *err);

/* The same for another program run in the container (an OCI startContainer hook). */
int mr_exec_check_path(const struct mr_prepared *p, const char *path, struct mr_error *err);

/*
 * Before clone, for the copy-on-write root (overlay.c): the same check on
 * ROOTFS's own tree (p->rootfs_fd).  Through an overlay every file shows the
 * overlay's st_dev (and with xino a remapped st_ino), so the check in the
 * container no longer recognises a hard link to minirun's binary in ROOTFS;
 * at start the overlay shows exactly ROOTFS's files (the upper layer is
 * empty), so this is where they are compared.
 */
int mr_exec_check_image(const struct mr_prepared *p, struct mr_error *err);

#endif
