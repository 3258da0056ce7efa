/*
 * cli-table.h - the rows of the option table the command line is read by.
 *
 * One row per option: long name, short letter, AGENTAPI_* variable, type,
 * default, where it lands in struct aa_cli, the commands that accept it,
 * and its help text.  cli.c holds the table and parses and validates by
 * it; cli-help.c writes the help from it; neither keeps a list of options
 * of its own.  Private to the program's CLI (prog/cli*.c), hence the short
 * names of the types, commands and kinds.  Include prog/cli.h first: the
 * table is indexed by its enum aa_cli_opt.  (This header includes no
 * module of ours, so that cli.c and cli-help.c can both use it without a
 * circle.)
 */
#ifndef AA_CLI_TABLE_H
#define AA_CLI_TABLE_H

#include <stddef.h>
#include <stdint.h>

enum cli_type {
	T_STRING,
	T_INT,
	T_UINT16,
	T_BOOL,
	T_LIST,
	T_NONE			/* help/version: handled by the parser */
};

/* Commands an option belongs to (a bit mask). */
#define C_ROOT 0x1u
#define C_SERVER 0x2u
#define C_ATTACH 0x4u
#define C_LS 0x8u
#define C_NEW 0x10u
#define C_SEND 0x20u
#define C_LOGS 0x40u
#define C_STOP 0x80u
#define C_RESTART 0x100u
/* The commands that talk to a host (attach ID too). */
#define C_HOST (C_LS | C_NEW | C_SEND | C_LOGS | C_STOP | C_RESTART)
#define C_MCP 0x200u

/* Option kinds, for the help text. */
#define K_UPSTREAM 0	/* upstream agentapi's flag */
#define K_OURS 1	/* agentapi-c's addition */
#define K_REFUSED 2	/* accepted for compatibility, refused by validate */
#define K_HIDDEN 3	/* not shown in help */

#define NO_FIELD SIZE_MAX

struct aa_cli_option {
	const char *name;
	char shorthand;
	const char *env;	/* NULL: no environment binding */
	enum cli_type type;
	const char *def;	/* default as text; lists as CSV */
	size_t offset;		/* into struct aa_cli, or NO_FIELD */
	unsigned int cmds;
	int kind;
	const char *help;
};

/* --version: the row after the enum's, root only; it sets no field. */
#define AA_CLI_OPT_VERSION AA_CLI_OPT__COUNT
#define AA_CLI_NOPTIONS ((int)AA_CLI_OPT__COUNT + 1)

/* Every option, indexed by enum aa_cli_opt, then --version (cli.c). */
extern const struct aa_cli_option aa_cli_options[AA_CLI_NOPTIONS];

#endif /* AA_CLI_TABLE_H */
