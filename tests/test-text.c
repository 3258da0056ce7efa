/*
 * test-text.c - base/text.c: UTF-8 with Go's error rules (an invalid byte
 * is one U+FFFD and consumes one byte, as Go's "for range" over a string),
 * the two white-space notions of ../shared/spec/core.md §0 (WS6 and
 * Unicode White_Space), the line predicates the formatters and agents
 * share, and lines as views (split, join, remove, walking and tails).
 *
 * The trim has an ASCII fast path; text_trim_matches_rune_by_rune checks
 * it against a plain rune-by-rune trim over every short string of an
 * alphabet chosen to hit its edges.
 */
#include "test.h"

#include "base/buf.h"
#include "base/text.h"

#define NBSP "\xc2\xa0"		/* U+00A0 */
#define NEL "\xc2\x85"		/* U+0085 */
#define IDEO_SPACE "\xe3\x80\x80"	/* U+3000 */
#define FFFD "\xef\xbf\xbd"

/* Decodes the first rune of a C string; returns bytes consumed. */
static size_t
dec(const char *s, uint32_t *cp)
{
	return aa_utf8_decode(s, strlen(s), cp);
}

TEST(text_utf8_decode_valid)
{
	uint32_t cp;

	ASSERT_EQ(dec("A", &cp), 1);
	ASSERT_EQ(cp, 0x41);
	ASSERT_EQ(aa_utf8_decode("\0x", 2, &cp), 1);
	ASSERT_EQ(cp, 0);
	ASSERT_EQ(dec("\xc3\xa9", &cp), 2);
	ASSERT_EQ(cp, 0xE9);
	ASSERT_EQ(dec("\xe2\x82\xac", &cp), 3);
	ASSERT_EQ(cp, 0x20AC);
	ASSERT_EQ(dec("\xf0\x9f\x98\x80", &cp), 4);
	ASSERT_EQ(cp, 0x1F600);
	/* The edges of each length. */
	ASSERT_EQ(dec("\xc2\x80", &cp), 2);
	ASSERT_EQ(cp, 0x80);
	ASSERT_EQ(dec("\xe0\xa0\x80", &cp), 3);
	ASSERT_EQ(cp, 0x800);
	ASSERT_EQ(dec("\xed\x9f\xbf", &cp), 3);
	ASSERT_EQ(cp, 0xD7FF);
	ASSERT_EQ(dec("\xf4\x8f\xbf\xbf", &cp), 4);
	ASSERT_EQ(cp, 0x10FFFF);
	/* A literal U+FFFD is three bytes, not an error. */
	ASSERT_EQ(dec(FFFD, &cp), 3);
	ASSERT_EQ(cp, AA_UTF8_REPLACEMENT);
}

TEST(text_utf8_decode_errors_consume_one_byte)
{
	static const char *const bad[] = {
		"\x80",			/* lone continuation */
		"\xbf",
		"\xc0\x80",		/* overlong lead bytes */
		"\xc1\xbf",
		"\xe0\x80\x80",		/* overlong three-byte */
		"\xe0\x9f\xbf",
		"\xed\xa0\x80",		/* surrogate U+D800 */
		"\xed\xbf\xbf",
		"\xf0\x80\x80\x80",	/* overlong four-byte */
		"\xf0\x8f\xbf\xbf",
		"\xf4\x90\x80\x80",	/* past U+10FFFF */
		"\xf5\x80\x80\x80",	/* lead bytes Go never accepts */
		"\xff",
		"\xe2\x28\xa1",		/* bad second byte */
		"\xe2\x82\x28",		/* bad third byte */
		"\xe2\x82",		/* truncated */
		"\xf0\x9f\x98",
		"\xc3",
	};
	uint32_t cp;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cp = 0;
		if (dec(bad[i], &cp) != 1 || cp != AA_UTF8_REPLACEMENT)
			test_fail(__FILE__, __LINE__, "bad[%zu] decoded as "
			    "U+%04" PRIX32, i, cp);
	}
	/* A truncated sequence is cut by n, not by the NUL after it. */
	ASSERT_EQ(aa_utf8_decode("\xe2\x82\xac", 2, &cp), 1);
	ASSERT_EQ(cp, AA_UTF8_REPLACEMENT);
}

