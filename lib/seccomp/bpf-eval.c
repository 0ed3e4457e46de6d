/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/bpf-eval.h"

static int
load_abs(const struct seccomp_data *d, uint32_t off, uint32_t *out)
{
	/* seccomp only allows aligned 32-bit loads inside struct seccomp_data. */
	if (off % 4 != 0 || off > sizeof(*d) - 4)
		return -1;
	memcpy(out, (const char *)d + off, 4);
	return 0;
}

/*
 * The checks the kernel makes when the filter is attached (bpf_check_classic
 * and seccomp_check_filter), over the whole program rather than the path one
 * syscall takes: jumps inside the program, a RET at the end, no division by
 * a constant zero, only word loads inside seccomp_data, scratch memory never
 * read before every path to the read has written it.
 */
static int
check_program(const struct sock_filter *prog, size_t n)
{
	/* Bit i of written[pc]: M[i] is written on every path reaching pc. */
	uint16_t written[BPF_MAXINSNS];

	if (n == 0 || n > BPF_MAXINSNS)
		return -1;
	for (size_t pc = 0; pc < n; pc++)
		written[pc] = 0xffff;
	written[0] = 0;
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *f = &prog[pc];
		uint16_t w = written[pc];
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_ABS &&
			    (BPF_CLASS(f->code) != BPF_LD || BPF_SIZE(f->code) != BPF_W ||
			     f->k % 4 != 0 || f->k > sizeof(struct seccomp_data) - 4))
				return -1;
			if (BPF_MODE(f->code) == BPF_MEM &&
			    (f->k >= BPF_MEMWORDS || !(w & (1u << f->k))))
				return -1;
			if (BPF_MODE(f->code) != BPF_ABS && BPF_MODE(f->code) != BPF_IMM &&
			    BPF_MODE(f->code) != BPF_MEM && BPF_MODE(f->code) != BPF_LEN)
				return -1;
			if (BPF_CLASS(f->code) == BPF_LDX && BPF_MODE(f->code) == BPF_ABS)
				return -1;
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return -1;
			w |= (uint16_t)(1u << f->k);
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD:
			case BPF_SUB:
			case BPF_MUL:
			case BPF_AND:
			case BPF_OR:
			case BPF_XOR:
			case BPF_LSH:
			case BPF_RSH:
			case BPF_NEG:
				break;
			case BPF_DIV:
				if (BPF_SRC(f->code) == BPF_K && f->k == 0)
					return -1;
				break;
			default: /* BPF_MOD is not in seccomp's instruction set */
				return -1;
			}
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				if (f->k >= n - pc - 1)
					return -1;
				written[pc + 1 + f->k] &= w;
				continue;
			}
			if (BPF_OP(f->code) != BPF_JEQ && BPF_OP(f->code) != BPF_JGT &&
			    BPF_OP(f->code) != BPF_JGE && BPF_OP(f->code) != BPF_JSET)
				return -1;
			if (pc + 1 + f->jt >= n || pc + 1 + f->jf >= n)
				return -1;
			written[pc + 1 + f->jt] &= w;
			written[pc + 1 + f->jf] &= w;
			continue;
		case BPF_RET:
			continue;
		default:
			break;
		}
		if (pc + 1 < n)
			written[pc + 1] &= w;
	}
	return BPF_CLASS(prog[n - 1].code) == BPF_RET ? 0 : -1;
}

/*
 * A register of the symbolic run, bit by bit: the bits set in `known` are
 * those of v; the others came from the arguments or the instruction pointer
 * and are unknown (0 in v).  Knowing single bits is what answers "can clone
 * get through with CLONE_NEWCGROUP among whatever other flags" in one run:
 * libseccomp masks the argument and compares what is left.
 * nr: in a run over a range of syscall numbers, the register holds the number
 * itself (unknown, but jumps on it narrow the range instead of forking blindly).
 */
struct sym {
	uint32_t v;
	uint32_t known;
	bool nr;
};

#define SYM_ALL 0xffffffffu

static const struct sym sym_unknown = {0, 0, false};

static struct sym
sym_val(uint32_t v)
{
	return (struct sym){v, SYM_ALL, false};
}

static bool
sym_is_known(struct sym s)
{
	return s.known == SYM_ALL;
}

