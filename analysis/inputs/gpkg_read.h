/*
 * gpkg_read.h - the rows of a GeoPackage layer read through SQLite, for
 * the candidate sites.
 *
 * Reading a million parcels through OGR costs ~1.8 s on the reading
 * thread: OGR builds a feature and a geometry object for each row, and
 * dcsite writes the geometry back to WKB for GEOS (issue 28, fifth round).
 * A GeoPackage is a SQLite file whose geometries are already WKB behind a
 * small header (GeoPackage 1.3, clause 2.1.3), so this module reads the
 * same table through its own read-only SQLite connection and hands the
 * WKB on as it is stored.
 *
 * It answers only what it can answer exactly as OGR would:
 *  - dcs_gpkg_reader_open() returns NULL (read through OGR then) unless
 *    the layer is a GeoPackage table in a local file, with an FID column
 *    and a geometry column, every field asked for is text, integer or
 *    real, and SQLite accepts the statement OGR's GeoPackage driver runs
 *    (the same select, the layer's `where` verbatim, as OGR passes it to
 *    SQLite), so the rows come in the same order;
 *  - a row is "plain" when its geometry is a standard GeoPackage blob
 *    (not empty, not extended) holding little-endian 2D ISO WKB of a
 *    Polygon or MultiPolygon whose rings have 4 points or more, whose
 *    area is clearly above 0 (so OGR_G_Area() > 0 too), and every value
 *    asked for has the storage class OGR's type expects.  Any other row
 *    (no geometry, points, curves, Z or M, big-endian, a degenerate
 *    polygon, an integer too large for an OFTInteger ...) is for the
 *    caller to fetch by its FID through OGR, which then decides exactly
 *    as before.
 *
 * Set the environment variable DCSITE_GPKG_DIRECT=0 to read every layer
 * through OGR (a diagnostic switch, and how the tests compare the paths).
 *
 * Ownership: the reader owns its connection and statement;
 * dcs_gpkg_reader_close() frees them.  Values and WKB returned point into
 * SQLite's row and are valid until the next dcs_gpkg_reader_next().  One
 * reader belongs to one thread.
 */
#ifndef DCS_GPKG_READ_H
#define DCS_GPKG_READ_H

#include <stddef.h>

#include "core/error.h"
#include "inputs/layers.h"

typedef struct dcs_gpkg_reader dcs_gpkg_reader;

typedef struct {
    long long fid;
    int plain;                /* 1: the WKB and values below are usable as they are */
    const unsigned char *wkb; /* the blob's WKB (plain rows) */
    size_t wkb_size;
} dcs_gpkg_row;

/* A reader of layer L's rows with the fields fields[0 .. nfields) (OGR
 * field indexes), or NULL when the layer is not one it reads exactly
 * (then read through OGR). */
dcs_gpkg_reader *dcs_gpkg_reader_open(const dcs_layer *L, const int *fields, size_t nfields);

/* The next row: DCS_OK with *done 0, or *done 1 at the end; DCS_ERR_IO
 * naming the dataset, the layer and SQLite's message when the read fails. */
dcs_status dcs_gpkg_reader_next(dcs_gpkg_reader *r, dcs_gpkg_row *row, int *done,
                                dcs_error *err);

/* Field k of the current plain row (k indexes the reader's fields):
 * null?, its text as OGR_F_GetFieldAsString() gives it (NULL when null),
 * and as dcs_field_double() reads it (NaN when null). */
int dcs_gpkg_reader_null(const dcs_gpkg_reader *r, size_t k);
const char *dcs_gpkg_reader_text(dcs_gpkg_reader *r, size_t k);
double dcs_gpkg_reader_double(const dcs_gpkg_reader *r, size_t k);

void dcs_gpkg_reader_close(dcs_gpkg_reader *r);

/* The WKB of a GeoPackage geometry blob when it is plain (see above;
 * *wkb points into blob), else 0.  Pure: exposed for the unit tests. */
int dcs_gpkg_plain_polygon(const unsigned char *blob, size_t size, const unsigned char **wkb,
                           size_t *wkb_size);

#endif
