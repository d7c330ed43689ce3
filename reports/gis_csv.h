/*
 * gis_csv.h - the candidates (or the eligible points) as a CSV file,
 * formatted by dcsite on both cores.
 *
 * The columns are GDAL's CSV driver's for the same layer (csv_line.h:
 * "WKT" first unless there is no geometry, then the fields of
 * gis_fields.h in their order).  The rows are formatted in blocks: a
 * worker thread formats the first half of each block while the caller's
 * thread formats the second half of the block before it and writes both
 * (feature_pipe.h's row pipe over blocks), so formatting -- the whole
 * cost of a CSV file -- runs on two cores.  A failed write (a full disk)
 * is seen by stdio; nothing is read back.
 *
 * The transformations given are cloned for the worker.  Progress:
 * "writing candidates" (or "writing eligible points") block by block.
 */
#ifndef DCS_GIS_CSV_H
#define DCS_GIS_CSV_H

#include <ogr_api.h>

#include "report_common.h"

typedef struct {
    const dcs_result *res;
    const char *path;                 /* the file to create */
    OGRFeatureDefnH defn;             /* the fields, for the header */
    int points;                       /* rows: the eligible sites in rank order */
    int wkt;                          /* a WKT geometry column first */
    int as_point;                     /* geometry: the site's point (lon, lat) */
    int multi;                        /* polygons written as multipolygons */
    OGRCoordinateTransformationH to_out;    /* working CRS -> output, NULL: same */
    OGRCoordinateTransformationH ll_to_out; /* lon/lat -> output (as_point) */
    const dcs_progress *progress;     /* may be NULL */
    int threaded;
} dcs_gis_csv_layer;

dcs_status dcs_gis_csv_write(const dcs_gis_csv_layer *L, dcs_error *err);

#endif
