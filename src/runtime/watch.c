/*
 * watch.c - the session's parser health (watch.h).
 *
 * The ready and busy markers are looked for on a new screen at most once
 * per WATCH_EVAL_MS: a streaming reply redraws the screen a hundred
 * times a second, and the markers matter to health only over seconds.
 * A screen skipped that way is looked at when that interval is over
 * (aa_watch_next_deadline says when), so the last screen is always seen.
 *
 * Two things a real turn does are no fault of the rules: a permission
 * dialog in the input box's place (the turn is judged when it settles
 * after the dialog), and a reply long enough to push its own echo off
 * the top of the screen (its missing echo is not counted).
 */
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "core/prompt.h"
#include "runtime/watch.h"

/* Shortest gap between two looks for the markers on a new screen. */
#define WATCH_EVAL_MS 100
/* A reply within this many lines of the screen's height may have pushed
 * its echo off the top: a missing echo then says nothing. */
#define WATCH_SCROLL_SLACK 4
/* Longest health line in the log. */
#define WATCH_LOG_MAX 1024

struct aa_watch {
	const struct aa_agent *agent;
	struct aa_health *health;
	struct aa_log log;
	int has_busy;		/* the agent has busy markers at all */
	int ready, busy;	/* the markers on the last screen looked at */
	size_t lines;		/* and its number of lines */
	int pending;		/* a new screen not looked at yet */
	int64_t evaluated;	/* when the markers were last looked for */
	int stable;		/* the status at the last tick */
	struct aa_agent_format_info info;	/* the last reply's */
	int fresh;		/* info is of a reply not yet judged */
	struct aa_prompt prompt;	/* scratch for aa_prompt_detect */
};

static void watch_log(struct aa_watch *);
static size_t watch_lines(const char *, size_t);

/* Number of lines of s[0..n). */
static size_t
watch_lines(const char *s, size_t n)
{
	const char *e = s + n, *p;
	size_t k = n > 0;

	while (s < e && (p = memchr(s, '\n', (size_t)(e - s))) != NULL) {
		k += p + 1 < e;
		s = p + 1;
	}
	return k;
}

int
aa_watch_new(struct aa_watch **out, const struct aa_agent *agent,
    int64_t ready_grace_ms, const struct aa_log *log, int64_t now_ms)
{
	struct aa_health_options ho = { .ready_grace_ms = ready_grace_ms };
	struct aa_watch *w;
	int r;

	if (out == NULL || agent == NULL)
		return AA_EINVAL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return AA_ENOMEM;
	if ((r = aa_health_new(&w->health, &ho, now_ms)) < 0) {
		free(w);
		return r;
	}
	w->agent = agent;
	if (log != NULL)
		w->log = *log;
	w->has_busy = agent->busy.mark != NULL || (agent->busy.marks !=
	    NULL && agent->busy.marks[0] != NULL);
	w->evaluated = now_ms - WATCH_EVAL_MS;
	*out = w;
	return 0;
}

void
aa_watch_free(struct aa_watch *w)
{
	if (w == NULL)
		return;
	aa_health_free(w->health);
	free(w);
}

int
aa_watch_format(struct aa_watch *w, const char *msg, size_t len,
    const char *user, size_t ulen, struct aa_buf *out,
    struct aa_buf *tool_calls)
{
	struct aa_agent_format_info info;
	int r;

	r = aa_agent_format_ex(w->agent, msg, len, user, ulen, 0, out,
	    tool_calls, &info);
	/* A reply that fills the screen may have scrolled its echo away. */
	if (r == 0 && info.echo == 0 && watch_lines(msg, len) +
	    WATCH_SCROLL_SLACK >= w->lines)
		info.echo = -1;
	/* Only a reply to a user message is a turn to judge. */
	if (r == 0 && ulen > 0) {
		w->info = info;
		w->fresh = 1;
	}
	return r;
}

/* One line saying what the health is now. */
static void
watch_log(struct aa_watch *w)
{
	const struct aa_health_reason *r;
	struct aa_buf b;
	size_t i;

	if (!aa_log_enabled(&w->log))
		return;
	if (aa_health_ok(w->health)) {
		AA_LOG(&w->log, AA_LOG_INFO, "parser health: ok");
		return;
	}
	aa_buf_init(&b);
	for (i = 0; (r = aa_health_reason(w->health, i)) != NULL &&
	    b.len < WATCH_LOG_MAX; i++)
		if (aa_buf_printf(&b, "%s%s (%s)", i > 0 ? "; " : "",
		    r->name, r->message) < 0)
			break;
	AA_LOG(&w->log, AA_LOG_WARN, "parser health: degraded: %s",
	    aa_buf_str(&b));
	aa_buf_release(&b);
}

int
aa_watch_tick(struct aa_watch *w, const struct aa_watch_tick *t)
{
	struct aa_health_screen hs;
	struct aa_health_turn ht;
	int changed = 0;

	if (t->changed)
		w->pending = 1;
	if (w->pending && t->now_ms - w->evaluated >= WATCH_EVAL_MS) {
		w->ready = aa_agent_ready(w->agent, t->screen, t->len) > 0;
		w->busy = aa_agent_busy(w->agent, t->screen, t->len);
		w->lines = watch_lines(t->screen, t->len);
		w->evaluated = t->now_ms;
		w->pending = 0;
		hs.changed = 1;
	} else {
		hs.changed = 0;
	}
	hs.ready = w->ready;
	hs.busy = w->busy;
	/* Over by the agent's signs: settled, or, for an agent that shows
	 * when it works, its box back with no busy marker. */
	hs.turn_over = !t->sending && !t->waiting && (t->stable ||
	    (w->has_busy && w->ready && !w->busy));
	changed |= aa_health_tick(w->health, t->now_ms, &hs) > 0;
	/* A turn ends when the status settles after a reply, unless a
	 * dialog took the input box's place: the turn goes on after it. */
	if (t->stable && !w->stable && w->fresh && !t->sending &&
	    aa_prompt_detect(t->screen, t->len, NULL, &w->prompt) != 1) {
		ht.echo = w->info.echo;
		ht.generic = aa_agent_format_generic(w->agent, &w->info);
		changed |= aa_health_turn(w->health, t->now_ms, &ht) > 0;
		w->fresh = 0;
	}
	w->stable = t->stable;
	if (changed)
		watch_log(w);
	return changed;
}

int
aa_watch_saved(struct aa_watch *w, const char *why)
{
	int changed = aa_health_save(w->health, why) > 0;

	if (changed)
		watch_log(w);
	return changed;
}

int64_t
aa_watch_next_deadline(const struct aa_watch *w)
{
	int64_t d = aa_health_next_deadline(w->health), e;

	if (w->pending) {
		e = w->evaluated + WATCH_EVAL_MS;
		d = d < 0 ? e : AA__MIN(d, e);
	}
	return d;
}

const struct aa_health *
aa_watch_health(const struct aa_watch *w)
{
	return w->health;
}
