/*
 * test_geo.c - geodesic distances and areas against independent values.
 *
 * References:
 *  - equator: along the equator the geodesic is the equator itself for
 *    longitude differences below (1 - f) * 180 degrees, so its length is
 *    a * dlon (a = 6378137 m, WGS 84);
 *  - meridian arc: integrated here numerically (Simpson's rule, 2000
 *    intervals) from M = int a (1 - e^2) / (1 - e^2 sin^2 phi)^1.5 dphi,
 *    independently of PROJ; the 0-1 degree value is the textbook
 *    110 574.389 m;
 *  - Dallas - Fort Worth and a Lexington pair: computed independently with
 *    PROJ's `geod +ellps=WGS84 -I` command (proj-bin 9.1.1) and pyproj
 *    3.4 Geod.inv: 49 772.358 m and 14 150.790 m;
 *  - area of a lon/lat box: the closed-form area of an ellipsoidal zone
 *    between two parallels (authalic formula), times dlon / 360; the
 *    geodesic box differs from the parallel-bounded one by well under
 *    1e-7 relative for a 0.01 degree box;
 *  - pyproj 3.4 Geod.polygon_area_perimeter of the same 0.01 degree box
 *    at Dallas: 1 038 908.471 m^2.
 */
#include "core/libctx.h"
#include "testutil.h"

#include "geometry/geo.h"
#include "pipeline/run.h"

#define WGS84_A 6378137.0
#define WGS84_F (1.0 / 298.257223563)
#define DEG (M_PI / 180.0)

static double meridian_integrand(double phi)
{
    double e2 = WGS84_F * (2 - WGS84_F);
    double s = sin(phi);
    return WGS84_A * (1 - e2) / pow(1 - e2 * s * s, 1.5);
}

static double meridian_arc(double lat0, double lat1)
{
    int n = 2000;
    double h = (lat1 - lat0) * DEG / n, sum = 0;
    for (int i = 0; i <= n; i++) {
        double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
        sum += w * meridian_integrand(lat0 * DEG + i * h);
    }
    return sum * h / 3;
}

/* Area between the equator and latitude phi per full turn of longitude. */
static double zone_area(double lat)
{
    double e2 = WGS84_F * (2 - WGS84_F), e = sqrt(e2), b = WGS84_A * (1 - WGS84_F);
    double s = sin(lat * DEG);
    double q = s / (1 - e2 * s * s) + log((1 + e * s) / (1 - e * s)) / (2 * e);
    return M_PI * b * b * q;
}

static void test_equator_distance(void **state)
{
    (void)state;
    for (double dlon = 0.5; dlon < 170; dlon *= 3) /* tolerance 1 micrometre */
        assert_near(dcs_geodesic_distance_m(10, 0, 10 + dlon, 0), WGS84_A * dlon * DEG, 1e-6);
}

static void test_meridian_distance(void **state)
{
    (void)state;
    assert_near(dcs_geodesic_distance_m(0, 0, 0, 1), 110574.389, 1e-3);
    assert_near(dcs_geodesic_distance_m(-96.8, 30, -96.8, 35), meridian_arc(30, 35), 1e-3);
    assert_near(dcs_geodesic_distance_m(20, -45, 20, -10), meridian_arc(-45, -10), 1e-3);
}

static void test_distance_against_proj_geod(void **state)
{
    (void)state;
    assert_near(dcs_geodesic_distance_m(-96.80, 32.78, -97.33, 32.75), 49772.358, 1e-3);
    assert_near(dcs_geodesic_distance_m(-84.5, 38.0, -84.4, 38.1), 14150.790, 1e-3);
    assert_near(dcs_geodesic_distance_m(-84.5, 38.0, -84.5, 38.0), 0, 0);
}

static void test_box_area(void **state)
{
    (void)state;
    double lon[] = {-96.80, -96.79, -96.79, -96.80, -96.80};
    double lat[] = {32.78, 32.78, 32.79, 32.79, 32.78};
    double expect = (zone_area(32.79) - zone_area(32.78)) * 0.01 / 360.0;
    double a = dcs_geodesic_ring_area_m2(lon, lat, 5);
    assert_near(a / expect, 1.0, 1e-7);
    assert_near(a, 1038908.471, 1e-2);
    /* clockwise and open rings give the same area */
    double lon_cw[] = {-96.80, -96.80, -96.79, -96.79};
    double lat_cw[] = {32.78, 32.79, 32.79, 32.78};
    assert_near(dcs_geodesic_ring_area_m2(lon_cw, lat_cw, 4), a, 1e-6);
    assert_near(dcs_geodesic_ring_area_m2(lon, lat, 2), 0, 0);
}

