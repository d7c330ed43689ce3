/* nearest.c - nearest-feature search over flat coordinates. See nearest.h. */
#include "geometry/nearest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { PRIM_POINT, PRIM_SEGMENT, PRIM_AREA };
enum { LEAF_SIZE = 8 };

/* ---- building ------------------------------------------------------------ */

typedef struct {
    dcs_nearest *ix;
    size_t cap;          /* primitives allocated */
    double *tx, *ty;     /* a line's coordinates */
    size_t tcap;
    size_t ncap;         /* nodes allocated */
    uint32_t nlines;     /* line strings and rings added so far */
} builder;

static int reserve_prims(builder *b)
{
    dcs_nearest *ix = b->ix;
    if (ix->nprim < b->cap)
        return 0;
    if (b->cap >= UINT32_MAX / 2)
        return -1;
    size_t c = b->cap ? b->cap * 2 : 64;
    unsigned char *k = realloc(ix->kind, c);
    if (k)
        ix->kind = k;
    uint32_t **u[3] = {&ix->item, &ix->seq, &ix->line};
    int ok = k != NULL;
    for (int j = 0; j < 3; j++) {
        uint32_t *grown = realloc(*u[j], c * sizeof *grown);
        if (grown)
            *u[j] = grown;
        ok = ok && grown;
    }
    double **v[4] = {&ix->ax, &ix->ay, &ix->bx, &ix->by};
    for (int j = 0; j < 4; j++) {
        double *grown = realloc(*v[j], c * sizeof *grown);
        if (grown)
            *v[j] = grown;
        ok = ok && grown;
    }
    if (!ok)
        return -1;
    b->cap = c;
    return 0;
}

static int add_prim(builder *b, int kind, size_t item, double ax, double ay, double bx,
                    double by)
{
    if (reserve_prims(b) != 0)
        return -1;
    dcs_nearest *ix = b->ix;
    size_t k = ix->nprim++;
    ix->kind[k] = (unsigned char)kind;
    ix->item[k] = (uint32_t)item;
    ix->seq[k] = (uint32_t)k;
    ix->line[k] = b->nlines;
    ix->ax[k] = ax, ix->ay[k] = ay, ix->bx[k] = bx, ix->by[k] = by;
    return 0;
}

/* The segments of a line string or ring (a lone vertex as a point). */
static dcs_status add_line(builder *b, GEOSContextHandle_t geos, const GEOSGeometry *line,
                           size_t item)
{
    const GEOSCoordSequence *seq = line ? GEOSGeom_getCoordSeq_r(geos, line) : NULL;
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(geos, seq, &n))
        return DCS_ERR_GEOMETRY;
    if (n > b->tcap) {
        double *x = realloc(b->tx, n * sizeof *x);
        if (x)
            b->tx = x;
        double *y = realloc(b->ty, n * sizeof *y);
        if (y)
            b->ty = y;
        if (!x || !y)
            return DCS_ERR_NOMEM;
        b->tcap = n;
    }
    if (n && !GEOSCoordSeq_copyToArrays_r(geos, seq, b->tx, b->ty, NULL, NULL))
        return DCS_ERR_GEOMETRY;
    const double *x = b->tx, *y = b->ty;
    b->nlines++;
    if (n == 1 && add_prim(b, PRIM_POINT, item, x[0], y[0], x[0], y[0]) != 0)
        return DCS_ERR_NOMEM;
    for (unsigned i = 0; i + 1 < n; i++)
        if (add_prim(b, PRIM_SEGMENT, item, x[i], y[i], x[i + 1], y[i + 1]) != 0)
            return DCS_ERR_NOMEM;
    return DCS_OK;
}

static dcs_status add_polygon(builder *b, GEOSContextHandle_t geos, const GEOSGeometry *p,
                              size_t item)
{
    dcs_status st = add_line(b, geos, GEOSGetExteriorRing_r(geos, p), item);
    int holes = GEOSGetNumInteriorRings_r(geos, p);
    for (int h = 0; st == DCS_OK && h < holes; h++)
        st = add_line(b, geos, GEOSGetInteriorRingN_r(geos, p, h), item);
    return st;
}

/* The primitives of g for feature item; *polygonal when g has a polygon. */
static dcs_status add_geometry(builder *b, GEOSContextHandle_t geos, const GEOSGeometry *g,
                               size_t item, int *polygonal)
{
    if (GEOSisEmpty_r(geos, g) != 0)
        return DCS_OK;
    double x, y;
    switch (GEOSGeomTypeId_r(geos, g)) {
    case GEOS_POINT:
        if (!GEOSGeomGetX_r(geos, g, &x) || !GEOSGeomGetY_r(geos, g, &y))
            return DCS_ERR_GEOMETRY;
        return add_prim(b, PRIM_POINT, item, x, y, x, y) == 0 ? DCS_OK : DCS_ERR_NOMEM;
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        return add_line(b, geos, g, item);
    case GEOS_POLYGON:
        *polygonal = 1;
        return add_polygon(b, geos, g, item);
    default: {
        int n = GEOSGetNumGeometries_r(geos, g);
        dcs_status st = DCS_OK;
        for (int i = 0; st == DCS_OK && i < n; i++)
            st = add_geometry(b, geos, GEOSGetGeometryN_r(geos, g, i), item, polygonal);
        return st;
    }
    }
}

/* The area primitive of a polygon feature: its box, and its rings for the
 * point-in-polygon test. */
