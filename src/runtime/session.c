/*
 * session.c - aa_session, the live half: PTY, terminal and conversation on
 * one libuv loop.
 *
 * Data flows one way.  PTY output is fed to the emulator at once; the
 * screen text is read from it at most once per SESSION_COALESCE_MS (a
 * timer started by the first output after a read), and a little longer
 * while the agent is inside a synchronized-output frame (bounded by
 * SESSION_SYNC_MAX_MS), then handed to aa_conv_tick.  The conversation
 * says when its status could next change with no new output
 * (aa_conv_next_deadline); the settle timer is armed for that moment
 * only, so an idle agent costs no wakeups ("Screen tracking without
 * polling", DESIGN.md).  For an agent that blinks a glyph (Claude's tool
 * "●"), each read is passed through aa_residue_hold first, so that the
 * blink alone does not count as a change.
 *
 * Sending is the pure machine of send.c (core.md §1.7, §2.7, §2.8); the
 * session only carries out its steps: it feeds it the screen when
 * send_timer fires, writes what it asks for to the PTY and re-arms the
 * timer for its next wake-up.  Only one send runs at a time; the initial
 * prompt goes through the same machine.  Every state has a deadline.
 *
 * Lifetime (STYLE.md habit 12): the session embeds five timers and owns
 * the pty; aa_session_stop closes them all and the session is freed in
 * the last close callback.  Callbacks into the user are made last in each
 * handler, and aa_session_stop from inside one only marks and schedules.
 */
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/aa-internal.h"
#include "base/error.h"
#include "base/log.h"
#include "core/agent.h"
#include "core/keys.h"
#include "base/buf.h"
#include "core/conv.h"
#include "runtime/pty.h"
#include "core/residue.h"
#include "core/send.h"
#include "runtime/session.h"
#include "core/snapshot.h"
#include "runtime/store.h"
#include "core/steer.h"
#include "base/text.h"
#include "core/vt.h"
#include "runtime/watch.h"

/* Delay between the first output and the screen read that follows it. */
#define SESSION_COALESCE_MS 8
/* Longest a read waits for a synchronized-output frame to end. */
#define SESSION_SYNC_MAX_MS 100
/* After SIGKILL, how long to wait for the exit before closing anyway. */
#define SESSION_KILL_GRACE_MS 1000
/* Longest log line. */
#define SESSION_LOG_MAX 512

enum session_stop_state {
	STOP_NONE,
	STOP_REQUESTED, /* aa_session_stop called, work deferred */
	STOP_INT,    /* SIGINT sent, waiting for the exit */
	STOP_KILL,   /* SIGKILL sent, waiting a little more */
	STOP_CLOSING /* handles closing */
};

struct session_send {
	struct aa_send *m;	/* the typing protocol (send.c) */
	int active;		/* a send is in progress */
	int prompt;		/* this send is the initial prompt */
	aa_session_send_cb cb;
	void *ud;
};

struct aa_session {
	uv_loop_t *loop;
	struct aa_session_options o;	/* callbacks and timings */
	char *state_file;
	struct aa_store *store;	/* the state file and its journal */
	aa_session_save_fn save_fn;	/* told of every save's outcome */
	void *save_ud;
	const struct aa_agent *agent;
	struct aa_pty *pty;
	struct aa_vt *vt;
	struct aa_conv *conv;

	uv_timer_t read_timer;	 /* coalesces screen reads after output */
	uv_timer_t settle_timer; /* fires at aa_conv_next_deadline */
	uv_timer_t send_timer;	 /* drives the send machine */
	uv_timer_t save_timer;	 /* debounces state saves */
	uv_timer_t stop_timer;	 /* SIGINT -> SIGKILL -> close */
	int closing_handles;	 /* close callbacks still due */

	struct aa_buf screen;	/* the last screen read */
	struct aa_buf held;	/* the read with blinking glyphs held lit */
	int screen_stale;	/* output arrived since the last read */
	uint64_t sync_since;	/* first deferral for synchronized output */

	struct session_send send;
	int exited;
	int wait_status;
	enum session_stop_state stop;
	aa_session_stop_cb stop_cb;
	void *stop_ud;
	struct aa_buf statebuf;
	struct aa_log log;

	struct aa_steer steer;	/* state, prompt, queue (core/steer.h) */
	int steering;		/* inside session_steer: no re-entry */
	aa_session_steer_fn steer_fn;
	void *steer_ud;

	struct aa_watch *watch;	/* parser health (runtime/watch.h) */
	int screen_new;		/* a new screen the watch has not seen */
};

static void session_now(struct aa_session *, struct aa_time *);
static int session_refresh(struct aa_session *);
static void session_tick(struct aa_session *);
static void session_after_tick(struct aa_session *);
static void session_load(struct aa_session *);
static void session_steer(struct aa_session *);
static void session_watch(struct aa_session *, const struct aa_time *);
static enum aa_prompt_answer session_answer_style(const struct aa_agent *);
static int session_save(struct aa_session *, const char *);
static void session_health_saved(struct aa_session *, const char *);
static void session_schedule_save(struct aa_session *);
static void session_journal(struct aa_session *, int);
static int session_write(struct aa_session *, const void *, size_t);
static int session_send_start(struct aa_session *, const char *, size_t, int,
    aa_session_send_cb, void *);
static void session_send_input(struct aa_session *, struct aa_send_input *);
static int session_send_apply(struct aa_session *, struct aa_send_step *);
static void session_send_finish(struct aa_session *, int);
static void session_close_all(struct aa_session *);
static void session_handle_closed(uv_handle_t *);
static void session_pty_closed(void *);
static void session_release(struct aa_session *);
static void session_log_command(struct aa_session *, const char *const *);
static void session_on_data(void *, const char *, size_t);
static void session_on_exit(void *, int);
static void session_on_reply(void *, const char *, size_t);
static void session_on_message(void *, const struct aa_message *, int);
static void session_on_status(void *, enum aa_conv_status);
static void session_on_error(void *, int, const char *);
static int session_hook_diff(void *, const char *, size_t, const char *,
    size_t, struct aa_buf *);
