/*
 * test-host-embed.c - aa_host through the public header only: option
 * versions and bad options are refused with a clear cause, the phases
 * (new, start, stop, free) hold and leave nothing on the loop, and
 * sessions started through the API are the host's own: listed on the
 * socket's GET /sessions, readable as aa_session, deleted by id, told of
 * through on_session, and brought back by the next host on the folder.
 * The agent is the demo agent (build/tests/demo-agent).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <uv.h>

#include <agentapi.h>

#include "loop.h"
#include "test.h"

struct th {
	uv_loop_t loop;
	struct test_loop w;
	struct aa_host *host;
	struct aa_host_options o;
	char dir[32], sock[64], state[64], agent[512];
	const char *argv[2];
	int stopped;
	int added, changed, removed;
	int delete_others;	/* on REMOVED, delete the last one listed */
	char last_added[AA_HOST_ID_SIZE];
	/* An HTTP exchange on the socket. */
	int fd;
	char resp[65536];
	size_t rlen;
	int eof;
};

static void
th_on_session(void *ud, const char *id, enum aa_host_event ev)
{
	struct th *t = ud;

	ASSERT_EQ(strlen(id), (size_t)AA_HOST_ID_SIZE - 1);
	if (ev == AA_HOST_SESSION_ADDED) {
		t->added++;
		snprintf(t->last_added, sizeof(t->last_added), "%s", id);
		/* Readable from the callback on. */
		ASSERT_NOT_NULL(aa_host_session_get(t->host, id));
	} else if (ev == AA_HOST_SESSION_CHANGED)
		t->changed++;
	else if (ev == AA_HOST_SESSION_REMOVED) {
		t->removed++;
		ASSERT_NULL(aa_host_session_get(t->host, id));
		if (t->delete_others && aa_host_session_count(t->host) > 0) {
			size_t n = aa_host_session_count(t->host);

			ASSERT_EQ(aa_host_session_delete(t->host,
			    aa_host_session_id(t->host, n - 1)), 0);
			/* Its own REMOVED may have deleted more. */
			ASSERT_LT(aa_host_session_count(t->host), n);
		}
	}
}

static void
th_stopped(void *ud)
{
	struct th *t = ud;

	t->stopped++;
}

static int
flag_set(void *ud)
{
	return *(const int *)ud != 0;
}

