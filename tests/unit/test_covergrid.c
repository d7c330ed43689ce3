/*
 * test_covergrid.c - the coverage grid's quick answers (covergrid.h).
 *
 * Reference: GEOSCovers_r (GEOS's own predicate, which dcsite asked for
 * every site before the grid).  Every answer the grid gives must be
 * GEOS's, for squares, thin rectangles and points scattered over an area
 * with a hole, a separate part and a curved edge, and most of them must
 * be answered (else the grid saves nothing).
 */
#include "testutil.h"
#include "geos_fixture.h"

#include <stdlib.h>

#include "geometry/covergrid.h"

/* A 1000 m square with a 200 m hole, a triangle apart, and a 64-sided
 * disc overlapping the square's corner. */
static GEOSGeometry *test_area(void)
{
    char wkt[8192];
    int n = snprintf(wkt, sizeof wkt,
                     "MULTIPOLYGON(((0 0,1000 0,1000 1000,0 1000,0 0),"
                     "(400 400,600 400,600 600,400 600,400 400)),"
                     "((1500 0,2500 0,2000 900,1500 0)),((");
    for (int k = 0; k <= 64; k++) {
        double a = 2 * M_PI * (k % 64) / 64;
        n += snprintf(wkt + n, sizeof wkt - (size_t)n, "%s%.6f %.6f", k ? "," : "",
                      1000 + 300 * cos(a), 1300 + 300 * sin(a));
    }
    snprintf(wkt + n, sizeof wkt - (size_t)n, ")))");
    GEOSWKTReader *r = GEOSWKTReader_create_r(geos);
    GEOSGeometry *parts = GEOSWKTReader_read_r(geos, r, wkt);
    GEOSWKTReader_destroy_r(geos, r);
    assert_non_null(parts);
    GEOSGeometry *area = GEOSUnaryUnion_r(geos, parts); /* the disc and square merge */
    GEOSGeom_destroy_r(geos, parts);
    assert_non_null(area);
    return area;
}

/* The point test: GEOS's prepared intersects of the one area. */
static long in_prepared(void *user, double x, double y)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(geos, x, y);
    char in = GEOSPreparedIntersects_r(geos, user, pt);
    GEOSGeom_destroy_r(geos, pt);
    return in == 2 ? -3 : in ? 0 : DCS_COVER_NONE;
}

static GEOSGeometry *box_geom(double x0, double y0, double x1, double y1)
{
    if (x0 == x1 && y0 == y1)
        return GEOSGeom_createPointFromXY_r(geos, x0, y0);
    GEOSGeometry *g = GEOSGeom_createRectangle_r(geos, x0, y0, x1, y1);
    assert_non_null(g);
    return g;
}

static double uniform(unsigned *seed, double lo, double hi)
{
    *seed = *seed * 1103515245u + 12345u;
    return lo + (hi - lo) * ((*seed >> 8) & 0xffffff) / 16777216.0;
}

/* The test area, prepared, and its grid (256 cells a side). */
static void build_test_area(GEOSGeometry **area, const GEOSPreparedGeometry **prep,
                            dcs_cover_grid *g)
{
    *area = test_area();
    *prep = GEOSPrepare_r(geos, *area);
    assert_non_null(*prep);
    assert_int_equal(dcs_cover_grid_build(geos, area, 1, in_prepared, (void *)*prep, 256, g),
                     DCS_OK);
}

/* 20,000 random boxes (sides 0 to 60 m, a third of them points) over
 * -200..2700 x -200..1800: every grid answer equals GEOS's, and at least
 * 80 % are answered. */
static void test_answers_agree_with_geos(void **state)
{
    (void)state;
    GEOSGeometry *area;
    const GEOSPreparedGeometry *prep;
    dcs_cover_grid g;
    build_test_area(&area, &prep, &g);
    assert_non_null(g.cell);
    unsigned seed = 7;
    int answered = 0, inside = 0, outside = 0, n = 20000;
    for (int k = 0; k < n; k++) {
        double x = uniform(&seed, -200, 2700), y = uniform(&seed, -200, 1800);
        double w = k % 3 == 0 ? 0 : uniform(&seed, 0, 60);
        double h = k % 3 == 0 ? 0 : uniform(&seed, 0, 60);
        dcs_cover_answer a = dcs_cover_grid_box(&g, x, y, x + w, y + h);
        if (a == DCS_COVER_UNKNOWN)
            continue;
        GEOSGeometry *b = box_geom(x, y, x + w, y + h);
        char truth = GEOSCovers_r(geos, area, b);
        GEOSGeom_destroy_r(geos, b);
        assert_int_equal(truth, a == DCS_COVER_INSIDE);
        answered++;
        inside += a == DCS_COVER_INSIDE;
        outside += a == DCS_COVER_OUTSIDE;
    }
    print_message("answered %d of %d (%d inside, %d outside)\n", answered, n, inside, outside);
    assert_true(answered >= n * 8 / 10);
    assert_true(inside > n / 10 && outside > n / 10);
    dcs_cover_grid_free(&g);
    assert_null(g.cell);
    GEOSPreparedGeom_destroy_r(geos, prep);
    GEOSGeom_destroy_r(geos, area);
}

