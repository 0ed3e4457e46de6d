/* SPDX-License-Identifier: MIT */
/*
 * Reduced rules -> BPF without libseccomp's code generator.
 *
 * Why: libseccomp spends ~17 ms on Docker's default and emits ~1250
 * instructions, mostly one JEQ per syscall.  Most syscalls share an
 * unconditional outcome with their neighbours, so per architecture the
 * numbers form a few dozen contiguous ranges; a binary search over the range
 * boundaries (JGE) reaches each in ~log2(ranges) jumps.  Syscalls with
 * argument checks end in a block of comparisons of their own.  The idea is
 * that of Chromium's and gVisor's seccomp compilers; the code is minirun's.
 *
 * What the program decides must be what libseccomp's decides, so the
 * semantics follow libseccomp 2.5 where it has its own (the unit tests
 * compare the two with bpf-eval on every arch, number and argument class):
 *  - a name is resolved per architecture with libseccomp's tables; on x86 the
 *    socket and SysV IPC calls are also matched through socketcall(2) and
 *    ipc(2), with the first argument replaced by the call's code;
 *  - comparisons on 32-bit architectures look at the low 32 bits only;
 *  - rules that repeat an argument index are ORed (filter.c's add_rule);
 *  - a rule with the default action is left out, as runc and crun do.
 * Whatever it does not reproduce with certainty -- another arch, actions
 * that conflict on one syscall, 64-bit values on a 32-bit arch -- it
 * declines, and filter.c asks libseccomp instead.
 *
 * The program is written backwards, from its last instruction to its first
 * (like Chromium's CodeGen): every jump goes forward, so when it is written
 * its target already has a position and the 8-bit offsets of JEQ/JGT/JGE are
 * known at once; a target beyond 255 gets a JA trampoline, and a RET is
 * simply repeated where the last copy is out of reach.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "seccomp/profile.h"
#include "seccomp/rangetree.h"
#include "seccomp/reduce.h"
#include "common/util.h"

#define X32_BIT 0x40000000u
/* libseccomp's attribute default (SCMP_FLTATR_ACT_BADARCH): kill the thread. */
#define BADARCH	     SECCOMP_RET_KILL_THREAD
#define MAX_SECTIONS 8
#define MAX_CONDS    6

/* ----------------------------------------------------------- the rules */

struct cond {
	unsigned index;
	int op;
	uint64_t a, b; /* libseccomp's datum_a, datum_b (MASKED_EQ: mask, value) */
};

/* One libseccomp rule on one syscall of one arch: all conds must hold. */
struct item {
	uint32_t nr;
	uint32_t action;
	size_t seq; /* insertion order: keeps the output deterministic */
	bool is32;  /* compare low words only (x32 shares x86_64's section but not this) */
	unsigned n_conds;
	struct cond conds[MAX_CONDS];
};

struct section {
	uint32_t audit;
	bool has_main, has_x32;
	struct item *items;
	size_t n_items, cap;
};

struct gen {
	const struct mr_reduced *r;
	struct section secs[MAX_SECTIONS];
	size_t n_secs;
	size_t seq;
	const char *why;
};

