/*
 * portfolio_run.h - the portfolio of a run: its eligible sites, in rank
 * order, drawing down the headroom of the substations they connect to
 * (decision/portfolio.h holds the method).
 *
 * dcs_portfolio_run() reads each eligible site's connections from its
 * metrics (substation_id, interconnect_cost_musd and substation_headroom_mw,
 * then connection_<k>_id, _cost_musd and _headroom_mw for the scenario's
 * alternatives) and its demand (peak_demand_mw with the energy model, else
 * the facility's IT load x design PUE), allocates them, and fills
 * res->portfolio (indexed by rank - 1) and res->pf_note, a sentence per
 * eligible site saying where it ended up and why.  Only with a
 * "portfolio" section; dcs_result_free() frees what it fills.  Works on a
 * merged result as on a run's, since everything comes from the metrics.
 */
#ifndef DCS_PORTFOLIO_RUN_H
#define DCS_PORTFOLIO_RUN_H

#include "core/error.h"
#include "pipeline/result.h"

dcs_status dcs_portfolio_run(dcs_result *res, dcs_error *err);

#endif
