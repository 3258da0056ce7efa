/*
 * runner.c - main() for every test binary: registry, fork, timeout, tally.
 *
 * Each registered case runs in its own forked child so that a crash, an
 * assertion or a hang (alarm) fails only that case.  The child's exit code
 * says what happened: 0 passed, 77 skipped, anything else (or a signal)
 * failed.  The parent prints one line per case and a closing tally line,
 * "<binary>: N passed, N failed, N skipped", that tests/run.sh adds up.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#define SKIP_CODE 77

struct tcase {
	char *name;
	test_fn fn;
	void *arg;
};

static struct tcase *cases;
static size_t ncases, capcases;
static void (*gens[64])(void);
static size_t ngens;
static int verbose;

void
test_add(const char *name, test_fn fn, void *arg)
{
	struct tcase *n;

	if (ncases == capcases) {
		capcases = capcases ? capcases * 2 : 64;
		n = realloc(cases, capcases * sizeof(*cases));
		if (n == NULL) {
			perror("test_add");
			exit(2);
		}
		cases = n;
	}
	cases[ncases].name = strdup(name);
	cases[ncases].fn = fn;
	cases[ncases].arg = arg;
	if (cases[ncases].name == NULL) {
		perror("test_add");
		exit(2);
	}
	ncases++;
}

void
test_add_generator(void (*gen)(void))
{
	if (ngens < sizeof(gens) / sizeof(gens[0]))
		gens[ngens++] = gen;
}

void
test_skip(const char *fmt, ...)
{
	va_list ap;

	fputs("    skip: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	_exit(SKIP_CODE);
}

void
test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	_exit(1);
}

/* Prints a byte string with non-printing bytes escaped. */
static void
show_escaped(const char *label, const char *s, size_t n)
{
	size_t i;

	printf("    %s (%zu bytes): \"", label, n);
	for (i = 0; i < n && i < 4000; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\\' || c == '"')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	puts(i < n ? "\"..." : "\"");
}

void
test_show_diff(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, line = 1, col = 1;

	while (i < alen && i < blen && a[i] == b[i]) {
		if (a[i] == '\n') {
			line++;
			col = 1;
		} else
			col++;
		i++;
	}
	printf("    first difference at byte %zu (line %zu, column %zu)\n",
	    i, line, col);
	show_escaped("left", a, alen);
	show_escaped("right", b, blen);
}

char *
test_read_file(const char *path, size_t *lenp)
{
	FILE *f;
	char *p = NULL, *n;
	size_t len = 0, cap = 0, r;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((n = realloc(p, cap + 1)) == NULL) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = n;
		}
		r = fread(p + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	fclose(f);
	p[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return p;
}

char *
test_read_at(const char *dir, const char *name, size_t *lenp)
{
	char *path, *s;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	s = test_read_file(path, lenp);
	free(path);
	return s;
}

char *
test_must_read_at(const char *dir, const char *name, size_t *lenp)
{
	char *s = test_read_at(dir, name, lenp);

	if (s == NULL)
		test_fail(__FILE__, __LINE__, "cannot read %s/%s", dir, name);
	return s;
}

const char *
test_top(void)
{
	const char *t = getenv("AA_TOP");

	return t != NULL && *t != '\0' ? t : ".";
}

const char *
test_conformance_dir(void)
{
	static char path[4096];
	const char *c = getenv("AA_CONFORMANCE");

	if (c != NULL && *c != '\0')
		return c;
	snprintf(path, sizeof(path), "%s/../shared/conformance/agentapi",
	    test_top());
	return path;
}

/* Runs one case in a child; returns 0 passed, 1 failed, 2 skipped. */
static int
run_case(const struct tcase *c, unsigned timeout)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		alarm(timeout);
		c->fn(c->arg);
		fflush(stdout);
		exit(0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* Reap whatever the case left running in its process group. */
	kill(-pid, SIGKILL);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == SKIP_CODE)
		return 2;
	if (WIFSIGNALED(st))
		printf("    killed by signal %d%s\n", WTERMSIG(st),
		    WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
	else
		printf("    exit status %d\n", WEXITSTATUS(st));
	return 1;
}

/* Returns non-zero when the case's name matches one of the filters. */
static int
selected(const char *name, int nfilt, char **filt)
{
	int i;

	if (nfilt == 0)
		return 1;
	for (i = 0; i < nfilt; i++)
		if (strstr(name, filt[i]) != NULL)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1
						 : argv[0];
	unsigned timeout = 60;
	size_t i, pass = 0, fail = 0, skip = 0;
	int opt;

	while ((opt = getopt(argc, argv, "t:v")) != -1) {
		if (opt == 't')
			timeout = (unsigned)atoi(optarg);
		else if (opt == 'v')
			verbose = 1;
		else {
			fprintf(stderr, "usage: %s [-t sec] [-v] [filter...]\n",
			    prog);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < ngens; i++)
		gens[i]();
	for (i = 0; i < ncases; i++) {
		if (!selected(cases[i].name, argc - optind, argv + optind))
			continue;
		switch (run_case(&cases[i], timeout)) {
		case 0:
			pass++;
			if (verbose)
				printf("ok   %s\n", cases[i].name);
			break;
		case 2:
			skip++;
			printf("skip %s\n", cases[i].name);
			break;
		default:
			fail++;
			printf("FAIL %s\n", cases[i].name);
			break;
		}
	}
	printf("%s: %zu passed, %zu failed, %zu skipped\n", prog, pass, fail,
	    skip);
	/* The registry stays allocated (and reachable) until exit: case
	 * arguments belong to the generators that made them. */
	return fail ? 1 : 0;
}
