/*
 * api-events.c - the API's event streams (../shared/spec/http.md §4):
 * /events (upstream's, with the opt-in steering frames) and
 * /internal/screen.
 *
 * Every change is serialized once into an aa_event and published to all
 * subscribers.  /events frames carry ids from a time-based sequence so
 * that Last-Event-ID resumes within one run and falls back to a full
 * replay (all messages, the status, the retained errors: spec §4.4) after
 * a restart.  A replay's frames carry "N.P", N the id of the newest
 * published event and P the frames delivered so far, the last one plain
 * N: a client cut off inside the replay resumes right after the frame it
 * has (while nothing new was published; else it gets a full replay), and
 * one that got all of it resumes from N.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/log.h"
#include "api/api.h"
#include "api/api-private.h"
#include "http/event.h"
#include "http/http.h"
#include "api/json.h"
#include "runtime/session.h"
#include "http/sse.h"
#include "base/text.h"
#include "core/queue.h"
#include "core/steer.h"

/* Builds the JSON of one message; text_key is "content" (REST) or
 * "message" (SSE, state file). */
static cJSON *
message_json(const struct aa_message *m, const char *text_key)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddNumberToObject(o, "id", (double)m->id) ==
		NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	if (strcmp(text_key, "content") == 0) {
		/* REST order: id, content, role, time. */
		if (aa__api_add_text(o, "content", m->text, m->len) == NULL ||
		    cJSON_AddStringToObject(o, "role",
			aa_conv_role_name(m->role)) == NULL)
			goto fail;
	} else if (cJSON_AddStringToObject(o, "role",
		       aa_conv_role_name(m->role)) == NULL ||
	    aa__api_add_text(o, "message", m->text, m->len) == NULL)
		goto fail;
	if (aa__api_add_time(o, "time", m->time_ns) == NULL)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* Builds a frame for /events from a JSON object; NULL on OOM. */
static struct aa_event *
json_event(uint64_t id, const char *name, cJSON *o)
{
	struct aa_event *ev = NULL;

	if (o == NULL || aa_event_new_json(&ev, id, name, o) != 0)
		ev = NULL;
	cJSON_Delete(o);
	return ev;
}

/* Builds the data of a status_change; NULL on OOM. */
static cJSON *
status_json(struct aa_api *api, const char *status)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL &&
	    (cJSON_AddStringToObject(o, "status", status) == NULL ||
		cJSON_AddStringToObject(o, "agent_type", api->agent_type) ==
		    NULL)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

/* Builds a status_change frame for the current status. */
static struct aa_event *
status_event(struct aa_api *api, uint64_t id, const char *status)
{
	return json_event(id, "status_change", status_json(api, status));
}

typedef struct aa_event *(*build_fn)(struct aa_api *, uint64_t,
    const void *);

/* Publishes a frame to /events with the next id.  Frames built by the
 * steering builders are marked extended: only subscribers that opted in
 * with ?extended=1 get them, live or on resume (sse.c). */
static void
publish(struct aa_api *api, build_fn build, const void *arg)
{
	struct aa_event *ev;
	uint64_t id = aa_sse_next_id(api->events);

	if ((ev = build(api, id, arg)) == NULL) {
		AA_LOG(&api->log, AA_LOG_ERROR, "out of memory building an "
		    "event");
		return;
	}
	aa_sse_publish(api->events, ev);
	aa_event_unref(ev);
}

/* publish() builder: a message_update. */
static struct aa_event *
build_message(struct aa_api *api, uint64_t id, const void *arg)
{
	(void)api;
	return json_event(id, "message_update", message_json(arg, "message"));
}

/* publish() builder: a status_change. */
static struct aa_event *
build_status(struct aa_api *api, uint64_t id, const void *arg)
{
	return status_event(api, id, arg);
}

/* publish() builder: an agent_error (arg is its JSON text). */
static struct aa_event *
build_error(struct aa_api *api, uint64_t id, const void *arg)
{
	struct aa_event *ev = NULL;

	(void)api;
	if (aa_event_new(&ev, id, "agent_error", arg, strlen(arg)) != 0)
		return NULL;
	return ev;
}

/* publish() builder: a state_change (extended). */
static struct aa_event *
build_state(struct aa_api *api, uint64_t id, const void *arg)
{
	struct aa_event *ev;
	cJSON *o = cJSON_CreateObject();

	(void)arg;
	if (o != NULL && aa__api_add_steer(api, o) != 0) {
		cJSON_Delete(o);
		o = NULL;
	}
	if ((ev = json_event(id, "state_change", o)) != NULL)
		ev->extended = 1;
	return ev;
}

