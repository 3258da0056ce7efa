/*
 * test-access.c - Host allow-list, CORS and bearer token (spec http.md
 * §7 and the upstream cases listed in §12), without sockets.
 */
#include <stdlib.h>

#include "test.h"

#include "base/aa-internal.h"
#include "http/access.h"
#include "base/buf.h"

/* Builds a config from host and origin lists (NULL = defaults). */
static struct aa_access *
mk(const char *const *hosts, size_t nh, const char *const *origins,
    size_t no, const char *token)
{
	struct aa_access_options o = { 0 };
	struct aa_access *a = NULL;
	char *cause = NULL;
	int rc;

	o.allowed_hosts = hosts;
	o.nallowed_hosts = nh;
	o.allowed_origins = origins;
	o.nallowed_origins = no;
	o.token = token;
	rc = aa_access_new(&a, &o, &cause);
	if (rc != 0)
		test_fail(__FILE__, __LINE__, "aa_access_new: %s",
		    cause ? cause : "?");
	return a;
}

/* Returns the cause for a list that must be refused. */
static char *
refuse(const char *const *hosts, size_t nh, const char *const *origins,
    size_t no)
{
	struct aa_access_options o = { 0 };
	struct aa_access *a = NULL;
	char *cause = NULL;

	o.allowed_hosts = hosts;
	o.nallowed_hosts = nh;
	o.allowed_origins = origins;
	o.nallowed_origins = no;
	ASSERT_EQ(aa_access_new(&a, &o, &cause), AA_EINVAL);
	ASSERT_NULL(a);
	ASSERT_NOT_NULL(cause);
	return cause;
}

#define L(...) ((const char *const[]){ __VA_ARGS__ }), \
	(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *))

TEST(access_default_hosts)
{
	struct aa_access *a = mk(NULL, 0, NULL, 0, NULL);

	ASSERT(aa_access_host_ok(a, "localhost"));
	ASSERT(aa_access_host_ok(a, "localhost:3284"));
	ASSERT(aa_access_host_ok(a, "127.0.0.1:1"));
	ASSERT(aa_access_host_ok(a, "[::1]:3284"));
	ASSERT(aa_access_host_ok(a, "[::1]"));
	ASSERT(aa_access_host_ok(a, "LOCALHOST"));
	ASSERT(!aa_access_host_ok(a, "evil.com"));
	ASSERT(!aa_access_host_ok(a, "localhost.evil.com"));
	ASSERT(!aa_access_host_ok(a, ""));
	ASSERT(!aa_access_host_ok(a, NULL));
	ASSERT(!aa_access_host_ok(a, "[::1"));
	ASSERT_STR_EQ(aa_access_host_error(a), "Invalid host header. Allowed "
	    "hosts: localhost, 127.0.0.1, ::1\n");
	aa_access_free(a);
}

TEST(access_wildcard_host_ignores_junk)
{
	struct aa_access *a = mk(L("*"), NULL, 0, NULL);

	ASSERT(aa_access_host_ok(a, "example.com"));
	ASSERT(aa_access_host_ok(a, "malicious.com"));
	ASSERT(aa_access_host_ok(a, NULL));
	aa_access_free(a);
	a = mk(L("http://junk", "*", "a b"), NULL, 0, NULL);
	ASSERT(aa_access_host_ok(a, "anything"));
	aa_access_free(a);
}

TEST(access_host_list_from_upstream_tests)
{
	struct aa_access *a = mk(L("localhost", "app.example.com"), NULL, 0,
	    NULL);

	ASSERT(aa_access_host_ok(a, "localhost:3000"));
	ASSERT(aa_access_host_ok(a, "app.example.com"));
	ASSERT(!aa_access_host_ok(a, "malicious.com"));
	ASSERT_STR_EQ(aa_access_host_error(a), "Invalid host header. Allowed "
	    "hosts: localhost, app.example.com\n");
	aa_access_free(a);
	a = mk(L("[2001:db8::1]"), NULL, 0, NULL);
	ASSERT(aa_access_host_ok(a, "[2001:db8::1]:80"));
	ASSERT(aa_access_host_ok(a, "[2001:db8::1]"));
	ASSERT(!aa_access_host_ok(a, "[2001:db8::2]"));
	ASSERT_STR_EQ(aa_access_host_error(a), "Invalid host header. Allowed "
	    "hosts: 2001:db8::1\n");
	aa_access_free(a);
	a = mk(L("EXAMPLE.COM"), NULL, 0, NULL);
	ASSERT(aa_access_host_ok(a, "example.com:80"));
	aa_access_free(a);
	a = mk(L("example.com."), NULL, 0, NULL);
	ASSERT(!aa_access_host_ok(a, "example.com"));
	ASSERT(aa_access_host_ok(a, "example.com.:80"));
	aa_access_free(a);
}

