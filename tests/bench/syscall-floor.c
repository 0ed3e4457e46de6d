/* SPDX-License-Identifier: MIT */
/*
 * The syscall floor of minirun's default start: the kernel calls minirun makes
 * for `minirun ROOTFS CMD` (as root, built-in profile, warm cache), in the
 * same order, with the same flags and arguments, and nothing in between but
 * error checks.  minirun's time over this program's is minirun's own
 * overhead (parsing, checks, libc, dynamic linking: this one is static).
 *
 *   syscall-floor [-c CACHE_ENTRY | -b RAW_BPF | -a] [-r] ROOTFS CMD [ARG...]
 *
 *   -c FILE  the seccomp program from an entry of minirun's filter cache
 *            (struct cache_hdr in lib/seccomp/filter.c: the instructions are
 *            the file's last n_insns * 8 bytes, flags and n_insns at 12, 16)
 *   -b FILE  the program as a raw array of struct sock_filter (bwrap's format)
 *   -a       a one-instruction program: SECCOMP_RET_ALLOW for every call
 *   (none)   no filter, as minirun --seccomp=unconfined
 *   -r       no copy-on-write overlay, as minirun --rootfs
 *
 *   syscall-floor -d PID FILE
 *
 *   writes the (first) seccomp program installed in process PID to FILE in
 *   -b's format, read back with PTRACE_SECCOMP_GET_FILTER: minirun's
 *   built-in default is compiled into it and never cached, so the bench
 *   takes it from a running container this way.
 *
 * The list was taken from `strace -f` of a real start and must follow
 * minirun's launch sequence (lib/container/launch.c, mounts.c, overlay.c,
 * etc-files.c, cgroup.c): tests/bench/README.md says how to check it.
 * The cgroup follows the host's layout as minirun does: on cgroup2 (at
 * /sys/fs/cgroup or /sys/fs/cgroup/unified) a directory below our own,
 * entered with CLONE_INTO_CGROUP and killed through cgroup.kill; on v1 a
 * devices cgroup with Docker's device list (no freezer: the container's pid
 * namespace is its own), and without a filter one in every other v1
 * hierarchy too (the container could make a cgroup namespace); the child
 * writes itself into the v1 tasks files;
 * inside, /sys/fs/cgroup shows those cgroups (cgroup-mount.c).
 * Not reproduced: the BPF device program of a pure cgroup2
 * host, minirun's scan for stale cgroups (flock per entry) and the reads of
 * its own ELF and libraries by ld.so.  The network namespace is made as
 * minirun makes it (namespaces.c: mr_ns_net_start): by a thread on another
 * CPU, started before the rootfs is opened (prepare.c), while the main
 * thread reads the rootfs's files, makes the cgroup and clones the container
 * process; joined after clone3, its fd sent on the sync socket, which the
 * container process reads after /proc to setns (raw set*id calls there, as
 * minirun's: glibc's would wait for the thread, user.h).  The parent then
 * builds /dev, detached, and sends it after; the container process
 * attaches it after /sys.
 *
 * Exit status: the command's, or 125 when a call fails (perror says which).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#endif
#define LAST_CAP 40 /* CAP_CHECKPOINT_RESTORE */

/* The floor itself and its container process, once cloned: what die() leaves nothing of. */
static pid_t floor_pid;
static int child_pidfd = -1;
static void abandon_cgroups(void);

static _Noreturn void
die(const char *what)
{
	perror(what);
	if (getpid() == floor_pid)
		abandon_cgroups();
	_exit(125);
}

static long
ck(long r, const char *what)
{
	if (r < 0)
		die(what);
	return r;
}

static int
fsconfig_(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static int
fsopen_(const char *fs)
{
	return (int)ck(syscall(SYS_fsopen, fs, FSOPEN_CLOEXEC), fs);
}

static int
fsmount_(int fd, unsigned attrs)
{
	return (int)ck(syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, attrs), "fsmount");
}

static void
move_mount_(int from, int to)
{
	ck(syscall(SYS_move_mount, from, "", to, "",
		   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH),
	   "move_mount");
}

static int
openat2_(int dirfd, const char *path, int flags, unsigned long long resolve, int mode)
{
	struct open_how how = {.flags = (unsigned long long)flags,
			       .mode = (unsigned long long)mode,
			       .resolve = resolve};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

#define BENEATH	 (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH)
#define IN_FS	 (RESOLVE_NO_XDEV | BENEATH)
#define MNTPOINT (O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_PATH | O_DIRECTORY)

static void
fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

static void
write_str(int fd, const char *s, const char *what)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die(what);
}

/* --- what the parent prepares (prepare.c, program.c, cgroup.c) ------------ */

static struct sock_filter *prog;
static unsigned short prog_len;
static unsigned prog_flags;

static void
load_program(char mode, const char *file)
{
	static struct sock_filter allow_all = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct stat st;

	if (mode == 'a') {
		prog = &allow_all;
		prog_len = 1;
		return;
	}
	if (mode == 0)
		return;
	int fd = (int)ck(open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), file);
	ck(fstat(fd, &st), file);
	uint8_t *buf = malloc((size_t)st.st_size);
	if (buf == NULL || read(fd, buf, (size_t)st.st_size) != st.st_size)
		die(file);
	close(fd);
	size_t n = (size_t)st.st_size / sizeof(struct sock_filter);
	size_t off = 0;
	if (mode == 'c') {
		uint32_t hdr[5];
		if ((size_t)st.st_size < 128 || memcmp(buf, "MRSCBPF", 8) != 0) {
			fprintf(stderr, "%s: not a minirun cache entry\n", file);
			_exit(125);
		}
		memcpy(hdr, buf + 8, sizeof(hdr));
		prog_flags = hdr[1];
		n = hdr[2];
		off = (size_t)st.st_size - n * sizeof(struct sock_filter);
	}
	prog = (struct sock_filter *)(void *)(buf + off);
	prog_len = (unsigned short)n;
}

