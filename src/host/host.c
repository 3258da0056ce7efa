/*
 * host.c - aa_host: the sessions, their routes and their list on disk.
 *
 * One aa_http server carries the host's own routes and, mounted under
 * /sessions/{id}, each session's aa_api table (aa_api_new_mounted): the
 * host picks the table from the id per request and the handlers run as in
 * the single-agent server, byte for byte.  A session is an aa_session and
 * its mounted aa_api glued like aa_server glues them, plus what the host
 * keeps to bring it back: its spec (argv, cwd, env, ...), saved in
 * <state_dir>/sessions.json crash-safely (aa_file_replace) whenever the
 * list changes.  Everything from the wire is checked against the bounds
 * below before anything starts.
 *
 * Lifetime of a session: created -> running (its agent may exit: it stays,
 * readable, "exited") -> stopping (DELETE or host stop: the agent gets
 * SIGINT, then SIGKILL after the grace; the session saves its state) ->
 * its API closes (connections still in one of its requests are dropped)
 * -> freed.  The host is freed once every session is and the server has
 * closed (counted closes, STYLE 12).
 *
 * A spec's checks and the command line made from it are host-spec.c; the
 * list on disk is host-store.c; GET /sessions' entries are host-list.c;
 * the socket path's checks are host-socket.c; the host as the public header offers it
 * (made, started, stopped and freed by an embedder, sessions by id, the
 * on_session events this file raises) is host-api.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/list.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "core/agent.h"
#include "core/health.h"
#include "core/prompt.h"
#include "core/queue.h"
#include "runtime/session.h"
#include "http/access.h"
#include "http/http.h"
#include "api/api.h"
#include "api/json.h"
#include "host/host.h"
#include "host/hostint.h"
#include "host/host-private.h"

#define HOST_BODY_LIMIT (4 * 1024 * 1024)

static void sess_stop(struct hsess *hs);

/* ---- a session's callbacks: forwarded to its API (as aa_server) ---- */

static void
hs_message(void *ud, const struct aa_message *m, int is_new)
{
	struct hsess *hs = ud;

	(void)is_new;
	aa_api_on_message(hs->api, m);
	aa_mcp_messages(hs->host->mcp, hs);
}

static void
hs_status(void *ud, enum aa_conv_status st)
{
	struct hsess *hs = ud;

	aa_api_on_status(hs->api, st);
	aa_mcp_changed(hs->host->mcp, hs);
	aa_host_chat_changed(hs->host->chat);
	aa_host_notify(hs->host, hs, AA_HOST_SESSION_CHANGED);
}

static void
hs_screen(void *ud, const char *text, size_t len)
{
	struct hsess *hs = ud;

	aa_api_on_screen(hs->api, text, len);
}

static void
hs_error(void *ud, int level, const char *text)
{
	struct hsess *hs = ud;

	aa_api_on_error(hs->api, level, text);
}

static void
hs_steer(void *ud, unsigned changes)
{
	struct hsess *hs = ud;

	aa_api_on_steer(hs->api, changes);
	aa_mcp_changed(hs->host->mcp, hs);
	aa_host_chat_changed(hs->host->chat);
	aa_host_notify(hs->host, hs, AA_HOST_SESSION_CHANGED);
}

/* The agent exited on its own: the session stays, readable, until it is
 * deleted (a crash is this session's business only). */
static void
hs_exit(void *ud, int wait_status)
{
	struct hsess *hs = ud;

	hs->exited = 1;
	hs->exit_status = wait_status;
	AA_LOG(&hs->host->log, AA_LOG_INFO, "session %s: agent exited "
	    "(wait status %d)", hs->id, wait_status);
	aa_mcp_changed(hs->host->mcp, hs);
	aa_host_chat_changed(hs->host->chat);
	aa_host_notify(hs->host, hs, AA_HOST_SESSION_EXITED);
}

/* ---- starting and stopping a session ---- */

void
aa_host_sess_free(struct hsess *hs)
{
	aa_host_spec_release(&hs->spec);
	free(hs->envp);
	free(hs);
}

