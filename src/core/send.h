/*
 * send.h - aa_send, the typing protocol (../shared/spec/core.md §1.7,
 * §2.7, §2.8) as a pure machine.
 *
 * Typing a user message into a terminal agent is a dialogue with deadlines:
 * write the framed text, wait for its echo to appear and settle (phase 1,
 * non-fatal on timeout), then press Enter and wait for the screen to move
 * (phase 2, re-pressing Enter now and then, fatal on timeout).  The
 * machine holds that dialogue and nothing else: no loop, no clock, no
 * file descriptors.  The caller passes what it sees into every call (a
 * struct aa_send_input: the time in monotonic ms, the current screen, and
 * how much input is still queued for the agent), and each call fills a
 * struct aa_send_step saying what to do next:
 *
 *   - write each of writes[0..nwrites) to the agent, in order, each with
 *     its own write (upstream writes the parts separately), and if one
 *     fails, stop there and call aa_send_write_failed();
 *   - log the line in log (if not NULL) at log_level, before the writes;
 *   - if done, the send is over and err tells how (0 or an AA_E* code);
 *     otherwise call aa_send_tick() once the time reaches wake.
 *
 * A driver is thus a timer and a PTY: see session.c.  Only one message is
 * typed at a time; aa_send_cancel() ends the one in progress.  Pointers in
 * a step stay valid until the next call on the machine.
 */
#ifndef AA_SEND_H
#define AA_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "agentapi.h"
#include "base/buf.h"

/* Longest list of writes one step asks for: the framed message. */
#define AA_SEND_MAX_WRITES 8

struct aa_send_options {
	int version;		    /* reserved, 0 */
	int64_t echo_timeout_ms;    /* phase 1 deadline; 0 means 2000 */
	int64_t echo_settle_ms;	    /* echo re-check delay; 0 means 1000 */
	int64_t process_timeout_ms; /* phase 2 deadline; 0 means 15000 */
	int64_t cr_retry_ms;	    /* Enter again after; 0 means 3000 */
	/*
	 * The framing of the text: parts written before and after it, each
	 * NULL-terminated, at most AA_SEND_MAX_WRITES - 1 in all.  NULL
	 * means upstream's, identical for every agent (§1.7): "x\b" and the
	 * bracketed-paste start before, the paste end after.
	 */
	const char *const *pre;
	const char *const *post;
};

/* What the driver sees when it calls the machine. */
struct aa_send_input {
	int64_t now;		/* monotonic ms */
	const char *screen;	/* the screen text now */
	size_t len;
	size_t queued;		/* input written but not yet read by the agent */
	size_t queue_max;	/* the most input that may wait; 0: no limit */
};

struct aa_send_write {
	const char *data;
	size_t len;
};

/* What the driver does after a call (see the top of this file). */
struct aa_send_step {
	struct aa_send_write writes[AA_SEND_MAX_WRITES];
	size_t nwrites;
	int64_t wake;	 /* call aa_send_tick at this time; -1 when done */
	int done;	 /* the send ended, with err: 0, AA_ENOREACT, */
	int err;	 /* AA_EAGAIN, AA_EIO, AA_EEXITED or AA_ENOMEM */
	int log_level;	 /* AA_LOG_* */
	const char *log; /* a line to log, or NULL */
};

struct aa_send;

/* Creates an idle machine; the options are copied (framing by pointer:
 * the strings must outlive the machine). */
int aa_send_new(struct aa_send **out, const struct aa_send_options *o);
/* Frees the machine (NULL is fine). */
void aa_send_free(struct aa_send *q);

/*
 * Starts typing text (already trimmed), in->screen being the screen just
 * before: asks for the framed writes and the first echo check.  Returns
 * 0, AA_EAGAIN when the framed text does not fit in the input queue (the
 * agent is not reading; nothing is written), AA_EBUSY while a send is in
 * progress, AA_EINVAL or AA_ENOMEM.
 */
int aa_send_begin(struct aa_send *q, const struct aa_send_input *in,
    const char *text, size_t len, struct aa_send_step *st);
/*
 * Advances the machine with what the driver sees now.  Before the wake
 * time it asks for nothing new.  When the agent never reacts, the send
 * ends with AA_ENOREACT, or AA_EAGAIN if input is still queued (it did
 * not even read it).  Returns 0 or AA_ENOMEM (the send then ended).
 */
int aa_send_tick(struct aa_send *q, const struct aa_send_input *in,
    struct aa_send_step *st);
/* Reports that a write the last step asked for failed with err: ends the
 * send (AA_EEXITED stays, anything else is AA_EIO) with a log line. */
void aa_send_write_failed(struct aa_send *q, int err, struct aa_send_step *st);
/* Ends the send in progress, if any, without a step (stop, exit). */
void aa_send_cancel(struct aa_send *q);
/* Non-zero while a send is in progress. */
int aa_send_active(const struct aa_send *q);
/* The text of the send in progress, or of the last one ("" before the
 * first). */
const char *aa_send_text(const struct aa_send *q, size_t *lenp);

#endif /* AA_SEND_H */
