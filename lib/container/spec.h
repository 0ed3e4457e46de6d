/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_SPEC_H
#define MINIRUN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/caps.h"
#include "common/error.h"
#include "container/resources.h"
#include "container/volumes.h"
#include "seccomp/observe.h"

/*
 * The container's description: everything minirun needs to start one
 * container, and nothing about how it was asked for.  The CLI (cmd/) fills it
 * from flags; the OCI front end (oci-config.c) from config.json.  lib/ only
 * reads it.  All strings and arrays are owned by the spec (mr_spec_clear).
 */

enum mr_network {
	MR_NETWORK_NONE = 0, /* new network namespace with only lo, up (docker's "none") */
	MR_NETWORK_HOST,     /* share the caller's network namespace */
	MR_NETWORK_JOINED,   /* an existing one (OCI linux.namespaces[].path): ns_join */
};

/*
 * The namespaces an OCI config can name by path (linux.namespaces[].path):
 * the container process enters them instead of having new ones made.
 */
enum mr_ns_join_kind {
	MR_JOIN_NET = 0,
	MR_JOIN_IPC,
	MR_JOIN_UTS,
	MR_JOIN_CGROUP,
	MR_JOIN_PID,
	MR_JOIN_USER, /* as root: the container's namespaces are made inside it (launch.c) */
	MR_JOIN_N,
};

struct mr_ns_join {
	char *path; /* as given, for messages; NULL: not joined (fd then means nothing) */
	int fd;	    /* the namespace, opened and type-checked at parse (namespaces.c) */
};

/* One line of a uid_map or gid_map: SIZE ids from CONTAINER_ID map to HOST_ID on. */
struct mr_id_map {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct mr_spec {
	char *name;   /* --name: shown in messages only, may be NULL */
	char *rootfs; /* host path of the root filesystem */
	char *
	    *argv; /* COMMAND [ARG...], NULL-terminated, argv[0] looked up in the container PATH */
	size_t argc;
	char **env; /* KEY=VALUE from -e, in order; later entries win; NULL-terminated */
	size_t n_env;
	char *workdir;	/* -w: absolute container path, NULL = "/" */
	char *hostname; /* -h: NULL = a Docker-like random 12-hex id */
	char *user;	/* -u USER[:GROUP] as given, NULL = root */

	char *entrypoint;    /* --entrypoint: replaces an image's (image.c), "" = none */
	bool entrypoint_set; /* --entrypoint was given (even as "") */

	mr_capset caps;	 /* the container's capability set (Docker's default, tweaked) */
	bool caps_all;	 /* --cap-add ALL: grant what the caller can, instead of failing
			    on a capability the caller does not hold itself */
	bool privileged; /* every capability the caller has, no masked/read-only paths,
			    unconfined seccomp unless a profile is given explicitly */

	enum mr_network network;
	bool read_only;	   /* --read-only: root filesystem mounted read-only */
	bool no_new_privs; /* --security-opt no-new-privileges */
	bool interactive;  /* -i: keep stdin attached (else the container's stdin is /dev/null) */
	bool tty;	   /* -t: a new pseudo-terminal for the container */
	bool init;	   /* --init: minirun's own PID 1 (init.c) runs the command as PID 2 */

	/* minirun's own SIGTERM, as docker stop: stop_signal to PID 1 (--stop-signal,
	   default SIGTERM), then SIGKILL after stop_timeout s (--stop-timeout,
	   default 10; -1: never) */
	int stop_signal;
	int stop_timeout;

	/* --rootfs: write into ROOTFS itself (podman's --rootfs), instead of the
	   default copy-on-write overlay discarded at exit (overlay.c) */
	bool rootfs_direct;
	/* ROOTFS is an image's tree in the image cache (image.c): every later run of the
	   image starts from it, so it is never written (an overlay even with --read-only) */
	bool rootfs_cached;
	/* rootfs_cached: the entry's rootfs directory as the cache found it, under
	   IMAGES checked to be the caller's; ROOTFS must open to this very one */
	dev_t rootfs_cached_dev;
	ino_t rootfs_cached_ino;

	char *seccomp;	    /* --seccomp / --security-opt seccomp=: NULL = built-in default,
			       "unconfined", "runtime/default", "localhost/PATH", a path... */
	char *seccomp_text; /* OCI: the config.json seccomp names, as read once (NULL: read
			       seccomp from the file) */
	size_t seccomp_text_len;
	bool seccomp_strict;	     /* unknown syscall names are an error, not a warning */
	bool seccomp_lenient;	     /* --seccomp-strict=off: not even those that fail open */
	bool seccomp_report;	     /* --seccomp-report: name every denied syscall */
	char *seccomp_report_file;   /* --seccomp-report=FILE: JSON lines there instead */
	char *seccomp_learn;	     /* --seccomp-learn=FILE: write a profile for this run */
	bool seccomp_learn_args;     /* --seccomp-learn-args: socket families, clone flags... */
	bool seccomp_complain;	     /* --seccomp-complain: report refusals, let them run */
	char *seccomp_complain_file; /* --seccomp-complain=FILE: JSON lines there instead */
	uint32_t *learn_arches;	     /* --arch (with --seccomp-learn): SCMP_ARCH_* tokens */
	size_t n_learn_arches;
	char *seccomp_target; /* --target RUNTIME (cmd/minirun.c loads it: lib/tools/targets.h) */
	/* --seccomp-learn --target: the runtime's calls, added as rules of their own.
	   Borrowed: the caller owns them and keeps them until the run is over. */
	const struct mr_learn_extra *seccomp_learn_extra;
	size_t n_seccomp_learn_extra;
	char *apparmor; /* --security-opt apparmor=: NULL = none */

