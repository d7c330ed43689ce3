/*
 * test_pg_target.c - the table named by --table (report_pg.h): which names
 * are accepted and where the default comes from.  No database is needed;
 * writing to one is tested end to end (tests/e2e/test_postgis.py).
 *
 * The rules checked are the ones docs/postgis.md states: [schema.]table of
 * lower-case ASCII letters, digits and '_', not starting with a digit,
 * table at most 40 characters (PostgreSQL's identifiers hold 63, and
 * "<table>_points_geom_geom_idx" must fit), default schema public, default
 * table the scenario name lower-cased.
 */
#include "testutil.h"

#include "report_pg.h"

static void test_schema_and_table(void **state)
{
    (void)state;
    dcs_pg_target t;
    dcs_error err;
    assert_int_equal(dcs_pg_target_parse("results.dallas_2024", "x", &t, &err), DCS_OK);
    assert_string_equal(t.schema, "results");
    assert_string_equal(t.table, "dallas_2024");
    assert_int_equal(dcs_pg_target_parse("_t1", "x", &t, &err), DCS_OK);
    assert_string_equal(t.schema, "public");
    assert_string_equal(t.table, "_t1");
}

static void test_default_from_scenario_name(void **state)
{
    (void)state;
    dcs_pg_target t;
    dcs_error err;
    assert_int_equal(dcs_pg_target_parse(NULL, "Dallas_100MW", &t, &err), DCS_OK);
    assert_string_equal(t.schema, "public");
    assert_string_equal(t.table, "dallas_100mw");
    assert_int_equal(dcs_pg_target_parse(NULL, "9lives", &t, &err), DCS_ERR_SCENARIO);
    assert_contains(err.message, "\"9lives\"");
    assert_contains(err.message, "--table");
}

static void test_rejected_names(void **state)
{
    (void)state;
    const char *bad[] = {"Results.x", "results.Bad", "a-b", "s.", ".t", "a.b.c", "x y",
                         "t;drop", "\"t\"", "1abc", "",
                         /* 41 characters */
                         "abcdefghijabcdefghijabcdefghijabcdefghijk"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        dcs_pg_target t;
        dcs_error err;
        assert_int_equal(dcs_pg_target_parse(bad[k], "x", &t, &err), DCS_ERR_SCENARIO);
        assert_contains(err.message, "--table");
    }
    dcs_pg_target t;
    dcs_error err;
    /* 40 characters: the longest table accepted */
    assert_int_equal(dcs_pg_target_parse("abcdefghijabcdefghijabcdefghijabcdefghij", "x", &t,
                                         &err),
                     DCS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_and_table),
        cmocka_unit_test(test_default_from_scenario_name),
        cmocka_unit_test(test_rejected_names),
    };
    return cmocka_run_group_tests_name("pg_target", tests, NULL, NULL);
}
