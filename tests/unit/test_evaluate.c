/*
 * test_evaluate.c - model binding, constraints, value functions, weighted
 * scores and ranking, on hand-made site rows (no GDAL, no geometry).
 *
 * Expected scores are worked out by hand in the comments from the
 * scenario's value functions and weights.
 */
#include "testutil.h"

#include <stdlib.h>

#include "constraints.h"
#include "evaluate.h"
#include "model.h"
#include "scenario.h"
#include "score.h"

/* Two criteria: grid (substation_km, 20 km worst -> 0 km best, weight 3)
 * and land (area_ha, 0 worst -> 50 best, weight 1): normalised 0.75 and
 * 0.25.  Rules: facility_land (area_ha >= 10, from the facility), dry
 * (flood_pct <= 10), zoned (zoning in industrial, commercial). */
static const char *scenario_text =
    "{\"name\": \"t\", \"facility\": {\"it_load_mw\": 40, \"land_ha\": 10},\n"
    " \"sites\": {\"dataset\": \"s.gpkg\", \"attributes\": {\"zoning\": \"zone\"}},\n"
    " \"substations\": {\"dataset\": \"b.gpkg\", \"voltage_field\": \"kv\", \"headroom_field\": "
    "\"mw\"},\n"
    " \"overlays\": [{\"name\": \"flood\", \"dataset\": \"f.gpkg\"}],\n"
    " \"constraints\": [{\"name\": \"dry\", \"metric\": \"flood_pct\", \"max\": 10},\n"
    "   {\"name\": \"zoned\", \"metric\": \"zoning\", \"in\": [\"industrial\", \"commercial\"]}],\n"
    " \"criteria\": [\n"
    "  {\"name\": \"grid\", \"metric\": \"substation_km\", \"weight\": 3,\n"
    "   \"value\": {\"type\": \"linear\", \"worst\": 20, \"best\": 0}},\n"
    "  {\"name\": \"land\", \"metric\": \"area_ha\", \"weight\": 1,\n"
    "   \"value\": {\"type\": \"linear\", \"worst\": 0, \"best\": 50}}]}";

typedef struct {
    dcs_scenario scn;
    dcs_model model;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    dcs_error err;
    dcs_metric_kind kinds[] = {DCS_TEXT};
    if (dcs_scenario_parse(scenario_text, "", "t.json", &f->scn, NULL, &err) != DCS_OK ||
        dcs_model_build(&f->scn, kinds, &f->model, NULL, &err) != DCS_OK) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    dcs_model_free(&f->model);
    dcs_scenario_free(&f->scn);
    free(f);
    return 0;
}

