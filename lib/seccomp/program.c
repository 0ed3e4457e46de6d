/* SPDX-License-Identifier: MIT */
/*
 * The seccomp boundary: mr_seccomp_prepare runs in the parent before any
 * process exists and produces a finished BPF program; mr_seccomp_install
 * runs in the container process and only loads it.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "config.h"
#include "default-profile.h"
#include "default-programs.h"
#include "seccomp/filter.h"
#include "seccomp/profile.h"
#include "seccomp/program.h"
#include "seccomp/localhost.h"
#include "seccomp/rangetree.h"
#include "seccomp/reduce.h"
#include "seccomp/sha256.h"
#include "seccomp/arch.h"
#include "seccomp/bpf-eval.h"
#include "common/strv.h"
#include "common/typo.h"
#include "common/phases.h"
#include "common/util.h"

#define BUILTIN_SOURCE "built-in default"

/*
 * The built-in default's fast cache key: the embedded text (its digest is
 * computed at build time) and every input of Docker's reduction (bounding set,
 * native arch, kernel release) plus the versions that shape the program.  A
 * hit skips parsing the JSON, which is most of what a cached prepare costs.
 */
static int
builtin_fast_key(mr_capset bounding, uint8_t key[32], struct mr_error *err)
{
	struct mr_sha256 s;
	struct utsname u;
	const struct scmp_version *v = seccomp_version();
	char buf[512];

	if (uname(&u) < 0)
		return mr_error_set(err, errno, "seccomp: uname");
	/* v2: entries of v1 carry a stub whose ceiling missed the numbers libseccomp
	 * adds (filter.c, mr_filter_stub_ceiling). */
	/* v3: the range tree (its version is part of the key) writes the program. */
	int n = snprintf(buf, sizeof(buf),
			 "minirun builtin key v3\n%s\n%s\n%s\n%u.%u.%u\n%s\n%s\n%u\n%llx\n",
			 MINIRUN_VERSION, MR_RANGETREE_VERSION, mr_default_profile_json_sha256,
			 v->major, v->minor, v->micro, u.release, u.machine, seccomp_arch_native(),
			 (unsigned long long)bounding);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return mr_error_set(err, 0, "seccomp: cache key too long");
	mr_sha256_init(&s);
	mr_sha256_update(&s, buf, (size_t)n);
	mr_sha256_final(&s, key);
	return 0;
}

/* The spellings Kubernetes manifests and Docker use for "the runtime's default". */
static bool
names_builtin(const char *s)
{
	return s == NULL || strcmp(s, "runtime/default") == 0 || strcmp(s, "RuntimeDefault") == 0 ||
	       strcmp(s, "docker/default") == 0;
}

static bool
names_unconfined(const char *s)
{
	return strcmp(s, "unconfined") == 0 || strcmp(s, "Unconfined") == 0;
}

/*
 * A file named on the command line: "localhost/NAME" beneath the kubelet's
 * seccomp root (lib/seccomp/localhost.c), anything else a path as Docker and
 * Podman take it.  *source is what messages call it.
 */
static int
read_named(const char *name, char **text, size_t *len, char **source, struct mr_error *err)
{
	/* localhost//ABS/PATH keeps its earlier meaning, the file itself (examples/lab uses
	 * it); only a relative NAME is the kubelet's, beneath the root. */
	if (strncmp(name, "localhost/", 10) == 0 && name[10] != '/')
		return mr_localhost_read(name + 10, text, len, source, err);
	if (strncmp(name, "localhost/", 10) == 0)
		name += 10;
	if ((*source = strdup(name)) == NULL)
		return mr_error_oom(err, "seccomp profile");
	return mr_profile_read(name, text, len, err);
}

int
mr_profile_load_named(const char *name, struct mr_profile **out, struct mr_error *err)
{
	cleanup_free char *text = NULL, *source = NULL;
	size_t len = 0;

	if (names_builtin(name))
		return mr_profile_parse(mr_default_profile_json, mr_default_profile_json_len,
					BUILTIN_SOURCE, out, err);
	/* What a run does with it: no filter at all, the same as Docker's {} profile. */
	if (names_unconfined(name))
		return mr_profile_parse("{}", 2, name, out, err);
	if (read_named(name, &text, &len, &source, err) < 0)
		return -1;
	return mr_profile_parse(text, len, source, out, err);
}

static int
set_unconfined(struct mr_seccomp_prepared *out, const char *source, struct mr_error *err)
{
	out->enabled = false;
	out->source = strdup(source);
	if (out->source == NULL)
		return mr_error_oom(err, "seccomp");
	return 0;
}

