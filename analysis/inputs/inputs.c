/* inputs.c - open and check all scenario layers. See inputs.h. */
#include "inputs/inputs.h"

#include <cpl_error.h>
#include <math.h>
#include <gdal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/special.h"
#include "geometry/geo.h"
#include "geometry/raster.h"

static void fill_info(dcs_layer *L, dcs_input_info *info)
{
    snprintf(info->layer, sizeof info->layer, "%s", OGR_L_GetName(L->lyr));
    snprintf(info->crs, sizeof info->crs, "%s", L->srs ? L->crs_name : "none (table)");
    snprintf(info->geom_type, sizeof info->geom_type, "%s", L->geom_type);
    info->nfeatures = L->nfeatures;
    OGREnvelope ll;
    dcs_error ignore;
    if (L->srs && L->nfeatures > 0 && dcs_layer_lonlat_extent(L, &ll, &ignore) == DCS_OK) {
        info->has_extent = 1;
        info->minlon = ll.MinX;
        info->minlat = ll.MinY;
        info->maxlon = ll.MaxX;
        info->maxlat = ll.MaxY;
    }
}

/* Record err's message as a problem and clear it. */
static void note(dcs_strlist *problems, dcs_error *e)
{
    dcs_strlist_addf(problems, "%s", e->message);
    dcs_error_clear(e);
}

static int need_field(dcs_layer *L, const char *field, dcs_strlist *problems)
{
    dcs_error e;
    int idx = -1;
    if (L->ds && field && (idx = dcs_layer_field(L, field, &e)) < 0)
        note(problems, &e);
    return idx;
}

static dcs_metric_kind field_kind(dcs_layer *L, int idx)
{
    OGRFieldType t = OGR_Fld_GetType(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(L->lyr), idx));
    return t == OFTInteger || t == OFTInteger64 || t == OFTReal ? DCS_NUM : DCS_TEXT;
}

/* Where the scenario reads metric as a number ("constraints[2]",
 * "criteria[0]", "energy.price_metric", "pareto"), or NULL. */
static const char *numeric_use(const dcs_scenario *scn, const char *metric, char *buf,
                               size_t size)
{
    for (size_t i = 0; i < scn->nconstraints; i++)
        if ((scn->constraints[i].op == DCS_OP_MIN || scn->constraints[i].op == DCS_OP_MAX) &&
            strcmp(scn->constraints[i].metric, metric) == 0)
            return snprintf(buf, size, "constraints[%zu]", i), buf;
    for (size_t i = 0; i < scn->ncriteria; i++)
        if (scn->criteria[i].fn.type != DCS_VF_CATEGORICAL &&
            strcmp(scn->criteria[i].metric, metric) == 0)
            return snprintf(buf, size, "criteria[%zu]", i), buf;
    const char *energy[] = {scn->energy.co2_metric, scn->energy.price_metric,
                            scn->energy.water_stress_metric};
    const char *key[] = {"energy.co2_metric", "energy.price_metric",
                         "energy.water_stress_metric"};
    for (size_t k = 0; k < 3 && scn->energy.enabled; k++)
        if (energy[k] && strcmp(energy[k], metric) == 0)
            return key[k];
    for (size_t i = 0; i < scn->pareto.n; i++)
        if (strcmp(scn->pareto.metric[i], metric) == 0)
            return "pareto";
    for (int k = 0; scn->ordinances.enabled && k < DCS_ORD_MORATORIUM; k++)
        if (strcmp(dcs_ord_limit_metrics[k], metric) == 0)
            return "ordinances";
    if (scn->water_utilities.enabled && strncmp(metric, "water_utility_", 14) == 0)
        return "water_utilities";
    return NULL;
}

/* A text field read as a number (by `use`): every value set must read as
 * one, and the field is then read as numbers (an empty value is missing);
 * else a problem naming the first that does not and how to fix it. */
