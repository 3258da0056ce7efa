/*
 * conv.h - aa_conv, the conversation tracker (../shared/spec/core.md §2).
 *
 * The tracker turns successive screen texts into a list of user and agent
 * messages plus a status (initializing, changing, stable).  It is pure:
 * no loop, no clock, no files.  The caller passes the time into every call
 * and decides when to call:
 *
 *   - aa_conv_tick() whenever the screen changed (coalescing is fine) and
 *     when the timer armed for aa_conv_next_deadline() fires;
 *   - aa_conv_check_send(), then aa_conv_send_begin() with the screen just
 *     before typing, then aa_conv_send_end() once the typing was seen (or
 *     failed) - the same pair types the initial prompt when
 *     aa_conv_prompt_due() returns it;
 *   - aa_conv_wants_load() after a tick, then aa_conv_state_load() (or
 *     _missing()/_load_failed()) with the state file's bytes;
 *   - aa_conv_save_wanted(), aa_conv_state_encode(), then, once the bytes
 *     are on disk, aa_conv_state_saved().
 *
 * Stability is a time formulation of upstream's 25 ms ring buffer of
 * threshold = ceil(stability / interval) + 1 snapshots (§2.2): the buffer
 * is "full" once threshold intervals have passed since creation (upstream
 * takes its first snapshot one interval after start), and the screen is
 * "stable" once it has been unchanged for (threshold - 1) intervals.
 * Ticking exactly every interval reproduces upstream's status sequences;
 * ticking only on change and at the deadline costs an idle agent nothing.
 *
 * Callbacks run at the end of the call that caused them, once the
 * tracker's state is consistent; they must not call back into the
 * tracker's mutating functions.
 */
#ifndef AA_CONV_H
#define AA_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "agentapi.h"
#include "base/buf.h"

/* A point in time: mono_ms for stability, wall_ns for message times. */
struct aa_time {
	int64_t mono_ms;
	int64_t wall_ns;
};

/* enum aa_conv_status, enum aa_role, enum aa_conv_level and struct
 * aa_message are public (include/agentapi.h). */

/* Screen diff hook: the part of cur that is new since old (§3). */
typedef int (*aa_conv_diff_fn)(void *hook_ud, const char *old, size_t oldlen,
    const char *cur, size_t curlen, struct aa_buf *out);
/* Formatter hook: FormatAgentMessage then FormatToolCall (§4.4, §4.6). */
typedef int (*aa_conv_format_fn)(void *hook_ud, const char *msg, size_t len,
    const char *user, size_t ulen, struct aa_buf *out,
    struct aa_buf *tool_calls);
/* Readiness hook: non-zero when the raw screen is ready for input (§4.5). */
typedef int (*aa_conv_ready_fn)(void *hook_ud, const char *screen,
    size_t len);
/* Busy hook: non-zero while the raw screen shows the agent at work. */
typedef int (*aa_conv_busy_fn)(void *hook_ud, const char *screen,
    size_t len);

struct aa_conv_options {
	int version;		/* reserved, 0 */
	int64_t interval_ms;	/* snapshot interval; 0 means 25 */
	int64_t stability_ms;	/* stability length; 0 means 2000, < 0 is 0 */
	aa_conv_diff_fn diff;	/* required */
	aa_conv_format_fn format; /* NULL: the diff is the message */
	aa_conv_ready_fn ready;	/* NULL: always ready */
	aa_conv_busy_fn busy;	/* NULL: never busy (upstream) */
	/* A busy screen that has not changed at all for this long no
	 * longer holds the status (a frozen or stale mark), nor does a
	 * turn that has shown no sign of work yet; 0 means 30000, < 0
	 * never. */
	int64_t busy_still_max_ms;
	void *hook_ud;
	const char *initial_prompt; /* NULL or "": none; WS6-trimmed here */
	size_t initial_prompt_len;  /* 0: strlen(initial_prompt) */
	int load_state;		/* load a state file on the first ready tick */
	int save_state;		/* aa_conv_save_wanted() may return non-zero */
	int time_utc;		/* state file times in UTC instead of local */
	void (*on_message)(void *ud, const struct aa_message *m, int is_new);
	void (*on_status)(void *ud, enum aa_conv_status status);
	void (*on_error)(void *ud, int level, const char *text);
	void *ud;
};

