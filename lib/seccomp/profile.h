/* SPDX-License-Identifier: MIT */
/*
 * Internal: seccomp profile handling shared by lib/seccomp/profile.c (JSON -> rules),
 * lib/seccomp/reduce.c (Docker's includes/excludes/archMap reduction) and
 * lib/seccomp/filter.c (libseccomp compile, ENOSYS stub, compiled-filter cache).
 *
 * Nothing here knows about launching: a "profile check|explain|diff"
 * subcommand or a test can parse, reduce and compile with no container.
 */
#ifndef MINIRUN_LIB_PROFILE_H
#define MINIRUN_LIB_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/caps.h"
#include "common/error.h"

struct sock_filter;

/* Where a JSON value starts in the profile text; line 0 = unknown. */
struct mr_pos {
	int line;
	int column;
};

/* A growable list of malloc'ed lines (warnings). */
struct mr_strv {
	char **v;
	size_t n;
};

int mr_strv_addf(struct mr_strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Move every line of from to the end of to; from is left empty. */
int mr_strv_move(struct mr_strv *to, struct mr_strv *from);
void mr_strv_clear(struct mr_strv *sv);

/* The actions of the profile format (SCMP_ACT_KILL is KILL_THREAD, as in libseccomp). */
enum mr_act {
	MR_ACT_KILL_THREAD,
	MR_ACT_KILL_PROCESS,
	MR_ACT_TRAP,
	MR_ACT_ERRNO,
	MR_ACT_TRACE,
	MR_ACT_ALLOW,
	MR_ACT_LOG,
};

/* True for the actions that carry an errno (SCMP_ACT_ERRNO, SCMP_ACT_TRACE). */
bool mr_act_has_errno(enum mr_act act);

/* The libseccomp action value; errno_ret is used for ERRNO/TRACE only. */
uint32_t mr_act_value(enum mr_act act, unsigned errno_ret);

struct mr_prof_arg {
	unsigned index;
	uint64_t value;
	uint64_t value_two;
	int op; /* enum scmp_compare */
	struct mr_pos pos;
};

/* One "includes" or "excludes" object. */
struct mr_prof_cond {
	bool present;
	char **arches; /* Go spellings: "amd64", "arm64", "x86", ... */
	size_t n_arches;
	char **caps; /* compared as exact strings with the CAP_ names of the bounding set */
	size_t n_caps;
	bool has_min_kernel;
	unsigned min_kernel;
	unsigned min_major;
	struct mr_pos pos;
};

struct mr_prof_rule {
	char **names;
	struct mr_pos *name_pos;
	size_t n_names;
	enum mr_act action;
	char *action_name; /* as written, for messages */
	bool has_errno;
	unsigned errno_ret; /* EPERM unless errnoRet/errno says otherwise */
	struct mr_prof_arg *args;
	size_t n_args;
	char *comment;
	struct mr_prof_cond includes;
	struct mr_prof_cond excludes;
	struct mr_pos pos;
};

struct mr_prof_archmap {
	char *arch; /* "SCMP_ARCH_X86_64" as written */
	char **sub_arches;
	struct mr_pos *sub_pos;
	size_t n_sub_arches;
	struct mr_pos pos;
};

struct mr_profile {
	char *source; /* "built-in default" or the file path */
	/* Docker: no defaultAction and no syscalls means "no seccomp at all". */
	bool unconfined;
	enum mr_act default_action;
	char *default_action_name;
	bool has_default_errno;
	unsigned default_errno; /* EPERM unless defaultErrnoRet/defaultErrno says otherwise */
	uint32_t *arches;	/* "architectures", resolved SCMP_ARCH_* tokens */
	size_t n_arches;
	struct mr_prof_archmap *archmap;
	size_t n_archmap;
	bool has_flags; /* the "flags" key is present (even empty) */
	unsigned flags; /* SECCOMP_FILTER_FLAG_* */
	struct mr_prof_rule *rules;
	size_t n_rules;
	struct mr_strv warnings; /* unknown keys and other things Docker silently ignores */
};

/*
 * Parse a profile: Docker's format (with archMap, includes/excludes, legacy
 * "name", "comment"), the OCI linux.seccomp object, a whole OCI config.json
 * (its linux.seccomp is taken) and the Podman keys errno/defaultErrno.
 * source names the text in messages ("FILE:LINE:COLUMN: reason").
 */
int mr_profile_parse(const char *text, size_t len, const char *source, struct mr_profile **out,
		     struct mr_error *err);

/* Read and parse a file. */
int mr_profile_load(const char *path, struct mr_profile **out, struct mr_error *err);

/* Only read it (size-limited, directories refused): *text is malloc'ed. */
int mr_profile_read(const char *path, char **text, size_t *text_len, struct mr_error *err);

void mr_profile_free(struct mr_profile *p);

/* Parse an errno spelling: "EPERM", "ENOSYS" or a decimal number. */
int mr_errno_parse(const char *s, unsigned *out);

/* --- reduce.c --- */

/* What Docker's setupSeccomp looks at on the host. */
struct mr_reduce_env {
	const char *go_arch;  /* Go's spelling of the native arch: "amd64", "arm64", "x86", ... */
	uint32_t native_arch; /* SCMP_ARCH_* token of the native arch */
	unsigned kernel;      /* uname release "6.18.44-..." -> 6, 18 */
	unsigned major;
	mr_capset bounding; /* the bounding set the process will get */
};

/* The running host's arch and kernel, with the given bounding set. */
int mr_reduce_env_host(mr_capset bounding, struct mr_reduce_env *env, struct mr_error *err);

/* Go's spelling of a libseccomp arch token ("amd64" for SCMP_ARCH_X86_64); NULL if none. */
const char *mr_arch_go_name(uint32_t token);

/* "SCMP_ARCH_X86_64" -> token; 0 when libseccomp does not know it. */
uint32_t mr_arch_resolve(const char *scmp_name);

/* The profile reduced for one host: an OCI linux.seccomp with everything decided. */
struct mr_reduced {
	const struct mr_profile *profile;
	uint32_t default_action; /* libseccomp value, errno included */
	enum mr_act default_act;
	uint32_t *arches; /* architectures or the native archMap entry; may lack native */
	size_t n_arches;
	unsigned flags; /* SECCOMP_FILTER_FLAG_*: the profile's, else SPEC_ALLOW */
	const struct mr_prof_rule **rules;
	size_t n_rules;
};

int mr_profile_reduce(const struct mr_profile *p, const struct mr_reduce_env *env,
		      struct mr_reduced *out, struct mr_error *err);

void mr_reduced_clear(struct mr_reduced *r);

/*
 * Whether mr_profile_reduce keeps rule r for env, with the reason in why
 * ("includes.caps CAP_SYS_ADMIN not in the bounding set"; for a kept rule,
 * the conditions that held, or "" when it has none).  For `profile explain`.
 */
bool mr_rule_applies_why(const struct mr_prof_rule *r, const struct mr_reduce_env *env, char *why,
			 size_t len);

/* --- filter.c --- */

struct mr_filter_opts {
	bool strict;	       /* unknown syscall names are an error */
	bool quiet_unknown;    /* do not warn about unknown names (the built-in default) */
	const char *cache_dir; /* NULL: no cache */
};

struct mr_filter {
	struct sock_filter *insns; /* ENOSYS stub + libseccomp's program */
	size_t n_insns;
	unsigned flags; /* SECCOMP_FILTER_FLAG_* */
	size_t n_stub;	/* instructions of the ENOSYS stub at the start */
	bool from_cache;
	struct mr_strv warnings;
};

int mr_filter_build(const struct mr_reduced *r, const struct mr_filter_opts *opts,
		    struct mr_filter *out, struct mr_error *err);

void mr_filter_clear(struct mr_filter *f);

/*
 * libseccomp's pseudo-code (seccomp_export_pfc) for the same rules as
 * mr_filter_build compiles, without the ENOSYS stub (which libseccomp does
 * not know about).  *out is malloc'ed text.  For `profile explain --format=pfc`.
 */
int mr_filter_export_pfc(const struct mr_reduced *r, char **out, struct mr_error *err);

/*
 * The cache directory to use, from MINIRUN_SECCOMP_CACHE ("0": none, an
 * absolute path: that directory) or the default ($XDG_CACHE_HOME or
 * ~/.cache, /var/cache for root, + /minirun/seccomp).  *out = NULL when the
 * cache is disabled.  Returns -1 only on ENOMEM.
 */
int mr_filter_cache_dir(char **out);

/*
 * An entry under a key the caller computed (the built-in default's fast path:
 * its key covers the embedded text and every input of the reduction, so a hit
 * needs no parsing).  get returns 1 on a hit and fills insns, n_insns,
 * n_stub and flags (no warnings); put is best effort.
 */
int mr_filter_cache_get(const char *cache_dir, const uint8_t key[32], struct mr_filter *out);
void mr_filter_cache_put(const char *cache_dir, const uint8_t key[32], const struct mr_filter *f);

/* The cache key: SHA-256 of everything that affects the program. */
int mr_filter_cache_key(const struct mr_reduced *r, const struct mr_filter_opts *opts,
			uint8_t key[32], struct mr_error *err);

#endif