static dcs_metric_kind numeric_text(dcs_layer *L, int idx, const char *metric, const char *use,
                                    dcs_strlist *problems)
{
    dcs_metric_kind kind = DCS_NUM;
    OGRFeatureH f;
    OGR_L_ResetReading(L->lyr);
    while (kind == DCS_NUM && (f = OGR_L_GetNextFeature(L->lyr))) {
        const char *v = OGR_F_IsFieldSetAndNotNull(f, idx) ? OGR_F_GetFieldAsString(f, idx) : "";
        if (*v && isnan(dcs_field_double(f, idx))) {
            kind = DCS_TEXT;
            dcs_strlist_addf(
                problems,
                "%s: field '%s' of '%s' [layer %s] holds text and %s reads \"%s\" as a "
                "number, but feature %lld has \"%s\", which is not a number: correct that "
                "value or leave it empty (empty is missing); every other value must read as a "
                "number too",
                L->role, OGR_Fld_GetNameRef(OGR_F_GetFieldDefnRef(f, idx)), L->src->dataset,
                OGR_L_GetName(L->lyr), use, metric, (long long)OGR_F_GetFID(f), v);
        }
        OGR_F_Destroy(f);
    }
    OGR_L_ResetReading(L->lyr);
    return kind;
}

/* Field indices and kinds of a metric <- field map.  A text field whose
 * metric the scenario reads as a number is converted (numeric_text). */
static void map_fields(const dcs_inputs *in, dcs_layer *L, const dcs_attribute *attrs,
                       size_t n, int *fields, dcs_metric_kind *kinds, dcs_strlist *problems)
{
    char buf[48];
    for (size_t a = 0; a < n; a++) {
        fields[a] = need_field(L, attrs[a].field, problems);
        kinds[a] = fields[a] >= 0 ? field_kind(L, fields[a]) : DCS_NUM;
        const char *use = numeric_use(in->scn, attrs[a].metric, buf, sizeof buf);
        if (kinds[a] == DCS_TEXT && use)
            kinds[a] = numeric_text(L, fields[a], attrs[a].metric, use, problems);
    }
}

/* True when dataset could not be opened for an earlier layer: it is not
 * tried again (an unreachable database server would make each try wait
 * for its time-out), and its one message stands for every layer in it. */
static int already_unopened(const dcs_inputs *in, const char *dataset)
{
    for (size_t k = 0; k < in->unopened.count; k++)
        if (strcmp(in->unopened.items[k], dataset) == 0)
            return 1;
    return 0;
}

static long open_layer(dcs_inputs *in, const char *role, const dcs_source *src,
                       dcs_geom_want want, dcs_strlist *problems)
{
    dcs_error e;
    size_t i = in->n++;
    dcs_input_info *info = &in->info[in->ninfo++];
    snprintf(info->role, sizeof info->role, "%s", role);
    snprintf(info->dataset, sizeof info->dataset, "%s", src->dataset ? src->dataset : "");
    if (!src->dataset || already_unopened(in, src->dataset))
        return (long)i;
    if (dcs_layer_open(&in->layers[i], role, src, want, &e) != DCS_OK) {
        if (in->layers[i].cannot_open)
            dcs_strlist_addf(&in->unopened, "%s", src->dataset);
        note(problems, &e);
        return (long)i;
    }
    fill_info(&in->layers[i], info);
    if (dcs_layer_check_type(&in->layers[i], &e) != DCS_OK)
        note(problems, &e);
    return (long)i;
}

static void check_sites(const dcs_scenario *scn, dcs_inputs *in, dcs_strlist *problems)
{
    dcs_layer *L = &in->layers[DCS_IN_SITES];
    if (!L->ds)
        return;
    need_field(L, scn->sites.id_field, problems);
    int *fields = calloc(scn->sites.nattrs + 1, sizeof *fields);
    if (fields)
        map_fields(in, L, scn->sites.attrs, scn->sites.nattrs, fields, in->attr_kinds, problems);
    free(fields);
    if (L->nfeatures == 0)
        dcs_strlist_addf(problems, "%s: layer '%s' of '%s' has no features%s", L->role,
                         OGR_L_GetName(L->lyr), L->src->dataset,
                         L->src->where ? " (after the \"where\" filter)" : "");
}

