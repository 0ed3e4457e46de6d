/* SPDX-License-Identifier: MIT */
/*
 * lib/seccomp/bpf-eval.c: mr_bpf_eval must answer what the kernel does.  For compiled
 * profiles (examples/profiles, tests/data/seccomp fixtures) and hand-written
 * programs, every (syscall, arguments) pair is evaluated and also run for
 * real: the program is installed in a fresh child (no_new_privs) that makes
 * the raw syscall and reports the outcome.  The evaluator's SECCOMP_RET_*
 * value predicts that outcome: ALLOW and LOG give what the same call gives
 * unfiltered, ERRNO(e) gives -e, TRACE (no tracer) ENOSYS, KILL and TRAP
 * death by SIGSYS.  Then the evaluator alone on invalid programs, and the
 * kernel's own verdict on them.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "seccomp/bpf-eval.h"
#include "seccomp/program.h"
#include "seccomp_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define MR_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MR_UNDER_ASAN 1
#endif
#endif

#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#define TEST_AUDIT_ARCH 0
#endif

/* The outcome of one raw syscall: >= 0 an errno (0: success), < 0 -signal. */
#define OUT_INSTALL_ERR 250
#define OUT_TIMEOUT	(-1000)

struct call {
	const char *what;
	long nr;
	unsigned long args[6];
};

/* Harmless with these arguments when allowed (bad fds, paths, magic numbers). */
static const struct call calls[] = {
    {"getpid", SYS_getpid, {0}},
    {"getppid", SYS_getppid, {0}},
    {"mkdirat(-1, \"\")", SYS_mkdirat, {(unsigned long)-1, (unsigned long)"", 0700}},
    {"mkdirat(AT_FDCWD, \"\")", SYS_mkdirat, {(unsigned long)AT_FDCWD, (unsigned long)"", 0700}},
#ifdef SYS_mkdir
    {"mkdir(\"\")", SYS_mkdir, {(unsigned long)"", 0700}},
    {"chmod(\"\")", SYS_chmod, {(unsigned long)"", 0}},
#endif
    {"fchmodat(-1, \"\")", SYS_fchmodat, {(unsigned long)-1, (unsigned long)"", 0}},
    {"mount(none)",
     SYS_mount,
     {(unsigned long)"none", (unsigned long)"/nonexistent-mr", (unsigned long)"tmpfs", 0, 0}},
    {"umount2(\"\")", SYS_umount2, {(unsigned long)"", 0}},
    {"socket(AF_ALG)", SYS_socket, {38, SOCK_SEQPACKET, 0}},
    {"socket(AF_UNIX)", SYS_socket, {AF_UNIX, SOCK_STREAM, 0}},
    {"socket(AF_UNIX | 1<<32)", SYS_socket, {AF_UNIX | (1UL << 32), SOCK_STREAM, 0}},
    {"socket(AF_NETLINK)", SYS_socket, {16, SOCK_RAW, 0}},
    {"clone3(NULL, 0)", SYS_clone3, {0, 0}},
    {"syscall 1000", 1000, {0}},
    {"syscall 0x3fffffff", 0x3fffffff, {0}},
    {"getpriority(0, 0)", SYS_getpriority, {0, 0}},
    {"getpriority(1, 0)", SYS_getpriority, {1, 0}},
    {"getpriority(2, 0)", SYS_getpriority, {2, 0}},
    {"getpriority(1 | 1<<32, 0)", SYS_getpriority, {1 | (1UL << 32), 0}},
    {"setpriority(0, 0x412345, 0)", SYS_setpriority, {0, 0x412345, 0}},
    {"setpriority(0, 0x454321, 0)", SYS_setpriority, {0, 0x454321, 0}},
    {"getpgid(0x1234)", SYS_getpgid, {0x1234}},
    {"getpgid(0x3434)", SYS_getpgid, {0x3434}},
    {"getpgid(0x1_0000_1234)", SYS_getpgid, {0x100001234UL}},
    {"personality(0xffffffff)", SYS_personality, {0xffffffffUL}},
    {"personality(0x1234)", SYS_personality, {0x1234}},
    {"setns(-1, 0)", SYS_setns, {(unsigned long)-1, 0}},
    {"setns(1000, 0)", SYS_setns, {1000, 0}},
    {"ioctl(-1, TCGETS)", SYS_ioctl, {(unsigned long)-1, 0x5401}},
    {"ioctl(-1, TIOCSTI)", SYS_ioctl, {(unsigned long)-1, 0x5412}},
    {"fchdir(-1)", SYS_fchdir, {(unsigned long)-1}},
    {"fchdir(2000)", SYS_fchdir, {2000}},
    {"fdatasync(-1)", SYS_fdatasync, {(unsigned long)-1}},
    {"dup(-1)", SYS_dup, {(unsigned long)-1}},
    {"unshare(0)", SYS_unshare, {0}},
    {"reboot(bad magic)", SYS_reboot, {0, 0, 0, 0}},
    {"ptrace(-1)", SYS_ptrace, {(unsigned long)-1, 0, 0, 0}},
    {"kcmp(-1)", SYS_kcmp, {(unsigned long)-1, (unsigned long)-1, 0, 0, 0}},
    {"bpf(-1)", SYS_bpf, {(unsigned long)-1, 0, 0}},
    {"keyctl(-1)", SYS_keyctl, {(unsigned long)-1, 0, 0, 0, 0}},
    {"add_key(NULL)", SYS_add_key, {0, 0, 0, 0, 0}},
    {"acct(\"\")", SYS_acct, {(unsigned long)"", 0}},
    {"sethostname(NULL, -1)", SYS_sethostname, {0, (unsigned long)-1}},
    {"kill(0, 0)", SYS_kill, {0, 0}},
    {"close(-1)", SYS_close, {(unsigned long)-1}},
    {"fsync(-1)", SYS_fsync, {(unsigned long)-1}},
};

