/* SPDX-License-Identifier: MIT */
/* Unit tests: an OCI config.json read into struct mr_spec (lib/container/oci-config.c). */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "container/oci-config.h"
#include "container/spec.h"

/* A config runc would accept, short: every test patches one member of it. */
static const char good[] =
    "{\"ociVersion\": \"1.0.2\","
    " \"process\": {\"terminal\": false, \"user\": {\"uid\": 1000, \"gid\": 100,"
    "   \"additionalGids\": [5, 6], \"umask\": 63},"
    "  \"args\": [\"sh\", \"-c\", \"true\"], \"env\": [\"PATH=/bin\", \"A=b\"], \"cwd\": \"/tmp\","
    "  \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"],"
    "   \"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"],"
    "   \"ambient\": [\"CAP_KILL\"], \"inheritable\": [\"CAP_KILL\"]},"
    "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 512}],"
    "  \"noNewPrivileges\": true, \"oomScoreAdj\": 100},"
    " \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
    " \"hostname\": \"box\","
    " \"annotations\": {\"org.example\": \"v\"},"
    " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
    "  {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"data\","
    "   \"options\": [\"rbind\", \"ro\", \"nosuid\", \"nodev\"]},"
    "  {\"destination\": \"/scratch\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
    "   \"options\": [\"nosuid\", \"size=65536k\", \"mode=1777\"]}],"
    " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"},"
    "   {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}],"
    "  \"resources\": {\"memory\": {\"limit\": 67108864}, \"pids\": {\"limit\": 50},"
    "   \"cpu\": {\"quota\": 50000, \"period\": 100000, \"shares\": 512, \"cpus\": \"0\"}},"
    "  \"cgroupsPath\": \"/mygroup/c1\","
    "  \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"]}}";

/* GOOD with the JSON object PATCH merged in (json_object_update_recursive). */
static char *
patched(const char *patch)
{
	json_error_t je;
	json_t *base = json_loads(good, 0, &je);
	ck_assert_msg(base != NULL, "good config: %s", je.text);
	json_t *p = json_loads(patch, 0, &je);
	ck_assert_msg(p != NULL, "patch %s: %s", patch, je.text);
	ck_assert_int_eq(json_object_update_recursive(base, p), 0);
	char *text = json_dumps(base, JSON_COMPACT);
	json_decref(base);
	json_decref(p);
	return text;
}

static int
parse(const char *text, struct mr_spec *spec, struct mr_oci_config *cfg, struct mr_error *err)
{
	mr_spec_init(spec);
	return mr_oci_config_parse(text, strlen(text), "config.json", "/bundle", false, spec, cfg,
				   err);
}

/* The one error line for GOOD patched with PATCH ("RAW:TEXT": TEXT itself). */
static const char *
refusal(const char *patch)
{
	static struct mr_error err;
	struct mr_spec spec;
	struct mr_oci_config cfg;
	char *text = strncmp(patch, "RAW:", 4) == 0 ? strdup(patch + 4) : patched(patch);

	memset(&err, 0, sizeof(err));
	ck_assert_msg(parse(text, &spec, &cfg, &err) == -1, "accepted: %s", patch);
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);
	return err.msg;
}

