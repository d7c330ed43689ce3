/* report_xlsx.c - the planners' workbook (libxlsxwriter 1.1.4): its
 * assembly, and every sheet but the brief.  See report_xlsx.h.
 *
 * Sheets:
 *  Summary      the one-page brief (report_brief.c).
 *  Details      the figures behind it: the scenario, facility, run (date,
 *               duration, working CRS), counts and the sites failing each
 *               rule (the same figures as the JSON summary), the top sites
 *               (rank, id, score, lon/lat, centroid lon/lat, an
 *               OpenStreetMap link at lon/lat, each
 *               criterion's contribution) with a stacked column chart of
 *               their scores by criterion, the inputs and the weights.
 *  Ranking      every eligible site in rank order: score, each criterion's
 *               value and contribution, every metric, coverage gaps,
 *               lon/lat, centroid lon/lat; headers are the fields' titles with their units
 *               (report_fields.h), every number column has a number format;
 *               frozen header, a filter on every column and a 3-colour
 *               scale on the score.
 *  Excluded     every excluded site, the number of rules it failed and
 *               every reason, wrapped in a fixed column.
 *  Sensitivity  (scenarios with a sensitivity section) P(top N) and rank
 *               percentiles per site, a bar chart of P(top N) and the
 *               one-at-a-time weight sweeps (report_sensitivity.c).
 *  Energy       (scenarios with an energy section) each weather station's
 *               modelled year, its monthly profile and a line chart of
 *               monthly PUE at the stations of the top sites.
 *  Assumptions  every parameter the run used, defaults included, the
 *               software and library versions and the SHA-256 fingerprint
 *               of every input file.
 *  Fields       what every Ranking and GIS column means (report_print.c).
 * Every sheet is set up to print (report_print.h); rows holding wrapped
 * text get the height it needs (report_book.h).
 *
 * Memory: when Ranking and Excluded together hold at most
 * XLSX_MEMORY_CELLS cells, the workbook is built in memory and Ranking is
 * an Excel table.  Larger runs use libxlsxwriter's constant-memory mode:
 * rows stream to temporary files, so memory does not grow with the number
 * of sites.  That mode has no tables (Ranking gets a plain autofilter) and
 * writes no data caches for charts, so a text category range would be read
 * as numbers: the charts then take their categories from the numeric rank
 * and month columns instead of site ids and month names.  Every sheet is
 * written strictly row by row, as that mode requires.  A sheet stops at
 * Excel's 1,048,576 rows with a note saying how many rows were cut.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xlsxwriter.h>

#include "inputs/dsn.h"
#include "fingerprint.h"
#include "decision/mcda.h"
#include "report_xlsx.h"
#include "report_book.h"
#include "report_brief.h"
#include "report_community.h"
#include "report_decision.h"
#include "report_fields.h"
#include "report_print.h"
#include "core/version.h"

/* Cells on Ranking + Excluded above which the workbook streams to disk
 * (libxlsxwriter keeps roughly 100 bytes per cell in memory). */
#define XLSX_MEMORY_CELLS 250000u
#define SUMMARY_MAX_TOP 100u  /* rows of the top-sites table on Details */
#define CHART_MAX_SITES 10u   /* bars in the Details chart */
#define CHART_MAX_SERIES 255 /* Excel's limit of series in one chart */
#define TOP_FIRST_CRIT 8u     /* the top-sites table's first criterion column (after the map) */
#define CHART_MAX_STATIONS 10u

#define BODY_PT 11.0 /* the default font: Calibri 11 */
#define MAX_TRACKED_COLS 16

/* A sheet being written top to bottom.  Text written with cell() wraps
 * within its column; end_row() gives the row the height of its tallest
 * cell (no spreadsheet does it on opening). */
typedef struct {
    dcs_book *b;
    lxw_worksheet *ws;
    const char *name;
    lxw_row_t r;
    double width[MAX_TRACKED_COLS]; /* column widths as set (characters) */
    unsigned lines;                 /* most lines of a cell on the current row */
} sheet;

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static void sheet_cols(sheet *s, lxw_col_t c0, lxw_col_t c1, double w)
{
    worksheet_set_column(s->ws, c0, c1, w, NULL);
    for (lxw_col_t c = c0; c <= c1 && c < MAX_TRACKED_COLS; c++)
        s->width[c] = w;
}

static double sheet_col_pt(const sheet *s, lxw_col_t c, lxw_col_t span)
{
    double w = 0;
    for (lxw_col_t k = c; k < c + span && k < MAX_TRACKED_COLS; k++)
        w += dcs_book_col_pt(s->width[k] > 0 ? s->width[k] : 8.43);
    return w;
}

static void count_lines(sheet *s, lxw_col_t c, lxw_col_t span, const char *text, double pt,
                        int bold)
{
    unsigned n = text ? dcs_book_lines(text, sheet_col_pt(s, c, span), pt, bold) : 1;
    if (n > s->lines)
        s->lines = n;
}

/* Text wrapped within column c of the current row (f: a wrapping format,
 * NULL for the book's). */
static void cell(sheet *s, lxw_col_t c, const char *text, lxw_format *f)
{
    dcs_put_str(s->ws, s->r, c, text, f ? f : s->b->wrap);
    count_lines(s, c, 1, text, BODY_PT, f == s->b->wrap_header || f == s->b->wrap_bold);
}

/* Text wrapped over columns c0..c1 (merged) of the current row. */
static void wide_cell(sheet *s, lxw_col_t c0, lxw_col_t c1, const char *text, lxw_format *f)
{
    worksheet_merge_range(s->ws, s->r, c0, s->r, c1, "", f);
    dcs_put_str(s->ws, s->r, c0, text, f);
    count_lines(s, c0, (lxw_col_t)(c1 - c0 + 1), text, BODY_PT, 0);
}

static void end_row(sheet *s)
{
    if (s->lines > 1)
        worksheet_set_row(s->ws, s->r, dcs_book_row_pt(s->lines, BODY_PT), NULL);
    s->lines = 0;
    s->r++;
}

static void section(sheet *s, const char *title)
{
    if (s->r > 0)
        s->r++;
    dcs_put_str(s->ws, s->r++, 0, title, s->b->section);
}

/* A header row of n labels from column 0, wrapped within their columns. */
static void header_row(sheet *s, const char *const *labels, size_t n)
{
    for (size_t k = 0; k < n; k++)
        cell(s, (lxw_col_t)k, labels[k], s->b->wrap_header);
    end_row(s);
}

/* label | text | unit | note (the note runs over columns 3 to 6) */
static void row_text(sheet *s, const char *label, const char *value, const char *unit,
                     const char *note)
{
    cell(s, 0, label, s->b->wrap_bold);
    if (value && !(unit && *unit) && !(note && *note))
        wide_cell(s, 1, 5, value, s->b->wrap); /* a long value: over the empty cells */
    else
        cell(s, 1, value, NULL);
    if (unit && *unit)
        cell(s, 2, unit, NULL);
    if (note && *note)
        wide_cell(s, 3, 6, note, s->b->wrap_note);
    end_row(s);
}

/* label | number | unit | note */
static void row_num(sheet *s, const char *label, double v, const char *code, const char *unit,
                    const char *note)
{
    dcs_put_num(s->ws, s->r, 1, v, dcs_book_numfmt(s->b, code));
    row_text(s, label, NULL, unit, note);
}

static void fmt_number(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.10g", v);
}

/* The title of the report field called name (report_fields.h), or name. */
static const char *field_title(const dcs_field_info *f, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(f[k].name, name) == 0)
            return f[k].title;
    return name;
}

static size_t summary_top_rows(const dcs_result *res)
{
    size_t n = res->scn->outputs.top_n;
    if (n > res->eval.neligible)
        n = res->eval.neligible;
    return n < SUMMARY_MAX_TOP ? n : SUMMARY_MAX_TOP;
}

/* Most sites a sheet of sites holds: outputs.xlsx_rows when given, else
 * Excel's rows under the header; and why, for the sheet's note. */
static size_t sheet_cap(const dcs_result *res)
{
    size_t user = res->scn->outputs.xlsx_rows;
    return user && user < DCS_EXCEL_MAX_ROWS - 1 ? user : DCS_EXCEL_MAX_ROWS - 1;
}

static const char *cap_reason(const dcs_result *res)
{
    size_t user = res->scn->outputs.xlsx_rows;
    return user && user < DCS_EXCEL_MAX_ROWS - 1 ? "outputs.xlsx_rows" : "Excel's row limit";
}

static size_t ranking_rows(const dcs_result *res)
{
    size_t n = res->eval.neligible;
    return n < sheet_cap(res) ? n : sheet_cap(res);
}

static size_t excluded_count(const dcs_result *res)
{
    return res->sites.n - res->eval.neligible;
}

static size_t excluded_rows(const dcs_result *res)
{
    size_t n = excluded_count(res);
    return n < sheet_cap(res) ? n : sheet_cap(res);
}

