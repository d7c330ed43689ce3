/*
 * sites.h - the candidate sites: ids, geometries and metric values.
 *
 * Sites are held column-wise: geometry in the working CRS (as WKB, about
 * a fifth of the memory of a GEOS geometry; dcs_site_geometry() makes the
 * GEOS one when needed), a representative lon/lat point (on the surface
 * of the site) and the area centroid's lon/lat (which may fall outside
 * it), one row of numbers (model->nnum wide) and one row of texts
 * (model->ntext wide) per site.  NaN is a missing number, NULL a missing
 * text.
 *
 * dcs_sites_load() reads the site layer (already opened and prepared),
 * takes ids from the id field (or the feature id), fills area_ha with the
 * geodesic area and copies the mapped attributes.  Site ids must be unique
 * (DCS_ERR_DATA names the first id, in the layer's order, used before).
 * Features are read in order by the calling thread; their geometries are
 * converted (to the working CRS, GEOS, validity, geodesic area, a point on
 * the surface, the centroid) by `threads` threads (at most
 * DCS_SITES_MAX_THREADS), a chunk of features at a time, each with its
 * own GEOS context and PROJ transformations.  While the other threads
 * convert a chunk, the calling thread reads the next one, then helps
 * convert; each converter takes its sites' points to lon/lat a batch at a
 * time (one PROJ call for 128 sites).  The result does not depend on the
 * number of threads.
 * Progress ("reading sites", features read of the layer's count) goes to
 * `progress` (may be NULL) once a chunk.
 *
 * The OGR read stays on one thread on purpose: with the conversion beside
 * it, both cores are busy through this phase (the other core also loads
 * the rasters and weather meanwhile; a second GeoPackage connection reading
 * half the FID range, tried in issue 28's fourth round, gave nothing).  A
 * GeoPackage read through several connections by FID range would also
 * change the order of sites that a `where` on an indexed column gives
 * (SQLite returns them in the index's order).  Measured in tests/bench/RESULTS.md, issue 28, "8.
 * Reading sites on both cores".
 *
 * dcs_sites_from_grid() makes the sites instead from the cells of a square
 * or hexagonal lattice over an area of interest (see grid.h).
 *
 * Texts are interned in the sites' string pool (one copy of each distinct
 * value; see strpool.h): set them with dcs_site_set_text().
 *
 * Ownership: everything is owned by the dcs_sites; dcs_sites_free().
 */
#ifndef DCS_SITES_H
#define DCS_SITES_H

#include <geos_c.h>
#include <stddef.h>

#include "core/error.h"
#include "geometry/geo.h"
#include "inputs/layers.h"
#include "inputs/model.h"
#include "core/progress.h"
#include "core/strpool.h"

#define DCS_SITES_MAX_THREADS 64

typedef struct {
    size_t n, cap;
    size_t nnum, ntext;
    char **id;
    unsigned char **wkb;  /* the geometry in the working CRS, as WKB (free()) */
    size_t *wkb_size;
    GEOSGeometry **geom;  /* NULL, except between dcs_sites_expand() and _compact() */
    double extent[4];     /* x0 y0 x1 y1 covering every site (x0 > x1 when none) */
    dcs_strpool *pool;    /* owns the texts when set (else each text is its own) */
    double *lon, *lat; /* a point on the site, WGS 84 (GEOS point on surface: inside
                        * the site even when its centroid is not) */
    double *centroid_lon, *centroid_lat; /* its area centroid (in the working CRS), WGS 84;
                                          * may lie outside the site */
    double *x, *y;     /* the same point in the working CRS */
    double *num;
    char **text;
    GEOSContextHandle_t geos; /* the handle the geometries belong to */
} dcs_sites;

dcs_status dcs_sites_load(dcs_layer *L, const dcs_model *model, const dcs_crs *crs,
                          GEOSContextHandle_t geos, int threads, const dcs_progress *progress,
                          dcs_sites *sites, dcs_error *err);

static inline double *dcs_site_num(const dcs_sites *s, size_t i)
{
    return s->num + i * s->nnum;
}

static inline char **dcs_site_text(const dcs_sites *s, size_t i)
{
    return s->text + i * s->ntext;
}

/* Candidate cells over the area of interest in L (polygons): the
 * scenario's grid shape and cell area; ids and geometry from grid.h. */
dcs_status dcs_sites_from_grid(dcs_layer *L, const dcs_model *model, const dcs_crs *crs,
                               GEOSContextHandle_t geos, dcs_sites *sites, dcs_error *err);

/* Set text cell col of site i to a copy of t (NULL clears it): interned
 * in the pool when the sites have one.  -1 when out of memory. */
int dcs_site_set_text(dcs_sites *s, size_t i, size_t col, const char *t);

/* Site i's points from g, its geometry in the working CRS: a point on its
 * surface (x, y; lon, lat through to_lonlat) and its area centroid (GEOS,
 * in the working CRS; centroid_lon, centroid_lat).  NaN where GEOS or PROJ
 * fails; lon/lat NaN when to_lonlat is NULL. */
void dcs_site_set_points(dcs_sites *s, size_t i, GEOSContextHandle_t geos,
                         const GEOSGeometry *g, OGRCoordinateTransformationH to_lonlat);

/* Store g (taken: freed here) as site i's geometry; the extent grows to
 * cover it.  -1 when out of memory (g is freed all the same). */
int dcs_site_store(dcs_sites *s, size_t i, GEOSContextHandle_t geos, GEOSGeometry *g);

/* A new GEOS geometry of site i in context geos (caller frees), or NULL
 * when it has none or out of memory. */
GEOSGeometry *dcs_site_geometry(const dcs_sites *s, size_t i, GEOSContextHandle_t geos);

/* Site i's geometry as a new OGR geometry (no CRS set; caller destroys),
 * NULL when it has none or out of memory. */
OGRGeometryH dcs_site_ogr(const dcs_sites *s, size_t i);

/* 1 when site i is a polygon or multipolygon. */
int dcs_site_is_polygon(const dcs_sites *s, size_t i);

/* order[0 .. n) = the sites in Z-order (Morton order) of their points
 * over the extent: consecutive sites lie close together, so measuring
 * them in this order keeps the rasters' and grids' rows in cache.  Ties
 * by index.  -1 when out of memory. */
int dcs_sites_spatial_order(const dcs_sites *s, size_t *order);

/* Every site's geometry also as GEOS in geom[] (for parcel assembly), and
 * back: _compact() stores geom[i] as WKB where it differs (new sites) and
 * frees all of geom[].  DCS_ERR_NOMEM. */
dcs_status dcs_sites_expand(dcs_sites *s);
dcs_status dcs_sites_compact(dcs_sites *s);

void dcs_sites_free(dcs_sites *sites);

#endif
