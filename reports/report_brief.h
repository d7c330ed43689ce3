/*
 * report_brief.h - the workbook's Summary sheet: a one-page brief a
 * planner can take to a public hearing (Letter landscape, text of 8 pt
 * and more, printed at 100 % where LibreOffice draws Calibri with DejaVu
 * Sans, the widest usual case; centred on the page in Excel).
 *
 * From the top:
 *   the question   the scenario's name and description, the facility (IT
 *                  load, peak demand, land) and the counts (candidates,
 *                  eligible, excluded);
 *   the answer     the distinct options (res->distinct: the best site of
 *                  each distinct place, by default one per substation), in
 *                  rank order, with their quantities and units (score,
 *                  interconnection cost, distance to and headroom of the
 *                  substation, energy cost, water, then the metric of every
 *                  criterion as measured), and under each a line saying why
 *                  (its three largest contributions, with the values behind
 *                  them) and naming any rule it nearly failed; the title
 *                  says how many of the plain top N share one place;
 *   exclusions     the sites failing each rule, or "not applied: <layer>
 *                  covers no site" for a rule whose metric was measured
 *                  at no site (dcs_brief_rule_unmeasured());
 *   caveats        every warning of the run, as its plain sentence;
 *   the map        dcs_map_png_buffer() (report_map.h), scaled into the
 *                  bottom right corner.
 * Quantity columns that would not fit the page's width are left out (the
 * Ranking sheet has them all), and the title says so.
 *
 * "Nearly failed": an eligible site's value is within 10 % of a min or
 * max rule's limit, on the passing side: limit <= v < limit + 0.1 |limit|
 * for a minimum, limit - 0.1 |limit| < v <= limit for a maximum.  A limit
 * of 0 has no such band.
 *
 * The sheet is written strictly row by row (constant-memory mode), with
 * every row's height set from the estimated wrapped lines (report_book.h).
 *
 * Ownership: the PNG of the map is freed before returning; nothing is
 * kept.  One thread writes a book.
 */
#ifndef DCS_REPORT_BRIEF_H
#define DCS_REPORT_BRIEF_H

#include <stddef.h>

#include "core/error.h"
#include "pipeline/result.h"
#include "report_book.h"
#include "report_fields.h"

/* The Summary sheet (added to the book where it stands: call first).
 * DCS_ERR_NOMEM when out of memory; a map that cannot be drawn is a
 * caveat on the sheet, not an error. */
dcs_status dcs_report_brief(dcs_book *b, const dcs_result *res, const dcs_field_info *fields,
                            size_t nfields, dcs_error *err);

/* 1 when rule k tests a metric measured at no site (every site's value is
 * missing, or the metric's layer covers none of them), with why ("slope_deg
 * covers no site") in why[size]; else 0.  Coverage rules are always
 * applied. */
int dcs_brief_rule_unmeasured(const dcs_result *res, size_t k, char *why, size_t size);

#endif
