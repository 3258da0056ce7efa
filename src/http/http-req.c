/*
 * http-req.c - a request and its answer: getters, replies, streams.
 *
 * A handler sees only its struct aa_http_req: what the parser read (method,
 * path less a mount's prefix, headers, query, body or a body sink) and the
 * calls that answer it, once.  An answer's head is built here (status
 * line, the handler's and CORS headers, framing, a Date cached for the
 * second, Connection when it differs from the version's default); whether
 * the connection survives the answer is decided before the head goes out,
 * since the head must say so.  The bytes go out through http-out.c, and
 * completing the request hands the connection back to http.c.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "http/http.h"
#include "http/http-private.h"
#include "http/httpparse.h"

static const struct {
	int status;
	const char *reason;
} aa_http_reasons[] = {
	{ 100, "Continue" }, { 200, "OK" }, { 201, "Created" },
	{ 202, "Accepted" }, { 204, "No Content" },
	{ 301, "Moved Permanently" }, { 302, "Found" },
	{ 304, "Not Modified" }, { 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
	{ 409, "Conflict" }, { 410, "Gone" }, { 411, "Length Required" },
	{ 413, "Request Entity Too Large" }, { 414, "Request URI Too Long" },
	{ 415, "Unsupported Media Type" }, { 422, "Unprocessable Entity" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
};

const char *
aa_http_reason(int status)
{
	size_t i;

	for (i = 0; i < AA__ARRAY_SIZE(aa_http_reasons); i++)
		if (aa_http_reasons[i].status == status)
			return aa_http_reasons[i].reason;
	return "";
}

/* Returns the cached Date header value (refreshed once a second). */
static const char *
server_date(struct aa_http_server *s)
{
	time_t now = time(NULL);
	struct tm tm;

	if (now != s->date_t) {
		s->date_t = now;
		gmtime_r(&now, &tm);
		strftime(s->date, sizeof(s->date),
		    "%a, %d %b %Y %H:%M:%S GMT", &tm);
	}
	return s->date;
}

/* Formats the status line and headers of a response into c->out. */
static int
build_head(struct aa_http_conn *c, int status, const char *ctype,
    const char *framing)
{
	struct aa_http_req *req = &c->req;
	struct aa_buf *o = &c->out;
	int rc = 0;

	aa_buf_reset(o);
	AA__FIRST_ERROR(rc, aa_buf_printf(o, "HTTP/1.1 %d %s\r\n", status,
	    aa_http_reason(status)));
	AA__FIRST_ERROR(rc, aa_buf_append(o, req->hdrs.data, req->hdrs.len));
	if (ctype != NULL)
		AA__FIRST_ERROR(rc, aa_buf_printf(o, "Content-Type: %s\r\n",
		    ctype));
	AA__FIRST_ERROR(rc, aa_buf_puts(o, framing));
	AA__FIRST_ERROR(rc, aa_buf_printf(o, "Date: %s\r\n",
	    server_date(c->srv)));
	if (req->close_after)
		AA__FIRST_ERROR(rc, aa_buf_puts(o, "Connection: close\r\n"));
	else if (c->p.ll.http_major == 1 && c->p.ll.http_minor == 0)
		AA__FIRST_ERROR(rc, aa_buf_puts(o,
		    "Connection: keep-alive\r\n"));
	AA__FIRST_ERROR(rc, aa_buf_puts(o, "\r\n"));
	return rc != 0 ? AA_ENOMEM : 0;
}

/* Decides before answering whether the connection must close after it. */
static void
req_decide_close(struct aa_http_conn *c)
{
	struct aa_http_req *req = &c->req;

	if (!c->p.keep_alive || c->peer_eof || c->srv->closing ||
	    c->p.status != 0 || (!req->msg_done && c->p.has_body))
		req->close_after = 1;
}

int
aa_http_res_header(struct aa_http_req *req, const char *name,
    const char *value)
{
	if (!req->active || req->started || strpbrk(name, "\r\n:") != NULL ||
	    strpbrk(value, "\r\n") != NULL)
		return AA_EINVAL;
	if (aa_buf_printf(&req->hdrs, "%s: %s\r\n", name, value) != 0)
		return AA_ENOMEM;
	return 0;
}

int
aa_http_reply(struct aa_http_req *req, int status, const char *content_type,
    const void *body, size_t len)
{
	struct aa_http_conn *c = req->conn;
	char framing[64];
	uv_buf_t b[2];
	int rc;

	if (!req->active || req->started)
		return AA_EINVAL;
	req_decide_close(c);
	snprintf(framing, sizeof(framing), "Content-Length: %zu\r\n", len);
	if ((rc = build_head(c, status, content_type, framing)) != 0)
		return rc;
	req->started = 1;
	req->answered = 1;
	b[0] = uv_buf_init(c->out.data, (unsigned)c->out.len);
	b[1] = uv_buf_init((char *)(len > 0 ? body : ""), (unsigned)len);
	rc = aa__http_conn_write(c, b, len > 0 ? 2 : 1, 0, NULL, NULL);
	if (req->msg_done || req->close_after)
		aa__http_req_complete(c);
	return rc;
}

