/* SPDX-License-Identifier: MIT */
/*
 * Unit tests: the device rule list (lib/container/devices.c) and its cgroup
 * v2 form, the BPF device program (lib/container/device-bpf.c).
 *   - the v1 text of Docker's list;
 *   - the program, run by a small interpreter of the opcodes it uses, gives
 *     the same verdict as the rules read directly, for every type, access
 *     and a grid of numbers (also for rule lists other than Docker's);
 *   - as root with a cgroup2 hierarchy (hybrid: /sys/fs/cgroup/unified):
 *     the kernel's verifier accepts it, and a process in a cgroup with it
 *     attached can open /dev/null but not a block device node it made.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/magic.h>

#include "container/device-bpf.h"
#include "container/devices.h"

START_TEST(v1_text)
{
	static const char *const want[] = {"c *:* m",	"b *:* m",   "c 1:3 rwm",   "c 1:5 rwm",
					   "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",   "c 5:0 rwm",
					   "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm"};
	size_t n;
	const struct mr_device_rule *r = mr_devices_default(&n);
	char buf[64];

	ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(mr_device_rule_format(&r[i], buf, sizeof(buf)), want[i]);
}
END_TEST

/* The opcodes mr_device_bpf_build emits, nothing else; -1 on anything odd. */
static int
run(const struct bpf_insn *p, size_t count, const struct bpf_cgroup_dev_ctx *ctx)
{
	uint64_t r[11] = {0};
	r[1] = (uint64_t)(uintptr_t)ctx;
	for (size_t pc = 0; pc < count; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint64_t k = (uint64_t)(int64_t)i->imm;
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W: {
			if (r[i->src_reg] != (uint64_t)(uintptr_t)ctx || i->off < 0 ||
			    (size_t)i->off + 4 > sizeof(*ctx) || i->off % 4)
				return -1;
			uint32_t v;
			memcpy(&v, (const char *)ctx + i->off, 4);
			r[i->dst_reg] = v;
			break;
		}
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = k;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			r[i->dst_reg] &= k;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			r[i->dst_reg] >>= i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != k)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (r[i->dst_reg] == k)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			return -1;
		}
	}
	return -1; /* fell off the end: the verifier would refuse it */
}

/*
 * The rules read directly, the last match deciding: what the program must
 * decide.  As the v1 controller: an allow rule matches when it grants every
 * requested access, a deny rule when it forbids any of them.
 */
static int
expected(const struct mr_device_rule *rules, size_t n, const struct bpf_cgroup_dev_ctx *ctx)
{
	unsigned type = ctx->access_type & 0xffff, acc = ctx->access_type >> 16;
	for (size_t i = n; i-- > 0;) {
		const struct mr_device_rule *r = &rules[i];
		if (r->type != 'a' &&
		    type != (r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR))
			continue;
		if (r->deny ? (acc & r->access) == 0 : (acc & ~r->access) != 0)
			continue;
		if (r->major != MR_DEV_ANY && (uint32_t)r->major != ctx->major)
			continue;
		if (r->minor != MR_DEV_ANY && (uint32_t)r->minor != ctx->minor)
			continue;
		return r->deny ? 0 : 1;
	}
	return 0;
}

