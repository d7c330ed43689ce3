/*
 * test_nearest.c - the flat nearest-feature index (nearest.h).
 *
 * Reference: brute force with GEOS, an independent implementation: for
 * every site, GEOSDistance_r to every non-empty feature, the least
 * distance winning and the lowest index among equal distances.  The index
 * must name exactly that feature (an exact comparison: the index promises
 * the same winner, not an approximation).  Random points, line strings,
 * polygons with holes and multi-geometries, at UTM-like coordinates
 * (around 500 000 m, 4 000 000 m) so that the planar distances carry the
 * rounding the tolerance has to absorb; point and polygon sites, some
 * inside features, some holding features, some crossing lines; exact ties
 * on a lattice and with duplicated features; empty sets and empty
 * features.  The nearest points of a point feature, and of a segment
 * that is alone nearest, must equal GEOSNearestPoints_r's to the bit (the
 * km written for a site come from them).  A search that starts from the
 * previous site's nearest primitive (the hint dcs_nearest_find() keeps in
 * the site, as every search below but the first does) must find the same
 * feature and segments as one from scratch.
 */
#include "testutil.h"
#include "geos_fixture.h"

#include <stdlib.h>

#include "geometry/nearest.h"
#include "pipeline/run.h"

enum { X0 = 500000, Y0 = 4000000 };

static double rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return ((*seed >> 8) & 0xffffff) / (double)0x1000000;
}

static GEOSGeometry *ring_geom(const double *x, const double *y, int n, int closed_ring)
{
    double cx[64], cy[64];
    for (int k = 0; k < n; k++)
        cx[k] = x[k], cy[k] = y[k];
    if (closed_ring)
        cx[n] = x[0], cy[n] = y[0];
    GEOSCoordSequence *seq =
        GEOSCoordSeq_copyFromArrays_r(geos, cx, cy, NULL, NULL, (unsigned)(n + closed_ring));
    return closed_ring ? GEOSGeom_createLinearRing_r(geos, seq)
                       : GEOSGeom_createLineString_r(geos, seq);
}

/* A star-shaped polygon around (cx, cy), radii r0..r1, with a hole when
 * hole is set. */
static GEOSGeometry *star_polygon(unsigned *seed, double cx, double cy, double r0, double r1,
                                  int hole)
{
    double x[16], y[16], hx[8], hy[8];
    int n = 5 + (int)(rnd(seed) * 10);
    for (int k = 0; k < n; k++) {
        double a = 2 * M_PI * k / n, r = r0 + (r1 - r0) * rnd(seed);
        x[k] = cx + r * cos(a), y[k] = cy + r * sin(a);
    }
    GEOSGeometry *shell = ring_geom(x, y, n, 1);
    if (!hole)
        return GEOSGeom_createPolygon_r(geos, shell, NULL, 0);
    for (int k = 0; k < 6; k++) {
        double a = -2 * M_PI * k / 6, r = r0 * 0.5;
        hx[k] = cx + r * cos(a), hy[k] = cy + r * sin(a);
    }
    GEOSGeometry *holes[1] = {ring_geom(hx, hy, 6, 1)};
    return GEOSGeom_createPolygon_r(geos, shell, holes, 1);
}

static GEOSGeometry *random_line(unsigned *seed, double cx, double cy, double len)
{
    double x[6], y[6];
    int n = 2 + (int)(rnd(seed) * 4);
    x[0] = cx, y[0] = cy;
    for (int k = 1; k < n; k++)
        x[k] = x[k - 1] + (rnd(seed) - 0.5) * len, y[k] = y[k - 1] + (rnd(seed) - 0.5) * len;
    return ring_geom(x, y, n, 0);
}

static GEOSGeometry *point(double x, double y)
{
    return GEOSGeom_createPointFromXY_r(geos, x, y);
}

