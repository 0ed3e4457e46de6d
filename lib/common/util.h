/* SPDX-License-Identifier: MIT */
/* Internal helpers of libminirun: cleanup attributes and small wrappers. */
#ifndef MINIRUN_COMMON_UTIL_H
#define MINIRUN_COMMON_UTIL_H

/* An AddressSanitizer build: GCC says so with __SANITIZE_ADDRESS__, clang through __has_feature. */
#if defined(__SANITIZE_ADDRESS__)
#define MR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MR_ASAN 1
#endif
#endif

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline void
mr_freep(void *p)
{
	free(*(void **)p);
}

static inline void
mr_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

/* Puts the process's umask back (keeping errno): `cleanup_umask mode_t was = umask(0);`. */
static inline void
mr_umaskp(const mode_t *was)
{
	int saved = errno;
	umask(*was);
	errno = saved;
}

static inline void
mr_fclosep(FILE **f)
{
	if (*f != NULL) {
		int saved = errno;
		fclose(*f);
		errno = saved;
	}
}

static inline void
mr_closedirp(DIR **d)
{
	if (*d != NULL) {
		int saved = errno;
		closedir(*d);
		errno = saved;
	}
}

#define cleanup_free  __attribute__((cleanup(mr_freep)))
#define cleanup_close __attribute__((cleanup(mr_closep)))
#define cleanup_umask __attribute__((cleanup(mr_umaskp)))
#define cleanup_file  __attribute__((cleanup(mr_fclosep)))
#define cleanup_dir   __attribute__((cleanup(mr_closedirp)))

/* Hand ownership on: returns the value and resets the variable. */
static inline int
mr_steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

static inline void *
mr_steal_ptr(void *pp)
{
	void **p = pp;
	void *r = *p;
	*p = NULL;
	return r;
}

/*
 * The type-checked form (bubblewrap's steal_pointer): the never-taken branch
 * of the conditional makes the result *pp's own type, so stealing a
 * struct foo * into a struct bar * does not compile.
 */
#define mr_steal_pointer(pp) (0 ? (*(pp)) : (mr_steal_ptr)(pp))

#define MR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Before an execve of something not ours (the container's command, a hook):
 * neither the dispositions our caller ignored (a shell's background job) nor
 * the signals we or it blocked may leak in; a "trap ... TERM" that never runs
 * is a puzzle nobody should have to solve.
 */
static inline void
mr_reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < SIGRTMIN; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * openat2(2), retried on EAGAIN: with RESOLVE_IN_ROOT or RESOLVE_BENEATH the
 * kernel answers EAGAIN when a rename or mount anywhere on the system raced
 * with a ".." step and it could not prove the walk stayed inside
 * (openat2(2), "EAGAIN").  A busy machine makes that common, not hostile;
 * a bounded retry keeps the guarantee and stops a livelock.
 */
static inline int
mr_openat2(int dirfd, const char *path, const struct open_how *how)
{
	int fd;
	/*
	 * 64 tries in a row lost to a renaming loop on a loaded 2-CPU machine
	 * (test-breakout's racer, tests in parallel): after the first few,
	 * yield so the racer's CPU time is not ours too.
	 */
	for (int tries = 0; tries < 1024; tries++) {
		fd = (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
		if (fd >= 0 || errno != EAGAIN)
			break;
		if (tries >= 8)
			sched_yield();
	}
	return fd;
}

/*
 * Open a path of the root filesystem without ever leaving it: "/" and ".."
 * stay inside rootfs_fd and absolute symlinks of the image are resolved in
 * it (openat2 RESOLVE_IN_ROOT, Linux 5.6).  Always close-on-exec.
 */
static inline int
mr_open_in_root(int rootfs_fd, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | resolve,
	};
	return mr_openat2(rootfs_fd, path, &how);
}

#endif