static int session_hook_format(void *, const char *, size_t, const char *,
    size_t, struct aa_buf *, struct aa_buf *);
static int session_hook_ready(void *, const char *, size_t);
static int session_hook_busy(void *, const char *, size_t);
static void session_read_cb(uv_timer_t *);
static void session_settle_cb(uv_timer_t *);
static void session_send_cb(uv_timer_t *);
static void session_save_cb(uv_timer_t *);
static void session_stop_cb(uv_timer_t *);
static void session_stop_begin(struct aa_session *);

#define SLOG(s, lvl, ...) AA_LOG(&(s)->log, (lvl), __VA_ARGS__)

/* Reads the loop's monotonic time (refreshed) and the wall clock. */
static void
session_now(struct aa_session *s, struct aa_time *t)
{
	uv_update_time(s->loop);
	t->mono_ms = (int64_t)uv_now(s->loop);
	t->wall_ns = aa__wall_ns();
}

/*
 * Renders the screen if output arrived since the last read; reports a
 * change through on_screen.  Returns 0 or AA_ENOMEM.
 */
static int
session_refresh(struct aa_session *s)
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
static void
session_tick(struct aa_session *s)
{
	struct aa_time now;
	int r;

	if (s->stop == STOP_CLOSING)
		return;
	if ((r = session_refresh(s)) < 0) {
		SLOG(s, AA_LOG_ERROR, "reading the screen: %s",
		    aa_strerror(r));
		return;
	}
	session_now(s, &now);
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
		session_load(s);
	prompt = aa_conv_prompt_due(s->conv);
	if (prompt != NULL && !s->send.active && !s->exited &&
	    s->stop == STOP_NONE) {
		SLOG(s, AA_LOG_INFO, "sending the initial prompt");
		session_send_start(s, prompt, strlen(prompt), 1, NULL, NULL);
	}
	deadline = aa_conv_next_deadline(s->conv);
	health = aa_watch_next_deadline(s->watch);
	if (health >= 0)
		deadline = deadline < 0 ? health : AA__MIN(deadline, health);
	if (deadline < 0) {
		uv_timer_stop(&s->settle_timer);
	} else {
		now = (int64_t)uv_now(s->loop);
		uv_timer_start(&s->settle_timer, session_settle_cb,
		    deadline > now ? (uint64_t)(deadline - now) : 0, 0);
	}
	session_schedule_save(s);
	session_steer(s);
}

/* A queued message's send ended: nothing to answer, but say why it
 * failed in the log (it is not retried: it may have been typed). */
static void
session_queued_done(void *ud, int err)
{
	struct aa_session *s = ud;

	if (err != 0)
		SLOG(s, AA_LOG_WARN, "queued message: %s",
		    aa_error_send_text(err));
}

/*
 * Recomputes the user-facing state (core/steer.h) from the status, the
 * send, the exit and the screen; types the next queued message when the
 * agent is idle; tells the hook what changed.
 */
static void
session_steer(struct aa_session *s)
{
	struct aa_steer_input in;
	const struct aa_queue_item *due;
	uint64_t id;
	unsigned ch;
	int r;

	if (s->steering || s->stop == STOP_CLOSING)
		return;
	s->steering = 1;
	memset(&in, 0, sizeof(in));
	in.now_ns = aa__wall_ns();
	in.status = aa_conv_status(s->conv);
	in.sending = s->send.active;
	in.exited = s->exited || s->stop != STOP_NONE;
	in.screen = aa_buf_str(&s->screen);
	in.screen_len = s->screen.len;
	aa_steer_update(&s->steer, &in);
	if ((due = aa_steer_due(&s->steer)) != NULL) {
		id = due->id;
		r = aa_session_send_user(s, due->text, due->len,
		    session_queued_done, s);
		/* Busy after all (the conversation's own check): later. */
		if (r != AA_EBUSY) {
			if (r != 0)
				SLOG(s, AA_LOG_WARN, "queued message "
				    "dropped: %s", aa_error_send_text(r));
			aa_steer_delivered(&s->steer, id);
			in.sending = s->send.active;
			aa_steer_update(&s->steer, &in);
		}
	}
	s->steering = 0;
	ch = aa_steer_take_changes(&s->steer);
	if (ch != 0 && s->steer_fn != NULL)
		s->steer_fn(s->steer_ud, ch);
}

/* Loads the state file once the conversation asks for it (§5.3). */
static void
session_load(struct aa_session *s)
{
	struct aa_buf b;
	char *cause = NULL, *text = NULL;
	size_t replayed = 0;
	int r;

	aa_buf_init(&b);
	r = aa_store_load(s->store, &b, s->o.save_state, &replayed);
	if (aa_store_error(s->store) != NULL)
		SLOG(s, AA_LOG_ERROR, "%s", aa_store_error(s->store));
	if (replayed > 0)
		SLOG(s, AA_LOG_INFO, "Replayed %zu journaled user messages "
		    "path=%s.journal", replayed, s->state_file);
	if (r == AA_ENOENT) {
		SLOG(s, AA_LOG_INFO,
		    "No previous state to load (file does not exist)");
		aa_conv_state_missing(s->conv);
		goto out;
	}
	if (r < 0) {
		if (asprintf(&text, "failed to open state file: %s",
		    aa_strerror(r)) < 0)
			text = NULL;
		aa_conv_state_load_failed(s->conv,
		    text != NULL ? text : "failed to open state file");
		goto out;
	}
	r = aa_conv_state_load(s->conv, aa_buf_str(&b), b.len, &cause);
	if (r < 0)
		SLOG(s, AA_LOG_WARN, "loading %s: %s", s->state_file,
		    cause != NULL ? cause : aa_strerror(r));
	else
		SLOG(s, AA_LOG_INFO,
		    "Successfully loaded state path=%s messages=%zu",
		    s->state_file, aa_conv_count(s->conv));
out:
	free(cause);
	free(text);
	aa_buf_release(&b);
#ifdef __GLIBC__
	/* Decoding a big file leaves the heap full of freed pages that
	 * glibc would keep resident: give them back once. */
	malloc_trim(0);
#endif
}

