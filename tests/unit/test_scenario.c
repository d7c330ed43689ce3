/*
 * test_scenario.c - scenario parsing: golden input/expected pairs and a
 * fully valid scenario.
 *
 * Every tests/golden/scenario/NAME.json is loaded; the problems reported
 * must equal NAME.expected line for line (order included).  Run from the
 * repository root.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdlib.h>

#include "inputs/scenario.h"

#define GOLDEN_DIR "tests/golden/scenario"

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static void check_golden(const char *json)
{
    char expected_path[512];
    snprintf(expected_path, sizeof expected_path, "%.*s.expected", (int)(strlen(json) - 5), json);
    const char *expected = slurp(expected_path);
    if (!expected)
        fail_msg("missing %s", expected_path);
    dcs_scenario scn;
    dcs_strlist problems = {0};
    dcs_error err;
    dcs_status st = dcs_scenario_load(json, &scn, &problems, &err);
    char *got = dcs_strlist_join(&problems, "\n");
    char want[65536];
    snprintf(want, sizeof want, "%s", expected);
    size_t len = strlen(want);
    while (len && want[len - 1] == '\n')
        want[--len] = '\0';
    if (strcmp(got, want) != 0)
        fail_msg("%s:\n--- got ---\n%s\n--- expected ---\n%s", json, got, want);
    assert_int_equal(st, DCS_ERR_SCENARIO);
    /* err carries the first problem, prefixed with the file */
    assert_contains(err.message, problems.items[0]);
    free(got);
    dcs_strlist_free(&problems);
    dcs_scenario_free(&scn);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden_pairs(void **state)
{
    (void)state;
    DIR *d = opendir(GOLDEN_DIR);
    assert_non_null(d);
    char *names[128];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 128) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);
    assert_true(n >= 9);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", GOLDEN_DIR, names[i]);
        check_golden(path);
        free(names[i]);
    }
}

static const char *valid =
    "{\"name\": \"dallas_demo\", \"description\": \"d\",\n"
    " \"facility\": {\"it_load_mw\": 100, \"design_pue\": 1.25, \"land_ha\": 20},\n"
    " \"working_crs\": \"auto\",\n"
    " \"sites\": {\"dataset\": \"dallas.gpkg\", \"layer\": \"sites\", \"id_field\": \"site_id\",\n"
    "           \"attributes\": {\"zoning\": \"zone_code\"}},\n"
    " \"substations\": {\"dataset\": \"PG:dbname=grid\", \"layer\": \"subs\", \"voltage_field\": "
    "\"kv\",\n                 \"headroom_field\": \"mw\", \"min_voltage_kv\": 138},\n"
    " \"overlays\": [{\"name\": \"flood\", \"dataset\": \"/abs/flood.shp\", \"where\": \"z='A'\"}],\n"
    " \"constraints\": [{\"name\": \"zoned\", \"metric\": \"zoning\", \"not_in\": [\"residential\"]},\n"
    "                 {\"name\": \"dry\", \"metric\": \"flood_pct\", \"max\": 10}],\n"
    " \"criteria\": [{\"name\": \"grid\", \"metric\": \"substation_km\", \"weight\": 3,\n"
    "               \"value\": {\"type\": \"linear\", \"worst\": 20, \"best\": 0}}],\n"
    " \"outputs\": {\"xlsx\": false, \"top_n\": 25, \"xlsx_rows\": 500}}";

