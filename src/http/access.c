/*
 * access.c - Host allow-list, CORS and the bearer token (spec http.md §7).
 *
 * Entries are validated exactly in the order upstream does, so that the
 * same bad flag gives the same message.  Hosts are stored without brackets
 * and compared case-insensitively and exactly (a trailing dot matters);
 * origins are stored normalised to lower-case "<scheme>://<host[:port]>"
 * and may hold one '*' (prefix + suffix match).  Nothing here allocates
 * per request except the caller's header buffer.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/aa-internal.h"
#include "http/access.h"
#include "base/sha256.h"
#include "base/text.h"

#define AA_ACCESS_MAX_HOST 1024

struct aa_access {
	int any_host;
	int any_origin;
	char **hosts; /* bracket-less host names */
	size_t nhosts;
	char **origins; /* normalised, lower-case; "" never matches */
	size_t norigins;
	char *host_error; /* "Invalid host header. Allowed hosts: ...\n" */
	char *token;      /* NULL when none */
	unsigned char token_sum[32]; /* its SHA-256 */
	int cookie;       /* the chat cookie is accepted (with a token) */
	char cookie_name[32];   /* "agentapi_c_<12 hex>" */
	char cookie_secret[65]; /* 64 hex */
	unsigned char cookie_sum[32]; /* SHA-256 of the secret */
};

static const char *const aa_access_default_hosts[] = {
	"localhost", "127.0.0.1", "[::1]",
};
static const char *const aa_access_default_origins[] = {
	"http://localhost:3284", "http://localhost:3000",
	"http://localhost:3001",
};
static const char *const aa_access_methods[] = {
	"GET", "POST", "PUT", "DELETE", "OPTIONS",
};
/* Canonical forms (Go's CanonicalHeaderKey) of the allowed headers. */
static const char *const aa_access_headers[] = {
	"Accept", "Authorization", "Content-Type", "X-Csrf-Token", "Origin",
};

/* Formats a malloc'd cause string; NULL on OOM. */
static char *
cause_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
cause_printf(const char *fmt, ...)
{
	char *cause;
	va_list ap;

	va_start(ap, fmt);
	aa__vcause(&cause, 0, fmt, ap);
	va_end(ap);
	return cause;
}

/* Returns non-zero when s holds a Unicode white-space character. */
static int
has_space(const char *s)
{
	size_t n = strlen(s), i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = aa_utf8_decode(s + i, n - i, &cp);
		if (aa_unicode_is_space(cp))
			return 1;
		i += k;
	}
	return 0;
}

/* Checks the two rules common to both lists; returns a cause or NULL. */
static char *
check_chars(const char *what, const char *const *v, size_t n, int *bad)
{
	size_t i;

	*bad = 0;
	for (i = 0; i < n; i++) {
		*bad = 1;
		if (has_space(v[i]))
			return cause_printf("failed to parse allowed %s: '%s' "
			    "contains whitespace characters, which are not "
			    "allowed", what, v[i]);
		if (strchr(v[i], ',') != NULL)
			return cause_printf("failed to parse allowed %s: '%s' "
			    "contains comma characters, which are not allowed",
			    what, v[i]);
	}
	*bad = 0;
	return NULL;
}

/*
 * Splits an authority ("host", "host:port", "[v6]:port", "user@host") the
 * way Go's url.Parse reads "http://<s>": copies the bracket-less host name
 * into name and reports whether a non-empty port was present.  Returns NULL
 * or a static parse error.
 */
static const char *
parse_authority(const char *s, size_t n, char *name, size_t size,
    int *has_port)
{
	const char *at, *end = s + n, *colon, *p;
	size_t hlen;

	*has_port = 0;
	at = NULL;
	for (p = s; p < end; p++)
		if (*p == '@')
			at = p;
	if (at != NULL)
		s = at + 1;
	if (s < end && *s == '[') {
		const char *rb = memchr(s, ']', (size_t)(end - s));

		if (rb == NULL)
			return "missing ']' in host";
		colon = rb + 1;
		if (colon < end && *colon != ':')
			return "invalid port after host";
		hlen = (size_t)(rb - s - 1);
		s++;
	} else {
		colon = NULL;
		for (p = s; p < end; p++)
			if (*p == ':')
				colon = p;
		hlen = (size_t)((colon != NULL ? colon : end) - s);
	}
	if (colon != NULL && colon < end) {
		for (p = colon + 1; p < end; p++)
			if (!isdigit((unsigned char)*p))
				return "invalid port after host";
		*has_port = end - colon > 1;
	}
	for (p = s; p < s + hlen; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '%')
			return "invalid character in host name";
	if (hlen >= size)
		return "host name too long";
	memcpy(name, s, hlen);
	name[hlen] = '\0';
	return NULL;
}