static int
sec_add(struct section *s, const struct item *it)
{
	if (s->n_items == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct item *v = realloc(s->items, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		s->items = v;
		s->cap = cap;
	}
	s->items[s->n_items++] = *it;
	return 0;
}

/*
 * The architectures minirun reproduces libseccomp on (little endian, known
 * layout).  x32 shares x86_64's audit arch (and section) but libseccomp
 * treats it as 32-bit: its comparisons look at the low words only.
 */
static bool
arch_info(uint32_t token, uint32_t *audit)
{
	switch (token) {
	case SCMP_ARCH_X86_64:
	case SCMP_ARCH_X32:
		*audit = AUDIT_ARCH_X86_64;
		return true;
	case SCMP_ARCH_X86:
		*audit = AUDIT_ARCH_I386;
		return true;
	case SCMP_ARCH_AARCH64:
		*audit = AUDIT_ARCH_AARCH64;
		return true;
	case SCMP_ARCH_ARM:
		*audit = AUDIT_ARCH_ARM;
		return true;
	case SCMP_ARCH_RISCV64:
		*audit = AUDIT_ARCH_RISCV64;
		return true;
	default:
		return false;
	}
}

/*
 * x86's multiplexed calls: libseccomp resolves them to pseudo numbers
 * (-101..-120 socketcall, -201..-224 ipc) and adds the rule twice: on the
 * multiplexer with argument 0 == the call's code, and on the direct syscall
 * (Linux 4.3+) where there is one.  Returns the direct number or -1.
 */
static int
x86_direct(int pseudo)
{
	static const struct {
		int pseudo, nr;
	} t[] = {
	    {-101, 359}, {-102, 361}, {-103, 362}, {-104, 363}, {-106, 367}, {-107, 368},
	    {-108, 360}, {-111, 369}, {-112, 371}, {-113, 373}, {-114, 366}, {-115, 365},
	    {-116, 370}, {-117, 372}, {-118, 364}, {-119, 337}, {-120, 345}, {-202, 393},
	    {-203, 394}, {-211, 400}, {-212, 401}, {-213, 399}, {-214, 402}, {-221, 397},
	    {-222, 398}, {-223, 395}, {-224, 396},
	};
	for (size_t i = 0; i < MR_ARRAY_SIZE(t); i++)
		if (t[i].pseudo == pseudo)
			return t[i].nr;
	return -1;
}

static bool
action_ok(uint32_t a)
{
	switch (a & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return true;
	default:
		/* USER_NOTIF and the rest: libseccomp has its own checks. */
		return false;
	}
}

/* One libseccomp rule (conds ANDed) on name for every section. */
static int
add_one(struct gen *g, const char *name, uint32_t action, const struct cond *conds, unsigned n)
{
	for (size_t s = 0; s < g->n_secs; s++) {
		struct section *sec = &g->secs[s];
		uint32_t tokens[2];
		size_t nt = 0;
		if (sec->audit == AUDIT_ARCH_X86_64) {
			if (sec->has_main)
				tokens[nt++] = SCMP_ARCH_X86_64;
			if (sec->has_x32)
				tokens[nt++] = SCMP_ARCH_X32;
		} else {
			tokens[nt++] = sec->audit == AUDIT_ARCH_I386	  ? SCMP_ARCH_X86
				       : sec->audit == AUDIT_ARCH_ARM	  ? SCMP_ARCH_ARM
				       : sec->audit == AUDIT_ARCH_AARCH64 ? SCMP_ARCH_AARCH64
									  : SCMP_ARCH_RISCV64;
		}
		for (size_t t = 0; t < nt; t++) {
			bool is32 = tokens[t] != SCMP_ARCH_X86_64 &&
				    tokens[t] != SCMP_ARCH_AARCH64 &&
				    tokens[t] != SCMP_ARCH_RISCV64;
			struct item it = {.action = action, .n_conds = n, .is32 = is32};
			memcpy(it.conds, conds, n * sizeof(*conds));
			if (is32)
				for (unsigned k = 0; k < n; k++)
					/* libseccomp 2.5 refuses or truncates these: not ours to
					 * guess. */
					if (conds[k].a > UINT32_MAX || conds[k].b > UINT32_MAX) {
						g->why = "a 64-bit value on a 32-bit architecture";
						return 0;
					}
			int nr = seccomp_syscall_resolve_name_arch(tokens[t], name);
			bool mux = tokens[t] == SCMP_ARCH_X86 &&
				   ((nr <= -101 && nr >= -120) || (nr <= -201 && nr >= -224));
			if (nr < 0 && !mux)
				continue; /* not on this arch: libseccomp skips it too */
			if (mux) {
				/* The multiplexer: argument 0 is the call's code. */
				struct item m = {
				    .action = action, .nr = nr > -200 ? 102 : 117, .is32 = true};
				m.conds[m.n_conds++] =
				    (struct cond){0, SCMP_CMP_EQ, (uint32_t)(-nr % 100), 0};
				for (unsigned k = 0; k < n; k++)
					if (conds[k].index != 0)
						m.conds[m.n_conds++] = conds[k];
				m.seq = g->seq++;
				if (sec_add(sec, &m) < 0)
					return -1;
				nr = x86_direct(nr);
				if (nr < 0)
					continue;
			}
			it.nr = (uint32_t)nr;
			it.seq = g->seq++;
			if (sec_add(sec, &it) < 0)
				return -1;
		}
	}
	return 1;
}

/* A profile rule as filter.c's add_rule gives it to libseccomp: AND, or OR per comparison. */
static int
add_rule(struct gen *g, const struct mr_prof_rule *rule, const char *name, uint32_t action)
{
	struct cond c[MAX_CONDS];
	bool seen[MAX_CONDS] = {false}, repeated = false;

	for (size_t i = 0; i < rule->n_args; i++) {
		if (rule->args[i].index >= MAX_CONDS) {
			g->why = "an argument index above 5";
			return 0;
		}
		repeated = repeated || seen[rule->args[i].index];
		seen[rule->args[i].index] = true;
	}
	for (size_t i = 0; i < rule->n_args; i++) {
		const struct mr_prof_arg *a = &rule->args[i];
		if (a->op < SCMP_CMP_NE || a->op > SCMP_CMP_MASKED_EQ) {
			g->why = "an unknown comparison";
			return 0;
		}
		if (i < MAX_CONDS)
			c[i] = (struct cond){a->index, a->op, a->value, a->value_two};
	}
	if (!repeated)
		return add_one(g, name, action, c, (unsigned)rule->n_args);
	for (size_t i = 0; i < rule->n_args; i++) {
		struct cond one = {rule->args[i].index, rule->args[i].op, rule->args[i].value,
				   rule->args[i].value_two};
		int k = add_one(g, name, action, &one, 1);
		if (k <= 0)
			return k;
	}
	return 1;
}

static int
plan(struct gen *g)
{
	const struct mr_reduced *r = g->r;
	uint32_t tokens[MAX_SECTIONS * 2];
	size_t nt = 0;

	tokens[nt++] = seccomp_arch_native();
	for (size_t i = 0; i < r->n_arches; i++) {
		bool dup = false;
		for (size_t k = 0; k < nt; k++)
			dup = dup || tokens[k] == r->arches[i];
		if (dup)
			continue;
		if (nt == MR_ARRAY_SIZE(tokens)) {
			g->why = "too many architectures";
			return 0;
		}
		tokens[nt++] = r->arches[i];
	}
	for (size_t i = 0; i < nt; i++) {
		uint32_t audit;
		if (!arch_info(tokens[i], &audit)) {
			g->why = "an architecture the generator does not know";
			return 0;
		}
		struct section *s = NULL;
		for (size_t k = 0; k < g->n_secs; k++)
			if (g->secs[k].audit == audit)
				s = &g->secs[k];
		if (s == NULL) {
			s = &g->secs[g->n_secs++];
			s->audit = audit;
		}
		if (tokens[i] == SCMP_ARCH_X32)
			s->has_x32 = true;
		else
			s->has_main = true;
	}
	if (!action_ok(r->default_action)) {
		g->why = "the default action";
		return 0;
	}
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct mr_prof_rule *rule = r->rules[i];
		uint32_t action = mr_act_value(rule->action, rule->errno_ret);
		if (action == r->default_action)
			continue; /* as filter.c's add_rules */
		if (!action_ok(action)) {
			g->why = "an action the generator does not emit";
			return 0;
		}
		for (size_t k = 0; k < rule->n_names; k++) {
			/* filter.c resolves natively first: unknown there, skipped everywhere. */
			if (seccomp_syscall_resolve_name(rule->names[k]) == __NR_SCMP_ERROR)
				continue;
			int rc = add_rule(g, rule, rule->names[k], action);
			if (rc <= 0)
				return rc;
		}
	}
	return 1;
}

