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
#include "core/queue.h"
#include "runtime/session.h"
#include "http/access.h"
#include "http/http.h"
#include "api/api.h"
#include "api/json.h"
#include "host/host.h"
#include "host/hostint.h"

#define HOST_MAX_ARGV 256
#define HOST_MAX_ARG 4096
#define HOST_MAX_ENV 256
#define HOST_MAX_ENV_ENTRY 8192
#define HOST_MAX_NAME 128
#define HOST_MAX_PROMPT (1024 * 1024)
#define HOST_BODY_LIMIT (4 * 1024 * 1024)
#define HOST_LIST_MAX (64 * 1024 * 1024)
#define HOST_ID_LEN 16

/* What a session is made of: all the host saves to bring it back. */
struct hspec {
	char *name;
	char *type;           /* as given; NULL: from argv[0] */
	char **argv;          /* NULL-terminated */
	size_t argc;
	char *cwd;            /* absolute, NULL: the host's */
	char **env;           /* NAME=VALUE over the host's, NULL-terminated */
	size_t nenv;
	unsigned cols, rows;
	char *initial_prompt; /* sent once; never saved */
	char *state_file;     /* absolute */
	int own_state;        /* the host named the state file: delete it */
	int64_t created_ns;
};

struct hsess {
	struct aa_list link;
	struct aa_host *host;
	char id[HOST_ID_LEN + 1];
	char prefix[64];      /* "/sessions/<id>" */
	struct hspec spec;
	struct aa_session *session;
	struct aa_api *api;
	char **envp;          /* the agent's whole environment */
	int exited;
	int exit_status;
	int stopping;
	int forget;           /* deleted: remove the state the host made */
	struct aa_http_req *del_req; /* a DELETE waiting for the stop */
};

struct aa_host {
	uv_loop_t *loop;
	struct aa_http_server *http;
	struct aa_mcp *mcp;
	struct aa_access *access;
	struct aa_list sessions;
	size_t nsessions;
	size_t max_sessions;
	unsigned stop_timeout_ms;
	char *state_dir;
	char *list_path;
	struct aa_log log;
	int port;
	int stopping;
	size_t nstopping;     /* sessions off the list, not yet freed */
	int pending;          /* during a stop: sessions not yet freed */
	aa_host_stop_cb stop_cb;
	void *stop_ud;
};

static void host_save_list(struct aa_host *h);
static void sess_stop(struct hsess *hs);

/* ---- specs ---- */