START_TEST(good_config)
{
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};

	ck_assert_msg(parse(good, &spec, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(cfg.oci_version, "1.0.2");
	ck_assert_str_eq(cfg.bundle, "/bundle");
	ck_assert_uint_eq(cfg.n_annotations, 1);
	ck_assert_str_eq(cfg.annotations[0], "org.example");
	ck_assert_str_eq(cfg.annotations[1], "v");
	ck_assert_str_eq(spec.rootfs, "/bundle/rootfs");
	ck_assert(spec.rootfs_direct);
	ck_assert(spec.read_only);
	ck_assert_uint_eq(spec.argc, 3);
	ck_assert_str_eq(spec.argv[2], "true");
	ck_assert_uint_eq(spec.n_env, 2);
	ck_assert_str_eq(spec.env[1], "A=b");
	ck_assert(spec.env_as_given);
	ck_assert_str_eq(spec.workdir, "/tmp");
	ck_assert_str_eq(spec.user, "1000:100");
	ck_assert_uint_eq(spec.n_group_add, 2);
	ck_assert_str_eq(spec.group_add[1], "6");
	ck_assert(spec.umask_set);
	ck_assert_uint_eq(spec.umask, 077);
	ck_assert(spec.caps_explicit);
	ck_assert_uint_eq(spec.caps, (1ULL << 5) | (1ULL << 0)); /* KILL, CHOWN */
	ck_assert_uint_eq(spec.cap_effective, 1ULL << 5);
	ck_assert_uint_eq(spec.cap_ambient, 1ULL << 5);
	ck_assert(spec.no_new_privs);
	ck_assert(spec.oom_score_adj_set);
	ck_assert_int_eq(spec.oom_score_adj, 100);
	ck_assert(!spec.tty);
	ck_assert(spec.interactive);
	ck_assert_str_eq(spec.hostname, "box");
	ck_assert_int_eq(spec.network, MR_NETWORK_NONE);
	ck_assert_uint_eq(spec.resources.n_ulimits, 1);
	ck_assert_int_eq(spec.resources.ulimits[0].resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(spec.resources.ulimits[0].soft, 512);
	ck_assert_int_eq(spec.resources.memory, 64 << 20);
	ck_assert(spec.resources.pids_set);
	ck_assert_int_eq(spec.resources.pids_limit, 50);
	/* Written as given (cpu.cfs_quota_us, cpu.cfs_period_us), not as Docker's --cpus. */
	ck_assert_int_eq(spec.resources.cpu_nanos, 0);
	ck_assert_int_eq(spec.resources.cpu_quota, 50000);
	ck_assert_uint_eq(spec.resources.cpu_period, 100000);
	ck_assert(spec.resources.cpu_section);
	ck_assert(spec.resources.memory_section);
	ck_assert_uint_eq(spec.resources.cpu_shares, 512);
	ck_assert_str_eq(spec.resources.cpuset_cpus, "0");
	ck_assert_str_eq(spec.resources.cgroup_parent, "mygroup");
	ck_assert_str_eq(spec.resources.cgroup_name, "c1");
	/* No linux.seccomp: no filter (the spec's meaning). */
	ck_assert_str_eq(spec.seccomp, "unconfined");
	/* /proc is minirun's own; the bind and the tmpfs are volumes. */
	ck_assert_uint_eq(spec.n_volumes, 2);
	ck_assert_int_eq(spec.volumes[0].type, MR_VOLUME_BIND);
	ck_assert_str_eq(spec.volumes[0].source, "/bundle/data");
	ck_assert_str_eq(spec.volumes[0].target, "/data");
	ck_assert(spec.volumes[0].readonly);
	/* podman's nosuid/nodev on binds: set on the tree with read-only. */
	ck_assert_uint_eq(spec.volumes[0].tmpfs_attrs, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	ck_assert_int_eq(spec.volumes[1].type, MR_VOLUME_TMPFS);
	ck_assert_uint_eq(spec.volumes[1].tmpfs_size, 65536 * 1024);
	ck_assert_uint_eq(spec.volumes[1].tmpfs_mode, 01777);
	ck_assert_uint_eq(cfg.warnings.n, 0);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);
}
END_TEST

/* GOOD with its rlimit's "hard": 1024, "soft": 512 replaced by HARD and SOFT (text: jansson
   cannot carry Go's uint64 through a patch). */
static char *
with_rlimit(const char *hard, const char *soft)
{
	const char *at = strstr(good, "\"hard\": 1024, \"soft\": 512");
	ck_assert_ptr_nonnull(at);
	char *text;
	ck_assert_int_ge(asprintf(&text, "%.*s\"hard\": %s, \"soft\": %s%s", (int)(at - good), good,
				  hard, soft, at + strlen("\"hard\": 1024, \"soft\": 512")),
			 0);
	return text;
}

START_TEST(rlimits_go_uint64)
{
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};
	/* RLIM_INFINITY as Docker and podman write it (--ulimit nofile=-1), which jansson
	   alone refuses: unlimited, as with runc. */
	char *text = with_rlimit("18446744073709551615", "18446744073709551615");
	ck_assert_msg(parse(text, &spec, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(spec.resources.n_ulimits, 1);
	ck_assert_uint_eq(spec.resources.ulimits[0].soft, RLIM_INFINITY);
	ck_assert_uint_eq(spec.resources.ulimits[0].hard, RLIM_INFINITY);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);
	free(text);
	/* A finite soft limit under it. */
	text = with_rlimit("18446744073709551615", "4096");
	ck_assert_msg(parse(text, &spec, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(spec.resources.ulimits[0].soft, 4096);
	ck_assert_uint_eq(spec.resources.ulimits[0].hard, RLIM_INFINITY);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);
	free(text);
	/* runc (Go's uint64) refuses -1 and 2^64; so does minirun. */
	static const char *const bad[][2] = {
	    {"-1", "-1"}, {"1024", "-1"}, {"18446744073709551616", "1"}};
	static const char *const why[] = {
	    "config.json: process.rlimits[0]: soft and hard must be integers "
	    "0..18446744073709551615",
	    "config.json: process.rlimits[0]: soft and hard must be integers "
	    "0..18446744073709551615",
	    "config.json:1:443: too big integer near '18446744073709551616'"};
	for (size_t i = 0; i < 3; i++) {
		char *raw;
		text = with_rlimit(bad[i][0], bad[i][1]);
		ck_assert_int_ge(asprintf(&raw, "RAW:%s", text), 0);
		ck_assert_str_eq(refusal(raw), why[i]);
		free(raw);
		free(text);
	}
}
END_TEST

START_TEST(seccomp_and_network)
{
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};
	char *text = patched("{\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"},"
			     " \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"},"
			     " {\"type\": \"uts\"}, {\"type\": \"mount\"}]}}");

	ck_assert_msg(parse(text, &spec, &cfg, &err) == 0, "%s", err.msg);
	/* The seccomp layer reads the whole config.json itself. */
	ck_assert_str_eq(spec.seccomp, "config.json");
	ck_assert_int_eq(spec.network, MR_NETWORK_HOST);
	ck_assert_uint_eq(cfg.warnings.n, 1);
	ck_assert_str_eq(cfg.warnings.v[0],
			 "config.json: linux.namespaces: no cgroup namespace listed: minirun makes "
			 "one anyway, rooted at the container's cgroup");
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);
}
END_TEST

