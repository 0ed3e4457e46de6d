/* SPDX-License-Identifier: MIT */
/*
 * minirun profile check|explain|diff|convert: argument parsing and printing
 * only; the work is in lib/tools/lint.c, lib/tools/explain.c and lib/tools/convert.c.
 *
 * Exit statuses (documented in doc/profile-tools.md and the --help texts):
 *   check    0 no error (warnings pass), 1 errors (--strict: warnings too),
 *            2 bad usage / unreadable file
 *   diff     0 same outcomes, 1 outcomes differ, 2 error
 *   explain, convert   0 done, 2 error
 * Every error is one line on stderr: "minirun: profile SUBCOMMAND: ...".
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "minirun/minirun.h"

#define EXIT_PROFILE_ERROR 2

static const char usage_main[] =
    "Usage: minirun profile COMMAND [OPTIONS]\n"
    "\n"
    "Test a seccomp profile (Docker's format, OCI linux.seccomp or a config.json)\n"
    "without running a container.\n"
    "\n"
    "Commands:\n"
    "  check FILE      list what is wrong or risky, with JSON positions and fixes\n"
    "  explain FILE    what each system call gets after reduction, and why\n"
    "  diff A B        the system calls whose outcome differs between two profiles\n"
    "  convert FILE    the reduced profile as OCI linux.seccomp or Docker JSON\n"
    "\n"
    "FILE is a JSON or YAML profile (.yaml/.yml: plain or a Kubernetes SeccompProfile),\n"
    "or a name as a run takes it: runtime/default (RuntimeDefault, docker/default),\n"
    "unconfined, localhost/NAME (beneath --seccomp-root DIR, $MINIRUN_SECCOMP_ROOT or\n"
    "/var/lib/kubelet/seccomp, as the kubelet resolves it).\n"
    "Run 'minirun profile COMMAND --help' for a command's options.\n"
    "Exit status: check 0/1 (no error/errors; --strict: warnings too), diff 0/1\n"
    "(same/different), explain and convert 0; 2 on bad usage or any other error.\n";

static const char usage_check[] =
    "Usage: minirun profile check FILE [--arch ARCH]... [--strict]\n"
    "\n"
    "Print one line per finding: FILE:LINE:COLUMN: error|warning: message (fix: ...)\n"
    "Checks: JSON and schema, unknown system call names (with the nearest known name),\n"
    "legacy names missing on other architectures, deny rules that fail open, keys\n"
    "Docker ignores, {} (unconfined), execve denied, rules libseccomp ignores,\n"
    "repeated argument indexes (OR, not AND), errnoRet on a non-errno action, and new\n"
    "system calls that get ENOSYS from the stub.\n"
    "\n"
    "  --arch ARCH   check names on ARCH (SCMP_ARCH_AARCH64, aarch64 or arm64; repeat\n"
    "                for more); default: this host's arch only\n"
    "  --target RUNTIME  also an error for each group of calls the runtime makes after\n"
    "                installing the filter that the profile denies (the container\n"
    "                would not start there): docker, runc, crun, podman, containerd,\n"
    "                cri-o, kubernetes, or a JSON file like examples/targets/runc.json\n"
    "  --strict      warnings fail too (exit 1)\n"
    "\n"
    "Errors are what a run refuses (or would fail open with); warnings, what it\n"
    "runs but probably not as meant.\n"
    "Exit status (for CI): 0 no error (warnings are printed but pass), 1 errors\n"
    "(with --strict: any finding), 2 bad usage or an unreadable FILE.\n";

static const char usage_explain[] =
    "Usage: minirun profile explain FILE [OPTIONS] [SYSCALL...]\n"
    "\n"
    "What each system call gets once Docker's includes/excludes, libseccomp and the\n"
    "ENOSYS stub are applied: ALLOW, conditions on arguments, ERRNO(...), KILL_*,\n"
    "TRAP, LOG; and why (rule index in \"syscalls\", its line and comment, which\n"
    "includes/excludes dropped a rule).  Without SYSCALL: every name the profile\n"
    "uses, then a summary line.\n"
    "\n"
    "  --cap-add CAP      capabilities added to Docker's default set (repeatable, or\n"
    "                     CAP1,CAP2; ALL for all)\n"
    "  --cap-drop CAP     capabilities dropped from it\n"
    "  --arch ARCH        explain for a host of ARCH (default: this one)\n"
    "  --format=FORMAT    table (default), json, pfc (libseccomp's pseudo code),\n"
    "                     bpf (the final program, stub included)\n"
    "\n"
    "Exit status: 0, or 2 on error.\n";

static const char usage_diff[] =
    "Usage: minirun profile diff A B [--cap-add CAP]... [--cap-drop CAP]... [--arch ARCH]\n"
    "\n"
    "Print \"NAME: OUTCOME-IN-A -> OUTCOME-IN-B\" for every system call of the arch\n"
    "whose outcome differs, sorted by name.  Options as for explain.\n"
    "\n"
    "Exit status: 0 same outcomes, 1 different, 2 error.\n";

static const char usage_convert[] =
    "Usage: minirun profile convert FILE --to oci|docker|spo [-o OUT] [OPTIONS]\n"
    "\n"
    "Write the profile reduced for one host (archMap expanded, includes/excludes\n"
    "decided for the capabilities and arch) as JSON:\n"
    "  oci      an OCI runtime-spec linux.seccomp object for runc or crun, names\n"
    "           grouped by identical action and arguments\n"
    "  docker   Docker's format, one entry per surviving rule, comments kept\n"
    "  spo      a Kubernetes SeccompProfile (Security Profiles Operator, YAML)\n"
    "           for kubectl apply -f; --name NAME (default: from FILE) and\n"
    "           --namespace NS set its metadata\n"
    "\n"
    "  -o, --output OUT   write to OUT instead of standard output\n"
    "  --cap-add, --cap-drop, --arch   as for explain\n"
    "  --target RUNTIME   warn (one line per group of calls) when the runtime's own\n"
    "                     calls after the filter are denied: as for check\n"
    "\n"
    "Exit status: 0, or 2 on error.\n";

struct popts {
	const char *sub;
	const char **pos; /* positional arguments */
	size_t n_pos;
	const char **adds;
	size_t n_adds;
	const char **drops;
	size_t n_drops;
	uint32_t *arches;
	size_t n_arches;
	const char *format;
	const char *to;
	const char *output;
	const char *spo_name, *spo_namespace; /* --to spo: metadata */
	const char *target; /* --target, for check and convert (lib/tools/targets.h) */
	bool target_ok;	    /* the subcommand takes --target */
	bool help;
	bool strict; /* check --strict: warnings fail too */
};

