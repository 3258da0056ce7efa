/*
 * api.c - aa_api: the agentapi endpoints (../shared/spec/http.md §3, §8)
 * on aa_http, and the API's life: made, given its session, mounted,
 * closed.  The event streams are in api-events.c, the pages in
 * api-assets.c; api-private.h is what the three share.
 *
 * Handlers answer from the session's current state at once: nothing here
 * waits for a send in progress (upstream's global lock is gone).  A user
 * message is the only request answered later, from the session's send
 * callback; if its client goes away first the request is forgotten and
 * the send goes on.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/error.h"
#include "base/log.h"
#include "http/access.h"
#include "api/api.h"
#include "api/api-private.h"
#include "api/control.h"
#include "http/http.h"
#include "api/json.h"
#include "runtime/session.h"
#include "http/sse.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "core/prompt.h"
#include "core/queue.h"
#include "api/upload.h"

#define API_MESSAGE_BODY_LIMIT (1024 * 1024)

/* A user message waiting for the session's verdict. */
struct pending_send {
	struct aa_http_req *req; /* NULL once the client went away */
};

static int add_health(const struct aa_health *h, cJSON *o);

/* Returns the wire status of the conversation ("running" before a
 * session is attached). */
const char *
aa__api_status(const struct aa_api *api)
{
	return api->session != NULL ? aa_session_status_name(api->session)
				    : "running";
}

/* Adds text as a JSON string, replacing invalid UTF-8 (cJSON would pass
 * it through and emit invalid JSON). */
cJSON *
aa__api_add_text(cJSON *o, const char *name, const char *text, size_t len)
{
	struct aa_buf b;
	cJSON *item;

	if (aa_utf8_valid(text, len) && strlen(text) == len)
		return cJSON_AddStringToObject(o, name, text);
	aa_buf_init(&b);
	/* NUL bytes would truncate the C string: replace them too. */
	if (aa_utf8_sanitize(&b, text, len) != 0) {
		aa_buf_release(&b);
		return NULL;
	}
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\0')
			b.data[i] = '?';
	item = cJSON_AddStringToObject(o, name, aa_buf_str(&b));
	aa_buf_release(&b);
	return item;
}

/* Adds a Go-style time string. */
cJSON *
aa__api_add_time(cJSON *o, const char *name, int64_t ns)
{
	struct aa_buf b;
	cJSON *item = NULL;

	aa_buf_init(&b);
	if (aa_time_format(&b, ns, 0) == 0)
		item = cJSON_AddStringToObject(o, name, aa_buf_str(&b));
	aa_buf_release(&b);
	return item;
}

/* Sends an object with the decorations of spec §2.4; frees it. */
static void
send_json(struct aa_http_req *req, int status, const char *schema, cJSON *o)
{
	if (o == NULL)
		aa_json_send_error(req, 500, "out of memory");
	else
		aa_json_send(req, status, schema, o);
	cJSON_Delete(o);
}

/* Adds "state", "prompt" (only while waiting) and "queue" (its length)
 * to o: what /status and state_change add to upstream's fields. */
