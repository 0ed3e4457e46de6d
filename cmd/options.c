/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <sys/stat.h>

#include "options.h"

const char mr_cli_usage[] =
    "Usage: minirun [OPTIONS] ROOTFS [COMMAND] [ARG...]\n"
    "       minirun profile check|explain|diff|convert ...  test a seccomp profile\n"
    "                                        without a container\n"
    "       minirun inspect PID [--seccomp=PROFILE]  a running container's cgroups and\n"
    "                                        seccomp filters\n"
    "       minirun help [profile|inspect]   this help, or a subcommand's\n"
    "\n"
    "Run COMMAND in a new container whose root filesystem is ROOTFS: a directory,\n"
    "a tar archive (.tar, .tar.gz, .tar.xz, .tar.zst: a root filesystem such as\n"
    "`docker export` output), an OCI image layout directory, or a `docker save`\n"
    "archive.  Images are unpacked once into a cache.  With an image config,\n"
    "COMMAND defaults to its Entrypoint and Cmd, as for docker run.\n"
    "Options end at ROOTFS: everything after it is passed to COMMAND.\n"
    "\n"
    "Options (they mean what they mean for docker run):\n"
    "  -i, --interactive          keep stdin attached (default: /dev/null)\n"
    "  -t, --tty                  allocate a pseudo-terminal for the container\n"
    "      --init                 run COMMAND under a minimal init of minirun's\n"
    "                             own (PID 1: reaps, forwards signals, and takes\n"
    "                             the whole container down if minirun dies)\n"
    "      --stop-signal SIG      what minirun's own SIGTERM becomes for PID 1\n"
    "                             (default SIGTERM)\n"
    "      --stop-timeout N       then SIGKILL after N seconds (default 10; -1: never)\n"
    "  -u, --user USER[:GROUP]    user and group, names or numbers from ROOTFS's\n"
    "                             /etc/passwd and /etc/group\n"
    "  -e, --env KEY=VALUE        set an environment variable (KEY alone: take it\n"
    "                             from minirun's environment)\n"
    "  -w, --workdir DIR          working directory inside the container (default /)\n"
    "      --entrypoint CMD       replace the image's Entrypoint (and drop its Cmd);\n"
    "                             \"\" for none\n"
    "  -h, --hostname NAME        container host name (default: a random id)\n"
    "      --name NAME            a name for the container, used in messages\n"
    "      --cap-add CAP[,CAP...] add capabilities (NET_ADMIN, CAP_NET_ADMIN, ALL)\n"
    "      --cap-drop CAP[,CAP...] drop capabilities (or ALL)\n"
    "      --privileged           as docker's: every capability minirun has, the\n"
    "                             host's devices, /sys read-write, no masked paths,\n"
    "                             no seccomp unless a profile is given\n"
    "      --read-only            mount the root filesystem read-only\n"
    "  -v, --volume SRC:DST[:OPTS]  bind the host path SRC (absolute; created as a\n"
    "                             directory if missing) on DST; OPTS: ro, rw, z, Z\n"
    "                             (ignored), [r]private, [r]slave, [r]shared\n"
    "      --mount type=bind|tmpfs,source=SRC,target=DST[,readonly]\n"
    "                             [,bind-propagation=P][,tmpfs-size=N,tmpfs-mode=M]\n"
    "                             a bind (SRC must exist) or a tmpfs on DST\n"
    "      --tmpfs DST[:size=N,mode=M]  a tmpfs on DST (noexec,nosuid,nodev)\n"
    "      --rootfs               write into ROOTFS itself (podman's --rootfs);\n"
    "                             default: a copy-on-write overlay of ROOTFS,\n"
    "                             discarded at exit\n"
    "      --network none|host    none (default): own network namespace with lo;\n"
    "                             host: share minirun's (interfaces, addresses,\n"
    "                             routes, ports; the hostname stays the container's)\n"
    "      --security-opt OPT     no-new-privileges, seccomp=PROFILE|unconfined,\n"
    "                             apparmor=PROFILE|unconfined\n"
    "      --seccomp PROFILE      same as --security-opt seccomp=PROFILE (a JSON or\n"
    "                             YAML file, runtime/default, localhost/NAME)\n"
    "      --seccomp-root DIR     where localhost/NAME is (default: $MINIRUN_SECCOMP_ROOT\n"
    "                             or the kubelet's /var/lib/kubelet/seccomp)\n"
    "      --seccomp-strict[=on|off] on: unknown syscall names in a profile are an\n"
    "                             error; default: only where the profile would fail\n"
    "                             open (a misspelt name in a rule stricter than the\n"
    "                             default, a misspelt \"syscalls\"); off: never\n"
    "      --seccomp-report[=FILE] name every syscall the profile denies, as it\n"
    "                             happens, and summarize at exit (FILE: JSON lines;\n"
    "                             only with '=': the next word is never FILE)\n"
    "      --seccomp-learn FILE   run with every syscall allowed but observed and\n"
    "                             write a minimal profile for it to FILE (with\n"
    "                             --seccomp BASE: only what BASE lacks is added)\n"
    "      --seccomp-learn-args   with --seccomp-learn: also learn the socket\n"
    "                             families, clone namespace flags, personality\n"
    "                             values and prctl options used, and allow only\n"
    "                             those (argument rules, as Docker's default)\n"
    "      --seccomp-complain[=FILE] report every syscall the profile would\n"
    "                             refuse, and let it run (nothing is enforced;\n"
    "                             FILE: JSON lines)\n"
    "      --arch ARCH            with --seccomp-learn: the learned profile is also\n"
    "                             for ARCH (repeatable): its architectures and the\n"
    "                             names ARCH uses for the same calls (openat for open)\n"
    "      --target RUNTIME       with --seccomp-learn: also allow the calls RUNTIME\n"
    "                             makes after installing the filter; with\n"
    "                             --seccomp-report: say which of them the profile\n"
    "                             denies (docker, runc, crun, podman, containerd,\n"
    "                             cri-o, kubernetes, or a JSON file)\n"
    "      --apparmor PROFILE     same as --security-opt apparmor=PROFILE\n"
    "  -m, --memory SIZE          memory limit (64m, 1g; at least 6m)\n"
    "      --memory-swap SIZE     memory plus swap limit (-1: unlimited swap;\n"
    "                             default: twice --memory)\n"
    "      --pids-limit N         at most N processes/threads (-1: unlimited)\n"
    "      --cpus N               CPU time, in CPUs (1.5)\n"
    "      --cpu-shares N         relative CPU weight (default 1024)\n"
    "      --cpuset-cpus LIST     CPUs the container may use (0-3,5)\n"
    "      --cpuset-mems LIST     memory nodes (NUMA) the container may use (0-1)\n"
    "      --ulimit NAME=SOFT[:HARD]  a resource limit (nofile=1024:2048)\n"
    "      --cgroup-parent PATH   create the container's cgroup below PATH (relative\n"
    "                             to each hierarchy's root; default: minirun's own)\n"
    "      --cgroups enabled|disabled  disabled (podman's): make no cgroup, e.g.\n"
    "                             where minirun's cgroupfs is read-only; no limits,\n"
    "                             no CAP_MKNOD, the root and volumes nodev\n"
    "      --device HOST[:CONTAINER[:PERMS]]  add the host's device node HOST as\n"
    "                             CONTAINER (default: HOST; below /dev) and allow\n"
    "                             PERMS (r, w, m; default rwm) on it\n"
    "      --sysctl KEY=VALUE     set a namespaced kernel parameter (net.*, without\n"
    "                             --network host; kernel.msg*, kernel.sem,\n"
    "                             kernel.shm*, fs.mqueue.*)\n"
    "      --group-add GROUP      an extra supplementary group (name from ROOTFS's\n"
    "                             /etc/group, or a gid)\n"
    "      --env-file FILE        read KEY=VALUE lines from FILE (docker's format;\n"
    "                             -e wins)\n"
    "      --add-host NAME:IP     an /etc/hosts line (NAME=IP and [IPv6] too)\n"
    "      --dns IP               a name server in /etc/resolv.conf\n"
    "      --dns-search DOMAIN    a search domain in /etc/resolv.conf ('.': none)\n"
    "      --dns-option OPT       an options entry in /etc/resolv.conf (ndots:2)\n"
    "      --rm                   accepted for docker compatibility (minirun never\n"
    "                             keeps a container, nor its writes)\n"
    "      --verbose              print what was applied (-v is --volume, as in\n"
    "                             docker run)\n"
    "      --help                 show this help and exit\n"
    "      --version              show the version and exit\n"
    "\n"
    "Exit status: the container's status; 128+N if it died of signal N;\n"
    "125 if minirun failed; 126 if COMMAND cannot be executed; 127 if it was not found.\n";