static int
take_warnings(struct mr_seccomp_prepared *out, struct mr_strv *w)
{
	struct mr_strv all = {.v = out->warnings, .n = out->n_warnings};
	if (mr_strv_move(&all, w) < 0)
		return -1;
	out->warnings = all.v;
	out->n_warnings = all.n;
	return 0;
}

/*
 * The program installed when observing: the same instructions, with the
 * returns that should reach minirun turned into USER_NOTIF.  Nothing else
 * changes, so every other syscall meets exactly the profile's filter, and
 * minirun answers the notified ones by running the original program on the
 * same seccomp_data (lib/seccomp/observe.c).
 */
static int
make_observe_program(struct mr_seccomp_prepared *out, struct mr_error *err)
{
	out->observe_insns = calloc(out->n_insns, sizeof(struct sock_filter));
	if (out->observe_insns == NULL)
		return mr_error_oom(err, "seccomp");
	memcpy(out->observe_insns, out->insns, out->n_insns * sizeof(struct sock_filter));
	out->n_observe_insns = out->n_insns;
	for (size_t i = 0; i < out->n_insns; i++) {
		struct sock_filter *f = &out->observe_insns[i];
		if (BPF_CLASS(f->code) != BPF_RET || BPF_RVAL(f->code) != BPF_K)
			continue;
		uint32_t action = f->k & SECCOMP_RET_ACTION_FULL;
		bool notify;
		if (out->observe == MR_OBSERVE_LEARN)
			notify = action != SECCOMP_RET_ALLOW;
		else if (out->observe == MR_OBSERVE_COMPLAIN)
			/* Every refusal: the call runs anyway, KILL and TRAP too. */
			notify = action != SECCOMP_RET_ALLOW && action != SECCOMP_RET_LOG;
		else
			/* KILL and TRAP stay in the kernel: their effect cannot be
			   reproduced from outside; they are reported from the audit log. */
			notify = action == SECCOMP_RET_ERRNO || action == SECCOMP_RET_TRACE;
		if (notify)
			f->k = MR_OBSERVE_NOTIF(out->observe);
	}
	return 0;
}

/*
 * How the report names a rule.  A profile file: its index and line, which
 * the user can open.  The built-in default: the user has no file to open,
 * so the syscall and the action (Docker's default rules are per purpose,
 * and the name says which).
 */
static char *
describe_rule(const struct mr_reduced *red, const struct mr_prof_rule *rule, const char *name)
{
	char *d = NULL;
	const char *args = rule->n_args ? " (arguments matched)" : "";
	if (strcmp(red->profile->source, BUILTIN_SOURCE) == 0) {
		const char *e = NULL;
		if (mr_act_has_errno(rule->action) && rule->has_errno)
			e = strerrorname_np((int)rule->errno_ret);
		if (asprintf(&d, "built-in default profile, rule for %s: %s%s%s%s", name,
			     rule->action_name, e ? " " : "", e ? e : "", args) < 0)
			return NULL;
		return d;
	}
	size_t idx = (size_t)(rule - red->profile->rules);
	size_t len = 1;
	for (size_t i = 0; i < rule->n_names; i++)
		len += strlen(rule->names[i]) + 1;
	cleanup_free char *names = calloc(1, len);
	if (names == NULL)
		return NULL;
	for (size_t i = 0; i < rule->n_names; i++) {
		if (i)
			strcat(names, ",");
		strcat(names, rule->names[i]);
	}
	char line[32] = "";
	if (rule->pos.line)
		snprintf(line, sizeof(line), ", line %d", rule->pos.line);
	if (asprintf(&d, "rule %zu%s: names %s action %s%s", idx, line, names, rule->action_name,
		     args) < 0)
		return NULL;
	return d;
}

static bool
rule_kept(const struct mr_reduced *red, const struct mr_prof_rule *rule)
{
	for (size_t i = 0; i < red->n_rules; i++)
		if (red->rules[i] == rule)
			return true;
	return false;
}

/* "CAP_A, CAP_B": the capabilities of includes.caps the bounding set lacks. */
static char *
missing_caps(const struct mr_prof_rule *rule, mr_capset bounding, bool bare)
{
	size_t len = 1;
	for (size_t i = 0; i < rule->includes.n_caps; i++)
		len += strlen(rule->includes.caps[i]) + 2;
	char *s = calloc(1, len);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < rule->includes.n_caps; i++) {
		const char *c = rule->includes.caps[i];
		int cap;
		if (mr_caps_parse_name(c, &cap, NULL) == 0 && (bounding & MR_CAP_BIT(cap)))
			continue;
		if (*s)
			strcat(s, bare ? " --cap-add " : ", ");
		strcat(s, bare && strncmp(c, "CAP_", 4) == 0 ? c + 4 : c);
	}
	return s;
}

