/*
 * cli.c - aa_cli: argv + envp -> struct aa_cli, table-driven.
 *
 * One table describes every option (long name, short letter, AGENTAPI_*
 * variable, type, default, the commands that accept it, help text, where
 * it lands in struct aa_cli).  Parsing applies the defaults,
 * then the command line (pflag's grammar, spec/http.md §9.2), then the
 * environment for every option the command line left alone (viper's
 * AutomaticEnv with empty = unset).  Values go through one setter per
 * type whose error texts are upstream's (pflag's InvalidValueError
 * wrapping Go's strconv errors), because scripts and people grep them.
 * The Go behaviour itself (strconv, %q, encoding/csv, strings.Fields,
 * pflag's grammar and usage layout) is gocompat.c's; this file is the
 * table and what agentapi makes of it; cli-help.c prints it as help.
 *
 * Invariants: every string in a parsed struct aa_cli is owned and
 * non-NULL; lists hold at most AA_CLI_LIST_MAX entries; on any failure
 * the struct is released and *cause holds the only allocation left.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/aa-internal.h"
#include "prog/cli.h"
#include "prog/cli-table.h"
#include "prog/gocompat.h"
#include "base/text.h"

#define F(field) offsetof(struct aa_cli, field)

const struct aa_cli_option aa_cli_options[AA_CLI_NOPTIONS] = {
	[AA_CLI_OPT_TYPE] = { "type", 't', "AGENTAPI_TYPE", T_STRING, "",
	    F(type), C_SERVER | C_NEW, K_UPSTREAM,
	    "Override the agent type" },
	[AA_CLI_OPT_PORT] = { "port", 'p', "AGENTAPI_PORT", T_INT, "3284",
	    F(port), C_SERVER, K_UPSTREAM, "Port to run the server on" },
	[AA_CLI_OPT_PRINT_OPENAPI] = { "print-openapi", 'P',
	    "AGENTAPI_PRINT_OPENAPI", T_BOOL, "false", F(print_openapi),
	    C_SERVER, K_UPSTREAM,
	    "Print the OpenAPI schema to stdout and exit" },
	[AA_CLI_OPT_CHAT_BASE_PATH] = { "chat-base-path", 'c',
	    "AGENTAPI_CHAT_BASE_PATH", T_STRING, "/chat", F(chat_base_path),
	    C_SERVER, K_UPSTREAM,
	    "Base path for assets and routes used in the static files of "
	    "the chat interface" },
	[AA_CLI_OPT_TERM_WIDTH] = { "term-width", 'W', "AGENTAPI_TERM_WIDTH",
	    T_UINT16, "80", F(term_width), C_SERVER | C_NEW, K_UPSTREAM,
	    "Width of the emulated terminal (at least 10)" },
	[AA_CLI_OPT_TERM_HEIGHT] = { "term-height", 'H',
	    "AGENTAPI_TERM_HEIGHT", T_UINT16, "1000", F(term_height),
	    C_SERVER | C_NEW, K_UPSTREAM,
	    "Height of the emulated terminal (at least 10)" },
	[AA_CLI_OPT_ALLOWED_HOSTS] = { "allowed-hosts", 'a',
	    "AGENTAPI_ALLOWED_HOSTS", T_LIST, "localhost,127.0.0.1,[::1]",
	    F(allowed_hosts), C_SERVER, K_UPSTREAM,
	    "HTTP allowed hosts (hostnames only, no ports). Use '*' for all, "
	    "comma-separated list via flag, space-separated list via "
	    "AGENTAPI_ALLOWED_HOSTS env var" },
	[AA_CLI_OPT_ALLOWED_ORIGINS] = { "allowed-origins", 'o',
	    "AGENTAPI_ALLOWED_ORIGINS", T_LIST,
	    "http://localhost:3284,http://localhost:3000,"
	    "http://localhost:3001",
	    F(allowed_origins), C_SERVER, K_UPSTREAM,
	    "HTTP allowed origins. Use '*' for all, comma-separated list via "
	    "flag, space-separated list via AGENTAPI_ALLOWED_ORIGINS env var" },
	[AA_CLI_OPT_INITIAL_PROMPT] = { "initial-prompt", 'I',
	    "AGENTAPI_INITIAL_PROMPT", T_STRING, "", F(initial_prompt),
	    C_SERVER, K_UPSTREAM,
	    "Initial prompt for the agent. Recommended only if the agent "
	    "doesn't support initial prompt in interaction mode. Will be read "
	    "from stdin if piped (e.g., echo 'prompt' | " AA_CLI_PROGRAM
	    " server -- my-agent)" },
	[AA_CLI_OPT_STATE_FILE] = { "state-file", 's', "AGENTAPI_STATE_FILE",
	    T_STRING, "", F(state_file), C_SERVER, K_UPSTREAM,
	    "Path to file for saving/loading server state" },
	[AA_CLI_OPT_LOAD_STATE] = { "load-state", 0, "AGENTAPI_LOAD_STATE",
	    T_BOOL, "false", F(load_state), C_SERVER, K_UPSTREAM,
	    "Load state from state-file on startup (defaults to true when "
	    "state-file is set)" },
	[AA_CLI_OPT_SAVE_STATE] = { "save-state", 0, "AGENTAPI_SAVE_STATE",
	    T_BOOL, "false", F(save_state), C_SERVER, K_UPSTREAM,
	    "Save state to state-file on shutdown (defaults to true when "
	    "state-file is set)" },
	[AA_CLI_OPT_PID_FILE] = { "pid-file", 0, "AGENTAPI_PID_FILE",
	    T_STRING, "", F(pid_file), C_SERVER, K_UPSTREAM,
	    "Path to file where the server process ID will be written for "
	    "shutdown scripts" },
	[AA_CLI_OPT_EXPERIMENTAL_ACP] = { "experimental-acp", 0,
	    "AGENTAPI_EXPERIMENTAL_ACP", T_BOOL, "false",
	    F(experimental_acp), C_SERVER, K_REFUSED,
	    "Use experimental ACP transport instead of PTY. Not supported by "
	    AA_CLI_PROGRAM ": accepted for compatibility, refused at "
	    "start-up" },
	[AA_CLI_OPT_EXIT] = { "exit", 0, "AGENTAPI_EXIT", T_BOOL, "false",
	    F(exit_after_parse), C_SERVER, K_HIDDEN,
	    "Exit immediately after parsing arguments" },
	[AA_CLI_OPT_BIND] = { "bind", 0, "AGENTAPI_BIND", T_LIST,
	    "127.0.0.1,::1", F(bind), C_SERVER, K_OURS,
	    "Addresses to listen on (IPv4 or IPv6 literals; repeatable, "
	    "comma-separated via flag, space-separated via AGENTAPI_BIND). "
	    "Upstream listens on all interfaces; use --bind 0.0.0.0,:: for "
	    "that" },
	[AA_CLI_OPT_AUTH_TOKEN] = { "auth-token", 0, "AGENTAPI_AUTH_TOKEN",
	    T_STRING, "", F(auth_token), C_SERVER | C_ATTACH | C_HOST, K_OURS,
	    "Bearer token: the server requires 'Authorization: Bearer TOKEN' "
	    "(or ?token=TOKEN) on every request, attach sends it; empty = no "
	    "authentication" },
	[AA_CLI_OPT_VERBOSE] = { "verbose", 'v', "AGENTAPI_VERBOSE", T_BOOL,
	    "false", F(verbose), C_SERVER | C_MCP, K_OURS,
	    "Enable verbose (debug) logging" },
	[AA_CLI_OPT_TERM] = { "term", 0, "AGENTAPI_TERM", T_STRING,
	    "vt100", F(term), C_SERVER, K_OURS,
	    "TERM value set for the agent (upstream sets vt100)" },
	[AA_CLI_OPT_AGENT_RULES] = { "agent-rules", 0, "AGENTAPI_AGENT_RULES",
	    T_STRING, "", F(agent_rules), C_SERVER, K_OURS,
	    "JSON file of overrides for the agents' rules (ready markers, "
	    "input box, chrome lines, busy marks, interrupt key), loaded at "
	    "start; see README \"Agent rules\"" },
	[AA_CLI_OPT_HEALTH_GRACE] = { "health-grace", 0,
	    "AGENTAPI_HEALTH_GRACE", T_INT, "0", F(health_grace), C_SERVER,
	    K_OURS,
	    "Seconds the agent's ready marker may go unseen before the "
	    "parser health turns degraded (0: 30)" },
	[AA_CLI_OPT_URL] = { "url", 'u', NULL, T_STRING, "localhost:3284",
	    F(url), C_ATTACH, K_UPSTREAM,
	    "URL of the agentapi server to attach to. May include a path if "
	    "the server is behind a reverse proxy" },
	[AA_CLI_OPT_DETACH_KEYS] = { "detach-keys", 0, "AGENTAPI_DETACH_KEYS",
	    T_STRING, "ctrl-]", F(detach_keys), C_ATTACH, K_OURS,
	    "Keys that detach from the agent, which receives every other key "
	    "(Ctrl-C included): ctrl-a..ctrl-z, ctrl-@, ctrl-\\, ctrl-], "
	    "ctrl-^, ctrl-_ or a character, comma-separated for a sequence "
	    "(e.g. ctrl-p,ctrl-q)" },
	[AA_CLI_OPT_SOCKET] = { "socket", 0, NULL, T_STRING, "", F(socket),
	    C_ATTACH | C_HOST | C_MCP, K_OURS,
	    "The host's unix socket, for a session ID or NAME (mcp: a host "
	    "is started on it when none answers; default "
	    "$XDG_RUNTIME_DIR/agentapi-c/host.sock, else "
	    "~/.local/state/agentapi-c/host.sock)" },
	/* The same flag as attach's, for a host: no default. */
	[AA_CLI_OPT_HOST_URL] = { "url", 'u', NULL, T_STRING, "",
	    F(host_url), C_HOST, K_OURS,
	    "The host's TCP address (http://127.0.0.1:PORT) instead of its "
	    "socket; the token is then needed" },
	[AA_CLI_OPT_NAME] = { "name", 'n', NULL, T_STRING, "", F(name), C_NEW,
	    K_OURS, "Name of the session (the other commands take it for "
	    "its id)" },
	[AA_CLI_OPT_CWD] = { "cwd", 0, NULL, T_STRING, "", F(cwd), C_NEW,
	    K_OURS, "Directory the agent runs in (default: this one)" },
	[AA_CLI_OPT_PROMPT] = { "prompt", 'I', NULL, T_STRING, "", F(prompt),
	    C_NEW, K_OURS, "First message, typed once the agent is ready" },
	[AA_CLI_OPT_QUEUE] = { "queue", 'q', NULL, T_BOOL, "false", F(queue),
	    C_SEND, K_OURS, "When the agent is busy, queue the message for "
	    "its next idle moment instead of failing" },
	[AA_CLI_OPT_INTERRUPT] = { "interrupt", 'i', NULL, T_BOOL, "false",
	    F(interrupt), C_SEND, K_OURS, "Interrupt the agent's turn first; "
	    "the message is typed once it is idle" },
	[AA_CLI_OPT_JSON] = { "json", 0, NULL, T_BOOL, "false", F(json), C_LS,
	    K_OURS, "Print the host's JSON instead of a table" },
	[AA_CLI_OPT_FOLLOW] = { "follow", 'f', NULL, T_BOOL, "false",
	    F(follow), C_LOGS, K_OURS, "Keep printing the messages as they "
	    "come" },
	[AA_CLI_OPT_HELP] = { "help", 'h', NULL, T_NONE, NULL, NO_FIELD,
	    C_ROOT | C_SERVER | C_ATTACH | C_HOST | C_MCP, K_UPSTREAM,
	    "help for this command" },
	/* Root only; not in enum aa_cli_opt because it sets no field. */
	[AA_CLI_OPT_VERSION] = { "version", 'v', NULL, T_NONE, NULL, NO_FIELD,
	    C_ROOT, K_UPSTREAM, "version for " AA_CLI_PROGRAM },
};

