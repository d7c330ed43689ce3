/*
 * test_validity.c - dcs_geom_plainly_valid (layers.h), the shortcut that
 * spares GEOSisValid for plainly convex parcels.
 *
 * Reference: GEOSisValid_r itself.  The shortcut may say "ask GEOS" (0)
 * for valid polygons, but whenever it says 1, GEOS must agree; and the
 * designed cases must come out as stated: convex quadrilaterals and
 * triangles in both orientations at UTM-like coordinates are plainly
 * valid; a pentagram (one-way turns, twice round), a bow tie, a concave
 * polygon, collinear and repeated vertices, a hole, a multipolygon, a
 * point and a ring with a NaN are not.
 *
 * Also dcs_layer_convert_wkb (layers.h): the WKB it hands over must be,
 * byte for byte, what GEOSGeomToWKB_buf_r writes of the geometry it
 * returns (the reference), for polygons, polygons with holes,
 * multipolygons and points; and it must hand over none for a 3D polygon
 * (GEOS writes 2D) or a repaired bow tie.
 */
#include "testutil.h"
#include "geos_fixture.h"

#include <math.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>

#include "inputs/layers.h"

static GEOSGeometry *from_wkt(const char *text)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(geos, r, text);
    GEOSWKTReader_destroy_r(geos, r);
    assert_non_null(g);
    return g;
}

/* The shortcut's answer for g (consumed), checked against GEOS when 1. */
static int plainly(GEOSGeometry *g)
{
    int p = dcs_geom_plainly_valid(geos, g);
    if (p)
        assert_int_equal(GEOSisValid_r(geos, g), 1);
    GEOSGeom_destroy_r(geos, g);
    return p;
}

static GEOSGeometry *ring_polygon(const double *x, const double *y, int n)
{
    double cx[32], cy[32];
    for (int k = 0; k < n; k++)
        cx[k] = x[k], cy[k] = y[k];
    cx[n] = x[0], cy[n] = y[0];
    GEOSCoordSequence *seq =
        GEOSCoordSeq_copyFromArrays_r(geos, cx, cy, NULL, NULL, (unsigned)(n + 1));
    return GEOSGeom_createPolygon_r(geos, GEOSGeom_createLinearRing_r(geos, seq), NULL, 0);
}

static void test_designed_cases(void **state)
{
    (void)state;
    assert_true(plainly(from_wkt("POLYGON((583209.71 3483152.15, 583293.11 3483150.11, "
                                 "583288.06 3483251.2, 583213.22 3483249.59, "
                                 "583209.71 3483152.15))")));
    assert_true(plainly(from_wkt("POLYGON((0 0, 0 10, 10 10, 10 0, 0 0))"))); /* clockwise */
    assert_true(plainly(from_wkt("POLYGON((0 0, 10 0, 5 8, 0 0))")));
    /* pentagram: every turn the same way, twice round */
    double px[5], py[5];
    for (int k = 0; k < 5; k++)
        px[k] = 500000 + 100 * cos(k * 4 * M_PI / 5), py[k] = 4000000 + 100 * sin(k * 4 * M_PI / 5);
    assert_false(plainly(ring_polygon(px, py, 5)));
    assert_false(plainly(from_wkt("POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))")));     /* bow tie */
    assert_false(plainly(from_wkt("POLYGON((0 0, 10 0, 5 2, 10 10, 0 10, 0 0))"))); /* concave */
    assert_false(plainly(from_wkt("POLYGON((0 0, 5 0, 10 0, 10 10, 0 10, 0 0))"))); /* collinear */
    assert_false(plainly(from_wkt("POLYGON((0 0, 10 0, 10 0, 10 10, 0 10, 0 0))"))); /* repeated */
    assert_false(plainly(from_wkt("POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), "
                                  "(2 2, 2 4, 4 4, 4 2, 2 2))")));
    assert_false(plainly(from_wkt("MULTIPOLYGON(((0 0, 10 0, 10 10, 0 10, 0 0)))")));
    assert_false(plainly(from_wkt("POINT(1 2)")));
    double nx[4] = {0, 10, NAN, 0}, ny[4] = {0, 0, 10, 10};
    assert_false(plainly(ring_polygon(nx, ny, 4)));
}