static void
popts_clear(struct popts *o)
{
	free(o->pos);
	free(o->adds);
	free(o->drops);
	free(o->arches);
}

static int fail(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(const char *sub, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "minirun: profile%s%s: ", sub ? " " : "", sub ? sub : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_PROFILE_ERROR;
}

/*
 * The profile's own strings (names, comments, includes) are its author's to
 * choose: printed as is, an escape sequence in them would drive the user's
 * terminal and a newline would add a line that reads as a finding of
 * minirun's.  Every line of text made from them goes out escaped
 * (common/escape.h); JSON is escaped by its encoder.  -1 when out of memory.
 */
static int
put_text(FILE *f, const char *s)
{
	while (*s != '\0') {
		size_t n = strcspn(s, "\n");
		cleanup_free char *e = mr_escape(s, n, MR_ESCAPE_KEEP_BACKSLASH);
		if (e == NULL)
			return -1;
		fputs(e, f);
		if (s[n] == '\n') {
			fputc('\n', f);
			n++;
		}
		s += n;
	}
	return 0;
}

/* One line made from the profile's strings, escaped whole (a newline in them too); takes
   LINE (malloc'ed or NULL).  NULL when out of memory. */
static char *
escaped_line(char *line)
{
	char *text = line != NULL ? mr_escape_str(line, MR_ESCAPE_KEEP_BACKSLASH) : NULL;
	free(line);
	return text;
}

static int
push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (nv == NULL)
		return -1;
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

enum {
	O_CAP_ADD = 256,
	O_CAP_DROP,
	O_ARCH,
	O_FORMAT,
	O_TO,
	O_SPO_NAME,
	O_SPO_NAMESPACE,
	O_SECCOMP_ROOT,
	O_TARGET,
	O_STRICT
};

/* Returns 0, or an exit status after printing the error. */
static int
parse(int argc, char **argv, struct popts *o, bool caps, bool arch, bool many_arches, bool format,
      bool to)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"cap-add", required_argument, NULL, O_CAP_ADD},
	    {"cap-drop", required_argument, NULL, O_CAP_DROP},
	    {"arch", required_argument, NULL, O_ARCH},
	    {"format", required_argument, NULL, O_FORMAT},
	    {"to", required_argument, NULL, O_TO},
	    {"output", required_argument, NULL, 'o'},
	    /* Kubernetes (README: Kubernetes): --to spo's metadata, localhost/NAME's root. */
	    {"name", required_argument, NULL, O_SPO_NAME},
	    {"namespace", required_argument, NULL, O_SPO_NAMESPACE},
	    {"seccomp-root", required_argument, NULL, O_SECCOMP_ROOT},
	    {"target", required_argument, NULL, O_TARGET},
	    {"strict", no_argument, NULL, O_STRICT},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	optind = 0; /* glibc: 0 re-initialises getopt for a new argv */
	while ((c = getopt_long(argc, argv, "-ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 1: /* "-" in optstring: positionals in order, wherever they are */
			if (push(&o->pos, &o->n_pos, optarg) < 0)
				return fail(o->sub, "out of memory");
			break;
		case 'h':
			o->help = true;
			break;
		case O_CAP_ADD:
		case O_CAP_DROP:
			if (!caps)
				return fail(o->sub, "unknown option --%s",
					    c == O_CAP_ADD ? "cap-add" : "cap-drop");
			/* "A,B" is split by mr_caps_tweak, as for a run. */
			if (push(c == O_CAP_ADD ? &o->adds : &o->drops,
				 c == O_CAP_ADD ? &o->n_adds : &o->n_drops, optarg) < 0)
				return fail(o->sub, "out of memory");
			break;
		case O_ARCH: {
			if (!arch)
				return fail(o->sub, "unknown option --arch");
			uint32_t t = mr_arch_parse(optarg);
			if (t == 0)
				return fail(
				    o->sub,
				    "--arch %s: unknown architecture (use SCMP_ARCH_X86_64, "
				    "x86_64, amd64, SCMP_ARCH_AARCH64, aarch64, arm64, ...)",
				    optarg);
			if (!many_arches && o->n_arches > 0)
				return fail(o->sub, "--arch given twice");
			uint32_t *na = realloc(o->arches, (o->n_arches + 1) * sizeof(*na));
			if (na == NULL)
				return fail(o->sub, "out of memory");
			o->arches = na;
			na[o->n_arches++] = t;
			break;
		}
		case O_FORMAT:
			if (!format)
				return fail(o->sub, "unknown option --format");
			if (strcmp(optarg, "table") != 0 && strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "pfc") != 0 && strcmp(optarg, "bpf") != 0)
				return fail(o->sub,
					    "--format=%s: unknown format (table, json, pfc or bpf)",
					    optarg);
			o->format = optarg;
			break;
		case O_TO:
			if (!to)
				return fail(o->sub, "unknown option --to");
			if (strcmp(optarg, "oci") != 0 && strcmp(optarg, "docker") != 0 &&
			    strcmp(optarg, "spo") != 0)
				return fail(o->sub, "--to %s: unknown format (oci, docker or spo)",
					    optarg);
			o->to = optarg;
			break;
		case O_TARGET:
			if (!o->target_ok)
				return fail(o->sub, "unknown option --target");
			o->target = optarg;
			break;
		case O_STRICT:
			if (strcmp(o->sub, "check") != 0)
				return fail(o->sub, "unknown option --strict");
			o->strict = true;
			break;
		case 'o':
			if (!to)
				return fail(o->sub, "unknown option -o");
			o->output = optarg;
			break;
		case O_SPO_NAME:
		case O_SPO_NAMESPACE:
			if (!to)
				return fail(o->sub, "unknown option %s", argv[optind - 1]);
			*(c == O_SPO_NAME ? &o->spo_name : &o->spo_namespace) = optarg;
			break;
		case O_SECCOMP_ROOT:
			mr_seccomp_root_set(optarg); /* process-wide, as the kubelet's root */
			break;
		case ':':
			return fail(o->sub, "option %s needs a value", argv[optind - 1]);
		default:
			if (optopt != 0 && optopt < 256)
				return fail(o->sub, "unknown option -%c", optopt);
			return fail(o->sub, "unknown option %s", argv[optind - 1]);
		}
	}
	return 0;
}

