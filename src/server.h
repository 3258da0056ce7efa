/*
 * server.h - aa_server: one agent session served over HTTP + SSE.
 *
 * The server is the glue of DESIGN.md's data flow: it opens the API
 * (validating the host and origin lists and binding the port first, so a
 * bad configuration never starts the agent), then starts the session and
 * forwards the session's events to the API's streams.  It runs on the
 * caller's loop; the agentapi-c program (main.c) is a thin user of it.
 */
#ifndef AA_SERVER_H
#define AA_SERVER_H

#include <uv.h>

#include "api.h"
#include "session.h"

struct aa_server;

struct aa_server_options {
	int version;			    /* reserved, 0 */
	struct aa_session_options session;  /* callbacks are the server's */
	struct aa_api_options api;	    /* log/ud are the server's */
	/* The agent exited on its own (after its output drained and the
	 * state was saved); the owner usually stops the server. */
	void (*on_exit)(void *ud, int wait_status);
	void (*log)(void *ud, int level, const char *msg);
	void *ud;
};

/* Opens the API, then starts the agent.  *cause says why it failed. */
int aa_server_new(uv_loop_t *loop, struct aa_server **out,
    const struct aa_server_options *o, char **cause);
/* Stops gracefully: saves state, ends the agent (SIGINT, then SIGKILL
 * after the stop timeout), closes the API; done(ud) runs when everything
 * is freed.  Asynchronous; safe from any callback; repeated calls are
 * ignored. */
void aa_server_stop(struct aa_server *s, void (*done)(void *ud), void *ud);
/* Saves the state file now (SIGUSR1). */
int aa_server_save_state(struct aa_server *s);
/* Returns the port the API listens on. */
int aa_server_port(const struct aa_server *s);
/* Returns the session (for status, messages, the last screen). */
struct aa_session *aa_server_session(struct aa_server *s);

#endif /* AA_SERVER_H */
