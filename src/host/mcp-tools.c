/*
 * mcp-tools.c - the tools of the host's MCP server (mcp.c): what
 * tools/list says of each (description, input and output JSON schemas)
 * and the tools answered at once, over the host's sessions (hostint.h).
 *
 * Arguments come from a client, so each tool checks its own: a member it
 * does not know, a wrong type, an id that names no session, a number out
 * of range or a string past its bound is a tool error (isError, the
 * reason as text) rather than a protocol error, and nothing is done.  A
 * result is given twice, as structured content and as the same JSON in
 * text, for clients that read only one.  wait_for, answered later, stays
 * with the transport in mcp.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/list.h"
#include "base/timefmt.h"
#include "runtime/session.h"
#include "http/http.h"
#include "api/json.h"
#include "host/hostint.h"
#include "host/mcp-private.h"

/* A tool's result: structured content plus the same as text. */
cJSON *
aa_mcp_tool_ok(cJSON *structured)
{
	cJSON *r = cJSON_CreateObject(), *c, *t;
	char *text = cJSON_PrintUnformatted(structured);

	if (r == NULL || text == NULL ||
	    (c = cJSON_AddArrayToObject(r, "content")) == NULL ||
	    (t = cJSON_CreateObject()) == NULL) {
		cJSON_free(text);
		cJSON_Delete(structured);
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddItemToArray(c, t);
	cJSON_AddStringToObject(t, "type", "text");
	cJSON_AddStringToObject(t, "text", text);
	cJSON_free(text);
	cJSON_AddItemToObject(r, "structuredContent", structured);
	cJSON_AddBoolToObject(r, "isError", 0);
	return r;
}

/* A tool error: the reason as text, isError set. */
cJSON *
aa_mcp_tool_err(const char *why)
{
	cJSON *r = cJSON_CreateObject(), *c, *t;

	if (r == NULL || (c = cJSON_AddArrayToObject(r, "content")) == NULL ||
	    (t = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddItemToArray(c, t);
	cJSON_AddStringToObject(t, "type", "text");
	cJSON_AddStringToObject(t, "text", why);
	cJSON_AddBoolToObject(r, "isError", 1);
	return r;
}

/* ---- the tools' schemas ---- */

/* Parses a schema written as JSON text (compile-time constants). */
static cJSON *
schema(const char *text)
{
	return cJSON_Parse(text);
}

#define S_ID "\"id\": {\"type\": \"string\", \"description\": " \
	"\"the session id (list_agents)\"}"
#define S_AGENT "{\"type\": \"object\", \"properties\": {\"id\": " \
	"{\"type\": \"string\"}, \"name\": {\"type\": \"string\"}, " \
	"\"agent_type\": {\"type\": \"string\"}, \"state\": {\"type\": " \
	"\"string\"}, \"status\": {\"type\": \"string\"}, \"queue\": " \
	"{\"type\": \"integer\"}}, \"required\": [\"id\", \"state\"]}"
#define S_MESSAGE "{\"type\": \"object\", \"properties\": {\"id\": " \
	"{\"type\": \"integer\"}, \"role\": {\"type\": \"string\", \"enum\": " \
	"[\"user\", \"agent\"]}, \"content\": {\"type\": \"string\"}, " \
	"\"time\": {\"type\": \"string\"}}, \"required\": [\"id\", \"role\", " \
	"\"content\", \"time\"]}"

static const struct mcp_tool {
	const char *name, *description, *input, *output;
} tools[] = {
	{ "list_agents", "Lists the agent sessions of this host with their "
	    "state (starting, idle, working, waiting, exited).",
	    "{\"type\": \"object\", \"properties\": {}, "
	    "\"additionalProperties\": false}",
	    "{\"type\": \"object\", \"properties\": {\"agents\": {\"type\": "
	    "\"array\", \"items\": " S_AGENT "}}, \"required\": "
	    "[\"agents\"]}" },
	{ "start_agent", "Starts a terminal coding agent (e.g. argv "
	    "[\"claude\"]) as a new session; returns its id.",
	    "{\"type\": \"object\", \"properties\": {\"argv\": {\"type\": "
	    "\"array\", \"items\": {\"type\": \"string\"}, \"minItems\": 1, "
	    "\"maxItems\": 256}, \"type\": {\"type\": \"string\"}, \"cwd\": "
	    "{\"type\": \"string\"}, \"env\": {\"type\": \"array\", \"items\": "
	    "{\"type\": \"string\"}}, \"name\": {\"type\": \"string\"}, "
	    "\"initial_prompt\": {\"type\": \"string\"}, \"term_width\": "
	    "{\"type\": \"integer\", \"minimum\": 20, \"maximum\": 500}, "
	    "\"term_height\": {\"type\": \"integer\", \"minimum\": 10, "
	    "\"maximum\": 2000}}, \"required\": [\"argv\"], "
	    "\"additionalProperties\": false}",
	    "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": "
	    "\"string\"}}, \"required\": [\"id\"]}" },
	{ "send_message", "Sends a user message to an agent: at once when it "
	    "is idle, else queued for its next idle moment; mode interrupt "
	    "first stops its current turn.",
	    "{\"type\": \"object\", \"properties\": {" S_ID ", \"content\": "
	    "{\"type\": \"string\", \"minLength\": 1}, \"mode\": {\"type\": "
	    "\"string\", \"enum\": [\"queue\", \"interrupt\"]}}, "
	    "\"required\": [\"id\", \"content\"], "
	    "\"additionalProperties\": false}",
	    "{\"type\": \"object\", \"properties\": {\"sent\": {\"type\": "
	    "\"boolean\"}, \"queued\": {\"type\": \"boolean\"}, \"qid\": "
	    "{\"type\": \"integer\"}}, \"required\": [\"sent\", "
	    "\"queued\"]}" },
	{ "wait_for", "Waits until an agent is idle, waiting (asks a "
	    "question) or exited, or the timeout passes.",
	    "{\"type\": \"object\", \"properties\": {" S_ID ", \"state\": "
	    "{\"type\": \"string\", \"enum\": [\"idle\", \"waiting\", "
	    "\"exited\"]}, \"timeout_ms\": {\"type\": \"integer\", "
	    "\"minimum\": 0, \"maximum\": 600000}}, \"required\": [\"id\", "
	    "\"state\"], \"additionalProperties\": false}",
	    "{\"type\": \"object\", \"properties\": {\"state\": {\"type\": "
	    "\"string\"}, \"timed_out\": {\"type\": \"boolean\"}}, "
	    "\"required\": [\"state\", \"timed_out\"]}" },
	{ "read_messages", "Reads an agent's conversation, all of it or the "
	    "messages after the id since.",
	    "{\"type\": \"object\", \"properties\": {" S_ID ", \"since\": "
	    "{\"type\": \"integer\", \"minimum\": -1}}, \"required\": "
	    "[\"id\"], \"additionalProperties\": false}",
	    "{\"type\": \"object\", \"properties\": {\"messages\": {\"type\": "
	    "\"array\", \"items\": " S_MESSAGE "}}, \"required\": "
	    "[\"messages\"]}" },
	{ "get_screen", "Returns the text on an agent's terminal screen.",
	    "{\"type\": \"object\", \"properties\": {" S_ID "}, "
	    "\"required\": [\"id\"], \"additionalProperties\": false}",
	    "{\"type\": \"object\", \"properties\": {\"screen\": {\"type\": "
	    "\"string\"}}, \"required\": [\"screen\"]}" },
	{ "answer_prompt", "Answers the question an agent waits on, with an "
	    "option key or label (string) or a 0-based index (integer).",
	    "{\"type\": \"object\", \"properties\": {" S_ID ", \"option\": "
	    "{\"type\": [\"string\", \"integer\"]}}, \"required\": [\"id\", "
	    "\"option\"], \"additionalProperties\": false}",
	    "{\"type\": \"object\", \"properties\": {\"ok\": {\"type\": "
	    "\"boolean\"}}, \"required\": [\"ok\"]}" },
	{ "stop_agent", "Stops an agent (interrupt, then kill after a "
	    "grace) and removes its session.",
	    "{\"type\": \"object\", \"properties\": {" S_ID "}, "
	    "\"required\": [\"id\"], \"additionalProperties\": false}",
	    "{\"type\": \"object\", \"properties\": {\"ok\": {\"type\": "
	    "\"boolean\"}}, \"required\": [\"ok\"]}" },
};

cJSON *
aa_mcp_tools_list(void)
{
	cJSON *r = cJSON_CreateObject(), *a;

	if (r == NULL || (a = cJSON_AddArrayToObject(r, "tools")) == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	for (size_t i = 0; i < AA__ARRAY_SIZE(tools); i++) {
		cJSON *t = cJSON_CreateObject();

		if (t == NULL) {
			cJSON_Delete(r);
			return NULL;
		}
		cJSON_AddItemToArray(a, t);
		cJSON_AddStringToObject(t, "name", tools[i].name);
		cJSON_AddStringToObject(t, "description",
		    tools[i].description);
		cJSON_AddItemToObject(t, "inputSchema",
		    schema(tools[i].input));
		cJSON_AddItemToObject(t, "outputSchema",
		    schema(tools[i].output));
	}
	return r;
}

/* ---- the tools ---- */

/* The session named by args.id, or NULL with *why. */
struct hsess *
aa_mcp_arg_session(struct aa_mcp *m, const cJSON *args, const char **why)
{
	const char *id = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(args, "id"));
	struct hsess *hs;

	if (id == NULL) {
		*why = "id must be a string (a session id from list_agents)";
		return NULL;
	}
	if ((hs = aa_host_session(m->host, id)) == NULL ||
	    aa_hsess_agent(hs) == NULL) {
		*why = "no such session";
		return NULL;
	}
	return hs;
}

/* Non-zero when args has a member not in the tool's schema. */
int
aa_mcp_unknown_member(const cJSON *args, const char *const *known)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, args) {
		size_t k;

		for (k = 0; known[k] != NULL; k++)
			if (strcmp(it->string, known[k]) == 0)
				break;
		if (known[k] == NULL)
			return 1;
	}
	return 0;
}

static cJSON *
t_list(struct aa_mcp *m, const cJSON *args)
{
	cJSON *o, *a;

	if (cJSON_GetArraySize(args) != 0)
		return aa_mcp_tool_err("list_agents takes no arguments");
	if ((a = aa_host_sessions_json(m->host)) == NULL ||
	    (o = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(a);
		return NULL;
	}
	cJSON_AddItemToObject(o, "agents", a);
	return aa_mcp_tool_ok(o);
}

static cJSON *
t_start(struct aa_mcp *m, const cJSON *args)
{
	const char *id;
	char *why = NULL;
	int st;
	cJSON *o, *r;

	if (aa_host_create_session(m->host, args, &id, &st, &why) != 0) {
		r = aa_mcp_tool_err(why != NULL ? why : "out of memory");
		free(why);
		return r;
	}
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "id", id);
	return aa_mcp_tool_ok(o);
}

static cJSON *
t_send(struct aa_mcp *m, const cJSON *args)
{
	static const char *const known[] = { "id", "content", "mode", NULL };
	const char *why = NULL, *text, *mode;
	struct hsess *hs = aa_mcp_arg_session(m, args, &why);
	struct aa_session *s;
	uint64_t qid = 0;
	cJSON *o;
	int rc, sent = 0;

	if (hs == NULL)
		return aa_mcp_tool_err(why);
	s = aa_hsess_agent(hs);
	text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args,
	    "content"));
	mode = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args,
	    "mode"));
	if (aa_mcp_unknown_member(args, known))
		return aa_mcp_tool_err("unknown argument (known: id, content, mode)");
	if (text == NULL || *text == '\0')
		return aa_mcp_tool_err("content must be a non-empty string");
	if (cJSON_GetObjectItemCaseSensitive(args, "mode") != NULL &&
	    (mode == NULL || (strcmp(mode, "queue") != 0 &&
	    strcmp(mode, "interrupt") != 0)))
		return aa_mcp_tool_err("mode must be \"queue\" or \"interrupt\"");
	if (mode != NULL && strcmp(mode, "interrupt") == 0 &&
	    aa_session_state(s) != AA_STATE_IDLE)
		(void)aa_session_interrupt(s);
	if (aa_session_idle(s) && aa_session_queue_count(s) == 0) {
		rc = aa_session_send_user(s, text, strlen(text), NULL, NULL);
		sent = rc == 0;
		if (rc != 0 && rc != AA_EBUSY)
			return aa_mcp_tool_err(aa_strerror(rc));
	}
	if (!sent && (rc = aa_session_queue_push(s, text, strlen(text),
	    &qid)) != 0)
		return aa_mcp_tool_err(rc == AA_EAGAIN ? "the queue is full" :
		    aa_strerror(rc));
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddBoolToObject(o, "sent", sent);
	cJSON_AddBoolToObject(o, "queued", !sent);
	if (!sent)
		cJSON_AddNumberToObject(o, "qid", (double)qid);
	return aa_mcp_tool_ok(o);
}

