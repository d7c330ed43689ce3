/* rings.c - flat rings, convex clipping and pixel coverage. See rings.h. */
#include "geometry/rings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Shares below this fraction of a block's area are taken as none, above
 * 1 minus it as all (floating-point noise of the clipping). */
#define AREA_EPS 1e-12

void dcs_rings_clear(dcs_rings *R)
{
    R->n = 0;
    R->nrings = 0;
}

void dcs_rings_free(dcs_rings *R)
{
    free(R->x);
    free(R->y);
    free(R->start);
    memset(R, 0, sizeof *R);
}

static int reserve_vertices(dcs_rings *R, size_t more)
{
    if (R->n + more <= R->cap)
        return 0;
    size_t cap = R->cap ? R->cap : 64;
    while (cap < R->n + more)
        cap *= 2;
    double *x = realloc(R->x, cap * sizeof *x);
    if (x)
        R->x = x;
    double *y = realloc(R->y, cap * sizeof *y);
    if (y)
        R->y = y;
    if (!x || !y)
        return -1;
    R->cap = cap;
    return 0;
}

/* Close the ring made of the vertices from start[nrings] to n. */
static int commit_ring(dcs_rings *R)
{
    if (R->nrings + 2 > R->rcap) {
        size_t cap = R->rcap ? 2 * R->rcap : 8;
        size_t *s = realloc(R->start, cap * sizeof *s);
        if (!s)
            return -1;
        R->start = s;
        R->rcap = cap;
    }
    R->nrings++;
    R->start[R->nrings] = R->n;
    return 0;
}

/* Start a ring at the current end (start[nrings] = n). */
static int begin_ring(dcs_rings *R)
{
    if (!R->start || R->rcap < 2) {
        size_t *s = realloc(R->start, 8 * sizeof *s);
        if (!s)
            return -1;
        R->start = s;
        R->rcap = 8;
    }
    R->start[R->nrings] = R->n;
    return 0;
}

static double ring_area(const double *x, const double *y, size_t n)
{
    double a = 0, x0 = x[0], y0 = y[0];
    for (size_t i = 1; i + 1 < n; i++)
        a += (x[i] - x0) * (y[i + 1] - y0) - (x[i + 1] - x0) * (y[i] - y0);
    return a / 2;
}

static void reverse(double *v, size_t n)
{
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

/* The vertices from start[nrings] to n form a ring just copied in: drop a
 * repeated closing vertex, orient it, and keep it if it has 3 vertices. */
static int finish_copied_ring(dcs_rings *R, int exterior)
{
    size_t s = R->start[R->nrings], k = R->n - s;
    double *x = R->x + s, *y = R->y + s;
    if (k > 1 && x[0] == x[k - 1] && y[0] == y[k - 1])
        k--;
    R->n = s + k;
    if (k < 3) {
        R->n = s;
        return 0;
    }
    double a = ring_area(x, y, k);
    if ((exterior && a < 0) || (!exterior && a > 0)) {
        reverse(x, k);
        reverse(y, k);
    }
    return commit_ring(R);
}

int dcs_rings_add(dcs_rings *R, const double *x, const double *y, size_t n, int exterior)
{
    if (begin_ring(R) != 0 || reserve_vertices(R, n) != 0)
        return -1;
    memcpy(R->x + R->n, x, n * sizeof *x);
    memcpy(R->y + R->n, y, n * sizeof *y);
    R->n += n;
    return finish_copied_ring(R, exterior);
}

static dcs_status add_ring_geos(dcs_rings *R, GEOSContextHandle_t geos, const GEOSGeometry *ring,
                                int exterior)
{
    const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(geos, ring) : NULL;
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(geos, seq, &n))
        return DCS_ERR_GEOMETRY;
    if (begin_ring(R) != 0 || reserve_vertices(R, n) != 0)
        return DCS_ERR_NOMEM;
    if (n && !GEOSCoordSeq_copyToArrays_r(geos, seq, R->x + R->n, R->y + R->n, NULL, NULL))
        return DCS_ERR_GEOMETRY;
    R->n += n;
    return finish_copied_ring(R, exterior) == 0 ? DCS_OK : DCS_ERR_NOMEM;
}