/* The same multipolygon, given in the working CRS (UTM 31N): its vertices
 * go back to lon/lat and the area is that of the geodesic rings. */
static void test_polygon_with_hole_area(void **state)
{
    (void)state;
    dcs_crs crs;
    dcs_error err;
    assert_int_equal(dcs_crs_open(&crs, "EPSG:32631", 0, 0, 1.01, 1.01, &err), DCS_OK);
    OGRCoordinateTransformationH to_work = OCTNewCoordinateTransformation(crs.lonlat, crs.work);
    OGRGeometryH g = NULL;
    char wkt[] = "MULTIPOLYGON(((0 0,0.02 0,0.02 0.02,0 0.02,0 0),(0.005 0.005,0.015 0.005,"
                 "0.015 0.015,0.005 0.015,0.005 0.005)),((1 1,1.01 1,1.01 1.01,1 1.01,1 1)))";
    char *p = wkt;
    assert_int_equal(OGR_G_CreateFromWkt(&p, NULL, &g), OGRERR_NONE);
    assert_int_equal(OGR_G_Transform(g, to_work), OGRERR_NONE);
    unsigned char wkb[1024];
    size_t size = (size_t)OGR_G_WkbSize(g);
    assert_true(size <= sizeof wkb);
    OGR_G_ExportToWkb(g, wkbNDR, wkb);
    GEOSContextHandle_t geos = GEOS_init_r();
    GEOSGeometry *gg = GEOSGeomFromWKB_buf_r(geos, wkb, size);
    assert_non_null(gg);
    double outer = (zone_area(0.02) - zone_area(0)) * 0.02 / 360;
    double hole = (zone_area(0.015) - zone_area(0.005)) * 0.01 / 360;
    double second = (zone_area(1.01) - zone_area(1)) * 0.01 / 360;
    double a = dcs_geodesic_area_m2(geos, gg, crs.work_to_lonlat);
    assert_near(a / (outer - hole + second), 1.0, 1e-7);
    GEOSGeom_destroy_r(geos, gg);
    GEOS_finish_r(geos);
    OGR_G_DestroyGeometry(g);
    OCTDestroyCoordinateTransformation(to_work);
    dcs_crs_close(&crs);
}

static void test_utm_zone(void **state)
{
    (void)state;
    assert_int_equal(dcs_utm_epsg(-96.8, 32.8), 32614);  /* Dallas: zone 14N */
    assert_int_equal(dcs_utm_epsg(-84.5, 38.0), 32616);  /* Lexington: 16N */
    assert_int_equal(dcs_utm_epsg(151.2, -33.9), 32756); /* Sydney: 56S */
    assert_int_equal(dcs_utm_epsg(-180, 10), 32601);
    assert_int_equal(dcs_utm_epsg(179.99, 10), 32660);
    assert_int_equal(dcs_utm_epsg(180, 10), 32601); /* 180 wraps to -180 */
}

static void test_working_crs(void **state)
{
    (void)state;
    dcs_crs crs;
    dcs_error err;
    assert_int_equal(dcs_crs_open(&crs, NULL, -97.0, 32.6, -96.5, 33.0, &err), DCS_OK);
    assert_contains(crs.name, "EPSG:32614");
    /* UTM 14N false easting 500 km at the central meridian -99: a point
     * there maps back to lon -99 with x first (GIS axis order). */
    double x = 500000, y = 3630000;
    assert_true(OCTTransform(crs.work_to_lonlat, 1, &x, &y, NULL));
    assert_near(x, -99.0, 1e-9);
    assert_true(y > 32.7 && y < 32.9);
    dcs_crs_close(&crs);
    assert_int_equal(dcs_crs_open(&crs, "EPSG:4326", 0, 0, 1, 1, &err), DCS_ERR_SCENARIO);
    assert_contains(err.message, "not a projected CRS in metres");
    assert_int_equal(dcs_crs_open(&crs, "EPSG:999999", 0, 0, 1, 1, &err), DCS_ERR_SCENARIO);
    assert_contains(err.message, "working_crs");
    assert_int_equal(dcs_crs_open(&crs, "EPSG:2276", 0, 0, 1, 1, &err), DCS_ERR_SCENARIO);
    assert_contains(err.message, "EPSG:2276"); /* Texas North Central, US feet */
}

int main(void)
{
    dcs_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equator_distance),
        cmocka_unit_test(test_meridian_distance),
        cmocka_unit_test(test_distance_against_proj_geod),
        cmocka_unit_test(test_box_area),
        cmocka_unit_test(test_polygon_with_hole_area),
        cmocka_unit_test(test_utm_zone),
        cmocka_unit_test(test_working_crs),
    };
    return cmocka_run_group_tests_name("geo", tests, NULL, NULL);
}
