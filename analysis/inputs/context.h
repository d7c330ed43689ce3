/*
 * context.h - context layers indexed for spatial queries, and the per-site
 * spatial metrics computed against them.
 *
 * Substations: only those that qualify (voltage >= the scenario's floor,
 * and, unless the scenario waives it, headroom >= the facility's peak
 * demand) enter a GEOS STRtree and the flat index of nearest.h; the
 * nearest is found through the index (no scan of every substation) and its
 * distance is measured on the ellipsoid between the two nearest points.
 * With an id_field, ids that repeat among the qualifying substations are
 * counted (nrepeated): the substation_id metric cannot tell them apart.
 * dcs_substations_survey() applies the same rules to the attributes alone,
 * building nothing, so that `dcsite check` can say why none qualifies.
 *
 * Feature sets (overlays, distances, zones, area-weighted sums): geometries
 * in an STRtree with optional attribute columns; the share of a site inside
 * the union of the polygons that touch it, the geodesic distance to the
 * nearest feature, the zone holding a point, the area-weighted sum of a
 * field within a radius.
 *
 * Coverage: where a layer has data (its extent, a polygon layer, or
 * everywhere); a site is covered when the coverage area contains it.
 *
 * Ownership: each set owns its geometries and tree; *_free() releases them.
 */
#ifndef DCS_CONTEXT_H
#define DCS_CONTEXT_H

#include <geos_c.h>
#include <stddef.h>

#include "core/error.h"
#include "geometry/covergrid.h"
#include "geometry/geo.h"
#include "inputs/layers.h"
#include "geometry/nearest.h"
#include "geometry/rings.h"
#include "inputs/scenario.h"

typedef struct {
    const GEOSGeometry *geom;
    size_t index;
} dcs_tree_item;

/* Which substations qualify: a voltage floor, and a headroom floor (NaN:
 * none, and an unknown headroom qualifies). */
typedef struct {
    double min_voltage_kv;
    double min_headroom_mw;
} dcs_substation_filter;

#define DCS_SUB_EXTRA 4 /* values per substation in dcs_substations.ttp */

typedef struct {
    size_t n;
    char **id;
    char **name; /* n names (NULL when unset or without substations.name_field) */
    double *kv;
    double *headroom_mw;
    double *cost_musd; /* substations.cost_field (0 without it or when empty) */
    double *ttp;       /* DCS_SUB_EXTRA per substation: load queued ahead (MW; NaN without
                        * queue_field, 0 when empty), planned upgrade year and MW, and
                        * capacity (MW, substations.capacity_field) (NaN: none) */
    GEOSGeometry **geom;
    dcs_tree_item *items;
    GEOSSTRtree *tree;
    GEOSContextHandle_t geos;
    dcs_nearest *near;  /* flat index for the nearest search (shared by clones) */
    dcs_near_site site; /* the site being searched (one thread per copy) */
    /* what was read and why substations did not qualify */
    long long nread, nlow_voltage, nno_voltage, nlow_headroom;
    size_t nunknown_headroom; /* qualifying substations whose headroom is unknown (NaN) */
    size_t nrepeated;     /* qualifying substations whose id_field value an earlier one has */
    size_t repeated_example; /* one of them (index), when nrepeated */
    int borrowed; /* a clone: ids, names, kv and headroom belong to the original */
} dcs_substations;

typedef struct {
    size_t n;
    GEOSGeometry **geom;
    dcs_tree_item *items;
    GEOSSTRtree *tree;
    GEOSContextHandle_t geos;
    size_t nfields; /* attribute columns, from dcs_polyset_load_fields() */
    double *num;    /* n * nfields; NaN for text columns and nulls */
    char **text;    /* n * nfields; NULL for number columns and nulls */
    dcs_rings *rings; /* n flat polygons, from dcs_polyset_flatten() (or NULL) */
    double *area;     /* n areas of the flat polygons */
    dcs_rings scratch[3]; /* the disc (or site) and two clip buffers */
    dcs_nearest *near;    /* from dcs_polyset_index_nearest() (or NULL) */
    const GEOSPreparedGeometry **prep; /* n, prepared by dcs_polyset_zone() and
                                        * dcs_polyset_overlap_pct() on first use;
                                        * each copy prepares its own and keeps
                                        * the last 256 (NULL: not kept) */
    size_t *prep_fifo, prep_next;       /* which were prepared, in order */
    dcs_near_site site;   /* the site being searched (one thread per copy) */
    dcs_cover_grid grid;  /* from dcs_polyset_index_cover() (or zeroed) */
    int borrowed;   /* a clone: num, text, rings, area, near and grid belong to the
                     * original */
} dcs_polyset;

/* Where a layer has data, in the working CRS; geom NULL = everywhere. */
typedef struct {
    GEOSGeometry *geom;
    const GEOSPreparedGeometry *prep;
    GEOSContextHandle_t geos;
    dcs_cover_grid grid; /* answers most sites without GEOS (covergrid.h) */
} dcs_coverage;

