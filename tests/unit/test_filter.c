/* SPDX-License-Identifier: MIT */
/*
 * lib/seccomp/filter.c and lib/seccomp/program.c: compile, ENOSYS stub, cache, prepare and
 * install.  Programs are installed in a grandchild of the Check runner (which
 * sets no_new_privs so this also runs unprivileged) that reports the errno of
 * one raw syscall through its exit status.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "seccomp/arch.h"
#include "seccomp/bpf-eval.h"
#include "seccomp/program.h"
#include "seccomp/filter.h"
#include "seccomp/profile.h"
#include "seccomp/reduce.h"
#include "seccomp_test.h"
#include "seccomp/sha256.h"

/* ------------------------------------------------------------------ sha256 */

static void
hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

START_TEST(test_sha256_vectors)
{
	/* FIPS 180-4 / NIST CAVP examples */
	uint8_t d[32];
	char h[65];
	mr_sha256("", 0, d);
	hex(d, h);
	ck_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	mr_sha256("abc", 3, d);
	hex(d, h);
	ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	mr_sha256(m, strlen(m), d);
	hex(d, h);
	ck_assert_str_eq(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	struct mr_sha256 s;
	char a[1000];
	memset(a, 'a', sizeof(a));
	mr_sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		mr_sha256_update(&s, a, sizeof(a)); /* one million 'a' */
	mr_sha256_final(&s, d);
	hex(d, h);
	ck_assert_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* split updates at odd boundaries give the same digest */
	mr_sha256_init(&s);
	mr_sha256_update(&s, m, 3);
	mr_sha256_update(&s, m + 3, 61 - 3 > strlen(m) - 3 ? strlen(m) - 3 : 61 - 3);
	mr_sha256_final(&s, d);
	hex(d, h);
	ck_assert_str_eq(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

/* --------------------------------------------------------------- helpers */

struct built {
	struct mr_profile *p;
	struct mr_reduced r;
	struct mr_filter f;
};

static int
build(const char *path, bool strict, const char *cache_dir, struct built *b, struct mr_error *err)
{
	struct mr_reduce_env env;
	memset(b, 0, sizeof(*b));
	ck_assert_int_eq(mr_reduce_env_host(TEST_CAPS_DOCKER, &env, err), 0);
	if (mr_profile_load(path, &b->p, err) < 0)
		return -1;
	if (mr_profile_reduce(b->p, &env, &b->r, err) < 0)
		return -1;
	struct mr_filter_opts o = {.strict = strict, .cache_dir = cache_dir};
	return mr_filter_build(&b->r, &o, &b->f, err);
}

static void
built_clear(struct built *b)
{
	mr_filter_clear(&b->f);
	mr_reduced_clear(&b->r);
	mr_profile_free(b->p);
}

static void
build_ok(const char *path, struct built *b)
{
	struct mr_error err = {0};
	ck_assert_msg(build(path, false, NULL, b, &err) == 0, "%s", err.msg);
}

enum probe {
	P_SYSCALL_1000,
	P_CLONE3,
	P_MKDIRAT,
	P_GETPID,
	P_MOUNT,
	P_SOCKET_ALG,
	P_SOCKET_UNIX,
	P_GETPRIO_0,
	P_GETPRIO_1,
	P_GETPRIO_2,
	P_SETPRIO_AND,
	P_SETPRIO_ONE,
	P_GETPGID_MASK_HIT,
	P_GETPGID_MASK_MISS,
	P_GETPPID,
};

static long
run_probe(enum probe what)
{
	switch (what) {
	case P_SYSCALL_1000:
		return syscall(1000);
	case P_CLONE3:
		return syscall(SYS_clone3, NULL, 0);
	case P_MKDIRAT:
		return syscall(SYS_mkdirat, -1, "", 0700);
	case P_GETPID:
		return syscall(SYS_getpid);
	case P_MOUNT:
		return syscall(SYS_mount, "none", "/nonexistent", "tmpfs", 0, NULL);
	case P_SOCKET_ALG:
		return syscall(SYS_socket, 38, SOCK_SEQPACKET, 0);
	case P_SOCKET_UNIX:
		return syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	case P_GETPRIO_0:
		return syscall(SYS_getpriority, 0, 0);
	case P_GETPRIO_1:
		return syscall(SYS_getpriority, 1, 0);
	case P_GETPRIO_2:
		return syscall(SYS_getpriority, 2, 0);
	case P_SETPRIO_AND:
		return syscall(SYS_setpriority, 0, 0x412345, 0);
	case P_SETPRIO_ONE:
		return syscall(SYS_setpriority, 0, 0x454321, 0);
	case P_GETPGID_MASK_HIT:
		return syscall(SYS_getpgid, 0x1234);
	case P_GETPGID_MASK_MISS:
		return syscall(SYS_getpgid, 0x3434);
	case P_GETPPID:
		return syscall(SYS_getppid);
	default:
		break;
	}
	return -1;
}

#define PROBE_OK	  0
#define PROBE_INSTALL_ERR 250

/*
 * Some fixtures allow little more than read, write and exit_group:
 * under them ASan's runtime cannot even map memory and exits 1 before the
 * probe reports.  The normal build runs those probes; the ASan build checks
 * only that the profiles compile.
 */
#if defined(__SANITIZE_ADDRESS__)
#define MR_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MR_UNDER_ASAN 1
#endif
#endif

/*
 * Install insns in a fresh child (with no_new_privs) and run one probe: the
 * child exits with the probe's errno, PROBE_OK, or dies by a signal (returned
 * as -signal).
 */
static int
probe_under(const struct sock_filter *insns, size_t n, unsigned flags, enum probe what)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/*
		 * Under a deny-everything profile even exit_group fails, and
		 * glibc's _exit ends in a hlt that raises SIGSEGV.  ASan's
		 * handler would then spin on a futex the filter denies: reset
		 * the deadly signals with the raw syscall, which the sanitizer
		 * does not intercept, so the child simply dies.
		 */
		static const int deadly[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS, SIGABRT};
		struct {
			void *handler;
			unsigned long flags;
			void *restorer;
			unsigned long mask;
		} dfl = {0};
		for (size_t k = 0; k < sizeof(deadly) / sizeof(deadly[0]); k++)
			syscall(SYS_rt_sigaction, deadly[k], &dfl, NULL, sizeof(dfl.mask));
		struct mr_seccomp_prepared p = {
		    .enabled = true,
		    .insns = (struct sock_filter *)insns,
		    .n_insns = n,
		    .flags = flags,
		    .source = (char *)"test",
		};
		struct mr_error err = {0};
		int listener;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    mr_seccomp_install(&p, &listener, &err) < 0)
			_exit(PROBE_INSTALL_ERR);
		errno = 0;
		long r = run_probe(what);
		_exit(r < 0 ? (errno & 0xff) : PROBE_OK);
	}
	int st;
	/*
	 * Under a filter that denies exit_group the child cannot end itself,
	 * and under ASan its runtime then loops in Die(): give it 3 s, then
	 * kill it (the result is -SIGKILL, which no test expects by chance).
	 */
	pid_t w = 0;
	for (int ms = 0; ms < 3000 && (w = waitpid(pid, &st, WNOHANG)) == 0; ms++)
		usleep(1000);
	if (w == 0) {
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	} else {
		ck_assert_int_eq(w, pid);
	}
	if (WIFSIGNALED(st))
		return -WTERMSIG(st);
	return WEXITSTATUS(st);
}

