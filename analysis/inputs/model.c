/* model.c - metric table and bound rules and criteria. See model.h. */
#include "inputs/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision/mcda.h"

static const struct {
    const char *name, *unit, *description;
    dcs_metric_kind kind;
} builtin[] = {
    /* in the order of DCS_COL_* and DCS_TCOL_* */
    {"area_ha", "ha", "site area (geodesic)", DCS_NUM},
    {"area_acres", "acres", "site area (geodesic) in international acres", DCS_NUM},
    {"substation_km", "km", "geodesic distance to the nearest qualifying substation", DCS_NUM},
    {"substation_kv", "kV", "voltage of that substation", DCS_NUM},
    {"substation_headroom_mw", "MW", "spare capacity of that substation", DCS_NUM},
    {"interconnect_cost_musd", "M$",
     "line to that substation (cost per km of its voltage class) plus an upgrade when its "
     "headroom is short of the peak demand",
     DCS_NUM},
    {"substation_id", "", "id of that substation", DCS_TEXT},
};
#define NBUILTIN (sizeof builtin / sizeof builtin[0])

static const struct {
    const char *name, *unit, *description;
    dcs_metric_kind kind;
} energy_metrics[DCS_EN_COUNT] = {
    [DCS_EN_STATION] = {"weather_station", "", "nearest weather station", DCS_TEXT},
    [DCS_EN_STATION_ID] = {"weather_station_id", "",
                           "its id in the weather file (EPW: WMO number; TMY3: USAF number)",
                           DCS_TEXT},
    [DCS_EN_STATION_KM] = {"weather_station_km", "km", "geodesic distance to it", DCS_NUM},
    [DCS_EN_PUE_ANNUAL] = {"pue_annual", "", "facility energy / IT energy over the year", DCS_NUM},
    [DCS_EN_PUE_PEAK] = {"pue_peak", "", "highest hourly PUE", DCS_NUM},
    [DCS_EN_PEAK_MW] = {"peak_demand_mw", "MW", "highest hourly facility demand (grid request)",
                        DCS_NUM},
    [DCS_EN_PUE_DESIGN] = {"pue_design", "", "PUE at the design condition (docs/methods.md)",
                           DCS_NUM},
    [DCS_EN_PEAK_DESIGN_MW] = {"peak_demand_design_mw", "MW",
                               "facility demand at the design condition (an extreme, not the "
                               "typical year's worst hour)", DCS_NUM},
    [DCS_EN_ENERGY_MWH] = {"energy_mwh_yr", "MWh", "facility energy per year", DCS_NUM},
    [DCS_EN_WATER_M3] = {"water_m3_yr", "m3", "water evaporated and blown down per year",
                         DCS_NUM},
    [DCS_EN_WUE] = {"wue_l_kwh", "L/kWh", "water per kWh of IT energy", DCS_NUM},
    [DCS_EN_PEAK_DAY_WATER] = {"peak_day_water_m3", "m3", "water on the peak day", DCS_NUM},
    [DCS_EN_ECONOMIZER_HOURS] = {"economizer_hours", "h",
                                 "hours of free or partial (economizer) cooling", DCS_NUM},
    [DCS_EN_MECHANICAL_HOURS] = {"mechanical_hours", "h", "hours of full mechanical cooling",
                                 DCS_NUM},
    [DCS_EN_CO2_T] = {"co2_t_yr", "t", "CO2 per year at the grid region's rate", DCS_NUM},
    [DCS_EN_COST_USD] = {"energy_cost_usd_yr", "$", "energy cost per year", DCS_NUM},
    [DCS_EN_USD_PER_MWH_IT] = {"cost_usd_per_mwh_it", "$/MWh", "energy cost per MWh of IT energy",
                               DCS_NUM},
    [DCS_EN_USD_PER_ACCEL_HOUR] = {"cost_usd_per_accel_hour", "$",
                                   "energy cost of one accelerator-hour", DCS_NUM},
    [DCS_EN_HEADROOM_MARGIN] = {"headroom_margin_mw", "MW",
                                "substation headroom minus the modelled peak demand", DCS_NUM},
    [DCS_EN_WUE_STRESS] = {"wue_x_water_stress", "", "WUE times the site's water stress score",
                           DCS_NUM},
};

/* Unit and meaning of each raster statistic, in the order of
 * dcs_raster_stat_names; the coverage metrics (count, nodata_count,
 * covered_fraction) are kept for a site found outside (see model.h). */
