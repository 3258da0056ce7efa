/*
 * test-cli.c - aa_cli: flags, environment, precedence, lists, the
 * validation order of spec/http.md §9.7 with upstream's messages, and
 * every start command line the Coder modules use
 * (spec/coder-integration.md §1.3).
 */
#include "test.h"

#include "agentapi.h"
#include "prog/cli.h"
#include "prog/cli-table.h"

/* -Wwrite-strings makes literals const; the API takes execve's type. */
#define ARGV(...)                                                              \
	((char *const *)(const char *const[]){ "agentapi-c", __VA_ARGS__,      \
	    NULL })
#define ENV(...) ((char *const *)(const char *const[]){ __VA_ARGS__, NULL })
#define NOENV ((char *const *)NULL)

/* The agent alias table of spec/http.md §9.3, standing in for agents/. */
static const char *
lookup(const char *name)
{
	static const char *const map[][2] = {
		{ "claude", "claude" }, { "goose", "goose" },
		{ "aider", "aider" }, { "codex", "codex" },
		{ "gemini", "gemini" }, { "copilot", "copilot" },
		{ "amp", "amp" }, { "auggie", "auggie" },
		{ "cursor", "cursor" }, { "cursor-agent", "cursor" },
		{ "q", "amazonq" }, { "amazonq", "amazonq" },
		{ "opencode", "opencode" }, { "custom", "custom" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i][0], name) == 0)
			return map[i][1];
	}
	return NULL;
}

/* Counts a NULL-terminated argv. */
static int
count(char *const *argv)
{
	int n = 0;

	while (argv[n] != NULL)
		n++;
	return n;
}

/* Parses and validates; fails the case on any error. */
static void
ok(struct aa_cli *c, char *const *envp, char *const *argv)
{
	char *cause = NULL;
	int rc;

	rc = aa_cli_parse(c, count(argv), argv, envp, &cause);
	if (rc != 0)
		test_fail(__FILE__, __LINE__, "parse: %d %s", rc,
		    cause ? cause : "(null)");
	if (c->cmd != AA_CLI_HELP && c->cmd != AA_CLI_VERSION) {
		rc = aa_cli_validate(c, lookup, &cause);
		if (rc != 0)
			test_fail(__FILE__, __LINE__, "validate: %d %s", rc,
			    cause ? cause : "(null)");
	}
}

/* Expects aa_cli_parse to fail with exactly msg. */
static void
parse_err(char *const *envp, char *const *argv, const char *msg)
{
	struct aa_cli c;
	char *cause = NULL;

	ASSERT_EQ(aa_cli_parse(&c, count(argv), argv, envp, &cause),
	    AA_EINVAL);
	ASSERT_STR_EQ(cause, msg);
	free(cause);
}

/* Expects parsing to succeed and aa_cli_validate to fail with msg. */
static void
valid_err(char *const *envp, char *const *argv, const char *msg)
{
	struct aa_cli c;
	char *cause = NULL;

	ASSERT_EQ(aa_cli_parse(&c, count(argv), argv, envp, &cause), 0);
	ASSERT_EQ(aa_cli_validate(&c, lookup, &cause), AA_EINVAL);
	ASSERT_STR_EQ(cause, msg);
	free(cause);
	aa_cli_release(&c);
}

/* Asserts that list l holds exactly the NULL-terminated items. */
static void
list_is(const struct aa_cli_list *l, char *const *items)
{
	size_t i, n = (size_t)count(items);

	ASSERT_EQ(l->n, n);
	for (i = 0; i < n; i++)
		ASSERT_STR_EQ(l->v[i], items[i]);
}

#define LIST(...) ((char *const *)(const char *const[]){ __VA_ARGS__, NULL })

TEST(cli_server_defaults)
{
	struct aa_cli c;
	int i;

	ok(&c, NOENV, ARGV("server", "claude"));
	ASSERT_EQ(c.cmd, AA_CLI_SERVER);
	ASSERT_STR_EQ(c.type, "");
	ASSERT_STR_EQ(c.agent_type, "claude");
	ASSERT_EQ(c.port, 3284);
	ASSERT_EQ(c.print_openapi, 0);
	ASSERT_STR_EQ(c.chat_base_path, "/chat");
	ASSERT_EQ(c.term_width, 80);
	ASSERT_EQ(c.term_height, 1000);
	list_is(&c.allowed_hosts, LIST("localhost", "127.0.0.1", "[::1]"));
	list_is(&c.allowed_origins, LIST("http://localhost:3284",
	    "http://localhost:3000", "http://localhost:3001"));
	ASSERT_STR_EQ(c.initial_prompt, "");
	ASSERT_STR_EQ(c.state_file, "");
	ASSERT_EQ(c.load_state, 0);
	ASSERT_EQ(c.save_state, 0);
	ASSERT_STR_EQ(c.pid_file, "");
	ASSERT_EQ(c.experimental_acp, 0);
	ASSERT_EQ(c.exit_after_parse, 0);
	list_is(&c.bind, LIST("127.0.0.1", "::1"));
	ASSERT_STR_EQ(c.auth_token, "");
	ASSERT_EQ(c.verbose, 0);
	ASSERT_STR_EQ(c.term, "vt100");
	ASSERT_EQ(c.agent_argc, 1);
	ASSERT_STR_EQ(c.agent_argv[0], "claude");
	ASSERT_NULL(c.agent_argv[1]);
	for (i = 0; i < AA_CLI_OPT__COUNT; i++)
		ASSERT_EQ(c.src[i], AA_CLI_SRC_DEFAULT);
	aa_cli_release(&c);
	/* Release is idempotent on a released struct. */
	aa_cli_release(&c);
	aa_cli_release(NULL);
}

/* One flag in one spelling, checked through a getter. */
struct flag_case {
	const char *name;
	char *const *argv;
	enum aa_cli_opt opt;
	const char *want;	/* the value rendered as text */
};

/* Renders option opt of c as text for comparison. */
static void
render(const struct aa_cli *c, enum aa_cli_opt opt, char *out, size_t n)
{
	const struct aa_cli_list *l = NULL;
	size_t i, k = 0;

	switch (opt) {
	case AA_CLI_OPT_TYPE: snprintf(out, n, "%s", c->type); return;
	case AA_CLI_OPT_PORT: snprintf(out, n, "%d", c->port); return;
	case AA_CLI_OPT_PRINT_OPENAPI:
		snprintf(out, n, "%d", c->print_openapi); return;
	case AA_CLI_OPT_CHAT_BASE_PATH:
		snprintf(out, n, "%s", c->chat_base_path); return;
	case AA_CLI_OPT_TERM_WIDTH:
		snprintf(out, n, "%u", c->term_width); return;
	case AA_CLI_OPT_TERM_HEIGHT:
		snprintf(out, n, "%u", c->term_height); return;
	case AA_CLI_OPT_ALLOWED_HOSTS: l = &c->allowed_hosts; break;
	case AA_CLI_OPT_ALLOWED_ORIGINS: l = &c->allowed_origins; break;
	case AA_CLI_OPT_BIND: l = &c->bind; break;
	case AA_CLI_OPT_INITIAL_PROMPT:
		snprintf(out, n, "%s", c->initial_prompt); return;
	case AA_CLI_OPT_STATE_FILE:
		snprintf(out, n, "%s", c->state_file); return;
	case AA_CLI_OPT_LOAD_STATE:
		snprintf(out, n, "%d", c->load_state); return;
	case AA_CLI_OPT_SAVE_STATE:
		snprintf(out, n, "%d", c->save_state); return;
	case AA_CLI_OPT_PID_FILE: snprintf(out, n, "%s", c->pid_file); return;
	case AA_CLI_OPT_EXPERIMENTAL_ACP:
		snprintf(out, n, "%d", c->experimental_acp); return;
	case AA_CLI_OPT_EXIT:
		snprintf(out, n, "%d", c->exit_after_parse); return;
	case AA_CLI_OPT_AUTH_TOKEN:
		snprintf(out, n, "%s", c->auth_token); return;
	case AA_CLI_OPT_VERBOSE: snprintf(out, n, "%d", c->verbose); return;
	case AA_CLI_OPT_TERM: snprintf(out, n, "%s", c->term); return;
	case AA_CLI_OPT_AGENT_RULES:
		snprintf(out, n, "%s", c->agent_rules);
		return;
	case AA_CLI_OPT_HEALTH_GRACE:
		snprintf(out, n, "%d", c->health_grace); return;
	case AA_CLI_OPT_URL: snprintf(out, n, "%s", c->url); return;
	default: snprintf(out, n, "?"); return;
	}
	out[0] = '\0';
	for (i = 0; i < l->n; i++)
		k += (size_t)snprintf(out + k, n - k, "%s%s", i ? "|" : "",
		    l->v[i]);
}