/* Makes a fresh random id. */
static int
new_id(struct aa_host *h, char *id)
{
	unsigned char r[HOST_ID_LEN / 2];
	struct aa_list *it;

	for (int tries = 0; tries < 8; tries++) {
		int dup = 0;

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return AA_EIO;
		for (size_t i = 0; i < sizeof(r); i++)
			sprintf(id + 2 * i, "%02x", r[i]);
		AA_LIST_FOREACH(it, &h->sessions)
			dup |= strcmp(AA_LIST_ENTRY(it, struct hsess,
			    link)->id, id) == 0;
		if (!dup)
			return 0;
	}
	return AA_EIO;
}

/* The arguments that make this session's agent resume its conversation,
 * by its type as given or, without one, as its command names it. */
static const char *const *
sess_resume_args(const struct hsess *hs)
{
	const struct aa_agent *a = hs->spec.type != NULL ?
	    aa_agent_find(hs->spec.type) :
	    aa_agent_for_command(hs->spec.argv[0]);

	return a != NULL ? aa_host_resume_args(aa_agent_name(a)) : NULL;
}

/* Starts the agent of hs, whose API is made.  SPAWN_NEW: as asked, with
 * the initial prompt.  SPAWN_RESUME (the host started again): with the
 * type's resume flag; a type without one is not relaunched but brought
 * back exited, its conversation readable, since a fresh agent under the
 * old history would answer as if it knew it.  SPAWN_RESTART (asked for
 * on an exited session): the resume flag if any, else fresh.
 * SPAWN_EXITED: no agent, the conversation only. */
enum { SPAWN_NEW, SPAWN_RESUME, SPAWN_RESTART, SPAWN_EXITED };

static int
sess_spawn(struct aa_host *h, struct hsess *hs, int mode, char **cause)
{
	const char *const *resume = mode != SPAWN_NEW ?
	    sess_resume_args(hs) : NULL;
	struct aa_session_options so;
	const char **argv;
	int rc;

	if ((argv = aa_host_argv_with(&hs->spec, resume)) == NULL)
		return AA_ENOMEM;
	memset(&so, 0, sizeof(so));
	so.version = AA_SESSION_OPTIONS_VERSION;
	so.argv = argv;
	so.agent_type = hs->spec.type;
	so.env = (const char *const *)hs->envp;
	so.cols = hs->spec.cols;
	so.rows = hs->spec.rows;
	so.initial_prompt = mode == SPAWN_NEW ? hs->spec.initial_prompt :
	    NULL;
	so.state_file = hs->spec.state_file;
	so.load_state = so.save_state = 1;
	so.stop_timeout_ms = h->stop_timeout_ms;
	so.on_message = hs_message;
	so.on_status = hs_status;
	so.on_screen = hs_screen;
	so.on_error = hs_error;
	so.on_exit = hs_exit;
	so.ud = hs;
	hs->exited = 0;
	hs->exit_status = -1;
	if (mode == SPAWN_EXITED || (mode == SPAWN_RESUME &&
	    resume == NULL)) {
		rc = aa_session_new_exited(h->loop, &hs->session, &so,
		    &h->log, cause);
		hs->exited = rc == 0;
	} else
		rc = aa_session_new_cwd(h->loop, &hs->session, &so, &h->log,
		    hs->spec.cwd, cause);
	free(argv);
	if (rc != 0)
		return rc;
	aa_api_set_session(hs->api, hs->session,
	    aa_session_agent_name(hs->session));
	aa_session_on_steer(hs->session, hs_steer, hs);
	return 0;
}

/* Starts the API and the agent of hs (spec filled, id set); resume: the
 * host started again (see sess_spawn).  On failure hs is untouched but
 * for its handles, which are closed. */
int
aa_host_sess_start(struct aa_host *h, struct hsess *hs, int resume,
    char **cause)
{
	struct aa_api_options ao;
	char chat[96];
	int rc;

	snprintf(hs->prefix, sizeof(hs->prefix), "/sessions/%s", hs->id);
	snprintf(chat, sizeof(chat), "%s/chat", hs->prefix);
	memset(&ao, 0, sizeof(ao));
	ao.version = AA_API_OPTIONS_VERSION;
	ao.chat_base_path = chat;
	if ((rc = aa_api_new_mounted(&hs->api, h->loop, &ao, &h->log,
	    h->http, cause)) != 0)
		return rc;
	if ((hs->envp = aa_host_env_merge(&hs->spec)) == NULL)
		rc = AA_ENOMEM;
	else
		rc = sess_spawn(h, hs, resume ? SPAWN_RESUME : SPAWN_NEW,
		    cause);
	if (rc != 0) {
		aa_api_close(hs->api, NULL, NULL);
		hs->api = NULL;
		free(hs->envp);
		hs->envp = NULL;
		return rc;
	}
	return 0;
}

