/* raster.c - raster statistics for sites. See raster.h. */
#include "geometry/raster.h"

#include <cpl_error.h>
#include <gdal.h>
#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/special.h"
#include "geometry/geo.h"
#include "geometry/rings.h"

#define DEG_PER_RAD (180.0 / M_PI)

static const char *gdal_msg(const char *fallback)
{
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : fallback;
}

/* ---- opening ------------------------------------------------------------- */

static dcs_status find_band(dcs_raster *r, GDALDatasetH ds, GDALRasterBandH *b, dcs_error *err)
{
    int n = GDALGetRasterCount(ds);
    if (r->band < 1 || r->band > n)
        return dcs_error_set(err, DCS_ERR_DATA, "raster '%s': band %d does not exist (%d band%s)",
                             r->path, r->band, n, n == 1 ? "" : "s");
    *b = GDALGetRasterBand(ds, r->band);
    return DCS_OK;
}

const char *dcs_raster_georef_problem(GDALDatasetH ds, char *buf, size_t size)
{
    double gt[6];
    int ngcp = GDALGetGCPCount(ds);
    if (GDALGetGeoTransform(ds, gt) != CE_None && ngcp > 0)
        snprintf(buf, size, "georeferenced by %d ground control points (GCPs) only, which "
                 "dcsite does not use: warp it onto a grid first, e.g. gdalwarp -t_srs "
                 "EPSG:4326 in.tif out.tif", ngcp);
    else if (GDALGetGeoTransform(ds, gt) != CE_None)
        snprintf(buf, size, "no geotransform (the raster is not georeferenced)");
    else if (!isfinite(gt[0]) || !isfinite(gt[3]))
        snprintf(buf, size, "its geotransform's origin is not a number (%g, %g): set it, e.g. "
                 "with gdal_edit.py -a_ullr", gt[0], gt[3]);
    else if (gt[1] == 0 || gt[5] == 0 || !isfinite(gt[1]) || !isfinite(gt[5]))
        snprintf(buf, size, "unusable pixel size %g x %g", gt[1], gt[5]);
    else
        return NULL;
    return buf;
}

static dcs_status read_grid(dcs_raster *r, GDALDatasetH ds, dcs_error *err)
{
    r->width = GDALGetRasterXSize(ds);
    r->height = GDALGetRasterYSize(ds);
    if (r->width <= 0 || r->height <= 0)
        return dcs_error_set(err, DCS_ERR_DATA, "raster '%s': empty raster (%d x %d pixels)",
                             r->path, r->width, r->height);
    char why[256];
    if (dcs_raster_georef_problem(ds, why, sizeof why))
        return dcs_error_set(err, DCS_ERR_DATA, "raster '%s': %s", r->path, why);
    GDALGetGeoTransform(ds, r->gt);
    if (r->gt[2] != 0 || r->gt[4] != 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "raster '%s': rotated geotransform (rotation terms %g, %g) is not "
                             "supported; make it north-up first, e.g. with gdalwarp",
                             r->path, r->gt[2], r->gt[4]);
    if (r->gt[1] == 0 || r->gt[5] == 0 || !isfinite(r->gt[1]) || !isfinite(r->gt[5]))
        return dcs_error_set(err, DCS_ERR_DATA, "raster '%s': unusable pixel size %g x %g",
                             r->path, r->gt[1], r->gt[5]);
    return DCS_OK;
}

/* Units and ellipsoid of the raster's CRS. */
static dcs_status read_units(dcs_raster *r, dcs_error *err)
{
    r->geographic = OSRIsGeographic(r->srs);
    if (!r->geographic && !OSRIsProjected(r->srs))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "raster '%s': CRS %s is neither geographic nor projected", r->path,
                             r->crs_name);
    r->unit = r->geographic ? OSRGetAngularUnits(r->srs, NULL) * DEG_PER_RAD
                            : OSRGetLinearUnits(r->srs, NULL);
    OGRErr e = OGRERR_NONE;
    r->ell_a = OSRGetSemiMajor(r->srs, &e);
    double inv_f = OSRGetInvFlattening(r->srs, &e);
    r->ell_f = inv_f > 0 ? 1.0 / inv_f : 0.0;
    if (!(r->unit > 0) || !(r->ell_a > 0))
        return dcs_error_set(err, DCS_ERR_DATA, "raster '%s': CRS %s has no usable units",
                             r->path, r->crs_name);
    return DCS_OK;
}

