/*
 * test_density.c - area-weighted sums on a grid over a site's buffer
 * (density.h).
 *
 * References, all independent of the grid:
 * - Steiner's formula: the buffer of a convex polygon by r has area
 *   A + P r + pi r^2 (A its area, P its perimeter), so under an even
 *   density the sum is density times that.
 * - GEOS: the area of GEOSBuffer_r(site, r, 256 segments a quarter
 *   circle) for concave sites and sites with holes (the polygonal buffer
 *   is short of the true one by under 3e-6 of its area at 256 segments),
 *   and for mosaics of polygons with different values the exact
 *   area-weighted sum: sum of value * area(buffer AND polygon) / area by
 *   GEOSIntersection_r.
 * Tolerances: the grid's error is the band of cells along the buffer's
 * boundary (boundary straight within a row, density even within a cell);
 * with cells of r/40 it is of order (cell / r)^2 for an even density and
 * below 1e-3 of the sum over a mosaic in these cases; we allow 1e-3 for
 * even densities and 5e-3 (the tolerance tests/e2e/test_model.py allows
 * the area-weighted metric against OGR) for mosaics.
 */
#include "testutil.h"
#include "geos_fixture.h"

#include <stdlib.h>

#include "geometry/density.h"
#include "pipeline/run.h"

static GEOSGeometry *wkt(const char *text)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(geos, r, text);
    GEOSWKTReader_destroy_r(geos, r);
    assert_non_null(g);
    return g;
}

static void rings_of(const GEOSGeometry *g, dcs_rings *R)
{
    dcs_rings_clear(R);
    assert_int_equal(dcs_rings_add_geos(R, geos, g), DCS_OK);
}

/* A grid of even density rho over the window from one polygon covering it. */
static void even_grid(double rho, const double win[4], double cell, dcs_density *d)
{
    dcs_rings big = {0};
    double x[] = {win[0] - 10, win[2] + 10, win[2] + 10, win[0] - 10};
    double y[] = {win[1] - 10, win[1] - 10, win[3] + 10, win[3] + 10};
    assert_int_equal(dcs_rings_add(&big, x, y, 4, 1), 0);
    double area = dcs_rings_area(&big), value = rho * area;
    assert_int_equal(dcs_density_build(&big, &area, &value, 1, win, cell, d), DCS_OK);
    dcs_rings_free(&big);
}

static double geos_buffer_area(const GEOSGeometry *g, double r)
{
    GEOSGeometry *b = GEOSBuffer_r(geos, g, r, 256);
    double a = 0;
    assert_non_null(b);
    GEOSArea_r(geos, b, &a);
    GEOSGeom_destroy_r(geos, b);
    return a;
}

static void test_convex_sites_match_steiner(void **state)
{
    (void)state;
    const double win[4] = {-5000, -5000, 6000, 6000}, rho = 0.0025, r = 2000;
    dcs_density d;
    dcs_span_work w = {0};
    dcs_rings R = {0};
    even_grid(rho, win, r / 40, &d);
    const char *sites[] = {
        "POLYGON((0 0,300 0,300 200,0 200,0 0))",
        "POLYGON((13 7,410 95,250 480,13 7))",                 /* triangle */
        "POLYGON((100 100,180 60,260 100,260 190,180 230,100 190,100 100))", /* hexagon */
        "POLYGON((0 0,1200 400,1150 550,-50 150,0 0))",         /* long, rotated */
    };
    for (size_t s = 0; s < sizeof sites / sizeof *sites; s++) {
        GEOSGeometry *g = wkt(sites[s]);
        double area, len;
        GEOSArea_r(geos, g, &area);
        GEOSLength_r(geos, g, &len);
        rings_of(g, &R);
        double expect = rho * (area + len * r + M_PI * r * r);
        assert_near(dcs_density_buffer_sum(&d, &R, r, &w), expect, 1e-3 * expect);
        /* radius 0: the site itself */
        assert_near(dcs_density_buffer_sum(&d, &R, 0, &w), rho * area, 2e-2 * rho * area + 1);
        GEOSGeom_destroy_r(geos, g);
    }
    dcs_rings_free(&R);
    dcs_span_work_free(&w);
    dcs_density_free(&d);
}

