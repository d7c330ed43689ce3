/*
 * model.h - the metric table and the rules and criteria bound to it.
 *
 * Every per-site quantity dcsite computes or carries is a metric with a
 * name, a unit and a kind (number or text).  Order: the built-in metrics
 * (area_ha, area_acres, substation_*, interconnect_cost_musd), then the site
 * attributes, then the scenario's constants, then substation_name and the
 * metrics of each substations.rules entry, then each context layer's metrics in scenario order
 * (<name>_pct, <name>_km, zone attributes, <name> for an area-weighted
 * sum, <name>_<stat> for each of `stats` in dcs_raster_stat_names order,
 * <name>_nodata_pct and <name>_radius_sum for a raster), then each join's
 * attributes, then the energy metrics (hourly and flexible capacity), then the
 * noise metrics (DCS_NZ_*).  Numbers live in column `col` of a
 * site's number row, texts in column `col` of its text row (see sites.h).  A metric that comes from
 * a context layer records it in `context` (-1 otherwise), so that a site
 * outside that layer's coverage is treated as the scenario says: its
 * metrics are cleared, except a raster's coverage metrics (kept_outside)
 * when the raster was read there (the site was outside for want of valid
 * pixels, not outside a coverage layer).
 *
 * dcs_model_build() binds the scenario's constraints and criteria to
 * metric columns (and each join's `on` to a text metric), checking that
 * each metric exists and has the right kind;
 * every problem is appended to `problems`.  It adds the rule
 * "facility_land" (area_ha >= facility.land_ha) when land_ha > 0, and a
 * rule "coverage_<name>" for each context layer whose `outside` is
 * "exclude", and the rule "ordinances" (ordinance_failed empty) with an
 * "ordinances" section unless its "exclude" is false.  Weights are normalised to sum 1, or derived from the AHP
 * matrix (refused above a consistency ratio of 0.1 unless accepted).
 *
 * Attribute kinds: dcs_model_build() takes the kind of every mapped field
 * (number or text, from the layer's field type) as one flat array, in the
 * order of dcs_model_attr_slots(): site attributes, zone attributes of
 * each zone context in order, join attributes of each join in order.
 *
 * Ownership: the model owns its metric names and arrays; dcs_model_free().
 * It points into the scenario, which must outlive it.
 */
#ifndef DCS_MODEL_H
#define DCS_MODEL_H

#include <stddef.h>

#include "core/error.h"
#include "inputs/scenario.h"
#include "core/strlist.h"

typedef enum { DCS_NUM, DCS_TEXT } dcs_metric_kind;

typedef struct {
    char *name;
    const char *unit;        /* "ha", "km", "kV", "MW", "%", "" */
    const char *description; /* one line for reports */
    dcs_metric_kind kind;
    size_t col;
    long context; /* index of the context layer it comes from, or -1 */
    int kept_outside; /* a raster's coverage metric (<name>_count, _nodata_count,
                       * _covered_fraction): measured and kept for a site that is
                       * outside because no valid pixel lies under it */
} dcs_metric;

/* Number columns of the built-in metrics. */
enum {
    DCS_COL_AREA_HA = 0,
    DCS_COL_AREA_ACRES,
    DCS_COL_SUB_KM,
    DCS_COL_SUB_KV,
    DCS_COL_SUB_HEADROOM_MW,
    DCS_COL_INTERCONNECT_MUSD,
    DCS_COL_BUILTIN_NUM
};
/* Text columns of the built-in metrics. */
enum { DCS_TCOL_SUB_ID = 0, DCS_TCOL_BUILTIN };

/* The energy metrics, in this order from model->energy_first. */
enum {
    DCS_EN_STATION,         /* text: the nearest weather station */
    DCS_EN_STATION_ID,      /* text: its id from the weather file */
    DCS_EN_STATION_KM,
    DCS_EN_PUE_ANNUAL,
    DCS_EN_PUE_PEAK,
    DCS_EN_PEAK_MW,
    DCS_EN_PUE_DESIGN,
    DCS_EN_PEAK_DESIGN_MW,
    DCS_EN_ENERGY_MWH,
    DCS_EN_WATER_M3,
    DCS_EN_WUE,
    DCS_EN_PEAK_DAY_WATER,
    DCS_EN_ECONOMIZER_HOURS,
    DCS_EN_MECHANICAL_HOURS,
    DCS_EN_CO2_T,
    DCS_EN_COST_USD,
    DCS_EN_USD_PER_MWH_IT,
    DCS_EN_USD_PER_ACCEL_HOUR,
    DCS_EN_HEADROOM_MARGIN,
    DCS_EN_WUE_STRESS,
    DCS_EN_COUNT
};

/* The hourly-grid metrics (energy.hourly_signals; energy/hourly_grid.h),
 * after the energy metrics; each only when its signals are given. */
enum {
    DCS_HR_CO2_T,          /* co2_hourly_t_yr: needs co2_avg_lb_mwh */
    DCS_HR_CO2_MARGINAL_T, /* co2_marginal_t_yr: co2_marginal_lb_mwh */
    DCS_HR_CFE_GRID_PCT,   /* cfe_grid_pct: cfe_share */
    DCS_HR_CFE_MATCHED_PCT,/* cfe_matched_pct: cfe_share and clean_supply */
    DCS_HR_UNMATCHED_MWH,  /* unmatched_mwh_yr: the same */
    DCS_HR_COST_USD,       /* energy_cost_hourly_usd_yr: price_usd_mwh */
    DCS_HR_COUNT
};

