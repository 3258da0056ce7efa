/*
 * main.c - the agentapi-c command line (placeholder until the CLI lands).
 */
#include <stdio.h>
#include <string.h>

#include "agentapi.h"

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("agentapi-c version %s\n", aa_version_string());
		return 0;
	}
	fprintf(stderr, "agentapi-c: the server is not built yet\n");
	return 1;
}
