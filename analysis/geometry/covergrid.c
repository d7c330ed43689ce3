/* covergrid.c - a coarse grid over polygons: each cell near a boundary,
 * clear of every polygon, or inside some (the lowest index of those).
 * See covergrid.h. */
#include "geometry/covergrid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BOUNDARY (-1) /* a cell within a cell of a boundary */
#define UNSET (-3)    /* a cell not yet classified while building */

/* The cell index of coordinate v on an axis from v0 with cells of size s,
 * clamped to [0, n - 1] (v finite). */
static int cell_of(double v, double v0, double s, int n)
{
    double k = floor((v - v0) / s);
    return k < 0 ? 0 : k > n - 1 ? n - 1 : (int)k;
}

/* Mark as boundary every cell within one cell of the box of a-b. */
static void mark_box(dcs_cover_grid *g, double ax, double ay, double bx, double by)
{
    int i0 = cell_of(fmin(ax, bx), g->x0, g->size, g->nx) - 1;
    int i1 = cell_of(fmax(ax, bx), g->x0, g->size, g->nx) + 1;
    int j0 = cell_of(fmin(ay, by), g->y0, g->size, g->ny) - 1;
    int j1 = cell_of(fmax(ay, by), g->y0, g->size, g->ny) + 1;
    i0 = i0 < 0 ? 0 : i0, j0 = j0 < 0 ? 0 : j0;
    i1 = i1 >= g->nx ? g->nx - 1 : i1, j1 = j1 >= g->ny ? g->ny - 1 : j1;
    for (int j = j0; j <= j1; j++) {
        int32_t *row = g->cell + (size_t)j * (size_t)g->nx;
        for (int i = i0; i <= i1; i++)
            row[i] = BOUNDARY;
    }
}

/* Mark the cells along a-b, in pieces no longer than a cell (the box of a
 * long diagonal segment would take in cells far from it). */
static void mark_segment(dcs_cover_grid *g, double ax, double ay, double bx, double by)
{
    double pieces = ceil(fmax(fabs(bx - ax), fabs(by - ay)) / g->size);
    long n = pieces > 1 ? (long)fmin(pieces, 1e6) : 1;
    for (long k = 0; k < n; k++) {
        double t0 = (double)k / n, t1 = (double)(k + 1) / n;
        mark_box(g, ax + t0 * (bx - ax), ay + t0 * (by - ay), k + 1 == n ? bx : ax + t1 * (bx - ax),
                 k + 1 == n ? by : ay + t1 * (by - ay));
    }
}

/* Mark the cells along a ring; -1 when GEOS cannot give its coordinates
 * or they are not finite. */
static int mark_ring(GEOSContextHandle_t geos, const GEOSGeometry *ring, dcs_cover_grid *g)
{
    const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(geos, ring) : NULL;
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(geos, seq, &n))
        return -1;
    double px = 0, py = 0;
    for (unsigned k = 0; k < n; k++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(geos, seq, k, &x, &y) || !isfinite(x) || !isfinite(y))
            return -1;
        if (k > 0)
            mark_segment(g, px, py, x, y);
        px = x, py = y;
    }
    return 0;
}

/* Mark the boundary of a polygon or multipolygon; -1 for other kinds. */
static int mark_boundary(GEOSContextHandle_t geos, const GEOSGeometry *a, dcs_cover_grid *g)
{
    int type = GEOSGeomTypeId_r(geos, a);
    if (type == GEOS_MULTIPOLYGON) {
        int n = GEOSGetNumGeometries_r(geos, a);
        for (int k = 0; k < n; k++)
            if (mark_boundary(geos, GEOSGetGeometryN_r(geos, a, k), g) != 0)
                return -1;
        return n >= 0 ? 0 : -1;
    }
    if (type != GEOS_POLYGON || mark_ring(geos, GEOSGetExteriorRing_r(geos, a), g) != 0)
        return -1;
    int holes = GEOSGetNumInteriorRings_r(geos, a);
    for (int k = 0; k < holes; k++)
        if (mark_ring(geos, GEOSGetInteriorRingN_r(geos, a, k), g) != 0)
            return -1;
    return holes >= 0 ? 0 : -1;
}

/* Each run of unclassified cells of each row, by a point test at the
 * centre of its first cell; -1 when a test fails. */
static int classify_runs(dcs_cover_point_fn inside, void *user, dcs_cover_grid *g)
{
    for (int j = 0; j < g->ny; j++) {
        int32_t *row = g->cell + (size_t)j * (size_t)g->nx;
        for (int i = 0; i < g->nx;) {
            if (row[i] != UNSET) {
                i++;
                continue;
            }
            long in = inside(user, g->x0 + (i + 0.5) * g->size, g->y0 + (j + 0.5) * g->size);
            if (in < DCS_COVER_NONE || in > INT32_MAX)
                return -1;
            for (; i < g->nx && row[i] == UNSET; i++)
                row[i] = (int32_t)in;
        }
    }
    return 0;
}

/* The box of the non-empty parts; 0 when there is none. */
static int parts_box(GEOSContextHandle_t geos, GEOSGeometry *const *parts, size_t n,
                     double box[4])
{
    int any = 0;
    for (size_t k = 0; k < n; k++) {
        double x0, y0, x1, y1;
        if (GEOSisEmpty_r(geos, parts[k]) != 0 || !GEOSGeom_getXMin_r(geos, parts[k], &x0) ||
            !GEOSGeom_getYMin_r(geos, parts[k], &y0) || !GEOSGeom_getXMax_r(geos, parts[k], &x1) ||
            !GEOSGeom_getYMax_r(geos, parts[k], &y1))
            continue;
        if (!any)
            box[0] = x0, box[1] = y0, box[2] = x1, box[3] = y1;
        box[0] = fmin(box[0], x0), box[1] = fmin(box[1], y0);
        box[2] = fmax(box[2], x1), box[3] = fmax(box[3], y1);
        any = 1;
    }
    return any;
}

