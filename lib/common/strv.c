/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"

int
mr_strv_addf(struct mr_strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *line = NULL;
	char **nv;

	va_start(ap, fmt);
	int r = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	nv = realloc(sv->v, (sv->n + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(line);
		return -1;
	}
	sv->v = nv;
	sv->v[sv->n++] = line;
	return 0;
}

int
mr_strv_move(struct mr_strv *to, struct mr_strv *from)
{
	if (from->n == 0)
		return 0;
	char **nv = realloc(to->v, (to->n + from->n) * sizeof(*nv));
	if (nv == NULL)
		return -1;
	to->v = nv;
	memcpy(to->v + to->n, from->v, from->n * sizeof(*nv));
	to->n += from->n;
	free(from->v);
	from->v = NULL;
	from->n = 0;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
mr_strv_sort_uniq(struct mr_strv *sv)
{
	if (sv->n == 0)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	size_t k = 1;
	for (size_t i = 1; i < sv->n; i++) {
		if (strcmp(sv->v[i], sv->v[k - 1]) == 0)
			free(sv->v[i]);
		else
			sv->v[k++] = sv->v[i];
	}
	sv->n = k;
}

void
mr_strv_clear(struct mr_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}
