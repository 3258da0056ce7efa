/*
 * format.c - message formatting primitives (../shared/spec/core.md §4).
 *
 * Everything here reproduces upstream's msgfmt byte for byte, quirks
 * included (the vectors in ../shared/conformance/agentapi/msgfmt depend on
 * them).  Most results are a contiguous part of the input - a suffix after
 * the echo, a prefix above the input box, the span between blank lines -
 * so the code works on offsets and scans lines backward from the end
 * rather than splitting 1000-line screens into arrays.  The echo search
 * decodes the message's runes lazily: it never needs more than the first
 * six lines plus five runes per input rune past the match.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "core/format.h"
#include "base/text.h"

/* Border runs of §4.3: 15 x U+2500 and 15 x U+254C. */
#define BORDER_SOLID                                                           \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"         \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"         \
	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"
#define BORDER_DASHED                                                          \
	"\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c"         \
	"\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c"         \
	"\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c"
/* opencode's panel bottom: U+2579 then 17 x U+2580. */
#define OPENCODE_BAR                                                           \
	"\xe2\x95\xb9"                                                         \
	"\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80"         \
	"\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80"         \
	"\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80"         \
	"\xe2\x96\x80\xe2\x96\x80"
#define VBAR_LIGHT "\xe2\x94\x82"	/* │ U+2502 */
#define HEAVY_CHEVRON "\xe2\x9d\xaf"	/* ❯ U+276F */
#define SINGLE_GUILLEMET "\xe2\x80\xba" /* › U+203A */
#define ARC_DOWN_RIGHT "\xe2\x95\xad"	/* ╭ */
#define ARC_DOWN_LEFT "\xe2\x95\xae"	/* ╮ */
#define ARC_UP_LEFT "\xe2\x95\xaf"	/* ╯ */
#define ARC_UP_RIGHT "\xe2\x95\xb0"	/* ╰ */
#define BULLET "\xe2\x80\xa2"		/* • */
#define AMP_WELCOME "Welcome to Amp"

#define CLAUDE_TOOL_MARK "coder - coder_report_task (MCP)"
#define CODEX_TOOL_MARK "Coder.coder_report_task"
#define TOOL_ANY_MARK "coder_report_task"
#define CLAUDE_TOOL_REPLY "\"message\": \"Thanks for reporting!\""
#define CODEX_TOOL_REPLY "{\"message\": \"Thanks for reporting!\"}"

/* Lines of §4.3's generic remover that matter: the last nine. */
#define GENERIC_TAIL 9

/* The non-WS6 runes of a string, decoded on demand (§4.2 step 2). */
struct runes {
	const char *s;
	size_t n;
	size_t pos;	 /* next byte to decode */
	size_t line;	 /* line index of pos */
	uint32_t *cp;	 /* kept runes */
	size_t *off;	 /* byte offset of each kept rune */
	size_t len, cap; /* kept runes decoded so far */
};

/* A range of lines [a, b) removed by a tool-call remover. */
struct range {
	size_t a, b;
	int keep; /* recorded as a tool call (well-formed) */
};

static int contains(const char *, size_t, const char *, size_t);
static int has_prefix(const char *, size_t, const char *);
static int has_suffix(const char *, size_t, const char *);
static int ascii_space(unsigned char);
static void trim(const char *, size_t, const char **, size_t *);
static int is_blank(const char *, size_t);
static int is_border(const char *, size_t);
static size_t prev_line_start(const char *, size_t);
static size_t next_line_start(const char *, size_t, size_t, int *);
static size_t tail_lines(const char *, size_t, struct aa_line *, size_t);
static int keep_lines_above(const char *, size_t, struct aa_buf *);
static void runes_init(struct runes *, const char *, size_t);
static void runes_release(struct runes *);
static int runes_push(struct runes *, uint32_t, size_t);
static int runes_fill(struct runes *, size_t);
static int runes_decode(struct runes *, size_t, size_t);
static int runes_fill_lines(struct runes *, size_t);
static int echo_end(struct runes *, const struct runes *, size_t, size_t *);
static int echo_search(const char *, size_t, const char *, size_t,
    size_t *, size_t *, size_t *);
static void echo_runs_past(const char *, size_t, size_t *, int *,
    const struct aa_format_echo *);
static int equal_sans_spaces(const char *, size_t, const char *);
static int join_kept(const struct aa_lines *, const struct range *, size_t,
    struct aa_buf *);
