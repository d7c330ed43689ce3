/* decision_support.c - assembly, Pareto front and sensitivity in a run.
 * See decision_support.h. */
#include "pipeline/decision_support.h"

#include <stdlib.h>
#include <string.h>

#include "decision/classes.h"
#include "decision/distinct.h"
#include "decision/pareto.h"
#include "pipeline/portfolio_run.h"
#include "pipeline/route_run.h"
#include "pipeline/diagnose.h"

/* The number metric a pareto entry names, or an error naming the key. */
static dcs_status pareto_column(const dcs_result *res, size_t k, size_t *col, dcs_error *err)
{
    const char *name = res->scn->pareto.metric[k];
    long m = dcs_model_find_metric(&res->model, name);
    if (m < 0)
        return dcs_error_set(err, DCS_ERR_SCENARIO, "pareto.metrics[%zu].metric: no metric is "
                             "called \"%s\"", k, name);
    if (res->model.metrics[m].kind != DCS_NUM)
        return dcs_error_set(err, DCS_ERR_SCENARIO, "pareto.metrics[%zu].metric: \"%s\" is a "
                             "text metric; the Pareto front needs numbers", k, name);
    *col = res->model.metrics[m].col;
    return DCS_OK;
}

/* The owner field as a site attribute column. */
static dcs_status owner_column(const dcs_result *res, dcs_assembly_params *p, dcs_error *err)
{
    const dcs_scenario *scn = res->scn;
    p->owner_col = -1;
    if (!scn->assembly.owner_field)
        return DCS_OK;
    for (size_t a = 0; a < scn->sites.nattrs; a++)
        if (strcmp(scn->sites.attrs[a].field, scn->assembly.owner_field) == 0) {
            const dcs_metric *m = &res->model.metrics[res->model.attr_first + a];
            p->owner_col = (long)m->col;
            p->owner_is_text = m->kind == DCS_TEXT;
            return DCS_OK;
        }
    return dcs_error_set(err, DCS_ERR_SCENARIO, "assembly.owner_field: field \"%s\" is not "
                         "mapped in sites.attributes (add e.g. \"owner\": \"%s\")",
                         scn->assembly.owner_field, scn->assembly.owner_field);
}

/* The text metric outputs.distinct.by names, into res->distinct_col. */
static dcs_status distinct_column(dcs_result *res, dcs_error *err)
{
    const char *name = res->scn->outputs.distinct_by;
    res->distinct_col = -1;
    if (!name || !*name) /* "": spacing only */
        return DCS_OK;
    long m = dcs_model_find_metric(&res->model, name);
    if (m < 0)
        return dcs_error_set(err, DCS_ERR_SCENARIO, "outputs.distinct.by: no metric is called "
                             "\"%s\" (a text metric such as substation_id, zoning, county)",
                             name);
    if (res->model.metrics[m].kind != DCS_TEXT)
        return dcs_error_set(err, DCS_ERR_SCENARIO, "outputs.distinct.by: \"%s\" is a number "
                             "metric; distinct options are grouped by a text metric (or set "
                             "outputs.distinct.min_spacing_km)", name);
    res->distinct_col = (long)res->model.metrics[m].col;
    return DCS_OK;
}

/* Assembly asked for and no campus formed: say how close it came. */
static void warn_no_campus(dcs_result *res)
{
    const dcs_assembly *a = &res->assembly;
    double need = res->scn->assembly.min_area_ha;
    dcs_warning *w;
    if (a->n)
        return;
    if (a->nsmall == 0) {
        w = dcs_warn(&res->warnings, DCS_WARN_NO_CAMPUS, "assembly",
                     "assembly: no campus formed: no parcel is smaller than min_area_ha "
                     "(%g ha)", need);
        dcs_warning_plain(w, "Parcel assembly formed no campus: every parcel already has "
                          "%g ha or more, so there was nothing to group.", need);
    } else if (a->short_nparcels < 2) {
        w = dcs_warn(&res->warnings, DCS_WARN_NO_CAMPUS, "assembly",
                     "assembly: no campus formed: none of the %zu parcels under %g ha "
                     "shares a boundary with another%s; the largest is %.2f ha", a->nsmall,
                     need, res->scn->assembly.owner_field ? " of the same owner" : "",
                     a->short_ha);
        dcs_warning_plain(w, "Parcel assembly formed no campus: no two small parcels%s are "
                          "adjacent, and none reaches the %g ha the facility needs alone.",
                          res->scn->assembly.owner_field ? " of the same owner" : "", need);
    } else {
        w = dcs_warn(&res->warnings, DCS_WARN_NO_CAMPUS, "assembly",
                     "assembly: no campus formed from %zu parcels under %g ha: the largest "
                     "group reached %.2f ha (%zu parcels; max_parcels %zu)", a->nsmall, need,
                     a->short_ha, a->short_nparcels, res->scn->assembly.max_parcels);
        dcs_warning_plain(w, "Parcel assembly formed no campus: the largest group of adjacent "
                          "parcels reached %.2f ha of the %g ha needed.", a->short_ha, need);
    }
}