TEST(access_host_config_errors)
{
	char *c;

	{ /* a NULL list means the defaults; an empty one is refused */
		static const char *const none[1];
		struct aa_access_options o = { .allowed_hosts = none };
		struct aa_access *a;

		ASSERT_EQ(aa_access_new(&a, &o, &c), AA_EINVAL);
		ASSERT_STR_EQ(c, "failed to parse allowed hosts: the list must "
		    "not be empty");
		free(c);
	}
	c = refuse(L("2001:db8::1"), NULL, 0);
	ASSERT_STR_EQ(c, "failed to parse allowed hosts: '2001:db8::1' must "
	    "not include a port");
	free(c);
	c = refuse(L("example.com:8080"), NULL, 0);
	ASSERT_NOT_NULL(strstr(c, "must not include a port"));
	free(c);
	c = refuse(L("[2001:db8::1]:443"), NULL, 0);
	ASSERT_NOT_NULL(strstr(c, "must not include a port"));
	free(c);
	c = refuse(L("https://example.com"), NULL, 0);
	ASSERT_STR_EQ(c, "failed to parse allowed hosts: 'https://example.com'"
	    " must not include http:// or https://");
	free(c);
	c = refuse(L("ok.com", "example.com,malicious.com"), NULL, 0);
	ASSERT_STR_EQ(c, "failed to parse allowed hosts: 'example.com,"
	    "malicious.com' contains comma characters, which are not allowed");
	free(c);
	c = refuse(L(" example.com"), NULL, 0);
	ASSERT_STR_EQ(c, "failed to parse allowed hosts: ' example.com' "
	    "contains whitespace characters, which are not allowed");
	free(c);
	c = refuse(L("exa\xc2\xa0mple.com"), NULL, 0); /* NBSP */
	ASSERT_NOT_NULL(strstr(c, "whitespace"));
	free(c);
	/* Whitespace anywhere is reported before a scheme elsewhere. */
	c = refuse(L("http://x", "exa mple.com"), NULL, 0);
	ASSERT_NOT_NULL(strstr(c, "'exa mple.com' contains whitespace"));
	free(c);
	c = refuse(L("[::1"), NULL, 0);
	ASSERT_NOT_NULL(strstr(c, "is not a valid host"));
	free(c);
}

/* Runs a CORS decision and returns the header lines. */
static char *
cors(struct aa_access *a, const char *method, const char *origin,
    const char *acrm, const char *acrh)
{
	struct aa_buf b;

	aa_buf_init(&b);
	ASSERT_EQ(aa_access_cors(a, method, origin, acrm, acrh, &b), 0);
	return aa_buf_steal(&b, NULL);
}