/* A fresh folder and options for a host on a socket in it. */
static void
th_init(struct th *t)
{
	const char *b = getenv("AA_BUILD");

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	ASSERT_EQ(uv_loop_init(&t->loop), 0);
	test_loop_init(&t->w, &t->loop);
	snprintf(t->dir, sizeof(t->dir), "/tmp/aa-host-embed-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(t->dir));
	snprintf(t->sock, sizeof(t->sock), "%s/run/host.sock", t->dir);
	snprintf(t->state, sizeof(t->state), "%s/state", t->dir);
	snprintf(t->agent, sizeof(t->agent), "%s/tests/demo-agent",
	    b != NULL ? b : "build");
	t->argv[0] = t->agent;
	t->argv[1] = NULL;
	t->o.version = AA_HOST_OPTIONS_VERSION;
	t->o.socket_path = t->sock;
	t->o.state_dir = t->state;
	t->o.on_session = th_on_session;
	t->o.stop_timeout_ms = 2000;
	t->o.ud = t;
}

/* Stops and frees the host (if any), then checks the loop is empty. */
static void
th_done(struct th *t)
{
	char cmd[128];

	if (t->host != NULL) {
		aa_host_stop(t->host, th_stopped, t);
		ASSERT(test_loop_until(&t->w, flag_set, &t->stopped, 10000));
		ASSERT_EQ(aa_host_free(t->host), 0);
		t->host = NULL;
	}
	if (t->fd >= 0)
		close(t->fd);
	test_loop_close(&t->w);
	uv_run(&t->loop, UV_RUN_DEFAULT);
	ASSERT_EQ(uv_loop_close(&t->loop), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	ASSERT_EQ(system(cmd), 0);
}

/* Starts t->host (made already). */
static void
th_start_existing(struct th *t)
{
	char *cause = NULL;
	int rc;

	rc = aa_host_start(t->host, &cause);
	if (rc != 0)
		fprintf(stderr, "aa_host_start: %s\n", cause ? cause : "");
	free(cause);
	ASSERT_EQ(rc, 0);
}

static void
th_start(struct th *t)
{
	char *cause = NULL;
	int rc;

	ASSERT_EQ(aa_host_new(&t->loop, &t->host, &t->o, &cause), 0);
	rc = aa_host_start(t->host, &cause);
	if (rc != 0)
		fprintf(stderr, "aa_host_start: %s\n", cause ? cause : "");
	free(cause);
	ASSERT_EQ(rc, 0);
}

/* Reads what has come on the HTTP connection; true at its end. */
static int
resp_done(void *ud)
{
	struct th *t = ud;
	ssize_t n;

	while (!t->eof && t->rlen < sizeof(t->resp) - 1) {
		n = recv(t->fd, t->resp + t->rlen, sizeof(t->resp) - 1 -
		    t->rlen, MSG_DONTWAIT);
		if (n > 0) {
			t->rlen += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			t->eof = 1;
		break;
	}
	t->resp[t->rlen] = '\0';
	return t->eof;
}

/* One request on the host's socket (body: JSON or NULL), answered while
 * the loop runs; returns the answer (status line, head and body). */
static const char *
th_http_body(struct th *t, const char *method, const char *path,
    const char *body)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[1536];
	int n;

	if (t->fd >= 0)
		close(t->fd);
	t->rlen = 0;
	t->eof = 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t->sock);
	t->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_GE(t->fd, 0);
	/* The listener's backlog takes the connection; the loop accepts. */
	ASSERT_EQ(connect(t->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (body != NULL)
		n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\n"
		    "Host: localhost\r\nConnection: close\r\n"
		    "Content-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", method, path,
		    strlen(body), body);
	else
		n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\n"
		    "Host: localhost\r\nConnection: close\r\n\r\n",
		    method, path);
	ASSERT_LT(n, (int)sizeof(req));
	ASSERT_EQ(write(t->fd, req, (size_t)n), n);
	ASSERT(test_loop_until(&t->w, resp_done, t, 10000));
	return t->resp;
}

static const char *
th_http(struct th *t, const char *method, const char *path)
{
	return th_http_body(t, method, path, NULL);
}

TEST(host_rejects_unknown_options_versions)
{
	struct th t;
	struct aa_host *h = (struct aa_host *)&t; /* must be reset */
	char *cause = NULL;

	th_init(&t);
	t.o.version = AA_HOST_OPTIONS_VERSION + 1;
	ASSERT_EQ(aa_host_new(&t.loop, &h, &t.o, &cause), AA_EINVAL);
	ASSERT_NULL(h);
	ASSERT_NOT_NULL(cause);
	ASSERT_NOT_NULL(strstr(cause, "version 1"));
	free(cause);
	ASSERT_EQ(aa_host_new(&t.loop, &h, NULL, NULL), AA_EINVAL);
	ASSERT_EQ(aa_host_new(NULL, &h, &t.o, NULL), AA_EINVAL);
	ASSERT_EQ(aa_host_new(&t.loop, NULL, &t.o, NULL), AA_EINVAL);
	th_done(&t);
}

/* Each bad option and the words its cause must have. */
static const struct {
	const char *name;
	const char *words;
} bad_cases[] = {
	{ "no socket", "socket_path is required" },
	{ "empty socket", "socket_path is required" },
	{ "long socket", "socket path too long" },
	{ "no state", "state_dir is required" },
	{ "bad port", "port 70000" },
	{ "negative port", "port -1" },
	{ "count without list", "array is NULL" },
	{ "NULL in list", "NULL string" },
	{ "narrow term", "term_width" },
	{ "tall term", "term_height" },
};

TEST(host_rejects_bad_options_with_a_cause)
{
	static const char *const holes[] = { "127.0.0.1", NULL };
	char longpath[200];
	struct th t;

	th_init(&t);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct aa_host_options o = t.o;
		struct aa_host *h = NULL;
		char *cause = NULL;

		switch (i) {
		case 0: o.socket_path = NULL; break;
		case 1: o.socket_path = ""; break;
		case 2: o.socket_path = longpath; break;
		case 3: o.state_dir = NULL; break;
		case 4: o.tcp = 1; o.port = 70000; break;
		case 5: o.tcp = 1; o.port = -1; break;
		case 6: o.naddrs = 1; break;
		case 7: o.tcp = 1; o.addrs = holes; o.naddrs = 2; break;
		case 8: o.term_width = 19; break;
		default: o.term_height = 2001; break;
		}
		ASSERT_EQ(aa_host_new(&t.loop, &h, &o, &cause), AA_EINVAL);
		ASSERT_NULL(h);
		if (cause == NULL || strstr(cause, bad_cases[i].words) == NULL)
			test_fail(__FILE__, __LINE__, "%s: cause \"%s\", want "
			    "\"%s\"", bad_cases[i].name, cause ? cause : "(null)",
			    bad_cases[i].words);
		free(cause);
	}
	/* The bounds themselves are fine; a host never started frees. */
	t.o.term_width = 20;
	t.o.term_height = 2000;
	ASSERT_EQ(aa_host_new(&t.loop, &t.host, &t.o, NULL), 0);
	ASSERT_EQ(aa_host_free(t.host), 0);
	t.host = NULL;
	th_done(&t);
}