/* The commands: their word, what they parse into, their option bit. */
static const struct {
	const char *word;
	enum aa_cli_cmd cmd;
	unsigned int bit;
} cli_commands[] = {
	{ "server", AA_CLI_SERVER, C_SERVER },
	{ "attach", AA_CLI_ATTACH, C_ATTACH },
	{ "ls", AA_CLI_LS, C_LS },
	{ "new", AA_CLI_NEW, C_NEW },
	{ "send", AA_CLI_SEND, C_SEND },
	{ "logs", AA_CLI_LOGS, C_LOGS },
	{ "stop", AA_CLI_STOP, C_STOP },
	{ "restart", AA_CLI_RESTART, C_RESTART },
	{ "mcp", AA_CLI_MCP, C_MCP },
};

/* The state of one parse. */
struct cli_parse {
	struct aa_cli *c;
	unsigned int cmd;	/* C_ROOT or a command's bit */
	int k;			/* the command's row in cli_commands */
	char cmd_buf[32];	/* cmd_path's storage */
	const char *cmd_path;	/* "agentapi-c server" */
	int want_help;
	int want_version;
	const char **posv;	/* positional words, views into argv */
	size_t posn;
	char **cause;
};

static int	opt_is_bool(void *ud, int idx);
static int	bind_addr_ok(char *s);
static int	visible_ascii(const char *s);
static int	validate_ours(struct aa_cli *c, char **cause);
static int	validate_type(struct aa_cli *c, aa_cli_agent_lookup lookup,
		    char **cause);
