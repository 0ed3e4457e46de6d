/* SPDX-License-Identifier: MIT */
/*
 * config.json -> struct mr_spec.  See oci-config.h.  Every member is looked
 * at in the order of the runtime-spec's config.md; each one either lands in
 * the spec, or is refused with its JSON path, or (accepted without effect)
 * gives one warning.  Unknown members are ignored: the spec says a runtime
 * MUST NOT fail on a property it does not know.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/oci-config.h"
#include "container/mounts.h"
#include "container/namespaces.h"
#include "container/sysctl.h"
#include "seccomp/profile.h"
#include "common/file.h"
#include "common/json.h"
#include "common/util.h"

/* Larger than any config.json anyone writes; a bigger file is a mistake. */
#define CONFIG_MAX (4 * 1024 * 1024)

struct ctx {
	const char *source;
	const char *text; /* the whole config, LEN bytes */
	size_t len;
	const char *bundle;
	bool rootless;
	struct mr_spec *spec;
	struct mr_oci_config *cfg;
	struct mr_error *err;
	struct mr_json_big big; /* integers above 2^63-1 (rlimits' RLIM_INFINITY) */
};

/* "SOURCE: PATH: message" */
__attribute__((format(printf, 3, 4))) static int
fail(struct ctx *c, const char *path, const char *fmt, ...)
{
	char msg[MR_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mr_error_set(c->err, 0, "%s: %s: %s", c->source, path, msg);
}

__attribute__((format(printf, 3, 4))) static int
warn(struct ctx *c, const char *path, const char *fmt, ...)
{
	char msg[MR_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (mr_strv_addf(&c->cfg->warnings, "%s: %s: %s", c->source, path, msg) < 0)
		return mr_error_oom(c->err, c->source);
	return 0;
}

/*
 * PATH.KEY or PATH[I] into BUF (a message may lose the end of a very long
 * path, nothing else: not inlined, so the compiler does not warn about it).
 */
__attribute__((noinline)) static const char *
sub(char *buf, size_t size, const char *path, const char *key)
{
	snprintf(buf, size, "%s%s%s", path, *path ? "." : "", key);
	return buf;
}

__attribute__((noinline)) static const char *
idx(char *buf, size_t size, const char *path, size_t i)
{
	snprintf(buf, size, "%s[%zu]", path, i);
	return buf;
}

/*
 * OBJ.KEY of type TYPE, or NULL when absent (JSON null counts as absent).
 * *bad is set, with the error, when it has another type.
 */
static json_t *
member(struct ctx *c, json_t *obj, const char *path, const char *key, json_type type, bool *bad)
{
	char p[256];
	json_t *v = json_object_get(obj, key);

	*bad = false;
	if (v == NULL || json_is_null(v))
		return NULL;
	bool same = json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v));
	if (!same) {
		static const char *const names[] = {
		    [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		    [JSON_STRING] = "a string",	 [JSON_INTEGER] = "an integer",
		    [JSON_REAL] = "a number",	 [JSON_TRUE] = "a boolean",
		};
		*bad = true;
		fail(c, sub(p, sizeof(p), path, key), "expected %s, found %s", names[type],
		     mr_json_type_name(v));
		return NULL;
	}
	return v;
}

static int
get_string(struct ctx *c, json_t *obj, const char *path, const char *key, const char **out)
{
	bool bad;
	json_t *v = member(c, obj, path, key, JSON_STRING, &bad);
	*out = v ? json_string_value(v) : NULL;
	return bad ? -1 : 0;
}

static int
get_bool(struct ctx *c, json_t *obj, const char *path, const char *key, bool *out)
{
	bool bad;
	json_t *v = member(c, obj, path, key, JSON_TRUE, &bad);
	if (v)
		*out = json_is_true(v);
	return bad ? -1 : 0;
}

/* An integer in [MIN, MAX]; *present tells whether it was there. */
static int
get_int(struct ctx *c, json_t *obj, const char *path, const char *key, long long min, long long max,
	long long *out, bool *present)
{
	char p[256];
	bool bad;
	json_t *v = member(c, obj, path, key, JSON_INTEGER, &bad);

	*present = v != NULL;
	if (bad)
		return -1;
	if (v == NULL)
		return 0;
	*out = json_integer_value(v);
	if (*out < min || *out > max)
		return fail(c, sub(p, sizeof(p), path, key), "%lld is out of range (%lld to %lld)",
			    *out, min, max);
	return 0;
}

/* An array whose every element is a string. */
static int
get_strings(struct ctx *c, json_t *obj, const char *path, const char *key, json_t **out)
{
	char p[256], q[288];
	bool bad;
	json_t *v = member(c, obj, path, key, JSON_ARRAY, &bad);
	size_t i;
	json_t *e;

	*out = v;
	if (bad)
		return -1;
	sub(p, sizeof(p), path, key);
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			return fail(c, idx(q, sizeof(q), p, i), "expected a string, found %s",
				    mr_json_type_name(e));
	}
	return 0;
}

/* A member minirun cannot honour yet: refused unless absent or empty. */
static int
refuse_if_set(struct ctx *c, json_t *obj, const char *path, const char *key, const char *why)
{
	char p[256];
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if ((json_is_array(v) && json_array_size(v) == 0) ||
	    (json_is_object(v) && json_object_size(v) == 0) ||
	    (json_is_string(v) && json_string_length(v) == 0))
		return 0;
	return fail(c, sub(p, sizeof(p), path, key), "%s", why);
}

static int
warn_if_set(struct ctx *c, json_t *obj, const char *path, const char *key, const char *why)
{
	char p[256];
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		return 0;
	return warn(c, sub(p, sizeof(p), path, key), "%s", why);
}

static char *
bundle_path(struct ctx *c, const char *p)
{
	char *out = NULL;
	if (p[0] == '/')
		out = strdup(p);
	else if (asprintf(&out, "%s/%s", c->bundle, p) < 0)
		out = NULL;
	return out;
}

/* --- ociVersion, root ---------------------------------------------------------- */

static int
parse_version(struct ctx *c, json_t *root)
{
	const char *v;

	if (get_string(c, root, "", "ociVersion", &v) < 0)
		return -1;
	if (v == NULL)
		return fail(c, "ociVersion", "missing (it is REQUIRED)");
	/* 1.x: later minor versions only add members, which are ignored if unknown. */
	if (strncmp(v, "1.", 2) != 0)
		return fail(c, "ociVersion", "\"%s\": minirun implements runtime-spec 1.x", v);
	c->cfg->oci_version = strdup(v);
	return c->cfg->oci_version ? 0 : mr_error_oom(c->err, c->source);
}

static int
parse_root(struct ctx *c, json_t *root)
{
	bool bad;
	const char *path;
	json_t *r = member(c, root, "", "root", JSON_OBJECT, &bad);

	if (bad)
		return -1;
	if (r == NULL)
		return fail(c, "root", "missing (minirun needs a root filesystem)");
	if (get_string(c, r, "root", "path", &path) < 0)
		return -1;
	if (path == NULL || *path == '\0')
		return fail(c, "root.path", "missing (it is REQUIRED)");
	free(c->spec->rootfs);
	c->spec->rootfs = bundle_path(c, path);
	if (c->spec->rootfs == NULL)
		return mr_error_oom(c->err, c->source);
	/* runc's semantics: the container writes into root.path itself, no overlay. */
	c->spec->rootfs_direct = true;
	return get_bool(c, r, "root", "readonly", &c->spec->read_only);
}

/* --- process ------------------------------------------------------------------- */

static int
parse_caps(struct ctx *c, json_t *proc)
{
	static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable",
					   "ambient"};
	mr_capset *out[] = {&c->spec->caps, &c->spec->cap_effective, &c->spec->cap_permitted,
			    &c->spec->cap_inheritable, &c->spec->cap_ambient};
	bool bad;
	json_t *caps = member(c, proc, "process", "capabilities", JSON_OBJECT, &bad);

	if (bad)
		return -1;
	/* Absent means none at all: the spec lists what is granted, nothing else is. */
	c->spec->caps_explicit = true;
	for (size_t s = 0; s < MR_ARRAY_SIZE(sets); s++) {
		char p[64], q[80];
		json_t *list, *e;
		size_t i;

		*out[s] = 0;
		if (caps == NULL)
			continue;
		snprintf(p, sizeof(p), "process.capabilities");
		if (get_strings(c, caps, p, sets[s], &list) < 0)
			return -1;
		snprintf(p, sizeof(p), "process.capabilities.%s", sets[s]);
		json_array_foreach(list, i, e)
		{
			int cap;
			struct mr_error e2 = {0};
			/*
			 * A name the kernel does not know MUST be an error ("cannot be
			 * mapped to a relevant kernel interface").
			 */
			if (mr_caps_parse_name(json_string_value(e), &cap, &e2) < 0)
				return fail(c, idx(q, sizeof(q), p, i), "%s", e2.msg);
			*out[s] |= MR_CAP_BIT(cap);
		}
	}
	/*
	 * capset(2) refuses an effective capability outside permitted and, once
	 * the bounding set is dropped (as every runtime does first), an
	 * inheritable one outside bounding: runc and crun fail to start these.
	 */
	struct {
		const char *set, *within;
		mr_capset extra;
	} rules[] = {
	    {"effective", "permitted", c->spec->cap_effective & ~c->spec->cap_permitted},
	    {"inheritable", "bounding", c->spec->cap_inheritable & ~c->spec->caps},
	};
	for (size_t r = 0; r < MR_ARRAY_SIZE(rules); r++) {
		char p[64];

		if (rules[r].extra == 0)
			continue;
		cleanup_free char *names = mr_caps_to_string(rules[r].extra);
		snprintf(p, sizeof(p), "process.capabilities.%s", rules[r].set);
		return fail(c, p, "%s not in %s: capset(2) refuses %s", names ? names : "?",
			    rules[r].within, rules[r].extra & (rules[r].extra - 1) ? "them" : "it");
	}
	return 0;
}