static int
probe_file(const char *path, enum probe what)
{
	struct built b;
	build_ok(path, &b);
	int r = probe_under(b.f.insns, b.f.n_insns, b.f.flags, what);
	built_clear(&b);
	return r;
}

/* ---------------------------------------------------------------- compile */

START_TEST(test_no_mkdir)
{
	char *path = test_example("no-mkdir.json");
	ck_assert_int_eq(probe_file(path, P_MKDIRAT), EPERM);
	ck_assert_int_eq(probe_file(path, P_GETPID), PROBE_OK);
	free(path);
}
END_TEST

START_TEST(test_default_profile)
{
	char *path = test_example("default.json");
	ck_assert_int_eq(probe_file(path, P_SYSCALL_1000), ENOSYS); /* the stub */
	ck_assert_int_eq(probe_file(path, P_CLONE3), ENOSYS);	    /* errnoRet 38 */
	ck_assert_int_eq(probe_file(path, P_MOUNT), EPERM);	    /* CAP_SYS_ADMIN group */
	ck_assert_int_eq(probe_file(path, P_SOCKET_ALG), EPERM);    /* socket by argument */
	ck_assert_int_eq(probe_file(path, P_SOCKET_UNIX), PROBE_OK);
	ck_assert_int_eq(probe_file(path, P_MKDIRAT), ENOENT); /* allowed: the kernel's answer */
	free(path);
}
END_TEST

START_TEST(test_docker_labs_clone3)
{
	char *path = test_shared_profile("docker-labs_default.json");
	/* the lab profile's highest x86_64 syscall is 326; without the stub, EPERM */
	ck_assert_int_eq(probe_file(path, P_CLONE3), ENOSYS);
	ck_assert_int_eq(probe_file(path, P_SYSCALL_1000), ENOSYS);
	ck_assert_int_eq(probe_file(path, P_GETPID), PROBE_OK);
	free(path);
}
END_TEST

