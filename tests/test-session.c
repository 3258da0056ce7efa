/*
 * test-session.c - aa_session end to end: a real loop, a real PTY, the
 * fake agent playing upstream's e2e scripts (core.md §6), and the demo
 * agent.  Every wait is event-driven with a deadline; stability is short
 * (200-400 ms) so the suite stays fast.  Each case ends by stopping the
 * session and asserting uv_loop_close() == 0.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uv.h>

#include "core/agent.h"
#include "loop.h"
#include "runtime/pty.h"
#include "runtime/session.h"
#include "test.h"
#include "base/text.h"

struct h {
	uv_loop_t loop;
	struct test_loop w;
	int (*pred)(struct h *); /* what h_wait waits for */
	struct aa_session *s;
	struct aa_session_options o;
	const char *argv[8];
	char path[512], script[512];
	int nerrors, error_level;
	char error[512];
	int exited, wait_status;
	int sends_done, send_err, status_in_cb;
	int stopped;
	int messages_new;
	int stop_on_exit, stop_on_stable;
};

typedef int (*h_pred)(struct h *);

static void h_stopped(void *);

/* Prints the session's log lines when AA_TEST_LOG is set. */
static void
h_log(void *ud, int level, const char *msg)
{
	(void)ud;
	if (getenv("AA_TEST_LOG") != NULL)
		fprintf(stderr, "[%d] %s\n", level, msg);
}

/* Counts appended messages. */
static void
h_on_message(void *ud, const struct aa_message *m, int is_new)
{
	struct h *h = ud;

	(void)m;
	if (is_new)
		h->messages_new++;
}

/* Records agent_error events. */
static void
h_on_error(void *ud, int level, const char *text)
{
	struct h *h = ud;

	h->nerrors++;
	h->error_level = level;
	snprintf(h->error, sizeof(h->error), "%s", text);
}

/* Records the agent's exit. */
static void
h_on_exit(void *ud, int wait_status)
{
	struct h *h = ud;

	h->exited = 1;
	h->wait_status = wait_status;
	if (h->stop_on_exit)
		aa_session_stop(h->s, h_stopped, h);
}

/* Stops the session from inside its status callback when asked to. */
static void
h_on_status(void *ud, enum aa_conv_status status)
{
	struct h *h = ud;

	if (h->stop_on_stable && status == AA_CONV_STABLE && h->s != NULL)
		aa_session_stop(h->s, h_stopped, h);
}

/* Records a send's completion and the status seen at that moment. */
static void
h_send_done(void *ud, int err)
{
	struct h *h = ud;

	h->sends_done++;
	h->send_err = err;
	h->status_in_cb = aa_session_status(h->s);
}

/* Records the end of a stop. */
static void
h_stopped(void *ud)
{
	struct h *h = ud;

	h->stopped = 1;
	h->s = NULL;
}

/* Calls the predicate h_wait waits for. */
static int
h_pred_call(void *ud)
{
	struct h *h = ud;

	return h->pred(h);
}

/* Runs the loop until pred holds or ms pass; returns pred's last value. */
static int
h_wait(struct h *h, h_pred pred, unsigned ms)
{
	h->pred = pred;
	return test_loop_until(&h->w, h_pred_call, h, ms);
}

/* Predicates for h_wait. */
static int
p_stable(struct h *h)
{
	return aa_session_status(h->s) == AA_CONV_STABLE;
}

static int
p_send_done(struct h *h)
{
	return h->sends_done > 0;
}

static int
p_exited(struct h *h)
{
	return h->exited;
}

static int
p_stopped(struct h *h)
{
	return h->stopped;
}

static int
p_error(struct h *h)
{
	return h->nerrors > 0;
}

static int
p_never(struct h *h)
{
	(void)h;
	return 0;
}

static int
p_three(struct h *h)
{
	return aa_session_message_count(h->s) == 3;
}

static int
p_five_stable(struct h *h)
{
	return aa_session_message_count(h->s) == 5 && p_stable(h);
}

static int
p_three_stable(struct h *h)
{
	return aa_session_message_count(h->s) == 3 && p_stable(h);
}

/* Sets up the loop and default options (stability 200 ms). */
static void
h_init(struct h *h)
{
	memset(h, 0, sizeof(*h));
	ASSERT_EQ(uv_loop_init(&h->loop), 0);
	test_loop_init(&h->w, &h->loop);
	h->o.stability_ms = 200;
	h->o.echo_settle_ms = 300; /* upstream's 1 s in session_basic_send */
	h->o.log = h_log;
	h->o.on_message = h_on_message;
	h->o.on_error = h_on_error;
	h->o.on_exit = h_on_exit;
	h->o.on_status = h_on_status;
	h->o.ud = h;
	h->o.argv = h->argv;
	h->o.agent_type = "custom";
}