enum opt_id {
	OPT_INTERACTIVE,
	OPT_TTY,
	OPT_INIT,
	OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT,
	OPT_USER,
	OPT_ENV,
	OPT_WORKDIR,
	OPT_ENTRYPOINT,
	OPT_HOSTNAME,
	OPT_NAME,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_READ_ONLY,
	OPT_ROOTFS,
	OPT_NETWORK,
	OPT_SECURITY_OPT,
	OPT_SECCOMP,
	OPT_SECCOMP_STRICT,
	OPT_SECCOMP_REPORT,
	OPT_SECCOMP_LEARN,
	OPT_SECCOMP_LEARN_ARGS,
	OPT_SECCOMP_COMPLAIN,
	OPT_LEARN_ARCH,
	OPT_SECCOMP_ROOT,
	OPT_TARGET,
	OPT_APPARMOR,
	OPT_RM,
	OPT_MEMORY,
	OPT_MEMORY_SWAP,
	OPT_PIDS_LIMIT,
	OPT_CPUS,
	OPT_CPU_SHARES,
	OPT_CPUSET_CPUS,
	OPT_CPUSET_MEMS,
	OPT_ULIMIT,
	OPT_CGROUP_PARENT,
	OPT_CGROUPS,
	OPT_DEVICE,
	OPT_VERBOSE,
	OPT_VOLUME,
	OPT_MOUNT,
	OPT_TMPFS,
	OPT_HELP,
	OPT_VERSION,
	OPT_SYSCTL,
	OPT_GROUP_ADD,
	OPT_ENV_FILE,
	OPT_ADD_HOST,
	OPT_DNS,
	OPT_DNS_SEARCH,
	OPT_DNS_OPTION,
};