/* The server has closed: everything the host had open is gone (the
 * host itself waits for aa_host_free). */
static void
host_closed(void *ud)
{
	struct aa_host *h = ud;
	aa_host_stop_cb cb;
	void *cud;

	cb = h->stop_cb;
	cud = h->stop_ud;
	aa_access_free(h->access);
	h->access = NULL;
	h->http = NULL;
	if (cb != NULL)
		cb(cud);
}

/* One session finished closing during a host stop; after the last one
 * (their APIs drop connections of the server) the server closes. */
static void
host_part_done(void *ud)
{
	struct aa_host *h = ud;

	if (--h->pending > 0)
		return;
	if (h->mcp != NULL) {
		struct aa_mcp *m = h->mcp;

		/* Then here again, with the MCP endpoint gone. */
		h->mcp = NULL;
		h->pending = 1;
		aa_mcp_close(m, host_part_done, h);
		return;
	}
	if (h->chat != NULL) {
		struct aa_host_chat *c = h->chat;

		/* And again, with the chat's list stream gone. */
		h->chat = NULL;
		h->pending = 1;
		aa_host_chat_close(c, host_part_done, h);
		return;
	}
	aa_http_server_close(h->http, host_closed, h);
}

/* The session's API has closed: the session is gone. */
static void
sess_api_closed(void *ud)
{
	struct hsess *hs = ud;
	struct aa_host *h = hs->host;

	aa_host_sess_free(hs);
	h->nstopping--;
	if (h->stopping)
		host_part_done(h);
}

/* A DELETE's client went away before the stop finished. */
static void
del_req_gone(struct aa_http_req *req, void *arg)
{
	struct hsess *hs = arg;

	(void)req;
	hs->del_req = NULL;
}

/* The agent is stopped and the session freed: answer the DELETE, close
 * the API. */
static void
sess_stopped(void *ud)
{
	struct hsess *hs = ud;
	struct aa_api *api = hs->api;

	hs->session = NULL;
	/* Gone means gone: the state the host made for it goes too, now
	 * that the stop has saved it one last time. */
	if (hs->forget && hs->spec.own_state) {
		char path[PATH_MAX + 16];

		aa_file_remove_own(hs->spec.state_file);
		snprintf(path, sizeof(path), "%s.journal",
		    hs->spec.state_file);
		aa_file_remove_own(path);
	}
	if (hs->del_req != NULL) {
		cJSON *o = cJSON_CreateObject();

		aa_http_req_on_close(hs->del_req, NULL, NULL);
		if (o != NULL)
			cJSON_AddStringToObject(o, "id", hs->id);
		aa_json_send_ok(hs->del_req, 200, o);
		hs->del_req = NULL;
	}
	hs->api = NULL;
	aa_api_close(api, sess_api_closed, hs);
}

/* Takes hs off the list and stops it (asynchronous). */
static void
sess_stop(struct hsess *hs)
{
	struct aa_host *h = hs->host;

	if (hs->stopping)
		return;
	hs->stopping = 1;
	aa_list_remove(&hs->link);
	h->nsessions--;
	h->nstopping++;
	aa_mcp_gone(h->mcp, hs);
	aa_host_chat_changed(h->chat);
	/* A restart's stop is under way: its end finishes this one. */
	if (hs->session == NULL && !hs->restarting)
		sess_stopped(hs);
	else if (!hs->restarting) {
		aa_api_set_session(hs->api, hs->session, NULL);
		aa_session_stop(hs->session, sess_stopped, hs);
	}
	aa_host_notify(h, hs, AA_HOST_SESSION_REMOVED);
}

/* A restart's client went away before it finished. */
static void
restart_req_gone(struct aa_http_req *req, void *arg)
{
	struct hsess *hs = arg;

	(void)req;
	hs->restart_req = NULL;
}

