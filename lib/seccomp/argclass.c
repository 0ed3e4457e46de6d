/* SPDX-License-Identifier: MIT */
/*
 * --seccomp-learn-args (lib/seccomp/argclass.h).  Plain learning allows a
 * call whatever its arguments: a workload that opens one AF_UNIX socket gets
 * socket(2) for every family, AF_NETLINK and AF_PACKET included, and one that
 * starts a thread gets clone(2) with namespace flags.  Docker's default is
 * tighter than that for exactly these calls; learning their values closes
 * the gap.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/argclass.h"
#include "common/util.h"

enum cls_kind {
	/* Allowed for each value seen in the argument (socket families, ...). */
	CLS_VALUES,
	/* clone: allowed without namespace flags, as in Docker's default. */
	CLS_CLONE_NS,
};

static const struct {
	const char *name;
	enum cls_kind kind;
} classes[] = {
    {"socket", CLS_VALUES},	 /* arg 0: the address family */
    {"clone", CLS_CLONE_NS},	 /* arg 0 (arg 1 on s390): the flags */
    {"personality", CLS_VALUES}, /* arg 0: the persona */
    {"prctl", CLS_VALUES},	 /* arg 0: the option */
};
#define N_CLASSES MR_ARRAY_SIZE(classes)

/* The learned calls' numbers on one architecture (-1: not there). */
struct arch_nrs {
	uint32_t arch;
	int nr[N_CLASSES];
	int clone3; /* clone3's number, -1 if none */
};

struct learned {
	bool seen;
	bool overflow; /* more than MR_ARGLEARN_MAX_VALUES values: not covered */
	bool ns_flags; /* clone: a namespace flag was seen (clone3's too) */
	bool clone3;   /* clone: clone3 was seen */
	size_t n;
	uint64_t values[MR_ARGLEARN_MAX_VALUES];
};

struct mr_arglearn {
	struct arch_nrs arches[8]; /* a process has at most a few ABIs */
	size_t n_arches;
	struct learned cls[N_CLASSES];
};

struct mr_arglearn *
mr_arglearn_new(void)
{
	return calloc(1, sizeof(struct mr_arglearn));
}

void
mr_arglearn_free(struct mr_arglearn *al)
{
	free(al);
}

/* clone's flags are its second argument on s390 (the stack comes first). */
static unsigned
clone_flags_index(uint32_t arch)
{
	return arch == SCMP_ARCH_S390 || arch == SCMP_ARCH_S390X ? 1 : 0;
}

static const struct arch_nrs *
nrs_for(struct mr_arglearn *al, uint32_t arch)
{
	for (size_t i = 0; i < al->n_arches; i++)
		if (al->arches[i].arch == arch)
			return &al->arches[i];
	if (al->n_arches == MR_ARRAY_SIZE(al->arches))
		return NULL;
	struct arch_nrs *a = &al->arches[al->n_arches++];
	a->arch = arch;
	for (size_t c = 0; c < N_CLASSES; c++) {
		int nr = seccomp_syscall_resolve_name_arch(arch, classes[c].name);
		a->nr[c] = nr >= 0 ? nr : -1;
	}
	int nr = seccomp_syscall_resolve_name_arch(arch, "clone3");
	a->clone3 = nr >= 0 ? nr : -1;
	return a;
}

static void
add_value(struct learned *l, uint64_t v)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->values[i] == v)
			return;
	if (l->n == MR_ARGLEARN_MAX_VALUES) {
		l->overflow = true;
		return;
	}
	l->values[l->n++] = v;
}

void
mr_arglearn_note(struct mr_arglearn *al, uint32_t arch, int nr, const uint64_t args[6])
{
	const struct arch_nrs *a = nrs_for(al, arch);
	for (size_t c = 0; c < N_CLASSES; c++) {
		if (a == NULL || a->nr[c] != nr) {
			/* An ABI past the table's room: its calls are seen, not classified. */
			if (a == NULL && nr >= 0 &&
			    seccomp_syscall_resolve_name_arch(arch, classes[c].name) == nr) {
				al->cls[c].seen = true;
				al->cls[c].overflow = true;
			}
			continue;
		}
		struct learned *l = &al->cls[c];
		l->seen = true;
		if (classes[c].kind == CLS_CLONE_NS)
			l->ns_flags |= (args[clone_flags_index(arch)] & MR_CLONE_NS_MASK) != 0;
		else
			add_value(l, args[0]);
	}
}

