/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/common/escape.c: container text made printable, C-style. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/escape.h"

/* LEN bytes of IN escaped with FLAGS must give exactly WANT. */
static void
check_escape(const char *in, size_t len, unsigned flags, const char *want)
{
	char *got = mr_escape(in, len, flags);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

#define ESC(lit, flags, want) check_escape(lit, sizeof(lit) - 1, flags, want)

START_TEST(test_plain)
{
	ESC("", 0, "");
	ESC("/bin/busybox", 0, "/bin/busybox");
	ESC("a b~!#$%&'()*+,-./:;<=>?@[]^_`{|}", 0, "a b~!#$%&'()*+,-./:;<=>?@[]^_`{|}");
}
END_TEST

START_TEST(test_control_characters)
{
	ESC("a\nb", 0, "a\\nb");
	ESC("\t\r\a\b\f\v", 0, "\\t\\r\\a\\b\\f\\v");
	/* The ANSI escape and the other C0 controls, DEL. */
	ESC("\x1b[31mred", 0, "\\x1b[31mred");
	ESC("\x01\x1f\x7f", 0, "\\x01\\x1f\\x7f");
	/* A NUL inside the given length is shown, not an end. */
	ESC("a\0b", 0, "a\\x00b");
}
END_TEST

START_TEST(test_backslash_and_quote)
{
	/* A literal backslash cannot pass for an escape. */
	ESC("a\\nb", 0, "a\\\\nb");
	ESC("say \"hi\"", 0, "say \"hi\"");
	ESC("say \"hi\"", MR_ESCAPE_QUOTE, "say \\\"hi\\\"");
}
END_TEST

START_TEST(test_utf8_kept)
{
	ESC("caf\xc3\xa9", 0, "caf\xc3\xa9");				/* é */
	ESC("\xe6\x97\xa5\xe6\x9c\xac", 0, "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
	ESC("\xf0\x9f\x90\xa7", 0, "\xf0\x9f\x90\xa7");			/* U+1F427 */
	ESC("\xf4\x8f\xbf\xbf", 0, "\xf4\x8f\xbf\xbf");			/* U+10FFFF */
}
END_TEST

START_TEST(test_invalid_utf8)
{
	ESC("\xff\xfe", 0, "\\xff\\xfe");
	/* A lone continuation byte, a truncated sequence (at the end, and before ASCII). */
	ESC("\x80", 0, "\\x80");
	ESC("a\xc3", 0, "a\\xc3");
	ESC("\xe6\x97z", 0, "\\xe6\\x97z");
	/* Overlong forms, a surrogate, past U+10FFFF. */
	ESC("\xc0\xaf", 0, "\\xc0\\xaf");
	ESC("\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf");
	ESC("\xf0\x80\x80\xaf", 0, "\\xf0\\x80\\x80\\xaf");
	ESC("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
	ESC("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80");
	/* Valid text after an invalid byte is kept. */
	ESC("\xff\xc3\xa9", 0, "\\xff\xc3\xa9");
}
END_TEST

START_TEST(test_c1_controls)
{
	/* U+009B is CSI for terminals that read C1 controls in UTF-8. */
	ESC("\xc2\x9b"
	    "31m",
	    0, "\\xc2\\x9b31m");
	ESC("\xc2\x80\xc2\x9f\xc2\xa0", 0, "\\xc2\\x80\\xc2\\x9f\xc2\xa0");
}
END_TEST

START_TEST(test_worst_case_length)
{
	char in[256];
	for (int i = 0; i < 256; i++)
		in[i] = (char)0xff;
	char *got = mr_escape(in, sizeof(in), 0);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(strlen(got), 4 * sizeof(in));
	free(got);
}
END_TEST

START_TEST(test_str)
{
	char *got = mr_escape_str("x\ny", 0);
	ck_assert_str_eq(got, "x\\ny");
	free(got);
}
END_TEST

START_TEST(test_keep_backslash)
{
	ESC("a\\x1b\x1b\n", MR_ESCAPE_KEEP_BACKSLASH, "a\\x1b\\x1b\\n");
}
END_TEST

/* An error message quoting a hostile file stays one line without escape sequences. */
START_TEST(test_error_message_printable)
{
	struct mr_error err = {0};
	mr_error_set(&err, 0, "unknown action \"%s\"", "A\x1b[2J\nminirun: fake\t\x7f\xc2\x9b\\x");
	ck_assert_str_eq(err.msg, "unknown action \"A\\x1b[2J\\nminirun: fake\\t\\x7f\\x9b\\x\"");
	mr_error_wrap(&err, "file \"%s\"", "f\rg");
	ck_assert_str_eq(err.msg, "file \"f\\x0dg\": unknown action \"A\\x1b[2J\\nminirun: "
				  "fake\\t\\x7f\\x9b\\x\"");
	mr_error_set(&err, ENOENT, "%s", "\xc3\xa9\n");
	ck_assert_str_eq(err.msg, "\xc3\xa9\\n: No such file or directory");
}
END_TEST

static Suite *
escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("escape");
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_control_characters);
	tcase_add_test(tc, test_backslash_and_quote);
	tcase_add_test(tc, test_utf8_kept);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_c1_controls);
	tcase_add_test(tc, test_worst_case_length);
	tcase_add_test(tc, test_str);
	tcase_add_test(tc, test_keep_backslash);
	tcase_add_test(tc, test_error_message_printable);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(escape_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
