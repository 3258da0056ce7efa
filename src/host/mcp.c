/*
 * mcp.c - the host's MCP server: /mcp, streamable HTTP (MCP 2025-06-18),
 * so that an agent can drive agents.
 *
 * A POST carries one JSON-RPC message.  A request is answered with one
 * application/json response (no SSE stream is ever opened: GET /mcp is
 * 405, as the transport allows); a notification or a response gets 202.
 * initialize hands out an Mcp-Session-Id that later requests must carry
 * (400 without, 404 for an unknown one; DELETE /mcp ends it).  Tools:
 *
 *   list_agents    {}                                -> {agents: [...]}
 *   start_agent    {argv, type?, cwd?, env?, name?, initial_prompt?,
 *                   term_width?, term_height?}       -> {id}
 *   send_message   {id, content, mode?: queue|interrupt}
 *                                                    -> {sent}|{queued, qid}
 *   wait_for       {id, state: idle|waiting|exited, timeout_ms?}
 *                                                    -> {state, timed_out}
 *   read_messages  {id, since?}                      -> {messages: [...]}
 *   get_screen     {id}                              -> {screen}
 *   answer_prompt  {id, option: string|integer}      -> {ok}
 *   stop_agent     {id}                              -> {ok}
 *
 * A bad argument is a tool error (isError, the reason as text), not a
 * protocol error.  wait_for is answered later, when the session's state
 * matches (the host tells us of every change) or at its deadline (one
 * timer for all waits, armed only while some wait).  The tools
 * themselves, their schemas and their arguments' checks are mcp-tools.c;
 * this file keeps the transport, the MCP sessions and wait_for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <cJSON.h>
#include <uv.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/list.h"
#include "base/timefmt.h"
#include "runtime/session.h"
#include "http/http.h"
#include "api/json.h"
#include "host/hostint.h"
#include "host/mcp-private.h"

#define MCP_MAX_WAIT_MS 600000
#define MCP_MAX_WAITS 1024
#define MCP_PROTOCOL "2025-06-18"

/* A wait_for being waited on. */
struct mcp_wait {
	struct aa_list link;
	struct aa_mcp *m;
	struct aa_http_req *req;
	struct hsess *hs;
	cJSON *rpc_id;
	enum aa_agent_state want;
	uint64_t deadline; /* loop time, ms */
};

int
aa_mcp_new(struct aa_mcp **out, struct aa_host *h)
{
	struct aa_mcp *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (m == NULL)
		return AA_ENOMEM;
	m->host = h;
	aa_list_init(&m->waits);
	*out = m;
	return 0;
}

/* ---- JSON-RPC answers ---- */

/* Sends {"jsonrpc": "2.0", "id": id, key: val}; val is taken. */
static void
rpc_send(struct aa_http_req *req, const cJSON *id, const char *key,
    cJSON *val)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;

	if (o != NULL && cJSON_AddStringToObject(o, "jsonrpc", "2.0") != NULL &&
	    cJSON_AddItemToObject(o, "id", id != NULL ?
	    cJSON_Duplicate(id, 1) : cJSON_CreateNull()) &&
	    cJSON_AddItemToObject(o, key, val))
		val = NULL;
	cJSON_Delete(val);
	if (o != NULL)
		text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL) {
		aa_http_reply(req, 500, "text/plain", "out of memory\n", 14);
		return;
	}
	aa_http_reply(req, 200, "application/json", text, strlen(text));
	cJSON_free(text);
}

static void
rpc_error(struct aa_http_req *req, const cJSON *id, int code,
    const char *msg)
{
	cJSON *e = cJSON_CreateObject();

	if (e != NULL) {
		cJSON_AddNumberToObject(e, "code", code);
		cJSON_AddStringToObject(e, "message", msg);
	}
	rpc_send(req, id, "error", e);
}

/* ---- wait_for ---- */

static void wait_tick(uv_timer_t *t);

/* Answers a wait with the session's state and frees it. */
static void
wait_finish(struct mcp_wait *w, int timed_out, const char *gone)
{
	struct aa_mcp *m = w->m;
	cJSON *o;

	aa_list_remove(&w->link);
	m->nwaits--;
	if (w->req != NULL) {
		aa_http_req_on_close(w->req, NULL, NULL);
		if (gone != NULL)
			o = aa_mcp_tool_err(gone);
		else if ((o = cJSON_CreateObject()) != NULL) {
			struct aa_session *s = aa_hsess_agent(w->hs);

			cJSON_AddStringToObject(o, "state",
			    aa_agent_state_name(s != NULL ?
			    aa_session_state(s) : AA_STATE_EXITED));
			cJSON_AddBoolToObject(o, "timed_out", timed_out);
			o = aa_mcp_tool_ok(o);
		}
		rpc_send(w->req, w->rpc_id, "result", o);
	}
	cJSON_Delete(w->rpc_id);
	free(w);
	if (m->nwaits == 0 && m->timer != NULL)
		uv_timer_stop(m->timer);
}

