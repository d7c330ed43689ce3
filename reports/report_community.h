/*
 * report_community.h - the workbook's Community sheet: what the neighbours
 * will ask, per jurisdiction and per site (analysis/community/,
 * pipeline/community_run.h).
 *
 * Only with an "ordinances", "water_utilities" or "generators" section.
 * First, per jurisdiction, how many sites lie in it, how many are eligible,
 * how many fail its ordinance and each of its rules; then, per site (the
 * eligible in rank order, then the excluded in site order, at most
 * DCS_COMMUNITY_SITE_ROWS), the jurisdiction, the ordinance rules failed in
 * words, the noise metrics when a noise model made them, the serving
 * utility and the water shares, and the generators' units and emissions
 * against the permit threshold.  Rows are written in order (constant-memory
 * workbooks).  Nothing to free.
 */
#ifndef DCS_REPORT_COMMUNITY_H
#define DCS_REPORT_COMMUNITY_H

#include <xlsxwriter.h>

#include "pipeline/result.h"

#define DCS_COMMUNITY_SITE_ROWS 250u /* the rest: the GIS layers and the JSON */

/* 1 when the result has community metrics (the sheet would be written). */
int dcs_report_has_community(const dcs_result *res);

/* The one-page brief's community line for site i ("" without community
 * metrics): "Community: <jurisdiction>; noise ...; water x % of <utility>'s
 * spare (y % in a drought year); generators: n units, z t NOx/yr of t". */
void dcs_community_site_text(const dcs_result *res, size_t i, char *out, size_t size);

/* The brief's words for the rule "ordinances": its most frequent failed
 * rules with their site counts ("" when none failed). */
void dcs_community_rule_summary(const dcs_result *res, char *out, size_t size);

/* header: the workbook's wrapping header format (the headers are long). */
void dcs_report_community_sheet(lxw_workbook *wb, const dcs_result *res, lxw_format *header,
                                lxw_format *section, lxw_format *note);

#endif
