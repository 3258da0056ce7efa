/*
 * prompt.c - waiting-prompt detection on screen text (see prompt.h).
 *
 * The screen is read bottom-up.  Box borders ("│ … │") and lines drawn
 * only of box or block characters are scenery, not text.  A list prompt
 * is a run of options numbered 1..n (n >= 2) with a selection marker on
 * one of them, ending at most rules->max_tail text lines above the
 * screen's last text line; lines between two options that are not
 * options themselves continue the label above (a wrapped path).  The
 * question is the nearest line above option 1 that ends in "?", else the
 * nearest text line.  A yes/no prompt is one of the last three text lines
 * ending in "(y/n)" or one of its spellings.  A button row is one of the
 * last rules->max_tail text lines split by runs of two or more spaces
 * into 2..n labels, the first approving (Allow, Yes, Approve) and a later
 * one refusing (Reject, Deny, No); what follows the refusing one is hints.
 * Its question is the nearest line above ending in "?" or naming a
 * permission, else the nearest text line.  Lettered buttons are such a
 * row of "[X]label" words one space apart ("[A]llow [D]eny"), answered
 * by the letter alone; their question may also name an approval ("Tool
 * Approval Required").
 *
 * The kind comes from words in the question and the labels: "trust"
 * before "sign in" before "allow"; what asks for nothing but yes or no is
 * a confirmation, and any other list a choice.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/aa-internal.h"
#include "base/text.h"
#include "core/prompt.h"

/* How far up a prompt may start: a dialog is never taller than this. */
#define PROMPT_WINDOW 80
/* Text lines searched above option 1 for the question. */
#define PROMPT_QUESTION_LINES 8

struct view {
	const char *s;
	size_t n;
};

static int is_border(uint32_t cp);
static int is_scenery(uint32_t cp);
static struct view clean(const char *s, size_t n);
static int is_text(struct view v);
static int parse_option(struct view v, int *num, int *marked,
    struct view *label);
static void copy_bounded(char *dst, size_t cap, const char *s, size_t n);
static void append_bounded(char *dst, size_t cap, const char *s, size_t n);
static int has_word(const char *hay, const char *word);
static enum aa_prompt_kind classify(const struct aa_prompt *p);
static int detect_list(const struct view *lines, size_t nl, size_t last,
    size_t max_tail, struct aa_prompt *out);
static int detect_yesno(const struct view *lines, size_t nl, size_t last,
    struct aa_prompt *out);
static size_t yesno_suffix(struct view v);
static int detect_row(const struct view *lines, size_t last,
    size_t max_tail, struct aa_prompt *out);
static void row_question(const struct view *lines, size_t i,
    const char *also, struct aa_prompt *out);
static int parse_key(struct view v, struct aa_prompt_option *o);
static int label_starts(const struct aa_prompt_option *o,
    const char *const *words, size_t nw);
static int detect_keys(const struct view *lines, size_t last,
    size_t max_tail, struct aa_prompt *out);
static int esc_option(const char *label);

/* Selection markers of today's TUIs; an empty radio is not a selection. */
static const char *const markers[] = {
	"\xe2\x9d\xaf",  /* ❯ Claude Code, Copilot */
	"\xe2\x80\xba",  /* › Codex */
	"\xe2\x97\x8f",  /* ● Gemini CLI, Qwen Code */
	"\xe2\x97\x89",  /* ◉ */
	"\xe2\x96\xb6",  /* ▶ */
	"\xe2\x96\xb8",  /* ▸ */
	"\xe2\x9e\xa4",  /* ➤ */
	"\xe2\x86\x92",  /* → */
	">",
	"*",
};
static const char *const empty_markers[] = {
	"\xe2\x97\x8b",  /* ○ */
	"\xe2\x97\xaf",  /* ◯ */
};

static int
is_border(uint32_t cp)
{
	return cp == '|' || cp == 0x2502 || cp == 0x2503 || cp == 0x2551 ||
	    cp == 0x254e || cp == 0x254f || cp == 0x2506 || cp == 0x2507 ||
	    cp == 0x250a || cp == 0x250b || cp == 0x258c || cp == 0x2590;
}

/* Box drawing (U+2500-257F) and block elements (U+2580-259F). */
static int
is_scenery(uint32_t cp)
{
	return cp == ' ' || cp == 0xa0 || (cp >= 0x2500 && cp <= 0x259f);
}