TEST(access_cors_actual_requests)
{
	struct aa_access *a = mk(NULL, 0, NULL, 0, NULL);
	char *h;

	h = cors(a, "GET", "http://localhost:3000", NULL, NULL);
	ASSERT_STR_EQ(h, "Vary: Origin\r\n"
	    "Access-Control-Allow-Origin: http://localhost:3000\r\n"
	    "Access-Control-Allow-Credentials: true\r\n"
	    "Access-Control-Expose-Headers: Link\r\n");
	free(h);
	h = cors(a, "GET", "HTTP://LOCALHOST:3284", NULL, NULL);
	ASSERT_NOT_NULL(strstr(h, "Allow-Origin: HTTP://LOCALHOST:3284\r\n"));
	free(h);
	h = cors(a, "GET", "http://evil.com", NULL, NULL);
	ASSERT_STR_EQ(h, "Vary: Origin\r\n");
	free(h);
	h = cors(a, "GET", NULL, NULL, NULL);
	ASSERT_STR_EQ(h, "Vary: Origin\r\n");
	free(h);
	h = cors(a, "PATCH", "http://localhost:3000", NULL, NULL);
	ASSERT_STR_EQ(h, "Vary: Origin\r\n"); /* method not in the list */
	free(h);
	aa_access_free(a);
	a = mk(NULL, 0, L("*"), NULL);
	h = cors(a, "POST", "http://anything", NULL, NULL);
	ASSERT_NOT_NULL(strstr(h, "Access-Control-Allow-Origin: *\r\n"));
	free(h);
	aa_access_free(a);
	a = mk(NULL, 0, L("junk", "*", "a b"), NULL);
	h = cors(a, "GET", "http://x", NULL, NULL);
	ASSERT_NOT_NULL(strstr(h, "Access-Control-Allow-Origin: *\r\n"));
	free(h);
	aa_access_free(a);
}

TEST(access_cors_origin_normalising_and_wildcards)
{
	struct aa_access *a = mk(NULL, 0, L("http://[2001:db8::1]:8080",
	    "https://example.com/path?x=1#frag", "https://*.example.org",
	    "localhost:3000"), NULL);
	char *h;

	h = cors(a, "GET", "http://[2001:db8::1]:8080", NULL, NULL);
	ASSERT_NOT_NULL(strstr(h, "Origin: http://[2001:db8::1]:8080\r\n"));
	free(h);
	h = cors(a, "GET", "https://example.com", NULL, NULL);
	ASSERT_NOT_NULL(strstr(h, "Origin: https://example.com\r\n"));
	free(h);
	h = cors(a, "GET", "https://a.b.example.org", NULL, NULL);
	ASSERT_NOT_NULL(strstr(h, "Allow-Origin: https://a.b.example.org"));
	free(h);
	h = cors(a, "GET", "https://example.org", NULL, NULL);
	ASSERT_STR_EQ(h, "Vary: Origin\r\n");
	free(h);
	/* Quirk 10: an entry without a scheme never matches. */
	h = cors(a, "GET", "localhost:3000", NULL, NULL);
	ASSERT_STR_EQ(h, "Vary: Origin\r\n");
	free(h);
	aa_access_free(a);
	a = mk(NULL, 0, L("https://example.com/"), NULL);
	h = cors(a, "GET", "https://example.com", NULL, NULL);
	ASSERT_NOT_NULL(strstr(h, "Access-Control-Allow-Origin"));
	free(h);
	aa_access_free(a);
}

TEST(access_cors_origin_config_errors)
{
	static const char *const none[1];
	struct aa_access_options o = { .allowed_origins = none };
	struct aa_access *a;
	char *c;

	ASSERT_EQ(aa_access_new(&a, &o, &c), AA_EINVAL);
	ASSERT_STR_EQ(c, "failed to parse allowed origins: the list must not "
	    "be empty");
	free(c);
	c = refuse(NULL, 0, L("http://a.com,http://b.com"));
	ASSERT_NOT_NULL(strstr(c, "contains comma characters"));
	free(c);
	c = refuse(NULL, 0, L(" http://a.com"));
	ASSERT_NOT_NULL(strstr(c, "contains whitespace characters"));
	free(c);
	c = refuse(NULL, 0, L("http://a .com"));
	ASSERT_NOT_NULL(strstr(c, "contains whitespace characters"));
	free(c);
}