/* ----------------------------------------------------------- emitting */

struct emit {
	struct sock_filter *buf; /* reversed: buf[0] is the last instruction */
	size_t n, cap;
	uint32_t ret_k[16];
	size_t ret_id[16];
	size_t n_rets;
};

#define FAR 253 /* leave room for two trampolines between a jump and its target */

static long
emit(struct emit *e, struct sock_filter f)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 512;
		struct sock_filter *v = realloc(e->buf, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		e->buf = v;
		e->cap = cap;
	}
	e->buf[e->n] = f;
	return (long)e->n++;
}

/* Distance from the next instruction to target: its jump offset. */
static size_t
dist(const struct emit *e, size_t target)
{
	return e->n - target - 1;
}

static long
ret(struct emit *e, uint32_t k)
{
	for (size_t i = 0; i < e->n_rets; i++)
		if (e->ret_k[i] == k) {
			if (dist(e, e->ret_id[i]) <= FAR)
				return (long)e->ret_id[i];
			long id = emit(e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, k));
			if (id >= 0)
				e->ret_id[i] = (size_t)id;
			return id;
		}
	long id = emit(e, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, k));
	if (id >= 0 && e->n_rets < MR_ARRAY_SIZE(e->ret_k)) {
		e->ret_k[e->n_rets] = k;
		e->ret_id[e->n_rets++] = (size_t)id;
	}
	return id;
}