static dcs_status add_polygon_geos(dcs_rings *R, GEOSContextHandle_t geos, const GEOSGeometry *p)
{
    if (GEOSisEmpty_r(geos, p) == 1)
        return DCS_OK;
    dcs_status st = add_ring_geos(R, geos, GEOSGetExteriorRing_r(geos, p), 1);
    int holes = GEOSGetNumInteriorRings_r(geos, p);
    for (int h = 0; st == DCS_OK && h < holes; h++)
        st = add_ring_geos(R, geos, GEOSGetInteriorRingN_r(geos, p, h), 0);
    return holes < 0 ? DCS_ERR_GEOMETRY : st;
}

dcs_status dcs_rings_add_geos(dcs_rings *R, GEOSContextHandle_t geos, const GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(geos, g);
    if (t == GEOS_POLYGON)
        return add_polygon_geos(R, geos, g);
    if (t != GEOS_MULTIPOLYGON && t != GEOS_GEOMETRYCOLLECTION)
        return t < 0 ? DCS_ERR_GEOMETRY : DCS_OK;
    int n = GEOSGetNumGeometries_r(geos, g);
    dcs_status st = n < 0 ? DCS_ERR_GEOMETRY : DCS_OK;
    for (int i = 0; st == DCS_OK && i < n; i++)
        st = dcs_rings_add_geos(R, geos, GEOSGetGeometryN_r(geos, g, i));
    return st;
}

void dcs_rings_scale(dcs_rings *R, double ox, double oy, double sx, double sy)
{
    for (size_t i = 0; i < R->n; i++) {
        R->x[i] = (R->x[i] - ox) * sx;
        R->y[i] = (R->y[i] - oy) * sy;
    }
    if (sx * sy >= 0)
        return;
    for (size_t r = 0; r < R->nrings; r++) {
        size_t s = R->start[r], k = R->start[r + 1] - s;
        reverse(R->x + s, k);
        reverse(R->y + s, k);
    }
}

double dcs_rings_area(const dcs_rings *R)
{
    double a = 0;
    for (size_t r = 0; r < R->nrings; r++) {
        size_t s = R->start[r];
        a += ring_area(R->x + s, R->y + s, R->start[r + 1] - s);
    }
    return a;
}

int dcs_rings_bbox(const dcs_rings *R, double *x0, double *y0, double *x1, double *y1)
{
    if (R->n == 0)
        return 0;
    *x0 = *x1 = R->x[0];
    *y0 = *y1 = R->y[0];
    for (size_t i = 1; i < R->n; i++) {
        *x0 = fmin(*x0, R->x[i]);
        *x1 = fmax(*x1, R->x[i]);
        *y0 = fmin(*y0, R->y[i]);
        *y1 = fmax(*y1, R->y[i]);
    }
    return 1;
}

int dcs_rings_is_convex(const dcs_rings *R)
{
    if (R->nrings != 1)
        return 0;
    size_t n = R->n;
    for (size_t i = 0; i < n; i++) {
        size_t j = (i + 1) % n, k = (i + 2) % n;
        double ax = R->x[j] - R->x[i], ay = R->y[j] - R->y[i];
        double bx = R->x[k] - R->x[j], by = R->y[k] - R->y[j];
        double cross = ax * by - ay * bx;
        if (cross < -1e-12 * (fabs(ax) + fabs(ay)) * (fabs(bx) + fabs(by)))
            return 0;
    }
    return 1;
}

/* ---- clipping ---------------------------------------------------------------- */

/* Signed distance-like test of a point against a half-plane: inside when
 * >= 0.  Axis half-planes: axis 0 is x, 1 is y; keep_low keeps coord <= v. */
typedef struct {
    int axis, keep_low; /* axis < 0: the general line (ax, ay) -> (bx, by), left side kept */
    double v;
    double ax, ay, bx, by;
} halfplane;

static double side(const halfplane *h, double x, double y)
{
    if (h->axis == 0)
        return h->keep_low ? h->v - x : x - h->v;
    if (h->axis == 1)
        return h->keep_low ? h->v - y : y - h->v;
    return (h->bx - h->ax) * (y - h->ay) - (h->by - h->ay) * (x - h->ax);
}

static int push(dcs_rings *R, double x, double y)
{
    if (reserve_vertices(R, 1) != 0)
        return -1;
    R->x[R->n] = x;
    R->y[R->n] = y;
    R->n++;
    return 0;
}

/* The point where the edge p -> q crosses the half-plane's line, given
 * the sides sp, sq of opposite signs; exact on axis lines. */