dcs_status dcs_decision_prepare(dcs_result *res, dcs_error *err)
{
    const dcs_scenario *scn = res->scn;
    size_t col;
    for (size_t k = 0; k < scn->pareto.n; k++) {
        dcs_status st = pareto_column(res, k, &col, err);
        if (st != DCS_OK)
            return st;
    }
    dcs_status dst = distinct_column(res, err);
    if (dst != DCS_OK)
        return dst;
    if (!scn->assembly.enabled)
        return DCS_OK;
    dcs_assembly_params p = {
        .min_area_ha = scn->assembly.min_area_ha,
        .max_parcels = scn->assembly.max_parcels,
        .owner_col = -1,
        .owner_is_text = 0,
    };
    dcs_status st = owner_column(res, &p, err);
    if (st == DCS_OK && dcs_sites_expand(&res->sites) != DCS_OK)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (parcel assembly)");
    if (st == DCS_OK)
        st = dcs_assemble_campuses(&res->sites, &p, &res->crs, &res->assembly, err);
    if (dcs_sites_compact(&res->sites) != DCS_OK && st == DCS_OK)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (parcel assembly)");
    if (st == DCS_OK)
        warn_no_campus(res);
    return st;
}

static dcs_status pareto(dcs_result *res, dcs_error *err)
{
    const dcs_scenario *scn = res->scn;
    size_t n = res->sites.n;
    dcs_pareto_goal *g = calloc(scn->pareto.n, sizeof *g);
    res->pareto = calloc(n ? n : 1, 1);
    if (!g || !res->pareto) {
        free(g);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (Pareto front)");
    }
    dcs_status st = DCS_OK;
    for (size_t k = 0; k < scn->pareto.n && st == DCS_OK; k++) {
        g[k].maximize = scn->pareto.maximize[k];
        st = pareto_column(res, k, &g[k].col, err);
    }
    if (st == DCS_OK)
        st = dcs_pareto_front(res->sites.num, res->sites.nnum, n, res->eval.eligible, g,
                              scn->pareto.n, res->pareto, err);
    free(g);
    return st;
}

static dcs_status sensitivity(dcs_result *res, dcs_error *err)
{
    const dcs_scenario *scn = res->scn;
    size_t nc = res->model.ncrits;
    double *w = malloc((nc ? nc : 1) * sizeof *w);
    if (!w)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (sensitivity analysis)");
    for (size_t c = 0; c < nc; c++)
        w[c] = res->model.crits[c].weight;
    dcs_sens_input in = {
        .n = res->sites.n,
        .ncrits = nc,
        .value = res->eval.value,
        .eligible = res->eval.eligible,
        .id = (const char *const *)res->sites.id,
        .base_rank = res->eval.rank,
        .weight = w,
        .aggregation = scn->aggregation,
    };
    dcs_sens_params p = {
        .runs = scn->sensitivity.runs,
        .seed = scn->sensitivity.seed,
        .top_n = scn->sensitivity.top_n,
        .perturbation = scn->sensitivity.perturbation,
        .lo = scn->sensitivity.lo,
        .hi = scn->sensitivity.hi,
        .sweep_steps = scn->sensitivity.sweep_steps,
    };
    dcs_status st = dcs_sensitivity_run(&in, &p, &res->sens, err);
    if (st == DCS_OK)
        res->has_sens = 1;
    if (st == DCS_OK && res->sens.ntracked < res->eval.neligible)
        dcs_warn(&res->warnings, DCS_WARN_SENSITIVITY_TRIMMED, "sensitivity",
                 "sensitivity: rank percentiles kept for the first %zu of %zu eligible sites "
                 "(runs x sites above %zu)", res->sens.ntracked, res->eval.neligible,
                 (size_t)DCS_SENS_MAX_CELLS);
    free(w);
    return st;
}

/* The best site of each distinct place, up to outputs.top_n. */
static dcs_status distinct_options(dcs_result *res, dcs_error *err)
{
    const dcs_sites *s = &res->sites;
    size_t want = res->scn->outputs.top_n;
    if (want > res->eval.neligible)
        want = res->eval.neligible;
    const char **group = res->distinct_col >= 0 ? malloc((s->n ? s->n : 1) * sizeof *group)
                                                : NULL;
    res->distinct = malloc((want ? want : 1) * sizeof *res->distinct);
    if (!res->distinct || (res->distinct_col >= 0 && !group)) {
        free(group);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (distinct options)");
    }
    for (size_t i = 0; group && i < s->n; i++)
        group[i] = s->text[i * s->ntext + (size_t)res->distinct_col];
    dcs_distinct_input in = {
        .n = res->eval.neligible,
        .order = res->eval.order,
        .group = group,
        .lon = s->lon,
        .lat = s->lat,
        .min_spacing_m = res->scn->outputs.distinct_km * 1000.0,
        .want = want,
    };
    res->ndistinct = dcs_distinct_pick(&in, res->distinct);
    free(group);
    return DCS_OK;
}

/* Score classes from the eligible sites' scores (decision/classes.h). */
static void score_classes(dcs_result *res)
{
    size_t m = res->eval.neligible;
    double *v = malloc((m ? m : 1) * sizeof *v);
    for (size_t r = 0; v && r < m; r++)
        v[r] = res->eval.score[res->eval.order[r]];
    dcs_classes_quantile(v, v ? m : 0, res->scn->outputs.classes, &res->classes);
    free(v);
}

dcs_status dcs_decision_analyse(dcs_result *res, dcs_error *err)
{
    dcs_diagnose_ranking(res);
    score_classes(res);
    dcs_status st = distinct_options(res, err);
    if (st != DCS_OK)
        return st;
    if (res->scn->pareto.n)
        st = pareto(res, err);
    if (st == DCS_OK && res->scn->sensitivity.enabled)
        st = sensitivity(res, err);
    if (st == DCS_OK)
        st = dcs_portfolio_run(res, err);
    if (st == DCS_OK)
        st = dcs_route_run(res, err);
    return st;
}