/* Reset the deadly signals with the raw syscall (ASan does not see it):
 * see probe_under in test_filter.c. */
static void
child_default_signals(void)
{
	static const int deadly[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS, SIGABRT};
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} dfl = {0};
	for (size_t k = 0; k < sizeof(deadly) / sizeof(deadly[0]); k++)
		syscall(SYS_rt_sigaction, deadly[k], &dfl, NULL, sizeof(dfl.mask));
}

/* Wait up to 3 s for pid; returns its outcome (see OUT_*). */
static int
reap(pid_t pid)
{
	int st;
	pid_t w = 0;
	for (int ms = 0; ms < 3000 && (w = waitpid(pid, &st, WNOHANG)) == 0; ms++)
		usleep(1000);
	if (w == 0) {
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		return OUT_TIMEOUT;
	}
	ck_assert_int_eq(w, pid);
	if (WIFSIGNALED(st))
		return -WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Run c in a fresh child, under prog when prog != NULL. */
static int
kernel_outcome(const struct sock_filter *prog, size_t n, const struct call *c)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		child_default_signals();
		if (prog != NULL) {
			struct sock_fprog fp = {.len = (unsigned short)n,
						.filter = (struct sock_filter *)prog};
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
			    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
				_exit(OUT_INSTALL_ERR);
		}
		errno = 0;
		long r = syscall(c->nr, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4],
				 c->args[5]);
		_exit(r < 0 ? (errno & 0xff) : 0);
	}
	return reap(pid);
}

/* The outcome the evaluator's answer predicts, given the unfiltered one. */
static int
predicted(uint32_t ret, int unfiltered)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return unfiltered;
	case SECCOMP_RET_ERRNO:
		/* the kernel caps the errno at MAX_ERRNO (4095); the child reports & 0xff */
		return (int)((ret & SECCOMP_RET_DATA) > 4095 ? 4095 : (ret & SECCOMP_RET_DATA)) &
		       0xff;
	case SECCOMP_RET_TRACE:
		return ENOSYS;
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
		return -SIGSYS;
	default:
		return -9999; /* USER_NOTIF and unknown: no test program returns them */
	}
}

static int unfiltered[sizeof(calls) / sizeof(calls[0])];
static bool have_unfiltered;

static void
compute_unfiltered(void)
{
	if (have_unfiltered)
		return;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		unfiltered[i] = kernel_outcome(NULL, 0, &calls[i]);
	have_unfiltered = true;
}

/* Every call: the evaluator's prediction is what the kernel did.  Returns how
 * many calls the program refused (so a test can check it saw both kinds). */
