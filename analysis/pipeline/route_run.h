/*
 * route_run.h - routed lines of a run: the least-cost path from each routed
 * site to the substation it connects to (geometry/route.h holds the
 * method), with an "interconnection.route" section.
 *
 * dcs_route_run(), after ranking:
 *  - picks the sites: the top N eligible in rank order ("sites": "top",
 *    N = top_n, default outputs.top_n) or every eligible one, among those
 *    with a substation_id;
 *  - builds ONE grid in the working CRS with square cells of cell_m
 *    (default: the cost raster's resolution in the working CRS, else
 *    100 m), covering those sites' points and their substations plus
 *    margin_km, its origin on a multiple of the cell;
 *  - friction per cell: the cost raster warped into the grid with GDAL
 *    (nearest neighbour, so impassable cells stay impassable); nodata,
 *    NaN, <= 0 and cells outside the raster are impassable; without a
 *    raster every cell is 1;
 *  - barriers: each layer rasterized into a mask with ALL_TOUCHED (every
 *    cell a line or polygon touches), soft (1) then hard (2) on top;
 *  - re-opens the substation layer (the result keeps no substation
 *    coordinates) and takes, for each routed site, the points whose id
 *    (substations.id_field, else the feature id) is its substation_id and
 *    whose voltage is its substation_kv (every one of them a target when
 *    ids repeat, so the cheapest is reached);
 *  - routes each site from the cell holding its point (sites.lon/lat) with
 *    the engine's window margin = margin_km; a soft barrier's
 *    soft_penalty_musd enters the engine as penalty / the class's M$ per
 *    km, so engine cost x M$ per km = friction-weighted km x M$ per km +
 *    crossings x penalty;
 *  - fills res->routes: route_km (the engine's length, cell centre to cell
 *    centre, metres of the working CRS), route_cost_musd =
 *    interconnect_cost_musd - substation_km x M$ per km + engine cost x M$
 *    per km (the straight line replaced by the routed one; upgrade and
 *    cost field unchanged), a note when no route was found, the lines.
 *
 * Reads files (the cost raster, the barrier and substation layers): it
 * belongs to the pipeline's edge.  Sites are routed one after another.
 * DCS_ERR_DATA / DCS_ERR_IO for an unreadable raster or layer, a grid too
 * large (the message says what to change), DCS_ERR_NOMEM; a site with no
 * route is not an error: its note says why.  dcs_result_free() frees what
 * it fills.
 */
#ifndef DCS_ROUTE_RUN_H
#define DCS_ROUTE_RUN_H

#include "core/error.h"
#include "pipeline/result.h"

/* Cells the grid may have (a double and a byte each, ~0.45 GB). */
#define DCS_ROUTE_MAX_GRID_CELLS 50000000L

dcs_status dcs_route_run(dcs_result *res, dcs_error *err);

#endif
