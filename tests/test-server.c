/*
 * test-server.c - aa_server through the public header only: options
 * versions are checked, the owner's session callbacks are forwarded after
 * the server's own, and a stop frees everything so the loop closes.  The
 * HTTP side is covered by the end-to-end tests (tests/web, the examples
 * test); here the agent is the fake agent playing an e2e script.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include <agentapi.h>

#include "loop.h"
#include "test.h"

struct sh {
	uv_loop_t loop;
	struct test_loop w;
	struct aa_server *srv;
	struct aa_server_options o;
	const char *argv[4];
	const char *addrs[1];
	char path[512], script[512];
	int stable, messages, done, logs;
};

/* Counts log lines (the server's logger gets the session's lines too). */
static void
sh_log(void *ud, int level, const char *msg)
{
	struct sh *h = ud;

	(void)level;
	(void)msg;
	h->logs++;
}

/* The owner's session callback: a message changed. */
static void
sh_message(void *ud, const struct aa_message *m, int is_new)
{
	struct sh *h = ud;

	(void)m;
	(void)is_new;
	h->messages++;
}

/* The owner's session callback: the status changed. */
static void
sh_status(void *ud, enum aa_conv_status st)
{
	struct sh *h = ud;

	if (st == AA_CONV_STABLE)
		h->stable++;
}

/* aa_server_stop's completion. */
static void
sh_done(void *ud)
{
	struct sh *h = ud;

	h->done = 1;
	h->srv = NULL;
}

/* True once the flag sh_wait watches is set. */
static int
sh_flag_set(void *ud)
{
	return *(const int *)ud != 0;
}

/* Runs the loop until *flag is set or ms pass; returns whether it is. */
static int
sh_wait(struct sh *h, int *flag, unsigned ms)
{
	return test_loop_until(&h->w, sh_flag_set, flag, ms);
}

/* Sets up the loop and options running the fake agent on 127.0.0.1. */
static void
sh_init(struct sh *h)
{
	const char *b = getenv("AA_BUILD");

	memset(h, 0, sizeof(*h));
	ASSERT_EQ(uv_loop_init(&h->loop), 0);
	test_loop_init(&h->w, &h->loop);
	snprintf(h->path, sizeof(h->path), "%s/tests/fake-agent",
	    b != NULL ? b : "build");
	if (access(h->path, X_OK) != 0)
		test_skip("%s is not built", h->path);
	snprintf(h->script, sizeof(h->script), "%s/e2e/%s",
	    test_conformance_dir(), "state_persistence.json");
	h->argv[0] = h->path;
	h->argv[1] = h->script;
	h->addrs[0] = "127.0.0.1";
	h->o.session.argv = h->argv;
	h->o.session.stability_ms = 200;
	h->o.session.on_message = sh_message;
	h->o.session.on_status = sh_status;
	h->o.session.ud = h;
	h->o.api.addrs = h->addrs;
	h->o.api.naddrs = 1;
	h->o.log = sh_log;
	h->o.ud = h;
}

/* Closes our timer and checks that nothing is left on the loop. */
static void
sh_done_loop(struct sh *h)
{
	test_loop_close(&h->w);
	uv_run(&h->loop, UV_RUN_DEFAULT);
	ASSERT_EQ(uv_loop_close(&h->loop), 0);
}

TEST(server_rejects_unknown_options_versions)
{
	struct sh h;
	char *cause = NULL;

	sh_init(&h);
	h.o.version = AA_SERVER_OPTIONS_VERSION + 1;
	ASSERT_EQ(aa_server_new(&h.loop, &h.srv, &h.o, &cause), AA_EINVAL);
	ASSERT_NOT_NULL(cause);
	ASSERT_NOT_NULL(strstr(cause, "version"));
	free(cause);
	ASSERT_NULL(h.srv);
	h.o.version = 0;
	h.o.api.version = AA_API_OPTIONS_VERSION + 1;
	ASSERT_EQ(aa_server_new(&h.loop, &h.srv, &h.o, NULL), AA_EINVAL);
	h.o.api.version = 0;
	/* The embedded session options are checked by the session. */
	h.o.session.version = AA_SESSION_OPTIONS_VERSION + 1;
	ASSERT_EQ(aa_server_new(&h.loop, &h.srv, &h.o, &cause), AA_EINVAL);
	ASSERT_NOT_NULL(cause);
	free(cause);
	ASSERT_NULL(h.srv);
	ASSERT_EQ(aa_server_new(&h.loop, &h.srv, NULL, NULL), AA_EINVAL);
	sh_done_loop(&h);
}

TEST(server_forwards_session_callbacks_and_stops)
{
	struct sh h;
	struct aa_session *s;
	char *cause = NULL;
	int rc;

	sh_init(&h);
	rc = aa_server_new(&h.loop, &h.srv, &h.o, &cause);
	if (rc != 0)
		fprintf(stderr, "aa_server_new: %s\n", cause ? cause : "");
	free(cause);
	ASSERT_EQ(rc, 0);
	ASSERT_GT(aa_server_port(h.srv), 0);
	s = aa_server_session(h.srv);
	ASSERT_NOT_NULL(s);
	ASSERT_STR_EQ(aa_session_agent_name(s), "custom");
	/* The greeting settles: the owner hears it next to the API. */
	ASSERT(sh_wait(&h, &h.stable, 5000));
	ASSERT_GT(h.messages, 0);
	ASSERT_EQ(aa_session_status(s), AA_CONV_STABLE);
	ASSERT_STR_EQ(aa_session_status_name(s), "stable");
	ASSERT_GT(h.logs, 0);
	aa_server_stop(h.srv, sh_done, &h);
	aa_server_stop(h.srv, sh_done, &h); /* ignored */
	ASSERT(sh_wait(&h, &h.done, 8000));
	sh_done_loop(&h);
}