/* A quadrilateral site of about size s at (x, y), or a point. */
static GEOSGeometry *random_site(unsigned *seed, double x, double y, double s, int as_point)
{
    if (as_point)
        return point(x, y);
    double qx[4] = {x, x + s, x + s * (0.8 + 0.4 * rnd(seed)), x + s * 0.1 * rnd(seed)};
    double qy[4] = {y, y + s * 0.1 * rnd(seed), y + s, y + s * (0.8 + 0.4 * rnd(seed))};
    return GEOSGeom_createPolygon_r(geos, ring_geom(qx, qy, 4, 1), NULL, 0);
}

/* The brute-force winner: least GEOSDistance, lowest index on ties;
 * empty features are skipped (an STRtree never holds them). */
static size_t brute_force(GEOSGeometry *const *geoms, size_t n, const GEOSGeometry *site)
{
    size_t best = SIZE_MAX;
    double bd = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double d;
        if (GEOSisEmpty_r(geos, geoms[i]))
            continue;
        assert_int_equal(GEOSDistance_r(geos, site, geoms[i], &d), 1);
        if (d < bd)
            bd = d, best = i;
    }
    return best;
}

static int segment_pairs; /* sites whose nearest points came from a lone segment */

/* The nearest points dcs_nearest_segment_pair() gives must be
 * GEOSNearestPoints_r's to the bit. */
static void check_segment_pair(const dcs_nearest *ix, const dcs_near_site *s,
                               const GEOSGeometry *site, const GEOSGeometry *feature)
{
    double x[2], y[2], gx, gy;
    assert_true(dcs_nearest_segment_pair(ix, s, x, y));
    GEOSCoordSequence *seq = GEOSNearestPoints_r(geos, site, feature);
    assert_non_null(seq);
    for (unsigned j = 0; j < 2; j++) {
        assert_int_equal(GEOSCoordSeq_getXY_r(geos, seq, j, &gx, &gy), 1);
        if (x[j] != gx || y[j] != gy)
            fail_msg("%zu segments, end %u: (%.17g %.17g), GEOS (%.17g %.17g)", s->nseg, j, x[j],
                     y[j], gx, gy);
    }
    GEOSCoordSeq_destroy_r(geos, seq);
    segment_pairs++;
}

/* The site flattened once and copied for a search (dcs_near_site_copy()),
 * as dcsite shares one flattening between a site's searches. */
static dcs_near_site copied;

/* The index over geoms must agree with brute force for site, and so must
 * the nearest points of a lone nearest segment; a copy of the flattened
 * site must find the same feature and segments. */
static void check_site(const dcs_nearest *ix, GEOSGeometry *const *geoms, size_t n,
                       GEOSGeometry *site, dcs_near_site *s)
{
    assert_int_equal(dcs_near_site_set(s, geos, site), DCS_OK);
    assert_true(s->usable);
    size_t which = 12345, which_copy = 54321;
    assert_int_equal(dcs_near_site_copy(&copied, s), DCS_OK);
    assert_int_equal(dcs_nearest_find(ix, geos, geoms, site, &copied, &which_copy), DCS_OK);
    assert_int_equal(dcs_nearest_find(ix, geos, geoms, site, s, &which), DCS_OK);
    assert_int_equal(which_copy, which);
    assert_int_equal(copied.nseg, s->nseg);
    dcs_near_site fresh = {0}; /* no hint: the search from scratch */
    size_t which_fresh = 999;
    assert_int_equal(dcs_near_site_copy(&fresh, s), DCS_OK);
    assert_int_equal(dcs_nearest_find(ix, geos, geoms, site, &fresh, &which_fresh), DCS_OK);
    assert_int_equal(which_fresh, which);
    assert_int_equal(fresh.nseg, s->nseg);
    if (s->nseg)
        assert_memory_equal(fresh.seg, s->seg, s->nseg * sizeof *s->seg);
    dcs_near_site_free(&fresh);
    assert_int_equal(copied.n, s->n);
    assert_int_equal(copied.nrings, s->nrings);
    assert_memory_equal(copied.x, s->x, s->n * sizeof *s->x);
    assert_memory_equal(copied.y, s->y, s->n * sizeof *s->y);
    if (s->nrings)
        assert_memory_equal(copied.start, s->start, (s->nrings + 1) * sizeof *s->start);
    else
        assert_true(copied.is_point && copied.px == s->px && copied.py == s->py);
    if (s->nseg)
        assert_memory_equal(copied.seg, s->seg, s->nseg * sizeof *s->seg);
    size_t expect = brute_force(geoms, n, site);
    if (which != expect)
        fail_msg("index found %zu, brute force %zu", which, expect);
    if (s->nseg > 0)
        check_segment_pair(ix, s, site, geoms[which]);
    else
        assert_false(dcs_nearest_segment_pair(ix, s, (double[2]){0}, (double[2]){0}));
    GEOSGeom_destroy_r(geos, site);
}