TEST(text_utf8_encode)
{
	char b[4];

	ASSERT_EQ(aa_utf8_encode(0x41, b), 1);
	ASSERT_MEM_EQ(b, 1, "A", 1);
	ASSERT_EQ(aa_utf8_encode(0xE9, b), 2);
	ASSERT_MEM_EQ(b, 2, "\xc3\xa9", 2);
	ASSERT_EQ(aa_utf8_encode(0x20AC, b), 3);
	ASSERT_MEM_EQ(b, 3, "\xe2\x82\xac", 3);
	ASSERT_EQ(aa_utf8_encode(0x1F600, b), 4);
	ASSERT_MEM_EQ(b, 4, "\xf0\x9f\x98\x80", 4);
	/* Surrogates and values past U+10FFFF become U+FFFD. */
	ASSERT_EQ(aa_utf8_encode(0xD800, b), 3);
	ASSERT_MEM_EQ(b, 3, FFFD, 3);
	ASSERT_EQ(aa_utf8_encode(0x110000, b), 3);
	ASSERT_MEM_EQ(b, 3, FFFD, 3);
}

TEST(text_utf8_round_trip)
{
	uint32_t cp, back;
	char b[4];
	size_t k;

	/* Every scalar value encodes and decodes to itself. */
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		k = aa_utf8_encode(cp, b);
		if (aa_utf8_decode(b, k, &back) != k || back != cp)
			test_fail(__FILE__, __LINE__, "U+%04" PRIX32, cp);
	}
}

/* Runs aa_utf8_sanitize on n bytes and compares with want. */
static void
check_sanitize(const char *s, size_t n, const char *want)
{
	struct aa_buf out;

	aa_buf_init(&out);
	ASSERT_EQ(aa_buf_puts(&out, "<"), 0);
	ASSERT_EQ(aa_utf8_sanitize(&out, s, n), 0);
	ASSERT_STR_EQ(aa_buf_str(&out) + 1, want);
	aa_buf_release(&out);
}

TEST(text_utf8_sanitize_and_valid)
{
	check_sanitize("plain", 5, "plain");
	check_sanitize("a\xff" "b", 3, "a" FFFD "b");
	/* One U+FFFD per invalid byte, as Go's range loop sees them. */
	check_sanitize("\xe2\x82", 2, FFFD FFFD);
	check_sanitize("\xed\xa0\x80", 3, FFFD FFFD FFFD);
	check_sanitize(FFFD "\xc3\xa9", 5, FFFD "\xc3\xa9");
	check_sanitize("", 0, "");
	ASSERT_EQ(aa_utf8_valid("caf\xc3\xa9", 5), 1);
	ASSERT_EQ(aa_utf8_valid(FFFD, 3), 1);
	ASSERT_EQ(aa_utf8_valid("", 0), 1);
	ASSERT_EQ(aa_utf8_valid("a\xff", 2), 0);
	ASSERT_EQ(aa_utf8_valid("\xe2\x82", 2), 0);
	/* A NUL byte is valid UTF-8 but not valid text here. */
	ASSERT_EQ(aa_utf8_valid("a\0b", 3), 0);
}