static int
parse_rlimits(struct ctx *c, json_t *proc)
{
	bool bad;
	json_t *list = member(c, proc, "process", "rlimits", JSON_ARRAY, &bad), *e;
	size_t i;

	if (bad)
		return -1;
	json_array_foreach(list, i, e)
	{
		char p[64], q[96], arg[128];
		const char *type;
		uint64_t soft, hard;

		idx(p, sizeof(p), "process.rlimits", i);
		if (!json_is_object(e))
			return fail(c, p, "expected an object, found %s", mr_json_type_name(e));
		if (get_string(c, e, p, "type", &type) < 0)
			return -1;
		json_t *js = json_object_get(e, "soft"), *jh = json_object_get(e, "hard");
		if (type == NULL || js == NULL || jh == NULL)
			return fail(c, p, "type, soft and hard are REQUIRED");
		/* uint64 in the spec (and in runc's Go): -1 is not one. */
		if (!mr_json_u64(js, &c->big, &soft) || !mr_json_u64(jh, &c->big, &hard))
			return fail(c, p, "soft and hard must be integers 0..18446744073709551615");
		if (strncmp(type, "RLIMIT_", 7) != 0)
			return fail(c, sub(q, sizeof(q), p, "type"),
				    "\"%s\": expected RLIMIT_NAME (RLIMIT_NOFILE...)", type);
		/* The spec: a type given twice MUST be an error. */
		for (size_t j = 0; j < i; j++) {
			const char *t =
			    json_string_value(json_object_get(json_array_get(list, j), "type"));
			if (t != NULL && strcmp(t, type) == 0)
				return fail(c, sub(q, sizeof(q), p, "type"),
					    "%s is given twice (process.rlimits[%zu])", type, j);
		}
		/*
		 * Through --ulimit's parser, which knows the names: 2^64-1 (Go's
		 * RLIM_INFINITY) is "unlimited", as is anything above 2^63-1,
		 * which the kernel's rlimits never tell from it.
		 */
		char lower[32];
		size_t n = 0;
		for (const char *s = type + 7; *s && n + 1 < sizeof(lower); s++)
			lower[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
		lower[n] = '\0';
		snprintf(arg, sizeof(arg), "%s=%lld:%lld", lower,
			 soft > INT64_MAX ? -1LL : (long long)soft,
			 hard > INT64_MAX ? -1LL : (long long)hard);
		struct mr_ulimit u;
		struct mr_error e2 = {0};
		if (mr_parse_ulimit(arg, &u, &e2) < 0)
			return fail(c, p, "%s: %s", type, e2.msg);
		if (mr_resources_add_ulimit(&c->spec->resources, &u, c->err) < 0)
			return -1;
	}
	return 0;
}

static int
parse_user(struct ctx *c, json_t *proc)
{
	bool bad, present;
	long long uid = 0, gid = 0, mask;
	json_t *user = member(c, proc, "process", "user", JSON_OBJECT, &bad), *list, *e;
	size_t i;

	if (bad)
		return -1;
	if (user == NULL)
		return fail(c, "process.user", "missing (it is REQUIRED on Linux)");
	if (get_int(c, user, "process.user", "uid", 0, UINT32_MAX - 1, &uid, &present) < 0 ||
	    get_int(c, user, "process.user", "gid", 0, UINT32_MAX - 1, &gid, &present) < 0)
		return -1;
	/* Numeric both: mr_user_resolve then reads neither passwd nor group for them. */
	free(c->spec->user);
	if (asprintf(&c->spec->user, "%lld:%lld", uid, gid) < 0) {
		c->spec->user = NULL;
		return mr_error_oom(c->err, c->source);
	}
	if (get_int(c, user, "process.user", "umask", 0, 0777, &mask, &present) < 0)
		return -1;
	c->spec->umask_set = present;
	c->spec->umask = present ? (unsigned)mask : 0;
	if (warn_if_set(c, user, "process.user", "username", "ignored (Windows only)") < 0)
		return -1;
	list = member(c, user, "process.user", "additionalGids", JSON_ARRAY, &bad);
	if (bad)
		return -1;
	json_array_foreach(list, i, e)
	{
		char p[64];
		if (!json_is_integer(e) || json_integer_value(e) < 0 ||
		    json_integer_value(e) >= UINT32_MAX)
			return fail(c, idx(p, sizeof(p), "process.user.additionalGids", i),
				    "expected a gid (0 to 4294967294)");
		/* The same list --group-add fills: one path to setgroups (prepare.c). */
		char num[16];
		snprintf(num, sizeof(num), "%u", (unsigned)json_integer_value(e));
		if (mr_spec_push(&c->spec->group_add, &c->spec->n_group_add, num, c->err) < 0)
			return -1;
	}
	return 0;
}

static int
parse_process(struct ctx *c, json_t *root)
{
	bool bad, present;
	const char *s;
	long long oom;
	json_t *proc = member(c, root, "", "process", JSON_OBJECT, &bad), *list, *e;
	size_t i;

	if (bad)
		return -1;
	if (proc == NULL)
		return fail(c, "process", "missing (minirun creates the container with it)");
	if (get_bool(c, proc, "process", "terminal", &c->spec->tty) < 0)
		return -1;
	if (warn_if_set(c, proc, "process", "consoleSize",
			"ignored: the terminal gets the size of the caller's") < 0)
		return -1;

	/* cwd: REQUIRED, and MUST be absolute. */
	if (get_string(c, proc, "process", "cwd", &s) < 0)
		return -1;
	if (s == NULL)
		return fail(c, "process.cwd", "missing (it is REQUIRED)");
	if (s[0] != '/')
		return fail(c, "process.cwd", "\"%s\": must be an absolute path", s);
	free(c->spec->workdir);
	if ((c->spec->workdir = strdup(s)) == NULL)
		return mr_error_oom(c->err, c->source);
	c->spec->workdir_as_given = true;

	if (get_strings(c, proc, "process", "env", &list) < 0)
		return -1;
	c->spec->env_as_given = true;
	c->spec->groups_as_given = true;
	json_array_foreach(list, i, e)
	{
		char p[64];
		const char *kv = json_string_value(e);
		if (strchr(kv, '=') == NULL || kv[0] == '=')
			return fail(c, idx(p, sizeof(p), "process.env", i),
				    "\"%s\": expected KEY=VALUE", kv);
		if (mr_spec_add_env(c->spec, kv, c->err) < 0)
			return -1;
	}

	if (get_strings(c, proc, "process", "args", &list) < 0)
		return -1;
	if (list == NULL || json_array_size(list) == 0)
		return fail(c, "process.args", "missing or empty (at least one entry is REQUIRED)");
	char **argv = calloc(json_array_size(list) + 1, sizeof(char *));
	if (argv == NULL)
		return mr_error_oom(c->err, c->source);
	json_array_foreach(list, i, e) argv[i] = (char *)json_string_value(e);
	int r = mr_spec_set_argv(c->spec, argv, json_array_size(list), c->err);
	free(argv);
	if (r < 0)
		return -1;

	if (parse_user(c, proc) < 0 || parse_caps(c, proc) < 0 || parse_rlimits(c, proc) < 0)
		return -1;
	if (get_bool(c, proc, "process", "noNewPrivileges", &c->spec->no_new_privs) < 0)
		return -1;
	if (get_string(c, proc, "process", "apparmorProfile", &s) < 0)
		return -1;
	if (s != NULL && *s != '\0' && (c->spec->apparmor = strdup(s)) == NULL)
		return mr_error_oom(c->err, c->source);
	if (get_int(c, proc, "process", "oomScoreAdj", -1000, 1000, &oom, &present) < 0)
		return -1;
	c->spec->oom_score_adj_set = present;
	c->spec->oom_score_adj = present ? (int)oom : 0;
	if (warn_if_set(c, proc, "process", "selinuxLabel",
			"ignored: minirun has no SELinux support") < 0)
		return -1;
	static const char *const later[] = {"scheduler", "ioPriority", "execCPUAffinity"};
	for (i = 0; i < MR_ARRAY_SIZE(later); i++)
		if (refuse_if_set(c, proc, "process", later[i], "not supported by minirun yet") < 0)
			return -1;
	/* The container's stdin is the caller's, as with runc (docker run -i). */
	c->spec->interactive = true;
	return 0;
}

/* --- mounts -------------------------------------------------------------------- */

/* The mounts minirun makes itself in every container (lib/container/mounts.c). */
static const struct {
	const char *dest;
	const char *types[3];
} own_mounts[] = {
    {"/proc", {"proc"}},
    {"/dev", {"tmpfs", "devtmpfs"}},
    {"/dev/pts", {"devpts"}},
    {"/dev/shm", {"tmpfs", "shm"}},
    {"/dev/mqueue", {"mqueue"}},
    {"/sys", {"sysfs", "bind", "none"}},
    {"/sys/fs/cgroup", {"cgroup", "cgroup2"}},
};

static bool
is_atime_option(const char *o)
{
	static const char *const names[] = {
	    "atime",	     "noatime",	 "relatime",   "norelatime", "strictatime",
	    "nostrictatime", "diratime", "nodiratime", "lazytime",   "nolazytime"};
	for (size_t i = 0; i < MR_ARRAY_SIZE(names); i++)
		if (strcmp(o, names[i]) == 0)
			return true;
	return false;
}

static bool
has_option(json_t *opts, const char *name)
{
	size_t i;
	json_t *e;
	json_array_foreach(opts, i, e) if (strcmp(json_string_value(e), name) == 0) return true;
	return false;
}

/* config.md's "Linux mount options" for propagation, as volumes.c applies them. */
static bool
find_oci_propagation(const char *o, enum mr_volume_propagation *out)
{
	static const struct {
		const char *name;
		enum mr_volume_propagation value;
	} props[] = {
	    {"rprivate", MR_PROPAGATION_RPRIVATE},	 {"private", MR_PROPAGATION_PRIVATE},
	    {"rslave", MR_PROPAGATION_RSLAVE},		 {"slave", MR_PROPAGATION_SLAVE},
	    {"rshared", MR_PROPAGATION_RSHARED},	 {"shared", MR_PROPAGATION_SHARED},
	    {"runbindable", MR_PROPAGATION_RUNBINDABLE}, {"unbindable", MR_PROPAGATION_UNBINDABLE},
	};
	for (size_t k = 0; k < MR_ARRAY_SIZE(props); k++)
		if (strcmp(o, props[k].name) == 0) {
			*out = props[k].value;
			return true;
		}
	return false;
}

/* One config mount as one of minirun's volumes (lib/container/volumes.c). */
static int
add_volume(struct ctx *c, const char *p, const char *type, const char *src, const char *dest,
	   json_t *opts)
{
	char arg[PATH_MAX * 2 + 128];
	size_t len = 0, i;
	json_t *e;
	bool bind = strcmp(type, "bind") == 0, atime = false, prop_set = false, copyup = false;
	unsigned int bind_attrs = 0;
	enum mr_volume_propagation prop = MR_PROPAGATION_RPRIVATE;
	const char *data = NULL;
	int r;

	if (strchr(dest, ',') != NULL || strchr(dest, ':') != NULL ||
	    (src && strchr(src, ',') != NULL))
		return fail(c, p, "a ',' or ':' in a mount path is not supported yet");
	if (bind) {
		cleanup_free char *abs = bundle_path(c, src);
		if (abs == NULL)
			return mr_error_oom(c->err, c->source);
		len =
		    (size_t)snprintf(arg, sizeof(arg), "type=bind,source=%s,target=%s", abs, dest);
	} else {
		/* Nothing by default: an OCI tmpfs is exec, suid, dev unless its options say. */
		len = (size_t)snprintf(arg, sizeof(arg), "%s:exec,suid,dev", dest);
	}
	json_array_foreach(opts, i, e)
	{
		const char *o = json_string_value(e);
		if (len >= sizeof(arg) - 64)
			return fail(c, p, "too many options");
		if (find_oci_propagation(o, &prop)) {
			prop_set = true; /* the last one wins, as runc applies them in turn */
		} else if (is_atime_option(o)) {
			atime = true;
		} else if (bind && (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0 ||
				    strcmp(o, "rw") == 0)) {
			/* Recursive unless only "bind" is given (below). */
		} else if (!bind && strcmp(o, "tmpcopyup") == 0) {
			copyup = true;
		} else if (bind && strcmp(o, "ro") == 0) {
			len += (size_t)snprintf(arg + len, sizeof(arg) - len, ",readonly");
		} else if (bind && (strcmp(o, "nosuid") == 0 || strcmp(o, "nodev") == 0 ||
				    strcmp(o, "noexec") == 0)) {
			/* podman asks for them on its /dev/shm and volumes. */
			bind_attrs |= o[2] == 's'   ? MOUNT_ATTR_NOSUID
				      : o[2] == 'd' ? MOUNT_ATTR_NODEV
						    : MOUNT_ATTR_NOEXEC;
		} else if (bind && strchr(o, '=') != NULL) {
			/* mount(2) ignores the data of a bind (runc and crun pass it
			   along, to no effect): the runtime-tools suite sends size=. */
			data = data ? data : o;
		} else if (!bind && strlen(o) < 48 &&
			   (strcmp(o, "ro") == 0 || strcmp(o, "rw") == 0 ||
			    strcmp(o, "nosuid") == 0 || strcmp(o, "suid") == 0 ||
			    strcmp(o, "nodev") == 0 || strcmp(o, "dev") == 0 ||
			    strcmp(o, "noexec") == 0 || strcmp(o, "exec") == 0 ||
			    strncmp(o, "size=", 5) == 0 || strncmp(o, "mode=", 5) == 0)) {
			len += (size_t)snprintf(arg + len, sizeof(arg) - len, ",%s", o);
		} else {
			return fail(c, p, "option \"%s\" is not supported on a %s mount yet", o,
				    type);
		}
	}
	if (atime && warn(c, p, "atime options ignored: the mount keeps the kernel's default") < 0)
		return -1;
	if (data &&
	    warn(c, p, "\"%s\" ignored: filesystem options do not apply to a bind", data) < 0)
		return -1;
	r = bind ? mr_volume_parse_mount(arg, &c->spec->volumes, &c->spec->n_volumes, c->err)
		 : mr_volume_parse_tmpfs(arg, &c->spec->volumes, &c->spec->n_volumes, c->err);
	if (r < 0)
		return mr_error_wrap(c->err, "%s: %s", c->source, p);
	struct mr_volume *vol = &c->spec->volumes[c->spec->n_volumes - 1];
	vol->tmpfs_copyup = copyup;
	if (bind) { /* set on the tree with the read-only flag (volumes.c) */
		vol->tmpfs_attrs = bind_attrs;
		/* MS_BIND without MS_REC, as runc and crun mount it: the host's
		   mounts below the source stay out (a type "bind" without either
		   option is recursive, as docker's binds are). */
		vol->nonrecursive = has_option(opts, "bind") && !has_option(opts, "rbind");
	}
	if (prop_set) {
		vol->propagation = prop;
		vol->shared_own_group = true;
	}
	return 0;
}

static int
parse_mount(struct ctx *c, json_t *m, size_t i)
{
	char p[64], q[96], dest[PATH_MAX];
	const char *d, *type, *src;
	json_t *opts;

	idx(p, sizeof(p), "mounts", i);
	if (!json_is_object(m))
		return fail(c, p, "expected an object, found %s", mr_json_type_name(m));
	if (get_string(c, m, p, "destination", &d) < 0 || get_string(c, m, p, "type", &type) < 0 ||
	    get_string(c, m, p, "source", &src) < 0 || get_strings(c, m, p, "options", &opts) < 0)
		return -1;
	if (d == NULL)
		return fail(c, sub(q, sizeof(q), p, "destination"), "missing (it is REQUIRED)");
	if (d[0] != '/')
		return fail(c, sub(q, sizeof(q), p, "destination"),
			    "\"%s\": must be an absolute path", d);
	snprintf(dest, sizeof(dest), "%s", d);
	for (size_t n = strlen(dest); n > 1 && dest[n - 1] == '/'; n--)
		dest[n - 1] = '\0';
	/* Linux: a bind is type "bind", or any type with the bind/rbind option. */
	if (type == NULL || has_option(opts, "bind") || has_option(opts, "rbind"))
		type = has_option(opts, "bind") || has_option(opts, "rbind") ? "bind" : "";

	/*
	 * podman and CRI-O bind their own tmpfs (sized, shared within a pod)
	 * at /dev/shm: it becomes a volume, mounted over minirun's own one.
	 */
	if (strcmp(dest, "/dev/shm") == 0 && strcmp(type, "bind") == 0 && src != NULL && *src)
		return add_volume(c, p, type, src, dest, opts);
	for (size_t k = 0; k < MR_ARRAY_SIZE(own_mounts); k++) {
		if (strcmp(dest, own_mounts[k].dest) != 0)
			continue;
		for (size_t t = 0; t < 3 && own_mounts[k].types[t]; t++)
			if (strcmp(type, own_mounts[k].types[t]) == 0 &&
			    (strcmp(type, "bind") != 0 || (src && strcmp(src, "/sys") == 0)))
				return 0; /* minirun mounts it itself, the same way */
		return fail(c, p, "%s of type \"%s\": minirun mounts %s itself (%s)", dest, type,
			    dest, own_mounts[k].types[0]);
	}
	static const char *const special[] = {"proc",	"sysfs",  "devpts",
					      "mqueue", "cgroup", "cgroup2"};
	for (size_t k = 0; k < MR_ARRAY_SIZE(special); k++)
		if (strcmp(type, special[k]) == 0)
			return fail(c, p,
				    "a %s mount at %s: minirun mounts %s only where it does "
				    "itself",
				    type, dest, type);
	if (strcmp(type, "bind") == 0) {
		if (src == NULL || *src == '\0')
			return fail(c, sub(q, sizeof(q), p, "source"), "missing for a bind mount");
		return add_volume(c, p, type, src, dest, opts);
	}
	if (strcmp(type, "tmpfs") == 0)
		return add_volume(c, p, type, NULL, dest, opts);
	return fail(c, p, "type \"%s\" is not supported (minirun mounts bind and tmpfs)", type);
}

static int
parse_mounts(struct ctx *c, json_t *root)
{
	bool bad;
	json_t *list = member(c, root, "", "mounts", JSON_ARRAY, &bad), *m;
	size_t i;

	if (bad)
		return -1;
	json_array_foreach(list, i, m) if (parse_mount(c, m, i) < 0) return -1;
	if (mr_volumes_validate(c->spec->volumes, c->spec->n_volumes, c->err) < 0)
		return mr_error_wrap(c->err, "%s: mounts", c->source);
	return 0;
}

/* --- linux --------------------------------------------------------------------- */

/*
 * A user namespace joined by path: its maps are what the checks of the
 * maps given (the process's user, /dev/pts's gid, the ping range) need, and
 * the container becomes its root as in a new one.
 */
static int
read_joined_maps(struct ctx *c, const char *jpath)
{
	const struct mr_ns_join *user = &c->spec->ns_join[MR_JOIN_USER];
	struct mr_ns_read_maps m = {0};
	struct mr_error e2 = {0};

	int r = mr_ns_read_id_maps(user->fd, &m, &e2);
	/* The spec owns them (mr_spec_clear), whatever happened. */
	c->spec->uid_map = m.uid;
	c->spec->gid_map = m.gid;
	c->spec->n_uid_map = m.n_uid;
	c->spec->n_gid_map = m.n_gid;
	if (r < 0)
		return fail(c, jpath, "%s: reading its uid and gid maps: %s", user->path, e2.msg);
	bool uid0 = mr_id_map_has(m.uid, m.n_uid, 0);
	if (!uid0 || !mr_id_map_has(m.gid, m.n_gid, 0))
		return fail(c, jpath,
			    "%s: the user namespace maps no %s 0 (yet?): the container's root "
			    "must exist in it",
			    user->path, uid0 ? "gid" : "uid");
	return 0;
}

/*
 * linux.namespaces[i].path: opened now, before any process exists, and
 * checked to be a namespace of that type (the spec's MUST); the container
 * process enters it (namespaces.c, launch.c).
 */
static int
join_namespace(struct ctx *c, const char *type, const char *path, const char *jpath)
{
	static const struct {
		const char *type;
		enum mr_ns_join_kind kind;
	} joinable[] = {
	    {"network", MR_JOIN_NET},	{"ipc", MR_JOIN_IPC}, {"uts", MR_JOIN_UTS},
	    {"cgroup", MR_JOIN_CGROUP}, {"pid", MR_JOIN_PID}, {"user", MR_JOIN_USER},
	};
	struct mr_error e2 = {0};

	if (strcmp(type, "mount") == 0)
		return fail(c, jpath,
			    "joining a mount namespace is not supported: minirun builds the "
			    "container's root in a new one (bind, /proc, /dev, pivot_root), which "
			    "in another's would be mounted over that container's tree");
	if (strcmp(type, "time") == 0)
		return fail(c, jpath, "a time namespace is not supported yet");
	/*
	 * setns needs CAP_SYS_ADMIN in the user namespace that owns the
	 * target; a rootless container's own new user namespace owns nothing
	 * that exists already.
	 */
	if (c->rootless && strcmp(type, "user") == 0)
		return fail(c, jpath,
			    "joining a user namespace needs root (rootless, the container's "
			    "user namespace is the one minirun makes with the caller's id)");
	if (c->rootless)
		return fail(c, jpath,
			    "joining a %s namespace needs root (the container's new user "
			    "namespace does not own %s)",
			    type, path);
	for (size_t k = 0; k < MR_ARRAY_SIZE(joinable); k++) {
		if (strcmp(type, joinable[k].type) != 0)
			continue;
		struct mr_ns_join *j = &c->spec->ns_join[joinable[k].kind];
		int fd = mr_ns_open(joinable[k].kind, path, &e2);
		if (fd < 0)
			return fail(c, jpath, "%s", e2.msg);
		if ((j->path = strdup(path)) == NULL) {
			close(fd);
			return mr_error_oom(c->err, c->source);
		}
		j->fd = fd;
		return joinable[k].kind == MR_JOIN_USER ? read_joined_maps(c, jpath) : 0;
	}
	return fail(c, jpath, "unknown namespace \"%s\"", type);
}

/*
 * Every other namespace joined must be one the container can enter from
 * the user namespace it is in: setns needs CAP_SYS_ADMIN in the target's
 * owner, which the container's root has only in its own user namespace and
 * those nested in it.
 */
static int
check_join_owners(struct ctx *c)
{
	const struct mr_ns_join *user = &c->spec->ns_join[MR_JOIN_USER];
	struct mr_error e2 = {0};

	for (size_t k = 0; c->spec->userns && k < MR_JOIN_N; k++) {
		const struct mr_ns_join *j = &c->spec->ns_join[k];
		if (j->path == NULL || k == MR_JOIN_USER)
			continue;
		if (user->path == NULL)
			return fail(c, "linux.namespaces",
				    "joining the namespace %s together with a new user namespace "
				    "is not supported (the container's new user namespace does not "
				    "own it)",
				    j->path);
		int r = mr_ns_owned_within(j->fd, user->fd, &e2);
		if (r < 0)
			return fail(c, "linux.namespaces", "%s: %s", j->path, e2.msg);
		if (r == 0)
			return fail(
			    c, "linux.namespaces",
			    "the namespace %s is not owned by the joined user namespace %s "
			    "(nor by one inside it): the container, in that user namespace, "
			    "could not enter it",
			    j->path, user->path);
	}
	return 0;
}

static int
parse_namespaces(struct ctx *c, json_t *linux_)
{
	static const char *const known[] = {"pid", "network", "mount",	"ipc",
					    "uts", "user",    "cgroup", "time"};
	bool bad, seen[MR_ARRAY_SIZE(known)] = {false};
	json_t *list = member(c, linux_, "linux", "namespaces", JSON_ARRAY, &bad), *e;
	size_t i;

	if (bad)
		return -1;
	json_array_foreach(list, i, e)
	{
		char p[64], q[96];
		const char *type, *path;
		size_t k;

		idx(p, sizeof(p), "linux.namespaces", i);
		if (!json_is_object(e))
			return fail(c, p, "expected an object, found %s", mr_json_type_name(e));
		if (get_string(c, e, p, "type", &type) < 0 ||
		    get_string(c, e, p, "path", &path) < 0)
			return -1;
		if (type == NULL)
			return fail(c, sub(q, sizeof(q), p, "type"), "missing (it is REQUIRED)");
		for (k = 0; k < MR_ARRAY_SIZE(known); k++)
			if (strcmp(type, known[k]) == 0)
				break;
		if (k == MR_ARRAY_SIZE(known))
			return fail(c, sub(q, sizeof(q), p, "type"), "unknown namespace \"%s\"",
				    type);
		/* The spec: a type given twice MUST be an error. */
		if (seen[k])
			return fail(c, p, "the %s namespace is given twice", type);
		seen[k] = true;
		if (path != NULL && *path != '\0' &&
		    join_namespace(c, type, path, sub(q, sizeof(q), p, "path")) < 0)
			return -1;
		if (strcmp(type, "time") == 0)
			return fail(c, p, "a time namespace is not supported yet");
		/* As root the container gets the config's maps (parse_id_map). */
		if (strcmp(type, "user") == 0 && !c->rootless)
			c->spec->userns = true;
	}
	if (check_join_owners(c) < 0)
		return -1;
	/* minirun always makes these: sharing the host's cannot be expressed. */
	static const char *const needed[] = {"mount", "pid", "ipc", "uts"};
	for (i = 0; i < MR_ARRAY_SIZE(needed); i++)
		for (size_t k = 0; k < MR_ARRAY_SIZE(known); k++)
			if (strcmp(known[k], needed[i]) == 0 && !seen[k])
				return fail(c, "linux.namespaces",
					    "no %s namespace: sharing the host's is not "
					    "supported (minirun always makes mount, pid, ipc "
					    "and uts namespaces)",
					    needed[i]);
	if (c->rootless && !seen[5])
		return fail(c, "linux.namespaces",
			    "no user namespace: without root, minirun needs one (add "
			    "{\"type\": \"user\"}, or run as root)");
	c->spec->network = !seen[1]				 ? MR_NETWORK_HOST
			   : mr_spec_joins(c->spec, MR_JOIN_NET) ? MR_NETWORK_JOINED
								 : MR_NETWORK_NONE;
	if (!seen[6])
		return warn(c, "linux.namespaces",
			    "no cgroup namespace listed: minirun makes one anyway, rooted at "
			    "the container's cgroup");
	return 0;
}

/* One entry of linux.uidMappings or gidMappings (as root), checked as the kernel will. */
static int
parse_id_range(struct ctx *c, json_t *e, const char *p, struct mr_id_map *out)
{
	static const char *const keys[] = {"containerID", "hostID", "size"};
	long long v[3] = {0, 0, 0};
	char q[96];
	bool has;

	if (!json_is_object(e))
		return fail(c, p, "expected an object, found %s", mr_json_type_name(e));
	for (size_t k = 0; k < MR_ARRAY_SIZE(keys); k++) {
		if (get_int(c, e, p, keys[k], 0, UINT32_MAX, &v[k], &has) < 0)
			return -1;
		if (!has)
			return fail(c, sub(q, sizeof(q), p, keys[k]), "missing (it is REQUIRED)");
	}
	if (v[2] == 0)
		return fail(c, sub(q, sizeof(q), p, "size"), "0: a range maps at least one id");
	/* The kernel refuses a range whose end does not fit in 32 bits. */
	if (v[0] + v[2] > UINT32_MAX || v[1] + v[2] > UINT32_MAX)
		return fail(c, p, "%s %lld + size %lld goes past the last id (%u)",
			    v[0] + v[2] > UINT32_MAX ? "containerID" : "hostID",
			    v[0] + v[2] > UINT32_MAX ? v[0] : v[1], v[2], UINT32_MAX - 1);
	*out = (struct mr_id_map){(uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2]};
	return 0;
}

static bool
ranges_overlap(uint32_t a, uint32_t n, uint32_t b, uint32_t m)
{
	return (uint64_t)a < (uint64_t)b + m && (uint64_t)b < (uint64_t)a + n;
}

/*
 * As root, with a user namespace: the maps minirun writes as they are, so
 * checked here as the kernel checks a uid_map write (user_namespaces(7)):
 * at most UID_GID_MAP_MAX_EXTENTS lines, in one write shorter than a
 * page, no two ranges overlapping inside or outside.  Like runc, a map
 * must map the container's root: minirun becomes it before the mounts.
 */
static int
parse_id_ranges(struct ctx *c, json_t *list, const char *p, struct mr_id_map **out, size_t *n_out)
{
	enum { MAX_EXTENTS = 340 };
	size_t n = json_array_size(list), i;
	char q[96];
	json_t *e;

	if (n > MAX_EXTENTS)
		return fail(c, p, "%zu ranges: the kernel takes at most %d", n, MAX_EXTENTS);
	struct mr_id_map *m = calloc(n, sizeof(*m));
	if (m == NULL)
		return mr_error_oom(c->err, c->source);
	*out = m;
	*n_out = n;
	json_array_foreach(list, i, e)
	{
		idx(q, sizeof(q), p, i);
		if (parse_id_range(c, e, q, &m[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			bool inside = ranges_overlap(m[i].container_id, m[i].size,
						     m[j].container_id, m[j].size);
			if (inside ||
			    ranges_overlap(m[i].host_id, m[i].size, m[j].host_id, m[j].size))
				return fail(c, q, "overlaps %s[%zu] (%s ids)", p, j,
					    inside ? "container" : "host");
		}
	}
	if (!mr_id_map_has(m, n, 0))
		return fail(c, p,
			    "no range maps containerID 0: the container's root must exist in its "
			    "user namespace");
	if (mr_ns_format_id_map(m, n, NULL, 0) >= (size_t)sysconf(_SC_PAGESIZE))
		return fail(c, p,
			    "the map is longer than the kernel takes in one write (%ld bytes)",
			    sysconf(_SC_PAGESIZE) - 1);
	return 0;
}

/*
 * Rootless: only the caller's own id mapped to 0, which is what minirun
 * writes.  As root: the ranges, with a user namespace only.
 */
static int
parse_id_map(struct ctx *c, json_t *linux_, const char *key, unsigned own)
{
	char p[64];
	bool bad;
	json_t *list = member(c, linux_, "linux", key, JSON_ARRAY, &bad), *e;
	bool uid = strcmp(key, "uidMappings") == 0;

	if (bad)
		return -1;
	snprintf(p, sizeof(p), "linux.%s", key);
	if (mr_spec_joins(c->spec, MR_JOIN_USER) && json_array_size(list) > 0)
		return fail(c, p,
			    "given with a user namespace path: the joined namespace %s has its "
			    "maps already",
			    c->spec->ns_join[MR_JOIN_USER].path);
	if (mr_spec_joins(c->spec, MR_JOIN_USER))
		return 0;
	if (!c->rootless && c->spec->userns && json_array_size(list) == 0)
		return fail(c, p,
			    "missing: the new user namespace needs its map (at least containerID "
			    "0)");
	if (list == NULL || json_array_size(list) == 0)
		return 0;
	if (!c->rootless && !c->spec->userns)
		return fail(c, p,
			    "given without a user namespace (add {\"type\": \"user\"} to "
			    "linux.namespaces)");
	if (!c->rootless)
		return parse_id_ranges(c, list, p, uid ? &c->spec->uid_map : &c->spec->gid_map,
				       uid ? &c->spec->n_uid_map : &c->spec->n_gid_map);
	e = json_array_get(list, 0);
	if (json_array_size(list) != 1 || !json_is_object(e) ||
	    json_integer_value(json_object_get(e, "containerID")) != 0 ||
	    json_integer_value(json_object_get(e, "hostID")) != (json_int_t)own ||
	    json_integer_value(json_object_get(e, "size")) != 1)
		return fail(c, p,
			    "only {\"containerID\": 0, \"hostID\": %u, \"size\": 1} is supported "
			    "(your own id as root; newuidmap ranges come later)",
			    own);
	return 0;
}

/* linux.sysctl: into the list --sysctl fills, checked in mr_prepare (sysctl.c). */
static int
parse_sysctl(struct ctx *c, json_t *linux_)
{
	bool bad;
	json_t *obj = member(c, linux_, "linux", "sysctl", JSON_OBJECT, &bad), *v;
	const char *key;

	if (bad)
		return -1;
	json_object_foreach(obj, key, v)
	{
		char p[300], kv[4096];
		snprintf(p, sizeof(p), "linux.sysctl.%s", key);
		if (!json_is_string(v))
			return fail(c, p, "expected a string");
		/* After linux.namespaces: a joined namespace is its maker's (sysctl.c). */
		enum mr_sysctl_ns ns = mr_sysctl_namespace(key);
		enum mr_ns_join_kind kind = ns == MR_SYSCTL_NET ? MR_JOIN_NET : MR_JOIN_IPC;
		if (ns != MR_SYSCTL_NOT_NAMESPACED && mr_spec_joins(c->spec, kind))
			return fail(c, p,
				    "the config joins the %s namespace %s, which is not the "
				    "container's own: set it in the container that made it",
				    ns == MR_SYSCTL_NET ? "network" : "IPC",
				    c->spec->ns_join[kind].path);
		if ((size_t)snprintf(kv, sizeof(kv), "%s=%s", key, json_string_value(v)) >=
		    sizeof(kv))
			return fail(c, p, "too long");
		if (mr_spec_push(&c->spec->sysctls, &c->spec->n_sysctls, kv, c->err) < 0)
			return -1;
	}
	return 0;
}

/*
 * linux.maskedPaths / readonlyPaths: a path minirun's own lists already
 * cover (mounts.c, applied whatever the config says: Docker's defaults) costs
 * nothing more; any other is kept for the container process, which masks it
 * or makes it read-only last (mounts.c).  Fewer paths than minirun's lists
 * is fine: minirun then hides a little more than asked, never less.
 */
static int
parse_paths(struct ctx *c, json_t *linux_, const char *key, bool readonly)
{
	char p[64], q[96], buf[PATH_MAX];
	json_t *list, *e;
	size_t i;

	if (get_strings(c, linux_, "linux", key, &list) < 0)
		return -1;
	snprintf(p, sizeof(p), "linux.%s", key);
	json_array_foreach(list, i, e)
	{
		const char *path = json_string_value(e);
		bool found = false;
		/* The spec's MUST: "the values MUST be absolute paths in the container". */
		if (path[0] != '/')
			return fail(c, idx(q, sizeof(q), p, i), "\"%s\": must be an absolute path",
				    path);
		if (strlen(path) >= PATH_MAX)
			return fail(c, idx(q, sizeof(q), p, i), "too long");
		if (strspn(path, "/") == strlen(path))
			return fail(c, idx(q, sizeof(q), p, i),
				    "\"%s\": the container's root itself cannot be %s", path,
				    readonly ? "made read-only here (root.readonly does)"
					     : "masked");
		for (size_t k = 0; !found && mr_mounts_default_path(readonly, k, buf, sizeof(buf));
		     k++)
			found = strcmp(buf, path) == 0;
		/* A path minirun masks is more than read-only (podman: /proc/asound). */
		for (size_t k = 0;
		     readonly && !found && mr_mounts_default_path(false, k, buf, sizeof(buf)); k++)
			found = strcmp(buf, path) == 0;
		if (!found &&
		    mr_spec_push(readonly ? &c->spec->readonly_paths : &c->spec->masked_paths,
				 readonly ? &c->spec->n_readonly_paths : &c->spec->n_masked_paths,
				 path, c->err) < 0)
			return -1;
	}
	return 0;
}

/* Append D (its strings taken) to the spec's devices. */
static int
push_device(struct ctx *c, struct mr_device *d, const char *p)
{
	struct mr_resources *r = &c->spec->resources;
	size_t rules = 0;
	for (size_t i = 0; i < r->n_devices; i++)
		rules += !r->devices[i].no_rule;
	if (r->n_devices == MR_MAX_DEVICE_ENTRIES || (!d->no_rule && rules == MR_MAX_DEVICES)) {
		free(d->host);
		free(d->path);
		return d->no_rule ? fail(c, p, "at most %d devices and device rules in all",
					 MR_MAX_DEVICE_ENTRIES)
				  : fail(c, p, "at most %d device cgroup rules", MR_MAX_DEVICES);
	}
	struct mr_device *n = realloc(r->devices, (r->n_devices + 1) * sizeof(*n));
	if (n == NULL) {
		free(d->host);
		free(d->path);
		return mr_error_oom(c->err, c->source);
	}
	r->devices = n;
	r->devices[r->n_devices++] = *d;
	return 0;
}

/*
 * linux.devices: nodes that MUST be in the container.  The spec allows any
 * path; minirun makes them in its own /dev (a fresh tmpfs, where no
 * component can be a symlink the image planted) and refuses the rest.  As
 * runc, no device cgroup rule comes with them: that is
 * linux.resources.devices' job, and an engine writes both.
 */
static int
parse_device(struct ctx *c, json_t *e, size_t i, bool bind_host)
{
	char p[64], q[96];
	const char *type, *path;
	long long maj = 0, min = 0, mode = 0666, uid = 0, gid = 0;
	bool has_maj, has_min, has_mode, has_uid, has_gid;

	idx(p, sizeof(p), "linux.devices", i);
	if (!json_is_object(e))
		return fail(c, p, "expected an object, found %s", mr_json_type_name(e));
	if (get_string(c, e, p, "type", &type) < 0 || get_string(c, e, p, "path", &path) < 0)
		return -1;
	if (type == NULL)
		return fail(c, sub(q, sizeof(q), p, "type"), "REQUIRED (c, b, u or p)");
	if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
		return fail(c, sub(q, sizeof(q), p, "type"), "\"%s\": expected c, b, u or p", type);
	if (path == NULL)
		return fail(c, sub(q, sizeof(q), p, "path"), "REQUIRED");
	if (strncmp(path, "/dev/", 5) != 0 || path[5] == '\0' || strstr(path, "/../") != NULL ||
	    strstr(path, "/./") != NULL || strstr(path, "//") != NULL ||
	    path[strlen(path) - 1] == '/' || strcmp(path + strlen(path) - 3, "/..") == 0 ||
	    strcmp(path + strlen(path) - 2, "/.") == 0)
		return fail(c, sub(q, sizeof(q), p, "path"),
			    "\"%s\": minirun makes device nodes only below /dev/ (a normalized "
			    "path)",
			    path);
	if (get_int(c, e, p, "major", 0, 0xfff, &maj, &has_maj) < 0 ||
	    get_int(c, e, p, "minor", 0, 0xfffff, &min, &has_min) < 0 ||
	    get_int(c, e, p, "fileMode", 0, S_IFMT | 07777, &mode, &has_mode) < 0 ||
	    get_int(c, e, p, "uid", 0, UINT32_MAX, &uid, &has_uid) < 0 ||
	    get_int(c, e, p, "gid", 0, UINT32_MAX, &gid, &has_gid) < 0)
		return -1;
	if (type[0] != 'p' && !has_maj)
		return fail(c, sub(q, sizeof(q), p, "major"), "REQUIRED for type %s", type);
	if (type[0] != 'p' && !has_min)
		return fail(c, sub(q, sizeof(q), p, "minor"), "REQUIRED for type %s", type);
	/*
	 * podman --privileged lists every host node, /dev/ptmx (c 5:2) too.
	 * runc replaces that node with the pts/ptmx symlink, and so does
	 * minirun: the multiplexer of the container's own devpts instance, not
	 * the host's.  Any other node there is refused below.
	 */
	if (strcmp(path, "/dev/ptmx") == 0 && type[0] == 'c' && maj == 5 && min == 2)
		return 0;
	/* minirun's own entries: fd -> /proc/self/fd would lead out of /dev before
	   pivot_root (to this process's descriptors), pts, shm, mqueue are mounts. */
	static const char *const own[] = {"fd",	  "stdin", "stdout", "stderr", "core",
					  "ptmx", "pts",   "shm",    "mqueue"};
	size_t first = strcspn(path + 5, "/");
	for (size_t k = 0; k < MR_ARRAY_SIZE(own); k++)
		if (strlen(own[k]) == first && strncmp(path + 5, own[k], first) == 0)
			return fail(c, sub(q, sizeof(q), p, "path"),
				    "\"%s\": /dev/%s is minirun's own (a symlink or a mount), "
				    "refusing a device node there",
				    path, own[k]);
	char t = type[0] == 'u' ? 'c' : type[0];
	mode_t ifmt = t == 'c' ? S_IFCHR : t == 'b' ? S_IFBLK : S_IFIFO;
	/*
	 * podman and CRI-O write the host node's whole st_mode (8592 is
	 * S_IFCHR|0620); runc and crun keep its permission bits.  A file type
	 * other than the "type" field's is a contradiction, not a mode.
	 */
	if (((mode_t)mode & S_IFMT) != 0 && ((mode_t)mode & S_IFMT) != ifmt)
		return fail(c, sub(q, sizeof(q), p, "fileMode"),
			    "0%llo: its file type bits are not a type %s device's", mode, type);
	mode &= 07777;
	struct mr_device d = {
	    .type = t,
	    .major = (unsigned)maj,
	    .minor = (unsigned)min,
	    .mode = (unsigned)mode | ifmt,
	    .perms = "rwm",
	    .no_rule = true,
	    /* In a user namespace the host's node is bound as it is: its owner stays. */
	    .owner_set = !bind_host && (has_uid || has_gid),
	    .uid = (unsigned)uid,
	    .gid = (unsigned)gid,
	    .host = strdup(path),
	    .path = strdup(path),
	};
	if (d.host == NULL || d.path == NULL) {
		free(d.host);
		free(d.path);
		return mr_error_oom(c->err, c->source);
	}
	return push_device(c, &d, p);
}

static int
parse_devices(struct ctx *c, json_t *linux_, bool bind_host)
{
	bool bad;
	json_t *list = member(c, linux_, "linux", "devices", JSON_ARRAY, &bad), *e;
	size_t i;

	if (bad)
		return -1;
	json_array_foreach(list, i, e)
	{
		if (parse_device(c, e, i, bind_host) < 0)
			return -1;
		/* The spec: "a duplicate path is an error" (one node per path). */
		const char *path = json_string_value(json_object_get(e, "path"));
		for (size_t j = 0; j < i; j++)
			if (strcmp(
				json_string_value(json_object_get(json_array_get(list, j), "path")),
				path) == 0) {
				char p[64], q[96];
				idx(p, sizeof(p), "linux.devices", i);
				return fail(c, sub(q, sizeof(q), p, "path"),
					    "\"%s\" is also linux.devices[%zu]'s", path, j);
			}
	}
	return 0;
}

/* One linux.resources.devices entry as a rule-only device, allow or deny. */
static int
device_rule(struct ctx *c, json_t *e, size_t i)
{
	char p[64], q[96];
	const char *type, *access;
	long long maj = -1, min = -1;
	bool allow = false, has_allow = json_object_get(e, "allow") != NULL, present;

	idx(p, sizeof(p), "linux.resources.devices", i);
	if (!json_is_object(e))
		return fail(c, p, "expected an object, found %s", mr_json_type_name(e));
	if (get_bool(c, e, p, "allow", &allow) < 0 || get_string(c, e, p, "type", &type) < 0 ||
	    get_string(c, e, p, "access", &access) < 0 ||
	    get_int(c, e, p, "major", -1, 0xfff, &maj, &present) < 0 ||
	    get_int(c, e, p, "minor", -1, 0xfffff, &min, &present) < 0)
		return -1;
	if (!has_allow)
		return fail(c, sub(q, sizeof(q), p, "allow"), "REQUIRED");
	if (type != NULL && (strlen(type) != 1 || strchr("abc", type[0]) == NULL))
		return fail(c, sub(q, sizeof(q), p, "type"), "\"%s\": expected a, b or c", type);
	/* Absent: every access, as runc and crun write it. */
	if (access == NULL || *access == '\0')
		access = "rwm";
	if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
		return fail(c, sub(q, sizeof(q), p, "access"),
			    "\"%s\": expected r, w and m (each at most once)", access);
	for (const char *a = access; *a; a++)
		if (strchr(a + 1, *a) != NULL)
			return fail(c, sub(q, sizeof(q), p, "access"),
				    "\"%s\": expected r, w and m (each at most once)", access);
	/*
	 * Type a (or none) is every device, whatever the numbers and access:
	 * the v1 controller reads "a" alone and resets its whole list.
	 */
	bool all = type == NULL || type[0] == 'a';
	struct mr_device d = {
	    .type = all ? 'a' : type[0],
	    .major = all || maj < 0 ? MR_DEVICE_ANY : (unsigned)maj,
	    .minor = all || min < 0 ? MR_DEVICE_ANY : (unsigned)min,
	    .no_node = true,
	    .deny = !allow,
	};
	memcpy(d.perms, all ? "rwm" : access, strlen(all ? "rwm" : access) + 1);
	return push_device(c, &d, p);
}

/*
 * linux.resources.devices: the spec's allowlist, which "MUST" be applied in
 * the listed order.  The entries replace minirun's own policy (Docker's
 * default list) for an OCI container: minirun starts from "deny all" (a
 * list that does not begin with it still opens nothing more), applies
 * each entry in order, later ones winning, then allows what runc and crun
 * add to every container (null, zero, full, random, urandom, tty, console,
 * ptmx, pts, tun, mknod of any node: devices.c), so that a config with
 * only "deny all" still has a usable /dev.  Rootless there is no device
 * cgroup at all.
 */
static int
parse_device_rules(struct ctx *c, json_t *res)
{
	bool bad;
	json_t *dev = member(c, res, "linux.resources", "devices", JSON_ARRAY, &bad), *e;
	size_t i;

	if (bad)
		return -1;
	if (c->rootless)
		return json_array_size(dev) == 0
			   ? 0
			   : warn(c, "linux.resources.devices",
				  "rootless minirun has no device cgroup: not applied");
	json_array_foreach(dev, i, e)
	{
		if (device_rule(c, e, i) < 0)
			return -1;
	}
	c->spec->resources.ordered_rules = true;
	return 0;
}

/* Refuse any member of O (at PATH) not in KNOWN. */
static int
refuse_unknown(struct ctx *c, json_t *o, const char *path, const char *const *known, size_t n)
{
	const char *key;
	json_t *val;

	json_object_foreach(o, key, val)
	{
		bool k = false;
		for (size_t i = 0; i < n; i++)
			k = k || strcmp(key, known[i]) == 0;
		if (!k && refuse_if_set(c, o, path, key, "not supported by minirun yet") < 0)
			return -1;
	}
	return 0;
}

static int
parse_memory(struct ctx *c, json_t *o, const char **cg_flag)
{
	static const char *const known[] = {"limit",  "swap",	   "reservation",     "swappiness",
					    "kernel", "kernelTCP", "disableOOMKiller"};
	static const char *const p = "linux.resources.memory";
	struct mr_resources *r = &c->spec->resources;
	long long v;
	bool present;

	if (refuse_unknown(c, o, p, known, MR_ARRAY_SIZE(known)) < 0)
		return -1;
	if (get_int(c, o, p, "limit", -1, INT64_MAX, &v, &present) < 0)
		return -1;
	if (present && v > 0) {
		if (v < MR_MIN_MEMORY)
			return fail(c, "linux.resources.memory.limit",
				    "%lld: at least 6 MiB (6291456) is needed", v);
		r->memory = v;
	}
	if (get_int(c, o, p, "swap", -1, INT64_MAX, &v, &present) < 0)
		return -1;
	if (present && v != 0)
		r->memory_swap = v;
	if (get_int(c, o, p, "reservation", -1, INT64_MAX, &v, &present) < 0)
		return -1;
	if (present && v > 0)
		r->memory_reservation = v;
	/* The kernel's range (mem_cgroup_swappiness_write). */
	if (get_int(c, o, p, "swappiness", 0, 100, &v, &r->swappiness_set) < 0)
		return -1;
	r->memory_swappiness = r->swappiness_set ? v : 0;
	if (get_int(c, o, p, "kernelTCP", -1, INT64_MAX, &v, &present) < 0)
		return -1;
	if (present && v > 0)
		r->kernel_tcp = v;
	if (get_bool(c, o, p, "disableOOMKiller", &r->disable_oom_killer) < 0)
		return -1;
	/*
	 * Kernel memory has no limit of its own since Linux 5.16 (v1's
	 * memory.kmem.limit_in_bytes takes any write and keeps "max"); runc
	 * ignores the field as well.  Not applied, with a warning.
	 */
	if (warn_if_set(c, o, p, "kernel",
			"ignored: the kernel has no kernel memory limit any more (Linux 5.16)") < 0)
		return -1;
	r->memory_section = !c->rootless;
	if (r->memory || r->memory_swap || r->memory_reservation || r->swappiness_set ||
	    r->kernel_tcp || r->disable_oom_killer)
		*cg_flag = p;
	return 0;
}

static int
parse_cpu(struct ctx *c, json_t *o, const char **cg_flag)
{
	static const char *const known[] = {"shares", "quota",		 "period",	   "cpus",
					    "mems",   "realtimeRuntime", "realtimePeriod", "idle"};
	static const char *const p = "linux.resources.cpu";
	struct mr_resources *r = &c->spec->resources;
	long long v, quota = 0, period = 0;
	bool present, has_quota, has_period;
	const char *cpus, *mems;

	if (refuse_unknown(c, o, p, known, MR_ARRAY_SIZE(known)) < 0)
		return -1;
	if (get_int(c, o, p, "shares", 0, 262144, &v, &present) < 0)
		return -1;
	if (present && v > 0) {
		if (v < 2)
			return fail(c, "linux.resources.cpu.shares",
				    "%lld: the range is 2 to 262144", v);
		r->cpu_shares = (uint64_t)v;
	}
	/* The kernel's ranges: a period of 1 ms to 1 s, a quota of at least 1 ms. */
	if (get_int(c, o, p, "quota", -1, INT64_MAX / 1000, &quota, &has_quota) < 0 ||
	    get_int(c, o, p, "period", 1000, 1000000, &period, &has_period) < 0)
		return -1;
	if (has_quota && quota > 0 && quota < 1000)
		return fail(c, "linux.resources.cpu.quota", "%lld: at least 1000 (1 ms)", quota);
	r->cpu_quota = has_quota ? quota : 0;
	r->cpu_period = has_period ? (uint64_t)period : 0;
	if (get_int(c, o, p, "realtimePeriod", 0, INT64_MAX, &v, &present) < 0)
		return -1;
	r->cpu_rt_period = present ? (uint64_t)v : 0;
	if (get_int(c, o, p, "realtimeRuntime", -1, INT64_MAX, &v, &present) < 0)
		return -1;
	r->cpu_rt_runtime = present ? v : 0;
	if (get_int(c, o, p, "idle", 0, 1, &v, &r->cpu_idle_set) < 0)
		return -1;
	r->cpu_idle = r->cpu_idle_set ? v : 0;
	if (get_string(c, o, p, "cpus", &cpus) < 0 || get_string(c, o, p, "mems", &mems) < 0)
		return -1;
	struct mr_error e2 = {0};
	if (cpus != NULL && *cpus != '\0') {
		if (mr_parse_cpuset("cpus", cpus, &e2) < 0)
			return fail(c, "linux.resources.cpu.cpus", "%s", e2.msg);
		if ((r->cpuset_cpus = strdup(cpus)) == NULL)
			return mr_error_oom(c->err, c->source);
	}
	if (mems != NULL && *mems != '\0') {
		if (mr_parse_cpuset("mems", mems, &e2) < 0)
			return fail(c, "linux.resources.cpu.mems", "%s", e2.msg);
		if ((r->cpuset_mems = strdup(mems)) == NULL)
			return mr_error_oom(c->err, c->source);
	}
	r->cpu_section = !c->rootless;
	if (r->cpu_shares || r->cpu_quota || r->cpu_period || r->cpu_rt_period ||
	    r->cpu_rt_runtime || r->cpu_idle_set || r->cpuset_cpus || r->cpuset_mems)
		*cg_flag = p;
	return 0;
}

static int
parse_resources(struct ctx *c, json_t *linux_, const char **cg_flag)
{
	static const char *const known[] = {"devices", "memory", "pids", "cpu"};
	struct mr_resources *r = &c->spec->resources;
	bool bad, present;
	long long v;
	json_t *res = member(c, linux_, "linux", "resources", JSON_OBJECT, &bad), *o;

	if (bad || refuse_unknown(c, res, "linux.resources", known, MR_ARRAY_SIZE(known)) < 0)
		return -1;
	if (parse_device_rules(c, res) < 0)
		return -1;
	if ((o = member(c, res, "linux.resources", "memory", JSON_OBJECT, &bad)) != NULL &&
	    parse_memory(c, o, cg_flag) < 0)
		return -1;
	if (bad)
		return -1;
	if ((o = member(c, res, "linux.resources", "pids", JSON_OBJECT, &bad)) != NULL) {
		if (get_int(c, o, "linux.resources.pids", "limit", INT64_MIN, INT64_MAX, &v,
			    &present) < 0)
			return -1;
		if (present) {
			r->pids_set = true;
			r->pids_limit = v;
			*cg_flag = "linux.resources.pids";
		}
	}
	if (bad)
		return -1;
	if ((o = member(c, res, "linux.resources", "cpu", JSON_OBJECT, &bad)) != NULL &&
	    parse_cpu(c, o, cg_flag) < 0)
		return -1;
	return bad ? -1 : 0;
}

static int
parse_cgroups_path(struct ctx *c, json_t *linux_, const char *cg_flag)
{
	const char *path;

	if (get_string(c, linux_, "linux", "cgroupsPath", &path) < 0)
		return -1;
	if (c->rootless && cg_flag != NULL)
		return fail(c, cg_flag, "needs a cgroup, and none can be created without root");
	if (path == NULL || *path == '\0')
		return 0;
	if (c->rootless)
		return warn(c, "linux.cgroupsPath",
			    "ignored: without root minirun creates no cgroup");
	if (strchr(path, ':') != NULL)
		return fail(c, "linux.cgroupsPath",
			    "\"%s\": systemd's slice:prefix:name form is not supported "
			    "(--systemd-cgroup)",
			    path);
	/*
	 * The spec: the container's cgroup is that path itself, below each
	 * hierarchy's root (the runtime-tools suite reads it there, engines
	 * give "/libpod_parent/libpod-ID", "/default/ID", "/kubepods/.../ID").
	 * minirun makes it and refuses one that exists: it never changes a
	 * cgroup it did not create.  A relative path is taken from the root too.
	 */
	while (*path == '/')
		path++;
	size_t len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	const char *slash = memrchr(path, '/', len);
	const char *leaf = slash ? slash + 1 : path;
	size_t leaf_len = len - (size_t)(leaf - path);
	if (leaf_len == 0 || (leaf_len == 1 && leaf[0] == '.') ||
	    (leaf_len == 2 && leaf[0] == '.' && leaf[1] == '.'))
		return fail(c, "linux.cgroupsPath", "\"%s\": names no cgroup", path);
	/* Above the hierarchy's root, into someone else's cgroup (mr_cgroup_check too). */
	for (const char *s = path; s < path + len; s++)
		if (s[0] == '.' && s[1] == '.' && (s == path || s[-1] == '/') && s[2] == '/')
			return fail(c, "linux.cgroupsPath", "\"%s\": '..' is not allowed", path);
	free(c->spec->resources.cgroup_parent);
	free(c->spec->resources.cgroup_name);
	c->spec->resources.cgroup_parent =
	    slash ? strndup(path, (size_t)(slash - path)) : strdup("");
	c->spec->resources.cgroup_name = strndup(leaf, leaf_len);
	if (c->spec->resources.cgroup_parent == NULL || c->spec->resources.cgroup_name == NULL)
		return mr_error_oom(c->err, c->source);
	/* Each parent minirun makes is recorded for delete to remove: a bounded number. */
	size_t depth = mr_resources_cgroup_depth(c->spec->resources.cgroup_parent);
	if (depth > MR_CGROUP_MAX_PARENT_DEPTH)
		return fail(c, "linux.cgroupsPath",
			    "\"%.*s\": %zu levels above the container's cgroup, at most %d",
			    (int)len, path, depth, MR_CGROUP_MAX_PARENT_DEPTH);
	return 0;
}

/* linux.personality: the spec's two domains, and none of its (undefined) flags. */
static int
parse_personality(struct ctx *c, json_t *linux_)
{
	bool bad;
	const char *domain;
	json_t *pers = member(c, linux_, "linux", "personality", JSON_OBJECT, &bad), *flags;

	if (bad)
		return -1;
	if (pers == NULL)
		return 0;
	if (get_string(c, pers, "linux.personality", "domain", &domain) < 0 ||
	    get_strings(c, pers, "linux.personality", "flags", &flags) < 0)
		return -1;
	if (domain == NULL)
		return fail(c, "linux.personality.domain", "missing (it is REQUIRED)");
	if (strcmp(domain, "LINUX") == 0)
		c->spec->personality = PER_LINUX;
	else if (strcmp(domain, "LINUX32") == 0)
		c->spec->personality = PER_LINUX32;
	else
		return fail(c, "linux.personality.domain",
			    "\"%s\": unknown execution domain (LINUX or LINUX32)", domain);
	/* runc ignores them with a warning; a flag that is dropped is a promise broken. */
	if (json_array_size(flags) > 0)
		return fail(c, "linux.personality.flags[0]",
			    "\"%s\": unknown flag (the runtime-spec defines none)",
			    json_string_value(json_array_get(flags, 0)));
	c->spec->personality_set = true;
	return 0;
}

/* linux.rootfsPropagation: runc's names, the r- forms recursive (mounts.c applies it). */
static int
parse_rootfs_propagation(struct ctx *c, const char *prop)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} modes[] = {
	    {"shared", MS_SHARED},
	    {"slave", MS_SLAVE},
	    {"private", MS_PRIVATE},
	    {"unbindable", MS_UNBINDABLE},
	    {"rshared", MS_SHARED | MS_REC},
	    {"rslave", MS_SLAVE | MS_REC},
	    {"rprivate", MS_PRIVATE | MS_REC},
	    {"runbindable", MS_UNBINDABLE | MS_REC},
	};

	if (prop == NULL || *prop == '\0')
		return 0;
	for (size_t i = 0; i < MR_ARRAY_SIZE(modes); i++)
		if (strcmp(prop, modes[i].name) == 0) {
			c->spec->rootfs_propagation = modes[i].flags;
			return 0;
		}
	return fail(c, "linux.rootfsPropagation",
		    "\"%s\": expected shared, slave, private or unbindable (or rshared, rslave, "
		    "rprivate, runbindable)",
		    prop);
}

static int
parse_linux(struct ctx *c, json_t *root)
{
	bool bad;
	json_t *linux_ = member(c, root, "", "linux", JSON_OBJECT, &bad);
	const char *cg_flag = NULL, *prop;

	if (bad)
		return -1;
	if (linux_ == NULL)
		return fail(c, "linux", "missing (minirun runs Linux containers, with namespaces)");
	if (parse_namespaces(c, linux_) < 0 ||
	    parse_id_map(c, linux_, "uidMappings", (unsigned)geteuid()) < 0 ||
	    parse_id_map(c, linux_, "gidMappings", (unsigned)getegid()) < 0)
		return -1;
	/* In a user namespace devices are the host's nodes, bound (mknod is refused). */
	if (parse_sysctl(c, linux_) < 0 ||
	    parse_devices(c, linux_, c->rootless || c->spec->userns) < 0)
		return -1;
	if (parse_personality(c, linux_) < 0)
		return -1;
	static const char *const later[] = {"intelRdt", "timeOffsets", "memoryPolicy",
					    "netDevices"};
	for (size_t i = 0; i < MR_ARRAY_SIZE(later); i++)
		if (refuse_if_set(c, linux_, "linux", later[i], "not supported by minirun yet") < 0)
			return -1;
	if (parse_resources(c, linux_, &cg_flag) < 0 || parse_cgroups_path(c, linux_, cg_flag) < 0)
		return -1;

	json_t *sc = member(c, linux_, "linux", "seccomp", JSON_OBJECT, &bad);
	if (bad)
		return -1;
	/*
	 * The seccomp layer reads a whole config.json and takes its
	 * linux.seccomp (lib/seccomp/profile.c), positions included: hand it
	 * the file.  No linux.seccomp object means no filter at all.
	 */
	free(c->spec->seccomp);
	c->spec->seccomp = strdup(sc != NULL ? c->source : "unconfined");
	if (c->spec->seccomp == NULL)
		return mr_error_oom(c->err, c->source);
	/* The text read once, not the file again: it may have changed since. */
	free(c->spec->seccomp_text);
	c->spec->seccomp_text = NULL;
	if (sc != NULL && (c->spec->seccomp_text = malloc(c->len + 1)) == NULL)
		return mr_error_oom(c->err, c->source);
	if (sc != NULL) {
		memcpy(c->spec->seccomp_text, c->text, c->len);
		c->spec->seccomp_text[c->len] = '\0';
		c->spec->seccomp_text_len = c->len;
	}

	if (parse_paths(c, linux_, "maskedPaths", false) < 0 ||
	    parse_paths(c, linux_, "readonlyPaths", true) < 0)
		return -1;
	if (warn_if_set(c, linux_, "linux", "mountLabel",
			"ignored: minirun has no SELinux support") < 0)
		return -1;
	if (get_string(c, linux_, "linux", "rootfsPropagation", &prop) < 0)
		return -1;
	return parse_rootfs_propagation(c, prop);
}

/* --- the whole config ---------------------------------------------------------- */

static int
parse_domainname(struct ctx *c, json_t *root)
{
	const char *s;

	if (get_string(c, root, "", "domainname", &s) < 0)
		return -1;
	if (s == NULL || *s == '\0')
		return 0;
	/* The kernel's limit (__NEW_UTS_LEN); setdomainname would say EINVAL. */
	if (strlen(s) > 64)
		return fail(c, "domainname", "longer than 64 characters");
	if ((c->spec->domainname = strdup(s)) == NULL)
		return mr_error_oom(c->err, c->source);
	return 0;
}

static int
parse_annotations(struct ctx *c, json_t *root)
{
	bool bad;
	json_t *a = member(c, root, "", "annotations", JSON_OBJECT, &bad), *v;
	const char *key;

	if (bad)
		return -1;
	if (a == NULL)
		return 0;
	c->cfg->annotations = calloc(2 * json_object_size(a) + 1, sizeof(char *));
	if (c->cfg->annotations == NULL)
		return mr_error_oom(c->err, c->source);
	json_object_foreach(a, key, v)
	{
		char p[300];
		if (!json_is_string(v))
			return fail(c, sub(p, sizeof(p), "annotations", key),
				    "expected a string, found %s", mr_json_type_name(v));
		size_t n = c->cfg->n_annotations++;
		c->cfg->annotations[2 * n] = strdup(key);
		c->cfg->annotations[2 * n + 1] = strdup(json_string_value(v));
		if (!c->cfg->annotations[2 * n] || !c->cfg->annotations[2 * n + 1])
			return mr_error_oom(c->err, c->source);
	}
	return 0;
}

int
mr_oci_config_parse(const char *text, size_t len, const char *source, const char *bundle,
		    bool rootless, struct mr_spec *spec, struct mr_oci_config *cfg,
		    struct mr_error *err)
{
	json_error_t jerr;
	struct ctx c = {source, text, len, bundle, rootless, spec, cfg, err, {0}};

	memset(cfg, 0, sizeof(*cfg));
	if ((cfg->bundle = strdup(bundle)) == NULL || (cfg->text = malloc(len + 1)) == NULL)
		return mr_error_oom(err, source);
	memcpy(cfg->text, text, len);
	cfg->text[len] = '\0';
	cfg->text_len = len;
	json_auto_t *root = mr_json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr, &c.big);
	if (root == NULL)
		return mr_error_set(err, 0, "%s:%d:%d: %s", source, jerr.line, jerr.column,
				    jerr.text);
	if (!json_is_object(root))
		return fail(&c, "(top level)", "expected an object, found %s",
			    mr_json_type_name(root));
	static const char *const others[] = {"windows", "solaris", "vm", "zos"};
	for (size_t i = 0; i < MR_ARRAY_SIZE(others); i++)
		if (json_object_get(root, others[i]) != NULL)
			return fail(&c, others[i],
				    "a config for another platform (minirun runs Linux)");
	if (parse_version(&c, root) < 0 || parse_root(&c, root) < 0 || parse_process(&c, root) < 0)
		return -1;
	const char *s;
	if (get_string(&c, root, "", "hostname", &s) < 0)
		return -1;
	if (s != NULL && *s != '\0' && (spec->hostname = strdup(s)) == NULL)
		return mr_error_oom(err, source);
	if (parse_domainname(&c, root) < 0 || parse_mounts(&c, root) < 0 ||
	    mr_hooks_parse(json_object_get(root, "hooks"), source, &cfg->hooks, err) < 0 ||
	    parse_annotations(&c, root) < 0 || parse_linux(&c, root) < 0)
		return -1;
	if (mr_spec_validate(spec, err) < 0) {
		mr_error_wrap(err, "%s", source);
		return -1;
	}
	return 0;
}

