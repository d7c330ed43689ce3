/*
 * csv_line.h - one OGR feature as a line of CSV text, fast.
 *
 * GDAL 3.6's CSV driver spends ~70 us a row of 90 fields (number
 * formatting, quoting, string building in OGRCSVLayer); the GIS writer
 * formats CSV rows itself with these instead, in a third of the CPU.  Columns: the
 * geometry as WKT first when asked (named "WKT", like GDAL's
 * GEOMETRY=AS_WKT), then every field in the definition's order.  Reals
 * have 15 significant digits, like GDAL's CSV writer ("%.15g"; the last
 * digit may differ by one where the decimal value lies within a double's
 * rounding of a tie); integers in full; texts quoted when they hold a
 * comma, a quote, a line break or a leading or trailing space (quotes
 * doubled); null fields empty.  Lines end with "\n".
 *
 * A dcs_csv_buf belongs to its caller (dcs_strbuf_free).  Pure functions
 * of their arguments: thread-safe on distinct buffers.
 */
#ifndef DCS_CSV_LINE_H
#define DCS_CSV_LINE_H

#include "core/strbuf.h"

#include <ogr_api.h>
#include <stddef.h>

typedef dcs_strbuf dcs_csv_buf; /* core/strbuf.h: the caller frees it (dcs_strbuf_free) */

/* The header line: "WKT," when wkt, then the field names. */
void dcs_csv_header(dcs_csv_buf *b, OGRFeatureDefnH defn, int wkt);
/* Feature f's line appended to b (its geometry as WKT when wkt). */
void dcs_csv_line(dcs_csv_buf *b, OGRFeatureH f, int wkt);
/* One cell appended to b, after a comma unless first: a number (NaN:
 * empty), an integer, a text (NULL: empty; quoted as above). */
void dcs_csv_cell_real(dcs_csv_buf *b, int first, double v);
void dcs_csv_cell_int(dcs_csv_buf *b, int first, long long v);
void dcs_csv_cell_text(dcs_csv_buf *b, int first, const char *s);
/* The line's end ("\n"). */
void dcs_csv_end(dcs_csv_buf *b);
/* v with 15 significant digits into out (at least 32 bytes); its length. */
size_t dcs_csv_real(double v, char *out);

#endif
