/*
 * fake-agent.c - the scripted agent the PTY and end-to-end tests run.
 *
 * Default mode, `fake-agent SCRIPT.json`: upstream's e2e echo agent
 * (../shared/spec/core.md §6.1).  The script is a JSON array of
 * {"expectMessage", "thinkDurationMS", "responseMessage"} entries.  The
 * screen is redrawn as ESC[2J ESC[H, then "> text\n" per user message and
 * "text\n" per agent message, then "Thinking... " or "> ".  An entry with
 * an empty expectMessage is agent-initiated; otherwise one line is read
 * from stdin, cleaned (ANSI sequences, ESC[<n>~, "x\b" pairs, BS, DEL and
 * ESC removed, TrimSpace) and compared: a mismatch prints
 * "Error: Expected message '<exp>' but received '<got>'" and exits 1.
 * Thinking shows "\rThinking <|/-\>" every 200 ms.  SIGINT prints
 * "Exiting..." and exits 0.  After the script it sleeps forever.
 *
 * Extra modes for the PTY tests (options come before any script):
 *   --exit-code N     exit status of the modes below that exit (default 0)
 *   --flood N         print N numbered lines as fast as possible, exit
 *   --grandchild MS   leave a child that ignores SIGHUP and holds the
 *                     terminal for MS ms, print "parent done", exit
 *   --winsize         print "size ROWS COLS" at start and on each SIGWINCH
 *   --ignore-input    print "ignoring", never read stdin, sleep forever
 *   --cat             raw mode (no echo, no line editing), print "ready",
 *                     then copy stdin to stdout forever
 *   --hostile-children
 *                     ignore SIGHUP, SIGINT and SIGTERM, and leave three
 *                     children that do too and keep the terminal: one in
 *                     our process group, one in a group of its own, one
 *                     in a session of its own; print "children P1 P2 P3"
 *                     and "> ", read one line, exit
 *   --close-terminal  print "> ", read one line, ignore SIGHUP and
 *                     SIGTERM, print "closing", close fds 0-2 and live on
 *
 * Children and the closed-terminal agent end themselves by alarm() after
 * HOSTILE_MAX_S seconds, so a failed test leaves nothing for long.
 *
 * A write to the terminal that fails ends the program with status 97, so
 * the PTY tests can tell output the agent lost from output we lost.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/text.h"

struct entry {
	char *expect;
	long think_ms;
	char *response;
};

struct msg {
	int user;
	const char *text;
};

/* How long the hostile modes' processes live at most. */
#define HOSTILE_MAX_S 120

static volatile sig_atomic_t got_winch;

/* Writes all of s[0..n) to stdout, retrying short writes. */
static void
out(const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(1, s, n);
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		} else if (w == -1 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = 1, .events = POLLOUT };
			poll(&pfd, 1, 100);
		} else if (w == -1 && errno != EINTR)
			/* A lost write must not pass for a lost read in the
			 * PTY tests: say so with a status of its own. */
			_exit(97);
	}
}

/* Writes a C string to stdout. */
static void
outs(const char *s)
{
	out(s, strlen(s));
}

/* Sleeps for ms milliseconds, resuming after signals. */
static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Prints "Exiting..." and ends, as upstream's fake agent does on ^C. */
static void
on_sigint(int sig)
{
	static const char m[] = "Exiting...\n";

	(void)sig;
	(void)!write(1, m, sizeof(m) - 1);
	_exit(0);
}

/* Notes a window size change for the --winsize loop. */
static void
on_sigwinch(int sig)
{
	(void)sig;
	got_winch = 1;
}

/* Redraws the whole conversation, then the prompt or the thinking line. */
static void
redraw(const struct msg *msgs, size_t n, int thinking)
{
	size_t i;

	outs("\033[2J\033[H");
	for (i = 0; i < n; i++) {
		if (msgs[i].user)
			outs("> ");
		outs(msgs[i].text);
		outs("\n");
	}
	outs(thinking ? "Thinking... " : "> ");
}

