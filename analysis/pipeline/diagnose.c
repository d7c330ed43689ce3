/* diagnose.c - warnings about suspicious inputs. See diagnose.h. */
#include "pipeline/diagnose.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strlist.h"

/* The info record of context k (role "<name> (layer|raster)"); NULL when
 * none matches. */
static const dcs_input_info *context_info(const dcs_result *res, const dcs_context *c,
                                          const char *suffix)
{
    char role[96];
    snprintf(role, sizeof role, "%s %s", c->name ? c->name : "?", suffix);
    for (size_t i = 0; i < res->ninputs; i++)
        if (strcmp(res->inputs[i].role, role) == 0)
            return &res->inputs[i];
    return NULL;
}

static int disjoint(const dcs_input_info *a, const dcs_input_info *b)
{
    return a->has_extent && b->has_extent &&
           (a->maxlon < b->minlon || b->maxlon < a->minlon || a->maxlat < b->minlat ||
            b->maxlat < a->minlat);
}

static void check_layer(dcs_result *res, const char *name, const dcs_input_info *in,
                        int far_is_fine)
{
    const dcs_input_info *sites = res->ninputs ? &res->inputs[0] : NULL;
    if (!in)
        return;
    if (in->nfeatures == 0)
        dcs_warning_plain(dcs_warn(&res->warnings, DCS_WARN_LAYER_EMPTY, name,
                                   "%s: '%s' [layer %s] has no features; no site gets "
                                   "anything from it", in->role, in->dataset, in->layer),
                          "%s has no features, so nothing was measured from it.", name);
    else if (!far_is_fine && sites && disjoint(in, sites))
        dcs_warning_plain(
            dcs_warn(&res->warnings, DCS_WARN_LAYER_ELSEWHERE, name,
                     "%s: '%s' (lon/lat %.4f, %.4f - %.4f, %.4f) lies entirely outside the "
                     "sites (%.4f, %.4f - %.4f, %.4f); is its CRS right?",
                     in->role, in->dataset, in->minlon, in->minlat, in->maxlon, in->maxlat,
                     sites->minlon, sites->minlat, sites->maxlon, sites->maxlat),
            "%s lies entirely outside the candidate sites: check its CRS, or whether it is "
            "the right region's file.", name);
}

/* A raster's statistics kept for a site it does not cover (model.h). */
#define COVERAGE_STATS (DCS_STAT_COUNT | DCS_STAT_NODATA_COUNT | DCS_STAT_COVERED_FRACTION)

/* 1 when context k covers none of the sites. */
static int covers_none(const dcs_result *res, size_t k)
{
    for (size_t i = 0; i < res->sites.n; i++)
        if (!res->outside[i * res->ncontexts + k])
            return 0;
    return res->sites.n > 0;
}

/* Peak PUE above the design PUE by less than this is rounding. */
#define PUE_SLACK 0.0005

/* The facility's grid request (IT x design PUE) against the energy
 * model's peak at each station: one warning naming the worst station. */
static void check_design_pue(dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    const dcs_station *worst = NULL;
    size_t nabove = 0;
    for (size_t k = 0; k < res->nstations; k++) {
        const dcs_station *st = &res->stations[k];
        if (!(st->energy.pue_peak > scn->design_pue + PUE_SLACK))
            continue;
        nabove++;
        if (!worst || st->energy.pue_peak > worst->energy.pue_peak)
            worst = st;
    }
    if (!worst)
        return;
    const dcs_energy *e = &worst->energy;
    dcs_warning_plain(
        dcs_warn(&res->warnings, DCS_WARN_DESIGN_PUE, "facility",
                 "facility: design_pue %.3f is below the modelled peak PUE at %zu of %zu "
                 "weather stations (highest %.3f at %s: peak demand %.2f MW vs a grid "
                 "request of %.2f MW)", scn->design_pue, nabove, res->nstations, e->pue_peak,
                 worst->name, e->peak_mw, res->peak_mw),
        "The grid request (%.4g MW, IT load x design PUE %.3g) is below the modelled peak "
        "demand at %s (%.2f MW); a design PUE of %.2f would cover it.", res->peak_mw,
        scn->design_pue, worst->name, e->peak_mw, ceil(e->pue_peak * 100.0) / 100.0);
}

void dcs_diagnose_inputs(dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    check_design_pue(res);
    for (size_t k = 0; k < scn->ncontexts; k++) {
        const dcs_context *c = &scn->contexts[k];
        int raster = c->kind == DCS_CTX_RASTER;
        const dcs_input_info *in = context_info(res, c, raster ? "(raster)" : "(layer)");
        check_layer(res, c->name, in, c->kind == DCS_CTX_DISTANCE);
        if (c->cover == DCS_COVER_LAYER)
            check_layer(res, c->name, context_info(res, c, "coverage"), 0);
        if (res->outside && covers_none(res, k))
            dcs_warning_plain(
                dcs_warn(&res->warnings, DCS_WARN_NOT_COVERED, c->name,
                         "%s: '%s' covers none of the %zu sites (outside: %s); its metrics "
                         "are empty for all of them%s",
                         in ? in->role : c->name, c->src.dataset, res->sites.n,
                         c->outside == DCS_OUTSIDE_EXCLUDE   ? "exclude"
                         : c->outside == DCS_OUTSIDE_NEUTRAL ? "neutral"
                                                             : "error",
                         raster && (c->stats & COVERAGE_STATS)
                             ? " but for its coverage counts, which say why" : ""),
                "%s was not measured: the layer covers none of the sites, so its rules "
                "decide nothing and its criteria %s.", c->name,
                c->outside == DCS_OUTSIDE_EXCLUDE   ? "exclude every site"
                : c->outside == DCS_OUTSIDE_NEUTRAL ? "give every site the same neutral value"
                                                    : "have no value");
    }
}