/*
 * minirun's capability probe: libcap's binary search for the last
 * capability (6 reads on this kernel), then the bounding set, one read each.
 */
static void
probe_caps(void)
{
	static const int search[] = {32, 48, 40, 44, 42, 41};
	for (size_t i = 0; i < sizeof(search) / sizeof(search[0]); i++)
		prctl(PR_CAPBSET_READ, search[i], 0, 0, 0);
	for (int c = 0; c <= LAST_CAP; c++)
		prctl(PR_CAPBSET_READ, c, 0, 0, 0);
}

/* /etc/passwd and /etc/group, CMD: opened in the rootfs, read by descriptor. */
static void
read_in_root(int rootfd, const char *path, unsigned long long resolve)
{
	char proc[64], buf[4096];
	int p = (int)ck(openat2_(rootfd, path, O_RDONLY | O_CLOEXEC | O_PATH, resolve, 0), path);
	fd_path(proc, sizeof(proc), p);
	int fd = (int)ck(open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC), path);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	close(p);
}

/* mr_exec_check_target: the ELF header and program headers of the command. */
static void
exec_check(int fd)
{
	char buf[560];
	ck(pread(fd, buf, 256, 0), "pread");
	ck(pread(fd, buf, 560, 64), "pread");
	close(fd);
}

struct cg {
	char path[512];
	int fd;
};

static struct cg v2 = {.fd = -1}, devices = {.fd = -1};
/* Unconfined (no filter): one in every other v1 hierarchy too (cgroup.c: every_hierarchy). */
static struct cg extra[16];
static size_t n_extra;

static void
own_cgroup(const char *controller, char *out, size_t size)
{
	char line[1024];
	FILE *f = fopen("/proc/self/cgroup", "re");
	out[0] = '\0';
	if (f == NULL)
		die("/proc/self/cgroup");
	while (fgets(line, sizeof(line), f)) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
		if (b == NULL)
			continue;
		*b = '\0';
		if (strcmp(a + 1, controller) == 0) {
			b[strcspn(b + 1, "\n") + 1] = '\0';
			snprintf(out, size, "%s", strcmp(b + 1, "/") == 0 ? "" : b + 1);
			break;
		}
	}
	fclose(f);
}

static bool
is_fs(const char *path, long magic)
{
	struct statfs s;
	return statfs(path, &s) == 0 && (long)s.f_type == magic;
}

static void
make_cgroup(struct cg *cg, const char *mnt, const char *controller, const char *name)
{
	char own[400], parent[480];
	own_cgroup(controller, own, sizeof(own));
	snprintf(parent, sizeof(parent), "%s%s", mnt, own);
	/* minirun lists its parent for stale cgroups of dead runs. */
	int dfd = (int)ck(open(parent, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_DIRECTORY), parent);
	char dents[32768];
	while (syscall(SYS_getdents64, dfd, dents, sizeof(dents)) > 0)
		;
	close(dfd);
	snprintf(cg->path, sizeof(cg->path), "%s/%s", parent, name);
	ck(mkdir(cg->path, 0755), cg->path);
	cg->fd = (int)ck(open(cg->path, O_RDONLY | O_CLOEXEC | O_DIRECTORY), cg->path);
	flock(cg->fd, LOCK_SH);
	faccessat(cg->fd, "cgroup.procs", F_OK, 0);
}

/* cgroup.c: every_hierarchy, joined only (cpuset v1 starts empty: the parent's sets copied). */
static void
make_extra_cgroups(const char *name)
{
	char line[1024], mnt[300], buf[256];
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (f == NULL)
		die("/proc/self/cgroup");
	while (fgets(line, sizeof(line), f) && n_extra < 16) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
		if (b == NULL || b == a + 1)
			continue;
		*b = '\0';
		const char *c = a + 1;
		if (strcmp(c, "devices") == 0)
			continue;
		snprintf(mnt, sizeof(mnt), "/sys/fs/cgroup/%s",
			 strncmp(c, "name=", 5) == 0 ? c + 5 : c);
		struct cg *cg = &extra[n_extra++];
		make_cgroup(cg, mnt, c, name);
		if (strcmp(c, "cpuset") != 0)
			continue;
		const char *files[] = {"cpuset.mems", "cpuset.cpus"};
		for (size_t i = 0; i < 2; i++) {
			char parent[600];
			snprintf(parent, sizeof(parent), "%s/../%s", cg->path, files[i]);
			int r = (int)ck(open(parent, O_RDONLY | O_CLOEXEC), parent);
			ssize_t n = ck(read(r, buf, sizeof(buf) - 1), parent);
			close(r);
			buf[n] = '\0';
			int w = (int)ck(openat(cg->fd, files[i], O_WRONLY | O_CLOEXEC), files[i]);
			write_str(w, buf, files[i]);
			close(w);
		}
	}
	fclose(f);
}

