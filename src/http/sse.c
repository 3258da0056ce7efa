/*
 * sse.c - subscribers, bounded queues, resume ring and heartbeat.
 *
 * A subscriber hands at most one batch to the connection at a time: it
 * writes while the connection has nothing queued (uv_try_write usually
 * takes everything at once) and otherwise keeps event references in its
 * own circular array until the connection's drain callback.  Limits are
 * checked whenever something is queued and on every heartbeat, so a
 * client that stopped reading is dropped within max_age_ms even when the
 * stream is quiet.  A dropped subscriber is only marked dead and its
 * connection closed; memory goes in the connection's close callback
 * (STYLE 12), which is also the path of a client that left by itself.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/aa-internal.h"
#include "http/http.h"
#include "base/list.h"
#include "http/sse.h"

struct aa_sse_item {
	struct aa_event *ev;
	uint64_t t; /* loop time when queued */
};

struct aa_sse_sub {
	struct aa_sse_stream *s; /* NULL once the stream is gone */
	struct aa_http_req *req;
	struct aa_list link;
	struct aa_sse_item *q; /* circular */
	size_t qhead, qlen, qcap;
	size_t qbytes;
	struct aa_event *slot; /* latest-wins pending event */
	uint64_t slot_t;
	int dead;
};

struct aa_sse_stream {
	uv_loop_t *loop;
	uv_timer_t timer;
	struct aa_sse_options o;
	struct aa_list subs;
	size_t nsubs;
	struct aa_event **ring; /* circular, oldest at rhead */
	size_t rhead, rlen;
	uint64_t next_id;
	uint64_t last_published;
	struct aa_event *ping;
	aa_sse_close_cb close_cb; /* runs once the timer has closed */
	void *close_ud;
};

static void sub_flush(struct aa_sse_sub *);

/* release callback for aa_http_stream_send. */
static void
release_event(void *arg)
{
	aa_event_unref(arg);
}

/* Disconnects a subscriber (deferred; see the file comment). */
static void
sub_kill(struct aa_sse_sub *sub)
{
	if (sub->dead)
		return;
	sub->dead = 1;
	aa_http_req_close(sub->req);
}

/* Returns the oldest pending event's loop time, or 0 if none. */
static uint64_t
sub_oldest(const struct aa_sse_sub *sub)
{
	if (sub->qlen > 0)
		return sub->q[sub->qhead].t;
	return sub->slot != NULL ? sub->slot_t : 0;
}

/* Drops the subscriber when it is past any of its limits. */
static int
sub_check(struct aa_sse_sub *sub, uint64_t now)
{
	const struct aa_sse_options *o = &sub->s->o;
	uint64_t oldest = sub_oldest(sub);

	if (sub->qbytes + aa_http_req_queued(sub->req) > o->max_bytes ||
	    (oldest != 0 && now - oldest > o->max_age_ms)) {
		sub_kill(sub);
		return -1;
	}
	return 0;
}

/* Takes the next pending event (queue first, then the slot). */
static struct aa_event *
sub_pop(struct aa_sse_sub *sub)
{
	struct aa_event *ev;

	if (sub->qlen > 0) {
		ev = sub->q[sub->qhead].ev;
		sub->qhead = (sub->qhead + 1) % sub->qcap;
		sub->qlen--;
		sub->qbytes -= ev->len;
		return ev;
	}
	ev = sub->slot;
	sub->slot = NULL;
	return ev;
}

/* Writes pending events while the connection takes them at once. */
static void
sub_flush(struct aa_sse_sub *sub)
{
	struct aa_event *ev;

	while (!sub->dead && aa_http_req_queued(sub->req) == 0 &&
	    (ev = sub_pop(sub)) != NULL) {
		if (aa_http_stream_send(sub->req, ev->data, ev->len,
		    release_event, ev) != 0)
			sub->dead = 1; /* the connection is closing */
	}
}

/* Appends to the circular queue, growing it up to max_events. */
static int
sub_push(struct aa_sse_sub *sub, struct aa_event *ev, uint64_t now)
{
	struct aa_sse_item *nq;
	size_t i, ncap;

	if (sub->qlen == sub->s->o.max_events)
		return AA_E2BIG;
	if (sub->qlen == sub->qcap) {
		ncap = sub->qcap == 0 ? 16 : sub->qcap * 2;
		if (ncap > sub->s->o.max_events)
			ncap = sub->s->o.max_events;
		if ((nq = malloc(ncap * sizeof(*nq))) == NULL)
			return AA_ENOMEM;
		for (i = 0; i < sub->qlen; i++)
			nq[i] = sub->q[(sub->qhead + i) % sub->qcap];
		free(sub->q);
		sub->q = nq;
		sub->qcap = ncap;
		sub->qhead = 0;
	}
	sub->q[(sub->qhead + sub->qlen) % sub->qcap].ev = aa_event_ref(ev);
	sub->q[(sub->qhead + sub->qlen) % sub->qcap].t = now;
	sub->qlen++;
	sub->qbytes += ev->len;
	return 0;
}

