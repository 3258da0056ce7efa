/*
 * mcp-private.h - what mcp.c (the transport, MCP sessions, wait_for) and
 * mcp-tools.c (the tools answered at once, their schemas and their
 * arguments' checks) share.
 */
#ifndef AA_MCP_PRIVATE_H
#define AA_MCP_PRIVATE_H

#include <stddef.h>

#include <cJSON.h>
#include <uv.h>

#include "base/list.h"

#define MCP_MAX_SESSIONS 256
#define MCP_URI_MAX 256

struct aa_host;
struct aa_http_req;
struct aa_session;
struct hsess;

struct aa_mcp {
	struct aa_host *host;
	uv_timer_t *timer;   /* while waits exist; NULL before the first */
	struct aa_list waits;
	size_t nwaits;
	char ids[MCP_MAX_SESSIONS][33]; /* MCP sessions, a ring */
	size_t nids, idhead;
	/* mcp-sub.c: GET streams, resource subscriptions, their timer. */
	struct aa_list streams, subs;
	size_t nsubs;
	uv_timer_t *ntimer;   /* while a stream is open; NULL before */
	int list_dirty, flush_armed;
	void (*close_cb)(void *);
	void *close_ud;
};

/* A tool answered at once: its result (aa_mcp_tool_ok/_err), or NULL when
 * out of memory. */
typedef cJSON *aa_mcp_tool_fn(struct aa_mcp *m, const cJSON *args);

/* ---- mcp-tools.c ---- */

/* A tool's result: structured content plus the same as text. */
cJSON *aa_mcp_tool_ok(cJSON *structured);
/* A tool's error: isError with the reason as text. */
cJSON *aa_mcp_tool_err(const char *why);
/* The result of tools/list: every tool with its schemas. */
cJSON *aa_mcp_tools_list(void);
/* The session named by args.id, or NULL with *why. */
struct hsess *aa_mcp_arg_session(struct aa_mcp *m, const cJSON *args,
    const char **why);
/* Non-zero when args has a member not in known (NULL-terminated). */
int aa_mcp_unknown_member(const cJSON *args, const char *const *known);
/* The tool answered at once with this name, or NULL (wait_for, which
 * answers later, is mcp.c's; an unknown name). */
aa_mcp_tool_fn *aa_mcp_tool(const char *name);
/* The messages of s after the id from (-1: all), as read_messages gives
 * them: a new array, or NULL without memory. */
cJSON *aa_mcp_messages_json(struct aa_session *s, double from);

/* ---- mcp-res.c: the transcripts as resources ---- */

/* JSON-RPC error codes of resources/read (MCP 2025-06-18, "Resources"). */
#define MCP_ERR_INVALID_PARAMS (-32602)
#define MCP_ERR_NOT_FOUND (-32002)

/* The result of resources/list: two transcripts per session. */
cJSON *aa_mcp_resources_list(struct aa_mcp *m);
/* The result of resources/templates/list. */
cJSON *aa_mcp_resource_templates(void);
/* The result of resources/read for params.uri, or NULL with *code and
 * *why (a JSON-RPC error; *code 0: out of memory). */
cJSON *aa_mcp_resource_read(struct aa_mcp *m, const cJSON *params,
    int *code, const char **why);
/* Splits a transcript URI into the session id and its kind (0: JSON,
 * 1: Markdown); -1 when it is neither form. */
int aa_mcp_parse_uri(const char *uri, char *id, size_t idsize,
    size_t *kind);

/* ---- mcp-sub.c: streams and subscriptions ---- */

/* GET /mcp of a known MCP session: its stream of notifications. */
void aa_mcp_sub_stream(struct aa_mcp *m, struct aa_http_req *req,
    const char *sid);
/* resources/subscribe (on) or unsubscribe: the result ({}), or NULL with
 * *code and *why as aa_mcp_resource_read. */
cJSON *aa_mcp_subscribe(struct aa_mcp *m, const char *sid,
    const cJSON *params, int on, int *code, const char **why);
/* The MCP session ended: its subscriptions and stream go. */
void aa_mcp_sub_session_end(struct aa_mcp *m, const char *sid);
/* Ends every stream, forgets every subscription, closes the timer. */
void aa_mcp_sub_close(struct aa_mcp *m);

#endif /* AA_MCP_PRIVATE_H */
