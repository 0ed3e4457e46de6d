/* SPDX-License-Identifier: MIT */
/*
 * Legacy system call -> what libc calls on an architecture without it.
 *
 * The generic syscall table (include/uapi/asm-generic/unistd.h), used by
 * aarch64, riscv64 and every port since, left out the calls that a newer one
 * does in full: open is openat(AT_FDCWD, ...), mkdir is mkdirat, stat is
 * newfstatat (or statx), pipe is pipe2 with no flags, fork is clone with
 * SIGCHLD.  glibc and musl make those calls there.  So a profile allowing
 * "open" allows nothing on aarch64 unless it also allows "openat".
 *
 * Every replacement below resolves on aarch64 in libseccomp (the unit test
 * tests/unit/test_k8s.c checks each one); renameat is missing on
 * riscv64, hence renameat2 beside it.
 */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/arch.h"
#include "seccomp/equivalents.h"
#include "common/util.h"

static const struct mr_syscall_equiv table[] = {
    /* files: the same call with a directory fd (AT_FDCWD) in front */
    {"access", {"faccessat", "faccessat2"}, true},
    {"chmod", {"fchmodat"}, true},
    {"chown", {"fchownat"}, true},
    {"creat", {"openat"}, true}, /* open(O_CREAT|O_WRONLY|O_TRUNC) */
    {"futimesat", {"utimensat"}, true},
    {"lchown", {"fchownat"}, true}, /* AT_SYMLINK_NOFOLLOW */
    {"link", {"linkat"}, true},
    {"lstat", {"newfstatat", "statx"}, true}, /* AT_SYMLINK_NOFOLLOW */
    {"mkdir", {"mkdirat"}, true},
    {"mknod", {"mknodat"}, true},
    {"open", {"openat"}, true},
    {"readlink", {"readlinkat"}, true},
    {"rename", {"renameat", "renameat2"}, true},
    {"rmdir", {"unlinkat"}, true}, /* AT_REMOVEDIR */
    {"stat", {"newfstatat", "statx"}, true},
    {"symlink", {"symlinkat"}, true},
    {"unlink", {"unlinkat"}, true},
    {"utime", {"utimensat"}, true},
    {"utimes", {"utimensat"}, true},
    /* descriptors: the variant with a flags argument (0 = the old call) */
    {"dup2", {"dup3"}, false},
    {"epoll_create", {"epoll_create1"}, false},
    {"epoll_wait", {"epoll_pwait"}, false}, /* with a NULL sigmask */
    {"eventfd", {"eventfd2"}, false},
    {"getdents", {"getdents64"}, false},
    {"inotify_init", {"inotify_init1"}, false},
    {"pipe", {"pipe2"}, false},
    {"poll", {"ppoll"}, false},
    {"select", {"pselect6"}, false},
    {"signalfd", {"signalfd4"}, false},
    /* processes, time, signals */
    {"alarm", {"setitimer"}, false},
    {"fork", {"clone"}, false},	     /* clone(SIGCHLD) */
    {"getpgrp", {"getpgid"}, false}, /* getpgid(0) */
    {"pause", {"rt_sigsuspend"}, false},
    {"time", {"clock_gettime"}, false},
    {"vfork", {"clone"}, false}, /* clone(CLONE_VM|CLONE_VFORK|SIGCHLD) */
};

const struct mr_syscall_equiv *
mr_equiv_find(const char *legacy)
{
	for (size_t i = 0; i < MR_ARRAY_SIZE(table); i++)
		if (strcmp(table[i].legacy, legacy) == 0)
			return &table[i];
	return NULL;
}

const struct mr_syscall_equiv *
mr_equiv_nth(size_t i)
{
	return i < MR_ARRAY_SIZE(table) ? &table[i] : NULL;
}

size_t
mr_equiv_on_arch(const char *legacy, uint32_t arch, const char *out[MR_EQUIV_MAX])
{
	const struct mr_syscall_equiv *e = mr_equiv_find(legacy);
	size_t n = 0;
	if (e == NULL || seccomp_syscall_resolve_name_arch(arch, legacy) >= 0)
		return 0;
	for (size_t i = 0; i < MR_EQUIV_MAX && e->repl[i][0] != '\0'; i++)
		if (seccomp_syscall_resolve_name_arch(arch, e->repl[i]) >= 0)
			out[n++] = e->repl[i];
	return n;
}

static bool
has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

static int
cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

int
mr_equiv_widen(json_t *names, json_t *architectures, const uint32_t *arches, size_t n_arches)
{
	for (size_t a = 0; a < n_arches; a++) {
		const char *an = mr_arch_scmp_name(arches[a]);
		if (architectures != NULL && an != NULL && !has_string(architectures, an) &&
		    json_array_append_new(architectures, json_string(an)) < 0)
			return -1;
	}
	/* Only the names learned: a replacement added here has no replacement itself. */
	size_t n = json_array_size(names);
	for (size_t i = 0; i < n; i++) {
		const char *name = json_string_value(json_array_get(names, i));
		for (size_t a = 0; name != NULL && a < n_arches; a++) {
			const char *r[MR_EQUIV_MAX];
			size_t k = mr_equiv_on_arch(name, arches[a], r);
			for (size_t j = 0; j < k; j++)
				if (!has_string(names, r[j]) &&
				    json_array_append_new(names, json_string(r[j])) < 0)
					return -1;
		}
	}
	/* Sorted again, as learn writes them. */
	size_t total = json_array_size(names);
	json_t **v = calloc(total ? total : 1, sizeof(*v));
	if (v == NULL)
		return -1;
	for (size_t i = 0; i < total; i++)
		v[i] = json_incref(json_array_get(names, i));
	qsort(v, total, sizeof(*v), cmp_json_str);
	json_array_clear(names);
	int r = 0;
	for (size_t i = 0; i < total; i++)
		if (r == 0 && json_array_append_new(names, v[i]) < 0)
			r = -1;
		else if (r != 0)
			json_decref(v[i]);
	free(v);
	return r;
}
