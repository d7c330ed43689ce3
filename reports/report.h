/*
 * report.h - the report writers: JSON summary, GeoPackage (or any OGR
 * vector format) and Excel workbook, all written from one dcs_result.
 *
 * Each writer writes to a temporary name and renames when complete (see
 * output.h); on failure nothing is left under the final name and an
 * earlier report of the same name is untouched.
 */
#ifndef DCS_REPORT_H
#define DCS_REPORT_H

#include <math.h>
#include <stddef.h>

#include "error.h"
#include "output.h"
#include "run.h"

typedef struct {
    char json[DCS_PATH_MAX];
    char gpkg[DCS_PATH_MAX];
    char xlsx[DCS_PATH_MAX];
} dcs_report_paths;

/* Write every output the scenario asks for into outdir (created when
 * missing).  Paths not written are left empty. */
dcs_status dcs_reports_write(const dcs_result *res, const char *outdir, dcs_report_paths *paths,
                             dcs_error *err);

dcs_status dcs_report_json(const dcs_result *res, const dcs_report_paths *paths,
                           const char *tmp, dcs_error *err);
dcs_status dcs_report_gpkg(const dcs_result *res, const char *tmp, dcs_error *err);
dcs_status dcs_report_xlsx(const dcs_result *res, const char *tmp, dcs_error *err);

/* A weather station's modelled year as a JSON object (caller frees with
 * cJSON_Delete): PUE, peak demand, energy, water, WUE, mode hours and the
 * monthly profile. */
struct cJSON *dcs_report_station_json(const dcs_station *st);

/* Criterion c's value of site i, in [0, 1] (NaN when missing). */
static inline double dcs_report_value(const dcs_result *res, size_t i, size_t c)
{
    return res->eval.value[i * res->eval.ncrits + c];
}

/* Criterion c's contribution to site i's score (weight x value). */
static inline double dcs_report_contribution(const dcs_result *res, size_t i, size_t c)
{
    double v = dcs_report_value(res, i, c);
    return isnan(v) ? 0 : res->model.crits[c].weight * v;
}

static inline const char *dcs_report_status(const dcs_result *res, size_t i)
{
    return res->eval.eligible[i] ? "eligible" : "excluded";
}

#endif