int
aa__api_add_steer(const struct aa_api *api, cJSON *o)
{
	const struct aa_session *s = api->session;
	const struct aa_prompt *p;
	cJSON *po, *opts, *it;
	int64_t since;
	size_t i;

	if (cJSON_AddStringToObject(o, "state", aa_agent_state_name(s !=
	    NULL ? aa_session_state(s) : AA_STATE_STARTING)) == NULL)
		return AA_ENOMEM;
	if (s != NULL && (p = aa_session_prompt(s, &since)) != NULL) {
		if ((po = cJSON_AddObjectToObject(o, "prompt")) == NULL ||
		    cJSON_AddStringToObject(po, "kind",
			aa_prompt_kind_name(p->kind)) == NULL ||
		    aa__api_add_text(po, "question", p->question,
			strlen(p->question)) == NULL ||
		    (opts = cJSON_AddArrayToObject(po, "options")) == NULL)
			return AA_ENOMEM;
		for (i = 0; i < p->nopts; i++) {
			if ((it = cJSON_CreateObject()) == NULL)
				return AA_ENOMEM;
			cJSON_AddItemToArray(opts, it);
			if (cJSON_AddStringToObject(it, "key",
				p->opts[i].key) == NULL ||
			    aa__api_add_text(it, "label", p->opts[i].label,
				strlen(p->opts[i].label)) == NULL)
				return AA_ENOMEM;
		}
		if (aa__api_add_time(po, "since", since) == NULL)
			return AA_ENOMEM;
	}
	if (cJSON_AddNumberToObject(o, "queue", s != NULL ?
	    (double)aa_session_queue(s)->n : 0) == NULL)
		return AA_ENOMEM;
	return add_health(s != NULL ? aa_session_health(s) : NULL, o);
}

/* Adds "health" ("ok"/"degraded") and "reasons" ([{code, message}]):
 * whether the agent's rules still fit its screen (core/health.h). */
static int
add_health(const struct aa_health *h, cJSON *o)
{
	const struct aa_health_reason *r;
	cJSON *arr, *it;
	size_t i;

	if (cJSON_AddStringToObject(o, "health", h != NULL ?
	    aa_health_name(h) : "ok") == NULL ||
	    (arr = cJSON_AddArrayToObject(o, "reasons")) == NULL)
		return AA_ENOMEM;
	for (i = 0; h != NULL && (r = aa_health_reason(h, i)) != NULL; i++) {
		if ((it = cJSON_CreateObject()) == NULL)
			return AA_ENOMEM;
		cJSON_AddItemToArray(arr, it);
		if (cJSON_AddStringToObject(it, "code", r->name) == NULL ||
		    cJSON_AddStringToObject(it, "message", r->message) ==
		    NULL)
			return AA_ENOMEM;
	}
	return 0;
}

/* GET /status */
static void
h_status(struct aa_http_req *req, void *data)
{
	struct aa_api *api = data;
	cJSON *o = cJSON_CreateObject();

	if (o != NULL &&
	    (cJSON_AddStringToObject(o, "status", aa__api_status(api)) ==
		NULL ||
		cJSON_AddStringToObject(o, "agent_type", api->agent_type) ==
		    NULL ||
		cJSON_AddStringToObject(o, "transport", "pty") == NULL ||
		aa__api_add_steer(api, o) != 0)) {
		cJSON_Delete(o);
		o = NULL;
	}
	send_json(req, 200, "StatusResponseBody", o);
}

/* Builds message m's GET /messages JSON into e. */
static int
message_json_text(struct api_msg_json *e, const struct aa_message *m)
{
	struct aa_buf b;
	char num[24];
	uint64_t id;
	size_t k;
	int rc;

	aa_buf_init(&b);
	/* No printf: it dominated the profile. */
	k = sizeof(num);
	id = m->id < 0 ? 0 : (uint64_t)m->id;
	do {
		num[--k] = (char)('0' + id % 10);
		id /= 10;
	} while (id > 0);
	rc = aa_buf_puts(&b, "{\"id\":");
	AA__FIRST_ERROR(rc, aa_buf_append(&b, num + k, sizeof(num) - k));
	AA__FIRST_ERROR(rc, aa_buf_puts(&b, ",\"content\":"));
	AA__FIRST_ERROR(rc, aa_json_put_text(&b, m->text, m->len));
	AA__FIRST_ERROR(rc, aa_buf_puts(&b, ",\"role\":\""));
	AA__FIRST_ERROR(rc, aa_buf_puts(&b, aa_conv_role_name(m->role)));
	AA__FIRST_ERROR(rc, aa_buf_puts(&b, "\",\"time\":\""));
	AA__FIRST_ERROR(rc, aa_time_format(&b, m->time_ns, 0));
	AA__FIRST_ERROR(rc, aa_buf_puts(&b, "\"}"));
	if (rc != 0) {
		aa_buf_release(&b);
		return AA_ENOMEM;
	}
	free(e->json);
	/* The exact size: a thousand messages stay a thousand small blocks. */
	e->json = realloc(b.data, b.len + 1);
	if (e->json == NULL)
		e->json = b.data;
	e->json_len = b.len;
	e->text = m->text;
	e->len = m->len;
	e->time_ns = m->time_ns;
	e->role = m->role;
	return 0;
}