TEST(text_white_space_notions)
{
	static const uint32_t space[] = { 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20,
	    0x85, 0xA0, 0x1680, 0x2000, 0x2005, 0x200A, 0x2028, 0x2029,
	    0x202F, 0x205F, 0x3000 };
	static const uint32_t not_space[] = { 0x00, 0x08, 0x0E, 0x1F, 0x21,
	    0x84, 0x86, 0x9F, 0x180E, 0x200B, 0x2060, 0xFEFF, 0x3001 };
	size_t i;

	for (i = 0; i < sizeof(space) / sizeof(space[0]); i++)
		if (!aa_unicode_is_space(space[i]))
			test_fail(__FILE__, __LINE__, "U+%04" PRIX32 " is "
			    "white space", space[i]);
	for (i = 0; i < sizeof(not_space) / sizeof(not_space[0]); i++)
		if (aa_unicode_is_space(not_space[i]))
			test_fail(__FILE__, __LINE__, "U+%04" PRIX32 " is not "
			    "white space", not_space[i]);
	/* WS6 is exactly " \t\n\r\f\v". */
	for (i = 0; i < 256; i++)
		ASSERT_EQ(aa_is_ws6((int)i) != 0, i == ' ' || i == '\t' ||
		    i == '\n' || i == '\r' || i == '\f' || i == '\v');
}

/* Runs aa_text_trim_space on a C string; returns the trimmed part. */
static const char *
trim(const char *s, char *buf, size_t cap)
{
	size_t a, b;

	aa_text_trim_space(s, strlen(s), &a, &b);
	ASSERT(a <= b && b <= strlen(s));
	ASSERT_LT(b - a, cap);
	memcpy(buf, s + a, b - a);
	buf[b - a] = '\0';
	return buf;
}

TEST(text_trim_space)
{
	char b[128];

	ASSERT_STR_EQ(trim("  x  ", b, sizeof(b)), "x");
	ASSERT_STR_EQ(trim("\t\n\v\f\r x y \r\n", b, sizeof(b)), "x y");
	/* Long padding runs, as on an 80-column screen. */
	ASSERT_STR_EQ(trim("                   a b                       ",
	    b, sizeof(b)), "a b");
	/* Unicode white space at either end, after ASCII padding too. */
	ASSERT_STR_EQ(trim(NBSP "x" IDEO_SPACE, b, sizeof(b)), "x");
	ASSERT_STR_EQ(trim("   " NEL " x " NBSP "   ", b, sizeof(b)), "x");
	ASSERT_STR_EQ(trim("x" NBSP "y", b, sizeof(b)), "x" NBSP "y");
	/* Invalid bytes are U+FFFD, which is not space. */
	ASSERT_STR_EQ(trim("  \xff  ", b, sizeof(b)), "\xff");
	ASSERT_STR_EQ(trim(" \xc2", b, sizeof(b)), "\xc2");
	ASSERT_STR_EQ(trim("\xa0 ", b, sizeof(b)), "\xa0");
	ASSERT_STR_EQ(trim(" " IDEO_SPACE "  ", b, sizeof(b)), "");
	ASSERT_STR_EQ(trim("", b, sizeof(b)), "");
	ASSERT_EQ(aa_text_is_blank("  \t" NBSP "\n", 6), 1);
	ASSERT_EQ(aa_text_is_blank("", 0), 1);
	ASSERT_EQ(aa_text_is_blank(" .", 2), 0);
	/* Only the view is read: a NUL inside is a character. */
	ASSERT_EQ(aa_text_is_blank(" \0 ", 3), 0);
}

/* The rune-by-rune trim (Go's TrimSpace) the fast path must agree with,
 * down to where an all-space string's empty result sits. */
static void
slow_trim(const char *s, size_t n, size_t *ap, size_t *bp)
{
	size_t a = 0, b = n, k, i, last;
	uint32_t cp;

	while (a < n) {
		k = aa_utf8_decode(s + a, n - a, &cp);
		if (!aa_unicode_is_space(cp))
			break;
		a += k;
	}
	/* From the left, remember where the last non-space rune ends. */
	for (i = a, last = a; i < n; i += k) {
		k = aa_utf8_decode(s + i, n - i, &cp);
		if (!aa_unicode_is_space(cp))
			last = i + k;
	}
	b = last;
	*ap = a;
	*bp = b;
}

