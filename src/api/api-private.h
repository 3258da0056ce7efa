/*
 * api-private.h - what the files of aa_api share and nobody else sees.
 *
 * The API is one module split by concept: api.c (/status, /messages,
 * /message, the route table, the API's life), api-events.c (the event
 * streams behind /events and /internal/screen) and api-assets.c (the
 * embedded pages and their redirects).  They all work on the one struct
 * aa_api, so it is defined here instead of in api.c; outside src/api it
 * stays opaque.
 */
#ifndef AA_API_PRIVATE_H
#define AA_API_PRIVATE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>
#include <uv.h>

#include "base/log.h"
#include "core/conv.h"
#include "api/api.h"

struct aa_access;
struct aa_http_req;
struct aa_http_route;
struct aa_http_server;
struct aa_session;
struct aa_sse_stream;

#define API_MAX_ERRORS 100

struct aa_api {
	uv_loop_t *loop;
	struct aa_http_server *http;
	struct aa_access *access;
	struct aa_sse_stream *events;
	struct aa_sse_stream *screen;
	struct aa_http_route *routes;	 /* upstream's, then control.c's */
	size_t nroutes;
	struct aa_http_server *mount;	 /* the host's server we are mounted
					  * on (aa_api_new_mounted), or NULL */
	struct aa_session *session;
	char agent_type[32];
	char *chat_base;	 /* external chat path, no trailing slash */
	char upload_dir[PATH_MAX];
	char *errors[API_MAX_ERRORS]; /* agent_error data (JSON), a ring */
	size_t nerrors, errhead;
	struct aa_log log;	 /* the owner's */
	int closing;		 /* aa_api_close was called */
	int closing_parts;	 /* close callbacks still due */
	aa_api_close_cb close_cb;
	void *close_ud;
	struct api_msg_json *mjson; /* GET /messages' JSON, one per message */
	size_t nmjson;
};

/*
 * One message as GET /messages prints it, built on the first request after
 * the message changed (aa_api_on_message drops it) rather than on every
 * request: escaping the text and formatting the time were 85 % of the
 * cost.  The message it was built from (text pointer, length, time, role)
 * is kept too, so a change that was never announced is caught as well.
 */
struct api_msg_json {
	const char *text;
	size_t len;
	int64_t time_ns;
	enum aa_role role;
	char *json; /* {"id":..,"content":..,"role":..,"time":..} */
	size_t json_len;
};

/* api.c: the wire status of the conversation ("running" before a session
 * is attached). */
const char *aa__api_status(const struct aa_api *api);
/* api.c: adds text as a JSON string, invalid UTF-8 and NUL replaced. */
cJSON *aa__api_add_text(cJSON *o, const char *name, const char *text,
    size_t len);
/* api.c: adds a Go-style time string. */
cJSON *aa__api_add_time(cJSON *o, const char *name, int64_t ns);
/* api.c: adds /status's steering fields (state, prompt, queue, health,
 * reasons): what state_change carries too. */
int aa__api_add_steer(const struct aa_api *api, cJSON *o);

/* api-events.c: GET /events and GET /internal/screen. */
void aa__api_h_events(struct aa_http_req *req, void *data);
void aa__api_h_screen(struct aa_http_req *req, void *data);

/* api-assets.c: "/" (any method), /chat and /chat/..., GET /docs,
 * GET /openapi.json, GET /schemas/<Name>.json. */
void aa__api_h_root(struct aa_http_req *req, void *data);
void aa__api_h_chat(struct aa_http_req *req, void *data);
void aa__api_h_docs(struct aa_http_req *req, void *data);
void aa__api_h_openapi(struct aa_http_req *req, void *data);
void aa__api_h_schema(struct aa_http_req *req, void *data);

#endif /* AA_API_PRIVATE_H */
