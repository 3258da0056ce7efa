/*
 * journal.c - the user-message journal's records (see journal.h).
 *
 * The parser trusts nothing: the header is matched field by field with
 * bounded digit runs, the text length is capped before anything is
 * allocated, the sum is checked before a record counts, and a text that
 * the state file could not hold back (a NUL, which the decoder refuses,
 * or a time outside 1900..2199) makes the record invalid, so replaying a
 * hostile journal can at worst add user messages, never make the state
 * file unloadable.  Merging looks each record up among the state's user
 * messages sorted by time, so a journal of r records over a state of n
 * messages costs O((n + r) log n).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "base/sha256.h"
#include "base/text.h"
#include "core/journal.h"

#define JOURNAL_MAGIC "aaj1 "
/* Longest header line: magic, three numbers, the flag, the sum. */
#define JOURNAL_HEADER_MAX 80
#define JOURNAL_SUM_HEX 16
/* 1900-01-01 and 2200-01-01 in ns: well inside what the file holds. */
#define JOURNAL_TIME_MIN INT64_C(-2208988800000000000)
#define JOURNAL_TIME_MAX INT64_C(7258118400000000000)

/* A user message of the state, for the lookup by time. */
struct journal_key {
	int64_t time_ns;
	size_t i;
};

static void record_sum(const char *head, size_t hlen, const char *text,
    size_t len, char out[JOURNAL_SUM_HEX + 1]);
static int read_num(const char **p, const char *end, int neg_ok,
    uint64_t max, int64_t *out);
static int key_cmp(const void *a, const void *b);
static int in_state(const struct aa_state *st, const struct journal_key *k,
    size_t nk, const struct aa_journal_rec *r);
static int append_rec(struct aa_state *st, size_t *cap,
    const struct aa_journal_rec *r);

