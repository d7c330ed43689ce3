/*
 * test_gpkg_read.c - which GeoPackage geometry blobs the direct reader
 * takes as they are (dcs_gpkg_plain_polygon, inputs/gpkg_read.h).
 *
 * References: the blob layout of GeoPackage 1.3 clause 2.1.3 (built by
 * hand here: magic, version, flags with the envelope code, srs_id, the
 * envelope, then WKB), and OGR itself: the WKB found must be the WKB OGR
 * writes of the geometry OGR reads from it (OGR_G_CreateFromWkb, then
 * OGR_G_ExportToIsoWkb little-endian: byte for byte), and a polygon taken
 * must have OGR_G_Area() > 0 (the test dcsite's OGR read applies to a
 * site).  Random quadrilaterals, some nearly flat, check that rule in both
 * directions: taken => OGR's area > 0; OGR's area > 1e-6 of the squared
 * size => taken.  Exact comparisons (bytes, flags).
 */
#include "testutil.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <unistd.h>

#include "inputs/gpkg_read.h"

typedef struct {
    unsigned char b[2048];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void put_u32(buf *o, uint32_t v, int le)
{
    unsigned char b[4];
    for (int k = 0; k < 4; k++)
        b[le ? k : 3 - k] = (unsigned char)(v >> (8 * k));
    put(o, b, 4);
}

static void put_f64(buf *o, double d, int le)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    unsigned char b[8];
    for (int k = 0; k < 8; k++)
        b[le ? k : 7 - k] = (unsigned char)(u >> (8 * k));
    put(o, b, 8);
}

/* GeoPackage header: flags = envelope code << 1 | empty << 4 | extended << 5 | LE. */
static void put_header(buf *o, unsigned envelope, unsigned extra_flags)
{
    static const size_t doubles[5] = {0, 4, 6, 6, 8};
    unsigned char h[4] = {'G', 'P', 0, (unsigned char)(1 | envelope << 1 | extra_flags)};
    put(o, h, 4);
    put_u32(o, 32614, 1);
    for (size_t k = 0; k < doubles[envelope]; k++)
        put_f64(o, 0.0, 1);
}

/* A polygon of one ring (xs, ys: n points, the caller closes it or not). */
static void put_polygon(buf *o, const double *xs, const double *ys, uint32_t n, int le,
                        uint32_t type)
{
    unsigned char order = (unsigned char)le;
    put(o, &order, 1);
    put_u32(o, type, le);
    put_u32(o, 1, le);
    put_u32(o, n, le);
    for (uint32_t k = 0; k < n; k++) {
        put_f64(o, xs[k], le);
        put_f64(o, ys[k], le);
        if (type == 1003)
            put_f64(o, 0.0, le);
    }
}

static const double SQ_X[5] = {0, 10, 10, 0, 0}, SQ_Y[5] = {0, 0, 10, 10, 0};

/* Taken, and the WKB found is OGR's own writing of what OGR reads there. */
static void assert_plain_as_ogr(const buf *o)
{
    const unsigned char *wkb = NULL;
    size_t size = 0;
    assert_int_equal(dcs_gpkg_plain_polygon(o->b, o->n, &wkb, &size), 1);
    OGRGeometryH g = NULL;
    assert_int_equal(OGR_G_CreateFromWkbEx(wkb, NULL, &g, size), OGRERR_NONE);
    unsigned char *again = malloc(size);
    assert_int_equal((size_t)OGR_G_WkbSize(g), size);
    assert_int_equal(OGR_G_ExportToIsoWkb(g, wkbNDR, again), OGRERR_NONE);
    assert_memory_equal(again, wkb, size);
    assert_true(OGR_G_Area(g) > 0);
    free(again);
    OGR_G_DestroyGeometry(g);
}

static int plain(const buf *o)
{
    const unsigned char *wkb;
    size_t size;
    return dcs_gpkg_plain_polygon(o->b, o->n, &wkb, &size);
}

