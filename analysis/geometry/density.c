/* density.c - area-weighted quantities on a grid. See density.h. */
#include "geometry/density.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- building ------------------------------------------------------------ */

/* Columns and rows over the window at cell side *cell, enlarging the cell
 * until there are at most DCS_DENSITY_MAX_CELLS; -1 when the window or
 * cell is unusable. */
static int grid_size(const double win[4], double *cell, long *w, long *h)
{
    double dx = win[2] - win[0], dy = win[3] - win[1], c = *cell;
    if (!(dx > 0 && dy > 0 && c > 0) || !isfinite(dx) || !isfinite(dy) || !isfinite(c))
        return -1;
    while (ceil(dx / c) * ceil(dy / c) > (double)DCS_DENSITY_MAX_CELLS)
        c *= 1.05;
    *cell = c;
    *w = (long)ceil(dx / c);
    *h = (long)ceil(dy / c);
    return 0;
}

static double ring_signed_area(const dcs_rings *R, size_t r)
{
    size_t a = R->start[r], n = R->start[r + 1] - a;
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = (i + 1) % n;
        s += R->x[a + i] * R->y[a + j] - R->x[a + j] * R->y[a + i];
    }
    return s / 2;
}

/* dst = src in cell units of d (same orientations); -1 when out of memory. */
static int copy_to_cells(const dcs_density *d, const dcs_rings *src, dcs_rings *dst)
{
    dcs_rings_clear(dst);
    for (size_t r = 0; r < src->nrings; r++) {
        size_t a = src->start[r];
        if (dcs_rings_add(dst, src->x + a, src->y + a, src->start[r + 1] - a,
                          ring_signed_area(src, r) > 0) != 0)
            return -1;
    }
    dcs_rings_scale(dst, d->x0, d->y0, 1 / d->cell, 1 / d->cell);
    return 0;
}

typedef struct {
    dcs_rings poly;
    dcs_cover_work cover;
    dcs_cells cells;
} spread_work;

/* Add value * (share of the polygon's area) to every cell it covers. */
static dcs_status spread(dcs_density *d, const dcs_rings *poly, double area, double value,
                         spread_work *sw)
{
    double bx0, by0, bx1, by1;
    if (copy_to_cells(d, poly, &sw->poly) != 0)
        return DCS_ERR_NOMEM;
    if (!dcs_rings_bbox(&sw->poly, &bx0, &by0, &bx1, &by1))
        return DCS_OK;
    long c0 = (long)fmax(floor(bx0), 0), r0 = (long)fmax(floor(by0), 0);
    long c1 = (long)fmin(ceil(bx1), (double)d->w), r1 = (long)fmin(ceil(by1), (double)d->h);
    if (c0 >= c1 || r0 >= r1)
        return DCS_OK;
    dcs_cells_clear(&sw->cells);
    dcs_status st = dcs_rings_pixel_cover(&sw->poly, (int)c0, (int)r0, (int)c1, (int)r1,
                                          &sw->cover, &sw->cells);
    double per_cell = value * d->cell * d->cell / area; /* a whole cell's share */
    for (size_t i = 0; st == DCS_OK && i < sw->cells.n; i++) {
        const dcs_cell *c = &sw->cells.c[i];
        d->row_sum[(size_t)c->row * (size_t)(d->w + 1) + (size_t)c->col + 1] += per_cell * c->f;
    }
    return st;
}

static void prefix_rows(dcs_density *d)
{
    for (long j = 0; j < d->h; j++) {
        double *row = d->row_sum + (size_t)j * (size_t)(d->w + 1);
        row[0] = 0;
        for (long i = 0; i < d->w; i++)
            row[i + 1] += row[i];
    }
}

