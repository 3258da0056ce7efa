/*
 * demo.c - the built-in demo agent (`agentapi-c demo`).
 *
 * The demo is a stand-alone program living in the library so that the
 * single agentapi-c binary can run it under its own PTY (`make run`).  It
 * behaves like the upstream e2e echo agent (core.md §6.1), which the
 * conversation engine is known to handle: every change repaints the whole
 * screen (ESC[2J ESC[H), the conversation so far is printed top-down, and
 * the last row is a "> " prompt, which makes generic readiness true.
 *
 * Input arrives through the kernel's canonical line discipline as
 * `x BS ESC[200~ text ESC[201~ CR`; read_line() collects one line and
 * clean_input() undoes the typing protocol.  Everything is bounded: lines
 * are cut at DEMO_LINE_MAX bytes and only the last DEMO_KEEP turns are
 * kept on screen.  SIGINT (Ctrl-C) while a reply is being thought or
 * streamed stops that reply, keeping what was shown of it (the demo's
 * interrupt key, as Ctrl-C is Claude Code's); at the prompt, SIGINT,
 * SIGTERM and end of input end the program with status 0.  A message
 * with the word "slow" gets its reply streamed word by word.  A resize
 * (SIGWINCH) at the prompt repaints the screen, as full-screen TUIs do.  The demo writes to its own stdout only, never exits from a
 * helper, and keeps its state in a struct on main's stack.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/aa-internal.h"
#include "prog/demo.h"

#define DEMO_LINE_MAX 8192
#define DEMO_KEEP 24
#define DEMO_TEXT_MAX 4096

struct demo_turn {
	int user;
	char text[DEMO_TEXT_MAX];
};

struct demo {
	struct demo_turn turns[DEMO_KEEP];
	size_t nturns;
	int think_ms;
	int word_ms;		/* between streamed words */
	int asked_permission;
	char line[DEMO_LINE_MAX];
	size_t linelen;
	char in[1024];
	size_t inpos, inlen;
};

static volatile sig_atomic_t demo_interrupted;
static volatile sig_atomic_t demo_terminated;
static volatile sig_atomic_t demo_resized;

static void demo_on_sigint(int);
static void demo_on_sigterm(int);
static void demo_on_sigwinch(int);
static void demo_write(const char *, size_t);
static void demo_puts(const char *);
static void demo_redraw(const struct demo *, int);
static void demo_add(struct demo *, int, const char *);
static int demo_think(const struct demo *);
static int demo_read_line(struct demo *);
static int demo_stream(struct demo *, const char *);
static void demo_clean_input(char *);
static int demo_has_word(const char *, const char *);
static void demo_answer(struct demo *, const char *);

/* SIGTERM always ends the demo, even in the middle of a reply. */
static void
demo_on_sigterm(int sig)
{
	(void)sig;
	demo_terminated = 1;
	demo_interrupted = 1;
}

/* Records that Ctrl-C arrived; the main loop notices it after read(). */
static void
demo_on_sigint(int sig)
{
	(void)sig;
	demo_interrupted = 1;
}

/* Records a resize; the prompt repaints, as full-screen TUIs do (a
 * terminal that shrinks may have dropped the rows we drew). */
static void
demo_on_sigwinch(int sig)
{
	(void)sig;
	demo_resized = 1;
}

