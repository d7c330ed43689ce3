/* report_xlsx.c - the planners' workbook (libxlsxwriter 1.1.4).
 * See report_xlsx.h.
 *
 * Sheets:
 *  Summary      the scenario, facility, run (date, duration, working CRS),
 *               counts and the sites failing each rule (the same figures as
 *               the JSON summary), the top sites (rank, id, score, lon/lat,
 *               an OpenStreetMap link, each criterion's contribution) with a
 *               stacked column chart of their scores by criterion, the
 *               inputs and the criteria weights.
 *  Ranking      every eligible site in rank order: score, each criterion's
 *               value and contribution, every metric (header "name (unit)",
 *               number format by unit), coverage gaps, lon/lat; frozen
 *               header, a filter on every column and a 3-colour scale on
 *               the score.
 *  Excluded     every excluded site, the number of rules it failed and
 *               every reason.
 *  Sensitivity  (scenarios with a sensitivity section) P(top N) and rank
 *               percentiles per site, a bar chart of P(top N) and the
 *               one-at-a-time weight sweeps (report_sensitivity.c).
 *  Energy       (scenarios with an energy section) each weather station's
 *               modelled year, its monthly profile and a line chart of
 *               monthly PUE at the stations of the top sites.
 *  Assumptions  every parameter the run used, defaults included, the
 *               software and library versions and the SHA-256 fingerprint
 *               of every input file.
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
#include "report_decision.h"
#include "core/version.h"

#define EXCEL_MAX_ROWS 1048576u
#define EXCEL_MAX_COLS 16384u
#define EXCEL_MAX_STRING 32767u
/* Cells on Ranking + Excluded above which the workbook streams to disk
 * (libxlsxwriter keeps roughly 100 bytes per cell in memory). */
#define XLSX_MEMORY_CELLS 250000u
#define SUMMARY_MAX_TOP 100u  /* rows of the Summary's top-sites table */
#define CHART_MAX_SITES 10u   /* bars in the Summary chart */
#define CHART_MAX_STATIONS 10u
#define NFMT_MAX 32

typedef struct {
    lxw_workbook *wb;
    int constant; /* constant-memory mode */
    lxw_format *section, *bold, *header, *link, *note;
    struct {
        const char *code;
        lxw_format *f;
    } fmts[NFMT_MAX];
    size_t nfmts;
} book;

/* A sheet being written top to bottom. */
typedef struct {
    book *b;
    lxw_worksheet *ws;
    const char *name;
    lxw_row_t r;
} sheet;

/* ------------------------------------------------------------------ */
/* cells                                                               */
/* ------------------------------------------------------------------ */

/* The number format with this code (a string literal), made once. */
static lxw_format *numfmt(book *b, const char *code)
{
    if (!code)
        return NULL;
    for (size_t i = 0; i < b->nfmts; i++)
        if (strcmp(b->fmts[i].code, code) == 0)
            return b->fmts[i].f;
    lxw_format *f = workbook_add_format(b->wb);
    if (f)
        format_set_num_format(f, code);
    if (f && b->nfmts < NFMT_MAX) {
        b->fmts[b->nfmts].code = code;
        b->fmts[b->nfmts++].f = f;
    }
    return f;
}

/* A number; NaN (missing) and infinities leave the cell empty. */
static void put_num(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (isfinite(v))
        worksheet_write_number(ws, r, c, v, f);
}

/* Length of the first n bytes of s without a UTF-8 sequence cut short at
 * their end (snprintf into a fixed buffer may cut one; a part of a
 * character would make the workbook's XML invalid). */
static size_t utf8_whole(const char *s, size_t n)
{
    size_t k = n, cont = 0;
    while (k > 0 && cont < 3 && ((unsigned char)s[k - 1] & 0xC0) == 0x80) {
        k--;
        cont++;
    }
    if (k == 0 || (unsigned char)s[k - 1] < 0xC0)
        return n;
    unsigned char lead = (unsigned char)s[k - 1];
    size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    return cont + 1 >= len ? n : k - 1;
}

/* Drop a UTF-8 sequence cut short at the end of buf. */
static char *utf8_trim(char *buf)
{
    buf[utf8_whole(buf, strlen(buf))] = '\0';
    return buf;
}

/* A string (NULL leaves the cell empty), cut at a UTF-8 character
 * boundary to Excel's 32,767 characters per cell. */
static void put_str_plain(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                          lxw_format *f);

/* A string with any password in it hidden (connection strings of
 * database inputs): see dsn.h. */
static void put_str(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f)
{
    if (!dcs_redact_needed(s)) {
        put_str_plain(ws, r, c, s, f);
        return;
    }
    char *hidden = dcs_redact(s);
    put_str_plain(ws, r, c, hidden, f); /* out of memory: the cell stays empty */
    free(hidden);
}

static void put_str_plain(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                          lxw_format *f)
{
    if (!s)
        return;
    size_t n = strlen(s);
    size_t k = utf8_whole(s, n < EXCEL_MAX_STRING ? n : EXCEL_MAX_STRING);
    if (k == n) {
        worksheet_write_string(ws, r, c, s, f);
        return;
    }
    char *cut = malloc(k + 1);
    if (!cut)
        return;
    memcpy(cut, s, k);
    cut[k] = '\0';
    worksheet_write_string(ws, r, c, cut, f);
    free(cut);
}

