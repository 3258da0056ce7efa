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
 *
 * Only what every agent shares is here.  An agent's own input-box and
 * tool-call removers are in agents/<name>.c; the residue of today's TUIs
 * is data those files hand to core/residue.c.
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
#define VBAR_LIGHT "\xe2\x94\x82"	/* │ U+2502 */
#define HEAVY_CHEVRON "\xe2\x9d\xaf"	/* ❯ U+276F */

/* Lines of §4.3's generic remover that matter: the last nine. */
#define GENERIC_TAIL 9
/* Lines searched for the whole echo when the window held part of it. */
#define ECHO_MORE_LINES 12

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

static int is_border(const char *, size_t);
static int fence_char(const struct aa_line *);
static int keep_lines_above(const char *, size_t, struct aa_buf *);
static void runes_init(struct runes *, const char *, size_t);
static void runes_release(struct runes *);
static int runes_push(struct runes *, uint32_t, size_t);
static int runes_fill(struct runes *, size_t);
static int runes_decode(struct runes *, size_t, size_t);
static int runes_fill_lines(struct runes *, size_t);
static int echo_end(struct runes *, const struct runes *, size_t, size_t *,
    size_t *);
static int echo_search(const char *, size_t, const char *, size_t,
    size_t *, size_t *, size_t *);
static void echo_runs_past(const char *, size_t, size_t *, int *,
    const struct aa_format_echo *);
static int join_kept(const struct aa_lines *,
    const struct aa_format_range *, size_t, struct aa_buf *);
static int join_calls(const struct aa_lines *,
    const struct aa_format_range *, size_t, struct aa_buf *);

/* '`' or '~' if the line opens or closes a code fence, else 0. */
static int
fence_char(const struct aa_line *l)
{
	size_t k = 0;

	while (k < l->len && l->s[k] == ' ')
		k++;
	if (l->len - k >= 3 && (l->s[k] == '`' || l->s[k] == '~') &&
	    l->s[k + 1] == l->s[k] && l->s[k + 2] == l->s[k])
		return l->s[k];
	return 0;
}

/*
 * Collapses blank runs outside closed code fences.  Terminal agents draw
 * at the top of a tall screen and leave the rows between a message and
 * what follows it blank: Codex's start-up message is about 1,000 blank
 * rows with a few lines at either end.  Only a fence that is closed
 * protects its lines, so a stray ``` on a screen cannot keep those rows.
 */
int
aa_format_collapse_blank(const char *s, size_t n, struct aa_buf *out)
{
	struct aa_lines l;
	unsigned char *code = NULL;
	size_t i, j, emitted = 0, gap = SIZE_MAX;
	int rc, c;

	aa_lines_init(&l);
	if ((rc = aa_lines_split(&l, s != NULL ? s : "", s != NULL ? n : 0)) < 0)
		return rc;
	if ((code = calloc(l.n, 1)) == NULL) {
		rc = AA_ENOMEM;
		goto out;
	}
	/* Mark the lines of each closed fence, fence lines included. */
	for (i = 0; i < l.n; i++) {
		if ((c = fence_char(&l.v[i])) == 0)
			continue;
		for (j = i + 1; j < l.n && fence_char(&l.v[j]) != c; j++)
			;
		if (j == l.n)
			continue;
		memset(code + i, 1, j - i + 1);
		i = j;
	}
	/* A run's first blank line stands for the run, as it is. */
	for (i = 0; i < l.n && rc == 0; i++) {
		if (!code[i] && aa_text_is_blank(l.v[i].s, l.v[i].len)) {
			if (gap == SIZE_MAX && emitted > 0)
				gap = i;
			continue;
		}
		if (emitted > 0 && (rc = aa_buf_append(out, "\n", 1)) == 0 &&
		    gap != SIZE_MAX &&
		    (rc = aa_buf_append(out, l.v[gap].s, l.v[gap].len)) == 0)
			rc = aa_buf_append(out, "\n", 1);
		if (rc == 0)
			rc = aa_buf_append(out, l.v[i].s, l.v[i].len);
		emitted++;
		gap = SIZE_MAX;
	}
	if (rc == 0)
		rc = aa_buf_append(out, "", 0);
out:
	free(code);
	aa_lines_release(&l);
	return rc;
}