static const struct {
    const char *unit, *description;
    int coverage;
} stat_info[DCS_NSTATS] = {
    {"", "raster statistic over the site (coverage-weighted)", 0},
    {"", "raster statistic over the site (coverage-weighted)", 0},
    {"", "raster statistic over the site (coverage-weighted)", 0},
    {"", "raster statistic over the site (coverage-weighted)", 0},
    {"", "raster statistic over the site (coverage-weighted)", 0},
    {"pixels", "valid pixels under the site, each counted by the share of it the site covers",
     1},
    {"pixels", "nodata pixels under the site, each counted by the share of it the site covers",
     1},
    {"0-1", "share of the site's area over the raster's pixels, valid or nodata (0 off the "
            "raster)", 1},
};

size_t dcs_model_attr_slots(const dcs_scenario *scn)
{
    size_t n = scn->sites.nattrs;
    for (size_t i = 0; i < scn->ncontexts; i++)
        n += scn->contexts[i].nattrs;
    for (size_t i = 0; i < scn->njoins; i++)
        n += scn->joins[i].nattrs;
    return n;
}

/* Upper bound of the number of metrics. */
static size_t metric_capacity(const dcs_scenario *scn)
{
    /* a raster has the most context metrics: DCS_NSTATS, nodata_pct and radius_sum;
     * the substation group at most 4 + 5 per rule */
    return NBUILTIN + dcs_model_attr_slots(scn) + scn->nconstants + 6 + 3 * 4 +
           5 * scn->substations.nrules + (DCS_NSTATS + 2) * scn->ncontexts + DCS_EN_COUNT +
           DCS_HR_COUNT + 3 * (scn->energy.flex.npct + scn->energy.flex.nhours) +
           DCS_CM_ORD_COUNT + DCS_CM_WU_COUNT + DCS_CM_GEN_COUNT + DCS_NZ_COUNT;
}

static int add_metric(dcs_model *m, char *name, const char *unit, const char *desc,
                      dcs_metric_kind kind, long context, dcs_strlist *problems)
{
    if (!name)
        return -1;
    if (dcs_model_find_metric(m, name) >= 0 &&
        dcs_strlist_addf(problems, "metric \"%s\" is defined twice; rename one of them", name))
        return -1;
    dcs_metric *x = &m->metrics[m->nmetrics++];
    x->name = name;
    x->unit = unit;
    x->description = desc;
    x->kind = kind;
    x->col = kind == DCS_NUM ? m->nnum++ : m->ntext++;
    x->context = context;
    return 0;
}

static char *concat(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", a, b);
    return s;
}

static int add_attrs(dcs_model *m, const dcs_attribute *attrs, size_t n,
                     const dcs_metric_kind **kinds, long context, const char *desc,
                     dcs_strlist *problems)
{
    for (size_t i = 0; i < n; i++, (*kinds)++)
        if (add_metric(m, strdup(attrs[i].metric), "", desc, **kinds, context, problems) != 0)
            return -1;
    return 0;
}

static int add_raster_metrics(dcs_model *m, const dcs_context *c, long k, dcs_strlist *p)
{
    for (unsigned s = 0; s < DCS_NSTATS; s++) {
        char suffix[32];
        snprintf(suffix, sizeof suffix, "_%s", dcs_raster_stat_names[s]);
        if (!(c->stats & (1u << s)))
            continue;
        if (add_metric(m, concat(c->name, suffix), stat_info[s].unit, stat_info[s].description,
                       DCS_NUM, k, p) != 0)
            return -1;
        m->metrics[m->nmetrics - 1].kept_outside = stat_info[s].coverage;
    }
    if (c->stats && add_metric(m, concat(c->name, "_nodata_pct"), "%",
                               "share of the site's pixels (by area) that are nodata", DCS_NUM,
                               k, p) != 0)
        return -1;
    if (c->radius_km > 0 &&
        add_metric(m, concat(c->name, "_radius_sum"), "", "raster sum within the radius",
                   DCS_NUM, k, p) != 0)
        return -1;
    return 0;
}

static int add_context_metrics(dcs_model *m, const dcs_context *c, long k,
                               const dcs_metric_kind **kinds, dcs_strlist *p)
{
    switch (c->kind) {
    case DCS_CTX_OVERLAY:
        return add_metric(m, concat(c->name, "_pct"), "%", "share of the site inside this layer",
                          DCS_NUM, k, p);
    case DCS_CTX_DISTANCE:
        if (c->from_centroid)
            return add_metric(m, concat(c->name, "_centroid_km"), "km",
                              "geodesic distance from the site's centroid to the nearest feature",
                              DCS_NUM, k, p);
        return add_metric(m, concat(c->name, "_km"), "km",
                          "geodesic distance from the site's boundary to the nearest feature "
                          "(0 when they touch)", DCS_NUM, k, p);
    case DCS_CTX_ZONE:
        return add_attrs(m, c->attrs, c->nattrs, kinds, k, "attribute of the zone holding the site",
                         p);
    case DCS_CTX_AREA_WEIGHTED:
        return add_metric(m, strdup(c->name), "", "area-weighted sum within the radius", DCS_NUM,
                          k, p);
    case DCS_CTX_RASTER:
        return add_raster_metrics(m, c, k, p);
    }
    return -1;
}

