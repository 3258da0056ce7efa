/*
 * main.c - the agentapi-c program: command line, signals, process exit.
 *
 * A thin user of the library: src/cli.c turns argv and the environment
 * into a configuration, aa_server runs the agent and the API on the
 * default loop, and this file decides what the process prints and how it
 * exits (../shared/spec/http.md §9).  The only process globals of the
 * project live here.
 *
 *   agentapi-c server [flags] -- <agent> [args...]
 *   agentapi-c attach [--url URL] [--detach-keys KEYS] [ID|NAME]
 *   agentapi-c ls|new|send|logs|stop|restart ...  a host's sessions
 *                                          (hostcli.c)
 *   agentapi-c demo-agent [script.json]     the built-in demo agent
 *   agentapi-c --version | --help
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include <agentapi.h>

#include "base/aa-internal.h"
#include "core/agent.h"
#include "prog/attach.h"
#include "base/buf.h"
#include "base/log.h"
#include "prog/cli.h"
#include "prog/demo.h"
#include "prog/hostcli.h"
#include "prog/hostcmd.h"
#include "prog/mcpcmd.h"
#include "prog/pidfile.h"
#include "prog/stdin.h"
#include "runtime/session.h" /* save outcome */
#include "base/text.h"
#include "base/timefmt.h"
#include "api/server.h" /* aa_server_new_log */
#include "api/webassets.h"
#include "core/rules.h"

extern char **environ;

#define STDIN_PROMPT_MAX (1024 * 1024)
#define STDIN_PROMPT_TIMEOUT_MS 5000

/* The running program's state: the CLI configuration and the shutdown
 * bookkeeping (the only globals of the project). */
static struct {
	struct aa_cli cli;
	uv_loop_t *loop;
	struct aa_server *server;
	uv_signal_t sig[5];
	int nsig;
	int stopping;
	int agent_exited;
	int agent_status;
	char *last_screen;
	int verbose;
	int save_failed;	/* the last state save failed */
	char *save_why;
	struct aa_rules *rules;	/* --agent-rules, in use while we run */
} prog;

/* Writes one log record in upstream's slog text format to stdout: the
 * message only, as upstream prints it (the function's name is left out). */
static void
log_record(void *ud, const struct aa_log_record *r)
{
	static const char *const names[] = { "DEBUG", "INFO", "WARN", "ERROR" };
	const char *msg = r->msg;
	int level = r->level;
	struct aa_buf t;

	(void)ud;
	if (level == AA_LOG_DEBUG && !prog.verbose)
		return;
	if (level < 0 || level > AA_LOG_ERROR)
		level = AA_LOG_INFO;
	aa_buf_init(&t);
	aa_time_format(&t, aa__wall_ns() / 1000000 * 1000000, 0);
	printf("time=%s level=%s msg=\"", aa_buf_str(&t), names[level]);
	for (; *msg != '\0'; msg++) {
		if (*msg == '"' || *msg == '\\')
			putchar('\\');
		if (*msg == '\n')
			fputs("\\n", stdout);
		else
			putchar(*msg);
	}
	puts("\"");
	fflush(stdout);
	aa_buf_release(&t);
}

/* The program's logger, also handed to the server. */
static const struct aa_log prog_log = { .record = log_record };

/* Logs a formatted INFO line through the program's logger. */
static void
logf_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
logf_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	aa_log_vprintf(&prog_log, AA_LOG_INFO, __func__, fmt, ap);
	va_end(ap);
}

/* Maps an agent name or alias to its canonical type (for aa_cli). */
static const char *
agent_lookup(const char *name)
{
	const struct aa_agent *a = aa_agent_find(name);

	return a != NULL ? aa_agent_name(a) : NULL;
}

/* Everything is closed: let uv_run return. */
static void
server_done(void *ud)
{
	int i;

	(void)ud;
	prog.server = NULL;
	for (i = 0; i < prog.nsig; i++)
		uv_close((uv_handle_t *)&prog.sig[i], NULL);
}

