/* report_sensitivity.c - the workbook's Sensitivity sheet.
 * See report_decision.h. */
#include <math.h>
#include <stdio.h>

#include "report_decision.h"

#define SENS_SHEET_ROWS 1000u /* sites listed (base rank order) */
#define SENS_CHART_BARS 20u

typedef struct {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    const dcs_result *res;
    lxw_format *header, *section, *note, *pct, *w3;
    int constant;
    lxw_row_t r;
} sens_sheet;

static void num(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (isfinite(v))
        worksheet_write_number(ws, r, c, v, f);
}

static void str(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f)
{
    if (s)
        worksheet_write_string(ws, r, c, s, f);
}

static size_t site_rows(const dcs_result *res)
{
    return res->eval.neligible < SENS_SHEET_ROWS ? res->eval.neligible : SENS_SHEET_ROWS;
}

static void method_text(const dcs_result *res, char *buf, size_t size)
{
    const dcs_scenario *scn = res->scn;
    int n = snprintf(buf, size, "Monte Carlo over the weights: %zu runs, seed %llu; ",
                     scn->sensitivity.runs, scn->sensitivity.seed);
    if (n < 0 || (size_t)n >= size)
        return;
    if (scn->sensitivity.lo)
        snprintf(buf + n, size - (size_t)n, "weights drawn uniformly within the given ranges, "
                 "then rescaled to sum 1. P(top %zu) is the share of runs in which the site "
                 "ranks in the top %zu; rank percentiles by the nearest-rank method.",
                 scn->sensitivity.top_n, scn->sensitivity.top_n);
    else
        snprintf(buf + n, size - (size_t)n, "each weight multiplied by a factor uniform in "
                 "[%g, %g], then rescaled to sum 1. P(top %zu) is the share of runs in which the "
                 "site ranks in the top %zu; rank percentiles by the nearest-rank method.",
                 1 - scn->sensitivity.perturbation, 1 + scn->sensitivity.perturbation,
                 scn->sensitivity.top_n, scn->sensitivity.top_n);
}

static void site_table(sens_sheet *s)
{
    const dcs_result *res = s->res;
    char ptop[32];
    snprintf(ptop, sizeof ptop, "P(top %zu)", res->scn->sensitivity.top_n);
    const char *labels[] = {"base rank", "site_id", "score", ptop, "rank p5", "rank p50",
                            "rank p95", "pareto"};
    size_t nl = res->pareto ? 8 : 7, rows = site_rows(res);
    for (size_t k = 0; k < nl; k++)
        str(s->ws, s->r, (lxw_col_t)k, labels[k], s->header);
    if (rows < res->eval.neligible) {
        char note[160];
        snprintf(note, sizeof note, "The first %zu of %zu eligible sites; the GIS report has "
                 "p_top_n and rank percentiles for all.", rows, res->eval.neligible);
        str(s->ws, s->r, (lxw_col_t)(nl + 1), note, s->note);
    }
    for (size_t k = 0; k < rows; k++) {
        size_t i = res->eval.order[k];
        lxw_row_t r = ++s->r;
        num(s->ws, r, 0, (double)res->eval.rank[i], NULL);
        str(s->ws, r, 1, res->sites.id[i], NULL);
        num(s->ws, r, 2, res->eval.score[i], s->w3);
        num(s->ws, r, 3, res->sens.p_top[i], s->pct);
        num(s->ws, r, 4, res->sens.rank_p05[i], NULL);
        num(s->ws, r, 5, res->sens.rank_p50[i], NULL);
        num(s->ws, r, 6, res->sens.rank_p95[i], NULL);
        if (res->pareto)
            num(s->ws, r, 7, res->pareto[i], NULL);
    }
}

