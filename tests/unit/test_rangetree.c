/* SPDX-License-Identifier: MIT */
/*
 * lib/seccomp/rangetree.c against libseccomp: for a profile, both programs
 * (each behind minirun's ENOSYS stub) must return the same action for every
 * architecture the filter has (and one it has not), every syscall number
 * from 0 to past the highest, the x32 range, the numbers around the x32 bit
 * and the negative ones, and -- where either program looks at the
 * arguments -- every combination of argument values at the boundaries of
 * the profile's comparisons.  Run by bpf-eval, as the kernel would.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "common/caps.h"
#include "common/util.h"
#include "seccomp/bpf-eval.h"
#include "seccomp/filter.h"
#include "seccomp/program.h"
#include "seccomp/profile.h"
#include "seccomp/reduce.h"
#include "seccomp_test.h"

#define MAX_VALS 96

struct vals {
	uint64_t v[MAX_VALS];
	size_t n;
};

static void
vals_add(struct vals *s, uint64_t x)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == x)
			return;
	if (s->n < MAX_VALS)
		s->v[s->n++] = x;
}

/* value-1, value, value+1 and their variants in the other word. */
static void
vals_around(struct vals *s, uint64_t v)
{
	const uint64_t hi = (uint64_t)1 << 32;
	uint64_t base[] = {v, v & 0xffffffffu, v | 0xffffffff00000000u, v + hi, v - hi};
	for (size_t i = 0; i < MR_ARRAY_SIZE(base); i++) {
		vals_add(s, base[i] - 1);
		vals_add(s, base[i]);
		vals_add(s, base[i] + 1);
	}
}

/* The argument classes the profile's comparisons distinguish, per index. */
static void
arg_classes(const struct mr_reduced *r, struct vals cls[6])
{
	for (int i = 0; i < 6; i++) {
		cls[i].n = 0;
		vals_add(&cls[i], 0);
		vals_add(&cls[i], UINT64_MAX);
	}
	for (size_t i = 0; i < r->n_rules; i++)
		for (size_t k = 0; k < r->rules[i]->n_args; k++) {
			const struct mr_prof_arg *a = &r->rules[i]->args[k];
			if (a->index > 5)
				continue;
			struct vals *s = &cls[a->index];
			if (a->op == SCMP_CMP_MASKED_EQ) {
				uint64_t m = a->value, v = a->value_two;
				vals_around(s, v);
				vals_add(s, v | ~m);		 /* outside the mask: still equal */
				vals_add(s, (v & m) ^ (m & -m)); /* the lowest mask bit flipped */
				vals_add(s, m);
			} else {
				vals_around(s, a->value);
			}
		}
	/* The multiplexers' codes on x86 (socketcall, ipc): argument 0. */
	for (uint64_t c = 0; c <= 25; c++)
		vals_add(&cls[0], c);
}

struct outs {
	uint32_t v[8];
	size_t n;
};

static void
out_add(uint32_t ret, void *arg)
{
	struct outs *o = arg;
	if (o->n < 8)
		o->v[o->n++] = ret;
}

static size_t
n_outcomes(const struct mr_bpf_checked *f, uint32_t audit, uint32_t nr)
{
	struct outs o = {0};
	/* Not ck_assert in the loops: Check writes a mark point (a syscall) for every
	   passing assertion, and these run millions of times. */
	if (mr_bpf_outcomes_checked(f, audit, (int)nr, out_add, &o) != 0)
		ck_abort_msg("mr_bpf_outcomes failed for arch %#x nr %#x", audit, nr);
	return o.n;
}

static uint32_t
run(const struct mr_bpf_checked *f, const struct seccomp_data *d)
{
	uint32_t ret = 0;
	if (mr_bpf_eval_checked(f, d, &ret) != 0)
		ck_abort_msg("mr_bpf_eval failed for arch %#x nr %d", d->arch, d->nr);
	return ret;
}

struct tally {
	size_t profiles, generated, declined, evals;
	size_t insns_lib, insns_tree;
};

static struct tally total;

