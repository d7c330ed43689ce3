/* context.c - indexed context layers and spatial metrics. See context.h. */
#include "inputs/context.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strlist.h"

/* ---- growable parallel arrays ------------------------------------------ */

static int grow_geoms(GEOSGeometry ***geom, size_t n, size_t *cap)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 256;
    GEOSGeometry **g = realloc(*geom, c * sizeof *g);
    if (!g)
        return -1;
    *geom = g;
    *cap = c;
    return 0;
}

/* Build the STRtree over geom[0..n).  Node capacity 2: a nearest search
 * measures the exact distance to every item of each leaf it opens, so
 * small leaves mean fewer GEOS distance calls (callgrind on the benchmark
 * region: half the instructions of capacity 10, and a quarter fewer than
 * capacity 4). */
static int build_tree(GEOSContextHandle_t geos, GEOSGeometry **geom, size_t n,
                      dcs_tree_item **items, GEOSSTRtree **tree)
{
    *items = calloc(n ? n : 1, sizeof **items);
    *tree = GEOSSTRtree_create_r(geos, 2);
    if (!*items || !*tree)
        return -1;
    for (size_t i = 0; i < n; i++) {
        (*items)[i].geom = geom[i];
        (*items)[i].index = i;
        GEOSSTRtree_insert_r(geos, *tree, geom[i], &(*items)[i]);
    }
    return 0;
}

/* ---- substations --------------------------------------------------------- */

typedef struct {
    int id, kv, headroom, name, cost, queue, upgrade_year, upgrade_mw, capacity;
} sub_fields;

/* One substation's attributes, as read. */
typedef struct {
    const char *id, *name;
    double kv, headroom, cost, queue, upgrade_year, upgrade_mw, capacity;
} sub_row;

/* The index of field name in L (-1 when name is NULL); -2 on error. */
static int optional_field(dcs_layer *L, const char *name, dcs_error *err)
{
    if (!name)
        return -1;
    int i = dcs_layer_field(L, name, err);
    return i < 0 ? -2 : i;
}

static dcs_status substation_fields(dcs_layer *L, const dcs_scenario *scn, sub_fields *f,
                                    dcs_error *err)
{
    *f = (sub_fields){.id = -1, .kv = -1, .headroom = -1, .name = -1};
    if ((f->cost = optional_field(L, scn->substations.cost_field, err)) == -2 ||
        (f->queue = optional_field(L, scn->substations.queue_field, err)) == -2 ||
        (f->upgrade_year = optional_field(L, scn->substations.upgrade_year_field, err)) == -2 ||
        (f->upgrade_mw = optional_field(L, scn->substations.upgrade_mw_field, err)) == -2 ||
        (f->capacity = optional_field(L, scn->substations.capacity_field, err)) == -2)
        return DCS_ERR_DATA;
    if (scn->substations.id_field &&
        (f->id = dcs_layer_field(L, scn->substations.id_field, err)) < 0)
        return DCS_ERR_DATA;
    if (scn->substations.name_field &&
        (f->name = dcs_layer_field(L, scn->substations.name_field, err)) < 0)
        return DCS_ERR_DATA;
    if ((f->kv = dcs_layer_field(L, scn->substations.voltage_field, err)) < 0 ||
        (scn->substations.headroom_field &&
         (f->headroom = dcs_layer_field(L, scn->substations.headroom_field, err)) < 0))
        return DCS_ERR_DATA;
    return DCS_OK;
}

typedef enum { SUB_QUALIFIES, SUB_NO_VOLTAGE, SUB_LOW_VOLTAGE, SUB_LOW_HEADROOM } sub_verdict;

/* The main rule's filter: substations.min_voltage_kv, and the peak demand
 * as headroom floor when require_headroom. */
static dcs_substation_filter main_filter(const dcs_scenario *scn, double peak_mw)
{
    return (dcs_substation_filter){
        .min_voltage_kv = scn->substations.min_voltage_kv,
        .min_headroom_mw = scn->substations.require_headroom ? peak_mw : NAN,
    };
}

static int enough_headroom(const dcs_substation_filter *f, double headroom)
{
    return isnan(f->min_headroom_mw) || (!isnan(headroom) && headroom >= f->min_headroom_mw);
}

/* Whether a substation passes f, and the first reason when it does not. */
static sub_verdict judge(const dcs_substation_filter *f, double kv, double headroom)
{
    if (isnan(kv) || kv <= 0) /* HIFLD marks unknown voltage with negatives */
        return SUB_NO_VOLTAGE;
    if (kv < f->min_voltage_kv)
        return SUB_LOW_VOLTAGE;
    return enough_headroom(f, headroom) ? SUB_QUALIFIES : SUB_LOW_HEADROOM;
}

/* 1 when the substation passes f; counts the reason when not. */
static int qualifies(dcs_substations *s, const dcs_substation_filter *f, double kv,
                     double headroom)
{
    sub_verdict v = judge(f, kv, headroom);
    s->nno_voltage += v == SUB_NO_VOLTAGE;
    s->nlow_voltage += v == SUB_LOW_VOLTAGE;
    s->nlow_headroom += v == SUB_LOW_HEADROOM;
    return v == SUB_QUALIFIES;
}

/* Room for one more substation in s. */
static int grow_substations(dcs_substations *s, size_t *cap)
{
    size_t c = *cap;
    if (grow_geoms(&s->geom, s->n, cap) != 0)
        return -1;
    if (*cap == c)
        return 0;
    char **id = realloc(s->id, *cap * sizeof *id);
    if (id)
        s->id = id;
    char **name = realloc(s->name, *cap * sizeof *name);
    if (name)
        s->name = name;
    double *k = realloc(s->kv, *cap * sizeof *k);
    if (k)
        s->kv = k;
    double *h = realloc(s->headroom_mw, *cap * sizeof *h);
    if (h)
        s->headroom_mw = h;
    double *m = realloc(s->cost_musd, *cap * sizeof *m);
    if (m)
        s->cost_musd = m;
    double *t = realloc(s->ttp, DCS_SUB_EXTRA * *cap * sizeof *t);
    if (t)
        s->ttp = t;
    return id && name && k && h && m && t ? 0 : -1;
}

/* Append a substation (its strings copied, g taken). */
static int add_substation(dcs_substations *s, size_t *cap, const sub_row *r, GEOSGeometry *g)
{
    if (grow_substations(s, cap) != 0)
        return -1;
    size_t k = s->n++;
    s->id[k] = dcs_strdup(r->id);
    s->name[k] = r->name ? dcs_strdup(r->name) : NULL;
    s->geom[k] = g;
    s->kv[k] = r->kv;
    s->headroom_mw[k] = r->headroom;
    s->cost_musd[k] = r->cost;
    double *t = s->ttp + DCS_SUB_EXTRA * k;
    t[0] = r->queue;
    t[1] = r->upgrade_year;
    t[2] = r->upgrade_mw;
    t[3] = r->capacity;
    return !s->id[k] || (r->name && !s->name[k]) ? -1 : 0;
}