static void
compare(const struct mr_device_rule *rules, size_t n)
{
	static const uint32_t nums[] = {0,  1,	2,  3,	 4,   5,   7,	 8,	 9,
					10, 11, 20, 136, 200, 229, 4095, 1048575};
	struct bpf_insn prog[MR_DEVICE_BPF_MAX_INSNS(16)];
	size_t count = mr_device_bpf_build(rules, n, prog);
	size_t allowed = 0;

	ck_assert_uint_le(count, MR_DEVICE_BPF_MAX_INSNS(n));
	for (unsigned type = BPF_DEVCG_DEV_BLOCK; type <= BPF_DEVCG_DEV_CHAR; type++)
		for (unsigned acc = 1; acc <= 7; acc++)
			for (size_t a = 0; a < sizeof(nums) / sizeof(nums[0]); a++)
				for (size_t b = 0; b < sizeof(nums) / sizeof(nums[0]); b++) {
					struct bpf_cgroup_dev_ctx ctx = {.access_type =
									     acc << 16 | type,
									 .major = nums[a],
									 .minor = nums[b]};
					int got = run(prog, count, &ctx);
					int want = expected(rules, n, &ctx);
					/* Not ck_assert: Check writes a mark point (a
					   syscall) for every passing assertion. */
					if (got != want)
						ck_abort_msg(
						    "type %u access %u %u:%u: program says %d, "
						    "rules %d",
						    type, acc, nums[a], nums[b], got, want);
					allowed += (size_t)got;
				}
	(void)allowed;
}

START_TEST(program_matches_rules)
{
	size_t n;
	const struct mr_device_rule *docker = mr_devices_default(&n);
	compare(docker, n);

	/* Docker's list, spot checks of the verdicts that matter. */
	struct bpf_insn prog[MR_DEVICE_BPF_MAX_INSNS(16)];
	size_t count = mr_device_bpf_build(docker, n, prog);
	struct bpf_cgroup_dev_ctx c;
#define VERDICT(t, a, ma, mi)                                                                      \
	(c = (struct bpf_cgroup_dev_ctx){(a) << 16 | (t), (ma), (mi)}, run(prog, count, &c))
	ck_assert_int_eq(VERDICT(BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_MKNOD, 8, 0), 1);
	ck_assert_int_eq(VERDICT(BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ, 8, 0), 0);
	ck_assert_int_eq(VERDICT(BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ, 7, 0), 0);
	ck_assert_int_eq(VERDICT(BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ, 1, 11), 0);   /* kmsg */
	ck_assert_int_eq(VERDICT(BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ, 10, 229), 0); /* fuse */
	ck_assert_int_eq(
	    VERDICT(BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE, 1, 3), 1);
	ck_assert_int_eq(VERDICT(BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_WRITE, 136, 7), 1);
	ck_assert_int_eq(VERDICT(BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ, 1, 3), 0);
#undef VERDICT

	/* Other lists: 'a' types, partial access, a catch-all rule, none. */
	static const struct mr_device_rule other[] = {
	    {'a', 7, MR_DEV_ANY, MR_DEV_READ, false},
	    {'b', MR_DEV_ANY, 3, MR_DEV_WRITE | MR_DEV_MKNOD, false},
	    {'c', 4, 2, MR_DEV_READ | MR_DEV_WRITE, false},
	    {'a', MR_DEV_ANY, MR_DEV_ANY, MR_DEV_RWM, false},
	};
	compare(other, 3);
	compare(other, 4);
	compare(other + 3, 1);
	compare(other, 0);
	/* A catch-all rule ends the program: nothing unreachable follows it. */
	ck_assert_uint_eq(mr_device_bpf_build(other + 3, 1, prog), 8);
}
END_TEST