START_TEST(must_refusals)
{
	/* The spec's MUSTs, each with its exact line. */
	ck_assert_str_eq(refusal("{\"ociVersion\": \"2.0.0\"}"),
			 "config.json: ociVersion: \"2.0.0\": minirun implements runtime-spec 1.x");
	ck_assert_str_eq(refusal("{\"process\": {\"cwd\": \"tmp\"}}"),
			 "config.json: process.cwd: \"tmp\": must be an absolute path");
	ck_assert_str_eq(refusal("{\"process\": {\"args\": []}}"),
			 "config.json: process.args: missing or empty (at least one entry is "
			 "REQUIRED)");
	ck_assert_str_eq(refusal("{\"root\": {\"path\": \"\"}}"),
			 "config.json: root.path: missing (it is REQUIRED)");
	ck_assert_str_eq(refusal("{\"process\": {\"rlimits\": ["
				 "{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1, \"soft\": 1},"
				 "{\"type\": \"RLIMIT_NOFILE\", \"hard\": 2, \"soft\": 2}]}}"),
			 "config.json: process.rlimits[1].type: RLIMIT_NOFILE is given twice "
			 "(process.rlimits[0])");
	ck_assert_str_eq(refusal("{\"process\": {\"capabilities\": {\"bounding\": "
				 "[\"CAP_NOPE\"]}}}"),
			 "config.json: process.capabilities.bounding[0]: unknown capability "
			 "'CAP_NOPE'");
	/* capset(2) refuses these (runc and crun fail to start); minirun used to
	   drop them silently and run with other sets than the config's. */
	ck_assert_str_eq(refusal("{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_KILL\"], "
				 "\"permitted\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\", "
				 "\"CAP_CHOWN\"], \"inheritable\": [], \"ambient\": []}}}"),
			 "config.json: process.capabilities.effective: CAP_CHOWN not in permitted: "
			 "capset(2) refuses it");
	ck_assert_str_eq(
	    refusal("{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_KILL\"], "
		    "\"permitted\": [\"CAP_KILL\"], \"effective\": [], \"inheritable\": "
		    "[\"CAP_KILL\", \"CAP_CHOWN\", \"CAP_SYS_ADMIN\"], \"ambient\": []}}}"),
	    "config.json: process.capabilities.inheritable: CAP_CHOWN,CAP_SYS_ADMIN not in "
	    "bounding: capset(2) refuses them");
	ck_assert_str_eq(refusal("{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, "
				 "{\"type\": \"pid\"}]}}"),
			 "config.json: linux.namespaces[1]: the pid namespace is given twice");
	ck_assert_str_eq(
	    refusal("{\"mounts\": [{\"destination\": \"data\", \"type\": \"tmpfs\"}]}"),
	    "config.json: mounts[0].destination: \"data\": must be an absolute path");
	ck_assert_str_eq(refusal("{\"process\": {\"env\": [\"NOVALUE\"]}}"),
			 "config.json: process.env[0]: \"NOVALUE\": expected KEY=VALUE");
	ck_assert_str_eq(refusal("{\"process\": {\"cwd\": 5}}"),
			 "config.json: process.cwd: expected a string, found an integer");
	/* jansson's own position for text that is not JSON. */
	ck_assert_str_eq(refusal("RAW:{\"ociVersion\": \"1.0.2\",\n  \"process\": }"),
			 "config.json:2:14: unexpected token near '}'");
	ck_assert_str_eq(refusal("RAW:{\"ociVersion\": \"1.0.2\", \"ociVersion\": \"1.0.2\"}"),
			 "config.json:1:36: duplicate object key near '\"ociVersion\"'");
}
END_TEST