/* Returns message i's cached JSON, (re)building it if m changed. */
static const struct api_msg_json *
message_json_cached(struct aa_api *api, size_t i, const struct aa_message *m)
{
	struct api_msg_json *e;
	size_t ncap;

	if (i >= api->nmjson) {
		ncap = api->nmjson < 16 ? 16 : api->nmjson;
		while (ncap <= i)
			ncap *= 2;
		e = realloc(api->mjson, ncap * sizeof(*e));
		if (e == NULL)
			return NULL;
		memset(e + api->nmjson, 0, (ncap - api->nmjson) * sizeof(*e));
		api->mjson = e;
		api->nmjson = ncap;
	}
	e = &api->mjson[i];
	if (e->json == NULL || e->text != m->text || e->len != m->len ||
	    e->time_ns != m->time_ns || e->role != m->role)
		if (message_json_text(e, m) != 0)
			return NULL;
	return e;
}

/* GET /messages: printed directly, not through a cJSON tree, from each
 * message's cached JSON (the same bytes at a fraction of the cost; bench
 * rows 5 and 8). */
static void
h_messages(struct aa_http_req *req, void *data)
{
	struct aa_api *api = data;
	const struct api_msg_json *e;
	struct aa_buf b;
	size_t i, n, total = 16;
	int rc = 0;

	n = api->session != NULL ? aa_session_message_count(api->session) : 0;
	for (i = 0; i < n && rc == 0; i++) {
		e = message_json_cached(api, i,
		    aa_session_message(api->session, i));
		if (e == NULL)
			rc = AA_ENOMEM;
		else
			total += e->json_len + 1;
	}
	aa_buf_init(&b);
	AA__FIRST_ERROR(rc, aa_buf_reserve(&b, total));
	AA__FIRST_ERROR(rc, aa_buf_puts(&b, "{\"messages\":["));
	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0)
			b.data[b.len++] = ',';
		AA__FIRST_ERROR(rc, aa_buf_append(&b, api->mjson[i].json,
		    api->mjson[i].json_len));
	}
	AA__FIRST_ERROR(rc, aa_buf_puts(&b, "]}"));
	if (rc != 0)
		aa_json_send_error(req, 500, "out of memory");
	else
		aa_json_send_text(req, 200, "MessagesResponseBody",
		    aa_buf_str(&b));
	aa_buf_release(&b);
}

/* Sends {"ok":true} (MessageResponseBody). */
static void
send_ok(struct aa_http_req *req)
{
	aa_json_send_ok(req, 200, NULL);
}

/* control.h: the control routes' data is the API. */
struct aa_session *
aa_control_session(void *data)
{
	return ((struct aa_api *)data)->session;
}

/* Answers a failed send with the error table's status and detail (a 4xx
 * where the client, not the server, has to act); errors[0].message is
 * upstream's "failed to send message: <why>". */
static void
send_failure(struct aa_http_req *req, int err, const char *why)
{
	char msg[512];

	snprintf(msg, sizeof(msg), AA_ERROR_SEND_FAILED "%s", why);
	aa_json_send_one(req, aa_error_http_status(err),
	    aa_error_http_detail(err), msg, NULL, NULL);
}

/* The client of a pending user message went away. */
static void
pending_closed(struct aa_http_req *req, void *arg)
{
	struct pending_send *p = arg;

	(void)req;
	p->req = NULL;
}

