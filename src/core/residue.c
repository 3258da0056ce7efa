/*
 * residue.c - the one input-box combinator every agent's rules drive, and
 * the line tests it needs (see residue.h).
 *
 * Residue trimming only ever shortens a remover's output from its ends,
 * so the upstream vectors, whose messages carry no such lines, are
 * unaffected, and an agent's readiness ("the remover found a box", §4.5)
 * is unchanged.  The layout fallback only runs when upstream's remover
 * found nothing, so it can make an agent ready that upstream never saw
 * ready, never the other way round.
 */
#include <stdint.h>
#include <string.h>

#include "base/aa-internal.h"
#include "core/residue.h"
#include "base/text.h"

/* Minimum width of a rule line, as for upstream's borders (§4.3). */
#define RESIDUE_RULE_MIN 15
/* Lines upstream's '>' rule looks at, from the bottom (§4.3). */
#define RESIDUE_PROMPT_TAIL 6

static int residue_drop(const struct aa_residue_match *,
    const struct aa_line *);
static int residue_trim(const struct aa_residue_rules *, const char *,
    size_t, struct aa_buf *);
static int residue_dialog(const char *, const char *, size_t);
static int residue_keep_dialog(const struct aa_residue_match *,
    const char *, size_t, struct aa_buf *);
static int residue_caption(const struct aa_line *);
static size_t residue_layout_top(const struct aa_residue_layout *,
    const struct aa_lines *);
static int residue_layout(const struct aa_residue_layout *, const char *,
    size_t, struct aa_buf *);
static int residue_barred(const char *, const struct aa_line *);
static int residue_unbar(const char *, const char *, size_t,
    struct aa_buf *);
static int residue_blinked(const char *, const struct aa_line *,
    const struct aa_line *);

/* Tests one line against an all-zero-terminated array of predicates. */
int
aa_residue_match(const struct aa_residue_match *m, const char *s, size_t n)
{
	for (; m != NULL && (m->kind != AA_RESIDUE_TEXT || m->starts != NULL ||
	    m->has != NULL); m++) {
		if (m->kind == AA_RESIDUE_RULE && !aa_residue_is_rule(s, n))
			continue;
		if (m->starts != NULL && !aa_text_trim_starts(s, n, m->starts))
			continue;
		if (m->has != NULL && !aa_text_contains(s, n, m->has))
			continue;
		return 1;
	}
	return 0;
}

/* 1 if the line is residue for m, or blank. */
static int
residue_drop(const struct aa_residue_match *m, const struct aa_line *l)
{
	if (aa_text_is_blank(l->s, l->len))
		return 1;
	return aa_residue_match(m, l->s, l->len);
}

/* Appends s without the lead and trail residue at its ends. */
static int
residue_trim(const struct aa_residue_rules *r, const char *s, size_t n,
    struct aa_buf *out)
{
	struct aa_lines l;
	size_t a, b;
	int rc;

	aa_lines_init(&l);
	if ((rc = aa_lines_split(&l, s, n)) < 0)
		return rc;
	a = 0;
	b = l.n;
	while (b > a && residue_drop(r->trail, &l.v[b - 1]))
		b--;
	while (a < b && residue_drop(r->lead, &l.v[a]))
		a++;
	rc = aa_lines_join(&l, a, b, out);
	if (rc == 0)
		rc = aa_buf_append(out, "", 0);
	aa_lines_release(&l);
	return rc;
}

/* 1 if s ends with a line starting with edge and has no '>' near the
 * bottom: a dialog stands where the input box would be. */
static int
residue_dialog(const char *edge, const char *s, size_t n)
{
	struct aa_lines l;
	size_t i, b, lo;
	int rc = 0;

	aa_lines_init(&l);
	if (aa_lines_split(&l, s, n) < 0)
		return 0;
	b = l.n;
	while (b > 0 && aa_text_is_blank(l.v[b - 1].s, l.v[b - 1].len))
		b--;
	if (b == 0 || !aa_text_trim_starts(l.v[b - 1].s, l.v[b - 1].len, edge))
		goto out;
	lo = l.n > RESIDUE_PROMPT_TAIL ? l.n - RESIDUE_PROMPT_TAIL : 0;
	for (i = lo; i < l.n; i++)
		if (memchr(l.v[i].s, '>', l.v[i].len) != NULL)
			goto out;
	rc = 1;
out:
	aa_lines_release(&l);
	return rc;
}

