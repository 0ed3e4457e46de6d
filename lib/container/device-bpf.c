/* SPDX-License-Identifier: MIT */
/*
 * Docker's device policy on a pure cgroup v2, as a BPF program.
 *
 * Why it matters: Docker's default capabilities include CAP_MKNOD, so root
 * in a container can make a node for the host's disk (mknod b 8 0), /dev/mem
 * or /dev/kmsg and open it; only the device cgroup stops that.  cgroup2 has
 * no devices controller: the kernel's devcgroup_check_permission() asks the
 * BPF_PROG_TYPE_CGROUP_DEVICE programs attached to the process's cgroup and
 * its ancestors instead, and with none attached it allows every device.  So
 * minirun refuses to run a container on v2 without its program (unless
 * --privileged).
 *
 * The program, for ctx = struct bpf_cgroup_dev_ctx { u32 access_type;
 * u32 major; u32 minor; } with access_type = (BPF_DEVCG_ACC_* << 16) |
 * BPF_DEVCG_DEV_*:
 *
 *	r2 = access_type; r3 = r2 & 0xffff (type); r2 >>= 16 (access)
 *	r4 = major; r5 = minor
 *	for each rule, the last one first:
 *		if r3 != TYPE goto next           (unless the rule is for any type)
 *		allow: r1 = r2 & ~ACCESS; if r1 != 0 goto next  (unless rwm)
 *		deny:  r1 = r2 & ACCESS;  if r1 == 0 goto next  (unless rwm)
 *		if r4 != MAJOR goto next          (unless "*")
 *		if r5 != MINOR goto next          (unless "*")
 *		r0 = 1 (0 for a deny rule); exit
 *	next: ...
 *	r0 = 0; exit                          (default deny)
 *
 * The access check is the v1 controller's: open(O_RDWR) asks read|write
 * at once.  An allow rule matches when it grants the whole request
 * ("subset of"), so a read-only rule does not allow O_RDWR; a deny rule
 * matches when it forbids any part of it ("overlaps"), so after "allow
 * b 8:20 rw", "deny b 8:20 w" denies O_RDWR as well as O_WRONLY (as
 * devices.deny does on v1), where "subset of" would let it fall through
 * to the allow rule.  A read alone still passes: "deny w" does not
 * overlap it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/device-bpf.h"
#include "common/util.h"

/* struct bpf_insn constructors for the few opcodes the program uses. */
static struct bpf_insn
insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){
	    .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* dst = *(u32 *)(src + off) */
static struct bpf_insn
ldx_w(uint8_t dst, uint8_t src, int16_t off)
{
	return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}

/* dst OP= imm, 64 bit */
static struct bpf_insn
alu_k(uint8_t op, uint8_t dst, int32_t imm)
{
	return insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}

/* dst = src, 64 bit */
static struct bpf_insn
mov_x(uint8_t dst, uint8_t src)
{
	return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

/* if dst != imm: pc += off (patched later) */
static struct bpf_insn
jne_k(uint8_t dst, int32_t imm)
{
	return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, 0, imm);
}

/* if dst == imm: pc += off (patched later) */
static struct bpf_insn
jeq_k(uint8_t dst, int32_t imm)
{
	return insn(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn
exit_insn(void)
{
	return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

size_t
mr_device_bpf_build(const struct mr_device_rule *rules, size_t n, struct bpf_insn *out)
{
	size_t pc = 0;

	/*
	 * The loads are 32 bit, zero-extended; the 64-bit compares with a
	 * sign-extended imm32 are exact because Linux's majors (12 bits) and
	 * minors (20 bits) are far below 2^31.
	 */
	out[pc++] = ldx_w(BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	out[pc++] = mov_x(BPF_REG_3, BPF_REG_2);
	out[pc++] = alu_k(BPF_AND, BPF_REG_3, 0xffff);
	out[pc++] = alu_k(BPF_RSH, BPF_REG_2, 16);
	out[pc++] = ldx_w(BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major));
	out[pc++] = ldx_w(BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor));

	/*
	 * Last to first: the first rule that matches decides, so a later rule
	 * overrides an earlier one (the OCI list's order, as runc's
	 * devicefilter and crun evaluate it; Docker's list only allows).
	 */
	for (size_t i = n; i-- > 0;) {
		const struct mr_device_rule *r = &rules[i];
		size_t jumps[4], nj = 0;

		if (r->type == 'b' || r->type == 'c') {
			jumps[nj++] = pc;
			out[pc++] = jne_k(BPF_REG_3, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK
								    : BPF_DEVCG_DEV_CHAR);
		}
		if ((r->access & MR_DEV_RWM) != MR_DEV_RWM) {
			/*
			 * MR_DEV_* are the kernel's BPF_DEVCG_ACC_* bits.  Deny:
			 * any requested bit the rule names; allow: every one.
			 */
			out[pc++] = mov_x(BPF_REG_1, BPF_REG_2);
			if (r->deny) {
				out[pc++] =
				    alu_k(BPF_AND, BPF_REG_1, (int32_t)(r->access & MR_DEV_RWM));
				jumps[nj++] = pc;
				out[pc++] = jeq_k(BPF_REG_1, 0);
			} else {
				out[pc++] =
				    alu_k(BPF_AND, BPF_REG_1, (int32_t) ~(r->access & MR_DEV_RWM));
				jumps[nj++] = pc;
				out[pc++] = jne_k(BPF_REG_1, 0);
			}
		}
		if (r->major != MR_DEV_ANY) {
			jumps[nj++] = pc;
			out[pc++] = jne_k(BPF_REG_4, r->major);
		}
		if (r->minor != MR_DEV_ANY) {
			jumps[nj++] = pc;
			out[pc++] = jne_k(BPF_REG_5, r->minor);
		}
		out[pc++] = alu_k(BPF_MOV, BPF_REG_0, r->deny ? 0 : 1);
		out[pc++] = exit_insn();
		/*
		 * A rule without a condition decides everything: the verifier
		 * rejects unreachable instructions, so nothing may follow.
		 */
		if (nj == 0)
			return pc;
		for (size_t j = 0; j < nj; j++)
			out[jumps[j]].off = (int16_t)(pc - jumps[j] - 1);
	}
	out[pc++] = alu_k(BPF_MOV, BPF_REG_0, 0);
	out[pc++] = exit_insn();
	return pc;
}

static long
sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The last non-empty line of the verifier's log, for the message. */
static const char *
last_line(char *log)
{
	size_t len = strlen(log);
	while (len > 0 && log[len - 1] == '\n')
		log[--len] = '\0';
	char *nl = strrchr(log, '\n');
	return nl ? nl + 1 : log;
}

static int
load(const struct bpf_insn *insns, size_t count, char *log, size_t log_size)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.expected_attach_type = BPF_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)count;
	/* No helper is called: any license string will do. */
	attr.license = (uint64_t)(uintptr_t) "MIT";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "minirun_dev");
	if (log != NULL) {
		log[0] = '\0';
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = (uint32_t)log_size;
		attr.log_level = 1;
	}
	for (;;) {
		long fd = sys_bpf(BPF_PROG_LOAD, &attr);
		if (fd >= 0 || errno != EINTR)
			return (int)fd;
	}
}

