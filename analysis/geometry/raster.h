/*
 * raster.h - raster statistics for candidate sites: zonal statistics over
 * a site, sums within a radius, slope from a DEM.
 *
 * A dcs_raster is one band of a GDAL raster (any format GDAL reads, any
 * CRS), read whole into memory as 32-bit float (4 bytes a pixel; sums and
 * statistics are taken in double) with nodata as NaN, together
 * with its geotransform (north-up only: rotated ones are refused), its CRS
 * (axis order forced to x = east/longitude) and a transformation from the
 * dcsite working CRS into it.  Sites stay in the working CRS; every call
 * transforms what it needs into the raster.  Messages name the file and
 * band ("raster 'dem.tif': band 2 does not exist (1 band)") and carry
 * GDAL's or PROJ's own text.
 *
 * Zonal statistics (dcs_raster_zonal) weight each pixel by the exact
 * fraction of it the site covers: the site is taken into pixel space (an
 * affine map when the raster is in the working CRS; otherwise densified to
 * 1/4 pixel and transformed by PROJ) and its pixel shares computed by
 * rings.h's clipping, which halves the window and follows the boundary.
 * The fractions are exact up to floating point in pixel space (weights
 * are shares of pixels, not of ground area: in a geographic raster pixels
 * differ in area by cos lat, which is below 0.1 % across a few km).  The
 * shares depend only on the site and the grid, so dcs_raster_cover() can
 * compute them once for every raster on the same grid
 * (dcs_raster_same_grid) and dcs_raster_zonal_cells() reads each raster
 * through them.
 *
 * Radius sums (dcs_raster_radius_sum) run over per-row prefix sums built
 * once by dcs_raster_build_sat(): O(rows of the circle) per call.  Each row
 * of the circle gets the exact area of its strip of the circle, placed as
 * one run of pixels centred on the circle's axis with fractional end
 * pixels; see dcs_raster_radius_sum for the error this leaves.
 *
 * Slope (dcs_raster_slope) is Horn's 3x3 method in degrees, with pixel
 * sizes in metres: the CRS's own linear unit for a projected raster (the
 * projection's scale error is not corrected: at most 0.04 % to 0.1 % in
 * UTM or a state plane, but 1/cos(lat) in Web Mercator, so reproject such
 * DEMs first); for a geographic raster, metres per degree on the raster's
 * ellipsoid (PROJ geodesic), row by row.  Elevations must be in metres, or
 * in feet when the band's unit type says so.
 *
 * Not thread-safe: a dcs_raster's transformation is used without locking,
 * so give each thread its own dcs_raster: dcs_raster_share() makes a copy
 * that reads the same pixels through its own transformation.
 *
 * Ownership: dcs_raster_open() and dcs_raster_slope() fill a dcs_raster
 * that owns its pixels, spatial references, transformation and prefix
 * sums; dcs_raster_close() frees them all (safe on a zeroed or already
 * closed raster).  The working CRS and GEOS geometries passed in stay the
 * caller's.  dcs_zonal is a plain value.
 */
#ifndef DCS_RASTER_H
#define DCS_RASTER_H

#include <geos_c.h>
#include <ogr_api.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <stdint.h>

#include "core/error.h"
#include "geometry/rings.h"

typedef struct {
    char path[512];     /* the dataset as given (messages) */
    int band;           /* 1-based band number */
    int width, height;  /* pixels */
    double gt[6];       /* x = gt[0] + col*gt[1], y = gt[3] + row*gt[5] */
    float *data;        /* width*height values, row 0 at the top, with the band's
                         * scale and offset applied; NaN = nodata (nodata value,
                         * NaN, or masked out by the band's mask); NULL once only
                         * the prefix sums are kept (measure.c, radius sums only) */
    int has_nodata;     /* the band declares a nodata value ... */
    double nodata;      /* ... this one */
    double z_to_m;      /* metres per value unit (slope): 1, or feet from the unit type */

    OGRSpatialReferenceH srs;  /* the raster's CRS, GIS axis order */
    OGRSpatialReferenceH work; /* a clone of the working CRS */
    OGRCoordinateTransformationH work_to_raster;
    char crs_name[160];
    int same_crs;       /* the raster is in the working CRS (no densifying) */
    int geographic;     /* x/y are longitude/latitude */
    double unit;        /* projected: metres per CRS unit; geographic: degrees per unit */
    double ell_a, ell_f;/* the CRS's ellipsoid (semi-major axis, flattening) */

    /* dcs_raster_build_sat(): row j, columns [0, i) at [j*(width+1) + i] */
    double *row_sum;    /* sum of the valid values */
    int32_t *row_valid; /* number of valid pixels (NULL when none is nodata) */
    int shared;         /* a dcs_raster_share() copy: owns only work_to_raster */
} dcs_raster;

typedef struct {
    double mean;            /* sum f*v / sum f over valid pixels */
    double min, max;        /* over valid pixels with f > 0 */
    double sum;             /* sum f*v */
    double majority;        /* value with the largest total f (ties: smallest value) */
    double coverage;        /* valid covered pixel area, in pixels (sum f): the
                             * coverage-weighted count of valid pixels */
    double nodata_coverage; /* the same over nodata pixels */
    double nodata_fraction; /* share of the covered area (valid + nodata) that is nodata */
    double covered_fraction;/* share of the site's area over the raster's pixels, valid or
                             * nodata: (coverage + nodata_coverage) / the site's area in
                             * pixels, 0..1; 0 off the raster, NaN for an empty site */
    long long npixels;      /* pixels with f > 0, valid or not */
} dcs_zonal;

