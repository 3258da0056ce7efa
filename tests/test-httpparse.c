/*
 * test-httpparse.c - the pure request parser: events, limits, strictness
 * (version, obs-fold, Host count), pipelining, bodies and query decoding.
 * No sockets: bytes in, events out, as http.c and the fuzzer drive it.
 */
#include "test.h"

#include "base/aa-internal.h"
#include "http/httpparse.h"

/* Feeds all of s (in pieces of step bytes, 0 = at once) until an event
 * other than MORE, resuming past HEAD; returns DONE or ERROR, or MORE
 * when the input ran out.  *used says how far it got. */
static enum aa_httpparse_event
feed(struct aa_httpparse *p, const char *s, size_t len, size_t step,
    size_t *usedp)
{
	enum aa_httpparse_event ev = AA_HTTPPARSE_MORE;
	size_t off = 0, used, n;

	while (off < len || ev == AA_HTTPPARSE_HEAD) {
		n = step == 0 || len - off < step ? len - off : step;
		ev = aa_httpparse_execute(p, s + off, n, &used);
		off += used;
		if (ev == AA_HTTPPARSE_DONE || ev == AA_HTTPPARSE_ERROR)
			break;
	}
	if (usedp != NULL)
		*usedp = off;
	return ev;
}

/* Parses one complete message from s; returns the final event. */
static enum aa_httpparse_event
parse1(struct aa_httpparse *p, const char *s)
{
	aa_httpparse_init(p);
	return feed(p, s, strlen(s), 0, NULL);
}

TEST(httpparse_simple_get)
{
	struct aa_httpparse p;
	char out[64];

	ASSERT_EQ(parse1(&p, "GET /status?a=1&token=x%41+y HTTP/1.1\r\n"
	    "Host: localhost\r\nX-A: b\r\n\r\n"), AA_HTTPPARSE_DONE);
	ASSERT_STR_EQ(p.method, "GET");
	ASSERT_STR_EQ(p.url, "/status?a=1&token=x%41+y");
	ASSERT_STR_EQ(p.path, "/status");
	ASSERT_STR_EQ(p.query, "a=1&token=x%41+y");
	ASSERT_STR_EQ(aa_httpparse_header(&p, "host"), "localhost");
	ASSERT_STR_EQ(aa_httpparse_header(&p, "X-A"), "b");
	ASSERT_NULL(aa_httpparse_header(&p, "X-B"));
	ASSERT_EQ(p.nhdr, 2);
	ASSERT(p.keep_alive);
	ASSERT(!p.has_body);
	ASSERT_EQ(aa_httpparse_query_get(p.query, "token", out, sizeof(out)),
	    4);
	ASSERT_STR_EQ(out, "xA y");
	aa_httpparse_release(&p);
}

TEST(httpparse_head_then_done_events)
{
	struct aa_httpparse p;
	const char *s = "POST /m HTTP/1.1\r\nHost: h\r\nContent-Length: 3"
	    "\r\n\r\nabc";
	size_t used;

	aa_httpparse_init(&p);
	ASSERT_EQ(aa_httpparse_execute(&p, s, strlen(s), &used),
	    AA_HTTPPARSE_HEAD);
	ASSERT_EQ(used, strlen(s) - 3);
	ASSERT(p.has_body);
	ASSERT_EQ(p.content_length, 3);
	ASSERT_EQ(aa_httpparse_set_body(&p, 0, NULL, NULL), 0);
	ASSERT_EQ(aa_httpparse_execute(&p, s + used, 3, &used),
	    AA_HTTPPARSE_DONE);
	ASSERT_EQ(used, 3);
	ASSERT_MEM_EQ(p.body.data, p.body.len, "abc", 3);
	aa_httpparse_release(&p);
}

TEST(httpparse_byte_at_a_time)
{
	struct aa_httpparse p;
	const char *s = "GET /x?q HTTP/1.1\r\nHost: a\r\nLong-Header: "
	    "0123456789\r\n\r\n";

	aa_httpparse_init(&p);
	ASSERT_EQ(feed(&p, s, strlen(s), 1, NULL), AA_HTTPPARSE_DONE);
	ASSERT_STR_EQ(p.path, "/x");
	ASSERT_STR_EQ(p.query, "q");
	ASSERT_STR_EQ(aa_httpparse_header(&p, "long-header"), "0123456789");
	aa_httpparse_release(&p);
}

TEST(httpparse_pipelined_requests_reuse_storage)
{
	struct aa_httpparse p;
	const char *s = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
	size_t used, off;

	aa_httpparse_init(&p);
	ASSERT_EQ(feed(&p, s, strlen(s), 0, &used), AA_HTTPPARSE_DONE);
	ASSERT_STR_EQ(p.path, "/a");
	ASSERT(p.keep_alive);
	off = used;
	aa_httpparse_next(&p);
	ASSERT_EQ(feed(&p, s + off, strlen(s) - off, 0, &used),
	    AA_HTTPPARSE_DONE);
	ASSERT_STR_EQ(p.path, "/b");
	ASSERT(!p.keep_alive);
	ASSERT_EQ(p.nhdr, 2);
	aa_httpparse_release(&p);
}

