/*
 * cli-help.c - the help texts and the --version line.
 *
 * The help is generated: one line per option from the option table in
 * pflag's usage layout (gocompat.c), the agent names from the agent
 * table, so a new flag or agent cannot be missing from it.  Upstream's
 * flags come first, as cobra prints them, byte for byte; agentapi-c's
 * additions and the flags it only accepts follow under headings of their
 * own.
 */
#include <string.h>

#include "base/aa-internal.h"
#include "base/buf.h"
#include "core/agent.h"
#include "prog/cli.h"
#include "prog/cli-table.h"
#include "prog/gocompat.h"

static void	help_agent_names(struct aa_buf *b);
static int	help_host(struct aa_buf *b, const char *sub);
static void	help_flags(struct aa_buf *b, unsigned int cmd, int kind,
		    const char *cname);

/* Appends one help line per option of cmd with the given kind. */
static void
help_flags(struct aa_buf *b, unsigned int cmd, int kind, const char *cname)
{
	static const char *const tnames[] = { " string", " int", " uint16",
	    "", " strings", "" };
	const struct aa_cli_option *o;
	struct aa_buf t;
	int i;

	aa_buf_init(&t);
	for (i = 0; i < AA_CLI_NOPTIONS; i++) {
		o = &aa_cli_options[i];
		if ((o->cmds & cmd) == 0 || o->kind != kind)
			continue;
		aa_buf_reset(&t);
		if (i == AA_CLI_OPT_HELP)
			aa_buf_printf(&t, "help for %s", cname);
		else
			aa_buf_puts(&t, o->help);
		if (i == AA_CLI_OPT_TYPE)
			help_agent_names(&t);
		if (o->type == T_STRING && o->def[0] != '\0')
			aa_buf_printf(&t, " (default \"%s\")", o->def);
		else if ((o->type == T_INT || o->type == T_UINT16))
			aa_buf_printf(&t, " (default %s)", o->def);
		else if (o->type == T_LIST)
			aa_buf_printf(&t, " (default [%s])", o->def);
		if (o->env != NULL)
			aa_buf_printf(&t, " [env %s]", o->env);
		aa_pflag_usage(b, o->shorthand, o->name, tnames[o->type],
		    aa_buf_str(&t));
	}
	aa_buf_release(&t);
}

/* Appends " (one of: <every agent name and alias>)" from the agent table. */
static void
help_agent_names(struct aa_buf *b)
{
	aa_buf_puts(b, " (one of: ");
	aa_agent_list_names(b);
	aa_buf_putc(b, ')');
}

/* The help of the commands that drive a host's sessions; -1 for a word
 * that is none of them. */
static int
help_host(struct aa_buf *b, const char *sub)
{
	static const struct {
		const char *word;
		unsigned int cmd;
		const char *text;
	} cmds[] = {
		{ "ls", C_LS, "List the host's sessions: id, name, type, status, "
		    "state, messages, age and directory\n\nUsage:\n  "
		    AA_CLI_PROGRAM " ls [flags]\n" },
		{ "new", C_NEW, "Start a session on the host; prints its id\n\n"
		    "Usage:\n  " AA_CLI_PROGRAM " new [flags] -- agent "
		    "[agent-args...]\n" },
		{ "send", C_SEND, "Send a session a message and wait until the "
		    "agent has taken it\n\nUsage:\n  " AA_CLI_PROGRAM
		    " send [flags] ID|NAME text...   (- reads the text from "
		    "stdin)\n" },
		{ "logs", C_LOGS, "Print a session's conversation\n\nUsage:\n  "
		    AA_CLI_PROGRAM " logs [flags] ID|NAME\n" },
		{ "stop", C_STOP, "Stop a session's agent and forget the "
		    "session\n\nUsage:\n  " AA_CLI_PROGRAM " stop [flags] "
		    "ID|NAME\n" },
		{ "restart", C_RESTART, "Start an exited session's agent again "
		    "(with its type's resume flag, else\nfresh under the kept "
		    "history)\n\nUsage:\n  " AA_CLI_PROGRAM " restart [flags] "
		    "ID|NAME\n" },
	};

	for (size_t k = 0; k < AA__ARRAY_SIZE(cmds); k++) {
		if (strcmp(sub, cmds[k].word) != 0)
			continue;
		aa_buf_puts(b, cmds[k].text);
		aa_buf_puts(b, "\nFlags:\n");
		help_flags(b, cmds[k].cmd, K_UPSTREAM, cmds[k].word);
		help_flags(b, cmds[k].cmd, K_OURS, cmds[k].word);
		aa_buf_puts(b, "\nThe host is the one on --socket (default "
		    "$XDG_RUNTIME_DIR/agentapi-c/host.sock,\nelse "
		    "~/.local/state/agentapi-c/host.sock), or on --url over "
		    "TCP with the token\n(--auth-token, AGENTAPI_AUTH_TOKEN, "
		    "else host.token beside the socket).\nA session is named "
		    "by its id, its name or a unique start of its id.\n"
		    "Exit codes: 0 done, 1 refused or failed, 2 no host, 3 no "
		    "such session,\n4 the agent is busy (or, to restart, "
		    "running), 5 the agent has exited.\n");
		return 0;
	}
	return -1;
}