int
mr_oci_config_load(const char *bundle, bool rootless, struct mr_spec *spec,
		   struct mr_oci_config *cfg, struct mr_error *err)
{
	char abs[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;

	memset(cfg, 0, sizeof(*cfg));
	if (realpath(bundle, abs) == NULL)
		return mr_error_set(err, errno, "bundle %s", bundle);
	snprintf(path, sizeof(path), "%s/config.json", abs);
	cleanup_close int fd = mr_open_regular_read(AT_FDCWD, path, 0, &st);
	if (fd == MR_NOT_REGULAR)
		return mr_error_set(err, 0, "%s: not a regular file", path);
	if (fd < 0)
		return mr_error_set(err, errno, "%s", path);
	if (st.st_size > CONFIG_MAX)
		return mr_error_set(err, 0, "%s: larger than %d bytes", path, CONFIG_MAX);
	cleanup_free char *text = malloc((size_t)st.st_size + 1);
	if (text == NULL)
		return mr_error_oom(err, path);
	size_t len = 0;
	for (ssize_t n; len < (size_t)st.st_size; len += (size_t)n) {
		n = read(fd, text + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			return mr_error_set(err, errno, "read %s", path);
		if (n == 0)
			break;
	}
	return mr_oci_config_parse(text, len, path, abs, rootless, spec, cfg, err);
}

void
mr_oci_config_clear(struct mr_oci_config *cfg)
{
	free(cfg->bundle);
	free(cfg->oci_version);
	for (size_t i = 0; i < 2 * cfg->n_annotations; i++)
		free(cfg->annotations[i]);
	free(cfg->annotations);
	mr_strv_clear(&cfg->warnings);
	mr_hooks_clear(&cfg->hooks);
	free(cfg->text);
	memset(cfg, 0, sizeof(*cfg));
}

/* --- `minirun spec` -------------------------------------------------------------- */

json_t *
mr_json_strings(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *
mount(const char *dest, const char *type, const char *src, const char *const *opts, size_t n)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", src,
			 "options", mr_json_strings(opts, n));
}

static json_t *
id_map(unsigned id)
{
	return json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", (json_int_t)id, "size",
			 1);
}

