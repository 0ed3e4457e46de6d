/* SPDX-License-Identifier: MIT */
/*
 * Kubernetes profiles: the YAML reader (lib/seccomp/yaml.c) and its positions,
 * the SeccompProfile shape, the equivalents table (lib/seccomp/equivalents.c)
 * against libseccomp, localhost/NAME beneath the seccomp root.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp/equivalents.h"
#include "seccomp/localhost.h"
#include "seccomp/profile.h"
#include "seccomp/program.h"
#include "seccomp/yaml.h"

static struct mr_profile *
parse(const char *text, const char *source, struct mr_error *err)
{
	struct mr_profile *p = NULL;
	memset(err, 0, sizeof(*err));
	mr_profile_parse(text, strlen(text), source, &p, err);
	return p;
}

START_TEST(test_yaml_positions)
{
	static const char text[] = "defaultAction: SCMP_ACT_ERRNO\n"
				   "syscalls:\n"
				   "  - names: [read,\n"
				   "            write]\n"
				   "    action: SCMP_ACT_ALLOW\n";
	struct mr_error err;
	struct mr_profile *p = parse(text, "p.yaml", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(p->n_rules, 1);
	ck_assert_str_eq(p->rules[0].names[1], "write");
	ck_assert_int_eq(p->rules[0].name_pos[0].line, 3);
	ck_assert_int_eq(p->rules[0].name_pos[0].column, 13);
	ck_assert_int_eq(p->rules[0].name_pos[1].line, 4);
	ck_assert_int_eq(p->rules[0].name_pos[1].column, 13);
	ck_assert_int_eq(p->rules[0].pos.line, 3);
	ck_assert_int_eq(p->rules[0].pos.column, 5);
	mr_profile_free(p);
}
END_TEST

START_TEST(test_yaml_schema_error_position)
{
	struct mr_error err;
	struct mr_profile *p = parse("defaultAction: SCMP_ACT_ERRNO\nsyscalls:\n  - names: [read]\n"
				     "    action: SCMP_ACT_NOPE\n",
				     "p.yaml", &err);
	ck_assert_ptr_null(p);
	ck_assert_msg(
	    strncmp(err.msg, "seccomp profile p.yaml:4:13: syscalls[0]: unknown action", 56) == 0,
	    "%s", err.msg);
}
END_TEST

START_TEST(test_yaml_errors)
{
	static const struct {
		const char *text, *needle;
	} cases[] = {
	    {"defaultAction: [a\n", "seccomp profile p.yaml: YAML line 2 column 1: invalid YAML"},
	    {"a: &x 1\nb: *x\n", "YAML line 2 column 4: alias *x"},
	    {"a: 1\na: 2\n", "YAML line 2 column 1: duplicate key \"a\""},
	    {"a: 1\n---\nb: 2\n", "YAML line 2 column 1: a second YAML document"},
	    {"? [a]\n: 1\n", "a key must be a plain value"},
	    {"a: !custom x\n", "tag !custom"},
	    {"", "holds no YAML document"},
	    {"- 1\n", "must be a JSON object"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mr_error err;
		struct mr_profile *p = parse(cases[i].text, "p.yaml", &err);
		ck_assert_ptr_null(p);
		ck_assert_msg(strstr(err.msg, cases[i].needle) != NULL, "case %zu: %s", i, err.msg);
	}
}
END_TEST

START_TEST(test_yaml_scalars)
{
	json_t *root = NULL;
	struct mr_yaml_pos *pos = NULL;
	size_t n = 0;
	struct mr_error err = {0};
	static const char text[] = "a: 13\nb: \"13\"\nc: 0x1ff\nd: true\ne: ~\nf: SCMP_ACT_LOG\n"
				   "g: 1.5\nh: '0o7'\ni: yes\n";
	ck_assert_int_eq(mr_yaml_load(text, strlen(text), "s.yaml", &root, &pos, &n, &err), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(root, "a")), 13);
	ck_assert_str_eq(json_string_value(json_object_get(root, "b")), "13");
	ck_assert_int_eq(json_integer_value(json_object_get(root, "c")), 0x1ff);
	ck_assert(json_is_true(json_object_get(root, "d")));
	ck_assert(json_is_null(json_object_get(root, "e")));
	ck_assert_str_eq(json_string_value(json_object_get(root, "f")), "SCMP_ACT_LOG");
	ck_assert(json_is_real(json_object_get(root, "g")));
	ck_assert_str_eq(json_string_value(json_object_get(root, "h")), "0o7");
	/* YAML 1.2: yes is a string */
	ck_assert_str_eq(json_string_value(json_object_get(root, "i")), "yes");
	ck_assert_int_eq(n, 10);
	json_decref(root);
	free(pos);
}
END_TEST

