/* route.c - least-cost routes on a cost raster. See route.h. */
#include "geometry/route.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POS_NEW UINT32_MAX           /* not reached yet */
#define POS_DONE (UINT32_MAX - 1)    /* settled */
#define MAX_WINDOW_CELLS ((size_t)UINT32_MAX - 2)

/* The 16 moves: the 8 neighbours first, then the knight's moves. */
static const int MOVE_DC[16] = {1, -1, 0, 0, 1, 1, -1, -1, 1, 1, -1, -1, 2, 2, -2, -2};
static const int MOVE_DR[16] = {0, 0, 1, -1, 1, -1, 1, -1, 2, -2, 2, -2, 1, -1, 1, -1};

typedef struct {
    const dcs_route_grid *g;
    long c0, r0, c1, r1;     /* window: columns [c0, c1), rows [r0, r1) */
    long ww;                 /* window width */
    int nmoves;
    double len_km[16];       /* length of each move */
    double factor, penalty;
    int corner_cut;
} search;

/* ---- cells ---------------------------------------------------------------- */

/* The cost per km of cell (c, r) with the soft factor applied, or -1 when
 * it is blocked; *soft says whether it lies under a soft barrier. */
static double cell_cost(const search *s, long c, long r, int *soft)
{
    size_t i = (size_t)r * (size_t)s->g->width + (size_t)c;
    unsigned char b = s->g->barrier ? s->g->barrier[i] : 0;
    double v = s->g->cost[i];
    *soft = b == DCS_ROUTE_SOFT;
    if (b >= DCS_ROUTE_HARD || !(v >= 0) || isinf(v))
        return -1;
    return *soft ? v * s->factor : v;
}

static int blocked(const search *s, long c, long r)
{
    int soft;
    return cell_cost(s, c, r, &soft) < 0;
}

/* The cost of move k from (c, r), or -1 when the move is not allowed. */
static double move_cost(const search *s, long c, long r, int k)
{
    int dc = MOVE_DC[k], dr = MOVE_DR[k], sa, sb, s1, s2;
    double ca = cell_cost(s, c, r, &sa), cb = cell_cost(s, c + dc, r + dr, &sb);
    if (cb < 0)
        return -1;
    if (k < 4)
        return s->len_km[k] * (ca + cb) / 2 + (!sa && sb ? s->penalty : 0);
    if (k < 8) {
        double x1 = cell_cost(s, c + dc, r, &s1), x2 = cell_cost(s, c, r + dr, &s2);
        if (x1 < 0 && x2 < 0 && !s->corner_cut)
            return -1;
        int entries = (!sa && sb) || (!sa && !sb && s1 && s2);
        return s->len_km[k] * (ca + cb) / 2 + (entries ? s->penalty : 0);
    }
    /* knight: the two cells between, in the order the segment meets them */
    long m1c = c + (abs(dc) == 2 ? dc / 2 : 0), m1r = r + (abs(dr) == 2 ? dr / 2 : 0);
    long m2c = c + (abs(dc) == 2 ? dc / 2 : dc), m2r = r + (abs(dr) == 2 ? dr / 2 : dr);
    double c1 = cell_cost(s, m1c, m1r, &s1), c2 = cell_cost(s, m2c, m2r, &s2);
    if (c1 < 0 || c2 < 0)
        return -1;
    int entries = (!sa && s1) + (!s1 && s2) + (!s2 && sb);
    return s->len_km[k] * (ca + c1 + c2 + cb) / 4 + entries * s->penalty;
}

/* ---- heap ----------------------------------------------------------------- */

static int before(const dcs_route_work *w, uint32_t a, uint32_t b)
{
    return w->dist[a] < w->dist[b] || (w->dist[a] == w->dist[b] && a < b);
}

static void heap_place(dcs_route_work *w, size_t slot, uint32_t v)
{
    w->heap[slot] = v;
    w->pos[v] = (uint32_t)slot;
}

