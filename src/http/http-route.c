/*
 * http-route.c - a request's way from its head to its handler.
 *
 * http.c reads and parses; what the parser reports lands here.  A head
 * goes through the access checks (Host allow-list, CORS and preflight,
 * Origin for state-changing requests, the bearer token unless the peer is
 * a trusted unix one), the route table, and for a mounted prefix the
 * mount's own table (the path cut, the data and flags the mount's); then
 * the body limit and 100-continue.  The end of the message runs the
 * handler (or a streaming handler's done callback).  Parser errors and
 * read timeouts are answered here too, in the same words as Go's server
 * (text/plain for the router's and the protocol's own errors, the
 * server's send_error for the rest).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "http/access.h"
#include "http/http.h"
#include "http/http-private.h"
#include "http/httpparse.h"

int
aa_http_route_find(const struct aa_http_route *routes, size_t n,
    const char *method, const char *path, struct aa_buf *allow)
{
	size_t i, j;
	int path_seen = 0, dup;

	for (i = 0; i < n; i++) {
		const struct aa_http_route *r = &routes[i];

		if ((r->flags & AA_HTTP_PREFIX) != 0 ?
		    strncmp(path, r->path, strlen(r->path)) != 0 :
		    strcmp(path, r->path) != 0)
			continue;
		if (strcmp(r->method, "*") == 0 ||
		    strcmp(r->method, method) == 0)
			return (int)i;
		/* Each method once, in table order (chi lists them so). */
		for (j = 0, dup = 0; j < i; j++)
			if (strcmp(routes[j].method, r->method) == 0 &&
			    strcmp(routes[j].path, r->path) == 0)
				dup = 1;
		if (!dup && allow != NULL)
			aa_buf_printf(allow, "Allow: %s\r\n", r->method);
		path_seen = 1;
	}
	return path_seen ? -405 : -404;
}

/* Answers with a short text/plain body (router and protocol errors). */
static void
reply_text(struct aa_http_conn *c, int status, const char *body)
{
	aa_http_reply(&c->req, status, "text/plain; charset=utf-8", body,
	    strlen(body));
}

/* Starts a request after its head: clears the per-request state. */
static void
req_begin(struct aa_http_conn *c)
{
	struct aa_http_req *req = &c->req;

	aa_buf_reset(&req->hdrs);
	c->in_head_time = 0;
	c->body_t0 = uv_now(c->srv->loop);
	req->route = NULL;
	req->data = c->srv->o.data;
	req->strip = 0;
	req->flags = 0;
	req->active = 1;
	req->msg_done = req->started = req->answered = 0;
	req->streaming = req->chunked = req->close_after = 0;
	req->in_handler = 0;
	req->on_close = req->on_drain = NULL;
	req->sink = NULL;
	req->sink_done = NULL;
	req->close_arg = req->drain_arg = req->sink_arg = NULL;
}

/* Runs a handler with the in_handler mark set. */
static void
req_call(struct aa_http_conn *c, aa_http_handler_fn fn)
{
	c->req.in_handler = 1;
	fn(&c->req, c->req.data);
	c->req.in_handler = 0;
}

/* Returns non-zero when a request on route must pass the Origin check. */
static int
req_changes_state(unsigned flags, const char *method)
{
	if ((flags & AA_HTTP_ANY_ORIGIN) != 0)
		return 0;
	return (flags & AA_HTTP_CHANGES_STATE) != 0 ||
	    (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "OPTIONS") != 0);
}

