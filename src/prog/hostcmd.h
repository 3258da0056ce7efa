/*
 * hostcmd.h - `agentapi-c host` (hostcmd.c).
 */
#ifndef AA_PROG_HOSTCMD_H
#define AA_PROG_HOSTCMD_H

#include <stddef.h>

/* Runs the host until SIGINT or SIGTERM; argv[0] is "host".  Returns the
 * exit status. */
int aa_host_main(int argc, char **argv);
/* The host's default socket: $XDG_RUNTIME_DIR/agentapi-c/host.sock, else
 * $HOME/.local/state/agentapi-c/host.sock.  -1 without either (or when
 * it does not fit size). */
int aa_host_default_socket(char *out, size_t size);

#endif /* AA_PROG_HOSTCMD_H */
