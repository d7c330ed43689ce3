/* layers.c - GDAL layers and their geometries in GEOS. See layers.h. */
#include "inputs/layers.h"

#include "core/special.h"
#include "core/utf8.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/strlist.h"

const char *dcs_layer_label(const dcs_layer *L)
{
    return L->src->layer ? L->src->layer : OGR_L_GetName(L->lyr);
}

/* Layer names listed in a message at most (a database may hold thousands). */
enum { MAX_LISTED_LAYERS = 40 };

/* "a, b, c" of the dataset's layer names (caller frees). */
static char *layer_names(GDALDatasetH ds)
{
    dcs_strlist names = {0};
    int n = GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n && i < MAX_LISTED_LAYERS; i++)
        dcs_strlist_addf(&names, "%s", OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
    if (n > MAX_LISTED_LAYERS)
        dcs_strlist_addf(&names, "and %d more", n - MAX_LISTED_LAYERS);
    char *s = dcs_strlist_join(&names, ", ");
    dcs_strlist_free(&names);
    return s;
}

static dcs_status find_layer(dcs_layer *L, dcs_error *err)
{
    int count = GDALDatasetGetLayerCount(L->ds);
    if (L->src->layer) {
        L->lyr = GDALDatasetGetLayerByName(L->ds, L->src->layer);
    } else if (count == 1) {
        L->lyr = GDALDatasetGetLayer(L->ds, 0);
    } else {
        char *names = layer_names(L->ds);
        dcs_error_set(err, DCS_ERR_DATA,
                      "%s: dataset '%s' has %d layers; name one with \"layer\" (layers: %s)",
                      L->role, L->src->dataset, count, names ? names : "");
        free(names);
        return DCS_ERR_DATA;
    }
    if (!L->lyr) {
        char *names = layer_names(L->ds);
        dcs_error_set(err, DCS_ERR_DATA, "%s: layer '%s' not found in '%s' (layers: %s)",
                      L->role, L->src->layer, L->src->dataset,
                      names && *names ? names : "none");
        free(names);
        return DCS_ERR_DATA;
    }
    return DCS_OK;
}

static dcs_status read_crs(dcs_layer *L, dcs_error *err)
{
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(L->lyr);
    if (!srs)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "%s: layer '%s' of '%s' has no CRS (a Shapefile without its .prj?); "
                             "assign one, e.g. with ogr2ogr -a_srs",
                             L->role, dcs_layer_label(L), L->src->dataset);
    L->srs = dcs_srs_clone_gis_order(srs);
    if (!L->srs)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_srs_describe(L->srs, L->crs_name, sizeof L->crs_name);
    return DCS_OK;
}

/* name's SQLite rollback journal is there and not empty: a writer stopped
 * mid-transaction, and a read-only open cannot roll it back. */
static int hot_journal(const char *name)
{
    char journal[4096 + 16];
    VSIStatBufL st;
    snprintf(journal, sizeof journal, "%s-journal", name);
    return strchr(name, ':') == NULL && VSIStatL(journal, &st) == 0 && VSI_ISREG(st.st_mode) &&
           st.st_size > 0;
}

const char *dcs_open_failure(const char *name, const char *what, char *buf, size_t size)
{
    if (hot_journal(name)) {
        snprintf(buf, size,
                 "%s%sit has a hot journal '%s-journal' (a program stopped while writing it): "
                 "open it once with write access, e.g. sqlite3 '%s' 'PRAGMA quick_check', so "
                 "SQLite rolls that write back, then run again",
                 CPLGetLastErrorMsg(), *CPLGetLastErrorMsg() ? "; " : "", name, name);
        return buf;
    }
    if (*CPLGetLastErrorMsg())
        return CPLGetLastErrorMsg();
    /* a file name (not a connection string such as PG:...): say why */
    int file = strncmp(name, "/vsi", 4) == 0 || !strchr(name, ':');
    VSIStatBufL st;
    if (file && VSIStatL(name, &st) != 0)
        snprintf(buf, size, "no such file or directory");
    else if (file && strncmp(name, "/vsi", 4) != 0 && access(name, R_OK) != 0)
        snprintf(buf, size, "%s", strerror(errno));
    else
        snprintf(buf, size, "not %s GDAL can read", what);
    return buf;
}