/* A growing string for lists ("a, b, c"); on allocation failure it keeps
 * what it has. */
typedef struct {
    char *s;
    size_t len, cap;
} text;

static void text_add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = (t->len + (size_t)n + 1) * 2;
        char *s = realloc(t->s, cap);
        if (!s)
            return;
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static const char *text_str(const text *t)
{
    return t->s ? t->s : "";
}

static void text_free(text *t)
{
    free(t->s);
    *t = (text){0};
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static void section(sheet *s, const char *title)
{
    if (s->r > 0)
        s->r++;
    put_str(s->ws, s->r++, 0, title, s->b->section);
}

/* A header row of n labels from column 0. */
static void header_row(sheet *s, const char *const *labels, size_t n)
{
    for (size_t k = 0; k < n; k++)
        put_str(s->ws, s->r, (lxw_col_t)k, labels[k], s->b->header);
    s->r++;
}

/* label | text | unit | note */
static void row_text(sheet *s, const char *label, const char *value, const char *unit,
                     const char *note)
{
    put_str(s->ws, s->r, 0, label, s->b->bold);
    put_str(s->ws, s->r, 1, value, NULL);
    if (unit && *unit)
        put_str(s->ws, s->r, 2, unit, NULL);
    if (note && *note)
        put_str(s->ws, s->r, 3, note, s->b->note);
    s->r++;
}

/* label | number | unit | note */
static void row_num(sheet *s, const char *label, double v, const char *code, const char *unit,
                    const char *note)
{
    put_str(s->ws, s->r, 0, label, s->b->bold);
    put_num(s->ws, s->r, 1, v, numfmt(s->b, code));
    if (unit && *unit)
        put_str(s->ws, s->r, 2, unit, NULL);
    if (note && *note)
        put_str(s->ws, s->r, 3, note, s->b->note);
    s->r++;
}

static void fmt_number(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.10g", v);
}

/* ------------------------------------------------------------------ */
/* metrics: header and number format by unit                           */
/* ------------------------------------------------------------------ */

static void metric_header(const dcs_metric *m, char *buf, size_t size)
{
    if (m->unit && *m->unit)
        snprintf(buf, size, "%s (%s)", m->name, m->unit);
    else
        snprintf(buf, size, "%s", m->name);
}

/* Largest absolute value of number column col over the first n sites in
 * rank order. */
static double max_abs(const dcs_result *res, size_t col, size_t n)
{
    double mx = 0;
    for (size_t r = 0; r < n; r++) {
        double v = fabs(dcs_site_num(&res->sites, res->eval.order[r])[col]);
        if (isfinite(v) && v > mx)
            mx = v;
    }
    return mx;
}

/* Number format code of a metric, by its unit (NULL: General). */
static const char *metric_code(const dcs_result *res, const dcs_metric *m, size_t nrows)
{
    static const struct {
        const char *unit, *code;
    } table[] = {
        {"km", "0.00"},     {"ha", "0.0"},      {"%", "0.0"},    {"$", "#,##0"},
        {"M$", "0.0"},      {"MW", "0.0"},      {"kV", "0"},     {"L/kWh", "0.00"},
        {"MWh", "#,##0"},   {"m3", "#,##0"},    {"h", "#,##0"},  {"t", "#,##0"},
        {"$/MWh", "0.00"},
    };
    const char *unit = m->unit ? m->unit : "";
    if (strcmp(unit, "$") == 0 && max_abs(res, m->col, nrows) < 100)
        return "#,##0.00"; /* small amounts (per accelerator-hour): cents matter */
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
        if (strcmp(unit, table[k].unit) == 0)
            return table[k].code;
    if (strncmp(m->name, "pue_", 4) == 0)
        return "0.000";
    return NULL;
}

static size_t summary_top_rows(const dcs_result *res)
{
    size_t n = res->scn->outputs.top_n;
    if (n > res->eval.neligible)
        n = res->eval.neligible;
    return n < SUMMARY_MAX_TOP ? n : SUMMARY_MAX_TOP;
}

static size_t ranking_rows(const dcs_result *res)
{
    size_t n = res->eval.neligible;
    return n < EXCEL_MAX_ROWS - 1 ? n : EXCEL_MAX_ROWS - 1;
}

static size_t excluded_count(const dcs_result *res)
{
    return res->sites.n - res->eval.neligible;
}

static size_t excluded_rows(const dcs_result *res)
{
    size_t n = excluded_count(res);
    return n < EXCEL_MAX_ROWS - 1 ? n : EXCEL_MAX_ROWS - 1;
}

void dcs_report_xlsx_limits(dcs_result *res)
{
    if (!res->scn->outputs.xlsx)
        return;
    size_t keep = EXCEL_MAX_ROWS - 1, ranked = res->eval.neligible, out = excluded_count(res);
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

static size_t ranking_ncols(const dcs_result *res)
{
    dcs_decision_col dc[DCS_DCOL_COUNT];
    return 3 + 2 * res->model.ncrits + res->model.nmetrics + 3 + dcs_decision_columns(res, dc);
}

/* ------------------------------------------------------------------ */
/* Summary                                                             */
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
                 "the first %zu of %zu eligible sites (Excel's row limit); the GIS report has all",
                 ranking_rows(res), res->eval.neligible);
        row_text(s, "Ranking sheet", note, NULL, NULL);
    }
    if (excluded_rows(res) < excluded_count(res)) {
        snprintf(note, sizeof note,
                 "the first %zu of %zu excluded sites (Excel's row limit); the GIS report has all",
                 excluded_rows(res), excluded_count(res));
        row_text(s, "Excluded sheet", note, NULL, NULL);
    }
    s->r++;
    static const char *const hdr[] = {"Rule", "Sites failing it"};
    header_row(s, hdr, 2);
    for (size_t k = 0; k < res->model.nrules; k++) {
        char label[128];
        dcs_rule_label(&res->model.rules[k], label, sizeof label);
        put_str(s->ws, s->r, 0, label, NULL);
        put_num(s->ws, s->r++, 1, (double)res->eval.rule_fails[k], numfmt(s->b, "#,##0"));
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
    for (size_t c = 0; c < res->model.ncrits; c++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        if (!se)
            return;
        lxw_col_t col = (lxw_col_t)(6 + c);
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
        put_str(s->ws, s->r++, 0, "No site is eligible: see the Excluded sheet.", s->b->note);
        return;
    }
    snprintf(title, sizeof title, "Top %zu sites: score and each criterion's contribution", n);
    section(s, title);
    lxw_row_t hdr = s->r;
    static const char *const fixed[] = {"rank", "site_id", "score", "lon", "lat", "map"};
    header_row(s, fixed, 6);
    for (size_t c = 0; c < res->model.ncrits && 6 + c < EXCEL_MAX_COLS; c++)
        put_str(s->ws, hdr, (lxw_col_t)(6 + c), res->model.crits[c].name, s->b->header);
    lxw_row_t first = s->r;
    lxw_format *f4 = numfmt(s->b, "0.0000"), *fll = numfmt(s->b, "0.00000");
    for (size_t r = 0; r < n; r++, s->r++) {
        size_t i = res->eval.order[r];
        put_num(s->ws, s->r, 0, (double)res->eval.rank[i], NULL);
        put_str(s->ws, s->r, 1, res->sites.id[i], NULL);
        put_num(s->ws, s->r, 2, res->eval.score[i], f4);
        put_num(s->ws, s->r, 3, res->sites.lon[i], fll);
        put_num(s->ws, s->r, 4, res->sites.lat[i], fll);
        if (isfinite(res->sites.lat[i]) && isfinite(res->sites.lon[i])) {
            char url[192];
            osm_url(url, sizeof url, res->sites.lat[i], res->sites.lon[i]);
            worksheet_write_url_opt(s->ws, s->r, 5, url, s->b->link, "OpenStreetMap", url);
        }
        for (size_t c = 0; c < res->model.ncrits && 6 + c < EXCEL_MAX_COLS; c++)
            put_num(s->ws, s->r, (lxw_col_t)(6 + c), dcs_report_contribution(res, i, c), f4);
    }
    summary_chart(s, res, first, n, hdr);
}

