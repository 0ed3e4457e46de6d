/* SPDX-License-Identifier: MIT */
/* Helpers shared by every Check unit test in tests/unit/. */
#ifndef MINIRUN_TEST_HELPERS_H
#define MINIRUN_TEST_HELPERS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* meson's "this test was skipped" exit status */
#define TEST_EXIT_SKIP 77

/*
 * Run fn in a child process so that what it changes (capabilities, uids,
 * seccomp filters) never affects the test runner, even with CK_FORK=no.  The
 * child reports failure text through a pipe because Check's assertions cannot
 * cross our own fork.  fn returns NULL on success, else the failure text
 * (buf may hold it).
 */
typedef const char *(*test_child_fn)(char *buf, size_t size);

/* The child's error struct is local: copy its message to the caller's buffer. */
static inline const char *
test_copy_msg(char *buf, size_t size, const char *msg)
{
	snprintf(buf, size, "%s", msg);
	return buf;
}

static inline void
test_run_in_child(test_child_fn fn)
{
	int pfd[2];
	char msg[1024] = "";
	int status;

	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char buf[1024];
		close(pfd[0]);
		const char *failure = fn(buf, sizeof(buf));
		if (failure != NULL) {
			ssize_t w = write(pfd[1], failure, strlen(failure));
			(void)w;
			_exit(1);
		}
		_exit(0);
	}
	close(pfd[1]);
	ssize_t n = read(pfd[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed: %s", msg);
}

/*
 * Docker's and the lab's real profiles live outside this repository, in
 * ../shared/profiles (MR_SHARED_PROFILES), which a clone may not have.  The
 * cases that read them are in a suite of their own, run by `TEST --shared`:
 * that run reports SKIP when the folder is absent, so a missing folder is
 * never mistaken for a pass.
 */
static inline const char *
test_shared_dir(void)
{
	const char *d = getenv("MR_SHARED_PROFILES");
	return d && *d ? d : "../shared/profiles";
}

/* ../shared/profiles/NAME; only the --shared suite calls it, so it must exist. */
static inline char *
test_shared_path(const char *name)
{
	char *p = NULL;
	ck_assert_int_ge(asprintf(&p, "%s/%s", test_shared_dir(), name), 0);
	ck_assert_msg(access(p, R_OK) == 0, "%s: not readable, but %s is there", p,
		      test_shared_dir());
	return p;
}

static inline int
test_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * main() of a test program with cases that read ../shared/profiles: without
 * arguments it runs suite(); with --shared it runs shared_suite(), or exits
 * 77 (SKIP) with the reason when the folder is absent.
 */
static inline int
test_main(int argc, char **argv, Suite *(*suite)(void), Suite *(*shared_suite)(void))
{
	struct stat st;

	if (argc > 1 && strcmp(argv[1], "--shared") == 0) {
		if (stat(test_shared_dir(), &st) != 0 || !S_ISDIR(st.st_mode)) {
			printf("SKIP: %s is absent (Docker's and the lab's profiles; set "
			       "MR_SHARED_PROFILES)\n",
			       test_shared_dir());
			return TEST_EXIT_SKIP;
		}
		return test_run_suite(shared_suite());
	}
	if (argc > 1) {
		fprintf(stderr, "usage: %s [--shared]\n", argv[0]);
		return EXIT_FAILURE;
	}
	return test_run_suite(suite());
}

#endif
