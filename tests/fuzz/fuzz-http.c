/*
 * fuzz-http.c - request bytes -> parser -> routing -> access checks.
 *
 * The same pure path the server runs (httpparse.c, aa_http_route_find,
 * access.c), on a buffer with no socket, like h2o's loopback connection.
 * The first input byte picks how the rest is split into reads and whether
 * bodies are buffered or streamed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "http/access.h"
#include "http/http.h"
#include "http/httpparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
noop(struct aa_http_req *req, void *data)
{
	(void)req;
	(void)data;
}

static const struct aa_http_route routes[] = {
	{ "GET", "/status", noop, 0, 0 },
	{ "POST", "/message", noop, 64, 0 },
	{ "POST", "/upload", noop, 1024, AA_HTTP_STREAM_BODY },
	{ "GET", "/chat/", noop, 0, AA_HTTP_PREFIX | AA_HTTP_PUBLIC },
	{ "*", "/", noop, 0, 0 },
};

/* A body sink that sometimes refuses. */
static int
sink(void *arg, const char *p, size_t n)
{
	size_t *total = arg;

	*total += n;
	return n > 0 && p[0] == '!' ? 400 : 0;
}

/* Runs the checks the server runs on a parsed head. */
static void
on_head(struct aa_httpparse *p, struct aa_access *acc, size_t *total)
{
	struct aa_buf b;
	char tok[64];
	const char *qt = NULL;
	int idx;

	aa_buf_init(&b);
	(void)aa_access_host_ok(acc, aa_httpparse_header(p, "Host"));
	aa_access_cors(acc, p->method, aa_httpparse_header(p, "Origin"),
	    aa_httpparse_header(p, "Access-Control-Request-Method"),
	    aa_httpparse_header(p, "Access-Control-Request-Headers"), &b);
	if (aa_httpparse_query_get(p->query, "token", tok, sizeof(tok)) >= 0)
		qt = tok;
	(void)aa_access_token_ok(acc, aa_httpparse_header(p,
	    "Authorization"), qt);
	(void)aa_access_cookie_ok(acc, aa_httpparse_header(p, "Cookie"));
	(void)aa_access_origin_ok(acc, aa_httpparse_header(p, "Origin"),
	    aa_httpparse_header(p, "Host"),
	    aa_httpparse_header(p, "Sec-Fetch-Site"));
	idx = aa_http_route_find(routes, AA__ARRAY_SIZE(routes), p->method,
	    p->path, &b);
	if (idx >= 0)
		aa_httpparse_set_body(p, routes[idx].body_limit,
		    (routes[idx].flags & AA_HTTP_STREAM_BODY) ? sink : NULL,
		    total);
	aa_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hosts[] = { "localhost", "[::1]", "a.b." };
	struct aa_access_options ao = { .allowed_hosts = hosts,
	    .nallowed_hosts = 3, .token = "tok", .cookie = 1 };
	struct aa_access *acc;
	struct aa_httpparse p;
	size_t off = 1, step, used, total = 0;
	enum aa_httpparse_event ev;
	int n = 0;

	if (size < 1)
		return 0;
	step = (data[0] & 0x3f) + 1;
	if (aa_access_new(&acc, &ao, NULL) != 0)
		return 0;
	aa_httpparse_init(&p);
	while (off < size && n++ < 10000) {
		size_t len = AA__MIN(step, size - off);

		ev = aa_httpparse_execute(&p, (const char *)data + off, len,
		    &used);
		off += used;
		if (ev == AA_HTTPPARSE_HEAD) {
			on_head(&p, acc, &total);
			/* A head may end a body-less message with 0 bytes. */
			ev = aa_httpparse_execute(&p, "", 0, &used);
		}
		if (ev == AA_HTTPPARSE_DONE) {
			if (p.upgrade)
				break;
			aa_httpparse_next(&p);
		} else if (ev == AA_HTTPPARSE_ERROR)
			break;
		else if (ev == AA_HTTPPARSE_HEAD)
			on_head(&p, acc, &total);
	}
	aa_httpparse_release(&p);
	aa_access_free(acc);
	return 0;
}
