/*
 * conv.c - the conversation tracker (../shared/spec/core.md §2, §5.3).
 *
 * State: the message list (id == index; the text of each is owned), the
 * last screen and when it was first seen, the diff base (the screen just
 * before the last user message), the readiness latch, the send in
 * progress, the initial prompt and the state-file bookkeeping.  The
 * status is a function of that state and of the time of the last call
 * (see conv.h for the time formulation of upstream's ring buffer); it is
 * recomputed at the end of every mutating call, before the callbacks.
 *
 * Upstream defects fixed here (§9), each marked "Fix §9.N" where it is:
 *   2 identical consecutive agent replies are appended, not dropped;
 *   3 appending a user message marks the state dirty;
 *   4 the initial prompt is marked sent only once typed successfully;
 *     a failure is reported and retried (at most PROMPT_TRIES times);
 *   5 a prompt restored from a state file is typed like any other prompt
 *     (aa_conv_prompt_due() does not tell the caller it is "raw");
 *   6 a whitespace-only initial prompt is no prompt at all;
 *   7 no save before the state file was loaded, nor over a file whose
 *     load failed;
 *   8 "messages": null is saved back as [] (the encoder always writes
 *     an array);
 *  16 the status is computed after the tick's readiness step, so the
 *     tick that makes the agent ready reports it.
 * Also: loaded message ids are renumbered to their positions, since the
 * HTTP layer relies on id == index.  And beyond upstream: an optional busy
 * hook (an agent whose screen says it is at work, e.g. opencode's "esc
 * interrupt" footer) keeps a still screen "changing", tested on each new
 * screen like readiness; without the hook the rules are upstream's.
 *
 * With a busy hook, a turn ends by the agent's own signs, not by
 * wall-clock alone (issue 14, "stability that holds under load"):
 *   - on a starved machine the agent may draw nothing for longer than the
 *     stability window mid-turn; while its busy mark is on screen the turn
 *     stays open (above);
 *   - but a busy mark on a screen that has not changed at all for
 *     busy_still_max_ms is taken as stale (a frozen agent, a mark left
 *     behind): it no longer holds the turn open forever;
 *   - once the agent has shown a busy mark in this turn and the mark is
 *     gone, its input box is back (the ready hook on the current screen)
 *     and the agent message has not changed for the stability window, the
 *     turn is over even if the raw screen keeps changing (an animated
 *     hint, a clock in a footer): "idle by its own signs".  An agent that
 *     never shows a busy mark keeps upstream's rule;
 *   - a turn whose reply is still empty is not over either: a starved
 *     agent can take seconds after Enter to draw its first frame of work,
 *     and opencode under load drew its busy mark, took it away and drew
 *     its turn summary before the reply's text; upstream's rule (and the
 *     signs above) ended such a turn with an empty reply, the next
 *     message then typed into a busy agent.  Like a busy mark, this
 *     holds only while the screen is not still for busy_still_max_ms (an
 *     agent that answers nothing at all).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "base/log.h"
#include "core/conv.h"
#include "core/state.h"
#include "base/text.h"

#define DEFAULT_INTERVAL_MS 25
#define DEFAULT_STABILITY_MS 2000
#define DEFAULT_BUSY_STILL_MAX_MS 30000
/* Attempts at typing the initial prompt before giving up (Fix §9.4). */
#define PROMPT_TRIES 3

enum conv_load {
	LOAD_OFF,	/* loading disabled */
	LOAD_PENDING,	/* enabled, waiting for the agent to be ready */
	LOAD_DONE,	/* loaded successfully */
	LOAD_MISSING,	/* no file: nothing to protect */
	LOAD_FAILED	/* unreadable or invalid: never overwrite it */
};

struct aa_conv {
	aa_conv_diff_fn diff;
	aa_conv_format_fn format;
	aa_conv_ready_fn ready_fn;
	aa_conv_busy_fn busy_fn;
	void *hook_ud;
	void (*on_message)(void *, const struct aa_message *, int);
	void (*on_status)(void *, enum aa_conv_status);
	void (*on_error)(void *, int, const char *);
	void *ud;
	int save_state;
	int time_utc;

