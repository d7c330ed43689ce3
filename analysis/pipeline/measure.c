/* measure.c - context data and per-site metrics. See measure.h. */
#include "pipeline/measure.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/libctx.h"
#include "pipeline/community_run.h"

/* ---- loading ------------------------------------------------------------- */

static dcs_status load_vector(dcs_inputs *in, size_t k, const dcs_context *c,
                              dcs_context_data *cd, dcs_error *err)
{
    dcs_layer *L = &in->layers[in->ctx_layer[k]];
    if (c->kind == DCS_CTX_ZONE || c->kind == DCS_CTX_AREA_WEIGHTED) {
        size_t nf = c->kind == DCS_CTX_ZONE ? c->nattrs : 1;
        int *text = calloc(nf + 1, sizeof *text);
        if (!text)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        for (size_t a = 0; c->kind == DCS_CTX_ZONE && a < nf; a++)
            text[a] = cd->model->metrics[cd->model->ctx_first[k] + a].kind == DCS_TEXT;
        const int *fields = c->kind == DCS_CTX_ZONE ? in->zone_fields[k] : &in->weighted_field[k];
        dcs_status st = dcs_polyset_load_fields(L, cd->geos, fields, text, nf, &cd->sets[k], err);
        free(text);
        if (st == DCS_OK && c->kind == DCS_CTX_ZONE)
            st = dcs_polyset_index_cover(&cd->sets[k], err);
        if (st == DCS_OK && c->kind == DCS_CTX_AREA_WEIGHTED)
            st = dcs_polyset_flatten(&cd->sets[k], err);
        return st;
    }
    dcs_status st = dcs_polyset_load(L, cd->geos, &cd->sets[k], err);
    if (st == DCS_OK && c->kind == DCS_CTX_DISTANCE)
        st = dcs_polyset_index_nearest(&cd->sets[k], err);
    if (st == DCS_OK && c->kind == DCS_CTX_OVERLAY)
        st = dcs_polyset_flatten(&cd->sets[k], err);
    if (st == DCS_OK && c->kind == DCS_CTX_OVERLAY)
        st = dcs_polyset_index_cover(&cd->sets[k], err);
    return st;
}

static dcs_status load_raster(const dcs_context *c, dcs_context_data *cd, size_t k,
                              OGRSpatialReferenceH work, dcs_error *err)
{
    dcs_raster *r = &cd->rasters[k];
    dcs_status st = dcs_raster_open(c->src.dataset, c->band, work, r, err);
    if (st == DCS_OK && c->slope) {
        dcs_raster slope;
        st = dcs_raster_slope(r, &slope, err);
        dcs_raster_close(r);
        if (st == DCS_OK)
            *r = slope;
    }
    if (st == DCS_OK && c->radius_km > 0)
        st = dcs_raster_build_sat(r);
    if (st == DCS_OK && c->radius_km > 0 && !c->stats) {
        free(r->data); /* radius sums read only the prefix sums */
        r->data = NULL;
    }
    if (st != DCS_OK && err->status == DCS_OK)
        dcs_error_set(err, st, "%s: out of memory for the radius sums of '%s'", c->name,
                      c->src.dataset);
    return st;
}

static dcs_status load_coverage(dcs_inputs *in, size_t k, const dcs_context *c,
                                dcs_context_data *cd, dcs_error *err)
{
    if (c->cover == DCS_COVER_LAYER)
        return dcs_coverage_from_layer(&in->layers[in->cover_layer[k]], cd->geos, &cd->cover[k],
                                       err);
    if (c->cover == DCS_COVER_EXTENT && c->kind != DCS_CTX_RASTER)
        return dcs_coverage_from_extent(&in->layers[in->ctx_layer[k]], cd->geos, &cd->cover[k],
                                        err);
    return DCS_OK; /* everywhere; a raster's own extent is judged by its pixels */
}

static dcs_status load_join(dcs_inputs *in, size_t j, dcs_context_data *cd, dcs_error *err)
{
    const dcs_join *jn = &cd->model->scn->joins[j];
    int *text = calloc(jn->nattrs + 1, sizeof *text);
    if (!text)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    for (size_t a = 0; a < jn->nattrs; a++)
        text[a] = cd->model->metrics[cd->model->join_first[j] + a].kind == DCS_TEXT;
    dcs_status st = dcs_table_load(&in->layers[in->join_layer[j]], in->join_key[j],
                                   in->join_fields[j], text, jn->nattrs, &cd->tables[j], err);
    free(text);
    return st;
}

