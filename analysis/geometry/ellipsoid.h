/*
 * ellipsoid.h - distances and areas on the WGS 84 ellipsoid, with PROJ's
 * geodesic routines (Karney, "Algorithms for geodesics", J. Geodesy 87,
 * 2013).  The bottom of the geometry kernels: it knows nothing of the
 * working CRS except through the transformation a caller passes in, so
 * both geo.h (the working CRS) and scalegrid.h (its scale table) build on
 * it.
 *
 * Pure functions, thread-safe: the ellipsoid is set up once, whichever
 * thread comes first (pthread_once).  Nothing to free.
 */
#ifndef DCS_ELLIPSOID_H
#define DCS_ELLIPSOID_H

#include <stddef.h>

#include <geos_c.h>
#include <ogr_srs_api.h>

/* Geodesic distance in metres between two lon/lat points (degrees). */
double dcs_geodesic_distance_m(double lon1, double lat1, double lon2, double lat2);

/* Area in m^2 enclosed by a ring of lon/lat vertices (degrees); the ring
 * may or may not repeat its first vertex.  Always >= 0. */
double dcs_geodesic_ring_area_m2(const double *lon, const double *lat, size_t n);

/* Geodesic area in m^2 of a GEOS (multi)polygon in the working CRS: the
 * vertices to lon/lat through work_to_lonlat, each ring's area between
 * them on the ellipsoid, outer rings minus holes.  0 for points and lines,
 * NAN when PROJ cannot transform a vertex. */
double dcs_geodesic_area_m2(GEOSContextHandle_t geos, const GEOSGeometry *g,
                            OGRCoordinateTransformationH work_to_lonlat);

#endif
