/*
 * test_evaluate.c - model binding, constraints, value functions, weighted
 * scores and ranking, on hand-made site rows (no GDAL, no geometry).
 *
 * Expected scores are worked out by hand in the comments from the
 * scenario's value functions and weights.
 */
#include "testutil.h"

#include <stdlib.h>

#include "decision/constraints.h"
#include "decision/evaluate.h"
#include "decision/mcda.h"
#include "inputs/model.h"
#include "inputs/scenario.h"
#include "decision/score.h"

/* Two criteria: grid (substation_km, 20 km worst -> 0 km best, weight 3)
 * and land (area_ha, 0 worst -> 50 best, weight 1): normalised 0.75 and
 * 0.25.  Rules: facility_land (area_ha >= 10, from the facility), dry
 * (flood_pct <= 10), zoned (zoning in industrial, commercial).  The nearest
 * substation is chosen, so no connection-choice metrics come between the
 * site attributes and flood_pct. */
static const char *scenario_text =
    "{\"name\": \"t\", \"facility\": {\"it_load_mw\": 40, \"land_ha\": 10},\n"
    " \"sites\": {\"dataset\": \"s.gpkg\", \"attributes\": {\"zoning\": \"zone\"}},\n"
    " \"substations\": {\"dataset\": \"b.gpkg\", \"voltage_field\": \"kv\", \"headroom_field\": "
    "\"mw\"},\n"
    " \"interconnection\": {\"choose\": \"nearest\"},\n"
    " \"overlays\": [{\"name\": \"flood\", \"dataset\": \"f.gpkg\", \"coverage\": "
    "\"extent\"}],\n"
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

/* The reasons of site i (dcs_evaluation_reasons), kept until the next call. */
static const char *reasons_of(const dcs_model *m, const dcs_site_rows *rows,
                              const dcs_evaluation *ev, size_t i)
{
    static char *last;
    int nomem;
    free(last);
    last = dcs_evaluation_reasons(m, rows, ev, i, &nomem);
    assert_false(nomem);
    return last;
}

static void test_model_metrics(void **state)
{
    fixture *f = *state;
    /* built-ins, then site attributes, then context layers */
    const char *names[] = {"area_ha",       "area_acres",    "substation_km", "substation_kv",
                           "substation_headroom_mw", "interconnect_cost_musd",
                           "substation_id", "zoning",        "flood_pct"};
    assert_int_equal(f->model.nmetrics, 9);
    for (size_t i = 0; i < 9; i++)
        assert_string_equal(f->model.metrics[i].name, names[i]);
    assert_int_equal(f->model.nnum, 7);
    assert_int_equal(f->model.ntext, 2);
    assert_int_equal(f->model.attr_first, 7);
    assert_int_equal(f->model.const_first, 8);
    assert_int_equal(f->model.ctx_first[0], 8);
    assert_int_equal(f->model.metrics[8].col, 6);
    assert_int_equal(f->model.metrics[8].context, 0);
    assert_int_equal(f->model.metrics[7].context, -1);
    /* facility_land first, then coverage_flood (flood covers its extent and
     * its "outside" defaults to exclude), then the scenario's rules */
    assert_int_equal(f->model.nrules, 4);
    assert_string_equal(f->model.rules[0].name, "facility_land");
    char label[64];
    dcs_rule_label(&f->model.rules[1], label, sizeof label);
    assert_string_equal(label, "coverage_flood");
    assert_int_equal(f->model.rules[1].context, 0);
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
                        "metric \"area_ha\" is defined twice; rename one of them");
    assert_string_equal(problems.items[1],
                        "constraints[0].metric: \"zoning\" is text, this needs a number");
    assert_contains(problems.items[2], "constraints[1].metric: unknown metric \"slope\" (known: "
                                       "area_ha, area_acres, substation_km,");
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
    dcs_rule min = {"land", 0, -1, DCS_OP_MIN, 10, NULL, 0};
    dcs_rule max = {"dry", 0, -1, DCS_OP_MAX, 10, NULL, 0};
    dcs_rule in = {"zoned", 0, -1, DCS_OP_IN, 0, set, 2};
    dcs_rule out = {"not_res", 0, -1, DCS_OP_NOT_IN, 0, set, 1};
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
    dcs_value_fn falling = {.type = DCS_VF_LINEAR, .worst = 20, .best = 0}; /* lower is better */
    dcs_value_fn rising = {.type = DCS_VF_LINEAR, .worst = 0, .best = 50};  /* higher is better */
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

/* Rows: area_ha, area_acres, substation_km, substation_kv, headroom,
 * interconnect, flood_pct | substation_id, zoning.  (area_acres is not used
 * by the fixture's rules or criteria: 0 here.) */
