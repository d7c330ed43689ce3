/* report_gis.c - the scored candidates as GIS layers (OGR). See report_gis.h.
 *
 * Layer "candidates", one feature per candidate site, with its geometry
 * and the fields (a contract for downstream tools, listed in docs/outputs.md):
 *   site_id, status, rank (null when excluded), score, reasons,
 *   every metric (numbers as Real, texts as String),
 *   <criterion>_value (0-1) and <criterion>_contrib (weight x value),
 *   coverage_gaps (context layers that do not cover the site),
 *   lon, lat (a point inside the site, WGS 84),
 *   centroid_lon, centroid_lat (its area centroid, which may lie outside).
 * The geometry is the site's polygon, or with outputs.geometry its point
 * (lon, lat) or none (a table).  Layer "eligible_points" (unless
 * outputs.eligible_points is false): the same fields for the eligible
 * sites, at that point.  A GeoPackage's layers are written without a
 * spatial index, which is packed once the file is closed (gpkg_rtree.h)
 * from the boxes collected as the rows go in.  CSV is formatted here
 * (csv_line.h) rather than by GDAL's CSV driver, with the same columns.  Layer "routes" (GeoPackage only, with interconnection.route): the
 * routed lines, in the output CRS.  Multi-layer formats (GeoPackage) hold both layers and, for a
 * GeoPackage, the default QGIS style of each layer and the fields' titles
 * and descriptions (report_style.h); single-layer formats get one file
 * each (<name>.<ext>, <name>_points.<ext>).  The dataset's metadata holds
 * the run fingerprint (DCSITE_FINGERPRINT) and the run's warnings
 * (DCSITE_WARNINGS, a JSON array of {code, layer, message, plain, severity}).
 */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include <cjson/cJSON.h>

#include "feature_pipe.h"
#include "gis_csv.h"
#include "gis_fields.h"
#include "gis_gpkg.h"
#include "gpkg_rtree.h"
#include "report_decision.h"
#include "report_gis.h"
#include "report_style.h"

/* GDAL's last message (or, when it has none, a sentence saying so) without the SQL statement that SQLite's GeoPackage
 * driver puts in front ("sqlite3_exec(CREATE ...) failed: database or disk
 * is full" -> "database or disk is full"). */
static const char *gdal_reason(void)
{
    const char *msg = CPLGetLastErrorMsg();
    const char *cut = strncmp(msg, "sqlite3_exec(", 13) == 0 ? strstr(msg, ") failed: ") : NULL;
    if (!*msg) /* some drivers fail without a word: say so rather than print nothing */
        return "the GDAL driver gave no reason (try another --format, or check the disk and "
               "the directory's permissions)";
    return cut ? cut + 10 : msg;
}

/* Site i's fields into f, with its reasons when excluded (null also when
 * out of memory: the writer then fails). */
static void fill_fields(OGRFeatureH f, const dcs_result *res, size_t i)
{
    int nomem;
    char *why = res->eval.eligible[i] ? NULL : dcs_result_reasons(res, i, &nomem);
    dcs_gis_fields_to_feature(f, res, i, why);
    free(why);
}

/* GEOS geometry -> OGR, polygons promoted to multipolygons so the layer
 * has one geometry type. */
static OGRGeometryH to_ogr(const dcs_result *res, size_t i, int multi)
{
    OGRGeometryH g = dcs_site_ogr(&res->sites, i);
    if (g && multi)
        g = OGR_G_ForceToMultiPolygon(g);
    return g;
}

/* The layer's geometry type: MultiPolygon when any site is a polygon. */
static OGRwkbGeometryType layer_type(const dcs_result *res)
{
    for (size_t i = 0; i < res->sites.n; i++)
        if (dcs_site_is_polygon(&res->sites, i))
            return wkbMultiPolygon;
    return wkbUnknown;
}

/* ---- formats -------------------------------------------------------------- */

static const char *const shapefile_sidecars[] = {"shx", "dbf", "prj", "cpg", "fields.csv", NULL};
static const char *const csv_lco[] = {"GEOMETRY=AS_WKT", NULL};
static const char *const gml_sidecars[] = {"xsd", NULL};