/* substation_name, then each substation rule's metrics (model.h). */
static int add_substation_metrics(const dcs_scenario *scn, dcs_model *m, dcs_strlist *p)
{
    int named = scn->substations.name_field != NULL;
    m->subs_first = m->nmetrics;
    if (named && add_metric(m, strdup("substation_name"), "", "name of the substation the "
                            "site connects to", DCS_TEXT, -1, p) != 0)
        return -1;
    if (!scn->interconnection.nearest &&
        (add_metric(m, strdup("nearest_substation_km"), "km", "geodesic distance to the nearest "
                    "qualifying substation (which may cost more than the one chosen)", DCS_NUM,
                    -1, p) != 0 ||
         add_metric(m, strdup("nearest_substation_id"), "", "id of that substation", DCS_TEXT,
                    -1, p) != 0 ||
         add_metric(m, strdup("connection"), "", "why the site connects where it does: the "
                    "nearest, or the cheapest and what the nearest would cost", DCS_TEXT, -1,
                    p) != 0))
        return -1;
    m->ttp_first = -1;
    if (scn->substations.queue_field) {
        m->ttp_first = (long)m->nmetrics;
        if (add_metric(m, strdup("energization_year"), "year", "the year the site could be "
                       "energized at its substation: spare headroom after the queue, a planned "
                       "upgrade, or a new transformer (docs/methods.md)", DCS_NUM, -1, p) != 0 ||
            add_metric(m, strdup("energization_basis"), "", "what that year rests on",
                       DCS_TEXT, -1, p) != 0)
            return -1;
    }
    m->alts_first = m->nmetrics;
    for (size_t k = 2; scn->portfolio.enabled && k < 2 + scn->portfolio.alternatives; k++) {
        char name[3][40];
        snprintf(name[0], sizeof name[0], "connection_%zu_id", k);
        snprintf(name[1], sizeof name[1], "connection_%zu_cost_musd", k);
        snprintf(name[2], sizeof name[2], "connection_%zu_headroom_mw", k);
        if (add_metric(m, strdup(name[0]), "", "a fallback connection for the portfolio: the "
                       "substation, next cheapest after the one chosen", DCS_TEXT, -1, p) != 0 ||
            add_metric(m, strdup(name[1]), "M$", "what connecting to it costs", DCS_NUM, -1,
                       p) != 0 ||
            add_metric(m, strdup(name[2]), "MW", "its headroom", DCS_NUM, -1, p) != 0)
            return -1;
    }
    m->rules_first = m->nmetrics;
    for (size_t r = 0; r < scn->substations.nrules; r++) {
        const dcs_substation_rule *u = &scn->substations.rules[r];
        if (add_metric(m, concat(u->name, u->from_centroid ? "_centroid_km" : "_km"), "km",
                       u->from_centroid ? "geodesic distance from the site's centroid to the "
                                          "nearest substation of this rule"
                                        : "geodesic distance to the nearest substation of "
                                          "this rule",
                       DCS_NUM, -1, p) != 0 ||
            add_metric(m, concat(u->name, "_kv"), "kV", "voltage of that substation", DCS_NUM,
                       -1, p) != 0 ||
            add_metric(m, concat(u->name, "_headroom_mw"), "MW", "its spare capacity",
                       DCS_NUM, -1, p) != 0 ||
            add_metric(m, concat(u->name, "_id"), "", "its id", DCS_TEXT, -1, p) != 0 ||
            (named && add_metric(m, concat(u->name, "_name"), "", "its name", DCS_TEXT, -1,
                                 p) != 0))
            return -1;
    }
    m->subs_end = m->nmetrics;
    return 0;
}

/* The hourly-grid metrics whose signals the scenario names. */
/* "0_25pct", "50h": a budget's label in metric names. */
static void budget_label(double v, int hours, char *out, size_t size)
{
    snprintf(out, size, hours ? "%gh" : "%gpct", v);
    for (char *c = out; *c; c++)
        if (*c == '.')
            *c = '_';
}

/* flex_mw_<budget>, flex_hours_<budget> (and flex_gen_ok_<budget> with a
 * generator cap) for each budget, percentages first (model.h). */