static dcs_status add_area(builder *b, GEOSContextHandle_t geos, const GEOSGeometry *g,
                           size_t item)
{
    dcs_rings *R = &b->ix->rings[item];
    dcs_status st = dcs_rings_add_geos(R, geos, g);
    double x0, y0, x1, y1;
    if (st != DCS_OK || !dcs_rings_bbox(R, &x0, &y0, &x1, &y1))
        return st;
    return add_prim(b, PRIM_AREA, item, x0, y0, x1, y1) == 0 ? DCS_OK : DCS_ERR_NOMEM;
}

static double box_lo(const double *a, const double *b, size_t k)
{
    return a[k] < b[k] ? a[k] : b[k];
}

static double box_hi(const double *a, const double *b, size_t k)
{
    return a[k] > b[k] ? a[k] : b[k];
}

/* Move the primitive with the nth smallest key among perm[lo, hi) to
 * position nth, smaller keys before it and larger after (quickselect). */
static void select_nth(uint32_t *perm, long lo, long hi, long nth, const double *key)
{
    hi--;
    while (lo < hi) {
        double pivot = key[perm[lo + (hi - lo) / 2]];
        long i = lo, j = hi;
        while (i <= j) {
            while (key[perm[i]] < pivot)
                i++;
            while (key[perm[j]] > pivot)
                j--;
            if (i <= j) {
                uint32_t t = perm[i];
                perm[i++] = perm[j];
                perm[j--] = t;
            }
        }
        if (nth <= j)
            hi = j;
        else if (nth >= i)
            lo = i;
        else
            return;
    }
}

static long push_node(builder *b)
{
    dcs_nearest *ix = b->ix;
    if (ix->nnodes == b->ncap) {
        size_t c = b->ncap ? b->ncap * 2 : 64;
        dcs_near_node *n = realloc(ix->node, c * sizeof *n);
        if (!n)
            return -1;
        ix->node = n;
        b->ncap = c;
    }
    memset(&ix->node[ix->nnodes], 0, sizeof *ix->node);
    return (long)ix->nnodes++;
}

/* The subtree over perm[lo, hi): its node index, or -1 when out of memory.
 * cx, cy: the primitives' box centres. */
static long build_node(builder *b, uint32_t *perm, uint32_t lo, uint32_t hi, const double *cx,
                       const double *cy)
{
    long k = push_node(b);
    if (k < 0)
        return -1;
    const dcs_nearest *ix = b->ix;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    double c0 = INFINITY, c1 = -INFINITY, d0 = INFINITY, d1 = -INFINITY;
    for (uint32_t i = lo; i < hi; i++) {
        size_t p = perm[i];
        x0 = fmin(x0, box_lo(ix->ax, ix->bx, p)), x1 = fmax(x1, box_hi(ix->ax, ix->bx, p));
        y0 = fmin(y0, box_lo(ix->ay, ix->by, p)), y1 = fmax(y1, box_hi(ix->ay, ix->by, p));
        c0 = fmin(c0, cx[p]), c1 = fmax(c1, cx[p]);
        d0 = fmin(d0, cy[p]), d1 = fmax(d1, cy[p]);
    }
    dcs_near_node nd = {
        .x0 = x0, .y0 = y0, .x1 = x1, .y1 = y1, .lo = lo, .hi = hi, .left = 0, .right = 0,
    };
    if (hi - lo > LEAF_SIZE) {
        uint32_t mid = lo + (hi - lo) / 2;
        select_nth(perm, lo, hi, mid, c1 - c0 >= d1 - d0 ? cx : cy);
        long l = build_node(b, perm, lo, mid, cx, cy);
        long r = l < 0 ? -1 : build_node(b, perm, mid, hi, cx, cy);
        if (r < 0)
            return -1;
        nd.left = (uint32_t)l, nd.right = (uint32_t)r;
    }
    b->ix->node[k] = nd;
    return k;
}

/* Reorder the primitive arrays to perm (leaves then hold ranges). */
static int permute(dcs_nearest *ix, const uint32_t *perm)
{
    size_t n = ix->nprim;
    if (n == 0)
        return 0;
    double *tmp = malloc(n * sizeof *tmp);
    uint32_t *utmp = malloc(n * sizeof *utmp);
    unsigned char *kinds = malloc(n);
    if (!tmp || !utmp || !kinds) {
        free(tmp), free(utmp), free(kinds);
        return -1;
    }
    double *v[4] = {ix->ax, ix->ay, ix->bx, ix->by};
    for (int j = 0; j < 4; j++) {
        for (size_t i = 0; i < n; i++)
            tmp[i] = v[j][perm[i]];
        memcpy(v[j], tmp, n * sizeof *tmp);
    }
    uint32_t *u[3] = {ix->item, ix->seq, ix->line};
    for (int j = 0; j < 3; j++) {
        for (size_t i = 0; i < n; i++)
            utmp[i] = u[j][perm[i]];
        memcpy(u[j], utmp, n * sizeof *utmp);
    }
    for (size_t i = 0; i < n; i++)
        kinds[i] = ix->kind[perm[i]];
    free(ix->kind), free(tmp), free(utmp);
    ix->kind = kinds;
    return 0;
}

