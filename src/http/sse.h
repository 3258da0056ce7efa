/*
 * sse.h - aa_sse: Server-Sent-Event streams with bounded subscribers.
 *
 * A stream (e.g. /events, /internal/screen) is a set of subscribers, each
 * an HTTP request answered with a chunked text/event-stream (the headers
 * of spec http.md §4.1).  Publishing an aa_event queues one reference per
 * subscriber and writes at once where the socket takes it.  Each
 * subscriber's queue is bounded by count, bytes (queued + unwritten) and
 * the age of its oldest entry; past any of them the client is disconnected
 * (it reconnects and gets a replay) - nothing is buffered without limit
 * (STYLE 13).  A latest-wins stream (screens) keeps one pending event per
 * subscriber instead: a slow client skips intermediate screens.
 *
 * Resuming: the stream keeps a ring of the last events that carry ids
 * (from aa_sse_next_id()), so aa_sse_sub_replay_since() can send what a
 * client with Last-Event-ID missed, or say it is too old (AA_ENOENT) and
 * let the caller do a full replay with aa_sse_sub_send().
 * A ": ping" comment goes to every subscriber every heartbeat_ms while
 * the stream has subscribers (the timer is stopped otherwise).
 *
 * Example, an SSE handler:
 *
 *   static void
 *   h_events(struct aa_http_req *req, void *data)
 *   {
 *   	struct app *app = data;
 *   	struct aa_sse_sub *sub;
 *   	uint64_t last;
 *
 *   	if (aa_sse_subscribe(app->events, req, &sub) != 0)
 *   		return;   (the request has been answered with an error)
 *   	if (aa_sse_last_event_id(req, &last) == 0 &&
 *   	    aa_sse_sub_replay_since(sub, last) == 0)
 *   		return;
 *   	app_replay_all(app, sub);   (aa_sse_sub_send() per event)
 *   }
 */
#ifndef AA_SSE_H
#define AA_SSE_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "http/event.h"

struct aa_http_req;
struct aa_sse_stream;
struct aa_sse_sub;

struct aa_sse_options {
	int version;          /* reserved, 0 */
	size_t ring;          /* events kept for Last-Event-ID; 0 = 256 */
	size_t max_events;    /* queued events per subscriber; 0 = 1024 */
	size_t max_bytes;     /* queued + unwritten bytes; 0 = 8 MiB */
	unsigned max_age_ms;  /* oldest queued event; 0 = 30 s */
	unsigned heartbeat_ms; /* 0 = 15 s */
	int latest_wins;      /* screen-type stream */
	uint64_t first_id;    /* first event id; 0 = 1.  A time-based start
			       * keeps ids from an earlier run of the server
			       * from resuming into this one's events. */
};

/* Creates a stream on loop. */
int aa_sse_stream_new(struct aa_sse_stream **out, uv_loop_t *loop,
    const struct aa_sse_options *o);
/* Completion of aa_sse_stream_close: the stream has been freed. */
typedef void (*aa_sse_close_cb)(void *ud);
/* Ends every subscriber's connection and closes the stream's timer; once
 * it has closed the stream is freed and then cb(ud) runs (cb may be
 * NULL), from the close callback, so run the loop.  The subscribers'
 * connections close on their own schedule (the HTTP server's).  A second
 * call is ignored; NULL is fine. */
void aa_sse_stream_close(struct aa_sse_stream *s, aa_sse_close_cb cb,
    void *ud);
/* Returns the id to give the next published event (first_id, +1, ...). */
uint64_t aa_sse_next_id(struct aa_sse_stream *s);
/* Sends ev to every subscriber and keeps it in the ring if it has an id
 * (ids must then come from aa_sse_next_id(), in order).  The caller keeps
 * its own reference. */
int aa_sse_publish(struct aa_sse_stream *s, struct aa_event *ev);
/* Returns the number of subscribers. */
size_t aa_sse_nsubs(const struct aa_sse_stream *s);

/* Answers req with the SSE headers and adds it as a subscriber.  On
 * failure the request has been answered (500) and *out is NULL. */
int aa_sse_subscribe(struct aa_sse_stream *s, struct aa_http_req *req,
    struct aa_sse_sub **out);
/* Queues ev for one subscriber (used for the replay on connect). */
int aa_sse_sub_send(struct aa_sse_sub *sub, struct aa_event *ev);
/* Queues the ring's events after last_id; AA_ENOENT when some are gone
 * (or last_id is unknown): the caller must replay everything. */
int aa_sse_sub_replay_since(struct aa_sse_sub *sub, uint64_t last_id);
/* Reads a Last-Event-ID header; 0 and *id, or AA_ENOENT. */
int aa_sse_last_event_id(const struct aa_http_req *req, uint64_t *id);

#endif /* AA_SSE_H */
