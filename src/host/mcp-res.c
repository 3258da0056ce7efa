/*
 * mcp-res.c - the host's transcripts as MCP resources (MCP 2025-06-18,
 * "Resources"): each session's conversation, readable by URI.
 *
 *   agentapi://sessions/{id}/transcript     application/json
 *       {id, name, agent_type, state, messages: [{id, role, content,
 *       time}]}, the messages as read_messages gives them
 *   agentapi://sessions/{id}/transcript.md  text/markdown
 *       the same conversation for a person or a model to read
 *
 * resources/list lists both for every session, resources/templates/list
 * gives the two URI templates (RFC 6570), and resources/read answers one
 * URI or a JSON-RPC error: -32602 for a malformed URI, -32002 (the
 * specification's "resource not found") for a session that is not there.
 * A URI is at most MCP_URI_MAX bytes and must match one of the two forms
 * exactly; nothing else is looked up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "runtime/session.h"
#include "host/hostint.h"
#include "host/mcp-private.h"

#define MCP_URI_PREFIX "agentapi://sessions/"

/* The two kinds of transcript. */
static const struct {
	const char *suffix, *mime, *what;
} kinds[] = {
	{ "/transcript", "application/json", "as JSON" },
	{ "/transcript.md", "text/markdown", "as Markdown" },
};

/* A member of a sessions-list entry as a string ("" when absent). */
static const char *
member(const cJSON *o, const char *name)
{
	const char *v = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(o, name));

	return v != NULL ? v : "";
}

/* One resources/list entry for session e (GET /sessions' shape). */
static cJSON *
res_entry(const cJSON *e, size_t k)
{
	cJSON *r = cJSON_CreateObject();
	const char *id = member(e, "id"), *name = member(e, "name");
	char uri[MCP_URI_MAX], text[512];

	if (r == NULL)
		return NULL;
	snprintf(uri, sizeof(uri), MCP_URI_PREFIX "%s%s", id,
	    kinds[k].suffix);
	cJSON_AddStringToObject(r, "uri", uri);
	snprintf(text, sizeof(text), "%s%s", *name != '\0' ? name : id,
	    kinds[k].suffix);
	cJSON_AddStringToObject(r, "name", text);
	snprintf(text, sizeof(text), "Transcript of %s (%s)",
	    *name != '\0' ? name : id, member(e, "agent_type"));
	cJSON_AddStringToObject(r, "title", text);
	snprintf(text, sizeof(text), "The conversation of session %s (%s, "
	    "now %s) %s", id, member(e, "agent_type"), member(e, "state"),
	    kinds[k].what);
	cJSON_AddStringToObject(r, "description", text);
	cJSON_AddStringToObject(r, "mimeType", kinds[k].mime);
	return r;
}

cJSON *
aa_mcp_resources_list(struct aa_mcp *m)
{
	cJSON *all = aa_host_sessions_json(m->host), *r, *a;
	const cJSON *e;

	if (all == NULL || (r = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(all);
		return NULL;
	}
	if ((a = cJSON_AddArrayToObject(r, "resources")) == NULL)
		goto fail;
	cJSON_ArrayForEach(e, all) {
		for (size_t k = 0; k < AA__ARRAY_SIZE(kinds); k++) {
			cJSON *x = res_entry(e, k);

			if (x == NULL)
				goto fail;
			cJSON_AddItemToArray(a, x);
		}
	}
	cJSON_Delete(all);
	return r;
fail:
	cJSON_Delete(all);
	cJSON_Delete(r);
	return NULL;
}

cJSON *
aa_mcp_resource_templates(void)
{
	cJSON *r = cJSON_CreateObject(), *a;

	if (r == NULL || (a = cJSON_AddArrayToObject(r,
	    "resourceTemplates")) == NULL) {
		cJSON_Delete(r);
		return NULL;
	}
	for (size_t k = 0; k < AA__ARRAY_SIZE(kinds); k++) {
		cJSON *t = cJSON_CreateObject();
		char text[128];

		if (t == NULL) {
			cJSON_Delete(r);
			return NULL;
		}
		cJSON_AddItemToArray(a, t);
		snprintf(text, sizeof(text), MCP_URI_PREFIX "{id}%s",
		    kinds[k].suffix);
		cJSON_AddStringToObject(t, "uriTemplate", text);
		snprintf(text, sizeof(text), "transcript%s", k == 0 ? "" :
		    ".md");
		cJSON_AddStringToObject(t, "name", text);
		snprintf(text, sizeof(text), "A session's conversation %s "
		    "(the id from list_agents)", kinds[k].what);
		cJSON_AddStringToObject(t, "description", text);
		cJSON_AddStringToObject(t, "mimeType", kinds[k].mime);
	}
	return r;
}

int
aa_mcp_parse_uri(const char *uri, char *id, size_t idsize, size_t *kind)
{
	const char *p, *slash;
	size_t n;

	if (strlen(uri) >= MCP_URI_MAX || strncmp(uri, MCP_URI_PREFIX,
	    strlen(MCP_URI_PREFIX)) != 0)
		return -1;
	p = uri + strlen(MCP_URI_PREFIX);
	if ((slash = strchr(p, '/')) == NULL || (n = (size_t)(slash - p)) ==
	    0 || n >= idsize)
		return -1;
	for (size_t k = 0; k < AA__ARRAY_SIZE(kinds); k++)
		if (strcmp(slash, kinds[k].suffix) == 0) {
			memcpy(id, p, n);
			id[n] = '\0';
			*kind = k;
			return 0;
		}
	return -1;
}

/* The transcript as Markdown: a heading, then one section per message. */
static char *
markdown(const cJSON *doc)
{
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(doc, "messages");
	const cJSON *e;
	struct aa_buf b;
	const char *name = member(doc, "name");

	aa_buf_init(&b);
	aa_buf_printf(&b, "# Transcript of %s\n\nSession %s, agent %s, now "
	    "%s.\n", *name != '\0' ? name : member(doc, "id"),
	    member(doc, "id"), member(doc, "agent_type"),
	    member(doc, "state"));
	cJSON_ArrayForEach(e, msgs) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");

		aa_buf_printf(&b, "\n## %s (message %.0f, %s)\n\n%s\n",
		    member(e, "role"), cJSON_IsNumber(id) ? id->valuedouble :
		    0.0, member(e, "time"), member(e, "content"));
	}
	if (b.data == NULL) {
		aa_buf_release(&b);
		return NULL;
	}
	return aa_buf_steal(&b, NULL);
}