/* Answers the restart request, if its client is still there. */
static void
restart_answer(struct hsess *hs, int status, const char *why)
{
	struct aa_http_req *req = hs->restart_req;
	cJSON *o;

	if (req == NULL)
		return;
	hs->restart_req = NULL;
	aa_http_req_on_close(req, NULL, NULL);
	if (status != 200) {
		aa_json_send_error(req, status, why);
		return;
	}
	o = cJSON_CreateObject();
	if (o != NULL)
		cJSON_AddStringToObject(o, "id", hs->id);
	aa_json_send_ok(req, 200, o);
}

/* The exited agent's session is stopped: start the agent again, or, if
 * that fails, bring the session back exited as it was. */
static void
sess_restart_stopped(void *ud)
{
	struct hsess *hs = ud;
	struct aa_host *h = hs->host;
	char *cause = NULL;
	int rc;

	hs->session = NULL;
	hs->restarting = 0;
	aa_api_set_session(hs->api, NULL, NULL);
	if (hs->stopping) {
		/* Deleted (or the host stopped) meanwhile. */
		restart_answer(hs, 404, "the session was stopped");
		sess_stopped(hs);
		return;
	}
	if ((rc = sess_spawn(h, hs, SPAWN_RESTART, &cause)) == 0) {
		AA_LOG(&h->log, AA_LOG_INFO, "session %s restarted", hs->id);
		restart_answer(hs, 200, NULL);
	} else {
		AA_LOG(&h->log, AA_LOG_ERROR, "session %s could not be "
		    "restarted: %s", hs->id, cause != NULL ? cause :
		    aa_strerror(rc));
		restart_answer(hs, rc == AA_ENOENT ? 422 : 500, cause != NULL ?
		    cause : aa_strerror(rc));
		if (sess_spawn(h, hs, SPAWN_EXITED, NULL) != 0)
			hs->exited = 1; /* no session: read as exited */
	}
	free(cause);
	aa_mcp_changed(h->mcp, hs);
	aa_host_chat_changed(h->chat);
	aa_host_notify(h, hs, AA_HOST_SESSION_CHANGED);
}

/* ---- routes ---- */

static struct hsess *
host_find(struct aa_host *h, const char *id, size_t n)
{
	struct aa_list *it;

	if (n != HOST_ID_LEN)
		return NULL;
	AA_LIST_FOREACH(it, &h->sessions) {
		struct hsess *hs = AA_LIST_ENTRY(it, struct hsess, link);

		if (memcmp(hs->id, id, n) == 0)
			return hs;
	}
	return NULL;
}

struct hsess *
aa_host_session(struct aa_host *h, const char *id)
{
	return host_find(h, id, strlen(id));
}

/* POST /sessions/{id}/restart: an exited session's agent started again,
 * with its type's resume flag if it has one, else fresh under its kept
 * history; answered once it runs. */
static void
h_restart(struct aa_http_req *req, void *data)
{
	struct hsess *hs = data;

	if (hs->stopping || hs->restarting) {
		aa_json_send_error(req, 409, "the session is being stopped "
		    "or restarted");
		return;
	}
	if (!hs->exited) {
		aa_json_send_error(req, 409, "the agent is running; only an "
		    "exited session can be restarted");
		return;
	}
	hs->restart_req = req;
	aa_http_req_on_close(req, restart_req_gone, hs);
	hs->restarting = 1;
	/* The embedder's pointer to the old agent goes now (agentapi.h:
	 * aa_host_session_get is NULL until the new one runs). */
	aa_host_notify(hs->host, hs, AA_HOST_SESSION_CHANGED);
	if (hs->session == NULL)
		sess_restart_stopped(hs);
	else
		aa_session_stop(hs->session, sess_restart_stopped, hs);
}

const char *
aa_hsess_id(const struct hsess *hs)
{
	return hs->id;
}

struct aa_session *
aa_hsess_agent(const struct hsess *hs)
{
	return hs->stopping || hs->restarting ? NULL : hs->session;
}

uv_loop_t *
aa_host_loop(struct aa_host *h)
{
	return h->loop;
}

void
aa_host_remove(struct aa_host *h, struct hsess *hs)
{
	if (hs->stopping)
		return;
	hs->forget = 1;
	sess_stop(hs);
	aa_host_save_list(h);
}

