/* route_run.c - routed lines of a run. See route_run.h. */
#include "pipeline/route_run.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <gdalwarper.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/special.h"
#include "core/strlist.h"
#include "geometry/route.h"
#include "inputs/layers.h"
#include "pipeline/measure.h"

/* A substation point some routed site connects to. */
typedef struct {
    char *id;
    double kv, x, y;
} sub_point;

typedef struct {
    dcs_result *res;
    const dcs_route_settings *rs;
    size_t *site;         /* n routed sites, in rank order */
    double *sx, *sy;      /* their points in the working CRS */
    size_t n;
    sub_point *subs;      /* nsubs, sorted by id */
    size_t nsubs;
    char *wkt;            /* the working CRS */
    double cell_m;
    dcs_route_grid g;
    double *cost;
    unsigned char *bar;
    dcs_route_cell *cells; /* scratch: the current site's cells */
    size_t ncells, cells_cap;
} route_job;

static const char *gdal_reason(void)
{
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : "no reason given";
}

static const char *sub_id_of(const dcs_result *res, size_t i)
{
    return dcs_site_text(&res->sites, i)[DCS_TCOL_SUB_ID];
}

/* The eligible sites to route, in rank order, with a substation. */
static dcs_status pick_sites(route_job *j, dcs_error *err)
{
    const dcs_result *res = j->res;
    size_t m = res->eval.neligible;
    size_t top = j->rs->top_n ? j->rs->top_n : res->scn->outputs.top_n;
    if (!j->rs->all_eligible && top < m)
        m = top;
    j->site = malloc((m ? m : 1) * sizeof *j->site);
    j->sx = malloc((m ? m : 1) * sizeof *j->sx);
    j->sy = malloc((m ? m : 1) * sizeof *j->sy);
    if (!j->site || !j->sx || !j->sy)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (routes)");
    for (size_t r = 0; r < m; r++) {
        size_t i = res->eval.order[r];
        if (sub_id_of(res, i) && !isnan(dcs_site_num(&res->sites, i)[DCS_COL_SUB_KM]))
            j->site[j->n++] = i;
    }
    return DCS_OK;
}

/* The sites' points (lon/lat) in the working CRS. */
static dcs_status site_points(route_job *j, dcs_error *err)
{
    const dcs_result *res = j->res;
    for (size_t k = 0; k < j->n; k++) {
        j->sx[k] = res->sites.lon[j->site[k]];
        j->sy[k] = res->sites.lat[j->site[k]];
    }
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(res->crs.lonlat,
                                                                     res->crs.work);
    int ok = ct && (j->n == 0 || OCTTransform(ct, (int)j->n, j->sx, j->sy, NULL));
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    return ok ? DCS_OK
              : dcs_error_set(err, DCS_ERR_DATA,
                              "interconnection.route: cannot put the sites' points in the "
                              "working CRS %s: %s", res->crs.name, gdal_reason());
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_sub(const void *a, const void *b)
{
    return strcmp(((const sub_point *)a)->id, ((const sub_point *)b)->id);
}

/* The routed sites' substation ids, sorted (pointers into the sites). */
static const char **wanted_ids(const route_job *j)
{
    const char **ids = malloc((j->n ? j->n : 1) * sizeof *ids);
    for (size_t k = 0; ids && k < j->n; k++)
        ids[k] = sub_id_of(j->res, j->site[k]);
    if (ids)
        qsort(ids, j->n, sizeof *ids, cmp_str);
    return ids;
}

/* Keep feature f when its id is wanted: id, voltage, point in the working CRS. */
static int keep_sub(route_job *j, dcs_layer *L, OGRFeatureH f, const int fields[2],
                    const char **ids, size_t *cap)
{
    char fid[32];
    snprintf(fid, sizeof fid, "%lld", (long long)OGR_F_GetFID(f));
    const char *id = fields[0] >= 0 && OGR_F_IsFieldSetAndNotNull(f, fields[0])
                         ? OGR_F_GetFieldAsString(f, fields[0])
                         : fid;
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || !bsearch(&id, ids, j->n, sizeof *ids, cmp_str))
        return 0;
    OGRGeometryH p = OGR_G_Clone(g);
    if (!p || (!L->in_work_crs && OGR_G_Transform(p, L->to_work) != OGRERR_NONE)) {
        OGR_G_DestroyGeometry(p);
        return 0;
    }
    if (j->nsubs == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        sub_point *s = realloc(j->subs, c * sizeof *s);
        if (!s) {
            OGR_G_DestroyGeometry(p);
            return -1;
        }
        j->subs = s;
        *cap = c;
    }
    sub_point *s = &j->subs[j->nsubs];
    *s = (sub_point){.id = dcs_strdup(id), .kv = dcs_field_double(f, fields[1]),
                     .x = OGR_G_GetX(p, 0), .y = OGR_G_GetY(p, 0)};
    OGR_G_DestroyGeometry(p);
    j->nsubs += s->id != NULL;
    return s->id ? 0 : -1;
}

