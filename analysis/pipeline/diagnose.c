/* diagnose.c - warnings about suspicious inputs. See diagnose.h. */
#include "pipeline/diagnose.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strlist.h"
#include "inputs/context.h"

/* The info record with role "<name> <suffix>" among info[0 .. n); NULL
 * when none matches. */
static const dcs_input_info *find_info(const dcs_input_info *info, size_t n,
                                       const dcs_context *c, const char *suffix)
{
    char role[120];
    snprintf(role, sizeof role, "%s %s", c->name ? c->name : "?", suffix);
    for (size_t i = 0; i < n; i++)
        if (strcmp(info[i].role, role) == 0)
            return &info[i];
    return NULL;
}

static const dcs_input_info *context_info(const dcs_result *res, const dcs_context *c,
                                          const char *suffix)
{
    return find_info(res->inputs, res->ninputs, c, suffix);
}

static int disjoint(const dcs_input_info *a, const dcs_input_info *b)
{
    return a->has_extent && b->has_extent &&
           (a->maxlon < b->minlon || b->maxlon < a->minlon || a->maxlat < b->minlat ||
            b->maxlat < a->minlat);
}

/* A warning into w when layer `in` has no features or (unless far is
 * fine) lies outside the sites; returns 1 when it added one. */
static int check_layer(dcs_warnings *w, const dcs_input_info *sites, const char *name,
                       const dcs_input_info *in, int far_is_fine)
{
    if (!in)
        return 0;
    if (in->nfeatures == 0) {
        dcs_warning_plain(dcs_warn(w, DCS_WARN_LAYER_EMPTY, name,
                                   "%s: '%s' [layer %s] has no features; no site gets "
                                   "anything from it", in->role, in->dataset, in->layer),
                          "%s has no features, so nothing was measured from it.", name);
        return 1;
    }
    if (far_is_fine || !sites || !disjoint(in, sites))
        return 0;
    dcs_warning_plain(
        dcs_warn(w, DCS_WARN_LAYER_ELSEWHERE, name,
                 "%s: '%s' (lon/lat %.4f, %.4f - %.4f, %.4f) lies entirely outside the "
                 "sites (%.4f, %.4f - %.4f, %.4f); is its CRS right?",
                 in->role, in->dataset, in->minlon, in->minlat, in->maxlon, in->maxlat,
                 sites->minlon, sites->minlat, sites->maxlon, sites->maxlat),
        "%s lies entirely outside the candidate sites: check its CRS, or whether it is "
        "the right region's file.", name);
    return 1;
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
        const dcs_input_info *sites = res->ninputs ? &res->inputs[0] : NULL;
        check_layer(&res->warnings, sites, c->name, in, c->kind == DCS_CTX_DISTANCE);
        if (c->cover == DCS_COVER_LAYER)
            check_layer(&res->warnings, sites, c->name, context_info(res, c, "coverage"), 0);
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

/* ---- before a run (dcsite check) ---------------------------------------- */

/* The first rule or weighted criterion that reads metric m (directly, or
 * through the energy model when m is one of its inputs), as "rule 'x'" /
 * "criterion 'y'" in buf; 0 when none does. */
static int metric_user(const dcs_model *md, size_t m, char *buf, size_t size)
{
    int energy_input = (long)m == md->co2_metric || (long)m == md->price_metric ||
                       (long)m == md->stress_metric;
    int energy = md->scn->energy.enabled;
    for (size_t r = 0; r < md->nrules; r++) {
        const dcs_rule *ru = &md->rules[r];
        if (ru->context < 0 &&
            (ru->metric == m || (energy_input && energy && ru->metric >= md->energy_first))) {
            snprintf(buf, size, "rule '%s'", ru->name);
            return 1;
        }
    }
    for (size_t c = 0; c < md->ncrits; c++) {
        const dcs_crit *cr = &md->crits[c];
        if (cr->weight > 0 &&
            (cr->metric == m || (energy_input && energy && cr->metric >= md->energy_first))) {
            snprintf(buf, size, "criterion '%s'", cr->name);
            return 1;
        }
    }
    return 0;
}

/* Which rule or criterion needs context k (its coverage rule, or one that
 * reads one of its metrics), in buf; 0 when none does. */
static int context_user(const dcs_model *model, size_t k, char *buf, size_t size)
{
    for (size_t r = 0; r < model->nrules; r++)
        if (model->rules[r].context == (long)k) {
            snprintf(buf, size, "rule '%s'", model->rules[r].name);
            return 1;
        }
    for (size_t m = 0; m < model->nmetrics; m++)
        if (model->metrics[m].context == (long)k && metric_user(model, m, buf, size))
            return 1;
    return 0;
}

/* Move the findings in found to problems (with what needs the layer) when
 * user is set, else to warnings. */
static int file_findings(dcs_warnings *found, const char *user, dcs_strlist *problems,
                         dcs_warnings *warnings)
{
    int nomem = 0;
    for (size_t i = 0; i < found->count; i++) {
        const dcs_warning *f = &found->items[i];
        if (user) {
            size_t n = strlen(f->message);
            int stop = n && (f->message[n - 1] == '?' || f->message[n - 1] == '.');
            nomem |= dcs_strlist_addf(problems, "%s%s %c%s needs it.", f->message,
                                      stop ? "" : ".", toupper((unsigned char)user[0]),
                                      user + 1) != 0;
        } else {
            dcs_warning_plain(dcs_warn(warnings, f->code, f->layer, "%s", f->message), "%s",
                              dcs_warning_text(f));
        }
    }
    dcs_warnings_free(found);
    return nomem;
}

static int check_context_before(const dcs_scenario *scn, const dcs_inputs *in,
                                 const dcs_model *model, size_t k, dcs_strlist *problems,
                                 dcs_warnings *warnings)
{
    const dcs_context *c = &scn->contexts[k];
    const dcs_input_info *sites = in->ninfo ? &in->info[DCS_IN_SITES] : NULL;
    dcs_warnings found = {0};
    const dcs_input_info *info =
        find_info(in->info, in->ninfo, c, c->kind == DCS_CTX_RASTER ? "(raster)" : "(layer)");
    check_layer(&found, sites, c->name, info, c->kind == DCS_CTX_DISTANCE);
    if (c->cover == DCS_COVER_LAYER)
        check_layer(&found, sites, c->name, find_info(in->info, in->ninfo, c, "coverage"), 0);
    char user[160];
    int needed = found.count && context_user(model, k, user, sizeof user);
    return file_findings(&found, needed ? user : NULL, problems, warnings);
}

/* "; nearest misses: ..." for a survey in which none qualifies. */
static int describe_misses(const dcs_substation_survey *sv, dcs_strlist *parts)
{
    int nomem = 0;
    if (!isnan(sv->miss_kv))
        nomem |= dcs_strlist_addf(parts, "'%s' at %g kV (set substations.min_voltage_kv to "
                                         "%g to admit it)", sv->miss_kv_id, sv->miss_kv,
                                  sv->miss_kv);
    else if (!isnan(sv->low_kv))
        nomem |= dcs_strlist_addf(parts, "'%s' at %g kV, the highest below the floor, but "
                                         "it is also short of headroom (it needs "
                                         "substations.min_voltage_kv %g and "
                                         "\"require_headroom\": false)", sv->low_kv_id,
                                  sv->low_kv, sv->low_kv);
    if (!isnan(sv->miss_headroom))
        nomem |= dcs_strlist_addf(parts, "'%s' with %.1f MW of headroom (set substations "
                                         "\"require_headroom\": false to admit the %lld "
                                         "short of headroom, with an upgrade cost)",
                                  sv->miss_headroom_id, sv->miss_headroom, sv->nlow_headroom);
    return nomem;
}

/* The reasons, as "2 have no voltage, 30 are below 138 kV, ...". */
static int describe_reasons(const dcs_scenario *scn, const dcs_substation_survey *sv,
                            dcs_strlist *parts)
{
    int nomem = 0;
    if (sv->nno_voltage)
        nomem |= dcs_strlist_addf(parts, "%lld %s no voltage", sv->nno_voltage,
                                  sv->nno_voltage == 1 ? "has" : "have");
    if (sv->nlow_voltage)
        nomem |= dcs_strlist_addf(parts, "%lld %s below %g kV", sv->nlow_voltage,
                                  sv->nlow_voltage == 1 ? "is" : "are",
                                  scn->substations.min_voltage_kv);
    if (sv->nlow_headroom)
        nomem |= dcs_strlist_addf(parts, "%lld %s less than %.1f MW of headroom",
                                  sv->nlow_headroom, sv->nlow_headroom == 1 ? "has" : "have",
                                  sv->peak_mw);
    return nomem;
}

static int no_substation_problem(const dcs_scenario *scn, const dcs_input_info *info,
                                 const dcs_substation_survey *sv, dcs_strlist *problems)
{
    if (sv->nread == 0)
        return dcs_strlist_addf(problems, "substations: '%s' [layer %s] has no substations%s; "
                                          "no site can be given a grid connection",
                                info->dataset, info->layer,
                                scn->substations.src.where ? " (after the \"where\" filter)"
                                                           : "") != 0;
    dcs_strlist reasons = {0}, misses = {0};
    int nomem = describe_reasons(scn, sv, &reasons) | describe_misses(sv, &misses);
    char *why = dcs_strlist_join(&reasons, ", "), *near = dcs_strlist_join(&misses, "; ");
    char need[96] = "";
    if (scn->substations.require_headroom)
        snprintf(need, sizeof need, " with >= %.1f MW headroom, the facility's peak demand",
                 sv->peak_mw);
    if (why && near)
        nomem |= dcs_strlist_addf(
                     problems, "substations: none of the %lld in '%s' [layer %s] qualifies "
                               "(>= %g kV%s): %s%s%s; every site "
                               "would lack a substation distance",
                     sv->nread, info->dataset, info->layer, scn->substations.min_voltage_kv,
                     need, why, *near ? "; nearest miss: " : "", near) != 0;
    else
        nomem = 1;
    free(why);
    free(near);
    dcs_strlist_free(&reasons);
    dcs_strlist_free(&misses);
    return nomem;
}

dcs_status dcs_diagnose_before_run(const dcs_scenario *scn, dcs_inputs *in,
                                   const dcs_model *model, dcs_strlist *problems,
                                   dcs_warnings *warnings, dcs_error *err)
{
    int nomem = 0;
    for (size_t k = 0; k < scn->ncontexts; k++)
        nomem |= check_context_before(scn, in, model, k, problems, warnings);
    dcs_layer *subs = in->n > DCS_IN_SUBSTATIONS ? &in->layers[DCS_IN_SUBSTATIONS] : NULL;
    if (subs && subs->ds) {
        dcs_substation_survey sv;
        dcs_status st = dcs_substations_survey(subs, scn, dcs_scenario_peak_mw(scn), &sv, err);
        if (st != DCS_OK)
            return st;
        if (sv.nqualified == 0)
            nomem |= no_substation_problem(scn, &in->info[DCS_IN_SUBSTATIONS], &sv, problems);
    }
    return nomem ? dcs_error_set(err, DCS_ERR_NOMEM, "out of memory diagnosing the inputs")
                 : DCS_OK;
}