static int join_calls(const struct aa_lines *, const struct range *, size_t,
    struct aa_buf *);

/* Tests whether s[0..n) contains the C string needle. */
static int
contains(const char *s, size_t n, const char *needle, size_t nlen)
{
	return memmem(s, n, needle, nlen) != NULL;
}

/* Tests whether s[0..n) starts with the C string p. */
static int
has_prefix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(s, p, k) == 0;
}

/* Tests whether s[0..n) ends with the C string p. */
static int
has_suffix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(s + n - k, p, k) == 0;
}

/* Tests for the ASCII bytes of Go's unicode.IsSpace: \t \n \v \f \r. */
static int
ascii_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Bounds of a line without Unicode white space at either end.  Screens
 * are mostly ASCII padding, so ASCII is handled here and only a non-ASCII
 * byte at either end falls back to the full decoder.
 */
static void
trim(const char *s, size_t n, const char **tp, size_t *tn)
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
		aa_text_trim_space(s + a, b - a, &x, &y);
		b = a + y;
		a += x;
	}
	*tp = s + a;
	*tn = b - a;
}

/* Tests whether a line is empty after Unicode trimming. */
static int
is_blank(const char *s, size_t n)
{
	const char *t;
	size_t tn;

	trim(s, n, &t, &tn);
	return tn == 0;
}

/* Tests for a horizontal box border: 15 solid or 15 dashed rules (§4.3). */
static int
is_border(const char *s, size_t n)
{
	return contains(s, n, BORDER_SOLID, sizeof(BORDER_SOLID) - 1) ||
	    contains(s, n, BORDER_DASHED, sizeof(BORDER_DASHED) - 1);
}

/* Start of the line before the one starting at start (start > 0). */
static size_t
prev_line_start(const char *s, size_t start)
{
	const char *p = memrchr(s, '\n', start - 1);

	return p == NULL ? 0 : (size_t)(p - s) + 1;
}

/* Start of the line after the one at start; *more is 0 if none follows. */
static size_t
next_line_start(const char *s, size_t n, size_t start, int *more)
{
	const char *p = memchr(s + start, '\n', n - start);

	*more = p != NULL;
	return p == NULL ? n : (size_t)(p - s) + 1;
}

/*
 * Stores the last (up to max) lines of s into v in order, so v[0] is the
 * earliest; returns how many.  v[0].s == s means v[0] is line 0.
 */