static void
strv_free(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void
spec_release(struct hspec *sp)
{
	free(sp->name);
	free(sp->type);
	strv_free(sp->argv);
	free(sp->cwd);
	strv_free(sp->env);
	free(sp->initial_prompt);
	free(sp->state_file);
	memset(sp, 0, sizeof(*sp));
}

/* Sets *why (static text) and returns -1. */
static int
bad(const char **why, const char *text)
{
	*why = text;
	return -1;
}

/* Non-zero when s is a string of at most max bytes without control
 * characters other than tab (names, paths, arguments). */
static int
plain_string(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return 0;
	return 1;
}

/* Copies a JSON array of strings into a NULL-terminated vector. */
static int
strv_from_json(const cJSON *a, size_t max_items, size_t max_len,
    int is_env, char ***out, size_t *n, const char **why)
{
	const cJSON *it;
	size_t i = 0, cnt;
	char **v;

	if (!cJSON_IsArray(a))
		return bad(why, is_env ? "env must be an array of strings" :
		    "argv must be an array of strings");
	cnt = (size_t)cJSON_GetArraySize(a);
	if (cnt > max_items)
		return bad(why, is_env ? "env has more than 256 entries" :
		    "argv has more than 256 items");
	if ((v = calloc(cnt + 1, sizeof(*v))) == NULL)
		return bad(why, "out of memory");
	cJSON_ArrayForEach(it, a) {
		const char *s = cJSON_GetStringValue(it);
		const char *eq;

		if (s == NULL || strlen(s) > max_len || (!is_env &&
		    !plain_string(s, max_len))) {
			strv_free(v);
			return bad(why, is_env ? "env entries must be strings "
			    "of at most 8 KiB" : "argv items must be strings "
			    "of at most 4 KiB without control characters");
		}
		if (is_env) {
			eq = strchr(s, '=');
			if (eq == NULL || eq == s || (s[0] >= '0' &&
			    s[0] <= '9')) {
				strv_free(v);
				return bad(why, "env entries must be "
				    "NAME=VALUE");
			}
			for (const char *c = s; c < eq; c++)
				if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') ||
				    (*c >= 'a' && *c <= 'z') ||
				    (*c >= '0' && *c <= '9'))) {
					strv_free(v);
					return bad(why, "env entries must be "
					    "NAME=VALUE with NAME of letters, "
					    "digits and _");
				}
		}
		if ((v[i++] = strdup(s)) == NULL) {
			strv_free(v);
			return bad(why, "out of memory");
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* Reads an optional string member; -1 (why) when present but not a
 * string within bounds. */
static int
opt_string(const cJSON *o, const char *key, size_t max, int plain,
    char **out, const char **why, const char *msg)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	const char *s;

	*out = NULL;
	if (it == NULL || cJSON_IsNull(it))
		return 0;
	if ((s = cJSON_GetStringValue(it)) == NULL || strlen(s) > max ||
	    (plain && !plain_string(s, max)))
		return bad(why, msg);
	if ((*out = strdup(s)) == NULL)
		return bad(why, "out of memory");
	return 0;
}

/* Reads an optional whole number in [lo, hi]; def when absent. */
static int
opt_uint(const cJSON *o, const char *key, unsigned lo, unsigned hi,
    unsigned def, unsigned *out, const char **why, const char *msg)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	double d;

	*out = def;
	if (it == NULL || cJSON_IsNull(it))
		return 0;
	if (!cJSON_IsNumber(it))
		return bad(why, msg);
	d = it->valuedouble;
	if (d != (double)(long long)d || d < lo || d > hi)
		return bad(why, msg);
	*out = (unsigned)d;
	return 0;
}

/* Checks and copies a session spec from JSON (a request body, or an entry
 * of sessions.json: saved is set, and state_file is then required).
 * Returns 0, or -1 with *why. */
static int
spec_from_json(const cJSON *o, int saved, struct hspec *sp,
    const char **why)
{
	static const char *const known[] = { "type", "argv", "cwd", "env",
		"term_width", "term_height", "initial_prompt", "state_file",
		"name", "id", "created", "own_state" };
	const cJSON *it;
	struct stat st;

	memset(sp, 0, sizeof(*sp));
	if (!cJSON_IsObject(o))
		return bad(why, "the body must be a JSON object");
	cJSON_ArrayForEach(it, o) {
		size_t k;

		for (k = 0; k < AA__ARRAY_SIZE(known); k++)
			if (strcmp(it->string, known[k]) == 0)
				break;
		if (k == AA__ARRAY_SIZE(known) || (!saved && k >= 9))
			return bad(why, "unknown member (known: type, argv, "
			    "cwd, env, term_width, term_height, "
			    "initial_prompt, state_file, name)");
	}
	it = cJSON_GetObjectItemCaseSensitive(o, "argv");
	if (it == NULL)
		return bad(why, "argv is required");
	if (strv_from_json(it, HOST_MAX_ARGV, HOST_MAX_ARG, 0, &sp->argv,
	    &sp->argc, why) != 0)
		goto fail;
	if (sp->argc == 0 || sp->argv[0][0] == '\0') {
		bad(why, "argv must name a program");
		goto fail;
	}
	it = cJSON_GetObjectItemCaseSensitive(o, "env");
	if (it != NULL && !cJSON_IsNull(it) && strv_from_json(it,
	    HOST_MAX_ENV, HOST_MAX_ENV_ENTRY, 1, &sp->env, &sp->nenv,
	    why) != 0)
		goto fail;
	if (opt_string(o, "type", 32, 1, &sp->type, why,
	    "type must be an agent type") != 0)
		goto fail;
	if (sp->type != NULL && aa_agent_find(sp->type) == NULL) {
		bad(why, "unknown agent type");
		goto fail;
	}
	if (opt_string(o, "name", HOST_MAX_NAME, 1, &sp->name, why,
	    "name must be a string of at most 128 bytes") != 0)
		goto fail;
	if (opt_string(o, "cwd", PATH_MAX - 1, 1, &sp->cwd, why,
	    "cwd must be a path") != 0)
		goto fail;
	if (sp->cwd != NULL && (sp->cwd[0] != '/' || stat(sp->cwd, &st) != 0 ||
	    !S_ISDIR(st.st_mode))) {
		bad(why, "cwd must be an absolute path to an existing "
		    "directory");
		goto fail;
	}
	if (opt_string(o, "state_file", PATH_MAX - 64, 1, &sp->state_file,
	    why, "state_file must be a path") != 0)
		goto fail;
	if (sp->state_file != NULL && sp->state_file[0] != '/') {
		bad(why, "state_file must be an absolute path");
		goto fail;
	}
	if (saved && sp->state_file == NULL) {
		bad(why, "state_file missing");
		goto fail;
	}
	if (opt_string(o, "initial_prompt", HOST_MAX_PROMPT, 0,
	    &sp->initial_prompt, why,
	    "initial_prompt must be a string of at most 1 MiB") != 0)
		goto fail;
	if (opt_uint(o, "term_width", 20, 500, 80, &sp->cols, why,
	    "term_width must be a whole number from 20 to 500") != 0 ||
	    opt_uint(o, "term_height", 10, 2000, 1000, &sp->rows, why,
	    "term_height must be a whole number from 10 to 2000") != 0)
		goto fail;
	if (saved) {
		it = cJSON_GetObjectItemCaseSensitive(o, "created");
		if (cJSON_IsNumber(it))
			sp->created_ns = (int64_t)it->valuedouble;
		sp->own_state = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(o, "own_state"));
	}
	return 0;