void dcs_report_xlsx_limits(dcs_result *res)
{
    size_t user = res->scn->outputs.xlsx_rows;
    if (!res->scn->outputs.xlsx || (user && user < DCS_EXCEL_MAX_ROWS - 1))
        return; /* the sheets hold what the scenario asked for */
    size_t keep = DCS_EXCEL_MAX_ROWS - 1, ranked = res->eval.neligible, out = excluded_count(res);
    if (ranked > keep)
        dcs_warn(&res->warnings, DCS_WARN_WORKBOOK_ROWS, "workbook",
                 "workbook: sheet 'Ranking' holds the first %zu of %zu eligible sites "
                 "(Excel's row limit); the GIS and JSON outputs have them all",
                 keep, ranked);
    if (out > keep)
        dcs_warn(&res->warnings, DCS_WARN_WORKBOOK_ROWS, "workbook",
                 "workbook: sheet 'Excluded' holds the first %zu of %zu excluded sites "
                 "(Excel's row limit); the GIS output has them all", keep, out);
}

/* rank, site_id, score; value and contribution of each criterion; every
 * metric; coverage_gaps, lon, lat, centroid_lon, centroid_lat; the
 * decision columns. */
static size_t ranking_ncols(const dcs_result *res)
{
    dcs_decision_col dc[DCS_DCOL_COUNT];
    return 3 + 2 * res->model.ncrits + res->model.nmetrics + 5 + dcs_decision_columns(res, dc);
}

/* ------------------------------------------------------------------ */
/* Details: the figures behind the brief                               */
/* ------------------------------------------------------------------ */

static void summary_head(sheet *s, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    row_text(s, "Scenario", scn->name, NULL, NULL);
    row_text(s, "Description", or_empty(scn->description), NULL, NULL);
    row_text(s, "Scenario file", scn->path, NULL, NULL);
    row_text(s, "Working CRS", res->crs.name, NULL, NULL);
    row_text(s, "Run started (UTC)", res->started_utc, NULL, NULL);
    row_num(s, "Run duration (s)", res->seconds, "0.00", NULL, NULL);
    row_text(s, "dcsite version", DCS_VERSION, NULL, NULL);
    section(s, "Facility");
    row_num(s, "IT load (MW)", scn->it_load_mw, "0.0", NULL, NULL);
    row_num(s, "Design PUE", scn->design_pue, "0.00", NULL, NULL);
    row_num(s, "Peak demand (MW)", res->peak_mw, "0.0", NULL, NULL);
    row_num(s, "Land needed (ha)", scn->land_ha, "0.0", NULL, NULL);
}

static void summary_counts(sheet *s, const dcs_result *res)
{
    section(s, "Counts");
    size_t gaps = 0;
    for (size_t i = 0; i < res->sites.n; i++)
        gaps += res->eval.gaps[i] != NULL;
    row_num(s, "Candidates", (double)res->sites.n, "#,##0", NULL, NULL);
    row_num(s, "Eligible", (double)res->eval.neligible, "#,##0", NULL, NULL);
    row_num(s, "Excluded", (double)excluded_count(res), "#,##0", NULL, NULL);
    row_num(s, "Outside some coverage", (double)gaps, "#,##0", NULL, NULL);
    char note[256];
    if (ranking_rows(res) < res->eval.neligible) {
        snprintf(note, sizeof note,
                 "the first %zu of %zu eligible sites (%s); the GIS report has all",
                 ranking_rows(res), res->eval.neligible, cap_reason(res));
        row_text(s, "Ranking sheet", note, NULL, NULL);
    }
    if (excluded_rows(res) < excluded_count(res)) {
        snprintf(note, sizeof note,
                 "the first %zu of %zu excluded sites (%s); the GIS report has all",
                 excluded_rows(res), excluded_count(res), cap_reason(res));
        row_text(s, "Excluded sheet", note, NULL, NULL);
    }
    s->r++;
    static const char *const hdr[] = {"Rule", "Sites failing it", "Note"};
    header_row(s, hdr, 3);
    for (size_t k = 0; k < res->model.nrules; k++) {
        char label[128], why[200], text[240];
        dcs_rule_label(&res->model.rules[k], label, sizeof label);
        cell(s, 0, label, NULL);
        dcs_put_num(s->ws, s->r, 1, (double)res->eval.rule_fails[k],
                    dcs_book_numfmt(s->b, "#,##0"));
        if (dcs_brief_rule_unmeasured(res, k, why, sizeof why)) {
            snprintf(text, sizeof text, "not applied: %s", why);
            wide_cell(s, 2, 5, text, s->b->wrap_note);
        }
        end_row(s);
    }
}

/* OpenStreetMap at zoom 15 with a marker on the site. */
static void osm_url(char *buf, size_t size, double lat, double lon)
{
    snprintf(buf, size, "https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=15/%.6f/%.6f", lat,
             lon, lat, lon);
}

/* The stacked chart of the top sites' contributions; first/n: the table's
 * data rows. */
static void summary_chart(sheet *s, const dcs_result *res, lxw_row_t first, size_t n,
                          lxw_row_t hdr_row)
{
    size_t nbars = n < CHART_MAX_SITES ? n : CHART_MAX_SITES;
    if (nbars == 0 || res->model.ncrits == 0)
        return;
    lxw_chart *ch = workbook_add_chart(s->b->wb, LXW_CHART_COLUMN_STACKED);
    if (!ch)
        return;
    lxw_row_t last = first + (lxw_row_t)nbars - 1;
    /* text categories need the data cache constant-memory mode cannot write */
    lxw_col_t cat_col = s->b->constant ? 0 : 1;
    size_t nseries = res->model.ncrits < CHART_MAX_SERIES ? res->model.ncrits : CHART_MAX_SERIES;
    if (nseries < res->model.ncrits) {
        char note[200];
        snprintf(note, sizeof note, "The chart shows the first %zu of the %zu criteria: Excel "
                 "draws at most %d series in a chart. The table above lists every criterion.",
                 nseries, res->model.ncrits, CHART_MAX_SERIES);
        dcs_put_str(s->ws, ++s->r, 0, note, s->b->note);
    }
    for (size_t c = 0; c < nseries; c++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        if (!se)
            return;
        lxw_col_t col = (lxw_col_t)(TOP_FIRST_CRIT + c);
        chart_series_set_categories(se, s->name, first, cat_col, last, cat_col);
        chart_series_set_values(se, s->name, first, col, last, col);
        chart_series_set_name_range(se, s->name, hdr_row, col);
    }
    char title[160];
    if (res->scn->aggregation == DCS_AGG_WEIGHTED_SUM)
        snprintf(title, sizeof title, "Top %zu sites: score by criterion (weight x value)", nbars);
    else
        snprintf(title, sizeof title, "Top %zu sites: weight x value by criterion (score: %s)",
                 nbars, dcs_aggregation_name((dcs_aggregation)res->scn->aggregation));
    chart_title_set_name(ch, title);
    chart_axis_set_name(ch->x_axis, s->b->constant ? "rank" : "site");
    chart_axis_set_name(ch->y_axis, "score");
    chart_axis_set_min(ch->y_axis, 0);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_RIGHT);
    lxw_chart_options opt = {.x_scale = 2.0, .y_scale = 1.5,
                             .description = "Top sites' scores stacked by criterion"};
    worksheet_insert_chart_opt(s->ws, s->r + 1, 0, ch, &opt);
    s->r += 24; /* 1.5 x 288 px: about 22 rows */
}

static void summary_top(sheet *s, const dcs_result *res)
{
    size_t n = summary_top_rows(res);
    char title[128];
    if (n == 0) {
        section(s, "Top sites");
        dcs_put_str(s->ws, s->r++, 0, "No site is eligible: see the Excluded sheet.", s->b->note);
        return;
    }
    snprintf(title, sizeof title, "Top %zu sites: score and each criterion's contribution", n);
    section(s, title);
    lxw_row_t hdr = s->r;
    static const char *const fixed[TOP_FIRST_CRIT] = {
        "rank", "site_id", "score", "lon", "lat", "centroid_lon", "centroid_lat", "map"};
    for (size_t k = 0; k < TOP_FIRST_CRIT; k++)
        cell(s, (lxw_col_t)k, fixed[k], s->b->wrap_header);
    for (size_t c = 0; c < res->model.ncrits && TOP_FIRST_CRIT + c < DCS_EXCEL_MAX_COLS; c++)
        cell(s, (lxw_col_t)(TOP_FIRST_CRIT + c), res->model.crits[c].name, s->b->wrap_header);
    end_row(s);
    lxw_row_t first = s->r;
    lxw_format *f4 = dcs_book_numfmt(s->b, "0.0000"), *fll = dcs_book_numfmt(s->b, "0.00000");
    for (size_t r = 0; r < n; r++, s->r++) {
        size_t i = res->eval.order[r];
        dcs_put_num(s->ws, s->r, 0, (double)res->eval.rank[i], NULL);
        dcs_put_str(s->ws, s->r, 1, res->sites.id[i], NULL);
        dcs_put_num(s->ws, s->r, 2, res->eval.score[i], f4);
        dcs_put_num(s->ws, s->r, 3, res->sites.lon[i], fll);
        dcs_put_num(s->ws, s->r, 4, res->sites.lat[i], fll);
        dcs_put_num(s->ws, s->r, 5, res->sites.centroid_lon[i], fll);
        dcs_put_num(s->ws, s->r, 6, res->sites.centroid_lat[i], fll);
        if (isfinite(res->sites.lat[i]) && isfinite(res->sites.lon[i])) {
            char url[192];
            osm_url(url, sizeof url, res->sites.lat[i], res->sites.lon[i]);
            worksheet_write_url_opt(s->ws, s->r, TOP_FIRST_CRIT - 1, url, s->b->link,
                                    "OpenStreetMap", url);
        }
        for (size_t c = 0; c < res->model.ncrits && TOP_FIRST_CRIT + c < DCS_EXCEL_MAX_COLS; c++)
            dcs_put_num(s->ws, s->r, (lxw_col_t)(TOP_FIRST_CRIT + c),
                        dcs_report_contribution(res, i, c), f4);
    }
    summary_chart(s, res, first, n, hdr);
}