/* The line without white space and box borders at either end. */
static struct view
clean(const char *s, size_t n)
{
	struct view v = { s, n };
	uint32_t cp;
	size_t k, changed = 1;

	while (changed) {
		changed = 0;
		while (v.n > 0 && (v.s[0] == ' ' || v.s[0] == '\t')) {
			v.s++;
			v.n--;
			changed = 1;
		}
		while (v.n > 0 && (v.s[v.n - 1] == ' ' || v.s[v.n - 1] == '\t'))
			v.n--;
		if (v.n > 0) {
			k = aa_utf8_decode(v.s, v.n, &cp);
			if (is_border(cp)) {
				v.s += k;
				v.n -= k;
				changed = 1;
			}
		}
		if (v.n > 0) {
			/* The last code point: back up over continuation
			 * bytes. */
			k = v.n - 1;
			while (k > 0 && ((unsigned char)v.s[k] & 0xc0) == 0x80)
				k--;
			aa_utf8_decode(v.s + k, v.n - k, &cp);
			if (is_border(cp)) {
				v.n = k;
				changed = 1;
			}
		}
	}
	return v;
}

/* Non-zero when the line holds something besides box and block drawing. */
static int
is_text(struct view v)
{
	uint32_t cp;
	size_t i = 0;

	while (i < v.n) {
		i += aa_utf8_decode(v.s + i, v.n - i, &cp);
		if (!is_scenery(cp))
			return 1;
	}
	return 0;
}

/* "[marker] N. label" or "[marker] N) label"; *marked is 1 for a
 * selection marker, 0 for none or an empty radio. */
static int
parse_option(struct view v, int *num, int *marked, struct view *label)
{
	size_t i, m;

	*marked = 0;
	for (i = 0; i < AA__ARRAY_SIZE(markers); i++) {
		m = strlen(markers[i]);
		if (v.n > m && memcmp(v.s, markers[i], m) == 0) {
			*marked = 1;
			v.s += m;
			v.n -= m;
			break;
		}
	}
	for (i = 0; !*marked && i < AA__ARRAY_SIZE(empty_markers); i++) {
		m = strlen(empty_markers[i]);
		if (v.n > m && memcmp(v.s, empty_markers[i], m) == 0) {
			v.s += m;
			v.n -= m;
			break;
		}
	}
	while (v.n > 0 && v.s[0] == ' ') {
		v.s++;
		v.n--;
	}
	if (v.n < 3 || !isdigit((unsigned char)v.s[0]))
		return 0;
	*num = v.s[0] - '0';
	i = 1;
	if (isdigit((unsigned char)v.s[1])) {
		*num = *num * 10 + (v.s[1] - '0');
		i = 2;
	}
	if (i + 2 > v.n || (v.s[i] != '.' && v.s[i] != ')') ||
	    v.s[i + 1] != ' ')
		return 0;
	i += 2;
	while (i < v.n && v.s[i] == ' ')
		i++;
	if (i == v.n)
		return 0;
	label->s = v.s + i;
	label->n = v.n - i;
	return 1;
}

/* Copies s[0..n) into dst[cap], cut on a UTF-8 boundary, NUL-terminated. */
static void
copy_bounded(char *dst, size_t cap, const char *s, size_t n)
{
	dst[0] = '\0';
	append_bounded(dst, cap, s, n);
}

static void
append_bounded(char *dst, size_t cap, const char *s, size_t n)
{
	size_t have = strlen(dst);

	if (have + 1 >= cap)
		return;
	if (n > cap - 1 - have) {
		n = cap - 1 - have;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst + have, s, n);
	dst[have + n] = '\0';
}

/* Case-insensitive search for word at a word start in hay (ASCII). */
static int
has_word(const char *hay, const char *word)
{
	size_t wl = strlen(word);
	const char *p;

	for (p = hay; *p != '\0'; p++) {
		if ((p == hay || !isalnum((unsigned char)p[-1])) &&
		    strncasecmp(p, word, wl) == 0)
			return 1;
	}
	return 0;
}