/* Length of the authority at the start of s (up to '/', '?' or '#'). */
static size_t
authority_len(const char *s)
{
	return strcspn(s, "/?#");
}

static void token_digest(const char *, size_t, unsigned char[32]);
static void cookie_setup(struct aa_access *);

/* Validates and stores the host list (§7.1). */
static char *
setup_hosts(struct aa_access *a, const char *const *v, size_t n)
{
	char name[AA_ACCESS_MAX_HOST], *cause = NULL;
	struct aa_buf msg;
	const char *err;
	size_t i;
	int bad, port;

	if (n == 0)
		return cause_printf("failed to parse allowed hosts: the list "
		    "must not be empty");
	for (i = 0; i < n; i++)
		if (strcmp(v[i], "*") == 0) {
			a->any_host = 1;
			return NULL;
		}
	if ((cause = check_chars("hosts", v, n, &bad)) != NULL || bad)
		return cause;
	if ((a->hosts = calloc(n, sizeof(char *))) == NULL)
		return NULL;
	aa_buf_init(&msg);
	aa_buf_puts(&msg, "Invalid host header. Allowed hosts: ");
	for (i = 0; i < n; i++) {
		if (strstr(v[i], "http://") != NULL ||
		    strstr(v[i], "https://") != NULL) {
			cause = cause_printf("failed to parse allowed hosts: "
			    "'%s' must not include http:// or https://", v[i]);
			goto out;
		}
		err = parse_authority(v[i], authority_len(v[i]), name,
		    sizeof(name), &port);
		if (err != NULL) {
			cause = cause_printf("failed to parse allowed hosts: "
			    "'%s' is not a valid host: %s", v[i], err);
			goto out;
		}
		if (port) {
			cause = cause_printf("failed to parse allowed hosts: "
			    "'%s' must not include a port", v[i]);
			goto out;
		}
		if ((a->hosts[i] = strdup(name)) == NULL)
			goto out;
		a->nhosts++;
		aa_buf_printf(&msg, "%s%s", i > 0 ? ", " : "", name);
	}
	if (aa_buf_putc(&msg, '\n') == 0)
		a->host_error = aa_buf_steal(&msg, NULL);
out:
	aa_buf_release(&msg);
	return cause;
}

/* Normalises an origin entry to lower-case scheme://authority. */
static char *
normalize_origin(const char *s)
{
	const char *p = s, *auth;
	struct aa_buf b;
	size_t i;

	aa_buf_init(&b);
	if (isalpha((unsigned char)*p)) {
		while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
		    *p == '.')
			p++;
	}
	if (p == s || strncmp(p, "://", 3) != 0) {
		/* No scheme: upstream stores "://", which never matches. */
		return strdup("");
	}
	auth = p + 3;
	aa_buf_append(&b, s, (size_t)(p - s));
	aa_buf_puts(&b, "://");
	aa_buf_append(&b, auth, authority_len(auth));
	if (b.data == NULL)
		return NULL;
	for (i = 0; i < b.len; i++)
		b.data[i] = (char)tolower((unsigned char)b.data[i]);
	return aa_buf_steal(&b, NULL);
}