/* Why ds cannot be placed on the map, or NULL: georeferenced by ground
 * control points only (GCPs, which dcsite does not use), no
 * geotransform, or one with a NaN or infinite origin or pixel size.
 * The text (in buf) says what to do. */
const char *dcs_raster_georef_problem(GDALDatasetH ds, char *buf, size_t size);

/* Open band `band` (1-based) of the raster at path, read it into memory
 * and set up the transformation from work_srs (the working CRS, projected
 * metres).  Fails on a missing band, a rotated geotransform or a raster
 * without CRS.  On failure r is left closed. */
dcs_status dcs_raster_open(const char *path, int band, OGRSpatialReferenceH work_srs,
                           dcs_raster *r, dcs_error *err);

void dcs_raster_close(dcs_raster *r);

/* A copy of src for another thread: the same pixels, prefix sums and
 * grid, its own transformation.  Close it (before src) with
 * dcs_raster_close(), which then frees only the transformation. */
dcs_status dcs_raster_share(const dcs_raster *src, dcs_raster *copy, dcs_error *err);

/* 1 when a and b have the same pixel grid (size, geotransform, CRS). */
int dcs_raster_same_grid(const dcs_raster *a, const dcs_raster *b);

/* Scratch space for coverage and statistics, reused between sites by one
 * thread; start zeroed, free with dcs_zonal_work_free(). */
typedef struct {
    dcs_rings rings;
    dcs_cover_work cover;
    void *valued; /* valid pixels and their shares (the majority) */
    size_t vcap;
} dcs_zonal_work;

void dcs_zonal_work_free(dcs_zonal_work *w);

/* The pixels of r's grid that poly_work (polygon, multipolygon or point in
 * the working CRS) covers, with the share of each (a point: the pixel
 * holding it, share 1).  Pixels off the raster are left out; cells->area
 * gets the whole site's area in pixels, on the raster or off it (a point:
 * 1; an empty geometry: 0), for the covered fraction. */
dcs_status dcs_raster_cover(const dcs_raster *r, GEOSContextHandle_t geos,
                            const GEOSGeometry *poly_work, dcs_zonal_work *w, dcs_cells *cells,
                            dcs_error *err);

/* dcs_raster_zonal()'s statistics from cells made by dcs_raster_cover()
 * on r or on a raster with the same grid.  The majority (a sort of the
 * covered pixels, the dearest statistic) only when majority_too; NaN
 * otherwise. */
dcs_status dcs_raster_zonal_cells(const dcs_raster *r, const dcs_cells *cells, int majority_too,
                                  dcs_zonal_work *w, dcs_zonal *out, dcs_error *err);

/* Statistics of the raster over poly_work (a polygon, multipolygon or
 * point in the working CRS).  f is the fraction of a pixel covered by the
 * polygon.  A point takes the value of the pixel holding it (mean = min =
 * max = majority = sum = value, coverage 1, npixels 1, covered_fraction
 * 1).  A site wholly outside the raster gives NaN statistics, coverage 0,
 * nodata_coverage 0, covered_fraction 0, npixels 0 and nodata_fraction
 * NaN; one wholly on nodata gives NaN statistics, coverage 0,
 * nodata_fraction 1 and covered_fraction 1: coverage == 0 means "no data
 * here". */
dcs_status dcs_raster_zonal(const dcs_raster *r, GEOSContextHandle_t geos,
                            const GEOSGeometry *poly_work, dcs_zonal *out, dcs_error *err);

/* Build the per-row prefix sums used by dcs_raster_radius_sum (nodata
 * counts 0 in the sums and is left out of the valid counts): 12 bytes per
 * pixel more.  DCS_ERR_NOMEM when they do not fit. */
dcs_status dcs_raster_build_sat(dcs_raster *r);

/* Sum of the pixel values within radius_m metres of (x_work, y_work), each
 * pixel weighted by the share of it inside the circle, and in
 * *valid_fraction the share of the circle's area on valid pixels (area off
 * the raster or on nodata counts as not valid).  Needs
 * dcs_raster_build_sat(); O(rows of the circle).
 *
 * Accuracy: the circle's radius in pixels comes from the pixel size in
 * metres at the centre (geographic rasters: the ellipsoid's metres per
 * degree there, with the longitude scale adjusted by cos(lat) per row).
 * Each row is given exactly the area of its strip of the circle, so on a
 * constant raster the result is exact (value * circle area / pixel area,
 * clipped to the raster) and so is valid_fraction.  Within a row that area
 * is laid out as a straight run centred on the circle's axis instead of
 * between the two arcs, so weight moves by less than one pixel at each end
 * of each row: the error is confined to the pixels the circle's edge
 * crosses, and vanishes on constant or linear data.  Against exact pixel
 * coverage on white noise (the worst case) the sum was off by at most
 * 9 % at a radius of 1.5 pixels, 1.5 % at 3, about 0.5 % at 10 and under 0.07 %
 * from 30 pixels up.
 *
 * Returns DCS_ERR_INTERNAL without the prefix sums, DCS_ERR_DATA for a
 * negative or non-finite radius or a centre PROJ cannot transform (sum and
 * valid fraction NaN).  Radius 0 gives sum 0 and valid fraction NaN. */
dcs_status dcs_raster_radius_sum(const dcs_raster *r, double x_work, double y_work,
                                 double radius_m, double *sum, double *valid_fraction);

/* Slope in degrees of the DEM in dem (Horn's method), as a new raster on
 * the same grid, CRS and working CRS; its path reads "<dem path> (slope)".
 * Edge pixels and pixels with a nodata neighbour are nodata.  slope_out is
 * overwritten (not closed first); close it with dcs_raster_close(). */
dcs_status dcs_raster_slope(const dcs_raster *dem, dcs_raster *slope_out, dcs_error *err);

#endif
