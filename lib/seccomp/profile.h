/* SPDX-License-Identifier: MIT */
/*
 * Internal: a seccomp profile as written (lib/seccomp/profile.c: JSON ->
 * rules with their JSON positions).  Reducing it for a host is
 * seccomp/reduce.h, compiling it seccomp/filter.h.
 *
 * Nothing here knows about launching: a "profile check|explain|diff"
 * subcommand or a test can parse, reduce and compile with no container.
 */
#ifndef MINIRUN_SECCOMP_PROFILE_H
#define MINIRUN_SECCOMP_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strv.h"

/* Where a JSON value starts in the profile text; line 0 = unknown. */
struct mr_pos {
	int line;
	int column;
};

/* The actions of the profile format (SCMP_ACT_KILL is KILL_THREAD, as in libseccomp). */
enum mr_act {
	MR_ACT_KILL_THREAD,
	MR_ACT_KILL_PROCESS,
	MR_ACT_TRAP,
	MR_ACT_ERRNO,
	MR_ACT_TRACE,
	MR_ACT_ALLOW,
	MR_ACT_LOG,
	MR_ACT_NOTIFY, /* SECCOMP_RET_USER_NOTIF: an agent at listenerPath answers */
};

/* Whether a takes more away than b (a deny rule in an allow-by-default profile). */
bool mr_act_stricter(enum mr_act a, enum mr_act b);

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
	/* OCI listenerPath/listenerMetadata: where an SCMP_ACT_NOTIFY profile's
	   listener goes (NULL: not given; required with a NOTIFY rule) */
	char *listener_path;
	char *listener_metadata;
	bool has_flags; /* the "flags" key is present (even empty) */
	unsigned flags; /* SECCOMP_FILTER_FLAG_* */
	struct mr_prof_rule *rules;
	size_t n_rules;
	struct mr_strv warnings; /* unknown keys and other things Docker silently ignores */
	/* No "syscalls" but this key, a typo of it ("sycalls"): every rule lost */
	char *lost_rules_key;
	struct mr_pos lost_rules_pos;
};

/*
 * Parse a profile: Docker's format (with archMap, includes/excludes, legacy
 * "name", "comment"), the OCI linux.seccomp object, a whole OCI config.json
 * (its linux.seccomp is taken) and the Podman keys errno/defaultErrno.
 * source names the text in messages ("FILE:LINE:COLUMN: reason").
 */
int mr_profile_parse(const char *text, size_t len, const char *source, struct mr_profile **out,
		     struct mr_error *err);

/*
 * The profile object itself, in Docker's JSON shape: root, an OCI
 * config.json's linux.seccomp, or a SeccompProfile's spec (its errnoRet
 * strings made numbers, baseProfileName dropped).  A deep copy, *out a new
 * reference.  What learn mode extends.
 */
int mr_profile_object(const char *text, size_t len, const char *source, json_t **out,
		      struct mr_error *err);

/* Read and parse a file. */
int mr_profile_load(const char *path, struct mr_profile **out, struct mr_error *err);

/* Only read it (size-limited, directories refused): *text is malloc'ed. */
int mr_profile_read(const char *path, char **text, size_t *text_len, struct mr_error *err);

/* The same for path relative to dirfd, opened with openat2 resolve flags (0: plain openat);
 * source names it in messages. */
int mr_profile_read_at(int dirfd, const char *path, uint64_t resolve, const char *source,
		       char **text, size_t *text_len, struct mr_error *err);

void mr_profile_free(struct mr_profile *p);

static inline void
mr_profile_freep(struct mr_profile **p)
{
	mr_profile_free(*p);
}
#define cleanup_profile __attribute__((cleanup(mr_profile_freep)))

/* Parse an errno spelling: "EPERM", "ENOSYS" or a decimal number. */
int mr_errno_parse(const char *s, unsigned *out);

/* "an object", "a string", ...: a JSON value's type, for messages. */
const char *mr_json_type_name(const json_t *v);

#endif