static enum aa_prompt_kind
classify(const struct aa_prompt *p)
{
	static const char *const trust[] = { "trust" };
	static const char *const login[] = { "sign in", "log in", "login",
		"authenticate", "api key" };
	static const char *const permission[] = { "allow", "approve",
		"permission", "proceed", "run", "execute", "edit", "write",
		"apply", "fetch", "create", "delete" };
	char all[AA_PROMPT_QUESTION_MAX + AA_PROMPT_MAX_OPTIONS *
	    AA_PROMPT_LABEL_MAX];
	size_t i;

	copy_bounded(all, sizeof(all), p->question, strlen(p->question));
	for (i = 0; i < p->nopts; i++) {
		append_bounded(all, sizeof(all), "\n", 1);
		append_bounded(all, sizeof(all), p->opts[i].label,
		    strlen(p->opts[i].label));
	}
	for (i = 0; i < AA__ARRAY_SIZE(trust); i++)
		if (has_word(all, trust[i]))
			return AA_PROMPT_TRUST;
	for (i = 0; i < AA__ARRAY_SIZE(login); i++)
		if (has_word(all, login[i]))
			return AA_PROMPT_LOGIN;
	for (i = 0; i < AA__ARRAY_SIZE(permission); i++)
		if (has_word(p->question, permission[i]))
			return AA_PROMPT_PERMISSION;
	if (p->shape == AA_PROMPT_YESNO)
		return AA_PROMPT_CONFIRM;
	for (i = 0; i < p->nopts; i++)
		if (has_word(p->opts[i].label, "allow") ||
		    has_word(p->opts[i].label, "approve"))
			return AA_PROMPT_PERMISSION;
	return AA_PROMPT_CHOICE;
}

/* The list prompt ending within max_tail text lines of line `last`. */
static int
detect_list(const struct view *lines, size_t nl, size_t last,
    size_t max_tail, struct aa_prompt *out)
{
	struct view label;
	size_t i, tail = 0, end = 0, first, q;
	int num = 0, marked, any_marked = 0, expect, found = 0;
	struct view qv = { NULL, 0 };

	/* The last option: the lowest option line within the tail. */
	for (i = last + 1; i-- > 0 && tail <= max_tail;) {
		if (!is_text(lines[i]))
			continue;
		if (parse_option(lines[i], &num, &marked, &label)) {
			end = i;
			found = 1;
			break;
		}
		tail++;
	}
	if (!found || num < 2 || num > AA_PROMPT_MAX_OPTIONS)
		return 0;
	/* Walk up through options num..1; other text lines in between
	 * continue the label below them... which, read upwards, means they
	 * belong to the option above: collect first, assemble after. */
	expect = num;
	first = end;
	for (i = end + 1; i-- > 0 && end - i < PROMPT_WINDOW;) {
		if (!is_text(lines[i]))
			continue;
		if (!parse_option(lines[i], &num, &marked, &label))
			continue;
		if (num != expect)
			return 0;
		any_marked |= marked;
		first = i;
		if (--expect == 0)
			break;
	}
	if (expect != 0 || !any_marked)
		return 0;
	memset(out, 0, sizeof(*out));
	out->shape = AA_PROMPT_LIST;
	out->selected = -1;
	for (i = first; i <= end; i++) {
		struct aa_prompt_option *o;

		if (!is_text(lines[i]))
			continue;
		if (parse_option(lines[i], &num, &marked, &label)) {
			o = &out->opts[out->nopts++];
			snprintf(o->key, sizeof(o->key), "%d", num);
			copy_bounded(o->label, sizeof(o->label), label.s,
			    label.n);
			if (marked)
				out->selected = (int)out->nopts - 1;
		} else if (out->nopts > 0) {
			o = &out->opts[out->nopts - 1];
			append_bounded(o->label, sizeof(o->label), " ", 1);
			append_bounded(o->label, sizeof(o->label), lines[i].s,
			    lines[i].n);
		}
	}
	/* The question: the nearest text line above ending in "?". */
	for (i = first, q = 0; i-- > 0 && q < PROMPT_QUESTION_LINES;) {
		if (!is_text(lines[i]))
			continue;
		if (qv.s == NULL)
			qv = lines[i];
		q++;
		if (lines[i].n > 0 && lines[i].s[lines[i].n - 1] == '?') {
			qv = lines[i];
			break;
		}
	}
	if (qv.s != NULL)
		copy_bounded(out->question, sizeof(out->question), qv.s, qv.n);
	(void)nl;
	return 1;
}

/* Non-zero when v starts with one of words (case ignored) at a word end. */
static int
starts_word(struct view v, const char *const *words, size_t nw)
{
	size_t i, wl;

	for (i = 0; i < nw; i++) {
		wl = strlen(words[i]);
		if (v.n >= wl && strncasecmp(v.s, words[i], wl) == 0 &&
		    (v.n == wl || !isalnum((unsigned char)v.s[wl])))
			return 1;
	}
	return 0;
}

