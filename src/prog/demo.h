/*
 * demo.h - the built-in demo agent (`agentapi-c demo`).
 *
 * A small, friendly fake coding agent for trying the server without any
 * LLM account: it prints a banner and a "> " prompt, answers each line it
 * reads with a few lines of text (a markdown list, a fenced code block, a
 * permission question, depending on keywords) after a short "thinking"
 * spinner, and exits on Ctrl-C or end of input.  It is meant to run inside
 * the server's PTY, in canonical mode, receiving messages typed with the
 * agentapi protocol (x BS, bracketed paste, text, paste end, CR).
 */
#ifndef AA_DEMO_H
#define AA_DEMO_H

/* Runs the demo agent on stdin/stdout; returns the process exit status. */
int aa_demo_main(int argc, char **argv);

#endif /* AA_DEMO_H */
