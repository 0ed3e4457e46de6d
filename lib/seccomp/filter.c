/* SPDX-License-Identifier: MIT */
/*
 * Reduced profile -> BPF program: minirun's range tree (rangetree.c) writes
 * it when it can reproduce libseccomp exactly, else libseccomp compiles the
 * rules the way runc and crun do and the program is exported into memory;
 * either way a runc-style ENOSYS stub is put in front of it.  Compiled programs are cached on disk,
 * keyed by a SHA-256 of everything that affects them, because libseccomp needs ~10 ms for Docker's
 * ~400 rules and minirun should not pay that on every start.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "config.h"
#include "seccomp/bpf-eval.h"
#include "seccomp/filter.h"
#include "seccomp/profile.h"
#include "seccomp/rangetree.h"
#include "seccomp/reduce.h"
#include "seccomp/sha256.h"
#include "common/util.h"

/* x32 shares AUDIT_ARCH_X86_64 with x86_64; its syscall numbers have this bit set. */
#define MR_X32_SYSCALL_BIT 0x40000000u

/* runc: libseccomp <= 2.5.4 misbehaves with the binary tree and no rules; 32 is runc's cut. */
#define MR_TREE_MIN_RULES 32

/* More than libseccomp has; a profile listing more repeats some. */
#define MR_STUB_MAX_ARCHES 40

/* --------------------------------------------------------------- compile */

struct names_list {
	char *buf; /* "a, b, c" */
	size_t len;
	size_t count;
};

static void
names_clear(struct names_list *l)
{
	free(l->buf);
}
#define cleanup_names __attribute__((cleanup(names_clear)))

static inline void
ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}
#define cleanup_scmp_ctx __attribute__((cleanup(ctx_releasep)))

static bool
names_has(const struct names_list *l, const char *name)
{
	size_t n = strlen(name);
	const char *p = l->buf;
	while (p != NULL && *p) {
		const char *end = strstr(p, ", ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && memcmp(p, name, n) == 0)
			return true;
		p = end ? end + 2 : NULL;
	}
	return false;
}

static int
names_add(struct names_list *l, const char *name)
{
	if (names_has(l, name))
		return 0;
	size_t n = strlen(name);
	char *nb = realloc(l->buf, l->len + n + 3);
	if (nb == NULL)
		return -1;
	l->buf = nb;
	if (l->len > 0) {
		memcpy(l->buf + l->len, ", ", 2);
		l->len += 2;
	}
	memcpy(l->buf + l->len, name, n + 1);
	l->len += n;
	l->count++;
	return 0;
}

static size_t
rule_index(const struct mr_reduced *r, const struct mr_prof_rule *rule)
{
	return (size_t)(rule - r->profile->rules);
}

static int
rule_error(const struct mr_reduced *r, const struct mr_prof_rule *rule, size_t name_i,
	   struct mr_error *err, int errnum, const char *why)
{
	struct mr_pos pos = rule->name_pos ? rule->name_pos[name_i] : rule->pos;
	if (pos.line == 0)
		pos = rule->pos;
	if (pos.line > 0)
		return mr_error_set(err, errnum,
				    "seccomp profile %s:%d:%d: syscalls[%zu]: %s \"%s\"",
				    r->profile->source, pos.line, pos.column, rule_index(r, rule),
				    why, rule->names[name_i]);
	return mr_error_set(err, errnum, "seccomp profile %s: syscalls[%zu]: %s \"%s\"",
			    r->profile->source, rule_index(r, rule), why, rule->names[name_i]);
}

static int
add_rule(scmp_filter_ctx ctx, const struct mr_reduced *r, const struct mr_prof_rule *rule,
	 size_t name_i, int nr, uint32_t action, struct mr_error *err)
{
	struct scmp_arg_cmp conds[6];
	bool seen[6] = {false};
	bool repeated = false;
	int rc;

	for (size_t i = 0; i < rule->n_args; i++) {
		if (seen[rule->args[i].index])
			repeated = true;
		seen[rule->args[i].index] = true;
	}
	if (!repeated && rule->n_args <= 6) {
		/* Distinct argument indexes: one rule, all comparisons must hold (AND). */
		for (size_t i = 0; i < rule->n_args; i++) {
			const struct mr_prof_arg *a = &rule->args[i];
			conds[i] = (struct scmp_arg_cmp){a->index, (enum scmp_compare)a->op,
							 a->value, a->value_two};
		}
		rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)rule->n_args, conds);
	} else {
		/*
		 * libseccomp refuses two comparisons of one argument in a rule (EINVAL);
		 * runc and crun then add every comparison as a rule of its own, so the
		 * entry matches when any of them holds (OR).
		 */
		rc = 0;
		for (size_t i = 0; i < rule->n_args && rc == 0; i++) {
			const struct mr_prof_arg *a = &rule->args[i];
			conds[0] = (struct scmp_arg_cmp){a->index, (enum scmp_compare)a->op,
							 a->value, a->value_two};
			rc = seccomp_rule_add_array(ctx, action, nr, 1, conds);
		}
	}
	if (rc == -EEXIST)
		return rule_error(r, rule, name_i, err, 0,
				  "conflicts with an earlier rule (same system call and arguments, "
				  "another action):");
	if (rc < 0)
		return rule_error(r, rule, name_i, err, -rc, "libseccomp cannot add the rule for");
	return 0;
}