/* Applies Host, CORS, Origin and token checks; returns 0 to go on. */
static int
req_access(struct aa_http_conn *c, const struct aa_http_route *route)
{
	const struct aa_access *a = c->srv->o.access;
	struct aa_httpparse *p = &c->p;
	char tok[512];
	const char *qt = NULL;
	int n;

	if (a == NULL)
		return 0;
	if (route == NULL) {
		if (!aa_access_host_ok(a, aa_httpparse_header(p, "Host"))) {
			aa_http_res_header(&c->req, "X-Content-Type-Options",
			    "nosniff");
			reply_text(c, 400, aa_access_host_error(a));
			return -1;
		}
		aa_access_cors(a, p->method, aa_httpparse_header(p, "Origin"),
		    aa_httpparse_header(p, "Access-Control-Request-Method"),
		    aa_httpparse_header(p, "Access-Control-Request-Headers"),
		    &c->req.hdrs);
		if (aa_access_is_preflight(p->method, aa_httpparse_header(p,
		    "Access-Control-Request-Method"))) {
			aa_http_reply(&c->req, 200, NULL, "", 0);
			return -1;
		}
		return 0;
	}
	if (req_changes_state(c->req.flags, p->method) &&
	    !aa_access_origin_ok(a, aa_httpparse_header(p, "Origin"),
	    aa_httpparse_header(p, "Host"),
	    aa_httpparse_header(p, "Sec-Fetch-Site"))) {
		c->srv->o.send_error(&c->req, 403,
		    "cross-origin request refused: the Origin is not allowed");
		return -1;
	}
	if ((c->req.flags & AA_HTTP_PUBLIC) != 0 || !aa_access_has_token(a) ||
	    c->trusted)
		return 0;
	/* ?token= only where a header cannot be set (EventSource); a %00
	 * would cut the decoded value short, so it is no token at all. */
	n = (c->req.flags & AA_HTTP_QUERY_TOKEN) != 0 ?
	    aa_httpparse_query_get(p->query, "token", tok, sizeof(tok)) : -1;
	if (n >= 0 && strlen(tok) == (size_t)n)
		qt = tok;
	if ((n < 0 || qt != NULL) && aa_access_token_ok(a,
	    aa_httpparse_header(p, "Authorization"), qt))
		return 0;
	/* The host's chat cookie, when the access config takes it. */
	if (aa_access_cookie_ok(a, aa_httpparse_header(p, "Cookie")))
		return 0;
	aa_http_res_header(&c->req, "WWW-Authenticate", "Bearer");
	c->srv->o.send_error(&c->req, 401,
	    "missing or invalid bearer token");
	return -1;
}

/* Routes a request under a mounted prefix into the mount's table;
 * returns the route, or NULL once answered (404, 405, the mount's
 * refusal). */
static const struct aa_http_route *
req_mount(struct aa_http_conn *c)
{
	struct aa_http_req *req = &c->req;
	struct aa_http_mount m;
	const struct aa_http_route *route;
	const char *path = c->p.path;
	int idx, st;

	memset(&m, 0, sizeof(m));
	st = c->srv->o.mount != NULL ? c->srv->o.mount(req, c->srv->o.data,
	    &m) : 404;
	if (st == 0 && m.strip > strlen(path))
		st = 404;
	/* Refusals come after the mount's own Origin and token checks: a
	 * client without the token cannot tell which names exist. */
	if (st != 0) {
		if (req_access(c, c->req.route) != 0)
			return NULL;
		if (st == 404)
			reply_text(c, 404, "404 page not found\n");
		else
			c->srv->o.send_error(req, st, aa_http_reason(st));
		return NULL;
	}
	req->strip = m.strip;
	aa_buf_reset(&c->out);
	idx = aa_http_route_find(m.routes, m.nroutes, c->p.method,
	    aa_http_req_path(req), &c->out);
	if (idx < 0 && req_access(c, c->req.route) != 0)
		return NULL;
	if (idx == -404) {
		reply_text(c, 404, "404 page not found\n");
		return NULL;
	}
	if (idx == -405) {
		aa_buf_append(&req->hdrs, c->out.data, c->out.len);
		aa_http_reply(req, 405, NULL, "", 0);
		return NULL;
	}
	route = req->route = &m.routes[idx];
	req->data = m.data;
	req->flags = route->flags & ~m.flags_off;
	return route;
}

