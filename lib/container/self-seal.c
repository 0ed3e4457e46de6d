/* SPDX-License-Identifier: MIT */
/*
 * minirun from a sealed memfd copy of itself (self-seal.h says when and why).
 * The seals are what runc's cloned binary takes: no write, no resize, no
 * further change of seals, and (Linux 6.3) no chmod of the exec bits.  A
 * memfd is on no filesystem the container sees, so /proc/PID/exe of every
 * process minirun leaves in a container names that copy, which nobody can
 * change.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/self-seal.h"
#include "common/util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: executable even under vm.memfd_noexec=1 */
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020 /* Linux 6.3 */
#endif

#define SEALS_NEEDED (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
/* The original binary's identity, from the exec'ing minirun to its copy. */
#define ENV_FROM "_MINIRUN_SEALED_FROM"

static struct {
	bool known;
	dev_t dev;
	ino_t ino;
} original;

static bool
exe_is_sealed(void)
{
	cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	int seals = fcntl(fd, F_GET_SEALS); /* EINVAL on anything but a memfd */
	return seals >= 0 && (seals & SEALS_NEEDED) == SEALS_NEEDED;
}

/* In the copy: where it came from, taken out of the environment for good. */
static void
take_original(void)
{
	const char *v = getenv(ENV_FROM);
	uintmax_t dev, ino;
	char tail;

	if (v != NULL && sscanf(v, "%ju:%ju%c", &dev, &ino, &tail) == 2) {
		original.known = true;
		original.dev = (dev_t)dev;
		original.ino = (ino_t)ino;
	}
	unsetenv(ENV_FROM);
}

static int
sealed_copy(int src, off_t size, struct mr_error *err)
{
	/*
	 * Under vm.memfd_noexec=1 a memfd is made not executable unless
	 * MFD_EXEC asks; =2 refuses MFD_EXEC (EACCES), and then minirun
	 * cannot run from a copy.  Kernels before 6.3 know no MFD_EXEC (EINVAL)
	 * and have no such policy.
	 */
	cleanup_close int fd = memfd_create("minirun", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("minirun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return mr_error_set(
		    err, errno, "memfd_create for a sealed copy of minirun (CVE-2019-5736)%s",
		    errno == EACCES ? "; vm.memfd_noexec=2 forbids executable memfds" : "");
	for (off_t off = 0; off < size;) {
		ssize_t n = sendfile(fd, src, &off, (size_t)(size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return mr_error_set(err, n < 0 ? errno : EIO,
					    "copying /proc/self/exe into a memfd");
	}
	if (fcntl(fd, F_ADD_SEALS, SEALS_NEEDED | F_SEAL_EXEC) < 0 &&
	    (errno != EINVAL || fcntl(fd, F_ADD_SEALS, SEALS_NEEDED) < 0))
		return mr_error_set(err, errno, "fcntl(F_ADD_SEALS) on minirun's copy");
	return mr_steal_fd(&fd);
}

int
mr_self_seal(char *const argv[], struct mr_error *err)
{
	if (exe_is_sealed()) {
		take_original();
		/* execveat(AT_EMPTY_PATH) named the task after the descriptor. */
		prctl(PR_SET_NAME, "minirun", 0, 0, 0);
		return 0;
	}

	struct stat st;
	cleanup_close int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0)
		return mr_error_set(err, errno, "open /proc/self/exe");
	if (!S_ISREG(st.st_mode))
		return mr_error_set(err, 0, "/proc/self/exe: not a regular file");
	cleanup_close int copy = sealed_copy(src, st.st_size, err);
	if (copy < 0)
		return -1;

	char from[64];
	snprintf(from, sizeof(from), "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	if (setenv(ENV_FROM, from, 1) < 0)
		return mr_error_set(err, errno, "setenv %s", ENV_FROM);
	fexecve(copy, argv, environ);
	int e = errno;
	unsetenv(ENV_FROM);
	return mr_error_set(err, e, "execveat of minirun's sealed copy%s",
			    e == EACCES ? " (is vm.memfd_noexec set?)" : "");
}

int
mr_self_identities(dev_t devs[2], ino_t inos[2], struct mr_error *err)
{
	struct stat self;

	if (stat("/proc/self/exe", &self) < 0)
		return mr_error_set(err, errno, "stat /proc/self/exe");
	devs[0] = self.st_dev;
	inos[0] = self.st_ino;
	if (!original.known)
		return 1;
	devs[1] = original.dev;
	inos[1] = original.ino;
	return 2;
}