static int build_tree(builder *b)
{
    dcs_nearest *ix = b->ix;
    size_t n = ix->nprim;
    uint32_t *perm = malloc((n ? n : 1) * sizeof *perm);
    double *cx = malloc((n ? n : 1) * sizeof *cx), *cy = malloc((n ? n : 1) * sizeof *cy);
    int ok = perm && cx && cy;
    double scale = 1;
    for (size_t i = 0; ok && i < n; i++) {
        perm[i] = (uint32_t)i;
        cx[i] = (ix->ax[i] + ix->bx[i]) / 2, cy[i] = (ix->ay[i] + ix->by[i]) / 2;
        scale = fmax(scale, fmax(fmax(fabs(ix->ax[i]), fabs(ix->bx[i])),
                                 fmax(fabs(ix->ay[i]), fabs(ix->by[i]))));
    }
    ix->tol = 1e-9 * scale;
    ok = ok && (n == 0 || build_node(b, perm, 0, (uint32_t)n, cx, cy) == 0);
    ok = ok && permute(ix, perm) == 0;
    free(perm), free(cx), free(cy);
    return ok ? 0 : -1;
}

dcs_status dcs_nearest_build(GEOSContextHandle_t geos, GEOSGeometry *const *geoms, size_t n,
                             dcs_nearest **out, dcs_error *err)
{
    builder b = {0};
    dcs_status st = DCS_OK;
    *out = NULL;
    if (n >= UINT32_MAX || !(b.ix = calloc(1, sizeof *b.ix)) ||
        !(b.ix->rings = calloc(n ? n : 1, sizeof *b.ix->rings)))
        st = DCS_ERR_NOMEM;
    if (st == DCS_OK) {
        b.ix->nitems = n;
        b.ix->ptx = malloc((n ? n : 1) * sizeof *b.ix->ptx);
        b.ix->pty = malloc((n ? n : 1) * sizeof *b.ix->pty);
        if (!b.ix->ptx || !b.ix->pty)
            st = DCS_ERR_NOMEM;
    }
    for (size_t i = 0; st == DCS_OK && i < n; i++) {
        int polygonal = 0;
        b.ix->ptx[i] = b.ix->pty[i] = NAN;
        if (GEOSGeomTypeId_r(geos, geoms[i]) == GEOS_POINT && GEOSisEmpty_r(geos, geoms[i]) == 0 &&
            (!GEOSGeomGetX_r(geos, geoms[i], &b.ix->ptx[i]) ||
             !GEOSGeomGetY_r(geos, geoms[i], &b.ix->pty[i])))
            st = DCS_ERR_GEOMETRY;
        if (st == DCS_OK)
            st = add_geometry(&b, geos, geoms[i], i, &polygonal);
        if (st == DCS_OK && polygonal)
            st = add_area(&b, geos, geoms[i], i);
    }
    if (st == DCS_OK && build_tree(&b) != 0)
        st = DCS_ERR_NOMEM;
    free(b.tx), free(b.ty);
    if (st != DCS_OK) {
        dcs_nearest_free(b.ix);
        return dcs_error_set(err, st, "%s", st == DCS_ERR_NOMEM
                                                ? "out of memory indexing a layer for "
                                                  "nearest-feature searches"
                                                : "GEOS cannot give a feature's coordinates");
    }
    *out = b.ix;
    return DCS_OK;
}

void dcs_nearest_free(dcs_nearest *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; ix->rings && i < ix->nitems; i++)
        dcs_rings_free(&ix->rings[i]);
    free(ix->rings);
    free(ix->ptx), free(ix->pty);
    free(ix->kind), free(ix->item), free(ix->seq), free(ix->line);
    free(ix->ax), free(ix->ay), free(ix->bx), free(ix->by);
    free(ix->node);
    free(ix);
}

/* ---- sites --------------------------------------------------------------- */

/* Room for `more` vertices and `rings` rings more (and the end mark). */
static int site_reserve(dcs_near_site *s, size_t more, size_t rings)
{
    if (s->n + more > s->cap) {
        size_t c = s->cap ? s->cap : 32;
        while (c < s->n + more)
            c *= 2;
        double *x = realloc(s->x, c * sizeof *x);
        if (x)
            s->x = x;
        double *y = realloc(s->y, c * sizeof *y);
        if (y)
            s->y = y;
        if (!x || !y)
            return -1;
        s->cap = c;
    }
    if (s->nrings + rings + 1 > s->rcap) {
        size_t c = s->rcap ? s->rcap : 8;
        while (c < s->nrings + rings + 1)
            c *= 2;
        size_t *st = realloc(s->start, c * sizeof *st);
        if (!st)
            return -1;
        s->start = st;
        s->rcap = c;
    }
    return 0;
}

dcs_status dcs_near_site_copy(dcs_near_site *dst, const dcs_near_site *src)
{
    dst->n = dst->nrings = dst->nseg = 0;
    if (site_reserve(dst, src->n, src->nrings) != 0)
        return DCS_ERR_NOMEM;
    if (src->n) { /* a point site has no vertices and may have no arrays */
        memcpy(dst->x, src->x, src->n * sizeof *dst->x);
        memcpy(dst->y, src->y, src->n * sizeof *dst->y);
    }
    if (src->nrings)
        memcpy(dst->start, src->start, (src->nrings + 1) * sizeof *dst->start);
    dst->n = src->n;
    dst->nrings = src->nrings;
    dst->usable = src->usable;
    dst->is_point = src->is_point;
    dst->px = src->px, dst->py = src->py;
    dst->x0 = src->x0, dst->y0 = src->y0, dst->x1 = src->x1, dst->y1 = src->y1;
    return DCS_OK;
}

