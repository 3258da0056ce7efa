/*
 * bench-tool.c - the measuring half of `make bench` (bench/run.sh drives).
 *
 * Everything that needs a precise clock or many sockets is here, one
 * subcommand per job; each prints one line of "key=value" figures that
 * run.sh parses.  Servers are only ever reached on 127.0.0.1.
 *
 *   gen MIB OUT            the deterministic terminal stream (row 1)
 *   state N OUT            a state file with N messages (rows 4, 5)
 *   tsm FILE               libtsm alone on FILE at 80x1000, CPU seconds
 *   aavt FILE              aa_vt (libtsm + query filter) on FILE
 *   latency sse PORT CTL N / latency cmd CTL N ARGV... (tmux -C)
 *                          write a marker to the agent's FIFO CTL, time
 *                          until it comes back: p50/p99 over N (row 2)
 *   fanout PORT N CTL PID  N /events subscribers; RSS per subscriber and
 *                          time until one event reaches all (row 6)
 *   startup N PORT ARGV... exec -> first GET /status 200, median (row 7)
 *
 * Instruction rows (run.sh runs these under callgrind with
 * --toggle-collect=bench_measured, so only the measured work counts and
 * the figures do not depend on the machine's load):
 *
 *   ir-tsm FILE            libtsm alone takes in FILE (as cmd_tsm)
 *   ir-aavt FILE           aa_vt takes in FILE, no screen read
 *   ir-tick N full|incr    N screen reads of an 80x1000 screen, one line
 *                          changed before each: the full read through
 *                          tsm_screen_draw or the normal (incremental) one
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libtsm.h>

#include "base/buf.h"
#include "core/vt.h"

extern char **environ;

#define MARK_LEN 8 /* "m000123." */

