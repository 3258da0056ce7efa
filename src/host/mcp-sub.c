/*
 * mcp-sub.c - what the host's MCP server says unasked (MCP 2025-06-18,
 * "Resources", subscriptions and list changes): each MCP session's
 * GET /mcp stream and its resource subscriptions.
 *
 * A client opens at most one stream per MCP session (GET /mcp with its
 * Mcp-Session-Id, "Accept: text/event-stream"; a second replaces the
 * first).  resources/subscribe names a transcript URI (mcp-res.c); when
 * that session's messages change, notifications/resources/updated goes
 * down the subscriber's stream, and notifications/resources/list_changed
 * goes down every stream when a session comes or goes.  An agent that
 * streams its reply changes its last message many times a second, so
 * changes are coalesced: marked at once, sent MCP_SUB_FLUSH_MS later,
 * one notification per URI.  While a stream is open a ": ping" comment
 * goes down it every MCP_SUB_PING_MS so that clients and their HTTP
 * libraries do not take a quiet stream for a dead one; with no stream
 * the timer is stopped (no wakeups for an idle host).  Subscriptions are
 * bounded (MCP_SUB_MAX in all, MCP_SUB_PER_SESSION per MCP session) and
 * go with their MCP session.  Nothing is queued for a slow stream past
 * MCP_SUB_MAX_QUEUED bytes: its notifications are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <uv.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/list.h"
#include "http/http.h"
#include "host/hostint.h"
#include "host/mcp-private.h"

#define MCP_SUB_MAX 1024
#define MCP_SUB_PER_SESSION 64
#define MCP_SUB_FLUSH_MS 200
#define MCP_SUB_PING_MS 15000
#define MCP_SUB_MAX_QUEUED (256 * 1024)

/* A GET /mcp stream. */
struct mcp_stream {
	struct aa_list link;
	struct aa_mcp *m;
	struct aa_http_req *req;
	char sid[33];
};

/* One resources/subscribe. */
struct mcp_sub {
	struct aa_list link;
	char sid[33];
	char id[64];          /* the agent session the URI names */
	char uri[MCP_URI_MAX];
	int dirty;            /* changed since the last notification */
};

static void sub_tick(uv_timer_t *t);

/* Starts the timer for ms, making it first if need be. */
static void
sub_arm(struct aa_mcp *m, uint64_t ms)
{
	if (m->ntimer == NULL) {
		if ((m->ntimer = malloc(sizeof(*m->ntimer))) == NULL)
			return;
		uv_timer_init(aa_host_loop(m->host), m->ntimer);
		m->ntimer->data = m;
	}
	uv_timer_start(m->ntimer, sub_tick, ms, 0);
}

/* The stream of an MCP session, or NULL. */
static struct mcp_stream *
stream_of(struct aa_mcp *m, const char *sid)
{
	struct aa_list *it;

	AA_LIST_FOREACH(it, &m->streams) {
		struct mcp_stream *s = AA_LIST_ENTRY(it, struct mcp_stream,
		    link);

		if (strcmp(s->sid, sid) == 0)
			return s;
	}
	return NULL;
}

/* Sends one SSE event or comment (text as is) unless the client lags. */
static void
stream_send(struct mcp_stream *s, const char *text, size_t len)
{
	if (aa_http_req_queued(s->req) <= MCP_SUB_MAX_QUEUED)
		(void)aa_http_stream_send(s->req, text, len, NULL, NULL);
}

/* Sends a notification {method, params} (params taken) down s. */
static void
stream_notify(struct mcp_stream *s, const char *method, cJSON *params)
{
	cJSON *o = cJSON_CreateObject();
	char *json = NULL;
	struct aa_buf b;

	if (o != NULL) {
		cJSON_AddStringToObject(o, "jsonrpc", "2.0");
		cJSON_AddStringToObject(o, "method", method);
		if (params != NULL)
			cJSON_AddItemToObject(o, "params", params);
		params = NULL;
		json = cJSON_PrintUnformatted(o);
	}
	cJSON_Delete(params);
	cJSON_Delete(o);
	if (json == NULL)
		return;
	aa_buf_init(&b);
	aa_buf_printf(&b, "event: message\ndata: %s\n\n", json);
	if (b.data != NULL)
		stream_send(s, b.data, b.len);
	aa_buf_release(&b);
	cJSON_free(json);
}

