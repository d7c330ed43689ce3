/*
 * gis_fields.h - the fields of the GIS layers "candidates" and
 * "eligible_points", in one order for every writer.
 *
 * dcs_gis_fields_create() adds them to an OGR layer; dcs_gis_fields_emit()
 * hands site i's values, field by field in that same order, to a writer's
 * callbacks (an OGR feature, a GeoPackage row bound directly: gpkg_rows.h).
 * The list itself is documented in docs/outputs.md and report_gis.c.
 *
 * Both only read the result; they are safe in any thread that holds no
 * other reference to the callbacks' target.
 */
#ifndef DCS_GIS_FIELDS_H
#define DCS_GIS_FIELDS_H

#include <ogr_api.h>

#include "report_common.h"

/* Where field k's value goes: a number (NaN: null), an integer, a text
 * (NULL: null). */
typedef struct {
    void (*real)(void *to, int k, double v);
    void (*integer)(void *to, int k, int v);
    void (*text)(void *to, int k, const char *s);
} dcs_gis_field_sink;

/* Add field name of type to lyr; 0 when OGR refuses it. */
int dcs_gis_field_add(OGRLayerH lyr, const char *name, OGRFieldType type);

/* Add every field to lyr; 0 when OGR refuses one. */
int dcs_gis_fields_create(OGRLayerH lyr, const dcs_result *res);

/* Site i's values to sink (to: its target); why is the site's reasons
 * text (dcs_result_reasons; NULL for an eligible site). */
void dcs_gis_fields_emit(const dcs_gis_field_sink *sink, void *to, const dcs_result *res,
                         size_t i, const char *why);

/* dcs_gis_fields_emit into an OGR feature. */
void dcs_gis_fields_to_feature(OGRFeatureH f, const dcs_result *res, size_t i, const char *why);

#endif
