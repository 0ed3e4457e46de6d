/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/container/user.c: USER[:GROUP] against fixture root filesystems. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/user.h"
#include "test-helpers.h"

/* An O_PATH directory fd of tests/data/users/<name>, as the launcher would have. */
static int
open_rootfs(const char *name)
{
	const char *data = getenv("MR_TEST_DATA");
	char path[4096];

	ck_assert_msg(data != NULL, "MR_TEST_DATA is not set (run through meson test)");
	snprintf(path, sizeof(path), "%s/users/%s", data, name);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	return fd;
}

/* Resolve spec in rootfs and expect success. */
static struct mr_user
resolve_ok(const char *rootfs, const char *spec)
{
	struct mr_error err = {0};
	struct mr_user u;
	int fd = open_rootfs(rootfs);

	int r = mr_user_resolve(fd, spec, &u, &err);
	close(fd);
	ck_assert_msg(r == 0, "%s: '%s' failed: %s", rootfs, spec ? spec : "(null)", err.msg);
	return u;
}

/* Resolve spec in rootfs, expect failure with exactly this message; returns errnum. */
static int
resolve_fails(const char *rootfs, const char *spec, const char *want_msg)
{
	struct mr_error err = {0};
	struct mr_user u;
	int fd = open_rootfs(rootfs);

	memset(&u, 0x5a, sizeof(u));
	int r = mr_user_resolve(fd, spec, &u, &err);
	close(fd);
	ck_assert_msg(r == -1, "%s: '%s' was accepted as %u:%u", rootfs, spec ? spec : "(null)",
		      (unsigned)u.uid, (unsigned)u.gid);
	/* Nothing is left allocated on failure: clearing must be harmless. */
	ck_assert_ptr_null(u.groups);
	ck_assert_ptr_null(u.home);
	ck_assert_ptr_null(u.name);
	if (want_msg != NULL)
		ck_assert_str_eq(err.msg, want_msg);
	return err.errnum;
}

static void
assert_groups(const struct mr_user *u, const gid_t *want, size_t n)
{
	ck_assert_uint_eq(u->n_groups, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(u->groups[i], want[i]);
}

/* --- numeric users --- */

START_TEST(test_numeric_one_known)
{
	/* "1" must be uid 1 (CVE-2026-30892); uid 1 is daemon here, so its gid and HOME apply. */
	struct mr_user u = resolve_ok("basic", "1");
	ck_assert_uint_eq(u.uid, 1);
	ck_assert_uint_eq(u.gid, 1);
	ck_assert_str_eq(u.name, "daemon");
	ck_assert_str_eq(u.home, "/usr/sbin");
	ck_assert_uint_eq(u.n_groups, 0);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_numeric_one_unknown)
{
	/* Without a passwd entry: uid 1, gid 0, HOME "/", no name. */
	struct mr_user u = resolve_ok("no-etc", "1");
	ck_assert_uint_eq(u.uid, 1);
	ck_assert_uint_eq(u.gid, 0);
	ck_assert_ptr_null(u.name);
	ck_assert_str_eq(u.home, "/");
	ck_assert_uint_eq(u.n_groups, 0);
	ck_assert_ptr_null(u.groups);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_numeric_uid_gid)
{
	struct mr_user u = resolve_ok("basic", "1000:1000");
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 1000);
	/* The uid is alice's, so her name and HOME come along, but GROUP drops her groups. */
	ck_assert_str_eq(u.name, "alice");
	ck_assert_str_eq(u.home, "/home/alice");
	ck_assert_uint_eq(u.n_groups, 0);
	mr_user_clear(&u);

	u = resolve_ok("no-etc", "1000:1000");
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 1000);
	ck_assert_ptr_null(u.name);
	ck_assert_str_eq(u.home, "/");
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_numeric_first_entry_wins)
{
	/* basic has two entries with uid 1000 (alice, then alias): the first is used. */
	struct mr_user u = resolve_ok("basic", "1000");
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 1000);
	ck_assert_str_eq(u.name, "alice");
	assert_groups(&u, (const gid_t[]){10, 29}, 2);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_numeric_unknown_uid_in_basic)
{
	struct mr_user u = resolve_ok("basic", "4242");
	ck_assert_uint_eq(u.uid, 4242);
	ck_assert_uint_eq(u.gid, 0);
	ck_assert_ptr_null(u.name);
	ck_assert_str_eq(u.home, "/");
	ck_assert_uint_eq(u.n_groups, 0);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_numeric_limits)
{
	struct mr_user u = resolve_ok("basic", "4294967294");
	ck_assert_uint_eq(u.uid, 4294967294U);
	ck_assert_uint_eq(u.gid, 0);
	mr_user_clear(&u);

	u = resolve_ok("basic", "0:4294967294");
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_uint_eq(u.gid, 4294967294U);
	mr_user_clear(&u);

	u = resolve_ok("basic", "0");
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_str_eq(u.name, "root");
	mr_user_clear(&u);

	/* Leading zeros are still decimal, never octal. */
	u = resolve_ok("no-etc", "0010:010");
	ck_assert_uint_eq(u.uid, 10);
	ck_assert_uint_eq(u.gid, 10);
	mr_user_clear(&u);
}
END_TEST

