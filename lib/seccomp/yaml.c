/* SPDX-License-Identifier: MIT */
/*
 * YAML -> the jansson tree of lib/seccomp/profile.c, with positions.
 *
 * libyaml's event API gives each node with its start mark; the tree is built
 * on a stack as the events come.  Plain scalars are typed with the YAML 1.2
 * core schema (null, true/false, integers, floats; everything else is a
 * string); quoted scalars are always strings.  That is what a YAML reader in
 * Kubernetes makes of a SeccompProfile too, for every key the profile
 * format has: action names, syscall names and numbers.
 */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "seccomp/yaml.h"
#include "common/util.h"

/* Far deeper than any profile (4 levels); keeps a hostile file from exhausting the stack. */
#define MR_YAML_MAX_DEPTH 256

struct frame {
	json_t *v;    /* the object or array being filled */
	char *key;    /* object: the key waiting for its value (NULL: next scalar is a key) */
	int key_line; /* where that key is, for "duplicate key" */
	int key_column;
};

struct ybuild {
	const char *source;
	struct mr_error *err;
	struct frame stack[MR_YAML_MAX_DEPTH];
	int depth;
	json_t *root;
	struct mr_yaml_pos *pos;
	size_t n_pos, cap_pos;
};

static int yerr(struct ybuild *b, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
yerr(struct ybuild *b, yaml_mark_t m, const char *fmt, ...)
{
	char msg[MR_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mr_error_set(b->err, 0, "seccomp profile %s: YAML line %zu column %zu: %s",
			    b->source, m.line + 1, m.column + 1, msg);
}

static int
note_pos(struct ybuild *b, const json_t *v, yaml_mark_t m)
{
	if (b->n_pos == b->cap_pos) {
		size_t ncap = b->cap_pos ? b->cap_pos * 2 : 128;
		struct mr_yaml_pos *np = realloc(b->pos, ncap * sizeof(*np));
		if (np == NULL)
			return mr_error_oomf(b->err, "seccomp profile %s", b->source);
		b->pos = np;
		b->cap_pos = ncap;
	}
	b->pos[b->n_pos++] = (struct mr_yaml_pos){v, (int)m.line + 1, (int)m.column + 1};
	return 0;
}

static bool
matches(const char *re, const char *s)
{
	regex_t r;
	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	bool m = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return m;
}

enum ykind { Y_STR, Y_NULL, Y_BOOL, Y_INT, Y_FLOAT };

/* The YAML 1.2 core schema's resolution of a plain scalar. */
static enum ykind
resolve_plain(const char *s)
{
	if (*s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0)
		return Y_NULL;
	if (matches("^(true|True|TRUE|false|False|FALSE)$", s))
		return Y_BOOL;
	if (matches("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", s))
		return Y_INT;
	if (matches("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$", s))
		return Y_FLOAT;
	return Y_STR;
}

static json_t *
make_int(struct ybuild *b, const char *s, yaml_mark_t m)
{
	int base = 10;
	const char *digits = s;
	if (strncmp(s, "0x", 2) == 0) {
		base = 16;
		digits = s + 2;
	} else if (strncmp(s, "0o", 2) == 0) {
		base = 8;
		digits = s + 2;
	}
	errno = 0;
	char *end = NULL;
	long long v = strtoll(digits, &end, base);
	if (errno == ERANGE || end == digits || *end != '\0') {
		/* The JSON path stops at the same place: jansson's integers are 64-bit signed. */
		yerr(b, m, "integer %s is out of range (at most %lld)", s, LLONG_MAX);
		return NULL;
	}
	json_t *j = json_integer(v);
	if (j == NULL)
		mr_error_oomf(b->err, "seccomp profile %s", b->source);
	return j;
}

static json_t *
make_scalar(struct ybuild *b, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	yaml_mark_t m = ev->start_mark;
	enum ykind k = Y_STR;

	if (strlen(s) != ev->data.scalar.length) {
		yerr(b, m, "a NUL character in a scalar");
		return NULL;
	}
	if (tag != NULL && strcmp(tag, "!") != 0) {
		static const struct {
			const char *tag;
			enum ykind kind;
		} tags[] = {
		    {YAML_STR_TAG, Y_STR}, {YAML_NULL_TAG, Y_NULL},   {YAML_BOOL_TAG, Y_BOOL},
		    {YAML_INT_TAG, Y_INT}, {YAML_FLOAT_TAG, Y_FLOAT},
		};
		bool known = false;
		for (size_t i = 0; i < MR_ARRAY_SIZE(tags) && !known; i++)
			if (strcmp(tags[i].tag, tag) == 0) {
				k = tags[i].kind;
				known = true;
			}
		if (!known) {
			yerr(b, m,
			     "tag %s: only the core schema's tags (!!str, !!int, ...) mean "
			     "something in a profile",
			     tag);
			return NULL;
		}
		if (k != Y_STR && resolve_plain(s) != k &&
		    !(k == Y_FLOAT && resolve_plain(s) == Y_INT)) {
			yerr(b, m, "\"%s\" is not a valid %s", s, tag);
			return NULL;
		}
	} else if (ev->data.scalar.plain_implicit &&
		   ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		k = resolve_plain(s);
	}

	json_t *j = NULL;
	switch (k) {
	case Y_NULL:
		j = json_null();
		break;
	case Y_BOOL:
		j = json_boolean(s[0] == 't' || s[0] == 'T');
		break;
	case Y_INT:
		return make_int(b, s, m);
	case Y_FLOAT:
		j = json_real(strtod(s, NULL));
		break;
	case Y_STR:
		j = json_stringn(s, ev->data.scalar.length);
		if (j == NULL) {
			yerr(b, m, "a scalar that is not valid UTF-8");
			return NULL;
		}
		break;
	default:
		break;
	}
	if (j == NULL)
		mr_error_oomf(b->err, "seccomp profile %s", b->source);
	return j;
}

/* Put v (a new reference, taken) where it belongs: root, array element or object member. */
static int
place(struct ybuild *b, json_t *v, yaml_mark_t m)
{
	if (note_pos(b, v, m) < 0) {
		json_decref(v);
		return -1;
	}
	if (b->depth == 0) {
		b->root = v;
		return 0;
	}
	struct frame *f = &b->stack[b->depth - 1];
	if (json_is_array(f->v)) {
		if (json_array_append_new(f->v, v) < 0)
			return mr_error_oomf(b->err, "seccomp profile %s", b->source);
		return 0;
	}
	if (json_object_get(f->v, f->key) != NULL) {
		json_decref(v);
		return yerr(
		    b, (yaml_mark_t){.line = (size_t)f->key_line, .column = (size_t)f->key_column},
		    "duplicate key \"%s\"", f->key);
	}
	int r = json_object_set_new(f->v, f->key, v);
	free(f->key);
	f->key = NULL;
	if (r < 0)
		return mr_error_oomf(b->err, "seccomp profile %s", b->source);
	return 0;
}

/* In an object with no key pending, a scalar is the key. */
static bool
wants_key(const struct ybuild *b)
{
	return b->depth > 0 && json_is_object(b->stack[b->depth - 1].v) &&
	       b->stack[b->depth - 1].key == NULL;
}

static int
on_event(struct ybuild *b, const yaml_event_t *ev, int *documents)
{
	yaml_mark_t m = ev->start_mark;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*documents > 1)
			return yerr(b, m, "a second YAML document (---): a profile file holds one");
		return 0;
	case YAML_ALIAS_EVENT:
		return yerr(b, m,
			    "alias *%s: aliases are not read in a profile (write the "
			    "value out)",
			    (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		if (wants_key(b)) {
			struct frame *f = &b->stack[b->depth - 1];
			const char *k = (const char *)ev->data.scalar.value;
			if (strlen(k) != ev->data.scalar.length)
				return yerr(b, m, "a NUL character in a key");
			f->key = strdup(k);
			if (f->key == NULL)
				return mr_error_oomf(b->err, "seccomp profile %s", b->source);
			f->key_line = (int)m.line;
			f->key_column = (int)m.column;
			return 0;
		} else {
			json_t *v = make_scalar(b, ev);
			return v == NULL ? -1 : place(b, v, m);
		}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		if (wants_key(b))
			return yerr(b, m, "a key must be a plain value, not a %s",
				    ev->type == YAML_MAPPING_START_EVENT ? "mapping" : "sequence");
		if (b->depth == MR_YAML_MAX_DEPTH)
			return yerr(b, m, "nested deeper than %d levels", MR_YAML_MAX_DEPTH);
		json_t *v = ev->type == YAML_MAPPING_START_EVENT ? json_object() : json_array();
		if (v == NULL)
			return mr_error_oomf(b->err, "seccomp profile %s", b->source);
		json_incref(v); /* place() takes one reference, the stack keeps one */
		if (place(b, v, m) < 0) {
			json_decref(v);
			return -1;
		}
		b->stack[b->depth++] = (struct frame){.v = v};
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		struct frame *f = &b->stack[--b->depth];
		json_decref(f->v);
		free(f->key);
		return 0;
	}
	case YAML_NO_EVENT:
	case YAML_STREAM_START_EVENT:
	case YAML_STREAM_END_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	default:
		return 0;
	}
}

int
mr_yaml_load(const char *text, size_t len, const char *source, json_t **root,
	     struct mr_yaml_pos **pos, size_t *n_pos, struct mr_error *err)
{
	struct ybuild b = {.source = source, .err = err};
	yaml_parser_t parser;
	int documents = 0, r = 0;
	bool done = false;

	*root = NULL;
	*pos = NULL;
	*n_pos = 0;
	if (!yaml_parser_initialize(&parser))
		return mr_error_oomf(err, "seccomp profile %s", source);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && r == 0) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			yaml_mark_t m = parser.problem_mark;
			if (parser.context != NULL)
				r = yerr(&b, m, "invalid YAML: %s %s", parser.problem,
					 parser.context);
			else
				r = yerr(&b, m, "invalid YAML: %s",
					 parser.problem ? parser.problem : "unreadable");
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		r = on_event(&b, &ev, &documents);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	while (b.depth > 0) {
		b.depth--;
		json_decref(b.stack[b.depth].v);
		free(b.stack[b.depth].key);
	}
	if (r == 0 && b.root == NULL)
		r = mr_error_set(err, 0,
				 "seccomp profile %s: YAML line 1 column 1: the file "
				 "holds no YAML document",
				 source);
	if (r < 0) {
		json_decref(b.root);
		free(b.pos);
		return -1;
	}
	*root = b.root;
	*pos = b.pos;
	*n_pos = b.n_pos;
	return 0;
}

bool
mr_yaml_named(const char *path)
{
	size_t n = path ? strlen(path) : 0;
	return (n > 5 && strcasecmp(path + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcasecmp(path + n - 4, ".yml") == 0);
}

bool
mr_yaml_looks_like(const char *text, size_t len, char *hint, size_t hint_size)
{
	size_t i = 0;
	while (i < len) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		size_t s = i;
		while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
			s++;
		i = e + 1;
		if (s == e || text[s] == '#')
			continue;
		size_t n = e - s;
		while (n > 0 && (text[s + n - 1] == '\r' || text[s + n - 1] == ' '))
			n--;
		char line[128];
		snprintf(line, sizeof(line), "%.*s", (int)(n < 100 ? n : 100), text + s);
		/* "key:" or "key: value" with a plain key, or a document marker. */
		bool yaml = strncmp(line, "---", 3) == 0 || strncmp(line, "%YAML", 5) == 0 ||
			    matches("^[A-Za-z_][A-Za-z0-9_.-]*:( |$)", line) ||
			    matches("^- [A-Za-z_]", line);
		if (yaml && hint_size > 0)
			snprintf(hint, hint_size, "%s", line);
		return yaml;
	}
	return false;
}