/* The record's sum: SHA-256 of the header (up to <len>, "\n") and text. */
static void
record_sum(const char *head, size_t hlen, const char *text, size_t len,
    char out[JOURNAL_SUM_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct aa_sha256 c;
	unsigned char d[32];
	size_t i;

	aa_sha256_init(&c);
	aa_sha256_update(&c, head, hlen);
	aa_sha256_update(&c, "\n", 1);
	aa_sha256_update(&c, text, len);
	aa_sha256_final(&c, d);
	for (i = 0; i < JOURNAL_SUM_HEX / 2; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[JOURNAL_SUM_HEX] = '\0';
}

int
aa_journal_encode(struct aa_buf *out, int64_t time_ns, int prompt,
    const char *text, size_t len)
{
	char head[JOURNAL_HEADER_MAX], sum[JOURNAL_SUM_HEX + 1];
	int n, rc;

	if (text == NULL && len > 0)
		return AA_EINVAL;
	if (len > AA_JOURNAL_TEXT_MAX)
		return AA_E2BIG;
	if (time_ns < JOURNAL_TIME_MIN || time_ns >= JOURNAL_TIME_MAX ||
	    (len > 0 && memchr(text, '\0', len) != NULL))
		return AA_EINVAL;
	n = snprintf(head, sizeof(head), JOURNAL_MAGIC "%lld %d %zu",
	    (long long)time_ns, prompt ? 1 : 0, len);
	if (n < 0 || (size_t)n >= sizeof(head))
		return AA_EINVAL;
	record_sum(head, (size_t)n, text != NULL ? text : "", len, sum);
	rc = aa_buf_printf(out, "%s %s\n", head, sum);
	if (rc == 0 && len > 0)
		rc = aa_buf_append(out, text, len);
	return rc == 0 ? aa_buf_putc(out, '\n') : rc;
}

/* Reads a decimal number ending at a space (not consumed) into *out;
 * at most max in magnitude, a leading '-' only if neg_ok.  0 or -1. */
static int
read_num(const char **p, const char *end, int neg_ok, uint64_t max,
    int64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int neg = 0, nd = 0;

	if (s < end && *s == '-' && neg_ok) {
		neg = 1;
		s++;
	}
	for (; s < end && *s >= '0' && *s <= '9'; s++, nd++) {
		if (nd >= 19 || v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (nd == 0 || s == end || *s != ' ')
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	*p = s;
	return 0;
}

ssize_t
aa_journal_next(const char *data, size_t n, struct aa_journal_rec *r)
{
	const char *nl, *p, *end, *text;
	char sum[JOURNAL_SUM_HEX + 1];
	int64_t t, flags, len;
	size_t hlen;

	if (n == 0)
		return 0;
	nl = memchr(data, '\n', AA__MIN(n, (size_t)JOURNAL_HEADER_MAX));
	if (nl == NULL || n < sizeof(JOURNAL_MAGIC) - 1 ||
	    memcmp(data, JOURNAL_MAGIC, sizeof(JOURNAL_MAGIC) - 1) != 0)
		return -1;
	end = nl;
	p = data + sizeof(JOURNAL_MAGIC) - 1;
	if (read_num(&p, end, 1, (uint64_t)INT64_MAX, &t) != 0)
		return -1;
	p++;
	if (read_num(&p, end, 0, 1, &flags) != 0)
		return -1;
	p++;
	if (read_num(&p, end, 0, AA_JOURNAL_TEXT_MAX, &len) != 0)
		return -1;
	hlen = (size_t)(p - data);
	p++;
	if (end - p != JOURNAL_SUM_HEX)
		return -1;
	/* Header, text and the closing "\n" must all be there. */
	text = nl + 1;
	if ((size_t)(text - data) + (size_t)len + 1 > n ||
	    text[len] != '\n')
		return -1;
	record_sum(data, hlen, text, (size_t)len, sum);
	if (memcmp(sum, p, JOURNAL_SUM_HEX) != 0)
		return -1;
	if (t < JOURNAL_TIME_MIN || t >= JOURNAL_TIME_MAX ||
	    memchr(text, '\0', (size_t)len) != NULL)
		return -1;
	r->time_ns = t;
	r->prompt = flags == 1;
	r->text = text;
	r->len = (size_t)len;
	return (ssize_t)(text - data) + (ssize_t)len + 1;
}

/* Orders keys by time, then index. */
static int
key_cmp(const void *a, const void *b)
{
	const struct journal_key *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Non-zero when st holds a user message with r's time and text. */
static int
in_state(const struct aa_state *st, const struct journal_key *k, size_t nk,
    const struct aa_journal_rec *r)
{
	size_t lo = 0, hi = nk, mid;
	const struct aa_message *m;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (k[mid].time_ns < r->time_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nk && k[lo].time_ns == r->time_ns; lo++) {
		m = &st->msgs[k[lo].i];
		if (m->len == r->len && memcmp(m->text, r->text, r->len) == 0)
			return 1;
	}
	return 0;
}

/* Appends r to st as a user message (and the prompt, if it is one). */
static int
append_rec(struct aa_state *st, size_t *cap, const struct aa_journal_rec *r)
{
	struct aa_message *m;
	char *text, *prompt = NULL;
	size_t ncap;

	if (st->n == *cap) {
		ncap = *cap < 8 ? 8 : *cap * 2;
		if ((m = realloc(st->msgs, ncap * sizeof(*m))) == NULL)
			return AA_ENOMEM;
		st->msgs = m;
		*cap = ncap;
	}
	if ((text = malloc(r->len + 1)) == NULL)
		return AA_ENOMEM;
	memcpy(text, r->text, r->len);
	text[r->len] = '\0';
	if (r->prompt && (prompt = strdup(text)) == NULL) {
		free(text);
		return AA_ENOMEM;
	}
	m = &st->msgs[st->n];
	memset(m, 0, sizeof(*m));
	m->id = (int64_t)st->n;
	m->role = AA_ROLE_USER;
	m->text = text;
	m->len = r->len;
	m->time_ns = r->time_ns;
	st->n++;
	if (prompt != NULL) {
		free((void *)(uintptr_t)st->prompt);
		st->prompt = prompt;
		st->prompt_len = r->len;
		st->prompt_sent = 1;
	}
	return 0;
}

int
aa_journal_merge(struct aa_state *st, const char *data, size_t n,
    size_t *valid)
{
	struct aa_journal_rec r;
	struct aa_buf text;
	struct journal_key *keys = NULL;
	size_t nk = 0, i, off = 0, cap = st->n, n0 = st->n, recs = 0;
	ssize_t k;
	int rc = 0;

	for (i = 0; i < st->n; i++)
		nk += st->msgs[i].role == AA_ROLE_USER;
	if (nk > 0 && (keys = malloc(nk * sizeof(*keys))) == NULL)
		return AA_ENOMEM;
	for (i = 0, nk = 0; i < st->n; i++) {
		if (st->msgs[i].role != AA_ROLE_USER)
			continue;
		keys[nk].time_ns = st->msgs[i].time_ns;
		keys[nk++].i = i;
	}
	if (nk > 1)
		qsort(keys, nk, sizeof(*keys), key_cmp);
	aa_buf_init(&text);
	while (rc == 0 && recs < AA_JOURNAL_RECORDS_MAX &&
	    (k = aa_journal_next(data + off, n - off, &r)) > 0) {
		off += (size_t)k;
		recs++;
		/* The state file holds texts as valid UTF-8 (the encoder
		 * writes U+FFFD for a bad byte): compare and add them so. */
		aa_buf_reset(&text);
		if ((rc = aa_utf8_sanitize(&text, r.text, r.len)) != 0)
			break;
		r.text = aa_buf_str(&text);
		r.len = text.len;
		/* Records appended here are not looked up: the journal
		 * never holds one message twice. */
		if (!in_state(st, keys, nk, &r))
			rc = append_rec(st, &cap, &r);
	}
	aa_buf_release(&text);
	free(keys);
	if (valid != NULL)
		*valid = off;
	if (rc != 0) {
		/* Undo: the caller's state stays as it was decoded. */
		for (i = n0; i < st->n; i++)
			free((void *)(uintptr_t)st->msgs[i].text);
		st->n = n0;
		return rc;
	}
	return (int)(st->n - n0);
}