START_TEST(test_errno_100_and_kill)
{
	char *path = test_fixture("errno-100.json");
	ck_assert_int_eq(probe_file(path, P_MKDIRAT), ENETDOWN);
	ck_assert_int_eq(probe_file(path, P_GETPPID), -SIGSYS);
	struct built b;
	build_ok(path, &b);
	ck_assert_uint_eq(b.f.n_stub, 0); /* default ALLOW: no stub */
	built_clear(&b);
	free(path);
}
END_TEST

START_TEST(test_args_or_and)
{
	char *path = test_fixture("args-or-and.json");
	ck_assert_int_eq(probe_file(path, P_GETPRIO_0), PROBE_OK);
	ck_assert_int_eq(probe_file(path, P_GETPRIO_1), ENETDOWN); /* index 0 == 1 */
	ck_assert_int_eq(probe_file(path, P_GETPRIO_2), ENETDOWN); /* OR index 0 == 2 */
	ck_assert_int_eq(probe_file(path, P_SETPRIO_AND), ENETDOWN);
	ck_assert_int_ne(probe_file(path, P_SETPRIO_ONE), ENETDOWN); /* AND needs both */
	ck_assert_int_eq(probe_file(path, P_GETPGID_MASK_HIT), ENETDOWN);
	ck_assert_int_ne(probe_file(path, P_GETPGID_MASK_MISS), ENETDOWN);
	free(path);
}
END_TEST

START_TEST(test_podman_default_errno)
{
	char *path = test_fixture("podman-errno.json");
#ifndef MR_UNDER_ASAN
	ck_assert_int_eq(probe_file(path, P_GETPID), ENOSYS); /* defaultErrno ENOSYS */
	ck_assert_int_eq(probe_file(path, P_MKDIRAT), EPERM);
#endif
	struct built b;
	build_ok(path, &b);
	ck_assert_uint_eq(b.f.n_stub, 0); /* default ERRNO(ENOSYS): a stub adds nothing */
	built_clear(&b);
	free(path);
}
END_TEST

START_TEST(test_oci_forms_compile)
{
	char *path = test_fixture("oci-seccomp.json");
#ifndef MR_UNDER_ASAN
	ck_assert_int_eq(probe_file(path, P_MKDIRAT), ENETDOWN);
#endif
	struct built b;
	build_ok(path, &b);
	ck_assert_uint_eq(b.f.flags, SECCOMP_FILTER_FLAG_LOG);
	built_clear(&b);
	free(path);
	path = test_fixture("oci-config.json");
#ifndef MR_UNDER_ASAN
	ck_assert_int_eq(probe_file(path, P_MKDIRAT), ENETDOWN);
#endif
	free(path);
}
END_TEST

START_TEST(test_unknown_names)
{
	char *path = test_fixture("unknown-names.json");
	struct built b;
	struct mr_error err = {0};
	ck_assert_int_eq(build(path, false, NULL, &b, &err), 0);
	ck_assert_uint_eq(b.f.warnings.n, 1);
	ck_assert_ptr_nonnull(
	    strstr(b.f.warnings.v[0], "2 system call names unknown to libseccomp"));
	ck_assert_ptr_nonnull(strstr(b.f.warnings.v[0], "not_a_syscall, also_not_one"));
	built_clear(&b);
	ck_assert_int_lt(build(path, true, NULL, &b, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "strict mode"));
	ck_assert_ptr_nonnull(strstr(err.msg, "not_a_syscall, also_not_one"));
	built_clear(&b);
	free(path);
}
END_TEST

START_TEST(test_action_equals_default)
{
	/* libseccomp would answer EACCES; runc and crun skip the rule */
	char *path = test_fixture("action-equals-default.json");
#ifndef MR_UNDER_ASAN
	ck_assert_int_eq(probe_file(path, P_MKDIRAT), EPERM);
#endif
	free(path);
}
END_TEST

START_TEST(test_stub_shape)
{
	char *path = test_example("default.json");
	struct built b;
	build_ok(path, &b);
	ck_assert_uint_gt(b.f.n_stub, 0);
	ck_assert_uint_gt(b.f.n_insns, b.f.n_stub);
	/* the stub's last instruction returns ENOSYS; the first reads the arch */
	const struct sock_filter *last = &b.f.insns[b.f.n_stub - 1];
	ck_assert_uint_eq(last->code, BPF_RET | BPF_K);
	ck_assert_uint_eq(last->k, SECCOMP_RET_ERRNO | ENOSYS);
	ck_assert_uint_eq(b.f.insns[0].code, BPF_LD | BPF_W | BPF_ABS);
	ck_assert_uint_eq(b.f.insns[0].k, 4);
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		/* x86_64 (with its x32 half) and x86: two sections of 6 and 4, plus ja and ret */
		ck_assert_uint_eq(b.f.n_stub, 12);
	}
	ck_assert_uint_eq(b.f.flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	built_clear(&b);
	free(path);

	path = test_example("log-all.json");
	build_ok(path, &b);
	ck_assert_uint_eq(b.f.n_stub, 0);
	ck_assert_int_eq(probe_under(b.f.insns, b.f.n_insns, b.f.flags, P_GETPID), PROBE_OK);
	built_clear(&b);
	free(path);

	path = test_example("deny-all.json");
	build_ok(path, &b);
	ck_assert_uint_eq(b.f.n_stub, 0); /* nothing named: nothing for the stub to compare */
	built_clear(&b);
	free(path);
}
END_TEST

