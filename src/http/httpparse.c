/*
 * httpparse.c - the pure request parser: llhttp plus our limits.
 *
 * llhttp does the HTTP grammar (request line, headers, Content-Length vs
 * chunked, pipelining, the CVE-class smuggling checks); this file stores
 * what it reports into one reusable buffer per connection, enforces the
 * size limits and pauses llhttp at the two points the server acts on:
 * after the head and after the message.  Storage is reused across
 * requests, so a keep-alive connection parses without allocating once its
 * buffers have grown.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/aa-internal.h"
#include "http/httpparse.h"

#define AA_HTTPPARSE_DEFAULT_BODY (1024 * 1024)
/* A body buffer bigger than this is freed between requests. */
#define AA_HTTPPARSE_KEEP_BODY (64 * 1024)

static int on_message_begin(llhttp_t *);
static int on_url(llhttp_t *, const char *, size_t);
static int on_url_complete(llhttp_t *);
static int on_version_complete(llhttp_t *);
static int on_header_field(llhttp_t *, const char *, size_t);
static int on_header_field_complete(llhttp_t *);
static int on_header_value(llhttp_t *, const char *, size_t);
static int on_header_value_complete(llhttp_t *);
static int on_headers_complete(llhttp_t *);
static int on_body(llhttp_t *, const char *, size_t);
static int on_message_complete(llhttp_t *);

static const llhttp_settings_t aa_httpparse_settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_url,
	.on_url_complete = on_url_complete,
	.on_version_complete = on_version_complete,
	.on_header_field = on_header_field,
	.on_header_field_complete = on_header_field_complete,
	.on_header_value = on_header_value,
	.on_header_value_complete = on_header_value_complete,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

/* Records a failure with its status; llhttp stops with HPE_USER. */
static int
fail(struct aa_httpparse *p, int status, const char *why)
{
	if (p->status == 0) {
		p->status = status;
		p->error = why;
	}
	return HPE_USER;
}

/* Fails the request for obs-fold; returns AA_HTTPPARSE_ERROR. */
static int
fail_ev(struct aa_httpparse *p)
{
	fail(p, 400, "obsolete line folding in the request head");
	p->paused_for = 0;
	return AA_HTTPPARSE_ERROR;
}

/* Appends head bytes, enforcing the 16 KiB head limit. */
static int
head_append(struct aa_httpparse *p, const char *at, size_t n)
{
	p->head_bytes += n;
	if (p->head_bytes > AA_HTTPPARSE_MAX_HEAD)
		return fail(p, 431, "request header fields too large");
	if (aa_buf_append(&p->head, at, n) != 0)
		return fail(p, 503, "out of memory");
	return 0;
}

/* Starts a request: the head is being read. */
static int
on_message_begin(llhttp_t *ll)
{
	struct aa_httpparse *p = ll->data;

	p->in_head = 1;
	return 0;
}

/* Collects (a piece of) the request target. */
static int
on_url(llhttp_t *ll, const char *at, size_t n)
{
	return head_append(ll->data, at, n);
}

/* Terminates the request target. */
static int
on_url_complete(llhttp_t *ll)
{
	return head_append(ll->data, "", 1);
}

/* The request line's version is known: we speak HTTP/1.x only.  llhttp
 * takes "HTTP/2.0" (and 0.9) in a request line; Go answers those 505. */
static int
on_version_complete(llhttp_t *ll)
{
	if (ll->http_major != 1)
		return fail(ll->data, 505, "HTTP version not supported");
	return 0;
}

/* Collects (a piece of) a header name, opening a new header if needed. */
static int
on_header_field(llhttp_t *ll, const char *at, size_t n)
{
	struct aa_httpparse *p = ll->data;

	if (!p->in_value) {
		/* llhttp may split a name; only its first piece opens it. */
		if (p->head.len == 0 ||
		    p->head.data[p->head.len - 1] == '\0') {
			if (p->nhdr >= AA_HTTPPARSE_MAX_HEADERS)
				return fail(p, 431,
				    "too many request header fields");
			p->hdr[p->nhdr].name = (uint32_t)p->head.len;
			p->head_bytes += 4; /* ": " and CRLF */
		}
	}
	return head_append(p, at, n);
}

/* Returns non-zero when s is a non-empty RFC 9110 token. */
static int
is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) &&
		    strchr("!#$%&'*+-.^_`|~", *s) == NULL)
			return 0;
	return 1;
}

/* Terminates a header name; its value starts next. */
static int
on_header_field_complete(llhttp_t *ll)
{
	struct aa_httpparse *p = ll->data;
	int rc;

	if ((rc = head_append(p, "", 1)) != 0)
		return rc;
	/* llhttp 8 lets a space through inside a name ("Ho st"); RFC 9110
	 * §5.1 says token, and Go refuses the rest too. */
	if (!is_token(p->head.data + p->hdr[p->nhdr].name))
		return fail(p, 400, "invalid header field name");
	p->hdr[p->nhdr].value = (uint32_t)p->head.len;
	p->in_value = 1;
	return 0;
}