/* Validates and stores the origin list (§7.2). */
static char *
setup_origins(struct aa_access *a, const char *const *v, size_t n)
{
	char *cause;
	size_t i;
	int bad;

	if (n == 0)
		return cause_printf("failed to parse allowed origins: the list "
		    "must not be empty");
	for (i = 0; i < n; i++)
		if (strcmp(v[i], "*") == 0) {
			a->any_origin = 1;
			return NULL;
		}
	if ((cause = check_chars("origins", v, n, &bad)) != NULL || bad)
		return cause;
	if ((a->origins = calloc(n, sizeof(char *))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((a->origins[i] = normalize_origin(v[i])) == NULL)
			return NULL;
		a->norigins++;
	}
	return NULL;
}

int
aa_access_new(struct aa_access **out, const struct aa_access_options *o,
    char **cause)
{
	static const struct aa_access_options zero;
	const char *const *hosts, *const *origins;
	size_t nhosts, norigins;
	struct aa_access *a;
	char *why = NULL;

	*out = NULL;
	if (cause != NULL)
		*cause = NULL;
	if (o == NULL)
		o = &zero;
	hosts = o->allowed_hosts != NULL ? o->allowed_hosts :
	    aa_access_default_hosts;
	nhosts = o->allowed_hosts != NULL ? o->nallowed_hosts :
	    AA__ARRAY_SIZE(aa_access_default_hosts);
	origins = o->allowed_origins != NULL ? o->allowed_origins :
	    aa_access_default_origins;
	norigins = o->allowed_origins != NULL ? o->nallowed_origins :
	    AA__ARRAY_SIZE(aa_access_default_origins);
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return AA_ENOMEM;
	if ((why = setup_hosts(a, hosts, nhosts)) != NULL)
		goto invalid;
	if (!a->any_host && a->host_error == NULL)
		goto nomem;
	if ((why = setup_origins(a, origins, norigins)) != NULL)
		goto invalid;
	if (!a->any_origin && a->norigins != norigins)
		goto nomem;
	if (o->token != NULL && o->token[0] != '\0') {
		if ((a->token = strdup(o->token)) == NULL)
			goto nomem;
		token_digest(a->token, strlen(a->token), a->token_sum);
		a->cookie = o->cookie != 0;
		if (a->cookie)
			cookie_setup(a);
	}
	*out = a;
	return 0;
invalid:
	aa_access_free(a);
	if (cause != NULL)
		*cause = why;
	else
		free(why);
	return AA_EINVAL;
nomem:
	aa_access_free(a);
	return AA_ENOMEM;
}

void
aa_access_free(struct aa_access *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nhosts; i++)
		free(a->hosts[i]);
	free(a->hosts);
	for (i = 0; i < a->norigins; i++)
		free(a->origins[i]);
	free(a->origins);
	free(a->host_error);
	free(a->token);
	free(a);
}

/*
 * Returns non-zero when a Host header value is "host[:port]" and nothing
 * else (RFC 9110 §7.2): no userinfo (parse_authority, reading a URL,
 * would skip "evil.com@"), nothing after the authority, and a port of at
 * most 65535.
 */
static int
host_syntax_ok(const char *host)
{
	const char *colon, *p;
	unsigned long port = 0;

	if (strpbrk(host, "@/?#") != NULL)
		return 0;
	colon = host[0] == '[' ? strchr(host, ']') : host;
	if (colon == NULL)
		return 0;
	if ((colon = strrchr(colon, ':')) == NULL || colon[1] == '\0')
		return 1;
	for (p = colon + 1; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		port = port * 10 + (unsigned long)(*p - '0');
		if (port > 65535)
			return 0;
	}
	return 1;
}

int
aa_access_host_ok(const struct aa_access *a, const char *host)
{
	char name[AA_ACCESS_MAX_HOST];
	size_t i;
	int port;

	if (a->any_host)
		return 1;
	if (host == NULL || host[0] == '\0' || !host_syntax_ok(host))
		return 0;
	if (parse_authority(host, authority_len(host), name, sizeof(name),
	    &port) != NULL)
		return 0;
	for (i = 0; i < a->nhosts; i++)
		if (strcasecmp(a->hosts[i], name) == 0)
			return 1;
	return 0;
}

const char *
aa_access_host_error(const struct aa_access *a)
{
	return a->host_error != NULL ? a->host_error :
	    "Invalid host header.\n";
}

int
aa_access_is_preflight(const char *method, const char *acrm)
{
	return method != NULL && strcmp(method, "OPTIONS") == 0 &&
	    acrm != NULL;
}

/* Returns non-zero when origin (any case) is in the allowed list. */
static int
origin_ok(const struct aa_access *a, const char *origin)
{
	char low[AA_ACCESS_MAX_HOST];
	size_t i, n = strlen(origin), pl, sl;
	const char *star;

	if (a->any_origin)
		return 1;
	if (n >= sizeof(low))
		return 0;
	for (i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)origin[i]);
	for (i = 0; i < a->norigins; i++) {
		const char *o = a->origins[i];

		if (o[0] == '\0')
			continue;
		if ((star = strchr(o, '*')) == NULL) {
			if (strcmp(o, low) == 0)
				return 1;
			continue;
		}
		pl = (size_t)(star - o);
		sl = strlen(star + 1);
		if (n >= pl + sl && memcmp(low, o, pl) == 0 &&
		    memcmp(low + n - sl, star + 1, sl) == 0)
			return 1;
	}
	return 0;
}

