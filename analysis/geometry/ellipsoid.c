/* ellipsoid.c - distances and areas on the WGS 84 ellipsoid (PROJ
 * geodesic.h). See ellipsoid.h. */
#include "geometry/ellipsoid.h"

#include <geodesic.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

/* WGS 84 ellipsoid (NIMA TR8350.2). */
#define WGS84_A 6378137.0
#define WGS84_F (1.0 / 298.257223563)

static struct geod_geodesic wgs84_g;

static void wgs84_init(void)
{
    geod_init(&wgs84_g, WGS84_A, WGS84_F);
}

/* Initialised once, whichever thread comes first. */
static const struct geod_geodesic *wgs84(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, wgs84_init);
    return &wgs84_g;
}

double dcs_geodesic_distance_m(double lon1, double lat1, double lon2, double lat2)
{
    double s12 = 0;
    geod_inverse(wgs84(), lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12;
}

double dcs_geodesic_ring_area_m2(const double *lon, const double *lat, size_t n)
{
    if (n > 1 && lon[0] == lon[n - 1] && lat[0] == lat[n - 1])
        n--;
    if (n < 3)
        return 0;
    struct geod_polygon poly;
    geod_polygon_init(&poly, 0);
    for (size_t i = 0; i < n; i++)
        geod_polygon_addpoint(wgs84(), &poly, lat[i], lon[i]);
    double area = 0;
    geod_polygon_compute(wgs84(), &poly, 0, 1, &area, NULL);
    return fabs(area);
}

/* Geodesic area (m^2) of one ring of a working-CRS polygon: its vertices
 * to lon/lat, then the geodesic polygon area.  NAN when PROJ fails. */
static double ring_area(GEOSContextHandle_t geos, const GEOSGeometry *ring,
                        OGRCoordinateTransformationH work_to_lonlat)
{
    const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(geos, ring) : NULL;
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(geos, seq, &n))
        return NAN;
    double *x = malloc(2 * (size_t)n * sizeof *x + 1), a = NAN;
    if (x && GEOSCoordSeq_copyToArrays_r(geos, seq, x, x + n, NULL, NULL) &&
        OCTTransform(work_to_lonlat, (int)n, x, x + n, NULL))
        a = dcs_geodesic_ring_area_m2(x, x + n, n);
    free(x);
    return a;
}

double dcs_geodesic_area_m2(GEOSContextHandle_t geos, const GEOSGeometry *g,
                            OGRCoordinateTransformationH work_to_lonlat)
{
    double a = 0;
    int t = GEOSGeomTypeId_r(geos, g);
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        for (int k = 0; k < GEOSGetNumGeometries_r(geos, g); k++)
            a += dcs_geodesic_area_m2(geos, GEOSGetGeometryN_r(geos, g, k), work_to_lonlat);
        return a;
    }
    if (t != GEOS_POLYGON)
        return 0;
    a = ring_area(geos, GEOSGetExteriorRing_r(geos, g), work_to_lonlat);
    for (int k = 0; k < GEOSGetNumInteriorRings_r(geos, g); k++)
        a -= ring_area(geos, GEOSGetInteriorRingN_r(geos, g, k), work_to_lonlat);
    return a;
}