static dcs_status read_crs(dcs_raster *r, GDALDatasetH ds, OGRSpatialReferenceH work,
                           dcs_error *err)
{
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    if (!srs)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "raster '%s': no CRS; assign one, e.g. with gdal_edit.py -a_srs",
                             r->path);
    r->srs = dcs_srs_clone_gis_order(srs);
    r->work = dcs_srs_clone_gis_order(work);
    if (!r->srs || !r->work)
        return dcs_error_set(err, DCS_ERR_NOMEM, "raster '%s': out of memory", r->path);
    dcs_srs_describe(r->srs, r->crs_name, sizeof r->crs_name);
    r->same_crs = OSRIsSame(r->work, r->srs);
    dcs_status st = read_units(r, err);
    if (st != DCS_OK)
        return st;
    CPLErrorReset();
    r->work_to_raster = OCTNewCoordinateTransformation(r->work, r->srs);
    if (!r->work_to_raster)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "raster '%s': PROJ cannot transform the working CRS to %s: %s",
                             r->path, r->crs_name, gdal_msg("no transformation found"));
    return DCS_OK;
}

/* Pixels the band's mask (alpha band, .msk file) marks invalid become NaN.
 * Nodata values themselves are handled by mark_nodata(). */
static dcs_status apply_mask(dcs_raster *r, GDALRasterBandH b, dcs_error *err)
{
    int flags = GDALGetMaskFlags(b);
    if (flags & (GMF_ALL_VALID | GMF_NODATA))
        return DCS_OK;
    size_t n = (size_t)r->width * (size_t)r->height;
    unsigned char *m = malloc(n);
    if (!m)
        return dcs_error_set(err, DCS_ERR_NOMEM, "raster '%s': out of memory reading the mask",
                             r->path);
    dcs_status st = DCS_OK;
    CPLErrorReset();
    if (GDALRasterIO(GDALGetMaskBand(b), GF_Read, 0, 0, r->width, r->height, m, r->width,
                     r->height, GDT_Byte, 0, 0) != CE_None) {
        st = dcs_error_set(err, DCS_ERR_DATA, "raster '%s': band %d: cannot read the mask: %s",
                           r->path, r->band, gdal_msg("read failed"));
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        if (!m[i])
            r->data[i] = NAN;
fail:
    free(m);
    return st;
}

static void mark_nodata(dcs_raster *r, GDALDataType type)
{
    if (!r->has_nodata || isnan(r->nodata))
        return; /* NaN pixels are nodata anyway */
    size_t n = (size_t)r->width * (size_t)r->height;
    (void)type; /* every type is read as float: compare as float */
    float nf = (float)r->nodata;
    for (size_t i = 0; i < n; i++)
        if (r->data[i] == nf)
            r->data[i] = NAN;
}

static void apply_scale(dcs_raster *r, GDALRasterBandH b)
{
    double scale = GDALGetRasterScale(b, NULL), offset = GDALGetRasterOffset(b, NULL);
    if (scale == 1 && offset == 0)
        return;
    size_t n = (size_t)r->width * (size_t)r->height;
    for (size_t i = 0; i < n; i++)
        r->data[i] = (float)(r->data[i] * scale + offset);
}

/* Metres per unit of the band's values, from its unit type. */
static double unit_to_m(const char *u)
{
    if (!u)
        return 1;
    if (!strcasecmp(u, "ft") || !strcasecmp(u, "foot") || !strcasecmp(u, "feet") ||
        !strcasecmp(u, "international foot"))
        return 0.3048;
    if (!strcasecmp(u, "US survey foot") || !strcasecmp(u, "ftUS") || !strcasecmp(u, "us-ft"))
        return 1200.0 / 3937.0;
    return 1;
}

static dcs_status read_pixels(dcs_raster *r, GDALRasterBandH b, dcs_error *err)
{
    size_t n = (size_t)r->width * (size_t)r->height;
    if (n > SIZE_MAX / sizeof *r->data || !(r->data = malloc(n * sizeof *r->data)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "raster '%s': out of memory for %d x %d pixels",
                             r->path, r->width, r->height);
    CPLErrorReset();
    if (GDALRasterIO(b, GF_Read, 0, 0, r->width, r->height, r->data, r->width, r->height,
                     GDT_Float32, 0, 0) != CE_None)
        return dcs_error_set(err, DCS_ERR_DATA, "raster '%s': band %d: cannot read the pixels: %s",
                             r->path, r->band, gdal_msg("read failed"));
    r->nodata = GDALGetRasterNoDataValue(b, &r->has_nodata);
    mark_nodata(r, GDALGetRasterDataType(b));
    dcs_status st = apply_mask(r, b, err);
    if (st != DCS_OK)
        return st;
    apply_scale(r, b);
    r->z_to_m = unit_to_m(GDALGetRasterUnitType(b));
    return DCS_OK;
}

dcs_status dcs_raster_open(const char *path, int band, OGRSpatialReferenceH work_srs,
                           dcs_raster *r, dcs_error *err)
{
    GDALRasterBandH b = NULL;
    dcs_status st = DCS_OK;
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    r->band = band;
    char kind[64];
    if (dcs_special_file(path, kind, sizeof kind))
        return dcs_error_set(err, DCS_ERR_DATA, "raster '%s': cannot open: it is %s, not a "
                             "raster (give a regular file or a name GDAL resolves)", path, kind);
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                                 NULL, NULL, NULL);
    if (!ds) {
        st = dcs_error_set(err, DCS_ERR_DATA, "raster '%s': cannot open: %s", path,
                           gdal_msg("not a raster GDAL can read"));
        goto fail;
    }
    if ((st = find_band(r, ds, &b, err)) != DCS_OK || (st = read_grid(r, ds, err)) != DCS_OK ||
        (st = read_crs(r, ds, work_srs, err)) != DCS_OK || (st = read_pixels(r, b, err)) != DCS_OK)
        goto fail;
    GDALClose(ds);
    return DCS_OK;
fail:
    if (ds)
        GDALClose(ds);
    dcs_raster_close(r);
    return st;
}

dcs_status dcs_raster_share(const dcs_raster *src, dcs_raster *copy, dcs_error *err)
{
    *copy = *src;
    copy->shared = 1;
    copy->work_to_raster = NULL;
    if (src->work_to_raster && !(copy->work_to_raster = OCTClone(src->work_to_raster))) {
        memset(copy, 0, sizeof *copy);
        return dcs_error_set(err, DCS_ERR_NOMEM, "raster '%s': cannot copy the transformation",
                             src->path);
    }
    return DCS_OK;
}

void dcs_raster_close(dcs_raster *r)
{
    if (!r)
        return;
    if (r->shared) {
        if (r->work_to_raster)
            OCTDestroyCoordinateTransformation(r->work_to_raster);
        memset(r, 0, sizeof *r);
        return;
    }
    free(r->data);
    free(r->row_sum);
    free(r->row_valid);
    if (r->work_to_raster)
        OCTDestroyCoordinateTransformation(r->work_to_raster);
    if (r->srs)
        OSRRelease(r->srs);
    if (r->work)
        OSRRelease(r->work);
    memset(r, 0, sizeof *r);
}

/* ---- geometry in pixel space --------------------------------------------- */

/* Working CRS -> raster CRS -> pixel coordinates: pixel (col, row) is the
 * unit square [col, col + 1] x [row, row + 1].  A GEOS transform callback. */
static int to_pixel(double *x, double *y, void *user)
{
    const dcs_raster *r = user;
    if (!OCTTransform(r->work_to_raster, 1, x, y, NULL))
        return 0;
    *x = (*x - r->gt[0]) / r->gt[1];
    *y = (*y - r->gt[3]) / r->gt[5];
    return isfinite(*x) && isfinite(*y);
}

/* Working-CRS length of a quarter pixel near (x, y): 0.25 over the
 * Frobenius norm of the local working-to-pixel Jacobian (a bound on its
 * largest stretch), measured over 1 m steps.  NaN when PROJ fails. */
static double quarter_pixel(const dcs_raster *r, double x, double y)
{
    double px[3] = {x, x + 1, x}, py[3] = {y, y, y + 1};
    for (int i = 0; i < 3; i++)
        if (!to_pixel(&px[i], &py[i], (void *)r))
            return NAN;
    double a = px[1] - px[0], b = py[1] - py[0], c = px[2] - px[0], d = py[2] - py[0];
    return 0.25 / sqrt(a * a + b * b + c * c + d * d);
}

/* Densification step for site (0: none needed, the CRSs are the same, so
 * the mapping to pixels is affine; NaN: PROJ failed).  At most 10^6 new
 * vertices. */
static double densify_step(const dcs_raster *r, GEOSContextHandle_t g, const GEOSGeometry *site)
{
    if (r->same_crs)
        return 0;
    double x0, y0, x1, y1, len = 0;
    if (!GEOSGeom_getExtent_r(g, site, &x0, &y0, &x1, &y1) || !GEOSLength_r(g, site, &len))
        return NAN;
    double step = quarter_pixel(r, (x0 + x1) / 2, (y0 + y1) / 2);
    return len / step > 1e6 ? len / 1e6 : step;
}

/* site (working CRS) as a valid geometry in pixel coordinates (caller frees). */
static dcs_status site_in_pixels(const dcs_raster *r, GEOSContextHandle_t g,
                                 const GEOSGeometry *site, GEOSGeometry **out, dcs_error *err)
{
    GEOSGeometry *dense = NULL, *px = NULL, *fixed = NULL;
    dcs_status st = DCS_OK;
    CPLErrorReset();
    double step = densify_step(r, g, site);
    if (step > 0 && !(dense = GEOSDensify_r(g, site, step))) {
        st = dcs_error_set(err, DCS_ERR_GEOMETRY, "raster '%s': GEOS cannot densify a site",
                           r->path);
        goto fail;
    }
    if (isnan(step) ||
        !(px = GEOSGeom_transformXY_r(g, dense ? dense : site, to_pixel, (void *)r))) {
        st = dcs_error_set(err, DCS_ERR_DATA,
                           "raster '%s': PROJ cannot transform the site from the working CRS "
                           "to %s: %s", r->path, r->crs_name, gdal_msg("point out of range"));
        goto fail;
    }
    if (GEOSisValid_r(g, px) != 1 && !(fixed = GEOSMakeValid_r(g, px))) {
        st = dcs_error_set(err, DCS_ERR_GEOMETRY,
                           "raster '%s': GEOS cannot repair a site made invalid by the "
                           "transformation to %s", r->path, r->crs_name);
        goto fail;
    }
    if (fixed) {
        GEOSGeom_destroy_r(g, px);
        px = fixed;
    }
    *out = px;
    px = NULL;
fail:
    if (dense)
        GEOSGeom_destroy_r(g, dense);
    if (px)
        GEOSGeom_destroy_r(g, px);
    return st;
}

/* ---- coverage ---------------------------------------------------------- */

/* The site's rings in pixel coordinates, in w->rings. */
static dcs_status site_rings(const dcs_raster *r, GEOSContextHandle_t g,
                             const GEOSGeometry *site, dcs_zonal_work *w, dcs_error *err)
{
    GEOSGeometry *px = NULL;
    dcs_rings_clear(&w->rings);
    if (!r->same_crs) {
        dcs_status st = site_in_pixels(r, g, site, &px, err);
        if (st != DCS_OK)
            return st;
    }
    dcs_status st = dcs_rings_add_geos(&w->rings, g, px ? px : site);
    if (px)
        GEOSGeom_destroy_r(g, px);
    if (st != DCS_OK)
        return dcs_error_set(err, st, "raster '%s': %s", r->path,
                             st == DCS_ERR_NOMEM ? "out of memory"
                                                 : "GEOS cannot read a site's coordinates");
    if (!px)
        dcs_rings_scale(&w->rings, r->gt[0], r->gt[3], 1 / r->gt[1], 1 / r->gt[5]);
    return DCS_OK;
}

static dcs_status polygon_cover(const dcs_raster *r, GEOSContextHandle_t g,
                                const GEOSGeometry *site, dcs_zonal_work *w, dcs_cells *cells,
                                dcs_error *err)
{
    double x0, y0, x1, y1;
    dcs_status st = site_rings(r, g, site, w, err);
    if (st != DCS_OK || !dcs_rings_bbox(&w->rings, &x0, &y0, &x1, &y1))
        return st;
    int c0 = (int)fmax(0, fmin(r->width, floor(x0)));
    int r0 = (int)fmax(0, fmin(r->height, floor(y0)));
    int c1 = (int)fmax(0, fmin(r->width, ceil(x1)));
    int r1 = (int)fmax(0, fmin(r->height, ceil(y1)));
    cells->area = fabs(dcs_rings_area(&w->rings));
    if (dcs_rings_pixel_cover(&w->rings, c0, r0, c1, r1, &w->cover, cells) != DCS_OK)
        return dcs_error_set(err, DCS_ERR_NOMEM, "raster '%s': out of memory", r->path);
    return DCS_OK;
}

static dcs_status point_cover(const dcs_raster *r, GEOSContextHandle_t g,
                              const GEOSGeometry *site, dcs_cells *cells, dcs_error *err)
{
    double x0, y0;
    if (!GEOSGeomGetX_r(g, site, &x0) || !GEOSGeomGetY_r(g, site, &y0))
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "raster '%s': GEOS cannot read a point",
                             r->path);
    double x = x0, y = y0;
    CPLErrorReset();
    if (!to_pixel(&x, &y, (void *)r))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "raster '%s': PROJ cannot transform the point %.3f %.3f from the "
                             "working CRS to %s: %s", r->path, x0, y0, r->crs_name,
                             gdal_msg("point out of range"));
    double col = floor(x), row = floor(y);
    cells->area = 1;
    if (col < 0 || row < 0 || col >= r->width || row >= r->height)
        return DCS_OK;
    if (dcs_cells_add(cells, (int)col, (int)row, 1.0) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "raster '%s': out of memory", r->path);
    return DCS_OK;
}

