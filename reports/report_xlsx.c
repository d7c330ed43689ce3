/* report_xlsx.c - the planners' workbook (libxlsxwriter 1.1.4).
 * See report.h.
 *
 * Sheets: Summary (scenario, facility, counts, exclusions by rule),
 * Ranking (every eligible site in rank order with score, criterion values
 * and contributions, and every metric), Excluded (every excluded site with
 * every rule it failed).  Written in constant-memory mode: rows stream to
 * disk in order, so memory does not grow with the number of sites.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "mcda.h"
#include "report.h"

#define EXCEL_MAX_ROWS 1048576u

typedef struct {
    lxw_workbook *wb;
    lxw_format *bold, *header, *num2, *num4, *pct1;
} book;

static void write_num(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (!isnan(v))
        worksheet_write_number(ws, r, c, v, f);
}

static void write_str(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                      lxw_format *f)
{
    if (s)
        worksheet_write_string(ws, r, c, s, f);
}

/* Format for a metric by its unit. */
static lxw_format *unit_format(const book *b, const char *unit)
{
    if (strcmp(unit, "%") == 0)
        return b->pct1;
    return b->num2;
}

static void label_value(lxw_worksheet *ws, lxw_row_t *r, const book *b, const char *label,
                        const char *text, double num)
{
    worksheet_write_string(ws, *r, 0, label, b->bold);
    if (text)
        worksheet_write_string(ws, *r, 1, text, NULL);
    else
        write_num(ws, *r, 1, num, NULL);
    (*r)++;
}

static void write_summary(const book *b, const dcs_result *res)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Summary");
    const dcs_scenario *scn = res->scn;
    lxw_row_t r = 0;
    worksheet_set_column(ws, 0, 0, 34, NULL);
    worksheet_set_column(ws, 1, 1, 60, NULL);
    label_value(ws, &r, b, "Scenario", scn->name, 0);
    label_value(ws, &r, b, "Description", scn->description ? scn->description : "", 0);
    label_value(ws, &r, b, "Scenario file", scn->path, 0);
    label_value(ws, &r, b, "Run started (UTC)", res->started_utc, 0);
    label_value(ws, &r, b, "Working CRS", res->crs.name, 0);
    label_value(ws, &r, b, "IT load (MW)", NULL, scn->it_load_mw);
    label_value(ws, &r, b, "Design PUE", NULL, scn->design_pue);
    label_value(ws, &r, b, "Peak demand (MW)", NULL, res->peak_mw);
    label_value(ws, &r, b, "Land needed (ha)", NULL, scn->land_ha);
    label_value(ws, &r, b, "Candidates", NULL, (double)res->sites.n);
    label_value(ws, &r, b, "Eligible", NULL, (double)res->eval.neligible);
    label_value(ws, &r, b, "Excluded", NULL, (double)(res->sites.n - res->eval.neligible));
    r++;
    worksheet_write_string(ws, r, 0, "Rule", b->header);
    worksheet_write_string(ws, r++, 1, "Sites failing it", b->header);
    for (size_t k = 0; k < res->model.nrules; k++) {
        char label[128];
        dcs_rule_label(&res->model.rules[k], label, sizeof label);
        worksheet_write_string(ws, r, 0, label, NULL);
        worksheet_write_number(ws, r++, 1, (double)res->eval.rule_fails[k], NULL);
    }
    r++;
    label_value(ws, &r, b, "Aggregation",
                dcs_aggregation_name((dcs_aggregation)res->scn->aggregation), 0);
    if (res->model.ahp) {
        label_value(ws, &r, b, "Weights from", "AHP pairwise comparisons", 0);
        label_value(ws, &r, b, "AHP consistency ratio", NULL, res->model.ahp_cr);
    }
    worksheet_write_string(ws, r, 0, "Criterion", b->header);
    worksheet_write_string(ws, r++, 1, "Weight", b->header);
    for (size_t c = 0; c < res->model.ncrits; c++) {
        worksheet_write_string(ws, r, 0, res->model.crits[c].name, NULL);
        worksheet_write_number(ws, r++, 1, res->model.crits[c].weight, b->num4);
    }
}

static lxw_col_t ranking_header(lxw_worksheet *ws, const dcs_result *res, const book *b)
{
    const char *fixed[] = {"rank", "site_id", "score"};
    lxw_col_t c = 0;
    for (size_t k = 0; k < 3; k++)
        worksheet_write_string(ws, 0, c++, fixed[k], b->header);
    for (size_t k = 0; k < res->model.ncrits; k++) {
        char name[96];
        snprintf(name, sizeof name, "%s_value", res->model.crits[k].name);
        worksheet_write_string(ws, 0, c++, name, b->header);
        snprintf(name, sizeof name, "%s_contrib", res->model.crits[k].name);
        worksheet_write_string(ws, 0, c++, name, b->header);
    }
    for (size_t k = 0; k < res->model.nmetrics; k++) /* names carry units: area_ha */
        worksheet_write_string(ws, 0, c++, res->model.metrics[k].name, b->header);
    worksheet_write_string(ws, 0, c++, "coverage_gaps", b->header);
    worksheet_write_string(ws, 0, c++, "lon", b->header);
    worksheet_write_string(ws, 0, c++, "lat", b->header);
    return c;
}

