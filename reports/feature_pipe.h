/* feature_pipe.h - write many features to an OGR layer with two threads.
 *
 * A worker thread builds the features (fields, geometry) while the
 * caller's thread inserts them, so building costs no time when a second
 * core is free.  The features live in a small ring reused from one row to
 * the next (no OGR_F_Create/OGR_F_Destroy per row); the pipe owns them.
 *
 * fill(ctx, r, f) builds row r into f and runs in the worker thread: it
 * must use only objects the caller's thread does not touch meanwhile, and
 * must set every field and the geometry (f still holds an earlier row).
 * put(ctx, r, f) runs in the caller's thread, in row order, and inserts f
 * (after e.g. a coordinate transformation); a non-zero return stops the
 * pipe.  With threaded 0 (or pthread_create failing) both run in the
 * caller's thread, one row after the other.
 */
#ifndef DCS_FEATURE_PIPE_H
#define DCS_FEATURE_PIPE_H

#include <ogr_api.h>
#include <stddef.h>

typedef void (*dcs_feature_fill)(void *ctx, size_t r, OGRFeatureH f);
typedef int (*dcs_feature_put)(void *ctx, size_t r, OGRFeatureH f);

/* Rows 0..n-1 through fill then put.  Returns n when every put returned
 * 0, else the row whose put failed (or n + 1 when out of memory). */
size_t dcs_feature_pipe(OGRFeatureDefnH defn, size_t n, dcs_feature_fill fill,
                        dcs_feature_put put, void *ctx, int threaded);

#endif
