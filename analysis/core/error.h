/*
 * error.h - status codes and the error record every engine call fills.
 *
 * The engine never prints and never exits: a function that can fail
 * returns a dcs_status and, when it is not DCS_OK, leaves a message in the
 * caller's dcs_error that names the file, layer, field, key or value at
 * fault (with GDAL's, PROJ's or GEOS's own text where one of them failed).
 * Only the command line turns a status into words on stderr and an exit
 * code.  dcs_error is a plain value: nothing in it needs freeing.
 */
#ifndef DCS_ERROR_H
#define DCS_ERROR_H

#include <stddef.h>

typedef enum {
    DCS_OK = 0,
    DCS_ERR_NOMEM,       /* an allocation failed */
    DCS_ERR_SCENARIO,    /* the scenario file is unreadable or invalid */
    DCS_ERR_DATA,        /* an input layer, field, CRS or geometry is unusable */
    DCS_ERR_IO,          /* an output could not be written */
    DCS_ERR_GEOMETRY,    /* a geometry operation failed (GEOS) */
    DCS_ERR_INTERRUPTED, /* the run was stopped by a signal */
    DCS_ERR_INTERNAL,    /* a broken invariant: a bug in dcsite */
    DCS_STATUS_COUNT     /* number of statuses; keep last */
} dcs_status;

#define DCS_ERROR_MAX 2048

typedef struct {
    dcs_status status;
    char message[DCS_ERROR_MAX];
} dcs_error;

/* Short fixed description of a status ("bad scenario", ...). */
const char *dcs_strerror(dcs_status status);

/* Reset an error record to DCS_OK with an empty message. */
void dcs_error_clear(dcs_error *err);

/* Fill err (when not NULL) with status and a printf-style message;
 * returns status so callers can write `return dcs_error_set(...)`. */
dcs_status dcs_error_set(dcs_error *err, dcs_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the message already in err with more context ("layer 'x': ").
 * Returns err->status. */
dcs_status dcs_error_prefix(dcs_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