static void summary_inputs(sheet *s, const dcs_result *res)
{
    section(s, "Inputs");
    static const char *const hdr[] = {"Role", "Layer", "Features", "Geometry", "CRS", "Dataset"};
    header_row(s, hdr, 6);
    lxw_format *f0 = dcs_book_numfmt(s->b, "#,##0");
    for (size_t k = 0; k < res->ninputs; k++) {
        const dcs_input_info *in = &res->inputs[k];
        cell(s, 0, in->role, NULL);
        cell(s, 1, in->layer, NULL);
        dcs_put_num(s->ws, s->r, 2, (double)in->nfeatures, f0);
        cell(s, 3, in->geom_type, NULL);
        cell(s, 4, in->crs, NULL);
        cell(s, 5, in->dataset, NULL);
        end_row(s);
    }
    for (size_t k = 0; k < res->nstations; k++) {
        cell(s, 0, "weather station", NULL);
        cell(s, 1, res->stations[k].name, NULL);
        dcs_put_num(s->ws, s->r, 2, 8760, f0);
        cell(s, 3, "hourly year", NULL);
        cell(s, 5, res->stations[k].file, NULL);
        end_row(s);
    }
}

static void summary_criteria(sheet *s, const dcs_result *res)
{
    section(s, "Criteria");
    row_text(s, "Aggregation", dcs_aggregation_name((dcs_aggregation)res->scn->aggregation),
             NULL, NULL);
    if (res->model.ahp) {
        row_text(s, "Weights from", "AHP pairwise comparisons", NULL, NULL);
        row_num(s, "AHP consistency ratio", res->model.ahp_cr, "0.0000", NULL, NULL);
    }
    static const char *const hdr[] = {"Criterion", "Metric", "Weight"};
    header_row(s, hdr, 3);
    for (size_t c = 0; c < res->model.ncrits; c++) {
        const dcs_crit *k = &res->model.crits[c];
        cell(s, 0, k->name, NULL);
        cell(s, 1, res->model.metrics[k->metric].name, NULL);
        dcs_put_num(s->ws, s->r, 2, k->weight, dcs_book_numfmt(s->b, "0.0000"));
        end_row(s);
    }
}

/* Landscape at 80 % (11 pt prints as 8.8 pt), so many pages wide as it
 * takes, the first `ids` columns and `rows` header rows on every page. */
static void print_table(lxw_worksheet *ws, const dcs_result *res, lxw_row_t rows, lxw_col_t ids)
{
    dcs_print_opts po = {.fit = DCS_FIT_NONE, .scale = 80, .header_rows = rows, .id_cols = ids};
    dcs_print_setup(ws, res, &po);
}

/* Landscape, one page wide. */
static void print_wide(lxw_worksheet *ws, const dcs_result *res, lxw_row_t rows)
{
    dcs_print_opts po = {.fit = DCS_FIT_WIDE, .header_rows = rows};
    dcs_print_setup(ws, res, &po);
}

static void write_details(dcs_book *b, const dcs_result *res)
{
    sheet s = {.b = b, .ws = workbook_add_worksheet(b->wb, "Details"), .name = "Details"};
    print_table(s.ws, res, 0, 2);
    sheet_cols(&s, 0, 0, 22);
    sheet_cols(&s, 1, 1, 16);
    sheet_cols(&s, 2, 2, 10);
    sheet_cols(&s, 3, 4, 11);
    sheet_cols(&s, 5, 6, 12);
    sheet_cols(&s, TOP_FIRST_CRIT - 1, TOP_FIRST_CRIT - 1, 14);
    for (size_t c = 0; c < res->model.ncrits && TOP_FIRST_CRIT + c < DCS_EXCEL_MAX_COLS; c++) {
        double w = dcs_book_chars_for(dcs_book_word_pt(res->model.crits[c].name, BODY_PT, 1));
        lxw_col_t col = (lxw_col_t)(TOP_FIRST_CRIT + c);
        sheet_cols(&s, col, col, w < 9 ? 9 : w);
    }
    summary_head(&s, res);
    summary_counts(&s, res);
    summary_top(&s, res);
    summary_inputs(&s, res);
    summary_criteria(&s, res);
}

/* ------------------------------------------------------------------ */
/* Ranking                                                             */
/* ------------------------------------------------------------------ */

typedef enum {
    RC_RANK, RC_ID, RC_SCORE, RC_VALUE, RC_CONTRIB, RC_METRIC, RC_GAPS, RC_LON, RC_LAT, RC_CLON,
    RC_CLAT,
    RC_DECISION
} rcol_kind;

/* One column of the Ranking sheet: what it holds, its header (the field's
 * title with its unit, made unique), number format and width. */
typedef struct {
    rcol_kind kind;
    size_t k; /* criterion, metric or decision column */
    char *header;
    const char *code;
    lxw_format *fmt;
    double width; /* characters */
} rcol;

typedef struct {
    size_t n;
    rcol *c;
} columns;

static void columns_free(columns *cols)
{
    for (size_t k = 0; cols->c && k < cols->n; k++)
        free(cols->c[k].header);
    free(cols->c);
    *cols = (columns){0};
}

/* Append a column whose header is the title of field `name`, made unique
 * (Excel tables refuse repeated names, in any case). */
static int column_add(columns *cols, const dcs_field_info *f, size_t nf, const char *name,
                      rcol_kind kind, size_t k, const char *code)
{
    const char *title = field_title(f, nf, name);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", title);
    dcs_utf8_trim(buf);
    for (int dup = 2;; dup++) {
        size_t j = 0;
        while (j < cols->n && strcasecmp(cols->c[j].header, buf) != 0)
            j++;
        if (j == cols->n)
            break;
        size_t len = strlen(title);
        int keep = (int)dcs_utf8_whole(title, len < 200 ? len : 200); /* room for the suffix */
        snprintf(buf, sizeof buf, "%.*s (%d)", keep, title, dup);
    }
    char *h = strdup(buf);
    if (!h)
        return -1;
    cols->c[cols->n++] = (rcol){.kind = kind, .k = k, .header = h, .code = code};
    return 0;
}

static int decision_columns_add(columns *cols, const dcs_result *res, const dcs_field_info *f,
                                size_t nf)
{
    static const char *const codes[DCS_DCOL_COUNT] = {
        [DCS_DCOL_PARETO] = "0",       [DCS_DCOL_P_TOP] = "0.0%",
        [DCS_DCOL_RANK_P05] = "0.0",   [DCS_DCOL_RANK_P50] = "0.0",
        [DCS_DCOL_RANK_P95] = "0.0",   [DCS_DCOL_N_PARCELS] = "0",
        [DCS_DCOL_PF_COST] = "0.0",    [DCS_DCOL_PF_ALONE] = "0",
    };
    dcs_decision_col dc[DCS_DCOL_COUNT];
    size_t ndc = dcs_decision_columns(res, dc);
    int bad = 0;
    for (size_t k = 0; !bad && k < ndc; k++)
        bad = column_add(cols, f, nf, dcs_decision_col_name(dc[k]), RC_DECISION, dc[k],
                         codes[dc[k]]);
    return bad;
}

static dcs_status ranking_columns(dcs_book *b, const dcs_result *res, const dcs_field_info *f,
                                  size_t nf, columns *cols, dcs_error *err)
{
    size_t rows = ranking_rows(res);
    cols->c = calloc(ranking_ncols(res), sizeof *cols->c);
    if (!cols->c)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory writing the workbook");
    int bad = column_add(cols, f, nf, "rank", RC_RANK, 0, "0") ||
              column_add(cols, f, nf, "site_id", RC_ID, 0, NULL) ||
              column_add(cols, f, nf, "score", RC_SCORE, 0, "0.0000");
    for (size_t k = 0; !bad && k < res->model.ncrits; k++) {
        char name[160];
        snprintf(name, sizeof name, "%s_value", res->model.crits[k].name);
        bad = column_add(cols, f, nf, name, RC_VALUE, k, "0.000");
        snprintf(name, sizeof name, "%s_contrib", res->model.crits[k].name);
        bad = bad || column_add(cols, f, nf, name, RC_CONTRIB, k, "0.0000");
    }
    for (size_t k = 0; !bad && k < res->model.nmetrics; k++) {
        const dcs_metric *m = &res->model.metrics[k];
        bad = column_add(cols, f, nf, m->name, RC_METRIC, k, dcs_book_metric_code(res, m, rows));
    }
    bad = bad || column_add(cols, f, nf, "coverage_gaps", RC_GAPS, 0, NULL) ||
          column_add(cols, f, nf, "lon", RC_LON, 0, "0.00000") ||
          column_add(cols, f, nf, "lat", RC_LAT, 0, "0.00000") ||
          column_add(cols, f, nf, "centroid_lon", RC_CLON, 0, "0.00000") ||
          column_add(cols, f, nf, "centroid_lat", RC_CLAT, 0, "0.00000") ||
          decision_columns_add(cols, res, f, nf);
    if (bad)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory writing the workbook");
    for (size_t k = 0; k < cols->n; k++)
        cols->c[k].fmt = dcs_book_numfmt(b, cols->c[k].code);
    return DCS_OK;
}

