/*
 * mcphost.c - the host as `agentapi-c mcp` finds it: a connect to its
 * socket tells whether one answers; when none does, one is started as a
 * daemon (`agentapi-c host --socket PATH`: its own session, reparented
 * to init by a double fork, stdin and stdout on /dev/null, stderr
 * appended to host.log beside the socket) and waited for, at most
 * MCP_START_WAIT_MS.  Two relays starting at once may both start one:
 * the second host finds the first answering on the socket and exits
 * (aa_host_prepare_socket), and both relays use the first.  The waits
 * here block; they happen at start and when the host has gone away,
 * when there is nothing else to do.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "prog/mcphost.h"

#define MCP_START_WAIT_MS 10000

/* A line to stderr, as the relay's. */
static void
note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("agentapi-c mcp: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int
aa_mcphost_probe(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	do
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	while (rc != 0 && errno == EINTR);
	rc = rc == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

/* Starts `agentapi-c host --socket path` as a daemon: its own session,
 * reparented to init by a double fork, stdin and stdout on /dev/null,
 * stderr appended to host.log beside the socket. */
static int
spawn_host(const char *path, char *log, size_t logsize)
{
	char *dir = NULL;
	pid_t pid;
	int st;

	if (aa_file_dir_of(path, &dir) != 0 || aa_file_mkdirs(dir) != 0) {
		free(dir);
		return -1;
	}
	snprintf(log, logsize, "%s/host.log", dir);
	free(dir);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR), lfd;

		(void)setsid();
		if (fork() != 0)
			_exit(0);
		lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW,
		    0600);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
		}
		dup2(lfd >= 0 ? lfd : null, STDERR_FILENO);
		closefrom(3);
		signal(SIGPIPE, SIG_DFL);
		execl("/proc/self/exe", "agentapi-c", "host", "--socket", path,
		    (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}

int
aa_mcphost_ensure(const char *path)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	char log[PATH_MAX + 16];
	int rc = aa_mcphost_probe(path);

	if (rc == 0)
		return 0;
	if (rc != -ENOENT && rc != -ECONNREFUSED) {
		note("cannot reach the host at %s: %s", path, strerror(-rc));
		return -1;
	}
	note("no host on %s: starting one", path);
	if (spawn_host(path, log, sizeof(log)) != 0) {
		note("cannot start a host: %s", strerror(errno));
		return -1;
	}
	for (int waited = 0; waited < MCP_START_WAIT_MS; waited += 20) {
		if (aa_mcphost_probe(path) == 0)
			return 0;
		nanosleep(&pause, NULL);
	}
	note("the host started for %s does not answer; see %s", path, log);
	return -1;
}

void
aa_mcphost_forget(const char *path, const char *sid)
{
	struct sockaddr_un sa;
	struct timeval tv = { 1, 0 };
	char req[256], ans[256];
	int fd, n;

	if (sid[0] == '\0' || strlen(path) >= sizeof(sa.sun_path))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	n = snprintf(req, sizeof(req), "DELETE /mcp HTTP/1.1\r\nHost: "
	    "localhost\r\nMcp-Session-Id: %s\r\nConnection: close\r\n\r\n",
	    sid);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    n > 0 && (size_t)n < sizeof(req) &&
	    aa_file_write_all(fd, req, (size_t)n) == 0)
		while (read(fd, ans, sizeof(ans)) > 0)
			;
	close(fd);
}