/* Starts the graceful shutdown once. */
static void
shutdown_server(void)
{
	if (prog.stopping)
		return;
	prog.stopping = 1;
	aa_server_stop(prog.server, server_done, NULL);
}

/* SIGINT/SIGTERM/SIGHUP stop gracefully, a second one at once; SIGUSR1
 * saves the state (spec §9.8). */
static void
on_signal(uv_signal_t *h, int signum)
{
	(void)h;
	if (signum == SIGUSR1) {
		logf_info("Received SIGUSR1, saving state without exiting");
		if (prog.server != NULL)
			aa_server_save_state(prog.server);
		return;
	}
	if (prog.stopping) {
		fprintf(stderr, "agentapi-c: second %s, exiting now\n",
		    strsignal(signum));
		exit(1);
	}
	logf_info("Received shutdown signal signal=%s", strsignal(signum));
	shutdown_server();
}

/* The agent exited on its own: keep its last screen and shut down. */
static void
on_agent_exit(void *ud, int wait_status)
{
	const char *screen;
	size_t len, a, b;

	(void)ud;
	prog.agent_exited = 1;
	prog.agent_status = wait_status;
	screen = aa_session_screen(aa_server_session(prog.server), &len);
	aa_text_trim_space(screen, len, &a, &b);
	prog.last_screen = strndup(screen + a, b - a);
	shutdown_server();
}

/* Remembers the outcome of the latest state save: if the last one, the
 * save at shutdown, failed, the process must not exit 0. */
static void
on_save(void *ud, int err, const char *why)
{
	(void)ud;
	prog.save_failed = err != 0;
	free(prog.save_why);
	prog.save_why = err != 0 ? strdup(why != NULL ? why :
	    aa_strerror(err)) : NULL;
}

/* Starts the signal watchers on the loop. */
static void
watch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1 };
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		uv_signal_init(prog.loop, &prog.sig[prog.nsig]);
		uv_signal_start(&prog.sig[prog.nsig], on_signal, sigs[i]);
		prog.nsig++;
	}
}

/* Reads the initial prompt from a non-terminal stdin (spec §9.5), with a
 * size cap and a deadline so a pipe that never closes cannot hang us. */
static int
stdin_prompt(char **prompt)
{
	char *cause = NULL, *text = NULL;
	size_t len = 0;

	*prompt = NULL;
	if (isatty(STDIN_FILENO))
		return 0;
	if (aa_stdin_read_prompt(STDIN_FILENO, STDIN_PROMPT_MAX,
		STDIN_PROMPT_TIMEOUT_MS, &text, &len, &cause) != 0) {
		fprintf(stderr, "Error: failed to read initial prompt from "
				"stdin: %s\n",
		    cause ? cause : "error");
		free(cause);
		return -1;
	}
	free(cause);
	if (text != NULL && len > 0) {
		logf_info("Read initial prompt from stdin bytes=%zu", len);
		*prompt = text;
	} else
		free(text);
	return 0;
}

/* Prints the embedded OpenAPI document (--print-openapi). */
static int
print_openapi(void)
{
	const struct aa_asset *a = aa_asset_find("schemas/openapi.json");

	if (a == NULL) {
		fprintf(stderr, "Error: no OpenAPI document embedded\n");
		return 1;
	}
	fwrite(a->data, 1, a->len, stdout);
	return 0;
}