/* The noise metrics (noise section; pipeline/noise_run.h), after the
 * flexible-capacity metrics; the margins only with their limit. */
enum {
    DCS_NZ_NEAREST_DAY,   /* noise_dba_nearest_day */
    DCS_NZ_NEAREST_NIGHT, /* noise_dba_nearest_night */
    DCS_NZ_LOUDEST_DAY,   /* noise_dba_loudest_day */
    DCS_NZ_LOUDEST_NIGHT, /* noise_dba_loudest_night */
    DCS_NZ_DBC_NIGHT,     /* noise_dbc_loudest_night */
    DCS_NZ_RECEPTOR_KM,   /* noise_receptor_km */
    DCS_NZ_MARGIN_DAY,    /* noise_margin_day_db: needs limit_day_dba */
    DCS_NZ_MARGIN_NIGHT,  /* noise_margin_night_db: needs limit_night_dba */
    DCS_NZ_COUNT
};
/* The community metrics (analysis/community/; docs/metrics.md), after the
 * energy, hourly and flexibility metrics, each group only with its section.
 * ordinances: from model->ord_first, ordinance_failed (text, the failed
 * rules' sentences), ordinance_rules_met, ordinance_rules_failed,
 * ordinance_rules_unchecked,
 * then one margin per rule but the moratorium (dcs_ord_margin_metrics). */
enum { DCS_CM_ORD_FAILED, DCS_CM_ORD_NMET, DCS_CM_ORD_NFAILED, DCS_CM_ORD_NUNCHECKED, DCS_CM_ORD_MARGINS,
       DCS_CM_ORD_COUNT = DCS_CM_ORD_MARGINS + DCS_ORD_COUNT - 1 };
/* water_utilities: from model->wu_first. */
enum { DCS_CM_WU_SPARE, DCS_CM_WU_SPARE_DROUGHT, DCS_CM_WU_PEAK_PCT, DCS_CM_WU_ANNUAL_PCT,
       DCS_CM_WU_PEAK_DROUGHT_PCT, DCS_CM_WU_ANNUAL_DROUGHT_PCT, DCS_CM_WU_COUNT };
/* generators: from model->gen_first. */
enum { DCS_CM_GEN_UNITS, DCS_CM_GEN_MW, DCS_CM_GEN_HOURS, DCS_CM_GEN_NOX, DCS_CM_GEN_PM,
       DCS_CM_GEN_PERMIT_NOX, DCS_CM_GEN_PERMIT_PM, DCS_CM_GEN_MARGIN_NOX,
       DCS_CM_GEN_MARGIN_PM, DCS_CM_GEN_COUNT };

typedef struct {
    const char *name;
    size_t metric; /* index into metrics (unused for coverage rules) */
    long context;  /* coverage rule: the context layer that must cover the site; else -1 */
    dcs_constraint_op op;
    double limit;
    char *const *set;
    size_t nset;
} dcs_rule;

typedef struct {
    const char *name;
    size_t metric;
    double weight; /* normalised: the weights add up to 1 */
    const dcs_value_fn *fn;
} dcs_crit;

typedef struct {
    const dcs_scenario *scn;
    dcs_metric *metrics;
    size_t nmetrics, nnum, ntext;
    size_t *ctx_first;  /* ncontexts: index of each context layer's first metric */
    size_t *join_first; /* njoins: index of each join's first metric */
    size_t *join_on;    /* njoins: the text metric each join matches on */
    size_t attr_first;  /* index of the first site attribute metric */
    size_t const_first; /* index of the first constant (scenario "constants", in order) */
    size_t subs_first;  /* substation_name (with a name field); nearest_substation_km,
                         * nearest_substation_id and connection (when the cheapest is
                         * chosen); then from rules_first, per substations.rules entry:
                         * <rule>_km or _centroid_km, _kv, _headroom_mw, _id, and _name
                         * with a name field; up to subs_end */
    long ttp_first;    /* with substations.queue_field: energization_year and
                        * energization_basis; else -1 */
    size_t alts_first; /* with a portfolio: connection_<k>_id, _cost_musd, _headroom_mw
                        * for k = 2 .. 1 + portfolio.alternatives */
    size_t rules_first, subs_end;
    size_t energy_first; /* index of the first energy metric (when enabled) */
    long co2_metric, price_metric, stress_metric; /* energy inputs, -1 when not given */
    long hourly[DCS_HR_COUNT]; /* index of each hourly-grid metric, -1 when not made */
    long hourly_on;            /* the text metric naming the site's grid region, or -1 */
    long flex_first;           /* energy.flexibility: per budget (percentages, then hours)
                                * flex_mw_<b>, flex_hours_<b> and, with a generator cap,
                                * flex_gen_ok_<b>; -1 without */
    long noise[DCS_NZ_COUNT];  /* index of each noise metric, -1 when not made */
    long ord_first, wu_first, gen_first; /* the community groups above; -1: none */
    dcs_rule *rules;
    size_t nrules;
    dcs_crit *crits;
    size_t ncrits;
    int ahp;           /* 1 when the weights come from the AHP matrix */
    double ahp_lambda, ahp_ci, ahp_cr;
} dcs_model;

/* How many attribute kinds dcs_model_build() expects. */
size_t dcs_model_attr_slots(const dcs_scenario *scn);

dcs_status dcs_model_build(const dcs_scenario *scn, const dcs_metric_kind *attr_kinds,
                           dcs_model *model, dcs_strlist *problems, dcs_error *err);

/* Index of the metric called name, or -1. */
long dcs_model_find_metric(const dcs_model *model, const char *name);

void dcs_model_free(dcs_model *model);

#endif
