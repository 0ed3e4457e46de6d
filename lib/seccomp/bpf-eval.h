/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_SECCOMP_BPF_EVAL_H
#define MINIRUN_SECCOMP_BPF_EVAL_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Run a classic-BPF seccomp program on one seccomp_data, as the kernel's
 * seccomp_run_filters would, and return what the kernel would act on
 * (SECCOMP_RET_*).  Lets minirun answer "what will this profile do to
 * execve?" before any process exists.  Returns 0 and sets *ret, or -1 for a
 * program the kernel would reject (bad jump, unknown opcode, no return).
 */
int mr_bpf_eval(const struct sock_filter *prog, size_t n, const struct seccomp_data *data,
		uint32_t *ret);

/*
 * A program the kernel's attach-time checks accept, to be run many times:
 * mr_bpf_eval and mr_bpf_outcomes check the whole program on every call,
 * which was 92 % of the range tree's equivalence test (a million
 * evaluations of programs of ~1,000 instructions).  Valid as long as the
 * instructions are not changed.  mr_bpf_check returns 0, or -1 for a
 * program the kernel would reject; the _checked functions are their
 * namesakes without the check.
 */
struct mr_bpf_checked {
	const struct sock_filter *prog;
	size_t n;
};
int mr_bpf_check(const struct sock_filter *prog, size_t n, struct mr_bpf_checked *out);
int mr_bpf_eval_checked(const struct mr_bpf_checked *c, const struct seccomp_data *data,
			uint32_t *ret);
int mr_bpf_outcomes_checked(const struct mr_bpf_checked *c, uint32_t arch, int nr,
			    void (*fn)(uint32_t ret, void *arg), void *arg);

/*
 * Every action the program can return for syscall nr on arch, whatever the
 * arguments and instruction pointer: loads of those are unknown values and
 * both sides of a jump on them are followed.  Calls fn for each reachable
 * return (SECCOMP_RET_* with data; RET A of an unknown value is reported as
 * SECCOMP_RET_KILL_PROCESS, the most restrictive reading).  Returns 0, or -1
 * for an invalid program or one too branchy to explore (more than a million
 * steps) -- callers then treat the syscall as not allowed.
 */
int mr_bpf_outcomes(const struct sock_filter *prog, size_t n, uint32_t arch, int nr,
		    void (*fn)(uint32_t ret, void *arg), void *arg);

/*
 * As mr_bpf_outcomes, with the bits BITS of argument ARGI (its low 32 bits)
 * known to be set and every other bit of it unknown: every action the call can
 * meet when its flags include BITS, whatever else they hold ("can clone get
 * through with CLONE_NEWCGROUP?").  Jumps on such partly known values follow
 * only the sides that some value with those bits takes.  -1 also for ARGI > 5.
 */
int mr_bpf_outcomes_with_bits(const struct sock_filter *prog, size_t n, uint32_t arch, int nr,
			      unsigned argi, uint32_t bits, void (*fn)(uint32_t ret, void *arg),
			      void *arg);

/*
 * The highest syscall number in [lo, hi] for which the program can return
 * anything but deflt on arch, for some arguments: every feasible path is
 * followed with the number known only as the range the comparisons on the way
 * leave.  What the program compiled in is what counts, including the numbers
 * libseccomp adds itself.  The answer can be too high (never too low) when the
 * program does more with the number than compare it with constants.  Sets
 * *max (-1: none) and returns 0, or -1 as mr_bpf_outcomes.
 */
int mr_bpf_max_nr_not(const struct sock_filter *prog, size_t n, uint32_t arch, uint32_t lo,
		      uint32_t hi, uint32_t deflt, int64_t *max);

#endif