static void test_valid_scenario(void **state)
{
    (void)state;
    dcs_scenario scn;
    dcs_strlist problems = {0};
    dcs_error err;
    assert_int_equal(dcs_scenario_parse(valid, "data/scenarios", "x.json", &scn, &problems, &err),
                     DCS_OK);
    assert_int_equal(problems.count, 0);
    assert_string_equal(scn.name, "dallas_demo");
    assert_near(scn.it_load_mw, 100, 0);
    assert_near(dcs_scenario_peak_mw(&scn), 125, 1e-12);
    assert_near(scn.land_ha, 20, 0);
    assert_null(scn.working_crs); /* "auto" */
    /* relative paths resolve against the scenario's directory; connection
     * strings and absolute paths pass unchanged */
    assert_string_equal(scn.sites.src.dataset, "data/scenarios/dallas.gpkg");
    assert_string_equal(scn.substations.src.dataset, "PG:dbname=grid");
    assert_int_equal(scn.ncontexts, 1);
    assert_int_equal(scn.contexts[0].kind, DCS_CTX_OVERLAY);
    assert_string_equal(scn.contexts[0].src.dataset, "/abs/flood.shp");
    assert_string_equal(scn.contexts[0].src.where, "z='A'");
    assert_int_equal(scn.contexts[0].cover, DCS_COVER_EVERYWHERE); /* default */
    assert_int_equal(scn.contexts[0].outside, DCS_OUTSIDE_EXCLUDE); /* default */
    assert_int_equal(scn.aggregation, 0);                            /* weighted_sum */
    assert_int_equal(scn.interconnection.nclasses, 5);               /* defaults */
    assert_true(scn.substations.require_headroom);
    assert_int_equal(scn.sites.nattrs, 1);
    assert_string_equal(scn.sites.attrs[0].metric, "zoning");
    assert_string_equal(scn.sites.attrs[0].field, "zone_code");
    assert_int_equal(scn.nconstraints, 2);
    assert_int_equal(scn.constraints[0].op, DCS_OP_NOT_IN);
    assert_int_equal(scn.constraints[0].nset, 1);
    assert_string_equal(scn.constraints[0].set[0], "residential");
    assert_int_equal(scn.constraints[1].op, DCS_OP_MAX);
    assert_near(scn.constraints[1].limit, 10, 0);
    assert_near(scn.criteria[0].fn.worst, 20, 0);
    assert_false(scn.outputs.xlsx);
    assert_true(scn.outputs.gpkg);
    assert_int_equal(scn.outputs.top_n, 25);
    assert_int_equal(scn.outputs.xlsx_rows, 500);
    dcs_scenario_free(&scn);
}

/* Every kind of context layer, joins, a grid, AHP, the other value
 * functions. */
static const char *full =
    "{\"name\": \"full\", \"facility\": {\"it_load_mw\": 10},\n"
    " \"sites\": {\"grid\": {\"shape\": \"square\", \"cell_area_ha\": 25,\n"
    "           \"aoi\": {\"dataset\": \"aoi.gpkg\", \"layer\": \"city\"}}},\n"
    " \"substations\": {\"dataset\": \"b\", \"voltage_field\": \"kv\", \"headroom_field\": "
    "\"mw\", \"require_headroom\": false},\n"
    " \"interconnection\": {\"classes\": [{\"max_kv\": 138, \"musd_per_km\": 1},\n"
    "   {\"max_kv\": 500, \"musd_per_km\": 3}], \"upgrade_musd\": 12},\n"
    " \"distances\": [{\"name\": \"school\", \"dataset\": \"s.gpkg\", \"coverage\": "
    "\"extent\"}],\n"
    " \"zones\": [{\"name\": \"egrid\", \"dataset\": \"e.gpkg\", \"outside\": \"neutral\",\n"
    "   \"attributes\": {\"co2_lb_mwh\": \"co2\", \"fips\": \"geoid\"}}],\n"
    " \"area_weighted\": [{\"name\": \"pop_2km\", \"dataset\": \"bg.gpkg\", \"field\": "
    "\"pop\",\n   \"radius_km\": 2, \"coverage\": {\"dataset\": \"city.gpkg\"}}],\n"
    " \"rasters\": [{\"name\": \"slope\", \"dataset\": \"dem.tif\", \"slope\": true,\n"
    "   \"stats\": [\"mean\", \"max\"], \"outside\": \"error\"}],\n"
    " \"joins\": [{\"name\": \"price\", \"dataset\": \"p.csv\", \"key_field\": \"fips\", "
    "\"on\": \"fips\",\n   \"attributes\": {\"price\": \"industrial_price\"}}],\n"
    " \"aggregation\": \"topsis\",\n"
    " \"ahp\": {\"matrix\": [[1, 3], [0.3333333, 1]]},\n"
    " \"criteria\": [\n"
    "  {\"name\": \"a\", \"metric\": \"school_km\",\n"
    "   \"value\": {\"type\": \"piecewise\", \"points\": [[0, 0], [1, 1]]}},\n"
    "  {\"name\": \"b\", \"metric\": \"fips\",\n"
    "   \"value\": {\"type\": \"categorical\", \"categories\": {\"48113\": 1}, \"other\": "
    "0.2}}]}";

