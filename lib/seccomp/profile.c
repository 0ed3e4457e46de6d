/* SPDX-License-Identifier: MIT */
/*
 * Seccomp profile JSON -> struct mr_profile, keeping each value's position.
 *
 * Decoding follows Go's encoding/json as moby uses it: keys match
 * case-insensitively, JSON null is the same as an absent key, a value of the
 * wrong type is an error.  Unlike Go, unknown keys are reported as warnings
 * (a typo such as "sycalls" would otherwise silently drop every rule) and
 * duplicate keys are an error instead of "the last one wins".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <linux/seccomp.h>

#include "seccomp/arch.h"
#include "seccomp/profile.h"
#include "seccomp/yaml.h"
#include "common/escape.h"
#include "common/file.h"
#include "common/json.h"
#include "common/typo.h"
#include "common/util.h"

/*
 * Kernel: errno values above MAX_ERRNO (4095) are not errors to user space.
 * libseccomp takes only errnos below it (sys_chk_seccomp_action), so runc and
 * crun fail on a profile with 4095 itself where minirun's range tree would
 * compile it: refused here, like any errno they cannot run.
 */
#define MR_MAX_ERRNO 4094

/* Larger than any real profile (Docker's is 13 KB); keeps a stray path from eating memory. */
#define MR_PROFILE_MAX_BYTES (16 * 1024 * 1024)

static inline void
mr_json_decrefp(json_t **j)
{
	if (*j != NULL)
		json_decref(*j);
}
#define cleanup_json __attribute__((cleanup(mr_json_decrefp)))

/* ------------------------------------------------------------- actions */

bool
mr_act_has_errno(enum mr_act act)
{
	return act == MR_ACT_ERRNO || act == MR_ACT_TRACE;
}

uint32_t
mr_act_value(enum mr_act act, unsigned errno_ret)
{
	switch (act) {
	case MR_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case MR_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case MR_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case MR_ACT_ERRNO:
		return SCMP_ACT_ERRNO(errno_ret);
	case MR_ACT_TRACE:
		return SCMP_ACT_TRACE(errno_ret);
	case MR_ACT_ALLOW:
		return SCMP_ACT_ALLOW;
	case MR_ACT_LOG:
		return SCMP_ACT_LOG;
	case MR_ACT_NOTIFY:
		return SCMP_ACT_NOTIFY;
	default:
		break;
	}
	return SCMP_ACT_KILL_PROCESS;
}

static const struct {
	const char *name;
	enum mr_act act;
} action_names[] = {
    {"SCMP_ACT_KILL", MR_ACT_KILL_THREAD},
    {"SCMP_ACT_KILL_THREAD", MR_ACT_KILL_THREAD},
    {"SCMP_ACT_KILL_PROCESS", MR_ACT_KILL_PROCESS},
    {"SCMP_ACT_TRAP", MR_ACT_TRAP},
    {"SCMP_ACT_ERRNO", MR_ACT_ERRNO},
    {"SCMP_ACT_TRACE", MR_ACT_TRACE},
    {"SCMP_ACT_ALLOW", MR_ACT_ALLOW},
    {"SCMP_ACT_LOG", MR_ACT_LOG},
    {"SCMP_ACT_NOTIFY", MR_ACT_NOTIFY},
};