/* Queues (or writes at once) one event for one subscriber. */
static int
sub_enqueue(struct aa_sse_sub *sub, struct aa_event *ev, int latest)
{
	uint64_t now = uv_now(sub->s->loop);

	if (sub->dead)
		return AA_ECANCELED;
	if (latest) {
		if (sub->slot == NULL)
			sub->slot_t = now;
		aa_event_unref(sub->slot);
		sub->slot = aa_event_ref(ev);
	} else if (sub->qlen == 0 && aa_http_req_queued(sub->req) == 0) {
		aa_event_ref(ev);
		if (aa_http_stream_send(sub->req, ev->data, ev->len,
		    release_event, ev) != 0)
			sub->dead = 1;
		return 0;
	} else if (sub_push(sub, ev, now) != 0) {
		sub_kill(sub);
		return AA_E2BIG;
	}
	if (sub_check(sub, now) != 0)
		return AA_E2BIG;
	sub_flush(sub);
	return 0;
}

int
aa_sse_sub_send(struct aa_sse_sub *sub, struct aa_event *ev)
{
	return sub_enqueue(sub, ev, 0);
}

/* Connection closed (client left, killed, or server closing). */
static void
sub_on_close(struct aa_http_req *req, void *arg)
{
	struct aa_sse_sub *sub = arg;
	struct aa_event *ev;

	(void)req;
	if (sub->s != NULL) {
		aa_list_remove(&sub->link);
		if (--sub->s->nsubs == 0)
			uv_timer_stop(&sub->s->timer);
	}
	while ((ev = sub_pop(sub)) != NULL)
		aa_event_unref(ev);
	free(sub->q);
	free(sub);
}

/* Connection output drained: write more. */
static void
sub_on_drain(struct aa_http_req *req, void *arg)
{
	(void)req;
	sub_flush(arg);
}

/* Heartbeat: limits first, then a ping for everyone still here. */
static void
stream_tick(uv_timer_t *t)
{
	struct aa_sse_stream *s = t->data;
	struct aa_list *it, *tmp;
	uint64_t now = uv_now(s->loop);

	AA_LIST_FOREACH_SAFE(it, tmp, &s->subs) {
		struct aa_sse_sub *sub = AA_LIST_ENTRY(it, struct aa_sse_sub,
		    link);

		if (sub->dead || sub_check(sub, now) != 0)
			continue;
		sub_enqueue(sub, s->ping, 0);
	}
}

int
aa_sse_stream_new(struct aa_sse_stream **out, uv_loop_t *loop,
    const struct aa_sse_options *o)
{
	static const struct aa_sse_options zero;
	struct aa_sse_stream *s;

	*out = NULL;
	if (loop == NULL)
		return AA_EINVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return AA_ENOMEM;
	s->o = o != NULL ? *o : zero;
	if (s->o.ring == 0)
		s->o.ring = 256;
	if (s->o.max_events == 0)
		s->o.max_events = 1024;
	if (s->o.max_bytes == 0)
		s->o.max_bytes = 8u << 20;
	if (s->o.max_age_ms == 0)
		s->o.max_age_ms = 30000;
	if (s->o.heartbeat_ms == 0)
		s->o.heartbeat_ms = 15000;
	if ((s->ring = calloc(s->o.ring, sizeof(*s->ring))) == NULL ||
	    aa_event_new_comment(&s->ping, "ping") != 0) {
		free(s->ring);
		free(s);
		return AA_ENOMEM;
	}
	s->loop = loop;
	s->next_id = o != NULL && o->first_id != 0 ? o->first_id : 1;
	aa_list_init(&s->subs);
	uv_timer_init(loop, &s->timer);
	s->timer.data = s;
	*out = s;
	return 0;
}

/* Frees the stream once its timer handle has closed, then tells the
 * owner. */
static void
stream_close_cb(uv_handle_t *h)
{
	struct aa_sse_stream *s = h->data;
	aa_sse_close_cb cb = s->close_cb;
	void *ud = s->close_ud;

	free(s);
	if (cb != NULL)
		cb(ud);
}