dcs_status dcs_raster_cover(const dcs_raster *r, GEOSContextHandle_t geos,
                            const GEOSGeometry *site, dcs_zonal_work *w, dcs_cells *cells,
                            dcs_error *err)
{
    dcs_cells_clear(cells);
    cells->area = 0;
    if (GEOSisEmpty_r(geos, site) == 1)
        return DCS_OK;
    int t = GEOSGeomTypeId_r(geos, site);
    if (t == GEOS_POINT)
        return point_cover(r, geos, site, cells, err);
    if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION)
        return polygon_cover(r, geos, site, w, cells, err);
    return dcs_error_set(err, DCS_ERR_DATA,
                         "raster '%s': statistics need a polygon or a point (GEOS type %d)",
                         r->path, t);
}

int dcs_raster_same_grid(const dcs_raster *a, const dcs_raster *b)
{
    return a->width == b->width && a->height == b->height &&
           memcmp(a->gt, b->gt, sizeof a->gt) == 0 && a->srs && b->srs &&
           OSRIsSame(a->srs, b->srs);
}

/* ---- zonal statistics ---------------------------------------------------- */

typedef struct {
    double v, f;
} cell;

static void zonal_empty(dcs_zonal *z)
{
    z->mean = z->min = z->max = z->sum = z->majority = NAN;
    z->coverage = z->nodata_coverage = 0;
    z->nodata_fraction = z->covered_fraction = NAN;
    z->npixels = 0;
}

