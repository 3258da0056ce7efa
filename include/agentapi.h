/*
 * agentapi.h - the embeddable agentapi-c library.
 *
 * agentapi-c runs a terminal coding agent under a PTY, emulates its screen
 * in memory, turns the screen into a conversation of user and agent
 * messages plus a running/stable status, and serves it over HTTP + SSE.
 * The library offers that at two levels, both on the caller's libuv loop:
 *
 *   - a session (struct aa_session): spawn an agent, be told of message,
 *     status and screen changes through callbacks, send user messages or
 *     raw bytes, read the messages, status and screen, resize, stop;
 *   - a server (struct aa_server): a session plus agentapi's HTTP/SSE API
 *     on a TCP port.  The agentapi-c program is a thin user of it;
 *   - a host (struct aa_host): many sessions behind one HTTP server on a
 *     unix socket (and loopback TCP if asked), each with agentapi's API
 *     under /sessions/{id}, started over HTTP, MCP or from the embedder,
 *     kept across restarts.  `agentapi-c host` is a thin user of it.
 *
 * Conventions (libuv's): every object is opaque; constructors are
 * aa_x_new(loop, &out, options, &cause) returning 0 or a negative AA_E*
 * code, with a malloc'd human-readable *cause (free() it) when cause is
 * not NULL; objects that own loop handles end with an asynchronous
 * aa_x_stop(x, cb, ud), which frees them and then calls cb (the host,
 * made by aa_host_new and started by aa_host_start, is freed by
 * aa_host_free after its stop's cb, so its getters stay usable).  Options
 * structs are zero-initialised for defaults.  Callbacks run on the loop
 * thread.  The library keeps no global state, never writes to stdout or
 * stderr (log lines go to the injected logger) and never exits the
 * process.  Nothing here is thread-safe: use an object from its loop's
 * thread only.
 *
 * ABI rules.  The shared library's soname (libagentapi.so.0) changes only
 * when an existing function or type changes incompatibly; new functions
 * and new enum values may be added without changing it, and existing enum
 * values are never renumbered.  Options structs are allocated by the
 * caller, so their layout is part of the ABI: a struct's layout never
 * changes while its version field keeps the same value.  The version of
 * the layout in this header is 0 (AA_*_OPTIONS_VERSION), which is what a
 * zero-initialised struct says.  A release that needs new options appends
 * the fields, defines a new version number, and still reads structs of
 * every older version with their older layout, so a program built against
 * an older header keeps working.  A library older than the header a
 * program was built with rejects the unknown version with AA_EINVAL
 * rather than misreading memory.  struct aa_server_options embeds the
 * session and API options, so its version covers theirs: a change to
 * either bumps AA_SERVER_OPTIONS_VERSION as well.  Structs the library
 * hands out (struct aa_message) may only grow at the end; callers never
 * allocate or copy them by value.
 */
#ifndef AGENTAPI_H
#define AGENTAPI_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(AA_BUILDING_LIBRARY)
#define AA_EXTERN __attribute__((visibility("default")))
#else
#define AA_EXTERN
#endif

#define AA_VERSION_MAJOR 0
#define AA_VERSION_MINOR 13
#define AA_VERSION_PATCH 0
#define AA_VERSION_STRING "0.13.0"
#define AA_VERSION_HEX                                                         \
	((AA_VERSION_MAJOR << 16) | (AA_VERSION_MINOR << 8) | AA_VERSION_PATCH)

/*
 * Error codes.  Where an errno value fits it is used, negated; the codes
 * below -4000 are our own.
 */
#define AA_ENOMEM (-ENOMEM)
#define AA_EINVAL (-EINVAL)
#define AA_ENOENT (-ENOENT)
#define AA_EIO (-EIO)
#define AA_EAGAIN (-EAGAIN)
#define AA_ETIMEDOUT (-ETIMEDOUT)
#define AA_ECANCELED (-ECANCELED)
#define AA_E2BIG (-E2BIG)
#define AA_EBUSY (-4001)     /* the agent is not waiting for user input */
#define AA_EEMPTY (-4002)    /* the message is empty */
#define AA_EUNTRIMMED (-4003) /* the message has surrounding whitespace */
#define AA_EEXITED (-4004)   /* the agent has exited */
#define AA_ENOREACT (-4005)  /* the agent did not react to the message */
#define AA_ECORRUPT (-4006)  /* a state file could not be decoded */
#define AA_EVERSION (-4007)  /* a state file has an unsupported version */