/* Substation k of s as a row (its strings borrowed). */
static sub_row row_of(const dcs_substations *s, size_t k)
{
    return (sub_row){.id = s->id[k], .name = s->name[k], .kv = s->kv[k],
                     .headroom = s->headroom_mw[k], .cost = s->cost_musd[k],
                     .queue = s->ttp[DCS_SUB_EXTRA * k],
                     .upgrade_year = s->ttp[DCS_SUB_EXTRA * k + 1],
                     .upgrade_mw = s->ttp[DCS_SUB_EXTRA * k + 2],
                     .capacity = s->ttp[DCS_SUB_EXTRA * k + 3]};
}

/* A field's number, or fallback when the field is not given or empty. */
static double field_or(OGRFeatureH f, int field, double fallback)
{
    double v = field >= 0 ? dcs_field_double(f, field) : NAN;
    return isnan(v) ? fallback : v;
}

/* Every substation of L with a geometry, unindexed: the pool each filter
 * selects from. */
static dcs_status load_pool(dcs_layer *L, const dcs_scenario *scn, GEOSContextHandle_t geos,
                            dcs_substations *pool, dcs_error *err)
{
    sub_fields fl;
    size_t cap = 0;
    pool->geos = geos;
    dcs_status st = substation_fields(L, scn, &fl, err);
    while (st == DCS_OK) {
        OGRFeatureH f;
        GEOSGeometry *g;
        st = dcs_layer_next_geos(L, geos, &f, &g, err);
        if (st != DCS_OK || !f)
            break;
        char fid[32];
        snprintf(fid, sizeof fid, "%lld", (long long)OGR_F_GetFID(f));
        /* valid UTF-8 (layers.h); NULL: none, or out of memory (then the
         * fid stands in: the run goes on) */
        char *id = fl.id >= 0 && OGR_F_IsFieldSetAndNotNull(f, fl.id) ? dcs_layer_text(L, f, fl.id)
                                                                       : NULL;
        char *name = fl.name >= 0 && OGR_F_IsFieldSetAndNotNull(f, fl.name)
                         ? dcs_layer_text(L, f, fl.name)
                         : NULL;
        sub_row r = {
            .id = id ? id : fid,
            .name = name,
            .kv = dcs_field_double(f, fl.kv),
            .headroom = field_or(f, fl.headroom, NAN),
            .cost = field_or(f, fl.cost, 0),
            .queue = fl.queue >= 0 ? field_or(f, fl.queue, 0) : NAN, /* given: empty is none */
            .upgrade_year = field_or(f, fl.upgrade_year, NAN),
            .upgrade_mw = field_or(f, fl.upgrade_mw, NAN),
            .capacity = field_or(f, fl.capacity, NAN),
        };
        if (g && add_substation(pool, &cap, &r, g) != 0) {
            if (pool->n == 0 || pool->geom[pool->n - 1] != g)
                GEOSGeom_destroy_r(geos, g);
            st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading substations");
        }
        free(id);
        free(name);
        OGR_F_Destroy(f);
    }
    return st;
}

static int compare_id(const void *a, const void *b, void *ids)
{
    char *const *id = ids;
    return strcmp(id[*(const size_t *)a], id[*(const size_t *)b]);
}

/* Count the substations whose id an earlier one (in id order) has. */
static dcs_status count_repeated_ids(dcs_substations *s, dcs_error *err)
{
    size_t *by_id = malloc((s->n ? s->n : 1) * sizeof *by_id);
    if (!by_id)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory checking substation ids");
    for (size_t i = 0; i < s->n; i++)
        by_id[i] = i;
    qsort_r(by_id, s->n, sizeof *by_id, compare_id, s->id);
    for (size_t k = 1; k < s->n; k++)
        if (strcmp(s->id[by_id[k - 1]], s->id[by_id[k]]) == 0 && !s->nrepeated++)
            s->repeated_example = by_id[k];
    free(by_id);
    return DCS_OK;
}

/* The substations of pool passing f, indexed for nearest searches. */
static dcs_status select_substations(const dcs_substations *pool, const dcs_substation_filter *f,
                                     int have_ids, dcs_substations *s, dcs_error *err)
{
    memset(s, 0, sizeof *s);
    s->geos = pool->geos;
    s->nread = (long long)pool->n;
    size_t cap = 0;
    for (size_t k = 0; k < pool->n; k++) {
        if (!qualifies(s, f, pool->kv[k], pool->headroom_mw[k]))
            continue;
        GEOSGeometry *g = GEOSGeom_clone_r(pool->geos, pool->geom[k]);
        sub_row r = row_of(pool, k);
        if (!g || add_substation(s, &cap, &r, g) != 0) {
            if (g && (s->n == 0 || s->geom[s->n - 1] != g))
                GEOSGeom_destroy_r(pool->geos, g);
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory selecting substations");
        }
        s->nunknown_headroom += isnan(pool->headroom_mw[k]);
    }
    dcs_status st = have_ids ? count_repeated_ids(s, err) : DCS_OK;
    if (st == DCS_OK && build_tree(s->geos, s->geom, s->n, &s->items, &s->tree) != 0)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory indexing substations");
    if (st == DCS_OK)
        st = dcs_nearest_build(s->geos, s->geom, s->n, &s->near, err);
    return st;
}

dcs_status dcs_substations_load(dcs_layer *L, const dcs_scenario *scn,
                                const dcs_substation_filter *filters, size_t n,
                                GEOSContextHandle_t geos, dcs_substations *out, dcs_error *err)
{
    dcs_substations pool = {0};
    for (size_t r = 0; r < n; r++)
        memset(&out[r], 0, sizeof out[r]);
    dcs_status st = load_pool(L, scn, geos, &pool, err);
    for (size_t r = 0; r < n && st == DCS_OK; r++)
        st = select_substations(&pool, &filters[r], scn->substations.id_field != NULL, &out[r],
                                err);
    dcs_substations_free(&pool);
    return st;
}

/* Keep (value, id) in *best / id when value is larger (best NaN: none yet). */
static void keep_larger(double value, OGRFeatureH f, int id_field, double *best, char *id,
                        size_t size)
{
    if (isnan(value) || (!isnan(*best) && value <= *best))
        return;
    *best = value;
    if (id_field >= 0 && OGR_F_IsFieldSetAndNotNull(f, id_field))
        snprintf(id, size, "%s", OGR_F_GetFieldAsString(f, id_field));
    else
        snprintf(id, size, "FID %lld", (long long)OGR_F_GetFID(f));
}

