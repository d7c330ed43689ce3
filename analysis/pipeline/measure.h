/*
 * measure.h - every context layer loaded once, and the per-site metrics
 * measured against them.
 *
 * dcs_context_start() and dcs_context_load() load the qualifying substations, each vector context
 * layer (with the attribute columns it needs) or raster (with its slope or
 * prefix sums when asked), each layer's coverage area and each joined
 * table.  dcs_measure_site() then fills one site's metric row: nearest
 * substation and interconnection cost, each context layer's metrics, the
 * joined attributes, the energy metrics of its nearest weather
 * station with the site's own grid carbon, price and water stress, and
 * the noise at its receptors (noise_run.h); it
 * marks in outside[k] whether context layer k fails to cover the site (its
 * metrics are then left missing, but for a raster's coverage metrics when
 * the raster was read there: see model.h's kept_outside) and stops with
 * DCS_ERR_DATA when that layer's `outside` is "error".
 *
 * Threads: a dcs_context_data is used by one thread at a time (GEOS
 * context, PROJ transformations, scratch space).  dcs_context_clone()
 * makes a copy for another thread: its own GEOS context, geometries,
 * indexes and transformations, sharing the read-only pixels, attributes,
 * tables, energy results and hourly grid signals with the original.  Each site is measured by
 * one thread; different sites may be measured at once by different
 * copies.
 *
 * Ownership: dcs_context_free() releases everything dcs_context_start(),
 * dcs_context_load() or dcs_context_clone() made (stopping and waiting
 * for the loading thread when the run ends early) (a copy only what is its own; free copies
 * before the original).  The scenario, model and CRS must outlive the
 * context data.
 */
#ifndef DCS_MEASURE_H
#define DCS_MEASURE_H

#include <geos_c.h>

#include "inputs/context.h"
#include "geometry/density.h"
#include "core/error.h"
#include "geometry/geo.h"
#include "energy/flex.h"
#include "inputs/hourly.h"
#include "inputs/inputs.h"
#include "inputs/model.h"
#include "geometry/raster.h"
#include "inputs/sites.h"
#include "inputs/stations.h"
#include "inputs/table.h"
#include "pipeline/noise_run.h"

/* Loads the inputs that have files of their own (measure.c). */
typedef struct dcs_file_loader dcs_file_loader;

typedef struct {
    const dcs_model *model;
    const dcs_crs *crs;
    GEOSContextHandle_t geos;
    double peak_mw;
    dcs_substations *subs; /* nsubs: the main rule (substations), then substations.rules */
    size_t nsubs;
    GEOSGeometry *centroid; /* the current site's centroid, made on first use (or NULL) */
    size_t site_sub;        /* the current site's connection in subs[0], SIZE_MAX: none */
    dcs_polyset *sets;    /* per context (vector kinds) */
    dcs_raster *rasters;  /* per context (raster kind) */
    dcs_coverage *cover;  /* per context; geom NULL = everywhere */
    dcs_table *tables;    /* per join */
    dcs_stations stations; /* energy model per weather station (when enabled) */
    dcs_hourly hourly;     /* energy.hourly_signals per region (n 0: none) */
    dcs_flex_shape *flex;  /* energy.flexibility: per region of hourly, its system load sorted
                            * (desc NULL where the region has none); shared by copies */
    double *supply_mw;     /* energy.clean_supply, DCS_HOURS MW (NULL: none) */
    dcs_noise_data noise;  /* the noise section's plant and receptors (noise_run.h) */
    size_t ncontexts, njoins;
    long *grid_of;        /* per context: first raster context on the same pixel grid */
    long *cover_of;       /* per context: first context with the same coverage layer
                           * (only that one's cover is loaded) */
    dcs_density *density; /* per context: area_weighted grid (row_sum NULL when exact) */
    /* per thread */
    dcs_zonal_work zw;    /* coverage scratch */
    dcs_span_work spans;  /* buffer spans scratch */
    dcs_rings site_rings; /* the current site as flat rings */
    dcs_near_site site_flat; /* the current site flattened for nearest searches */
    GEOSGeometry *site;   /* the current site's geometry (this thread's GEOS context) */
    dcs_cells *cells;     /* per context: the current site's pixel shares on its grid */
    unsigned char *have_cells; /* per context: cells[k] holds the current site's */
    unsigned char *uncovered;  /* per context: the current site is outside its coverage */
    int is_copy;          /* made by dcs_context_clone() */
    dcs_crs crs_copy;     /* a copy's CRS: its own transformation to lon/lat */
    dcs_file_loader *files; /* from dcs_context_start() to dcs_context_free() */
} dcs_context_data;

/* Start loading: with `background`, the rasters and weather stations
 * load in a thread of their own from here on, while the caller goes on
 * (reading the sites, say); without, dcs_context_load() loads them. */
dcs_status dcs_context_start(dcs_inputs *in, const dcs_model *model, const dcs_crs *crs,
                             GEOSContextHandle_t geos, double peak_mw, int background,
                             dcs_context_data *cd, dcs_error *err);

/* Load the rest (the vector layers, coverages and joined tables, which
 * use the inputs' OGR datasets: call it in the thread that owns them),
 * then wait for the rasters and stations.  A failure is the first one in
 * the scenario's order, whichever thread met it. */
dcs_status dcs_context_load(dcs_inputs *in, dcs_context_data *cd, dcs_error *err);

/* After dcs_context_load(): the grids of area_weighted layers measured
 * by the grid method, over the sites' extent grown by the radius.  Call
 * it before dcs_context_clone(). */
dcs_status dcs_context_prepare_sites(dcs_context_data *cd, const dcs_sites *sites,
                                     dcs_error *err);

/* A copy of src for another thread (see above). */
dcs_status dcs_context_clone(const dcs_context_data *src, dcs_context_data *copy,
                             dcs_error *err);

dcs_status dcs_measure_site(dcs_context_data *cd, dcs_sites *sites, size_t i,
                            unsigned char *outside, dcs_error *err);

/* Time to power: the year (rounded up) a site needing need_mw could be
 * energized at a substation with headroom_mw, queue_mw of load queued
 * ahead, and a planned upgrade adding upgrade_mw in upgrade_year (NaN:
 * none): from interconnection.time_to_power.start_year, connect_years when
 * the headroom left after the queue covers the need (*basis 0); the later
 * of that and the upgrade year when the upgrade makes it cover it (1);
 * else transformer_years, a new transformer (2).  NaN (*basis -1) when the
 * headroom is unknown: never guessed.  Pure. */
double dcs_time_to_power(const dcs_scenario *scn, double need_mw, double headroom_mw,
                         double queue_mw, double upgrade_year, double upgrade_mw, int *basis);

/* Interconnection cost in M$: km times the cost per km of the voltage
 * class holding kv, plus the upgrade when headroom < need. */
double dcs_interconnect_cost(const dcs_scenario *scn, double km, double kv, double headroom_mw,
                             double need_mw);

void dcs_context_free(dcs_context_data *cd);

#endif