static const struct {
	const char *name;
	int op;
} op_names[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static const struct {
	const char *name;
	unsigned flag;
} flag_names[] = {
    /* Accepted and dropped, as runc does: the container process is single-threaded
     * when it loads the filter, and TSYNC changes what seccomp(2) returns. */
    {"SECCOMP_FILTER_FLAG_TSYNC", 0},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    /* Only meaningful with a notify listener: mr_seccomp_install drops it when
     * the program has none (the kernel rejects it without NEW_LISTENER). */
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

int
mr_errno_parse(const char *s, unsigned *out)
{
	if (s == NULL || *s == '\0')
		return -1;
	if (*s >= '0' && *s <= '9') {
		char *end;
		errno = 0;
		unsigned long v = strtoul(s, &end, 10);
		if (errno != 0 || *end != '\0' || v > MR_MAX_ERRNO)
			return -1;
		*out = (unsigned)v;
		return 0;
	}
	/* glibc's own table, so the names are exactly the ones <errno.h> defines. */
	for (int e = 1; e <= MR_MAX_ERRNO; e++) {
		const char *n = strerrorname_np(e);
		if (n != NULL && strcmp(n, s) == 0) {
			*out = (unsigned)e;
			return 0;
		}
	}
	return -1;
}

/* ----------------------------------------------------- value positions */

/*
 * jansson keeps no positions for values, only for errors.  Once jansson has
 * accepted the text it is valid JSON, so a small scanner can list where each
 * value starts, in document order; a pre-order walk of the tree visits the
 * same values in the same order (jansson keeps object keys in insertion order
 * and duplicates are rejected), and zipping the two lists gives the position
 * of every json_t.  If the counts ever disagree, positions are just unknown.
 */

struct pos_entry {
	const json_t *v;
	struct mr_pos pos;
};

struct posmap {
	struct pos_entry *e;
	size_t n;
	size_t cap;
	bool broken;
};

struct scanner {
	const char *s;
	size_t len;
	size_t i;
	int line;
	int col;
	int depth;
};

static void
sc_advance(struct scanner *sc)
{
	unsigned char ch = (unsigned char)sc->s[sc->i++];
	if (ch == '\n') {
		sc->line++;
		sc->col = 1;
	} else if ((ch & 0xc0) != 0x80) {
		/* jansson counts characters, not bytes: UTF-8 continuation bytes do not move the
		 * column. */
		sc->col++;
	}
}

static void
sc_ws(struct scanner *sc)
{
	while (sc->i < sc->len && strchr(" \t\r\n", sc->s[sc->i]) != NULL && sc->s[sc->i] != '\0')
		sc_advance(sc);
}

static int
sc_push(struct posmap *pm, struct mr_pos pos)
{
	if (pm->n == pm->cap) {
		size_t ncap = pm->cap ? pm->cap * 2 : 256;
		struct pos_entry *ne = realloc(pm->e, ncap * sizeof(*ne));
		if (ne == NULL)
			return -1;
		pm->e = ne;
		pm->cap = ncap;
	}
	pm->e[pm->n].v = NULL;
	pm->e[pm->n].pos = pos;
	pm->n++;
	return 0;
}

static int
sc_string(struct scanner *sc)
{
	if (sc->i >= sc->len || sc->s[sc->i] != '"')
		return -1;
	sc_advance(sc);
	while (sc->i < sc->len) {
		char ch = sc->s[sc->i];
		if (ch == '\\') {
			sc_advance(sc);
			if (sc->i >= sc->len)
				return -1;
			sc_advance(sc);
			continue;
		}
		sc_advance(sc);
		if (ch == '"')
			return 0;
	}
	return -1;
}

static int
sc_value(struct scanner *sc, struct posmap *pm)
{
	sc_ws(sc);
	if (sc->i >= sc->len || ++sc->depth > 4096)
		return -1;
	if (sc_push(pm, (struct mr_pos){sc->line, sc->col}) < 0)
		return -1;
	char ch = sc->s[sc->i];
	int r = 0;
	if (ch == '{' || ch == '[') {
		char close = ch == '{' ? '}' : ']';
		sc_advance(sc);
		sc_ws(sc);
		if (sc->i < sc->len && sc->s[sc->i] == close) {
			sc_advance(sc);
		} else {
			for (;;) {
				if (ch == '{') {
					sc_ws(sc);
					if (sc_string(sc) < 0)
						return -1;
					sc_ws(sc);
					if (sc->i >= sc->len || sc->s[sc->i] != ':')
						return -1;
					sc_advance(sc);
				}
				if (sc_value(sc, pm) < 0)
					return -1;
				sc_ws(sc);
				if (sc->i >= sc->len)
					return -1;
				if (sc->s[sc->i] == ',') {
					sc_advance(sc);
					continue;
				}
				if (sc->s[sc->i] != close)
					return -1;
				sc_advance(sc);
				break;
			}
		}
	} else if (ch == '"') {
		r = sc_string(sc);
	} else {
		/* number, true, false, null */
		while (sc->i < sc->len && strchr(",]} \t\r\n", sc->s[sc->i]) == NULL)
			sc_advance(sc);
	}
	sc->depth--;
	return r;
}

static int
walk_tree(const json_t *v, const struct posmap *scanned, size_t *k, bool *ok)
{
	if (*k >= scanned->n) {
		*ok = false;
		return 0;
	}
	scanned->e[(*k)++].v = v;
	if (json_is_object(v)) {
		const char *key;
		json_t *child;
		json_object_foreach((json_t *)v, key, child)
		{
			walk_tree(child, scanned, k, ok);
			if (!*ok)
				return 0;
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *child;
		json_array_foreach(v, i, child)
		{
			walk_tree(child, scanned, k, ok);
			if (!*ok)
				return 0;
		}
	}
	return 0;
}

static int
pos_cmp(const void *a, const void *b)
{
	const struct pos_entry *x = a, *y = b;
	if ((uintptr_t)x->v < (uintptr_t)y->v)
		return -1;
	return (uintptr_t)x->v > (uintptr_t)y->v;
}

static int
posmap_build(struct posmap *pm, const char *text, size_t len, const json_t *root)
{
	struct scanner sc = {.s = text, .len = len, .line = 1, .col = 1};
	memset(pm, 0, sizeof(*pm));
	size_t k = 0;
	bool ok = sc_value(&sc, pm) == 0;
	if (ok)
		walk_tree(root, pm, &k, &ok);
	if (!ok || k != pm->n) {
		/* Out of memory or text the scanner misreads: messages lose their positions
		 * only.  The fuzzer treats a misread as a bug. */
#ifdef MR_FUZZING
		abort();
#endif
		pm->broken = true;
		return 0;
	}
	qsort(pm->e, pm->n, sizeof(*pm->e), pos_cmp);
	return 0;
}

/* The YAML reader records every value's position as it builds the tree. */
static int
posmap_from_yaml(struct posmap *pm, const struct mr_yaml_pos *v, size_t n)
{
	memset(pm, 0, sizeof(*pm));
	pm->e = calloc(n ? n : 1, sizeof(*pm->e));
	if (pm->e == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		pm->e[i] = (struct pos_entry){v[i].v, {v[i].line, v[i].column}};
	pm->n = pm->cap = n;
	qsort(pm->e, pm->n, sizeof(*pm->e), pos_cmp);
	return 0;
}

static struct mr_pos
posmap_get(const struct posmap *pm, const json_t *v)
{
	struct pos_entry key = {.v = v};
	if (pm->broken || v == NULL)
		return (struct mr_pos){0, 0};
	const struct pos_entry *e = bsearch(&key, pm->e, pm->n, sizeof(*pm->e), pos_cmp);
	return e ? e->pos : (struct mr_pos){0, 0};
}

/* ------------------------------------------------------------- decoding */

struct pctx {
	const char *source;
	struct posmap pm;
	json_t *owned;		/* a copy made while parsing (a SeccompProfile's spec) */
	bool spo;		/* parsing a SeccompProfile's spec (errnoRet is a string there) */
	bool oci_config;	/* parsing an OCI config.json's linux.seccomp (runc's reading) */
	struct mr_json_big big; /* its integers above 2^63-1 (Go writes them, jansson stops) */
	struct mr_profile *p;
	struct mr_error *err;
};

static void
pctx_free_posmap(struct pctx *c)
{
	free(c->pm.e);
	if (c->owned != NULL)
		json_decref(c->owned);
}
#define cleanup_posmap __attribute__((cleanup(pctx_free_posmap)))

static int perr_at(struct pctx *c, struct mr_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
perr_at(struct pctx *c, struct mr_pos pos, const char *fmt, ...)
{
	char msg[MR_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pos.line > 0)
		return mr_error_set(c->err, 0, "seccomp profile %s:%d:%d: %s", c->source, pos.line,
				    pos.column, msg);
	return mr_error_set(c->err, 0, "seccomp profile %s: %s", c->source, msg);
}

#define perr(c, json, ...) perr_at((c), posmap_get(&(c)->pm, (json)), __VA_ARGS__)

static int pwarn(struct pctx *c, const json_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
pwarn(struct pctx *c, const json_t *at, const char *fmt, ...)
{
	char msg[MR_ERROR_MSG_MAX];
	va_list ap;
	struct mr_pos pos = posmap_get(&c->pm, at);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A warning quotes the file (a key, a capability): printed as one escaped line. */
	cleanup_free char *text = mr_escape_str(msg, MR_ESCAPE_KEEP_BACKSLASH);
	cleanup_free char *src = mr_escape_str(c->source, MR_ESCAPE_KEEP_BACKSLASH);
	int r = text == NULL || src == NULL ? -1
		: pos.line > 0 ? mr_strv_addf(&c->p->warnings, "seccomp profile %s:%d:%d: %s", src,
					      pos.line, pos.column, text)
			       : mr_strv_addf(&c->p->warnings, "seccomp profile %s: %s", src, text);
	if (r < 0)
		return mr_error_oomf(c->err, "seccomp profile %s", c->source);
	return 0;
}

/*
 * In a config.json's linux.seccomp, Docker's and Podman's own keys (archMap,
 * includes/excludes, the legacy name, errno/defaultErrno) are not the
 * runtime-spec's: the engine resolves them before a runtime sees the profile,
 * and runc (Go's encoding/json) and crun skip them.  Read as they read it, the
 * rule applies whatever the capabilities, and only the listed architectures
 * are in the filter; otherwise minirun would run without a rule that runc and
 * crun enforce.  The key is dropped (*v = NULL) with a warning.
 */
static int
oci_ignore_key(struct pctx *c, json_t **v, const char *what, const char *key)
{
	if (!c->oci_config || *v == NULL)
		return 0;
	int r = pwarn(c, *v,
		      "%s: \"%s\" is not a runtime-spec key: ignored in config.json, as runc "
		      "and crun ignore it (an engine resolves it before the runtime)",
		      what, key);
	*v = NULL;
	return r;
}

const char *
mr_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	default:
		break;
	}
	return "?";
}

/*
 * Match an object's keys against the known ones (case-insensitively, like
 * Go); vals[i] gets the value of keys[i] or NULL (absent or JSON null).
 */
static int
get_keys(struct pctx *c, const json_t *obj, const char *what, const char *const *keys, size_t n,
	 json_t **vals)
{
	const char *key;
	json_t *v;
	const json_t *seen[32] = {0};

	if (n > MR_ARRAY_SIZE(seen))
		abort();
	memset(vals, 0, n * sizeof(*vals));
	json_object_foreach((json_t *)obj, key, v)
	{
		size_t i;
		for (i = 0; i < n; i++)
			if (strcasecmp(key, keys[i]) == 0)
				break;
		if (i == n) {
			if (pwarn(c, v, "%s: unknown key \"%s\" ignored", what, key) < 0)
				return -1;
			continue;
		}
		if (seen[i] != NULL)
			return perr(c, v, "%s: \"%s\" given twice (keys match case-insensitively)",
				    what, keys[i]);
		seen[i] = v;
		vals[i] = json_is_null(v) ? NULL : v;
	}
	return 0;
}

static int
want_type(struct pctx *c, const json_t *v, json_type t, const char *what, const char *key)
{
	static const char *const names[] = {
	    [JSON_OBJECT] = "an object",
	    [JSON_ARRAY] = "an array",
	    [JSON_STRING] = "a string",
	    [JSON_INTEGER] = "an integer",
	};
	if (json_typeof(v) == t)
		return 0;
	return perr(c, v, "%s: \"%s\" must be %s, not %s", what, key, names[t],
		    mr_json_type_name(v));
}

static char *
xstrdup(struct pctx *c, const char *s)
{
	char *r = strdup(s);
	if (r == NULL)
		mr_error_oomf(c->err, "seccomp profile %s", c->source);
	return r;
}

static int
get_uint(struct pctx *c, const json_t *v, const char *what, const char *key, uint64_t max,
	 uint64_t *out)
{
	uint64_t big;
	if (!json_is_integer(v) && mr_json_u64(v, &c->big, &big)) {
		if (big > max)
			return perr(c, v, "%s: \"%s\" %llu is out of range 0..%llu", what, key,
				    (unsigned long long)big, (unsigned long long)max);
		*out = big;
		return 0;
	}
	if (want_type(c, v, JSON_INTEGER, what, key) < 0)
		return -1;
	json_int_t i = json_integer_value(v);
	if (i < 0 || (uint64_t)i > max)
		return perr(c, v, "%s: \"%s\" %lld is out of range 0..%llu", what, key,
			    (long long)i, (unsigned long long)max);
	*out = (uint64_t)i;
	return 0;
}

/* An errno given as errnoRet (integer) or, Podman's way, errno (a name or a number). */
static int
get_errno(struct pctx *c, const json_t *v, const char *what, const char *key, unsigned *out)
{
	if (json_is_integer(v)) {
		uint64_t u;
		if (get_uint(c, v, what, key, MR_MAX_ERRNO, &u) < 0)
			return -1;
		*out = (unsigned)u;
		return 0;
	}
	if (!json_is_string(v))
		return perr(
		    c, v, "%s: \"%s\" must be an errno name such as \"EPERM\" or a number, not %s",
		    what, key, mr_json_type_name(v));
	if (mr_errno_parse(json_string_value(v), out) < 0)
		return perr(c, v, "%s: \"%s\": unknown errno \"%s\"", what, key,
			    json_string_value(v));
	return 0;
}

static int
get_action(struct pctx *c, const json_t *v, const char *what, const char *key, enum mr_act *act,
	   char **name)
{
	if (want_type(c, v, JSON_STRING, what, key) < 0)
		return -1;
	const char *s = json_string_value(v);
	for (size_t i = 0; i < MR_ARRAY_SIZE(action_names); i++) {
		if (strcmp(s, action_names[i].name) == 0) {
			*act = action_names[i].act;
			*name = xstrdup(c, s);
			return *name ? 0 : -1;
		}
	}
	return perr(c, v,
		    "%s: unknown action \"%s\" (expected SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
		    "SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, "
		    "SCMP_ACT_TRACE, SCMP_ACT_LOG or SCMP_ACT_NOTIFY)",
		    what, s);
}

/* An array of strings; NULL (absent or null) gives an empty list. */
static int
get_strings(struct pctx *c, const json_t *v, const char *what, const char *key, char ***out,
	    struct mr_pos **pos_out, size_t *n_out)
{
	size_t i;
	json_t *e;

	*out = NULL;
	*n_out = 0;
	if (pos_out)
		*pos_out = NULL;
	if (v == NULL)
		return 0;
	if (want_type(c, v, JSON_ARRAY, what, key) < 0)
		return -1;
	size_t n = json_array_size(v);
	if (n == 0)
		return 0;
	char **list = calloc(n, sizeof(*list));
	struct mr_pos *pos = pos_out ? calloc(n, sizeof(*pos)) : NULL;
	if (list == NULL || (pos_out && pos == NULL)) {
		free(list);
		free(pos);
		return mr_error_oomf(c->err, "seccomp profile %s", c->source);
	}
	*out = list;
	if (pos_out)
		*pos_out = pos;
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e))
			return perr(c, e, "%s: \"%s\"[%zu] must be a string, not %s", what, key, i,
				    mr_json_type_name(e));
		list[i] = xstrdup(c, json_string_value(e));
		if (list[i] == NULL)
			return -1;
		*n_out = i + 1;
		if (pos)
			pos[i] = posmap_get(&c->pm, e);
	}
	return 0;
}

static void
free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * minKernel as moby's KernelVersion.UnmarshalJSON reads it: "<kernel>.<major>",
 * exactly two dot-separated parts, each 0-255 in decimal, not "0.0"; "" is
 * accepted and means 0.0 (moby keeps the non-nil pointer, so as an include it
 * always holds and as an exclude it always excludes).
 */
static int
parse_min_kernel(const char *s, unsigned *kernel, unsigned *major)
{
	unsigned parts[2];
	const char *p = s;

	if (*s == '\0') {
		*kernel = *major = 0;
		return 0;
	}
	for (int k = 0; k < 2; k++) {
		unsigned v = 0;
		const char *start = p;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p - '0');
			if (v > 255)
				return -1;
			p++;
		}
		if (p == start)
			return -1;
		parts[k] = v;
		if (k == 0) {
			if (*p != '.')
				return -1;
			p++;
		}
	}
	if (*p != '\0' || (parts[0] == 0 && parts[1] == 0))
		return -1;
	*kernel = parts[0];
	*major = parts[1];
	return 0;
}