static int
bounding_from(const struct popts *o, mr_capset *out)
{
	struct mr_error err = {0};
	if (mr_caps_tweak(mr_caps_docker_default(), o->adds, o->n_adds, o->drops, o->n_drops, out,
			  &err) < 0)
		return fail(o->sub, "%s", err.msg);
	return 0;
}

static int
load(const struct popts *o, const char *path, struct mr_profile **p)
{
	struct mr_error err = {0};
	if (mr_profile_load_named(path, p, &err) < 0)
		return fail(o->sub, "%s", err.msg);
	return 0;
}

/* ------------------------------------------------------------------ check */

static int check_target(const struct popts *o, int st);

static int
cmd_check(int argc, char **argv)
{
	struct popts o = {.sub = "check", .target_ok = true};
	struct mr_lint l;
	struct mr_error err = {0};
	int st = parse(argc, argv, &o, false, true, true, false, false);

	if (st != 0 || o.help) {
		if (st == 0)
			fputs(usage_check, stdout);
		popts_clear(&o);
		return st;
	}
	if (o.n_pos != 1) {
		popts_clear(&o);
		return fail("check",
			    o.n_pos ? "one FILE only, got %zu arguments"
				    : "no FILE given (see --help)",
			    o.n_pos);
	}
	struct mr_lint_opts lo = {.arches = o.arches, .n_arches = o.n_arches};
	if (mr_lint_file(o.pos[0], &lo, &l, &err) < 0) {
		popts_clear(&o);
		return fail("check", "%s", err.msg);
	}
	for (size_t i = 0; i < l.n; i++) {
		cleanup_free char *text = escaped_line(mr_lint_format(o.pos[0], &l.v[i]));
		if (text == NULL) {
			mr_lint_clear(&l);
			popts_clear(&o);
			return fail("check", "out of memory");
		}
		puts(text);
	}
	st = mr_lint_exit_status(&l, o.strict);
	mr_lint_clear(&l);
	if (o.target != NULL && st < 2)
		st = check_target(&o, st);
	popts_clear(&o);
	return st;
}

