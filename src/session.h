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
 * failed to load.
 *
 * Callbacks run on the loop.  The session may not be freed from inside
 * them except through aa_session_stop, which is always asynchronous.
 */
#ifndef AA_SESSION_H
#define AA_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "conv.h"

struct aa_agent;
struct aa_session;

/* Log levels for the injected logger (STYLE.md habit 16). */
enum aa_session_log_level {
	AA_SESSION_LOG_DEBUG,
	AA_SESSION_LOG_INFO,
	AA_SESSION_LOG_WARN,
	AA_SESSION_LOG_ERROR,
};

struct aa_session_options {
	int version; /* reserved, 0 */
	/* The agent command; argv[0] is looked up in PATH. */
	const char *const *argv;
	/* Formatting and readiness rules; NULL: aa_agent_for_command(argv[0]). */
	const struct aa_agent *agent;
	/* The agent's environment; NULL: the server's. */
	const char *const *env;
	/* TERM for the agent; NULL: "vt100" (as upstream). */
	const char *term;
	/* Terminal size; 0: 80 x 1000. */
	unsigned cols, rows;
	/* Quiet time before the screen counts as stable; 0: 2000 ms. */
	unsigned stability_ms;
	/* Snapshot interval the stability threshold is counted in; 0: 25. */
	unsigned interval_ms;
	/* Prompt sent once the agent is ready (trimmed); NULL or "": none. */
	const char *initial_prompt;
	/* State file; load/save flags only matter when it is set. */
	const char *state_file;
	int load_state, save_state;
	/* Send-pipeline deadlines in ms (0: the upstream values). */
	unsigned echo_timeout_ms;    /* phase 1: 2000 */
	unsigned echo_settle_ms;     /* phase 1 settle re-check: 1000 */
	unsigned process_timeout_ms; /* phase 2: 15000 */
	unsigned cr_retry_ms;        /* phase 2 "\r" re-send: 3000 */
	/* Debounce of state saves in ms; 0: 1000. */
	unsigned save_delay_ms;
	/* Grace between SIGINT and SIGKILL at stop; 0: 5000 ms. */
	unsigned stop_timeout_ms;

	/* Logger; NULL: silent.  msg is one line without "\n". */
	void (*log)(void *ud, int level, const char *msg);
	/* A message was appended (is_new) or its last version changed. */
	void (*on_message)(void *ud, const struct aa_message *m, int is_new);
	/* The internal status changed. */
	void (*on_status)(void *ud, enum aa_conv_status status);
	/* The screen text changed; text is valid during the call only. */
	void (*on_screen)(void *ud, const char *text, size_t len);
	/* An agent_error event (AA_CONV_LEVEL_*), e.g. a state-load warning. */
	void (*on_error)(void *ud, int level, const char *text);
	/* The agent exited and its output was drained (the final screen). */
	void (*on_exit)(void *ud, int wait_status);
	void *ud;
};

/* Completion of a send: err is 0 or an AA_E* code. */
typedef void (*aa_session_send_cb)(void *ud, int err);
/* Completion of aa_session_stop: everything has been freed. */
typedef void (*aa_session_stop_cb)(void *ud);

/*
 * Spawns the agent and starts tracking its screen.  On failure returns a
 * negative code and, if cause is not NULL, a malloc'd text in *cause
 * ("agent \"x\" not found in PATH").
 */
int aa_session_new(uv_loop_t *loop, struct aa_session **out,
    const struct aa_session_options *o, char **cause);

/*
 * Types a user message (WS6-trimmed first) into the agent.  Returns 0 and
 * later calls cb exactly once with 0, AA_ENOREACT (the agent did not start
 * processing in time), AA_EEXITED or AA_ECANCELED (stopped); or returns
 * AA_EEMPTY, AA_EBUSY (not stable, or a send in progress) or AA_EEXITED
 * at once without calling cb.
 */
int aa_session_send_user(struct aa_session *s, const char *text, size_t len,
    aa_session_send_cb cb, void *ud);
/* Writes bytes to the agent unchanged and unrecorded (http "raw"). */
int aa_session_send_raw(struct aa_session *s, const void *bytes, size_t len);
/* Returns upstream's human text for a send error code. */
const char *aa_session_send_error(int err);

/* Returns the internal status. */
enum aa_conv_status aa_session_status(const struct aa_session *s);
/* Returns "running" or "stable", as the HTTP API shows it. */
const char *aa_session_status_name(const struct aa_session *s);
/* Returns the number of messages (at least 1). */
size_t aa_session_message_count(const struct aa_session *s);
/* Returns message i (i < count), owned by the session. */
const struct aa_message *aa_session_message(const struct aa_session *s,
    size_t i);
/* Returns the current screen text (rows ending in "\n"). */
const char *aa_session_screen(const struct aa_session *s, size_t *lenp);
/* Returns the canonical agent type name ("claude", "custom", ...). */
const char *aa_session_agent_name(const struct aa_session *s);
/* Returns the agent's pid. */
int aa_session_pid(const struct aa_session *s);
/* Returns non-zero once the agent has exited and its output drained. */
int aa_session_exited(const struct aa_session *s);
/* Returns the agent's wait status once exited, else -1. */
int aa_session_exit_status(const struct aa_session *s);

/* Resizes the terminal and the PTY (cols, rows >= 10). */
int aa_session_resize(struct aa_session *s, unsigned cols, unsigned rows);
/* Sends Ctrl-C (0x03) to the agent, as a user at its terminal would. */
int aa_session_interrupt(struct aa_session *s);
/*
 * Saves the state file now if saving is allowed and something changed
 * (SIGUSR1).  Returns 0 (also when there was nothing to do) or an error.
 */
int aa_session_save_state(struct aa_session *s);
/*
 * Stops gracefully (core.md §1.8), always asynchronously, so it may be
 * called from any of the session's callbacks: on the next loop turn a
 * pending send completes with AA_ECANCELED, the state is saved, the agent
 * gets SIGINT (to its pid), SIGKILL to its group after stop_timeout_ms;
 * once it has exited (or 1 s after SIGKILL) every handle is closed, the
 * session is freed, then cb(ud) is called.  From the call on, sends are
 * refused with AA_EEXITED and on_exit is not called.  A second call is a
 * no-op.
 */
void aa_session_stop(struct aa_session *s, aa_session_stop_cb cb, void *ud);

/*
 * Reads an initial prompt from fd when it is not a terminal (http.md
 * §9.5), without hanging: at most max bytes (AA_E2BIG beyond), giving up
 * waiting for end of input after timeout_ms (what arrived is kept).
 * Returns 0 with *out malloc'd (NULL when fd is a terminal or gave
 * nothing), or an error with *cause malloc'd.
 */
int aa_session_read_stdin_prompt(int fd, size_t max, unsigned timeout_ms,
    char **out, size_t *lenp, char **cause);

#endif /* AA_SESSION_H */
