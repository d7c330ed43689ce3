/*
 * geo.h - geodesy on the WGS 84 ellipsoid and the working CRS.
 *
 * Distances and areas that dcsite reports are taken on the ellipsoid, so
 * they do not depend on the map projection: with PROJ's geodesic routines
 * (Karney's algorithms) here, or, where it has been checked to agree, with
 * the working CRS's scale table (scalegrid.h).  The working CRS is the metric
 * projection in which GEOS does its geometry (nearest points, overlaps):
 * the UTM zone of the candidate sites' centre unless the scenario names
 * one.
 *
 * Ownership: dcs_crs_open() fills a dcs_crs with OGR spatial references,
 * transformations and the scale table; dcs_crs_close() frees them.
 */
#ifndef DCS_GEO_H
#define DCS_GEO_H

#include <stddef.h>
#include <geos_c.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "core/error.h"
#include "geometry/ellipsoid.h"
#include "geometry/scalegrid.h"

/* EPSG code of the UTM zone (WGS 84) holding lon/lat: 326zz north,
 * 327zz south. */
int dcs_utm_epsg(double lon, double lat);

typedef struct {
    OGRSpatialReferenceH lonlat;  /* WGS 84, longitude first */
    OGRSpatialReferenceH work;    /* the metric working CRS */
    OGRCoordinateTransformationH work_to_lonlat;
    dcs_scalegrid scale;          /* its scale factor over the box (scalegrid.h) */
    char name[128];               /* e.g. "EPSG:32614 (WGS 84 / UTM zone 14N)" */
} dcs_crs;

/* Set up the working CRS: `given` (any definition GDAL/PROJ accepts, e.g.
 * "EPSG:32614") or, when NULL, the UTM zone of the lon/lat box centre.
 * The working CRS must be projected with metre units.  Its scale factor
 * is tabulated over the box plus DCS_SCALE_MAX_LEN on every side, when it
 * can be (crs->scale.inv_k is NULL when not). */
dcs_status dcs_crs_open(dcs_crs *crs, const char *given, double minlon, double minlat,
                        double maxlon, double maxlat, dcs_error *err);

void dcs_crs_close(dcs_crs *crs);

/* A new spatial reference with traditional GIS axis order (x = easting or
 * longitude) whatever the authority says; NULL on failure. */
OGRSpatialReferenceH dcs_srs_clone_gis_order(OGRSpatialReferenceH srs);

/* "EPSG:4326" style name of srs, or its name when it has no code. */
void dcs_srs_describe(OGRSpatialReferenceH srs, char *buf, size_t size);

#endif
