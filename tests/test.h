/*
 * test.h - the in-house test framework (in the spirit of libuv's task.h).
 *
 * A test file defines cases with TEST(name) { ... } and, for data-driven
 * suites, generators with TEST_GENERATOR(name) { test_add(...); } that
 * register one case per vector at start-up.  tests/runner.c supplies
 * main(): every case runs in a forked child with an alarm() timeout, so a
 * crash or hang fails that case only.  Assertions print both operands, the
 * expression and file:line, then abort the case.
 *
 * Command line of a test binary: [-t seconds] [-v] [name-substring...].
 * The binary ends with "<binary>: N passed, N failed, N skipped".
 */
#ifndef AA_TEST_H
#define AA_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*test_fn)(void *arg);

/* Registers a case; name is copied, arg is passed to fn in the child. */
void test_add(const char *name, test_fn fn, void *arg);
/* Registers a generator, run once before any case, that may call test_add. */
void test_add_generator(void (*gen)(void));
/* Marks the running case skipped with a reason and ends it. */
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Fails the running case with a message and ends it. */
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
/* Prints a hex/escaped rendering of two byte strings that differ. */
void test_show_diff(const char *a, size_t alen, const char *b, size_t blen);
/* Reads a whole file; returns malloc'd NUL-terminated data or NULL. */
char *test_read_file(const char *path, size_t *lenp);
/* Reads dir/name (malloc'd, NUL-terminated); NULL if it is missing. */
char *test_read_at(const char *dir, const char *name, size_t *lenp);
/* Reads dir/name, failing the running case if it is missing. */
char *test_must_read_at(const char *dir, const char *name, size_t *lenp);
/* The repository's root (from the AA_TOP env var, else "."). */
const char *test_top(void);
/* The conformance vectors' folder (AA_CONFORMANCE or ../shared/...). */
const char *test_conformance_dir(void);

#define TEST(name)                                                             \
	static void test_##name(void *arg);                                    \
	__attribute__((constructor)) static void test_reg_##name(void)         \
	{                                                                      \
		test_add(#name, test_##name, NULL);                             \
	}                                                                      \
	static void test_##name(void *arg __attribute__((unused)))

#define TEST_GENERATOR(name)                                                   \
	static void testgen_##name(void);                                      \
	__attribute__((constructor)) static void testgen_reg_##name(void)      \
	{                                                                      \
		test_add_generator(testgen_##name);                             \
	}                                                                      \
	static void testgen_##name(void)

#define ASSERT(expr)                                                           \
	do {                                                                   \
		if (!(expr))                                                   \
			test_fail(__FILE__, __LINE__, "assertion failed: %s",  \
			    #expr);                                            \
	} while (0)

#define ASSERT_INT_OP(a, op, b)                                                \
	do {                                                                   \
		intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);               \
		if (!(a_ op b_))                                               \
			test_fail(__FILE__, __LINE__,                          \
			    "%s %s %s: %jd %s %jd", #a, #op, #b, a_, #op, b_); \
	} while (0)

#define ASSERT_EQ(a, b) ASSERT_INT_OP(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_INT_OP(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_INT_OP(a, <, b)
#define ASSERT_LE(a, b) ASSERT_INT_OP(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_INT_OP(a, >, b)
#define ASSERT_GE(a, b) ASSERT_INT_OP(a, >=, b)

#define ASSERT_NULL(a) ASSERT((a) == NULL)
#define ASSERT_NOT_NULL(a) ASSERT((a) != NULL)

#define ASSERT_STR_EQ(a, b)                                                    \
	do {                                                                   \
		const char *a_ = (a), *b_ = (b);                               \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {         \
			if (a_ != NULL && b_ != NULL)                          \
				test_show_diff(a_, strlen(a_), b_, strlen(b_));\
			test_fail(__FILE__, __LINE__,                          \
			    "%s == %s:\n  left:  \"%s\"\n  right: \"%s\"", #a,  \
			    #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");       \
		}                                                              \
	} while (0)

#define ASSERT_MEM_EQ(a, alen, b, blen)                                        \
	do {                                                                   \
		const char *a_ = (const char *)(a), *b_ = (const char *)(b);   \
		size_t al_ = (alen), bl_ = (blen);                             \
		if (al_ != bl_ || memcmp(a_, b_, al_) != 0) {                  \
			test_show_diff(a_, al_, b_, bl_);                      \
			test_fail(__FILE__, __LINE__,                          \
			    "%s == %s (lengths %zu and %zu)", #a, #b, al_,     \
			    bl_);                                              \
		}                                                              \
	} while (0)

#endif /* AA_TEST_H */