static void	list_free(struct aa_cli_list *l);
static int	list_push(struct aa_cli_list *l, const char *s, size_t n);
static int	list_field(void *ud, const char *s, size_t n);
static int	value_error(struct cli_parse *p, int idx, const char *value,
		    enum aa_cli_source src, const char *why);
static int	opt_set(struct cli_parse *p, int idx, const char *value,
		    enum aa_cli_source src);
static int	find_long(void *ud, const char *name, size_t n);
static int	find_short(void *ud, char c);
static int	flag_set(void *ud, int idx, const char *value);
static int	flag_word(void *ud, const char *word);
static int	parse_flags(struct cli_parse *p, int argc, char *const *argv,
		    int i, int stop_at_word);
static const char *env_lookup(char *const *envp, const char *name);
static int	apply_defaults(struct cli_parse *p);
static int	apply_env(struct cli_parse *p, char *const *envp);
static int	finish_server(struct cli_parse *p);
static int	finish_attach(struct cli_parse *p);
static int	finish_host(struct cli_parse *p);
static int	copy_words(struct aa_cli *c, const char **v, size_t n);
static int	find_command(const char *word);
static int	parse_command(struct cli_parse *p, int argc,
		    char *const *argv, char *const *envp, int i);


/* Frees a list's strings and array and leaves it empty. */
static void
list_free(struct aa_cli_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Appends a copy of s[0..n) to l; E2BIG past AA_CLI_LIST_MAX. */
static int
list_push(struct aa_cli_list *l, const char *s, size_t n)
{
	char **v, *dup;

	if (l->n >= AA_CLI_LIST_MAX)
		return AA_E2BIG;
	if ((dup = malloc(n + 1)) == NULL)
		return AA_ENOMEM;
	memcpy(dup, s, n);
	dup[n] = '\0';
	/* Grow by powers of two: reallocate when n is 0 or a power of 2. */
	if ((l->n & (l->n - 1)) == 0) {
		v = realloc(l->v, (l->n == 0 ? 1 : l->n * 2) * sizeof(*v));
		if (v == NULL) {
			free(dup);
			return AA_ENOMEM;
		}
		l->v = v;
	}
	l->v[l->n++] = dup;
	return 0;
}

/* Takes one field of a CSV record or of strings.Fields into a list. */
static int
list_field(void *ud, const char *s, size_t n)
{
	return list_push(ud, s, n);
}

/* Reports an invalid value the way pflag (or, for env, we) word it. */
static int
value_error(struct cli_parse *p, int idx, const char *value,
    enum aa_cli_source src, const char *why)
{
	const struct aa_cli_option *o = &aa_cli_options[idx];
	struct aa_buf b;

	aa_buf_init(&b);
	aa_buf_puts(&b, "invalid argument ");
	aa_go_quote(&b, value);
	if (src == AA_CLI_SRC_ENV)
		aa_buf_printf(&b, " for \"%s\" environment variable: %s",
		    o->env, why);
	else if (o->shorthand != 0)
		aa_buf_printf(&b, " for \"-%c, --%s\" flag: %s", o->shorthand,
		    o->name, why);
	else
		aa_buf_printf(&b, " for \"--%s\" flag: %s", o->name, why);
	*p->cause = aa_buf_steal(&b, NULL);
	return AA_EINVAL;
}

/* Stores one value of option idx; src decides list replace/append. */
static int
opt_set(struct cli_parse *p, int idx, const char *value,
    enum aa_cli_source src)
{
	const struct aa_cli_option *o = &aa_cli_options[idx];
	char *field = (char *)p->c + o->offset, *dup;
	struct aa_cli_list l = { NULL, 0 }, *dst;
	struct aa_buf err;
	const char *fn, *reason = "invalid syntax";
	int64_t i64;
	uint64_t u64;
	int b, rc;
	size_t k;

	switch (o->type) {
	case T_NONE:
		fn = "ParseBool";
		if (aa_go_parse_bool(value, &b) != 0)
			goto bad_number;
		if (idx == AA_CLI_OPT_HELP)
			p->want_help = b;
		else
			p->want_version = b;
		break;
	case T_STRING:
		if ((dup = strdup(value)) == NULL)
			return AA_ENOMEM;
		free(*(char **)field);
		*(char **)field = dup;
		break;
	case T_INT:
		/* Go's int is 64 bits; ours is narrower, so say "range". */
		fn = "ParseInt";
		if (aa_go_parse_int(value, 64, &i64, &reason) != 0)
			goto bad_number;
		if (i64 < INT_MIN || i64 > INT_MAX) {
			reason = "value out of range";
			goto bad_number;
		}
		*(int *)field = (int)i64;
		break;
	case T_UINT16:
		fn = "ParseUint";
		if (aa_go_parse_uint(value, 16, &u64, &reason) != 0)
			goto bad_number;
		*(unsigned int *)field = (unsigned int)u64;
		break;
	case T_BOOL:
		fn = "ParseBool";
		if (aa_go_parse_bool(value, &b) != 0)
			goto bad_number;
		*(int *)field = b;
		break;
	case T_LIST:
		dst = (struct aa_cli_list *)(void *)field;
		aa_buf_init(&err);
		if (src == AA_CLI_SRC_ENV)
			rc = aa_go_fields(value, list_field, &l);
		else if (*value == '\0')
			rc = 0;	/* pflag: "" is the empty list */
		else
			rc = aa_go_csv_record(value, list_field, &l, &err);
		if (rc == AA_EINVAL) {
			rc = value_error(p, idx, value, src, aa_buf_str(&err));
			aa_buf_release(&err);
			list_free(&l);
			return rc;
		}
		aa_buf_release(&err);
		/* The first flag replaces the default; later ones append. */
		if (rc == 0 && !(src == AA_CLI_SRC_FLAG &&
		    p->c->src[idx] == AA_CLI_SRC_FLAG))
			list_free(dst);
		for (k = 0; rc == 0 && k < l.n; k++)
			rc = list_push(dst, l.v[k], strlen(l.v[k]));
		list_free(&l);
		if (rc == AA_E2BIG)
			return aa__cause(p->cause, rc, "too many values for --%s "
			    "(at most %d)", o->name, AA_CLI_LIST_MAX);
		if (rc != 0)
			return rc;
		break;
	}
	if (idx < AA_CLI_OPT__COUNT)
		p->c->src[idx] = (unsigned char)src;
	return 0;

bad_number:
	/* pflag wraps strconv's error, which quotes the value too. */
	aa_buf_init(&err);
	aa_go_strconv_error(&err, fn, value, reason);
	rc = value_error(p, idx, value, src, aa_buf_str(&err));
	aa_buf_release(&err);
	return rc;
}

/* Finds the option named name[0..n) that the command accepts, or -1. */
static int
find_long(void *ud, const char *name, size_t n)
{
	unsigned int cmd = ((struct cli_parse *)ud)->cmd;
	int i;

	for (i = 0; i < AA_CLI_NOPTIONS; i++) {
		if ((aa_cli_options[i].cmds & cmd) != 0 &&
		    strlen(aa_cli_options[i].name) == n &&
		    memcmp(aa_cli_options[i].name, name, n) == 0)
			return i;
	}
	return -1;
}

/* Finds the option whose short letter is c that the command accepts,
 * or -1. */
static int
find_short(void *ud, char c)
{
	unsigned int cmd = ((struct cli_parse *)ud)->cmd;
	int i;

	for (i = 0; i < AA_CLI_NOPTIONS; i++) {
		if ((aa_cli_options[i].cmds & cmd) != 0 &&
		    aa_cli_options[i].shorthand != 0 &&
		    aa_cli_options[i].shorthand == c)
			return i;
	}
	return -1;
}

/* Returns non-zero for options that take no value when given bare. */
static int
opt_is_bool(void *ud, int idx)
{
	(void)ud;
	return aa_cli_options[idx].type == T_BOOL ||
	    aa_cli_options[idx].type == T_NONE;
}

/* pflag's setter: a value given on the command line. */
static int
flag_set(void *ud, int idx, const char *value)
{
	return opt_set(ud, idx, value, AA_CLI_SRC_FLAG);
}

/* pflag's positional word: kept for the agent's argv. */
static int
flag_word(void *ud, const char *word)
{
	struct cli_parse *p = ud;

	p->posv[p->posn++] = word;
	return 0;
}

/*
 * Parses the flags of p->cmd from argv[i] with pflag's grammar,
 * collecting positional words.  With stop_at_word (the root) the first
 * word ends the scan; returns its index (or argc).  Otherwise returns
 * argc.  Negative on error.
 */
static int
parse_flags(struct cli_parse *p, int argc, char *const *argv, int i,
    int stop_at_word)
{
	const struct aa_pflag f = { find_long, find_short, opt_is_bool,
	    flag_set, flag_word, p, p->cause };

	return aa_pflag_parse(&f, argc, argv, i, stop_at_word);
}

/* Returns the value of name in envp, or NULL when absent or empty. */
static const char *
env_lookup(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return (*envp)[n + 1] != '\0' ? *envp + n + 1 : NULL;
	}
	return NULL;
}