static int push_crossing(dcs_rings *R, const halfplane *h, double px, double py, double qx,
                         double qy, double sp, double sq)
{
    double t = sp / (sp - sq);
    double x = px + t * (qx - px), y = py + t * (qy - py);
    if (h->axis == 0)
        x = h->v;
    else if (h->axis == 1)
        y = h->v;
    return push(R, x, y);
}

/* Sutherland-Hodgman: append to out the part of ring r of in on the kept
 * side of h (nothing when fewer than 3 vertices remain). */
static int clip_ring(const dcs_rings *in, size_t r, const halfplane *h, dcs_rings *out)
{
    size_t s = in->start[r], n = in->start[r + 1] - s;
    const double *x = in->x + s, *y = in->y + s;
    if (begin_ring(out) != 0)
        return -1;
    size_t first = out->n;
    double px = x[n - 1], py = y[n - 1], sp = side(h, px, py);
    for (size_t i = 0; i < n; i++) {
        double sq = side(h, x[i], y[i]);
        if ((sq >= 0) != (sp >= 0) && push_crossing(out, h, px, py, x[i], y[i], sp, sq) != 0)
            return -1;
        if (sq >= 0 && push(out, x[i], y[i]) != 0)
            return -1;
        px = x[i], py = y[i], sp = sq;
    }
    if (out->n - first < 3) {
        out->n = first;
        return 0;
    }
    return commit_ring(out);
}

/* clip_ring for a half-plane bounded by an axis line (h->axis 0 or 1),
 * with the same arithmetic: the coordinate compared picked once, room for
 * the ring's worst case (a crossing and a vertex per edge) made once, and
 * the vertices written in place.  The pixel coverage clips every site
 * this way dozens of times (issue 28). */
static int clip_ring_axis(const dcs_rings *in, size_t r, const halfplane *h, dcs_rings *out)
{
    size_t s = in->start[r], n = in->start[r + 1] - s;
    const double *x = in->x + s, *y = in->y + s, *c = h->axis == 0 ? x : y;
    if (begin_ring(out) != 0 || reserve_vertices(out, 2 * n) != 0)
        return -1;
    double *ox = out->x, *oy = out->y, v = h->v;
    size_t first = out->n, k = first;
    double px = x[n - 1], py = y[n - 1], sp = h->keep_low ? v - c[n - 1] : c[n - 1] - v;
    for (size_t i = 0; i < n; i++) {
        double sq = h->keep_low ? v - c[i] : c[i] - v;
        if ((sq >= 0) != (sp >= 0)) {
            double t = sp / (sp - sq);
            ox[k] = h->axis == 0 ? v : px + t * (x[i] - px);
            oy[k] = h->axis == 1 ? v : py + t * (y[i] - py);
            k++;
        }
        if (sq >= 0)
            ox[k] = x[i], oy[k] = y[i], k++;
        px = x[i], py = y[i], sp = sq;
    }
    if (k - first < 3) {
        out->n = first;
        return 0;
    }
    out->n = k;
    return commit_ring(out);
}

static int clip_all(const dcs_rings *in, const halfplane *h, dcs_rings *out)
{
    dcs_rings_clear(out);
    for (size_t r = 0; r < in->nrings; r++)
        if ((h->axis == 0 || h->axis == 1 ? clip_ring_axis(in, r, h, out)
                                          : clip_ring(in, r, h, out)) != 0)
            return -1;
    return 0;
}

/* -1 when every vertex of R is outside h, 1 when every one is inside, 0
 * when h cuts R. */
static int classify(const dcs_rings *R, const halfplane *h)
{
    int in = 0, out = 0;
    for (size_t i = 0; i < R->n && !(in && out); i++) {
        if (side(h, R->x[i], R->y[i]) >= 0)
            in = 1;
        else
            out = 1;
    }
    return in && out ? 0 : in ? 1 : -1;
}

double dcs_rings_clip_area(const dcs_rings *R, const double *wx, const double *wy, size_t wn,
                           dcs_rings scratch[2])
{
    const dcs_rings *cur = R;
    int k = 0;
    for (size_t e = 0; e < wn; e++) {
        size_t f = (e + 1) % wn;
        halfplane h = {.axis = -1, .ax = wx[e], .ay = wy[e], .bx = wx[f], .by = wy[f]};
        int c = classify(cur, &h);
        if (c < 0)
            return 0; /* wholly outside one edge of a convex window */
        if (c > 0)
            continue; /* nothing to cut */
        dcs_rings *out = &scratch[k];
        k = !k;
        if (clip_all(cur, &h, out) != 0)
            return NAN;
        cur = out;
        if (cur->nrings == 0)
            return 0;
    }
    return dcs_rings_area(cur);
}