/* Points argv at build/tests/<prog> with the e2e script (if any). */
static void
h_agent(struct h *h, const char *prog, const char *script)
{
	const char *b = getenv("AA_BUILD");

	if (b != NULL)
		snprintf(h->path, sizeof(h->path), "%s/tests/%s", b, prog);
	else
		snprintf(h->path, sizeof(h->path), "%s/build/tests/%s",
		    test_top(), prog);
	if (access(h->path, X_OK) != 0)
		test_skip("%s is not built", h->path);
	h->argv[0] = h->path;
	h->argv[1] = NULL;
	if (script != NULL) {
		snprintf(h->script, sizeof(h->script), "%s/e2e/%s",
		    test_conformance_dir(), script);
		h->argv[1] = h->script;
		h->argv[2] = NULL;
	}
}

/* Starts the session with the current options. */
static void
h_start(struct h *h)
{
	char *cause = NULL;
	int r;

	h->exited = 0;
	h->stopped = 0;
	h->nerrors = 0;
	r = aa_session_new(&h->loop, &h->s, &h->o, &cause);
	if (r != 0)
		fprintf(stderr, "aa_session_new: %s\n", cause ? cause : "");
	ASSERT_EQ(r, 0);
	free(cause);
}

/* Stops the session and waits until it is freed. */
static void
h_stop(struct h *h)
{
	if (h->s != NULL)
		aa_session_stop(h->s, h_stopped, h);
	ASSERT(h_wait(h, p_stopped, 8000));
}

/* Stops everything and checks that no handle is left behind. */
static void
h_done(struct h *h)
{
	h_stop(h);
	test_loop_close(&h->w);
	uv_run(&h->loop, UV_RUN_DEFAULT);
	ASSERT_EQ(uv_loop_close(&h->loop), 0);
}

/* Message i's text with Unicode white space trimmed, in a static buffer. */
static const char *
h_msg(struct h *h, size_t i)
{
	static char out[4096];
	const struct aa_message *m;
	size_t a, b;

	ASSERT_LT(i, aa_session_message_count(h->s));
	m = aa_session_message(h->s, i);
	aa_text_trim_space(m->text, m->len, &a, &b);
	snprintf(out, sizeof(out), "%.*s", (int)(b - a), m->text + a);
	return out;
}

/* Sends text and waits for the send to complete successfully. */
static void
h_send(struct h *h, const char *text)
{
	h->sends_done = 0;
	ASSERT_EQ(aa_session_send_user(h->s, text, strlen(text), h_send_done,
	    h), 0);
	ASSERT(h_wait(h, p_send_done, 8000));
	ASSERT_EQ(h->send_err, 0);
}

/* A temporary directory for state files, removed by the caller's rm. */
static void
h_tmpdir(char *dir, size_t n)
{
	snprintf(dir, n, "/tmp/aa-session-XXXXXX");
	ASSERT_NOT_NULL(mkdtemp(dir));
}

TEST(session_greeting_becomes_message_0)
{
	struct h h;

	h_init(&h);
	h_agent(&h, "fake-agent", "state_persistence.json");
	h_start(&h);
	ASSERT_EQ(aa_session_message_count(h.s), 1);
	ASSERT_STR_EQ(aa_session_agent_name(h.s), "custom");
	ASSERT(h_wait(&h, p_stable, 5000));
	ASSERT_EQ(aa_session_message_count(h.s), 1);
	ASSERT_STR_EQ(h_msg(&h, 0), "Hello! I'm ready to help you.");
	ASSERT_STR_EQ(aa_session_status_name(h.s), "stable");
	h_done(&h);
}

TEST(session_basic_send)
{
	struct h h;

	h_init(&h);
	h.o.echo_settle_ms = 0; /* upstream's value */
	h_agent(&h, "fake-agent", "basic.json");
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 5000));
	h_send(&h, "This is a test message.");
	ASSERT(h.status_in_cb != AA_CONV_STABLE);
	ASSERT(h_wait(&h, p_three_stable, 5000));
	ASSERT_STR_EQ(h_msg(&h, 1), "This is a test message.");
	ASSERT_STR_EQ(h_msg(&h, 2), "Echo: This is a test message.");
	ASSERT_EQ(aa_session_message(h.s, 1)->role, AA_ROLE_USER);
	ASSERT_EQ(aa_session_message(h.s, 2)->role, AA_ROLE_AGENT);
	h_done(&h);
}

/* Predicate: the thinking script's late "42" has arrived and settled. */
static int
p_42_stable(struct h *h)
{
	const struct aa_message *m;

	if (aa_session_message_count(h->s) != 3 || !p_stable(h))
		return 0;
	m = aa_session_message(h->s, 2);
	return strstr(m->text, "42") != NULL;
}