static size_t
compare_all(const char *name, const struct sock_filter *prog, size_t n)
{
	size_t refused = 0;
	compute_unfiltered();
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		const struct call *c = &calls[i];
		struct seccomp_data d = {.nr = (int)c->nr, .arch = TEST_AUDIT_ARCH};
		for (int a = 0; a < 6; a++)
			d.args[a] = c->args[a];
		uint32_t ret = 0xdeadbeef;
		ck_assert_msg(mr_bpf_eval(prog, n, &d, &ret) == 0, "%s: %s: evaluator failed", name,
			      c->what);
		int want = predicted(ret, unfiltered[i]);
		int got = kernel_outcome(prog, n, c);
		ck_assert_msg(got == want,
			      "%s: %s: evaluator says 0x%08x (predicting %d), kernel gave %d "
			      "(unfiltered %d)",
			      name, c->what, ret, want, got, unfiltered[i]);
		if ((ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ALLOW &&
		    (ret & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_LOG)
			refused++;
	}
	return refused;
}

/*
 * mr_bpf_outcomes_with_bits is sound: whatever a call with those bits among
 * its first argument meets (mr_bpf_eval on random values of every other bit
 * and argument) is among the outcomes it lists.
 */
struct ret_set {
	uint32_t rets[64];
	size_t n;
};

static void
add_ret(uint32_t ret, void *arg)
{
	struct ret_set *set = arg;
	for (size_t i = 0; i < set->n; i++)
		if (set->rets[i] == ret)
			return;
	ck_assert_uint_lt(set->n, 64);
	set->rets[set->n++] = ret;
}

static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void
check_with_bits(const char *name, const struct sock_filter *prog, size_t n)
{
	static const long nrs[] = {SYS_clone, SYS_unshare, SYS_personality, SYS_socket, SYS_getpid};
	static const uint32_t bits[] = {
	    0, 0x02000000 /* CLONE_NEWCGROUP */, 0x10000000, 0x8, 0x7e020000, 0xffffffff};
	uint64_t state = 0x9e3779b97f4a7c15ULL;
	for (size_t c = 0; c < sizeof(nrs) / sizeof(nrs[0]); c++)
		for (size_t b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
			struct ret_set set = {.n = 0};
			ck_assert_int_eq(mr_bpf_outcomes_with_bits(prog, n, TEST_AUDIT_ARCH,
								   (int)nrs[c], 0, bits[b], add_ret,
								   &set),
					 0);
			for (int round = 0; round < 300; round++) {
				struct seccomp_data d = {.nr = (int)nrs[c],
							 .arch = TEST_AUDIT_ARCH};
				for (int a = 0; a < 6; a++)
					d.args[a] = next_random(&state);
				/* small values and a clear high word too, as real flags have */
				if (round % 3 == 0)
					d.args[0] &= 0xffffffffULL >> (round % 29);
				d.args[0] |= bits[b];
				/* Not ck_assert here: Check writes a mark point (a
				   syscall) for every passing assertion. */
				uint32_t ret;
				if (mr_bpf_eval(prog, n, &d, &ret) != 0)
					ck_abort_msg("%s: syscall %ld: evaluator failed", name,
						     nrs[c]);
				bool listed = false;
				for (size_t i = 0; i < set.n; i++)
					listed |= set.rets[i] == ret;
				if (!listed)
					ck_abort_msg(
					    "%s: syscall %ld, arg0 0x%llx: eval says 0x%08x, not "
					    "among the %zu outcomes listed for bits 0x%x",
					    name, nrs[c], (unsigned long long)d.args[0], ret, set.n,
					    bits[b]);
			}
		}
}

/* A profile compiled as minirun would (mr_seccomp_prepare, Docker's caps). */
static size_t
compare_profile(const char *path)
{
	struct mr_seccomp_request req = {
	    .profile = path, .explicit_profile = true, .bounding = TEST_CAPS_DOCKER};
	struct mr_seccomp_prepared p;
	struct mr_error err = {0};
	ck_assert_msg(mr_seccomp_prepare(&req, &p, &err) == 0, "%s: %s", path, err.msg);
	ck_assert(p.enabled);
	size_t refused = compare_all(path, p.insns, p.n_insns);
	check_with_bits(path, p.insns, p.n_insns);
	mr_seccomp_prepared_clear(&p);
	return refused;
}

/* ----------------------------------------------------------- compiled profiles */

START_TEST(test_examples)
{
	static const char *const names[] = {"default.json", "no-mkdir.json", "no-chmod.json",
					    "log-all.json"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = test_example(names[i]);
		size_t refused = compare_profile(path);
		if (strcmp(names[i], "log-all.json") == 0)
			ck_assert_uint_eq(refused, 0);
		else
			ck_assert_uint_gt(refused, 0);
		free(path);
	}
}
END_TEST

START_TEST(test_builtin_default)
{
	struct mr_seccomp_request req = {.bounding = TEST_CAPS_DOCKER};
	struct mr_seccomp_prepared p;
	struct mr_error err = {0};
	ck_assert_msg(mr_seccomp_prepare(&req, &p, &err) == 0, "%s", err.msg);
	ck_assert_uint_gt(compare_all("built-in default", p.insns, p.n_insns), 0);
	check_with_bits("built-in default", p.insns, p.n_insns);
	mr_seccomp_prepared_clear(&p);
	/* and for a wider bounding set (the CAP_SYS_ADMIN group is allowed) */
	req.bounding = TEST_CAPS_DOCKER | MR_CAP_BIT(21);
	ck_assert_msg(mr_seccomp_prepare(&req, &p, &err) == 0, "%s", err.msg);
	compare_all("built-in default + CAP_SYS_ADMIN", p.insns, p.n_insns);
	check_with_bits("built-in default + CAP_SYS_ADMIN", p.insns, p.n_insns);
	mr_seccomp_prepared_clear(&p);
}
END_TEST

START_TEST(test_fixtures)
{
	/* argument rules (OR, AND, MASKED_EQ), errnoRet, KILL, default errno */
	static const char *const names[] = {
	    "args-or-and.json",
	    "errno-100.json",
#ifndef MR_UNDER_ASAN
	    /* allows little more than read, write and exit_group: under it
	       ASan's runtime cannot map memory (see test_filter.c) */
	    "action-equals-default.json",
#endif
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = test_fixture(names[i]);
		ck_assert_uint_gt(compare_profile(path), 0);
		free(path);
	}
}
END_TEST

START_TEST(test_shared_profiles)
{
	static const char *const names[] = {"docker-labs_default.json", "moby-moby_default.json",
					    "containers-common_seccomp.json"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = test_shared_profile(names[i]);
		ck_assert_uint_gt(compare_profile(path), 0);
		free(path);
	}
}
END_TEST

/* ----------------------------------------------------------- hand-written */

#define LD_NR	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define LD_ARCH BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch))
#define LD_ARG_LO(i)                                                                               \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * (i))
#define LD_ARG_HI(i)                                                                               \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#define RET(k)	 BPF_STMT(BPF_RET | BPF_K, (k))
#define ALLOW	 RET(SECCOMP_RET_ALLOW)
#define ERRNO(e) RET(SECCOMP_RET_ERRNO | (e))

#define N(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(test_hand_jset_jge)
{
	/* arch check; getpgid: arg0 & 0x1000 -> ENETDOWN, arg0 >= 0x3000 -> EDOM;
	   getpriority: arg0 > 1 -> ENOTBLK; socket: high word of arg0 != 0 -> ERANGE;
	   syscall nr >= 1000 -> TRACE; mkdirat -> KILL_PROCESS */
	struct sock_filter prog[] = {
	    LD_ARCH,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    LD_NR,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpgid, 0, 5),
	    LD_ARG_LO(0),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1000, 0, 1),
	    ERRNO(ENETDOWN),
	    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x3000, 0, 1),
	    ERRNO(EDOM),
	    /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpriority, 0, 3),
	    LD_ARG_LO(0),
	    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 1),
	    ERRNO(ENOTBLK),
	    /* 14 */ LD_NR,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 3),
	    LD_ARG_HI(0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
	    ERRNO(ERANGE),
	    /* 19 */ LD_NR,
	    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 1000, 0, 1),
	    RET(SECCOMP_RET_TRACE),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mkdirat, 0, 1),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    ALLOW,
	};
	ck_assert_uint_gt(compare_all("jset/jge", prog, N(prog)), 0);
}
END_TEST