/* Boxes across an edge, in the hole's rim and on the boundary are left
 * to GEOS; inside the hole and past the area's box the answer is no;
 * deep inside it is yes; a box over more than 64 cells is left to GEOS. */
static void test_edges_are_left_to_geos(void **state)
{
    (void)state;
    GEOSGeometry *area;
    const GEOSPreparedGeometry *prep;
    dcs_cover_grid g;
    build_test_area(&area, &prep, &g);
    assert_int_equal(dcs_cover_grid_box(&g, 990, 100, 1010, 120), DCS_COVER_UNKNOWN);
    assert_int_equal(dcs_cover_grid_box(&g, 395, 500, 405, 510), DCS_COVER_UNKNOWN);
    assert_int_equal(dcs_cover_grid_box(&g, 0, 0, 0, 0), DCS_COVER_UNKNOWN);
    assert_int_equal(dcs_cover_grid_box(&g, 480, 480, 520, 520), DCS_COVER_OUTSIDE);
    assert_int_equal(dcs_cover_grid_box(&g, -500, 100, -490, 110), DCS_COVER_OUTSIDE);
    assert_int_equal(dcs_cover_grid_box(&g, 2700, 100, 2800, 110), DCS_COVER_OUTSIDE);
    /* partly past the grid but touching the triangle's box: GEOS decides
     * (a site there may still meet a polygon) */
    assert_int_equal(dcs_cover_grid_box(&g, 2000, 100, 2800, 110), DCS_COVER_UNKNOWN);
    assert_int_equal(dcs_cover_grid_box(&g, -50, 500, 5, 510), DCS_COVER_UNKNOWN);
    assert_int_equal(dcs_cover_grid_box(&g, 200, 200, 210, 210), DCS_COVER_INSIDE);
    assert_int_equal(dcs_cover_grid_box(&g, 100, 100, 300, 300), DCS_COVER_UNKNOWN);
    assert_int_equal(dcs_cover_grid_box(&g, 210, 200, 200, 210), DCS_COVER_UNKNOWN);
    assert_int_equal(dcs_cover_grid_box(&g, NAN, 200, 210, 210), DCS_COVER_UNKNOWN);
    dcs_cover_grid copy;
    assert_int_equal(dcs_cover_grid_copy(&copy, &g), DCS_OK);
    assert_int_equal(copy.nx, g.nx);
    assert_memory_equal(copy.cell, g.cell, (size_t)g.nx * (size_t)g.ny);
    assert_true(copy.cell != g.cell);
    dcs_cover_grid_free(&copy);
    dcs_cover_grid_free(&g);
    GEOSPreparedGeom_destroy_r(geos, prep);
    GEOSGeom_destroy_r(geos, area);
}

typedef struct {
    GEOSGeometry **parts;
    size_t n;
} part_set;

/* The point test over a set: the lowest index of the parts holding the
 * point, by brute force with GEOS. */
static long lowest_holding(const part_set *ps, const GEOSGeometry *pt)
{
    for (size_t k = 0; k < ps->n; k++)
        if (GEOSIntersects_r(geos, ps->parts[k], pt) == 1)
            return (long)k;
    return DCS_COVER_NONE;
}

static long in_any(void *user, double x, double y)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(geos, x, y);
    long in = lowest_holding(user, pt);
    GEOSGeom_destroy_r(geos, pt);
    return in;
}

/* Forty overlapping random stars (a polygon layer such as flood zones)
 * and 10,000 random boxes: INSIDE means one part covers the box and
 * OUTSIDE that none meets it, by GEOS on each part; half or more are
 * answered (58 %: the stars leave little room between their edges).  At
 * 10,000 random points, the point query names the lowest index of the
 * parts holding the point (the zone), or none, as brute force does. */