static dcs_status read_subs(route_job *j, dcs_layer *L, const char **ids, dcs_error *err)
{
    const dcs_scenario *scn = j->res->scn;
    int fields[2] = {-1, dcs_layer_field(L, scn->substations.voltage_field, err)};
    if (scn->substations.id_field)
        fields[0] = dcs_layer_field(L, scn->substations.id_field, err);
    if (fields[1] < 0 || (scn->substations.id_field && fields[0] < 0))
        return DCS_ERR_DATA;
    size_t cap = 0;
    OGRFeatureH f;
    dcs_status st = DCS_OK;
    while (st == DCS_OK && (dcs_layer_next_raw(L, &f), f)) {
        if (keep_sub(j, L, f, fields, ids, &cap) < 0)
            st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (routes' substations)");
        OGR_F_Destroy(f);
    }
    return st;
}

/* The routed sites' substations, re-read from the substation layer. */
static dcs_status load_subs(route_job *j, dcs_error *err)
{
    const char **ids = wanted_ids(j);
    dcs_layer L = {0};
    if (!ids)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (routes)");
    dcs_status st = dcs_layer_open(&L, "substations", &j->res->scn->substations.src,
                                   DCS_GEOM_POINT, err);
    if (st == DCS_OK)
        st = dcs_layer_prepare(&L, &j->res->crs, err);
    if (st == DCS_OK)
        st = read_subs(j, &L, ids, err);
    dcs_layer_close(&L);
    free(ids);
    if (st == DCS_OK)
        qsort(j->subs, j->nsubs, sizeof *j->subs, cmp_sub);
    return st;
}

/* ---- the grid ----------------------------------------------------------- */

/* The cost raster's cell size once warped to the working CRS (GDAL's
 * suggestion for the warp). */
static dcs_status raster_cell_m(GDALDatasetH src, const char *wkt, double *cell_m,
                                dcs_error *err)
{
    char **opt = CSLSetNameValue(NULL, "DST_SRS", wkt);
    void *tr = GDALCreateGenImgProjTransformer2(src, NULL, opt);
    CSLDestroy(opt);
    double gt[6], ext[4];
    int w = 0, h = 0;
    CPLErr e = tr ? GDALSuggestedWarpOutput2(src, GDALGenImgProjTransform, tr, gt, &w, &h,
                                             ext, 0)
                  : CE_Failure;
    if (tr)
        GDALDestroyGenImgProjTransformer(tr);
    if (e != CE_None || !(fabs(gt[1]) > 0))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "interconnection.route.cost_raster: cannot find its cell size in "
                             "the working CRS (%s); give interconnection.route.cell_m",
                             gdal_reason());
    *cell_m = fabs(gt[1]);
    return DCS_OK;
}

