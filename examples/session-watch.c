/*
 * session-watch.c - embed one agent session in your own libuv loop.
 *
 * Runs an agent under a PTY with libagentapi's session API, prints every
 * message of the conversation each time it is added or changes, types one
 * user message once the agent is ready (stable), waits for the agent to
 * finish answering (stable again), then stops the session and exits.
 * Everything happens on a loop this program owns; the library only adds
 * its handles to it.
 *
 *   session-watch [-t seconds] MESSAGE AGENT [ARGS...]
 *   session-watch "hello" agentapi-c demo-agent
 *
 * Build against the public header and the library only:
 *
 *   cc -Iinclude session-watch.c -Lbuild -lagentapi -luv
 *
 * Exit status: 0 when the agent answered, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L /* <uv.h> needs the POSIX types */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <agentapi.h>
#include <uv.h>

/* The whole program's state, reached from the loop's callbacks. */
struct watch {
	uv_loop_t loop;
	uv_timer_t deadline;
	struct aa_session *session;
	const char *message;
	int sent;     /* the message was handed to the session */
	int answered; /* the send completed: the agent is working on it */
	int stopping;
	int ok;
};

/* Prints text with every line indented, so multi-line messages stay
 * readable and never look like one of our own lines. */
static void
print_indented(const char *text, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || text[i] == '\n') {
			printf("    | %.*s\n", (int)(i - start), text + start);
			start = i + 1;
		}
	}
}

/* The session is freed: close our own handle so that uv_run returns. */
static void
stopped(void *ud)
{
	struct watch *w = ud;

	w->session = NULL;
	uv_close((uv_handle_t *)&w->deadline, NULL);
	printf("session stopped\n");
}

/* Starts the (asynchronous) stop once; ok says how the run went. */
static void
finish(struct watch *w, int ok)
{
	const struct aa_message *last;
	size_t n;

	if (w->stopping)
		return;
	w->stopping = 1;
	w->ok = ok;
	uv_timer_stop(&w->deadline);
	/* The conversation can be read at any time, not only in callbacks. */
	n = aa_session_message_count(w->session);
	last = aa_session_message(w->session, n - 1);
	printf("%zu messages; the last, from the %s:\n", n,
	    last->role == AA_ROLE_USER ? "user" : "agent");
	print_indented(last->text, last->len);
	aa_session_stop(w->session, stopped, w);
}

/* Session callback: a message was added or its text changed. */
static void
on_message(void *ud, const struct aa_message *m, int is_new)
{
	(void)ud;
	printf("message %lld %s (%s):\n", (long long)m->id,
	    m->role == AA_ROLE_USER ? "user" : "agent",
	    is_new ? "new" : "changed");
	print_indented(m->text, m->len);
	fflush(stdout);
}

/* Completion of the send: the agent has started processing the message. */
static void
on_sent(void *ud, int err)
{
	struct watch *w = ud;

	if (err != 0) {
		fprintf(stderr, "session-watch: send failed: %s\n",
		    aa_strerror(err));
		finish(w, 0);
		return;
	}
	w->answered = 1;
}

/* Session callback: sends the message when the agent first waits for
 * input, and stops once it is quiet again after answering. */
static void
on_status(void *ud, enum aa_conv_status status)
{
	struct watch *w = ud;
	int rc;

	printf("status %s\n", status == AA_CONV_STABLE ? "stable" :
	    "running");
	fflush(stdout);
	if (status != AA_CONV_STABLE)
		return;
	if (!w->sent) {
		w->sent = 1;
		rc = aa_session_send_user(w->session, w->message,
		    strlen(w->message), on_sent, w);
		if (rc != 0) {
			fprintf(stderr, "session-watch: send: %s\n",
			    aa_strerror(rc));
			finish(w, 0);
		}
	} else if (w->answered)
		finish(w, 1);
}

/* Session callback: the agent ended on its own before answering. */
static void
on_exit_cb(void *ud, int wait_status)
{
	struct watch *w = ud;

	fprintf(stderr, "session-watch: the agent exited (status %d)\n",
	    wait_status);
	finish(w, 0);
}

/* Session callback: log lines worth showing (debug is left out). */
static void
on_log(void *ud, int level, const char *msg)
{
	(void)ud;
	if (level >= AA_LOG_WARN)
		fprintf(stderr, "session-watch: %s\n", msg);
}

/* Our own timer: give up if the agent takes too long. */
static void
on_deadline(uv_timer_t *t)
{
	struct watch *w = t->data;

	fprintf(stderr, "session-watch: timed out\n");
	finish(w, 0);
}

int
main(int argc, char **argv)
{
	struct aa_session_options o;
	struct watch w;
	char *cause = NULL;
	unsigned seconds = 60;
	int i = 1, rc;

	if (argc > 2 && strcmp(argv[1], "-t") == 0) {
		seconds = (unsigned)strtoul(argv[2], NULL, 10);
		i = 3;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: session-watch [-t seconds] MESSAGE "
				"AGENT [ARGS...]\n");
		return 2;
	}
	printf("libagentapi %s (header %s)\n", aa_version_string(),
	    AA_VERSION_STRING);
	memset(&w, 0, sizeof(w));
	w.message = argv[i];
	if (uv_loop_init(&w.loop) != 0)
		return 1;
	uv_timer_init(&w.loop, &w.deadline);
	w.deadline.data = &w;

	memset(&o, 0, sizeof(o)); /* zero: defaults, options version 0 */
	o.argv = (const char *const *)argv + i + 1;
	o.log = on_log;
	o.on_message = on_message;
	o.on_status = on_status;
	o.on_exit = on_exit_cb;
	o.ud = &w;
	rc = aa_session_new(&w.loop, &w.session, &o, &cause);
	if (rc != 0) {
		fprintf(stderr, "session-watch: %s\n",
		    cause != NULL ? cause : aa_strerror(rc));
		free(cause);
		uv_close((uv_handle_t *)&w.deadline, NULL);
		uv_run(&w.loop, UV_RUN_DEFAULT);
		uv_loop_close(&w.loop);
		return 1;
	}
	printf("agent %s running as pid %d\n",
	    aa_session_agent_name(w.session), aa_session_pid(w.session));
	uv_timer_start(&w.deadline, on_deadline, seconds * 1000ull, 0);

	uv_run(&w.loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&w.loop) != 0) {
		fprintf(stderr, "session-watch: handles left on the loop\n");
		return 1;
	}
	return w.ok ? 0 : 1;
}