struct aa_conv;

/* Creates a tracker holding the one empty agent message of §2.1. */
int aa_conv_new(struct aa_conv **out, const struct aa_conv_options *o,
    const struct aa_time *now);
/* Frees the tracker (NULL is fine). */
void aa_conv_free(struct aa_conv *c);

/* Feeds the current screen at time now (§2.4); emits what changed. */
int aa_conv_tick(struct aa_conv *c, const struct aa_time *now,
    const char *screen, size_t len);
/* Mono time at which the status could change with no new screen, or -1. */
int64_t aa_conv_next_deadline(const struct aa_conv *c);

/* The status as of the last call. */
enum aa_conv_status aa_conv_status(const struct aa_conv *c);
/* Number of messages. */
size_t aa_conv_count(const struct aa_conv *c);
/* Message i (valid until the next mutating call), or NULL. */
const struct aa_message *aa_conv_message(const struct aa_conv *c, size_t i);

/* Validates a user message: 0, AA_EUNTRIMMED, AA_EEMPTY or AA_EBUSY. */
int aa_conv_check_send(const struct aa_conv *c, const char *text,
    size_t len);
/* Starts a send: updates the agent message from the screen just before
 * typing and freezes updates while the text is typed (§2.6 step 1).  When
 * aa_conv_prompt_due() is non-NULL this send is the initial prompt. */
int aa_conv_send_begin(struct aa_conv *c, const struct aa_time *now,
    const char *screen, size_t len);
/* Ends a send: on ok appends the user message text (§2.6 steps 3-4). */
int aa_conv_send_end(struct aa_conv *c, const struct aa_time *now,
    const char *text, size_t len, int ok);
/* Non-zero between send_begin and send_end. */
int aa_conv_sending(const struct aa_conv *c);
/* The initial prompt to type now (ready, stable, not sent), else NULL. */
const char *aa_conv_prompt_due(const struct aa_conv *c);
/* The configured initial prompt (trimmed), "" when none. */
const char *aa_conv_prompt(const struct aa_conv *c);

/* Non-zero when the state file should be loaded now (§2.4 step 5). */
int aa_conv_wants_load(const struct aa_conv *c);
/* Applies a state file's bytes (§5.3); on failure reports the warning,
 * returns AA_ECORRUPT or AA_EVERSION and sets *cause (malloc'd). */
int aa_conv_state_load(struct aa_conv *c, const char *json, size_t len,
    char **cause);
/* Records that there is no state file (not reported, saving allowed). */
void aa_conv_state_missing(struct aa_conv *c);
/* Records that the file could not be read; reports the warning. */
void aa_conv_state_load_failed(struct aa_conv *c, const char *cause);
/* Non-zero when a save is enabled, useful and allowed (never over a file
 * whose load failed, never before the load was attempted). */
int aa_conv_save_wanted(const struct aa_conv *c);
/* Non-zero when something changed since the last save or load. */
int aa_conv_dirty(const struct aa_conv *c);
/* Appends the state file's bytes (§5.1) for the conversation as it is. */
int aa_conv_state_encode(struct aa_conv *c, struct aa_buf *out);
/* The same with the messages queued for the agent (state.h "queue"). */
int aa_conv_state_encode_queue(struct aa_conv *c, struct aa_buf *out,
    const struct aa_message *queue, size_t nqueue);
/* Hands over the queue the loaded state file held (the caller frees each
 * text and the array); returns its length, 0 with *queue NULL if none. */
size_t aa_conv_take_loaded_queue(struct aa_conv *c,
    struct aa_message **queue);
/* Marks the state dirty for a change outside the conversation (the
 * queue), so that the next save writes it. */
void aa_conv_touch(struct aa_conv *c);
/* Marks the last encoded state as written; clears dirty unless the
 * conversation changed since it was encoded. */
void aa_conv_state_saved(struct aa_conv *c);

/* Returns "stable" or "running", the HTTP form of a status. */
const char *aa_conv_status_name(enum aa_conv_status s);
/* Returns "agent" or "user". */
const char *aa_conv_role_name(enum aa_role r);

#endif /* AA_CONV_H */