static dcs_status open_cost(const route_job *j, GDALDatasetH *out, dcs_error *err)
{
    const char *path = j->rs->cost_raster;
    char kind[64];
    if (dcs_special_file(path, kind, sizeof kind))
        return dcs_error_set(err, DCS_ERR_DATA, "interconnection.route.cost_raster: cannot open "
                             "'%s': it is %s, not a raster", path, kind);
    CPLErrorReset();
    GDALDatasetH src = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    char why[256];
    if (!src)
        return dcs_error_set(err, DCS_ERR_IO,
                             "interconnection.route.cost_raster: cannot open '%s': %s", path,
                             dcs_open_failure(path, "a raster", why, sizeof why));
    int crs = GDALGetProjectionRef(src)[0] != '\0';
    if (j->rs->cost_band > GDALGetRasterCount(src) || !crs) {
        dcs_error_set(err, DCS_ERR_DATA, "interconnection.route.cost_raster: '%s' %s; %s", path,
                      crs ? "has fewer bands than \"band\"" : "has no CRS",
                      crs ? "use a band it has" : "assign one (gdal_edit.py -a_srs)");
        GDALClose(src);
        return DCS_ERR_DATA;
    }
    *out = src;
    return DCS_OK;
}

/* The box of the sites and their substations, grown by the margin and one
 * cell, on multiples of the cell; width, height and geotransform. */
static dcs_status size_grid(route_job *j, dcs_error *err)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t k = 0; k < j->n; k++) {
        x0 = fmin(x0, j->sx[k]), x1 = fmax(x1, j->sx[k]);
        y0 = fmin(y0, j->sy[k]), y1 = fmax(y1, j->sy[k]);
    }
    for (size_t k = 0; k < j->nsubs; k++) {
        x0 = fmin(x0, j->subs[k].x), x1 = fmax(x1, j->subs[k].x);
        y0 = fmin(y0, j->subs[k].y), y1 = fmax(y1, j->subs[k].y);
    }
    double c = j->cell_m, grow = j->rs->margin_km * 1000 + c;
    x0 = floor((x0 - grow) / c) * c, y0 = floor((y0 - grow) / c) * c;
    x1 = ceil((x1 + grow) / c) * c, y1 = ceil((y1 + grow) / c) * c;
    double w = (x1 - x0) / c, h = (y1 - y0) / c;
    if (!(w * h <= (double)DCS_ROUTE_MAX_GRID_CELLS))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "interconnection.route: the grid over the %zu routed sites and "
                             "their substations would be %.0f x %.0f cells of %g m (at most "
                             "%ld); raise cell_m, lower margin_km or route fewer sites (top_n)",
                             j->n, w, h, c, DCS_ROUTE_MAX_GRID_CELLS);
    j->g = (dcs_route_grid){.width = (long)lround(w), .height = (long)lround(h),
                            .gt = {x0, c, 0, y1, 0, -c}};
    return DCS_OK;
}

/* An empty MEM raster over the grid. */
static GDALDatasetH mem_grid(const route_job *j, GDALDataType type)
{
    GDALDriverH mem = GDALGetDriverByName("MEM");
    GDALDatasetH ds = mem ? GDALCreate(mem, "", (int)j->g.width, (int)j->g.height, 1, type,
                                       NULL)
                          : NULL;
    if (ds) {
        GDALSetGeoTransform(ds, (double *)j->g.gt);
        GDALSetProjection(ds, j->wkt);
    }
    return ds;
}

/* The cost raster warped into the grid (nearest neighbour). */
static dcs_status warp_cost(route_job *j, GDALDatasetH src, GDALDatasetH dst, dcs_error *err)
{
    GDALRasterBandH sb = GDALGetRasterBand(src, j->rs->cost_band);
    GDALRasterBandH db = GDALGetRasterBand(dst, 1);
    GDALSetRasterNoDataValue(db, NAN);
    GDALFillRaster(db, NAN, 0);
    GDALWarpOptions *wo = GDALCreateWarpOptions();
    wo->nBandCount = 1;
    wo->panSrcBands = CPLMalloc(sizeof(int));
    wo->panDstBands = CPLMalloc(sizeof(int));
    wo->panSrcBands[0] = j->rs->cost_band;
    wo->panDstBands[0] = 1;
    int has = 0;
    double nd = GDALGetRasterNoDataValue(sb, &has);
    if (has) {
        wo->padfSrcNoDataReal = CPLMalloc(sizeof(double));
        wo->padfSrcNoDataReal[0] = nd;
    }
    wo->padfDstNoDataReal = CPLMalloc(sizeof(double));
    wo->padfDstNoDataReal[0] = NAN;
    wo->papszWarpOptions = CSLSetNameValue(NULL, "INIT_DEST", "NO_DATA");
    CPLErrorReset();
    CPLErr e = GDALReprojectImage(src, NULL, dst, NULL, GRA_NearestNeighbour, 0, 0.0, NULL,
                                  NULL, wo);
    GDALDestroyWarpOptions(wo);
    if (e == CE_None)
        e = GDALRasterIO(db, GF_Read, 0, 0, (int)j->g.width, (int)j->g.height, j->cost,
                         (int)j->g.width, (int)j->g.height, GDT_Float64, 0, 0);
    return e == CE_None ? DCS_OK
                        : dcs_error_set(err, DCS_ERR_DATA,
                                        "interconnection.route.cost_raster: cannot warp '%s' "
                                        "into the routing grid: %s",
                                        j->rs->cost_raster, gdal_reason());
}