TEST(text_trim_matches_rune_by_rune)
{
	static const char *const alpha[] = { " ", "\t", "x", NBSP, NEL,
	    IDEO_SPACE, "\x80", "\xc2", "\xe3\x80", "        " };
	const size_t na = sizeof(alpha) / sizeof(alpha[0]);
	char s[64];
	size_t idx[5], len, i, a, b, x, y, count = 0;
	int depth;

	/* Every string of up to five symbols of the alphabet. */
	for (depth = 0; depth <= 5; depth++) {
		memset(idx, 0, sizeof(idx));
		for (;;) {
			for (len = 0, i = 0; i < (size_t)depth; i++) {
				memcpy(s + len, alpha[idx[i]],
				    strlen(alpha[idx[i]]));
				len += strlen(alpha[idx[i]]);
			}
			aa_text_trim_space(s, len, &a, &b);
			slow_trim(s, len, &x, &y);
			if (a != x || b != y) {
				test_show_diff(s + a, b - a, s + x, y - x);
				test_fail(__FILE__, __LINE__, "trim differs");
			}
			count++;
			for (i = 0; i < (size_t)depth && ++idx[i] == na; i++)
				idx[i] = 0;
			if (i == (size_t)depth)
				break;
		}
	}
	ASSERT_EQ(count, 111111);
}

TEST(text_trim_ws6)
{
	size_t a, b;
	const char *s = "\v\f " NBSP "x" NBSP " \r\n";

	/* NBSP is Unicode white space but not WS6. */
	aa_text_trim_ws6(s, strlen(s), &a, &b);
	ASSERT_MEM_EQ(s + a, b - a, NBSP "x" NBSP, 5);
	aa_text_trim_ws6(" \t ", 3, &a, &b);
	ASSERT_EQ(a, b);
}

TEST(text_line_predicates)
{
	const char *l = "  \xe2\x9c\xbb Brewed for 3s \xc2\xb7 done  ";
	struct aa_line t;

	ASSERT_EQ(aa_text_contains(l, strlen(l), " for "), 1);
	ASSERT_EQ(aa_text_contains(l, strlen(l), "done  "), 1);
	ASSERT_EQ(aa_text_contains(l, strlen(l), "done   "), 0);
	/* Only the view counts, not what follows it. */
	ASSERT_EQ(aa_text_contains("abcdef", 3, "cd"), 0);
	ASSERT_EQ(aa_text_has_prefix(l, strlen(l), "  \xe2\x9c\xbb"), 1);
	ASSERT_EQ(aa_text_has_prefix(l, strlen(l), "\xe2\x9c\xbb"), 0);
	ASSERT_EQ(aa_text_has_prefix("ab", 2, "abc"), 0);
	ASSERT_EQ(aa_text_has_prefix("ab", 2, ""), 1);
	ASSERT_EQ(aa_text_has_suffix(l, strlen(l), "done  "), 1);
	ASSERT_EQ(aa_text_has_suffix(l, strlen(l), "done"), 0);
	ASSERT_EQ(aa_text_has_suffix("abc", 2, "bc"), 0);
	ASSERT_EQ(aa_text_has_suffix("b", 1, "ab"), 0);
	/* trim_starts looks past Unicode white space. */
	ASSERT_EQ(aa_text_trim_starts(l, strlen(l), "\xe2\x9c\xbb "), 1);
	ASSERT_EQ(aa_text_trim_starts(NBSP "Worked for 1s", 15,
	    "Worked for "), 1);
	ASSERT_EQ(aa_text_trim_starts("  Work", 6, "Worked for "), 0);
	ASSERT_EQ(aa_text_trim_starts("   ", 3, "x"), 0);
	t = aa_text_trimmed(l, strlen(l));
	ASSERT_MEM_EQ(t.s, t.len, "\xe2\x9c\xbb Brewed for 3s \xc2\xb7 done",
	    strlen("\xe2\x9c\xbb Brewed for 3s \xc2\xb7 done"));
	t = aa_text_trimmed("  ", 2);
	ASSERT_EQ(t.len, 0);
}

