/*
 * test_raster.c - raster zonal statistics, radius sums and slope against
 * references worked out independently (by hand, in closed form or by
 * brute force), on small GeoTIFFs the tests write into a temporary
 * directory.
 *
 * The working CRS is UTM zone 14N (EPSG:32614).  Unless said otherwise a
 * raster is in the same CRS with 10 m pixels and its top-left corner at
 * easting X0, northing Y0 + 10 * height, so "grid" coordinates (u, w) in
 * metres from the bottom-left corner are (x - X0, y - Y0).
 */
#include "core/libctx.h"
#include "testutil.h"

#include <dirent.h>
#include <gdal.h>
#include <stdlib.h>
#include <unistd.h>

#include "geometry/raster.h"
#include "pipeline/run.h"

#define X0 500000.0
#define Y0 3600000.0
#define DEG (M_PI / 180.0)
#define WGS84_A 6378137.0
#define WGS84_F (1.0 / 298.257223563)

static char tmpdir[64];
static OGRSpatialReferenceH work;
static GEOSContextHandle_t geos;

typedef struct {
    int w, h;
    double gt[6];
    int epsg;      /* 0: no CRS */
    double nodata; /* NaN: none */
} spec;

/* 10 m pixels in the working CRS, bottom-left corner at (X0, Y0). */
static spec utm_grid(int w, int h)
{
    spec s = {w, h, {X0, 10, 0, Y0 + 10.0 * h, 0, -10}, 32614, NAN};
    return s;
}

/* A one-band Float64 GeoTIFF <tmpdir>/<name> holding v, row 0 at the top.
 * Returns the path (one of four rotating buffers). */
static const char *tif(const char *name, const spec *s, const double *v)
{
    static char paths[4][256];
    static int k;
    char *p = paths[k++ % 4];
    snprintf(p, 256, "%s/%s", tmpdir, name);
    GDALDatasetH ds =
        GDALCreate(GDALGetDriverByName("GTiff"), p, s->w, s->h, 1, GDT_Float64, NULL);
    assert_non_null(ds);
    double gt[6];
    memcpy(gt, s->gt, sizeof gt);
    assert_int_equal(GDALSetGeoTransform(ds, gt), CE_None);
    if (s->epsg) {
        OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
        assert_int_equal(OSRImportFromEPSG(srs, s->epsg), OGRERR_NONE);
        assert_int_equal(GDALSetSpatialRef(ds, srs), CE_None);
        OSRRelease(srs);
    }
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    if (!isnan(s->nodata))
        GDALSetRasterNoDataValue(b, s->nodata);
    assert_int_equal(GDALRasterIO(b, GF_Write, 0, 0, s->w, s->h, (void *)v, s->w, s->h,
                                  GDT_Float64, 0, 0),
                     CE_None);
    GDALClose(ds);
    return p;
}

static void open_ok(const char *path, dcs_raster *r)
{
    dcs_error err;
    if (dcs_raster_open(path, 1, work, r, &err) != DCS_OK)
        fail_msg("%s", err.message);
}