/* The first line of a Shapefile's .cpg beside dataset (a .shp, or the
 * folder holding layer name), in buf; "" when none. */
static const char *shapefile_cpg(const char *dataset, const char *name, char *buf, size_t size)
{
    char path[4200];
    size_t n = strlen(dataset);
    if (n > 4 && strcasecmp(dataset + n - 4, ".shp") == 0)
        snprintf(path, sizeof path, "%.*s.cpg", (int)(n - 4), dataset);
    else
        snprintf(path, sizeof path, "%s/%s.cpg", dataset, name);
    buf[0] = '\0';
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        return buf;
    size_t got = VSIFReadL(buf, 1, size - 1, fp);
    VSIFCloseL(fp);
    buf[got] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf;
}

/* The layer declares Latin-1 but GDAL leaves its text undecoded (GDAL's
 * SHAPE_ENCODING set to "", which turns its recoding off): its
 * SOURCE_ENCODING, or a Shapefile's .cpg. */
static int declares_latin1(const dcs_layer *L)
{
    if (OGR_L_TestCapability(L->lyr, OLCStringsAsUTF8))
        return 0;
    const char *enc =
        GDALGetMetadataItem((GDALMajorObjectH)L->lyr, "SOURCE_ENCODING", "SHAPEFILE");
    GDALDriverH drv = GDALGetDatasetDriver(L->ds);
    char cpg[64];
    if ((!enc || !*enc) && drv && strcmp(GDALGetDriverShortName(drv), "ESRI Shapefile") == 0)
        enc = shapefile_cpg(L->src->dataset, OGR_L_GetName(L->lyr), cpg, sizeof cpg);
    return dcs_utf8_is_latin1_name(enc);
}

