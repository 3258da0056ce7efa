/*
 * control.c - the endpoints that steer the agent (issue 13): answer the
 * prompt it waits on, interrupt its turn, press named keys, resize its
 * terminal, and the message queue.  None of them exists upstream; all are
 * additive and answer problem+json errors like the rest of the API.
 *
 * The handlers validate the whole body before touching the agent: a
 * request that names one unknown key among ten types nothing.  Bounds:
 * 64 keys and 64 KiB of text per /keys request, the terminal between
 * AA_CONTROL_MIN/MAX_* cells, queue ids as decimal uint64.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/text.h"
#include "base/timefmt.h"
#include "core/keys.h"
#include "core/prompt.h"
#include "core/queue.h"
#include "api/control.h"
#include "api/json.h"
#include "http/http.h"
#include "runtime/session.h"

#define CONTROL_MAX_KEYS 64
#define CONTROL_MAX_TEXT (64 * 1024)

static struct aa_session *live_session(struct aa_http_req *req,
    void *data);
static int body_object(struct aa_http_req *req, cJSON **body);
static int only_members(struct aa_http_req *req, cJSON *body,
    const char *const *names);
static int options_text(const struct aa_prompt *p, struct aa_buf *out);
static int add_keys(struct aa_http_req *req, struct aa_session *s,
    const cJSON *keys, struct aa_buf *bytes);

/* The session, or NULL after answering 503 (none yet, or exited). */
static struct aa_session *
live_session(struct aa_http_req *req, void *data)
{
	struct aa_session *s = aa_control_session(data);

	if (s == NULL || aa_session_state(s) == AA_STATE_EXITED) {
		aa_json_send_one(req, 503, aa_error_http_detail(AA_EEXITED),
		    "the agent has exited", NULL, NULL);
		return NULL;
	}
	return s;
}

/* Parses a JSON object body, or answers the problem and returns -1. */
static int
body_object(struct aa_http_req *req, cJSON **body)
{
	if (aa_json_req_body(req, body) != 0)
		return -1;
	if (!cJSON_IsObject(*body)) {
		aa_json_send_one(req, 422, "validation failed",
		    "expected object", "body", *body);
		*body = NULL;
		return -1;
	}
	return 0;
}

/* Refuses members other than names (and "$schema") with one 422. */
static int
only_members(struct aa_http_req *req, cJSON *body, const char *const *names)
{
	const cJSON *it;
	char loc[300];
	size_t i;

	cJSON_ArrayForEach(it, body)
	{
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(it->string, names[i]) == 0)
				break;
		if (names[i] != NULL || strcmp(it->string, "$schema") == 0)
			continue;
		snprintf(loc, sizeof(loc), "body.%.256s", it->string);
		aa_json_send_one(req, 422, "validation failed",
		    "unexpected property", loc, NULL);
		return -1;
	}
	return 0;
}

/* "1 (Yes), 2 (No)" for error messages. */
static int
options_text(const struct aa_prompt *p, struct aa_buf *out)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < p->nopts; i++)
		rc = aa_buf_printf(out, "%s%s (%s)", i > 0 ? ", " : "",
		    p->opts[i].key, p->opts[i].label);
	return rc;
}

/* POST /answer {"option": key | label | index} */
static void
h_answer(struct aa_http_req *req, void *data)
{
	static const char *const members[] = { "option", NULL };
	struct aa_session *s;
	const struct aa_prompt *p;
	const cJSON *opt;
	struct aa_buf msg;
	cJSON *body;
	int idx = -1, rc;

	if ((s = live_session(req, data)) == NULL || body_object(req, &body))
		return;
	if (only_members(req, body, members) != 0)
		goto out;
	opt = cJSON_GetObjectItemCaseSensitive(body, "option");
	if (!cJSON_IsString(opt) && !cJSON_IsNumber(opt)) {
		aa_json_send_one(req, 422, "validation failed",
		    "expected property option to be a string (key or label) "
		    "or an integer (index)", "body.option", NULL);
		goto out;
	}
	if ((p = aa_session_prompt(s, NULL)) == NULL) {
		aa_json_send_one(req, 409, "the agent is not waiting for an "
		    "answer", "nothing to answer: the agent is not waiting",
		    NULL, NULL);
		goto out;
	}
	if (cJSON_IsString(opt))
		idx = aa_prompt_find(p, opt->valuestring);
	else if (opt->valuedouble >= 0 && opt->valuedouble < (double)p->nopts &&
	    opt->valuedouble == (double)(int)opt->valuedouble)
		idx = (int)opt->valuedouble;
	if (idx < 0) {
		aa_buf_init(&msg);
		if (aa_buf_puts(&msg, "unknown option; valid options: ") == 0 &&
		    options_text(p, &msg) == 0)
			aa_json_send_one(req, 422, "validation failed",
			    aa_buf_str(&msg), "body.option",
			    cJSON_Duplicate(opt, 1));
		else
			aa_json_send_error(req, 500, "out of memory");
		aa_buf_release(&msg);
		goto out;
	}
	if ((rc = aa_session_answer(s, (size_t)idx)) != 0)
		aa_json_send_error(req, aa_error_http_status(rc),
		    aa_strerror(rc));
	else
		aa_json_send_ok(req, 200, NULL);
out:
	cJSON_Delete(body);
}

