/*
 * cli.h - aa_cli: the command line and environment, parsed into a config.
 *
 * Pure code: argv and an envp array in, a struct aa_cli or a message out.
 * Nothing here reads the process environment, a file or the clock, so the
 * whole surface is unit-tested and fuzzed.  The accepted syntax is that of
 * upstream agentapi (cobra + pflag + viper, spec/http.md §9, §10):
 *
 *   agentapi-c [--version|-v] [--help|-h]
 *   agentapi-c server [flags] [agent] [-- agent-args...]
 *   agentapi-c attach [--url|-u URL] [--detach-keys KEYS] [ID|NAME]
 *   agentapi-c ls|new|send|logs|stop|restart ...   (the host's sessions)
 *   agentapi-c mcp [--socket PATH] [-v]
 *   agentapi-c help [server|attach|mcp|ls|new|send|logs|stop|restart]
 *
 * Flags take every pflag form (--f v, --f=v, -f v, -fv, -f=v, bare bools,
 * grouped short bools), may appear before or after the first positional
 * word, and stop at "--"; every positional word and everything after "--"
 * is the agent's argv.  Each server flag is also read from AGENTAPI_<NAME>
 * (upper case, '-' -> '_'); a flag on the command line wins over the
 * environment, and an empty environment variable counts as unset.  List
 * flags are comma-separated (CSV) and accumulate when repeated; list
 * variables are split on white space.
 *
 * Two steps, because upstream reports them differently: aa_cli_parse()
 * fails on usage errors (cobra prints "Error: <msg>" and the usage), and
 * aa_cli_validate() fails on configuration errors (printed alone), in the
 * order of spec/http.md §9.7.  Reading stdin for the initial prompt and
 * writing the PID file are I/O and belong to the program.
 */
#ifndef AA_CLI_H
#define AA_CLI_H

#include <stddef.h>

#include "base/buf.h"

/* The name the program calls itself in help, errors and --version. */
#define AA_CLI_PROGRAM "agentapi-c"

/* Upper bound on the entries of one list option (hosts, origins, binds). */
#define AA_CLI_LIST_MAX 1024

enum aa_cli_cmd {
	AA_CLI_HELP = 0,	/* print help for help_topic, exit 0 */
	AA_CLI_VERSION,		/* print aa_cli_version(), exit 0 */
	AA_CLI_SERVER,		/* run the server */
	AA_CLI_ATTACH,		/* attach a terminal to a running server */
	/* The host's sessions (prog/hostcli.c), over its socket. */
	AA_CLI_LS,		/* list them */
	AA_CLI_NEW,		/* start one */
	AA_CLI_SEND,		/* send one a message */
	AA_CLI_LOGS,		/* print (and follow) its conversation */
	AA_CLI_STOP,		/* stop and forget one */
	AA_CLI_RESTART,		/* start an exited one's agent again */
	AA_CLI_MCP		/* MCP over stdio, relayed to a host */
};

/*
 * Every option, in table order.  The values index aa_cli.src[], which says
 * where each setting came from.
 */
enum aa_cli_opt {
	AA_CLI_OPT_TYPE = 0,
	AA_CLI_OPT_PORT,
	AA_CLI_OPT_PRINT_OPENAPI,
	AA_CLI_OPT_CHAT_BASE_PATH,
	AA_CLI_OPT_TERM_WIDTH,
	AA_CLI_OPT_TERM_HEIGHT,
	AA_CLI_OPT_ALLOWED_HOSTS,
	AA_CLI_OPT_ALLOWED_ORIGINS,
	AA_CLI_OPT_INITIAL_PROMPT,
	AA_CLI_OPT_STATE_FILE,
	AA_CLI_OPT_LOAD_STATE,
	AA_CLI_OPT_SAVE_STATE,
	AA_CLI_OPT_PID_FILE,
	AA_CLI_OPT_EXPERIMENTAL_ACP,
	AA_CLI_OPT_EXIT,
	AA_CLI_OPT_BIND,
	AA_CLI_OPT_AUTH_TOKEN,
	AA_CLI_OPT_VERBOSE,
	AA_CLI_OPT_TERM,
	AA_CLI_OPT_AGENT_RULES,
	AA_CLI_OPT_HEALTH_GRACE,
	AA_CLI_OPT_URL,
	AA_CLI_OPT_DETACH_KEYS,
	AA_CLI_OPT_SOCKET,
	AA_CLI_OPT_HOST_URL,
	AA_CLI_OPT_NAME,
	AA_CLI_OPT_CWD,
	AA_CLI_OPT_PROMPT,
	AA_CLI_OPT_QUEUE,
	AA_CLI_OPT_INTERRUPT,
	AA_CLI_OPT_JSON,
	AA_CLI_OPT_FOLLOW,
	AA_CLI_OPT_HELP,
	AA_CLI_OPT__COUNT
};