/* The session's verdict on a user message. */
static void
pending_done(void *ud, int err)
{
	struct pending_send *p = ud;

	if (p->req != NULL) {
		if (err == 0)
			send_ok(p->req);
		else
			send_failure(p->req, err, aa_error_send_text(err));
	}
	free(p);
}

/* Checks a MessageRequestBody the way upstream's validator words it;
 * returns 0 and the two members, or sends a 422. */
static int
check_message_body(struct aa_http_req *req, cJSON *body, cJSON **content,
    cJSON **type, int *queue)
{
	cJSON *p, *it, *c = NULL, *t = NULL, *q = NULL;
	char loc[300];

	if (!cJSON_IsObject(body)) {
		aa_json_send_one(req, 422, "validation failed", "expected object",
		    "body", cJSON_Duplicate(body, 1));
		return -1;
	}
	if ((p = aa_json_problem(422, "validation failed")) == NULL) {
		aa_json_send_error(req, 500, "out of memory");
		return -1;
	}
	/* Property names match case-insensitively, as Go's decoder. */
	cJSON_ArrayForEach(it, body)
	{
		if (strcasecmp(it->string, "content") == 0)
			c = it;
		else if (strcasecmp(it->string, "type") == 0)
			t = it;
		else if (strcmp(it->string, "queue") == 0)
			q = it;	/* ours: queue while the agent works */
		else if (strcmp(it->string, "$schema") != 0) {
			snprintf(loc, sizeof(loc), "body.%.256s", it->string);
			aa_json_problem_add(p, "unexpected property", loc,
			    cJSON_Duplicate(body, 1));
		}
	}
	if (c == NULL)
		aa_json_problem_add(p,
		    "expected required property content to be present", "body",
		    cJSON_Duplicate(body, 1));
	else if (!cJSON_IsString(c))
		aa_json_problem_add(p, "expected string", "body.content",
		    cJSON_Duplicate(c, 1));
	if (t == NULL)
		aa_json_problem_add(p,
		    "expected required property type to be present", "body",
		    cJSON_Duplicate(body, 1));
	else if (!cJSON_IsString(t))
		aa_json_problem_add(p, "expected string", "body.type",
		    cJSON_Duplicate(t, 1));
	else if (strcmp(t->valuestring, "user") != 0 &&
	    strcmp(t->valuestring, "raw") != 0)
		aa_json_problem_add(p, "expected value to be one of \"user, "
				       "raw\"",
		    "body.type", cJSON_Duplicate(t, 1));
	if (q != NULL && !cJSON_IsBool(q))
		aa_json_problem_add(p, "expected boolean", "body.queue",
		    cJSON_Duplicate(q, 1));
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p,
		"errors")) > 0) {
		aa_json_send_problem(req, p);
		cJSON_Delete(p);
		return -1;
	}
	cJSON_Delete(p);
	*content = c;
	*type = t;
	*queue = cJSON_IsTrue(q);
	return 0;
}

/* Sends a user message; the answer comes from pending_done. */
static void
send_user(struct aa_api *api, struct aa_http_req *req, const char *text)
{
	struct pending_send *p;
	struct aa_buf clean;
	int rc;

	aa_buf_init(&clean);
	if (aa_utf8_sanitize(&clean, text, strlen(text)) != 0 ||
	    (p = malloc(sizeof(*p))) == NULL) {
		aa_buf_release(&clean);
		aa_json_send_error(req, 500, "out of memory");
		return;
	}
	p->req = req;
	rc = aa_session_send_user(api->session, aa_buf_str(&clean), clean.len,
	    pending_done, p);
	aa_buf_release(&clean);
	if (rc != 0) {
		free(p);
		send_failure(req, rc, aa_error_send_text(rc));
		return;
	}
	aa_http_req_on_close(req, pending_closed, p);
}

/* Queues a user message for when the agent is idle: 202 with its id and
 * position, 429 when the queue is full, 413 past its byte bound. */
