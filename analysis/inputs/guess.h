/*
 * guess.h - what an inspected layer (inspect.h) is probably for, and which
 * of its fields play the usual parts, for `dcsite init`.
 *
 * Field names are compared in lower case with everything but letters and
 * digits removed ("MAX_VOLT" -> "maxvolt"), against a short list of names
 * per part: an exact name fits best (3), a name containing a telling word
 * less (2), a last resort least (1, e.g. OBJECTID for an id).  A field also
 * has to have the data the part needs: an id unique and set in every
 * feature read, a voltage numeric and above 0 somewhere, a name or zoning
 * text, counts and prices numeric.
 *
 * A layer's use follows from its geometry and fields: points with a
 * voltage field are substations, other points and lines are distances,
 * polygons with a population field are area-weighted counts, polygons
 * named or attributed like a flood map are overlays, other polygons with
 * attributes are zones (plain polygons: overlays), tables with a price are
 * joins, rasters are rasters, weather files are stations.
 *
 * Pure functions of their arguments: thread-safe, nothing to free.
 */
#ifndef DCS_GUESS_H
#define DCS_GUESS_H

#include <stddef.h>

#include "inputs/inspect.h"

typedef enum {
    DCS_ROLE_ID,
    DCS_ROLE_NAME,
    DCS_ROLE_VOLTAGE,
    DCS_ROLE_HEADROOM,
    DCS_ROLE_POPULATION,
    DCS_ROLE_PRICE,
    DCS_ROLE_FLOOD,
    DCS_ROLE_ZONING,
    DCS_ROLE_LAND_COST,
    DCS_ROLE_OWNER,
    DCS_ROLE_COUNT
} dcs_field_role;

typedef enum {
    DCS_USE_NONE,
    DCS_USE_SUBSTATIONS,
    DCS_USE_DISTANCE,
    DCS_USE_AREA_WEIGHTED,
    DCS_USE_OVERLAY,
    DCS_USE_ZONE,
    DCS_USE_JOIN,
    DCS_USE_RASTER,
    DCS_USE_STATION,
} dcs_layer_use;

/* How well the name `field` fits `role`: 0 (not at all) to 3 (best). */
int dcs_guess_name_fit(const char *field, dcs_field_role role);

/* 1 when field k of `in` has the data `role` needs (see above). */
int dcs_guess_data_fits(const dcs_inspected *in, size_t k, dcs_field_role role);

/* The best-fitting field of `in` for `role` whose data fits too (the first
 * in layer order among equals), or -1. */
long dcs_guess_field(const dcs_inspected *in, dcs_field_role role);

/* What the layer is probably for; when DCS_USE_NONE, why (in why). */
dcs_layer_use dcs_guess_use(const dcs_inspected *in, char *why, size_t size);

/* 1 when a dataset or layer name suggests an elevation model (dem, dtm,
 * srtm, elevation, ...) or a flood map (flood, fema, nfhl, ...). */
int dcs_guess_is_elevation(const char *name);
int dcs_guess_is_flood(const char *name);

/* 1 for a field that only describes the storage (OBJECTID, Shape_Area,
 * GlobalID, ...): never worth a metric. */
int dcs_guess_is_bookkeeping(const char *field);

/* 1 when field k of a polygon layer is worth a zone attribute: set, text
 * or numbers, not storage, and not a different value in each of more than
 * DCS_GUESS_ZONE_IDS features (the features' own ids: a county's FIPS code
 * is worth it, a lake's number is not). */
#define DCS_GUESS_ZONE_IDS 50
int dcs_guess_zone_field(const dcs_inspected *in, size_t k);

/* A valid scenario name from any text: lower case letters, digits and
 * '_', starting with a letter ("x" prefixed otherwise), at most max_len
 * (< size) characters. */
void dcs_guess_name(const char *text, size_t max_len, char *out, size_t size);

/* Short names of the roles and uses, for messages ("voltage", "zone"). */
const char *dcs_guess_role_name(dcs_field_role role);
const char *dcs_guess_use_name(dcs_layer_use use);

#endif
