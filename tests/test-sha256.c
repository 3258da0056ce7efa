/*
 * test-sha256.c - SHA-256 against FIPS 180-4 example vectors and sha256sum.
 */
#include "test.h"

#include "base/sha256.h"

/* Hashes s in pieces of step bytes and returns the hex digest. */
static void
hex_digest(const char *s, size_t n, size_t step, char out[65])
{
	struct aa_sha256 c;
	unsigned char d[32];
	size_t i, k;

	aa_sha256_init(&c);
	for (i = 0; i < n; i += k) {
		k = n - i < step ? n - i : step;
		aa_sha256_update(&c, s + i, k);
	}
	aa_sha256_final(&c, d);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

TEST(sha256_known_vectors)
{
	static const char two[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65];
	size_t step;

	hex_digest("", 0, 1, hex);
	ASSERT_STR_EQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
			   "a495991b7852b855");
	hex_digest("abc", 3, 1, hex);
	ASSERT_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
			   "b410ff61f20015ad");
	for (step = 1; step <= 64; step++) {
		hex_digest(two, sizeof(two) - 1, step, hex);
		ASSERT_STR_EQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff"
				   "2167f6ecedd419db06c1");
	}
}

TEST(sha256_million_a)
{
	char *a = malloc(1000000);
	char hex[65];

	ASSERT_NOT_NULL(a);
	memset(a, 'a', 1000000);
	hex_digest(a, 1000000, 4096, hex);
	ASSERT_STR_EQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e"
			   "046d39ccc7112cd0");
	free(a);
}