/* Parses one case (no validation) and compares the rendered value. */
static void
flag_case_run(void *arg)
{
	const struct flag_case *fc = arg;
	struct aa_cli c;
	char *cause = NULL, got[512];

	if (aa_cli_parse(&c, count(fc->argv), fc->argv, NOENV, &cause) != 0)
		test_fail(__FILE__, __LINE__, "%s", cause);
	render(&c, fc->opt, got, sizeof(got));
	ASSERT_STR_EQ(got, fc->want);
	ASSERT_EQ(c.src[fc->opt], AA_CLI_SRC_FLAG);
	ASSERT_STR_EQ(c.agent_argv[0], "x");
	aa_cli_release(&c);
}

static const struct flag_case flag_cases[] = {
	{ "type_long", ARGV("server", "--type", "aider", "x"),
	    AA_CLI_OPT_TYPE, "aider" },
	{ "type_eq", ARGV("server", "--type=codex", "x"), AA_CLI_OPT_TYPE,
	    "codex" },
	{ "type_short", ARGV("server", "-t", "amp", "x"), AA_CLI_OPT_TYPE,
	    "amp" },
	{ "type_short_glued", ARGV("server", "-tamp", "x"), AA_CLI_OPT_TYPE,
	    "amp" },
	{ "type_short_eq", ARGV("server", "-t=amp", "x"), AA_CLI_OPT_TYPE,
	    "amp" },
	{ "port_long", ARGV("server", "--port", "3827", "x"),
	    AA_CLI_OPT_PORT, "3827" },
	{ "port_eq", ARGV("server", "--port=1", "x"), AA_CLI_OPT_PORT, "1" },
	{ "port_short", ARGV("server", "-p", "3000", "x"), AA_CLI_OPT_PORT,
	    "3000" },
	{ "port_glued", ARGV("server", "-p3284", "x"), AA_CLI_OPT_PORT,
	    "3284" },
	{ "port_hex", ARGV("server", "-p", "0x10", "x"), AA_CLI_OPT_PORT,
	    "16" },
	{ "port_underscore", ARGV("server", "-p", "1_000", "x"),
	    AA_CLI_OPT_PORT, "1000" },
	{ "port_plus", ARGV("server", "-p", "+80", "x"), AA_CLI_OPT_PORT,
	    "80" },
	{ "print_openapi_long", ARGV("server", "--print-openapi", "x"),
	    AA_CLI_OPT_PRINT_OPENAPI, "1" },
	{ "print_openapi_short", ARGV("server", "-P", "x"),
	    AA_CLI_OPT_PRINT_OPENAPI, "1" },
	{ "print_openapi_false", ARGV("server", "--print-openapi=false", "x"),
	    AA_CLI_OPT_PRINT_OPENAPI, "0" },
	{ "print_openapi_short_eq", ARGV("server", "-P=f", "x"),
	    AA_CLI_OPT_PRINT_OPENAPI, "0" },
	{ "chat_long", ARGV("server", "--chat-base-path", "/x", "x"),
	    AA_CLI_OPT_CHAT_BASE_PATH, "/x" },
	{ "chat_short", ARGV("server", "-c", "", "x"),
	    AA_CLI_OPT_CHAT_BASE_PATH, "" },
	{ "width_long", ARGV("server", "--term-width", "67", "x"),
	    AA_CLI_OPT_TERM_WIDTH, "67" },
	{ "width_eq", ARGV("server", "--term-width=67", "x"),
	    AA_CLI_OPT_TERM_WIDTH, "67" },
	{ "width_short", ARGV("server", "-W", "120", "x"),
	    AA_CLI_OPT_TERM_WIDTH, "120" },
	{ "width_octal", ARGV("server", "-W", "0100", "x"),
	    AA_CLI_OPT_TERM_WIDTH, "64" },
	{ "width_max", ARGV("server", "-W", "65535", "x"),
	    AA_CLI_OPT_TERM_WIDTH, "65535" },
	{ "height_long", ARGV("server", "--term-height", "1190", "x"),
	    AA_CLI_OPT_TERM_HEIGHT, "1190" },
	{ "height_short", ARGV("server", "-H40", "x"),
	    AA_CLI_OPT_TERM_HEIGHT, "40" },
	{ "hosts_long", ARGV("server", "--allowed-hosts", "a,b", "x"),
	    AA_CLI_OPT_ALLOWED_HOSTS, "a|b" },
	{ "hosts_repeat", ARGV("server", "-a", "a", "-a", "b,c", "x"),
	    AA_CLI_OPT_ALLOWED_HOSTS, "a|b|c" },
	{ "hosts_star", ARGV("server", "-a", "*", "x"),
	    AA_CLI_OPT_ALLOWED_HOSTS, "*" },
	{ "hosts_empty", ARGV("server", "--allowed-hosts=", "x"),
	    AA_CLI_OPT_ALLOWED_HOSTS, "" },
	{ "hosts_csv_quotes", ARGV("server", "-a", "\"a,b\",c", "x"),
	    AA_CLI_OPT_ALLOWED_HOSTS, "a,b|c" },
	{ "hosts_csv_escaped_quote", ARGV("server", "-a", "\"a\"\"b\"", "x"),
	    AA_CLI_OPT_ALLOWED_HOSTS, "a\"b" },
	{ "hosts_trailing_newline", ARGV("server", "-a", "a,b\n", "x"),
	    AA_CLI_OPT_ALLOWED_HOSTS, "a|b" },
	{ "hosts_first_record_only", ARGV("server", "-a", "a\nb", "x"),
	    AA_CLI_OPT_ALLOWED_HOSTS, "a" },
	{ "hosts_trailing_comma", ARGV("server", "-a", "a,", "x"),
	    AA_CLI_OPT_ALLOWED_HOSTS, "a|" },
	{ "hosts_keep_spaces", ARGV("server", "-a", " a , b", "x"),
	    AA_CLI_OPT_ALLOWED_HOSTS, " a | b" },
	{ "origins_long", ARGV("server", "--allowed-origins",
	    "https://a.example,https://*.b.example", "x"),
	    AA_CLI_OPT_ALLOWED_ORIGINS,
	    "https://a.example|https://*.b.example" },
	{ "origins_short", ARGV("server", "-o", "*", "x"),
	    AA_CLI_OPT_ALLOWED_ORIGINS, "*" },
	{ "prompt_long", ARGV("server", "--initial-prompt", "hi there", "x"),
	    AA_CLI_OPT_INITIAL_PROMPT, "hi there" },
	{ "prompt_short_eq", ARGV("server", "-I=line1\nline2 \"q\" é", "x"),
	    AA_CLI_OPT_INITIAL_PROMPT, "line1\nline2 \"q\" é" },
	{ "prompt_takes_dash_value", ARGV("server", "-I", "--port", "x"),
	    AA_CLI_OPT_INITIAL_PROMPT, "--port" },
	{ "state_long", ARGV("server", "--state-file", "/s.json", "x"),
	    AA_CLI_OPT_STATE_FILE, "/s.json" },
	{ "state_short", ARGV("server", "-s", "/s.json", "x"),
	    AA_CLI_OPT_STATE_FILE, "/s.json" },
	{ "load_state", ARGV("server", "--load-state", "x"),
	    AA_CLI_OPT_LOAD_STATE, "1" },
	{ "load_state_false", ARGV("server", "--load-state=FALSE", "x"),
	    AA_CLI_OPT_LOAD_STATE, "0" },
	{ "save_state", ARGV("server", "--save-state=1", "x"),
	    AA_CLI_OPT_SAVE_STATE, "1" },
	{ "pid_file", ARGV("server", "--pid-file", "/p.pid", "x"),
	    AA_CLI_OPT_PID_FILE, "/p.pid" },
	{ "pid_file_eq", ARGV("server", "--pid-file=/p.pid", "x"),
	    AA_CLI_OPT_PID_FILE, "/p.pid" },
	{ "acp", ARGV("server", "--experimental-acp", "x"),
	    AA_CLI_OPT_EXPERIMENTAL_ACP, "1" },
	{ "exit", ARGV("server", "--exit", "x"), AA_CLI_OPT_EXIT, "1" },
	{ "bind_long", ARGV("server", "--bind", "0.0.0.0,::", "x"),
	    AA_CLI_OPT_BIND, "0.0.0.0|::" },
	{ "bind_repeat", ARGV("server", "--bind", "10.0.0.1", "--bind=::1",
	    "x"), AA_CLI_OPT_BIND, "10.0.0.1|::1" },
	{ "auth_token", ARGV("server", "--auth-token", "s3cret", "x"),
	    AA_CLI_OPT_AUTH_TOKEN, "s3cret" },
	{ "verbose_long", ARGV("server", "--verbose", "x"),
	    AA_CLI_OPT_VERBOSE, "1" },
	{ "verbose_short", ARGV("server", "-v", "x"), AA_CLI_OPT_VERBOSE,
	    "1" },
	{ "term", ARGV("server", "--term", "vt100", "x"), AA_CLI_OPT_TERM,
	    "vt100" },
	{ "term_eq", ARGV("server", "--term=screen", "x"), AA_CLI_OPT_TERM,
	    "screen" },
	{ "agent_rules", ARGV("server", "--agent-rules", "r.json", "x"),
	    AA_CLI_OPT_AGENT_RULES, "r.json" },
	{ "health_grace", ARGV("server", "--health-grace", "3", "x"),
	    AA_CLI_OPT_HEALTH_GRACE, "3" },
	{ "last_scalar_wins", ARGV("server", "-p", "1", "--port", "2", "x"),
	    AA_CLI_OPT_PORT, "2" },
	{ "flag_after_agent", ARGV("server", "x", "--port", "9"),
	    AA_CLI_OPT_PORT, "9" },
	{ "grouped_bools", ARGV("server", "-Pv", "x"),
	    AA_CLI_OPT_PRINT_OPENAPI, "1" },
	{ "grouped_then_value", ARGV("server", "-Pp3000", "x"),
	    AA_CLI_OPT_PORT, "3000" },
	{ "grouped_then_next_arg", ARGV("server", "-vW", "33", "x"),
	    AA_CLI_OPT_TERM_WIDTH, "33" },
};

