/* noise_run.c - the noise metrics of a site. See noise_run.h. */
#include "pipeline/noise_run.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

dcs_status dcs_noise_load(const dcs_scenario *scn, dcs_layer *L, GEOSContextHandle_t geos,
                          dcs_noise_data *nd, dcs_error *err)
{
    memset(nd, 0, sizeof *nd);
    if (!scn->noise.enabled)
        return DCS_OK;
    nd->enabled = 1;
    nd->property_line = !L;
    double full[DCS_NSRC_COUNT], night[DCS_NSRC_COUNT];
    dcs_noise_plant_units(scn->noise.cooling, scn->noise.liquid_fraction, scn->it_load_mw,
                          scn->design_pue, full);
    dcs_noise_part_load(full, scn->noise.night_load_fraction, night);
    full[DCS_NSRC_GENERATOR] = scn->noise.generators_tested_day;
    dcs_noise_plant_lw(full, nd->lw_day);
    dcs_noise_plant_lw(night, nd->lw_night);
    nd->path = (dcs_noise_path){.source_h_m = scn->noise.source_h_m,
                                .receiver_h_m = scn->noise.receiver_h_m,
                                .ground_g = scn->noise.ground_g,
                                .atmosphere = scn->noise.atmosphere};
    memcpy(nd->path.barrier_db, scn->noise.barrier_db, sizeof nd->path.barrier_db);
    if (!L)
        return DCS_OK;
    dcs_status st = dcs_polyset_load(L, geos, &nd->receptors, err);
    if (st == DCS_OK)
        st = dcs_polyset_index_nearest(&nd->receptors, err);
    if (st != DCS_OK)
        dcs_error_prefix(err, "noise.receptors: ");
    return st;
}

dcs_status dcs_noise_clone(const dcs_noise_data *src, GEOSContextHandle_t geos,
                           dcs_noise_data *dst, dcs_error *err)
{
    *dst = *src;
    memset(&dst->receptors, 0, sizeof dst->receptors);
    if (!src->enabled || src->property_line)
        return DCS_OK;
    return dcs_polyset_clone(&src->receptors, geos, &dst->receptors, err);
}

void dcs_noise_data_free(dcs_noise_data *nd)
{
    if (nd->enabled && !nd->property_line)
        dcs_polyset_free(&nd->receptors);
    memset(nd, 0, sizeof *nd);
}

/* The point of a (first) coordinate sequence of GEOSNearestPoints_r: the
 * point on a, as a new geometry. */
static GEOSGeometry *nearest_point_on(GEOSContextHandle_t geos, const GEOSGeometry *a,
                                      const GEOSGeometry *b)
{
    GEOSCoordSequence *cs = GEOSNearestPoints_r(geos, a, b);
    double x, y;
    GEOSGeometry *p = NULL;
    if (cs && GEOSCoordSeq_getXY_r(geos, cs, 0, &x, &y))
        p = GEOSGeom_createPointFromXY_r(geos, x, y);
    if (cs)
        GEOSCoordSeq_destroy_r(geos, cs);
    return p;
}