/* The head is in: checks, routing, body policy, maybe the handler. */
void
aa__http_on_head(struct aa_http_conn *c)
{
	struct aa_http_server *s = c->srv;
	struct aa_httpparse *p = &c->p;
	const struct aa_http_route *route;
	const char *expect;
	char detail[96];
	int idx;

	req_begin(c);
	if (req_access(c, NULL) != 0)
		return;
	aa_buf_reset(&c->out);
	idx = aa_http_route_find(s->o.routes, s->o.nroutes, p->method,
	    p->path, &c->out);
	if (idx == -404) {
		reply_text(c, 404, "404 page not found\n");
		return;
	}
	if (idx == -405) {
		aa_buf_append(&c->req.hdrs, c->out.data, c->out.len);
		aa_http_reply(&c->req, 405, NULL, "", 0);
		return;
	}
	route = c->req.route = &s->o.routes[idx];
	c->req.flags = route->flags;
	if ((route->flags & AA_HTTP_MOUNT) != 0 && (route = req_mount(c)) ==
	    NULL)
		return;
	if (req_access(c, route) != 0)
		return;
	if (aa_httpparse_set_body(p, route->body_limit, NULL, NULL) != 0) {
		snprintf(detail, sizeof(detail),
		    "request body is too large limit=%zu bytes",
		    p->body_limit);
		c->srv->o.send_error(&c->req, 413, detail);
		return;
	}
	if ((c->req.flags & AA_HTTP_STREAM_BODY) != 0)
		req_call(c, route->handler);
	expect = aa_httpparse_header(p, "Expect");
	if (p->has_body && !c->req.started && !c->closing && expect != NULL &&
	    strcasecmp(expect, "100-continue") == 0) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		uv_buf_t b = uv_buf_init((char *)cont, sizeof(cont) - 1);

		aa__http_conn_write(c, &b, 1, 1, NULL, NULL);
	}
}

/* The whole message is in: run the handler unless already answered. */
void
aa__http_on_done(struct aa_http_conn *c)
{
	struct aa_http_req *req = &c->req;

	req->msg_done = 1;
	if (req->answered) {
		aa__http_req_complete(c);
		return;
	}
	if (req->route == NULL)
		return;
	if ((req->flags & AA_HTTP_STREAM_BODY) != 0) {
		if (req->sink_done != NULL) {
			req->in_handler = 1;
			req->sink_done(req, req->sink_arg);
			req->in_handler = 0;
		}
		return;
	}
	req_call(c, req->route->handler);
}

/* Tells a body-streaming handler that the server answered in its place. */
static void
req_abandon(struct aa_http_conn *c)
{
	aa_http_req_cb fn = c->req.on_close;

	if (fn != NULL) {
		c->req.on_close = NULL;
		fn(&c->req, c->req.close_arg);
	}
}

/* The parser failed: answer if nobody did, then close. */
void
aa__http_on_error(struct aa_http_conn *c)
{
	struct aa_httpparse *p = &c->p;
	struct aa_http_req *req = &c->req;
	char detail[96];

	c->want_close = 1;
	if (!req->active)
		req_begin(c);
	if (req->started) {
		if (c->queued == 0)
			aa__http_conn_linger(c);
		return;
	}
	req_abandon(c);
	if (p->status == 413) {
		snprintf(detail, sizeof(detail),
		    "request body is too large limit=%zu bytes",
		    p->body_limit);
		req->conn->srv->o.send_error(req, 413, detail);
	} else if (p->status == 431)
		reply_text(c, 431, "431 Request Header Fields Too Large");
	else if (p->status == 505)
		reply_text(c, 505, "505 HTTP Version Not Supported");
	else if (p->status == 400 || req->route == NULL)
		reply_text(c, 400, "400 Bad Request");
	else
		req->conn->srv->o.send_error(req, p->status, p->error);
}

/* The connection timer ran out on a request head or body: answer 408 and
 * close after it; with nothing coming in, just close. */
void
aa__http_on_timeout(struct aa_http_conn *c)
{
	struct aa_http_req *req = &c->req;

	c->want_close = 1;
	if (req->active && !req->started) {
		req->close_after = 1;
		req_abandon(c);
		req->conn->srv->o.send_error(req, 408,
		    "request body read timeout");
	} else if (c->p.in_head) {
		req_begin(c);
		req->close_after = 1;
		reply_text(c, 408, "408 Request Timeout");
	} else
		aa__http_conn_close(c);
}