static const struct {
    const char *name, *driver, *ext;
    int multi_layer;
    const char *const *sidecars;
    const char *const *lco;
    int database;
    int tmp_visible;
} known[] = {
    {"GPKG", "GPKG", "gpkg", 1, NULL, NULL, 0, 0},
    {"GeoJSON", "GeoJSON", "geojson", 0, NULL, NULL, 0, 0},
    {"FlatGeobuf", "FlatGeobuf", "fgb", 0, NULL, NULL, 0, 0},
    {"ESRI Shapefile", "ESRI Shapefile", "shp", 0, shapefile_sidecars, NULL, 0, 0},
    {"Shapefile", "ESRI Shapefile", "shp", 0, shapefile_sidecars, NULL, 0, 0},
    {"CSV", "CSV", "csv", 0, NULL, csv_lco, 0, 0},
    {"PostgreSQL", "PostgreSQL", "", 1, NULL, NULL, 1, 0},
    {"PostGIS", "PostgreSQL", "", 1, NULL, NULL, 1, 0},
    {"PG", "PostgreSQL", "", 1, NULL, NULL, 1, 0},
    {"GML", "GML", "gml", 0, gml_sidecars, NULL, 0, 1},
};

dcs_status dcs_gis_format_find(const char *name, dcs_gis_format *f, dcs_error *err)
{
    memset(f, 0, sizeof *f);
    if (!name)
        name = "GPKG";
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcasecmp(name, known[i].name) == 0) {
            f->drv = GDALGetDriverByName(known[i].driver);
            snprintf(f->name, sizeof f->name, "%s", known[i].driver);
            snprintf(f->ext, sizeof f->ext, "%s", known[i].ext);
            f->multi_layer = known[i].multi_layer;
            f->sidecars = known[i].sidecars;
            f->lco = known[i].lco;
            f->database = known[i].database;
            f->tmp_visible = known[i].tmp_visible;
            break;
        }
    if (!f->drv) { /* any other OGR vector driver, by its GDAL name */
        f->drv = GDALGetDriverByName(name);
        const char *ext = f->drv ? GDALGetMetadataItem(f->drv, GDAL_DMD_EXTENSION, NULL) : NULL;
        snprintf(f->name, sizeof f->name, "%s", name);
        snprintf(f->ext, sizeof f->ext, "%s", ext && *ext ? ext : "out");
    }
    if (!f->drv || !GDALGetMetadataItem(f->drv, GDAL_DCAP_VECTOR, NULL) ||
        !GDALGetMetadataItem(f->drv, GDAL_DCAP_CREATE, NULL))
        return dcs_error_set(err, DCS_ERR_SCENARIO,
                             "--format: \"%s\" is not an OGR vector driver that can create "
                             "files (e.g. GPKG, GeoJSON, FlatGeobuf, Shapefile, CSV)",
                             name);
    return DCS_OK;
}

/* ---- writing ---------------------------------------------------------------- */

typedef struct {
    const dcs_result *res;
    const dcs_gis_format *fmt;
    OGRCoordinateTransformationH to_out;    /* working CRS -> output CRS, NULL = same */
    OGRCoordinateTransformationH ll_to_out; /* lon/lat -> output CRS */
    OGRSpatialReferenceH out;
    const char *tmp;          /* the file, or the destination named in messages */
    dcs_error *err;
    char **lco;               /* layer creation options */
    const dcs_progress *progress; /* may be NULL */
    dcs_out_geometry geometry; /* of layer "candidates" (outputs.geometry) */
    /* a GeoPackage's rows and spatial indexes, written by dcsite after
     * GDAL has created the layers and closed the file (gis_gpkg.h,
     * gpkg_rtree.h); own_rows 0: GDAL writes them */
    int own_rows;
    const atomic_int *busy;   /* non-zero while other reports are written in another
                               * thread (NULL: none) */
    struct gis_pending {
        char table[64], geom[64], fid[64];
        char **columns;       /* the fields as GDAL named them (CSL) */
        OGRwkbGeometryType type;
        dcs_rtree_boxes boxes;
        int used;
    } pending[2];
} gis_job;

/* One layer's rows for dcs_feature_pipe: row r is site r, or for the
 * points layer the r-th eligible site in rank order. */