int
aa_http_stream_start(struct aa_http_req *req, int status,
    const char *content_type)
{
	struct aa_http_conn *c = req->conn;
	uv_buf_t b;
	int rc;

	if (!req->active || req->started)
		return AA_EINVAL;
	req_decide_close(c);
	req->chunked = c->p.ll.http_major == 1 && c->p.ll.http_minor >= 1;
	if (!req->chunked)
		req->close_after = 1; /* HTTP/1.0: the end is the close */
	if ((rc = build_head(c, status, content_type, req->chunked ?
	    "Transfer-Encoding: chunked\r\n" : "")) != 0)
		return rc;
	req->started = 1;
	req->streaming = 1;
	b = uv_buf_init(c->out.data, (unsigned)c->out.len);
	rc = aa__http_conn_write(c, &b, 1, 0, NULL, NULL);
	aa__http_conn_arm_timer(c);
	return rc;
}

int
aa_http_stream_send(struct aa_http_req *req, const void *p, size_t n,
    void (*release)(void *), void *arg)
{
	struct aa_http_conn *c = req->conn;
	char pre[24];
	uv_buf_t b[3];
	int k;

	if (!req->streaming || c->closing || c->lingering) {
		if (release != NULL)
			release(arg);
		return AA_ECANCELED;
	}
	if (n == 0) {
		if (release != NULL)
			release(arg);
		return 0;
	}
	if (!req->chunked) {
		b[0] = uv_buf_init((char *)p, (unsigned)n);
		return aa__http_conn_write(c, b, 1, release != NULL ? 1u : 0u,
		    release, arg);
	}
	k = snprintf(pre, sizeof(pre), "%zx\r\n", n);
	b[0] = uv_buf_init(pre, (unsigned)k);
	b[1] = uv_buf_init((char *)p, (unsigned)n);
	b[2] = uv_buf_init((char *)"\r\n", 2);
	return aa__http_conn_write(c, b, 3, (release != NULL ? 2u : 0u) | 4u,
	    release, arg);
}

int
aa_http_stream_end(struct aa_http_req *req)
{
	struct aa_http_conn *c = req->conn;
	uv_buf_t b;
	int rc = 0;

	if (!req->streaming)
		return AA_EINVAL;
	req->streaming = 0;
	req->answered = 1;
	if (req->chunked) {
		b = uv_buf_init((char *)"0\r\n\r\n", 5);
		rc = aa__http_conn_write(c, &b, 1, 1, NULL, NULL);
	}
	if (!c->closing)
		aa__http_req_complete(c);
	return rc;
}

size_t
aa_http_req_queued(const struct aa_http_req *req)
{
	return req->conn->queued;
}

void
aa_http_req_on_drain(struct aa_http_req *req, aa_http_req_cb fn, void *arg)
{
	req->on_drain = fn;
	req->drain_arg = arg;
}

void
aa_http_req_on_close(struct aa_http_req *req, aa_http_req_cb fn, void *arg)
{
	req->on_close = fn;
	req->close_arg = arg;
}

void
aa_http_req_close(struct aa_http_req *req)
{
	aa__http_conn_close(req->conn);
}

uv_loop_t *
aa_http_req_loop(const struct aa_http_req *req)
{
	return req->conn->srv->loop;
}

const char *
aa_http_req_method(const struct aa_http_req *req)
{
	return req->conn->p.method;
}

const char *
aa_http_req_path(const struct aa_http_req *req)
{
	const char *p = req->conn->p.path + req->strip;

	return *p == '\0' ? "/" : p;
}

const char *
aa_http_req_query(const struct aa_http_req *req)
{
	return req->conn->p.query;
}

const char *
aa_http_req_header(const struct aa_http_req *req, const char *name)
{
	return aa_httpparse_header(&req->conn->p, name);
}

int
aa_http_req_query_param(const struct aa_http_req *req, const char *name,
    char *out, size_t size)
{
	return aa_httpparse_query_get(req->conn->p.query, name, out, size);
}

const char *
aa_http_req_body(const struct aa_http_req *req, size_t *len)
{
	const struct aa_buf *b = &req->conn->p.body;

	if (len != NULL)
		*len = b->len;
	return aa_buf_str(b);
}

const struct aa_http_route *
aa_http_req_route(const struct aa_http_req *req)
{
	return req->route;
}

void
aa_http_req_set_body_sink(struct aa_http_req *req, aa_http_body_fn fn,
    aa_http_req_cb done, void *arg)
{
	struct aa_http_conn *c = req->conn;

	req->sink = fn;
	req->sink_done = done;
	req->sink_arg = arg;
	c->p.sink = fn;
	c->p.sink_arg = arg;
}

void
aa_http_send_error_text(struct aa_http_req *req, int status,
    const char *detail)
{
	char body[256];
	int n = snprintf(body, sizeof(body), "%s\n", detail);

	if (n < 0 || (size_t)n >= sizeof(body))
		n = (int)sizeof(body) - 1;
	aa_http_reply(req, status, "text/plain; charset=utf-8", body,
	    (size_t)n);
}