/* Writes all of buf to stdout, retrying short writes and EINTR. */
static void
demo_write(const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(STDOUT_FILENO, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

/* Writes a C string to stdout. */
static void
demo_puts(const char *s)
{
	demo_write(s, strlen(s));
}

/* Repaints the screen: banner, the kept turns, then the prompt line. */
static void
demo_redraw(const struct demo *d, int thinking)
{
	size_t i;

	demo_puts("\033[2J\033[H");
	demo_puts("agentapi-c demo agent - a pretend coding assistant.\n");
	demo_puts("Try: \"show me some code\", \"make a plan\", or "
		  "\"ask for permission\".\n");
	demo_puts("Ctrl-C quits. (While I reply, it stops the reply.)\n\n");
	for (i = 0; i < d->nturns; i++) {
		if (d->turns[i].user)
			demo_puts("> ");
		demo_puts(d->turns[i].text);
		demo_puts("\n");
	}
	demo_puts(thinking ? "Thinking... " : "> ");
}

/* Appends a turn, dropping the oldest one when the screen list is full. */
static void
demo_add(struct demo *d, int user, const char *text)
{
	struct demo_turn *t;
	size_t n;

	if (d->nturns == DEMO_KEEP) {
		memmove(&d->turns[0], &d->turns[1],
		    (DEMO_KEEP - 1) * sizeof(d->turns[0]));
		d->nturns--;
	}
	t = &d->turns[d->nturns++];
	t->user = user;
	n = strnlen(text, sizeof(t->text) - 1);
	while (n > 0 && text[n] != '\0' && (text[n] & 0xc0) == 0x80)
		n--;	/* do not cut a UTF-8 character in two */
	memcpy(t->text, text, n);
	t->text[n] = '\0';
}

/* Shows a spinner for think_ms; returns -1 if Ctrl-C cut it short. */
static int
demo_think(const struct demo *d)
{
	static const char spin[] = "|/-\\";
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	char frame[32];
	int elapsed, i = 0;

	demo_redraw(d, 1);
	for (elapsed = 0; elapsed < d->think_ms; elapsed += 100) {
		snprintf(frame, sizeof(frame), "\rThinking %c ", spin[i++ % 4]);
		demo_puts(frame);
		nanosleep(&ts, NULL);
		if (demo_interrupted)
			return -1;
	}
	demo_puts("\r                    \r");
	return 0;
}

/*
 * Reads one line into d->line (without its newline); returns 1 for a
 * line, 0 at end of input and -1 on Ctrl-C or a read error.  Bytes past
 * DEMO_LINE_MAX are dropped up to the newline.
 */
static int
demo_read_line(struct demo *d)
{
	ssize_t n;
	char c;

	d->linelen = 0;
	for (;;) {
		if (d->inpos == d->inlen) {
			n = read(STDIN_FILENO, d->in, sizeof(d->in));
			if (demo_interrupted)
				return -1;
			if (n < 0 && errno == EINTR) {
				if (demo_resized && d->linelen == 0) {
					demo_resized = 0;
					demo_redraw(d, 0);
				}
				continue;
			}
			if (n < 0)
				return -1;
			if (n == 0)
				return d->linelen > 0 ? 1 : 0;
			d->inpos = 0;
			d->inlen = (size_t)n;
		}
		c = d->in[d->inpos++];
		if (c == '\n')
			break;
		if (d->linelen < sizeof(d->line) - 1)
			d->line[d->linelen++] = c;
	}
	if (d->linelen > 0 && d->line[d->linelen - 1] == '\r')
		d->linelen--;
	d->line[d->linelen] = '\0';
	return 1;
}

/*
 * Undoes the typing protocol in place (core.md §6.1): CSI sequences such
 * as the paste markers go, a backspace erases the character before it,
 * stray ESC/DEL/BS go, and white space is trimmed at both ends.
 */
static void
demo_clean_input(char *s)
{
	char *r = s, *w = s, *start;

	while (*r != '\0') {
		if (*r == '\033' && r[1] == '[') {
			r += 2;
			while (*r != '\0' && !(*r >= 0x40 && *r <= 0x7e))
				r++;
			if (*r != '\0')
				r++;
			continue;
		}
		if (*r == '\b') {
			/* Erase one whole UTF-8 character. */
			while (w > s && (w[-1] & 0xc0) == 0x80)
				w--;
			if (w > s)
				w--;
			r++;
			continue;
		}
		if (*r == '\033' || *r == 0x7f) {
			r++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	start = s;
	while (*start != '\0' && isspace((unsigned char)*start))
		start++;
	while (w > start && isspace((unsigned char)w[-1]))
		w--;
	*w = '\0';
	memmove(s, start, (size_t)(w - start) + 1);
}

/* Returns non-zero when word occurs in s, ignoring case. */
static int
demo_has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, word, n) == 0)
			return 1;
	return 0;
}

/*
 * Shows text as a new agent turn one word every word_ms (150), as an agent
 * streams its reply; returns -1 if Ctrl-C stopped it, keeping the words
 * shown so far and marking the turn "[interrupted]".
 */
static int
demo_stream(struct demo *d, const char *text)
{
	struct timespec ts = { d->word_ms / 1000,
		(long)(d->word_ms % 1000) * 1000 * 1000 };
	struct demo_turn *t;
	size_t n = 0, len = strlen(text);

	demo_add(d, 0, "");
	t = &d->turns[d->nturns - 1];
	while (n < len) {
		while (n < len && text[n] == ' ')
			n++;
		while (n < len && text[n] != ' ')
			n++;
		if (n >= sizeof(t->text))
			break;
		memcpy(t->text, text, n);
		t->text[n] = '\0';
		demo_redraw(d, 0);
		if (n < len)
			nanosleep(&ts, NULL);
		if (demo_interrupted) {
			snprintf(t->text + n, sizeof(t->text) - n,
			    "\n[interrupted]");
			return -1;
		}
	}
	return 0;
}

/* Composes the reply to one user line and appends it as an agent turn. */
static void
demo_answer(struct demo *d, const char *q)
{
	char out[DEMO_TEXT_MAX];
	int n = 0;

#define DEMO_ADD(...)                                                         \
	do {                                                                  \
		if (n < (int)sizeof(out))                                     \
			n += snprintf(out + n, sizeof(out) - (size_t)n,       \
			    __VA_ARGS__);                                     \
	} while (0)

	if (d->asked_permission) {
		d->asked_permission = 0;
		if (q[0] == 'y' || q[0] == 'Y')
			DEMO_ADD("Thanks! I ran `make clean` (pretend). "
				 "The build folder is gone.");
		else
			DEMO_ADD("OK, I will not run it.");
		demo_add(d, 0, out);
		return;
	}
	DEMO_ADD("You asked: \"%.200s\"\n\n", q);
	if (demo_has_word(q, "permission")) {
		DEMO_ADD("I would like to run `make clean` in your project.\n");
		DEMO_ADD("Do you want to allow this? (y/n)");
		d->asked_permission = 1;
		demo_add(d, 0, out);
		return;
	}
	if (demo_has_word(q, "slow")) {
		int i;

		DEMO_ADD("Here is a slow answer, one step at a time:");
		for (i = 1; i <= 30; i++)
			DEMO_ADD(" step %d%s", i, i < 30 ? "," : ".");
		(void)demo_stream(d, out);
		return;
	}
	DEMO_ADD("Here is what I would do:\n");
	DEMO_ADD("- read the files involved\n");
	DEMO_ADD("- make the smallest change that works\n");
	DEMO_ADD("- run the tests");
	if (demo_has_word(q, "code")) {
		DEMO_ADD("\n\nFor example:\n\n```c\n");
		DEMO_ADD("#include <stdio.h>\n\nint\nmain(void)\n{\n");
		DEMO_ADD("    puts(\"hello, world\");\n    return 0;\n}\n```");
	}
	demo_add(d, 0, out);
#undef DEMO_ADD
}

/* Entry point of `agentapi-c demo [--think-ms N] [--word-ms N]`. */
int
aa_demo_main(int argc, char **argv)
{
	struct demo *d;
	struct sigaction sa;
	int i, r;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return 1;
	d->think_ms = 1000;
	d->word_ms = 150;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--think-ms") == 0 && i + 1 < argc)
			d->think_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "--word-ms") == 0 && i + 1 < argc)
			d->word_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "demo") != 0) {
			fprintf(stderr, "usage: agentapi-c demo "
					"[--think-ms N] [--word-ms N]\n");
			free(d);
			return 2;
		}
	}
	if (d->think_ms < 0 || d->think_ms > 60000)
		d->think_ms = 1000;
	if (d->word_ms < 0 || d->word_ms > 10000)
		d->word_ms = 150;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = demo_on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: read() returns */
	sa.sa_handler = demo_on_sigterm;
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = demo_on_sigwinch;
	sigaction(SIGWINCH, &sa, NULL);

	demo_add(d, 0, "Hello! I'm the agentapi-c demo agent. "
		       "Send me a message.");
	demo_redraw(d, 0);
	for (;;) {
		r = demo_read_line(d);
		if (r <= 0)
			break;
		demo_clean_input(d->line);
		if (d->line[0] == '\0') {
			demo_redraw(d, 0);
			continue;
		}
		demo_add(d, 1, d->line);
		if (!d->asked_permission && demo_think(d) < 0) {
			if (demo_terminated)
				break;
			/* Ctrl-C while thinking: no reply, back to the
			 * prompt. */
			demo_interrupted = 0;
			demo_add(d, 0, "[interrupted]");
			demo_redraw(d, 0);
			continue;
		}
		demo_answer(d, d->line);
		if (demo_terminated)
			break;
		demo_interrupted = 0;
		demo_redraw(d, 0);
	}
	if (demo_interrupted)
		demo_puts("\r\nBye!\r\n");
	free(d);
	return 0;
}
