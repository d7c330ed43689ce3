/*
 * libctx.h - the libraries dcsite runs on, set up for the process and for
 * each thread: the bottom of the engine, below every module that touches
 * GDAL, GEOS or PROJ.
 *
 * dcs_init() is called once per process, before any other dcs_ function
 * that touches data: it turns SQLite's memory statistics off (they take a
 * global mutex on every allocation), registers GDAL's drivers and keeps
 * GDAL's messages from being printed (they reach the user through
 * dcs_error).  Not thread-safe: call it before starting threads.
 *
 * GEOS: every thread that does geometry has a context of its own
 * (dcs_geos_init(), freed by dcs_geos_finish()); a context is never used
 * by two threads at once.  Its notices and errors are kept quiet: a GEOS
 * failure reaches the user as the calling module's dcs_error.
 *
 * PROJ: each OGR coordinate transformation dcsite creates is used by one
 * thread only (each measuring thread makes its own, see measure.h and
 * raster.h); GDAL gives every thread its own PROJ context, so nothing
 * needs setting up here.
 */
#ifndef DCS_LIBCTX_H
#define DCS_LIBCTX_H

#include <geos_c.h>

void dcs_init(void);

/* A GEOS context whose messages are kept (not printed); NULL when out of
 * memory.  Free with dcs_geos_finish() (NULL is fine). */
GEOSContextHandle_t dcs_geos_init(void);
void dcs_geos_finish(GEOSContextHandle_t geos);

#endif
