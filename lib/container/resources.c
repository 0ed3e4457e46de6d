/* SPDX-License-Identifier: MIT */
/* Docker's resource flags: text -> values, every mistake named before anything starts. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/capability.h>

#include "container/resources.h"
#include "common/caps.h"
#include "common/util.h"

int
mr_parse_memory(const char *flag, const char *s, int64_t *out, struct mr_error *err)
{
	const char *p = s;
	uint64_t whole = 0, frac = 0, frac_div = 1;
	bool digits = false;

	/* go-units RAMInBytes: digits, an optional fraction, a space, a unit. */
	while (isdigit((unsigned char)*p)) {
		if (whole > (UINT64_MAX - 9) / 10)
			goto bad;
		whole = whole * 10 + (uint64_t)(*p++ - '0');
		digits = true;
	}
	if (*p == '.' && digits) {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p)) {
			if (frac_div < 1000000000ULL) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				frac_div *= 10;
			}
			p++;
		}
	}
	if (!digits)
		goto bad;
	if (*p == ' ')
		p++;
	unsigned shift = 0;
	switch (tolower((unsigned char)*p)) {
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	case 't':
		shift = 40;
		break;
	case 'p':
		shift = 50;
		break;
	default:
		break;
	}
	if (shift)
		p++;
	if (shift && tolower((unsigned char)*p) == 'i')
		p++;
	if (tolower((unsigned char)*p) == 'b')
		p++;
	if (*p != '\0')
		goto bad;
	if (shift && whole > ((uint64_t)INT64_MAX >> shift))
		goto big;
	uint64_t v = whole << shift;
	/* The fraction of a unit, truncated to whole bytes as Docker does. */
	v += (uint64_t)(((unsigned __int128)frac << shift) / frac_div);
	if (v > (uint64_t)INT64_MAX)
		goto big;
	*out = (int64_t)v;
	return 0;
bad:
	return mr_error_set(err, 0,
			    "%s %s: invalid size (expected a number of bytes with an optional "
			    "unit b, k, m, g, t or p, e.g. 64m)",
			    flag, s);
big:
	return mr_error_set(err, 0, "%s %s: too large", flag, s);
}

int
mr_parse_memory_limit(const char *s, int64_t *out, struct mr_error *err)
{
	if (mr_parse_memory("--memory", s, out, err) < 0)
		return -1;
	/* Docker's floor: below it the container cannot even start its runtime. */
	if (*out < MR_MIN_MEMORY)
		return mr_error_set(err, 0, "--memory %s: the minimum memory limit is 6 MiB (6m)",
				    s);
	return 0;
}

int
mr_parse_memory_swap(const char *s, int64_t *out, struct mr_error *err)
{
	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	if (mr_parse_memory("--memory-swap", s, out, err) < 0)
		return -1;
	if (*out == 0)
		return mr_error_set(err, 0, "--memory-swap %s: expected a size or -1 (unlimited)",
				    s);
	return 0;
}

static int
parse_int64(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (s[0] == '\0' || isspace((unsigned char)s[0]) || *end != '\0' || errno != 0)
		return -1;
	*out = v;
	return 0;
}

int
mr_parse_pids_limit(const char *s, int64_t *out, struct mr_error *err)
{
	if (parse_int64(s, out) < 0)
		return mr_error_set(
		    err, 0, "--pids-limit %s: expected a whole number (-1 or 0: unlimited)", s);
	if (*out < -1)
		return mr_error_set(err, 0,
				    "--pids-limit %s: expected a positive number, or -1 "
				    "or 0 for unlimited",
				    s);
	return 0;
}

int
mr_parse_cpus(const char *s, int64_t *nanos, struct mr_error *err)
{
	const char *p = s;
	uint64_t whole = 0, frac = 0;
	int frac_digits = 0;
	bool digits = false;

	while (isdigit((unsigned char)*p)) {
		if (whole > 1000000)
			goto bad;
		whole = whole * 10 + (uint64_t)(*p++ - '0');
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			/* Docker keeps nano-CPUs: digits past the ninth do not count. */
			if (frac_digits < 9) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				frac_digits++;
			}
			p++;
			digits = true;
		}
	}
	if (!digits || *p != '\0')
		goto bad;
	for (int i = frac_digits; i < 9; i++)
		frac *= 10;
	*nanos = (int64_t)(whole * 1000000000ULL + frac);
	/* A quota below 1 ms per 100 ms period: the kernel's minimum cfs_quota_us is 1000. */
	if (*nanos < 10000000)
		return mr_error_set(err, 0, "--cpus %s: the minimum is 0.01", s);
	return 0;