TEST(host_token_given_generated_or_none)
{
	struct th t;
	const char *tok;

	th_init(&t);
	ASSERT_EQ(aa_host_new(&t.loop, &t.host, &t.o, NULL), 0);
	ASSERT_NULL(aa_host_token(t.host));
	ASSERT_STR_EQ(aa_host_socket_path(t.host), t.sock);
	ASSERT_EQ(aa_host_port(t.host), 0);
	ASSERT_EQ(aa_host_free(t.host), 0);
	t.o.tcp = 1;
	ASSERT_EQ(aa_host_new(&t.loop, &t.host, &t.o, NULL), 0);
	tok = aa_host_token(t.host);
	ASSERT_NOT_NULL(tok);
	ASSERT_EQ(strlen(tok), (size_t)64);
	ASSERT_EQ(strspn(tok, "0123456789abcdef"), (size_t)64);
	ASSERT_EQ(aa_host_free(t.host), 0);
	t.o.auth_token = "s3cret";
	ASSERT_EQ(aa_host_new(&t.loop, &t.host, &t.o, NULL), 0);
	ASSERT_STR_EQ(aa_host_token(t.host), "s3cret");
	/* A host never started stops at once. */
	aa_host_stop(t.host, th_stopped, &t);
	ASSERT_EQ(t.stopped, 1);
	ASSERT_EQ(aa_host_free(t.host), 0);
	t.host = NULL;
	th_done(&t);
}

TEST(host_start_stop_free)
{
	struct th t;
	struct stat st;
	char *cause = NULL;

	th_init(&t);
	t.o.tcp = 1;
	t.o.addrs = (const char *const[]){ "127.0.0.1" };
	t.o.naddrs = 1;
	th_start(&t);
	ASSERT_EQ(lstat(t.sock, &st), 0);
	ASSERT(S_ISSOCK(st.st_mode));
	ASSERT_EQ(lstat(t.sock, &st) == 0 && (st.st_mode & 077) == 0, 1);
	snprintf(t.resp, sizeof(t.resp), "%s/run", t.dir);
	ASSERT_EQ(stat(t.resp, &st), 0);
	ASSERT_EQ(st.st_mode & 0777, 0700);
	ASSERT_GT(aa_host_port(t.host), 0);
	ASSERT_EQ(aa_host_session_count(t.host), (size_t)0);
	ASSERT_NULL(aa_host_session_id(t.host, 0));
	ASSERT_EQ(aa_host_start(t.host, &cause), AA_EINVAL);
	ASSERT_NOT_NULL(strstr(cause, "started already"));
	free(cause);
	/* Running: not freed. */
	ASSERT_EQ(aa_host_free(t.host), AA_EBUSY);
	ASSERT_NOT_NULL(strstr(th_http(&t, "GET", "/sessions"),
	    "{\"sessions\":[]}"));
	aa_host_stop(t.host, th_stopped, &t);
	aa_host_stop(t.host, th_stopped, &t); /* ignored */
	ASSERT_EQ(aa_host_free(t.host), AA_EBUSY);
	ASSERT(test_loop_until(&t.w, flag_set, &t.stopped, 10000));
	ASSERT_EQ(t.stopped, 1);
	/* The socket went with it; the list stays for the next host. */
	ASSERT_NE(lstat(t.sock, &st), 0);
	snprintf(t.resp, sizeof(t.resp), "%s/sessions.json", t.state);
	ASSERT_EQ(stat(t.resp, &st), 0);
	ASSERT_EQ(aa_host_free(t.host), 0);
	t.host = NULL;
	th_done(&t);
}