TEST(session_thinking_two_line_reply)
{
	const char *q = "What is the answer to life, the universe, and "
			"everything?";
	struct h h;
	const char *m;
	const char *nl;

	h_init(&h);
	h.o.stability_ms = 400; /* longer than a spinner frame (200 ms) */
	h_agent(&h, "fake-agent", "thinking.json");
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 6000));
	h.sends_done = 0;
	ASSERT_EQ(aa_session_send_user(h.s, q, strlen(q), h_send_done, &h), 0);
	ASSERT_STR_EQ(aa_session_status_name(h.s), "running");
	ASSERT(h_wait(&h, p_send_done, 8000));
	ASSERT_EQ(h.send_err, 0);
	ASSERT_STR_EQ(aa_session_status_name(h.s), "running");
	ASSERT(h_wait(&h, p_42_stable, 8000));
	m = h_msg(&h, 2);
	nl = strchr(m, '\n');
	ASSERT_NOT_NULL(nl);
	ASSERT(strchr(nl + 1, '\n') == NULL);
	ASSERT(strncmp(m, "Gosh, I'll need some time to think about that...",
	    (size_t)(nl - m)) == 0);
	ASSERT_STR_EQ(nl + 1, "42");
	h_done(&h);
}

TEST(session_initial_prompt_sent_once)
{
	struct h h;

	h_init(&h);
	h.o.initial_prompt = "  Test initial prompt\n";
	h_agent(&h, "fake-agent", "state_persistence_initial_prompt.json");
	h_start(&h);
	ASSERT(h_wait(&h, p_three_stable, 8000));
	ASSERT_STR_EQ(h_msg(&h, 0), "Hello! I'm ready to help you.");
	ASSERT_STR_EQ(h_msg(&h, 1), "Test initial prompt");
	ASSERT_STR_EQ(h_msg(&h, 2), "Echo: Test initial prompt");
	/* Nothing more may happen: the prompt is not typed twice. */
	ASSERT(!h_wait(&h, p_never, 600));
	ASSERT_EQ(aa_session_message_count(h.s), 3);
	ASSERT(!h.exited);
	h_done(&h);
}

/* Starts a state-file session on dir/state.json with script and prompt. */
static void
h_state_start(struct h *h, const char *dir, const char *script,
    const char *prompt)
{
	static char file[600];

	h_init(h);
	snprintf(file, sizeof(file), "%s/sub/state.json", dir);
	h->o.state_file = file;
	h->o.load_state = 1;
	h->o.save_state = 1;
	h->o.initial_prompt = prompt;
	h_agent(h, "fake-agent", script);
	h_start(h);
}

TEST(session_state_persistence)
{
	char dir[64], file[128];
	char saved[3][256];
	struct h h;
	struct stat st;
	int i;

	h_tmpdir(dir, sizeof(dir));
	h_state_start(&h, dir, "state_persistence.json", NULL);
	ASSERT(h_wait(&h, p_stable, 5000));
	h_send(&h, "First message before state save.");
	ASSERT(h_wait(&h, p_three_stable, 5000));
	for (i = 0; i < 3; i++)
		snprintf(saved[i], sizeof(saved[i]), "%s", h_msg(&h, i));
	ASSERT_STR_EQ(saved[2], "Echo: First message before state save.");
	h_done(&h);
	snprintf(file, sizeof(file), "%s/sub/state.json", dir);
	ASSERT_EQ(stat(file, &st), 0);
	ASSERT_EQ(st.st_mode & 0777, 0600);

	h_state_start(&h, dir, "state_persistence.json", NULL);
	ASSERT(h_wait(&h, p_three, 5000));
	for (i = 0; i < 3; i++)
		ASSERT_STR_EQ(h_msg(&h, i), saved[i]);
	ASSERT(h_wait(&h, p_stable, 5000));
	ASSERT_EQ(aa_session_message_count(h.s), 3);
	h_done(&h);
	unlink(file);
	snprintf(file, sizeof(file), "%s/sub", dir);
	rmdir(file);
	rmdir(dir);
}

TEST(session_state_prompt_not_resent)
{
	char dir[64], file[128];
	struct h h;

	h_tmpdir(dir, sizeof(dir));
	h_state_start(&h, dir, "state_persistence_initial_prompt.json",
	    "Test initial prompt");
	ASSERT(h_wait(&h, p_three_stable, 8000));
	h_done(&h);

	/* Without a prompt: restored, not re-sent. */
	h_state_start(&h, dir, "state_persistence_initial_prompt.json", NULL);
	ASSERT(h_wait(&h, p_three_stable, 5000));
	ASSERT_STR_EQ(h_msg(&h, 1), "Test initial prompt");
	ASSERT(!h_wait(&h, p_never, 500));
	ASSERT_EQ(aa_session_message_count(h.s), 3);
	h_done(&h);

	/* With the same prompt: not re-sent either. */
	h_state_start(&h, dir, "state_persistence_initial_prompt.json",
	    "Test initial prompt");
	ASSERT(h_wait(&h, p_three_stable, 5000));
	ASSERT(!h_wait(&h, p_never, 500));
	ASSERT_EQ(aa_session_message_count(h.s), 3);
	h_done(&h);
	snprintf(file, sizeof(file), "%s/sub/state.json", dir);
	unlink(file);
	snprintf(file, sizeof(file), "%s/sub", dir);
	rmdir(file);
	rmdir(dir);
}