/* POST /interrupt (any body is ignored) */
static void
h_interrupt(struct aa_http_req *req, void *data)
{
	struct aa_session *s;
	int rc;

	if ((s = live_session(req, data)) == NULL)
		return;
	if ((rc = aa_session_interrupt(s)) != 0)
		aa_json_send_error(req, aa_error_http_status(rc),
		    aa_strerror(rc));
	else
		aa_json_send_ok(req, 200, NULL);
}

/* Appends the bytes of a "keys" array; answers 422 and returns -1 on the
 * first bad entry. */
static int
add_keys(struct aa_http_req *req, struct aa_session *s, const cJSON *keys,
    struct aa_buf *bytes)
{
	const cJSON *k, *text;
	struct aa_buf msg;
	char loc[64];
	int i = 0, rc, app = aa_session_app_cursor(s);

	cJSON_ArrayForEach(k, keys)
	{
		snprintf(loc, sizeof(loc), "body.keys[%d]", i++);
		if (cJSON_IsString(k)) {
			rc = aa_keys_encode(k->valuestring, app, bytes);
			if (rc == AA_ENOENT) {
				aa_buf_init(&msg);
				if (aa_buf_puts(&msg, "unknown key; valid "
				    "keys: ") != 0 || aa_keys_names(&msg) != 0) {
					aa_buf_release(&msg);
					return AA_ENOMEM;
				}
				aa_json_send_one(req, 422, "validation failed",
				    aa_buf_str(&msg), loc,
				    cJSON_Duplicate(k, 1));
				aa_buf_release(&msg);
				return -1;
			}
		} else if (cJSON_IsObject(k) && cJSON_GetArraySize(k) == 1 &&
		    cJSON_IsString(text = cJSON_GetObjectItemCaseSensitive(k,
			"text"))) {
			rc = aa_buf_puts(bytes, text->valuestring);
		} else {
			aa_json_send_one(req, 422, "validation failed",
			    "expected a key name or {\"text\": string}", loc,
			    cJSON_Duplicate(k, 1));
			return -1;
		}
		if (rc != 0)
			return rc;
		if (bytes->len > CONTROL_MAX_TEXT) {
			aa_json_send_one(req, 413, "request entity too large",
			    "the keys add up to more than 65536 bytes", loc,
			    NULL);
			return -1;
		}
	}
	return 0;
}

/* POST /keys {"keys": ["esc", "down", {"text": "hi"}, "enter"]} */
static void
h_keys(struct aa_http_req *req, void *data)
{
	static const char *const members[] = { "keys", NULL };
	struct aa_session *s;
	const cJSON *keys;
	struct aa_buf bytes;
	cJSON *body;
	int rc, n;

	if ((s = live_session(req, data)) == NULL || body_object(req, &body))
		return;
	aa_buf_init(&bytes);
	if (only_members(req, body, members) != 0)
		goto out;
	keys = cJSON_GetObjectItemCaseSensitive(body, "keys");
	n = cJSON_GetArraySize(keys);
	if (!cJSON_IsArray(keys) || n < 1 || n > CONTROL_MAX_KEYS) {
		aa_json_send_one(req, 422, "validation failed",
		    "expected property keys to be an array of 1 to 64 keys",
		    "body.keys", NULL);
		goto out;
	}
	if ((rc = add_keys(req, s, keys, &bytes)) != 0) {
		if (rc != -1)
			aa_json_send_error(req, 500, "out of memory");
		goto out;
	}
	if ((rc = aa_session_send_raw(s, bytes.data, bytes.len)) != 0)
		aa_json_send_error(req, aa_error_http_status(rc),
		    aa_strerror(rc));
	else
		aa_json_send_ok(req, 200, NULL);
out:
	aa_buf_release(&bytes);
	cJSON_Delete(body);
}