TEST_GENERATOR(cli_flags)
{
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++) {
		snprintf(name, sizeof(name), "cli_flag_%s", flag_cases[i].name);
		test_add(name, flag_case_run, (void *)&flag_cases[i]);
	}
}

/* One environment variable, checked the same way. */
struct env_case {
	const char *name;
	char *const *envp;
	char *const *argv;
	enum aa_cli_opt opt;
	const char *want;
};

/* Parses one env case and compares the value and its source. */
static void
env_case_run(void *arg)
{
	const struct env_case *ec = arg;
	struct aa_cli c;
	char *cause = NULL, got[512];

	if (aa_cli_parse(&c, count(ec->argv), ec->argv, ec->envp,
	    &cause) != 0)
		test_fail(__FILE__, __LINE__, "%s", cause);
	render(&c, ec->opt, got, sizeof(got));
	ASSERT_STR_EQ(got, ec->want);
	ASSERT_EQ(c.src[ec->opt], AA_CLI_SRC_ENV);
	aa_cli_release(&c);
}

#define SRV ARGV("server", "x")
#define ATT ARGV("attach")
static const struct env_case env_cases[] = {
	{ "type", ENV("AGENTAPI_TYPE=goose"), SRV, AA_CLI_OPT_TYPE, "goose" },
	{ "port", ENV("AGENTAPI_PORT=4000"), SRV, AA_CLI_OPT_PORT, "4000" },
	{ "print_openapi", ENV("AGENTAPI_PRINT_OPENAPI=true"), SRV,
	    AA_CLI_OPT_PRINT_OPENAPI, "1" },
	{ "chat_base_path", ENV("AGENTAPI_CHAT_BASE_PATH=/@u/w.a/apps/c/chat"),
	    SRV, AA_CLI_OPT_CHAT_BASE_PATH, "/@u/w.a/apps/c/chat" },
	{ "term_width", ENV("AGENTAPI_TERM_WIDTH=67"), SRV,
	    AA_CLI_OPT_TERM_WIDTH, "67" },
	{ "term_height", ENV("AGENTAPI_TERM_HEIGHT=1190"), SRV,
	    AA_CLI_OPT_TERM_HEIGHT, "1190" },
	{ "allowed_hosts_star", ENV("AGENTAPI_ALLOWED_HOSTS=*"), SRV,
	    AA_CLI_OPT_ALLOWED_HOSTS, "*" },
	{ "allowed_hosts_spaces", ENV("AGENTAPI_ALLOWED_HOSTS= a  b\tc\nd "),
	    SRV, AA_CLI_OPT_ALLOWED_HOSTS, "a|b|c|d" },
	{ "allowed_hosts_comma_kept", ENV("AGENTAPI_ALLOWED_HOSTS=a,b c"),
	    SRV, AA_CLI_OPT_ALLOWED_HOSTS, "a,b|c" },
	{ "allowed_hosts_blank", ENV("AGENTAPI_ALLOWED_HOSTS=   "), SRV,
	    AA_CLI_OPT_ALLOWED_HOSTS, "" },
	{ "allowed_origins", ENV("AGENTAPI_ALLOWED_ORIGINS=https://a "
	    "https://b"), SRV, AA_CLI_OPT_ALLOWED_ORIGINS,
	    "https://a|https://b" },
	{ "initial_prompt", ENV("AGENTAPI_INITIAL_PROMPT=do it\nnow"), SRV,
	    AA_CLI_OPT_INITIAL_PROMPT, "do it\nnow" },
	{ "state_file", ENV("AGENTAPI_STATE_FILE=/h/s.json"), SRV,
	    AA_CLI_OPT_STATE_FILE, "/h/s.json" },
	{ "load_state", ENV("AGENTAPI_LOAD_STATE=t"), SRV,
	    AA_CLI_OPT_LOAD_STATE, "1" },
	{ "save_state", ENV("AGENTAPI_SAVE_STATE=True"), SRV,
	    AA_CLI_OPT_SAVE_STATE, "1" },
	{ "pid_file", ENV("AGENTAPI_PID_FILE=/h/a.pid"), SRV,
	    AA_CLI_OPT_PID_FILE, "/h/a.pid" },
	{ "experimental_acp", ENV("AGENTAPI_EXPERIMENTAL_ACP=1"), SRV,
	    AA_CLI_OPT_EXPERIMENTAL_ACP, "1" },
	{ "exit", ENV("AGENTAPI_EXIT=true"), SRV, AA_CLI_OPT_EXIT, "1" },
	{ "bind", ENV("AGENTAPI_BIND=0.0.0.0 ::"), SRV, AA_CLI_OPT_BIND,
	    "0.0.0.0|::" },
	{ "auth_token", ENV("AGENTAPI_AUTH_TOKEN=tok"), SRV,
	    AA_CLI_OPT_AUTH_TOKEN, "tok" },
	{ "auth_token_attach", ENV("AGENTAPI_AUTH_TOKEN=tok"), ATT,
	    AA_CLI_OPT_AUTH_TOKEN, "tok" },
	{ "verbose", ENV("AGENTAPI_VERBOSE=true"), SRV, AA_CLI_OPT_VERBOSE,
	    "1" },
	{ "term", ENV("AGENTAPI_TERM=vt100"), SRV, AA_CLI_OPT_TERM, "vt100" },
	{ "agent_rules", ENV("AGENTAPI_AGENT_RULES=/etc/r.json"), SRV,
	    AA_CLI_OPT_AGENT_RULES, "/etc/r.json" },
	{ "first_occurrence_wins", ENV("AGENTAPI_PORT=1", "AGENTAPI_PORT=2"),
	    SRV, AA_CLI_OPT_PORT, "1" },
	{ "prefix_not_confused", ENV("AGENTAPI_PORTX=1", "AGENTAPI_PORT=2"),
	    SRV, AA_CLI_OPT_PORT, "2" },
};

TEST_GENERATOR(cli_env)
{
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(env_cases) / sizeof(env_cases[0]); i++) {
		snprintf(name, sizeof(name), "cli_env_%s", env_cases[i].name);
		test_add(name, env_case_run, (void *)&env_cases[i]);
	}
}

TEST(cli_flag_wins_over_env)
{
	struct aa_cli c;

	ok(&c, ENV("AGENTAPI_PORT=1111", "AGENTAPI_ALLOWED_HOSTS=e1 e2",
	    "AGENTAPI_TYPE=goose", "AGENTAPI_VERBOSE=true"),
	    ARGV("server", "--port", "2222", "-a", "f1", "--type", "aider",
	    "--verbose=false", "x"));
	ASSERT_EQ(c.port, 2222);
	ASSERT_EQ(c.src[AA_CLI_OPT_PORT], AA_CLI_SRC_FLAG);
	list_is(&c.allowed_hosts, LIST("f1"));
	ASSERT_STR_EQ(c.agent_type, "aider");
	ASSERT_EQ(c.verbose, 0);
	aa_cli_release(&c);
}