/*
 * The report's capability hints: a rule that would allow a syscall but was
 * dropped only because its includes.caps are not in the bounding set (with
 * every capability it would apply here).  Docker's default allows mount,
 * setns, bpf... this way; the denial is then the capability's doing, and
 * the fix is --cap-add, not a profile edit.
 */
static int
map_cap_hints(struct mr_seccomp_prepared *out, const struct mr_reduced *red,
	      const struct mr_reduce_env *env, struct mr_error *err)
{
	const struct mr_profile *prof = red->profile;
	struct mr_reduce_env all = *env;
	all.bounding = ~(mr_capset)0;
	char why[256];
	for (size_t r = 0; r < prof->n_rules; r++) {
		const struct mr_prof_rule *rule = &prof->rules[r];
		if ((rule->action != MR_ACT_ALLOW && rule->action != MR_ACT_LOG) ||
		    rule->includes.n_caps == 0 || rule_kept(red, rule) ||
		    !mr_rule_applies_why(rule, &all, why, sizeof(why)))
			continue;
		cleanup_free char *caps = missing_caps(rule, env->bounding, false);
		cleanup_free char *flags = missing_caps(rule, env->bounding, true);
		if (caps == NULL || flags == NULL)
			return mr_error_oom(err, "seccomp");
		if (*caps == '\0')
			continue;
		for (size_t i = 0; i < rule->n_names; i++) {
			int nr =
			    seccomp_syscall_resolve_name_arch(env->native_arch, rule->names[i]);
			if (nr < 0)
				continue;
			struct mr_cap_hint *v =
			    realloc(out->cap_hints, (out->n_cap_hints + 1) * sizeof(*v));
			if (v == NULL)
				return mr_error_oom(err, "seccomp");
			out->cap_hints = v;
			struct mr_cap_hint *h = &v[out->n_cap_hints];
			h->nr = nr;
			if (asprintf(
				&h->text, "allowed only with %s (not granted): add --cap-add %s%s",
				caps, flags,
				rule->n_args ? " (for the arguments that rule allows)" : "") < 0)
				return mr_error_oom(err, "seccomp");
			out->n_cap_hints++;
		}
	}
	return 0;
}

/* Which rule can decide each native syscall: for the report's "[rule ...]". */
static int
map_rules(struct mr_seccomp_prepared *out, const struct mr_reduced *red, struct mr_error *err)
{
	uint32_t native = seccomp_arch_native();
	for (size_t r = 0; r < red->n_rules; r++) {
		const struct mr_prof_rule *rule = red->rules[r];
		bool any = false;
		for (size_t i = 0; i < rule->n_args; i++)
			for (size_t j = i + 1; j < rule->n_args; j++)
				if (rule->args[i].index == rule->args[j].index)
					any = true;
		for (size_t i = 0; i < rule->n_names; i++) {
			int nr = seccomp_syscall_resolve_name_arch(native, rule->names[i]);
			if (nr < 0)
				continue;
			struct mr_rule_ref *v =
			    realloc(out->rule_refs, (out->n_rule_refs + 1) * sizeof(*v));
			if (v == NULL)
				return mr_error_oom(err, "seccomp");
			out->rule_refs = v;
			struct mr_rule_ref *ref = &v[out->n_rule_refs++];
			memset(ref, 0, sizeof(*ref));
			ref->nr = nr;
			ref->action = mr_act_value(rule->action, rule->errno_ret);
			ref->any = any;
			ref->desc = describe_rule(red, rule, rule->names[i]);
			if (ref->desc == NULL)
				return mr_error_oom(err, "seccomp");
			if (rule->n_args == 0)
				continue;
			ref->conds = calloc(rule->n_args, sizeof(*ref->conds));
			if (ref->conds == NULL)
				return mr_error_oom(err, "seccomp");
			ref->n_conds = rule->n_args;
			for (size_t k = 0; k < rule->n_args; k++)
				ref->conds[k] = (struct mr_rule_cond){
				    .index = rule->args[k].index,
				    .op = rule->args[k].op,
				    .value = rule->args[k].value,
				    .value_two = rule->args[k].value_two,
				};
		}
	}
	return 0;
}

