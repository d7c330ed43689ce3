/* sites.c - load candidate sites. See sites.h. */
#include "inputs/sites.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs/context.h"
#include "inputs/gpkg_read.h"
#include "inputs/grid.h"
#include "core/libctx.h"
#include "core/radix.h"
#include "core/strlist.h"

/* Room for at least need sites (the arrays move only here). */
static int reserve(dcs_sites *s, size_t need)
{
    if (need <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < need)
        cap *= 2;
    char **id = realloc(s->id, cap * sizeof *id);
    if (id)
        s->id = id;
    GEOSGeometry **geom = realloc(s->geom, cap * sizeof *geom);
    if (geom)
        s->geom = geom;
    unsigned char **wkb = realloc(s->wkb, cap * sizeof *wkb);
    if (wkb)
        s->wkb = wkb;
    size_t *wkb_size = realloc(s->wkb_size, cap * sizeof *wkb_size);
    if (wkb_size)
        s->wkb_size = wkb_size;
    double *lon = realloc(s->lon, cap * sizeof *lon);
    if (lon)
        s->lon = lon;
    double *lat = realloc(s->lat, cap * sizeof *lat);
    if (lat)
        s->lat = lat;
    double *clon = realloc(s->centroid_lon, cap * sizeof *clon);
    if (clon)
        s->centroid_lon = clon;
    double *clat = realloc(s->centroid_lat, cap * sizeof *clat);
    if (clat)
        s->centroid_lat = clat;
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
    if (!id || !geom || !wkb || !wkb_size || !lon || !lat || !clon || !clat || !x || !y || !num ||
        !text)
        return -1;
    s->cap = cap;
    return 0;
}

static int grow(dcs_sites *s)
{
    return reserve(s, s->n + 1);
}

static void sites_init(dcs_sites *s, const dcs_model *m, GEOSContextHandle_t geos)
{
    memset(s, 0, sizeof *s);
    s->geos = geos;
    s->nnum = m->nnum;
    s->ntext = m->ntext;
    s->extent[0] = s->extent[1] = INFINITY;
    s->extent[2] = s->extent[3] = -INFINITY;
    s->pool = dcs_strpool_new();
}

int dcs_site_set_text(dcs_sites *s, size_t i, size_t col, const char *t)
{
    char **cell = &dcs_site_text(s, i)[col];
    if (!s->pool)
        free(*cell);
    *cell = t ? (s->pool ? dcs_strpool_intern(s->pool, t) : dcs_strdup(t)) : NULL;
    return t && !*cell ? -1 : 0;
}

/* Grow box to cover g. */
static void cover_box(GEOSContextHandle_t geos, const GEOSGeometry *g, double box[4])
{
    double x0, y0, x1, y1;
    if (GEOSisEmpty_r(geos, g) != 0 || !GEOSGeom_getXMin_r(geos, g, &x0) ||
        !GEOSGeom_getYMin_r(geos, g, &y0) || !GEOSGeom_getXMax_r(geos, g, &x1) ||
        !GEOSGeom_getYMax_r(geos, g, &y1))
        return;
    box[0] = fmin(box[0], x0);
    box[1] = fmin(box[1], y0);
    box[2] = fmax(box[2], x1);
    box[3] = fmax(box[3], y1);
}

/* Site i's geometry: wkb (taken) when given, else g written as WKB (a
 * malloc'd copy, so that every site's WKB is freed with free()); g is
 * freed here, its extent added to box. */
static int store_wkb(dcs_sites *s, size_t i, GEOSContextHandle_t geos, GEOSGeometry *g,
                     unsigned char *wkb, size_t wkb_size, double box[4])
{
    cover_box(geos, g, box);
    if (!wkb) {
        unsigned char *w = GEOSGeomToWKB_buf_r(geos, g, &wkb_size);
        if (w && (wkb = malloc(wkb_size ? wkb_size : 1)))
            memcpy(wkb, w, wkb_size);
        if (w)
            GEOSFree_r(geos, w);
    }
    GEOSGeom_destroy_r(geos, g);
    s->wkb[i] = wkb;
    s->wkb_size[i] = wkb ? wkb_size : 0;
    return wkb ? 0 : -1;
}

static int store(dcs_sites *s, size_t i, GEOSContextHandle_t geos, GEOSGeometry *g,
                 double box[4])
{
    return store_wkb(s, i, geos, g, NULL, 0, box);
}

int dcs_site_store(dcs_sites *s, size_t i, GEOSContextHandle_t geos, GEOSGeometry *g)
{
    free(s->wkb[i]);
    s->wkb[i] = NULL;
    return store(s, i, geos, g, s->extent);
}