TEST(cli_empty_env_is_unset)
{
	struct aa_cli c;

	/* The agentapi module always exports AGENTAPI_CHAT_BASE_PATH. */
	ok(&c, ENV("AGENTAPI_CHAT_BASE_PATH=", "AGENTAPI_PORT=",
	    "AGENTAPI_ALLOWED_HOSTS=", "AGENTAPI_LOAD_STATE=",
	    "AGENTAPI_TERM_WIDTH="), ARGV("server", "x"));
	ASSERT_STR_EQ(c.chat_base_path, "/chat");
	ASSERT_EQ(c.src[AA_CLI_OPT_CHAT_BASE_PATH], AA_CLI_SRC_DEFAULT);
	ASSERT_EQ(c.port, 3284);
	ASSERT_EQ(c.term_width, 80);
	list_is(&c.allowed_hosts, LIST("localhost", "127.0.0.1", "[::1]"));
	ASSERT_EQ(c.src[AA_CLI_OPT_LOAD_STATE], AA_CLI_SRC_DEFAULT);
	aa_cli_release(&c);
}

TEST(cli_env_of_other_names_ignored)
{
	struct aa_cli c;

	/* No prefix matching, and attach has no env for --url. */
	ok(&c, ENV("PORT=1", "AGENTAPI_=x", "AGENTAPI_URL=http://elsewhere",
	    "AGENTAPI_HELP=true"), ARGV("attach"));
	ASSERT_EQ(c.cmd, AA_CLI_ATTACH);
	ASSERT_STR_EQ(c.url, "http://localhost:3284");
	aa_cli_release(&c);
}

TEST(cli_double_dash_and_agent_args)
{
	struct aa_cli c;

	ok(&c, NOENV, ARGV("server", "--type", "claude", "--", "claude",
	    "--dangerously-skip-permissions", "--", "fix the bug"));
	ASSERT_EQ(c.agent_argc, 4);
	ASSERT_STR_EQ(c.agent_argv[0], "claude");
	ASSERT_STR_EQ(c.agent_argv[1], "--dangerously-skip-permissions");
	ASSERT_STR_EQ(c.agent_argv[2], "--");
	ASSERT_STR_EQ(c.agent_argv[3], "fix the bug");
	ASSERT_NULL(c.agent_argv[4]);
	aa_cli_release(&c);

	/* Words before "--" and after it form one argv, in order. */
	ok(&c, NOENV, ARGV("server", "claude", "-p", "1", "--", "--port",
	    "2", "-h"));
	ASSERT_EQ(c.port, 1);
	ASSERT_EQ(c.agent_argc, 4);
	ASSERT_STR_EQ(c.agent_argv[0], "claude");
	ASSERT_STR_EQ(c.agent_argv[1], "--port");
	ASSERT_STR_EQ(c.agent_argv[3], "-h");
	ASSERT_EQ(c.cmd, AA_CLI_SERVER);
	aa_cli_release(&c);

	/* "-" alone is a word, not a flag. */
	ok(&c, NOENV, ARGV("server", "cat", "-"));
	ASSERT_EQ(c.agent_argc, 2);
	ASSERT_STR_EQ(c.agent_argv[1], "-");
	aa_cli_release(&c);
}

TEST(cli_agent_flags_without_dash_are_ours)
{
	/* Upstream's documented pitfall: agent flags need "--". */
	parse_err(NOENV, ARGV("server", "claude",
	    "--dangerously-skip-permissions"),
	    "unknown flag: --dangerously-skip-permissions");
	parse_err(NOENV, ARGV("server", "aider", "--yes-always"),
	    "unknown flag: --yes-always");
}

TEST(cli_parse_errors_are_pflags)
{
	parse_err(NOENV, ARGV("server", "--foo", "x"), "unknown flag: --foo");
	parse_err(NOENV, ARGV("server", "--foo=1", "x"), "unknown flag: --foo");
	parse_err(NOENV, ARGV("server", "-x", "x"),
	    "unknown shorthand flag: 'x' in -x");
	parse_err(NOENV, ARGV("server", "-Pzq", "x"),
	    "unknown shorthand flag: 'z' in -Pzq");
	parse_err(NOENV, ARGV("server", "-\x01", "x"),
	    "unknown shorthand flag: '\\x01' in -\x01");
	parse_err(NOENV, ARGV("server", "-'", "x"),
	    "unknown shorthand flag: '\\'' in -'");
	parse_err(NOENV, ARGV("server", "x", "--port"),
	    "flag needs an argument: --port");
	parse_err(NOENV, ARGV("server", "x", "-p"),
	    "flag needs an argument: 'p' in -p");
	parse_err(NOENV, ARGV("server", "x", "-Pp"),
	    "flag needs an argument: 'p' in -Pp");
	parse_err(NOENV, ARGV("server", "---port", "x"),
	    "bad flag syntax: ---port");
	parse_err(NOENV, ARGV("server", "--=x", "x"), "bad flag syntax: --=x");
	parse_err(NOENV, ARGV("server", "--port", "abc", "x"),
	    "invalid argument \"abc\" for \"-p, --port\" flag: "
	    "strconv.ParseInt: parsing \"abc\": invalid syntax");
	parse_err(NOENV, ARGV("server", "-p", "a\"b\n", "x"),
	    "invalid argument \"a\\\"b\\n\" for \"-p, --port\" flag: "
	    "strconv.ParseInt: parsing \"a\\\"b\\n\": invalid syntax");
	parse_err(NOENV, ARGV("server", "-p", "08", "x"),
	    "invalid argument \"08\" for \"-p, --port\" flag: "
	    "strconv.ParseInt: parsing \"08\": invalid syntax");
	parse_err(NOENV, ARGV("server", "-p", "1__0", "x"),
	    "invalid argument \"1__0\" for \"-p, --port\" flag: "
	    "strconv.ParseInt: parsing \"1__0\": invalid syntax");
	parse_err(NOENV, ARGV("server", "-p", "", "x"),
	    "invalid argument \"\" for \"-p, --port\" flag: "
	    "strconv.ParseInt: parsing \"\": invalid syntax");
	parse_err(NOENV, ARGV("server", "-p", "99999999999999999999", "x"),
	    "invalid argument \"99999999999999999999\" for \"-p, --port\" "
	    "flag: strconv.ParseInt: parsing \"99999999999999999999\": "
	    "value out of range");
	/* pflag reads "-p=" as the value "=". */
	parse_err(NOENV, ARGV("server", "-p=", "x"),
	    "invalid argument \"=\" for \"-p, --port\" flag: "
	    "strconv.ParseInt: parsing \"=\": invalid syntax");
	parse_err(NOENV, ARGV("server", "--term-width", "70000", "x"),
	    "invalid argument \"70000\" for \"-W, --term-width\" flag: "
	    "strconv.ParseUint: parsing \"70000\": value out of range");
	parse_err(NOENV, ARGV("server", "--term-height=-1", "x"),
	    "invalid argument \"-1\" for \"-H, --term-height\" flag: "
	    "strconv.ParseUint: parsing \"-1\": invalid syntax");
	parse_err(NOENV, ARGV("server", "--load-state=maybe", "x"),
	    "invalid argument \"maybe\" for \"--load-state\" flag: "
	    "strconv.ParseBool: parsing \"maybe\": invalid syntax");
	parse_err(NOENV, ARGV("server", "-a", "a\"b", "x"),
	    "invalid argument \"a\\\"b\" for \"-a, --allowed-hosts\" flag: "
	    "parse error on line 1, column 2: bare \" in non-quoted-field");
	parse_err(NOENV, ARGV("server", "-a", "\"ab", "x"),
	    "invalid argument \"\\\"ab\" for \"-a, --allowed-hosts\" flag: "
	    "parse error on line 1, column 4: extraneous or missing \" in "
	    "quoted-field");
	parse_err(NOENV, ARGV("server", "--bind", "\n", "x"),
	    "invalid argument \"\\n\" for \"--bind\" flag: EOF");
	/* The first error wins. */
	parse_err(NOENV, ARGV("server", "--nope", "--port", "x"),
	    "unknown flag: --nope");
}

TEST(cli_env_errors_name_the_variable)
{
	parse_err(ENV("AGENTAPI_PORT=abc"), ARGV("server", "x"),
	    "invalid argument \"abc\" for \"AGENTAPI_PORT\" environment "
	    "variable: strconv.ParseInt: parsing \"abc\": invalid syntax");
	parse_err(ENV("AGENTAPI_TERM_WIDTH=wide"), ARGV("server", "x"),
	    "invalid argument \"wide\" for \"AGENTAPI_TERM_WIDTH\" "
	    "environment variable: strconv.ParseUint: parsing \"wide\": "
	    "invalid syntax");
	parse_err(ENV("AGENTAPI_SAVE_STATE=yes"), ARGV("server", "x"),
	    "invalid argument \"yes\" for \"AGENTAPI_SAVE_STATE\" "
	    "environment variable: strconv.ParseBool: parsing \"yes\": "
	    "invalid syntax");
	/* A flag for the same option hides a bad variable. */
	{
		struct aa_cli c;

		ok(&c, ENV("AGENTAPI_PORT=abc"), ARGV("server", "-p", "5",
		    "x"));
		ASSERT_EQ(c.port, 5);
		aa_cli_release(&c);
	}
}

