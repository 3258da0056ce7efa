/*
 * test-keys.c - aa_keys: every named key's bytes, application cursor
 * mode, the ctrl letters and the names that are not keys.
 */
#include "test.h"

#include "agentapi.h"
#include "base/buf.h"
#include "core/keys.h"

static const char *
enc(struct aa_buf *b, const char *name, int app)
{
	aa_buf_reset(b);
	if (aa_keys_encode(name, app, b) != 0)
		return NULL;
	return aa_buf_str(b);
}

TEST(keys_named)
{
	struct aa_buf b;

	aa_buf_init(&b);
	ASSERT_STR_EQ(enc(&b, "enter", 0), "\r");
	ASSERT_STR_EQ(enc(&b, "esc", 0), "\x1b");
	ASSERT_STR_EQ(enc(&b, "tab", 0), "\t");
	ASSERT_STR_EQ(enc(&b, "shift-tab", 0), "\x1b[Z");
	ASSERT_STR_EQ(enc(&b, "backspace", 0), "\x7f");
	ASSERT_STR_EQ(enc(&b, "up", 0), "\x1b[A");
	ASSERT_STR_EQ(enc(&b, "left", 0), "\x1b[D");
	ASSERT_STR_EQ(enc(&b, "page-down", 0), "\x1b[6~");
	ASSERT_STR_EQ(enc(&b, "f1", 0), "\x1bOP");
	ASSERT_STR_EQ(enc(&b, "f5", 0), "\x1b[15~");
	ASSERT_STR_EQ(enc(&b, "f12", 0), "\x1b[24~");
	aa_buf_release(&b);
}

TEST(keys_application_cursor)
{
	struct aa_buf b;

	aa_buf_init(&b);
	ASSERT_STR_EQ(enc(&b, "up", 1), "\x1bOA");
	ASSERT_STR_EQ(enc(&b, "home", 1), "\x1bOH");
	/* Keys without an application form do not change. */
	ASSERT_STR_EQ(enc(&b, "enter", 1), "\r");
	ASSERT_STR_EQ(enc(&b, "page-up", 1), "\x1b[5~");
	aa_buf_release(&b);
}

TEST(keys_ctrl_letters)
{
	struct aa_buf b;

	aa_buf_init(&b);
	ASSERT_STR_EQ(enc(&b, "ctrl-a", 0), "\x01");
	ASSERT_STR_EQ(enc(&b, "ctrl-c", 0), "\x03");
	ASSERT_STR_EQ(enc(&b, "ctrl-z", 0), "\x1a");
	ASSERT_NULL(enc(&b, "ctrl-", 0));
	ASSERT_NULL(enc(&b, "ctrl-A", 0));
	ASSERT_NULL(enc(&b, "ctrl-ab", 0));
	ASSERT_NULL(enc(&b, "ctrl-1", 0));
	aa_buf_release(&b);
}

TEST(keys_unknown)
{
	struct aa_buf b;

	aa_buf_init(&b);
	ASSERT_EQ(aa_keys_encode("Enter", 0, &b), AA_ENOENT);
	ASSERT_EQ(aa_keys_encode("", 0, &b), AA_ENOENT);
	ASSERT_EQ(aa_keys_encode("f13", 0, &b), AA_ENOENT);
	ASSERT_EQ(b.len, 0);
	ASSERT_EQ(aa_keys_names(&b), 0);
	ASSERT(strstr(aa_buf_str(&b), "enter, esc, tab, shift-tab") != NULL);
	ASSERT(strstr(aa_buf_str(&b), "ctrl-a ... ctrl-z") != NULL);
	aa_buf_release(&b);
}