/* ---------------------------------------------------------------- explain */

/* Load, reduce and compile one profile for the options' caps and arch. */
static int
prepare(const struct popts *o, const char *path, struct mr_profile **p, struct mr_explained *x)
{
	mr_capset bounding;
	struct mr_reduce_env env;
	struct mr_error err = {0};
	int st;

	*p = NULL;
	if ((st = bounding_from(o, &bounding)) != 0)
		return st;
	if ((st = load(o, path, p)) != 0)
		return st;
	if (mr_reduce_env_for(bounding, o->n_arches ? o->arches[0] : 0, &env, &err) < 0 ||
	    mr_explain_prepare(*p, &env, x, &err) < 0) {
		mr_profile_free(*p);
		*p = NULL;
		return fail(o->sub, "%s", err.msg);
	}
	return 0;
}

/* ----------------------------------------------------------------- target */

/*
 * --target: the runtime's own calls after its filter that x denies, one line
 * per group (condition).  check (found != NULL): an error finding each, since
 * the container cannot start there, like a denied execve; convert: a warning
 * on stderr each, the output is still written.  Returns 0 or an exit status.
 */
static int
target_gaps(const struct popts *o, const struct mr_explained *x, size_t *found)
{
	struct mr_target t;
	struct mr_target_gap *g = NULL;
	size_t n = 0;
	struct mr_error err = {0};

	if (mr_target_load(o->target, &t, &err) < 0)
		return fail(o->sub, "--target: %s", err.msg);
	if (mr_target_gaps(x, &t, &g, &n, &err) < 0) {
		mr_target_clear(&t);
		return fail(o->sub, "--target: %s", err.msg);
	}
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *text = escaped_line(mr_target_gap_text(&t, &g[i]));
		if (text == NULL) {
			mr_target_gaps_free(g, n);
			mr_target_clear(&t);
			return fail(o->sub, "out of memory");
		}
		if (found != NULL)
			printf("%s:1:1: error: %s (fix: allow them, or learn the profile with "
			       "--seccomp-learn --target %s)\n",
			       o->pos[0], text, o->target);
		else
			fprintf(stderr, "minirun: profile %s: warning: %s\n", o->sub, text);
	}
	if (found != NULL)
		*found = n;
	mr_target_gaps_free(g, n);
	mr_target_clear(&t);
	return 0;
}

static int
check_target(const struct popts *o, int st)
{
	struct mr_profile *p = NULL;
	struct mr_explained x;
	size_t found = 0;
	int r = prepare(o, o->pos[0], &p, &x);
	if (r != 0)
		return r;
	r = target_gaps(o, &x, &found);
	mr_explained_clear(&x);
	mr_profile_free(p);
	if (r != 0)
		return r;
	return found > 0 ? 1 : st; /* an error, as every other: exit 1 */
}

