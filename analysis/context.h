/*
 * context.h - context layers indexed for spatial queries, and the per-site
 * spatial metrics computed against them.
 *
 * Substations: only those that qualify (voltage >= the scenario's floor,
 * headroom >= the facility's peak demand) enter a GEOS STRtree; the nearest
 * is found through the tree (no scan of every substation) and its distance
 * is measured on the ellipsoid between the two nearest points.
 *
 * Polygon sets (overlays): polygons in an STRtree; the share of a site
 * inside the union of the polygons that touch it.
 *
 * Ownership: each set owns its geometries and tree; *_free() releases them.
 */
#ifndef DCS_CONTEXT_H
#define DCS_CONTEXT_H

#include <geos_c.h>
#include <stddef.h>

#include "error.h"
#include "geo.h"
#include "layers.h"
#include "scenario.h"

typedef struct {
    const GEOSGeometry *geom;
    size_t index;
} dcs_tree_item;

typedef struct {
    size_t n;
    char **id;
    double *kv;
    double *headroom_mw;
    GEOSGeometry **geom;
    dcs_tree_item *items;
    GEOSSTRtree *tree;
    GEOSContextHandle_t geos;
    /* what was read and why substations did not qualify */
    long long nread, nlow_voltage, nno_voltage, nlow_headroom;
} dcs_substations;

typedef struct {
    size_t n;
    GEOSGeometry **geom;
    dcs_tree_item *items;
    GEOSSTRtree *tree;
    GEOSContextHandle_t geos;
} dcs_polyset;

/* Load the substations that qualify for a facility of peak_mw. */
dcs_status dcs_substations_load(dcs_layer *L, const dcs_scenario *scn, double peak_mw,
                                GEOSContextHandle_t geos, dcs_substations *subs,
                                dcs_error *err);

/* Nearest qualifying substation to site: its index and the geodesic
 * distance in km between the nearest points.  *which is (size_t)-1 and *km
 * NaN when there is none. */
dcs_status dcs_nearest_substation(const dcs_substations *subs, const GEOSGeometry *site,
                                  const dcs_crs *crs, size_t *which, double *km,
                                  dcs_error *err);

void dcs_substations_free(dcs_substations *subs);

dcs_status dcs_polyset_load(dcs_layer *L, GEOSContextHandle_t geos, dcs_polyset *set,
                            dcs_error *err);

/* Percentage (0-100) of the site's area inside the set's polygons; for a
 * point site, 100 when a polygon covers it, else 0. */
dcs_status dcs_polyset_overlap_pct(const dcs_polyset *set, const GEOSGeometry *site,
                                   double *pct, dcs_error *err);

void dcs_polyset_free(dcs_polyset *set);

#endif