static void survey_one(dcs_substation_survey *sv, const dcs_scenario *scn, double peak_mw,
                       OGRFeatureH f, const sub_fields *fl)
{
    double kv = dcs_field_double(f, fl->kv), head = dcs_field_double(f, fl->headroom);
    dcs_substation_filter main = main_filter(scn, peak_mw);
    sub_verdict v = judge(&main, kv, head);
    sv->nread++;
    sv->nqualified += v == SUB_QUALIFIES;
    sv->nno_voltage += v == SUB_NO_VOLTAGE;
    sv->nlow_voltage += v == SUB_LOW_VOLTAGE;
    sv->nlow_headroom += v == SUB_LOW_HEADROOM;
    if (v == SUB_LOW_VOLTAGE) {
        keep_larger(kv, f, fl->id, &sv->low_kv, sv->low_kv_id, sizeof sv->low_kv_id);
        if (enough_headroom(&main, head))
            keep_larger(kv, f, fl->id, &sv->miss_kv, sv->miss_kv_id, sizeof sv->miss_kv_id);
    } else if (v == SUB_LOW_HEADROOM) {
        keep_larger(head, f, fl->id, &sv->miss_headroom, sv->miss_headroom_id,
                    sizeof sv->miss_headroom_id);
    }
}

dcs_status dcs_substations_survey(dcs_layer *L, const dcs_scenario *scn, double peak_mw,
                                  dcs_substation_survey *sv, dcs_error *err)
{
    *sv = (dcs_substation_survey){.peak_mw = peak_mw, .low_kv = NAN, .miss_kv = NAN,
                                  .miss_headroom = NAN};
    sub_fields fl;
    dcs_status st = substation_fields(L, scn, &fl, err);
    if (st != DCS_OK)
        return st;
    OGR_L_ResetReading(L->lyr);
    for (;;) {
        OGRFeatureH f;
        dcs_layer_next_raw(L, &f);
        if (!f)
            break;
        survey_one(sv, scn, peak_mw, f, &fl);
        OGR_F_Destroy(f);
    }
    OGR_L_ResetReading(L->lyr);
    return DCS_OK;
}

static int item_distance(const void *a, const void *b, double *d, void *userdata)
{
    const dcs_tree_item *x = a, *y = b;
    return GEOSDistance_r((GEOSContextHandle_t)userdata, x->geom, y->geom, d);
}

/* Ground length in km from (x[0], y[0]) to (x[1], y[1]), working CRS:
 * from the scale table when it answers, else geodesic (scalegrid.h). */
static dcs_status geodesic_km(double x[2], double y[2], const dcs_crs *crs, double *km,
                              dcs_error *err)
{
    double m;
    if (x[0] == x[1] && y[0] == y[1]) {
        *km = 0;
        return DCS_OK;
    }
    if (dcs_scalegrid_distance(&crs->scale, x[0], y[0], x[1], y[1], &m)) {
        *km = m / 1000.0;
        return DCS_OK;
    }
    if (!OCTTransform(crs->work_to_lonlat, 2, x, y, NULL))
        return dcs_error_set(err, DCS_ERR_DATA, "PROJ could not transform a point to WGS 84");
    *km = dcs_geodesic_distance_m(x[0], y[0], x[1], y[1]) / 1000.0;
    return DCS_OK;
}

/* Geodesic length of the shortest segment between a and b. */
static dcs_status geodesic_gap_km(GEOSContextHandle_t geos, const GEOSGeometry *a,
                                  const GEOSGeometry *b, const dcs_crs *crs, double *km,
                                  dcs_error *err)
{
    GEOSCoordSequence *seq = GEOSNearestPoints_r(geos, a, b);
    double x[2], y[2];
    int ok = seq && GEOSCoordSeq_getXY_r(geos, seq, 0, &x[0], &y[0]) &&
             GEOSCoordSeq_getXY_r(geos, seq, 1, &x[1], &y[1]);
    if (seq)
        GEOSCoordSeq_destroy_r(geos, seq);
    if (!ok)
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "GEOS could not find the nearest points");
    return geodesic_km(x, y, crs, km, err);
}

/* The tree item nearest to site by GEOSDistance (GEOS's pick on ties). */
static dcs_status nearest_by_tree(GEOSContextHandle_t geos, GEOSSTRtree *tree,
                                  const GEOSGeometry *site, size_t *which, dcs_error *err)
{
    dcs_tree_item query = {.geom = site, .index = SIZE_MAX};
    const dcs_tree_item *hit =
        GEOSSTRtree_nearest_generic_r(geos, tree, &query, site, item_distance, geos);
    if (!hit)
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "GEOS nearest-feature search failed");
    *which = hit->index;
    return DCS_OK;
}

/* The layer a nearest search runs on: its geometries, STRtree and (when
 * built) flat index, and the site scratch of this copy. */
typedef struct {
    GEOSContextHandle_t geos;
    GEOSGeometry **geom;
    size_t n;
    GEOSSTRtree *tree;
    const dcs_nearest *near;
    dcs_near_site *site;
    const dcs_near_site *flat; /* the site already flattened (or NULL) */
} nearest_layer;

/* Nearest feature of L to site and the geodesic gap in km: through the
 * flat index when there is one and the site suits it, else the STRtree. */
static dcs_status nearest_in_layer(const nearest_layer *L, const GEOSGeometry *site,
                                   const dcs_crs *crs, size_t *which, double *km,
                                   dcs_error *err)
{
    *which = SIZE_MAX;
    *km = NAN;
    if (L->n == 0)
        return DCS_OK;
    size_t hit = SIZE_MAX;
    dcs_status st = !L->near  ? DCS_OK
                    : L->flat ? dcs_near_site_copy(L->site, L->flat)
                              : dcs_near_site_set(L->site, L->geos, site);
    if (st == DCS_OK && L->near && L->site->usable)
        st = dcs_nearest_find(L->near, L->geos, L->geom, site, L->site, &hit);
    if (st != DCS_OK)
        return dcs_error_set(err, st, "%s", st == DCS_ERR_NOMEM
                                                ? "out of memory"
                                                : "GEOS could not measure a distance");
    if (hit == SIZE_MAX && (st = nearest_by_tree(L->geos, L->tree, site, &hit, err)) != DCS_OK)
        return st;
    *which = hit;
    double x[2], y[2]; /* the nearest points of a point or a lone segment, without GEOS */
    if (L->near && L->site->usable &&
        (dcs_nearest_point_pair(L->near, hit, L->site, x, y) ||
         dcs_nearest_segment_pair(L->near, L->site, x, y)))
        return geodesic_km(x, y, crs, km, err);
    return geodesic_gap_km(L->geos, site, L->geom[hit], crs, km, err);
}

dcs_status dcs_nearest_substation(dcs_substations *s, const GEOSGeometry *site,
                                  const dcs_near_site *flat, const dcs_crs *crs, size_t *which,
                                  double *km, dcs_error *err)
{
    nearest_layer L = {
        .geos = s->geos,
        .geom = s->geom,
        .n = s->n,
        .tree = s->tree,
        .near = s->near,
        .site = &s->site,
        .flat = flat,
    };
    return nearest_in_layer(&L, site, crs, which, km, err);
}

typedef struct {
    size_t *idx;
    size_t n, cap;
    int nomem;
} index_list;

static void collect_item(void *item, void *user)
{
    index_list *l = user;
    if (l->n == l->cap) {
        size_t c = l->cap ? 2 * l->cap : 64;
        size_t *p = realloc(l->idx, c * sizeof *p);
        if (!p) {
            l->nomem = 1;
            return;
        }
        l->idx = p;
        l->cap = c;
    }
    l->idx[l->n++] = ((const dcs_tree_item *)item)->index;
}

