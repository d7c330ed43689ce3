/* inspect.c - what a dataset holds, for dcsite init. See inspect.h. */
#include "inputs/inspect.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/special.h"
#include "geometry/geo.h"
#include "inputs/layers.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int dcs_inspect_is_weather(const char *path, int *epw)
{
    char name[1100];
    snprintf(name, sizeof name, "%s%s", ends_with(path, ".gz") ? "/vsigzip/" : "", path);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    VSILFILE *fp = VSIFOpenL(name, "rb");
    int found = 0;
    const char *line = fp ? CPLReadLineL(fp) : NULL;
    if (line && strncmp(line, "LOCATION,", 9) == 0) {
        found = 1;
        *epw = 1;
    } else if (line && (line = CPLReadLineL(fp)) != NULL && strstr(line, "Dry-bulb") &&
               strstr(line, "Date (MM/DD/YYYY)")) {
        found = 1;
        *epw = 0;
    }
    if (fp)
        VSIFCloseL(fp);
    CPLPopErrorHandler();
    return found;
}

/* A new zeroed record at the end of list, or NULL. */
static dcs_inspected *append(dcs_inspection *list, const char *path)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 8;
        dcs_inspected *p = realloc(list->items, cap * sizeof *p);
        if (!p)
            return NULL;
        list->items = p;
        list->cap = cap;
    }
    dcs_inspected *in = &list->items[list->n++];
    memset(in, 0, sizeof *in);
    snprintf(in->dataset, sizeof in->dataset, "%s", path);
    return in;
}

/* The lon/lat box of an extent in srs (a clone in GIS order is made). */
static void lonlat_extent(dcs_inspected *in, OGRSpatialReferenceH srs, const OGREnvelope *e)
{
    OGRSpatialReferenceH gis = dcs_srs_clone_gis_order(srs), ll = OSRNewSpatialReference(NULL);
    OGRCoordinateTransformationH ct = NULL;
    if (gis && ll && OSRImportFromEPSG(ll, 4326) == OGRERR_NONE) {
        OSRSetAxisMappingStrategy(ll, OAMS_TRADITIONAL_GIS_ORDER);
        ct = OCTNewCoordinateTransformation(gis, ll);
    }
    if (ct)
        in->has_extent = OCTTransformBounds(ct, e->MinX, e->MinY, e->MaxX, e->MaxY, &in->minlon,
                                            &in->minlat, &in->maxlon, &in->maxlat, 21) != 0;
    if (gis)
        dcs_srs_describe(gis, in->crs, sizeof in->crs);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (gis)
        OSRRelease(gis);
    if (ll)
        OSRRelease(ll);
}

static dcs_shape shape_of(OGRwkbGeometryType t)
{
    switch (wkbFlatten(t)) {
    case wkbNone:
        return DCS_SHAPE_NONE;
    case wkbPoint:
    case wkbMultiPoint:
        return DCS_SHAPE_POINT;
    case wkbLineString:
    case wkbMultiLineString:
    case wkbCircularString:
    case wkbCompoundCurve:
    case wkbMultiCurve:
        return DCS_SHAPE_LINE;
    case wkbPolygon:
    case wkbMultiPolygon:
    case wkbCurvePolygon:
    case wkbMultiSurface:
        return DCS_SHAPE_POLYGON;
    default:
        return DCS_SHAPE_MIXED;
    }
}

static dcs_field_kind kind_of(OGRFieldType t)
{
    if (t == OFTInteger || t == OFTInteger64)
        return DCS_FK_INTEGER;
    if (t == OFTReal)
        return DCS_FK_REAL;
    if (t == OFTString)
        return DCS_FK_TEXT;
    return DCS_FK_OTHER;
}

/* FNV-1a: values are compared by their 64-bit hashes (a false "repeated"
 * would need a collision among at most DCS_INSPECT_MAX_READ values). */
static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Per-field state while the features are read. */
typedef struct {
    uint64_t **hashes; /* per field (text and integers), nread values */
    unsigned seen;     /* geometry shapes met: 1 << dcs_shape */
} scan_state;

