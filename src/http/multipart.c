/*
 * multipart.c - the multipart/form-data state machine (see multipart.h).
 *
 * The body is read as if preceded by CRLF, so the first delimiter and the
 * later ones ("\r\n--boundary") are found by the same matcher.  A boundary
 * cannot contain CR (RFC 2046 bchars), so when a partial match breaks the
 * only place a new match can start is the current byte: the held-back
 * bytes are exactly the matched prefix of the delimiter and are emitted
 * from the delimiter itself, with no extra buffer.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/aa-internal.h"
#include "http/multipart.h"

enum {
	MP_PREAMBLE,  /* before the first delimiter */
	MP_AFTER,     /* just after a delimiter: "--" or padding + CRLF */
	MP_AFTER_DASH, /* saw one '-' */
	MP_AFTER_CR,  /* saw CR, want LF */
	MP_HEAD,      /* part headers */
	MP_BODY,      /* part data */
	MP_END,       /* after the closing delimiter */
	MP_ERROR,
};

/* Returns non-zero for a character RFC 2046 allows in a boundary. */
static int
is_bchar(int c)
{
	return isalnum(c) || strchr("'()+_,-./:=? ", c) != NULL;
}

/*
 * Reads one parameter value (token or quoted-string) at *pp into out;
 * advances *pp.  Returns 0, or -1 when it does not fit.
 */
static int
param_value(const char **pp, char *out, size_t size)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (n + 1 >= size)
				return -1;
			out[n++] = *p;
		}
		if (*p == '"')
			p++;
	} else {
		for (; *p != '\0' && *p != ';' && *p != ' ' && *p != '\t';
		     p++) {
			if (n + 1 >= size)
				return -1;
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	*pp = p;
	return 0;
}

/*
 * Finds parameter name in a header value ("type; a=1; b=\"x\"") and copies
 * its value; returns 0 when found, -1 otherwise.
 */
static int
param_get(const char *v, const char *name, char *out, size_t size)
{
	const char *p = strchr(v, ';');
	size_t nlen = strlen(name);

	while (p != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, name, nlen) == 0) {
			const char *q = p + nlen;

			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == '=') {
				q++;
				while (*q == ' ' || *q == '\t')
					q++;
				return param_value(&q, out, size);
			}
		}
		/* Skip to the next ';' outside quotes. */
		while (*p != '\0' && *p != ';') {
			if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; p++)
					if (*p == '\\' && p[1] != '\0')
						p++;
				if (*p == '\0')
					break;
			}
			p++;
		}
		p = *p == ';' ? p : NULL;
	}
	return -1;
}

/* Decodes an RFC 5987 value (charset'lang'pct-encoded) in place. */
static int
ext_value(char *s)
{
	char *p = strchr(s, '\''), *q, *o;
	unsigned v;

	if (p == NULL || (q = strchr(p + 1, '\'')) == NULL)
		return -1;
	if ((size_t)(p - s) != 5 || strncasecmp(s, "utf-8", 5) != 0)
		return -1;
	for (o = s, q++; *q != '\0'; q++) {
		if (*q == '%' && isxdigit((unsigned char)q[1]) &&
		    isxdigit((unsigned char)q[2])) {
			sscanf(q + 1, "%2x", &v);
			*o++ = (char)v;
			q += 2;
		} else
			*o++ = *q;
	}
	*o = '\0';
	return 0;
}

int
aa_multipart_boundary(const char *ct, char *out, size_t size)
{
	size_t n, i;

	if (ct == NULL)
		return AA_EINVAL;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	if (n != 19 || strncasecmp(ct, "multipart/form-data", 19) != 0)
		return AA_EINVAL;
	if (param_get(ct, "boundary", out, size) != 0)
		return AA_EINVAL;
	n = strlen(out);
	if (n == 0 || n > AA_MULTIPART_MAX_BOUNDARY || out[n - 1] == ' ')
		return AA_EINVAL;
	for (i = 0; i < n; i++)
		if (!is_bchar((unsigned char)out[i]))
			return AA_EINVAL;
	return 0;
}

int
aa_multipart_init(struct aa_multipart *m, const char *content_type,
    const struct aa_multipart_cbs *cb, void *arg)
{
	char b[AA_MULTIPART_MAX_BOUNDARY + 1];

	memset(m, 0, sizeof(*m));
	m->cb = cb;
	m->arg = arg;
	if (aa_multipart_boundary(content_type, b, sizeof(b)) != 0) {
		m->state = MP_ERROR;
		m->error = "no multipart/form-data boundary";
		return AA_EINVAL;
	}
	m->dlen = (size_t)snprintf(m->delim, sizeof(m->delim), "\r\n--%s", b);
	m->match = 2; /* the body is read as if it started with CRLF */
	m->state = MP_PREAMBLE;
	return 0;
}

/* Fails the parse with a static reason. */
static int
mp_fail(struct aa_multipart *m, const char *why)
{
	m->state = MP_ERROR;
	m->error = why;
	return AA_EINVAL;
}