TEST(access_preflight)
{
	struct aa_access *a = mk(NULL, 0, NULL, 0, NULL);
	char *h;

	ASSERT(aa_access_is_preflight("OPTIONS", "GET"));
	ASSERT(!aa_access_is_preflight("OPTIONS", NULL));
	ASSERT(!aa_access_is_preflight("GET", "GET"));
	h = cors(a, "OPTIONS", "http://localhost:3000", "post",
	    "content-type, x-csrf-token");
	ASSERT_STR_EQ(h, "Vary: Origin\r\n"
	    "Vary: Access-Control-Request-Method\r\n"
	    "Vary: Access-Control-Request-Headers\r\n"
	    "Access-Control-Allow-Origin: http://localhost:3000\r\n"
	    "Access-Control-Allow-Methods: POST\r\n"
	    "Access-Control-Allow-Headers: Content-Type, X-Csrf-Token\r\n"
	    "Access-Control-Allow-Credentials: true\r\n"
	    "Access-Control-Max-Age: 300\r\n");
	free(h);
	/* Disallowed origin, method or header: still only Vary lines. */
	h = cors(a, "OPTIONS", "http://evil.com", "GET", NULL);
	ASSERT_NULL(strstr(h, "Access-Control-Allow"));
	free(h);
	h = cors(a, "OPTIONS", "http://localhost:3000", "PATCH", NULL);
	ASSERT_NULL(strstr(h, "Access-Control-Allow"));
	free(h);
	h = cors(a, "OPTIONS", "http://localhost:3000", "GET", "X-Evil");
	ASSERT_NULL(strstr(h, "Access-Control-Allow"));
	free(h);
	h = cors(a, "OPTIONS", "http://localhost:3000", "GET", NULL);
	ASSERT_NOT_NULL(strstr(h, "Access-Control-Allow-Methods: GET\r\n"));
	ASSERT_NULL(strstr(h, "Allow-Headers"));
	free(h);
	aa_access_free(a);
	a = mk(NULL, 0, L("*"), NULL);
	h = cors(a, "OPTIONS", "http://x", "GET", "Content-Type");
	ASSERT_NOT_NULL(strstr(h, "Access-Control-Allow-Origin: *\r\n"));
	ASSERT_NOT_NULL(strstr(h, "Access-Control-Allow-Headers: "
	    "Content-Type\r\n"));
	free(h);
	aa_access_free(a);
}

TEST(access_token)
{
	struct aa_access *a = mk(NULL, 0, NULL, 0, "s3cr3t");
	struct aa_access *none = mk(NULL, 0, NULL, 0, "");

	ASSERT(aa_access_has_token(a));
	ASSERT(!aa_access_has_token(none));
	ASSERT(aa_access_token_ok(none, NULL, NULL));
	ASSERT(!aa_access_token_ok(a, NULL, NULL));
	ASSERT(aa_access_token_ok(a, "Bearer s3cr3t", NULL));
	ASSERT(aa_access_token_ok(a, "bearer s3cr3t", NULL));
	ASSERT(!aa_access_token_ok(a, "Bearer s3cr3", NULL));
	ASSERT(!aa_access_token_ok(a, "Bearer s3cr3tt", NULL));
	ASSERT(!aa_access_token_ok(a, "Basic s3cr3t", NULL));
	ASSERT(!aa_access_token_ok(a, "s3cr3t", NULL));
	ASSERT(!aa_access_token_ok(a, "Bearer ", NULL));
	ASSERT(aa_access_token_ok(a, "Bearer wrong", "s3cr3t"));
	ASSERT(!aa_access_token_ok(a, NULL, ""));
	aa_access_free(a);
	aa_access_free(none);
	aa_access_free(NULL);
}

TEST(access_host_syntax)
{
	struct aa_access *a = mk(NULL, 0, NULL, 0, NULL);
	struct aa_access *any = mk(L("*"), NULL, 0, NULL);

	/* Issue 17: userinfo would be skipped, the port never checked. */
	ASSERT(!aa_access_host_ok(a, "evil.com@localhost"));
	ASSERT(!aa_access_host_ok(a, "localhost@evil.com"));
	ASSERT(!aa_access_host_ok(a, "localhost:99999"));
	ASSERT(!aa_access_host_ok(a, "localhost:65536"));
	ASSERT(!aa_access_host_ok(a, "localhost:1x"));
	ASSERT(!aa_access_host_ok(a, "localhost/x"));
	ASSERT(!aa_access_host_ok(a, "[::1]:99999"));
	ASSERT(!aa_access_host_ok(a, "localhost:99999999999999999999999"));
	ASSERT(aa_access_host_ok(a, "localhost:65535"));
	ASSERT(aa_access_host_ok(a, "localhost:0"));
	ASSERT(aa_access_host_ok(a, "localhost:"));
	ASSERT(aa_access_host_ok(a, "[::1]:80"));
	/* "*" stays upstream's: anything goes. */
	ASSERT(aa_access_host_ok(any, "evil.com@localhost"));
	aa_access_free(a);
	aa_access_free(any);
}