static int
print_owned(const struct popts *o, char *s)
{
	if (s == NULL)
		return fail(o->sub, "out of memory");
	int r = 0;
	if (o->format != NULL && strcmp(o->format, "json") == 0)
		fputs(s, stdout);
	else
		r = put_text(stdout, s);
	free(s);
	return r < 0 ? fail(o->sub, "out of memory") : 0;
}

/* explain's answers so far: N of them are filled and cleared. */
struct outcomes {
	struct mr_outcome *v;
	size_t n;
};

static void
outcomes_clear(struct outcomes *o)
{
	for (size_t i = 0; i < o->n; i++)
		mr_outcome_clear(&o->v[i]);
	free(o->v);
}

#define cleanup_outcomes __attribute__((cleanup(outcomes_clear)))

/* --format=bpf|pfc: the whole program, never one syscall. */
static int
explain_program(const struct popts *o, const struct mr_profile *p, const struct mr_explained *x)
{
	struct mr_error err = {0};

	if (o->n_pos > 1)
		return fail("explain",
			    "--format=%s shows the whole program: no SYSCALL "
			    "arguments",
			    o->format);
	if (p->unconfined)
		return fail("explain",
			    "%s: unconfined (no defaultAction and no syscalls): "
			    "there is no filter",
			    p->source);
	if (o->format[0] == 'b')
		return print_owned(o, mr_explain_bpf(x));
	char *pfc = NULL;
	return mr_explain_pfc(x, &pfc, &err) < 0 ? fail("explain", "%s", err.msg)
						 : print_owned(o, pfc);
}

/* The SYSCALL arguments' outcomes (every named one without), as a table or JSON. */
static int
explain_syscalls(const struct popts *o, const struct mr_profile *p, const struct mr_explained *x)
{
	cleanup_strv struct mr_strv names = {0};
	cleanup_outcomes struct outcomes out = {0};
	struct mr_error err = {0};
	bool all = o->n_pos == 1;
	int st;

	if (all) {
		if (mr_explain_named(p, &names, &err) < 0)
			return fail("explain", "%s", err.msg);
	} else {
		for (size_t i = 1; i < o->n_pos; i++)
			if (mr_strv_addf(&names, "%s", o->pos[i]) < 0)
				return fail("explain", "out of memory");
	}
	out.v = calloc(names.n ? names.n : 1, sizeof(*out.v));
	if (out.v == NULL)
		return fail("explain", "out of memory");
	for (; out.n < names.n; out.n++)
		if (mr_explain_syscall(x, names.v[out.n], &out.v[out.n], &err) < 0)
			return fail("explain", "%s", err.msg);
	if (strcmp(o->format, "json") == 0)
		return print_owned(o, mr_explain_json(x, out.v, out.n));
	st = print_owned(o, mr_explain_table(out.v, out.n));
	if (st == 0 && all)
		st = print_owned(o, mr_explain_summary(x, out.v, out.n));
	return st;
}

static int
cmd_explain(int argc, char **argv)
{
	struct popts o = {.sub = "explain", .format = "table"};
	struct mr_profile *p = NULL;
	struct mr_explained x;
	int st = parse(argc, argv, &o, true, true, false, true, false);

	if (st != 0 || o.help) {
		if (st == 0)
			fputs(usage_explain, stdout);
		popts_clear(&o);
		return st;
	}
	if (o.n_pos < 1) {
		popts_clear(&o);
		return fail("explain", "no FILE given (see --help)");
	}
	if ((st = prepare(&o, o.pos[0], &p, &x)) != 0) {
		popts_clear(&o);
		return st;
	}
	if (strcmp(o.format, "bpf") == 0 || strcmp(o.format, "pfc") == 0)
		st = explain_program(&o, p, &x);
	else
		st = explain_syscalls(&o, p, &x);
	mr_explained_clear(&x);
	mr_profile_free(p);
	popts_clear(&o);
	return st;
}

/* ------------------------------------------------------------------- diff */

