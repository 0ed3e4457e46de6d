/* SPDX-License-Identifier: MIT */
/*
 * The OCI runtime command line's pieces shared between runtime.c (create,
 * start, state, kill, delete, run, spec, the global flags) and
 * runtime-exec.c (exec, ps, pause, resume, features).
 */
#ifndef MINIRUN_CMD_RUNTIME_H
#define MINIRUN_CMD_RUNTIME_H

#include <sys/types.h>

#include "minirun/minirun.h"

/* --root, as given or defaulted. */
const char *mr_rt_root(void);
/* "minirun: MSG" on stderr and in --log; returns 1. */
int mr_rt_fail(const struct mr_error *err);
/* The same for a formatted message: "minirun: MESSAGE" on stderr and in --log; returns 1. */
int mr_rt_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mr_rt_warning(const char *msg);
/* create, run --detach, exec, a run joining a PID namespace: go on as a sealed copy of
   minirun (self-seal.h); 1 on failure. */
int mr_rt_seal_self(void);
/* The pid file, written whole or not at all. */
int mr_rt_write_pid_file(const char *path, pid_t pid, struct mr_error *err);
/* runc's protocol: the pty MASTER over the unix socket at SOCK_PATH (SCM_RIGHTS). */
int mr_rt_send_console(const char *sock_path, int master, struct mr_error *err);

int mr_rt_exec(int argc, char **argv);
int mr_rt_ps(int argc, char **argv);
int mr_rt_list(int argc, char **argv);
int mr_rt_pause(int argc, char **argv, bool pause);
int mr_rt_features(int argc, char **argv);

#endif