static void check_random_sites(GEOSGeometry **geoms, size_t n, unsigned seed, double extent,
                               int nsites)
{
    dcs_nearest *ix = NULL;
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_nearest_build(geos, geoms, n, &ix, &err), DCS_OK);
    dcs_near_site s = {0};
    for (int k = 0; k < nsites; k++) {
        double x = X0 + rnd(&seed) * extent, y = Y0 + rnd(&seed) * extent;
        check_site(ix, geoms, n, random_site(&seed, x, y, 20 + rnd(&seed) * 200, k % 4 == 0), &s);
    }
    dcs_near_site_free(&s);
    dcs_near_site_free(&copied);
    dcs_nearest_free(ix);
    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(geos, geoms[i]);
}

static void test_points(void **state)
{
    (void)state;
    unsigned seed = 3;
    enum { N = 500 };
    GEOSGeometry *g[N];
    for (int i = 0; i < N; i++)
        g[i] = point(X0 + rnd(&seed) * 20000, Y0 + rnd(&seed) * 20000);
    check_random_sites(g, N, 17, 22000, 400);
}

static void test_lines(void **state)
{
    (void)state;
    unsigned seed = 5;
    enum { N = 200 };
    GEOSGeometry *g[N];
    for (int i = 0; i < N; i++)
        g[i] = random_line(&seed, X0 + rnd(&seed) * 20000, Y0 + rnd(&seed) * 20000, 3000);
    segment_pairs = 0;
    check_random_sites(g, N, 19, 20000, 400);
    assert_true(segment_pairs > 400 * 3 / 4); /* 352: the others touch or cross a line */
}

static void test_polygons(void **state)
{
    (void)state;
    unsigned seed = 9;
    enum { N = 150 };
    GEOSGeometry *g[N];
    for (int i = 0; i < N; i++) {
        double cx = X0 + rnd(&seed) * 20000, cy = Y0 + rnd(&seed) * 20000;
        if (i % 5 == 4) { /* a multipolygon of two stars */
            GEOSGeometry *parts[2] = {star_polygon(&seed, cx, cy, 300, 900, 1),
                                      star_polygon(&seed, cx + 3000, cy, 100, 400, 0)};
            g[i] = GEOSGeom_createCollection_r(geos, GEOS_MULTIPOLYGON, parts, 2);
        } else {
            g[i] = star_polygon(&seed, cx, cy, 200 + 600 * rnd(&seed), 1500, i % 2);
        }
    }
    segment_pairs = 0;
    check_random_sites(g, N, 23, 20000, 500);
    assert_true(segment_pairs > 500 / 4); /* 154: most others are in a polygon */
}

/* Points, lines and polygons in one set, with collections. */
static void test_mixed(void **state)
{
    (void)state;
    unsigned seed = 13;
    enum { N = 120 };
    GEOSGeometry *g[N];
    for (int i = 0; i < N; i++) {
        double cx = X0 + rnd(&seed) * 15000, cy = Y0 + rnd(&seed) * 15000;
        if (i % 4 == 0) {
            g[i] = point(cx, cy);
        } else if (i % 4 == 1) {
            g[i] = random_line(&seed, cx, cy, 2000);
        } else if (i % 4 == 2) {
            g[i] = star_polygon(&seed, cx, cy, 200, 700, 1);
        } else {
            GEOSGeometry *parts[3] = {point(cx, cy), random_line(&seed, cx + 500, cy, 800),
                                      star_polygon(&seed, cx - 900, cy, 100, 300, 0)};
            g[i] = GEOSGeom_createCollection_r(geos, GEOS_GEOMETRYCOLLECTION, parts, 3);
        }
    }
    check_random_sites(g, N, 29, 15000, 400);
}

