/*
 * api-assets.c - what the API serves that is not the API: the chat page
 * and its files, the reference (/docs), the OpenAPI document and its
 * schemas, all embedded in the binary (webassets.h) and served with
 * their validators; and the redirects of "/" and "/chat" (spec §8).
 * Everything here is public: the chat page must load before it can ask
 * for a token.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/api-private.h"
#include "http/http.h"
#include "api/webassets.h"

/* Serves an embedded file with its validators (ETag, gzip). */
static void
send_asset(struct aa_http_req *req, const struct aa_asset *a,
    const char *type)
{
	const char *inm = aa_http_req_header(req, "If-None-Match");
	const char *ae = aa_http_req_header(req, "Accept-Encoding");

	aa_http_res_header(req, "ETag", a->etag);
	aa_http_res_header(req, "Cache-Control", "no-cache");
	if (a->gz != NULL)
		aa_http_res_header(req, "Vary", "Accept-Encoding");
	if (inm != NULL && strstr(inm, a->etag) != NULL) {
		aa_http_reply(req, 304, NULL, "", 0);
		return;
	}
	if (a->gz != NULL && ae != NULL && strstr(ae, "gzip") != NULL) {
		aa_http_res_header(req, "Content-Encoding", "gzip");
		aa_http_reply(req, 200, type ? type : a->type, a->gz, a->gzlen);
		return;
	}
	aa_http_reply(req, 200, type ? type : a->type, a->data, a->len);
}

/* Serves the asset at path, or 404. */
static void
serve_path(struct aa_http_req *req, const char *path, const char *type)
{
	const struct aa_asset *a = aa_asset_find(path);

	if (a == NULL) {
		aa_http_reply(req, 404, "text/plain; charset=utf-8",
		    "404 page not found\n", 19);
		return;
	}
	send_asset(req, a, type);
}

void
aa_api_serve_asset(struct aa_http_req *req, const char *path)
{
	serve_path(req, path, NULL);
}

/* Sends a redirect. */
static void
redirect(struct aa_http_req *req, int status, const char *location)
{
	aa_http_res_header(req, "Location", location);
	aa_http_reply(req, status, "text/html; charset=utf-8", "", 0);
}

/* Any method on exactly "/": 307 to the chat's embed page (spec §8). */
void
aa__api_h_root(struct aa_http_req *req, void *data)
{
	struct aa_api *api = data;
	char loc[PATH_MAX];

	snprintf(loc, sizeof(loc), "%s/embed", api->chat_base);
	redirect(req, 307, loc);
}

/*
 * /chat and /chat/...: the routes are always mounted at /chat (a proxy
 * strips its own prefix; --chat-base-path only says where the chat lives
 * from the outside).  The page uses URLs relative to itself, so the same
 * bytes work at any prefix.
 */
void
aa__api_h_chat(struct aa_http_req *req, void *data)
{
	const char *path = aa_http_req_path(req), *rest;
	char asset[PATH_MAX];

	(void)data;
	if (strcmp(path, "/chat") == 0) {
		redirect(req, 301, "chat/");
		return;
	}
	rest = path + strlen("/chat/");
	if (*rest == '\0' || strcmp(rest, "embed") == 0 ||
	    strcmp(rest, "index.html") == 0) {
		serve_path(req, "web/index.html", NULL);
		return;
	}
	if (strcmp(rest, "embed/") == 0) {
		/* Keep the query: the page reads ?url= and ?token=. */
		const char *q = aa_http_req_query(req);
		int n = snprintf(asset, sizeof(asset), "../embed%s%s",
		    q != NULL && *q != '\0' ? "?" : "", q != NULL ? q : "");

		redirect(req, 301, n > 0 && (size_t)n < sizeof(asset) ?
		    asset : "../embed");
		return;
	}
	if (strstr(rest, "..") != NULL || strlen(rest) > 200) {
		serve_path(req, "", NULL);
		return;
	}
	snprintf(asset, sizeof(asset), "web/%s", rest);
	serve_path(req, asset, NULL);
}

/* GET /docs: the self-contained API reference. */
void
aa__api_h_docs(struct aa_http_req *req, void *data)
{
	(void)data;
	serve_path(req, "web/docs.html", NULL);
}

/* GET /openapi.json */
void
aa__api_h_openapi(struct aa_http_req *req, void *data)
{
	(void)data;
	serve_path(req, "schemas/openapi.json",
	    "application/vnd.oai.openapi+json");
}

/* GET /schemas/<Name>.json */
void
aa__api_h_schema(struct aa_http_req *req, void *data)
{
	const char *name = aa_http_req_path(req) + strlen("/schemas/");
	char asset[PATH_MAX];

	(void)data;
	if (strchr(name, '/') != NULL || strstr(name, "..") != NULL ||
	    strlen(name) > 200) {
		serve_path(req, "", NULL);
		return;
	}
	snprintf(asset, sizeof(asset), "schemas/%s", name);
	serve_path(req, asset, "application/json");
}

const char *
aa_api_openapi(size_t *lenp)
{
	const struct aa_asset *a = aa_asset_find("schemas/openapi.json");

	if (a == NULL)
		return NULL;
	*lenp = a->len;
	return (const char *)a->data;
}
