/* The one text sanitiser (util/text.c) and the one JSON string helper, and
 * the TUI's agreement with them: what the sanitiser drops takes no column. */
#include "config.h"
#include "util/text.h"
#include "util/util.h"
#include "ui/cells.h"
#include "ui/present.h"
#include "ui/confirm.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define EVIL "\x1b]0;pwned\x07\x1b[2J\x9b" "31m\xc2\x9b\xe2\x80\xae\xe2\x81\xa7\xe2\x81\xa9" "evil"

START_TEST(test_clean_rules)
{
	char buf[128];

	text_clean(buf, sizeof(buf), EVIL);
	/* ESC, BEL, C1 (raw 0x9b is not UTF-8: '?'; U+009B dropped), RLO, RLI, PDI dropped */
	ck_assert_str_eq(buf, "]0;pwned[2J?31mevil");
	text_clean(buf, sizeof(buf), "a\tb\nc\rd\x7f" "e\x01" "f");
	ck_assert_str_eq(buf, "a b c def");
	/* valid UTF-8 stays, U+FFFD written by the host stays */
	text_clean(buf, sizeof(buf), "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xef\xbf\xbd");
	ck_assert_str_eq(buf, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xef\xbf\xbd");
	/* overlong, surrogate, beyond U+10FFFF, truncated: one '?' per byte */
	text_clean(buf, sizeof(buf), "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82");
	ck_assert_str_eq(buf, "??|???|????|??");
	/* LRM, RLM, ALM dropped too */
	text_clean(buf, sizeof(buf), "x\xe2\x80\x8ey\xe2\x80\x8fz\xd8\x9c!");
	ck_assert_str_eq(buf, "xyz!");
}
END_TEST

START_TEST(test_cut_on_boundary)
{
	char buf[6];
	size_t n;

	/* "ab" + U+65E5 (3 bytes) + "c": 6 bytes do not fit in 5 + NUL */
	n = text_clean(buf, sizeof(buf), "ab\xe6\x97\xa5" "cd");
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(buf, "ab\xe6\x97\xa5");
	n = text_clean(buf, 4, "ab\xe6\x97\xa5" "cd");
	ck_assert_uint_eq(n, 2);     /* not "ab\xe6" */
	ck_assert_str_eq(buf, "ab");
	n = text_clean(buf, 1, "abc");
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(buf, "");
	/* embedded NUL is a C0 control: dropped */
	n = text_clean_n(buf, sizeof(buf), "a\0b", 3);
	ck_assert_str_eq(buf, "ab");
}
END_TEST

START_TEST(test_in_place_and_str_sanitize)
{
	char s[] = EVIL;
	char t[] = "ok \xe2\x80\xae";

	str_sanitize(s);
	ck_assert_str_eq(s, "]0;pwned[2J?31mevil");
	ck_assert(text_is_clean(s));
	ck_assert(!text_is_clean(EVIL));
	ck_assert_str_eq(str_sanitize(t), "ok ");
}
END_TEST

START_TEST(test_json_text)
{
	json_t *v = json_text(EVIL, false);
	char *d;

	ck_assert(json_is_string(v));
	ck_assert_str_eq(json_string_value(v), "]0;pwned[2J?31mevil");
	json_decref(v);
	/* invalid UTF-8 is replaced, never a missing field */
	v = json_text("\xff\xfe name", false);
	ck_assert_str_eq(json_string_value(v), "?? name");
	d = json_dumps(v, JSON_ENCODE_ANY);
	ck_assert_str_eq(d, "\"?? name\"");
	free(d);
	json_decref(v);
	ck_assert(json_is_null(json_text(NULL, false)));
	ck_assert(json_is_null(json_text("", true)));
	v = json_text("", false);
	ck_assert_str_eq(json_string_value(v), "");
	json_decref(v);
}
END_TEST

/* A table row: a hostile name in a 20-column field, then the next column.
 * The TUI drops what the sanitiser drops, so the width it measures is the
 * width it draws, the next column starts where it should, and the text on
 * screen is the sanitised text. */
START_TEST(test_tui_columns)
{
	struct cells c;
	const char *names[] = { EVIL, "plain", "\xe2\x81\xa6iso\xe2\x81\xa9late\xe2\x80\xae", "a\x1b[2Jb" };
	char *row, clean[64];

	cells_init(&c, 40, 1, false);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int w = cells_text_width(&c, names[i]), used;

		cells_clear(&c);
		used = cells_text(&c, 0, 0, 20, ROLE_NORMAL, names[i]);
		cells_text(&c, 20, 0, 5, ROLE_NORMAL, "|NEXT");
		ck_assert_int_eq(used, w < 20 ? w : 20);
		text_clean(clean, sizeof(clean), names[i]);
		ck_assert_int_eq(w, (int)strlen(clean));   /* ASCII after cleaning */
		row = cells_row_text(&c, 0);
		ck_assert_int_eq(strncmp(row, clean, (size_t)used), 0);
		ck_assert_ptr_nonnull(strstr(row, "|NEXT"));
		ck_assert_int_eq((int)(strstr(row, "|NEXT") - row), 20);
		free(row);
	}
	cells_free(&c);
}
END_TEST

/* A new key's plaintext, shown once in the result dialog: when the dialog
 * closes, the presenter's copy of the last frame is wiped (and the next
 * frame repaints everything over it). */
START_TEST(test_secret_frame_forgotten)
{
	struct presenter p;
	struct ui_state st;
	const char *key = "fdk_SECRET0123456789";

	present_init(&p);
	cells_resize(&p.prev, 40, 2);
	cells_text(&p.prev, 2, 1, 30, ROLE_NORMAL, key);
	p.valid = true;
	present_forget(&p);
	ck_assert(!p.valid);
	for (int y = 0; y < 2; y++)
		for (int x = 0; x < 40; x++)
			ck_assert_uint_eq(cells_get(&p.prev, x, y)->ch, 0);
	present_free(&p);

	memset(&st, 0, sizeof(st));
	ck_assert(!confirm_shows_secret(&st));
	st.confirm.mode = CONFIRM_RESULT;
	ck_assert(!confirm_shows_secret(&st));
	str_copy(st.confirm.secret, key, sizeof(st.confirm.secret));
	ck_assert(confirm_shows_secret(&st));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_clean_rules);
	tcase_add_test(tc, test_cut_on_boundary);
	tcase_add_test(tc, test_in_place_and_str_sanitize);
	tcase_add_test(tc, test_json_text);
	tcase_add_test(tc, test_tui_columns);
	tcase_add_test(tc, test_secret_frame_forgotten);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