static void check_substations(const dcs_scenario *scn, dcs_inputs *in, dcs_strlist *problems)
{
    dcs_layer *L = &in->layers[DCS_IN_SUBSTATIONS];
    need_field(L, scn->substations.id_field, problems);
    need_field(L, scn->substations.voltage_field, problems);
    need_field(L, scn->substations.headroom_field, problems);
}

static dcs_geom_want context_want(dcs_context_kind kind)
{
    return kind == DCS_CTX_DISTANCE ? DCS_GEOM_ANY : DCS_GEOM_POLYGON;
}

/* A raster: open it with GDAL to check the band and CRS and describe it. */
static void check_raster(const dcs_context *c, const char *role, dcs_input_info *info,
                         dcs_strlist *problems)
{
    snprintf(info->role, sizeof info->role, "%s", role);
    snprintf(info->dataset, sizeof info->dataset, "%s", c->src.dataset ? c->src.dataset : "");
    snprintf(info->layer, sizeof info->layer, "band %d%s", c->band, c->slope ? " (slope)" : "");
    if (!c->src.dataset)
        return;
    char kind[64];
    if (dcs_special_file(c->src.dataset, kind, sizeof kind)) {
        dcs_strlist_addf(problems, "%s: cannot open raster '%s': it is %s, not a raster "
                         "(give a regular file or a name GDAL resolves)", role, c->src.dataset,
                         kind);
        return;
    }
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(c->src.dataset, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL,
                                 NULL);
    if (!ds) {
        char why[128];
        dcs_strlist_addf(problems, "%s: cannot open raster '%s': %s", role, c->src.dataset,
                         dcs_open_failure(c->src.dataset, "a raster", why, sizeof why));
        return;
    }
    int nbands = GDALGetRasterCount(ds);
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    snprintf(info->geom_type, sizeof info->geom_type, "raster %dx%d", w, h);
    info->nfeatures = (long long)w * h;
    if (c->band > nbands)
        dcs_strlist_addf(problems, "%s: raster '%s' has no band %d (%d band%s)", role,
                         c->src.dataset, c->band, nbands, nbands == 1 ? "" : "s");
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    double gt[6];
    char why[256];
    if (dcs_raster_georef_problem(ds, why, sizeof why)) {
        dcs_strlist_addf(problems, "%s: raster '%s': %s", role, c->src.dataset, why);
        srs = NULL; /* no extent either */
    } else if (!srs)
        dcs_strlist_addf(problems, "%s: raster '%s' has no CRS", role, c->src.dataset);
    else
        dcs_srs_describe(srs, info->crs, sizeof info->crs);
    if (srs && GDALGetGeoTransform(ds, gt) == CE_None) {
        OGRSpatialReferenceH s = dcs_srs_clone_gis_order(srs), ll = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(ll, 4326);
        OSRSetAxisMappingStrategy(ll, OAMS_TRADITIONAL_GIS_ORDER);
        OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(s, ll);
        double x0 = gt[0], x1 = gt[0] + w * gt[1], y0 = gt[3] + h * gt[5], y1 = gt[3];
        info->has_extent = ct && OCTTransformBounds(ct, x0 < x1 ? x0 : x1, y0 < y1 ? y0 : y1,
                                                    x0 < x1 ? x1 : x0, y0 < y1 ? y1 : y0,
                                                    &info->minlon, &info->minlat,
                                                    &info->maxlon, &info->maxlat, 21);
        if (ct)
            OCTDestroyCoordinateTransformation(ct);
        OSRRelease(s);
        OSRRelease(ll);
    }
    GDALClose(ds);
}

