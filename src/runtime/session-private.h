/*
 * session-private.h - what the files of aa_session share and nobody else
 * sees.
 *
 * The session is one module split by concept: session.c (creation, the
 * send, the agent's exit, the stop and the accessors), session-track.c
 * (output to screen to conversation: the read and settle timers),
 * session-steer.c (the user-facing state, prompts, keys and the queue)
 * and session-state.c (the state file, its journal and the save timer).
 * They all work on struct aa_session, so it is defined here instead of
 * in session.c; outside src/runtime it stays opaque.
 */
#ifndef AA_SESSION_PRIVATE_H
#define AA_SESSION_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "base/buf.h"
#include "base/log.h"
#include "core/agent.h"
#include "core/conv.h"
#include "core/steer.h"
#include "runtime/session.h"

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
	int queued;		/* this send came from the queue */
	aa_session_send_cb cb;
	void *ud;
};

/*
 * Keys written in steps a pause apart (session-steer.c): some TUIs read
 * a burst as one event and drop what follows (opencode takes no Enter in
 * the read that moved its selection, and needs Esc twice to stop a
 * turn).  Bounded: AA__KEYS_STEPS steps, AA__KEYS_BYTES bytes.
 */
#define AA__KEYS_STEPS 8
#define AA__KEYS_BYTES 256
#define AA__KEYS_GAP_MS 120
struct session_keys {
	char bytes[AA__KEYS_BYTES];	/* the due steps, back to back */
	size_t len[AA__KEYS_STEPS];
	size_t n;			/* steps due */
	size_t used;			/* bytes used */
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
	uv_timer_t keys_timer;	 /* the next step of paced keys */
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
	int steering;		/* inside aa__session_steer: no re-entry */
	struct session_keys keys;	/* paced keys still due */
	aa_session_steer_fn steer_fn;
	void *steer_ud;

	struct aa_watch *watch;	/* parser health (runtime/watch.h) */
	int screen_new;		/* a new screen the watch has not seen */
};

#define SLOG(s, lvl, ...) AA_LOG(&(s)->log, (lvl), __VA_ARGS__)

/* session.c: the send. */
/* Starts typing text; prompt marks the initial prompt.  0 or an error. */
int aa__session_send_start(struct aa_session *s, const char *text,
    size_t len, int prompt, aa_session_send_cb cb, void *ud);

/* session-track.c: output to screen to conversation. */
/* Reads the loop's monotonic time (refreshed) and the wall clock. */
void aa__session_now(struct aa_session *s, struct aa_time *t);
/* Renders the screen if output arrived since the last read; 0 or
 * AA_ENOMEM. */
int aa__session_refresh(struct aa_session *s);
/* Reads the screen and feeds it to the conversation (§2.4). */
void aa__session_tick(struct aa_session *s);
/* The pty's on_data: feeds the emulator, schedules a screen read. */
void aa__session_on_data(void *ud, const char *buf, size_t n);
/* The settle timer's callback: a tick. */
void aa__session_settle_cb(uv_timer_t *t);

/* session-steer.c: the user-facing state and the queue. */
/* Recomputes the state, types the next queued message when idle. */
void aa__session_steer(struct aa_session *s);
/* The descriptor's prompt_answer as the prompt module's enum. */
enum aa_prompt_answer aa__session_answer_style(const struct aa_agent *a);

/* session-state.c: the state file. */
/* Loads the state file once the conversation asks for it (§5.3). */
void aa__session_load(struct aa_session *s);
/* Writes the state file if wanted and changed; 0 or an error. */
int aa__session_save(struct aa_session *s, const char *why);
/* Writes n steps (lens[i] bytes each, back to back in bytes) to the
 * agent, the first now and each next one AA__KEYS_GAP_MS later. */
int aa__session_send_steps(struct aa_session *s, const char *bytes,
    const size_t *lens, size_t n);
void aa__session_keys_cb(uv_timer_t *t);
/* Saves at once because the queue changed (see session-state.c). */
int aa__session_save_queue(struct aa_session *s, const char *why);
/* Makes the user message just recorded durable (journal or save). */
void aa__session_journal(struct aa_session *s, int prompt);
/* Arms the save debounce if there is something to save. */
void aa__session_schedule_save(struct aa_session *s);

#endif