typedef struct {
    const gis_job *j;
    OGRLayerH lyr;
    int points, multi;
    int as_point;             /* geometry: the site's point (lon/lat), not its polygon */
    int no_geometry;          /* a table without geometry */
    size_t n;                 /* rows in all */
    dcs_rtree_boxes *boxes;   /* each row's FID and box, or NULL */
    int nomem;
} layer_rows;

#define PROGRESS_ROWS 1024 /* rows between two progress reports */

static const char *row_phase(const layer_rows *w)
{
    return w->points ? "writing eligible points" : "writing candidates";
}

static size_t row_site(const layer_rows *w, size_t r)
{
    return w->points ? w->j->res->eval.order[r] : r;
}

/* Worker thread: the fields and the geometry of the site of row r, in the
 * working CRS (its polygon) or in lon/lat (its point).  Uses the result
 * (read only) and its GEOS handle, which nothing else uses meanwhile. */
static void fill_row(void *ctx, size_t r, OGRFeatureH f)
{
    const layer_rows *w = ctx;
    const dcs_result *res = w->j->res;
    size_t i = row_site(w, r);
    fill_fields(f, res, i);
    OGRGeometryH g;
    if (w->no_geometry) {
        g = NULL;
    } else if (w->as_point) {
        g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, res->sites.lon[i], res->sites.lat[i]);
    } else {
        g = to_ogr(res, i, w->multi);
    }
    OGR_F_SetGeometryDirectly(f, g); /* NULL clears the previous row's */
}

/* Caller's thread: the geometry to the output CRS (PROJ objects stay in
 * the thread that made them; a failed transformation leaves the site
 * without geometry), then the insert. */
static void transform_row(const layer_rows *w, OGRFeatureH f)
{
    OGRCoordinateTransformationH ct = w->as_point ? w->j->ll_to_out : w->j->to_out;
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (g && ct && OGR_G_Transform(g, ct) != OGRERR_NONE)
        OGR_F_SetGeometryDirectly(f, NULL);
}

static int put_row(void *ctx, size_t r, OGRFeatureH f)
{
    const layer_rows *w = ctx;
    OGRGeometryH g;
    transform_row(w, f);
    if (OGR_L_CreateFeature(w->lyr, f) != OGRERR_NONE)
        return 1;
    g = OGR_F_GetGeometryRef(f);
    if (w->boxes && g && !OGR_G_IsEmpty(g)) {
        OGREnvelope e;
        OGR_G_GetEnvelope(g, &e);
        if (!dcs_rtree_boxes_add(w->boxes, OGR_F_GetFID(f), e.MinX, e.MaxX, e.MinY, e.MaxY)) {
            ((layer_rows *)w)->nomem = 1;
            return 1;
        }
    }
    if ((r + 1) % PROGRESS_ROWS == 0)
        dcs_progress_report(w->j->progress, row_phase(w), r + 1, w->n);
    return 0;
}

/* Writing may use threads beside the caller's unless the run was held to
 * one (--threads 1). */
static int more_threads(const dcs_result *res)
{
    return res->threads != 1;
}

static dcs_status write_features(const gis_job *j, OGRLayerH lyr, int points,
                                 OGRwkbGeometryType type, dcs_rtree_boxes *boxes)
{
    const dcs_result *res = j->res;
    size_t n = points ? res->eval.neligible : res->sites.n;
    layer_rows w = {.j = j,
                    .lyr = lyr,
                    .points = points,
                    .multi = type == wkbMultiPolygon,
                    .as_point = type == wkbPoint,
                    .no_geometry = type == wkbNone,
                    .n = n,
                    .boxes = boxes};
    dcs_progress_report(j->progress, row_phase(&w), 0, n);
    size_t done = dcs_feature_pipe(OGR_L_GetLayerDefn(lyr), n, fill_row, put_row, &w,
                                   more_threads(res));
    if (done == n)
        dcs_progress_report(j->progress, row_phase(&w), n, n);
    if (done > n || w.nomem)
        return dcs_error_set(j->err, DCS_ERR_NOMEM, "out of memory");
    if (done < n)
        return dcs_error_set(j->err, DCS_ERR_IO, "cannot write site \"%s\" to '%s': %s",
                             res->sites.id[row_site(&w, done)], j->tmp, gdal_reason());
    return DCS_OK;
}

