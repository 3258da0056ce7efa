/*
 * session-steer.c - aa_session's steering: the user-facing state (idle,
 * working, waiting on a prompt, exited; core/steer.h), the prompt's
 * question and options and their answers, named keys, the interrupt key
 * and the queue of messages typed when the agent is next idle.
 *
 * The state is recomputed after every tick and every send; the steering
 * hook hears of each change last.  A queued message goes through
 * aa_session_send_user like any other, so it gets the same checks and
 * the same typing protocol; it is dropped (with a log line) rather than
 * retried when the send fails, since it may have been typed.  Answers and
 * keys are raw bytes, encoded for the cursor mode the agent asked for.
 */
#include <string.h>

#include "base/aa-internal.h"
#include "base/error.h"
#include "base/text.h"
#include "core/keys.h"
#include "core/vt.h"
#include "runtime/session-private.h"

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
void
aa__session_steer(struct aa_session *s)
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
		if (r == 0)
			s->send.queued = 1;
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

/* Writes the next due step of paced keys; re-arms while more are due. */
void
aa__session_keys_cb(uv_timer_t *t)
{
	struct aa_session *s = t->data;
	struct session_keys *k = &s->keys;
	size_t first;

	if (k->n == 0)
		return;
	first = k->len[0];
	if (s->stop == STOP_NONE)
		(void)aa_session_send_raw(s, k->bytes, first);
	memmove(k->bytes, k->bytes + first, k->used - first);
	memmove(k->len, k->len + 1, (k->n - 1) * sizeof(k->len[0]));
	k->used -= first;
	k->n--;
	if (k->n > 0)
		uv_timer_start(&s->keys_timer, aa__session_keys_cb,
		    AA__KEYS_GAP_MS, 0);
}

int
aa__session_send_steps(struct aa_session *s, const char *bytes,
    const size_t *lens, size_t n)
{
	struct session_keys *k = &s->keys;
	size_t i, total = 0, from = 0;
	int r;

	for (i = 0; i < n; i++)
		total += lens[i];
	if (n == 0)
		return 0;
	if (k->n + n > AA__KEYS_STEPS || k->used + total > AA__KEYS_BYTES)
		return AA_EAGAIN;
	/* Nothing due: the first step goes now, like any key. */
	if (k->n == 0) {
		if ((r = aa_session_send_raw(s, bytes, lens[0])) != 0)
			return r;
		from = 1;
		bytes += lens[0];
		total -= lens[0];
	}
	if (from == n)
		return 0;
	memcpy(k->bytes + k->used, bytes, total);
	k->used += total;
	for (i = from; i < n; i++)
		k->len[k->n++] = lens[i];
	if (!uv_is_active((uv_handle_t *)&s->keys_timer))
		uv_timer_start(&s->keys_timer, aa__session_keys_cb,
		    AA__KEYS_GAP_MS, 0);
	return 0;
}

/*
 * Presses the agent's interrupt key (its descriptor's: "esc", "ctrl-c",
 * or "esc esc" for a TUI whose first Esc only arms the interrupt).
 */
int
aa_session_interrupt(struct aa_session *s)
{
	const char *spec = s->agent->interrupt != NULL ?
	    s->agent->interrupt : "ctrl-c";
	char name[AA_KEYS_NAME_MAX + 1];
	size_t lens[AA__KEYS_STEPS], n = 0, l, before;
	struct aa_buf b;
	int r = 0;

	aa_buf_init(&b);
	while (r == 0 && *spec != '\0') {
		l = strcspn(spec, " ");
		if (l > AA_KEYS_NAME_MAX || n == AA__KEYS_STEPS) {
			r = AA_EINVAL;
			break;
		}
		memcpy(name, spec, l);
		name[l] = '\0';
		before = b.len;
		r = aa_keys_encode(name, aa_session_app_cursor(s), &b);
		lens[n++] = b.len - before;
		spec += l;
		spec += strspn(spec, " ");
	}
	if (r == 0)
		r = aa__session_send_steps(s, b.data, lens, n);
	aa_buf_release(&b);
	return r;
}

/* The descriptor's prompt_answer as the prompt module's enum. */
enum aa_prompt_answer
aa__session_answer_style(const struct aa_agent *a)
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
	/* The confirming Enter a step after the keys that chose the
	 * option: a TUI may read the burst as one event and drop it. */
	if (r == 0 && b.len > 1 && b.data[b.len - 1] == '\r') {
		size_t lens[2] = { b.len - 1, 1 };

		r = aa__session_send_steps(s, b.data, lens, 2);
	} else if (r == 0) {
		r = aa_session_send_raw(s, b.data, b.len);
	}
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
	/* Acknowledged means durable: on disk before the caller hears of
	 * it, else not queued at all. */
	if ((r = aa__session_save_queue(s, "message queued")) < 0) {
		(void)aa_steer_dequeue(&s->steer, *id);
		return r;
	}
	/* Idle already (the client raced the state): deliver now. */
	aa__session_steer(s);
	return 0;
}

int
aa_session_dequeue(struct aa_session *s, uint64_t id)
{
	int r = aa_steer_dequeue(&s->steer, id);

	if (r == 0) {
		/* A failed save only lets the message come back after a
		 * crash; the removal itself stands. */
		(void)aa__session_save_queue(s, "queued message removed");
		aa__session_steer(s);
	}
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