START_TEST(test_spo_shape)
{
	static const char text[] = "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
				   "kind: SeccompProfile\n"
				   "metadata:\n  name: x\n"
				   "spec:\n"
				   "  defaultAction: SCMP_ACT_ERRNO\n"
				   "  baseProfileName: runc-v1.2.0\n"
				   "  architectures: [SCMP_ARCH_X86_64]\n"
				   "  syscalls:\n"
				   "  - names: [mkdir]\n"
				   "    action: SCMP_ACT_ERRNO\n"
				   "    errnoRet: \"38\"\n";
	struct mr_error err;
	struct mr_profile *p = parse(text, "sp.yaml", &err);
	ck_assert_msg(p != NULL, "%s", err.msg);
	ck_assert_int_eq(p->n_rules, 1);
	ck_assert_int_eq(p->rules[0].errno_ret, 38);
	ck_assert_int_eq(p->rules[0].pos.line, 10);
	ck_assert_int_eq(p->warnings.n, 1);
	ck_assert_msg(
	    strstr(p->warnings.v[0], "sp.yaml:7:20: SeccompProfile: spec.baseProfileName") != NULL,
	    "%s", p->warnings.v[0]);
	mr_profile_free(p);

	/* Other resources are named, not parsed as an empty profile. */
	p = parse("apiVersion: v1\nkind: Pod\nspec: {}\n", "pod.yaml", &err);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err.msg, "kind Pod (v1), not a SeccompProfile") != NULL, "%s",
		      err.msg);
	/* errnoRet in an SPO resource is a string of digits. */
	p = parse("apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\n"
		  "spec:\n  defaultAction: SCMP_ACT_ALLOW\n  syscalls:\n  - names: [a]\n"
		  "    action: SCMP_ACT_ERRNO\n    errnoRet: EPERM\n",
		  "e.yaml", &err);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err.msg, "e.yaml:8:15:") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(test_json_looks_like_yaml)
{
	struct mr_error err;
	struct mr_profile *p = parse("# a profile\nkind: SeccompProfile\n", "x.json", &err);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err.msg, "looks like YAML (kind: SeccompProfile)") != NULL, "%s",
		      err.msg);
}
END_TEST

/* Every replacement exists on aarch64 (the generic table), every legacy name on x86_64. */
START_TEST(test_equivalents_resolve)
{
	size_t rows = 0;
	for (const struct mr_syscall_equiv *e; (e = mr_equiv_nth(rows)) != NULL; rows++) {
		ck_assert_msg(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, e->legacy) >= 0,
			      "%s on x86_64", e->legacy);
		ck_assert_msg(seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, e->legacy) < 0,
			      "%s exists on aarch64: no replacement needed", e->legacy);
		/* Arrays, not pointers: each name must end within its own. */
		ck_assert_ptr_nonnull(memchr(e->legacy, '\0', sizeof(e->legacy)));
		for (size_t i = 0; i < MR_EQUIV_MAX; i++)
			ck_assert_ptr_nonnull(memchr(e->repl[i], '\0', sizeof(e->repl[i])));
		ck_assert(e->repl[0][0] != '\0');
		for (size_t i = 0; i < MR_EQUIV_MAX && e->repl[i][0]; i++)
			ck_assert_msg(
			    seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, e->repl[i]) >= 0,
			    "%s -> %s on aarch64", e->legacy, e->repl[i]);
		const char *r[MR_EQUIV_MAX];
		ck_assert_msg(mr_equiv_on_arch(e->legacy, SCMP_ARCH_RISCV64, r) > 0,
			      "%s on riscv64", e->legacy);
		ck_assert_int_eq(mr_equiv_on_arch(e->legacy, SCMP_ARCH_X86_64, r), 0);
	}
	ck_assert_int_ge(rows, 30);
	ck_assert_str_eq(mr_equiv_find("open")->repl[0], "openat");
	ck_assert_ptr_null(mr_equiv_find("openat"));
}
END_TEST