static void collect_index(size_t item, void *user)
{
    dcs_tree_item t = {.geom = NULL, .index = item};
    collect_item(&t, user);
}

static int by_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The substations that may lie within r_m (working CRS) of site: every
 * one whose geometry meets the site's box grown by r_m, once each (from
 * the flat index when there is one: a feature it leaves out lies wholly
 * outside that box, so farther than r_m; the GEOS STRtree otherwise). */
static dcs_status substations_within(dcs_substations *s, const GEOSGeometry *site, double r_m,
                                     index_list *l, dcs_error *err)
{
    double x0, y0, x1, y1;
    if (!GEOSGeom_getXMin_r(s->geos, site, &x0) || !GEOSGeom_getYMin_r(s->geos, site, &y0) ||
        !GEOSGeom_getXMax_r(s->geos, site, &x1) || !GEOSGeom_getYMax_r(s->geos, site, &y1))
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "GEOS could not bound a connection search");
    if (s->near) {
        dcs_nearest_box_query(s->near, x0 - r_m, y0 - r_m, x1 + r_m, y1 + r_m, collect_index, l);
        if (l->n > 1) { /* a polygon substation comes once per edge there */
            qsort(l->idx, l->n, sizeof *l->idx, by_index);
            size_t k = 1;
            for (size_t i = 1; i < l->n; i++)
                if (l->idx[i] != l->idx[k - 1])
                    l->idx[k++] = l->idx[i];
            l->n = k;
        }
    } else {
        GEOSGeometry *box =
            GEOSGeom_createRectangle_r(s->geos, x0 - r_m, y0 - r_m, x1 + r_m, y1 + r_m);
        if (!box)
            return dcs_error_set(err, DCS_ERR_GEOMETRY,
                                 "GEOS could not bound a connection search");
        GEOSSTRtree_query_r(s->geos, s->tree, box, collect_item, l);
        GEOSGeom_destroy_r(s->geos, box);
    }
    return l->nomem ? dcs_error_set(err, DCS_ERR_NOMEM, "out of memory") : DCS_OK;
}

/* A connection considered: substation k at km for cost. */
typedef struct {
    size_t k;
    double km, cost;
} offer;