static int cell_cmp(const void *x, const void *y)
{
    double a = ((const cell *)x)->v, b = ((const cell *)y)->v;
    return (a > b) - (a < b);
}

/* Value with the largest total f; ties go to the smallest value. */
static double majority(cell *c, size_t n)
{
    qsort(c, n, sizeof *c, cell_cmp);
    double best = NAN, best_f = -1;
    for (size_t i = 0; i < n;) {
        double v = c[i].v, f = 0;
        for (; i < n && c[i].v == v; i++)
            f += c[i].f;
        if (f > best_f) {
            best_f = f;
            best = v;
        }
    }
    return best;
}

static int reserve_valued(dcs_zonal_work *w, size_t n)
{
    if (n <= w->vcap)
        return 0;
    cell *p = realloc(w->valued, n * sizeof *p);
    if (!p)
        return -1;
    w->valued = p;
    w->vcap = n;
    return 0;
}

dcs_status dcs_raster_zonal_cells(const dcs_raster *r, const dcs_cells *cells, int majority_too,
                                  dcs_zonal_work *w, dcs_zonal *out, dcs_error *err)
{
    zonal_empty(out);
    if (majority_too && reserve_valued(w, cells->n) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "raster '%s': out of memory", r->path);
    cell *valued = majority_too ? w->valued : NULL;
    double f = 0, fv = 0, fnodata = 0, lo = INFINITY, hi = -INFINITY;
    size_t n = 0;
    for (size_t k = 0; k < cells->n; k++) {
        const dcs_cell *c = &cells->c[k];
        double v = r->data[(size_t)c->row * (size_t)r->width + (size_t)c->col];
        if (isnan(v)) {
            fnodata += c->f;
            continue;
        }
        if (valued)
            valued[n++] = (cell){.v = v, .f = c->f};
        f += c->f;
        fv += c->f * v;
        lo = fmin(lo, v);
        hi = fmax(hi, v);
    }
    out->npixels = (long long)cells->n;
    out->nodata_coverage = fnodata;
    if (cells->area > 0) /* the shares' sum can pass the area by rounding */
        out->covered_fraction = fmin(1.0, (f + fnodata) / cells->area);
    if (f + fnodata > 0)
        out->nodata_fraction = fnodata / (f + fnodata);
    if (!(f > 0))
        return DCS_OK;
    out->coverage = f;
    out->sum = fv;
    out->mean = fv / f;
    out->min = lo;
    out->max = hi;
    if (valued)
        out->majority = majority(valued, n);
    return DCS_OK;
}

