/*
 * host-spec.c - a host session's spec: what POST /sessions and each entry
 * of sessions.json say a session is (argv, type, cwd, env, name, size,
 * initial prompt, state file), checked against fixed bounds before
 * anything starts, and the agent's command line and environment made from
 * it, resume flags included.
 *
 * Everything here comes from outside (a client's request body, or a file
 * on disk that may have been edited), so every string is bounded, every
 * number range-checked and every path absolute; the first failure says
 * why in a static string and nothing is kept.  aa_host_check_spec is the
 * fuzzer's entry (tests/fuzz/fuzz-hostspec.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/aa-internal.h"
#include "base/timefmt.h"
#include "core/agent.h"
#include "host/host.h"
#include "host/hostint.h"
#include "host/host-private.h"

#define HOST_MAX_ARGV 256
#define HOST_MAX_ARG 4096
#define HOST_MAX_ENV 256
#define HOST_MAX_ENV_ENTRY 8192
#define HOST_MAX_NAME 128
#define HOST_MAX_PROMPT (1024 * 1024)

static void
strv_free(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Frees what a spec holds. */
void
aa_host_spec_release(struct hspec *sp)
{
	free(sp->name);
	free(sp->type);
	strv_free(sp->argv);
	free(sp->cwd);
	strv_free(sp->env);
	free(sp->initial_prompt);
	free(sp->state_file);
	memset(sp, 0, sizeof(*sp));
}

/* Sets *why (static text) and returns -1. */
static int
bad(const char **why, const char *text)
{
	*why = text;
	return -1;
}

/* Non-zero when s is a string of at most max bytes without control
 * characters other than tab (names, paths, arguments). */
int
aa_host_plain_string(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return 0;
	return 1;
}

