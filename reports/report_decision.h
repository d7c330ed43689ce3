/*
 * report_decision.h - the decision-support fields in every report: the
 * Pareto flag, the sensitivity figures and the parcels of assembled
 * campuses (analysis/pipeline/decision_support.h).
 *
 * Per-site columns, present only when the scenario asks for them:
 *   pareto     1 on the Pareto front, else 0           ("pareto" section)
 *   p_top_n    share of Monte Carlo runs in the top N   ("sensitivity")
 *   rank_p05, rank_p50, rank_p95   rank percentiles     ("sensitivity")
 *   n_parcels  parcels in the site (1 for a plain site) ("assembly")
 *   parcels    their ids joined with ";"                ("assembly")
 *   portfolio_status, portfolio_substation, portfolio_cost_musd,
 *   feasible_alone, portfolio_note: where the site ends up when the
 *   eligible sites draw down substation headroom in rank order ("portfolio")
 *   route_km, route_cost_musd, route_detour (route_km / substation_km),
 *   route_note: the least-cost line to the substation, for the routed
 *   sites ("interconnection.route"; pipeline/route_run.h)
 * The GIS writer, the Ranking sheet and the JSON summary all take them
 * from here, so they always agree.  Nothing returned needs freeing.
 */
#ifndef DCS_REPORT_DECISION_H
#define DCS_REPORT_DECISION_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <xlsxwriter.h>

#include "pipeline/result.h"

typedef enum {
    DCS_DCOL_PARETO,
    DCS_DCOL_P_TOP,
    DCS_DCOL_RANK_P05,
    DCS_DCOL_RANK_P50,
    DCS_DCOL_RANK_P95,
    DCS_DCOL_N_PARCELS,
    DCS_DCOL_PARCELS,
    DCS_DCOL_PF_STATUS,
    DCS_DCOL_PF_SUBSTATION,
    DCS_DCOL_PF_COST,
    DCS_DCOL_PF_ALONE,
    DCS_DCOL_PF_NOTE,
    DCS_DCOL_ROUTE_KM,
    DCS_DCOL_ROUTE_COST,
    DCS_DCOL_ROUTE_DETOUR,
    DCS_DCOL_ROUTE_NOTE,
    DCS_DCOL_COUNT
} dcs_decision_col;

/* The columns this result has, in order, into cols; returns how many. */
size_t dcs_decision_columns(const dcs_result *res, dcs_decision_col cols[DCS_DCOL_COUNT]);

const char *dcs_decision_col_name(dcs_decision_col col);

/* 1 for integer columns (pareto, n_parcels, feasible_alone), 2 for text
 * (parcels, portfolio_status, _substation, _note, route_note), 0 real. */
int dcs_decision_col_kind(dcs_decision_col col);

/* Site i's value in a number column (NaN when missing). */
double dcs_decision_num(const dcs_result *res, dcs_decision_col col, size_t i);

/* Site i's value in a text column (NULL when missing). */
const char *dcs_decision_text(const dcs_result *res, dcs_decision_col col, size_t i);

/* Add site i's decision fields to a JSON site object. */
void dcs_decision_json_site(cJSON *site, const dcs_result *res, size_t i);

/* The "decision" object of the JSON summary: Pareto metrics and front,
 * sensitivity settings and sweeps, campuses, the portfolio's substations,
 * the routing grid and counts. */
void dcs_decision_json(cJSON *root, const dcs_result *res);

/* The Sensitivity sheet (only when the scenario has "sensitivity"):
 * per-site P(top N) and rank percentiles in base rank order, a bar chart
 * of P(top N) for the top sites and the one-at-a-time sweeps.  header,
 * section and note are the workbook's formats; constant: the workbook is
 * in constant-memory mode (charts then use the rank as category). */
void dcs_report_sensitivity_sheet(lxw_workbook *wb, const dcs_result *res, lxw_format *header,
                                  lxw_format *section, lxw_format *note, int constant);

/* The Grid sheet (only with a "portfolio" section): each substation's
 * capacity, allocated and remaining MW, then the sites that moved or found
 * no capacity, with why (report_grid.c). */
void dcs_report_grid_sheet(lxw_workbook *wb, const dcs_result *res, lxw_format *header,
                           lxw_format *section, lxw_format *note);

#endif