bad:
	return mr_error_set(err, 0, "--cpus %s: expected a decimal number of CPUs, e.g. 1.5", s);
}

int
mr_parse_cpu_shares(const char *s, uint64_t *out, struct mr_error *err)
{
	int64_t v;
	if (parse_int64(s, &v) < 0)
		return mr_error_set(err, 0, "--cpu-shares %s: expected a whole number", s);
	if (v != 0 && (v < 2 || v > 262144))
		return mr_error_set(err, 0,
				    "--cpu-shares %s: out of range (2 to 262144; 1024 is the "
				    "default weight)",
				    s);
	*out = (uint64_t)v;
	return 0;
}

int
mr_parse_cpuset(const char *flag, const char *s, struct mr_error *err)
{
	const char *p = s;

	/* N or N-M, comma separated, ascending within a range. */
	for (;;) {
		char *end;
		if (!isdigit((unsigned char)*p))
			goto bad;
		unsigned long a = strtoul(p, &end, 10), b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			b = strtoul(p, &end, 10);
			p = end;
		}
		if (a > b || b >= 8192)
			goto bad;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			goto bad;
	}
bad:
	return mr_error_set(err, 0, "%s %s: invalid %s list (expected e.g. 0-3 or 0,2)", flag, s,
			    strstr(flag, "mems") ? "memory node" : "CPU");
}

