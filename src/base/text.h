/*
 * text.h - aa_text / aa_utf8: the string primitives the pure core shares.
 *
 * UTF-8 decoding follows Go's rules because upstream's formatting walks
 * strings "by rune": an invalid byte decodes to U+FFFD and consumes one
 * byte.  Two notions of white space exist and must not be mixed
 * (../shared/spec/core.md §0):
 *   - WS6, the ASCII " \t\n\r\f\v" (upstream TrimWhitespace);
 *   - Unicode White_Space as Go's strings.TrimSpace sees it (adds NBSP,
 *     U+0085, U+1680, U+2000-U+200A, U+2028/9, U+202F, U+205F, U+3000).
 * Lines are views into a string split on every "\n"; split("") is [""].
 */
#ifndef AA_TEXT_H
#define AA_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define AA_UTF8_REPLACEMENT 0xFFFDu

/* Decodes one code point from s[0..n) (n > 0); returns bytes consumed. */
size_t aa_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp (invalid ones as U+FFFD) into out; returns 1 to 4. */
size_t aa_utf8_encode(uint32_t cp, char out[4]);
/* Appends s with every invalid UTF-8 sequence replaced by U+FFFD. */
int aa_utf8_sanitize(struct aa_buf *out, const char *s, size_t n);
/* Returns non-zero when s[0..n) is valid UTF-8 with no NUL byte. */
int aa_utf8_valid(const char *s, size_t n);

/* Returns non-zero for a code point Go's unicode.IsSpace accepts. */
int aa_unicode_is_space(uint32_t cp);
/* Returns non-zero for one of the six WS6 bytes. */
int aa_is_ws6(int c);

/* Bounds of s[0..n) without Unicode white space at either end; [n, n)
 * when it is all white space. */
void aa_text_trim_space(const char *s, size_t n, size_t *start, size_t *end);
/* Bounds of s[0..n) without WS6 at either end. */
void aa_text_trim_ws6(const char *s, size_t n, size_t *start, size_t *end);
/* Returns non-zero when s[0..n) is empty after Unicode trimming. */
int aa_text_is_blank(const char *s, size_t n);

/*
 * Line predicates.  Needles and prefixes are NUL-terminated; the line is a
 * view s[0..n) without its "\n".  Each returns 1 or 0.
 */
/* s contains needle. */
int aa_text_contains(const char *s, size_t n, const char *needle);
/* s starts with p. */
int aa_text_has_prefix(const char *s, size_t n, const char *p);
/* s ends with p. */
int aa_text_has_suffix(const char *s, size_t n, const char *p);
/* s, without Unicode white space at either end, starts with p. */
int aa_text_trim_starts(const char *s, size_t n, const char *p);

/* A line: a view into the string that was split. */
struct aa_line {
	const char *s;
	size_t len;
};

struct aa_lines {
	struct aa_line *v;
	size_t n;
	size_t cap;
};

/* The view s[0..n) without Unicode white space at either end. */
struct aa_line aa_text_trimmed(const char *s, size_t n);

/*
 * Lines of a string without splitting it: offsets of line starts, so a
 * 1000-line screen is walked from the bottom without an array.
 */
/* Start of the line before the one starting at start (start > 0). */
size_t aa_text_prev_line(const char *s, size_t start);
/* Start of the line after the one at start, or n; *more is 0 if no line
 * follows (no "\n" after start). */
size_t aa_text_next_line(const char *s, size_t n, size_t start, int *more);
/*
 * Stores the last (up to max) lines of s[0..n) into v in order, so v[0] is
 * the earliest; returns how many.  v[0].s == s means v[0] is line 0.
 */
size_t aa_text_tail_lines(const char *s, size_t n, struct aa_line *v,
    size_t max);

/* Initialises an empty line list. */
void aa_lines_init(struct aa_lines *l);
/* Frees the list (not the string it points into). */
void aa_lines_release(struct aa_lines *l);
/* Splits s[0..n) on "\n" into l (replacing its contents); n+1 lines for n
 * newlines.  The views stay valid while s does. */
int aa_lines_split(struct aa_lines *l, const char *s, size_t n);
/* Appends lines [from, to) joined with "\n" to out. */
int aa_lines_join(const struct aa_lines *l, size_t from, size_t to,
    struct aa_buf *out);
/* Removes lines [from, to), keeping the order of the rest. */
void aa_lines_remove(struct aa_lines *l, size_t from, size_t to);

#endif /* AA_TEXT_H */
