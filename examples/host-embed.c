/*
 * host-embed.c - embed a host of many agents in your own program.
 *
 * Starts libagentapi's host (many agent sessions behind one HTTP server
 * on a unix socket) on a loop this program owns, in a fresh temporary
 * folder.  It starts one session of the given agent through the API,
 * prints every change of the agent's state, sends one message once the
 * agent is idle, prints the reply, deletes the session and stops the host.
 * While it runs, the host's API answers on the socket like `agentapi-c
 * host`'s, e.g.
 *
 *   curl --unix-socket SOCKET http://localhost/sessions
 *
 *   host-embed [-t seconds] AGENT [ARGS...]
 *   host-embed agentapi-c demo-agent
 *
 * Build against the public header and the library only:
 *
 *   cc -Iinclude host-embed.c -Lbuild -lagentapi -luv
 */
#define _XOPEN_SOURCE 700 /* <uv.h> needs the POSIX types; nftw, mkdtemp */

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <agentapi.h>
#include <uv.h>

/* The program's state, reached from the loop's callbacks. */
struct app {
	uv_loop_t loop;
	uv_timer_t deadline;
	struct aa_host *host;
	char id[AA_HOST_ID_SIZE];
	enum aa_agent_state last;  /* the state printed last */
	int have_last;
	int sent;                  /* the message was accepted */
	int deleted;
	int stopping;
	int failed;
};

static const char message[] = "hello from host-embed";

/* The host is stopped: close our own timer so that uv_run returns. */
static void
host_done(void *ud)
{
	struct app *a = ud;

	uv_close((uv_handle_t *)&a->deadline, NULL);
	printf("host stopped\n");
	fflush(stdout);
}

/* Starts the (asynchronous) stop of the host once. */
static void
stop(struct app *a)
{
	if (a->stopping)
		return;
	a->stopping = 1;
	uv_timer_stop(&a->deadline);
	aa_host_stop(a->host, host_done, a);
}

static void
on_deadline(uv_timer_t *t)
{
	struct app *a = t->data;

	fprintf(stderr, "host-embed: timed out\n");
	a->failed = 1;
	stop(a);
}

/* The message was typed and the agent took it (or not). */
static void
on_sent(void *ud, int err)
{
	struct app *a = ud;

	if (err != 0) {
		fprintf(stderr, "host-embed: send: %s\n", aa_strerror(err));
		a->failed = 1;
		stop(a);
		return;
	}
	a->sent = 1;
}

/* Host callback: a session was added, changed, exited or removed. */
static void
on_session(void *ud, const char *id, enum aa_host_event ev)
{
	struct app *a = ud;
	struct aa_session *s = aa_host_session_get(a->host, id);
	enum aa_agent_state st;

	if (ev == AA_HOST_SESSION_REMOVED) {
		printf("session %s removed\n", id);
		fflush(stdout);
		stop(a);
		return;
	}
	if (s == NULL || strcmp(id, a->id) != 0)
		return;
	if (ev == AA_HOST_SESSION_EXITED) {
		printf("session %s: agent exited\n", id);
		a->failed = 1;
		aa_host_session_delete(a->host, id);
		return;
	}
	st = aa_session_state(s);
	if (!a->have_last || st != a->last)
		printf("session %s state: %s\n", id, aa_agent_state_name(st));
	fflush(stdout);
	a->have_last = 1;
	a->last = st;
	if (st != AA_STATE_IDLE || a->deleted)
		return;
	if (!a->sent) {
		/* Idle for the first time: send one message (once). */
		if (aa_session_message_count(s) > 1)
			return;
		if (aa_session_send_user(s, message, strlen(message),
		    on_sent, a) == 0)
			printf("sent: %s\n", message);
		return;
	}
	/* Idle again after the turn: the reply is the last message. */
	{
		size_t n = aa_session_message_count(s);
		const struct aa_message *m = aa_session_message(s, n - 1);

		printf("%zu messages; the reply:\n%s\n", n, m->text);
	}
	a->deleted = 1;
	aa_host_session_delete(a->host, id);
}

/* Host logger: warnings and errors to stderr. */
static void
on_log(void *ud, int level, const char *msg)
{
	(void)ud;
	if (level >= AA_LOG_WARN)
		fprintf(stderr, "host-embed: %s\n", msg);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

int
main(int argc, char **argv)
{
	struct aa_host_options o;
	struct aa_host_session_options so;
	struct app a;
	char dir[] = "/tmp/host-embed-XXXXXX", sock[64], state[64];
	char *cause = NULL;
	unsigned secs = 60;
	int i = 1, rc;

	memset(&a, 0, sizeof(a));
	if (i + 1 < argc && strcmp(argv[i], "-t") == 0) {
		secs = (unsigned)strtoul(argv[i + 1], NULL, 10);
		i += 2;
	}
	if (i >= argc || argv[i][0] == '-') {
		fprintf(stderr, "usage: host-embed [-t seconds] AGENT "
		    "[ARGS...]\n");
		return 2;
	}
	if (mkdtemp(dir) == NULL || uv_loop_init(&a.loop) != 0)
		return 1;
	snprintf(sock, sizeof(sock), "%s/run/host.sock", dir);
	snprintf(state, sizeof(state), "%s/state", dir);

	memset(&o, 0, sizeof(o)); /* zero: defaults, options version 0 */
	o.socket_path = sock;
	o.state_dir = state;
	o.max_sessions = 4;
	o.log = on_log;
	o.on_session = on_session;
	o.ud = &a;
	if ((rc = aa_host_new(&a.loop, &a.host, &o, &cause)) != 0 ||
	    (rc = aa_host_start(a.host, &cause)) != 0) {
		fprintf(stderr, "host-embed: %s\n",
		    cause != NULL ? cause : aa_strerror(rc));
		free(cause);
		a.failed = 1;
		aa_host_stop(a.host, NULL, NULL);
		goto out;
	}
	printf("listening on unix:%s\n", aa_host_socket_path(a.host));

	memset(&so, 0, sizeof(so));
	so.argv = (const char *const *)argv + i;
	so.name = "embedded";
	so.cols = 80;
	so.rows = 24;
	if ((rc = aa_host_session_new(a.host, &so, a.id, &cause)) != 0) {
		fprintf(stderr, "host-embed: %s\n",
		    cause != NULL ? cause : aa_strerror(rc));
		free(cause);
		a.failed = 1;
		aa_host_stop(a.host, NULL, NULL);
		goto out;
	}
	printf("session %s started (%zu listed)\n", a.id,
	    aa_host_session_count(a.host));
	fflush(stdout);
	uv_timer_init(&a.loop, &a.deadline);
	a.deadline.data = &a;
	uv_timer_start(&a.deadline, on_deadline, secs * 1000u, 0);
out:
	uv_run(&a.loop, UV_RUN_DEFAULT);
	if (aa_host_free(a.host) != 0 || uv_loop_close(&a.loop) != 0) {
		fprintf(stderr, "host-embed: handles left on the loop\n");
		return 1;
	}
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return a.failed ? 1 : 0;
}