static void
make_cgroups(bool every)
{
	char name[64];
	/* Unique even beside a leftover of a floor that was SIGKILLed with the same pid. */
	unsigned r = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		die("getrandom");
	snprintf(name, sizeof(name), "floor-%d-%08x", (int)getpid(), r);
	const char *v2mnt = is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC) ? "/sys/fs/cgroup"
			    : is_fs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC)
				? "/sys/fs/cgroup/unified"
				: NULL;
	if (v2mnt != NULL) {
		make_cgroup(&v2, v2mnt, "", name);
		faccessat(v2.fd, "cgroup.kill", F_OK, 0);
	}
	bool v1 = v2mnt == NULL || strcmp(v2mnt, "/sys/fs/cgroup") != 0;
	if (v1) {
		if (is_fs("/sys/fs/cgroup/devices", CGROUP_SUPER_MAGIC)) {
			static const char *const rules[] = {
			    "c *:* m",	 "b *:* m",   "c 1:3 rwm",   "c 1:5 rwm",
			    "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",   "c 5:0 rwm",
			    "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm"};
			make_cgroup(&devices, "/sys/fs/cgroup/devices", "devices", name);
			int d = (int)ck(openat(devices.fd, "devices.deny", O_WRONLY | O_CLOEXEC),
					"devices.deny");
			write_str(d, "a", "devices.deny");
			int a = (int)ck(openat(devices.fd, "devices.allow", O_WRONLY | O_CLOEXEC),
					"devices.allow");
			for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
				write_str(a, rules[i], "devices.allow");
			close(a);
			close(d);
		}
		if (every)
			make_extra_cgroups(name);
	}
}

/* On a failure: the container process killed and reaped, the cgroups removed as far as possible. */
static void
abandon_cgroups(void)
{
	if (child_pidfd >= 0) {
		siginfo_t si;
		syscall(SYS_pidfd_send_signal, child_pidfd, SIGKILL, NULL, 0);
		waitid((idtype_t)P_PIDFD, (id_t)child_pidfd, &si, WEXITED);
	}
	for (size_t i = n_extra; i-- > 0;)
		rmdir(extra[i].path);
	struct cg *all[] = {&devices, &v2};
	for (size_t i = 0; i < 2; i++)
		if (all[i]->fd >= 0)
			rmdir(all[i]->path);
}

static void
remove_cgroups(void)
{
	char buf[4096];
	int k = v2.fd >= 0 ? openat(v2.fd, "cgroup.kill", O_WRONLY | O_CLOEXEC) : -1;
	if (k >= 0) {
		write_str(k, "1", "cgroup.kill");
		close(k);
	} else if (devices.fd >= 0) {
		/* minirun's kill_all without cgroup.kill: is anything left? */
		int p = (int)ck(openat(devices.fd, "cgroup.procs", O_RDONLY | O_CLOEXEC),
				"cgroup.procs");
		while (read(p, buf, sizeof(buf)) > 0)
			;
		close(p);
	}
	for (size_t i = n_extra; i-- > 0;) {
		close(extra[i].fd);
		ck(rmdir(extra[i].path), extra[i].path);
	}
	struct cg *all[] = {&devices, &v2};
	for (size_t i = 0; i < 2; i++) {
		if (all[i]->fd < 0)
			continue;
		close(all[i]->fd);
		ck(rmdir(all[i]->path), all[i]->path);
	}
}

/* --- the container process (launch.c, mounts.c, overlay.c, etc-files.c) --- */

static const char *const masked_proc[] = {
    "acpi",	     "asound",	   "interrupts",  "kcore",	 "keys",
    "latency_stats", "timer_list", "timer_stats", "sched_debug", "scsi",
};
static const char *const masked_sys[] = {"firmware", "devices/virtual/powercap", "fs/selinux",
					 "dev/block"};
static const char *const readonly_proc[] = {"bus", "fs", "irq", "sys", "sysrq-trigger"};

static void
mask(int fsfd, const char *path, const char *null_path)
{
	char target[64];
	struct stat st;
	int fd = openat2_(fsfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_PATH, IN_FS, 0);
	if (fd < 0)
		return; /* ENOENT: nothing to mask */
	ck(fstat(fd, &st), path);
	fd_path(target, sizeof(target), fd);
	if (S_ISDIR(st.st_mode))
		ck(mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			 "nr_inodes=1"),
		   path);
	else
		ck(mount(null_path, target, NULL, MS_BIND, NULL), path);
	close(fd);
}

static void
readonly(int procfd, const char *path)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					      MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
	int fd = openat2_(procfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_PATH, IN_FS, 0);
	if (fd < 0)
		return;
	int tree = (int)ck(
	    syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH),
	    "open_tree");
	ck(syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)),
	   "mount_setattr");
	move_mount_(tree, fd);
	close(tree);
	close(fd);
}

/* A mount point below DIRFD, made when missing (mounts.c: open_mountpoint). */
static int
mountpoint(int dirfd, const char *name)
{
	int fd = openat2_(dirfd, name, MNTPOINT, BENEATH, 0);
	if (fd < 0) {
		ck(mkdirat(dirfd, name, 0755), name);
		fd = (int)ck(openat2_(dirfd, name, MNTPOINT, BENEATH, 0), name);
	}
	return fd;
}

static void
mount_by_fd(int dirfd, const char *name, const char *src, const char *fs, unsigned long fl,
	    const char *data)
{
	char p[64];
	int fd = mountpoint(dirfd, name);
	fd_path(p, sizeof(p), fd);
	ck(mount(src, p, fs, fl, data), name);
	close(fd);
}

