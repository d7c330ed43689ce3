/* report_community.c - the Community sheet. See report_community.h. */
#include "report_community.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/ordinance.h"

#define MAX_JURISDICTIONS 200 /* listed one by one; more are summed as "others" */

typedef struct {
    const char *metric, *head, *fmt;
} column;

/* Per-site columns, each shown when the run has its metric. */
static const column site_cols[] = {
    {"jurisdiction", "jurisdiction", NULL},
    {"ordinance_rules_met", "ordinance rules met", "0"},
    {"ordinance_rules_failed", "ordinance rules failed", "0"},
    {"ordinance_failed", "ordinance rules failed, in words", NULL},
    {"noise_dba_loudest_day", "noise day (dBA)", "0.0"},
    {"noise_dba_loudest_night", "noise night (dBA)", "0.0"},
    {"noise_dbc_loudest_night", "noise night (dBC)", "0.0"},
    {"noise_receptor_km", "receptor (km)", "0.00"},
    {"water_utility", "water utility", NULL},
    {"water_peak_day_share_pct", "peak day (% of spare)", "0.0"},
    {"water_annual_share_pct", "year (% of spare)", "0.0"},
    {"water_peak_day_share_drought_pct", "drought peak day (%)", "0.0"},
    {"water_annual_share_drought_pct", "drought year (%)", "0.0"},
    {"generator_units", "generators", "0"},
    {"generator_nox_t_yr", "NOx (t/yr)", "0.00"},
    {"generator_pm_t_yr", "PM (t/yr)", "0.000"},
    {"generator_permit_nox_t_yr", "NOx threshold (t/yr)", "0"},
    {"generator_permit_margin_nox_t_yr", "NOx margin (t/yr)", "0.00"},
};
#define NSITE_COLS (sizeof site_cols / sizeof site_cols[0])

/* Rule names for the jurisdiction table, in dcs_ord order. */
static const char *const rule_heads[DCS_ORD_COUNT] = {
    "residences setback", "property-line setback", "mechanical setback", "noise day",
    "noise night", "noise dBC", "generator hours", "water", "moratorium"};

int dcs_report_has_community(const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    return scn->ordinances.enabled || scn->water_utilities.enabled || scn->generators.enabled;
}

static double num_at(const dcs_result *res, long k, size_t i)
{
    return k >= 0 && res->model.metrics[k].kind == DCS_NUM
               ? dcs_site_num(&res->sites, i)[res->model.metrics[k].col]
               : NAN;
}

static const char *text_at(const dcs_result *res, long k, size_t i)
{
    return k >= 0 && res->model.metrics[k].kind == DCS_TEXT
               ? dcs_site_text(&res->sites, i)[res->model.metrics[k].col]
               : NULL;
}

typedef struct {
    const char *name;
    size_t sites, eligible, failing, rule[DCS_ORD_COUNT];
} jur_row;

/* Which of site i's ordinance rules failed: bit k for rule k (from the
 * margins; the moratorium when more rules failed than margins show). */
static unsigned failed_rules(const dcs_result *res, const long *margin, long nfailed, size_t i)
{
    unsigned bits = 0;
    int n = 0;
    for (int k = 0; k < DCS_ORD_MORATORIUM; k++)
        if (num_at(res, margin[k], i) < 0) {
            bits |= 1u << k;
            n++;
        }
    if (num_at(res, nfailed, i) > n)
        bits |= 1u << DCS_ORD_MORATORIUM;
    return bits;
}

static jur_row *find_row(jur_row *rows, size_t *n, const char *name)
{
    for (size_t k = 0; k < *n; k++)
        if (strcmp(rows[k].name, name) == 0)
            return &rows[k];
    if (*n == MAX_JURISDICTIONS)
        return &rows[MAX_JURISDICTIONS]; /* "others" */
    rows[*n].name = name;
    return &rows[(*n)++];
}