/* Copies a JSON array of strings into a NULL-terminated vector. */
static int
strv_from_json(const cJSON *a, size_t max_items, size_t max_len,
    int is_env, char ***out, size_t *n, const char **why)
{
	const cJSON *it;
	size_t i = 0, cnt;
	char **v;

	if (!cJSON_IsArray(a))
		return bad(why, is_env ? "env must be an array of strings" :
		    "argv must be an array of strings");
	cnt = (size_t)cJSON_GetArraySize(a);
	if (cnt > max_items)
		return bad(why, is_env ? "env has more than 256 entries" :
		    "argv has more than 256 items");
	if ((v = calloc(cnt + 1, sizeof(*v))) == NULL)
		return bad(why, "out of memory");
	cJSON_ArrayForEach(it, a) {
		const char *s = cJSON_GetStringValue(it);
		const char *eq;

		if (s == NULL || strlen(s) > max_len || (!is_env &&
		    !aa_host_plain_string(s, max_len))) {
			strv_free(v);
			return bad(why, is_env ? "env entries must be strings "
			    "of at most 8 KiB" : "argv items must be strings "
			    "of at most 4 KiB without control characters");
		}
		if (is_env) {
			eq = strchr(s, '=');
			if (eq == NULL || eq == s || (s[0] >= '0' &&
			    s[0] <= '9')) {
				strv_free(v);
				return bad(why, "env entries must be "
				    "NAME=VALUE");
			}
			for (const char *c = s; c < eq; c++)
				if (!(*c == '_' || (*c >= 'A' && *c <= 'Z') ||
				    (*c >= 'a' && *c <= 'z') ||
				    (*c >= '0' && *c <= '9'))) {
					strv_free(v);
					return bad(why, "env entries must be "
					    "NAME=VALUE with NAME of letters, "
					    "digits and _");
				}
		}
		if ((v[i++] = strdup(s)) == NULL) {
			strv_free(v);
			return bad(why, "out of memory");
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* Reads an optional string member; -1 (why) when present but not a
 * string within bounds. */
static int
opt_string(const cJSON *o, const char *key, size_t max, int plain,
    char **out, const char **why, const char *msg)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	const char *s;

	*out = NULL;
	if (it == NULL || cJSON_IsNull(it))
		return 0;
	if ((s = cJSON_GetStringValue(it)) == NULL || strlen(s) > max ||
	    (plain && !aa_host_plain_string(s, max)))
		return bad(why, msg);
	if ((*out = strdup(s)) == NULL)
		return bad(why, "out of memory");
	return 0;
}

/* Reads an optional whole number in [lo, hi]; def when absent. */
static int
opt_uint(const cJSON *o, const char *key, unsigned lo, unsigned hi,
    unsigned def, unsigned *out, const char **why, const char *msg)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	double d;

	*out = def;
	if (it == NULL || cJSON_IsNull(it))
		return 0;
	if (!cJSON_IsNumber(it))
		return bad(why, msg);
	d = it->valuedouble;
	if (d != (double)(long long)d || d < lo || d > hi)
		return bad(why, msg);
	*out = (unsigned)d;
	return 0;
}

/* Checks and copies a session spec from JSON (a request body, or an entry
 * of sessions.json: saved is set, and state_file is then required).
 * Returns 0, or -1 with *why. */
int
aa_host_spec_from_json(const cJSON *o, int saved, struct hspec *sp,
    const char **why)
{
	static const char *const known[] = { "type", "argv", "cwd", "env",
		"term_width", "term_height", "initial_prompt", "state_file",
		"name", "id", "created", "own_state" };
	const cJSON *it;
	struct stat st;

	memset(sp, 0, sizeof(*sp));
	if (!cJSON_IsObject(o))
		return bad(why, "the body must be a JSON object");
	cJSON_ArrayForEach(it, o) {
		size_t k;

		for (k = 0; k < AA__ARRAY_SIZE(known); k++)
			if (strcmp(it->string, known[k]) == 0)
				break;
		if (k == AA__ARRAY_SIZE(known) || (!saved && k >= 9))
			return bad(why, "unknown member (known: type, argv, "
			    "cwd, env, term_width, term_height, "
			    "initial_prompt, state_file, name)");
	}
	it = cJSON_GetObjectItemCaseSensitive(o, "argv");
	if (it == NULL)
		return bad(why, "argv is required");
	if (strv_from_json(it, HOST_MAX_ARGV, HOST_MAX_ARG, 0, &sp->argv,
	    &sp->argc, why) != 0)
		goto fail;
	if (sp->argc == 0 || sp->argv[0][0] == '\0') {
		bad(why, "argv must name a program");
		goto fail;
	}
	it = cJSON_GetObjectItemCaseSensitive(o, "env");
	if (it != NULL && !cJSON_IsNull(it) && strv_from_json(it,
	    HOST_MAX_ENV, HOST_MAX_ENV_ENTRY, 1, &sp->env, &sp->nenv,
	    why) != 0)
		goto fail;
	if (opt_string(o, "type", 32, 1, &sp->type, why,
	    "type must be an agent type") != 0)
		goto fail;
	if (sp->type != NULL && aa_agent_find(sp->type) == NULL) {
		bad(why, "unknown agent type");
		goto fail;
	}
	if (opt_string(o, "name", HOST_MAX_NAME, 1, &sp->name, why,
	    "name must be a string of at most 128 bytes") != 0)
		goto fail;
	if (opt_string(o, "cwd", PATH_MAX - 1, 1, &sp->cwd, why,
	    "cwd must be a path") != 0)
		goto fail;
	if (sp->cwd != NULL && (sp->cwd[0] != '/' || stat(sp->cwd, &st) != 0 ||
	    !S_ISDIR(st.st_mode))) {
		bad(why, "cwd must be an absolute path to an existing "
		    "directory");
		goto fail;
	}
	if (opt_string(o, "state_file", PATH_MAX - 64, 1, &sp->state_file,
	    why, "state_file must be a path") != 0)
		goto fail;
	if (sp->state_file != NULL && sp->state_file[0] != '/') {
		bad(why, "state_file must be an absolute path");
		goto fail;
	}
	if (saved && sp->state_file == NULL) {
		bad(why, "state_file missing");
		goto fail;
	}
	if (opt_string(o, "initial_prompt", HOST_MAX_PROMPT, 0,
	    &sp->initial_prompt, why,
	    "initial_prompt must be a string of at most 1 MiB") != 0)
		goto fail;
	if (opt_uint(o, "term_width", 20, 500, 80, &sp->cols, why,
	    "term_width must be a whole number from 20 to 500") != 0 ||
	    opt_uint(o, "term_height", 10, 2000, 1000, &sp->rows, why,
	    "term_height must be a whole number from 10 to 2000") != 0)
		goto fail;
	if (saved) {
		it = cJSON_GetObjectItemCaseSensitive(o, "created");
		if (cJSON_IsNumber(it))
			sp->created_ns = (int64_t)it->valuedouble;
		sp->own_state = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(o, "own_state"));
	}
	return 0;
fail:
	aa_host_spec_release(sp);
	return -1;
}

