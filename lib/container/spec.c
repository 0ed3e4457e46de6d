/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <malloc.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/spec.h"

void
mr_spec_init(struct mr_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->caps = mr_caps_docker_default();
	spec->network = MR_NETWORK_NONE;
	spec->stop_signal = SIGTERM;
	spec->stop_timeout = 10; /* docker's default */
}

static void
free_strv(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void
mr_spec_clear(struct mr_spec *spec)
{
	free(spec->name);
	free(spec->rootfs);
	free_strv(spec->argv);
	free_strv(spec->env);
	free(spec->workdir);
	free(spec->hostname);
	free(spec->user);
	free(spec->entrypoint);
	free(spec->seccomp);
	free(spec->seccomp_text);
	free(spec->seccomp_report_file);
	free(spec->seccomp_learn);
	free(spec->seccomp_complain_file);
	free(spec->learn_arches);
	free(spec->seccomp_target);
	free(spec->apparmor);
	mr_resources_clear(&spec->resources);
	mr_volumes_free(spec->volumes, spec->n_volumes);
	free_strv(spec->sysctls);
	free_strv(spec->group_add);
	free_strv(spec->add_hosts);
	free_strv(spec->dns);
	free_strv(spec->dns_search);
	free_strv(spec->dns_options);
	for (size_t i = 0; i < MR_JOIN_N; i++)
		if (spec->ns_join[i].path != NULL) {
			free(spec->ns_join[i].path);
			close(spec->ns_join[i].fd);
		}
	free(spec->domainname);
	free(spec->uid_map);
	free(spec->gid_map);
	free_strv(spec->masked_paths);
	free_strv(spec->readonly_paths);
	memset(spec, 0, sizeof(*spec));
}

int
mr_spec_add_env(struct mr_spec *spec, const char *kv, struct mr_error *err)
{
	return mr_spec_push(&spec->env, &spec->n_env, kv, err);
}

int
mr_spec_set_argv(struct mr_spec *spec, char *const *argv, size_t argc, struct mr_error *err)
{
	char **v = calloc(argc + 1, sizeof(char *));
	if (v == NULL)
		return mr_error_set(err, ENOMEM, "command");
	for (size_t i = 0; i < argc; i++) {
		v[i] = strdup(argv[i]);
		if (v[i] == NULL) {
			free_strv(v);
			return mr_error_set(err, ENOMEM, "command");
		}
	}
	free_strv(spec->argv);
	spec->argv = v;
	spec->argc = argc;
	return 0;
}

/* RFC 1123 host name: labels of [A-Za-z0-9-], not starting or ending with '-'. */
static bool
valid_hostname(const char *h)
{
	size_t len = strlen(h);
	if (len == 0 || len > 64)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		char c = h[i];
		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-';
		if (!ok || (label == 0 && c == '-'))
			return false;
		if (++label > 63)
			return false;
	}
	return h[len - 1] != '-' && h[len - 1] != '.';
}

int
mr_spec_validate(const struct mr_spec *spec, struct mr_error *err)
{
	if (spec->rootfs == NULL || spec->rootfs[0] == '\0')
		return mr_error_set(err, 0, "rootfs: no root filesystem given");
	if (spec->argv == NULL || spec->argc == 0 || spec->argv[0][0] == '\0')
		return mr_error_set(err, 0, "command: no command given");
	if (spec->hostname != NULL && !valid_hostname(spec->hostname))
		return mr_error_set(err, 0,
				    "--hostname '%s': not a valid host name (letters, digits, '-' "
				    "and '.', at most 64 characters)",
				    spec->hostname);
	if (spec->workdir != NULL && spec->workdir[0] != '/')
		return mr_error_set(err, 0,
				    "--workdir '%s': the working directory must be an "
				    "absolute path",
				    spec->workdir);
	/*
	 * --init's PID 1 is minirun's own process: its /proc/1/exe is
	 * minirun's binary on the host, guarded only by ptrace access
	 * (non-dumpable).  A container holding CAP_SYS_PTRACE could open it
	 * or ptrace the init (which runs without the seccomp filter):
	 * CVE-2019-5736's way out.
	 */
	if (spec->init && (spec->privileged || (spec->caps >> CAP_SYS_PTRACE) & 1))
		return mr_error_set(err, 0,
				    "--init: not with CAP_SYS_PTRACE (--cap-add SYS_PTRACE, "
				    "--privileged): the container could reach minirun's binary "
				    "through its init (CVE-2019-5736)");
	for (size_t i = 0; i < spec->n_env; i++) {
		const char *e = spec->env[i];
		if (e[0] == '=' || e[0] == '\0')
			return mr_error_set(err, 0, "--env '%s': empty variable name", e);
	}
	return mr_volumes_validate(spec->volumes, spec->n_volumes, err);
}

int
mr_spec_push(char ***v, size_t *n, const char *s, struct mr_error *err)
{
	/*
	 * Doubled when full (the allocation says how full: whoever made the
	 * list), not grown by one: an OCI config's lists (process.env from the
	 * image, maskedPaths...) hold up to 10^5 entries, and one realloc each
	 * is a copy each under ASan, quadratic.
	 */
	if (*v == NULL || malloc_usable_size(*v) < (*n + 2) * sizeof(char *)) {
		char **nv = realloc(*v, (*n < 8 ? 16 : 2 * (*n + 2)) * sizeof(char *));
		if (nv == NULL)
			return mr_error_oom(err, "options");
		*v = nv;
	}
	char **nv = *v;
	if ((nv[*n] = strdup(s)) == NULL)
		return mr_error_oom(err, "options");
	nv[++*n] = NULL;
	return 0;
}