TEST(cli_requires_agent)
{
	parse_err(NOENV, ARGV("server"),
	    "requires at least 1 arg(s), only received 0");
	parse_err(NOENV, ARGV("server", "--port", "1", "--"),
	    "requires at least 1 arg(s), only received 0");
}

TEST(cli_commands)
{
	struct aa_cli c;
	char *cause = NULL;

	parse_err(NOENV, ARGV("serve"),
	    "unknown command \"serve\" for \"agentapi-c\"");
	parse_err(NOENV, ARGV("completion", "bash"),
	    "the completion command is not supported by agentapi-c");
	parse_err(NOENV, ARGV("--port", "1"), "unknown flag: --port");
	parse_err(NOENV, ARGV("help", "nope"), "unknown help topic \"nope\"");

	ASSERT_EQ(aa_cli_parse(&c, 1, ARGV("x"), NOENV, &cause), 0);
	ASSERT_EQ(c.cmd, AA_CLI_HELP);
	ASSERT_NULL(c.help_topic);
	aa_cli_release(&c);
	ASSERT_EQ(aa_cli_parse(&c, 0, ARGV("x"), NOENV, &cause), AA_EINVAL);
}

TEST(cli_version)
{
	struct aa_cli c;
	struct aa_buf b;
	const char *last;

	ok(&c, NOENV, ARGV("--version"));
	ASSERT_EQ(c.cmd, AA_CLI_VERSION);
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("-v"));
	ASSERT_EQ(c.cmd, AA_CLI_VERSION);
	aa_cli_release(&c);
	/* --version is the root's flag, as in cobra. */
	parse_err(NOENV, ARGV("server", "--version", "x"),
	    "unknown flag: --version");

	/* One line, last word a bare X.Y.Z (the Coder module's probe). */
	aa_buf_init(&b);
	ASSERT_EQ(aa_cli_version(&b), 0);
	ASSERT_EQ(strncmp(b.data, "agentapi-c version ", 19), 0);
	ASSERT_EQ(b.data[b.len - 1], '\n');
	ASSERT_NULL(memchr(b.data, '\n', b.len - 1));
	last = strrchr(b.data, ' ') + 1;
	ASSERT_EQ(strspn(last, "0123456789."), strlen(last) - 1);
	ASSERT_STR_EQ(last, AA_VERSION_STRING "\n");
	aa_buf_release(&b);
}

TEST(cli_help_requests)
{
	struct aa_cli c;

	ok(&c, NOENV, ARGV("--help"));
	ASSERT_EQ(c.cmd, AA_CLI_HELP);
	ASSERT_NULL(c.help_topic);
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("-h", "server"));
	ASSERT_STR_EQ(c.help_topic, "server");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("help", "attach"));
	ASSERT_STR_EQ(c.help_topic, "attach");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("help"));
	ASSERT_NULL(c.help_topic);
	aa_cli_release(&c);
	/* Help needs no agent and wins over missing arguments... */
	ok(&c, NOENV, ARGV("server", "--help"));
	ASSERT_EQ(c.cmd, AA_CLI_HELP);
	ASSERT_STR_EQ(c.help_topic, "server");
	aa_cli_release(&c);
	ok(&c, ENV("AGENTAPI_PORT=bad"), ARGV("server", "-h"));
	ASSERT_STR_EQ(c.help_topic, "server");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("attach", "-h"));
	ASSERT_STR_EQ(c.help_topic, "attach");
	aa_cli_release(&c);
	/* ...but not over a bad flag, and --help=false is no request. */
	parse_err(NOENV, ARGV("server", "--bad", "-h"), "unknown flag: --bad");
	ok(&c, NOENV, ARGV("server", "--help=false", "x"));
	ASSERT_EQ(c.cmd, AA_CLI_SERVER);
	aa_cli_release(&c);
}

TEST(cli_help_text_lists_every_flag)
{
	struct aa_buf b;
	int i;

	aa_buf_init(&b);
	ASSERT_EQ(aa_cli_help(&b, "server"), 0);
	for (i = 0; i < AA_CLI_OPT__COUNT; i++) {
		char want[64];

		if (i == AA_CLI_OPT_EXIT ||
		    !(aa_cli_options[i].cmds & C_SERVER))
			continue;
		snprintf(want, sizeof(want), "--%s",
		    aa_cli_option_name((enum aa_cli_opt)i));
		if (strstr(b.data, want) == NULL)
			test_fail(__FILE__, __LINE__, "%s missing", want);
	}
	ASSERT_NULL(strstr(b.data, "--exit"));
	ASSERT_NULL(strstr(b.data, "--url"));
	ASSERT_NOT_NULL(strstr(b.data, "additions (not in upstream"));
	ASSERT_NOT_NULL(strstr(b.data, "not supported by agentapi-c"));
	ASSERT_NOT_NULL(strstr(b.data, "AGENTAPI_ALLOWED_HOSTS"));
	ASSERT_NOT_NULL(strstr(b.data, "cursor-agent"));
	/* Every line fits 80 columns except an unbreakable default. */
	aa_buf_reset(&b);
	ASSERT_EQ(aa_cli_help(&b, NULL), 0);
	ASSERT_NOT_NULL(strstr(b.data, "--version"));
	ASSERT_NOT_NULL(strstr(b.data, "server"));
	aa_buf_reset(&b);
	ASSERT_EQ(aa_cli_help(&b, "attach"), 0);
	ASSERT_NOT_NULL(strstr(b.data, "-u, --url"));
	ASSERT_NOT_NULL(strstr(b.data, "--detach-keys"));
	ASSERT_NOT_NULL(strstr(b.data, "--auth-token"));
	ASSERT_NULL(strstr(b.data, "--port"));
	ASSERT_EQ(aa_cli_help(&b, "nope"), AA_EINVAL);
	aa_buf_release(&b);
	ASSERT_NULL(aa_cli_option_name(AA_CLI_OPT__COUNT));
	ASSERT_STR_EQ(aa_cli_option_name(AA_CLI_OPT_TERM_WIDTH), "term-width");
}

TEST(cli_attach)
{
	struct aa_cli c;

	ok(&c, NOENV, ARGV("attach"));
	ASSERT_EQ(c.cmd, AA_CLI_ATTACH);
	ASSERT_STR_EQ(c.url, "http://localhost:3284");
	ASSERT_STR_EQ(c.auth_token, "");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("attach", "-u", "example.com:9/prefix/"));
	ASSERT_STR_EQ(c.url, "http://example.com:9/prefix");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("attach", "--url=https://h.example//"));
	ASSERT_STR_EQ(c.url, "https://h.example");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("attach", "--url", "http://127.0.0.1:1",
	    "--auth-token", "t0k"));
	ASSERT_STR_EQ(c.url, "http://127.0.0.1:1");
	ASSERT_STR_EQ(c.auth_token, "t0k");
	aa_cli_release(&c);
	parse_err(NOENV, ARGV("attach", "--port", "1"), "unknown flag: --port");
	parse_err(NOENV, ARGV("attach", "-v"),
	    "unknown shorthand flag: 'v' in -v");
	parse_err(NOENV, ARGV("attach", "one", "two"),
	    "unknown command \"two\" for \"agentapi-c attach\"");
	/* attach ID: a host's session, on the socket. */
	ok(&c, NOENV, ARGV("attach", "--socket", "/r/h.sock", "build"));
	ASSERT_EQ(c.cmd, AA_CLI_ATTACH);
	ASSERT_STR_EQ(c.session, "build");
	ASSERT_STR_EQ(c.socket, "/r/h.sock");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("attach"));
	ASSERT_STR_EQ(c.session, "");
	ASSERT_STR_EQ(c.socket, "");
	aa_cli_release(&c);
	valid_err(NOENV, ARGV("attach", "--auth-token", "a b"),
	    "invalid --auth-token: it must be printable ASCII without spaces");
}