static long
reach(struct emit *e, long target)
{
	if (target < 0 || dist(e, (size_t)target) <= 255)
		return target;
	return emit(e, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA,
						    (uint32_t)dist(e, (size_t)target), 0, 0));
}

/* A conditional jump; jt == jf needs no test at all. */
static long
jump(struct emit *e, uint16_t op, uint32_t k, long jt, long jf)
{
	if (jt < 0 || jf < 0)
		return -1;
	if (jt == jf)
		return jt;
	jt = reach(e, jt);
	jf = reach(e, jf);
	if (jt < 0 || jf < 0)
		return -1;
	return emit(e, (struct sock_filter)BPF_JUMP(BPF_JMP | op | BPF_K, k,
						    (uint8_t)dist(e, (size_t)jt),
						    (uint8_t)dist(e, (size_t)jf)));
}

/*
 * Load an argument word for next, which a load reaches by falling through:
 * next must be the instruction written just before.  A comparison decided
 * without an instruction (GT 2^64-1 is never true) gives a target written
 * earlier, a shared RET or another clause's entry, which loads its own word:
 * no load then, or the load would fall into whatever was written last (an
 * OR of GT 2^64-1 and MASKED_EQ with mask 0 fell into the next clause and
 * let calls through that runc and crun deny).
 */
static long
load(struct emit *e, uint32_t off, long next)
{
	if (next < 0)
		return -1;
	if ((size_t)next + 1 != e->n)
		return next;
	return emit(e, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off));
}

/* One 32-bit word of an argument against k: jump to pass or fail. */
static long
word(struct emit *e, uint32_t off, int op, uint32_t mask, uint32_t k, long pass, long fail)
{
	long j;
	switch (op) {
	case SCMP_CMP_NE:
		j = jump(e, BPF_JEQ, k, fail, pass);
		break;
	case SCMP_CMP_MASKED_EQ:
		if (mask == 0)
			return k == 0 ? pass : fail;
		j = jump(e, BPF_JEQ, k, pass, fail);
		if (j >= 0 && mask != UINT32_MAX && j != pass)
			j = emit(e, (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask));
		break;
	case SCMP_CMP_LT:
		j = jump(e, BPF_JGE, k, fail, pass);
		break;
	case SCMP_CMP_LE:
		j = jump(e, BPF_JGT, k, fail, pass);
		break;
	case SCMP_CMP_GE:
		j = jump(e, BPF_JGE, k, pass, fail);
		break;
	case SCMP_CMP_GT:
		j = jump(e, BPF_JGT, k, pass, fail);
		break;
	default: /* SCMP_CMP_EQ */
		j = jump(e, BPF_JEQ, k, pass, fail);
		break;
	}
	if (j == pass || j == fail)
		return j; /* decided without looking at the word */
	return load(e, off, j);
}

/* One comparison of a 64-bit argument (or its low word on a 32-bit arch). */
static long
compare(struct emit *e, const struct cond *c, bool is32, long pass, long fail)
{
	uint32_t lo_off = (uint32_t)offsetof(struct seccomp_data, args) + 8 * c->index;
	uint32_t hi_off = lo_off + 4;
	uint64_t mask = c->op == SCMP_CMP_MASKED_EQ ? c->a : UINT64_MAX;
	uint64_t v = c->op == SCMP_CMP_MASKED_EQ ? c->b : c->a;
	uint32_t vlo = (uint32_t)v, vhi = (uint32_t)(v >> 32);

	if (is32)
		return word(e, lo_off, c->op, (uint32_t)mask, vlo, pass, fail);
	switch (c->op) {
	case SCMP_CMP_NE: {
		/* not (hi == vhi and lo == vlo) */
		long lo = word(e, lo_off, SCMP_CMP_EQ, 0, vlo, fail, pass);
		return word(e, hi_off, SCMP_CMP_EQ, 0, vhi, lo, pass);
	}
	case SCMP_CMP_EQ:
	case SCMP_CMP_MASKED_EQ: {
		long lo = word(e, lo_off, c->op, (uint32_t)mask, vlo, pass, fail);
		return word(e, hi_off, c->op, (uint32_t)(mask >> 32), vhi, lo, fail);
	}
	default: {
		/* GT/GE: hi > vhi, or hi == vhi and the low words decide; LT/LE negate. */
		bool neg = c->op == SCMP_CMP_LT || c->op == SCMP_CMP_LE;
		int lop = c->op == SCMP_CMP_GT || c->op == SCMP_CMP_LE ? SCMP_CMP_GT : SCMP_CMP_GE;
		long p = neg ? fail : pass, f = neg ? pass : fail;
		long lo = word(e, lo_off, lop, 0, vlo, p, f);
		/* Past hi > 0 the high word is 0; nothing is above 0xffffffff. */
		long eq = vhi == 0 ? lo : jump(e, BPF_JEQ, vhi, lo, f);
		long gt = vhi == UINT32_MAX ? eq : jump(e, BPF_JGT, vhi, p, eq);
		return load(e, hi_off, gt);
	}
	}
}

