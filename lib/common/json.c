/* SPDX-License-Identifier: MIT */
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* The stand-in for the k-th big integer: a negative real of about 1e-300,
   which no config or profile has (mr_json_loadb checks that). */
static int
mark_text(size_t k, char *buf, size_t size)
{
	return snprintf(buf, size, "-%zue-300", k + 1);
}

/*
 * The integer literal at text[s], if it is one jansson refuses and Go's
 * uint64 reads: outside any string (the caller skips them), a token of its
 * own (not after "-", "e" or another character of a number), no leading
 * zero, no fraction or exponent after it, in 2^63..2^64-1.  Sets *end.
 */
static bool
big_literal(const char *text, size_t len, size_t s, size_t *end, uint64_t *value)
{
	size_t e = s;
	while (e < len && isdigit((unsigned char)text[e]))
		e++;
	*end = e;
	if (s > 0 && strchr(" \t\n\r[,:", text[s - 1]) == NULL)
		return false;
	/* Fewer than 19 digits is at most 2^63-1: the usual case, decided here. */
	if (e - s < 19 || e - s > 20 || text[s] == '0' ||
	    (e < len && (text[e] == '.' || text[e] == 'e' || text[e] == 'E')))
		return false;
	char digits[21];
	memcpy(digits, text + s, e - s);
	digits[e - s] = '\0';
	errno = 0;
	unsigned long long v = strtoull(digits, NULL, 10);
	if (errno != 0 || v <= INT64_MAX)
		return false;
	*value = v;
	return true;
}

static size_t
count_marks(const json_t *v, const struct mr_json_big *big)
{
	size_t n = 0, i;
	const char *key;
	json_t *e;
	uint64_t ignored;
	if (json_is_real(v))
		return mr_json_u64(v, big, &ignored) ? 1 : 0;
	if (json_is_array(v))
		json_array_foreach(v, i, e) n += count_marks(e, big);
	if (json_is_object(v))
		json_object_foreach((json_t *)v, key, e) n += count_marks(e, big);
	return n;
}

/* The rewrites, in document order: where each mark starts in the
   rewritten text, and how much longer than the literal it is. */
struct rewrites {
	size_t start[MR_JSON_BIG_MAX];
	long delta[MR_JSON_BIG_MAX];
};

/* An error about the rewritten text, told about the text as given: the
   lines are the same (a mark has no newline), columns shift, and a mark
   jansson quotes ("near '-1e-300'") is named by its integer. */
static void
error_as_given(const json_error_t *e, const char *cur, const struct rewrites *rw,
	       const struct mr_json_big *big, json_error_t *jerr)
{
	*jerr = *e;
	for (size_t k = 0; k < big->n; k++) {
		char quoted[40], *at;
		int n = snprintf(quoted, sizeof(quoted), "'");
		n += mark_text(k, quoted + n, sizeof(quoted) - (size_t)n);
		snprintf(quoted + n, sizeof(quoted) - (size_t)n, "'");
		if ((at = strstr(jerr->text, quoted)) == NULL)
			continue;
		char tail[sizeof(jerr->text)];
		snprintf(tail, sizeof(tail), "%s", at + strlen(quoted));
		snprintf(at, sizeof(jerr->text) - (size_t)(at - jerr->text), "'%llu'%s",
			 (unsigned long long)big->value[k], tail);
	}
	if (e->position < 0)
		return;
	for (size_t k = 0; k < big->n; k++) {
		size_t p = (size_t)e->position;
		if (rw->start[k] >= p)
			break;
		if (memchr(cur + rw->start[k], '\n', p - rw->start[k]) == NULL)
			jerr->column -= (int)rw->delta[k];
		jerr->position -= (int)rw->delta[k];
	}
}

/*
 * The text with each big integer (big_literal) replaced by its mark, in one
 * pass: strings are skipped whole (a backslash escapes the next byte), so
 * digits in them or in keys stay.  *rewritten stays NULL when there is
 * none.  Past MR_JSON_BIG_MAX, the literal stays, and jansson refuses it.
 * Returns 0, or -1 (ENOMEM).
 */
