/* SPDX-License-Identifier: MIT */
/*
 * minirun inspect PID [--seccomp=PROFILE]: the cgroups (lib/container/cgroup.c)
 * and the seccomp filters of a running process, read back from the kernel, and whether they are
 * exactly what PROFILE compiles to for that process's bounding set.
 */
#include <errno.h>
#include <stdbool.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "minirun/minirun.h"

static const char usage[] =
    "Usage: minirun inspect PID [--seccomp=PROFILE]\n"
    "\n"
    "Show the cgroups of process PID (a host pid; needs root) -- paths, limits\n"
    "and device rules of its minirun-<id> cgroups -- and the seccomp filters\n"
    "installed in it, read back from the kernel.  With --seccomp, compile\n"
    "PROFILE for that process's bounding set (as minirun would have) and say whether the\n"
    "installed filter is exactly that program.  PROFILE may be a file or\n"
    "runtime/default for the built-in default.  A container run with\n"
    "--seccomp-report, --seccomp-complain or --seccomp-learn runs PROFILE's\n"
    "program with user notifications in place of refusals: inspect names which\n"
    "(report enforces PROFILE exactly; complain and learn enforce nothing).\n"
    "\n"
    "Exit status: 0 shown (and matching, or PROFILE's --seccomp-report program),\n"
    "1 the filter differs from PROFILE or does not enforce it,\n"
    "125 an error.\n";

struct status {
	char name[64];
	int seccomp;
	int filters;
	int nnp;
	unsigned long long capbnd;
};

static int
read_status(int pid, struct status *st)
{
	char path[64], line[512];
	memset(st, 0, sizeof(*st));
	st->seccomp = st->filters = st->nnp = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Name:\t%63s", st->name) == 1)
			continue;
		if (sscanf(line, "Seccomp:\t%d", &st->seccomp) == 1)
			continue;
		if (sscanf(line, "Seccomp_filters:\t%d", &st->filters) == 1)
			continue;
		if (sscanf(line, "NoNewPrivs:\t%d", &st->nnp) == 1)
			continue;
		sscanf(line, "CapBnd:\t%llx", &st->capbnd);
	}
	fclose(f);
	return 0;
}

/*
 * Whether f is one of the observing programs minirun installs for PROFILE
 * (--seccomp-report, --seccomp-complain, --seccomp-learn): the profile's
 * own program with USER_NOTIF returns, tagged with the mode.  Prints what it
 * is and sets *rc; false when it is none of them.
 */
static bool
compare_observing(const struct mr_installed_filter *f, const char *profile,
		  unsigned long long capbnd, int *rc)
{
	static const struct {
		enum mr_seccomp_observe mode;
		const char *flag, *what;
		int rc;
	} modes[] = {
	    /* Report answers every notified call exactly as the profile would. */
	    {MR_OBSERVE_REPORT, "--seccomp-report",
	     "the profile's own program with USER_NOTIF in place of refusals, which "
	     "minirun answers as the profile would: enforced",
	     0},
	    {MR_OBSERVE_COMPLAIN, "--seccomp-complain",
	     "the profile's own program with USER_NOTIF in place of refusals, which "
	     "minirun reports and lets run: not enforced",
	     1},
	    {MR_OBSERVE_LEARN, "--seccomp-learn",
	     "the profile's own program with USER_NOTIF in place of everything it does not "
	     "allow, which minirun records and lets run: not enforced",
	     1},
	};
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct mr_seccomp_prepared p;
		struct mr_error err = {0};
		struct mr_seccomp_request req = {
		    .profile = profile,
		    .explicit_profile = true,
		    .bounding = capbnd,
		    .observe = modes[m].mode,
		};
		if (mr_seccomp_prepare(&req, &p, &err) < 0)
			continue;
		bool same = p.enabled && p.observe_insns != NULL &&
			    p.n_observe_insns == f->n_insns &&
			    memcmp(p.observe_insns, f->insns, f->n_insns * sizeof(*f->insns)) == 0;
		mr_seccomp_prepared_clear(&p);
		if (!same)
			continue;
		printf("filter 0 is the %s program of %s: %s (%zu instructions, compiled for "
		       "CapBnd %016llx)\n",
		       modes[m].flag, profile, modes[m].what, f->n_insns, capbnd);
		*rc = modes[m].rc;
		return true;
	}
	return false;
}