/* Stores every default of the command's options. */
static int
apply_defaults(struct cli_parse *p)
{
	int i, rc;

	for (i = 0; i < AA_CLI_OPT__COUNT; i++) {
		if ((aa_cli_options[i].cmds & p->cmd) == 0 ||
		    aa_cli_options[i].offset == NO_FIELD)
			continue;
		if ((rc = opt_set(p, i, aa_cli_options[i].def,
		    AA_CLI_SRC_DEFAULT)) != 0)
			return rc;
	}
	return 0;
}

/* Reads AGENTAPI_* for every option the command line did not set. */
static int
apply_env(struct cli_parse *p, char *const *envp)
{
	const char *v;
	int i, rc;

	for (i = 0; i < AA_CLI_OPT__COUNT; i++) {
		if ((aa_cli_options[i].cmds & p->cmd) == 0 ||
		    aa_cli_options[i].env == NULL ||
		    p->c->src[i] == AA_CLI_SRC_FLAG)
			continue;
		if ((v = env_lookup(envp, aa_cli_options[i].env)) == NULL)
			continue;
		if ((rc = opt_set(p, i, v, AA_CLI_SRC_ENV)) != 0)
			return rc;
	}
	return 0;
}

/* Copies n words into the NULL-terminated agent_argv. */
static int
copy_words(struct aa_cli *c, const char **v, size_t n)
{
	size_t i;

	c->agent_argv = calloc(n + 1, sizeof(*c->agent_argv));
	if (c->agent_argv == NULL)
		return AA_ENOMEM;
	for (i = 0; i < n; i++) {
		if ((c->agent_argv[i] = strdup(v[i])) == NULL)
			return AA_ENOMEM;
		c->agent_argc++;
	}
	return 0;
}

