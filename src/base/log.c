/*
 * log.c - formatting a log line once and handing it to its sink.
 *
 * The line is built as "func: msg" in one stack buffer; a record sink gets
 * pointers into it (the function's name separately, the message after
 * the ": "), a line sink gets the whole buffer.  Nothing is allocated, so
 * logging works when memory has run out.
 */
#include <stdio.h>
#include <string.h>

#include "base/aa-internal.h"
#include "base/log.h"

int
aa_log_enabled(const struct aa_log *lg)
{
	return lg != NULL && (lg->record != NULL || lg->line != NULL);
}

void
aa_log_vprintf(const struct aa_log *lg, int level, const char *func,
    const char *fmt, va_list ap)
{
	char line[AA_LOG_MAX];
	struct aa_log_record r;
	size_t n;

	if (!aa_log_enabled(lg))
		return;
	if (func == NULL)
		func = "";
	/* The name is ours (__func__), so it always fits; cut it anyway
	 * rather than trust that. */
	n = strnlen(func, sizeof(line) / 2);
	memcpy(line, func, n);
	memcpy(line + n, ": ", 2);
	line[n + 2] = '\0';
	if (vsnprintf(line + n + 2, sizeof(line) - n - 2, fmt, ap) < 0)
		line[n + 2] = '\0';
	if (lg->record != NULL) {
		line[n] = '\0';
		r.level = level;
		r.func = line;
		r.msg = line + n + 2;
		lg->record(lg->ud, &r);
	} else
		lg->line(lg->ud, level, line);
}

void
aa_log_printf(const struct aa_log *lg, int level, const char *func,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	aa_log_vprintf(lg, level, func, fmt, ap);
	va_end(ap);
}