/* The host's commands: their words and flags. */
TEST(cli_host_commands)
{
	struct aa_cli c;

	ok(&c, NOENV, ARGV("ls"));
	ASSERT_EQ(c.cmd, AA_CLI_LS);
	ASSERT_EQ(c.json, 0);
	ASSERT_STR_EQ(c.socket, "");
	ASSERT_STR_EQ(c.host_url, "");
	ASSERT_STR_EQ(c.session, "");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("ls", "--json", "--socket=/tmp/h.sock"));
	ASSERT_EQ(c.json, 1);
	ASSERT_STR_EQ(c.socket, "/tmp/h.sock");
	aa_cli_release(&c);
	parse_err(NOENV, ARGV("ls", "x"),
	    "unknown command \"x\" for \"agentapi-c ls\"");

	/* new: flags before "--", the agent's own after it. */
	ok(&c, NOENV, ARGV("new", "--name", "app", "-t", "claude", "--cwd",
	    "/src", "--term-width", "120", "-I", "go", "--", "claude",
	    "--model", "x"));
	ASSERT_EQ(c.cmd, AA_CLI_NEW);
	ASSERT_STR_EQ(c.name, "app");
	ASSERT_STR_EQ(c.type, "claude");
	ASSERT_STR_EQ(c.cwd, "/src");
	ASSERT_STR_EQ(c.prompt, "go");
	ASSERT_EQ(c.term_width, 120);
	ASSERT_EQ(c.src[AA_CLI_OPT_TERM_WIDTH], AA_CLI_SRC_FLAG);
	ASSERT_EQ(c.src[AA_CLI_OPT_TERM_HEIGHT], AA_CLI_SRC_DEFAULT);
	ASSERT_EQ(c.agent_argc, 3);
	ASSERT_STR_EQ(c.agent_argv[0], "claude");
	ASSERT_STR_EQ(c.agent_argv[2], "x");
	ASSERT_NULL(c.agent_argv[3]);
	aa_cli_release(&c);
	parse_err(NOENV, ARGV("new", "--name", "x"), "new needs the agent's "
	    "command (agentapi-c new -- claude ...)");
	parse_err(NOENV, ARGV("new", "claude", "--model"),
	    "unknown flag: --model");

	/* send: the session, then the words of the text. */
	ok(&c, NOENV, ARGV("send", "app", "fix", "the", "--queue", "bug"));
	ASSERT_EQ(c.cmd, AA_CLI_SEND);
	ASSERT_STR_EQ(c.session, "app");
	ASSERT_EQ(c.queue, 1);
	ASSERT_EQ(c.interrupt, 0);
	ASSERT_EQ(c.agent_argc, 3);
	ASSERT_STR_EQ(c.agent_argv[0], "fix");
	ASSERT_STR_EQ(c.agent_argv[2], "bug");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("send", "-i", "9f2c4b1e0a7d3c55", "--", "-x"));
	ASSERT_EQ(c.interrupt, 1);
	ASSERT_STR_EQ(c.session, "9f2c4b1e0a7d3c55");
	ASSERT_STR_EQ(c.agent_argv[0], "-x");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("send", "app", "-"));
	ASSERT_STR_EQ(c.agent_argv[0], "-");
	aa_cli_release(&c);
	parse_err(NOENV, ARGV("send", "app"), "send needs an ID or NAME and "
	    "the text (or - to read it from stdin)");
	parse_err(NOENV, ARGV("send", "-q", "-i", "app", "x"),
	    "--queue and --interrupt exclude each other");

	/* logs and stop: exactly one session. */
	ok(&c, NOENV, ARGV("logs", "-f", "app"));
	ASSERT_EQ(c.cmd, AA_CLI_LOGS);
	ASSERT_EQ(c.follow, 1);
	ASSERT_STR_EQ(c.session, "app");
	aa_cli_release(&c);
	parse_err(NOENV, ARGV("logs"), "logs needs a session ID or NAME");
	parse_err(NOENV, ARGV("logs", "a", "b"),
	    "unknown command \"b\" for \"agentapi-c logs\"");
	parse_err(NOENV, ARGV("logs", "--json", "a"), "unknown flag: --json");
	ok(&c, NOENV, ARGV("stop", "app"));
	ASSERT_EQ(c.cmd, AA_CLI_STOP);
	ASSERT_STR_EQ(c.session, "app");
	aa_cli_release(&c);
	parse_err(NOENV, ARGV("stop"), "stop needs a session ID or NAME");
	ok(&c, NOENV, ARGV("restart", "--socket", "/s", "app"));
	ASSERT_EQ(c.cmd, AA_CLI_RESTART);
	ASSERT_STR_EQ(c.session, "app");
	aa_cli_release(&c);
	parse_err(NOENV, ARGV("restart"), "restart needs a session ID or "
	    "NAME");
	parse_err(NOENV, ARGV("stop", "-f", "a"),
	    "unknown shorthand flag: 'f' in -f");

	/* TCP: --url and the token, from the flag or the environment. */
	ok(&c, ENV("AGENTAPI_AUTH_TOKEN=t0k"), ARGV("ls", "--url",
	    "http://127.0.0.1:9"));
	ASSERT_STR_EQ(c.host_url, "http://127.0.0.1:9");
	ASSERT_STR_EQ(c.auth_token, "t0k");
	aa_cli_release(&c);
	valid_err(NOENV, ARGV("stop", "--auth-token", "a b", "x"),
	    "invalid --auth-token: it must be printable ASCII without spaces");

	/* Help for each, and "help <command>". */
	ok(&c, NOENV, ARGV("send", "--help"));
	ASSERT_EQ(c.cmd, AA_CLI_HELP);
	ASSERT_STR_EQ(c.help_topic, "send");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("help", "logs"));
	ASSERT_STR_EQ(c.help_topic, "logs");
	aa_cli_release(&c);
}

TEST(cli_host_help)
{
	static const char *const cmds[] = { "ls", "new", "send", "logs",
		"stop", "restart" };
	struct aa_buf b;

	aa_buf_init(&b);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		aa_buf_reset(&b);
		ASSERT_EQ(aa_cli_help(&b, cmds[i]), 0);
		ASSERT_NOT_NULL(strstr(b.data, "--socket"));
		ASSERT_NOT_NULL(strstr(b.data, "Exit codes"));
		ASSERT_NULL(strstr(b.data, "localhost:3284"));
	}
	aa_buf_reset(&b);
	ASSERT_EQ(aa_cli_help(&b, "new"), 0);
	ASSERT_NOT_NULL(strstr(b.data, "--term-width"));
	ASSERT_NOT_NULL(strstr(b.data, "--prompt"));
	ASSERT_NULL(strstr(b.data, "--queue"));
	aa_buf_reset(&b);
	ASSERT_EQ(aa_cli_help(&b, NULL), 0);
	ASSERT_NOT_NULL(strstr(b.data, "  logs "));
	aa_buf_release(&b);
}

TEST(cli_mcp)
{
	struct aa_cli c;
	struct aa_buf b;

	ok(&c, NOENV, ARGV("mcp"));
	ASSERT_EQ(c.cmd, AA_CLI_MCP);
	ASSERT_STR_EQ(c.socket, "");
	ASSERT_EQ(c.verbose, 0);
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("mcp", "--socket", "/run/h.sock", "-v"));
	ASSERT_STR_EQ(c.socket, "/run/h.sock");
	ASSERT_EQ(c.verbose, 1);
	ASSERT_EQ(c.src[AA_CLI_OPT_SOCKET], AA_CLI_SRC_FLAG);
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("mcp", "--socket=/x"));
	ASSERT_STR_EQ(c.socket, "/x");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("mcp", "--help"));
	ASSERT_EQ(c.cmd, AA_CLI_HELP);
	ASSERT_STR_EQ(c.help_topic, "mcp");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("help", "mcp"));
	ASSERT_STR_EQ(c.help_topic, "mcp");
	aa_cli_release(&c);
	parse_err(NOENV, ARGV("mcp", "--port", "1"), "unknown flag: --port");
	parse_err(NOENV, ARGV("mcp", "extra"),
	    "unknown command \"extra\" for \"agentapi-c mcp\"");
	/* --socket is mcp's alone. */
	parse_err(NOENV, ARGV("server", "--socket", "/x", "claude"),
	    "unknown flag: --socket");
	aa_buf_init(&b);
	ASSERT_EQ(aa_cli_help(&b, "mcp"), 0);
	ASSERT_NOT_NULL(strstr(b.data, "--socket"));
	ASSERT_NOT_NULL(strstr(b.data, "-v, --verbose"));
	ASSERT_NULL(strstr(b.data, "--port"));
	aa_buf_reset(&b);
	ASSERT_EQ(aa_cli_help(&b, NULL), 0);
	ASSERT_NOT_NULL(strstr(b.data, "\n  mcp "));
	aa_buf_release(&b);
}