GEOSGeometry *dcs_site_geometry(const dcs_sites *s, size_t i, GEOSContextHandle_t geos)
{
    if (s->geom && s->geom[i])
        return GEOSGeom_clone_r(geos, s->geom[i]);
    return s->wkb[i] ? GEOSGeomFromWKB_buf_r(geos, s->wkb[i], s->wkb_size[i]) : NULL;
}

OGRGeometryH dcs_site_ogr(const dcs_sites *s, size_t i)
{
    OGRGeometryH g = NULL;
    if (!s->wkb[i] || OGR_G_CreateFromWkbEx(s->wkb[i], NULL, &g, s->wkb_size[i]) != OGRERR_NONE)
        return NULL;
    return g;
}

int dcs_site_is_polygon(const dcs_sites *s, size_t i)
{
    GEOSGeometry *g = dcs_site_geometry(s, i, s->geos);
    int t = g ? GEOSGeomTypeId_r(s->geos, g) : -1;
    if (g)
        GEOSGeom_destroy_r(s->geos, g);
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

/* Bits of v (< 2^16) spread to the even positions. */
static uint32_t spread_bits(uint32_t v)
{
    v = (v | (v << 8)) & 0x00FF00FFu;
    v = (v | (v << 4)) & 0x0F0F0F0Fu;
    v = (v | (v << 2)) & 0x33333333u;
    v = (v | (v << 1)) & 0x55555555u;
    return v;
}

/* Cell (0 .. 65535) of v in [lo, hi]; 0 for NaN. */
static uint32_t cell16(double v, double lo, double hi)
{
    double t = hi > lo ? (v - lo) / (hi - lo) : 0;
    return isnan(t) ? 0 : (uint32_t)(fmax(0, fmin(1, t)) * 65535);
}

int dcs_sites_spatial_order(const dcs_sites *s, size_t *order)
{
    if (s->n > UINT32_MAX) /* the index rides in the low 32 bits of the key */
        return -1;
    uint64_t *k = malloc((s->n ? s->n : 1) * sizeof *k);
    uint64_t *tmp = malloc((s->n ? s->n : 1) * sizeof *tmp);
    if (!k || !tmp) {
        free(k);
        free(tmp);
        return -1;
    }
    const double *e = s->extent;
    for (size_t i = 0; i < s->n; i++) {
        uint32_t key = spread_bits(cell16(s->x[i], e[0], e[2])) |
                       spread_bits(cell16(s->y[i], e[1], e[3])) << 1;
        k[i] = (uint64_t)key << 32 | i;
    }
    dcs_radix_sort_hi32(k, tmp, s->n); /* keys in index order: ties stay by index */
    for (size_t i = 0; i < s->n; i++)
        order[i] = (size_t)(k[i] & 0xffffffffu);
    free(k);
    free(tmp);
    return 0;
}

dcs_status dcs_sites_expand(dcs_sites *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!s->geom[i] && s->wkb[i] && !(s->geom[i] = dcs_site_geometry(s, i, s->geos)))
            return DCS_ERR_NOMEM;
    return DCS_OK;
}

dcs_status dcs_sites_compact(dcs_sites *s)
{
    dcs_status st = DCS_OK;
    for (size_t i = 0; i < s->n; i++) {
        GEOSGeometry *g = s->geom[i];
        s->geom[i] = NULL;
        if (g && s->wkb[i])
            GEOSGeom_destroy_r(s->geos, g); /* unchanged since dcs_sites_expand() */
        else if (g && store(s, i, s->geos, g, s->extent) != 0)
            st = DCS_ERR_NOMEM;
    }
    return st;
}

/* Blank metric rows for site i: every number NaN, every text NULL. */
static void blank_row(dcs_sites *s, size_t i)
{
    for (size_t k = 0; k < s->nnum; k++)
        dcs_site_num(s, i)[k] = NAN;
    for (size_t k = 0; k < s->ntext; k++)
        dcs_site_text(s, i)[k] = NULL;
}

/* x, y of the GEOS point p (freed here), NaN when it has none. */
static void take_xy(GEOSContextHandle_t geos, GEOSGeometry *p, double *x, double *y)
{
    *x = *y = NAN;
    if (p && !(GEOSGeomGetX_r(geos, p, x) && GEOSGeomGetY_r(geos, p, y)))
        *x = *y = NAN;
    if (p)
        GEOSGeom_destroy_r(geos, p);
}

/* Site i's points in the working CRS: x, y a point on the surface of g
 * (GEOS), and for now in lon, lat too, with its centroid (cx, cy) in
 * centroid_lon, centroid_lat: to_lonlat() takes both pairs to WGS 84. */
