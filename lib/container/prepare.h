/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_PREPARE_H
#define MINIRUN_PREPARE_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/caps.h"
#include "common/error.h"
#include "seccomp/program.h"
#include "container/spec.h"
#include "container/user.h"
#include "container/volumes.h"
#include "container/etc-files.h"
#include "container/namespaces.h"
#include "container/sysctl.h"

struct mr_cgroup;
struct mr_launch_ctl;

/*
 * A spec that has been checked against the real world (rootfs opened, user
 * resolved, command found, capabilities known to be grantable, seccomp
 * program compiled) before any process is created.  Everything the container
 * process needs is in here, so the child never parses or allocates on a path
 * that could fail for a reason the user could have been told earlier.
 */
struct mr_prepared {
	const struct mr_spec *spec;
	int rootfs_fd;	   /* O_PATH|O_DIRECTORY|O_CLOEXEC */
	char *rootfs_path; /* canonical absolute path */
	bool rootless;	   /* euid != 0: a user namespace maps the caller to root */
	bool userns;	   /* the container has a user namespace of its own: rootless,
			      or as root an OCI config's (spec->userns) */
	uid_t outer_uid;
	gid_t outer_gid;
	struct mr_user user;
	/* The working directory, the one path both made when missing (in the root
	   before it goes read-only: volumes.c; in the container: launch.c) and
	   entered (and the base of a relative command): spec->workdir cleaned as
	   docker cleans -w, or as given (spec->workdir_as_given); NULL = "/" */
	char *workdir;
	mode_t caller_umask; /* minirun's own: a missing process.cwd is made with it */
	char *hostname;
	char **envp;	 /* the container's final environment */
	char *exec_path; /* container path of the command, resolved in the container PATH */
	bool exec_late;	 /* not in the image but maybe on a volume: exec_path (PATH_MAX
			    bytes) is filled in the container (mr_find_command_late) */
	mr_capset bounding, effective, permitted;
	mr_capset inheritable, ambient; /* only from an OCI config (spec->caps_explicit) */
	struct mr_seccomp_prepared seccomp;
	bool lets_cgroupns; /* the filter lets it make a cgroup namespace (as root, not
			       privileged; prepare.c: check_cgroup_namespace) */
	bool skip_readback; /* the filter kills or traps a call that reads the identity back
			       after it is in (prepare.c: decide_readback) */
	/* minirun's own binary, never to be exec'ed (CVE-2019-5736): /proc/self/exe,
	   and the file a sealed copy (self-seal.h) was made from */
	dev_t self_dev[2];
	ino_t self_ino[2];
	int n_self;
	struct mr_cgroup *cgroup; /* set by mr_run: the cgroup the child joins (cgroup.c) */
	struct mr_volumes_prepared volumes; /* bind sources held by fd (volumes.c) */
	struct mr_etc_files etc_files;	    /* /etc/hostname, hosts, resolv.conf (etc-files.c) */
	const struct mr_launch_ctl *ctl; /* set by mr_launch: the OCI runtime's create (launch.h) */
	/*
	 * MR_PREPARE_LAUNCH and a network namespace minirun makes
	 * (mr_ns_net_made_apart): its thread, started by mr_prepare once the
	 * spec and its sysctls are checked (net_early), so that the kernel's
	 * slowest step of a start runs alongside the other checks.  The thread
	 * writes into these two: a prepared spec is never copied or moved.
	 * mr_launch joins it; mr_prepared_clear does for a start that never
	 * launched.
	 */
	struct mr_ns_net net;
	struct mr_sysctl_net net_sysctls;
	bool net_early;
};

/* mr_prepare's flags. */
enum {
	/* mr_launch follows: what can already start in the background does (net). */
	MR_PREPARE_LAUNCH = 1u << 0,
};

/*
 * On failure *out is left cleared (nothing to free) and err says why, with
 * exit status 125, 126 or 127.
 */
int mr_prepare(const struct mr_spec *spec, unsigned flags, struct mr_prepared *out,
	       struct mr_error *err);
void mr_prepared_clear(struct mr_prepared *p);

/*
 * Container process, after pivot_root: the $PATH search for a command that
 * only a volume can provide (p->exec_late), into p->exec_path.  127 when it
 * is not there either.
 */
int mr_find_command_late(const struct mr_prepared *p, struct mr_error *err);

#endif