static void scan_feature(dcs_inspected *in, scan_state *s, OGRFeatureH f)
{
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (g)
        s->seen |= 1u << shape_of(OGR_G_GetGeometryType(g));
    for (size_t k = 0; k < in->nfields; k++) {
        dcs_field_info *fi = &in->fields[k];
        int i = (int)k;
        if (!OGR_F_IsFieldSetAndNotNull(f, i))
            continue;
        const char *text = OGR_F_GetFieldAsString(f, i);
        double v = fi->kind == DCS_FK_INTEGER || fi->kind == DCS_FK_REAL
                       ? OGR_F_GetFieldAsDouble(f, i)
                       : NAN;
        if ((fi->kind == DCS_FK_TEXT && !*text) ||
            ((fi->kind == DCS_FK_INTEGER || fi->kind == DCS_FK_REAL) && isnan(v)))
            continue;
        if (s->hashes[k])
            s->hashes[k][fi->nset] = hash_text(text);
        fi->nset++;
        if (!isnan(v)) {
            fi->min = isnan(fi->min) || v < fi->min ? v : fi->min;
            fi->max = isnan(fi->max) || v > fi->max ? v : fi->max;
        }
    }
}

static void count_distinct(dcs_inspected *in, scan_state *s)
{
    for (size_t k = 0; k < in->nfields; k++) {
        uint64_t *h = s->hashes[k];
        long long n = in->fields[k].nset, d = 0;
        if (!h)
            continue;
        qsort(h, (size_t)n, sizeof *h, cmp_u64);
        for (long long i = 0; i < n; i++)
            d += i == 0 || h[i] != h[i - 1];
        in->fields[k].ndistinct = d;
    }
}

/* Fields and their statistics over the first features. */
static dcs_status scan_layer(dcs_inspected *in, OGRLayerH lyr, dcs_error *err)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int nf = OGR_FD_GetFieldCount(defn);
    long long nmax = in->nfeatures < DCS_INSPECT_MAX_READ ? in->nfeatures : DCS_INSPECT_MAX_READ;
    scan_state s = {.hashes = calloc(nf ? (size_t)nf : 1, sizeof *s.hashes), .seen = 0};
    in->fields = calloc(nf ? (size_t)nf : 1, sizeof *in->fields);
    dcs_status st = s.hashes && in->fields ? DCS_OK : DCS_ERR_NOMEM;
    for (int k = 0; st == DCS_OK && k < nf; k++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, k);
        dcs_field_info *fi = &in->fields[in->nfields++];
        snprintf(fi->name, sizeof fi->name, "%s", OGR_Fld_GetNameRef(fd));
        fi->kind = kind_of(OGR_Fld_GetType(fd));
        fi->min = fi->max = NAN;
        if ((fi->kind == DCS_FK_TEXT || fi->kind == DCS_FK_INTEGER) &&
            !(s.hashes[k] = malloc((nmax ? (size_t)nmax : 1) * sizeof **s.hashes)))
            st = DCS_ERR_NOMEM;
    }
    OGR_L_ResetReading(lyr);
    OGRFeatureH f;
    while (st == DCS_OK && in->nread < nmax && (f = OGR_L_GetNextFeature(lyr)) != NULL) {
        scan_feature(in, &s, f);
        in->nread++;
        OGR_F_Destroy(f);
    }
    if (st == DCS_OK)
        count_distinct(in, &s);
    if (in->shape == DCS_SHAPE_MIXED && s.seen && !(s.seen & (s.seen - 1)))
        for (dcs_shape sh = DCS_SHAPE_POINT; sh <= DCS_SHAPE_POLYGON; sh++)
            if (s.seen == 1u << sh)
                in->shape = sh;
    for (int k = 0; s.hashes && k < nf; k++)
        free(s.hashes[k]);
    free(s.hashes);
    return st == DCS_OK ? DCS_OK : dcs_error_set(err, st, "out of memory");
}