dcs_status dcs_layer_open(dcs_layer *L, const char *role, const dcs_source *src,
                          dcs_geom_want want, dcs_error *err)
{
    memset(L, 0, sizeof *L);
    snprintf(L->role, sizeof L->role, "%s", role);
    L->src = src;
    L->want = want;
    char kind[64];
    if (dcs_special_file(src->dataset, kind, sizeof kind)) {
        L->cannot_open = 1;
        return dcs_error_set(err, DCS_ERR_DATA, "%s: cannot open '%s': it is %s, not a dataset "
                             "(give a regular file, a folder or a name GDAL resolves)",
                             role, src->dataset, kind);
    }
    CPLErrorReset();
    L->ds = GDALOpenEx(src->dataset, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    char why[DCS_OPEN_FAILURE_SIZE];
    if (!L->ds) {
        L->cannot_open = 1;
        return dcs_error_set(err, DCS_ERR_DATA, "%s: cannot open '%s': %s", role, src->dataset,
                             dcs_open_failure(src->dataset, "a vector dataset", why, sizeof why));
    }
    dcs_status st = find_layer(L, err);
    if (st == DCS_OK)
        L->latin1 = declares_latin1(L);
    if (st == DCS_OK && src->where &&
        OGR_L_SetAttributeFilter(L->lyr, src->where) != OGRERR_NONE)
        st = dcs_error_set(err, DCS_ERR_DATA, "%s: bad \"where\" filter \"%s\" on layer '%s': %s",
                           role, src->where, dcs_layer_label(L), CPLGetLastErrorMsg());
    if (st == DCS_OK && want != DCS_GEOM_NONE)
        st = read_crs(L, err);
    if (st != DCS_OK) {
        dcs_layer_close(L);
        return st;
    }
    CPLErrorReset();
    L->nfeatures = (long long)OGR_L_GetFeatureCount(L->lyr, 1);
    if (L->nfeatures < 0 || CPLGetLastErrorType() >= CE_Failure) {
        /* e.g. a database table this role may not read */
        dcs_error_set(err, DCS_ERR_DATA, "%s: cannot read layer '%s' of '%s': %s", role,
                      dcs_layer_label(L), src->dataset,
                      *CPLGetLastErrorMsg() ? CPLGetLastErrorMsg()
                                            : "GDAL cannot count its features");
        dcs_layer_close(L);
        return DCS_ERR_DATA;
    }
    if (want == DCS_GEOM_NONE || OGR_L_GetExtent(L->lyr, &L->extent, 1) != OGRERR_NONE)
        memset(&L->extent, 0, sizeof L->extent);
    snprintf(L->geom_type, sizeof L->geom_type, "%s",
             OGRGeometryTypeToName(OGR_L_GetGeomType(L->lyr)));
    return DCS_OK;
}

int dcs_layer_field(const dcs_layer *L, const char *field, dcs_error *err)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(L->lyr);
    int idx = OGR_FD_GetFieldIndex(defn, field);
    if (idx >= 0)
        return idx;
    dcs_strlist names = {0};
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
        dcs_strlist_addf(&names, "%s", OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    char *s = dcs_strlist_join(&names, ", ");
    dcs_error_set(err, DCS_ERR_DATA, "%s: field '%s' not found in layer '%s' of '%s' (fields: %s)",
                  L->role, field, dcs_layer_label(L), L->src->dataset, s && *s ? s : "none");
    free(s);
    dcs_strlist_free(&names);
    return -1;
}

dcs_status dcs_layer_lonlat_extent(const dcs_layer *L, OGREnvelope *out, dcs_error *err)
{
    OGRSpatialReferenceH ll = OSRNewSpatialReference(NULL);
    OGRCoordinateTransformationH ct = NULL;
    dcs_status st = DCS_OK;
    if (!ll || OSRImportFromEPSG(ll, 4326) != OGRERR_NONE) {
        st = dcs_error_set(err, DCS_ERR_DATA, "PROJ cannot find EPSG:4326: %s",
                           CPLGetLastErrorMsg());
        goto fail;
    }
    OSRSetAxisMappingStrategy(ll, OAMS_TRADITIONAL_GIS_ORDER);
    ct = OCTNewCoordinateTransformation(L->srs, ll);
    if (!ct || !OCTTransformBounds(ct, L->extent.MinX, L->extent.MinY, L->extent.MaxX,
                                   L->extent.MaxY, &out->MinX, &out->MinY, &out->MaxX,
                                   &out->MaxY, 21)) {
        st = dcs_error_set(err, DCS_ERR_DATA,
                           "%s: cannot transform the extent of layer '%s' from %s to WGS 84: %s",
                           L->role, dcs_layer_label(L), L->crs_name, CPLGetLastErrorMsg());
    }
fail:
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (ll)
        OSRRelease(ll);
    return st;
}

static int type_fits(dcs_geom_want want, OGRwkbGeometryType t)
{
    t = wkbFlatten(t);
    int poly = t == wkbPolygon || t == wkbMultiPolygon;
    int point = t == wkbPoint || t == wkbMultiPoint;
    switch (want) {
    case DCS_GEOM_POLYGON_OR_POINT:
        return poly || point;
    case DCS_GEOM_POINT:
        return point;
    case DCS_GEOM_POLYGON:
        return poly;
    case DCS_GEOM_ANY:
        return t != wkbUnknown && t != wkbNone;
    case DCS_GEOM_NONE:
        return 1;
    }
    return 0;
}

static const char *want_name(dcs_geom_want want)
{
    switch (want) {
    case DCS_GEOM_POLYGON_OR_POINT:
        return "polygons or points";
    case DCS_GEOM_POINT:
        return "points";
    case DCS_GEOM_POLYGON:
        return "polygons";
    case DCS_GEOM_ANY:
        return "points, lines or polygons";
    case DCS_GEOM_NONE:
        return "a table";
    }
    return "?";
}

dcs_status dcs_layer_check_type(const dcs_layer *L, dcs_error *err)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_L_GetGeomType(L->lyr));
    if (L->want == DCS_GEOM_NONE || t == wkbUnknown || t == wkbGeometryCollection ||
        type_fits(L->want, t))
        return DCS_OK;
    return dcs_error_set(err, DCS_ERR_DATA, "%s: layer '%s' of '%s' holds %s; expected %s",
                         L->role, dcs_layer_label(L), L->src->dataset, L->geom_type,
                         want_name(L->want));
}