static void test_plain_polygons(void **state)
{
    (void)state;
    for (unsigned env = 0; env <= 4; env++) { /* every envelope size */
        buf o = {.n = 0};
        put_header(&o, env, 0);
        put_polygon(&o, SQ_X, SQ_Y, 5, 1, 3);
        assert_plain_as_ogr(&o);
    }
    buf m = {.n = 0}; /* a MultiPolygon of two squares */
    put_header(&m, 1, 0);
    unsigned char order = 1;
    put(&m, &order, 1);
    put_u32(&m, 6, 1);
    put_u32(&m, 2, 1);
    put_polygon(&m, SQ_X, SQ_Y, 5, 1, 3);
    double x2[5] = {20, 30, 30, 20, 20};
    put_polygon(&m, x2, SQ_Y, 5, 1, 3);
    assert_plain_as_ogr(&m);
}

static void test_everything_else_goes_to_ogr(void **state)
{
    (void)state;
    buf o;
    o = (buf){.n = 0}; /* big-endian WKB */
    put_header(&o, 0, 0);
    put_polygon(&o, SQ_X, SQ_Y, 5, 0, 3);
    assert_int_equal(plain(&o), 0);
    o = (buf){.n = 0}; /* the empty flag */
    put_header(&o, 0, 1u << 4);
    put_polygon(&o, SQ_X, SQ_Y, 5, 1, 3);
    assert_int_equal(plain(&o), 0);
    o = (buf){.n = 0}; /* an extended (non-standard) geometry */
    put_header(&o, 0, 1u << 5);
    put_polygon(&o, SQ_X, SQ_Y, 5, 1, 3);
    assert_int_equal(plain(&o), 0);
    o = (buf){.n = 0}; /* an envelope code GeoPackage does not define */
    put_header(&o, 0, 5u << 1);
    put_polygon(&o, SQ_X, SQ_Y, 5, 1, 3);
    assert_int_equal(plain(&o), 0);
    o = (buf){.n = 0}; /* a ring of 3 points */
    put_header(&o, 0, 0);
    double tx[3] = {0, 10, 0}, ty[3] = {0, 0, 0};
    put_polygon(&o, tx, ty, 3, 1, 3);
    assert_int_equal(plain(&o), 0);
    o = (buf){.n = 0}; /* an unclosed ring */
    put_header(&o, 0, 0);
    put_polygon(&o, SQ_X, SQ_Y, 4, 1, 3);
    assert_int_equal(plain(&o), 0);
    o = (buf){.n = 0}; /* all on one line: no area */
    put_header(&o, 0, 0);
    double lx[5] = {0, 5, 10, 5, 0}, ly[5] = {0, 5, 10, 5, 0};
    put_polygon(&o, lx, ly, 5, 1, 3);
    assert_int_equal(plain(&o), 0);
    o = (buf){.n = 0}; /* a polygon with Z */
    put_header(&o, 0, 0);
    put_polygon(&o, SQ_X, SQ_Y, 5, 1, 1003);
    assert_int_equal(plain(&o), 0);
    o = (buf){.n = 0}; /* a NaN corner */
    put_header(&o, 0, 0);
    double nx[5] = {0, 10, NAN, 0, 0};
    put_polygon(&o, nx, SQ_Y, 5, 1, 3);
    assert_int_equal(plain(&o), 0);
    o = (buf){.n = 0}; /* one byte too many, then one too few */
    put_header(&o, 0, 0);
    put_polygon(&o, SQ_X, SQ_Y, 5, 1, 3);
    o.n++;
    assert_int_equal(plain(&o), 0);
    o.n -= 2;
    assert_int_equal(plain(&o), 0);
    assert_int_equal(dcs_gpkg_plain_polygon(NULL, 0, NULL, NULL), 0);
}