START_TEST(test_hand_alu_mem)
{
	/*
	 * errno computed with the ALU and scratch memory: for fchdir, fdatasync
	 * and dup (arg0 = -1 or 2000), errno = ((nr * 3 + 7 - 2) / 2 ^ 5 | 1 & 0x7f)
	 * mixed with the stored arg, folded through X and memory; RET A.
	 */
	struct sock_filter prog[] = {
	    LD_ARCH,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    LD_NR,
	    BPF_STMT(BPF_ST, 0), /* mem[0] = nr */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fchdir, 3, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_fdatasync, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_dup, 1, 0),
	    ALLOW,
	    /* 9 */ LD_ARG_LO(0),
	    BPF_STMT(BPF_MISC | BPF_TAX, 0), /* X = arg0 */
	    BPF_STMT(BPF_STX, 3),	     /* mem[3] = arg0 */
	    BPF_STMT(BPF_LD | BPF_MEM, 0),   /* A = nr */
	    BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 3),
	    BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 7),
	    BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 2),
	    BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 2),
	    BPF_STMT(BPF_ALU | BPF_XOR | BPF_K, 5),
	    BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 1),
	    BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 4),
	    BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 3),
	    BPF_STMT(BPF_ST, 1),	    /* mem[1] = A */
	    BPF_STMT(BPF_LDX | BPF_MEM, 3), /* X = arg0 */
	    BPF_STMT(BPF_LD | BPF_MEM, 1),
	    BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0), /* A += arg0 (wraps for -1) */
	    BPF_STMT(BPF_ALU | BPF_NEG, 0),
	    BPF_STMT(BPF_ALU | BPF_NEG, 0),
	    BPF_STMT(BPF_LDX | BPF_IMM, 0x7f),
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_X, 0), /* A &= 0x7f */
	    BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 1),  /* never 0 */
	    BPF_STMT(BPF_MISC | BPF_TAX, 0),
	    BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0), /* A = sizeof(seccomp_data) = 64 */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, sizeof(struct seccomp_data), 1, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    BPF_STMT(BPF_MISC | BPF_TXA, 0),
	    BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
	    BPF_STMT(BPF_RET | BPF_A, 0),
	};
	ck_assert_uint_eq(compare_all("alu/mem", prog, N(prog)), 4); /* fchdir x2, fdatasync, dup */
}
END_TEST

START_TEST(test_hand_ja_and_x)
{
	/* JA over a KILL; JEQ/JGT/JSET against X; LOG for getppid; errno 0 (success
	   without running) for kill(0, 0) */
	struct sock_filter prog[] = {
	    LD_ARCH,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    LD_NR,
	    BPF_STMT(BPF_LDX | BPF_IMM, SYS_getppid),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1),
	    RET(SECCOMP_RET_LOG),
	    BPF_STMT(BPF_LDX | BPF_IMM, SYS_kill),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1),
	    ERRNO(0),
	    BPF_STMT(BPF_LDX | BPF_IMM, SYS_setpriority),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 5),
	    LD_ARG_LO(1),
	    BPF_STMT(BPF_LDX | BPF_IMM, 0x430000),
	    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 1),
	    ERRNO(EXDEV),  /* 0x454321 */
	    ERRNO(ECHILD), /* 0x412345 */
	    BPF_STMT(BPF_LDX | BPF_IMM, 0x100),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1), /* nr & 0x100 */
	    ERRNO(4096 + 5),				   /* above MAX_ERRNO: the kernel caps it */
	    ALLOW,
	};
	ck_assert_uint_gt(compare_all("ja/x", prog, N(prog)), 0);
}
END_TEST

/*
 * And precise where it matters: Docker's default lets clone through only
 * with no namespace flag (argument masked with 0x7e020000, compared with 0),
 * so with CLONE_NEWCGROUP known to be set it can only be refused, though
 * clone as such is allowed.  With CAP_SYS_ADMIN it gets through.
 */
