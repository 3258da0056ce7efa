/*
 * error.h - the error table: one row per AA_E* code the library returns.
 *
 * Each row says, once, everything the library tells people about a code
 * (libuv's UV_ERRNO_MAP in spirit): the code; the HTTP status and the
 * problem+json "detail" the API answers a failed send with; the message,
 * which is aa_strerror's text and upstream's error string where it has
 * one; and how the send pipeline words the failure of a user message.
 * Upstream wraps errors from its sender loop in "failed to send message: "
 * but returns its validation errors (busy, empty) bare, and its HTTP
 * handler wraps whatever it got once more, which is why a timeout reads
 * "failed to send message: failed to send message: failed to wait ..."
 * (../shared/spec/http.md §3.3).  aa_strerror, aa_session_send_error and
 * the API's error bodies are generated from this table and nothing else.
 *
 * A code not in the table is described by the system (strerror) if it is
 * a negated errno value, else as "unknown error"; its HTTP answer is 500
 * "unexpected error occurred" and its send wording the bare prefix.
 */
#ifndef AA_ERROR_H
#define AA_ERROR_H

#include "base/aa-internal.h"

/* The prefix upstream's sender loop and HTTP handler put on a failure. */
#define AA_ERROR_SEND_FAILED "failed to send message: "
/* The API's detail for a failure that is not the client's to fix. */
#define AA_ERROR_UNEXPECTED "unexpected error occurred"

/*
 * X(code, HTTP status, detail, message, send wording).  Statuses other
 * than 500 are our deliberate differences from upstream (README): the
 * client, not the server, has to act.
 */
#define AA_ERROR_MAP(X)                                                        \
	X(0, 200, "OK", "success", "ok")                                       \
	X(AA_ENOMEM, 500, AA_ERROR_UNEXPECTED, "out of memory",                \
	    "failed to send message")                                          \
	X(AA_EINVAL, 500, AA_ERROR_UNEXPECTED, "invalid argument",             \
	    "failed to send message")                                          \
	X(AA_ENOENT, 500, AA_ERROR_UNEXPECTED, "no such file or directory",    \
	    "failed to send message")                                          \
	X(AA_EIO, 500, AA_ERROR_UNEXPECTED, "input/output error",              \
	    AA_ERROR_SEND_FAILED "failed to write message part")               \
	X(AA_EAGAIN, 503, "the agent is not reading its input",                \
	    "resource temporarily unavailable",                                \
	    "the agent is not reading its input")                              \
	X(AA_ETIMEDOUT, 500, AA_ERROR_UNEXPECTED,                              \
	    "timeout waiting for condition", "failed to send message")         \
	X(AA_ECANCELED, 500, AA_ERROR_UNEXPECTED, "context canceled",          \
	    AA_ERROR_SEND_FAILED "context canceled")                           \
	X(AA_E2BIG, 500, AA_ERROR_UNEXPECTED, "too large",                     \
	    "failed to send message")                                          \
	X(AA_EBUSY, 409, "the agent is not waiting for user input",            \
	    "message can only be sent when the agent is waiting for user "     \
	    "input",                                                           \
	    "message can only be sent when the agent is waiting for user "     \
	    "input")                                                           \
	X(AA_EEMPTY, 422, "validation failed", "message must not be empty",    \
	    "message must not be empty")                                       \
	X(AA_EUNTRIMMED, 500, AA_ERROR_UNEXPECTED,                             \
	    "message must be trimmed of leading and trailing whitespace",      \
	    "message must be trimmed of leading and trailing whitespace")      \
	X(AA_EEXITED, 503, "the agent has exited", "the agent has exited",     \
	    AA_ERROR_SEND_FAILED "the agent has exited")                       \
	X(AA_ENOREACT, 504, "the agent did not react to the message",          \
	    "failed to wait for processing to start: timeout waiting for "     \
	    "condition",                                                       \
	    AA_ERROR_SEND_FAILED "failed to wait for processing to start: "    \
	    "timeout waiting for condition")                                   \
	X(AA_ECORRUPT, 500, AA_ERROR_UNEXPECTED, "corrupted or invalid JSON",  \
	    "failed to send message")                                          \
	X(AA_EVERSION, 500, AA_ERROR_UNEXPECTED,                               \
	    "unsupported state file version", "failed to send message")        \
	/* The file system's refusals, for a failed save, in Go's words. */   \
	X(-ENOSPC, 500, AA_ERROR_UNEXPECTED, "no space left on device",        \
	    "failed to send message")                                          \
	X(-EROFS, 500, AA_ERROR_UNEXPECTED, "read-only file system",           \
	    "failed to send message")                                          \
	X(-EDQUOT, 500, AA_ERROR_UNEXPECTED, "disk quota exceeded",            \
	    "failed to send message")                                          \
	X(-EACCES, 500, AA_ERROR_UNEXPECTED, "permission denied",              \
	    "failed to send message")                                          \
	X(-EPERM, 500, AA_ERROR_UNEXPECTED, "operation not permitted",         \
	    "failed to send message")                                          \
	X(-EEXIST, 500, AA_ERROR_UNEXPECTED, "file exists",                    \
	    "failed to send message")                                          \
	X(-ENOTDIR, 500, AA_ERROR_UNEXPECTED, "not a directory",               \
	    "failed to send message")                                          \
	X(-EISDIR, 500, AA_ERROR_UNEXPECTED, "is a directory",                 \
	    "failed to send message")                                          \
	X(-ELOOP, 500, AA_ERROR_UNEXPECTED, "too many levels of symbolic links", \
	    "failed to send message")                                          \
	X(-ENAMETOOLONG, 500, AA_ERROR_UNEXPECTED, "file name too long",       \
	    "failed to send message")                                          \
	X(-EFBIG, 500, AA_ERROR_UNEXPECTED, "file too large",                  \
	    "failed to send message")                                          \
	X(-EMFILE, 500, AA_ERROR_UNEXPECTED, "too many open files",            \
	    "failed to send message")                                          \
	X(-ENFILE, 500, AA_ERROR_UNEXPECTED, "too many open files in system",  \
	    "failed to send message")                                          \
	X(-EXDEV, 500, AA_ERROR_UNEXPECTED, "invalid cross-device link",       \
	    "failed to send message")                                          \
	X(-EBADF, 500, AA_ERROR_UNEXPECTED, "bad file descriptor",             \
	    "failed to send message")                                         

/* Returns the HTTP status the API answers a failed send with. */
int aa_error_http_status(int err);
/* Returns the problem+json "detail" that goes with that status. */
const char *aa_error_http_detail(int err);
/* Returns how the send pipeline words a failed user message (upstream's
 * text, before the HTTP handler's own "failed to send message: "). */
const char *aa_error_send_text(int err);

#endif /* AA_ERROR_H */