/* Cheaper first; as cheap: nearer, then the lower index. */
static int compare_offers(const void *a, const void *b)
{
    const offer *x = a, *y = b;
    double tol = 1e-12 * fmax(fabs(x->cost), fabs(y->cost));
    if (x->cost < y->cost - tol || x->cost > y->cost + tol)
        return x->cost < y->cost ? -1 : 1;
    if (x->km != y->km)
        return x->km < y->km ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

/* The nearest points of the site last searched (s->site) and substation j,
 * as GEOSNearestPoints_r() finds them, when dcs_nearest_point_pair() is
 * certain of them (a point substation not on the site's boundary): then no
 * GEOS distance is needed.  0: ask GEOS. */
static int site_gap(const dcs_substations *s, size_t j, double x[2], double y[2])
{
    return s->near && s->site.usable && dcs_nearest_point_pair(s->near, j, &s->site, x, y);
}

/* The offers of every substation within r_m (working CRS) and, when
 * limit_km > 0, within limit_km on the ground; the nearest is first. */
static dcs_status gather_offers(dcs_substations *s, const GEOSGeometry *site,
                                const dcs_crs *crs, dcs_connection_cost_fn cost, void *user,
                                double r_m, double limit_km, const dcs_connection *c,
                                offer **out, size_t *n, dcs_error *err)
{
    index_list l = {0};
    dcs_status st = substations_within(s, site, r_m, &l, err);
    *out = malloc((l.n + 1) * sizeof **out);
    if (st == DCS_OK && !*out)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    *n = 0;
    if (st == DCS_OK)
        (*out)[(*n)++] = (offer){c->nearest, c->nearest_km, c->nearest_cost};
    for (size_t i = 0; st == DCS_OK && i < l.n; i++) {
        size_t j = l.idx[i];
        double d, km, x[2], y[2];
        if (j == c->nearest)
            continue;
        if (site_gap(s, j, x, y)) { /* GEOS's nearest points, found without GEOS */
            if ((d = hypot(x[1] - x[0], y[1] - y[0])) > r_m)
                continue;
            st = geodesic_km(x, y, crs, &km, err);
        } else if (!GEOSDistance_r(s->geos, site, s->geom[j], &d) || d > r_m) {
            continue;
        } else {
            st = geodesic_gap_km(s->geos, site, s->geom[j], crs, &km, err);
        }
        if (st == DCS_OK && !(limit_km > 0 && km > limit_km))
            (*out)[(*n)++] = (offer){j, km, cost(s, j, km, user)};
    }
    free(l.idx);
    return st;
}

/* Working-CRS metres per ground km near the site (1000 when unknown). */
static double planar_per_km(dcs_substations *s, const GEOSGeometry *site, const dcs_connection *c)
{
    double d0, x[2], y[2];
    int got = site_gap(s, c->nearest, x, y)
                  ? (d0 = hypot(x[1] - x[0], y[1] - y[0]), 1)
                  : GEOSDistance_r(s->geos, site, s->geom[c->nearest], &d0);
    return got && d0 > 0 && c->nearest_km > 0
               ? d0 / c->nearest_km
               : 1000.0;
}

/* The chosen offer and the next nalt by cost into out. */
static void keep_offers(offer *o, size_t n, int prefer_nearest, size_t nalt, dcs_connection *out)
{
    qsort(o, n, sizeof *o, compare_offers);
    size_t chosen = 0;
    for (size_t i = 0; prefer_nearest && i < n; i++)
        if (o[i].k == out->nearest)
            chosen = i;
    out->which = o[chosen].k;
    out->km = o[chosen].km;
    out->cost = o[chosen].cost;
    for (size_t i = 0; i < n && out->nalt < nalt && out->nalt < DCS_MAX_ALTERNATIVES; i++)
        if (i != chosen) {
            out->alt[out->nalt] = o[i].k;
            out->alt_km[out->nalt] = o[i].km;
            out->alt_cost[out->nalt++] = o[i].cost;
        }
}

dcs_status dcs_cheapest_substation(dcs_substations *s, const GEOSGeometry *site,
                                   const dcs_near_site *flat, const dcs_crs *crs,
                                   const dcs_connection_search *q, dcs_connection *out,
                                   dcs_error *err)
{
    *out = (dcs_connection){.nearest = SIZE_MAX, .which = SIZE_MAX, .nearest_km = NAN,
                            .km = NAN, .nearest_cost = NAN, .cost = NAN};
    dcs_status st = dcs_nearest_substation(s, site, flat, crs, &out->nearest, &out->nearest_km,
                                           err);
    if (st != DCS_OK || out->nearest == SIZE_MAX)
        return st;
    out->which = out->nearest;
    out->km = out->nearest_km;
    out->cost = out->nearest_cost = q->cost(s, out->nearest, out->nearest_km, q->user);
    /* nothing farther than cost / least cost per km can be cheaper; the
     * alternatives look as far as alt_km; nothing beyond search_km counts */
    double limit = q->search_km > 0 ? q->search_km : INFINITY;
    double reach = q->prefer_nearest       ? 0
                   : q->min_musd_per_km > 0 ? out->cost / q->min_musd_per_km
                                            : limit;
    if (q->nalt > 0)
        reach = fmax(reach, q->alt_km);
    reach = fmin(reach, limit);
    if (!(reach > out->nearest_km) || isinf(reach))
        return DCS_OK;
    offer *o = NULL;
    size_t n = 0;
    st = gather_offers(s, site, crs, q->cost, q->user,
                       reach * planar_per_km(s, site, out) * 1.05 + 1, reach, out, &o, &n, err);
    if (st == DCS_OK)
        keep_offers(o, n, q->prefer_nearest, q->nalt, out);
    free(o);
    return st;
}

dcs_status dcs_polyset_nearest(dcs_polyset *set, const GEOSGeometry *site,
                               const dcs_near_site *flat, const dcs_crs *crs, size_t *which,
                               double *km, dcs_error *err)
{
    nearest_layer L = {
        .geos = set->geos,
        .geom = set->geom,
        .n = set->n,
        .tree = set->tree,
        .near = set->near,
        .site = &set->site,
        .flat = flat,
    };
    return nearest_in_layer(&L, site, crs, which, km, err);
}

void dcs_substations_free(dcs_substations *s)
{
    if (s->tree)
        GEOSSTRtree_destroy_r(s->geos, s->tree);
    for (size_t i = 0; i < s->n; i++) {
        if (!s->borrowed) {
            free(s->id[i]);
            free(s->name[i]);
        }
        GEOSGeom_destroy_r(s->geos, s->geom[i]);
    }
    if (!s->borrowed) {
        free(s->id);
        free(s->name);
        free(s->kv);
        free(s->headroom_mw);
        free(s->cost_musd);
        free(s->ttp);
        dcs_nearest_free(s->near);
    }
    dcs_near_site_free(&s->site);
    free(s->geom);
    free(s->items);
    memset(s, 0, sizeof *s);
}

/* ---- polygon sets ------------------------------------------------------- */

/* Grow the geometry and attribute arrays for one more feature. */
static int polyset_grow(dcs_polyset *set, size_t *cap)
{
    size_t c = *cap;
    if (grow_geoms(&set->geom, set->n, cap) != 0)
        return -1;
    if (*cap == c || set->nfields == 0)
        return 0;
    double *num = realloc(set->num, *cap * set->nfields * sizeof *num);
    if (num)
        set->num = num;
    char **text = realloc(set->text, *cap * set->nfields * sizeof *text);
    if (text)
        set->text = text;
    return num && text ? 0 : -1;
}

static void read_fields(dcs_layer *L, dcs_polyset *set, OGRFeatureH f, const int *fields,
                        const int *text_kinds)
{
    double *num = set->num + set->n * set->nfields;
    char **text = set->text + set->n * set->nfields;
    for (size_t k = 0; k < set->nfields; k++) {
        num[k] = text_kinds[k] ? NAN : dcs_field_double(f, fields[k]);
        text[k] = text_kinds[k] && OGR_F_IsFieldSetAndNotNull(f, fields[k])
                      ? dcs_layer_text(L, f, fields[k])
                      : NULL;
    }
}

dcs_status dcs_polyset_load_fields(dcs_layer *L, GEOSContextHandle_t geos, const int *fields,
                                   const int *text_kinds, size_t nfields, dcs_polyset *set,
                                   dcs_error *err)
{
    memset(set, 0, sizeof *set);
    set->geos = geos;
    set->nfields = nfields;
    size_t cap = 0;
    dcs_status st = DCS_OK;
    for (;;) {
        OGRFeatureH f;
        GEOSGeometry *g;
        st = dcs_layer_next_geos(L, geos, &f, &g, err);
        if (st != DCS_OK || !f)
            break;
        if (g && polyset_grow(set, &cap) != 0) {
            GEOSGeom_destroy_r(geos, g);
            OGR_F_Destroy(f);
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading %s", L->role);
        }
        if (g) {
            if (nfields)
                read_fields(L, set, f, fields, text_kinds);
            set->geom[set->n++] = g;
        }
        OGR_F_Destroy(f);
    }
    if (st == DCS_OK && build_tree(geos, set->geom, set->n, &set->items, &set->tree) != 0)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory indexing %s", L->role);
    return st;
}

dcs_status dcs_polyset_from_geoms(GEOSContextHandle_t geos, GEOSGeometry **geoms, size_t n,
                                  dcs_polyset *set, dcs_error *err)
{
    memset(set, 0, sizeof *set);
    set->geos = geos;
    set->geom = geoms;
    set->n = n;
    if (build_tree(geos, set->geom, set->n, &set->items, &set->tree) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory indexing points");
    return dcs_polyset_index_nearest(set, err);
}

dcs_status dcs_polyset_index_nearest(dcs_polyset *set, dcs_error *err)
{
    if (set->near || set->borrowed)
        return DCS_OK;
    return dcs_nearest_build(set->geos, set->geom, set->n, &set->near, err);
}

dcs_status dcs_polyset_load(dcs_layer *L, GEOSContextHandle_t geos, dcs_polyset *set,
                            dcs_error *err)
{
    return dcs_polyset_load_fields(L, geos, NULL, NULL, 0, set, err);
}

typedef struct {
    const dcs_tree_item **hits;
    size_t n, cap;
    int nomem;
} hit_list;

static void collect_hit(void *item, void *userdata)
{
    hit_list *h = userdata;
    if (h->n == h->cap) {
        size_t c = h->cap ? h->cap * 2 : 16;
        const dcs_tree_item **grown = realloc(h->hits, c * sizeof *grown);
        if (!grown) {
            h->nomem = 1;
            return;
        }
        h->hits = grown;
        h->cap = c;
    }
    h->hits[h->n++] = item;
}

/* Prepared polygons a copy of a set keeps at most: the oldest goes when a
 * new one is needed.  Sites come in spatial order, so a polygon is needed
 * in runs; keeping every polygon of a flood layer prepared in each thread
 * would cost ~2.5 kB each (22 MB at the 1M benchmark). */
#define PREP_KEEP 256

/* Polygon k of the set, prepared on first use (each copy of the set
 * prepares its own); NULL when GEOS fails or memory runs out.  The
 * pointer is good until the next call. */
static const GEOSPreparedGeometry *prepared(dcs_polyset *set, size_t k)
{
    if (!set->prep && !(set->prep = calloc(set->n, sizeof *set->prep)))
        return NULL;
    if (set->prep[k])
        return set->prep[k];
    if (!set->prep_fifo && !(set->prep_fifo = malloc(PREP_KEEP * sizeof *set->prep_fifo)))
        return NULL;
    size_t slot = set->prep_next % PREP_KEEP, old = set->prep_fifo[slot];
    if (set->prep_next >= PREP_KEEP && set->prep[old]) {
        GEOSPreparedGeom_destroy_r(set->geos, set->prep[old]);
        set->prep[old] = NULL;
    }
    set->prep_fifo[slot] = k;
    set->prep_next++;
    return set->prep[k] = GEOSPrepare_r(set->geos, set->geom[k]);
}

/* The hit polygons that meet the site, into meets (*k of them); *whole =
 * 1 instead when one polygon covers the site, which needs no overlay: the
 * prepared polygons answer that, and whether they touch the site at all,
 * from their indexes.  -1 when GEOS fails or memory runs out. */
static int meeting_polygons(dcs_polyset *set, const GEOSGeometry *site, const hit_list *h,
                            size_t *meets, size_t *k, int *whole)
{
    *k = 0;
    *whole = 0;
    for (size_t i = 0; i < h->n; i++) {
        size_t p = h->hits[i]->index;
        const GEOSPreparedGeometry *prep = prepared(set, p);
        char covers = prep ? GEOSPreparedCovers_r(set->geos, prep, site) : 2;
        char meet = covers == 0 ? GEOSPreparedIntersects_r(set->geos, prep, site) : 0;
        if (covers == 2 || meet == 2)
            return -1;
        if ((*whole = covers == 1))
            return 0;
        if (meet == 1)
            meets[(*k)++] = p;
    }
    return 0;
}

/* Area of site AND polygon p by rings.h's convex clipping, when the set is
 * flattened and the site is one convex ring (scratch[0] holds it);
 * otherwise 0 and nothing is set. */
static int clipped_area(dcs_polyset *set, const GEOSGeometry *site, size_t p, double *area)
{
    dcs_rings *w = &set->scratch[0];
    dcs_rings_clear(w);
    if (!set->rings || dcs_rings_add_geos(w, set->geos, site) != DCS_OK || !dcs_rings_is_convex(w))
        return 0;
    *area = dcs_rings_clip_area(&set->rings[p], w->x, w->y, w->n, &set->scratch[1]);
    return !isnan(*area);
}

/* Area of the union of the intersections of site with the k polygons in
 * meets, by GEOS overlay (one polygon: its intersection, no union).  -1
 * when GEOS fails. */
static int overlay_area(dcs_polyset *set, const GEOSGeometry *site, const size_t *meets,
                        size_t k, double *area)
{
    GEOSContextHandle_t geos = set->geos;
    GEOSGeometry **parts = calloc(k, sizeof *parts), *all = NULL, *cover = NULL;
    int rc = parts ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < k; i++)
        if (!(parts[i] = GEOSIntersection_r(geos, site, set->geom[meets[i]])))
            rc = -1;
    if (rc == 0 && k == 1) {
        cover = parts[0];
        parts[0] = NULL;
    } else if (rc == 0) {
        all = GEOSGeom_createCollection_r(geos, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)k);
        if (all)
            memset(parts, 0, k * sizeof *parts); /* the collection owns them now */
        cover = all ? GEOSUnaryUnion_r(geos, all) : NULL;
    }
    if (rc == 0 && (!cover || !GEOSArea_r(geos, cover, area)))
        rc = -1;
    for (size_t i = 0; parts && i < k; i++)
        if (parts[i])
            GEOSGeom_destroy_r(geos, parts[i]);
    free(parts);
    if (all)
        GEOSGeom_destroy_r(geos, all);
    if (cover)
        GEOSGeom_destroy_r(geos, cover);
    return rc;
}

