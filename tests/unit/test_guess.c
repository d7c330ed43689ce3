/*
 * test_guess.c - inputs/guess.h: which field names fit which part, the
 * data a part needs, the best field of a layer, a layer's use from its
 * geometry and fields, the names of elevation models and flood maps, and
 * valid scenario names.  The layers are built here as records (no GDAL).
 */
#include "testutil.h"

#include "inputs/guess.h"

static void test_name_fit(void **state)
{
    (void)state;
    /* exact names fit best, whatever their case and separators */
    assert_int_equal(dcs_guess_name_fit("VOLTAGE", DCS_ROLE_VOLTAGE), 3);
    assert_int_equal(dcs_guess_name_fit("voltage_kv", DCS_ROLE_VOLTAGE), 3);
    assert_int_equal(dcs_guess_name_fit("MAX_VOLT", DCS_ROLE_VOLTAGE), 3);
    assert_int_equal(dcs_guess_name_fit("kv", DCS_ROLE_VOLTAGE), 3);
    assert_int_equal(dcs_guess_name_fit("line_kv", DCS_ROLE_VOLTAGE), 2);
    /* kVA and kVAr are power, not voltage */
    assert_int_equal(dcs_guess_name_fit("KVA_RATING", DCS_ROLE_VOLTAGE), 0);
    assert_int_equal(dcs_guess_name_fit("NAME", DCS_ROLE_VOLTAGE), 0);
    assert_int_equal(dcs_guess_name_fit("POP20", DCS_ROLE_POPULATION), 3);
    assert_int_equal(dcs_guess_name_fit("pop_2020", DCS_ROLE_POPULATION), 3);
    assert_int_equal(dcs_guess_name_fit("total_pop", DCS_ROLE_POPULATION), 3);
    assert_int_equal(dcs_guess_name_fit("blk_pop_est", DCS_ROLE_POPULATION), 2);
    assert_int_equal(dcs_guess_name_fit("housing", DCS_ROLE_POPULATION), 0);
    assert_int_equal(dcs_guess_name_fit("PIN", DCS_ROLE_ID), 3);
    assert_int_equal(dcs_guess_name_fit("parcel_id", DCS_ROLE_ID), 3);
    assert_int_equal(dcs_guess_name_fit("tract_id", DCS_ROLE_ID), 2);
    assert_int_equal(dcs_guess_name_fit("OBJECTID", DCS_ROLE_ID), 1);
    assert_int_equal(dcs_guess_name_fit("headroom_mw", DCS_ROLE_HEADROOM), 3);
    assert_int_equal(dcs_guess_name_fit("AVAIL_CAP_MW", DCS_ROLE_HEADROOM), 2);
    assert_int_equal(dcs_guess_name_fit("CAPACITY", DCS_ROLE_HEADROOM), 1);
    assert_int_equal(dcs_guess_name_fit("industrial_price", DCS_ROLE_PRICE), 3);
    assert_int_equal(dcs_guess_name_fit("FLD_ZONE", DCS_ROLE_FLOOD), 3);
    assert_int_equal(dcs_guess_name_fit("ZONING", DCS_ROLE_ZONING), 3);
    assert_int_equal(dcs_guess_name_fit("LAND_VAL", DCS_ROLE_LAND_COST), 3);
    assert_int_equal(dcs_guess_name_fit("OWNER_NAME", DCS_ROLE_OWNER), 3);
    /* an owner's name is not a name for the feature */
    assert_int_equal(dcs_guess_name_fit("OWNER_NAME", DCS_ROLE_NAME), 0);
    assert_int_equal(dcs_guess_name_fit("", DCS_ROLE_ID), 0);
    assert_int_equal(dcs_guess_name_fit("__", DCS_ROLE_ID), 0);
}

/* A layer of n features read, with the given fields. */
static dcs_inspected layer(dcs_shape shape, long long n, dcs_field_info *fields, size_t nfields)
{
    return (dcs_inspected){.kind = DCS_INSPECT_VECTOR, .shape = shape, .nfeatures = n,
                           .nread = n, .fields = fields, .nfields = nfields, .nlayers = 1};
}

static dcs_field_info field(const char *name, dcs_field_kind kind, long long nset,
                            long long ndistinct, double min, double max)
{
    dcs_field_info f = {.kind = kind, .nset = nset, .ndistinct = ndistinct, .min = min,
                        .max = max};
    snprintf(f.name, sizeof f.name, "%s", name);
    return f;
}

static void test_best_field_needs_the_data(void **state)
{
    (void)state;
    dcs_field_info f[] = {
        field("OBJECTID", DCS_FK_INTEGER, 10, 10, 1, 10),
        field("ID", DCS_FK_TEXT, 9, 9, NAN, NAN),       /* one feature without: not an id */
        field("VOLTAGE", DCS_FK_TEXT, 10, 3, NAN, NAN), /* text: not a voltage */
        field("MAX_KV", DCS_FK_REAL, 10, 4, 69, 345),
        field("NAME", DCS_FK_TEXT, 10, 8, NAN, NAN),
    };
    dcs_inspected in = layer(DCS_SHAPE_POINT, 10, f, 5);
    assert_int_equal(dcs_guess_field(&in, DCS_ROLE_ID), 0); /* the last resort */
    assert_int_equal(dcs_guess_field(&in, DCS_ROLE_VOLTAGE), 3);
    assert_int_equal(dcs_guess_field(&in, DCS_ROLE_NAME), 4);
    assert_int_equal(dcs_guess_field(&in, DCS_ROLE_HEADROOM), -1);
    f[1].nset = f[1].ndistinct = 10;
    assert_int_equal(dcs_guess_field(&in, DCS_ROLE_ID), 1);
    f[1].ndistinct = 9; /* a repeated value */
    assert_int_equal(dcs_guess_field(&in, DCS_ROLE_ID), 0);
    f[3].max = 0; /* never above 0 */
    assert_int_equal(dcs_guess_field(&in, DCS_ROLE_VOLTAGE), -1);
    assert_false(dcs_guess_data_fits(&in, 5, DCS_ROLE_NAME)); /* no such field */
}