/* publish() builder: a queue_change (extended). */
static struct aa_event *
build_queue(struct aa_api *api, uint64_t id, const void *arg)
{
	struct aa_queue empty;
	struct aa_event *ev = NULL;
	struct aa_buf b;
	int rc;

	(void)arg;
	aa_queue_init(&empty, 0, 0);
	aa_buf_init(&b);
	rc = aa_buf_puts(&b, "{\"items\":");
	AA__FIRST_ERROR(rc, aa_json_put_queue(api->session != NULL ?
	    aa_session_queue(api->session) : &empty, &b));
	AA__FIRST_ERROR(rc, aa_buf_puts(&b, "}"));
	if (rc == 0 && aa_event_new(&ev, id, "queue_change", b.data,
	    b.len) == 0)
		ev->extended = 1;
	aa_buf_release(&b);
	return ev;
}

void
aa_api_on_steer(struct aa_api *api, unsigned changes)
{
	if (changes & (AA_STEER_STATE | AA_STEER_PROMPT | AA_STEER_QUEUE |
	    AA_SESSION_HEALTH))
		publish(api, build_state, NULL);
	if (changes & AA_STEER_QUEUE)
		publish(api, build_queue, NULL);
}

void
aa_api_on_message(struct aa_api *api, const struct aa_message *m)
{
	size_t i = m->id < 0 ? SIZE_MAX : (size_t)m->id;

	if (i < api->nmjson) {
		free(api->mjson[i].json);
		api->mjson[i].json = NULL;
	}
	publish(api, build_message, m);
}

void
aa_api_on_status(struct aa_api *api, enum aa_conv_status st)
{
	publish(api, build_status, st == AA_CONV_STABLE ? "stable" : "running");
}

void
aa_api_on_error(struct aa_api *api, int level, const char *text)
{
	cJSON *o = cJSON_CreateObject();
	char *json;
	size_t slot;

	if (o == NULL ||
	    aa__api_add_text(o, "message", text, strlen(text)) == NULL ||
	    cJSON_AddStringToObject(o, "level",
		level == AA_CONV_LEVEL_WARNING ? "warning" : "error") ==
		NULL ||
	    aa__api_add_time(o, "time", aa__wall_ns()) == NULL ||
	    (json = cJSON_PrintUnformatted(o)) == NULL) {
		cJSON_Delete(o);
		return;
	}
	cJSON_Delete(o);
	/* Keep the last API_MAX_ERRORS for new subscribers (spec §4.4). */
	slot = (api->errhead + api->nerrors) % API_MAX_ERRORS;
	if (api->nerrors == API_MAX_ERRORS) {
		cJSON_free(api->errors[api->errhead]);
		api->errhead = (api->errhead + 1) % API_MAX_ERRORS;
		slot = (api->errhead + API_MAX_ERRORS - 1) % API_MAX_ERRORS;
	} else
		api->nerrors++;
	api->errors[slot] = json;
	publish(api, build_error, json);
}

/* Builds the /internal/screen frame: the screen without trailing white
 * space (spec §4.5). */
static struct aa_event *
screen_event(const char *text, size_t len)
{
	size_t a, b;
	cJSON *o = cJSON_CreateObject();

	aa_text_trim_ws6(text, len, &a, &b);
	if (o != NULL && aa__api_add_text(o, "screen", text, b) == NULL) {
		cJSON_Delete(o);
		o = NULL;
	}
	return json_event(0, "screen", o);
}

void
aa_api_on_screen(struct aa_api *api, const char *text, size_t len)
{
	struct aa_event *ev;

	/* Nobody watches: skip the serialization of an 80x1000 screen. */
	if (aa_sse_nsubs(api->screen) == 0)
		return;
	if ((ev = screen_event(text, len)) == NULL)
		return;
	aa_sse_publish(api->screen, ev);
	aa_event_unref(ev);
}

/* Builds replay frame i of the state (messages, status, errors) with
 * the id "last.pos"; NULL on OOM. */