START_TEST(hooks_checked)
{
	/* Every entry checked before any process exists, with its JSON path. */
	ck_assert_str_eq(refusal("{\"hooks\": {\"poststart\": [{\"path\": \"/bin/true\"}, "
				 "{\"path\": \"/bin/true\", \"timeout\": 0}]}}"),
			 "config.json: hooks.poststart[1].timeout: 0: must be greater than 0 "
			 "(seconds, at most 2147483)");
	ck_assert_str_eq(
	    refusal("{\"hooks\": {\"prestart\": [{\"path\": \"true\"}]}}"),
	    "config.json: hooks.prestart[0].path: expected an absolute path (a string)");
	ck_assert_str_eq(refusal("{\"hooks\": {\"createRuntime\": [{\"args\": [\"x\"]}]}}"),
			 "config.json: hooks.createRuntime[0].path: missing (it is REQUIRED)");
	ck_assert_str_eq(refusal("{\"hooks\": {\"poststop\": [{\"path\": \"/x\", "
				 "\"timeout\": 1.5}]}}"),
			 "config.json: hooks.poststop[0].timeout: expected an integer (seconds)");
	ck_assert_str_eq(refusal("{\"hooks\": {\"poststop\": [{\"path\": \"/x\", "
				 "\"args\": [\"x\", 1]}]}}"),
			 "config.json: hooks.poststop[0].args[1]: expected a string (without NUL)");
	ck_assert_str_eq(refusal("{\"hooks\": {\"startContainer\": [{\"path\": \"/x\", "
				 "\"env\": [\"=1\"]}]}}"),
			 "config.json: hooks.startContainer[0].env[0]: \"=1\" is not NAME=VALUE");
	ck_assert_str_eq(refusal("{\"hooks\": {\"createContainer\": {}}}"),
			 "config.json: hooks.createContainer: expected an array");
	ck_assert_str_eq(refusal("{\"hooks\": {\"postStart\": []}}"),
			 "config.json: hooks.postStart: unknown kind of hook (minirun runs "
			 "prestart, createRuntime, createContainer, startContainer, poststart, "
			 "poststop)");

	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};
	char *text = patched("{\"hooks\": {\"poststart\": [{\"path\": \"/bin/a\"}, "
			     "{\"path\": \"/bin/b\", \"args\": [\"b\", \"-x\"], \"env\": "
			     "[\"K=V\"], \"timeout\": 7}]}}");
	ck_assert_msg(parse(text, &spec, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(cfg.hooks.n[MR_HOOK_POSTSTART], 2);
	const struct mr_hook *a = &cfg.hooks.v[MR_HOOK_POSTSTART][0];
	const struct mr_hook *b = &cfg.hooks.v[MR_HOOK_POSTSTART][1];
	/* No args: argv[0] is the path; no env: an empty environment (runc's). */
	ck_assert_str_eq(a->argv[0], "/bin/a");
	ck_assert_ptr_null(a->argv[1]);
	ck_assert_ptr_null(a->envp[0]);
	ck_assert_int_eq(a->timeout, 0);
	ck_assert_str_eq(b->argv[0], "b");
	ck_assert_str_eq(b->argv[1], "-x");
	ck_assert_str_eq(b->envp[0], "K=V");
	ck_assert_ptr_null(b->envp[1]);
	ck_assert_int_eq(b->timeout, 7);
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);
}
END_TEST

START_TEST(sysctl_into_spec)
{
	/* The list --sysctl fills; mr_prepare checks the keys for both front ends. */
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};
	char *text = patched("{\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}}");

	ck_assert_msg(parse(text, &spec, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(spec.n_sysctls, 1);
	ck_assert_str_eq(spec.sysctls[0], "net.ipv4.ip_forward=1");
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);
}
END_TEST

START_TEST(paths_and_propagation)
{
	/* Paths minirun masks anyway cost nothing; any other absolute one is kept. */
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};
	char *text = patched(
	    "{\"linux\": {\"maskedPaths\": [\"/proc/kcore\", \"/masked-dir\", \"/proc/acpi\"],"
	    " \"readonlyPaths\": [\"/proc/sys\", \"/proc/kcore\", \"/ro/f\"]},"
	    " \"mounts\": [{\"destination\": \"/t\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	    "  \"options\": [\"nosuid\", \"size=1k\", \"private\", \"shared\"]},"
	    " {\"destination\": \"/b\", \"source\": \"/etc\","
	    "  \"options\": [\"nosuid\", \"mode=755\", \"size=1k\", \"rbind\", \"runbindable\"]},"
	    " {\"destination\": \"/c\", \"source\": \"/etc\", \"options\": [\"bind\"]}]}");

	ck_assert_msg(parse(text, &spec, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(spec.n_masked_paths, 1);
	ck_assert_str_eq(spec.masked_paths[0], "/masked-dir");
	ck_assert_uint_eq(spec.n_readonly_paths, 1);
	ck_assert_str_eq(spec.readonly_paths[0], "/ro/f");
	/* The last propagation option wins; shared stays a group of the container's. */
	ck_assert_uint_eq(spec.n_volumes, 3);
	ck_assert_int_eq(spec.volumes[0].type, MR_VOLUME_TMPFS);
	ck_assert_int_eq(spec.volumes[0].propagation, MR_PROPAGATION_SHARED);
	ck_assert(spec.volumes[0].shared_own_group);
	ck_assert_uint_eq(spec.volumes[0].tmpfs_size, 1024);
	ck_assert_int_eq(spec.volumes[1].type, MR_VOLUME_BIND);
	ck_assert_int_eq(spec.volumes[1].propagation, MR_PROPAGATION_RUNBINDABLE);
	ck_assert_uint_eq(spec.volumes[1].tmpfs_attrs, MOUNT_ATTR_NOSUID);
	ck_assert_int_eq(spec.volumes[2].propagation, MR_PROPAGATION_RPRIVATE);
	ck_assert(!spec.volumes[2].shared_own_group);
	/* "bind" alone is MS_BIND without MS_REC: the host's mounts below stay out. */
	ck_assert(!spec.volumes[1].nonrecursive);
	ck_assert(spec.volumes[2].nonrecursive);
	ck_assert_uint_eq(cfg.warnings.n, 1);
	ck_assert_str_eq(cfg.warnings.v[0], "config.json: mounts[1]: \"mode=755\" ignored: "
					    "filesystem options do not apply to a bind");
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);

	ck_assert_str_eq(refusal("{\"linux\": {\"maskedPaths\": [\"/proc/kcore\", \"etc\"]}}"),
			 "config.json: linux.maskedPaths[1]: \"etc\": must be an absolute path");
	ck_assert_str_eq(refusal("{\"linux\": {\"readonlyPaths\": [\"//\"]}}"),
			 "config.json: linux.readonlyPaths[0]: \"//\": the container's root itself "
			 "cannot be made read-only here (root.readonly does)");
	ck_assert_str_eq(refusal("{\"linux\": {\"maskedPaths\": [\"/\"]}}"),
			 "config.json: linux.maskedPaths[0]: \"/\": the container's root itself "
			 "cannot be masked");
}
END_TEST