/* --seccomp-learn with no profile: everything is allowed, everything is seen. */
static int
set_learn_all(struct mr_seccomp_prepared *out, struct mr_error *err)
{
	out->source = strdup("learn mode (no base profile: every syscall allowed)");
	out->insns = calloc(1, sizeof(struct sock_filter));
	if (out->source == NULL || out->insns == NULL)
		return mr_error_oom(err, "seccomp");
	out->insns[0] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	out->n_insns = 1;
	out->enabled = true;
	out->default_action = SECCOMP_RET_ALLOW;
	if (make_observe_program(out, err) < 0)
		return -1;
	/* Allowed, but every call is seen once by minirun. */
	out->observe_insns[0].k = MR_OBSERVE_NOTIF(MR_OBSERVE_LEARN);
	return 0;
}

/* The built-in default from the cache, without parsing it: 1 on a hit. */
static int
prepare_builtin_cached(const char *cache_dir, const uint8_t key[32],
		       struct mr_seccomp_prepared *out, struct mr_error *err)
{
	cleanup_filter struct mr_filter filt = {0};

	if (mr_filter_cache_get(cache_dir, key, &filt) != 1)
		return 0;
	out->source = strdup(BUILTIN_SOURCE);
	if (out->source == NULL)
		return mr_error_oom(err, "seccomp");
	out->enabled = true;
	out->insns = mr_steal_pointer(&filt.insns);
	out->n_insns = filt.n_insns;
	out->flags = filt.flags;
	return 1;
}

/*
 * The built-in default compiled at build time (default-programs.h, made by
 * lib/seccomp/default-profile/gen-programs.c with this same seccomp layer):
 * 1 and out filled when an entry was built for this host's native arch,
 * libseccomp version, kernel bucket and the bounding set; 0 otherwise.  The
 * entries are what mr_filter_build gives on such a host, byte for byte, so
 * `minirun inspect` recognises them.
 */
static int
prepare_builtin_embedded(mr_capset bounding, struct mr_seccomp_prepared *out, struct mr_error *err)
{
#ifdef MR_EMBEDDED_NONE
	(void)bounding;
	(void)out;
	(void)err;
	return 0;
#else
	const struct scmp_version *v = seccomp_version();
	struct mr_reduce_env env;
	struct mr_error ignored = {0};

	if (v->major != MR_EMBEDDED_SCMP_MAJOR || v->minor != MR_EMBEDDED_SCMP_MINOR ||
	    v->micro != MR_EMBEDDED_SCMP_MICRO || seccomp_arch_native() != MR_EMBEDDED_NATIVE_ARCH)
		return 0;
	/* An unreadable kernel version: the normal path reports it. */
	if (mr_reduce_env_host(bounding, &env, &ignored) < 0 || env.kernel > 0xffff ||
	    env.major > 0xffff)
		return 0;
	uint32_t k = env.kernel << 16 | env.major;
	for (size_t i = 0; i < MR_ARRAY_SIZE(mr_embedded_programs); i++) {
		const struct mr_embedded_program *e = &mr_embedded_programs[i];
		if (e->bounding != bounding || k < e->kmin || k >= e->kmax)
			continue;
		out->source = strdup(BUILTIN_SOURCE);
		out->insns = calloc(e->n_insns, sizeof(*out->insns));
		if (out->source == NULL || out->insns == NULL)
			return mr_error_oom(err, "seccomp");
		memcpy(out->insns, e->insns, e->n_insns * sizeof(*out->insns));
		out->n_insns = e->n_insns;
		out->flags = e->flags;
		out->enabled = true;
		return 1;
	}
	return 0;
#endif
}

/* The profile text: the embedded default, or the file (kept in *text for learn mode). */
static int
load_profile(const struct mr_seccomp_request *req, const char *path, char **text, size_t *text_len,
	     char **source, struct mr_profile **prof, struct mr_error *err)
{
	if (path == NULL)
		return mr_profile_parse(mr_default_profile_json, mr_default_profile_json_len,
					BUILTIN_SOURCE, prof, err);
	if (req->profile_text != NULL) {
		*text = malloc(req->profile_text_len + 1);
		if (*text == NULL || (*source = strdup(path)) == NULL)
			return mr_error_oom(err, "seccomp profile");
		memcpy(*text, req->profile_text, req->profile_text_len);
		(*text)[req->profile_text_len] = '\0';
		*text_len = req->profile_text_len;
	} else if (read_named(path, text, text_len, source, err) < 0) {
		/* Read once: learn mode writes this same text back with its additions. */
		return -1;
	}
	return mr_profile_parse(*text, *text_len, *source, prof, err);
}

