/*
 * health.h - aa_health, whether the agent's rules still fit its screen.
 *
 * Agents change their screens every few weeks; when a rule stops
 * matching, the conversation goes on with the generic formatting, or the
 * status sticks at running, and nobody is told.  This tracker says so:
 * fed what the session sees on each screen and at the end of each turn,
 * it keeps a health, ok or degraded, and the reasons for it.  Each reason
 * has a stable short code and a sentence for people, and goes away by
 * itself when its condition clears:
 *
 *   ready_marker_missing  the agent's ready marker (its input box) has not
 *                         been recognised for ready_grace_ms since start,
 *                         or, once seen, for that long while the turn is
 *                         over and no busy marker shows;
 *   echo_missing          the echo of the last sent message was not found
 *                         in the turn's screen;
 *   generic_fallback      the last turn's text matched none of the agent's
 *                         input-box rules (aa_agent_format_info.box is
 *                         AA_RESIDUE_NONE for an agent with rules of its
 *                         own): it came out formatted generically;
 *   unknown_activity      after the turn should have ended (the caller's
 *                         turn_over: input box back), the screen kept
 *                         changing for churn_grace_ms without a quiet gap
 *                         of quiet_ms and without a known busy marker;
 *   state_save_failed     the last attempt to save the state file failed
 *                         (aa_health_save); it clears on the next save
 *                         that succeeds.
 *
 * Pure: no clock, no loop; the caller passes mono milliseconds, calls
 * aa_health_tick on each new screen and aa_health_advance when the timer
 * for aa_health_next_deadline fires.
 */
#ifndef AA_HEALTH_H
#define AA_HEALTH_H

#include <stddef.h>
#include <stdint.h>

enum aa_health_code {
	AA_HEALTH_READY_MARKER_MISSING = 0,
	AA_HEALTH_ECHO_MISSING,
	AA_HEALTH_GENERIC_FALLBACK,
	AA_HEALTH_UNKNOWN_ACTIVITY,
	AA_HEALTH_SAVE_FAILED,
	AA_HEALTH_NCODES
};

struct aa_health_options {
	int version;		/* reserved, 0 */
	int64_t ready_grace_ms;	/* 0 means 30000 */
	int64_t churn_grace_ms;	/* 0 means 30000 */
	int64_t quiet_ms;	/* 0 means 2000 (the stability window) */
};

/* What one screen shows (aa_health_tick). */
struct aa_health_screen {
	int changed;	/* differs from the screen before */
	int ready;	/* the agent's ready marker / input box is recognised */
	int busy;	/* a known busy marker is on screen */
	int turn_over;	/* by the agent's signs the turn should be over */
};

/* How a finished turn's text was found (aa_health_turn). */
struct aa_health_turn {
	int echo;	/* 1: echo found; 0: not found; -1: nothing was sent */
	int generic;	/* the text matched none of the agent's box rules */
};

/* One reason for a degraded health. */
struct aa_health_reason {
	enum aa_health_code code;
	const char *name;	/* "ready_marker_missing", ... */
	const char *message;	/* a sentence for people */
};

struct aa_health;

/* Creates a tracker, healthy, started at now_ms.  0 or AA_ENOMEM/EINVAL. */
int aa_health_new(struct aa_health **out, const struct aa_health_options *o,
    int64_t now_ms);
/* Frees the tracker (NULL is fine). */
void aa_health_free(struct aa_health *h);
/* Feeds a screen seen at now_ms; 1 if the reasons changed, else 0. */
int aa_health_tick(struct aa_health *h, int64_t now_ms,
    const struct aa_health_screen *s);
/* Time passes with no new screen; 1 if the reasons changed, else 0. */
int aa_health_advance(struct aa_health *h, int64_t now_ms);
/* Mono time at which a reason could change with no new screen, or -1. */
int64_t aa_health_next_deadline(const struct aa_health *h);
/* A turn has ended; 1 if the reasons changed, else 0. */
int aa_health_turn(struct aa_health *h, int64_t now_ms,
    const struct aa_health_turn *t);
/* A state save ended: why it failed (the reason's sentence, cut to 159
 * bytes), or NULL when it succeeded; 1 if the reasons changed, else 0. */
int aa_health_save(struct aa_health *h, const char *why);

/* 1 when there is no reason, else 0. */
int aa_health_ok(const struct aa_health *h);
/* "ok" or "degraded". */
const char *aa_health_name(const struct aa_health *h);
/* Number of reasons, in the order of enum aa_health_code. */
size_t aa_health_count(const struct aa_health *h);
/* Reason i (valid until the next call that changes them), or NULL. */
const struct aa_health_reason *aa_health_reason(const struct aa_health *h,
    size_t i);
/* The short code's name, or NULL out of range. */
const char *aa_health_code_name(enum aa_health_code c);

#endif /* AA_HEALTH_H */
