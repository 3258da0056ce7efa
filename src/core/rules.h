/*
 * rules.h - aa_rules, overrides of the agents' data loaded at start
 * (--agent-rules FILE, AGENTAPI_AGENT_RULES).
 *
 * What changes with a TUI release is data in each agent's descriptor
 * (core/agent.h): ready markers, the input box's layout markers, the
 * chrome lines to drop, busy marks, waiting-prompt hints, the interrupt
 * key.  A rules file overrides any of them without a rebuild; the
 * algorithms stay C.  The format (README "Agent rules"):
 *
 *   {"version": 1,
 *    "agents": {
 *      "<type or alias>": {
 *        "ready": ["<marker>", ...],
 *        "box": {"top": s|null, "bottom": s|null, "scan": n, "rows": n,
 *                "under": n, "caption": b, "scrollbar": s|null,
 *                "dialog": s|null},
 *        "chrome": {"lead": [match, ...], "trail": [match, ...]},
 *        "busy": {"marks": ["<mark>", ...], "lines": n},
 *        "prompt_hints": ["<line>", ...],
 *        "prompt_answer": "arrows" | "digit" | "digit-enter",
 *        "interrupt": "esc" | "ctrl-c"}}}
 *
 * where a match is "<starts>" or {"starts": s, "has": s, "rule": b}.  A
 * key present replaces that slot of the compiled-in descriptor; a key
 * absent keeps it.  Validation is strict: unknown keys, wrong types,
 * empty or over-long strings, strings with control characters, lists
 * over AA_RULES_LIST_MAX, files over AA_RULES_FILE_MAX are refused with
 * a message naming the key path ("agent-rules: agents.claude.ready[2]:
 * must be a string").
 *
 * The result is a full copy of the agent table, to be put in use with
 * aa_agent_use_table before any session starts; it owns every string the
 * copies point to and must outlive them.
 */
#ifndef AA_RULES_H
#define AA_RULES_H

#include <stddef.h>

#include "core/agent.h"

#define AA_RULES_VERSION 1
#define AA_RULES_FILE_MAX (1024 * 1024)	/* bytes */
#define AA_RULES_STRING_MAX 256		/* bytes */
#define AA_RULES_LIST_MAX 64		/* entries */
#define AA_RULES_NUMBER_MAX 1000	/* scan, rows, under, lines */

struct aa_rules;

/*
 * Parses a rules document over the compiled-in agents.  Returns 0 with
 * *out set, AA_EINVAL with *cause (malloc'd) naming the key, or
 * AA_ENOMEM.
 */
int aa_rules_parse(const char *json, size_t len, struct aa_rules **out,
    char **cause);
/* Reads and parses the file at path (at most AA_RULES_FILE_MAX bytes);
 * errors as aa_rules_parse, or a system error, with *cause. */
int aa_rules_load(const char *path, struct aa_rules **out, char **cause);
/* The agent table with the overrides, NULL-terminated, custom last. */
const struct aa_agent *const *aa_rules_table(const struct aa_rules *r);
/* Frees the rules (NULL is fine); the table must no longer be in use. */
void aa_rules_free(struct aa_rules *r);

#endif /* AA_RULES_H */
