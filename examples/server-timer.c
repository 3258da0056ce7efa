/*
 * server-timer.c - embed the agentapi HTTP/SSE server beside your own
 * libuv handles.
 *
 * Starts libagentapi's server (an agent session plus agentapi's HTTP API)
 * on a loop this program owns, next to a timer of its own that prints the
 * agent's status once a second.  After the given number of ticks (or when
 * the agent exits) it stops the server and closes its timer, so uv_run
 * returns and the loop closes cleanly.  While it runs, the usual API is
 * served, e.g. curl http://127.0.0.1:PORT/status.
 *
 *   server-timer [-p port] [-n ticks] AGENT [ARGS...]
 *   server-timer -n 5 agentapi-c demo-agent
 *
 * Build against the public header and the library only:
 *
 *   cc -Iinclude server-timer.c -Lbuild -lagentapi -luv
 */
#define _POSIX_C_SOURCE 200809L /* <uv.h> needs the POSIX types */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <agentapi.h>
#include <uv.h>

/* The program's state, reached from the loop's callbacks. */
struct app {
	uv_loop_t loop;
	uv_timer_t tick;
	struct aa_server *server;
	unsigned ticks, max_ticks;
	int stopping;
	int agent_exited;
};

/* The server is freed: close our own timer so that uv_run returns. */
static void
server_done(void *ud)
{
	struct app *a = ud;

	a->server = NULL;
	uv_close((uv_handle_t *)&a->tick, NULL);
	printf("server stopped\n");
	fflush(stdout);
}

/* Starts the (asynchronous) stop of the server once. */
static void
stop(struct app *a)
{
	if (a->stopping)
		return;
	a->stopping = 1;
	uv_timer_stop(&a->tick);
	aa_server_stop(a->server, server_done, a);
}

/* Our timer: print the status once a second, stop after max_ticks. */
static void
on_tick(uv_timer_t *t)
{
	struct app *a = t->data;
	struct aa_session *s = aa_server_session(a->server);

	a->ticks++;
	printf("tick %u: status=%s messages=%zu\n", a->ticks,
	    aa_session_status_name(s), aa_session_message_count(s));
	fflush(stdout);
	if (a->ticks >= a->max_ticks)
		stop(a);
}

/* Session callback, forwarded by the server after it published the
 * change to its HTTP clients. */
static void
on_status(void *ud, enum aa_conv_status status)
{
	(void)ud;
	printf("status changed: %s\n", status == AA_CONV_STABLE ? "stable" :
	    "running");
	fflush(stdout);
}

/* Server callback: the agent ended on its own. */
static void
on_agent_exit(void *ud, int wait_status)
{
	struct app *a = ud;

	printf("agent exited (wait status %d)\n", wait_status);
	a->agent_exited = 1;
	stop(a);
}

/* Server logger: warnings and errors to stderr. */
static void
on_log(void *ud, int level, const char *msg)
{
	(void)ud;
	if (level >= AA_LOG_WARN)
		fprintf(stderr, "server-timer: %s\n", msg);
}

int
main(int argc, char **argv)
{
	static const char *const addrs[] = { "127.0.0.1" };
	struct aa_server_options o;
	struct app a;
	char *cause = NULL;
	int i = 1, port = 0, rc;

	memset(&a, 0, sizeof(a));
	a.max_ticks = 3;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-p") == 0)
			port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-n") == 0)
			a.max_ticks = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else
			break;
	}
	if (i >= argc || argv[i][0] == '-') {
		fprintf(stderr, "usage: server-timer [-p port] [-n ticks] "
				"AGENT [ARGS...]\n");
		return 2;
	}
	if (uv_loop_init(&a.loop) != 0)
		return 1;

	memset(&o, 0, sizeof(o)); /* zero: defaults, options version 0 */
	o.session.argv = (const char *const *)argv + i;
	o.session.on_status = on_status;
	o.session.ud = &a;
	o.api.addrs = addrs;
	o.api.naddrs = 1;
	o.api.port = port; /* 0: any free port */
	o.on_exit = on_agent_exit;
	o.log = on_log;
	o.ud = &a;
	rc = aa_server_new(&a.loop, &a.server, &o, &cause);
	if (rc != 0) {
		fprintf(stderr, "server-timer: %s\n",
		    cause != NULL ? cause : aa_strerror(rc));
		free(cause);
		uv_loop_close(&a.loop);
		return 1;
	}
	printf("listening on http://127.0.0.1:%d\n", aa_server_port(a.server));
	fflush(stdout);
	uv_timer_init(&a.loop, &a.tick);
	a.tick.data = &a;
	uv_timer_start(&a.tick, on_tick, 1000, 1000);

	uv_run(&a.loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&a.loop) != 0) {
		fprintf(stderr, "server-timer: handles left on the loop\n");
		return 1;
	}
	return a.agent_exited ? 1 : 0;
}
