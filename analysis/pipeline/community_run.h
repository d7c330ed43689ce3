/*
 * community_run.h - the community metrics of one site (ordinances, water
 * against the utility, backup generators), from the metrics measured
 * before them and the site's geometry; and the run's warnings about
 * ordinance rules it could not check.
 *
 * dcs_measure_community() runs last for each site (measure.c): it reads the
 * site's jurisdiction and ordinance limits (zone "jurisdictions" and join
 * "ordinances"), its utility's figures (zone "water_utilities"), its share
 * of nonattainment area (overlay "nonattainment"), the energy metrics and,
 * when a noise model made them, the noise metrics by name
 * (noise_dba_loudest_day, noise_dba_loudest_night, noise_dbc_loudest_night,
 * noise_receptor_km); then fills the groups model.h lists.  The pure models
 * are in analysis/community/.  Thread-safe: each thread passes its own GEOS context.
 */
#ifndef DCS_COMMUNITY_RUN_H
#define DCS_COMMUNITY_RUN_H

#include <geos_c.h>

#include "core/error.h"
#include "core/warning.h"
#include "inputs/model.h"
#include "inputs/sites.h"

/* Where site i is measured: this thread's GEOS context, the site's
 * geometry in the working CRS (metres), and the facility's design peak
 * (MW; the generators' load when the energy model has none). */
typedef struct {
    const dcs_model *model;
    GEOSContextHandle_t geos;
    const GEOSGeometry *site;
    double peak_mw;
} dcs_community_at;

dcs_status dcs_measure_community(const dcs_community_at *at, dcs_sites *s, size_t i,
                                 dcs_error *err);

/* One warning per kind of ordinance rule that some site's jurisdiction has
 * but the run could not check (no noise model, no residences metric, no
 * generators section, no energy model), naming the rule and the count. */
void dcs_community_warnings(const dcs_model *m, const dcs_sites *s, dcs_warnings *w);

#endif