char *
mr_oci_config_template(bool rootless, unsigned uid, unsigned gid)
{
	/* runc spec's: the three capabilities a shell needs, also ambient. */
	static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
	static const char *const env[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
	static const char *const dev_o[] = {"nosuid", "strictatime", "mode=755", "size=65536k"};
	static const char *const pts_o[] = {"nosuid",	     "noexec",	  "newinstance",
					    "ptmxmode=0666", "mode=0620", "gid=5"};
	static const char *const shm_o[] = {"nosuid", "noexec", "nodev", "mode=1777",
					    "size=65536k"};
	static const char *const nne_o[] = {"nosuid", "noexec", "nodev"};
	static const char *const sys_o[] = {"nosuid", "noexec", "nodev", "ro"};
	static const char *const sysr_o[] = {"rbind", "nosuid", "noexec", "nodev", "ro"};
	static const char *const cg_o[] = {"nosuid", "noexec", "nodev", "relatime", "ro"};
	char buf[PATH_MAX];

	json_t *mounts = json_array(), *masked = json_array(), *ro = json_array();
	json_t *ns = json_array();
	json_array_append_new(mounts, mount("/proc", "proc", "proc", NULL, 0));
	json_array_append_new(mounts, mount("/dev", "tmpfs", "tmpfs", dev_o, 4));
	/* Rootless: no gid 5 in a user namespace that maps one id. */
	json_array_append_new(mounts,
			      mount("/dev/pts", "devpts", "devpts", pts_o, rootless ? 5 : 6));
	json_array_append_new(mounts, mount("/dev/shm", "tmpfs", "shm", shm_o, 5));
	json_array_append_new(mounts, mount("/dev/mqueue", "mqueue", "mqueue", nne_o, 3));
	json_array_append_new(mounts, rootless ? mount("/sys", "none", "/sys", sysr_o, 5)
					       : mount("/sys", "sysfs", "sysfs", sys_o, 4));
	json_array_append_new(mounts, mount("/sys/fs/cgroup", "cgroup", "cgroup", cg_o, 5));
	for (size_t i = 0; mr_mounts_default_path(false, i, buf, sizeof(buf)); i++)
		json_array_append_new(masked, json_string(buf));
	for (size_t i = 0; mr_mounts_default_path(true, i, buf, sizeof(buf)); i++)
		json_array_append_new(ro, json_string(buf));
	static const char *const types[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
	for (size_t i = 0; i < MR_ARRAY_SIZE(types); i++)
		if (!(rootless && strcmp(types[i], "network") == 0))
			json_array_append_new(ns, json_pack("{s:s}", "type", types[i]));
	if (rootless)
		json_array_append_new(ns, json_pack("{s:s}", "type", "user"));

	json_t *linux_ = json_pack("{s:o, s:o, s:o}", "namespaces", ns, "maskedPaths", masked,
				   "readonlyPaths", ro);
	if (linux_ != NULL && rootless) {
		json_object_set_new(linux_, "uidMappings", id_map(uid));
		json_object_set_new(linux_, "gidMappings", id_map(gid));
	} else if (linux_ != NULL) {
		json_object_set_new(
		    linux_, "resources",
		    json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
	}
	json_t *process = json_pack(
	    "{s:b, s:{s:i, s:i}, s:[s], s:o, s:s, s:{s:o, s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], "
	    "s:b}",
	    "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env", mr_json_strings(env, 2),
	    "cwd", "/", "capabilities", "bounding", mr_json_strings(caps, 3), "effective",
	    mr_json_strings(caps, 3), "permitted", mr_json_strings(caps, 3), "ambient",
	    mr_json_strings(caps, 3), "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft",
	    1024, "noNewPrivileges", 1);
	json_t *root =
	    json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", MR_OCI_VERSION,
		      "process", process, "root", "path", "rootfs", "readonly", 1, "hostname",
		      "minirun", "mounts", mounts, "linux", linux_);
	if (root == NULL)
		return NULL;
	char *text = mr_json_text(root, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}

char *
mr_json_text(const json_t *root, size_t flags)
{
	char *text = json_dumps(root, flags);
	if (text == NULL)
		return NULL;
	size_t n = strlen(text);
	char *out = realloc(text, n + 2);
	if (out == NULL) {
		free(text);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}