START_TEST(joins_and_linux_extras)
{
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};
	char *text = patched(
	    "{\"domainname\": \"example.test\", \"hostname\": \"\","
	    " \"linux\": {\"namespaces\": [{\"type\": \"pid\", \"path\": \"/proc/self/ns/pid\"},"
	    " {\"type\": \"network\", \"path\": \"/proc/self/ns/net\"}, {\"type\": \"ipc\"},"
	    " {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}],"
	    " \"personality\": {\"domain\": \"LINUX32\"}, \"rootfsPropagation\": \"rslave\"}}");

	ck_assert_msg(parse(text, &spec, &cfg, &err) == 0, "%s", err.msg);
	ck_assert(mr_spec_joins(&spec, MR_JOIN_PID) && mr_spec_joins(&spec, MR_JOIN_NET));
	ck_assert(!mr_spec_joins(&spec, MR_JOIN_UTS) && !mr_spec_joins(&spec, MR_JOIN_IPC));
	ck_assert_int_ge(spec.ns_join[MR_JOIN_PID].fd, 0);
	ck_assert_str_eq(spec.ns_join[MR_JOIN_NET].path, "/proc/self/ns/net");
	ck_assert_int_eq(spec.network, MR_NETWORK_JOINED);
	ck_assert_str_eq(spec.domainname, "example.test");
	ck_assert(spec.personality_set);
	ck_assert_uint_eq(spec.personality, 0x0008);
	ck_assert_uint_eq(spec.rootfs_propagation, MS_SLAVE | MS_REC);
	int fd = spec.ns_join[MR_JOIN_PID].fd;
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);
	/* The spec owns the descriptors: cleared, they are closed. */
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);

	ck_assert_str_eq(refusal("{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
				 "\"network\", \"path\": \"/proc/self/ns/ipc\"}]}}"),
			 "config.json: linux.namespaces[1].path: /proc/self/ns/ipc: not a network "
			 "namespace (it is a ipc one)");
	ck_assert_str_eq(refusal("{\"linux\": {\"personality\": {\"domain\": \"LINUX64\"}}}"),
			 "config.json: linux.personality.domain: \"LINUX64\": unknown execution "
			 "domain (LINUX or LINUX32)");
}
END_TEST

/* GOOD with a user namespace and the maps given (JSON arrays); NS_EXTRA after "user". */
#define USERNS(uid, gid)                                                                           \
	"{\"process\": {\"user\": {\"uid\": 0, \"gid\": 0, \"additionalGids\": []}},"              \
	" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": "      \
	"\"uts\"}, {\"type\": \"mount\"}, {\"type\": \"user\"}],"                                  \
	" \"uidMappings\": " uid ", \"gidMappings\": " gid "}}"
#define R0 "[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]"

