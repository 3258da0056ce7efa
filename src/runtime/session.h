/*
 * session.h - aa_session, one live agent: PTY + terminal + conversation.
 *
 * A session spawns the agent under a PTY on the caller's loop, feeds its
 * output to the terminal emulator, reads the screen (coalesced, a few ms
 * after output) into the conversation engine, and arms a timer only while
 * the screen is settling, so an idle agent costs no wakeups.  It types
 * user messages with agentapi's protocol (core.md §1.7, §2.7) as an
 * asynchronous state machine: a send in progress never blocks the loop,
 * and every wait has a deadline.  With a state file it loads the saved
 * conversation once the agent is ready, saves it crash-safely about a
 * second after changes and at stop, and never overwrites a file that
 * failed to load; each user message is journaled (fsync'd) before the
 * send reports success, so it survives a SIGKILL (runtime/store.h).
 *
 * The session's API is public: struct aa_session_options and the
 * aa_session_* functions are declared in include/agentapi.h, the one
 * source of truth.  This header adds what only the library and the
 * agentapi-c program use.
 *
 * Callbacks run on the loop.  The session may not be freed from inside
 * them except through aa_session_stop, which is always asynchronous.
 */
#ifndef AA_SESSION_H
#define AA_SESSION_H

#include <stddef.h>

#include <uv.h>

#include "agentapi.h"
#include "core/conv.h"
#include "core/health.h"

struct aa_log;
struct aa_prompt;
struct aa_queue;

/* aa_session_new, with the session's log lines going to log (copied;
 * NULL: silent) instead of o->log: the server hands its owner's logger
 * on this way, records with the function name in a field of their own
 * included (base/log.h). */
int aa_session_new_log(uv_loop_t *loop, struct aa_session **out,
    const struct aa_session_options *o, const struct aa_log *log,
    char **cause);

/* aa_session_new_log, with the agent started in the directory cwd
 * (NULL: ours): the host's sessions each have their own. */
int aa_session_new_cwd(uv_loop_t *loop, struct aa_session **out,
    const struct aa_session_options *o, const struct aa_log *log,
    const char *cwd, char **cause);

/* aa_session_new_log without an agent: the session of an agent that is
 * not running (the host brings one back this way when its type has no
 * resume flag).  Nothing is spawned; the conversation is loaded from the
 * state file at once; the session is exited from the start, so every
 * send is AA_EEXITED, and its stop saves and frees it. */
int aa_session_new_exited(uv_loop_t *loop, struct aa_session **out,
    const struct aa_session_options *o, const struct aa_log *log,
    char **cause);

/* Returns upstream's human text for a send error code (the HTTP API's
 * error message). */
const char *aa_session_send_error(int err);

/* Why the last save of the state file (or write of its journal) failed,
 * e.g. "saving state to /x/s.json: no space left on device"; NULL after
 * a successful save or without a state file.  For /status and the logs. */
const char *aa_session_save_error(const struct aa_session *s);

/* Called after every attempt to save the state file: err is 0 or the
 * AA_E* code, why the text of aa_session_save_error (NULL on success). */
typedef void (*aa_session_save_fn)(void *ud, int err, const char *why);
/* Sets (or with NULL clears) the save hook; the program uses it to exit
 * non-zero when the last save, the one at shutdown, failed. */
void aa_session_on_save(struct aa_session *s, aa_session_save_fn fn,
    void *ud);

/* ---- Parser health (core/health.h, runtime/watch.h) ---- */

/* The steering hook's bit for a change of the parser health. */
#define AA_SESSION_HEALTH 0x100u
/* Whether the agent's rules still fit its screen, and why not. */
const struct aa_health *aa_session_health(const struct aa_session *s);
/* Restarts the health with ready_grace ms (0: the default, 30 s) for the
 * ready marker; call it right after the session starts.  0 or AA_ENOMEM. */
int aa_session_set_health_grace(struct aa_session *s, int64_t ms);

/* ---- Steering (core/steer.h): what the API's control endpoints use ---- */

/* Called with the AA_STEER_* bits that changed (state, prompt, queue),
 * or AA_SESSION_HEALTH. */
typedef void (*aa_session_steer_fn)(void *ud, unsigned changes);
/* Sets the one steering hook (the server's: the opt-in events). */
void aa_session_on_steer(struct aa_session *s, aa_session_steer_fn fn,
    void *ud);
/* The prompt the agent waits on and since when (wall ns), or NULL. */
const struct aa_prompt *aa_session_prompt(const struct aa_session *s,
    int64_t *since_ns);
/* Types what chooses option idx of the waiting prompt; AA_ENOENT when
 * nothing waits, AA_EINVAL for an index out of range. */
int aa_session_answer(struct aa_session *s, size_t idx);
/* Non-zero when the agent set the cursor keys to application mode. */
int aa_session_app_cursor(const struct aa_session *s);
/* Non-zero when the agent is idle and nothing is being typed: a message
 * sent now would not wait. */
int aa_session_idle(const struct aa_session *s);
/* The message queue (read-only). */
const struct aa_queue *aa_session_queue(const struct aa_session *s);
/* Queues a user message (already trimmed) for the next idle moment;
 * aa_queue_push's codes. */
int aa_session_enqueue(struct aa_session *s, const char *text, size_t len,
    uint64_t *id);
/* Removes a queued message; AA_ENOENT when there is none. */
int aa_session_dequeue(struct aa_session *s, uint64_t id);

#endif /* AA_SESSION_H */