START_TEST(test_equivalents_widen)
{
	json_t *names = json_pack("[s,s,s]", "mkdir", "read", "stat");
	json_t *arches = json_pack("[s]", "SCMP_ARCH_X86_64");
	const uint32_t want[] = {SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64};
	ck_assert_int_eq(mr_equiv_widen(names, arches, want, 2), 0);
	char *s = json_dumps(names, JSON_COMPACT);
	ck_assert_str_eq(s, "[\"mkdir\",\"mkdirat\",\"newfstatat\",\"read\",\"stat\",\"statx\"]");
	free(s);
	s = json_dumps(arches, JSON_COMPACT);
	ck_assert_str_eq(s, "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_AARCH64\"]");
	free(s);
	json_decref(names);
	json_decref(arches);
}
END_TEST

static char root_dir[] = "/tmp/mr-k8s-XXXXXX";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_localhost)
{
	char path[256], out[256];
	ck_assert_ptr_nonnull(mkdtemp(root_dir));
	snprintf(path, sizeof(path), "%s/seccomp", root_dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/seccomp/p.yaml", root_dir);
	write_file(path, "defaultAction: SCMP_ACT_ALLOW\n");
	snprintf(out, sizeof(out), "%s/outside.json", root_dir);
	write_file(out, "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
	snprintf(path, sizeof(path), "%s/seccomp/link.json", root_dir);
	ck_assert_int_eq(symlink(out, path), 0);
	snprintf(path, sizeof(path), "%s/seccomp/rel.json", root_dir);
	ck_assert_int_eq(symlink("../outside.json", path), 0);
	snprintf(path, sizeof(path), "%s/seccomp", root_dir);
	mr_seccomp_root_set(path);

	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	ck_assert_msg(mr_profile_load_named("localhost/p.yaml", &p, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(p->source + strlen(p->source) - 15, "/seccomp/p.yaml");
	mr_profile_free(p);

	static const char *const refused[] = {"localhost/../outside.json", "localhost/link.json",
					      "localhost/rel.json",
					      "localhost/a/../../outside.json", "localhost/"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		memset(&err, 0, sizeof(err));
		p = NULL;
		ck_assert_msg(mr_profile_load_named(refused[i], &p, &err) < 0, "%s loaded",
			      refused[i]);
		ck_assert_msg(strstr(err.msg, "seccomp root") != NULL ||
				  strstr(err.msg, "no profile name") != NULL,
			      "%s: %s", refused[i], err.msg);
	}
	mr_seccomp_root_set(NULL);
	setenv("MINIRUN_SECCOMP_ROOT", "/x", 1);
	ck_assert_str_eq(mr_seccomp_root(), "/x");
	unsetenv("MINIRUN_SECCOMP_ROOT");
	ck_assert_str_eq(mr_seccomp_root(), "/var/lib/kubelet/seccomp");

	/* The keywords load as in a run. */
	ck_assert_int_eq(mr_profile_load_named("unconfined", &p, &err), 0);
	ck_assert(p->unconfined);
	mr_profile_free(p);
	ck_assert_int_eq(mr_profile_load_named("RuntimeDefault", &p, &err), 0);
	ck_assert(!p->unconfined);
	mr_profile_free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("k8s");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_yaml_positions);
	tcase_add_test(tc, test_yaml_schema_error_position);
	tcase_add_test(tc, test_yaml_errors);
	tcase_add_test(tc, test_yaml_scalars);
	tcase_add_test(tc, test_spo_shape);
	tcase_add_test(tc, test_json_looks_like_yaml);
	tcase_add_test(tc, test_equivalents_resolve);
	tcase_add_test(tc, test_equivalents_widen);
	tcase_add_test(tc, test_localhost);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