/* Append a ring's coordinates as GEOS holds them. */
static dcs_status site_add_ring(dcs_near_site *s, GEOSContextHandle_t geos,
                                const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(geos, ring) : NULL;
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(geos, seq, &n))
        return DCS_ERR_GEOMETRY;
    if (site_reserve(s, n, 1) != 0)
        return DCS_ERR_NOMEM;
    if (n && !GEOSCoordSeq_copyToArrays_r(geos, seq, s->x + s->n, s->y + s->n, NULL, NULL))
        return DCS_ERR_GEOMETRY;
    s->start[s->nrings] = s->n;
    s->n += n;
    s->start[++s->nrings] = s->n;
    return DCS_OK;
}

static dcs_status site_add_polygon(dcs_near_site *s, GEOSContextHandle_t geos,
                                   const GEOSGeometry *p)
{
    if (GEOSisEmpty_r(geos, p) != 0)
        return DCS_OK;
    dcs_status st = site_add_ring(s, geos, GEOSGetExteriorRing_r(geos, p));
    int holes = GEOSGetNumInteriorRings_r(geos, p);
    for (int h = 0; st == DCS_OK && h < holes; h++)
        st = site_add_ring(s, geos, GEOSGetInteriorRingN_r(geos, p, h));
    return st;
}

dcs_status dcs_near_site_set(dcs_near_site *s, GEOSContextHandle_t geos, const GEOSGeometry *g)
{
    s->usable = 0;
    s->n = s->nrings = 0;
    if (GEOSisEmpty_r(geos, g) != 0)
        return DCS_OK;
    int t = GEOSGeomTypeId_r(geos, g);
    if (t == GEOS_POINT) {
        s->is_point = 1;
        s->usable = GEOSGeomGetX_r(geos, g, &s->px) && GEOSGeomGetY_r(geos, g, &s->py);
        s->x0 = s->x1 = s->px;
        s->y0 = s->y1 = s->py;
        return DCS_OK;
    }
    if (t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON)
        return DCS_OK;
    s->is_point = 0;
    dcs_status st = DCS_OK;
    if (t == GEOS_POLYGON) {
        st = site_add_polygon(s, geos, g);
    } else {
        int n = GEOSGetNumGeometries_r(geos, g);
        for (int i = 0; st == DCS_OK && i < n; i++)
            st = site_add_polygon(s, geos, GEOSGetGeometryN_r(geos, g, i));
    }
    if (st == DCS_ERR_NOMEM)
        return st;
    s->x0 = s->y0 = INFINITY;
    s->x1 = s->y1 = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        s->x0 = s->x[i] < s->x0 ? s->x[i] : s->x0, s->x1 = s->x[i] > s->x1 ? s->x[i] : s->x1;
        s->y0 = s->y[i] < s->y0 ? s->y[i] : s->y0, s->y1 = s->y[i] > s->y1 ? s->y[i] : s->y1;
    }
    s->usable = st == DCS_OK && s->n > 0;
    return DCS_OK;
}

void dcs_near_site_free(dcs_near_site *s)
{
    free(s->seg);
    free(s->x), free(s->y), free(s->start);
    memset(s, 0, sizeof *s);
}

/* ---- planar distances ---------------------------------------------------- */

/* min and max without fmin's NaN rules (a library call at -O2). */
static inline double lesser(double a, double b)
{
    return b < a ? b : a;
}

static inline double greater(double a, double b)
{
    return b > a ? b : a;
}

/* Squared distances are compared and the root taken once: sqrt is
 * correctly rounded, hence monotonic, so the root of the least square is
 * the least of the roots, to the bit. */
static double point_segment2(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return ex * ex + ey * ey;
}

static double point_segment(double px, double py, double ax, double ay, double bx, double by)
{
    return sqrt(point_segment2(px, py, ax, ay, bx, by));
}