static void check_context(const dcs_context *c, size_t k, dcs_inputs *in,
                          dcs_metric_kind **kinds, dcs_strlist *problems)
{
    char role[96];
    snprintf(role, sizeof role, "%s (%s)", c->name ? c->name : "?",
             c->kind == DCS_CTX_RASTER ? "raster" : "layer");
    in->ctx_layer[k] = in->cover_layer[k] = -1;
    if (c->kind == DCS_CTX_RASTER) {
        in->ctx_info[k] = (long)in->ninfo;
        check_raster(c, role, &in->info[in->ninfo++], problems);
    } else {
        in->ctx_info[k] = (long)in->ninfo;
        long i = in->ctx_layer[k] = open_layer(in, role, &c->src, context_want(c->kind), problems);
        dcs_layer *L = &in->layers[i];
        if (c->kind == DCS_CTX_ZONE && (in->zone_fields[k] = calloc(c->nattrs + 1, sizeof(int))))
            map_fields(in, L, c->attrs, c->nattrs, in->zone_fields[k], *kinds, problems);
        if (c->kind == DCS_CTX_AREA_WEIGHTED && L->ds &&
            (in->weighted_field[k] = need_field(L, c->field, problems)) >= 0 &&
            field_kind(L, in->weighted_field[k]) != DCS_NUM)
            dcs_strlist_addf(problems, "%s: field '%s' is not numeric", role, c->field);
    }
    *kinds += c->kind == DCS_CTX_ZONE ? c->nattrs : 0;
    if (c->cover == DCS_COVER_LAYER) {
        char crole[120];
        snprintf(crole, sizeof crole, "%s coverage", c->name ? c->name : "?");
        in->cover_layer[k] = open_layer(in, crole, &c->coverage, DCS_GEOM_POLYGON, problems);
    }
}

static void check_join(const dcs_join *j, size_t k, dcs_inputs *in, dcs_metric_kind **kinds,
                       dcs_strlist *problems)
{
    char role[96];
    snprintf(role, sizeof role, "%s (join)", j->name ? j->name : "?");
    long i = in->join_layer[k] = open_layer(in, role, &j->src, DCS_GEOM_NONE, problems);
    dcs_layer *L = &in->layers[i];
    in->join_key[k] = need_field(L, j->key_field, problems);
    if ((in->join_fields[k] = calloc(j->nattrs + 1, sizeof(int))))
        map_fields(in, L, j->attrs, j->nattrs, in->join_fields[k], *kinds, problems);
    *kinds += j->nattrs;
}

static int allocate(const dcs_scenario *scn, dcs_inputs *in)
{
    size_t nlayers = 4 + 2 * scn->ncontexts + scn->njoins, nc = scn->ncontexts + 1;
    in->ncontexts = scn->ncontexts;
    in->njoins = scn->njoins;
    in->layers = calloc(nlayers, sizeof *in->layers);
    in->info = calloc(nlayers, sizeof *in->info);
    in->ctx_layer = calloc(nc, sizeof *in->ctx_layer);
    in->cover_layer = calloc(nc, sizeof *in->cover_layer);
    in->ctx_info = calloc(nc, sizeof *in->ctx_info);
    in->join_layer = calloc(scn->njoins + 1, sizeof *in->join_layer);
    in->join_key = calloc(scn->njoins + 1, sizeof *in->join_key);
    in->attr_kinds = calloc(dcs_model_attr_slots(scn) + 1, sizeof *in->attr_kinds);
    in->zone_fields = calloc(nc, sizeof *in->zone_fields);
    in->join_fields = calloc(scn->njoins + 1, sizeof *in->join_fields);
    in->weighted_field = calloc(nc, sizeof *in->weighted_field);
    return in->layers && in->info && in->ctx_layer && in->cover_layer && in->ctx_info &&
                   in->join_layer && in->join_key && in->attr_kinds && in->zone_fields &&
                   in->join_fields && in->weighted_field
               ? 0
               : -1;
}

