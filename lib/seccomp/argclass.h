/* SPDX-License-Identifier: MIT */
/*
 * --seccomp-learn-args: learning the argument values of the few calls
 * Docker's default constrains by argument (socket families, clone's
 * namespace flags, personality values, prctl options), so that a learned
 * profile can be as tight as Docker's for them.  Used by the observer
 * (lib/seccomp/observe.c); no container needed to test it.
 */
#ifndef MINIRUN_SECCOMP_ARGCLASS_H
#define MINIRUN_SECCOMP_ARGCLASS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Docker's mask of clone's namespace flags (CLONE_NEWNS..CLONE_NEWNET, CLONE_NEWCGROUP). */
#define MR_CLONE_NS_MASK 0x7E020000ULL

/* The same for clone3, where CLONE_NEWTIME (0x80) is a flag too (clone's low byte is the exit
 * signal). */
#define MR_CLONE3_NS_MASK (MR_CLONE_NS_MASK | 0x80ULL)

/* Distinct values kept per call: past that, the call is allowed whatever its arguments. */
#define MR_ARGLEARN_MAX_VALUES 64

struct mr_arglearn;

struct mr_arglearn *mr_arglearn_new(void);
void mr_arglearn_free(struct mr_arglearn *al);

/* One call seen (any outcome): recorded when it is one of the learned calls. */
void mr_arglearn_note(struct mr_arglearn *al, uint32_t arch, int nr, const uint64_t args[6]);

/*
 * clone3 (Linux 5.3) takes its flags in memory (struct clone_args), which no
 * filter can read: whether (arch, nr) is clone3, whose flags the caller reads
 * and gives to mr_arglearn_note_clone3 (NULL: they could not be read).
 * mr_arglearn_note ignores clone3.
 */
bool mr_arglearn_is_clone3(struct mr_arglearn *al, uint32_t arch, int nr);
void mr_arglearn_note_clone3(struct mr_arglearn *al, const uint64_t *flags);

/*
 * Whether NAME is written as argument rules (then it is left out of the
 * plain list of names).  False for a call never seen, or one whose values
 * overflowed (it stays a plain name: allowed whatever its arguments).
 */
bool mr_arglearn_covers(const struct mr_arglearn *al, const char *name);

/*
 * The rules, in Docker's style: one ALLOW rule per value with an SCMP_CMP_EQ
 * condition on the argument; clone allowed when (flags & MR_CLONE_NS_MASK)
 * == 0 if no namespace flag was seen (else clone is a plain name), and then
 * clone3, if seen, refused with ENOSYS as in Docker's default.  Every
 * rule carries COMMENT.  A JSON array (empty when nothing is covered), or
 * NULL when out of memory.
 */
json_t *mr_arglearn_rules(const struct mr_arglearn *al, const char *comment);

#endif
