/* SPDX-License-Identifier: MIT */
/*
 * OCI hooks (runtime-spec config.md "POSIX-platform Hooks", runtime.md
 * "Lifecycle"): programs the engine's config.json asks the runtime to run at
 * set points of a container's life.
 *
 *   kind             runs                                  status    who runs it
 *   prestart         in minirun's namespaces, during      creating  launch.c, the parent,
 *   createRuntime    create, the mounts made, before                while the container
 *                    pivot_root (path on the host)                  process waits
 *   createContainer  in the container's namespaces, before creating  launch.c, the container
 *                    pivot_root (path on the host)                  process (all privileges)
 *   startContainer   in the container, after start, before created   launch.c, forked by the
 *                    the command (path in its root, its            container process
 *                    user, capabilities and filter)
 *   poststart        in minirun's namespaces, once the     running   cmd/runtime.c (start, run)
 *                    command runs, before start returns
 *   poststop         in minirun's namespaces, once the     stopped   cmd/runtime.c (delete, run,
 *                    container is gone                             a failed create or start)
 *
 * Each hook gets argv = args (or just path when args is absent), its env
 * exactly (absent: an empty environment, as runc), the state JSON on stdin
 * (`minirun state`'s document with the status above; the pid as seen where
 * the hook runs), stdout and stderr on its runner's stderr.  A timeout
 * kills it (SIGKILL) and counts as a failure.  A failure of the first four
 * kinds fails the operation; of the last two it is a warning and the next
 * hook runs (runtime-spec 1.0.2, which minirun implements).
 *
 * The host-side hooks are run from what create parsed, kept in the state
 * directory (hooks.json, state.h): never from the bundle again, never from
 * anything the container can write.
 */
#ifndef MINIRUN_LIB_HOOKS_H
#define MINIRUN_LIB_HOOKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "container/state.h"

enum mr_hook_kind {
	MR_HOOK_PRESTART = 0, /* deprecated by the spec, still run (before createRuntime) */
	MR_HOOK_CREATE_RUNTIME,
	MR_HOOK_CREATE_CONTAINER,
	MR_HOOK_START_CONTAINER,
	MR_HOOK_POSTSTART,
	MR_HOOK_POSTSTOP,
	MR_HOOK_KINDS
};

struct mr_hook {
	char *path;  /* absolute */
	char **argv; /* NULL-terminated: args as given, or {path} */
	char **envp; /* NULL-terminated, exactly as given (maybe empty) */
	int timeout; /* seconds, 0: none */
};

struct mr_hooks {
	struct mr_hook *v[MR_HOOK_KINDS];
	size_t n[MR_HOOK_KINDS];
};

/* The spec's name: "createRuntime"... */
const char *mr_hook_kind_name(enum mr_hook_kind kind);

/*
 * config.json's "hooks" object into *out (zeroed first; JSON null: none).
 * Every entry is checked: path absolute, args and env arrays of strings (an
 * env entry NAME=VALUE), timeout an integer > 0.  Errors name the JSON path:
 * "SOURCE: hooks.poststart[1].timeout: ...".
 */
int mr_hooks_parse(const json_t *hooks, const char *source, struct mr_hooks *out,
		   struct mr_error *err);

bool mr_hooks_any(const struct mr_hooks *h, enum mr_hook_kind kind);

/* create: DIRFD/hooks.json (state.h), only when there is a hook. */
int mr_hooks_save(int dirfd, const char *dir, const struct mr_hooks *h, struct mr_error *err);

/* start, delete: what create saved; none when the file is absent. */
int mr_hooks_load(int dirfd, const char *dir, struct mr_hooks *h, struct mr_error *err);

void mr_hooks_clear(struct mr_hooks *h);
#define cleanup_hooks __attribute__((cleanup(mr_hooks_clear)))

/* ST's state JSON with PID and STATUS instead of its own (malloc'ed; NULL: ENOMEM). */
char *mr_hooks_state_json(const struct mr_state *st, pid_t pid, enum mr_status status);

/* How mr_hooks_run runs them. */
struct mr_hooks_how {
	/*
	 * In the hook's own process, last before execve (startContainer: the
	 * container's identity and filter, launch.c).  On failure the hook
	 * fails with that message.
	 */
	int (*before_exec)(const void *data, const struct mr_hook *hook, struct mr_error *err);
	const void *data;
	/* poststart, poststop: each failure is handed to this, and the next hook runs. */
	void (*warn)(const char *msg);
};

/*
 * Run the hooks of KIND in order, STATE on each one's stdin, each waited for
 * (up to its timeout).  Returns 0, or -1 at the first failure: "hooks.KIND[I]:
 * hook PATH failed: exit status N" (or killed by signal N, killed after its
 * timeout of N s, or why it could not be executed).  HOW may be NULL.
 */
int mr_hooks_run(const struct mr_hooks *h, enum mr_hook_kind kind, const char *state,
		 const struct mr_hooks_how *how, struct mr_error *err);

#endif
