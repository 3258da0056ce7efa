/*
 * sha256.h - aa_sha256: SHA-256 (FIPS 180-4), streaming.
 *
 * Used to name uploaded files as upstream does (the first 8 bytes of the
 * content's digest, in hex, name the upload's sub-directory).
 */
#ifndef AA_SHA256_H
#define AA_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct aa_sha256 {
	uint32_t h[8];
	uint64_t len;	  /* bytes hashed so far */
	unsigned char blk[64];
	size_t fill;	  /* bytes waiting in blk */
};

/* Starts a digest. */
void aa_sha256_init(struct aa_sha256 *c);
/* Hashes n more bytes. */
void aa_sha256_update(struct aa_sha256 *c, const void *p, size_t n);
/* Finishes the digest into out (32 bytes). */
void aa_sha256_final(struct aa_sha256 *c, unsigned char out[32]);

#endif /* AA_SHA256_H */