/* overlay.c: mount_upper_tmpfs, a private tmpfs on the bind of ROOTFS. */
static int
upper_tmpfs(int rootfd)
{
	int t = fsopen_("tmpfs");
	ck(fsconfig_(t, FSCONFIG_SET_STRING, "source", "tmpfs", 0), "tmpfs");
	ck(fsconfig_(t, FSCONFIG_SET_STRING, "mode", "0700", 0), "tmpfs");
	ck(fsconfig_(t, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "tmpfs");
	int tm = fsmount_(t, 0);
	close(t);
	move_mount_(tm, rootfd);
	return tm;
}

/* overlay.c: make_scratch, a directory of the upper tmpfs for the /etc files' tmpfs. */
static int
scratch_dir(int tm)
{
	ck(mkdirat(tm, "scratch", 0700), "scratch");
	return (int)ck(openat2_(tm, "scratch", MNTPOINT, IN_FS | RESOLVE_NO_SYMLINKS, 0),
		       "scratch");
}

/* overlay.c: ROOTFS as the lower layer, upper and work on the private tmpfs. */
static int
overlay(int rootfd, int *scratch_out)
{
	int ovl = fsopen_("overlay");
	int tm = upper_tmpfs(rootfd);
	int dirs[2];
	const char *names[2] = {"upper", "work"};
	for (int i = 0; i < 2; i++) {
		ck(mkdirat(tm, names[i], 0700), names[i]);
		ck(fchmodat(tm, names[i], 0755, 0), names[i]);
		ck(fchownat(tm, names[i], 0, 0, AT_SYMLINK_NOFOLLOW), names[i]);
		dirs[i] =
		    (int)ck(openat(tm, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_DIRECTORY),
			    names[i]);
	}
	int scratch = scratch_dir(tm);
	ck(fsconfig_(ovl, FSCONFIG_SET_STRING, "source", "overlay", 0), "overlay");
	ck(fsconfig_(ovl, FSCONFIG_SET_FD, "lowerdir+", NULL, rootfd), "lowerdir+");
	ck(fsconfig_(ovl, FSCONFIG_SET_FD, "upperdir", NULL, dirs[0]), "upperdir");
	ck(fsconfig_(ovl, FSCONFIG_SET_FD, "workdir", NULL, dirs[1]), "workdir");
	ck(fsconfig_(ovl, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "overlay");
	int om = fsmount_(ovl, 0);
	move_mount_(om, tm);
	int newroot = (int)ck(openat(om, ".", O_RDONLY | O_CLOEXEC | O_DIRECTORY), "overlay");
	close(om);
	close(dirs[0]);
	close(dirs[1]);
	close(tm);
	close(ovl);
	*scratch_out = scratch;
	return newroot;
}

/* overlay.c, --rootfs: the tmpfs with the scratch directory under a clone of the bind. */
static int
under_bind(int rootfd, int *scratch_out)
{
	int tree =
	    (int)ck(syscall(SYS_open_tree, rootfd, "",
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE),
		    "open_tree");
	int tm = upper_tmpfs(rootfd);
	*scratch_out = scratch_dir(tm);
	move_mount_(tree, tm);
	int newroot = (int)ck(openat(tree, ".", O_RDONLY | O_CLOEXEC | O_DIRECTORY), "root");
	close(tree);
	close(tm);
	close(rootfd);
	return newroot;
}

static int
procfs(int rootfd)
{
	int f = fsopen_("proc");
	ck(fsconfig_(f, FSCONFIG_SET_STRING, "source", "proc", 0), "proc");
	ck(fsconfig_(f, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "proc");
	int m = fsmount_(f, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	close(f);
	int at = (int)ck(openat2_(rootfd, "proc", MNTPOINT, BENEATH, 0), "proc");
	move_mount_(m, at);
	close(at);
	return m;
}

/* Docker's default sysctls (sysctl.c), by the network thread through the host's /proc/sys. */
static void
sysctls(void)
{
	static const char *const values[][2] = {
	    {"/proc/sys/net/ipv4/ip_unprivileged_port_start", "0"},
	    {"/proc/sys/net/ipv4/ping_group_range", "0 2147483647"}};
	for (size_t i = 0; i < 2; i++) {
		int fd = (int)ck(openat2_(AT_FDCWD, values[i][0],
					  O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC,
					  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, 0),
				 values[i][0]);
		write_str(fd, values[i][1], values[i][0]);
		close(fd);
	}
}

/* mounts.c: mr_mounts_dev_build, in the parent (launch.c: hand_over_mounts). */
static int
devfs_build(void)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} nodes[] = {{"null", 1, 3},   {"zero", 1, 5},	  {"full", 1, 7},
		     {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
	static const char *const links[][2] = {
	    {"/proc/self/fd", "fd"},	   {"/proc/self/fd/0", "stdin"},
	    {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	    {"/proc/kcore", "core"},	   {"pts/ptmx", "ptmx"}};
	mode_t was = umask(0);
	int f = fsopen_("tmpfs");
	ck(fsconfig_(f, FSCONFIG_SET_STRING, "source", "tmpfs", 0), "dev");
	ck(fsconfig_(f, FSCONFIG_SET_STRING, "mode", "755", 0), "dev");
	ck(fsconfig_(f, FSCONFIG_SET_STRING, "size", "65536k", 0), "dev");
	ck(fsconfig_(f, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "dev");
	int m = fsmount_(f, MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME);
	close(f);
	int dev = (int)ck(openat(m, ".", O_RDONLY | O_CLOEXEC | O_DIRECTORY), "dev");
	for (size_t i = 0; i < 6; i++)
		ck(mknodat(dev, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)),
		   nodes[i].name);
	/* /dev/core only with a /proc/kcore, as minirun (and runc) make it. */
	bool kcore = access("/proc/kcore", F_OK) == 0;
	for (size_t i = 0; i < 6; i++)
		if (kcore || strcmp(links[i][1], "core") != 0)
			ck(symlinkat(links[i][0], dev, links[i][1]), links[i][1]);
	ck(mkdirat(dev, "pts", 0755), "pts");
	ck(mkdirat(dev, "shm", 0755), "shm");
	ck(mkdirat(dev, "mqueue", 0755), "mqueue");
	close(dev);
	umask(was);
	return m;
}

/* mounts.c: setup_dev with the /dev minirun built */
static int
devfs(int rootfd, int m)
{
	int at = (int)ck(openat2_(rootfd, "dev", MNTPOINT, BENEATH, 0), "dev");
	move_mount_(m, at);
	close(at);
	int dev = (int)ck(openat(m, ".", O_RDONLY | O_CLOEXEC | O_DIRECTORY), "dev");
	close(m);
	mount_by_fd(dev, "pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		    "newinstance,ptmxmode=0666,mode=0620,gid=5");
	mount_by_fd(dev, "shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		    "mode=1777,size=65536k");
	mount_by_fd(dev, "mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	return dev;
}

static int
sysfs(int rootfd)
{
	int f = fsopen_("sysfs");
	ck(fsconfig_(f, FSCONFIG_SET_STRING, "source", "sysfs", 0), "sys");
	ck(fsconfig_(f, FSCONFIG_SET_FLAG, "ro", NULL, 0), "sys");
	ck(fsconfig_(f, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "sys");
	int m = fsmount_(f, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				MOUNT_ATTR_NOEXEC);
	close(f);
	int at = (int)ck(openat2_(rootfd, "sys", MNTPOINT, BENEATH, 0), "sys");
	move_mount_(m, at);
	close(at);
	return m;
}

/*
 * cgroup-mount.c: /sys/fs/cgroup, one read-only mount per hierarchy the
 * container has its own cgroup in (rooted there by the cgroup namespace),
 * each checked for a release_agent; on v1 and hybrid hosts below a tmpfs
 * made read-only once its directories exist.
 */
static void
cgroupfs(int sysfd, int procfd)
{
	const unsigned ro =
	    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	struct {
		const char *controllers;
		int fd;
	} m[3];
	size_t n = 0;
	char buf[4096];

	int target = (int)ck(openat2_(sysfd, "fs/cgroup", MNTPOINT, IN_FS, 0), "sys/fs/cgroup");
	bool pure_v2 = is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC);
	int f = (int)ck(openat(procfd, "self/cgroup", O_RDONLY | O_CLOEXEC | O_NOFOLLOW),
			"self/cgroup");
	ssize_t len = ck(read(f, buf, sizeof(buf) - 1), "self/cgroup");
	close(f);
	buf[len] = '\0';
	for (char *line = buf, *nl; (nl = strchr(line, '\n')) != NULL && n < 3; line = nl + 1) {
		*nl = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		*c2 = '\0';
		const char *c = c1 + 1;
		bool own =
		    (c[0] == '\0' && v2.fd >= 0) || (strcmp(c, "devices") == 0 && devices.fd >= 0);
		if (!own || (pure_v2 && c[0] != '\0'))
			continue;
		int fs = fsopen_(c[0] ? "cgroup" : "cgroup2");
		ck(fsconfig_(fs, FSCONFIG_SET_STRING, "source", "cgroup", 0), "cgroup");
		if (c[0])
			ck(fsconfig_(fs, FSCONFIG_SET_FLAG, c, NULL, 0), c);
		ck(fsconfig_(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "cgroup");
		m[n].fd = fsmount_(fs, ro);
		close(fs);
		if (c[0] && faccessat(m[n].fd, "release_agent", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			die("release_agent");
		m[n++].controllers = c[0] ? c : "unified";
	}
	if (pure_v2 && n == 1) {
		move_mount_(m[0].fd, target);
	} else if (n > 0) {
		int fs = fsopen_("tmpfs");
		ck(fsconfig_(fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0), "cgroup tmpfs");
		ck(fsconfig_(fs, FSCONFIG_SET_STRING, "mode", "755", 0), "cgroup tmpfs");
		ck(fsconfig_(fs, FSCONFIG_SET_STRING, "size", "64k", 0), "cgroup tmpfs");
		ck(fsconfig_(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "cgroup tmpfs");
		int tmp = fsmount_(fs, ro & ~MOUNT_ATTR_RDONLY);
		move_mount_(tmp, target);
		for (size_t i = 0; i < n; i++) {
			ck(mkdirat(tmp, m[i].controllers, 0755), m[i].controllers);
			int d = (int)ck(openat2_(tmp, m[i].controllers, MNTPOINT, IN_FS, 0),
					m[i].controllers);
			move_mount_(m[i].fd, d);
			close(d);
		}
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		ck(syscall(SYS_mount_setattr, tmp, "", AT_EMPTY_PATH, &attr, sizeof(attr)),
		   "mount_setattr");
		close(tmp);
		close(fs);
	}
	for (size_t i = 0; i < n; i++)
		close(m[i].fd);
	close(target);
}

/* etc-files.c: mr_etc_files_build, in the parent (launch.c: hand_over_mounts). */
static int
etc_build(const char *hostname)
{
	char hosts[256];
	snprintf(hosts, sizeof(hosts),
		 "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
		 "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
		 "ff02::2\tip6-allrouters\n127.0.1.1\t%s\n",
		 hostname);
	char host_line[80];
	snprintf(host_line, sizeof(host_line), "%s\n", hostname);
	const char *const files[][2] = {
	    {"hostname", host_line},
	    {"hosts", hosts},
	    {"resolv.conf", "# minirun: --network none: the container has no network\n"}};
	int f = fsopen_("tmpfs");
	ck(fsconfig_(f, FSCONFIG_SET_STRING, "source", "tmpfs", 0), "etc");
	ck(fsconfig_(f, FSCONFIG_SET_STRING, "size", "4m", 0), "etc");
	ck(fsconfig_(f, FSCONFIG_SET_STRING, "nr_inodes", "16", 0), "etc");
	ck(fsconfig_(f, FSCONFIG_SET_STRING, "mode", "0755", 0), "etc");
	ck(fsconfig_(f, FSCONFIG_CMD_CREATE, NULL, NULL, 0), "etc");
	int m = fsmount_(f, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	close(f);
	mode_t was = umask(0);
	for (size_t i = 0; i < 3; i++) {
		int fd = (int)ck(openat(m, files[i][0],
					O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644),
				 files[i][0]);
		write_str(fd, files[i][1], files[i][0]);
		close(fd);
	}
	umask(was);
	return m;
}

/* etc-files.c: mr_etc_files_attach, the tmpfs on the scratch directory, each file bound. */
static void
etc_files(int rootfd, int scratch, int m)
{
	static const char *const names[] = {"hostname", "hosts", "resolv.conf"};
	move_mount_(m, scratch);
	for (size_t i = 0; i < 3; i++) {
		char target[64];
		snprintf(target, sizeof(target), "etc/%s", names[i]);
		int t = openat2_(rootfd, target, O_RDONLY | O_CLOEXEC | O_PATH,
				 RESOLVE_NO_MAGICLINKS | RESOLVE_IN_ROOT, 0);
		if (t < 0)
			t = (int)ck(openat2_(rootfd, target,
					     O_RDONLY | O_CREAT | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
					     RESOLVE_NO_MAGICLINKS | RESOLVE_IN_ROOT, 0644),
				    target);
		int tree = (int)ck(syscall(SYS_open_tree, m, names[i],
					   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					       AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT),
				   "open_tree");
		move_mount_(tree, t);
		close(tree);
		close(t);
	}
	close(m);
}

struct child_args {
	const char *rootfs;
	const char *hostname;
	char *const *argv;
	int sock;
	bool no_overlay;
};

/* receive_from_minirun (launch.c): the namespace's fd, then /dev's and the /etc files'. */
static void
recv_fds(int sock, int *fds, size_t n)
{
	char msg[1036];
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = msg, .iov_len = sizeof(msg)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	ck(recvmsg(sock, &mh, MSG_CMSG_CLOEXEC), "recvmsg");
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (c == NULL || c->cmsg_len != CMSG_LEN(n * sizeof(int)))
		die("not the fds from the parent");
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
}

/* hand_over_netns, hand_over_mounts (launch.c) */
static void
send_fds(int sock, const int *fds, size_t n)
{
	char msg[1036] = {0};
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = {.iov_base = msg, .iov_len = sizeof(msg)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = CMSG_SPACE(n * sizeof(int))};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	ck(sendmsg(sock, &mh, MSG_NOSIGNAL), "sendmsg");
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

static _Noreturn void
container(const struct child_args *a)
{
	/* Docker's 14 capabilities. */
	const uint64_t keep = 1ull << CAP_CHOWN | 1ull << CAP_DAC_OVERRIDE | 1ull << CAP_FSETID |
			      1ull << CAP_FOWNER | 1ull << CAP_MKNOD | 1ull << CAP_NET_RAW |
			      1ull << CAP_SETGID | 1ull << CAP_SETUID | 1ull << CAP_SETFCAP |
			      1ull << CAP_SETPCAP | 1ull << CAP_NET_BIND_SERVICE |
			      1ull << CAP_SYS_CHROOT | 1ull << CAP_KILL | 1ull << CAP_AUDIT_WRITE;
	char null_path[64];
	struct stat st1, st2;
	struct statx stx;

	/* detach_from_caller */
	ck(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), "PR_SET_PDEATHSIG");
	if (devices.fd >= 0) {
		int t = (int)ck(openat(devices.fd, "tasks", O_WRONLY | O_CLOEXEC), "tasks");
		write_str(t, "0", "tasks");
		close(t);
	}
	for (size_t i = 0; i < n_extra; i++) {
		int t = (int)ck(openat(extra[i].fd, "tasks", O_WRONLY | O_CLOEXEC), "tasks");
		write_str(t, "0", "tasks");
		close(t);
	}
	ck(syscall(SYS_unshare, CLONE_NEWCGROUP), "unshare(CLONE_NEWCGROUP)");
	ck(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "PR_SET_DUMPABLE");
	ck(setsid(), "setsid");

	/* enter_root: mounts.c */
	umask(0);
	ck(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "make / private");
	ck(mount(a->rootfs, a->rootfs, NULL, MS_BIND | MS_REC, NULL), "bind rootfs");
	int rootfd = (int)ck(open(a->rootfs, O_RDONLY | O_CLOEXEC | O_DIRECTORY), "rootfs");
	ck(fstat(rootfd, &st1), "rootfs");
	ck(fstat(rootfd, &st2), "rootfs");
	ck(statx(rootfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx), "rootfs");
	int scratch = -1;
	rootfd = a->no_overlay ? under_bind(rootfd, &scratch) : overlay(rootfd, &scratch);
	int procfd = procfs(rootfd);
	int netns;
	recv_fds(a->sock, &netns, 1);
	ck(setns(netns, CLONE_NEWNET), "setns(CLONE_NEWNET)");
	close(netns);
	int sysfd = sysfs(rootfd);
	cgroupfs(sysfd, procfd);
	int built[2];
	recv_fds(a->sock, built, 2);
	int devfd = devfs(rootfd, built[0]);
	int nullfd = (int)ck(openat(devfd, "null", O_PATH | O_CLOEXEC | O_NOFOLLOW), "null");
	fd_path(null_path, sizeof(null_path), nullfd);
	for (size_t i = 0; i < sizeof(masked_proc) / sizeof(masked_proc[0]); i++)
		mask(procfd, masked_proc[i], null_path);
	for (size_t i = 0; i < sizeof(masked_sys) / sizeof(masked_sys[0]); i++)
		mask(sysfd, masked_sys[i], null_path);
	for (size_t i = 0; i < sizeof(readonly_proc) / sizeof(readonly_proc[0]); i++)
		readonly(procfd, readonly_proc[i]);
	etc_files(rootfd, scratch, built[1]);
	close(scratch);
	close(nullfd);
	close(sysfd);
	close(devfd);
	close(procfd);
	ck(fchdir(rootfd), "fchdir");
	ck(syscall(SYS_pivot_root, ".", "."), "pivot_root");
	ck(umount2(".", MNT_DETACH), "umount old root");
	ck(chdir("/"), "chdir /");
	close(rootfd);
	ck(syscall(SYS_close_range, 3U, (unsigned)a->sock - 1, 0U), "close_range");
	ck(syscall(SYS_close_range, (unsigned)a->sock + 1, ~0U, 0U), "close_range");

	/* set_up_surroundings (lo is up: the namespace's thread did it) */
	ck(sethostname(a->hostname, strlen(a->hostname)), "sethostname");
	int null = (int)ck(open("/dev/null", O_RDONLY | O_CLOEXEC), "/dev/null");
	ck(dup2(null, 0), "dup2");
	close(null);
	umask(022);
	ck(chdir("/"), "chdir");
	char cwd[4096];
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		die("getcwd");
	exec_check((int)ck(open(a->argv[0], O_RDONLY | O_NONBLOCK | O_CLOEXEC), a->argv[0]));
	for (int sig = 1; sig < SIGRTMIN; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* take_identity: the filter goes in before setresuid (no no_new_privs). */
	ck(syscall(SYS_setgroups, 0, NULL), "setgroups");
	for (int c = 0; c <= LAST_CAP; c++)
		if (!((keep >> c) & 1) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			ck(prctl(PR_CAPBSET_DROP, c, 0, 0, 0), "PR_CAPBSET_DROP");
	ck(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient");
	ck(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "PR_SET_KEEPCAPS");
	ck(syscall(SYS_setresgid, 0, 0, 0), "setresgid");
	if (prog != NULL) {
		struct sock_fprog fp = {.len = prog_len, .filter = prog};
		ck(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, prog_flags, &fp), "seccomp");
	}
	ck(syscall(SYS_setresuid, 0, 0, 0), "setresuid");
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {{0}};
	ck(syscall(SYS_capget, &hdr, NULL), "capget");
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	ck(syscall(SYS_capset, &hdr, data), "capset");
	uid_t r, e, sv;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &sv);
	getresgid(&gr, &ge, &gs);
	syscall(SYS_capget, &hdr, data);
	char hn[80];
	snprintf(hn, sizeof(hn), "HOSTNAME=%s", a->hostname);
	char *envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", hn,
			"HOME=/root", NULL};
	execve(a->argv[0], a->argv, envp);
	die(a->argv[0]);
}

/* namespaces.c: make_net, in a thread of its own. */
static int net_fd = -1;

static void *
make_net(void *unused)
{
	(void)unused;
	ck(unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)");
	int s = (int)ck(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket");
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	ck(ioctl(s, SIOCSIFFLAGS, &ifr), "lo up");
	net_fd = (int)ck(ioctl(s, SIOCGSKNS), "SIOCGSKNS");
	/* sysctl.c: mr_sysctl_net_write, Docker's default sysctls, in the namespace */
	sysctls();
	close(s);
	return NULL;
}

static pthread_t
start_net(void)
{
	pthread_attr_t attr;
	cpu_set_t cpus;
	pthread_t t;
	int self = sched_getcpu();

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_attr_setguardsize(&attr, 0);
	if (self >= 0 && sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1) {
		CPU_CLR(self, &cpus);
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	}
	if (pthread_create(&t, &attr, make_net, NULL) != 0)
		die("pthread_create");
	pthread_attr_destroy(&attr);
	return t;
}

/* The request by number: <linux/ptrace.h> clashes with glibc's <sys/ptrace.h>. */
#define FLOOR_PTRACE_SECCOMP_GET_FILTER 0x420c

static int
dump_filter(const char *pid_s, const char *out)
{
	pid_t pid = (pid_t)atoi(pid_s);
	int st;
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0 ||
	    ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0 || waitpid(pid, &st, __WALL) < 0)
		die("ptrace");
	long n = ptrace((enum __ptrace_request)FLOOR_PTRACE_SECCOMP_GET_FILTER, pid, 0, NULL);
	if (n <= 0)
		die("PTRACE_SECCOMP_GET_FILTER");
	struct sock_filter *insns = calloc((size_t)n, sizeof(*insns));
	if (insns == NULL ||
	    ptrace((enum __ptrace_request)FLOOR_PTRACE_SECCOMP_GET_FILTER, pid, 0, insns) != n)
		die("PTRACE_SECCOMP_GET_FILTER");
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	int fd = (int)ck(open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), out);
	size_t len = (size_t)n * sizeof(*insns);
	if (write(fd, insns, len) != (ssize_t)len)
		die(out);
	close(fd);
	free(insns);
	return 0;
}

int
main(int argc, char **argv)
{
	floor_pid = getpid();
	char mode = 0;
	const char *file = NULL;
	bool no_overlay = false;
	int opt;

	if (argc == 4 && strcmp(argv[1], "-d") == 0)
		return dump_filter(argv[2], argv[3]);
	while ((opt = getopt(argc, argv, "+c:b:ar")) != -1) {
		switch (opt) {
		case 'c':
		case 'b':
			mode = (char)opt;
			file = optarg;
			break;
		case 'a':
			mode = 'a';
			break;
		case 'r':
			no_overlay = true;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind < 2) {
	usage:
		fprintf(stderr,
			"usage: syscall-floor [-c CACHE_ENTRY | -b RAW_BPF | -a] [-r] ROOTFS CMD "
			"[ARG...]\n       syscall-floor -d PID FILE\n");
		return 2;
	}
	const char *rootfs = argv[optind];

	/*
	 * prepare (prepare.c, program.c); the network namespace's thread starts
	 * first (mr_prepare with MR_PREPARE_LAUNCH), before the rootfs is opened
	 */
	probe_caps();
	pthread_t net_thread = start_net();
	int rootfd = (int)ck(open(rootfs, O_RDONLY | O_CLOEXEC | O_PATH | O_DIRECTORY), rootfs);
	read_in_root(rootfd, "etc/passwd", RESOLVE_NO_MAGICLINKS | RESOLVE_IN_ROOT);
	read_in_root(rootfd, "etc/group", RESOLVE_NO_MAGICLINKS | RESOLVE_IN_ROOT);
	uint8_t rnd[6];
	ck(getrandom(rnd, sizeof(rnd), 0), "getrandom");
	char hostname[16];
	snprintf(hostname, sizeof(hostname), "%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5]);
	/*
	 * The command: resolved once to find it, and with the overlay once more
	 * for the exec check of the image (prepare.c: mr_exec_check_image).
	 */
	close((int)ck(
	    openat2_(rootfd, argv[optind + 1], O_RDONLY | O_CLOEXEC | O_PATH, RESOLVE_IN_ROOT, 0),
	    argv[optind + 1]));
	if (!no_overlay) {
		int cmdfd = (int)ck(openat2_(rootfd, argv[optind + 1],
					     O_RDONLY | O_CLOEXEC | O_PATH, RESOLVE_IN_ROOT, 0),
				    argv[optind + 1]);
		char proc[64];
		fd_path(proc, sizeof(proc), cmdfd);
		exec_check(
		    (int)ck(open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC), argv[optind + 1]));
		close(cmdfd);
	}
	close(rootfd);
	load_program(mode, file);

	/* mr_launch: the cgroup and clone3 while the network namespace's thread runs */
	make_cgroups(mode == 0);
	sigset_t relay, orig;
	sigemptyset(&relay);
	int relayed[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH};
	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++)
		sigaddset(&relay, relayed[i]);
	sigprocmask(SIG_BLOCK, &relay, &orig);
	/* isatty(1), isatty(2): whether output pipes are needed (not here). */
	struct termios tio;
	tcgetattr(STDOUT_FILENO, &tio);
	tcgetattr(STDERR_FILENO, &tio);
	int sv[2];
	ck(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), "socketpair");
	int pidfd = -1;
	struct clone_args ca = {
	    .flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_PIDFD,
	    .pidfd = (uint64_t)(uintptr_t)&pidfd,
	    .exit_signal = SIGCHLD,
	};
	if (v2.fd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)v2.fd;
	}
	pid_t pid = (pid_t)ck(syscall(SYS_clone3, &ca, sizeof(ca)), "clone3");
	child_pidfd = pid != 0 ? pidfd : -1;
	if (pid == 0) {
		close(sv[0]);
		struct child_args a = {.rootfs = rootfs,
				       .hostname = hostname,
				       .argv = argv + optind + 1,
				       .sock = sv[1],
				       .no_overlay = no_overlay};
		container(&a);
	}
	close(sv[1]);
	pthread_join(net_thread, NULL);
	send_fds(sv[0], &net_fd, 1);
	int built[2] = {devfs_build(), etc_build(hostname)};
	send_fds(sv[0], built, 2);

	/* wait_for_exec: EOF on the sync socket */
	char msg[1036];
	struct iovec iov = {.iov_base = msg, .iov_len = sizeof(msg)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct pollfd pfd[2] = {{.fd = sv[0], .events = POLLIN}, {.fd = -1}};
	ck(poll(pfd, 2, -1), "poll");
	if (recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC) != 0) {
		fprintf(stderr, "syscall-floor: the container process failed before exec\n");
		abandon_cgroups();
		return 125;
	}

	/* relay_until_exit: signalfd + pidfd, waitid */
	int sfd = (int)ck(signalfd(-1, &relay, SFD_CLOEXEC | SFD_NONBLOCK), "signalfd");
	struct pollfd w[2] = {{.fd = sfd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
	siginfo_t si;
	for (;;) {
		ck(poll(w, 2, -1), "poll");
		memset(&si, 0, sizeof(si));
		ck(waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG), "waitid");
		if (si.si_pid != 0)
			break;
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	close(sfd);
	close(pidfd);
	close(sv[0]);
	remove_cgroups();
	return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}