static void test_hole_larger_than_the_shell(void **state)
{
    (void)state;
    buf o = {.n = 0};
    put_header(&o, 0, 0);
    unsigned char order = 1;
    put(&o, &order, 1);
    put_u32(&o, 3, 1);
    put_u32(&o, 2, 1);
    double sx[5] = {0, 1, 1, 0, 0}, sy[5] = {0, 0, 1, 1, 0};
    put_u32(&o, 5, 1);
    for (int k = 0; k < 5; k++)
        put_f64(&o, sx[k], 1), put_f64(&o, sy[k], 1);
    put_u32(&o, 5, 1); /* the "hole", 100 times the shell */
    for (int k = 0; k < 5; k++)
        put_f64(&o, SQ_X[k], 1), put_f64(&o, SQ_Y[k], 1);
    assert_int_equal(plain(&o), 0); /* OGR's area is below 0: OGR decides */
}

/* Random quadrilaterals far from the origin, some nearly flat: taken only
 * when OGR's area is > 0, and always when it is clearly so. */
static void test_area_rule_against_ogr(void **state)
{
    (void)state;
    srand(28);
    int taken = 0;
    for (int t = 0; t < 20000; t++) {
        double x[5], y[5], ox = 5e5 + rand() % 1000, oy = 4.2e6 + rand() % 1000;
        double flat = t % 2 ? 1e-9 * (rand() % 1000) : 1.0;
        for (int k = 0; k < 4; k++) {
            double a = k * 1.5707963267948966 + 0.3 * rand() / RAND_MAX;
            x[k] = ox + 50 * cos(a);
            y[k] = oy + 50 * sin(a) * flat;
        }
        x[4] = x[0], y[4] = y[0];
        buf o = {.n = 0};
        put_header(&o, 1, 0);
        put_polygon(&o, x, y, 5, 1, 3);
        const unsigned char *wkb;
        size_t size;
        int p = dcs_gpkg_plain_polygon(o.b, o.n, &wkb, &size);
        OGRGeometryH g = NULL;
        assert_int_equal(OGR_G_CreateFromWkbEx(o.b + 40, NULL, &g, o.n - 40), OGRERR_NONE);
        double area = OGR_G_Area(g);
        OGR_G_DestroyGeometry(g);
        if (p)
            assert_true(area > 0);
        if (area > 1e-6 * 100 * 100)
            assert_int_equal(p, 1);
        taken += p;
    }
    assert_true(taken > 10000 && taken < 20000); /* both kinds were met */
}

/* A layer of 30 features: triangles, but for a point at k == 7 when
 * with_point. */
static void write_layer(const char *path, const char *driver, int with_point)
{
    GDALDriverH drv = GDALGetDriverByName(driver);
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 32614);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "parcels", srs, wkbUnknown, NULL);
    OSRRelease(srs);
    const char *names[4] = {"pid", "small", "big", "price"};
    OGRFieldType types[4] = {OFTString, OFTInteger, OFTInteger64, OFTReal};
    for (int f = 0; f < 4; f++) {
        OGRFieldDefnH d = OGR_Fld_Create(names[f], types[f]);
        OGR_L_CreateField(lyr, d, 1);
        OGR_Fld_Destroy(d);
    }
    for (int k = 0; k < 30; k++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
        char pid[16], wkt[256];
        snprintf(pid, sizeof pid, "p%02d", k);
        if (k % 4)
            OGR_F_SetFieldString(f, 0, pid);
        if (k % 5)
            OGR_F_SetFieldInteger(f, 1, -7 * k);
        OGR_F_SetFieldInteger64(f, 2, 3000000000LL * k);
        if (k % 3)
            OGR_F_SetFieldDouble(f, 3, 0.1 * k + 1e-7);
        double x = 500000 + 100 * k, y = 4200000;
        if (k == 7 && with_point)
            snprintf(wkt, sizeof wkt, "POINT (%.17g %.17g)", x, y);
        else
            snprintf(wkt, sizeof wkt, "POLYGON ((%.17g %.17g,%.17g %.17g,%.17g %.17g,%.17g "
                     "%.17g))", x, y, x + 90.5, y, x + 45.25, y + 80.125, x, y);
        char *w = wkt;
        OGRGeometryH g = NULL;
        assert_int_equal(OGR_G_CreateFromWkt(&w, NULL, &g), OGRERR_NONE);
        OGR_F_SetGeometryDirectly(f, g);
        assert_int_equal(OGR_L_CreateFeature(lyr, f), OGRERR_NONE);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
}

