/* report_fields.c - titles, units, meanings and sources of every report
 * column. See report_fields.h. */
#include "report_fields.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs/dsn.h"
#include "report_decision.h"

/* Short titles of the built-in and energy metrics (the rest are made from
 * their names). */
static const struct {
    const char *name, *title;
} titles[] = {
    {"area_ha", "Site area"},
    {"area_acres", "Site area"},
    {"substation_km", "Distance to substation"},
    {"substation_kv", "Substation voltage"},
    {"substation_headroom_mw", "Substation headroom"},
    {"interconnect_cost_musd", "Interconnection cost"},
    {"substation_id", "Substation id"},
    {"weather_station", "Weather station"},
    {"weather_station_id", "Weather station id"},
    {"weather_station_km", "Distance to weather station"},
    {"pue_annual", "Annual PUE"},
    {"pue_peak", "Peak PUE"},
    {"peak_demand_mw", "Peak demand"},
    {"pue_design", "Design-condition PUE"},
    {"peak_demand_design_mw", "Design-condition peak demand"},
    {"energy_mwh_yr", "Energy per year"},
    {"water_m3_yr", "Water per year"},
    {"wue_l_kwh", "Water usage effectiveness"},
    {"peak_day_water_m3", "Water on the peak day"},
    {"economizer_hours", "Economizer hours"},
    {"mechanical_hours", "Mechanical cooling hours"},
    {"co2_t_yr", "CO2 per year"},
    {"energy_cost_usd_yr", "Energy cost per year"},
    {"cost_usd_per_mwh_it", "Energy cost per IT MWh"},
    {"cost_usd_per_accel_hour", "Energy cost per accelerator-hour"},
    {"headroom_margin_mw", "Headroom margin"},
    {"wue_x_water_stress", "WUE x water stress"},
    {"co2_hourly_t_yr", "CO2 per year (hourly rates)"},
    {"co2_marginal_t_yr", "CO2 per year (marginal rates)"},
    {"cfe_grid_pct", "24/7 CFE score (grid)"},
    {"cfe_matched_pct", "24/7 CFE score (with clean supply)"},
    {"unmatched_mwh_yr", "Energy not matched hourly"},
    {"energy_cost_hourly_usd_yr", "Energy cost per year (hourly prices)"},
    /* the facility's neighbours (analysis/community/) */
    {"jurisdiction", "Jurisdiction"},
    {"ordinance_residence_setback_m", "Ordinance: residence setback (m)"},
    {"ordinance_property_setback_m", "Ordinance: property-line setback (m)"},
    {"ordinance_mechanical_setback_m", "Ordinance: mechanical-equipment setback (m)"},
    {"ordinance_noise_day_dba", "Ordinance: day noise limit (dBA)"},
    {"ordinance_noise_night_dba", "Ordinance: night noise limit (dBA)"},
    {"ordinance_noise_night_dbc", "Ordinance: low-frequency limit (dBC)"},
    {"ordinance_generator_hours_yr", "Ordinance: generator hours a year"},
    {"ordinance_water_m3_day", "Ordinance: water limit"},
    {"ordinance_moratorium", "Ordinance: moratorium"},
    {"ordinance_failed", "Ordinance rules failed"},
    {"ordinance_rules_met", "Ordinance rules met"},
    {"ordinance_rules_failed", "Ordinance rules failed (count)"},
    {"ordinance_rules_unchecked", "Ordinance rules not checked"},
    {"ordinance_residence_margin_m", "Residence setback margin"},
    {"ordinance_property_margin_ha", "Land inside the property-line setback, margin"},
    {"ordinance_mechanical_margin_m", "Mechanical setback margin"},
    {"ordinance_noise_day_margin_db", "Day noise margin"},
    {"ordinance_noise_night_margin_db", "Night noise margin"},
    {"ordinance_noise_dbc_margin_db", "Low-frequency noise margin"},
    {"ordinance_generator_margin_h", "Generator hours margin"},
    {"ordinance_water_margin_m3_day", "Water limit margin"},
    {"water_utility", "Water utility"},
    {"water_utility_spare_m3_day", "Utility spare water capacity"},
    {"water_utility_spare_drought_m3_day", "Utility spare water capacity (drought)"},
    {"water_peak_day_share_pct", "Peak-day water, share of utility spare"},
    {"water_annual_share_pct", "Annual water, share of utility spare"},
    {"water_peak_day_share_drought_pct", "Peak-day water, share of spare (drought)"},
    {"water_annual_share_drought_pct", "Annual water, share of spare (drought)"},
    {"generator_units", "Backup generators"},
    {"generator_mw", "Backup generator capacity"},
    {"generator_hours_yr", "Generator hours a year"},
    {"generator_nox_t_yr", "Generator NOx per year"},
    {"generator_pm_t_yr", "Generator PM per year"},
    {"generator_permit_nox_t_yr", "NOx permit threshold"},
    {"generator_permit_pm_t_yr", "PM permit threshold"},
    {"generator_permit_margin_nox_t_yr", "NOx permit margin"},
    {"generator_permit_margin_pm_t_yr", "PM permit margin"},
};