START_TEST(user_namespace_as_root)
{
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};
	char *text = patched(USERNS("[{\"containerID\": 0, \"hostID\": 100000, \"size\": 1000},"
				    " {\"containerID\": 1000, \"hostID\": 5000, \"size\": 1}]",
				    R0));

	ck_assert_msg(parse(text, &spec, &cfg, &err) == 0, "%s", err.msg);
	ck_assert(spec.userns);
	ck_assert_uint_eq(spec.n_uid_map, 2);
	ck_assert_uint_eq(spec.uid_map[1].container_id, 1000);
	ck_assert_uint_eq(spec.uid_map[1].host_id, 5000);
	ck_assert_uint_eq(spec.uid_map[1].size, 1);
	ck_assert_uint_eq(spec.n_gid_map, 1);
	ck_assert_uint_eq(mr_id_map_host(spec.uid_map, spec.n_uid_map, 999), 100999);
	ck_assert_uint_eq(mr_id_map_host(spec.uid_map, spec.n_uid_map, 1001), UINT32_MAX);
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);

	ck_assert_str_eq(refusal(USERNS("[]", R0)),
			 "config.json: linux.uidMappings: missing: the new user namespace needs "
			 "its map (at least containerID 0)");
	ck_assert_str_eq(refusal("{\"linux\": {\"uidMappings\": " R0 "}}"),
			 "config.json: linux.uidMappings: given without a user namespace (add "
			 "{\"type\": \"user\"} to linux.namespaces)");
	ck_assert_str_eq(refusal(USERNS(R0, "[{\"containerID\": 1, \"hostID\": 1, \"size\": 9}]")),
			 "config.json: linux.gidMappings: no range maps containerID 0: the "
			 "container's root must exist in its user namespace");
	ck_assert_str_eq(refusal(USERNS("[{\"containerID\": 0, \"hostID\": 1, \"size\": 0}]", R0)),
			 "config.json: linux.uidMappings[0].size: 0: a range maps at least one id");
	ck_assert_str_eq(refusal(USERNS("[{\"containerID\": 0, \"hostID\": 1}]", R0)),
			 "config.json: linux.uidMappings[0].size: missing (it is REQUIRED)");
	ck_assert_str_eq(refusal(USERNS("[{\"containerID\": 0, \"hostID\": -1, \"size\": 1}]", R0)),
			 "config.json: linux.uidMappings[0].hostID: -1 is out of range (0 to "
			 "4294967295)");
	ck_assert_str_eq(
	    refusal(USERNS("[{\"containerID\": 0, \"hostID\": 4294967295, \"size\": 1}]", R0)),
	    "config.json: linux.uidMappings[0]: hostID 4294967295 + size 1 goes past the last id "
	    "(4294967294)");
	ck_assert_str_eq(refusal(USERNS("[{\"containerID\": 0, \"hostID\": 100, \"size\": 10},"
					" {\"containerID\": 5, \"hostID\": 200, \"size\": 1}]",
					R0)),
			 "config.json: linux.uidMappings[1]: overlaps linux.uidMappings[0] "
			 "(container ids)");
	ck_assert_str_eq(
	    refusal(USERNS(R0, "[{\"containerID\": 0, \"hostID\": 100, \"size\": 10},"
			       " {\"containerID\": 50, \"hostID\": 109, \"size\": 1}]")),
	    "config.json: linux.gidMappings[1]: overlaps linux.gidMappings[0] (host "
	    "ids)");
	/* 341 ranges: one more than the kernel takes. */
	char many[341 * 64 + 8], *w = many;
	w += sprintf(w, "[");
	for (int i = 0; i < 341; i++)
		w += sprintf(w, "%s{\"containerID\": %d, \"hostID\": %d, \"size\": 1}",
			     i ? ", " : "", i, 200000 + i);
	sprintf(w, "]");
	char patch[sizeof(many) + 512];
	snprintf(patch, sizeof(patch), USERNS("%s", R0), many);
	ck_assert_str_eq(
	    refusal(patch),
	    "config.json: linux.uidMappings: 341 ranges: the kernel takes at most 340");
	ck_assert_str_eq(refusal("{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
				 "\"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": "
				 "\"network\", \"path\": \"/proc/self/ns/net\"}, {\"type\": "
				 "\"user\"}], \"uidMappings\": " R0 ", \"gidMappings\": " R0 "}}"),
			 "config.json: linux.namespaces: joining the namespace /proc/self/ns/net "
			 "together with a new user namespace is not supported (the container's new "
			 "user namespace does not own it)");
	/* By path: never minirun's own (setns would say EINVAL). */
	ck_assert_str_eq(refusal("{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
				 "\"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": "
				 "\"user\", \"path\": \"/proc/self/ns/user\"}]}}"),
			 "config.json: linux.namespaces[4].path: /proc/self/ns/user: minirun's own "
			 "user namespace (leave the path out: without a user namespace the "
			 "container shares it)");
	ck_assert_str_eq(refusal("{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
				 "\"user\", \"path\": \"/proc/self/ns/net\"}]}}"),
			 "config.json: linux.namespaces[1].path: /proc/self/ns/net: not a user "
			 "namespace (it is a network one)");
}
END_TEST