/* GET /sessions */
static void
h_list(struct aa_http_req *req, void *data)
{
	struct aa_host *h = data;
	cJSON *o = cJSON_CreateObject(), *a = aa_host_sessions_json(h);

	if (o == NULL || a == NULL ||
	    !cJSON_AddItemToObject(o, "sessions", a)) {
		cJSON_Delete(o);
		cJSON_Delete(a);
		aa_json_send_error(req, 500, "out of memory");
		return;
	}
	aa_json_send(req, 200, NULL, o);
	cJSON_Delete(o);
}

/* POST, GET, DELETE /mcp (mcp.c). */
static void
h_mcp(struct aa_http_req *req, void *data)
{
	struct aa_host *h = data;

	aa_mcp_handle(h->mcp, req);
}

/* Checks spec and starts a session from it (see hostint.h). */
int
aa_host_create_session(struct aa_host *h, const cJSON *spec,
    const char **id, int *status, char **why)
{
	struct hsess *hs;
	const char *bad_why = NULL;
	char *cause = NULL, path[PATH_MAX];
	int rc;

	*why = NULL;
	*id = NULL;
	*status = 500;
	/* A stop counts the sessions it waits for once. */
	if (h->stopping) {
		*status = 503;
		*why = strdup("the host is stopping");
		return AA_ECANCELED;
	}
	if (h->nsessions >= h->max_sessions) {
		*status = 429;
		*why = strdup("too many sessions (the host's --max-sessions)");
		return AA_EAGAIN;
	}
	if ((hs = calloc(1, sizeof(*hs))) == NULL)
		return AA_ENOMEM;
	hs->host = h;
	if (aa_host_spec_from_json(spec, 0, &hs->spec, &bad_why) != 0) {
		free(hs);
		*status = 422;
		*why = strdup(bad_why);
		return AA_EINVAL;
	}
	/* The embedder's default terminal for a spec that names none. */
	if (h->term_width != 0 &&
	    cJSON_GetObjectItemCaseSensitive(spec, "term_width") == NULL)
		hs->spec.cols = h->term_width;
	if (h->term_height != 0 &&
	    cJSON_GetObjectItemCaseSensitive(spec, "term_height") == NULL)
		hs->spec.rows = h->term_height;
	if (new_id(h, hs->id) != 0) {
		aa_host_sess_free(hs);
		*why = strdup("no random bytes for an id");
		return AA_EIO;
	}
	hs->spec.created_ns = aa__wall_ns();
	if (hs->spec.state_file == NULL) {
		snprintf(path, sizeof(path), "%s/sessions/%s.json",
		    h->state_dir, hs->id);
		if ((hs->spec.state_file = strdup(path)) == NULL) {
			aa_host_sess_free(hs);
			return AA_ENOMEM;
		}
		hs->spec.own_state = 1;
	}
	if ((rc = aa_host_sess_start(h, hs, 0, &cause)) != 0) {
		*status = rc == AA_ENOENT ? 422 : 500;
		*why = cause != NULL ? cause : strdup(aa_strerror(rc));
		aa_host_sess_free(hs);
		return rc;
	}
	aa_list_insert_tail(&h->sessions, &hs->link);
	h->nsessions++;
	aa_host_save_list(h);
	aa_host_chat_changed(h->chat);
	aa_mcp_listed(h->mcp);
	AA_LOG(&h->log, AA_LOG_INFO, "session %s started (%s)", hs->id,
	    hs->spec.argv[0]);
	*id = hs->id;
	*status = 201;
	aa_host_notify(h, hs, AA_HOST_SESSION_ADDED);
	return 0;
}

/* POST /sessions */
static void
h_create(struct aa_http_req *req, void *data)
{
	struct aa_host *h = data;
	const char *id;
	char *why = NULL;
	cJSON *body, *o;
	int st;

	if (aa_json_req_body(req, &body) != 0)
		return;
	aa_host_create_session(h, body, &id, &st, &why);
	cJSON_Delete(body);
	if (st == 422)
		aa_json_send_one(req, 422, "invalid session", why != NULL ?
		    why : "", "body", NULL);
	else if (st != 201)
		aa_json_send_error(req, st, why != NULL ? why :
		    "out of memory");
	free(why);
	if (st != 201)
		return;
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "id", id) == NULL) {
		cJSON_Delete(o);
		aa_json_send_error(req, 500, "out of memory");
		return;
	}
	aa_json_send(req, 201, NULL, o);
	cJSON_Delete(o);
}

