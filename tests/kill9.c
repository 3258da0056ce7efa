/*
 * kill9.c - the SIGKILL stress of issue 17 ("Acknowledged messages lost
 * on SIGKILL"), run by tests/fault/kill9.test.sh.
 *
 *   kill9 TRIES SEED DIR FAKE_AGENT
 *
 * Each try forks a server (the library's aa_server: HTTP API, session,
 * state file with loading and saving on, short timings) over the fake
 * agent, posts user messages to it over loopback HTTP as fast as it
 * answers, and SIGKILLs it at a random moment between 0 and KILL_MAX_MS
 * after the fork: during start-up, the state load and journal replay, a
 * send, the journal's fsync, a debounced save.  Then, with the server
 * dead, it checks what a restart would find:
 *   - the state file, if there is one, decodes (never torn);
 *   - every message that was answered 200 is among the user messages
 *     that the state file plus the journal give back;
 *   - no user message comes back twice.
 * The next try restarts on the same files, so the load, replay and fold
 * of every earlier crash are exercised too.  Prints one line per failed
 * check and "kill9: N tries, N acknowledged, N lost, N bad, T s (seed S)"
 * at the end;
 * exits 0 only if nothing was lost and nothing was bad.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "agentapi.h"
#include "base/fileio.h"
#include "core/state.h"
#include "runtime/store.h"

/* Latest kill after the fork, ms. */
#define KILL_MAX_MS 450
/* Messages one fake-agent script expects. */
#define SCRIPT_MSGS 64
#define TEXT_MAX 48

static volatile pid_t g_child;
static int g_bad, g_lost;

/* SIGALRM: the moment of the crash. */
static void
on_alarm(int sig)
{
	(void)sig;
	if (g_child > 0)
		kill(g_child, SIGKILL);
}

/* The text of message i of try t. */
static void
text_of(char *out, int t, int i)
{
	snprintf(out, TEXT_MAX, "k%d-%d", t, i);
}

/* Writes the fake agent's script for try t. */
static int
write_script(const char *path, int t)
{
	char text[TEXT_MAX];
	FILE *f = fopen(path, "w");
	int i;

	if (f == NULL)
		return -1;
	fputc('[', f);
	for (i = 0; i < SCRIPT_MSGS; i++) {
		text_of(text, t, i);
		fprintf(f, "%s{\"expectMessage\":\"%s\",\"thinkDurationMS\":0,"
		    "\"responseMessage\":\"r%s\"}", i > 0 ? "," : "", text,
		    text);
	}
	fputs("]\n", f);
	return fclose(f);
}

/* The server child: runs until killed; reports its port on fd. */
static void
child_main(const char *state, const char *agent, const char *script, int fd)
{
	const char *argv[] = { agent, script, NULL };
	struct aa_server_options o;
	struct aa_server *srv;
	uv_loop_t *loop = uv_default_loop();
	int port;

	memset(&o, 0, sizeof(o));
	o.session.argv = argv;
	o.session.agent_type = "custom";
	o.session.rows = 200;
	o.session.stability_ms = 40;
	o.session.interval_ms = 10;
	o.session.echo_settle_ms = 10;
	o.session.save_delay_ms = 60;
	o.session.state_file = state;
	o.session.load_state = 1;
	o.session.save_state = 1;
	if (aa_server_new(loop, &srv, &o, NULL) != 0)
		_exit(3);
	port = aa_server_port(srv);
	if (write(fd, &port, sizeof(port)) != (ssize_t)sizeof(port))
		_exit(3);
	close(fd);
	uv_run(loop, UV_RUN_DEFAULT);
	_exit(0);
}

/* POSTs a user message; returns the HTTP status, or -1 if the server is
 * gone (refused, reset, cut short). */