/* Fills the server's options from the configuration. */
static void
server_options(struct aa_server_options *o, const char *prompt)
{
	static const char *const none[1];
	const struct aa_cli *c = &prog.cli;

	memset(o, 0, sizeof(*o));
	o->session.argv = (const char *const *)c->agent_argv;
	o->session.agent_type = c->agent_type;
	o->session.term = c->term;
	o->session.cols = c->term_width;
	o->session.rows = c->term_height;
	o->session.initial_prompt = prompt;
	if (c->state_file != NULL && *c->state_file != '\0') {
		o->session.state_file = c->state_file;
		o->session.load_state = c->load_state;
		o->session.save_state = c->save_state;
	}
	o->api.addrs = (const char *const *)c->bind.v;
	o->api.naddrs = c->bind.n;
	o->api.port = c->port;
	/* An explicitly empty list (-a '') has no array; it must reach the
	 * access checks as empty ("the list must not be empty"), not as
	 * NULL, which means the default list. */
	o->api.allowed_hosts = c->allowed_hosts.v != NULL ?
	    (const char *const *)c->allowed_hosts.v : none;
	o->api.nallowed_hosts = c->allowed_hosts.n;
	o->api.allowed_origins = c->allowed_origins.v != NULL ?
	    (const char *const *)c->allowed_origins.v : none;
	o->api.nallowed_origins = c->allowed_origins.n;
	o->api.auth_token = c->auth_token;
	o->api.chat_base_path = c->chat_base_path;
	o->on_exit = on_agent_exit;
}

/* Decides the exit code once the loop has ended (spec §9.8, §9.9): the
 * agent's own status when it ended the run (DESIGN: "a crashed agent ends
 * the server with the agent's exit status"; upstream says 1), 128+signal
 * when it was killed, else 0. */
static int
exit_code(void)
{
	int st = prog.agent_status;

	if (!prog.agent_exited || (WIFEXITED(st) && WEXITSTATUS(st) == 0))
		return 0;
	fprintf(stderr, "agent exited with error: ========\n%s\n========\n: ",
	    prog.last_screen ? prog.last_screen : "");
	if (WIFEXITED(st)) {
		fprintf(stderr, "non-zero exit code %d\n", WEXITSTATUS(st));
		return WEXITSTATUS(st);
	}
	fprintf(stderr, "killed by signal %d\n", WTERMSIG(st));
	return 128 + WTERMSIG(st);
}

/* `agentapi-c server`: validate, write the PID file, run until the agent
 * exits or a signal stops us. */
static int
run_server(void)
{
	struct aa_server_options o;
	char *cause = NULL, *prompt = NULL;
	const char *initial;
	pid_t stale = 0;
	int rc;

	if (prog.cli.print_openapi)
		return print_openapi();
	initial = prog.cli.initial_prompt;
	if ((initial == NULL || *initial == '\0')) {
		if (stdin_prompt(&prompt) != 0)
			return 1;
		initial = prompt;
	}
	if (prog.cli.pid_file != NULL && *prog.cli.pid_file != '\0') {
		if (aa_pidfile_write(prog.cli.pid_file, getpid(), &stale,
			&cause) != 0) {
			fprintf(stderr, "Error: %s\n", cause ? cause : "");
			free(cause);
			free(prompt);
			return 1;
		}
		if (stale != 0)
			logf_info("Found stale PID file, will overwrite");
		logf_info("Wrote PID file pidFile=%s pid=%d",
		    prog.cli.pid_file, (int)getpid());
	}
	/* The rules are in use before the session looks its agent up. */
	if (prog.cli.agent_rules != NULL && *prog.cli.agent_rules != '\0') {
		if (aa_rules_load(prog.cli.agent_rules, &prog.rules,
		    &cause) != 0) {
			fprintf(stderr, "Error: %s\n", cause ? cause :
			    "agent-rules: cannot load");
			free(cause);
			free(prompt);
			return 1;
		}
		aa_agent_use_table(aa_rules_table(prog.rules));
		logf_info("Loaded agent rules file=%s", prog.cli.agent_rules);
	}
	prog.loop = uv_default_loop();
	server_options(&o, initial);
	rc = aa_server_new_log(prog.loop, &prog.server, &o, &prog_log,
	    &cause);
	free(prompt);
	if (rc != 0) {
		fprintf(stderr, "agentapi-c: %s\n",
		    cause ? cause : aa_strerror(rc));
		free(cause);
		rc = 1;
		goto out;
	}
	logf_info("Starting server on port port=%d",
	    aa_server_port(prog.server));
	aa_session_on_save(aa_server_session(prog.server), on_save, NULL);
	if (prog.cli.health_grace > 0)
		aa_session_set_health_grace(aa_server_session(prog.server),
		    (int64_t)prog.cli.health_grace * 1000);
	watch_signals();
	uv_run(prog.loop, UV_RUN_DEFAULT);
	rc = exit_code();
	if (prog.save_failed) {
		fprintf(stderr, "agentapi-c: the state was not saved: %s\n",
		    prog.save_why != NULL ? prog.save_why : "unknown error");
		if (rc == 0)
			rc = 1;
	}
out:
	uv_loop_close(prog.loop);
	if (prog.cli.pid_file != NULL && *prog.cli.pid_file != '\0' &&
	    aa_pidfile_remove(prog.cli.pid_file, getpid(), &cause) < 0) {
		fprintf(stderr, "agentapi-c: %s\n",
		    cause ? cause : "failed to remove PID file");
		free(cause);
	}
	free(prog.last_screen);
	free(prog.save_why);
	aa_agent_use_table(NULL);
	aa_rules_free(prog.rules);
	prog.rules = NULL;
	return rc;
}