/* Beside a Shapefile, <name>.fields.csv: every full field name and the
 * name GDAL gave it in the .dbf (10 characters at most). */
static dcs_status write_field_map(const gis_job *j, OGRLayerH lyr, const char *layer_name)
{
    char path[DCS_PATH_MAX];
    snprintf(path, sizeof path, "%s", j->tmp);
    char *dot = strrchr(path, '.');
    if (dot)
        *dot = '\0';
    strncat(path, ".fields.csv", sizeof path - strlen(path) - 1);
    FILE *fp = fopen(path, "w");
    if (!fp)
        return dcs_error_set(j->err, DCS_ERR_IO, "cannot create '%s'", path);
    OGRLayerH full = NULL;
    GDALDriverH mem = GDALGetDriverByName("Memory");
    GDALDatasetH mds = mem ? GDALCreate(mem, "", 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (mds && (full = GDALDatasetCreateLayer(mds, layer_name, NULL, wkbNone, NULL)))
        dcs_gis_fields_create(full, j->res);
    OGRFeatureDefnH a = full ? OGR_L_GetLayerDefn(full) : NULL, b = OGR_L_GetLayerDefn(lyr);
    fprintf(fp, "field,shapefile_field\n");
    for (int k = 0; a && k < OGR_FD_GetFieldCount(b); k++)
        fprintf(fp, "%s,%s\n", OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(a, k)),
                OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(b, k)));
    int bad = ferror(fp) != 0;
    bad |= fclose(fp) != 0;
    if (mds)
        GDALClose(mds);
    return bad || !a ? dcs_error_set(j->err, DCS_ERR_IO, "cannot write '%s'", path) : DCS_OK;
}

/* The geometry type of a layer: points for "eligible_points", else after
 * outputs.geometry. */
static OGRwkbGeometryType geometry_type(const gis_job *j, int points)
{
    if (points || j->geometry == DCS_OUT_POINTS)
        return wkbPoint;
    return j->geometry == DCS_OUT_NONE ? wkbNone : layer_type(j->res);
}

/* A GeoPackage layer GDAL has created, empty, for its rows to be written
 * once GDAL has closed the file: its table, key, geometry column and
 * fields as GDAL named them. */
static dcs_status keep_pending(struct gis_pending *p, OGRLayerH lyr, const char *name,
                               OGRwkbGeometryType type, dcs_error *err)
{
    const char *g = OGR_L_GetGeometryColumn(lyr), *f = OGR_L_GetFIDColumn(lyr);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    snprintf(p->table, sizeof p->table, "%s", name);
    snprintf(p->geom, sizeof p->geom, "%s", g && *g ? g : "geom");
    snprintf(p->fid, sizeof p->fid, "%s", f && *f ? f : "fid");
    p->type = type;
    p->used = 1;
    for (int k = 0; k < OGR_FD_GetFieldCount(defn); k++)
        if (!(p->columns = CSLAddString(p->columns, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, k)))))
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    return DCS_OK;
}

static dcs_status write_layer(gis_job *j, GDALDatasetH ds, const char *name, int points)
{
    OGRwkbGeometryType type = geometry_type(j, points);
    /* GDAL writes a Shapefile without geometry as a lone .dbf, and a
     * FlatGeobuf without geometry that reads back empty */
    if (type == wkbNone && (strcmp(j->fmt->name, "ESRI Shapefile") == 0 ||
                            strcmp(j->fmt->name, "FlatGeobuf") == 0))
        return dcs_error_set(j->err, DCS_ERR_SCENARIO,
                             "outputs.geometry \"none\": a %s layer needs a geometry; use "
                             "--format GPKG or CSV, or outputs.geometry \"points\"",
                             j->fmt->name);
    char **lco = CSLDuplicate(j->lco);
    if (j->own_rows)
        lco = CSLSetNameValue(lco, "SPATIAL_INDEX", "NO");
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, name, j->out, type, lco);
    CSLDestroy(lco);
    if (!lyr || !dcs_gis_fields_create(lyr, j->res))
        return dcs_error_set(j->err, DCS_ERR_IO, "cannot create layer '%s' in '%s': %s", name,
                             j->tmp, gdal_reason());
    if (j->own_rows)
        return keep_pending(&j->pending[points], lyr, name, type, j->err);
    int tx = GDALDatasetTestCapability(ds, ODsCTransactions) &&
             GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
    dcs_status st = DCS_OK;
    if (strcmp(j->fmt->name, "ESRI Shapefile") == 0)
        st = write_field_map(j, lyr, name);
    if (st == DCS_OK)
        st = write_features(j, lyr, points, type, NULL);
    if (tx && st == DCS_OK)
        dcs_progress_report(j->progress,
                            points ? "committing eligible points" : "committing candidates", 0,
                            1);
    if (tx && st == DCS_OK && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        st = dcs_error_set(j->err, DCS_ERR_IO, "cannot commit '%s': %s", j->tmp,
                           gdal_reason());
    return st;
}

