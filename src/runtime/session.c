/*
 * session.c - aa_session, the live half: PTY, terminal and conversation on
 * one libuv loop.  This file creates the session, drives sends, hears the
 * agent's exit and stops it; the rest of the module is session-track.c
 * (output to screen to conversation), session-steer.c (state, prompts,
 * keys, the queue) and session-state.c (the state file), sharing
 * session-private.h.
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
#include "base/buf.h"
#include "core/conv.h"
#include "runtime/pty.h"
#include "core/send.h"
#include "runtime/session-private.h"
#include "runtime/session.h"
#include "core/snapshot.h"
#include "runtime/store.h"
#include "core/steer.h"
#include "base/text.h"
#include "core/vt.h"
#include "runtime/watch.h"

/* After SIGKILL, how long to wait for the exit before closing anyway. */
#define SESSION_KILL_GRACE_MS 1000
/* Longest log line. */
#define SESSION_LOG_MAX 512

static int session_write(struct aa_session *, const void *, size_t);
static void session_send_input(struct aa_session *, struct aa_send_input *);
static int session_send_apply(struct aa_session *, struct aa_send_step *);
static void session_send_finish(struct aa_session *, int);
static void session_close_all(struct aa_session *);
static void session_handle_closed(uv_handle_t *);
static void session_pty_closed(void *);
static void session_release(struct aa_session *);
static void session_log_command(struct aa_session *, const char *const *);
static void session_on_exit(void *, int);
static int session_create(uv_loop_t *, struct aa_session **,
    const struct aa_session_options *, const struct aa_log *, const char *,
    int, char **);
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
static void session_send_cb(uv_timer_t *);
static void session_stop_cb(uv_timer_t *);
static void session_stop_begin(struct aa_session *);

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
int
aa__session_send_start(struct aa_session *s, const char *text, size_t len,
    int prompt, aa_session_send_cb cb, void *ud)
{
	struct session_send *q = &s->send;
	struct aa_send_input in;
	struct aa_send_step st;
	struct aa_time now;
	int r;

	if ((r = aa__session_refresh(s)) < 0)
		return r;
	aa__session_now(s, &now);
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
		aa__session_now(s, &now);
		aa_conv_send_end(s->conv, &now, text, len, 0);
		return r;
	}
	q->active = 1;
	q->prompt = prompt;
	q->cb = cb;
	q->ud = ud;
	aa__session_steer(s);
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

	if ((r = aa__session_refresh(s)) < 0) {
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
	aa__session_now(s, &now);
	text = aa_send_text(q->m, &len);
	r = aa_conv_send_end(s->conv, &now, text, len, recorded);
	if (err == 0 && r < 0)
		err = r;
	/* A recorded message (sent, or typed but not reacted to) must
	 * survive a crash before the next save. */
	if (recorded && r >= 0 && (!q->queued ||
	    aa__session_save_queue(s, "queued message sent") < 0))
		aa__session_journal(s, q->prompt);
	q->queued = 0;
	if (err != 0)
		SLOG(s, AA_LOG_WARN, "%s%s",
		    q->prompt ? "initial prompt: " : "",
		    aa_session_send_error(err));
	if (s->stop != STOP_CLOSING) {
		s->screen_stale = 1;
		aa__session_tick(s);
	}
	if (cb != NULL)
		cb(ud, err);
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
	aa__session_tick(s);
	session_send_finish(s, AA_EEXITED);
	if (s->stop == STOP_REQUESTED)
		return; /* session_stop_begin saves and closes */
	if (s->stop != STOP_NONE) {
		/* Saved at the stop, before the agent's goodbye (as upstream). */
		session_close_all(s);
		return;
	}
	aa__session_save(s, "agent exited");
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

	if (s->o.on_status != NULL && !s->dormant)
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
	aa__session_save(s, "shutdown");
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
		&s->send_timer, &s->save_timer, &s->stop_timer,
		&s->keys_timer };
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
	    .rows = s->o.rows, .reply = session_on_reply, .ud = s,
	    .term = s->o.term });
	if (r < 0)
		return r;
	r = aa_send_new(&s->send.m, &(struct aa_send_options){
	    .echo_timeout_ms = s->o.echo_timeout_ms,
	    .echo_settle_ms = s->o.echo_settle_ms,
	    .process_timeout_ms = s->o.process_timeout_ms,
	    .cr_retry_ms = s->o.cr_retry_ms,
	    .pre = s->agent != NULL ? s->agent->send_pre : NULL });
	if (r < 0)
		return r;
	memset(&co, 0, sizeof(co));
	co.interval_ms = s->o.interval_ms;
	co.stability_ms = s->o.stability_ms;
	co.diff = session_hook_diff;
	co.format = session_hook_format;
	co.ready = session_hook_ready;
	/* Only an agent with busy marks gets the hook: the others keep
	 * upstream's rules (core/conv.h). */
	co.busy = aa_agent_has_busy(s->agent) ? session_hook_busy : NULL;
	co.hook_ud = s;
	co.initial_prompt = s->o.initial_prompt;
	co.load_state = s->state_file != NULL && s->o.load_state;
	co.save_state = s->state_file != NULL && s->o.save_state;
	co.on_message = session_on_message;
	co.on_status = session_on_status;
	co.on_error = session_on_error;
	co.ud = s;
	aa__session_now(s, &now);
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
	return session_create(loop, out, o, log, cwd, 1, cause);
}

