/*
 * test_report_limits.c - the warnings for what Excel's row limit keeps out
 * of the workbook (dcs_report_xlsx_limits).  Reference: Excel's published
 * sheet size of 1,048,576 rows, one of which is the header.  The result is
 * built by hand (no run): only the counts matter.
 */
#include "testutil.h"

#include "report_xlsx.h"
#include "pipeline/run.h"

static void limits_capped(size_t nsites, size_t neligible, int xlsx, size_t xlsx_rows,
                          dcs_warnings *out)
{
    dcs_scenario scn;
    dcs_result res;
    memset(&scn, 0, sizeof scn);
    memset(&res, 0, sizeof res);
    scn.outputs.xlsx = xlsx;
    scn.outputs.xlsx_rows = xlsx_rows;
    res.scn = &scn;
    res.sites.n = nsites;
    res.eval.neligible = neligible;
    dcs_report_xlsx_limits(&res);
    *out = res.warnings;
}

static void limits(size_t nsites, size_t neligible, int xlsx, dcs_warnings *out)
{
    limits_capped(nsites, neligible, xlsx, 0, out);
}

static void test_both_sheets_cut(void **state)
{
    (void)state;
    dcs_warnings w;
    limits(3000000, 1500000, 1, &w);
    assert_int_equal(w.count, 2);
    assert_int_equal(w.items[0].code, DCS_WARN_WORKBOOK_ROWS);
    assert_contains(w.items[0].message, "'Ranking' holds the first 1048575 of 1500000 eligible sites");
    assert_contains(w.items[1].message, "'Excluded' holds the first 1048575 of 1500000 excluded sites");
    dcs_warnings_free(&w);
}

static void test_at_the_limit_nothing_is_cut(void **state)
{
    (void)state;
    dcs_warnings w;
    limits(2097150, 1048575, 1, &w); /* both sheets exactly full */
    assert_int_equal(w.count, 0);
    dcs_warnings_free(&w);
    limits(2097151, 1048575, 1, &w); /* one excluded site too many */
    assert_int_equal(w.count, 1);
    assert_contains(w.items[0].message, "'Excluded' holds the first 1048575 of 1048576 excluded sites");
    dcs_warnings_free(&w);
}

static void test_no_workbook_no_warning(void **state)
{
    (void)state;
    dcs_warnings w;
    limits(3000000, 1500000, 0, &w);
    assert_int_equal(w.count, 0);
    dcs_warnings_free(&w);
}

/* outputs.xlsx_rows below Excel's limit: the sheets hold what was asked,
 * no warning; at the limit (its largest value) Excel's cut still warns. */
static void test_asked_for_fewer_rows_no_warning(void **state)
{
    (void)state;
    dcs_warnings w;
    limits_capped(3000000, 1500000, 1, 1000, &w);
    assert_int_equal(w.count, 0);
    dcs_warnings_free(&w);
    limits_capped(3000000, 1500000, 1, DCS_XLSX_ROWS_MAX, &w);
    assert_int_equal(w.count, 2);
    assert_contains(w.items[0].message, "(Excel's row limit)");
    dcs_warnings_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_sheets_cut),
        cmocka_unit_test(test_at_the_limit_nothing_is_cut),
        cmocka_unit_test(test_no_workbook_no_warning),
        cmocka_unit_test(test_asked_for_fewer_rows_no_warning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