/* Read the substation layer once and fill out[r] with the substations
 * passing filters[r], each indexed for nearest searches (n >= 1). */
dcs_status dcs_substations_load(dcs_layer *L, const dcs_scenario *scn,
                                const dcs_substation_filter *filters, size_t n,
                                GEOSContextHandle_t geos, dcs_substations *out, dcs_error *err);

/* What dcs_substations_survey() found: how many substations were read,
 * how many qualify, why the others do not (the first reason: no voltage,
 * below min_voltage_kv, headroom below the peak demand when
 * require_headroom), and the nearest misses (NaN and "" when none):
 *  - low_kv: the highest voltage below the floor;
 *  - miss_kv: the highest voltage below the floor among those whose
 *    headroom would do, i.e. that a floor lowered to it would admit;
 *  - miss_headroom: the largest headroom below the peak demand among
 *    those that meet the floor (require_headroom false would admit it).
 * Ids are the id_field's value, else "FID <n>". */
typedef struct {
    long long nread, nqualified, nno_voltage, nlow_voltage, nlow_headroom;
    double peak_mw;
    double low_kv, miss_kv, miss_headroom;
    char low_kv_id[64], miss_kv_id[64], miss_headroom_id[64];
} dcs_substation_survey;

/* Read the substation layer's attributes (no geometry is converted)
 * against the scenario's rules for a facility of peak_mw, as
 * dcs_substations_load() would, for `dcsite check`.  DCS_ERR_DATA when a
 * mapped field is missing.  Leaves the layer's reading reset. */
dcs_status dcs_substations_survey(dcs_layer *L, const dcs_scenario *scn, double peak_mw,
                                  dcs_substation_survey *survey, dcs_error *err);

/* Nearest qualifying substation to site: its index and the geodesic
 * distance in km between the nearest points.  *which is (size_t)-1 and *km
 * NaN when there is none.  The feature with the least GEOSDistance wins,
 * the lowest index on ties (nearest.h).  flat: the site flattened by
 * dcs_near_site_set(), shared by the searches of one site (NULL: flattened
 * here).  Uses the set's site scratch: one thread per copy. */
dcs_status dcs_nearest_substation(dcs_substations *subs, const GEOSGeometry *site,
                                  const dcs_near_site *flat, const dcs_crs *crs, size_t *which,
                                  double *km, dcs_error *err);

/* The price in M$ of connecting to substation k of subs at km (the
 * caller's pricing: line by voltage class, upgrade, per-substation cost). */
typedef double (*dcs_connection_cost_fn)(const dcs_substations *subs, size_t k, double km,
                                         void *user);

#define DCS_MAX_ALTERNATIVES 4

/* A site's connection: the nearest qualifying substation, the one chosen
 * (the same when nothing is cheaper) and up to nalt alternatives, cheapest
 * first; SIZE_MAX and NaN: none. */
typedef struct {
    size_t nearest, which;
    double nearest_km, km;
    double nearest_cost, cost;
    size_t alt[DCS_MAX_ALTERNATIVES], nalt;
    double alt_km[DCS_MAX_ALTERNATIVES], alt_cost[DCS_MAX_ALTERNATIVES];
} dcs_connection;

/* How to choose: the pricing, the least line cost per km of any voltage
 * class (> 0; the other costs must not be negative), a hard limit
 * search_km (0: none), whether to keep the nearest (1) or the cheapest (0),
 * and how many alternatives to list (0 to DCS_MAX_ALTERNATIVES) within
 * alt_km. */
typedef struct {
    dcs_connection_cost_fn cost;
    void *user;
    double min_musd_per_km, search_km;
    int prefer_nearest;
    size_t nalt;
    double alt_km;
} dcs_connection_search;

/* The qualifying substation of least cost (or the nearest) and its
 * alternatives.  From the nearest, every substation whose ground distance
 * could still make it cheaper (within cost(nearest) / min_musd_per_km km)
 * or that may be an alternative (within alt_km) is measured exactly;
 * nothing beyond search_km counts.  Ties: the nearer, then the lower
 * index.  Uses the set's site scratch: one thread per copy. */
dcs_status dcs_cheapest_substation(dcs_substations *subs, const GEOSGeometry *site,
                                   const dcs_near_site *flat, const dcs_crs *crs,
                                   const dcs_connection_search *q, dcs_connection *out,
                                   dcs_error *err);

void dcs_substations_free(dcs_substations *subs);

dcs_status dcs_polyset_load(dcs_layer *L, GEOSContextHandle_t geos, dcs_polyset *set,
                            dcs_error *err);

/* Same, also reading nfields attribute columns (fields[i] of the layer,
 * read as number or text by kinds[i]: 0 number, 1 text). */