static int add_flex_metrics(const dcs_scenario *scn, dcs_model *m, dcs_strlist *p)
{
    size_t npct = scn->energy.flex.npct, n = npct + scn->energy.flex.nhours;
    int gen = !isnan(scn->energy.flex.generator_cap_hours);
    m->flex_first = -1;
    if (!scn->energy.enabled || !scn->energy.flex.enabled)
        return 0;
    m->flex_first = (long)m->nmetrics;
    for (size_t b = 0; b < n; b++) {
        int hours = b >= npct;
        char label[32], name[3][64];
        budget_label(hours ? scn->energy.flex.hours[b - npct] : scn->energy.flex.pct[b], hours,
                     label, sizeof label);
        snprintf(name[0], sizeof name[0], "flex_mw_%s", label);
        snprintf(name[1], sizeof name[1], "flex_hours_%s", label);
        snprintf(name[2], sizeof name[2], "flex_gen_ok_%s", label);
        if (add_metric(m, strdup(name[0]), "MW", "the largest constant load the site's "
                       "substation (or region) can take with curtailment within this budget "
                       "(docs/methods.md, Flexible capacity)", DCS_NUM, -1, p) != 0 ||
            add_metric(m, strdup(name[1]), "h", "hours a year that load is curtailed",
                       DCS_NUM, -1, p) != 0 ||
            (gen && add_metric(m, strdup(name[2]), "", "1 when those hours are within the "
                               "backup generators' permitted hours", DCS_NUM, -1, p) != 0))
            return -1;
    }
    return 0;
}

/* The noise metrics (noise section; pipeline/noise_run.h), the margins only
 * when their limit is given. */
static int add_noise_metrics(const dcs_scenario *scn, dcs_model *m, dcs_strlist *p)
{
    static const struct {
        const char *name, *unit, *description;
    } defs[DCS_NZ_COUNT] = {
        [DCS_NZ_NEAREST_DAY] = {"noise_dba_nearest_day", "dBA", "day-time A-weighted level of "
                                "the plant at the nearest receptor (ISO 9613-2)"},
        [DCS_NZ_NEAREST_NIGHT] = {"noise_dba_nearest_night", "dBA", "night-time A-weighted "
                                  "level at the nearest receptor"},
        [DCS_NZ_LOUDEST_DAY] = {"noise_dba_loudest_day", "dBA", "day-time A-weighted level at "
                                "the loudest receptor within noise.search_km"},
        [DCS_NZ_LOUDEST_NIGHT] = {"noise_dba_loudest_night", "dBA", "night-time A-weighted "
                                  "level at the loudest receptor"},
        [DCS_NZ_DBC_NIGHT] = {"noise_dbc_loudest_night", "dBC", "night-time C-weighted "
                              "(low-frequency) level at that receptor"},
        [DCS_NZ_RECEPTOR_KM] = {"noise_receptor_km", "km", "distance from the equipment to "
                                "the nearest receptor"},
        [DCS_NZ_MARGIN_DAY] = {"noise_margin_day_db", "dB", "noise.limit_day_dba minus the "
                               "loudest day level (positive: meets it)"},
        [DCS_NZ_MARGIN_NIGHT] = {"noise_margin_night_db", "dB", "noise.limit_night_dba minus "
                                 "the loudest night level (positive: meets it)"},
    };
    for (int k = 0; k < DCS_NZ_COUNT; k++) {
        m->noise[k] = -1;
        if (!scn->noise.enabled || (k == DCS_NZ_MARGIN_DAY && isnan(scn->noise.limit_day_dba)) ||
            (k == DCS_NZ_MARGIN_NIGHT && isnan(scn->noise.limit_night_dba)))
            continue;
        m->noise[k] = (long)m->nmetrics;
        if (add_metric(m, strdup(defs[k].name), defs[k].unit, defs[k].description, DCS_NUM, -1,
                       p) != 0)
            return -1;
    }
    return 0;
}

typedef struct {
    const char *name, *unit, *description;
    dcs_metric_kind kind;
} metric_def;

/* Append a group of metrics; *first is its first index. */
static int add_group(dcs_model *m, const metric_def *defs, size_t n, long *first,
                     dcs_strlist *p)
{
    *first = (long)m->nmetrics;
    for (size_t k = 0; k < n; k++)
        if (add_metric(m, strdup(defs[k].name), defs[k].unit, defs[k].description,
                       defs[k].kind, -1, p) != 0)
            return -1;
    return 0;
}

