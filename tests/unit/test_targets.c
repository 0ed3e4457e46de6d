/* SPDX-License-Identifier: MIT */
/*
 * lib/tools/targets.c: the built-in targets load, composite targets are the
 * union of their runtimes' lists (each name once, under the widest
 * condition), bad files are refused with a reason, and the gaps of a profile
 * are exactly the runtime's calls it denies.
 */
#include "tools/targets.h"
#include "profile_cmd_test.h"

#define DOCKER_CAPS 0xa80425fbULL

static bool
group_has(const struct mr_target *t, int nnp, int nonroot, int tty, const char *name)
{
	for (size_t i = 0; i < t->n_groups; i++) {
		const struct mr_target_group *g = &t->groups[i];
		if (g->when.nnp != nnp || g->when.nonroot != nonroot || g->when.tty != tty)
			continue;
		for (size_t j = 0; j < g->names.n; j++)
			if (strcmp(g->names.v[j], name) == 0)
				return true;
	}
	return false;
}

static size_t
count_name(const struct mr_target *t, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n_groups; i++)
		for (size_t j = 0; j < t->groups[i].names.n; j++)
			n += strcmp(t->groups[i].names.v[j], name) == 0;
	return n;
}

START_TEST(test_builtin)
{
	static const char *const names[] = {"docker",	  "runc",  "crun",	"podman",
					    "containerd", "cri-o", "kubernetes"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct mr_target t;
		struct mr_error err = {0};
		ck_assert_msg(mr_target_load(names[i], &t, &err) == 0, "%s: %s", names[i], err.msg);
		ck_assert_uint_gt(t.n_groups, 0);
		/* the most general group first: the workload's execve is always there */
		ck_assert_int_eq(t.groups[0].when.nnp, -1);
		ck_assert(group_has(&t, -1, -1, -1, "execve"));
		ck_assert_ptr_nonnull(t.runtimes);
		mr_target_clear(&t);
	}
}
END_TEST

START_TEST(test_union)
{
	struct mr_target k, r, c;
	struct mr_error err = {0};
	ck_assert_int_eq(mr_target_load("kubernetes", &k, &err), 0);
	ck_assert_int_eq(mr_target_load("runc", &r, &err), 0);
	ck_assert_int_eq(mr_target_load("crun", &c, &err), 0);
	ck_assert_str_eq(k.via, "runc or crun");
	/* runc's fstatfs (always), crun's setresuid (NNP off), runc's fchown (NNP off, non-root) */
	ck_assert(group_has(&k, -1, -1, -1, "fstatfs"));
	ck_assert(group_has(&k, 0, -1, -1, "setresuid"));
	ck_assert(group_has(&k, 0, 1, -1, "fchown"));
	/* both lists have close and execve: named once */
	ck_assert_uint_eq(count_name(&k, "close"), 1);
	ck_assert_uint_eq(count_name(&k, "execve"), 1);
	/* every name of each runtime is in the union */
	for (size_t i = 0; i < r.n_groups; i++)
		for (size_t j = 0; j < r.groups[i].names.n; j++)
			ck_assert_uint_ge(count_name(&k, r.groups[i].names.v[j]), 1);
	for (size_t i = 0; i < c.n_groups; i++)
		for (size_t j = 0; j < c.groups[i].names.n; j++)
			ck_assert_uint_ge(count_name(&k, c.groups[i].names.v[j]), 1);
	mr_target_clear(&k);
	mr_target_clear(&r);
	mr_target_clear(&c);
}
END_TEST

static void
load_text_fails(const char *text, const char *want)
{
	char path[] = "/tmp/test-targets-XXXXXX.json";
	int fd = mkstemps(path, 5);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct mr_target t;
	struct mr_error err = {0};
	ck_assert_int_eq(mr_target_load(path, &t, &err), -1);
	ck_assert_msg(strstr(err.msg, want) != NULL, "%s: want \"%s\"", err.msg, want);
	unlink(path);
}

START_TEST(test_bad)
{
	struct mr_target t;
	struct mr_error err = {0};
	ck_assert_int_eq(mr_target_load("dockr", &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown target \"dockr\""));
	load_text_fails("{\"target\": \"x\"}", "needs either");
	load_text_fails("{\"syscalls\": [{\"when\": {\"nnp\": true}, \"names\": []}]}",
			"unknown condition \"nnp\"");
	load_text_fails("{\"syscalls\": [{\"when\": {\"user\": \"alice\"}, \"names\": []}]}",
			"\"user\" must be");
	load_text_fails("{\"uses\": [\"kubernetes\"]}", "may name only measured runtimes");
	load_text_fails("[", "target");
}
END_TEST

START_TEST(test_gaps)
{
	struct mr_explained x;
	struct mr_target t;
	struct mr_target_gap *g = NULL;
	size_t n = 0;
	struct mr_error err = {0};
	ck_assert_int_eq(mr_target_load("kubernetes", &t, &err), 0);

	/* Docker's (minirun's) default profile allows every runtime call. */
	struct mr_profile *p = pc_prepare("runtime/default", DOCKER_CAPS, 0, &x);
	ck_assert_int_eq(mr_target_gaps(&x, &t, &g, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	mr_explained_clear(&x);
	mr_profile_free(p);

	/* A workload-only profile: every group is a gap, fstatfs among "always". */
	static const char text[] =
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"execve\", "
	    "\"close\", \"read\", \"exit_group\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	struct mr_reduce_env env;
	ck_assert_int_eq(mr_profile_parse(text, strlen(text), "t", &p, &err), 0);
	ck_assert_int_eq(mr_reduce_env_for(DOCKER_CAPS, 0, &env, &err), 0);
	ck_assert_int_eq(mr_explain_prepare(p, &env, &x, &err), 0);
	ck_assert_int_eq(mr_target_gaps(&x, &t, &g, &n, &err), 0);
	ck_assert_uint_eq(n, t.n_groups);
	ck_assert_int_eq(g[0].group->when.nnp, -1);
	bool fstatfs = false, execve = false;
	for (size_t i = 0; i < g[0].names.n; i++) {
		fstatfs |= strcmp(g[0].names.v[i], "fstatfs") == 0;
		execve |= strcmp(g[0].names.v[i], "execve") == 0;
	}
	ck_assert(fstatfs);
	ck_assert(!execve);
	char *line = mr_target_gap_text(&t, &g[0]);
	ck_assert_ptr_nonnull(strstr(line, "which runc or crun (the runtimes of kubernetes) call "
					   "after installing the filter (always)"));
	free(line);
	mr_target_gaps_free(g, n);
	mr_explained_clear(&x);
	mr_profile_free(p);
	mr_target_clear(&t);
}
END_TEST

START_TEST(test_when_text)
{
	struct mr_target_when w = {0, 1, -1};
	char *s = mr_target_when_text(&w);
	ck_assert_str_eq(s, "when noNewPrivileges is false and the user is not root");
	free(s);
	w = (struct mr_target_when){-1, -1, 1};
	s = mr_target_when_text(&w);
	ck_assert_str_eq(s, "when there is a terminal");
	free(s);
}
END_TEST

static Suite *
targets_suite(void)
{
	Suite *s = suite_create("targets");
	TCase *tc = tcase_create("targets");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_builtin);
	tcase_add_test(tc, test_union);
	tcase_add_test(tc, test_bad);
	tcase_add_test(tc, test_gaps);
	tcase_add_test(tc, test_when_text);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	return test_main(argc, argv, targets_suite, NULL);
}
