/*
 * decision_support.h - decision support around the ranking, wired to a run:
 * parcel assembly before the sites are measured, then the Pareto front
 * and the sensitivity of the ranking to the weights once they are scored
 * (assembly.h, pareto.h, sensitivity.h hold the methods).
 *
 * dcs_decision_prepare() checks the scenario's pareto metrics, assembly
 * owner field and distinct-options metric against the model
 * (DCS_ERR_SCENARIO naming the key) and appends the campus sites;
 * dcs_decision_analyse() fills the result's score classes (classes.h), its
 * distinct options (distinct.h), pareto flags, sensitivity and portfolio
 * (portfolio_run.h).  Pareto, sensitivity, assembly and portfolio are done
 * only when the scenario has their section.  What they fill is freed by dcs_result_free().
 */
#ifndef DCS_DECISION_H
#define DCS_DECISION_H

#include "core/error.h"
#include "pipeline/result.h"

dcs_status dcs_decision_prepare(dcs_result *res, dcs_error *err);

dcs_status dcs_decision_analyse(dcs_result *res, dcs_error *err);

#endif
