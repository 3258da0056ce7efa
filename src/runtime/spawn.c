/*
 * spawn.c - what the agent's process needs, built before fork(), and what
 * it does between fork() and exec.
 *
 * This follows libuv's uv__spawn_and_init_child and tmux's job_run: after
 * fork() only async-signal-safe calls are allowed, so everything the
 * child needs (the program's path found the way execvp would, argv for a
 * /bin/sh fallback, envp with TERM) is prepared before it, and the child
 * only resets its signals, takes the slave as its controlling terminal
 * and fds 0-2, closes the rest and executes.  An exec failure goes back
 * through the error pipe as an errno value; runtime/pty.c forks and reads
 * the verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/aa-internal.h"
#include "runtime/spawn.h"

/* The search path when the server has none. */
#define SPAWN_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

static void spawn_reset_signals(void);

/*
 * Resolves name the way execvp would, but before fork(): a name with a
 * slash is used as is, otherwise the first executable regular file in
 * PATH wins.  Returns AA_ENOENT, or AA__ERR(EACCES) when only
 * non-executable candidates were found.
 */
int
aa_spawn_find_program(const char *name, char **pathp)
{
	const char *path, *dir, *end;
	char cand[PATH_MAX];
	struct stat sb;
	size_t dlen;
	int err = AA_ENOENT, n;

	if (strchr(name, '/') != NULL) {
		*pathp = strdup(name);
		return *pathp == NULL ? AA_ENOMEM : 0;
	}
	path = getenv("PATH");
	if (path == NULL)
		path = SPAWN_DEFAULT_PATH;
	for (dir = path;; dir = end + 1) {
		end = strchrnul(dir, ':');
		dlen = (size_t)(end - dir);
		/* An empty PATH element means the current directory. */
		n = snprintf(cand, sizeof(cand), "%.*s%s%s", (int)dlen, dir,
		    dlen == 0 ? "." : "", "/");
		if (n > 0 && (size_t)n + strlen(name) < sizeof(cand)) {
			memcpy(cand + n, name, strlen(name) + 1);
			if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode)) {
				if (access(cand, X_OK) == 0) {
					*pathp = strdup(cand);
					return *pathp == NULL ? AA_ENOMEM : 0;
				}
				err = AA__ERR(EACCES);
			}
		}
		if (*end == '\0')
			break;
	}
	return err;
}

/* Builds the program path, argv copies and envp the child will use. */
int
aa_spawn_prepare(const char *const *argv, const char *const *env_in,
    const char *term_in, struct aa_spawn_prep *pp)
{
	char *const *env;
	const char *term;
	size_t argc, envc, i, k;
	int r;

	memset(pp, 0, sizeof(*pp));
	if ((r = aa_spawn_find_program(argv[0], &pp->path)) != 0)
		return r;
	for (argc = 0; argv[argc] != NULL; argc++)
		;
	env = env_in != NULL ? (char *const *)env_in : environ;
	for (envc = 0; env != NULL && env[envc] != NULL; envc++)
		;
	term = term_in != NULL ? term_in : AA_SPAWN_DEFAULT_TERM;
	pp->argv = calloc(argc + 1, sizeof(char *));
	pp->shargv = calloc(argc + 2, sizeof(char *));
	pp->envp = calloc(envc + 2, sizeof(char *));
	if (asprintf(&pp->termvar, "TERM=%s", term) == -1)
		pp->termvar = NULL;
	if (pp->argv == NULL || pp->shargv == NULL || pp->envp == NULL ||
	    pp->termvar == NULL)
		return AA_ENOMEM;
	for (i = 0; i < argc; i++)
		pp->argv[i] = (char *)argv[i];
	pp->shargv[0] = (char *)"sh";
	pp->shargv[1] = pp->path;
	for (i = 1; i < argc; i++)
		pp->shargv[i + 1] = (char *)argv[i];
	for (i = 0, k = 0; i < envc; i++)
		if (strncmp(env[i], "TERM=", 5) != 0)
			pp->envp[k++] = env[i];
	pp->envp[k] = pp->termvar;
	return 0;
}

/* Frees what aa_spawn_prepare allocated. */
void
aa_spawn_release(struct aa_spawn_prep *pp)
{
	free(pp->path);
	free(pp->argv);
	free(pp->shargv);
	free(pp->envp);
	free(pp->termvar);
}

/* Puts every signal back to its default action and unblocks them all. */
static void
spawn_reset_signals(void)
{
	struct sigaction sa;
	long kdfl[16]; /* a kernel sigaction: SIG_DFL, no flags, empty mask */
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof(sa));
	memset(kdfl, 0, sizeof(kdfl));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	/* SIG_IGN survives exec: SIGPIPE ignored by the server must not be. */
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/*
		 * glibc refuses its own two real-time signals (32, 33) with
		 * EINVAL, yet an ignored one survives exec as well; the raw
		 * call takes an all-zero kernel struct, SIG_DFL on every
		 * architecture's layout.
		 */
		if (sigaction(sig, &sa, NULL) == -1 && errno == EINVAL)
			(void)syscall(SYS_rt_sigaction, sig, kdfl, NULL,
			    (size_t)(NSIG - 1) / 8);
	}
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * The child between vfork() and exec: async-signal-safe calls only, and
 * no write to memory it shares with the parent (locals only; errno is
 * the one exception, see pty_vfork).  The slave becomes the controlling
 * terminal and fds 0-2; the error pipe is moved to fd 3 and everything
 * above it is closed.
 */
void
aa_spawn_child(int master, int slave, int errfd,
    const struct aa_spawn_prep *pp)
{
	int err, fd;

	spawn_reset_signals();
	(void)close(master);
	if (setsid() == -1 || ioctl(slave, TIOCSCTTY, 0) == -1)
		goto fail;
	/* Lift both fds above stdio so dup2() below cannot clobber them. */
	if (errfd < 3 && (errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3)) == -1)
		_exit(127);
	if (slave < 3 && (slave = fcntl(slave, F_DUPFD_CLOEXEC, 3)) == -1)
		goto fail;
	for (fd = 0; fd < 3; fd++) {
		while (dup2(slave, fd) == -1)
			if (errno != EINTR)
				goto fail;
	}
	if (errfd != 3) {
		if (dup3(errfd, 3, O_CLOEXEC) == -1)
			goto fail;
		errfd = 3;
	}
	closefrom(4);
	if (pp->cwd != NULL && chdir(pp->cwd) == -1)
		goto fail;
	execve(pp->path, pp->argv, pp->envp);
	if (errno == ENOEXEC)
		execve("/bin/sh", pp->shargv, pp->envp);
fail:
	err = errno;
	while (write(errfd, &err, sizeof(err)) == -1 && errno == EINTR)
		;
	_exit(127);
}