static int
parse_cond(struct pctx *c, const json_t *v, const char *what, const char *key,
	   struct mr_prof_cond *cond)
{
	static const char *const keys[] = {"arches", "caps", "minKernel"};
	json_t *vals[3];
	char w[128];

	if (v == NULL)
		return 0;
	if (want_type(c, v, JSON_OBJECT, what, key) < 0)
		return -1;
	snprintf(w, sizeof(w), "%s.%s", what, key);
	if (get_keys(c, v, w, keys, 3, vals) < 0)
		return -1;
	cond->present = true;
	cond->pos = posmap_get(&c->pm, v);
	if (get_strings(c, vals[0], w, "arches", &cond->arches, NULL, &cond->n_arches) < 0)
		return -1;
	if (get_strings(c, vals[1], w, "caps", &cond->caps, NULL, &cond->n_caps) < 0)
		return -1;
	for (size_t i = 0; i < cond->n_caps; i++) {
		/* moby compares with the bounding set's "CAP_SYS_ADMIN" strings, exactly. */
		const char *cap = cond->caps[i];
		bool canonical = strncmp(cap, "CAP_", 4) == 0 && cap[4] != '\0';
		for (const char *q = cap; canonical && *q; q++)
			if (!((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_'))
				canonical = false;
		if (!canonical &&
		    pwarn(c, vals[1],
			  "%s: capability \"%s\" never matches: Docker compares exact upper-case "
			  "CAP_ names",
			  w, cap) < 0)
			return -1;
	}
	if (vals[2] != NULL) {
		if (!json_is_string(vals[2]))
			return perr(
			    c, vals[2],
			    "%s: invalid minKernel: must be a string \"<kernel>.<major>\", not %s",
			    w, mr_json_type_name(vals[2]));
		const char *s = json_string_value(vals[2]);
		if (parse_min_kernel(s, &cond->min_kernel, &cond->min_major) < 0)
			return perr(
			    c, vals[2],
			    "%s: invalid minKernel \"%s\": expected \"<kernel>.<major>\", two "
			    "numbers from 0 to 255 such as \"4.8\" (\"0.0\" is not allowed)",
			    w, s);
		cond->has_min_kernel = true;
	}
	return 0;
}

static int
parse_arg(struct pctx *c, const json_t *v, const char *what, struct mr_prof_arg *arg)
{
	static const char *const keys[] = {"index", "value", "valueTwo", "op"};
	json_t *vals[4];
	uint64_t u;

	if (!json_is_object(v))
		return perr(c, v, "%s must be an object, not %s", what, mr_json_type_name(v));
	if (get_keys(c, v, what, keys, 4, vals) < 0)
		return -1;
	arg->pos = posmap_get(&c->pm, v);
	/* Go leaves absent numbers at 0; the OCI spec calls index, value and op required. */
	if (vals[0] != NULL) {
		if (get_uint(c, vals[0], what, "index", UINT32_MAX, &u) < 0)
			return -1;
		if (u > 5)
			return perr(c, vals[0],
				    "%s: \"index\" %llu is out of range: system calls have 6 "
				    "arguments, numbered 0-5",
				    what, (unsigned long long)u);
		arg->index = (unsigned)u;
	}
	if (vals[1] != NULL && get_uint(c, vals[1], what, "value", UINT64_MAX, &arg->value) < 0)
		return -1;
	if (vals[2] != NULL &&
	    get_uint(c, vals[2], what, "valueTwo", UINT64_MAX, &arg->value_two) < 0)
		return -1;
	if (vals[3] == NULL)
		return perr(c, v, "%s: \"op\" is missing", what);
	if (want_type(c, vals[3], JSON_STRING, what, "op") < 0)
		return -1;
	const char *op = json_string_value(vals[3]);
	for (size_t i = 0; i < MR_ARRAY_SIZE(op_names); i++) {
		if (strcmp(op, op_names[i].name) != 0)
			continue;
		arg->op = op_names[i].op;
		/*
		 * libseccomp clears the datum's bits outside the mask (its node
		 * fixup: datum &= mask), so runc and crun match (arg & value) ==
		 * (valueTwo & value): 2 and 1 match an even argument, not none.
		 * Taken the same way here, so the range tree, explain, the report
		 * and the cache all see what libseccomp compiles.
		 */
		uint64_t outside = arg->value_two & ~arg->value;
		if (arg->op == SCMP_CMP_MASKED_EQ && outside != 0) {
			arg->value_two &= arg->value;
			if (pwarn(c, vals[2],
				  "%s: SCMP_CMP_MASKED_EQ \"valueTwo\" has bits outside the mask "
				  "\"value\" (%#llx): libseccomp, runc and crun clear them, so the "
				  "condition is arg%u & %#llx == %#llx",
				  what, (unsigned long long)outside, arg->index,
				  (unsigned long long)arg->value,
				  (unsigned long long)arg->value_two) < 0)
				return -1;
		}
		return 0;
	}
	return perr(c, vals[3],
		    "%s: unknown operator \"%s\" (expected SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, "
		    "SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ)",
		    what, op);
}

/* errnoRet (OCI, Docker; a string of digits in the operator's CRD) or Podman's errno. */
static int
parse_rule_errno(struct pctx *c, const json_t *errno_ret, const json_t *errno_, const char *what,
		 struct mr_prof_rule *rule)
{
	/* containers/common: a Podman "errno" (name or number) overrides errnoRet. */
	const char *ekey = NULL;
	const json_t *ev = NULL;
	if (errno_ret != NULL) {
		ekey = "errnoRet";
		ev = errno_ret;
		/* The operator's CRD types errnoRet as a string of digits ("1"); the OCI
		 * and Docker formats as an integer. */
		const char *es = json_string_value(ev);
		if (c->spo && es != NULL && (*es == '\0' || es[strspn(es, "0123456789")] != '\0'))
			return perr(c, ev,
				    "%s: \"errnoRet\" must be a number in a string, such as "
				    "\"1\", not \"%s\"",
				    what, es);
		if ((es == NULL || !c->spo) && want_type(c, ev, JSON_INTEGER, what, ekey) < 0)
			return -1;
		if (get_errno(c, ev, what, ekey, &rule->errno_ret) < 0)
			return -1;
	}
	if (errno_ != NULL) {
		ekey = "errno";
		ev = errno_;
		if (get_errno(c, ev, what, ekey, &rule->errno_ret) < 0)
			return -1;
	}
	if (ev != NULL) {
		/* The runtime-spec says a runtime MUST fail here; crun does, runc ignores it. */
		if (!mr_act_has_errno(rule->action))
			return perr(c, ev,
				    "%s: \"%s\" given for action %s, which returns no errno (only "
				    "SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)",
				    what, ekey, rule->action_name);
		rule->has_errno = true;
	}

	return 0;
}

static int
parse_rule(struct pctx *c, const json_t *v, size_t idx, struct mr_prof_rule *rule)
{
	static const char *const keys[] = {"names", "name",    "action",   "errnoRet", "errno",
					   "args",  "comment", "includes", "excludes"};
	enum { K_NAMES, K_NAME, K_ACTION, K_ERRNORET, K_ERRNO, K_ARGS, K_COMMENT, K_INC, K_EXC };
	json_t *vals[MR_ARRAY_SIZE(keys)];
	char what[64];

	snprintf(what, sizeof(what), "syscalls[%zu]", idx);
	rule->errno_ret = EPERM;
	if (!json_is_object(v))
		return perr(c, v, "%s must be an object, not %s", what, mr_json_type_name(v));
	if (get_keys(c, v, what, keys, MR_ARRAY_SIZE(keys), vals) < 0 ||
	    oci_ignore_key(c, &vals[K_NAME], what, "name") < 0 ||
	    oci_ignore_key(c, &vals[K_ERRNO], what, "errno") < 0 ||
	    oci_ignore_key(c, &vals[K_INC], what, "includes") < 0 ||
	    oci_ignore_key(c, &vals[K_EXC], what, "excludes") < 0)
		return -1;
	rule->pos = posmap_get(&c->pm, v);

	if (get_strings(c, vals[K_NAMES], what, "names", &rule->names, &rule->name_pos,
			&rule->n_names) < 0)
		return -1;
	if (vals[K_NAME] != NULL) {
		if (want_type(c, vals[K_NAME], JSON_STRING, what, "name") < 0)
			return -1;
		const char *name = json_string_value(vals[K_NAME]);
		if (*name != '\0') {
			if (rule->n_names > 0)
				return perr(c, vals[K_NAME],
					    "%s: both 'name' and 'names' are specified, use either "
					    "'name' or 'names'",
					    what);
			free(rule->names);
			free(rule->name_pos);
			rule->names = calloc(1, sizeof(*rule->names));
			rule->name_pos = calloc(1, sizeof(*rule->name_pos));
			if (rule->names == NULL || rule->name_pos == NULL)
				return mr_error_oomf(c->err, "seccomp profile %s", c->source);
			rule->names[0] = xstrdup(c, name);
			if (rule->names[0] == NULL)
				return -1;
			rule->name_pos[0] = posmap_get(&c->pm, vals[K_NAME]);
			rule->n_names = 1;
		}
	}
	if (rule->n_names == 0)
		return perr(c, v, "%s: no system call names (\"names\" is required)", what);
	for (size_t i = 0; i < rule->n_names; i++)
		if (rule->names[i][0] == '\0')
			return perr_at(c, rule->name_pos[i], "%s: empty system call name", what);

	if (vals[K_ACTION] == NULL)
		return perr(c, v, "%s: \"action\" is missing", what);
	if (get_action(c, vals[K_ACTION], what, "action", &rule->action, &rule->action_name) < 0)
		return -1;

	if (parse_rule_errno(c, vals[K_ERRNORET], vals[K_ERRNO], what, rule) < 0)
		return -1;

	if (vals[K_ARGS] != NULL) {
		size_t i;
		json_t *a;
		if (want_type(c, vals[K_ARGS], JSON_ARRAY, what, "args") < 0)
			return -1;
		size_t n = json_array_size(vals[K_ARGS]);
		if (n > 0) {
			rule->args = calloc(n, sizeof(*rule->args));
			if (rule->args == NULL)
				return mr_error_oomf(c->err, "seccomp profile %s", c->source);
		}
		json_array_foreach(vals[K_ARGS], i, a)
		{
			char w[96];
			snprintf(w, sizeof(w), "%s.args[%zu]", what, i);
			if (parse_arg(c, a, w, &rule->args[i]) < 0)
				return -1;
			rule->n_args = i + 1;
		}
	}
	if (vals[K_COMMENT] != NULL) {
		if (want_type(c, vals[K_COMMENT], JSON_STRING, what, "comment") < 0)
			return -1;
		rule->comment = xstrdup(c, json_string_value(vals[K_COMMENT]));
		if (rule->comment == NULL)
			return -1;
	}
	if (parse_cond(c, vals[K_INC], what, "includes", &rule->includes) < 0)
		return -1;
	if (parse_cond(c, vals[K_EXC], what, "excludes", &rule->excludes) < 0)
		return -1;
	return 0;
}

static int
parse_archmap(struct pctx *c, const json_t *v)
{
	size_t i;
	json_t *e;
	static const char *const keys[] = {"architecture", "subArchitectures"};

	if (want_type(c, v, JSON_ARRAY, "profile", "archMap") < 0)
		return -1;
	size_t n = json_array_size(v);
	if (n == 0)
		return 0;
	c->p->archmap = calloc(n, sizeof(*c->p->archmap));
	if (c->p->archmap == NULL)
		return mr_error_oomf(c->err, "seccomp profile %s", c->source);
	json_array_foreach(v, i, e)
	{
		struct mr_prof_archmap *am = &c->p->archmap[i];
		json_t *vals[2];
		char what[64];
		snprintf(what, sizeof(what), "archMap[%zu]", i);
		c->p->n_archmap = i + 1;
		if (!json_is_object(e))
			return perr(c, e, "%s must be an object, not %s", what,
				    mr_json_type_name(e));
		if (get_keys(c, e, what, keys, 2, vals) < 0)
			return -1;
		am->pos = posmap_get(&c->pm, e);
		if (vals[0] == NULL)
			return perr(c, e, "%s: \"architecture\" is missing", what);
		if (want_type(c, vals[0], JSON_STRING, what, "architecture") < 0)
			return -1;
		am->arch = xstrdup(c, json_string_value(vals[0]));
		if (am->arch == NULL)
			return -1;
		/* Entries for other hosts are not resolved: Docker's own default names
		 * SCMP_ARCH_LOONGARCH64, which libseccomp 2.5.4 does not know. */
		if (get_strings(c, vals[1], what, "subArchitectures", &am->sub_arches, &am->sub_pos,
				&am->n_sub_arches) < 0)
			return -1;
	}
	return 0;
}

/* defaultErrnoRet (Docker) or defaultErrno (Podman); only for actions that return one. */
static int
parse_default_errno(struct pctx *c, const json_t *errno_ret, const json_t *errno_podman)
{
	struct mr_profile *p = c->p;
	const char *dkey = NULL;
	const json_t *dev = NULL;

	if (errno_ret != NULL) {
		dkey = "defaultErrnoRet";
		dev = errno_ret;
		if (want_type(c, dev, JSON_INTEGER, "profile", dkey) < 0 ||
		    get_errno(c, dev, "profile", dkey, &p->default_errno) < 0)
			return -1;
	}
	if (errno_podman != NULL) {
		dkey = "defaultErrno";
		dev = errno_podman;
		if (get_errno(c, dev, "profile", dkey, &p->default_errno) < 0)
			return -1;
	}
	if (dev == NULL)
		return 0;
	if (!mr_act_has_errno(p->default_action))
		return perr(c, dev,
			    "profile: \"%s\" given for defaultAction %s, which returns no "
			    "errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)",
			    dkey, p->default_action_name);
	p->has_default_errno = true;
	return 0;
}

static int
parse_arches(struct pctx *c, const json_t *v)
{
	struct mr_profile *p = c->p;
	char **names = NULL;
	struct mr_pos *pos = NULL;
	size_t n = 0;
	int r = get_strings(c, v, "profile", "architectures", &names, &pos, &n);
	if (r == 0 && n > 0) {
		p->arches = calloc(n, sizeof(*p->arches));
		if (p->arches == NULL)
			r = mr_error_oomf(c->err, "seccomp profile %s", c->source);
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		p->arches[i] = mr_arch_resolve(names[i]);
		if (p->arches[i] == 0)
			r = perr_at(c, pos[i],
				    "profile: unknown architecture \"%s\" (libseccomp %u.%u.%u "
				    "does not know it)",
				    names[i], seccomp_version()->major, seccomp_version()->minor,
				    seccomp_version()->micro);
		p->n_arches = i + 1;
	}
	free_strings(names, n);
	free(pos);
	return r;
}

static int
parse_flags(struct pctx *c, const json_t *v)
{
	struct mr_profile *p = c->p;
	char **names = NULL;
	struct mr_pos *pos = NULL;
	size_t n = 0;
	int r = get_strings(c, v, "profile", "flags", &names, &pos, &n);
	p->has_flags = true;
	for (size_t i = 0; r == 0 && i < n; i++) {
		size_t k;
		for (k = 0; k < MR_ARRAY_SIZE(flag_names); k++)
			if (strcmp(names[i], flag_names[k].name) == 0)
				break;
		if (k == MR_ARRAY_SIZE(flag_names))
			r = perr_at(c, pos[i],
				    "profile: unknown seccomp flag \"%s\" (expected "
				    "SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, "
				    "SECCOMP_FILTER_FLAG_SPEC_ALLOW or "
				    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)",
				    names[i]);
		else
			p->flags |= flag_names[k].flag;
	}
	free_strings(names, n);
	free(pos);
	return r;
}

static int
parse_listener(struct pctx *c, const json_t *path, const json_t *meta)
{
	if (path != NULL && !json_is_null(path)) {
		if (want_type(c, path, JSON_STRING, "profile", "listenerPath") < 0)
			return -1;
		const char *s = json_string_value(path);
		/* sun_path holds 107 bytes and a NUL; a longer path would be cut. */
		if (*s != '\0' && strlen(s) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return perr(c, path,
				    "profile: \"listenerPath\": %zu bytes, longer than a unix "
				    "socket path can be (%zu)",
				    strlen(s), sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		if (*s != '\0' && (c->p->listener_path = xstrdup(c, s)) == NULL)
			return -1;
	}
	if (meta != NULL && !json_is_null(meta)) {
		if (want_type(c, meta, JSON_STRING, "profile", "listenerMetadata") < 0)
			return -1;
		/* runtime-spec: "This field MUST NOT be set if listenerPath is not set." */
		if (json_string_length(meta) > 0 && c->p->listener_path == NULL)
			return perr(c, meta,
				    "profile: \"listenerMetadata\" is set but \"listenerPath\" "
				    "is not");
		if ((c->p->listener_metadata = xstrdup(c, json_string_value(meta))) == NULL)
			return -1;
	}
	return 0;
}

/*
 * runtime-spec: with SCMP_ACT_NOTIFY the listenerPath MUST be set, or the
 * notified calls would wait for an agent that never gets the fd.  As runc:
 * not as the default action (every call of the runtime itself, up to the
 * execve, would wait for the agent).
 */
static int
check_notify(struct pctx *c, const json_t *defact)
{
	const struct mr_profile *p = c->p;
	if (p->default_action == MR_ACT_NOTIFY)
		return perr(c, defact,
			    "profile: \"defaultAction\": SCMP_ACT_NOTIFY cannot be the default "
			    "action (only for named syscalls)");
	for (size_t i = 0; i < p->n_rules && p->listener_path == NULL; i++)
		if (p->rules[i].action == MR_ACT_NOTIFY)
			return perr_at(c, p->rules[i].pos,
				       "profile: syscalls[%zu]: SCMP_ACT_NOTIFY needs "
				       "\"listenerPath\", the seccomp agent's unix socket",
				       i);
	return 0;
}

static int
parse_rules(struct pctx *c, const json_t *syscalls, size_t n_rules)
{
	struct mr_profile *p = c->p;
	size_t i;
	json_t *r;

	if (n_rules == 0)
		return 0;
	p->rules = calloc(n_rules, sizeof(*p->rules));
	if (p->rules == NULL)
		return mr_error_oomf(c->err, "seccomp profile %s", c->source);
	json_array_foreach(syscalls, i, r)
	{
		p->n_rules = i + 1;
		if (parse_rule(c, r, i, &p->rules[i]) < 0)
			return -1;
	}
	return 0;
}

/*
 * No "syscalls", but a key that is a typo of it ("sycalls"): every rule was
 * dropped, which Docker does without a word.  Remembered (p->lost_rules_key)
 * for a run to refuse the profile and for `profile check` to call it an error.
 */
static int
lost_syscalls_key(struct pctx *c, const json_t *root)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)root, key, v)
	{
		char lower[65];
		size_t k;
		for (k = 0; key[k] != '\0' && k < 64; k++)
			lower[k] = (char)tolower((unsigned char)key[k]);
		lower[k] = '\0';
		size_t d = mr_typo_distance(lower, "syscalls");
		if (d == 0 || d > 2)
			continue;
		c->p->lost_rules_key = strdup(key);
		if (c->p->lost_rules_key == NULL)
			return mr_error_oomf(c->err, "seccomp profile %s", c->source);
		c->p->lost_rules_pos = posmap_get(&c->pm, v);
		return 0;
	}
	return 0;
}

static int
parse_seccomp(struct pctx *c, const json_t *root)
{
	/* "comment" is not Docker's at this level, but Docker ignores it and it documents. */
	static const char *const keys[] = {
	    "defaultAction", "defaultErrnoRet", "defaultErrno",	    "architectures", "archMap",
	    "flags",	     "listenerPath",	"listenerMetadata", "syscalls",	     "comment"};
	enum {
		K_DEFACT,
		K_DEFERRNORET,
		K_DEFERRNO,
		K_ARCHES,
		K_ARCHMAP,
		K_FLAGS,
		K_LISTENER,
		K_LISTENER_META,
		K_SYSCALLS,
		K_COMMENT
	};
	json_t *vals[MR_ARRAY_SIZE(keys)];
	struct mr_profile *p = c->p;

	if (get_keys(c, root, "profile", keys, MR_ARRAY_SIZE(keys), vals) < 0 ||
	    oci_ignore_key(c, &vals[K_ARCHMAP], "profile", "archMap") < 0 ||
	    oci_ignore_key(c, &vals[K_DEFERRNO], "profile", "defaultErrno") < 0)
		return -1;
	if (vals[K_SYSCALLS] == NULL && lost_syscalls_key(c, root) < 0)
		return -1;
	if (vals[K_COMMENT] != NULL &&
	    want_type(c, vals[K_COMMENT], JSON_STRING, "profile", "comment") < 0)
		return -1;

	p->default_errno = EPERM;
	const char *defact = NULL;
	if (vals[K_DEFACT] != NULL) {
		if (want_type(c, vals[K_DEFACT], JSON_STRING, "profile", "defaultAction") < 0)
			return -1;
		defact = json_string_value(vals[K_DEFACT]);
	}
	if (vals[K_SYSCALLS] != NULL &&
	    want_type(c, vals[K_SYSCALLS], JSON_ARRAY, "profile", "syscalls") < 0)
		return -1;
	size_t n_rules = vals[K_SYSCALLS] ? json_array_size(vals[K_SYSCALLS]) : 0;

	if ((defact == NULL || *defact == '\0') && n_rules == 0) {
		/* moby's setupSeccomp returns no seccomp config at all for this. */
		p->unconfined = true;
		return 0;
	}
	if (defact == NULL || *defact == '\0')
		return perr(c, vals[K_DEFACT] ? vals[K_DEFACT] : root,
			    "profile: \"defaultAction\" is missing");
	if (get_action(c, vals[K_DEFACT], "profile", "defaultAction", &p->default_action,
		       &p->default_action_name) < 0)
		return -1;

	if (parse_default_errno(c, vals[K_DEFERRNORET], vals[K_DEFERRNO]) < 0)
		return -1;

	if (vals[K_ARCHES] != NULL && parse_arches(c, vals[K_ARCHES]) < 0)
		return -1;
	if (vals[K_ARCHMAP] != NULL && parse_archmap(c, vals[K_ARCHMAP]) < 0)
		return -1;
	if (p->n_arches > 0 && p->n_archmap > 0)
		return perr(c, vals[K_ARCHMAP],
			    "profile: both 'architectures' and 'archMap' are specified, use either "
			    "'architectures' or 'archMap'");

	if (vals[K_FLAGS] != NULL && parse_flags(c, vals[K_FLAGS]) < 0)
		return -1;
	if (parse_listener(c, vals[K_LISTENER], vals[K_LISTENER_META]) < 0 ||
	    parse_rules(c, vals[K_SYSCALLS], n_rules) < 0)
		return -1;
	return check_notify(c, vals[K_DEFACT]);
}

/* A whole OCI config.json: the profile is its linux.seccomp. */
static bool
looks_like_oci_config(const json_t *root)
{
	if (json_object_get(root, "defaultAction") || json_object_get(root, "syscalls"))
		return false;
	return json_object_get(root, "ociVersion") != NULL ||
	       json_object_get(root, "linux") != NULL;
}

static void
free_cond(struct mr_prof_cond *c)
{
	free_strings(c->arches, c->n_arches);
	free_strings(c->caps, c->n_caps);
}

void
mr_profile_free(struct mr_profile *p)
{
	if (p == NULL)
		return;
	free(p->source);
	free(p->listener_path);
	free(p->listener_metadata);
	free(p->default_action_name);
	free(p->lost_rules_key);
	free(p->arches);
	for (size_t i = 0; i < p->n_archmap; i++) {
		free(p->archmap[i].arch);
		free_strings(p->archmap[i].sub_arches, p->archmap[i].n_sub_arches);
		free(p->archmap[i].sub_pos);
	}
	free(p->archmap);
	for (size_t i = 0; i < p->n_rules; i++) {
		struct mr_prof_rule *r = &p->rules[i];
		free_strings(r->names, r->n_names);
		free(r->name_pos);
		free(r->action_name);
		free(r->args);
		free(r->comment);
		free_cond(&r->includes);
		free_cond(&r->excludes);
	}
	free(p->rules);
	mr_strv_clear(&p->warnings);
	free(p);
}

/* Keys match case-insensitively, as in Go's encoding/json; the last match wins. */
static const json_t *
get_key_ci(const json_t *obj, const char *name)
{
	const json_t *found = NULL;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
	{
		if (strcasecmp(key, name) == 0)
			found = v;
	}
	return found;
}

/*
 * A Kubernetes resource: the Security Profiles Operator's SeccompProfile
 * (apiVersion security-profiles-operator.x-k8s.io/..., kind SeccompProfile)
 * holds the profile in "spec", with the OCI key names and action spellings.
 * Returns 1 with *out set to the spec, 0 when root is no Kubernetes resource,
 * -1 on error.
 */
static int
spo_spec(struct pctx *c, const json_t *root, const json_t **out)
{
	const json_t *api = json_object_get(root, "apiVersion");
	const json_t *kind = json_object_get(root, "kind");
	if (api == NULL || kind == NULL || json_object_get(root, "defaultAction") != NULL)
		return 0;
	const char *k = json_string_value(kind);
	const char *a = json_string_value(api);
	if (k == NULL || a == NULL || strcmp(k, "SeccompProfile") != 0 ||
	    strncmp(a, "security-profiles-operator.x-k8s.io/", 36) != 0)
		return perr(c, kind,
			    "a Kubernetes resource of kind %s (%s), not a SeccompProfile of the "
			    "Security Profiles Operator (security-profiles-operator.x-k8s.io)",
			    k ? k : "?", a ? a : "?");
	const json_t *spec = json_object_get(root, "spec");
	if (spec == NULL || !json_is_object(spec))
		return perr(c, spec ? spec : root, "SeccompProfile: \"spec\" %s",
			    spec ? "must be an object" : "is missing");
	c->spo = true;
	const json_t *base = json_object_get(spec, "baseProfileName");
	if (base == NULL) {
		*out = spec;
		return 1;
	}
	/* The operator unions the base into this profile in the cluster; here only this one
	 * applies, which denies what the base alone allowed.  Said once, not as an unknown key. */
	if (pwarn(c, base,
		  "SeccompProfile: spec.baseProfileName \"%s\" is merged in by the operator; "
		  "minirun reads this profile alone (add the base's syscalls to it)",
		  json_string_value(base) ? json_string_value(base) : "?") < 0)
		return -1;
	c->owned = json_copy((json_t *)spec); /* shallow: the values keep their positions */
	if (c->owned == NULL || json_object_del(c->owned, "baseProfileName") < 0)
		return mr_error_oomf(c->err, "seccomp profile %s", c->source);
	*out = c->owned;
	return 1;
}

/*
 * The object to parse: root itself, or the linux.seccomp of an OCI
 * config.json (keys matched as Go's encoding/json does, case-insensitively).
 */
static int
seccomp_object(struct pctx *c, const json_t *root, const json_t **out)
{
	if (!json_is_object(root))
		return perr(c, root, "a profile must be a JSON object, not %s",
			    mr_json_type_name(root));
	*out = root;
	int spo = spo_spec(c, root, out);
	if (spo != 0)
		return spo < 0 ? -1 : 0;
	if (!looks_like_oci_config(root))
		return 0;
	const json_t *linux_ = get_key_ci(root, "linux");
	const json_t *obj = json_is_object(linux_) ? get_key_ci(linux_, "seccomp") : NULL;
	if (obj == NULL || json_is_null(obj))
		return perr(c, linux_ ? linux_ : root,
			    "an OCI config.json without linux.seccomp: there is no profile in "
			    "it (use --security-opt seccomp=unconfined to run without one)");
	if (!json_is_object(obj))
		return perr(c, obj, "linux.seccomp must be an object, not %s",
			    mr_json_type_name(obj));
	*out = obj;
	c->oci_config = true;
	return 0;
}

/* JSON text never contains a raw NUL, and jansson reads one inconsistently (as the end of
 * some tokens). */
static int
refuse_nul(const char *text, size_t len, const char *source, struct mr_error *err)
{
	const char *nul = memchr(text, '\0', len);
	if (nul == NULL)
		return 0;
	int line = 1, col = 1;
	for (const char *q = text; q < nul; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)*q & 0xc0) != 0x80) {
			col++;
		}
	}
	return mr_error_set(err, 0, "seccomp profile %s:%d:%d: invalid JSON: a NUL byte", source,
			    line, col);
}