/* Site i's value in column c: 1 and *num for a number, 0 and *text for
 * text (either may be missing: NaN, NULL). */
static int column_value(const dcs_result *res, const rcol *c, size_t i, double *num,
                        const char **text)
{
    *num = NAN;
    *text = NULL;
    switch (c->kind) {
    case RC_RANK: *num = (double)res->eval.rank[i]; return 1;
    case RC_ID: *text = res->sites.id[i]; return 0;
    case RC_SCORE: *num = res->eval.score[i]; return 1;
    case RC_VALUE: *num = dcs_report_value(res, i, c->k); return 1;
    case RC_CONTRIB: *num = dcs_report_contribution(res, i, c->k); return 1;
    case RC_GAPS: *text = res->eval.gaps[i]; return 0;
    case RC_LON: *num = res->sites.lon[i]; return 1;
    case RC_LAT: *num = res->sites.lat[i]; return 1;
    case RC_CLON: *num = res->sites.centroid_lon[i]; return 1;
    case RC_CLAT: *num = res->sites.centroid_lat[i]; return 1;
    case RC_DECISION:
        if (dcs_decision_col_kind((dcs_decision_col)c->k) == 2) {
            *text = dcs_decision_text(res, (dcs_decision_col)c->k, i);
            return 0;
        }
        *num = dcs_decision_num(res, (dcs_decision_col)c->k, i);
        return 1;
    case RC_METRIC:
        break;
    }
    const dcs_metric *m = &res->model.metrics[c->k];
    if (m->kind == DCS_TEXT) {
        *text = dcs_site_text(&res->sites, i)[m->col];
        return 0;
    }
    *num = dcs_site_num(&res->sites, i)[m->col];
    return 1;
}

static void ranking_row(lxw_worksheet *ws, lxw_row_t row, const columns *cols,
                        const dcs_result *res, size_t i)
{
    for (size_t k = 0; k < cols->n; k++) {
        double v;
        const char *t;
        if (column_value(res, &cols->c[k], i, &v, &t))
            dcs_put_num(ws, row, (lxw_col_t)k, v, cols->c[k].fmt);
        else
            dcs_put_str(ws, row, (lxw_col_t)k, t, NULL);
    }
}

/* The widest value of column c as shown, in points (stopping past 40
 * characters).  With a number format every digit is as wide as another
 * (glyph_w), so a number's width grows with the digits before the point
 * (and the sign): the widest is that of the smallest or of the largest
 * value, and only those two are formatted (formatting each of 100,000
 * rows took ~1 s).  Without one (%.10g) and for text, each value is
 * measured. */
static double widest_value_pt(const dcs_result *res, const rcol *c, size_t rows)
{
    double lo = INFINITY, hi = -INFINITY, need = 0;
    char buf[64];
    for (size_t r = 0; r < rows && need <= dcs_book_col_pt(40); r++) {
        double v;
        const char *t;
        if (column_value(res, c, res->eval.order[r], &v, &t)) {
            if (!isfinite(v))
                continue;
            if (c->code) {
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
                continue;
            }
            dcs_book_format(buf, sizeof buf, v, NULL);
            t = buf;
        }
        double w = t ? dcs_book_text_pt(t, BODY_PT, 0) : 0;
        need = w > need ? w : need;
    }
    for (int k = 0; k < 2 && lo <= hi; k++) {
        dcs_book_format(buf, sizeof buf, k ? hi : lo, c->code);
        double w = dcs_book_text_pt(buf, BODY_PT, 0);
        need = w > need ? w : need;
    }
    return need;
}

/* Column widths: the header's longest word (bold), at most four lines of
 * header, and the widest value as shown (within 6 and 40 characters). */
static void ranking_widths(const dcs_result *res, columns *cols, size_t rows)
{
    for (size_t k = 0; k < cols->n; k++) {
        rcol *c = &cols->c[k];
        double need = dcs_book_word_pt(c->header, BODY_PT, 1);
        double three = dcs_book_text_pt(c->header, BODY_PT, 1) / 3;
        double value = widest_value_pt(res, c, rows);
        need = three > need ? three : need;
        need = value > need ? value : need;
        c->width = dcs_book_chars_for(need + 2);
        c->width = c->width < 6 ? 6 : c->width > 40 ? 40 : c->width;
    }
}

static void ranking_header(dcs_book *b, lxw_worksheet *ws, const columns *cols)
{
    unsigned lines = 1;
    for (size_t k = 0; k < cols->n; k++) {
        worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, cols->c[k].width, NULL);
        unsigned l = dcs_book_lines(cols->c[k].header, dcs_book_col_pt(cols->c[k].width),
                                    BODY_PT, 1);
        lines = l > lines ? l : lines;
    }
    worksheet_set_row(ws, 0, dcs_book_row_pt(lines, BODY_PT), NULL);
    for (size_t k = 0; k < cols->n; k++)
        dcs_put_str(ws, 0, (lxw_col_t)k, cols->c[k].header, b->wrap_header);
}

/* An Excel table over the header and rows (in-memory mode only). */
static void ranking_table(dcs_book *b, lxw_worksheet *ws, const columns *cols, size_t rows)
{
    lxw_table_column *tc = calloc(cols->n, sizeof *tc);
    lxw_table_column **list = calloc(cols->n + 1, sizeof *list);
    if (tc && list) {
        for (size_t k = 0; k < cols->n; k++) {
            tc[k].header = cols->c[k].header;
            tc[k].header_format = b->wrap_header;
            list[k] = &tc[k];
        }
        lxw_table_options opt = {.name = "RankingTable",
                                 .style_type = LXW_TABLE_STYLE_TYPE_MEDIUM,
                                 .style_type_number = 2,
                                 .columns = list};
        worksheet_add_table(ws, 0, 0, (lxw_row_t)rows, (lxw_col_t)(cols->n - 1), &opt);
    }
    free(tc);
    free(list);
}

static dcs_status write_ranking(dcs_book *b, const dcs_result *res, const dcs_field_info *f,
                                size_t nf, dcs_error *err)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Ranking");
    columns cols = {0};
    dcs_status st = ranking_columns(b, res, f, nf, &cols, err);
    if (st != DCS_OK) {
        columns_free(&cols);
        return st;
    }
    if (cols.n > DCS_EXCEL_MAX_COLS) {
        columns_free(&cols);
        return dcs_error_set(err, DCS_ERR_IO,
                             "the Ranking sheet would need %zu columns; Excel has %u",
                             ranking_ncols(res), DCS_EXCEL_MAX_COLS);
    }
    size_t rows = ranking_rows(res);
    ranking_widths(res, &cols, rows);
    ranking_header(b, ws, &cols);
    if (rows < res->eval.neligible) {
        char note[200];
        snprintf(note, sizeof note, "This sheet lists the first %zu of %zu eligible sites "
                 "(%s); the GIS report has them all.", rows, res->eval.neligible, cap_reason(res));
        dcs_put_str(ws, 0, (lxw_col_t)(cols.n + 1), note, b->note);
    }
    worksheet_freeze_panes(ws, 1, 2);
    print_table(ws, res, 1, 2);
    for (size_t r = 0; r < rows; r++)
        ranking_row(ws, (lxw_row_t)(r + 1), &cols, res, res->eval.order[r]);
    if (rows > 0) {
        if (b->constant)
            worksheet_autofilter(ws, 0, 0, (lxw_row_t)rows, (lxw_col_t)(cols.n - 1));
        else
            ranking_table(b, ws, &cols, rows);
        lxw_conditional_format scale = {.type = LXW_CONDITIONAL_3_COLOR_SCALE};
        worksheet_conditional_format_range(ws, 1, 2, (lxw_row_t)rows, 2, &scale);
    } else {
        dcs_put_str(ws, 1, 0, "No site is eligible: see the Excluded sheet.", b->note);
    }
    columns_free(&cols);
    return DCS_OK;
}

/* ------------------------------------------------------------------ */
/* Excluded                                                            */
/* ------------------------------------------------------------------ */

#define EXCLUDED_PT 8.0 /* the reasons, in 8 pt: one line for most sites */

static size_t rules_failed(const dcs_result *res, size_t i)
{
    size_t n = 0;
    for (size_t k = 0; k < res->model.nrules; k++)
        n += res->eval.failed[i * res->model.nrules + k];
    return n;
}

