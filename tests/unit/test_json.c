/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/common/json.c: Go's unsigned 64-bit integers through jansson. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/json.h"

static json_t *
load(const char *text, json_error_t *jerr, struct mr_json_big *big)
{
	return mr_json_loadb(text, strlen(text), JSON_REJECT_DUPLICATES, jerr, big);
}

static uint64_t
u64_at(const json_t *root, const char *key, const struct mr_json_big *big)
{
	uint64_t v = 0;
	ck_assert_msg(mr_json_u64(json_object_get(root, key), big, &v), "%s: not a uint64", key);
	return v;
}

START_TEST(test_plain_document)
{
	struct mr_json_big big;
	json_error_t jerr;
	json_t *root = load("{\"a\": 5, \"b\": -1, \"c\": 9223372036854775807}", &jerr, &big);
	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(big.n, 0);
	ck_assert_uint_eq(u64_at(root, "a", &big), 5);
	ck_assert_uint_eq(u64_at(root, "c", &big), INT64_MAX);
	uint64_t v;
	ck_assert(!mr_json_u64(json_object_get(root, "b"), &big, &v)); /* -1 is no uint64 */
	json_decref(root);
}
END_TEST

START_TEST(test_big_integers)
{
	struct mr_json_big big;
	json_error_t jerr;
	json_t *root = load("{\"inf\": 18446744073709551615,\n \"min\": 9223372036854775808, "
			    "\"list\": [18446744069414584320, 1], \"r\": 1.5}",
			    &jerr, &big);
	ck_assert_msg(root != NULL, "%s", jerr.text);
	ck_assert_uint_eq(big.n, 3);
	ck_assert_uint_eq(u64_at(root, "inf", &big), UINT64_MAX);
	ck_assert_uint_eq(u64_at(root, "min", &big), 9223372036854775808ULL);
	uint64_t v;
	ck_assert(mr_json_u64(json_array_get(json_object_get(root, "list"), 0), &big, &v));
	ck_assert_uint_eq(v, 0xffffffff00000000ULL);
	/* Other code sees a real, which every integer reader refuses. */
	ck_assert(json_is_real(json_object_get(root, "inf")));
	ck_assert(!mr_json_u64(json_object_get(root, "r"), &big, &v));
	/* Without the table, a mark is just a real. */
	ck_assert(!mr_json_u64(json_object_get(root, "inf"), NULL, &v));
	json_decref(root);
}
END_TEST

/* runc exec's merge: a tree changed and written out keeps its big integers. */
START_TEST(test_unmark_round_trip)
{
	struct mr_json_big big;
	json_error_t jerr;
	json_t *root = load("{\"s\": \"\\\\u0000 \\\"\\\\u0000\", \"r\": -2e-300, "
			    "\"l\": [18446744073709551615, {\"x\": 9223372036854775808}], "
			    "\"y\": 18446744073709551614}",
			    &jerr, &big);
	ck_assert_ptr_null(root); /* -2e-300 is the second mark: refused */
	root = load("{\"s\": \"\\\\u0000 \\\"\\\\u0000\", \"r\": -1.5, "
		    "\"l\": [18446744073709551615, {\"x\": 9223372036854775808}], "
		    "\"y\": 18446744073709551614}",
		    &jerr, &big);
	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(big.n, 3);
	ck_assert_int_eq(mr_json_unmark(root, &big), 0);
	json_object_set_new(root, "z", json_integer(7));
	char *text = mr_json_dumps_big(root, JSON_COMPACT);
	ck_assert_str_eq(text, "{\"s\":\"\\\\u0000 \\\"\\\\u0000\",\"r\":-1.5,"
			       "\"l\":[18446744073709551615,{\"x\":9223372036854775808}],"
			       "\"y\":18446744073709551614,\"z\":7}");
	json_decref(root);
	root = load(text, &jerr, &big);
	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(u64_at(root, "y", &big), UINT64_MAX - 1);
	free(text);
	json_decref(root);
}
END_TEST

