/*
 * queue.h - aa_queue: user messages waiting for the agent to be idle.
 *
 * A message posted with "queue": true while the agent works is kept here
 * and typed, in order, one turn each, when the agent is idle again (never
 * while it waits on a prompt: that is the session's rule).  The queue is
 * bounded in count and in bytes, so a client cannot grow the server
 * without limit; ids are never reused within a queue's life (a restored
 * queue continues after its highest id), so DELETE /queue/{id} cannot hit
 * a later message by accident.  Pure: time is passed in.
 */
#ifndef AA_QUEUE_H
#define AA_QUEUE_H

#include <stddef.h>
#include <stdint.h>

/* Defaults; aa_queue_init takes 0 for them. */
#define AA_QUEUE_MAX_ITEMS 64
#define AA_QUEUE_MAX_BYTES ((size_t)1 << 20)

struct aa_queue_item {
	uint64_t id;
	char *text;              /* NUL-terminated, owned */
	size_t len;
	int64_t time_ns;         /* when it was queued */
};

struct aa_queue {
	struct aa_queue_item *v;
	size_t n, cap;
	size_t bytes;            /* sum of the texts' lengths */
	size_t max_items, max_bytes;
	uint64_t next_id;        /* the id the next push gets */
};

/* An empty queue with its bounds (0: the defaults). */
void aa_queue_init(struct aa_queue *q, size_t max_items, size_t max_bytes);
/* Frees every item; the queue is empty and usable again. */
void aa_queue_release(struct aa_queue *q);
/*
 * Appends a copy of text; *id gets its id.  Returns AA_EAGAIN when the
 * queue is full (count), AA_E2BIG when the text would pass the byte bound,
 * AA_ENOMEM.
 */
int aa_queue_push(struct aa_queue *q, const char *text, size_t len,
    int64_t now_ns, uint64_t *id);
/* Appends an item with a given id (restoring a saved queue); ids must
 * grow.  The bounds are not checked: what was accepted once stays. */
int aa_queue_restore(struct aa_queue *q, uint64_t id, const char *text,
    size_t len, int64_t time_ns);
/* The oldest item, or NULL. */
const struct aa_queue_item *aa_queue_head(const struct aa_queue *q);
/* Removes the oldest item (no-op when empty). */
void aa_queue_pop(struct aa_queue *q);
/* Removes item id; AA_ENOENT when there is none. */
int aa_queue_remove(struct aa_queue *q, uint64_t id);
/* The 1-based position of item id, 0 when there is none. */
size_t aa_queue_position(const struct aa_queue *q, uint64_t id);

#endif /* AA_QUEUE_H */