/* Collects (a piece of) a header value. */
static int
on_header_value(llhttp_t *ll, const char *at, size_t n)
{
	return head_append(ll->data, at, n);
}

/* Terminates a header value and counts the header. */
static int
on_header_value_complete(llhttp_t *ll)
{
	struct aa_httpparse *p = ll->data;
	int rc;

	if ((rc = head_append(p, "", 1)) != 0)
		return rc;
	/* RFC 9112 §3.2: more than one Host is a 400 (Go says the same);
	 * the Host check must not pick one of several. */
	if (strcasecmp(p->head.data + p->hdr[p->nhdr].name, "Host") == 0 &&
	    aa_httpparse_header(p, "Host") != NULL)
		return fail(p, 400, "too many Host headers");
	p->nhdr++;
	p->in_value = 0;
	return 0;
}

/* Splits the target into path and query (absolute-form is reduced). */
static int
split_target(struct aa_httpparse *p)
{
	const char *u = p->url, *q;
	size_t plen;

	if (strncasecmp(u, "http://", 7) == 0 ||
	    strncasecmp(u, "https://", 8) == 0) {
		u = strstr(u, "//") + 2;
		u += strcspn(u, "/?");
		if (*u != '/') {
			/* "http://host" or "http://host?x": path is "/". */
			aa_buf_reset(&p->pathq);
			if (aa_buf_putc(&p->pathq, '/') != 0 ||
			    aa_buf_putc(&p->pathq, '\0') != 0 ||
			    aa_buf_puts(&p->pathq, *u == '?' ? u + 1 : "") != 0)
				return -1;
			goto done;
		}
	}
	q = strchr(u, '?');
	plen = q != NULL ? (size_t)(q - u) : strlen(u);
	aa_buf_reset(&p->pathq);
	if (aa_buf_append(&p->pathq, u, plen) != 0 ||
	    aa_buf_putc(&p->pathq, '\0') != 0 ||
	    aa_buf_puts(&p->pathq, q != NULL ? q + 1 : "") != 0)
		return -1;
done:
	p->path = p->pathq.data;
	p->query = p->pathq.data + strlen(p->pathq.data) + 1;
	return 0;
}

/* The head is complete: fill in the results and pause for the caller. */
static int
on_headers_complete(llhttp_t *ll)
{
	struct aa_httpparse *p = ll->data;

	p->in_head = 0;
	p->method = llhttp_method_name((llhttp_method_t)ll->method);
	p->url = p->head.len > 0 ? p->head.data : "";
	if (p->url[0] == '\0')
		return fail(p, 400, "empty request target");
	if (split_target(p) != 0)
		return fail(p, 503, "out of memory");
	p->keep_alive = llhttp_should_keep_alive(ll);
	p->upgrade = ll->upgrade;
	if (p->upgrade)
		p->keep_alive = 0;
	p->has_body = (ll->flags & F_CHUNKED) != 0 ||
	    ((ll->flags & F_CONTENT_LENGTH) != 0 && ll->content_length > 0);
	p->content_length = (ll->flags & F_CONTENT_LENGTH) != 0 ?
	    ll->content_length : 0;
	p->paused_for = AA_HTTPPARSE_HEAD;
	return HPE_PAUSED;
}

/* Takes body bytes: streamed to the sink or buffered, both limited. */
static int
on_body(llhttp_t *ll, const char *at, size_t n)
{
	struct aa_httpparse *p = ll->data;
	int st;

	p->body_seen += n;
	if (p->body_seen >= p->body_limit)
		return fail(p, 413, "request body is too large");
	if (p->sink != NULL) {
		if ((st = p->sink(p->sink_arg, at, n)) != 0)
			return fail(p, st, "request body rejected");
		return 0;
	}
	if (aa_buf_append(&p->body, at, n) != 0)
		return fail(p, 503, "out of memory");
	return 0;
}

/* The message is complete: pause so the caller answers it first. */
static int
on_message_complete(llhttp_t *ll)
{
	struct aa_httpparse *p = ll->data;

	p->paused_for = AA_HTTPPARSE_DONE;
	return HPE_PAUSED;
}

int
aa_httpparse_init(struct aa_httpparse *p)
{
	memset(p, 0, sizeof(*p));
	llhttp_init(&p->ll, HTTP_REQUEST, &aa_httpparse_settings);
	p->ll.data = p;
	aa_buf_init(&p->head);
	aa_buf_init(&p->body);
	aa_buf_init(&p->pathq);
	p->body_limit = AA_HTTPPARSE_DEFAULT_BODY;
	return 0;
}

void
aa_httpparse_release(struct aa_httpparse *p)
{
	aa_buf_release(&p->head);
	aa_buf_release(&p->body);
	aa_buf_release(&p->pathq);
}

