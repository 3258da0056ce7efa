/*
 * hostcmd.c - `agentapi-c host`: the command line around aa_host, the
 * library's host (include/agentapi.h) as any embedder uses it.
 *
 *   agentapi-c host [--socket PATH] [--state-dir DIR] [--port N]
 *                   [--bind ADDR] [--auth-token TOKEN] [--max-sessions N]
 *                   [--stop-timeout MS] [-v]
 *
 * Secure by default: only the unix socket ($XDG_RUNTIME_DIR/agentapi-c/
 * host.sock, else ~/.local/state/agentapi-c/host.sock) unless --port asks
 * for loopback TCP too, where the bearer token (--auth-token,
 * AGENTAPI_AUTH_TOKEN, else 32 random bytes) is required and written to
 * host.token, mode 0600, beside the socket.  SIGINT or SIGTERM stop every
 * agent (their state saved) and the host; the session list stays, so the
 * next host brings the sessions back.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "base/aa-internal.h"
#include "base/fileio.h"
#include "base/log.h"
#include "host/host.h"
#include "prog/hostcmd.h"

struct hostcmd {
	uv_loop_t *loop;
	struct aa_host *host;
	uv_signal_t sig[2];
	int verbose;
	int stopped;
};

/* Log lines to stderr: "time level func: msg" (debug lines with -v). */
static void
hc_log(void *ud, const struct aa_log_record *r)
{
	struct hostcmd *hc = ud;
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	if (r->level == AA_LOG_DEBUG && !hc->verbose)
		return;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s\n", ts, r->level >= AA_LOG_ERROR ? "ERROR" :
	    r->level >= AA_LOG_WARN ? "WARN" : "INFO", r->msg);
}

static void
hc_usage(FILE *f)
{
	fputs("Usage: agentapi-c host [flags]\n"
	    "\n"
	    "Runs many agent sessions in one process.  POST /sessions starts\n"
	    "one, GET /sessions lists them, DELETE /sessions/{id} stops one;\n"
	    "/sessions/{id}/ serves its agentapi endpoints; /chat is one page\n"
	    "for them all (over TCP, open the chat URL the host logs).\n"
	    "\n"
	    "Flags:\n"
	    "  --socket PATH       unix socket (default $XDG_RUNTIME_DIR/"
	    "agentapi-c/host.sock)\n"
	    "  --state-dir DIR     session list and state files (default\n"
	    "                      $XDG_STATE_HOME/agentapi-c/host)\n"
	    "  --port N            also listen on loopback TCP (token "
	    "required)\n"
	    "  --bind ADDR         the TCP address (default 127.0.0.1 and "
	    "::1)\n"
	    "  --auth-token TOKEN  the TCP bearer token (AGENTAPI_AUTH_TOKEN;"
	    "\n"
	    "                      default: generated into host.token)\n"
	    "  --max-sessions N    at most N sessions (default 64)\n"
	    "  --stop-timeout MS   SIGINT to SIGKILL grace (default 5000)\n"
	    "  -v                  debug log lines\n", f);
}