static void mark_item(size_t item, void *user)
{
    ((int *)user)[item]++;
}

/* dcs_nearest_box_query() against GEOS: for 300 random boxes over points,
 * lines and polygons with holes, every feature GEOS finds
 * meeting the box comes up, and every one that comes up has its envelope
 * meeting the box (a polygon around the box comes up by its own box). */
static void test_box_query(void **state)
{
    (void)state;
    unsigned seed = 41;
    enum { N = 80 };
    GEOSGeometry *g[N];
    for (int i = 0; i < N; i++) {
        double cx = X0 + rnd(&seed) * 15000, cy = Y0 + rnd(&seed) * 15000;
        g[i] = i % 3 == 0   ? point(cx, cy)
               : i % 3 == 1 ? random_line(&seed, cx, cy, 3000)
                            : star_polygon(&seed, cx, cy, 300, 1500, 1);
    }
    dcs_nearest *ix = NULL;
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_nearest_build(geos, g, N, &ix, &err), DCS_OK);
    int met = 0;
    for (int q = 0; q < 300; q++) {
        double x0 = X0 + rnd(&seed) * 15000, y0 = Y0 + rnd(&seed) * 15000;
        double x1 = x0 + rnd(&seed) * 2000, y1 = y0 + rnd(&seed) * 2000;
        int hits[N] = {0};
        dcs_nearest_box_query(ix, x0, y0, x1, y1, mark_item, hits);
        GEOSGeometry *box = GEOSGeom_createRectangle_r(geos, x0, y0, x1, y1);
        for (int i = 0; i < N; i++) {
            double ex0, ey0, ex1, ey1;
            assert_true(GEOSGeom_getXMin_r(geos, g[i], &ex0) &&
                        GEOSGeom_getYMin_r(geos, g[i], &ey0) &&
                        GEOSGeom_getXMax_r(geos, g[i], &ex1) &&
                        GEOSGeom_getYMax_r(geos, g[i], &ey1));
            if (GEOSIntersects_r(geos, box, g[i]) == 1) {
                assert_true(hits[i] > 0);
                met++;
            }
            if (hits[i])
                assert_true(ex0 <= x1 && x0 <= ex1 && ey0 <= y1 && y0 <= ey1);
        }
        GEOSGeom_destroy_r(geos, box);
    }
    assert_true(met > 100);
    dcs_nearest_free(ix);
    for (int i = 0; i < N; i++)
        GEOSGeom_destroy_r(geos, g[i]);
}

/* Exact ties: points on a 100 m lattice, each lattice point twice (the
 * copy later in the set), and sites at lattice centres (four points at
 * the same distance), on lattice points and on lattice edges; polygon
 * sites holding several points (distance 0 to each). */
static void test_ties(void **state)
{
    (void)state;
    enum { SIDE = 10, N = 2 * SIDE * SIDE };
    GEOSGeometry *g[N];
    for (int i = 0; i < SIDE * SIDE; i++) {
        g[i] = point(X0 + 100 * (i % SIDE), Y0 + 100 * (i / SIDE));
        g[N - 1 - i] = point(X0 + 100 * (i % SIDE), Y0 + 100 * (i / SIDE));
    }
    dcs_nearest *ix = NULL;
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_nearest_build(geos, g, N, &ix, &err), DCS_OK);
    dcs_near_site s = {0};
    for (int r = 0; r < SIDE - 1; r++)
        for (int c = 0; c < SIDE - 1; c++) {
            double x = X0 + 100 * c, y = Y0 + 100 * r;
            check_site(ix, g, N, point(x + 50, y + 50), &s);
            check_site(ix, g, N, point(x, y), &s);
            check_site(ix, g, N, point(x + 50, y), &s);
            double qx[4] = {x - 10, x + 110, x + 110, x - 10};
            double qy[4] = {y - 10, y - 10, y + 110, y + 110};
            check_site(ix, g, N, GEOSGeom_createPolygon_r(geos, ring_geom(qx, qy, 4, 1), NULL, 0),
                       &s);
        }
    /* the lowest index wins: the first copy of the lattice point */
    size_t which;
    GEOSGeometry *site = point(X0 + 320, Y0 + 510);
    assert_int_equal(dcs_near_site_set(&s, geos, site), DCS_OK);
    assert_int_equal(dcs_nearest_find(ix, geos, g, site, &s, &which), DCS_OK);
    assert_int_equal(which, 5 * SIDE + 3);
    GEOSGeom_destroy_r(geos, site);
    dcs_near_site_free(&s);
    dcs_nearest_free(ix);
    for (size_t i = 0; i < N; i++)
        GEOSGeom_destroy_r(geos, g[i]);
}

