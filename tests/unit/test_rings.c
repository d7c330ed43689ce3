/*
 * test_rings.c - flat rings, convex clipping and pixel coverage (rings.h).
 *
 * References: hand-computed areas and pixel shares for small shapes, and
 * GEOS's own overlay (GEOSIntersection_r + GEOSArea_r, an independent
 * implementation) for random concave polygons with holes: every pixel's
 * share and every clipped area must match it within 1e-9 (shares and
 * areas here are O(1) to O(100) units, so that is a relative error of
 * about 1e-11; the clipping itself is exact up to rounding).
 */
#include "testutil.h"
#include "geos_fixture.h"

#include <stdlib.h>

#include "geometry/rings.h"
#include "pipeline/run.h"

static void test_orientation_and_area(void **state)
{
    (void)state;
    dcs_rings R = {0};
    const double cw_x[] = {0, 0, 4, 4, 0}, cw_y[] = {0, 4, 4, 0, 0}; /* clockwise, closed */
    const double hx[] = {1, 2, 2, 1}, hy[] = {1, 1, 2, 2};             /* hole, ccw */
    assert_int_equal(dcs_rings_add(&R, cw_x, cw_y, 5, 1), 0);
    assert_int_equal(R.nrings, 1);
    assert_int_equal(R.n, 4); /* closing vertex dropped */
    assert_near(dcs_rings_area(&R), 16, 1e-12);
    assert_int_equal(dcs_rings_add(&R, hx, hy, 4, 0), 0);
    assert_near(dcs_rings_area(&R), 15, 1e-12);
    /* a flip of the y axis (as in a north-up raster) keeps the area positive */
    dcs_rings_scale(&R, 0, 4, 0.5, -0.5);
    assert_near(dcs_rings_area(&R), 15.0 / 4, 1e-12);
    /* degenerate ring: nothing added */
    const double lx[] = {0, 1, 0}, ly[] = {0, 1, 0};
    assert_int_equal(dcs_rings_add(&R, lx, ly, 3, 1), 0);
    assert_int_equal(R.nrings, 2);
    dcs_rings_free(&R);
}

static void test_convexity(void **state)
{
    (void)state;
    dcs_rings R = {0};
    const double sx[] = {0, 2, 2, 1, 0}, sy[] = {0, 0, 2, 2, 2}; /* collinear vertex */
    dcs_rings_add(&R, sx, sy, 5, 1);
    assert_true(dcs_rings_is_convex(&R));
    dcs_rings_clear(&R);
    const double lx[] = {0, 2, 2, 1, 1, 0}, ly[] = {0, 0, 1, 1, 2, 2}; /* L shape */
    dcs_rings_add(&R, lx, ly, 6, 1);
    assert_false(dcs_rings_is_convex(&R));
    dcs_rings_free(&R);
}

/* L shape of area 3 clipped by the square [0.5, 1.5]^2: the square holds
 * the L's cells [0.5,1]x[0.5,1], [1,1.5]x[0.5,1] and [0.5,1]x[1,1.5]:
 * 3 quarters = 0.75 (worked out by hand). */
static void test_clip_concave_by_hand(void **state)
{
    (void)state;
    dcs_rings R = {0}, scratch[2] = {{0}};
    const double lx[] = {0, 2, 2, 1, 1, 0}, ly[] = {0, 0, 1, 1, 2, 2};
    dcs_rings_add(&R, lx, ly, 6, 1);
    const double wx[] = {0.5, 1.5, 1.5, 0.5}, wy[] = {0.5, 0.5, 1.5, 1.5};
    assert_near(dcs_rings_clip_area(&R, wx, wy, 4, scratch), 0.75, 1e-12);
    const double far_x[] = {10, 11, 11}, far_y[] = {10, 10, 11};
    assert_near(dcs_rings_clip_area(&R, far_x, far_y, 3, scratch), 0, 0);
    dcs_rings_free(&R);
    dcs_rings_free(&scratch[0]);
    dcs_rings_free(&scratch[1]);
}

