/*
 * model.h - the metric table and the rules and criteria bound to it.
 *
 * Every per-site quantity dcsite computes or carries is a metric with a
 * name, a unit and a kind (number or text).  Built-in metrics come first
 * (area_ha, substation_km, ...), then one <overlay>_pct per overlay layer,
 * then the site attributes the scenario maps.  Numbers live in
 * column `col` of a site's number row, text in column `col` of its text
 * row (see sites.h).
 *
 * dcs_model_build() binds the scenario's constraints and criteria to
 * metric columns, checking that each metric exists and has the right kind;
 * every problem is appended to `problems`.  It adds the rule
 * "facility_land" (area_ha >= facility.land_ha) when land_ha > 0.
 *
 * Ownership: the model owns its metric names and arrays; dcs_model_free().
 * It points into the scenario, which must outlive it.
 */
#ifndef DCS_MODEL_H
#define DCS_MODEL_H

#include <stddef.h>

#include "error.h"
#include "scenario.h"
#include "strlist.h"

typedef enum { DCS_NUM, DCS_TEXT } dcs_metric_kind;

typedef struct {
    char *name;
    const char *unit;        /* "ha", "km", "kV", "MW", "%", "" */
    const char *description; /* one line for reports */
    dcs_metric_kind kind;
    size_t col;
} dcs_metric;

/* Number columns of the built-in metrics. */
enum {
    DCS_COL_AREA_HA = 0,
    DCS_COL_SUB_KM,
    DCS_COL_SUB_KV,
    DCS_COL_SUB_HEADROOM_MW,
    DCS_COL_BUILTIN_NUM
};
/* Text columns of the built-in metrics. */
enum { DCS_TCOL_SUB_ID = 0, DCS_TCOL_BUILTIN };

typedef struct {
    const char *name;
    size_t metric; /* index into metrics */
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
    dcs_rule *rules;
    size_t nrules;
    dcs_crit *crits;
    size_t ncrits;
} dcs_model;

/* attr_kinds[i] is the kind of scn->sites.attrs[i] (from the layer's
 * field type). */
dcs_status dcs_model_build(const dcs_scenario *scn, const dcs_metric_kind *attr_kinds,
                           dcs_model *model, dcs_strlist *problems, dcs_error *err);

/* Index of the metric called name, or -1. */
long dcs_model_find_metric(const dcs_model *model, const char *name);

/* The number column of the i-th overlay's <name>_pct metric. */
size_t dcs_model_overlay_col(size_t overlay);

/* The i-th site attribute's metric index. */
size_t dcs_model_attr_metric(const dcs_model *model, size_t attr);

void dcs_model_free(dcs_model *model);

#endif