/*
 * The name in place, not a pointer: a table of pointers is relocated (written)
 * at every start of the static-pie.  A name may fill the array without a NUL:
 * it is read through opt_len, never as a C string.
 */
struct opt {
	char name[24];
	char short_name;
	bool has_arg;
	enum opt_id id;
	bool optional_arg; /* only as --name=VALUE: the next word is never taken */
};

static int
opt_len(const struct opt *o)
{
	return (int)strnlen(o->name, sizeof(o->name));
}

static const struct opt options[] = {
    {"interactive", 'i', false, OPT_INTERACTIVE, false},
    {"tty", 't', false, OPT_TTY, false},
    {"init", 0, false, OPT_INIT, false},
    {"stop-signal", 0, true, OPT_STOP_SIGNAL, false},
    {"stop-timeout", 0, true, OPT_STOP_TIMEOUT, false},
    {"user", 'u', true, OPT_USER, false},
    {"env", 'e', true, OPT_ENV, false},
    {"workdir", 'w', true, OPT_WORKDIR, false},
    {"entrypoint", 0, true, OPT_ENTRYPOINT, false},
    {"hostname", 'h', true, OPT_HOSTNAME, false},
    {"name", 0, true, OPT_NAME, false},
    {"cap-add", 0, true, OPT_CAP_ADD, false},
    {"cap-drop", 0, true, OPT_CAP_DROP, false},
    {"privileged", 0, false, OPT_PRIVILEGED, false},
    {"read-only", 0, false, OPT_READ_ONLY, false},
    {"rootfs", 0, false, OPT_ROOTFS, false},
    {"network", 0, true, OPT_NETWORK, false},
    {"net", 0, true, OPT_NETWORK, false},
    {"security-opt", 0, true, OPT_SECURITY_OPT, false},
    {"seccomp", 0, true, OPT_SECCOMP, false},
    {"seccomp-strict", 0, false, OPT_SECCOMP_STRICT, true},
    {"seccomp-report", 0, false, OPT_SECCOMP_REPORT, true},
    {"seccomp-learn", 0, true, OPT_SECCOMP_LEARN, false},
    {"seccomp-learn-args", 0, false, OPT_SECCOMP_LEARN_ARGS, false},
    {"seccomp-complain", 0, false, OPT_SECCOMP_COMPLAIN, true},
    {"arch", 0, true, OPT_LEARN_ARCH, false},
    {"seccomp-root", 0, true, OPT_SECCOMP_ROOT, false},
    {"target", 0, true, OPT_TARGET, false},
    {"apparmor", 0, true, OPT_APPARMOR, false},
    {"rm", 0, false, OPT_RM, false},
    {"memory", 'm', true, OPT_MEMORY, false},
    {"memory-swap", 0, true, OPT_MEMORY_SWAP, false},
    {"pids-limit", 0, true, OPT_PIDS_LIMIT, false},
    {"cpus", 0, true, OPT_CPUS, false},
    {"cpu-shares", 'c', true, OPT_CPU_SHARES, false},
    {"cpuset-cpus", 0, true, OPT_CPUSET_CPUS, false},
    {"cpuset-mems", 0, true, OPT_CPUSET_MEMS, false},
    {"ulimit", 0, true, OPT_ULIMIT, false},
    {"cgroup-parent", 0, true, OPT_CGROUP_PARENT, false},
    {"cgroups", 0, true, OPT_CGROUPS, false},
    {"verbose", 0, false, OPT_VERBOSE, false},
    {"volume", 'v', true, OPT_VOLUME, false},
    {"mount", 0, true, OPT_MOUNT, false},
    {"tmpfs", 0, true, OPT_TMPFS, false},
    {"device", 0, true, OPT_DEVICE, false},
    {"help", 0, false, OPT_HELP, false},
    {"version", 0, false, OPT_VERSION, false},
    {"sysctl", 0, true, OPT_SYSCTL, false},
    {"group-add", 0, true, OPT_GROUP_ADD, false},
    {"env-file", 0, true, OPT_ENV_FILE, false},
    {"add-host", 0, true, OPT_ADD_HOST, false},
    {"dns", 0, true, OPT_DNS, false},
    {"dns-search", 0, true, OPT_DNS_SEARCH, false},
    {"dns-option", 0, true, OPT_DNS_OPTION, false},
    {"dns-opt", 0, true, OPT_DNS_OPTION, false},
};