TEST(session_state_different_prompt)
{
	char dir[64], file[128];
	struct h h;

	h_tmpdir(dir, sizeof(dir));
	h_state_start(&h, dir,
	    "state_persistence_different_initial_prompt_phase1.json",
	    "Test initial prompt");
	ASSERT(h_wait(&h, p_three_stable, 8000));
	h_done(&h);

	h_state_start(&h, dir, "state_persistence_different_initial_prompt.json",
	    "Different initial prompt");
	ASSERT(h_wait(&h, p_five_stable, 8000));
	ASSERT_STR_EQ(h_msg(&h, 1), "Test initial prompt");
	ASSERT_STR_EQ(h_msg(&h, 3), "Different initial prompt");
	ASSERT_STR_EQ(h_msg(&h, 4), "Echo: Different initial prompt");
	h_done(&h);
	snprintf(file, sizeof(file), "%s/sub/state.json", dir);
	unlink(file);
	snprintf(file, sizeof(file), "%s/sub", dir);
	rmdir(file);
	rmdir(dir);
}

TEST(session_corrupt_state_left_intact)
{
	static const char junk[] = "{\"version\":1,\"messages\":[ oops";
	char dir[64], sub[96], file[128];
	struct h h;
	size_t n;
	char *data;
	int fd;

	h_tmpdir(dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	ASSERT_EQ(mkdir(sub, 0700), 0);
	snprintf(file, sizeof(file), "%s/state.json", sub);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT(fd >= 0);
	ASSERT_EQ(write(fd, junk, sizeof(junk) - 1), (ssize_t)sizeof(junk) - 1);
	close(fd);

	h_state_start(&h, dir, "basic.json", NULL);
	ASSERT(h_wait(&h, p_error, 5000));
	ASSERT_EQ(h.error_level, AA_CONV_LEVEL_WARNING);
	ASSERT(strncmp(h.error, "Failed to restore previous session: ",
	    36) == 0);
	ASSERT(h_wait(&h, p_stable, 5000));
	h_send(&h, "This is a test message.");
	ASSERT(h_wait(&h, p_three_stable, 5000));
	ASSERT_EQ(aa_session_save_state(h.s), 0);
	h_done(&h);

	data = test_read_file(file, &n);
	ASSERT_NOT_NULL(data);
	ASSERT_MEM_EQ(data, n, junk, sizeof(junk) - 1);
	free(data);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
}

TEST(session_exit_status_and_final_screen)
{
	struct h h;
	const char *screen;

	h_init(&h);
	h.argv[0] = "/bin/sh";
	h.argv[1] = "-c";
	h.argv[2] = "echo 'goodbye from the agent'; exit 3";
	h.argv[3] = NULL;
	h_start(&h);
	ASSERT(h_wait(&h, p_exited, 5000));
	ASSERT(WIFEXITED(h.wait_status));
	ASSERT_EQ(WEXITSTATUS(h.wait_status), 3);
	ASSERT_EQ(aa_session_exit_status(h.s), h.wait_status);
	ASSERT(aa_session_exited(h.s));
	screen = aa_session_screen(h.s, NULL);
	ASSERT_NOT_NULL(strstr(screen, "goodbye from the agent"));
	ASSERT_EQ(aa_session_send_user(h.s, "hi", 2, h_send_done, &h),
	    AA_EEXITED);
	ASSERT_EQ(aa_session_send_raw(h.s, "hi", 2), AA_EEXITED);
	h_done(&h);
}

TEST(session_send_while_busy)
{
	struct h h;

	h_init(&h);
	h.o.stability_ms = 400;
	h_agent(&h, "fake-agent", "thinking.json");
	h_start(&h);
	/* The greeting takes a 1 s "thinking" spinner: not stable yet. */
	ASSERT_EQ(aa_session_send_user(h.s, "hello", 5, h_send_done, &h),
	    AA_EBUSY);
	ASSERT(h_wait(&h, p_stable, 6000));
	h.sends_done = 0;
	ASSERT_EQ(aa_session_send_user(h.s,
	    "What is the answer to life, the universe, and everything?", 57,
	    h_send_done, &h), 0);
	/* A second send while the first one types. */
	ASSERT_EQ(aa_session_send_user(h.s, "again", 5, h_send_done, &h),
	    AA_EBUSY);
	ASSERT(h_wait(&h, p_send_done, 8000));
	ASSERT_EQ(h.send_err, 0);
	ASSERT_EQ(h.sends_done, 1);
	h_done(&h);
}

TEST(session_agent_never_reacts)
{
	struct h h;
	uint64_t t0, dt;

	h_init(&h);
	/* Shows a prompt (ready), then neither reads nor prints anything. */
	h.argv[0] = "/bin/sh";
	h.argv[1] = "-c";
	h.argv[2] = "stty -echo; printf '> '; exec sleep 60";
	h.argv[3] = NULL;
	h.o.echo_timeout_ms = 300;
	h.o.process_timeout_ms = 700;
	h.o.cr_retry_ms = 300;
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 5000));
	h.sends_done = 0;
	t0 = uv_now(&h.loop);
	ASSERT_EQ(aa_session_send_user(h.s, "anyone?", 7, h_send_done, &h),
	    0);
	ASSERT(h_wait(&h, p_send_done, 5000));
	dt = uv_now(&h.loop) - t0;
	ASSERT_EQ(h.send_err, AA_ENOREACT);
	ASSERT_GE(dt, 300 + 700);
	ASSERT_LT(dt, 3000);
	/* What was typed is recorded: the agent has it in its input. */
	ASSERT_GE(aa_session_message_count(h.s), 2);
	ASSERT_EQ(aa_session_message(h.s, 1)->role, AA_ROLE_USER);
	ASSERT_STR_EQ(h_msg(&h, 1), "anyone?");
	ASSERT_NOT_NULL(strstr(aa_session_send_error(AA_ENOREACT),
	    "failed to send message: failed to wait for processing to start"));
	/* The conversation is usable again afterwards, with the agent's
	 * (empty) turn after the message. */
	ASSERT(h_wait(&h, p_stable, 5000));
	ASSERT_EQ(aa_session_message_count(h.s), 3);
	ASSERT_EQ(aa_session_message(h.s, 2)->role, AA_ROLE_AGENT);
	h.sends_done = 0;
	ASSERT_EQ(aa_session_send_user(h.s, "still there?", 12, h_send_done,
	    &h), 0);
	ASSERT(h_wait(&h, p_send_done, 5000));
	ASSERT_EQ(h.send_err, AA_ENOREACT);
	ASSERT_STR_EQ(h_msg(&h, 3), "still there?");
	h_done(&h);
}

