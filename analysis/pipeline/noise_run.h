/*
 * noise_run.h - the noise metrics of a site: its plant's sound at the
 * nearest and the loudest receptor (community/noise.h; docs/methods.md,
 * "Noise at receptors").
 *
 * dcs_noise_load() works out the plant's day and night sound power from
 * the scenario once (noise.cooling or energy.cooling, facility.it_load_mw,
 * facility.design_pue, noise.night_load_fraction, the generators tested by
 * day) and reads the receptor layer (points or polygons) into a set
 * indexed for nearest searches; with "property_line" there is no layer.
 *
 * dcs_noise_measure() places the equipment in the site (its centroid, or
 * with placement.setback_m the point of the site shrunk by the setback that
 * is nearest the receptor nearest the site; the centroid when the site is
 * too small for the setback), then finds the receptor nearest the
 * equipment and every receptor within noise.search_km of it, and writes
 * the DCS_NZ_* metrics (model.h).  Distances are planar in the working CRS
 * (a UTM zone: within 0.04 % of the geodesic, under 0.01 dB).  A polygon
 * receptor is heard at its point nearest the equipment.  With
 * "property_line" the receptor is the site's boundary at its point nearest
 * the equipment (a point site has none: the metrics stay empty, NaN).
 *
 * Threads: a dcs_noise_data is used by one thread at a time (its GEOS
 * context's geometries and tree); dcs_noise_clone() makes a copy for
 * another, sharing the nearest index with the original.
 *
 * Ownership: dcs_noise_data_free() releases what load or clone made.
 */
#ifndef DCS_NOISE_RUN_H
#define DCS_NOISE_RUN_H

#include <geos_c.h>

#include "community/noise.h"
#include "core/error.h"
#include "geometry/geo.h"
#include "inputs/context.h"
#include "inputs/layers.h"
#include "inputs/model.h"

typedef struct {
    int enabled;
    int property_line;             /* the site's boundary is the receptor */
    dcs_polyset receptors;         /* loaded unless property_line */
    double lw_day[DCS_NOISE_BANDS], lw_night[DCS_NOISE_BANDS];
    dcs_noise_path path;
} dcs_noise_data;

/* The plant's sound power and the receptors (L NULL: property_line). */
dcs_status dcs_noise_load(const dcs_scenario *scn, dcs_layer *L, GEOSContextHandle_t geos,
                          dcs_noise_data *nd, dcs_error *err);

dcs_status dcs_noise_clone(const dcs_noise_data *src, GEOSContextHandle_t geos,
                           dcs_noise_data *dst, dcs_error *err);

/* Fill the noise metrics of one site into its number row num. */
dcs_status dcs_noise_measure(dcs_noise_data *nd, const dcs_model *m, const dcs_crs *crs,
                             GEOSContextHandle_t geos, const GEOSGeometry *site, double *num,
                             dcs_error *err);

void dcs_noise_data_free(dcs_noise_data *nd);

#endif
