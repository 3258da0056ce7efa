/*
 * steer.h - aa_steer: what the agent is doing for the user, and what the
 * user may do about it.
 *
 * Upstream's status (running/stable) says whether the screen moves.  The
 * user needs more: is the agent starting, idle, working, waiting for an
 * answer (and to what), or gone?  aa_steer derives that state from the
 * conversation tracker's status, the send in progress, the exit, and the
 * prompt found on the screen (prompt.h), and keeps the queue of messages
 * posted while the agent works (queue.h).  It is pure like conv: the
 * session feeds it each tick and asks it what to deliver; it never writes
 * to the agent itself.
 *
 * The order of the rules is the point:
 *   exited                      -> exited
 *   a send is being typed       -> working (our own echo may look like a
 *                                  question; it is not the agent's)
 *   a prompt is on the screen   -> waiting, even while the screen moves
 *                                  (Copilot's countdown) or before the
 *                                  agent was ever ready (trust dialogs)
 *   never ready yet             -> starting
 *   the screen moves            -> working
 *   otherwise                   -> idle
 * A queued message is due only when idle and nothing is being sent: never
 * while waiting, never two at once.
 */
#ifndef AA_STEER_H
#define AA_STEER_H

#include <stddef.h>
#include <stdint.h>

#include "agentapi.h"
#include "core/prompt.h"
#include "core/queue.h"

/* What changed since the last aa_steer_take_changes(). */
#define AA_STEER_STATE 0x1u
#define AA_STEER_PROMPT 0x2u
#define AA_STEER_QUEUE 0x4u

/* An agent's control rules (from agents/). */
struct aa_steer_rules {
	struct aa_prompt_rules prompt;
	const char *interrupt;    /* key names, space-separated; NULL: "esc" */
};

struct aa_steer {
	struct aa_steer_rules rules;
	enum aa_agent_state state;
	int waiting;              /* prompt is valid */
	struct aa_prompt prompt;
	int64_t since_ns;         /* when this prompt appeared */
	struct aa_queue queue;
	unsigned changes;
};

/* What the session knows at a tick. */
struct aa_steer_input {
	int64_t now_ns;                /* wall clock */
	enum aa_conv_status status;
	int sending;                   /* a user message is being typed */
	int exited;
	const char *screen;            /* NULL: unchanged since last call */
	size_t screen_len;
};

/* rules may be NULL (defaults); max_* as aa_queue_init. */
void aa_steer_init(struct aa_steer *st, const struct aa_steer_rules *rules,
    size_t max_items, size_t max_bytes);
void aa_steer_release(struct aa_steer *st);
/* Recomputes state and prompt; returns the AA_STEER_* bits that changed
 * in this call (they also accumulate for aa_steer_take_changes). */
unsigned aa_steer_update(struct aa_steer *st, const struct aa_steer_input *in);
/* The queued message to type now, or NULL; the caller pops it once the
 * send has been accepted (aa_steer_delivered). */
const struct aa_queue_item *aa_steer_due(const struct aa_steer *st);
/* The due message was handed to the send pipeline: removes it. */
void aa_steer_delivered(struct aa_steer *st, uint64_t id);
/* Queues a message (aa_queue_push's codes). */
int aa_steer_enqueue(struct aa_steer *st, const char *text, size_t len,
    int64_t now_ns, uint64_t *id);
/* Removes a queued message; AA_ENOENT when there is none. */
int aa_steer_dequeue(struct aa_steer *st, uint64_t id);
/* Returns and clears the accumulated AA_STEER_* bits. */
unsigned aa_steer_take_changes(struct aa_steer *st);
/* "starting", "idle", "working", "waiting", "exited". */
const char *aa_steer_state_name(enum aa_agent_state s);

#endif /* AA_STEER_H */
