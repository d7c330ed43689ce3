/*
 * scalegrid.h - ground distances and areas from working-CRS coordinates,
 * through a table of the working CRS's point scale factor.
 *
 * A geodesic distance between two points of the working CRS takes two PROJ
 * transformations and a geodesic inverse (geo.h): about 1.5 microseconds,
 * the largest single cost of measuring a large region.  In a conformal
 * projection (UTM, transverse Mercator, Lambert conformal conic, ...) the
 * scale factor k does not depend on direction, so a short ground length is
 * the integral of |dp| / k along the planar segment, and a small ground
 * area is the planar area / k^2 at its centroid.
 *
 * A dcs_scalegrid holds 1/k at the nodes of a regular grid over a box of
 * the working CRS, each measured with the CRS's own PROJ transformation and
 * PROJ's geodesic: the ground length of a 200 m chord through the node, in
 * x, in y and diagonally.  Between nodes, 1/k is interpolated bilinearly.
 * The nodes sit on one lattice (multiples of DCS_SCALE_STEP) whatever the
 * box, so a site measures the same in any run whose table holds it.
 *
 * It is only used where it has been checked to hold:
 *  - the CRS is conformal over the box: at every node the three chord
 *    scales agree within DCS_SCALE_TOL (else no table is kept);
 *  - interpolation: at every cell centre the interpolated 1/k agrees with
 *    the measured one within DCS_SCALE_TOL (else no table is kept; in UTM
 *    the error is about 1.3e-8);
 *  - distances: both ends inside the box and at most DCS_SCALE_MAX_LEN
 *    apart (Simpson's rule over the two ends and the middle);
 *  - areas: the envelope inside the box with a diagonal of at most
 *    DCS_SCALE_MAX_SIZE.
 * The caller measures everything else with the geodesic (geo.h).  The
 * bounds and the unit test are in tests/unit/test_scalegrid.c.
 *
 * Ownership: dcs_scalegrid_build() allocates the table and
 * dcs_scalegrid_free() frees it.  It is read-only once built: threads
 * share one.
 */
#ifndef DCS_SCALEGRID_H
#define DCS_SCALEGRID_H

#include <ogr_srs_api.h>

#include "core/error.h"

#define DCS_SCALE_STEP 2048.0       /* m: node spacing */
#define DCS_SCALE_TOL 5e-8          /* relative: conformality, interpolation */
#define DCS_SCALE_MAX_LEN 50000.0   /* m: longest distance taken from the table */
#define DCS_SCALE_MAX_SIZE 5000.0   /* m: largest envelope diagonal for areas */

typedef struct {
    double x0, y0;  /* node (0, 0), working CRS */
    double step;    /* node spacing, m */
    double i0, j0;  /* node (0, 0) is lattice node (i0, j0): x0 = i0 * step */
    int nx, ny;     /* nodes per row, rows */
    double *inv_k;  /* 1/k at the nodes, row j from inv_k + j * nx; NULL: no table */
} dcs_scalegrid;

/* Tabulate 1/k over box (min x, min y, max x, max y in the working CRS)
 * through work_to_lonlat (a working CRS -> WGS 84 lon/lat transformation).
 * DCS_OK with g->inv_k NULL when the table cannot be trusted there (the CRS
 * is not conformal, or too curved for the spacing) or the box needs more
 * than 50,000 nodes (460 km square); DCS_ERR_NOMEM. */
dcs_status dcs_scalegrid_build(dcs_scalegrid *g, OGRCoordinateTransformationH work_to_lonlat,
                               const double box[4]);

/* Ground length in m of the segment (x0, y0) - (x1, y1): 1 and *m set when
 * the table answers, 0 when the caller must use the geodesic. */
int dcs_scalegrid_distance(const dcs_scalegrid *g, double x0, double y0, double x1, double y1,
                           double *m);

/* Ground area in m^2 of a polygon of planar area `planar` m^2, envelope env
 * (min x, min y, max x, max y) and centroid (cx, cy): 1 and *m2 set when the
 * table answers, 0 when the caller must use the geodesic. */
int dcs_scalegrid_area(const dcs_scalegrid *g, double planar, const double env[4], double cx,
                       double cy, double *m2);

void dcs_scalegrid_free(dcs_scalegrid *g);

#endif