fail:
	spec_release(sp);
	return -1;
}

/* Checks a session spec given as JSON text, as POST /sessions (saved 0)
 * or sessions.json (saved 1) would (hostint.h; the fuzzer's entry). */
int
aa_host_check_spec(const char *json, size_t len, int saved,
    const char **why)
{
	struct hspec sp;
	cJSON *o = cJSON_ParseWithLength(json, len);
	int rc;

	*why = "not JSON";
	if (o == NULL)
		return -1;
	rc = spec_from_json(o, saved, &sp, why);
	if (rc == 0)
		spec_release(&sp);
	cJSON_Delete(o);
	return rc;
}

/* The spec as saved in sessions.json. */
static cJSON *
spec_to_json(const struct hsess *hs)
{
	const struct hspec *sp = &hs->spec;
	cJSON *o = cJSON_CreateObject(), *a;

	if (o == NULL || cJSON_AddStringToObject(o, "id", hs->id) == NULL)
		goto fail;
	if (sp->name != NULL && cJSON_AddStringToObject(o, "name",
	    sp->name) == NULL)
		goto fail;
	if (sp->type != NULL && cJSON_AddStringToObject(o, "type",
	    sp->type) == NULL)
		goto fail;
	if ((a = cJSON_AddArrayToObject(o, "argv")) == NULL)
		goto fail;
	for (size_t i = 0; i < sp->argc; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(sp->argv[i])))
			goto fail;
	if (sp->cwd != NULL && cJSON_AddStringToObject(o, "cwd", sp->cwd) ==
	    NULL)
		goto fail;
	if (sp->env != NULL) {
		if ((a = cJSON_AddArrayToObject(o, "env")) == NULL)
			goto fail;
		for (size_t i = 0; i < sp->nenv; i++)
			if (!cJSON_AddItemToArray(a,
			    cJSON_CreateString(sp->env[i])))
				goto fail;
	}
	if (cJSON_AddNumberToObject(o, "term_width", sp->cols) == NULL ||
	    cJSON_AddNumberToObject(o, "term_height", sp->rows) == NULL ||
	    cJSON_AddStringToObject(o, "state_file", sp->state_file) ==
	    NULL ||
	    cJSON_AddBoolToObject(o, "own_state", sp->own_state) == NULL ||
	    cJSON_AddNumberToObject(o, "created", (double)sp->created_ns) ==
	    NULL)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* ---- the agent's command line and environment ---- */

/* The arguments that make a relaunched agent of this type resume its
 * last conversation in its directory, or NULL when it has none. */
