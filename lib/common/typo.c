/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "common/typo.h"

size_t
mr_typo_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 64 || m > 64)
		return (size_t)-1;
	size_t d[65][65];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			/* A swap of neighbours ("mkdri") is one typo, not two. */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m];
}

/* The nearest candidate, if it is close enough to be a typo of s. */
const char *
mr_typo_nearest(const char *s, const char *const *cand, size_t n, bool nocase)
{
	const char *best = NULL;
	size_t bd = (size_t)-1;
	char ls[65], lc[65];
	for (size_t i = 0; i < n; i++) {
		const char *x = s, *y = cand[i];
		if (nocase) {
			size_t k;
			for (k = 0; s[k] && k < 64; k++)
				ls[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
			ls[k] = '\0';
			for (k = 0; cand[i][k] && k < 64; k++)
				lc[k] =
				    (char)(cand[i][k] >= 'A' && cand[i][k] <= 'Z' ? cand[i][k] + 32
										  : cand[i][k]);
			lc[k] = '\0';
			x = ls;
			y = lc;
		}
		size_t d = mr_typo_distance(x, y);
		if (d < bd) {
			bd = d;
			best = cand[i];
		}
	}
	size_t len = strlen(s);
	/* Two edits, and never more than a third of the word: "foo" is no typo of "open". */
	if (best == NULL || bd == 0 || bd > 2 || bd * 3 > len)
		return NULL;
	return best;
}
