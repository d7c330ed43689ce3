/*
 * hourly.h - hourly grid signals per region and an hourly clean-supply
 * shape, read from any OGR-readable table (docs/methods.md, "Hour by hour
 * against the grid").  A file whose name ends in ".gz" is read through
 * GDAL's /vsigzip/.
 *
 * The signal table is long: one row per region and hour, the hour a whole
 * number from 1 (1 January, 00:00-01:00 local standard time) to 8760 (no
 * 29 February).  dcs_hourly_load() keeps, per region, DCS_HOURS values of
 * each signal the spec names (spec->fields[k]; with auto_fields, every
 * signal whose default column name, dcs_signal_names[k], the table has).
 * Each problem is appended to `problems` naming the file, the region and
 * the hour (a missing, repeated or out-of-range hour, a value that is not
 * a number, a CFE share outside 0-1, a region with fewer than 8760 hours),
 * at most DCS_HOURLY_MAX_PROBLEMS of them; any problem fails the load with
 * DCS_ERR_DATA and the first one in err.  The clean supply is one profile
 * of DCS_HOURS MW values, checked the same way.
 *
 * Ownership: dcs_hourly_free() frees a signal set (safe on a zeroed or
 * failed one); the supply array is the caller's to free().  Reading is
 * single-threaded; a loaded set is read-only and may be shared.
 */
#ifndef DCS_HOURLY_H
#define DCS_HOURLY_H

#include <stddef.h>

#include "core/error.h"
#include "core/strlist.h"
#include "energy/hourly_grid.h"
#include "inputs/scenario.h"

#define DCS_HOURLY_MAX_PROBLEMS 20

typedef struct {
    char *key;                 /* the region's value of the key field */
    double *sig[DCS_SIG_COUNT]; /* DCS_HOURS values each; NULL when not read */
} dcs_hourly_region;

typedef struct {
    size_t n;
    dcs_hourly_region *region; /* sorted by key */
    int has[DCS_SIG_COUNT];    /* 1 when the signal was read */
} dcs_hourly;

dcs_status dcs_hourly_load(const dcs_hourly_spec *spec, int auto_fields, dcs_hourly *out,
                           dcs_strlist *problems, dcs_error *err);

/* The region named key, or NULL. */
const dcs_hourly_region *dcs_hourly_find(const dcs_hourly *h, const char *key);

void dcs_hourly_free(dcs_hourly *h);

/* *mw: DCS_HOURS values (malloc'd, the caller frees) on success. */
dcs_status dcs_supply_load(const dcs_supply_spec *spec, double **mw, dcs_strlist *problems,
                           dcs_error *err);

#endif