/* --- the malformed specs of CVE-2026-30892 and friends --- */

START_TEST(test_bad_empty_group)
{
	resolve_fails("basic", "1:", "user '1:': empty group name after ':'");
}
END_TEST

START_TEST(test_bad_empty_user)
{
	resolve_fails("basic", ":1", "user ':1': empty user name before ':'");
	resolve_fails("basic", ":", "user ':': empty user name before ':'");
}
END_TEST

START_TEST(test_bad_negative)
{
	resolve_fails("basic", "-1", "user '-1': uid must be decimal digits only");
	resolve_fails("basic", "+1", "user '+1': uid must be decimal digits only");
	resolve_fails("basic", "0:-1", "user '0:-1': gid must be decimal digits only");
}
END_TEST

START_TEST(test_bad_out_of_range)
{
	resolve_fails("basic", "4294967296", "user '4294967296': uid out of range (0-4294967294)");
	resolve_fails("basic", "4294967295", "user '4294967295': uid out of range (0-4294967294)");
	resolve_fails("basic", "99999999999999999999999",
		      "user '99999999999999999999999': uid out of range (0-4294967294)");
	resolve_fails("basic", "0:4294967295",
		      "user '0:4294967295': gid out of range (0-4294967294)");
	/* Out of range is out of range even where the files are missing. */
	resolve_fails("no-etc", "4294967296", "user '4294967296': uid out of range (0-4294967294)");
}
END_TEST

START_TEST(test_bad_unknown_name)
{
	resolve_fails("basic", "abc",
		      "user 'abc': no user 'abc' in /etc/passwd of the root filesystem");
	resolve_fails("no-etc", "abc",
		      "user 'abc': no user 'abc' in /etc/passwd of the root filesystem "
		      "(there is no such file)");
	/* Not numbers, so names; and no such names. */
	resolve_fails("basic", " 1", NULL);
	resolve_fails("basic", "1 ", NULL);
	resolve_fails("basic", "0x1", NULL);
}
END_TEST

START_TEST(test_bad_empty)
{
	resolve_fails("basic", "", "user '': empty user (expected USER[:GROUP])");
}
END_TEST

START_TEST(test_bad_two_colons)
{
	resolve_fails("basic", "alice:staff:x",
		      "user 'alice:staff:x': too many ':' (expected USER[:GROUP])");
	resolve_fails("basic", "1::", NULL);
}
END_TEST

START_TEST(test_bad_unknown_group)
{
	resolve_fails(
	    "basic", "alice:nosuch",
	    "user 'alice:nosuch': no group 'nosuch' in /etc/group of the root filesystem");
	resolve_fails("no-etc", "0:wheel",
		      "user '0:wheel': no group 'wheel' in /etc/group of the root filesystem "
		      "(there is no such file)");
}
END_TEST