static int
compare(const struct mr_installed_filter *f, const char *profile, unsigned long long capbnd)
{
	struct mr_seccomp_prepared p;
	struct mr_error err = {0};
	struct mr_seccomp_request req = {
	    .profile = profile,
	    .explicit_profile = true,
	    .bounding = capbnd,
	};

	if (mr_seccomp_prepare(&req, &p, &err) < 0) {
		fprintf(stderr, "minirun: inspect: %s\n", err.msg);
		return 125;
	}
	int rc;
	if (!p.enabled) {
		printf("%s installs no filter (unconfined), but the process has one\n", profile);
		rc = 1;
	} else if (p.n_insns == f->n_insns &&
		   memcmp(p.insns, f->insns, f->n_insns * sizeof(*f->insns)) == 0) {
		printf("filter 0 matches %s exactly (%zu instructions, compiled for CapBnd "
		       "%016llx)\n",
		       profile, p.n_insns, capbnd);
		rc = 0;
	} else if (compare_observing(f, profile, capbnd, &rc)) {
		/* named by compare_observing */
	} else {
		size_t i = 0;
		while (i < p.n_insns && i < f->n_insns &&
		       memcmp(&p.insns[i], &f->insns[i], sizeof(*f->insns)) == 0)
			i++;
		printf("filter 0 differs from %s: %zu instructions installed, %zu compiled "
		       "(CapBnd %016llx); first difference at instruction %zu\n",
		       profile, f->n_insns, p.n_insns, capbnd, i);
		rc = 1;
	}
	mr_seccomp_prepared_clear(&p);
	return rc;
}

int
mr_cmd_inspect(int argc, char **argv)
{
	const char *profile = NULL;
	const char *pid_arg = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		if (strncmp(argv[i], "--seccomp=", 10) == 0) {
			profile = argv[i] + 10;
		} else if (strcmp(argv[i], "--seccomp") == 0 && i + 1 < argc) {
			profile = argv[++i];
		} else if (argv[i][0] != '-' && pid_arg == NULL) {
			pid_arg = argv[i];
		} else {
			fprintf(stderr,
				"minirun: inspect: unexpected argument '%s' (see minirun "
				"inspect --help)\n",
				argv[i]);
			return 125;
		}
	}
	if (pid_arg == NULL) {
		fprintf(stderr, "minirun: inspect: no PID given (see minirun inspect --help)\n");
		return 125;
	}
	char *end;
	errno = 0;
	long pid = strtol(pid_arg, &end, 10);
	if (errno != 0 || *end != '\0' || pid <= 0 || pid > 4194304) {
		fprintf(stderr, "minirun: inspect: '%s' is not a process id\n", pid_arg);
		return 125;
	}

	struct status st;
	if (read_status((int)pid, &st) < 0) {
		fprintf(stderr, "minirun: inspect %ld: %s\n", pid, strerror(errno));
		return 125;
	}
	printf("pid %ld (%s): Seccomp: %d (%s), Seccomp_filters: %d, NoNewPrivs: %d, CapBnd: "
	       "%016llx\n",
	       pid, st.name, st.seccomp,
	       st.seccomp == 2	 ? "filter"
	       : st.seccomp == 1 ? "strict"
				 : "none",
	       st.filters, st.nnp, st.capbnd);

	/* The container's cgroups: paths, limits and device rules, read back. */
	struct mr_error cgerr = {0};
	if (mr_cgroup_inspect((pid_t)pid, "", stdout, &cgerr) < 0) {
		fprintf(stderr, "minirun: inspect %ld: %s\n", pid, cgerr.msg);
		return 125;
	}

	struct mr_installed_filter *f = NULL;
	size_t n = 0;
	struct mr_error err = {0};
	if (st.seccomp == 2 && mr_inspect_filters((pid_t)pid, &f, &n, &err) < 0) {
		fprintf(stderr, "minirun: %s\n", err.msg);
		return 125;
	}
	/* The kernel's order: filter 0 is the oldest, and the newest runs first. */
	for (size_t i = 0; i < n; i++)
		printf("filter %zu%s: %zu instructions, flags: %s\n", i,
		       i + 1 == n ? " (installed last, runs first)"
		       : i == 0	  ? " (installed first, runs last)"
				  : "",
		       f[i].n_insns, (f[i].flags & SECCOMP_FILTER_FLAG_LOG) ? "LOG" : "none");

	int rc = 0;
	if (profile != NULL) {
		bool unconfined =
		    strcmp(profile, "unconfined") == 0 || strcmp(profile, "Unconfined") == 0;
		if (n == 0 && unconfined) {
			printf("no filter installed, as %s means\n", profile);
		} else if (n == 0) {
			printf("no filter installed, but %s was given\n", profile);
			rc = 1;
		} else {
			rc = compare(&f[0], profile, st.capbnd);
		}
	}
	mr_inspect_free(f, n);
	return rc;
}