static GEOSGeometry *wkt(const char *text)
{
    GEOSWKTReader *rd = GEOSWKTReader_create_r(geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(geos, rd, text);
    GEOSWKTReader_destroy_r(geos, rd);
    assert_non_null(g);
    return g;
}

static dcs_zonal zonal(const dcs_raster *r, const char *text)
{
    dcs_zonal z;
    dcs_error err;
    GEOSGeometry *g = wkt(text);
    if (dcs_raster_zonal(r, geos, g, &z, &err) != DCS_OK)
        fail_msg("%s", err.message);
    GEOSGeom_destroy_r(geos, g);
    return z;
}

/* Axis-aligned rectangle in grid coordinates (metres from (X0, Y0)). */
static dcs_zonal zonal_box(const dcs_raster *r, double u0, double w0, double u1, double w1)
{
    char text[256];
    snprintf(text, sizeof text, "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))",
             X0 + u0, Y0 + w0, X0 + u1, Y0 + w0, X0 + u1, Y0 + w1, X0 + u0, Y0 + w1, X0 + u0,
             Y0 + w0);
    return zonal(r, text);
}

static void assert_no_data(const dcs_zonal *z)
{
    assert_true(isnan(z->mean) && isnan(z->min) && isnan(z->max) && isnan(z->sum) &&
                isnan(z->majority));
    assert_near(z->coverage, 0, 0);
}

/* ---- zonal statistics ------------------------------------------------------ */

/* Right triangle (0,0), (40,0), (0,30) in grid metres over a 4 x 4 grid
 * of 10 m pixels: in pixel units legs 4 and 3, hypotenuse w = 3 - 0.75 u,
 * area 6.  Covered fraction of pixel (column i, k-th row from the bottom)
 * = integral over the column of the part of [k, k+1] under the line:
 *   col 0 (line 3 -> 2.25): k=0,1: 1; k=2: int_0^1 (1 - 0.75u) = 5/8
 *   col 1 (2.25 -> 1.5, crosses w=2 at u=4/3): k=0: 1;
 *         k=1: 1/3 + int_{4/3}^2 (2 - 0.75u) = 5/6; k=2: int_1^{4/3} (1 - 0.75u) = 1/24
 *   col 2 (1.5 -> 0.75, crosses w=1 at u=8/3): k=0: 2/3 + int_{8/3}^3 (3 - 0.75u) = 23/24;
 *         k=1: int_2^{8/3} (2 - 0.75u) = 1/6
 *   col 3 (0.75 -> 0): k=0: int_3^4 (3 - 0.75u) = 3/8
 * Column totals 2.625, 1.875, 1.125, 0.375 = the area under the line.
 * Values (top row first) put 9s only where f = 0, including the pixel
 * touched at its corner (0, 3), so min/max prove f = 0 pixels are left out. */
static const double tri_v[16] = {9, 9, 9, 9, /* k = 3 */
                                 5, 7, 9, 9, /* k = 2 */
                                 7, 5, 7, 9, /* k = 1 */
                                 5, 7, 5, 3 /* k = 0 */};
static const double tri_f[16] = {0, 0, 0, 0, 5. / 8, 1. / 24, 0, 0,
                                 1, 5. / 6, 1. / 6, 0, 1, 1, 23. / 24, 3. / 8};

static void test_zonal_triangle(void **state)
{
    (void)state;
    spec s = utm_grid(4, 4);
    dcs_raster r;
    open_ok(tif("tri.tif", &s, tri_v), &r);
    double sf = 0, sfv = 0, f5 = 0, f7 = 0, f3 = 0;
    for (int i = 0; i < 16; i++) {
        sf += tri_f[i];
        sfv += tri_f[i] * tri_v[i];
        f5 += tri_v[i] == 5 ? tri_f[i] : 0;
        f7 += tri_v[i] == 7 ? tri_f[i] : 0;
        f3 += tri_v[i] == 3 ? tri_f[i] : 0;
    }
    assert_near(sf, 6, 1e-15);
    assert_true(f5 > f7 && f7 > f3); /* 3.4167, 2.2083, 0.375: majority 5 */
    dcs_zonal z = zonal(&r, "POLYGON((500000 3600000,500040 3600000,500000 3600030,"
                            "500000 3600000))");
    assert_near(z.coverage, 6, 1e-9);
    assert_near(z.sum, sfv, 1e-9);
    assert_near(z.mean, sfv / 6, 1e-9);
    assert_near(z.min, 3, 1e-9);
    assert_near(z.max, 7, 1e-9);
    assert_near(z.majority, 5, 1e-9);
    assert_near(z.nodata_fraction, 0, 1e-12);
    assert_int_equal(z.npixels, 9);

    /* Tie: half of pixel (col 0, k=1, value 7) and half of (col 1, k=1,
     * value 5) -> 0.5 each; the smaller value wins. */
    z = zonal_box(&r, 5, 10, 15, 20);
    assert_near(z.coverage, 1, 1e-9);
    assert_near(z.mean, 6, 1e-9);
    assert_near(z.sum, 6, 1e-9);
    assert_near(z.majority, 5, 1e-9);
    assert_int_equal(z.npixels, 2);
    dcs_raster_close(&r);
}

/* The triangle's statistics from its cells without the majority: the same
 * values as test_zonal_triangle's hand-computed ones, majority NaN; asked
 * for, the majority is 5 again. */
static void test_zonal_cells_majority_on_request(void **state)
{
    (void)state;
    spec s = utm_grid(4, 4);
    dcs_raster r;
    open_ok(tif("tri2.tif", &s, tri_v), &r);
    double sfv = 0;
    for (int i = 0; i < 16; i++)
        sfv += tri_f[i] * tri_v[i];
    GEOSGeometry *g = wkt("POLYGON((500000 3600000,500040 3600000,500000 3600030,"
                          "500000 3600000))");
    dcs_zonal_work w = {0};
    dcs_cells cells = {0};
    dcs_error err;
    dcs_zonal z;
    assert_int_equal(dcs_raster_cover(&r, geos, g, &w, &cells, &err), DCS_OK);
    assert_int_equal(dcs_raster_zonal_cells(&r, &cells, 0, &w, &z, &err), DCS_OK);
    assert_true(isnan(z.majority));
    assert_near(z.coverage, 6, 1e-9);
    assert_near(z.sum, sfv, 1e-9);
    assert_near(z.mean, sfv / 6, 1e-9);
    assert_near(z.min, 3, 1e-9);
    assert_near(z.max, 7, 1e-9);
    assert_near(z.nodata_fraction, 0, 1e-12);
    assert_int_equal(z.npixels, 9);
    assert_int_equal(dcs_raster_zonal_cells(&r, &cells, 1, &w, &z, &err), DCS_OK);
    assert_near(z.majority, 5, 1e-9);
    dcs_cells_free(&cells);
    dcs_zonal_work_free(&w);
    GEOSGeom_destroy_r(geos, g);
    dcs_raster_close(&r);
}

/* A 2 m x 3 m parcel inside pixel (col 2, k=2), value 9: that value, and
 * coverage 6 m^2 / 100 m^2.  A point takes its pixel's value. */
static void test_zonal_subpixel_and_point(void **state)
{
    (void)state;
    spec s = utm_grid(4, 4);
    dcs_raster r;
    open_ok(tif("sub.tif", &s, tri_v), &r);
    dcs_zonal z = zonal_box(&r, 22, 21, 24, 24);
    assert_near(z.coverage, 0.06, 1e-9);
    assert_near(z.mean, 9, 1e-9);
    assert_near(z.min, 9, 1e-9);
    assert_near(z.max, 9, 1e-9);
    assert_near(z.majority, 9, 1e-9);
    assert_near(z.sum, 0.54, 1e-9);
    assert_int_equal(z.npixels, 1);

    z = zonal(&r, "POINT(500035 3600005)"); /* col 3, k=0: 3 */
    assert_near(z.mean, 3, 0);
    assert_near(z.sum, 3, 0);
    assert_near(z.coverage, 1, 0);
    assert_int_equal(z.npixels, 1);
    z = zonal(&r, "POINT(400000 3600005)"); /* off the raster */
    assert_no_data(&z);
    assert_int_equal(z.npixels, 0);
    dcs_raster_close(&r);
}

/* Top row 4, nodata, 8; bottom row all nodata (-9999).  A parcel over
 * u 5..25 of the top row covers 0.5 of the 4, all of the nodata pixel and
 * 0.5 of the 8: valid coverage 1, nodata share 1 / (1 + 1) = 0.5, mean
 * (0.5 * 4 + 0.5 * 8) / 1 = 6, majority tie 4 / 8 -> 4. */
static void test_zonal_nodata(void **state)
{
    (void)state;
    spec s = utm_grid(3, 2);
    s.nodata = -9999;
    const double v[6] = {4, -9999, 8, -9999, -9999, -9999};
    dcs_raster r;
    open_ok(tif("nodata.tif", &s, v), &r);
    dcs_zonal z = zonal_box(&r, 5, 10, 25, 20);
    assert_near(z.coverage, 1, 1e-9);
    assert_near(z.nodata_fraction, 0.5, 1e-12);
    assert_near(z.mean, 6, 1e-9);
    assert_near(z.sum, 6, 1e-9);
    assert_near(z.min, 4, 0);
    assert_near(z.max, 8, 0);
    assert_near(z.majority, 4, 0);
    assert_int_equal(z.npixels, 3);

    z = zonal_box(&r, 2, 2, 28, 8); /* only nodata */
    assert_no_data(&z);
    assert_near(z.nodata_fraction, 1, 0);
    assert_int_equal(z.npixels, 3);

    z = zonal_box(&r, 1000, 1000, 1010, 1010); /* off the raster */
    assert_no_data(&z);
    assert_true(isnan(z.nodata_fraction));
    assert_int_equal(z.npixels, 0);

    z = zonal_box(&r, -10, 10, 10, 20); /* half off the raster: only the 4 */
    assert_near(z.mean, 4, 1e-12);
    assert_near(z.coverage, 1, 1e-9);
    dcs_raster_close(&r);
}

/* Coverage counts and covered fraction.  Grid 3 x 2 of 10 m pixels, top
 * row 4, nodata, 8; bottom row 2, nodata, 6.  The parcel u -10..15,
 * w 5..20 (grid metres) has area 25 x 15 = 375 m^2 = 3.75 pixels, of
 * which u 0..15 x w 5..20 = 225 m^2 = 2.25 pixels lie on the raster:
 *   top row (w 10..20): col 0 whole (1, valid 4), col 1 half (0.5, nodata)
 *   bottom row (w 5..10): col 0 half (0.5, valid 2), col 1 a quarter
 *   (0.25, nodata)
 * so count = 1 + 0.5 = 1.5, nodata_count = 0.5 + 0.25 = 0.75, covered
 * fraction = 2.25 / 3.75 = 0.6 (the covered area counts nodata too), and
 * nodata_fraction = 0.75 / 2.25 = 1/3.  Every share is a sum of binary
 * fractions, so the clipping gives them up to rounding: tolerance 1e-12.
 * The same raster for a parcel wholly on nodata (col 1, all of it),
 * wholly off the raster, and for points on and off it. */
static void test_zonal_counts_and_covered_fraction(void **state)
{
    (void)state;
    spec s = utm_grid(3, 2);
    s.nodata = -9999;
    const double v[6] = {4, -9999, 8, 2, -9999, 6};
    dcs_raster r;
    open_ok(tif("counts.tif", &s, v), &r);
    dcs_zonal z = zonal_box(&r, -10, 5, 15, 20);
    assert_near(z.coverage, 1.5, 1e-12);
    assert_near(z.nodata_coverage, 0.75, 1e-12);
    assert_near(z.covered_fraction, 0.6, 1e-12);
    assert_near(z.nodata_fraction, 1.0 / 3, 1e-12);
    assert_near(z.mean, (1 * 4 + 0.5 * 2) / 1.5, 1e-12);

    z = zonal_box(&r, 12, 2, 18, 17); /* inside col 1: only nodata, 0.6 x 1.5 = 0.9 px */
    assert_near(z.coverage, 0, 0);
    assert_near(z.nodata_coverage, 0.9, 1e-12);
    assert_near(z.covered_fraction, 1, 1e-12);

    z = zonal_box(&r, 1000, 1000, 1010, 1010); /* off the raster: 0, not NaN */
    assert_near(z.coverage, 0, 0);
    assert_near(z.nodata_coverage, 0, 0);
    assert_near(z.covered_fraction, 0, 0);

    z = zonal(&r, "POINT(500025 3600005)"); /* col 2, bottom row: 6 */
    assert_near(z.coverage, 1, 0);
    assert_near(z.nodata_coverage, 0, 0);
    assert_near(z.covered_fraction, 1, 0);
    z = zonal(&r, "POINT(500015 3600005)"); /* col 1: nodata */
    assert_near(z.coverage, 0, 0);
    assert_near(z.nodata_coverage, 1, 0);
    assert_near(z.covered_fraction, 1, 0);
    z = zonal(&r, "POINT(400000 3600005)");
    assert_near(z.covered_fraction, 0, 0);
    dcs_raster_close(&r);
}

/* Deterministic pseudo-random integers 0..99. */
static double noise(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (double)((*seed >> 16) % 100);
}

/* Even-odd ray casting, independent of GEOS. */
static int inside(const double *px, const double *py, int n, double x, double y)
{
    int in = 0;
    for (int i = 0, j = n - 1; i < n; j = i++)
        if ((py[i] > y) != (py[j] > y) &&
            x < px[j] + (px[i] - px[j]) * (y - py[j]) / (py[i] - py[j]))
            in = !in;
    return in;
}

/* Raster in EPSG:4326 (0.001 degree pixels, about 94 m x 111 m, values
 * random 0..99), site in UTM 14N: an irregular pentagon about 600 m
 * across, around (-96.8, 32.8).  Reference: a 1000 x 1000 lattice of
 * points over the pentagon's box (0.63 m x 0.64 m apart), those inside it
 * (by ray casting) transformed to lon/lat one by one in a batch and looked
 * up in the pixel array; the mean of their values.
 *
 * Tolerance: a lattice count of a pixel's part of the pentagon (edges at
 * irrational slopes to the lattice, about 400 m of perimeter) is off by
 * about 0.3 * h^2 * sqrt(perimeter / h) = 3 m^2 out of ~10^4 m^2; over
 * ~45 pixels with values of standard deviation 29 that moves the mean by
 * about 29 * 3 * sqrt(45) / 3.6e5 = 0.002 (it is 0.0019 here).  0.02 is
 * 10 times that, while taking whole pixels whose centre is inside (instead
 * of each pixel's exact share) moves this mean by 0.19. */
static void test_zonal_other_crs(void **state)
{
    (void)state;
    spec s = {20, 20, {-96.81, 0.001, 0, 32.81, 0, -0.001}, 4326, NAN};
    double v[400];
    unsigned seed = 42;
    for (int i = 0; i < 400; i++)
        v[i] = noise(&seed);
    dcs_raster r;
    open_ok(tif("lonlat.tif", &s, v), &r);

    OGRSpatialReferenceH ll = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(ll, 4326);
    OSRSetAxisMappingStrategy(ll, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH to_ll = OCTNewCoordinateTransformation(work, ll);
    OGRCoordinateTransformationH to_utm = OCTNewCoordinateTransformation(ll, work);
    double cx = -96.8, cy = 32.8;
    assert_true(OCTTransform(to_utm, 1, &cx, &cy, NULL));
    double px[5] = {-300, 280, 330, 40, -290}, py[5] = {-250, -310, 120, 330, 200};
    char text[512];
    for (int i = 0; i < 5; i++) {
        px[i] += cx;
        py[i] += cy;
    }
    snprintf(text, sizeof text, "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,"
             "%.6f %.6f))", px[0], py[0], px[1], py[1], px[2], py[2], px[3], py[3], px[4], py[4],
             px[0], py[0]);
    dcs_zonal z = zonal(&r, text);

    enum { N = 1000 };
    double x0 = cx - 300, x1 = cx + 330, y0 = cy - 310, y1 = cy + 330;
    double *xs = malloc(N * N * sizeof *xs), *ys = malloc(N * N * sizeof *ys);
    assert_true(xs && ys);
    int n = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double x = x0 + (i + 0.5) * (x1 - x0) / N, y = y0 + (j + 0.5) * (y1 - y0) / N;
            if (inside(px, py, 5, x, y)) {
                xs[n] = x;
                ys[n++] = y;
            }
        }
    assert_true(OCTTransform(to_ll, n, xs, ys, NULL));
    double total = 0;
    for (int k = 0; k < n; k++) {
        int col = (int)floor((xs[k] - s.gt[0]) / s.gt[1]);
        int row = (int)floor((ys[k] - s.gt[3]) / s.gt[5]);
        assert_true(col >= 0 && col < 20 && row >= 0 && row < 20);
        total += v[row * 20 + col];
    }
    assert_near(z.mean, total / n, 0.02);
    /* pixel area here ~ 93.6 m x 110.9 m; the pentagon ~ 3.55e5 m^2 */
    double area = (x1 - x0) * (y1 - y0) * n / ((double)N * N);
    assert_near(z.coverage / (area / (93.6 * 110.9)), 1, 0.01);
    /* wholly on the raster: the shares add up to the site's area in pixel
     * space (both from the same transformed polygon; rounding only) */
    assert_near(z.covered_fraction, 1, 1e-9);
    free(xs);
    free(ys);
    OCTDestroyCoordinateTransformation(to_ll);
    OCTDestroyCoordinateTransformation(to_utm);
    OSRRelease(ll);
    dcs_raster_close(&r);
}

/* ---- radius sums --------------------------------------------------------- */

/* Constant 2.5 over 200 x 200 pixels of 10 m: a 300 m circle holds
 * 2.5 * pi * 300^2 / 100 (1 %); centred on the raster's corner, a quarter
 * of that, and a valid fraction of exactly 1/4 (every row's run is cut at
 * the circle's axis). */
static void test_radius_constant(void **state)
{
    (void)state;
    spec s = utm_grid(200, 200);
    double *v = malloc(200 * 200 * sizeof *v);
    for (int i = 0; i < 200 * 200; i++)
        v[i] = 2.5;
    dcs_raster r;
    open_ok(tif("const.tif", &s, v), &r);
    free(v);
    double sum, valid, full = 2.5 * M_PI * 300 * 300 / 100;
    assert_int_equal(dcs_raster_radius_sum(&r, X0 + 1000, Y0 + 1000, 300, &sum, &valid),
                     DCS_ERR_INTERNAL); /* no prefix sums yet */
    assert_int_equal(dcs_raster_build_sat(&r), DCS_OK);
    assert_int_equal(dcs_raster_radius_sum(&r, X0 + 1003, Y0 + 998, 300, &sum, &valid), DCS_OK);
    assert_near(sum / full, 1, 0.01);
    assert_near(valid, 1, 1e-9);
    assert_int_equal(dcs_raster_radius_sum(&r, X0, Y0 + 2000, 300, &sum, &valid), DCS_OK);
    assert_near(sum / (full / 4), 1, 0.01);
    assert_near(valid, 0.25, 1e-9);
    assert_int_equal(dcs_raster_radius_sum(&r, X0, Y0, -1, &sum, &valid), DCS_ERR_DATA);
    dcs_raster_close(&r);
}

/* Meridional (M) and prime-vertical (N) radii of curvature of WGS 84. */
static void radii(double lat, double *m, double *n)
{
    double e2 = WGS84_F * (2 - WGS84_F), s = sin(lat * DEG), q = 1 - e2 * s * s;
    *m = WGS84_A * (1 - e2) / pow(q, 1.5);
    *n = WGS84_A / sqrt(q);
}

/* Constant 3 over a lon/lat raster at 45 N (0.0001 degree pixels): a
 * 500 m circle holds 3 * pi * 500^2 / pixel area, the pixel area being
 * (N cos(lat) * dlon) * (M * dlat) in radians from the closed-form radii
 * (1 %; without the cos(lat) the sum is 41 % off). */
static void test_radius_geographic(void **state)
{
    (void)state;
    spec s = {300, 300, {-96.815, 0.0001, 0, 45.015, 0, -0.0001}, 4326, NAN};
    double *v = malloc(300 * 300 * sizeof *v);
    for (int i = 0; i < 300 * 300; i++)
        v[i] = 3;
    dcs_raster r;
    open_ok(tif("const_ll.tif", &s, v), &r);
    free(v);
    assert_int_equal(dcs_raster_build_sat(&r), DCS_OK);
    OGRSpatialReferenceH ll = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(ll, 4326);
    OSRSetAxisMappingStrategy(ll, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH to_utm = OCTNewCoordinateTransformation(ll, work);
    double x = -96.8, y = 45.0, m, n, sum, valid;
    assert_true(OCTTransform(to_utm, 1, &x, &y, NULL));
    radii(45.0, &m, &n);
    double pixel = (n * cos(45.0 * DEG) * 0.0001 * DEG) * (m * 0.0001 * DEG);
    assert_int_equal(dcs_raster_radius_sum(&r, x, y, 500, &sum, &valid), DCS_OK);
    assert_near(sum / (3 * M_PI * 500 * 500 / pixel), 1, 0.01);
    assert_near(valid, 1, 1e-9);
    OCTDestroyCoordinateTransformation(to_utm);
    OSRRelease(ll);
    dcs_raster_close(&r);
}

/* 101 x 101 zeros with 7 in the centre pixel (grid 500..510 m both ways).
 * Radius 100 m around the pixel's centre, or 80 m east of it (its far
 * corner at hypot(85, 5) = 85.1 m, well inside): 7.  120 m east (its near
 * edge 115 m away): 0. */
static void test_radius_single_pixel(void **state)
{
    (void)state;
    spec s = utm_grid(101, 101);
    double *v = calloc(101 * 101, sizeof *v);
    v[50 * 101 + 50] = 7;
    dcs_raster r;
    open_ok(tif("one.tif", &s, v), &r);
    free(v);
    assert_int_equal(dcs_raster_build_sat(&r), DCS_OK);
    double sum, valid, cx = X0 + 505, cy = Y0 + 505;
    assert_int_equal(dcs_raster_radius_sum(&r, cx, cy, 100, &sum, &valid), DCS_OK);
    assert_near(sum, 7, 1e-9);
    assert_int_equal(dcs_raster_radius_sum(&r, cx + 80, cy, 100, &sum, &valid), DCS_OK);
    assert_near(sum, 7, 1e-9);
    assert_int_equal(dcs_raster_radius_sum(&r, cx - 80, cy + 30, 100, &sum, &valid), DCS_OK);
    assert_near(sum, 7, 1e-9);
    assert_int_equal(dcs_raster_radius_sum(&r, cx + 120, cy, 100, &sum, &valid), DCS_OK);
    assert_near(sum, 0, 1e-9);
    assert_int_equal(dcs_raster_radius_sum(&r, cx, cy - 150, 100, &sum, &valid), DCS_OK);
    assert_near(sum, 0, 1e-9);
    dcs_raster_close(&r);
}

/* The disc's area between heights t0 < t1 of the unit disc (clamped), from
 * the antiderivative t sqrt(1 - t^2) + asin(t) in long double: the
 * textbook form, which raster.c no longer evaluates row by row. */
static long double disc_strip_ref(long double t0, long double t1)
{
    long double t[2] = {t0, t1}, f[2];
    for (int k = 0; k < 2; k++) {
        long double u = t[k] < -1 ? -1 : t[k] > 1 ? 1 : t[k];
        f[k] = u * sqrtl(1 - u * u) + asinl(u);
    }
    return f[1] - f[0];
}

/* Row j (from the top) holds j + 1 on 10 m pixels, so the sum is each row's
 * value times the disc's area in that row (in pixels), the rows being
 * cut at the pixel edges.  For radii from 0.3 pixels (a disc that may lie
 * in one row) to 150 pixels and centres anywhere in a pixel, the sum
 * agrees with the closed form above to 1e-12 (the series raster.c uses for
 * all but the outer rows is exact to about 1e-16), and the valid fraction
 * is 1 to 1e-12. */
static void test_radius_rows(void **state)
{
    (void)state;
    enum { W = 400, H = 400 };
    spec s = utm_grid(W, H);
    double *v = malloc((size_t)W * H * sizeof *v);
    for (int j = 0; j < H; j++)
        for (int i = 0; i < W; i++)
            v[j * W + i] = j + 1;
    dcs_raster r;
    open_ok(tif("rows.tif", &s, v), &r);
    free(v);
    assert_int_equal(dcs_raster_build_sat(&r), DCS_OK);
    const double radii[] = {3, 5, 14, 31, 77, 250, 603, 1500};
    unsigned seed = 12345;
    for (size_t k = 0; k < sizeof radii / sizeof *radii; k++)
        for (int c = 0; c < 8; c++) {
            seed = seed * 1103515245u + 12345u;
            double fx = (seed >> 8 & 0xffff) / 65536.0;
            seed = seed * 1103515245u + 12345u;
            double fy = (seed >> 8 & 0xffff) / 65536.0;
            double px = 200 + fx, py = 200 + fy, ry = radii[k] / 10.0; /* pixels */
            long double want = 0;
            for (long j = (long)floor(py - ry); j <= (long)floor(py + ry); j++)
                want += (j + 1) * (long double)ry * ry *
                        disc_strip_ref((j - py) / ry, (j + 1 - py) / ry);
            double sum, valid;
            assert_int_equal(dcs_raster_radius_sum(&r, X0 + 10 * px, Y0 + 10.0 * H - 10 * py,
                                                   radii[k], &sum, &valid),
                             DCS_OK);
            assert_true(fabsl(sum - want) <= 1e-12L * want);
            assert_near(valid, 1, 1e-12);
        }
    dcs_raster_close(&r);
}

/* ---- slope ------------------------------------------------------------------- */

/* Plane z = 0.3 u - 0.4 w on 10 m pixels: every interior pixel's slope is
 * atan(hypot(0.3, 0.4)) = atan(0.5) (Horn's differences are exact on a
 * plane), edges are nodata.  A nodata DEM pixel blanks its 3 x 3
 * neighbourhood.  The slope raster's zonal mean and max are the same.
 * Tolerance 1e-5 degrees: pixels are kept as 32-bit floats (about 7
 * significant digits, so 26.565 degrees to within 2e-6). */
static void test_slope_projected(void **state)
{
    (void)state;
    spec s = utm_grid(20, 20);
    s.nodata = -9999;
    double v[400], expect = atan(0.5) / DEG;
    for (int j = 0; j < 20; j++)
        for (int i = 0; i < 20; i++)
            v[j * 20 + i] = 0.3 * (i + 0.5) * 10 - 0.4 * (19 - j + 0.5) * 10;
    v[5 * 20 + 15] = -9999;
    dcs_raster dem, slope;
    dcs_error err;
    open_ok(tif("plane.tif", &s, v), &dem);
    assert_int_equal(dcs_raster_slope(&dem, &slope, &err), DCS_OK);
    for (int j = 0; j < 20; j++)
        for (int i = 0; i < 20; i++) {
            double got = slope.data[j * 20 + i];
            int blank = i == 0 || j == 0 || i == 19 || j == 19 ||
                        (abs(i - 15) <= 1 && abs(j - 5) <= 1);
            if (blank)
                assert_true(isnan(got));
            else
                assert_near(got, expect, 1e-5);
        }
    assert_contains(slope.path, "plane.tif (slope)");
    dcs_zonal z = zonal_box(&slope, 25, 25, 95, 95);
    assert_near(z.mean, expect, 1e-5);
    assert_near(z.max, expect, 1e-5);
    assert_near(z.coverage, 49, 1e-9);
    dcs_raster_close(&slope);
    dcs_raster_close(&dem);
}

/* Lon/lat DEM at 45 N, 0.0001 degree pixels, z = 0.12 E + 0.05 N with E, N
 * metres east and north of the corner: E = N(lat) cos(lat) dlon, N =
 * M(lat_mid) dlat (closed-form radii; the midpoint rule is off by ~1e-9
 * over 0.004 degree).  Expected slope atan(0.13) within 0.5 % at every
 * interior pixel; treating degrees as metres would give ~90 degrees, and
 * the metres per degree of latitude on both axes 24 % less. */
static void test_slope_geographic(void **state)
{
    (void)state;
    enum { W = 40 };
    double lon0 = -96.8, lat0 = 45.0, d = 0.0001;
    spec s = {W, W, {lon0, d, 0, lat0 + W * d, 0, -d}, 4326, NAN};
    double v[W * W], expect = atan(0.13) / DEG;
    for (int j = 0; j < W; j++)
        for (int i = 0; i < W; i++) {
            double lat = lat0 + (W - j - 0.5) * d, dlon = (i + 0.5) * d, m, n, mm, nn;
            radii(lat, &m, &n);
            radii((lat + lat0) / 2, &mm, &nn);
            double east = n * cos(lat * DEG) * dlon * DEG, north = mm * (lat - lat0) * DEG;
            v[j * W + i] = 0.12 * east + 0.05 * north;
        }
    dcs_raster dem, slope;
    dcs_error err;
    open_ok(tif("plane_ll.tif", &s, v), &dem);
    assert_int_equal(dcs_raster_slope(&dem, &slope, &err), DCS_OK);
    for (int j = 1; j < W - 1; j++)
        for (int i = 1; i < W - 1; i++)
            assert_near(slope.data[j * W + i] / expect, 1, 0.005);
    dcs_raster_close(&slope);
    dcs_raster_close(&dem);
}

/* ---- errors ------------------------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    dcs_raster r;
    dcs_error err;
    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope.tif", tmpdir);
    assert_int_equal(dcs_raster_open(missing, 1, work, &r, &err), DCS_ERR_DATA);
    assert_contains(err.message, "raster '");
    assert_contains(err.message, "nope.tif': cannot open: ");
    assert_contains(err.message, "No such file or directory"); /* GDAL's own text */

    spec s = utm_grid(2, 2);
    const double v[4] = {1, 2, 3, 4};
    const char *path = tif("small.tif", &s, v);
    assert_int_equal(dcs_raster_open(path, 2, work, &r, &err), DCS_ERR_DATA);
    assert_contains(err.message, "small.tif': band 2 does not exist (1 band)");
    assert_int_equal(dcs_raster_open(path, 0, work, &r, &err), DCS_ERR_DATA);
    assert_contains(err.message, "band 0 does not exist");

    s.gt[2] = 0.5;
    path = tif("rotated.tif", &s, v);
    assert_int_equal(dcs_raster_open(path, 1, work, &r, &err), DCS_ERR_DATA);
    assert_contains(err.message, "rotated.tif': rotated geotransform");

    s = utm_grid(2, 2);
    s.epsg = 0;
    path = tif("nocrs.tif", &s, v);
    assert_int_equal(dcs_raster_open(path, 1, work, &r, &err), DCS_ERR_DATA);
    assert_contains(err.message, "nocrs.tif': no CRS");

    s = utm_grid(2, 2);
    open_ok(tif("ok.tif", &s, v), &r);
    dcs_zonal z;
    GEOSGeometry *line = wkt("LINESTRING(500000 3600000,500010 3600010)");
    assert_int_equal(dcs_raster_zonal(&r, geos, line, &z, &err), DCS_ERR_DATA);
    assert_contains(err.message, "ok.tif': statistics need a polygon or a point");
    GEOSGeom_destroy_r(geos, line);
    dcs_raster_close(&r);
    dcs_raster_close(&r); /* closing twice is harmless */
}

/* ---- fixture ------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dcs_raster_XXXXXX");
    work = OSRNewSpatialReference(NULL);
    geos = dcs_geos_init();
    if (!mkdtemp(tmpdir) || !work || !geos || OSRImportFromEPSG(work, 32614) != OGRERR_NONE)
        return -1;
    OSRSetAxisMappingStrategy(work, OAMS_TRADITIONAL_GIS_ORDER);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(tmpdir);
    OSRRelease(work);
    dcs_geos_finish(geos);
    return 0;
}

int main(void)
{
    dcs_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zonal_triangle),
        cmocka_unit_test(test_zonal_cells_majority_on_request),
        cmocka_unit_test(test_zonal_subpixel_and_point),
        cmocka_unit_test(test_zonal_nodata),
        cmocka_unit_test(test_zonal_counts_and_covered_fraction),
        cmocka_unit_test(test_zonal_other_crs),
        cmocka_unit_test(test_radius_constant),
        cmocka_unit_test(test_radius_geographic),
        cmocka_unit_test(test_radius_single_pixel),
        cmocka_unit_test(test_radius_rows),
        cmocka_unit_test(test_slope_projected),
        cmocka_unit_test(test_slope_geographic),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("raster", tests, setup, teardown);
}