/* Every argument combination of the classes, or one index at a time when too many. */
static void
compare_args(const struct mr_bpf_checked *lib, const struct mr_bpf_checked *tree,
	     struct seccomp_data *d, const struct vals cls[6], const char *what)
{
	size_t combos = 1;
	for (int i = 0; i < 6; i++)
		combos = combos > 200000 / cls[i].n ? 200001 : combos * cls[i].n;
	if (combos <= 200000) {
		for (size_t c = 0; c < combos; c++) {
			size_t x = c;
			for (int i = 0; i < 6; i++) {
				d->args[i] = cls[i].v[x % cls[i].n];
				x /= cls[i].n;
			}
			uint32_t a = run(lib, d), b = run(tree, d);
			if (a != b)
				ck_abort_msg(
				    "%s: arch %#x nr %d args %#llx %#llx %#llx: libseccomp %#x, "
				    "range tree %#x",
				    what, d->arch, d->nr, (unsigned long long)d->args[0],
				    (unsigned long long)d->args[1], (unsigned long long)d->args[2],
				    a, b);
			total.evals++;
		}
		memset(d->args, 0, sizeof(d->args));
		return;
	}
	for (int i = 0; i < 6; i++)
		for (size_t k = 0; k < cls[i].n; k++)
			for (int j = 0; j < 6; j++)
				for (size_t l = 0; l < cls[j].n; l++) {
					memset(d->args, 0, sizeof(d->args));
					d->args[i] = cls[i].v[k];
					d->args[j] = cls[j].v[l];
					if (run(lib, d) != run(tree, d))
						ck_abort_msg("%s: arch %#x nr %d: programs differ",
							     what, d->arch, d->nr);
					total.evals++;
				}
	memset(d->args, 0, sizeof(d->args));
}

static void
compare_nr(const struct mr_bpf_checked *lib, const struct mr_bpf_checked *tree, uint32_t audit,
	   uint32_t nr, const struct vals cls[6], const char *what)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = audit};
	uint32_t a = run(lib, &d), b = run(tree, &d);
	if (a != b)
		ck_abort_msg("%s: arch %#x nr %#x: libseccomp %#x, range tree %#x", what, audit, nr,
			     a, b);
	total.evals++;
	if (n_outcomes(lib, audit, nr) > 1 || n_outcomes(tree, audit, nr) > 1)
		compare_args(lib, tree, &d, cls, what);
}

/* The audit arch values to try: the filter's, and one no filter here has. */
static size_t
audits(const struct mr_reduced *r, uint32_t out[16])
{
	size_t n = 0;
	uint32_t tokens[17];
	size_t nt = 0;
	tokens[nt++] = seccomp_arch_native();
	for (size_t i = 0; i < r->n_arches && nt < 16; i++)
		tokens[nt++] = r->arches[i];
	for (size_t i = 0; i < nt; i++) {
		uint32_t a = tokens[i] == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : tokens[i];
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup = dup || out[k] == a;
		if (!dup && n < 15)
			out[n++] = a;
	}
	out[n++] = AUDIT_ARCH_PPC64LE;
	return n;
}

static int64_t
max_nr(const struct mr_reduced *r, uint32_t token)
{
	int64_t max = 0;
	for (size_t i = 0; i < r->n_rules; i++)
		for (size_t k = 0; k < r->rules[i]->n_names; k++) {
			int nr = seccomp_syscall_resolve_name_arch(token, r->rules[i]->names[k]);
			if (nr > max)
				max = nr;
		}
	return max < 450 ? 450 : max;
}

