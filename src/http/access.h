/*
 * access.h - aa_access: who may talk to the server (pure functions).
 *
 * Three checks, all spec http.md §7 unless noted:
 *   - the Host allow-list against DNS rebinding (§7.1): default
 *     localhost, 127.0.0.1, [::1]; "*" allows every host; a rejected Host
 *     gets 400 text/plain "Invalid host header. Allowed hosts: ...\n";
 *   - CORS with go-chi/cors semantics (§7.2): a disallowed Origin is never
 *     an error, it only gets no Access-Control-* headers; a preflight
 *     (OPTIONS + Access-Control-Request-Method) is answered 200 with an
 *     empty body before routing;
 *   - cross-site requests that change state (issue 17): a browser sends
 *     a multipart or text/plain POST from any page without a preflight,
 *     so CORS alone does not stop it.  aa_access_origin_ok() refuses an
 *     Origin that is present and neither allowed nor this server's own
 *     (then Sec-Fetch-Site decides when a browser sends it);
 *   - an optional bearer token (DESIGN "Beyond parity"):
 *     "Authorization: Bearer <t>" or "?token=<t>", compared in constant
 *     time (both hashed with SHA-256, then the digests compared); for the
 *     host's chat (issue 15) also an HttpOnly SameSite=Strict cookie
 *     holding a secret derived from the token.
 * The config is built once from arrays of strings (the CLI splits flags
 * and env vars); the checks take header values and return decisions, so
 * they are unit-testable and fuzzable without sockets.
 */
#ifndef AA_ACCESS_H
#define AA_ACCESS_H

#include <stddef.h>

#include "base/buf.h"

struct aa_access;

struct aa_access_options {
	int version;                       /* reserved, 0 */
	const char *const *allowed_hosts;  /* NULL = the default list */
	size_t nallowed_hosts;
	const char *const *allowed_origins; /* NULL = the default list */
	size_t nallowed_origins;
	const char *token;                 /* NULL or "" = no token needed */
	int cookie;                        /* with a token: also accept the
					    * chat cookie (aa_access_cookie) */
};

/* Validates the lists and builds the config; on a bad list returns
 * AA_EINVAL and a malloc'd *cause such as "failed to parse allowed hosts:
 * the list must not be empty". */
int aa_access_new(struct aa_access **out, const struct aa_access_options *o,
    char **cause);
/* Frees the config; NULL is fine. */
void aa_access_free(struct aa_access *a);

/* Returns non-zero when the Host header value (NULL = absent) is allowed. */
int aa_access_host_ok(const struct aa_access *a, const char *host);
/* The 400 body for a rejected Host: "Invalid host header. Allowed hosts:
 * <list>\n". */
const char *aa_access_host_error(const struct aa_access *a);

/* Returns non-zero when method + Access-Control-Request-Method make a CORS
 * preflight (answered 200 before routing). */
int aa_access_is_preflight(const char *method, const char *acrm);
/* Appends the CORS response header lines ("Name: value\r\n") for a request
 * (a preflight when acrm != NULL and method is OPTIONS), always including
 * Vary. origin, acrm and acrh are header values or NULL. */
int aa_access_cors(const struct aa_access *a, const char *method,
    const char *origin, const char *acrm, const char *acrh,
    struct aa_buf *hdrs);

/* Returns non-zero when a state-changing request may go on: no Origin
 * (curl, SDKs), an allowed one, the server's own (Origin = Host), or
 * Sec-Fetch-Site "same-origin"/"none".  Any argument may be NULL. */
int aa_access_origin_ok(const struct aa_access *a, const char *origin,
    const char *host, const char *sec_fetch_site);

/* Returns non-zero when no token is configured or the request carries it
 * (authorization = the Authorization header, query_token = the decoded
 * ?token= value; either may be NULL). */
int aa_access_token_ok(const struct aa_access *a, const char *authorization,
    const char *query_token);
/* Returns non-zero when a token is configured. */
int aa_access_has_token(const struct aa_access *a);

/* Returns non-zero when the options asked for the chat cookie, a token is
 * configured and the Cookie header value (NULL = absent) carries the
 * cookie's secret, compared in constant time. */
int aa_access_cookie_ok(const struct aa_access *a, const char *cookie);
/* Appends the Set-Cookie value that logs a browser in:
 * "<name>=<secret>; Path=/; HttpOnly; SameSite=Strict".  The secret is
 * derived from the token (HMAC-SHA256), never the token itself.
 * AA_EINVAL without a token or the cookie option. */
int aa_access_cookie(const struct aa_access *a, struct aa_buf *out);

#endif /* AA_ACCESS_H */