/* How much an action takes away: ALLOW < LOG < ERRNO, TRACE < TRAP < KILL. */
static int
act_rank(enum mr_act a)
{
	switch (a) {
	case MR_ACT_ALLOW:
		return 0;
	case MR_ACT_LOG:
		return 1;
	case MR_ACT_TRACE:
	case MR_ACT_ERRNO:
	case MR_ACT_NOTIFY: /* the agent may refuse it */
		return 2;
	case MR_ACT_TRAP:
		return 3;
	case MR_ACT_KILL_THREAD:
		return 4;
	case MR_ACT_KILL_PROCESS:
		return 5;
	default:
		break;
	}
	return 5;
}

bool
mr_act_stricter(enum mr_act a, enum mr_act b)
{
	return act_rank(a) > act_rank(b);
}

/* The text as a tree: YAML when named so (kubectl's files), else JSON; positions into c->pm. */
static int
load_root(const char *text, size_t len, struct pctx *c, json_t **root)
{
	const char *source = c->source;
	json_error_t jerr;

	if (refuse_nul(text, len, source, c->err) < 0)
		return -1;
	if (mr_yaml_named(source)) {
		struct mr_yaml_pos *ypos = NULL;
		size_t n_ypos = 0;
		if (mr_yaml_load(text, len, source, root, &ypos, &n_ypos, c->err) < 0)
			return -1;
		int r = posmap_from_yaml(&c->pm, ypos, n_ypos);
		free(ypos);
		if (r < 0)
			return mr_error_oomf(c->err, "seccomp profile %s", source);
		return 0;
	}
	*root = mr_json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr, &c->big);
	char hint[128];
	/* YAML is a superset of JSON, so the file name decides, not a guess; a YAML
	 * file under another name gets told why its JSON fails. */
	if (*root == NULL && mr_yaml_looks_like(text, len, hint, sizeof(hint)))
		return mr_error_set(c->err, 0,
				    "seccomp profile %s:%d:%d: invalid JSON: %s; the file "
				    "looks like YAML (%s): name it .yaml or .yml to read it "
				    "as YAML",
				    source, jerr.line, jerr.column, jerr.text, hint);
	if (*root == NULL)
		return mr_error_set(c->err, 0, "seccomp profile %s:%d:%d: invalid JSON: %s", source,
				    jerr.line, jerr.column, jerr.text);
	if (posmap_build(&c->pm, text, len, *root) < 0)
		return mr_error_oomf(c->err, "seccomp profile %s", source);
	return 0;
}

