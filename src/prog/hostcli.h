/*
 * hostcli.h - the commands for people that drive a host's sessions:
 * ls, new, send, logs, stop and attach ID (hostcli.c).
 */
#ifndef AA_PROG_HOSTCLI_H
#define AA_PROG_HOSTCLI_H

#include <stddef.h>

#include "base/buf.h"

struct aa_cli;

/* Exit codes, the same for every command. */
#define AA_HOSTCLI_OK 0
#define AA_HOSTCLI_FAILED 1	/* refused or failed (the reason printed) */
#define AA_HOSTCLI_NO_HOST 2	/* no host answers on the socket or URL */
#define AA_HOSTCLI_NO_SESSION 3	/* no session by that ID or NAME */
#define AA_HOSTCLI_BUSY 4	/* send: the agent is busy (409) */
#define AA_HOSTCLI_EXITED 5	/* send: the agent has exited (503) */

/* Runs the parsed command c (AA_CLI_LS .. AA_CLI_STOP, or AA_CLI_ATTACH
 * with a session word); returns the exit code. */
int aa_hostcli_main(const struct aa_cli *c);

/*
 * Appends s to out for a terminal: control characters other than
 * newline (with nl) and tab become '?', so nothing read from the host
 * can move the cursor or change the terminal.  At most max bytes of s
 * (0: all); returns the bytes taken.  Pure, for the tests.
 */
size_t aa_hostcli_clean(struct aa_buf *out, const char *s, size_t max,
    int nl);

/* Writes an age of secs seconds as "45s", "12m", "3h", "5d". */
void aa_hostcli_age(char *buf, size_t size, long long secs);

#endif /* AA_PROG_HOSTCLI_H */
