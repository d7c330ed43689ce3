/*
 * diagnose.h - warnings about inputs that are usable but probably wrong.
 *
 * After a run has measured its sites, dcs_diagnose_inputs() adds a warning
 * to res->warnings for each context layer (overlay, distance, zone,
 * area-weighted, raster, coverage) that
 *  - has no features (after its "where" filter): every metric from it is
 *    0 %, none or null;
 *  - lies entirely outside the candidate sites' extent (lon/lat), the usual
 *    sign of a wrong CRS or of the wrong region's file (not for distance
 *    layers, whose nearest feature may well be far away);
 *  - covers none of the sites (rasters and zones with no valid pixel or
 *    polygon under any site, or a coverage layer missing them all).
 * It also warns when facility.design_pue is below the modelled peak PUE
 * of any weather station (the grid request, IT x design PUE, is then
 * smaller than the modelled peak demand), naming the worst station.
 * Each warning names the layer's role, its dataset and what follows for
 * the results.
 *
 * After the sites are scored, dcs_diagnose_ranking() adds one warning
 * naming every weighted criterion whose metric and value are the same (or
 * missing) at every eligible site, with its value and weight share and
 * the share they hold together: such a criterion adds the same to every
 * score, so its weight does not discriminate.  (A value function that
 * maps different metric values to the same value, e.g. a clamped linear
 * one, is a planner's choice and not warned about.)  Nothing here stops a
 * run.
 *
 * Before a run, dcs_diagnose_before_run() predicts from the opened inputs
 * (feature counts and lon/lat extents, no geometry read) and the model what
 * the run would warn about, for `dcsite check`:
 *  - each context layer (or coverage layer) with no features, or (not for
 *    distance layers) whose extent misses the sites' extent entirely, so
 *    that it covers none of them: a problem when a rule or weighted
 *    criterion needs the layer (reads one of its metrics, directly or
 *    through the energy model, or is its coverage rule), with that rule's
 *    name; a warning (same code and message as the run's) otherwise;
 *  - no qualifying substation (the substation layer read with
 *    dcs_substations_survey()): a problem giving how many were read, why
 *    each group failed, the nearest miss with its id and value, and the
 *    scenario option that would admit it.
 * Problems go to `problems`, warnings to `warnings`; nothing is printed.
 * It reads the substation layer (its reading is left reset).
 */
#ifndef DCS_DIAGNOSE_H
#define DCS_DIAGNOSE_H

#include "pipeline/result.h"

void dcs_diagnose_inputs(dcs_result *res);

void dcs_diagnose_ranking(dcs_result *res);

/* DCS_ERR_NOMEM, or DCS_ERR_DATA when a substation field is missing. */
dcs_status dcs_diagnose_before_run(const dcs_scenario *scn, dcs_inputs *in,
                                   const dcs_model *model, dcs_strlist *problems,
                                   dcs_warnings *warnings, dcs_error *err);

#endif