/* POST /resize {"cols": 100, "rows": 40} */
static void
h_resize(struct aa_http_req *req, void *data)
{
	static const char *const members[] = { "cols", "rows", NULL };
	struct aa_session *s;
	const cJSON *c, *r;
	cJSON *body;
	int rc;

	if ((s = live_session(req, data)) == NULL || body_object(req, &body))
		return;
	if (only_members(req, body, members) != 0)
		goto out;
	c = cJSON_GetObjectItemCaseSensitive(body, "cols");
	r = cJSON_GetObjectItemCaseSensitive(body, "rows");
	if (!cJSON_IsNumber(c) || !cJSON_IsNumber(r) ||
	    c->valuedouble != (double)(int)c->valuedouble ||
	    r->valuedouble != (double)(int)r->valuedouble ||
	    c->valueint < AA_CONTROL_MIN_COLS ||
	    c->valueint > AA_CONTROL_MAX_COLS ||
	    r->valueint < AA_CONTROL_MIN_ROWS ||
	    r->valueint > AA_CONTROL_MAX_ROWS) {
		aa_json_send_one(req, 422, "validation failed",
		    "expected integers cols in 20..500 and rows in 10..2000",
		    "body", cJSON_Duplicate(body, 1));
		goto out;
	}
	if ((rc = aa_session_resize(s, (unsigned)c->valueint,
		 (unsigned)r->valueint)) != 0)
		aa_json_send_error(req, aa_error_http_status(rc),
		    aa_strerror(rc));
	else
		aa_json_send_ok(req, 200, NULL);
out:
	cJSON_Delete(body);
}

/* GET /queue */
static void
h_queue(struct aa_http_req *req, void *data)
{
	struct aa_session *s = aa_control_session(data);
	struct aa_queue empty;
	struct aa_buf b;
	int rc;

	aa_queue_init(&empty, 0, 0);
	aa_buf_init(&b);
	rc = aa_buf_puts(&b, "{\"items\":");
	AA__FIRST_ERROR(rc, aa_json_put_queue(s != NULL ?
	    aa_session_queue(s) : &empty, &b));
	AA__FIRST_ERROR(rc, aa_buf_puts(&b, "}"));
	if (rc != 0)
		aa_json_send_error(req, 500, "out of memory");
	else
		aa_json_send_text(req, 200, "QueueResponseBody",
		    aa_buf_str(&b));
	aa_buf_release(&b);
}

/* DELETE /queue/{id} */
static void
h_queue_delete(struct aa_http_req *req, void *data)
{
	struct aa_session *s = aa_control_session(data);
	const char *p = aa_http_req_path(req) + strlen("/queue/");
	uint64_t id = 0;
	size_t i;

	for (i = 0; p[i] >= '0' && p[i] <= '9' && i < 20; i++)
		id = id * 10 + (uint64_t)(p[i] - '0');
	if (i == 0 || p[i] != '\0' || s == NULL ||
	    aa_session_dequeue(s, id) != 0) {
		aa_json_send_one(req, 404, "Not Found",
		    "no queued message with this id", "path", NULL);
		return;
	}
	aa_json_send_ok(req, 200, NULL);
}

const struct aa_http_route aa_control_routes[] = {
	{ "POST", "/answer", h_answer, 64 * 1024, 0 },
	{ "POST", "/interrupt", h_interrupt, 64 * 1024, 0 },
	{ "POST", "/keys", h_keys, 256 * 1024, 0 },
	{ "POST", "/resize", h_resize, 64 * 1024, 0 },
	{ "GET", "/queue", h_queue, 0, 0 },
	{ "DELETE", "/queue/", h_queue_delete, 0, AA_HTTP_PREFIX },
};
const size_t aa_control_nroutes = AA__ARRAY_SIZE(aa_control_routes);