START_TEST(test_malformed_lines_skipped)
{
	/* mallory's uid is not a number and eve has too few fields: neither exists. */
	resolve_fails("basic", "mallory", NULL);
	resolve_fails("basic", "eve", NULL);
	resolve_fails("basic", "signed", NULL);
	/* A comment line is not a user called "# not an entry". */
	resolve_fails("basic", "# not an entry", NULL);
	/* Group "broken" has gid "abc" and "short" too few fields: not groups. */
	resolve_fails("basic", "alice:broken", NULL);
	resolve_fails("basic", "alice:short", NULL);
}
END_TEST

/* --- names --- */

START_TEST(test_name_root)
{
	struct mr_user u = resolve_ok("basic", "root");
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_uint_eq(u.gid, 0);
	ck_assert_str_eq(u.name, "root");
	ck_assert_str_eq(u.home, "/root");
	/* root is listed in wheel: an explicit "root" gets that, unlike the default (NULL). */
	assert_groups(&u, (const gid_t[]){10}, 1);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_name_alice)
{
	/* wheel and wheel-alias are both gid 10: listed once. "broken" is skipped. */
	struct mr_user u = resolve_ok("basic", "alice");
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 1000);
	ck_assert_str_eq(u.name, "alice");
	ck_assert_str_eq(u.home, "/home/alice");
	assert_groups(&u, (const gid_t[]){10, 29}, 2);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_name_alice_staff)
{
	struct mr_user u = resolve_ok("basic", "alice:staff");
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 50);
	ck_assert_str_eq(u.name, "alice");
	ck_assert_uint_eq(u.n_groups, 0);
	ck_assert_ptr_null(u.groups);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_name_numeric_gid_not_in_group)
{
	struct mr_user u = resolve_ok("basic", "alice:4242");
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_uint_eq(u.gid, 4242);
	ck_assert_uint_eq(u.n_groups, 0);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_name_numeric_uid_group_name)
{
	struct mr_user u = resolve_ok("basic", "4242:audio");
	ck_assert_uint_eq(u.uid, 4242);
	ck_assert_uint_eq(u.gid, 29);
	ck_assert_ptr_null(u.name);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_name_bob_empty_home)
{
	struct mr_user u = resolve_ok("basic", "bob");
	ck_assert_uint_eq(u.uid, 1001);
	ck_assert_uint_eq(u.gid, 1001);
	ck_assert_str_eq(u.home, "/");
	assert_groups(&u, (const gid_t[]){29}, 1);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_name_case_sensitive)
{
	resolve_fails("basic", "Alice", NULL);
	resolve_fails("basic", "alice:Staff", NULL);
}
END_TEST

/* --- no --user --- */

START_TEST(test_default_root)
{
	struct mr_user u = resolve_ok("basic", NULL);
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_uint_eq(u.gid, 0);
	ck_assert_str_eq(u.home, "/root");
	ck_assert_str_eq(u.name, "root");
	ck_assert_uint_eq(u.n_groups, 0);
	ck_assert_ptr_null(u.groups);
	mr_user_clear(&u);

	u = resolve_ok("no-etc", NULL);
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_uint_eq(u.gid, 0);
	ck_assert_str_eq(u.home, "/root");
	ck_assert_ptr_null(u.name);
	ck_assert_uint_eq(u.n_groups, 0);
	mr_user_clear(&u);

	u = resolve_ok("symlink-inside", NULL);
	ck_assert_str_eq(u.home, "/in-root/root");
	mr_user_clear(&u);
}
END_TEST

/* --- symlinks stay inside the root filesystem --- */