TEST(text_line_walk)
{
	const char *s = "a\nbb\n\nccc";
	size_t n = strlen(s), p;
	int more;

	/* Forward: the start of each next line, and whether one follows. */
	p = aa_text_next_line(s, n, 0, &more);
	ASSERT_EQ(p, 2);
	ASSERT_EQ(more, 1);
	p = aa_text_next_line(s, n, p, &more);
	ASSERT_EQ(p, 5);
	p = aa_text_next_line(s, n, p, &more);
	ASSERT_EQ(p, 6);
	ASSERT_EQ(more, 1);
	p = aa_text_next_line(s, n, p, &more);
	ASSERT_EQ(p, n);
	ASSERT_EQ(more, 0);
	/* Backward from a line start (n + 1 stands for past the end). */
	ASSERT_EQ(aa_text_prev_line(s, n + 1), 6);
	ASSERT_EQ(aa_text_prev_line(s, 6), 5);
	ASSERT_EQ(aa_text_prev_line(s, 5), 2);
	ASSERT_EQ(aa_text_prev_line(s, 2), 0);
	ASSERT_EQ(aa_text_prev_line("\nx", 1), 0);
}

TEST(text_tail_lines)
{
	struct aa_line v[4];
	const char *s = "a\nbb\nccc";

	ASSERT_EQ(aa_text_tail_lines(s, strlen(s), v, 2), 2);
	ASSERT_MEM_EQ(v[0].s, v[0].len, "bb", 2);
	ASSERT_MEM_EQ(v[1].s, v[1].len, "ccc", 3);
	/* Fewer lines than asked: all of them, first one at s. */
	ASSERT_EQ(aa_text_tail_lines(s, strlen(s), v, 4), 3);
	ASSERT(v[0].s == s);
	ASSERT_MEM_EQ(v[0].s, v[0].len, "a", 1);
	ASSERT_MEM_EQ(v[2].s, v[2].len, "ccc", 3);
	/* A trailing newline ends with an empty line; "" is one line. */
	ASSERT_EQ(aa_text_tail_lines("x\n", 2, v, 4), 2);
	ASSERT_EQ(v[1].len, 0);
	ASSERT_EQ(aa_text_tail_lines("", 0, v, 4), 1);
	ASSERT_EQ(v[0].len, 0);
	ASSERT_EQ(aa_text_tail_lines("\n\n", 2, v, 4), 3);
}

TEST(text_lines_split_join_remove)
{
	struct aa_lines l;
	struct aa_buf b;
	const char *s = "one\ntwo\n\nfour\n";

	aa_lines_init(&l);
	aa_buf_init(&b);
	ASSERT_EQ(aa_lines_split(&l, s, strlen(s)), 0);
	ASSERT_EQ(l.n, 5);
	ASSERT_MEM_EQ(l.v[1].s, l.v[1].len, "two", 3);
	ASSERT_EQ(l.v[2].len, 0);
	ASSERT_EQ(l.v[4].len, 0);
	ASSERT_EQ(aa_lines_join(&l, 1, 4, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "two\n\nfour");
	/* A range past the end stops at the last line. */
	aa_buf_reset(&b);
	ASSERT_EQ(aa_lines_join(&l, 3, 99, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "four\n");
	aa_lines_remove(&l, 1, 3);
	ASSERT_EQ(l.n, 3);
	ASSERT_MEM_EQ(l.v[1].s, l.v[1].len, "four", 4);
	aa_lines_remove(&l, 2, 1);
	ASSERT_EQ(l.n, 3);
	aa_lines_remove(&l, 1, 99);
	ASSERT_EQ(l.n, 1);
	/* split("") is [""]; the list is reused. */
	ASSERT_EQ(aa_lines_split(&l, "", 0), 0);
	ASSERT_EQ(l.n, 1);
	ASSERT_EQ(l.v[0].len, 0);
	/* Only the view is split. */
	ASSERT_EQ(aa_lines_split(&l, "a\nb\nc", 3), 0);
	ASSERT_EQ(l.n, 2);
	ASSERT_MEM_EQ(l.v[1].s, l.v[1].len, "b", 1);
	aa_lines_release(&l);
	ASSERT_EQ(l.n, 0);
	aa_buf_release(&b);
}
