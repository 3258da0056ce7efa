/*
 * hostclient.c - the client side of `agentapi-c host` (hostclient.h).
 *
 * Secure by default like the host: the unix socket (only its owner can
 * reach it), or, with --url, loopback TCP and the bearer token from
 * --auth-token, AGENTAPI_AUTH_TOKEN or the host.token file the host
 * wrote beside its socket.  Answers are bounded (AA_HOSTCLIENT_MAX) by
 * attach-http.c's reader and parsed with cJSON; the callers check every
 * member they use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "prog/attach-private.h"
#include "prog/hostclient.h"
#include "prog/hostcmd.h"

/* Non-zero when s is a host session id. */
int
aa_hostclient_is_id(const char *s)
{
	return strlen(s) == AA_HOSTCLIENT_ID_LEN &&
	    strspn(s, "0123456789abcdef") == AA_HOSTCLIENT_ID_LEN;
}

/* Reads the token the host wrote beside its socket sock. */
static int
read_token(struct aa_hostclient *hc, const char *sock, char **cause)
{
	char path[PATH_MAX + 16], *slash;
	struct aa_buf b;
	size_t n;
	int rc;

	snprintf(path, sizeof(path), "%s", sock);
	if ((slash = strrchr(path, '/')) == NULL)
		return aa__cause(cause, AA_EINVAL, "no token: give "
		    "--auth-token or AGENTAPI_AUTH_TOKEN");
	snprintf(slash + 1, sizeof(path) - (size_t)(slash + 1 - path),
	    "host.token");
	aa_buf_init(&b);
	rc = aa_file_read_own(path, sizeof(hc->token) - 1, &b);
	n = b.len;
	while (n > 0 && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r'))
		n--;
	if (rc != 0 || n == 0) {
		aa_buf_release(&b);
		return aa__cause(cause, AA_EINVAL, "no token in %s (%s): give "
		    "--auth-token or AGENTAPI_AUTH_TOKEN", path, rc != 0 ?
		    aa_strerror(rc) : "empty");
	}
	for (size_t i = 0; i < n; i++)
		if (b.data[i] <= 0x20 || b.data[i] >= 0x7f) {
			aa_buf_release(&b);
			return aa__cause(cause, AA_EINVAL, "%s does not hold "
			    "a token", path);
		}
	memcpy(hc->token, b.data, n);
	hc->token[n] = '\0';
	aa_buf_release(&b);
	return 0;
}

int
aa_hostclient_open(struct aa_hostclient *hc, const char *sock,
    const char *url, const char *token, char **cause)
{
	char def[PATH_MAX];
	int rc;

	memset(hc, 0, sizeof(*hc));
	if (sock == NULL || *sock == '\0') {
		if (aa_host_default_socket(def, sizeof(def)) != 0)
			return aa__cause(cause, AA_EINVAL, "no $XDG_RUNTIME_DIR "
			    "or $HOME for the host's socket: give --socket");
		sock = def;
	}
	if (url == NULL || *url == '\0') {
		snprintf(hc->where, sizeof(hc->where), "%s", sock);
		return attach_unix_target(&hc->t, sock, "", cause);
	}
	snprintf(hc->where, sizeof(hc->where), "%s", url);
	if ((rc = attach_parse_target(&hc->t, url, cause)) != 0)
		return rc;
	if (token != NULL && *token != '\0') {
		if (strlen(token) >= sizeof(hc->token))
			return aa__cause(cause, AA_EINVAL, "the token is too "
			    "long");
		strcpy(hc->token, token);
		return 0;
	}
	return read_token(hc, sock, cause);
}

int
aa_hostclient_call(const struct aa_hostclient *hc, const char *method,
    const char *path, const char *body, int *status, cJSON **out,
    char **cause)
{
	struct reply r;
	int rc;

	*status = 0;
	*out = NULL;
	*cause = NULL;
	attach_reply_init(&r, 0);
	r.max = AA_HOSTCLIENT_MAX;
	rc = attach_round_trip(&hc->t, hc->token, method, path,
	    body != NULL ? body : (strcmp(method, "POST") == 0 ? "{}" : NULL),
	    &r, cause);
	if (rc == 0) {
		*status = r.status;
		*out = cJSON_ParseWithLength(aa_buf_str(&r.body), r.body.len);
		if (r.status == 401 && *out == NULL)
			*out = cJSON_CreateObject();
	} else if (rc == AA_E2BIG) {
		free(*cause);
		*cause = strdup("the host's answer is too large");
	}
	attach_reply_release(&r);
	return rc;
}

const char *
aa_hostclient_detail(const cJSON *o, const char *fallback, char *buf,
    size_t size)
{
	const char *d = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(o, "detail"));
	const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "errors"),
	    0), "message"));

	if (d == NULL || *d == '\0')
		d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o,
		    "title"));
	if (d == NULL || *d == '\0')
		d = fallback;
	if (m != NULL && *m != '\0' && strstr(m, d) == NULL)
		snprintf(buf, size, "%s: %s", d, m);
	else
		snprintf(buf, size, "%s", d);
	return buf;
}

int
aa_hostclient_find(const struct aa_hostclient *hc, const char *ref,
    char *id, char **cause)
{
	const cJSON *a, *e;
	const char *hit = NULL;
	cJSON *o;
	size_t rn = strlen(ref);
	int status, rc, names = 0, prefixes = 0;
	const char *by_name = NULL, *by_prefix = NULL;

	if ((rc = aa_hostclient_call(hc, "GET", "/sessions", NULL, &status,
	    &o, cause)) != 0)
		return rc;
	a = cJSON_GetObjectItemCaseSensitive(o, "sessions");
	if (status != 200 || !cJSON_IsArray(a)) {
		char why[512];

		rc = aa__cause(cause, AA_ECORRUPT, "listing the sessions: %s",
		    aa_hostclient_detail(o, "not a session list", why,
		    sizeof(why)));
		cJSON_Delete(o);
		return rc;
	}
	cJSON_ArrayForEach(e, a) {
		const char *sid = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "id"));
		const char *name = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "name"));

		if (sid == NULL || !aa_hostclient_is_id(sid))
			continue;
		if (strcmp(sid, ref) == 0)
			hit = sid;
		if (name != NULL && strcmp(name, ref) == 0) {
			by_name = sid;
			names++;
		}
		if (rn >= 4 && strncmp(sid, ref, rn) == 0) {
			by_prefix = sid;
			prefixes++;
		}
	}
	if (hit == NULL && names == 1)
		hit = by_name;
	if (hit == NULL && names == 0 && prefixes == 1)
		hit = by_prefix;
	if (hit != NULL)
		memcpy(id, hit, AA_HOSTCLIENT_ID_LEN + 1);
	else if (names > 1)
		rc = aa__cause(cause, AA_ENOENT, "%d sessions are named %s: "
		    "give the id", names, ref);
	else if (prefixes > 1)
		rc = aa__cause(cause, AA_ENOENT, "%s is the start of %d ids: "
		    "give more of it", ref, prefixes);
	else
		rc = aa__cause(cause, AA_ENOENT, "no session %s on the host "
		    "at %s", ref, hc->where);
	cJSON_Delete(o);
	return rc;
}