int
aa_cli_help(struct aa_buf *out, const char *sub)
{
	struct aa_buf t;
	size_t before = out->len;

	if (sub == NULL || *sub == '\0') {
		aa_buf_puts(out, AA_CLI_PROGRAM " runs a terminal coding agent "
		    "under a PTY and serves its conversation\nover HTTP and "
		    "SSE. It is a drop-in replacement for coder/agentapi.\n\n"
		    "Usage:\n  " AA_CLI_PROGRAM " [command]\n\n"
		    "Available Commands:\n"
		    "  attach      Attach to a running agent\n"
		    "  help        Help about any command\n"
		    "  server      Run the server\n\n"
		    AA_CLI_PROGRAM " additions (a host's sessions):\n"
		    "  host        Run many agents in one process\n"
		    "  ls          List the host's sessions\n"
		    "  new         Start a session\n"
		    "  send        Send a session a message\n"
		    "  logs        Print a session's conversation\n"
		    "  stop        Stop a session\n"
		    "  restart     Start an exited session's agent again\n"
		    "  mcp         Serve the host's MCP tools over stdio\n\n"
		    "Flags:\n");
		help_flags(out, C_ROOT, K_UPSTREAM, AA_CLI_PROGRAM);
		aa_buf_puts(out, "\nUse \"" AA_CLI_PROGRAM " [command] "
		    "--help\" for more information about a command.\n");
	} else if (strcmp(sub, "server") == 0) {
		aa_buf_init(&t);
		aa_buf_puts(&t, "Run the server with the specified agent");
		help_agent_names(&t);
		aa_pflag_wrap(out, aa_buf_str(&t), 0, 0);
		aa_buf_release(&t);
		aa_buf_puts(out, "\nUsage:\n  " AA_CLI_PROGRAM
		    " server [flags] [agent] [-- agent-args...]\n\n"
		    "Put \"--\" before the agent's own flags, or they are "
		    "read as " AA_CLI_PROGRAM "'s.\n\nFlags:\n");
		help_flags(out, C_SERVER, K_UPSTREAM, "server");
		aa_buf_puts(out, "\n" AA_CLI_PROGRAM " additions (not in "
		    "upstream agentapi):\n");
		help_flags(out, C_SERVER, K_OURS, "server");
		aa_buf_puts(out, "\nAccepted for compatibility, not supported "
		    "by " AA_CLI_PROGRAM ":\n");
		help_flags(out, C_SERVER, K_REFUSED, "server");
		aa_buf_puts(out, "\nA flag on the command line wins over its "
		    "environment variable; an empty\nvariable counts as "
		    "unset.\n");
	} else if (strcmp(sub, "attach") == 0) {
		aa_buf_puts(out, "Attach to a running agent\n\nUsage:\n  "
		    AA_CLI_PROGRAM " attach [flags]\n\nFlags:\n");
		help_flags(out, C_ATTACH, K_UPSTREAM, "attach");
		aa_buf_puts(out, "\n" AA_CLI_PROGRAM " additions (not in "
		    "upstream agentapi):\n");
		help_flags(out, C_ATTACH, K_OURS, "attach");
		aa_buf_puts(out, "\n" AA_CLI_PROGRAM " attach ID|NAME attaches "
		    "to a session of the host on\nits socket (--socket), or "
		    "on --url with the token.\n");
	} else if (strcmp(sub, "mcp") == 0) {
		aa_buf_puts(out, "Serve the MCP tools of an agentapi-c host "
		    "over stdio (newline-delimited\nJSON-RPC), for an MCP "
		    "client that starts its servers as commands.  Talks to\n"
		    "the host on its unix socket and starts one there when "
		    "none answers.\n\nUsage:\n  " AA_CLI_PROGRAM
		    " mcp [flags]\n\nFlags:\n");
		help_flags(out, C_MCP, K_UPSTREAM, "mcp");
		aa_buf_puts(out, "\n" AA_CLI_PROGRAM " additions (not in "
		    "upstream agentapi):\n");
		help_flags(out, C_MCP, K_OURS, "mcp");
	} else if (help_host(out, sub) != 0)
		return AA_EINVAL;
	/* aa_buf reports ENOMEM per call; one check of the result is
	 * enough because a failed append leaves the buffer short. */
	return out->data != NULL && out->len > before ? 0 : AA_ENOMEM;
}

int
aa_cli_version(struct aa_buf *out)
{
	return aa_buf_printf(out, "%s version %s\n", AA_CLI_PROGRAM,
	    aa_version_string());
}
