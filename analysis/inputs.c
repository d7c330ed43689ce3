/* inputs.c - open and check all scenario layers. See inputs.h. */
#include "inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fill_info(dcs_layer *L, dcs_input_info *info)
{
    snprintf(info->layer, sizeof info->layer, "%s", OGR_L_GetName(L->lyr));
    snprintf(info->crs, sizeof info->crs, "%s", L->crs_name);
    snprintf(info->geom_type, sizeof info->geom_type, "%s", L->geom_type);
    info->nfeatures = L->nfeatures;
    OGREnvelope ll;
    dcs_error ignore;
    if (L->nfeatures > 0 && dcs_layer_lonlat_extent(L, &ll, &ignore) == DCS_OK) {
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

static void need_field(dcs_layer *L, const char *field, dcs_strlist *problems)
{
    dcs_error e;
    if (field && dcs_layer_field(L, field, &e) < 0)
        note(problems, &e);
}

static void check_sites(const dcs_scenario *scn, dcs_inputs *in, dcs_strlist *problems)
{
    dcs_layer *L = &in->layers[DCS_IN_SITES];
    need_field(L, scn->sites.id_field, problems);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(L->lyr);
    for (size_t a = 0; a < scn->sites.nattrs; a++) {
        dcs_error e;
        int idx = dcs_layer_field(L, scn->sites.attrs[a].field, &e);
        if (idx < 0) {
            note(problems, &e);
            continue;
        }
        OGRFieldType t = OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, idx));
        in->attr_kinds[a] =
            t == OFTInteger || t == OFTInteger64 || t == OFTReal ? DCS_NUM : DCS_TEXT;
    }
    if (L->nfeatures == 0)
        dcs_strlist_addf(problems, "sites: layer '%s' of '%s' has no features%s",
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

static int open_one(dcs_inputs *in, size_t i, const char *role, const dcs_source *src,
                    dcs_geom_want want, dcs_strlist *problems)
{
    dcs_error e;
    snprintf(in->info[i].role, sizeof in->info[i].role, "%s", role);
    snprintf(in->info[i].dataset, sizeof in->info[i].dataset, "%s", src->dataset ? src->dataset : "");
    if (dcs_layer_open(&in->layers[i], role, src, want, &e) != DCS_OK) {
        note(problems, &e);
        return 0;
    }
    fill_info(&in->layers[i], &in->info[i]);
    if (dcs_layer_check_type(&in->layers[i], &e) != DCS_OK)
        note(problems, &e);
    return 1;
}

dcs_status dcs_inputs_open(const dcs_scenario *scn, dcs_inputs *in, dcs_strlist *problems,
                           dcs_error *err)
{
    dcs_strlist local = {0};
    dcs_strlist *probs = problems ? problems : &local;
    size_t before = probs->count;
    memset(in, 0, sizeof *in);
    in->n = DCS_IN_OVERLAY0 + scn->noverlays;
    in->layers = calloc(in->n, sizeof *in->layers);
    in->info = calloc(in->n, sizeof *in->info);
    in->attr_kinds = calloc(scn->sites.nattrs + 1, sizeof *in->attr_kinds);
    if (!in->layers || !in->info || !in->attr_kinds) {
        dcs_strlist_free(&local);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    if (open_one(in, DCS_IN_SITES, "sites", &scn->sites.src, DCS_GEOM_POLYGON_OR_POINT, probs))
        check_sites(scn, in, probs);
    if (open_one(in, DCS_IN_SUBSTATIONS, "substations", &scn->substations.src, DCS_GEOM_POINT,
                 probs))
        check_substations(scn, in, probs);
    for (size_t i = 0; i < scn->noverlays; i++) {
        char role[96];
        snprintf(role, sizeof role, "overlays[%zu] (%s)", i, scn->overlays[i].name);
        open_one(in, DCS_IN_OVERLAY0 + i, role, &scn->overlays[i].src, DCS_GEOM_POLYGON, probs);
    }
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
    }
}

void dcs_inputs_close(dcs_inputs *in)
{
    for (size_t i = 0; in->layers && i < in->n; i++)
        dcs_layer_close(&in->layers[i]);
    free(in->layers);
    free(in->info);
    free(in->attr_kinds);
    memset(in, 0, sizeof *in);
}