/* Docker silently disables seccomp for such a profile; at least say so. */
static int
set_profile_unconfined(struct mr_seccomp_prepared *out, const struct mr_profile *prof)
{
	cleanup_strv struct mr_strv w = {0};

	if (mr_strv_addf(&w,
			 "seccomp profile %s: no defaultAction and no syscalls: Docker treats "
			 "this as no seccomp at all, so the container runs unconfined",
			 prof->source) < 0 ||
	    take_warnings(out, &w) < 0)
		return -1;
	out->enabled = false;
	return 0;
}

static int
at_error(struct mr_error *err, const char *source, struct mr_pos pos, const char *msg)
{
	if (pos.line > 0)
		return mr_error_set(err, 0, "seccomp profile %s:%d:%d: %s", source, pos.line,
				    pos.column, msg);
	return mr_error_set(err, 0, "seccomp profile %s: %s", source, msg);
}

/*
 * A profile that would fail open is refused, not run with a warning: the
 * user wrote a rule to deny something and it would deny nothing.  Two
 * cases: a name libseccomp does not know (a typo such as "mkdri", or a
 * call newer than libseccomp) in a rule stricter than the default, which
 * runc, crun and minirun skip; and a misspelt "syscalls" key, which drops
 * every rule.  --seccomp-strict=off runs such a profile as written.
 */
static int
refuse_fail_open(const struct mr_profile *p, bool strict, struct mr_error *err)
{
	char msg[MR_ERROR_MSG_MAX];

	if (p->lost_rules_key != NULL) {
		snprintf(msg, sizeof(msg),
			 "unknown key \"%s\": did you mean \"syscalls\"? Without it the profile "
			 "has no rule and %s applies to every system call; fix the key (or run "
			 "it as written with --seccomp-strict=off)",
			 p->lost_rules_key, p->unconfined ? "no filter" : p->default_action_name);
		return at_error(err, p->source, p->lost_rules_pos, msg);
	}
	const struct scmp_version *v = seccomp_version();
	/* --seccomp-strict refuses every unknown name, with its own message. */
	for (size_t i = 0; !strict && i < p->n_rules; i++) {
		const struct mr_prof_rule *r = &p->rules[i];
		/* A LOG rule denies nothing: skipped, its calls are just not logged. */
		if (!mr_act_stricter(r->action, p->default_action) || r->action == MR_ACT_LOG)
			continue;
		for (size_t k = 0; k < r->n_names; k++) {
			const char *n = r->names[k];
			if (seccomp_syscall_resolve_name(n) != __NR_SCMP_ERROR)
				continue;
			cleanup_strv struct mr_strv known = {0};
			struct mr_error ignored = {0};
			const char *near = NULL;
			if (mr_arch_syscalls(seccomp_arch_native(), &known, &ignored) == 0)
				near = mr_typo_nearest(n, (const char *const *)known.v, known.n,
						       false);
			char hint[128] = "";
			if (near != NULL)
				snprintf(hint, sizeof(hint), "Did you mean \"%s\"? ", near);
			snprintf(msg, sizeof(msg),
				 "unknown system call \"%s\" in a rule stricter than the default "
				 "(%s, default %s): libseccomp %u.%u.%u does not know it, so the "
				 "rule would not deny it. %sFix the name (or skip it with a "
				 "warning: --seccomp-strict=off)",
				 n, r->action_name, p->default_action_name, v->major, v->minor,
				 v->micro, hint);
			return at_error(err, p->source, r->name_pos ? r->name_pos[k] : r->pos, msg);
		}
	}
	return 0;
}

/*
 * What learn mode extends: the profile object of the text (an OCI config's
 * linux.seccomp, a SeccompProfile's spec, YAML too) as Docker JSON, made now
 * so that a base it cannot extend fails before the workload runs; text NULL:
 * the built-in default.
 */
static int
set_learn_base(struct mr_seccomp_prepared *out, const char *text, size_t text_len,
	       const char *source, struct mr_error *err)
{
	if (text != NULL) {
		json_auto_t *obj = NULL;
		if (mr_profile_object(text, text_len, source, &obj, err) < 0)
			return -1;
		out->learn_base = json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (out->learn_base == NULL)
			return mr_error_oom(err, "seccomp");
		out->learn_base_len = strlen(out->learn_base);
		return 0;
	}
	out->learn_base = malloc(mr_default_profile_json_len + 1);
	if (out->learn_base == NULL)
		return mr_error_oom(err, "seccomp");
	memcpy(out->learn_base, mr_default_profile_json, mr_default_profile_json_len + 1);
	out->learn_base_len = mr_default_profile_json_len;
	return 0;
}