static int is_polygonal(GEOSContextHandle_t geos, const GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(geos, g);
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

/* What the setback is measured towards: the receptor nearest the site, or
 * with property_line the site's boundary point nearest its centroid (a
 * new geometry, or NULL when there is none). */
static GEOSGeometry *setback_target(dcs_noise_data *nd, const dcs_crs *crs,
                                    GEOSContextHandle_t geos, const GEOSGeometry *site,
                                    const GEOSGeometry *centroid, dcs_status *st, dcs_error *err)
{
    if (nd->property_line) {
        GEOSGeometry *edge = GEOSBoundary_r(geos, site);
        GEOSGeometry *p = edge ? nearest_point_on(geos, edge, centroid) : NULL;
        if (edge)
            GEOSGeom_destroy_r(geos, edge);
        return p;
    }
    size_t which;
    double km;
    *st = dcs_polyset_nearest(&nd->receptors, site, NULL, crs, &which, &km, err);
    if (*st != DCS_OK || which == SIZE_MAX)
        return NULL;
    return GEOSGeom_clone_r(geos, nd->receptors.geom[which]);
}

/* The equipment's point (a new geometry; NULL on failure or when a
 * receptor search failed: *st says which). */
static GEOSGeometry *equipment_point(dcs_noise_data *nd, double setback_m, const dcs_crs *crs,
                                     GEOSContextHandle_t geos, const GEOSGeometry *site,
                                     dcs_status *st, dcs_error *err)
{
    GEOSGeometry *c = GEOSGetCentroid_r(geos, site);
    if (!c || isnan(setback_m) || !is_polygonal(geos, site))
        return c;
    GEOSGeometry *target = setback_target(nd, crs, geos, site, c, st, err);
    GEOSGeometry *inset = target ? GEOSBuffer_r(geos, site, -setback_m, 8) : NULL;
    GEOSGeometry *e = NULL;
    if (inset && GEOSisEmpty_r(geos, inset) == 0)
        e = nearest_point_on(geos, inset, target);
    if (e) {
        GEOSGeom_destroy_r(geos, c);
        c = e;
    }
    if (inset)
        GEOSGeom_destroy_r(geos, inset);
    if (target)
        GEOSGeom_destroy_r(geos, target);
    return c;
}

typedef struct {
    double dba_day, dba_night, dbc_night;
} heard;

static heard hear(const dcs_noise_data *nd, double dp)
{
    double day[DCS_NOISE_BANDS], night[DCS_NOISE_BANDS];
    dcs_noise_levels(nd->lw_day, &nd->path, dp, day);
    dcs_noise_levels(nd->lw_night, &nd->path, dp, night);
    return (heard){.dba_day = dcs_noise_total(day, dcs_noise_a_weight),
                   .dba_night = dcs_noise_total(night, dcs_noise_a_weight),
                   .dbc_night = dcs_noise_total(night, dcs_noise_c_weight)};
}

typedef struct {
    const dcs_tree_item **hits;
    size_t n, cap;
    int nomem;
} hits;

static void collect(void *item, void *userdata)
{
    hits *h = userdata;
    if (h->n == h->cap) {
        size_t c = h->cap ? 2 * h->cap : 64;
        const dcs_tree_item **g = realloc(h->hits, c * sizeof *g);
        if (!g) {
            h->nomem = 1;
            return;
        }
        h->hits = g;
        h->cap = c;
    }
    h->hits[h->n++] = item;
}

/* The loudest day and night levels over the receptors within radius_m of
 * e, starting from the nearest's (loud). */
static dcs_status loudest(dcs_noise_data *nd, GEOSContextHandle_t geos, const GEOSGeometry *e,
                          double radius_m, heard *loud, dcs_error *err)
{
    double x, y;
    if (!GEOSGeomGetX_r(geos, e, &x) || !GEOSGeomGetY_r(geos, e, &y))
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "noise: the equipment point has no "
                             "coordinates");
    GEOSGeometry *box = GEOSGeom_createRectangle_r(geos, x - radius_m, y - radius_m,
                                                   x + radius_m, y + radius_m);
    hits h = {0};
    if (box)
        GEOSSTRtree_query_r(geos, nd->receptors.tree, box, collect, &h);
    dcs_status st = !box || h.nomem ? dcs_error_set(err, DCS_ERR_NOMEM, "out of memory "
                                                    "(noise receptors)")
                                    : DCS_OK;
    for (size_t k = 0; st == DCS_OK && k < h.n; k++) {
        double dp;
        if (!GEOSDistance_r(geos, e, h.hits[k]->geom, &dp)) {
            st = dcs_error_set(err, DCS_ERR_GEOMETRY, "noise: GEOS could not measure the "
                               "distance to receptor %zu", h.hits[k]->index);
            break;
        }
        if (dp > radius_m)
            continue;
        heard r = hear(nd, dp);
        if (r.dba_day > loud->dba_day)
            loud->dba_day = r.dba_day;
        if (r.dba_night > loud->dba_night) {
            loud->dba_night = r.dba_night;
            loud->dbc_night = r.dbc_night;
        }
    }
    free(h.hits);
    if (box)
        GEOSGeom_destroy_r(geos, box);
    return st;
}

