/*
 * spawn.h - the agent's process from fork() to exec.
 *
 * aa_spawn_prepare builds, before fork(), everything the child needs:
 * the program found in PATH by execvp's rules, argv, a "sh PATH args"
 * argv for scripts without a #! line (ENOEXEC), and envp with TERM
 * replaced.  aa_spawn_child is the child's side after vfork(): it calls
 * async-signal-safe functions only, writes no memory but its own frames
 * (the parent's is borrowed until exec) and never returns.  runtime/pty.c
 * opens the PTY, vforks and supervises.
 */
#ifndef AA_SPAWN_H
#define AA_SPAWN_H

/* TERM for the child when the caller names none. */
#define AA_SPAWN_DEFAULT_TERM "xterm-256color"

/* What the child needs, built before fork(). */
struct aa_spawn_prep {
	char *path;    /* resolved program */
	char **argv;   /* the caller's argv (pointers only) */
	char **shargv; /* "sh" path argv[1..]: the ENOEXEC fallback */
	char **envp;   /* pointers into env plus termvar */
	char *termvar; /* "TERM=..." */
	const char *cwd; /* the child's working directory (the caller's
			  * string); NULL: ours */
};

/*
 * Resolves name the way execvp would, but before fork(): a name with a
 * slash is used as is, otherwise the first executable regular file in
 * PATH wins (an empty element is the current directory).  *pathp is
 * malloc'd.  Returns AA_ENOENT, or AA__ERR(EACCES) when only
 * non-executable candidates were found.
 */
int aa_spawn_find_program(const char *name, char **pathp);
/*
 * Fills pp for argv (argv[0] is looked up), env (NULL: the parent's
 * environ; its TERM entries are dropped) and term (NULL:
 * AA_SPAWN_DEFAULT_TERM).  pp points into argv and env, which must
 * outlive it.  Returns 0, AA_ENOMEM or aa_spawn_find_program's error;
 * aa_spawn_release is due in every case.
 */
int aa_spawn_prepare(const char *const *argv, const char *const *env,
    const char *term, struct aa_spawn_prep *pp);
/* Frees what aa_spawn_prepare allocated. */
void aa_spawn_release(struct aa_spawn_prep *pp);
/*
 * The child between fork() and exec: resets every signal to its default
 * and unblocks them, closes master, makes slave its controlling terminal
 * and fds 0-2, moves errfd (CLOEXEC) to fd 3 and closes the rest, then
 * executes pp.  On failure it writes errno to errfd and _exit(127)s.
 */
void aa_spawn_child(int master, int slave, int errfd,
    const struct aa_spawn_prep *pp) __attribute__((noreturn));

#endif /* AA_SPAWN_H */