TEST(session_empty_message)
{
	struct h h;

	h_init(&h);
	h_agent(&h, "fake-agent", "basic.json");
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 5000));
	ASSERT_EQ(aa_session_send_user(h.s, "", 0, h_send_done, &h),
	    AA_EEMPTY);
	ASSERT_EQ(aa_session_send_user(h.s, " \t\r\n ", 5, h_send_done, &h),
	    AA_EEMPTY);
	ASSERT_EQ(h.sends_done, 0);
	ASSERT_STR_EQ(aa_session_send_error(AA_EEMPTY),
	    "message must not be empty");
	h_done(&h);
}

/* Predicate: the raw bytes reached the screen. */
static int
p_raw_seen(struct h *h)
{
	return strstr(aa_session_screen(h->s, NULL), "raw bytes here") != NULL;
}

TEST(session_raw_send)
{
	struct h h;

	h_init(&h);
	h_agent(&h, "fake-agent", NULL);
	h.argv[1] = "--cat";
	h.argv[2] = NULL;
	h_start(&h);
	ASSERT_EQ(aa_session_send_raw(h.s, "raw bytes here", 14), 0);
	ASSERT(h_wait(&h, p_raw_seen, 5000));
	ASSERT_EQ(aa_session_message_count(h.s), 1);
	h_done(&h);
}

TEST(session_agent_not_reading_input)
{
	static char chunk[256 * 1024];
	struct h h;
	char *big;
	size_t sent = 0, n = 0, k;
	int r;

	h_init(&h);
	/* Shows a prompt (ready), then never reads its terminal. */
	h.argv[0] = "/bin/sh";
	h.argv[1] = "-c";
	h.argv[2] = "stty raw -echo; printf '> '; exec sleep 60";
	h.argv[3] = NULL;
	h.o.echo_timeout_ms = 200;
	h.o.process_timeout_ms = 400;
	h.o.cr_retry_ms = 100;
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 5000));
	memset(chunk, 'x', sizeof(chunk));
	/* The kernel takes a little, the session queues 4 MiB, then says
	 * the agent is not reading, and the queue stays bounded. */
	while ((r = aa_session_send_raw(h.s, chunk, sizeof(chunk))) == 0) {
		sent += sizeof(chunk);
		ASSERT_LT(++n, 64);
	}
	ASSERT_EQ(r, AA_EAGAIN);
	ASSERT_GE(sent, 3u << 20);
	ASSERT_LE(sent, (4u << 20) + (1u << 20));
	/* A user message that still fits is typed into the queue, but the
	 * agent never reads it: "not reading", not recorded. */
	ASSERT_EQ(aa_session_send_user(h.s, "hello?", 6, h_send_done, &h),
	    0);
	ASSERT(h_wait(&h, p_send_done, 5000));
	ASSERT_EQ(h.send_err, AA_EAGAIN);
	ASSERT_EQ(aa_session_message_count(h.s), 1);
	ASSERT(h_wait(&h, p_stable, 5000));
	h.sends_done = 0;
	/* Filled to the last byte, even one more is refused. */
	for (k = sizeof(chunk) / 2; k > 0; k /= 2)
		while (aa_session_send_raw(h.s, chunk, k) == 0)
			sent += k;
	ASSERT_LE(sent, (4u << 20) + (1u << 20));
	ASSERT_EQ(aa_session_send_raw(h.s, chunk, 1), AA_EAGAIN);
	/* Bytes that no queue could hold are another matter. */
	big = calloc(1, AA_PTY_WRITE_QUEUE_MAX + 1);
	ASSERT_NOT_NULL(big);
	ASSERT_EQ(aa_session_send_raw(h.s, big, AA_PTY_WRITE_QUEUE_MAX + 1),
	    AA_E2BIG);
	free(big);
	/* A user message is refused whole, at once: nothing typed, nothing
	 * recorded, no callback. */
	ASSERT_EQ(aa_session_send_user(h.s, "hello?", 6, h_send_done, &h),
	    AA_EAGAIN);
	ASSERT_STR_EQ(aa_session_send_error(AA_EAGAIN),
	    "the agent is not reading its input");
	ASSERT(!h_wait(&h, p_send_done, 300));
	ASSERT_EQ(aa_session_message_count(h.s), 1);
	ASSERT(p_stable(&h));
	h_done(&h);
}

