/*
 * send.c - the typing protocol (../shared/spec/core.md §1.7, §2.7, §2.8).
 *
 * States: ECHO sleeps before the next echo check with WaitFor's backoff
 * (50 ms doubling to 500 ms, never past the phase deadline); SETTLE has
 * seen the screen change and re-checks it echo_settle_ms later (the
 * sleep is part of WaitFor's condition, so no deadline cuts it short);
 * PROC sleeps before the next Enter check (25 ms doubling to 500 ms);
 * PROC_CHECK has written "\r" (unless one went out less than
 * cr_retry_ms ago) and looks at the screen 25 ms later.  Phase 1 ends on
 * a settled echo or, after echo_timeout_ms, with a log line only (agents
 * that buffer a paste without drawing it never echo); phase 2 ends when
 * the screen differs from the one before the first Enter, or after
 * process_timeout_ms with AA_ENOREACT (AA_EAGAIN when the input is still
 * queued: the agent did not even read it).  The timeouts are only
 * observed when a sleep ends, as in WaitFor.  A message that does not fit
 * in the driver's input queue is refused whole, before any write.
 *
 * Every transition is a function of the state and the driver's input
 * (time, screen, input queue): the machine copies the two screens it
 * compares against (before, probe) and the text, and hands the caller
 * pointers into them or into constants.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "core/send.h"

#define SEND_ECHO_TIMEOUT_MS 2000
#define SEND_ECHO_SETTLE_MS 1000
#define SEND_PROCESS_TIMEOUT_MS 15000
#define SEND_CR_RETRY_MS 3000
/* WaitFor intervals of the two phases (§2.7). */
#define SEND_ECHO_MIN_MS 50
#define SEND_PROC_MIN_MS 25
#define SEND_WAIT_MAX_MS 500
/* Sleep between writing "\r" and looking at the screen. */
#define SEND_CR_SLEEP_MS 25
/* Longest log line. */
#define SEND_LOG_MAX 256

enum send_state {
	SEND_IDLE,
	SEND_ECHO,	 /* phase 1: sleeping before the next echo check */
	SEND_SETTLE,	 /* phase 1: echo seen, waiting to re-check it */
	SEND_PROC,	 /* phase 2: sleeping before the next "\r" check */
	SEND_PROC_CHECK, /* phase 2: "\r" written, waiting to look */
};

struct aa_send {
	struct aa_send_options o;
	enum send_state state;
	struct aa_buf text;	/* the message */
	struct aa_buf before;	/* screen before typing / before "\r" */
	struct aa_buf probe;	/* phase 1: the first changed screen */
	int64_t deadline;	/* of the current phase */
	int64_t interval;	/* current WaitFor interval */
	int64_t wake;		/* when the current sleep ends */
	int64_t last_cr;	/* when "\r" was last written */
	int cr_sent;
	int writing_cr;		/* the last step's write was "\r" */
	char log[SEND_LOG_MAX];
};

static const char *const send_pre[] = { "x\b", "\033[200~", NULL };
static const char *const send_post[] = { "\033[201~", NULL };

static void step_clear(struct aa_send_step *st);
static void step_write(struct aa_send_step *st, const char *p, size_t n);
static void step_log(struct aa_send *q, struct aa_send_step *st, int level,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void send_sleep(struct aa_send *q, int64_t now, int64_t ms,
    struct aa_send_step *st);
static void send_echo_next(struct aa_send *q, int64_t now,
    struct aa_send_step *st);
static int send_proc_begin(struct aa_send *q, int64_t now, const char *screen,
    size_t slen, struct aa_send_step *st);
static int send_fits(const struct aa_send *q, const struct aa_send_input *in,
    size_t len);
static void send_proc_condition(struct aa_send *q, int64_t now,
    struct aa_send_step *st);
static void send_end(struct aa_send *q, int err, struct aa_send_step *st);
static int same(const struct aa_buf *b, const char *s, size_t n);
static size_t count(const char *const *v);

/* Empties a step: no writes, no wake, not done, no log. */
static void
step_clear(struct aa_send_step *st)
{
	memset(st, 0, sizeof(*st));
	st->wake = -1;
}

/* Appends one write to a step. */
static void
step_write(struct aa_send_step *st, const char *p, size_t n)
{
	if (st->nwrites < AA_SEND_MAX_WRITES)
		st->writes[st->nwrites++] = (struct aa_send_write){ p, n };
}

/* Formats the step's log line into the machine's buffer. */
static void
step_log(struct aa_send *q, struct aa_send_step *st, int level,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->log, sizeof(q->log), fmt, ap);
	va_end(ap);
	st->log = q->log;
	st->log_level = level;
}