/* Copies the positional words into the agent's NULL-terminated argv. */
static int
finish_server(struct cli_parse *p)
{
	if (p->posn == 0)
		return aa__cause(p->cause, AA_EINVAL, "requires at least 1 arg(s), "
		    "only received 0");
	return copy_words(p->c, p->posv, p->posn);
}

/* Normalises --url as upstream: "http://" unless it starts with "http",
 * trailing slashes dropped; a word is the host's session to attach to. */
static int
finish_attach(struct cli_parse *p)
{
	struct aa_cli *c = p->c;
	struct aa_buf b;
	size_t n;

	if (p->posn > (p->cmd == C_ATTACH || p->cmd == C_SEND ||
	    p->cmd == C_LOGS || p->cmd == C_STOP || p->cmd == C_RESTART ?
	    1u : 0u))
		return aa__cause(p->cause, AA_EINVAL, "unknown command \"%s\" for "
		    "\"%s\"", p->posv[p->posn - 1], p->cmd_path);
	free(c->session);
	if ((c->session = strdup(p->posn > 0 ? p->posv[0] : "")) == NULL)
		return AA_ENOMEM;
	if (p->cmd != C_ATTACH)
		return 0;
	aa_buf_init(&b);
	if (strncmp(c->url, "http", 4) != 0)
		aa_buf_puts(&b, "http://");
	aa_buf_puts(&b, c->url);
	n = b.len;
	while (n > 0 && b.data[n - 1] == '/')
		n--;
	if (b.data == NULL)
		return AA_ENOMEM;
	b.data[n] = '\0';
	free(c->url);
	c->url = aa_buf_steal(&b, NULL);
	return c->url != NULL ? 0 : AA_ENOMEM;
}

