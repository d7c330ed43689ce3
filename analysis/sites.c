/* sites.c - load candidate sites. See sites.h. */
#include "sites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "grid.h"
#include "strlist.h"

static int grow(dcs_sites *s)
{
    if (s->n < s->cap)
        return 0;
    size_t cap = s->cap ? s->cap * 2 : 1024;
    char **id = realloc(s->id, cap * sizeof *id);
    if (id)
        s->id = id;
    GEOSGeometry **geom = realloc(s->geom, cap * sizeof *geom);
    if (geom)
        s->geom = geom;
    double *lon = realloc(s->lon, cap * sizeof *lon);
    if (lon)
        s->lon = lon;
    double *lat = realloc(s->lat, cap * sizeof *lat);
    if (lat)
        s->lat = lat;
    double *x = realloc(s->x, cap * sizeof *x);
    if (x)
        s->x = x;
    double *y = realloc(s->y, cap * sizeof *y);
    if (y)
        s->y = y;
    double *num = realloc(s->num, cap * (s->nnum ? s->nnum : 1) * sizeof *num);
    if (num)
        s->num = num;
    char **text = realloc(s->text, cap * (s->ntext ? s->ntext : 1) * sizeof *text);
    if (text)
        s->text = text;
    if (!id || !geom || !lon || !lat || !x || !y || !num || !text)
        return -1;
    s->cap = cap;
    return 0;
}

static void sites_init(dcs_sites *s, const dcs_model *m, GEOSContextHandle_t geos)
{
    memset(s, 0, sizeof *s);
    s->geos = geos;
    s->nnum = m->nnum;
    s->ntext = m->ntext;
}

/* Blank metric rows for site i: every number NaN, every text NULL. */
static void blank_row(dcs_sites *s, size_t i)
{
    for (size_t k = 0; k < s->nnum; k++)
        dcs_site_num(s, i)[k] = NAN;
    for (size_t k = 0; k < s->ntext; k++)
        dcs_site_text(s, i)[k] = NULL;
}

/* A point on the site's surface, in the working CRS and in lon/lat. */
static void representative_point(dcs_sites *s, size_t i, const dcs_crs *crs)
{
    s->lon[i] = s->lat[i] = s->x[i] = s->y[i] = NAN;
    GEOSGeometry *p = GEOSPointOnSurface_r(s->geos, s->geom[i]);
    double x, y;
    if (p && GEOSGeomGetX_r(s->geos, p, &x) && GEOSGeomGetY_r(s->geos, p, &y)) {
        s->x[i] = x;
        s->y[i] = y;
        if (OCTTransform(crs->work_to_lonlat, 1, &x, &y, NULL)) {
            s->lon[i] = x;
            s->lat[i] = y;
        }
    }
    if (p)
        GEOSGeom_destroy_r(s->geos, p);
}

static char *feature_id(OGRFeatureH f, int id_field)
{
    if (id_field < 0) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)OGR_F_GetFID(f));
        return dcs_strdup(buf);
    }
    if (!OGR_F_IsFieldSetAndNotNull(f, id_field))
        return NULL;
    return dcs_strdup(OGR_F_GetFieldAsString(f, id_field));
}

static void read_attributes(dcs_sites *s, size_t i, const dcs_model *m, OGRFeatureH f,
                            const int *fields)
{
    for (size_t a = 0; a < m->scn->sites.nattrs; a++) {
        const dcs_metric *mt = &m->metrics[m->attr_first + a];
        if (mt->kind == DCS_NUM)
            dcs_site_num(s, i)[mt->col] = dcs_field_double(f, fields[a]);
        else if (OGR_F_IsFieldSetAndNotNull(f, fields[a]))
            dcs_site_text(s, i)[mt->col] = dcs_strdup(OGR_F_GetFieldAsString(f, fields[a]));
    }
}