/* DELETE /sessions/{id}: answered once the agent has stopped. */
static void
h_delete(struct aa_http_req *req, void *data)
{
	struct hsess *hs = data;
	struct aa_host *h = hs->host;

	if (hs->stopping) {
		aa_json_send_error(req, 404, "no such session");
		return;
	}
	hs->del_req = req;
	aa_http_req_on_close(req, del_req_gone, hs);
	aa_host_remove(h, hs);
}

/* The chat's page routes are host-chat.c's.  GET /chat takes ?token=
 * (a page load cannot carry a header) only to trade it for the chat
 * cookie and a redirect without it; access.c says why. */
static const struct aa_http_route host_routes[] = {
	{ "GET", "/", aa_host_h_root, 0, 0 },
	{ "GET", "/chat", aa_host_h_chat, 0, AA_HTTP_QUERY_TOKEN },
	{ "GET", "/chat/", aa_host_h_chat_file, 0, AA_HTTP_PREFIX },
	{ "GET", "/events", aa_host_h_events, 0, AA_HTTP_QUERY_TOKEN },
	{ "GET", "/sessions", h_list, 0, 0 },
	{ "POST", "/sessions", h_create, HOST_BODY_LIMIT, 0 },
	{ "*", "/sessions/", NULL, 0, AA_HTTP_PREFIX | AA_HTTP_MOUNT },
	{ "POST", "/mcp", h_mcp, HOST_BODY_LIMIT, 0 },
	/* The notification stream: a foreign Origin is refused as on POST
	 * (MCP, streamable HTTP: servers validate Origin on every
	 * connection). */
	{ "GET", "/mcp", h_mcp, 0, AA_HTTP_CHANGES_STATE },
	{ "DELETE", "/mcp", h_mcp, 0, 0 },
};

static const struct aa_http_route session_routes[] = {
	{ "DELETE", "/", h_delete, 0, 0 },
	{ "POST", "/restart", h_restart, 0, 0 },
};

/* Picks the table for /sessions/{id}/...: the session's API, or the
 * host's own DELETE on /sessions/{id} itself and POST .../restart. */
static int
host_mount(struct aa_http_req *req, void *data, struct aa_http_mount *m)
{
	struct aa_host *h = data;
	const char *path = aa_http_req_path(req) + strlen("/sessions/");
	size_t n = strcspn(path, "/");
	struct hsess *hs = host_find(h, path, n);

	if (hs == NULL || hs->stopping || hs->api == NULL)
		return 404;
	m->strip = strlen("/sessions/") + n;
	if ((path[n] == '\0' && strcmp(aa_http_req_method(req), "DELETE") ==
	    0) || (strcmp(path + n, "/restart") == 0 &&
	    strcmp(aa_http_req_method(req), "POST") == 0)) {
		m->routes = session_routes;
		m->nroutes = AA__ARRAY_SIZE(session_routes);
		m->data = hs;
		return 0;
	}
	m->routes = aa_api_routes(hs->api, &m->nroutes);
	m->data = hs->api;
	/* On TCP every route needs the token, the chat's too. */
	m->flags_off = AA_HTTP_PUBLIC;
	return 0;
}

/* A browser that opens the chat without the token gets a page that says
 * where the way in is, rather than a problem+json. */
static const char host_401_page[] =
    "<!doctype html>\n<meta charset=\"utf-8\">\n"
    "<title>AgentAPI host: token needed</title>\n"
    "<p>This host needs its token.  Open the chat URL it logged at start, "
    "<code>http://localhost:PORT/chat?token=...</code>; the token is in "
    "<code>host.token</code> beside the host's socket.</p>\n";

static void
host_send_error(struct aa_http_req *req, int status, const char *detail)
{
	const char *path = aa_http_req_path(req);
	const char *accept = aa_http_req_header(req, "Accept");

	if (status == 401 && strcmp(aa_http_req_method(req), "GET") == 0 &&
	    (strcmp(path, "/") == 0 || strcmp(path, "/chat") == 0) &&
	    accept != NULL && strstr(accept, "text/html") != NULL) {
		aa_http_reply(req, 401, "text/html; charset=utf-8",
		    host_401_page, sizeof(host_401_page) - 1);
		return;
	}
	(void)aa_json_send_error(req, status, detail);
}