/* Predicate: the demo's answer (with its code block) has settled. */
static int
p_demo_answer(struct h *h)
{
	const struct aa_message *m;

	if (aa_session_message_count(h->s) != 3 || !p_stable(h))
		return 0;
	m = aa_session_message(h->s, 2);
	return strstr(m->text, "```c") != NULL;
}

TEST(session_demo_agent_answers)
{
	struct h h;
	const char *m;

	h_init(&h);
	h_agent(&h, "demo-agent", NULL);
	h.argv[1] = "--think-ms";
	h.argv[2] = "300";
	h.argv[3] = NULL;
	h.o.stability_ms = 300;
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 5000));
	ASSERT_NOT_NULL(strstr(h_msg(&h, 0), "demo agent"));
	h_send(&h, "show me some code");
	ASSERT(h_wait(&h, p_demo_answer, 5000));
	ASSERT_STR_EQ(h_msg(&h, 1), "show me some code");
	m = h_msg(&h, 2);
	ASSERT_NOT_NULL(strstr(m, "You asked: \"show me some code\""));
	ASSERT_NOT_NULL(strstr(m, "- run the tests"));
	ASSERT_NOT_NULL(strstr(m, "hello, world"));
	h_done(&h);
}

TEST(session_idle_agent_costs_no_wakeups)
{
	struct h h;
	unsigned n;

	h_init(&h);
	h_agent(&h, "fake-agent", "state_persistence.json");
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 5000));
	/* A 25 ms poll would wake the loop about 20 times here. */
	n = test_loop_for(&h.w, 500);
	ASSERT_LE(n, 2);
	ASSERT(p_stable(&h));
	h_done(&h);
}

TEST(session_stop_cancels_send)
{
	struct h h;

	h_init(&h);
	h_agent(&h, "fake-agent", "basic.json");
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 5000));
	h.sends_done = 0;
	ASSERT_EQ(aa_session_send_user(h.s, "This is a test message.", 23,
	    h_send_done, &h), 0);
	aa_session_stop(h.s, h_stopped, &h);
	/* No new send once a stop was asked for. */
	ASSERT_EQ(aa_session_send_user(h.s, "again", 5, h_send_done, &h),
	    AA_EEXITED);
	ASSERT_EQ(h.sends_done, 0);
	ASSERT(h_wait(&h, p_stopped, 8000));
	ASSERT_EQ(h.sends_done, 1);
	ASSERT_EQ(h.send_err, AA_ECANCELED);
	h_done(&h);
}

static char h_watch_file[256];

/* Predicate: the watched state file exists. */
static int
p_file_exists(struct h *h)
{
	(void)h;
	return access(h_watch_file, F_OK) == 0;
}

TEST(session_state_saved_soon_after_change)
{
	char dir[64], sub[96];
	struct h h;

	h_tmpdir(dir, sizeof(dir));
	h_state_start(&h, dir, "state_persistence.json", NULL);
	snprintf(h_watch_file, sizeof(h_watch_file), "%s/sub/state.json",
	    dir);
	/* Saved while running, well before any stop. */
	ASSERT(h_wait(&h, p_file_exists, 5000));
	ASSERT(!h.stopped);
	h_done(&h);
	unlink(h_watch_file);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	rmdir(sub);
	rmdir(dir);
}

/* Predicate: the fake agent reported the new window size. */
static int
p_resized(struct h *h)
{
	return strstr(aa_session_screen(h->s, NULL), "size 40 100") != NULL;
}

TEST(session_resize)
{
	struct h h;

	h_init(&h);
	h_agent(&h, "fake-agent", NULL);
	h.argv[1] = "--winsize";
	h.argv[2] = NULL;
	h_start(&h);
	ASSERT_EQ(aa_session_resize(h.s, 5, 5), AA_EINVAL);
	ASSERT_EQ(aa_session_resize(h.s, 100, 40), 0);
	ASSERT(h_wait(&h, p_resized, 5000));
	h_done(&h);
}

