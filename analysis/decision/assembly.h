/*
 * assembly.h - parcel assembly: adjacent small parcels grouped into
 * candidate campuses that reach the land the facility needs.
 *
 * Only parcels smaller than min_area_ha take part (a parcel that is large
 * enough is a candidate by itself).  Two parcels are adjacent when they
 * share a stretch of boundary or overlap (DE-9IM: boundaries meet in a
 * line, or interiors intersect); touching at a corner only does not
 * count.  With an owner column, only parcels with the same, non-missing
 * owner are adjacent.  Candidate neighbours come from a GEOS STRtree.
 *
 * Campuses are grown greedily and deterministically: seeds are taken
 * largest first (ties by id); a campus starts from an unused seed and
 * repeatedly adds the largest unused parcel adjacent to any of its
 * parcels (ties by id) until its area reaches min_area_ha or it holds
 * max_parcels parcels or no neighbour is left.  "Largest" compares areas
 * rounded to whole square metres, so parcels of equal size drawn in a
 * projection (whose geodesic areas differ by parts per million) tie and go
 * by id.  A campus that reaches the
 * area is kept and its parcels are used; otherwise it is dropped and its
 * parcels stay free for later seeds.  Campuses never share parcels.
 *
 * When no campus forms, nsmall, short_ha and short_nparcels say why: how
 * many parcels took part and the largest group that was grown and dropped
 * (the largest single small parcel when none has a neighbour).
 *
 * Each campus becomes an extra site appended to the dcs_sites, measured
 * and scored like any other: id "campus_<seed id>", geometry the union of
 * its parcels (GEOSUnaryUnion), area_ha the sum of their areas, and any
 * other number or text the parcels all share (else missing).
 *
 * Ownership: the dcs_assembly owns its arrays; dcs_assembly_free().  The
 * campus sites belong to the dcs_sites like the others.
 */
#ifndef DCS_ASSEMBLY_H
#define DCS_ASSEMBLY_H

#include <stddef.h>

#include "core/error.h"
#include "geometry/geo.h"
#include "inputs/sites.h"

typedef struct {
    double min_area_ha; /* > 0 */
    size_t max_parcels; /* >= 2 */
    long owner_col;     /* column of the owner, -1: any owner */
    int owner_is_text;  /* owner_col is a text column (else a number column) */
} dcs_assembly_params;

typedef struct {
    size_t n;          /* campuses */
    size_t nsmall;     /* parcels smaller than min_area_ha (those that took part) */
    double short_ha;   /* the largest group that fell short of min_area_ha (0: none) */
    size_t short_nparcels; /* its parcels */
    size_t first;      /* sites index of the first campus; campus k is site first + k */
    size_t *nparcels;  /* n: parcels in campus k */
    size_t **parcels;  /* n: their site indices, in the order they were added */
    char **parcel_ids; /* n: their ids joined with ";" */
} dcs_assembly;

/* Group the parcels of sites and append one site per campus.  crs gives
 * the campuses' lon/lat points. */
dcs_status dcs_assemble_campuses(dcs_sites *sites, const dcs_assembly_params *p,
                                 const dcs_crs *crs, dcs_assembly *out, dcs_error *err);

/* Campus index of site i, or -1 when it is not a campus. */
long dcs_assembly_campus(const dcs_assembly *a, size_t i);

void dcs_assembly_free(dcs_assembly *a);

#endif