int
mr_profile_parse(const char *text, size_t len, const char *source, struct mr_profile **out,
		 struct mr_error *err)
{
	cleanup_json json_t *root = NULL;
	cleanup_posmap struct pctx c = {.source = source, .err = err};
	cleanup_profile struct mr_profile *p = NULL;
	const json_t *obj = NULL;

	*out = NULL;
	if (load_root(text, len, &c, &root) < 0)
		return -1;
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->source = strdup(source)) == NULL)
		return mr_error_oomf(err, "seccomp profile %s", source);
	c.p = p;
	if (seccomp_object(&c, root, &obj) < 0 || parse_seccomp(&c, obj) < 0)
		return -1;
	*out = mr_steal_pointer(&p);
	return 0;
}

/* A SeccompProfile spells errnoRet as a string of digits; Docker and runc want a number. */
static int
errno_ret_to_number(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	if (s == NULL)
		return 0;
	return json_object_set_new(obj, key, json_integer(strtoll(s, NULL, 10)));
}

int
mr_profile_object(const char *text, size_t len, const char *source, json_t **out,
		  struct mr_error *err)
{
	cleanup_json json_t *root = NULL;
	/* The parse of the same text has said its warnings already: these are dropped. */
	cleanup_profile struct mr_profile *quiet = calloc(1, sizeof(*quiet));
	cleanup_posmap struct pctx c = {.source = source, .err = err, .p = quiet};
	const json_t *obj = NULL;
	size_t i;
	json_t *rule;