dcs_status dcs_inputs_open(const dcs_scenario *scn, dcs_inputs *in, dcs_strlist *problems,
                           dcs_error *err)
{
    dcs_strlist local = {0};
    dcs_strlist *probs = problems ? problems : &local;
    size_t before = probs->count;
    memset(in, 0, sizeof *in);
    in->scn = scn;
    if (allocate(scn, in) != 0) {
        dcs_inputs_close(in);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    int grid = scn->sites.grid != DCS_GRID_NONE;
    open_layer(in, grid ? "sites.grid.aoi" : "sites", &scn->sites.src,
               grid ? DCS_GEOM_POLYGON : DCS_GEOM_POLYGON_OR_POINT, probs);
    check_sites(scn, in, probs);
    if (in->layers[open_layer(in, "substations", &scn->substations.src, DCS_GEOM_POINT, probs)]
            .ds)
        check_substations(scn, in, probs);
    dcs_metric_kind *kinds = in->attr_kinds + scn->sites.nattrs;
    for (size_t k = 0; k < scn->ncontexts; k++)
        check_context(&scn->contexts[k], k, in, &kinds, probs);
    for (size_t j = 0; j < scn->njoins; j++)
        check_join(&scn->joins[j], j, in, &kinds, probs);
    in->station_layer = -1;
    if (scn->energy.enabled && scn->energy.station_table.dataset) {
        in->station_layer = open_layer(in, "energy.station_table", &scn->energy.station_table,
                                       DCS_GEOM_NONE, probs);
        in->station_field = need_field(&in->layers[in->station_layer], scn->energy.file_field,
                                       probs);
    }
    in->noise_layer = -1;
    if (scn->noise.enabled && scn->noise.receptors.dataset)
        in->noise_layer = open_layer(in, "noise.receptors", &scn->noise.receptors,
                                     DCS_GEOM_POLYGON_OR_POINT, probs);
    dcs_status st = DCS_OK;
    if (probs->count > before)
        st = dcs_error_set(err, DCS_ERR_DATA, "%s%s", probs->items[before],
                           probs->count - before > 1 ? " (and more problems; see dcsite check)"
                                                     : "");
    dcs_strlist_free(&local);
    return st;
}

void dcs_inputs_collect_counts(dcs_inputs *in)
{
    for (size_t i = 0; i < in->n; i++) {
        in->info[i].nnull = in->layers[i].nnull;
        in->info[i].nrepaired = in->layers[i].nrepaired;
        in->info[i].nwrongtype = in->layers[i].nwrongtype;
        in->info[i].ndegenerate = in->layers[i].ndegenerate;
        in->info[i].degenerate_fid = in->layers[i].degenerate_fid;
        in->info[i].nbadtext = in->layers[i].nbadtext;
        in->info[i].badtext_fid = in->layers[i].badtext_fid;
        in->info[i].latin1 = in->layers[i].latin1;
    }
}

void dcs_inputs_close(dcs_inputs *in)
{
    for (size_t i = 0; in->layers && i < in->n; i++)
        dcs_layer_close(&in->layers[i]);
    for (size_t k = 0; in->zone_fields && k < in->ncontexts; k++)
        free(in->zone_fields[k]);
    for (size_t j = 0; in->join_fields && j < in->njoins; j++)
        free(in->join_fields[j]);
    free(in->layers);
    free(in->info);
    free(in->ctx_layer);
    free(in->cover_layer);
    free(in->ctx_info);
    free(in->join_layer);
    free(in->join_key);
    free(in->attr_kinds);
    free(in->zone_fields);
    free(in->join_fields);
    free(in->weighted_field);
    dcs_strlist_free(&in->unopened);
    memset(in, 0, sizeof *in);
}