static const char *const *
resume_args(const char *type)
{
	static const char *const claude[] = { "--continue", NULL };
	static const char *const codex[] = { "resume", "--last", NULL };
	static const char *const gemini[] = { "--resume", "latest", NULL };
	static const char *const opencode[] = { "--continue", NULL };
	static const char *const aider[] = { "--restore-chat-history",
		NULL };

	if (type == NULL)
		return NULL;
	if (strcmp(type, "claude") == 0)
		return claude;
	if (strcmp(type, "codex") == 0)
		return codex;
	if (strcmp(type, "gemini") == 0)
		return gemini;
	if (strcmp(type, "opencode") == 0)
		return opencode;
	if (strcmp(type, "aider") == 0)
		return aider;
	return NULL;
}

/* argv with extra inserted after argv[0]; a new vector of borrowed
 * pointers (free only the vector). */
static const char **
argv_with(const struct hspec *sp, const char *const *extra)
{
	size_t n = 0, k = 0;
	const char **v;

	while (extra != NULL && extra[n] != NULL)
		n++;
	if ((v = calloc(sp->argc + n + 1, sizeof(*v))) == NULL)
		return NULL;
	v[k++] = sp->argv[0];
	for (size_t i = 0; i < n; i++)
		v[k++] = extra[i];
	for (size_t i = 1; i < sp->argc; i++)
		v[k++] = sp->argv[i];
	return v;
}