static void set_points_xy(dcs_sites *s, size_t i, GEOSContextHandle_t geos,
                          const GEOSGeometry *g, double cx, double cy)
{
    double px, py;
    take_xy(geos, GEOSPointOnSurface_r(geos, g), &px, &py);
    s->x[i] = s->lon[i] = px;
    s->y[i] = s->lat[i] = py;
    s->centroid_lon[i] = cx;
    s->centroid_lat[i] = cy;
}

/* Sites whose points to_lonlat() takes to WGS 84 in one call to PROJ (a
 * call costs about as much as the points it takes: GDAL's checks and
 * PROJ's set-up are paid once for them all). */
#define POINT_BATCH 128

/* The points set_points_xy() left in working-CRS coordinates for sites
 * i[0 .. n), in WGS 84 lon/lat; NaN where PROJ fails (or when ct is NULL). */
static void to_lonlat(dcs_sites *s, const size_t *i, size_t n, OGRCoordinateTransformationH ct)
{
    double x[2 * POINT_BATCH], y[2 * POINT_BATCH];
    double *lon[2 * POINT_BATCH], *lat[2 * POINT_BATCH];
    int ok[2 * POINT_BATCH];
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        for (int c = 0; c < 2; c++) {
            double *px = c ? &s->centroid_lon[i[k]] : &s->lon[i[k]];
            double *py = c ? &s->centroid_lat[i[k]] : &s->lat[i[k]];
            if (!ct || isnan(*px) || isnan(*py)) { /* nothing to take */
                *px = *py = NAN;
                continue;
            }
            x[m] = *px, y[m] = *py, lon[m] = px, lat[m] = py;
            ok[m++] = 0;
        }
    if (m > 0)
        OCTTransformEx(ct, (int)m, x, y, NULL, ok);
    for (size_t k = 0; k < m; k++) {
        *lon[k] = ok[k] ? x[k] : NAN;
        *lat[k] = ok[k] ? y[k] : NAN;
    }
}

/* Site i's points: a point on the surface of g (GEOS) and its centroid
 * (cx, cy), both taken to lon/lat. */
static void set_points(dcs_sites *s, size_t i, GEOSContextHandle_t geos, const GEOSGeometry *g,
                       double cx, double cy, OGRCoordinateTransformationH ct)
{
    set_points_xy(s, i, geos, g, cx, cy);
    to_lonlat(s, &i, 1, ct);
}

void dcs_site_set_points(dcs_sites *s, size_t i, GEOSContextHandle_t geos,
                         const GEOSGeometry *g, OGRCoordinateTransformationH to_lonlat)
{
    double cx, cy;
    take_xy(geos, GEOSGetCentroid_r(geos, g), &cx, &cy);
    set_points(s, i, geos, g, cx, cy, to_lonlat);
}

/* Site s->n, whose id is set, counted: no geometry, points or values yet. */
static void push_site(dcs_sites *s)
{
    size_t i = s->n;
    s->geom[i] = NULL;
    s->wkb[i] = NULL;
    s->wkb_size[i] = 0;
    s->lon[i] = s->lat[i] = s->x[i] = s->y[i] = NAN;
    s->centroid_lon[i] = s->centroid_lat[i] = NAN;
    blank_row(s, i);
    s->n++;
}

static char *feature_id(dcs_layer *L, OGRFeatureH f, int id_field)
{
    if (id_field < 0) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)OGR_F_GetFID(f));
        return dcs_strdup(buf);
    }
    if (!OGR_F_IsFieldSetAndNotNull(f, id_field))
        return NULL;
    return dcs_layer_text(L, f, id_field);
}

/* -1 when out of memory. */
static int read_attributes(dcs_layer *L, dcs_sites *s, size_t i, const dcs_model *m,
                           OGRFeatureH f, const int *fields)
{
    for (size_t a = 0; a < m->scn->sites.nattrs; a++) {
        const dcs_metric *mt = &m->metrics[m->attr_first + a];
        if (mt->kind == DCS_NUM) {
            dcs_site_num(s, i)[mt->col] = dcs_field_double(f, fields[a]);
            continue;
        }
        if (!OGR_F_IsFieldSetAndNotNull(f, fields[a]))
            continue;
        char *t = dcs_layer_text(L, f, fields[a]);
        int bad = !t || dcs_site_set_text(s, i, mt->col, t) != 0;
        free(t);
        if (bad)
            return -1;
    }
    return 0;
}

/* Site i's id, blank row and attributes from feature f; its geometry is
 * converted later (geom NULL until then). */