static double orient(double ax, double ay, double bx, double by, double cx, double cy)
{
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/* Squared distance between segments a-b and c-d: 0 when they cross, else
 * the least squared distance from an end point to the other segment. */
static double segment_segment2(double ax, double ay, double bx, double by, double cx, double cy,
                               double dx, double dy)
{
    double o1 = orient(ax, ay, bx, by, cx, cy), o2 = orient(ax, ay, bx, by, dx, dy);
    double o3 = orient(cx, cy, dx, dy, ax, ay), o4 = orient(cx, cy, dx, dy, bx, by);
    if (((o1 < 0 && o2 > 0) || (o1 > 0 && o2 < 0)) && ((o3 < 0 && o4 > 0) || (o3 > 0 && o4 < 0)))
        return 0;
    double d = lesser(point_segment2(ax, ay, cx, cy, dx, dy),
                      point_segment2(bx, by, cx, cy, dx, dy));
    return lesser(d, lesser(point_segment2(cx, cy, ax, ay, bx, by),
                            point_segment2(dx, dy, ax, ay, bx, by)));
}

/* 1 when (px, py) is inside the rings (even-odd rule; a ring may repeat
 * its first vertex at the end or not). */
static int inside_rings(const double *x, const double *y, const size_t *start, size_t nrings,
                        double px, double py)
{
    int in = 0;
    for (size_t r = 0; r < nrings; r++) {
        size_t s = start[r], e = start[r + 1];
        for (size_t i = s, j = e - 1; i < e; j = i++)
            if ((y[i] > py) != (y[j] > py) &&
                px < (x[j] - x[i]) * (py - y[i]) / (y[j] - y[i]) + x[i])
                in = !in;
    }
    return in;
}

static int inside_site(const dcs_near_site *s, double px, double py)
{
    return inside_rings(s->x, s->y, s->start, s->nrings, px, py);
}

/* Least distance from the polygon site's edges to segment a-b (a-a for a
 * point). */
static double site_edges_distance(const dcs_near_site *s, double ax, double ay, double bx,
                                  double by, int point)
{
    double best = INFINITY;
    for (size_t r = 0; r < s->nrings; r++) {
        for (size_t i = s->start[r]; i + 1 < s->start[r + 1]; i++) {
            double d = point ? point_segment2(ax, ay, s->x[i], s->y[i], s->x[i + 1], s->y[i + 1])
                             : segment_segment2(ax, ay, bx, by, s->x[i], s->y[i], s->x[i + 1],
                                                s->y[i + 1]);
            best = lesser(best, d);
        }
    }
    return sqrt(best);
}

/* 0 when a vertex of the site (the first of each ring, or the point) lies
 * inside polygon feature R with box x0..x1, y0..y1; infinite otherwise. */
static double area_distance(const dcs_rings *R, const dcs_near_site *s, double x0, double y0,
                            double x1, double y1)
{
    size_t n = s->is_point ? 1 : s->nrings;
    for (size_t r = 0; r < n; r++) {
        double x = s->is_point ? s->px : s->x[s->start[r]];
        double y = s->is_point ? s->py : s->y[s->start[r]];
        if (x >= x0 && x <= x1 && y >= y0 && y <= y1 &&
            inside_rings(R->x, R->y, R->start, R->nrings, x, y))
            return 0;
    }
    return INFINITY;
}

static double prim_distance(const dcs_nearest *ix, size_t k, const dcs_near_site *s)
{
    double ax = ix->ax[k], ay = ix->ay[k], bx = ix->bx[k], by = ix->by[k];
    switch (ix->kind[k]) {
    case PRIM_POINT:
        if (s->is_point)
            return sqrt((ax - s->px) * (ax - s->px) + (ay - s->py) * (ay - s->py));
        return inside_site(s, ax, ay) ? 0 : site_edges_distance(s, ax, ay, ax, ay, 1);
    case PRIM_SEGMENT:
        if (s->is_point)
            return point_segment(s->px, s->py, ax, ay, bx, by);
        return inside_site(s, ax, ay) ? 0 : site_edges_distance(s, ax, ay, bx, by, 0);
    default:
        return area_distance(&ix->rings[ix->item[k]], s, ax, ay, bx, by);
    }
}

/* ---- search -------------------------------------------------------------- */

typedef struct {
    uint32_t item, prim;
    double d;
} near_cand;

typedef struct {
    const dcs_nearest *ix;
    const dcs_near_site *s;
    double best, tol;
    near_cand *c, local[32];
    size_t n, cap;
    int nomem;
} search_state;

/* The square of the distance from the site's box to node nd's box (the
 * search compares squares: no square root per node). */
static double node_distance2(const dcs_near_node *nd, const dcs_near_site *s)
{
    double dx = greater(0, greater(nd->x0 - s->x1, s->x0 - nd->x1));
    double dy = greater(0, greater(nd->y0 - s->y1, s->y0 - nd->y1));
    return dx * dx + dy * dy;
}

/* The square of the distance from the site's box to primitive p's box:
 * no more than the square of the distance from the site to the primitive. */
static double prim_box_distance2(const dcs_nearest *ix, size_t p, const dcs_near_site *s)
{
    double x0 = lesser(ix->ax[p], ix->bx[p]), x1 = greater(ix->ax[p], ix->bx[p]);
    double y0 = lesser(ix->ay[p], ix->by[p]), y1 = greater(ix->ay[p], ix->by[p]);
    double dx = greater(0, greater(x0 - s->x1, s->x0 - x1));
    double dy = greater(0, greater(y0 - s->y1, s->y0 - y1));
    return dx * dx + dy * dy;
}

/* Keep only the candidates within tolerance of the best so far. */
static void compact(search_state *S)
{
    size_t k = 0;
    for (size_t i = 0; i < S->n; i++)
        if (S->c[i].d <= S->best + S->tol)
            S->c[k++] = S->c[i];
    S->n = k;
}

static void add_candidate(search_state *S, uint32_t item, uint32_t prim, double d)
{
    if (d < S->best)
        S->best = d;
    if (!(d <= S->best + S->tol))
        return;
    if (S->n == S->cap)
        compact(S);
    if (S->n == S->cap) {
        size_t c = S->cap * 2;
        near_cand *grown = S->c == S->local ? malloc(c * sizeof *grown)
                                            : realloc(S->c, c * sizeof *grown);
        if (!grown) {
            S->nomem = 1;
            return;
        }
        if (S->c == S->local)
            memcpy(grown, S->local, S->n * sizeof *grown);
        S->c = grown;
        S->cap = c;
    }
    S->c[S->n++] = (near_cand){.item = item, .prim = prim, .d = d};
}

/* The square of the farthest a box may be and still hold a candidate
 * (best + tol), a little over, so that no box the unsquared comparison
 * keeps is dropped by rounding (a box kept needlessly only costs time). */
static double reach2(const search_state *S)
{
    double r = S->best + S->tol;
    return r * r * (1 + 1e-12);
}

static void search(search_state *S, uint32_t k)
{
    const dcs_near_node *nd = &S->ix->node[k];
    if (node_distance2(nd, S->s) > reach2(S))
        return;
    if (nd->left == 0) {
        for (uint32_t p = nd->lo; p < nd->hi; p++)
            if (prim_box_distance2(S->ix, p, S->s) <= reach2(S))
                add_candidate(S, S->ix->item[p], p, prim_distance(S->ix, p, S->s));
        return;
    }
    double dl = node_distance2(&S->ix->node[nd->left], S->s);
    double dr = node_distance2(&S->ix->node[nd->right], S->s);
    uint32_t first = dl <= dr ? nd->left : nd->right, second = dl <= dr ? nd->right : nd->left;
    search(S, first);
    search(S, second);
}

static int by_item(const void *a, const void *b)
{
    const near_cand *x = a, *y = b;
    return (x->item > y->item) - (x->item < y->item);
}

/* GEOS's own distance formulas (below, with the nearest points). */
static double planar(double ax, double ay, double bx, double by);
static double edge_distance(double px, double py, double ax, double ay, double bx, double by);
static double apart_distance(double ax, double ay, double bx, double by, double cx, double cy,
                             double dx, double dy);

/* GEOSDistance_r(site, feature) from the feature's candidate segments
 * and points [i, end) of S->c, when the least distance is beyond the
 * tolerance: GEOS takes the least distance over every pair of a site edge
 * and a feature segment (Distance::segmentToSegment) or point
 * (pointToSegment), after finding no feature point inside the site (there
 * is none: its distance would be 0).  The feature's other primitives are
 * farther than the tolerance from the least distance, far beyond any
 * rounding, so they cannot give GEOS's least; the formulas are GEOS's, so
 * the value is GEOS's to the bit. */
static double candidates_distance(const search_state *S, size_t i, size_t end)
{
    const dcs_nearest *ix = S->ix;
    const dcs_near_site *s = S->s;
    double best = INFINITY;
    for (size_t k = i; k < end; k++) {
        uint32_t p = S->c[k].prim;
        double ax = ix->ax[p], ay = ix->ay[p], bx = ix->bx[p], by = ix->by[p];
        int point = ix->kind[p] == PRIM_POINT;
        if (s->is_point) {
            double d = point ? planar(s->px, s->py, ax, ay)
                             : edge_distance(s->px, s->py, ax, ay, bx, by);
            best = lesser(best, d);
            continue;
        }
        for (size_t r = 0; r < s->nrings; r++)
            for (size_t e = s->start[r]; e + 1 < s->start[r + 1]; e++) {
                double d = point ? edge_distance(ax, ay, s->x[e], s->y[e], s->x[e + 1], s->y[e + 1])
                                 : apart_distance(s->x[e], s->y[e], s->x[e + 1], s->y[e + 1], ax,
                                                  ay, bx, by);
                best = lesser(best, d);
            }
    }
    return best;
}

/* decide() without GEOS when every candidate is a segment or a point and
 * the least distance is beyond the tolerance (candidates_distance); 0
 * when it cannot (then GEOS decides).  Candidates sorted by item. */
static int decide_planar(const search_state *S, size_t *which)
{
    if (!(S->best > S->tol))
        return 0;
    for (size_t i = 0; i < S->n; i++)
        if (S->ix->kind[S->c[i].prim] != PRIM_SEGMENT && S->ix->kind[S->c[i].prim] != PRIM_POINT)
            return 0;
    double best = INFINITY;
    for (size_t i = 0, end; i < S->n; i = end) {
        for (end = i + 1; end < S->n && S->c[end].item == S->c[i].item;)
            end++;
        double d = candidates_distance(S, i, end);
        if (d < best || *which == SIZE_MAX) {
            best = d;
            *which = S->c[i].item;
        }
    }
    return 1;
}

/* Among the distinct candidate items (sorted), the one GEOS finds nearest. */
static dcs_status decide(const search_state *S, GEOSContextHandle_t geos,
                         GEOSGeometry *const *geoms, const GEOSGeometry *site, size_t *which)
{
    double best = INFINITY;
    for (size_t i = 0; i < S->n; i++) {
        double d;
        if (i > 0 && S->c[i].item == S->c[i - 1].item)
            continue;
        if (!GEOSDistance_r(geos, site, geoms[S->c[i].item], &d))
            return DCS_ERR_GEOMETRY;
        if (d < best || *which == SIZE_MAX) {
            best = d;
            *which = S->c[i].item;
        }
    }
    return DCS_OK;
}

/* Record in the site the primitives of feature item left within
 * tolerance of the least distance, in the order they were added, when
 * they are all segments and farther than the tolerance from the site;
 * else none.  item is the feature found nearest: its other segments, and
 * every other feature's, are farther than the tolerance from the least
 * distance, so these hold GEOS's nearest pair (dcs_nearest_segment_pair). */
static dcs_status keep_segments(const search_state *S, size_t item, dcs_near_site *site)
{
    const dcs_nearest *ix = S->ix;
    site->nseg = 0;
    if (!(S->best > S->tol))
        return DCS_OK;
    size_t n = 0;
    for (size_t i = 0; i < S->n; i++) {
        if (S->c[i].item != item)
            continue;
        if (ix->kind[S->c[i].prim] != PRIM_SEGMENT)
            return DCS_OK;
        n++;
    }
    if (n > site->segcap) {
        uint32_t *grown = realloc(site->seg, n * sizeof *grown);
        if (!grown)
            return DCS_ERR_NOMEM;
        site->seg = grown, site->segcap = n;
    }
    size_t kept = 0;
    for (size_t i = 0; i < S->n; i++) { /* insertion sort: a handful at most */
        if (S->c[i].item != item)
            continue;
        uint32_t p = S->c[i].prim;
        size_t k = kept++;
        for (; k > 0 && ix->seq[site->seg[k - 1]] > ix->seq[p]; k--)
            site->seg[k] = site->seg[k - 1];
        site->seg[k] = p;
    }
    site->nseg = n;
    return DCS_OK;
}

/* The candidate at the least distance, as the next search's hint. */
static void remember_nearest(const search_state *S, dcs_near_site *site)
{
    size_t k = 0;
    for (size_t i = 1; i < S->n; i++)
        if (S->c[i].d < S->c[k].d)
            k = i;
    site->hint_ix = S->ix;
    site->hint_prim = S->c[k].prim;
}

dcs_status dcs_nearest_find(const dcs_nearest *ix, GEOSContextHandle_t geos,
                            GEOSGeometry *const *geoms, const GEOSGeometry *site_geom,
                            dcs_near_site *site, size_t *which)
{
    *which = SIZE_MAX;
    site->nseg = 0;
    if (ix->nprim == 0)
        return DCS_OK;
    double scale = greater(greater(fabs(site->x0), fabs(site->x1)),
                           greater(fabs(site->y0), fabs(site->y1)));
    search_state S = {.ix = ix, .s = site, .best = INFINITY, .tol = greater(ix->tol, 1e-9 * scale),
                      .cap = 32};
    S.c = S.local;
    /* The last nearest primitive's distance bounds the answer from above:
     * the search then prunes more from the start, and finds the same
     * candidates within the tolerance of the least distance. */
    double hint = site->hint_ix == ix && site->hint_prim < ix->nprim
                      ? prim_distance(ix, site->hint_prim, site)
                      : INFINITY;
    if (hint >= 0 && hint < INFINITY)
        S.best = hint;
    search(&S, 0);
    dcs_status st = S.nomem ? DCS_ERR_NOMEM : DCS_OK;
    if (st == DCS_OK && isfinite(S.best) && S.n > 0) {
        compact(&S);
        remember_nearest(&S, site);
        qsort(S.c, S.n, sizeof *S.c, by_item);
        if (S.n > 0 && S.c[0].item == S.c[S.n - 1].item)
            *which = S.c[0].item;
        else if (!decide_planar(&S, which))
            st = decide(&S, geos, geoms, site_geom, which);
        if (st == DCS_OK && *which != SIZE_MAX)
            st = keep_segments(&S, *which, site);
    }
    if (S.c != S.local)
        free(S.c);
    return st;
}

/* ---- box query ------------------------------------------------------------ */

static int boxes_meet(double ax0, double ay0, double ax1, double ay1, double bx0, double by0,
                      double bx1, double by1)
{
    return ax0 <= bx1 && bx0 <= ax1 && ay0 <= by1 && by0 <= ay1;
}

static void box_query(const dcs_nearest *ix, uint32_t k, const double q[4],
                      void (*fn)(size_t item, void *user), void *user)
{
    const dcs_near_node *nd = &ix->node[k];
    if (!boxes_meet(nd->x0, nd->y0, nd->x1, nd->y1, q[0], q[1], q[2], q[3]))
        return;
    if (nd->left == 0) {
        for (uint32_t p = nd->lo; p < nd->hi; p++)
            if (boxes_meet(lesser(ix->ax[p], ix->bx[p]), lesser(ix->ay[p], ix->by[p]),
                           greater(ix->ax[p], ix->bx[p]), greater(ix->ay[p], ix->by[p]), q[0],
                           q[1], q[2], q[3]))
                fn(ix->item[p], user);
        return;
    }
    box_query(ix, nd->left, q, fn, user);
    box_query(ix, nd->right, q, fn, user);
}

void dcs_nearest_box_query(const dcs_nearest *ix, double x0, double y0, double x1, double y1,
                           void (*fn)(size_t item, void *user), void *user)
{
    const double q[4] = {x0, y0, x1, y1};
    if (ix->nprim > 0)
        box_query(ix, 0, q, fn, user);
}

/* ---- nearest points of a point feature ------------------------------------ */

static double planar(double ax, double ay, double bx, double by)
{
    return sqrt((ax - bx) * (ax - bx) + (ay - by) * (ay - by));
}

/* Distance from p to segment a-b in the comp.graphics.algorithms form
 * (projection factor r, then |signed area| / length), the form GEOS
 * measures edges with, so that equal distances compare equal here too. */
static double edge_distance(double px, double py, double ax, double ay, double bx, double by)
{
    if (ax == bx && ay == by)
        return planar(px, py, ax, ay);
    double len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay);
    double r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2;
    if (r <= 0.0)
        return planar(px, py, ax, ay);
    if (r >= 1.0)
        return planar(px, py, bx, by);
    double s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2;
    return fabs(s) * sqrt(len2);
}