static int
rewrite(const char *text, size_t len, char **rewritten, size_t *out_len, struct rewrites *rw,
	struct mr_json_big *big)
{
	char *out = NULL;
	size_t o = 0, copied = 0;
	for (size_t i = 0; i < len;) {
		if (text[i] == '"') {
			for (i++; i < len && text[i] != '"'; i++)
				if (text[i] == '\\')
					i++;
			i++;
			continue;
		}
		size_t end;
		uint64_t value;
		if (!isdigit((unsigned char)text[i])) {
			i++;
			continue;
		}
		if (!big_literal(text, len, i, &end, &value) || big->n == MR_JSON_BIG_MAX) {
			i = end;
			continue;
		}
		/* A mark is shorter than the literal it stands for. */
		if (out == NULL && (out = *rewritten = malloc(len)) == NULL)
			return -1;
		memcpy(out + o, text + copied, i - copied);
		o += i - copied;
		char mark[32];
		size_t mlen = (size_t)mark_text(big->n, mark, sizeof(mark));
		memcpy(out + o, mark, mlen);
		rw->start[big->n] = o;
		rw->delta[big->n] = (long)mlen - (long)(end - i);
		big->mark[big->n] = strtod(mark, NULL);
		big->value[big->n++] = value;
		o += mlen;
		i = copied = end;
	}
	if (out != NULL) {
		memcpy(out + o, text + copied, len - copied);
		*out_len = o + len - copied;
	}
	return 0;
}

json_t *
mr_json_loadb(const char *text, size_t len, size_t flags, json_error_t *jerr,
	      struct mr_json_big *big)
{
	struct rewrites rw;
	size_t cur_len = len;

	big->n = 0;
	/* Documents without such integers (all but a few) are read once, as they are. */
	json_error_t first;
	json_t *plain = json_loadb(text, len, flags, &first);
	if (plain != NULL || json_error_code(&first) != json_error_numeric_overflow) {
		if (plain == NULL)
			*jerr = first;
		return plain;
	}
	cleanup_free char *copy = NULL;
	if (rewrite(text, len, &copy, &cur_len, &rw, big) < 0) {
		memset(jerr, 0, sizeof(*jerr));
		snprintf(jerr->text, sizeof(jerr->text), "out of memory");
		return NULL;
	}
	const char *cur = copy ? copy : text;
	json_error_t e;
	json_t *root = json_loadb(cur, cur_len, flags, &e);
	if (root == NULL) {
		error_as_given(&e, cur, &rw, big, jerr);
		return NULL;
	}
	if (big->n > 0 && count_marks(root, big) != big->n) {
		/* A real of the document itself took a mark's value. */
		json_decref(root);
		memset(jerr, 0, sizeof(*jerr));
		jerr->line = jerr->column = -1;
		snprintf(jerr->text, sizeof(jerr->text),
			 "integers above 2^63-1 next to reals of about -1e-300: not read");
		return NULL;
	}
	return root;
}

bool
mr_json_u64(const json_t *v, const struct mr_json_big *big, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	if (!json_is_real(v) || big == NULL)
		return false;
	for (size_t k = 0; k < big->n; k++)
		if (json_real_value(v) == big->mark[k]) {
			*out = big->value[k];
			return true;
		}
	return false;
}

/*
 * A big integer as a string that no document can hold: a NUL, then its
 * digits.  jansson refuses \u0000 in keys always and in strings unless
 * JSON_ALLOW_NUL, so a tree read without that flag has no other.
 */
static json_t *
unmarked(const json_t *v, const struct mr_json_big *big)
{
	uint64_t value;
	char buf[32];
	if (!json_is_real(v) || !mr_json_u64(v, big, &value))
		return NULL;
	int n = snprintf(buf, sizeof(buf), "%c%llu", '\0', (unsigned long long)value);
	return json_stringn(buf, (size_t)n);
}

int
mr_json_unmark(json_t *v, const struct mr_json_big *big)
{
	size_t i;
	const char *key;
	json_t *e, *s;
	if (big->n == 0)
		return 0;
	if (json_is_array(v))
		json_array_foreach(v, i, e)
		{
			if ((s = unmarked(e, big)) != NULL ? json_array_set_new(v, i, s) < 0
							   : mr_json_unmark(e, big) < 0)
				return -1;
		}
	if (json_is_object(v))
		json_object_foreach(v, key, e)
		{
			/* Setting a key already there keeps the iteration's order. */
			if ((s = unmarked(e, big)) != NULL ? json_object_set_new(v, key, s) < 0
							   : mr_json_unmark(e, big) < 0)
				return -1;
		}
	return 0;
}

char *
mr_json_dumps_big(const json_t *v, size_t flags)
{
	static const char sentinel[] = "\"\\u0000";
	char *text = json_dumps(v, flags);
	if (text == NULL)
		return NULL;
	char *out = text;
	for (const char *in = text; *in;) {
		size_t n = strlen(sentinel);
		if (strncmp(in, sentinel, n) == 0) {
			for (in += n; isdigit((unsigned char)*in); in++)
				*out++ = *in;
			in++; /* the closing quote */
			continue;
		}
		*out++ = *in++;
	}
	*out = '\0';
	return text;
}