START_TEST(test_symlink_absolute_self)
{
	/*
	 * etc/passwd -> /etc/passwd: inside the root that is the link itself,
	 * so the lookup fails with ELOOP.  Decided: fail, never fall back to
	 * "no passwd" and never read the host's file.
	 */
	ck_assert_int_eq(resolve_fails("symlink-abs", "root",
				       "user 'root': open /etc/passwd of the root filesystem: "
				       "Too many levels of symbolic links"),
			 ELOOP);
	ck_assert_int_eq(resolve_fails("symlink-abs", "0", NULL), ELOOP);
	ck_assert_int_eq(resolve_fails("symlink-abs", NULL,
				       "open /etc/passwd of the root filesystem: Too many levels "
				       "of symbolic links"),
			 ELOOP);
	/* GROUP names go through etc/group, the same kind of link. */
	ck_assert_int_eq(resolve_fails("symlink-abs", "0:root", NULL), ELOOP);
}
END_TEST

START_TEST(test_symlink_resolved_in_root)
{
	/* /srv/passwd and /srv/group do not exist on the host; these exist only in the fixture. */
	struct mr_user u = resolve_ok("symlink-inside", "alice");
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_str_eq(u.home, "/in-root/alice");
	/* etc/group climbs with "../" far past the top and still lands in the fixture. */
	assert_groups(&u, (const gid_t[]){4711}, 1);
	mr_user_clear(&u);

	u = resolve_ok("symlink-inside", "root:inside");
	ck_assert_uint_eq(u.gid, 4711);
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_not_a_regular_file)
{
	/* Git cannot store a FIFO, so build this root filesystem at run time. */
	char dir[] = "/tmp/mr-test-user-XXXXXX";
	char path[sizeof(dir) + 32];
	struct mr_error err = {0};
	struct mr_user u;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/etc", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/passwd", dir);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);

	/* A FIFO would block a plain open(2) forever; Check's timeout would catch that. */
	int r = mr_user_resolve(fd, "root", &u, &err);
	close(fd);
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc", dir);
	rmdir(path);
	rmdir(dir);
	ck_assert_int_eq(r, -1);
	ck_assert_str_eq(err.msg, "user 'root': /etc/passwd of the root filesystem is not a "
				  "regular file");
}
END_TEST

/*
 * A root filesystem at run time whose etc/passwd is LINE1 (LEN1 bytes,
 * then '\n') followed by REST, then grown (sparse) to SIZE bytes when SIZE
 * is not 0.  Returns an O_PATH fd of it; dir gets its path.
 */
static int
crafted_passwd(char dir[], const char *line1, size_t len1, const char *rest, off_t size)
{
	char path[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/etc", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/passwd", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(line1, 1, len1, f), len1);
	ck_assert_int_ge(fprintf(f, "\n%s", rest), 0);
	ck_assert_int_eq(fclose(f), 0);
	if (size > 0)
		ck_assert_int_eq(truncate(path, size), 0);
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	return fd;
}

static void
crafted_remove(const char *dir)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/etc/passwd", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc", dir);
	rmdir(path);
	rmdir(dir);
}

static char *
line_of(size_t len)
{
	char *s = malloc(len);
	ck_assert_ptr_nonnull(s);
	memset(s, 'x', len);
	return s;
}

START_TEST(test_line_too_long)
{
	/* runc (bufio.Scanner) fails on such a line too; getline() took it whole. */
	char dir[] = "/tmp/mr-test-user-XXXXXX";
	struct mr_error err = {0};
	struct mr_user u;
	char *long_line = line_of(65537);
	int fd = crafted_passwd(dir, long_line, 65537, "root:x:0:0:root:/root:/bin/sh\n", 0);
	free(long_line);

	int r = mr_user_resolve(fd, "root", &u, &err);
	close(fd);
	crafted_remove(dir);
	ck_assert_int_eq(r, -1);
	ck_assert_str_eq(err.msg, "user 'root': /etc/passwd of the root filesystem has a line "
				  "longer than 64 KiB");
}
END_TEST