/* libseccomp's program, exported through a memfd (2.5.4 has no seccomp_export_bpf_mem). */
static int
export_bpf(scmp_filter_ctx ctx, const char *source, struct sock_filter **insns, size_t *n,
	   struct mr_error *err)
{
	cleanup_close int fd = memfd_create("minirun-seccomp", MFD_CLOEXEC);
	struct stat st;
	int rc;

	if (fd < 0)
		return mr_error_set(err, errno, "seccomp profile %s: memfd_create", source);
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return mr_error_set(err, -rc, "seccomp profile %s: seccomp_export_bpf", source);
	if (fstat(fd, &st) < 0)
		return mr_error_set(err, errno, "seccomp profile %s: fstat", source);
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0)
		return mr_error_set(err, 0, "seccomp profile %s: libseccomp exported %lld bytes",
				    source, (long long)st.st_size);
	size_t len = (size_t)st.st_size;
	struct sock_filter *buf = malloc(len);
	if (buf == NULL)
		return mr_error_oomf(err, "seccomp profile %s", source);
	size_t got = 0;
	while (got < len) {
		ssize_t k = pread(fd, (char *)buf + got, len - got, (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			free(buf);
			return mr_error_set(err, k < 0 ? errno : EIO,
					    "seccomp profile %s: reading the exported filter",
					    source);
		}
		got += (size_t)k;
	}
	*insns = buf;
	*n = len / sizeof(struct sock_filter);
	return 0;
}

static size_t
count_names(const struct mr_reduced *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_rules; i++)
		n += r->rules[i]->n_names;
	return n;
}