struct caps_edit {
	const char **adds, **drops;
	size_t n_adds, n_drops;
	size_t n_env_file; /* spec->env entries from --env-file: they go before every -e */
};

static bool
is_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* One word of resolv.conf or /etc/hosts: a blank would make it two (or a new line). */
static bool
resolv_word(const char *s)
{
	return s[0] != '\0' && strpbrk(s, " \t\n\r#") == NULL;
}

/*
 * --add-host NAME:IP, docker's syntax: split at the first ':' (an IPv6
 * address keeps its own), or at '=', the newer spelling; [IPv6] as docker
 * 25 takes it.  docker's host-gateway is the bridge's address: minirun has
 * no bridge, so it is refused rather than written as a name.
 */
static int
add_host(struct mr_spec *spec, const char *value, struct mr_error *err)
{
	size_t n = strcspn(value, ":=");
	if (value[n] == '\0' || n == 0)
		return mr_error_set(err, 0, "--add-host '%s': expected NAME:IP", value);
	cleanup_free char *name = strndup(value, n);
	cleanup_free char *ip = strdup(value + n + 1);
	cleanup_free char *line = NULL;
	if (name == NULL || ip == NULL)
		return mr_error_oom(err, "--add-host");
	size_t len = strlen(ip);
	if (len > 2 && ip[0] == '[' && ip[len - 1] == ']') {
		memmove(ip, ip + 1, len - 2);
		ip[len - 2] = '\0';
	}
	if (!resolv_word(name))
		return mr_error_set(err, 0, "--add-host '%s': a blank in the name", value);
	if (strcmp(ip, "host-gateway") == 0)
		return mr_error_set(err, 0,
				    "--add-host '%s': host-gateway is a bridge's address, and "
				    "minirun has no bridge (--network none|host)",
				    value);
	if (!is_ip(ip))
		return mr_error_set(err, 0, "--add-host '%s': '%s' is not an IP address", value,
				    ip);
	if (asprintf(&line, "%s\t%s", ip, name) < 0) {
		line = NULL;
		return mr_error_oom(err, "--add-host");
	}
	return mr_spec_push(&spec->add_hosts, &spec->n_add_hosts, line, err);
}

static bool
is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
push(const char ***v, size_t *n, const char *s, struct mr_error *err)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (nv == NULL)
		return mr_error_set(err, ENOMEM, "options");
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

/* Append a copy of s to a NULL-terminated list the spec owns. */
static int
set_string(char **dst, const char *value, struct mr_error *err)
{
	char *s = strdup(value);
	if (s == NULL)
		return mr_error_set(err, ENOMEM, "options");
	free(*dst);
	*dst = s;
	return 0;
}

/* docker accepts both "key=value" and the older "key:value" in --security-opt. */
static bool
opt_key(const char *opt, const char *key, const char **value)
{
	size_t n = strlen(key);
	if (strncmp(opt, key, n) != 0)
		return false;
	if (opt[n] == '\0') {
		*value = NULL;
		return true;
	}
	if (opt[n] == '=' || opt[n] == ':') {
		*value = opt + n + 1;
		return true;
	}
	return false;
}