START_TEST(test_line_longest_accepted)
{
	/* 65536 bytes and its newline: the longest line taken, and the next one read. */
	char dir[] = "/tmp/mr-test-user-XXXXXX";
	struct mr_error err = {0};
	struct mr_user u;
	char *long_line = line_of(65536);
	int fd = crafted_passwd(dir, long_line, 65536, "alice:x:1000:1000::/home/a:/bin/sh\n", 0);
	free(long_line);

	int r = mr_user_resolve(fd, "alice", &u, &err);
	close(fd);
	crafted_remove(dir);
	ck_assert_msg(r == 0, "alice: %s", err.msg);
	ck_assert_uint_eq(u.uid, 1000);
	ck_assert_str_eq(u.home, "/home/a");
	mr_user_clear(&u);
}
END_TEST

START_TEST(test_file_too_big)
{
	/*
	 * A sparse 3 GiB etc/passwd of NUL bytes held 3 GiB of minirun's
	 * memory for 15 s at every start, --user or not: 64 MiB and one byte
	 * is refused without reading it.
	 */
	char dir[] = "/tmp/mr-test-user-XXXXXX";
	struct mr_error err = {0};
	struct mr_user u;
	int fd = crafted_passwd(dir, "root:x:0:0:root:/root:/bin/sh", 29, "",
				(off_t)64 * 1024 * 1024 + 1);

	int r = mr_user_resolve(fd, NULL, &u, &err);
	close(fd);
	crafted_remove(dir);
	ck_assert_int_eq(r, -1);
	ck_assert_str_eq(err.msg, "/etc/passwd of the root filesystem is larger than 64 MiB");
}
END_TEST

START_TEST(test_clear_zeroed)
{
	struct mr_user u = {0};
	mr_user_clear(&u);
	mr_user_clear(&u);
	mr_user_clear(NULL);
	ck_assert_ptr_null(u.groups);
	ck_assert_ptr_null(u.home);
	ck_assert_ptr_null(u.name);
	ck_assert_uint_eq(u.n_groups, 0);

	u = resolve_ok("basic", "alice");
	mr_user_clear(&u);
	ck_assert_ptr_null(u.groups);
	ck_assert_ptr_null(u.home);
	ck_assert_ptr_null(u.name);
	ck_assert_uint_eq(u.n_groups, 0);
	mr_user_clear(&u);
}
END_TEST

/* --- applying: root only, in a child so the runner keeps its identity --- */

static const char *
child_switch(char *buf, size_t size)
{
	struct mr_error err = {0};
	gid_t groups[] = {10, 29};
	struct mr_user u = {.uid = 1000, .gid = 1000, .groups = groups, .n_groups = 2};
	gid_t got[8];
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (mr_user_set_groups(&u, &err) < 0)
		return test_copy_msg(buf, size, err.msg);
	if (getgroups(8, got) != 2 || got[0] != 10 || got[1] != 29)
		return "getgroups does not show 10,29";
	if (mr_user_switch(&u, &err) < 0)
		return test_copy_msg(buf, size, err.msg);
	if (getresuid(&r, &e, &s) != 0 || r != 1000 || e != 1000 || s != 1000)
		return "getresuid is not 1000 everywhere";
	if (getresgid(&rg, &eg, &sg) != 0 || rg != 1000 || eg != 1000 || sg != 1000)
		return "getresgid is not 1000 everywhere";

	/* No way back: both calls fail and name the ids. */
	struct mr_user root = {0};
	if (mr_user_switch(&root, &err) == 0)
		return "switched back to root";
	if (strcmp(err.msg, "setresgid(0): Operation not permitted") != 0) {
		snprintf(buf, size, "unexpected error: %s", err.msg);
		return buf;
	}
	if (mr_user_set_groups(&u, &err) == 0)
		return "setgroups succeeded without privilege";
	if (strcmp(err.msg, "setgroups(10,29): Operation not permitted") != 0) {
		snprintf(buf, size, "unexpected error: %s", err.msg);
		return buf;
	}
	return NULL;
}

START_TEST(test_switch)
{
	test_run_in_child(child_switch);
}
END_TEST

