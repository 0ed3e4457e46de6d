/* SPDX-License-Identifier: MIT */
/* Internal helpers of libminirun: cleanup attributes and small wrappers. */
#ifndef MINIRUN_UTIL_H
#define MINIRUN_UTIL_H

#include <errno.h>
#include <stdlib.h>
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

#define cleanup_free  __attribute__((cleanup(mr_freep)))
#define cleanup_close __attribute__((cleanup(mr_closep)))

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

#define MR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
