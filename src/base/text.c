/*
 * text.c - UTF-8 decoding with Go's error rules, the two white-space
 * notions of upstream's formatter, line predicates, and lines as views.
 *
 * Trimming is on the hot path of every formatter (a screen is 1000 rows
 * of mostly padding), so ASCII white space is skipped bytewise, eight
 * spaces at a time, and only a non-ASCII byte at either end falls back to
 * the rune decoder.  Both give the same bounds: the ASCII members of Go's
 * unicode.IsSpace are exactly " \t\n\v\f\r".
 */
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "base/text.h"

size_t
aa_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;
	size_t need, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		need = 1;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		need = 2;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		need = 3;
		c = s[0] & 0x07;
	} else
		goto bad;
	if (n < need + 1)
		goto bad;
	/* The second byte's range excludes overlongs and surrogates. */
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		goto bad;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3F);
	}
	*cp = c;
	return need + 1;
bad:
	*cp = AA_UTF8_REPLACEMENT;
	return 1;
}

size_t
aa_utf8_encode(uint32_t cp, char out[4])
{
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = AA_UTF8_REPLACEMENT;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int
aa_utf8_sanitize(struct aa_buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0, k;
	uint32_t cp;

	if (aa_buf_reserve(out, n) != 0)
		return AA_ENOMEM;
	while (i < n) {
		k = aa_utf8_decode(s + i, n - i, &cp);
		if (cp == AA_UTF8_REPLACEMENT && k == 1 &&
		    (unsigned char)s[i] >= 0x80) {
			if (aa_buf_append(out, s + run, i - run) != 0 ||
			    aa_buf_append(out, "\xEF\xBF\xBD", 3) != 0)
				return AA_ENOMEM;
			run = i + 1;
		}
		i += k;
	}
	return aa_buf_append(out, s + run, n - run);
}

int
aa_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if (s[i] == '\0')
			return 0;
		k = aa_utf8_decode(s + i, n - i, &cp);
		if (cp == AA_UTF8_REPLACEMENT && k == 1)
			return 0;
		i += k;
	}
	return 1;
}

int
aa_unicode_is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 ||
	    c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	    c == 0x3000;
}

int
aa_is_ws6(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* Returns the length of the code point that ends at s[end-1]. */
static size_t
last_rune(const char *s, size_t end, uint32_t *cp)
{
	size_t k, start = end - 1;

	/* Walk back over at most three continuation bytes. */
	while (start > 0 && end - start < 4 &&
	    ((unsigned char)s[start] & 0xC0) == 0x80)
		start--;
	k = aa_utf8_decode(s + start, end - start, cp);
	if (start + k != end) {
		*cp = AA_UTF8_REPLACEMENT;
		return 1;
	}
	return k;
}

/* The rune-by-rune trim, for lines with non-ASCII bytes at an end. */
static void
trim_unicode(const char *s, size_t n, size_t *startp, size_t *endp)
{
	size_t start = 0, end = n, k;
	uint32_t cp;

	while (start < end) {
		k = aa_utf8_decode(s + start, end - start, &cp);
		if (!aa_unicode_is_space(cp))
			break;
		start += k;
	}
	while (end > start) {
		k = last_rune(s + start, end - start, &cp);
		if (!aa_unicode_is_space(cp))
			break;
		end -= k;
	}
	*startp = start;
	*endp = end;
}

/* Tests for the ASCII bytes of Go's unicode.IsSpace: \t \n \v \f \r. */
static int
ascii_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

void
aa_text_trim_space(const char *s, size_t n, size_t *startp, size_t *endp)
{
	static const char spaces[8] = "        ";
	size_t a = 0, b = n, x, y;

	/* Padding comes in long runs of spaces: skip them 8 at a time. */
	while (b - a >= 8 && memcmp(s + a, spaces, 8) == 0)
		a += 8;
	while (a < b && ascii_space((unsigned char)s[a]))
		a++;
	while (b - a >= 8 && memcmp(s + b - 8, spaces, 8) == 0)
		b -= 8;
	while (b > a && ascii_space((unsigned char)s[b - 1]))
		b--;
	if (a < b && ((unsigned char)s[a] >= 0x80 ||
	    (unsigned char)s[b - 1] >= 0x80)) {
		trim_unicode(s + a, b - a, &x, &y);
		b = a + y;
		a += x;
	}
	/* All white space: [n, n), as the rune-by-rune walk ends there. */
	if (a == b)
		a = b = n;
	*startp = a;
	*endp = b;
}

void
aa_text_trim_ws6(const char *s, size_t n, size_t *startp, size_t *endp)
{
	size_t start = 0, end = n;

	while (start < end && aa_is_ws6((unsigned char)s[start]))
		start++;
	while (end > start && aa_is_ws6((unsigned char)s[end - 1]))
		end--;
	*startp = start;
	*endp = end;
}

int
aa_text_is_blank(const char *s, size_t n)
{
	size_t a, b;

	aa_text_trim_space(s, n, &a, &b);
	return a == b;
}

int
aa_text_contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

int
aa_text_has_prefix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(s, p, k) == 0;
}