/* Unknown bits are 0 in v, so equal values are equal structs field by field. */
static bool
sym_eq(struct sym s, struct sym t)
{
	return s.v == t.v && s.known == t.known && s.nr == t.nr;
}

/*
 * A state of a run without data (A and X at an instruction, scratch memory
 * untouched) already followed to its end: a path that reaches it again can
 * add no outcome.  libseccomp's and the range tree's programs join their
 * paths again at each rule's next comparison (every fail side leads there),
 * so without this the paths multiply with every conditional rule: a profile
 * of a few rules with comparisons on unshare's other arguments took the
 * million steps of the limit (6 ms of every start, per call and arch, and
 * "too branchy" for an answer).  MEMO_WAYS states per instruction; when they
 * are taken the oldest is forgotten, which only costs time.
 */
#define MEMO_WAYS 2

struct memo {
	struct sym a, x;
	bool used;
};

/*
 * One engine for the three questions: with data, every load is known and the
 * run follows the single path the kernel would; without it, the arguments and
 * the instruction pointer are unknown and every feasible path is followed; with
 * nr_range as well, so is the syscall number, known only as the range [lo, hi]
 * the comparisons on the way leave.
 */
struct explore {
	const struct sock_filter *prog;
	size_t n;
	const struct seccomp_data *data; /* NULL: arguments unknown */
	uint32_t bits_off, bits;	 /* the word at bits_off has at least these bits set */
	uint32_t arch, nr;
	unsigned long steps;
	void (*fn)(uint32_t, void *);
	void *arg;
	bool nr_range;	   /* nr unknown: collect into max instead of calling fn */
	uint32_t deflt;	   /* the return that does not count */
	int64_t max;	   /* highest nr that can reach any other return; -1: none */
	struct memo *memo; /* n * MEMO_WAYS, made at the first fork of a run without data */
};

/* The numbers of [lo, hi] on one side of a jump. */
struct nr_span {
	uint32_t lo, hi;
	bool any; /* false: no number of the range goes this way */
};

/* BPF_LD: what A holds afterwards. */
static struct sym
sym_load(const struct explore *e, const struct sock_filter *f, const struct sym *m)
{
	uint32_t k = f->k, v;

	switch (BPF_MODE(f->code)) {
	case BPF_ABS:
		if (e->nr_range && k == offsetof(struct seccomp_data, nr))
			return (struct sym){0, 0, true};
		if (e->data != NULL && load_abs(e->data, k, &v) == 0)
			return sym_val(v);
		if (k == offsetof(struct seccomp_data, nr))
			return sym_val(e->nr);
		if (k == offsetof(struct seccomp_data, arch))
			return sym_val(e->arch);
		if (k == e->bits_off)
			return (struct sym){e->bits, e->bits, false};
		return sym_unknown;
	case BPF_IMM:
		return sym_val(k);
	case BPF_MEM:
		return m[k];
	default:
		return sym_val(sizeof(struct seccomp_data));
	}
}

/* BPF_ALU on A; -1 for what the kernel's checker would refuse or a division by 0. */
static int
sym_alu(uint16_t code, struct sym *a, struct sym src)
{
	uint32_t k;

	if (a->nr || src.nr) {
		/* Arithmetic on the number: an unknown value, no longer the number. */
		bool zero = BPF_OP(code) == BPF_AND && sym_is_known(src) && src.v == 0;
		*a = zero ? sym_val(0) : sym_unknown;
		return 0;
	}
	switch (BPF_OP(code)) {
	case BPF_AND:
		/* A bit known to be 0 on either side is 0 whatever the other's is. */
		k = (a->known & src.known) | (a->known & ~a->v) | (src.known & ~src.v);
		*a = (struct sym){a->v & src.v & k, k, false};
		return 0;
	case BPF_OR:
		k = (a->known & src.known) | (a->known & a->v) | (src.known & src.v);
		*a = (struct sym){(a->v | src.v) & k, k, false};
		return 0;
	case BPF_XOR:
		k = a->known & src.known;
		*a = (struct sym){(a->v ^ src.v) & k, k, false};
		return 0;
	case BPF_NEG:
		*a = sym_is_known(*a) ? sym_val(-a->v) : sym_unknown;
		return 0;
	default:
		break;
	}
	if (!sym_is_known(*a) || !sym_is_known(src)) {
		*a = sym_unknown;
		return 0;
	}
	switch (BPF_OP(code)) {
	case BPF_ADD:
		a->v += src.v;
		return 0;
	case BPF_SUB:
		a->v -= src.v;
		return 0;
	case BPF_MUL:
		a->v *= src.v;
		return 0;
	case BPF_DIV:
		if (src.v == 0)
			return -1;
		a->v /= src.v;
		return 0;
	case BPF_LSH:
		a->v = src.v >= 32 ? 0 : a->v << src.v;
		return 0;
	case BPF_RSH:
		a->v = src.v >= 32 ? 0 : a->v >> src.v;
		return 0;
	default:
		return -1;
	}
}