static void test_evaluate_sites(void **state)
{
    fixture *f = *state;
    const char *ids[] = {"S3", "S1", "S2", "S4", "S0"};
    double num[] = {
        25, 0, 4,   138, 200, 5, 0,   /* S3: grid 0.8, land 0.5 -> 0.6 + 0.125 = 0.725 */
        50, 0, 10,  138, 200, 5, 5,   /* S1: grid 0.5, land 1.0 -> 0.375 + 0.25 = 0.625 */
        5, 0,  1,   138, 200, 5, 60,  /* S2: too small, flooded, residential */
        25, 0, 4,   138, 200, 5, 10,  /* S4: same as S3 -> 0.725, tie broken by id */
        30, 0, NAN, NAN, NAN, 5, 0,   /* S0: no substation: grid 0, land 0.6 -> 0.15 */
    };
    char *text[] = {"A", "industrial", "B", "commercial", "C", "residential",
                    "A", "industrial", NULL, "industrial"};
    dcs_site_rows rows = {5, ids, num, text, 7, 2, NULL, 1};
    dcs_evaluation ev;
    dcs_error err;
    assert_int_equal(dcs_evaluate(&f->model, &rows, &ev, &err), DCS_OK);
    assert_int_equal(ev.neligible, 4);
    assert_false(ev.eligible[2]);
    /* every failed rule is recorded, in rule order */
    assert_string_equal(reasons_of(&f->model, &rows, &ev, 2), "facility_land: area_ha 5 < min 10; dry: flood_pct 60 > "
                                       "max 10; zoned: zoning \"residential\" not in the allowed "
                                       "set");
    assert_int_equal(ev.failed[2 * 4 + 0] + ev.failed[2 * 4 + 1] + ev.failed[2 * 4 + 2] +
                         ev.failed[2 * 4 + 3],
                     3);
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

static void test_piecewise_step_categorical(void **state)
{
    (void)state;
    double x[] = {0, 5, 20}, v[] = {1, 0.8, 0};
    dcs_value_fn pw = {.type = DCS_VF_PIECEWISE, .x = x, .v = v, .npoints = 3};
    assert_near(dcs_value_fn_eval(&pw, -1), 1, 0);    /* flat before the first point */
    assert_near(dcs_value_fn_eval(&pw, 2.5), 0.9, 1e-15); /* halfway 1 -> 0.8 */
    assert_near(dcs_value_fn_eval(&pw, 5), 0.8, 0);
    assert_near(dcs_value_fn_eval(&pw, 12.5), 0.4, 1e-15); /* halfway 0.8 -> 0 */
    assert_near(dcs_value_fn_eval(&pw, 99), 0, 0);
    dcs_value_fn st = {.type = DCS_VF_STEP, .x = x, .v = v, .npoints = 3};
    assert_near(dcs_value_fn_eval(&st, -1), 1, 0); /* below the first: its value */
    assert_near(dcs_value_fn_eval(&st, 4.99), 1, 0);
    assert_near(dcs_value_fn_eval(&st, 5), 0.8, 0); /* thresholds are inclusive */
    assert_near(dcs_value_fn_eval(&st, 19), 0.8, 0);
    assert_near(dcs_value_fn_eval(&st, 20), 0, 0);
    char *cats[] = {"industrial", "commercial"};
    double cv[] = {1, 0.6};
    dcs_value_fn cat = {.type = DCS_VF_CATEGORICAL, .cat = cats, .v = cv, .ncat = 2, .other = 0.1};
    assert_near(dcs_value_fn_eval_text(&cat, "commercial"), 0.6, 0);
    assert_near(dcs_value_fn_eval_text(&cat, "farm"), 0.1, 0);
    assert_true(isnan(dcs_value_fn_eval_text(&cat, NULL)));
    assert_true(isnan(dcs_value_fn_eval(&cat, 3))); /* a number has no category */
}

/* Coverage: flood_pct comes from context 0, whose "outside" is exclude in
 * the fixture; switched to neutral, its rule is skipped and its criterion
 * would score 0.5.  Rows as in test_evaluate_sites. */
static void test_coverage_treatments(void **state)
{
    fixture *f = *state;
    const char *ids[] = {"A", "B"};
    double num[] = {25, 0, 4, 138, 200, 5, NAN, /* A: outside the flood layer */
                    25, 0, 4, 138, 200, 5, 50}; /* B: inside, 50 % flooded */
    char *text[] = {"X", "industrial", "X", "industrial"};
    unsigned char outside[] = {1, 0};
    dcs_site_rows rows = {2, ids, num, text, 7, 2, outside, 1};
    dcs_evaluation ev;
    dcs_error err;
    assert_int_equal(dcs_evaluate(&f->model, &rows, &ev, &err), DCS_OK);
    assert_false(ev.eligible[0]);
    assert_string_equal(reasons_of(&f->model, &rows, &ev, 0),
                        "coverage_flood: layer 'flood' does not cover this site");
    assert_string_equal(ev.gaps[0], "flood");
    assert_null(ev.gaps[1]);
    assert_string_equal(reasons_of(&f->model, &rows, &ev, 1), "dry: flood_pct 50 > max 10");
    dcs_evaluation_free(&ev);

    /* neutral: no coverage rule, the dry rule is not applied to A */
    dcs_scenario *scn = (dcs_scenario *)f->model.scn;
    scn->contexts[0].outside = DCS_OUTSIDE_NEUTRAL;
    dcs_model neutral;
    dcs_metric_kind kinds[] = {DCS_TEXT};
    assert_int_equal(dcs_model_build(scn, kinds, &neutral, NULL, &err), DCS_OK);
    assert_int_equal(neutral.nrules, 3);
    assert_int_equal(dcs_evaluate(&neutral, &rows, &ev, &err), DCS_OK);
    assert_true(ev.eligible[0]);
    assert_string_equal(ev.gaps[0], "flood");
    assert_near(ev.score[0], 0.725, 1e-12); /* grid 0.8 * 0.75 + land 0.5 * 0.25 */
    assert_false(ev.eligible[1]);
    dcs_evaluation_free(&ev);
    dcs_model_free(&neutral);
    scn->contexts[0].outside = DCS_OUTSIDE_EXCLUDE;
}

/* The same values aggregated three ways; references worked out by hand:
 * values (grid, land) S3 (0.8, 0.5), S1 (0.5, 1.0); weights 0.75, 0.25.
 * weighted product: S3 0.8^0.75 * 0.5^0.25, S1 0.5^0.75 * 1;
 * TOPSIS: columns normalised by sqrt(0.8^2+0.5^2) and sqrt(0.5^2+1); see
 * test_mcda.c for the method (here only the order and the bounds). */
static void test_aggregations(void **state)
{
    fixture *f = *state;
    const char *ids[] = {"S3", "S1"};
    double num[] = {25, 0, 4, 138, 200, 5, 0, 50, 0, 10, 138, 200, 5, 5};
    char *text[] = {"A", "industrial", "B", "commercial"};
    dcs_site_rows rows = {2, ids, num, text, 7, 2, NULL, 1};
    dcs_scenario *scn = (dcs_scenario *)f->model.scn;
    dcs_evaluation ev;
    dcs_error err;
    scn->aggregation = DCS_AGG_WEIGHTED_PRODUCT;
    assert_int_equal(dcs_evaluate(&f->model, &rows, &ev, &err), DCS_OK);
    assert_near(ev.score[0], pow(0.8, 0.75) * pow(0.5, 0.25), 1e-12);
    assert_near(ev.score[1], pow(0.5, 0.75), 1e-12);
    dcs_evaluation_free(&ev);
    scn->aggregation = DCS_AGG_TOPSIS;
    assert_int_equal(dcs_evaluate(&f->model, &rows, &ev, &err), DCS_OK);
    double n1 = sqrt(0.64 + 0.25), n2 = sqrt(0.25 + 1.0);
    /* weighted normalised: S3 (0.75*0.8/n1, 0.25*0.5/n2), S1 (0.75*0.5/n1, 0.25/n2) */
    double a1 = 0.75 * 0.8 / n1, a2 = 0.25 * 0.5 / n2, b1 = 0.75 * 0.5 / n1, b2 = 0.25 / n2;
    double dplus_s3 = fabs(b2 - a2), dminus_s3 = fabs(a1 - b1);
    assert_near(ev.score[0], dminus_s3 / (dplus_s3 + dminus_s3), 1e-12);
    assert_near(ev.score[1], 1 - ev.score[0], 1e-12); /* two alternatives: symmetric */
    dcs_evaluation_free(&ev);
    scn->aggregation = DCS_AGG_WEIGHTED_SUM;
}

/* Many random rows evaluated on 1 and on 3 threads: every output equal,
 * and rule_fails equal to a count of the failed flags.  The rows mix
 * missing values, both coverage states and all zonings, so that every
 * rule passes and fails somewhere. */
static void test_threads_give_the_same_evaluation(void **state)
{
    fixture *f = *state;
    enum { N = 5000 };
    static const char *ids[N];
    static char idbuf[N][8];
    static double num[N * 7];
    static char *text[N * 2];
    static unsigned char outside[N];
    static char *zones[] = {"industrial", "commercial", "residential", NULL};
    unsigned seed = 3;
    for (size_t i = 0; i < N; i++) {
        snprintf(idbuf[i], sizeof idbuf[i], "s%zu", (i * 7919) % N);
        ids[i] = idbuf[i];
        for (size_t c = 0; c < 7; c++) {
            seed = seed * 1103515245u + 12345u;
            num[i * 7 + c] = (seed >> 8) % 17 == 0 ? NAN : (double)((seed >> 8) % 60);
        }
        text[i * 2] = "X";
        text[i * 2 + 1] = zones[i % 4];
        outside[i] = i % 5 == 0;
    }
    dcs_site_rows rows = {N, ids, num, text, 7, 2, outside, 1};
    dcs_evaluation one, three;
    dcs_error err;
    assert_int_equal(dcs_evaluate_threads(&f->model, &rows, 1, &one, &err), DCS_OK);
    assert_int_equal(dcs_evaluate_threads(&f->model, &rows, 3, &three, &err), DCS_OK);
    assert_true(one.neligible > 100 && one.neligible < N - 100);
    assert_int_equal(three.neligible, one.neligible);
    assert_memory_equal(three.failed, one.failed, N * one.nrules);
    assert_memory_equal(three.eligible, one.eligible, N);
    assert_memory_equal(three.rank, one.rank, N * sizeof *one.rank);
    assert_memory_equal(three.order, one.order, one.neligible * sizeof *one.order);
    for (size_t i = 0; i < N; i++) {
        int nomem;
        char *a = dcs_evaluation_reasons(&f->model, &rows, &one, i, &nomem);
        char *b = dcs_evaluation_reasons(&f->model, &rows, &three, i, &nomem);
        assert_true((a == NULL) == (b == NULL));
        assert_true((a == NULL) == (one.eligible[i] != 0));
        if (a)
            assert_string_equal(b, a);
        free(a);
        free(b);
        assert_true((one.gaps[i] == NULL) == (three.gaps[i] == NULL));
        for (size_t c = 0; c < one.ncrits; c++)
            assert_memory_equal(&three.value[i * one.ncrits + c], &one.value[i * one.ncrits + c],
                                sizeof(double));
    }
    for (size_t r = 0; r < one.nrules; r++) {
        size_t count = 0;
        for (size_t i = 0; i < N; i++)
            count += one.failed[i * one.nrules + r];
        assert_true(count > 0);
        assert_int_equal(one.rule_fails[r], count);
        assert_int_equal(three.rule_fails[r], count);
    }
    dcs_evaluation_free(&one);
    dcs_evaluation_free(&three);
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

/* The ranking sorted in two halves and merged (two threads) must be the
 * one thread's, at a size that splits: 100 000 sites, scores from 50
 * values (ties broken by id, then index), a tenth ineligible. */
static void test_rank_split_between_threads(void **state)
{
    (void)state;
    enum { N = 100000 };
    double *score = malloc(N * sizeof *score);
    const char **ids = malloc(N * sizeof *ids);
    char *names = malloc(N * 12);
    unsigned char *eligible = malloc(N);
    size_t *o1 = malloc(N * sizeof *o1), *r1 = malloc(N * sizeof *r1);
    size_t *o2 = malloc(N * sizeof *o2), *r2 = malloc(N * sizeof *r2);
    assert_true(score && ids && names && eligible && o1 && r1 && o2 && r2);
    unsigned seed = 99;
    for (size_t i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        score[i] = (seed >> 16) % 50 / 49.0;
        snprintf(names + 12 * i, 12, "S%07u", (seed >> 4) % 1000000u); /* some ids repeat */
        ids[i] = names + 12 * i;
        eligible[i] = i % 10 != 3;
    }
    size_t k1 = dcs_rank_sites(score, ids, eligible, N, o1, r1);
    size_t k2 = dcs_rank_sites_threads(score, ids, eligible, N, o2, r2, 2);
    assert_int_equal(k1, k2);
    assert_true(k1 > 65536); /* large enough to be split */
    assert_memory_equal(o1, o2, k1 * sizeof *o1);
    assert_memory_equal(r1, r2, N * sizeof *r1);
    for (size_t r = 1; r < k1; r++) /* and it is a ranking: better or equal first */
        assert_true(score[o1[r - 1]] >= score[o1[r]]);
    free(score), free(ids), free(names), free(eligible);
    free(o1), free(r1), free(o2), free(r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rank_split_between_threads),
        cmocka_unit_test_setup_teardown(test_model_metrics, setup, teardown),
        cmocka_unit_test(test_model_binding_errors),
        cmocka_unit_test(test_rule_check),
        cmocka_unit_test(test_value_functions),
        cmocka_unit_test_setup_teardown(test_evaluate_sites, setup, teardown),
        cmocka_unit_test(test_piecewise_step_categorical),
        cmocka_unit_test_setup_teardown(test_coverage_treatments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregations, setup, teardown),
        cmocka_unit_test(test_rank_independent_of_input_order),
        cmocka_unit_test_setup_teardown(test_threads_give_the_same_evaluation, setup, teardown),
    };
    return cmocka_run_group_tests_name("evaluate", tests, NULL, NULL);
}