static void sift_up(dcs_route_work *w, size_t slot)
{
    uint32_t v = w->heap[slot];
    while (slot > 0) {
        size_t parent = (slot - 1) / 2;
        if (!before(w, v, w->heap[parent]))
            break;
        heap_place(w, slot, w->heap[parent]);
        slot = parent;
    }
    heap_place(w, slot, v);
}

static void sift_down(dcs_route_work *w, size_t slot)
{
    uint32_t v = w->heap[slot];
    for (;;) {
        size_t child = 2 * slot + 1;
        if (child >= w->nheap)
            break;
        if (child + 1 < w->nheap && before(w, w->heap[child + 1], w->heap[child]))
            child++;
        if (!before(w, w->heap[child], v))
            break;
        heap_place(w, slot, w->heap[child]);
        slot = child;
    }
    heap_place(w, slot, v);
}

static void heap_push_or_lower(dcs_route_work *w, uint32_t v)
{
    if (w->pos[v] == POS_NEW) {
        w->nheap++;
        heap_place(w, w->nheap - 1, v);
    }
    sift_up(w, w->pos[v]);
}

static uint32_t heap_pop(dcs_route_work *w)
{
    uint32_t top = w->heap[0];
    w->nheap--;
    if (w->nheap > 0) {
        heap_place(w, 0, w->heap[w->nheap]);
        sift_down(w, 0);
    }
    w->pos[top] = POS_DONE;
    return top;
}

static dcs_status work_reserve(dcs_route_work *w, size_t n)
{
    if (n > w->cap) {
        double *d = realloc(w->dist, n * sizeof *d);
        if (d)
            w->dist = d;
        uint32_t *p = realloc(w->prev, n * sizeof *p);
        if (p)
            w->prev = p;
        uint32_t *q = realloc(w->pos, n * sizeof *q);
        if (q)
            w->pos = q;
        uint32_t *h = realloc(w->heap, n * sizeof *h);
        if (h)
            w->heap = h;
        if (!d || !p || !q || !h)
            return DCS_ERR_NOMEM;
        w->cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        w->dist[i] = INFINITY;
        w->pos[i] = POS_NEW;
    }
    w->nheap = 0;
    return DCS_OK;
}

/* ---- checks and set-up ---------------------------------------------------- */

static int inside(const dcs_route_grid *g, dcs_route_cell c)
{
    return c.col >= 0 && c.row >= 0 && c.col < g->width && c.row < g->height;
}

static dcs_status check_grid(const dcs_route_grid *g, dcs_error *err)
{
    const double *t = g->gt;
    if (g->width <= 0 || g->height <= 0 || !g->cost)
        return dcs_error_set(err, DCS_ERR_DATA, "cost raster: empty grid (%ld x %ld cells)",
                             g->width, g->height);
    if (t[2] != 0 || t[4] != 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "cost raster: the grid is rotated or sheared (geotransform terms "
                             "%g and %g); warp it to a north-up grid first (gdalwarp)",
                             t[2], t[4]);
    for (int i = 0; i < 6; i++)
        if (!isfinite(t[i]))
            return dcs_error_set(err, DCS_ERR_DATA, "cost raster: geotransform term %d is %g",
                                 i, t[i]);
    if (t[1] == 0 || t[5] == 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "cost raster: cell size %g x %g; cells need a size", t[1], t[5]);
    return DCS_OK;
}

static dcs_status check_opts(const dcs_route_opts *o, dcs_error *err)
{
    if (o->neighbours != 0 && o->neighbours != 8 && o->neighbours != 16)
        return dcs_error_set(err, DCS_ERR_DATA, "route neighbours is %d; use 8 or 16",
                             o->neighbours);
    if (!(o->soft_factor >= 0) || isinf(o->soft_factor))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "route soft barrier factor is %g; use a number >= 0",
                             o->soft_factor);
    if (!(o->soft_penalty >= 0) || isinf(o->soft_penalty))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "route soft barrier penalty is %g; use a number >= 0",
                             o->soft_penalty);
    if (!(o->window_margin_m >= 0) || isinf(o->window_margin_m))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "route window margin is %g m; use a number >= 0 (0: whole grid)",
                             o->window_margin_m);
    return DCS_OK;
}

