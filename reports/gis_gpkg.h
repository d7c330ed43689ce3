/*
 * gis_gpkg.h - the rows of a GeoPackage's "candidates" or
 * "eligible_points" layer, inserted without OGR (gpkg_rows.h).
 *
 * report_gis.c lets GDAL create the file, the empty layers with their
 * fields, the metadata and the styles, closes it, then calls
 * dcs_gis_gpkg_rows() for each layer: the rows go in through one prepared
 * INSERT on the caller's thread while a worker thread (feature_pipe.h's
 * row pipe, unless threaded is 0) builds each row's geometry blob and
 * reasons text.  The values and their order are gis_fields.h's, the same
 * as an OGR writer's; FIDs are 1..n in row order.
 *
 * With split, the rows may be shared with a second thread when the
 * second core is free: at once when no other report is being written
 * (busy NULL or 0) and there are 50 000 rows or more; else as soon as
 * *busy drops to 0 (the thread writing the maps or the workbook is done;
 * checked every 1024 rows) and 50 000 rows or more are left.  The second
 * thread writes the second half of the rows (left) into a side file
 * beside the GeoPackage (PATH-rows, registered with output.h) through its
 * own connection while the caller writes the rest; SQLite then copies
 * them in as they are (gpkg_rows.h: dcs_gpkg_rows_merge), and the side
 * file is deleted.  The rows, FIDs, extent, count and spatial index are
 * those one connection writes.  Measured in tests/bench/RESULTS.md (issue
 * 28, fifth and sixth rounds): beside the maps, with both cores already
 * busy, splitting was slower, hence the wait for the other thread.
 *
 * The transformations given are cloned for the worker; the caller keeps
 * its own.  boxes (optional) receives each row's FID and box for the
 * spatial index (gpkg_rtree.h).  Progress: "writing candidates" (or
 * "writing eligible points") row by row, then "committing ...".
 */
#ifndef DCS_GIS_GPKG_H
#define DCS_GIS_GPKG_H

#include <ogr_api.h>
#include <stdatomic.h>

#include "gpkg_rtree.h"
#include "report_common.h"

typedef struct {
    const dcs_result *res;
    const char *path;                 /* the GeoPackage, closed by GDAL */
    const char *table, *fid_col;      /* the layer GDAL created, empty */
    const char *geom_col;             /* NULL: a table without geometry */
    const char *const *columns;       /* its fields, in gis_fields.h's order */
    int ncolumns;
    int points;                       /* rows are the eligible sites in rank order */
    int as_point;                     /* geometry: the site's point (lon, lat) */
    int multi;                        /* polygons written as multipolygons */
    OGRCoordinateTransformationH to_out;    /* working CRS -> layer's, NULL: same */
    OGRCoordinateTransformationH ll_to_out; /* lon/lat -> layer's (as_point) */
    const dcs_progress *progress;     /* may be NULL */
    int threaded;
    int split;                        /* a second thread may write half the rows */
    const atomic_int *busy;           /* non-zero while another thread writes other
                                         reports (NULL: none); see above */
    dcs_rtree_boxes *boxes;           /* may be NULL */
} dcs_gis_gpkg_layer;

dcs_status dcs_gis_gpkg_rows(const dcs_gis_gpkg_layer *L, dcs_error *err);

#endif