/* Every rule's names, each added on its own (libseccomp works per syscall). */
static int
add_rules(scmp_filter_ctx ctx, const struct mr_reduced *r, struct names_list *unknown,
	  struct mr_error *err)
{
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct mr_prof_rule *rule = r->rules[i];
		uint32_t action = mr_act_value(rule->action, rule->errno_ret);
		/* libseccomp refuses it with EACCES; runc and crun skip it as redundant. */
		if (action == r->default_action)
			continue;
		for (size_t k = 0; k < rule->n_names; k++) {
			/* The native lookup also returns libseccomp's negative pseudo numbers for
			 * names that exist on another arch only (_llseek on x86_64), which
			 * seccomp_rule_add translates for the sub-architectures. */
			int nr = seccomp_syscall_resolve_name(rule->names[k]);
			if (nr == __NR_SCMP_ERROR) {
				if (names_add(unknown, rule->names[k]) < 0)
					return mr_error_oomf(err, "seccomp profile %s",
							     r->profile->source);
				continue;
			}
			if (add_rule(ctx, r, rule, k, nr, action, err) < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * The names add_rules would find unknown, without libseccomp's context: the
 * range tree's warnings and strict-mode errors are then the same.
 */
static int
collect_unknown(const struct mr_reduced *r, struct names_list *unknown, struct mr_error *err)
{
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct mr_prof_rule *rule = r->rules[i];
		if (mr_act_value(rule->action, rule->errno_ret) == r->default_action)
			continue;
		for (size_t k = 0; k < rule->n_names; k++)
			if (seccomp_syscall_resolve_name(rule->names[k]) == __NR_SCMP_ERROR &&
			    names_add(unknown, rule->names[k]) < 0)
				return mr_error_oomf(err, "seccomp profile %s", r->profile->source);
	}
	return 0;
}

/* The libseccomp context with every rule added; shared by compile and the PFC export. */
static int
build_ctx(const struct mr_reduced *r, scmp_filter_ctx *out, struct names_list *unknown,
	  struct mr_error *err)
{
	const char *src = r->profile->source;
	cleanup_scmp_ctx scmp_filter_ctx ctx = seccomp_init(r->default_action);

	*out = NULL;
	if (ctx == NULL)
		return mr_error_set(err, EINVAL, "seccomp profile %s: seccomp_init", src);
	/* libseccomp's default NNP=1 would make seccomp_load set no_new_privs behind the
	 * user's back; the launcher decides NNP, and we never call seccomp_load anyway. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0)
		return mr_error_set(err, 0, "seccomp profile %s: cannot clear SCMP_FLTATR_CTL_NNP",
				    src);
	if (count_names(r) > MR_TREE_MIN_RULES &&
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		return mr_error_set(err, 0, "seccomp profile %s: cannot enable the binary tree",
				    src);
	for (size_t i = 0; i < r->n_arches; i++) {
		int a = seccomp_arch_add(ctx, r->arches[i]);
		if (a < 0 && a != -EEXIST)
			return mr_error_set(
			    err, -a, "seccomp profile %s: adding architecture %s", src,
			    seccomp_arch_native() == r->arches[i] ? "(native)" : "");
	}
	if (add_rules(ctx, r, unknown, err) < 0)
		return -1;
	*out = mr_steal_pointer(&ctx);
	return 0;
}

static int
compile(const struct mr_reduced *r, struct sock_filter **insns, size_t *n_insns,
	struct names_list *unknown, struct mr_error *err)
{
	cleanup_scmp_ctx scmp_filter_ctx ctx = NULL;

	if (build_ctx(r, &ctx, unknown, err) < 0)
		return -1;
	return export_bpf(ctx, r->profile->source, insns, n_insns, err);
}

int
mr_filter_export_pfc(const struct mr_reduced *r, char **out, struct mr_error *err)
{
	cleanup_names struct names_list unknown = {0};
	cleanup_scmp_ctx scmp_filter_ctx ctx = NULL;
	const char *src = r->profile->source;

	*out = NULL;
	if (build_ctx(r, &ctx, &unknown, err) < 0)
		return -1;
	/* 2.5.4 has no in-memory export: go through a memfd, as export_bpf does. */
	cleanup_close int fd = memfd_create("minirun-pfc", MFD_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, errno, "seccomp profile %s: memfd_create", src);
	int e = seccomp_export_pfc(ctx, fd);
	if (e < 0)
		return mr_error_set(err, -e, "seccomp profile %s: seccomp_export_pfc", src);
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0 || size > 64 * 1024 * 1024)
		return mr_error_set(err, size < 0 ? errno : EFBIG, "seccomp profile %s: PFC export",
				    src);
	cleanup_free char *buf = malloc((size_t)size + 1);
	if (buf == NULL)
		return mr_error_oomf(err, "seccomp profile %s", src);
	size_t got = 0;
	while (got < (size_t)size) {
		ssize_t k = pread(fd, buf + got, (size_t)size - got, (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return mr_error_set(err, k < 0 ? errno : EIO,
					    "seccomp profile %s: PFC export", src);
		got += (size_t)k;
	}
	buf[got] = '\0';
	*out = mr_steal_pointer(&buf);
	return 0;
}

/* ------------------------------------------------------------ ENOSYS stub */

/*
 * Why: a profile written before a syscall existed denies it with the default
 * errno (usually EPERM), and glibc only falls back (clone3 -> clone,
 * faccessat2 -> faccessat) on ENOSYS.  Like runc's patchbpf, syscall numbers
 * above a per-architecture ceiling get ENOSYS before libseccomp's program
 * runs.  The stub only loads arch and nr, so the kernel's constant-action
 * cache (5.11+) still works.
 */

struct stub_section {
	uint32_t audit;	  /* AUDIT_ARCH_* value in seccomp_data.arch */
	int64_t max_main; /* -1: no name resolves, or the arch is not in the filter */
	int64_t max_x32;  /* x86_64 section only */
	bool has_main;
	bool has_x32;
	bool s390; /* s390 or s390x, and nr 0 is the profile's default there */
};

static bool
allow_like(enum mr_act act)
{
	/* runc's isAllowAction: a stub in front of these would deny what they let through. */
	return act == MR_ACT_ALLOW || act == MR_ACT_LOG || act == MR_ACT_TRACE;
}

static int64_t
max_named_nr(const struct mr_reduced *r, uint32_t arch)
{
	int64_t max = -1;
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct mr_prof_rule *rule = r->rules[i];
		for (size_t k = 0; k < rule->n_names; k++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, rule->names[k]);
			if (nr >= 0 && nr > max)
				max = nr;
		}
	}
	return max;
}

/*
 * The ceiling is the higher of two numbers:
 *
 * - the highest number the profile's names resolve to on arch, whatever their
 *   action, as in runc: a rule with the default's own action is not in
 *   libseccomp's program (add_rules skips it), yet the profile decided it;
 *
 * - the highest number for which libseccomp's compiled program answers
 *   anything but the default action on arch, found by following the program
 *   itself (mr_bpf_max_nr_not).  Names alone miss what libseccomp adds: on
 *   i386 (and s390) a rule for semget or socket also matches the direct
 *   syscall (393, 359), numbers higher than ipc(2) and socketcall(2), which
 *   are all the name lookup returns.  Asking the program rather than
 *   re-deriving libseccomp's multiplexer rules covers every such case, in
 *   this libseccomp and the next, so the stub cannot answer ENOSYS where a
 *   rule decided.
 *
 * Only the numbers a syscall can have on arch are followed: x86_64 routes
 * nr with the x32 bit to x32's ceiling, and negative numbers (-1 skips the
 * call under a tracer) get ENOSYS from the stub as they always did.
 */
int64_t
mr_filter_stub_ceiling(const struct mr_reduced *r, const struct sock_filter *prog, size_t n,
		       uint32_t arch)
{
	uint32_t audit = arch == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : arch;
	uint32_t lo = 0, hi = INT32_MAX;
	int64_t decided;

	if (arch == SCMP_ARCH_X86_64)
		hi = MR_X32_SYSCALL_BIT - 1;
	else if (arch == SCMP_ARCH_X32)
		lo = MR_X32_SYSCALL_BIT;
	int64_t max = max_named_nr(r, arch);
	/* A program the walk cannot follow (libseccomp's never are): no ENOSYS for
	 * any real number on arch rather than one that might hide a rule. */
	if (mr_bpf_max_nr_not(prog, n, audit, lo, hi, r->default_action, &decided) < 0)
		decided = hi;
	return decided > max ? decided : max;
}

static size_t
section_len(const struct stub_section *s)
{
	if (s->audit == SCMP_ARCH_X86_64)
		return 6; /* ld arch, jeq, ld nr, jset, x86_64 check, x32 check */
	return 4 + (s->s390 ? 1 : 0);
}

/*
 * One section per audit arch the filter will see (x32 shares x86_64's), with
 * its ceiling (prog: libseccomp's program).  Returns how many there are; an
 * arch on which the profile decides nothing gets none.
 */
static size_t
plan_sections(const struct mr_reduced *r, const struct sock_filter *prog, size_t n,
	      struct stub_section secs[MR_STUB_MAX_ARCHES])
{
	uint32_t arches[MR_STUB_MAX_ARCHES];
	size_t n_arches = 0, n_secs = 0;