/* Both programs for r; when the range tree declines, only that is counted. */
static void
compare_reduced(const struct mr_reduced *r, const char *what)
{
	struct mr_filter lib = {0}, tree = {0};
	struct mr_error err = {0};
	struct mr_filter_opts ol = {.gen = MR_GEN_LIBSECCOMP, .quiet_unknown = true};
	struct mr_filter_opts ot = {.gen = MR_GEN_RANGETREE, .quiet_unknown = true};
	struct vals cls[6];

	total.profiles++;
	int lr = mr_filter_build(r, &ol, &lib, &err);
	struct mr_error err2 = {0};
	int tr = mr_filter_build(r, &ot, &tree, &err2);
	if (tr < 0) {
		/* Declining is allowed (minirun then uses libseccomp); a wrong program is not. */
		ck_assert_msg(err2.errnum == ENOTSUP || lr < 0, "%s: %s", what, err2.msg);
		total.declined++;
		printf("%s: declined: %s\n", what, err2.msg);
		mr_filter_clear(&lib);
		return;
	}
	ck_assert_msg(lr == 0, "%s: the range tree built what libseccomp refuses: %s", what,
		      err.msg);
	total.generated++;
	total.insns_lib += lib.n_insns;
	total.insns_tree += tree.n_insns;
	ck_assert_uint_eq(lib.flags, tree.flags);
	ck_assert_uint_eq(lib.warnings.n, tree.warnings.n);
	arg_classes(r, cls);
	/* Each program checked once, then run a million times (mr_bpf_checked). */
	struct mr_bpf_checked lc, tc;
	ck_assert_int_eq(mr_bpf_check(lib.insns, lib.n_insns, &lc), 0);
	ck_assert_int_eq(mr_bpf_check(tree.insns, tree.n_insns, &tc), 0);
	uint32_t au[16];
	size_t na = audits(r, au);
	for (size_t i = 0; i < na; i++) {
		uint32_t token = au[i];
		uint32_t top = (uint32_t)max_nr(r, token) + 64;
		for (uint32_t nr = 0; nr <= top; nr++)
			compare_nr(&lc, &tc, au[i], nr, cls, what);
		if (au[i] == AUDIT_ARCH_X86_64) {
			uint32_t xtop = (uint32_t)max_nr(r, SCMP_ARCH_X32) + 64;
			for (uint32_t nr = 0x40000000u - 8; nr <= xtop; nr++)
				compare_nr(&lc, &tc, au[i], nr, cls, what);
		}
		const uint32_t odd[] = {0x3fffffffu, 0x7fffffffu, 0x80000000u,
					0xbfffffffu, 0xc0000000u, 0xfffffffeu,
					0xffffffffu, 4096,	  65535};
		for (size_t k = 0; k < MR_ARRAY_SIZE(odd); k++)
			compare_nr(&lc, &tc, au[i], odd[k], cls, what);
	}
	mr_filter_clear(&lib);
	mr_filter_clear(&tree);
}

static void
compare_profile(const struct mr_profile *p, mr_capset bounding, const char *what)
{
	struct mr_reduce_env env;
	struct mr_reduced r = {0};
	struct mr_error err = {0};
	ck_assert_int_eq(mr_reduce_env_host(bounding, &env, &err), 0);
	if (mr_profile_reduce(p, &env, &r, &err) < 0)
		return; /* not a profile minirun runs: nothing to compare */
	compare_reduced(&r, what);
	mr_reduced_clear(&r);
}

static void
compare_file(const char *path, mr_capset bounding)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	if (mr_profile_load(path, &p, &err) < 0 || p->unconfined) {
		mr_profile_free(p);
		return; /* fixtures that must not parse */
	}
	compare_profile(p, bounding, path);
	mr_profile_free(p);
}

static void
compare_dir(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "%s", dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 6 || (strcmp(e->d_name + len - 5, ".json") != 0 &&
				strcmp(e->d_name + len - 5, ".yaml") != 0))
			continue;
		char *path = NULL;
		ck_assert_int_ge(asprintf(&path, "%s/%s", dir, e->d_name), 0);
		compare_file(path, TEST_CAPS_DOCKER);
		free(path);
	}
	closedir(d);
}

static void
report(const char *what)
{
	printf("%s: %zu profiles, %zu by the range tree (%zu declined), %zu evaluations, "
	       "%zu vs %zu instructions (libseccomp vs range tree)\n",
	       what, total.profiles, total.generated, total.declined, total.evals, total.insns_lib,
	       total.insns_tree);
	memset(&total, 0, sizeof(total));
}

/* Docker's default (the built-in one) under the capability sets that shape it. */
START_TEST(test_default_capsets)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	ck_assert_int_eq(mr_profile_load_named(NULL, &p, &err), 0);
	const mr_capset sets[] = {TEST_CAPS_DOCKER, mr_caps_all_known(), 0,
				  TEST_CAPS_DOCKER | MR_CAP_BIT(21) /* CAP_SYS_ADMIN */};
	for (size_t i = 0; i < MR_ARRAY_SIZE(sets); i++) {
		size_t before = total.declined;
		compare_profile(p, sets[i], "built-in default");
		/* The profile minirun starts most: the range tree must take it. */
		ck_assert_uint_eq(total.declined, before);
	}
	report("built-in default, 4 capability sets");
	mr_profile_free(p);
}
END_TEST

/*
 * The other architectures the range tree writes (explain --arch on this
 * host): Docker's default reduced for an arm64 and a riscv64 host, both in
 * the filter next to the native arch.
 */