/* A conditional jump on known values: 1 taken, 0 not, -1 not a jump the kernel accepts. */
static int
jump_taken(uint16_t code, uint32_t a, uint32_t src)
{
	switch (BPF_OP(code)) {
	case BPF_JEQ:
		return a == src;
	case BPF_JGT:
		return a > src;
	case BPF_JGE:
		return a >= src;
	case BPF_JSET:
		return (a & src) != 0;
	default:
		return -1;
	}
}

/*
 * A conditional jump on values that may be partly unknown: 1 taken, 0 not,
 * 2 either way (for some values of the unknown bits), -1 not a jump the
 * kernel accepts.
 */
static int
jump_sym(uint16_t code, struct sym a, struct sym src)
{
	/* Unknown bits are 0 in v: the least and the most a can be. */
	uint32_t a_max = a.v | ~a.known;

	if (sym_is_known(a) && sym_is_known(src))
		return jump_taken(code, a.v, src.v);
	switch (BPF_OP(code)) {
	case BPF_JEQ:
		return ((a.v ^ src.v) & a.known & src.known) != 0 ? 0 : 2;
	case BPF_JGT:
		if (!sym_is_known(src))
			return 2;
		return a.v > src.v ? 1 : a_max <= src.v ? 0 : 2;
	case BPF_JGE:
		if (!sym_is_known(src))
			return 2;
		return a.v >= src.v ? 1 : a_max < src.v ? 0 : 2;
	case BPF_JSET:
		if ((a.v & src.v) != 0)
			return 1;
		return (a_max & (src.v | ~src.known)) == 0 ? 0 : 2;
	default:
		return -1;
	}
}

/*
 * Split the numbers [lo, hi] by a jump comparing the number with k.  A side
 * is exact when the numbers going that way form a range; when they do not
 * (JEQ's false side around k, JSET on bits that vary) it keeps the whole
 * range, which can only make the answer larger.
 */
static void
nr_split(uint16_t code, uint32_t k, uint32_t lo, uint32_t hi, struct nr_span *t, struct nr_span *f)
{
	*t = (struct nr_span){lo, hi, true};
	*f = (struct nr_span){lo, hi, true};
	switch (BPF_OP(code)) {
	case BPF_JEQ:
		*t = (struct nr_span){k, k, lo <= k && k <= hi};
		if (lo == k && hi == k)
			f->any = false;
		else if (lo == k)
			f->lo = k + 1;
		else if (hi == k)
			f->hi = k - 1;
		break;
	case BPF_JGT:
		t->any = hi > k;
		t->lo = lo > k ? lo : k + 1;
		f->any = lo <= k;
		f->hi = hi < k ? hi : k;
		break;
	case BPF_JGE:
		t->any = hi >= k;
		t->lo = lo > k ? lo : k;
		f->any = lo < k;
		f->hi = hi < k ? hi : k - 1;
		break;
	case BPF_JSET: {
		/* Bits above the highest one where lo and hi differ are the same in
		 * every number between them. */
		uint32_t vary = lo ^ hi;
		for (int s = 1; s < 32; s <<= 1)
			vary |= vary >> s;
		if ((k & vary) == 0) {
			t->any = (lo & k) != 0;
			f->any = !t->any;
		}
		break;
	}
	default:
		break;
	}
}