	/* The native arch is always in libseccomp's filter, even when the profile's
	 * list lacks it (runc PR #4219). */
	arches[n_arches++] = seccomp_arch_native();
	for (size_t i = 0; i < r->n_arches && n_arches < MR_ARRAY_SIZE(arches); i++) {
		bool dup = false;
		for (size_t k = 0; k < n_arches; k++)
			dup = dup || arches[k] == r->arches[i];
		if (!dup)
			arches[n_arches++] = r->arches[i];
	}
	for (size_t i = 0; i < n_arches; i++) {
		uint32_t audit = arches[i] == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : arches[i];
		struct stub_section *s = NULL;
		for (size_t k = 0; k < n_secs; k++)
			if (secs[k].audit == audit)
				s = &secs[k];
		if (s == NULL) {
			s = &secs[n_secs++];
			*s = (struct stub_section){.audit = audit, .max_main = -1, .max_x32 = -1};
			s->s390 = audit == SCMP_ARCH_S390 || audit == SCMP_ARCH_S390X;
			/* The nr 0 check below must not override a rule either (nor guess
			 * when the program cannot be followed). */
			int64_t zero = -1;
			if (s->s390 && (mr_bpf_max_nr_not(prog, n, audit, 0, 0, r->default_action,
							  &zero) < 0 ||
					zero >= 0))
				s->s390 = false;
		}
		int64_t max = mr_filter_stub_ceiling(r, prog, n, arches[i]);
		if (arches[i] == SCMP_ARCH_X32) {
			s->has_x32 = max >= 0;
			s->max_x32 = max;
		} else {
			s->has_main = max >= 0;
			s->max_main = max;
		}
	}
	size_t keep = 0;
	for (size_t i = 0; i < n_secs; i++)
		if (secs[i].has_main || secs[i].has_x32)
			secs[keep++] = secs[i];
	return keep;
}

/*
 * One section at p[*pc]: ENOSYS above the highest known number, else on to
 * libseccomp's program at filter.  Jump offsets are relative to the next
 * instruction.
 */
static int
emit_section(struct sock_filter *p, size_t *pcp, const struct stub_section *s, size_t enosys,
	     size_t filter, struct mr_error *err)
{
	size_t pc = *pcp;
	size_t end = pc + section_len(s);
#define OFF(target) ((uint8_t)((target) - (pc + 1)))
	p[pc] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, arch));
	pc++;
	p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, s->audit, 0, OFF(end));
	pc++;
	p[pc] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					     offsetof(struct seccomp_data, nr));
	pc++;
	if (s->audit == SCMP_ARCH_X86_64) {
		p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MR_X32_SYSCALL_BIT,
						     1, 0);
		pc++;
		/* Without x32 (or x86_64) in the filter its calls go to libseccomp's
		 * program, which applies the bad-arch action. */
		if (s->has_main)
			p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K,
							     (uint32_t)s->max_main, OFF(enosys),
							     OFF(filter));
		else
			p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA,
							     (uint32_t)(filter - (pc + 1)), 0, 0);
		pc++;
		if (s->has_x32)
			p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K,
							     (uint32_t)s->max_x32, OFF(enosys),
							     OFF(filter));
		else
			p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA,
							     (uint32_t)(filter - (pc + 1)), 0, 0);
		pc++;
	} else {
		if (s->s390) {
			/* runc PR #3478: nr 0 on s390 multiplexes large numbers; new
			 * syscalls reached through it must see ENOSYS as well. */
			p[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0,
							     OFF(enosys), 0);
			pc++;
		}
		p[pc] = (struct sock_filter)BPF_JUMP(
		    BPF_JMP | BPF_JGT | BPF_K, (uint32_t)s->max_main, OFF(enosys), OFF(filter));
		pc++;
	}