static void
stream_free(struct mcp_stream *s)
{
	aa_list_remove(&s->link);
	free(s);
}

/* The client closed its stream. */
static void
stream_gone(struct aa_http_req *req, void *arg)
{
	(void)req;
	stream_free(arg);
}

/* Ends a stream from our side. */
static void
stream_end(struct mcp_stream *s)
{
	aa_http_req_on_close(s->req, NULL, NULL);
	aa_http_stream_end(s->req);
	stream_free(s);
}

/* Sends what has changed since the last tick, and the keep-alive. */
static void
sub_tick(uv_timer_t *t)
{
	struct aa_mcp *m = t->data;
	struct aa_list *it, *tmp;
	int list = m->list_dirty;

	m->list_dirty = 0;
	m->flush_armed = 0;
	AA_LIST_FOREACH(it, &m->subs) {
		struct mcp_sub *sub = AA_LIST_ENTRY(it, struct mcp_sub, link);
		struct mcp_stream *s;
		cJSON *p;

		if (!sub->dirty)
			continue;
		sub->dirty = 0;
		if ((s = stream_of(m, sub->sid)) != NULL &&
		    (p = cJSON_CreateObject()) != NULL) {
			cJSON_AddStringToObject(p, "uri", sub->uri);
			stream_notify(s, "notifications/resources/updated", p);
		}
	}
	AA_LIST_FOREACH_SAFE(it, tmp, &m->streams) {
		struct mcp_stream *s = AA_LIST_ENTRY(it, struct mcp_stream,
		    link);

		if (list)
			stream_notify(s, "notifications/resources/list_changed",
			    NULL);
		stream_send(s, ": ping\n\n", 8);
	}
	if (!aa_list_empty(&m->streams))
		sub_arm(m, MCP_SUB_PING_MS);
}

/* Non-zero when a subscription has a change not yet sent. */
static int
any_dirty(const struct aa_mcp *m)
{
	const struct aa_list *it;

	AA_LIST_FOREACH(it, &m->subs)
		if (AA_LIST_ENTRY(it, struct mcp_sub, link)->dirty)
			return 1;
	return 0;
}

/* Something changed: a tick soon, unless one is already due (with no
 * stream open the change waits for one). */
static void
sub_flush_soon(struct aa_mcp *m)
{
	if (m->flush_armed || aa_list_empty(&m->streams))
		return;
	m->flush_armed = 1;
	sub_arm(m, MCP_SUB_FLUSH_MS);
}

void
aa_mcp_sub_stream(struct aa_mcp *m, struct aa_http_req *req, const char *sid)
{
	const char *acc = aa_http_req_header(req, "Accept");
	struct mcp_stream *s;

	if (acc == NULL || strcasestr(acc, "text/event-stream") == NULL) {
		aa_http_reply(req, 406, "text/plain; charset=utf-8",
		    "GET /mcp takes Accept: text/event-stream\n", 41);
		return;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		aa_http_reply(req, 500, "text/plain", "out of memory\n", 14);
		return;
	}
	if (stream_of(m, sid) != NULL)
		stream_end(stream_of(m, sid));
	s->m = m;
	s->req = req;
	snprintf(s->sid, sizeof(s->sid), "%s", sid);
	aa_http_res_header(req, "Cache-Control", "no-cache");
	if (aa_http_stream_start(req, 200, "text/event-stream") != 0) {
		free(s);
		return;
	}
	aa_http_req_on_close(req, stream_gone, s);
	aa_list_insert_tail(&m->streams, &s->link);
	/* The first comment tells the client the stream is up; the timer
	 * keeps it alive from here, and sends at once what changed while
	 * no stream was there to take it. */
	stream_send(s, ": ok\n\n", 6);
	m->flush_armed = 0;
	if (m->list_dirty || any_dirty(m))
		sub_flush_soon(m);
	else
		sub_arm(m, MCP_SUB_PING_MS);
}