static dcs_status add_site(dcs_layer *L, dcs_sites *s, const dcs_model *m, OGRFeatureH f,
                           int id_field,
                           const int *fields, dcs_error *err)
{
    if (grow(s) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading sites");
    size_t i = s->n;
    s->id[i] = feature_id(L, f, id_field);
    if (!s->id[i])
        return dcs_error_set(err, DCS_ERR_DATA, "sites: feature %lld has no id (field '%s' is null)",
                             (long long)OGR_F_GetFID(f),
                             OGR_Fld_GetNameRef(OGR_F_GetFieldDefnRef(f, id_field)));
    push_site(s);
    if (read_attributes(L, s, i, m, f, fields) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading sites");
    return DCS_OK;
}

/* add_site() from the GeoPackage reader's current (plain) row: the id is
 * its field 0 when has_id (not null: see read_chunk()), else the FID; the
 * attributes follow, as dcs_layer_text() and dcs_field_double() read them. */
static dcs_status add_site_row(dcs_layer *L, dcs_sites *s, const dcs_model *m,
                               dcs_gpkg_reader *r, long long fid, int has_id, dcs_error *err)
{
    char buf[32];
    if (!has_id)
        snprintf(buf, sizeof buf, "%lld", fid);
    size_t i = s->n;
    if (grow(s) != 0 ||
        !(s->id[i] = has_id ? dcs_layer_clean_text(L, dcs_gpkg_reader_text(r, 0), fid)
                            : dcs_strdup(buf)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading sites");
    push_site(s);
    for (size_t a = 0; a < m->scn->sites.nattrs; a++) {
        const dcs_metric *mt = &m->metrics[m->attr_first + a];
        size_t k = (size_t)has_id + a;
        if (mt->kind == DCS_NUM) {
            dcs_site_num(s, i)[mt->col] = dcs_gpkg_reader_double(r, k);
            continue;
        }
        if (dcs_gpkg_reader_null(r, k))
            continue;
        char *t = dcs_layer_clean_text(L, dcs_gpkg_reader_text(r, k), fid);
        int bad = !t || dcs_site_set_text(s, i, mt->col, t) != 0;
        free(t);
        if (bad)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading sites");
    }
    return DCS_OK;
}

/* ---- site areas ----------------------------------------------------------- */

/* Planar area / k^2 at the centroid (cx, cy) when the scale table answers. */
static int table_area_m2(GEOSContextHandle_t geos, const GEOSGeometry *g, double cx, double cy,
                         const dcs_scalegrid *scale, double *m2)
{
    double a, env[4];
    int ok = scale->inv_k && !isnan(cx + cy) && GEOSArea_r(geos, g, &a) &&
             GEOSGeom_getXMin_r(geos, g, &env[0]) && GEOSGeom_getYMin_r(geos, g, &env[1]) &&
             GEOSGeom_getXMax_r(geos, g, &env[2]) && GEOSGeom_getYMax_r(geos, g, &env[3]);
    return ok && dcs_scalegrid_area(scale, a, env, cx, cy, m2);
}

/* Ground area in ha of the (multi)polygon g (working CRS; centroid cx, cy)
 * into *ha: from the scale table when it answers, else geodesic.  0 when
 * PROJ fails. */
static int site_area_ha(GEOSContextHandle_t geos, const GEOSGeometry *g, double cx, double cy,
                        const dcs_scalegrid *scale, OGRCoordinateTransformationH to_lonlat,
                        double *ha)
{
    double m2;
    if (!table_area_m2(geos, g, cx, cy, scale, &m2))
        m2 = dcs_geodesic_area_m2(geos, g, to_lonlat);
    *ha = m2 / 1e4;
    return !isnan(m2);
}

/* ---- geometries converted by several threads, a chunk at a time ---------- */
/* (The read itself stays on the calling thread: see sites.h.) */

#define READ_CHUNK 4096

typedef struct {
    dcs_sites *s;
    const dcs_layer *L;
    dcs_gpkg_reader *reader;       /* the layer's rows through SQLite, or NULL: OGR */
    int has_id;                    /* the reader's field 0 is the id field */
    size_t base, n;                /* sites base .. base + n - 1 */
    OGRGeometryH src[READ_CHUNK];  /* their source geometries (owned; each
                                      freed once converted) */
    unsigned char *wkb[READ_CHUNK]; /* or their plain WKB (owned, malloc'd; taken
                                      over by the site once converted) */
    size_t wkb_size[READ_CHUNK];
    long long fid[READ_CHUNK];
    atomic_size_t next;
} site_chunk;

typedef struct {
    site_chunk *chunk;
    GEOSContextHandle_t geos;      /* own context (the sites' for the first) */
    dcs_layer_xf xf;
    OGRCoordinateTransformationH to_lonlat; /* working CRS -> lon/lat */
    const dcs_scalegrid *scale;    /* the working CRS's scale table (shared) */
    double box[4];                 /* extent of the sites it converted */
    dcs_status st;
    dcs_error err;
    size_t failed;                 /* lowest failed site (SIZE_MAX none) */
} site_converter;

/* Site i from its source geometry: GEOS reads it once; its centroid
 * serves both the area and the points; the WKB GEOS read is kept. */
static dcs_status convert_site(site_converter *c, size_t i, dcs_error *err)
{
    site_chunk *ch = c->chunk;
    dcs_sites *s = ch->s;
    GEOSGeometry *g = NULL;
    unsigned char *wkb = NULL;
    size_t wkb_size = 0;
    size_t k = i - ch->base;
    dcs_status st;
    if (ch->src[k]) {
        st = dcs_layer_convert_wkb(ch->L, &c->xf, c->geos, ch->src[k], &g, &wkb, &wkb_size, err);
        OGR_G_DestroyGeometry(ch->src[k]); /* here, so the threads share the freeing */
        ch->src[k] = NULL;
    } else {
        st = dcs_layer_convert_plain_wkb(ch->L, &c->xf, c->geos, ch->wkb[k], ch->wkb_size[k],
                                         &g, &wkb, &wkb_size, err);
        ch->wkb[k] = NULL; /* taken over */
    }
    int t = g ? GEOSGeomTypeId_r(c->geos, g) : -1;
    double cx = NAN, cy = NAN, *area = &dcs_site_num(s, i)[DCS_COL_AREA_HA];
    if (g)
        take_xy(c->geos, GEOSGetCentroid_r(c->geos, g), &cx, &cy);
    if (st == DCS_OK && (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON) &&
        !site_area_ha(c->geos, g, cx, cy, c->scale, c->to_lonlat, area))
        st = dcs_error_set(err, DCS_ERR_DATA,
                           "%s: cannot transform a geometry of layer '%s' to WGS 84: %s",
                           ch->L->role, dcs_layer_label(ch->L), CPLGetLastErrorMsg());
    if (st != DCS_OK) {
        if (g)
            GEOSGeom_destroy_r(c->geos, g);
        free(wkb);
        return dcs_error_prefix(err, "feature %lld: ", ch->fid[i - ch->base]);
    }
    set_points_xy(s, i, c->geos, g, cx, cy); /* to lon/lat by the batch: convert_sites() */
    if (store_wkb(s, i, c->geos, g, wkb, wkb_size, c->box) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading sites");
    return DCS_OK;
}

/* Convert sites of the chunk until none is left.  Each thread keeps its
 * first failure (its lowest index: indices are handed out in order) and
 * goes on, so the failure reported does not depend on timing. */
static void *convert_sites(void *arg)
{
    site_converter *c = arg;
    site_chunk *ch = c->chunk;
    size_t batch[POINT_BATCH], nb = 0; /* converted sites whose points are not in lon/lat yet */
    for (size_t k; (k = atomic_fetch_add(&ch->next, 1)) < ch->n;) {
        dcs_error scratch;
        dcs_status st = convert_site(c, ch->base + k, c->failed == SIZE_MAX ? &c->err : &scratch);
        if (st != DCS_OK && c->failed == SIZE_MAX) {
            c->st = st;
            c->failed = ch->base + k;
        }
        if (st == DCS_OK)
            batch[nb++] = ch->base + k;
        if (nb == POINT_BATCH) {
            to_lonlat(ch->s, batch, nb, c->to_lonlat);
            nb = 0;
        }
    }
    to_lonlat(ch->s, batch, nb, c->to_lonlat);
    return NULL;
}

static void free_sources(site_chunk *ch)
{
    for (size_t k = 0; k < ch->n; k++) {
        OGR_G_DestroyGeometry(ch->src[k]);
        free(ch->wkb[k]);
        ch->src[k] = NULL;
        ch->wkb[k] = NULL;
    }
    ch->n = 0;
}

/* Start converters 1 .. n - 1 on the chunk in threads; returns how many
 * were started (the first is the calling thread's, not started here). */
static int convert_start(site_chunk *ch, site_converter *c, int n, pthread_t *tid)
{
    int started = 1;
    atomic_store(&ch->next, 0);
    for (int t = 0; t < n; t++)
        c[t].chunk = ch;
    for (; started < n; started++)
        if (pthread_create(&tid[started], NULL, convert_sites, &c[started]) != 0)
            break;
    return started;
}

/* The calling thread converts what is left of the chunk, waits for the
 * threads, frees the sources and reports the chunk's first failure. */
static dcs_status convert_finish(site_chunk *ch, site_converter *c, int n, pthread_t *tid,
                                 int started, dcs_error *err)
{
    convert_sites(&c[0]);
    for (int t = 1; t < started; t++)
        pthread_join(tid[t], NULL);
    free_sources(ch);
    site_converter *first = NULL;
    for (int t = 0; t < n; t++)
        if (c[t].failed != SIZE_MAX && (!first || c[t].failed < first->failed))
            first = &c[t];
    if (first)
        *err = first->err;
    return first ? first->st : DCS_OK;
}

/* Feature f (destroyed here) as the chunk's next site, when usable. */
static dcs_status add_feature(dcs_layer *L, const dcs_model *m, int id_field, const int *fields,
                              site_chunk *ch, OGRFeatureH f, dcs_error *err)
{
    dcs_status st = DCS_OK;
    if (dcs_layer_keep_feature(L, f) &&
        (st = add_site(L, ch->s, m, f, id_field, fields, err)) == DCS_OK) {
        ch->fid[ch->n] = (long long)OGR_F_GetFID(f);
        ch->wkb[ch->n] = NULL;
        ch->src[ch->n++] = OGR_F_StealGeometry(f);
    }
    OGR_F_Destroy(f);
    return st;
}

/* The reader's current row (plain) as the chunk's next site: its WKB
 * copied for the converters. */
static dcs_status add_row(dcs_layer *L, const dcs_model *m, const dcs_gpkg_row *row,
                          site_chunk *ch, dcs_error *err)
{
    dcs_status st = add_site_row(L, ch->s, m, ch->reader, row->fid, ch->has_id, err);
    unsigned char *wkb = st == DCS_OK ? malloc(row->wkb_size) : NULL;
    if (st == DCS_OK && !wkb)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading sites");
    if (st != DCS_OK)
        return st;
    memcpy(wkb, row->wkb, row->wkb_size);
    ch->fid[ch->n] = row->fid;
    ch->src[ch->n] = NULL;
    ch->wkb_size[ch->n] = row->wkb_size;
    ch->wkb[ch->n++] = wkb;
    return DCS_OK;
}

/* Read up to READ_CHUNK more features into the chunk: ids and attributes
 * now, geometries kept for the converters.  Through the GeoPackage reader
 * when there is one: a row it does not call plain is fetched by its FID
 * through OGR and decided as OGR's own read would (gpkg_read.h). */
static dcs_status read_chunk(dcs_layer *L, const dcs_model *m, int id_field, const int *fields,
                             site_chunk *ch, dcs_error *err)
{
    ch->base = ch->s->n;
    ch->n = 0;
    dcs_status st = DCS_OK;
    while (ch->n < READ_CHUNK && st == DCS_OK) {
        OGRFeatureH f = NULL;
        dcs_gpkg_row row;
        int done = 0;
        if (!ch->reader)
            dcs_layer_next_raw(L, &f);
        else if ((st = dcs_gpkg_reader_next(ch->reader, &row, &done, err)) != DCS_OK)
            break;
        else if (!done && row.plain && !(ch->has_id && dcs_gpkg_reader_null(ch->reader, 0))) {
            st = add_row(L, m, &row, ch, err);
            continue;
        } else if (!done && !(f = OGR_L_GetFeature(L->lyr, row.fid)))
            st = dcs_error_set(err, DCS_ERR_IO, "%s: cannot read feature %lld of layer '%s': %s",
                               L->role, row.fid, dcs_layer_label(L), CPLGetLastErrorMsg());
        if (!f)
            break;
        st = add_feature(L, m, id_field, fields, ch, f, err);
    }
    return st;
}

/* Convert chunk cur while the calling thread reads the next one, then
 * help convert.  Room for the next chunk is made first, so no site array
 * moves under the converters.  A failure in cur comes before any in next. */
static dcs_status convert_and_read(dcs_layer *L, const dcs_model *m, int id_field,
                                   const int *fields, site_chunk *cur, site_chunk *next,
                                   site_converter *c, int n, dcs_error *err)
{
    pthread_t tid[DCS_SITES_MAX_THREADS];
    if (reserve(cur->s, cur->s->n + READ_CHUNK) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading sites");
    int started = convert_start(cur, c, n, tid);
    dcs_error rerr;
    dcs_status rst = read_chunk(L, m, id_field, fields, next, &rerr);
    dcs_status st = convert_finish(cur, c, n, tid, started, err);
    if (st == DCS_OK && rst != DCS_OK) {
        *err = rerr;
        st = rst;
    }
    return st;
}

static dcs_status converters_start(site_converter *c, int n, const dcs_sites *s,
                                   const dcs_layer *L, const dcs_crs *crs, dcs_error *err)
{
    for (int t = 0; t < n; t++) {
        c[t] = (site_converter){.st = DCS_OK, .failed = SIZE_MAX,
                                .box = {INFINITY, INFINITY, -INFINITY, -INFINITY}};
        c[t].geos = t == 0 ? s->geos : dcs_geos_init();
        c[t].scale = &crs->scale;
        if (!c[t].geos || dcs_layer_xf_clone(L, &c[t].xf) != DCS_OK ||
            !(c[t].to_lonlat = OCTClone(crs->work_to_lonlat)))
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory starting %d threads", n);
    }
    return DCS_OK;
}

static void converters_stop(site_converter *c, int n, dcs_layer *L, dcs_sites *s)
{
    for (int t = 0; t < n; t++) {
        L->nrepaired += c[t].xf.nrepaired;
        s->extent[0] = fmin(s->extent[0], c[t].box[0]);
        s->extent[1] = fmin(s->extent[1], c[t].box[1]);
        s->extent[2] = fmax(s->extent[2], c[t].box[2]);
        s->extent[3] = fmax(s->extent[3], c[t].box[3]);
        dcs_layer_xf_free(&c[t].xf);
        if (c[t].to_lonlat)
            OCTDestroyCoordinateTransformation(c[t].to_lonlat);
        if (t > 0 && c[t].geos)
            dcs_geos_finish(c[t].geos);
    }
}
/* Every id once, in a hash table of twice as many slots (one pass, no
 * sort: a sort of a million ids took ~0.35 s on the calling thread); the
 * first id in the layer's order that an earlier site already has is named. */
static dcs_status check_unique_ids(const dcs_sites *s, dcs_error *err)
{
    size_t cap = 64;
    while (cap < 2 * s->n)
        cap *= 2;
    char **slot = calloc(cap, sizeof *slot);
    if (!slot)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_status st = DCS_OK;
    for (size_t i = 0; i < s->n && st == DCS_OK; i++) {
        size_t k = (size_t)dcs_strpool_hash(s->id[i]) & (cap - 1);
        while (slot[k] && strcmp(slot[k], s->id[i]) != 0)
            k = (k + 1) & (cap - 1);
        if (slot[k])
            st = dcs_error_set(err, DCS_ERR_DATA,
                               "sites: id \"%s\" is used by more than one feature; "
                               "site ids must be unique",
                               s->id[i]);
        slot[k] = s->id[i];
    }
    free(slot);
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

/* Tell GDAL not to read the fields the sites do not use (a GeoPackage then
 * selects only the used columns: ~0.2 s less a million parcels on the
 * reading thread): every field but the id and the attributes, and but any
 * field whose name appears in the layer's where filter, which some drivers
 * evaluate on the read feature.  Best effort: a driver that cannot ignore
 * fields reads them all, as before. */
static void ignore_unused_fields(dcs_layer *L, int id_field, const int *fields, size_t nfields)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(L->lyr);
    int n = OGR_FD_GetFieldCount(defn);
    const char **names = calloc((size_t)n + 2, sizeof *names);
    if (!names)
        return;
    size_t k = 0;
    for (int f = 0; f < n; f++) {
        int used = f == id_field;
        for (size_t a = 0; a < nfields && !used; a++)
            used = fields[a] == f;
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, f));
        if (!used && !(L->src->where && strcasestr(L->src->where, name)))
            names[k++] = name;
    }
    names[k++] = "OGR_STYLE";
    OGR_L_SetIgnoredFields(L->lyr, names);
    free(names);
}

/* The GeoPackage reader of the id and the attributes, for both chunks;
 * none (read through OGR) when the layer is not one it reads. */
static void open_reader(const dcs_layer *L, int id_field, const int *fields, size_t nattrs,
                        site_chunk *ch)
{
    int *used = malloc((nattrs + 1) * sizeof *used);
    size_t n = 0;
    if (!used)
        return;
    if (id_field >= 0)
        used[n++] = id_field;
    for (size_t a = 0; a < nattrs; a++)
        used[n++] = fields[a];
    ch[0].reader = ch[1].reader = dcs_gpkg_reader_open(L, used, n);
    ch[0].has_id = ch[1].has_id = id_field >= 0;
    free(used);
}

/* Features read and converted so far, those skipped included, for the
 * progress report: all read but the chunk `pending` not yet converted. */
static size_t features_done(const dcs_layer *L, const dcs_sites *s, const site_chunk *pending)
{
    return s->n - pending->n + (size_t)L->nnull + (size_t)L->nwrongtype;
}

/* Why a sites layer gave no site: what its features were. */
static dcs_status no_usable_features(const dcs_layer *L, dcs_error *err)
{
    int collection = strstr(L->geom_type, "Collection") != NULL;
    return dcs_error_set(err, DCS_ERR_DATA,
                         "sites: layer '%s' of '%s' has no usable features: of its %lld, %lld "
                         "have no geometry and %lld are neither polygons nor points (the layer "
                         "is declared %s)%s",
                         OGR_L_GetName(L->lyr), L->src->dataset, L->nfeatures, L->nnull,
                         L->nwrongtype, L->geom_type,
                         collection ? "; the parts of a GeometryCollection are not read: split "
                                      "them, e.g. ogr2ogr -explodecollections -nlt "
                                      "PROMOTE_TO_MULTI"
                                    : "");
}

dcs_status dcs_sites_load(dcs_layer *L, const dcs_model *m, const dcs_crs *crs,
                          GEOSContextHandle_t geos, int threads, const dcs_progress *progress,
                          dcs_sites *s, dcs_error *err)
{
    size_t total = L->nfeatures > 0 ? (size_t)L->nfeatures : 0;
    sites_init(s, m, geos);
    int id_field = -1, n = threads < 1 ? 1 : threads > DCS_SITES_MAX_THREADS
                                                 ? DCS_SITES_MAX_THREADS : threads;
    int *fields = calloc(m->scn->sites.nattrs + 1, sizeof *fields);
    site_chunk *ch = calloc(2, sizeof *ch);
    site_converter conv[DCS_SITES_MAX_THREADS];
    memset(conv, 0, sizeof conv);
    dcs_status st = DCS_OK;
    if (!fields || !ch) {
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        goto fail;
    }
    ch[0] = ch[1] = (site_chunk){.s = s, .L = L};
    if (m->scn->sites.id_field && (id_field = dcs_layer_field(L, m->scn->sites.id_field, err)) < 0)
        st = DCS_ERR_DATA;
    if (st == DCS_OK)
        st = attribute_fields(L, m, fields, err);
    if (st == DCS_OK)
        ignore_unused_fields(L, id_field, fields, m->scn->sites.nattrs);
    if (st == DCS_OK)
        open_reader(L, id_field, fields, m->scn->sites.nattrs, ch);
    if (st == DCS_OK)
        st = converters_start(conv, n, s, L, crs, err);
    dcs_progress_report(progress, "reading sites", 0, total);
    if (st == DCS_OK)
        st = read_chunk(L, m, id_field, fields, &ch[0], err);
    for (int k = 0; st == DCS_OK && ch[k].n > 0; k = !k) {
        st = convert_and_read(L, m, id_field, fields, &ch[k], &ch[!k], conv, n, err);
        dcs_progress_report(progress, "reading sites", features_done(L, s, &ch[!k]), total);
    }
    for (int k = 0; k < 2; k++)
        free_sources(&ch[k]);
    if (st == DCS_OK && s->n == 0)
        st = no_usable_features(L, err);
    if (st == DCS_OK)
        st = check_unique_ids(s, err);
fail:
    converters_stop(conv, n, L, s);
    if (ch)
        dcs_gpkg_reader_close(ch[0].reader);
    free(ch);
    free(fields);
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
    s->geom[k] = NULL;
    blank_row(s, k);
    double gx, gy;
    take_xy(s->geos, GEOSGetCentroid_r(s->geos, cell), &gx, &gy);
    site_area_ha(s->geos, cell, gx, gy, &g->crs->scale, g->crs->work_to_lonlat,
                 &dcs_site_num(s, k)[DCS_COL_AREA_HA]);
    if (store(s, k, s->geos, cell, s->extent) != 0) {
        g->st = dcs_error_set(g->err, DCS_ERR_NOMEM, "out of memory making grid cells");
        return 1;
    }
    s->lon[k] = s->x[k] = cx;
    s->lat[k] = s->y[k] = cy;
    OCTTransform(g->crs->work_to_lonlat, 1, &s->lon[k], &s->lat[k], NULL);
    s->centroid_lon[k] = s->lon[k]; /* a cell's centre is its centroid */
    s->centroid_lat[k] = s->lat[k];
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
        grid_ctx g = {.s = s, .m = m, .crs = crs, .aoi = aoi.prep, .st = DCS_OK, .err = err};
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
        free(s->wkb[i]);
        for (size_t k = 0; !s->pool && k < s->ntext; k++)
            free(dcs_site_text(s, i)[k]);
    }
    dcs_strpool_free(s->pool);
    free(s->id);
    free(s->geom);
    free(s->wkb);
    free(s->wkb_size);
    free(s->lon);
    free(s->lat);
    free(s->centroid_lon);
    free(s->centroid_lat);
    free(s->x);
    free(s->y);
    free(s->num);
    free(s->text);
    memset(s, 0, sizeof *s);
}