/* The community metrics of the sections the scenario has (model.h). */
static int add_community_metrics(const dcs_scenario *scn, dcs_model *m, dcs_strlist *p)
{
    static const metric_def ord[DCS_CM_ORD_COUNT] = {
        {"ordinance_failed", "", "the ordinance rules the site fails, naming its "
         "jurisdiction (empty: none)", DCS_TEXT},
        {"ordinance_rules_met", "", "how many rules of its ordinance the site meets", DCS_NUM},
        {"ordinance_rules_failed", "", "how many ordinance rules the site fails", DCS_NUM},
        {"ordinance_rules_unchecked", "", "ordinance rules not checked for want of a modelled "
         "value (noise, residences, water)", DCS_NUM},
        {"ordinance_residence_margin_m", "m", "nearest residence minus the setback", DCS_NUM},
        {"ordinance_property_margin_ha", "ha", "area inside the property-line setback minus "
         "the facility's land", DCS_NUM},
        {"ordinance_mechanical_margin_m", "m", "deepest interior point's distance to the "
         "boundary minus the mechanical-equipment setback", DCS_NUM},
        {"ordinance_noise_day_margin_db", "dB", "day limit minus the modelled dBA", DCS_NUM},
        {"ordinance_noise_night_margin_db", "dB", "night limit minus the modelled dBA",
         DCS_NUM},
        {"ordinance_noise_dbc_margin_db", "dB", "low-frequency limit minus the modelled dBC",
         DCS_NUM},
        {"ordinance_generator_margin_h", "h", "generator hours allowed minus planned",
         DCS_NUM},
        {"ordinance_water_margin_m3_day", "m3/day", "water limit minus the peak-day water",
         DCS_NUM},
    };
    static const metric_def wu[DCS_CM_WU_COUNT] = {
        {"water_utility_spare_m3_day", "m3/day", "the serving utility's spare capacity",
         DCS_NUM},
        {"water_utility_spare_drought_m3_day", "m3/day", "its spare capacity in a drought "
         "year", DCS_NUM},
        {"water_peak_day_share_pct", "%", "peak-day water as a share of the spare capacity",
         DCS_NUM},
        {"water_annual_share_pct", "%", "the year's water as a share of a year of spare "
         "capacity", DCS_NUM},
        {"water_peak_day_share_drought_pct", "%", "peak-day share in a drought year",
         DCS_NUM},
        {"water_annual_share_drought_pct", "%", "annual share in a drought year", DCS_NUM},
    };
    static const metric_def gen[DCS_CM_GEN_COUNT] = {
        {"generator_units", "", "backup generator units installed (with redundancy)",
         DCS_NUM},
        {"generator_mw", "MW", "their rated power", DCS_NUM},
        {"generator_hours_yr", "h", "tested plus curtailment hours a year", DCS_NUM},
        {"generator_nox_t_yr", "t", "NOx a year, every unit at rated power", DCS_NUM},
        {"generator_pm_t_yr", "t", "PM a year, every unit at rated power", DCS_NUM},
        {"generator_permit_nox_t_yr", "t", "the NOx threshold that applies (lower in a "
         "nonattainment area)", DCS_NUM},
        {"generator_permit_pm_t_yr", "t", "the PM threshold that applies", DCS_NUM},
        {"generator_permit_margin_nox_t_yr", "t", "NOx threshold minus NOx", DCS_NUM},
        {"generator_permit_margin_pm_t_yr", "t", "PM threshold minus PM", DCS_NUM},
    };
    m->ord_first = m->wu_first = m->gen_first = -1;
    if (scn->ordinances.enabled && add_group(m, ord, DCS_CM_ORD_COUNT, &m->ord_first, p) != 0)
        return -1;
    if (scn->water_utilities.enabled &&
        add_group(m, wu, DCS_CM_WU_COUNT, &m->wu_first, p) != 0)
        return -1;
    if (scn->generators.enabled && add_group(m, gen, DCS_CM_GEN_COUNT, &m->gen_first, p) != 0)
        return -1;
    return 0;
}