void dcs_zonal_work_free(dcs_zonal_work *w)
{
    dcs_rings_free(&w->rings);
    dcs_cover_work_free(&w->cover);
    free(w->valued);
    memset(w, 0, sizeof *w);
}

dcs_status dcs_raster_zonal(const dcs_raster *r, GEOSContextHandle_t geos,
                            const GEOSGeometry *poly_work, dcs_zonal *out, dcs_error *err)
{
    dcs_zonal_work w = {0};
    dcs_cells cells = {0};
    zonal_empty(out);
    dcs_status st = dcs_raster_cover(r, geos, poly_work, &w, &cells, err);
    if (st == DCS_OK)
        st = dcs_raster_zonal_cells(r, &cells, 1, &w, out, err);
    dcs_cells_free(&cells);
    dcs_zonal_work_free(&w);
    return st;
}

/* ---- radius sums ----------------------------------------------------------- */

/* Metres per degree of longitude and of latitude at latitude lat (degrees)
 * on the raster's ellipsoid, from geodesics 0.001 degree long. */
static void metres_per_degree(const dcs_raster *r, double lat, double *lon_m, double *lat_m)
{
    struct geod_geodesic g;
    const double h = 1e-3;
    double lo = fmax(lat - h / 2, -90), hi = fmin(lat + h / 2, 90), s = 0;
    geod_init(&g, r->ell_a, r->ell_f);
    geod_inverse(&g, lat, 0, lat, h, &s, NULL, NULL);
    *lon_m = s / h;
    geod_inverse(&g, lo, 0, hi, 0, &s, NULL, NULL);
    *lat_m = s / (hi - lo);
}