dcs_status dcs_density_build(const dcs_rings *polys, const double *area, const double *value,
                             size_t n, const double window[4], double cell, dcs_density *d)
{
    memset(d, 0, sizeof *d);
    spread_work sw;
    memset(&sw, 0, sizeof sw);
    dcs_status st = DCS_OK;
    if (grid_size(window, &cell, &d->w, &d->h) != 0)
        return DCS_ERR_INTERNAL;
    d->x0 = window[0];
    d->y0 = window[1];
    d->cell = cell;
    d->row_sum = calloc((size_t)(d->w + 1) * (size_t)d->h, sizeof *d->row_sum);
    if (!d->row_sum) {
        st = DCS_ERR_NOMEM;
        goto fail;
    }
    for (size_t k = 0; st == DCS_OK && k < n; k++)
        if (isfinite(value[k]) && area[k] > 0)
            st = spread(d, &polys[k], area[k], value[k], &sw);
    if (st == DCS_OK)
        prefix_rows(d);
fail:
    dcs_rings_free(&sw.poly);
    dcs_cover_work_free(&sw.cover);
    dcs_cells_free(&sw.cells);
    if (st != DCS_OK)
        dcs_density_free(d);
    return st;
}

/* ---- sums over a buffer ---------------------------------------------------- */

/* arr (n elements of `size` bytes, room for *cap) with room for one more:
 * arr itself or its reallocation; NULL when out of memory (arr is kept). */
static void *room_for_one(void *arr, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return arr;
    size_t c = *cap ? 2 * *cap : 32;
    void *p = realloc(arr, c * size);
    if (p)
        *cap = c;
    return p;
}

static int add_span(dcs_span_work *w, double lo, double hi)
{
    dcs_span *span = room_for_one(w->span, w->n, &w->cap, sizeof *span);
    if (!span)
        return -1;
    w->span = span;
    w->span[w->n++] = (dcs_span){.lo = lo, .hi = hi};
    return 0;
}

/* Widen [*lo, *hi] by the chord of the disc of radius r at (cx, cy) on
 * the line at height y. */
static void disc_chord(double cx, double cy, double r, double y, double *lo, double *hi)
{
    double dy = y - cy, q = r * r - dy * dy;
    if (q >= 0) {
        double s = sqrt(q);
        *lo = cx - s < *lo ? cx - s : *lo;
        *hi = cx + s > *hi ? cx + s : *hi;
    }
}

/* The span of the points within r of edge e on the line at height y:
 * the hull of the two end discs' chords and the crossings of the two
 * offset segments.  0 when the line misses it. */
static int capsule_span(const dcs_edge *e, double r, double y, double *lo, double *hi)
{
    double l = INFINITY, h = -INFINITY;
    disc_chord(e->ax, e->ay, r, y, &l, &h);
    disc_chord(e->ax + e->dx, e->ay + e->dy, r, y, &l, &h);
    if (e->dy != 0)
        for (int s = -1; s <= 1; s += 2) {
            double t = (y - (e->ay + s * e->oy)) * e->inv_dy;
            if (t >= 0 && t <= 1) {
                double x = e->ax + s * e->ox + t * e->dx;
                l = x < l ? x : l;
                h = x > h ? x : h;
            }
        }
    *lo = l;
    *hi = h;
    return l <= h;
}