/* Whether this state at pc was followed before (see struct memo); if not, it is noted. */
static bool
memo_seen(struct explore *e, size_t pc, struct sym a, struct sym x, const struct sym *m)
{
	if (e->memo == NULL)
		return false;
	for (size_t i = 0; i < BPF_MEMWORDS; i++)
		if (!sym_eq(m[i], sym_unknown))
			return false; /* scratch memory is not part of the key */
	struct memo *slot = &e->memo[pc * MEMO_WAYS];
	for (size_t w = 0; w < MEMO_WAYS; w++)
		if (slot[w].used && sym_eq(slot[w].a, a) && sym_eq(slot[w].x, x))
			return true;
	memmove(&slot[1], &slot[0], (MEMO_WAYS - 1) * sizeof(*slot));
	slot[0] = (struct memo){a, x, true};
	return false;
}

static int explore_from(struct explore *e, size_t pc, struct sym a, struct sym x,
			const struct sym *mem, uint32_t lo, uint32_t hi);

/* A conditional jump on the number, in a run over a range of numbers. */
static int
explore_nr_jump(struct explore *e, size_t *pc, const struct sock_filter *f, struct sym a,
		struct sym x, const struct sym *m, uint32_t *lo, uint32_t *hi)
{
	struct nr_span t, fl;
	nr_split(f->code, f->k, *lo, *hi, &t, &fl);
	size_t to_t = *pc + f->jt, to_f = *pc + f->jf;
	/* The side with the higher numbers first (a JGT's true side in libseccomp's
	 * binary tree): once it has set the answer, the other is cut short. */
	bool t_first = t.any && (!fl.any || t.hi >= fl.hi);
	struct nr_span first = t_first ? t : fl, then = t_first ? fl : t;
	size_t to_first = t_first ? to_t : to_f, to_then = t_first ? to_f : to_t;
	if (then.any) {
		if (explore_from(e, to_first + 1, a, x, m, first.lo, first.hi) < 0)
			return -1;
		first = then;
		to_first = to_then;
	}
	*pc = to_first;
	*lo = first.lo;
	*hi = first.hi;
	return 0;
}

static int
explore_from(struct explore *e, size_t pc, struct sym a, struct sym x, const struct sym *mem,
	     uint32_t lo, uint32_t hi)
{
	struct sym m[BPF_MEMWORDS];
	memcpy(m, mem, sizeof(m));
	for (; pc < e->n; pc++) {
		const struct sock_filter *f = &e->prog[pc];
		uint32_t k = f->k;
		struct sym src = BPF_SRC(f->code) == BPF_X ? x : sym_val(k);

		if (++e->steps > 1000000)
			return -1;
		/* Nothing on this path can raise the answer: a path per argument
		 * comparison of every rule is what made this slow. */
		if (e->nr_range && (int64_t)hi <= e->max)
			return 0;
		/* Forward jumps only: a state noted here has been followed to its end. */
		if (memo_seen(e, pc, a, x, m))
			return 0;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			a = sym_load(e, f, m);
			break;
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_IMM)
				x = sym_val(k);
			else if (BPF_MODE(f->code) == BPF_MEM)
				x = m[k];
			else
				x = sym_val(sizeof(struct seccomp_data));
			break;
		case BPF_ST:
			m[k] = a;
			break;
		case BPF_STX:
			m[k] = x;
			break;
		case BPF_ALU:
			if (sym_alu(f->code, &a, src) < 0)
				return -1;
			break;
		case BPF_JMP: {
			if (BPF_OP(f->code) == BPF_JA) {
				pc += k;
				break;
			}
			if (a.nr && sym_is_known(src)) {
				if (explore_nr_jump(e, &pc, f, a, x, m, &lo, &hi) < 0)
					return -1;
				break;
			}
			int taken = jump_sym(f->code, a, src);
			if (taken < 0)
				return -1;
			if (taken == 2) {
				/* Both ways are possible for some arguments: follow both
				 * (calloc failing only loses the shortcut). */
				if (e->memo == NULL && e->data == NULL && !e->nr_range)
					e->memo = calloc(e->n * MEMO_WAYS, sizeof(*e->memo));
				if (explore_from(e, pc + 1 + f->jt, a, x, m, lo, hi) < 0)
					return -1;
				pc += f->jf;
				break;
			}
			pc += taken ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			if (e->nr_range) {
				/* An unknown A could be anything, so it counts. */
				bool deflt = BPF_RVAL(f->code) == BPF_A
						 ? sym_is_known(a) && a.v == e->deflt
						 : k == e->deflt;
				if (!deflt && (int64_t)hi > e->max)
					e->max = hi;
				return 0;
			}
			if (BPF_RVAL(f->code) == BPF_A)
				e->fn(sym_is_known(a) ? a.v : SECCOMP_RET_KILL_PROCESS, e->arg);
			else
				e->fn(k, e->arg);
			return 0;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return -1;
		}
	}
	return -1;
}

