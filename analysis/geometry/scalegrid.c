/* scalegrid.c - a table of the working CRS's scale factor. See scalegrid.h. */
#include "geometry/scalegrid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geometry/ellipsoid.h"

#define HALF_CHORD 100.0   /* m: half the chords that measure k at a point */
#define MAX_NODES 50000    /* a larger box gets no table (~0.25 s to measure) */

/* 1/k at (x, y): the ground length of a 2 * HALF_CHORD chord through it
 * over its planar length, in x, and when spread is not NULL also in y and
 * diagonally, *spread being their largest relative difference.  0 when
 * PROJ cannot transform the chord ends. */
static int measure_point(OGRCoordinateTransformationH ct, double x, double y, double *inv_k,
                         double *spread)
{
    const double h = HALF_CHORD, d = HALF_CHORD * M_SQRT1_2;
    double px[6] = {x - h, x + h, x, x, x - d, x + d};
    double py[6] = {y, y, y - h, y + h, y - d, y + d};
    int n = spread ? 3 : 1;
    if (!OCTTransform(ct, 2 * n, px, py, NULL))
        return 0;
    double s[3];
    for (int k = 0; k < n; k++)
        s[k] = dcs_geodesic_distance_m(px[2 * k], py[2 * k], px[2 * k + 1], py[2 * k + 1]) /
               (2 * h);
    *inv_k = s[0];
    if (spread) {
        double lo = fmin(s[0], fmin(s[1], s[2])), hi = fmax(s[0], fmax(s[1], s[2]));
        *spread = (hi - lo) / lo;
    }
    return isfinite(s[0]) && s[0] > 0;
}

/* 1/k at (x, y) interpolated between the four nodes around it; 0 when
 * (x, y) is outside the table.  The weights come from (x, y) and the
 * spacing only, not from where the table starts, so a point gets the same
 * value, to the bit, from any table that holds it. */
static int interpolate(const dcs_scalegrid *g, double x, double y, double *v)
{
    double u = x / g->step, t = y / g->step, fu = floor(u), ft = floor(t);
    double i = fu - g->i0, j = ft - g->j0;
    if (!(i >= 0 && j >= 0 && i <= g->nx - 2 && j <= g->ny - 2))
        return 0;
    u -= fu;
    t -= ft;
    const double *r0 = g->inv_k + (size_t)j * (size_t)g->nx + (size_t)i, *r1 = r0 + g->nx;
    *v = (1 - t) * ((1 - u) * r0[0] + u * r0[1]) + t * ((1 - u) * r1[0] + u * r1[1]);
    return 1;
}

/* Measure the nodes of g (g->inv_k allocated), then check the cell
 * centres: 1 when the table holds, 0 when it does not (not conformal,
 * nodes too far apart for the curvature, PROJ failed). */
static int fill(dcs_scalegrid *g, OGRCoordinateTransformationH ct)
{
    for (int j = 0; j < g->ny; j++)
        for (int i = 0; i < g->nx; i++) {
            double spread;
            double *v = g->inv_k + (size_t)j * (size_t)g->nx + (size_t)i;
            if (!measure_point(ct, g->x0 + i * g->step, g->y0 + j * g->step, v, &spread) ||
                !(spread <= DCS_SCALE_TOL))
                return 0;
        }
    for (int j = 0; j + 1 < g->ny; j++)
        for (int i = 0; i + 1 < g->nx; i++) {
            double x = g->x0 + (i + 0.5) * g->step, y = g->y0 + (j + 0.5) * g->step, m, e;
            if (!measure_point(ct, x, y, &m, NULL) || !interpolate(g, x, y, &e) ||
                !(fabs(e - m) <= DCS_SCALE_TOL * m))
                return 0;
        }
    return 1;
}

dcs_status dcs_scalegrid_build(dcs_scalegrid *g, OGRCoordinateTransformationH work_to_lonlat,
                               const double box[4])
{
    memset(g, 0, sizeof *g);
    const double step = DCS_SCALE_STEP, lim = 1e9; /* |coordinate| beyond: not metres on Earth */
    for (int k = 0; k < 4; k++)
        if (!(fabs(box[k]) < lim))
            return DCS_OK;
    dcs_scalegrid t = {.step = step, .i0 = floor(box[0] / step), .j0 = floor(box[1] / step)};
    double nx = ceil(box[2] / step) - t.i0 + 1, ny = ceil(box[3] / step) - t.j0 + 1;
    if (!(nx >= 2 && ny >= 2 && nx * ny <= MAX_NODES))
        return DCS_OK;
    t.nx = (int)nx;
    t.ny = (int)ny;
    t.x0 = t.i0 * step;
    t.y0 = t.j0 * step;
    if (!(t.inv_k = malloc((size_t)t.nx * (size_t)t.ny * sizeof *t.inv_k)))
        return DCS_ERR_NOMEM;
    if (fill(&t, work_to_lonlat))
        *g = t;
    else
        free(t.inv_k);
    return DCS_OK;
}

int dcs_scalegrid_distance(const dcs_scalegrid *g, double x0, double y0, double x1, double y1,
                           double *m)
{
    double len = hypot(x1 - x0, y1 - y0), a, b, c;
    if (!g || !g->inv_k || !(len <= DCS_SCALE_MAX_LEN) || !interpolate(g, x0, y0, &a) ||
        !interpolate(g, x1, y1, &c) || !interpolate(g, (x0 + x1) / 2, (y0 + y1) / 2, &b))
        return 0;
    *m = len * (a + 4 * b + c) / 6; /* Simpson's rule for the integral of 1/k */
    return 1;
}

int dcs_scalegrid_area(const dcs_scalegrid *g, double planar, const double env[4], double cx,
                       double cy, double *m2)
{
    double v;
    if (!g || !g->inv_k || !(hypot(env[2] - env[0], env[3] - env[1]) <= DCS_SCALE_MAX_SIZE) ||
        !interpolate(g, env[0], env[1], &v) || !interpolate(g, env[2], env[3], &v) ||
        !interpolate(g, cx, cy, &v))
        return 0;
    *m2 = planar * v * v;
    return 1;
}

void dcs_scalegrid_free(dcs_scalegrid *g)
{
    free(g->inv_k);
    memset(g, 0, sizeof *g);
}
