/*
 * host-api.c - the host as include/agentapi.h offers it to embedders.
 *
 * aa_host_new checks the caller's options and copies them (nothing is
 * opened); aa_host_start prepares the socket's directory as the program
 * does and opens the host (host.c: the server, the routes, the sessions
 * brought back); aa_host_stop closes it and removes the socket;
 * aa_host_free frees what is left.  Sessions are started, listed, read
 * and deleted by id through the paths POST /sessions, GET /sessions and
 * DELETE /sessions/{id} take, so a session the embedder starts is checked
 * by the same validator (host-spec.c) and is the same session a client of
 * the socket sees.
 *
 * The phases: NEW (made, not listening) -> RUNNING -> STOPPING (sessions
 * and server closing) -> STOPPED; a start that fails before listening
 * leaves the host NEW, one that fails after (the session list could not
 * be read) closes what it opened and goes STOPPING.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/list.h"
#include "base/log.h"
#include "host/host.h"
#include "host/hostint.h"
#include "host/host-private.h"

/* A spec's JSON text is bounded as POST /sessions' body is. */
#define HOST_API_SPEC_MAX (4 * 1024 * 1024)
/* Walking the caller's argv/env stops here: past the validator's bound
 * of 256 the spec is refused anyway. */
#define HOST_API_STRV_MAX 257

static void
strv_free(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* A NULL-terminated copy of n strings (v NULL: *out NULL). */
static int
strv_dup(const char *const *v, size_t n, char ***out)
{
	char **c;

	*out = NULL;
	if (v == NULL)
		return n == 0 ? 0 : AA_EINVAL;
	if ((c = calloc(n + 1, sizeof(*c))) == NULL)
		return AA_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == NULL || (c[i] = strdup(v[i])) == NULL) {
			strv_free(c);
			return v[i] == NULL ? AA_EINVAL : AA_ENOMEM;
		}
	}
	*out = c;
	return 0;
}

static void
host_api_release(struct aa_host *h)
{
	free(h->unix_path);
	free(h->token);
	free(h->state_dir);
	free(h->list_path);
	free((char *)h->cfg.state_dir);
	strv_free(h->addrs);
	strv_free(h->allowed_hosts);
	strv_free(h->allowed_origins);
	free(h);
}

int
aa_host_new(struct uv_loop_s *loop, struct aa_host **out,
    const struct aa_host_options *o, char **cause)
{
	struct aa_log log = { .line = o != NULL ? o->log : NULL,
		.ud = o != NULL ? o->ud : NULL };

	return aa_host_new_log(loop, out, o, &log, cause);
}