dcs_status dcs_layer_prepare(dcs_layer *L, const dcs_crs *crs, dcs_error *err)
{
    if (L->want == DCS_GEOM_NONE) {
        OGR_L_ResetReading(L->lyr);
        return DCS_OK;
    }
    static const char *const same_axes[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=NO", NULL};
    L->in_work_crs = L->srs && OSRIsSameEx(L->srs, crs->work, same_axes);
    L->to_work = OCTNewCoordinateTransformation(L->srs, crs->work);
    if (!L->to_work)
        return dcs_error_set(err, DCS_ERR_DATA, "%s: PROJ cannot transform %s to %s: %s",
                             L->role, L->crs_name, crs->name, CPLGetLastErrorMsg());
    OGR_L_ResetReading(L->lyr);
    return DCS_OK;
}

/* L's transformations, copied from `like` (prepared, in the same CRS). */
static dcs_status prepare_like(dcs_layer *L, const dcs_layer *like, dcs_error *err)
{
    L->in_work_crs = like->in_work_crs;
    L->to_work = OCTClone(like->to_work);
    if (!L->to_work)
        return dcs_error_set(err, DCS_ERR_NOMEM, "%s: out of memory copying a transformation",
                             L->role);
    OGR_L_ResetReading(L->lyr);
    return DCS_OK;
}

dcs_status dcs_layers_prepare(dcs_layer *layers, size_t n, const dcs_crs *crs, dcs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        dcs_layer *L = &layers[i];
        const dcs_layer *like = NULL;
        for (size_t j = 0; L->want != DCS_GEOM_NONE && !like && j < i; j++)
            if (layers[j].to_work && OSRIsSame(layers[j].srs, L->srs))
                like = &layers[j];
        dcs_status st = like ? prepare_like(L, like, err) : dcs_layer_prepare(L, crs, err);
        if (st != DCS_OK)
            return st;
    }
    return DCS_OK;
}

/* OGR geometry -> GEOS through ISO WKB (little-endian).  When keep is not
 * NULL the WKB is handed over in *keep / *keep_size (malloc'd) if it is
 * 2D: then it is byte for byte what GEOS would write back (its writer's
 * default is 2D, little-endian here); else *keep stays NULL. */
static GEOSGeometry *to_geos(GEOSContextHandle_t geos, OGRGeometryH g, unsigned char **keep,
                             size_t *keep_size)
{
    size_t n = (size_t)OGR_G_WkbSize(g);
    unsigned char *wkb = malloc(n ? n : 1);
    if (!wkb)
        return NULL;
    GEOSGeometry *out = NULL;
    if (OGR_G_ExportToIsoWkb(g, wkbNDR, wkb) == OGRERR_NONE)
        out = GEOSGeomFromWKB_buf_r(geos, wkb, n);
    if (out && keep && !OGR_G_Is3D(g) && !OGR_G_IsMeasured(g)) {
        *keep = wkb;
        *keep_size = n;
        return out;
    }
    free(wkb);
    return out;
}

/* The polygons inside a collection made by GEOSMakeValid (which may add
 * stray lines or points where a polygon collapsed); NULL when none. */
