/*
 * host-private.h - what host.c (routes, lifecycle), host-spec.c (a
 * session's spec from JSON, checked, and its command line) and
 * host-store.c (sessions.json) share: the host, its sessions and their
 * specs.  mcp.c sees none of this; it goes through hostint.h.
 */
#ifndef AA_HOST_PRIVATE_H
#define AA_HOST_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>
#include <uv.h>

#include "base/list.h"
#include "base/log.h"
#include "host/host.h"

struct aa_access;
struct aa_api;
struct aa_http_req;
struct aa_host_chat;
struct aa_http_server;
struct aa_mcp;
struct aa_session;

#define HOST_ID_LEN 16

/* What a session is made of: all the host saves to bring it back. */
struct hspec {
	char *name;
	char *type;           /* as given; NULL: from argv[0] */
	char **argv;          /* NULL-terminated */
	size_t argc;
	char *cwd;            /* absolute, NULL: the host's */
	char **env;           /* NAME=VALUE over the host's, NULL-terminated */
	size_t nenv;
	unsigned cols, rows;
	char *initial_prompt; /* sent once; never saved */
	char *state_file;     /* absolute */
	int own_state;        /* the host named the state file: delete it */
	int64_t created_ns;
};

struct hsess {
	struct aa_list link;
	struct aa_host *host;
	char id[HOST_ID_LEN + 1];
	char prefix[64];      /* "/sessions/<id>" */
	struct hspec spec;
	struct aa_session *session;
	struct aa_api *api;
	char **envp;          /* the agent's whole environment */
	int exited;
	int exit_status;
	int stopping;
	int forget;           /* deleted: remove the state the host made */
	struct aa_http_req *del_req; /* a DELETE waiting for the stop */
};

struct aa_host {
	uv_loop_t *loop;
	struct aa_http_server *http;
	struct aa_mcp *mcp;
	struct aa_host_chat *chat; /* the chat page's list stream */
	struct aa_access *access;
	struct aa_list sessions;
	size_t nsessions;
	size_t max_sessions;
	unsigned stop_timeout_ms;
	char *state_dir;
	char *list_path;
	struct aa_log log;
	int port;
	int stopping;
	size_t nstopping;     /* sessions off the list, not yet freed */
	int pending;          /* during a stop: sessions not yet freed */
	aa_host_stop_cb stop_cb;
	void *stop_ud;
	/* The public face (host-api.c). */
	int phase;            /* HOST_NEW, _RUNNING, _STOPPING, _STOPPED */
	char *unix_path;
	char *token;          /* NULL without TCP */
	struct aa_host_config cfg; /* strings borrowed from the fields */
	char **addrs, **allowed_hosts, **allowed_origins;
	unsigned term_width, term_height;
	void (*on_session)(void *ud, const char *id, enum aa_host_event ev);
	void *ud;
	aa_host_stop_cb user_cb;
	void *user_ud;
};

enum { HOST_NEW, HOST_RUNNING, HOST_STOPPING, HOST_STOPPED };

/* ---- host.c ---- */

/* Frees hs, its spec and its environment (its handles are closed). */
void aa_host_sess_free(struct hsess *hs);
/* Starts the API and the agent of hs (spec filled, id set); resume: a
 * restart (resume flag, no initial prompt).  On failure hs is untouched
 * but for its handles, which are closed. */
int aa_host_sess_start(struct aa_host *h, struct hsess *hs, int resume,
    char **cause);

/* ---- host-chat.c ---- */

/* Makes the session-list stream of the host's chat page. */
int aa_host_chat_new(struct aa_host_chat **out, struct aa_host *h);
/* Something in the list changed: the page hears of it shortly after. */
void aa_host_chat_changed(struct aa_host_chat *c);
/* Ends the stream's connections and frees c, then cb(ud) (run the
 * loop); NULL is fine. */
void aa_host_chat_close(struct aa_host_chat *c, void (*cb)(void *),
    void *ud);
/* The routes: GET /, GET /chat (with the ?token= login), GET /chat/<f>,
 * GET /events. */
void aa_host_h_root(struct aa_http_req *req, void *data);
void aa_host_h_chat(struct aa_http_req *req, void *data);
void aa_host_h_chat_file(struct aa_http_req *req, void *data);
void aa_host_h_events(struct aa_http_req *req, void *data);

/* ---- host-api.c ---- */

/* Tells the embedder (aa_host_options.on_session) what happened to hs. */
void aa_host_notify(struct aa_host *h, const struct hsess *hs,
    enum aa_host_event ev);

/* ---- host-spec.c ---- */

/* Frees what a spec holds. */
void aa_host_spec_release(struct hspec *sp);
/* Non-zero when s is a string of at most max bytes without control
 * characters other than tab (names, paths, arguments). */
int aa_host_plain_string(const char *s, size_t max);
/* Fills sp from a POST /sessions body (saved 0) or an entry of
 * sessions.json (saved 1, state_file then required).  Returns 0, or -1
 * with *why. */
int aa_host_spec_from_json(const cJSON *o, int saved, struct hspec *sp,
    const char **why);
/* The arguments that make a relaunched agent of this type resume its
 * last conversation in its directory, or NULL when it has none. */
const char *const *aa_host_resume_args(const char *type);
/* argv with extra inserted after argv[0]; a new vector of borrowed
 * pointers (free only the vector). */
const char **aa_host_argv_with(const struct hspec *sp,
    const char *const *extra);
/* The host's environment with the spec's entries over it. */
char **aa_host_env_merge(const struct hspec *sp);

/* ---- host-store.c ---- */

/* The spec as saved in sessions.json. */
cJSON *aa_host_spec_to_json(const struct hsess *hs);
/* Saves the session list to sessions.json, crash-safely; a failure is
 * logged. */
void aa_host_save_list(struct aa_host *h);
/* Brings back the sessions of sessions.json (none: 0). */
int aa_host_load_list(struct aa_host *h, char **cause);

#endif /* AA_HOST_PRIVATE_H */