/* Shows the spinner for ms milliseconds, then erases it. */
static void
think(long ms)
{
	static const char spin[] = "|/-\\";
	char frame[16];
	long left = ms;
	int i = 0;

	while (left >= 200) {
		sleep_ms(200);
		left -= 200;
		snprintf(frame, sizeof(frame), "\rThinking %c", spin[i++ % 4]);
		outs(frame);
	}
	if (left > 0)
		sleep_ms(left);
	outs("\r                    \r");
}

/*
 * Returns the length of an ANSI sequence at s (ESC or U+009B first) as
 * the stripansi regex matches it, or 0: optional [](#;? characters, then
 * either an alphanumeric/';' run ended by BEL, or up to four digits with
 * ';'-groups and one final character from [0-9A-PRZcf-ntqry=><~].
 */
static size_t
ansi_len(const char *s, size_t n)
{
	static const char finals[] = "0123456789ABCDEFGHIJKLMNOPRZcfghijklmn"
				     "tqry=><~";
	size_t i, j, d;

	if (n >= 1 && s[0] == '\033')
		i = 1;
	else if (n >= 2 && (unsigned char)s[0] == 0xc2 &&
	    (unsigned char)s[1] == 0x9b)
		i = 2;
	else
		return 0;
	while (i < n && strchr("[]()#;?", s[i]) != NULL && s[i] != '\0')
		i++;
	/* First alternative: an OSC-like run ended by BEL. */
	for (j = i; j < n && (isalnum((unsigned char)s[j]) || s[j] == ';');
	     j++)
		;
	if (j < n && s[j] == '\a')
		return j + 1;
	/* Second: parameters then one final character. */
	j = i;
	for (d = 0; j < n && d < 4 && s[j] >= '0' && s[j] <= '9'; d++)
		j++;
	if (d > 0)
		while (j < n && s[j] == ';') {
			j++;
			for (d = 0; j < n && d < 4 && s[j] >= '0' &&
			     s[j] <= '9'; d++)
				j++;
		}
	if (j < n && strchr(finals, s[j]) != NULL && s[j] != '\0')
		return j + 1;
	/* Backtrack one digit so it can serve as the final character. */
	if (j > i && s[j - 1] >= '0' && s[j - 1] <= '9')
		return j;
	return 0;
}

/* Returns the byte length of the UTF-8 character at s (at least 1). */
static size_t
char_len(const char *s, size_t n)
{
	uint32_t cp;

	return aa_utf8_decode(s, n, &cp);
}

/* Cleans a typed line the way upstream's cleanTerminalInput does. */
static char *
clean_input(const char *in, size_t n)
{
	char *a, *b;
	size_t i, k, l, start, end;

	if ((a = malloc(n + 1)) == NULL || (b = malloc(n + 1)) == NULL)
		exit(1);
	/* ANSI sequences, which include the ESC[200~ paste markers. */
	for (i = 0, k = 0; i < n;) {
		if ((l = ansi_len(in + i, n - i)) > 0) {
			i += l;
			continue;
		}
		a[k++] = in[i++];
	}
	n = k;
	/* "any character then BS" pairs, left to right, not overlapping. */
	for (i = 0, k = 0; i < n;) {
		l = char_len(a + i, n - i);
		if (a[i] != '\n' && i + l < n && a[i + l] == '\b') {
			i += l + 1;
			continue;
		}
		memcpy(b + k, a + i, l);
		k += l;
		i += l;
	}
	/* Remaining BS, DEL and ESC. */
	for (i = 0, n = k, k = 0; i < n; i++)
		if (b[i] != '\b' && b[i] != '\177' && b[i] != '\033')
			a[k++] = b[i];
	aa_text_trim_space(a, k, &start, &end);
	memmove(a, a + start, end - start);
	a[end - start] = '\0';
	free(b);
	return a;
}