/* Friction per cell: the cost raster's (<= 0 and nodata impassable), else 1. */
static dcs_status fill_cost(route_job *j, GDALDatasetH src, dcs_error *err)
{
    size_t cells = (size_t)j->g.width * (size_t)j->g.height;
    if (!(j->cost = malloc(cells * sizeof *j->cost)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (a routing grid of %zu cells)",
                             cells);
    for (size_t c = 0; !src && c < cells; c++)
        j->cost[c] = 1;
    if (!src)
        return DCS_OK;
    GDALDatasetH dst = mem_grid(j, GDT_Float64);
    dcs_status st = dst ? warp_cost(j, src, dst, err)
                        : dcs_error_set(err, DCS_ERR_NOMEM,
                                        "out of memory (a routing grid of %zu cells)", cells);
    if (dst)
        GDALClose(dst);
    for (size_t c = 0; st == DCS_OK && c < cells; c++)
        if (!(j->cost[c] > 0) || !isfinite(j->cost[c]))
            j->cost[c] = NAN;
    return st;
}

/* Burn barrier b into the mask (every cell it touches). */
static dcs_status burn_barrier(const route_job *j, GDALDatasetH ds, size_t b, dcs_error *err)
{
    const dcs_route_barrier *rb = &j->rs->barriers[b];
    char role[96];
    snprintf(role, sizeof role, "interconnection.route.barriers[%zu]", b);
    dcs_layer L = {0};
    dcs_status st = dcs_layer_open(&L, role, &rb->src, DCS_GEOM_ANY, err);
    int band = 1;
    double burn = rb->hard ? DCS_ROUTE_HARD : DCS_ROUTE_SOFT;
    char **opt = CSLSetNameValue(NULL, "ALL_TOUCHED", "TRUE");
    CPLErrorReset();
    if (st == DCS_OK && GDALRasterizeLayers(ds, 1, &band, 1, (OGRLayerH *)&L.lyr, NULL, NULL,
                                            &burn, opt, NULL, NULL) != CE_None)
        st = dcs_error_set(err, DCS_ERR_DATA, "%s: cannot rasterize '%s' into the routing "
                           "grid: %s", role, rb->src.dataset, gdal_reason());
    CSLDestroy(opt);
    dcs_layer_close(&L);
    return st;
}

/* The barrier mask: soft barriers, then hard ones over them. */
static dcs_status fill_barriers(route_job *j, dcs_error *err)
{
    size_t cells = (size_t)j->g.width * (size_t)j->g.height;
    if (j->rs->nbarriers == 0)
        return DCS_OK;
    GDALDatasetH ds = mem_grid(j, GDT_Byte);
    if (!ds || !(j->bar = malloc(cells))) {
        if (ds)
            GDALClose(ds);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (a barrier mask of %zu cells)",
                             cells);
    }
    dcs_status st = DCS_OK;
    for (int hard = 0; hard < 2; hard++)
        for (size_t b = 0; st == DCS_OK && b < j->rs->nbarriers; b++)
            if (j->rs->barriers[b].hard == hard)
                st = burn_barrier(j, ds, b, err);
    if (st == DCS_OK &&
        GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, (int)j->g.width,
                     (int)j->g.height, j->bar, (int)j->g.width, (int)j->g.height, GDT_Byte, 0,
                     0) != CE_None)
        st = dcs_error_set(err, DCS_ERR_DATA, "cannot read the barrier mask: %s",
                           gdal_reason());
    GDALClose(ds);
    j->g.barrier = j->bar;
    return st;
}

