/* test_error.c - the status enum and dcs_strerror() stay in sync. */
#include "testutil.h"

#include "core/error.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_covers_every_status),
        cmocka_unit_test(test_error_set_and_prefix),
    };
    return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
