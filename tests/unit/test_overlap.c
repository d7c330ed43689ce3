/*
 * test_overlap.c - the share of a site inside a polygon layer
 * (dcs_polyset_overlap_pct in context.h).
 *
 * References: shares designed by hand from axis-aligned boxes (areas in
 * whole square metres), so each expected percentage is exact: a site
 * wholly inside one polygon is 100 exactly (no overlay is needed, and no
 * rounding may leave it at 99.99999999999); half inside is 50; a site
 * covered by two adjacent polygons together, but by neither alone, is 100
 * within 1e-9 (the overlay path); two polygons that overlap on the site
 * count once; a point site is 100 inside and on the edge, 0 outside; the
 * same with more polygons than a set keeps prepared.  A flattened set
 * (convex clipping instead of overlay when one polygon meets a convex
 * site) is checked on a concave polygon with a hole: designed shares of
 * 75 %, and 400 rotated quadrilaterals against the area of GEOS's own
 * intersection computed here (tolerance 1e-8 percentage points: the two
 * place the crossing points differently by ~1e-10 m).
 * Coordinates are UTM-like (500 000 m, 4 000 000 m) so that overlays
 * carry realistic rounding.  Tolerance 1e-9 percentage points where an
 * overlay is involved.
 */
#include "testutil.h"
#include "geos_fixture.h"

#include <math.h>
#include <stdlib.h>

#include "inputs/context.h"
#include "pipeline/run.h"

enum { X0 = 500000, Y0 = 4000000 };

static GEOSGeometry *box(double x0, double y0, double x1, double y1)
{
    double x[5] = {X0 + x0, X0 + x1, X0 + x1, X0 + x0, X0 + x0};
    double y[5] = {Y0 + y0, Y0 + y0, Y0 + y1, Y0 + y1, Y0 + y0};
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(geos, x, y, NULL, NULL, 5);
    return GEOSGeom_createPolygon_r(geos, GEOSGeom_createLinearRing_r(geos, seq), NULL, 0);
}

/* Polygons: A 0..1000 square; B and C side by side (2000..2100 and
 * 2100..2200, 0..100); D and E overlapping (3000..3080 and 3040..3100). */
static void make_set(dcs_polyset *set)
{
    GEOSGeometry **g = malloc(5 * sizeof *g); /* the set takes the array over */
    assert_non_null(g);
    g[0] = box(0, 0, 1000, 1000);
    g[1] = box(2000, 0, 2100, 100), g[2] = box(2100, 0, 2200, 100);
    g[3] = box(3000, 0, 3080, 100), g[4] = box(3040, 0, 3100, 100);
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_polyset_from_geoms(geos, g, 5, set, &err), DCS_OK);
}

static double pct_of(dcs_polyset *set, GEOSGeometry *site)
{
    double pct = -1;
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_polyset_overlap_pct(set, site, &pct, &err), DCS_OK);
    GEOSGeom_destroy_r(geos, site);
    return pct;
}

static void test_shares(void **state)
{
    (void)state;
    dcs_polyset set;
    make_set(&set);
    /* wholly inside A, also touching its edge: exactly 100 */
    assert_true(pct_of(&set, box(100.3, 200.7, 250.1, 333.9)) == 100.0);
    assert_true(pct_of(&set, box(0, 0, 10, 10)) == 100.0);
    /* half inside A */
    assert_near(pct_of(&set, box(900, 100, 1100, 200)), 50.0, 1e-9);
    /* covered by B and C together only: the union of the overlays */
    assert_near(pct_of(&set, box(2050, 10, 2150, 90)), 100.0, 1e-9);
    /* D and E overlap on 3040..3080: the site 3000..3100 x 0..100 is
     * covered once, 100 %, not 140 % */
    assert_near(pct_of(&set, box(3000, 0, 3100, 50)), 100.0, 1e-9);
    /* 3060..3120: E covers 3060..3100, 40 of 60 m */
    assert_near(pct_of(&set, box(3060, 0, 3120, 100)), 100.0 * 40 / 60, 1e-9);
    /* near A's box but outside it; far from everything */
    assert_true(pct_of(&set, box(1001, 0, 1100, 100)) == 0.0);
    assert_true(pct_of(&set, box(5000, 5000, 5100, 5100)) == 0.0);
    /* points: inside, on the edge, outside */
    assert_true(pct_of(&set, GEOSGeom_createPointFromXY_r(geos, X0 + 500, Y0 + 500)) == 100.0);
    assert_true(pct_of(&set, GEOSGeom_createPointFromXY_r(geos, X0 + 1000, Y0 + 500)) == 100.0);
    assert_true(pct_of(&set, GEOSGeom_createPointFromXY_r(geos, X0 + 1500, Y0 + 500)) == 0.0);
    dcs_polyset_free(&set);
}

static GEOSGeometry *quad(const double x[4], const double y[4])
{
    double cx[5] = {x[0], x[1], x[2], x[3], x[0]}, cy[5] = {y[0], y[1], y[2], y[3], y[0]};
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(geos, cx, cy, NULL, NULL, 5);
    return GEOSGeom_createPolygon_r(geos, GEOSGeom_createLinearRing_r(geos, seq), NULL, 0);
}

/* Rotated quadrilaterals with coordinates that are not round, wholly
 * inside A: exactly 100 each (an overlay's area ratio can land a few ulps
 * below). */