START_TEST(test_with_bits_builtin)
{
	struct mr_seccomp_request req = {.bounding = TEST_CAPS_DOCKER};
	struct mr_seccomp_prepared p;
	struct mr_error err = {0};
	ck_assert_msg(mr_seccomp_prepare(&req, &p, &err) == 0, "%s", err.msg);
	struct ret_set any = {.n = 0}, ns = {.n = 0}, unshare = {.n = 0};
	ck_assert_int_eq(
	    mr_bpf_outcomes(p.insns, p.n_insns, TEST_AUDIT_ARCH, SYS_clone, add_ret, &any), 0);
	ck_assert_int_eq(mr_bpf_outcomes_with_bits(p.insns, p.n_insns, TEST_AUDIT_ARCH, SYS_clone,
						   0, 0x02000000, add_ret, &ns),
			 0);
	ck_assert_int_eq(mr_bpf_outcomes_with_bits(p.insns, p.n_insns, TEST_AUDIT_ARCH, SYS_unshare,
						   0, 0x02000000, add_ret, &unshare),
			 0);
	bool any_allows = false;
	for (size_t i = 0; i < any.n; i++)
		any_allows |= any.rets[i] == SECCOMP_RET_ALLOW;
	ck_assert(any_allows);
	ck_assert_uint_eq(ns.n, 1);
	ck_assert_uint_eq(ns.rets[0], SECCOMP_RET_ERRNO | EPERM);
	ck_assert_uint_eq(unshare.n, 1);
	ck_assert_uint_eq(unshare.rets[0], SECCOMP_RET_ERRNO | EPERM);
	mr_seccomp_prepared_clear(&p);

	req.bounding = TEST_CAPS_DOCKER | MR_CAP_BIT(21);
	ck_assert_msg(mr_seccomp_prepare(&req, &p, &err) == 0, "%s", err.msg);
	struct ret_set admin = {.n = 0};
	ck_assert_int_eq(mr_bpf_outcomes_with_bits(p.insns, p.n_insns, TEST_AUDIT_ARCH, SYS_clone,
						   0, 0x02000000, add_ret, &admin),
			 0);
	ck_assert_uint_eq(admin.n, 1);
	ck_assert_uint_eq(admin.rets[0], SECCOMP_RET_ALLOW);
	mr_seccomp_prepared_clear(&p);
}
END_TEST

/*
 * prepare.c skips the walk for the built-in default and takes "it has
 * CAP_SYS_ADMIN" instead: the walk, on every architecture, must say the same
 * for every capability set.
 */
START_TEST(test_lets_namespace_builtin)
{
	static const mr_capset sets[] = {0,
					 TEST_CAPS_DOCKER,
					 TEST_CAPS_DOCKER | MR_CAP_BIT(21),
					 MR_CAP_BIT(21),
					 TEST_CAPS_DOCKER | MR_CAP_BIT(19) | MR_CAP_BIT(12),
					 ~(mr_capset)0,
					 ~(mr_capset)0 & ~MR_CAP_BIT(21)};
	for (size_t i = 0; i < N(sets); i++) {
		struct mr_seccomp_request req = {.bounding = sets[i]};
		struct mr_seccomp_prepared p;
		struct mr_error err = {0};
		const char *call;
		uint32_t arch;
		ck_assert_msg(mr_seccomp_prepare(&req, &p, &err) == 0, "%s", err.msg);
		ck_assert(p.builtin);
		bool admin = (sets[i] & MR_CAP_BIT(21)) != 0;
		bool lets = mr_seccomp_lets_namespace(&p, 0x02000000, &call, &arch);
		ck_assert_msg(lets == admin, "capabilities 0x%llx: walk says %d (%s on 0x%x)",
			      (unsigned long long)sets[i], lets, lets ? call : "-", arch);
		mr_seccomp_prepared_clear(&p);
	}
}
END_TEST

/*
 * Many conditional rules on unshare and clone, CLONE_NEWCGROUP refused last:
 * every rule's fail side leads to the next one, so the paths join again
 * there.  Counted one by one they multiplied with each rule: the walk took
 * the million steps of its limit (6 ms) and answered "too branchy", which
 * reads as "lets it through".  It must find the one outcome, at once.
 */
START_TEST(test_lets_namespace_many_rules)
{
	char *path = NULL;
	ck_assert_int_ge(asprintf(&path, "%s/no-cgroupns-many-rules.json",
				  test_env_dir("MR_SECCOMP_IT_DATA", "tests/data/seccomp-it")),
			 0);
	struct mr_seccomp_request req = {
	    .profile = path, .explicit_profile = true, .bounding = TEST_CAPS_DOCKER};
	struct mr_seccomp_prepared p;
	struct mr_error err = {0};
	ck_assert_msg(mr_seccomp_prepare(&req, &p, &err) == 0, "%s", err.msg);
	static const long nrs[] = {SYS_unshare, SYS_clone};
	for (size_t i = 0; i < N(nrs); i++) {
		struct ret_set set = {.n = 0};
		ck_assert_int_eq(mr_bpf_outcomes_with_bits(p.insns, p.n_insns, TEST_AUDIT_ARCH,
							   (int)nrs[i], 0, 0x02000000, add_ret,
							   &set),
				 0);
		ck_assert_uint_eq(set.n, 1);
		ck_assert_uint_eq(set.rets[0], SECCOMP_RET_ERRNO | EPERM);
	}
	const char *call;
	uint32_t arch;
	ck_assert_msg(!mr_seccomp_lets_namespace(&p, 0x02000000, &call, &arch), "%s on 0x%x", call,
		      arch);
	check_with_bits(path, p.insns, p.n_insns);
	mr_seccomp_prepared_clear(&p);
	free(path);
}
END_TEST