/* OCI lists: deny rules, the order deciding (the last match wins). */
START_TEST(program_order)
{
	static const struct mr_device_rule lists[][4] = {
	    /* deny all, allow kmsg, deny kmsg: denied */
	    {{'a', MR_DEV_ANY, MR_DEV_ANY, MR_DEV_RWM, true},
	     {'c', 1, 11, MR_DEV_RWM, false},
	     {'c', 1, 11, MR_DEV_RWM, true},
	     {'b', 8, MR_DEV_ANY, MR_DEV_READ, false}},
	    /* deny kmsg, allow kmsg: allowed */
	    {{'a', MR_DEV_ANY, MR_DEV_ANY, MR_DEV_RWM, true},
	     {'c', 1, 11, MR_DEV_RWM, true},
	     {'c', 1, MR_DEV_ANY, MR_DEV_READ, false},
	     {'c', 1, 11, MR_DEV_WRITE, true}},
	    /* allow all, then deny the block devices */
	    {{'a', MR_DEV_ANY, MR_DEV_ANY, MR_DEV_RWM, false},
	     {'b', MR_DEV_ANY, MR_DEV_ANY, MR_DEV_RWM, true},
	     {'b', 7, 0, MR_DEV_READ, false},
	     {'c', 4, MR_DEV_ANY, MR_DEV_WRITE, true}},
	    /*
	     * deny all, allow b 8:20 rw, deny b 8:20 w: read allowed, write and
	     * O_RDWR (read|write at once) denied, as devices.deny on v1
	     */
	    {{'a', MR_DEV_ANY, MR_DEV_ANY, MR_DEV_RWM, true},
	     {'b', 8, 20, MR_DEV_READ | MR_DEV_WRITE, false},
	     {'b', 8, 20, MR_DEV_WRITE, true},
	     {'c', 1, 3, MR_DEV_READ | MR_DEV_MKNOD, true}},
	};
	struct bpf_insn prog[MR_DEVICE_BPF_MAX_INSNS(16)];
	struct bpf_cgroup_dev_ctx c;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (size_t n = 0; n <= 4; n++)
			compare(lists[i], n);
#define VERDICT(l, t, a, ma, mi)                                                                   \
	(c = (struct bpf_cgroup_dev_ctx){(a) << 16 | (t), (ma), (mi)},                             \
	 run(prog, mr_device_bpf_build(lists[l], 4, prog), &c))
	ck_assert_int_eq(VERDICT(0, BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ, 1, 11), 0);
	ck_assert_int_eq(VERDICT(0, BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ, 8, 1), 1);
	ck_assert_int_eq(VERDICT(1, BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ, 1, 11), 1);
	ck_assert_int_eq(VERDICT(1, BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_WRITE, 1, 11), 0);
	ck_assert_int_eq(VERDICT(2, BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ, 8, 0), 0);
	ck_assert_int_eq(VERDICT(2, BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ, 7, 0), 1);
	ck_assert_int_eq(VERDICT(2, BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ, 4, 1), 1);
	ck_assert_int_eq(VERDICT(2, BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_WRITE, 4, 1), 0);
	ck_assert_int_eq(
	    VERDICT(2, BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE, 4, 1), 0);
	ck_assert_int_eq(VERDICT(3, BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ, 8, 20), 1);
	ck_assert_int_eq(VERDICT(3, BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_WRITE, 8, 20), 0);
	ck_assert_int_eq(
	    VERDICT(3, BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE, 8, 20), 0);
	ck_assert_int_eq(VERDICT(3, BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ, 8, 21), 0);
#undef VERDICT
}
END_TEST

/* --- the kernel ---------------------------------------------------------- */