/* Tells the parser health how a save went (why: NULL on success). */
static void
session_health_saved(struct aa_session *s, const char *why)
{
	if (aa_watch_saved(s->watch, why) && s->steer_fn != NULL &&
	    s->stop == STOP_NONE)
		s->steer_fn(s->steer_ud, AA_SESSION_HEALTH);
}

/*
 * Writes the state file if saving is wanted and something changed;
 * why names the occasion for the log.  Returns 0 or an error.
 */
static int
session_save(struct aa_session *s, const char *why)
{
	int r;

	uv_timer_stop(&s->save_timer);
	if (s->state_file == NULL || !aa_conv_save_wanted(s->conv) ||
	    !aa_conv_dirty(s->conv))
		return 0;
	aa_buf_reset(&s->statebuf);
	if ((r = aa_conv_state_encode(s->conv, &s->statebuf)) < 0)
		goto fail;
	r = aa_store_save(s->store, s->statebuf.data, s->statebuf.len);
	if (r < 0)
		goto fail;
	aa_conv_state_saved(s->conv);
	SLOG(s, AA_LOG_INFO, "State saved successfully path=%s (%s)",
	    s->state_file, why);
	session_health_saved(s, NULL);
	if (s->save_fn != NULL)
		s->save_fn(s->save_ud, 0, NULL);
	return 0;
fail:
	SLOG(s, AA_LOG_ERROR, "saving state to %s: %s", s->state_file,
	    aa_strerror(r));
	session_health_saved(s, aa_store_error(s->store) != NULL ?
	    aa_store_error(s->store) : aa_strerror(r));
	if (s->save_fn != NULL)
		s->save_fn(s->save_ud, r, aa_store_error(s->store));
	return r;
}

/*
 * Makes the user message just recorded durable before it is reported
 * sent: appends it to the journal (fsync'd), or saves at once when the
 * journal cannot take it or has grown large.
 */
static void
session_journal(struct aa_session *s, int prompt)
{
	size_t n = aa_conv_count(s->conv);
	const struct aa_message *m = n > 0 ? aa_conv_message(s->conv, n - 1) :
	    NULL;
	int r;

	if (s->store == NULL || m == NULL || m->role != AA_ROLE_USER ||
	    !aa_conv_save_wanted(s->conv))
		return;
	r = aa_store_journal(s->store, m, prompt);
	if (r < 0)
		SLOG(s, AA_LOG_ERROR, "%s", aa_store_error(s->store));
	if (r != 0)
		session_save(s, r > 0 ? "journal full" : "journal failed");
}

/* Arms the save debounce if there is something to save and none is due. */
static void
session_schedule_save(struct aa_session *s)
{
	if (s->state_file == NULL || s->stop != STOP_NONE)
		return;
	if (!aa_conv_save_wanted(s->conv) || !aa_conv_dirty(s->conv))
		return;
	if (uv_is_active((uv_handle_t *)&s->save_timer))
		return;
	uv_timer_start(&s->save_timer, session_save_cb, s->o.save_delay_ms, 0);
}

/* Writes input to the agent; AA_EEXITED once it has gone. */
static int
session_write(struct aa_session *s, const void *p, size_t n)
{
	if (s->exited || s->pty == NULL)
		return AA_EEXITED;
	return aa_pty_write(s->pty, p, n);
}

/*
 * Starts typing text (core.md §1.7): records the screen before, lets the
 * send machine frame and write the text, then waits for the echo.  prompt
 * marks the initial prompt, whose result only gets logged.
 */
static int
session_send_start(struct aa_session *s, const char *text, size_t len,
    int prompt, aa_session_send_cb cb, void *ud)
{
	struct session_send *q = &s->send;
	struct aa_send_input in;
	struct aa_send_step st;
	struct aa_time now;
	int r;

	if ((r = session_refresh(s)) < 0)
		return r;
	session_now(s, &now);
	r = aa_conv_send_begin(s->conv, &now, aa_buf_str(&s->screen),
	    s->screen.len);
	if (r < 0)
		return r;
	session_send_input(s, &in);
	r = aa_send_begin(q->m, &in, text, len, &st);
	if (r == 0 && session_send_apply(s, &st) != 0)
		r = st.err;
	if (r != 0) {
		/* Nothing was recorded; the conversation unfreezes. */
		session_now(s, &now);
		aa_conv_send_end(s->conv, &now, text, len, 0);
		return r;
	}
	q->active = 1;
	q->prompt = prompt;
	q->cb = cb;
	q->ud = ud;
	session_steer(s);
	return 0;
}

/* What the send machine sees: the loop's time, the last screen read and
 * the PTY's input queue. */
static void
session_send_input(struct aa_session *s, struct aa_send_input *in)
{
	in->now = (int64_t)uv_now(s->loop);
	in->screen = aa_buf_str(&s->screen);
	in->len = s->screen.len;
	in->queued = aa_pty_write_queued(s->pty);
	in->queue_max = AA_PTY_WRITE_QUEUE_MAX;
}

/*
 * Carries out a step of the send machine: its log line, its writes (a
 * failed one ends the send), then the timer for its next wake-up.
 * Returns 1 when the send ended (st->err says how), else 0.
 */