static GEOSGeometry *polygonal_part(GEOSContextHandle_t geos, const GEOSGeometry *g)
{
    int n = GEOSGetNumGeometries_r(geos, g);
    GEOSGeometry **parts = calloc((size_t)(n > 0 ? n : 1), sizeof *parts);
    unsigned k = 0;
    if (!parts)
        return NULL;
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(geos, g, i);
        int t = GEOSGeomTypeId_r(geos, p);
        if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
            parts[k++] = GEOSGeom_clone_r(geos, p);
    }
    GEOSGeometry *out = NULL;
    if (k == 1)
        out = parts[0];
    else if (k > 1) {
        /* the collection takes ownership of the parts */
        GEOSGeometry *all = GEOSGeom_createCollection_r(geos, GEOS_GEOMETRYCOLLECTION, parts, k);
        out = all ? GEOSUnaryUnion_r(geos, all) : NULL;
        if (all)
            GEOSGeom_destroy_r(geos, all);
    }
    free(parts);
    return out;
}

static int polygonal(GEOSContextHandle_t geos, const GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(geos, g);
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

/* A repaired polygon keeps only its polygons: a 0-area or collapsed one
 * (MakeValid turns it into a line or a point) becomes NULL, never a line
 * ranked as a site. */
static GEOSGeometry *keep_area(GEOSContextHandle_t geos, GEOSGeometry *fixed)
{
    GEOSGeometry *out = NULL;
    double area = 0;
    if (GEOSGeomTypeId_r(geos, fixed) == GEOS_GEOMETRYCOLLECTION)
        out = polygonal_part(geos, fixed);
    else if (polygonal(geos, fixed))
        out = GEOSGeom_clone_r(geos, fixed);
    GEOSGeom_destroy_r(geos, fixed);
    if (out && (GEOSisEmpty_r(geos, out) != 0 || !GEOSArea_r(geos, out, &area) || !(area > 0))) {
        GEOSGeom_destroy_r(geos, out);
        out = NULL;
    }
    return out;
}

/* Repair an invalid geometry (counted in xf); NULL when nothing usable is
 * left (why: GEOS's reason it was invalid). */
static GEOSGeometry *repair(const dcs_layer *L, dcs_layer_xf *xf, GEOSContextHandle_t geos,
                            GEOSGeometry *g, char *why, size_t size)
{
    int was_polygon = polygonal(geos, g);
    char *reason = GEOSisValidReason_r(geos, g);
    snprintf(why, size, "%s", reason ? reason : "invalid");
    GEOSFree_r(geos, reason);
    GEOSGeometry *fixed = GEOSMakeValid_r(geos, g);
    GEOSGeom_destroy_r(geos, g);
    if (!fixed)
        return NULL;
    xf->nrepaired++;
    if (was_polygon && L->want != DCS_GEOM_ANY)
        return keep_area(geos, fixed);
    if (L->want == DCS_GEOM_POLYGON && GEOSGeomTypeId_r(geos, fixed) == GEOS_GEOMETRYCOLLECTION) {
        GEOSGeometry *polys = polygonal_part(geos, fixed);
        GEOSGeom_destroy_r(geos, fixed);
        fixed = polys;
    }
    return fixed;
}

/* Why GEOS cannot take a polygon OGR read: a ring that is not closed or
 * has fewer than 4 points (GEOS refuses to build it); else GDAL's or
 * GEOS's last message. */
static const char *ring_problem(OGRGeometryH g, char *buf, size_t size)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    int nparts = t == wkbMultiPolygon ? OGR_G_GetGeometryCount(g) : t == wkbPolygon ? 1 : 0;
    for (int p = 0; p < nparts; p++) {
        OGRGeometryH poly = t == wkbMultiPolygon ? OGR_G_GetGeometryRef(g, p) : g;
        for (int r = 0; r < OGR_G_GetGeometryCount(poly); r++) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(poly, r);
            int n = OGR_G_GetPointCount(ring);
            double x0 = OGR_G_GetX(ring, 0), y0 = OGR_G_GetY(ring, 0);
            double x1 = OGR_G_GetX(ring, n - 1), y1 = OGR_G_GetY(ring, n - 1);
            if (n > 0 && (x0 != x1 || y0 != y1))
                snprintf(buf, size, "ring %d of polygon %d is not closed (it starts at %.10g "
                         "%.10g and ends at %.10g %.10g)", r + 1, p + 1, x0, y0, x1, y1);
            else if (n < 4)
                snprintf(buf, size, "ring %d of polygon %d has %d points (a ring needs at least "
                         "4: three corners and the first again)", r + 1, p + 1, n);
            else
                continue;
            return buf;
        }
    }
    snprintf(buf, size, "%s", *CPLGetLastErrorMsg() ? CPLGetLastErrorMsg() : "not a geometry "
                                                                              "GEOS can read");
    return buf;
}