/* Triangle (0,0) (4,0) (0,4) over a 4 x 4 grid: pixels with col + row <= 2
 * are wholly inside, col + row = 3 are cut in half by the diagonal, the
 * rest are outside (by hand): 6 whole + 4 halves = 8 = the area. */
static void test_cover_triangle_by_hand(void **state)
{
    (void)state;
    dcs_rings R = {0};
    dcs_cover_work work = {0};
    dcs_cells cells = {0};
    const double x[] = {0, 4, 0}, y[] = {0, 0, 4};
    dcs_rings_add(&R, x, y, 3, 1);
    assert_int_equal(dcs_rings_pixel_cover(&R, 0, 0, 4, 4, &work, &cells), DCS_OK);
    assert_int_equal(cells.n, 10);
    double total = 0;
    for (size_t k = 0; k < cells.n; k++) {
        int s = cells.c[k].col + cells.c[k].row;
        assert_true(s <= 3);
        assert_near(cells.c[k].f, s <= 2 ? 1.0 : 0.5, 1e-12);
        total += cells.c[k].f;
    }
    assert_near(total, 8, 1e-12);
    /* a window that cuts the triangle keeps only its pixels */
    dcs_cells_clear(&cells);
    assert_int_equal(dcs_rings_pixel_cover(&R, 1, 1, 4, 4, &work, &cells), DCS_OK);
    assert_int_equal(cells.n, 3); /* (1,1) whole, (1,2) and (2,1) halves */
    dcs_cells_free(&cells);
    dcs_cover_work_free(&work);
    dcs_rings_free(&R);
}

/* ---- against GEOS ------------------------------------------------------------- */

static double rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

/* A star-shaped (concave) ring of n vertices around (cx, cy), radii in
 * [r0, r1], counter-clockwise when ccw. */
static void star(unsigned *seed, double cx, double cy, double r0, double r1, int n, int ccw,
                 double *x, double *y)
{
    for (int k = 0; k < n; k++) {
        double a = 2 * M_PI * k / n * (ccw ? 1 : -1), r = r0 + (r1 - r0) * rnd(seed);
        x[k] = cx + r * cos(a);
        y[k] = cy + r * sin(a);
    }
    x[n] = x[0];
    y[n] = y[0];
}

static GEOSGeometry *ring_geom(const double *x, const double *y, int n)
{
    GEOSCoordSequence *s = GEOSCoordSeq_copyFromArrays_r(geos, x, y, NULL, NULL, n + 1);
    return GEOSGeom_createLinearRing_r(geos, s);
}

/* Polygon: a star of radius 3..9 around (10.3, 9.7) with a star hole of
 * radius 1..2.5 in it. */
static GEOSGeometry *random_polygon(unsigned *seed)
{
    double x[41], y[41], hx[13], hy[13];
    star(seed, 10.3, 9.7, 3, 9, 40, 1, x, y);
    star(seed, 10.3, 9.7, 1, 2.5, 12, 0, hx, hy);
    GEOSGeometry *hole = ring_geom(hx, hy, 12);
    return GEOSGeom_createPolygon_r(geos, ring_geom(x, y, 40), &hole, 1);
}

static double geos_area_in_box(const GEOSGeometry *g, double x0, double y0, double x1, double y1)
{
    GEOSGeometry *box = GEOSGeom_createRectangle_r(geos, x0, y0, x1, y1);
    GEOSGeometry *in = GEOSIntersection_r(geos, g, box);
    double a = 0;
    GEOSArea_r(geos, in, &a);
    GEOSGeom_destroy_r(geos, in);
    GEOSGeom_destroy_r(geos, box);
    return a;
}