static dcs_status add_site(dcs_sites *s, const dcs_model *m, const dcs_crs *crs,
                           OGRFeatureH f, GEOSGeometry *g, OGRGeometryH lonlat, int id_field,
                           const int *fields, dcs_error *err)
{
    if (grow(s) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading sites");
    size_t i = s->n;
    s->id[i] = feature_id(f, id_field);
    if (!s->id[i])
        return dcs_error_set(err, DCS_ERR_DATA, "sites: feature %lld has no id (field '%s' is null)",
                             (long long)OGR_F_GetFID(f),
                             OGR_Fld_GetNameRef(OGR_F_GetFieldDefnRef(f, id_field)));
    s->geom[i] = g;
    blank_row(s, i);
    s->n++;
    int t = GEOSGeomTypeId_r(s->geos, g);
    if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
        dcs_site_num(s, i)[DCS_COL_AREA_HA] = dcs_geodesic_area_m2(lonlat) / 1e4;
    representative_point(s, i, crs);
    read_attributes(s, i, m, f, fields);
    return DCS_OK;
}

static int compare_ids(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static dcs_status check_unique_ids(const dcs_sites *s, dcs_error *err)
{
    char **sorted = malloc((s->n ? s->n : 1) * sizeof *sorted);
    if (!sorted)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    memcpy(sorted, s->id, s->n * sizeof *sorted);
    qsort(sorted, s->n, sizeof *sorted, compare_ids);
    dcs_status st = DCS_OK;
    for (size_t i = 1; i < s->n && st == DCS_OK; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            st = dcs_error_set(err, DCS_ERR_DATA,
                               "sites: id \"%s\" is used by more than one feature; "
                               "site ids must be unique",
                               sorted[i]);
    free(sorted);
    return st;
}

static dcs_status attribute_fields(dcs_layer *L, const dcs_model *m, int *fields,
                                   dcs_error *err)
{
    for (size_t a = 0; a < m->scn->sites.nattrs; a++)
        if ((fields[a] = dcs_layer_field(L, m->scn->sites.attrs[a].field, err)) < 0)
            return DCS_ERR_DATA;
    return DCS_OK;
}

dcs_status dcs_sites_load(dcs_layer *L, const dcs_model *m, const dcs_crs *crs,
                          GEOSContextHandle_t geos, dcs_sites *s, dcs_error *err)
{
    sites_init(s, m, geos);
    int id_field = -1;
    int *fields = calloc(m->scn->sites.nattrs + 1, sizeof *fields);
    if (!fields)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_status st = DCS_OK;
    if (m->scn->sites.id_field && (id_field = dcs_layer_field(L, m->scn->sites.id_field, err)) < 0)
        st = DCS_ERR_DATA;
    if (st == DCS_OK)
        st = attribute_fields(L, m, fields, err);
    while (st == DCS_OK) {
        OGRFeatureH f;
        GEOSGeometry *g;
        OGRGeometryH ll;
        st = dcs_layer_next_geos(L, geos, &f, &g, &ll, err);
        if (st != DCS_OK || !f)
            break;
        st = add_site(s, m, crs, f, g, ll, id_field, fields, err);
        if (st != DCS_OK && (s->n == 0 || s->geom[s->n - 1] != g))
            GEOSGeom_destroy_r(geos, g);
        OGR_G_DestroyGeometry(ll);
        OGR_F_Destroy(f);
    }
    free(fields);
    if (st == DCS_OK && s->n == 0)
        st = dcs_error_set(err, DCS_ERR_DATA, "sites: layer '%s' of '%s' has no usable features",
                           OGR_L_GetName(L->lyr), L->src->dataset);
    if (st == DCS_OK)
        st = check_unique_ids(s, err);
    return st;
}

/* Most cells a grid may have: beyond this, ask for a larger cell. */
#define MAX_GRID_CELLS 20000000.0

typedef struct {
    dcs_sites *s;
    const dcs_model *m;
    const dcs_crs *crs;
    const GEOSPreparedGeometry *aoi;
    dcs_status st;
    dcs_error *err;
} grid_ctx;

/* Geodesic area (m^2) of a cell given in the working CRS. */
static double cell_area_m2(const dcs_sites *s, const dcs_crs *crs, const GEOSGeometry *cell)
{
    const GEOSCoordSequence *seq =
        GEOSGeom_getCoordSeq_r(s->geos, GEOSGetExteriorRing_r(s->geos, cell));
    unsigned n = 0;
    double x[8], y[8];
    if (!seq || !GEOSCoordSeq_getSize_r(s->geos, seq, &n) || n > 8)
        return NAN;
    for (unsigned k = 0; k < n; k++)
        GEOSCoordSeq_getXY_r(s->geos, seq, k, &x[k], &y[k]);
    if (!OCTTransform(crs->work_to_lonlat, (int)n, x, y, NULL))
        return NAN;
    return dcs_geodesic_ring_area_m2(x, y, n);
}

static int add_cell(void *user, long i, long j, double cx, double cy)
{
    grid_ctx *g = user;
    dcs_sites *s = g->s;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(s->geos, cx, cy);
    int inside = pt && GEOSPreparedContains_r(s->geos, g->aoi, pt) == 1;
    if (pt)
        GEOSGeom_destroy_r(s->geos, pt);
    if (!inside)
        return 0;
    dcs_grid_shape shape = g->m->scn->sites.grid;
    char id[64];
    dcs_grid_cell_id(shape, i, j, id, sizeof id);
    GEOSGeometry *cell = dcs_grid_cell(s->geos, shape, g->m->scn->sites.cell_area_ha * 1e4, i, j);
    if (!cell || grow(s) != 0 || !(s->id[s->n] = dcs_strdup(id))) {
        if (cell)
            GEOSGeom_destroy_r(s->geos, cell);
        g->st = dcs_error_set(g->err, DCS_ERR_NOMEM, "out of memory making grid cells");
        return 1;
    }
    size_t k = s->n++;
    s->geom[k] = cell;
    blank_row(s, k);
    dcs_site_num(s, k)[DCS_COL_AREA_HA] = cell_area_m2(s, g->crs, cell) / 1e4;
    s->lon[k] = s->x[k] = cx;
    s->lat[k] = s->y[k] = cy;
    OCTTransform(g->crs->work_to_lonlat, 1, &s->lon[k], &s->lat[k], NULL);
    return 0;
}

/* The union of the area-of-interest polygons. */
static dcs_status load_aoi(dcs_layer *L, GEOSContextHandle_t geos, dcs_coverage *aoi,
                           dcs_error *err)
{
    dcs_status st = dcs_coverage_from_layer(L, geos, aoi, err);
    if (st == DCS_OK && GEOSisEmpty_r(geos, aoi->geom) == 1)
        st = dcs_error_set(err, DCS_ERR_DATA, "%s: layer '%s' of '%s' has no polygons", L->role,
                           OGR_L_GetName(L->lyr), L->src->dataset);
    return st;
}

dcs_status dcs_sites_from_grid(dcs_layer *L, const dcs_model *m, const dcs_crs *crs,
                               GEOSContextHandle_t geos, dcs_sites *s, dcs_error *err)
{
    sites_init(s, m, geos);
    dcs_coverage aoi;
    dcs_status st = load_aoi(L, geos, &aoi, err);
    double x0, y0, x1, y1, area = m->scn->sites.cell_area_ha * 1e4;
    if (st == DCS_OK && !GEOSGeom_getXMin_r(geos, aoi.geom, &x0))
        st = dcs_error_set(err, DCS_ERR_GEOMETRY, "GEOS could not measure the area of interest");
    if (st == DCS_OK) {
        GEOSGeom_getYMin_r(geos, aoi.geom, &y0);
        GEOSGeom_getXMax_r(geos, aoi.geom, &x1);
        GEOSGeom_getYMax_r(geos, aoi.geom, &y1);
        if ((x1 - x0) * (y1 - y0) / area > MAX_GRID_CELLS)
            st = dcs_error_set(err, DCS_ERR_SCENARIO,
                               "sites.grid.cell_area_ha: %g ha cells over this area of interest "
                               "would make more than %.0f cells; use larger cells",
                               m->scn->sites.cell_area_ha, MAX_GRID_CELLS);
    }
    if (st == DCS_OK) {
        grid_ctx g = {s, m, crs, aoi.prep, DCS_OK, err};
        dcs_grid_visit_box(m->scn->sites.grid, area, x0, y0, x1, y1, add_cell, &g);
        st = g.st;
    }
    if (st == DCS_OK && s->n == 0)
        st = dcs_error_set(err, DCS_ERR_DATA,
                           "sites.grid: no cell centre falls inside the area of interest; use "
                           "smaller cells");
    dcs_coverage_free(&aoi);
    return st;
}

void dcs_sites_free(dcs_sites *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->id[i]);
        if (s->geom[i])
            GEOSGeom_destroy_r(s->geos, s->geom[i]);
        for (size_t k = 0; k < s->ntext; k++)
            free(dcs_site_text(s, i)[k]);
    }
    free(s->id);
    free(s->geom);
    free(s->lon);
    free(s->lat);
    free(s->x);
    free(s->y);
    free(s->num);
    free(s->text);
    memset(s, 0, sizeof *s);
}