/* Returns a static, human-readable text for an AA_E* code. */
AA_EXTERN const char *aa_strerror(int err);

/* Returns the library's version as a string such as "0.13.0". */
AA_EXTERN const char *aa_version_string(void);

/* Returns the library's version as AA_VERSION_HEX. */
AA_EXTERN unsigned int aa_version(void);

/* libuv's loop (uv_loop_t); declared here so that this header does not
 * need <uv.h> and its feature-test macros. */
struct uv_loop_s;

/* Levels of the injected logger (STYLE.md habit 16). */
enum aa_log_level {
	AA_LOG_DEBUG,
	AA_LOG_INFO,
	AA_LOG_WARN,
	AA_LOG_ERROR
};

/* A logger: msg is one line without "\n", prefixed with "function: ". */
typedef void (*aa_log_fn)(void *ud, int level, const char *msg);

/*
 * The conversation's status.  The HTTP API shows INITIALIZING and
 * CHANGING as "running" and STABLE as "stable"; only a stable agent
 * accepts a user message.
 */
enum aa_conv_status {
	AA_CONV_INITIALIZING, /* the agent has not shown its prompt yet */
	AA_CONV_CHANGING,     /* the screen changed recently */
	AA_CONV_STABLE	      /* the screen has been quiet long enough */
};

/* What the agent is doing, as its user sees it; finer than the status,
 * which stays running/stable as upstream shows it. */
enum aa_agent_state {
	AA_STATE_STARTING,    /* not ready for input yet */
	AA_STATE_IDLE,        /* ready, nothing to do */
	AA_STATE_WORKING,     /* busy with a turn (or being typed to) */
	AA_STATE_WAITING,     /* asking the user: a permission, a choice */
	AA_STATE_EXITED       /* the agent is gone */
};

/* Who wrote a message. */
enum aa_role {
	AA_ROLE_AGENT,
	AA_ROLE_USER
};

/* Levels of on_error reports (agentapi's agent_error "level"). */
enum aa_conv_level {
	AA_CONV_LEVEL_ERROR,
	AA_CONV_LEVEL_WARNING
};

/*
 * One message of the conversation.  Messages are numbered from 0 (id is
 * the index); message 0 is the agent's start-up screen.  The last agent
 * message changes while the agent is working.  text is NUL-terminated and
 * len excludes the NUL; time_ns is the wall time of its last change.
 */
struct aa_message {
	int64_t id;
	enum aa_role role;
	const char *text;
	size_t len;
	int64_t time_ns;
};

/* ---- Session: one agent under a PTY ---------------------------------- */

struct aa_session;

/* The value of aa_session_options.version this header describes. */
#define AA_SESSION_OPTIONS_VERSION 0

/*
 * How to run the agent.  Only argv is required; every other field has a
 * default when zero.  The strings and arrays are only read during
 * aa_session_new: the caller may free them once it returns.
 */
struct aa_session_options {
	int version; /* AA_SESSION_OPTIONS_VERSION (0) */
	/* The agent command, NULL-terminated; argv[0] is looked up in PATH. */
	const char *const *argv;
	/* Agent type for formatting and readiness ("claude", "goose", ...,
	 * "custom", or an alias); NULL: the type whose alias is argv[0],
	 * else "custom".  An unknown name is AA_EINVAL. */
	const char *agent_type;
	/* The agent's environment, NULL-terminated; NULL: the caller's. */
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
	/* State file (agentapi's format); NULL: none.  The conversation is
	 * loaded from it once the agent is ready if load_state is set, and
	 * saved to it about a second after changes and at stop if
	 * save_state is set. */
	const char *state_file;
	int load_state, save_state;
	/* Send-pipeline deadlines in ms (0: the upstream values). */
	unsigned echo_timeout_ms;    /* phase 1: 2000 */
	unsigned echo_settle_ms;     /* phase 1 settle re-check: 1000 */
	unsigned process_timeout_ms; /* phase 2: 15000 */
	unsigned cr_retry_ms;	     /* phase 2 "\r" re-send: 3000 */
	/* Debounce of state saves in ms; 0: 1000. */
	unsigned save_delay_ms;
	/* Grace between SIGINT and SIGKILL at stop; 0: 5000 ms. */
	unsigned stop_timeout_ms;