static void test_full_scenario(void **state)
{
    (void)state;
    dcs_scenario scn;
    dcs_strlist problems = {0};
    dcs_error err;
    dcs_status st = dcs_scenario_parse(full, "d", "f.json", &scn, &problems, &err);
    if (st != DCS_OK)
        fail_msg("%s", err.message);
    assert_int_equal(scn.sites.grid, DCS_GRID_SQUARE);
    assert_near(scn.sites.cell_area_ha, 25, 0);
    assert_string_equal(scn.sites.src.dataset, "d/aoi.gpkg");
    assert_false(scn.substations.require_headroom);
    assert_int_equal(scn.interconnection.nclasses, 2);
    assert_near(scn.interconnection.musd_per_km[1], 3, 0);
    assert_near(scn.interconnection.upgrade_musd, 12, 0);
    /* contexts in the order overlays, distances, zones, area_weighted, rasters */
    assert_int_equal(scn.ncontexts, 4);
    assert_int_equal(scn.contexts[0].kind, DCS_CTX_DISTANCE);
    assert_int_equal(scn.contexts[0].cover, DCS_COVER_EXTENT);
    assert_int_equal(scn.contexts[1].kind, DCS_CTX_ZONE);
    assert_int_equal(scn.contexts[1].outside, DCS_OUTSIDE_NEUTRAL);
    assert_int_equal(scn.contexts[1].nattrs, 2);
    assert_string_equal(scn.contexts[1].attrs[1].field, "geoid");
    assert_int_equal(scn.contexts[2].kind, DCS_CTX_AREA_WEIGHTED);
    assert_int_equal(scn.contexts[2].cover, DCS_COVER_LAYER);
    assert_string_equal(scn.contexts[2].coverage.dataset, "d/city.gpkg");
    assert_near(scn.contexts[2].radius_km, 2, 0);
    assert_int_equal(scn.contexts[3].kind, DCS_CTX_RASTER);
    assert_true(scn.contexts[3].slope);
    assert_int_equal(scn.contexts[3].band, 1);
    assert_int_equal(scn.contexts[3].stats, DCS_STAT_MEAN | DCS_STAT_MAX);
    assert_int_equal(scn.contexts[3].outside, DCS_OUTSIDE_ERROR);
    assert_int_equal(scn.njoins, 1);
    assert_string_equal(scn.joins[0].on, "fips");
    assert_int_equal(scn.aggregation, 2); /* topsis */
    assert_non_null(scn.ahp_matrix);
    assert_near(scn.ahp_matrix[2], 0.3333333, 0);
    assert_int_equal(scn.criteria[0].fn.type, DCS_VF_PIECEWISE);
    assert_int_equal(scn.criteria[0].fn.npoints, 2);
    assert_int_equal(scn.criteria[1].fn.type, DCS_VF_CATEGORICAL);
    assert_string_equal(scn.criteria[1].fn.cat[0], "48113");
    assert_near(scn.criteria[1].fn.other, 0.2, 0);
    assert_int_equal(scn.outputs.xlsx_rows, 0); /* default: as many as Excel holds */
    dcs_scenario_free(&scn);
}

static void test_missing_file(void **state)
{
    (void)state;
    dcs_scenario scn;
    dcs_error err;
    assert_int_equal(dcs_scenario_load("no/such/scenario.json", &scn, NULL, &err),
                     DCS_ERR_SCENARIO);
    assert_contains(err.message, "cannot open scenario 'no/such/scenario.json'");
    dcs_scenario_free(&scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_pairs),
        cmocka_unit_test(test_valid_scenario),
        cmocka_unit_test(test_full_scenario),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
