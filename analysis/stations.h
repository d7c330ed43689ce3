/*
 * stations.h - the weather stations of a scenario and their modelled year.
 *
 * dcs_stations_load() reads each weather file the scenario lists (and each
 * one named in its station table), runs the energy model once per station
 * for the scenario's cooling design and IT load, and indexes the stations'
 * positions (from the files' headers) for the nearest-station search.
 * Warnings from the weather readers are kept, prefixed with the file.
 *
 * Ownership: dcs_stations owns its files, results, index and warnings;
 * dcs_stations_free().
 */
#ifndef DCS_STATIONS_H
#define DCS_STATIONS_H

#include <geos_c.h>
#include <stddef.h>

#include "context.h"
#include "energy.h"
#include "error.h"
#include "geo.h"
#include "layers.h"
#include "scenario.h"
#include "strlist.h"

typedef struct {
    char *file;
    dcs_weather_format format;
    char name[128];
    double lon, lat, elevation_m;
    dcs_energy energy;
} dcs_station;

typedef struct {
    size_t n;
    dcs_station *st;
    dcs_polyset points; /* in the working CRS, same order */
    dcs_strlist warnings;
} dcs_stations;

/* table: the station table layer (NULL when none) and its file field. */
dcs_status dcs_stations_load(const dcs_scenario *scn, dcs_layer *table, int file_field,
                             const dcs_crs *crs, GEOSContextHandle_t geos, dcs_stations *s,
                             dcs_error *err);

/* Read every weather file the scenario names (list and table), appending
 * one problem per file that cannot be used; for `dcsite check`. */
dcs_status dcs_stations_check(const dcs_scenario *scn, dcs_layer *table, int file_field,
                              dcs_strlist *problems, dcs_error *err);

void dcs_stations_free(dcs_stations *s);

#endif