/* Random quadrilaterals and pentagons, convex or not: never 1 where GEOS
 * says invalid, and 1 for every strictly convex one built as such. */
static void test_random_rings(void **state)
{
    (void)state;
    unsigned seed = 5;
    int convex_plain = 0;
    for (int k = 0; k < 2000; k++) {
        double x[5], y[5];
        int n = 4 + k % 2;
        for (int v = 0; v < n; v++) {
            seed = seed * 1103515245u + 12345u;
            double r = k % 3 == 0 ? 50 + (seed >> 8) % 100 : 100; /* k % 3 == 0: maybe concave */
            double a = 2 * M_PI * v / n * (k % 7 == 0 ? 2 : 1) + 0.3 * k;  /* k % 7: twice round */
            x[v] = 600000 + 37.1 * k + r * cos(a), y[v] = 3500000 + r * sin(a);
        }
        int p = plainly(ring_polygon(x, y, n)); /* checked against GEOS inside */
        if (k % 3 != 0 && k % 7 != 0) {
            assert_true(p); /* a regular polygon, rotated */
            convex_plain++;
        }
    }
    assert_true(convex_plain > 1000);
}

/* Convert the OGR geometry of wkt; 1 when a WKB was handed over (then it
 * must equal GEOS's own writing of the result), 0 when none was. */
static int handed_over(const char *wkt)
{
    OGRGeometryH src = NULL;
    char *text = (char *)wkt;
    assert_int_equal(OGR_G_CreateFromWkt(&text, NULL, &src), OGRERR_NONE);
    dcs_source source = {.layer = "test"};
    dcs_layer L = {.role = "sites", .src = &source, .in_work_crs = 1,
                   .want = DCS_GEOM_POLYGON_OR_POINT};
    dcs_layer_xf xf = {0};
    dcs_error err = {0};
    GEOSGeometry *g = NULL;
    unsigned char *wkb = NULL;
    size_t size = 0;
    assert_int_equal(dcs_layer_convert_wkb(&L, &xf, geos, src, &g, &wkb, &size, &err), DCS_OK);
    assert_non_null(g);
    int got = wkb != NULL;
    if (wkb) {
        size_t ref_size = 0;
        unsigned char *ref = GEOSGeomToWKB_buf_r(geos, g, &ref_size);
        assert_non_null(ref);
        assert_int_equal(size, ref_size);
        assert_memory_equal(wkb, ref, size);
        GEOSFree_r(geos, ref);
    }
    free(wkb);
    GEOSGeom_destroy_r(geos, g);
    OGR_G_DestroyGeometry(src);
    return got;
}

static void test_convert_hands_over_geos_wkb(void **state)
{
    (void)state;
    assert_true(handed_over("POLYGON((583209.71 3483152.15,583293.11 3483150.11,"
                            "583288.06 3483251.2,583213.22 3483249.59,583209.71 3483152.15))"));
    assert_true(handed_over("POLYGON((0 0,100 0,100 100,0 100,0 0),(10 10,10 20,20 20,10 10))"));
    assert_true(handed_over("MULTIPOLYGON(((0 0,10 0,10 10,0 0)),((20 20,30 20,30 30,20 20)))"));
    assert_true(handed_over("POINT(583209.71 3483152.15)"));
    assert_false(handed_over("POLYGON Z((0 0 1,10 0 1,10 10 2,0 0 1))"));
    assert_false(handed_over("POLYGON((0 0,10 10,10 0,0 10,0 0))")); /* bow tie: repaired */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_designed_cases),
        cmocka_unit_test(test_random_rings),
        cmocka_unit_test(test_convert_hands_over_geos_wkb),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