const char *dcs_better_name(dcs_better b)
{
    return b == DCS_BETTER_HIGHER ? "higher" : b == DCS_BETTER_LOWER ? "lower" : "";
}

/* "flood100_pct" -> "Flood100 pct": underscores to spaces, first letter up. */
static void humanize(const char *name, char *out, size_t size)
{
    size_t k = 0;
    for (; *name && k + 1 < size; name++, k++)
        out[k] = *name == '_' ? ' ' : *name;
    out[k] = '\0';
    out[0] = (char)toupper((unsigned char)out[0]);
}

/* Name endings that carry a unit or a kind of quantity: the title says the
 * quantity in words and the unit once, in brackets ("school_km" -> "School
 * distance (km)", "land_cost_usd_acre" -> "Land cost ($/acre)"). */
static const struct {
    const char *suffix, *word, *unit;
} endings[] = {
    {"_km", " distance", "km"},   {"_pct", " share", "%"},     {"_usd_acre", "", "$/acre"},
    {"_usd_kwh", "", "$/kWh"},    {"_lb_mwh", "", "lb/MWh"},   {"_musd", "", "M$"},
    {"_mw", "", "MW"},            {"_kv", "", "kV"},           {"_ha", "", "ha"},
    {"_m3", "", "m3"},            {"_deg", "", "degrees"},
};

/* "flood100_pct" -> "Flood100 share": underscores to spaces, first letter
 * up, a unit ending said in words; *unit gets the ending's unit (or is left
 * alone when the name has no such ending). */
static void humanize_ending(const char *name, char *out, size_t size, const char **unit);

/* A raster statistic's name ends in its statistic ("slope_deg_mean"):
 * "Slope, mean (degrees)"; "elev_nodata_count": "Elev, nodata count"
 * (the longer endings are tried before "count"). */
static int humanize_statistic(const char *name, char *out, size_t size, const char **unit)
{
    static const struct {
        const char *ending, *words;
    } stats[] = {{"mean", "mean"},
                 {"min", "min"},
                 {"max", "max"},
                 {"sum", "sum"},
                 {"majority", "majority"},
                 {"nodata_count", "nodata count"},
                 {"covered_fraction", "covered fraction"},
                 {"count", "count"}};
    size_t len = strlen(name);
    for (size_t k = 0; k < sizeof stats / sizeof stats[0]; k++) {
        size_t sl = strlen(stats[k].ending);
        if (len > sl + 1 && name[len - sl - 1] == '_' &&
            strcmp(name + len - sl, stats[k].ending) == 0) {
            char stem[112];
            snprintf(stem, sizeof stem, "%.*s", (int)(len - sl - 1), name);
            humanize_ending(stem, out, size, unit);
            size_t used = strlen(out);
            snprintf(out + used, size - used, ", %s", stats[k].words);
            return 1;
        }
    }
    return 0;
}

static void humanize_metric(const char *name, char *out, size_t size, const char **unit)
{
    if (!humanize_statistic(name, out, size, unit))
        humanize_ending(name, out, size, unit);
}

static void humanize_ending(const char *name, char *out, size_t size, const char **unit)
{
    size_t len = strlen(name);
    for (size_t k = 0; k < sizeof endings / sizeof endings[0]; k++) {
        size_t sl = strlen(endings[k].suffix);
        if (len > sl && strcmp(name + len - sl, endings[k].suffix) == 0) {
            char stem[112];
            snprintf(stem, sizeof stem, "%.*s", (int)(len - sl), name);
            humanize(stem, out, size);
            strncat(out, endings[k].word, size - strlen(out) - 1);
            if (!*unit || !**unit)
                *unit = endings[k].unit;
            return;
        }
    }
    humanize(name, out, size);
}