static int
detect_row(const struct view *lines, size_t last, size_t max_tail,
    struct aa_prompt *out)
{
	static const char *const yes[] = { "allow", "yes", "approve" };
	static const char *const no[] = { "reject", "deny", "no" };
	struct view items[AA_PROMPT_MAX_OPTIONS], v;
	size_t i, k, n, seen = 0, start;
	int refused;

	for (i = last + 1; i-- > 0 && seen <= max_tail;) {
		if (!is_text(lines[i]))
			continue;
		seen++;
		v = lines[i];
		n = 0;
		refused = 0;
		k = 0;
		while (k < v.n && n < AA_PROMPT_MAX_OPTIONS && !refused) {
			while (k < v.n && v.s[k] == ' ')
				k++;
			if (k == v.n)
				break;
			start = k;
			while (k < v.n && !(v.s[k] == ' ' && k + 1 < v.n &&
			    v.s[k + 1] == ' '))
				k++;
			items[n].s = v.s + start;
			items[n].n = k - start;
			if (n > 0 && starts_word(items[n], no,
			    AA__ARRAY_SIZE(no)))
				refused = 1;
			n++;
		}
		if (!refused || n < 2 || !starts_word(items[0], yes,
		    AA__ARRAY_SIZE(yes)))
			continue;
		memset(out, 0, sizeof(*out));
		out->shape = AA_PROMPT_ROW;
		out->selected = 0;
		for (k = 0; k < n; k++) {
			/* At most AA_PROMPT_MAX_OPTIONS (two digits). */
			char *key = out->opts[k].key;

			if (k + 1 >= 10)
				*key++ = (char)('0' + (k + 1) / 10 % 10);
			key[0] = (char)('0' + (k + 1) % 10);
			key[1] = '\0';
			copy_bounded(out->opts[k].label,
			    sizeof(out->opts[k].label), items[k].s, items[k].n);
		}
		out->nopts = n;
		row_question(lines, i, NULL, out);
		return 1;
	}
	return 0;
}

/* The question of a row at line i: the nearest line above ending in "?"
 * or naming a permission (or also, if not NULL), else the nearest text
 * line. */
static void
row_question(const struct view *lines, size_t i, const char *also,
    struct aa_prompt *out)
{
	struct view qv = { NULL, 0 };
	size_t k, q;

	for (k = i, q = 0; k-- > 0 && q < PROMPT_QUESTION_LINES;) {
		if (!is_text(lines[k]))
			continue;
		if (qv.s == NULL)
			qv = lines[k];
		q++;
		if (lines[k].s[lines[k].n - 1] == '?' ||
		    memmem(lines[k].s, lines[k].n, "ermission", 9) ||
		    (also != NULL && memmem(lines[k].s, lines[k].n, also,
		    strlen(also)))) {
			qv = lines[k];
			break;
		}
	}
	if (qv.s != NULL)
		copy_bounded(out->question, sizeof(out->question), qv.s, qv.n);
}

/* "[X]label" (X a letter or digit, the label at least one letter): the
 * key is X in lower case, the label X and the rest ("[A]llow": "Allow"). */
static int
parse_key(struct view v, struct aa_prompt_option *o)
{
	if (v.n < 4 || v.s[0] != '[' || v.s[2] != ']' ||
	    !isalnum((unsigned char)v.s[1]) ||
	    !isalpha((unsigned char)v.s[3]))
		return 0;
	o->key[0] = (char)tolower((unsigned char)v.s[1]);
	o->key[1] = '\0';
	o->label[0] = v.s[1];
	copy_bounded(o->label + 1, sizeof(o->label) - 1, v.s + 3, v.n - 3);
	return 1;
}

/* Non-zero when the option's label starts with one of words. */
static int
label_starts(const struct aa_prompt_option *o, const char *const *words,
    size_t nw)
{
	return starts_word((struct view){ o->label, strlen(o->label) }, words,
	    nw);
}

static int
detect_keys(const struct view *lines, size_t last, size_t max_tail,
    struct aa_prompt *out)
{
	static const char *const yes[] = { "allow", "yes", "approve" };
	static const char *const no[] = { "reject", "deny", "no" };
	struct view v;
	size_t i, j, k, n, start, seen = 0;
	int refused, ok;