/* Non-zero when b holds exactly the n bytes at s. */
static int
same(const struct aa_buf *b, const char *s, size_t n)
{
	return b->len == n && (n == 0 || memcmp(b->data, s, n) == 0);
}

/* Counts a NULL-terminated list. */
static size_t
count(const char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

int
aa_send_new(struct aa_send **out, const struct aa_send_options *o)
{
	struct aa_send *q;

	if (out == NULL)
		return AA_EINVAL;
	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return AA_ENOMEM;
	if (o != NULL)
		q->o = *o;
	if (q->o.echo_timeout_ms <= 0)
		q->o.echo_timeout_ms = SEND_ECHO_TIMEOUT_MS;
	if (q->o.echo_settle_ms <= 0)
		q->o.echo_settle_ms = SEND_ECHO_SETTLE_MS;
	if (q->o.process_timeout_ms <= 0)
		q->o.process_timeout_ms = SEND_PROCESS_TIMEOUT_MS;
	if (q->o.cr_retry_ms <= 0)
		q->o.cr_retry_ms = SEND_CR_RETRY_MS;
	if (q->o.pre == NULL)
		q->o.pre = send_pre;
	if (q->o.post == NULL)
		q->o.post = send_post;
	/* The framing plus the text must fit in one step. */
	if (count(q->o.pre) + count(q->o.post) + 1 > AA_SEND_MAX_WRITES) {
		free(q);
		return AA_EINVAL;
	}
	aa_buf_init(&q->text);
	aa_buf_init(&q->before);
	aa_buf_init(&q->probe);
	*out = q;
	return 0;
}

void
aa_send_free(struct aa_send *q)
{
	if (q == NULL)
		return;
	aa_buf_release(&q->text);
	aa_buf_release(&q->before);
	aa_buf_release(&q->probe);
	free(q);
}

/* Non-zero when the framed text of len bytes fits in the input queue. */
static int
send_fits(const struct aa_send *q, const struct aa_send_input *in,
    size_t len)
{
	size_t i, n = len;

	if (in->queue_max == 0)
		return 1;
	for (i = 0; q->o.pre[i] != NULL; i++)
		n += strlen(q->o.pre[i]);
	for (i = 0; q->o.post[i] != NULL; i++)
		n += strlen(q->o.post[i]);
	return in->queued <= in->queue_max && n <= in->queue_max - in->queued;
}

int
aa_send_begin(struct aa_send *q, const struct aa_send_input *in,
    const char *text, size_t len, struct aa_send_step *st)
{
	int64_t now;
	size_t i;
	int r;

	if (q == NULL || in == NULL || st == NULL ||
	    (text == NULL && len > 0) || (in->screen == NULL && in->len > 0))
		return AA_EINVAL;
	step_clear(st);
	if (q->state != SEND_IDLE)
		return AA_EBUSY;
	if (!send_fits(q, in, len))
		return AA_EAGAIN;
	now = in->now;
	aa_buf_reset(&q->text);
	aa_buf_reset(&q->before);
	if ((r = aa_buf_append(&q->text, text, len)) < 0 ||
	    (r = aa_buf_append(&q->before, in->screen, in->len)) < 0)
		return r;
	/* §1.7: each part with its own write, back to back. */
	for (i = 0; q->o.pre[i] != NULL; i++)
		step_write(st, q->o.pre[i], strlen(q->o.pre[i]));
	step_write(st, aa_buf_str(&q->text), q->text.len);
	for (i = 0; q->o.post[i] != NULL; i++)
		step_write(st, q->o.post[i], strlen(q->o.post[i]));
	q->writing_cr = 0;
	q->state = SEND_ECHO;
	q->deadline = now + q->o.echo_timeout_ms;
	q->interval = SEND_ECHO_MIN_MS;
	send_sleep(q, now, q->interval, st);
	return 0;
}

/* Sleeps ms, but never past the current phase's deadline (WaitFor). */
static void
send_sleep(struct aa_send *q, int64_t now, int64_t ms,
    struct aa_send_step *st)
{
	int64_t left = q->deadline > now ? q->deadline - now : 0;

	q->wake = now + AA__MIN(ms, left);
	st->wake = q->wake;
}

/* Phase 1 round failed: back off and try again (or time out). */
static void
send_echo_next(struct aa_send *q, int64_t now, struct aa_send_step *st)
{
	q->interval = AA__MIN(q->interval * 2, SEND_WAIT_MAX_MS);
	q->state = SEND_ECHO;
	send_sleep(q, now, q->interval, st);
}

/* Starts phase 2: remember the screen, then write "\r" at once. */
static int
send_proc_begin(struct aa_send *q, int64_t now, const char *screen,
    size_t slen, struct aa_send_step *st)
{
	int r;

	aa_buf_reset(&q->before);
	if ((r = aa_buf_append(&q->before, screen, slen)) < 0) {
		send_end(q, r, st);
		return r;
	}
	q->deadline = now + q->o.process_timeout_ms;
	q->interval = SEND_PROC_MIN_MS;
	q->cr_sent = 0;
	send_proc_condition(q, now, st);
	return 0;
}

/* Phase 2 condition: write "\r" unless one went out recently, then look. */
static void
send_proc_condition(struct aa_send *q, int64_t now, struct aa_send_step *st)
{
	if (!q->cr_sent || now - q->last_cr >= q->o.cr_retry_ms) {
		step_write(st, "\r", 1);
		q->writing_cr = 1;
		q->cr_sent = 1;
		q->last_cr = now;
	}
	q->state = SEND_PROC_CHECK;
	/* The look-after sleep is part of the condition: no deadline. */
	q->wake = now + SEND_CR_SLEEP_MS;
	st->wake = q->wake;
}

/* Ends the send with err. */
static void
send_end(struct aa_send *q, int err, struct aa_send_step *st)
{
	q->state = SEND_IDLE;
	q->writing_cr = 0;
	st->nwrites = 0;
	st->wake = -1;
	st->done = 1;
	st->err = err;
}

int
aa_send_tick(struct aa_send *q, const struct aa_send_input *in,
    struct aa_send_step *st)
{
	const char *screen;
	size_t slen;
	int64_t now;

	if (q == NULL || in == NULL || st == NULL ||
	    (in->screen == NULL && in->len > 0))
		return AA_EINVAL;
	step_clear(st);
	now = in->now;
	screen = in->screen != NULL ? in->screen : "";
	slen = in->len;
	q->writing_cr = 0;
	if (q->state == SEND_IDLE)
		return 0;
	if (now < q->wake) {
		st->wake = q->wake; /* woken early: keep sleeping */
		return 0;
	}
	switch (q->state) {
	case SEND_ECHO:
		if (now >= q->deadline) {
			step_log(q, st, AA_LOG_INFO, "echo detection timed "
			    "out, sending carriage return timeout=%ums",
			    (unsigned)q->o.echo_timeout_ms);
			return send_proc_begin(q, now, screen, slen, st);
		}
		if (same(&q->before, screen, slen)) {
			send_echo_next(q, now, st);
			break;
		}
		aa_buf_reset(&q->probe);
		if (aa_buf_append(&q->probe, screen, slen) < 0) {
			send_end(q, AA_ENOMEM, st);
			return AA_ENOMEM;
		}
		q->state = SEND_SETTLE;
		q->wake = now + q->o.echo_settle_ms;
		st->wake = q->wake;
		break;
	case SEND_SETTLE:
		if (same(&q->probe, screen, slen))
			return send_proc_begin(q, now, screen, slen, st);
		send_echo_next(q, now, st);
		break;
	case SEND_PROC:
		if (now >= q->deadline && in->queued > 0) {
			step_log(q, st, AA_LOG_WARN, "the agent is not reading "
			    "its input: %zu bytes still queued", in->queued);
			send_end(q, AA_EAGAIN, st);
		} else if (now >= q->deadline) {
			step_log(q, st, AA_LOG_WARN, "failed to wait for "
			    "processing to start: timeout waiting for "
			    "condition");
			send_end(q, AA_ENOREACT, st);
		} else
			send_proc_condition(q, now, st);
		break;
	case SEND_PROC_CHECK:
		if (!same(&q->before, screen, slen)) {
			send_end(q, 0, st);
			break;
		}
		q->interval = AA__MIN(q->interval * 2, SEND_WAIT_MAX_MS);
		q->state = SEND_PROC;
		send_sleep(q, now, q->interval, st);
		break;
	case SEND_IDLE:
		break;
	}
	return 0;
}

void
aa_send_write_failed(struct aa_send *q, int err, struct aa_send_step *st)
{
	int cr;

	if (q == NULL || st == NULL)
		return;
	step_clear(st);
	if (q->state == SEND_IDLE)
		return;
	cr = q->writing_cr;
	step_log(q, st, AA_LOG_ERROR, "failed to write %s: %s",
	    cr ? "carriage return" : "message part", aa_strerror(err));
	send_end(q, err == AA_EEXITED ? err : AA_EIO, st);
}

void
aa_send_cancel(struct aa_send *q)
{
	if (q != NULL) {
		q->state = SEND_IDLE;
		q->writing_cr = 0;
	}
}

int
aa_send_active(const struct aa_send *q)
{
	return q != NULL && q->state != SEND_IDLE;
}

const char *
aa_send_text(const struct aa_send *q, size_t *lenp)
{
	if (lenp != NULL)
		*lenp = q != NULL ? q->text.len : 0;
	return q != NULL ? aa_buf_str(&q->text) : "";
}
