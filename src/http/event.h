/*
 * event.h - aa_event: one serialized Server-Sent Event, shared by refcount.
 *
 * An event is built once, as the exact bytes of its SSE frame
 *     id: N\n            (omitted when id is 0; "id: N.P" for the P-th
 *                       frame of a replay of the state as of event N)
 *     event: name\n
 *     data: <one-line JSON>\n
 *     \n
 * and every subscriber queues a reference to the same bytes (STYLE 14,
 * lwan's pubsub).  Data holding newlines is split into several "data:"
 * lines, so any text frames correctly; JSON from cJSON_PrintUnformatted
 * never needs it.  Events are immutable after creation.
 */
#ifndef AA_EVENT_H
#define AA_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

struct aa_event {
	unsigned refs;
	uint64_t id;  /* 0 = no id line (not resumable) */
	unsigned extended; /* only for subscribers that opted in */
	size_t len;   /* bytes of the frame in data */
	char data[];  /* the frame, NUL-terminated */
};

/* Builds an event with one reference; name must hold no CR/LF. */
int aa_event_new(struct aa_event **out, uint64_t id, const char *name,
    const char *data, size_t len);
/* Builds an event whose data is obj printed as compact JSON. */
int aa_event_new_json(struct aa_event **out, uint64_t id, const char *name,
    const cJSON *obj);
/* The same with the id line "id: <id>.<pos>" (pos 0: "id: <id>"): a
 * frame inside a replay, which resumes after itself (sse.h).  Such an
 * event is not resumable through the ring (its ev->id is 0). */
int aa_event_new_at(struct aa_event **out, uint64_t id, uint64_t pos,
    const char *name, const char *data, size_t len);
int aa_event_new_json_at(struct aa_event **out, uint64_t id, uint64_t pos,
    const char *name, const cJSON *obj);
/* Builds a comment frame (": text\n\n"), e.g. the heartbeat ": ping". */
int aa_event_new_comment(struct aa_event **out, const char *text);
/* Takes one more reference; returns ev. */
struct aa_event *aa_event_ref(struct aa_event *ev);
/* Drops one reference, freeing the event with the last; NULL is fine. */
void aa_event_unref(struct aa_event *ev);

#endif /* AA_EVENT_H */