static void summary_inputs(sheet *s, const dcs_result *res)
{
    section(s, "Inputs");
    static const char *const hdr[] = {"Role", "Layer", "Features", "Geometry", "CRS", "Dataset"};
    header_row(s, hdr, 6);
    for (size_t k = 0; k < res->ninputs; k++, s->r++) {
        const dcs_input_info *in = &res->inputs[k];
        put_str(s->ws, s->r, 0, in->role, NULL);
        put_str(s->ws, s->r, 1, in->layer, NULL);
        put_num(s->ws, s->r, 2, (double)in->nfeatures, numfmt(s->b, "#,##0"));
        put_str(s->ws, s->r, 3, in->geom_type, NULL);
        put_str(s->ws, s->r, 4, in->crs, NULL);
        put_str(s->ws, s->r, 5, in->dataset, NULL);
    }
    for (size_t k = 0; k < res->nstations; k++, s->r++) {
        put_str(s->ws, s->r, 0, "weather station", NULL);
        put_str(s->ws, s->r, 1, res->stations[k].name, NULL);
        put_num(s->ws, s->r, 2, 8760, numfmt(s->b, "#,##0"));
        put_str(s->ws, s->r, 3, "hourly year", NULL);
        put_str(s->ws, s->r, 5, res->stations[k].file, NULL);
    }
}

static void summary_criteria(sheet *s, const dcs_result *res)
{
    section(s, "Criteria");
    put_str(s->ws, s->r, 0, "Aggregation", s->b->bold);
    put_str(s->ws, s->r++, 1, dcs_aggregation_name((dcs_aggregation)res->scn->aggregation), NULL);
    if (res->model.ahp) {
        put_str(s->ws, s->r, 0, "Weights from", s->b->bold);
        put_str(s->ws, s->r++, 1, "AHP pairwise comparisons", NULL);
        put_str(s->ws, s->r, 0, "AHP consistency ratio", s->b->bold);
        put_num(s->ws, s->r++, 1, res->model.ahp_cr, numfmt(s->b, "0.0000"));
    }
    static const char *const hdr[] = {"Criterion", "Metric", "Weight"};
    header_row(s, hdr, 3);
    for (size_t c = 0; c < res->model.ncrits; c++, s->r++) {
        const dcs_crit *k = &res->model.crits[c];
        put_str(s->ws, s->r, 0, k->name, NULL);
        put_str(s->ws, s->r, 1, res->model.metrics[k->metric].name, NULL);
        put_num(s->ws, s->r, 2, k->weight, numfmt(s->b, "0.0000"));
    }
}