cJSON *
aa_mcp_subscribe(struct aa_mcp *m, const char *sid, const cJSON *params,
    int on, int *code, const char **why)
{
	const char *uri = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(params, "uri"));
	struct aa_list *it, *tmp;
	struct mcp_sub *sub;
	size_t mine = 0, kind;
	char id[64];

	*code = MCP_ERR_INVALID_PARAMS;
	*why = "uri must be agentapi://sessions/{id}/transcript or "
	    "agentapi://sessions/{id}/transcript.md";
	if (uri == NULL || aa_mcp_parse_uri(uri, id, sizeof(id), &kind) != 0)
		return NULL;
	AA_LIST_FOREACH_SAFE(it, tmp, &m->subs) {
		sub = AA_LIST_ENTRY(it, struct mcp_sub, link);
		if (strcmp(sub->sid, sid) != 0)
			continue;
		if (strcmp(sub->uri, uri) == 0) {
			if (!on) {
				aa_list_remove(&sub->link);
				m->nsubs--;
				free(sub);
			}
			return cJSON_CreateObject();
		}
		mine++;
	}
	if (!on)
		return cJSON_CreateObject();
	if (aa_host_session(m->host, id) == NULL) {
		*code = MCP_ERR_NOT_FOUND;
		*why = "resource not found: no such session";
		return NULL;
	}
	if (mine >= MCP_SUB_PER_SESSION || m->nsubs >= MCP_SUB_MAX) {
		*why = "too many subscriptions";
		return NULL;
	}
	if ((sub = calloc(1, sizeof(*sub))) == NULL) {
		*code = 0;
		*why = "out of memory";
		return NULL;
	}
	snprintf(sub->sid, sizeof(sub->sid), "%s", sid);
	snprintf(sub->id, sizeof(sub->id), "%s", id);
	snprintf(sub->uri, sizeof(sub->uri), "%s", uri);
	aa_list_insert_tail(&m->subs, &sub->link);
	m->nsubs++;
	return cJSON_CreateObject();
}

void
aa_mcp_sub_session_end(struct aa_mcp *m, const char *sid)
{
	struct aa_list *it, *tmp;
	struct mcp_stream *s;

	AA_LIST_FOREACH_SAFE(it, tmp, &m->subs) {
		struct mcp_sub *sub = AA_LIST_ENTRY(it, struct mcp_sub, link);

		if (strcmp(sub->sid, sid) == 0) {
			aa_list_remove(&sub->link);
			m->nsubs--;
			free(sub);
		}
	}
	if ((s = stream_of(m, sid)) != NULL)
		stream_end(s);
}

void
aa_mcp_messages(struct aa_mcp *m, struct hsess *hs)
{
	struct aa_list *it;
	const char *id;
	int any = 0;

	if (m == NULL || m->nsubs == 0)
		return;
	id = aa_hsess_id(hs);
	AA_LIST_FOREACH(it, &m->subs) {
		struct mcp_sub *sub = AA_LIST_ENTRY(it, struct mcp_sub, link);

		if (strcmp(sub->id, id) == 0)
			any = sub->dirty = 1;
	}
	if (any)
		sub_flush_soon(m);
}

void
aa_mcp_listed(struct aa_mcp *m)
{
	if (m == NULL)
		return;
	m->list_dirty = 1;
	sub_flush_soon(m);
}

/* The last of the two timers has closed: the endpoint is gone. */
static void
sub_timer_closed(uv_handle_t *h)
{
	free(h);
}

void
aa_mcp_sub_close(struct aa_mcp *m)
{
	struct aa_list *it, *tmp;

	AA_LIST_FOREACH_SAFE(it, tmp, &m->subs) {
		aa_list_remove(it);
		free(AA_LIST_ENTRY(it, struct mcp_sub, link));
	}
	m->nsubs = 0;
	AA_LIST_FOREACH_SAFE(it, tmp, &m->streams)
		stream_end(AA_LIST_ENTRY(it, struct mcp_stream, link));
	if (m->ntimer != NULL) {
		uv_close((uv_handle_t *)m->ntimer, sub_timer_closed);
		m->ntimer = NULL;
	}
}