/* mr_bpf_outcomes_with_bits on a checked program. */
static int
outcomes(const struct mr_bpf_checked *c, uint32_t arch, int nr, unsigned argi, uint32_t bits,
	 void (*fn)(uint32_t ret, void *arg), void *arg)
{
	struct sym mem[BPF_MEMWORDS] = {{0, 0, false}};
	/* The argument's low word: the first on a little-endian kernel. */
	uint32_t low = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0 : 4;
	struct explore e = {.prog = c->prog,
			    .n = c->n,
			    .arch = arch,
			    .nr = (uint32_t)nr,
			    .bits_off =
				(uint32_t)(offsetof(struct seccomp_data, args) + 8 * argi + low),
			    .bits = bits,
			    .fn = fn,
			    .arg = arg,
			    .max = -1};

	if (argi >= 6)
		return -1;
	int r = explore_from(&e, 0, sym_val(0), sym_val(0), mem, 0, 0);
	free(e.memo);
	return r;
}

int
mr_bpf_outcomes(const struct sock_filter *prog, size_t n, uint32_t arch, int nr,
		void (*fn)(uint32_t ret, void *arg), void *arg)
{
	return mr_bpf_outcomes_with_bits(prog, n, arch, nr, 0, 0, fn, arg);
}

int
mr_bpf_outcomes_checked(const struct mr_bpf_checked *c, uint32_t arch, int nr,
			void (*fn)(uint32_t ret, void *arg), void *arg)
{
	return outcomes(c, arch, nr, 0, 0, fn, arg);
}

int
mr_bpf_outcomes_with_bits(const struct sock_filter *prog, size_t n, uint32_t arch, int nr,
			  unsigned argi, uint32_t bits, void (*fn)(uint32_t ret, void *arg),
			  void *arg)
{
	struct mr_bpf_checked c;

	if (mr_bpf_check(prog, n, &c) < 0)
		return -1;
	return outcomes(&c, arch, nr, argi, bits, fn, arg);
}

int
mr_bpf_max_nr_not(const struct sock_filter *prog, size_t n, uint32_t arch, uint32_t lo, uint32_t hi,
		  uint32_t deflt, int64_t *max)
{
	struct sym mem[BPF_MEMWORDS] = {{0, 0, false}};
	struct explore e = {.prog = prog,
			    .n = n,
			    .arch = arch,
			    .bits_off = sizeof(struct seccomp_data), /* none */
			    .nr_range = true,
			    .deflt = deflt,
			    .max = -1};

	*max = -1;
	if (lo > hi || check_program(prog, n) < 0)
		return -1;
	if (explore_from(&e, 0, sym_val(0), sym_val(0), mem, lo, hi) < 0)
		return -1;
	*max = e.max;
	return 0;
}

static void
keep_ret(uint32_t ret, void *arg)
{
	*(uint32_t *)arg = ret;
}

int
mr_bpf_check(const struct sock_filter *prog, size_t n, struct mr_bpf_checked *out)
{
	if (check_program(prog, n) < 0)
		return -1;
	out->prog = prog;
	out->n = n;
	return 0;
}

int
mr_bpf_eval_checked(const struct mr_bpf_checked *c, const struct seccomp_data *data, uint32_t *ret)
{
	struct sym mem[BPF_MEMWORDS] = {{0, SYM_ALL, false}};
	struct explore e = {.prog = c->prog,
			    .n = c->n,
			    .data = data,
			    .arch = data->arch,
			    .nr = (uint32_t)data->nr,
			    .bits_off = sizeof(struct seccomp_data), /* none */
			    .fn = keep_ret,
			    .arg = ret,
			    .max = -1};

	return explore_from(&e, 0, sym_val(0), sym_val(0), mem, 0, 0);
}

int
mr_bpf_eval(const struct sock_filter *prog, size_t n, const struct seccomp_data *data,
	    uint32_t *ret)
{
	struct mr_bpf_checked c;

	if (mr_bpf_check(prog, n, &c) < 0)
		return -1;
	return mr_bpf_eval_checked(&c, data, ret);
}