/* dir/rest from an environment variable, else $HOME/home_rest. */
static int
hc_path(char *out, size_t size, const char *var, const char *rest,
    const char *home_rest)
{
	const char *v = getenv(var), *home = getenv("HOME");
	int n;

	if (v != NULL && v[0] == '/')
		n = snprintf(out, size, "%s/%s", v, rest);
	else if (home != NULL && home[0] == '/')
		n = snprintf(out, size, "%s/%s/%s", home, home_rest, rest);
	else
		return -1;
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* Parses a whole number in [lo, hi]. */
static int
hc_num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static void
hc_stopped(void *ud)
{
	struct hostcmd *hc = ud;

	hc->stopped = 1;
	uv_close((uv_handle_t *)&hc->sig[0], NULL);
	uv_close((uv_handle_t *)&hc->sig[1], NULL);
}

static void
hc_signal(uv_signal_t *h, int signum)
{
	struct hostcmd *hc = h->data;

	(void)signum;
	aa_host_stop(hc->host, hc_stopped, hc);
}

int
aa_host_main(int argc, char **argv)
{
	struct hostcmd hc;
	struct aa_host_options o;
	struct aa_log log;
	char sock[PATH_MAX], state[PATH_MAX], tokpath[PATH_MAX + 16];
	char *cause = NULL, *slash;
	const char *bad = NULL, *token;
	const char *bind[1];
	long v;
	int i, rc;

	memset(&hc, 0, sizeof(hc));
	memset(&o, 0, sizeof(o));
	o.version = AA_HOST_OPTIONS_VERSION;
	o.auth_token = getenv("AGENTAPI_AUTH_TOKEN");
	sock[0] = state[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char *a = bad = argv[i], *val = i + 1 < argc ? argv[i + 1] :
		    NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			hc_usage(stdout);
			return 0;
		}
		if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			hc.verbose = 1;
			continue;
		}
		if (val == NULL)
			goto usage;
		i++;
		if (strcmp(a, "--socket") == 0 &&
		    strlen(val) < sizeof(sock) && val[0] != '\0')
			snprintf(sock, sizeof(sock), "%s", val);
		else if (strcmp(a, "--state-dir") == 0 &&
		    strlen(val) < sizeof(state) - 64 && val[0] != '\0')
			snprintf(state, sizeof(state), "%s", val);
		else if (strcmp(a, "--port") == 0 &&
		    hc_num(val, 0, 65535, &v) == 0) {
			o.tcp = 1;
			o.port = (int)v;
		} else if (strcmp(a, "--bind") == 0) {
			bind[0] = val;
			o.addrs = bind;
			o.naddrs = 1;
		} else if (strcmp(a, "--auth-token") == 0)
			o.auth_token = val;
		else if (strcmp(a, "--max-sessions") == 0 &&
		    hc_num(val, 1, 100000, &v) == 0)
			o.max_sessions = (size_t)v;
		else if (strcmp(a, "--stop-timeout") == 0 &&
		    hc_num(val, 1, 600000, &v) == 0)
			o.stop_timeout_ms = (unsigned)v;
		else
			goto usage;
	}
	if ((sock[0] == '\0' && hc_path(sock, sizeof(sock),
	    "XDG_RUNTIME_DIR", "agentapi-c/host.sock",
	    ".local/state") != 0 && hc_path(sock, sizeof(sock), "",
	    "agentapi-c/host.sock", ".local/state") != 0) ||
	    (state[0] == '\0' && hc_path(state, sizeof(state),
	    "XDG_STATE_HOME", "agentapi-c/host", ".local/state") != 0)) {
		fputs("Error: no $HOME to put the socket and state in; "
		    "give --socket and --state-dir\n", stderr);
		return 1;
	}
	o.state_dir = state;
	o.socket_path = sock;
	log = (struct aa_log){ .record = hc_log, .ud = &hc };
	hc.loop = uv_default_loop();
	/* The socket's directory first: host.token goes beside the socket
	 * before anyone can connect (aa_host_start prepares it again). */
	if ((rc = aa_host_new_log(hc.loop, &hc.host, &o, &log, &cause)) != 0 ||
	    (rc = aa_host_prepare_socket(sock, &cause)) != 0)
		goto fail;
	if ((token = aa_host_token(hc.host)) != NULL) {
		snprintf(tokpath, sizeof(tokpath), "%s", sock);
		if ((slash = strrchr(tokpath, '/')) != NULL)
			snprintf(slash + 1, sizeof(tokpath) -
			    (size_t)(slash + 1 - tokpath), "host.token");
		if ((rc = aa_file_replace(tokpath, token,
		    strlen(token))) != 0) {
			fprintf(stderr, "Error: writing %s: %s\n", tokpath,
			    aa_strerror(rc));
			goto out;
		}
	}
	if ((rc = aa_host_start(hc.host, &cause)) != 0)
		goto fail;
	for (int k = 0; k < 2; k++) {
		uv_signal_init(hc.loop, &hc.sig[k]);
		hc.sig[k].data = &hc;
		uv_signal_start(&hc.sig[k], hc_signal, k == 0 ? SIGINT :
		    SIGTERM);
	}
	if (token != NULL) {
		AA_LOG(&log, AA_LOG_INFO, "host listening on %s and TCP port "
		    "%d (%zu sessions)", sock, aa_host_port(hc.host),
		    aa_host_session_count(hc.host));
		/* The way in for a browser: the page trades ?token= for a
		 * cookie and drops it from the URL.  The token itself only
		 * goes to a terminal: a log file or journal is often read by
		 * more people than host.token (0600) is. */
		if (isatty(STDERR_FILENO))
			AA_LOG(&log, AA_LOG_INFO, "chat: "
			    "http://localhost:%d/chat?token=%s",
			    aa_host_port(hc.host), token);
		else
			AA_LOG(&log, AA_LOG_INFO, "chat: "
			    "http://localhost:%d/chat?token=$(cat %s)",
			    aa_host_port(hc.host), tokpath);
	} else
		AA_LOG(&log, AA_LOG_INFO, "host listening on %s (%zu "
		    "sessions)", sock, aa_host_session_count(hc.host));
	uv_run(hc.loop, UV_RUN_DEFAULT);
	aa_host_free(hc.host);
	uv_loop_close(hc.loop);
	return 0;
fail:
	fprintf(stderr, "Error: %s\n", cause != NULL ? cause :
	    aa_strerror(rc));
	free(cause);
out:
	/* What a failed start opened closes on the loop. */
	aa_host_stop(hc.host, NULL, NULL);
	uv_run(hc.loop, UV_RUN_DEFAULT);
	aa_host_free(hc.host);
	uv_loop_close(hc.loop);
	return 1;
usage:
	fprintf(stderr, "Error: bad or incomplete flag %s\n", bad);
	hc_usage(stderr);
	return 1;
}