static int
security_opt(struct mr_spec *spec, const char *opt, struct mr_error *err)
{
	const char *v;

	if (opt_key(opt, "no-new-privileges", &v)) {
		if (v == NULL || strcmp(v, "true") == 0)
			spec->no_new_privs = true;
		else if (strcmp(v, "false") == 0)
			spec->no_new_privs = false;
		else
			return mr_error_set(
			    err, 0, "--security-opt %s: no-new-privileges takes true or false",
			    opt);
		return 0;
	}
	if (opt_key(opt, "seccomp", &v)) {
		if (v == NULL || v[0] == '\0')
			return mr_error_set(err, 0,
					    "--security-opt %s: seccomp needs a profile: "
					    "seccomp=PROFILE.json or seccomp=unconfined",
					    opt);
		return set_string(&spec->seccomp, v, err);
	}
	if (opt_key(opt, "apparmor", &v)) {
		if (v == NULL || v[0] == '\0')
			return mr_error_set(err, 0,
					    "--security-opt %s: apparmor needs a profile name: "
					    "apparmor=PROFILE or apparmor=unconfined",
					    opt);
		return set_string(&spec->apparmor, v, err);
	}
	/*
	 * label=disable asks for no SELinux label, which is what every minirun
	 * container has: docker takes it on any host.  A label to apply is
	 * refused: minirun cannot confine a container with one.
	 */
	if (opt_key(opt, "label", &v) && v != NULL && strcmp(v, "disable") == 0)
		return 0;
	if (opt_key(opt, "label", &v))
		return mr_error_set(
		    err, 0, "--security-opt %s: SELinux labels are not supported by minirun", opt);
	return mr_error_set(err, 0,
			    "--security-opt %s: unknown option (expected no-new-privileges, "
			    "seccomp=PROFILE or apparmor=PROFILE)",
			    opt);
}

/* "TERM", "SIGTERM", "sigterm" or "15", as docker's --stop-signal takes them. */
static int
parse_signal(const char *value, int *sig, struct mr_error *err)
{
	const char *name = strncasecmp(value, "SIG", 3) == 0 ? value + 3 : value;
	char *end;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (value[0] >= '0' && value[0] <= '9' && errno == 0 && *end == '\0' && n >= 1 &&
	    n <= SIGRTMAX) {
		*sig = (int)n;
		return 0;
	}
	for (int i = 1; i < SIGRTMIN; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev != NULL && strcasecmp(name, abbrev) == 0) {
			*sig = i;
			return 0;
		}
	}
	return mr_error_set(err, 0, "--stop-signal %s: unknown signal (TERM, SIGTERM, 15...)",
			    value);
}

static int
env_opt(struct mr_spec *spec, const char *value, char **environ_, struct mr_error *err)
{
	if (value[0] == '\0' || value[0] == '=')
		return mr_error_set(err, 0, "--env '%s': expected KEY=VALUE or KEY", value);
	if (strchr(value, '=') != NULL)
		return mr_spec_add_env(spec, value, err);
	/* "-e KEY": docker passes KEY's value from the caller, or nothing when unset. */
	size_t n = strlen(value);
	for (char **e = environ_; e && *e; e++)
		if (strncmp(*e, value, n) == 0 && (*e)[n] == '=')
			return mr_spec_add_env(spec, *e, err);
	return 0;
}

static int
apply(struct mr_cli *cli, const struct opt *o, const char *value, char **environ_,
      struct caps_edit *caps, struct mr_error *err)
{
	struct mr_spec *spec = &cli->spec;

