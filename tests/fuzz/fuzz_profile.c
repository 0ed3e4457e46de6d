/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the profile parser and Docker's reduction, and for small
 * profiles the libseccomp compile with the ENOSYS stub (no cache).
 *   meson setup build-fuzz -Dfuzz=enabled      (CC=clang, or gcc with clang installed)
 *   cp -r tests/fuzz/corpus /tmp/corpus
 *   LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp build-fuzz/tests/fuzz_profile \
 *       -dict=tests/fuzz/profile.dict /tmp/corpus -max_total_time=300
 */
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include "seccomp/filter.h"
#include "seccomp/profile.h"
#include "seccomp/reduce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char *go;
		uint32_t native;
		mr_capset caps;
	} envs[] = {
	    {"amd64", SCMP_ARCH_X86_64, 0xa80425fbULL},
	    {"arm64", SCMP_ARCH_AARCH64, 0},
	    {"s390x", SCMP_ARCH_S390X, ~(mr_capset)0},
	};
	struct mr_profile *p = NULL;
	struct mr_error err;

	if (mr_profile_parse((const char *)data, size, "fuzz", &p, &err) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
		struct mr_reduce_env env = {
		    .go_arch = envs[i].go,
		    .native_arch = envs[i].native,
		    .kernel = 5,
		    .major = 10,
		    .bounding = envs[i].caps,
		};
		struct mr_reduced r;
		if (mr_profile_reduce(p, &env, &r, &err) < 0)
			continue;
		/* libseccomp compiles for the host only; keep inputs cheap */
		if (envs[i].native == seccomp_arch_native() && !p->unconfined && r.n_rules <= 16) {
			struct mr_filter f;
			struct mr_filter_opts o = {0};
			if (mr_filter_build(&r, &o, &f, &err) == 0)
				mr_filter_clear(&f);
		}
		mr_reduced_clear(&r);
	}
	mr_profile_free(p);
	return 0;
}