	for (i = last + 1; i-- > 0 && seen <= max_tail;) {
		if (!is_text(lines[i]))
			continue;
		seen++;
		v = lines[i];
		memset(out, 0, sizeof(*out));
		n = 0;
		refused = 0;
		ok = 1;
		for (k = 0; k < v.n && ok;) {
			while (k < v.n && v.s[k] == ' ')
				k++;
			if (k == v.n)
				break;
			start = k;
			while (k < v.n && v.s[k] != ' ')
				k++;
			ok = n < AA_PROMPT_MAX_OPTIONS && parse_key((struct view){
			    v.s + start, k - start }, &out->opts[n]);
			/* Each letter names one button. */
			for (j = 0; ok && j < n; j++)
				ok = strcmp(out->opts[j].key,
				    out->opts[n].key) != 0;
			if (ok && n > 0 && label_starts(&out->opts[n], no,
			    AA__ARRAY_SIZE(no)))
				refused = 1;
			n += ok;
		}
		if (!ok || !refused || n < 2 ||
		    !label_starts(&out->opts[0], yes, AA__ARRAY_SIZE(yes)))
			continue;
		out->shape = AA_PROMPT_KEYS;
		out->selected = -1;
		out->nopts = n;
		row_question(lines, i, "pproval", out);
		return 1;
	}
	return 0;
}

/* The length of a "(y/n)"-like ending of v, 0 when there is none. */
static size_t
yesno_suffix(struct view v)
{
	static const char *const forms[] = { "(y/n)", "[y/n]", "(yes/no)",
		"[yes/no]" };
	size_t i, m, n = v.n;

	while (n > 0 && (v.s[n - 1] == ':' || v.s[n - 1] == '?' ||
	    v.s[n - 1] == ' '))
		n--;
	for (i = 0; i < AA__ARRAY_SIZE(forms); i++) {
		m = strlen(forms[i]);
		if (n >= m && strncasecmp(v.s + n - m, forms[i], m) == 0)
			return v.n - (n - m);
	}
	return 0;
}

static int
detect_yesno(const struct view *lines, size_t nl, size_t last,
    struct aa_prompt *out)
{
	size_t i, seen = 0, suf;
	struct view q;

	(void)nl;
	for (i = last + 1; i-- > 0 && seen < 3;) {
		if (!is_text(lines[i]))
			continue;
		seen++;
		if ((suf = yesno_suffix(lines[i])) == 0)
			continue;
		memset(out, 0, sizeof(*out));
		out->shape = AA_PROMPT_YESNO;
		out->selected = -1;
		q = lines[i];
		q.n -= suf;
		while (q.n > 0 && q.s[q.n - 1] == ' ')
			q.n--;
		copy_bounded(out->question, sizeof(out->question), q.s, q.n);
		strcpy(out->opts[0].key, "y");
		strcpy(out->opts[0].label, "Yes");
		strcpy(out->opts[1].key, "n");
		strcpy(out->opts[1].label, "No");
		out->nopts = 2;
		return 1;
	}
	return 0;
}

int
aa_prompt_detect(const char *screen, size_t len,
    const struct aa_prompt_rules *rules, struct aa_prompt *out)
{
	struct view lines[PROMPT_WINDOW];
	size_t nl = 0, e = len, b, last, max_tail;
	int found;

	memset(out, 0, sizeof(*out));
	out->selected = -1;
	max_tail = rules != NULL && rules->max_tail > 0 ? rules->max_tail :
	    AA_PROMPT_TAIL_DEFAULT;
	/* The bottom PROMPT_WINDOW lines with text, cleaned, top first. */
	while (e > 0 && nl < PROMPT_WINDOW) {
		b = e;
		while (b > 0 && screen[b - 1] != '\n')
			b--;
		lines[nl] = clean(screen + b, e - b);
		if (nl > 0 || is_text(lines[nl]))
			nl++;
		e = b > 0 ? b - 1 : 0;
		if (b == 0)
			break;
	}
	if (nl == 0)
		return 0;
	for (b = 0; b < nl / 2; b++) {
		struct view t = lines[b];

		lines[b] = lines[nl - 1 - b];
		lines[nl - 1 - b] = t;
	}
	last = nl - 1;
	found = detect_list(lines, nl, last, max_tail, out) ||
	    detect_yesno(lines, nl, last, out) ||
	    detect_row(lines, last, max_tail, out) ||
	    detect_keys(lines, last, max_tail, out);
	if (!found) {
		memset(out, 0, sizeof(*out));
		out->selected = -1;
		return 0;
	}
	out->kind = classify(out);
	return 1;
}