static void
queue_user(struct aa_api *api, struct aa_http_req *req, const char *text)
{
	struct aa_buf clean;
	uint64_t id;
	cJSON *extra;
	size_t a, b;
	int rc;

	aa_buf_init(&clean);
	if (aa_utf8_sanitize(&clean, text, strlen(text)) != 0) {
		aa_buf_release(&clean);
		aa_json_send_error(req, 500, "out of memory");
		return;
	}
	aa_text_trim_space(clean.data, clean.len, &a, &b);
	if (a == b)
		rc = AA_EEMPTY;
	else
		rc = aa_session_enqueue(api->session, clean.data + a, b - a,
		    &id);
	aa_buf_release(&clean);
	if (rc == AA_EAGAIN) {
		aa_json_send_one(req, 429, "Too Many Requests",
		    "the queue is full", "body.queue", NULL);
		return;
	}
	if (rc == AA_E2BIG) {
		aa_json_send_one(req, 413, "Request Entity Too Large",
		    "the queue's messages would pass its size limit",
		    "body.content", NULL);
		return;
	}
	if (rc != 0) {
		send_failure(req, rc, aa_error_send_text(rc));
		return;
	}
	if ((extra = cJSON_CreateObject()) == NULL ||
	    cJSON_AddTrueToObject(extra, "queued") == NULL ||
	    cJSON_AddNumberToObject(extra, "id", (double)id) == NULL ||
	    cJSON_AddNumberToObject(extra, "position", (double)
		aa_queue_position(aa_session_queue(api->session), id)) ==
		NULL) {
		cJSON_Delete(extra);
		aa_json_send_error(req, 500, "out of memory");
		return;
	}
	aa_json_send_ok(req, 202, extra);
}

/* POST /message */
static void
h_message(struct aa_http_req *req, void *data)
{
	struct aa_api *api = data;
	cJSON *body, *content, *type;
	int rc, queue;

	if (aa_json_req_body(req, &body) != 0)
		return;
	if (check_message_body(req, body, &content, &type, &queue) != 0) {
		cJSON_Delete(body);
		return;
	}
	if (api->session == NULL) {
		cJSON_Delete(body);
		send_failure(req, AA_EBUSY, aa_error_send_text(AA_EBUSY));
		return;
	}
	if (strcmp(type->valuestring, "raw") == 0) {
		/* Raw keystrokes go out unchanged, whatever the status. */
		rc = aa_session_send_raw(api->session, content->valuestring,
		    strlen(content->valuestring));
		if (rc == 0)
			send_ok(req);
		else
			send_failure(req, rc, rc == AA_EEXITED ||
			    rc == AA_EAGAIN ? aa_error_send_text(rc) :
			    aa_strerror(rc));
	} else if (queue && !aa_session_idle(api->session))
		queue_user(api, req, content->valuestring);
	else
		send_user(api, req, content->valuestring);
	cJSON_Delete(body);
}

/* POST /upload (src/upload.c). */
static void
h_upload(struct aa_http_req *req, void *data)
{
	struct aa_api *api = data;

	aa_upload_handle(req, api->upload_dir, &api->log);
}

/* The route table.  Everything but the API itself is public: the chat
 * page must load before it can ask for a token.  ?token= is taken only by
 * the EventSource routes; every POST (and any future route flagged
 * AA_HTTP_CHANGES_STATE) refuses a foreign Origin in the transport. */