static int
session_send_apply(struct aa_session *s, struct aa_send_step *st)
{
	int64_t now = (int64_t)uv_now(s->loop);
	size_t i;
	int r;

	if (st->log != NULL)
		SLOG(s, st->log_level, "%s", st->log);
	for (i = 0; i < st->nwrites; i++) {
		r = session_write(s, st->writes[i].data, st->writes[i].len);
		if (r < 0) {
			aa_send_write_failed(s->send.m, r, st);
			SLOG(s, st->log_level, "%s", st->log);
			break;
		}
	}
	if (st->done)
		return 1;
	uv_timer_start(&s->send_timer, session_send_cb,
	    st->wake > now ? (uint64_t)(st->wake - now) : 0, 0);
	return 0;
}

/* Feeds the send machine the screen when its timer fires. */
static void
session_send_cb(uv_timer_t *t)
{
	struct aa_session *s = t->data;
	struct aa_send_input in;
	struct aa_send_step st;
	int r;

	if ((r = session_refresh(s)) < 0) {
		session_send_finish(s, r);
		return;
	}
	session_send_input(s, &in);
	aa_send_tick(s->send.m, &in, &st);
	if (session_send_apply(s, &st))
		session_send_finish(s, st.err);
}

/*
 * Ends the send in progress with err.  Records the user message on
 * success and also when the agent did not react (the text and Enter were
 * written, so it is what the agent was sent, and a retry would type it
 * twice); then unfreezes the conversation and calls the completion
 * callback.
 */
static void
session_send_finish(struct aa_session *s, int err)
{
	struct session_send *q = &s->send;
	struct aa_time now;
	aa_session_send_cb cb = q->cb;
	void *ud = q->ud;
	const char *text;
	size_t len;
	int recorded = err == 0 || err == AA_ENOREACT, r;

	if (!q->active)
		return;
	uv_timer_stop(&s->send_timer);
	aa_send_cancel(q->m);
	q->active = 0;
	q->cb = NULL;
	session_now(s, &now);
	text = aa_send_text(q->m, &len);
	r = aa_conv_send_end(s->conv, &now, text, len, recorded);
	if (err == 0 && r < 0)
		err = r;
	/* A recorded message (sent, or typed but not reacted to) must
	 * survive a crash before the next save. */
	if (recorded && r >= 0)
		session_journal(s, q->prompt);
	if (err != 0)
		SLOG(s, AA_LOG_WARN, "%s%s",
		    q->prompt ? "initial prompt: " : "",
		    aa_session_send_error(err));
	if (s->stop != STOP_CLOSING) {
		s->screen_stale = 1;
		session_tick(s);
	}
	if (cb != NULL)
		cb(ud, err);
}

/* Feeds the agent's output to the emulator and schedules a screen read. */
static void
session_on_data(void *ud, const char *buf, size_t n)
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
	session_tick(s);
}

/* Ticks when the conversation's status may have changed with time. */
static void
session_settle_cb(uv_timer_t *t)
{
	session_tick(t->data);
}

/* Saves the state a little after it changed. */
static void
session_save_cb(uv_timer_t *t)
{
	session_save(t->data, "changed");
}

/*
 * The agent exited and its output is drained: capture the final screen,
 * fail a send in progress, save, and tell the user.
 */
static void
session_on_exit(void *ud, int wait_status)
{
	struct aa_session *s = ud;

	s->exited = 1;
	s->wait_status = wait_status;
	uv_timer_stop(&s->read_timer);
	SLOG(s, AA_LOG_INFO, "agent exited (wait status %d)",
	    wait_status);
	s->screen_stale = 1;
	session_tick(s);
	session_send_finish(s, AA_EEXITED);
	if (s->stop == STOP_REQUESTED)
		return; /* session_stop_begin saves and closes */
	if (s->stop != STOP_NONE) {
		/* Saved at the stop, before the agent's goodbye (as upstream). */
		session_close_all(s);
		return;
	}
	session_save(s, "agent exited");
	if (s->o.on_exit != NULL)
		s->o.on_exit(s->o.ud, wait_status);
}

/* Sends the emulator's answers to terminal queries back to the agent. */
static void
session_on_reply(void *ud, const char *buf, size_t n)
{
	struct aa_session *s = ud;

	if (s->pty != NULL && !s->exited)
		aa_pty_write(s->pty, buf, n);
}

/* Forwards a message change to the user. */
static void
session_on_message(void *ud, const struct aa_message *m, int is_new)
{
	struct aa_session *s = ud;

	if (s->o.on_message != NULL)
		s->o.on_message(s->o.ud, m, is_new);
}

/* Forwards a status change to the user. */
static void
session_on_status(void *ud, enum aa_conv_status status)
{
	struct aa_session *s = ud;

	if (s->o.on_status != NULL)
		s->o.on_status(s->o.ud, status);
}

/* Forwards an agent_error (a state-load warning) to the user. */
static void
session_on_error(void *ud, int level, const char *text)
{
	struct aa_session *s = ud;

	SLOG(s, level == AA_CONV_LEVEL_WARNING ? AA_LOG_WARN :
	    AA_LOG_ERROR, "%s", text);
	if (s->o.on_error != NULL)
		s->o.on_error(s->o.ud, level, text);
}

/* The conversation's diff hook: snapshot diff for this agent (§3). */
static int
session_hook_diff(void *ud, const char *old, size_t oldlen, const char *cur,
    size_t curlen, struct aa_buf *out)
{
	struct aa_session *s = ud;

	return aa_snapshot_diff(old, oldlen, cur, curlen,
	    aa_agent_diff_skip(s->agent), out);
}