int
mr_device_bpf_attach(int cgfd, const char *path, const struct mr_device_rule *rules, size_t n,
		     struct mr_error *err)
{
	struct bpf_insn insns[MR_DEVICE_BPF_MAX_INSNS(MR_DEVICE_BPF_MAX_RULES)];
	union bpf_attr attr;

	if (n > MR_DEVICE_BPF_MAX_RULES)
		return mr_error_set(err, E2BIG, "device policy: %zu rules", n);
	size_t count = mr_device_bpf_build(rules, n, insns);

	/*
	 * Fails with EPERM without CAP_BPF/CAP_SYS_ADMIN (or, before Linux
	 * 5.11, with RLIMIT_MEMLOCK too low), EINVAL when the kernel has no
	 * CONFIG_CGROUP_BPF (unknown program type), ENOSYS without
	 * CONFIG_BPF_SYSCALL.  Never run on without the policy: the container
	 * would reach every device of the host.
	 */
	cleanup_close int prog = load(insns, count, NULL, 0);
	if (prog < 0) {
		int e = errno;
		char log[4096] = "";
		/* A verifier refusal: load again for its reason (rare: costs a log). */
		if (e == EACCES || e == EINVAL) {
			int again = load(insns, count, log, sizeof(log));
			if (again >= 0)
				close(again);
		}
		const char *why = last_line(log);
		return mr_error_set(err, e,
				    "device policy: cannot load the cgroup v2 BPF device program "
				    "(it needs CAP_BPF or CAP_SYS_ADMIN and a kernel with "
				    "CONFIG_CGROUP_BPF; --privileged runs without one)%s%s%s",
				    *why ? " (verifier: " : "", why, *why ? ")" : "");
	}

	/*
	 * BPF_F_ALLOW_MULTI: the programs of the parent cgroups keep running
	 * for the container too (the kernel runs every attached program up to
	 * the root; all must allow), and a program attached below ours adds
	 * to it, never replaces it.  Attached here, before the
	 * container is cloned into the cgroup: no instant without the policy.
	 */
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return mr_error_set(err, errno,
				    "device policy: cannot attach the BPF device program to "
				    "cgroup %s",
				    path);
	/* The attachment holds the program; rmdir of the cgroup releases it. */
	return 0;
}