	switch (o->id) {
	case OPT_INTERACTIVE:
		spec->interactive = true;
		return 0;
	case OPT_TTY:
		spec->tty = true;
		return 0;
	case OPT_INIT:
		spec->init = true;
		return 0;
	case OPT_STOP_SIGNAL:
		return parse_signal(value, &spec->stop_signal, err);
	case OPT_STOP_TIMEOUT: {
		char *end;
		errno = 0;
		long t = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || t < -1 || t > 86400 * 365)
			return mr_error_set(err, 0,
					    "--stop-timeout %s: expected seconds (0 or more; -1: "
					    "wait forever)",
					    value);
		spec->stop_timeout = (int)t;
		return 0;
	}
	case OPT_USER:
		return set_string(&spec->user, value, err);
	case OPT_ENV:
		return env_opt(spec, value, environ_, err);
	case OPT_WORKDIR:
		return set_string(&spec->workdir, value, err);
	case OPT_ENTRYPOINT:
		spec->entrypoint_set = true;
		return set_string(&spec->entrypoint, value, err);
	case OPT_HOSTNAME:
		return set_string(&spec->hostname, value, err);
	case OPT_NAME:
		return set_string(&spec->name, value, err);
	case OPT_CAP_ADD:
		return push(&caps->adds, &caps->n_adds, value, err);
	case OPT_CAP_DROP:
		return push(&caps->drops, &caps->n_drops, value, err);
	case OPT_PRIVILEGED:
		spec->privileged = true;
		return 0;
	case OPT_READ_ONLY:
		spec->read_only = true;
		return 0;
	case OPT_ROOTFS:
		spec->rootfs_direct = true;
		return 0;
	case OPT_NETWORK:
		if (strcmp(value, "none") == 0)
			spec->network = MR_NETWORK_NONE;
		else if (strcmp(value, "host") == 0)
			spec->network = MR_NETWORK_HOST;
		else
			return mr_error_set(err, 0,
					    "--network %s: unsupported network mode (minirun "
					    "has no bridge; use none or host)",
					    value);
		return 0;
	case OPT_SECURITY_OPT:
		return security_opt(spec, value, err);
	case OPT_SECCOMP:
		if (value[0] == '\0')
			return mr_error_set(err, 0, "--seccomp: empty profile name");
		return set_string(&spec->seccomp, value, err);
	case OPT_SECCOMP_STRICT:
		/* Three levels: on (every unknown name is an error), the default
		   (only a profile that would fail open is refused), off (nothing). */
		if (value == NULL || strcmp(value, "on") == 0 || strcmp(value, "true") == 0) {
			spec->seccomp_strict = true;
			spec->seccomp_lenient = false;
		} else if (strcmp(value, "off") == 0 || strcmp(value, "false") == 0) {
			spec->seccomp_strict = false;
			spec->seccomp_lenient = true;
		} else {
			return mr_error_set(err, 0, "--seccomp-strict=%s: expected on or off",
					    value);
		}
		return 0;
	case OPT_SECCOMP_REPORT:
		spec->seccomp_report = true;
		if (value == NULL)
			return 0;
		if (value[0] == '\0')
			return mr_error_set(err, 0, "--seccomp-report=: empty file name");
		return set_string(&spec->seccomp_report_file, value, err);
	case OPT_TARGET:
		if (value[0] == '\0')
			return mr_error_set(err, 0, "--target: empty runtime name");
		return set_string(&spec->seccomp_target, value, err);
	case OPT_SECCOMP_LEARN:
		if (value[0] == '\0')
			return mr_error_set(err, 0, "--seccomp-learn: empty file name");
		/*
		 * "--seccomp-learn ROOTFS true": the profile cannot be written to
		 * a directory, so the user most likely meant it as ROOTFS (and
		 * thought FILE optional, as --seccomp-report's is).
		 */
		if (is_dir(value))
			return mr_error_set(
			    err, 0,
			    "--seccomp-learn takes its FILE as --seccomp-learn=FILE; "
			    "'%s' was taken as FILE, but it is a directory (ROOTFS?): "
			    "write --seccomp-learn=FILE before ROOTFS",
			    value);
		return set_string(&spec->seccomp_learn, value, err);
	case OPT_SECCOMP_LEARN_ARGS:
		spec->seccomp_learn_args = true;
		return 0;
	case OPT_SECCOMP_COMPLAIN:
		spec->seccomp_complain = true;
		if (value == NULL)
			return 0;
		if (value[0] == '\0')
			return mr_error_set(err, 0, "--seccomp-complain=: empty file name");
		return set_string(&spec->seccomp_complain_file, value, err);
	case OPT_SECCOMP_ROOT:
		/* Where localhost/NAME is looked up (lib/seccomp/localhost.c). */
		mr_seccomp_root_set(value);
		return 0;
	case OPT_LEARN_ARCH: {
		/* The architectures the learned profile must work on (repeatable). */
		uint32_t t = mr_arch_parse(value);
		if (t == 0)
			return mr_error_set(err, 0,
					    "--arch %s: unknown architecture (x86_64, aarch64, "
					    "SCMP_ARCH_AARCH64, arm64, ...)",
					    value);
		uint32_t *na =
		    realloc(spec->learn_arches, (spec->n_learn_arches + 1) * sizeof(*na));
		if (na == NULL)
			return mr_error_oom(err, "--arch");
		spec->learn_arches = na;
		na[spec->n_learn_arches++] = t;
		return 0;
	}
	case OPT_APPARMOR:
		if (value[0] == '\0')
			return mr_error_set(err, 0, "--apparmor: empty profile name");
		return set_string(&spec->apparmor, value, err);
	case OPT_RM:
		return 0;
	case OPT_MEMORY:
		return mr_parse_memory_limit(value, &spec->resources.memory, err);
	case OPT_MEMORY_SWAP:
		return mr_parse_memory_swap(value, &spec->resources.memory_swap, err);
	case OPT_PIDS_LIMIT:
		spec->resources.pids_set = true;
		return mr_parse_pids_limit(value, &spec->resources.pids_limit, err);
	case OPT_CPUS:
		return mr_parse_cpus(value, &spec->resources.cpu_nanos, err);
	case OPT_CPU_SHARES:
		return mr_parse_cpu_shares(value, &spec->resources.cpu_shares, err);
	case OPT_CPUSET_CPUS:
		if (mr_parse_cpuset("--cpuset-cpus", value, err) < 0)
			return -1;
		return set_string(&spec->resources.cpuset_cpus, value, err);
	case OPT_CPUSET_MEMS:
		if (mr_parse_cpuset("--cpuset-mems", value, err) < 0)
			return -1;
		return set_string(&spec->resources.cpuset_mems, value, err);
	case OPT_ULIMIT: {
		struct mr_ulimit u;
		if (mr_parse_ulimit(value, &u, err) < 0)
			return -1;
		return mr_resources_add_ulimit(&spec->resources, &u, err);
	}
	case OPT_CGROUP_PARENT:
		if (value[0] == '\0')
			return mr_error_set(err, 0, "--cgroup-parent: empty path");
		return set_string(&spec->resources.cgroup_parent, value, err);
	case OPT_CGROUPS:
		/* podman's; its no-conmon and split concern conmon, which minirun lacks. */
		if (strcmp(value, "enabled") == 0 || strcmp(value, "disabled") == 0) {
			spec->resources.no_cgroup = value[0] == 'd';
			return 0;
		}
		return mr_error_set(err, 0, "--cgroups %s: enabled or disabled", value);
	case OPT_DEVICE:
		return mr_resources_add_device(&spec->resources, value, err);
	case OPT_VERBOSE:
		cli->verbose = true;
		spec->verbose = true;
		return 0;
	case OPT_VOLUME:
		return mr_volume_parse_bind(value, &spec->volumes, &spec->n_volumes, err);
	case OPT_MOUNT:
		return mr_volume_parse_mount(value, &spec->volumes, &spec->n_volumes, err);
	case OPT_TMPFS:
		return mr_volume_parse_tmpfs(value, &spec->volumes, &spec->n_volumes, err);
	case OPT_HELP:
		cli->action = MR_CLI_HELP;
		return 0;
	case OPT_VERSION:
		cli->action = MR_CLI_VERSION;
		return 0;
	case OPT_SYSCTL:
		if (mr_sysctl_parse(value, err) < 0)
			return -1;
		return mr_spec_push(&spec->sysctls, &spec->n_sysctls, value, err);
	case OPT_GROUP_ADD:
		if (value[0] == '\0')
			return mr_error_set(err, 0, "--group-add: empty group");
		return mr_spec_push(&spec->group_add, &spec->n_group_add, value, err);
	case OPT_ENV_FILE:
		return mr_env_file_load(spec, value, environ_, &caps->n_env_file, err);
	case OPT_ADD_HOST:
		return add_host(spec, value, err);
	case OPT_DNS:
		if (!is_ip(value))
			return mr_error_set(err, 0, "--dns '%s': not an IP address", value);
		return mr_spec_push(&spec->dns, &spec->n_dns, value, err);
	case OPT_DNS_SEARCH:
	case OPT_DNS_OPTION:
		if (!resolv_word(value))
			return mr_error_set(err, 0, "--%.*s '%s': empty, or a blank in it",
					    opt_len(o), o->name, value);
		if (o->id == OPT_DNS_SEARCH)
			return mr_spec_push(&spec->dns_search, &spec->n_dns_search, value, err);
		return mr_spec_push(&spec->dns_options, &spec->n_dns_options, value, err);
	default:
		break;
	}
	return mr_error_set(err, 0, "internal error: option %.*s", opt_len(o), o->name);
}

