/*
 * event.c - building SSE frames once and sharing them (see event.h).
 *
 * The frame is measured first and written into one allocation holding the
 * header and the bytes, so an event costs exactly one malloc whatever the
 * number of subscribers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "http/event.h"

/* Writes (or, with out NULL, measures) the frame; returns its length. */
static size_t
frame(char *out, uint64_t id, uint64_t pos, const char *name,
    const char *data, size_t len)
{
	char idline[40];
	size_t n = 0, i, start;

#define PUT(p, l)                                                              \
	do {                                                                   \
		if (out != NULL)                                               \
			memcpy(out + n, (p), (l));                             \
		n += (l);                                                      \
	} while (0)

	if (pos != 0) {
		snprintf(idline, sizeof(idline), "id: %" PRIu64 ".%" PRIu64
		    "\n", id, pos);
		PUT(idline, strlen(idline));
	} else if (id != 0) {
		snprintf(idline, sizeof(idline), "id: %" PRIu64 "\n", id);
		PUT(idline, strlen(idline));
	}
	PUT("event: ", 7);
	PUT(name, strlen(name));
	PUT("\n", 1);
	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && data[i] != '\n' && data[i] != '\r')
			continue;
		PUT("data: ", 6);
		PUT(data + start, i - start);
		PUT("\n", 1);
		if (i < len && data[i] == '\r' && i + 1 < len &&
		    data[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	PUT("\n", 1);
#undef PUT
	return n;
}

int
aa_event_new(struct aa_event **out, uint64_t id, const char *name,
    const char *data, size_t len)
{
	return aa_event_new_at(out, id, 0, name, data, len);
}

int
aa_event_new_at(struct aa_event **out, uint64_t id, uint64_t pos,
    const char *name, const char *data, size_t len)
{
	struct aa_event *ev;
	size_t n;

	*out = NULL;
	if (name == NULL || name[0] == '\0' || strpbrk(name, "\r\n") != NULL)
		return AA_EINVAL;
	n = frame(NULL, id, pos, name, data, len);
	if ((ev = malloc(sizeof(*ev) + n + 1)) == NULL)
		return AA_ENOMEM;
	ev->refs = 1;
	ev->id = pos == 0 ? id : 0;
	ev->extended = 0;
	ev->len = frame(ev->data, id, pos, name, data, len);
	ev->data[ev->len] = '\0';
	*out = ev;
	return 0;
}

int
aa_event_new_json(struct aa_event **out, uint64_t id, const char *name,
    const cJSON *obj)
{
	return aa_event_new_json_at(out, id, 0, name, obj);
}

int
aa_event_new_json_at(struct aa_event **out, uint64_t id, uint64_t pos,
    const char *name, const cJSON *obj)
{
	char *s = cJSON_PrintUnformatted(obj);
	int rc;

	if (s == NULL) {
		*out = NULL;
		return AA_ENOMEM;
	}
	rc = aa_event_new_at(out, id, pos, name, s, strlen(s));
	cJSON_free(s);
	return rc;
}

int
aa_event_new_comment(struct aa_event **out, const char *text)
{
	struct aa_event *ev;
	size_t n = strlen(text);

	*out = NULL;
	if (strpbrk(text, "\r\n") != NULL)
		return AA_EINVAL;
	if ((ev = malloc(sizeof(*ev) + n + 5)) == NULL)
		return AA_ENOMEM;
	ev->refs = 1;
	ev->id = 0;
	ev->extended = 0;
	ev->len = (size_t)snprintf(ev->data, n + 5, ": %s\n\n", text);
	*out = ev;
	return 0;
}

struct aa_event *
aa_event_ref(struct aa_event *ev)
{
	ev->refs++;
	return ev;
}

void
aa_event_unref(struct aa_event *ev)
{
	if (ev != NULL && --ev->refs == 0)
		free(ev);
}