dcs_status dcs_polyset_overlap_pct(dcs_polyset *set, const GEOSGeometry *site, double *pct,
                                   dcs_error *err)
{
    hit_list h = {0};
    *pct = 0;
    if (set->n == 0)
        return DCS_OK;
    double x0, y0, x1, y1; /* the grid first: 100 under one polygon, 0 clear of all */
    if (set->grid.cell && GEOSGeom_getXMin_r(set->geos, site, &x0) &&
        GEOSGeom_getYMin_r(set->geos, site, &y0) && GEOSGeom_getXMax_r(set->geos, site, &x1) &&
        GEOSGeom_getYMax_r(set->geos, site, &y1)) {
        dcs_cover_answer a = dcs_cover_grid_box(&set->grid, x0, y0, x1, y1);
        if (a != DCS_COVER_UNKNOWN) {
            *pct = a == DCS_COVER_INSIDE ? 100 : 0;
            return DCS_OK;
        }
    }
    GEOSSTRtree_query_r(set->geos, set->tree, site, collect_hit, &h);
    size_t *meets = h.n ? malloc(h.n * sizeof *meets) : NULL, k = 0;
    if (h.nomem || (h.n && !meets)) {
        free(h.hits);
        free(meets);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    int whole = 0, rc = meeting_polygons(set, site, &h, meets, &k, &whole);
    double site_area = 0, cover_area = 0;
    if (rc == 0 && !whole && k > 0 && !(k == 1 && clipped_area(set, site, meets[0], &cover_area)))
        rc = overlay_area(set, site, meets, k, &cover_area);
    free(h.hits);
    free(meets);
    if (rc != 0)
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "GEOS overlay failed: %s",
                             "intersection or union of polygons");
    if (whole) {
        *pct = 100;
        return DCS_OK;
    }
    if (k == 0)
        return DCS_OK;
    GEOSArea_r(set->geos, site, &site_area);
    *pct = site_area > 0 ? 100.0 * cover_area / site_area : 100; /* a point site: covered */
    *pct = fmin(fmax(*pct, 0), 100); /* clipping's rounding may leave -1e-13 */
    return DCS_OK;
}

/* 1 when polygon k of the set intersects the point, through its prepared
 * geometry (made on first use); -1 when GEOS fails or memory runs out. */
static int zone_hit(dcs_polyset *set, size_t k, const GEOSGeometry *point)
{
    const GEOSPreparedGeometry *prep = prepared(set, k);
    if (!prep)
        return -1;
    char r = GEOSPreparedIntersects_r(set->geos, prep, point);
    return r == 2 ? -1 : r;
}

/* The side of a coverage's or a polygon layer's grid in cells
 * (covergrid.h): at most 66,000 cells (264 kB), built in a few
 * milliseconds for a union of counties or a flood layer. */
#define COVER_GRID_SIDE 256

/* The lowest index of the set's polygons holding a point, as
 * dcs_polyset_zone() finds it (covergrid.h's point test). */
static long point_in_set(void *user, double x, double y)
{
    dcs_polyset *set = user;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(set->geos, x, y);
    size_t which = SIZE_MAX;
    dcs_error err;
    dcs_status st = pt ? dcs_polyset_zone(set, pt, &which, &err) : DCS_ERR_NOMEM;
    if (pt)
        GEOSGeom_destroy_r(set->geos, pt);
    return st != DCS_OK || (which != SIZE_MAX && which > INT32_MAX) ? -3
           : which == SIZE_MAX                                      ? DCS_COVER_NONE
                                                                    : (long)which;
}