	*out = NULL;
	if (quiet == NULL)
		return mr_error_oomf(err, "seccomp profile %s", source);
	if (load_root(text, len, &c, &root) < 0 || seccomp_object(&c, root, &obj) < 0)
		return -1;
	json_t *copy = json_deep_copy(obj);
	if (copy == NULL)
		return mr_error_oomf(err, "seccomp profile %s", source);
	json_object_del(copy, "baseProfileName");
	int bad = errno_ret_to_number(copy, "defaultErrnoRet");
	json_array_foreach(json_object_get(copy, "syscalls"), i, rule)
	{
		if (json_is_object(rule))
			bad |= errno_ret_to_number(rule, "errnoRet");
	}
	if (bad != 0) {
		json_decref(copy);
		return mr_error_oomf(err, "seccomp profile %s", source);
	}
	*out = copy;
	return 0;
}

int
mr_profile_read(const char *path, char **text, size_t *text_len, struct mr_error *err)
{
	return mr_profile_read_at(AT_FDCWD, path, 0, path, text, text_len, err);
}

int
mr_profile_read_at(int dirfd, const char *path, uint64_t resolve, const char *source, char **text,
		   size_t *text_len, struct mr_error *err)
{
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	struct stat st;
	size_t len = 0, cap = 0;

	*text = NULL;
	*text_len = 0;
	/*
	 * Opened only once known to be a regular file: a FIFO would block the
	 * open until something writes to it, a device would be opened by root.
	 */
	fd = mr_open_regular_read(dirfd, path, resolve, &st);
	if (fd == MR_NOT_REGULAR && S_ISDIR(st.st_mode))
		return mr_error_set(err, EISDIR, "seccomp profile %s", source);
	if (fd == MR_NOT_REGULAR)
		return mr_error_set(err, 0, "seccomp profile %s: not a regular file", source);
	if (fd < 0)
		return mr_error_set(err, errno, "seccomp profile %s", source);
	for (;;) {
		if (len == cap) {
			if (cap >= MR_PROFILE_MAX_BYTES)
				return mr_error_set(err, EFBIG, "seccomp profile %s", source);
			cap = cap ? cap * 2 : 64 * 1024;
			char *nb = realloc(buf, cap);
			if (nb == NULL)
				return mr_error_oomf(err, "seccomp profile %s", source);
			buf = nb;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mr_error_set(err, errno, "seccomp profile %s", source);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*text = mr_steal_ptr(&buf);
	*text_len = len;
	return 0;
}

int
mr_profile_load(const char *path, struct mr_profile **out, struct mr_error *err)
{
	cleanup_free char *text = NULL;
	size_t len;

	*out = NULL;
	if (mr_profile_read(path, &text, &len, err) < 0)
		return -1;
	return mr_profile_parse(text, len, path, out, err);
}
