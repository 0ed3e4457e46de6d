/* SPDX-License-Identifier: MIT */
/*
 * rename-race DIR A B SECONDS: swap DIR/A and DIR/B (renameat2
 * RENAME_EXCHANGE) as fast as possible for SECONDS, as the unprivileged owner
 * of a rootfs can while minirun sets a container up in it.  Prints the
 * number of swaps.  Used by tests/integration/test-proc-race.sh.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: rename-race DIR A B SECONDS\n");
		return 2;
	}
	int dirfd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		perror(argv[1]);
		return 1;
	}
	time_t end = time(NULL) + atoi(argv[4]);
	unsigned long n = 0;
	while (time(NULL) < end) {
		for (int i = 0; i < 1000; i++) {
			if (renameat2(dirfd, argv[2], dirfd, argv[3], RENAME_EXCHANGE) < 0) {
				perror("renameat2");
				return 1;
			}
			n++;
		}
	}
	printf("%lu\n", n);
	return 0;
}