/* Sign changes around a cycle of signs (zeros skipped): *first and *last
 * are the first and last non-zero signs seen so far. */
static void count_flip(double d, int *first, int *last, int *flips)
{
    int s = d > 0 ? 1 : d < 0 ? -1 : 0;
    if (!s)
        return;
    if (*last && s != *last)
        (*flips)++;
    if (!*first)
        *first = s;
    *last = s;
}

int dcs_geom_plainly_valid(GEOSContextHandle_t geos, const GEOSGeometry *g)
{
    if (GEOSGeomTypeId_r(geos, g) != GEOS_POLYGON || GEOSGetNumInteriorRings_r(geos, g) != 0)
        return 0;
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(geos, g);
    const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(geos, ring) : NULL;
    unsigned n = 0;
    double x[16], y[16];
    if (!seq || !GEOSCoordSeq_getSize_r(geos, seq, &n) || n < 4 || n > 16 ||
        !GEOSCoordSeq_copyToArrays_r(geos, seq, x, y, NULL, NULL) || x[0] != x[n - 1] ||
        y[0] != y[n - 1])
        return 0;
    int turn = 0, fx = 0, lx = 0, nx = 0, fy = 0, ly = 0, ny = 0;
    for (unsigned i = 0; i + 1 < n; i++) {
        unsigned j = i + 1, k = i + 2 < n ? i + 2 : 1; /* the turn at j; vertex n-1 is 0 */
        double ax = x[j] - x[i], ay = y[j] - y[i], bx = x[k] - x[j], by = y[k] - y[j];
        double cross = ax * by - ay * bx;
        double tol = 1e-12 * (fabs(ax) + fabs(ay)) * (fabs(bx) + fabs(by)); /* >> rounding */
        int s = cross > tol ? 1 : cross < -tol ? -1 : 0;
        if (!isfinite(x[i]) || !isfinite(y[i]) || !(tol > 0) || !s || (turn && s != turn))
            return 0;
        turn = s;
        count_flip(ax, &fx, &lx, &nx);
        count_flip(ay, &fy, &ly, &ny);
    }
    nx += lx != fx, ny += ly != fy; /* around the cycle */
    return nx <= 2 && ny <= 2;
}

/* *geom checked, and repaired when invalid (then the WKB *wkb, if any, no
 * longer describes it and is freed). */
static dcs_status valid_or_repaired(const dcs_layer *L, dcs_layer_xf *xf,
                                    GEOSContextHandle_t geos, GEOSGeometry **geom,
                                    unsigned char **wkb, dcs_error *err)
{
    char why[256];
    int invalid = !dcs_geom_plainly_valid(geos, *geom) && !GEOSisValid_r(geos, *geom);
    if (invalid && wkb) {
        free(*wkb);
        *wkb = NULL;
    }
    if (invalid && !(*geom = repair(L, xf, geos, *geom, why, sizeof why)))
        return dcs_error_set(err, DCS_ERR_GEOMETRY,
                             "%s: a polygon in layer '%s' is degenerate (GEOS: %s) and its repair "
                             "leaves no area, only a line or a point: fix or delete the feature",
                             L->role, dcs_layer_label(L), why);
    return DCS_OK;
}

