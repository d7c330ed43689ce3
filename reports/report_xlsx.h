/*
 * report_xlsx.h - the planner's Excel workbook (libxlsxwriter 1.1.4):
 * ranking, excluded sites and why, criteria, inputs, assumptions.
 * Written to a temporary name (output.h).
 */
#ifndef DCS_REPORT_XLSX_H
#define DCS_REPORT_XLSX_H

#include "core/error.h"
#include "report_common.h"

/* Warnings, added to res->warnings, for what the workbook must leave out:
 * Excel sheets stop at 1,048,576 rows, so Ranking and Excluded keep the
 * first 1,048,575 sites (the GIS and JSON outputs keep every site).  With
 * outputs.xlsx_rows below that, the sheets keep that many, as asked: no
 * warning, the sheets and Details say so.  Call before dcs_reports_write()
 * so that the JSON summary lists them. */
void dcs_report_xlsx_limits(dcs_result *res);

dcs_status dcs_report_xlsx(const dcs_result *res, const char *fingerprint, const char *tmp,
                           dcs_error *err);

#endif