/* Returns a monotonic time in seconds. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Returns this process's CPU time in seconds. */
static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints a message and exits: a benchmark that cannot measure stops. */
static void
die(const char *what)
{
	fprintf(stderr, "bench-tool: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Compares two doubles for qsort. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Returns the q-quantile of n sorted values. */
static double
quantile(const double *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);

	return v[i < n ? i : n - 1];
}

/* Appends line i of the stream: colours, CJK, emoji, cursor moves. */
static void
gen_line(struct aa_buf *b, unsigned i)
{
	static const char *words[] = { "agent", "中文字", "😀", "│", "╭──╮",
		"⏺", "reading", "files", "✻", "const", "é", "tool" };
	unsigned k;

	if (i % 1500 == 0)
		aa_buf_puts(b, "\033[2J\033[H");
	if (i % 7 == 0)
		aa_buf_printf(b, "\033[%u;1H\033[K", 1 + i % 1000);
	if (i % 5 == 0)
		aa_buf_puts(b, "\033[33m✢ Working…\033[0m\r\033[2K");
	for (k = 0; k < 9; k++) {
		switch ((i + k) % 4) {
		case 0:
			aa_buf_printf(b, "\033[%um", 31 + (i + k) % 7);
			break;
		case 1:
			aa_buf_printf(b, "\033[38;5;%um", (i * 7 + k) % 256);
			break;
		case 2:
			aa_buf_printf(b, "\033[38;2;%u;%u;%um", i % 256, k * 20,
			    (i + k) % 256);
			break;
		}
		aa_buf_puts(b, words[(i + k) % 12]);
		aa_buf_puts(b, " ");
	}
	aa_buf_puts(b, "\033[0m\r\n");
}

/* Writes the stream of mib MiB to out. */
static int
cmd_gen(double mib, const char *out)
{
	struct aa_buf b;
	FILE *f;
	unsigned i;

	aa_buf_init(&b);
	for (i = 0; b.len < mib * 1048576; i++)
		gen_line(&b, i);
	if ((f = fopen(out, "w")) == NULL ||
	    fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0)
		die(out);
	printf("bytes=%zu\n", b.len);
	aa_buf_release(&b);
	return 0;
}

/* Writes a state file of n messages, user and agent in turn. */
static int
cmd_state(unsigned n, const char *out)
{
	FILE *f;
	unsigned i;

	if ((f = fopen(out, "w")) == NULL)
		die(out);
	fprintf(f, "{\"version\":1,\"messages\":[");
	for (i = 0; i < n; i++)
		fprintf(f, "%s{\"id\":%u,\"message\":\"%s %u: the quick "
		    "brown fox jumps over the lazy dog, then reads files and "
		    "edits src/main.c line %u\\nsecond line of the %s\","
		    "\"role\":\"%s\",\"time\":\"2025-01-02T03:04:05."
		    "123456789Z\"}", i ? "," : "", i,
		    i % 2 ? "Reply" : "Question", i, i * 7,
		    i % 2 ? "answer" : "question", i % 2 ? "agent" : "user");
	fprintf(f, "],\"initial_prompt\":\"\",\"initial_prompt_sent\":false}\n");
	if (fclose(f) != 0)
		die(out);
	return 0;
}

/* Reads a whole file into b. */
static void
slurp(const char *path, struct aa_buf *b)
{
	char chunk[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		die(path);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (aa_buf_append(b, chunk, (size_t)n) < 0)
			die("out of memory");
	close(fd);
}

/* Ignores libtsm's answers to queries. */
static void
tsm_write_nop(struct tsm_vte *vte, const char *u8, size_t len, void *data)
{
	(void)vte;
	(void)u8;
	(void)len;
	(void)data;
}

/* Feeds FILE to libtsm alone (as aa_vt sets it up) in 4 KiB chunks. */
static int
cmd_tsm(const char *path)
{
	struct tsm_screen *scr;
	struct tsm_vte *vte;
	struct aa_buf b;
	double t0;
	size_t i, k;

	aa_buf_init(&b);
	slurp(path, &b);
	if (tsm_screen_new(&scr, NULL, NULL) < 0)
		die("tsm_screen_new");
	tsm_screen_set_max_sb(scr, 0);
	if (tsm_screen_resize(scr, 80, 1000) < 0 ||
	    tsm_vte_new(&vte, scr, tsm_write_nop, NULL, NULL, NULL) < 0)
		die("tsm_vte_new");
	t0 = cpu();
	for (i = 0; i < b.len; i += k) {
		k = b.len - i < 4096 ? b.len - i : 4096;
		tsm_vte_input(vte, b.data + i, k);
	}
	printf("cpu=%.4f bytes=%zu\n", cpu() - t0, b.len);
	tsm_vte_unref(vte);
	tsm_screen_unref(scr);
	aa_buf_release(&b);
	return 0;
}

/* Feeds FILE to aa_vt in 4 KiB chunks, then renders the text once. */
static int
cmd_aavt(const char *path)
{
	struct aa_vt *vt;
	struct aa_buf b, t;
	double t0;
	size_t i, k;

	aa_buf_init(&b);
	aa_buf_init(&t);
	slurp(path, &b);
	if (aa_vt_new(&vt, &(struct aa_vt_options){ .cols = 80,
	    .rows = 1000 }) < 0)
		die("aa_vt_new");
	t0 = cpu();
	for (i = 0; i < b.len; i += k) {
		k = b.len - i < 4096 ? b.len - i : 4096;
		aa_vt_feed(vt, b.data + i, k);
	}
	aa_vt_text(vt, &t);
	printf("cpu=%.4f bytes=%zu\n", cpu() - t0, b.len);
	aa_vt_free(vt);
	aa_buf_release(&b);
	aa_buf_release(&t);
	return 0;
}

/*
 * The only code callgrind counts (--toggle-collect=bench_measured): the
 * set-up around it is left out of the instruction rows.
 */
__attribute__((noinline)) void bench_measured(void (*fn)(void *), void *arg);

__attribute__((noinline)) void
bench_measured(void (*fn)(void *), void *arg)
{
	fn(arg);
}

/* What an instruction row measures: a stream fed to libtsm or aa_vt. */
struct ir_feed {
	struct tsm_vte *vte;
	struct aa_vt *vt;
	const char *p;
	size_t n;
};

/* Feeds the stream in 4 KiB chunks, to libtsm or to aa_vt. */
static void
ir_feed_run(void *arg)
{
	struct ir_feed *f = arg;
	size_t i, k;

	for (i = 0; i < f->n; i += k) {
		k = f->n - i < 4096 ? f->n - i : 4096;
		if (f->vt != NULL)
			aa_vt_feed(f->vt, f->p + i, k);
		else
			tsm_vte_input(f->vte, f->p + i, k);
	}
}

/* ir-tsm / ir-aavt: one pass of FILE through libtsm alone or aa_vt. */
static int
cmd_ir_feed(const char *path, int ours)
{
	struct tsm_screen *scr = NULL;
	struct ir_feed f;
	struct aa_buf b;

	memset(&f, 0, sizeof(f));
	aa_buf_init(&b);
	slurp(path, &b);
	if (ours) {
		if (aa_vt_new(&f.vt, &(struct aa_vt_options){ .cols = 80,
		    .rows = 1000 }) < 0)
			die("aa_vt_new");
	} else if (tsm_screen_new(&scr, NULL, NULL) < 0 ||
	    (tsm_screen_set_max_sb(scr, 0), 0) ||
	    tsm_screen_resize(scr, 80, 1000) < 0 ||
	    tsm_vte_new(&f.vte, scr, tsm_write_nop, NULL, NULL, NULL) < 0)
		die("tsm_vte_new");
	f.p = b.data;
	f.n = b.len;
	bench_measured(ir_feed_run, &f);
	printf("bytes=%zu\n", b.len);
	aa_vt_free(f.vt);
	if (f.vte != NULL)
		tsm_vte_unref(f.vte);
	if (scr != NULL)
		tsm_screen_unref(scr);
	aa_buf_release(&b);
	return 0;
}

/* One screen read for ir-tick. */
struct ir_tick {
	struct aa_vt *vt;
	struct aa_buf text;
	int full;
};

static void
ir_tick_read(void *arg)
{
	struct ir_tick *t = arg;

	aa_buf_reset(&t->text);
	if (t->full)
		aa_vt_text_full(t->vt, &t->text);
	else
		aa_vt_text(t->vt, &t->text);
}

/*
 * ir-tick: an 80x1000 screen full of text (bench-agent's fill), read once;
 * then n times one line is rewritten and the screen read again.  Only the
 * reads are measured.
 */
static int
cmd_ir_tick(unsigned n, int full)
{
	struct ir_tick t;
	char line[512];
	unsigned i;
	int k;

	memset(&t, 0, sizeof(t));
	aa_buf_init(&t.text);
	t.full = full;
	if (aa_vt_new(&t.vt, &(struct aa_vt_options){ .cols = 80,
	    .rows = 1000 }) < 0)
		die("aa_vt_new");
	for (i = 0; i < 999; i++) {
		k = snprintf(line, sizeof(line), "%4u \033[32m*\033[0m "
		    "history line with words, 中文 and more words to fill a "
		    "row............\r\n", i);
		aa_vt_feed(t.vt, line, (size_t)k);
	}
	aa_vt_text(t.vt, &t.text);
	for (i = 0; i < n; i++) {
		k = snprintf(line, sizeof(line), "\033[%u;1H\033[2K%u: the "
		    "agent is \033[1mthinking\033[0m (%u s)", 500 + i % 7, i,
		    i);
		aa_vt_feed(t.vt, line, (size_t)k);
		bench_measured(ir_tick_read, &t);
	}
	printf("ticks=%u len=%zu\n", n, t.text.len);
	aa_vt_free(t.vt);
	aa_buf_release(&t.text);
	return 0;
}

/* Connects to 127.0.0.1:port (blocking); returns the fd or -1. */
static int
dial(int port)
{
	struct sockaddr_in a;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die("socket");
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Sends a GET for path on fd; returns 0 or -1. */
static int
send_get(int fd, const char *path)
{
	char req[256];
	int n;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1"
	    "\r\nAccept: text/event-stream\r\n\r\n", path);
	return write(fd, req, (size_t)n) == n ? 0 : -1;
}

/*
 * A marker search over a byte stream split at arbitrary points: keeps
 * the last MARK_LEN - 1 bytes of the previous chunk.
 */
struct scan {
	char tail[MARK_LEN];
	size_t tlen;
};

/* Returns 1 if mark occurs in the stream once chunk p is added. */
static int
scan_feed(struct scan *s, const char *p, size_t n, const char *mark)
{
	char joint[2 * MARK_LEN];
	size_t k, j;
	int hit;

	k = n < MARK_LEN - 1 ? n : MARK_LEN - 1;
	memcpy(joint, s->tail, s->tlen);
	memcpy(joint + s->tlen, p, k);
	hit = memmem(joint, s->tlen + k, mark, MARK_LEN) != NULL ||
	    memmem(p, n, mark, MARK_LEN) != NULL;
	/* New tail: the last MARK_LEN - 1 bytes of tail + p. */
	if (n >= MARK_LEN - 1) {
		memcpy(s->tail, p + n - (MARK_LEN - 1), MARK_LEN - 1);
		s->tlen = MARK_LEN - 1;
	} else {
		j = s->tlen + n > MARK_LEN - 1 ? s->tlen + n - (MARK_LEN - 1)
		    : 0;
		memmove(s->tail, s->tail + j, s->tlen - j);
		memcpy(s->tail + s->tlen - j, p, n);
		s->tlen = s->tlen - j + n;
	}
	return hit;
}

/*
 * Row 2: for i < n, write marker i to the agent's FIFO and read fd until
 * it comes back.  Prints p50, p99, max in ms.
 */
static int
latency(int fd, const char *ctl, unsigned n)
{
	char mark[32], buf[65536];
	double *lat, t0;
	struct scan sc;
	unsigned i;
	ssize_t k;
	int c;

	if ((c = open(ctl, O_WRONLY)) < 0)
		die(ctl);
	if ((lat = calloc(n, sizeof(*lat))) == NULL)
		die("calloc");
	memset(&sc, 0, sizeof(sc));
	for (i = 0; i < n; i++) {
		snprintf(mark, sizeof(mark), "m%06u.\n", i);
		t0 = now();
		if (write(c, mark, MARK_LEN + 1) != MARK_LEN + 1)
			die("write marker");
		for (;;) {
			k = read(fd, buf, sizeof(buf));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				die("stream ended");
			if (scan_feed(&sc, buf, (size_t)k, mark))
				break;
		}
		lat[i] = (now() - t0) * 1e3;
	}
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("p50=%.3f p99=%.3f max=%.3f n=%u\n", quantile(lat, n, 0.5),
	    quantile(lat, n, 0.99), lat[n - 1], n);
	free(lat);
	close(c);
	return 0;
}

/* Opens an /events stream on port; returns the fd. */
static int
open_events(int port)
{
	int fd;

	if ((fd = dial(port)) < 0 || send_get(fd, "/events") < 0)
		die("connect /events");
	return fd;
}

/*
 * Row 2's reference: runs argv (tmux -C attach) with its stdin held open
 * and its stdout piped back, measures over that pipe, then ends it.
 */
static int
latency_cmd(const char *ctl, unsigned n, char **argv)
{
	posix_spawn_file_actions_t fa;
	int in[2], out[2], r, st;
	char buf[4096];
	ssize_t k;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die("pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		die(argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	/* Pane output only reaches an attached client: wait for that. */
	do {
		if ((k = read(out[0], buf, sizeof(buf) - 1)) <= 0)
			die("control client ended");
		buf[k] = '\0';
	} while (strstr(buf, "%session-changed") == NULL);
	r = latency(out[0], ctl, n);
	close(in[1]);
	close(out[0]);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	return r;
}

/* Returns the VmRSS of pid in KiB. */
static long
rss_kib(int pid)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		die(path);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

struct sub {
	int fd;
	int state; /* 0 connecting, 1 sent, 2 streaming, 3 got the mark */
	struct scan sc;
};

/*
 * Row 6: opens n /events subscribers (at most 256 connecting at once),
 * waits until each has its response head, measures the server's RSS,
 * then times one marker event until every subscriber has it.
 */
static int
cmd_fanout(int port, unsigned n, const char *ctl, int pid)
{
	static const char mark0[] = "m999999.";
	struct epoll_event ev, evs[512];
	struct sockaddr_in a;
	struct rlimit rl;
	struct sub *subs;
	unsigned next = 0, pending = 0, live = 0, got = 0, i;
	char buf[65536];
	double t0, t1, tstart, first = 0, deadline;
	long rss0, rss1;
	int ep, c, k, j, one = 1;
	ssize_t r;

	rl.rlim_cur = rl.rlim_max = n + 256;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit");
	if ((subs = calloc(n, sizeof(*subs))) == NULL)
		die("calloc");
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll");
	rss0 = rss_kib(pid);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	tstart = now();
	deadline = tstart + 60;
	while (live < n) {
		while (next < n && pending < 256) {
			struct sub *s = &subs[next];

			s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
			    SOCK_CLOEXEC, 0);
			if (s->fd < 0)
				die("socket");
			setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
			if (connect(s->fd, (struct sockaddr *)&a,
			    sizeof(a)) < 0 && errno != EINPROGRESS)
				die("connect");
			ev.events = EPOLLOUT | EPOLLIN;
			ev.data.u32 = next;
			if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) < 0)
				die("epoll_ctl");
			next++;
			pending++;
		}
		if (now() > deadline) {
			fprintf(stderr, "bench-tool: fanout: only %u of %u "
			    "subscribed after 60 s\n", live, n);
			return 1;
		}
		k = epoll_wait(ep, evs, 512, 1000);
		for (j = 0; j < k; j++) {
			struct sub *s = &subs[evs[j].data.u32];

			if (s->state == 0 && (evs[j].events & EPOLLOUT)) {
				if (send_get(s->fd, "/events") < 0)
					die("send /events");
				s->state = 1;
				ev.events = EPOLLIN;
				ev.data.u32 = evs[j].data.u32;
				epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
				continue;
			}
			if (!(evs[j].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				continue;
			r = read(s->fd, buf, sizeof(buf));
			if (r <= 0) {
				fprintf(stderr, "bench-tool: fanout: subscriber "
				    "%u closed after %u live\n",
				    evs[j].data.u32, live);
				return 1;
			}
			scan_feed(&s->sc, buf, (size_t)r, mark0);
			if (s->state == 1) {
				s->state = 2;
				live++;
				pending--;
			}
		}
	}
	t1 = now();
	/* Let the initial events drain, reading them (bounded wait). */
	while ((k = epoll_wait(ep, evs, 512, 200)) > 0)
		for (j = 0; j < k; j++) {
			struct sub *s = &subs[evs[j].data.u32];

			if ((r = read(s->fd, buf, sizeof(buf))) > 0)
				scan_feed(&s->sc, buf, (size_t)r, mark0);
		}
	rss1 = rss_kib(pid);
	if ((c = open(ctl, O_WRONLY)) < 0)
		die(ctl);
	t0 = now();
	if (write(c, "m999999.\n", MARK_LEN + 1) != MARK_LEN + 1)
		die("write marker");
	deadline = t0 + 30;
	while (got < n && now() < deadline) {
		k = epoll_wait(ep, evs, 512, 1000);
		for (j = 0; j < k; j++) {
			struct sub *s = &subs[evs[j].data.u32];

			r = read(s->fd, buf, sizeof(buf));
			if (r <= 0) {
				fprintf(stderr, "bench-tool: fanout: subscriber "
				    "dropped during the event\n");
				return 1;
			}
			if (s->state == 2 && scan_feed(&s->sc, buf,
			    (size_t)r, mark0)) {
				s->state = 3;
				if (got++ == 0)
					first = now() - t0;
			}
		}
	}
	printf("subs=%u got=%u connect_s=%.3f rss0_kib=%ld rss1_kib=%ld "
	    "per_sub_b=%.0f first_ms=%.3f all_ms=%.3f\n", n, got, t1 - tstart,
	    rss0, rss1, (double)(rss1 - rss0) * 1024 / n,
	    first * 1e3, (now() - t0) * 1e3);
	for (i = 0; i < n; i++)
		close(subs[i].fd);
	close(c);
	free(subs);
	return got == n ? 0 : 1;
}

/* Returns 1 once GET /status on port answers 200. */
static int
status_ok(int port)
{
	char buf[4096];
	ssize_t n;
	size_t have = 0;
	int fd, ok = 0;

	if ((fd = dial(port)) < 0)
		return 0;
	if (send_get(fd, "/status") == 0)
		while (have < 12 && (n = read(fd, buf + have,
		    sizeof(buf) - have)) > 0)
			have += (size_t)n;
	ok = have >= 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0;
	close(fd);
	return ok;
}

/*
 * Row 7: n times, spawn argv and poll GET /status on port every 100 us
 * until it answers 200; then SIGINT it and reap.  Prints the median.
 */
static int
cmd_startup(unsigned n, int port, char **argv)
{
	struct timespec nap = { 0, 100000 };
	double *v, t0, t;
	unsigned i;
	pid_t pid;
	int st;

	if ((v = calloc(n, sizeof(*v))) == NULL)
		die("calloc");
	for (i = 0; i < n; i++) {
		t0 = now();
		if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
			die(argv[0]);
		while (!status_ok(port)) {
			if (now() - t0 > 10 || waitpid(pid, &st, WNOHANG) ==
			    pid) {
				fprintf(stderr, "bench-tool: startup: no 200 "
				    "from the server\n");
				return 1;
			}
			nanosleep(&nap, NULL);
		}
		t = now() - t0;
		v[i] = t * 1e3;
		kill(pid, SIGINT);
		waitpid(pid, &st, 0);
	}
	qsort(v, n, sizeof(*v), cmp_double);
	printf("median_ms=%.3f min_ms=%.3f max_ms=%.3f n=%u\n",
	    quantile(v, n, 0.5), v[0], v[n - 1], n);
	free(v);
	return 0;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(atof(argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "state") == 0)
		return cmd_state((unsigned)atoi(argv[2]), argv[3]);
	if (argc == 3 && strcmp(argv[1], "tsm") == 0)
		return cmd_tsm(argv[2]);
	if (argc == 3 && strcmp(argv[1], "aavt") == 0)
		return cmd_aavt(argv[2]);
	if (argc == 3 && strcmp(argv[1], "ir-tsm") == 0)
		return cmd_ir_feed(argv[2], 0);
	if (argc == 3 && strcmp(argv[1], "ir-aavt") == 0)
		return cmd_ir_feed(argv[2], 1);
	if (argc == 4 && strcmp(argv[1], "ir-tick") == 0)
		return cmd_ir_tick((unsigned)atoi(argv[2]),
		    strcmp(argv[3], "full") == 0);
	if (argc == 6 && strcmp(argv[1], "latency") == 0 &&
	    strcmp(argv[2], "sse") == 0)
		return latency(open_events(atoi(argv[3])), argv[4],
		    (unsigned)atoi(argv[5]));
	if (argc >= 6 && strcmp(argv[1], "latency") == 0 &&
	    strcmp(argv[2], "cmd") == 0)
		return latency_cmd(argv[3], (unsigned)atoi(argv[4]),
		    argv + 5);
	if (argc == 6 && strcmp(argv[1], "fanout") == 0)
		return cmd_fanout(atoi(argv[2]), (unsigned)atoi(argv[3]),
		    argv[4], atoi(argv[5]));
	if (argc >= 5 && strcmp(argv[1], "startup") == 0)
		return cmd_startup((unsigned)atoi(argv[2]), atoi(argv[3]),
		    argv + 4);
	fprintf(stderr, "usage: bench-tool gen|state|tsm|aavt|ir-*|latency|"
	    "fanout|startup ... (see bench/bench-tool.c)\n");
	return 2;
}