TEST(access_origin_of_state_changing_requests)
{
	struct aa_access *a = mk(NULL, 0, NULL, 0, NULL);
	struct aa_access *any = mk(NULL, 0, L("*"), NULL);

	/* No Origin: curl, the Go SDK. */
	ASSERT(aa_access_origin_ok(a, NULL, "localhost:3284", NULL));
	ASSERT(aa_access_origin_ok(a, "", "localhost:3284", NULL));
	/* An allowed origin, whatever the Host. */
	ASSERT(aa_access_origin_ok(a, "http://localhost:3000", "x", NULL));
	ASSERT(aa_access_origin_ok(a, "http://localhost:3000", "x",
	    "cross-site"));
	/* The server's own origin (the chat), default ports folded. */
	ASSERT(aa_access_origin_ok(a, "http://127.0.0.1:8080",
	    "127.0.0.1:8080", NULL));
	ASSERT(aa_access_origin_ok(a, "http://localhost", "localhost:80",
	    NULL));
	ASSERT(aa_access_origin_ok(a, "https://coder.example:443",
	    "coder.example", NULL));
	ASSERT(aa_access_origin_ok(a, "HTTP://LocalHost:9", "localhost:9",
	    NULL));
	/* Fetch metadata decides when a browser sends it. */
	ASSERT(aa_access_origin_ok(a, "https://coder.example", "localhost",
	    "same-origin"));
	ASSERT(aa_access_origin_ok(a, "http://evil.com", "localhost", "none"));
	/* Our own origin passes whatever the metadata: only our pages have
	 * it, even when they reach us through a proxy (the chat's ?url=). */
	ASSERT(aa_access_origin_ok(a, "http://localhost:9",
	    "localhost:9", "same-site"));
	ASSERT(!aa_access_origin_ok(a, "http://localhost:9",
	    "localhost:10", "same-site"));
	ASSERT(!aa_access_origin_ok(a, "http://evil.com", "localhost",
	    "cross-site"));
	/* Foreign ones. */
	ASSERT(!aa_access_origin_ok(a, "http://evil.com", "localhost:3284",
	    NULL));
	ASSERT(!aa_access_origin_ok(a, "null", "localhost:3284", NULL));
	ASSERT(!aa_access_origin_ok(a, "http://localhost:9999",
	    "localhost:3284", NULL));
	ASSERT(!aa_access_origin_ok(a, "http://localhost:3284@evil.com",
	    "localhost:3284@evil.com", NULL));
	ASSERT(!aa_access_origin_ok(a, "http://evil.com", NULL, NULL));
	ASSERT(!aa_access_origin_ok(a, "http://localhost:80", "localhost:8",
	    NULL));
	/* -o '*' lets every origin in. */
	ASSERT(aa_access_origin_ok(any, "http://evil.com", "localhost",
	    "cross-site"));
	aa_access_free(a);
	aa_access_free(any);
}

TEST(access_token_no_prefix_no_length_games)
{
	struct aa_access *a = mk(NULL, 0, NULL, 0, "s3cr3t");
	char longer[4096];

	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ASSERT(!aa_access_token_ok(a, NULL, longer));
	ASSERT(!aa_access_token_ok(a, NULL, "s3cr3t\n"));
	ASSERT(!aa_access_token_ok(a, NULL, "S3CR3T"));
	ASSERT(aa_access_token_ok(a, "Bearer   s3cr3t", NULL));
	ASSERT(aa_access_token_ok(a, NULL, "s3cr3t"));
	aa_access_free(a);
}

/* HMAC-SHA256("tok", "agentapi-c chat cookie"), and the name from
 * "... name", as Python's hmac module computes them. */
#define CK_NAME "agentapi_c_abf59c6eadc2"
#define CK_SECRET \
	"d5de81e505f1903906ec04642c5b35a424e62244640f6aa0ca3be6fd5a8930fc"