static void
note_notify(uint32_t ret, void *arg)
{
	if ((ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
		*(bool *)arg = true;
}

/*
 * SCMP_ACT_NOTIFY: does the finished program notify (a rule that the
 * reduction dropped does not count), and where does its listener go.
 */
static int
take_listener_path(struct mr_seccomp_prepared *out, const struct mr_profile *prof,
		   enum mr_seccomp_observe observe, struct mr_error *err)
{
	for (size_t i = 0; i < out->n_insns && !out->notify; i++)
		out->notify = BPF_CLASS(out->insns[i].code) == BPF_RET &&
			      BPF_RVAL(out->insns[i].code) == BPF_K &&
			      (out->insns[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF;
	if (!out->notify) {
		out->flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		return 0;
	}
	/*
	 * The kernel gives a process one listener in its whole filter chain
	 * (EBUSY for a second): the agent's and minirun's own observer cannot
	 * both have one.
	 */
	if (observe != MR_OBSERVE_NONE)
		return mr_error_set(err, 0,
				    "seccomp profile %s: SCMP_ACT_NOTIFY cannot be combined with "
				    "--seccomp-report, --seccomp-complain or --seccomp-learn: a "
				    "process has one seccomp listener, and it goes to the agent",
				    out->source);
	if (prof->listener_path == NULL)
		return mr_error_set(
		    err, 0, "seccomp profile %s: SCMP_ACT_NOTIFY needs listenerPath", out->source);
	/*
	 * The container process sends the listener itself, right after
	 * installing the filter: a notified sendmsg would wait for an agent that
	 * has no fd yet (runc refuses a notified write for the same reason).
	 */
	static const char *const needed[] = {"sendmsg", "close"};
	for (size_t i = 0; i < MR_ARRAY_SIZE(needed); i++) {
		int nr = seccomp_syscall_resolve_name(needed[i]);
		bool notified = false;
		if (nr < 0)
			continue;
		/* A walk that could not finish is taken as notifying: a hang otherwise. */
		int r = mr_bpf_outcomes(out->insns, out->n_insns, seccomp_arch_native(), nr,
					note_notify, &notified);
		if (r < 0 || notified)
			return mr_error_set(err, 0,
					    "seccomp profile %s: SCMP_ACT_NOTIFY for %s%s: minirun "
					    "calls it to hand the listener to the agent",
					    out->source, needed[i],
					    r < 0 ? " (the program is too large to rule it out)"
						  : "");
	}
	out->listener_path = strdup(prof->listener_path);
	if (out->listener_path == NULL ||
	    (prof->listener_metadata != NULL &&
	     (out->listener_metadata = strdup(prof->listener_metadata)) == NULL))
		return mr_error_oom(err, "seccomp");
	return 0;
}

/*
 * Parse, reduce for this host, compile, and fill out.  path NULL: the
 * built-in default.  On failure out holds whatever was done; the caller
 * clears it.
 */
static int
prepare_profile(const struct mr_seccomp_request *req, const char *path,
		struct mr_seccomp_prepared *out, struct mr_error *err)
{
	cleanup_profile struct mr_profile *prof = NULL;
	cleanup_reduced struct mr_reduced red = {0};
	cleanup_filter struct mr_filter filt = {0};
	cleanup_free char *cache_dir = NULL;
	cleanup_free char *text = NULL;
	size_t text_len = 0;
	struct mr_reduce_env env;
	bool builtin = path == NULL;
	uint8_t fast_key[32];

	out->builtin = builtin;

	/* Observing needs the rules themselves, not only the program. */
	bool fast = builtin && req->observe == MR_OBSERVE_NONE;
	if (fast) {
		int hit = prepare_builtin_embedded(req->bounding, out, err);
		if (hit != 0)
			return hit < 0 ? -1 : 0;
		if (mr_filter_cache_dir(&cache_dir) < 0)
			return mr_error_oom(err, "seccomp");
		if (cache_dir != NULL && builtin_fast_key(req->bounding, fast_key, err) < 0)
			return -1;
		hit = prepare_builtin_cached(cache_dir, fast_key, out, err);
		if (hit > 0)
			mr_phase("seccomp:cache-read");
		if (hit != 0)
			return hit < 0 ? -1 : 0;
	}

	cleanup_free char *source = NULL;
	if (load_profile(req, path, &text, &text_len, &source, &prof, err) < 0)
		return -1;
	if (!builtin && !req->lenient && refuse_fail_open(prof, req->strict, err) < 0)
		return -1;
	out->source = strdup(builtin ? BUILTIN_SOURCE : source);
	if (out->source == NULL || take_warnings(out, &prof->warnings) < 0)
		return mr_error_oom(err, "seccomp");
	if (prof->unconfined)
		return set_profile_unconfined(out, prof) < 0 ? mr_error_oom(err, "seccomp") : 0;

	if (mr_reduce_env_host(req->bounding, &env, err) < 0 ||
	    mr_profile_reduce(prof, &env, &red, err) < 0)
		return -1;
	if (cache_dir == NULL && !builtin && mr_filter_cache_dir(&cache_dir) < 0)
		return mr_error_oom(err, "seccomp");
	struct mr_filter_opts opts = {
	    /* The built-in default lists syscalls newer than the host's libseccomp on
	     * purpose (as Docker's does); that is neither news nor an error. */
	    .strict = req->strict && !builtin,
	    .quiet_unknown = builtin,
	    .cache_dir = cache_dir,
	};
	if (mr_filter_build(&red, &opts, &filt, err) < 0)
		return -1;
	mr_phase("seccomp:compile");
	if (fast && cache_dir != NULL && prof->warnings.n == 0)
		mr_filter_cache_put(cache_dir, fast_key, &filt);
	if (take_warnings(out, &filt.warnings) < 0)
		return mr_error_oom(err, "seccomp");
	out->enabled = true;
	out->insns = mr_steal_pointer(&filt.insns);
	out->n_insns = filt.n_insns;
	out->flags = filt.flags;
	out->default_action = red.default_action;
	if (take_listener_path(out, prof, req->observe, err) < 0)
		return -1;
	if (req->observe == MR_OBSERVE_NONE)
		return 0;
	if (make_observe_program(out, err) < 0 || map_rules(out, &red, err) < 0 ||
	    map_cap_hints(out, &red, &env, err) < 0)
		return -1;
	if (req->observe == MR_OBSERVE_LEARN)
		return set_learn_base(out, builtin ? NULL : text, text_len, source, err);
	return 0;
}

/* EINVAL: a kernel built without CONFIG_SECCOMP_FILTER. */
static bool
kernel_has_seccomp(void)
{
	return !(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL);
}

/* Docker's behaviour: warn and run without the default profile. */
static int
set_no_kernel_seccomp(struct mr_seccomp_prepared *out, struct mr_error *err)
{
	cleanup_strv struct mr_strv w = {0};

	if (set_unconfined(out, "unconfined (kernel without seccomp)", err) < 0)
		return -1;
	if (mr_strv_addf(&w, "seccomp is not enabled in this kernel: running without the "
			     "default profile") < 0 ||
	    take_warnings(out, &w) < 0)
		return mr_error_oom(err, "seccomp");
	return 0;
}

static int
prepare(const struct mr_seccomp_request *req, struct mr_seccomp_prepared *out, struct mr_error *err)
{
	const char *spec = req->profile;
	const char *path = NULL;
	bool builtin = names_builtin(spec);

	out->observe = req->observe;
	if (req->observe == MR_OBSERVE_LEARN && !req->explicit_profile)
		return set_learn_all(out, err);
	/* moby's WithSeccomp: privileged containers get no filter unless one is named. */
	if (req->privileged && !req->explicit_profile)
		return set_unconfined(out, "unconfined (--privileged)", err);
	if (!builtin && names_unconfined(spec))
		return set_unconfined(out, "unconfined", err);
	if (!builtin) {
		/* localhost/NAME: beneath the kubelet's seccomp root (read_named). */
		path = spec;
		if (strcmp(spec, "localhost/") == 0)
			return mr_error_set(
			    err, 0, "--security-opt seccomp=%s: no profile path given", spec);
		if (strncmp(spec, "localhost/", 10) == 0 && mr_localhost_check(spec + 10, err) < 0)
			return -1;
	}
	if (!kernel_has_seccomp()) {
		if (!builtin)
			return mr_error_set(
			    err, 0, "seccomp profile %s: this kernel has no seccomp support", path);
		return set_no_kernel_seccomp(out, err);
	}
	return prepare_profile(req, path, out, err);
}

int
mr_seccomp_prepare(const struct mr_seccomp_request *req, struct mr_seccomp_prepared *out,
		   struct mr_error *err)
{
	memset(out, 0, sizeof(*out));
	if (prepare(req, out, err) < 0) {
		mr_seccomp_prepared_clear(out);
		return -1;
	}
	return 0;
}

bool
mr_seccomp_lets_every_call(const struct mr_seccomp_prepared *p)
{
	return !p->enabled || p->observe == MR_OBSERVE_LEARN || p->observe == MR_OBSERVE_COMPLAIN;
}

/*
 * Whether a return can end in the call being made: TRACE and NOTIFY too, a
 * tracer in the container or an agent can turn them into it.
 */
static bool
lets_through(uint32_t ret)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
		return false;
	default:
		return true;
	}
}

static void
note_lets_through(uint32_t ret, void *arg)
{
	*(bool *)arg |= lets_through(ret);
}

/*
 * Whether the program can let SYSCALL through on ARCH (a libseccomp token)
 * with the bits FLAGS set in argument ARGI, whatever else it holds.  A
 * program too branchy to explore counts as letting it through.
 */
static bool
program_lets_through(const struct mr_seccomp_prepared *p, uint32_t arch, const char *syscall,
		     unsigned argi, uint32_t flags)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, syscall);
	if (nr < 0)
		return false; /* no such call on that architecture */
	/* x32 shares AUDIT_ARCH_X86_64; its numbers carry the x32 bit. */
	if (arch == SCMP_ARCH_X32) {
		nr = (int)((uint32_t)nr | 0x40000000u);
		arch = SCMP_ARCH_X86_64;
	}
	bool through = false;
	return mr_bpf_outcomes_with_bits(p->insns, p->n_insns, arch, nr, argi, flags,
					 note_lets_through, &through) < 0 ||
	       through;
}

