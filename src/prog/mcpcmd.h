/*
 * mcpcmd.h - `agentapi-c mcp` (mcpcmd.c): the host's MCP server over
 * stdio.
 */
#ifndef AA_PROG_MCPCMD_H
#define AA_PROG_MCPCMD_H

/* Relays MCP between stdin/stdout and the host on socket_path (NULL or
 * "": the host's default socket), starting a host when none answers.
 * Returns the exit status. */
int aa_mcp_main(const char *socket_path, int verbose);

#endif /* AA_PROG_MCPCMD_H */
