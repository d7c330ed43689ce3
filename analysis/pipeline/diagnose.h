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
 * Each warning names the layer's role, its dataset and what follows for
 * the results.  Nothing here stops a run.
 */
#ifndef DCS_DIAGNOSE_H
#define DCS_DIAGNOSE_H

#include "pipeline/result.h"

void dcs_diagnose_inputs(dcs_result *res);

#endif