/* Rows from r: the jurisdiction table; returns the next free row. */
static lxw_row_t jurisdiction_table(lxw_worksheet *ws, const dcs_result *res, lxw_row_t r,
                                    lxw_format *header, lxw_format *section)
{
    const dcs_model *m = &res->model;
    long jur = dcs_model_find_metric(m, "jurisdiction");
    long nfailed = dcs_model_find_metric(m, "ordinance_rules_failed"), margin[DCS_ORD_COUNT];
    if (jur < 0 || nfailed < 0)
        return r;
    for (int k = 0; k < DCS_ORD_COUNT; k++)
        margin[k] = dcs_ord_margin_metrics[k] ? dcs_model_find_metric(m, dcs_ord_margin_metrics[k])
                                              : -1;
    jur_row *rows = calloc(MAX_JURISDICTIONS + 1, sizeof *rows);
    if (!rows)
        return r;
    rows[MAX_JURISDICTIONS].name = "(others)";
    size_t n = 0, outside = 0;
    for (size_t i = 0; i < res->sites.n; i++) {
        const char *name = text_at(res, jur, i);
        if (!name) {
            outside++;
            continue;
        }
        jur_row *row = find_row(rows, &n, name);
        unsigned bits = failed_rules(res, margin, nfailed, i);
        row->sites++;
        row->eligible += res->eval.eligible[i] != 0;
        row->failing += bits != 0;
        for (int k = 0; k < DCS_ORD_COUNT; k++)
            row->rule[k] += (bits >> k) & 1u;
    }
    worksheet_write_string(ws, r++, 0, "Ordinances by jurisdiction: sites failing each rule",
                           section);
    static const char *const head[] = {"jurisdiction", "sites", "eligible", "failing"};
    worksheet_set_row(ws, r, 30, NULL); /* two lines of wrapped headers */
    for (lxw_col_t c = 0; c < 4; c++)
        worksheet_write_string(ws, r, c, head[c], header);
    for (int k = 0; k < DCS_ORD_COUNT; k++)
        worksheet_write_string(ws, r, (lxw_col_t)(4 + k), rule_heads[k], header);
    size_t last = rows[MAX_JURISDICTIONS].sites ? MAX_JURISDICTIONS + 1 : n;
    for (size_t j = 0; j < last; j++) {
        if (j >= n && j < MAX_JURISDICTIONS)
            j = MAX_JURISDICTIONS;
        const jur_row *row = &rows[j];
        r++;
        worksheet_write_string(ws, r, 0, row->name, NULL);
        double v[4] = {(double)row->sites, (double)row->eligible, (double)row->failing, 0};
        for (lxw_col_t c = 1; c < 4; c++)
            worksheet_write_number(ws, r, c, v[c - 1], NULL);
        for (int k = 0; k < DCS_ORD_COUNT; k++)
            worksheet_write_number(ws, r, (lxw_col_t)(4 + k), (double)row->rule[k], NULL);
    }
    if (outside) {
        r++;
        worksheet_write_string(ws, r, 0, "(in no jurisdiction)", NULL);
        worksheet_write_number(ws, r, 1, (double)outside, NULL);
    }
    free(rows);
    return r + 2;
}

static void site_row(lxw_worksheet *ws, const dcs_result *res, lxw_row_t r, size_t i,
                     const long *idx, lxw_format **fmt, lxw_format *wrap)
{
    if (res->eval.rank[i])
        worksheet_write_number(ws, r, 0, (double)res->eval.rank[i], NULL);
    worksheet_write_string(ws, r, 1, res->sites.id[i], NULL);
    worksheet_write_string(ws, r, 2, res->eval.eligible[i] ? "eligible" : "excluded", NULL);
    lxw_col_t c = 3;
    for (size_t k = 0; k < NSITE_COLS; k++) {
        if (idx[k] < 0)
            continue;
        double v = num_at(res, idx[k], i);
        const char *t = text_at(res, idx[k], i);
        if (t)
            worksheet_write_string(ws, r, c, t, site_cols[k].fmt ? NULL : wrap);
        else if (isfinite(v))
            worksheet_write_number(ws, r, c, v, fmt[k]);
        c++;
    }
}

