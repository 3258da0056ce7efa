/*
 * session-state.c - aa_session's state file: load once the conversation
 * asks for it, save a little after a change (the save timer), at the
 * agent's exit, at a stop and on request, and journal each recorded user
 * message before it is reported sent (runtime/store.h does the files).
 * Every save's outcome goes to the parser health and to the save hook.
 */
#include <stdio.h>
#include <stdlib.h>
/* After a libc header, so that __GLIBC__ is known. */
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "base/error.h"
#include "runtime/session-private.h"
#include "runtime/store.h"
#include "runtime/watch.h"

static void session_health_saved(struct aa_session *, const char *);
static void session_save_cb(uv_timer_t *);
static void session_restore_queue(struct aa_session *);
static int session_encode(struct aa_session *);

/* Loads the state file once the conversation asks for it (§5.3). */
void
aa__session_load(struct aa_session *s)
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
	else {
		SLOG(s, AA_LOG_INFO,
		    "Successfully loaded state path=%s messages=%zu",
		    s->state_file, aa_conv_count(s->conv));
		session_restore_queue(s);
	}
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

/* Encodes the conversation and the queue into s->statebuf. */
static int
session_encode(struct aa_session *s)
{
	const struct aa_queue *q = &s->steer.queue;
	struct aa_message *v = NULL;
	size_t i;
	int r;

	if (q->n > 0 && (v = calloc(q->n, sizeof(*v))) == NULL)
		return AA_ENOMEM;
	for (i = 0; i < q->n; i++) {
		v[i].id = (int64_t)q->v[i].id;
		v[i].role = AA_ROLE_USER;
		v[i].text = q->v[i].text;
		v[i].len = q->v[i].len;
		v[i].time_ns = q->v[i].time_ns;
	}
	r = aa_conv_state_encode_queue(s->conv, &s->statebuf, v, q->n);
	free(v);
	return r;
}

/*
 * Saves at once for a change of the queue: a queued message is
 * acknowledged only once it is on disk, and one typed from the queue
 * leaves the queue and enters the conversation in one write (a journal
 * record for it would bring it back queued too after a crash).  Before
 * the state file is loaded nothing can be saved yet; 0 then.
 */
int
aa__session_save_queue(struct aa_session *s, const char *why)
{
	if (s->state_file == NULL || s->store == NULL)
		return 0;
	aa_conv_touch(s->conv);
	if (!aa_conv_save_wanted(s->conv))
		return 0;
	return aa__session_save(s, why);
}

/* Puts the loaded state's queue back, before anything queued meanwhile
 * (the agent was starting): the saved messages are the older ones. */
static void
session_restore_queue(struct aa_session *s)
{
	struct aa_message *v = NULL;
	size_t n = aa_conv_take_loaded_queue(s->conv, &v), i, kept = 0;
	struct aa_queue *q = &s->steer.queue, old = *q;
	uint64_t next = 1;
	int r = 0;

	if (n == 0)
		return;
	aa_queue_init(q, old.max_items, old.max_bytes);
	for (i = 0; i < n; i++) {
		/* Ids must grow; a hand-edited file may disagree. */
		uint64_t id = v[i].id > 0 && (uint64_t)v[i].id >= next ?
		    (uint64_t)v[i].id : next;

		if (r == 0 && kept < q->max_items &&
		    (r = aa_queue_restore(q, id, v[i].text, v[i].len,
		    v[i].time_ns)) == 0) {
			kept++;
			next = id + 1;
		}
		free((void *)(uintptr_t)v[i].text);
	}
	free(v);
	for (i = 0; i < old.n; i++) {
		uint64_t id = old.v[i].id >= next ? old.v[i].id : next;

		if (aa_queue_restore(q, id, old.v[i].text, old.v[i].len,
		    old.v[i].time_ns) == 0)
			next = id + 1;
	}
	if (old.next_id > q->next_id)
		q->next_id = old.next_id;
	aa_queue_release(&old);
	SLOG(s, AA_LOG_INFO, "Restored %zu queued messages%s", kept,
	    kept < n ? " (the rest did not fit)" : "");
	if (old.n > 0)
		(void)aa__session_save_queue(s, "queue restored");
	s->steer.changes |= AA_STEER_QUEUE;
}

/*
 * Writes the state file if saving is wanted and something changed;
 * why names the occasion for the log.  Returns 0 or an error.
 */
int
aa__session_save(struct aa_session *s, const char *why)
{
	int r;

	uv_timer_stop(&s->save_timer);
	if (s->state_file == NULL || !aa_conv_save_wanted(s->conv) ||
	    !aa_conv_dirty(s->conv))
		return 0;
	aa_buf_reset(&s->statebuf);
	if ((r = session_encode(s)) < 0)
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
void
aa__session_journal(struct aa_session *s, int prompt)
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
		aa__session_save(s, r > 0 ? "journal full" : "journal failed");
}

/* Arms the save debounce if there is something to save and none is due. */
void
aa__session_schedule_save(struct aa_session *s)
{
	if (s->state_file == NULL || s->stop != STOP_NONE)
		return;
	if (!aa_conv_save_wanted(s->conv) || !aa_conv_dirty(s->conv))
		return;
	if (uv_is_active((uv_handle_t *)&s->save_timer))
		return;
	uv_timer_start(&s->save_timer, session_save_cb, s->o.save_delay_ms, 0);
}

/* Saves the state a little after it changed. */
static void
session_save_cb(uv_timer_t *t)
{
	aa__session_save(t->data, "changed");
}

/* Saves the state file now (SIGUSR1). */
int
aa_session_save_state(struct aa_session *s)
{
	if (s->stop == STOP_CLOSING)
		return 0;
	return aa__session_save(s, "requested");
}

/* Returns why the last save failed, or NULL (see session.h). */
const char *
aa_session_save_error(const struct aa_session *s)
{
	return aa_store_error(s->store);
}

/* Sets the save-outcome hook (see session.h). */
void
aa_session_on_save(struct aa_session *s, aa_session_save_fn fn, void *ud)
{
	s->save_fn = fn;
	s->save_ud = ud;
}