dcs_status dcs_layer_convert_wkb(const dcs_layer *L, dcs_layer_xf *xf,
                                 GEOSContextHandle_t geos, OGRGeometryH src,
                                 GEOSGeometry **geom, unsigned char **wkb, size_t *wkb_size,
                                 dcs_error *err)
{
    *geom = NULL;
    if (wkb)
        *wkb = NULL;
    OGRGeometryH w = L->in_work_crs ? NULL : OGR_G_Clone(src); /* src itself when in it */
    if (!L->in_work_crs && !w)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    if (w && OGR_G_Transform(w, xf->to_work) != OGRERR_NONE) {
        OGR_G_DestroyGeometry(w);
        return dcs_error_set(err, DCS_ERR_DATA,
                             "%s: cannot transform a geometry of layer '%s' to the working CRS: %s",
                             L->role, dcs_layer_label(L), CPLGetLastErrorMsg());
    }
    *geom = to_geos(geos, w ? w : src, wkb, wkb_size);
    char why[256];
    if (!*geom) {
        ring_problem(w ? w : src, why, sizeof why);
        if (w)
            OGR_G_DestroyGeometry(w);
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "%s: GEOS cannot read a geometry of '%s': "
                             "%s; fix or delete the feature", L->role, dcs_layer_label(L), why);
    }
    if (w)
        OGR_G_DestroyGeometry(w);
    return valid_or_repaired(L, xf, geos, geom, wkb, err);
}

dcs_status dcs_layer_convert_plain_wkb(const dcs_layer *L, dcs_layer_xf *xf,
                                       GEOSContextHandle_t geos, unsigned char *src,
                                       size_t size, GEOSGeometry **geom, unsigned char **wkb,
                                       size_t *wkb_size, dcs_error *err)
{
    *geom = L->in_work_crs ? GEOSGeomFromWKB_buf_r(geos, src, size) : NULL;
    if (*geom) { /* the bytes GEOS read are the ones it would write */
        *wkb = src;
        *wkb_size = size;
        return valid_or_repaired(L, xf, geos, geom, wkb, err);
    }
    OGRGeometryH g = NULL; /* to transform, or for the message GEOS's refusal gets */
    dcs_status st = OGR_G_CreateFromWkbEx(src, NULL, &g, size) == OGRERR_NONE
                        ? dcs_layer_convert_wkb(L, xf, geos, g, geom, wkb, wkb_size, err)
                        : dcs_error_set(err, DCS_ERR_GEOMETRY, "%s: GDAL cannot read a "
                                        "geometry of '%s'", L->role, dcs_layer_label(L));
    OGR_G_DestroyGeometry(g);
    free(src);
    return st;
}

dcs_status dcs_layer_convert(const dcs_layer *L, dcs_layer_xf *xf, GEOSContextHandle_t geos,
                             OGRGeometryH src, GEOSGeometry **geom, dcs_error *err)
{
    return dcs_layer_convert_wkb(L, xf, geos, src, geom, NULL, NULL, err);
}

/* A polygon with no area, even once made valid (a collapsed ring, three
 * points, all its vertices on one line): repairing it can only give a line
 * or a point, never a site.  Only zero-area polygons are made valid here, so
 * the cost is nil on real data.  Checked on candidate sites only: in a
 * context layer such a polygon covers nothing and changes no share. */
static int no_area_polygon(OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if ((t != wkbPolygon && t != wkbMultiPolygon) || OGR_G_Area(g) > 0)
        return 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRGeometryH v = OGR_G_MakeValid(g);
    CPLPopErrorHandler();
    int none = !v || !(OGR_G_Area(v) > 0);
    OGR_G_DestroyGeometry(v);
    return none;
}