/* The window: the box of start and targets grown by the margin, clipped. */
static void set_window(search *s, const dcs_route_opts *o, dcs_route_cell start,
                       const dcs_route_cell *t, size_t nt)
{
    const dcs_route_grid *g = s->g;
    if (o->window_margin_m == 0) {
        s->c0 = s->r0 = 0;
        s->c1 = g->width;
        s->r1 = g->height;
    } else {
        long c0 = start.col, c1 = start.col, r0 = start.row, r1 = start.row;
        for (size_t i = 0; i < nt; i++) {
            c0 = t[i].col < c0 ? t[i].col : c0;
            c1 = t[i].col > c1 ? t[i].col : c1;
            r0 = t[i].row < r0 ? t[i].row : r0;
            r1 = t[i].row > r1 ? t[i].row : r1;
        }
        double mc = ceil(o->window_margin_m / fabs(g->gt[1]));
        double mr = ceil(o->window_margin_m / fabs(g->gt[5]));
        s->c0 = (long)fmax(0, (double)c0 - mc);
        s->r0 = (long)fmax(0, (double)r0 - mr);
        s->c1 = (long)fmin((double)g->width, (double)c1 + 1 + mc);
        s->r1 = (long)fmin((double)g->height, (double)r1 + 1 + mr);
    }
    s->ww = s->c1 - s->c0;
}

static dcs_status set_up(search *s, const dcs_route_grid *g, const dcs_route_opts *o,
                         dcs_route_cell start, const dcs_route_cell *t, size_t nt,
                         dcs_error *err)
{
    dcs_status st = check_grid(g, err);
    if (st == DCS_OK)
        st = check_opts(o, err);
    if (st != DCS_OK)
        return st;
    if (nt == 0 || !t)
        return dcs_error_set(err, DCS_ERR_DATA, "route: no target cell given");
    for (size_t i = 0; i <= nt; i++) {
        dcs_route_cell c = i < nt ? t[i] : start;
        if (!inside(g, c))
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "route %s cell (col %ld, row %ld) lies outside the cost "
                                 "raster's %ld x %ld cells; extend the raster over it",
                                 i < nt ? "target" : "start", c.col, c.row, g->width,
                                 g->height);
    }
    *s = (search){.g = g, .nmoves = o->neighbours == 16 ? 16 : 8,
                  .factor = o->soft_factor == 0 ? 1 : o->soft_factor,
                  .penalty = o->soft_penalty, .corner_cut = o->allow_corner_cut != 0};
    for (int k = 0; k < 16; k++)
        s->len_km[k] = hypot(MOVE_DC[k] * g->gt[1], MOVE_DR[k] * g->gt[5]) / 1000;
    set_window(s, o, start, t, nt);
    if ((size_t)s->ww * (size_t)(s->r1 - s->r0) > MAX_WINDOW_CELLS)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "route: the search window of %ld x %ld cells is too large; "
                             "use a smaller window margin or a coarser cost raster",
                             s->ww, s->r1 - s->r0);
    if (blocked(s, start.col, start.row))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "route start cell (col %ld, row %ld) is impassable (cost %g%s); "
                             "a route cannot leave it",
                             start.col, start.row,
                             g->cost[(size_t)start.row * (size_t)g->width + (size_t)start.col],
                             g->barrier && g->barrier[(size_t)start.row * (size_t)g->width +
                                                      (size_t)start.col] >= DCS_ROUTE_HARD
                                 ? ", under a hard barrier" : "");
    return DCS_OK;
}

/* ---- search and result ---------------------------------------------------- */

