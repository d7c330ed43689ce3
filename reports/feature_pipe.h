/* feature_pipe.h - write many rows with two threads: one builds, the
 * caller's thread inserts.
 *
 * A worker thread builds the rows (fields, geometry) while the caller's
 * thread inserts them, so building costs no time when a second core is
 * free.  The rows live in a ring of slots reused from one row to the next
 * (nothing allocated per row; a slot may also hold a block of rows).
 *
 * dcs_row_pipe works on slots of any kind (the caller owns them);
 * dcs_feature_pipe on OGR features, which it creates and destroys.
 * fill(ctx, r, slot) builds row r into slot and runs in the worker thread:
 * it must use only objects the caller's thread does not touch meanwhile,
 * and must set everything put reads (the slot still holds an earlier
 * row).  put(ctx, r, slot) runs in the caller's thread, in row order, and
 * inserts the row; DCS_PIPE_LAST ends the pipe after row r (the rows after
 * it are someone else's: rows the worker built ahead are dropped), any
 * other non-zero return stops it at row r.  With threaded 0 (or
 * pthread_create failing) both run in the caller's thread, one row after
 * the other, in slot 0.
 */
#ifndef DCS_FEATURE_PIPE_H
#define DCS_FEATURE_PIPE_H

#include <ogr_api.h>
#include <stddef.h>

#define DCS_PIPE_RING 512 /* feature rows in flight */
#define DCS_PIPE_LAST 2   /* put: row r went in and is the last (see above) */

typedef void (*dcs_row_fill)(void *ctx, size_t r, void *slot);
typedef int (*dcs_row_put)(void *ctx, size_t r, void *slot);

/* Rows 0..n-1 through fill then put, with slots[0 .. nslots) (at least
 * 4 for the two threads to overlap).  Returns n when every put returned
 * 0, r + 1 when put returned DCS_PIPE_LAST for row r, else the row whose
 * put failed. */
size_t dcs_row_pipe(void *const *slots, size_t nslots, size_t n, dcs_row_fill fill,
                    dcs_row_put put, void *ctx, int threaded);

typedef void (*dcs_feature_fill)(void *ctx, size_t r, OGRFeatureH f);
typedef int (*dcs_feature_put)(void *ctx, size_t r, OGRFeatureH f);

/* Rows 0..n-1 of layer definition defn through fill then put (the
 * feature's FID is unset before put).  Returns n when every put returned
 * 0, else the row whose put failed (or n + 1 when out of memory). */
size_t dcs_feature_pipe(OGRFeatureDefnH defn, size_t n, dcs_feature_fill fill,
                        dcs_feature_put put, void *ctx, int threaded);

#endif