enum aa_cli_source {
	AA_CLI_SRC_DEFAULT = 0,
	AA_CLI_SRC_ENV,
	AA_CLI_SRC_FLAG
};

/* A list of owned strings. */
struct aa_cli_list {
	char **v;
	size_t n;
};

struct aa_cli {
	enum aa_cli_cmd cmd;
	/* AA_CLI_HELP: NULL for the root help, else a command's name. */
	const char *help_topic;

	/* server: upstream's flags (spec/http.md §9.2). */
	char *type;		/* --type as given; "" when unset */
	int port;		/* --port, 3284 */
	int print_openapi;	/* --print-openapi */
	char *chat_base_path;	/* --chat-base-path, "/chat" */
	unsigned int term_width;	/* --term-width, 80 */
	unsigned int term_height;	/* --term-height, 1000 */
	struct aa_cli_list allowed_hosts;	/* raw, not checked */
	struct aa_cli_list allowed_origins;	/* raw, not checked */
	char *initial_prompt;	/* --initial-prompt, "" when unset */
	char *state_file;	/* --state-file, "" when unset */
	int load_state;		/* effective after aa_cli_validate() */
	int save_state;		/* effective after aa_cli_validate() */
	char *pid_file;		/* --pid-file, "" when unset */
	int experimental_acp;	/* accepted, then refused by validate */
	int exit_after_parse;	/* hidden --exit: stop after parsing */

	/* server: agentapi-c's additions. */
	struct aa_cli_list bind;	/* --bind, 127.0.0.1 and ::1 */
	char *auth_token;	/* --auth-token, "" = no authentication */
	int verbose;		/* -v, --verbose */
	char *term;		/* --term, TERM for the agent */
	char *agent_rules;	/* --agent-rules FILE, "" when unset */
	int health_grace;	/* --health-grace SECONDS, 0: 30 */

	/* server and new: the agent command, NULL-terminated (agent_argc >
	 * 0); send: the words of the text. */
	char **agent_argv;
	size_t agent_argc;
	/* Canonical agent type, set by aa_cli_validate(); static storage. */
	const char *agent_type;

	/* attach */
	char *url;		/* --url, as "http://localhost:3284" */
	char *detach_keys;	/* --detach-keys, "ctrl-]" */

	/* The host's sessions (attach ID too). */
	char *session;		/* the ID or NAME word; "" when none, NULL
				 * for server */
	char *socket;		/* --socket, "" = the default path */
	char *host_url;		/* --url of ls..stop, "" = the socket */
	char *name;		/* new --name */
	char *cwd;		/* new --cwd, "" = ours */
	char *prompt;		/* new --prompt */
	int queue;		/* send --queue */
	int interrupt;		/* send --interrupt */
	int json;		/* ls --json */
	int follow;		/* logs -f */

	/* Where each option's value came from. */
	unsigned char src[AA_CLI_OPT__COUNT];
};

/*
 * Maps an agent type name or alias to its canonical name (static
 * storage), or returns NULL for an unknown name.  Lookups are exact and
 * case-sensitive (spec/http.md §9.3).
 */
typedef const char *(*aa_cli_agent_lookup)(const char *name);

/*
 * Parses argv (argv[0] is the program and is skipped) and envp (a
 * NULL-terminated "NAME=value" array, or NULL) into out.  Returns 0, or a
 * negative AA_E* code with *cause set to a malloc'd message worded as
 * upstream's (e.g. "unknown flag: --foo"); out is then released.  On
 * success release out with aa_cli_release().
 */
int aa_cli_parse(struct aa_cli *out, int argc, char *const *argv,
    char *const *envp, char **cause);

/*
 * Checks a parsed server configuration in the order of spec/http.md §9.7
 * (agent type, terminal size, state flags, ACP) and then agentapi-c's own
 * settings (port, bind addresses, token, TERM); resolves agent_type and
 * the effective load_state/save_state.  Returns 0 or a negative AA_E*
 * code with *cause set to a malloc'd message.
 */
int aa_cli_validate(struct aa_cli *c, aa_cli_agent_lookup lookup,
    char **cause);

/* Frees everything aa_cli_parse() allocated; c may be zeroed or NULL. */
void aa_cli_release(struct aa_cli *c);

/*
 * Appends the help text for subcommand (NULL or "" for the root, or a
 * command's name) to out.  Returns 0, AA_EINVAL for an unknown subcommand, or
 * AA_ENOMEM.
 */
int aa_cli_help(struct aa_buf *out, const char *subcommand);

/* Appends the one --version line, "agentapi-c version X.Y.Z\n", to out. */
int aa_cli_version(struct aa_buf *out);

/* Returns the option's long name ("port"), or NULL when out of range. */
const char *aa_cli_option_name(enum aa_cli_opt opt);

#endif /* AA_CLI_H */
