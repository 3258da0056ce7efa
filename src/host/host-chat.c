/*
 * host-chat.c - the host's own chat page: every session in one list, live.
 *
 * GET /chat serves web/host.html (with web/host.js and web/host.css under
 * /chat/), a list of the sessions beside the chosen session's own chat,
 * which is that session's /sessions/{id}/chat/embed in an iframe: the
 * single-agent chat, byte for byte.  GET /events is one stream for the
 * whole list, so a page watching many agents holds one connection (a
 * browser allows six per host name over HTTP/1.1, and the iframe's chat
 * needs its own): a "sessions" event with GET /sessions's body, sent on
 * connect and then, at most every HC_DEBOUNCE_MS, after a session
 * started, stopped, exited or changed its status, state, prompt, queue
 * or health.  Nothing runs while nobody watches: no subscriber, no timer,
 * no JSON.
 *
 * Over TCP the page needs the token like everything else; GET /chat?token=
 * trades it for the chat cookie and a redirect (access.c says why that is
 * safe).  Over the unix socket a peer of ours needs nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "http/access.h"
#include "http/event.h"
#include "http/http.h"
#include "http/sse.h"
#include "api/api.h"
#include "api/json.h"
#include "host/hostint.h"
#include "host/host-private.h"

#define HC_DEBOUNCE_MS 100
#define HC_MAX_SUBS 64

struct aa_host_chat {
	struct aa_host *host;
	struct aa_sse_stream *events;
	uv_timer_t timer;
	int closing;      /* parts still closing, during a close */
	void (*close_cb)(void *);
	void *close_ud;
};

/* The "sessions" event: {"sessions": [...]} as GET /sessions. */
static struct aa_event *
list_event(struct aa_host *h)
{
	cJSON *o = cJSON_CreateObject(), *a = aa_host_sessions_json(h);
	struct aa_event *ev = NULL;

	if (o == NULL || a == NULL ||
	    !cJSON_AddItemToObject(o, "sessions", a)) {
		cJSON_Delete(o);
		cJSON_Delete(a);
		return NULL;
	}
	if (aa_event_new_json(&ev, 0, "sessions", o) != 0)
		ev = NULL;
	cJSON_Delete(o);
	return ev;
}

/* The debounce is over: the newest list to every page watching. */
static void
hc_tick(uv_timer_t *t)
{
	struct aa_host_chat *c = t->data;
	struct aa_event *ev;

	if (aa_sse_nsubs(c->events) == 0 || (ev = list_event(c->host)) ==
	    NULL)
		return;
	aa_sse_publish(c->events, ev);
	aa_event_unref(ev);
}

int
aa_host_chat_new(struct aa_host_chat **out, struct aa_host *h)
{
	struct aa_sse_options so;
	struct aa_host_chat *c;
	int rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return AA_ENOMEM;
	c->host = h;
	memset(&so, 0, sizeof(so));
	/* Only the newest list matters: a slow page skips the others. */
	so.latest_wins = 1;
	if ((rc = aa_sse_stream_new(&c->events, h->loop, &so)) != 0) {
		free(c);
		return rc;
	}
	uv_timer_init(h->loop, &c->timer);
	c->timer.data = c;
	*out = c;
	return 0;
}

void
aa_host_chat_changed(struct aa_host_chat *c)
{
	if (c == NULL || c->closing || aa_sse_nsubs(c->events) == 0 ||
	    uv_is_active((uv_handle_t *)&c->timer))
		return;
	uv_timer_start(&c->timer, hc_tick, HC_DEBOUNCE_MS, 0);
}

/* One part (stream, timer) has closed; the last frees c. */
static void
hc_part_closed(void *ud)
{
	struct aa_host_chat *c = ud;
	void (*cb)(void *) = c->close_cb;
	void *cud = c->close_ud;

	if (--c->closing > 0)
		return;
	free(c);
	if (cb != NULL)
		cb(cud);
}

/* The timer's close callback. */
static void
hc_timer_closed(uv_handle_t *t)
{
	hc_part_closed(t->data);
}

void
aa_host_chat_close(struct aa_host_chat *c, void (*cb)(void *), void *ud)
{
	if (c == NULL) {
		if (cb != NULL)
			cb(ud);
		return;
	}
	c->close_cb = cb;
	c->close_ud = ud;
	c->closing = 2;
	uv_timer_stop(&c->timer);
	uv_close((uv_handle_t *)&c->timer, hc_timer_closed);
	aa_sse_stream_close(c->events, hc_part_closed, c);
}

/* ---- routes ---- */

/* Sends a redirect with no body. */
static void
redirect(struct aa_http_req *req, int status, const char *location)
{
	aa_http_res_header(req, "Location", location);
	aa_http_reply(req, status, "text/html; charset=utf-8", "", 0);
}

/* GET /: the chat. */
void
aa_host_h_root(struct aa_http_req *req, void *data)
{
	(void)data;
	redirect(req, 302, "/chat");
}

/* GET /chat: the page; with ?token= (checked by the transport, the
 * route takes it), the login: the cookie, and the same URL without the
 * token, so it stays out of the address bar, history and Referer. */
void
aa_host_h_chat(struct aa_http_req *req, void *data)
{
	struct aa_host *h = data;
	struct aa_buf b;
	const char *q = aa_http_req_query(req);
	char tok[512];

	aa_http_res_header(req, "Referrer-Policy", "no-referrer");
	aa_http_res_header(req, "X-Frame-Options", "DENY");
	if (q != NULL && *q != '\0') {
		/* The request got here authenticated (token, cookie or our
		 * unix peer); a token in the query asks for the cookie. */
		aa_buf_init(&b);
		aa_http_res_header(req, "Cache-Control", "no-store");
		if (aa_http_req_query_param(req, "token", tok,
		    sizeof(tok)) >= 0 && aa_access_cookie(h->access, &b) ==
		    0 && b.data != NULL)
			aa_http_res_header(req, "Set-Cookie", b.data);
		aa_buf_release(&b);
		redirect(req, 302, "/chat");
		return;
	}
	aa_api_serve_asset(req, "web/host.html");
}

/* GET /chat/<file>: the page's script and style, nothing else. */
void
aa_host_h_chat_file(struct aa_http_req *req, void *data)
{
	const char *rest = aa_http_req_path(req) + strlen("/chat/");

	(void)data;
	if (*rest == '\0')
		redirect(req, 302, "/chat");
	else if (strcmp(rest, "host.js") == 0)
		aa_api_serve_asset(req, "web/host.js");
	else if (strcmp(rest, "host.css") == 0)
		aa_api_serve_asset(req, "web/host.css");
	else
		aa_http_reply(req, 404, "text/plain; charset=utf-8",
		    "404 page not found\n", 19);
}

/* GET /events: the session list, live (see the top). */
void
aa_host_h_events(struct aa_http_req *req, void *data)
{
	struct aa_host *h = data;
	struct aa_host_chat *c = h->chat;
	struct aa_sse_sub *sub;
	struct aa_event *ev;

	if (c == NULL || c->closing) {
		aa_json_send_error(req, 503, "the host is stopping");
		return;
	}
	if (aa_sse_nsubs(c->events) >= HC_MAX_SUBS) {
		aa_json_send_error(req, 503, "too many session-list streams");
		return;
	}
	if (aa_sse_subscribe(c->events, req, &sub) != 0)
		return;
	if ((ev = list_event(h)) != NULL) {
		aa_sse_sub_send(sub, ev);
		aa_event_unref(ev);
	}
}
