/*
 * host-list.c - GET /sessions' entries: a session's spec (host-spec.c)
 * with what it is doing now (status, state, queue, messages, pid, the
 * question it waits on, parser health).  The same list feeds MCP's
 * list_agents and the chat's session stream (host-chat.c).
 */
#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "base/list.h"
#include "base/timefmt.h"
#include "core/agent.h"
#include "core/health.h"
#include "core/prompt.h"
#include "core/queue.h"
#include "runtime/session.h"
#include "host/hostint.h"
#include "host/host-private.h"

/* Adds what the chat's list shows beside the state: "prompt" ({kind,
 * question}, only while waiting) and "health". */
static int
sess_json_steer(const struct aa_session *s, cJSON *o)
{
	const struct aa_prompt *p;
	int64_t since;
	cJSON *po;

	if (s != NULL && (p = aa_session_prompt(s, &since)) != NULL &&
	    ((po = cJSON_AddObjectToObject(o, "prompt")) == NULL ||
	    cJSON_AddStringToObject(po, "kind",
	    aa_prompt_kind_name(p->kind)) == NULL ||
	    cJSON_AddStringToObject(po, "question", p->question) == NULL))
		return AA_ENOMEM;
	if (cJSON_AddStringToObject(o, "health", s != NULL ?
	    aa_health_name(aa_session_health(s)) : "ok") == NULL)
		return AA_ENOMEM;
	return 0;
}

/* One entry of GET /sessions. */
static cJSON *
sess_json(const struct hsess *hs)
{
	cJSON *o = aa_host_spec_to_json(hs);
	const struct aa_session *s = hs->session;
	struct aa_buf t;

	if (o == NULL)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(o, "own_state");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "created");
	aa_buf_init(&t);
	if (aa_time_format(&t, hs->spec.created_ns, 0) != 0 ||
	    cJSON_AddStringToObject(o, "created", aa_buf_str(&t)) == NULL ||
	    cJSON_AddStringToObject(o, "agent_type", s != NULL ?
	    aa_session_agent_name(s) : "custom") == NULL ||
	    cJSON_AddStringToObject(o, "status", s != NULL ?
	    aa_session_status_name(s) : "stable") == NULL ||
	    cJSON_AddStringToObject(o, "state", aa_agent_state_name(s !=
	    NULL ? aa_session_state(s) : AA_STATE_EXITED)) == NULL ||
	    cJSON_AddNumberToObject(o, "queue", s != NULL ?
	    (double)aa_session_queue(s)->n : 0) == NULL ||
	    cJSON_AddNumberToObject(o, "messages", s != NULL ?
	    (double)aa_session_message_count(s) : 0) == NULL ||
	    cJSON_AddNumberToObject(o, "pid", s != NULL && !hs->exited ?
	    aa_session_pid(s) : 0) == NULL || sess_json_steer(s, o) != 0) {
		cJSON_Delete(o);
		o = NULL;
	}
	aa_buf_release(&t);
	return o;
}

cJSON *
aa_host_sessions_json(struct aa_host *h)
{
	cJSON *a = cJSON_CreateArray();
	struct aa_list *it;

	if (a == NULL)
		return NULL;
	AA_LIST_FOREACH(it, &h->sessions) {
		cJSON *e = sess_json(AA_LIST_ENTRY(it, struct hsess, link));

		if (e == NULL || !cJSON_AddItemToArray(a, e)) {
			cJSON_Delete(e);
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

