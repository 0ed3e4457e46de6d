/* SPDX-License-Identifier: MIT */
/*
 * Internal: a YAML profile read into the same jansson tree the JSON path
 * parses (lib/seccomp/profile.c), so every check, the reduction and the
 * compiler see no difference; each value keeps its YAML line:column.
 *
 * YAML is what Kubernetes users write: the Security Profiles Operator's
 * SeccompProfile resource, or a plain profile of the Docker/OCI shape in
 * YAML.  libyaml does the parsing; this file only maps its events to JSON
 * values (YAML 1.2 core schema for plain scalars).
 */
#ifndef MINIRUN_SECCOMP_YAML_H
#define MINIRUN_SECCOMP_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/error.h"

/* Where one value of the tree starts (1-based, characters as jansson counts them). */
struct mr_yaml_pos {
	const json_t *v;
	int line;
	int column;
};

/*
 * One YAML document -> *root (a new reference) and the start of every value
 * in *pos (malloc'ed, n_pos entries, document order).  Errors name YAML:
 * "seccomp profile SOURCE: YAML line L column C: ...".  Refused, so that a
 * profile means one thing: aliases (*x), more than one document, duplicate
 * keys, keys that are not scalars, tags other than the core schema's.
 */
int mr_yaml_load(const char *text, size_t len, const char *source, json_t **root,
		 struct mr_yaml_pos **pos, size_t *n_pos, struct mr_error *err);

/* Is path named as YAML (.yaml or .yml, any case)? */
bool mr_yaml_named(const char *path);

/*
 * Does text look like YAML rather than JSON: its first line that is neither
 * blank nor a comment is "key: ..." or "---"?  That line (trimmed, cut to
 * fit) goes to hint for the message.
 */
bool mr_yaml_looks_like(const char *text, size_t len, char *hint, size_t hint_size);

#endif