static void write_excluded(dcs_book *b, const dcs_result *res)
{
    sheet s = {.b = b, .ws = workbook_add_worksheet(b->wb, "Excluded"), .name = "Excluded"};
    lxw_format *small = workbook_add_format(b->wb);
    format_set_font_size(small, EXCLUDED_PT);
    format_set_text_wrap(small);
    format_set_align(small, LXW_ALIGN_VERTICAL_TOP);
    /* site_id and rules_failed, then the reasons to a page's width at 100 %:
     * Letter landscape less 0.8 in of margins is 734 pt */
    double id = dcs_book_chars_for(dcs_book_word_pt("site_id", BODY_PT, 1) + 2);
    double nf = dcs_book_chars_for(dcs_book_word_pt("rules_failed", BODY_PT, 1) + 2);
    for (size_t i = 0; i < res->sites.n; i++) {
        double w = dcs_book_chars_for(dcs_book_text_pt(res->sites.id[i], EXCLUDED_PT, 0) + 2);
        id = w > id ? (w < 30 ? w : 30) : id;
    }
    sheet_cols(&s, 0, 0, id);
    sheet_cols(&s, 1, 1, nf);
    sheet_cols(&s, 2, 2, (734.0 - dcs_book_col_pt(id) - dcs_book_col_pt(nf) - 5.0) / 7.0);
    static const char *const hdr[] = {"site_id", "rules_failed", "reasons"};
    header_row(&s, hdr, 3);
    size_t rows = excluded_rows(res);
    if (rows < excluded_count(res)) {
        char note[200];
        snprintf(note, sizeof note, "This sheet lists the first %zu of %zu excluded sites "
                 "(%s); the GIS report has them all.", rows, excluded_count(res),
                 cap_reason(res));
        dcs_put_str(s.ws, 0, 4, note, b->note);
    }
    worksheet_freeze_panes(s.ws, 1, 1);
    dcs_print_opts po = {.fit = DCS_FIT_WIDE, .header_rows = 1, .id_cols = 1};
    dcs_print_setup(s.ws, res, &po);
    lxw_format *num = workbook_add_format(b->wb);
    format_set_font_size(num, EXCLUDED_PT);
    format_set_num_format(num, "0");
    format_set_align(num, LXW_ALIGN_VERTICAL_TOP);
    for (size_t i = 0; i < res->sites.n && s.r <= rows; i++) {
        if (res->eval.eligible[i])
            continue;
        int nomem;
        char *why = dcs_result_reasons(res, i, &nomem);
        unsigned lines = why ? dcs_book_lines(why, sheet_col_pt(&s, 2, 1), EXCLUDED_PT, 0) : 1;
        worksheet_set_row(s.ws, s.r, dcs_book_row_pt(lines, EXCLUDED_PT), NULL);
        dcs_put_str(s.ws, s.r, 0, res->sites.id[i], small);
        dcs_put_num(s.ws, s.r, 1, (double)rules_failed(res, i), num);
        dcs_put_str(s.ws, s.r, 2, why, small);
        free(why);
        s.r++;
    }
    worksheet_autofilter(s.ws, 0, 0, s.r - 1, 2);
}

/* ------------------------------------------------------------------ */
/* Energy                                                              */
/* ------------------------------------------------------------------ */

static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static void energy_stations(sheet *s, const dcs_result *res, size_t nst)
{
    static const char *const hdr[] = {
        "name", "file", "lat", "lon", "elevation_m (m)", "pue_annual", "pue_peak",
        "peak_demand_mw (MW)", "energy_mwh_yr (MWh)", "it_energy_mwh_yr (MWh)",
        "water_m3_yr (m3)", "wue_l_kwh (L/kWh)", "peak_day_water_m3 (m3)", "free_hours (h)",
        "partial_hours (h)", "mechanical_hours (h)"};
    size_t n = sizeof hdr / sizeof hdr[0];
    for (size_t c = 2; c < n; c++) { /* as wide as the longest word of the header */
        double w = dcs_book_chars_for(dcs_book_word_pt(hdr[c], BODY_PT, 1) + 2);
        sheet_cols(s, (lxw_col_t)c, (lxw_col_t)c, w < 11 ? 11 : w);
    }
    header_row(s, hdr, n);
    dcs_book *b = s->b;
    lxw_format *fll = dcs_book_numfmt(b, "0.0000"), *f3 = dcs_book_numfmt(b, "0.000"), *f1 = dcs_book_numfmt(b, "0.0"),
               *f0 = dcs_book_numfmt(b, "#,##0"), *f2 = dcs_book_numfmt(b, "0.00");
    for (size_t k = 0; k < nst; k++, end_row(s)) {
        const dcs_station *st = &res->stations[k];
        const dcs_energy *e = &st->energy;
        lxw_col_t c = 0;
        cell(s, c++, st->name, NULL);
        cell(s, c++, st->file, NULL);
        dcs_put_num(s->ws, s->r, c++, st->lat, fll);
        dcs_put_num(s->ws, s->r, c++, st->lon, fll);
        dcs_put_num(s->ws, s->r, c++, st->elevation_m, f1);
        dcs_put_num(s->ws, s->r, c++, e->pue_annual, f3);
        dcs_put_num(s->ws, s->r, c++, e->pue_peak, f3);
        dcs_put_num(s->ws, s->r, c++, e->peak_mw, f1);
        dcs_put_num(s->ws, s->r, c++, e->energy_mwh, f0);
        dcs_put_num(s->ws, s->r, c++, e->it_energy_mwh, f0);
        dcs_put_num(s->ws, s->r, c++, e->water_m3, f0);
        dcs_put_num(s->ws, s->r, c++, e->wue_l_kwh, f2);
        dcs_put_num(s->ws, s->r, c++, e->peak_day_water_m3, f0);
        dcs_put_num(s->ws, s->r, c++, e->mode_hours[DCS_MODE_FREE], f0);
        dcs_put_num(s->ws, s->r, c++, e->mode_hours[DCS_MODE_PARTIAL], f0);
        dcs_put_num(s->ws, s->r, c++, e->mode_hours[DCS_MODE_MECHANICAL], f0);
    }
}

/* Stations of the top sites (at most CHART_MAX_STATIONS, at least the
 * first station); returns how many were put in which[]. */
static size_t chart_stations(const dcs_result *res, size_t nst, size_t *which)
{
    size_t n = 0;
    size_t top = summary_top_rows(res);
    const dcs_metric *m = &res->model.metrics[res->model.energy_first + DCS_EN_STATION];
    for (size_t r = 0; r < top && n < CHART_MAX_STATIONS; r++) {
        const char *name = dcs_site_text(&res->sites, res->eval.order[r])[m->col];
        for (size_t k = 0; name && k < nst; k++) {
            if (strcmp(res->stations[k].name, name) != 0)
                continue;
            size_t j = 0;
            while (j < n && which[j] != k)
                j++;
            if (j == n)
                which[n++] = k;
            break;
        }
    }
    if (n == 0)
        which[n++] = 0;
    return n;
}

static void energy_monthly(sheet *s, const dcs_result *res, size_t nst)
{
    section(s, "Monthly profile: facility energy (MWh), PUE and water (m3) at each station");
    size_t ncol = nst < (DCS_EXCEL_MAX_COLS - 2) / 3 ? nst : (DCS_EXCEL_MAX_COLS - 2) / 3;
    cell(s, 0, "month", s->b->wrap_header);
    cell(s, 1, "month_name", s->b->wrap_header);
    for (size_t k = 0; k < ncol; k++) {
        char h[200];
        lxw_col_t c = (lxw_col_t)(2 + 3 * k);
        snprintf(h, sizeof h, "%s energy (MWh)", res->stations[k].name);
        cell(s, c, h, s->b->wrap_header);
        snprintf(h, sizeof h, "%s PUE", res->stations[k].name);
        cell(s, c + 1, h, s->b->wrap_header);
        snprintf(h, sizeof h, "%s water (m3)", res->stations[k].name);
        cell(s, c + 2, h, s->b->wrap_header);
    }
    end_row(s);
    lxw_row_t first = s->r;
    lxw_format *f0 = dcs_book_numfmt(s->b, "#,##0"), *f3 = dcs_book_numfmt(s->b, "0.000");
    for (int m = 0; m < 12; m++, s->r++) {
        dcs_put_num(s->ws, s->r, 0, m + 1, NULL);
        dcs_put_str(s->ws, s->r, 1, month_names[m], NULL);
        for (size_t k = 0; k < ncol; k++) {
            const dcs_energy *e = &res->stations[k].energy;
            lxw_col_t c = (lxw_col_t)(2 + 3 * k);
            dcs_put_num(s->ws, s->r, c, e->month_energy_mwh[m], f0);
            dcs_put_num(s->ws, s->r, c + 1, dcs_energy_month_pue(e, m), f3);
            dcs_put_num(s->ws, s->r, c + 2, e->month_water_m3[m], f0);
        }
    }
    size_t which[CHART_MAX_STATIONS];
    size_t nseries = chart_stations(res, ncol, which);
    lxw_chart *ch = workbook_add_chart(s->b->wb, LXW_CHART_LINE);
    if (!ch)
        return;
    lxw_col_t cat_col = s->b->constant ? 0 : 1;
    for (size_t j = 0; j < nseries; j++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        if (!se)
            return;
        lxw_col_t col = (lxw_col_t)(2 + 3 * which[j] + 1);
        chart_series_set_categories(se, s->name, first, cat_col, first + 11, cat_col);
        chart_series_set_values(se, s->name, first, col, first + 11, col);
        chart_series_set_name_range(se, s->name, (lxw_row_t)(1 + which[j]), 0);
        chart_series_set_marker_type(se, LXW_CHART_MARKER_AUTOMATIC);
    }
    chart_title_set_name(ch, "Monthly PUE at the stations of the top sites");
    chart_axis_set_name(ch->x_axis, "month");
    chart_axis_set_name(ch->y_axis, "PUE");
    chart_axis_set_num_format(ch->y_axis, "0.00");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options opt = {.x_scale = 1.6, .y_scale = 1.3,
                             .description = "Monthly PUE per weather station"};
    worksheet_insert_chart_opt(s->ws, s->r + 1, 0, ch, &opt);
}

