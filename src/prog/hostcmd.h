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
 * ~/.local/state/agentapi-c/host.sock.  0, or -1 without either. */
int aa_host_socket_path(char *out, size_t size);

#endif /* AA_PROG_HOSTCMD_H */