/* The conversation's format hook: this agent's formatter (§4.4, §4.6). */
static int
session_hook_format(void *ud, const char *msg, size_t len, const char *user,
    size_t ulen, struct aa_buf *out, struct aa_buf *tool_calls)
{
	struct aa_session *s = ud;

	return aa_watch_format(s->watch, msg, len, user, ulen, out,
	    tool_calls);
}

/* The conversation's readiness hook (§4.5). */
static int
session_hook_ready(void *ud, const char *screen, size_t len)
{
	struct aa_session *s = ud;

	return aa_agent_ready(s->agent, screen, len);
}

/* The conversation's busy hook: this agent's busy indicator, if any. */
static int
session_hook_busy(void *ud, const char *screen, size_t len)
{
	struct aa_session *s = ud;

	return aa_agent_busy(s->agent, screen, len);
}

/*
 * Does the work of aa_session_stop outside any caller's callback: cancel
 * the send, save, then close at once if the agent is gone, else SIGINT.
 */
static void
session_stop_begin(struct aa_session *s)
{
	session_send_finish(s, AA_ECANCELED);
	session_save(s, "shutdown");
	if (s->exited) {
		session_close_all(s);
		return;
	}
	SLOG(s, AA_LOG_INFO, "Closing process");
	if (aa_pty_kill_pid(s->pty, SIGINT) < 0)
		aa_pty_kill(s->pty, SIGINT);
	s->stop = STOP_INT;
	uv_timer_start(&s->stop_timer, session_stop_cb, s->o.stop_timeout_ms,
	    0);
}

/* Drives a stop: begin it, SIGKILL after the grace, then close anyway. */
static void
session_stop_cb(uv_timer_t *t)
{
	struct aa_session *s = t->data;

	if (s->stop == STOP_REQUESTED) {
		session_stop_begin(s);
		return;
	}
	if (s->stop == STOP_INT) {
		SLOG(s, AA_LOG_WARN, "agent ignored SIGINT for %ums, "
		    "sending SIGKILL", s->o.stop_timeout_ms);
		aa_pty_kill(s->pty, SIGKILL);
		s->stop = STOP_KILL;
		uv_timer_start(&s->stop_timer, session_stop_cb,
		    SESSION_KILL_GRACE_MS, 0);
		return;
	}
	if (s->stop == STOP_KILL)
		session_close_all(s);
}

/* Closes every handle; the session is freed in the last close callback. */
static void
session_close_all(struct aa_session *s)
{
	uv_timer_t *timers[] = { &s->read_timer, &s->settle_timer,
		&s->send_timer, &s->save_timer, &s->stop_timer };
	size_t i;

	if (s->stop == STOP_CLOSING)
		return;
	s->stop = STOP_CLOSING;
	for (i = 0; i < AA__ARRAY_SIZE(timers); i++) {
		s->closing_handles++;
		uv_close((uv_handle_t *)timers[i], session_handle_closed);
	}
	if (s->pty != NULL) {
		s->closing_handles++;
		aa_pty_close(s->pty, session_pty_closed);
	}
}

/* Counts a closed timer. */
static void
session_handle_closed(uv_handle_t *h)
{
	struct aa_session *s = h->data;

	if (--s->closing_handles == 0)
		session_release(s);
}

/* Counts the closed pty. */
static void
session_pty_closed(void *ud)
{
	struct aa_session *s = ud;

	s->pty = NULL;
	if (--s->closing_handles == 0)
		session_release(s);
}

/* Frees everything and reports the end of the stop. */
static void
session_release(struct aa_session *s)
{
	aa_session_stop_cb cb = s->stop_cb;
	void *ud = s->stop_ud;

	aa_conv_free(s->conv);
	aa_vt_free(s->vt);
	aa_buf_release(&s->screen);
	aa_buf_release(&s->held);
	aa_buf_release(&s->statebuf);
	aa_send_free(s->send.m);
	aa_store_free(s->store);
	aa_steer_release(&s->steer);
	aa_watch_free(s->watch);
	free(s->state_file);
	free(s);
	if (cb != NULL)
		cb(ud);
}

/* Logs "Running: <program> <args>" as upstream does (http.md §9.4). */
static void
session_log_command(struct aa_session *s, const char *const *argv)
{
	struct aa_buf b;
	size_t i;

	if (!aa_log_enabled(&s->log))
		return;
	aa_buf_init(&b);
	for (i = 0; argv[i] != NULL && b.len < SESSION_LOG_MAX; i++)
		if (aa_buf_printf(&b, "%s%s", i > 0 ? " " : "", argv[i]) < 0)
			break;
	SLOG(s, AA_LOG_INFO, "Running: %s", aa_buf_str(&b));
	aa_buf_release(&b);
}

/* Fills in the defaults of a copy of the options. */
static void
session_defaults(struct aa_session_options *o)
{
	if (o->cols == 0)
		o->cols = 80;
	if (o->rows == 0)
		o->rows = 1000;
	if (o->stability_ms == 0)
		o->stability_ms = 2000;
	if (o->interval_ms == 0)
		o->interval_ms = 25;
	if (o->echo_timeout_ms == 0)
		o->echo_timeout_ms = 2000;
	if (o->echo_settle_ms == 0)
		o->echo_settle_ms = 1000;
	if (o->process_timeout_ms == 0)
		o->process_timeout_ms = 15000;
	if (o->cr_retry_ms == 0)
		o->cr_retry_ms = 3000;
	if (o->save_delay_ms == 0)
		o->save_delay_ms = 1000;
	if (o->stop_timeout_ms == 0)
		o->stop_timeout_ms = 5000;
	if (o->term == NULL)
		o->term = "vt100";
}