/* Builds a config with the chat cookie on (the host's) and a token. */
static struct aa_access *
mk_cookie(const char *token)
{
	struct aa_access_options o = { 0 };
	struct aa_access *a = NULL;

	o.token = token;
	o.cookie = 1;
	ASSERT_EQ(aa_access_new(&a, &o, NULL), 0);
	return a;
}

TEST(access_chat_cookie)
{
	struct aa_access *a = mk_cookie("tok");
	struct aa_access *server = mk(NULL, 0, NULL, 0, "tok");
	struct aa_access *long_key = mk_cookie(
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	struct aa_access *none = NULL;
	struct aa_access_options o = { 0 };
	struct aa_buf b;
	static const char want[] = CK_NAME "=" CK_SECRET
	    "; Path=/; HttpOnly; SameSite=Strict";
	static const char good[] = CK_NAME "=" CK_SECRET;

	aa_buf_init(&b);
	ASSERT_EQ(aa_access_cookie(a, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), want);
	aa_buf_reset(&b);
	/* A key longer than SHA-256's block is hashed first (RFC 2104). */
	ASSERT_EQ(aa_access_cookie(long_key, &b), 0);
	ASSERT_STR_EQ(aa_buf_str(&b), "agentapi_c_10c2102e8b5c="
	    "8320e7973478ba58e4f2a152d82cc623746a8dcb5592986036b86f377fc7591a"
	    "; Path=/; HttpOnly; SameSite=Strict");

	ASSERT(aa_access_cookie_ok(a, good));
	ASSERT(aa_access_cookie_ok(a, "theme=dark; " CK_NAME "=" CK_SECRET
	    "; x=1"));
	/* A stale one (an older token's) beside it does not matter. */
	ASSERT(aa_access_cookie_ok(a, CK_NAME "=00;" CK_NAME "=" CK_SECRET));
	ASSERT(!aa_access_cookie_ok(a, NULL));
	ASSERT(!aa_access_cookie_ok(a, ""));
	ASSERT(!aa_access_cookie_ok(a, ";;; ;"));
	ASSERT(!aa_access_cookie_ok(a, CK_NAME "="));
	ASSERT(!aa_access_cookie_ok(a, CK_NAME));
	ASSERT(!aa_access_cookie_ok(a, CK_NAME "=tok"));
	ASSERT(!aa_access_cookie_ok(a, CK_NAME "="
	    "d5de81e505f1903906ec04642c5b35a424e62244640f6aa0ca3be6fd5a8930f"));
	ASSERT(!aa_access_cookie_ok(a, CK_NAME "=" CK_SECRET "0"));
	ASSERT(!aa_access_cookie_ok(a, CK_NAME "=\"" CK_SECRET "\""));
	ASSERT(!aa_access_cookie_ok(a, "x" CK_NAME "=" CK_SECRET));
	ASSERT(!aa_access_cookie_ok(a, CK_NAME "x=" CK_SECRET));
	/* The cookie is not a bearer token, nor the token a cookie. */
	ASSERT(!aa_access_token_ok(a, "Bearer d5de81e505f1903906ec04642c5b35a4"
	    "24e62244640f6aa0ca3be6fd5a8930fc", NULL));
	/* Another token, another cookie. */
	ASSERT(!aa_access_cookie_ok(long_key, good));

	/* Without the option (the single-agent server) or without a token:
	 * no cookie is made or taken. */
	ASSERT(!aa_access_cookie_ok(server, good));
	ASSERT_EQ(aa_access_cookie(server, &b), AA_EINVAL);
	o.cookie = 1;
	ASSERT_EQ(aa_access_new(&none, &o, NULL), 0);
	ASSERT(!aa_access_cookie_ok(none, good));
	ASSERT(!aa_access_cookie_ok(none, "agentapi_c_="));
	ASSERT_EQ(aa_access_cookie(none, &b), AA_EINVAL);
	aa_buf_release(&b);
	aa_access_free(a);
	aa_access_free(server);
	aa_access_free(long_key);
	aa_access_free(none);
}