#undef OFF
	*pcp = pc;
	if (pc != end || filter - pc > 255)
		return mr_error_set(err, 0, "seccomp stub: internal error (jump too long)");
	return 0;
}

static int
build_stub(const struct mr_reduced *r, const struct sock_filter *prog, size_t n,
	   struct sock_filter **out, size_t *n_out, struct mr_error *err)
{
	struct stub_section secs[MR_STUB_MAX_ARCHES];

	*out = NULL;
	*n_out = 0;
	if (allow_like(r->default_act) || r->default_action == SCMP_ACT_ERRNO(ENOSYS))
		return 0;
	size_t n_secs = plan_sections(r, prog, n, secs);
	if (n_secs == 0)
		return 0;

	size_t total = 2; /* ja over the ret, ret ENOSYS */
	for (size_t i = 0; i < n_secs; i++)
		total += section_len(&secs[i]);
	cleanup_free struct sock_filter *p = calloc(total, sizeof(*p));
	if (p == NULL)
		return mr_error_oom(err, "seccomp stub");
	const size_t enosys = total - 1, filter = total;
	size_t pc = 0;
	for (size_t i = 0; i < n_secs; i++)
		if (emit_section(p, &pc, &secs[i], enosys, filter, err) < 0)
			return -1;
	p[pc++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0);
	p[pc++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	*out = mr_steal_pointer(&p);
	*n_out = total;
	return 0;
}

/* ------------------------------------------------------------------ cache */

/*
 * Cache entries live in a directory owned by the caller with mode 0700, so
 * only the caller (or root) can plant one; the SHA-256 key makes a colliding
 * entry infeasible anyway.  Layout (host byte order, the cache is per host):
 *   header | unknown-names text padded to 8 | struct sock_filter[n_insns]
 * The header repeats the key and carries a SHA-256 of the payload, so a
 * truncated or corrupt entry is detected and recompiled.
 */

#define MR_CACHE_MAGIC	 "MRSCBPF\0"
#define MR_CACHE_VERSION 1u
#define MR_CACHE_MAX	 (1024 * 1024)

struct cache_hdr {
	char magic[8];
	uint32_t version;
	uint32_t flags;
	uint32_t n_insns;
	uint32_t n_stub;
	uint32_t unknown_len;
	uint32_t unknown_count;
	uint8_t key[32];
	uint8_t payload_sha[32];
};

_Static_assert(sizeof(struct cache_hdr) % 8 == 0, "cache header keeps the payload aligned");

static size_t
pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static void
hash_u64(struct mr_sha256 *s, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	mr_sha256_update(s, b, 8);
}

static void
hash_str(struct mr_sha256 *s, const char *str)
{
	size_t n = str ? strlen(str) : 0;
	hash_u64(s, n);
	mr_sha256_update(s, str ? str : "", n);
}

int
mr_filter_cache_key(const struct mr_reduced *r, const struct mr_filter_opts *opts, uint8_t key[32],
		    struct mr_error *err)
{
	struct mr_sha256 s;
	struct utsname u;
	const struct scmp_version *v = seccomp_version();

