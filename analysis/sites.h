/*
 * sites.h - the candidate sites: ids, geometries and metric values.
 *
 * Sites are held column-wise: geometry in the working CRS (GEOS), a
 * representative lon/lat point (on the surface of the site), one row of
 * numbers (model->nnum wide) and one row of texts (model->ntext wide) per
 * site.  NaN is a missing number, NULL a missing text.
 *
 * dcs_sites_load() reads the site layer (already opened and prepared),
 * takes ids from the id field (or the feature id), fills area_ha with the
 * geodesic area and copies the mapped attributes.  Site ids must be unique.
 * Features are read in order by the calling thread; their geometries are
 * converted (to the working CRS, GEOS, validity, geodesic area, a point on
 * the surface) by `threads` threads (at most DCS_SITES_MAX_THREADS), a
 * chunk of features at a time, each with its own GEOS context and PROJ
 * transformations.  The result does not depend on the number of threads.
 *
 * dcs_sites_from_grid() makes the sites instead from the cells of a square
 * or hexagonal lattice over an area of interest (see grid.h).
 *
 * Ownership: everything is owned by the dcs_sites; dcs_sites_free().
 */
#ifndef DCS_SITES_H
#define DCS_SITES_H

#include <geos_c.h>
#include <stddef.h>

#include "error.h"
#include "geo.h"
#include "layers.h"
#include "model.h"

#define DCS_SITES_MAX_THREADS 64

typedef struct {
    size_t n, cap;
    size_t nnum, ntext;
    char **id;
    GEOSGeometry **geom;
    double *lon, *lat; /* a point on the site, WGS 84 */
    double *x, *y;     /* the same point in the working CRS */
    double *num;
    char **text;
    GEOSContextHandle_t geos; /* the handle the geometries belong to */
} dcs_sites;

dcs_status dcs_sites_load(dcs_layer *L, const dcs_model *model, const dcs_crs *crs,
                          GEOSContextHandle_t geos, int threads, dcs_sites *sites,
                          dcs_error *err);

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

void dcs_sites_free(dcs_sites *sites);

#endif