/* Creates the emulator and the conversation for a new session. */
static int
session_init_core(struct aa_session *s)
{
	struct aa_conv_options co;
	struct aa_time now;
	int r;

	r = aa_vt_new(&s->vt, &(struct aa_vt_options){ .cols = s->o.cols,
	    .rows = s->o.rows, .reply = session_on_reply, .ud = s });
	if (r < 0)
		return r;
	r = aa_send_new(&s->send.m, &(struct aa_send_options){
	    .echo_timeout_ms = s->o.echo_timeout_ms,
	    .echo_settle_ms = s->o.echo_settle_ms,
	    .process_timeout_ms = s->o.process_timeout_ms,
	    .cr_retry_ms = s->o.cr_retry_ms });
	if (r < 0)
		return r;
	memset(&co, 0, sizeof(co));
	co.interval_ms = s->o.interval_ms;
	co.stability_ms = s->o.stability_ms;
	co.diff = session_hook_diff;
	co.format = session_hook_format;
	co.ready = session_hook_ready;
	co.busy = session_hook_busy;
	co.hook_ud = s;
	co.initial_prompt = s->o.initial_prompt;
	co.load_state = s->state_file != NULL && s->o.load_state;
	co.save_state = s->state_file != NULL && s->o.save_state;
	co.on_message = session_on_message;
	co.on_status = session_on_status;
	co.on_error = session_on_error;
	co.ud = s;
	session_now(s, &now);
	if ((r = aa_watch_new(&s->watch, s->agent, 0, &s->log,
	    now.mono_ms)) < 0)
		return r;
	return aa_conv_new(&s->conv, &co, &now);
}


/* Spawns the agent and starts tracking it (see agentapi.h); log lines go
 * to log rather than o->log (session.h). */
int
aa_session_new_log(uv_loop_t *loop, struct aa_session **out,
    const struct aa_session_options *o, const struct aa_log *log,
    char **cause)
{
	return aa_session_new_cwd(loop, out, o, log, NULL, cause);
}

/* aa_session_new_log, with the agent started in cwd (session.h). */
int
aa_session_new_cwd(uv_loop_t *loop, struct aa_session **out,
    const struct aa_session_options *o, const struct aa_log *log,
    const char *cwd, char **cause)
{
	const struct aa_agent *agent;
	uv_timer_t *timers[5];
	struct aa_session *s;
	const char *start;
	size_t i;
	int r;

	if (cause != NULL)
		*cause = NULL;
	if (loop == NULL || out == NULL || o == NULL || o->argv == NULL ||
	    o->argv[0] == NULL)
		return AA_EINVAL;
	/* Only the layout of this header is known (agentapi.h, ABI). */
	if (o->version != AA_SESSION_OPTIONS_VERSION)
		return aa__cause(cause, AA_EINVAL, "unsupported "
		    "aa_session_options version %d", o->version);
	if (o->agent_type != NULL)
		agent = aa_agent_find(o->agent_type);
	else
		agent = aa_agent_for_command(o->argv[0]);
	if (agent == NULL)
		return aa__cause(cause, AA_EINVAL, "unknown agent type "
		    "\"%s\"", o->agent_type);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return AA_ENOMEM;
	s->loop = loop;
	s->o = *o;
	if (log != NULL)
		s->log = *log;
	session_defaults(&s->o);
	s->wait_status = -1;
	s->screen_stale = 1; /* the first tick reads the blank screen */
	s->agent = agent;
	aa_buf_init(&s->screen);
	aa_buf_init(&s->held);
	aa_buf_init(&s->statebuf);
	aa_steer_init(&s->steer, NULL, 0, 0);
	s->steer.rules.prompt.answer = session_answer_style(agent);
	if (o->state_file != NULL && o->state_file[0] != '\0' &&
	    ((s->state_file = strdup(o->state_file)) == NULL ||
	    (r = aa_store_new(&s->store, o->state_file)) < 0)) {
		r = AA_ENOMEM;
		goto fail;
	}
	if ((r = session_init_core(s)) < 0)
		goto fail;
	r = aa_pty_spawn(loop, &s->pty, &(struct aa_pty_options){
	    .argv = o->argv, .env = o->env, .term = s->o.term,
	    .cols = s->o.cols, .rows = s->o.rows, .on_data = session_on_data,
	    .on_exit = session_on_exit, .ud = s, .log = &s->log,
	    .cwd = cwd }, cause);
	if (r < 0)
		goto fail;
	session_log_command(s, o->argv);
	timers[0] = &s->read_timer;
	timers[1] = &s->settle_timer;
	timers[2] = &s->send_timer;
	timers[3] = &s->save_timer;
	timers[4] = &s->stop_timer;
	for (i = 0; i < AA__ARRAY_SIZE(timers); i++) {
		uv_timer_init(loop, timers[i]);
		timers[i]->data = s;
	}
	/* Some agents need a nudge at start (amp: " \b", core.md §1.2). */
	start = aa_agent_start_input(s->agent);
	if (start != NULL && start[0] != '\0')
		aa_pty_write(s->pty, start, strlen(start));
	/* Upstream's first snapshot comes one interval after start. */
	uv_timer_start(&s->settle_timer, session_settle_cb, s->o.interval_ms,
	    0);
	*out = s;
	return 0;
fail:
	/* No handle was initialised yet: plain frees are enough. */
	s->stop_cb = NULL;
	session_release(s);
	return r;
}

/* Spawns the agent and starts tracking it (see agentapi.h). */
int
aa_session_new(uv_loop_t *loop, struct aa_session **out,
    const struct aa_session_options *o, char **cause)
{
	struct aa_log log = { .line = o != NULL ? o->log : NULL,
		.ud = o != NULL ? o->ud : NULL };

	return aa_session_new_log(loop, out, o, &log, cause);
}