/* Print landscape, one page wide. */
static void print_wide(lxw_worksheet *ws)
{
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
}

static void write_summary(book *b, const dcs_result *res)
{
    sheet s = {b, workbook_add_worksheet(b->wb, "Summary"), "Summary", 0};
    print_wide(s.ws);
    worksheet_set_column(s.ws, 0, 0, 26, NULL);
    worksheet_set_column(s.ws, 1, 1, 16, NULL);
    worksheet_set_column(s.ws, 2, 5, 12, NULL);
    worksheet_set_column(s.ws, 6, 6 + (lxw_col_t)res->model.ncrits, 13, NULL);
    summary_head(&s, res);
    summary_counts(&s, res);
    summary_top(&s, res);
    summary_inputs(&s, res);
    summary_criteria(&s, res);
}

/* ------------------------------------------------------------------ */
/* Ranking                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
    size_t n;
    char **header;
    lxw_format **fmt;
} columns;

static void columns_free(columns *cols)
{
    for (size_t k = 0; cols->header && k < cols->n; k++)
        free(cols->header[k]);
    free(cols->header);
    free(cols->fmt);
    *cols = (columns){0};
}

/* Append a header, made unique (Excel tables refuse repeated names, in
 * any case). */
static int column_add(columns *cols, const char *name, lxw_format *f)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", name);
    utf8_trim(buf);
    for (int dup = 2;; dup++) {
        size_t k = 0;
        while (k < cols->n && strcasecmp(cols->header[k], buf) != 0)
            k++;
        if (k == cols->n)
            break;
        size_t len = strlen(name);
        int keep = (int)utf8_whole(name, len < 200 ? len : 200); /* room for the suffix */
        snprintf(buf, sizeof buf, "%.*s (%d)", keep, name, dup);
    }
    if (!(cols->header[cols->n] = strdup(buf)))
        return -1;
    cols->fmt[cols->n++] = f;
    return 0;
}

static dcs_status ranking_columns(book *b, const dcs_result *res, columns *cols, dcs_error *err)
{
    size_t n = ranking_ncols(res), rows = ranking_rows(res);
    cols->header = calloc(n, sizeof *cols->header);
    cols->fmt = calloc(n, sizeof *cols->fmt);
    if (!cols->header || !cols->fmt)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory writing the workbook");
    lxw_format *f3 = numfmt(b, "0.000"), *f4 = numfmt(b, "0.0000"), *fll = numfmt(b, "0.00000");
    int bad = column_add(cols, "rank", NULL) || column_add(cols, "site_id", NULL) ||
              column_add(cols, "score", f4);
    for (size_t k = 0; !bad && k < res->model.ncrits; k++) {
        char name[160];
        snprintf(name, sizeof name, "%s_value", res->model.crits[k].name);
        bad = column_add(cols, name, f3);
        snprintf(name, sizeof name, "%s_contrib", res->model.crits[k].name);
        bad = bad || column_add(cols, name, f4);
    }
    for (size_t k = 0; !bad && k < res->model.nmetrics; k++) {
        const dcs_metric *m = &res->model.metrics[k];
        char name[200];
        metric_header(m, name, sizeof name);
        lxw_format *f = m->kind == DCS_NUM ? numfmt(b, metric_code(res, m, rows)) : NULL;
        bad = column_add(cols, name, f);
    }
    bad = bad || column_add(cols, "coverage_gaps", NULL) || column_add(cols, "lon", fll) ||
          column_add(cols, "lat", fll);
    dcs_decision_col dc[DCS_DCOL_COUNT];
    size_t ndc = dcs_decision_columns(res, dc);
    for (size_t k = 0; !bad && k < ndc; k++)
        bad = column_add(cols, dcs_decision_col_name(dc[k]),
                         dc[k] == DCS_DCOL_P_TOP ? numfmt(b, "0.0%") : NULL);
    if (bad)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory writing the workbook");
    return DCS_OK;
}

static void ranking_row(lxw_worksheet *ws, lxw_row_t row, const columns *cols,
                        const dcs_result *res, size_t i)
{
    lxw_col_t c = 0;
    put_num(ws, row, c++, (double)res->eval.rank[i], NULL);
    put_str(ws, row, c++, res->sites.id[i], NULL);
    put_num(ws, row, c, res->eval.score[i], cols->fmt[c]);
    c++;
    for (size_t k = 0; k < res->model.ncrits; k++) {
        put_num(ws, row, c, dcs_report_value(res, i, k), cols->fmt[c]);
        c++;
        put_num(ws, row, c, dcs_report_contribution(res, i, k), cols->fmt[c]);
        c++;
    }
    for (size_t k = 0; k < res->model.nmetrics; k++, c++) {
        const dcs_metric *m = &res->model.metrics[k];
        if (m->kind == DCS_NUM)
            put_num(ws, row, c, dcs_site_num(&res->sites, i)[m->col], cols->fmt[c]);
        else
            put_str(ws, row, c, dcs_site_text(&res->sites, i)[m->col], NULL);
    }
    put_str(ws, row, c++, res->eval.gaps[i], NULL);
    put_num(ws, row, c, res->sites.lon[i], cols->fmt[c]);
    c++;
    put_num(ws, row, c, res->sites.lat[i], cols->fmt[c]);
    c++;
    dcs_decision_col dc[DCS_DCOL_COUNT];
    size_t ndc = dcs_decision_columns(res, dc);
    for (size_t k = 0; k < ndc; k++, c++) {
        if (dcs_decision_col_kind(dc[k]) == 2)
            put_str(ws, row, c, dcs_decision_text(res, dc[k], i), NULL);
        else
            put_num(ws, row, c, dcs_decision_num(res, dc[k], i), cols->fmt[c]);
    }
}

