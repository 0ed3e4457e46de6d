/* SPDX-License-Identifier: MIT */
/*
 * Internal: SHA-256 (FIPS 180-4) for the compiled-filter cache key.
 *
 * The project has no crypto library and none of its dependencies exports a
 * hash; the key must resist a planted colliding file, so a 64-bit
 * non-cryptographic hash is not enough.  This is a plain, portable
 * implementation checked against the FIPS 180-4 / NIST test vectors in
 * tests/unit/test_filter.c.
 */
#ifndef MINIRUN_SECCOMP_SHA256_H
#define MINIRUN_SECCOMP_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct mr_sha256 {
	uint32_t h[8];
	uint64_t total; /* bytes hashed so far */
	uint8_t buf[64];
	size_t used;
};

void mr_sha256_init(struct mr_sha256 *s);
void mr_sha256_update(struct mr_sha256 *s, const void *data, size_t len);
void mr_sha256_final(struct mr_sha256 *s, uint8_t out[32]);

/* The digest of one buffer. */
void mr_sha256(const void *data, size_t len, uint8_t out[32]);

#endif