static void write_energy(dcs_book *b, const dcs_result *res)
{
    if (!res->scn->energy.enabled || res->nstations == 0)
        return;
    sheet s = {.b = b, .ws = workbook_add_worksheet(b->wb, "Energy"), .name = "Energy"};
    print_table(s.ws, res, 0, 1);
    size_t nst = res->nstations < DCS_EXCEL_MAX_ROWS - 40 ? res->nstations
                                                          : DCS_EXCEL_MAX_ROWS - 40;
    /* names and paths wrap; every other column fits its widest number */
    sheet_cols(&s, 0, 0, 20);
    sheet_cols(&s, 1, 1, 22);
    worksheet_freeze_panes(s.ws, 1, 1);
    energy_stations(&s, res, nst);
    energy_monthly(&s, res, nst);
}

/* ------------------------------------------------------------------ */
/* Assumptions                                                         */
/* ------------------------------------------------------------------ */

static void source_rows(sheet *s, const char *what, const dcs_source *src)
{
    char label[160];
    snprintf(label, sizeof label, "%s dataset", what);
    row_text(s, label, src->dataset, NULL, NULL);
    snprintf(label, sizeof label, "%s layer", what);
    row_text(s, label, src->layer ? src->layer : "(the only layer)", NULL, NULL);
    if (src->where) {
        snprintf(label, sizeof label, "%s where", what);
        row_text(s, label, src->where, NULL, "OGR attribute filter");
    }
}

static void attrs_text(dcs_text *t, const dcs_attribute *a, size_t n)
{
    for (size_t k = 0; k < n; k++)
        dcs_text_add(t, "%s%s <- %s", k ? "; " : "", a[k].metric, a[k].field);
}

static void assume_run(sheet *s, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    section(s, "Run");
    static const char *const hdr[] = {"Parameter", "Value", "Unit", "Note"};
    header_row(s, hdr, 4);
    row_text(s, "scenario", scn->name, NULL, or_empty(scn->description));
    row_text(s, "scenario file", scn->path, NULL, NULL);
    row_text(s, "run started (UTC)", res->started_utc, NULL, NULL);
    row_num(s, "run duration", res->seconds, "0.00", "s", "up to the writing of the reports");
    row_text(s, "working_crs", scn->working_crs ? scn->working_crs : "auto", NULL,
             scn->working_crs ? NULL : "auto: the UTM zone of the centre of the sites");
    row_text(s, "working CRS used", res->crs.name, NULL, NULL);
    row_num(s, "outputs.top_n", (double)scn->outputs.top_n, "0", NULL,
            "sites listed in the JSON summary and on the Summary sheet (at most 100 there)");
}

static void assume_facility(sheet *s, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    section(s, "Facility");
    row_num(s, "it_load_mw", scn->it_load_mw, "0.0", "MW", "IT (critical) load, constant");
    row_num(s, "design_pue", scn->design_pue, "0.00", NULL, "default 1.3");
    row_num(s, "peak demand", res->peak_mw, "0.0", "MW", "it_load_mw x design_pue");
    row_num(s, "land_ha", scn->land_ha, "0.0", "ha",
            scn->land_ha > 0 ? "rule facility_land: area_ha >= land_ha" : "0: no land rule");
}

static void assume_sites(sheet *s, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    section(s, "Candidate sites");
    if (scn->sites.grid != DCS_GRID_NONE) {
        row_text(s, "grid shape", scn->sites.grid == DCS_GRID_HEXAGON ? "hexagon" : "square",
                 NULL, NULL);
        row_num(s, "grid cell_area_ha", scn->sites.cell_area_ha, "0.0", "ha", NULL);
        source_rows(s, "area of interest", &scn->sites.src);
    } else {
        source_rows(s, "sites", &scn->sites.src);
        row_text(s, "sites id_field", scn->sites.id_field ? scn->sites.id_field : "(feature id)",
                 NULL, NULL);
    }
    dcs_text t = {0};
    attrs_text(&t, scn->sites.attrs, scn->sites.nattrs);
    row_text(s, "sites attributes", t.len ? dcs_text_str(&t) : "(none)", NULL, "metric <- field");
    dcs_text_free(&t);
}

static void assume_grid(sheet *s, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    section(s, "Substations and interconnection");
    source_rows(s, "substations", &scn->substations.src);
    row_text(s, "id_field", or_empty(scn->substations.id_field), NULL, NULL);
    row_text(s, "voltage_field", or_empty(scn->substations.voltage_field), NULL, NULL);
    row_text(s, "headroom_field", or_empty(scn->substations.headroom_field), NULL, NULL);
    row_num(s, "min_voltage_kv", scn->substations.min_voltage_kv, "0", "kV",
            "voltage floor for a qualifying substation");
    row_text(s, "require_headroom", scn->substations.require_headroom ? "true" : "false", NULL,
             scn->substations.require_headroom
                 ? "only substations with headroom >= peak demand qualify (default)"
                 : "the nearest meeting the voltage floor, with an upgrade cost when short");
    row_num(s, "substations read", (double)res->subs_read, "#,##0", NULL, NULL);
    row_num(s, "substations qualifying", (double)res->subs_qualified, "#,##0", NULL, NULL);
    size_t n = scn->interconnection.nclasses;
    for (size_t k = 0; k < n; k++) {
        char label[96], note[96];
        snprintf(label, sizeof label, "interconnection class %zu", k + 1);
        double lo = k ? scn->interconnection.max_kv[k - 1] : 0, hi = scn->interconnection.max_kv[k];
        if (k + 1 == n && k > 0)
            snprintf(note, sizeof note, "line cost per km above %g kV", lo);
        else if (k + 1 == n)
            snprintf(note, sizeof note, "line cost per km at any voltage");
        else
            snprintf(note, sizeof note, "line cost per km up to %g kV (max_kv)", hi);
        row_num(s, label, scn->interconnection.musd_per_km[k], "0.00", "M$/km", note);
    }
    row_num(s, "upgrade_musd", scn->interconnection.upgrade_musd, "0.0", "M$",
            "added when the substation's headroom is below the peak demand");
}

static const char *context_kind_name(dcs_context_kind k)
{
    switch (k) {
    case DCS_CTX_OVERLAY:
        return "overlay";
    case DCS_CTX_DISTANCE:
        return "distance";
    case DCS_CTX_ZONE:
        return "zone";
    case DCS_CTX_AREA_WEIGHTED:
        return "area_weighted";
    case DCS_CTX_RASTER:
        return "raster";
    }
    return "?";
}

static const char *outside_name(dcs_outside o)
{
    switch (o) {
    case DCS_OUTSIDE_NEUTRAL:
        return "neutral";
    case DCS_OUTSIDE_EXCLUDE:
        return "exclude";
    case DCS_OUTSIDE_ERROR:
        return "error";
    }
    return "?";
}

static void context_details(dcs_text *t, const dcs_context *c)
{
    switch (c->kind) {
    case DCS_CTX_OVERLAY:
        dcs_text_add(t, "metric %s_pct", c->name);
        break;
    case DCS_CTX_DISTANCE:
        dcs_text_add(t, "metric %s_km", c->name);
        break;
    case DCS_CTX_ZONE:
        dcs_text_add(t, "attributes ");
        attrs_text(t, c->attrs, c->nattrs);
        break;
    case DCS_CTX_AREA_WEIGHTED:
        dcs_text_add(t, "field %s within radius_km %g", or_empty(c->field), c->radius_km);
        break;
    case DCS_CTX_RASTER:
        dcs_text_add(t, "band %d%s; stats", c->band, c->slope ? "; slope (degrees)" : "");
        for (unsigned k = 0; k < DCS_NSTATS; k++)
            if (c->stats & (1u << k))
                dcs_text_add(t, " %s", dcs_raster_stat_names[k]);
        if (c->radius_km > 0)
            dcs_text_add(t, "; radius_km %g", c->radius_km);
        break;
    }
}

static void assume_contexts(sheet *s, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    section(s, "Context layers");
    static const char *const hdr[] = {"name",     "kind",    "dataset", "layer",
                                      "where",    "coverage", "outside", "measures"};
    header_row(s, hdr, 8);
    if (scn->ncontexts == 0)
        dcs_put_str(s->ws, s->r++, 0, "(none)", s->b->note);
    for (size_t k = 0; k < scn->ncontexts; k++, end_row(s)) {
        const dcs_context *c = &scn->contexts[k];
        cell(s, 0, c->name, NULL);
        cell(s, 1, context_kind_name(c->kind), NULL);
        cell(s, 2, c->src.dataset, NULL);
        cell(s, 3, c->src.layer, NULL);
        cell(s, 4, c->src.where, NULL);
        dcs_text t = {0};
        if (c->cover == DCS_COVER_EVERYWHERE)
            dcs_text_add(&t, "everywhere");
        else if (c->cover == DCS_COVER_EXTENT)
            dcs_text_add(&t, "extent");
        else
            dcs_text_add(&t, "layer %s of %s%s%s", c->coverage.layer ? c->coverage.layer : "(only)",
                     or_empty(c->coverage.dataset), c->coverage.where ? " where " : "",
                     or_empty(c->coverage.where));
        cell(s, 5, dcs_text_str(&t), NULL);
        dcs_text_free(&t);
        cell(s, 6, outside_name(c->outside), NULL);
        context_details(&t, c);
        cell(s, 7, dcs_text_str(&t), NULL);
        dcs_text_free(&t);
    }
    if (scn->njoins == 0)
        return;
    section(s, "Joined tables");
    static const char *const jh[] = {"name", "dataset", "layer", "key_field", "on", "attributes"};
    header_row(s, jh, 6);
    for (size_t k = 0; k < scn->njoins; k++, end_row(s)) {
        const dcs_join *j = &scn->joins[k];
        cell(s, 0, j->name, NULL);
        cell(s, 1, j->src.dataset, NULL);
        cell(s, 2, j->src.layer, NULL);
        cell(s, 3, j->key_field, NULL);
        cell(s, 4, j->on, NULL);
        dcs_text t = {0};
        attrs_text(&t, j->attrs, j->nattrs);
        cell(s, 5, dcs_text_str(&t), NULL);
        dcs_text_free(&t);
    }
}