static const struct aa_http_route routes[] = {
	{ "GET", "/status", h_status, 0, 0 },
	{ "GET", "/messages", h_messages, 0, 0 },
	{ "POST", "/message", h_message, API_MESSAGE_BODY_LIMIT, 0 },
	{ "POST", "/upload", h_upload, AA_UPLOAD_BODY_LIMIT,
	    AA_HTTP_STREAM_BODY },
	{ "GET", "/events", aa__api_h_events, 0, AA_HTTP_QUERY_TOKEN },
	{ "GET", "/internal/screen", aa__api_h_screen, 0, AA_HTTP_QUERY_TOKEN },
	{ "GET", "/openapi.json", aa__api_h_openapi, 0, AA_HTTP_PUBLIC },
	{ "GET", "/docs", aa__api_h_docs, 0, AA_HTTP_PUBLIC },
	{ "GET", "/schemas/", aa__api_h_schema, 0,
	    AA_HTTP_PREFIX | AA_HTTP_PUBLIC },
	{ "*", "/", aa__api_h_root, 0, AA_HTTP_PUBLIC },
	{ "*", "/chat", aa__api_h_chat, 0, AA_HTTP_PUBLIC },
	{ "*", "/chat/", aa__api_h_chat, 0, AA_HTTP_PREFIX | AA_HTTP_PUBLIC },
};

/* The transport's own refusals (401, 408, 413, parse errors) as
 * problem+json, like every other error of the API. */
static void
api_send_error(struct aa_http_req *req, int status, const char *detail)
{
	(void)aa_json_send_error(req, status, detail);
}

/* Opens the API: listening itself (mount NULL) or serving its routes
 * through a host's server (aa_api_new_mounted). */
static int
api_open(struct aa_api **out, uv_loop_t *loop,
    const struct aa_api_options *o, const struct aa_log *log,
    struct aa_http_server *mount, char **cause)
{
	struct aa_access_options ao;
	struct aa_sse_options so;
	struct aa_http_options ho;
	struct aa_api *api;
	const char *base;
	size_t blen;
	int rc;

	*out = NULL;
	if ((api = calloc(1, sizeof(*api))) == NULL)
		return AA_ENOMEM;
	api->loop = loop;
	if (log != NULL)
		api->log = *log;
	strcpy(api->agent_type, "custom");
	base = o->chat_base_path != NULL ? o->chat_base_path : "/chat";
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if ((api->chat_base = strndup(base, blen)) == NULL) {
		rc = AA_ENOMEM;
		goto fail;
	}
	memset(&ao, 0, sizeof(ao));
	ao.allowed_hosts = o->allowed_hosts;
	ao.nallowed_hosts = o->nallowed_hosts;
	ao.allowed_origins = o->allowed_origins;
	ao.nallowed_origins = o->nallowed_origins;
	ao.token = o->auth_token;
	if ((rc = aa_access_new(&api->access, &ao, cause)) != 0)
		goto fail;
	memset(&so, 0, sizeof(so));
	/* Ids from the clock: a Last-Event-ID from an earlier run is always
	 * older than this run's first id, so it gets a full replay. */
	so.first_id = (uint64_t)(aa__wall_ns() / 1000000) * 1000;
	if ((rc = aa_sse_stream_new(&api->events, loop, &so)) != 0)
		goto fail;
	memset(&so, 0, sizeof(so));
	so.latest_wins = 1;
	if ((rc = aa_sse_stream_new(&api->screen, loop, &so)) != 0)
		goto fail;
	if ((rc = aa_upload_dir_create(api->upload_dir,
		 sizeof(api->upload_dir), o->upload_parent, cause)) != 0)
		goto fail;
	AA_LOG(&api->log, AA_LOG_INFO,
	    "Created temporary directory for uploads tempDir=%s",
	    api->upload_dir);
	memset(&ho, 0, sizeof(ho));
	ho.send_error = api_send_error;
	ho.addrs = o->addrs;
	ho.naddrs = o->naddrs;
	ho.port = o->port;
	api->routes = calloc(AA__ARRAY_SIZE(routes) + aa_control_nroutes,
	    sizeof(*api->routes));
	if (api->routes == NULL) {
		rc = AA_ENOMEM;
		goto fail;
	}
	memcpy(api->routes, routes, sizeof(routes));
	memcpy(api->routes + AA__ARRAY_SIZE(routes), aa_control_routes,
	    aa_control_nroutes * sizeof(*api->routes));
	ho.routes = api->routes;
	ho.nroutes = api->nroutes = AA__ARRAY_SIZE(routes) +
	    aa_control_nroutes;
	ho.data = api;
	ho.access = api->access;
	api->mount = mount;
	if (mount == NULL &&
	    (rc = aa_http_server_new(&api->http, loop, &ho, cause)) != 0)
		goto fail;
	*out = api;
	return 0;
fail:
	aa_api_close(api, NULL, NULL);
	return rc;
}