START_TEST(test_refused)
{
	struct mr_json_big big;
	json_error_t jerr;
	/* Above 2^64-1, below -2^63, and a fraction: jansson's own errors, at the text's place. */
	ck_assert_ptr_null(load("{\"a\": 18446744073709551616}", &jerr, &big));
	ck_assert_str_eq(jerr.text, "too big integer near '18446744073709551616'");
	ck_assert_ptr_null(load("[-9223372036854775809]", &jerr, &big));
	ck_assert_str_eq(jerr.text, "too big negative integer near '-9223372036854775809'");
	/* An error after a big integer on its line: the column of the text as given. */
	ck_assert_ptr_null(load("[18446744073709551615, x]", &jerr, &big));
	ck_assert_int_eq(jerr.line, 1);
	ck_assert_int_eq(jerr.column, 24);
	ck_assert_ptr_null(load("[18446744073709551615,\n x]", &jerr, &big));
	ck_assert_int_eq(jerr.line, 2);
	ck_assert_int_eq(jerr.column, 2);
	/* Duplicates are still refused after a rewrite. */
	ck_assert_ptr_null(load("{\"a\": 18446744073709551615, \"a\": 1}", &jerr, &big));
	/* A real of the document that equals a mark is not taken for one. */
	ck_assert_ptr_null(load("[18446744073709551615, -1e-300]", &jerr, &big));
	ck_assert_str_eq(jerr.text,
			 "integers above 2^63-1 next to reals of about -1e-300: not read");
}
END_TEST

/*
 * One parse whatever the number of big integers: a config of 2 MiB of
 * small numbers before 64 big ones cost 64 parses (about 5 s of CPU, a
 * minute under ASan, for a 4 MiB config.json or a 16 MiB profile).
 */
START_TEST(test_one_parse)
{
	size_t small = 1000000, n = small * 2 + MR_JSON_BIG_MAX * 22 + 16;
	char *text = malloc(n), *p = text;
	ck_assert_ptr_nonnull(text);
	p += sprintf(p, "[[1");
	for (size_t i = 1; i < small; i++)
		p += sprintf(p, ",1");
	p += sprintf(p, "]");
	for (size_t i = 0; i < MR_JSON_BIG_MAX; i++)
		p += sprintf(p, ",18446744073709551615");
	strcpy(p, "]");
	struct mr_json_big big;
	json_error_t jerr;
	clock_t t0 = clock();
	json_t *root = load(text, &jerr, &big);
	double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ck_assert_msg(root != NULL, "%s", jerr.text);
	ck_assert_uint_eq(big.n, MR_JSON_BIG_MAX);
	ck_assert_msg(cpu < 2.5, "%.1f s of CPU for one document of %zu bytes", cpu, strlen(text));
	json_decref(root);
	free(text);
}
END_TEST

/* The errors name the text as given: jansson's own, no mark in them. */
START_TEST(test_errors_as_given)
{
	struct mr_json_big big;
	json_error_t jerr;
	ck_assert_ptr_null(load("{\"a\": 1e18446744073709551615}", &jerr, &big));
	ck_assert_str_eq(jerr.text, "real number overflow");
	ck_assert_ptr_null(load("{\"a\": 1}  18446744073709551615", &jerr, &big));
	ck_assert_str_eq(jerr.text, "end of file expected near '18446744073709551615'");
	ck_assert_ptr_null(load("[18446744073709551614, 1]  18446744073709551615", &jerr, &big));
	ck_assert_str_eq(jerr.text, "end of file expected near '18446744073709551615'");
	ck_assert_int_eq(jerr.column, 47);
	/* Digits in strings and keys, also after an escaped quote, are not numbers. */
	json_t *root = load("{\"18446744073709551615\": \"\\\" 18446744073709551615\", "
			    "\"b\": 18446744073709551615}",
			    &jerr, &big);
	ck_assert_msg(root != NULL, "%s", jerr.text);
	ck_assert_uint_eq(big.n, 1);
	ck_assert_str_eq(json_string_value(json_object_get(root, "18446744073709551615")),
			 "\" 18446744073709551615");
	json_decref(root);
}
END_TEST

START_TEST(test_bounded)
{
	/* More than MR_JSON_BIG_MAX: the document is refused, not re-read without end. */
	size_t n = MR_JSON_BIG_MAX + 1;
	char *text = malloc(n * 22 + 3);
	ck_assert_ptr_nonnull(text);
	char *p = text;
	*p++ = '[';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s18446744073709551615", i ? "," : "");
	strcpy(p, "]");
	struct mr_json_big big;
	json_error_t jerr;
	ck_assert_ptr_null(load(text, &jerr, &big));
	ck_assert_str_eq(jerr.text, "too big integer near '18446744073709551615'");
	text[strlen(text) - 22] = ']';
	text[strlen(text) - 21] = '\0';
	json_t *root = load(text, &jerr, &big);
	ck_assert_msg(root != NULL, "%s", jerr.text);
	ck_assert_uint_eq(big.n, MR_JSON_BIG_MAX);
	json_decref(root);
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");
	tcase_add_test(tc, test_plain_document);
	tcase_add_test(tc, test_big_integers);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_unmark_round_trip);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_one_parse);
	tcase_add_test(tc, test_errors_as_given);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
