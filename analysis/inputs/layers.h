/*
 * layers.h - open the scenario's GDAL layers and read their geometries.
 *
 * A dcs_layer is one layer of one GDAL dataset (any format or source GDAL
 * opens: GeoPackage, Shapefile, GeoJSON, FlatGeobuf, CSV, PostGIS ...),
 * opened read-only with its CRS (axis order forced to x = east/longitude),
 * feature count, extent and geometry type.  Messages name the role of the
 * layer in the scenario ("sites", "overlays[0] (flood)"), the dataset, the
 * layer and, for a missing layer or field, list what does exist.
 *
 * dcs_layer_next_geos() walks the features, transforming each geometry
 * into the working CRS and converting it to GEOS, repairing invalid ones
 * (GEOSMakeValid) and counting the repairs.  A polygon whose repair leaves
 * no area (0 area, too few points: MakeValid makes it a line or a point)
 * is an error naming GEOS's reason, never a line passed on; one GEOS
 * cannot build (an unclosed ring) is named by its ring and ends.
 *
 * Names of FIFOs, devices and sockets are refused before GDAL opens them
 * (core/special.h).  Text goes through dcs_layer_text(), which makes it
 * valid UTF-8 (core/utf8.h; Latin-1 when the layer declares it and GDAL
 * left it undecoded) and counts what it changed, for one warning per layer.
 *
 * Ownership: dcs_layer_close() closes the dataset and frees the layer's
 * spatial reference and transformations.  Geometries returned by
 * dcs_layer_next_geos() belong to the caller (GEOSGeom_destroy_r).
 */
#ifndef DCS_LAYERS_H
#define DCS_LAYERS_H

#include <gdal.h>
#include <geos_c.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "core/error.h"
#include "geometry/geo.h"
#include "inputs/scenario.h"

/* Which geometry types a role accepts. */
typedef enum {
    DCS_GEOM_POLYGON_OR_POINT, /* candidate sites */
    DCS_GEOM_POINT,            /* substations */
    DCS_GEOM_POLYGON,          /* overlays, zones, coverage */
    DCS_GEOM_ANY,              /* distances: points, lines or polygons */
    DCS_GEOM_NONE,             /* joined tables: no geometry, no CRS needed */
} dcs_geom_want;

typedef struct {
    char role[96];
    const dcs_source *src;
    GDALDatasetH ds;
    OGRLayerH lyr;
    OGRSpatialReferenceH srs; /* owned, GIS axis order; NULL when none */
    char crs_name[160];
    long long nfeatures;      /* after the where filter */
    OGREnvelope extent;       /* in the layer's CRS */
    char geom_type[48];       /* OGR's name of the declared type */
    dcs_geom_want want;
    int cannot_open;          /* set when the dataset itself could not be opened */

    /* set by dcs_layer_prepare() */
    OGRCoordinateTransformationH to_work;
    int in_work_crs; /* the layer's CRS is the working CRS: to_work is not applied */

    /* counters filled while reading */
    long long nnull;     /* features without geometry (skipped) */
    long long nrepaired; /* invalid geometries repaired */
    long long nwrongtype;/* geometries of the wrong type (skipped) */
    long long ndegenerate; /* polygons with no area even once made valid (skipped) */
    long long degenerate_fid; /* the first of them */
    long long nbadtext;  /* text values cleaned by dcs_layer_text() */
    long long badtext_fid; /* the first such value's feature */
    int latin1;          /* set by dcs_layer_open(): the layer declares Latin-1 */
} dcs_layer;

/* Open src for role: dataset, layer (the only one when src->layer is
 * NULL), attribute filter; read CRS, count, extent and type. */
dcs_status dcs_layer_open(dcs_layer *L, const char *role, const dcs_source *src,
                          dcs_geom_want want, dcs_error *err);

/* Index of field in the layer, or -1 with a message in err listing the
 * layer's fields. */
int dcs_layer_field(const dcs_layer *L, const char *field, dcs_error *err);

/* The extent in WGS 84 lon/lat. */
dcs_status dcs_layer_lonlat_extent(const dcs_layer *L, OGREnvelope *out, dcs_error *err);

/* Check the declared geometry type fits the role (unknown types pass and
 * are checked feature by feature). */
dcs_status dcs_layer_check_type(const dcs_layer *L, dcs_error *err);

/* Create the transformation to the working CRS. */
dcs_status dcs_layer_prepare(dcs_layer *L, const dcs_crs *crs, dcs_error *err);

/* dcs_layer_prepare() for layers[0 .. n), in order.  A layer in the same
 * CRS as an earlier one gets copies of its transformations: PROJ takes
 * ~8 ms to build each from scratch, before any site is read. */
dcs_status dcs_layers_prepare(dcs_layer *layers, size_t n, const dcs_crs *crs, dcs_error *err);

/* Next feature with a usable geometry: *feat (caller destroys with
 * OGR_F_Destroy) and *geom in the working CRS (caller frees).  Returns
 * DCS_OK with *feat NULL at the end. */
