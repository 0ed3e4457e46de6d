/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stddef.h>
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
 * A register of the symbolic run: a value, or unknown (came from args or ip).
 * nr: in a run over a range of syscall numbers, the register holds the number
 * itself (unknown, but jumps on it narrow the range instead of forking blindly).
 */
struct sym {
	uint32_t v;
	bool known;
	bool nr;
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
	uint32_t arch, nr;
	unsigned long steps;
	void (*fn)(uint32_t, void *);
	void *arg;
	bool nr_range;	/* nr unknown: collect into max instead of calling fn */
	uint32_t deflt; /* the return that does not count */
	int64_t max;	/* highest nr that can reach any other return; -1: none */
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
			return (struct sym){0, false, true};
		if (e->data != NULL && load_abs(e->data, k, &v) == 0)
			return (struct sym){v, true, false};
		if (k == offsetof(struct seccomp_data, nr))
			return (struct sym){e->nr, true, false};
		if (k == offsetof(struct seccomp_data, arch))
			return (struct sym){e->arch, true, false};
		return (struct sym){0, false, false};
	case BPF_IMM:
		return (struct sym){k, true, false};
	case BPF_MEM:
		return m[k];
	default:
		return (struct sym){sizeof(struct seccomp_data), true, false};
	}
}

/* BPF_ALU on A; -1 for what the kernel's checker would refuse or a division by 0. */
static int
sym_alu(uint16_t code, struct sym *a, struct sym src)
{
	if (a->nr || src.nr) {
		/* Arithmetic on the number: an unknown value, no longer the number. */
		bool zero = BPF_OP(code) == BPF_AND && src.known && src.v == 0;
		*a = (struct sym){0, zero, false};
		return 0;
	}
	if (BPF_OP(code) == BPF_NEG) {
		a->v = -a->v;
		return 0;
	}
	if (!a->known || !src.known) {
		/* x & 0 is known whatever x was; nothing else is. */
		bool zero = BPF_OP(code) == BPF_AND && src.known && src.v == 0;
		*a = (struct sym){0, zero, false};
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
	case BPF_AND:
		a->v &= src.v;
		return 0;
	case BPF_OR:
		a->v |= src.v;
		return 0;
	case BPF_XOR:
		a->v ^= src.v;
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
		struct sym src = BPF_SRC(f->code) == BPF_X ? x : (struct sym){k, true, false};

		if (++e->steps > 1000000)
			return -1;
		/* Nothing on this path can raise the answer: a path per argument
		 * comparison of every rule is what made this slow. */
		if (e->nr_range && (int64_t)hi <= e->max)
			return 0;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			a = sym_load(e, f, m);
			break;
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_IMM)
				x = (struct sym){k, true, false};
			else if (BPF_MODE(f->code) == BPF_MEM)
				x = m[k];
			else
				x = (struct sym){sizeof(struct seccomp_data), true, false};
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
			if (a.nr && src.known) {
				if (explore_nr_jump(e, &pc, f, a, x, m, &lo, &hi) < 0)
					return -1;
				break;
			}
			if (!a.known || !src.known) {
				/* Both ways are possible for some arguments: follow both. */
				if (explore_from(e, pc + 1 + f->jt, a, x, m, lo, hi) < 0)
					return -1;
				pc += f->jf;
				break;
			}
			int taken = jump_taken(f->code, a.v, src.v);
			if (taken < 0)
				return -1;
			pc += taken ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			if (e->nr_range) {
				/* An unknown A could be anything, so it counts. */
				bool deflt = BPF_RVAL(f->code) == BPF_A ? a.known && a.v == e->deflt
									: k == e->deflt;
				if (!deflt && (int64_t)hi > e->max)
					e->max = hi;
				return 0;
			}
			if (BPF_RVAL(f->code) == BPF_A)
				e->fn(a.known ? a.v : SECCOMP_RET_KILL_PROCESS, e->arg);
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

int
mr_bpf_outcomes(const struct sock_filter *prog, size_t n, uint32_t arch, int nr,
		void (*fn)(uint32_t ret, void *arg), void *arg)
{
	struct sym mem[BPF_MEMWORDS] = {{0, false, false}};
	struct explore e = {.prog = prog,
			    .n = n,
			    .arch = arch,
			    .nr = (uint32_t)nr,
			    .fn = fn,
			    .arg = arg,
			    .max = -1};

	if (check_program(prog, n) < 0)
		return -1;
	return explore_from(&e, 0, (struct sym){0, true, false}, (struct sym){0, true, false}, mem,
			    0, 0);
}

int
mr_bpf_max_nr_not(const struct sock_filter *prog, size_t n, uint32_t arch, uint32_t lo, uint32_t hi,
		  uint32_t deflt, int64_t *max)
{
	struct sym mem[BPF_MEMWORDS] = {{0, false, false}};
	struct explore e = {
	    .prog = prog, .n = n, .arch = arch, .nr_range = true, .deflt = deflt, .max = -1};

	*max = -1;
	if (lo > hi || check_program(prog, n) < 0)
		return -1;
	if (explore_from(&e, 0, (struct sym){0, true, false}, (struct sym){0, true, false}, mem, lo,
			 hi) < 0)
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
mr_bpf_eval(const struct sock_filter *prog, size_t n, const struct seccomp_data *data,
	    uint32_t *ret)
{
	struct sym mem[BPF_MEMWORDS] = {{0, true, false}};
	struct explore e = {.prog = prog,
			    .n = n,
			    .data = data,
			    .arch = data->arch,
			    .nr = (uint32_t)data->nr,
			    .fn = keep_ret,
			    .arg = ret,
			    .max = -1};

	if (check_program(prog, n) < 0)
		return -1;
	return explore_from(&e, 0, (struct sym){0, true, false}, (struct sym){0, true, false}, mem,
			    0, 0);
}