static void test_model_metrics(void **state)
{
    fixture *f = *state;
    const char *names[] = {"area_ha", "substation_km", "substation_kv", "substation_headroom_mw",
                           "substation_id", "flood_pct", "zoning"};
    assert_int_equal(f->model.nmetrics, 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(f->model.metrics[i].name, names[i]);
    assert_int_equal(f->model.nnum, 5);
    assert_int_equal(f->model.ntext, 2);
    assert_int_equal(f->model.metrics[5].col, dcs_model_overlay_col(0));
    assert_int_equal(dcs_model_attr_metric(&f->model, 0), 6);
    /* facility_land comes first, then the scenario's rules */
    assert_int_equal(f->model.nrules, 3);
    assert_string_equal(f->model.rules[0].name, "facility_land");
    assert_near(f->model.rules[0].limit, 10, 0);
    assert_near(f->model.crits[0].weight, 0.75, 1e-15);
    assert_near(f->model.crits[1].weight, 0.25, 1e-15);
}

static void test_model_binding_errors(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"t\", \"facility\": {\"it_load_mw\": 40},\n"
        " \"sites\": {\"dataset\": \"s\", \"attributes\": {\"zoning\": \"z\", \"area_ha\": \"a\"}},\n"
        " \"substations\": {\"dataset\": \"b\", \"voltage_field\": \"kv\", \"headroom_field\": "
        "\"mw\"},\n"
        " \"constraints\": [{\"name\": \"a\", \"metric\": \"zoning\", \"min\": 3},\n"
        "                 {\"name\": \"b\", \"metric\": \"slope\", \"max\": 3}],\n"
        " \"criteria\": [{\"name\": \"c\", \"metric\": \"substation_id\", \"weight\": 1,\n"
        "   \"value\": {\"type\": \"linear\", \"worst\": 0, \"best\": 1}}]}";
    dcs_scenario scn;
    dcs_model model;
    dcs_strlist problems = {0};
    dcs_error err;
    dcs_metric_kind kinds[] = {DCS_TEXT, DCS_NUM};
    assert_int_equal(dcs_scenario_parse(text, "", "t.json", &scn, NULL, &err), DCS_OK);
    assert_int_equal(dcs_model_build(&scn, kinds, &model, &problems, &err), DCS_ERR_SCENARIO);
    assert_int_equal(problems.count, 4);
    assert_string_equal(problems.items[0],
                        "sites.attributes.area_ha: the name is already used by a metric");
    assert_string_equal(problems.items[1],
                        "constraints[0].metric: \"zoning\" is text, this needs a number");
    assert_contains(problems.items[2], "constraints[1].metric: unknown metric \"slope\" (known: "
                                       "area_ha, substation_km,");
    assert_string_equal(problems.items[3],
                        "criteria[0].metric: \"substation_id\" is text, this needs a number");
    dcs_strlist_free(&problems);
    dcs_scenario_free(&scn);
}

static void test_rule_check(void **state)
{
    (void)state;
    char why[256];
    char *set[] = {"industrial", "commercial"};
    dcs_rule min = {"land", 0, DCS_OP_MIN, 10, NULL, 0};
    dcs_rule max = {"dry", 0, DCS_OP_MAX, 10, NULL, 0};
    dcs_rule in = {"zoned", 0, DCS_OP_IN, 0, set, 2};
    dcs_rule out = {"not_res", 0, DCS_OP_NOT_IN, 0, set, 1};
    assert_true(dcs_rule_check(&min, "area_ha", 10, NULL, why, sizeof why)); /* bound included */
    assert_false(dcs_rule_check(&min, "area_ha", 9.5, NULL, why, sizeof why));
    assert_string_equal(why, "land: area_ha 9.5 < min 10");
    assert_true(dcs_rule_check(&max, "flood_pct", 10, NULL, why, sizeof why));
    assert_false(dcs_rule_check(&max, "flood_pct", 35.25, NULL, why, sizeof why));
    assert_string_equal(why, "dry: flood_pct 35.25 > max 10");
    assert_false(dcs_rule_check(&max, "flood_pct", NAN, NULL, why, sizeof why));
    assert_string_equal(why, "dry: flood_pct has no value");
    assert_true(dcs_rule_check(&in, "zoning", NAN, "commercial", why, sizeof why));
    assert_false(dcs_rule_check(&in, "zoning", NAN, "residential", why, sizeof why));
    assert_string_equal(why, "zoned: zoning \"residential\" not in the allowed set");
    assert_false(dcs_rule_check(&in, "zoning", NAN, NULL, why, sizeof why));
    assert_false(dcs_rule_check(&out, "zoning", NAN, "industrial", why, sizeof why));
    assert_true(dcs_rule_check(&out, "zoning", NAN, "commercial", why, sizeof why));
}

static void test_value_functions(void **state)
{
    (void)state;
    dcs_value_fn falling = {DCS_VF_LINEAR, 20, 0}; /* lower is better */
    dcs_value_fn rising = {DCS_VF_LINEAR, 0, 50};  /* higher is better */
    assert_near(dcs_value_fn_eval(&falling, 0), 1, 0);
    assert_near(dcs_value_fn_eval(&falling, 5), 0.75, 1e-15);
    assert_near(dcs_value_fn_eval(&falling, 20), 0, 0);
    assert_near(dcs_value_fn_eval(&falling, 35), 0, 0);  /* clamped */
    assert_near(dcs_value_fn_eval(&falling, -3), 1, 0);  /* clamped */
    assert_near(dcs_value_fn_eval(&rising, 12.5), 0.25, 1e-15);
    assert_true(isnan(dcs_value_fn_eval(&rising, NAN)));
    double v[] = {0.5, NAN, 1.0}, w[] = {0.5, 0.25, 0.25};
    assert_near(dcs_weighted_sum(v, w, 3), 0.5, 1e-15); /* NaN counts 0 */
}

/* Rows: area_ha, substation_km, substation_kv, headroom, flood_pct |
 * substation_id, zoning. */
static void test_evaluate_sites(void **state)
{
    fixture *f = *state;
    const char *ids[] = {"S3", "S1", "S2", "S4", "S0"};
    double num[] = {
        25, 4,   138, 200, 0,   /* S3: grid 0.8, land 0.5 -> 0.6 + 0.125 = 0.725 */
        50, 10,  138, 200, 5,   /* S1: grid 0.5, land 1.0 -> 0.375 + 0.25 = 0.625 */
        5,  1,   138, 200, 60,  /* S2: too small, flooded, residential */
        25, 4,   138, 200, 10,  /* S4: same as S3 -> 0.725, tie broken by id */
        30, NAN, NAN, NAN, 0,   /* S0: no substation: grid 0, land 0.6 -> 0.15 */
    };
    char *text[] = {"A", "industrial", "B", "commercial", "C", "residential",
                    "A", "industrial", NULL, "industrial"};
    dcs_site_rows rows = {5, ids, num, text, 5, 2};
    dcs_evaluation ev;
    dcs_error err;
    assert_int_equal(dcs_evaluate(&f->model, &rows, &ev, &err), DCS_OK);
    assert_int_equal(ev.neligible, 4);
    assert_false(ev.eligible[2]);
    /* every failed rule is recorded, in rule order */
    assert_string_equal(ev.reasons[2], "facility_land: area_ha 5 < min 10; dry: flood_pct 60 > "
                                       "max 10; zoned: zoning \"residential\" not in the allowed "
                                       "set");
    assert_int_equal(ev.failed[2 * 3 + 0] + ev.failed[2 * 3 + 1] + ev.failed[2 * 3 + 2], 3);
    assert_int_equal(ev.rule_fails[0], 1);
    assert_true(isnan(ev.score[2]));
    assert_int_equal(ev.rank[2], 0);
    assert_near(ev.score[0], 0.725, 1e-12);
    assert_near(ev.score[1], 0.625, 1e-12);
    assert_near(ev.score[3], 0.725, 1e-12);
    assert_near(ev.score[4], 0.15, 1e-12);
    assert_true(isnan(ev.value[4 * 2 + 0])); /* missing metric stays visible */
    /* ranks: S3 (tie with S4, "S3" < "S4"), S4, S1, S0 */
    size_t want[] = {0, 3, 1, 4};
    for (size_t r = 0; r < 4; r++) {
        assert_int_equal(ev.order[r], want[r]);
        assert_int_equal(ev.rank[want[r]], r + 1);
    }
    dcs_evaluation_free(&ev);
}

static void test_rank_independent_of_input_order(void **state)
{
    (void)state;
    const char *ids[] = {"b", "a", "c", "a2"};
    double score[] = {0.5, 0.5, 0.9, 0.5};
    unsigned char eligible[] = {1, 1, 1, 1};
    size_t order[4], rank[4];
    assert_int_equal(dcs_rank_sites(score, ids, eligible, 4, order, rank), 4);
    size_t want[] = {2, 1, 3, 0}; /* c, then a < a2 < b */
    for (int i = 0; i < 4; i++)
        assert_int_equal(order[i], want[i]);
    const char *ids2[] = {"a2", "c", "b", "a"};
    double score2[] = {0.5, 0.9, 0.5, 0.5};
    assert_int_equal(dcs_rank_sites(score2, ids2, eligible, 4, order, rank), 4);
    size_t want2[] = {1, 3, 0, 2};
    for (int i = 0; i < 4; i++)
        assert_int_equal(order[i], want2[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_model_metrics, setup, teardown),
        cmocka_unit_test(test_model_binding_errors),
        cmocka_unit_test(test_rule_check),
        cmocka_unit_test(test_value_functions),
        cmocka_unit_test_setup_teardown(test_evaluate_sites, setup, teardown),
        cmocka_unit_test(test_rank_independent_of_input_order),
    };
    return cmocka_run_group_tests_name("evaluate", tests, NULL, NULL);
}
