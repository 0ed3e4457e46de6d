/* Peak RSS of a command, without the measuring process's own memory in it.
 *
 *   peak-rss COMMAND [ARG...]
 *
 * fork()s (this static binary is small, so the child's pre-exec copy of it
 * adds little), points the child's stdin and stdout at /dev/null, execs
 * COMMAND and prints "MAXRSS_KB EXIT_STATUS" from wait4's rusage: the peak RSS
 * of COMMAND's process and of the descendants it waited for (for minirun: the
 * minirun process and its container init before that exec'd).  A driver
 * written in Python cannot measure this itself: its children start as a copy
 * of the interpreter, whose ~18 MB then show up as their peak.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: %s COMMAND [ARG...]\n", argv[0]);
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execv(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		return 1;
	}
	printf("%ld %d\n", ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