/* ---- the host ---- */

int
aa_host_open(struct aa_host *h, const struct aa_host_config *o,
    char **cause)
{
	static const char *const none[] = { NULL };
	struct aa_access_options ao;
	struct aa_http_options ho;
	char path[PATH_MAX];
	int rc;

	if (o->state_dir == NULL || o->unix_path == NULL)
		return AA_EINVAL;
	if (o->port >= 0 && (o->auth_token == NULL || *o->auth_token == '\0'))
		return aa__cause(cause, AA_EINVAL, "TCP needs a bearer token");
	aa_list_init(&h->sessions);
	h->max_sessions = o->max_sessions ? o->max_sessions :
	    AA_HOST_MAX_SESSIONS;
	h->stop_timeout_ms = o->stop_timeout_ms;
	snprintf(path, sizeof(path), "%s/sessions.json", o->state_dir);
	if ((h->state_dir = strdup(o->state_dir)) == NULL ||
	    (h->list_path = strdup(path)) == NULL) {
		rc = AA_ENOMEM;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/sessions", o->state_dir);
	if ((rc = aa_file_mkdirs(path)) != 0) {
		aa__cause(cause, rc, "creating %s: %s", path,
		    aa_strerror(rc));
		goto fail;
	}
	memset(&ao, 0, sizeof(ao));
	ao.allowed_hosts = o->allowed_hosts;
	ao.nallowed_hosts = o->nallowed_hosts;
	ao.allowed_origins = o->allowed_origins;
	ao.nallowed_origins = o->nallowed_origins;
	ao.token = o->port >= 0 ? o->auth_token : NULL;
	ao.cookie = 1;
	if ((rc = aa_access_new(&h->access, &ao, cause)) != 0)
		goto fail;
	if ((rc = aa_mcp_new(&h->mcp, h)) != 0 ||
	    (rc = aa_host_chat_new(&h->chat, h)) != 0)
		goto fail;
	memset(&ho, 0, sizeof(ho));
	ho.routes = host_routes;
	ho.nroutes = AA__ARRAY_SIZE(host_routes);
	ho.data = h;
	ho.access = h->access;
	ho.send_error = host_send_error;
	ho.mount = host_mount;
	ho.unix_path = o->unix_path;
	if (o->port >= 0) {
		ho.addrs = o->addrs;
		ho.naddrs = o->naddrs;
		ho.port = o->port;
	} else {
		ho.addrs = none;
		ho.naddrs = 0;
	}
	if ((rc = aa_http_server_new(&h->http, h->loop, &ho, cause)) != 0)
		goto fail;
	h->port = o->port >= 0 ? aa_http_server_port(h->http) : 0;
	if ((rc = aa_host_load_list(h, cause)) != 0)
		return rc; /* the caller closes h */
	aa_host_save_list(h);
	return 0;
fail:
	aa_mcp_close(h->mcp, NULL, NULL); /* no timer yet: freed now */
	aa_host_chat_close(h->chat, NULL, NULL); /* freed as the loop runs */
	h->chat = NULL;
	h->mcp = NULL;
	aa_access_free(h->access);
	h->access = NULL;
	free(h->state_dir);
	free(h->list_path);
	h->state_dir = h->list_path = NULL;
	h->http = NULL;
	return rc;
}

int
aa_host_port(const struct aa_host *h)
{
	return h->port;
}

size_t
aa_host_nsessions(const struct aa_host *h)
{
	return h->nsessions;
}

void
aa_host_close(struct aa_host *h, aa_host_stop_cb cb, void *ud)
{
	if (h == NULL || h->stopping)
		return;
	h->stopping = 1;
	h->stop_cb = cb;
	h->stop_ud = ud;
	/* One count per session and one for this call. */
	h->pending = 1 + (int)(h->nsessions + h->nstopping);
	/* The list on disk keeps them: a new host brings them back.  One
	 * at a time from the head: the embedder's on_session may delete
	 * any other session meanwhile, which a saved next would not see. */
	while (!aa_list_empty(&h->sessions))
		sess_stop(AA_LIST_ENTRY(h->sessions.next, struct hsess, link));
	host_part_done(h);
}