static struct aa_event *
replay_frame(struct aa_api *api, size_t i, uint64_t last, uint64_t pos)
{
	size_t n = api->session != NULL ?
	    aa_session_message_count(api->session) : 0;
	struct aa_event *ev = NULL;
	const char *name;
	cJSON *o;

	if (i > n) {
		const char *e = api->errors[(api->errhead + i - n - 1) %
		    API_MAX_ERRORS];

		aa_event_new_at(&ev, last, pos, "agent_error", e, strlen(e));
		return ev;
	}
	if (i < n) {
		o = message_json(aa_session_message(api->session, i),
		    "message");
		name = "message_update";
	} else {
		o = status_json(api, aa__api_status(api));
		name = "status_change";
	}
	if (o == NULL || aa_event_new_json_at(&ev, last, pos, name, o) != 0)
		ev = NULL;
	cJSON_Delete(o);
	return ev;
}

/*
 * Replays the whole state to one /events subscriber (spec §4.4), from
 * frame `from` on (0 = all).  Frame i carries "id: N.i+1", the last one
 * "id: N", so each resumes exactly after itself.  AA_ENOENT when from is
 * past the end (the caller replays everything instead); AA_ENOMEM when a
 * frame could not be built (the caller closes: the client resumes from
 * the last frame it got).
 */
static int
replay_events(struct aa_api *api, struct aa_sse_sub *sub, uint64_t from)
{
	uint64_t last = aa_sse_last_id(api->events);
	struct aa_event *ev;
	size_t i, total;

	total = (api->session != NULL ?
	    aa_session_message_count(api->session) : 0) + 1 + api->nerrors;
	if (from >= total)
		return AA_ENOENT;
	for (i = (size_t)from; i < total; i++) {
		if ((ev = replay_frame(api, i, last, i + 1 < total ?
		    (uint64_t)i + 1 : 0)) == NULL) {
			AA_LOG(&api->log, AA_LOG_ERROR, "out of memory building "
			    "the replay");
			return AA_ENOMEM;
		}
		aa_sse_sub_send(sub, ev);
		aa_event_unref(ev);
	}
	return 0;
}

/* The opt-in part of the replay: the state, then the queue. */
static void
replay_steer(struct aa_api *api, struct aa_sse_sub *sub)
{
	struct aa_event *ev;

	if ((ev = build_state(api, 0, NULL)) != NULL) {
		aa_sse_sub_send(sub, ev);
		aa_event_unref(ev);
	}
	if ((ev = build_queue(api, 0, NULL)) != NULL) {
		aa_sse_sub_send(sub, ev);
		aa_event_unref(ev);
	}
}

/* GET /events */
void
aa__api_h_events(struct aa_http_req *req, void *data)
{
	struct aa_api *api = data;
	struct aa_sse_sub *sub;
	uint64_t last, pos, from = 0;

	char ext[8];
	int extended;

	extended = aa_http_req_query_param(req, "extended", ext,
	    sizeof(ext)) > 0 && (strcmp(ext, "1") == 0 ||
	    strcmp(ext, "true") == 0);
	if (aa_sse_subscribe(api->events, req, &sub) != 0)
		return;
	AA_LOG(&api->log, AA_LOG_DEBUG, "New subscriber");
	if (extended)
		aa_sse_sub_set_extended(sub);
	if (aa_sse_last_event_id(req, &last, &pos) == 0) {
		if (pos == 0 && aa_sse_sub_replay_since(sub, last) == 0)
			goto steer;
		/* Inside a replay of a state that has not changed since. */
		if (pos != 0 && last == aa_sse_last_id(api->events))
			from = pos;
	}
	if (from != 0 && replay_events(api, sub, from) == 0)
		goto steer;
	if (replay_events(api, sub, 0) != 0) {
		aa_http_req_close(req);
		return;
	}
steer:
	/* The opt-in snapshot comes after every (re)connect, without an id:
	 * it is whole, so a resumed client is never left without it. */
	if (extended)
		replay_steer(api, sub);
}

/* GET /internal/screen */
void
aa__api_h_screen(struct aa_http_req *req, void *data)
{
	struct aa_api *api = data;
	struct aa_sse_sub *sub;
	struct aa_event *ev;
	const char *text = "";
	size_t len = 0;

	if (aa_sse_subscribe(api->screen, req, &sub) != 0)
		return;
	if (api->session != NULL)
		text = aa_session_screen(api->session, &len);
	if ((ev = screen_event(text, len)) != NULL) {
		aa_sse_sub_send(sub, ev);
		aa_event_unref(ev);
	}
}
