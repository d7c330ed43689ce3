/*
 * report_gis.h - the scored candidates as GIS layers through OGR: layer
 * "candidates" (every site, its geometry -- polygon, point or none after
 * outputs.geometry -- and every field) and layer "eligible_points" (the
 * eligible sites at a point on each; outputs.eligible_points), in a
 * GeoPackage by default or any OGR vector format that creates files.
 * dcs_report_gis() uses two threads unless the run was held to one
 * (feature_pipe.h) and may run beside the map's thread (report.c).
 * The fields are listed in docs/outputs.md.
 */
#ifndef DCS_REPORT_GIS_H
#define DCS_REPORT_GIS_H

#include <gdal.h>
#include <stdatomic.h>

#include "core/error.h"
#include "report_common.h"

/* GPKG, GeoJSON, FlatGeobuf, Shapefile, CSV (with WKT) or any other OGR
 * vector driver by name; DCS_ERR_SCENARIO when unknown. */
dcs_status dcs_gis_format_find(const char *name, dcs_gis_format *f, dcs_error *err);

/* busy (NULL: none) is non-zero while other reports are being written in
 * another thread (then a GeoPackage's rows are split between two
 * connections only once it drops to 0: gis_gpkg.h). */
dcs_status dcs_report_gis(const dcs_result *res, const dcs_gis_format *fmt,
                          const dcs_report_options *opt, unsigned layers, const char *tmp,
                          const atomic_int *busy, dcs_error *err);
/* Write the layers into an open dataset: the candidates as names[0], the
 * eligible points as names[1] (NULL: that layer is not written), with the
 * layer creation options lco; label names the destination in messages. */
dcs_status dcs_report_gis_layers(const dcs_result *res, const dcs_gis_format *fmt,
                                 const char *crs, GDALDatasetH ds, const char *const names[2],
                                 char **lco, const char *label, const dcs_progress *progress,
                                 dcs_error *err);

#endif