void
aa_sse_stream_close(struct aa_sse_stream *s, aa_sse_close_cb cb, void *ud)
{
	struct aa_list *it, *tmp;
	size_t i;

	if (s == NULL || uv_is_closing((uv_handle_t *)&s->timer))
		return;
	s->close_cb = cb;
	s->close_ud = ud;
	AA_LIST_FOREACH_SAFE(it, tmp, &s->subs) {
		struct aa_sse_sub *sub = AA_LIST_ENTRY(it, struct aa_sse_sub,
		    link);

		aa_list_remove(&sub->link);
		sub->s = NULL;
		sub_kill(sub);
	}
	for (i = 0; i < s->rlen; i++)
		aa_event_unref(s->ring[(s->rhead + i) % s->o.ring]);
	free(s->ring);
	aa_event_unref(s->ping);
	uv_close((uv_handle_t *)&s->timer, stream_close_cb);
}

uint64_t
aa_sse_next_id(struct aa_sse_stream *s)
{
	return s->next_id++;
}

/* Keeps ev in the resume ring, dropping the oldest when full. */
static void
ring_push(struct aa_sse_stream *s, struct aa_event *ev)
{
	if (s->rlen == s->o.ring) {
		aa_event_unref(s->ring[s->rhead]);
		s->rhead = (s->rhead + 1) % s->o.ring;
		s->rlen--;
	}
	s->ring[(s->rhead + s->rlen) % s->o.ring] = aa_event_ref(ev);
	s->rlen++;
	s->last_published = ev->id;
}

int
aa_sse_publish(struct aa_sse_stream *s, struct aa_event *ev)
{
	struct aa_list *it, *tmp;

	if (ev->id != 0)
		ring_push(s, ev);
	AA_LIST_FOREACH_SAFE(it, tmp, &s->subs)
		sub_enqueue(AA_LIST_ENTRY(it, struct aa_sse_sub, link), ev,
		    s->o.latest_wins);
	return 0;
}

size_t
aa_sse_nsubs(const struct aa_sse_stream *s)
{
	return s->nsubs;
}

int
aa_sse_subscribe(struct aa_sse_stream *s, struct aa_http_req *req,
    struct aa_sse_sub **out)
{
	static const char *const hdrs[][2] = {
		{ "Cache-Control", "no-cache, no-store, must-revalidate" },
		{ "Pragma", "no-cache" },
		{ "Expires", "0" },
		{ "X-Accel-Buffering", "no" },
		{ "X-Proxy-Buffering", "no" },
	};
	const char *conn = aa_http_req_header(req, "Connection");
	struct aa_sse_sub *sub;
	size_t i;
	int rc = 0;

	*out = NULL;
	if ((sub = calloc(1, sizeof(*sub))) == NULL) {
		aa_http_reply(req, 500, "text/plain; charset=utf-8",
		    "out of memory\n", 14);
		return AA_ENOMEM;
	}
	for (i = 0; i < AA__ARRAY_SIZE(hdrs); i++)
		AA__FIRST_ERROR(rc, aa_http_res_header(req, hdrs[i][0],
		    hdrs[i][1]));
	if (conn == NULL || strcasecmp(conn, "close") != 0)
		AA__FIRST_ERROR(rc, aa_http_res_header(req, "Connection",
		    "keep-alive"));
	if (rc != 0 || aa_http_stream_start(req, 200, "text/event-stream") !=
	    0) {
		free(sub);
		if (rc != 0)
			aa_http_reply(req, 500, "text/plain; charset=utf-8",
			    "out of memory\n", 14);
		return AA_ENOMEM;
	}
	sub->s = s;
	sub->req = req;
	aa_http_req_on_close(req, sub_on_close, sub);
	aa_http_req_on_drain(req, sub_on_drain, sub);
	aa_list_insert_tail(&s->subs, &sub->link);
	if (s->nsubs++ == 0)
		uv_timer_start(&s->timer, stream_tick, s->o.heartbeat_ms,
		    s->o.heartbeat_ms);
	*out = sub;
	return 0;
}

int
aa_sse_sub_replay_since(struct aa_sse_sub *sub, uint64_t last_id)
{
	struct aa_sse_stream *s = sub->s;
	struct aa_event *ev;
	size_t i;

	if (s == NULL)
		return AA_ECANCELED;
	if (last_id == s->last_published && last_id != 0)
		return 0;
	if (last_id > s->last_published || s->rlen == 0 ||
	    last_id + 1 < s->ring[s->rhead]->id)
		return AA_ENOENT;
	for (i = 0; i < s->rlen; i++) {
		ev = s->ring[(s->rhead + i) % s->o.ring];
		if (ev->id > last_id)
			sub_enqueue(sub, ev, 0);
	}
	return 0;
}

int
aa_sse_last_event_id(const struct aa_http_req *req, uint64_t *id)
{
	const char *v = aa_http_req_header(req, "Last-Event-ID");
	uint64_t n = 0;

	if (v == NULL || *v == '\0' || strlen(v) > 19)
		return AA_ENOENT;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return AA_ENOENT;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	*id = n;
	return 0;
}
