/* SPDX-License-Identifier: MIT */
/*
 * CVE-2019-5736 where the container outlives minirun (OCI create, run
 * --detach, exec, a run joining a PID namespace): minirun re-executes
 * itself from a sealed memfd copy of its binary, so no process it leaves
 * in, or sends into, a container has the host's binary as its
 * /proc/PID/exe.
 *
 * The exec-target check (exec-check.h) refuses minirun as the command, but a
 * process already in the container can swap the command's path between that
 * check and execve (or, after OCI create, at any time before start).  Had
 * the kernel then run minirun's binary in the container, the container could
 * hold /proc/PID/exe open with O_PATH and reopen it for writing once no
 * minirun runs (ETXTBSY protects a binary only while it is executed).  A
 * foreground OCI `run` needs the copy when its config joins another
 * container's PID namespace (a pod): a process there with CAP_SYS_PTRACE
 * opens /proc/PID/exe of the new init before its execve and keeps it after
 * this minirun is gone.  With a PID namespace of its own it needs none, nor
 * does a `minirun ROOTFS` run (which always makes its own): the namespace
 * dies with its init, minirun waits for that, and --init refuses
 * CAP_SYS_PTRACE.
 */
#ifndef MINIRUN_LIB_SELF_SEAL_H
#define MINIRUN_LIB_SELF_SEAL_H

#include <sys/types.h>

#include "common/error.h"

/*
 * Already running from a sealed copy: returns 0.  Otherwise copies the
 * binary into a memfd, seals it against writes, resizing and further seals,
 * and execveat()s it with ARGV and the environment (plus the original's
 * identity, taken back out by the copy), keeping every descriptor that is
 * not close-on-exec: on success it does not return.  -1 with err filled
 * when any step fails, and before the exec nothing else has changed.
 */
int mr_self_seal(char *const argv[], struct mr_error *err);

/*
 * The binary never to be executed in a container: /proc/self/exe, and when
 * that is the sealed copy, also the file it was copied from.  Returns the
 * number of identities written (1 or 2), or -1 with err filled.
 */
int mr_self_identities(dev_t devs[2], ino_t inos[2], struct mr_error *err);

#endif