bool
mr_seccomp_lets_namespace(const struct mr_seccomp_prepared *p, uint32_t flag, const char **call,
			  uint32_t *arch)
{
	uint32_t arches[3] = {seccomp_arch_native(), 0, 0};
	const struct mr_arch *native = mr_arch_find(arches[0]);

	*call = "every call";
	*arch = arches[0];
	if (mr_seccomp_lets_every_call(p))
		return true;
	for (size_t i = 0; native != NULL && i < 2; i++)
		arches[i + 1] = native->docker_subs[i];
	for (size_t a = 0; a < MR_ARRAY_SIZE(arches) && arches[a] != 0; a++) {
		/* s390's clone takes the stack first and the flags second. */
		bool s390 = arches[a] == SCMP_ARCH_S390 || arches[a] == SCMP_ARCH_S390X;
		const struct {
			const char *name;
			unsigned argi;
			uint32_t bits;
		} ways[] = {{"clone3", 0, 0}, /* its flags are in memory the filter cannot read */
			    {"unshare", 0, flag},
			    {"clone", s390 ? 1 : 0, flag}};
		for (size_t w = 0; w < MR_ARRAY_SIZE(ways); w++)
			if (program_lets_through(p, arches[a], ways[w].name, ways[w].argi,
						 ways[w].bits)) {
				*call = ways[w].name;
				*arch = arches[a];
				return true;
			}
	}
	return false;
}