START_TEST(not_yet_refusals)
{
	/* What minirun cannot do yet is refused, never dropped. */
	ck_assert_str_eq(refusal("{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
				 "\"mount\", \"path\": \"/proc/self/ns/mnt\"}]}}"),
			 "config.json: linux.namespaces[1].path: joining a mount namespace is not "
			 "supported: minirun builds the container's root in a new one (bind, "
			 "/proc, /dev, pivot_root), which in another's would be mounted over that "
			 "container's tree");
	ck_assert_str_eq(refusal("{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, "
				 "{\"type\": \"ipc\"}, {\"type\": \"uts\"}]}}"),
			 "config.json: linux.namespaces: no pid namespace: sharing the host's is "
			 "not supported (minirun always makes mount, pid, ipc and uts namespaces)");
	ck_assert_str_eq(refusal("{\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": 1}}}"),
			 "config.json: linux.sysctl.net.ipv4.ip_forward: expected a string");
	ck_assert_str_eq(refusal("{\"mounts\": [{\"destination\": \"/x\", \"type\": \"nfs\"}]}"),
			 "config.json: mounts[0]: type \"nfs\" is not supported (minirun mounts "
			 "bind and tmpfs)");
	ck_assert_str_eq(refusal("{\"mounts\": [{\"destination\": \"/x\", \"type\": \"proc\"}]}"),
			 "config.json: mounts[0]: a proc mount at /x: minirun mounts proc only "
			 "where it does itself");
	ck_assert_str_eq(
	    refusal("{\"mounts\": [{\"destination\": \"/x\", \"type\": \"bind\", "
		    "\"source\": \"/tmp\", \"options\": [\"rbind\", \"nosymfollow\"]}]}"),
	    "config.json: mounts[0]: option \"nosymfollow\" is not supported on a bind "
	    "mount yet");
	ck_assert_str_eq(refusal("{\"linux\": {\"cgroupsPath\": \"system.slice:minirun:c1\"}}"),
			 "config.json: linux.cgroupsPath: \"system.slice:minirun:c1\": systemd's "
			 "slice:prefix:name form is not supported (--systemd-cgroup)");
	ck_assert_str_eq(refusal("{\"linux\": {\"resources\": {\"hugepageLimits\": "
				 "[{\"pageSize\": \"2MB\", \"limit\": 1}]}}}"),
			 "config.json: linux.resources.hugepageLimits: not supported by minirun "
			 "yet");
	ck_assert_str_eq(refusal("{\"windows\": {}}"),
			 "config.json: windows: a config for another platform (minirun runs "
			 "Linux)");
}
END_TEST

/* linux.resources: every cpu and memory value, and the device rules in order. */
START_TEST(resources_values)
{
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};
	char *text =
	    patched("{\"linux\": {\"resources\": {\"memory\": {\"reservation\": 33554432, "
		    "\"swap\": 134217728, \"swappiness\": 10, \"kernel\": 1048576, "
		    "\"kernelTCP\": 2097152, \"disableOOMKiller\": true}, \"cpu\": {\"quota\": -1, "
		    "\"period\": 500000, \"mems\": \"0\", \"realtimePeriod\": 1000000, "
		    "\"realtimeRuntime\": 950000, \"idle\": 1}, \"devices\": [{\"allow\": false, "
		    "\"access\": \"rwm\"}, {\"allow\": true, \"type\": \"c\", \"major\": 1, "
		    "\"minor\": 11, \"access\": \"r\"}, {\"allow\": false, \"type\": \"b\", "
		    "\"major\": 8}]}}}");
	const struct mr_resources *r = &spec.resources;

	ck_assert_msg(parse(text, &spec, &cfg, &err) == 0, "%s", err.msg);
	free(text);
	ck_assert_int_eq(r->memory_reservation, 32 << 20);
	ck_assert_int_eq(r->memory_swap, 128 << 20);
	ck_assert(r->swappiness_set);
	ck_assert_int_eq(r->memory_swappiness, 10);
	ck_assert_int_eq(r->kernel_tcp, 2 << 20);
	ck_assert(r->disable_oom_killer);
	ck_assert_int_eq(r->cpu_quota, -1);
	ck_assert_uint_eq(r->cpu_period, 500000);
	ck_assert_str_eq(r->cpuset_mems, "0");
	ck_assert_uint_eq(r->cpu_rt_period, 1000000);
	ck_assert_int_eq(r->cpu_rt_runtime, 950000);
	ck_assert(r->cpu_idle_set);
	ck_assert_int_eq(r->cpu_idle, 1);
	/* kernel: ignored, said once. */
	ck_assert_uint_eq(cfg.warnings.n, 1);
	ck_assert_str_eq(cfg.warnings.v[0],
			 "config.json: linux.resources.memory.kernel: ignored: the kernel has no "
			 "kernel memory limit any more (Linux 5.16)");
	/* Every entry, in order, deny ones too; "deny all" is type a. */
	ck_assert(r->ordered_rules);
	ck_assert_uint_eq(r->n_devices, 3);
	ck_assert(r->devices[0].no_node && r->devices[0].deny);
	ck_assert_int_eq(r->devices[0].type, 'a');
	ck_assert_uint_eq(r->devices[0].major, MR_DEVICE_ANY);
	ck_assert(!r->devices[1].deny);
	ck_assert_int_eq(r->devices[1].type, 'c');
	ck_assert_uint_eq(r->devices[1].minor, 11);
	ck_assert_str_eq(r->devices[1].perms, "r");
	ck_assert(r->devices[2].deny);
	ck_assert_uint_eq(r->devices[2].major, 8);
	ck_assert_uint_eq(r->devices[2].minor, MR_DEVICE_ANY);
	ck_assert_str_eq(r->devices[2].perms, "rwm");
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);

	ck_assert_str_eq(refusal("{\"linux\": {\"resources\": {\"devices\": [{\"type\": "
				 "\"c\"}]}}}"),
			 "config.json: linux.resources.devices[0].allow: REQUIRED");
	ck_assert_str_eq(refusal("{\"linux\": {\"resources\": {\"devices\": [{\"allow\": "
				 "true, \"type\": \"p\"}]}}}"),
			 "config.json: linux.resources.devices[0].type: \"p\": expected a, b or c");
	ck_assert_str_eq(refusal("{\"linux\": {\"resources\": {\"devices\": [{\"allow\": "
				 "true, \"type\": \"c\", \"access\": \"rr\"}]}}}"),
			 "config.json: linux.resources.devices[0].access: \"rr\": expected r, w "
			 "and m (each at most once)");
	ck_assert_str_eq(refusal("{\"linux\": {\"resources\": {\"memory\": {\"swappiness\": "
				 "101}}}}"),
			 "config.json: linux.resources.memory.swappiness: 101 is out of range (0 "
			 "to 100)");
	ck_assert_str_eq(refusal("{\"linux\": {\"resources\": {\"cpu\": {\"quota\": 999}}}}"),
			 "config.json: linux.resources.cpu.quota: 999: at least 1000 (1 ms)");
	ck_assert_str_eq(refusal("{\"linux\": {\"resources\": {\"cpu\": {\"mems\": \"0-\"}}}}"),
			 "config.json: linux.resources.cpu.mems: mems 0-: invalid memory node list "
			 "(expected e.g. 0-3 or 0,2)");
	ck_assert_str_eq(refusal("{\"linux\": {\"resources\": {\"cpu\": {\"burst\": 1}}}}"),
			 "config.json: linux.resources.cpu.burst: not supported by minirun yet");
}
END_TEST