int
aa_host_new_log(struct uv_loop_s *loop, struct aa_host **out,
    const struct aa_host_options *o, const struct aa_log *log, char **cause)
{
	struct sockaddr_un sa;
	struct aa_host *h;
	char *state = NULL;
	int rc;

	if (cause != NULL)
		*cause = NULL;
	if (out == NULL)
		return AA_EINVAL;
	*out = NULL;
	if (loop == NULL || o == NULL)
		return aa__cause(cause, AA_EINVAL, "no loop or no options");
	if (o->version != AA_HOST_OPTIONS_VERSION)
		return aa__cause(cause, AA_EINVAL, "aa_host_options version %d "
		    "is not one this library reads (%d)", o->version,
		    AA_HOST_OPTIONS_VERSION);
	if (o->socket_path == NULL || o->socket_path[0] == '\0')
		return aa__cause(cause, AA_EINVAL, "socket_path is required");
	if (strlen(o->socket_path) >= sizeof(sa.sun_path))
		return aa__cause(cause, AA_EINVAL, "socket path too long "
		    "(at most %zu bytes): %s", sizeof(sa.sun_path) - 1,
		    o->socket_path);
	if (o->state_dir == NULL || o->state_dir[0] == '\0')
		return aa__cause(cause, AA_EINVAL, "state_dir is required");
	/* Room for "/sessions/<id>.json.journal" under it. */
	if (strlen(o->state_dir) >= PATH_MAX - 64)
		return aa__cause(cause, AA_EINVAL, "state_dir too long");
	if (o->tcp && (o->port < 0 || o->port > 65535))
		return aa__cause(cause, AA_EINVAL, "port %d is not 0..65535",
		    o->port);
	if ((o->addrs == NULL && o->naddrs != 0) ||
	    (o->allowed_hosts == NULL && o->nallowed_hosts != 0) ||
	    (o->allowed_origins == NULL && o->nallowed_origins != 0))
		return aa__cause(cause, AA_EINVAL, "a list's count is set but "
		    "its array is NULL");
	if ((o->term_width != 0 && (o->term_width < 20 ||
	    o->term_width > 500)) || (o->term_height != 0 &&
	    (o->term_height < 10 || o->term_height > 2000)))
		return aa__cause(cause, AA_EINVAL, "term_width must be 20..500 "
		    "and term_height 10..2000 (or 0)");
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return AA_ENOMEM;
	h->loop = loop;
	aa_list_init(&h->sessions);
	if (log != NULL)
		h->log = *log;
	h->on_session = o->on_session;
	h->ud = o->ud;
	h->term_width = o->term_width;
	h->term_height = o->term_height;
	h->phase = HOST_NEW;
	rc = AA_ENOMEM;
	if ((h->unix_path = strdup(o->socket_path)) == NULL ||
	    (state = strdup(o->state_dir)) == NULL)
		goto fail;
	h->cfg.state_dir = state;
	if ((rc = strv_dup(o->addrs, o->naddrs, &h->addrs)) != 0 ||
	    (rc = strv_dup(o->allowed_hosts, o->nallowed_hosts,
	    &h->allowed_hosts)) != 0 ||
	    (rc = strv_dup(o->allowed_origins, o->nallowed_origins,
	    &h->allowed_origins)) != 0) {
		if (rc == AA_EINVAL)
			aa__cause(cause, rc, "a NULL string in a list");
		goto fail;
	}
	if (o->tcp && o->auth_token != NULL && o->auth_token[0] != '\0') {
		if ((h->token = strdup(o->auth_token)) == NULL)
			goto fail;
	} else if (o->tcp) {
		unsigned char r[32];

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
			rc = aa__cause(cause, AA_EIO, "no random bytes for a "
			    "token");
			goto fail;
		}
		if ((h->token = malloc(2 * sizeof(r) + 1)) == NULL)
			goto fail;
		for (size_t i = 0; i < sizeof(r); i++)
			sprintf(h->token + 2 * i, "%02x", r[i]);
	}
	h->cfg.unix_path = h->unix_path;
	h->cfg.port = o->tcp ? o->port : -1;
	h->cfg.addrs = (const char *const *)h->addrs;
	h->cfg.naddrs = o->naddrs;
	h->cfg.auth_token = h->token;
	h->cfg.allowed_hosts = (const char *const *)h->allowed_hosts;
	h->cfg.nallowed_hosts = o->nallowed_hosts;
	h->cfg.allowed_origins = (const char *const *)h->allowed_origins;
	h->cfg.nallowed_origins = o->nallowed_origins;
	h->cfg.max_sessions = o->max_sessions;
	h->cfg.stop_timeout_ms = o->stop_timeout_ms;
	*out = h;
	return 0;
fail:
	host_api_release(h);
	return rc;
}