/* Pixel width and height in metres at y (raster CRS). */
static void pixel_size_m(const dcs_raster *r, double y, double *w, double *h)
{
    *w = fabs(r->gt[1]) * r->unit;
    *h = fabs(r->gt[5]) * r->unit;
    if (r->geographic) {
        double lon_m, lat_m;
        metres_per_degree(r, y * r->unit, &lon_m, &lat_m);
        *w *= lon_m;
        *h *= lat_m;
    }
}

/* 1 when some pixel is nodata. */
static int has_nodata(const dcs_raster *r)
{
    size_t n = (size_t)r->width * (size_t)r->height;
    for (size_t k = 0; k < n; k++)
        if (isnan(r->data[k]))
            return 1;
    return 0;
}

dcs_status dcs_raster_build_sat(dcs_raster *r)
{
    if (r->row_sum)
        return DCS_OK;
    size_t w1 = (size_t)r->width + 1, n = w1 * (size_t)r->height;
    if (n > SIZE_MAX / sizeof(double))
        return DCS_ERR_NOMEM;
    int counts = has_nodata(r); /* without nodata the count of a run is its length */
    double *s = malloc(n * sizeof *s);
    int32_t *c = counts ? malloc(n * sizeof *c) : NULL;
    if (!s || (counts && !c)) {
        free(s);
        free(c);
        return DCS_ERR_NOMEM;
    }
    for (size_t j = 0; j < (size_t)r->height; j++) {
        const float *v = r->data + j * (size_t)r->width;
        double *sj = s + j * w1;
        sj[0] = 0;
        for (size_t i = 0; i < (size_t)r->width; i++)
            sj[i + 1] = sj[i] + (isnan(v[i]) ? 0 : v[i]);
        if (!counts)
            continue;
        int32_t *cj = c + j * w1;
        cj[0] = 0;
        for (size_t i = 0; i < (size_t)r->width; i++)
            cj[i + 1] = cj[i] + !isnan(v[i]);
    }
    r->row_sum = s;
    r->row_valid = c;
    return DCS_OK;
}

/* Sum and valid count of row j over columns [a, b] (0 <= a <= b <= width),
 * end pixels counted in proportion: linear interpolation of the prefix. */
static void row_run(const dcs_raster *r, long j, double a, double b, double *sum, double *valid)
{
    double x[2] = {a, b}, s[2], c[2];
    const double *ps = r->row_sum + (size_t)j * ((size_t)r->width + 1);
    const int32_t *pc = r->row_valid ? r->row_valid + (size_t)j * ((size_t)r->width + 1) : NULL;
    for (int k = 0; k < 2; k++) {
        int i = (int)x[k]; /* x >= 0: truncation is floor() */
        if (i >= r->width) {
            s[k] = ps[r->width];
            c[k] = pc ? pc[r->width] : r->width;
        } else {
            double t = x[k] - i;
            s[k] = ps[i] + t * (ps[i + 1] - ps[i]);
            c[k] = pc ? pc[i] + t * (pc[i + 1] - pc[i]) : x[k];
        }
    }
    *sum += s[1] - s[0];
    *valid += c[1] - c[0];
}

/* Rows whose runs are summed together, after their prefix sums were asked
 * for (prefetched) while the next rows' chords were computed: one row's
 * entries are a row of the raster apart, which no hardware prefetcher
 * guesses, and waiting for each in turn was a third of the radius sum. */
#define RUN_BATCH 16

typedef struct {
    long j;
    double a, b;
} row_span;

