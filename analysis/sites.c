/* sites.c - load candidate sites. See sites.h. */
#include "sites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    double *num = realloc(s->num, cap * (s->nnum ? s->nnum : 1) * sizeof *num);
    if (num)
        s->num = num;
    char **text = realloc(s->text, cap * (s->ntext ? s->ntext : 1) * sizeof *text);
    if (text)
        s->text = text;
    if (!id || !geom || !lon || !lat || !num || !text)
        return -1;
    s->cap = cap;
    return 0;
}

/* A point on the site's surface, in lon/lat. */
static void representative_point(const dcs_sites *s, const dcs_crs *crs, const GEOSGeometry *g,
                                  double *lon, double *lat)
{
    *lon = *lat = NAN;
    GEOSGeometry *p = GEOSPointOnSurface_r(s->geos, g);
    double x, y;
    if (p && GEOSGeomGetX_r(s->geos, p, &x) && GEOSGeomGetY_r(s->geos, p, &y) &&
        OCTTransform(crs->work_to_lonlat, 1, &x, &y, NULL)) {
        *lon = x;
        *lat = y;
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
        const dcs_metric *mt = &m->metrics[dcs_model_attr_metric(m, a)];
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
        return dcs_error_set(err, DCS_ERR_DATA, "sites: feature %lld has no id (field is null)",
                             (long long)OGR_F_GetFID(f));
    s->geom[i] = g;
    for (size_t k = 0; k < s->nnum; k++)
        dcs_site_num(s, i)[k] = NAN;
    for (size_t k = 0; k < s->ntext; k++)
        dcs_site_text(s, i)[k] = NULL;
    s->n++;
    int t = GEOSGeomTypeId_r(s->geos, g);
    if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
        dcs_site_num(s, i)[DCS_COL_AREA_HA] = dcs_geodesic_area_m2(lonlat) / 1e4;
    representative_point(s, crs, g, &s->lon[i], &s->lat[i]);
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
    memset(s, 0, sizeof *s);
    s->geos = geos;
    s->nnum = m->nnum;
    s->ntext = m->ntext;
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
    free(s->num);
    free(s->text);
    memset(s, 0, sizeof *s);
}