/* The words of the host's commands: new takes the agent's command, send
 * an ID or NAME and the text, logs, stop and restart an ID or NAME, ls
 * nothing. */
static int
finish_host(struct cli_parse *p)
{
	struct aa_cli *c = p->c;
	int rc;

	if (p->cmd == C_NEW) {
		if (p->posn == 0)
			return aa__cause(p->cause, AA_EINVAL, "new needs the "
			    "agent's command (agentapi-c new -- claude ...)");
		if ((rc = copy_words(c, p->posv, p->posn)) != 0)
			return rc;
		p->posn = 0;
	} else if (p->cmd == C_SEND) {
		if (p->posn < 2)
			return aa__cause(p->cause, AA_EINVAL, "send needs an ID "
			    "or NAME and the text (or - to read it from "
			    "stdin)");
		if (c->queue && c->interrupt)
			return aa__cause(p->cause, AA_EINVAL, "--queue and "
			    "--interrupt exclude each other");
		if ((rc = copy_words(c, p->posv + 1, p->posn - 1)) != 0)
			return rc;
		p->posn = 1;
	} else if ((p->cmd == C_LOGS || p->cmd == C_STOP ||
	    p->cmd == C_RESTART) && p->posn == 0)
		return aa__cause(p->cause, AA_EINVAL, "%s needs a session ID "
		    "or NAME", cli_commands[p->k].word);
	/* The session word and the URL as attach has them. */
	return finish_attach(p);
}