	int64_t interval;	/* ms */
	int64_t threshold;	/* snapshots, §2.2 */
	int64_t t0;		/* mono ms at creation */
	int64_t last_mono;	/* mono ms of the last call */
	int64_t changed_mono;	/* when the current screen was first seen */
	int ticked;		/* a screen has been seen */
	struct aa_buf screen;	/* the last screen */
	struct aa_buf base;	/* screen before the last user message */
	struct aa_buf send_base; /* screen before the send in progress */
	int64_t send_wall;	/* wall time the send began */

	struct aa_message *msgs;
	size_t n, cap;

	char *prompt;		/* trimmed initial prompt, "" for none */
	size_t prompt_len;
	int prompt_sent;
	int prompt_tries;
	int prompt_sending;	/* the send in progress is the prompt */

	int ready;		/* latch, §2.4 step 4 */
	int busy;		/* the last screen shows the agent at work */
	int busy_seen;		/* a busy screen was seen in this turn */
	int turn_sent;		/* a user message was sent in this process */
	int box_now;		/* the last screen shows the input box */
	int64_t busy_still_max;	/* ms; -1: a busy mark holds forever */
	int64_t msg_mono;	/* when a message last changed */
	int sending;		/* between send_begin and send_end */
	int need_update;	/* inputs of §2.5 changed since it last ran */
	enum conv_load load;
	int user_sent_after_load;

	uint64_t change_seq, saved_seq, encoded_seq;
	struct aa_message *lq;	/* the loaded state's queue, until taken */
	size_t nlq;

	enum aa_conv_status status;
	int emitted_stable;
	size_t emit_from;	/* lowest message index to emit, or SIZE_MAX */
	size_t emitted_count;

	struct aa_buf diffbuf, msgbuf, tools;
};

static const char *buf_or_empty(const struct aa_buf *b);
static int set_buf(struct aa_buf *b, const char *s, size_t n);
static char *dup_mem(const char *s, size_t n);
static int full(const struct aa_conv *c);
static int screen_stable(const struct aa_conv *c);
static int busy_holds(const struct aa_conv *c);
static int turn_unstarted(const struct aa_conv *c);
static int idle_candidate(const struct aa_conv *c);
static int idle_by_signs(const struct aa_conv *c);
static int prompt_pending(const struct aa_conv *c);
static enum aa_conv_status compute_status(const struct aa_conv *c);
static void mark_changed(struct aa_conv *c, size_t i);
static int append_message(struct aa_conv *c, enum aa_role role,
    const char *text, size_t len, int64_t wall);
static int update_agent_message(struct aa_conv *c, const char *screen,
    size_t len, int64_t wall);