START_TEST(test_default_other_arches)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	const uint32_t arches[] = {SCMP_ARCH_AARCH64, SCMP_ARCH_RISCV64, SCMP_ARCH_X86};
	ck_assert_int_eq(mr_profile_load_named(NULL, &p, &err), 0);
	for (size_t i = 0; i < MR_ARRAY_SIZE(arches); i++) {
		struct mr_reduce_env env;
		struct mr_reduced r = {0};
		ck_assert_int_eq(mr_reduce_env_for(TEST_CAPS_DOCKER, arches[i], &env, &err), 0);
		ck_assert_int_eq(mr_profile_reduce(p, &env, &r, &err), 0);
		bool has = false;
		for (size_t k = 0; k < r.n_arches; k++)
			has = has || r.arches[k] == arches[i];
		if (!has) {
			uint32_t *na = realloc(r.arches, (r.n_arches + 1) * sizeof(*na));
			ck_assert_ptr_nonnull(na);
			na[r.n_arches++] = arches[i];
			r.arches = na;
		}
		size_t before = total.declined;
		compare_reduced(&r, "built-in default, another arch");
		ck_assert_uint_eq(total.declined, before);
		mr_reduced_clear(&r);
	}
	report("built-in default for aarch64, riscv64, x86 hosts");
	mr_profile_free(p);
}
END_TEST

/*
 * The kernel's seccomp action cache (Linux >= 5.11, kernel/seccomp.c
 * seccomp_is_const_allow): at load it runs the filter for each syscall
 * number of the native and compat arches with only nr and arch known, and
 * a call whose path reads nothing else and returns ALLOW is then allowed
 * without running the filter at all.  Emulated instruction for instruction:
 * any other load or instruction means "not constant".
 */
static bool
kernel_const_allow(const struct sock_filter *prog, size_t len, uint32_t arch, uint32_t nr)
{
	uint32_t reg = 0;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &prog[pc];
		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (in->k == offsetof(struct seccomp_data, nr))
				reg = nr;
			else if (in->k == offsetof(struct seccomp_data, arch))
				reg = arch;
			else
				return false;
			break;
		case BPF_RET | BPF_K:
			return in->k == SECCOMP_RET_ALLOW;
		case BPF_JMP | BPF_JA:
			pc += in->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += reg == in->k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += reg >= in->k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += reg > in->k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (reg & in->k) ? in->jt : in->jf;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			reg &= in->k;
			break;
		default:
			return false;
		}
	}
	return false;
}

/*
 * Issue 15's per-call target by construction: every syscall the built-in
 * default allows whatever its arguments (its only outcome is ALLOW) must be
 * one the kernel's action cache allows without running the program, on
 * x86_64 and i386 (the native and compat arches of this host), so that it
 * costs what it costs under any filter, a one-instruction one included.
 * The bench measures the same (getpid, read); this says why, exactly.
 */
START_TEST(test_default_action_cache)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	struct mr_reduce_env env;
	struct mr_reduced r = {0};
	struct mr_filter tree = {0};
	struct mr_filter_opts ot = {.gen = MR_GEN_RANGETREE, .quiet_unknown = true};
	struct mr_bpf_checked tc;

	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		return; /* the arches below are this host's */
	ck_assert_int_eq(mr_profile_load_named(NULL, &p, &err), 0);
	ck_assert_int_eq(mr_reduce_env_host(TEST_CAPS_DOCKER, &env, &err), 0);
	ck_assert_int_eq(mr_profile_reduce(p, &env, &r, &err), 0);
	ck_assert_msg(mr_filter_build(&r, &ot, &tree, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(mr_bpf_check(tree.insns, tree.n_insns, &tc), 0);
	const uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386};
	size_t allowed = 0, cached = 0;
	for (size_t a = 0; a < MR_ARRAY_SIZE(arches); a++)
		for (uint32_t nr = 0; nr < 512; nr++) {
			struct outs o = {0};
			if (mr_bpf_outcomes_checked(&tc, arches[a], (int)nr, out_add, &o) != 0)
				ck_abort_msg("mr_bpf_outcomes failed for arch %#x nr %u", arches[a],
					     nr);
			bool always = o.n == 1 && o.v[0] == SECCOMP_RET_ALLOW;
			bool fast = kernel_const_allow(tree.insns, tree.n_insns, arches[a], nr);
			if (always != fast)
				ck_abort_msg("arch %#x nr %u: %s, but the action cache %s it",
					     arches[a], nr,
					     always ? "always allowed" : "not always allowed",
					     fast ? "allows" : "does not allow");
			allowed += always;
			cached += fast;
		}
	printf("built-in default: %zu syscalls always allowed on x86_64 and i386, %zu of them "
	       "by the kernel's action cache\n",
	       allowed, cached);
	ck_assert_uint_gt(allowed, 600);
	mr_filter_clear(&tree);
	mr_reduced_clear(&r);
	mr_profile_free(p);
}
END_TEST