/* The block of one argument-checked syscall: the clauses ORed, each an AND. */
static long
block(struct emit *e, const struct item *items, size_t n, uint32_t deflt)
{
	long fail = ret(e, deflt);
	for (size_t i = n; i-- > 0 && fail >= 0;) {
		long pass = ret(e, items[i].action);
		for (unsigned k = items[i].n_conds; k-- > 0 && pass >= 0;)
			pass = compare(e, &items[i].conds[k], items[i].is32, pass, fail);
		fail = pass;
	}
	return fail;
}

/* What one range of numbers leads to. */
struct range {
	uint32_t lo; /* first number; the range ends where the next begins */
	uint32_t action;
	const struct item *items; /* argument-checked: its clauses, else NULL */
	size_t n_items;
};

static long
tree(struct emit *e, const struct range *rs, size_t n, uint32_t deflt)
{
	if (n == 1) {
		if (rs[0].items != NULL)
			return block(e, rs[0].items, rs[0].n_items, deflt);
		return ret(e, rs[0].action);
	}
	size_t mid = n / 2;
	long hi = tree(e, rs + mid, n - mid, deflt);
	long lo = hi < 0 ? -1 : tree(e, rs, mid, deflt);
	return jump(e, BPF_JGE, rs[mid].lo, hi, lo);
}

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
push_range(struct range **v, size_t *n, size_t *cap, struct range r)
{
	/* A range that starts where the last one did replaces it (that one was empty). */
	if (*n > 0 && (*v)[*n - 1].lo == r.lo)
		(*n)--;
	/* Neighbours with one unconditional outcome are one range. */
	if (*n > 0 && r.items == NULL && (*v)[*n - 1].items == NULL &&
	    (*v)[*n - 1].action == r.action)
		return 0;
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct range *nv = realloc(*v, c * sizeof(*nv));
		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = r;
	return 0;
}

/*
 * libseccomp 2.5 merges the clauses of one syscall into one tree per
 * argument, and where a LT/LE/GT/GE has a value above 2^32-1 that tree
 * decides differently from the OR of the clauses (an OR of arg1 >= 2^63,
 * arg0 < 5 and arg0 >= 2^32 denies getpgid(5, 0); arg0 < 0x20000 or arg0 >
 * 2^63 kills personality(0xffffffff)): runc and crun run libseccomp's
 * program, so such a syscall is left to libseccomp (found by
 * tests/differential/seccomp-diff.py).
 */
static bool
wide_magnitude(const struct item *it)
{
	for (unsigned k = 0; k < it->n_conds; k++)
		if (it->conds[k].op != SCMP_CMP_NE && it->conds[k].op != SCMP_CMP_EQ &&
		    it->conds[k].op != SCMP_CMP_MASKED_EQ && it->conds[k].a > UINT32_MAX)
			return true;
	return false;
}

/*
 * The ranges of a section: every number the rules decide, the default in
 * between.  On x86_64's audit arch a half (x86_64 below the x32 bit, x32
 * above) that is not in the filter gets libseccomp's bad-arch action.
 * Returns the count, 0 when a syscall's rules conflict (libseccomp refuses
 * or has its own precedence), -1 on ENOMEM.
 */