static void report(struct aa_conv *c, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void settle(struct aa_conv *c);
static void free_messages(struct aa_message *m, size_t n);

/* A buffer's bytes, or "" for one that never grew. */
static const char *
buf_or_empty(const struct aa_buf *b)
{
	return aa_buf_str(b);
}

/* Replaces a buffer's contents. */
static int
set_buf(struct aa_buf *b, const char *s, size_t n)
{
	aa_buf_reset(b);
	return aa_buf_append(b, s, n);
}

/* Copies n bytes into a new NUL-terminated string. */
static char *
dup_mem(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		if (n > 0)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Upstream's ring buffer is full: threshold snapshots were taken. */
static int
full(const struct aa_conv *c)
{
	return c->ticked &&
	    c->last_mono - c->t0 >= c->threshold * c->interval;
}

/* Upstream's "all snapshots equal": unchanged for threshold-1 intervals. */
static int
screen_stable(const struct aa_conv *c)
{
	return c->ticked && c->last_mono - c->changed_mono >=
	    (c->threshold - 1) * c->interval;
}

/* The busy mark holds the status: not on a screen still for too long. */
static int
busy_holds(const struct aa_conv *c)
{
	return c->busy && (c->busy_still_max < 0 ||
	    c->last_mono - c->changed_mono < c->busy_still_max);
}

/* A turn with nothing to show yet: a user message sent and an empty
 * reply after it; not on a screen still for too long. */
static int
turn_unstarted(const struct aa_conv *c)
{
	const struct aa_message *m = c->n > 0 ? &c->msgs[c->n - 1] : NULL;

	if (c->busy_fn == NULL || !c->turn_sent || m == NULL ||
	    m->role != AA_ROLE_AGENT || m->len != 0)
		return 0;
	return c->busy_still_max < 0 ||
	    c->last_mono - c->changed_mono < c->busy_still_max;
}

/* The agent's signs say idle, if its message stays quiet. */
static int
idle_candidate(const struct aa_conv *c)
{
	return c->busy_seen && !c->busy && c->box_now;
}

/* Idle by its own signs: busy mark gone, box back, message quiet. */
static int
idle_by_signs(const struct aa_conv *c)
{
	return idle_candidate(c) && c->last_mono - c->msg_mono >=
	    (c->threshold - 1) * c->interval;
}

/* An initial prompt is configured, unsent and not given up on. */
static int
prompt_pending(const struct aa_conv *c)
{
	return c->prompt_len > 0 && !c->prompt_sent &&
	    c->prompt_tries < PROMPT_TRIES;
}

/* The status rules of §2.3, first match wins. */
static enum aa_conv_status
compute_status(const struct aa_conv *c)
{
	if (c->n > 0 && c->msgs[c->n - 1].role == AA_ROLE_USER)
		return AA_CONV_CHANGING;
	if (!full(c))
		return AA_CONV_INITIALIZING;
	if (!screen_stable(c) && !idle_by_signs(c))
		return AA_CONV_CHANGING;
	if (!c->ready)
		return AA_CONV_CHANGING; /* upstream #209 */
	if (busy_holds(c))
		return AA_CONV_CHANGING; /* a still screen that says busy */
	if (turn_unstarted(c))
		return AA_CONV_CHANGING; /* Enter pressed, no reply yet */
	if (c->sending || prompt_pending(c))
		return AA_CONV_CHANGING;
	return AA_CONV_STABLE;
}

/* Notes that message i changed (to emit) and that the state is dirty. */
static void
mark_changed(struct aa_conv *c, size_t i)
{
	if (i < c->emit_from)
		c->emit_from = i;
	c->change_seq++;
	c->msg_mono = c->last_mono;
}

/* Appends a message (text copied); its id is its index. */
static int
append_message(struct aa_conv *c, enum aa_role role, const char *text,
    size_t len, int64_t wall)
{
	struct aa_message *m;
	size_t ncap;
	char *t;

	if (c->n == c->cap) {
		ncap = c->cap < 8 ? 8 : c->cap * 2;
		m = realloc(c->msgs, ncap * sizeof(*m));
		if (m == NULL)
			return AA_ENOMEM;
		c->msgs = m;
		c->cap = ncap;
	}
	t = dup_mem(text, len);
	if (t == NULL)
		return AA_ENOMEM;
	m = &c->msgs[c->n];
	m->id = (int64_t)c->n;
	m->role = role;
	m->text = t;
	m->len = len;
	m->time_ns = wall;
	c->n++;
	mark_changed(c, c->n - 1);
	return 0;
}

/* Update-last-agent-message (§2.5) for screen at wall time. */
static int
update_agent_message(struct aa_conv *c, const char *screen, size_t len,
    int64_t wall)
{
	const struct aa_message *last = c->n > 0 ? &c->msgs[c->n - 1] : NULL;
	const char *user = "", *msg;
	size_t ulen = 0, mlen, i;
	struct aa_message *m;
	char *t;
	int rc;

	aa_buf_reset(&c->diffbuf);
	rc = c->diff(c->hook_ud, buf_or_empty(&c->base), c->base.len, screen,
	    len, &c->diffbuf);
	if (rc != 0)
		return rc;
	for (i = c->n; i > 0; i--) {
		if (c->msgs[i - 1].role == AA_ROLE_USER) {
			user = c->msgs[i - 1].text;
			ulen = c->msgs[i - 1].len;
			break;
		}
	}
	if (c->load == LOAD_DONE && !c->user_sent_after_load &&
	    last != NULL && last->role == AA_ROLE_AGENT) {
		/* The restored text wins over the screen until the user
		 * speaks; it was formatted when it was saved. */
		msg = last->text;
		mlen = last->len;
	} else if (c->format != NULL) {
		aa_buf_reset(&c->msgbuf);
		aa_buf_reset(&c->tools);
		rc = c->format(c->hook_ud, buf_or_empty(&c->diffbuf),
		    c->diffbuf.len, user, ulen, &c->msgbuf, &c->tools);
		if (rc != 0)
			return rc;
		msg = buf_or_empty(&c->msgbuf);
		mlen = c->msgbuf.len;
	} else {
		msg = buf_or_empty(&c->diffbuf);
		mlen = c->diffbuf.len;
	}
	/* Fix §9.2: after a user message the reply is always appended, even
	 * when it reads like the previous agent message; upstream compared
	 * it with that message and left the status "changing" forever. */
	if (last == NULL || last->role == AA_ROLE_USER)
		return append_message(c, AA_ROLE_AGENT, msg, mlen, wall);
	if (last->len == mlen && memcmp(last->text, msg, mlen) == 0)
		return 0; /* nothing changes, not even the time */
	t = dup_mem(msg, mlen);
	if (t == NULL)
		return AA_ENOMEM;
	m = &c->msgs[c->n - 1];
	free((void *)(uintptr_t)m->text);
	m->text = t;
	m->len = mlen;
	m->time_ns = wall;
	m->id = (int64_t)c->n - 1;
	mark_changed(c, c->n - 1);
	return 0;
}

/* Hands a formatted report to on_error (the record's level is the
 * report's AA_CONV_LEVEL_*; the function's name stays out of the text,
 * which users read as an agent_error). */
static void
report_record(void *ud, const struct aa_log_record *r)
{
	struct aa_conv *c = ud;

	c->on_error(c->ud, r->level, r->msg);
}

/* Sends a formatted report through on_error, formatted by the one
 * logger (base/log.h). */
static void
report(struct aa_conv *c, int level, const char *fmt, ...)
{
	const struct aa_log sink = { .record = report_record, .ud = c };
	va_list ap;

	if (c->on_error == NULL)
		return;
	va_start(ap, fmt);
	aa_log_vprintf(&sink, level, __func__, fmt, ap);
	va_end(ap);
}

/* Recomputes the status, then emits what changed (§2.10). */
static void
settle(struct aa_conv *c)
{
	size_t i;
	int stable;

	c->status = compute_status(c);
	stable = c->status == AA_CONV_STABLE;
	if (stable != c->emitted_stable) {
		c->emitted_stable = stable;
		if (c->on_status != NULL)
			c->on_status(c->ud, c->status);
	}
	for (i = c->emit_from; c->on_message != NULL && i < c->n; i++)
		c->on_message(c->ud, &c->msgs[i], i >= c->emitted_count);
	c->emit_from = SIZE_MAX;
	c->emitted_count = c->n;
}

int
aa_conv_new(struct aa_conv **out, const struct aa_conv_options *o,
    const struct aa_time *now)
{
	struct aa_conv *c;
	size_t s, e;
	int64_t stab;

	if (out == NULL || o == NULL || now == NULL || o->diff == NULL ||
	    o->interval_ms < 0)
		return AA_EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return AA_ENOMEM;
	c->diff = o->diff;
	c->format = o->format;
	c->ready_fn = o->ready;
	c->busy_fn = o->busy;
	c->busy_still_max = o->busy_still_max_ms > 0 ? o->busy_still_max_ms :
	    o->busy_still_max_ms == 0 ? DEFAULT_BUSY_STILL_MAX_MS : -1;
	c->hook_ud = o->hook_ud;
	c->on_message = o->on_message;
	c->on_status = o->on_status;
	c->on_error = o->on_error;
	c->ud = o->ud;
	c->save_state = o->save_state;
	c->time_utc = o->time_utc;
	c->interval = o->interval_ms > 0 ? o->interval_ms : DEFAULT_INTERVAL_MS;
	stab = o->stability_ms > 0 ? o->stability_ms :
	    o->stability_ms == 0 ? DEFAULT_STABILITY_MS : 0;
	/* §2.2: threshold = ceil(stability / interval) + 1. */
	c->threshold = stab / c->interval + (stab % c->interval != 0) + 1;
	c->t0 = c->last_mono = c->changed_mono = now->mono_ms;
	aa_buf_init(&c->screen);
	aa_buf_init(&c->base);
	aa_buf_init(&c->send_base);
	aa_buf_init(&c->diffbuf);
	aa_buf_init(&c->msgbuf);
	aa_buf_init(&c->tools);
	c->load = o->load_state ? LOAD_PENDING : LOAD_OFF;
	c->emit_from = SIZE_MAX;
	c->status = AA_CONV_INITIALIZING;
	/* Fix §9.6: the prompt is trimmed; whitespace only means none. */
	s = e = 0;
	if (o->initial_prompt != NULL) {
		e = o->initial_prompt_len != 0 ? o->initial_prompt_len :
		    strlen(o->initial_prompt);
		aa_text_trim_ws6(o->initial_prompt, e, &s, &e);
	}
	c->prompt = dup_mem(o->initial_prompt != NULL ?
	    o->initial_prompt + s : "", e - s);
	c->prompt_len = e - s;
	if (c->prompt == NULL ||
	    append_message(c, AA_ROLE_AGENT, "", 0, now->wall_ns) != 0) {
		aa_conv_free(c);
		return AA_ENOMEM;
	}
	/* The first message exists from the start; nothing to emit. */
	c->emit_from = SIZE_MAX;
	c->emitted_count = 1;
	c->saved_seq = c->encoded_seq = c->change_seq = 0;
	*out = c;
	return 0;
}

/* Frees n messages' texts and the array. */
static void
free_messages(struct aa_message *m, size_t n)
{
	size_t i;

	for (i = 0; m != NULL && i < n; i++)
		free((void *)(uintptr_t)m[i].text);
	free(m);
}

void
aa_conv_free(struct aa_conv *c)
{
	if (c == NULL)
		return;
	free_messages(c->msgs, c->n);
	free_messages(c->lq, c->nlq);
	free(c->prompt);
	aa_buf_release(&c->screen);
	aa_buf_release(&c->base);
	aa_buf_release(&c->send_base);
	aa_buf_release(&c->diffbuf);
	aa_buf_release(&c->msgbuf);
	aa_buf_release(&c->tools);
	free(c);
}

int
aa_conv_tick(struct aa_conv *c, const struct aa_time *now, const char *screen,
    size_t len)
{
	int rc = 0;

	if (c == NULL || now == NULL || (screen == NULL && len > 0))
		return AA_EINVAL;
	if (screen == NULL)
		screen = "";
	c->last_mono = now->mono_ms;
	if (!c->ticked || len != c->screen.len ||
	    memcmp(screen, buf_or_empty(&c->screen), len) != 0) {
		rc = set_buf(&c->screen, screen, len);
		if (rc != 0)
			return rc;
		c->ticked = 1;
		c->changed_mono = now->mono_ms;
		c->need_update = 1;
		/* §2.4 step 4: readiness is a latch, tested on the raw
		 * screen; it can only turn true when the screen changes. */
		if (!c->ready)
			c->ready = c->ready_fn == NULL ||
			    c->ready_fn(c->hook_ud, screen, len);
		c->busy = c->busy_fn != NULL &&
		    c->busy_fn(c->hook_ud, screen, len) > 0;
		c->busy_seen |= c->busy;
		/* The box matters only once a busy mark came and went. */
		c->box_now = c->busy_seen && !c->busy &&
		    (c->ready_fn == NULL ||
		    c->ready_fn(c->hook_ud, screen, len) > 0);
	}
	/* While the text is typed, its echo must not become a message. */
	if (c->need_update && !c->sending) {
		rc = update_agent_message(c, screen, len, now->wall_ns);
		if (rc == 0)
			c->need_update = 0;
	}
	settle(c);
	return rc;
}

int64_t
aa_conv_next_deadline(const struct aa_conv *c)
{
	int64_t d = -1, s;

	if (!c->ticked)
		return c->t0 + c->interval; /* upstream's first tick */
	if (c->need_update && !c->sending)
		return c->last_mono;
	if (!full(c))
		d = c->t0 + c->threshold * c->interval;
	if (!screen_stable(c)) {
		s = c->changed_mono + (c->threshold - 1) * c->interval;
		/* Idle by its signs may come first: when the message has
		 * been quiet for the window (once, not again and again
		 * while the screen keeps changing). */
		if (idle_candidate(c) && !idle_by_signs(c))
			s = AA__MIN(s, c->msg_mono + (c->threshold - 1) *
			    c->interval);
		d = AA__MAX(d, s);
	} else if ((busy_holds(c) || turn_unstarted(c)) &&
	    c->busy_still_max >= 0 && d < 0) {
		/* A still busy screen lets go once it is stale. */
		d = c->changed_mono + c->busy_still_max;
	}
	return d;
}

enum aa_conv_status
aa_conv_status(const struct aa_conv *c)
{
	return c->status;
}

size_t
aa_conv_count(const struct aa_conv *c)
{
	return c->n;
}

const struct aa_message *
aa_conv_message(const struct aa_conv *c, size_t i)
{
	return i < c->n ? &c->msgs[i] : NULL;
}

int
aa_conv_check_send(const struct aa_conv *c, const char *text, size_t len)
{
	size_t s, e;

	if (text == NULL && len > 0)
		return AA_EINVAL;
	aa_text_trim_ws6(text != NULL ? text : "", len, &s, &e);
	if (s != 0 || e != len)
		return AA_EUNTRIMMED;
	if (len == 0)
		return AA_EEMPTY;
	if (c->status != AA_CONV_STABLE)
		return AA_EBUSY;
	return 0;
}

int
aa_conv_send_begin(struct aa_conv *c, const struct aa_time *now,
    const char *screen, size_t len)
{
	int rc;

	if (c == NULL || now == NULL || (screen == NULL && len > 0))
		return AA_EINVAL;
	if (c->sending)
		return AA_EBUSY;
	if (screen == NULL)
		screen = "";
	c->last_mono = AA__MAX(c->last_mono, now->mono_ms);
	c->prompt_sending = aa_conv_prompt_due(c) != NULL;
	/* §2.6 send-message step 1: catch up with the screen as it is
	 * before typing, then freeze updates until the send ends. */
	rc = update_agent_message(c, screen, len, now->wall_ns);
	if (rc == 0)
		rc = set_buf(&c->send_base, screen, len);
	if (rc != 0) {
		c->prompt_sending = 0;
		return rc;
	}
	c->sending = 1;
	c->send_wall = now->wall_ns;
	settle(c);
	return 0;
}

int
aa_conv_send_end(struct aa_conv *c, const struct aa_time *now,
    const char *text, size_t len, int ok)
{
	int rc = 0;

	if (c == NULL || now == NULL || (text == NULL && len > 0))
		return AA_EINVAL;
	if (!c->sending)
		return AA_EINVAL;
	c->last_mono = AA__MAX(c->last_mono, now->mono_ms);
	if (ok) {
		/* §2.6 step 4; the message is timed when typing began. */
		rc = set_buf(&c->base, buf_or_empty(&c->send_base),
		    c->send_base.len);
		if (rc == 0)
			rc = append_message(c, AA_ROLE_USER,
			    text != NULL ? text : "", len, c->send_wall);
		/* Fix §9.3: append_message marked the state dirty. */
		if (rc == 0) {
			c->busy_seen = 0; /* a new turn */
			c->turn_sent = 1;
			c->box_now = 0;
			c->user_sent_after_load = 1;
			if (c->prompt_sending)
				c->prompt_sent = 1; /* Fix §9.4 */
		}
	}
	if (!ok || rc != 0) {
		if (c->prompt_sending) {
			c->prompt_tries++;
			report(c, AA_CONV_LEVEL_ERROR, "Failed to send the "
			    "initial prompt (attempt %d of %d)",
			    c->prompt_tries, PROMPT_TRIES);
		}
	}
	c->sending = 0;
	c->prompt_sending = 0;
	c->need_update = 1; /* the screen moved on while we typed */
	settle(c);
	return rc;
}

int
aa_conv_sending(const struct aa_conv *c)
{
	return c->sending;
}

const char *
aa_conv_prompt_due(const struct aa_conv *c)
{
	if (!prompt_pending(c) || !c->ready || c->sending ||
	    c->load == LOAD_PENDING || !full(c) || !screen_stable(c))
		return NULL;
	return c->prompt;
}

const char *
aa_conv_prompt(const struct aa_conv *c)
{
	return c->prompt;
}

int
aa_conv_wants_load(const struct aa_conv *c)
{
	return c->load == LOAD_PENDING && c->ready;
}

int
aa_conv_state_load(struct aa_conv *c, const char *json, size_t len,
    char **cause)
{
	struct aa_state st;
	char *why = NULL, *p;
	size_t i, s, e;
	int rc;

	if (cause != NULL)
		*cause = NULL;
	rc = aa_state_decode(&st, json, len, &why);
	if (rc != 0) {
		c->load = LOAD_FAILED;
		report(c, AA_CONV_LEVEL_WARNING,
		    "Failed to restore previous session: %s",
		    why != NULL ? why : aa_strerror(rc));
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		settle(c);
		return rc;
	}
	/* §5.3: reconcile the configured prompt with the saved one. */
	c->prompt_sent = st.prompt_sent;
	aa_text_trim_ws6(st.prompt != NULL ? st.prompt : "", st.prompt_len,
	    &s, &e);
	if (c->prompt_len > 0) {
		if (c->prompt_len != e - s ||
		    memcmp(c->prompt, st.prompt + s, e - s) != 0)
			c->prompt_sent = 0;
	} else if (e > s) {
		/* Fix §9.5: a restored prompt is typed like any other. */
		p = dup_mem(st.prompt + s, e - s);
		if (p == NULL) {
			aa_state_release(&st);
			return AA_ENOMEM;
		}
		free(c->prompt);
		c->prompt = p;
		c->prompt_len = e - s;
	}
	c->prompt_tries = 0;
	free_messages(c->msgs, c->n);
	c->msgs = st.msgs;
	c->n = c->cap = st.n;
	for (i = 0; i < c->n; i++) {
		c->msgs[i].id = (int64_t)i;
		/* The decoder's buffers are rounded up to a power of two:
		 * a thousand restored messages would keep ~100 KiB of
		 * slack.  Keep each text at its size. */
		p = c->msgs[i].text == NULL ? NULL :
		    realloc((void *)(uintptr_t)c->msgs[i].text,
			c->msgs[i].len + 1);
		if (p != NULL)
			c->msgs[i].text = p;
	}
	st.msgs = NULL;
	st.n = 0;
	free_messages(c->lq, c->nlq);
	c->lq = st.queue;
	c->nlq = st.nqueue;
	st.queue = NULL;
	st.nqueue = 0;
	aa_state_release(&st);
	c->load = LOAD_DONE;
	c->emit_from = 0;
	c->need_update = 1;
	c->saved_seq = c->encoded_seq = c->change_seq;
	settle(c);
	return 0;
}

size_t
aa_conv_take_loaded_queue(struct aa_conv *c, struct aa_message **queue)
{
	size_t n = c->nlq;

	*queue = c->lq;
	c->lq = NULL;
	c->nlq = 0;
	return n;
}

void
aa_conv_touch(struct aa_conv *c)
{
	c->change_seq++;
}

void
aa_conv_state_missing(struct aa_conv *c)
{
	if (c->load == LOAD_PENDING)
		c->load = LOAD_MISSING;
	settle(c);
}

void
aa_conv_state_load_failed(struct aa_conv *c, const char *cause)
{
	c->load = LOAD_FAILED;
	report(c, AA_CONV_LEVEL_WARNING, "Failed to restore previous session: "
	    "%s", cause != NULL ? cause : "unknown error");
	settle(c);
}

int
aa_conv_dirty(const struct aa_conv *c)
{
	return c->change_seq != c->saved_seq;
}

int
aa_conv_save_wanted(const struct aa_conv *c)
{
	/* Fix §9.7: never before the load, never over a failed one. */
	return c->save_state && aa_conv_dirty(c) &&
	    c->load != LOAD_PENDING && c->load != LOAD_FAILED;
}

int
aa_conv_state_encode(struct aa_conv *c, struct aa_buf *out)
{
	return aa_conv_state_encode_queue(c, out, NULL, 0);
}

int
aa_conv_state_encode_queue(struct aa_conv *c, struct aa_buf *out,
    const struct aa_message *queue, size_t nqueue)
{
	struct aa_state st;

	memset(&st, 0, sizeof(st));
	st.queue = (struct aa_message *)(uintptr_t)queue;
	st.nqueue = nqueue;
	st.version = AA_STATE_VERSION;
	st.msgs = c->msgs;
	st.n = c->n;
	st.prompt = c->prompt;
	st.prompt_len = c->prompt_len;
	st.prompt_sent = c->prompt_sent;
	c->encoded_seq = c->change_seq;
	return aa_state_encode(out, &st, c->time_utc);
}

void
aa_conv_state_saved(struct aa_conv *c)
{
	c->saved_seq = c->encoded_seq;
}

const char *
aa_conv_status_name(enum aa_conv_status s)
{
	return s == AA_CONV_STABLE ? "stable" : "running";
}

const char *
aa_conv_role_name(enum aa_role r)
{
	return r == AA_ROLE_USER ? "user" : "agent";
}