static void test_cover_matches_geos(void **state)
{
    (void)state;
    unsigned seed = 7;
    dcs_cover_work work = {0};
    for (int trial = 0; trial < 20; trial++) {
        GEOSGeometry *g = random_polygon(&seed);
        assert_int_equal(GEOSisValid_r(geos, g), 1);
        dcs_rings R = {0};
        dcs_cells cells = {0};
        assert_int_equal(dcs_rings_add_geos(&R, geos, g), DCS_OK);
        double area = 0;
        GEOSArea_r(geos, g, &area);
        assert_near(dcs_rings_area(&R), area, 1e-9);
        assert_int_equal(dcs_rings_pixel_cover(&R, 0, 0, 21, 21, &work, &cells), DCS_OK);
        double *f = calloc(21 * 21, sizeof *f);
        for (size_t k = 0; k < cells.n; k++)
            f[cells.c[k].row * 21 + cells.c[k].col] += cells.c[k].f;
        for (int j = 0; j < 21; j++)
            for (int i = 0; i < 21; i++)
                assert_near(f[j * 21 + i], geos_area_in_box(g, i, j, i + 1, j + 1), 1e-9);
        free(f);
        dcs_cells_free(&cells);
        dcs_rings_free(&R);
        GEOSGeom_destroy_r(geos, g);
    }
    dcs_cover_work_free(&work);
}

static void test_clip_matches_geos(void **state)
{
    (void)state;
    unsigned seed = 11;
    dcs_rings scratch[2] = {{0}};
    for (int trial = 0; trial < 50; trial++) {
        GEOSGeometry *g = random_polygon(&seed);
        dcs_rings R = {0};
        dcs_rings_add_geos(&R, geos, g);
        /* convex window: a regular 24-gon of radius 2..8 somewhere near */
        double wx[25], wy[25], cx = 4 + 12 * rnd(&seed), cy = 4 + 12 * rnd(&seed);
        double rad = 2 + 6 * rnd(&seed);
        for (int k = 0; k < 24; k++) {
            wx[k] = cx + rad * cos(2 * M_PI * k / 24);
            wy[k] = cy + rad * sin(2 * M_PI * k / 24);
        }
        wx[24] = wx[0];
        wy[24] = wy[0];
        GEOSGeometry *win = GEOSGeom_createPolygon_r(geos, ring_geom(wx, wy, 24), NULL, 0);
        GEOSGeometry *in = GEOSIntersection_r(geos, g, win);
        double expect = 0;
        GEOSArea_r(geos, in, &expect);
        assert_near(dcs_rings_clip_area(&R, wx, wy, 24, scratch), expect, 1e-9);
        GEOSGeom_destroy_r(geos, in);
        GEOSGeom_destroy_r(geos, win);
        GEOSGeom_destroy_r(geos, g);
        dcs_rings_free(&R);
    }
    dcs_rings_free(&scratch[0]);
    dcs_rings_free(&scratch[1]);
}

/* A multipolygon of two squares, one of them on the window's edge. */
static void test_multipolygon(void **state)
{
    (void)state;
    GEOSGeometry *parts[2] = {GEOSGeom_createRectangle_r(geos, 0.5, 0.5, 1.5, 1.5),
                              GEOSGeom_createRectangle_r(geos, 3, 3, 5, 5)};
    GEOSGeometry *mp = GEOSGeom_createCollection_r(geos, GEOS_MULTIPOLYGON, parts, 2);
    dcs_rings R = {0};
    dcs_cover_work work = {0};
    dcs_cells cells = {0};
    assert_int_equal(dcs_rings_add_geos(&R, geos, mp), DCS_OK);
    assert_int_equal(R.nrings, 2);
    assert_near(dcs_rings_area(&R), 5, 1e-12);
    /* window [0, 4)^2: 4 quarter pixels of the first square, pixel (3,3) whole */
    assert_int_equal(dcs_rings_pixel_cover(&R, 0, 0, 4, 4, &work, &cells), DCS_OK);
    double total = 0;
    for (size_t k = 0; k < cells.n; k++)
        total += cells.c[k].f;
    assert_int_equal(cells.n, 5);
    assert_near(total, 2, 1e-12);
    dcs_cells_free(&cells);
    dcs_cover_work_free(&work);
    dcs_rings_free(&R);
    GEOSGeom_destroy_r(geos, mp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orientation_and_area),
        cmocka_unit_test(test_convexity),
        cmocka_unit_test(test_clip_concave_by_hand),
        cmocka_unit_test(test_cover_triangle_by_hand),
        cmocka_unit_test(test_cover_matches_geos),
        cmocka_unit_test(test_clip_matches_geos),
        cmocka_unit_test(test_multipolygon),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