/* grid_of[k]: the first raster context with the same pixel grid as k. */
static dcs_status link_grids(dcs_context_data *cd, dcs_error *err)
{
    size_t n = cd->ncontexts;
    cd->grid_of = calloc(n + 1, sizeof *cd->grid_of);
    cd->cells = calloc(n + 1, sizeof *cd->cells);
    cd->have_cells = calloc(n + 1, 1);
    if (!cd->grid_of || !cd->cells || !cd->have_cells)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    const dcs_context *c = cd->model->scn->contexts;
    for (size_t k = 0; k < n; k++) {
        cd->grid_of[k] = (long)k;
        for (size_t j = 0; c[k].kind == DCS_CTX_RASTER && j < k; j++)
            if (c[j].kind == DCS_CTX_RASTER &&
                dcs_raster_same_grid(&cd->rasters[j], &cd->rasters[k])) {
                cd->grid_of[k] = (long)j;
                break;
            }
    }
    return DCS_OK;
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* cover_of[k]: the first context with the same coverage layer as k (the
 * same dataset, layer and filter), so that a site is tested against it
 * once, e.g. by 100- and 500-year flood overlays that share one. */
static dcs_status link_coverages(dcs_context_data *cd, dcs_error *err)
{
    size_t n = cd->ncontexts;
    cd->cover_of = calloc(n + 1, sizeof *cd->cover_of);
    cd->uncovered = calloc(n + 1, 1);
    if (!cd->cover_of || !cd->uncovered)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    const dcs_context *c = cd->model->scn->contexts;
    for (size_t k = 0; k < n; k++) {
        cd->cover_of[k] = (long)k;
        for (size_t j = 0; c[k].cover == DCS_COVER_LAYER && j < k; j++) {
            const dcs_source *a = &c[j].coverage, *b = &c[k].coverage;
            if (c[j].cover == DCS_COVER_LAYER && same_text(a->dataset, b->dataset) &&
                same_text(a->layer, b->layer) && same_text(a->where, b->where)) {
                cd->cover_of[k] = (long)j;
                break;
            }
        }
    }
    return DCS_OK;
}

/* ---- the inputs with files of their own ------------------------------------
 * Rasters and weather stations are read from their own files, so they can
 * load in a thread of their own while the calling thread reads the sites
 * and the vector layers (whose OGR datasets that thread owns). */

struct dcs_file_loader {
    dcs_context_data *cd;
    OGRSpatialReferenceH work; /* the loader's own copy of the working CRS */
    pthread_t tid;
    int running;
    atomic_int stop;
    size_t failed;             /* the raster context that failed, SIZE_MAX none */
    dcs_error err;
    dcs_error stations_err;    /* listing the weather files failed (reported in order) */
};

/* Rasters in context order, then weather stations until none is left;
 * stops at the first failure. */
static void *load_files(void *arg)
{
    dcs_file_loader *f = arg;
    dcs_context_data *cd = f->cd;
    const dcs_context *c = cd->model->scn->contexts;
    for (size_t k = 0; k < cd->ncontexts && f->failed == SIZE_MAX; k++)
        if (c[k].kind == DCS_CTX_RASTER && !atomic_load(&f->stop) &&
            load_raster(&c[k], cd, k, f->work, &f->err) != DCS_OK)
            f->failed = k;
    while (f->failed == SIZE_MAX && !atomic_load(&f->stop) && cd->stations.work &&
           dcs_stations_model_next(&cd->stations))
        ;
    return NULL;
}

/* Wait for the loader (help with the stations first when `help`) or run
 * it here when it has no thread. */
static void files_wait(dcs_file_loader *f, int help)
{
    if (!f->running) {
        load_files(f);
        return;
    }
    while (help && f->cd->stations.work && dcs_stations_model_next(&f->cd->stations))
        ;
    pthread_join(f->tid, NULL);
    f->running = 0;
}

static void files_free(dcs_file_loader *f)
{
    if (!f)
        return;
    if (f->running) {
        atomic_store(&f->stop, 1);
        pthread_join(f->tid, NULL);
    }
    if (f->work)
        OSRRelease(f->work);
    free(f);
}

dcs_status dcs_context_start(dcs_inputs *in, const dcs_model *model, const dcs_crs *crs,
                             GEOSContextHandle_t geos, double peak_mw, int background,
                             dcs_context_data *cd, dcs_error *err)
{
    const dcs_scenario *scn = model->scn;
    memset(cd, 0, sizeof *cd);
    *cd = (dcs_context_data){.model = model, .crs = crs, .geos = geos, .peak_mw = peak_mw,
                             .ncontexts = scn->ncontexts, .njoins = scn->njoins};
    cd->nsubs = 1 + scn->substations.nrules;
    cd->subs = calloc(cd->nsubs, sizeof *cd->subs);
    cd->sets = calloc(scn->ncontexts + 1, sizeof *cd->sets);
    cd->rasters = calloc(scn->ncontexts + 1, sizeof *cd->rasters);
    cd->cover = calloc(scn->ncontexts + 1, sizeof *cd->cover);
    cd->tables = calloc(scn->njoins + 1, sizeof *cd->tables);
    cd->density = calloc(scn->ncontexts + 1, sizeof *cd->density);
    dcs_file_loader *f = cd->files = calloc(1, sizeof *cd->files);
    if (!cd->subs || !cd->sets || !cd->rasters || !cd->cover || !cd->tables || !cd->density ||
        !f)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading context layers");
    *f = (dcs_file_loader){.cd = cd, .failed = SIZE_MAX, .work = OSRClone(crs->work)};
    atomic_init(&f->stop, 0);
    if (!f->work)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading context layers");
    /* a failure to list the weather files waits for its turn in
     * dcs_context_load(): the sites and the other layers come first */
    if (scn->energy.enabled &&
        dcs_stations_begin(scn, in->station_layer >= 0 ? &in->layers[in->station_layer] : NULL,
                           in->station_field, geos, &cd->stations, &f->stations_err) != DCS_OK &&
        f->stations_err.status == DCS_ERR_NOMEM) {
        *err = f->stations_err;
        return err->status;
    }
    if (background)
        f->running = pthread_create(&f->tid, NULL, load_files, f) == 0; /* else later, here */
    return DCS_OK;
}

/* The main rule's substations and each of substations.rules'. */
static dcs_status load_substations(dcs_inputs *in, dcs_context_data *cd, dcs_error *err)
{
    const dcs_scenario *scn = cd->model->scn;
    dcs_substation_filter *f = calloc(cd->nsubs, sizeof *f);
    if (!f)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory loading substations");
    f[0] = (dcs_substation_filter){
        .min_voltage_kv = scn->substations.min_voltage_kv,
        .min_headroom_mw = scn->substations.require_headroom ? cd->peak_mw : NAN,
    };
    for (size_t r = 1; r < cd->nsubs; r++)
        f[r] = (dcs_substation_filter){
            .min_voltage_kv = scn->substations.rules[r - 1].min_voltage_kv,
            .min_headroom_mw = scn->substations.rules[r - 1].min_headroom_mw,
        };
    dcs_status st = dcs_substations_load(&in->layers[DCS_IN_SUBSTATIONS], scn, f, cd->nsubs,
                                         cd->geos, cd->subs, err);
    free(f);
    return st;
}

/* The vector inputs, in scenario order, up to the first failure; *at is
 * its place in that order (SIZE_MAX none): substations 0, context k 1 + 2k,
 * its coverage 2 + 2k, join j 1 + 2n + j. */
static dcs_status load_vectors(dcs_inputs *in, dcs_context_data *cd, size_t *at,
                               dcs_error *err)
{
    const dcs_scenario *scn = cd->model->scn;
    size_t n = scn->ncontexts;
    *at = 0;
    dcs_status st = link_coverages(cd, err);
    if (st == DCS_OK)
        st = load_substations(in, cd, err);
    for (size_t k = 0; st == DCS_OK && k < n; k++) {
        const dcs_context *c = &scn->contexts[k];
        *at = 1 + 2 * k;
        if (c->kind != DCS_CTX_RASTER)
            st = load_vector(in, k, c, cd, err);
        if (st == DCS_OK && (*at = 2 + 2 * k) && cd->cover_of[k] == (long)k)
            st = load_coverage(in, k, c, cd, err);
    }
    for (size_t j = 0; st == DCS_OK && j < scn->njoins; j++) {
        *at = 1 + 2 * n + j;
        st = load_join(in, j, cd, err);
    }
    if (st == DCS_OK)
        *at = SIZE_MAX;
    return st;
}

/* Each region's system load shape, sorted once for dcs_flex_headroom_shape(). */
static dcs_status sort_flex_shapes(dcs_context_data *cd, dcs_error *err)
{
    if (!(cd->flex = calloc(cd->hourly.n + 1, sizeof *cd->flex)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (flexible capacity)");
    dcs_status st = DCS_OK;
    for (size_t r = 0; st == DCS_OK && r < cd->hourly.n; r++) {
        const double *load = cd->hourly.region[r].sig[DCS_SIG_SYSTEM_LOAD];
        if (load)
            st = dcs_flex_shape_init(&cd->flex[r], load, DCS_HOURS, err);
    }
    if (st != DCS_OK)
        dcs_error_prefix(err, "energy.hourly_signals system_load_mw: ");
    return st;
}

/* The hourly grid signals and the clean supply (energy.hourly_signals,
 * energy.clean_supply); the first problem in err, with how many more. */
static dcs_status load_hourly(dcs_context_data *cd, dcs_error *err)
{
    const dcs_scenario *scn = cd->model->scn;
    if (!scn->energy.enabled || !scn->energy.hourly.src.dataset)
        return DCS_OK;
    dcs_strlist problems = {0};
    dcs_status st = dcs_hourly_load(&scn->energy.hourly, 0, &cd->hourly, &problems, err);
    if (st == DCS_OK && scn->energy.supply.src.dataset)
        st = dcs_supply_load(&scn->energy.supply, &cd->supply_mw, &problems, err);
    if (st == DCS_OK && scn->energy.flex.enabled)
        st = sort_flex_shapes(cd, err);
    if (st == DCS_ERR_DATA && problems.count > 1)
        dcs_error_set(err, DCS_ERR_DATA, "%s (and %zu more problems: run dcsite check)",
                      problems.items[0], problems.count - 1);
    dcs_strlist_free(&problems);
    return st;
}

dcs_status dcs_context_load(dcs_inputs *in, dcs_context_data *cd, dcs_error *err)
{
    size_t at;
    dcs_error verr;
    dcs_status st = load_vectors(in, cd, &at, &verr);
    dcs_file_loader *f = cd->files;
    files_wait(f, st == DCS_OK);
    if (f->failed != SIZE_MAX && 1 + 2 * f->failed < at) { /* the earlier failure wins */
        *err = f->err;
        return f->err.status;
    }
    if (st != DCS_OK) {
        *err = verr;
        return st;
    }
    if (f->stations_err.status != DCS_OK) {
        *err = f->stations_err;
        return err->status;
    }
    if (cd->stations.work)
        st = dcs_stations_finish(&cd->stations, cd->crs, err);
    if (st == DCS_OK)
        st = load_hourly(cd, err);
    if (st == DCS_OK)
        st = link_grids(cd, err);
    if (st == DCS_OK)
        st = dcs_noise_load(cd->model->scn, in->noise_layer >= 0 ? &in->layers[in->noise_layer]
                                                                 : NULL,
                            cd->geos, &cd->noise, err);
    return st;
}

dcs_status dcs_context_prepare_sites(dcs_context_data *cd, const dcs_sites *sites,
                                     dcs_error *err)
{
    const double *box = sites->extent;
    if (!(box[0] <= box[2] && box[1] <= box[3]))
        return DCS_OK; /* no sites */
    for (size_t k = 0; k < cd->ncontexts; k++) {
        const dcs_context *c = &cd->model->scn->contexts[k];
        if (c->kind != DCS_CTX_AREA_WEIGHTED || c->exact)
            continue;
        double r = c->radius_km * 1000, cell = c->cell_m > 0 ? c->cell_m : r / 40;
        double win[4] = {box[0] - r - cell, box[1] - r - cell, box[2] + r + cell,
                         box[3] + r + cell};
        const dcs_polyset *set = &cd->sets[k];
        dcs_status st = dcs_density_build(set->rings, set->area, set->num, set->n, win, cell,
                                          &cd->density[k]);
        if (st != DCS_OK)
            return dcs_error_set(err, st, "%s: out of memory for the grid of '%s'", c->name,
                                 c->src.dataset);
    }
    return DCS_OK;
}

/* The copy's own substations, layers, coverages and station points. */
static dcs_status clone_geometry(const dcs_context_data *src, dcs_context_data *cd,
                                 dcs_error *err)
{
    dcs_status st = DCS_OK;
    for (size_t r = 0; st == DCS_OK && r < cd->nsubs; r++)
        st = dcs_substations_clone(&src->subs[r], cd->geos, &cd->subs[r], err);
    for (size_t k = 0; st == DCS_OK && k < cd->ncontexts; k++) {
        if (src->sets[k].tree)
            st = dcs_polyset_clone(&src->sets[k], cd->geos, &cd->sets[k], err);
        if (st == DCS_OK && src->rasters[k].width > 0)
            st = dcs_raster_share(&src->rasters[k], &cd->rasters[k], err);
        if (st == DCS_OK)
            st = dcs_coverage_clone(&src->cover[k], cd->geos, &cd->cover[k], err);
    }
    if (st == DCS_OK && src->stations.points.tree)
        st = dcs_polyset_clone(&src->stations.points, cd->geos, &cd->stations.points, err);
    return st;
}

dcs_status dcs_context_clone(const dcs_context_data *src, dcs_context_data *cd, dcs_error *err)
{
    size_t n = src->ncontexts;
    *cd = (dcs_context_data){.model = src->model, .peak_mw = src->peak_mw, .tables = src->tables,
                             .ncontexts = n, .njoins = src->njoins, .grid_of = src->grid_of,
                             .cover_of = src->cover_of,
                             .density = src->density, .is_copy = 1, .crs_copy = *src->crs};
    cd->stations.n = src->stations.n;
    cd->stations.st = src->stations.st;
    cd->hourly = src->hourly;
    cd->flex = src->flex;
    cd->supply_mw = src->supply_mw;
    cd->crs_copy.work_to_lonlat = NULL;
    cd->crs = &cd->crs_copy;
    cd->geos = dcs_geos_init();
    cd->nsubs = src->nsubs;
    cd->subs = calloc(cd->nsubs, sizeof *cd->subs);
    cd->sets = calloc(n + 1, sizeof *cd->sets);
    cd->rasters = calloc(n + 1, sizeof *cd->rasters);
    cd->cover = calloc(n + 1, sizeof *cd->cover);
    cd->cells = calloc(n + 1, sizeof *cd->cells);
    cd->have_cells = calloc(n + 1, 1);
    cd->uncovered = calloc(n + 1, 1);
    if (!cd->geos || !cd->subs || !cd->sets || !cd->rasters || !cd->cover || !cd->cells || !cd->have_cells ||
        !cd->uncovered ||
        !(cd->crs_copy.work_to_lonlat = OCTClone(src->crs->work_to_lonlat)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory copying the context for a thread");
    dcs_status st = clone_geometry(src, cd, err);
    return st == DCS_OK ? dcs_noise_clone(&src->noise, cd->geos, &cd->noise, err) : st;
}

/* A copy shares the tables, the stations' results, grid_of and cover_of. */
static void free_shared(dcs_context_data *cd)
{
    for (size_t j = 0; cd->tables && j < cd->njoins; j++)
        dcs_table_free(&cd->tables[j]);
    free(cd->tables);
    dcs_stations_free(&cd->stations);
    for (size_t r = 0; cd->flex && r < cd->hourly.n; r++)
        dcs_flex_shape_free(&cd->flex[r]);
    free(cd->flex);
    dcs_hourly_free(&cd->hourly);
    free(cd->supply_mw);
    free(cd->grid_of);
    free(cd->cover_of);
    for (size_t k = 0; cd->density && k < cd->ncontexts; k++)
        dcs_density_free(&cd->density[k]);
    free(cd->density);
}

void dcs_context_free(dcs_context_data *cd)
{
    files_free(cd->files); /* first: its thread may still be loading */
    dcs_noise_data_free(&cd->noise);
    for (size_t r = 0; cd->subs && r < cd->nsubs; r++)
        dcs_substations_free(&cd->subs[r]);
    free(cd->subs);
    for (size_t k = 0; k < cd->ncontexts; k++) {
        if (cd->sets)
            dcs_polyset_free(&cd->sets[k]);
        if (cd->rasters)
            dcs_raster_close(&cd->rasters[k]);
        if (cd->cover)
            dcs_coverage_free(&cd->cover[k]);
        if (cd->cells)
            dcs_cells_free(&cd->cells[k]);
    }
    if (cd->is_copy) {
        dcs_polyset_free(&cd->stations.points);
        if (cd->crs_copy.work_to_lonlat)
            OCTDestroyCoordinateTransformation(cd->crs_copy.work_to_lonlat);
        dcs_geos_finish(cd->geos);
    } else {
        free_shared(cd);
    }
    dcs_zonal_work_free(&cd->zw);
    dcs_span_work_free(&cd->spans);
    dcs_rings_free(&cd->site_rings);
    dcs_near_site_free(&cd->site_flat);
    free(cd->sets);
    free(cd->rasters);
    free(cd->cover);
    free(cd->cells);
    free(cd->have_cells);
    free(cd->uncovered);
    memset(cd, 0, sizeof *cd);
}

/* ---- measuring ------------------------------------------------------------- */

double dcs_interconnect_cost(const dcs_scenario *scn, double km, double kv, double headroom_mw,
                             double need_mw)
{
    if (isnan(km) || isnan(kv))
        return NAN;
    size_t c = 0, n = scn->interconnection.nclasses;
    while (c + 1 < n && kv > scn->interconnection.max_kv[c])
        c++;
    double cost = km * scn->interconnection.musd_per_km[c];
    if (isnan(headroom_mw) ? scn->interconnection.upgrade_unknown : headroom_mw < need_mw)
        cost += scn->interconnection.upgrade_musd;
    return cost;
}

/* The site's centroid (working CRS), made once per site. */
static const GEOSGeometry *site_centroid(dcs_context_data *cd, dcs_error *err)
{
    if (!cd->centroid && !(cd->centroid = GEOSGetCentroid_r(cd->geos, cd->site)))
        dcs_error_set(err, DCS_ERR_GEOMETRY, "GEOS could not find the site's centroid");
    return cd->centroid;
}

/* What connecting to substation k at km costs (dcs_connection_cost_fn):
 * the line and upgrade (dcs_interconnect_cost) plus its cost field. */
static double connection_cost(const dcs_substations *subs, size_t k, double km, void *user)
{
    const dcs_context_data *cd = user;
    return dcs_interconnect_cost(cd->model->scn, km, subs->kv[k], subs->headroom_mw[k],
                                 cd->peak_mw) +
           subs->cost_musd[k];
}

double dcs_time_to_power(const dcs_scenario *scn, double need_mw, double headroom_mw,
                         double queue_mw, double upgrade_year, double upgrade_mw, int *basis)
{
    double start = scn->interconnection.start_year;
    double spare = headroom_mw - (isnan(queue_mw) ? 0 : queue_mw);
    double connected = start + scn->interconnection.connect_years;
    *basis = -1;
    if (isnan(headroom_mw))
        return NAN;
    if (spare >= need_mw)
        return *basis = 0, ceil(connected);
    if (!isnan(upgrade_year) && !isnan(upgrade_mw) && spare + upgrade_mw >= need_mw)
        return *basis = 1, ceil(fmax(connected, upgrade_year));
    return *basis = 2, ceil(start + scn->interconnection.transformer_years);
}

/* energization_year and energization_basis of a site connected to k. */
static int set_time_to_power(const dcs_context_data *cd, dcs_sites *s, size_t i, size_t k)
{
    const dcs_model *m = cd->model;
    const double *t = cd->subs[0].ttp + DCS_SUB_EXTRA * k;
    double head = cd->subs[0].headroom_mw[k];
    int basis;
    double year = dcs_time_to_power(m->scn, cd->peak_mw, head, t[0], t[1], t[2], &basis);
    char why[160];
    switch (basis) {
    case 0:
        snprintf(why, sizeof why, "spare headroom: %.0f MW after %.0f MW queued", head - t[0],
                 t[0]);
        break;
    case 1:
        snprintf(why, sizeof why, "planned upgrade in %.0f (+%.0f MW)", t[1], t[2]);
        break;
    case 2:
        snprintf(why, sizeof why, "new transformer: %.0f MW left after %.0f MW queued",
                 head - t[0], t[0]);
        break;
    default:
        snprintf(why, sizeof why, "headroom unknown");
    }
    dcs_site_num(s, i)[m->metrics[m->ttp_first].col] = year;
    return dcs_site_set_text(s, i, m->metrics[m->ttp_first + 1].col, why);
}

/* The least line cost per km of any voltage class. */
static double least_per_km(const dcs_scenario *scn)
{
    double least = INFINITY;
    for (size_t c = 0; c < scn->interconnection.nclasses; c++)
        least = fmin(least, scn->interconnection.musd_per_km[c]);
    return least;
}

/* The nearest qualifying substation, the cheapest unless the scenario
 * chooses the nearest, and the portfolio's alternatives. */
static dcs_status connect_site(dcs_context_data *cd, dcs_connection *c, dcs_error *err)
{
    const dcs_scenario *scn = cd->model->scn;
    dcs_connection_search q = {
        .cost = connection_cost,
        .user = cd,
        .min_musd_per_km = least_per_km(scn),
        .search_km = scn->interconnection.search_km,
        .prefer_nearest = scn->interconnection.nearest,
        .nalt = scn->portfolio.enabled ? scn->portfolio.alternatives : 0,
        .alt_km = scn->portfolio.search_km,
    };
    return dcs_cheapest_substation(&cd->subs[0], cd->site, &cd->site_flat, cd->crs, &q, c, err);
}

/* connection_<k>_id, _cost_musd and _headroom_mw of the alternatives. */
static int set_alternatives(const dcs_context_data *cd, dcs_sites *s, size_t i,
                            const dcs_connection *c)
{
    const dcs_model *m = cd->model;
    const dcs_substations *subs = &cd->subs[0];
    double *num = dcs_site_num(s, i);
    for (size_t a = 0; a < c->nalt && a < m->scn->portfolio.alternatives; a++) {
        const dcs_metric *mt = &m->metrics[m->alts_first + 3 * a];
        num[mt[1].col] = c->alt_cost[a];
        num[mt[2].col] = subs->headroom_mw[c->alt[a]];
        if (dcs_site_set_text(s, i, mt[0].col, subs->id[c->alt[a]]) != 0)
            return -1;
    }
    return 0;
}

/* nearest_substation_km, nearest_substation_id and connection. */
static int set_choice(const dcs_context_data *cd, dcs_sites *s, size_t i, const dcs_connection *c)
{
    const dcs_model *m = cd->model;
    const dcs_substations *subs = &cd->subs[0];
    size_t at = m->subs_first + (m->scn->substations.name_field != NULL);
    char why[160];
    if (c->which == c->nearest)
        snprintf(why, sizeof why, "nearest");
    else
        snprintf(why, sizeof why, "cheapest: %.1f M$ at %.1f km vs %.1f M$ at the nearest, %s",
                 c->cost, c->km, c->nearest_cost, subs->id[c->nearest]);
    dcs_site_num(s, i)[m->metrics[at].col] = c->nearest_km;
    return dcs_site_set_text(s, i, m->metrics[at + 1].col, subs->id[c->nearest]) != 0 ||
                   dcs_site_set_text(s, i, m->metrics[at + 2].col, why) != 0
               ? -1
               : 0;
}

static dcs_status measure_power(dcs_context_data *cd, dcs_sites *s, size_t i,
                                dcs_error *err)
{
    dcs_connection c;
    const dcs_substations *subs = &cd->subs[0];
    const dcs_scenario *scn = cd->model->scn;
    cd->site_sub = SIZE_MAX;
    dcs_status st = connect_site(cd, &c, err);
    if (st != DCS_OK || c.which == SIZE_MAX)
        return st;
    size_t k = c.which;
    cd->site_sub = k;
    double *num = dcs_site_num(s, i);
    num[DCS_COL_SUB_KM] = c.km;
    num[DCS_COL_SUB_KV] = subs->kv[k];
    num[DCS_COL_SUB_HEADROOM_MW] = subs->headroom_mw[k];
    num[DCS_COL_INTERCONNECT_MUSD] = c.cost;
    if (dcs_site_set_text(s, i, DCS_TCOL_SUB_ID, subs->id[k]) != 0 ||
        (scn->substations.name_field &&
         dcs_site_set_text(s, i, cd->model->metrics[cd->model->subs_first].col,
                           subs->name[k]) != 0) ||
        (!scn->interconnection.nearest && set_choice(cd, s, i, &c) != 0) ||
        (cd->model->ttp_first >= 0 && set_time_to_power(cd, s, i, k) != 0) ||
        set_alternatives(cd, s, i, &c) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    return DCS_OK;
}

/* Each rule's nearest substation: metrics from model->subs_first (after
 * substation_name when there is a name field; model.h). */
static dcs_status measure_substation_rules(dcs_context_data *cd, dcs_sites *s, size_t i,
                                           dcs_error *err)
{
    const dcs_model *m = cd->model;
    const dcs_scenario *scn = m->scn;
    int named = scn->substations.name_field != NULL;
    size_t at = m->rules_first, which;
    double km, *num = dcs_site_num(s, i);
    dcs_status st = DCS_OK;
    for (size_t r = 1; st == DCS_OK && r < cd->nsubs; r++, at += 4 + (size_t)named) {
        const dcs_substations *u = &cd->subs[r];
        int centroid = scn->substations.rules[r - 1].from_centroid;
        const GEOSGeometry *from = centroid ? site_centroid(cd, err) : cd->site;
        if (!from)
            return err->status;
        st = dcs_nearest_substation(&cd->subs[r], from, centroid ? NULL : &cd->site_flat,
                                    cd->crs, &which, &km, err);
        if (st != DCS_OK || which == SIZE_MAX)
            continue;
        num[m->metrics[at].col] = km;
        num[m->metrics[at + 1].col] = u->kv[which];
        num[m->metrics[at + 2].col] = u->headroom_mw[which];
        if (dcs_site_set_text(s, i, m->metrics[at + 3].col, u->id[which]) != 0 ||
            (named && dcs_site_set_text(s, i, m->metrics[at + 4].col, u->name[which]) != 0))
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    return st;
}

/* Copy row `row` of a set's or table's columns into the metrics starting
 * at metric index `first`. */
static int copy_columns(const dcs_model *m, dcs_sites *s, size_t i, size_t first, size_t n,
                        const double *num, char *const *text)
{
    for (size_t a = 0; a < n; a++) {
        const dcs_metric *mt = &m->metrics[first + a];
        if (mt->kind == DCS_NUM)
            dcs_site_num(s, i)[mt->col] = num[a];
        else if (text[a] && dcs_site_set_text(s, i, mt->col, text[a]) != 0)
            return -1;
    }
    return 0;
}

static dcs_status measure_zone(dcs_context_data *cd, size_t k, dcs_sites *s, size_t i,
                               int *outside, dcs_error *err)
{
    dcs_polyset *set = &cd->sets[k];
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(cd->geos, s->x[i], s->y[i]);
    size_t which = SIZE_MAX;
    dcs_status st = pt ? dcs_polyset_zone(set, pt, &which, err)
                       : dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    if (pt)
        GEOSGeom_destroy_r(cd->geos, pt);
    if (st != DCS_OK)
        return st;
    if (which == SIZE_MAX) {
        *outside = 1;
        return DCS_OK;
    }
    if (copy_columns(cd->model, s, i, cd->model->ctx_first[k], set->nfields,
                     set->num + which * set->nfields, set->text + which * set->nfields) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    return DCS_OK;
}

/* Zonal statistics of raster k over the site, with the pixel shares
 * computed once per site for all the rasters on one grid. */
static dcs_status site_zonal(dcs_context_data *cd, size_t k, const GEOSGeometry *site,
                             dcs_zonal *z, dcs_error *err)
{
    size_t g = (size_t)cd->grid_of[k];
    if (!cd->have_cells[g]) {
        dcs_status st = dcs_raster_cover(&cd->rasters[g], cd->geos, site, &cd->zw, &cd->cells[g],
                                         err);
        if (st != DCS_OK)
            return st;
        cd->have_cells[g] = 1;
    }
    int majority_too = (cd->model->scn->contexts[k].stats & DCS_STAT_MAJORITY) != 0;
    return dcs_raster_zonal_cells(&cd->rasters[k], &cd->cells[g], majority_too, &cd->zw, z,
                                  err);
}

static dcs_status measure_raster(dcs_context_data *cd, size_t k, dcs_sites *s, size_t i,
                                 int *outside, dcs_error *err)
{
    const dcs_context *c = &cd->model->scn->contexts[k];
    double *num = dcs_site_num(s, i);
    size_t metric = cd->model->ctx_first[k];
    if (c->stats) {
        dcs_zonal z;
        dcs_status st = site_zonal(cd, k, cd->site, &z, err);
        if (st != DCS_OK)
            return st;
        const double vals[DCS_NSTATS] = {z.mean,     z.min,     z.max,
                                         z.sum,      z.majority, z.coverage,
                                         z.nodata_coverage, z.covered_fraction};
        for (unsigned b = 0; b < DCS_NSTATS; b++)
            if (c->stats & (1u << b))
                num[cd->model->metrics[metric++].col] = vals[b];
        num[cd->model->metrics[metric++].col] = 100.0 * z.nodata_fraction;
        *outside |= z.coverage <= 0;
    }
    if (c->radius_km > 0) {
        double sum, valid;
        dcs_status st = dcs_raster_radius_sum(&cd->rasters[k], s->x[i], s->y[i],
                                              c->radius_km * 1000, &sum, &valid);
        if (st != DCS_OK)
            return dcs_error_set(err, st, "%s: radius sum failed at site \"%s\"", c->name,
                                 s->id[i]);
        num[cd->model->metrics[metric].col] = sum;
        *outside |= !(valid > 0);
    }
    return DCS_OK;
}

/* Area-weighted sum within the radius of the current site from the grid of k. */
static dcs_status measure_on_grid(dcs_context_data *cd, size_t k, double *sum, dcs_error *err)
{
    dcs_rings_clear(&cd->site_rings);
    dcs_status st = dcs_rings_add_geos(&cd->site_rings, cd->geos, cd->site);
    if (st != DCS_OK)
        return dcs_error_set(err, st, "%s", st == DCS_ERR_NOMEM
                                                ? "out of memory"
                                                : "GEOS cannot read the site's coordinates");
    *sum = dcs_density_buffer_sum(&cd->density[k], &cd->site_rings,
                                  cd->model->scn->contexts[k].radius_km * 1000, &cd->spans);
    return isnan(*sum) ? dcs_error_set(err, DCS_ERR_NOMEM, "out of memory") : DCS_OK;
}

/* The metrics of context layer k for site i; *outside when it has none. */
static dcs_status measure_context(dcs_context_data *cd, size_t k, dcs_sites *s, size_t i,
                                  int *outside, dcs_error *err)
{
    const dcs_context *c = &cd->model->scn->contexts[k];
    const dcs_metric *first = &cd->model->metrics[cd->model->ctx_first[k]];
    double *num = dcs_site_num(s, i);
    size_t which;
    switch (c->kind) {
    case DCS_CTX_OVERLAY:
        return dcs_polyset_overlap_pct(&cd->sets[k], cd->site, &num[first->col], err);
    case DCS_CTX_DISTANCE:
        if (c->from_centroid)
            return !site_centroid(cd, err)
                       ? err->status
                       : dcs_polyset_nearest(&cd->sets[k], cd->centroid, NULL, cd->crs, &which,
                                             &num[first->col], err);
        return dcs_polyset_nearest(&cd->sets[k], cd->site, &cd->site_flat, cd->crs, &which,
                                   &num[first->col], err);
    case DCS_CTX_ZONE:
        return measure_zone(cd, k, s, i, outside, err);
    case DCS_CTX_AREA_WEIGHTED:
        if (cd->density[k].row_sum)
            return measure_on_grid(cd, k, &num[first->col], err);
        return dcs_polyset_area_weighted(&cd->sets[k], cd->site, c->radius_km * 1000, 0,
                                         &num[first->col], err);
    case DCS_CTX_RASTER:
        return measure_raster(cd, k, s, i, outside, err);
    }
    return dcs_error_set(err, DCS_ERR_INTERNAL, "unknown context kind");
}

/* Forget the metrics of context k for site i (outside its coverage),
 * except a raster's coverage metrics when it was read there (measured). */
static void clear_context(dcs_context_data *cd, size_t k, dcs_sites *s, size_t i, int measured)
{
    size_t end = k + 1 < cd->ncontexts ? cd->model->ctx_first[k + 1]
                 : cd->njoins        ? cd->model->join_first[0]
                                     : cd->model->energy_first;
    for (size_t m = cd->model->ctx_first[k]; m < end; m++) {
        const dcs_metric *mt = &cd->model->metrics[m];
        if (measured && mt->kept_outside)
            continue;
        if (mt->kind == DCS_NUM) {
            dcs_site_num(s, i)[mt->col] = NAN;
        } else {
            dcs_site_set_text(s, i, mt->col, NULL);
        }
    }
}

static dcs_status measure_joins(dcs_context_data *cd, dcs_sites *s, size_t i,
                                dcs_error *err)
{
    const dcs_model *m = cd->model;
    for (size_t j = 0; j < cd->njoins; j++) {
        const char *key = dcs_site_text(s, i)[m->metrics[m->join_on[j]].col];
        long row = key ? dcs_table_find(&cd->tables[j], key) : -1;
        const dcs_table *t = &cd->tables[j];
        if (row >= 0 && copy_columns(m, s, i, m->join_first[j], t->nfields,
                                     t->num + (size_t)row * t->nfields,
                                     t->text + (size_t)row * t->nfields) != 0)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    return DCS_OK;
}

/* A site metric that may be missing (index -1). */
static double site_metric(const dcs_model *m, const dcs_sites *s, size_t i, long metric)
{
    return metric >= 0 ? dcs_site_num(s, i)[m->metrics[metric].col] : NAN;
}

/* The flexible capacity of site i at each budget: its substation's when
 * the capacity is known (the region's load scaled so its peak is capacity
 * minus headroom), else its region's (the load as given, capacity its
 * peak); NaN when the region has no load shape (docs/methods.md). */
static dcs_status measure_flex(const dcs_context_data *cd, dcs_sites *s, size_t i,
                               dcs_error *err)
{
    const dcs_model *m = cd->model;
    const dcs_scenario *scn = m->scn;
    size_t npct = scn->energy.flex.npct, nb = npct + scn->energy.flex.nhours;
    int gen = !isnan(scn->energy.flex.generator_cap_hours);
    const char *key = m->hourly_on >= 0 ? dcs_site_text(s, i)[m->metrics[m->hourly_on].col]
                                        : NULL;
    const dcs_hourly_region *g = key ? dcs_hourly_find(&cd->hourly, key) : NULL;
    const dcs_flex_shape *shape = g ? &cd->flex[g - cd->hourly.region] : NULL;
    if (!shape || !shape->desc || !(shape->peak > 0))
        return DCS_OK; /* no load shape for the site's region: the metrics stay empty */
    double cap = NAN, head = NAN;
    if (cd->site_sub != SIZE_MAX) {
        cap = cd->subs[0].ttp[DCS_SUB_EXTRA * cd->site_sub + 3];
        head = cd->subs[0].headroom_mw[cd->site_sub];
    }
    int local = !isnan(cap) && !isnan(head) && cap >= head;
    dcs_flex_query q = {.scale = local ? (cap - head) / shape->peak : 1.0,
                        .capacity_mw = local ? cap : shape->peak};
    double *num = dcs_site_num(s, i);
    size_t per = 2 + (size_t)gen;
    for (size_t b = 0; b < nb; b++) {
        q.budget_kind = b < npct ? DCS_FLEX_BUDGET_ENERGY : DCS_FLEX_BUDGET_HOURS;
        q.budget = b < npct ? scn->energy.flex.pct[b] : scn->energy.flex.hours[b - npct];
        dcs_flex_result r;
        dcs_status st = dcs_flex_headroom_shape(shape, &q, &r, err);
        if (st != DCS_OK)
            return st;
        const dcs_metric *mt = &m->metrics[m->flex_first + (long)(per * b)];
        num[mt[0].col] = r.extra_mw;
        num[mt[1].col] = r.hours;
        if (gen)
            num[mt[2].col] = dcs_flex_within_cap(&r, scn->energy.flex.generator_cap_hours);
    }
    return DCS_OK;
}

/* The hourly-grid metrics of site i at station stn: NaN when the site's
 * region is not in the signal table. */
static void measure_hourly(const dcs_context_data *cd, dcs_sites *s, size_t i,
                           const dcs_station *stn)
{
    const dcs_model *m = cd->model;
    if (m->hourly_on < 0)
        return;
    const char *key = dcs_site_text(s, i)[m->metrics[m->hourly_on].col];
    const dcs_hourly_region *g = stn->hourly_mw ? dcs_hourly_find(&cd->hourly, key) : NULL;
    dcs_hourly_figures f = {.co2_avg_t = NAN, .co2_marginal_t = NAN, .cfe_grid_pct = NAN,
                            .cfe_matched_pct = NAN, .unmatched_mwh = NAN, .cost_usd = NAN};
    if (g)
        f = dcs_hourly_combine(stn->hourly_mw, DCS_HOURS, (const double *const *)g->sig,
                               cd->supply_mw);
    const double v[DCS_HR_COUNT] = {
        [DCS_HR_CO2_T] = f.co2_avg_t,          [DCS_HR_CO2_MARGINAL_T] = f.co2_marginal_t,
        [DCS_HR_CFE_GRID_PCT] = f.cfe_grid_pct, [DCS_HR_CFE_MATCHED_PCT] = f.cfe_matched_pct,
        [DCS_HR_UNMATCHED_MWH] = f.unmatched_mwh, [DCS_HR_COST_USD] = f.cost_usd,
    };
    for (size_t k = 0; k < DCS_HR_COUNT; k++)
        if (m->hourly[k] >= 0)
            dcs_site_num(s, i)[m->metrics[m->hourly[k]].col] = v[k];
}

static dcs_status measure_energy(dcs_context_data *cd, dcs_sites *s, size_t i,
                                 dcs_error *err)
{
    const dcs_model *m = cd->model;
    size_t which;
    double km;
    dcs_status st = dcs_polyset_nearest(&cd->stations.points, cd->site, &cd->site_flat, cd->crs,
                                        &which, &km, err);
    if (st != DCS_OK || which == SIZE_MAX)
        return st;
    const dcs_station *stn = &cd->stations.st[which];
    const dcs_energy *e = &stn->energy;
    dcs_economics x = dcs_energy_economics(e, site_metric(m, s, i, m->co2_metric),
                                           site_metric(m, s, i, m->price_metric),
                                           m->scn->energy.accelerator_kw);
    double v[DCS_EN_COUNT] = {
        [DCS_EN_STATION_KM] = km,
        [DCS_EN_PUE_ANNUAL] = e->pue_annual,
        [DCS_EN_PUE_PEAK] = e->pue_peak,
        [DCS_EN_PEAK_MW] = e->peak_mw,
        [DCS_EN_PUE_DESIGN] = e->pue_design,
        [DCS_EN_PEAK_DESIGN_MW] = e->peak_design_mw,
        [DCS_EN_ENERGY_MWH] = e->energy_mwh,
        [DCS_EN_WATER_M3] = e->water_m3,
        [DCS_EN_WUE] = e->wue_l_kwh,
        [DCS_EN_PEAK_DAY_WATER] = e->peak_day_water_m3,
        [DCS_EN_ECONOMIZER_HOURS] = e->mode_hours[DCS_MODE_FREE] + e->mode_hours[DCS_MODE_PARTIAL],
        [DCS_EN_MECHANICAL_HOURS] = e->mode_hours[DCS_MODE_MECHANICAL],
        [DCS_EN_CO2_T] = x.co2_t,
        [DCS_EN_COST_USD] = x.cost_usd,
        [DCS_EN_USD_PER_MWH_IT] = x.usd_per_mwh_it,
        [DCS_EN_USD_PER_ACCEL_HOUR] = x.usd_per_accel_hour,
        [DCS_EN_HEADROOM_MARGIN] = dcs_site_num(s, i)[DCS_COL_SUB_HEADROOM_MW] - e->peak_mw,
        [DCS_EN_WUE_STRESS] = e->wue_l_kwh * site_metric(m, s, i, m->stress_metric),
    };
    for (size_t k = DCS_EN_STATION_KM; k < DCS_EN_COUNT; k++)
        dcs_site_num(s, i)[m->metrics[m->energy_first + k].col] = v[k];
    measure_hourly(cd, s, i, stn);
    if (m->flex_first >= 0 && measure_flex(cd, s, i, err) != DCS_OK)
        return err->status;
    if (dcs_site_set_text(s, i, m->metrics[m->energy_first + DCS_EN_STATION].col, stn->name) != 0 ||
        dcs_site_set_text(s, i, m->metrics[m->energy_first + DCS_EN_STATION_ID].col,
                          stn->id[0] ? stn->id : NULL) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    return DCS_OK;
}

/* area_acres and the scenario's constants (before the joins, which may
 * match on a constant). */
static dcs_status set_given(const dcs_model *m, dcs_sites *s, size_t i, dcs_error *err)
{
    double *num = dcs_site_num(s, i);
    num[DCS_COL_AREA_ACRES] = num[DCS_COL_AREA_HA] / DCS_HA_PER_ACRE;
    for (size_t k = 0; k < m->scn->nconstants; k++) {
        const dcs_constant *c = &m->scn->constants[k];
        const dcs_metric *mt = &m->metrics[m->const_first + k];
        if (!c->text)
            num[mt->col] = c->value;
        else if (dcs_site_set_text(s, i, mt->col, c->text) != 0)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    return DCS_OK;
}

static dcs_status measure_geometry(dcs_context_data *cd, dcs_sites *s, size_t i,
                                   unsigned char *outside, dcs_error *err)
{
    memset(cd->have_cells, 0, cd->ncontexts);
    dcs_status st = set_given(cd->model, s, i, err);
    if (st == DCS_OK)
        st = measure_power(cd, s, i, err);
    if (st == DCS_OK)
        st = measure_substation_rules(cd, s, i, err);
    for (size_t k = 0; st == DCS_OK && k < cd->ncontexts; k++) {
        size_t like = (size_t)cd->cover_of[k];
        int out = like < k ? cd->uncovered[like] : !dcs_coverage_contains(&cd->cover[k], cd->site);
        cd->uncovered[k] = (unsigned char)out;
        if (!out)
            st = measure_context(cd, k, s, i, &out, err);
        outside[k] = (unsigned char)out;
        if (st != DCS_OK || !out)
            continue;
        clear_context(cd, k, s, i, !cd->uncovered[k]);
        const dcs_context *c = &cd->model->scn->contexts[k];
        if (c->outside == DCS_OUTSIDE_ERROR)
            st = dcs_error_set(err, DCS_ERR_DATA,
                               "layer '%s' does not cover this site (outside: error); set "
                               "\"outside\" to \"exclude\" or \"neutral\" to go on",
                               c->name);
    }
    if (st == DCS_OK)
        st = measure_joins(cd, s, i, err);
    if (st == DCS_OK && cd->model->scn->energy.enabled)
        st = measure_energy(cd, s, i, err);
    if (st == DCS_OK && cd->noise.enabled)
        st = dcs_noise_measure(&cd->noise, cd->model, cd->crs, cd->geos, cd->site,
                               dcs_site_num(s, i), err);
    if (st == DCS_OK) /* last: it reads the metrics above (and any noise model's) */
        st = dcs_measure_community(&(dcs_community_at){.model = cd->model, .geos = cd->geos,
                                                       .site = cd->site, .peak_mw = cd->peak_mw},
                                   s, i, err);
    return st;
}

dcs_status dcs_measure_site(dcs_context_data *cd, dcs_sites *s, size_t i,
                            unsigned char *outside, dcs_error *err)
{
    if (!(cd->site = dcs_site_geometry(s, i, cd->geos)))
        return dcs_error_set(err, s->wkb[i] ? DCS_ERR_NOMEM : DCS_ERR_INTERNAL,
                             "%s", s->wkb[i] ? "out of memory" : "the site has no geometry");
    dcs_status st = dcs_near_site_set(&cd->site_flat, cd->geos, cd->site);
    if (st != DCS_OK)
        st = dcs_error_set(err, st, "out of memory");
    if (st == DCS_OK)
        st = measure_geometry(cd, s, i, outside, err);
    GEOSGeom_destroy_r(cd->geos, cd->site);
    cd->site = NULL;
    if (cd->centroid)
        GEOSGeom_destroy_r(cd->geos, cd->centroid);
    cd->centroid = NULL;
    return st;
}