/* Segments at equal distance within one feature: a zigzag line whose
 * vertices sit straight below the sites, the same line twice in a
 * multilinestring, and a square ring whose corners face the sites
 * diagonally.  GEOS keeps the first pair in its order of trial; the
 * nearest points must still be GEOS's to the bit. */
static void test_segment_ties(void **state)
{
    (void)state;
    double zx[5] = {X0, X0 + 100, X0 + 200, X0 + 300, X0 + 400};
    double zy[5] = {Y0, Y0 - 50, Y0, Y0 - 50, Y0};
    GEOSGeometry *g[3];
    g[0] = ring_geom(zx, zy, 5, 0);
    GEOSGeometry *twice[2] = {ring_geom(zx, zy, 5, 0), ring_geom(zx, zy, 5, 0)};
    g[1] = GEOSGeom_createCollection_r(geos, GEOS_MULTILINESTRING, twice, 2);
    double qx[4] = {X0 + 1000, X0 + 1100, X0 + 1100, X0 + 1000};
    double qy[4] = {Y0, Y0, Y0 + 100, Y0 + 100};
    g[2] = GEOSGeom_createPolygon_r(geos, ring_geom(qx, qy, 4, 1), NULL, 0);
    dcs_nearest *ix[2] = {NULL, NULL};
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_nearest_build(geos, g, 1, &ix[0], &err), DCS_OK);
    assert_int_equal(dcs_nearest_build(geos, g + 1, 2, &ix[1], &err), DCS_OK);
    dcs_near_site s = {0};
    segment_pairs = 0;
    for (int v = 0; v < 5; v++) {
        double x = zx[v], y = zy[v] + (v % 2 ? -30 : 30); /* off the vertex, square to it */
        double sx[4] = {x - 20, x + 20, x + 20, x - 20};
        double sy[4] = {y - (v % 2 ? 40 : 0), y - (v % 2 ? 40 : 0), y + (v % 2 ? 0 : 40),
                        y + (v % 2 ? 0 : 40)};
        for (int k = 0; k < 2; k++) {
            check_site(ix[k], g + k, (size_t)(k + 1), point(x, y), &s);
            check_site(ix[k], g + k, (size_t)(k + 1),
                       GEOSGeom_createPolygon_r(geos, ring_geom(sx, sy, 4, 1), NULL, 0), &s);
        }
    }
    dcs_nearest *sq = NULL;
    assert_int_equal(dcs_nearest_build(geos, g + 2, 1, &sq, &err), DCS_OK);
    double cx[4] = {X0 + 1000, X0 + 1100, X0 + 1100, X0 + 1000};
    double cy[4] = {Y0, Y0, Y0 + 100, Y0 + 100};
    for (int c = 0; c < 4; c++) { /* a site beyond each corner, on its diagonal */
        double dx = c == 1 || c == 2 ? 1 : -1, dy = c >= 2 ? 1 : -1;
        double x = cx[c] + 30 * dx, y = cy[c] + 30 * dy;
        check_site(sq, g + 2, 1, point(x, y), &s);
        double sx[4] = {x, x + 20 * dx, x + 20 * dx, x}, sy[4] = {y, y, y + 20 * dy, y + 20 * dy};
        check_site(sq, g + 2, 1, GEOSGeom_createPolygon_r(geos, ring_geom(sx, sy, 4, 1), NULL, 0),
                   &s);
    }
    assert_int_equal(segment_pairs, 2 * 5 * 2 + 4 * 2); /* every site: none touches */
    dcs_near_site_free(&s);
    dcs_nearest_free(ix[0]), dcs_nearest_free(ix[1]), dcs_nearest_free(sq);
    for (int k = 0; k < 3; k++)
        GEOSGeom_destroy_r(geos, g[k]);
}