static const struct {
	const char *name;
	int resource;
} ulimit_names[] = {
    /* Docker's names (go-units ulimit.go). */
    {"as", RLIMIT_AS},		 {"core", RLIMIT_CORE},		{"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},	 {"fsize", RLIMIT_FSIZE},	{"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},	 {"nproc", RLIMIT_NPROC},	{"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},	 {"rttime", RLIMIT_RTTIME},	{"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

static int
parse_rlim(const char *s, size_t len, unsigned long long *out)
{
	char buf[32];
	int64_t v;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (parse_int64(buf, &v) < 0 || v < -1)
		return -1;
	*out = v == -1 ? RLIM_INFINITY : (unsigned long long)v;
	return 0;
}

int
mr_parse_ulimit(const char *s, struct mr_ulimit *out, struct mr_error *err)
{
	const char *eq = strchr(s, '=');
	if (eq == NULL)
		return mr_error_set(
		    err, 0, "--ulimit %s: expected NAME=SOFT[:HARD], e.g. nofile=1024:2048", s);
	size_t nlen = (size_t)(eq - s);
	out->resource = -1;
	for (size_t i = 0; i < MR_ARRAY_SIZE(ulimit_names); i++)
		if (strlen(ulimit_names[i].name) == nlen &&
		    strncmp(ulimit_names[i].name, s, nlen) == 0)
			out->resource = ulimit_names[i].resource;
	if (out->resource < 0)
		return mr_error_set(err, 0,
				    "--ulimit %s: unknown limit %.*s (e.g. nofile, nproc, "
				    "core, stack, memlock)",
				    s, (int)nlen, s);
	const char *v = eq + 1, *colon = strchr(v, ':');
	if (parse_rlim(v, colon ? (size_t)(colon - v) : strlen(v), &out->soft) < 0 ||
	    (colon && parse_rlim(colon + 1, strlen(colon + 1), &out->hard) < 0))
		return mr_error_set(err, 0,
				    "--ulimit %s: expected NAME=SOFT[:HARD] with whole "
				    "numbers (-1: unlimited)",
				    s);
	if (colon == NULL)
		out->hard = out->soft;
	/* RLIM_INFINITY is the largest value, so this also orders "-1". */
	if (out->soft > out->hard)
		return mr_error_set(err, 0, "--ulimit %s: the soft limit is above the hard limit",
				    s);
	return 0;
}

int
mr_resources_add_ulimit(struct mr_resources *r, const struct mr_ulimit *u, struct mr_error *err)
{
	for (size_t i = 0; i < r->n_ulimits; i++)
		if (r->ulimits[i].resource == u->resource) {
			r->ulimits[i] = *u;
			return 0;
		}
	struct mr_ulimit *n = realloc(r->ulimits, (r->n_ulimits + 1) * sizeof(*n));
	if (n == NULL)
		return mr_error_oom(err, "--ulimit");
	n[r->n_ulimits++] = *u;
	r->ulimits = n;
	return 0;
}

static const char *
ulimit_name(int resource)
{
	for (size_t i = 0; i < MR_ARRAY_SIZE(ulimit_names); i++)
		if (ulimit_names[i].resource == resource)
			return ulimit_names[i].name;
	return "?";
}

int
mr_resources_check_ulimits(const struct mr_resources *r, struct mr_error *err)
{
	if (r->n_ulimits == 0)
		return 0;
	/* Checked in the initial user namespace, so rootless never can. */
	mr_capset perm = 0;
	bool can_raise = geteuid() == 0 && mr_caps_get_permitted(&perm, NULL) == 0 &&
			 (perm >> CAP_SYS_RESOURCE) & 1;
	for (size_t i = 0; i < r->n_ulimits; i++) {
		const struct mr_ulimit *u = &r->ulimits[i];
		struct rlimit cur;
		if (getrlimit(u->resource, &cur) < 0)
			return mr_error_set(err, errno, "--ulimit %s", ulimit_name(u->resource));
		if (u->hard > cur.rlim_max && !can_raise) {
			char max[32];
			if (cur.rlim_max == RLIM_INFINITY)
				snprintf(max, sizeof(max), "unlimited");
			else
				snprintf(max, sizeof(max), "%llu",
					 (unsigned long long)cur.rlim_max);
			return mr_error_set(
			    err, 0,
			    "--ulimit %s: the hard limit is above minirun's own (%s), "
			    "and raising it needs CAP_SYS_RESOURCE",
			    ulimit_name(u->resource), max);
		}
	}
	return 0;
}

int
mr_resources_apply_ulimits(const struct mr_resources *r, struct mr_error *err)
{
	for (size_t i = 0; i < r->n_ulimits; i++) {
		const struct mr_ulimit *u = &r->ulimits[i];
		struct rlimit rl = {.rlim_cur = u->soft, .rlim_max = u->hard};
		if (setrlimit(u->resource, &rl) < 0)
			return mr_error_set(err, errno, "--ulimit %s", ulimit_name(u->resource));
	}
	return 0;
}

size_t
mr_resources_cgroup_depth(const char *path)
{
	size_t n = 0;

	for (const char *s = path; *s; s++)
		if (*s != '/' && (s == path || s[-1] == '/'))
			n++;
	return n;
}

const char *
mr_resources_first_cgroup_flag(const struct mr_resources *r)
{
	if (r->memory)
		return "--memory";
	if (r->memory_swap)
		return "--memory-swap";
	if (r->pids_set)
		return "--pids-limit";
	if (r->cpu_nanos)
		return "--cpus";
	if (r->cpu_shares)
		return "--cpu-shares";
	if (r->cpuset_cpus)
		return "--cpuset-cpus";
	if (r->cpuset_mems)
		return "--cpuset-mems";
	/* OCI linux.resources only: no flag of their own. */
	if (r->cpu_quota || r->cpu_period || r->cpu_rt_period || r->cpu_rt_runtime ||
	    r->cpu_idle_set)
		return "linux.resources.cpu";
	if (r->memory_reservation || r->swappiness_set || r->kernel_tcp || r->disable_oom_killer)
		return "linux.resources.memory";
	if (r->cgroup_parent)
		return "--cgroup-parent";
	return NULL;
}

void
mr_format_size(int64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	int u = -1;
	int64_t v = bytes;

	while (u < 3 && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%" PRId64 " bytes", bytes);
	else
		snprintf(buf, size, "%" PRId64 " %s", v, units[u]);
}

/* Docker's ValidDeviceMode: one to three of r, w, m, none twice. */
static bool
valid_device_mode(const char *s, size_t len)
{
	bool seen[3] = {false, false, false};
	if (len == 0 || len > 3)
		return false;
	for (size_t i = 0; i < len; i++) {
		const char *c = strchr("rwm", s[i]);
		if (s[i] == '\0' || c == NULL || seen[c - "rwm"])
			return false;
		seen[c - "rwm"] = true;
	}
	return true;
}

int
mr_resources_add_device(struct mr_resources *r, const char *s, struct mr_error *err)
{
	const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	struct mr_device d = {0};
	struct stat st;

	if (c2 != NULL && strchr(c2 + 1, ':') != NULL)
		return mr_error_set(err, 0, "--device %s: invalid device specification", s);
	if (r->n_devices == MR_MAX_DEVICES)
		return mr_error_set(err, 0, "--device %s: at most %d devices", s, MR_MAX_DEVICES);
	size_t hl = c1 ? (size_t)(c1 - s) : strlen(s);
	const char *dst = NULL, *perms = "rwm";
	size_t dl = 0, pl = 3;
	if (c2 != NULL) {
		perms = c2 + 1;
		pl = strlen(perms);
	}
	if (c1 != NULL) {
		size_t l = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
		/* "HOST:rw" is HOST with permissions, "HOST:/dev/x" a container path. */
		if (c2 == NULL && valid_device_mode(c1 + 1, l)) {
			perms = c1 + 1;
			pl = l;
		} else {
			dst = c1 + 1;
			dl = l;
		}
	}
	if (dst == NULL || dl == 0) {
		dst = s;
		dl = hl;
	}
	if (!valid_device_mode(perms, pl))
		return mr_error_set(err, 0, "--device %s: bad permissions '%.*s' (r, w and m)", s,
				    (int)pl, perms);
	d.host = strndup(s, hl);
	d.path = strndup(dst, dl);
	if (d.host == NULL || d.path == NULL)
		goto oom;
	if (stat(d.host, &st) < 0) {
		mr_error_set(err, errno, "--device %s", d.host);
		goto fail;
	}
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
		mr_error_set(err, 0, "--device %s: not a character or block device", d.host);
		goto fail;
	}
	/*
	 * Only below /dev, and no "." or ".." component: the node is made in
	 * the container's /dev tmpfs, never through the image's own tree.
	 */
	bool bad = strncmp(d.path, "/dev/", 5) != 0 || d.path[5] == '\0' ||
		   d.path[strlen(d.path) - 1] == '/' || strstr(d.path, "//") != NULL;
	for (const char *c = d.path; !bad && (c = strstr(c, "/.")) != NULL; c++)
		bad = c[2] == '/' || c[2] == '\0' || (c[2] == '.' && (c[3] == '/' || c[3] == '\0'));
	if (bad) {
		mr_error_set(err, 0, "--device %s: the container path must be below /dev/", s);
		goto fail;
	}
	d.type = S_ISCHR(st.st_mode) ? 'c' : 'b';
	d.major = major(st.st_rdev);
	d.minor = minor(st.st_rdev);
	d.mode = (unsigned)st.st_mode;
	memcpy(d.perms, perms, pl);
	d.perms[pl] = '\0';
	struct mr_device *n = realloc(r->devices, (r->n_devices + 1) * sizeof(*n));
	if (n == NULL)
		goto oom;
	r->devices = n;
	r->devices[r->n_devices++] = d;
	return 0;
oom:
	mr_error_oom(err, "--device");
fail:
	free(d.host);
	free(d.path);
	return -1;
}

void
mr_resources_clear(struct mr_resources *r)
{
	for (size_t i = 0; i < r->n_devices; i++) {
		free(r->devices[i].host);
		free(r->devices[i].path);
	}
	free(r->devices);
	free(r->cpuset_cpus);
	free(r->cpuset_mems);
	free(r->cgroup_parent);
	free(r->cgroup_name);
	free(r->ulimits);
	memset(r, 0, sizeof(*r));
}