static dcs_status inspect_layer(dcs_inspected *in, OGRLayerH lyr, dcs_error *err)
{
    snprintf(in->layer, sizeof in->layer, "%s", OGR_L_GetName(lyr));
    OGRwkbGeometryType t = OGR_L_GetGeomType(lyr);
    in->shape = shape_of(t);
    snprintf(in->geom_type, sizeof in->geom_type, "%s", OGRGeometryTypeToName(t));
    CPLErrorReset();
    in->nfeatures = (long long)OGR_L_GetFeatureCount(lyr, 1);
    if (in->nfeatures < 0) {
        snprintf(in->problem, sizeof in->problem, "GDAL cannot count its features: %s",
                 CPLGetLastErrorMsg());
        in->nfeatures = 0;
        return DCS_OK;
    }
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    OGREnvelope e;
    if (srs && in->nfeatures > 0 && OGR_L_GetExtent(lyr, &e, 1) == OGRERR_NONE)
        lonlat_extent(in, srs, &e);
    else if (srs)
        lonlat_extent(in, srs, &(OGREnvelope){0});
    in->has_extent = in->has_extent && in->nfeatures > 0;
    if (!srs && in->shape != DCS_SHAPE_NONE)
        snprintf(in->problem, sizeof in->problem,
                 "it has no CRS (a Shapefile without its .prj?); assign one, e.g. with ogr2ogr "
                 "-a_srs");
    return scan_layer(in, lyr, err);
}

static dcs_status inspect_raster(dcs_inspection *list, const char *path, GDALDatasetH ds,
                                 dcs_error *err)
{
    dcs_inspected *in = append(list, path);
    if (!in)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    in->kind = DCS_INSPECT_RASTER;
    in->width = GDALGetRasterXSize(ds);
    in->height = GDALGetRasterYSize(ds);
    in->nbands = GDALGetRasterCount(ds);
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    double gt[6];
    if (srs && GDALGetGeoTransform(ds, gt) == CE_None) {
        double x0 = gt[0], x1 = gt[0] + in->width * gt[1] + in->height * gt[2];
        double y0 = gt[3], y1 = gt[3] + in->width * gt[4] + in->height * gt[5];
        OGREnvelope e = {.MinX = fmin(x0, x1), .MaxX = fmax(x0, x1), .MinY = fmin(y0, y1),
                         .MaxY = fmax(y0, y1)};
        lonlat_extent(in, srs, &e);
    } else {
        snprintf(in->problem, sizeof in->problem, "it has no CRS or no georeferencing");
    }
    return DCS_OK;
}

static dcs_status inspect_vector(dcs_inspection *list, const char *path, GDALDatasetH ds,
                                 dcs_error *err)
{
    int n = GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n; i++) {
        dcs_inspected *in = append(list, path);
        if (!in)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        in->kind = DCS_INSPECT_VECTOR;
        in->nlayers = n;
        dcs_status st = inspect_layer(in, GDALDatasetGetLayer(ds, i), err);
        if (st != DCS_OK)
            return st;
    }
    return DCS_OK;
}

dcs_status dcs_inspect_dataset(const char *path, dcs_inspection *list, dcs_error *err)
{
    int epw = 0;
    char kind[64];
    if (dcs_special_file(path, kind, sizeof kind))
        return dcs_error_set(err, DCS_ERR_DATA, "cannot open '%s': it is %s, not a dataset", path,
                             kind);
    if (dcs_inspect_is_weather(path, &epw)) {
        dcs_inspected *in = append(list, path);
        if (!in)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        in->kind = DCS_INSPECT_WEATHER;
        in->weather_epw = epw;
        return DCS_OK;
    }
    CPLErrorReset();
    GDALDatasetH ds =
        GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    char why[128];
    if (!ds)
        return dcs_error_set(err, DCS_ERR_DATA, "cannot open '%s': %s", path,
                             dcs_open_failure(path, "a dataset", why, sizeof why));
    dcs_status st = DCS_OK;
    if (GDALDatasetGetLayerCount(ds) > 0)
        st = inspect_vector(list, path, ds, err);
    else if (GDALGetRasterCount(ds) > 0)
        st = inspect_raster(list, path, ds, err);
    else
        st = dcs_error_set(err, DCS_ERR_DATA, "'%s' holds no layer and no raster band", path);
    GDALClose(ds);
    return st;
}

long dcs_inspected_field(const dcs_inspected *in, const char *name)
{
    for (size_t k = 0; name && k < in->nfields; k++)
        if (strcmp(in->fields[k].name, name) == 0)
            return (long)k;
    return -1;
}

void dcs_inspection_free(dcs_inspection *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i].fields);
    free(list->items);
    memset(list, 0, sizeof *list);
}