static dcs_status build_grid(route_job *j, dcs_error *err)
{
    GDALDatasetH src = NULL;
    dcs_status st = j->rs->cost_raster ? open_cost(j, &src, err) : DCS_OK;
    j->cell_m = j->rs->cell_m > 0 ? j->rs->cell_m : 100;
    if (st == DCS_OK && src && !(j->rs->cell_m > 0))
        st = raster_cell_m(src, j->wkt, &j->cell_m, err);
    if (st == DCS_OK)
        st = size_grid(j, err);
    if (st == DCS_OK)
        st = fill_cost(j, src, err);
    if (src)
        GDALClose(src);
    j->g.cost = j->cost;
    return st == DCS_OK ? fill_barriers(j, err) : st;
}

/* ---- routing ------------------------------------------------------------ */

/* 1 when the cell cannot be entered. */
static int blocked(const dcs_route_grid *g, dcs_route_cell c)
{
    size_t i = (size_t)c.row * (size_t)g->width + (size_t)c.col;
    return isnan(g->cost[i]) || (g->barrier && g->barrier[i] >= DCS_ROUTE_HARD);
}

/* The cells of site k's substation (same id and voltage), open ones only;
 * *nfound counts the points found at all. */
static size_t target_cells(const route_job *j, size_t k, dcs_route_cell *t, size_t *nfound)
{
    const dcs_result *res = j->res;
    sub_point key = {.id = (char *)sub_id_of(res, j->site[k])};
    double kv = dcs_site_num(&res->sites, j->site[k])[DCS_COL_SUB_KV];
    sub_point *s = bsearch(&key, j->subs, j->nsubs, sizeof *j->subs, cmp_sub);
    size_t n = 0;
    *nfound = 0;
    while (s && s > j->subs && strcmp(s[-1].id, key.id) == 0)
        s--;
    for (; s && s < j->subs + j->nsubs && strcmp(s->id, key.id) == 0; s++) {
        if (!(s->kv == kv || (isnan(s->kv) && isnan(kv))))
            continue;
        (*nfound)++;
        if (dcs_route_cell_of(&j->g, s->x, s->y, &t[n]) == 0 && !blocked(&j->g, t[n]))
            n++;
    }
    return n;
}

/* The M$ per km of the voltage class of site i's substation. */
static double musd_per_km(const dcs_result *res, size_t i)
{
    return dcs_interconnect_cost(res->scn, 1, dcs_site_num(&res->sites, i)[DCS_COL_SUB_KV],
                                 INFINITY, 0);
}

/* Keep the route of site k: km, cost, line. */
static dcs_status keep_route(route_job *j, size_t k, const dcs_route *rt, dcs_error *err)
{
    dcs_result *res = j->res;
    dcs_routes *R = &res->routes;
    size_t i = j->site[k];
    const double *num = dcs_site_num(&res->sites, i);
    double per_km = musd_per_km(res, i);
    R->km[i] = rt->length_km;
    R->cost_musd[i] = num[DCS_COL_INTERCONNECT_MUSD] - num[DCS_COL_SUB_KM] * per_km +
                      rt->cost * per_km;
    dcs_routed_line *L = &R->lines[R->nlines];
    *L = (dcs_routed_line){.site = i, .nverts = rt->nverts,
                           .x = malloc(rt->nverts * sizeof(double)),
                           .y = malloc(rt->nverts * sizeof(double))};
    R->nlines++;
    if (!L->x || !L->y)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (routes)");
    memcpy(L->x, rt->x, rt->nverts * sizeof(double));
    memcpy(L->y, rt->y, rt->nverts * sizeof(double));
    return DCS_OK;
}

/* Site i gets no route: the note says why. */
static dcs_status no_route(route_job *j, size_t i, const char *fmt, const char *what)
{
    char buf[DCS_ERROR_MAX + 160];
    snprintf(buf, sizeof buf, fmt, sub_id_of(j->res, i), what);
    j->res->routes.unreachable++;
    j->res->routes.note[i] = dcs_strdup(buf);
    return j->res->routes.note[i] ? DCS_OK : DCS_ERR_NOMEM;
}