/* The client went away: forget the request (the wait ends at once). */
static void
wait_req_gone(struct aa_http_req *req, void *arg)
{
	struct mcp_wait *w = arg;

	(void)req;
	w->req = NULL;
	wait_finish(w, 0, NULL);
}

static int
wait_matches(const struct mcp_wait *w)
{
	struct aa_session *s = aa_hsess_agent(w->hs);

	/* Idle with messages queued is not idle: the next one goes out at
	 * once, and a caller that sent one and waits for idle wants its
	 * reply (found by the agent-drives-agent test). */
	if (s != NULL && w->want == AA_STATE_IDLE &&
	    aa_session_queue_count(s) > 0)
		return 0;
	return s == NULL || aa_session_state(s) == w->want;
}

/* Arms the timer for the earliest deadline. */
static void
wait_arm(struct aa_mcp *m)
{
	uint64_t now = uv_now(aa_host_loop(m->host)), first = UINT64_MAX;
	struct aa_list *it;

	AA_LIST_FOREACH(it, &m->waits) {
		struct mcp_wait *w = AA_LIST_ENTRY(it, struct mcp_wait, link);

		if (w->deadline < first)
			first = w->deadline;
	}
	if (first != UINT64_MAX && m->timer != NULL)
		uv_timer_start(m->timer, wait_tick, first > now ?
		    first - now : 0, 0);
}

static void
wait_tick(uv_timer_t *t)
{
	struct aa_mcp *m = t->data;
	uint64_t now = uv_now(aa_host_loop(m->host));
	struct aa_list *it, *tmp;

	AA_LIST_FOREACH_SAFE(it, tmp, &m->waits) {
		struct mcp_wait *w = AA_LIST_ENTRY(it, struct mcp_wait, link);

		if (w->deadline <= now)
			wait_finish(w, 1, NULL);
	}
	wait_arm(m);
}

/* Starts a wait_for; answers now if the state already matches. */
static void
t_wait(struct aa_mcp *m, struct aa_http_req *req, const cJSON *rpc_id,
    const cJSON *args)
{
	static const char *const known[] = { "id", "state", "timeout_ms",
		NULL };
	static const char *const names[] = { "idle", "waiting", "exited" };
	static const enum aa_agent_state states[] = { AA_STATE_IDLE,
		AA_STATE_WAITING, AA_STATE_EXITED };
	const char *why = NULL, *st;
	struct hsess *hs = aa_mcp_arg_session(m, args, &why);
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(args,
	    "timeout_ms");
	struct mcp_wait *w;
	double ms = 60000;
	size_t k;

	if (hs == NULL || aa_mcp_unknown_member(args, known)) {
		rpc_send(req, rpc_id, "result", aa_mcp_tool_err(hs == NULL ? why :
		    "unknown argument (known: id, state, timeout_ms)"));
		return;
	}
	st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args,
	    "state"));
	for (k = 0; st != NULL && k < AA__ARRAY_SIZE(names); k++)
		if (strcmp(st, names[k]) == 0)
			break;
	if (st == NULL || k == AA__ARRAY_SIZE(names)) {
		rpc_send(req, rpc_id, "result", aa_mcp_tool_err("state must be "
		    "idle, waiting or exited"));
		return;
	}
	if (to != NULL) {
		if (!cJSON_IsNumber(to) || to->valuedouble < 0 ||
		    to->valuedouble > MCP_MAX_WAIT_MS) {
			rpc_send(req, rpc_id, "result", aa_mcp_tool_err("timeout_ms "
			    "must be a number from 0 to 600000"));
			return;
		}
		ms = to->valuedouble;
	}
	if (m->nwaits >= MCP_MAX_WAITS) {
		rpc_send(req, rpc_id, "result", aa_mcp_tool_err("too many waits"));
		return;
	}
	if (m->timer == NULL) {
		if ((m->timer = malloc(sizeof(*m->timer))) == NULL) {
			rpc_error(req, rpc_id, -32603, "out of memory");
			return;
		}
		uv_timer_init(aa_host_loop(m->host), m->timer);
		m->timer->data = m;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->rpc_id = cJSON_Duplicate(rpc_id, 1)) == NULL) {
		free(w);
		rpc_error(req, rpc_id, -32603, "out of memory");
		return;
	}
	w->m = m;
	w->req = req;
	w->hs = hs;
	w->want = states[k];
	w->deadline = uv_now(aa_host_loop(m->host)) + (uint64_t)ms;
	aa_list_insert_tail(&m->waits, &w->link);
	m->nwaits++;
	if (wait_matches(w)) {
		wait_finish(w, 0, NULL);
		return;
	}
	aa_http_req_on_close(req, wait_req_gone, w);
	wait_arm(m);
}