/* ---- CSV, formatted here (gis_csv.h) ------------------------------------- */

/* <tmp>.csv: the candidates, or the eligible points, with GDAL's CSV
 * columns (WKT first unless there is no geometry), formatted on both
 * cores (~10x faster than GDAL's CSV driver). */
static dcs_status write_csv(const gis_job *j, int points)
{
    const dcs_result *res = j->res;
    OGRwkbGeometryType type = geometry_type(j, points);
    GDALDriverH mem = GDALGetDriverByName("Memory");
    GDALDatasetH mds = mem ? GDALCreate(mem, "", 0, 0, 0, GDT_Unknown, NULL) : NULL;
    OGRLayerH lyr = mds ? GDALDatasetCreateLayer(mds, "rows", NULL, type, NULL) : NULL;
    dcs_status st;
    if (!lyr || !dcs_gis_fields_create(lyr, res)) {
        st = dcs_error_set(j->err, DCS_ERR_NOMEM, "out of memory");
    } else {
        dcs_gis_csv_layer L = {.res = res,
                               .path = j->tmp,
                               .defn = OGR_L_GetLayerDefn(lyr),
                               .points = points,
                               .wkt = type != wkbNone,
                               .as_point = type == wkbPoint,
                               .multi = type == wkbMultiPolygon,
                               .to_out = j->to_out,
                               .ll_to_out = j->ll_to_out,
                               .progress = j->progress,
                               .threaded = more_threads(res)};
        st = dcs_gis_csv_write(&L, j->err);
    }
    if (mds)
        GDALClose(mds);
    return st;
}

static dcs_status open_transforms(gis_job *j, const char *crs)
{
    const dcs_result *res = j->res;
    j->out = OSRNewSpatialReference(NULL);
    if (!j->out)
        return dcs_error_set(j->err, DCS_ERR_NOMEM, "out of memory");
    OSRSetAxisMappingStrategy(j->out, OAMS_TRADITIONAL_GIS_ORDER);
    if (!crs) {
        OSRRelease(j->out);
        j->out = OSRClone(res->crs.work);
        OSRSetAxisMappingStrategy(j->out, OAMS_TRADITIONAL_GIS_ORDER);
    } else if (OSRSetFromUserInput(j->out, crs) != OGRERR_NONE) {
        return dcs_error_set(j->err, DCS_ERR_SCENARIO, "--crs: cannot use \"%s\": %s", crs,
                             gdal_reason());
    } else {
        j->to_out = OCTNewCoordinateTransformation(res->crs.work, j->out);
    }
    j->ll_to_out = OCTNewCoordinateTransformation(res->crs.lonlat, j->out);
    if ((crs && !j->to_out) || !j->ll_to_out)
        return dcs_error_set(j->err, DCS_ERR_SCENARIO, "--crs: PROJ cannot transform to \"%s\": %s",
                             crs ? crs : res->crs.name, gdal_reason());
    return DCS_OK;
}

static void close_transforms(gis_job *j)
{
    if (j->to_out)
        OCTDestroyCoordinateTransformation(j->to_out);
    if (j->ll_to_out)
        OCTDestroyCoordinateTransformation(j->ll_to_out);
    if (j->out)
        OSRRelease(j->out);
}

