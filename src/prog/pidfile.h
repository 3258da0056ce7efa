/*
 * pidfile.h - aa_pidfile: the --pid-file of spec/http.md §9.6.
 *
 * Coder's shutdown script reads the file to find the server, sends it
 * SIGUSR1 and SIGTERM, and a second server started with the same file must
 * refuse to run while the first is alive.  The file holds "<pid>\n", mode
 * 0600, in a directory created 0700 if missing.  It is written crash-safely
 * (a temporary file, fsync, then link or rename into place), so a reader
 * never sees a partial number, and removed at exit only if it still names
 * us.
 */
#ifndef AA_PIDFILE_H
#define AA_PIDFILE_H

#include <sys/types.h>

/*
 * Writes pid into path.  Fails when the file names another live process;
 * a file naming a dead process, our own pid, a non-positive number or no
 * number at all is replaced.
 * *stale_pid (may be NULL) receives the replaced file's pid, or 0; the
 * program logs "Found stale PID file, will overwrite" for it.
 *
 * Returns 0, or a negative AA_E* code with *cause set to a malloc'd
 * message worded as upstream's, starting "failed to write PID file: "
 * (e.g. "... another instance is already running with PID 42 (PID file:
 * /x/agentapi.pid)").  The live-instance case returns -EEXIST.
 */
int aa_pidfile_write(const char *path, pid_t pid, pid_t *stale_pid,
    char **cause);

/*
 * Removes path if it still holds pid.  Returns 1 when removed, 0 when the
 * file is absent or names someone else (left alone), or a negative AA_E*
 * code with *cause set.
 */
int aa_pidfile_remove(const char *path, pid_t pid, char **cause);

#endif /* AA_PIDFILE_H */
