/* SPDX-License-Identifier: MIT */
/*
 * spec -> prepared: every check that can fail on the user's input happens
 * here, in the parent, before any process exists, so a typo never leaves a
 * half-started container, a mount or a file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/prctl.h>
#include <seccomp.h>

#include "container/prepare.h"
#include "container/apparmor.h"
#include "container/cgroup.h"
#include "container/exec-check.h"
#include "container/overlay.h"
#include "container/self-seal.h"
#include "container/sysctl.h"
#include "seccomp/arch.h"
#include "seccomp/bpf-eval.h"
#include "common/phases.h"
#include "common/util.h"

/* Docker's default PATH (moby oci/defaults.go). */
static const char default_path[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static int
open_rootfs(const struct mr_spec *spec, struct mr_prepared *p, struct mr_error *err)
{
	struct stat st, host_root;
	char link[64], real[PATH_MAX];

	/*
	 * Open first, then name what was opened: ROOTFS is resolved exactly
	 * once here, and the container process later checks that it binds this
	 * very directory.  Comparing strings (realpath, then open) would let
	 * whoever can rename a component swap the host's / in between.
	 */
	cleanup_close int fd = open(spec->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mr_error_set(err, errno, "rootfs %s", spec->rootfs);
	if (fstat(fd, &st) < 0 || stat("/", &host_root) < 0)
		return mr_error_set(err, errno, "rootfs %s", spec->rootfs);
	if (st.st_dev == host_root.st_dev && st.st_ino == host_root.st_ino)
		return mr_error_set(err, 0,
				    "rootfs %s: the host's root cannot be a container's root "
				    "filesystem",
				    spec->rootfs);
	if (spec->rootfs_cached &&
	    (st.st_dev != spec->rootfs_cached_dev || st.st_ino != spec->rootfs_cached_ino))
		return mr_error_set(err, 0,
				    "rootfs %s: not the image cache's entry found a moment ago (a "
				    "directory on its path was replaced); refusing to continue",
				    spec->rootfs);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, real, sizeof(real) - 1);
	if (n <= 0)
		return mr_error_set(err, errno, "rootfs %s", spec->rootfs);
	real[n] = '\0';
	p->rootfs_path = strdup(real);
	if (p->rootfs_path == NULL)
		return mr_error_oom(err, "rootfs");
	p->rootfs_fd = mr_steal_fd(&fd);
	return 0;
}

static int
set_capabilities(const struct mr_spec *spec, struct mr_prepared *p, struct mr_error *err)
{
	mr_capset wanted = spec->caps, available;

	/*
	 * In a user namespace the child holds every capability of the new
	 * namespace (its bounding set is full again); as real root it can only
	 * keep what minirun's own bounding set has (this machine's root lacks
	 * CAP_SYS_RESOURCE, for one).
	 */
	if (p->userns)
		available = mr_caps_all_known();
	else if (mr_caps_get_bounding(&available, err) < 0)
		return -1;

	/*
	 * An OCI config's permitted set is raised by capset(2), which cannot
	 * grant what minirun lacks (runc and crun fail on it too); its bounding
	 * set only limits, and one minirun lacks is simply not in it, as with
	 * runc and crun.  The front end's sets are all the same one.
	 */
	mr_capset missing = (spec->caps_explicit ? spec->cap_permitted : wanted) & ~available;
	if (missing != 0 && !(spec->privileged || spec->caps_all)) {
		cleanup_free char *names = mr_caps_to_string(missing);
		return mr_error_set(err, 0,
				    "capabilities: %s cannot be granted: minirun itself does not "
				    "hold %s",
				    names ? names : "?", missing & (missing - 1) ? "them" : "it");
	}
	p->bounding = wanted & available;
	if (spec->caps_explicit) {
		/*
		 * An OCI config gives every set (oci-config.c: parse_caps refuses
		 * effective outside permitted and inheritable outside bounding, as
		 * capset(2) does); ambient is raised only where permitted and
		 * inheritable both hold it (the kernel's rule, runc skips the others
		 * too).  The masks only matter for --privileged's every capability.
		 */
		p->permitted = spec->cap_permitted & available;
		p->effective = spec->cap_effective & p->permitted;
		p->inheritable = spec->cap_inheritable & p->bounding;
		p->ambient = spec->cap_ambient & p->permitted & p->inheritable;
		return 0;
	}
	/*
	 * Docker's rule (moby oci.SetCapabilities): a non-root user gets the
	 * set in its bounding set only, "to match what execve does".
	 */
	if (p->user.uid == 0) {
		p->effective = p->bounding;
		p->permitted = p->bounding;
	} else {
		p->effective = 0;
		p->permitted = 0;
	}
	return 0;
}

static int
make_hostname(const struct mr_spec *spec, struct mr_prepared *p, struct mr_error *err)
{
	struct utsname uts;

	if (spec->hostname != NULL) {
		p->hostname = strdup(spec->hostname);
	} else if (spec->network == MR_NETWORK_HOST && uname(&uts) == 0) {
		/* Docker: with the host's network, the host's name (still in a UTS
		   namespace of the container's own, so -h works and sethostname
		   inside changes nothing outside). */
		p->hostname = strdup(uts.nodename);
	} else {
		/* Like Docker: the short form of a random container id. */
		unsigned char r[6];
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return mr_error_set(err, errno, "hostname: getrandom");
		p->hostname = malloc(13);
		if (p->hostname)
			snprintf(p->hostname, 13, "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
				 r[3], r[4], r[5]);
	}
	if (p->hostname == NULL)
		return mr_error_oom(err, "hostname");
	return 0;
}

struct env_entry {
	const char *kv;
	size_t keylen, pos;
};

/* By name, then by position: the entries of one name together, in order. */
static int
env_entry_cmp(const void *a, const void *b)
{
	const struct env_entry *x = a, *y = b;
	int r = memcmp(x->kv, y->kv, x->keylen < y->keylen ? x->keylen : y->keylen);
	if (r != 0)
		return r;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * The N entries of IN, each name once, into OUT (room for N and a NULL): at
 * the place of its first entry, with the value of its last (setenv's
 * result, what runc's init gives).  Sorted, not compared pairwise:
 * process.env comes from the image, and a config of a few MB holds
 * hundreds of thousands of entries (minutes of CPU, quadratic).
 */
static int
env_merge(const char *const *in, size_t n, char **out, size_t *n_out, struct mr_error *err)
{
	cleanup_free struct env_entry *sorted = calloc(n ? n : 1, sizeof(*sorted));
	cleanup_free size_t *winner = calloc(n ? n : 1, sizeof(*winner));
	size_t m = 0;

	if (sorted == NULL || winner == NULL)
		return mr_error_oom(err, "environment");
	for (size_t i = 0; i < n; i++) {
		size_t keylen = strcspn(in[i], "=");
		/* Without '=' it names nothing to replace: kept as it is. */
		winner[i] = in[i][keylen] == '=' ? SIZE_MAX : i;
		if (in[i][keylen] == '=')
			sorted[m++] = (struct env_entry){in[i], keylen, i};
	}
	qsort(sorted, m, sizeof(*sorted), env_entry_cmp);
	for (size_t i = 0, j; i < m; i = j) {
		for (j = i + 1; j < m && sorted[j].keylen == sorted[i].keylen &&
				memcmp(sorted[j].kv, sorted[i].kv, sorted[i].keylen) == 0;
		     j++)
			;
		winner[sorted[i].pos] = sorted[j - 1].pos;
	}
	for (size_t i = 0; i < n; i++) {
		if (winner[i] == SIZE_MAX)
			continue;
		if ((out[*n_out] = strdup(in[winner[i]])) == NULL)
			return mr_error_oom(err, "environment");
		++*n_out;
	}
	return 0;
}

static int
make_env(const struct mr_spec *spec, struct mr_prepared *p, struct mr_error *err)
{
	size_t n = 0, m = 0;
	char buf[PATH_MAX + 16];
	cleanup_free const char **in = calloc(spec->n_env + 3, sizeof(*in));

	/* Every entry, HOME and the NULL: one allocation, whatever the count. */
	p->envp = calloc(spec->n_env + 5, sizeof(char *));
	if (in == NULL || p->envp == NULL)
		return mr_error_oom(err, "environment");
	/* An OCI config's process.env is the whole environment (runc adds only HOME). */
	snprintf(buf, sizeof(buf), "HOSTNAME=%s", p->hostname);
	if (!spec->env_as_given) {
		in[m++] = default_path;
		in[m++] = buf;
		if (spec->tty)
			in[m++] = "TERM=xterm";
	}
	for (size_t i = 0; i < spec->n_env; i++)
		in[m++] = spec->env[i];
	if (env_merge(in, m, p->envp, &n, err) < 0)
		return -1;
	/* HOME only when -e did not set it (Docker's rule). */
	for (size_t i = 0; i < n; i++)
		if (strncmp(p->envp[i], "HOME=", 5) == 0)
			return 0;
	snprintf(buf, sizeof(buf), "HOME=%s", p->user.home ? p->user.home : "/");
	if ((p->envp[n] = strdup(buf)) == NULL)
		return mr_error_oom(err, "environment");
	return 0;
}

static const char *
env_get(char **envp, const char *key)
{
	size_t n = strlen(key);
	for (char **e = envp; *e; e++)
		if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* 0: found an executable regular file; else an errno as execve would give it. */
static int
probe_exec(int rootfs_fd, const char *path)
{
	cleanup_close int fd = mr_open_in_root(rootfs_fd, path, O_PATH, 0);
	struct stat st;

	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
		return EACCES;
	return 0;
}

/*
 * Where a volume goes (lexically: PATH is the target or below it).  The
 * image's tree does not show what the volume will (podman --init binds
 * catatonit at /run/podman-init, -v /host/tool:/usr/local/bin/tool): such a
 * command is looked for again in the container, once its mounts are made.
 */
static bool
on_volume(const struct mr_spec *spec, const char *path)
{
	for (size_t i = 0; i < spec->n_volumes; i++) {
		size_t n = strlen(spec->volumes[i].target);
		if (strncmp(path, spec->volumes[i].target, n) == 0 &&
		    (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

/*
 * execvp's search of SEARCH (a $PATH) for CMD beneath ROOTFD: 0 with the
 * path in OUT, else ENOENT (or EACCES when a candidate was not executable);
 * *late when a candidate lies on a volume.
 */
static int
search_path(int rootfd, const struct mr_prepared *p, const char *search, char *out, size_t size,
	    bool *late)
{
	const struct mr_spec *spec = p->spec;
	const char *cmd = spec->argv[0];
	int seen_eacces = 0;
	for (const char *dir = search; dir != NULL;) {
		const char *end = strchr(dir, ':');
		size_t len = end ? (size_t)(end - dir) : strlen(dir);
		if (len == 0)
			snprintf(out, size, "%s/%s", p->workdir ? p->workdir : "", cmd);
		else
			snprintf(out, size, "%.*s/%s", (int)len, dir, cmd);
		int e = probe_exec(rootfd, out);
		if (e == 0)
			return 0;
		if (e == EACCES)
			seen_eacces = 1;
		if (late != NULL && on_volume(spec, out))
			*late = true;
		dir = end ? end + 1 : NULL;
	}
	return seen_eacces ? EACCES : ENOENT;
}

static const char *
search_of(const struct mr_prepared *p)
{
	const char *search = env_get(p->envp, "PATH");
	return search ? search : default_path + 5;
}

/*
 * Find COMMAND the way execvp would inside the container, so "not found"
 * (127) and "not executable" (126) are reported before anything starts --
 * except for a command on a volume, which only the container shows.
 */
static int
find_command(const struct mr_spec *spec, struct mr_prepared *p, struct mr_error *err)
{
	const char *cmd = spec->argv[0];
	char path[PATH_MAX];
	/* With the copy-on-write root the command must be in ROOTFS: the
	   CVE-2019-5736 check of its interpreters runs there (overlay.c). */
	bool may_defer = !mr_overlay_wanted(spec);

	if (strchr(cmd, '/') != NULL) {
		if (cmd[0] == '/')
			snprintf(path, sizeof(path), "%s", cmd);
		else
			snprintf(path, sizeof(path), "%s/%s", p->workdir ? p->workdir : "", cmd);
		int e = probe_exec(p->rootfs_fd, path);
		/* The container's own check reports it (mr_exec_check_target, execve). */
		if (e != 0 && may_defer && on_volume(spec, path))
			e = 0;
		if (e == ENOENT || e == ENOTDIR)
			return mr_error_set_status(err, MR_EXIT_NOT_FOUND, e, "exec %s", cmd);
		if (e != 0)
			return mr_error_set_status(err, MR_EXIT_CANNOT_EXEC, e, "exec %s", cmd);
		p->exec_path = strdup(path);
		return p->exec_path ? 0 : mr_error_oom(err, "exec");
	}

	bool late = false;
	int e = search_path(p->rootfs_fd, p, search_of(p), path, sizeof(path), &late);
	if (e == 0 || (late && may_defer)) {
		/* Late: a buffer the container process fills (mr_find_command_late). */
		p->exec_late = e != 0;
		p->exec_path = malloc(PATH_MAX);
		if (p->exec_path == NULL)
			return mr_error_oom(err, "exec");
		snprintf(p->exec_path, PATH_MAX, "%s", e == 0 ? path : cmd);
		return 0;
	}
	if (e == EACCES)
		return mr_error_set_status(err, MR_EXIT_CANNOT_EXEC, EACCES, "exec %s", cmd);
	return mr_error_set_status(err, MR_EXIT_NOT_FOUND, 0,
				   "exec %s: executable file not found in the container's $PATH "
				   "(%s)",
				   cmd, search_of(p));
}

int
mr_find_command_late(const struct mr_prepared *p, struct mr_error *err)
{
	if (!p->exec_late)
		return 0;
	char path[PATH_MAX];
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return mr_error_set_status(err, MR_EXIT_CANNOT_EXEC, errno, "exec: open /");
	int e = search_path(root, p, search_of(p), path, sizeof(path), NULL);
	if (e == EACCES)
		return mr_error_set_status(err, MR_EXIT_CANNOT_EXEC, EACCES, "exec %s",
					   p->spec->argv[0]);
	if (e != 0)
		return mr_error_set_status(err, MR_EXIT_NOT_FOUND, 0,
					   "exec %s: executable file not found in the container's "
					   "$PATH (%s)",
					   p->spec->argv[0], search_of(p));
	/* exec_path has PATH_MAX bytes (find_command); this process's own copy. */
	snprintf(p->exec_path, PATH_MAX, "%s", path);
	return 0;
}

static const char *
action_name(uint32_t ret, char *buf, size_t size)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		return "KILL_PROCESS";
	case SECCOMP_RET_KILL_THREAD:
		return "KILL";
	case SECCOMP_RET_TRAP:
		return "TRAP";
	case SECCOMP_RET_ERRNO:
		snprintf(buf, size, "ERRNO(%s)", strerror((int)(ret & SECCOMP_RET_DATA)));
		return buf;
	case SECCOMP_RET_USER_NOTIF:
		return "NOTIFY";
	case SECCOMP_RET_TRACE:
		return "TRACE";
	default:
		break;
	}
	return "?";
}

/*
 * The syscalls the container process still makes once the filter is in
 * (lib/container/launch.c, take_identity and exec_command).  Checked here,
 * on every path of the finished program whatever the arguments, so a
 * profile that would stop minirun half-way -- or fake a call's success with
 * ERRNO(0) -- fails before any process exists, with the syscall named,
 * instead of a container that dies silently or, worse, keeps privileges it
 * was meant to drop.
 */
struct outcome_acc {
	bool refused;
	uint32_t worst;
};

static void
note_outcome(uint32_t ret, void *arg)
{
	struct outcome_acc *acc = arg;
	uint32_t action = ret & SECCOMP_RET_ACTION_FULL;
	if (action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG && !acc->refused) {
		acc->refused = true;
		acc->worst = ret;
	}
}

static int
check_profile_allows_launch(const struct mr_prepared *p, struct mr_error *err)
{
	struct call {
		const char *name;
		int nr;
		bool needed;
	};
	bool late = !p->spec->no_new_privs;
	/* execve first: a profile that denies it is wrong whatever else it does. */
	const struct call calls[] = {
	    {"execve", SYS_execve, true},
	    {"setresuid", SYS_setresuid, late},
	    {"capset", SYS_capset, late},
	    /* PR_SET_PDEATHSIG for a non-root user; PR_CAP_AMBIENT_RAISE for any. */
	    {"prctl", SYS_prctl, late && (p->user.uid != 0 || p->ambient != 0)},
	};
	const struct mr_seccomp_prepared *sc = &p->seccomp;
	const char *src = sc->source ? sc->source : "(built-in default)";

	if (!sc->enabled)
		return 0;
	/* An invalid program refuses every call, as mr_bpf_outcomes would say for each. */
	struct mr_bpf_checked prog;
	bool valid = mr_bpf_check(sc->insns, sc->n_insns, &prog) == 0;
	for (size_t i = 0; i < MR_ARRAY_SIZE(calls); i++) {
		const struct call *c = &calls[i];
		struct outcome_acc acc = {false, 0};
		char buf[64];

		if (!c->needed)
			continue;
		if (!valid || mr_bpf_outcomes_checked(&prog, seccomp_arch_native(), c->nr,
						      note_outcome, &acc) < 0) {
			acc.refused = true;
			acc.worst = SECCOMP_RET_KILL_PROCESS;
		}
		if (!acc.refused)
			continue;
		const char *what = action_name(acc.worst, buf, sizeof(buf));
		if ((acc.worst & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO &&
		    (acc.worst & SECCOMP_RET_DATA) == 0)
			what = "ERRNO(0): a faked success";
		if (c->nr == SYS_execve)
			return mr_error_set(
			    err, 0,
			    "seccomp profile %s denies execve (%s): no command can "
			    "start under it; allow execve (and execveat) in the profile",
			    src, what);
		return mr_error_set(
		    err, 0,
		    "seccomp profile %s denies %s (%s), which minirun must call after "
		    "installing the filter because no-new-privileges is off "
		    "(installing a filter then needs CAP_SYS_ADMIN, so it goes in "
		    "before the user and capabilities are set): allow %s in the "
		    "profile, or add --security-opt no-new-privileges so the filter is "
		    "installed last",
		    src, c->name, what, c->name);
	}
	return 0;
}

static void
note_readback(uint32_t ret, void *arg)
{
	bool *unsafe = arg;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_TRACE: /* no tracer: ENOSYS */
		break;
	default:
		*unsafe = true;
	}
}

/*
 * The read-back of the identity after the filter (launch.c, verify_identity)
 * is best effort: a refusal with an errno skips it.  A profile that kills,
 * traps or notifies on getresuid, getresgid or capget would kill the
 * container before its command, where runc and crun (which never make these
 * calls) start it: then the read-back is not made at all.
 */
static void
decide_readback(struct mr_prepared *p)
{
	static const int calls[] = {SYS_getresuid, SYS_getresgid, SYS_capget};
	const struct mr_seccomp_prepared *sc = &p->seccomp;
	bool unsafe = false;

	/* The built-in default allows all three. */
	if (!sc->enabled || sc->builtin || p->spec->no_new_privs)
		return;
	struct mr_bpf_checked prog;
	unsafe = mr_bpf_check(sc->insns, sc->n_insns, &prog) < 0;
	for (size_t i = 0; i < MR_ARRAY_SIZE(calls) && !unsafe; i++)
		if (mr_bpf_outcomes_checked(&prog, seccomp_arch_native(), calls[i], note_readback,
					    &unsafe) < 0)
			unsafe = true;
	p->skip_readback = unsafe;
}

/*
 * Whether the container can make a cgroup namespace of its own, which is
 * rooted at its cgroup in each hierarchy (p->lets_cgroupns: cgroup.c then
 * gives it one in every v1 hierarchy).  Asked only where that matters: as
 * root, not privileged.  Also with a user namespace (OCI uidMappings): the
 * namespace minirun makes belongs to it, and one the container makes in a
 * user namespace of its own does too; either lets it mount a v1 hierarchy
 * (cgroup.c: every_hierarchy).
 *
 * --cgroups=disabled as root: the container stays in minirun's own cgroups,
 * which are the host's.  A cgroup namespace made in a user namespace of the
 * container's own is rooted there, and lets it mount the cgroupfs and write
 * them as their owner (uid 0): limits, freezer.state, new child cgroups that
 * outlive it (cgroup v1 has no nsdelegate to stop that).  Making the
 * namespace is the step that needs nothing the container lacks, so the
 * filter must refuse it (Docker's default profile refuses every namespace
 * flag without CAP_SYS_ADMIN, which that mode refuses).
 */
static int
check_cgroup_namespace(struct mr_prepared *p, struct mr_error *err)
{
	const struct mr_seccomp_prepared *sc = &p->seccomp;
	const char *src = sc->source ? sc->source : "(built-in default)";
	const char *why = "without a cgroup of its own a cgroup namespace the container makes "
			  "is rooted at minirun's cgroups, and in a user namespace of its own it "
			  "could mount and change them";
	const char *call;
	uint32_t arch;

	/*
	 * Rootless the cgroups are the caller's own (v1: never writable by it);
	 * --privileged may do anything with them anyway.
	 */
	if (p->rootless || p->spec->privileged)
		return 0;
	/*
	 * Docker's default lets a namespace be made only with CAP_SYS_ADMIN, on
	 * every architecture (test_bpf_eval checks that the walk says so for
	 * several capability sets): the walk would be 15 us of every start.
	 */
	if (sc->builtin && !mr_seccomp_lets_every_call(sc)) {
		p->lets_cgroupns = p->bounding & MR_CAP_BIT(CAP_SYS_ADMIN);
		call = "unshare";
		arch = seccomp_arch_native();
	} else {
		p->lets_cgroupns = mr_seccomp_lets_namespace(sc, CLONE_NEWCGROUP, &call, &arch);
	}
	if (!p->lets_cgroupns || !mr_cgroup_devices_unguarded(p->spec, p->userns))
		return 0;
	if (mr_seccomp_lets_every_call(sc))
		return mr_error_set(err, 0,
				    "--cgroups=disabled: not with a seccomp filter that lets every "
				    "call through (%s): %s; use a profile that refuses "
				    "CLONE_NEWCGROUP (the default does), or --privileged",
				    sc->enabled ? "learning or complaining" : "unconfined", why);
	return mr_error_set(err, 0,
			    "--cgroups=disabled: seccomp profile %s lets %s make a cgroup "
			    "namespace (%s): %s; refuse it in the profile (the default does), or "
			    "use --privileged",
			    src, call, mr_arch_lib_name(arch), why);
}

/* The file is written at the end of the run: its directory must exist now. */
static int
check_output_dir(const char *path, const char *flag, struct mr_error *err)
{
	cleanup_free char *copy = strdup(path);
	if (copy == NULL)
		return mr_error_oom(err, flag);
	char *slash = strrchr(copy, '/');
	const char *dir = slash == NULL ? "." : (slash == copy ? "/" : (*slash = '\0', copy));
	if (access(dir, W_OK) < 0)
		return mr_error_set(err, errno, "%s=%s: directory %s", flag, path, dir);
	/* Symlinks, FIFOs and devices at PATH: lib/common/outfile.c, before clone. */
	return 0;
}

/*
 * --group-add (and an OCI config's additionalGids, given the same way),
 * after --user: Docker adds them whatever --user says.
 */
static int
add_groups(const struct mr_spec *spec, struct mr_prepared *p, struct mr_error *err)
{
	if (mr_user_add_groups(p->rootfs_fd, &p->user, spec->group_add, spec->n_group_add, err) < 0)
		return -1;
	/* Rootless, setgroups is denied and no gid but 0 is mapped. */
	if (p->rootless && spec->n_group_add > 0)
		return mr_error_set(err, 0,
				    "--group-add %s: in rootless mode the container cannot have "
				    "supplementary groups (setgroups is denied in its user "
				    "namespace)",
				    spec->group_add[0]);
	return 0;
}

/*
 * As root with a user namespace (OCI uidMappings, gidMappings): the image's
 * groups of the user that the gid map leaves out do not exist in the
 * namespace (setgroups would refuse them): they are left out too.
 */
static void
drop_unmapped_groups(const struct mr_spec *spec, struct mr_user *u)
{
	size_t kept = 0;
	for (size_t i = 0; i < u->n_groups; i++)
		if (mr_id_map_has(spec->gid_map, spec->n_gid_map, u->groups[i]))
			u->groups[kept++] = u->groups[i];
	u->n_groups = kept;
}

/* What was asked for explicitly must exist in the namespace. */
static int
check_mapped(const struct mr_spec *spec, const struct mr_user *u, struct mr_error *err)
{
	/* A joined namespace's maps were read from it (oci-config.c), not given. */
	const char *joined = spec->ns_join[MR_JOIN_USER].path;
	const char *uids = joined ? joined : "linux.uidMappings";
	const char *gids = joined ? joined : "linux.gidMappings";

	if (!mr_id_map_has(spec->uid_map, spec->n_uid_map, u->uid))
		return mr_error_set(err, 0,
				    "process.user.uid %u: not mapped in the user namespace (%s)",
				    (unsigned)u->uid, uids);
	if (!mr_id_map_has(spec->gid_map, spec->n_gid_map, u->gid))
		return mr_error_set(err, 0,
				    "process.user.gid %u: not mapped in the user namespace (%s)",
				    (unsigned)u->gid, gids);
	for (size_t i = 0; i < u->n_groups; i++)
		if (!mr_id_map_has(spec->gid_map, spec->n_gid_map, u->groups[i]))
			return mr_error_set(err, 0,
					    "process.user.additionalGids: %u is not mapped in the "
					    "user namespace (%s)",
					    (unsigned)u->groups[i], gids);
	return 0;
}

/*
 * No --user is uid 0 looked up like any other (runc's rule): root's
 * supplementary groups from the image's /etc/group, as docker run shows.
 */
static int
resolve_user(const struct mr_spec *spec, struct mr_prepared *p, struct mr_error *err)
{
	if (mr_user_resolve(p->rootfs_fd, spec->user ? spec->user : "0", &p->user, err) < 0) {
		if (spec->user)
			mr_error_wrap(err, "--user %s", spec->user);
		return -1;
	}
	if (p->rootless && (p->user.uid != 0 || p->user.gid != 0))
		return mr_error_set(
		    err, 0,
		    "--user %s: in rootless mode only uid 0 and gid 0 (your own uid %u and "
		    "gid %u outside) exist in the container",
		    spec->user, (unsigned)p->outer_uid, (unsigned)p->outer_gid);
	if (p->userns && !p->rootless)
		drop_unmapped_groups(spec, &p->user);
	if (add_groups(spec, p, err) < 0)
		return -1;
	/*
	 * The gid among the supplementary groups too (CVE-2022-36109 in moby,
	 * CVE-2022-2989 in podman): else a process that changes its gid (newgrp,
	 * a setgid program) leaves it behind and escapes a file's group bits
	 * that deny it (mode 0707).  An OCI config's additionalGids are the
	 * engine's to set, as runc takes them.
	 */
	if (!spec->groups_as_given && !p->rootless &&
	    mr_user_add_gid(&p->user, p->user.gid, err) < 0)
		return -1;
	return p->userns && !p->rootless ? check_mapped(spec, &p->user, err) : 0;
}

/* CVE-2019-5736: the container must never be able to exec minirun itself. */
static int
note_self_exe(struct mr_prepared *p, struct mr_error *err)
{
	p->n_self = mr_self_identities(p->self_dev, p->self_ino, err);
	return p->n_self < 0 ? -1 : 0;
}

/* --seccomp-report / --seccomp-learn: which, and can its output be written. */
static int
observe_mode(const struct mr_spec *spec, enum mr_seccomp_observe *mode, struct mr_error *err)
{
	*mode = MR_OBSERVE_NONE;
	if (spec->seccomp_complain && (spec->seccomp_report || spec->seccomp_learn))
		return mr_error_set(err, 0,
				    "--seccomp-complain cannot be combined with %s: use one at a "
				    "time (complain lets refused calls run, report refuses them, "
				    "learn writes a profile)",
				    spec->seccomp_report ? "--seccomp-report" : "--seccomp-learn");
	if (spec->seccomp_learn_args && !spec->seccomp_learn)
		return mr_error_set(err, 0,
				    "--seccomp-learn-args: only with --seccomp-learn=FILE (it "
				    "shapes the learned profile)");
	if (spec->seccomp_report && spec->seccomp_learn)
		return mr_error_set(err, 0,
				    "--seccomp-report and --seccomp-learn: use one at a time "
				    "(learn first, then check the result with --seccomp-report)");
	if (spec->n_learn_arches > 0 && !spec->seccomp_learn)
		return mr_error_set(err, 0,
				    "--arch names the architectures of a learned profile: it needs "
				    "--seccomp-learn FILE");
	if (spec->seccomp_report)
		*mode = MR_OBSERVE_REPORT;
	if (spec->seccomp_learn) {
		*mode = MR_OBSERVE_LEARN;
		if (check_output_dir(spec->seccomp_learn, "--seccomp-learn", err) < 0)
			return -1;
	}
	if (spec->seccomp_report_file &&
	    check_output_dir(spec->seccomp_report_file, "--seccomp-report", err) < 0)
		return -1;
	if (spec->seccomp_complain)
		*mode = MR_OBSERVE_COMPLAIN;
	if (spec->seccomp_complain_file &&
	    check_output_dir(spec->seccomp_complain_file, "--seccomp-complain", err) < 0)
		return -1;
	return 0;
}

/* After the capabilities: the profile's includes/excludes depend on them. */
static int
prepare_seccomp(const struct mr_spec *spec, struct mr_prepared *p, struct mr_error *err)
{
	enum mr_seccomp_observe observe;

	if (observe_mode(spec, &observe, err) < 0)
		return -1;
	struct mr_seccomp_request req = {
	    .profile = spec->seccomp,
	    .profile_text = spec->seccomp_text,
	    .profile_text_len = spec->seccomp_text_len,
	    .explicit_profile = spec->seccomp != NULL,
	    .privileged = spec->privileged,
	    .strict = spec->seccomp_strict,
	    .lenient = spec->seccomp_lenient,
	    .bounding = p->bounding,
	    .observe = observe,
	};
	if (mr_seccomp_prepare(&req, &p->seccomp, err) < 0)
		return -1;
	if ((observe == MR_OBSERVE_REPORT || observe == MR_OBSERVE_COMPLAIN) && !p->seccomp.enabled)
		return mr_error_set(err, 0, "%s: no seccomp filter to report on (%s)",
				    observe == MR_OBSERVE_REPORT ? "--seccomp-report"
								 : "--seccomp-complain",
				    p->seccomp.source ? p->seccomp.source : "unconfined");
	/* Learning lets every call through, minirun's own included. */
	if (observe != MR_OBSERVE_LEARN && check_profile_allows_launch(p, err) < 0)
		return -1;
	decide_readback(p);
	return 0;
}

/* A half-prepared spec is cleared on every early return of mr_prepare. */
static void
prepared_clearp(struct mr_prepared **p)
{
	if (*p != NULL)
		mr_prepared_clear(*p);
}

/*
 * The working directory as it is made and entered.  docker cleans -w and
 * the image's WorkingDir (filepath.Clean in moby's SetupWorkingDirectory),
 * so "/w/x/../y" is /w/y and no /w/x is made; runc and crun take
 * process.cwd as given (Go's MkdirAll, then chdir: /w/x is made too).
 */
static int
workdir_path(const struct mr_spec *spec, struct mr_prepared *p, struct mr_error *err)
{
	/* umask(2) is the only way to read it. */
	p->caller_umask = umask(022);
	umask(p->caller_umask);
	if (spec->workdir == NULL)
		return 0;
	p->workdir = spec->workdir_as_given ? strdup(spec->workdir) : mr_path_clean(spec->workdir);
	if (p->workdir == NULL)
		return mr_error_oomf(err, "workdir %s", spec->workdir);
	return 0;
}

int
mr_prepare(const struct mr_spec *spec, unsigned flags, struct mr_prepared *p, struct mr_error *err)
{
	memset(p, 0, sizeof(*p));
	p->spec = spec;
	p->rootfs_fd = -1;
	p->net = MR_NS_NET_INIT;
	__attribute__((cleanup(prepared_clearp))) struct mr_prepared *pending = p;

	if (mr_spec_validate(spec, err) < 0 || workdir_path(spec, p, err) < 0)
		return -1;
	p->outer_uid = geteuid();
	p->outer_gid = getegid();
	p->rootless = p->outer_uid != 0;
	p->userns = p->rootless || spec->userns;
	/*
	 * The network namespace takes the kernel 1.5 ms here, the longest step
	 * of a start: its thread (namespaces.h) starts now, once the only input
	 * it uses (the network mode, the ids, the net.* sysctls it writes in
	 * there) is checked, and runs alongside the rest of the checks instead
	 * of alongside the cgroup and clone3, where the container process
	 * waited for its CPU.  A start refused below creates no process: the
	 * thread is joined and its namespace dropped (mr_prepared_clear).
	 */
	if (mr_sysctl_check(spec, err) < 0)
		return -1;
	if ((flags & MR_PREPARE_LAUNCH) && mr_ns_net_made_apart(spec, p->userns)) {
		mr_sysctl_net_prepare(p, &p->net_sysctls);
		mr_ns_net_start(&p->net, mr_sysctl_net_write, &p->net_sysctls);
		p->net_early = true;
	}
	if (open_rootfs(spec, p, err) < 0)
		return -1;
	mr_phase("prepare:rootfs");
	if (resolve_user(spec, p, err) < 0)
		return -1;
	mr_phase("prepare:user");
	if (set_capabilities(spec, p, err) < 0)
		return -1;
	if (make_hostname(spec, p, err) < 0)
		return -1;
	if (mr_etc_files_prepare(spec, p->hostname, &p->etc_files, err) < 0)
		return -1;
	if (make_env(spec, p, err) < 0)
		return -1;
	if (find_command(spec, p, err) < 0)
		return -1;
	if (note_self_exe(p, err) < 0)
		return -1;
	if (mr_overlay_wanted(spec) && mr_exec_check_image(p, err) < 0)
		return -1;
	mr_phase("prepare:misc");
	if (prepare_seccomp(spec, p, err) < 0)
		return -1;
	/* After seccomp:cache-read or seccomp:compile: the launch check. */
	mr_phase("prepare:seccomp-check");
	if (mr_apparmor_check(spec->apparmor, err) < 0)
		return -1;
	if (mr_cgroup_check(spec, p->rootless, err) < 0 || check_cgroup_namespace(p, err) < 0 ||
	    mr_resources_check_ulimits(&spec->resources, err) < 0)
		return -1;
	/* Last: a missing -v source is created on the host, only once all else passed. */
	if (mr_volumes_prepare(spec->volumes, spec->n_volumes, p->rootless,
			       mr_cgroup_devices_unguarded(spec, p->userns), &p->volumes, err) < 0)
		return -1;
	mr_phase("prepared");
	pending = NULL; /* complete: the caller owns it now */
	return 0;
}

void
mr_prepared_clear(struct mr_prepared *p)
{
	/* First: the thread reads the spec and net_sysctls until it is joined. */
	mr_ns_net_clear(&p->net);
	if (p->rootfs_fd >= 0)
		close(p->rootfs_fd);
	free(p->rootfs_path);
	mr_user_clear(&p->user);
	free(p->hostname);
	free(p->workdir);
	if (p->envp) {
		for (char **e = p->envp; *e; e++)
			free(*e);
		free(p->envp);
	}
	free(p->exec_path);
	mr_seccomp_prepared_clear(&p->seccomp);
	mr_volumes_prepared_clear(&p->volumes);
	mr_etc_files_clear(&p->etc_files);
	memset(p, 0, sizeof(*p));
	p->rootfs_fd = -1;
	p->net = MR_NS_NET_INIT;
}
