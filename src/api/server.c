/*
 * server.c - aa_server: the session and the API glued on one loop.
 *
 * The server is the glue of DESIGN.md's data flow: it opens the API
 * (validating the host and origin lists and binding the port first, so a
 * bad configuration never starts the agent), then starts the session and
 * forwards the session's events to the API's streams, then to the
 * owner's own session callbacks, if any.  Its interface is public
 * (include/agentapi.h); the agentapi-c program (main.c) is a thin user of
 * it.
 *
 * Lifetime: new() opens the API then the session; stop() stops the session
 * (which saves state and ends the agent) and then closes the API; when the
 * API reports that its handles have closed and it is freed, the server is
 * freed and done() runs (counted closes all the way down, STYLE 12).
 */
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "base/aa-internal.h"
#include "base/log.h"
#include "api/api.h"
#include "api/server.h"
#include "runtime/session.h"

struct aa_server {
	uv_loop_t *loop;
	struct aa_api *api;
	struct aa_session *session;
	int port; /* kept: valid while the server stops, too */
	/* The owner's session callbacks, called after the server's. */
	struct aa_session_options user;
	void (*on_exit)(void *ud, int wait_status);
	struct aa_log log; /* the owner's, handed to the API and session */
	void *ud;
	aa_server_stop_cb done;
	void *done_ud;
	int stopping;
};

/* Session callback: a message changed or was added. */
static void
srv_message(void *ud, const struct aa_message *m, int is_new)
{
	struct aa_server *s = ud;

	aa_api_on_message(s->api, m);
	if (s->user.on_message != NULL)
		s->user.on_message(s->user.ud, m, is_new);
}

/* Session callback: the running/stable status flipped. */
static void
srv_status(void *ud, enum aa_conv_status st)
{
	struct aa_server *s = ud;

	aa_api_on_status(s->api, st);
	if (s->user.on_status != NULL)
		s->user.on_status(s->user.ud, st);
}

/* Session callback: the screen changed. */
static void
srv_screen(void *ud, const char *text, size_t len)
{
	struct aa_server *s = ud;

	aa_api_on_screen(s->api, text, len);
	if (s->user.on_screen != NULL)
		s->user.on_screen(s->user.ud, text, len);
}

/* Session callback: a problem worth showing to clients. */
static void
srv_error(void *ud, int level, const char *text)
{
	struct aa_server *s = ud;

	aa_api_on_error(s->api, level, text);
	if (s->user.on_error != NULL)
		s->user.on_error(s->user.ud, level, text);
}

/* Session callback: the agent exited on its own. */
static void
srv_exit(void *ud, int wait_status)
{
	struct aa_server *s = ud;

	if (s->on_exit != NULL)
		s->on_exit(s->ud, wait_status);
}

/* Sets *cause (if wanted) to text and returns err. */
static int
srv_cause(char **cause, int err, const char *text)
{
	if (cause != NULL)
		*cause = strdup(text);
	return err;
}

/* Opens the API, then starts the agent (see agentapi.h); log lines go to
 * log rather than o->log (server.h). */
int
aa_server_new_log(uv_loop_t *loop, struct aa_server **out,
    const struct aa_server_options *o, const struct aa_log *log,
    char **cause)
{
	struct aa_session_options so;
	struct aa_server *s;
	int rc;

	if (cause != NULL)
		*cause = NULL;
	if (out == NULL)
		return AA_EINVAL;
	*out = NULL;
	if (loop == NULL || o == NULL)
		return AA_EINVAL;
	/* Only the layouts of this header are known (agentapi.h, ABI). */
	if (o->version != AA_SERVER_OPTIONS_VERSION ||
	    o->api.version != AA_API_OPTIONS_VERSION)
		return srv_cause(cause, AA_EINVAL, "unsupported "
		    "aa_server_options version");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return AA_ENOMEM;
	s->loop = loop;
	s->user = o->session;
	s->on_exit = o->on_exit;
	if (log != NULL)
		s->log = *log;
	s->ud = o->ud;
	if ((rc = aa_api_new(&s->api, loop, &o->api, &s->log, cause)) != 0) {
		free(s);
		return rc;
	}
	so = o->session;
	so.log = NULL;
	so.on_message = srv_message;
	so.on_status = srv_status;
	so.on_screen = srv_screen;
	so.on_error = srv_error;
	so.on_exit = srv_exit;
	so.ud = s;
	if ((rc = aa_session_new_log(loop, &s->session, &so, &s->log,
	    cause)) != 0) {
		/* The API's handles close when the owner runs the loop again;
		 * nothing of them points back at s. */
		aa_api_close(s->api, NULL, NULL);
		free(s);
		return rc;
	}
	aa_api_set_session(s->api, s->session,
	    aa_session_agent_name(s->session));
	s->port = aa_api_port(s->api);
	*out = s;
	return 0;
}

/* Opens the API, then starts the agent (see agentapi.h). */
int
aa_server_new(uv_loop_t *loop, struct aa_server **out,
    const struct aa_server_options *o, char **cause)
{
	struct aa_log log = { .line = o != NULL ? o->log : NULL,
		.ud = o != NULL ? o->ud : NULL };

	return aa_server_new_log(loop, out, o, &log, cause);
}

/* The API has closed every handle and is freed: the server is gone. */
static void
api_closed(void *ud)
{
	struct aa_server *s = ud;
	aa_server_stop_cb done = s->done;
	void *done_ud = s->done_ud;

	free(s);
	if (done != NULL)
		done(done_ud);
}

/* The session is stopped and freed: close the API. */
static void
session_stopped(void *ud)
{
	struct aa_server *s = ud;
	struct aa_api *api = s->api;

	s->session = NULL;
	s->api = NULL;
	aa_api_close(api, api_closed, s);
}

/* Stops the session, then the API (see agentapi.h). */
void
aa_server_stop(struct aa_server *s, aa_server_stop_cb done, void *ud)
{
	if (s == NULL || s->stopping)
		return;
	s->stopping = 1;
	s->done = done;
	s->done_ud = ud;
	/* Clients see the end of the conversation; the session answers a
	 * pending send with a cancellation while the API is still up. */
	aa_api_set_session(s->api, s->session, NULL);
	aa_session_stop(s->session, session_stopped, s);
}

/* Saves the state file now (see agentapi.h). */
int
aa_server_save_state(struct aa_server *s)
{
	if (s->session == NULL)
		return AA_EEXITED;
	return aa_session_save_state(s->session);
}

/* Returns the API's port (see agentapi.h). */
int
aa_server_port(const struct aa_server *s)
{
	return s->port;
}

/* Returns the session, NULL once stopped (see agentapi.h). */
struct aa_session *
aa_server_session(struct aa_server *s)
{
	return s->session;
}
