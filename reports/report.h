/*
 * report.h - the dispatcher of the report writers: every output a
 * scenario asks for (JSON summary, GIS layers in any OGR vector format or
 * PostGIS, Excel workbook, score raster, map, web map report), all written
 * from one dcs_result.  It calls the writers (report_json.h, report_gis.h,
 * report_pg.h, report_xlsx.h, report_raster.h, report_map.h,
 * report_html.h); they never call it: what they share is
 * in report_common.h.
 *
 * Each writer writes to a temporary name and renames when complete (see
 * output.h); on failure nothing is left under the final name and an
 * earlier report of the same name is untouched.
 */
#ifndef DCS_REPORT_H
#define DCS_REPORT_H

#include <stddef.h>

#include "core/error.h"
#include "output.h"
#include "report_common.h"
#include "pipeline/result.h"

/* Write every output the scenario asks for into outdir (created when
 * missing).  Paths not written are left empty.  Every output records the
 * run fingerprint: "fingerprint" in the JSON summary, the metadata item
 * DCSITE_FINGERPRINT of the GIS dataset, a row of the workbook's
 * Assumptions sheet. */
dcs_status dcs_reports_write(const dcs_result *res, const char *outdir,
                             const dcs_report_options *opt, dcs_report_paths *paths,
                             dcs_error *err);

/* Every name dcs_reports_write would write for scn into outdir with opt
 * (final and temporary, sidecars, SQLite side files), each through fn
 * until it fails; DCS_ERR_IO first when outdir cannot be used (empty, too
 * long, not a directory, not writable) or a name would not fit in
 * DCS_PATH_MAX.  Database outputs have no names here.  Nothing is
 * written. */
dcs_status dcs_reports_each_path(const dcs_scenario *scn, const char *outdir,
                                 const dcs_report_options *opt,
                                 dcs_status (*fn)(void *user, const char *path, dcs_error *err),
                                 void *user, dcs_error *err);

/* 1 when outdir already holds this scenario's complete reports with this
 * run fingerprint, so a re-run (batch, merge) can skip it: the JSON summary
 * (renamed into place last, once every report is complete) names the
 * fingerprint, every output it lists exists, and so do the workbook and
 * the GIS output in opt's format that the scenario asks for.  (The output
 * CRS is not checked: --crs is not part of the fingerprint.) */
int dcs_reports_done(const dcs_scenario *scn, const char *outdir, const dcs_report_options *opt,
                     const char *fingerprint);

#endif