	if (uname(&u) < 0)
		return mr_error_set(err, errno, "seccomp: uname");
	mr_sha256_init(&s);
	/* Every field is length- or count-prefixed so no two inputs serialise alike. */
	/* v2: the stub's ceiling also covers the numbers libseccomp adds (entries of
	 * v1 carry a stub that can override rules).  The ceiling depends only on
	 * the rules, the arches, libseccomp and the native arch, all hashed below. */
	/* v3: the range tree writes most programs; its version and the choice count. */
	hash_str(&s, "minirun seccomp cache key v3");
	hash_str(&s, MINIRUN_VERSION);
	hash_str(&s, MR_RANGETREE_VERSION);
	hash_u64(&s, opts->gen);
	hash_u64(&s, v->major);
	hash_u64(&s, v->minor);
	hash_u64(&s, v->micro);
	hash_str(&s, u.release);
	hash_str(&s, u.machine);
	hash_u64(&s, seccomp_arch_native());
	hash_u64(&s, opts->strict);
	hash_u64(&s, opts->quiet_unknown);
	hash_u64(&s, r->default_action);
	hash_u64(&s, r->flags);
	hash_u64(&s, r->n_arches);
	for (size_t i = 0; i < r->n_arches; i++)
		hash_u64(&s, r->arches[i]);
	hash_u64(&s, r->n_rules);
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct mr_prof_rule *rule = r->rules[i];
		/* The full action value: it carries errnoRet (crun once forgot that). */
		hash_u64(&s, mr_act_value(rule->action, rule->errno_ret));
		hash_u64(&s, rule->n_names);
		for (size_t k = 0; k < rule->n_names; k++)
			hash_str(&s, rule->names[k]);
		hash_u64(&s, rule->n_args);
		for (size_t k = 0; k < rule->n_args; k++) {
			hash_u64(&s, rule->args[k].index);
			hash_u64(&s, (uint64_t)rule->args[k].op);
			hash_u64(&s, rule->args[k].value);
			hash_u64(&s, rule->args[k].value_two);
		}
	}
	mr_sha256_final(&s, key);
	return 0;
}

static int
mkdir_private(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

int
mr_filter_cache_dir(char **out)
{
	const char *env = getenv("MINIRUN_SECCOMP_CACHE");
	const char *base;
	char *r = NULL;

	*out = NULL;
	if (env != NULL && strcmp(env, "0") == 0)
		return 0;
	if (env != NULL && env[0] == '/') {
		*out = strdup(env);
		return *out ? 0 : -1;
	}
	if (geteuid() == 0) {
		/* Persistent like any cache; entries for an old kernel or libseccomp are
		 * simply never looked up again (both are part of the key). */
		*out = strdup("/var/cache/minirun/seccomp");
		return *out ? 0 : -1;
	}
	base = getenv("XDG_CACHE_HOME");
	if (base != NULL && base[0] == '/') {
		if (asprintf(&r, "%s/minirun/seccomp", base) < 0)
			return -1;
	} else {
		base = getenv("HOME");
		if (base == NULL || base[0] != '/')
			return 0;
		if (asprintf(&r, "%s/.cache/minirun/seccomp", base) < 0)
			return -1;
	}
	*out = r;
	return 0;
}

/* Create the missing components (0700) and open the directory if it is safe to use. */
static int
cache_open_dir(const char *dir)
{
	cleanup_free char *path = strdup(dir);
	struct stat st;

	if (path == NULL)
		return -1;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir_private(path) < 0)
			return -1;
		*p = '/';
	}
	if (mkdir_private(path) < 0)
		return -1;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
key_hex(const uint8_t key[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[key[i] >> 4];
		out[2 * i + 1] = hex[key[i] & 15];
	}
	out[64] = '\0';
}

static int
read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t k = read(fd, (char *)buf + got, len - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t k = write(fd, (const char *)buf + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		done += (size_t)k;
	}
	return 0;
}