static const struct opt *
find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (opt_len(&options[i]) == (int)len && memcmp(options[i].name, name, len) == 0)
			return &options[i];
	return NULL;
}

static const struct opt *
find_short(char c)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (options[i].short_name == c)
			return &options[i];
	return NULL;
}

static int
parse_options(int argc, char **argv, char **environ_, struct mr_cli *cli, struct caps_edit *caps,
	      int *first_operand, int *bare_optional, struct mr_error *err)
{
	int i = 1;

	for (; i < argc && cli->action == MR_CLI_RUN; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;

		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct opt *o = find_long(name, len);
			if (o == NULL)
				return mr_error_set(err, 0,
						    "unknown option '%s' (see minirun --help)", a);
			const char *value = NULL;
			if (o->has_arg) {
				if (eq)
					value = eq + 1;
				else if (i + 1 < argc)
					value = argv[++i];
				else
					return mr_error_set(err, 0, "option '--%.*s' needs a value",
							    opt_len(o), o->name);
			} else if (eq && o->optional_arg) {
				value = eq + 1;
			} else if (o->optional_arg) {
				/* Where the next word would have been its value, had it
				   been written with '=' (mr_cli_parse looks there). */
				*bare_optional = i;
			} else if (eq) {
				return mr_error_set(err, 0, "option '--%.*s' takes no value",
						    opt_len(o), o->name);
			}
			if (apply(cli, o, value, environ_, caps, err) < 0)
				return -1;
			continue;
		}

		/* A cluster of short options: "-it", "-ualice", "-u alice", "-u=alice". */
		for (const char *c = a + 1; *c; c++) {
			const struct opt *o = find_short(*c);
			if (o == NULL)
				return mr_error_set(
				    err, 0, "unknown option '-%c' (see minirun --help)", *c);
			if (!o->has_arg) {
				if (apply(cli, o, NULL, environ_, caps, err) < 0)
					return -1;
				continue;
			}
			const char *value;
			if (c[1] != '\0')
				value = c[1] == '=' ? c + 2 : c + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else if (*c == 'h')
				/* "minirun -h" is a request for help more often than not. */
				return mr_error_set(
				    err, 0,
				    "option '-h' needs a value: -h is --hostname NAME, "
				    "as in docker run; for help, say --help");
			else
				return mr_error_set(err, 0, "option '-%c' needs a value", *c);
			if (apply(cli, o, value, environ_, caps, err) < 0)
				return -1;
			break;
		}
	}
	*first_operand = i;
	return 0;
}

