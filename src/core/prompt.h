/*
 * prompt.h - aa_prompt: is the agent waiting for the user, and for what?
 *
 * A TUI that stops for a permission, a trust-this-folder or a sign-in
 * question draws the question near the bottom of its screen with its
 * options under it.  Two shapes cover today's agents:
 *
 *   - a numbered list with a selection marker ("❯ 1. Yes", "● 1. Allow
 *     once", "› 1. Yes, proceed"), the question a few lines above it;
 *   - a yes/no line ("Do you want to allow this? (y/n)");
 *   - a row of buttons, an approving one first and a refusing one last
 *     ("Allow once   Allow always   Reject", opencode), chosen with
 *     Right from the first and Enter;
 *   - a row of lettered buttons ("[A]llow [D]eny", Auggie), chosen by
 *     typing the letter.
 *
 * aa_prompt_detect() reads the screen text (lines split on "\n", as the
 * conversation tracker sees it) and fills a struct aa_prompt with the
 * kind, the question and the options.  It is pure: no clock, no I/O, and
 * every output field is bounded (long labels are cut on a UTF-8
 * boundary).  The agent's rules (struct aa_prompt_rules, from agents/)
 * say how its dialogs are answered; aa_prompt_answer() turns a chosen
 * option into the keystrokes to type.
 *
 * A numbered list without a selection marker is not a prompt: an agent's
 * reply may end with an ordinary markdown list, and typing a digit into
 * the input box would be wrong.
 */
#ifndef AA_PROMPT_H
#define AA_PROMPT_H

#include <stddef.h>

#include "base/buf.h"

#define AA_PROMPT_MAX_OPTIONS 12
#define AA_PROMPT_LABEL_MAX 160
#define AA_PROMPT_KEY_MAX 8
#define AA_PROMPT_QUESTION_MAX 512

enum aa_prompt_kind {
	AA_PROMPT_NONE = 0,
	AA_PROMPT_PERMISSION,  /* run a tool, edit a file, fetch a URL */
	AA_PROMPT_CHOICE,      /* pick one of several answers */
	AA_PROMPT_CONFIRM,     /* yes or no, nothing to permit */
	AA_PROMPT_TRUST,       /* trust this folder */
	AA_PROMPT_LOGIN,       /* sign in, API key */
	AA_PROMPT_TEXT         /* free text asked for */
};

enum aa_prompt_shape {
	AA_PROMPT_LIST = 1,    /* numbered options, one highlighted */
	AA_PROMPT_YESNO,       /* a "(y/n)" line */
	AA_PROMPT_ROW,         /* buttons on one line: "Allow once   Reject" */
	AA_PROMPT_KEYS         /* lettered buttons: "[A]llow [D]eny" */
};

/* How an agent's list dialogs take an answer. */
enum aa_prompt_answer {
	AA_ANSWER_ARROWS = 0,  /* up/down from the highlighted option, Enter */
	AA_ANSWER_DIGIT,       /* the option's digit alone */
	AA_ANSWER_DIGIT_ENTER  /* the digit, then Enter */
};

struct aa_prompt_option {
	char key[AA_PROMPT_KEY_MAX];       /* "1", "2"...; "y", "n" */
	char label[AA_PROMPT_LABEL_MAX];
};

struct aa_prompt {
	enum aa_prompt_kind kind;
	enum aa_prompt_shape shape;
	char question[AA_PROMPT_QUESTION_MAX];
	struct aa_prompt_option opts[AA_PROMPT_MAX_OPTIONS];
	size_t nopts;
	int selected;                     /* highlighted option, -1 unknown */
};

/* An agent's prompt rules; a zeroed struct means the defaults. */
struct aa_prompt_rules {
	enum aa_prompt_answer answer;     /* list dialogs */
	int yesno_no_enter;               /* y/n taken without Enter */
	size_t max_tail;                  /* lines allowed under the options;
	                                   * 0 = AA_PROMPT_TAIL_DEFAULT */
};

#define AA_PROMPT_TAIL_DEFAULT 8

/* Looks for a prompt on the screen; returns 1 and fills *out when one is
 * there, 0 (and a zeroed *out) when not.  rules may be NULL. */
int aa_prompt_detect(const char *screen, size_t len,
    const struct aa_prompt_rules *rules, struct aa_prompt *out);
/* Returns non-zero when a and b ask the same question with the same
 * options (a countdown or a moved highlight is the same prompt). */
int aa_prompt_same(const struct aa_prompt *a, const struct aa_prompt *b);
/* Finds the option a user named: its key ("2", "y") or its label (case
 * ignored; a unique prefix will do).  Returns its index or -1. */
int aa_prompt_find(const struct aa_prompt *p, const char *choice);
/* Appends the keystrokes that choose option idx to out. */
int aa_prompt_answer(const struct aa_prompt *p, size_t idx,
    const struct aa_prompt_rules *rules, struct aa_buf *out);
/* "permission", "choice"...; NULL for AA_PROMPT_NONE. */
const char *aa_prompt_kind_name(enum aa_prompt_kind k);

#endif /* AA_PROMPT_H */