dcs_status dcs_polyset_load_fields(dcs_layer *L, GEOSContextHandle_t geos, const int *fields,
                                   const int *text_kinds, size_t nfields, dcs_polyset *set,
                                   dcs_error *err);

/* A set over geometries made elsewhere (taking them over; freed on
 * failure too). */
dcs_status dcs_polyset_from_geoms(GEOSContextHandle_t geos, GEOSGeometry **geoms, size_t n,
                                  dcs_polyset *set, dcs_error *err);

/* The flat index of nearest.h, for dcs_polyset_nearest() (sets built by
 * dcs_polyset_from_geoms() have it already); without it the search goes
 * through the STRtree and GEOSDistance, with the same result. */
dcs_status dcs_polyset_index_nearest(dcs_polyset *set, dcs_error *err);

/* Flat copies of the polygons and their areas, so that area-weighted sums
 * and overlaps clip them against a convex disc or site without GEOS
 * overlay. */
dcs_status dcs_polyset_flatten(dcs_polyset *set, dcs_error *err);

/* A coarse grid over the polygons (covergrid.h), so that most sites'
 * overlaps and zones are known without GEOS: 100 % under one polygon, 0 %
 * clear of them all (dcs_polyset_overlap_pct); the zone of a point away
 * from the boundaries (dcs_polyset_zone).  DCS_ERR_NOMEM,
 * DCS_ERR_GEOMETRY. */
dcs_status dcs_polyset_index_cover(dcs_polyset *set, dcs_error *err);

/* Copies for another thread (thread safety): the geometries are cloned
 * into geos and indexed anew, prepared geometries made anew; attribute
 * arrays (and flat rings) are shared read-only with src, which must
 * outlive the copy.  Free the copy with the matching *_free(). */
dcs_status dcs_polyset_clone(const dcs_polyset *src, GEOSContextHandle_t geos, dcs_polyset *dst,
                             dcs_error *err);
dcs_status dcs_substations_clone(const dcs_substations *src, GEOSContextHandle_t geos,
                                 dcs_substations *dst, dcs_error *err);
dcs_status dcs_coverage_clone(const dcs_coverage *src, GEOSContextHandle_t geos,
                              dcs_coverage *dst, dcs_error *err);

/* Nearest feature to site: index and geodesic km between the nearest
 * points; (size_t)-1 and NaN when the set is empty.  The feature with the
 * least GEOSDistance wins, the lowest index on ties.  flat as for
 * dcs_nearest_substation().  Uses the set's site scratch: one thread per
 * copy. */
dcs_status dcs_polyset_nearest(dcs_polyset *set, const GEOSGeometry *site,
                               const dcs_near_site *flat, const dcs_crs *crs, size_t *which,
                               double *km, dcs_error *err);

/* Index of the first polygon (in layer order) containing the point, or
 * (size_t)-1.  The polygons are prepared (GEOSPrepare_r) on first use, in
 * this copy: one thread per copy. */
dcs_status dcs_polyset_zone(dcs_polyset *set, const GEOSGeometry *point, size_t *which,
                            dcs_error *err);

/* Sum over the polygons of field column col times the share of each
 * polygon's area inside the site buffered by radius_m.  When the set is
 * flattened and the buffer is convex (a point or a convex site), the
 * shares come from rings.h's convex clipping; otherwise from GEOS
 * overlay.  Uses the set's scratch rings: one thread per set. */
dcs_status dcs_polyset_area_weighted(dcs_polyset *set, const GEOSGeometry *site,
                                     double radius_m, size_t col, double *sum, dcs_error *err);

/* Coverage from a layer's extent (a rectangle in its own CRS, densified
 * and transformed), from the union of a polygon layer's features, or
 * everywhere (L NULL). */
dcs_status dcs_coverage_from_extent(const dcs_layer *L, GEOSContextHandle_t geos,
                                    dcs_coverage *cov, dcs_error *err);
dcs_status dcs_coverage_from_layer(dcs_layer *L, GEOSContextHandle_t geos, dcs_coverage *cov,
                                   dcs_error *err);

/* 1 when the coverage contains the geometry (always for everywhere). */
int dcs_coverage_contains(const dcs_coverage *cov, const GEOSGeometry *g);

void dcs_coverage_free(dcs_coverage *cov);

/* Percentage (0-100) of the site's area inside the set's polygons; for a
 * point site, 100 when a polygon covers it, else 0.  Exactly 100 when one
 * polygon covers the site; else the area of the union of the
 * intersections over the site's area.  When only one polygon meets the
 * site, the set is flattened and the site is convex, that area comes
 * from rings.h's convex clipping; otherwise from GEOS overlay.  Prepares
 * the polygons it meets (see prep); uses the set's scratch rings: one
 * thread per copy. */
dcs_status dcs_polyset_overlap_pct(dcs_polyset *set, const GEOSGeometry *site,
                                   double *pct, dcs_error *err);

void dcs_polyset_free(dcs_polyset *set);

#endif
