/*
 * gpkg_rows.h - a GeoPackage layer's rows inserted with one prepared
 * statement, without OGR.
 *
 * GDAL 3.6 spends ~8 us a row of 90 fields in OGR's feature machinery
 * (OGRFeature field access, its own binding and geometry serialisation)
 * on the one thread that holds the file: at 1M sites that thread was the
 * whole run's serial floor (tests/bench/RESULTS.md, issue 28).  Here GDAL
 * still creates the file and its (empty) layers, with every field, the
 * metadata and the styles; once it has closed the file, one SQLite
 * connection inserts the rows with a prepared INSERT in one transaction.
 * The geometry blobs (GeoPackage header, envelope, ISO WKB) are built by
 * dcs_gpkg_blob() in whatever thread the caller likes (the row pipe's
 * worker), so the inserting thread only binds values and steps.
 *
 * Around the rows, the writer keeps what GDAL keeps: the layer's extent
 * in gpkg_contents and its feature_count in gpkg_ogr_contents (GDAL's
 * counting triggers are dropped during the insert and re-created with
 * their own SQL).  The spatial index is gpkg_rtree.h's, from the boxes
 * dcs_gpkg_blob() reports.
 *
 * Ownership: dcs_gpkg_rows_open() returns a writer that
 * dcs_gpkg_rows_close() frees (committing or rolling back); a
 * dcs_gpkg_blob belongs to its caller (dcs_gpkg_blob_free).  A writer is
 * used from one thread; dcs_gpkg_blob() is reentrant.  Text and blobs
 * bound to a row must live until dcs_gpkg_rows_put() returns.
 */
#ifndef DCS_GPKG_ROWS_H
#define DCS_GPKG_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/strbuf.h"

typedef struct dcs_gpkg_rows dcs_gpkg_rows;

/* A geometry as a GeoPackage blob (empty when bytes.len is 0: a null
 * geometry), with its box when it has one. */
typedef struct {
    dcs_strbuf bytes; /* the blob: bytes.p, bytes.len */
    int has_box;
    double box[4]; /* minx, maxx, miny, maxy */
} dcs_gpkg_blob;

/* b = the GeoPackage blob of the 2D ISO WKB wkb[0 .. n) (little or big
 * endian; types Point .. GeometryCollection) in SRS srs_id; with
 * as_multi, a Polygon is written as a MultiPolygon of one part.  Points
 * carry no envelope (as GDAL writes them); empty geometries the empty
 * flag.  Returns 1, 0 for a WKB it cannot read (e.g. Z or M), -1 when
 * out of memory. */
int dcs_gpkg_blob_make(dcs_gpkg_blob *b, const unsigned char *wkb, size_t n, int32_t srs_id,
                       int as_multi);
void dcs_gpkg_blob_free(dcs_gpkg_blob *b);

/* A writer for table (created by GDAL, empty) in the GeoPackage at path,
 * which nothing else has open: fid_col its key, geom_col its geometry
 * column (NULL: none), columns[0 .. ncolumns) its fields in the order
 * they will be bound.  Its SRS id is read from gpkg_geometry_columns. */
dcs_status dcs_gpkg_rows_open(const char *path, const char *table, const char *fid_col,
                              const char *geom_col, const char *const *columns, int ncolumns,
                              dcs_gpkg_rows **out, dcs_error *err);

/* Rows written by a second thread at once: a side writer of main writer w
 * (opened by w's thread, at any time while w is open) puts its rows into a
 * new SQLite file side_path holding an empty copy of w's table (the
 * GeoPackage's own CREATE TABLE and page size, read through w's
 * connection; no journal), with dcs_gpkg_rows_put() as usual, FIDs after
 * the main writer's; then dcs_gpkg_rows_commit_side() in its thread.
 * Once that thread is done, dcs_gpkg_rows_merge() attaches the side file
 * to w's connection (committing w's rows so far into the temporary file:
 * ATTACH cannot run inside a transaction), copies its rows into w's new
 * transaction (SQLite copies the records as they are, ~1 us a row instead
 * of ~4.7 us to insert one) and frees the side writer; the caller deletes
 * side_path after closing the main writer (register it with output.h
 * first).  A side writer's SRS id is 0: blobs use the main writer's. */
dcs_status dcs_gpkg_rows_open_side(const dcs_gpkg_rows *w, const char *side_path,
                                   const char *fid_col, const char *geom_col,
                                   const char *const *columns, int ncolumns,
                                   dcs_gpkg_rows **out, dcs_error *err);
dcs_status dcs_gpkg_rows_commit_side(dcs_gpkg_rows *side, dcs_error *err);
dcs_status dcs_gpkg_rows_merge(dcs_gpkg_rows *w, dcs_gpkg_rows *side, dcs_error *err);

/* The layer's SRS id (0 when it has no geometry column). */
int32_t dcs_gpkg_rows_srs(const dcs_gpkg_rows *w);

/* Field k (0-based, in the order given to open) of the row being built. */
void dcs_gpkg_rows_real(dcs_gpkg_rows *w, int k, double v); /* NaN: null */
void dcs_gpkg_rows_int(dcs_gpkg_rows *w, int k, int64_t v);
void dcs_gpkg_rows_text(dcs_gpkg_rows *w, int k, const char *s); /* NULL: null */
void dcs_gpkg_rows_null(dcs_gpkg_rows *w, int k);

/* Insert the row with key fid and geometry g (NULL or empty: null); -1
 * on failure (dcs_gpkg_rows_close says why). */
int dcs_gpkg_rows_put(dcs_gpkg_rows *w, int64_t fid, const dcs_gpkg_blob *g);

/* Commit (ok 1: extent, feature count, triggers back, COMMIT) or roll
 * back (ok 0), then free w.  On a failed put or commit, err says why,
 * naming path and table.  NULL w: DCS_OK. */
dcs_status dcs_gpkg_rows_close(dcs_gpkg_rows *w, int ok, dcs_error *err);

#endif