/* The dialog without the lead residue (and blank lines) above it. */
static int
residue_keep_dialog(const struct aa_residue_match *lead, const char *s,
    size_t n, struct aa_buf *out)
{
	struct aa_lines l;
	size_t a = 0;
	int rc;

	aa_lines_init(&l);
	if ((rc = aa_lines_split(&l, s, n)) == 0) {
		while (a < l.n && residue_drop(lead, &l.v[a]))
			a++;
		rc = aa_lines_join(&l, a, l.n, out);
		if (rc == 0)
			rc = aa_buf_append(out, "", 0);
	}
	aa_lines_release(&l);
	return rc;
}

/* 1 if the line is a caption: not blank, indented by exactly one space. */
static int
residue_caption(const struct aa_line *l)
{
	return !aa_text_is_blank(l->s, l->len) && l->s[0] == ' ' &&
	    l->len > 1 && l->s[1] != ' ';
}

/* Index of the layout's top line in l, or SIZE_MAX if there is no box. */
static size_t
residue_layout_top(const struct aa_residue_layout *L,
    const struct aa_lines *l)
{
	size_t i, j, low, top;

	low = l->n > L->scan ? l->n - L->scan : 0;
	for (i = l->n; i-- > low;) {
		if (L->bottom == NULL) {
			if (i + L->under < l->n &&
			    aa_text_trim_starts(l->v[i].s, l->v[i].len, L->top))
				return i;
			continue;
		}
		if (!aa_text_trim_starts(l->v[i].s, l->v[i].len, L->bottom))
			continue;
		top = i > L->rows ? i - L->rows : 0;
		for (j = i; j-- > top;)
			if (aa_text_trim_starts(l->v[j].s, l->v[j].len, L->top))
				return j;
		break;
	}
	return SIZE_MAX;
}

/* Cuts today's box, everything under it and its caption; s if none. */
static int
residue_layout(const struct aa_residue_layout *L, const char *s, size_t n,
    struct aa_buf *out)
{
	struct aa_lines l;
	struct aa_buf cut;
	size_t j;
	int rc;

	aa_lines_init(&l);
	aa_buf_init(&cut);
	if ((rc = aa_lines_split(&l, s, n)) < 0)
		return rc;
	if ((j = residue_layout_top(L, &l)) == SIZE_MAX) {
		rc = aa_buf_append(out, s, n);
		goto out;
	}
	if (L->caption && j > 0 && residue_caption(&l.v[j - 1]))
		j--;
	if (L->scrollbar == NULL) {
		rc = aa_lines_join(&l, 0, j, out);
		goto out;
	}
	if ((rc = aa_lines_join(&l, 0, j, &cut)) == 0)
		rc = residue_unbar(L->scrollbar, cut.data != NULL ? cut.data :
		    "", cut.len, out);
out:
	aa_buf_release(&cut);
	aa_lines_release(&l);
	return rc;
}

/* 1 if the line ends with the scrollbar bar. */
static int
residue_barred(const char *bar, const struct aa_line *l)
{
	return aa_text_has_suffix(l->s, l->len, bar);
}

/* Appends s without a scrollbar column down its right edge. */
static int
residue_unbar(const char *bar, const char *s, size_t n, struct aa_buf *out)
{
	struct aa_lines l;
	size_t i, k, seen = 0, w = strlen(bar);
	int rc;

	aa_lines_init(&l);
	if ((rc = aa_lines_split(&l, s, n)) < 0)
		return rc;
	for (i = 0; i < l.n; i++) {
		if (residue_barred(bar, &l.v[i]))
			seen++;
		else if (!aa_text_is_blank(l.v[i].s, l.v[i].len))
			break;
	}
	if (i < l.n || seen == 0) {
		rc = aa_buf_append(out, s, n);
		goto out;
	}
	for (i = 0; i < l.n && rc == 0; i++) {
		k = l.v[i].len;
		if (residue_barred(bar, &l.v[i]))
			k -= w;
		while (k > 0 && l.v[i].s[k - 1] == ' ')
			k--;
		rc = aa_buf_append(out, l.v[i].s, k);
		if (rc == 0 && i + 1 < l.n)
			rc = aa_buf_append(out, "\n", 1);
	}
out:
	aa_lines_release(&l);
	return rc;
}