	/* Logger; NULL: silent. */
	aa_log_fn log;
	/* A message was appended (is_new) or its text changed; m is valid
	 * during the call only. */
	void (*on_message)(void *ud, const struct aa_message *m, int is_new);
	/* The status changed. */
	void (*on_status)(void *ud, enum aa_conv_status status);
	/* The screen text changed; text is valid during the call only. */
	void (*on_screen)(void *ud, const char *text, size_t len);
	/* A problem to show to users (level is AA_CONV_LEVEL_*), e.g. a
	 * state file that could not be loaded. */
	void (*on_error)(void *ud, int level, const char *text);
	/* The agent exited on its own and its output was drained (the
	 * screen is final); the owner usually calls aa_session_stop. */
	void (*on_exit)(void *ud, int wait_status);
	/* Passed to every callback above. */
	void *ud;
};

/* Completion of a send: err is 0 or an AA_E* code. */
typedef void (*aa_session_send_cb)(void *ud, int err);
/* Completion of aa_session_stop: the session has been freed. */
typedef void (*aa_session_stop_cb)(void *ud);

/*
 * Spawns the agent under a PTY on loop and starts tracking its screen.
 * On failure returns a negative code and, if cause is not NULL, a
 * malloc'd text in *cause ("agent \"x\" not found in PATH").
 */
AA_EXTERN int aa_session_new(struct uv_loop_s *loop, struct aa_session **out,
    const struct aa_session_options *o, char **cause);

/*
 * Types a user message (whitespace-trimmed first) into the agent with
 * agentapi's protocol.  Returns 0 and later calls cb exactly once with 0,
 * AA_ENOREACT (typed, and recorded as the user message, but the agent did
 * not start processing in time), AA_EEXITED or AA_ECANCELED (stopped); or
 * returns AA_EEMPTY, AA_EBUSY (not stable, or a send in progress),
 * AA_EAGAIN (the agent is not reading its input: its input queue is full)
 * or AA_EEXITED at once without calling cb.
 */
AA_EXTERN int aa_session_send_user(struct aa_session *s, const char *text,
    size_t len, aa_session_send_cb cb, void *ud);
/* Writes bytes to the agent unchanged and unrecorded (keys, Ctrl-C...);
 * AA_EAGAIN when they do not fit in the agent's full input queue (the
 * agent is not reading), AA_E2BIG when they never could. */
AA_EXTERN int aa_session_send_raw(struct aa_session *s, const void *bytes,
    size_t len);

/* Returns the status. */
AA_EXTERN enum aa_conv_status aa_session_status(const struct aa_session *s);
/* Returns "running" or "stable", as the HTTP API shows the status. */
AA_EXTERN const char *aa_session_status_name(const struct aa_session *s);
/* Returns the number of messages (at least 1). */
AA_EXTERN size_t aa_session_message_count(const struct aa_session *s);
/* Returns message i (i < count), valid until the loop runs again. */
AA_EXTERN const struct aa_message *aa_session_message(
    const struct aa_session *s, size_t i);
/* Returns the screen text (rows ending in "\n"), valid until the loop
 * runs again; *lenp gets its length if lenp is not NULL. */
AA_EXTERN const char *aa_session_screen(const struct aa_session *s,
    size_t *lenp);
/* Returns the canonical agent type name ("claude", "custom", ...). */
AA_EXTERN const char *aa_session_agent_name(const struct aa_session *s);
/* Returns the agent's pid. */
AA_EXTERN int aa_session_pid(const struct aa_session *s);
/* Returns non-zero once the agent has exited and its output drained. */
AA_EXTERN int aa_session_exited(const struct aa_session *s);
/* Returns the agent's wait status once exited, else -1. */
AA_EXTERN int aa_session_exit_status(const struct aa_session *s);

/* Resizes the terminal and the PTY (cols, rows >= 10). */
AA_EXTERN int aa_session_resize(struct aa_session *s, unsigned cols,
    unsigned rows);
/* Stops the agent's current turn without quitting it: presses its
 * interrupt key (Esc for most TUIs, Ctrl-C for others) as a user would. */
AA_EXTERN int aa_session_interrupt(struct aa_session *s);
/*
 * Steering (beyond upstream).  The state says what the agent is doing for
 * its user; while it is AA_STATE_WAITING the agent asks a question
 * (a permission, a trust or sign-in dialog, a y/n) whose options can be
 * read and answered.  Messages may be queued for the next idle moment.
 */
/* Returns the agent's state. */
AA_EXTERN enum aa_agent_state aa_session_state(const struct aa_session *s);
/* "starting", "idle", "working", "waiting" or "exited". */
AA_EXTERN const char *aa_agent_state_name(enum aa_agent_state st);
/* While waiting: returns the question and sets *kind ("permission",
 * "choice", "confirm", "trust", "login" or "text") and *noptions; NULL
 * when nothing waits.  Valid until the loop runs again. */