/* ---- pixel coverage ---------------------------------------------------------- */

#define MAX_DEPTH DCS_COVER_LEVELS

typedef struct {
    dcs_rings *level;
    dcs_cells *out;
} cover_work;

int dcs_cells_add(dcs_cells *c, int col, int row, double f)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        dcs_cell *p = realloc(c->c, cap * sizeof *p);
        if (!p)
            return -1;
        c->c = p;
        c->cap = cap;
    }
    c->c[c->n++] = (dcs_cell){.col = col, .row = row, .f = f};
    return 0;
}

static int emit_block(dcs_cells *c, int c0, int r0, int c1, int r1)
{
    for (int j = r0; j < r1; j++)
        for (int i = c0; i < c1; i++)
            if (dcs_cells_add(c, i, j, 1.0) != 0)
                return -1;
    return 0;
}

/* level[d] holds the polygon clipped to block [c0, c1) x [r0, r1). */
static int cover_block(const cover_work *w, int d, int c0, int r0, int c1, int r1)
{
    double block = (double)(c1 - c0) * (double)(r1 - r0);
    double area = dcs_rings_area(&w->level[d]);
    if (area <= block * AREA_EPS)
        return 0;
    if (c1 - c0 == 1 && r1 - r0 == 1)
        return dcs_cells_add(w->out, c0, r0, fmin(area, 1.0));
    if (area >= block * (1 - AREA_EPS))
        return emit_block(w->out, c0, r0, c1, r1);
    if (d + 1 >= MAX_DEPTH)
        return -1;
    int by_col = c1 - c0 >= r1 - r0;
    int m = by_col ? c0 + (c1 - c0) / 2 : r0 + (r1 - r0) / 2;
    halfplane lo = {.axis = by_col ? 0 : 1, .keep_low = 1, .v = m};
    halfplane hi = {.axis = by_col ? 0 : 1, .keep_low = 0, .v = m};
    if (clip_all(&w->level[d], &lo, &w->level[d + 1]) != 0 ||
        cover_block(w, d + 1, c0, r0, by_col ? m : c1, by_col ? r1 : m) != 0 ||
        clip_all(&w->level[d], &hi, &w->level[d + 1]) != 0)
        return -1;
    return cover_block(w, d + 1, by_col ? m : c0, by_col ? r0 : m, c1, r1);
}

/* R clipped to the window into level[0] (levels 0 and 1 alternate). */
static int clip_to_window(const cover_work *w, const dcs_rings *R, int c0, int r0, int c1, int r1)
{
    const halfplane hp[4] = {{.axis = 0, .keep_low = 0, .v = c0},
                             {.axis = 0, .keep_low = 1, .v = c1},
                             {.axis = 1, .keep_low = 0, .v = r0},
                             {.axis = 1, .keep_low = 1, .v = r1}};
    const dcs_rings *cur = R;
    for (int k = 0; k < 4; k++) {
        dcs_rings *out = &w->level[(k + 1) % 2];
        if (clip_all(cur, &hp[k], out) != 0)
            return -1;
        cur = out;
    }
    return 0; /* k = 3 wrote level[0] */
}

dcs_status dcs_rings_pixel_cover(const dcs_rings *R, int c0, int r0, int c1, int r1,
                                 dcs_cover_work *work, dcs_cells *out)
{
    if (c0 >= c1 || r0 >= r1 || R->nrings == 0)
        return DCS_OK;
    cover_work w = {.level = work->level, .out = out};
    int rc = clip_to_window(&w, R, c0, r0, c1, r1);
    if (rc == 0)
        rc = cover_block(&w, 0, c0, r0, c1, r1);
    return rc == 0 ? DCS_OK : DCS_ERR_NOMEM;
}

void dcs_cover_work_free(dcs_cover_work *work)
{
    for (int d = 0; d < DCS_COVER_LEVELS; d++)
        dcs_rings_free(&work->level[d]);
}

void dcs_cells_clear(dcs_cells *c)
{
    c->n = 0;
}

void dcs_cells_free(dcs_cells *c)
{
    free(c->c);
    memset(c, 0, sizeof *c);
}