static void prefetch_run(const dcs_raster *r, long j, double a, double b)
{
    size_t row = (size_t)j * ((size_t)r->width + 1);
    int ia = (int)a, ib = (int)b; /* a, b in [0, width] */
    __builtin_prefetch(r->row_sum + row + ia);
    __builtin_prefetch(r->row_sum + row + ib);
    if (r->row_valid) {
        __builtin_prefetch(r->row_valid + row + ia);
        __builtin_prefetch(r->row_valid + row + ib);
    }
}

/* The batch's runs added to *sum and *valid, in row order (kept in locals
 * meanwhile: through the pointers, each row waited for the last one's
 * store). */
static void sum_runs(const dcs_raster *r, const row_span *rs, int n, double *sum, double *valid)
{
    double s = *sum, v = *valid;
    for (int k = 0; k < n; k++)
        row_run(r, rs[k].j, rs[k].a, rs[k].b, &s, &v);
    *sum = s;
    *valid = v;
}

/* The unit disc's area between heights t0 < t1 (each clamped to [-1, 1],
 * c = sqrt(1 - t^2) for each), from the antiderivative of its chord
 * length 2 sqrt(1 - t^2), t sqrt(1 - t^2) + asin(t):
 *
 *   (t1 c1 - t0 c0) + asin(t1) - asin(t0).
 *
 * asin's difference is the asin of sin(asin t1 - asin t0) = t1 c0 - t0 c1
 * while that angle is below pi / 2 (t1 - t0 <= 1/2 keeps it there); when
 * this argument is small, as it is for all but the outer rows of a disc of
 * a few pixels or more, its Maclaurin series to the 11th power gives it
 * without a call to asin (the next term is under 1e-16 of the sum), with
 * the rounding of the subtraction it replaces.  The row loop spent a third
 * of its time in asin before (issue 28). */
#define ASIN_SERIES_MAX 0.0625

static double chord_area(double t0, double c0, double t1, double c1)
{
    double x = t1 * c0 - t0 * c1;
    if (!(t1 - t0 <= 0.5 && fabs(x) <= ASIN_SERIES_MAX))
        return (t1 * c1 - t0 * c0) + (asin(t1) - asin(t0));
    double x2 = x * x;
    double arc = x * (1 + x2 * (1.0 / 6 +
                           x2 * (3.0 / 40 +
                                 x2 * (5.0 / 112 + x2 * (35.0 / 1152 + x2 * (63.0 / 2816))))));
    return (t1 * c1 - t0 * c0) + arc;
}

/* t clamped to [-1, 1] (as fmax(-1, fmin(1, t)), NaN included, without the
 * calls), and sqrt(1 - t^2) to *c. */
static double disc_height(double t, double *c)
{
    t = t < 1 ? t : 1;
    t = t > -1 ? t : -1;
    *c = sqrt(1 - t * t);
    return t;
}

dcs_status dcs_raster_radius_sum(const dcs_raster *r, double x_work, double y_work,
                                 double radius_m, double *sum, double *valid_fraction)
{
    double x = x_work, y = y_work, lon_w, lat_h;
    *sum = *valid_fraction = NAN;
    if (!r->row_sum)
        return DCS_ERR_INTERNAL;
    if (!(radius_m >= 0) || !isfinite(radius_m) ||
        (!r->same_crs && !OCTTransform(r->work_to_raster, 1, &x, &y, NULL)))
        return DCS_ERR_DATA;
    *sum = 0;
    if (radius_m == 0)
        return DCS_OK;
    pixel_size_m(r, y, &lon_w, &lat_h);
    double px = (x - r->gt[0]) / r->gt[1], py = (y - r->gt[3]) / r->gt[5];
    double rx = radius_m / lon_w, ry = radius_m / lat_h, cos_c = cos(y * r->unit / DEG_PER_RAD);
    if (!isfinite(px) || !isfinite(py) || !(rx < 1e8) || !(ry < 1e8)) {
        *sum = NAN; /* off the CRS, at a pole, or a radius of 10^8 pixels */
        return DCS_ERR_DATA;
    }
    double total = 0, valid = 0, j0 = floor(py - ry), c0;
    double t0 = disc_height((j0 - py) / ry, &c0); /* at the current row's lower edge */
    row_span batch[RUN_BATCH] = {{0, 0, 0}};
    int nb = 0;
    for (long j = (long)j0; j <= (long)floor(py + ry); j++) {
        double rxj = rx;
        if (r->geographic) { /* longitude scale of this row relative to the centre */
            double cos_j = cos((r->gt[3] + (j + 0.5) * r->gt[5]) * r->unit / DEG_PER_RAD);
            rxj = cos_j > 1e-12 ? rx * cos_c / cos_j : rx;
        }
        double c1, t1 = disc_height((j + 1 - py) / ry, &c1);
        double w = rxj * ry * chord_area(t0, c0, t1, c1);
        t0 = t1, c0 = c1;
        total += w;
        double a = px - w / 2, b = px + w / 2; /* clamped as fmax(a, 0), fmin(b, width) */
        a = a > 0 ? a : 0;
        b = b < r->width ? b : r->width;
        if (j >= 0 && j < r->height && b > a) {
            prefetch_run(r, j, a, b);
            batch[nb++] = (row_span){.j = j, .a = a, .b = b};
            if (nb == RUN_BATCH) {
                sum_runs(r, batch, nb, sum, &valid);
                nb = 0;
            }
        }
    }
    sum_runs(r, batch, nb, sum, &valid);
    *valid_fraction = total > 0 ? valid / total : NAN;
    return DCS_OK;
}

