/* SPDX-License-Identifier: MIT */
/*
 * An OCI bundle's config.json (runtime-spec 1.x) read into the same struct
 * mr_spec the docker-like command line fills: the second front end of
 * architecture.md.  Only the text is looked at here (no file of the root
 * filesystem is opened, no process made); mr_prepare checks the rest.
 *
 * What the spec says a runtime MUST refuse is refused, with the JSON path
 * ("config.json: process.cwd: ..."), or the line and column when jansson
 * cannot parse the text.  What minirun cannot do yet is refused too, never
 * silently dropped; what it accepts without effect is one warning each
 * (struct mr_oci_config.warnings, printed by the CLI).
 */
#ifndef MINIRUN_LIB_OCI_CONFIG_H
#define MINIRUN_LIB_OCI_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strv.h"
#include "container/hooks.h"
#include "container/spec.h"

/* The runtime-spec version minirun implements (`minirun spec`, --version). */
#define MR_OCI_VERSION "1.0.2"

/* What the runtime keeps beside the spec (state.json). */
struct mr_oci_config {
	char *bundle;	    /* absolute path of the bundle directory */
	char *oci_version;  /* as written */
	char **annotations; /* key, value, key, value... (n_annotations pairs) */
	size_t n_annotations;
	struct mr_strv warnings; /* accepted but without effect: one line each */
	struct mr_hooks hooks;	 /* the OCI hooks, checked (hooks.h) */
	char *text;		 /* config.json as read: what the state keeps for exec */
	size_t text_len;
};

/*
 * Read BUNDLE/config.json into SPEC (mr_spec_init'ed by the caller).
 * rootless (euid != 0) decides which uidMappings are acceptable.
 */
int mr_oci_config_load(const char *bundle, bool rootless, struct mr_spec *spec,
		       struct mr_oci_config *cfg, struct mr_error *err);

/*
 * The same for TEXT (LEN bytes), named SOURCE in messages; BUNDLE must be
 * absolute (relative root.path and bind sources are resolved against it).
 */
int mr_oci_config_parse(const char *text, size_t len, const char *source, const char *bundle,
			bool rootless, struct mr_spec *spec, struct mr_oci_config *cfg,
			struct mr_error *err);

void mr_oci_config_clear(struct mr_oci_config *cfg);

/*
 * A starter config.json, as `runc spec` writes one (args ["sh"], a
 * terminal, root "rootfs" read-only, minirun's masked and read-only paths);
 * ROOTLESS adds a user namespace mapping UID and GID to root and shares the
 * host's network.  Malloc'ed JSON text with a final newline, NULL on ENOMEM.
 */
char *mr_oci_config_template(bool rootless, unsigned uid, unsigned gid);

/* A JSON array of the N strings of V (a new reference; NULL: ENOMEM). */
json_t *mr_json_strings(const char *const *v, size_t n);

/* JSON as text ending in a newline, as a file or a terminal wants it (malloc'ed; NULL: ENOMEM). */
char *mr_json_text(const json_t *root, size_t flags);

#endif