/* Layer "routes" (a GeoPackage with routed lines): one line per routed
 * site with a route, cell centres from the site to its substation, with
 * site_id, substation_id, route_km and route_cost_musd. */
static int write_route(const gis_job *j, OGRLayerH lyr, const dcs_routed_line *rl)
{
    const dcs_result *res = j->res;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
    OGRGeometryH g = OGR_G_CreateGeometry(wkbLineString);
    if (!f || !g) {
        OGR_G_DestroyGeometry(g);
        OGR_F_Destroy(f);
        return 0;
    }
    for (size_t v = 0; v < rl->nverts; v++)
        OGR_G_AddPoint_2D(g, rl->x[v], rl->y[v]);
    if (rl->nverts == 1)
        OGR_G_AddPoint_2D(g, rl->x[0], rl->y[0]);
    if (j->to_out && OGR_G_Transform(g, j->to_out) != OGRERR_NONE) {
        OGR_G_DestroyGeometry(g);
        g = NULL;
    }
    OGR_F_SetGeometryDirectly(f, g);
    OGR_F_SetFieldString(f, 0, res->sites.id[rl->site]);
    OGR_F_SetFieldString(f, 1, dcs_site_text(&res->sites, rl->site)[DCS_TCOL_SUB_ID]);
    OGR_F_SetFieldDouble(f, 2, res->routes.km[rl->site]);
    OGR_F_SetFieldDouble(f, 3, res->routes.cost_musd[rl->site]);
    int ok = OGR_L_CreateFeature(lyr, f) == OGRERR_NONE;
    OGR_F_Destroy(f);
    return ok;
}

static dcs_status write_routes(const gis_job *j, GDALDatasetH ds)
{
    const dcs_routes *R = &j->res->routes;
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "routes", j->out, wkbLineString, j->lco);
    int ok = lyr && dcs_gis_field_add(lyr, "site_id", OFTString) &&
             dcs_gis_field_add(lyr, "substation_id", OFTString) && dcs_gis_field_add(lyr, "route_km", OFTReal) &&
             dcs_gis_field_add(lyr, "route_cost_musd", OFTReal);
    int tx = ok && GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
    for (size_t k = 0; ok && k < R->nlines; k++)
        ok = write_route(j, lyr, &R->lines[k]);
    if (tx && ok)
        ok = GDALDatasetCommitTransaction(ds) == OGRERR_NONE;
    return ok ? DCS_OK
              : dcs_error_set(j->err, DCS_ERR_IO, "cannot write layer 'routes' to '%s': %s",
                              j->tmp, gdal_reason());
}

/* Drivers other than GeoPackage (SQLite) ignore failed writes (a full
 * disk) and close without an error, leaving a cut file: read the file back
 * and count its features. */
static dcs_status check_written(const gis_job *j, unsigned layers)
{
    long long want = 0, got = 0;
    if (layers & DCS_GIS_CANDIDATES)
        want += (long long)j->res->sites.n;
    if (layers & DCS_GIS_POINTS)
        want += (long long)j->res->eval.neligible;
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(j->tmp, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    for (int i = 0; ds && i < GDALDatasetGetLayerCount(ds); i++)
        got += (long long)OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, i), 1);
    if (ds)
        GDALClose(ds);
    if (ds && got == want)
        return DCS_OK;
    return dcs_error_set(j->err, DCS_ERR_IO,
                         "cannot write '%s': the file is incomplete (%s%lld of %lld features "
                         "read back; is the disk full?)",
                         j->tmp, ds ? "" : "unreadable, ", got, want);
}

dcs_status dcs_report_gis_layers(const dcs_result *res, const dcs_gis_format *fmt,
                                 const char *crs, GDALDatasetH ds, const char *const names[2],
                                 char **lco, const char *label, const dcs_progress *progress,
                                 dcs_error *err)
{
    gis_job j = {
        .res = res,
        .fmt = fmt,
        .tmp = label,
        .err = err,
        .lco = lco,
        .progress = progress,
        .geometry = res->scn->outputs.geometry,
    };
    dcs_status st = open_transforms(&j, crs);
    if (st == DCS_OK && names[0])
        st = write_layer(&j, ds, names[0], 0);
    if (st == DCS_OK && names[1])
        st = write_layer(&j, ds, names[1], 1);
    close_transforms(&j);
    return st;
}

