/*
 * report_raster.h - the score of grid candidates as a GeoTIFF (GDAL).
 */
#ifndef DCS_REPORT_RASTER_H
#define DCS_REPORT_RASTER_H

#include "core/error.h"
#include "report_common.h"

/* The score of grid candidates as a GeoTIFF in the working CRS. */
dcs_status dcs_report_score_tif(const dcs_result *res, const char *tmp, dcs_error *err);

#endif