TEST(session_interrupt)
{
	struct h h;

	h_init(&h);
	h_agent(&h, "fake-agent", "basic.json");
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 5000));
	ASSERT_EQ(aa_session_interrupt(h.s), 0);
	ASSERT(h_wait(&h, p_exited, 5000));
	ASSERT(WIFEXITED(h.wait_status));
	ASSERT_EQ(WEXITSTATUS(h.wait_status), 0);
	ASSERT_NOT_NULL(strstr(aa_session_screen(h.s, NULL), "Exiting..."));
	h_done(&h);
}

/* Predicate: the reads-as-hex agent showed two separate Esc reads. */
static int
p_two_esc_reads(struct h *h)
{
	const char *scr = aa_session_screen(h->s, NULL), *a;
	int n = 0;

	for (a = scr; a != NULL && (a = strstr(a, "R 1b")) != NULL; a += 4)
		if (a[4] == '\n' || a[4] == '\0')
			n++;
	return n == 2;
}

/* Predicate: the reads-as-hex agent is up. */
static int
p_hex_agent_up(struct h *h)
{
	const char *scr = aa_session_screen(h->s, NULL);

	return scr != NULL && strchr(scr, '>') != NULL;
}

/* opencode's interrupt is "esc esc": two writes a step apart, which the
 * agent reads as two events (one read each), not one burst. */
TEST(session_interrupt_steps_are_separate_reads)
{
	struct h h;

	h_init(&h);
	h.argv[0] = "/bin/sh";
	h.argv[1] = "-c";
	/* Each read(2) of the raw terminal becomes one line "R <hex>". */
	/* (Four lines down: opencode's screen skips its top three rows.) */
	h.argv[2] = "stty raw -echo; printf '\\r\\n\\r\\n\\r\\n\\r\\n> \\r\\n'; "
	    "while :; do "
	    "x=$(dd bs=64 count=1 2>/dev/null | od -An -tx1 | tr -d ' \\n'); "
	    "printf 'R %s\\r\\n' \"$x\"; done";
	h.argv[3] = NULL;
	h.o.agent_type = "opencode";
	h_start(&h);
	ASSERT(h_wait(&h, p_hex_agent_up, 5000));
	ASSERT_EQ(aa_session_interrupt(h.s), 0);
	ASSERT(h_wait(&h, p_two_esc_reads, 5000));
	ASSERT_NULL(strstr(aa_session_screen(h.s, NULL), "R 1b1b"));
	h_done(&h);
}

TEST(session_stop_escalates_to_sigkill)
{
	struct h h;
	uint64_t t0, dt;

	h_init(&h);
	h.argv[0] = "/bin/sh";
	h.argv[1] = "-c";
	h.argv[2] = "trap '' INT; printf '> '; while :; do sleep 1; done";
	h.argv[3] = NULL;
	h.o.stop_timeout_ms = 300;
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 5000));
	t0 = uv_now(&h.loop);
	aa_session_stop(h.s, h_stopped, &h);
	ASSERT(h_wait(&h, p_stopped, 5000));
	dt = uv_now(&h.loop) - t0;
	ASSERT_GE(dt, 300);
	ASSERT_LT(dt, 2500);
	h_done(&h);
}

/* Predicate: the half-drawn frame reached the screen. */
static int
p_partial_seen(struct h *h)
{
	/* Messages come from ticks only, not from aa_session_screen. */
	return strstr(aa_session_message(h->s, 0)->text, "partial frame") !=
	    NULL && p_stable(h);
}

TEST(session_unfinished_sync_frame_is_read_anyway)
{
	struct h h;

	h_init(&h);
	/* Opens a synchronized-output frame and never closes it. */
	h.argv[0] = "/bin/sh";
	h.argv[1] = "-c";
	h.argv[2] = "printf '\\033[?2026hpartial frame\\n> '; exec sleep 60";
	h.argv[3] = NULL;
	h_start(&h);
	ASSERT(h_wait(&h, p_partial_seen, 5000));
	h_done(&h);
}

TEST(session_stop_from_callbacks)
{
	struct h h;

	/* From on_exit, as a server does when its agent quits. */
	h_init(&h);
	h.argv[0] = "/bin/sh";
	h.argv[1] = "-c";
	h.argv[2] = "echo bye; exit 0";
	h.argv[3] = NULL;
	h.stop_on_exit = 1;
	h_start(&h);
	ASSERT(h_wait(&h, p_stopped, 5000));
	h_done(&h);

	/* From on_status, inside the conversation's tick. */
	h_init(&h);
	h_agent(&h, "fake-agent", "basic.json");
	h.stop_on_stable = 1;
	h_start(&h);
	ASSERT(h_wait(&h, p_stopped, 5000));
	h_done(&h);
}

/* Predicate: a reply has settled after the fourth message (3 or 5). */
static int
p_demo_count(struct h *h, size_t n)
{
	return aa_session_message_count(h->s) == n && p_stable(h) &&
	    aa_session_message(h->s, n - 1)->len > 0;
}

static int
p_demo_three(struct h *h)
{
	return p_demo_count(h, 3);
}

static int
p_demo_five(struct h *h)
{
	return p_demo_count(h, 5);
}