/* The point of segment a-b nearest p: its projection when that falls
 * strictly inside, else the nearer end (b on a tie). */
static void edge_closest(double px, double py, double ax, double ay, double bx, double by,
                         double *cx, double *cy)
{
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    double r = (px == ax && py == ay) ? 0.0
               : (px == bx && py == by) ? 1.0
                                        : ((px - ax) * dx + (py - ay) * dy) / len2;
    if (r > 0 && r < 1) {
        *cx = ax + r * dx, *cy = ay + r * dy;
        return;
    }
    int a_nearer = planar(ax, ay, px, py) < planar(bx, by, px, py);
    *cx = a_nearer ? ax : bx, *cy = a_nearer ? ay : by;
}

int dcs_nearest_point_pair(const dcs_nearest *ix, size_t which, const dcs_near_site *s,
                           double x[2], double y[2])
{
    double qx = ix->ptx[which], qy = ix->pty[which];
    if (isnan(qx) || isnan(qy))
        return 0;
    x[1] = qx, y[1] = qy;
    if (s->is_point) {
        x[0] = s->px, y[0] = s->py;
        return 1;
    }
    double best = INFINITY;
    size_t edge = SIZE_MAX;
    for (size_t r = 0; r < s->nrings; r++)
        for (size_t i = s->start[r]; i + 1 < s->start[r + 1]; i++) {
            double d = edge_distance(qx, qy, s->x[i], s->y[i], s->x[i + 1], s->y[i + 1]);
            if (d < best)
                best = d, edge = i;
        }
    double scale = greater(greater(fabs(s->x0), fabs(s->x1)), greater(fabs(s->y0), fabs(s->y1)));
    if (edge == SIZE_MAX || !(best > greater(ix->tol, 1e-9 * scale)))
        return 0; /* on or about the boundary: GEOS decides */
    if (inside_site(s, qx, qy)) {
        x[0] = qx, y[0] = qy;
        return 1;
    }
    edge_closest(qx, qy, s->x[edge], s->y[edge], s->x[edge + 1], s->y[edge + 1], &x[0], &y[0]);
    return 1;
}

