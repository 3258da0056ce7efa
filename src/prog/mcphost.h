/*
 * mcphost.h - finding or starting the host for `agentapi-c mcp`
 * (mcphost.c).
 */
#ifndef AA_PROG_MCPHOST_H
#define AA_PROG_MCPHOST_H

/* Connects to the socket once: 0 when a host answers, else -errno. */
int aa_mcphost_probe(const char *path);
/* Makes sure a host answers on path: one already does, or one is
 * started and waited for.  0, or -1 (said on stderr). */
int aa_mcphost_ensure(const char *path);
/* Ends the MCP session sid on the host (DELETE /mcp), best effort: a
 * blocking exchange of a second at most, at exit. */
void aa_mcphost_forget(const char *path, const char *sid);

#endif /* AA_PROG_MCPHOST_H */