TEST(session_demo_permission_question)
{
	struct h h;

	h_init(&h);
	h_agent(&h, "demo-agent", NULL);
	h.argv[1] = "--think-ms";
	h.argv[2] = "200";
	h.argv[3] = NULL;
	h.o.stability_ms = 300;
	h_start(&h);
	ASSERT(h_wait(&h, p_stable, 5000));
	h_send(&h, "please ask me for permission");
	ASSERT(h_wait(&h, p_demo_three, 5000));
	ASSERT_NOT_NULL(strstr(h_msg(&h, 2), "Do you want to allow this? (y/n)"));
	h_send(&h, "y");
	ASSERT(h_wait(&h, p_demo_five, 5000));
	ASSERT_NOT_NULL(strstr(h_msg(&h, 4), "Thanks!"));
	h_done(&h);
}

TEST(session_rejects_unknown_agent_type)
{
	struct h h;
	char *cause = NULL;

	h_init(&h);
	h_agent(&h, "fake-agent", NULL);
	h.o.agent_type = "no-such-agent";
	ASSERT_EQ(aa_session_new(&h.loop, &h.s, &h.o, &cause), AA_EINVAL);
	ASSERT_NOT_NULL(cause);
	ASSERT_STR_EQ(cause, "unknown agent type \"no-such-agent\"");
	free(cause);
	ASSERT_NULL(h.s);
	h.stopped = 1; /* nothing was started */
	h_done(&h);
}

TEST(session_rejects_unknown_options_version)
{
	struct h h;
	char *cause = NULL;

	h_init(&h);
	h_agent(&h, "fake-agent", NULL);
	/* A program built against a newer header (agentapi.h, ABI). */
	h.o.version = AA_SESSION_OPTIONS_VERSION + 1;
	ASSERT_EQ(aa_session_new(&h.loop, &h.s, &h.o, &cause), AA_EINVAL);
	ASSERT_NOT_NULL(cause);
	ASSERT_NOT_NULL(strstr(cause, "version 1"));
	free(cause);
	ASSERT_EQ(aa_session_new(&h.loop, &h.s, &h.o, NULL), AA_EINVAL);
	ASSERT_NULL(h.s);
	h.stopped = 1; /* nothing was started */
	h_done(&h);
}

TEST(session_agent_type_alias_and_default)
{
	struct h h;

	h_init(&h);
	h_agent(&h, "fake-agent", "state_persistence.json");
	/* An alias resolves to the canonical type name. */
	h.o.agent_type = "claude";
	h_start(&h);
	ASSERT_STR_EQ(aa_session_agent_name(h.s), "claude");
	h_stop(&h);
	/* NULL: from argv[0], which names no agent here, so "custom". */
	h.o.agent_type = NULL;
	h_start(&h);
	ASSERT_STR_EQ(aa_session_agent_name(h.s), "custom");
	h_done(&h);
}

/*
 * A Claude-like screen whose tool-call "●" blinks every 60 ms, above a
 * slim input box; the stability window is 200 ms.
 */
#define BLINK_SCRIPT \
	"printf '\\342\\227\\217 Printing a marker\\n\\n'; " \
	"printf '\\342\\224\\200%.0s' $(seq 20); printf '\\n'; " \
	"printf '\\342\\235\\257 \\n'; " \
	"printf '\\342\\224\\200%.0s' $(seq 20); printf '\\n'; " \
	"while :; do printf '\\033[1;1H  '; sleep 0.06; " \
	"printf '\\033[1;1H\\342\\227\\217'; sleep 0.06; done"

/* Starts the blinking screen as the given agent type. */
static void
h_blinker(struct h *h, const char *type)
{
	h_init(h);
	h->o.agent_type = type;
	h->argv[0] = "/bin/sh";
	h->argv[1] = "-c";
	h->argv[2] = BLINK_SCRIPT;
	h->argv[3] = NULL;
	h_start(h);
}

TEST(session_blinking_marker_held_for_claude)
{
	struct h h;

	h_blinker(&h, "claude");
	ASSERT(h_wait(&h, p_stable, 5000));
	ASSERT_STR_EQ(h_msg(&h, 0), "\xe2\x97\x8f Printing a marker");
	ASSERT_NOT_NULL(strstr(aa_session_screen(h.s, NULL),
	    "\xe2\x97\x8f Printing a marker"));
	h_done(&h);
}

TEST(session_blinking_marker_never_stable_without_hold)
{
	struct h h;

	/* The same screen for an agent with no blink glyph: never stable.
	 * The blink (a shell loop forking sleep) stalls on a loaded machine;
	 * a stability window of a second keeps a stall from passing for
	 * quiet while still being ~16 blink periods long. */
	h_init(&h);
	h.o.agent_type = "custom";
	h.o.stability_ms = 1000;
	h.argv[0] = "/bin/sh";
	h.argv[1] = "-c";
	h.argv[2] = BLINK_SCRIPT;
	h.argv[3] = NULL;
	h_start(&h);
	ASSERT(!h_wait(&h, p_stable, 3000));
	h_done(&h);
}
