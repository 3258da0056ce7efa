/*
 * steer.c - the agent's state for its user, and the message queue (see
 * steer.h for the rules and their order).
 */
#include <string.h>

#include "base/aa-internal.h"
#include "core/steer.h"

static enum aa_agent_state derive(const struct aa_steer *st,
    const struct aa_steer_input *in);

void
aa_steer_init(struct aa_steer *st, const struct aa_steer_rules *rules,
    size_t max_items, size_t max_bytes)
{
	memset(st, 0, sizeof(*st));
	if (rules != NULL)
		st->rules = *rules;
	st->state = AA_STATE_STARTING;
	st->prompt.selected = -1;
	aa_queue_init(&st->queue, max_items, max_bytes);
}

void
aa_steer_release(struct aa_steer *st)
{
	aa_queue_release(&st->queue);
}

static enum aa_agent_state
derive(const struct aa_steer *st, const struct aa_steer_input *in)
{
	if (in->exited)
		return AA_STATE_EXITED;
	if (in->sending)
		return AA_STATE_WORKING;
	if (st->waiting)
		return AA_STATE_WAITING;
	if (in->status == AA_CONV_INITIALIZING)
		return AA_STATE_STARTING;
	if (in->status == AA_CONV_CHANGING)
		return AA_STATE_WORKING;
	return AA_STATE_IDLE;
}

unsigned
aa_steer_update(struct aa_steer *st, const struct aa_steer_input *in)
{
	struct aa_prompt p;
	unsigned ch = 0;
	int found;
	enum aa_agent_state s;

	if (in->screen != NULL) {
		found = !in->exited && !in->sending &&
		    aa_prompt_detect(in->screen, in->screen_len,
		    &st->rules.prompt, &p) == 1;
		if (found != st->waiting ||
		    (found && !aa_prompt_same(&p, &st->prompt))) {
			ch |= AA_STEER_PROMPT;
			st->since_ns = in->now_ns;
		}
		/* A moved highlight is the same prompt, but answering by
		 * arrows needs to know where it is now. */
		if (found)
			st->prompt = p;
		else
			memset(&st->prompt, 0, sizeof(st->prompt));
		st->waiting = found;
	} else if ((in->exited || in->sending) && st->waiting) {
		st->waiting = 0;
		memset(&st->prompt, 0, sizeof(st->prompt));
		ch |= AA_STEER_PROMPT;
	}
	s = derive(st, in);
	if (s != st->state) {
		st->state = s;
		ch |= AA_STEER_STATE;
	}
	st->changes |= ch;
	return ch;
}

const struct aa_queue_item *
aa_steer_due(const struct aa_steer *st)
{
	if (st->state != AA_STATE_IDLE)
		return NULL;
	return aa_queue_head(&st->queue);
}

void
aa_steer_delivered(struct aa_steer *st, uint64_t id)
{
	if (aa_queue_remove(&st->queue, id) == 0)
		st->changes |= AA_STEER_QUEUE;
}

int
aa_steer_enqueue(struct aa_steer *st, const char *text, size_t len,
    int64_t now_ns, uint64_t *id)
{
	int rc = aa_queue_push(&st->queue, text, len, now_ns, id);

	if (rc == 0)
		st->changes |= AA_STEER_QUEUE;
	return rc;
}

int
aa_steer_dequeue(struct aa_steer *st, uint64_t id)
{
	int rc = aa_queue_remove(&st->queue, id);

	if (rc == 0)
		st->changes |= AA_STEER_QUEUE;
	return rc;
}

unsigned
aa_steer_take_changes(struct aa_steer *st)
{
	unsigned ch = st->changes;

	st->changes = 0;
	return ch;
}

const char *
aa_steer_state_name(enum aa_agent_state s)
{
	switch (s) {
	case AA_STATE_STARTING: return "starting";
	case AA_STATE_IDLE: return "idle";
	case AA_STATE_WORKING: return "working";
	case AA_STATE_WAITING: return "waiting";
	case AA_STATE_EXITED: return "exited";
	}
	return "starting";
}