/* Sites inside polygons, inside holes, and polygons inside sites. */
/* Features within 1e-6 m of site's least GEOS distance. */
static int tied_features(GEOSGeometry *const *g, size_t n, const GEOSGeometry *site)
{
    double d[8], least = INFINITY;
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(GEOSDistance_r(geos, site, g[k], &d[k]), 1);
        least = fmin(least, d[k]);
    }
    int tied = 0;
    for (size_t k = 0; k < n; k++)
        tied += d[k] <= least + 1e-6;
    return tied;
}

/* Three lines meeting at a vertex J (a network's junction) and sites
 * around J, many in the wedges where J is the nearest point of two or
 * three lines: the features tie within the tolerance, the index must
 * still name brute force's winner, and for each tie the winner's segments
 * must give GEOS's nearest points to the bit (found with GEOS's formulas
 * on the tied segments, see nearest.h). */
static void test_junction(void **state)
{
    (void)state;
    const double jx = X0 + 1000, jy = Y0 + 1000;
    /* east, 60 degrees north and south of it: west of J, J is the nearest
     * point of two or all three */
    const double ends[3][2] = {{X0 + 3000, Y0 + 1000}, {X0 + 2000, Y0 + 2732.05},
                               {X0 + 2000, Y0 - 732.05}};
    GEOSGeometry *g[3];
    for (int k = 0; k < 3; k++) {
        double x[2] = {ends[k][0], jx}, y[2] = {ends[k][1], jy};
        g[k] = ring_geom(x, y, 2, 0);
    }
    dcs_nearest *ix = NULL;
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_nearest_build(geos, g, 3, &ix, &err), DCS_OK);
    dcs_near_site s = {0};
    int ties = 0, tie_pairs = 0;
    for (int a = 0; a < 72; a++) {
        double t = 2 * M_PI * a / 72, x = jx + 150 * cos(t), y = jy + 150 * sin(t);
        double sx[4] = {x - 10, x + 10, x + 10, x - 10}, sy[4] = {y - 10, y - 10, y + 10, y + 10};
        GEOSGeometry *site[2] = {
            point(x, y), GEOSGeom_createPolygon_r(geos, ring_geom(sx, sy, 4, 1), NULL, 0)};
        for (int k = 0; k < 2; k++) {
            int tied = tied_features(g, 3, site[k]) > 1, before = segment_pairs;
            check_site(ix, g, 3, site[k], &s);
            ties += tied;
            tie_pairs += tied && segment_pairs > before;
        }
    }
    assert_true(ties >= 20);
    assert_int_equal(tie_pairs, ties);
    dcs_near_site_free(&s);
    dcs_near_site_free(&copied);
    dcs_nearest_free(ix);
    for (int k = 0; k < 3; k++)
        GEOSGeom_destroy_r(geos, g[k]);
}

