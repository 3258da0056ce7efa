/*
 * hostcmd.h - `agentapi-c host` (hostcmd.c).
 */
#ifndef AA_PROG_HOSTCMD_H
#define AA_PROG_HOSTCMD_H

/* Runs the host until SIGINT or SIGTERM; argv[0] is "host".  Returns the
 * exit status. */
int aa_host_main(int argc, char **argv);

#endif /* AA_PROG_HOSTCMD_H */