int
aa_text_has_suffix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(s + n - k, p, k) == 0;
}

int
aa_text_trim_starts(const char *s, size_t n, const char *p)
{
	size_t a, b;

	aa_text_trim_space(s, n, &a, &b);
	return aa_text_has_prefix(s + a, b - a, p);
}

struct aa_line
aa_text_trimmed(const char *s, size_t n)
{
	struct aa_line l;
	size_t a, b;

	aa_text_trim_space(s, n, &a, &b);
	l.s = s + a;
	l.len = b - a;
	return l;
}

size_t
aa_text_prev_line(const char *s, size_t start)
{
	const char *p = memrchr(s, '\n', start - 1);

	return p == NULL ? 0 : (size_t)(p - s) + 1;
}

size_t
aa_text_next_line(const char *s, size_t n, size_t start, int *more)
{
	const char *p = memchr(s + start, '\n', n - start);

	*more = p != NULL;
	return p == NULL ? n : (size_t)(p - s) + 1;
}

size_t
aa_text_tail_lines(const char *s, size_t n, struct aa_line *v, size_t max)
{
	size_t k = 0, end = n, start, i;

	while (k < max) {
		start = end > 0 ? aa_text_prev_line(s, end + 1) : 0;
		v[max - 1 - k].s = s + start;
		v[max - 1 - k].len = end - start;
		k++;
		if (start == 0)
			break;
		end = start - 1;
	}
	if (k < max)
		for (i = 0; i < k; i++)
			v[i] = v[max - k + i];
	return k;
}

void
aa_lines_init(struct aa_lines *l)
{
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}

void
aa_lines_release(struct aa_lines *l)
{
	free(l->v);
	aa_lines_init(l);
}

int
aa_lines_split(struct aa_lines *l, const char *s, size_t n)
{
	size_t count = 1, i, start = 0;
	const char *p;
	struct aa_line *v;

	for (p = s; p != NULL && (size_t)(p - s) < n;) {
		p = memchr(p, '\n', n - (size_t)(p - s));
		if (p != NULL) {
			count++;
			p++;
		}
	}
	if (count > l->cap) {
		if ((v = realloc(l->v, count * sizeof(*v))) == NULL)
			return AA_ENOMEM;
		l->v = v;
		l->cap = count;
	}
	l->n = 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			l->v[l->n].s = s + start;
			l->v[l->n].len = i - start;
			l->n++;
			start = i + 1;
		}
	}
	l->v[l->n].s = s + start;
	l->v[l->n].len = n - start;
	l->n++;
	return 0;
}

int
aa_lines_join(const struct aa_lines *l, size_t from, size_t to,
    struct aa_buf *out)
{
	size_t i;

	for (i = from; i < to && i < l->n; i++) {
		if (i > from && aa_buf_putc(out, '\n') != 0)
			return AA_ENOMEM;
		if (aa_buf_append(out, l->v[i].s, l->v[i].len) != 0)
			return AA_ENOMEM;
	}
	return 0;
}

void
aa_lines_remove(struct aa_lines *l, size_t from, size_t to)
{
	if (to > l->n)
		to = l->n;
	if (from >= to)
		return;
	memmove(l->v + from, l->v + to, (l->n - to) * sizeof(*l->v));
	l->n -= to - from;
}