static void titled(char *out, size_t size, const char *title, const char *unit)
{
    if (unit && *unit)
        snprintf(out, size, "%s (%s)", title, unit);
    else
        snprintf(out, size, "%s", title);
}

/* The metric's title; *unit gets its unit (from the name's ending when the
 * metric table has none, e.g. a site attribute "land_cost_usd_acre"). */
static void metric_title(const dcs_metric *m, char *out, size_t size, const char **unit_out)
{
    char base[112];
    const char *t = NULL, *unit = m->unit;
    for (size_t k = 0; !t && k < sizeof titles / sizeof titles[0]; k++)
        if (strcmp(titles[k].name, m->name) == 0)
            t = titles[k].title;
    if (!t) {
        humanize_metric(m->name, base, sizeof base, &unit);
        t = base;
    }
    titled(out, size, t, unit);
    *unit_out = unit ? unit : "";
}

/* Which way the criteria on metric k point, if any criterion scores it. */
static dcs_better metric_better(const dcs_model *mod, size_t k)
{
    for (size_t c = 0; c < mod->ncrits; c++) {
        const dcs_value_fn *fn = mod->crits[c].fn;
        if (mod->crits[c].metric != k || !fn)
            continue;
        double lo = NAN, hi = NAN;
        if (fn->type == DCS_VF_LINEAR) {
            lo = fn->worst < fn->best ? 0 : 1;
            hi = 1 - lo;
        } else if ((fn->type == DCS_VF_PIECEWISE || fn->type == DCS_VF_STEP) && fn->npoints > 1) {
            lo = fn->v[0];
            hi = fn->v[fn->npoints - 1];
        }
        if (hi > lo)
            return DCS_BETTER_HIGHER;
        if (hi < lo)
            return DCS_BETTER_LOWER;
    }
    return DCS_BETTER_NONE;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void describe_source(const char *what, const dcs_source *src, char *out, size_t size)
{
    char safe[160];
    const char *ds = src && src->dataset ? dcs_redact_to(base_name(src->dataset), safe,
                                                         sizeof safe) : "";
    if (src && src->layer)
        snprintf(out, size, "%s: %s [%s]", what, ds, src->layer);
    else
        snprintf(out, size, "%s%s%s", what, *ds ? ": " : "", ds);
}

static long join_of(const dcs_model *mod, size_t k)
{
    long j = -1;
    for (size_t i = 0; i < mod->scn->njoins; i++)
        if (k >= mod->join_first[i])
            j = (long)i;
    return j;
}

static void metric_source(const dcs_result *res, size_t k, char *out, size_t size)
{
    const dcs_model *mod = &res->model;
    const dcs_scenario *scn = res->scn;
    const dcs_metric *m = &mod->metrics[k];
    if (scn->energy.enabled && k >= mod->energy_first)
        snprintf(out, size, "energy model at the nearest weather station");
    else if (m->context >= 0)
        describe_source(scn->contexts[m->context].name, &scn->contexts[m->context].src, out,
                        size);
    else if (join_of(mod, k) >= 0 && k >= mod->join_first[join_of(mod, k)])
        describe_source(scn->joins[join_of(mod, k)].name, &scn->joins[join_of(mod, k)].src, out,
                        size);
    else if (k >= mod->subs_first && k < mod->subs_end)
        describe_source("substations", &scn->substations.src, out, size);
    else if (k >= mod->const_first && k < mod->const_first + scn->nconstants)
        snprintf(out, size, "scenario (constants): the same at every site");
    else if (k >= mod->attr_first)
        describe_source("sites", &scn->sites.src, out, size);
    else if (strcmp(m->name, "area_ha") == 0 || strcmp(m->name, "area_acres") == 0)
        describe_source("sites (geometry)", &scn->sites.src, out, size);
    else
        describe_source("substations", &scn->substations.src, out, size);
}

static dcs_field_info *add(dcs_field_info *f, size_t *n, const char *name, const char *title,
                           const char *unit, const char *meaning, dcs_better better,
                           dcs_field_kind kind)
{
    dcs_field_info *x = &f[(*n)++];
    *x = (dcs_field_info){.unit = unit, .better = better, .kind = kind, .metric = -1};
    snprintf(x->name, sizeof x->name, "%s", name);
    titled(x->title, sizeof x->title, title, unit);
    snprintf(x->meaning, sizeof x->meaning, "%s", meaning);
    snprintf(x->source, sizeof x->source, "computed by dcsite");
    return x;
}

static void add_metrics(const dcs_result *res, dcs_field_info *f, size_t *n)
{
    for (size_t k = 0; k < res->model.nmetrics; k++) {
        const dcs_metric *m = &res->model.metrics[k];
        dcs_field_info *x = add(f, n, m->name, "", m->unit, m->description,
                                metric_better(&res->model, k),
                                m->kind == DCS_NUM ? DCS_FIELD_REAL : DCS_FIELD_TEXT);
        metric_title(m, x->title, sizeof x->title, &x->unit);
        metric_source(res, k, x->source, sizeof x->source);
        x->metric = (long)k;
    }
}

static void add_criteria(const dcs_result *res, dcs_field_info *f, size_t *n)
{
    for (size_t c = 0; c < res->model.ncrits; c++) {
        const dcs_crit *cr = &res->model.crits[c];
        char name[112], title[112], meaning[320];
        snprintf(name, sizeof name, "%s_value", cr->name);
        snprintf(title, sizeof title, "%s: value", cr->name);
        snprintf(meaning, sizeof meaning, "criterion %s: the value function of %s, 0 (worst) "
                 "to 1 (best); null when the metric is missing", cr->name,
                 res->model.metrics[cr->metric].name);
        add(f, n, name, title, "0-1", meaning, DCS_BETTER_HIGHER, DCS_FIELD_REAL);
        snprintf(name, sizeof name, "%s_contrib", cr->name);
        snprintf(title, sizeof title, "%s: contribution", cr->name);
        snprintf(meaning, sizeof meaning, "criterion %s's part of the score: weight %.4g x "
                 "value (eligible sites; weighted sum)", cr->name, cr->weight);
        add(f, n, name, title, "0-1", meaning, DCS_BETTER_HIGHER, DCS_FIELD_REAL);
    }
}

static void add_decision(const dcs_result *res, dcs_field_info *f, size_t *n)
{
    static const char *const meaning[DCS_DCOL_COUNT] = {
        [DCS_DCOL_PARETO] = ("1 when no other eligible site is at least as good on every "
                             "Pareto metric and better on one"),
        [DCS_DCOL_P_TOP] = "share of the sensitivity runs in which the site ranks in the top N",
        [DCS_DCOL_RANK_P05] = "5th percentile of the site's rank over the sensitivity runs",
        [DCS_DCOL_RANK_P50] = "median rank over the sensitivity runs",
        [DCS_DCOL_RANK_P95] = "95th percentile of the site's rank over the sensitivity runs",
        [DCS_DCOL_N_PARCELS] = "parcels the site is made of (1 for a plain site)",
        [DCS_DCOL_PARCELS] = "ids of those parcels, joined with ';'",
        [DCS_DCOL_PF_STATUS] = ("portfolio: first choice, moved (its first substation was "
                                "full), no capacity, beyond target or no connection, when the "
                                "eligible sites draw down substation headroom in rank order"),
        [DCS_DCOL_PF_SUBSTATION] = "portfolio: the substation the site ends up on",
        [DCS_DCOL_PF_COST] = "portfolio: what connecting there costs (M$)",
        [DCS_DCOL_PF_ALONE] = ("1 when the site's own choice of substation could serve it if "
                               "it were the only site"),
        [DCS_DCOL_PF_NOTE] = "portfolio: where the site ends up and why (who took the capacity)",
        [DCS_DCOL_ROUTE_KM] = ("length of the least-cost line from the site's point to its "
                               "substation over the routing grid (km, cell centre to cell "
                               "centre); empty when the site was not routed"),
        [DCS_DCOL_ROUTE_COST] = ("interconnect_cost_musd with the straight line replaced by the "
                                 "routed one: friction-weighted km x the voltage class's M$ "
                                 "per km, plus soft barrier penalties (M$)"),
        [DCS_DCOL_ROUTE_DETOUR] = "route_km / substation_km (1: as short as the straight line)",
        [DCS_DCOL_ROUTE_NOTE] = "why a routed site has no route (e.g. its substation is "
                                "enclosed by hard barriers)",
    };
    static const dcs_better better[DCS_DCOL_COUNT] = {
        [DCS_DCOL_PARETO] = DCS_BETTER_HIGHER, [DCS_DCOL_P_TOP] = DCS_BETTER_HIGHER,
        [DCS_DCOL_RANK_P05] = DCS_BETTER_LOWER, [DCS_DCOL_RANK_P50] = DCS_BETTER_LOWER,
        [DCS_DCOL_RANK_P95] = DCS_BETTER_LOWER, [DCS_DCOL_PF_COST] = DCS_BETTER_LOWER,
        [DCS_DCOL_PF_ALONE] = DCS_BETTER_HIGHER, [DCS_DCOL_ROUTE_KM] = DCS_BETTER_LOWER,
        [DCS_DCOL_ROUTE_COST] = DCS_BETTER_LOWER, [DCS_DCOL_ROUTE_DETOUR] = DCS_BETTER_LOWER,
    };
    static const dcs_field_kind kinds[3] = {DCS_FIELD_REAL, DCS_FIELD_INTEGER, DCS_FIELD_TEXT};
    dcs_decision_col dc[DCS_DCOL_COUNT];
    size_t ndc = dcs_decision_columns(res, dc);
    for (size_t k = 0; k < ndc; k++) {
        char title[112];
        humanize(dcs_decision_col_name(dc[k]), title, sizeof title);
        add(f, n, dcs_decision_col_name(dc[k]), title, "", meaning[dc[k]], better[dc[k]],
            kinds[dcs_decision_col_kind(dc[k])]);
    }
}

dcs_field_info *dcs_report_fields(const dcs_result *res, size_t *n)
{
    size_t cap = 12 + res->model.nmetrics + 2 * res->model.ncrits + DCS_DCOL_COUNT;
    dcs_field_info *f = calloc(cap, sizeof *f);
    *n = 0;
    if (!f)
        return NULL;
    add(f, n, "site_id", "Site id", "", "the site's id (the site layer's id field, a grid "
        "cell's position, or the campus id of assembled parcels)", DCS_BETTER_NONE,
        DCS_FIELD_TEXT);
    add(f, n, "status", "Status", "", "eligible, or excluded by at least one rule",
        DCS_BETTER_NONE, DCS_FIELD_TEXT);
    add(f, n, "rank", "Rank", "", "1 for the best eligible site; empty when excluded",
        DCS_BETTER_LOWER, DCS_FIELD_INTEGER);
    add(f, n, "score", "Score", "0-1", "the weighted aggregate of the criterion values; empty "
        "when excluded", DCS_BETTER_HIGHER, DCS_FIELD_REAL);
    add(f, n, "reasons", "Why excluded", "", "every rule the site fails and why, as "
        "'rule: why; rule: why'", DCS_BETTER_NONE, DCS_FIELD_TEXT);
    add_metrics(res, f, n);
    add_criteria(res, f, n);
    add(f, n, "coverage_gaps", "Layers not covering the site", "", "context layers that do "
        "not cover the site (their metrics are missing there)", DCS_BETTER_NONE,
        DCS_FIELD_TEXT);
    add(f, n, "lon", "Longitude", "degrees", "longitude of an interior point: always inside the "
        "site, even a C-shaped or multi-part one (WGS 84; GEOS's point on surface, not the "
        "centroid)", DCS_BETTER_NONE, DCS_FIELD_REAL);
    add(f, n, "lat", "Latitude", "degrees", "latitude of that interior point (WGS 84)",
        DCS_BETTER_NONE, DCS_FIELD_REAL);
    add(f, n, "centroid_lon", "Centroid longitude", "degrees", "longitude of the site's area "
        "centroid (WGS 84; taken in the working CRS); may fall outside a C-shaped or "
        "multi-part site", DCS_BETTER_NONE, DCS_FIELD_REAL);
    add(f, n, "centroid_lat", "Centroid latitude", "degrees", "latitude of the area centroid "
        "(WGS 84); may fall outside the site", DCS_BETTER_NONE, DCS_FIELD_REAL);
    add_decision(res, f, n);
    return f;
}