/* Returns non-zero when the (any-case) method is one CORS allows. */
static int
method_ok(const char *m)
{
	size_t i;

	for (i = 0; i < AA__ARRAY_SIZE(aa_access_methods); i++)
		if (strcasecmp(m, aa_access_methods[i]) == 0)
			return 1;
	return 0;
}

/*
 * Canonicalises the comma/space separated header list in acrh into out
 * ("Content-Type, X-Csrf-Token"); returns non-zero when every name is an
 * allowed one.
 */
static int
headers_ok(const char *acrh, struct aa_buf *out)
{
	const char *p = acrh, *e;
	char name[128];
	size_t n, i;
	int up, found;

	while (*p != '\0') {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, ", \t");
		if ((n = (size_t)(e - p)) == 0)
			break;
		if (n >= sizeof(name))
			return 0;
		for (i = 0, up = 1; i < n; i++) {
			name[i] = (char)(up ? toupper((unsigned char)p[i]) :
			    tolower((unsigned char)p[i]));
			up = p[i] == '-';
		}
		name[n] = '\0';
		for (i = 0, found = 0; i < AA__ARRAY_SIZE(aa_access_headers);
		     i++)
			if (strcmp(name, aa_access_headers[i]) == 0)
				found = 1;
		if (!found)
			return 0;
		aa_buf_printf(out, "%s%s", out->len > 0 ? ", " : "", name);
		p = e;
	}
	return 1;
}

/* Appends the preflight answer's headers (after its Vary lines). */
static int
cors_preflight(const struct aa_access *a, const char *origin,
    const char *acrm, const char *acrh, struct aa_buf *hdrs)
{
	struct aa_buf list;
	size_t i;
	int rc = 0;

	if (origin == NULL || origin[0] == '\0' || !origin_ok(a, origin) ||
	    !method_ok(acrm))
		return 0;
	aa_buf_init(&list);
	if (acrh != NULL && !headers_ok(acrh, &list))
		goto out;
	AA__FIRST_ERROR(rc, aa_buf_printf(hdrs,
	    "Access-Control-Allow-Origin: %s\r\n",
	    a->any_origin ? "*" : origin));
	AA__FIRST_ERROR(rc, aa_buf_puts(hdrs,
	    "Access-Control-Allow-Methods: "));
	for (i = 0; acrm[i] != '\0'; i++)
		AA__FIRST_ERROR(rc, aa_buf_putc(hdrs,
		    (char)toupper((unsigned char)acrm[i])));
	AA__FIRST_ERROR(rc, aa_buf_puts(hdrs, "\r\n"));
	if (list.len > 0)
		AA__FIRST_ERROR(rc, aa_buf_printf(hdrs,
		    "Access-Control-Allow-Headers: %s\r\n", list.data));
	AA__FIRST_ERROR(rc, aa_buf_puts(hdrs,
	    "Access-Control-Allow-Credentials: true\r\n"
	    "Access-Control-Max-Age: 300\r\n"));
out:
	aa_buf_release(&list);
	return rc != 0 ? AA_ENOMEM : 0;
}

int
aa_access_cors(const struct aa_access *a, const char *method,
    const char *origin, const char *acrm, const char *acrh,
    struct aa_buf *hdrs)
{
	int rc = 0;

	if (aa_access_is_preflight(method, acrm)) {
		AA__FIRST_ERROR(rc, aa_buf_puts(hdrs, "Vary: Origin\r\n"
		    "Vary: Access-Control-Request-Method\r\n"
		    "Vary: Access-Control-Request-Headers\r\n"));
		if (rc != 0)
			return AA_ENOMEM;
		return cors_preflight(a, origin, acrm, acrh, hdrs);
	}
	AA__FIRST_ERROR(rc, aa_buf_puts(hdrs, "Vary: Origin\r\n"));
	if (origin != NULL && origin[0] != '\0' && method_ok(method) &&
	    origin_ok(a, origin)) {
		AA__FIRST_ERROR(rc, aa_buf_printf(hdrs,
		    "Access-Control-Allow-Origin: %s\r\n",
		    a->any_origin ? "*" : origin));
		AA__FIRST_ERROR(rc, aa_buf_puts(hdrs,
		    "Access-Control-Allow-Credentials: true\r\n"
		    "Access-Control-Expose-Headers: Link\r\n"));
	}
	return rc != 0 ? AA_ENOMEM : 0;
}

