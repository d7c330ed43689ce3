/*
 * test_scalegrid.c - distances and areas from the scale table against the
 * geodesic.
 *
 * Reference: both ends (or a polygon's vertices) transformed to WGS 84
 * lon/lat with the working CRS's PROJ transformation, then Karney's
 * geodesic inverse / polygon area (PROJ geodesic.h, checked against
 * published values in test_geo.c).  The table never enters the reference.
 *
 * Tolerance, relative: 1e-7 for distances, 2e-7 for areas.  The table's
 * own bound (scalegrid.h) is DCS_SCALE_TOL = 5e-8 for the interpolated
 * 1/k, which an area takes squared (1e-7).  Simpson's rule over a 50 km
 * line adds less than 1e-8 in UTM (checked against exact k when this was
 * written), the centroid rule over a 5 km polygon less than 5e-8.  At
 * these bounds a 50 km distance is right to 5 mm and a 10 ha area to
 * 0.02 m^2.
 */
#include "testutil.h"

#include "geometry/geo.h"
#include "geometry/scalegrid.h"

#define TOL 1e-7      /* distances */
#define AREA_TOL 2e-7 /* areas */

static unsigned long long rng = 88172645463325252ULL;

static double uniform(double lo, double hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

/* The working CRS over a lon/lat box; `given` NULL: its UTM zone. */
static void open_crs(dcs_crs *crs, const char *given, double minlon, double minlat,
                     double maxlon, double maxlat)
{
    dcs_error err;
    assert_int_equal(dcs_crs_open(crs, given, minlon, minlat, maxlon, maxlat, &err), DCS_OK);
}

static double reference_m(const dcs_crs *crs, double x0, double y0, double x1, double y1)
{
    double x[2] = {x0, x1}, y[2] = {y0, y1};
    assert_true(OCTTransform(crs->work_to_lonlat, 2, x, y, NULL));
    return dcs_geodesic_distance_m(x[0], y[0], x[1], y[1]);
}

/* n random segments of length up to max_len from points in the box of the
 * table (less the margin); the largest relative error. */
static double worst_distance_error(const dcs_crs *crs, int n, double max_len)
{
    const dcs_scalegrid *g = &crs->scale;
    double margin = DCS_SCALE_MAX_LEN, worst = 0;
    double x1 = g->x0 + (g->nx - 1) * g->step - margin, y1 = g->y0 + (g->ny - 1) * g->step - margin;
    for (int k = 0; k < n; k++) {
        double x = uniform(g->x0 + margin, x1), y = uniform(g->y0 + margin, y1);
        double len = max_len * pow(10, uniform(-4, 0)), angle = uniform(0, 2 * M_PI);
        double ex = x + len * cos(angle), ey = y + len * sin(angle), m;
        assert_true(dcs_scalegrid_distance(g, x, y, ex, ey, &m));
        double ref = reference_m(crs, x, y, ex, ey);
        worst = fmax(worst, fabs(m - ref) / ref);
    }
    return worst;
}

static void test_utm_distances(void **state)
{
    (void)state;
    dcs_crs crs;
    open_crs(&crs, NULL, -97.6, 32.4, -96.4, 33.4); /* Dallas - Fort Worth, UTM 14N */
    assert_non_null(crs.scale.inv_k);
    double worst = worst_distance_error(&crs, 2000, DCS_SCALE_MAX_LEN);
    print_message("UTM 14N: worst relative error %.2e over 2000 segments\n", worst);
    assert_true(worst < TOL);
    assert_true(worst > 0); /* the table is not the geodesic itself */
    dcs_crs_close(&crs);
}

/* Other conformal CRSs and places: UTM 14N 4.5 degrees east of its central
 * meridian, where k changes fastest, and a Lambert conformal conic CRS in
 * metres (NAD83 / Texas South Central). */
static void test_other_conformal_crs(void **state)
{
    (void)state;
    const struct {
        const char *crs;
        double box[4];
    } cases[] = {{"EPSG:32614", {-95.0, 35.0, -93.5, 36.5}},
                 {"EPSG:32140", {-96.0, 29.3, -94.8, 30.3}}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dcs_crs crs;
        const double *b = cases[i].box;
        open_crs(&crs, cases[i].crs, b[0], b[1], b[2], b[3]);
        assert_non_null(crs.scale.inv_k);
        assert_true(worst_distance_error(&crs, 1000, DCS_SCALE_MAX_LEN) < TOL);
        dcs_crs_close(&crs);
    }
}

/* Equal-area and pseudo-Mercator CRSs are not conformal: no table, the
 * caller measures geodesics. */
static void test_not_conformal(void **state)
{
    (void)state;
    const char *crss[] = {"EPSG:5070", "EPSG:2163", "EPSG:3857"};
    for (size_t i = 0; i < sizeof crss / sizeof crss[0]; i++) {
        dcs_crs crs;
        open_crs(&crs, crss[i], -97.6, 32.4, -96.4, 33.4);
        assert_null(crs.scale.inv_k);
        double m;
        assert_false(dcs_scalegrid_distance(&crs.scale, 0, 0, 100, 0, &m));
        dcs_crs_close(&crs);
    }
}

/* A box too wide for the node budget gives no table. */
static void test_box_too_wide(void **state)
{
    (void)state;
    dcs_crs crs;
    open_crs(&crs, "EPSG:32614", -125, 25, -70, 49);
    assert_null(crs.scale.inv_k);
    dcs_crs_close(&crs);
}

/* The node budget: 223 x 223 nodes (49,729) get a table, 224 x 224
 * (50,176) do not.  The boxes span 222 and 223 spacings of the lattice. */
static void test_node_budget(void **state)
{
    (void)state;
    dcs_crs crs;
    open_crs(&crs, "EPSG:32614", -99.5, 31.0, -98.5, 32.0);
    const double s = DCS_SCALE_STEP, x = 200 * s, y = 1700 * s;
    for (int extra = 0; extra < 2; extra++) {
        double box[4] = {x, y, x + (222 + extra) * s, y + (222 + extra) * s};
        dcs_scalegrid g;
        assert_int_equal(dcs_scalegrid_build(&g, crs.work_to_lonlat, box), DCS_OK);
        assert_true(extra ? g.inv_k == NULL : g.nx == 223 && g.ny == 223 && g.inv_k != NULL);
        dcs_scalegrid_free(&g);
    }
    dcs_crs_close(&crs);
}

static void test_limits(void **state)
{
    (void)state;
    dcs_crs crs;
    open_crs(&crs, NULL, -97.6, 32.4, -96.4, 33.4);
    const dcs_scalegrid *g = &crs.scale;
    double x = g->x0 + 60000, y = g->y0 + 60000, m = -1;
    assert_true(dcs_scalegrid_distance(g, x, y, x + DCS_SCALE_MAX_LEN, y, &m));
    assert_false(dcs_scalegrid_distance(g, x, y, x + DCS_SCALE_MAX_LEN + 1, y, &m));
    assert_false(dcs_scalegrid_distance(g, g->x0 - 1, y, x, y, &m)); /* outside */
    assert_false(dcs_scalegrid_distance(g, x, y, NAN, y, &m));
    assert_true(dcs_scalegrid_distance(g, x, y, x, y, &m));
    assert_true(m == 0);
    double env[4] = {x, y, x + 3000, y + 4000}, a;
    assert_true(dcs_scalegrid_area(g, 1e6, env, x + 1500, y + 2000, &a));
    env[2] += 1; /* diagonal just over 5 km */
    assert_false(dcs_scalegrid_area(g, 1e6, env, x + 1500, y + 2000, &a));
    assert_false(dcs_scalegrid_area(g, 1e6, env, NAN, y, &a));
    dcs_crs_close(&crs);
}

/* Two tables over different boxes give a point the same values, to the
 * bit: a site measures the same whatever else is in the run. */
static void test_same_value_from_any_table(void **state)
{
    (void)state;
    dcs_crs a, b;
    open_crs(&a, "EPSG:32614", -97.6, 32.4, -96.4, 33.4);
    open_crs(&b, "EPSG:32614", -97.1, 32.9, -95.9, 33.9);
    assert_true(a.scale.x0 != b.scale.x0 && a.scale.y0 != b.scale.y0);
    int shared = 0;
    for (int k = 0; k < 1000; k++) {
        double x = uniform(a.scale.x0, a.scale.x0 + a.scale.nx * a.scale.step);
        double y = uniform(a.scale.y0, a.scale.y0 + a.scale.ny * a.scale.step);
        double ex = x + uniform(-20000, 20000), ey = y + uniform(-20000, 20000), ma, mb;
        int in_a = dcs_scalegrid_distance(&a.scale, x, y, ex, ey, &ma);
        if (in_a && dcs_scalegrid_distance(&b.scale, x, y, ex, ey, &mb)) {
            assert_true(ma == mb);
            shared++;
        }
    }
    assert_true(shared > 100);
    dcs_crs_close(&a);
    dcs_crs_close(&b);
}

/* A rotated rectangle w x h m centred at (cx, cy), working CRS. */
static GEOSGeometry *rectangle(GEOSContextHandle_t geos, double cx, double cy, double w,
                               double h, double angle)
{
    double c = cos(angle), s = sin(angle), x[5], y[5];
    const double u[5] = {-0.5, 0.5, 0.5, -0.5, -0.5}, v[5] = {-0.5, -0.5, 0.5, 0.5, -0.5};
    for (int k = 0; k < 5; k++) {
        x[k] = cx + c * u[k] * w - s * v[k] * h;
        y[k] = cy + s * u[k] * w + c * v[k] * h;
    }
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(geos, x, y, NULL, NULL, 5);
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(geos, seq);
    return GEOSGeom_createPolygon_r(geos, ring, NULL, 0);
}

static void test_areas(void **state)
{
    (void)state;
    dcs_crs crs;
    open_crs(&crs, "EPSG:32614", -95.0, 35.0, -93.5, 36.5); /* far from the meridian */
    const dcs_scalegrid *g = &crs.scale;
    GEOSContextHandle_t geos = GEOS_init_r();
    double worst = 0;
    for (int k = 0; k < 500; k++) {
        double cx = uniform(g->x0 + 60000, g->x0 + (g->nx - 1) * g->step - 60000);
        double cy = uniform(g->y0 + 60000, g->y0 + (g->ny - 1) * g->step - 60000);
        double w = 2500 * pow(10, uniform(-2, 0)), h = w * uniform(0.2, 1);
        GEOSGeometry *p = rectangle(geos, cx, cy, w, h, uniform(0, M_PI));
        double planar, env[4], px, py, a;
        GEOSGeometry *c = GEOSGetCentroid_r(geos, p);
        assert_true(GEOSArea_r(geos, p, &planar) && GEOSGeomGetX_r(geos, c, &px) &&
                    GEOSGeomGetY_r(geos, c, &py) && GEOSGeom_getXMin_r(geos, p, &env[0]) &&
                    GEOSGeom_getYMin_r(geos, p, &env[1]) && GEOSGeom_getXMax_r(geos, p, &env[2]) &&
                    GEOSGeom_getYMax_r(geos, p, &env[3]));
        assert_true(dcs_scalegrid_area(g, planar, env, px, py, &a));
        double ref = dcs_geodesic_area_m2(geos, p, crs.work_to_lonlat);
        worst = fmax(worst, fabs(a - ref) / ref);
        GEOSGeom_destroy_r(geos, c);
        GEOSGeom_destroy_r(geos, p);
    }
    print_message("areas: worst relative error %.2e over 500 rectangles\n", worst);
    assert_true(worst < AREA_TOL);
    GEOS_finish_r(geos);
    dcs_crs_close(&crs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utm_distances),   cmocka_unit_test(test_other_conformal_crs),
        cmocka_unit_test(test_not_conformal),   cmocka_unit_test(test_node_budget),
        cmocka_unit_test(test_box_too_wide),    cmocka_unit_test(test_limits),
        cmocka_unit_test(test_areas),           cmocka_unit_test(test_same_value_from_any_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
