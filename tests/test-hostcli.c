/*
 * test-hostcli.c - the pure parts of the host's CLI (prog/hostcli.c,
 * prog/hostclient.c): what reaches the terminal cleaned of control
 * characters, ages, ids, error reasons, and the host found on its socket
 * or by URL and token (the commands themselves run end to end in
 * tests/e2e/hostcli.test.mjs).
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "agentapi.h"
#include "base/buf.h"
#include "prog/hostcli.h"
#include "prog/hostclient.h"

/* clean(s, max, nl) as a string (static buffer). */
static const char *
clean(const char *s, size_t max, int nl, size_t *took)
{
	static char out[256];
	struct aa_buf b;

	aa_buf_init(&b);
	*took = aa_hostcli_clean(&b, s, max, nl);
	snprintf(out, sizeof(out), "%s", b.data != NULL ? b.data : "");
	aa_buf_release(&b);
	return out;
}

TEST(hostcli_clean_keeps_escapes_off_the_terminal)
{
	size_t n;

	/* ESC, BEL, CR, DEL become '?': no cursor moves, no title set. */
	ASSERT_STR_EQ(clean("a\x1b[2Jb\x07\r\x7f", 0, 1, &n), "a?[2Jb???");
	ASSERT_EQ(n, 9);
	/* Newlines stay in text, not in a table cell; tabs are spaces. */
	ASSERT_STR_EQ(clean("one\ntwo\tx", 0, 1, &n), "one\ntwo\tx");
	ASSERT_STR_EQ(clean("one\ntwo\tx", 0, 0, &n), "one?two x");
	/* Cut at max, never inside a UTF-8 sequence (é is 2 bytes). */
	ASSERT_STR_EQ(clean("abcdef", 3, 0, &n), "abc");
	ASSERT_EQ(n, 3);
	ASSERT_STR_EQ(clean("ab\xc3\xa9z", 3, 0, &n), "ab");
	ASSERT_EQ(n, 2);
	ASSERT_STR_EQ(clean("ab\xc3\xa9z", 4, 0, &n), "ab\xc3\xa9");
	ASSERT_STR_EQ(clean("", 0, 0, &n), "");
	ASSERT_EQ(n, 0);
}

TEST(hostcli_age)
{
	char b[16];

	aa_hostcli_age(b, sizeof(b), -5);
	ASSERT_STR_EQ(b, "0s");
	aa_hostcli_age(b, sizeof(b), 59);
	ASSERT_STR_EQ(b, "59s");
	aa_hostcli_age(b, sizeof(b), 60);
	ASSERT_STR_EQ(b, "1m");
	aa_hostcli_age(b, sizeof(b), 3599);
	ASSERT_STR_EQ(b, "59m");
	aa_hostcli_age(b, sizeof(b), 7200);
	ASSERT_STR_EQ(b, "2h");
	aa_hostcli_age(b, sizeof(b), 86400 * 3 + 5);
	ASSERT_STR_EQ(b, "3d");
}

TEST(hostclient_ids_and_reasons)
{
	char why[128];
	cJSON *o;

	ASSERT(aa_hostclient_is_id("9f2c4b1e0a7d3c55"));
	ASSERT(!aa_hostclient_is_id("9f2c4b1e0a7d3c5"));
	ASSERT(!aa_hostclient_is_id("9F2C4B1E0A7D3C55"));
	ASSERT(!aa_hostclient_is_id("9f2c4b1e0a7d3c55/"));
	ASSERT(!aa_hostclient_is_id("../../../etc/pas"));

	/* The detail, and the first error's message when it says more. */
	o = cJSON_Parse("{\"detail\":\"invalid session\",\"errors\":"
	    "[{\"message\":\"cwd must be a path\"}]}");
	ASSERT_STR_EQ(aa_hostclient_detail(o, "x", why, sizeof(why)),
	    "invalid session: cwd must be a path");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"detail\":\"the agent has exited\",\"errors\":"
	    "[{\"message\":\"failed to send message: the agent has "
	    "exited\"}]}");
	ASSERT_STR_EQ(aa_hostclient_detail(o, "x", why, sizeof(why)),
	    "the agent has exited");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"title\":\"Not Found\"}");
	ASSERT_STR_EQ(aa_hostclient_detail(o, "x", why, sizeof(why)),
	    "Not Found");
	cJSON_Delete(o);
	/* Not JSON, or not ours: the fallback. */
	ASSERT_STR_EQ(aa_hostclient_detail(NULL, "fallback", why,
	    sizeof(why)), "fallback");
	o = cJSON_Parse("{\"detail\":7,\"errors\":\"no\"}");
	ASSERT_STR_EQ(aa_hostclient_detail(o, "fallback", why, sizeof(why)),
	    "fallback");
	cJSON_Delete(o);
}

