/* Time a raw system call in a loop, for the seccomp per-call cost benchmark.
 *
 *   syscall-loop [--allow-all-filter] getpid|read|personality|socket|clone [CALLS [REPS]]
 *
 * getpid:      allowed unconditionally by Docker's profile, so the kernel's
 *              seccomp action cache answers it without running the filter.
 * read:        read(2) of one byte from /dev/zero: like getpid, allowed
 *              unconditionally, but a call that does some work.
 * personality: personality(0xffffffff) (a query), allowed by Docker's profile
 *              only for five argument values: the filter must run and inspect
 *              argument 0.
 * socket:      socket(AF_UNIX, SOCK_DGRAM) + close; the filter inspects the
 *              family (Docker's profile refuses AF_VSOCK).  Includes the cost
 *              of making and closing a socket.
 * clone:       clone(CLONE_SIGHAND) without CLONE_VM, which the kernel refuses
 *              (EINVAL) at the start of copy_process: no process is made.
 *              Docker's profile allows clone only without namespace flags
 *              (argument 0 masked), so the filter runs and inspects it.
 *
 * --allow-all-filter: first install a one-instruction filter that allows
 * every call (with no_new_privs), so the cost of having any filter at all is
 * measured, not guessed: the kernel then takes its slower syscall entry, and
 * its action cache (Linux >= 5.11) sees that every call is allowed.
 *
 * Prints "NAME MEDIAN MIN" in ns per call over REPS repetitions of CALLS
 * calls each (defaults 200000 and 7).  Built with -static and copied into the
 * benchmark rootfs.  Exit 1 when the call fails (e.g. a filter denies it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	long calls = 200000, reps = 7;
	double t[64];
	int which;

	if (argc > 1 && strcmp(argv[1], "--allow-all-filter") == 0) {
		struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		struct sock_fprog prog = {.len = 1, .filter = &allow};
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
			perror("seccomp");
			return 1;
		}
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr,
			"usage: %s [--allow-all-filter] getpid|read|personality|socket|clone "
			"[CALLS [REPS]]\n",
			argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "getpid") == 0)
		which = 0;
	else if (strcmp(argv[1], "personality") == 0)
		which = 1;
	else if (strcmp(argv[1], "socket") == 0)
		which = 2;
	else if (strcmp(argv[1], "read") == 0)
		which = 3;
	else if (strcmp(argv[1], "clone") == 0)
		which = 4;
	else {
		fprintf(stderr, "syscall-loop: unknown call %s\n", argv[1]);
		return 2;
	}
	if (argc > 2)
		calls = strtol(argv[2], NULL, 10);
	if (argc > 3)
		reps = strtol(argv[3], NULL, 10);
	if (calls < 1 || reps < 1 || reps > 64) {
		fprintf(stderr, "syscall-loop: bad CALLS or REPS\n");
		return 2;
	}

	char byte;
	int zero = -1;
	if (which == 3 && ((zero = open("/dev/zero", O_RDONLY | O_CLOEXEC)) < 0 ||
			   syscall(SYS_read, zero, &byte, 1) != 1)) {
		perror("read /dev/zero");
		return 1;
	}
	/* Check once that the call is allowed. */
	if (which == 1 && syscall(SYS_personality, 0xffffffffUL) == -1) {
		perror("personality");
		return 1;
	}
	/* EINVAL from the kernel: a filter's EPERM, or a child, would be another measurement. */
	if (which == 4) {
		long pid = syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0);
		if (pid == 0)
			_exit(0);
		if (pid > 0 || errno != EINVAL) {
			fprintf(stderr, "syscall-loop: clone(CLONE_SIGHAND): %s\n",
				pid > 0 ? "made a process" : strerror(errno));
			return 1;
		}
	}
	if (which == 2) {
		long fd = syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);
		if (fd < 0) {
			perror("socket");
			return 1;
		}
		syscall(SYS_close, fd);
	}

	for (long r = 0; r < reps; r++) {
		double t0 = now_ns();

		switch (which) {
		case 0:
			for (long i = 0; i < calls; i++)
				syscall(SYS_getpid);
			break;
		case 1:
			for (long i = 0; i < calls; i++)
				syscall(SYS_personality, 0xffffffffUL);
			break;
		case 3:
			for (long i = 0; i < calls; i++)
				syscall(SYS_read, zero, &byte, 1);
			break;
		case 4:
			for (long i = 0; i < calls; i++)
				syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0);
			break;
		default:
			for (long i = 0; i < calls; i++)
				syscall(SYS_close, syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0));
			break;
		}
		t[r] = (now_ns() - t0) / (double)calls;
	}
	qsort(t, (size_t)reps, sizeof t[0], cmp_double);
	printf("%s %.1f %.1f\n", argv[1], t[reps / 2], t[0]);
	return 0;
}