/* The host's server and sessions have closed. */
static void
host_api_closed(void *ud)
{
	struct aa_host *h = ud;
	aa_host_stop_cb cb = h->user_cb;
	struct stat st;

	h->phase = HOST_STOPPED;
	h->user_cb = NULL;
	/* The socket goes with the host: only if it is still ours. */
	if (lstat(h->unix_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_uid == geteuid())
		unlink(h->unix_path);
	if (cb != NULL)
		cb(h->user_ud);
}

int
aa_host_start(struct aa_host *h, char **cause)
{
	char (*ids)[AA_HOST_ID_SIZE];
	struct aa_list *it;
	size_t n = 0;
	int rc;

	if (cause != NULL)
		*cause = NULL;
	if (h == NULL)
		return AA_EINVAL;
	if (h->phase != HOST_NEW)
		return aa__cause(cause, AA_EINVAL, "the host was started "
		    "already");
	if ((rc = aa_host_prepare_socket(h->unix_path, cause)) != 0)
		return rc;
	if ((rc = aa_host_open(h, &h->cfg, cause)) != 0) {
		if (h->http != NULL) {
			h->phase = HOST_STOPPING;
			aa_host_close(h, host_api_closed, h);
		}
		return rc;
	}
	h->phase = HOST_RUNNING;
	if (h->on_session == NULL || h->nsessions == 0)
		return 0;
	/* The sessions brought back, by id: on_session may delete any. */
	if ((ids = calloc(h->nsessions, sizeof(*ids))) == NULL)
		return 0;
	AA_LIST_FOREACH(it, &h->sessions)
		memcpy(ids[n++], AA_LIST_ENTRY(it, struct hsess, link)->id,
		    AA_HOST_ID_SIZE);
	for (size_t i = 0; i < n; i++) {
		struct hsess *hs = aa_host_session(h, ids[i]);

		if (hs != NULL && h->phase == HOST_RUNNING)
			aa_host_notify(h, hs, AA_HOST_SESSION_ADDED);
	}
	free(ids);
	return 0;
}

void
aa_host_stop(struct aa_host *h, aa_host_stop_cb cb, void *ud)
{
	if (h == NULL)
		return;
	switch (h->phase) {
	case HOST_NEW:
	case HOST_STOPPED:
		h->phase = HOST_STOPPED;
		if (cb != NULL)
			cb(ud);
		return;
	case HOST_STOPPING:
		/* After a failed start: the first caller hears the end. */
		if (h->user_cb == NULL) {
			h->user_cb = cb;
			h->user_ud = ud;
		}
		return;
	default:
		break;
	}
	h->phase = HOST_STOPPING;
	h->user_cb = cb;
	h->user_ud = ud;
	aa_host_close(h, host_api_closed, h);
}

int
aa_host_free(struct aa_host *h)
{
	if (h == NULL)
		return 0;
	if (h->phase == HOST_RUNNING || h->phase == HOST_STOPPING)
		return AA_EBUSY;
	host_api_release(h);
	return 0;
}

const char *
aa_host_socket_path(const struct aa_host *h)
{
	return h->unix_path;
}

const char *
aa_host_token(const struct aa_host *h)
{
	return h->token;
}

void
aa_host_notify(struct aa_host *h, const struct hsess *hs,
    enum aa_host_event ev)
{
	if (h->on_session != NULL)
		h->on_session(h->ud, hs->id, ev);
}

/* ---- sessions ---- */

int
aa_host_session_new_json(struct aa_host *h, const char *json, size_t len,
    char id[AA_HOST_ID_SIZE], char **cause)
{
	const char *sid;
	char *why = NULL;
	cJSON *spec;
	int rc, st;

	if (cause != NULL)
		*cause = NULL;
	if (h == NULL || json == NULL || id == NULL)
		return AA_EINVAL;
	id[0] = '\0';
	if (h->phase != HOST_RUNNING)
		return aa__cause(cause, AA_EINVAL, "the host is not running");
	if (len > HOST_API_SPEC_MAX)
		return aa__cause(cause, AA_E2BIG, "the spec is over 4 MiB");
	if ((spec = cJSON_ParseWithLength(json, len)) == NULL)
		return aa__cause(cause, AA_EINVAL, "the spec is not JSON");
	rc = aa_host_create_session(h, spec, &sid, &st, &why);
	cJSON_Delete(spec);
	if (rc == 0) {
		memcpy(id, sid, AA_HOST_ID_SIZE);
		return 0;
	}
	if (cause != NULL)
		*cause = why;
	else
		free(why);
	return rc;
}

/* Adds n strings of v (NULL-terminated) as an array named key. */
static int
add_strv(cJSON *o, const char *key, const char *const *v)
{
	cJSON *a;
	size_t n = 0;

	if (v == NULL)
		return 0;
	if ((a = cJSON_AddArrayToObject(o, key)) == NULL)
		return AA_ENOMEM;
	for (; v[n] != NULL; n++) {
		cJSON *s;

		/* Past the bound: the validator says so. */
		if (n == HOST_API_STRV_MAX)
			break;
		if ((s = cJSON_CreateString(v[n])) == NULL ||
		    !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			return AA_ENOMEM;
		}
	}
	return 0;
}

/* Adds a string member unless s is NULL. */
static int
add_str(cJSON *o, const char *key, const char *s)
{
	return s == NULL || cJSON_AddStringToObject(o, key, s) != NULL ? 0 :
	    AA_ENOMEM;
}

int
aa_host_session_new(struct aa_host *h,
    const struct aa_host_session_options *o, char id[AA_HOST_ID_SIZE],
    char **cause)
{
	cJSON *spec;
	char *text;
	int rc = 0;

	if (cause != NULL)
		*cause = NULL;
	if (h == NULL || o == NULL || id == NULL)
		return AA_EINVAL;
	id[0] = '\0';
	if (o->version != AA_HOST_SESSION_OPTIONS_VERSION)
		return aa__cause(cause, AA_EINVAL, "aa_host_session_options "
		    "version %d is not one this library reads (%d)",
		    o->version, AA_HOST_SESSION_OPTIONS_VERSION);
	if (o->argv == NULL)
		return aa__cause(cause, AA_EINVAL, "argv is required");
	/* The struct as POST /sessions' body: one validator for both. */
	if ((spec = cJSON_CreateObject()) == NULL)
		return AA_ENOMEM;
	AA__FIRST_ERROR(rc, add_strv(spec, "argv", o->argv));
	AA__FIRST_ERROR(rc, add_strv(spec, "env", o->env));
	AA__FIRST_ERROR(rc, add_str(spec, "type", o->agent_type));
	AA__FIRST_ERROR(rc, add_str(spec, "name", o->name));
	AA__FIRST_ERROR(rc, add_str(spec, "cwd", o->cwd));
	AA__FIRST_ERROR(rc, add_str(spec, "state_file", o->state_file));
	if (o->initial_prompt != NULL && o->initial_prompt[0] != '\0')
		AA__FIRST_ERROR(rc, add_str(spec, "initial_prompt",
		    o->initial_prompt));
	if (o->cols != 0 && cJSON_AddNumberToObject(spec, "term_width",
	    o->cols) == NULL)
		AA__FIRST_ERROR(rc, AA_ENOMEM);
	if (o->rows != 0 && cJSON_AddNumberToObject(spec, "term_height",
	    o->rows) == NULL)
		AA__FIRST_ERROR(rc, AA_ENOMEM);
	text = rc == 0 ? cJSON_PrintUnformatted(spec) : NULL;
	cJSON_Delete(spec);
	if (text == NULL)
		return AA_ENOMEM;
	rc = aa_host_session_new_json(h, text, strlen(text), id, cause);
	cJSON_free(text);
	return rc;
}

size_t
aa_host_session_count(const struct aa_host *h)
{
	return aa_host_nsessions(h);
}

const char *
aa_host_session_id(const struct aa_host *h, size_t i)
{
	const struct aa_list *it;

	for (it = h->sessions.next; it != &h->sessions; it = it->next)
		if (i-- == 0)
			return AA_LIST_ENTRY(it, struct hsess, link)->id;
	return NULL;
}

struct aa_session *
aa_host_session_get(struct aa_host *h, const char *id)
{
	struct hsess *hs;

	if (h == NULL || id == NULL || (hs = aa_host_session(h, id)) == NULL)
		return NULL;
	return aa_hsess_agent(hs);
}

int
aa_host_session_delete(struct aa_host *h, const char *id)
{
	struct hsess *hs;

	if (h == NULL || id == NULL || (hs = aa_host_session(h, id)) == NULL)
		return AA_ENOENT;
	aa_host_remove(h, hs);
	return 0;
}