/* Distance from e to the nearest receptor (NaN: none), and the loudest. */
static dcs_status listen(dcs_noise_data *nd, const dcs_crs *crs, GEOSContextHandle_t geos,
                         const GEOSGeometry *site, const GEOSGeometry *e, double radius_m,
                         double *dp, heard *near, heard *loud, dcs_error *err)
{
    *dp = NAN;
    if (nd->property_line) {
        if (!is_polygonal(geos, site))
            return DCS_OK;
        GEOSGeometry *edge = GEOSBoundary_r(geos, site);
        int ok = edge && GEOSDistance_r(geos, e, edge, dp);
        if (edge)
            GEOSGeom_destroy_r(geos, edge);
        if (!ok)
            return dcs_error_set(err, DCS_ERR_GEOMETRY, "noise: GEOS could not measure the "
                                 "distance to the site's boundary");
        *near = *loud = hear(nd, *dp);
        return DCS_OK;
    }
    size_t which;
    double km;
    dcs_status st = dcs_polyset_nearest(&nd->receptors, e, NULL, crs, &which, &km, err);
    if (st != DCS_OK || which == SIZE_MAX)
        return st;
    if (!GEOSDistance_r(geos, e, nd->receptors.geom[which], dp))
        return dcs_error_set(err, DCS_ERR_GEOMETRY, "noise: GEOS could not measure the "
                             "distance to receptor %zu", which);
    *near = *loud = hear(nd, *dp);
    return loudest(nd, geos, e, radius_m, loud, err);
}

dcs_status dcs_noise_measure(dcs_noise_data *nd, const dcs_model *m, const dcs_crs *crs,
                             GEOSContextHandle_t geos, const GEOSGeometry *site, double *num,
                             dcs_error *err)
{
    const dcs_scenario *scn = m->scn;
    dcs_status st = DCS_OK;
    GEOSGeometry *e = equipment_point(nd, scn->noise.setback_m, crs, geos, site, &st, err);
    if (st != DCS_OK || !e) {
        if (e)
            GEOSGeom_destroy_r(geos, e);
        return st != DCS_OK ? st : dcs_error_set(err, DCS_ERR_GEOMETRY, "noise: no point to "
                                                 "place the equipment at (empty site?)");
    }
    double dp;
    heard near = {NAN, NAN, NAN}, loud = {NAN, NAN, NAN};
    st = listen(nd, crs, geos, site, e, scn->noise.search_km * 1000, &dp, &near, &loud, err);
    GEOSGeom_destroy_r(geos, e);
    if (st != DCS_OK)
        return st;
    double v[DCS_NZ_COUNT] = {
        [DCS_NZ_NEAREST_DAY] = near.dba_day,
        [DCS_NZ_NEAREST_NIGHT] = near.dba_night,
        [DCS_NZ_LOUDEST_DAY] = loud.dba_day,
        [DCS_NZ_LOUDEST_NIGHT] = loud.dba_night,
        [DCS_NZ_DBC_NIGHT] = loud.dbc_night,
        [DCS_NZ_RECEPTOR_KM] = dp / 1000,
        [DCS_NZ_MARGIN_DAY] = scn->noise.limit_day_dba - loud.dba_day,
        [DCS_NZ_MARGIN_NIGHT] = scn->noise.limit_night_dba - loud.dba_night,
    };
    for (int k = 0; k < DCS_NZ_COUNT; k++)
        if (m->noise[k] >= 0)
            num[m->metrics[m->noise[k]].col] = isfinite(v[k]) ? v[k] : NAN;
    return DCS_OK;
}