/* Each kind of jump on a partly known value, and what the ALU keeps known. */
START_TEST(test_with_bits_hand)
{
	struct sock_filter prog[] = {
	    LD_NR,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpgid, 0, 3),
	    LD_ARG_LO(0),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x10, 0, 15), /* getpgid: & 0x10 */
	    ERRNO(1),
	    /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpriority, 0, 3),
	    LD_ARG_LO(0),
	    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x3000, 0, 11), /* getpriority: >= 0x3000 */
	    ERRNO(2),
	    /* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getsid, 0, 4),
	    LD_ARG_LO(0),
	    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff00), /* getsid: (arg & 0xff00) == 0 */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 6, 0),
	    ERRNO(3),
	    /* 14 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_setpgid, 0, 4),
	    LD_ARG_LO(0),
	    BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 0x1), /* setpgid: (arg | 1) > 0x100 */
	    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0x100, 0, 1),
	    ERRNO(4),
	    /* 19 */ ALLOW,
	    ALLOW,
	};
	static const struct {
		long nr;
		uint32_t bits;
		uint32_t want[2];
		size_t n_want;
	} cases[] = {
	    {SYS_getpgid, 0x10, {SECCOMP_RET_ERRNO | 1}, 1},
	    {SYS_getpgid, 0x01, {SECCOMP_RET_ERRNO | 1, SECCOMP_RET_ALLOW}, 2},
	    {SYS_getpriority, 0x4000, {SECCOMP_RET_ERRNO | 2}, 1},
	    {SYS_getpriority, 0x1000, {SECCOMP_RET_ERRNO | 2, SECCOMP_RET_ALLOW}, 2},
	    {SYS_getsid, 0x0100, {SECCOMP_RET_ERRNO | 3}, 1},
	    {SYS_getsid, 0x10000, {SECCOMP_RET_ERRNO | 3, SECCOMP_RET_ALLOW}, 2},
	    {SYS_setpgid, 0x200, {SECCOMP_RET_ERRNO | 4}, 1},
	    {SYS_setpgid, 0x0, {SECCOMP_RET_ERRNO | 4, SECCOMP_RET_ALLOW}, 2},
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct ret_set set = {.n = 0};
		ck_assert_int_eq(mr_bpf_outcomes_with_bits(prog, N(prog), TEST_AUDIT_ARCH,
							   (int)cases[i].nr, 0, cases[i].bits,
							   add_ret, &set),
				 0);
		ck_assert_msg(set.n == cases[i].n_want, "case %zu: %zu outcomes", i, set.n);
		for (size_t w = 0; w < cases[i].n_want; w++) {
			bool found = false;
			for (size_t k = 0; k < set.n; k++)
				found |= set.rets[k] == cases[i].want[w];
			ck_assert_msg(found, "case %zu: 0x%08x missing", i, cases[i].want[w]);
		}
	}
	check_with_bits("hand", prog, N(prog));
	struct ret_set none = {.n = 0};
	ck_assert_int_eq(mr_bpf_outcomes_with_bits(prog, N(prog), TEST_AUDIT_ARCH, SYS_getpgid, 6,
						   1, add_ret, &none),
			 -1);
}
END_TEST

/* ----------------------------------------------------------- the evaluator alone */

static int
eval_nr(const struct sock_filter *prog, size_t n, int nr, uint32_t *ret)
{
	struct seccomp_data d = {.nr = nr, .arch = TEST_AUDIT_ARCH};
	*ret = 0xdeadbeef;
	return mr_bpf_eval(prog, n, &d, ret);
}

START_TEST(test_eval_valid)
{
	uint32_t ret;
	struct sock_filter allow[] = {ALLOW};
	ck_assert_int_eq(eval_nr(allow, 1, 0, &ret), 0);
	ck_assert_uint_eq(ret, SECCOMP_RET_ALLOW);
	/* RET A after LD IMM: the full 32 bits */
	struct sock_filter reta[] = {BPF_STMT(BPF_LD | BPF_IMM, 0x7ff00000u | 42),
				     BPF_STMT(BPF_RET | BPF_A, 0)};
	ck_assert_int_eq(eval_nr(reta, 2, 0, &ret), 0);
	ck_assert_uint_eq(ret, 0x7ff00000u | 42);
	/* the first RET reached ends it */
	struct sock_filter two[] = {ERRNO(1), ERRNO(2)};
	ck_assert_int_eq(eval_nr(two, 2, 0, &ret), 0);
	ck_assert_uint_eq(ret, SECCOMP_RET_ERRNO | 1);
	/* the instruction pointer and high words are loadable */
	struct seccomp_data d = {.nr = 1, .arch = 2, .instruction_pointer = 0x1122334455667788ULL};
	d.args[5] = 0xaabbccdd00000000ULL;
	struct sock_filter ip[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
	    BPF_STMT(BPF_ST, 15),
	    LD_ARG_HI(5),
	    BPF_STMT(BPF_MISC | BPF_TAX, 0),
	    BPF_STMT(BPF_LD | BPF_MEM, 15),
	    BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
	    BPF_STMT(BPF_RET | BPF_A, 0)};
	ck_assert_int_eq(mr_bpf_eval(ip, N(ip), &d, &ret), 0);
	ck_assert_uint_eq(ret, 0x55667788u ^ 0xaabbccddu);
	/* shifts by 32 or more give 0, as the kernel's interpreter */
	struct sock_filter sh[] = {
	    BPF_STMT(BPF_LD | BPF_IMM, 0xffffffffu), BPF_STMT(BPF_LDX | BPF_IMM, 40),
	    BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0), BPF_STMT(BPF_RET | BPF_A, 0)};
	ck_assert_int_eq(eval_nr(sh, N(sh), 0, &ret), 0);
	ck_assert_uint_eq(ret, 0);
}
END_TEST