int
aa_api_new(struct aa_api **out, uv_loop_t *loop,
    const struct aa_api_options *o, const struct aa_log *log, char **cause)
{
	return api_open(out, loop, o, log, NULL, cause);
}

int
aa_api_new_mounted(struct aa_api **out, uv_loop_t *loop,
    const struct aa_api_options *o, const struct aa_log *log,
    struct aa_http_server *http, char **cause)
{
	if (http == NULL) {
		*out = NULL;
		return AA_EINVAL;
	}
	return api_open(out, loop, o, log, http, cause);
}

const struct aa_http_route *
aa_api_routes(const struct aa_api *api, size_t *n)
{
	*n = api->nroutes;
	return api->routes;
}

void
aa_api_set_session(struct aa_api *api, struct aa_session *s,
    const char *agent_type)
{
	api->session = s;
	if (agent_type != NULL)
		snprintf(api->agent_type, sizeof(api->agent_type), "%s",
		    agent_type);
}

/* Frees the API once the transport and both streams have closed (until
 * then the HTTP server points at the access checks, and an upload's close
 * callback at the upload directory's name), then tells the owner. */
static void
api_release(struct aa_api *api)
{
	aa_api_close_cb cb = api->close_cb;
	void *ud = api->close_ud;
	size_t i;

	aa_access_free(api->access);
	for (i = 0; i < api->nerrors; i++)
		cJSON_free(api->errors[(api->errhead + i) % API_MAX_ERRORS]);
	for (i = 0; i < api->nmjson; i++)
		free(api->mjson[i].json);
	free(api->mjson);
	free(api->chat_base);
	free(api->routes);
	free(api);
	if (cb != NULL)
		cb(ud);
}

/* Counts one closed part (the HTTP server or a stream). */
static void
api_part_closed(void *ud)
{
	struct aa_api *api = ud;

	if (--api->closing_parts == 0)
		api_release(api);
}

void
aa_api_close(struct aa_api *api, aa_api_close_cb cb, void *ud)
{
	if (api == NULL || api->closing)
		return;
	api->closing = 1;
	api->close_cb = cb;
	api->close_ud = ud;
	api->session = NULL;
	/* One count per part, and one for this call, so that a part that
	 * reported at once could not free the API under our feet. */
	api->closing_parts = 1 + (api->http != NULL) +
	    (api->events != NULL) + (api->screen != NULL) +
	    (api->mount != NULL);
	aa_http_server_close(api->http, api_part_closed, api);
	aa_sse_stream_close(api->events, api_part_closed, api);
	aa_sse_stream_close(api->screen, api_part_closed, api);
	/* Mounted: the connections are the host's; those still in one of
	 * our requests (an upload, a stream) close before we are freed. */
	if (api->mount != NULL)
		aa_http_server_drop(api->mount, api, api_part_closed, api);
	/* The directory goes now, not when the handles have closed: an
	 * owner whose start failed may never run the loop again. */
	if (api->upload_dir[0] != '\0') {
		aa_upload_dir_remove(api->upload_dir);
		AA_LOG(&api->log, AA_LOG_INFO,
		    "Cleaned up temporary directory %s", api->upload_dir);
	}
	api_part_closed(api);
}

int
aa_api_port(const struct aa_api *api)
{
	return api->http != NULL ? aa_http_server_port(api->http) : 0;
}

const char *
aa_api_upload_dir(const struct aa_api *api)
{
	return api->upload_dir;
}
