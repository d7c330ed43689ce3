/*
 * test_fields.c - what every report column means (report_fields.h), on the
 * demo run: the columns are the GIS layer's, in its order; titles carry
 * the units of analysis/inputs/model.c's metric table; the direction comes
 * from the demo scenario's value functions (data/scenarios/dallas.json:
 * interconnection linear worst 40 best 0 -> lower is better; grid_headroom
 * rises with headroom -> higher); sources name the scenario's layers.
 */
#include "testutil.h"

#include "core/libctx.h"
#include "pipeline/run.h"
#include "report_fields.h"

static const dcs_field_info *find(const dcs_field_info *f, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(f[k].name, name) == 0)
            return &f[k];
    fail_msg("no field %s", name);
    return NULL;
}

static void test_demo_fields(void **state)
{
    (void)state;
    dcs_scenario scn;
    dcs_result res;
    dcs_error err;
    dcs_init();
    assert_int_equal(dcs_scenario_load("data/scenarios/dallas.json", &scn, NULL, &err), DCS_OK);
    dcs_run_options opt = {.progress = NULL, .threads = 2};
    if (dcs_run(&scn, &opt, &res, &err) != DCS_OK)
        fail_msg("demo run: %s", err.message);
    size_t n = 0;
    dcs_field_info *f = dcs_report_fields(&res, &n);
    assert_non_null(f);
    /* site_id, status, rank, score, reasons, metrics, 2 per criterion,
     * coverage_gaps, lon, lat, centroid_lon, centroid_lat, then the demo's
     * one decision-support section, its portfolio: 5 columns */
    assert_int_equal(n, 5 + res.model.nmetrics + 2 * res.model.ncrits + 5 + 5);
    assert_string_equal(f[0].name, "site_id");
    assert_string_equal(f[5].name, res.model.metrics[0].name);
    assert_string_equal(f[n - 8].name, "lat");
    assert_string_equal(f[n - 6].name, "centroid_lat");
    assert_string_equal(f[n - 5].name, "portfolio_status");
    assert_string_equal(f[n - 1].name, "portfolio_note");
    assert_int_equal(find(f, n, "portfolio_cost_musd")->better, DCS_BETTER_LOWER);
    assert_int_equal(find(f, n, "feasible_alone")->kind, DCS_FIELD_INTEGER);
    const dcs_field_info *ic = find(f, n, "interconnect_cost_musd");
    assert_string_equal(ic->title, "Interconnection cost (M$)");
    assert_string_equal(ic->unit, "M$");
    assert_int_equal(ic->better, DCS_BETTER_LOWER);
    assert_string_equal(ic->source, "substations: dallas.gpkg [substations]");
    assert_int_equal(find(f, n, "substation_headroom_mw")->better, DCS_BETTER_HIGHER);
    assert_int_equal(find(f, n, "substation_kv")->better, DCS_BETTER_NONE);
    assert_string_equal(find(f, n, "score")->title, "Score (0-1)");
    assert_int_equal(find(f, n, "rank")->better, DCS_BETTER_LOWER);
    const dcs_field_info *fl = find(f, n, "flood100_pct");
    assert_string_equal(fl->unit, "%");
    assert_contains(fl->source, "flood100: dallas.gpkg");
    assert_int_equal(find(f, n, "interconnection_contrib")->kind, DCS_FIELD_REAL);
    for (size_t k = 0; k < n; k++) {
        assert_true(f[k].title[0] != '\0');
        assert_true(f[k].meaning[0] != '\0');
    }
    free(f);
    dcs_result_free(&res);
    dcs_scenario_free(&scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_fields),
    };
    return cmocka_run_group_tests_name("fields", tests, NULL, NULL);
}
