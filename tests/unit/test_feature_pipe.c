/*
 * test_feature_pipe.c - dcs_feature_pipe: every row built and inserted
 * once, in row order, with its own values (the features are reused from a
 * ring, so a row must not keep an earlier row's fid, field or geometry),
 * and a failed insert stops the pipe at that row, a put that says it was
 * the last (DCS_PIPE_LAST) just after it.  The layer is a GDAL
 * Memory layer; the expected values are the row numbers themselves.
 */
#include "testutil.h"

#include "feature_pipe.h"

#include <gdal.h>

typedef struct {
    OGRLayerH lyr;
    size_t fail_at; /* put fails at this row; (size_t)-1 = never */
    size_t last_at; /* put inserts this row and says it is the last; 0 = never */
    size_t next;    /* row put expects next */
    int out_of_order;
} pipe_test;

/* Row r: v = r; odd rows have a point at (r, -r), even rows none; rows
 * divisible by 3 have a null name, the others "row <r>". */
static void fill(void *ctx, size_t r, OGRFeatureH f)
{
    (void)ctx;
    char name[32];
    OGR_F_SetFieldInteger(f, 0, (int)r);
    if (r % 3 == 0) {
        OGR_F_SetFieldNull(f, 1);
    } else {
        snprintf(name, sizeof name, "row %zu", r);
        OGR_F_SetFieldString(f, 1, name);
    }
    OGRGeometryH g = NULL;
    if (r % 2) {
        g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, (double)r, -(double)r);
    }
    OGR_F_SetGeometryDirectly(f, g);
}

static int put(void *ctx, size_t r, OGRFeatureH f)
{
    pipe_test *t = ctx;
    if (r != t->next++ || OGR_F_GetFieldAsInteger(f, 0) != (int)r)
        t->out_of_order = 1;
    if (r == t->fail_at)
        return 1;
    if (OGR_L_CreateFeature(t->lyr, f) != OGRERR_NONE)
        return 1;
    return t->last_at && r == t->last_at ? DCS_PIPE_LAST : 0;
}

static GDALDatasetH memory_layer(OGRLayerH *lyr)
{
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("Memory"), "", 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    *lyr = GDALDatasetCreateLayer(ds, "t", NULL, wkbPoint, NULL);
    assert_non_null(*lyr);
    OGRFieldDefnH v = OGR_Fld_Create("v", OFTInteger), s = OGR_Fld_Create("name", OFTString);
    assert_int_equal(OGR_L_CreateField(*lyr, v, TRUE), OGRERR_NONE);
    assert_int_equal(OGR_L_CreateField(*lyr, s, TRUE), OGRERR_NONE);
    OGR_Fld_Destroy(v);
    OGR_Fld_Destroy(s);
    return ds;
}

static void check_rows(OGRLayerH lyr, size_t n)
{
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), (GIntBig)n);
    OGR_L_ResetReading(lyr);
    OGRFeatureH f;
    size_t seen = 0;
    while ((f = OGR_L_GetNextFeature(lyr))) {
        size_t r = (size_t)OGR_F_GetFieldAsInteger(f, 0);
        assert_int_equal(OGR_F_GetFID(f), (GIntBig)r); /* Memory fids count from 0 */
        assert_int_equal(OGR_F_IsFieldNull(f, 1), r % 3 == 0);
        if (r % 3) {
            char name[32];
            snprintf(name, sizeof name, "row %zu", r);
            assert_string_equal(OGR_F_GetFieldAsString(f, 1), name);
        }
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (r % 2) {
            assert_non_null(g);
            assert_near(OGR_G_GetX(g, 0), (double)r, 0);
            assert_near(OGR_G_GetY(g, 0), -(double)r, 0);
        } else {
            assert_null(g);
        }
        seen++;
        OGR_F_Destroy(f);
    }
    assert_int_equal(seen, n);
}

/* More rows than the ring holds, and a count that is not a whole number
 * of batches. */
static void test_every_row_once_in_order(void **state)
{
    (void)state;
    pipe_test t = {NULL, (size_t)-1, 0, 0, 0};
    GDALDatasetH ds = memory_layer(&t.lyr);
    size_t n = 5003;
    assert_int_equal(dcs_feature_pipe(OGR_L_GetLayerDefn(t.lyr), n, fill, put, &t, 1), n);
    assert_int_equal(t.out_of_order, 0);
    assert_int_equal(t.next, n);
    check_rows(t.lyr, n);
    GDALClose(ds);
}

/* The same rows without the worker thread. */
static void test_every_row_once_without_thread(void **state)
{
    (void)state;
    pipe_test t = {NULL, (size_t)-1, 0, 0, 0};
    GDALDatasetH ds = memory_layer(&t.lyr);
    assert_int_equal(dcs_feature_pipe(OGR_L_GetLayerDefn(t.lyr), 700, fill, put, &t, 0), 700);
    assert_int_equal(t.out_of_order, 0);
    check_rows(t.lyr, 700);
    GDALClose(ds);
}

static void test_one_row_and_none(void **state)
{
    (void)state;
    pipe_test t = {NULL, (size_t)-1, 0, 0, 0};
    GDALDatasetH ds = memory_layer(&t.lyr);
    assert_int_equal(dcs_feature_pipe(OGR_L_GetLayerDefn(t.lyr), 0, fill, put, &t, 1), 0);
    assert_int_equal(dcs_feature_pipe(OGR_L_GetLayerDefn(t.lyr), 1, fill, put, &t, 1), 1);
    check_rows(t.lyr, 1);
    GDALClose(ds);
}

/* A failed put returns its row; nothing after it is inserted. */
static void test_failed_put_stops_the_pipe(void **state)
{
    (void)state;
    pipe_test t = {NULL, 1234, 0, 0, 0};
    GDALDatasetH ds = memory_layer(&t.lyr);
    assert_int_equal(dcs_feature_pipe(OGR_L_GetLayerDefn(t.lyr), 4000, fill, put, &t, 1), 1234);
    assert_int_equal(t.next, 1235);
    assert_int_equal(t.out_of_order, 0);
    check_rows(t.lyr, 1234);
    GDALClose(ds);
}

/* A put that says its row is the last ends the pipe just after it, with
 * and without the worker (which has built rows ahead: they are dropped). */
static void test_last_put_ends_the_pipe(void **state)
{
    (void)state;
    for (int threaded = 0; threaded < 2; threaded++) {
        pipe_test t = {NULL, (size_t)-1, 2999, 0, 0};
        GDALDatasetH ds = memory_layer(&t.lyr);
        assert_int_equal(dcs_feature_pipe(OGR_L_GetLayerDefn(t.lyr), 4000, fill, put, &t,
                                          threaded),
                         3000);
        assert_int_equal(t.next, 3000);
        assert_int_equal(t.out_of_order, 0);
        check_rows(t.lyr, 3000);
        GDALClose(ds);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_once_in_order),
        cmocka_unit_test(test_every_row_once_without_thread),
        cmocka_unit_test(test_one_row_and_none),
        cmocka_unit_test(test_failed_put_stops_the_pipe),
        cmocka_unit_test(test_last_put_ends_the_pipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
