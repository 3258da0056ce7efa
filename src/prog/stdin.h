/*
 * stdin.h - the initial prompt piped on the program's stdin (spec/http.md
 * §9.5).
 *
 * `echo "fix the tests" | agentapi-c server -- claude` gives the agent its
 * first message.  The read blocks, before the loop starts, but never
 * hangs: it is bounded in size and in time, so a pipe that is never
 * closed costs at most the deadline and keeps what arrived.
 */
#ifndef AA_STDIN_H
#define AA_STDIN_H

#include <stddef.h>

/*
 * Reads an initial prompt from fd when it is not a terminal, without
 * hanging: at most max bytes (AA_E2BIG beyond), giving up waiting for end
 * of input after timeout_ms (what arrived is kept).  Returns 0 with *out
 * malloc'd (NULL when fd is a terminal or gave nothing), or an error with
 * *cause malloc'd.
 */
int aa_stdin_read_prompt(int fd, size_t max, unsigned timeout_ms, char **out,
    size_t *lenp, char **cause);

#endif /* AA_STDIN_H */
