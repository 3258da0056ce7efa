/*
 * demo-agent.c - runs the built-in demo agent (aa_demo_main) as its own
 * program, so the session tests can drive it under a PTY before the CLI
 * dispatches `agentapi-c demo`.
 */
#include "prog/demo.h"

/* Hands the command line to the demo agent. */
int
main(int argc, char **argv)
{
	return aa_demo_main(argc, argv);
}