static void open_layer(dcs_layer *L, dcs_source *src, const char *path, const char *where)
{
    *src = (dcs_source){.dataset = (char *)path, .where = (char *)where};
    dcs_error err;
    dcs_status st = dcs_layer_open(L, "sites", src, DCS_GEOM_POLYGON_OR_POINT, &err);
    if (st != DCS_OK)
        fail_msg("%s", err.message);
}

static void test_reader_against_ogr(void **state)
{
    (void)state;
    char path[] = "/tmp/dcs_gpkg_read_XXXXXX.gpkg";
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    write_layer(path, "GPKG", 1);
    dcs_layer L, O;
    dcs_source sl, so;
    const char *where = "big <> 6000000000"; /* drops feature 2 */
    open_layer(&L, &sl, path, where);
    open_layer(&O, &so, path, where);
    int fields[4] = {0, 1, 2, 3};
    dcs_gpkg_reader *r = dcs_gpkg_reader_open(&L, fields, 4);
    assert_non_null(r);
    OGRFeatureH f;
    int rows = 0;
    while ((f = OGR_L_GetNextFeature(O.lyr))) {
        dcs_gpkg_row row;
        int done;
        dcs_error err;
        assert_int_equal(dcs_gpkg_reader_next(r, &row, &done, &err), DCS_OK);
        assert_int_equal(done, 0);
        assert_int_equal(row.fid, OGR_F_GetFID(f));
        int point = wkbFlatten(OGR_G_GetGeometryType(OGR_F_GetGeometryRef(f))) == wkbPoint;
        assert_int_equal(row.plain, !point);
        for (size_t k = 0; k < 4 && row.plain; k++) {
            int null = !OGR_F_IsFieldSetAndNotNull(f, (int)k);
            assert_int_equal(dcs_gpkg_reader_null(r, k), null);
            if (null)
                continue;
            assert_string_equal(dcs_gpkg_reader_text(r, k), OGR_F_GetFieldAsString(f, (int)k));
            assert_true(dcs_gpkg_reader_double(r, k) == OGR_F_GetFieldAsDouble(f, (int)k) ||
                        k == 0); /* text: dcs_field_double's own rule, in the e2e test */
        }
        OGR_F_Destroy(f);
        rows++;
    }
    dcs_gpkg_row row;
    int done;
    dcs_error err;
    assert_int_equal(dcs_gpkg_reader_next(r, &row, &done, &err), DCS_OK);
    assert_int_equal(done, 1);
    assert_int_equal(dcs_gpkg_reader_next(r, &row, &done, &err), DCS_OK); /* stays ended */
    assert_int_equal(done, 1);
    assert_int_equal(rows, 29);
    dcs_gpkg_reader_close(r);
    setenv("DCSITE_GPKG_DIRECT", "0", 1);
    assert_null(dcs_gpkg_reader_open(&L, fields, 4));
    unsetenv("DCSITE_GPKG_DIRECT");
    dcs_layer_close(&L);
    dcs_layer_close(&O);
    unlink(path);
}

static void test_no_reader_for_a_shapefile(void **state)
{
    (void)state;
    char dir[] = "/tmp/dcs_gpkg_read_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/parcels.shp", dir);
    write_layer(path, "ESRI Shapefile", 0);
    dcs_layer L;
    dcs_source src;
    open_layer(&L, &src, path, NULL);
    int fields[1] = {0};
    assert_null(dcs_gpkg_reader_open(&L, fields, 1));
    dcs_layer_close(&L);
    GDALDeleteDataset(GDALGetDriverByName("ESRI Shapefile"), path);
    rmdir(dir);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_polygons),
        cmocka_unit_test(test_everything_else_goes_to_ogr),
        cmocka_unit_test(test_hole_larger_than_the_shell),
        cmocka_unit_test(test_area_rule_against_ogr),
        cmocka_unit_test(test_reader_against_ogr),
        cmocka_unit_test(test_no_reader_for_a_shapefile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