dcs_status dcs_polyset_index_cover(dcs_polyset *set, dcs_error *err)
{
    dcs_cover_grid_free(&set->grid);
    dcs_status st = dcs_cover_grid_build(set->geos, set->geom, set->n, point_in_set, set,
                                         COVER_GRID_SIDE, &set->grid);
    return st == DCS_OK ? st
                        : dcs_error_set(err, st, "%s",
                                        st == DCS_ERR_NOMEM
                                            ? "out of memory"
                                            : "GEOS could not classify a layer's grid");
}

dcs_status dcs_polyset_zone(dcs_polyset *set, const GEOSGeometry *point, size_t *which,
                            dcs_error *err)
{
    hit_list h = {0};
    *which = SIZE_MAX;
    if (set->n == 0)
        return DCS_OK;
    double x, y; /* the grid first: it knows the zone away from the boundaries */
    if (set->grid.cell && GEOSGeomGetX_r(set->geos, point, &x) &&
        GEOSGeomGetY_r(set->geos, point, &y)) {
        long z = dcs_cover_grid_point(&set->grid, x, y);
        if (z != DCS_COVER_ASK) {
            *which = z == DCS_COVER_NONE ? SIZE_MAX : (size_t)z;
            return DCS_OK;
        }
    }
    GEOSSTRtree_query_r(set->geos, set->tree, point, collect_hit, &h);
    int r = h.nomem ? -1 : 0;
    for (size_t i = 0; r >= 0 && i < h.n; i++) /* the first polygon in layer order wins */
        if (h.hits[i]->index < *which && (r = zone_hit(set, h.hits[i]->index, point)) == 1)
            *which = h.hits[i]->index;
    free(h.hits);
    if (r < 0)
        return dcs_error_set(err, DCS_ERR_GEOMETRY,
                             "GEOS could not test a point against a zone polygon "
                             "(or out of memory)");
    return DCS_OK;
}

static dcs_status finish_coverage(dcs_coverage *cov, const char *role, dcs_error *err);

/* Share of polygon k inside the disc, by GEOS overlay. */
static dcs_status share_by_overlay(const dcs_polyset *set, const GEOSGeometry *disk, size_t k,
                                   double *share, dcs_error *err)
{
    double whole = 0, part = 0;
    GEOSGeometry *inter = GEOSIntersection_r(set->geos, disk, set->geom[k]);
    if (!inter)
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "GEOS intersection failed");
    GEOSArea_r(set->geos, inter, &part);
    GEOSArea_r(set->geos, set->geom[k], &whole);
    GEOSGeom_destroy_r(set->geos, inter);
    *share = whole > 0 ? part / whole : 0;
    return DCS_OK;
}

/* The disc as a flat convex ring in scratch[0]; 0 when it is not convex
 * (or the set is not flattened). */
static int flat_convex_disc(dcs_polyset *set, const GEOSGeometry *disk)
{
    dcs_rings *d = &set->scratch[0];
    dcs_rings_clear(d);
    return set->rings && dcs_rings_add_geos(d, set->geos, disk) == DCS_OK &&
           dcs_rings_is_convex(d);
}

dcs_status dcs_polyset_area_weighted(dcs_polyset *set, const GEOSGeometry *site,
                                     double radius_m, size_t col, double *sum, dcs_error *err)
{
    GEOSContextHandle_t geos = set->geos;
    *sum = 0;
    GEOSGeometry *disk = GEOSBuffer_r(geos, site, radius_m, 16);
    if (!disk)
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "GEOS could not buffer a site by %g m",
                             radius_m);
    hit_list h = {0};
    GEOSSTRtree_query_r(geos, set->tree, disk, collect_hit, &h);
    dcs_status st = h.nomem ? dcs_error_set(err, DCS_ERR_NOMEM, "out of memory") : DCS_OK;
    int convex = st == DCS_OK && h.n && flat_convex_disc(set, disk);
    const dcs_rings *d = &set->scratch[0];
    for (size_t i = 0; st == DCS_OK && i < h.n; i++) {
        size_t k = h.hits[i]->index;
        double v = set->num[k * set->nfields + col], share = 0;
        if (isnan(v))
            continue;
        if (!convex) {
            st = share_by_overlay(set, disk, k, &share, err);
        } else if (set->area[k] > 0) {
            share = dcs_rings_clip_area(&set->rings[k], d->x, d->y, d->n, &set->scratch[1]) /
                    set->area[k];
            if (isnan(share))
                st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        }
        *sum += v * share;
    }
    free(h.hits);
    GEOSGeom_destroy_r(geos, disk);
    return st;
}

dcs_status dcs_polyset_flatten(dcs_polyset *set, dcs_error *err)
{
    if (set->rings || set->borrowed)
        return DCS_OK;
    set->rings = calloc(set->n ? set->n : 1, sizeof *set->rings);
    set->area = calloc(set->n ? set->n : 1, sizeof *set->area);
    if (!set->rings || !set->area)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < set->n; k++) {
        dcs_status st = dcs_rings_add_geos(&set->rings[k], set->geos, set->geom[k]);
        if (st != DCS_OK)
            return dcs_error_set(err, st, "%s", st == DCS_ERR_NOMEM
                                                    ? "out of memory"
                                                    : "GEOS cannot read a polygon's coordinates");
        set->area[k] = dcs_rings_area(&set->rings[k]);
    }
    return DCS_OK;
}

/* n clones of geom into geos (NULL when out of memory). */
static GEOSGeometry **clone_geoms(GEOSGeometry *const *geom, size_t n, GEOSContextHandle_t geos)
{
    GEOSGeometry **out = calloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        if (!(out[i] = GEOSGeom_clone_r(geos, geom[i]))) {
            while (i--)
                GEOSGeom_destroy_r(geos, out[i]);
            free(out);
            return NULL;
        }
    return out;
}

