/*
 * covergrid.h - a coarse grid over a coverage area (where a layer has
 * data, or a study area) that answers "does the area cover this box?" for
 * most small boxes without asking GEOS.
 *
 * Method: the grid spans the area's box with a margin of one cell, at
 * most max_side cells a side.  Every cell within one cell of a boundary
 * segment's box is a boundary cell.  Any other cell lies wholly in the
 * area's interior or wholly outside it, at least a cell away from the
 * boundary, and a row's run of such cells between boundary cells is all
 * one or the other (the boundary would have to cross the run, and the
 * cells it crossed would be boundary cells), so one point-in-area test
 * per run (GEOS, prepared) classifies the run.
 *
 * A query box whose cells are all inside is covered; one whose cells are
 * all outside, or which reaches past the grid, is not: a geometry's box is
 * reached by points of the geometry, so those answers are the answers of
 * GEOSCovers for any non-empty geometry with that box.  Anything else,
 * and a box over more than DCS_COVER_GRID_MAX_CELLS cells, is unknown and
 * the caller asks GEOS.  Floating-point rounding can move a coordinate to
 * the neighbouring cell, but a cell classified inside or outside has no
 * boundary within a cell of it, so the answers stand.
 *
 * Why: measure.c asks, for every site and every layer with a coverage,
 * whether the coverage covers the site; GEOSPreparedCovers_r on a county
 * union took 7 % of the measuring at 100,000 sites (issue 28).
 *
 * Ownership: dcs_cover_grid_build() and dcs_cover_grid_copy() fill a
 * grid that dcs_cover_grid_free() releases; a zeroed grid is valid and
 * answers unknown.  Thread safety: a built grid is read-only.
 */
#ifndef DCS_COVERGRID_H
#define DCS_COVERGRID_H

#include <geos_c.h>

#include "core/error.h"

/* A query over more cells than this is left to GEOS. */
#define DCS_COVER_GRID_MAX_CELLS 64

typedef enum {
    DCS_COVER_UNKNOWN = 0, /* ask GEOS (also a boundary cell) */
    DCS_COVER_INSIDE = 1,
    DCS_COVER_OUTSIDE = 2,
} dcs_cover_answer;

typedef struct {
    unsigned char *cell; /* nx * ny, row by row from (x0, y0): dcs_cover_answer */
    int nx, ny;
    double x0, y0, size; /* the lower-left corner and the cells' side */
} dcs_cover_grid;

/* The grid of area (a polygon or multipolygon; prep its prepared form).
 * An empty or degenerate area, or one with other parts, gets a zeroed
 * grid (every answer unknown).  DCS_ERR_NOMEM, DCS_ERR_GEOMETRY when GEOS
 * fails on a point test. */
dcs_status dcs_cover_grid_build(GEOSContextHandle_t geos, const GEOSGeometry *area,
                                const GEOSPreparedGeometry *prep, int max_side,
                                dcs_cover_grid *g);

/* Whether the area covers every geometry whose box is x0..x1, y0..y1:
 * DCS_COVER_INSIDE yes, DCS_COVER_OUTSIDE no (all outside, or partly past
 * the area's box), DCS_COVER_UNKNOWN ask GEOS. */
dcs_cover_answer dcs_cover_grid_box(const dcs_cover_grid *g, double x0, double y0, double x1,
                                    double y1);

/* dst = a copy of src.  DCS_ERR_NOMEM (dst zeroed). */
dcs_status dcs_cover_grid_copy(dcs_cover_grid *dst, const dcs_cover_grid *src);

void dcs_cover_grid_free(dcs_cover_grid *g);

#endif