TEST(host_start_refuses_what_is_not_its_socket)
{
	struct th t;
	char *cause = NULL, run[128];
	int fd;

	th_init(&t);
	snprintf(run, sizeof(run), "%s/run", t.dir);
	ASSERT_EQ(mkdir(run, 0700), 0);
	fd = open(t.sock, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	ASSERT_EQ(aa_host_new(&t.loop, &t.host, &t.o, NULL), 0);
	ASSERT_EQ(aa_host_start(t.host, &cause), AA_EINVAL);
	ASSERT_NOT_NULL(cause);
	ASSERT_NOT_NULL(strstr(cause, "not our socket"));
	free(cause);
	/* Left alone, and the host is not running: freed as is. */
	ASSERT_EQ(access(t.sock, F_OK), 0);
	ASSERT_EQ(aa_host_free(t.host), 0);
	t.host = NULL;
	th_done(&t);
}

/* A start that fails after listening (a session list that is no list)
 * closes what it opened: stop, then free, and the socket is gone. */
TEST(host_start_failing_after_listening_closes)
{
	struct th t;
	struct stat st;
	char *cause = NULL, list[128];
	int fd;

	th_init(&t);
	ASSERT_EQ(mkdir(t.state, 0700), 0);
	snprintf(list, sizeof(list), "%s/sessions.json", t.state);
	fd = open(list, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "[1,2", 4), 4);
	close(fd);
	ASSERT_EQ(aa_host_new(&t.loop, &t.host, &t.o, NULL), 0);
	ASSERT_EQ(aa_host_start(t.host, &cause), AA_ECORRUPT);
	ASSERT_NOT_NULL(cause);
	ASSERT_NOT_NULL(strstr(cause, "not a session list"));
	free(cause);
	ASSERT_EQ(aa_host_free(t.host), AA_EBUSY);
	aa_host_stop(t.host, th_stopped, &t);
	ASSERT(test_loop_until(&t.w, flag_set, &t.stopped, 10000));
	ASSERT_NE(lstat(t.sock, &st), 0);
	/* The list that failed to load is left as it was. */
	ASSERT_EQ(stat(list, &st), 0);
	ASSERT_EQ(st.st_size, 4);
	ASSERT_EQ(aa_host_free(t.host), 0);
	t.host = NULL;
	th_done(&t);
}