START_TEST(rootless)
{
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};
	unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
	char *text = mr_oci_config_template(true, uid, gid);
	char want[256];

	/* The rootless starter config maps the caller: accepted, host network. */
	mr_spec_init(&spec);
	int r =
	    mr_oci_config_parse(text, strlen(text), "config.json", "/b", true, &spec, &cfg, &err);
	ck_assert_msg(r == 0, "%s", err.msg);
	ck_assert_int_eq(spec.network, MR_NETWORK_HOST);
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);

	/* Someone else's id: minirun can only map its own. */
	text = mr_oci_config_template(true, uid + 1, gid);
	mr_spec_init(&spec);
	ck_assert_int_eq(
	    mr_oci_config_parse(text, strlen(text), "config.json", "/b", true, &spec, &cfg, &err),
	    -1);
	snprintf(want, sizeof(want),
		 "config.json: linux.uidMappings: only {\"containerID\": 0, \"hostID\": %u, "
		 "\"size\": 1} is supported (your own id as root; newuidmap ranges come later)",
		 uid);
	ck_assert_str_eq(err.msg, want);
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);

	/* A user namespace by path: as root only. */
	text = mr_oci_config_template(true, uid, gid);
	json_t *root = json_loads(text, 0, NULL);
	json_t *list = json_object_get(json_object_get(root, "linux"), "namespaces"), *e;
	size_t i;
	json_array_foreach(
	    list, i, e) if (strcmp(json_string_value(json_object_get(e, "type")), "user") == 0)
	    json_object_set_new(e, "path", json_string("/proc/self/ns/user"));
	free(text);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	mr_spec_init(&spec);
	ck_assert_int_eq(
	    mr_oci_config_parse(text, strlen(text), "config.json", "/b", true, &spec, &cfg, &err),
	    -1);
	ck_assert_msg(strstr(err.msg, ".path: joining a user namespace needs root (rootless, ") !=
			  NULL,
		      "%s", err.msg);
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);
}
END_TEST

START_TEST(template_round_trip)
{
	struct mr_spec spec;
	struct mr_oci_config cfg;
	struct mr_error err = {0};
	char *text = mr_oci_config_template(false, 0, 0);

	ck_assert_ptr_nonnull(text);
	ck_assert_msg(parse(text, &spec, &cfg, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(cfg.oci_version, MR_OCI_VERSION);
	ck_assert(spec.tty);
	ck_assert_str_eq(spec.argv[0], "sh");
	/* Every mount of the starter config is one minirun makes itself. */
	ck_assert_uint_eq(spec.n_volumes, 0);
	ck_assert_uint_eq(cfg.warnings.n, 0);
	free(text);
	mr_oci_config_clear(&cfg);
	mr_spec_clear(&spec);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("oci-config");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, good_config);
	tcase_add_test(tc, seccomp_and_network);
	tcase_add_test(tc, must_refusals);
	tcase_add_test(tc, not_yet_refusals);
	tcase_add_test(tc, joins_and_linux_extras);
	tcase_add_test(tc, paths_and_propagation);
	tcase_add_test(tc, sysctl_into_spec);
	tcase_add_test(tc, hooks_checked);
	tcase_add_test(tc, resources_values);
	tcase_add_test(tc, rootless);
	tcase_add_test(tc, user_namespace_as_root);
	tcase_add_test(tc, template_round_trip);
	tcase_add_test(tc, rlimits_go_uint64);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