dcs_status dcs_layer_next_geos(dcs_layer *L, GEOSContextHandle_t geos, OGRFeatureH *feat,
                               GEOSGeometry **geom, dcs_error *err);

/* Next feature with a usable geometry, not converted (its geometry is
 * still the feature's; caller destroys the feature).  Skipped features
 * are counted.  *feat NULL at the end. */
dcs_status dcs_layer_next_raw(dcs_layer *L, OGRFeatureH *feat);

/* What dcs_layer_next_raw() decides of one feature: 1 when its geometry
 * is usable, else 0 with the reason counted (no geometry, wrong type, a
 * site polygon with no area). */
int dcs_layer_keep_feature(dcs_layer *L, OGRFeatureH f);

/* A layer's transformations for one thread, and the repairs it made.
 * dcs_layer_xf_clone() copies L's (DCS_ERR_NOMEM); dcs_layer_xf_free()
 * frees the copies.  Add nrepaired to L->nrepaired when done. */
typedef struct {
    OGRCoordinateTransformationH to_work;
    long long nrepaired;
} dcs_layer_xf;

dcs_status dcs_layer_xf_clone(const dcs_layer *L, dcs_layer_xf *xf);
void dcs_layer_xf_free(dcs_layer_xf *xf);

/* 1 when g is plainly a valid polygon, with no need to ask GEOSisValid
 * (~9 k instructions a parcel): one ring of at most 15 distinct vertices,
 * finite, every turn the same way by far more than rounding, and the
 * edges going round once (their x and y directions each change sign at
 * most twice; a pentagram also turns one way, but goes round twice).
 * Such a ring is strictly convex, hence simple.  0 means "ask GEOS". */
int dcs_geom_plainly_valid(GEOSContextHandle_t geos, const GEOSGeometry *g);

/* What dcs_layer_next_geos() does to a feature's geometry src (left
 * unchanged), through the transformations in xf: safe to call from
 * several threads at once, each with its own xf and GEOS context. */
dcs_status dcs_layer_convert(const dcs_layer *L, dcs_layer_xf *xf, GEOSContextHandle_t geos,
                             OGRGeometryH src, GEOSGeometry **geom, dcs_error *err);

/* dcs_layer_convert(), also handing over in *wkb (malloc'd: the caller
 * frees it) and *wkb_size the geometry *geom as 2D little-endian ISO WKB,
 * byte for byte what GEOSGeomToWKB_buf_r() would write of it, which saves
 * writing it again.  *wkb is NULL when there is no such copy (a repaired,
 * 3D or measured geometry): then write it from *geom. */
dcs_status dcs_layer_convert_wkb(const dcs_layer *L, dcs_layer_xf *xf,
                                 GEOSContextHandle_t geos, OGRGeometryH src,
                                 GEOSGeometry **geom, unsigned char **wkb, size_t *wkb_size,
                                 dcs_error *err);

/* dcs_layer_convert_wkb() of a geometry given as WKB src[0 .. size),
 * which it takes over (malloc'd): when the layer is in the working CRS,
 * GEOS reads src and src itself becomes *wkb (so give only 2D
 * little-endian ISO WKB, as GEOS would write it: dcs_gpkg_plain_polygon()
 * checks a GeoPackage's); else, or when GEOS refuses it, OGR reads it and
 * dcs_layer_convert_wkb() goes on (its messages, its transformation). */
dcs_status dcs_layer_convert_plain_wkb(const dcs_layer *L, dcs_layer_xf *xf,
                                       GEOSContextHandle_t geos, unsigned char *src,
                                       size_t size, GEOSGeometry **geom, unsigned char **wkb,
                                       size_t *wkb_size, dcs_error *err);

/* The layer's name for messages: the scenario's, else GDAL's. */
const char *dcs_layer_label(const dcs_layer *L);

void dcs_layer_close(dcs_layer *L);

/* Why GDAL could not open `name`, right after the failed open: a SQLite
 * file's hot journal (with what to do), GDAL's own message, else "no such file or directory", the reason the file cannot
 * be read, or "not <what> GDAL can read" (buf holds the text). */
const char *dcs_open_failure(const char *name, const char *what, char *buf, size_t size);
#define DCS_OPEN_FAILURE_SIZE 9000 /* a buf that holds any of them */

/* Field value as a number (NaN when null, unset or not numeric). */
/* A copy of the text of field of f (caller frees; the field must be set),
 * made valid UTF-8 without XML-illegal control characters (core/utf8.h:
 * bytes read as Latin-1 when L->latin1); a changed value is counted in
 * L->nbadtext, the first one's feature in L->badtext_fid.  NULL when out
 * of memory.  Call from the thread that reads L. */
char *dcs_layer_text(dcs_layer *L, OGRFeatureH f, int field);
/* The same for a text raw read elsewhere, of feature fid. */
char *dcs_layer_clean_text(dcs_layer *L, const char *raw, long long fid);

double dcs_field_double(OGRFeatureH f, int field);

#endif
