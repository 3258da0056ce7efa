/*
 * log.h - aa_log: the library's one logger.
 *
 * A module that logs keeps a struct aa_log (where its lines go) and writes
 * AA_LOG(&log, level, fmt, ...).  The line is formatted once, here, into a
 * bounded buffer, and handed on as a record {level, func, msg} with the
 * logging function's name in a field of its own (tmux's
 * log_debug("%s: ...", __func__), without anyone having to cut it off the
 * line again).  A sink passes records to a record callback, or to the
 * public line logger of include/agentapi.h (aa_log_fn) as one line
 * "func: msg", as that header promises.  A zeroed sink is silent.
 *
 * Log text is one line by convention, not by force: the record carries
 * what the caller formatted, cut at AA_LOG_MAX - 1 bytes.
 */
#ifndef AA_LOG_H
#define AA_LOG_H

#include <stdarg.h>

#include "agentapi.h"

/* Longest line, "func: " included, plus its NUL. */
#define AA_LOG_MAX 4096

/* One log line. */
struct aa_log_record {
	int level;	  /* enum aa_log_level (or the sink's own scale) */
	const char *func; /* the function that logged */
	const char *msg;  /* the text, without the function's name */
};

/* Takes one record; r and its strings are valid during the call only. */
typedef void (*aa_log_record_fn)(void *ud, const struct aa_log_record *r);

/* Where log lines go: records to record if set, else "func: msg" lines
 * to line if set, else nowhere. */
struct aa_log {
	aa_log_record_fn record;
	aa_log_fn line;
	void *ud;
};

/* Returns non-zero when lines sent to lg go somewhere. */
int aa_log_enabled(const struct aa_log *lg);
/* Formats one line and hands it to lg (lg NULL or silent: nothing). */
void aa_log_printf(const struct aa_log *lg, int level, const char *func,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with a va_list. */
void aa_log_vprintf(const struct aa_log *lg, int level, const char *func,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* Logs from the calling function: AA_LOG(&s->log, AA_LOG_INFO, "x=%d", x). */
#define AA_LOG(lg, level, ...)                                                 \
	aa_log_printf((lg), (level), __func__, __VA_ARGS__)

#endif /* AA_LOG_H */