static void test_inside_is_exactly_100(void **state)
{
    (void)state;
    dcs_polyset set;
    make_set(&set);
    unsigned seed = 11;
    for (int k = 0; k < 200; k++) {
        seed = seed * 1103515245u + 12345u;
        double cx = X0 + 200 + (seed >> 8) % 600 + 0.123456789 * k, cy = Y0 + 200 + (k * 37) % 600;
        double a = 0.0137 * k + 0.1, r = 60 + k % 7 * 3.3;
        double x[4], y[4];
        for (int v = 0; v < 4; v++)
            x[v] = cx + r * cos(a + v * M_PI / 2 + 0.05 * v), y[v] = cy + r * sin(a + v * M_PI / 2);
        double pct = pct_of(&set, quad(x, y));
        if (pct != 100.0)
            fail_msg("quad %d: %.17g %%", k, pct);
    }
    dcs_polyset_free(&set);
}

/* More polygons than a set keeps prepared (256): every site is still
 * measured right when its polygon was dropped and is prepared again
 * (forward, then backward, then every 7th). */
static void test_many_polygons(void **state)
{
    (void)state;
    enum { N = 600 };
    GEOSGeometry **g = malloc(N * sizeof *g);
    assert_non_null(g);
    for (int i = 0; i < N; i++)
        g[i] = box(20.0 * i, 0, 20.0 * i + 10, 10);
    dcs_polyset set;
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_polyset_from_geoms(geos, g, N, &set, &err), DCS_OK);
    for (int pass = 0; pass < 3; pass++)
        for (int k = 0; k < N; k++) {
            int i = pass == 0 ? k : pass == 1 ? N - 1 - k : (k * 7) % N;
            double x = 20.0 * i;
            if (pct_of(&set, box(x + 2, 2, x + 8, 8)) != 100.0)
                fail_msg("pass %d, polygon %d: not 100 %%", pass, i);
            assert_near(pct_of(&set, box(x + 5, 2, x + 15, 8)), 50.0, 1e-9);
        }
    dcs_polyset_free(&set);
}

static void test_empty_set(void **state)
{
    (void)state;
    dcs_polyset set;
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_polyset_from_geoms(geos, NULL, 0, &set, &err), DCS_OK);
    assert_true(pct_of(&set, box(0, 0, 10, 10)) == 0.0);
    dcs_polyset_free(&set);
}

/* The L of 0..1000 x 0..400 and 0..400 x 0..1000 with the hole
 * 100..200 x 100..200, in a flattened set. */
static GEOSGeometry *l_with_hole(void)
{
    double x[7] = {0, 1000, 1000, 400, 400, 0, 0}, y[7] = {0, 0, 400, 400, 1000, 1000, 0};
    double hx[5] = {100, 100, 200, 200, 100}, hy[5] = {100, 200, 200, 100, 100};
    for (int i = 0; i < 7; i++)
        x[i] += X0, y[i] += Y0;
    for (int i = 0; i < 5; i++)
        hx[i] += X0, hy[i] += Y0;
    GEOSGeometry *hole = GEOSGeom_createLinearRing_r(
        geos, GEOSCoordSeq_copyFromArrays_r(geos, hx, hy, NULL, NULL, 5));
    return GEOSGeom_createPolygon_r(
        geos,
        GEOSGeom_createLinearRing_r(geos, GEOSCoordSeq_copyFromArrays_r(geos, x, y, NULL, NULL, 7)),
        &hole, 1);
}

static void flat_l_set(dcs_polyset *set)
{
    GEOSGeometry **g = malloc(sizeof *g);
    assert_non_null(g);
    g[0] = l_with_hole();
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_polyset_from_geoms(geos, g, 1, set, &err), DCS_OK);
    assert_int_equal(dcs_polyset_flatten(set, &err), DCS_OK);
}

static void test_flattened_concave_with_hole(void **state)
{
    (void)state;
    dcs_polyset set;
    flat_l_set(&set);
    /* the L's inner corner in the site: 200^2 - 100^2 of 200^2 */
    assert_near(pct_of(&set, box(300, 300, 500, 500)), 75.0, 1e-9);
    /* the hole wholly inside the site: the same share */
    assert_near(pct_of(&set, box(50, 50, 250, 250)), 75.0, 1e-9);
    /* wholly inside the hole; wholly inside the L's arm */
    assert_true(pct_of(&set, box(120, 120, 180, 180)) == 0.0);
    assert_true(pct_of(&set, box(600, 100, 700, 300)) == 100.0);
    GEOSGeometry *L = l_with_hole();
    unsigned seed = 7;
    for (int k = 0; k < 400; k++) {
        seed = seed * 1103515245u + 12345u;
        double cx = X0 - 100 + (seed >> 8) % 1200, cy = Y0 - 100 + (seed >> 3) % 1200;
        double a = 0.37 * k, r = 40 + k % 11 * 17.3;
        double x[4], y[4];
        for (int v = 0; v < 4; v++)
            x[v] = cx + r * cos(a + v * M_PI / 2 + 0.07 * v), y[v] = cy + r * sin(a + v * M_PI / 2);
        GEOSGeometry *site = quad(x, y), *inter = GEOSIntersection_r(geos, site, L);
        double part = 0, whole = 0;
        assert_non_null(inter);
        assert_true(GEOSArea_r(geos, inter, &part) && GEOSArea_r(geos, site, &whole));
        GEOSGeom_destroy_r(geos, inter);
        double want = 100 * part / whole, got = pct_of(&set, site);
        if (!(fabs(got - want) <= 1e-8))
            fail_msg("quad %d: %.17g %%, GEOS overlay %.17g %%", k, got, want);
    }
    GEOSGeom_destroy_r(geos, L);
    dcs_polyset_free(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shares),
        cmocka_unit_test(test_inside_is_exactly_100),
        cmocka_unit_test(test_many_polygons),
        cmocka_unit_test(test_empty_set),
        cmocka_unit_test(test_flattened_concave_with_hole),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
