/*
 * report_json.h - the JSON summary of a run (cJSON): scenario, inputs,
 * counts, criteria, the top sites with every metric, warnings, outputs and
 * the run fingerprint.  Written to a temporary name (output.h).
 */
#ifndef DCS_REPORT_JSON_H
#define DCS_REPORT_JSON_H

#include "core/error.h"
#include "report_common.h"
#include "inputs/stations.h"

struct cJSON;

dcs_status dcs_report_json(const dcs_result *res, const dcs_report_paths *paths,
                           const char *fingerprint, const char *tmp, dcs_error *err);

/* A weather station's modelled year as a JSON object (caller frees with
 * cJSON_Delete): PUE, peak demand, energy, water, WUE, mode hours and the
 * monthly profile. */
struct cJSON *dcs_report_station_json(const dcs_station *st);

#endif