/* An Excel table over the header and rows (in-memory mode only). */
static void ranking_table(book *b, lxw_worksheet *ws, const columns *cols, size_t rows)
{
    lxw_table_column *tc = calloc(cols->n, sizeof *tc);
    lxw_table_column **list = calloc(cols->n + 1, sizeof *list);
    if (tc && list) {
        for (size_t k = 0; k < cols->n; k++) {
            tc[k].header = cols->header[k];
            tc[k].header_format = b->header;
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

static dcs_status write_ranking(book *b, const dcs_result *res, dcs_error *err)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Ranking");
    columns cols = {0};
    dcs_status st = ranking_columns(b, res, &cols, err);
    if (st != DCS_OK) {
        columns_free(&cols);
        return st;
    }
    if (cols.n > EXCEL_MAX_COLS) {
        columns_free(&cols);
        return dcs_error_set(err, DCS_ERR_IO,
                             "the Ranking sheet would need %zu columns; Excel has %u",
                             ranking_ncols(res), EXCEL_MAX_COLS);
    }
    size_t rows = ranking_rows(res);
    worksheet_set_column(ws, 0, 0, 6, NULL);
    worksheet_set_column(ws, 1, 1, 14, NULL);
    worksheet_set_column(ws, 2, (lxw_col_t)(cols.n - 1), 13, NULL);
    for (size_t k = 0; k < cols.n; k++)
        put_str(ws, 0, (lxw_col_t)k, cols.header[k], b->header);
    if (rows < res->eval.neligible) {
        char note[200];
        snprintf(note, sizeof note, "Only the first %zu of %zu eligible sites fit on this sheet "
                 "(Excel's row limit); the GIS report has them all.", rows, res->eval.neligible);
        put_str(ws, 0, (lxw_col_t)(cols.n + 1), note, b->note);
    }
    worksheet_freeze_panes(ws, 1, 2);
    worksheet_set_landscape(ws);
    worksheet_repeat_rows(ws, 0, 0);
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
        put_str(ws, 1, 0, "No site is eligible: see the Excluded sheet.", b->note);
    }
    columns_free(&cols);
    return DCS_OK;
}

/* ------------------------------------------------------------------ */
/* Excluded                                                            */
/* ------------------------------------------------------------------ */

static void write_excluded(book *b, const dcs_result *res)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Excluded");
    static const char *const hdr[] = {"site_id", "rules_failed", "reasons"};
    for (lxw_col_t c = 0; c < 3; c++)
        put_str(ws, 0, c, hdr[c], b->header);
    size_t rows = excluded_rows(res);
    if (rows < excluded_count(res)) {
        char note[200];
        snprintf(note, sizeof note, "Only the first %zu of %zu excluded sites fit on this sheet "
                 "(Excel's row limit); the GIS report has them all.", rows, excluded_count(res));
        put_str(ws, 0, 4, note, b->note);
    }
    worksheet_set_column(ws, 0, 0, 14, NULL);
    worksheet_set_column(ws, 1, 1, 12, NULL);
    worksheet_set_column(ws, 2, 2, 90, NULL);
    worksheet_freeze_panes(ws, 1, 1);
    worksheet_set_landscape(ws);
    worksheet_repeat_rows(ws, 0, 0);
    lxw_row_t row = 1;
    for (size_t i = 0; i < res->sites.n && row <= rows; i++) {
        if (res->eval.eligible[i])
            continue;
        size_t nfail = 0;
        for (size_t k = 0; k < res->model.nrules; k++)
            nfail += res->eval.failed[i * res->model.nrules + k];
        put_str(ws, row, 0, res->sites.id[i], NULL);
        put_num(ws, row, 1, (double)nfail, NULL);
        int nomem;
        char *why = dcs_result_reasons(res, i, &nomem);
        put_str(ws, row, 2, why, NULL);
        free(why);
        row++;
    }
    worksheet_autofilter(ws, 0, 0, row - 1, 2);
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
    header_row(s, hdr, sizeof hdr / sizeof hdr[0]);
    book *b = s->b;
    lxw_format *fll = numfmt(b, "0.0000"), *f3 = numfmt(b, "0.000"), *f1 = numfmt(b, "0.0"),
               *f0 = numfmt(b, "#,##0"), *f2 = numfmt(b, "0.00");
    for (size_t k = 0; k < nst; k++, s->r++) {
        const dcs_station *st = &res->stations[k];
        const dcs_energy *e = &st->energy;
        lxw_col_t c = 0;
        put_str(s->ws, s->r, c++, st->name, NULL);
        put_str(s->ws, s->r, c++, st->file, NULL);
        put_num(s->ws, s->r, c++, st->lat, fll);
        put_num(s->ws, s->r, c++, st->lon, fll);
        put_num(s->ws, s->r, c++, st->elevation_m, f1);
        put_num(s->ws, s->r, c++, e->pue_annual, f3);
        put_num(s->ws, s->r, c++, e->pue_peak, f3);
        put_num(s->ws, s->r, c++, e->peak_mw, f1);
        put_num(s->ws, s->r, c++, e->energy_mwh, f0);
        put_num(s->ws, s->r, c++, e->it_energy_mwh, f0);
        put_num(s->ws, s->r, c++, e->water_m3, f0);
        put_num(s->ws, s->r, c++, e->wue_l_kwh, f2);
        put_num(s->ws, s->r, c++, e->peak_day_water_m3, f0);
        put_num(s->ws, s->r, c++, e->mode_hours[DCS_MODE_FREE], f0);
        put_num(s->ws, s->r, c++, e->mode_hours[DCS_MODE_PARTIAL], f0);
        put_num(s->ws, s->r, c++, e->mode_hours[DCS_MODE_MECHANICAL], f0);
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
    size_t ncol = nst < (EXCEL_MAX_COLS - 2) / 3 ? nst : (EXCEL_MAX_COLS - 2) / 3;
    lxw_row_t hdr = s->r;
    put_str(s->ws, hdr, 0, "month", s->b->header);
    put_str(s->ws, hdr, 1, "month_name", s->b->header);
    for (size_t k = 0; k < ncol; k++) {
        char h[200];
        lxw_col_t c = (lxw_col_t)(2 + 3 * k);
        snprintf(h, sizeof h, "%s energy (MWh)", res->stations[k].name);
        put_str(s->ws, hdr, c, h, s->b->header);
        snprintf(h, sizeof h, "%s PUE", res->stations[k].name);
        put_str(s->ws, hdr, c + 1, h, s->b->header);
        snprintf(h, sizeof h, "%s water (m3)", res->stations[k].name);
        put_str(s->ws, hdr, c + 2, h, s->b->header);
    }
    s->r++;
    lxw_row_t first = s->r;
    lxw_format *f0 = numfmt(s->b, "#,##0"), *f3 = numfmt(s->b, "0.000");
    for (int m = 0; m < 12; m++, s->r++) {
        put_num(s->ws, s->r, 0, m + 1, NULL);
        put_str(s->ws, s->r, 1, month_names[m], NULL);
        for (size_t k = 0; k < ncol; k++) {
            const dcs_energy *e = &res->stations[k].energy;
            lxw_col_t c = (lxw_col_t)(2 + 3 * k);
            put_num(s->ws, s->r, c, e->month_energy_mwh[m], f0);
            put_num(s->ws, s->r, c + 1, dcs_energy_month_pue(e, m), f3);
            put_num(s->ws, s->r, c + 2, e->month_water_m3[m], f0);
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

static void write_energy(book *b, const dcs_result *res)
{
    if (!res->scn->energy.enabled || res->nstations == 0)
        return;
    sheet s = {b, workbook_add_worksheet(b->wb, "Energy"), "Energy", 0};
    print_wide(s.ws);
    size_t nst = res->nstations < EXCEL_MAX_ROWS - 40 ? res->nstations : EXCEL_MAX_ROWS - 40;
    worksheet_set_column(s.ws, 0, 0, 28, NULL);
    worksheet_set_column(s.ws, 1, 1, 14, NULL);
    worksheet_set_column(s.ws, 2, 16, 13, NULL);
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

static void attrs_text(text *t, const dcs_attribute *a, size_t n)
{
    for (size_t k = 0; k < n; k++)
        text_add(t, "%s%s <- %s", k ? "; " : "", a[k].metric, a[k].field);
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
    text t = {0};
    attrs_text(&t, scn->sites.attrs, scn->sites.nattrs);
    row_text(s, "sites attributes", t.len ? text_str(&t) : "(none)", NULL, "metric <- field");
    text_free(&t);
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

static void context_details(text *t, const dcs_context *c)
{
    static const char *const stats[] = {"mean", "min", "max", "sum", "majority"};
    switch (c->kind) {
    case DCS_CTX_OVERLAY:
        text_add(t, "metric %s_pct", c->name);
        break;
    case DCS_CTX_DISTANCE:
        text_add(t, "metric %s_km", c->name);
        break;
    case DCS_CTX_ZONE:
        text_add(t, "attributes ");
        attrs_text(t, c->attrs, c->nattrs);
        break;
    case DCS_CTX_AREA_WEIGHTED:
        text_add(t, "field %s within radius_km %g", or_empty(c->field), c->radius_km);
        break;
    case DCS_CTX_RASTER:
        text_add(t, "band %d%s; stats", c->band, c->slope ? "; slope (degrees)" : "");
        for (unsigned k = 0; k < 5; k++)
            if (c->stats & (1u << k))
                text_add(t, " %s", stats[k]);
        if (c->radius_km > 0)
            text_add(t, "; radius_km %g", c->radius_km);
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
        put_str(s->ws, s->r++, 0, "(none)", s->b->note);
    for (size_t k = 0; k < scn->ncontexts; k++, s->r++) {
        const dcs_context *c = &scn->contexts[k];
        put_str(s->ws, s->r, 0, c->name, NULL);
        put_str(s->ws, s->r, 1, context_kind_name(c->kind), NULL);
        put_str(s->ws, s->r, 2, c->src.dataset, NULL);
        put_str(s->ws, s->r, 3, c->src.layer, NULL);
        put_str(s->ws, s->r, 4, c->src.where, NULL);
        text t = {0};
        if (c->cover == DCS_COVER_EVERYWHERE)
            text_add(&t, "everywhere");
        else if (c->cover == DCS_COVER_EXTENT)
            text_add(&t, "extent");
        else
            text_add(&t, "layer %s of %s%s%s", c->coverage.layer ? c->coverage.layer : "(only)",
                     or_empty(c->coverage.dataset), c->coverage.where ? " where " : "",
                     or_empty(c->coverage.where));
        put_str(s->ws, s->r, 5, text_str(&t), NULL);
        text_free(&t);
        put_str(s->ws, s->r, 6, outside_name(c->outside), NULL);
        context_details(&t, c);
        put_str(s->ws, s->r, 7, text_str(&t), NULL);
        text_free(&t);
    }
    if (scn->njoins == 0)
        return;
    section(s, "Joined tables");
    static const char *const jh[] = {"name", "dataset", "layer", "key_field", "on", "attributes"};
    header_row(s, jh, 6);
    for (size_t k = 0; k < scn->njoins; k++, s->r++) {
        const dcs_join *j = &scn->joins[k];
        put_str(s->ws, s->r, 0, j->name, NULL);
        put_str(s->ws, s->r, 1, j->src.dataset, NULL);
        put_str(s->ws, s->r, 2, j->src.layer, NULL);
        put_str(s->ws, s->r, 3, j->key_field, NULL);
        put_str(s->ws, s->r, 4, j->on, NULL);
        text t = {0};
        attrs_text(&t, j->attrs, j->nattrs);
        put_str(s->ws, s->r, 5, text_str(&t), NULL);
        text_free(&t);
    }
}

static void assume_rules(sheet *s, const dcs_result *res)
{
    section(s, "Constraints (every rule applied, automatic ones included)");
    static const char *const hdr[] = {"rule", "metric", "test", "limit", "sites failing"};
    header_row(s, hdr, 5);
    for (size_t k = 0; k < res->model.nrules; k++, s->r++) {
        const dcs_rule *rule = &res->model.rules[k];
        char label[128];
        dcs_rule_label(rule, label, sizeof label);
        put_str(s->ws, s->r, 0, label, NULL);
        if (rule->context >= 0) {
            put_str(s->ws, s->r, 1, "(coverage)", NULL);
            put_str(s->ws, s->r, 2, "site covered by the layer", NULL);
        } else {
            put_str(s->ws, s->r, 1, res->model.metrics[rule->metric].name, NULL);
            put_str(s->ws, s->r, 2, dcs_constraint_op_name(rule->op), NULL);
            if (rule->op == DCS_OP_MIN || rule->op == DCS_OP_MAX) {
                put_num(s->ws, s->r, 3, rule->limit, NULL);
            } else {
                text t = {0};
                for (size_t j = 0; j < rule->nset; j++)
                    text_add(&t, "%s%s", j ? ", " : "", rule->set[j]);
                put_str(s->ws, s->r, 3, text_str(&t), NULL);
                text_free(&t);
            }
        }
        put_num(s->ws, s->r, 4, (double)res->eval.rule_fails[k], numfmt(s->b, "#,##0"));
    }
}

static void value_fn_text(text *t, const dcs_value_fn *fn)
{
    char a[40], b[40];
    switch (fn->type) {
    case DCS_VF_LINEAR:
        fmt_number(a, sizeof a, fn->worst);
        fmt_number(b, sizeof b, fn->best);
        text_add(t, "worst %s, best %s", a, b);
        break;
    case DCS_VF_PIECEWISE:
    case DCS_VF_STEP:
        for (size_t k = 0; k < fn->npoints; k++) {
            fmt_number(a, sizeof a, fn->x[k]);
            fmt_number(b, sizeof b, fn->v[k]);
            text_add(t, "%s(%s, %s)", k ? " " : "", a, b);
        }
        break;
    case DCS_VF_CATEGORICAL:
        for (size_t k = 0; k < fn->ncat; k++) {
            fmt_number(a, sizeof a, fn->v[k]);
            text_add(t, "%s: %s; ", fn->cat[k], a);
        }
        fmt_number(a, sizeof a, fn->other);
        text_add(t, "other: %s", a);
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
    for (size_t c = 0; c < res->model.ncrits; c++, s->r++) {
        const dcs_crit *k = &res->model.crits[c];
        put_str(s->ws, s->r, 0, k->name, NULL);
        put_str(s->ws, s->r, 1, res->model.metrics[k->metric].name, NULL);
        put_num(s->ws, s->r, 2, k->weight, numfmt(s->b, "0.0000"));
        if (!res->model.ahp)
            put_num(s->ws, s->r, 3, given_weight(scn, k->name), NULL);
        else
            put_str(s->ws, s->r, 3, "(AHP)", NULL);
        put_str(s->ws, s->r, 4, (unsigned)k->fn->type < 4 ? types[k->fn->type] : "?", NULL);
        text t = {0};
        value_fn_text(&t, k->fn);
        put_str(s->ws, s->r, 5, text_str(&t), NULL);
        text_free(&t);
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
    put_str(s->ws, s->r, 0, "", s->b->header);
    for (size_t j = 0; j < n && j + 1 < EXCEL_MAX_COLS; j++)
        put_str(s->ws, s->r, (lxw_col_t)(j + 1), scn->criteria[j].name, s->b->header);
    s->r++;
    for (size_t i = 0; i < n; i++, s->r++) {
        put_str(s->ws, s->r, 0, scn->criteria[i].name, s->b->bold);
        for (size_t j = 0; j < n && j + 1 < EXCEL_MAX_COLS; j++)
            put_num(s->ws, s->r, (lxw_col_t)(j + 1), scn->ahp_matrix[i * n + j],
                    numfmt(s->b, "0.000"));
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
                                      "default for the archetype", "source", "valid from",
                                      "valid to"};
    header_row(s, hdr, 7);
    dcs_cooling_params def = dcs_cooling_defaults(p->archetype);
    size_t n;
    const dcs_cooling_param *t = dcs_cooling_param_table(&n);
    for (size_t k = 0; k < n; k++, s->r++) {
        double v = *(const double *)((const char *)p + t[k].offset);
        double d = *(const double *)((const char *)&def + t[k].offset);
        put_str(s->ws, s->r, 0, t[k].name, NULL);
        put_num(s->ws, s->r, 1, v, NULL);
        put_str(s->ws, s->r, 2, t[k].unit, NULL);
        put_num(s->ws, s->r, 3, d, NULL);
        put_str(s->ws, s->r, 4, v == d ? "default" : "scenario", NULL);
        put_num(s->ws, s->r, 5, t[k].lo, NULL);
        put_num(s->ws, s->r, 6, t[k].hi, NULL);
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
    text roles;
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
            text_add(&files[k].roles, "; %s", role);
            free(key);
            return;
        }
    input_file *f = &files[(*n)++];
    f->path = path;
    f->key = key;
    f->roles = (text){0};
    text_add(&f->roles, "%s", role);
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
    for (size_t k = 0; k < n; k++, s->r++) {
        put_str(s->ws, s->r, 0, files[k].path, NULL);
        long long size = dcs_regular_file_size(files[k].path);
        if (size < 0) {
            put_str(s->ws, s->r, 1,
                    dcs_dsn_is_postgres(files[k].path)
                        ? "(database tables: no file to fingerprint)"
                        : "(not a local file: no fingerprint)",
                    s->b->note);
        } else {
            char hex[DCS_SHA256_HEX_SIZE];
            dcs_error e;
            dcs_error_clear(&e);
            if (dcs_file_sha256(files[k].path, hex, &e) == DCS_OK)
                put_str(s->ws, s->r, 1, hex, NULL);
            else
                put_str(s->ws, s->r, 1, e.message, s->b->note);
            put_num(s->ws, s->r, 2, (double)size, numfmt(s->b, "#,##0"));
        }
        put_str(s->ws, s->r, 3, text_str(&files[k].roles), NULL);
        free(files[k].key);
        text_free(&files[k].roles);
    }
    free(files);
}

static void write_assumptions(book *b, const dcs_result *res, const char *fingerprint)
{
    sheet s = {b, workbook_add_worksheet(b->wb, "Assumptions"), "Assumptions", 0};
    print_wide(s.ws);
    worksheet_set_column(s.ws, 0, 0, 32, NULL);
    worksheet_set_column(s.ws, 1, 1, 30, NULL);
    worksheet_set_column(s.ws, 2, 7, 14, NULL);
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

static void make_formats(book *b)
{
    b->section = workbook_add_format(b->wb);
    format_set_bold(b->section);
    format_set_font_size(b->section, 12);
    format_set_font_color(b->section, 0x1F4E79);
    b->bold = workbook_add_format(b->wb);
    format_set_bold(b->bold);
    b->header = workbook_add_format(b->wb);
    format_set_bold(b->header);
    format_set_bottom(b->header, LXW_BORDER_THIN);
    format_set_bg_color(b->header, 0xDDEBF7);
    b->link = workbook_add_format(b->wb);
    format_set_font_color(b->link, LXW_COLOR_BLUE);
    format_set_underline(b->link, LXW_UNDERLINE_SINGLE);
    b->note = workbook_add_format(b->wb);
    format_set_italic(b->note);
    format_set_font_color(b->note, 0x595959);
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
    book b = {0};
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
    lxw_doc_properties props = {.title = utf8_trim(title),
                                .subject = utf8_trim(subject),
                                .author = "dcsite",
                                .category = "site selection",
                                .keywords = "data center, site selection, MCDA, dcsite",
                                .comments = utf8_trim(comments)};
    workbook_set_properties(b.wb, &props);
    make_formats(&b);
    write_summary(&b, res);
    dcs_status st = write_ranking(&b, res, err);
    if (st == DCS_OK) {
        write_excluded(&b, res);
        dcs_report_sensitivity_sheet(b.wb, res, b.header, b.section, b.note, b.constant);
        write_energy(&b, res);
        write_assumptions(&b, res, fingerprint);
    }
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