static void test_containment(void **state)
{
    (void)state;
    unsigned seed = 31;
    GEOSGeometry *g[3] = {star_polygon(&seed, X0, Y0, 1000, 1200, 1),
                          star_polygon(&seed, X0 + 5000, Y0, 50, 60, 0),
                          point(X0 + 3000, Y0 + 3000)};
    dcs_nearest *ix = NULL;
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_nearest_build(geos, g, 3, &ix, &err), DCS_OK);
    dcs_near_site s = {0};
    size_t which;
    /* in the hole (radius 500): the ring around is still nearest */
    GEOSGeometry *site = point(X0 + 10, Y0 + 10);
    assert_int_equal(dcs_near_site_set(&s, geos, site), DCS_OK);
    assert_int_equal(dcs_nearest_find(ix, geos, g, site, &s, &which), DCS_OK);
    assert_int_equal(which, 0);
    GEOSGeom_destroy_r(geos, site);
    /* inside the star, between hole and shell; a polygon site too */
    check_site(ix, g, 3, point(X0 + 800, Y0), &s);
    check_site(ix, g, 3, random_site(&seed, X0 + 700, Y0 - 50, 100, 0), &s);
    /* a site holding the small star (which is nearer than the big one) */
    check_site(ix, g, 3, random_site(&seed, X0 + 4800, Y0 - 200, 400, 0), &s);
    site = random_site(&seed, X0 + 4800, Y0 - 200, 400, 0);
    assert_int_equal(dcs_near_site_set(&s, geos, site), DCS_OK);
    assert_int_equal(dcs_nearest_find(ix, geos, g, site, &s, &which), DCS_OK);
    assert_int_equal(which, 1);
    GEOSGeom_destroy_r(geos, site);
    dcs_near_site_free(&s);
    dcs_nearest_free(ix);
    for (size_t i = 0; i < 3; i++)
        GEOSGeom_destroy_r(geos, g[i]);
}

/* No features, only empty features, empty features among others; sites
 * the index does not take. */
static void test_empty_and_unsupported(void **state)
{
    (void)state;
    dcs_nearest *ix = NULL;
    dcs_error err;
    dcs_error_clear(&err);
    dcs_near_site s = {0};
    size_t which = 0;
    GEOSGeometry *site = point(X0, Y0);
    assert_int_equal(dcs_near_site_set(&s, geos, site), DCS_OK);
    assert_int_equal(dcs_nearest_build(geos, NULL, 0, &ix, &err), DCS_OK);
    assert_int_equal(dcs_nearest_find(ix, geos, NULL, site, &s, &which), DCS_OK);
    assert_int_equal(which, SIZE_MAX);
    dcs_nearest_free(ix);

    GEOSGeometry *g[3] = {GEOSGeom_createEmptyPolygon_r(geos), point(X0 + 500, Y0),
                          GEOSGeom_createEmptyPoint_r(geos)};
    assert_int_equal(dcs_nearest_build(geos, g, 1, &ix, &err), DCS_OK); /* only the empty one */
    assert_int_equal(dcs_nearest_find(ix, geos, g, site, &s, &which), DCS_OK);
    assert_int_equal(which, SIZE_MAX);
    dcs_nearest_free(ix);
    assert_int_equal(dcs_nearest_build(geos, g, 3, &ix, &err), DCS_OK);
    assert_int_equal(dcs_nearest_find(ix, geos, g, site, &s, &which), DCS_OK);
    assert_int_equal(which, 1);
    dcs_nearest_free(ix);
    for (int i = 0; i < 3; i++)
        GEOSGeom_destroy_r(geos, g[i]);
    GEOSGeom_destroy_r(geos, site);

    double lx[2] = {X0, X0 + 10}, ly[2] = {Y0, Y0};
    site = ring_geom(lx, ly, 2, 0); /* a line site: not for the index */
    assert_int_equal(dcs_near_site_set(&s, geos, site), DCS_OK);
    assert_false(s.usable);
    GEOSGeom_destroy_r(geos, site);
    site = GEOSGeom_createEmptyPolygon_r(geos);
    assert_int_equal(dcs_near_site_set(&s, geos, site), DCS_OK);
    assert_false(s.usable);
    GEOSGeom_destroy_r(geos, site);
    dcs_near_site_free(&s);
}

/* dcs_nearest_point_pair() against GEOSNearestPoints_r: the same
 * coordinates exactly, for point sites, polygon sites with a hole and
 * multipolygon sites, points inside, outside and in the hole; and 0 for
 * a point on the boundary and for a feature that is not a single point. */
