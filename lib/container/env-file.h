/* SPDX-License-Identifier: MIT */
/*
 * --env-file FILE, in docker run's format: one KEY=VALUE a line (the value
 * verbatim, quotes included), KEY alone takes the caller's value (or is
 * dropped when the caller has none), lines starting with '#' (after
 * leading blanks) and blank lines skipped.
 */
#ifndef MINIRUN_LIB_ENV_FILE_H
#define MINIRUN_LIB_ENV_FILE_H

#include <stddef.h>

#include "common/error.h"

struct mr_spec;

/*
 * One line, without its newline.  Returns 1 with *kv (malloc'ed
 * "KEY=VALUE"), 0 for a line that gives nothing, -1 with err (no file
 * name or line number in it).
 */
int mr_env_file_line(const char *line, char **environ_, char **kv, struct mr_error *err);

/*
 * Read FILE (a regular file only: a FIFO or a device is refused before it
 * is opened) and insert its variables into spec->env at *pos, advancing
 * *pos: every --env-file goes before every -e, whatever the flag order, as
 * with docker run, so -e wins.
 */
int mr_env_file_load(struct mr_spec *spec, const char *path, char **environ_, size_t *pos,
		     struct mr_error *err);

#endif
