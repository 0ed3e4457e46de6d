/* SPDX-License-Identifier: MIT */
/*
 * Reduced profile -> SeccompProfile (security-profiles-operator.x-k8s.io/v1beta1).
 *
 * The OCI conversion (lib/tools/convert.c) already gives the rules in the
 * shape the operator's spec has (its keys are the OCI ones); this file puts
 * them under apiVersion/kind/metadata/spec and writes YAML through libyaml's
 * emitter, so quoting is libyaml's business.  Where the CRD differs from
 * OCI: errnoRet is a string of digits, argument values are int64 (minimum
 * 0), there is no defaultErrnoRet.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "tools/convert.h"
#include "tools/spo.h"
#include "common/util.h"

static int
emit(yaml_emitter_t *em, yaml_event_t *ev)
{
	return yaml_emitter_emit(em, ev) ? 0 : -1;
}

static int
emit_scalar(yaml_emitter_t *em, const char *s, bool quoted)
{
	yaml_event_t ev;
	if (!yaml_scalar_event_initialize(
		&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), !quoted, quoted,
		quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE))
		return -1;
	return emit(em, &ev);
}

/* One JSON value as YAML; errnoRet (key) is written as the CRD's string. */
static int
emit_json(yaml_emitter_t *em, const json_t *v, const char *key)
{
	yaml_event_t ev;
	char buf[64];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *c;
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE) ||
		    emit(em, &ev) < 0)
			return -1;
		json_object_foreach((json_t *)v, k, c)
		{
			if (emit_scalar(em, k, false) < 0 || emit_json(em, c, k) < 0)
				return -1;
		}
		return yaml_mapping_end_event_initialize(&ev) ? emit(em, &ev) : -1;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *c;
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							  YAML_BLOCK_SEQUENCE_STYLE) ||
		    emit(em, &ev) < 0)
			return -1;
		json_array_foreach(v, i, c)
		{
			if (emit_json(em, c, NULL) < 0)
				return -1;
		}
		return yaml_sequence_end_event_initialize(&ev) ? emit(em, &ev) : -1;
	}
	case JSON_STRING:
		/* Quoted when a YAML reader would take it for something else ("true", "1"). */
		return emit_scalar(em, json_string_value(v), false);
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return emit_scalar(em, buf, key != NULL && strcmp(key, "errnoRet") == 0);
	case JSON_TRUE:
		return emit_scalar(em, "true", false);
	case JSON_FALSE:
		return emit_scalar(em, "false", false);
	case JSON_REAL:
	case JSON_NULL:
	default:
		return emit_scalar(em, "null", false);
	}
}

static int
write_cb(void *data, unsigned char *buf, size_t size)
{
	FILE *f = data;
	return fwrite(buf, 1, size, f) == size;
}

char *
mr_spo_name_from(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *s = strdup(*base ? base : "profile");
	if (s == NULL)
		return NULL;
	char *dot = strrchr(s, '.');
	if (dot != NULL && dot != s)
		*dot = '\0';
	for (char *p = s; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			*p = '-';
	}
	return s;
}

/* Kubernetes' DNS subdomain rule for metadata.name. */
static bool
valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' ||
		      s[i] == '.'))
			return false;
	return true;
}

int
mr_convert_spo(const struct mr_reduced *r, const char *name, const char *ns, char **out,
	       struct mr_error *err)
{
	cleanup_free char *oci = NULL;
	json_error_t je;

	*out = NULL;
	if (!valid_name(name))
		return mr_error_set(
		    err, 0,
		    "--name %s: a SeccompProfile's name must be lowercase letters, "
		    "digits, '-' and '.', starting and ending with a letter or digit",
		    name);
	if (mr_convert(r, MR_CONVERT_OCI, &oci, err) < 0)
		return -1;
	json_t *spec = json_loads(oci, 0, &je);
	if (spec == NULL)
		return mr_error_oom(err, "profile convert");
	/* The CRD has no defaultErrnoRet: the runtimes then return EPERM. */
	json_t *de = json_object_get(spec, "defaultErrnoRet");
	if (de != NULL && json_integer_value(de) != EPERM) {
		json_decref(spec);
		return mr_error_set(err, 0,
				    "the profile's default errno is %" JSON_INTEGER_FORMAT
				    ", but a SeccompProfile has no defaultErrnoRet (its runtimes "
				    "return EPERM): use --to oci, or make the default EPERM",
				    json_integer_value(de));
	}
	json_object_del(spec, "defaultErrnoRet");
	size_t i;
	json_t *rule;
	json_array_foreach(json_object_get(spec, "syscalls"), i, rule)
	{
		size_t k;
		json_t *arg;
		json_array_foreach(json_object_get(rule, "args"), k, arg)
		{
			/* convert.c writes values above INT64_MAX as negative json integers. */
			const char *keys[] = {"value", "valueTwo"};
			for (size_t j = 0; j < 2; j++) {
				json_t *v = json_object_get(arg, keys[j]);
				if (v != NULL && json_integer_value(v) < 0) {
					json_decref(spec);
					return mr_error_set(
					    err, 0,
					    "syscalls[%zu].args[%zu].%s is above 2^63-1, which a "
					    "SeccompProfile cannot hold (int64, minimum 0)",
					    i, k, keys[j]);
				}
			}
		}
	}
	json_t *doc = json_pack("{s:s, s:s, s:{s:s}, s:o}", "apiVersion",
				"security-profiles-operator.x-k8s.io/v1beta1", "kind",
				"SeccompProfile", "metadata", "name", name, "spec", spec);
	if (doc != NULL && ns != NULL)
		json_object_set_new(json_object_get(doc, "metadata"), "namespace", json_string(ns));
	if (doc == NULL)
		return mr_error_oom(err, "profile convert");

	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	yaml_emitter_t em;
	yaml_event_t ev;
	bool ok = f != NULL && yaml_emitter_initialize(&em);
	if (ok) {
		yaml_emitter_set_output(&em, write_cb, f);
		yaml_emitter_set_unicode(&em, 1);
		yaml_emitter_set_width(&em, 100);
		ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
		     emit(&em, &ev) == 0 &&
		     yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
		     emit(&em, &ev) == 0 && emit_json(&em, doc, NULL) == 0 &&
		     yaml_document_end_event_initialize(&ev, 1) && emit(&em, &ev) == 0 &&
		     yaml_stream_end_event_initialize(&ev) && emit(&em, &ev) == 0;
		yaml_emitter_delete(&em);
	}
	json_decref(doc);
	if (f != NULL)
		fclose(f);
	if (!ok) {
		free(text);
		return mr_error_oom(err, "profile convert: YAML");
	}
	*out = text;
	return 0;
}
