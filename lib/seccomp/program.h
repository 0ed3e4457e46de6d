/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_SECCOMP_PROGRAM_H
#define MINIRUN_SECCOMP_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sys/types.h>

#include "common/caps.h"
#include "common/error.h"
#include "seccomp/profile.h"

/*
 * The boundary between profile handling (lib/seccomp/profile.c, lib/seccomp/reduce.c,
 * lib/seccomp/filter.c) and the launch sequence.  The parent prepares a finished BPF
 * program before any process exists; the container process only loads it.
 */

struct sock_filter;

/* Watching the profile at work (seccomp user notification, lib/seccomp/observe.c). */
enum mr_seccomp_observe {
	MR_OBSERVE_NONE = 0,
	/* --seccomp-report: every refusing outcome (ERRNO, TRACE, the ENOSYS stub)
	   goes through minirun, which answers exactly what the profile would. */
	MR_OBSERVE_REPORT,
	/* --seccomp-learn: every outcome but ALLOW goes through minirun, which
	   lets the call run and records it. */
	MR_OBSERVE_LEARN,
	/* --seccomp-complain: every refusing outcome (KILL and TRAP included)
	   goes through minirun, which reports it and lets the call run. */
	MR_OBSERVE_COMPLAIN,
};

/*
 * The observe program's USER_NOTIF returns carry the mode in their data
 * bits (the kernel ignores them for USER_NOTIF): the three programs of one
 * profile then differ, so `minirun inspect` can tell which one a process
 * runs even for a profile with no KILL or TRAP rule.
 */
#define MR_OBSERVE_NOTIF(mode) (SECCOMP_RET_USER_NOTIF | (uint32_t)(mode))

/*
 * A syscall the reduced profile refuses, but that a rule dropped for want of
 * a capability would allow: "allowed only with CAP_SYS_ADMIN (not granted):
 * add --cap-add SYS_ADMIN".  Native architecture.
 */
struct mr_cap_hint {
	int nr;
	char *text;
};

/* One comparison of a rule, as in the profile (SCMP_CMP_* in op). */
struct mr_rule_cond {
	unsigned index;
	int op;
	uint64_t value, value_two;
};

/* A (syscall, rule) pair of the reduced profile, native architecture. */
struct mr_rule_ref {
	int nr;
	uint32_t action; /* SECCOMP_RET_* with its data */
	char *desc;	 /* "rule N, line L: names ... action ..." */
	struct mr_rule_cond *conds;
	size_t n_conds;
	bool any; /* an index repeats: the conditions are ORed (runc, crun) */
};

struct mr_seccomp_prepared {
	bool enabled;		   /* false: unconfined, install nothing (Seccomp: 0) */
	struct sock_filter *insns; /* the program, ENOSYS stub included (malloc'ed) */
	size_t n_insns;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	char **warnings;    /* lines for the CLI to print (malloc'ed), may be NULL */
	size_t n_warnings;
	char *source; /* "built-in default", or the file path: for messages */
	bool builtin; /* Docker's default, compiled in (source "built-in default") */

	/* SCMP_ACT_NOTIFY (the program has a USER_NOTIF return): installed with
	   SECCOMP_FILTER_FLAG_NEW_LISTENER; the listener goes to the agent at
	   listener_path (mr_seccomp_agent_*), with listener_metadata */
	bool notify;
	char *listener_path;
	char *listener_metadata; /* NULL: none */

	enum mr_seccomp_observe observe;
	struct sock_filter *observe_insns; /* what is installed when observing: the same
					      program with USER_NOTIF returns (malloc'ed) */
	size_t n_observe_insns;
	uint32_t default_action;       /* the profile's, as a SECCOMP_RET_* value */
	struct mr_rule_ref *rule_refs; /* which rule decides what, for the report */
	size_t n_rule_refs;
	char *learn_base; /* --seccomp-learn with a base: its profile text */
	size_t learn_base_len;
	struct mr_cap_hint *cap_hints; /* for the report: calls a capability would allow */
	size_t n_cap_hints;
};