static size_t
tail_lines(const char *s, size_t n, struct aa_line *v, size_t max)
{
	size_t k = 0, end = n, start, i;

	while (k < max) {
		start = end > 0 ? prev_line_start(s, end + 1) : 0;
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

/* Appends the lines of s above the line starting at byte start. */
static int
keep_lines_above(const char *s, size_t start, struct aa_buf *out)
{
	/* Line 0 is the only one starting at 0; others follow a "\n". */
	return aa_buf_append(out, s, start == 0 ? 0 : start - 1);
}

/* Finds the first and last non-blank lines of s (§4.1). */
void
aa_format_trim_span(const char *s, size_t n, size_t *startp, size_t *endp)
{
	size_t start = 0, end = n, next, prev;
	int more = 1;

	/* Skip blank lines from the top. */
	while (more) {
		next = next_line_start(s, n, start, &more);
		if (!is_blank(s + start, next - start - more))
			break;
		start = next;
	}
	if (!more && start == n) {
		*startp = *endp = 0;
		return;
	}
	/* And from the bottom; a non-blank line exists at or after start. */
	for (;;) {
		prev = end > start ? prev_line_start(s, end + 1) : start;
		if (prev < start)
			prev = start;
		if (!is_blank(s + prev, end - prev))
			break;
		end = prev - 1;
	}
	*startp = start;
	*endp = end;
}

/* Appends s without its blank first and last lines (§4.1). */
int
aa_format_trim_empty_lines(const char *s, size_t n, struct aa_buf *out)
{
	size_t a, b;

	aa_format_trim_span(s, n, &a, &b);
	return aa_buf_append(out, s + a, b - a);
}

/* Starts an empty lazy rune decoder over s[0..n). */
static void
runes_init(struct runes *r, const char *s, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->n = n;
}

/* Frees the decoder's arrays. */
static void
runes_release(struct runes *r)
{
	free(r->cp);
	free(r->off);
}

/* Appends one kept rune and its byte offset. */
static int
runes_push(struct runes *r, uint32_t cp, size_t off)
{
	size_t cap;
	uint32_t *c;
	size_t *o;

	if (r->len == r->cap) {
		cap = r->cap < 64 ? 64 : r->cap * 2;
		if ((c = realloc(r->cp, cap * sizeof(*c))) == NULL)
			return AA_ENOMEM;
		r->cp = c;
		if ((o = realloc(r->off, cap * sizeof(*o))) == NULL)
			return AA_ENOMEM;
		r->off = o;
		r->cap = cap;
	}
	r->cp[r->len] = cp;
	r->off[r->len] = off;
	r->len++;
	return 0;
}

/*
 * Decodes until rune i is available (or the string ends, or the line index
 * passes maxline); returns 1 if rune i exists, 0 if not, or AA_ENOMEM.
 */
static int
runes_decode(struct runes *r, size_t i, size_t maxline)
{
	uint32_t cp;
	size_t k;

	while (r->len <= i && r->pos < r->n && r->line <= maxline) {
		k = aa_utf8_decode(r->s + r->pos, r->n - r->pos, &cp);
		if (cp == '\n')
			r->line++;
		if (!(cp < 0x80 && aa_is_ws6((int)cp)) &&
		    runes_push(r, cp, r->pos) != 0)
			return AA_ENOMEM;
		r->pos += k;
	}
	return r->len > i;
}

/* Makes rune i available; 1 if it exists, 0 past the end, or AA_ENOMEM. */
static int
runes_fill(struct runes *r, size_t i)
{
	return runes_decode(r, i, SIZE_MAX);
}

/* Decodes every kept rune of lines [0, maxline]; 0 or AA_ENOMEM. */
static int
runes_fill_lines(struct runes *r, size_t maxline)
{
	int rc = runes_decode(r, SIZE_MAX - 1, maxline);

	return rc < 0 ? rc : 0;
}

/*
 * Extends the match from (m = start, u = 0) one rune pair at a time,
 * tolerating up to four skipped runes on either side (§4.2 step 4).
 * U is fully decoded.  Stores the last matched index of M.
 */
static int
echo_end(struct runes *M, const struct runes *U, size_t start, size_t *endp)
{
	size_t m = start, u = 0, i, j, uu, mm;
	int rc;

	for (;;) {
		for (i = 0; i < 5; i++) {
			for (j = 0; j < 5; j++) {
				uu = u + i + 1;
				mm = m + j + 1;
				if (uu >= U->len)
					goto done;
				if ((rc = runes_fill(M, mm)) < 0)
					return rc;
				if (rc == 0)
					goto done;
				if (U->cp[uu] == M->cp[mm])
					goto matched;
			}
		}
		break;
	matched:
		m = mm;
		u = uu;
	}
done:
	*endp = m;
	return 0;
}

/*
 * Runs §4.2 steps 2-4: returns 1 with the first and last matched rune
 * indices and the byte offset of the last one, 0 without an echo, or
 * AA_ENOMEM.
 */
static int
echo_search(const char *msg, size_t len, const char *user, size_t ulen,
    size_t *startp, size_t *endp, size_t *offp)
{
	struct runes M, U;
	size_t k, p, w, i;
	int rc;

	runes_init(&M, msg, len);
	runes_init(&U, user, ulen);
	/* Only the input's first line seeds the search. */
	if ((rc = runes_fill_lines(&U, 0)) < 0)
		goto out;
	k = U.len;
	if (k == 0)
		goto out;
	p = AA__MIN(k, 6);
	/* The window: the first six lines of msg, at least 25 runes. */
	if ((rc = runes_fill_lines(&M, 5)) < 0)
		goto out;
	w = AA__MAX(M.len, 25);
	if ((rc = runes_fill(&M, w - 1)) < 0)
		goto out;
	w = AA__MIN(w, M.len);
	rc = 0;
	for (i = 0; i + p <= w; i++)
		if (memcmp(M.cp + i, U.cp, p * sizeof(*U.cp)) == 0)
			break;
	if (i + p > w)
		goto out;
	if ((rc = runes_fill(&U, SIZE_MAX - 1)) < 0 ||
	    (rc = echo_end(&M, &U, i, endp)) < 0)
		goto out;
	*startp = i;
	*offp = M.off[*endp];
	rc = 1;
out:
	runes_release(&M);
	runes_release(&U);
	return rc;
}

/* Reports where the echo of user lies in msg, in non-WS6 runes. */
int
aa_format_find_echo(const char *msg, size_t len, const char *user,
    size_t ulen, size_t *startp, size_t *endp)
{
	size_t off;

	return echo_search(msg, len, user, ulen, startp, endp, &off);
}

/*
 * Applies an agent's extension to the line after the echo (§4.2 step 6):
 * *next is the start of line last+1 and *more says whether it exists.
 */
static void
echo_runs_past(const char *msg, size_t len, size_t *next, int *more,
    const struct aa_format_echo *ext)
{
	size_t p, end, i;
	int m;

	if (ext == NULL)
		return;
	if (ext->close_a != NULL && ext->close_b != NULL && *more) {
		end = next_line_start(msg, len, *next, &m);
		p = end - (size_t)m;
		if (contains(msg + *next, p - *next, ext->close_a,
		    strlen(ext->close_a)) &&
		    contains(msg + *next, p - *next, ext->close_b,
		    strlen(ext->close_b))) {
			*next = end;
			*more = m;
		}
	}
	if (ext->skip_lines > 0 && *more) {
		/* Lines last+1 .. last+k must all exist. */
		p = *next;
		m = 1;
		for (i = 0; i + 1 < ext->skip_lines && m; i++)
			p = next_line_start(msg, len, p, &m);
		if (m) {
			p = next_line_start(msg, len, p, &m);
			*next = p;
			*more = m;
		}
	}
}

/* Finds the byte offset where the reply starts after the echo (§4.2). */
int
aa_format_echo_offset(const char *msg, size_t len, const char *user,
    size_t ulen, const struct aa_format_echo *ext, size_t *offp)
{
	size_t start, end, off, next;
	int rc, more;

	*offp = 0;
	if ((rc = echo_search(msg, len, user, ulen, &start, &end, &off)) <= 0)
		return rc;
	next = next_line_start(msg, len, off, &more);
	echo_runs_past(msg, len, &next, &more, ext);
	*offp = more ? next : len;
	return 0;
}

/* Appends what follows the echoed input in msg (§4.2). */
int
aa_format_remove_user_input(const char *msg, size_t len, const char *user,
    size_t ulen, const struct aa_format_echo *ext, struct aa_buf *out)
{
	size_t off;
	int rc;

	if ((rc = aa_format_echo_offset(msg, len, user, ulen, ext, &off)) < 0)
		return rc;
	return aa_buf_append(out, msg + off, len - off);
}

/* Cuts a '>' prompt or a slim box off the bottom of s (§4.3). */
int
aa_format_box_generic(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_line v[GENERIC_TAIL];
	size_t L, t, lo;
	const struct aa_line *cut = NULL;

	/* Indices below are relative to the tail; see tail_lines(). */
	L = tail_lines(s, n, v, GENERIC_TAIL);
	lo = L > 6 ? L - 6 : 0;
	for (t = L; t-- > lo;) {
		if (memchr(v[t].s, '>', v[t].len) != NULL) {
			cut = &v[t];
			if (t > 0 && is_border(v[t - 1].s, v[t - 1].len))
				cut = &v[t - 1];
			break;
		}
	}
	for (t = L >= 3 ? L - 2 : 0; cut == NULL && t-- > 0;) {
		if (is_border(v[t].s, v[t].len) &&
		    (memchr(v[t + 1].s, '|', v[t + 1].len) != NULL ||
		    contains(v[t + 1].s, v[t + 1].len, VBAR_LIGHT, 3) ||
		    contains(v[t + 1].s, v[t + 1].len, HEAVY_CHEVRON, 3)) &&
		    is_border(v[t + 2].s, v[t + 2].len))
			cut = &v[t];
	}
	if (cut == NULL)
		return aa_buf_append(out, s, n);
	return keep_lines_above(s, (size_t)(cut->s - s), out);
}

/* Removes codex's composer line and the spacer below it (§4.3). */
int
aa_format_box_codex(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_line v[3];

	if (tail_lines(s, n, v, 3) < 3 ||
	    !contains(v[0].s, v[0].len, SINGLE_GUILLEMET, 3))
		return aa_buf_append(out, s, n);
	/* Keep everything above the composer, then the footer line. */
	if (aa_buf_append(out, s, (size_t)(v[0].s - s)) != 0)
		return AA_ENOMEM;
	return aa_buf_append(out, v[2].s, v[2].len);
}

/* Cuts opencode's input panel off the bottom of s (§4.3). */
int
aa_format_box_opencode(const char *s, size_t n, struct aa_buf *out)
{
	size_t nl = 0, i, start, end, k;
	const char *p = s, *t;
	size_t tn;

	while ((p = memchr(p, '\n', n - (size_t)(p - s))) != NULL) {
		nl++;
		p++;
	}
	/* Line i (from nl down to 4) spans [start, end). */
	end = n;
	for (i = nl; i >= 4; i--) {
		start = prev_line_start(s, end + 1);
		trim(s + start, end - start, &t, &tn);
		if (has_prefix(t, tn, OPENCODE_BAR)) {
			for (k = 0; k < 4; k++)
				start = prev_line_start(s, start);
			return keep_lines_above(s, start, out);
		}
		end = start - 1;
	}
	return aa_buf_append(out, s, n);
}

/* Cuts amp's last rounded box off s (§4.3). */
int
aa_format_box_amp(const char *s, size_t n, struct aa_buf *out)
{
	size_t end = n, start, tn, keep = n;
	const char *t;
	int bottom = 0;

	for (;;) {
		start = end > 0 ? prev_line_start(s, end + 1) : 0;
		trim(s + start, end - start, &t, &tn);
		if (!bottom && has_prefix(t, tn, ARC_UP_RIGHT) &&
		    has_suffix(t, tn, ARC_UP_LEFT))
			bottom = 1;
		if (bottom && has_prefix(t, tn, ARC_DOWN_RIGHT) &&
		    has_suffix(t, tn, ARC_DOWN_LEFT)) {
			keep = start == 0 ? 0 : start - 1;
			break;
		}
		if (start == 0)
			break;
		end = start - 1;
	}
	if (keep == 0)
		return aa_buf_puts(out, AMP_WELCOME);
	return aa_buf_append(out, s, keep);
}

/* Tests whether s[0..n) with every ASCII space removed equals lit. */
static int
equal_sans_spaces(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			continue;
		if (*lit == '\0' || *lit != s[i])
			return 0;
		lit++;
	}
	return *lit == '\0';
}

/* Appends the lines outside every range, joined with "\n". */
static int
join_kept(const struct aa_lines *l, const struct range *r, size_t nr,
    struct aa_buf *out)
{
	size_t i, k = 0;
	int first = 1;

	for (i = 0; i < l->n; i++) {
		while (k < nr && i >= r[k].b)
			k++;
		if (k < nr && i >= r[k].a && i < r[k].b)
			continue;
		if ((!first && aa_buf_putc(out, '\n') != 0) ||
		    aa_buf_append(out, l->v[i].s, l->v[i].len) != 0)
			return AA_ENOMEM;
		first = 0;
	}
	return 0;
}

/* Appends the well-formed ranges, last first, separated by "\n---\n". */
static int
join_calls(const struct aa_lines *l, const struct range *r, size_t nr,
    struct aa_buf *calls)
{
	size_t k, start = calls != NULL ? calls->len : 0;

	for (k = nr; calls != NULL && k-- > 0;) {
		if (!r[k].keep)
			continue;
		if (calls->len > start &&
		    aa_buf_puts(calls, AA_FORMAT_TOOL_SEP) != 0)
			return AA_ENOMEM;
		if (aa_lines_join(l, r[k].a, r[k].b, calls) != 0)
			return AA_ENOMEM;
	}
	return 0;
}

/* Removes claude's coder_report_task blocks, recording the whole ones
 * (§4.6).
 */
int
aa_format_tools_claude(const char *s, size_t n, struct aa_buf *out,
    struct aa_buf *calls)
{
	struct aa_buf tmp;
	struct aa_lines l;
	struct range *r = NULL;
	size_t nr = 0, i, base = out->len, k;
	size_t start = SIZE_MAX, blank = SIZE_MAX, pn, cn, nn;
	const char *pt, *ct, *nt;
	int rc = AA_ENOMEM;

	aa_buf_init(&tmp);
	aa_lines_init(&l);
	if (!contains(s, n, CLAUDE_TOOL_MARK, sizeof(CLAUDE_TOOL_MARK) - 1)) {
		while (n > 0 && *s == '\n') {
			s++;
			n--;
		}
		return aa_buf_append(out, s, n);
	}
	/* The scan sees a leading empty line, as upstream prepends one. */
	if (aa_buf_putc(&tmp, '\n') != 0 || aa_buf_append(&tmp, s, n) != 0 ||
	    aa_lines_split(&l, tmp.data, tmp.len) != 0 ||
	    (r = calloc(l.n, sizeof(*r))) == NULL)
		goto out;
	for (i = 1; i + 1 < l.n; i++) {
		trim(l.v[i - 1].s, l.v[i - 1].len, &pt, &pn);
		trim(l.v[i].s, l.v[i].len, &ct, &cn);
		trim(l.v[i + 1].s, l.v[i + 1].len, &nt, &nn);
		if (contains(ct, cn, CLAUDE_TOOL_MARK,
		    sizeof(CLAUDE_TOOL_MARK) - 1)) {
			/* Upstream keeps a stale blank index here (§9.13). */
			start = i;
		} else if (start != SIZE_MAX) {
			if (cn == sizeof(CLAUDE_TOOL_REPLY) - 1 &&
			    memcmp(ct, CLAUDE_TOOL_REPLY, cn) == 0 &&
			    nn == 1 && *nt == '}' && has_suffix(pt, pn, "{")) {
				r[nr].a = start;
				r[nr].b = AA__MIN(l.n, i + 2);
				r[nr++].keep = 1;
				start = blank = SIZE_MAX;
			} else if (cn == 0)
				blank = i + 1;
		}
	}
	if (start != SIZE_MAX) {
		/* Unterminated call: removed, not recorded; end >= start. */
		r[nr].a = start;
		r[nr].b = blank != SIZE_MAX ? AA__MAX(blank, start) : l.n;
		r[nr++].keep = 0;
	}
	if (join_kept(&l, r, nr, out) != 0 || join_calls(&l, r, nr, calls) != 0)
		goto out;
	for (k = base; k < out->len && out->data[k] == '\n'; k++)
		;
	memmove(out->data + base, out->data + k, out->len - k + 1);
	out->len -= k - base;
	rc = 0;
out:
	free(r);
	aa_lines_release(&l);
	aa_buf_release(&tmp);
	return rc;
}

/* Removes codex's coder_report_task blocks and the blanks after them (§4.6). */
int
aa_format_tools_codex(const char *s, size_t n, struct aa_buf *out,
    struct aa_buf *calls)
{
	struct aa_lines l;
	struct range *r = NULL;
	size_t nr = 0, k, end, start = SIZE_MAX, cn, nn, base = out->len;
	const char *ct, *nt;
	int rc = AA_ENOMEM;

	aa_lines_init(&l);
	if (!contains(s, n, CODEX_TOOL_MARK, sizeof(CODEX_TOOL_MARK) - 1)) {
		while (n > 0 && s[n - 1] == '\n')
			n--;
		return aa_buf_append(out, s, n);
	}
	if (aa_lines_split(&l, s, n) != 0 ||
	    (r = calloc(l.n, sizeof(*r))) == NULL)
		goto out;
	for (k = 0; k < l.n; k++) {
		trim(l.v[k].s, l.v[k].len, &ct, &cn);
		if (k + 1 < l.n && equal_sans_spaces(ct, cn, BULLET "Called")) {
			trim(l.v[k + 1].s, l.v[k + 1].len, &nt, &nn);
			if (contains(nt, nn, CODEX_TOOL_MARK,
			    sizeof(CODEX_TOOL_MARK) - 1))
				start = k;
		}
		if (start != SIZE_MAX && cn == sizeof(CODEX_TOOL_REPLY) - 1 &&
		    memcmp(ct, CODEX_TOOL_REPLY, cn) == 0) {
			for (end = k + 1; end < l.n &&
			    is_blank(l.v[end].s, l.v[end].len); end++)
				;
			r[nr].a = start;
			r[nr].b = end;
			r[nr++].keep = 1;
			start = SIZE_MAX;
		}
	}
	if (join_kept(&l, r, nr, out) != 0 || join_calls(&l, r, nr, calls) != 0)
		goto out;
	while (out->len > base && out->data[out->len - 1] == '\n')
		out->data[--out->len] = '\0';
	rc = 0;
out:
	free(r);
	aa_lines_release(&l);
	return rc;
}