/* Rows from r: the sites, eligible first in rank order, then the excluded. */
static void site_table(lxw_workbook *wb, lxw_worksheet *ws, const dcs_result *res,
                       lxw_row_t r, lxw_format *header, lxw_format *section)
{
    long idx[NSITE_COLS];
    lxw_format *fmt[NSITE_COLS] = {NULL}, *wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    worksheet_write_string(ws, r++, 0, "Sites: eligible in rank order, then excluded", section);
    worksheet_set_row(ws, r, 30, NULL);
    worksheet_write_string(ws, r, 0, "rank", header);
    worksheet_write_string(ws, r, 1, "site", header);
    worksheet_write_string(ws, r, 2, "status", header);
    lxw_col_t c = 3;
    for (size_t k = 0; k < NSITE_COLS; k++) {
        idx[k] = dcs_model_find_metric(&res->model, site_cols[k].metric);
        if (idx[k] < 0)
            continue;
        if (site_cols[k].fmt) {
            fmt[k] = workbook_add_format(wb);
            format_set_num_format(fmt[k], site_cols[k].fmt);
        }
        if (strcmp(site_cols[k].metric, "ordinance_failed") == 0)
            worksheet_set_column(ws, c, c, 48, NULL);
        else
            worksheet_set_column(ws, c, c, site_cols[k].fmt ? 11 : 20, NULL);
        worksheet_write_string(ws, r, c++, site_cols[k].head, header);
    }
    size_t shown = 0;
    for (size_t k = 0; k < res->eval.neligible && shown < DCS_COMMUNITY_SITE_ROWS; k++, shown++)
        site_row(ws, res, ++r, res->eval.order[k], idx, fmt, wrap);
    for (size_t i = 0; i < res->sites.n && shown < DCS_COMMUNITY_SITE_ROWS; i++)
        if (!res->eval.eligible[i]) {
            site_row(ws, res, ++r, i, idx, fmt, wrap);
            shown++;
        }
    if (shown < res->sites.n)
        worksheet_write_string(ws, ++r, 0, "(more sites in the GIS layers and the JSON)", NULL);
}

/* The sheet's opening sentences, one a row from row 1: what was modelled,
 * and how; returns the next free row. */
static lxw_row_t intro(lxw_worksheet *ws, const dcs_result *res, lxw_format *note)
{
    const dcs_scenario *scn = res->scn;
    int noise = dcs_model_find_metric(&res->model, "noise_dba_loudest_night") >= 0;
    const char *lines[] = {
        scn->ordinances.enabled ? "Each site takes the ordinance of the jurisdiction holding "
                                  "its interior point." : NULL,
        scn->ordinances.enabled && !noise ? "Noise limits are not checked: the run models no "
                                            "noise." : NULL,
        scn->water_utilities.enabled ? "Water shares are of the serving utility's spare "
                                       "capacity (capacity minus demand; in a drought year the "
                                       "capacity shrinks)." : NULL,
        scn->generators.enabled ? "Generator emissions: every installed unit at rated power "
                                  "for the tested and curtailment hours." : NULL,
        "Methods: docs/methods.md (Ordinances, Water against the utility, Backup generators).",
    };
    lxw_row_t r = 1;
    for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++)
        if (lines[k])
            worksheet_write_string(ws, r++, 0, lines[k], note);
    return r + 1;
}

void dcs_report_community_sheet(lxw_workbook *wb, const dcs_result *res, lxw_format *header,
                                lxw_format *section, lxw_format *note)
{
    if (!dcs_report_has_community(res))
        return;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Community");
    worksheet_write_string(ws, 0, 0, "Community: local ordinances, water against the utility, "
                                     "backup generators", section);
    lxw_row_t r = jurisdiction_table(ws, res, intro(ws, res, note), header, section);
    site_table(wb, ws, res, r, header, section);
    worksheet_set_column(ws, 0, 0, 22, NULL);
    worksheet_set_column(ws, 1, 2, 12, NULL);
}

/* Append to out (cut at size). */
static void append(char *out, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char *out, size_t size, const char *fmt, ...)
{
    size_t len = strlen(out);
    if (len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + len, size - len, fmt, ap);
    va_end(ap);
}

static double num_named(const dcs_result *res, const char *name, size_t i)
{
    return num_at(res, dcs_model_find_metric(&res->model, name), i);
}