/* 1: hit (out and *unknown filled), 0: miss or unusable entry. */
static int
cache_load(int dirfd, const uint8_t key[32], struct mr_filter *out, struct names_list *unknown)
{
	char name[70];
	struct stat st;
	struct cache_hdr h;
	uint8_t sha[32];

	key_hex(key, name);
	strcat(name, ".bpf");
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_size < (off_t)sizeof(h) || st.st_size > MR_CACHE_MAX || st.st_size % 8 != 0)
		return 0;
	size_t size = (size_t)st.st_size;
	cleanup_free uint8_t *buf = malloc(size);
	if (buf == NULL || read_all(fd, buf, size) < 0)
		return 0;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, MR_CACHE_MAGIC, 8) != 0 || h.version != MR_CACHE_VERSION ||
	    memcmp(h.key, key, 32) != 0 || h.n_insns == 0 || h.n_insns > BPF_MAXINSNS ||
	    h.n_stub > h.n_insns || h.unknown_len > MR_CACHE_MAX)
		return 0;
	size_t text = pad8(h.unknown_len);
	if (size != sizeof(h) + text + (size_t)h.n_insns * sizeof(struct sock_filter))
		return 0;
	mr_sha256(buf + sizeof(h), size - sizeof(h), sha);
	if (memcmp(sha, h.payload_sha, 32) != 0)
		return 0;
	const char *names = (const char *)buf + sizeof(h);
	if (h.unknown_len > 0 && memchr(names, '\0', h.unknown_len) != NULL)
		return 0;
	struct sock_filter *insns = malloc((size_t)h.n_insns * sizeof(*insns));
	char *nb = malloc((size_t)h.unknown_len + 1);
	if (insns == NULL || nb == NULL) {
		free(insns);
		free(nb);
		return 0;
	}
	memcpy(insns, buf + sizeof(h) + text, (size_t)h.n_insns * sizeof(*insns));
	memcpy(nb, names, h.unknown_len);
	nb[h.unknown_len] = '\0';
	out->insns = insns;
	out->n_insns = h.n_insns;
	out->n_stub = h.n_stub;
	out->flags = h.flags;
	out->from_cache = true;
	free(unknown->buf);
	unknown->buf = h.unknown_len ? nb : NULL;
	if (!h.unknown_len)
		free(nb);
	unknown->len = h.unknown_len;
	unknown->count = h.unknown_count;
	return 1;
}

/* Best effort: a cache that cannot be written only costs the next start a compile. */
static void
cache_store(int dirfd, const uint8_t key[32], const struct mr_filter *f,
	    const struct names_list *unknown)
{
	char name[70], tmp[128];
	struct cache_hdr h;
	size_t text = pad8(unknown->len);
	size_t size = sizeof(h) + text + f->n_insns * sizeof(struct sock_filter);

	cleanup_free uint8_t *buf = calloc(1, size);
	if (buf == NULL)
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MR_CACHE_MAGIC, 8);
	h.version = MR_CACHE_VERSION;
	h.flags = f->flags;
	h.n_insns = (uint32_t)f->n_insns;
	h.n_stub = (uint32_t)f->n_stub;
	h.unknown_len = (uint32_t)unknown->len;
	h.unknown_count = (uint32_t)unknown->count;
	memcpy(h.key, key, 32);
	if (unknown->len)
		memcpy(buf + sizeof(h), unknown->buf, unknown->len);
	memcpy(buf + sizeof(h) + text, f->insns, f->n_insns * sizeof(struct sock_filter));
	mr_sha256(buf + sizeof(h), size - sizeof(h), h.payload_sha);
	memcpy(buf, &h, sizeof(h));

	key_hex(key, name);
	strcat(name, ".bpf");
	snprintf(tmp, sizeof(tmp), ".tmp-%.16s-%ld", name, (long)getpid());
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* Left over by a process with our pid that died mid-write. */
		unlinkat(dirfd, tmp, 0);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return;
	int ok = write_all(fd, buf, size);
	if (close(fd) < 0)
		ok = -1;
	/* rename is atomic: readers see the old entry, no entry, or the whole new one. */
	if (ok < 0 || renameat(dirfd, tmp, dirfd, name) < 0)
		unlinkat(dirfd, tmp, 0);
}

int
mr_filter_cache_get(const char *cache_dir, const uint8_t key[32], struct mr_filter *out)
{
	cleanup_names struct names_list unknown = {0};
	memset(out, 0, sizeof(*out));
	if (cache_dir == NULL)
		return 0;
	cleanup_close int dirfd = cache_open_dir(cache_dir);
	if (dirfd < 0)
		return 0;
	return cache_load(dirfd, key, out, &unknown);
}

void
mr_filter_cache_put(const char *cache_dir, const uint8_t key[32], const struct mr_filter *f)
{
	struct names_list none = {0};
	if (cache_dir == NULL)
		return;
	cleanup_close int dirfd = cache_open_dir(cache_dir);
	if (dirfd >= 0)
		cache_store(dirfd, key, f, &none);
}