/* 1 when site rows i and j hold the same value of metric m (both missing
 * counts as the same). */
static int same_metric(const dcs_result *res, const dcs_metric *m, size_t i, size_t j)
{
    const dcs_sites *s = &res->sites;
    if (m->kind == DCS_TEXT) {
        const char *a = dcs_site_text(s, i)[m->col], *b = dcs_site_text(s, j)[m->col];
        return a == b || (a && b && strcmp(a, b) == 0);
    }
    double a = dcs_site_num(s, i)[m->col], b = dcs_site_num(s, j)[m->col];
    return a == b || (isnan(a) && isnan(b));
}

/* 1 when criterion c has the same metric and the same value (or both
 * missing) at every eligible site. */
static int flat_criterion(const dcs_result *res, size_t c)
{
    const dcs_evaluation *ev = &res->eval;
    const dcs_metric *m = &res->model.metrics[res->model.crits[c].metric];
    size_t first = ev->order[0], nc = res->model.ncrits;
    double v0 = ev->value[first * nc + c];
    for (size_t r = 1; r < ev->neligible; r++) {
        size_t i = ev->order[r];
        double v = ev->value[i * nc + c];
        if (!(v == v0 || (isnan(v) && isnan(v0))) || !same_metric(res, m, first, i))
            return 0;
    }
    return 1;
}

/* The metric's value at site i as text: 82.1 $/MWh, "industrial", missing. */
static void metric_text(const dcs_result *res, const dcs_metric *m, size_t i, char *buf,
                        size_t size)
{
    const dcs_sites *s = &res->sites;
    if (m->kind == DCS_TEXT) {
        const char *t = dcs_site_text(s, i)[m->col];
        if (t)
            snprintf(buf, size, "\"%s\"", t);
        else
            snprintf(buf, size, "missing");
        return;
    }
    double x = dcs_site_num(s, i)[m->col];
    if (isnan(x))
        snprintf(buf, size, "missing");
    else
        snprintf(buf, size, "%.6g%s%s", x, m->unit && *m->unit ? " " : "",
                 m->unit ? m->unit : "");
}

/* "'carbon' (co2_t_yr = 345976 t, value 0.508, weight 5.0%)" into detail,
 * "carbon" into names. */
static int describe_flat(const dcs_result *res, size_t c, dcs_strlist *detail,
                         dcs_strlist *names)
{
    const dcs_crit *cr = &res->model.crits[c];
    const dcs_metric *m = &res->model.metrics[cr->metric];
    size_t first = res->eval.order[0];
    double v = res->eval.value[first * res->model.ncrits + c];
    char value[128], score[32];
    metric_text(res, m, first, value, sizeof value);
    if (isnan(v))
        snprintf(score, sizeof score, "none");
    else
        snprintf(score, sizeof score, "%.3g", v);
    return dcs_strlist_addf(detail, "'%s' (%s = %s, value %s, weight %.1f%%)", cr->name,
                            m->name, value, score, 100.0 * cr->weight) ||
           dcs_strlist_addf(names, "%s", cr->name);
}

/* "a", "a and b", "a, b and c" (new string; NULL when out of memory). */
static char *spoken_list(const dcs_strlist *names)
{
    if (names->count < 2)
        return dcs_strlist_join(names, "");
    dcs_strlist head = {.items = names->items, .count = names->count - 1};
    char *first = dcs_strlist_join(&head, ", ");
    dcs_strlist two = {0};
    char *all = NULL;
    if (first && dcs_strlist_addf(&two, "%s and %s", first, names->items[names->count - 1]) == 0)
        all = dcs_strlist_join(&two, "");
    free(first);
    dcs_strlist_free(&two);
    return all;
}

/* One warning naming every criterion that does not discriminate, with
 * the weight they hold together. */
static void warn_flat_criteria(dcs_result *res, const dcs_strlist *detail,
                               const dcs_strlist *names, double share)
{
    char *what = dcs_strlist_join(detail, ", ");
    char *who = spoken_list(names);
    int one = names->count == 1;
    if (what && who)
        dcs_warning_plain(
            dcs_warn(&res->warnings, DCS_WARN_CRITERION_FLAT, "criteria",
                     "criteria: %s %s the same at all %zu eligible sites; %s%.1f%% of the "
                     "weight does not tell them apart", what, one ? "is" : "are",
                     res->eval.neligible, one ? "its " : "together ", 100.0 * share),
            "Criteri%s %s %s the same at every eligible site, so %.0f%% of the weight does "
            "not affect the ranking.", one ? "on" : "a", who, one ? "is" : "are",
            100.0 * share);
    free(what);
    free(who);
}

void dcs_diagnose_ranking(dcs_result *res)
{
    if (res->eval.neligible < 2 || !res->eval.value)
        return;
    dcs_strlist detail = {0}, names = {0};
    double share = 0;
    int nomem = 0;
    for (size_t c = 0; c < res->model.ncrits; c++)
        if (res->model.crits[c].weight > 0 && flat_criterion(res, c)) {
            nomem |= describe_flat(res, c, &detail, &names);
            share += res->model.crits[c].weight;
        }
    if (names.count && !nomem)
        warn_flat_criteria(res, &detail, &names, share);
    dcs_strlist_free(&detail);
    dcs_strlist_free(&names);
}