/* Parses a subcommand's flags and words from argv[i]. */
static int
parse_command(struct cli_parse *p, int argc, char *const *argv,
    char *const *envp, int i)
{
	int rc;

	if ((rc = apply_defaults(p)) != 0)
		return rc;
	if ((rc = parse_flags(p, argc, argv, i, 0)) < 0)
		return rc;
	if (p->want_help) {
		p->c->cmd = AA_CLI_HELP;
		p->c->help_topic = cli_commands[p->k].word;
		return 0;
	}
	if ((rc = apply_env(p, envp)) != 0)
		return rc;
	if (p->cmd == C_SERVER)
		return finish_server(p);
	return p->cmd == C_ATTACH ? finish_attach(p) : finish_host(p);
}

/* The row of cli_commands for word, or -1. */
static int
find_command(const char *word)
{
	for (size_t k = 0; k < AA__ARRAY_SIZE(cli_commands); k++)
		if (strcmp(word, cli_commands[k].word) == 0)
			return (int)k;
	return -1;
}

int
aa_cli_parse(struct aa_cli *out, int argc, char *const *argv,
    char *const *envp, char **cause)
{
	struct cli_parse p;
	const char *word;
	int i, rc;

	*cause = NULL;
	if (out == NULL || argv == NULL || argc < 1)
		return AA_EINVAL;
	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.c = out;
	p.cause = cause;
	p.cmd = C_ROOT;
	p.cmd_path = AA_CLI_PROGRAM;
	if ((p.posv = calloc((size_t)argc, sizeof(*p.posv))) == NULL)
		return AA_ENOMEM;

	/* Root flags (--help, --version), then the command word. */
	if ((rc = i = parse_flags(&p, argc, argv, 1, 1)) < 0)
		goto fail;
	word = i < argc ? argv[i] : NULL;
	if (p.want_version) {
		out->cmd = AA_CLI_VERSION;
	} else if (word == NULL || p.want_help) {
		out->cmd = AA_CLI_HELP;
		if (word != NULL && (p.k = find_command(word)) >= 0)
			out->help_topic = cli_commands[p.k].word;
	} else if ((p.k = find_command(word)) >= 0) {
		out->cmd = cli_commands[p.k].cmd;
		p.cmd = cli_commands[p.k].bit;
		snprintf(p.cmd_buf, sizeof(p.cmd_buf), "%s %s",
		    AA_CLI_PROGRAM, word);
		p.cmd_path = p.cmd_buf;
		if ((rc = parse_command(&p, argc, argv, envp, i + 1)) != 0)
			goto fail;
	} else if (strcmp(word, "help") == 0) {
		out->cmd = AA_CLI_HELP;
		if (i + 1 < argc) {
			if ((p.k = find_command(argv[i + 1])) >= 0)
				out->help_topic = cli_commands[p.k].word;
			else {
				rc = aa__cause(cause, AA_EINVAL, "unknown help "
				    "topic \"%s\"", argv[i + 1]);
				goto fail;
			}
		}
	} else if (strcmp(word, "completion") == 0) {
		rc = aa__cause(cause, AA_EINVAL, "the completion command is not "
		    "supported by " AA_CLI_PROGRAM);
		goto fail;
	} else {
		rc = aa__cause(cause, AA_EINVAL, "unknown command \"%s\" for \"%s\"",
		    word, AA_CLI_PROGRAM);
		goto fail;
	}
	free(p.posv);
	return 0;

fail:
	free(p.posv);
	aa_cli_release(out);
	if (*cause == NULL && rc == AA_ENOMEM)
		*cause = strdup("out of memory");
	return rc;
}

/* Returns non-zero when s is a usable IPv4 or IPv6 literal; strips the
 * brackets of "[::1]" in place. */
static int
bind_addr_ok(char *s)
{
	unsigned char addr[16];
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
		return inet_pton(AF_INET6, s, addr) == 1;
	}
	return inet_pton(AF_INET, s, addr) == 1 ||
	    inet_pton(AF_INET6, s, addr) == 1;
}

/* Returns non-zero when s is non-empty visible ASCII (no space). */
static int
visible_ascii(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	}
	return 1;
}