static void assume_rules(sheet *s, const dcs_result *res)
{
    section(s, "Constraints (every rule applied, automatic ones included)");
    static const char *const hdr[] = {"rule", "metric", "test", "limit", "sites failing"};
    header_row(s, hdr, 5);
    for (size_t k = 0; k < res->model.nrules; k++, end_row(s)) {
        const dcs_rule *rule = &res->model.rules[k];
        char label[128];
        dcs_rule_label(rule, label, sizeof label);
        cell(s, 0, label, NULL);
        if (rule->context >= 0) {
            cell(s, 1, "(coverage)", NULL);
            cell(s, 2, "site covered by the layer", NULL);
        } else {
            cell(s, 1, res->model.metrics[rule->metric].name, NULL);
            cell(s, 2, dcs_constraint_op_name(rule->op), NULL);
            if (rule->op == DCS_OP_MIN || rule->op == DCS_OP_MAX) {
                dcs_put_num(s->ws, s->r, 3, rule->limit, NULL);
            } else {
                dcs_text t = {0};
                for (size_t j = 0; j < rule->nset; j++)
                    dcs_text_add(&t, "%s%s", j ? ", " : "", rule->set[j]);
                cell(s, 3, dcs_text_str(&t), NULL);
                dcs_text_free(&t);
            }
        }
        dcs_put_num(s->ws, s->r, 4, (double)res->eval.rule_fails[k], dcs_book_numfmt(s->b, "#,##0"));
    }
}

static void value_fn_text(dcs_text *t, const dcs_value_fn *fn)
{
    char a[40], b[40];
    switch (fn->type) {
    case DCS_VF_LINEAR:
        fmt_number(a, sizeof a, fn->worst);
        fmt_number(b, sizeof b, fn->best);
        dcs_text_add(t, "worst %s, best %s", a, b);
        break;
    case DCS_VF_PIECEWISE:
    case DCS_VF_STEP:
        for (size_t k = 0; k < fn->npoints; k++) {
            fmt_number(a, sizeof a, fn->x[k]);
            fmt_number(b, sizeof b, fn->v[k]);
            dcs_text_add(t, "%s(%s, %s)", k ? " " : "", a, b);
        }
        break;
    case DCS_VF_CATEGORICAL:
        for (size_t k = 0; k < fn->ncat; k++) {
            fmt_number(a, sizeof a, fn->v[k]);
            dcs_text_add(t, "%s: %s; ", fn->cat[k], a);
        }
        fmt_number(a, sizeof a, fn->other);
        dcs_text_add(t, "other: %s", a);
        break;
    }
}

static double given_weight(const dcs_scenario *scn, const char *name)
{
    for (size_t k = 0; k < scn->ncriteria; k++)
        if (strcmp(scn->criteria[k].name, name) == 0)
            return scn->criteria[k].weight;
    return NAN;
}

static void assume_criteria(sheet *s, const dcs_result *res)
{
    static const char *const types[] = {"linear", "piecewise", "step", "categorical"};
    const dcs_scenario *scn = res->scn;
    section(s, "Criteria");
    static const char *const hdr[] = {"criterion", "metric", "weight (normalised)",
                                      "weight given", "value function", "parameters"};
    header_row(s, hdr, 6);
    for (size_t c = 0; c < res->model.ncrits; c++, end_row(s)) {
        const dcs_crit *k = &res->model.crits[c];
        cell(s, 0, k->name, NULL);
        cell(s, 1, res->model.metrics[k->metric].name, NULL);
        dcs_put_num(s->ws, s->r, 2, k->weight, dcs_book_numfmt(s->b, "0.0000"));
        if (!res->model.ahp)
            dcs_put_num(s->ws, s->r, 3, given_weight(scn, k->name), NULL);
        else
            cell(s, 3, "(AHP)", NULL);
        cell(s, 4, (unsigned)k->fn->type < 4 ? types[k->fn->type] : "?", NULL);
        dcs_text t = {0};
        value_fn_text(&t, k->fn);
        cell(s, 5, dcs_text_str(&t), NULL);
        dcs_text_free(&t);
    }
    section(s, "Aggregation");
    row_text(s, "aggregation", dcs_aggregation_name((dcs_aggregation)scn->aggregation), NULL,
             scn->aggregation == DCS_AGG_WEIGHTED_SUM ? "default" : NULL);
    row_text(s, "weights from", res->model.ahp ? "AHP pairwise comparison matrix"
                                               : "criteria weights, normalised to sum 1",
             NULL, NULL);
    row_num(s, "neutral value", DCS_NEUTRAL_VALUE, "0.0", NULL,
            "criterion value of a site outside a layer's coverage when outside is neutral");
    if (!res->model.ahp || !scn->ahp_matrix)
        return;
    size_t n = scn->ncriteria;
    section(s, "AHP pairwise comparison matrix (row criterion vs column criterion)");
    dcs_put_str(s->ws, s->r, 0, "", s->b->header);
    for (size_t j = 0; j < n && j + 1 < DCS_EXCEL_MAX_COLS; j++)
        dcs_put_str(s->ws, s->r, (lxw_col_t)(j + 1), scn->criteria[j].name, s->b->header);
    s->r++;
    for (size_t i = 0; i < n; i++, s->r++) {
        dcs_put_str(s->ws, s->r, 0, scn->criteria[i].name, s->b->bold);
        for (size_t j = 0; j < n && j + 1 < DCS_EXCEL_MAX_COLS; j++)
            dcs_put_num(s->ws, s->r, (lxw_col_t)(j + 1), scn->ahp_matrix[i * n + j],
                    dcs_book_numfmt(s->b, "0.000"));
    }
    row_num(s, "lambda_max", res->model.ahp_lambda, "0.0000", NULL, "principal eigenvalue");
    row_num(s, "consistency_index", res->model.ahp_ci, "0.0000", NULL,
            "CI = (lambda_max - n) / (n - 1)");
    row_num(s, "consistency_ratio", res->model.ahp_cr, "0.0000", NULL,
            "CR = CI / RI(n); above 0.1 refused unless accept_inconsistent");
    row_text(s, "accept_inconsistent", scn->ahp_accept_inconsistent ? "true" : "false", NULL, NULL);
}

static void assume_energy(sheet *s, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    if (!scn->energy.enabled)
        return;
    section(s, "Energy and cooling");
    const dcs_cooling_params *p = &scn->energy.cooling;
    row_text(s, "cooling", dcs_cooling_name(p->archetype), NULL, "cooling archetype");
    row_text(s, "design_class", dcs_design_class_name(p->design_class), NULL,
             "sets the parameters' defaults");
    row_num(s, "accelerator_kw", scn->energy.accelerator_kw, "0.00", "kW",
            "one accelerator with its share of the server");
    row_text(s, "co2_metric", scn->energy.co2_metric ? scn->energy.co2_metric : "(none)", NULL,
             "lb CO2 / MWh");
    row_text(s, "price_metric", scn->energy.price_metric ? scn->energy.price_metric : "(none)",
             NULL, "$ / kWh");
    row_text(s, "water_stress_metric",
             scn->energy.water_stress_metric ? scn->energy.water_stress_metric : "(none)", NULL,
             "0-5 (Aqueduct scale)");
    for (size_t k = 0; k < scn->energy.nstations; k++)
        row_text(s, "station file", scn->energy.stations[k], NULL, NULL);
    if (scn->energy.station_table.dataset) {
        source_rows(s, "station_table", &scn->energy.station_table);
        row_text(s, "station_table file_field", or_empty(scn->energy.file_field), NULL, NULL);
    }
    row_num(s, "weather stations modelled", (double)res->nstations, "0", NULL, NULL);
    s->r++;
    static const char *const hdr[] = {"cooling parameter", "value", "unit",
                                      "default for the class", "source", "valid from",
                                      "valid to"};
    header_row(s, hdr, 7);
    dcs_cooling_params def = dcs_cooling_class_defaults(p->archetype, p->design_class);
    size_t n;
    const dcs_cooling_param *t = dcs_cooling_param_table(&n);
    for (size_t k = 0; k < n; k++, end_row(s)) {
        double v = *(const double *)((const char *)p + t[k].offset);
        double d = *(const double *)((const char *)&def + t[k].offset);
        cell(s, 0, t[k].name, NULL);
        dcs_put_num(s->ws, s->r, 1, v, NULL);
        cell(s, 2, t[k].unit, NULL);
        dcs_put_num(s->ws, s->r, 3, d, NULL);
        cell(s, 4, v == d ? "default" : "scenario", NULL);
        dcs_put_num(s->ws, s->r, 5, t[k].lo, NULL);
        dcs_put_num(s->ws, s->r, 6, t[k].hi, NULL);
    }
}