/* The site's edges with their offsets at radius r into w->edge. */
static int site_edges(const dcs_rings *P, double r, dcs_span_work *w)
{
    if (w->ecap < P->n) {
        dcs_edge *e = realloc(w->edge, P->n * sizeof *e);
        if (!e)
            return -1;
        w->edge = e;
        w->ecap = P->n;
    }
    w->nedges = 0;
    for (size_t q = 0; q < P->nrings; q++) {
        size_t a = P->start[q], n = P->start[q + 1] - a;
        for (size_t i = 0; i < n; i++) {
            size_t j = a + (i + 1) % n, k = a + i;
            dcs_edge *e = &w->edge[w->nedges++];
            *e = (dcs_edge){
                .ax = P->x[k],
                .ay = P->y[k],
                .dx = P->x[j] - P->x[k],
                .dy = P->y[j] - P->y[k],
                .ox = 0,
                .oy = 0,
                .inv_dy = 0,
            };
            double len = sqrt(e->dx * e->dx + e->dy * e->dy);
            if (len > 0) {
                e->ox = -e->dy / len * r;
                e->oy = e->dx / len * r;
            }
            if (e->dy != 0)
                e->inv_dy = 1 / e->dy;
        }
    }
    return 0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int compare_spans(const void *a, const void *b)
{
    return compare_doubles(&((const dcs_span *)a)->lo, &((const dcs_span *)b)->lo);
}

/* The polygon's own spans on the line at height y (even-odd pairs of its
 * edge crossings; half-open in y so a vertex on the line counts once). */
static int own_spans(const dcs_rings *P, double y, dcs_span_work *w)
{
    w->ncross = 0;
    for (size_t r = 0; r < P->nrings; r++) {
        size_t a = P->start[r], n = P->start[r + 1] - a;
        for (size_t i = 0; i < n; i++) {
            size_t j = a + (i + 1) % n, k = a + i;
            if ((P->y[k] <= y) == (P->y[j] <= y))
                continue;
            double *cross = room_for_one(w->cross, w->ncross, &w->ccap, sizeof *cross);
            if (!cross)
                return -1;
            w->cross = cross;
            w->cross[w->ncross++] =
                P->x[k] + (y - P->y[k]) * (P->x[j] - P->x[k]) / (P->y[j] - P->y[k]);
        }
    }
    if (w->ncross > 1)
        qsort(w->cross, w->ncross, sizeof *w->cross, compare_doubles);
    for (size_t i = 0; i + 1 < w->ncross; i += 2)
        if (add_span(w, w->cross[i], w->cross[i + 1]) != 0)
            return -1;
    return 0;
}

/* Every edge's capsule span on the line at height y. */
static int capsule_spans(double r, double y, dcs_span_work *w)
{
    for (size_t k = 0; k < w->nedges; k++) {
        double lo, hi;
        if (capsule_span(&w->edge[k], r, y, &lo, &hi) && add_span(w, lo, hi) != 0)
            return -1;
    }
    return 0;
}

/* Sum of row j over [lo, hi] (metres), end cells in proportion. */
static double row_between(const dcs_density *d, long j, double lo, double hi)
{
    const double *ps = d->row_sum + (size_t)j * (size_t)(d->w + 1);
    double x[2] = {(lo - d->x0) / d->cell, (hi - d->x0) / d->cell}, s[2];
    for (int k = 0; k < 2; k++) {
        double c = x[k] < d->w ? x[k] : d->w; /* fmax(0, fmin(x, w)), NaN as 0 */
        c = c > 0 ? c : 0;
        long i = (long)c; /* c >= 0: truncation is floor() */
        s[k] = i >= d->w ? ps[d->w] : ps[i] + (c - (double)i) * (ps[i + 1] - ps[i]);
    }
    return s[1] - s[0];
}

/* Sum of row j over the union of the spans in w. */
static double row_union(const dcs_density *d, long j, dcs_span_work *w)
{
    double sum = 0;
    if (w->n > 1)
        qsort(w->span, w->n, sizeof *w->span, compare_spans);
    for (size_t i = 0; i < w->n;) {
        double lo = w->span[i].lo, hi = w->span[i].hi;
        for (i++; i < w->n && w->span[i].lo <= hi; i++)
            hi = fmax(hi, w->span[i].hi);
        sum += row_between(d, j, lo, hi);
    }
    return sum;
}

/* The span of row j's centre line y over the convex buffer of a convex,
 * counter-clockwise site: from the vertices' disc chords and the
 * crossings of the outward (right-hand) offset segments (the inward ones
 * lie inside the buffer); lo > hi when the row misses the buffer. */
static void hull_span(double r, double y, const dcs_span_work *w, double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (size_t k = 0; k < w->nedges; k++) {
        const dcs_edge *e = &w->edge[k];
        disc_chord(e->ax, e->ay, r, y, lo, hi);
        double t = (y - (e->ay - e->oy)) * e->inv_dy;
        if (e->inv_dy != 0 && t >= 0 && t <= 1) {
            double x = e->ax - e->ox + t * e->dx;
            *lo = x < *lo ? x : *lo;
            *hi = x > *hi ? x : *hi;
        }
    }
}

/* Rows of a convex buffer summed together, after their prefix sums were
 * prefetched while the next rows' spans were found: rows lie a grid row
 * apart, which no hardware prefetcher guesses, and the loads waited on
 * memory (issue 28; raster.c's radius sums do the same). */
#define SPAN_BATCH 16

typedef struct {
    long j;
    double lo, hi;
} row_span;

static void prefetch_between(const dcs_density *d, long j, double lo, double hi)
{
    const double *ps = d->row_sum + (size_t)j * (size_t)(d->w + 1);
    double x[2] = {(lo - d->x0) / d->cell, (hi - d->x0) / d->cell};
    for (int k = 0; k < 2; k++) {
        double c = x[k] < d->w ? x[k] : d->w; /* as in row_between */
        __builtin_prefetch(ps + (long)(c > 0 ? c : 0));
    }
}

/* The rows' sums added to sum in row order. */
static double sum_spans(const dcs_density *d, const row_span *rs, int n, double sum)
{
    for (int k = 0; k < n; k++)
        sum += rs[k].lo <= rs[k].hi ? row_between(d, rs[k].j, rs[k].lo, rs[k].hi) : 0;
    return sum;
}

/* Sum over the convex buffer of a convex site, rows j0..j1. */
static double convex_sum(const dcs_density *d, double r, long j0, long j1,
                         const dcs_span_work *w)
{
    double sum = 0;
    row_span batch[SPAN_BATCH];
    int nb = 0;
    for (long j = j0; j <= j1; j++) {
        row_span *b = &batch[nb++];
        b->j = j;
        hull_span(r, d->y0 + ((double)j + 0.5) * d->cell, w, &b->lo, &b->hi);
        if (b->lo <= b->hi)
            prefetch_between(d, j, b->lo, b->hi);
        if (nb == SPAN_BATCH) {
            sum = sum_spans(d, batch, nb, sum);
            nb = 0;
        }
    }
    return sum_spans(d, batch, nb, sum);
}

double dcs_density_buffer_sum(const dcs_density *d, const dcs_rings *site, double r,
                              dcs_span_work *w)
{
    double bx0, by0, bx1, by1, sum = 0;
    if (!d->row_sum || !dcs_rings_bbox(site, &bx0, &by0, &bx1, &by1))
        return 0;
    /* a convex site's buffer is convex: its capsules' hull on each row */
    int convex = dcs_rings_is_convex(site);
    if (site_edges(site, r, w) != 0)
        return NAN;
    long j0 = (long)fmax(ceil((by0 - r - d->y0) / d->cell - 0.5), 0);
    long j1 = (long)fmin(floor((by1 + r - d->y0) / d->cell - 0.5), (double)d->h - 1);
    if (convex)
        return convex_sum(d, r, j0, j1, w);
    for (long j = j0; j <= j1; j++) {
        double y = d->y0 + ((double)j + 0.5) * d->cell;
        w->n = 0;
        if (capsule_spans(r, y, w) != 0 || own_spans(site, y, w) != 0)
            return NAN;
        sum += row_union(d, j, w);
    }
    return sum;
}

void dcs_density_free(dcs_density *d)
{
    free(d->row_sum);
    memset(d, 0, sizeof *d);
}

void dcs_span_work_free(dcs_span_work *w)
{
    free(w->span);
    free(w->cross);
    free(w->edge);
    memset(w, 0, sizeof *w);
}
