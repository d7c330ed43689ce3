/*
 * grid.h - candidate cells on a square or hexagonal lattice.
 *
 * For regions without parcel data, candidate sites are cells of a given
 * area laid over an area of interest.  The lattice is anchored at the
 * origin of the working CRS, so a cell's place, shape and id depend only on
 * the working CRS, the shape and the cell area, never on the extent of the
 * area of interest: two runs over overlapping areas give the same ids to
 * the same cells.  Ids: "sq_<i>_<j>" (column i, row j) for squares,
 * "hex_<q>_<r>" (axial coordinates, pointy-topped) for hexagons.
 *
 * A cell is kept when its centre lies inside the area of interest.
 *
 * Pure geometry (GEOS); no I/O.  Geometries returned belong to the caller.
 */
#ifndef DCS_GRID_H
#define DCS_GRID_H

#include <geos_c.h>
#include <stddef.h>

#include "inputs/scenario.h"

/* Called for each lattice cell whose centre (cx, cy) lies in the box;
 * return non-zero to stop. */
typedef int (*dcs_grid_visit)(void *user, long i, long j, double cx, double cy);

/* Visit the lattice cells with centres in [minx, maxx] x [miny, maxy], row
 * by row from the south; returns the number visited. */
size_t dcs_grid_visit_box(dcs_grid_shape shape, double cell_area_m2, double minx, double miny,
                          double maxx, double maxy, dcs_grid_visit visit, void *user);

/* The polygon of cell (i, j). */
GEOSGeometry *dcs_grid_cell(GEOSContextHandle_t geos, dcs_grid_shape shape,
                            double cell_area_m2, long i, long j);

/* "sq_3_-2", "hex_10_4". */
void dcs_grid_cell_id(dcs_grid_shape shape, long i, long j, char *buf, size_t size);

#endif