/* Bars of P(top N) for the first sites of the table (rows first..). */
static void chart(sens_sheet *s, lxw_row_t first)
{
    size_t rows = site_rows(s->res), nbars = rows < SENS_CHART_BARS ? rows : SENS_CHART_BARS;
    if (nbars == 0)
        return;
    lxw_chart *ch = workbook_add_chart(s->wb, LXW_CHART_BAR);
    lxw_chart_series *se = ch ? chart_add_series(ch, NULL, NULL) : NULL;
    if (!se)
        return;
    lxw_col_t cat = s->constant ? 0 : 1; /* text categories need a data cache */
    lxw_row_t last = first + (lxw_row_t)nbars - 1;
    chart_series_set_categories(se, "Sensitivity", first, cat, last, cat);
    chart_series_set_values(se, "Sensitivity", first, 3, last, 3);
    chart_series_set_name_range(se, "Sensitivity", first - 1, 3);
    char title[96];
    snprintf(title, sizeof title, "Probability of ranking in the top %zu",
             s->res->scn->sensitivity.top_n);
    chart_title_set_name(ch, title);
    /* in a bar chart the x axis is the (horizontal) value axis */
    chart_axis_set_name(ch->y_axis, s->constant ? "base rank" : "site");
    chart_axis_set_reverse(ch->y_axis); /* base rank 1 at the top */
    chart_axis_set_min(ch->x_axis, 0);
    chart_axis_set_max(ch->x_axis, 1);
    chart_axis_set_num_format(ch->x_axis, "0%");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    lxw_chart_options opt = {.x_scale = 1.5, .y_scale = 1.8,
                             .description = "Share of Monte Carlo runs in the top N, per site"};
    worksheet_insert_chart_opt(s->ws, first - 1, 9, ch, &opt);
}

static const char *site_id(const dcs_result *res, size_t i)
{
    return i == DCS_SENS_NONE ? "(none)" : res->sites.id[i];
}

static void sweep_summary(sens_sheet *s)
{
    const dcs_result *res = s->res;
    const dcs_sensitivity *se = &res->sens;
    s->r += 2;
    str(s->ws, s->r++, 0, "One-at-a-time weight sweeps", s->section);
    str(s->ws, s->r++, 0, "Each criterion's weight goes from 0 to 1, the others keeping their "
        "proportions. The base top site stays on top while the weight lies between the two "
        "switch points (found by bisection); beyond them the named site takes the lead.", s->note);
    const char *labels[] = {"criterion", "weight", "top site stays from", "to",
                            "top below", "top above"};
    for (size_t k = 0; k < 6; k++)
        str(s->ws, s->r, (lxw_col_t)k, labels[k], s->header);
    for (size_t c = 0; c < se->ncrits; c++) {
        lxw_row_t r = ++s->r;
        str(s->ws, r, 0, res->model.crits[c].name, NULL);
        num(s->ws, r, 1, res->model.crits[c].weight, s->w3);
        num(s->ws, r, 2, se->sweep_lo[c], s->w3);
        num(s->ws, r, 3, se->sweep_hi[c], s->w3);
        str(s->ws, r, 4, site_id(res, se->sweep_lo_site[c]), NULL);
        str(s->ws, r, 5, site_id(res, se->sweep_hi_site[c]), NULL);
    }
}

static void sweep_grid(sens_sheet *s)
{
    const dcs_result *res = s->res;
    const dcs_sensitivity *se = &res->sens;
    s->r += 2;
    str(s->ws, s->r++, 0, "Top site along each sweep", s->section);
    str(s->ws, s->r, 0, "weight of the criterion", s->header);
    for (size_t c = 0; c < se->ncrits; c++)
        str(s->ws, s->r, (lxw_col_t)(c + 1), res->model.crits[c].name, s->header);
    for (size_t k = 0; k < se->steps; k++) {
        lxw_row_t r = ++s->r;
        num(s->ws, r, 0, (double)k / (double)(se->steps - 1), s->w3);
        for (size_t c = 0; c < se->ncrits; c++)
            str(s->ws, r, (lxw_col_t)(c + 1), site_id(res, se->sweep_top[c * se->steps + k]),
                NULL);
    }
}

void dcs_report_sensitivity_sheet(lxw_workbook *wb, const dcs_result *res, lxw_format *header,
                                  lxw_format *section, lxw_format *note, int constant)
{
    if (!res->has_sens)
        return;
    sens_sheet s = {wb, workbook_add_worksheet(wb, "Sensitivity"), res, header, section, note,
                    workbook_add_format(wb), workbook_add_format(wb), constant, 0};
    if (!s.ws || !s.pct || !s.w3)
        return;
    format_set_num_format(s.pct, "0.0%");
    format_set_num_format(s.w3, "0.000");
    worksheet_set_column(s.ws, 0, 0, 12, NULL);
    worksheet_set_column(s.ws, 1, 7, 14, NULL);
    str(s.ws, s.r++, 0, "Sensitivity of the ranking to the weights", section);
    char text[600];
    method_text(res, text, sizeof text);
    str(s.ws, s.r++, 0, text, note);
    s.r++;
    lxw_row_t first = s.r + 1;
    site_table(&s);
    chart(&s, first);
    sweep_summary(&s);
    sweep_grid(&s);
}