/*
 * The stub may only stand in for the profile's default action, never for a
 * rule: libseccomp adds numbers of its own (the direct IPC and socket calls
 * next to ipc(2) and socketcall(2) on i386 and s390), and a stub whose ceiling
 * missed them answered ENOSYS where the profile says ALLOW.  For every arch
 * in the filter and every number up to 1100 (x32: from its bit on), the
 * installed program and libseccomp's program alone must agree, unless the
 * latter answers the default action.
 */
static void
check_stub_defers_to_rules(const char *path, uint32_t pretend)
{
	struct built b;
	struct mr_error err = {0};
	struct mr_reduce_env env;
	char bad[1024] = "";
	size_t n_bad = 0, off = 0, n_checked = 0;

	memset(&b, 0, sizeof(b));
	if (pretend == 0)
		ck_assert_int_eq(mr_reduce_env_host(TEST_CAPS_DOCKER, &env, &err), 0);
	else
		ck_assert_int_eq(mr_reduce_env_for(TEST_CAPS_DOCKER, pretend, &env, &err), 0);
	b.p = test_load_ok(path);
	ck_assert_msg(mr_profile_reduce(b.p, &env, &b.r, &err) == 0, "%s", err.msg);
	struct mr_filter_opts o = {0};
	ck_assert_msg(mr_filter_build(&b.r, &o, &b.f, &err) == 0, "%s", err.msg);
	ck_assert_uint_gt(b.f.n_stub, 0);

	uint32_t arches[64];
	size_t n_arches = 0;
	arches[n_arches++] = seccomp_arch_native();
	for (size_t i = 0; i < b.r.n_arches && n_arches < 64; i++)
		arches[n_arches++] = b.r.arches[i];
	for (size_t i = 0; i < n_arches; i++) {
		uint32_t audit = arches[i] == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : arches[i];
		uint32_t base = arches[i] == SCMP_ARCH_X32 ? 0x40000000u : 0;
		for (uint32_t k = 0; k <= 1100; k++) {
			struct seccomp_data d = {.nr = (int)(base + k), .arch = audit};
			uint32_t full, alone;
			ck_assert_int_eq(mr_bpf_eval(b.f.insns, b.f.n_insns, &d, &full), 0);
			ck_assert_int_eq(mr_bpf_eval(b.f.insns + b.f.n_stub,
						     b.f.n_insns - b.f.n_stub, &d, &alone),
					 0);
			n_checked++;
			if (full == alone || alone == b.r.default_action)
				continue;
			if (n_bad++ < 8) {
				const char *an = mr_arch_lib_name(arches[i]);
				char *sn = seccomp_syscall_resolve_num_arch(arches[i], d.nr);
				int w = snprintf(bad + off, sizeof(bad) - off,
						 "\n  %s %u (%s): installed 0x%08x, profile 0x%08x",
						 an, (unsigned)d.nr, sn ? sn : "?", full, alone);
				if (w > 0 && (size_t)w < sizeof(bad) - off)
					off += (size_t)w;
				free(sn);
			}
		}
	}
	ck_assert_uint_gt(n_checked, 1100);
	ck_assert_msg(n_bad == 0, "%s: the stub overrides a rule for %zu numbers, e.g.:%s", path,
		      n_bad, bad);
	built_clear(&b);
}

START_TEST(test_stub_defers_to_rules)
{
	char *path = test_fixture("sysv-ipc-32bit.json");
	check_stub_defers_to_rules(path, 0);
	free(path);
	path = test_fixture("multiplexed-calls.json");
	check_stub_defers_to_rules(path, 0);
	free(path);
	/* The built-in default, for the host and as the arm64 family sees it (libseccomp
	 * cannot put big-endian s390 next to a little-endian native arch). */
	path = test_example("default.json");
	check_stub_defers_to_rules(path, 0);
	check_stub_defers_to_rules(path, SCMP_ARCH_AARCH64);
	free(path);
}
END_TEST

START_TEST(test_stub_defers_to_rules_docker)
{
	char *path = test_shared_profile("moby-moby_default.json");
	check_stub_defers_to_rules(path, 0);
	check_stub_defers_to_rules(path, SCMP_ARCH_AARCH64);
	free(path);
	/* the lab's names stop at 384 (arch_prctl) on i386, below the direct IPC calls */
	path = test_shared_profile("docker-labs_default.json");
	check_stub_defers_to_rules(path, 0);
	free(path);
}
END_TEST

