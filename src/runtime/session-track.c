/*
 * session-track.c - aa_session's screen tracking: PTY output to screen to
 * conversation.
 *
 * PTY output is fed to the emulator at once; the screen text is read from
 * it at most once per SESSION_COALESCE_MS (a timer started by the first
 * output after a read), and a little longer while the agent is inside a
 * synchronized-output frame (bounded by SESSION_SYNC_MAX_MS), then handed
 * to aa_conv_tick.  The conversation says when its status could next
 * change with no new output (aa_conv_next_deadline); the settle timer is
 * armed for that moment only (or the parser health's, if sooner), so an
 * idle agent costs no wakeups ("Screen tracking without polling",
 * DESIGN.md).  For an agent that blinks a glyph (Claude's tool "●"), each
 * read is passed through aa_residue_hold first, so that the blink alone
 * does not count as a change.  After each tick come the state load, the
 * initial prompt, the save debounce and the steering.
 */
#include <string.h>

#include "base/aa-internal.h"
#include "base/error.h"
#include "core/residue.h"
#include "core/vt.h"
#include "runtime/session-private.h"
#include "runtime/watch.h"

/* Delay between the first output and the screen read that follows it. */
#define SESSION_COALESCE_MS 8
/* Longest a read waits for a synchronized-output frame to end. */
#define SESSION_SYNC_MAX_MS 100

static void session_watch(struct aa_session *, const struct aa_time *);
static void session_after_tick(struct aa_session *);
static void session_read_cb(uv_timer_t *);

/* Reads the loop's monotonic time (refreshed) and the wall clock. */
void
aa__session_now(struct aa_session *s, struct aa_time *t)
{
	uv_update_time(s->loop);
	t->mono_ms = (int64_t)uv_now(s->loop);
	t->wall_ns = aa__wall_ns();
}

/*
 * Renders the screen if output arrived since the last read; reports a
 * change through on_screen.  Returns 0 or AA_ENOMEM.
 */
int
aa__session_refresh(struct aa_session *s)
{
	struct aa_buf tmp;
	const char *text;
	size_t len;
	int r;

	if (!s->screen_stale)
		return 0;
	/* The emulator's cached text, not a copy: only a screen that
	 * changed is copied. */
	if ((r = aa_vt_text_ref(s->vt, &text, &len)) < 0)
		return r;
	/* A blinking glyph would keep the screen from ever being stable. */
	if (s->agent->blink != NULL) {
		aa_buf_reset(&s->held);
		if ((r = aa_residue_hold(s->agent->blink, s->screen.data,
		    s->screen.len, text, len, &s->held)) < 0)
			return r;
		text = aa_buf_str(&s->held);
		len = s->held.len;
	}
	if (len == s->screen.len && memcmp(text, aa_buf_str(&s->screen),
	    len) == 0) {
		s->screen_stale = 0;
		return 0;
	}
	if (s->agent->blink != NULL) {
		tmp = s->screen;
		s->screen = s->held;
		s->held = tmp;
	} else {
		aa_buf_reset(&s->screen);
		if ((r = aa_buf_append(&s->screen, text, len)) < 0)
			return r;
	}
	s->screen_stale = 0;
	s->screen_new = 1;
	if (s->o.on_screen != NULL)
		s->o.on_screen(s->o.ud, aa_buf_str(&s->screen), s->screen.len);
	return 0;
}

/* Reads the screen and feeds it to the conversation (§2.4). */
void
aa__session_tick(struct aa_session *s)
{
	struct aa_time now;
	int r;

	if (s->stop == STOP_CLOSING)
		return;
	if ((r = aa__session_refresh(s)) < 0) {
		SLOG(s, AA_LOG_ERROR, "reading the screen: %s",
		    aa_strerror(r));
		return;
	}
	aa__session_now(s, &now);
	r = aa_conv_tick(s->conv, &now, aa_buf_str(&s->screen),
	    s->screen.len);
	if (r < 0)
		SLOG(s, AA_LOG_ERROR, "tick: %s", aa_strerror(r));
	session_watch(s, &now);
	session_after_tick(s);
}

/* Feeds the parser health what this tick saw; tells the steering hook
 * when the health changed. */
static void
session_watch(struct aa_session *s, const struct aa_time *now)
{
	struct aa_watch_tick t = { .now_ms = now->mono_ms,
		.screen = aa_buf_str(&s->screen), .len = s->screen.len,
		.changed = s->screen_new,
		.stable = aa_conv_status(s->conv) == AA_CONV_STABLE,
		.sending = s->send.active,
		.waiting = s->steer.state == AA_STATE_WAITING };

	s->screen_new = 0;
	if (aa_watch_tick(s->watch, &t) && s->steer_fn != NULL)
		s->steer_fn(s->steer_ud, AA_SESSION_HEALTH);
}

/*
 * Does what a tick may call for: load the state file, start the initial
 * prompt, arm the settle timer for the next deadline (the conversation's
 * or the parser health's), schedule a save.
 */
static void
session_after_tick(struct aa_session *s)
{
	const char *prompt;
	int64_t deadline, health, now;

	if (aa_conv_wants_load(s->conv))
		aa__session_load(s);
	prompt = aa_conv_prompt_due(s->conv);
	if (prompt != NULL && !s->send.active && !s->exited &&
	    s->stop == STOP_NONE) {
		SLOG(s, AA_LOG_INFO, "sending the initial prompt");
		aa__session_send_start(s, prompt, strlen(prompt), 1, NULL, NULL);
	}
	deadline = aa_conv_next_deadline(s->conv);
	health = aa_watch_next_deadline(s->watch);
	if (health >= 0)
		deadline = deadline < 0 ? health : AA__MIN(deadline, health);
	if (deadline < 0) {
		uv_timer_stop(&s->settle_timer);
	} else {
		now = (int64_t)uv_now(s->loop);
		uv_timer_start(&s->settle_timer, aa__session_settle_cb,
		    deadline > now ? (uint64_t)(deadline - now) : 0, 0);
	}
	aa__session_schedule_save(s);
	aa__session_steer(s);
}

/* Feeds the agent's output to the emulator and schedules a screen read. */
void
aa__session_on_data(void *ud, const char *buf, size_t n)
{
	struct aa_session *s = ud;

	aa_vt_feed(s->vt, buf, n);
	s->screen_stale = 1;
	if (!uv_is_active((uv_handle_t *)&s->read_timer))
		uv_timer_start(&s->read_timer, session_read_cb,
		    SESSION_COALESCE_MS, 0);
}

/* Reads the screen after output, deferring (bounded) mid-frame. */
static void
session_read_cb(uv_timer_t *t)
{
	struct aa_session *s = t->data;
	uint64_t now = uv_now(s->loop);

	if (aa_vt_synchronized(s->vt)) {
		if (s->sync_since == 0)
			s->sync_since = now;
		if (now - s->sync_since < SESSION_SYNC_MAX_MS) {
			uv_timer_start(&s->read_timer, session_read_cb,
			    SESSION_COALESCE_MS, 0);
			return;
		}
	}
	s->sync_since = 0;
	aa__session_tick(s);
}

/* Ticks when the conversation's status may have changed with time. */
void
aa__session_settle_cb(uv_timer_t *t)
{
	aa__session_tick(t->data);
}