static int
post(int port, const char *text)
{
	struct sockaddr_in a;
	struct timeval tv = { 5, 0 };
	char req[256], resp[64], json[128];
	size_t got = 0;
	ssize_t n;
	int fd, status = -1, body;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto out;
	body = snprintf(json, sizeof(json), "{\"content\":\"%s\","
	    "\"type\":\"user\"}", text);
	n = snprintf(req, sizeof(req), "POST /message HTTP/1.1\r\n"
	    "Host: localhost\r\nContent-Type: application/json\r\n"
	    "Content-Length: %d\r\nConnection: close\r\n\r\n%s", body,
	    json);
	if (write(fd, req, (size_t)n) != n)
		goto out;
	while (got < sizeof(resp) - 1) {
		n = read(fd, resp + got, sizeof(resp) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	resp[got] = '\0';
	if (got >= 12 && strncmp(resp, "HTTP/1.1 ", 9) == 0)
		status = atoi(resp + 9);
out:
	close(fd);
	return status;
}

/* Compares two strings through pointers (qsort). */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks the files after try t, given the texts acknowledged so far. */
static void
check(int t, const char *state, char **acked, size_t nacked)
{
	struct aa_store *st;
	struct aa_state s;
	struct aa_buf b;
	char **users = NULL;
	size_t i, n = 0, rep, lo, hi;
	int rc;

	aa_buf_init(&b);
	rc = aa_file_read(state, AA_STATE_MAX_BYTES, &b);
	if (rc == 0 && aa_state_decode(&s, b.data, b.len, NULL) != 0) {
		printf("try %d: the state file does not decode (%zu bytes)\n",
		    t, b.len);
		g_bad++;
	} else if (rc == 0)
		aa_state_release(&s);
	/* What a restart gets back: the file plus the journal, read only. */
	if (aa_store_new(&st, state) != 0)
		abort();
	rc = aa_store_load(st, &b, 0, &rep);
	aa_store_free(st);
	memset(&s, 0, sizeof(s));
	if (rc == 0 && aa_state_decode(&s, b.data, b.len, NULL) != 0) {
		printf("try %d: the replayed state does not decode\n", t);
		g_bad++;
	}
	users = calloc(s.n + 1, sizeof(*users));
	for (i = 0; i < s.n; i++)
		if (s.msgs[i].role == AA_ROLE_USER)
			users[n++] = (char *)(uintptr_t)s.msgs[i].text;
	qsort(users, n, sizeof(*users), cmp_str);
	for (i = 1; i < n; i++) {
		if (strcmp(users[i - 1], users[i]) == 0) {
			printf("try %d: \"%s\" comes back twice\n", t, users[i]);
			g_bad++;
		}
	}
	for (i = 0; i < nacked; i++) {
		lo = 0;
		hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(users[mid], acked[i]) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == n || strcmp(users[lo], acked[i]) != 0) {
			printf("try %d: acknowledged \"%s\" is lost\n", t,
			    acked[i]);
			g_lost++;
		}
	}
	free(users);
	aa_state_release(&s);
	aa_buf_release(&b);
}

/* One try: start, post until killed, reap; adds its acks to *acked. */
static void
one_try(int t, const char *dir, const char *agent, unsigned *seed,
    char ***acked, size_t *nacked)
{
	char state[512], script[512], text[TEXT_MAX];
	struct itimerval it;
	int p[2], port = 0, i = 0, status, ws;
	long delay = (long)(rand_r(seed) % (KILL_MAX_MS + 1));
	ssize_t n;

	snprintf(state, sizeof(state), "%s/state.json", dir);
	snprintf(script, sizeof(script), "%s/script.json", dir);
	if (write_script(script, t) != 0 || pipe(p) != 0)
		abort();
	g_child = fork();
	if (g_child < 0)
		abort();
	if (g_child == 0) {
		close(p[0]);
		child_main(state, agent, script, p[1]);
	}
	close(p[1]);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = delay / 1000;
	it.it_value.tv_usec = (delay % 1000) * 1000 + 1;
	setitimer(ITIMER_REAL, &it, NULL);
	do
		n = read(p[0], &port, sizeof(port));
	while (n < 0 && errno == EINTR && waitpid(g_child, &ws, WNOHANG) == 0);
	close(p[0]);
	while (n == (ssize_t)sizeof(port) && i < SCRIPT_MSGS) {
		text_of(text, t, i);
		status = post(port, text);
		if (status == 200) {
			*acked = realloc(*acked, (*nacked + 1) * sizeof(char *));
			(*acked)[(*nacked)++] = strdup(text);
			i++;
		} else if (status == 409) {
			usleep(3000); /* not ready for input yet */
		} else if (status < 0) {
			break; /* killed */
		} else {
			printf("try %d: \"%s\" answered %d\n", t, text, status);
			g_bad++;
			break;
		}
	}
	/* Posting may end before the alarm: the crash still comes. */
	while (waitpid(g_child, &ws, 0) < 0 && errno == EINTR)
		;
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	g_child = 0;
	if (!WIFSIGNALED(ws) || WTERMSIG(ws) != SIGKILL) {
		printf("try %d: the server ended with status %d\n", t, ws);
		g_bad++;
	}
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct timespec t0, t1;
	char **acked = NULL, state[512];
	size_t nacked = 0, i;
	unsigned seed;
	int tries, t;

	if (argc != 5) {
		fprintf(stderr, "usage: kill9 TRIES SEED DIR FAKE_AGENT\n");
		return 2;
	}
	tries = atoi(argv[1]);
	seed = (unsigned)strtoul(argv[2], NULL, 10);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: reads return */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	snprintf(state, sizeof(state), "%s/state.json", argv[3]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (t = 0; t < tries; t++) {
		one_try(t, argv[3], argv[4], &seed, &acked, &nacked);
		check(t, state, acked, nacked);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("kill9: %d tries, %zu acknowledged, %d lost, %d bad, %.1f s "
	    "(seed %s)\n", tries, nacked, g_lost, g_bad,
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, argv[2]);
	for (i = 0; i < nacked; i++)
		free(acked[i]);
	free(acked);
	return g_lost == 0 && g_bad == 0 ? 0 : 1;
}