AA_EXTERN const char *aa_session_prompt_question(const struct aa_session *s,
    const char **kind, size_t *noptions);
/* While waiting: option i's key ("1", "y") and, if label is not NULL,
 * its label; NULL for no such option. */
AA_EXTERN const char *aa_session_prompt_option(const struct aa_session *s,
    size_t i, const char **label);
/* Chooses an option by key or label (case ignored, a unique prefix will
 * do), typing what the agent's dialog needs.  AA_ENOENT when nothing
 * waits, AA_EINVAL for an unknown option. */
AA_EXTERN int aa_session_answer_option(struct aa_session *s,
    const char *option);
/* Presses named keys ("enter", "esc", "shift-tab", "ctrl-c", "f5"...);
 * AA_EINVAL (nothing typed) when a name is unknown. */
AA_EXTERN int aa_session_keys(struct aa_session *s, const char *const *keys,
    size_t n);
/* Queues a user message for when the agent is idle; *id (if not NULL)
 * gets its id.  AA_EEMPTY, AA_EAGAIN (the queue is full), AA_E2BIG (its
 * bytes would pass the bound), AA_EEXITED. */
AA_EXTERN int aa_session_queue_push(struct aa_session *s, const char *text,
    size_t len, uint64_t *id);
/* Removes a queued message; AA_ENOENT when there is none. */
AA_EXTERN int aa_session_queue_remove(struct aa_session *s, uint64_t id);
/* Returns the number of queued messages. */
AA_EXTERN size_t aa_session_queue_count(const struct aa_session *s);
/* Returns queued message i's text (and *id, *lenp if not NULL), NULL past
 * the end; valid until the loop runs again. */
AA_EXTERN const char *aa_session_queue_item(const struct aa_session *s,
    size_t i, uint64_t *id, size_t *lenp);

/* Saves the state file now if saving is enabled and something changed;
 * returns 0 (also when there was nothing to do) or an error. */
AA_EXTERN int aa_session_save_state(struct aa_session *s);
/*
 * Stops gracefully and frees the session, always asynchronously, so it
 * may be called from any of the session's callbacks: on the next loop
 * turn a pending send completes with AA_ECANCELED, the state is saved,
 * the agent gets SIGINT, and SIGKILL (to its process group) after
 * stop_timeout_ms; once it has exited every handle is closed, the session
 * is freed, then cb(ud) runs (cb may be NULL).  From the call on, sends
 * are refused with AA_EEXITED and on_exit is not called.  A second call
 * is ignored.  The loop must run until cb has been called.
 */
AA_EXTERN void aa_session_stop(struct aa_session *s, aa_session_stop_cb cb,
    void *ud);

/* ---- Server: a session plus agentapi's HTTP/SSE API ------------------ */

struct aa_server;

/* The value of aa_api_options.version this header describes. */
#define AA_API_OPTIONS_VERSION 0
/* The value of aa_server_options.version this header describes. */
#define AA_SERVER_OPTIONS_VERSION 0

/* Where and for whom the HTTP API listens (agentapi's server flags). */
struct aa_api_options {
	int version;		      /* AA_API_OPTIONS_VERSION (0) */
	const char *const *addrs;     /* NULL: 127.0.0.1 and ::1 */
	size_t naddrs;
	int port;		      /* 0: any free port (aa_server_port) */
	/* Host header allow-list; NULL: agentapi's default. */
	const char *const *allowed_hosts;
	size_t nallowed_hosts;
	/* CORS Origin allow-list; NULL: agentapi's default. */
	const char *const *allowed_origins;
	size_t nallowed_origins;
	const char *auth_token;	      /* NULL or "": no token required */
	const char *chat_base_path;   /* NULL: "/chat"; "" or "/": root */
	const char *upload_parent;    /* NULL: $TMPDIR or /tmp */
};

/* The server's options; zero-initialised means defaults. */
struct aa_server_options {
	int version; /* AA_SERVER_OPTIONS_VERSION (0) */
	/* The agent.  Its on_message, on_status, on_screen and on_error
	 * callbacks, if set, are called (with session.ud) after the server
	 * has published the change; session.log and session.on_exit are
	 * ignored in favour of the fields below. */
	struct aa_session_options session;
	/* The HTTP API. */
	struct aa_api_options api;
	/* The agent exited on its own (after its output drained and the
	 * state was saved); the owner usually calls aa_server_stop. */
	void (*on_exit)(void *ud, int wait_status);
	/* Logger for the session and the API; NULL: silent. */
	aa_log_fn log;
	void *ud;
};