static long
ranges(struct gen *g, struct section *s, struct range **out)
{
	uint32_t deflt = g->r->default_action;
	cleanup_free struct range *v = NULL;
	size_t n = 0, cap = 0;
	bool x86_64 = s->audit == AUDIT_ARCH_X86_64, split = false;
	uint32_t low = x86_64 && !s->has_main ? BADARCH : deflt;
	uint32_t high = x86_64 && !s->has_x32 ? BADARCH : deflt;

	/* qsort's base must not be NULL, even for no element (C17 7.22.5). */
	if (s->n_items > 0)
		qsort(s->items, s->n_items, sizeof(*s->items), cmp_item);
	if (push_range(&v, &n, &cap, (struct range){0, low, NULL, 0}) < 0)
		return -1;
	for (size_t i = 0; i < s->n_items;) {
		size_t j = i;
		while (j < s->n_items && s->items[j].nr == s->items[i].nr)
			j++;
		uint32_t nr = s->items[i].nr;
		/* Unconditional rules win over conditional ones of the same action;
		 * two actions on one syscall are libseccomp's business. */
		bool uncond = false;
		for (size_t k = i; k < j; k++) {
			uncond = uncond || s->items[k].n_conds == 0;
			if (s->items[k].action != s->items[i].action) {
				g->why = "two actions on one syscall";
				return 0;
			}
			if (j - i > 1 && wide_magnitude(&s->items[k])) {
				g->why = "several clauses with a 64-bit LT/LE/GT/GE";
				return 0;
			}
		}
		if (x86_64 && !split && nr >= X32_BIT) {
			split = true;
			if (push_range(&v, &n, &cap, (struct range){X32_BIT, high, NULL, 0}) < 0)
				return -1;
		}
		struct range r = {nr, s->items[i].action, uncond ? NULL : &s->items[i],
				  uncond ? 0 : j - i};
		if (push_range(&v, &n, &cap, r) < 0)
			return -1;
		if (nr != UINT32_MAX) {
			bool at_split = x86_64 && nr + 1 == X32_BIT;
			split = split || at_split;
			uint32_t after = x86_64 && nr + 1 >= X32_BIT ? high : low;
			if (push_range(&v, &n, &cap, (struct range){nr + 1, after, NULL, 0}) < 0)
				return -1;
		}
		i = j;
	}
	if (x86_64 && !split &&
	    push_range(&v, &n, &cap, (struct range){X32_BIT, high, NULL, 0}) < 0)
		return -1;
	/* libseccomp lets nr -1 (a tracer skipping the call) through its x32 check:
	 * it gets the default action, not the bad-arch one. */
	if (x86_64 && v[n - 1].lo < UINT32_MAX &&
	    push_range(&v, &n, &cap, (struct range){UINT32_MAX, deflt, NULL, 0}) < 0)
		return -1;
	*out = mr_steal_pointer(&v);
	return (long)n;
}

static int
generate(struct gen *g, struct emit *e)
{
	long entry[MAX_SECTIONS];
	for (size_t i = g->n_secs; i-- > 0;) {
		struct section *s = &g->secs[i];
		struct range *rs = NULL;
		long n = ranges(g, s, &rs);
		if (n <= 0)
			return (int)n;
		long root = tree(e, rs, (size_t)n, g->r->default_action);
		free(rs);
		entry[i] = load(e, (uint32_t)offsetof(struct seccomp_data, nr), root);
		if (entry[i] < 0)
			return -1;
	}
	long next = ret(e, BADARCH);
	for (size_t i = g->n_secs; i-- > 0 && next >= 0;)
		next = jump(e, BPF_JEQ, g->secs[i].audit, entry[i], next);
	if (load(e, (uint32_t)offsetof(struct seccomp_data, arch), next) < 0)
		return -1;
	return 1;
}

int
mr_rangetree_build(const struct mr_reduced *r, struct sock_filter **insns, size_t *n,
		   const char **why, struct mr_error *err)
{
	struct gen g = {.r = r};
	struct emit e = {0};
	int rc;

	*insns = NULL;
	*n = 0;
	*why = NULL;
	rc = plan(&g);
	if (rc > 0)
		rc = generate(&g, &e);
	for (size_t i = 0; i < g.n_secs; i++)
		free(g.secs[i].items);
	if (rc > 0 && e.n > BPF_MAXINSNS) {
		g.why = "too many instructions";
		rc = 0;
	}
	if (rc <= 0) {
		free(e.buf);
		*why = g.why;
		if (rc < 0)
			return mr_error_oom(err, "seccomp range tree");
		return 0;
	}
	/* Written backwards: turn it around. */
	for (size_t i = 0; i < e.n / 2; i++) {
		struct sock_filter t = e.buf[i];
		e.buf[i] = e.buf[e.n - 1 - i];
		e.buf[e.n - 1 - i] = t;
	}
	*insns = e.buf;
	*n = e.n;
	return 1;
}
