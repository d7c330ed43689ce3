/*
 * report_json_sites.h - the site parts of the JSON summary (cJSON): one
 * site as an object (rank, site_id, score, lon/lat (an interior point),
 * centroid_lon/lat (the area centroid), coverage gaps, the
 * decision fields, every metric, each criterion's value and contribution),
 * the top sites, the distinct options, the score classes, and what every
 * field means (units, fields).  report_json.c puts the summary together
 * and streams "sites" (every eligible site, outputs.all_sites) one
 * dcs_json_site() at a time.  The layout is docs/schema/summary.schema.json.
 *
 * Ownership: the add functions add to the caller's object; dcs_json_site()
 * returns a new object (cJSON_Delete).  Thread-safe on a finished result.
 */
#ifndef DCS_REPORT_JSON_SITES_H
#define DCS_REPORT_JSON_SITES_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/error.h"
#include "pipeline/result.h"

/* obj[key] = v, or null when v is NaN (JSON has no NaN). */
cJSON *dcs_json_number(cJSON *obj, const char *key, double v);

/* Site i as the summary lists it; NULL when out of memory. */
cJSON *dcs_json_site(const dcs_result *res, size_t i);

/* "top_sites" (the first outputs.top_n eligible sites), "distinct"
 * {by, min_spacing_km}, "distinct_options" and "score_classes". */
void dcs_json_add_ranking(cJSON *root, const dcs_result *res);

/* "units" (field name: unit) and "fields" (name, title, unit, type,
 * better, source, meaning of each) from dcs_report_fields(). */
dcs_status dcs_json_add_fields(cJSON *root, const dcs_result *res, dcs_error *err);

#endif