/* Upstream's remover, else today's layout, then the residue (§4.3). */
int
aa_residue_box(const struct aa_residue_rules *r, const char *s, size_t n,
    struct aa_buf *out)
{
	aa_format_box_fn upstream = r->upstream;
	struct aa_buf tmp;
	unsigned after = AA_RESIDUE_AFTER_UPSTREAM;
	int rc;

	if (upstream == NULL)
		upstream = aa_format_box_generic;
	if (r->dialog != NULL && residue_dialog(r->dialog, s, n))
		return residue_keep_dialog(r->lead, s, n, out);
	if (r->trim == 0 && r->layout.top == NULL)
		return upstream(s, n, out);
	aa_buf_init(&tmp);
	if ((rc = upstream(s, n, &tmp)) < 0)
		goto out;
	if (tmp.len == n && r->layout.top != NULL) {
		aa_buf_reset(&tmp);
		if ((rc = residue_layout(&r->layout, s, n, &tmp)) < 0)
			goto out;
		after = AA_RESIDUE_AFTER_LAYOUT;
	}
	/* Residue goes only once a remover found the box. */
	if (tmp.len == n || (r->trim & after) == 0)
		rc = aa_buf_append(out, tmp.data != NULL ? tmp.data : "",
		    tmp.len);
	else
		rc = residue_trim(r, tmp.data != NULL ? tmp.data : "", tmp.len,
		    out);
out:
	aa_buf_release(&tmp);
	return rc;
}

/* 1 if c is the line p with its glyph at the first non-space turned off. */
static int
residue_blinked(const char *glyph, const struct aa_line *p,
    const struct aa_line *c)
{
	size_t k = 0, g = strlen(glyph);

	while (k < p->len && p->s[k] == ' ')
		k++;
	if (g == 0 || p->len - k < g || memcmp(p->s + k, glyph, g) != 0 ||
	    c->len != p->len - g + 1)
		return 0;
	return memcmp(c->s, p->s, k) == 0 && c->s[k] == ' ' &&
	    memcmp(c->s + k + 1, p->s + k + g, p->len - k - g) == 0;
}

/* Restores the glyphs blinked off since the previous screen. */
int
aa_residue_hold(const char *glyph, const char *old, size_t oldlen,
    const char *cur, size_t curlen, struct aa_buf *out)
{
	struct aa_lines o, c;
	size_t i;
	int rc;

	aa_lines_init(&o);
	aa_lines_init(&c);
	if ((rc = aa_lines_split(&o, old != NULL ? old : "", oldlen)) < 0 ||
	    (rc = aa_lines_split(&c, cur != NULL ? cur : "", curlen)) < 0)
		goto out;
	for (i = 0; i < c.n && rc == 0; i++) {
		if (i > 0)
			rc = aa_buf_append(out, "\n", 1);
		if (rc != 0)
			break;
		/* Held lit, the line is the previous one again. */
		if (i < o.n && residue_blinked(glyph, &o.v[i], &c.v[i]))
			rc = aa_buf_append(out, o.v[i].s, o.v[i].len);
		else
			rc = aa_buf_append(out, c.v[i].s, c.v[i].len);
	}
	if (rc == 0)
		rc = aa_buf_append(out, "", 0);
out:
	aa_lines_release(&o);
	aa_lines_release(&c);
	return rc;
}

/* Tells whether a line is a horizontal rule of box-drawing blocks. */
int
aa_residue_is_rule(const char *s, size_t n)
{
	size_t i = 0, k, cells = 0;
	uint32_t cp;

	while (i < n) {
		k = aa_utf8_decode(s + i, n - i, &cp);
		i += k;
		if (cp == ' ')
			continue;
		if (cp != 0x2500 && cp != 0x2501 && cp != 0x2584 &&
		    cp != 0x2580)
			return 0;
		cells++;
	}
	return cells >= RESIDUE_RULE_MIN;
}