struct mr_seccomp_request {
	const char *profile;	  /* as given on the command line: NULL = built-in default,
				     "unconfined", "Unconfined", "runtime/default", "RuntimeDefault",
				     "docker/default", "localhost/PATH", or a PATH */
	const char *profile_text; /* not NULL: the text of the file profile names, read once
				     by the caller (an OCI config.json) */
	size_t profile_text_len;
	bool explicit_profile; /* the user named a profile (matters with --privileged) */
	bool privileged;       /* --privileged: unconfined unless a profile is explicit */
	bool strict;	       /* unknown syscall names are an error */
	bool lenient;	       /* --seccomp-strict=off: not even where the profile fails open */
	mr_capset bounding;    /* the bounding set the process will get (includes/excludes.caps) */
	enum mr_seccomp_observe observe;
};

int mr_seccomp_prepare(const struct mr_seccomp_request *req, struct mr_seccomp_prepared *out,
		       struct mr_error *err);

void mr_seccomp_prepared_clear(struct mr_seccomp_prepared *p);

/* Nothing is refused: unconfined, or learning or complaining (every call allowed, observed). */
bool mr_seccomp_lets_every_call(const struct mr_seccomp_prepared *p);

/*
 * Whether the filter can let the container make a namespace of kind FLAG
 * (CLONE_NEW*): unshare or clone with FLAG among whatever other flags, or
 * clone3 (its flags are in memory the filter cannot read), on any
 * architecture the kernel runs for it (native, and on x86_64 x86 and x32).
 * TRACE and NOTIFY count: a tracer or an agent can let the call through.
 * *call and *arch (a libseccomp token) say which way was found.  Walks the
 * program with the flag bit known and the others unknown: microseconds.
 */
bool mr_seccomp_lets_namespace(const struct mr_seccomp_prepared *p, uint32_t flag,
			       const char **call, uint32_t *arch);

/*
 * Load a profile by name: "runtime/default", "docker/default" or
 * "RuntimeDefault" are minirun's built-in default; anything else is a path.
 */
int mr_profile_load_named(const char *name, struct mr_profile **out, struct mr_error *err);

/*
 * In the container process: seccomp(SECCOMP_SET_MODE_FILTER, flags, prog).
 * Never sets no_new_privs itself; without it the caller must hold
 * CAP_SYS_ADMIN.  A no-op when !p->enabled.  When observing, the
 * observe program is installed with SECCOMP_FILTER_FLAG_NEW_LISTENER and
 * *listener receives the notification fd; with p->notify the profile's own
 * program is, for the agent; otherwise *listener is -1.
 */
int mr_seccomp_install(const struct mr_seccomp_prepared *p, int *listener, struct mr_error *err);

/*
 * The seccomp agent of an SCMP_ACT_NOTIFY profile (runtime-spec
 * config-linux.md, listenerPath).  Connect before the container exists, so
 * a missing agent fails the create with nothing made; *sock gets the
 * connected SOCK_STREAM socket (close-on-exec).
 */
int mr_seccomp_agent_connect(const struct mr_seccomp_prepared *p, int *sock, struct mr_error *err);

/*
 * The container process state as the agent gets it: {ociVersion, fds:
 * ["seccompFd"], pid, metadata, state: STATE}, STATE being the OCI state
 * object (the caller's: the seccomp layer knows no containers).  Malloc'ed
 * JSON text, NULL when out of memory.
 */
char *mr_seccomp_agent_message(const struct mr_seccomp_prepared *p, pid_t pid, const json_t *state);

/*
 * In the container process, right after mr_seccomp_install: send TEXT (the
 * message above) with LISTENER as SCM_RIGHTS over SOCK.  The caller closes
 * SOCK afterwards: the spec wants one message per connection.
 */
int mr_seccomp_agent_send(const struct mr_seccomp_prepared *p, int sock, int listener,
			  const char *text, size_t len, struct mr_error *err);

#endif
