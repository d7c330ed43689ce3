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
 */
#ifndef DCS_DIAGNOSE_H
#define DCS_DIAGNOSE_H

#include "pipeline/result.h"

void dcs_diagnose_inputs(dcs_result *res);

void dcs_diagnose_ranking(dcs_result *res);

#endif