/* Checks a session spec given as JSON text, as POST /sessions (saved 0)
 * or sessions.json (saved 1) would (hostint.h; the fuzzer's entry). */
int
aa_host_check_spec(const char *json, size_t len, int saved,
    const char **why)
{
	struct hspec sp;
	cJSON *o = cJSON_ParseWithLength(json, len);
	int rc;

	*why = "not JSON";
	if (o == NULL)
		return -1;
	rc = aa_host_spec_from_json(o, saved, &sp, why);
	if (rc == 0)
		aa_host_spec_release(&sp);
	cJSON_Delete(o);
	return rc;
}

/* ---- the agent's command line and environment ---- */

/* The arguments that make a relaunched agent of this type resume its
 * last conversation in its directory, or NULL when it has none. */
const char *const *
aa_host_resume_args(const char *type)
{
	static const char *const claude[] = { "--continue", NULL };
	static const char *const codex[] = { "resume", "--last", NULL };
	static const char *const gemini[] = { "--resume", "latest", NULL };
	static const char *const opencode[] = { "--continue", NULL };
	static const char *const aider[] = { "--restore-chat-history",
		NULL };

	if (type == NULL)
		return NULL;
	if (strcmp(type, "claude") == 0)
		return claude;
	if (strcmp(type, "codex") == 0)
		return codex;
	if (strcmp(type, "gemini") == 0)
		return gemini;
	if (strcmp(type, "opencode") == 0)
		return opencode;
	if (strcmp(type, "aider") == 0)
		return aider;
	return NULL;
}

/* argv with extra inserted after argv[0]; a new vector of borrowed
 * pointers (free only the vector). */
const char **
aa_host_argv_with(const struct hspec *sp, const char *const *extra)
{
	size_t n = 0, k = 0;
	const char **v;

	while (extra != NULL && extra[n] != NULL)
		n++;
	if ((v = calloc(sp->argc + n + 1, sizeof(*v))) == NULL)
		return NULL;
	v[k++] = sp->argv[0];
	for (size_t i = 0; i < n; i++)
		v[k++] = extra[i];
	for (size_t i = 1; i < sp->argc; i++)
		v[k++] = sp->argv[i];
	return v;
}

/* The host's environment with the spec's entries over it. */
char **
aa_host_env_merge(const struct hspec *sp)
{
	extern char **environ;
	size_t n = 0, k = 0;
	char **v;

	while (environ[n] != NULL)
		n++;
	if ((v = calloc(n + sp->nenv + 1, sizeof(*v))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t nl = eq != NULL ? (size_t)(eq - environ[i]) :
		    strlen(environ[i]);
		int over = 0;

		for (size_t j = 0; j < sp->nenv && !over; j++)
			over = strncmp(sp->env[j], environ[i], nl) == 0 &&
			    sp->env[j][nl] == '=';
		if (!over)
			v[k++] = environ[i];
	}
	for (size_t j = 0; j < sp->nenv; j++)
		v[k++] = sp->env[j];
	return v;
}