TEST(host_sessions_through_the_api_are_on_the_socket)
{
	static const char *const env[] = { "AA_HOST_EMBED_TEST=1", NULL };
	struct aa_host_session_options so;
	struct aa_session *s;
	char id[AA_HOST_ID_SIZE], id2[AA_HOST_ID_SIZE], path[96];
	char *cause = NULL, json[700];
	const char *r;
	struct th t;

	th_init(&t);
	if (access(t.agent, X_OK) != 0)
		test_skip("%s is not built", t.agent);
	t.o.max_sessions = 2;
	t.o.term_width = 100;
	th_start(&t);

	memset(&so, 0, sizeof(so));
	so.argv = t.argv;
	so.name = "embedded";
	so.env = env;
	so.version = AA_HOST_SESSION_OPTIONS_VERSION + 1;
	ASSERT_EQ(aa_host_session_new(t.host, &so, id, &cause), AA_EINVAL);
	ASSERT_NOT_NULL(strstr(cause, "version 1"));
	free(cause);
	so.version = AA_HOST_SESSION_OPTIONS_VERSION;
	so.cols = 10; /* checked as POST /sessions checks term_width */
	ASSERT_EQ(aa_host_session_new(t.host, &so, id, &cause), AA_EINVAL);
	ASSERT_NOT_NULL(strstr(cause, "term_width"));
	free(cause);
	so.cols = 0; /* the host's: 100 */
	ASSERT_EQ(aa_host_session_new(t.host, &so, id, &cause), 0);
	ASSERT_EQ(strlen(id), (size_t)16);
	ASSERT_EQ(strspn(id, "0123456789abcdef"), (size_t)16);
	ASSERT_EQ(t.added, 1);
	ASSERT_STR_EQ(t.last_added, id);
	ASSERT_EQ(aa_host_session_count(t.host), (size_t)1);
	ASSERT_STR_EQ(aa_host_session_id(t.host, 0), id);
	s = aa_host_session_get(t.host, id);
	ASSERT_NOT_NULL(s);
	ASSERT_GT(aa_session_pid(s), 0);
	ASSERT_NULL(aa_host_session_get(t.host, "0000000000000000"));
	ASSERT_NULL(aa_host_session_get(t.host, "short"));

	/* The socket's clients see it, as the host made it. */
	r = th_http(&t, "GET", "/sessions");
	ASSERT_NOT_NULL(strstr(r, "HTTP/1.1 200"));
	snprintf(json, sizeof(json), "\"id\":\"%s\"", id);
	ASSERT_NOT_NULL(strstr(r, json));
	ASSERT_NOT_NULL(strstr(r, "\"name\":\"embedded\""));
	ASSERT_NOT_NULL(strstr(r, "\"term_width\":100"));
	ASSERT_NOT_NULL(strstr(r, "\"env\":[\"AA_HOST_EMBED_TEST=1\"]"));
	snprintf(path, sizeof(path), "/sessions/%s/status", id);
	ASSERT_NOT_NULL(strstr(th_http(&t, "GET", path), "\"status\":"));

	/* The agent settles: the embedder hears of it. */
	ASSERT(test_loop_until(&t.w, flag_set, &t.changed, 10000));

	/* The JSON form: the same validator, the same bound. */
	ASSERT_EQ(aa_host_session_new_json(t.host, "{", 1, id2, &cause),
	    AA_EINVAL);
	ASSERT_NOT_NULL(strstr(cause, "not JSON"));
	free(cause);
	ASSERT_EQ(aa_host_session_new_json(t.host, "{}", 2, id2, &cause),
	    AA_EINVAL);
	ASSERT_NOT_NULL(strstr(cause, "argv is required"));
	free(cause);
	ASSERT_EQ(aa_host_session_new_json(t.host, "{\"argv\":[\"x\"],"
	    "\"bogus\":1}", 24, id2, &cause), AA_EINVAL);
	ASSERT_NOT_NULL(strstr(cause, "unknown member"));
	free(cause);
	ASSERT_EQ(aa_host_session_new_json(t.host,
	    "{\"argv\":[\"/nonexistent/agent\"]}", 32, id2, &cause),
	    AA_ENOENT);
	ASSERT_NOT_NULL(cause);
	free(cause);
	ASSERT_EQ(id2[0], '\0');
	snprintf(json, sizeof(json), "{\"argv\":[\"%s\"],\"name\":\"second\"}",
	    t.agent);
	ASSERT_EQ(aa_host_session_new_json(t.host, json, strlen(json), id2,
	    NULL), 0);
	ASSERT_EQ(t.added, 2);
	ASSERT_EQ(aa_host_session_count(t.host), (size_t)2);
	ASSERT_STR_EQ(aa_host_session_id(t.host, 1), id2);
	/* max_sessions 2. */
	ASSERT_EQ(aa_host_session_new_json(t.host, json, strlen(json), id,
	    &cause), AA_EAGAIN);
	ASSERT_NOT_NULL(strstr(cause, "too many sessions"));
	free(cause);
	ASSERT_NOT_NULL(strstr(th_http(&t, "GET", "/sessions"),
	    "\"name\":\"second\""));

	/* Deleted by id: off the list at once, on the socket too. */
	ASSERT_EQ(aa_host_session_delete(t.host, id2), 0);
	ASSERT_EQ(t.removed, 1);
	/* One a client of the socket starts is the embedder's to read. */
	r = th_http_body(&t, "POST", "/sessions", json);
	ASSERT_NOT_NULL(strstr(r, "HTTP/1.1 201"));
	ASSERT_EQ(t.added, 3);
	ASSERT_NOT_NULL(strstr(r, t.last_added));
	ASSERT_NOT_NULL(aa_host_session_get(t.host, t.last_added));
	ASSERT_EQ(aa_host_session_count(t.host), (size_t)2);
	snprintf(path, sizeof(path), "/sessions/%s", t.last_added);
	ASSERT_NOT_NULL(strstr(th_http(&t, "DELETE", path), "HTTP/1.1 200"));
	ASSERT_EQ(t.removed, 2);
	ASSERT_EQ(aa_host_session_delete(t.host, id2), AA_ENOENT);
	ASSERT_EQ(aa_host_session_delete(t.host, "nope"), AA_ENOENT);
	ASSERT_EQ(aa_host_session_count(t.host), (size_t)1);
	ASSERT_NULL(strstr(th_http(&t, "GET", "/sessions"),
	    "\"name\":\"second\""));
	th_done(&t);
}