int
aa_prompt_same(const struct aa_prompt *a, const struct aa_prompt *b)
{
	size_t i;

	if (a->kind != b->kind || a->shape != b->shape ||
	    a->nopts != b->nopts || strcmp(a->question, b->question) != 0)
		return 0;
	for (i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].key, b->opts[i].key) != 0 ||
		    strcmp(a->opts[i].label, b->opts[i].label) != 0)
			return 0;
	return 1;
}

int
aa_prompt_find(const struct aa_prompt *p, const char *choice)
{
	size_t i, cl = strlen(choice);
	int hit = -1;

	if (cl == 0)
		return -1;
	for (i = 0; i < p->nopts; i++)
		if (strcasecmp(p->opts[i].key, choice) == 0)
			return (int)i;
	for (i = 0; i < p->nopts; i++)
		if (strcasecmp(p->opts[i].label, choice) == 0)
			return (int)i;
	for (i = 0; i < p->nopts; i++) {
		if (strncasecmp(p->opts[i].label, choice, cl) != 0)
			continue;
		if (hit >= 0)
			return -1;	/* ambiguous */
		hit = (int)i;
	}
	return hit;
}

/* Non-zero when a label ends in an "(esc)" or "(Esc to ...)" hint. */
static int
esc_option(const char *label)
{
	const char *open = strrchr(label, '(');
	size_t n;

	if (open == NULL || strncasecmp(open, "(esc", 4) != 0)
		return 0;
	n = strlen(open);
	return open[n - 1] == ')' && (open[4] == ')' || open[4] == ' ');
}

int
aa_prompt_answer(const struct aa_prompt *p, size_t idx,
    const struct aa_prompt_rules *rules, struct aa_buf *out)
{
	enum aa_prompt_answer how = rules != NULL ? rules->answer :
	    AA_ANSWER_ARROWS;
	int from, rc = 0;

	if (idx >= p->nopts)
		return AA_EINVAL;
	/* A lettered button is its letter, with no Enter. */
	if (p->shape == AA_PROMPT_KEYS)
		return aa_buf_puts(out, p->opts[idx].key);
	if (p->shape == AA_PROMPT_YESNO) {
		rc = aa_buf_puts(out, p->opts[idx].key);
		if (rc == 0 && (rules == NULL || !rules->yesno_no_enter))
			rc = aa_buf_putc(out, '\r');
		return rc;
	}
	/* An option that says it is chosen by Esc ("No, suggest changes
	 * (esc)", Copilot's "No, and tell Copilot what to do differently
	 * (Esc to stop)") gets Esc: Copilot's is a text field that takes no
	 * empty Enter, and Esc is what every such dialog documents. */
	if (esc_option(p->opts[idx].label))
		return aa_buf_putc(out, '\x1b');
	if (how == AA_ANSWER_DIGIT || how == AA_ANSWER_DIGIT_ENTER) {
		rc = aa_buf_puts(out, p->opts[idx].key);
		if (rc == 0 && how == AA_ANSWER_DIGIT_ENTER)
			rc = aa_buf_putc(out, '\r');
		return rc;
	}
	from = p->selected >= 0 ? p->selected : 0;
	if (p->shape == AA_PROMPT_ROW) {
		for (; rc == 0 && from < (int)idx; from++)
			rc = aa_buf_puts(out, "\x1b[C");
		for (; rc == 0 && from > (int)idx; from--)
			rc = aa_buf_puts(out, "\x1b[D");
		return rc != 0 ? rc : aa_buf_putc(out, '\r');
	}
	for (; rc == 0 && from < (int)idx; from++)
		rc = aa_buf_puts(out, "\x1b[B");
	for (; rc == 0 && from > (int)idx; from--)
		rc = aa_buf_puts(out, "\x1b[A");
	return rc != 0 ? rc : aa_buf_putc(out, '\r');
}

const char *
aa_prompt_kind_name(enum aa_prompt_kind k)
{
	switch (k) {
	case AA_PROMPT_PERMISSION: return "permission";
	case AA_PROMPT_CHOICE: return "choice";
	case AA_PROMPT_CONFIRM: return "confirm";
	case AA_PROMPT_TRUST: return "trust";
	case AA_PROMPT_LOGIN: return "login";
	case AA_PROMPT_TEXT: return "text";
	case AA_PROMPT_NONE: break;
	}
	return NULL;
}