/* Completion of aa_server_stop: the server has been freed. */
typedef void (*aa_server_stop_cb)(void *ud);

/*
 * Opens the API (validating the host and origin lists and binding the
 * port first, so a bad configuration never starts the agent), then starts
 * the agent.  On failure *cause (if cause is not NULL) says why.
 */
AA_EXTERN int aa_server_new(struct uv_loop_s *loop, struct aa_server **out,
    const struct aa_server_options *o, char **cause);
/*
 * Stops gracefully: saves the state, ends the agent (SIGINT, then SIGKILL
 * after the stop timeout), closes the API and its streams; done(ud) runs
 * when everything is freed (done may be NULL).  Asynchronous; safe from
 * any callback; repeated calls are ignored.
 */
AA_EXTERN void aa_server_stop(struct aa_server *s, aa_server_stop_cb done,
    void *ud);
/* Saves the state file now (as SIGUSR1 does for the program). */
AA_EXTERN int aa_server_save_state(struct aa_server *s);
/* Returns the TCP port the API listens on. */
AA_EXTERN int aa_server_port(const struct aa_server *s);
/* Returns the server's session, for reading its status, messages and
 * screen or sending to it; NULL once the server has stopped it. */
AA_EXTERN struct aa_session *aa_server_session(struct aa_server *s);

/* ---- Host: many sessions behind one HTTP server ---------------------- */

struct aa_host;

/* The value of aa_host_options.version this header describes. */
#define AA_HOST_OPTIONS_VERSION 0
/* The value of aa_host_session_options.version this header describes. */
#define AA_HOST_SESSION_OPTIONS_VERSION 0
/* Bytes of a session id with its NUL: 16 hex digits ("9f2c4b1e0a7d3c55"). */
#define AA_HOST_ID_SIZE 17

/* What happened to a session (aa_host_options.on_session). */
enum aa_host_event {
	AA_HOST_SESSION_ADDED,	 /* started (by anyone) or brought back */
	AA_HOST_SESSION_CHANGED, /* its status, state, prompt or queue */
	AA_HOST_SESSION_EXITED,	 /* its agent exited; it stays listed */
	AA_HOST_SESSION_REMOVED	 /* off the list: deleted, or the host stops */
};

/*
 * The host's options; zero-initialised means defaults, but socket_path
 * and state_dir are required.  The strings and arrays are only read
 * during aa_host_new: the caller may free them once it returns.
 */
struct aa_host_options {
	int version; /* AA_HOST_OPTIONS_VERSION (0) */
	/* The unix socket.  Its directory is created with mode 0700 (one
	 * that exists must be ours and private); a stale socket of ours is
	 * replaced, anything else there stops the start.  Peers of another
	 * uid are refused. */
	const char *socket_path;
	/* sessions.json (the session list, brought back by the next host on
	 * the same folder) and the sessions' state files. */
	const char *state_dir;
	/* Non-zero: listen on TCP as well, where every route needs the
	 * bearer token. */
	int tcp;
	int port;		      /* with tcp: 0 is any free port */
	const char *const *addrs;     /* NULL: 127.0.0.1 and ::1 */
	size_t naddrs;
	/* With tcp: the token; NULL or "": 32 random bytes in hex
	 * (aa_host_token). */
	const char *auth_token;
	/* Host header and CORS Origin allow-lists; NULL: agentapi's. */
	const char *const *allowed_hosts;
	size_t nallowed_hosts;
	const char *const *allowed_origins;
	size_t nallowed_origins;
	/* At most this many sessions (more is AA_EAGAIN, HTTP 429); 0: 64. */
	size_t max_sessions;
	/* Per session: the SIGINT to SIGKILL grace at stop (0: 5000 ms), and
	 * the terminal of a session whose spec names none (0: 80 x 1000;
	 * else 20..500 x 10..2000). */
	unsigned stop_timeout_ms;
	unsigned term_width, term_height;

	/* Logger for the host and its sessions; NULL: silent. */
	aa_log_fn log;
	/* A session was added, changed, exited or removed; read it with
	 * aa_host_session_get(h, id).  id is valid during the call only. */
	void (*on_session)(void *ud, const char *id, enum aa_host_event ev);
	/* Passed to log and on_session. */
	void *ud;
};