/* Tests for a horizontal box border: 15 solid or 15 dashed rules (§4.3). */
static int
is_border(const char *s, size_t n)
{
	return aa_text_contains(s, n, BORDER_SOLID) ||
	    aa_text_contains(s, n, BORDER_DASHED);
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
		next = aa_text_next_line(s, n, start, &more);
		if (!aa_text_is_blank(s + start, next - start - more))
			break;
		start = next;
	}
	if (!more && start == n) {
		*startp = *endp = 0;
		return;
	}
	/* And from the bottom; a non-blank line exists at or after start. */
	for (;;) {
		prev = end > start ? aa_text_prev_line(s, end + 1) : start;
		if (prev < start)
			prev = start;
		if (!aa_text_is_blank(s + prev, end - prev))
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
 * U is fully decoded.  Stores the last matched index of M, and of U in
 * *usedp.
 */
static int
echo_end(struct runes *M, const struct runes *U, size_t start, size_t *endp,
    size_t *usedp)
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
	*usedp = u;
	return 0;
}

/*
 * Runs §4.2 steps 2-4: returns 1 with the first and last matched rune
 * indices and the byte offset of the last one, 0 without an echo, or
 * AA_ENOMEM.
 *
 * Beyond upstream: where the input's first runes occur more than once in
 * the window, the echo is the occurrence that matches the most of the
 * input (the first of those), not merely the first.  An earlier reply
 * that quotes the prompt ("TOOL DONE: Please run ...", redrawn above
 * the turn) used to be taken for the echo, and the echo was left in the
 * message.  And when the best of them matches only part of the input, an
 * occurrence that matches all of it further down, within the first
 * ECHO_MORE_LINES lines, is the echo (Claude Code and Copilot redraw the
 * earlier tool call above a denied one, pushing the echo out of the
 * window).  With one occurrence in the window, the result is upstream's.
 */
static int
echo_search(const char *msg, size_t len, const char *user, size_t ulen,
    size_t *startp, size_t *endp, size_t *offp)
{
	struct runes M, U;
	size_t k, p, w, w2, i, e, used, best = SIZE_MAX, bend = 0, bused = 0;
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
	if ((rc = runes_fill_lines(&M, ECHO_MORE_LINES - 1)) < 0 ||
	    (rc = runes_fill(&U, SIZE_MAX - 1)) < 0)
		goto out;
	w2 = AA__MAX(w, M.len);
	rc = 0;
	for (i = 0; i + p <= w2; i++) {
		/* Past the window only to complete a partial match. */
		if (i + p > w && best == SIZE_MAX)
			break;
		if (memcmp(M.cp + i, U.cp, p * sizeof(*U.cp)) != 0)
			continue;
		if ((rc = echo_end(&M, &U, i, &e, &used)) < 0)
			goto out;
		rc = 0;
		if (i + p > w && used + 1 < U.len)
			continue;
		if (best == SIZE_MAX || used > bused) {
			best = i;
			bend = e;
			bused = used;
		}
		if (bused + 1 >= U.len)
			break;	/* the whole input: no better one */
	}
	if (best == SIZE_MAX)
		goto out;
	*startp = best;
	*endp = bend;
	*offp = M.off[bend];
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
		end = aa_text_next_line(msg, len, *next, &m);
		p = end - (size_t)m;
		if (aa_text_contains(msg + *next, p - *next, ext->close_a) &&
		    aa_text_contains(msg + *next, p - *next, ext->close_b)) {
			*next = end;
			*more = m;
		}
	}
	if (ext->skip_lines > 0 && *more) {
		/* Lines last+1 .. last+k must all exist. */
		p = *next;
		m = 1;
		for (i = 0; i + 1 < ext->skip_lines && m; i++)
			p = aa_text_next_line(msg, len, p, &m);
		if (m) {
			p = aa_text_next_line(msg, len, p, &m);
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
	next = aa_text_next_line(msg, len, off, &more);
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

	/* Indices below are relative to the tail; see aa_text_tail_lines(). */
	L = aa_text_tail_lines(s, n, v, GENERIC_TAIL);
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
		    aa_text_contains(v[t + 1].s, v[t + 1].len, VBAR_LIGHT) ||
		    aa_text_contains(v[t + 1].s, v[t + 1].len,
		    HEAVY_CHEVRON)) &&
		    is_border(v[t + 2].s, v[t + 2].len))
			cut = &v[t];
	}
	if (cut == NULL)
		return aa_buf_append(out, s, n);
	return keep_lines_above(s, (size_t)(cut->s - s), out);
}

/* Appends the lines outside every range, joined with "\n". */
static int
join_kept(const struct aa_lines *l, const struct aa_format_range *r, size_t nr,
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
join_calls(const struct aa_lines *l, const struct aa_format_range *r, size_t nr,
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

/* Appends the lines outside every range, then the recorded calls (§4.6). */
int
aa_format_tools_join(const struct aa_lines *l,
    const struct aa_format_range *r, size_t nr, struct aa_buf *out,
    struct aa_buf *calls)
{
	if (join_kept(l, r, nr, out) != 0 || join_calls(l, r, nr, calls) != 0)
		return AA_ENOMEM;
	return 0;
}