/* Loads the script; prints upstream's messages and exits 1 on failure. */
static struct entry *
load_script(const char *path, size_t *np)
{
	cJSON *root, *it, *f;
	struct entry *e;
	FILE *fp;
	char *data;
	size_t len = 0, cap = 1 << 16, n = 0, r;

	if ((fp = fopen(path, "rb")) == NULL) {
		printf("Error loading script: failed to read script file: "
		       "%s\n", strerror(errno));
		exit(1);
	}
	if ((data = malloc(cap + 1)) == NULL)
		exit(1);
	while ((r = fread(data + len, 1, cap - len, fp)) > 0)
		if ((len += r) == cap &&
		    (data = realloc(data, (cap *= 2) + 1)) == NULL)
			exit(1);
	fclose(fp);
	data[len] = '\0';
	root = cJSON_Parse(data);
	free(data);
	if (!cJSON_IsArray(root)) {
		printf("Error loading script: failed to parse script JSON\n");
		exit(1);
	}
	if (cJSON_GetArraySize(root) == 0) {
		printf("Script is empty\n");
		exit(1);
	}
	e = calloc((size_t)cJSON_GetArraySize(root), sizeof(*e));
	if (e == NULL)
		exit(1);
	cJSON_ArrayForEach(it, root)
	{
		f = cJSON_GetObjectItemCaseSensitive(it, "expectMessage");
		e[n].expect = strdup(cJSON_IsString(f) ? f->valuestring : "");
		f = cJSON_GetObjectItemCaseSensitive(it, "responseMessage");
		e[n].response =
		    strdup(cJSON_IsString(f) ? f->valuestring : "");
		f = cJSON_GetObjectItemCaseSensitive(it, "thinkDurationMS");
		e[n].think_ms = cJSON_IsNumber(f) ? (long)f->valuedouble : 0;
		if (e[n].expect == NULL || e[n].response == NULL)
			exit(1);
		n++;
	}
	cJSON_Delete(root);
	*np = n;
	return e;
}

/* Runs upstream's echo agent over the script at path. */
static int
run_echo(const char *path)
{
	struct entry *script;
	struct msg *msgs;
	size_t n, nmsgs = 0, i = 0, start, end, cap = 0, len;
	char *line = NULL, *got, *exp;
	ssize_t r;

	script = load_script(path, &n);
	if ((msgs = calloc(2 * n + 1, sizeof(*msgs))) == NULL)
		return 1;
	signal(SIGINT, on_sigint);
	redraw(msgs, 0, 0);
	while (i < n) {
		aa_text_trim_space(script[i].expect, strlen(script[i].expect),
		    &start, &end);
		if (start == end) {
			if (script[i].think_ms > 0) {
				redraw(msgs, nmsgs, 1);
				think(script[i].think_ms);
			}
			msgs[nmsgs++] = (struct msg){0, script[i].response};
			redraw(msgs, nmsgs, 0);
			i++;
			continue;
		}
		if ((r = getline(&line, &cap, stdin)) <= 0)
			break;
		len = (size_t)r;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		got = clean_input(line, len);
		if (*got == '\0') {
			free(got);
			continue;
		}
		exp = strndup(script[i].expect + start, end - start);
		if (exp == NULL || strcmp(got, exp) != 0) {
			printf("Error: Expected message '%s' but received "
			       "'%s'\n", exp ? exp : "", got);
			fflush(stdout);
			return 1;
		}
		free(exp);
		free(got);
		msgs[nmsgs++] = (struct msg){1, script[i].expect};
		redraw(msgs, nmsgs, 0);
		if (script[i].think_ms > 0) {
			redraw(msgs, nmsgs, 1);
			think(script[i].think_ms);
		}
		msgs[nmsgs++] = (struct msg){0, script[i].response};
		redraw(msgs, nmsgs, 0);
		i++;
	}
	for (;;)
		pause();
}

/* Prints n numbered lines quickly, so the tests can count every byte. */
static void
run_flood(long n)
{
	char line[64];
	long i;
	int len;

	for (i = 0; i < n; i++) {
		len = snprintf(line, sizeof(line), "line %06ld\n", i);
		out(line, (size_t)len);
	}
}

/* Leaves a SIGHUP-proof child holding the terminal for ms milliseconds. */
static void
run_grandchild(long ms)
{
	pid_t pid;

	/* Before fork(): the parent's exit sends SIGHUP at once. */
	signal(SIGHUP, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		sleep_ms(ms);
		_exit(0);
	}
	outs("parent done\n");
}

/* Prints the window size now and after every SIGWINCH, forever. */
static void
run_winsize(void)
{
	struct winsize ws;
	sigset_t block, old;
	char line[64];
	int len;

	sigemptyset(&block);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGWINCH, on_sigwinch);
	for (;;) {
		if (ioctl(0, TIOCGWINSZ, &ws) == 0) {
			len = snprintf(line, sizeof(line), "size %u %u\n",
			    ws.ws_row, ws.ws_col);
			out(line, (size_t)len);
		}
		while (!got_winch)
			sigsuspend(&old);
		got_winch = 0;
	}
}