/* The session's entry of GET /sessions with its messages added. */
static cJSON *
transcript(struct aa_mcp *m, const char *id, struct aa_session *s)
{
	cJSON *all = aa_host_sessions_json(m->host), *doc = NULL, *msgs;
	const cJSON *e;

	if (all == NULL)
		return NULL;
	cJSON_ArrayForEach(e, all)
		if (strcmp(member(e, "id"), id) == 0)
			break;
	if (e != NULL && (doc = cJSON_CreateObject()) != NULL) {
		cJSON_AddStringToObject(doc, "id", id);
		cJSON_AddStringToObject(doc, "name", member(e, "name"));
		cJSON_AddStringToObject(doc, "agent_type", member(e,
		    "agent_type"));
		cJSON_AddStringToObject(doc, "state", member(e, "state"));
		if ((msgs = aa_mcp_messages_json(s, -1)) == NULL) {
			cJSON_Delete(doc);
			doc = NULL;
		} else
			cJSON_AddItemToObject(doc, "messages", msgs);
	}
	cJSON_Delete(all);
	return doc;
}

cJSON *
aa_mcp_resource_read(struct aa_mcp *m, const cJSON *params, int *code,
    const char **why)
{
	const char *uri = cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(params, "uri"));
	char id[64], *text;
	struct hsess *hs;
	size_t k;
	cJSON *doc, *r, *c, *one;

	*code = 0;
	*why = "out of memory";
	if (uri == NULL || aa_mcp_parse_uri(uri, id, sizeof(id), &k) != 0) {
		*code = MCP_ERR_INVALID_PARAMS;
		*why = "uri must be agentapi://sessions/{id}/transcript or "
		    "agentapi://sessions/{id}/transcript.md";
		return NULL;
	}
	if ((hs = aa_host_session(m->host, id)) == NULL ||
	    aa_hsess_agent(hs) == NULL) {
		*code = MCP_ERR_NOT_FOUND;
		*why = "resource not found: no such session";
		return NULL;
	}
	if ((doc = transcript(m, id, aa_hsess_agent(hs))) == NULL)
		return NULL;
	if (k == 0) {
		/* cJSON's text is cJSON_free's: copy it into ours. */
		char *j = cJSON_PrintUnformatted(doc);

		text = j != NULL ? strdup(j) : NULL;
		cJSON_free(j);
	} else
		text = markdown(doc);
	cJSON_Delete(doc);
	r = NULL;
	if (text == NULL || (r = cJSON_CreateObject()) == NULL ||
	    (c = cJSON_AddArrayToObject(r, "contents")) == NULL ||
	    (one = cJSON_CreateObject()) == NULL) {
		free(text);
		cJSON_Delete(r);
		return NULL;
	}
	cJSON_AddItemToArray(c, one);
	cJSON_AddStringToObject(one, "uri", uri);
	cJSON_AddStringToObject(one, "mimeType", kinds[k].mime);
	cJSON_AddStringToObject(one, "text", text);
	free(text);
	return r;
}