void
aa_mcp_changed(struct aa_mcp *m, struct hsess *hs)
{
	struct aa_list *it, *tmp;

	if (m == NULL)
		return;
	AA_LIST_FOREACH_SAFE(it, tmp, &m->waits) {
		struct mcp_wait *w = AA_LIST_ENTRY(it, struct mcp_wait, link);

		if (w->hs == hs && wait_matches(w))
			wait_finish(w, 0, NULL);
	}
}

void
aa_mcp_gone(struct aa_mcp *m, struct hsess *hs)
{
	struct aa_list *it, *tmp;

	if (m == NULL)
		return;
	AA_LIST_FOREACH_SAFE(it, tmp, &m->waits) {
		struct mcp_wait *w = AA_LIST_ENTRY(it, struct mcp_wait, link);

		if (w->hs == hs)
			wait_finish(w, 0, "the session was stopped");
	}
}

/* ---- the transport ---- */

/* Non-zero when id is one of ours. */
static int
session_known(const struct aa_mcp *m, const char *id)
{
	for (size_t i = 0; i < m->nids; i++)
		if (strcmp(m->ids[i], id) == 0)
			return 1;
	return 0;
}

/* Makes and keeps a new MCP session id; NULL without random bytes. */
static const char *
session_new(struct aa_mcp *m)
{
	unsigned char r[16];
	char *id;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return NULL;
	/* The oldest is forgotten once the ring is full. */
	id = m->ids[m->nids < MCP_MAX_SESSIONS ? m->nids++ : m->idhead++ %
	    MCP_MAX_SESSIONS];
	for (size_t i = 0; i < sizeof(r); i++)
		sprintf(id + 2 * i, "%02x", r[i]);
	return id;
}

static void
session_end(struct aa_mcp *m, const char *id)
{
	for (size_t i = 0; i < m->nids; i++)
		if (strcmp(m->ids[i], id) == 0) {
			m->ids[i][0] = '\0';
			return;
		}
}

static void
plain(struct aa_http_req *req, int status, const char *text)
{
	aa_http_reply(req, status, "text/plain; charset=utf-8", text,
	    strlen(text));
}