/* This process's cgroup2 directory, or NULL. */
static const char *
own_cgroup2(char *buf, size_t size)
{
	static const char *const mounts[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
	char line[PATH_MAX], rel[PATH_MAX] = "";
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			snprintf(rel, sizeof(rel), "%s", line + 3);
			rel[strcspn(rel, "\n")] = '\0';
		}
	fclose(f);
	for (size_t i = 0; i < 2 && rel[0] == '/'; i++) {
		struct statfs sf;
		if (statfs(mounts[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
			snprintf(buf, size, "%s%s", mounts[i], strcmp(rel, "/") ? rel : "");
			return buf;
		}
	}
	return NULL;
}

/* In the child, after it joined the cgroup: 0 if every check holds. */
static int
child_checks(const char *dir)
{
	char node[PATH_MAX + 16];
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 10;
	close(fd);
	/* mknod is allowed ("b *:* m"), open is not: EPERM from the program. */
	snprintf(node, sizeof(node), "%s/blk", dir);
	if (mknod(node, S_IFBLK | 0600, makedev(7, 0)) < 0)
		return 11;
	fd = open(node, O_RDONLY | O_CLOEXEC);
	int e = errno;
	unlink(node);
	if (fd >= 0)
		return 12;
	if (e != EPERM)
		return 13;
	snprintf(node, sizeof(node), "%s/kmsg", dir);
	if (mknod(node, S_IFCHR | 0600, makedev(1, 11)) < 0)
		return 14;
	fd = open(node, O_RDONLY | O_CLOEXEC);
	e = errno;
	unlink(node);
	if (fd >= 0 || e != EPERM)
		return 15;
	return 0;
}

START_TEST(kernel_enforces)
{
	char own[PATH_MAX], cg[PATH_MAX + 64], tmp[] = "/tmp/minirun-devtest.XXXXXX";
	struct mr_error err = {0};
	size_t n;
	const struct mr_device_rule *rules = mr_devices_default(&n);

	if (geteuid() != 0 || own_cgroup2(own, sizeof(own)) == NULL) {
		fprintf(stderr, "kernel_enforces: needs root and a cgroup2 hierarchy: not run\n");
		return;
	}
	snprintf(cg, sizeof(cg), "%s/minirun-devtest-%d", own, (int)getpid());
	ck_assert_msg(mkdir(cg, 0755) == 0, "mkdir %s: %s", cg, strerror(errno));
	int dfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	int r = mr_device_bpf_attach(dfd, cg, rules, n, &err);
	close(dfd);
	if (r < 0) {
		rmdir(cg);
		ck_abort_msg("%s", err.msg);
	}
	ck_assert_ptr_nonnull(mkdtemp(tmp));

	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char procs[PATH_MAX + 80];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(9);
		close(fd);
		_exit(child_checks(tmp));
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	rmdir(tmp);
	/* The child is gone: the cgroup, and with it the attachment, can go. */
	ck_assert_msg(rmdir(cg) == 0, "rmdir %s: %s", cg, strerror(errno));
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "check %d failed in the cgroup (9 join, 10 /dev/null, 11 mknod, 12/13 "
		      "open of b 7:0 not EPERM, 14/15 c 1:11)",
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
END_TEST

/*
 * Without CAP_BPF and CAP_SYS_ADMIN the kernel refuses the program: one
 * line, exit status 125, never a container without its device policy.
 */
START_TEST(load_refused)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
		struct __user_cap_data_struct d[2];
		if (syscall(SYS_capget, &h, d) < 0)
			_exit(2);
		for (int cap = 0; cap < 64; cap++)
			if (cap == CAP_SYS_ADMIN || cap == 39 /* CAP_BPF */ ||
			    cap == 38 /* CAP_PERFMON */)
				d[cap / 32].effective &= ~(1u << (cap % 32));
		if (syscall(SYS_capset, &h, d) < 0)
			_exit(3);
		size_t n;
		const struct mr_device_rule *rules = mr_devices_default(&n);
		struct mr_error err = {0};
		static const char want[] =
		    "device policy: cannot load the cgroup v2 BPF device "
		    "program (it needs CAP_BPF or CAP_SYS_ADMIN and a kernel "
		    "with CONFIG_CGROUP_BPF; --privileged runs without one): ";
		if (mr_device_bpf_attach(-1, "x", rules, n, &err) != -1)
			_exit(4);
		if (err.exit_status != 125 || strncmp(err.msg, want, strlen(want)) != 0 ||
		    strchr(err.msg, '\n') != NULL) {
			fprintf(stderr, "got (%d): %s\n", err.exit_status, err.msg);
			_exit(5);
		}
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "step %d failed",
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("devices");
	TCase *tc = tcase_create("rules");
	tcase_add_test(tc, v1_text);
	tcase_add_test(tc, program_matches_rules);
	tcase_add_test(tc, program_order);
	tcase_add_test(tc, kernel_enforces);
	tcase_add_test(tc, load_refused);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
