/*
 * nearest.h - nearest-feature search over flat coordinates, so that the
 * per-site nearest searches (substations, distance layers, weather
 * stations) make few or no GEOS distance calls.
 *
 * The features of a layer are cut into primitives: points, segments (the
 * edges of lines and polygon rings) and, for each polygon feature, one
 * "area" primitive whose box is the feature's box and whose distance is 0
 * when the site lies inside the feature, infinite otherwise (the edges
 * give the rest).  The primitives sit in a bounding-box tree (median
 * splits, small leaves) built once; a search walks it depth first, nearest
 * box first, measuring the planar distance from the site to each primitive
 * it reaches and pruning boxes farther than the best distance so far.
 *
 * Exactness: the planar distances computed here need not agree with
 * GEOSDistance to the last bit, so the search keeps every feature within
 * a tolerance (1e-9 of the largest coordinate) of the best, and when more
 * than one is left, GEOSDistance decides among them; equal GEOS distances
 * go to the lowest feature index.  The winner is therefore the feature
 * with the least GEOSDistance to the site, lowest index on ties.
 *
 * Sites: a point or (multi)polygon; dcs_near_site_set() says when a site
 * is anything else, and the caller then uses another method.
 *
 * Thread safety: a built dcs_nearest is read-only and may be shared by
 * threads; each thread has its own dcs_near_site.
 *
 * Ownership: dcs_nearest_build() allocates the index (free it with
 * dcs_nearest_free()); a dcs_near_site starts zeroed, is reused between
 * sites and freed with dcs_near_site_free().
 */
#ifndef DCS_NEAREST_H
#define DCS_NEAREST_H

#include <geos_c.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "geometry/rings.h"

typedef struct {
    double x0, y0, x1, y1;   /* box of the primitives below */
    uint32_t lo, hi;         /* primitives [lo, hi) of a leaf */
    uint32_t left, right;    /* children; left == 0 for a leaf (the root is 0) */
} dcs_near_node;

typedef struct {
    size_t nitems, nprim, nnodes;
    unsigned char *kind;     /* per primitive: point, segment or area */
    uint32_t *item;          /* the feature of each primitive */
    uint32_t *seq;           /* the order in which the primitives were added */
    uint32_t *line;          /* the line string or ring of a segment (numbered from 0
                              * over the whole index, in the order added) */
    double *ax, *ay, *bx, *by; /* point a; segment a-b */
    dcs_rings *rings;        /* nitems; rings of polygon features (others empty) */
    double *ptx, *pty;       /* nitems; the coordinates of single-point features (NaN
                              * for the others) */
    dcs_near_node *node;
    double tol;              /* 1e-9 of the largest coordinate */
} dcs_nearest;

/* A site flattened for a search: a point, or the rings of a polygon as
 * GEOS holds them (shells and holes in GEOS's order, each with its
 * closing vertex). */
typedef struct {
    int usable;              /* 0: not a point or (multi)polygon; search otherwise */
    int is_point;
    double px, py;           /* the point of a point site */
    double *x, *y;           /* ring vertices */
    size_t n, cap;
    size_t *start;           /* ring r: vertices [start[r], start[r + 1]) */
    size_t nrings, rcap;
    double x0, y0, x1, y1;   /* box */
    uint32_t *seg;           /* the last search's nearest segments (see dcs_nearest_find) */
    size_t nseg, segcap;
    const dcs_nearest *hint_ix; /* the index of the last search that found something, */
    uint32_t hint_prim;      /* and its nearest primitive: the next search in that
                              * index starts from its distance (sites come in
                              * spatial order, so it is near the answer) */
} dcs_near_site;

/* Index the n geometries (points, lines, polygons, multi and collections
 * of those; empty ones are never found).  DCS_ERR_NOMEM,
 * DCS_ERR_GEOMETRY when GEOS cannot give coordinates. */
dcs_status dcs_nearest_build(GEOSContextHandle_t geos, GEOSGeometry *const *geoms, size_t n,
                             dcs_nearest **out, dcs_error *err);

void dcs_nearest_free(dcs_nearest *ix);

/* Flatten site into s.  s->usable is 0 when the site is not a point or a
 * (multi)polygon whose rings all have 3 or more distinct vertices (or is
 * empty).  DCS_ERR_NOMEM. */
dcs_status dcs_near_site_set(dcs_near_site *s, GEOSContextHandle_t geos, const GEOSGeometry *site);

/* dst = src's flattened site (not its last search's segments): the same
 * as dcs_near_site_set() on src's site, without asking GEOS again.
 * DCS_ERR_NOMEM. */
dcs_status dcs_near_site_copy(dcs_near_site *dst, const dcs_near_site *src);

void dcs_near_site_free(dcs_near_site *s);

/* The feature of geoms (the geometries the index was built from, in the
 * caller's GEOS context) with the least GEOSDistance to the site, lowest
 * index on ties; *which = (size_t)-1 when no feature has coordinates.
 * The search also leaves in site->seg the found feature's segments within
 * the tolerance of the least distance, in the order they were added, when
 * that feature's primitives there are all segments and farther than the
 * tolerance from the site (for dcs_nearest_segment_pair()); else
 * site->nseg = 0.  Among features within the tolerance of each other (lines
 * meeting at a vertex, say), GEOS's distance formulas applied to those
 * segments and points choose, without a call to GEOS, when the least
 * distance is beyond the tolerance.
 * DCS_ERR_NOMEM, DCS_ERR_GEOMETRY when GEOSDistance fails. */
dcs_status dcs_nearest_find(const dcs_nearest *ix, GEOSContextHandle_t geos,
                            GEOSGeometry *const *geoms, const GEOSGeometry *site_geom,
                            dcs_near_site *site, size_t *which);

/* fn(item, user) for every primitive of ix whose box meets the box x0..x1,
 * y0..y1: each feature with a point, segment or (polygons) box there, as
 * many times as it has such primitives.  A feature that does not come up
 * lies wholly outside the box. */
void dcs_nearest_box_query(const dcs_nearest *ix, double x0, double y0, double x1, double y1,
                           void (*fn)(size_t item, void *user), void *user);

/* The nearest points of the site and feature which when that feature is
 * a single point and the points are certain: x[0], y[0] on the site,
 * x[1], y[1] the feature's point, as GEOSNearestPoints_r(site, feature)
 * finds them (the first edge of the site, in GEOS's order, at the least
 * distance, and the point on it nearest the feature; the feature's point
 * twice when it lies inside the site).  0 when the feature is not a single
 * point, or lies within the tolerance of the site's boundary (where a
 * plain point-in-polygon test could err): ask GEOS then. */
int dcs_nearest_point_pair(const dcs_nearest *ix, size_t which, const dcs_near_site *site,
                           double x[2], double y[2]);

/* The nearest points of the site and the feature that holds the segments
 * the last dcs_nearest_find() on this site left: x[0], y[0] on the site,
 * x[1], y[1] on a segment, as GEOSNearestPoints_r(site, feature) finds
 * them.  GEOS compares every pair of a site edge and a feature segment in
 * its order (site ring, feature line, site edge, segment) and keeps the
 * first strictly nearest; the other segments are farther by more than the
 * tolerance, so only the pairs with the kept segments can win, and they
 * are tried here in that order with GEOS's formulas.  0 when the search
 * left no segments. */
int dcs_nearest_segment_pair(const dcs_nearest *ix, const dcs_near_site *site, double x[2],
                             double y[2]);

#endif