static void test_use_of_a_layer(void **state)
{
    (void)state;
    char why[256];
    dcs_field_info subs[] = {field("VOLTAGE", DCS_FK_REAL, 4, 4, -999999, 345)};
    dcs_inspected in = layer(DCS_SHAPE_POINT, 4, subs, 1);
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_SUBSTATIONS);
    in.shape = DCS_SHAPE_LINE;
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_DISTANCE);
    dcs_field_info schools[] = {field("SCHOOL", DCS_FK_TEXT, 4, 4, NAN, NAN)};
    in = layer(DCS_SHAPE_POINT, 4, schools, 1);
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_DISTANCE);

    dcs_field_info bg[] = {field("GEOID", DCS_FK_TEXT, 2, 2, NAN, NAN),
                           field("POP20", DCS_FK_INTEGER, 2, 2, 1200, 3400)};
    in = layer(DCS_SHAPE_POLYGON, 2, bg, 2);
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_AREA_WEIGHTED);
    bg[1].min = -1; /* a negative count is no population */
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_ZONE);

    dcs_field_info fld[] = {field("FLD_ZONE", DCS_FK_TEXT, 3, 2, NAN, NAN)};
    in = layer(DCS_SHAPE_POLYGON, 3, fld, 1);
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_OVERLAY);
    dcs_field_info county[] = {field("NAME", DCS_FK_TEXT, 3, 3, NAN, NAN)};
    in = layer(DCS_SHAPE_POLYGON, 3, county, 1);
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_ZONE);
    snprintf(in.layer, sizeof in.layer, "fema_zones"); /* named like a flood map */
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_OVERLAY);

    /* polygons whose only field is each feature's own number: an overlay */
    dcs_field_info lakes[] = {field("lake_no", DCS_FK_INTEGER, 60, 60, 1, 60),
                              field("Shape_Area", DCS_FK_REAL, 60, 60, 1, 9)};
    in = layer(DCS_SHAPE_POLYGON, 60, lakes, 2);
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_OVERLAY);

    dcs_field_info prices[] = {field("county_fips", DCS_FK_TEXT, 2, 2, NAN, NAN),
                               field("industrial_price", DCS_FK_REAL, 2, 2, 0.06, 0.07)};
    in = layer(DCS_SHAPE_NONE, 2, prices, 2);
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_JOIN);
    in.nfields = 1;
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_NONE);
    assert_contains(why, "without a price-like field");

    in = layer(DCS_SHAPE_POLYGON, 0, county, 1);
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_NONE);
    assert_string_equal(why, "it has no features");
    in = layer(DCS_SHAPE_POLYGON, 3, county, 1);
    snprintf(in.problem, sizeof in.problem, "it has no CRS");
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_NONE);
    assert_string_equal(why, "it has no CRS");
    in = (dcs_inspected){.kind = DCS_INSPECT_RASTER};
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_RASTER);
    in = (dcs_inspected){.kind = DCS_INSPECT_WEATHER};
    assert_int_equal(dcs_guess_use(&in, why, sizeof why), DCS_USE_STATION);
}

static void test_dataset_names(void **state)
{
    (void)state;
    assert_true(dcs_guess_is_elevation("/data/dem_fort_worth.tif"));
    assert_true(dcs_guess_is_elevation("USGS_13_n33w097_DEM10m.tif"));
    assert_true(dcs_guess_is_elevation("elevation.tif"));
    assert_true(dcs_guess_is_elevation("srtm_17_06.tif"));
    assert_false(dcs_guess_is_elevation("demographics.tif")); /* dem, then letters */
    assert_false(dcs_guess_is_elevation("/dem/landcover.tif")); /* the folder does not count */
    assert_false(dcs_guess_is_elevation("nlcd_2021.tif"));
    assert_true(dcs_guess_is_flood("S_FLD_HAZ_AR"));
    assert_true(dcs_guess_is_flood("NFHL_48113.gdb"));
    assert_true(dcs_guess_is_flood("Flood_Zones"));
    assert_false(dcs_guess_is_flood("wetlands"));
    assert_true(dcs_guess_is_bookkeeping("Shape_Length"));
    assert_true(dcs_guess_is_bookkeeping("OBJECTID"));
    assert_false(dcs_guess_is_bookkeeping("FIPS"));
}

static void test_scenario_names(void **state)
{
    (void)state;
    char out[64];
    dcs_guess_name("S_FLD_HAZ_AR", 24, out, sizeof out);
    assert_string_equal(out, "s_fld_haz_ar");
    dcs_guess_name("Block Groups (2020)", 24, out, sizeof out);
    assert_string_equal(out, "block_groups_2020");
    dcs_guess_name("2020-census", 24, out, sizeof out);
    assert_string_equal(out, "x2020_census");
    dcs_guess_name("a_very_long_layer_name_beyond_the_limit", 10, out, sizeof out);
    assert_string_equal(out, "a_very_lon");
    dcs_guess_name("--", 24, out, sizeof out);
    assert_string_equal(out, "x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_fit),
        cmocka_unit_test(test_best_field_needs_the_data),
        cmocka_unit_test(test_use_of_a_layer),
        cmocka_unit_test(test_dataset_names),
        cmocka_unit_test(test_scenario_names),
    };
    return cmocka_run_group_tests_name("guess", tests, NULL, NULL);
}