/* mr_bpf_max_nr_not: the highest number, in a range, that escapes the default. */
START_TEST(test_max_nr_not)
{
	const uint32_t deflt = SECCOMP_RET_ERRNO | EPERM;
	int64_t max;
	struct sock_filter prog[] = {
	    LD_ARCH,
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 7, 1, 0),
	    RET(SECCOMP_RET_KILL_PROCESS), /* another arch */
	    LD_NR,
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x40000000, 9, 0), /* x32 half: 14 */
	    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 100, 2, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 5, 0), /* 5: allow */
	    ERRNO(EPERM),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 393, 0, 2),
	    LD_ARG_LO(0), /* 393: ERRNO(EACCES) if arg0 == 1 */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0),
	    ERRNO(EPERM),
	    ALLOW,
	    ERRNO(EACCES),
	    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000010, 0, 1), /* x32: from 16 on */
	    ALLOW,
	    ERRNO(EPERM),
	};
	ck_assert_int_eq(mr_bpf_max_nr_not(prog, N(prog), 7, 0, 0x3fffffff, deflt, &max), 0);
	ck_assert_int_eq(max, 393); /* behind an argument check, it still counts */
	ck_assert_int_eq(mr_bpf_max_nr_not(prog, N(prog), 7, 0, 392, deflt, &max), 0);
	ck_assert_int_eq(max, 5);
	ck_assert_int_eq(mr_bpf_max_nr_not(prog, N(prog), 7, 6, 100, deflt, &max), 0);
	ck_assert_int_eq(max, -1);
	/* the x32 half: every number from 0x40000010 up escapes */
	ck_assert_int_eq(mr_bpf_max_nr_not(prog, N(prog), 7, 0x40000000, 0x7fffffff, deflt, &max),
			 0);
	ck_assert_int_eq(max, 0x7fffffff);
	ck_assert_int_eq(mr_bpf_max_nr_not(prog, N(prog), 7, 0x40000000, 0x4000000f, deflt, &max),
			 0);
	ck_assert_int_eq(max, -1);
	/* another arch: KILL for every number */
	ck_assert_int_eq(mr_bpf_max_nr_not(prog, N(prog), 8, 0, 1000, deflt, &max), 0);
	ck_assert_int_eq(max, 1000);

	/* arithmetic on the number: no longer narrowed, the answer errs high */
	struct sock_filter alu[] = {
	    LD_NR,
	    BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 1), /* nr + 1 == 6 */
	    ALLOW,
	    ERRNO(EPERM),
	};
	ck_assert_int_eq(mr_bpf_max_nr_not(alu, N(alu), 7, 0, 500, deflt, &max), 0);
	ck_assert_int_eq(max, 500);
	/* an invalid program */
	struct sock_filter bad[] = {LD_NR};
	ck_assert_int_eq(mr_bpf_max_nr_not(bad, N(bad), 7, 0, 500, deflt, &max), -1);
}
END_TEST

START_TEST(test_eval_invalid)
{
	uint32_t ret;
	/* no RET: falls off the end */
	struct sock_filter noret[] = {LD_NR, BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1)};
	ck_assert_int_eq(eval_nr(noret, N(noret), 0, &ret), -1);
	ck_assert_int_eq(eval_nr(noret, 0, 0, &ret), -1); /* empty */
	/* jumps out of range: conditional (both branches) and JA */
	struct sock_filter jt[] = {LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 7, 0), ALLOW};
	ck_assert_int_eq(eval_nr(jt, N(jt), 5, &ret), -1);
	struct sock_filter jf[] = {LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 7), ALLOW};
	ck_assert_int_eq(eval_nr(jf, N(jf), 6, &ret), -1);
	struct sock_filter ja[] = {BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0), ALLOW};
	ck_assert_int_eq(eval_nr(ja, N(ja), 0, &ret), -1);
	/* a jump to exactly past the end */
	struct sock_filter jend[] = {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), ALLOW};
	ck_assert_int_eq(eval_nr(jend, N(jend), 0, &ret), -1);
	/* loads outside seccomp_data, misaligned, or not 32-bit */
	struct sock_filter far[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), ALLOW};
	ck_assert_int_eq(eval_nr(far, N(far), 0, &ret), -1);
	struct sock_filter mis[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), ALLOW};
	ck_assert_int_eq(eval_nr(mis, N(mis), 0, &ret), -1);
	struct sock_filter half[] = {BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), ALLOW};
	ck_assert_int_eq(eval_nr(half, N(half), 0, &ret), -1);
	struct sock_filter ind[] = {BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), ALLOW};
	ck_assert_int_eq(eval_nr(ind, N(ind), 0, &ret), -1);
	/* scratch memory out of range */
	struct sock_filter mem[] = {BPF_STMT(BPF_ST, BPF_MEMWORDS), ALLOW};
	ck_assert_int_eq(eval_nr(mem, N(mem), 0, &ret), -1);
	struct sock_filter ldm[] = {BPF_STMT(BPF_LD | BPF_MEM, BPF_MEMWORDS), ALLOW};
	ck_assert_int_eq(eval_nr(ldm, N(ldm), 0, &ret), -1);
	/* division by zero (X = 0) */
	struct sock_filter div[] = {BPF_STMT(BPF_LD | BPF_IMM, 1), BPF_STMT(BPF_LDX | BPF_IMM, 0),
				    BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0), ALLOW};
	ck_assert_int_eq(eval_nr(div, N(div), 0, &ret), -1);
	/* unknown opcodes */
	struct sock_filter bad[] = {BPF_STMT(BPF_JMP | 0xf0, 0), ALLOW};
	ck_assert_int_eq(eval_nr(bad, N(bad), 0, &ret), -1);
	struct sock_filter ldb[] = {BPF_STMT(BPF_LD | BPF_W | 0xe0, 0), ALLOW};
	ck_assert_int_eq(eval_nr(ldb, N(ldb), 0, &ret), -1);
}
END_TEST

