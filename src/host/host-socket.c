/*
 * host-socket.c - the host's unix socket path, checked before it listens:
 * its folder made 0700 or found private and ours, a stale socket of ours
 * removed, anything else (a file, a link, another user's socket, a host
 * still answering) refused with the reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/aa-internal.h"
#include "base/fileio.h"
#include "host/host.h"

int
aa_host_prepare_socket(const char *path, char **cause)
{
	struct sockaddr_un sa;
	struct stat st;
	char *dir = NULL;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return aa__cause(cause, AA_EINVAL, "socket path too long: %s",
		    path);
	if ((rc = aa_file_dir_of(path, &dir)) != 0)
		return rc;
	if ((rc = aa_file_mkdirs(dir)) != 0) {
		rc = aa__cause(cause, rc, "creating %s: %s", dir,
		    aa_strerror(rc));
		free(dir);
		return rc;
	}
	/* Made 0700 if it was missing; one that was there must already be
	 * private: nobody else may reach the socket (nor swap it). */
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		rc = aa__cause(cause, AA_EINVAL, "%s must be a directory of "
		    "ours with mode 0700", dir);
		free(dir);
		return rc;
	}
	free(dir);
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : aa__cause(cause, AA_EIO,
		    "%s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
		return aa__cause(cause, AA_EINVAL, "%s exists and is not our "
		    "socket; refusing to replace it", path);
	/* A socket of ours: in use if a host answers on it. */
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return aa__cause(cause, AA_EIO, "socket: %s",
		    strerror(errno));
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0)
		return aa__cause(cause, AA_EINVAL, "another host is "
		    "listening on %s", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return aa__cause(cause, AA_EIO, "removing the stale socket "
		    "%s: %s", path, strerror(errno));
	return 0;
}
