/*
 * route.h - the least-cost path between two cells of a cost raster
 * (Dijkstra's algorithm on the grid's cells), for routing a line from a
 * site to its substation.
 *
 * The grid: width x height cells, row 0 at the top as GDAL stores them,
 * placed by a north-up geotransform in a metric working CRS (GDAL's six
 * numbers; gt[2] and gt[4] must be 0, cells may be rectangular).  cost[i]
 * (i = row * width + col) is the cost of one km of line through the cell;
 * NaN, infinite or negative means impassable.  An optional barrier mask
 * has one byte per cell: 0 none, DCS_ROUTE_SOFT (1) a soft barrier,
 * DCS_ROUTE_HARD (2, or any larger value) a hard one, never crossed.
 *
 * The graph: every passable cell is a node joined to its 8 neighbours
 * (orthogonal and diagonal moves) or, with neighbours = 16, also to the 8
 * cells a knight's move away.  A move runs in a straight segment between
 * the two cell centres and costs its length in km times the
 * length-weighted mean cost of the cells the segment passes through:
 *   orthogonal or diagonal: L * (c_a + c_b) / 2  (half the segment lies in
 *     each end cell; a diagonal only touches the two other cells' corner),
 *   knight's move (2 cells one way, 1 the other): L * (c_a + c_1 + c_2 +
 *     c_b) / 4, c_1 and c_2 the two cells between, each crossed for a
 *     quarter of the segment.
 * The first rule is scikit-image's MCP_Geometric's; the start costs 0.
 * A move is allowed when every cell it passes through is passable; a
 * diagonal move between two blocked cells (impassable or hard, the two
 * cells whose shared corner it crosses) is refused too, so a wall of
 * blocked cells joined only at their corners still stops a route, unless
 * allow_corner_cut is set (as scikit-image and r.cost do).
 *
 * Soft barriers: a soft cell's cost is multiplied by soft_factor, and
 * every entry into soft cells adds soft_penalty (cost units, once per
 * crossing however wide the barrier): along the cells a move passes
 * through, each step from a cell that is not soft into one that is counts
 * one entry, and a diagonal move between two soft cells counts one when
 * neither of its end cells is soft (it slips through the barrier's
 * corner).  With both at their defaults a soft barrier changes nothing.
 *
 * The search: from the start cell until the cheapest of the targets is
 * settled, within a window: the box around the start and the targets
 * grown by window_margin_m on every side and clipped to the grid (0: the
 * whole grid).  Time O(n log n) for the n cells settled, plus clearing
 * the work arrays over the window; memory about 20 bytes per window
 * cell.  A route not found inside a window may exist outside it.
 *
 * The result: the least cost, the length in km (sum of the segment
 * lengths) and the vertices (cell centres in the working CRS, from start
 * to target, runs of equal moves merged into one segment; one vertex when
 * the start is a target).
 *
 * Thread safety: no globals; inputs are only read, so threads may share a
 * grid; each thread needs its own dcs_route_work and dcs_route.
 *
 * Ownership: the grid's arrays stay the caller's.  dcs_route_work and
 * dcs_route start zeroed, are reused between searches (their arrays grow
 * as needed) and are freed with dcs_route_work_free() and
 * dcs_route_free().
 */
#ifndef DCS_ROUTE_H
#define DCS_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define DCS_ROUTE_SOFT 1
#define DCS_ROUTE_HARD 2

typedef struct {
    long width, height;           /* columns, rows */
    double gt[6];                 /* GDAL geotransform, metres; gt[2] = gt[4] = 0 */
    const double *cost;           /* width * height, cost per km, row-major from the top */
    const unsigned char *barrier; /* NULL, or width * height: 0, DCS_ROUTE_SOFT, DCS_ROUTE_HARD */
} dcs_route_grid;

typedef struct {
    int neighbours;          /* 8 or 16 (0 means 8) */
    double soft_factor;      /* multiplies a soft cell's cost; 0 means 1 */
    double soft_penalty;     /* added per entry into soft cells; >= 0 */
    double window_margin_m;  /* > 0: search only the box around start and targets grown by
                              * this; 0: the whole grid */
    int allow_corner_cut;    /* 1: a diagonal may pass between two blocked cells */
} dcs_route_opts;

typedef struct {
    long col, row;
} dcs_route_cell;

typedef struct {
    double cost;             /* least accumulated cost */
    double length_km;        /* sum of the segment lengths */
    size_t target;           /* index in the caller's array of the target reached; 0 when
                              * none was */
    int found;               /* 1 when a route was found; 0 after an unreachable target */
    size_t nverts;           /* vertices x[0..nverts), y[0..nverts): start ... target */
    double *x, *y;
    size_t cap;
    long cells_settled;      /* cells whose least cost the search fixed (for benchmarks) */
} dcs_route;

typedef struct {
    double *dist;            /* per window cell: best cost so far */
    uint32_t *prev;          /* per window cell: the cell it was reached from */
    uint32_t *pos;           /* per window cell: heap slot, or not seen / settled */
    uint32_t *heap;          /* binary min-heap of window cells by dist, then index */
    size_t cap;              /* cells the arrays hold */
    size_t nheap;
    uint32_t *tgt;           /* the targets' window cells, sorted */
    size_t tcap;
} dcs_route_work;

/* The cell holding the point (x, y) of the working CRS: 0, or -1 when the
 * point lies outside the grid (or the geotransform is unusable). */
int dcs_route_cell_of(const dcs_route_grid *g, double x, double y, dcs_route_cell *cell);

/* The least-cost route from start to the cheapest of the ntargets targets
 * (on equal costs, the target whose cell comes first row by row; a cell
 * listed twice counts as its first entry).  DCS_OK with out filled;
 * DCS_ERR_DATA for an unusable grid or options, a start or target outside the grid, a
 * blocked start cell, and a target that cannot be reached (out->found is
 * then 0 and the message names the start, the targets and the window,
 * so callers can tell it from the other errors); DCS_ERR_NOMEM. */
dcs_status dcs_route_find(const dcs_route_grid *g, const dcs_route_opts *opts,
                          dcs_route_cell start, const dcs_route_cell *targets,
                          size_t ntargets, dcs_route_work *w, dcs_route *out,
                          dcs_error *err);

void dcs_route_work_free(dcs_route_work *w);
void dcs_route_free(dcs_route *r);

#endif