TEST(cli_agent_type_resolution)
{
	struct aa_cli c;

	ok(&c, NOENV, ARGV("server", "q", "chat"));
	ASSERT_STR_EQ(c.agent_type, "amazonq");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("server", "cursor-agent"));
	ASSERT_STR_EQ(c.agent_type, "cursor");
	aa_cli_release(&c);
	/* The base name counts too (upstream: verbatim only). */
	ok(&c, NOENV, ARGV("server", "/usr/bin/claude"));
	ASSERT_STR_EQ(c.agent_type, "claude");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("server", "--", "./bin/cursor-agent", "-f"));
	ASSERT_STR_EQ(c.agent_type, "cursor");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("server", "/usr/bin/claude-wrapper"));
	ASSERT_STR_EQ(c.agent_type, "custom");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("server", "/opt/claude/"));
	ASSERT_STR_EQ(c.agent_type, "custom");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("server", "Claude"));
	ASSERT_STR_EQ(c.agent_type, "custom");
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("server", "--type=q", "--", "kiro-cli", "chat"));
	ASSERT_STR_EQ(c.agent_type, "amazonq");
	ASSERT_STR_EQ(c.type, "q");
	aa_cli_release(&c);
	ok(&c, ENV("AGENTAPI_TYPE=codex"), ARGV("server", "claude"));
	ASSERT_STR_EQ(c.agent_type, "codex");
	aa_cli_release(&c);
}

TEST(cli_state_flags)
{
	struct aa_cli c;

	ok(&c, NOENV, ARGV("server", "-s", "/tmp/s.json", "x"));
	ASSERT_EQ(c.load_state, 1);
	ASSERT_EQ(c.save_state, 1);
	aa_cli_release(&c);
	ok(&c, NOENV, ARGV("server", "-s", "/tmp/s.json", "--load-state=false",
	    "x"));
	ASSERT_EQ(c.load_state, 0);
	ASSERT_EQ(c.save_state, 1);
	aa_cli_release(&c);
	ok(&c, ENV("AGENTAPI_STATE_FILE=/s", "AGENTAPI_SAVE_STATE=false"),
	    ARGV("server", "x"));
	ASSERT_EQ(c.load_state, 1);
	ASSERT_EQ(c.save_state, 0);
	aa_cli_release(&c);
	/* Explicitly false without a file is fine. */
	ok(&c, NOENV, ARGV("server", "--load-state=false",
	    "--save-state=false", "x"));
	ASSERT_EQ(c.load_state, 0);
	ASSERT_EQ(c.save_state, 0);
	aa_cli_release(&c);
}

TEST(cli_validation_messages)
{
	valid_err(NOENV, ARGV("server", "--type", "bogus", "x"),
	    "failed to parse agent type: invalid agent type: bogus");
	valid_err(ENV("AGENTAPI_TYPE=Claude"), ARGV("server", "x"),
	    "failed to parse agent type: invalid agent type: Claude");
	valid_err(NOENV, ARGV("server", "-W", "9", "x"),
	    "term width must be at least 10");
	valid_err(NOENV, ARGV("server", "-H", "0", "x"),
	    "term height must be at least 10");
	valid_err(NOENV, ARGV("server", "--load-state", "x"),
	    "--load-state requires --state-file to be set");
	valid_err(ENV("AGENTAPI_SAVE_STATE=true"), ARGV("server", "x"),
	    "--save-state requires --state-file to be set");
	valid_err(NOENV, ARGV("server", "--experimental-acp", "-s", "f", "x"),
	    "ACP mode doesn't support state persistence");
	valid_err(NOENV, ARGV("server", "--experimental-acp", "-P", "x"),
	    "flags --print-openapi and --experimental-acp are mutually "
	    "exclusive");
	valid_err(NOENV, ARGV("server", "--experimental-acp", "x"),
	    "--experimental-acp is not supported by agentapi-c (only the PTY "
	    "transport is implemented)");
	valid_err(NOENV, ARGV("server", "-p", "70000", "x"),
	    "invalid port 70000: it must be between 0 and 65535");
	valid_err(NOENV, ARGV("server", "-p", "-1", "x"),
	    "invalid port -1: it must be between 0 and 65535");
	valid_err(NOENV, ARGV("server", "--bind", "localhost", "x"),
	    "invalid --bind address \"localhost\": not an IPv4 or IPv6 "
	    "address");
	valid_err(NOENV, ARGV("server", "--bind", "[127.0.0.1]", "x"),
	    "invalid --bind address \"127.0.0.1\": not an IPv4 or IPv6 "
	    "address");
	valid_err(NOENV, ARGV("server", "--bind=", "x"),
	    "--bind needs at least one address");
	valid_err(NOENV, ARGV("server", "--auth-token", "a\tb", "x"),
	    "invalid --auth-token: it must be printable ASCII without spaces");
	valid_err(NOENV, ARGV("server", "--term", "", "x"),
	    "invalid --term \"\": it must be a non-empty terminal name");
}

TEST(cli_validation_order)
{
	/* spec/http.md §9.7: type, width, height, state, ACP, ours. */
	valid_err(NOENV, ARGV("server", "-t", "nope", "-W", "1", "-H", "1",
	    "--load-state", "--experimental-acp", "-p", "-5", "x"),
	    "failed to parse agent type: invalid agent type: nope");
	valid_err(NOENV, ARGV("server", "-W", "1", "-H", "1", "--load-state",
	    "x"), "term width must be at least 10");
	valid_err(NOENV, ARGV("server", "-H", "1", "--load-state",
	    "--save-state", "x"), "term height must be at least 10");
	valid_err(NOENV, ARGV("server", "--load-state", "--save-state",
	    "--experimental-acp", "x"),
	    "--load-state requires --state-file to be set");
	valid_err(NOENV, ARGV("server", "-P", "--experimental-acp", "-s", "f",
	    "-p", "-5", "x"), "ACP mode doesn't support state persistence");
	valid_err(NOENV, ARGV("server", "--experimental-acp", "-p", "-5",
	    "x"), "--experimental-acp is not supported by agentapi-c (only "
	    "the PTY transport is implemented)");
}

TEST(cli_bind_normalised)
{
	struct aa_cli c;

	ok(&c, NOENV, ARGV("server", "--bind", "[::1],0.0.0.0", "--bind",
	    "::ffff:127.0.0.1", "x"));
	list_is(&c.bind, LIST("::1", "0.0.0.0", "::ffff:127.0.0.1"));
	aa_cli_release(&c);
}

TEST(cli_exit_flag_skips_nothing_in_parse)
{
	struct aa_cli c;
	char *cause = NULL;

	/* --exit is a test hook: the program stops after parsing, so an
	 * invalid type is only reported when validate runs. */
	ASSERT_EQ(aa_cli_parse(&c, 6, ARGV("server", "--exit", "-t", "bogus",
	    "x"), NOENV, &cause), 0);
	ASSERT_EQ(c.exit_after_parse, 1);
	aa_cli_release(&c);
}

TEST(cli_list_cap)
{
	struct aa_cli c;
	struct aa_buf b;
	char *cause = NULL;
	const char *argv[5];
	int i;

	aa_buf_init(&b);
	for (i = 0; i <= AA_CLI_LIST_MAX; i++)
		aa_buf_printf(&b, "%sh%d", i ? "," : "", i);
	argv[0] = "agentapi-c";
	argv[1] = "server";
	argv[2] = "-a";
	argv[3] = b.data;
	argv[4] = "x";
	ASSERT_EQ(aa_cli_parse(&c, 5, (char *const *)argv, NOENV, &cause),
	    AA_E2BIG);
	ASSERT_STR_EQ(cause, "too many values for --allowed-hosts (at most "
	    "1024)");
	free(cause);
	aa_buf_release(&b);
}

/* One Coder module command line (spec/coder-integration.md §1.3). */
struct coder_case {
	const char *name;
	char *const *envp;
	char *const *argv;
	const char *type;	/* expected canonical agent type */
	unsigned int width, height;
	int port;
	const char *prompt;
	const char *chat;
	char *const *agent;	/* expected agent argv */
};

/* The environment main.sh exports (§1.1 step 9), persistence on. */
#define MODULE_ENV                                                             \
	ENV("AGENTAPI_CHAT_BASE_PATH=/@me/ws.1234/apps/ccw/chat",             \
	    "AGENTAPI_ALLOWED_HOSTS=*", "AGENTAPI_PID_FILE=/home/c/.m/a.pid", \
	    "AGENTAPI_STATE_FILE=/home/c/.m/agentapi-state.json",             \
	    "AGENTAPI_SAVE_STATE=true", "AGENTAPI_LOAD_STATE=true",           \
	    "LANG=en_US.UTF-8")
/* Subdomain mode: the base path is exported empty. */
#define SUBDOMAIN_ENV                                                          \
	ENV("AGENTAPI_CHAT_BASE_PATH=", "AGENTAPI_ALLOWED_HOSTS=*",           \
	    "AGENTAPI_PID_FILE=/home/c/.m/a.pid")

