/*
 * test-error.c - the error table: aa_strerror, the send wording and the
 * API's status and detail, against upstream's texts (spec http.md §3.3)
 * and README's deliberate status differences.
 */
#include <string.h>

#include "test.h"

#include "base/aa-internal.h"
#include "base/error.h"

/* Every code the library returns has its own text, none "unknown". */
TEST(error_strerror_texts)
{
	static const int codes[] = { AA_ENOMEM, AA_EINVAL, AA_ENOENT, AA_EIO,
		AA_EAGAIN, AA_ETIMEDOUT, AA_ECANCELED, AA_E2BIG, AA_EBUSY,
		AA_EEMPTY, AA_EUNTRIMMED, AA_EEXITED, AA_ENOREACT, AA_ECORRUPT,
		AA_EVERSION };
	size_t i, j;

	ASSERT_STR_EQ(aa_strerror(0), "success");
	ASSERT_STR_EQ(aa_strerror(AA_ECANCELED), "context canceled");
	ASSERT_STR_EQ(aa_strerror(AA_ETIMEDOUT),
	    "timeout waiting for condition");
	ASSERT_STR_EQ(aa_strerror(AA_ENOREACT),
	    "failed to wait for processing to start: timeout waiting for "
	    "condition");
	ASSERT_STR_EQ(aa_strerror(AA_EBUSY),
	    "message can only be sent when the agent is waiting for user "
	    "input");
	for (i = 0; i < AA__ARRAY_SIZE(codes); i++) {
		ASSERT(strcmp(aa_strerror(codes[i]), "unknown error") != 0);
		for (j = 0; j < i; j++)
			ASSERT(strcmp(aa_strerror(codes[i]),
			    aa_strerror(codes[j])) != 0);
	}
}

/* A negated errno value outside the table gets the system's reason; a
 * code that is neither ours nor an errno value is "unknown error". */
TEST(error_strerror_system_and_unknown)
{
	/* File-system refusals have rows of their own, in Go's words. */
	ASSERT_STR_EQ(aa_strerror(-EPERM), "operation not permitted");
	ASSERT_STR_EQ(aa_strerror(-ENOSPC), "no space left on device");
	/* Anything else: the C library's reason. */
	ASSERT_STR_EQ(aa_strerror(-ENOTCONN),
	    "Transport endpoint is not connected");
	ASSERT_STR_EQ(aa_strerror(-EADDRINUSE), "Address already in use");
	ASSERT_STR_EQ(aa_strerror(-3999), "unknown error");
	ASSERT_STR_EQ(aa_strerror(-4000), "unknown error");
	ASSERT_STR_EQ(aa_strerror(-4999), "unknown error");
	ASSERT_STR_EQ(aa_strerror(1), "unknown error");
	ASSERT_STR_EQ(aa_strerror(EPERM), "unknown error");
}

/* The sender loop's wording: validation errors bare, the loop's own
 * failures behind "failed to send message: ", anything else the bare
 * prefix (upstream's %w chains). */
TEST(error_send_text)
{
	ASSERT_STR_EQ(aa_error_send_text(0), "ok");
	ASSERT_STR_EQ(aa_error_send_text(AA_EEMPTY),
	    "message must not be empty");
	ASSERT_STR_EQ(aa_error_send_text(AA_EBUSY), aa_strerror(AA_EBUSY));
	ASSERT_STR_EQ(aa_error_send_text(AA_EUNTRIMMED),
	    aa_strerror(AA_EUNTRIMMED));
	ASSERT_STR_EQ(aa_error_send_text(AA_ENOREACT),
	    "failed to send message: failed to wait for processing to start: "
	    "timeout waiting for condition");
	ASSERT_STR_EQ(aa_error_send_text(AA_EEXITED),
	    "failed to send message: the agent has exited");
	ASSERT_STR_EQ(aa_error_send_text(AA_EAGAIN),
	    "the agent is not reading its input");
	ASSERT_STR_EQ(aa_error_send_text(AA_ECANCELED),
	    "failed to send message: context canceled");
	ASSERT_STR_EQ(aa_error_send_text(AA_EIO),
	    "failed to send message: failed to write message part");
	ASSERT_STR_EQ(aa_error_send_text(AA_ENOMEM), "failed to send message");
	ASSERT_STR_EQ(aa_error_send_text(-EPERM), "failed to send message");
	ASSERT_STR_EQ(aa_error_send_text(-4999), "failed to send message");
}

/* Busy is 409, empty 422, exited or not reading 503, no reaction 504;
 * everything else is the server's 500 "unexpected error occurred"
 * (README, "differs from upstream"). */
TEST(error_http_status_and_detail)
{
	static const int others[] = { AA_ENOMEM, AA_EINVAL, AA_EIO,
		AA_ECANCELED, AA_EUNTRIMMED, AA_ECORRUPT, -EPERM,
		-4999 };
	size_t i;

	ASSERT_EQ(aa_error_http_status(AA_EBUSY), 409);
	ASSERT_STR_EQ(aa_error_http_detail(AA_EBUSY),
	    "the agent is not waiting for user input");
	ASSERT_EQ(aa_error_http_status(AA_EEMPTY), 422);
	ASSERT_STR_EQ(aa_error_http_detail(AA_EEMPTY), "validation failed");
	ASSERT_EQ(aa_error_http_status(AA_EEXITED), 503);
	ASSERT_STR_EQ(aa_error_http_detail(AA_EEXITED),
	    "the agent has exited");
	ASSERT_EQ(aa_error_http_status(AA_EAGAIN), 503);
	ASSERT_STR_EQ(aa_error_http_detail(AA_EAGAIN),
	    "the agent is not reading its input");
	ASSERT_EQ(aa_error_http_status(AA_ENOREACT), 504);
	ASSERT_STR_EQ(aa_error_http_detail(AA_ENOREACT),
	    "the agent did not react to the message");
	for (i = 0; i < AA__ARRAY_SIZE(others); i++) {
		ASSERT_EQ(aa_error_http_status(others[i]), 500);
		ASSERT_STR_EQ(aa_error_http_detail(others[i]),
		    "unexpected error occurred");
	}
}

/* ORing two codes makes a third; AA__FIRST_ERROR keeps the first and
 * still evaluates every call. */
static int calls;

static int
fails_with(int rc)
{
	calls++;
	return rc;
}

TEST(error_first_error_keeps_the_first)
{
	int rc = 0;

	ASSERT_EQ(AA_ENOMEM | AA_EINVAL, AA_ENOENT);
	AA__FIRST_ERROR(rc, fails_with(0));
	ASSERT_EQ(rc, 0);
	AA__FIRST_ERROR(rc, fails_with(AA_ENOMEM));
	AA__FIRST_ERROR(rc, fails_with(AA_EINVAL));
	AA__FIRST_ERROR(rc, fails_with(0));
	ASSERT_EQ(rc, AA_ENOMEM);
	ASSERT_EQ(calls, 4);
}