int
main(int argc, char **argv)
{
	struct aa_buf out;
	char *cause = NULL;
	int rc;

	/* The server writes to sockets whose peers may vanish. */
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && (strcmp(argv[1], "demo-agent") == 0 ||
			    strcmp(argv[1], "demo") == 0))
		return aa_demo_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "host") == 0)
		return aa_host_main(argc - 1, argv + 1);
	if (aa_cli_parse(&prog.cli, argc, argv, environ, &cause) != 0) {
		fprintf(stderr, "Error: %s\nRun 'agentapi-c --help' for "
				"usage.\n",
		    cause ? cause : "invalid arguments");
		free(cause);
		return 1;
	}
	aa_buf_init(&out);
	switch (prog.cli.cmd) {
	case AA_CLI_HELP:
		aa_cli_help(&out, prog.cli.help_topic);
		fputs(aa_buf_str(&out), stdout);
		rc = 0;
		break;
	case AA_CLI_VERSION:
		aa_cli_version(&out);
		fputs(aa_buf_str(&out), stdout);
		rc = 0;
		break;
	case AA_CLI_ATTACH:
		/* attach ID: a host's session. */
		if (prog.cli.session[0] != '\0') {
			rc = aa_hostcli_main(&prog.cli);
			break;
		}
		rc = aa_attach_main(prog.cli.url, prog.cli.auth_token,
		    prog.cli.detach_keys, NULL);
		break;
	case AA_CLI_LS:
	case AA_CLI_NEW:
	case AA_CLI_SEND:
	case AA_CLI_LOGS:
	case AA_CLI_STOP:
	case AA_CLI_RESTART:
		if (aa_cli_validate(&prog.cli, agent_lookup, &cause) != 0) {
			fprintf(stderr, "Error: %s\n", cause ? cause : "");
			free(cause);
			rc = 1;
			break;
		}
		rc = aa_hostcli_main(&prog.cli);
		break;
	case AA_CLI_MCP:
		rc = aa_mcp_main(prog.cli.socket, prog.cli.verbose);
		break;
	case AA_CLI_SERVER:
	default:
		if (prog.cli.exit_after_parse) {
			rc = 0;
			break;
		}
		if (aa_cli_validate(&prog.cli, agent_lookup, &cause) != 0) {
			fprintf(stderr, "Error: %s\n", cause ? cause : "");
			free(cause);
			rc = 1;
			break;
		}
		prog.verbose = prog.cli.verbose;
		rc = run_server();
		break;
	}
	aa_buf_release(&out);
	aa_cli_release(&prog.cli);
	return rc;
}