/* Append cell c to *cells (growing it); -1 when out of memory. */
static int push_cell(dcs_route_cell **cells, size_t *n, size_t *cap, dcs_route_cell c)
{
    if (*n == *cap) {
        size_t m = *cap ? 2 * *cap : 64;
        dcs_route_cell *p = realloc(*cells, m * sizeof *p);
        if (!p)
            return -1;
        *cells = p;
        *cap = m;
    }
    (*cells)[(*n)++] = c;
    return 0;
}

/* The open cells whose centres lie inside site k, else the open cell of
 * its point: where a line may end at the site (so the route, like
 * substation_km, reaches the site's boundary).  -1 when out of memory. */
static int site_cells(const route_job *j, size_t k, dcs_route_cell **cells, size_t *n,
                      size_t *cap)
{
    const dcs_result *res = j->res;
    const dcs_route_grid *g = &j->g;
    GEOSContextHandle_t geos = res->geos;
    GEOSGeometry *site = dcs_site_geometry(&res->sites, j->site[k], geos);
    const GEOSPreparedGeometry *prep = site ? GEOSPrepare_r(geos, site) : NULL;
    double x0, y0, x1, y1;
    int nomem = 0;
    *n = 0;
    if (prep && GEOSGeom_getXMin_r(geos, site, &x0) && GEOSGeom_getYMin_r(geos, site, &y0) &&
        GEOSGeom_getXMax_r(geos, site, &x1) && GEOSGeom_getYMax_r(geos, site, &y1)) {
        long c0 = (long)floor((x0 - g->gt[0]) / g->gt[1]), c1 = (long)ceil((x1 - g->gt[0]) / g->gt[1]);
        long r0 = (long)floor((y1 - g->gt[3]) / g->gt[5]), r1 = (long)ceil((y0 - g->gt[3]) / g->gt[5]);
        for (long r = r0 < 0 ? 0 : r0; !nomem && r <= r1 && r < g->height; r++)
            for (long c = c0 < 0 ? 0 : c0; !nomem && c <= c1 && c < g->width; c++) {
                dcs_route_cell cell = {.col = c, .row = r};
                GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(
                    geos, g->gt[0] + (c + 0.5) * g->gt[1], g->gt[3] + (r + 0.5) * g->gt[5]);
                if (pt && GEOSPreparedContains_r(geos, prep, pt) == 1 && !blocked(g, cell))
                    nomem = push_cell(cells, n, cap, cell) != 0;
                if (pt)
                    GEOSGeom_destroy_r(geos, pt);
            }
    }
    if (prep)
        GEOSPreparedGeom_destroy_r(geos, prep);
    if (site)
        GEOSGeom_destroy_r(geos, site);
    dcs_route_cell own;
    if (!nomem && *n == 0 && dcs_route_cell_of(g, j->sx[k], j->sy[k], &own) == 0 &&
        !blocked(g, own))
        nomem = push_cell(cells, n, cap, own) != 0;
    return nomem ? -1 : 0;
}

/* A route found from the substation, turned to run from the site. */
static void reverse_route(dcs_route *rt)
{
    for (size_t a = 0, b = rt->nverts ? rt->nverts - 1 : 0; a < b; a++, b--) {
        double x = rt->x[a], y = rt->y[a];
        rt->x[a] = rt->x[b], rt->y[a] = rt->y[b];
        rt->x[b] = x, rt->y[b] = y;
    }
}