static int
cmd_diff(int argc, char **argv)
{
	struct popts o = {.sub = "diff"};
	struct mr_profile *pa = NULL, *pb = NULL;
	struct mr_explained xa, xb;
	struct mr_error err = {0};
	struct mr_diff_line *d = NULL;
	size_t n = 0;
	int st = parse(argc, argv, &o, true, true, false, false, false);

	if (st != 0 || o.help) {
		if (st == 0)
			fputs(usage_diff, stdout);
		popts_clear(&o);
		return st;
	}
	if (o.n_pos != 2) {
		popts_clear(&o);
		return fail("diff", "needs two profiles A and B, got %zu (see --help)", o.n_pos);
	}
	if ((st = prepare(&o, o.pos[0], &pa, &xa)) != 0) {
		popts_clear(&o);
		return st;
	}
	if ((st = prepare(&o, o.pos[1], &pb, &xb)) != 0) {
		mr_explained_clear(&xa);
		mr_profile_free(pa);
		popts_clear(&o);
		return st;
	}
	if (mr_explain_diff(&xa, &xb, &d, &n, &err) < 0) {
		st = fail("diff", "%s", err.msg);
	} else {
		st = n > 0 ? 1 : 0;
		for (size_t i = 0; i < n; i++) {
			char *line = NULL;
			if (asprintf(&line, "%s: %s -> %s", d[i].name, d[i].a, d[i].b) < 0)
				line = NULL;
			cleanup_free char *text = escaped_line(line);
			if (text == NULL) {
				st = fail("diff", "out of memory");
				break;
			}
			puts(text);
		}
	}
	mr_diff_free(d, n);
	mr_explained_clear(&xa);
	mr_explained_clear(&xb);
	mr_profile_free(pa);
	mr_profile_free(pb);
	popts_clear(&o);
	return st;
}

/* ---------------------------------------------------------------- convert */

/* Never through a symlink, into a FIFO (it would block) or a device: lib/common/outfile.h. */
static int
write_file(const char *path, const char *text)
{
	struct mr_outfile f = MR_OUTFILE_INIT;
	struct mr_error err = {0};
	if (mr_outfile_open(&f, "--output", path, true, &err) < 0)
		return fail("convert", "%s", err.msg);
	int r = mr_outfile_write(&f, text, strlen(text));
	int saved = errno;
	mr_outfile_close(&f);
	if (r < 0)
		return fail("convert", "%s: %s", path, strerror(saved));
	return 0;
}

static int
cmd_convert(int argc, char **argv)
{
	struct popts o = {.sub = "convert", .target_ok = true};
	struct mr_profile *p = NULL;
	struct mr_explained x;
	struct mr_error err = {0};
	char *text = NULL;
	int st = parse(argc, argv, &o, true, true, false, false, true);

	if (st != 0 || o.help) {
		if (st == 0)
			fputs(usage_convert, stdout);
		popts_clear(&o);
		return st;
	}
	if (o.n_pos != 1 || o.to == NULL) {
		st = fail("convert", o.n_pos != 1 ? "needs exactly one FILE (see --help)"
						  : "--to oci|docker|spo is required");
		popts_clear(&o);
		return st;
	}
	if ((st = prepare(&o, o.pos[0], &p, &x)) != 0) {
		popts_clear(&o);
		return st;
	}
	/*
	 * The reduction as Docker does it, without the target-arch entry explain
	 * adds for compiling on this host: the output must say what the profile
	 * says.
	 */
	struct mr_reduced r;
	if (mr_profile_reduce(p, &x.env, &r, &err) < 0) {
		st = fail("convert", "%s", err.msg);
	} else {
		int cr;
		if (strcmp(o.to, "spo") == 0) {
			char *name = o.spo_name ? strdup(o.spo_name) : mr_spo_name_from(o.pos[0]);
			cr = name ? mr_convert_spo(&r, name, o.spo_namespace, &text, &err)
				  : mr_error_oom(&err, "convert");
			free(name);
		} else {
			cr = mr_convert(
			    &r, strcmp(o.to, "oci") == 0 ? MR_CONVERT_OCI : MR_CONVERT_DOCKER,
			    &text, &err);
		}
		if (cr < 0)
			st = fail("convert", "%s", err.msg);
		else if (o.target != NULL && (st = target_gaps(&o, &x, NULL)) != 0)
			;
		else if (o.output != NULL)
			st = write_file(o.output, text);
		else
			fputs(text, stdout);
		mr_reduced_clear(&r);
	}
	free(text);
	mr_explained_clear(&x);
	mr_profile_free(p);
	popts_clear(&o);
	return st;
}

/* ------------------------------------------------------------------- main */

int
mr_cmd_profile(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {
	    {"check", cmd_check},
	    {"explain", cmd_explain},
	    {"diff", cmd_diff},
	    {"convert", cmd_convert},
	};

	if (argc < 2)
		return fail(NULL, "no command given (check, explain, diff or convert; see "
				  "'minirun profile --help')");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].fn(argc - 1, argv + 1);
	return fail(NULL, "unknown command \"%s\" (check, explain, diff or convert)", argv[1]);
}