static cJSON *
t_messages(struct aa_mcp *m, const cJSON *args)
{
	static const char *const known[] = { "id", "since", NULL };
	const char *why = NULL;
	struct hsess *hs = aa_mcp_arg_session(m, args, &why);
	const cJSON *since = cJSON_GetObjectItemCaseSensitive(args, "since");
	struct aa_session *s;
	double from = -1;
	cJSON *o, *a;
	size_t n;

	if (hs == NULL)
		return aa_mcp_tool_err(why);
	if (aa_mcp_unknown_member(args, known))
		return aa_mcp_tool_err("unknown argument (known: id, since)");
	if (since != NULL) {
		if (!cJSON_IsNumber(since) || since->valuedouble !=
		    (double)(long long)since->valuedouble)
			return aa_mcp_tool_err("since must be a whole number");
		from = since->valuedouble;
	}
	s = aa_hsess_agent(hs);
	if ((o = cJSON_CreateObject()) == NULL ||
	    (a = cJSON_AddArrayToObject(o, "messages")) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	n = aa_session_message_count(s);
	for (size_t i = 0; i < n; i++) {
		const struct aa_message *msg = aa_session_message(s, i);
		struct aa_buf t;
		cJSON *e;

		if ((double)msg->id <= from)
			continue;
		if ((e = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddItemToArray(a, e);
		cJSON_AddNumberToObject(e, "id", (double)msg->id);
		cJSON_AddStringToObject(e, "role",
		    aa_conv_role_name(msg->role));
		/* cJSON copies up to a NUL; messages hold none in practice
		 * and a cut one is still valid JSON. */
		{
			char *text = strndup(msg->text, msg->len);

			cJSON_AddStringToObject(e, "content", text != NULL ?
			    text : "");
			free(text);
		}
		aa_buf_init(&t);
		if (aa_time_format(&t, msg->time_ns, 0) == 0)
			cJSON_AddStringToObject(e, "time", aa_buf_str(&t));
		aa_buf_release(&t);
	}
	return aa_mcp_tool_ok(o);
}

static cJSON *
t_screen(struct aa_mcp *m, const cJSON *args)
{
	static const char *const known[] = { "id", NULL };
	const char *why = NULL, *text;
	struct hsess *hs = aa_mcp_arg_session(m, args, &why);
	size_t len;
	char *copy;
	cJSON *o;

	if (hs == NULL)
		return aa_mcp_tool_err(why);
	if (aa_mcp_unknown_member(args, known))
		return aa_mcp_tool_err("unknown argument (known: id)");
	text = aa_session_screen(aa_hsess_agent(hs), &len);
	if ((o = cJSON_CreateObject()) == NULL ||
	    (copy = strndup(text != NULL ? text : "", len)) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddStringToObject(o, "screen", copy);
	free(copy);
	return aa_mcp_tool_ok(o);
}

static cJSON *
t_answer(struct aa_mcp *m, const cJSON *args)
{
	static const char *const known[] = { "id", "option", NULL };
	const char *why = NULL, *opt;
	struct hsess *hs = aa_mcp_arg_session(m, args, &why);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(args, "option");
	struct aa_session *s;
	cJSON *r;
	size_t nopts = 0;
	int rc;

	if (hs == NULL)
		return aa_mcp_tool_err(why);
	if (aa_mcp_unknown_member(args, known))
		return aa_mcp_tool_err("unknown argument (known: id, option)");
	s = aa_hsess_agent(hs);
	if (aa_session_prompt_question(s, NULL, &nopts) == NULL)
		return aa_mcp_tool_err("the agent is not waiting on a question");
	if (cJSON_IsNumber(o)) {
		double d = o->valuedouble;

		if (d != (double)(long long)d || d < 0 || d >= (double)nopts)
			return aa_mcp_tool_err("option index out of range");
		opt = aa_session_prompt_option(s, (size_t)d, NULL);
	} else if ((opt = cJSON_GetStringValue(o)) == NULL || *opt == '\0')
		return aa_mcp_tool_err("option must be a key, a label or an index");
	if (opt == NULL || (rc = aa_session_answer_option(s, opt)) != 0) {
		struct aa_buf b;
		const char *label;

		aa_buf_init(&b);
		aa_buf_printf(&b, "unknown option; the options are:");
		for (size_t i = 0; i < nopts; i++) {
			const char *key = aa_session_prompt_option(s, i,
			    &label);

			aa_buf_printf(&b, " %s (%s)%s", key, label,
			    i + 1 < nopts ? "," : "");
		}
		r = aa_mcp_tool_err(aa_buf_str(&b));
		aa_buf_release(&b);
		return r;
	}
	if ((r = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddBoolToObject(r, "ok", 1);
	return aa_mcp_tool_ok(r);
}

static cJSON *
t_stop(struct aa_mcp *m, const cJSON *args)
{
	static const char *const known[] = { "id", NULL };
	const char *why = NULL;
	struct hsess *hs = aa_mcp_arg_session(m, args, &why);
	cJSON *o;

	if (hs == NULL)
		return aa_mcp_tool_err(why);
	if (aa_mcp_unknown_member(args, known))
		return aa_mcp_tool_err("unknown argument (known: id)");
	aa_host_remove(m->host, hs);
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddBoolToObject(o, "ok", 1);
	return aa_mcp_tool_ok(o);
}

/* The tools answered at once. */
static const struct {
	const char *name;
	aa_mcp_tool_fn *fn;
} calls[] = {
	{ "list_agents", t_list },
	{ "start_agent", t_start },
	{ "send_message", t_send },
	{ "read_messages", t_messages },
	{ "get_screen", t_screen },
	{ "answer_prompt", t_answer },
	{ "stop_agent", t_stop },
};

aa_mcp_tool_fn *
aa_mcp_tool(const char *name)
{
	size_t k;

	for (k = 0; k < AA__ARRAY_SIZE(calls); k++)
		if (strcmp(name, calls[k].name) == 0)
			return calls[k].fn;
	return NULL;
}