/* ------------------------------------------------------------------ build */

void
mr_filter_clear(struct mr_filter *f)
{
	free(f->insns);
	mr_strv_clear(&f->warnings);
	memset(f, 0, sizeof(*f));
}

static int
prepend_stub(const struct mr_reduced *r, struct mr_filter *out, struct mr_error *err)
{
	cleanup_free struct sock_filter *stub = NULL;
	size_t n_stub = 0;

	if (build_stub(r, out->insns, out->n_insns, &stub, &n_stub, err) < 0)
		return -1;
	if (n_stub == 0)
		return 0;
	struct sock_filter *all = malloc((n_stub + out->n_insns) * sizeof(*all));
	if (all == NULL)
		return mr_error_oom(err, "seccomp stub");
	memcpy(all, stub, n_stub * sizeof(*all));
	memcpy(all + n_stub, out->insns, out->n_insns * sizeof(*all));
	free(out->insns);
	out->insns = all;
	out->n_insns += n_stub;
	out->n_stub = n_stub;
	return 0;
}

/*
 * The range tree when it can (microseconds, about a third of libseccomp's
 * instructions), else libseccomp.  A rule libseccomp would refuse (a
 * conflict) is one the range tree declines, so errors stay libseccomp's.
 */
static int
generate(const struct mr_reduced *r, enum mr_filter_gen gen, struct mr_filter *f,
	 struct names_list *unknown, struct mr_error *err)
{
	if (gen != MR_GEN_LIBSECCOMP) {
		const char *why = NULL;
		int rc = mr_rangetree_build(r, &f->insns, &f->n_insns, &why, err);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			f->rangetree = true;
			return collect_unknown(r, unknown, err);
		}
		if (gen == MR_GEN_RANGETREE)
			return mr_error_set(err, ENOTSUP,
					    "seccomp profile %s: the range tree "
					    "cannot reproduce it: %s",
					    r->profile->source, why ? why : "?");
	}
	return compile(r, &f->insns, &f->n_insns, unknown, err);
}

/* Compile, put the stub in front, and check the kernel's size limit. */
static int
compile_with_stub(const struct mr_reduced *r, enum mr_filter_gen gen, struct mr_filter *f,
		  struct names_list *unknown, struct mr_error *err)
{
	f->flags = r->flags;
	if (generate(r, gen, f, unknown, err) < 0)
		return -1;
	if (prepend_stub(r, f, err) < 0)
		return -1;
	if (f->n_insns > BPF_MAXINSNS)
		return mr_error_set(err, 0,
				    "seccomp profile %s: the filter has %zu BPF instructions, the "
				    "kernel accepts at most %d",
				    r->profile->source, f->n_insns, BPF_MAXINSNS);
	return 0;
}

int
mr_filter_build(const struct mr_reduced *r, const struct mr_filter_opts *opts,
		struct mr_filter *out, struct mr_error *err)
{
	cleanup_names struct names_list unknown = {0};
	cleanup_filter struct mr_filter f = {0};
	uint8_t key[32];
	cleanup_close int dirfd = -1;
	const char *src = r->profile->source;
	const struct scmp_version *v = seccomp_version();

	memset(out, 0, sizeof(*out));
	if (opts->cache_dir != NULL) {
		if (mr_filter_cache_key(r, opts, key, err) < 0)
			return -1;
		dirfd = cache_open_dir(opts->cache_dir);
	}
	if (dirfd < 0 || cache_load(dirfd, key, &f, &unknown) != 1) {
		if (compile_with_stub(r, opts->gen, &f, &unknown, err) < 0)
			return -1;
		if (!(opts->strict && unknown.count > 0) && dirfd >= 0)
			cache_store(dirfd, key, &f, &unknown);
	}
	if (unknown.count > 0 && opts->strict)
		return mr_error_set(err, 0,
				    "seccomp profile %s: %zu system call name%s unknown to "
				    "libseccomp %u.%u.%u (strict mode): %s",
				    src, unknown.count, unknown.count == 1 ? " is" : "s are",
				    v->major, v->minor, v->micro, unknown.buf);
	if (unknown.count > 0 && !opts->quiet_unknown &&
	    mr_strv_addf(&f.warnings,
			 "seccomp profile %s: %zu system call name%s unknown to libseccomp "
			 "%u.%u.%u, skipped: %s",
			 src, unknown.count, unknown.count == 1 ? "" : "s", v->major, v->minor,
			 v->micro, unknown.buf) < 0)
		return mr_error_oomf(err, "seccomp profile %s", src);
	*out = f;
	memset(&f, 0, sizeof(f));
	return 0;
}
