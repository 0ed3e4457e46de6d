/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/env-file.h"
#include "container/spec.h"
#include "common/file.h"
#include "common/util.h"

#define BLANKS " \t"

int
mr_env_file_line(const char *line, char **environ_, char **kv, struct mr_error *err)
{
	*kv = NULL;
	/* docker trims every leading white space, then skips blank lines and comments. */
	line += strspn(line, " \t\r\n\v\f");
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	const char *eq = strchr(line, '=');
	size_t klen = eq ? (size_t)(eq - line) : strlen(line);
	for (size_t i = 0; i < klen; i++)
		if (strchr(BLANKS, line[i]) != NULL)
			return mr_error_set(err, 0, "variable '%.*s' contains whitespaces",
					    (int)klen, line);
	if (klen == 0)
		return mr_error_set(err, 0, "no variable name on line '%s'", line);
	if (eq == NULL) {
		/* KEY alone: the caller's value, or nothing at all when unset. */
		for (char **e = environ_; e && *e; e++) {
			if (strncmp(*e, line, klen) == 0 && (*e)[klen] == '=') {
				*kv = strdup(*e);
				return *kv ? 1 : mr_error_oom(err, "--env-file");
			}
		}
		return 0;
	}
	*kv = strdup(line);
	return *kv ? 1 : mr_error_oom(err, "--env-file");
}

static int
insert_env(struct mr_spec *spec, size_t *pos, char *kv, struct mr_error *err)
{
	char **nv = realloc(spec->env, (spec->n_env + 2) * sizeof(char *));
	if (nv == NULL) {
		free(kv);
		return mr_error_oom(err, "--env-file");
	}
	spec->env = nv;
	memmove(nv + *pos + 1, nv + *pos, (spec->n_env - *pos) * sizeof(char *));
	nv[(*pos)++] = kv;
	nv[++spec->n_env] = NULL;
	return 0;
}

int
mr_env_file_load(struct mr_spec *spec, const char *path, char **environ_, size_t *pos,
		 struct mr_error *err)
{
	struct stat st;
	int fd = mr_open_regular_read(AT_FDCWD, path, 0, &st);
	if (fd == MR_NOT_REGULAR)
		return mr_error_set(err, 0, "--env-file %s: not a regular file", path);
	if (fd < 0)
		return mr_error_set(err, errno, "--env-file %s", path);
	cleanup_file FILE *f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return mr_error_set(err, errno, "--env-file %s", path);
	}
	cleanup_free char *line = NULL;
	size_t size = 0;
	ssize_t n;
	for (unsigned lineno = 1; (n = getline(&line, &size, f)) >= 0; lineno++) {
		if ((size_t)n != strlen(line))
			return mr_error_set(err, 0, "--env-file %s: line %u: a NUL byte", path,
					    lineno);
		/* Lines end in \n or \r\n (docker reads them with bufio.ScanLines). */
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		/* A UTF-8 byte order mark at the start of the file is dropped. */
		const char *text = line;
		if (lineno == 1 && strncmp(text, "\xef\xbb\xbf", 3) == 0)
			text += 3;
		char *kv;
		int r = mr_env_file_line(text, environ_, &kv, err);
		if (r < 0)
			return mr_error_wrap(err, "--env-file %s: line %u", path, lineno);
		if (r > 0 && insert_env(spec, pos, kv, err) < 0)
			return -1;
	}
	if (ferror(f))
		return mr_error_set(err, errno, "--env-file %s: read", path);
	return 0;
}