static void test_point_pairs(void **state)
{
    (void)state;
    unsigned seed = 37;
    enum { N = 300 };
    GEOSGeometry *g[N + 1];
    for (int i = 0; i < N; i++)
        g[i] = point(X0 + rnd(&seed) * 3000, Y0 + rnd(&seed) * 3000);
    double lx[2] = {X0, X0 + 100}, ly[2] = {Y0, Y0};
    g[N] = ring_geom(lx, ly, 2, 0);
    dcs_nearest *ix = NULL;
    dcs_error err;
    dcs_error_clear(&err);
    assert_int_equal(dcs_nearest_build(geos, g, N + 1, &ix, &err), DCS_OK);
    dcs_near_site s = {0};
    int paired = 0, checked = 0;
    for (int k = 0; k < 60; k++) {
        double cx = X0 + 500 + rnd(&seed) * 2000, cy = Y0 + 500 + rnd(&seed) * 2000;
        GEOSGeometry *site = k % 3 == 0   ? star_polygon(&seed, cx, cy, 100, 400, 1)
                             : k % 3 == 1 ? random_site(&seed, cx, cy, 150, k % 2)
                                          : NULL;
        if (!site) {
            GEOSGeometry *parts[2] = {star_polygon(&seed, cx, cy, 50, 150, 1),
                                      star_polygon(&seed, cx + 600, cy, 50, 150, 0)};
            site = GEOSGeom_createCollection_r(geos, GEOS_MULTIPOLYGON, parts, 2);
        }
        assert_int_equal(dcs_near_site_set(&s, geos, site), DCS_OK);
        assert_true(s.usable);
        for (int i = 0; i < N; i++) {
            double x[2], y[2], gx, gy;
            if (!dcs_nearest_point_pair(ix, (size_t)i, &s, x, y))
                continue;
            paired++;
            GEOSCoordSequence *seq = GEOSNearestPoints_r(geos, site, g[i]);
            assert_non_null(seq);
            for (unsigned j = 0; j < 2; j++) {
                assert_int_equal(GEOSCoordSeq_getXY_r(geos, seq, j, &gx, &gy), 1);
                if (x[j] != gx || y[j] != gy)
                    fail_msg("point %d, site %d, end %u: (%.17g %.17g), GEOS (%.17g %.17g)", i,
                             k, j, x[j], y[j], gx, gy);
            }
            GEOSCoordSeq_destroy_r(geos, seq);
            checked++;
        }
        double x[2], y[2];
        assert_false(dcs_nearest_point_pair(ix, N, &s, x, y)); /* a line */
        GEOSGeom_destroy_r(geos, site);
    }
    assert_int_equal(paired, checked);
    assert_true(paired > 60 * N * 9 / 10); /* boundary cases are rare */
    /* a point on a site's edge: GEOS decides */
    double qx[4] = {X0 + 1000, X0 + 1400, X0 + 1400, X0 + 1000};
    double qy[4] = {Y0 + 1000, Y0 + 1000, Y0 + 1400, Y0 + 1400};
    GEOSGeometry *site = GEOSGeom_createPolygon_r(geos, ring_geom(qx, qy, 4, 1), NULL, 0);
    GEOSGeometry *on_edge = point(X0 + 1200, Y0 + 1000);
    dcs_nearest *ix2 = NULL;
    assert_int_equal(dcs_nearest_build(geos, &on_edge, 1, &ix2, &err), DCS_OK);
    assert_int_equal(dcs_near_site_set(&s, geos, site), DCS_OK);
    double x[2], y[2];
    assert_false(dcs_nearest_point_pair(ix2, 0, &s, x, y));
    dcs_nearest_free(ix2);
    GEOSGeom_destroy_r(geos, on_edge);
    GEOSGeom_destroy_r(geos, site);
    dcs_near_site_free(&s);
    dcs_nearest_free(ix);
    for (int i = 0; i <= N; i++)
        GEOSGeom_destroy_r(geos, g[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_polygons),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_segment_ties),
        cmocka_unit_test(test_junction),
        cmocka_unit_test(test_box_query),
        cmocka_unit_test(test_containment),
        cmocka_unit_test(test_empty_and_unsupported),
        cmocka_unit_test(test_point_pairs),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