static void assume_software(sheet *s)
{
    section(s, "Software");
    static const char *const hdr[] = {"software", "version"};
    header_row(s, hdr, 2);
    row_text(s, "dcsite", DCS_VERSION, NULL, NULL);
    dcs_lib_version libs[DCS_NLIBS];
    dcs_library_versions(libs);
    for (int k = 0; k < DCS_NLIBS; k++)
        row_text(s, libs[k].name, libs[k].version, NULL, NULL);
}

/* One input file: the path as named and the roles it plays. */
typedef struct {
    const char *path;
    char *key; /* canonical path (realpath) or the path itself */
    dcs_text roles;
} input_file;

static void add_input_file(input_file *files, size_t *n, const char *path, const char *role)
{
    if (!path || !*path)
        return;
    char *key = realpath(path, NULL);
    if (!key)
        key = strdup(path);
    if (!key)
        return;
    for (size_t k = 0; k < *n; k++)
        if (strcmp(files[k].key, key) == 0) {
            dcs_text_add(&files[k].roles, "; %s", role);
            free(key);
            return;
        }
    input_file *f = &files[(*n)++];
    f->path = path;
    f->key = key;
    f->roles = (dcs_text){0};
    dcs_text_add(&f->roles, "%s", role);
}

static void assume_fingerprints(sheet *s, const dcs_result *res, const char *fingerprint)
{
    section(s, "Run fingerprint");
    row_text(s, "run fingerprint", fingerprint ? fingerprint : "", NULL,
             "SHA-256 of the dcsite version, the scenario and every input file: outputs with "
             "another fingerprint come from another version of the scenario or its data");
    section(s, "Input files (SHA-256 fingerprints)");
    static const char *const hdr[] = {"file", "sha256", "bytes", "used as"};
    header_row(s, hdr, 4);
    size_t cap = 1 + res->ninputs + res->nstations, n = 0;
    input_file *files = calloc(cap, sizeof *files);
    if (!files)
        return;
    add_input_file(files, &n, res->scn->path, "scenario");
    for (size_t k = 0; k < res->ninputs; k++)
        add_input_file(files, &n, res->inputs[k].dataset, res->inputs[k].role);
    for (size_t k = 0; k < res->nstations; k++) {
        char role[160];
        snprintf(role, sizeof role, "weather station %s", res->stations[k].name);
        add_input_file(files, &n, res->stations[k].file, role);
    }
    for (size_t k = 0; k < n; k++, end_row(s)) {
        cell(s, 0, files[k].path, NULL);
        long long size = dcs_regular_file_size(files[k].path);
        if (size < 0) {
            dcs_put_str(s->ws, s->r, 1,
                    dcs_dsn_is_postgres(files[k].path)
                        ? "(database tables: no file to fingerprint)"
                        : "(not a local file: no fingerprint)",
                    s->b->note);
        } else {
            char hex[DCS_SHA256_HEX_SIZE];
            dcs_error e;
            dcs_error_clear(&e);
            if (dcs_file_sha256(files[k].path, hex, &e) == DCS_OK)
                cell(s, 1, hex, NULL);
            else
                dcs_put_str(s->ws, s->r, 1, e.message, s->b->note);
            dcs_put_num(s->ws, s->r, 2, (double)size, dcs_book_numfmt(s->b, "#,##0"));
        }
        wide_cell(s, 3, 6, dcs_text_str(&files[k].roles), s->b->wrap);
        free(files[k].key);
        dcs_text_free(&files[k].roles);
    }
    free(files);
}

static void write_assumptions(dcs_book *b, const dcs_result *res, const char *fingerprint)
{
    sheet s = {.b = b, .ws = workbook_add_worksheet(b->wb, "Assumptions"),
               .name = "Assumptions"};
    print_wide(s.ws, res, 0);
    /* 126 characters: one page wide at about 80 % (11 pt prints near 9 pt) */
    sheet_cols(&s, 0, 0, 26);
    sheet_cols(&s, 1, 1, 34);
    sheet_cols(&s, 2, 2, 12);
    sheet_cols(&s, 3, 7, 12);
    sheet_cols(&s, 5, 5, 14);
    assume_run(&s, res);
    assume_facility(&s, res);
    assume_sites(&s, res);
    assume_grid(&s, res);
    assume_contexts(&s, res);
    assume_rules(&s, res);
    assume_criteria(&s, res);
    assume_energy(&s, res);
    assume_software(&s);
    assume_fingerprints(&s, res, fingerprint);
}

/* ------------------------------------------------------------------ */
/* the workbook                                                        */
/* ------------------------------------------------------------------ */

/* The Sensitivity sheet (report_sensitivity.c), printed like Ranking. */
static void write_sensitivity(dcs_book *b, const dcs_result *res)
{
    dcs_report_sensitivity_sheet(b->wb, res, b->header, b->section, b->note, b->constant);
    lxw_worksheet *ws = workbook_get_worksheet_by_name(b->wb, "Sensitivity");
    if (ws)
        print_table(ws, res, 0, 1);
}

/* The Grid sheet (report_grid.c), printed one page wide. */
static void write_grid(dcs_book *b, const dcs_result *res)
{
    dcs_report_grid_sheet(b->wb, res, b->header, b->section, b->note);
    lxw_worksheet *ws = workbook_get_worksheet_by_name(b->wb, "Grid");
    if (ws)
        print_wide(ws, res, 0);
}

/* The Community sheet (report_community.c), printed one page wide. */
static void write_community(dcs_book *b, const dcs_result *res)
{
    dcs_report_community_sheet(b->wb, res, b->wrap_header, b->section, b->note);
    lxw_worksheet *ws = workbook_get_worksheet_by_name(b->wb, "Community");
    if (ws)
        print_wide(ws, res, 0);
}

/* Cells on Ranking and Excluded. */
static double workbook_cells(const dcs_result *res)
{
    return (double)ranking_rows(res) * (double)ranking_ncols(res) +
           (double)excluded_rows(res) * 3.0;
}

dcs_status dcs_report_xlsx(const dcs_result *res, const char *fingerprint, const char *tmp,
                           dcs_error *err)
{
    dcs_book b = {0};
    b.constant = workbook_cells(res) > XLSX_MEMORY_CELLS;
    /* ZIP64 only where a sheet's XML may pass 4 GB (about 40 bytes a cell) */
    lxw_workbook_options opt = {.constant_memory = b.constant ? LXW_TRUE : LXW_FALSE,
                                .tmpdir = NULL,
                                .use_zip64 = workbook_cells(res) > 5e7 ? LXW_TRUE : LXW_FALSE};
    b.wb = workbook_new_opt(tmp, &opt);
    if (!b.wb)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create workbook '%s'", tmp);
    const dcs_scenario *scn = res->scn;
    char title[256], subject[512], comments[1024];
    snprintf(title, sizeof title, "dcsite: %s", scn->name);
    snprintf(subject, sizeof subject, "Data-center site ranking: %s",
             scn->description ? scn->description : scn->name);
    snprintf(comments, sizeof comments,
             "Scenario %s, run started %s (UTC), %.2f s, working CRS %s; dcsite %s. "
             "%zu candidates, %zu eligible.",
             scn->path, res->started_utc, res->seconds, res->crs.name, DCS_VERSION, res->sites.n,
             res->eval.neligible);
    lxw_doc_properties props = {.title = dcs_utf8_trim(title),
                                .subject = dcs_utf8_trim(subject),
                                .author = "dcsite",
                                .category = "site selection",
                                .keywords = "data center, site selection, MCDA, dcsite",
                                .comments = dcs_utf8_trim(comments)};
    workbook_set_properties(b.wb, &props);
    dcs_book_formats(&b);
    size_t nf = 0;
    dcs_field_info *fields = dcs_report_fields(res, &nf);
    dcs_status st = fields ? dcs_report_brief(&b, res, fields, nf, err)
                           : dcs_error_set(err, DCS_ERR_NOMEM, "out of memory writing the "
                                                                "workbook '%s'", tmp);
    if (st == DCS_OK) {
        write_details(&b, res);
        st = write_ranking(&b, res, fields, nf, err);
    }
    if (st == DCS_OK) {
        write_excluded(&b, res);
        write_sensitivity(&b, res);
        write_grid(&b, res);
        write_community(&b, res);
        write_energy(&b, res);
        write_assumptions(&b, res, fingerprint);
        dcs_fields_sheet(&b, res, fields, nf);
    }
    free(fields);
    errno = 0;
    lxw_error e = workbook_close(b.wb);
    int sys = errno; /* why the zip or its temporary files failed, when they did */
    if (st != DCS_OK)
        return st;
    if (e != LXW_NO_ERROR)
        return dcs_error_set(err, DCS_ERR_IO, "cannot write workbook '%s': %s%s%s%s", tmp,
                             lxw_strerror(e), sys ? " (" : "", sys ? strerror(sys) : "",
                             sys ? ")" : "");
    return DCS_OK;
}