dcs_status dcs_polyset_clone(const dcs_polyset *src, GEOSContextHandle_t geos, dcs_polyset *dst,
                             dcs_error *err)
{
    memset(dst, 0, sizeof *dst);
    *dst = (dcs_polyset){.geos = geos, .nfields = src->nfields, .num = src->num,
                         .text = src->text, .rings = src->rings, .area = src->area,
                         .near = src->near, .grid = src->grid, .borrowed = 1};
    if (!(dst->geom = clone_geoms(src->geom, src->n, geos)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory copying a layer for a thread");
    dst->n = src->n;
    if (build_tree(geos, dst->geom, dst->n, &dst->items, &dst->tree) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory copying a layer for a thread");
    return DCS_OK;
}

dcs_status dcs_substations_clone(const dcs_substations *src, GEOSContextHandle_t geos,
                                 dcs_substations *dst, dcs_error *err)
{
    *dst = *src;
    dst->geos = geos;
    dst->borrowed = 1;
    dst->items = NULL;
    dst->tree = NULL;
    dst->n = 0;
    memset(&dst->site, 0, sizeof dst->site);
    if (!(dst->geom = clone_geoms(src->geom, src->n, geos)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory copying substations for a thread");
    dst->n = src->n;
    if (build_tree(geos, dst->geom, dst->n, &dst->items, &dst->tree) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory copying substations for a thread");
    return DCS_OK;
}

dcs_status dcs_coverage_clone(const dcs_coverage *src, GEOSContextHandle_t geos,
                              dcs_coverage *dst, dcs_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->geos = geos;
    if (!src->geom)
        return DCS_OK;
    if (!(dst->geom = GEOSGeom_clone_r(geos, src->geom)) ||
        !(dst->prep = GEOSPrepare_r(geos, dst->geom)) ||
        dcs_cover_grid_copy(&dst->grid, &src->grid) != DCS_OK)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory copying a coverage for a thread");
    return DCS_OK;
}

/* The rectangle of L's extent, densified (64 points a side) so that its
 * transformation to the working CRS follows the curved edges. */
static GEOSGeometry *extent_polygon(const dcs_layer *L, GEOSContextHandle_t geos)
{
    enum { PER_SIDE = 64 };
    const OGREnvelope *e = &L->extent;
    double x[4 * PER_SIDE + 1], y[4 * PER_SIDE + 1];
    for (int k = 0; k < PER_SIDE; k++) {
        double t = (double)k / PER_SIDE;
        x[k] = e->MinX + t * (e->MaxX - e->MinX), y[k] = e->MinY;
        x[PER_SIDE + k] = e->MaxX, y[PER_SIDE + k] = e->MinY + t * (e->MaxY - e->MinY);
        x[2 * PER_SIDE + k] = e->MaxX - t * (e->MaxX - e->MinX), y[2 * PER_SIDE + k] = e->MaxY;
        x[3 * PER_SIDE + k] = e->MinX, y[3 * PER_SIDE + k] = e->MaxY - t * (e->MaxY - e->MinY);
    }
    x[4 * PER_SIDE] = x[0];
    y[4 * PER_SIDE] = y[0];
    if (!OCTTransform(L->to_work, 4 * PER_SIDE + 1, x, y, NULL))
        return NULL;
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(geos, x, y, NULL, NULL,
                                                           4 * PER_SIDE + 1);
    GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(geos, seq) : NULL;
    return ring ? GEOSGeom_createPolygon_r(geos, ring, NULL, 0) : NULL;
}

/* A point in the coverage: 0, else DCS_COVER_NONE (covergrid.h's point
 * test). */
static long point_in_coverage(void *user, double x, double y)
{
    const dcs_coverage *cov = user;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(cov->geos, x, y);
    char in = pt ? GEOSPreparedIntersects_r(cov->geos, cov->prep, pt) : 2;
    if (pt)
        GEOSGeom_destroy_r(cov->geos, pt);
    return in == 2 ? -3 : in ? 0 : DCS_COVER_NONE;
}

static dcs_status finish_coverage(dcs_coverage *cov, const char *role, dcs_error *err)
{
    if (!cov->geom)
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "%s: could not build the coverage area",
                             role);
    cov->prep = GEOSPrepare_r(cov->geos, cov->geom);
    if (!cov->prep)
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "%s: GEOS could not prepare the coverage",
                             role);
    dcs_status st = dcs_cover_grid_build(cov->geos, &cov->geom, 1, point_in_coverage, cov,
                                         COVER_GRID_SIDE, &cov->grid);
    if (st != DCS_OK)
        return dcs_error_set(err, st, "%s: %s", role,
                             st == DCS_ERR_NOMEM ? "out of memory"
                                                 : "GEOS could not classify the coverage's grid");
    return DCS_OK;
}

dcs_status dcs_coverage_from_extent(const dcs_layer *L, GEOSContextHandle_t geos,
                                    dcs_coverage *cov, dcs_error *err)
{
    memset(cov, 0, sizeof *cov);
    cov->geos = geos;
    if (L->nfeatures == 0) /* an empty layer covers nothing: an empty polygon */
        cov->geom = GEOSGeom_createEmptyPolygon_r(geos);
    else
        cov->geom = extent_polygon(L, geos);
    return finish_coverage(cov, L->role, err);
}

dcs_status dcs_coverage_from_layer(dcs_layer *L, GEOSContextHandle_t geos, dcs_coverage *cov,
                                   dcs_error *err)
{
    dcs_polyset set;
    memset(cov, 0, sizeof *cov);
    cov->geos = geos;
    dcs_status st = dcs_polyset_load(L, geos, &set, err);
    if (st == DCS_OK) {
        GEOSGeometry *all = GEOSGeom_createCollection_r(geos, GEOS_GEOMETRYCOLLECTION, set.geom,
                                                        (unsigned)set.n);
        if (all) {
            set.n = 0; /* the collection owns the geometries now */
            cov->geom = GEOSUnaryUnion_r(geos, all);
            GEOSGeom_destroy_r(geos, all);
        }
        st = finish_coverage(cov, L->role, err);
    }
    dcs_polyset_free(&set);
    return st;
}

int dcs_coverage_contains(const dcs_coverage *cov, const GEOSGeometry *g)
{
    if (!cov->prep)
        return 1;
    double x0, y0, x1, y1; /* GEOS fails on an empty geometry: then it decides */
    if (cov->grid.cell && GEOSGeom_getXMin_r(cov->geos, g, &x0) &&
        GEOSGeom_getYMin_r(cov->geos, g, &y0) && GEOSGeom_getXMax_r(cov->geos, g, &x1) &&
        GEOSGeom_getYMax_r(cov->geos, g, &y1)) {
        dcs_cover_answer a = dcs_cover_grid_box(&cov->grid, x0, y0, x1, y1);
        if (a != DCS_COVER_UNKNOWN)
            return a == DCS_COVER_INSIDE;
    }
    return GEOSPreparedCovers_r(cov->geos, cov->prep, g) == 1;
}

void dcs_coverage_free(dcs_coverage *cov)
{
    dcs_cover_grid_free(&cov->grid);
    if (cov->prep)
        GEOSPreparedGeom_destroy_r(cov->geos, cov->prep);
    if (cov->geom)
        GEOSGeom_destroy_r(cov->geos, cov->geom);
    memset(cov, 0, sizeof *cov);
}

void dcs_polyset_free(dcs_polyset *set)
{
    if (set->tree)
        GEOSSTRtree_destroy_r(set->geos, set->tree);
    for (size_t i = 0; i < set->n; i++) {
        if (set->prep && set->prep[i])
            GEOSPreparedGeom_destroy_r(set->geos, set->prep[i]);
        GEOSGeom_destroy_r(set->geos, set->geom[i]);
        for (size_t k = 0; !set->borrowed && set->text && k < set->nfields; k++)
            free(set->text[i * set->nfields + k]);
        if (!set->borrowed && set->rings)
            dcs_rings_free(&set->rings[i]);
    }
    free(set->geom);
    free(set->items);
    free(set->prep);
    free(set->prep_fifo);
    if (!set->borrowed) {
        free(set->num);
        free(set->text);
        free(set->rings);
        free(set->area);
        dcs_nearest_free(set->near);
        dcs_cover_grid_free(&set->grid);
    }
    dcs_near_site_free(&set->site);
    for (int k = 0; k < 3; k++)
        dcs_rings_free(&set->scratch[k]);
    memset(set, 0, sizeof *set);
}
