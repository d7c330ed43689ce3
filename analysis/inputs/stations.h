/*
 * stations.h - the weather stations of a scenario and their modelled year.
 *
 * dcs_stations_load() reads each weather file the scenario lists (and each
 * one named in its station table), runs the energy model once per station
 * for the scenario's cooling design and IT load, and indexes the stations'
 * positions (from the files' headers) for the nearest-station search.
 * Warnings from the weather readers are kept, prefixed with the file.
 *
 * The same work can be shared with other threads: dcs_stations_begin()
 * lists the files (reading the station table, so in the thread that owns
 * it); dcs_stations_model_next() models one more station and may be called
 * from any number of threads at once until it returns 0;
 * dcs_stations_finish() (after every other thread has stopped calling it)
 * models whatever is left, reports the failure of the first file in list
 * order, keeps the warnings in list order and indexes the positions.
 * Which thread modelled which station changes nothing in the result.
 *
 * With energy.hourly_signals each station also keeps its year hour by hour
 * (hourly_mw: the facility's power, for inputs/hourly.h and
 * energy/hourly_grid.h).
 *
 * Ownership: dcs_stations owns its files, results, hourly power, index and warnings;
 * dcs_stations_free() (also between begin and finish).
 */
#ifndef DCS_STATIONS_H
#define DCS_STATIONS_H

#include <geos_c.h>
#include <stddef.h>

#include "inputs/context.h"
#include "energy/energy.h"
#include "core/error.h"
#include "geometry/geo.h"
#include "inputs/layers.h"
#include "inputs/scenario.h"
#include "core/strlist.h"

typedef struct {
    char *file;
    dcs_weather_format format;
    char name[128];
    char id[32]; /* the weather file's station id (EPW WMO number, TMY3 USAF
                  * number); "" when its header has none */
    double lon, lat, elevation_m;
    dcs_energy energy;
    char *note; /* the weather file's notes (suspect hours left out of the peaks), joined;
                 * NULL when none */
    double *hourly_mw; /* DCS_HOURS facility MW, hour by hour, when the scenario has
                        * energy.hourly_signals; else NULL */
} dcs_station;

/* Stations being modelled: private to stations.c. */
typedef struct dcs_station_work dcs_station_work;

typedef struct {
    size_t n;               /* modelled stations (set by dcs_stations_finish) */
    size_t cap;             /* entries of st */
    dcs_station *st;
    dcs_polyset points; /* in the working CRS, same order */
    dcs_strlist warnings;
    dcs_station_work *work; /* between begin and finish */
} dcs_stations;

/* table: the station table layer (NULL when none) and its file field. */
dcs_status dcs_stations_load(const dcs_scenario *scn, dcs_layer *table, int file_field,
                             const dcs_crs *crs, GEOSContextHandle_t geos, dcs_stations *s,
                             dcs_error *err);

dcs_status dcs_stations_begin(const dcs_scenario *scn, dcs_layer *table, int file_field,
                              GEOSContextHandle_t geos, dcs_stations *s, dcs_error *err);

/* Model the next station not yet taken; 0 when none is left. */
int dcs_stations_model_next(dcs_stations *s);

dcs_status dcs_stations_finish(dcs_stations *s, const dcs_crs *crs, dcs_error *err);

/* Read every weather file the scenario names (list and table), appending
 * one problem per file that cannot be used; for `dcsite check`. */
dcs_status dcs_stations_check(const dcs_scenario *scn, dcs_layer *table, int file_field,
                              dcs_strlist *problems, dcs_error *err);

void dcs_stations_free(dcs_stations *s);

#endif
