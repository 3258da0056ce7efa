/*
 * api.h - aa_api: agentapi v0.12.1's HTTP surface over one session.
 *
 * The endpoints of ../shared/spec/http.md §3 (status, messages, message,
 * upload, events, internal/screen, openapi.json, docs, schemas, `/` and
 * the chat) on an aa_http server, and the two SSE streams they feed.  The
 * owner (aa_server) forwards the session's callbacks to the aa_api_on_*
 * functions, which serialize each change once into a shared aa_event and
 * publish it (STYLE 14).
 *
 * Deliberate differences from upstream (DESIGN "Compatibility decisions"):
 * reads never wait for a send; a busy agent is 409, an empty message 422
 * and an exited agent 503 (problem+json, errors[0].message keeps
 * upstream's text); every /events frame carries an id and Last-Event-ID
 * resumes; a heartbeat comment every 15 s.
 */
#ifndef AA_API_H
#define AA_API_H

#include <stddef.h>

#include <cJSON.h>
#include <uv.h>

#include "agentapi.h"
#include "core/conv.h"

struct aa_api;
struct aa_http_req;
struct aa_http_req;
struct aa_http_route;
struct aa_http_server;
struct aa_log;
struct aa_session;

/* struct aa_api_options is public (include/agentapi.h): aa_server_new
 * takes it in its options. */

/* Starts listening; errors (bad host lists, bind failure) come back with
 * a *cause worded as upstream's.  Log lines go to log (copied; NULL:
 * silent). */
int aa_api_new(struct aa_api **out, uv_loop_t *loop,
    const struct aa_api_options *o, const struct aa_log *log, char **cause);
/* Like aa_api_new, but listens nowhere: the routes (aa_api_routes) are
 * served through http, the host's server, mounted under a prefix
 * (http.h, AA_HTTP_MOUNT); o's addresses and port are unused, its host,
 * origin and token lists still checked but unenforced (the host's access
 * checks apply).  Closing drops the host connections still in one of
 * its requests. */
int aa_api_new_mounted(struct aa_api **out, uv_loop_t *loop,
    const struct aa_api_options *o, const struct aa_log *log,
    struct aa_http_server *http, char **cause);
/* The API's route table (upstream's and the control endpoints), for a
 * mount; valid until the API is freed. */
const struct aa_http_route *aa_api_routes(const struct aa_api *api,
    size_t *n);
/* Attaches the session whose conversation the API serves (may be NULL
 * while it starts: /status then answers "running"). */
void aa_api_set_session(struct aa_api *api, struct aa_session *s,
    const char *agent_type);
/* Completion of aa_api_close: the API has been freed. */
typedef void (*aa_api_close_cb)(void *ud);
/* Closes the listeners and connections, ends the SSE streams and removes
 * the upload directory at once; once the HTTP server and both streams
 * have reported closed, frees the API and then calls cb(ud) (cb may be
 * NULL).  Run the loop until then.  A second call is ignored; NULL is
 * fine. */
void aa_api_close(struct aa_api *api, aa_api_close_cb cb, void *ud);
/* Returns the TCP port the server listens on. */
int aa_api_port(const struct aa_api *api);
/* Returns the upload directory (absolute). */
const char *aa_api_upload_dir(const struct aa_api *api);

/* Publishes a message_update (the session's on_message). */
void aa_api_on_message(struct aa_api *api, const struct aa_message *m);
/* Publishes a status_change (the session's on_status). */
void aa_api_on_status(struct aa_api *api, enum aa_conv_status st);
/* Publishes a screen event to /internal/screen (latest wins). */
void aa_api_on_screen(struct aa_api *api, const char *text, size_t len);
/* Publishes an agent_error and keeps it (the last 100) for new clients. */
void aa_api_on_error(struct aa_api *api, int level, const char *text);

/* Publishes the opt-in state_change / queue_change events for the
 * session's AA_STEER_* changes (core/steer.h). */
void aa_api_on_steer(struct aa_api *api, unsigned changes);

/* Answers req with the embedded file at path ("web/host.html"), with its
 * validators (ETag, gzip), or 404: for a host's own pages. */
void aa_api_serve_asset(struct aa_http_req *req, const char *path);

/* The OpenAPI document served at /openapi.json; NULL if not embedded. */
const char *aa_api_openapi(size_t *lenp);

#endif /* AA_API_H */