/* Parses the header block of a part and calls part_begin. */
static int
mp_begin_part(struct aa_multipart *m)
{
	char name[AA_MULTIPART_MAX_PARAM], file[AA_MULTIPART_MAX_PARAM];
	char ctype[256], *line, *next, *colon, *v;
	int have_disp = 0, have_file = 0, have_ct = 0;

	m->head[m->hlen] = '\0';
	name[0] = '\0';
	for (line = m->head; *line != '\0'; line = next) {
		next = strstr(line, "\r\n");
		if (next == NULL)
			return mp_fail(m, "malformed part header");
		*next = '\0';
		next += 2;
		if ((colon = strchr(line, ':')) == NULL)
			return mp_fail(m, "malformed part header");
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (strcasecmp(line, "Content-Disposition") == 0) {
			if (strncasecmp(v, "form-data", 9) != 0)
				return mp_fail(m, "part is not form-data");
			have_disp = 1;
			if (param_get(v, "name", name, sizeof(name)) != 0)
				name[0] = '\0';
			if (param_get(v, "filename*", file,
			    sizeof(file)) == 0 && ext_value(file) == 0)
				have_file = 1;
			else if (param_get(v, "filename", file,
			    sizeof(file)) == 0)
				have_file = 1;
		} else if (strcasecmp(line, "Content-Type") == 0) {
			snprintf(ctype, sizeof(ctype), "%s", v);
			have_ct = 1;
		}
	}
	if (!have_disp)
		return mp_fail(m, "part without Content-Disposition");
	if (m->cb->part_begin != NULL && m->cb->part_begin(m->arg, name,
	    have_file ? file : NULL, have_ct ? ctype : NULL) != 0) {
		m->stopped = 1;
		return AA_ECANCELED;
	}
	return 0;
}

/* Emits part data unless stopped. */
static int
mp_data(struct aa_multipart *m, const char *p, size_t n)
{
	if (n == 0 || m->state != MP_BODY || m->cb->part_data == NULL)
		return 0;
	if (m->cb->part_data(m->arg, p, n) != 0) {
		m->stopped = 1;
		return AA_ECANCELED;
	}
	return 0;
}

/* Scans body (or preamble) bytes for the delimiter; returns bytes used. */
static size_t
mp_scan(struct aa_multipart *m, const char *p, size_t n, int *rc)
{
	size_t i = 0, start = 0;
	const char *cr;

	*rc = 0;
	while (i < n) {
		if (m->match == 0) {
			cr = memchr(p + i, '\r', n - i);
			if (cr == NULL) {
				i = n;
				break;
			}
			i = (size_t)(cr - p);
		}
		if (p[i] == m->delim[m->match]) {
			if (m->match == 0 && (*rc = mp_data(m, p + start,
			    i - start)) != 0)
				return i;
			m->match++;
			i++;
			start = i;
			if (m->match == m->dlen) {
				m->match = 0;
				if (m->state == MP_BODY &&
				    m->cb->part_end != NULL &&
				    m->cb->part_end(m->arg) != 0) {
					m->stopped = 1;
					*rc = AA_ECANCELED;
					return i;
				}
				m->state = MP_AFTER;
				return i;
			}
			continue;
		}
		if (m->match > 0) {
			/* The held-back prefix was data after all. */
			if ((*rc = mp_data(m, m->delim, m->match)) != 0)
				return i;
			m->match = 0;
			start = i;
			continue; /* the current byte may start a match */
		}
		i++;
	}
	if (m->match == 0)
		*rc = mp_data(m, p + start, i - start);
	return i;
}

int
aa_multipart_feed(struct aa_multipart *m, const char *p, size_t n)
{
	size_t i = 0;
	int rc;

	if (m->state == MP_ERROR)
		return AA_EINVAL;
	if (m->stopped)
		return AA_ECANCELED;
	while (i < n) {
		char c = p[i];

		switch (m->state) {
		case MP_PREAMBLE:
		case MP_BODY:
			i += mp_scan(m, p + i, n - i, &rc);
			if (rc != 0)
				return rc;
			break;
		case MP_AFTER:
			i++;
			if (c == '-')
				m->state = MP_AFTER_DASH;
			else if (c == '\r')
				m->state = MP_AFTER_CR;
			else if (c != ' ' && c != '\t')
				return mp_fail(m, "malformed delimiter line");
			break;
		case MP_AFTER_DASH:
			i++;
			if (c != '-')
				return mp_fail(m, "malformed last delimiter");
			m->state = MP_END;
			break;
		case MP_AFTER_CR:
			i++;
			if (c != '\n')
				return mp_fail(m, "malformed delimiter line");
			m->state = MP_HEAD;
			m->hlen = 0;
			break;
		case MP_HEAD:
			i++;
			if (m->hlen + 1 >= sizeof(m->head))
				return mp_fail(m, "part header too large");
			m->head[m->hlen++] = c;
			if (m->hlen == 2 && memcmp(m->head, "\r\n", 2) == 0)
				m->hlen = 0; /* no headers at all */
			else if (m->hlen >= 4 && memcmp(m->head + m->hlen - 4,
			    "\r\n\r\n", 4) == 0)
				m->hlen -= 2; /* keep the last line's CRLF */
			else
				break;
			if ((rc = mp_begin_part(m)) != 0)
				return rc;
			m->state = MP_BODY;
			break;
		case MP_END:
			return 0; /* the epilogue is ignored */
		default:
			return AA_EINVAL;
		}
	}
	return 0;
}

int
aa_multipart_finish(struct aa_multipart *m)
{
	if (m->state == MP_END)
		return 0;
	if (m->state != MP_ERROR)
		mp_fail(m, "unexpected end of multipart body");
	return AA_EINVAL;
}

int
aa_multipart_filename(const char *in, char *out, size_t size)
{
	const char *e, *s;
	size_t n = 0;

	if (in == NULL)
		return AA_EINVAL;
	e = in + strlen(in);
	while (e > in && e[-1] == '/')
		e--; /* "a/b/" -> "b", as basename does */
	for (s = e; s > in && s[-1] != '/'; s--)
		;
	for (; s < e; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			continue;
		if (n + 1 >= size || n >= 255)
			return AA_EINVAL;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	if (n == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		return AA_EINVAL;
	return 0;
}