static int
find_class(const char *name)
{
	for (size_t c = 0; c < N_CLASSES; c++)
		if (strcmp(classes[c].name, name) == 0)
			return (int)c;
	return -1;
}

bool
mr_arglearn_is_clone3(struct mr_arglearn *al, uint32_t arch, int nr)
{
	const struct arch_nrs *a = nrs_for(al, arch);
	if (a == NULL)
		return nr >= 0 && seccomp_syscall_resolve_name_arch(arch, "clone3") == nr;
	return a->clone3 >= 0 && a->clone3 == nr;
}

/*
 * clone3 is learned with clone: a clone rule on the flags means nothing
 * while clone3, whose flags no filter can read, is allowed by name.  So
 * clone3 is answered ENOSYS (rules below) when no namespace flag was seen
 * in either, and both stay plain names when one was, or when clone3's
 * flags could not be read.
 */
void
mr_arglearn_note_clone3(struct mr_arglearn *al, const uint64_t *flags)
{
	struct learned *l = &al->cls[find_class("clone")];
	l->seen = true;
	l->clone3 = true;
	l->ns_flags |= flags == NULL || (*flags & MR_CLONE3_NS_MASK) != 0;
}

bool
mr_arglearn_covers(const struct mr_arglearn *al, const char *name)
{
	bool clone3 = strcmp(name, "clone3") == 0;
	int c = find_class(clone3 ? "clone" : name);
	if (al == NULL || c < 0)
		return false;
	const struct learned *l = &al->cls[c];
	return l->seen && !l->overflow && !l->ns_flags && (!clone3 || l->clone3);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* {"names":[NAME],"action":"SCMP_ACT_ALLOW","args":[{...}],"comment":COMMENT} */
static int
append_rule(json_t *rules, const char *name, unsigned index, uint64_t value, uint64_t value_two,
	    const char *op, const char *comment)
{
	json_t *r =
	    json_pack("{s:[s], s:s, s:[{s:i, s:I, s:I, s:s}], s:s}", "names", name, "action",
		      "SCMP_ACT_ALLOW", "args", "index", (int)index, "value", (json_int_t)value,
		      "valueTwo", (json_int_t)value_two, "op", op, "comment", comment);
	return r != NULL ? json_array_append_new(rules, r) : -1;
}

json_t *
mr_arglearn_rules(const struct mr_arglearn *al, const char *comment)
{
	json_t *rules = json_array();
	if (rules == NULL)
		return NULL;
	for (size_t c = 0; al != NULL && c < N_CLASSES; c++) {
		if (!mr_arglearn_covers(al, classes[c].name))
			continue;
		int rc = 0;
		if (classes[c].kind == CLS_CLONE_NS) {
			/* Docker's own condition: no namespace flag at all. */
			rc = append_rule(rules, "clone", clone_flags_index(seccomp_arch_native()),
					 MR_CLONE_NS_MASK, 0, "SCMP_CMP_MASKED_EQ", comment);
			/* Docker's answer too: glibc then falls back to clone. */
			if (rc == 0 && al->cls[c].clone3)
				rc = json_array_append_new(
				    rules,
				    json_pack(
					"{s:[s], s:s, s:i, s:s}", "names", "clone3", "action",
					"SCMP_ACT_ERRNO", "errnoRet", ENOSYS, "comment",
					"added by minirun --seccomp-learn-args: clone3's flags "
					"are in memory, where no filter sees them; ENOSYS "
					"makes glibc fall back to clone, whose flags the "
					"rule above checks"));
		} else {
			uint64_t v[MR_ARGLEARN_MAX_VALUES];
			size_t n = al->cls[c].n;
			memcpy(v, al->cls[c].values, n * sizeof(v[0]));
			qsort(v, n, sizeof(v[0]), cmp_u64);
			for (size_t i = 0; rc == 0 && i < n; i++)
				rc = append_rule(rules, classes[c].name, 0, v[i], 0, "SCMP_CMP_EQ",
						 comment);
		}
		if (rc < 0) {
			json_decref(rules);
			return NULL;
		}
	}
	return rules;
}