/* ---- nearest points of a lone nearest segment ------------------------------ */

/* Distance between segments a-b and c-d that do not cross, in the form of
 * GEOS's Distance::segmentToSegment (a degenerate segment as a point). */
static double apart_distance(double ax, double ay, double bx, double by, double cx, double cy,
                             double dx, double dy)
{
    if (ax == bx && ay == by)
        return edge_distance(ax, ay, cx, cy, dx, dy);
    if (cx == dx && cy == dy)
        return edge_distance(dx, dy, ax, ay, bx, by);
    return lesser(edge_distance(ax, ay, cx, cy, dx, dy),
                  lesser(edge_distance(bx, by, cx, cy, dx, dy),
                         lesser(edge_distance(cx, cy, ax, ay, bx, by),
                                edge_distance(dx, dy, ax, ay, bx, by))));
}

/* Keep (px, py) - (qx, qy) as the pair when it is strictly shorter. */
static void keep_shorter(double px, double py, double qx, double qy, double *best, double x[2],
                         double y[2])
{
    double d = planar(px, py, qx, qy);
    if (d < *best)
        *best = d, x[0] = px, y[0] = py, x[1] = qx, y[1] = qy;
}

/* Nearest points of segments p (the site's) and q that do not cross: the
 * end points in GEOS's order (q0, q1 projected on p, then p0, p1 on q),
 * the first strictly nearest kept. */
