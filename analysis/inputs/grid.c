/* grid.c - square and hexagonal lattices. See grid.h. */
#include "inputs/grid.h"

#include <math.h>
#include <stdio.h>

/* Square side, or hexagon circumradius R (area = 3 sqrt(3) / 2 R^2). */
static double cell_size(dcs_grid_shape shape, double area)
{
    return shape == DCS_GRID_SQUARE ? sqrt(area) : sqrt(2.0 * area / (3.0 * sqrt(3.0)));
}

/* Centre of cell (i, j).  Hexagons are pointy-topped in axial (q, r):
 * x = sqrt(3) R (q + r / 2), y = 3/2 R r. */
static void cell_centre(dcs_grid_shape shape, double size, long i, long j, double *x,
                        double *y)
{
    if (shape == DCS_GRID_SQUARE) {
        *x = (i + 0.5) * size;
        *y = (j + 0.5) * size;
    } else {
        *x = sqrt(3.0) * size * (i + j / 2.0);
        *y = 1.5 * size * j;
    }
}

size_t dcs_grid_visit_box(dcs_grid_shape shape, double cell_area_m2, double minx, double miny,
                          double maxx, double maxy, dcs_grid_visit visit, void *user)
{
    double s = cell_size(shape, cell_area_m2);
    double dy = shape == DCS_GRID_SQUARE ? s : 1.5 * s;
    double dx = shape == DCS_GRID_SQUARE ? s : sqrt(3.0) * s;
    size_t n = 0;
    long j0 = (long)floor(miny / dy) - 1, j1 = (long)ceil(maxy / dy) + 1;
    for (long j = j0; j <= j1; j++) {
        double shift = shape == DCS_GRID_SQUARE ? 0.5 : j / 2.0; /* centre of i = 0, in dx */
        long i0 = (long)floor(minx / dx - shift) - 1, i1 = (long)ceil(maxx / dx - shift) + 1;
        for (long i = i0; i <= i1; i++) {
            double x, y;
            cell_centre(shape, s, i, j, &x, &y);
            if (x < minx || x > maxx || y < miny || y > maxy)
                continue;
            n++;
            if (visit && visit(user, i, j, x, y))
                return n;
        }
    }
    return n;
}

GEOSGeometry *dcs_grid_cell(GEOSContextHandle_t geos, dcs_grid_shape shape,
                            double cell_area_m2, long i, long j)
{
    double s = cell_size(shape, cell_area_m2), cx, cy, x[7], y[7];
    cell_centre(shape, s, i, j, &cx, &cy);
    int n = shape == DCS_GRID_SQUARE ? 4 : 6;
    for (int k = 0; k < n; k++) {
        /* squares: corners at 45 + 90k degrees; hexagons: 30 + 60k (pointy top) */
        double a = (shape == DCS_GRID_SQUARE ? 45.0 + 90.0 * k : 30.0 + 60.0 * k) * M_PI / 180;
        double r = shape == DCS_GRID_SQUARE ? s / sqrt(2.0) : s;
        x[k] = cx + r * cos(a);
        y[k] = cy + r * sin(a);
    }
    x[n] = x[0];
    y[n] = y[0];
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(geos, x, y, NULL, NULL, (unsigned)n + 1);
    GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(geos, seq) : NULL;
    return ring ? GEOSGeom_createPolygon_r(geos, ring, NULL, 0) : NULL;
}

void dcs_grid_cell_id(dcs_grid_shape shape, long i, long j, char *buf, size_t size)
{
    snprintf(buf, size, "%s_%ld_%ld", shape == DCS_GRID_SQUARE ? "sq" : "hex", i, j);
}
