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
 */
#include "testutil.h"
#include "geos_fixture.h"

#include <math.h>
#include <stdlib.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_designed_cases),
        cmocka_unit_test(test_random_rings),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
