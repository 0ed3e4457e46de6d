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
 * The integer literal that ends at `end` (jansson's error position for a
 * numeric overflow), if it is unsigned and fits 64 bits.
 */
static bool
big_literal(const char *text, size_t end, size_t *start, uint64_t *value)
{
	size_t s = end;
	while (s > 0 && isdigit((unsigned char)text[s - 1]))
		s--;
	if (s == end || end - s > 20 || (s > 0 && (text[s - 1] == '-' || text[s - 1] == '.')))
		return false;
	char digits[21];
	memcpy(digits, text + s, end - s);
	digits[end - s] = '\0';
	errno = 0;
	unsigned long long v = strtoull(digits, NULL, 10);
	if (errno != 0)
		return false;
	*start = s;
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

/* Rewrites made so far, in document order: where each mark starts in the
   current text, and how much longer than the literal it is. */
struct rewrites {
	size_t start[MR_JSON_BIG_MAX];
	long delta[MR_JSON_BIG_MAX];
};

/* An error about the rewritten text, told about the text as given: the
   lines are the same (a mark has no newline), columns shift. */
static void
error_as_given(const json_error_t *e, const char *cur, const struct rewrites *rw, size_t n,
	       json_error_t *jerr)
{
	*jerr = *e;
	if (e->position < 0)
		return;
	for (size_t k = 0; k < n; k++) {
		size_t p = (size_t)e->position;
		if (rw->start[k] >= p)
			break;
		if (memchr(cur + rw->start[k], '\n', p - rw->start[k]) == NULL)
			jerr->column -= (int)rw->delta[k];
		jerr->position -= (int)rw->delta[k];
	}
}

json_t *
mr_json_loadb(const char *text, size_t len, size_t flags, json_error_t *jerr,
	      struct mr_json_big *big)
{
	cleanup_free char *copy = NULL;
	const char *cur = text;
	size_t cur_len = len;
	struct rewrites rw;

	big->n = 0;
	for (;;) {
		json_error_t e;
		json_t *root = json_loadb(cur, cur_len, flags, &e);
		if (root != NULL && big->n > 0 && count_marks(root, big) != big->n) {
			/* A real of the document itself took a mark's value. */
			json_decref(root);
			memset(jerr, 0, sizeof(*jerr));
			jerr->line = jerr->column = -1;
			snprintf(jerr->text, sizeof(jerr->text),
				 "integers above 2^63-1 next to reals of about -1e-300: not read");
			return NULL;
		}
		if (root != NULL)
			return root;
		size_t start;
		uint64_t value;
		if (json_error_code(&e) != json_error_numeric_overflow ||
		    big->n == MR_JSON_BIG_MAX || e.position < 0 || (size_t)e.position > cur_len ||
		    !big_literal(cur, (size_t)e.position, &start, &value)) {
			error_as_given(&e, cur, &rw, big->n, jerr);
			return NULL;
		}
		size_t end = (size_t)e.position;
		char mark[32];
		size_t mlen = (size_t)mark_text(big->n, mark, sizeof(mark));
		size_t next_len = cur_len - (end - start) + mlen;
		char *next = malloc(next_len);
		if (next == NULL) {
			memset(jerr, 0, sizeof(*jerr));
			snprintf(jerr->text, sizeof(jerr->text), "out of memory");
			return NULL;
		}
		memcpy(next, cur, start);
		memcpy(next + start, mark, mlen);
		memcpy(next + start + mlen, cur + end, cur_len - end);
		rw.start[big->n] = start;
		rw.delta[big->n] = (long)mlen - (long)(end - start);
		big->mark[big->n] = strtod(mark, NULL);
		big->value[big->n++] = value;
		free(copy);
		cur = copy = next;
		cur_len = next_len;
	}
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