static int add_hourly_metrics(const dcs_scenario *scn, dcs_model *m, dcs_strlist *problems)
{
    static const struct {
        const char *name, *unit, *description;
        int signal, supply; /* the signal it needs; 1: and the clean supply */
    } hm[DCS_HR_COUNT] = {
        [DCS_HR_CO2_T] = {"co2_hourly_t_yr", "t", "CO2 per year, hour by hour at the grid's "
                          "average rate", DCS_SIG_CO2_AVG, 0},
        [DCS_HR_CO2_MARGINAL_T] = {"co2_marginal_t_yr", "t", "CO2 per year, hour by hour at "
                                   "the grid's marginal rate", DCS_SIG_CO2_MARGINAL, 0},
        [DCS_HR_CFE_GRID_PCT] = {"cfe_grid_pct", "%", "carbon-free share of the energy, hour "
                                 "by hour, from the grid alone (24/7 CFE)", DCS_SIG_CFE_SHARE, 0},
        [DCS_HR_CFE_MATCHED_PCT] = {"cfe_matched_pct", "%", "carbon-free share, hour by hour, "
                                    "with the clean supply", DCS_SIG_CFE_SHARE, 1},
        [DCS_HR_UNMATCHED_MWH] = {"unmatched_mwh_yr", "MWh", "energy per year not carbon-free "
                                  "in its hour (with the clean supply)", DCS_SIG_CFE_SHARE, 1},
        [DCS_HR_COST_USD] = {"energy_cost_hourly_usd_yr", "$", "energy cost per year at the "
                             "hourly price", DCS_SIG_PRICE, 0},
    };
    const dcs_hourly_spec *h = &scn->energy.hourly;
    for (size_t k = 0; k < DCS_HR_COUNT; k++) {
        m->hourly[k] = -1;
        if (!scn->energy.enabled || !h->src.dataset || !h->fields[hm[k].signal] ||
            (hm[k].supply && !scn->energy.supply.src.dataset))
            continue;
        m->hourly[k] = (long)m->nmetrics;
        if (add_metric(m, strdup(hm[k].name), hm[k].unit, hm[k].description, DCS_NUM, -1,
                       problems) != 0)
            return -1;
    }
    return 0;
}

static int build_metrics(const dcs_scenario *scn, const dcs_metric_kind *kinds, dcs_model *m,
                         dcs_strlist *problems)
{
    m->metrics = calloc(metric_capacity(scn), sizeof *m->metrics);
    m->ctx_first = calloc(scn->ncontexts + 1, sizeof *m->ctx_first);
    m->join_first = calloc(scn->njoins + 1, sizeof *m->join_first);
    m->join_on = calloc(scn->njoins + 1, sizeof *m->join_on);
    if (!m->metrics || !m->ctx_first || !m->join_first || !m->join_on)
        return -1;
    for (size_t i = 0; i < NBUILTIN; i++)
        if (add_metric(m, strdup(builtin[i].name), builtin[i].unit, builtin[i].description,
                       builtin[i].kind, -1, problems) != 0)
            return -1;
    m->attr_first = m->nmetrics;
    if (add_attrs(m, scn->sites.attrs, scn->sites.nattrs, &kinds, -1, "site attribute",
                  problems) != 0)
        return -1;
    m->const_first = m->nmetrics;
    for (size_t k = 0; k < scn->nconstants; k++)
        if (add_metric(m, strdup(scn->constants[k].metric), "", "constant of the scenario",
                       scn->constants[k].text ? DCS_TEXT : DCS_NUM, -1, problems) != 0)
            return -1;
    if (add_substation_metrics(scn, m, problems) != 0)
        return -1;
    for (size_t k = 0; k < scn->ncontexts; k++) {
        m->ctx_first[k] = m->nmetrics;
        if (add_context_metrics(m, &scn->contexts[k], (long)k, &kinds, problems) != 0)
            return -1;
    }
    for (size_t j = 0; j < scn->njoins; j++) {
        m->join_first[j] = m->nmetrics;
        if (add_attrs(m, scn->joins[j].attrs, scn->joins[j].nattrs, &kinds, -1,
                      "attribute joined from a table", problems) != 0)
            return -1;
    }
    m->energy_first = m->nmetrics;
    for (size_t k = 0; scn->energy.enabled && k < DCS_EN_COUNT; k++)
        if (add_metric(m, strdup(energy_metrics[k].name), energy_metrics[k].unit,
                       energy_metrics[k].description, energy_metrics[k].kind, -1, problems) != 0)
            return -1;
    if (add_hourly_metrics(scn, m, problems) != 0 || add_flex_metrics(scn, m, problems) != 0)
        return -1;
    if (add_noise_metrics(scn, m, problems) != 0)
        return -1;
    return add_community_metrics(scn, m, problems);
}

