/*
 * gpkg_rtree.h - a GeoPackage layer's spatial index (the gpkg_rtree_index
 * extension) built in one pass from the rows' bounding boxes.
 *
 * GDAL 3.6 fills a GeoPackage R-tree one row at a time through SQLite's
 * R*-tree insertion (~9 us a row: ~10 s at 1M sites, in a background
 * thread or at close).  Here the writer collects each row's FID and box
 * while it inserts the rows into a layer created with SPATIAL_INDEX=NO;
 * after GDAL has closed the file, dcs_gpkg_rtree_write() sorts the boxes
 * along a Hilbert curve, packs them into full nodes bottom-up and writes
 * the R-tree's node, rowid and parent tables directly (SQLite's own node
 * format: what `rtreecheck()` validates), then the GeoPackage triggers
 * that keep the index current on later edits and the gpkg_extensions row.
 * The result is the table GDAL would have made, with the same name,
 * triggers and extension row; only the tree's shape differs (packed).
 *
 * A dcs_rtree_boxes belongs to its caller (dcs_rtree_boxes_free); it is
 * not thread-safe.  dcs_gpkg_rtree_write opens the file with its own
 * SQLite connection: nothing else may have it open for writing.
 */
#ifndef DCS_GPKG_RTREE_H
#define DCS_GPKG_RTREE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct {
    int64_t *fid;
    float *box; /* 4 a row: minx, maxx, miny, maxy, rounded outwards to float */
    size_t n, cap;
} dcs_rtree_boxes;

/* Row fid with the box [minx, maxx] x [miny, maxy]; 0 when out of memory. */
int dcs_rtree_boxes_add(dcs_rtree_boxes *b, int64_t fid, double minx, double maxx, double miny,
                        double maxy);
void dcs_rtree_boxes_free(dcs_rtree_boxes *b);

/* Create rtree_<table>_<geom> in the GeoPackage at path holding the boxes
 * of b (reordered in place), with its triggers and extension row. */
dcs_status dcs_gpkg_rtree_write(const char *path, const char *table, const char *geom,
                                const char *fid_col, dcs_rtree_boxes *b, dcs_error *err);

#endif
