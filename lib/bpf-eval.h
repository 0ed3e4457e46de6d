/* SPDX-License-Identifier: MIT */
#ifndef MINIRUN_LIB_BPF_EVAL_H
#define MINIRUN_LIB_BPF_EVAL_H

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

#endif