static void metric_cells(lxw_worksheet *ws, lxw_row_t row, lxw_col_t *c, const dcs_result *res,
                         size_t i, const book *b)
{
    for (size_t k = 0; k < res->model.nmetrics; k++) {
        const dcs_metric *m = &res->model.metrics[k];
        if (m->kind == DCS_NUM)
            write_num(ws, row, *c, dcs_site_num(&res->sites, i)[m->col], unit_format(b, m->unit));
        else
            write_str(ws, row, *c, dcs_site_text(&res->sites, i)[m->col], NULL);
        (*c)++;
    }
}

static void write_ranking(const book *b, const dcs_result *res)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Ranking");
    lxw_col_t ncols = ranking_header(ws, res, b);
    worksheet_freeze_panes(ws, 1, 2);
    size_t rows = res->eval.neligible;
    if (rows > EXCEL_MAX_ROWS - 1)
        rows = EXCEL_MAX_ROWS - 1;
    for (size_t r = 0; r < rows; r++) {
        size_t i = res->eval.order[r];
        lxw_row_t row = (lxw_row_t)(r + 1);
        lxw_col_t c = 0;
        worksheet_write_number(ws, row, c++, (double)res->eval.rank[i], NULL);
        worksheet_write_string(ws, row, c++, res->sites.id[i], NULL);
        write_num(ws, row, c++, res->eval.score[i], b->num4);
        for (size_t k = 0; k < res->model.ncrits; k++) {
            write_num(ws, row, c++, dcs_report_value(res, i, k), b->num4);
            write_num(ws, row, c++, dcs_report_contribution(res, i, k), b->num4);
        }
        metric_cells(ws, row, &c, res, i, b);
        write_str(ws, row, c++, res->eval.gaps[i], NULL);
        write_num(ws, row, c++, res->sites.lon[i], b->num4);
        write_num(ws, row, c++, res->sites.lat[i], b->num4);
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)rows, ncols - 1);
}

static void write_excluded(const book *b, const dcs_result *res)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Excluded");
    worksheet_write_string(ws, 0, 0, "site_id", b->header);
    worksheet_write_string(ws, 0, 1, "rules_failed", b->header);
    worksheet_write_string(ws, 0, 2, "reasons", b->header);
    worksheet_set_column(ws, 2, 2, 90, NULL);
    worksheet_freeze_panes(ws, 1, 1);
    lxw_row_t row = 1;
    for (size_t i = 0; i < res->sites.n && row < EXCEL_MAX_ROWS; i++) {
        if (res->eval.eligible[i])
            continue;
        size_t nfail = 0;
        for (size_t k = 0; k < res->model.nrules; k++)
            nfail += res->eval.failed[i * res->model.nrules + k];
        worksheet_write_string(ws, row, 0, res->sites.id[i], NULL);
        worksheet_write_number(ws, row, 1, (double)nfail, NULL);
        worksheet_write_string(ws, row, 2, res->eval.reasons[i], NULL);
        row++;
    }
    worksheet_autofilter(ws, 0, 0, row - 1, 2);
}

static void make_formats(book *b)
{
    b->bold = workbook_add_format(b->wb);
    format_set_bold(b->bold);
    b->header = workbook_add_format(b->wb);
    format_set_bold(b->header);
    format_set_bottom(b->header, LXW_BORDER_THIN);
    format_set_bg_color(b->header, 0xDDEBF7);
    b->num2 = workbook_add_format(b->wb);
    format_set_num_format(b->num2, "#,##0.00");
    b->num4 = workbook_add_format(b->wb);
    format_set_num_format(b->num4, "0.0000");
    b->pct1 = workbook_add_format(b->wb);
    format_set_num_format(b->pct1, "0.0");
}

dcs_status dcs_report_xlsx(const dcs_result *res, const char *tmp, dcs_error *err)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL,
                                .use_zip64 = LXW_FALSE};
    book b = {0};
    b.wb = workbook_new_opt(tmp, &opt);
    if (!b.wb)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create workbook '%s'", tmp);
    make_formats(&b);
    write_summary(&b, res);
    write_ranking(&b, res);
    write_excluded(&b, res);
    lxw_error e = workbook_close(b.wb);
    if (e != LXW_NO_ERROR)
        return dcs_error_set(err, DCS_ERR_IO, "cannot write workbook '%s': %s", tmp,
                             lxw_strerror(e));
    return DCS_OK;
}