/* The spatial indexes of a GeoPackage's layers, once GDAL has closed the
 * file: packed in one pass from the boxes collected while writing
 * (gpkg_rtree.h; 1M sites: ~1 s instead of GDAL's ~10 s of row-by-row
 * R-tree inserts, which its background thread made the commit wait for). */
static dcs_status write_indexes(gis_job *j)
{
    dcs_status st = DCS_OK;
    for (int k = 0; st == DCS_OK && k < 2; k++) {
        struct gis_pending *ix = &j->pending[k];
        if (!ix->used || ix->type == wkbNone)
            continue;
        dcs_progress_report(j->progress, k ? "indexing eligible points" : "indexing candidates",
                            0, 1);
        st = dcs_gpkg_rtree_write(j->tmp, ix->table, ix->geom, ix->fid, &ix->boxes, j->err);
    }
    return st;
}

/* The rows of the layers GDAL created empty (gis_gpkg.h). */
static dcs_status write_pending_rows(gis_job *j)
{
    dcs_status st = DCS_OK;
    for (int k = 0; st == DCS_OK && k < 2; k++) {
        struct gis_pending *p = &j->pending[k];
        if (!p->used)
            continue;
        dcs_gis_gpkg_layer L = {.res = j->res,
                                .path = j->tmp,
                                .table = p->table,
                                .fid_col = p->fid,
                                .geom_col = p->type == wkbNone ? NULL : p->geom,
                                .columns = (const char *const *)p->columns,
                                .ncolumns = CSLCount(p->columns),
                                .points = k,
                                .as_point = p->type == wkbPoint,
                                .multi = p->type == wkbMultiPolygon,
                                .to_out = j->to_out,
                                .ll_to_out = j->ll_to_out,
                                .progress = j->progress,
                                .threaded = more_threads(j->res),
                                .split = more_threads(j->res),
                                .busy = j->busy,
                                .boxes = &p->boxes};
        st = dcs_gis_gpkg_rows(&L, j->err);
    }
    return st;
}

static void free_pending(gis_job *j)
{
    for (int k = 0; k < 2; k++) {
        dcs_rtree_boxes_free(&j->pending[k].boxes);
        CSLDestroy(j->pending[k].columns);
    }
}

/* One warning {code, layer, message, plain} at the end of arr; 0 when out
 * of memory. */
static int add_warning(cJSON *arr, const dcs_warning *x)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(arr, o)) { /* arr owns o once added */
        cJSON_Delete(o);
        return 0;
    }
    return cJSON_AddStringToObject(o, "code", dcs_warning_code_name(x->code)) &&
           (x->layer ? cJSON_AddStringToObject(o, "layer", x->layer) != NULL
                     : cJSON_AddNullToObject(o, "layer") != NULL) &&
           cJSON_AddStringToObject(o, "message", x->message) &&
           cJSON_AddStringToObject(o, "plain", dcs_warning_text(x)) &&
           cJSON_AddStringToObject(o, "severity", x->note ? "note" : "warning");
}

/* The run's warnings as the dataset's metadata item DCSITE_WARNINGS: a
 * JSON array of {code, layer, message, plain, severity}, the records of the JSON
 * summary ("[]" when none).  Beside DCSITE_FINGERPRINT; a GeoPackage keeps
 * both in gpkg_metadata (ogrinfo lists them). */
static dcs_status set_warnings(const gis_job *j, GDALDatasetH ds)
{
    const dcs_warnings *w = &j->res->warnings;
    cJSON *arr = cJSON_CreateArray();
    int ok = arr != NULL;
    for (size_t i = 0; ok && i < w->count; i++)
        ok = add_warning(arr, &w->items[i]);
    char *text = ok ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    if (!text)
        return dcs_error_set(j->err, DCS_ERR_NOMEM, "out of memory");
    GDALSetMetadataItem(ds, "DCSITE_WARNINGS", text, NULL);
    cJSON_free(text);
    return DCS_OK;
}

