/*
 * hostint.h - what the host's parts (host.c, mcp.c) share: sessions by
 * id, starting and stopping them, and the MCP endpoint's hooks.
 */
#ifndef AA_HOSTINT_H
#define AA_HOSTINT_H

#include <cJSON.h>
#include <uv.h>

struct aa_host;
struct aa_http_req;
struct aa_mcp;
struct aa_session;
struct hsess;

/* ---- host.c ---- */

/* The session with this id (not one being stopped), or NULL. */
struct hsess *aa_host_session(struct aa_host *h, const char *id);
/* Its id and its agent (NULL once stopping). */
const char *aa_hsess_id(const struct hsess *hs);
struct aa_session *aa_hsess_agent(const struct hsess *hs);
/* The sessions as GET /sessions lists them (a new array). */
cJSON *aa_host_sessions_json(struct aa_host *h);
/* Checks spec (POST /sessions' body) and starts it: 0 and *id (valid
 * while the session is), or an error with *status (422, 429, 500) and a
 * malloc'd *why. */
int aa_host_create_session(struct aa_host *h, const cJSON *spec,
    const char **id, int *status, char **why);
/* Checks a session spec (JSON text) as POST /sessions (saved 0) or the
 * saved list (saved 1) does: 0, or -1 and *why. */
int aa_host_check_spec(const char *json, size_t len, int saved,
    const char **why);
/* Stops the session and forgets it, as DELETE does, without an answer. */
void aa_host_remove(struct aa_host *h, struct hsess *hs);
/* The host's loop. */
uv_loop_t *aa_host_loop(struct aa_host *h);

/* ---- mcp.c: /mcp, the MCP server (streamable HTTP) ---- */

int aa_mcp_new(struct aa_mcp **out, struct aa_host *h);
/* Answers what still waits, closes the timer; cb(ud) once closed. */
void aa_mcp_close(struct aa_mcp *m, void (*cb)(void *), void *ud);
/* Handles POST, GET and DELETE /mcp. */
void aa_mcp_handle(struct aa_mcp *m, struct aa_http_req *req);
/* The session's state changed (wait_for may be answered). */
void aa_mcp_changed(struct aa_mcp *m, struct hsess *hs);
/* The session is going away: its waits end. */
void aa_mcp_gone(struct aa_mcp *m, struct hsess *hs);

#endif /* AA_HOSTINT_H */