/* The list survives the host: the next one on the folder brings the
 * session back and tells the embedder during its start. */
TEST(host_brings_back_api_sessions)
{
	struct aa_host_session_options so;
	char id[AA_HOST_ID_SIZE], other[AA_HOST_ID_SIZE] = "x";
	struct th t;

	th_init(&t);
	if (access(t.agent, X_OK) != 0)
		test_skip("%s is not built", t.agent);
	th_start(&t);
	memset(&so, 0, sizeof(so));
	so.argv = t.argv;
	ASSERT_EQ(aa_host_session_new(t.host, &so, id, NULL), 0);
	aa_host_stop(t.host, th_stopped, &t);
	ASSERT(test_loop_until(&t.w, flag_set, &t.stopped, 10000));
	ASSERT_EQ(t.removed, 1); /* off the list of this host */
	ASSERT_EQ(aa_host_free(t.host), 0);
	t.host = NULL;
	/* Not running: sessions are refused. */
	t.added = t.stopped = 0;
	ASSERT_EQ(aa_host_new(&t.loop, &t.host, &t.o, NULL), 0);
	ASSERT_EQ(aa_host_session_new(t.host, &so, other, NULL), AA_EINVAL);
	ASSERT_EQ(other[0], '\0');
	th_start_existing(&t);
	ASSERT_EQ(t.added, 1);
	ASSERT_STR_EQ(t.last_added, id);
	ASSERT_EQ(aa_host_session_count(t.host), (size_t)1);
	ASSERT_NOT_NULL(aa_host_session_get(t.host, id));
	th_done(&t);
}

/* The embedder may delete sessions from on_session while the host stops
 * them; new ones are refused once the stop began. */
TEST(host_stop_with_deletes_from_the_callback)
{
	struct aa_host_session_options so;
	char id[AA_HOST_ID_SIZE], *cause = NULL;
	struct th t;
	int i;

	th_init(&t);
	if (access(t.agent, X_OK) != 0)
		test_skip("%s is not built", t.agent);
	th_start(&t);
	memset(&so, 0, sizeof(so));
	so.argv = t.argv;
	for (i = 0; i < 5; i++)
		ASSERT_EQ(aa_host_session_new(t.host, &so, id, NULL), 0);
	t.delete_others = 1;
	aa_host_stop(t.host, th_stopped, &t);
	ASSERT_EQ(t.removed, 5);
	ASSERT_EQ(aa_host_session_count(t.host), (size_t)0);
	ASSERT_EQ(aa_host_session_new(t.host, &so, id, &cause), AA_EINVAL);
	ASSERT_NOT_NULL(strstr(cause, "not running"));
	free(cause);
	ASSERT(test_loop_until(&t.w, flag_set, &t.stopped, 15000));
	ASSERT_EQ(aa_host_free(t.host), 0);
	t.host = NULL;
	th_done(&t);
}
