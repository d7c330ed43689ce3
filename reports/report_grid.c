/* report_grid.c - the workbook's Grid sheet: the portfolio per substation
 * and the sites that moved or found no capacity.  See report_decision.h. */
#include <math.h>
#include <stdio.h>

#include "report_decision.h"

#define GRID_SITE_ROWS 1000u /* sites listed that did not get their first choice */

static void num(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (isfinite(v))
        worksheet_write_number(ws, r, c, v, f);
}

/* Rows from r: each substation with sites on it, capacity first. */
static lxw_row_t substation_table(lxw_worksheet *ws, const dcs_result *res, lxw_row_t r,
                                  lxw_format *header, lxw_format *mw)
{
    static const char *const head[] = {"substation", "capacity (MW)", "allocated (MW)",
                                       "remaining (MW)", "sites", "headroom"};
    const dcs_portfolio *p = &res->portfolio;
    for (lxw_col_t c = 0; c < 6; c++)
        worksheet_write_string(ws, r, c, head[c], header);
    for (size_t s = 0; s < p->nsubs; s++) {
        if (p->nsites[s] == 0)
            continue;
        r++;
        worksheet_write_string(ws, r, 0, p->sub_id[s], NULL);
        num(ws, r, 1, p->capacity[s], mw);
        num(ws, r, 2, p->allocated[s], mw);
        num(ws, r, 3, p->capacity[s] - p->allocated[s], mw);
        worksheet_write_number(ws, r, 4, (double)p->nsites[s], NULL);
        worksheet_write_string(ws, r, 5,
                               isnan(p->capacity[s])  ? "unknown: taken as enough"
                               : p->conflict[s]       ? "sites report different values"
                                                      : "as given",
                               NULL);
    }
    return r + 2;
}

/* Rows from r: the sites that moved or got nothing, in rank order. */
static void moved_table(lxw_worksheet *ws, const dcs_result *res, lxw_row_t r,
                        lxw_format *header)
{
    static const char *const head[] = {"rank", "site", "status", "substation", "why"};
    const dcs_portfolio *p = &res->portfolio;
    for (lxw_col_t c = 0; c < 5; c++)
        worksheet_write_string(ws, r, c, head[c], header);
    size_t shown = 0;
    for (size_t k = 0; k < p->n && shown < GRID_SITE_ROWS; k++) {
        if (p->status[k] == DCS_PF_FIRST || p->status[k] == DCS_PF_BEYOND_TARGET)
            continue;
        r++;
        shown++;
        worksheet_write_number(ws, r, 0, (double)(k + 1), NULL);
        worksheet_write_string(ws, r, 1, res->sites.id[res->eval.order[k]], NULL);
        worksheet_write_string(ws, r, 2, dcs_pf_status_name(p->status[k]), NULL);
        if (p->site_sub[k] != SIZE_MAX)
            worksheet_write_string(ws, r, 3, p->sub_id[p->site_sub[k]], NULL);
        worksheet_write_string(ws, r, 4, res->pf_note[k], NULL);
    }
}

void dcs_report_grid_sheet(lxw_workbook *wb, const dcs_result *res, lxw_format *header,
                           lxw_format *section, lxw_format *note)
{
    if (!res->has_portfolio)
        return;
    const dcs_portfolio *p = &res->portfolio;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Grid");
    lxw_format *mw = workbook_add_format(wb);
    format_set_num_format(mw, "#,##0.0");
    char text[512];
    worksheet_write_string(ws, 0, 0, "Grid capacity: the eligible sites in rank order, each "
                                     "drawing its peak demand from a substation's headroom",
                           section);
    if (isnan(res->scn->portfolio.target_mw))
        snprintf(text, sizeof text, "%zu of %zu eligible sites allocated, %.1f MW in all; a "
                 "site whose substation is full moves to its next cheapest connection (up to %zu "
                 "alternatives within %g km).", p->nallocated, p->n, p->total_mw,
                 res->scn->portfolio.alternatives, res->scn->portfolio.search_km);
    else
        snprintf(text, sizeof text, "%zu of %zu eligible sites allocated, %.1f MW in all "
                 "(target %.0f MW: allocation stops once it is reached); a site whose substation "
                 "is full moves to its next cheapest connection (up to %zu alternatives within "
                 "%g km).", p->nallocated, p->n, p->total_mw, res->scn->portfolio.target_mw,
                 res->scn->portfolio.alternatives, res->scn->portfolio.search_km);
    worksheet_write_string(ws, 1, 0, text, note);
    lxw_row_t r = substation_table(ws, res, 3, header, mw);
    worksheet_write_string(ws, r, 0, "Sites that moved or found no capacity", section);
    moved_table(ws, res, r + 1, header);
    worksheet_set_column(ws, 0, 0, 14, NULL);
    worksheet_set_column(ws, 1, 4, 14, NULL);
    worksheet_set_column(ws, 5, 5, 28, NULL);
}