static const struct coder_case coder_cases[] = {
	{ "claude_code_4", MODULE_ENV, ARGV("server", "--type", "claude",
	    "--term-width", "67", "--term-height", "1190", "--", "claude",
	    "--permission-mode", "plan", "--continue",
	    "--dangerously-skip-permissions", "--", "Every step: fix it"),
	    "claude", 67, 1190, 3284, "", "/@me/ws.1234/apps/ccw/chat",
	    LIST("claude", "--permission-mode", "plan", "--continue",
	    "--dangerously-skip-permissions", "--", "Every step: fix it") },
	{ "claude_code_4_boundary", MODULE_ENV, ARGV("server", "--type",
	    "claude", "--term-width", "67", "--term-height", "1190", "--",
	    "/home/c/.m/boundary-wrapper.sh", "claude", "--resume", "abc"),
	    "claude", 67, 1190, 3284, "", "/@me/ws.1234/apps/ccw/chat",
	    LIST("/home/c/.m/boundary-wrapper.sh", "claude", "--resume",
	    "abc") },
	{ "claude_code_2", SUBDOMAIN_ENV, ARGV("server", "--term-width", "67",
	    "--term-height", "1190", "--", "bash", "-c",
	    "claude --continue --dangerously-skip-permissions "
	    "\"$(cat /tmp/claude-code-prompt)\""),
	    "custom", 67, 1190, 3284, "", "/chat",
	    LIST("bash", "-c", "claude --continue "
	    "--dangerously-skip-permissions \"$(cat /tmp/claude-code-prompt)\"")
	},
	{ "codex", MODULE_ENV, ARGV("server", "--type", "codex",
	    "--term-width", "67", "--term-height", "1190", "--", "codex",
	    "--model", "gpt-5", "Do the task"),
	    "codex", 67, 1190, 3284, "", "/@me/ws.1234/apps/ccw/chat",
	    LIST("codex", "--model", "gpt-5", "Do the task") },
	{ "gemini", SUBDOMAIN_ENV, ARGV("server", "--term-width", "67",
	    "--term-height", "1190", "--", "bash", "-c",
	    "gemini --prompt-interactive 'hello' --yolo"),
	    "custom", 67, 1190, 3284, "", "/chat",
	    LIST("bash", "-c", "gemini --prompt-interactive 'hello' --yolo") },
	{ "goose", SUBDOMAIN_ENV, ARGV("server", "--term-width", "67",
	    "--term-height", "1190", "--", "bash", "-c",
	    "goose run --interactive --instructions /tmp/p"),
	    "custom", 67, 1190, 3284, "", "/chat",
	    LIST("bash", "-c", "goose run --interactive --instructions /tmp/p")
	},
	{ "aider", MODULE_ENV, ARGV("server",
	    "-I=You are helpful.\nFix \"tests\" — now", "--type", "aider",
	    "--term-width=67", "--term-height=1190", "--", "aider", "--model",
	    "sonnet", "--yes-always"),
	    "aider", 67, 1190, 3284, "You are helpful.\nFix \"tests\" — now",
	    "/@me/ws.1234/apps/ccw/chat",
	    LIST("aider", "--model", "sonnet", "--yes-always") },
	{ "aider_no_prompt", SUBDOMAIN_ENV, ARGV("server", "--term-width=67",
	    "--term-height=1190", "--", "aider", "--model", "sonnet",
	    "--yes-always"),
	    "aider", 67, 1190, 3284, "", "/chat",
	    LIST("aider", "--model", "sonnet", "--yes-always") },
	{ "copilot", SUBDOMAIN_ENV, ARGV("server", "-I=sys\n\ntask",
	    "--type", "copilot", "--term-width", "120", "--term-height", "40",
	    "--", "copilot", "--allow-all-tools", "--allow-tool", "shell(git)",
	    "--deny-tool", "shell(rm)"),
	    "copilot", 120, 40, 3284, "sys\n\ntask", "/chat",
	    LIST("copilot", "--allow-all-tools", "--allow-tool", "shell(git)",
	    "--deny-tool", "shell(rm)") },
	{ "opencode", SUBDOMAIN_ENV, ARGV("server", "-I", "the prompt",
	    "--type", "opencode", "--term-width", "67", "--term-height",
	    "1190", "--", "opencode", "--session", "s1"),
	    "opencode", 67, 1190, 3284, "the prompt", "/chat",
	    LIST("opencode", "--session", "s1") },
	{ "amp_piped", SUBDOMAIN_ENV, ARGV("server", "--type", "amp",
	    "--term-width=67", "--term-height=1190", "--", "bash", "-c",
	    "echo \"task\" | amp", "--mode", "smart"),
	    "amp", 67, 1190, 3284, "", "/chat",
	    LIST("bash", "-c", "echo \"task\" | amp", "--mode", "smart") },
	{ "amp", SUBDOMAIN_ENV, ARGV("server", "--type", "amp",
	    "--term-width=67", "--term-height=1190", "--", "amp"),
	    "amp", 67, 1190, 3284, "", "/chat", LIST("amp") },
	{ "auggie", SUBDOMAIN_ENV, ARGV("server", "--term-width", "67",
	    "--term-height", "1190", "--", "auggie", "--model", "m",
	    "--mcp-config", "/c.json", "--continue", "--instruction",
	    "Do it", "--workspace-root", "/w"),
	    "auggie", 67, 1190, 3284, "", "/chat",
	    LIST("auggie", "--model", "m", "--mcp-config", "/c.json",
	    "--continue", "--instruction", "Do it", "--workspace-root", "/w") },
	{ "cursor_cli", SUBDOMAIN_ENV, ARGV("server", "--type", "cursor",
	    "--term-width", "67", "--term-height", "1190", "--",
	    "cursor-agent", "--model", "m", "-f", "go"),
	    "cursor", 67, 1190, 3284, "", "/chat",
	    LIST("cursor-agent", "--model", "m", "-f", "go") },
	{ "amazon_q", SUBDOMAIN_ENV, ARGV("server", "--term-width", "67",
	    "--term-height", "1190", "--", "q", "chat", "--trust-all-tools",
	    "the task"),
	    "amazonq", 67, 1190, 3284, "", "/chat",
	    LIST("q", "chat", "--trust-all-tools", "the task") },
	{ "kiro_cli", SUBDOMAIN_ENV, ARGV("server", "--chat-base-path",
	    "/@owner/ws.agent/apps/kiro-cli/chat", "--term-width", "67",
	    "--term-height", "1190", "--", "kiro-cli", "chat", "task"),
	    "custom", 67, 1190, 3284, "", "/@owner/ws.agent/apps/kiro-cli/chat",
	    LIST("kiro-cli", "chat", "task") },
	{ "module_test_port", SUBDOMAIN_ENV, ARGV("server", "--port", "3827",
	    "--type=claude", "--", "claude"),
	    "claude", 80, 1000, 3827, "", "/chat", LIST("claude") },
};

/* Parses + validates one module command line and checks the config. */
static void
coder_case_run(void *arg)
{
	const struct coder_case *cc = arg;
	struct aa_cli c;
	size_t i, n = (size_t)count(cc->agent);

	ok(&c, cc->envp, cc->argv);
	ASSERT_EQ(c.cmd, AA_CLI_SERVER);
	ASSERT_STR_EQ(c.agent_type, cc->type);
	ASSERT_EQ(c.term_width, cc->width);
	ASSERT_EQ(c.term_height, cc->height);
	ASSERT_EQ(c.port, cc->port);
	ASSERT_STR_EQ(c.initial_prompt, cc->prompt);
	ASSERT_STR_EQ(c.chat_base_path, cc->chat);
	ASSERT_EQ(c.agent_argc, n);
	for (i = 0; i < n; i++)
		ASSERT_STR_EQ(c.agent_argv[i], cc->agent[i]);
	ASSERT_NULL(c.agent_argv[n]);
	/* Both module environments allow every host and set a PID file. */
	list_is(&c.allowed_hosts, LIST("*"));
	ASSERT_STR_EQ(c.pid_file, "/home/c/.m/a.pid");
	/* With the state file exported, persistence is on both ways. */
	ASSERT_EQ(c.load_state, c.state_file[0] != '\0');
	ASSERT_EQ(c.save_state, c.state_file[0] != '\0');
	aa_cli_release(&c);
}

TEST_GENERATOR(cli_coder)
{
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(coder_cases) / sizeof(coder_cases[0]); i++) {
		snprintf(name, sizeof(name), "cli_coder_%s",
		    coder_cases[i].name);
		test_add(name, coder_case_run, (void *)&coder_cases[i]);
	}
}