long dcs_model_find_metric(const dcs_model *model, const char *name)
{
    for (size_t i = 0; i < model->nmetrics; i++)
        if (strcmp(model->metrics[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Resolve name for the item at path; check its kind. */
static long bind_metric(const dcs_model *m, const char *path, const char *name,
                        dcs_metric_kind want, dcs_strlist *problems, int *nomem)
{
    long idx = dcs_model_find_metric(m, name);
    if (idx < 0) {
        dcs_strlist names = {0};
        for (size_t i = 0; i < m->nmetrics; i++)
            *nomem |= dcs_strlist_addf(&names, "%s", m->metrics[i].name) != 0;
        char *known = dcs_strlist_join(&names, ", ");
        *nomem |= !known ||
                  dcs_strlist_addf(problems, "%s: unknown metric \"%s\" (known: %s)",
                                   path, name, known ? known : "") != 0;
        free(known);
        dcs_strlist_free(&names);
        return -1;
    }
    if (m->metrics[idx].kind != want) {
        *nomem |= dcs_strlist_addf(problems, "%s: \"%s\" is %s, this needs %s", path,
                                   name, m->metrics[idx].kind == DCS_NUM ? "a number" : "text",
                                   want == DCS_NUM ? "a number" : "text") != 0;
        return -1;
    }
    return idx;
}

/* Each join matches on a text metric defined before its own attributes. */
static int bind_joins(const dcs_scenario *scn, dcs_model *m, dcs_strlist *problems)
{
    int nomem = 0;
    for (size_t j = 0; j < scn->njoins; j++) {
        char path[64];
        snprintf(path, sizeof path, "joins[%zu].on", j);
        long idx = bind_metric(m, path, scn->joins[j].on, DCS_TEXT, problems, &nomem);
        if (idx >= 0 && (size_t)idx >= m->join_first[j]) {
            nomem |= dcs_strlist_addf(problems, "%s: \"%s\" comes from this join or a later "
                                      "one; a join matches on a metric known before it",
                                      path, scn->joins[j].on) != 0;
            idx = -1;
        }
        m->join_on[j] = idx >= 0 ? (size_t)idx : 0;
    }
    return nomem ? -1 : 0;
}

/* The metrics the energy model reads from the site (CO2 rate, price,
 * water stress): numbers defined before the energy block. */
static int bind_energy_inputs(const dcs_scenario *scn, dcs_model *m, dcs_strlist *problems)
{
    const struct {
        const char *path, *name;
        long *out;
    } inputs[] = {{"energy.co2_metric", scn->energy.co2_metric, &m->co2_metric},
                  {"energy.price_metric", scn->energy.price_metric, &m->price_metric},
                  {"energy.water_stress_metric", scn->energy.water_stress_metric,
                   &m->stress_metric}};
    int nomem = 0;
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
        *inputs[k].out = -1;
        if (!inputs[k].name)
            continue;
        long idx = bind_metric(m, inputs[k].path, inputs[k].name, DCS_NUM, problems, &nomem);
        if (idx >= (long)m->energy_first && scn->energy.enabled) {
            nomem |= dcs_strlist_addf(problems, "%s: \"%s\" is an energy metric itself",
                                      inputs[k].path, inputs[k].name) != 0;
            idx = -1;
        }
        *inputs[k].out = idx;
    }
    m->hourly_on = -1;
    if (scn->energy.enabled && scn->energy.hourly.on) {
        long idx = bind_metric(m, "energy.hourly_signals.on", scn->energy.hourly.on, DCS_TEXT,
                               problems, &nomem);
        if (idx >= (long)m->energy_first) {
            nomem |= dcs_strlist_addf(problems, "energy.hourly_signals.on: \"%s\" is an energy "
                                      "metric itself", scn->energy.hourly.on) != 0;
            idx = -1;
        }
        m->hourly_on = idx;
    }
    return nomem ? -1 : 0;
}

static void add_system_rules(const dcs_scenario *scn, dcs_model *m)
{
    if (scn->land_ha > 0) {
        dcs_rule *r = &m->rules[m->nrules++];
        r->name = "facility_land";
        r->metric = (size_t)dcs_model_find_metric(m, "area_ha");
        r->context = -1;
        r->op = DCS_OP_MIN;
        r->limit = scn->land_ha;
    }
    for (size_t k = 0; k < scn->ncontexts; k++) {
        const dcs_context *c = &scn->contexts[k];
        int can_miss = c->cover != DCS_COVER_EVERYWHERE || c->kind == DCS_CTX_ZONE ||
                       c->kind == DCS_CTX_RASTER;
        if (c->outside != DCS_OUTSIDE_EXCLUDE || !can_miss)
            continue;
        dcs_rule *r = &m->rules[m->nrules++];
        r->name = scn->contexts[k].name; /* reported as coverage_<name> */
        r->context = (long)k;
    }
    if (m->ord_first >= 0 && scn->ordinances.exclude)
        m->rules[m->nrules++] = (dcs_rule){.name = "ordinances",
                                           .metric = (size_t)m->ord_first + DCS_CM_ORD_FAILED,
                                           .context = -1, .op = DCS_OP_EMPTY};
}

static int bind_rules(const dcs_scenario *scn, dcs_model *m, dcs_strlist *problems)
{
    int nomem = 0;
    m->rules = calloc(scn->nconstraints + scn->ncontexts + 2, sizeof *m->rules);
    if (!m->rules)
        return -1;
    add_system_rules(scn, m);
    for (size_t i = 0; i < scn->nconstraints; i++) {
        const dcs_constraint *c = &scn->constraints[i];
        char path[64];
        snprintf(path, sizeof path, "constraints[%zu].metric", i);
        dcs_metric_kind want = c->op == DCS_OP_MIN || c->op == DCS_OP_MAX ? DCS_NUM : DCS_TEXT;
        long idx = bind_metric(m, path, c->metric, want, problems, &nomem);
        if (idx < 0)
            continue;
        dcs_rule *r = &m->rules[m->nrules++];
        *r = (dcs_rule){
            .name = c->name,
            .metric = (size_t)idx,
            .context = -1,
            .op = c->op,
            .limit = c->limit,
            .set = c->set,
            .nset = c->nset,
        };
    }
    return nomem ? -1 : 0;
}

/* Weights from the AHP matrix; refused above the consistency limit. */
static dcs_status ahp_weights(const dcs_scenario *scn, dcs_model *m, double *w,
                              dcs_strlist *problems)
{
    dcs_error e;
    m->ahp = 1;
    if (dcs_ahp_weights(scn->ahp_matrix, scn->ncriteria, w, &m->ahp_lambda, &m->ahp_ci,
                        &m->ahp_cr, &e) != DCS_OK) {
        dcs_strlist_addf(problems, "ahp.%s", e.message);
        return DCS_ERR_SCENARIO;
    }
    if (m->ahp_cr > DCS_AHP_CR_LIMIT && !scn->ahp_accept_inconsistent) {
        dcs_strlist_addf(problems,
                         "ahp.matrix: consistency ratio %.3f is above %.1f; revise the "
                         "comparisons or set \"accept_inconsistent\": true",
                         m->ahp_cr, DCS_AHP_CR_LIMIT);
        return DCS_ERR_SCENARIO;
    }
    return DCS_OK;
}

static int bind_criteria(const dcs_scenario *scn, dcs_model *m, dcs_strlist *problems)
{
    int nomem = 0;
    double total = 0;
    double *w = calloc(scn->ncriteria + 1, sizeof *w);
    m->crits = calloc(scn->ncriteria + 1, sizeof *m->crits);
    if (!m->crits || !w) {
        free(w);
        return -1;
    }
    for (size_t i = 0; i < scn->ncriteria; i++)
        w[i] = scn->criteria[i].weight;
    if (scn->ahp_matrix && ahp_weights(scn, m, w, problems) != DCS_OK) {
        free(w);
        return 0;
    }
    for (size_t i = 0; i < scn->ncriteria; i++) {
        const dcs_criterion *c = &scn->criteria[i];
        char path[64];
        snprintf(path, sizeof path, "criteria[%zu].metric", i);
        dcs_metric_kind want = c->fn.type == DCS_VF_CATEGORICAL ? DCS_TEXT : DCS_NUM;
        long idx = bind_metric(m, path, c->metric, want, problems, &nomem);
        if (idx < 0)
            continue;
        m->crits[m->ncrits++] = (dcs_crit){c->name, (size_t)idx, w[i], &c->fn};
        total += w[i];
    }
    for (size_t i = 0; i < m->ncrits && total > 0; i++)
        m->crits[i].weight /= total;
    free(w);
    return nomem ? -1 : 0;
}

dcs_status dcs_model_build(const dcs_scenario *scn, const dcs_metric_kind *attr_kinds,
                           dcs_model *model, dcs_strlist *problems, dcs_error *err)
{
    dcs_strlist local = {0};
    dcs_strlist *probs = problems ? problems : &local;
    size_t before = probs->count;
    dcs_status st = DCS_OK;
    memset(model, 0, sizeof *model);
    model->scn = scn;
    if (build_metrics(scn, attr_kinds, model, probs) != 0 || bind_joins(scn, model, probs) != 0 ||
        bind_energy_inputs(scn, model, probs) != 0 ||
        bind_rules(scn, model, probs) != 0 || bind_criteria(scn, model, probs) != 0)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory building the model");
    else if (probs->count > before)
        st = dcs_error_set(err, DCS_ERR_SCENARIO, "%s: %s%s", scn->path, probs->items[before],
                           probs->count - before > 1 ? " (and more problems)" : "");
    if (st != DCS_OK)
        dcs_model_free(model);
    dcs_strlist_free(&local);
    return st;
}

void dcs_model_free(dcs_model *model)
{
    for (size_t i = 0; i < model->nmetrics; i++)
        free(model->metrics[i].name);
    free(model->metrics);
    free(model->ctx_first);
    free(model->join_first);
    free(model->join_on);
    free(model->rules);
    free(model->crits);
    memset(model, 0, sizeof *model);
}
