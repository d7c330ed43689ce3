/*
 * test_init.c - dcs_init: SQLite's process-wide memory statistics are off
 * once GDAL is set up.  GDAL then writes a GeoPackage (in /vsimem/, with
 * its R-tree) and SQLite must have counted none of the memory it used; with
 * the statistics on (SQLite's default) both counters read here are above
 * zero as soon as one database is open.
 */
#include "core/libctx.h"
#include "testutil.h"

#include "pipeline/run.h"

#include <gdal.h>
#include <ogr_api.h>
#include <sqlite3.h>

static const char path[] = "/vsimem/test_init.gpkg";

/* A GeoPackage layer of n points, written and closed. */
static void write_points(int n)
{
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "points", NULL, wkbPoint, NULL);
    assert_non_null(lyr);
    for (int k = 0; k < n; k++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, k, -k);
        OGR_F_SetGeometryDirectly(f, g);
        assert_int_equal(OGR_L_CreateFeature(lyr, f), OGRERR_NONE);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
}

static void test_sqlite_keeps_no_memory_statistics(void **state)
{
    (void)state;
    write_points(2000);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE), 2000);
    sqlite3_int64 used = -1, peak = -1, count = -1, count_peak = -1;
    assert_int_equal(sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &used, &peak, 0), SQLITE_OK);
    assert_int_equal(sqlite3_status64(SQLITE_STATUS_MALLOC_COUNT, &count, &count_peak, 0),
                     SQLITE_OK);
    GDALClose(ds);
    VSIUnlink(path);
    assert_true(used == 0 && peak == 0);
    assert_true(count == 0 && count_peak == 0);
}

int main(void)
{
    dcs_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_keeps_no_memory_statistics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