	struct mr_resources resources; /* --memory, --pids-limit, --cpus, --ulimit... (cgroup.c) */

	struct mr_volume *volumes; /* -v, --mount, --tmpfs in flag order (volumes.c) */
	size_t n_volumes;
	bool verbose; /* --verbose: print on stderr what is applied once it exists (the cgroup) */

	/* --sysctl KEY=VALUE as given, checked by mr_sysctl_parse (sysctl.c), in flag order */
	char **sysctls;
	size_t n_sysctls;
	/* --group-add GROUP as given: names or gids, resolved in the image (user.c);
	   an OCI config's process.user.additionalGids, as decimal gids */
	char **group_add;
	size_t n_group_add;
	/* --add-host as /etc/hosts lines ("IP\tNAME"), --dns, --dns-search,
	   --dns-option as given (checked by cmd/options.c): etc-files.c */
	char **add_hosts;
	size_t n_add_hosts;
	char **dns;
	size_t n_dns;
	char **dns_search;
	size_t n_dns_search;
	char **dns_options;
	size_t n_dns_options;
	/*
	 * What only an OCI config.json says (lib/container/oci-config.c); the
	 * command line leaves these zero, which keeps Docker's rules.
	 */
	bool caps_explicit; /* effective, permitted, inheritable, ambient as given below,
			       instead of Docker's rule (bounding = caps, all or nothing) */
	mr_capset cap_effective, cap_permitted, cap_inheritable, cap_ambient;
	bool umask_set; /* process.user.umask, else 022 */
	unsigned umask;
	/* process.cwd: made when missing (mkdir -p, with minirun's own umask) and
	   entered as given, as runc and crun do; -w and WorkingDir are cleaned
	   first, as docker cleans them (prepare.c: workdir_path) */
	bool workdir_as_given;
	bool oom_score_adj_set; /* process.oomScoreAdj */
	int oom_score_adj;
	bool env_as_given;    /* process.env exactly: no default PATH, no HOSTNAME */
	bool groups_as_given; /* process.user.additionalGids exactly: the gid not added */
	struct mr_ns_join ns_join[MR_JOIN_N]; /* owned: closed by mr_spec_clear */
	char *domainname;		      /* domainname: NULL = left as it is */
	bool personality_set;		      /* linux.personality */
	unsigned long personality;	      /* PER_LINUX or PER_LINUX32 */
	/* linux.rootfsPropagation as MS_* flags (MS_REC for the r- forms), 0 = rprivate */
	unsigned long rootfs_propagation;
	/* As root, linux.namespaces has "user": a new user namespace with these maps
	   (linux.uidMappings, gidMappings), checked at parse; or, with its path
	   (ns_join[MR_JOIN_USER]), that one with the maps it has, read at parse;
	   rootless leaves them empty */
	bool userns;
	struct mr_id_map *uid_map, *gid_map;
	size_t n_uid_map, n_gid_map;
	/* linux.maskedPaths / readonlyPaths beyond minirun's own lists (mounts.c), as
	   given (absolute), NULL-terminated; applied last, over the volumes too */
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
};

/* The host id of ID (as seen inside the namespace), or UINT32_MAX when unmapped. */
static inline uint32_t
mr_id_map_host(const struct mr_id_map *map, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= map[i].container_id && id - map[i].container_id < map[i].size)
			return map[i].host_id + (id - map[i].container_id);
	return UINT32_MAX;
}

/* Whether ID is in one of the N ranges of MAP (no range ends at UINT32_MAX). */
static inline bool
mr_id_map_has(const struct mr_id_map *map, size_t n, uint32_t id)
{
	return mr_id_map_host(map, n, id) != UINT32_MAX;
}

/* Whether the namespace of KIND is an existing one the container joins. */
static inline bool
mr_spec_joins(const struct mr_spec *spec, enum mr_ns_join_kind kind)
{
	return spec->ns_join[kind].path != NULL;
}

/* Zero a spec (defaults: Docker's capabilities, network none). */
void mr_spec_init(struct mr_spec *spec);

/* Free everything the spec owns and zero it. */
/* Append a copy of S to the NULL-terminated list *V of *N strings. */
int mr_spec_push(char ***v, size_t *n, const char *s, struct mr_error *err);

void mr_spec_clear(struct mr_spec *spec);

/* Append one -e entry (copied).  Returns 0 or -1 (ENOMEM). */
int mr_spec_add_env(struct mr_spec *spec, const char *kv, struct mr_error *err);

/* Set argv (copied). */
int mr_spec_set_argv(struct mr_spec *spec, char *const *argv, size_t argc, struct mr_error *err);

/*
 * Checks that need no process and no filesystem: hostname syntax, workdir
 * absolute, env keys non-empty, argv non-empty.
 */
int mr_spec_validate(const struct mr_spec *spec, struct mr_error *err);

#endif
