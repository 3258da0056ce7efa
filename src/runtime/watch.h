/*
 * watch.h - aa_watch, the session's parser health (core/health.h) wired
 * to what the session sees.
 *
 * The session owns one watch and tells it three things: each screen it
 * reads (with the conversation's status, whether a send runs, whether
 * the agent waits on a prompt), each state save's outcome, and, by
 * formatting agent messages through aa_watch_format, how each turn's
 * text was found.  The watch derives the screen's flags (ready marker,
 * busy marker, turn over), feeds aa_health, notices the end of a turn
 * (the status settling after a user message) and logs one line each time
 * the health changes.  It owns no timer: the session arms its settle
 * timer for aa_watch_next_deadline too.
 */
#ifndef AA_WATCH_H
#define AA_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/log.h"
#include "core/agent.h"
#include "core/health.h"

/* What the session saw at one tick. */
struct aa_watch_tick {
	int64_t now_ms;		/* mono */
	const char *screen;
	size_t len;
	int changed;		/* a new screen since the last tick */
	int stable;		/* the conversation's status is stable */
	int sending;		/* a send is in progress */
	int waiting;		/* the agent waits on a prompt */
};

struct aa_watch;

/* Creates a watch for agent, healthy at now_ms; ready_grace_ms 0 is the
 * default (core/health.h).  log is copied.  0 or AA_ENOMEM. */
int aa_watch_new(struct aa_watch **out, const struct aa_agent *agent,
    int64_t ready_grace_ms, const struct aa_log *log, int64_t now_ms);
/* Frees the watch (NULL is fine). */
void aa_watch_free(struct aa_watch *w);
/* The conversation's format hook: aa_agent_format, remembering how the
 * text was found; the output is aa_agent_format's. */
int aa_watch_format(struct aa_watch *w, const char *msg, size_t len,
    const char *user, size_t ulen, struct aa_buf *out,
    struct aa_buf *tool_calls);
/* Feeds one tick; 1 if the health's reasons changed, else 0. */
int aa_watch_tick(struct aa_watch *w, const struct aa_watch_tick *t);
/* A state save ended: why it failed, or NULL; 1 if the reasons changed. */
int aa_watch_saved(struct aa_watch *w, const char *why);
/* Mono time at which the health could change with no new screen, or -1. */
int64_t aa_watch_next_deadline(const struct aa_watch *w);
/* The health (valid as long as the watch). */
const struct aa_health *aa_watch_health(const struct aa_watch *w);

#endif /* AA_WATCH_H */