/* ------------------------------------------------------------------ cache */

static char *
make_tmpdir(void)
{
	char *d = strdup("/tmp/minirun-test-cache-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static char *
only_entry(const char *dir)
{
	char *cmd = NULL, line[512] = "";
	ck_assert_int_ge(asprintf(&cmd, "ls %s/*.bpf 2>/dev/null", dir), 0);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	pclose(f);
	free(cmd);
	line[strcspn(line, "\n")] = '\0';
	return line[0] ? strdup(line) : NULL;
}

static void
rm_rf(const char *dir)
{
	char *cmd = NULL;
	ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

START_TEST(test_cache_roundtrip)
{
	char *tmp = make_tmpdir();
	char *dir = NULL;
	ck_assert_int_ge(asprintf(&dir, "%s/sub/seccomp", tmp), 0);
	char *path = test_example("default.json");
	struct built cold, warm;
	struct mr_error err = {0};

	ck_assert_int_eq(build(path, false, dir, &cold, &err), 0);
	ck_assert(!cold.f.from_cache);
	struct stat st;
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	char *entry = only_entry(dir);
	ck_assert_ptr_nonnull(entry);
	ck_assert_int_eq(stat(entry, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_uint_eq(st.st_size % 8, 0);

	ck_assert_int_eq(build(path, false, dir, &warm, &err), 0);
	ck_assert(warm.f.from_cache);
	ck_assert_uint_eq(warm.f.n_insns, cold.f.n_insns);
	ck_assert_uint_eq(warm.f.n_stub, cold.f.n_stub);
	ck_assert_uint_eq(warm.f.flags, cold.f.flags);
	ck_assert_int_eq(memcmp(warm.f.insns, cold.f.insns, cold.f.n_insns * sizeof(*cold.f.insns)),
			 0);
	/* the unknown-names warning survives the cache */
	ck_assert_uint_eq(warm.f.warnings.n, cold.f.warnings.n);
	if (cold.f.warnings.n)
		ck_assert_str_eq(warm.f.warnings.v[0], cold.f.warnings.v[0]);
	built_clear(&warm);

	/* flip one byte of the program: the entry is rejected and rewritten */
	int fd = open(entry, O_RDWR);
	ck_assert_int_ge(fd, 0);
	unsigned char c;
	ck_assert_int_eq(pread(fd, &c, 1, st.st_size - 3), 1);
	c ^= 0x40;
	ck_assert_int_eq(pwrite(fd, &c, 1, st.st_size - 3), 1);
	close(fd);
	ck_assert_int_eq(build(path, false, dir, &warm, &err), 0);
	ck_assert(!warm.f.from_cache);
	ck_assert_int_eq(memcmp(warm.f.insns, cold.f.insns, cold.f.n_insns * sizeof(*cold.f.insns)),
			 0);
	built_clear(&warm);
	ck_assert_int_eq(build(path, false, dir, &warm, &err), 0);
	ck_assert(warm.f.from_cache);
	built_clear(&warm);

	/* truncated to a length that is not a multiple of 8 */
	ck_assert_int_eq(truncate(entry, st.st_size - 5), 0);
	ck_assert_int_eq(build(path, false, dir, &warm, &err), 0);
	ck_assert(!warm.f.from_cache);
	built_clear(&warm);
	/* empty */
	ck_assert_int_eq(truncate(entry, 0), 0);
	ck_assert_int_eq(build(path, false, dir, &warm, &err), 0);
	ck_assert(!warm.f.from_cache);
	built_clear(&warm);

	/* a directory others can write to is not used */
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(build(path, false, dir, &warm, &err), 0);
	ck_assert(!warm.f.from_cache);
	built_clear(&warm);

	built_clear(&cold);
	free(entry);
	free(path);
	rm_rf(tmp);
	free(dir);
	free(tmp);
}
END_TEST

START_TEST(test_cache_key)
{
	/* errnoRet, caps (through the reduced rules), strict: all change the key */
	char *a = test_fixture("errno-100.json");
	struct mr_error err = {0};
	struct mr_reduce_env env;
	ck_assert_int_eq(mr_reduce_env_host(TEST_CAPS_DOCKER, &env, &err), 0);
	struct mr_profile *p = test_load_ok(a);
	struct mr_reduced r;
	ck_assert_int_eq(mr_profile_reduce(p, &env, &r, &err), 0);
	struct mr_filter_opts o = {0};
	uint8_t k1[32], k2[32], k3[32];
	ck_assert_int_eq(mr_filter_cache_key(&r, &o, k1, &err), 0);
	p->rules[0].errno_ret = 101;
	ck_assert_int_eq(mr_filter_cache_key(&r, &o, k2, &err), 0);
	ck_assert_int_ne(memcmp(k1, k2, 32), 0);
	p->rules[0].errno_ret = 100;
	o.strict = true;
	ck_assert_int_eq(mr_filter_cache_key(&r, &o, k3, &err), 0);
	ck_assert_int_ne(memcmp(k1, k3, 32), 0);
	o.strict = false;
	ck_assert_int_eq(mr_filter_cache_key(&r, &o, k3, &err), 0);
	ck_assert_int_eq(memcmp(k1, k3, 32), 0);
	mr_reduced_clear(&r);
	mr_profile_free(p);
	free(a);

	char *conds = test_fixture("conditions.json");
	p = test_load_ok(conds);
	ck_assert_int_eq(mr_profile_reduce(p, &env, &r, &err), 0);
	ck_assert_int_eq(mr_filter_cache_key(&r, &o, k1, &err), 0);
	mr_reduced_clear(&r);
	env.bounding |= MR_CAP_BIT(21);
	ck_assert_int_eq(mr_profile_reduce(p, &env, &r, &err), 0);
	ck_assert_int_eq(mr_filter_cache_key(&r, &o, k2, &err), 0);
	ck_assert_int_ne(memcmp(k1, k2, 32), 0);
	mr_reduced_clear(&r);
	mr_profile_free(p);
	free(conds);
}
END_TEST

START_TEST(test_cache_dir_env)
{
	char *d = NULL;
	setenv("MINIRUN_SECCOMP_CACHE", "0", 1);
	ck_assert_int_eq(mr_filter_cache_dir(&d), 0);
	ck_assert_ptr_null(d);
	setenv("MINIRUN_SECCOMP_CACHE", "/some/where", 1);
	ck_assert_int_eq(mr_filter_cache_dir(&d), 0);
	ck_assert_str_eq(d, "/some/where");
	free(d);
	unsetenv("MINIRUN_SECCOMP_CACHE");
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	ck_assert_int_eq(mr_filter_cache_dir(&d), 0);
	ck_assert_str_eq(d, geteuid() == 0 ? "/var/cache/minirun/seccomp" : "/xdg/minirun/seccomp");
	free(d);
}
END_TEST

/* ---------------------------------------------------------------- prepare */

static void
prepare_ok(const char *profile, bool explicit_profile, bool privileged, bool enabled,
	   size_t n_warnings)
{
	struct mr_seccomp_request req = {
	    .profile = profile,
	    .explicit_profile = explicit_profile,
	    .privileged = privileged,
	    .bounding = TEST_CAPS_DOCKER,
	};
	struct mr_seccomp_prepared p;
	struct mr_error err = {0};
	ck_assert_msg(mr_seccomp_prepare(&req, &p, &err) == 0, "%s: %s",
		      profile ? profile : "(null)", err.msg);
	ck_assert_msg(p.enabled == enabled, "%s: enabled %d", profile ? profile : "(null)",
		      p.enabled);
	ck_assert_msg(p.n_warnings == n_warnings, "%s: %zu warnings (%s)",
		      profile ? profile : "(null)", p.n_warnings,
		      p.n_warnings ? p.warnings[0] : "");
	ck_assert_ptr_nonnull(p.source);
	if (enabled)
		ck_assert_uint_gt(p.n_insns, 0);
	mr_seccomp_prepared_clear(&p);
}

START_TEST(test_prepare_spellings)
{
	prepare_ok(NULL, false, false, true, 0);
	prepare_ok("runtime/default", true, false, true, 0);
	prepare_ok("RuntimeDefault", true, false, true, 0);
	prepare_ok("docker/default", true, false, true, 0);
	prepare_ok("unconfined", true, false, false, 0);
	prepare_ok("Unconfined", true, false, false, 0);
	prepare_ok(NULL, false, true, false, 0); /* --privileged */
	char *path = test_example("no-mkdir.json");
	char *local = NULL;
	ck_assert_int_ge(asprintf(&local, "localhost/%s", path), 0);
	prepare_ok(local, true, false, true, 1); /* 1: its unknown names */
	prepare_ok(path, true, true, true, 1);	 /* --privileged with an explicit profile */
	free(local);
	free(path);
	path = test_fixture("empty.json");
	prepare_ok(path, true, false, false, 1); /* {}: unconfined, said out loud */
	free(path);
}
END_TEST

START_TEST(test_prepare_errors)
{
	struct mr_seccomp_request req = {.explicit_profile = true, .bounding = TEST_CAPS_DOCKER};
	struct mr_seccomp_prepared p;
	struct mr_error err = {0};
	req.profile = "localhost/";
	ck_assert_int_lt(mr_seccomp_prepare(&req, &p, &err), 0);
	req.profile = "/nonexistent.json";
	ck_assert_int_lt(mr_seccomp_prepare(&req, &p, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent.json"));
	char *path = test_fixture("unknown-names.json");
	req.profile = path;
	req.strict = true;
	ck_assert_int_lt(mr_seccomp_prepare(&req, &p, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "strict"));
	ck_assert_ptr_null(p.insns);
	/* the built-in default is exempt from strict: it names newer syscalls on purpose */
	req.profile = NULL;
	ck_assert_int_eq(mr_seccomp_prepare(&req, &p, &err), 0);
	mr_seccomp_prepared_clear(&p);
	free(path);
}
END_TEST

START_TEST(test_prepare_shared_profiles)
{
	static const char *const names[] = {
	    "containers-common_seccomp.json",
	    "docker-labs_allow.json",
	    "docker-labs_default-no-chmod.json",
	    "docker-labs_default.json",
	    "docker-labs_deny.json",
	    "moby-moby_default.json",
	    "moby-moby_default_v1.12.0.json",
	    "moby-moby_default_v19.03.0.json",
	    "moby-moby_default_v20.10.0.json",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = test_shared_profile(names[i]);
		const mr_capset sets[] = {TEST_CAPS_DOCKER, 0, MR_CAP_BIT(41) - 1};
		for (size_t k = 0; k < 3; k++) {
			struct mr_seccomp_request req = {
			    .profile = path, .explicit_profile = true, .bounding = sets[k]};
			struct mr_seccomp_prepared p;
			struct mr_error err = {0};
			ck_assert_msg(mr_seccomp_prepare(&req, &p, &err) == 0, "%s: %s", names[i],
				      err.msg);
			ck_assert(p.enabled);
			/* and the kernel accepts the program */
			ck_assert_int_ne(probe_under(p.insns, p.n_insns, p.flags, P_GETPID),
					 PROBE_INSTALL_ERR);
			mr_seccomp_prepared_clear(&p);
		}
		free(path);
	}
}
END_TEST

START_TEST(test_install_needs_cap_sys_admin)
{
	struct mr_seccomp_request req = {.bounding = TEST_CAPS_DOCKER};
	struct mr_seccomp_prepared p;
	struct mr_error err = {0};
	ck_assert_int_eq(mr_seccomp_prepare(&req, &p, &err), 0);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* no no_new_privs and no CAP_SYS_ADMIN: the kernel says EACCES */
		cap_t caps = cap_init();
		cap_set_proc(caps);
		cap_free(caps);
		struct mr_error e = {0};
		int listener;
		int r = mr_seccomp_install(&p, &listener, &e);
		if (write(fds[1], e.msg, strlen(e.msg) + 1) < 0)
			_exit(3);
		_exit(r < 0 ? 1 : 0);
	}
	close(fds[1]);
	char msg[MR_ERROR_MSG_MAX] = "";
	ck_assert_int_ge(read(fds[0], msg, sizeof(msg) - 1), 0);
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	ck_assert_int_eq(WEXITSTATUS(st), 1);
	ck_assert_msg(strstr(msg, "without no-new-privileges installing a filter needs "
				  "CAP_SYS_ADMIN") != NULL,
		      "%s", msg);
	mr_seccomp_prepared_clear(&p);

	/* unconfined: install is a no-op */
	struct mr_seccomp_prepared none = {0};
	int listener;
	ck_assert_int_eq(mr_seccomp_install(&none, &listener, &err), 0);
	ck_assert_int_eq(listener, -1);
}
END_TEST

/*
 * Cold vs cached mr_seccomp_prepare of the built-in default (printed, not
 * asserted).  With CAP_SYS_ADMIN added: the default bounding sets are
 * compiled in (test_prepare_embedded) and never reach the cache.
 */
START_TEST(test_prepare_timing)
{
	char *tmp = make_tmpdir();
	struct mr_seccomp_request req = {.bounding = TEST_CAPS_DOCKER | MR_CAP_BIT(CAP_SYS_ADMIN)};
	struct mr_seccomp_prepared p;
	struct mr_error err = {0};
	struct timespec a, b;
	double cold = 0, warm = 1e9;
	struct mr_seccomp_prepared first = {0};
	setenv("MINIRUN_SECCOMP_CACHE", tmp, 1);
	for (int i = 0; i < 6; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		ck_assert_int_eq(mr_seccomp_prepare(&req, &p, &err), 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
		if (i == 0) {
			cold = ms;
			first = p;
			continue;
		}
		if (ms < warm)
			warm = ms;
		/* the fast path (no parsing) gives the very same program */
		ck_assert_uint_eq(p.n_insns, first.n_insns);
		ck_assert_uint_eq(p.flags, first.flags);
		ck_assert_int_eq(memcmp(p.insns, first.insns, p.n_insns * sizeof(*p.insns)), 0);
		mr_seccomp_prepared_clear(&p);
	}
	mr_seccomp_prepared_clear(&first);
	/* one entry under the reduced-rules key, one under the built-in's fast key */
	char *cmd = NULL, line[32] = "";
	ck_assert_int_ge(asprintf(&cmd, "ls %s | grep -c '^[0-9a-f]*\\.bpf$'", tmp), 0);
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	pclose(f);
	free(cmd);
	ck_assert_int_eq(atoi(line), 2);
	printf("mr_seccomp_prepare(built-in default): cold %.2f ms, cached %.3f ms\n", cold, warm);
	setenv("MINIRUN_SECCOMP_CACHE", "0", 1);
	rm_rf(tmp);
	free(tmp);
}
END_TEST

/*
 * The programs compiled in at build time (default-programs.h) are exactly
 * what this host compiles at run time, for each bounding set they cover, and
 * a start with one of them neither compiles nor touches the cache.
 */
START_TEST(test_prepare_embedded)
{
	const mr_capset sets[] = {TEST_CAPS_DOCKER, mr_caps_all_known(), 0,
				  TEST_CAPS_DOCKER | MR_CAP_BIT(CAP_SYS_ADMIN)};
	char *tmp = make_tmpdir();
	setenv("MINIRUN_SECCOMP_CACHE", tmp, 1);
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		struct mr_seccomp_request req = {.bounding = sets[i]};
		struct mr_seccomp_prepared p;
		struct mr_error err = {0};
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		ck_assert_msg(mr_seccomp_prepare(&req, &p, &err) == 0, "%s", err.msg);
		clock_gettime(CLOCK_MONOTONIC, &b);
		double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;

		struct mr_profile *prof = NULL;
		struct mr_reduce_env env;
		struct mr_reduced r = {0};
		struct mr_filter f = {0};
		struct mr_filter_opts o = {.quiet_unknown = true};
		ck_assert_int_eq(mr_profile_load_named(NULL, &prof, &err), 0);
		ck_assert_int_eq(mr_reduce_env_host(sets[i], &env, &err), 0);
		ck_assert_int_eq(mr_profile_reduce(prof, &env, &r, &err), 0);
		ck_assert_msg(mr_filter_build(&r, &o, &f, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(p.n_insns, f.n_insns);
		ck_assert_uint_eq(p.flags, f.flags);
		ck_assert_int_eq(memcmp(p.insns, f.insns, f.n_insns * sizeof(*f.insns)), 0);
		printf("built-in default, bounding %#llx: %zu instructions, prepared in %.3f ms\n",
		       (unsigned long long)sets[i], p.n_insns, ms);
		mr_filter_clear(&f);
		mr_reduced_clear(&r);
		mr_profile_free(prof);
		mr_seccomp_prepared_clear(&p);
	}
	/* Only the set that is not compiled in went through the cache (two keys). */
	char *cmd = NULL, line[32] = "";
	ck_assert_int_ge(asprintf(&cmd, "ls %s | grep -c '^[0-9a-f]*\\.bpf$'", tmp), 0);
	FILE *fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
	pclose(fp);
	free(cmd);
	ck_assert_int_eq(atoi(line), 2);
	setenv("MINIRUN_SECCOMP_CACHE", "0", 1);
	rm_rf(tmp);
	free(tmp);
}
END_TEST

static Suite *
filter_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("filter");
	tcase_add_test(tc, test_sha256_vectors);
	tcase_add_test(tc, test_no_mkdir);
	tcase_add_test(tc, test_default_profile);
	tcase_add_test(tc, test_errno_100_and_kill);
	tcase_add_test(tc, test_args_or_and);
	tcase_add_test(tc, test_podman_default_errno);
	tcase_add_test(tc, test_oci_forms_compile);
	tcase_add_test(tc, test_unknown_names);
	tcase_add_test(tc, test_action_equals_default);
	tcase_add_test(tc, test_stub_shape);
	tcase_add_test(tc, test_stub_defers_to_rules);
	tcase_add_test(tc, test_cache_roundtrip);
	tcase_add_test(tc, test_cache_key);
	tcase_add_test(tc, test_cache_dir_env);
	tcase_add_test(tc, test_prepare_spellings);
	tcase_add_test(tc, test_prepare_errors);
	tcase_add_test(tc, test_install_needs_cap_sys_admin);
	tcase_add_test(tc, test_prepare_timing);
	tcase_add_test(tc, test_prepare_embedded);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

/* The cases that read ../shared/profiles: `test_filter --shared`. */
static Suite *
filter_shared_suite(void)
{
	Suite *s = suite_create("filter-shared");
	TCase *tc = tcase_create("shared profiles");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_docker_labs_clone3);
	tcase_add_test(tc, test_stub_defers_to_rules_docker);
	tcase_add_test(tc, test_prepare_shared_profiles);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	return test_main(argc, argv, filter_suite, filter_shared_suite);
}