/* Route site k; a site without a route gets a note. */
static dcs_status route_site(route_job *j, size_t k, dcs_route_cell *t, dcs_route_work *w,
                             dcs_route *rt, dcs_error *err)
{
    size_t i = j->site[k], nfound;
    double per_km = musd_per_km(j->res, i);
    if (site_cells(j, k, &j->cells, &j->ncells, &j->cells_cap) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (routes)");
    if (j->ncells == 0)
        return no_route(j, i, "unreachable: the site's cells are impassable (no friction in "
                        "the cost raster, or under a hard barrier); no route to %s%s", "");
    size_t nt = target_cells(j, k, t, &nfound);
    if (nfound == 0)
        return no_route(j, i, "not routed: substation %s was not found again in the "
                        "substation layer%s", "");
    if (nt == 0)
        return no_route(j, i, "unreachable: substation %s lies in an impassable cell or under "
                        "a hard barrier%s", "");
    dcs_route_opts o = {
        .neighbours = j->rs->neighbours,
        .soft_factor = j->rs->soft_factor,
        .soft_penalty = per_km > 0 ? j->rs->soft_penalty_musd / per_km : 0,
        .window_margin_m = j->rs->margin_km * 1000,
    };
    dcs_error e = {0};
    /* from the substation to the nearest open cell of the site */
    dcs_status st = dcs_route_find(&j->g, &o, t[0], j->cells, j->ncells, w, rt, &e);
    if (st == DCS_OK) {
        reverse_route(rt);
        return keep_route(j, k, rt, err);
    }
    if (st == DCS_ERR_NOMEM)
        return dcs_error_set(err, st, "%s", e.message);
    char what[96];
    snprintf(what, sizeof what, " within margin_km (%g km) of the site and the substation",
             j->rs->margin_km);
    return rt->cells_settled > 0
               ? no_route(j, i, "unreachable: hard barriers or impassable cells close every "
                          "path to substation %s%s", what)
               : no_route(j, i, "not routed (to %s): %s", e.message);
}

static dcs_status route_all(route_job *j, dcs_error *err)
{
    dcs_routes *R = &j->res->routes;
    size_t n = j->res->sites.n, maxt = j->nsubs ? j->nsubs : 1;
    R->km = malloc((n ? n : 1) * sizeof *R->km);
    R->cost_musd = malloc((n ? n : 1) * sizeof *R->cost_musd);
    R->note = calloc(n ? n : 1, sizeof *R->note);
    R->lines = calloc(j->n ? j->n : 1, sizeof *R->lines);
    dcs_route_cell *t = malloc(maxt * sizeof *t);
    if (!R->km || !R->cost_musd || !R->note || !R->lines || !t) {
        free(t);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (routes)");
    }
    for (size_t i = 0; i < n; i++)
        R->km[i] = R->cost_musd[i] = NAN;
    dcs_route_work w = {0};
    dcs_route rt = {0};
    dcs_status st = DCS_OK;
    for (size_t k = 0; st == DCS_OK && k < j->n; k++, R->routed++)
        st = route_site(j, k, t, &w, &rt, err);
    if (st == DCS_ERR_NOMEM)
        dcs_error_set(err, st, "out of memory (routes)");
    dcs_route_work_free(&w);
    dcs_route_free(&rt);
    free(t);
    return st;
}

static void job_free(route_job *j)
{
    for (size_t k = 0; k < j->nsubs; k++)
        free(j->subs[k].id);
    free(j->subs);
    free(j->site);
    free(j->sx);
    free(j->sy);
    free(j->cost);
    free(j->bar);
    free(j->cells);
    CPLFree(j->wkt);
}

dcs_status dcs_route_run(dcs_result *res, dcs_error *err)
{
    const dcs_route_settings *rs = &res->scn->interconnection.route;
    if (!rs->enabled)
        return DCS_OK;
    route_job j = {.res = res, .rs = rs};
    dcs_status st = pick_sites(&j, err);
    if (st == DCS_OK && OSRExportToWkt(res->crs.work, &j.wkt) != OGRERR_NONE)
        st = dcs_error_set(err, DCS_ERR_DATA, "cannot describe the working CRS %s",
                           res->crs.name);
    if (st == DCS_OK)
        st = site_points(&j, err);
    if (st == DCS_OK && j.n)
        st = load_subs(&j, err);
    if (st == DCS_OK && j.n)
        st = build_grid(&j, err);
    res->has_routes = 1;
    res->routes.neighbours = rs->neighbours;
    res->routes.cell_m = j.n ? j.cell_m : rs->cell_m > 0 ? rs->cell_m : NAN;
    res->routes.width = j.g.width;
    res->routes.height = j.g.height;
    if (st == DCS_OK)
        st = route_all(&j, err);
    job_free(&j);
    return st;
}