static void test_concave_sites_match_geos_buffer(void **state)
{
    (void)state;
    const double win[4] = {-4000, -4000, 7000, 7000}, rho = 0.001;
    dcs_span_work w = {0};
    dcs_rings R = {0};
    const char *sites[] = {
        /* U shape: a 600 m notch, filled by a 1 km buffer, not by 100 m */
        "POLYGON((0 0,1400 0,1400 1000,1000 1000,1000 300,400 300,400 1000,0 1000,0 0))",
        /* a ring with a 2 km hole: a 500 m buffer leaves most of it empty */
        "POLYGON((0 0,3000 0,3000 3000,0 3000,0 0),(500 500,500 2500,2500 2500,2500 500,500 500))",
        /* two parcels (a multipolygon) */
        "MULTIPOLYGON(((0 0,200 0,200 200,0 200,0 0)),((900 0,1100 0,1100 250,900 250,900 0)))",
    };
    const double radii[] = {100, 500, 1000};
    for (size_t s = 0; s < sizeof sites / sizeof *sites; s++) {
        GEOSGeometry *g = wkt(sites[s]);
        rings_of(g, &R);
        for (size_t k = 0; k < 3; k++) { /* cells of r / 40, as dcsite uses */
            dcs_density d;
            even_grid(rho, win, radii[k] / 40, &d);
            double expect = rho * geos_buffer_area(g, radii[k]);
            assert_near(dcs_density_buffer_sum(&d, &R, radii[k], &w), expect, 1e-3 * expect);
            dcs_density_free(&d);
        }
        GEOSGeom_destroy_r(geos, g);
    }
    dcs_rings_free(&R);
    dcs_span_work_free(&w);
}

static double rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

#define MOSAIC 12 /* polygons a side */

/* A mosaic of MOSAIC x MOSAIC jittered quadrilaterals 500 m apart over
 * [0, 6000]^2, each with a random value. */
static void mosaic(unsigned *seed, GEOSGeometry **poly, dcs_rings *rings, double *area,
                   double *value)
{
    double px[MOSAIC + 1][MOSAIC + 1], py[MOSAIC + 1][MOSAIC + 1];
    for (int i = 0; i <= MOSAIC; i++)
        for (int j = 0; j <= MOSAIC; j++) {
            int edge = i == 0 || j == 0 || i == MOSAIC || j == MOSAIC;
            px[i][j] = 500.0 * i + (edge ? 0 : 300 * (rnd(seed) - 0.5));
            py[i][j] = 500.0 * j + (edge ? 0 : 300 * (rnd(seed) - 0.5));
        }
    for (int i = 0; i < MOSAIC; i++)
        for (int j = 0; j < MOSAIC; j++) {
            size_t k = (size_t)(i * MOSAIC + j);
            double x[5] = {px[i][j], px[i + 1][j], px[i + 1][j + 1], px[i][j + 1], px[i][j]};
            double y[5] = {py[i][j], py[i + 1][j], py[i + 1][j + 1], py[i][j + 1], py[i][j]};
            GEOSCoordSequence *cs = GEOSCoordSeq_copyFromArrays_r(geos, x, y, NULL, NULL, 5);
            poly[k] = GEOSGeom_createPolygon_r(geos, GEOSGeom_createLinearRing_r(geos, cs),
                                               NULL, 0);
            rings_of(poly[k], &rings[k]);
            area[k] = dcs_rings_area(&rings[k]);
            value[k] = rnd(seed) < 0.1 ? 0 : 3000 * rnd(seed);
        }
}

static double exact_sum(GEOSGeometry *const *poly, const double *area, const double *value,
                        size_t n, const GEOSGeometry *site, double r)
{
    GEOSGeometry *b = GEOSBuffer_r(geos, site, r, 256);
    double sum = 0;
    for (size_t k = 0; k < n; k++) {
        GEOSGeometry *in = GEOSIntersection_r(geos, b, poly[k]);
        double a = 0;
        GEOSArea_r(geos, in, &a);
        GEOSGeom_destroy_r(geos, in);
        sum += value[k] * a / area[k];
    }
    GEOSGeom_destroy_r(geos, b);
    return sum;
}