TEST(hostclient_finds_the_host)
{
	struct aa_hostclient hc;
	char dir[] = "/tmp/aa-hostcli-XXXXXX", path[128], *cause = NULL;
	FILE *f;

	ASSERT_NOT_NULL(mkdtemp(dir));
	/* The socket, given. */
	snprintf(path, sizeof(path), "%s/h.sock", dir);
	ASSERT_EQ(aa_hostclient_open(&hc, path, NULL, NULL, &cause), 0);
	ASSERT_STR_EQ(hc.t.unix_path, path);
	ASSERT_STR_EQ(hc.where, path);
	ASSERT_STR_EQ(hc.token, "");
	/* A URL with the token given. */
	ASSERT_EQ(aa_hostclient_open(&hc, path, "http://127.0.0.1:9",
	    "t0k", &cause), 0);
	ASSERT_STR_EQ(hc.t.unix_path, "");
	ASSERT_STR_EQ(hc.t.host, "127.0.0.1");
	ASSERT_STR_EQ(hc.t.port, "9");
	ASSERT_STR_EQ(hc.token, "t0k");
	/* A URL without one: host.token beside the socket, or an error. */
	ASSERT_EQ(aa_hostclient_open(&hc, path, "127.0.0.1:9", NULL,
	    &cause), AA_EINVAL);
	ASSERT_NOT_NULL(strstr(cause, "--auth-token"));
	free(cause);
	cause = NULL;
	snprintf(path, sizeof(path), "%s/host.token", dir);
	ASSERT_NOT_NULL(f = fopen(path, "w"));
	fputs("abc123\n", f);
	fclose(f);
	chmod(path, 0600);
	snprintf(path, sizeof(path), "%s/h.sock", dir);
	ASSERT_EQ(aa_hostclient_open(&hc, path, "127.0.0.1:9", "", &cause),
	    0);
	ASSERT_STR_EQ(hc.token, "abc123");
	/* A token file with a space in it is no token. */
	snprintf(path, sizeof(path), "%s/host.token", dir);
	ASSERT_NOT_NULL(f = fopen(path, "w"));
	fputs("abc 123", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/h.sock", dir);
	ASSERT_EQ(aa_hostclient_open(&hc, path, "127.0.0.1:9", NULL,
	    &cause), AA_EINVAL);
	free(cause);
	cause = NULL;
	/* A socket path too long for sun_path. */
	memset(path, 'a', 120);
	path[0] = '/';
	path[120] = '\0';
	ASSERT_EQ(aa_hostclient_open(&hc, path, NULL, NULL, &cause),
	    AA_EINVAL);
	free(cause);
	cause = NULL;
	/* Nothing listens: the call says so, without hanging. */
	snprintf(path, sizeof(path), "%s/h.sock", dir);
	ASSERT_EQ(aa_hostclient_open(&hc, path, NULL, NULL, &cause), 0);
	{
		cJSON *o = NULL;
		int status = -1;

		ASSERT_EQ(aa_hostclient_call(&hc, "GET", "/sessions", NULL,
		    &status, &o, &cause), AA_EIO);
		ASSERT_NOT_NULL(strstr(cause, "no host running at"));
		ASSERT_NULL(o);
		free(cause);
	}
	snprintf(path, sizeof(path), "%s/host.token", dir);
	unlink(path);
	rmdir(dir);
}