static const char *
child_set_no_groups(char *buf, size_t size)
{
	struct mr_error err = {0};
	gid_t some[] = {4, 5, 6};
	struct mr_user none = {0};

	/* Give the process groups first so that clearing them is observable. */
	if (setgroups(3, some) != 0)
		return "setgroups(4,5,6) for the test failed";
	if (mr_user_set_groups(&none, &err) < 0)
		return test_copy_msg(buf, size, err.msg);
	if (getgroups(0, NULL) != 0)
		return "groups left after mr_user_set_groups with none";
	return NULL;
}

START_TEST(test_set_no_groups)
{
	test_run_in_child(child_set_no_groups);
}
END_TEST

static const char *
child_switch_uid_fails(char *buf, size_t size)
{
	struct mr_error err = {0};
	struct mr_user u = {.uid = 0, .gid = 1000};

	if (setresgid(1000, 1000, 1000) != 0 || setresuid(1000, 1000, 1000) != 0)
		return "could not become 1000 for the test";
	/* The gid step is a no-op (1000 -> 1000), so the uid step is the one that fails. */
	if (mr_user_switch(&u, &err) == 0)
		return "setresuid(0) succeeded without privilege";
	if (err.errnum != EPERM || strcmp(err.msg, "setresuid(0): Operation not permitted") != 0) {
		snprintf(buf, size, "unexpected error: %s", err.msg);
		return buf;
	}
	return NULL;
}

START_TEST(test_switch_uid_fails)
{
	test_run_in_child(child_switch_uid_fails);
}
END_TEST

static Suite *
user_suite(void)
{
	Suite *s = suite_create("user");
	TCase *tc = tcase_create("resolve");

	tcase_add_test(tc, test_numeric_one_known);
	tcase_add_test(tc, test_numeric_one_unknown);
	tcase_add_test(tc, test_numeric_uid_gid);
	tcase_add_test(tc, test_numeric_first_entry_wins);
	tcase_add_test(tc, test_numeric_unknown_uid_in_basic);
	tcase_add_test(tc, test_numeric_limits);
	tcase_add_test(tc, test_bad_empty_group);
	tcase_add_test(tc, test_bad_empty_user);
	tcase_add_test(tc, test_bad_negative);
	tcase_add_test(tc, test_bad_out_of_range);
	tcase_add_test(tc, test_bad_unknown_name);
	tcase_add_test(tc, test_bad_empty);
	tcase_add_test(tc, test_bad_two_colons);
	tcase_add_test(tc, test_bad_unknown_group);
	tcase_add_test(tc, test_malformed_lines_skipped);
	tcase_add_test(tc, test_name_root);
	tcase_add_test(tc, test_name_alice);
	tcase_add_test(tc, test_name_alice_staff);
	tcase_add_test(tc, test_name_numeric_gid_not_in_group);
	tcase_add_test(tc, test_name_numeric_uid_group_name);
	tcase_add_test(tc, test_name_bob_empty_home);
	tcase_add_test(tc, test_name_case_sensitive);
	tcase_add_test(tc, test_default_root);
	tcase_add_test(tc, test_symlink_absolute_self);
	tcase_add_test(tc, test_symlink_resolved_in_root);
	tcase_add_test(tc, test_not_a_regular_file);
	tcase_add_test(tc, test_line_too_long);
	tcase_add_test(tc, test_line_longest_accepted);
	tcase_add_test(tc, test_file_too_big);
	tcase_add_test(tc, test_clear_zeroed);
	suite_add_tcase(s, tc);

	if (geteuid() == 0) {
		TCase *apply = tcase_create("apply (root)");
		tcase_add_test(apply, test_switch);
		tcase_add_test(apply, test_set_no_groups);
		tcase_add_test(apply, test_switch_uid_fails);
		suite_add_tcase(s, apply);
	} else {
		fprintf(stderr, "test_user: not root, skipping the tests that switch identity\n");
	}
	return s;
}

int
main(void)
{
	return test_run_suite(user_suite());
}
