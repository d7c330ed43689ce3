/*
 * covergrid.h - a coarse grid over an area made of polygons (a layer's
 * coverage, a study area, or a polygon layer's features, which may
 * overlap) that answers "does one of the polygons cover this box, or does
 * none meet it?" for most small boxes without asking GEOS.
 *
 * Method: the grid spans the polygons' box with a margin of one cell, at
 * most max_side cells a side.  Every cell within one cell of the box of a
 * boundary segment (of any polygon) is a boundary cell.  Any other cell
 * lies, for each polygon, wholly inside or wholly outside it, at least a
 * cell away from its boundary, and a row's run of such cells between
 * boundary cells is the same for every polygon (a boundary would have to
 * cross the run, and the cells it crossed would be boundary cells), so
 * one point test per run (the caller's: GEOS, prepared) classifies the
 * run: outside them all, or inside some, of which the cell keeps the
 * lowest index.
 *
 * A query box whose cells are all inside (a block of cells, so inside the
 * same polygon) is covered by that polygon; one whose cells are all
 * outside, or which lies wholly past the grid, meets none of them; so for
 * any geometry in that box, GEOS would say the same.  Anything else (a box
 * reaching past the grid only in part included), and a box over more than
 * DCS_COVER_GRID_MAX_CELLS cells, is unknown and the caller asks GEOS.  Floating-point rounding can move a coordinate to the
 * neighbouring cell, but a cell classified inside or outside has no
 * boundary within a cell of it, so the answers stand.  A point query
 * (dcs_cover_grid_point) answers, away from boundaries, the lowest index
 * of the polygons holding the point: the zone a site lies in.
 *
 * Why: measure.c asks, for every site and every layer with a coverage,
 * whether the coverage covers the site (GEOSPreparedCovers_r on a county
 * union took 7 % of the measuring at 100,000 sites), and for every
 * overlay layer which of its polygons meet or cover the site, and for
 * every zone layer which polygon holds the site's point (issue 28).
 *
 * Ownership: dcs_cover_grid_build() and dcs_cover_grid_copy() fill a
 * grid that dcs_cover_grid_free() releases; a zeroed grid is valid and
 * answers unknown.  Thread safety: a built grid is read-only.
 */
#ifndef DCS_COVERGRID_H
#define DCS_COVERGRID_H

#include <geos_c.h>
#include <stdint.h>

#include "core/error.h"

/* A query over more cells than this is left to GEOS. */
#define DCS_COVER_GRID_MAX_CELLS 64

typedef enum {
    DCS_COVER_UNKNOWN = 0, /* ask GEOS */
    DCS_COVER_INSIDE = 1,
    DCS_COVER_OUTSIDE = 2,
} dcs_cover_answer;

/* Point tests and point queries: no polygon holds the point; ask GEOS. */
#define DCS_COVER_NONE (-2L)
#define DCS_COVER_ASK (-1L)

typedef struct {
    int32_t *cell; /* nx * ny, row by row from (x0, y0): the lowest index of the
                    * polygons holding the cell, DCS_COVER_NONE, or -1 near a
                    * boundary */
    int nx, ny;
    double x0, y0, size; /* the lower-left corner and the cells' side */
} dcs_cover_grid;

/* The lowest index (0 to INT32_MAX) of the polygons holding point (x, y)
 * (any of them when only inside or outside matters), DCS_COVER_NONE when
 * none does, or -3 when it cannot tell (GEOS failed, out of memory). */
typedef long (*dcs_cover_point_fn)(void *user, double x, double y);

/* The grid of the n polygons parts (polygons or multipolygons; empty ones
 * are skipped), inside() telling a point in one of them.  No polygon, or a
 * part of another kind, or a degenerate box, gives a zeroed grid (every
 * answer unknown).  DCS_ERR_NOMEM, DCS_ERR_GEOMETRY when a point test
 * fails. */
dcs_status dcs_cover_grid_build(GEOSContextHandle_t geos, GEOSGeometry *const *parts, size_t n,
                                dcs_cover_point_fn inside, void *user, int max_side,
                                dcs_cover_grid *g);

/* For every geometry whose box is x0..x1, y0..y1: DCS_COVER_INSIDE, one
 * of the polygons covers it; DCS_COVER_OUTSIDE, none meets it (so none
 * covers it either); DCS_COVER_UNKNOWN, ask GEOS. */
dcs_cover_answer dcs_cover_grid_box(const dcs_cover_grid *g, double x0, double y0, double x1,
                                    double y1);

/* The lowest index of the polygons holding (x, y), DCS_COVER_NONE when
 * none does (also past the polygons' box), DCS_COVER_ASK near a boundary
 * or without a grid. */
long dcs_cover_grid_point(const dcs_cover_grid *g, double x, double y);

/* dst = a copy of src.  DCS_ERR_NOMEM (dst zeroed). */
dcs_status dcs_cover_grid_copy(dcs_cover_grid *dst, const dcs_cover_grid *src);

void dcs_cover_grid_free(dcs_cover_grid *g);

#endif