START_TEST(test_eval_load_offset_wraps)
{
	/* an offset near 2^32: off + 4 must not wrap around the bounds check
	   (a separate test: when it does, the evaluator reads far outside
	   seccomp_data and the test dies of SIGSEGV) */
	uint32_t ret;
	static const uint32_t offs[] = {0xfffffffcu, 0xfffffff8u, 0x80000000u};
	for (size_t i = 0; i < N(offs); i++) {
		struct sock_filter huge[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offs[i]), ALLOW};
		ck_assert_int_eq(eval_nr(huge, N(huge), 0, &ret), -1);
	}
}
END_TEST

/* The kernel's verdict on a program: 0 installed, else the errno. */
static int
kernel_accepts(const struct sock_filter *prog, size_t n)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		child_default_signals();
		struct sock_fprog fp = {.len = (unsigned short)n,
					.filter = (struct sock_filter *)prog};
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(OUT_INSTALL_ERR);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
			_exit(errno & 0xff);
		_exit(0);
	}
	return reap(pid);
}

START_TEST(test_eval_vs_kernel_checker)
{
	/*
	 * The header promises -1 for "a program the kernel would reject".  The
	 * kernel checks the whole program when it is installed, not the path one
	 * syscall takes: each program below is rejected by the kernel (EINVAL),
	 * and the evaluator must say so whatever the syscall.
	 */
	struct {
		const char *what;
		struct sock_filter prog[4];
		size_t n;
	} cases[] = {
	    {"jump out of range on the branch not taken",
	     {LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x7fffffff, 9, 0), ALLOW},
	     3},
	    {"last instruction is not a RET", {ALLOW, BPF_STMT(BPF_LD | BPF_IMM, 0)}, 2},
	    {"scratch memory read before any write",
	     {BPF_STMT(BPF_LD | BPF_MEM, 0), BPF_STMT(BPF_RET | BPF_A, 0)},
	     2},
	    {"division by the constant 0, not reached",
	     {LD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x7fffffff, 0, 1),
	      BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), ALLOW},
	     4},
	};
	char failures[2048] = "";
	for (size_t i = 0; i < N(cases); i++) {
		ck_assert_msg(kernel_accepts(cases[i].prog, cases[i].n) == EINVAL,
			      "%s: the kernel accepted it", cases[i].what);
		uint32_t ret;
		int r = eval_nr(cases[i].prog, cases[i].n, SYS_getpid, &ret);
		if (r != -1) {
			size_t l = strlen(failures);
			snprintf(failures + l, sizeof(failures) - l,
				 "\n  %s: mr_bpf_eval returned %d (ret 0x%08x), expected -1",
				 cases[i].what, r, ret);
		}
	}
	ck_assert_msg(failures[0] == '\0', "programs the kernel rejects:%s", failures);
}
END_TEST

static Suite *
bpf_eval_suite(void)
{
	Suite *s = suite_create("bpf-eval");
	TCase *tc = tcase_create("bpf-eval");
	tcase_add_test(tc, test_eval_valid);
	tcase_add_test(tc, test_eval_invalid);
	tcase_add_test(tc, test_max_nr_not);
	tcase_add_test(tc, test_eval_load_offset_wraps);
	tcase_add_test(tc, test_eval_vs_kernel_checker);
	tcase_add_test(tc, test_hand_jset_jge);
	tcase_add_test(tc, test_hand_alu_mem);
	tcase_add_test(tc, test_hand_ja_and_x);
	tcase_add_test(tc, test_with_bits_hand);
	tcase_add_test(tc, test_with_bits_builtin);
	tcase_add_test(tc, test_lets_namespace_builtin);
	tcase_add_test(tc, test_lets_namespace_many_rules);
	tcase_add_test(tc, test_examples);
	tcase_add_test(tc, test_builtin_default);
	tcase_add_test(tc, test_fixtures);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

/* The cases that read ../shared/profiles: `test_bpf_eval --shared`. */
static Suite *
bpf_eval_shared_suite(void)
{
	Suite *s = suite_create("bpf-eval-shared");
	TCase *tc = tcase_create("shared profiles");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_shared_profiles);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	return test_main(argc, argv, bpf_eval_suite, bpf_eval_shared_suite);
}