dcs_status dcs_cover_grid_build(GEOSContextHandle_t geos, GEOSGeometry *const *parts, size_t n,
                                dcs_cover_point_fn inside, void *user, int max_side,
                                dcs_cover_grid *g)
{
    memset(g, 0, sizeof *g);
    double b[4];
    if (max_side < 1 || !parts_box(geos, parts, n, b))
        return DCS_OK;
    double size = fmax(b[2] - b[0], b[3] - b[1]) / max_side;
    if (!(size > 0) || !isfinite(size))
        return DCS_OK;
    dcs_cover_grid t = {
        .nx = (int)ceil((b[2] - b[0]) / size) + 2, /* a margin cell on each side */
        .ny = (int)ceil((b[3] - b[1]) / size) + 2,
        .x0 = b[0] - size,
        .y0 = b[1] - size,
        .size = size,
    };
    size_t cells = (size_t)t.nx * (size_t)t.ny;
    if (!(t.cell = malloc(cells * sizeof *t.cell)))
        return DCS_ERR_NOMEM;
    for (size_t k = 0; k < cells; k++)
        t.cell[k] = UNSET;
    for (size_t k = 0; k < n; k++)
        if (GEOSisEmpty_r(geos, parts[k]) == 0 && mark_boundary(geos, parts[k], &t) != 0) {
            free(t.cell);
            return DCS_OK; /* not polygons: GEOS answers every query */
        }
    if (classify_runs(inside, user, &t) != 0) {
        free(t.cell);
        return DCS_ERR_GEOMETRY;
    }
    *g = t;
    return DCS_OK;
}

/* The cells of the box x0..x1, y0..y1 into i0..i1, j0..j1 (1); -1 when
 * the box lies wholly past the grid (it meets no polygon); 0 when it is
 * not finite or not ordered, or reaches past the grid only in part (a
 * geometry there may still meet a polygon inside: GEOS decides). */
static int box_cells(const dcs_cover_grid *g, double x0, double y0, double x1, double y1,
                     int c[4])
{
    if (!(x0 <= x1 && y0 <= y1) || !isfinite(x0) || !isfinite(y0) || !isfinite(x1) ||
        !isfinite(y1))
        return 0;
    double gx1 = g->x0 + g->nx * g->size, gy1 = g->y0 + g->ny * g->size;
    if (x1 < g->x0 || y1 < g->y0 || x0 > gx1 || y0 > gy1)
        return -1;
    if (x0 < g->x0 || y0 < g->y0 || x1 > gx1 || y1 > gy1)
        return 0;
    c[0] = cell_of(x0, g->x0, g->size, g->nx), c[2] = cell_of(x1, g->x0, g->size, g->nx);
    c[1] = cell_of(y0, g->y0, g->size, g->ny), c[3] = cell_of(y1, g->y0, g->size, g->ny);
    return 1;
}

dcs_cover_answer dcs_cover_grid_box(const dcs_cover_grid *g, double x0, double y0, double x1,
                                    double y1)
{
    int c[4];
    int where = g->cell ? box_cells(g, x0, y0, x1, y1, c) : 0;
    if (where <= 0)
        return where < 0 ? DCS_COVER_OUTSIDE : DCS_COVER_UNKNOWN;
    if ((long)(c[2] - c[0] + 1) * (c[3] - c[1] + 1) > DCS_COVER_GRID_MAX_CELLS)
        return DCS_COVER_UNKNOWN;
    int32_t first = g->cell[(size_t)c[1] * (size_t)g->nx + (size_t)c[0]];
    for (int j = c[1]; j <= c[3]; j++)
        for (int i = c[0]; i <= c[2]; i++)
            if (g->cell[(size_t)j * (size_t)g->nx + (size_t)i] != first)
                return DCS_COVER_UNKNOWN;
    return first == BOUNDARY          ? DCS_COVER_UNKNOWN
           : first == DCS_COVER_NONE ? DCS_COVER_OUTSIDE
                                     : DCS_COVER_INSIDE;
}

long dcs_cover_grid_point(const dcs_cover_grid *g, double x, double y)
{
    int c[4];
    int where = g->cell ? box_cells(g, x, y, x, y, c) : 0;
    if (where <= 0)
        return where < 0 ? DCS_COVER_NONE : DCS_COVER_ASK;
    int32_t v = g->cell[(size_t)c[1] * (size_t)g->nx + (size_t)c[0]];
    return v == BOUNDARY ? DCS_COVER_ASK : v;
}

dcs_status dcs_cover_grid_copy(dcs_cover_grid *dst, const dcs_cover_grid *src)
{
    *dst = *src;
    if (!src->cell)
        return DCS_OK;
    size_t n = (size_t)src->nx * (size_t)src->ny;
    if (!(dst->cell = malloc(n * sizeof *dst->cell))) {
        memset(dst, 0, sizeof *dst);
        return DCS_ERR_NOMEM;
    }
    memcpy(dst->cell, src->cell, n * sizeof *dst->cell);
    return DCS_OK;
}

void dcs_cover_grid_free(dcs_cover_grid *g)
{
    free(g->cell);
    memset(g, 0, sizeof *g);
}