/* A session whose agent is not running: its conversation loaded at once
 * (session.h). */
int
aa_session_new_exited(uv_loop_t *loop, struct aa_session **out,
    const struct aa_session_options *o, const struct aa_log *log,
    char **cause)
{
	return session_create(loop, out, o, log, NULL, 0, cause);
}

/* Makes a session; with spawn 0 no agent is started: the session is
 * exited from the start and its state file is loaded now, since no ready
 * screen will ever ask for it. */
static int
session_create(uv_loop_t *loop, struct aa_session **out,
    const struct aa_session_options *o, const struct aa_log *log,
    const char *cwd, int spawn, char **cause)
{
	const struct aa_agent *agent;
	uv_timer_t *timers[6];
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
	s->steer.rules.prompt.answer = aa__session_answer_style(agent);
	if (o->state_file != NULL && o->state_file[0] != '\0' &&
	    ((s->state_file = strdup(o->state_file)) == NULL ||
	    (r = aa_store_new(&s->store, o->state_file)) < 0)) {
		r = AA_ENOMEM;
		goto fail;
	}
	if ((r = session_init_core(s)) < 0)
		goto fail;
	if (spawn) {
		r = aa_pty_spawn(loop, &s->pty, &(struct aa_pty_options){
		    .argv = o->argv, .env = o->env, .term = s->o.term,
		    .cols = s->o.cols, .rows = s->o.rows,
		    .on_data = aa__session_on_data, .on_exit = session_on_exit,
		    .ud = s, .log = &s->log, .cwd = cwd }, cause);
		if (r < 0)
			goto fail;
		session_log_command(s, o->argv);
	} else {
		s->exited = s->dormant = 1;
		s->wait_status = 0;
		if (s->store != NULL && s->o.load_state)
			aa__session_load(s);
	}
	timers[0] = &s->read_timer;
	timers[1] = &s->settle_timer;
	timers[2] = &s->send_timer;
	timers[3] = &s->save_timer;
	timers[4] = &s->stop_timer;
	timers[5] = &s->keys_timer;
	for (i = 0; i < AA__ARRAY_SIZE(timers); i++) {
		uv_timer_init(loop, timers[i]);
		timers[i]->data = s;
	}
	/* Some agents need a nudge at start (amp: " \b", core.md §1.2). */
	start = aa_agent_start_input(s->agent);
	if (spawn && start != NULL && start[0] != '\0')
		aa_pty_write(s->pty, start, strlen(start));
	if (!spawn) {
		/* Nothing will draw: no ticks, no health to watch; the
		 * state is exited from now on. */
		aa__session_steer(s);
		*out = s;
		return 0;
	}
	/* Upstream's first snapshot comes one interval after start. */
	uv_timer_start(&s->settle_timer, aa__session_settle_cb, s->o.interval_ms,
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
		aa__session_tick(s);
	if (s->send.active)
		return AA_EBUSY; /* the tick started the initial prompt */
	if ((r = aa_conv_check_send(s->conv, text + a, b - a)) < 0)
		return r;
	return aa__session_send_start(s, text + a, b - a, 0, cb, ud);
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
	/* No agent, nothing in flight: what was loaded is all there is. */
	if (s->dormant)
		return AA_CONV_STABLE;
	return aa_conv_status(s->conv);
}

/* Returns "running" or "stable". */
const char *
aa_session_status_name(const struct aa_session *s)
{
	return aa_conv_status_name(aa_session_status(s));
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
		aa__session_refresh(m);
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
	aa__session_tick(s);
	return 0;
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

	aa__session_now(s, &now);
	if ((r = aa_watch_new(&w, s->agent, ms, &s->log, now.mono_ms)) < 0)
		return r;
	aa_watch_free(s->watch);
	s->watch = w;
	return 0;
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
