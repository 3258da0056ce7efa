/*
 * queue.c - the bounded message queue (see queue.h).
 */
#include <stdlib.h>
#include <string.h>

#include "agentapi.h"
#include "base/aa-internal.h"
#include "core/queue.h"

static int queue_append(struct aa_queue *q, uint64_t id, const char *text,
    size_t len, int64_t time_ns);

void
aa_queue_init(struct aa_queue *q, size_t max_items, size_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	q->max_items = max_items > 0 ? max_items : AA_QUEUE_MAX_ITEMS;
	q->max_bytes = max_bytes > 0 ? max_bytes : AA_QUEUE_MAX_BYTES;
	q->next_id = 1;
}

void
aa_queue_release(struct aa_queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free(q->v[i].text);
	free(q->v);
	q->v = NULL;
	q->n = q->cap = q->bytes = 0;
}

static int
queue_append(struct aa_queue *q, uint64_t id, const char *text, size_t len,
    int64_t time_ns)
{
	struct aa_queue_item *it;
	char *copy;
	size_t cap;

	if (q->n == q->cap) {
		cap = q->cap > 0 ? q->cap * 2 : 4;
		if ((it = realloc(q->v, cap * sizeof(*it))) == NULL)
			return AA_ENOMEM;
		q->v = it;
		q->cap = cap;
	}
	if ((copy = malloc(len + 1)) == NULL)
		return AA_ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	it = &q->v[q->n++];
	it->id = id;
	it->text = copy;
	it->len = len;
	it->time_ns = time_ns;
	q->bytes += len;
	if (id >= q->next_id)
		q->next_id = id + 1;
	return 0;
}

int
aa_queue_push(struct aa_queue *q, const char *text, size_t len,
    int64_t now_ns, uint64_t *id)
{
	int rc;

	if (q->n >= q->max_items)
		return AA_EAGAIN;
	if (len > q->max_bytes || q->bytes > q->max_bytes - len)
		return AA_E2BIG;
	*id = q->next_id;
	rc = queue_append(q, q->next_id, text, len, now_ns);
	return rc;
}

int
aa_queue_restore(struct aa_queue *q, uint64_t id, const char *text,
    size_t len, int64_t time_ns)
{
	if (id == 0 || (q->n > 0 && id <= q->v[q->n - 1].id))
		return AA_EINVAL;
	return queue_append(q, id, text, len, time_ns);
}

const struct aa_queue_item *
aa_queue_head(const struct aa_queue *q)
{
	return q->n > 0 ? &q->v[0] : NULL;
}

void
aa_queue_pop(struct aa_queue *q)
{
	if (q->n == 0)
		return;
	(void)aa_queue_remove(q, q->v[0].id);
}

int
aa_queue_remove(struct aa_queue *q, uint64_t id)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (q->v[i].id != id)
			continue;
		q->bytes -= q->v[i].len;
		free(q->v[i].text);
		memmove(&q->v[i], &q->v[i + 1],
		    (q->n - i - 1) * sizeof(q->v[0]));
		q->n--;
		return 0;
	}
	return AA_ENOENT;
}

size_t
aa_queue_position(const struct aa_queue *q, uint64_t id)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (q->v[i].id == id)
			return i + 1;
	return 0;
}