static uint32_t local(const search *s, long c, long r)
{
    return (uint32_t)((size_t)(r - s->r0) * (size_t)s->ww + (size_t)(c - s->c0));
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The targets' window cells, sorted, in w->tgt. */
static dcs_status sort_targets(const search *s, const dcs_route_cell *t, size_t nt,
                               dcs_route_work *w)
{
    if (nt > w->tcap) {
        uint32_t *p = realloc(w->tgt, nt * sizeof *p);
        if (!p)
            return DCS_ERR_NOMEM;
        w->tgt = p;
        w->tcap = nt;
    }
    for (size_t i = 0; i < nt; i++)
        w->tgt[i] = local(s, t[i].col, t[i].row);
    qsort(w->tgt, nt, sizeof *w->tgt, cmp_u32);
    return DCS_OK;
}

/* Index into t of the first target at window cell v, or nt. */
static size_t target_at(const search *s, uint32_t v, const dcs_route_cell *t, size_t nt,
                        const dcs_route_work *w)
{
    if (!bsearch(&v, w->tgt, nt, sizeof *w->tgt, cmp_u32))
        return nt;
    for (size_t i = 0; i < nt; i++)
        if (local(s, t[i].col, t[i].row) == v)
            return i;
    return nt;
}

/* Dijkstra from start until a target is settled: its index, or nt. */
static size_t dijkstra(const search *s, dcs_route_cell start, const dcs_route_cell *t,
                       size_t nt, dcs_route_work *w, long *settled)
{
    uint32_t sv = local(s, start.col, start.row);
    w->dist[sv] = 0;
    w->prev[sv] = sv;
    heap_push_or_lower(w, sv);
    *settled = 0;
    while (w->nheap > 0) {
        uint32_t u = heap_pop(w);
        (*settled)++;
        size_t hit = target_at(s, u, t, nt, w);
        if (hit < nt)
            return hit;
        long c = s->c0 + (long)(u % (uint32_t)s->ww), r = s->r0 + (long)(u / (uint32_t)s->ww);
        for (int k = 0; k < s->nmoves; k++) {
            long nc = c + MOVE_DC[k], nr = r + MOVE_DR[k];
            if (nc < s->c0 || nr < s->r0 || nc >= s->c1 || nr >= s->r1)
                continue;
            uint32_t v = local(s, nc, nr);
            if (w->pos[v] == POS_DONE)
                continue;
            double mc = move_cost(s, c, r, k);
            if (mc < 0 || !(w->dist[u] + mc < w->dist[v]))
                continue;
            w->dist[v] = w->dist[u] + mc;
            w->prev[v] = u;
            heap_push_or_lower(w, v);
        }
    }
    return nt;
}

static dcs_status unreachable(const search *s, dcs_route_cell start, const dcs_route_cell *t,
                              size_t nt, long settled, dcs_error *err)
{
    char names[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < nt && i < 5; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s(col %ld, row %ld%s)",
                                 i ? ", " : "", t[i].col, t[i].row,
                                 blocked(s, t[i].col, t[i].row) ? ", itself blocked" : "");
    if (nt > 5)
        snprintf(names + used, sizeof names - used, " and %zu more", nt - 5);
    return dcs_error_set(err, DCS_ERR_DATA,
                         "no route from cell (col %ld, row %ld) to %s %s: impassable cells "
                         "(cost NaN, infinite or negative) or hard barriers close every path "
                         "within columns %ld-%ld, rows %ld-%ld (%ld cells reached); open a "
                         "gap in the cost raster or barriers, or widen the search window",
                         start.col, start.row, nt == 1 ? "cell" : "cells", names, s->c0,
                         s->c1 - 1, s->r0, s->r1 - 1, settled);
}

/* Fill out's vertices and length from the settled path ending at v. */
static dcs_status trace(const search *s, const dcs_route_work *w, uint32_t v, dcs_route *out)
{
    size_t n = 1;
    for (uint32_t u = v; w->prev[u] != u; u = w->prev[u])
        n++;
    if (n > out->cap) {
        double *x = realloc(out->x, n * sizeof *x), *y = x ? realloc(out->y, n * sizeof *y) : NULL;
        if (x)
            out->x = x;
        if (y)
            out->y = y;
        if (!x || !y)
            return DCS_ERR_NOMEM;
        out->cap = n;
    }
    size_t i = n;
    for (uint32_t u = v;; u = w->prev[u]) {   /* cells, start first */
        i--;
        out->x[i] = (double)(s->c0 + (long)(u % (uint32_t)s->ww));
        out->y[i] = (double)(s->r0 + (long)(u / (uint32_t)s->ww));
        if (w->prev[u] == u)
            break;
    }
    const double *gt = s->g->gt;
    size_t m = 1;
    long pdc = 0, pdr = 0;
    double len = 0;
    for (i = 1; i < n; i++) {
        long dc = (long)(out->x[i] - out->x[i - 1]), dr = (long)(out->y[i] - out->y[i - 1]);
        len += hypot((double)dc * gt[1], (double)dr * gt[5]) / 1000;
        if (i > 1 && dc == pdc && dr == pdr)
            m--;                               /* the same move again: extend */
        out->x[m] = out->x[i];
        out->y[m] = out->y[i];
        m++;
        pdc = dc;
        pdr = dr;
    }
    for (i = 0; i < m; i++) {
        out->x[i] = gt[0] + (out->x[i] + 0.5) * gt[1];
        out->y[i] = gt[3] + (out->y[i] + 0.5) * gt[5];
    }
    out->nverts = m;
    out->length_km = len;
    return DCS_OK;
}

dcs_status dcs_route_find(const dcs_route_grid *g, const dcs_route_opts *opts,
                          dcs_route_cell start, const dcs_route_cell *targets,
                          size_t ntargets, dcs_route_work *w, dcs_route *out,
                          dcs_error *err)
{
    search s;
    out->found = 0;
    out->target = 0;
    out->nverts = 0;
    out->cost = out->length_km = NAN;
    out->cells_settled = 0;
    dcs_status st = set_up(&s, g, opts, start, targets, ntargets, err);
    if (st != DCS_OK)
        return st;
    st = work_reserve(w, (size_t)s.ww * (size_t)(s.r1 - s.r0));
    if (st != DCS_OK)
        return dcs_error_set(err, st, "route: out of memory for a %ld x %ld cell window",
                             s.ww, s.r1 - s.r0);
    if (sort_targets(&s, targets, ntargets, w) != DCS_OK)
        return dcs_error_set(err, DCS_ERR_NOMEM, "route: out of memory for %zu targets",
                             ntargets);
    size_t hit = dijkstra(&s, start, targets, ntargets, w, &out->cells_settled);
    if (hit == ntargets)
        return unreachable(&s, start, targets, ntargets, out->cells_settled, err);
    uint32_t v = local(&s, targets[hit].col, targets[hit].row);
    st = trace(&s, w, v, out);
    if (st != DCS_OK)
        return dcs_error_set(err, st, "route: out of memory for the route's vertices");
    out->cost = w->dist[v];
    out->target = hit;
    out->found = 1;
    return DCS_OK;
}

int dcs_route_cell_of(const dcs_route_grid *g, double x, double y, dcs_route_cell *cell)
{
    if (g->gt[1] == 0 || g->gt[5] == 0 || g->gt[2] != 0 || g->gt[4] != 0)
        return -1;
    double c = floor((x - g->gt[0]) / g->gt[1]), r = floor((y - g->gt[3]) / g->gt[5]);
    if (!(c >= 0 && r >= 0 && c < (double)g->width && r < (double)g->height))
        return -1;
    *cell = (dcs_route_cell){.col = (long)c, .row = (long)r};
    return 0;
}

void dcs_route_work_free(dcs_route_work *w)
{
    free(w->dist);
    free(w->prev);
    free(w->pos);
    free(w->heap);
    free(w->tgt);
    *w = (dcs_route_work){0};
}

void dcs_route_free(dcs_route *r)
{
    free(r->x);
    free(r->y);
    *r = (dcs_route){0};
}
