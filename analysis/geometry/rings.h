/*
 * rings.h - polygons as flat rings, and the two clippings dcsite does on
 * every site without a general overlay: the area of a polygon inside a
 * convex polygon, and the share of each pixel of a grid that a polygon
 * covers.
 *
 * A dcs_rings holds the rings of a polygon or multipolygon as flat x/y
 * arrays (the closing vertex is not repeated), exteriors counter-clockwise
 * and holes clockwise, so that the signed shoelace areas of the rings add
 * up to the polygon's area.  Clipping every ring on its own against a
 * convex window (Sutherland-Hodgman) keeps that property: each clipped
 * ring's signed area is the signed area of the ring's region inside the
 * window, even for a concave ring, where the method leaves zero-width
 * spurs along the window's edges that carry no area.  So the area of
 * polygon AND window is the sum of the clipped rings' signed areas, in
 * O(vertices) and with no noding.  The polygon must be valid (rings that
 * do not cross); sites and context polygons are made valid when loaded.
 *
 * dcs_rings_pixel_cover() halves the pixel window along its longer side,
 * clips the pieces to each half and recurses; blocks the polygon covers
 * wholly are emitted pixel by pixel with share 1 and blocks it misses are
 * dropped, so the work follows the boundary, not the area.  Pixel (col,
 * row) is the unit square [col, col + 1] x [row, row + 1] of the ring
 * coordinates.
 *
 * Thread safety: none of these functions keeps state; a dcs_rings or
 * dcs_cells is used by one thread at a time.
 *
 * Ownership: a dcs_rings owns its arrays (dcs_rings_free()); a dcs_cells
 * owns its array (dcs_cells_free()).  Both start zeroed and are reused
 * after dcs_*_clear().
 */
#ifndef DCS_RINGS_H
#define DCS_RINGS_H

#include <geos_c.h>
#include <stddef.h>

#include "core/error.h"

typedef struct {
    size_t n, cap;       /* vertices */
    double *x, *y;
    size_t nrings, rcap; /* ring r holds vertices [start[r], start[r + 1]) */
    size_t *start;
} dcs_rings;

typedef struct {
    int col, row;
    double f; /* share of the pixel covered, in (0, 1] */
} dcs_cell;

typedef struct {
    size_t n, cap;
    dcs_cell *c;
    double area; /* the covered shape's whole area in pixels, set by raster.c's
                  * dcs_raster_cover() (not by dcs_rings_pixel_cover()) */
} dcs_cells;

void dcs_rings_clear(dcs_rings *R);
void dcs_rings_free(dcs_rings *R);

/* Append one ring of n vertices (a repeated closing vertex is dropped),
 * oriented counter-clockwise when exterior is non-zero, clockwise
 * otherwise.  Rings of fewer than 3 distinct vertices add nothing.
 * -1 when out of memory. */
int dcs_rings_add(dcs_rings *R, const double *x, const double *y, size_t n, int exterior);

/* Append the rings of a GEOS polygon, multipolygon or collection (other
 * members are ignored).  DCS_ERR_GEOMETRY when GEOS cannot give the
 * coordinates, DCS_ERR_NOMEM. */
dcs_status dcs_rings_add_geos(dcs_rings *R, GEOSContextHandle_t geos, const GEOSGeometry *g);

/* x' = (x - ox) * sx, y' = (y - oy) * sy for every vertex; rings are
 * reversed when sx * sy < 0 so that the orientations still hold. */
void dcs_rings_scale(dcs_rings *R, double ox, double oy, double sx, double sy);

/* Sum of the rings' signed areas: the polygon's area. */
double dcs_rings_area(const dcs_rings *R);

/* Bounding box of all vertices; 0 when there are none. */
int dcs_rings_bbox(const dcs_rings *R, double *x0, double *y0, double *x1, double *y1);

/* 1 when ring 0 is the only ring and is convex (collinear vertices allowed). */
int dcs_rings_is_convex(const dcs_rings *R);

/* Area of the polygon R inside the convex polygon (wx, wy), wn vertices
 * counter-clockwise without the closing vertex.  scratch holds the
 * clipped rings (reused between calls).  NaN when out of memory. */
double dcs_rings_clip_area(const dcs_rings *R, const double *wx, const double *wy, size_t wn,
                           dcs_rings scratch[2]);

/* Scratch rings for dcs_rings_pixel_cover(), one per halving (reused
 * between calls; zero it first, free with dcs_cover_work_free()). */
#define DCS_COVER_LEVELS 70
typedef struct {
    dcs_rings level[DCS_COVER_LEVELS];
} dcs_cover_work;

void dcs_cover_work_free(dcs_cover_work *work);

/* Append to out the pixels of window [c0, c1) x [r0, r1) that R covers,
 * with the covered share of each.  DCS_ERR_NOMEM. */
dcs_status dcs_rings_pixel_cover(const dcs_rings *R, int c0, int r0, int c1, int r1,
                                 dcs_cover_work *work, dcs_cells *out);

/* Append one cell; -1 when out of memory. */
int dcs_cells_add(dcs_cells *c, int col, int row, double f);

void dcs_cells_clear(dcs_cells *c);
void dcs_cells_free(dcs_cells *c);

#endif