void
aa_mcp_handle(struct aa_mcp *m, struct aa_http_req *req)
{
	const char *method = aa_http_req_method(req);
	const char *sid = aa_http_req_header(req, "Mcp-Session-Id");
	const char *ver = aa_http_req_header(req, "MCP-Protocol-Version");
	const cJSON *id, *params, *name, *args;
	const char *rpc;
	cJSON *body = NULL, *res;
	size_t len;
	const char *text = aa_http_req_body(req, &len);

	if (m == NULL) {
		plain(req, 503, "shutting down\n");
		return;
	}
	if (strcmp(method, "GET") == 0) {
		/* No server-initiated stream (the transport allows none). */
		aa_http_res_header(req, "Allow", "POST, DELETE");
		plain(req, 405, "no SSE stream here: POST requests\n");
		return;
	}
	if (strcmp(method, "DELETE") == 0) {
		if (sid == NULL || !session_known(m, sid)) {
			plain(req, 404, "no such MCP session\n");
			return;
		}
		session_end(m, sid);
		aa_http_reply(req, 200, NULL, "", 0);
		return;
	}
	if (ver != NULL && strcmp(ver, MCP_PROTOCOL) != 0 &&
	    strcmp(ver, "2025-03-26") != 0) {
		plain(req, 400, "unsupported MCP-Protocol-Version\n");
		return;
	}
	if ((body = cJSON_ParseWithLength(text, len)) == NULL ||
	    !cJSON_IsObject(body)) {
		cJSON_Delete(body);
		rpc_error(req, NULL, -32700, "parse error (one JSON-RPC "
		    "message per request)");
		return;
	}
	id = cJSON_GetObjectItemCaseSensitive(body, "id");
	rpc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body,
	    "method"));
	params = cJSON_GetObjectItemCaseSensitive(body, "params");
	if (rpc == NULL || id == NULL) {
		/* A notification or a response: accepted, nothing to say. */
		cJSON_Delete(body);
		aa_http_reply(req, 202, NULL, "", 0);
		return;
	}
	if (!cJSON_IsString(id) && !cJSON_IsNumber(id)) {
		rpc_error(req, NULL, -32600, "invalid request id");
		cJSON_Delete(body);
		return;
	}
	if (strcmp(rpc, "initialize") == 0) {
		const char *sess = session_new(m);
		const char *want = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(params,
		    "protocolVersion"));

		if (sess == NULL) {
			rpc_error(req, id, -32603, "no random bytes");
			cJSON_Delete(body);
			return;
		}
		res = cJSON_CreateObject();
		cJSON_AddStringToObject(res, "protocolVersion", want != NULL &&
		    strcmp(want, "2025-03-26") == 0 ? want : MCP_PROTOCOL);
		cJSON_AddObjectToObject(cJSON_AddObjectToObject(res,
		    "capabilities"), "tools");
		{
			cJSON *info = cJSON_AddObjectToObject(res,
			    "serverInfo");

			cJSON_AddStringToObject(info, "name", "agentapi-c");
			cJSON_AddStringToObject(info, "version",
			    aa_version_string());
		}
		cJSON_AddStringToObject(res, "instructions", "Agent sessions "
		    "of an agentapi-c host: start_agent, send_message, "
		    "wait_for idle, read_messages.");
		aa_http_res_header(req, "Mcp-Session-Id", sess);
		rpc_send(req, id, "result", res);
		cJSON_Delete(body);
		return;
	}
	if (sid == NULL) {
		plain(req, 400, "Mcp-Session-Id required (initialize "
		    "first)\n");
		cJSON_Delete(body);
		return;
	}
	if (!session_known(m, sid)) {
		plain(req, 404, "no such MCP session\n");
		cJSON_Delete(body);
		return;
	}
	if (strcmp(rpc, "ping") == 0)
		rpc_send(req, id, "result", cJSON_CreateObject());
	else if (strcmp(rpc, "tools/list") == 0)
		rpc_send(req, id, "result", aa_mcp_tools_list());
	else if (strcmp(rpc, "tools/call") == 0) {
		name = cJSON_GetObjectItemCaseSensitive(params, "name");
		args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
		if (!cJSON_IsString(name) || (args != NULL &&
		    !cJSON_IsObject(args))) {
			rpc_error(req, id, -32602, "params: name (string) "
			    "and arguments (object)");
		} else {
			cJSON *empty = NULL;
			const char *n = name->valuestring;

			if (args == NULL)
				args = empty = cJSON_CreateObject();
			if (strcmp(n, "wait_for") == 0)
				t_wait(m, req, id, args);
			else {
				aa_mcp_tool_fn *fn = aa_mcp_tool(n);

				if (fn == NULL)
					rpc_error(req, id, -32602,
					    "unknown tool");
				else if ((res = fn(m, args)) == NULL)
					rpc_error(req, id, -32603,
					    "out of memory");
				else
					rpc_send(req, id, "result", res);
			}
			cJSON_Delete(empty);
		}
	} else
		rpc_error(req, id, -32601, "method not found");
	cJSON_Delete(body);
}

static void
timer_closed(uv_handle_t *h)
{
	struct aa_mcp *m = h->data;
	void (*cb)(void *) = m->close_cb;
	void *ud = m->close_ud;

	free(h);
	free(m);
	if (cb != NULL)
		cb(ud);
}

void
aa_mcp_close(struct aa_mcp *m, void (*cb)(void *), void *ud)
{
	struct aa_list *it, *tmp;

	if (m == NULL) {
		if (cb != NULL)
			cb(ud);
		return;
	}
	AA_LIST_FOREACH_SAFE(it, tmp, &m->waits)
		wait_finish(AA_LIST_ENTRY(it, struct mcp_wait, link), 0,
		    "the host is stopping");
	if (m->timer == NULL) {
		free(m);
		if (cb != NULL)
			cb(ud);
		return;
	}
	m->close_cb = cb;
	m->close_ud = ud;
	uv_close((uv_handle_t *)m->timer, timer_closed);
}