/* Copies stdin to stdout in raw mode, forever. */
static void
run_cat(void)
{
	struct termios t;
	char buf[65536];
	ssize_t n;

	if (tcgetattr(0, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
	}
	outs("ready\n");
	for (;;) {
		n = read(0, buf, sizeof(buf));
		if (n > 0)
			out(buf, (size_t)n);
		else if (n == 0 || errno != EINTR)
			for (;;)
				pause();
	}
}

/* Waits for one line on stdin (any end of input counts too). */
static void
wait_line(void)
{
	ssize_t n;
	char c;

	for (;;) {
		n = read(0, &c, 1);
		if (n == 1 && (c == '\n' || c == '\r'))
			return;
		if (n == 0 || (n == -1 && errno != EINTR))
			return;
	}
}

/*
 * Leaves three children that ignore SIGHUP, SIGINT and SIGTERM and hold
 * the terminal: kind 0 stays in our group, kind 1 makes a group of its
 * own, kind 2 a session of its own.  Each says it is ready through a
 * pipe before its pid is printed.
 */
static void
run_hostile_children(void)
{
	char line[128], c;
	pid_t pids[3];
	int p[2], kind, len;

	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	if (pipe(p) == -1)
		_exit(98);
	for (kind = 0; kind < 3; kind++) {
		if ((pids[kind] = fork()) == -1)
			_exit(98);
		if (pids[kind] == 0) {
			alarm(HOSTILE_MAX_S);
			if (kind == 1)
				(void)setpgid(0, 0);
			else if (kind == 2)
				(void)setsid();
			(void)!write(p[1], "r", 1);
			for (;;)
				pause();
		}
		if (read(p[0], &c, 1) != 1)
			_exit(98);
	}
	len = snprintf(line, sizeof(line), "children %d %d %d\n> ",
	    (int)pids[0], (int)pids[1], (int)pids[2]);
	out(line, (size_t)len);
	wait_line();
}

/* Closes the terminal after one line but lives on, deaf to SIGHUP and
 * SIGTERM: only SIGKILL (or the alarm) ends it. */
static void
run_close_terminal(void)
{
	outs("> ");
	wait_line();
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	outs("closing\n");
	close(0);
	close(1);
	close(2);
	alarm(HOSTILE_MAX_S);
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	const char *mode = NULL;
	long exit_code = 0, arg = 0;
	int i;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--exit-code") == 0 && i + 1 < argc)
			exit_code = atol(argv[++i]);
		else if ((strcmp(argv[i], "--flood") == 0 ||
			     strcmp(argv[i], "--grandchild") == 0) &&
		    i + 1 < argc) {
			mode = argv[i];
			arg = atol(argv[++i]);
		} else if (strcmp(argv[i], "--winsize") == 0 ||
		    strcmp(argv[i], "--ignore-input") == 0 ||
		    strcmp(argv[i], "--cat") == 0 ||
		    strcmp(argv[i], "--hostile-children") == 0 ||
		    strcmp(argv[i], "--close-terminal") == 0)
			mode = argv[i];
		else {
			printf("fake-agent: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (mode == NULL && argc - i == 1)
		return run_echo(argv[i]);
	if (mode == NULL && (i == 1 || argc - i > 1)) {
		printf("Usage: echo <script.json>\n");
		return 1;
	}
	if (mode == NULL)
		return (int)exit_code;
	if (strcmp(mode, "--flood") == 0)
		run_flood(arg);
	else if (strcmp(mode, "--grandchild") == 0)
		run_grandchild(arg);
	else if (strcmp(mode, "--winsize") == 0)
		run_winsize();
	else if (strcmp(mode, "--cat") == 0)
		run_cat();
	else if (strcmp(mode, "--hostile-children") == 0)
		run_hostile_children();
	else if (strcmp(mode, "--close-terminal") == 0)
		run_close_terminal();
	else {
		outs("ignoring\n");
		for (;;)
			pause();
	}
	return (int)exit_code;
}