/* The host's environment with the spec's entries over it. */
static char **
env_merge(const struct hspec *sp)
{
	extern char **environ;
	size_t n = 0, k = 0;
	char **v;

	while (environ[n] != NULL)
		n++;
	if ((v = calloc(n + sp->nenv + 1, sizeof(*v))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t nl = eq != NULL ? (size_t)(eq - environ[i]) :
		    strlen(environ[i]);
		int over = 0;

		for (size_t j = 0; j < sp->nenv && !over; j++)
			over = strncmp(sp->env[j], environ[i], nl) == 0 &&
			    sp->env[j][nl] == '=';
		if (!over)
			v[k++] = environ[i];
	}
	for (size_t j = 0; j < sp->nenv; j++)
		v[k++] = sp->env[j];
	return v;
}

/* ---- a session's callbacks: forwarded to its API (as aa_server) ---- */

static void
hs_message(void *ud, const struct aa_message *m, int is_new)
{
	struct hsess *hs = ud;

	(void)is_new;
	aa_api_on_message(hs->api, m);
}

static void
hs_status(void *ud, enum aa_conv_status st)
{
	struct hsess *hs = ud;

	aa_api_on_status(hs->api, st);
	aa_mcp_changed(hs->host->mcp, hs);
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
}

/* ---- starting and stopping a session ---- */

static void
sess_free(struct hsess *hs)
{
	spec_release(&hs->spec);
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

/* Starts the API and the agent of hs (spec filled, id set); resume: a
 * restart (resume flag, no initial prompt).  On failure hs is untouched
 * but for its handles, which are closed. */
static int
sess_start(struct aa_host *h, struct hsess *hs, int resume, char **cause)
{
	struct aa_session_options so;
	struct aa_api_options ao;
	const char **argv;
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
	if ((hs->envp = env_merge(&hs->spec)) == NULL ||
	    (argv = argv_with(&hs->spec, resume ?
	    resume_args(hs->spec.type) : NULL)) == NULL) {
		aa_api_close(hs->api, NULL, NULL);
		hs->api = NULL;
		return AA_ENOMEM;
	}
	memset(&so, 0, sizeof(so));
	so.version = AA_SESSION_OPTIONS_VERSION;
	so.argv = argv;
	so.agent_type = hs->spec.type;
	so.env = (const char *const *)hs->envp;
	so.cols = hs->spec.cols;
	so.rows = hs->spec.rows;
	so.initial_prompt = resume ? NULL : hs->spec.initial_prompt;
	so.state_file = hs->spec.state_file;
	so.load_state = so.save_state = 1;
	so.stop_timeout_ms = h->stop_timeout_ms;
	so.on_message = hs_message;
	so.on_status = hs_status;
	so.on_screen = hs_screen;
	so.on_error = hs_error;
	so.on_exit = hs_exit;
	so.ud = hs;
	rc = aa_session_new_cwd(h->loop, &hs->session, &so, &h->log,
	    hs->spec.cwd, cause);
	free(argv);
	if (rc != 0) {
		aa_api_close(hs->api, NULL, NULL);
		hs->api = NULL;
		free(hs->envp);
		hs->envp = NULL;
		return rc;
	}
	aa_api_set_session(hs->api, hs->session,
	    aa_session_agent_name(hs->session));
	aa_session_on_steer(hs->session, hs_steer, hs);
	return 0;
}

/* The server has closed: the host is gone. */
static void
host_free(void *ud)
{
	struct aa_host *h = ud;
	aa_host_stop_cb cb;
	void *cud;

	cb = h->stop_cb;
	cud = h->stop_ud;
	aa_access_free(h->access);
	free(h->state_dir);
	free(h->list_path);
	free(h);
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
	aa_http_server_close(h->http, host_free, h);
}

/* The session's API has closed: the session is gone. */
static void
sess_api_closed(void *ud)
{
	struct hsess *hs = ud;
	struct aa_host *h = hs->host;

	sess_free(hs);
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
	aa_api_set_session(hs->api, hs->session, NULL);
	aa_session_stop(hs->session, sess_stopped, hs);
}

/* ---- the list on disk ---- */

static void
host_save_list(struct aa_host *h)
{
	cJSON *o = cJSON_CreateObject(), *a;
	struct aa_list *it;
	char *text = NULL;
	int rc = AA_ENOMEM;

	if (o == NULL || cJSON_AddNumberToObject(o, "version", 1) == NULL ||
	    (a = cJSON_AddArrayToObject(o, "sessions")) == NULL)
		goto out;
	AA_LIST_FOREACH(it, &h->sessions) {
		cJSON *e = spec_to_json(AA_LIST_ENTRY(it, struct hsess,
		    link));

		if (e == NULL || !cJSON_AddItemToArray(a, e))
			goto out;
	}
	if ((text = cJSON_PrintUnformatted(o)) == NULL)
		goto out;
	rc = aa_file_replace(h->list_path, text, strlen(text));
out:
	if (rc != 0)
		AA_LOG(&h->log, AA_LOG_ERROR, "saving the session list to "
		    "%s: %s", h->list_path, aa_strerror(rc));
	cJSON_free(text);
	cJSON_Delete(o);
}

/* Brings back the sessions of sessions.json. */
static int
host_load_list(struct aa_host *h, char **cause)
{
	struct aa_buf b;
	cJSON *o, *a, *e;
	int rc;

	aa_buf_init(&b);
	rc = aa_file_read_own(h->list_path, HOST_LIST_MAX, &b);
	if (rc == AA_ENOENT) {
		aa_buf_release(&b);
		return 0;
	}
	if (rc != 0) {
		aa_buf_release(&b);
		return aa__cause(cause, rc, "reading %s: %s", h->list_path,
		    aa_strerror(rc));
	}
	o = cJSON_ParseWithLength(b.data, b.len);
	aa_buf_release(&b);
	a = cJSON_GetObjectItemCaseSensitive(o, "sessions");
	if (o == NULL || !cJSON_IsArray(a) || !cJSON_IsNumber(
	    cJSON_GetObjectItemCaseSensitive(o, "version"))) {
		cJSON_Delete(o);
		return aa__cause(cause, AA_ECORRUPT, "%s: not a session list",
		    h->list_path);
	}
	cJSON_ArrayForEach(e, a) {
		const char *id = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "id"));
		const char *why = NULL;
		char *scause = NULL;
		struct hsess *hs;

		if (h->nsessions >= h->max_sessions) {
			AA_LOG(&h->log, AA_LOG_ERROR, "more saved sessions "
			    "than --max-sessions; the rest are left out");
			break;
		}
		if ((hs = calloc(1, sizeof(*hs))) == NULL)
			break;
		hs->host = h;
		if (id == NULL || strlen(id) != HOST_ID_LEN ||
		    strspn(id, "0123456789abcdef") != HOST_ID_LEN ||
		    spec_from_json(e, 1, &hs->spec, &why) != 0) {
			AA_LOG(&h->log, AA_LOG_ERROR, "saved session %s left "
			    "out: %s", id != NULL && plain_string(id, 64) ?
			    id : "?", why != NULL ? why : "bad id");
			free(hs);
			continue;
		}
		memcpy(hs->id, id, HOST_ID_LEN + 1);
		if ((rc = sess_start(h, hs, 1, &scause)) != 0) {
			AA_LOG(&h->log, AA_LOG_ERROR, "session %s could not "
			    "be brought back: %s", hs->id, scause != NULL ?
			    scause : aa_strerror(rc));
			free(scause);
			sess_free(hs);
			continue;
		}
		aa_list_insert_tail(&h->sessions, &hs->link);
		h->nsessions++;
		AA_LOG(&h->log, AA_LOG_INFO, "session %s brought back",
		    hs->id);
	}
	cJSON_Delete(o);
	return 0;
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

/* One entry of GET /sessions. */
static cJSON *
sess_json(const struct hsess *hs)
{
	cJSON *o = spec_to_json(hs);
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
	    cJSON_AddNumberToObject(o, "pid", s != NULL && !hs->exited ?
	    aa_session_pid(s) : 0) == NULL) {
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

struct hsess *
aa_host_session(struct aa_host *h, const char *id)
{
	return host_find(h, id, strlen(id));
}

const char *
aa_hsess_id(const struct hsess *hs)
{
	return hs->id;
}

struct aa_session *
aa_hsess_agent(const struct hsess *hs)
{
	return hs->stopping ? NULL : hs->session;
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
	host_save_list(h);
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
aa_host_start(struct aa_host *h, const cJSON *spec, const char **id,
    int *status, char **why)
{
	struct hsess *hs;
	const char *bad_why = NULL;
	char *cause = NULL, path[PATH_MAX];
	int rc;

	*why = NULL;
	*id = NULL;
	*status = 500;
	if (h->nsessions >= h->max_sessions) {
		*status = 429;
		*why = strdup("too many sessions (the host's --max-sessions)");
		return AA_EAGAIN;
	}
	if ((hs = calloc(1, sizeof(*hs))) == NULL)
		return AA_ENOMEM;
	hs->host = h;
	if (spec_from_json(spec, 0, &hs->spec, &bad_why) != 0) {
		free(hs);
		*status = 422;
		*why = strdup(bad_why);
		return AA_EINVAL;
	}
	if (new_id(h, hs->id) != 0) {
		sess_free(hs);
		*why = strdup("no random bytes for an id");
		return AA_EIO;
	}
	hs->spec.created_ns = aa__wall_ns();
	if (hs->spec.state_file == NULL) {
		snprintf(path, sizeof(path), "%s/sessions/%s.json",
		    h->state_dir, hs->id);
		if ((hs->spec.state_file = strdup(path)) == NULL) {
			sess_free(hs);
			return AA_ENOMEM;
		}
		hs->spec.own_state = 1;
	}
	if ((rc = sess_start(h, hs, 0, &cause)) != 0) {
		*status = rc == AA_ENOENT ? 422 : 500;
		*why = cause != NULL ? cause : strdup(aa_strerror(rc));
		sess_free(hs);
		return rc;
	}
	aa_list_insert_tail(&h->sessions, &hs->link);
	h->nsessions++;
	host_save_list(h);
	AA_LOG(&h->log, AA_LOG_INFO, "session %s started (%s)", hs->id,
	    hs->spec.argv[0]);
	*id = hs->id;
	*status = 201;
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
	aa_host_start(h, body, &id, &st, &why);
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

static const struct aa_http_route host_routes[] = {
	{ "GET", "/sessions", h_list, 0, 0 },
	{ "POST", "/sessions", h_create, HOST_BODY_LIMIT, 0 },
	{ "*", "/sessions/", NULL, 0, AA_HTTP_PREFIX | AA_HTTP_MOUNT },
	{ "POST", "/mcp", h_mcp, HOST_BODY_LIMIT, 0 },
	{ "GET", "/mcp", h_mcp, 0, 0 },
	{ "DELETE", "/mcp", h_mcp, 0, 0 },
};

static const struct aa_http_route session_routes[] = {
	{ "DELETE", "/", h_delete, 0, 0 },
};

/* Picks the table for /sessions/{id}/...: the session's API, or the
 * host's own DELETE on /sessions/{id} itself. */
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
	if (path[n] == '\0' && strcmp(aa_http_req_method(req), "DELETE") ==
	    0) {
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

static void
host_send_error(struct aa_http_req *req, int status, const char *detail)
{
	(void)aa_json_send_error(req, status, detail);
}

/* ---- the host ---- */

int
aa_host_new(struct aa_host **out, uv_loop_t *loop,
    const struct aa_host_options *o, const struct aa_log *log,
    char **cause)
{
	static const char *const none[] = { NULL };
	struct aa_access_options ao;
	struct aa_http_options ho;
	struct aa_host *h;
	char path[PATH_MAX];
	int rc;

	*out = NULL;
	if (cause != NULL)
		*cause = NULL;
	if (o->state_dir == NULL || o->unix_path == NULL)
		return AA_EINVAL;
	if (o->port >= 0 && (o->auth_token == NULL || *o->auth_token == '\0'))
		return aa__cause(cause, AA_EINVAL, "TCP needs a bearer token");
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return AA_ENOMEM;
	h->loop = loop;
	aa_list_init(&h->sessions);
	h->max_sessions = o->max_sessions ? o->max_sessions :
	    AA_HOST_MAX_SESSIONS;
	h->stop_timeout_ms = o->stop_timeout_ms;
	if (log != NULL)
		h->log = *log;
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
	if ((rc = aa_access_new(&h->access, &ao, cause)) != 0)
		goto fail;
	if ((rc = aa_mcp_new(&h->mcp, h)) != 0)
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
	if ((rc = aa_http_server_new(&h->http, loop, &ho, cause)) != 0)
		goto fail;
	h->port = o->port >= 0 ? aa_http_server_port(h->http) : 0;
	if ((rc = host_load_list(h, cause)) != 0) {
		aa_host_stop(h, NULL, NULL);
		return rc;
	}
	host_save_list(h);
	*out = h;
	return 0;
fail:
	aa_mcp_close(h->mcp, NULL, NULL); /* no timer yet: freed now */
	aa_access_free(h->access);
	free(h->state_dir);
	free(h->list_path);
	free(h);
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
aa_host_stop(struct aa_host *h, aa_host_stop_cb cb, void *ud)
{
	struct aa_list *it, *tmp;

	if (h == NULL || h->stopping)
		return;
	h->stopping = 1;
	h->stop_cb = cb;
	h->stop_ud = ud;
	/* One count per session and one for this call. */
	h->pending = 1 + (int)(h->nsessions + h->nstopping);
	/* The list on disk keeps them: a new host brings them back. */
	AA_LIST_FOREACH_SAFE(it, tmp, &h->sessions)
		sess_stop(AA_LIST_ENTRY(it, struct hsess, link));
	host_part_done(h);
}

/* ---- the socket path ---- */

int
aa_host_prepare_socket(const char *path, char **cause)
{
	struct sockaddr_un sa;
	struct stat st;
	char *dir = NULL;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return aa__cause(cause, AA_EINVAL, "socket path too long: %s",
		    path);
	if ((rc = aa_file_dir_of(path, &dir)) != 0)
		return rc;
	if ((rc = aa_file_mkdirs(dir)) != 0) {
		rc = aa__cause(cause, rc, "creating %s: %s", dir,
		    aa_strerror(rc));
		free(dir);
		return rc;
	}
	/* Made 0700 if it was missing; one that was there must already be
	 * private: nobody else may reach the socket (nor swap it). */
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		rc = aa__cause(cause, AA_EINVAL, "%s must be a directory of "
		    "ours with mode 0700", dir);
		free(dir);
		return rc;
	}
	free(dir);
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : aa__cause(cause, AA_EIO,
		    "%s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
		return aa__cause(cause, AA_EINVAL, "%s exists and is not our "
		    "socket; refusing to replace it", path);
	/* A socket of ours: in use if a host answers on it. */
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return aa__cause(cause, AA_EIO, "socket: %s",
		    strerror(errno));
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0)
		return aa__cause(cause, AA_EINVAL, "another host is "
		    "listening on %s", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return aa__cause(cause, AA_EIO, "removing the stale socket "
		    "%s: %s", path, strerror(errno));
	return 0;
}