TEST(httpparse_absolute_form_target)
{
	struct aa_httpparse p;

	ASSERT_EQ(parse1(&p, "GET http://h:1/p/q?x=1 HTTP/1.1\r\nHost: h"
	    "\r\n\r\n"), AA_HTTPPARSE_DONE);
	ASSERT_STR_EQ(p.path, "/p/q");
	ASSERT_STR_EQ(p.query, "x=1");
	aa_httpparse_release(&p);
	ASSERT_EQ(parse1(&p, "GET http://h?y HTTP/1.1\r\nHost: h\r\n\r\n"),
	    AA_HTTPPARSE_DONE);
	ASSERT_STR_EQ(p.path, "/");
	ASSERT_STR_EQ(p.query, "y");
	aa_httpparse_release(&p);
}

/* Each case: request bytes -> status the parser must refuse them with. */
static const struct {
	const char *req;
	int status;
	size_t len; /* 0 = strlen(req) */
} bad[] = {
	/* Issue 17: HTTP/2.0 in a request line is not HTTP/1.1. */
	{ "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, 0 },
	{ "GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505, 0 },
	/* A version llhttp does not know at all is its own 400. */
	{ "GET / HTTP/3.1\r\nHost: h\r\n\r\n", 400, 0 },
	/* obs-fold (RFC 9112 §5.2), with a space and with a tab. */
	{ "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n", 400, 0 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n\tb\r\n\r\n", 400, 0 },
	{ "GET / HTTP/1.1\r\nX-A: a\r\n  \r\nHost: h\r\n\r\n", 400, 0 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, 0 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, 0 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
	  "Content-Length: 2\r\n\r\nab", 400, 0 },
	{ "GET / HTTP/1.1\r\nHo st: h\r\n\r\n", 400, 0 },
	{ "GET / HTTP/1.1\r\nHost: h\0x\r\n\r\n", 400, 29 },
	{ "GARBAGE\r\n\r\n", 400, 0 },
};

TEST(httpparse_refuses_bad_requests)
{
	struct aa_httpparse p;
	size_t i;

	for (i = 0; i < AA__ARRAY_SIZE(bad); i++) {
		enum aa_httpparse_event ev;

		aa_httpparse_init(&p);
		ev = feed(&p, bad[i].req, bad[i].len != 0 ? bad[i].len :
		    strlen(bad[i].req), 0, NULL);
		if (ev != AA_HTTPPARSE_ERROR || p.status != bad[i].status)
			test_fail(__FILE__, __LINE__, "case %zu (%s): event "
			    "%d status %d, want %d", i, bad[i].req, (int)ev,
			    p.status, bad[i].status);
		ASSERT_NOT_NULL(p.error);
		aa_httpparse_release(&p);
	}
}

TEST(httpparse_http10_is_fine)
{
	struct aa_httpparse p;

	ASSERT_EQ(parse1(&p, "GET / HTTP/1.0\r\n\r\n"), AA_HTTPPARSE_DONE);
	ASSERT(!p.keep_alive);
	ASSERT_EQ(p.ll.http_minor, 0);
	aa_httpparse_release(&p);
}

TEST(httpparse_head_limit_is_431)
{
	struct aa_httpparse p;
	struct aa_buf b;
	int i;

	aa_buf_init(&b);
	aa_buf_puts(&b, "GET / HTTP/1.1\r\n");
	for (i = 0; b.len < AA_HTTPPARSE_MAX_HEAD + 100; i++)
		aa_buf_printf(&b, "X-%d: %0100d\r\n", i, 0);
	aa_buf_puts(&b, "\r\n");
	aa_httpparse_init(&p);
	ASSERT_EQ(feed(&p, b.data, b.len, 700, NULL), AA_HTTPPARSE_ERROR);
	ASSERT_EQ(p.status, 431);
	aa_httpparse_release(&p);
	aa_buf_release(&b);
}

TEST(httpparse_header_count_limit_is_431)
{
	struct aa_httpparse p;
	struct aa_buf b;
	int i;

	aa_buf_init(&b);
	aa_buf_puts(&b, "GET / HTTP/1.1\r\n");
	for (i = 0; i <= AA_HTTPPARSE_MAX_HEADERS; i++)
		aa_buf_printf(&b, "X%d: v\r\n", i);
	aa_buf_puts(&b, "\r\n");
	aa_httpparse_init(&p);
	ASSERT_EQ(feed(&p, b.data, b.len, 0, NULL), AA_HTTPPARSE_ERROR);
	ASSERT_EQ(p.status, 431);
	aa_httpparse_release(&p);
	aa_buf_release(&b);
}

TEST(httpparse_body_limit_is_413)
{
	struct aa_httpparse p;
	const char *s = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10"
	    "\r\n\r\n";
	const char *c = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n";
	size_t used;

	/* Content-Length at the limit: refused before any body byte. */
	aa_httpparse_init(&p);
	ASSERT_EQ(aa_httpparse_execute(&p, s, strlen(s), &used),
	    AA_HTTPPARSE_HEAD);
	ASSERT_EQ(aa_httpparse_set_body(&p, 10, NULL, NULL), 413);
	ASSERT_EQ(p.status, 413);
	aa_httpparse_release(&p);
	/* Chunked: refused once the bytes reach it. */
	aa_httpparse_init(&p);
	ASSERT_EQ(aa_httpparse_execute(&p, c, strlen(c), &used),
	    AA_HTTPPARSE_HEAD);
	ASSERT_EQ(aa_httpparse_set_body(&p, 8, NULL, NULL), 0);
	ASSERT_EQ(feed(&p, c + used, strlen(c) - used, 0, NULL),
	    AA_HTTPPARSE_ERROR);
	ASSERT_EQ(p.status, 413);
	aa_httpparse_release(&p);
}

struct sink {
	char got[64];
	size_t n;
	int refuse;
};

static int
sink_fn(void *arg, const char *s, size_t n)
{
	struct sink *k = arg;

	if (k->refuse)
		return 415;
	ASSERT_LE(k->n + n, sizeof(k->got));
	memcpy(k->got + k->n, s, n);
	k->n += n;
	return 0;
}

TEST(httpparse_streamed_body_goes_to_sink)
{
	struct aa_httpparse p;
	struct sink k = { .n = 0 };
	const char *s = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
	size_t used;

	aa_httpparse_init(&p);
	ASSERT_EQ(aa_httpparse_execute(&p, s, strlen(s), &used),
	    AA_HTTPPARSE_HEAD);
	ASSERT_EQ(aa_httpparse_set_body(&p, 100, sink_fn, &k), 0);
	ASSERT_EQ(feed(&p, s + used, strlen(s) - used, 1, NULL),
	    AA_HTTPPARSE_DONE);
	ASSERT_MEM_EQ(k.got, k.n, "abcde", 5);
	ASSERT_EQ(p.body.len, 0);
	aa_httpparse_release(&p);
	/* A sink that refuses stops the parser with its status. */
	memset(&k, 0, sizeof(k));
	k.refuse = 1;
	aa_httpparse_init(&p);
	ASSERT_EQ(aa_httpparse_execute(&p, s, strlen(s), &used),
	    AA_HTTPPARSE_HEAD);
	ASSERT_EQ(aa_httpparse_set_body(&p, 100, sink_fn, &k), 0);
	ASSERT_EQ(feed(&p, s + used, strlen(s) - used, 0, NULL),
	    AA_HTTPPARSE_ERROR);
	ASSERT_EQ(p.status, 415);
	aa_httpparse_release(&p);
}

TEST(httpparse_upgrade_ends_the_message)
{
	struct aa_httpparse p;

	ASSERT_EQ(parse1(&p, "GET / HTTP/1.1\r\nHost: h\r\nConnection: "
	    "Upgrade\r\nUpgrade: websocket\r\n\r\nrest"), AA_HTTPPARSE_DONE);
	ASSERT(p.upgrade);
	ASSERT(!p.keep_alive);
	aa_httpparse_release(&p);
}

TEST(httpparse_query_get_decodes_and_bounds)
{
	char out[8];

	ASSERT_EQ(aa_httpparse_query_get("a=1&b=%7e&c", "b", out,
	    sizeof(out)), 1);
	ASSERT_STR_EQ(out, "~");
	ASSERT_EQ(aa_httpparse_query_get("a=1&b=%7e&c", "c", out,
	    sizeof(out)), 0);
	ASSERT_STR_EQ(out, "");
	ASSERT_EQ(aa_httpparse_query_get("a=1", "b", out, sizeof(out)), -1);
	ASSERT_EQ(aa_httpparse_query_get("aa=1", "a", out, sizeof(out)), -1);
	/* Too long for out: refused, not cut. */
	ASSERT_EQ(aa_httpparse_query_get("a=12345678", "a", out,
	    sizeof(out)), -1);
	/* A bad or cut escape stays as it is. */
	ASSERT_EQ(aa_httpparse_query_get("a=%zz%4", "a", out, sizeof(out)),
	    5);
	ASSERT_STR_EQ(out, "%zz%4");
	/* %00 decodes to a NUL: the length says so, strlen does not. */
	ASSERT_EQ(aa_httpparse_query_get("t=ab%00cd", "t", out, sizeof(out)),
	    5);
	ASSERT_EQ(strlen(out), 2);
}