/* SHA-256 of a token candidate. */
static void
token_digest(const char *s, size_t n, unsigned char out[32])
{
	struct aa_sha256 c;

	aa_sha256_init(&c);
	aa_sha256_update(&c, s, n);
	aa_sha256_final(&c, out);
}

/*
 * Compares s to the token in constant time: both are hashed to 32 bytes
 * first, so neither the position of the first differing byte nor the
 * token's length shows in the time taken, and the 32 bytes are folded
 * with OR, never with an early exit.
 */
static int
token_eq(const struct aa_access *a, const char *s)
{
	unsigned char sum[32];
	volatile unsigned char d = 0;
	size_t i;

	token_digest(s, strlen(s), sum);
	for (i = 0; i < sizeof(sum); i++)
		d |= (unsigned char)(sum[i] ^ a->token_sum[i]);
	return d == 0;
}

int
aa_access_token_ok(const struct aa_access *a, const char *authorization,
    const char *query_token)
{
	const char *t;

	if (a->token == NULL)
		return 1;
	if (authorization != NULL &&
	    strncasecmp(authorization, "Bearer ", 7) == 0) {
		t = authorization + 7;
		while (*t == ' ')
			t++;
		if (token_eq(a, t))
			return 1;
	}
	return query_token != NULL && token_eq(a, query_token);
}

int
aa_access_has_token(const struct aa_access *a)
{
	return a->token != NULL;
}

/* Returns the length of origin's "host[:port]" after "scheme://", with a
 * default port (80 for http, 443 for https) left out; 0 if malformed. */
static size_t
origin_authority(const char *origin, const char **auth)
{
	const char *p = strstr(origin, "://");
	size_t n;

	if (p == NULL)
		return 0;
	*auth = p + 3;
	n = strlen(*auth);
	if (n == 0 || strpbrk(*auth, "/?#@") != NULL)
		return 0;
	if (strncasecmp(origin, "http://", 7) == 0 && n > 3 &&
	    strcmp(*auth + n - 3, ":80") == 0)
		n -= 3;
	else if (strncasecmp(origin, "https://", 8) == 0 && n > 4 &&
	    strcmp(*auth + n - 4, ":443") == 0)
		n -= 4;
	return n;
}

/* Returns non-zero when origin names the same host and port as Host. */
static int
same_origin(const char *origin, const char *host)
{
	const char *auth;
	size_t n = origin_authority(origin, &auth), hn;

	if (n == 0 || host == NULL)
		return 0;
	hn = strlen(host);
	/* A Host that spells out the default port. */
	if (hn != n && hn > n && host[n] == ':' &&
	    ((strncasecmp(origin, "http://", 7) == 0 &&
	    strcmp(host + n, ":80") == 0) ||
	    (strncasecmp(origin, "https://", 8) == 0 &&
	    strcmp(host + n, ":443") == 0)))
		hn = n;
	return hn == n && strncasecmp(auth, host, n) == 0;
}

int
aa_access_origin_ok(const struct aa_access *a, const char *origin,
    const char *host, const char *sec_fetch_site)
{
	int has_origin = origin != NULL && origin[0] != '\0';

	if (a->any_origin || (has_origin && origin_ok(a, origin)))
		return 1;
	/* The page was served by this server under the name it used: only
	 * our own pages have our origin, whichever way (a proxy named by the
	 * chat's ?url=) the request then came. */
	if (has_origin && same_origin(origin, host))
		return 1;
	/* A browser says where the request comes from (Fetch metadata);
	 * "none" is the user's own navigation. */
	if (sec_fetch_site != NULL)
		return strcasecmp(sec_fetch_site, "same-origin") == 0 ||
		    strcasecmp(sec_fetch_site, "none") == 0;
	/* No Origin: not a browser's cross-site request (curl, SDKs). */
	return !has_origin;
}

/* ---- the chat cookie (the host's chat over TCP, issue 15) ---- */