/*
 * Looks for obs-fold (RFC 9112 §5.2) in head bytes: a line that starts
 * with SP or HT.  llhttp 8 folds such a line into the value silently (its
 * callbacks cannot tell), and a proxy that unfolds differently is a
 * smuggling path, so it is a 400 here.  p->lf carries "the last head byte
 * was LF" across calls.
 */
static int
head_folded(struct aa_httpparse *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p->lf && (s[i] == ' ' || s[i] == '\t'))
			return 1;
		p->lf = s[i] == '\n';
	}
	return 0;
}

enum aa_httpparse_event
aa_httpparse_execute(struct aa_httpparse *p, const char *data, size_t len,
    size_t *used)
{
	llhttp_errno_t err;
	int ev, head = 0;

	*used = 0;
	if (p->status != 0)
		return AA_HTTPPARSE_ERROR;
	if (p->paused_for != 0) {
		llhttp_resume(&p->ll);
		p->paused_for = 0;
	}
	head = p->method == NULL; /* these bytes start in the head */
	err = llhttp_execute(&p->ll, data, len);
	if (err == HPE_OK) {
		*used = len;
		if (head && head_folded(p, data, len))
			return (enum aa_httpparse_event)fail_ev(p);
		return AA_HTTPPARSE_MORE;
	}
	if (err == HPE_PAUSED && p->paused_for != 0) {
		*used = (size_t)(llhttp_get_error_pos(&p->ll) - data);
		if (head && p->paused_for == AA_HTTPPARSE_HEAD &&
		    head_folded(p, data, *used))
			return (enum aa_httpparse_event)fail_ev(p);
		ev = p->paused_for;
		return (enum aa_httpparse_event)ev;
	}
	if (err == HPE_PAUSED_UPGRADE) {
		/* We speak no upgraded protocol: the message ends here. */
		*used = len;
		p->paused_for = 0;
		return AA_HTTPPARSE_DONE;
	}
	if (p->status == 0) {
		p->status = 400;
		p->error = llhttp_errno_name(err);
	}
	return AA_HTTPPARSE_ERROR;
}

int
aa_httpparse_set_body(struct aa_httpparse *p, size_t limit,
    aa_httpparse_body_fn sink, void *arg)
{
	p->body_limit = limit != 0 ? limit : AA_HTTPPARSE_DEFAULT_BODY;
	p->sink = sink;
	p->sink_arg = arg;
	if (p->content_length >= p->body_limit) {
		fail(p, 413, "request body is too large");
		return 413;
	}
	return 0;
}

void
aa_httpparse_next(struct aa_httpparse *p)
{
	aa_buf_reset(&p->head);
	if (p->body.cap > AA_HTTPPARSE_KEEP_BODY)
		aa_buf_release(&p->body);
	aa_buf_reset(&p->body);
	p->nhdr = 0;
	p->head_bytes = 0;
	p->in_value = 0;
	p->in_head = 0;
	p->lf = 0;
	p->body_limit = AA_HTTPPARSE_DEFAULT_BODY;
	p->body_seen = 0;
	p->sink = NULL;
	p->sink_arg = NULL;
	p->method = NULL;
	p->url = NULL;
	p->path = NULL;
	p->query = NULL;
	p->has_body = 0;
	p->content_length = 0;
}

const char *
aa_httpparse_header(const struct aa_httpparse *p, const char *name)
{
	unsigned i;

	for (i = 0; i < p->nhdr; i++)
		if (strcasecmp(p->head.data + p->hdr[i].name, name) == 0)
			return p->head.data + p->hdr[i].value;
	return NULL;
}

void
aa_httpparse_header_at(const struct aa_httpparse *p, unsigned i,
    const char **name, const char **value)
{
	*name = p->head.data + p->hdr[i].name;
	*value = p->head.data + p->hdr[i].value;
}

/* Returns the value of one hex digit, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decodes s[0..n) (and '+' as space) into out; -1 if too long. */
static int
query_decode(const char *s, size_t n, char *out, size_t size)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < n &&
		    (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return (int)o;
}

int
aa_httpparse_query_get(const char *query, const char *name, char *out,
    size_t size)
{
	size_t nlen = strlen(name), klen, vlen;
	const char *s = query, *amp, *eq;

	if (size == 0)
		return -1;
	while (*s != '\0') {
		amp = strchr(s, '&');
		vlen = amp != NULL ? (size_t)(amp - s) : strlen(s);
		eq = memchr(s, '=', vlen);
		klen = eq != NULL ? (size_t)(eq - s) : vlen;
		if (klen == nlen && memcmp(s, name, nlen) == 0) {
			if (eq == NULL) {
				out[0] = '\0';
				return 0;
			}
			return query_decode(eq + 1, vlen - klen - 1, out,
			    size);
		}
		if (amp == NULL)
			break;
		s = amp + 1;
	}
	return -1;
}