static void test_overlapping_parts(void **state)
{
    (void)state;
    enum { N = 40 };
    GEOSGeometry *parts[N];
    unsigned seed = 99;
    for (int k = 0; k < N; k++) {
        double cx = uniform(&seed, 0, 5000), cy = uniform(&seed, 0, 5000), x[13], y[13];
        for (int v = 0; v < 12; v++) {
            double a = 2 * M_PI * v / 12, r = uniform(&seed, 200, 600);
            x[v] = cx + r * cos(a), y[v] = cy + r * sin(a);
        }
        x[12] = x[0], y[12] = y[0];
        GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(geos, x, y, NULL, NULL, 13);
        parts[k] = GEOSGeom_createPolygon_r(geos, GEOSGeom_createLinearRing_r(geos, seq), NULL, 0);
        assert_non_null(parts[k]);
    }
    part_set ps = {.parts = parts, .n = N};
    dcs_cover_grid g;
    assert_int_equal(dcs_cover_grid_build(geos, parts, N, in_any, &ps, 256, &g), DCS_OK);
    assert_non_null(g.cell);
    int answered = 0, inside = 0, n = 10000;
    for (int q = 0; q < n; q++) {
        double x = uniform(&seed, -1000, 6000), y = uniform(&seed, -1000, 6000);
        double w = uniform(&seed, 0, 80), h = uniform(&seed, 0, 80);
        if (q % 10 == 0) /* long thin boxes, some across the grid's edge */
            w = uniform(&seed, 0, 2000);
        dcs_cover_answer a = dcs_cover_grid_box(&g, x, y, x + w, y + h);
        if (a == DCS_COVER_UNKNOWN)
            continue;
        GEOSGeometry *b = box_geom(x, y, x + w, y + h);
        int covered = 0, meets = 0;
        for (int k = 0; k < N; k++) {
            covered |= GEOSCovers_r(geos, parts[k], b) == 1;
            meets |= GEOSIntersects_r(geos, parts[k], b) == 1;
        }
        GEOSGeom_destroy_r(geos, b);
        if (a == DCS_COVER_INSIDE)
            assert_true(covered);
        else
            assert_false(meets);
        answered++;
        inside += a == DCS_COVER_INSIDE;
    }
    print_message("answered %d of %d (%d inside)\n", answered, n, inside);
    assert_true(answered >= n / 2 && inside > n / 10);
    int named = 0, overlapped = 0;
    for (int q = 0; q < n; q++) {
        double x = uniform(&seed, -300, 5300), y = uniform(&seed, -300, 5300);
        long z = dcs_cover_grid_point(&g, x, y);
        if (z == DCS_COVER_ASK)
            continue;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(geos, x, y);
        assert_int_equal(z, lowest_holding(&ps, pt));
        int holding = 0;
        for (int k = 0; k < N; k++)
            holding += GEOSIntersects_r(geos, parts[k], pt) == 1;
        GEOSGeom_destroy_r(geos, pt);
        named += z >= 0;
        overlapped += holding > 1;
    }
    assert_true(named > n / 10 && overlapped > 0);
    dcs_cover_grid_free(&g);
    for (int k = 0; k < N; k++)
        GEOSGeom_destroy_r(geos, parts[k]);
}

/* No grid (every answer unknown) for an empty area, a line and points. */
static void test_no_grid(void **state)
{
    (void)state;
    const char *const wkts[] = {"POLYGON EMPTY", "LINESTRING(0 0,10 10)",
                                "MULTIPOINT((0 0),(10 10))"};
    GEOSWKTReader *r = GEOSWKTReader_create_r(geos);
    for (size_t k = 0; k < sizeof wkts / sizeof *wkts; k++) {
        GEOSGeometry *a = GEOSWKTReader_read_r(geos, r, wkts[k]);
        assert_non_null(a);
        const GEOSPreparedGeometry *prep = GEOSPrepare_r(geos, a);
        dcs_cover_grid g;
        assert_int_equal(dcs_cover_grid_build(geos, &a, 1, in_prepared, (void *)prep, 256, &g),
                         DCS_OK);
        assert_null(g.cell);
        assert_int_equal(dcs_cover_grid_box(&g, 1, 1, 2, 2), DCS_COVER_UNKNOWN);
        GEOSPreparedGeom_destroy_r(geos, prep);
        GEOSGeom_destroy_r(geos, a);
    }
    GEOSWKTReader_destroy_r(geos, r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_agree_with_geos),
        cmocka_unit_test(test_edges_are_left_to_geos),
        cmocka_unit_test(test_overlapping_parts),
        cmocka_unit_test(test_no_grid),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