/*
 * Why a cookie, and why this one.  A browser cannot put a header on a
 * page load, an iframe or an EventSource, so the chat over TCP would
 * otherwise need the token in every URL, where it lands in history,
 * Referer headers and screenshots.  Instead the host's GET /chat?token=
 * logs the browser in once: it sets this cookie and redirects to a URL
 * without the token.  What keeps that safe:
 *   - HttpOnly: no script, ours or injected, reads it;
 *   - SameSite=Strict: no request started by another site carries it,
 *     not even a top-level link, so a foreign page cannot ride on it
 *     (CSRF); the Origin check of state-changing requests stays as a
 *     second lock, and the Host allow-list keeps DNS rebinding out (the
 *     cookie belongs to the name the user typed, never the attacker's);
 *   - the value is HMAC-SHA256(token, label), not the token: cookies are
 *     not kept apart by port (RFC 6265 §8.5), so any server the browser
 *     visits on the same host name sees it; it still opens this host,
 *     but it never yields the bearer token (MCP, the CLI, host.token),
 *     and a new token voids it.  The name is derived the same way, so two
 *     hosts with different tokens on one machine keep separate cookies;
 *   - no Max-Age: it ends with the browser session;
 *   - it is compared like the token: hashed, then constant time;
 *   - only a host that asks for it (aa_access_options.cookie) takes it:
 *     the single-agent server's token rules are unchanged.
 * Not Secure: the listener is plain HTTP on loopback.
 */

/* HMAC-SHA256 (RFC 2104) of label under key. */
static void
hmac_sha256(const char *key, const char *label, unsigned char out[32])
{
	unsigned char k[64], pad[64], inner[32];
	struct aa_sha256 c;
	size_t n = strlen(key), i;

	memset(k, 0, sizeof(k));
	if (n > sizeof(k))
		token_digest(key, n, k);
	else
		memcpy(k, key, n);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = (unsigned char)(k[i] ^ 0x36);
	aa_sha256_init(&c);
	aa_sha256_update(&c, pad, sizeof(pad));
	aa_sha256_update(&c, label, strlen(label));
	aa_sha256_final(&c, inner);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = (unsigned char)(k[i] ^ 0x5c);
	aa_sha256_init(&c);
	aa_sha256_update(&c, pad, sizeof(pad));
	aa_sha256_update(&c, inner, sizeof(inner));
	aa_sha256_final(&c, out);
}

/* Derives the cookie's name and secret from the token. */
static void
cookie_setup(struct aa_access *a)
{
	unsigned char m[32];
	size_t i;

	hmac_sha256(a->token, "agentapi-c chat cookie name", m);
	memcpy(a->cookie_name, "agentapi_c_", 11);
	for (i = 0; i < 6; i++)
		sprintf(a->cookie_name + 11 + 2 * i, "%02x", m[i]);
	hmac_sha256(a->token, "agentapi-c chat cookie", m);
	for (i = 0; i < sizeof(m); i++)
		sprintf(a->cookie_secret + 2 * i, "%02x", m[i]);
	token_digest(a->cookie_secret, 64, a->cookie_sum);
}

int
aa_access_cookie_ok(const struct aa_access *a, const char *cookie)
{
	size_t nl = strlen(a->cookie_name), n, k;
	unsigned char sum[32];
	int ok = 0;

	if (a->token == NULL || !a->cookie || cookie == NULL)
		return 0;
	/* "name=value; name=value" (RFC 6265 §4.2.1); every pair is looked
	 * at, whichever matches. */
	while (*cookie != '\0') {
		volatile unsigned char d = 0;

		while (*cookie == ' ' || *cookie == '\t' || *cookie == ';')
			cookie++;
		n = strcspn(cookie, ";");
		if (n > nl && memcmp(cookie, a->cookie_name, nl) == 0 &&
		    cookie[nl] == '=') {
			token_digest(cookie + nl + 1, n - nl - 1, sum);
			for (k = 0; k < sizeof(sum); k++)
				d |= (unsigned char)(sum[k] ^ a->cookie_sum[k]);
			ok |= d == 0;
		}
		cookie += n;
	}
	return ok;
}

int
aa_access_cookie(const struct aa_access *a, struct aa_buf *out)
{
	if (a->token == NULL || !a->cookie)
		return AA_EINVAL;
	return aa_buf_printf(out, "%s=%s; Path=/; HttpOnly; SameSite=Strict",
	    a->cookie_name, a->cookie_secret) != 0 ? AA_ENOMEM : 0;
}