START_TEST(test_default_size_and_time)
{
	struct mr_profile *p = NULL;
	struct mr_error err = {0};
	struct mr_reduce_env env;
	struct mr_reduced r = {0};
	ck_assert_int_eq(mr_profile_load_named(NULL, &p, &err), 0);
	ck_assert_int_eq(mr_reduce_env_host(TEST_CAPS_DOCKER, &env, &err), 0);
	ck_assert_int_eq(mr_profile_reduce(p, &env, &r, &err), 0);
	double ms[2];
	size_t n[2];
	for (int g = 0; g < 2; g++) {
		struct mr_filter_opts o = {.gen = g ? MR_GEN_RANGETREE : MR_GEN_LIBSECCOMP,
					   .quiet_unknown = true};
		double best = 1e9;
		for (int k = 0; k < 5; k++) {
			struct mr_filter f = {0};
			struct timespec a, b;
			clock_gettime(CLOCK_MONOTONIC, &a);
			ck_assert_msg(mr_filter_build(&r, &o, &f, &err) == 0, "%s", err.msg);
			clock_gettime(CLOCK_MONOTONIC, &b);
			double t = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
			best = t < best ? t : best;
			n[g] = f.n_insns;
			mr_filter_clear(&f);
		}
		ms[g] = best;
	}
	printf("built-in default, Docker's capabilities: libseccomp %zu instructions in %.3f ms, "
	       "range tree %zu instructions in %.3f ms (stub included)\n",
	       n[0], ms[0], n[1], ms[1]);
	/* The goal: at most half of libseccomp's program. */
	ck_assert_uint_le(2 * n[1], n[0]);
	mr_reduced_clear(&r);
	mr_profile_free(p);
}
END_TEST

START_TEST(test_fixtures)
{
	compare_dir(test_env_dir("MR_SECCOMP_DATA", "tests/data/seccomp"));
	report("tests/data/seccomp");
	compare_dir(test_env_dir("MR_EXAMPLES", "examples/profiles"));
	report("examples/profiles");
}
END_TEST

START_TEST(test_fuzz_corpus)
{
	char *dir = NULL;
	ck_assert_int_ge(
	    asprintf(&dir, "%s/tests/fuzz/corpus", test_env_dir("MINIRUN_SRCDIR", ".")), 0);
	compare_dir(dir);
	free(dir);
	report("tests/fuzz/corpus");
}
END_TEST

START_TEST(test_shared_profiles)
{
	const char *dir = test_shared_dir();
	compare_dir(dir);
	report("../shared/profiles");
	/* Docker's default of every vintage under the five capability sets. */
	char *moby = test_shared_profile("moby-moby_default.json");
	const mr_capset sets[] = {TEST_CAPS_DOCKER, mr_caps_all_known(), 0,
				  TEST_CAPS_DOCKER | MR_CAP_BIT(21)};
	for (size_t i = 0; i < MR_ARRAY_SIZE(sets); i++)
		compare_file(moby, sets[i]);
	free(moby);
	report("moby default, 4 capability sets");
}
END_TEST

static Suite *
rangetree_suite(void)
{
	Suite *s = suite_create("rangetree");
	TCase *tc = tcase_create("rangetree");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_default_capsets);
	tcase_add_test(tc, test_default_other_arches);
	tcase_add_test(tc, test_default_action_cache);
	tcase_add_test(tc, test_default_size_and_time);
	tcase_add_test(tc, test_fixtures);
	tcase_add_test(tc, test_fuzz_corpus);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
rangetree_shared_suite(void)
{
	Suite *s = suite_create("rangetree-shared");
	TCase *tc = tcase_create("shared profiles");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_shared_profiles);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	return test_main(argc, argv, rangetree_suite, rangetree_shared_suite);
}