static void test_mosaic_matches_exact_overlay(void **state)
{
    (void)state;
    enum { N = MOSAIC * MOSAIC };
    GEOSGeometry *poly[N];
    dcs_rings rings[N];
    double area[N], value[N], total = 0;
    unsigned seed = 11;
    memset(rings, 0, sizeof rings);
    mosaic(&seed, poly, rings, area, value);
    const double win[4] = {0, 0, 6000, 6000}, r = 1000;
    dcs_density d;
    dcs_span_work w = {0};
    dcs_rings R = {0};
    assert_int_equal(dcs_density_build(rings, area, value, N, win, r / 40, &d), DCS_OK);
    /* mass is kept: the grid's total is the sum of the values */
    for (long j = 0; j < d.h; j++)
        total += d.row_sum[(size_t)j * (size_t)(d.w + 1) + (size_t)d.w];
    double vsum = 0;
    for (size_t k = 0; k < N; k++)
        vsum += value[k];
    assert_near(total, vsum, 1e-9 * vsum);
    for (int t = 0; t < 25; t++) { /* random rotated rectangles inside the mosaic */
        double cx = 1200 + 3600 * rnd(&seed), cy = 1200 + 3600 * rnd(&seed);
        double a = M_PI * rnd(&seed), hw = 50 + 250 * rnd(&seed), hh = 50 + 150 * rnd(&seed);
        double x[5], y[5];
        for (int c = 0; c < 5; c++) {
            double u = (c == 1 || c == 2) ? hw : -hw, v = (c >= 2 && c < 4) ? hh : -hh;
            x[c] = cx + u * cos(a) - v * sin(a);
            y[c] = cy + u * sin(a) + v * cos(a);
        }
        GEOSCoordSequence *cs = GEOSCoordSeq_copyFromArrays_r(geos, x, y, NULL, NULL, 5);
        GEOSGeometry *site =
            GEOSGeom_createPolygon_r(geos, GEOSGeom_createLinearRing_r(geos, cs), NULL, 0);
        rings_of(site, &R);
        double expect = exact_sum(poly, area, value, N, site, r);
        assert_near(dcs_density_buffer_sum(&d, &R, r, &w), expect, 5e-3 * expect);
        GEOSGeom_destroy_r(geos, site);
    }
    for (size_t k = 0; k < N; k++) {
        GEOSGeom_destroy_r(geos, poly[k]);
        dcs_rings_free(&rings[k]);
    }
    dcs_rings_free(&R);
    dcs_span_work_free(&w);
    dcs_density_free(&d);
}

static void test_skips_and_limits(void **state)
{
    (void)state;
    dcs_rings sq = {0};
    double x[] = {0, 100, 100, 0}, y[] = {0, 0, 100, 100};
    assert_int_equal(dcs_rings_add(&sq, x, y, 4, 1), 0);
    double area = dcs_rings_area(&sq), nan_value = NAN, zero_area = 0, value = 7;
    const double win[4] = {0, 0, 1000, 1000}, empty[4] = {5, 5, 5, 9};
    dcs_density d;
    /* a NaN value or an empty polygon adds nothing */
    assert_int_equal(dcs_density_build(&sq, &area, &nan_value, 1, win, 10, &d), DCS_OK);
    assert_near(d.row_sum[(size_t)(d.w + 1) * 5 + (size_t)d.w], 0, 0);
    dcs_density_free(&d);
    assert_int_equal(dcs_density_build(&sq, &zero_area, &value, 1, win, 10, &d), DCS_OK);
    assert_near(d.row_sum[(size_t)(d.w + 1) * 5 + (size_t)d.w], 0, 0);
    dcs_density_free(&d);
    /* an empty window or a bad cell */
    assert_int_equal(dcs_density_build(&sq, &area, &value, 1, empty, 10, &d), DCS_ERR_INTERNAL);
    assert_int_equal(dcs_density_build(&sq, &area, &value, 1, win, 0, &d), DCS_ERR_INTERNAL);
    /* a window too big for the asked cell: the cell grows to fit */
    const double huge[4] = {0, 0, 1e6, 1e6};
    assert_int_equal(dcs_density_build(&sq, &area, &value, 1, huge, 1, &d), DCS_OK);
    assert_true(d.cell > 1);
    assert_true((double)d.w * (double)d.h <= (double)DCS_DENSITY_MAX_CELLS);
    assert_true(d.w * d.cell >= 1e6 && d.h * d.cell >= 1e6);
    /* the square's value is kept whole in the bigger cells */
    double total = 0;
    for (long j = 0; j < d.h; j++)
        total += d.row_sum[(size_t)j * (size_t)(d.w + 1) + (size_t)d.w];
    assert_near(total, 7, 1e-9);
    dcs_density_free(&d);
    dcs_rings_free(&sq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convex_sites_match_steiner),
        cmocka_unit_test(test_concave_sites_match_geos_buffer),
        cmocka_unit_test(test_mosaic_matches_exact_overlay),
        cmocka_unit_test(test_skips_and_limits),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
