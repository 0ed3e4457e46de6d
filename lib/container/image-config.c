/* SPDX-License-Identifier: MIT */
/*
 * An image's config (the OCI image config, which Docker's is a superset
 * of): the part that says how to run it, and docker run's rules for
 * merging it with the command line.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/image.h"
#include "common/util.h"

static void
strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static size_t
strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* A JSON array of strings (or one string, as Docker's StrSlice also accepts). */
static int
get_strv(json_t *obj, const char *key, const char *what, char ***out, struct mr_error *err)
{
	json_t *v = json_object_get(obj, key);
	size_t i, n;
	json_t *item;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		char **r = calloc(2, sizeof(char *));
		if (r == NULL || (r[0] = strdup(json_string_value(v))) == NULL) {
			free(r);
			return mr_error_oom(err, what);
		}
		*out = r;
		return 0;
	}
	if (!json_is_array(v))
		return mr_error_set(err, 0, "%s: %s is not an array of strings", what, key);
	n = json_array_size(v);
	char **r = calloc(n + 1, sizeof(char *));
	if (r == NULL)
		return mr_error_oom(err, what);
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item)) {
			strv_free(r);
			return mr_error_set(err, 0, "%s: %s[%zu] is not a string", what, key, i);
		}
		r[i] = strdup(json_string_value(item));
		if (r[i] == NULL) {
			strv_free(r);
			return mr_error_oom(err, what);
		}
	}
	*out = r;
	return 0;
}

static int
get_str(json_t *obj, const char *key, const char *what, char **out, struct mr_error *err)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return mr_error_set(err, 0, "%s: %s is not a string", what, key);
	*out = strdup(json_string_value(v));
	return *out ? 0 : mr_error_oom(err, what);
}

int
mr_image_config_parse(const char *text, size_t len, const char *what, struct mr_image_config *c,
		      struct mr_error *err)
{
	json_error_t jerr;

	memset(c, 0, sizeof(*c));
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return mr_error_set(err, 0, "%s: line %d: %s", what, jerr.line, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return mr_error_set(err, 0, "%s: not a JSON object", what);
	}
	json_t *cfg = json_object_get(root, "config");
	int ret = 0;
	if (cfg != NULL && json_is_object(cfg)) {
		if (get_strv(cfg, "Env", what, &c->env, err) < 0 ||
		    get_strv(cfg, "Entrypoint", what, &c->entrypoint, err) < 0 ||
		    get_strv(cfg, "Cmd", what, &c->cmd, err) < 0 ||
		    get_str(cfg, "WorkingDir", what, &c->workdir, err) < 0 ||
		    get_str(cfg, "User", what, &c->user, err) < 0)
			ret = -1;
	} else if (cfg != NULL && !json_is_null(cfg)) {
		ret = mr_error_set(err, 0, "%s: \"config\" is not an object", what);
	}
	for (size_t i = 0; ret == 0 && c->env && c->env[i]; i++) {
		const char *eq = strchr(c->env[i], '=');
		if (eq == NULL || eq == c->env[i])
			ret = mr_error_set(err, 0, "%s: Env entry '%s' is not KEY=VALUE", what,
					   c->env[i]);
	}
	json_decref(root);
	if (ret < 0)
		mr_image_config_clear(c);
	return ret;
}

void
mr_image_config_clear(struct mr_image_config *c)
{
	strv_free(c->env);
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	free(c->workdir);
	free(c->user);
	memset(c, 0, sizeof(*c));
}

/* Append copies of v's strings to *out (a NULL-terminated list of n). */
static int
append(char ***out, size_t *n, char *const *v, size_t count)
{
	char **r = realloc(*out, (*n + count + 1) * sizeof(char *));
	if (r == NULL)
		return -1;
	*out = r;
	for (size_t i = 0; i < count; i++) {
		r[*n] = strdup(v[i]);
		if (r[*n] == NULL)
			return -1;
		r[++*n] = NULL;
	}
	r[*n] = NULL;
	return 0;
}

int
mr_image_config_apply(struct mr_spec *spec, const struct mr_image_config *c, struct mr_error *err)
{
	char **v = NULL;
	size_t n = 0;

	/* Env: the image's first, so that -e (later entries win) overrides it. */
	if (c != NULL && c->env != NULL) {
		if (append(&v, &n, c->env, strv_len(c->env)) < 0 ||
		    append(&v, &n, spec->env, spec->n_env) < 0) {
			strv_free(v);
			return mr_error_oom(err, "image environment");
		}
		strv_free(spec->env);
		spec->env = mr_steal_pointer(&v);
		spec->n_env = n;
		n = 0;
	}
	if (c != NULL && spec->workdir == NULL && c->workdir != NULL && c->workdir[0] != '\0') {
		/* Docker makes a relative WorkingDir absolute, from /. */
		if (asprintf(&spec->workdir, "%s%s", c->workdir[0] == '/' ? "" : "/", c->workdir) <
		    0) {
			spec->workdir = NULL;
			return mr_error_oom(err, "image working directory");
		}
	}
	if (c != NULL && spec->user == NULL && c->user != NULL && c->user[0] != '\0') {
		spec->user = strdup(c->user);
		if (spec->user == NULL)
			return mr_error_oom(err, "image user");
	}

	/*
	 * The command: ENTRYPOINT + ARGS, ARGS being the command line's or,
	 * when it has none, the image's Cmd.  --entrypoint replaces the image's
	 * Entrypoint and drops its Cmd (moby: a new entrypoint makes the old
	 * default arguments meaningless); --entrypoint "" means none.
	 */
	char *const *entry = NULL;
	size_t n_entry = 0;
	char *one[] = {spec->entrypoint, NULL};
	if (spec->entrypoint_set) {
		if (spec->entrypoint != NULL && spec->entrypoint[0] != '\0') {
			entry = one;
			n_entry = 1;
		}
	} else if (c != NULL) {
		entry = c->entrypoint;
		n_entry = strv_len(c->entrypoint);
	}
	char *const *args = spec->argv;
	size_t n_args = spec->argc;
	if (n_args == 0 && !spec->entrypoint_set && c != NULL) {
		args = c->cmd;
		n_args = strv_len(c->cmd);
	}
	if (n_entry + n_args == 0) {
		if (c == NULL)
			return mr_error_set(err, 0,
					    "no command given (usage: minirun [OPTIONS] ROOTFS "
					    "COMMAND [ARG...])");
		if (spec->entrypoint_set)
			return mr_error_set(err, 0,
					    "no command given (--entrypoint \"\" also drops the "
					    "image's Cmd)");
		return mr_error_set(err, 0,
				    "no command given, and the image has no Entrypoint or Cmd "
				    "(usage: minirun [OPTIONS] IMAGE [COMMAND] [ARG...])");
	}
	if (n_entry == 0 && args == spec->argv)
		return 0; /* the command line as it was */
	if (append(&v, &n, entry, n_entry) < 0 || append(&v, &n, args, n_args) < 0) {
		strv_free(v);
		return mr_error_oom(err, "command");
	}
	int ret = mr_spec_set_argv(spec, v, n, err);
	strv_free(v);
	return ret;
}