/* Checks agentapi-c's own settings (after upstream's checks). */
static int
validate_ours(struct aa_cli *c, char **cause)
{
	size_t i;

	if (c->auth_token[0] != '\0' && !visible_ascii(c->auth_token))
		return aa__cause(cause, AA_EINVAL, "invalid --auth-token: it must "
		    "be printable ASCII without spaces");
	if (c->cmd != AA_CLI_SERVER)
		return 0;
	if (c->port < 0 || c->port > 65535)
		return aa__cause(cause, AA_EINVAL, "invalid port %d: it must be "
		    "between 0 and 65535", c->port);
	if (c->bind.n == 0)
		return aa__cause(cause, AA_EINVAL, "--bind needs at least one "
		    "address");
	for (i = 0; i < c->bind.n; i++) {
		if (!bind_addr_ok(c->bind.v[i]))
			return aa__cause(cause, AA_EINVAL, "invalid --bind address "
			    "\"%s\": not an IPv4 or IPv6 address",
			    c->bind.v[i]);
	}
	if (!visible_ascii(c->term))
		return aa__cause(cause, AA_EINVAL, "invalid --term \"%s\": it must "
		    "be a non-empty terminal name", c->term);
	if (c->health_grace < 0 || c->health_grace > 86400)
		return aa__cause(cause, AA_EINVAL, "invalid --health-grace %d: "
		    "it must be between 0 and 86400 seconds", c->health_grace);
	return 0;
}

/* Resolves the agent type (spec/http.md §9.3): --type, else argv[0]
 * verbatim, else its base name (/usr/local/bin/claude is claude; upstream
 * says custom, http.md §13 item 12), else custom. */
static int
validate_type(struct aa_cli *c, aa_cli_agent_lookup lookup, char **cause)
{
	const char *t, *base;

	if (c->type[0] != '\0') {
		if ((t = lookup(c->type)) == NULL)
			return aa__cause(cause, AA_EINVAL, "failed to parse agent "
			    "type: invalid agent type: %s", c->type);
	} else if ((t = lookup(c->agent_argv[0])) == NULL &&
	    ((base = strrchr(c->agent_argv[0], '/')) == NULL ||
	    (t = lookup(base + 1)) == NULL) &&
	    (t = lookup("custom")) == NULL)
		t = "custom";
	c->agent_type = t;
	return 0;
}

int
aa_cli_validate(struct aa_cli *c, aa_cli_agent_lookup lookup, char **cause)
{
	int rc;

	*cause = NULL;
	if (c == NULL || lookup == NULL)
		return AA_EINVAL;
	if (c->cmd != AA_CLI_SERVER)
		return c->auth_token != NULL ? validate_ours(c, cause) : 0;
	if (c->agent_argc == 0)
		return AA_EINVAL;
	if ((rc = validate_type(c, lookup, cause)) != 0)
		return rc;
	if (c->term_width < 10)
		return aa__cause(cause, AA_EINVAL, "term width must be at least 10");
	if (c->term_height < 10)
		return aa__cause(cause, AA_EINVAL, "term height must be at least "
		    "10");
	/* A state file turns both on unless they were set explicitly. */
	if (c->state_file[0] != '\0') {
		if (c->src[AA_CLI_OPT_LOAD_STATE] == AA_CLI_SRC_DEFAULT)
			c->load_state = 1;
		if (c->src[AA_CLI_OPT_SAVE_STATE] == AA_CLI_SRC_DEFAULT)
			c->save_state = 1;
	} else if (c->load_state)
		return aa__cause(cause, AA_EINVAL, "--load-state requires "
		    "--state-file to be set");
	else if (c->save_state)
		return aa__cause(cause, AA_EINVAL, "--save-state requires "
		    "--state-file to be set");
	if (c->experimental_acp && (c->load_state || c->save_state))
		return aa__cause(cause, AA_EINVAL, "ACP mode doesn't support state "
		    "persistence");
	if (c->print_openapi && c->experimental_acp)
		return aa__cause(cause, AA_EINVAL, "flags --print-openapi and "
		    "--experimental-acp are mutually exclusive");
	if (c->experimental_acp)
		return aa__cause(cause, AA_EINVAL, "--experimental-acp is not "
		    "supported by " AA_CLI_PROGRAM " (only the PTY transport "
		    "is implemented)");
	return validate_ours(c, cause);
}

void
aa_cli_release(struct aa_cli *c)
{
	size_t i;
	int k;

	if (c == NULL)
		return;
	for (k = 0; k < AA_CLI_OPT__COUNT; k++) {
		char *field = (char *)c + aa_cli_options[k].offset;

		if (aa_cli_options[k].offset == NO_FIELD)
			continue;
		if (aa_cli_options[k].type == T_STRING)
			free(*(char **)field);
		else if (aa_cli_options[k].type == T_LIST)
			list_free((struct aa_cli_list *)(void *)field);
	}
	for (i = 0; i < c->agent_argc; i++)
		free(c->agent_argv[i]);
	free(c->agent_argv);
	free(c->session);
	memset(c, 0, sizeof(*c));
}

const char *
aa_cli_option_name(enum aa_cli_opt opt)
{
	if ((int)opt < 0 || opt >= AA_CLI_OPT__COUNT)
		return NULL;
	return aa_cli_options[opt].name;
}