static void segments_pair(const double p[4], const double q[4], double x[2], double y[2])
{
    double best = INFINITY, cx, cy;
    for (int k = 0; k < 2; k++) {
        edge_closest(q[2 * k], q[2 * k + 1], p[0], p[1], p[2], p[3], &cx, &cy);
        keep_shorter(cx, cy, q[2 * k], q[2 * k + 1], &best, x, y);
    }
    for (int k = 0; k < 2; k++) {
        edge_closest(p[2 * k], p[2 * k + 1], q[0], q[1], q[2], q[3], &cx, &cy);
        keep_shorter(p[2 * k], p[2 * k + 1], cx, cy, &best, x, y);
    }
}

/* The site's point and the point of the nearest segment: GEOS takes the
 * segments line by line, in order, the first strictly nearest winning. */
static void point_segment_pair(const dcs_nearest *ix, const dcs_near_site *s, double x[2],
                               double y[2])
{
    double best = INFINITY;
    uint32_t win = s->seg[0];
    for (size_t k = 0; k < s->nseg; k++) {
        uint32_t p = s->seg[k];
        double d = edge_distance(s->px, s->py, ix->ax[p], ix->ay[p], ix->bx[p], ix->by[p]);
        if (d < best)
            best = d, win = p;
    }
    x[0] = s->px, y[0] = s->py;
    edge_closest(s->px, s->py, ix->ax[win], ix->ay[win], ix->bx[win], ix->by[win], &x[1], &y[1]);
}

/* The polygon site's edge and the segment nearest each other, in GEOS's
 * order of trial: site ring, then line of the feature, then site edge,
 * then segment of that line; the first strictly nearest pair wins. */
static void polygon_segment_pair(const dcs_nearest *ix, const dcs_near_site *s, double x[2],
                                 double y[2])
{
    double best = INFINITY;
    size_t edge = 0;
    uint32_t win = s->seg[0];
    for (size_t r = 0; r < s->nrings; r++)
        for (size_t g = 0, end; g < s->nseg; g = end) {
            for (end = g + 1; end < s->nseg && ix->line[s->seg[end]] == ix->line[s->seg[g]];)
                end++;
            for (size_t i = s->start[r]; i + 1 < s->start[r + 1]; i++)
                for (size_t k = g; k < end; k++) {
                    uint32_t p = s->seg[k];
                    double d = apart_distance(s->x[i], s->y[i], s->x[i + 1], s->y[i + 1],
                                              ix->ax[p], ix->ay[p], ix->bx[p], ix->by[p]);
                    if (d < best)
                        best = d, edge = i, win = p;
                }
        }
    double p[4] = {s->x[edge], s->y[edge], s->x[edge + 1], s->y[edge + 1]};
    double q[4] = {ix->ax[win], ix->ay[win], ix->bx[win], ix->by[win]};
    segments_pair(p, q, x, y);
}

int dcs_nearest_segment_pair(const dcs_nearest *ix, const dcs_near_site *s, double x[2],
                             double y[2])
{
    if (s->nseg == 0 || (!s->is_point && s->nrings == 0))
        return 0;
    if (s->is_point)
        point_segment_pair(ix, s, x, y);
    else
        polygon_segment_pair(ix, s, x, y);
    return 1;
}