/* "SYS_TIME,ALL": --cap-add takes comma lists (mr_caps_tweak). */
static bool
list_has_all(const char *list)
{
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");
		char one[16];
		if (len < sizeof(one)) {
			memcpy(one, p, len);
			one[len] = '\0';
			if (mr_caps_is_all(one))
				return true;
		}
		p += len;
		if (*p == '\0')
			return false;
	}
}

static void
caps_edit_clear(struct caps_edit *caps)
{
	free(caps->adds);
	free(caps->drops);
}

#define cleanup_caps_edit __attribute__((cleanup(caps_edit_clear)))

int
mr_cli_parse(int argc, char **argv, char **environ_, struct mr_cli *cli, struct mr_error *err)
{
	cleanup_caps_edit struct caps_edit caps = {0};
	int first = 0, bare = 0;
	int ret;

	memset(cli, 0, sizeof(*cli));
	mr_spec_init(&cli->spec);

	ret = parse_options(argc, argv, environ_, cli, &caps, &first, &bare, err);
	if (ret < 0 || cli->action != MR_CLI_RUN)
		return ret;
	/*
	 * "--seccomp-report out.jsonl ROOTFS true": an optional value is only
	 * ever taken with '=' (else "--seccomp-report ROOTFS" would lose
	 * ROOTFS), so out.jsonl became ROOTFS.  Likely when the word taken as
	 * ROOTFS is no directory and the next one, taken as COMMAND, is.
	 */
	if (bare > 0 && first == bare + 1 && first + 1 < argc && !is_dir(argv[first]) &&
	    is_dir(argv[first + 1]))
		return mr_error_set(err, 0,
				    "%s takes its FILE only as %s=FILE; '%s' was taken as ROOTFS "
				    "and '%s' as COMMAND: write %s=%s",
				    argv[bare], argv[bare], argv[first], argv[first + 1],
				    argv[bare], argv[first]);

	if (cli->spec.privileged) {
		/* moby: privileged containers get every capability; add/drop are ignored. */
		cli->spec.caps = mr_caps_all_known();
		cli->spec.caps_all = true;
	} else {
		/*
		 * Without a device cgroup nothing would stop a node made with
		 * CAP_MKNOD from being opened (mr_cgroup_check refuses it as
		 * root); only this command line has the flag.
		 */
		mr_capset base = mr_caps_docker_default();
		if (cli->spec.resources.no_cgroup)
			base &= ~MR_CAP_BIT(CAP_MKNOD);
		if (mr_caps_tweak(base, caps.adds, caps.n_adds, caps.drops, caps.n_drops,
				  &cli->spec.caps, err) < 0)
			return -1;
		for (size_t k = 0; k < caps.n_adds; k++)
			if (list_has_all(caps.adds[k]))
				cli->spec.caps_all = true;
	}

	if (first >= argc)
		return mr_error_set(err, 0,
				    "no root filesystem given (usage: minirun [OPTIONS] "
				    "ROOTFS COMMAND [ARG...])");
	if (set_string(&cli->spec.rootfs, argv[first], err) < 0)
		return -1;
	/* COMMAND may come from the image (mr_image_resolve says when it is missing). */
	return mr_spec_set_argv(&cli->spec, argv + first + 1, (size_t)(argc - first - 1), err);
}

void
mr_cli_clear(struct mr_cli *cli)
{
	mr_spec_clear(&cli->spec);
}