/* Types a user message (see agentapi.h). */
int
aa_session_send_user(struct aa_session *s, const char *text, size_t len,
    aa_session_send_cb cb, void *ud)
{
	size_t a, b;
	int r;

	if (s == NULL || (text == NULL && len > 0))
		return AA_EINVAL;
	if (s->exited || s->stop != STOP_NONE)
		return AA_EEXITED;
	aa_text_trim_ws6(text != NULL ? text : "", len, &a, &b);
	if (a == b)
		return AA_EEMPTY;
	if (s->send.active)
		return AA_EBUSY;
	/* Let the check see the latest screen. */
	if (s->screen_stale)
		session_tick(s);
	if (s->send.active)
		return AA_EBUSY; /* the tick started the initial prompt */
	if ((r = aa_conv_check_send(s->conv, text + a, b - a)) < 0)
		return r;
	return session_send_start(s, text + a, b - a, 0, cb, ud);
}

/* Writes raw bytes to the agent (see agentapi.h). */
int
aa_session_send_raw(struct aa_session *s, const void *bytes, size_t len)
{
	int r;

	if (s == NULL || (bytes == NULL && len > 0))
		return AA_EINVAL;
	if (s->stop != STOP_NONE)
		return AA_EEXITED;
	if (len == 0)
		return 0;
	r = session_write(s, bytes, len);
	/* A full queue: the agent is not reading; bounded, so refuse. */
	if (r == AA_E2BIG && len <= AA_PTY_WRITE_QUEUE_MAX)
		r = AA_EAGAIN;
	return r;
}

/* Returns upstream's wording for a send error (see session.h), from the
 * error table (base/error.h). */
const char *
aa_session_send_error(int err)
{
	return aa_error_send_text(err);
}

/* Returns the internal status. */
enum aa_conv_status
aa_session_status(const struct aa_session *s)
{
	return aa_conv_status(s->conv);
}

/* Returns "running" or "stable". */
const char *
aa_session_status_name(const struct aa_session *s)
{
	return aa_conv_status_name(aa_conv_status(s->conv));
}

/* Returns the number of messages. */
size_t
aa_session_message_count(const struct aa_session *s)
{
	return aa_conv_count(s->conv);
}

/* Returns message i. */
const struct aa_message *
aa_session_message(const struct aa_session *s, size_t i)
{
	return aa_conv_message(s->conv, i);
}

/* Returns the current screen text (refreshed if output is pending). */
const char *
aa_session_screen(const struct aa_session *s, size_t *lenp)
{
	struct aa_session *m = (struct aa_session *)s;

	/* A read is a cache fill, not a change of the session's state. */
	if (m->stop != STOP_CLOSING)
		session_refresh(m);
	if (lenp != NULL)
		*lenp = s->screen.len;
	return aa_buf_str(&s->screen);
}

/* Returns the agent type's name. */
const char *
aa_session_agent_name(const struct aa_session *s)
{
	return aa_agent_name(s->agent);
}

/* Returns the agent's pid. */
int
aa_session_pid(const struct aa_session *s)
{
	return s->pty != NULL ? aa_pty_pid(s->pty) : -1;
}

/* Returns non-zero once the agent exited. */
int
aa_session_exited(const struct aa_session *s)
{
	return s->exited;
}

/* Returns the wait status, or -1 while the agent runs. */
int
aa_session_exit_status(const struct aa_session *s)
{
	return s->exited ? s->wait_status : -1;
}

/* Resizes the emulator and the PTY. */
int
aa_session_resize(struct aa_session *s, unsigned cols, unsigned rows)
{
	int r;

	if (cols < 10 || rows < 10 || cols > 1000 || rows > 10000)
		return AA_EINVAL;
	if (s->exited || s->stop != STOP_NONE)
		return AA_EEXITED;
	if ((r = aa_vt_resize(s->vt, cols, rows)) < 0)
		return r;
	if ((r = aa_pty_resize(s->pty, cols, rows)) < 0)
		return r;
	s->o.cols = cols;
	s->o.rows = rows;
	s->screen_stale = 1;
	session_tick(s);
	return 0;
}

/* Presses the agent's interrupt key (its descriptor's: Esc or Ctrl-C). */
int
aa_session_interrupt(struct aa_session *s)
{
	struct aa_buf b;
	int r;

	aa_buf_init(&b);
	r = aa_keys_encode(s->agent->interrupt != NULL ?
	    s->agent->interrupt : "ctrl-c", aa_session_app_cursor(s), &b);
	if (r == 0)
		r = aa_session_send_raw(s, b.data, b.len);
	aa_buf_release(&b);
	return r;
}

/* The descriptor's prompt_answer as the prompt module's enum. */
static enum aa_prompt_answer
session_answer_style(const struct aa_agent *a)
{
	if (a->prompt_answer != NULL && strcmp(a->prompt_answer, "digit") == 0)
		return AA_ANSWER_DIGIT;
	if (a->prompt_answer != NULL &&
	    strcmp(a->prompt_answer, "digit-enter") == 0)
		return AA_ANSWER_DIGIT_ENTER;
	return AA_ANSWER_ARROWS;
}

void
aa_session_on_steer(struct aa_session *s, aa_session_steer_fn fn, void *ud)
{
	s->steer_fn = fn;
	s->steer_ud = ud;
}

const struct aa_prompt *
aa_session_prompt(const struct aa_session *s, int64_t *since_ns)
{
	if (s->steer.state != AA_STATE_WAITING)
		return NULL;
	if (since_ns != NULL)
		*since_ns = s->steer.since_ns;
	return &s->steer.prompt;
}

int
aa_session_answer(struct aa_session *s, size_t idx)
{
	const struct aa_prompt *p = aa_session_prompt(s, NULL);
	struct aa_buf b;
	int r;

	if (p == NULL)
		return AA_ENOENT;
	aa_buf_init(&b);
	r = aa_prompt_answer(p, idx, &s->steer.rules.prompt, &b);
	if (r == 0)
		r = aa_session_send_raw(s, b.data, b.len);
	aa_buf_release(&b);
	return r;
}