void dcs_community_site_text(const dcs_result *res, size_t i, char *out, size_t size)
{
    *out = '\0';
    if (!dcs_report_has_community(res))
        return;
    const char *jur = text_at(res, dcs_model_find_metric(&res->model, "jurisdiction"), i);
    const char *util = text_at(res, dcs_model_find_metric(&res->model, "water_utility"), i);
    double night = num_named(res, "noise_dba_loudest_night", i);
    double km = num_named(res, "noise_receptor_km", i);
    double peak = num_named(res, "water_peak_day_share_pct", i);
    double drought = num_named(res, "water_peak_day_share_drought_pct", i);
    double nox = num_named(res, "generator_nox_t_yr", i);
    double permit = num_named(res, "generator_permit_nox_t_yr", i);
    double units = num_named(res, "generator_units", i);
    const char *sep = "Community: ";
    if (res->scn->ordinances.enabled) {
        append(out, size, "%s%s", sep, jur ? jur : "in no jurisdiction");
        sep = "; ";
    }
    if (isfinite(night)) {
        append(out, size, "%s%.1f dBA at night at %.2f km", sep, night, km);
        sep = "; ";
    }
    if (res->scn->water_utilities.enabled) {
        if (isfinite(peak))
            append(out, size, "%speak-day water %.1f %% of %s's spare capacity", sep, peak,
                   util ? util : "the utility");
        else
            append(out, size, "%s%s", sep, util ? "the utility has no spare water capacity"
                                               : "no water utility serves it");
        if (isfinite(peak) && isfinite(drought))
            append(out, size, " (%.1f %% in a drought year)", drought);
        else if (isfinite(peak))
            append(out, size, " (none to spare in a drought year)");
        sep = "; ";
    }
    if (isfinite(nox))
        append(out, size, "%s%.0f generators, %.2f t NOx/yr (threshold %.0f)", sep, units, nox,
               permit);
    if (*out)
        append(out, size, ".");
}

typedef struct {
    char head[160];
    size_t n;
} head_count;

/* The rule part of a failure sentence: up to ", modelled", ", nearest",
 * ", leaves", ", no point" or ", planned" (the site's own figure). */
static void rule_head(const char *sentence, size_t len, char *out, size_t size)
{
    static const char *const cut[] = {", modelled", ", nearest", " leaves", ", no point",
                                      ", planned"};
    size_t end = len;
    for (size_t k = 0; k < sizeof cut / sizeof cut[0]; k++) {
        const char *c = strstr(sentence, cut[k]);
        if (c && (size_t)(c - sentence) < end)
            end = (size_t)(c - sentence);
    }
    snprintf(out, size, "%.*s", (int)end, sentence);
}

void dcs_community_rule_summary(const dcs_result *res, char *out, size_t size)
{
    enum { MAX_HEADS = 64, SHOWN = 3 };
    *out = '\0';
    long f = dcs_model_find_metric(&res->model, "ordinance_failed");
    head_count *h = f >= 0 ? calloc(MAX_HEADS, sizeof *h) : NULL;
    if (!h)
        return;
    size_t n = 0;
    for (size_t i = 0; i < res->sites.n; i++) {
        const char *t = text_at(res, f, i);
        while (t && *t) {
            const char *semi = strstr(t, "; ");
            size_t len = semi ? (size_t)(semi - t) : strlen(t);
            char head[160];
            rule_head(t, len, head, sizeof head);
            size_t k = 0;
            while (k < n && strcmp(h[k].head, head) != 0)
                k++;
            if (k == n && n < MAX_HEADS)
                snprintf(h[n++].head, sizeof h[0].head, "%s", head);
            if (k < n)
                h[k].n++;
            t = semi ? semi + 2 : NULL;
        }
    }
    for (size_t shown = 0; shown < SHOWN && shown < n; shown++) {
        size_t best = shown;
        for (size_t k = shown + 1; k < n; k++)
            if (h[k].n > h[best].n)
                best = k;
        head_count tmp = h[shown];
        h[shown] = h[best];
        h[best] = tmp;
        append(out, size, "%s%s (%zu)", shown ? "; " : "", h[shown].head, h[shown].n);
    }
    if (n > SHOWN)
        append(out, size, "; and %zu more", n - SHOWN);
    free(h);
}
