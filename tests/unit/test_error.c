/* test_error.c - the status enum and dcs_strerror() stay in sync; so do
 * the warning codes and their names. */
#include "testutil.h"

#include "core/error.h"
#include "core/warning.h"

/* Every status has its own description, none is the fallback text. */
static void test_strerror_covers_every_status(void **state)
{
    (void)state;
    for (int s = 0; s < DCS_STATUS_COUNT; s++) {
        const char *text = dcs_strerror((dcs_status)s);
        assert_non_null(text);
        assert_string_not_equal(text, "unknown status");
        for (int t = 0; t < s; t++)
            assert_string_not_equal(text, dcs_strerror((dcs_status)t));
    }
    assert_string_equal(dcs_strerror(DCS_STATUS_COUNT), "unknown status");
    assert_string_equal(dcs_strerror((dcs_status)-1), "unknown status");
}

static void test_error_set_and_prefix(void **state)
{
    (void)state;
    dcs_error e;
    dcs_error_clear(&e);
    assert_int_equal(e.status, DCS_OK);
    assert_int_equal(dcs_error_set(&e, DCS_ERR_DATA, "field '%s' not found", "kv"), DCS_ERR_DATA);
    dcs_error_prefix(&e, "layer '%s': ", "subs");
    assert_string_equal(e.message, "layer 'subs': field 'kv' not found");
    assert_int_equal(e.status, DCS_ERR_DATA);
}

/* Every warning code has its own name (a JSON key: lower case, digits and
 * '_'); out of range is "unknown". */
static void test_warning_names_cover_every_code(void **state)
{
    (void)state;
    for (int k = 0; k < DCS_WARN_CODE_COUNT; k++) {
        const char *name = dcs_warning_code_name((dcs_warning_code)k);
        assert_string_not_equal(name, "unknown");
        assert_int_equal(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_"), strlen(name));
        for (int j = 0; j < k; j++)
            assert_string_not_equal(name, dcs_warning_code_name((dcs_warning_code)j));
    }
    assert_string_equal(dcs_warning_code_name(DCS_WARN_CODE_COUNT), "unknown");
    assert_string_equal(dcs_warning_code_name((dcs_warning_code)-1), "unknown");
}

/* A record keeps its code, layer, message and plain sentence; the text is
 * the plain sentence when there is one. */
static void test_warning_records(void **state)
{
    (void)state;
    dcs_warnings w = {0};
    for (int i = 0; i < 20; i++) /* past the first growth */
        assert_non_null(dcs_warn(&w, DCS_WARN_LAYER_EMPTY, i % 2 ? NULL : "flood", "n=%d", i));
    dcs_warning_plain(&w.items[3], "plain %s", "words");
    dcs_warning_plain(NULL, "ignored");
    assert_int_equal(w.count, 20);
    assert_string_equal(w.items[2].layer, "flood");
    assert_null(w.items[3].layer);
    assert_string_equal(w.items[19].message, "n=19");
    assert_string_equal(dcs_warning_text(&w.items[3]), "plain words");
    assert_string_equal(dcs_warning_text(&w.items[4]), "n=4");
    dcs_warnings_free(&w);
    assert_int_equal(w.count, 0);
    assert_null(w.items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_covers_every_status),
        cmocka_unit_test(test_warning_names_cover_every_code),
        cmocka_unit_test(test_warning_records),
        cmocka_unit_test(test_error_set_and_prefix),
    };
    return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