void
mr_seccomp_prepared_clear(struct mr_seccomp_prepared *p)
{
	free(p->insns);
	for (size_t i = 0; i < p->n_warnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	free(p->source);
	free(p->listener_path);
	free(p->listener_metadata);
	free(p->observe_insns);
	for (size_t i = 0; i < p->n_rule_refs; i++) {
		free(p->rule_refs[i].desc);
		free(p->rule_refs[i].conds);
	}
	free(p->rule_refs);
	free(p->learn_base);
	for (size_t i = 0; i < p->n_cap_hints; i++)
		free(p->cap_hints[i].text);
	free(p->cap_hints);
	memset(p, 0, sizeof(*p));
}

int
mr_seccomp_install(const struct mr_seccomp_prepared *p, int *listener, struct mr_error *err)
{
	*listener = -1;
	if (!p->enabled)
		return 0;
	if (p->insns == NULL || p->n_insns == 0 || p->n_insns > BPF_MAXINSNS)
		return mr_error_set(err, EINVAL, "seccomp: no program prepared for %s", p->source);
	struct sock_fprog prog = {
	    .len = (unsigned short)p->n_insns,
	    .filter = p->insns,
	};
	unsigned int flags = p->flags;
	if (p->observe != MR_OBSERVE_NONE) {
		prog.len = (unsigned short)p->n_observe_insns;
		prog.filter = p->observe_insns;
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	} else if (p->notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	}
	if (!(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	/* Raw seccomp(2), not seccomp_load(): libseccomp would set no_new_privs. */
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW)) {
		/* Kernels before 4.17 know no SPEC_ALLOW; without it the filter is only
		 * stricter (the SSB mitigation stays forced), as crun does. */
		flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	}
	if (r < 0 && (errno == EACCES || errno == EPERM))
		return mr_error_set(
		    err, errno,
		    "seccomp: installing the filter (%s): without no-new-privileges "
		    "installing a filter needs CAP_SYS_ADMIN",
		    p->source);
	if (r < 0)
		return mr_error_set(err, errno, "seccomp: installing the filter (%s)", p->source);
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		*listener = (int)r;
	return 0;
}