/* ---- slope ------------------------------------------------------------------ */

/* out: the grid, CRS and transformation of dem, pixels unset. */
static dcs_status slope_setup(const dcs_raster *dem, dcs_raster *out, dcs_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->path, sizeof out->path, "%s (slope)", dem->path);
    out->band = 1;
    out->width = dem->width;
    out->height = dem->height;
    memcpy(out->gt, dem->gt, sizeof out->gt);
    out->nodata = NAN;
    out->z_to_m = 1;
    snprintf(out->crs_name, sizeof out->crs_name, "%s", dem->crs_name);
    out->same_crs = dem->same_crs;
    out->geographic = dem->geographic;
    out->unit = dem->unit;
    out->ell_a = dem->ell_a;
    out->ell_f = dem->ell_f;
    out->srs = dcs_srs_clone_gis_order(dem->srs);
    out->work = dcs_srs_clone_gis_order(dem->work);
    size_t n = (size_t)dem->width * (size_t)dem->height;
    out->data = malloc(n * sizeof *out->data);
    if (!out->srs || !out->work || !out->data)
        return dcs_error_set(err, DCS_ERR_NOMEM, "raster '%s': out of memory", out->path);
    CPLErrorReset();
    out->work_to_raster = OCTNewCoordinateTransformation(out->work, out->srs);
    if (!out->work_to_raster)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "raster '%s': PROJ cannot transform the working CRS to %s: %s",
                             out->path, out->crs_name, gdal_msg("no transformation found"));
    return DCS_OK;
}

/* Horn's slope (degrees) at interior pixel (i, j); dx[j] and dy[j] are
 * the pixel width and height in metres on row j.  The x differences of
 * the three rows are each divided by their own row's width. */
static double horn(const dcs_raster *d, int i, int j, const double *dx, const double *dy)
{
    size_t w = (size_t)d->width;
    const float *m = d->data + (size_t)j * w + (size_t)i, *u = m - w, *l = m + w;
    if (isnan(u[-1] + u[0] + u[1] + m[-1] + m[0] + m[1] + l[-1] + l[0] + l[1]) ||
        !(dx[j - 1] > 0 && dx[j] > 0 && dx[j + 1] > 0 && dy[j] > 0))
        return NAN; /* nodata nearby, or a pole */
    double zx = ((u[1] - u[-1]) / dx[j - 1] + 2 * (m[1] - m[-1]) / dx[j] +
                 (l[1] - l[-1]) / dx[j + 1]) / 8;
    double zy = ((l[-1] + 2 * l[0] + l[1]) - (u[-1] + 2 * u[0] + u[1])) / (8 * dy[j]);
    return atan(hypot(zx, zy) * d->z_to_m) * DEG_PER_RAD;
}

dcs_status dcs_raster_slope(const dcs_raster *dem, dcs_raster *out, dcs_error *err)
{
    double *dx = malloc((size_t)dem->height * sizeof *dx);
    double *dy = malloc((size_t)dem->height * sizeof *dy);
    dcs_status st = slope_setup(dem, out, err);
    if (st == DCS_OK && (!dx || !dy))
        st = dcs_error_set(err, DCS_ERR_NOMEM, "raster '%s': out of memory", out->path);
    if (st != DCS_OK)
        goto fail;
    for (int j = 0; j < dem->height; j++) /* pixel size at the row's centre */
        pixel_size_m(dem, dem->gt[3] + (j + 0.5) * dem->gt[5], &dx[j], &dy[j]);
    for (int j = 0; j < dem->height; j++)
        for (int i = 0; i < dem->width; i++) {
            int edge = i == 0 || j == 0 || i == dem->width - 1 || j == dem->height - 1;
            out->data[(size_t)j * (size_t)dem->width + (size_t)i] =
                edge ? NAN : (float)horn(dem, i, j, dx, dy);
        }
fail:
    free(dx);
    free(dy);
    if (st != DCS_OK)
        dcs_raster_close(out);
    return st;
}