/* A GeoPackage is created with 64 KiB SQLite pages (GDAL's default is
 * 4 KiB): at 1M sites a ~0.9 GB file, written in a sixteenth of the
 * writes and measured 14 % faster (tests/bench/RESULTS.md).  Set for this
 * thread only, and not when the user sets OGR_SQLITE_PRAGMA. */
static GDALDatasetH create_dataset(const dcs_gis_format *fmt, const char *tmp)
{
    int big_pages =
        strcmp(fmt->name, "GPKG") == 0 && !CPLGetConfigOption("OGR_SQLITE_PRAGMA", NULL);
    if (big_pages)
        CPLSetThreadLocalConfigOption("OGR_SQLITE_PRAGMA", "page_size=65536");
    GDALDatasetH ds = GDALCreate(fmt->drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (big_pages)
        CPLSetThreadLocalConfigOption("OGR_SQLITE_PRAGMA", NULL);
    return ds;
}

dcs_status dcs_report_gis(const dcs_result *res, const dcs_gis_format *fmt,
                          const dcs_report_options *opt, unsigned layers, const char *tmp,
                          const atomic_int *busy, dcs_error *err)
{
    gis_job j = {
        .busy = busy,
        .res = res,
        .fmt = fmt,
        .tmp = tmp,
        .err = err,
        .lco = (char **)fmt->lco,
        .progress = &opt->progress,
        .own_rows = strcmp(fmt->name, "GPKG") == 0,
        .geometry = res->scn->outputs.geometry,
    };
    dcs_status st = open_transforms(&j, opt->crs);
    GDALDatasetH ds = NULL;
    if (strcmp(fmt->name, "CSV") == 0) { /* one layer a file, written here */
        if (st == DCS_OK && (layers & DCS_GIS_CANDIDATES))
            st = write_csv(&j, 0);
        if (st == DCS_OK && (layers & DCS_GIS_POINTS))
            st = write_csv(&j, 1);
        close_transforms(&j);
        return st;
    }
    if (st == DCS_OK) {
        CPLErrorReset();
        ds = create_dataset(fmt, tmp);
        if (!ds)
            st = dcs_error_set(err, DCS_ERR_IO, "cannot create '%s' (%s): %s", tmp, fmt->name,
                               gdal_reason());
    }
    if (st == DCS_OK && opt->fingerprint)
        GDALSetMetadataItem(ds, "DCSITE_FINGERPRINT", opt->fingerprint, NULL);
    if (st == DCS_OK)
        st = set_warnings(&j, ds);
    if (st == DCS_OK && (layers & DCS_GIS_CANDIDATES))
        st = write_layer(&j, ds, "candidates", 0);
    if (st == DCS_OK && (layers & DCS_GIS_POINTS))
        st = write_layer(&j, ds, "eligible_points", 1);
    if (st == DCS_OK && res->has_routes && (layers & DCS_GIS_CANDIDATES) &&
        strcmp(fmt->name, "GPKG") == 0)
        st = write_routes(&j, ds);
    if (st == DCS_OK && strcmp(fmt->name, "GPKG") == 0) {
        const char *const names[2] = {layers & DCS_GIS_CANDIDATES ? "candidates" : NULL,
                                      layers & DCS_GIS_POINTS ? "eligible_points" : NULL};
        st = dcs_report_style_gpkg(res, ds, names, tmp, err);
    }
    if (ds) {
        if (st == DCS_OK)
            dcs_progress_report(&opt->progress,
                                j.own_rows ? "creating the GIS file" : "closing the GIS file",
                                0, 1);
        CPLErrorReset();
        GDALClose(ds);
        if (st == DCS_OK && CPLGetLastErrorType() >= CE_Failure)
            st = dcs_error_set(err, DCS_ERR_IO, "cannot finish '%s': %s", tmp,
                               gdal_reason());
        if (st == DCS_OK && strcmp(fmt->name, "GPKG") != 0)
            st = check_written(&j, layers);
        if (st == DCS_OK && j.own_rows)
            st = write_pending_rows(&j);
        if (st == DCS_OK)
            st = write_indexes(&j);
    }
    free_pending(&j);
    close_transforms(&j);
    return st;
}