int dcs_layer_keep_feature(dcs_layer *L, OGRFeatureH f)
{
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || OGR_G_IsEmpty(g))
        L->nnull++;
    else if (!type_fits(L->want, OGR_G_GetGeometryType(g)))
        L->nwrongtype++;
    else if (L->want == DCS_GEOM_POLYGON_OR_POINT && no_area_polygon(g)) { /* sites */
        if (!L->ndegenerate++)
            L->degenerate_fid = (long long)OGR_F_GetFID(f);
    } else
        return 1;
    return 0;
}

dcs_status dcs_layer_next_raw(dcs_layer *L, OGRFeatureH *feat)
{
    while ((*feat = OGR_L_GetNextFeature(L->lyr)) && !dcs_layer_keep_feature(L, *feat))
        OGR_F_Destroy(*feat);
    return DCS_OK;
}

dcs_status dcs_layer_next_geos(dcs_layer *L, GEOSContextHandle_t geos, OGRFeatureH *feat,
                               GEOSGeometry **geom, dcs_error *err)
{
    *geom = NULL;
    dcs_layer_next_raw(L, feat);
    if (!*feat)
        return DCS_OK;
    dcs_layer_xf xf = {.to_work = L->to_work, .nrepaired = 0};
    dcs_status st = dcs_layer_convert(L, &xf, geos, OGR_F_GetGeometryRef(*feat), geom, err);
    L->nrepaired += xf.nrepaired;
    if (st != DCS_OK) {
        if (*geom)
            GEOSGeom_destroy_r(geos, *geom);
        *geom = NULL;
        dcs_error_prefix(err, "feature %lld: ", (long long)OGR_F_GetFID(*feat));
        OGR_F_Destroy(*feat);
        *feat = NULL;
    }
    return st;
}

dcs_status dcs_layer_xf_clone(const dcs_layer *L, dcs_layer_xf *xf)
{
    xf->nrepaired = 0;
    xf->to_work = OCTClone(L->to_work);
    if (xf->to_work)
        return DCS_OK;
    dcs_layer_xf_free(xf);
    return DCS_ERR_NOMEM;
}

void dcs_layer_xf_free(dcs_layer_xf *xf)
{
    if (xf->to_work)
        OCTDestroyCoordinateTransformation(xf->to_work);
    xf->to_work = NULL;
}

void dcs_layer_close(dcs_layer *L)
{
    if (L->to_work)
        OCTDestroyCoordinateTransformation(L->to_work);
    if (L->srs)
        OSRRelease(L->srs);
    if (L->ds)
        GDALClose(L->ds);
    L->to_work = NULL;
    L->srs = NULL;
    L->ds = NULL;
    L->lyr = NULL;
}

char *dcs_layer_clean_text(dcs_layer *L, const char *raw, long long fid)
{
    int failed;
    char *clean = dcs_utf8_clean(raw, L->latin1 ? DCS_UTF8_LATIN1 : 0, &failed);
    if (!clean)
        return failed ? NULL : dcs_strdup(raw);
    if (L->nbadtext++ == 0)
        L->badtext_fid = fid;
    return clean;
}

char *dcs_layer_text(dcs_layer *L, OGRFeatureH f, int field)
{
    return dcs_layer_clean_text(L, OGR_F_GetFieldAsString(f, field),
                                (long long)OGR_F_GetFID(f));
}

double dcs_field_double(OGRFeatureH f, int field)
{
    if (field < 0 || !OGR_F_IsFieldSetAndNotNull(f, field))
        return NAN;
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, field));
    if (t == OFTInteger || t == OFTInteger64 || t == OFTReal)
        return OGR_F_GetFieldAsDouble(f, field);
    if (t == OFTString) {
        const char *s = OGR_F_GetFieldAsString(f, field);
        char *end;
        double v = strtod(s, &end);
        return end != s && *end == '\0' ? v : NAN;
    }
    return NAN;
}