int
aa_session_app_cursor(const struct aa_session *s)
{
	return aa_vt_app_cursor(s->vt);
}

int
aa_session_idle(const struct aa_session *s)
{
	return s->steer.state == AA_STATE_IDLE && !s->send.active;
}

const struct aa_queue *
aa_session_queue(const struct aa_session *s)
{
	return &s->steer.queue;
}

int
aa_session_enqueue(struct aa_session *s, const char *text, size_t len,
    uint64_t *id)
{
	int r;

	if (s->exited || s->stop != STOP_NONE)
		return AA_EEXITED;
	if ((r = aa_steer_enqueue(&s->steer, text, len, aa__wall_ns(),
	    id)) != 0)
		return r;
	/* Idle already (the client raced the state): deliver now. */
	session_steer(s);
	return 0;
}

int
aa_session_dequeue(struct aa_session *s, uint64_t id)
{
	int r = aa_steer_dequeue(&s->steer, id);

	if (r == 0)
		session_steer(s);
	return r;
}

const char *
aa_session_prompt_question(const struct aa_session *s, const char **kind,
    size_t *noptions)
{
	const struct aa_prompt *p = aa_session_prompt(s, NULL);

	if (p == NULL)
		return NULL;
	if (kind != NULL)
		*kind = aa_prompt_kind_name(p->kind);
	if (noptions != NULL)
		*noptions = p->nopts;
	return p->question;
}

const char *
aa_session_prompt_option(const struct aa_session *s, size_t i,
    const char **label)
{
	const struct aa_prompt *p = aa_session_prompt(s, NULL);

	if (p == NULL || i >= p->nopts)
		return NULL;
	if (label != NULL)
		*label = p->opts[i].label;
	return p->opts[i].key;
}

int
aa_session_answer_option(struct aa_session *s, const char *option)
{
	const struct aa_prompt *p = aa_session_prompt(s, NULL);
	int i;

	if (p == NULL)
		return AA_ENOENT;
	if (option == NULL || (i = aa_prompt_find(p, option)) < 0)
		return AA_EINVAL;
	return aa_session_answer(s, (size_t)i);
}

int
aa_session_keys(struct aa_session *s, const char *const *keys, size_t n)
{
	struct aa_buf b;
	size_t i;
	int r = 0;

	aa_buf_init(&b);
	for (i = 0; r == 0 && i < n; i++)
		r = aa_keys_encode(keys[i], aa_session_app_cursor(s), &b);
	if (r == AA_ENOENT)
		r = AA_EINVAL;
	if (r == 0)
		r = aa_session_send_raw(s, b.data, b.len);
	aa_buf_release(&b);
	return r;
}

int
aa_session_queue_push(struct aa_session *s, const char *text, size_t len,
    uint64_t *id)
{
	uint64_t tmp;
	size_t a, b;

	if (s == NULL || (text == NULL && len > 0))
		return AA_EINVAL;
	aa_text_trim_space(text != NULL ? text : "", len, &a, &b);
	if (a == b)
		return AA_EEMPTY;
	return aa_session_enqueue(s, text + a, b - a, id != NULL ? id : &tmp);
}

int
aa_session_queue_remove(struct aa_session *s, uint64_t id)
{
	return aa_session_dequeue(s, id);
}

size_t
aa_session_queue_count(const struct aa_session *s)
{
	return s->steer.queue.n;
}

const char *
aa_session_queue_item(const struct aa_session *s, size_t i, uint64_t *id,
    size_t *lenp)
{
	const struct aa_queue *q = &s->steer.queue;

	if (i >= q->n)
		return NULL;
	if (id != NULL)
		*id = q->v[i].id;
	if (lenp != NULL)
		*lenp = q->v[i].len;
	return q->v[i].text;
}

enum aa_agent_state
aa_session_state(const struct aa_session *s)
{
	return s->steer.state;
}

const char *
aa_agent_state_name(enum aa_agent_state st)
{
	return aa_steer_state_name(st);
}

/* Saves the state file now (SIGUSR1). */
int
aa_session_save_state(struct aa_session *s)
{
	if (s->stop == STOP_CLOSING)
		return 0;
	return session_save(s, "requested");
}

/* Returns why the last save failed, or NULL (see session.h). */
const char *
aa_session_save_error(const struct aa_session *s)
{
	return aa_store_error(s->store);
}

/* Returns the parser health (see session.h). */
const struct aa_health *
aa_session_health(const struct aa_session *s)
{
	return aa_watch_health(s->watch);
}

/* Restarts the parser health with another ready grace (see session.h). */
int
aa_session_set_health_grace(struct aa_session *s, int64_t ms)
{
	struct aa_watch *w;
	struct aa_time now;
	int r;

	session_now(s, &now);
	if ((r = aa_watch_new(&w, s->agent, ms, &s->log, now.mono_ms)) < 0)
		return r;
	aa_watch_free(s->watch);
	s->watch = w;
	return 0;
}

/* Sets the save-outcome hook (see session.h). */
void
aa_session_on_save(struct aa_session *s, aa_session_save_fn fn, void *ud)
{
	s->save_fn = fn;
	s->save_ud = ud;
}

/* Stops the session gracefully (see agentapi.h). */
void
aa_session_stop(struct aa_session *s, aa_session_stop_cb cb, void *ud)
{
	if (s == NULL || s->stop != STOP_NONE)
		return;
	s->stop_cb = cb;
	s->stop_ud = ud;
	/* Deferred, so that a callback may stop the session it came from. */
	s->stop = STOP_REQUESTED;
	uv_timer_start(&s->stop_timer, session_stop_cb, 0, 0);
}
