/*
 * fuzz-cli.c - libFuzzer target for aa_cli_parse / aa_cli_validate.
 *
 * The input is split at NUL bytes into words.  Words of the form
 * "AGENTAPI_...=..." become the environment, the others argv after the
 * program name.  Invariants checked: a failure always comes with a message
 * and leaves nothing allocated; a success yields a non-empty agent argv
 * for "server"; help text renders for every topic the parser names.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentapi.h"
#include "prog/attach.h"
#include "prog/cli.h"

#define FUZZ_MAX_WORDS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed stand-in for the agent table. */
static const char *
lookup(const char *name)
{
	static const char *const names[] = { "claude", "aider", "codex",
	    "custom" };
	size_t i;

	if (strcmp(name, "q") == 0)
		return "amazonq";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0)
			return names[i];
	}
	return NULL;
}

/* attach's --detach-keys: parsed, named, and run over its own text. */
static void
check_detach_keys(const char *spec)
{
	struct aa_attach_keys k;
	char name[AA_ATTACH_KEYS_MAX * 8], out[256 + AA_ATTACH_KEYS_MAX];
	char *cause = NULL;
	size_t n = strlen(spec), on;

	if (aa_attach_parse_keys(spec, &k, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		return;
	}
	if (k.n == 0 || k.n > AA_ATTACH_KEYS_MAX)
		abort();
	aa_attach_keys_name(&k, name, sizeof(name));
	if (strlen(name) >= sizeof(name))
		abort();
	if (n > 256)
		n = 256;
	aa_attach_keys_feed(&k, spec, n, out, &on);
	if (on > n + AA_ATTACH_KEYS_MAX)
		abort();
	/* The sequence itself always detaches. */
	k.matched = 0;
	if (aa_attach_keys_feed(&k, (const char *)k.k, k.n, out, &on) != 1 ||
	    on != 0)
		abort();
}

/* Checks one parsed configuration and releases it. */
static void
check(struct aa_cli *c)
{
	struct aa_buf b;
	char *cause = NULL;
	int rc;

	aa_buf_init(&b);
	if (c->cmd == AA_CLI_HELP && aa_cli_help(&b, c->help_topic) != 0)
		abort();
	if (c->cmd == AA_CLI_SERVER && (c->agent_argc == 0 ||
	    c->agent_argv[c->agent_argc] != NULL))
		abort();
	if (c->cmd == AA_CLI_SERVER || c->cmd == AA_CLI_ATTACH) {
		rc = aa_cli_validate(c, lookup, &cause);
		if ((rc != 0) != (cause != NULL) && rc != AA_ENOMEM)
			abort();
		if (rc == 0 && c->cmd == AA_CLI_SERVER &&
		    c->agent_type == NULL)
			abort();
		free(cause);
	}
	if (c->cmd == AA_CLI_ATTACH)
		check_detach_keys(c->detach_keys);
	aa_buf_release(&b);
	aa_cli_release(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *p, *end, *argv[FUZZ_MAX_WORDS + 2],
	    *envp[FUZZ_MAX_WORDS + 1];
	struct aa_cli c;
	char *cause = NULL;
	int argc = 1, envc = 0, rc;

	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = (char *)"agentapi-c";
	for (p = copy, end = copy + size; p <= end &&
	    argc <= FUZZ_MAX_WORDS && envc < FUZZ_MAX_WORDS;
	    p += strlen(p) + 1) {
		if (strncmp(p, "AGENTAPI_", 9) == 0 && strchr(p, '=') != NULL)
			envp[envc++] = p;
		else if (size > 0)
			argv[argc++] = p;
	}
	argv[argc] = NULL;
	envp[envc] = NULL;
	rc = aa_cli_parse(&c, argc, argv, envp, &cause);
	if (rc == 0)
		check(&c);
	else if (cause == NULL && rc != AA_ENOMEM)
		abort();
	free(cause);
	free(copy);
	return 0;
}