/*
 * A session to start: what POST /sessions takes, as a struct.  Only argv
 * is required; the strings are only read during the call.
 */
struct aa_host_session_options {
	int version; /* AA_HOST_SESSION_OPTIONS_VERSION (0) */
	const char *const *argv;  /* NULL-terminated, 1..256 items */
	const char *agent_type;   /* NULL: from argv[0], else "custom" */
	const char *name;	  /* NULL: none */
	const char *cwd;	  /* absolute; NULL: the host's */
	/* NAME=VALUE entries over the host's environment, NULL-terminated;
	 * NULL: none. */
	const char *const *env;
	unsigned cols, rows;	  /* 0: the host's term_width/height */
	const char *initial_prompt; /* NULL or "": none */
	/* NULL: one the host makes in state_dir, removed with the session. */
	const char *state_file;
};

/* Completion of aa_host_stop. */
typedef void (*aa_host_stop_cb)(void *ud);

/*
 * Checks the options and makes the host; nothing listens or starts yet.
 * A wrong version, a missing socket_path or state_dir, a socket path too
 * long or a bad size is AA_EINVAL with *cause.
 */
AA_EXTERN int aa_host_new(struct uv_loop_s *loop, struct aa_host **out,
    const struct aa_host_options *o, char **cause);
/*
 * Prepares the socket's directory, listens, then brings back the sessions
 * saved in state_dir (on_session ADDED for each).  On failure *cause says
 * why; stop and free the host as after a success.  AA_EINVAL if already
 * started.
 */
AA_EXTERN int aa_host_start(struct aa_host *h, char **cause);
/*
 * Stops every agent (SIGINT, SIGKILL after the grace; their state saved
 * and the session list kept, so a new host brings them back), closes the
 * server and removes the socket, then calls cb(ud) (cb may be NULL).
 * Asynchronous once started; safe from any callback; a second call is
 * ignored.  The host is not freed: aa_host_free it after cb.  A host
 * never started (or whose start failed before listening) is stopped at
 * once and cb runs before the call returns.
 */
AA_EXTERN void aa_host_stop(struct aa_host *h, aa_host_stop_cb cb,
    void *ud);
/* Frees a host that was never started or whose stop has completed;
 * AA_EBUSY (nothing freed) while it runs or stops.  NULL is ignored. */
AA_EXTERN int aa_host_free(struct aa_host *h);

/* Returns the socket path. */
AA_EXTERN const char *aa_host_socket_path(const struct aa_host *h);
/* Returns the TCP bearer token (given or generated), NULL without TCP. */
AA_EXTERN const char *aa_host_token(const struct aa_host *h);
/* Returns the TCP port once started, else 0. */
AA_EXTERN int aa_host_port(const struct aa_host *h);

/*
 * Starts a session, checked as POST /sessions checks its body: 0 and the
 * new id in id (AA_HOST_ID_SIZE bytes), or AA_EINVAL (a bad spec, *cause
 * names the fault), AA_EAGAIN (max_sessions reached), AA_ENOENT (the
 * program is not found) or another code.  The host must be started.
 */
AA_EXTERN int aa_host_session_new(struct aa_host *h,
    const struct aa_host_session_options *o, char id[AA_HOST_ID_SIZE],
    char **cause);
/* The same from POST /sessions' JSON body ({"argv": [...], ...}). */
AA_EXTERN int aa_host_session_new_json(struct aa_host *h, const char *json,
    size_t len, char id[AA_HOST_ID_SIZE], char **cause);
/* Returns the number of sessions listed (exited ones included). */
AA_EXTERN size_t aa_host_session_count(const struct aa_host *h);
/* Returns the id of session i in list order (i < count), else NULL;
 * valid while it is listed.  Walks the list: O(i). */
AA_EXTERN const char *aa_host_session_id(const struct aa_host *h,
    size_t i);
/*
 * Returns the session's agent for the aa_session_* calls (status,
 * messages, screen, state, sends, keys...), or NULL for no such id.  The
 * host owns it: never aa_session_stop it (aa_host_session_delete does);
 * valid until the session is removed.
 */
AA_EXTERN struct aa_session *aa_host_session_get(struct aa_host *h,
    const char *id);
/* Deletes a session as DELETE /sessions/{id} does: off the list at once,
 * its agent stopped, the state file the host made removed.  AA_ENOENT
 * for no such id. */
AA_EXTERN int aa_host_session_delete(struct aa_host *h, const char *id);

#ifdef __cplusplus
}
#endif
#endif /* AGENTAPI_H */
