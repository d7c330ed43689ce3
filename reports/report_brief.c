/* report_brief.c - the Summary sheet as a one-page brief. See report_brief.h. */
#include "report_brief.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision/evaluate.h"
#include "report_common.h"
#include "report_community.h"
#include "report_map.h"
#include "report_print.h"

#define FONT_PT 9.0     /* the question, the options' quantities */
#define SMALL_PT 8.0    /* headers, reasons, exclusions, caveats */
#define TITLE_PT 14.0
#define SECTION_PT 10.0
/* Letter landscape less 0.3 in margins left and right, and 0.45 in top and
 * bottom (with 10 pt to spare for rounding) */
#define PAGE_W_PT 745.0
#define PAGE_H_PT 537.0
#define MAX_COLS 32
#define MAX_QUANTITIES 14
/* shares of the page's width at the bottom: exclusions, caveats, the map */
#define RULES_SHARE 0.30 /* the rules' names at most */
#define MAP_SHARE 0.33
#define TOP_REASONS 3
#define RULES_TITLE "Excluded by rule"
#define CAVEATS_TITLE "Caveats: what the run warned about"

typedef enum { COL_RANK, COL_SITE, COL_PLACE, COL_SCORE, COL_METRIC } col_kind;

typedef struct {
    col_kind kind;
    long metric; /* COL_PLACE, COL_METRIC: index into res->model.metrics */
    char head[200];
    const char *code; /* number format code */
    lxw_format *fmt;
    double width; /* characters */
} bcol;

typedef struct {
    lxw_format *title, *text, *italic, *section, *head, *na, *reason, *small, *small_num,
        *small_note, *caveat, *score, *rank;
} bformats;

typedef struct {
    dcs_book *b;
    lxw_worksheet *ws;
    const dcs_result *res;
    const dcs_field_info *fields;
    size_t nfields;
    bcol col[MAX_COLS];
    size_t ncols;
    size_t cav_col, map_col; /* first columns of the caveats and of the map */
    size_t dropped;          /* quantity columns left out for the page's width */
    const size_t *opt;       /* the options shown (site indices, rank order) */
    size_t nopt;
    long place;              /* the text metric grouping the options, -1: none */
    lxw_row_t r;
    double height; /* points written so far */
    bformats f;
} brief;

/* ------------------------------------------------------------------ */
/* formats and rows                                                    */
/* ------------------------------------------------------------------ */

static lxw_format *fmt(brief *s, double pt, int bold, int italic, int wrap)
{
    lxw_format *f = workbook_add_format(s->b->wb);
    format_set_font_size(f, pt);
    if (bold)
        format_set_bold(f);
    if (italic)
        format_set_italic(f);
    if (wrap)
        format_set_text_wrap(f);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    return f;
}

static void make_formats(brief *s)
{
    bformats *f = &s->f;
    f->title = fmt(s, TITLE_PT, 1, 0, 0);
    format_set_font_color(f->title, 0x1F4E79);
    f->text = fmt(s, FONT_PT, 0, 0, 1);
    f->italic = fmt(s, FONT_PT, 0, 1, 1);
    f->section = fmt(s, SECTION_PT, 1, 0, 1);
    format_set_font_color(f->section, 0x1F4E79);
    f->head = fmt(s, SMALL_PT, 1, 0, 1);
    format_set_align(f->head, LXW_ALIGN_VERTICAL_BOTTOM);
    format_set_bottom(f->head, LXW_BORDER_THIN);
    format_set_bg_color(f->head, 0xDDEBF7);
    f->na = fmt(s, FONT_PT, 0, 1, 0);
    format_set_font_color(f->na, 0x7F7F7F);
    f->reason = fmt(s, SMALL_PT, 0, 1, 1);
    format_set_font_color(f->reason, 0x404040);
    format_set_bottom(f->reason, LXW_BORDER_HAIR);
    format_set_bottom_color(f->reason, 0xBFBFBF);
    f->small = fmt(s, SMALL_PT, 0, 0, 1);
    format_set_indent(f->small, 1); /* the rules' names, after their counts */
    f->small_num = fmt(s, SMALL_PT, 0, 0, 0);
    format_set_num_format(f->small_num, "#,##0");
    f->small_note = fmt(s, SMALL_PT, 0, 1, 1);
    format_set_font_color(f->small_note, 0x7F7F7F);
    f->caveat = fmt(s, SMALL_PT, 0, 0, 1);
    f->score = fmt(s, FONT_PT, 1, 0, 0);
    format_set_num_format(f->score, "0.000");
    f->rank = fmt(s, FONT_PT, 0, 0, 0);
    format_set_num_format(f->rank, "0");
    format_set_align(f->rank, LXW_ALIGN_CENTER);
}

static void row(brief *s, double pt)
{
    worksheet_set_row(s->ws, s->r, pt, NULL);
    s->height += pt;
}

/* text in columns c0..c1 of the current row (merged when more than one) */
static void span(brief *s, size_t c0, size_t c1, const char *text, lxw_format *f)
{
    if (c1 > c0)
        worksheet_merge_range(s->ws, s->r, (lxw_col_t)c0, s->r, (lxw_col_t)c1, "", f);
    dcs_put_str(s->ws, s->r, (lxw_col_t)c0, text, f);
}

static double cols_pt(const brief *s, size_t c0, size_t c1)
{
    double w = 0;
    for (size_t c = c0; c <= c1 && c < s->ncols; c++)
        w += dcs_book_col_pt(s->col[c].width);
    return w;
}

/* a wrapped paragraph over columns c0..c1, on a row of its own */
static void paragraph(brief *s, size_t c0, size_t c1, const char *text, lxw_format *f,
                      double pt, int bold)
{
    row(s, dcs_book_row_pt(dcs_book_lines(text, cols_pt(s, c0, c1), pt, bold), pt));
    span(s, c0, c1, text, f);
    s->r++;
}

/* ------------------------------------------------------------------ */
/* fields and values                                                   */
/* ------------------------------------------------------------------ */

static const dcs_field_info *field_of(const brief *s, long metric)
{
    for (size_t k = 0; k < s->nfields; k++)
        if (s->fields[k].metric == metric)
            return &s->fields[k];
    return NULL;
}

/* The field's title without its " (unit)" tail, first letter lowered
 * unless the word is an acronym ("CO2 per year"). */
static void plain_title(const brief *s, long metric, char *out, size_t size)
{
    const dcs_field_info *f = field_of(s, metric);
    const dcs_metric *m = &s->res->model.metrics[metric];
    snprintf(out, size, "%s", f ? f->title : m->name);
    char tail[80];
    snprintf(tail, sizeof tail, " (%s)", m->unit ? m->unit : "");
    size_t n = strlen(out), t = strlen(tail);
    if (m->unit && *m->unit && n > t && strcmp(out + n - t, tail) == 0)
        out[n - t] = '\0';
    if (out[0] && !isupper((unsigned char)out[1]) && !isdigit((unsigned char)out[1]))
        out[0] = (char)tolower((unsigned char)out[0]);
}

/* Site i's value of metric m as the workbook shows it, with its unit:
 * "15.7 M$", "industrial", "n/a". */
static void metric_text(const brief *s, const bcol *c, size_t i, char *out, size_t size)
{
    const dcs_metric *m = &s->res->model.metrics[c->metric];
    if (m->kind == DCS_TEXT) {
        const char *t = dcs_site_text(&s->res->sites, i)[m->col];
        snprintf(out, size, "%s", t ? t : "n/a");
        return;
    }
    double v = dcs_site_num(&s->res->sites, i)[m->col];
    char num[64];
    dcs_book_format(num, sizeof num, v, c->code);
    snprintf(out, size, "%s%s%s", num, isfinite(v) && m->unit && *m->unit ? " " : "",
             isfinite(v) && m->unit ? m->unit : "");
}

/* ------------------------------------------------------------------ */
/* columns                                                             */
/* ------------------------------------------------------------------ */

static int has_metric_col(const brief *s, long m)
{
    for (size_t c = 0; c < s->ncols; c++)
        if ((s->col[c].kind == COL_METRIC || s->col[c].kind == COL_PLACE) && s->col[c].metric == m)
            return 1;
    return 0;
}

static void add_col(brief *s, col_kind kind, long metric, const char *head)
{
    if (s->ncols >= MAX_COLS)
        return;
    bcol *c = &s->col[s->ncols++];
    *c = (bcol){.kind = kind, .metric = metric};
    snprintf(c->head, sizeof c->head, "%s", head);
}

static void add_metric_col(brief *s, long m, const char *head)
{
    if (m < 0 || has_metric_col(s, m))
        return;
    const dcs_field_info *f = field_of(s, m);
    add_col(s, COL_METRIC, m, head ? head : f ? f->title : s->res->model.metrics[m].name);
}

/* The place column: the text metric grouping the distinct options. */
static long place_metric(const dcs_result *res)
{
    for (size_t k = 0; res->distinct_col >= 0 && k < res->model.nmetrics; k++)
        if (res->model.metrics[k].kind == DCS_TEXT &&
            res->model.metrics[k].col == (size_t)res->distinct_col)
            return (long)k;
    return -1;
}

static void choose_columns(brief *s)
{
    static const struct {
        const char *metric, *head;
    } fixed[] = {
        {"interconnect_cost_musd", "Connection cost (M$)"},
        {"substation_km", "To substation (km)"},
        {"substation_headroom_mw", "Headroom (MW)"},
        {"cost_usd_per_mwh_it", "Energy cost ($/MWh IT)"},
        {"water_m3_yr", "Water (m3 a year)"},
    };
    const dcs_model *mod = &s->res->model;
    add_col(s, COL_RANK, -1, "Rank");
    add_col(s, COL_SITE, -1, "Site");
    if (s->place >= 0) {
        const dcs_field_info *f = field_of(s, s->place);
        add_col(s, COL_PLACE, s->place, f ? f->title : mod->metrics[s->place].name);
    }
    add_col(s, COL_SCORE, -1, "Score (0-1)");
    size_t first = s->ncols;
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
        add_metric_col(s, dcs_model_find_metric(mod, fixed[k].metric), fixed[k].head);
    for (size_t c = 0; c < mod->ncrits; c++)
        add_metric_col(s, (long)mod->crits[c].metric, NULL);
    while (s->ncols - first > MAX_QUANTITIES) {
        s->ncols--;
        s->dropped++;
    }
}

/* The text a cell of column c shows for site i (for its width). */
static void cell_text(const brief *s, const bcol *c, size_t i, char *out, size_t size)
{
    switch (c->kind) {
    case COL_RANK:
        snprintf(out, size, "%zu", s->res->eval.rank[i]);
        break;
    case COL_SITE:
        snprintf(out, size, "%s", s->res->sites.id[i]);
        break;
    case COL_SCORE:
        dcs_book_format(out, size, s->res->eval.score[i], "0.000");
        break;
    case COL_PLACE:
    case COL_METRIC: {
        const dcs_metric *m = &s->res->model.metrics[c->metric];
        if (m->kind == DCS_TEXT) {
            const char *t = dcs_site_text(&s->res->sites, i)[m->col];
            snprintf(out, size, "%s", t ? t : "n/a");
        } else {
            dcs_book_format(out, size, dcs_site_num(&s->res->sites, i)[m->col], c->code);
        }
        break;
    }
    }
}

static double column_need_pt(const brief *s, const bcol *c)
{
    double need = dcs_book_word_pt(c->head, SMALL_PT, 1);
    double three = dcs_book_text_pt(c->head, SMALL_PT, 1) / 3;
    if (three > need)
        need = three;
    for (size_t k = 0; k < s->nopt; k++) {
        char t[256];
        cell_text(s, c, s->opt[k], t, sizeof t);
        double w = dcs_book_text_pt(t, FONT_PT, c->kind == COL_SCORE);
        if (w > need)
            need = w;
    }
    return need + 2;
}

static void column_formats(brief *s)
{
    for (size_t k = 0; k < s->ncols; k++) {
        bcol *c = &s->col[k];
        if (c->kind == COL_METRIC &&
            s->res->model.metrics[c->metric].kind == DCS_NUM)
            c->code = dcs_book_metric_code(s->res, &s->res->model.metrics[c->metric],
                                           s->res->eval.neligible);
        c->fmt = fmt(s, FONT_PT, 0, 0, 0);
        if (c->code)
            format_set_num_format(c->fmt, c->code);
    }
}

/* Width in points of the largest count of sites failing a rule. */
static double count_width(const brief *s)
{
    size_t most = 0;
    for (size_t k = 0; k < s->res->model.nrules; k++)
        most = s->res->eval.rule_fails[k] > most ? s->res->eval.rule_fails[k] : most;
    char n[40];
    dcs_book_format(n, sizeof n, (double)most, "#,##0");
    return dcs_book_text_pt(n, SMALL_PT, 0) + 6;
}

/* The first column from `from` whose left edge is nearest to x points
 * (at most the column count). */
static size_t first_beyond(const brief *s, size_t from, double x)
{
    size_t c = from < s->ncols ? from : s->ncols;
    while (c < s->ncols && cols_pt(s, 0, c - 1) + dcs_book_col_pt(s->col[c].width) / 2 < x)
        c++;
    return c;
}

/* Widths that fit the page: quantity columns dropped from the end while
 * too wide, then the slack shared out. */
static void size_columns(brief *s)
{
    for (size_t k = 0; k < s->ncols; k++) {
        bcol *c = &s->col[k];
        c->width = dcs_book_chars_for(column_need_pt(s, c));
        while (dcs_book_lines(c->head, dcs_book_col_pt(c->width), SMALL_PT, 1) > 3)
            c->width += 0.5; /* headers of three lines at most */
    }
    /* the first column also holds the counts of the exclusions below */
    double count = dcs_book_chars_for(count_width(s));
    s->col[0].width = s->col[0].width < count ? count : s->col[0].width;
    while (s->ncols > 4 && cols_pt(s, 0, s->ncols - 1) > PAGE_W_PT) {
        s->ncols--;
        s->dropped++;
    }
    double total = cols_pt(s, 0, s->ncols - 1), chars = 0;
    for (size_t k = 0; k < s->ncols; k++)
        chars += s->col[k].width;
    double extra = (PAGE_W_PT - total) / 7.0;
    for (size_t k = 0; extra > 0 && k < s->ncols; k++)
        s->col[k].width += extra * s->col[k].width / chars;
    for (size_t k = 0; k < s->ncols; k++)
        worksheet_set_column(s->ws, (lxw_col_t)k, (lxw_col_t)k, s->col[k].width, NULL);
}

/* ------------------------------------------------------------------ */
/* the question                                                        */
/* ------------------------------------------------------------------ */

static void write_question(brief *s)
{
    const dcs_result *res = s->res;
    const dcs_scenario *scn = res->scn;
    size_t last = s->ncols - 1;
    char text[1024];
    snprintf(text, sizeof text, "Siting brief: %s", scn->name);
    row(s, dcs_book_row_pt(1, TITLE_PT));
    span(s, 0, last, dcs_utf8_trim(text), s->f.title);
    s->r++;
    if (scn->description && *scn->description)
        paragraph(s, 0, last, scn->description, s->f.italic, FONT_PT, 0);
    char land[64] = "";
    if (scn->land_ha > 0)
        snprintf(land, sizeof land, " and %.4g ha of land", scn->land_ha);
    char n[3][40];
    dcs_book_format(n[0], sizeof n[0], (double)res->sites.n, "#,##0");
    dcs_book_format(n[1], sizeof n[1], (double)res->eval.neligible, "#,##0");
    dcs_book_format(n[2], sizeof n[2], (double)(res->sites.n - res->eval.neligible), "#,##0");
    snprintf(text, sizeof text,
             "The question: where to build a data center of %.4g MW IT load, drawing %.1f MW at "
             "peak (design PUE %.2f)%s? Of %s candidate sites, %s are eligible and %s are "
             "excluded by the rules.",
             scn->it_load_mw, res->peak_mw, scn->design_pue, land, n[0], n[1], n[2]);
    paragraph(s, 0, last, text, s->f.text, FONT_PT, 0);
}

/* ------------------------------------------------------------------ */
/* the answer                                                          */
/* ------------------------------------------------------------------ */

static const char *place_of(const brief *s, size_t i)
{
    if (s->place < 0)
        return NULL;
    const dcs_metric *m = &s->res->model.metrics[s->place];
    return dcs_site_text(&s->res->sites, i)[m->col];
}

/* How many of the plain top N share the most common place, which place,
 * and their ranks. */
static size_t crowded_place(const brief *s, size_t n, const char **which, dcs_text *ranks)
{
    size_t best = 0;
    for (size_t a = 0; a < n; a++) {
        const char *p = place_of(s, s->res->eval.order[a]);
        size_t k = 0;
        for (size_t b = 0; p && b < n; b++) {
            const char *q = place_of(s, s->res->eval.order[b]);
            k += q && strcmp(p, q) == 0;
        }
        if (k > best) {
            best = k;
            *which = p;
        }
    }
    for (size_t a = 0; best > 1 && a < n; a++) {
        const char *q = place_of(s, s->res->eval.order[a]);
        if (q && strcmp(q, *which) == 0)
            dcs_text_add(ranks, "%s%zu", ranks->len ? ", " : "", a + 1);
    }
    return best;
}

static void answer_title(brief *s)
{
    const dcs_result *res = s->res;
    size_t top = res->scn->outputs.top_n < res->eval.neligible ? res->scn->outputs.top_n
                                                                : res->eval.neligible;
    dcs_text t = {0};
    char place[160] = "";
    if (s->place >= 0)
        plain_title(s, s->place, place, sizeof place);
    if (s->nopt == 0) {
        dcs_text_add(&t, "The answer: no site is eligible.");
    } else if (s->place >= 0 || res->scn->outputs.distinct_km > 0) {
        dcs_text_add(&t, "The answer: the %zu best distinct options, the best site ", s->nopt);
        if (s->place >= 0)
            dcs_text_add(&t, "of each %s", place);
        if (res->scn->outputs.distinct_km > 0)
            dcs_text_add(&t, "%s at least %.4g km from a better one", s->place >= 0 ? "," : "",
                         res->scn->outputs.distinct_km);
        dcs_text_add(&t, ", in rank order.");
    } else {
        dcs_text_add(&t, "The answer: the top %zu sites by score.", s->nopt);
    }
    const char *which = NULL;
    dcs_text ranks = {0};
    size_t crowd = crowded_place(s, top, &which, &ranks);
    if (crowd > 1)
        dcs_text_add(&t, " By score alone, %zu of the top %zu sites share %s %s (ranks %s).",
                     crowd, top, place, which, dcs_text_str(&ranks));
    if (s->dropped)
        dcs_text_add(&t, " %zu more criteria's metrics are on the Ranking sheet.", s->dropped);
    dcs_text_free(&ranks);
    paragraph(s, 0, s->ncols - 1, dcs_text_str(&t), s->f.section, SECTION_PT, 1);
    dcs_text_free(&t);
}

static void answer_header(brief *s)
{
    unsigned lines = 1;
    for (size_t c = 0; c < s->ncols; c++) {
        unsigned l = dcs_book_lines(s->col[c].head, dcs_book_col_pt(s->col[c].width), SMALL_PT,
                                    1);
        if (l > lines)
            lines = l;
    }
    row(s, dcs_book_row_pt(lines, SMALL_PT));
    for (size_t c = 0; c < s->ncols; c++)
        dcs_put_str(s->ws, s->r, (lxw_col_t)c, s->col[c].head, s->f.head);
    s->r++;
}

static void option_cell(brief *s, const bcol *c, lxw_col_t col, size_t i)
{
    lxw_worksheet *ws = s->ws;
    switch (c->kind) {
    case COL_RANK:
        worksheet_write_number(ws, s->r, col, (double)s->res->eval.rank[i], s->f.rank);
        return;
    case COL_SITE:
        dcs_put_str(ws, s->r, col, s->res->sites.id[i], c->fmt);
        return;
    case COL_SCORE:
        dcs_put_num(ws, s->r, col, s->res->eval.score[i], s->f.score);
        return;
    case COL_PLACE:
    case COL_METRIC:
        break;
    }
    const dcs_metric *m = &s->res->model.metrics[c->metric];
    if (m->kind == DCS_TEXT) {
        const char *t = dcs_site_text(&s->res->sites, i)[m->col];
        dcs_put_str(ws, s->r, col, t ? t : "n/a", t ? c->fmt : s->f.na);
        return;
    }
    double v = dcs_site_num(&s->res->sites, i)[m->col];
    if (isfinite(v))
        worksheet_write_number(ws, s->r, col, v, c->fmt);
    else
        dcs_put_str(ws, s->r, col, "n/a", s->f.na);
}

/* "nearly failed": dcs_report_nearly() (report_common.h) */
static void nearly_text(const brief *s, size_t i, dcs_text *t)
{
    const dcs_model *mod = &s->res->model;
    size_t n = 0;
    for (size_t k = 0; k < mod->nrules; k++) {
        const dcs_rule *rule = &mod->rules[k];
        if (rule->context >= 0 || mod->metrics[rule->metric].kind != DCS_NUM)
            continue;
        const dcs_metric *m = &mod->metrics[rule->metric];
        double v = dcs_site_num(&s->res->sites, i)[m->col];
        if (!dcs_report_nearly(rule, v))
            continue;
        const char *code = dcs_book_metric_code(s->res, m, s->res->eval.neligible);
        char val[64], lim[64], label[128];
        dcs_book_format(val, sizeof val, v, code);
        snprintf(lim, sizeof lim, "%.6g", rule->limit);
        dcs_rule_label(rule, label, sizeof label);
        dcs_text_add(t, "%s %s %s%s%s (%s %s)", n++ ? "; and" : ". Nearly fails", label,
                     val, *m->unit ? " " : "", m->unit, rule->op == DCS_OP_MAX ? "max" : "min",
                     lim);
    }
}

/* "Why: low connection cost (15.7 M$), ..." from the largest
 * contributions, then any rule the site nearly failed. */
static void reason_text(const brief *s, size_t i, dcs_text *t)
{
    const dcs_model *mod = &s->res->model;
    int used[MAX_COLS * 8] = {0};
    size_t nc = mod->ncrits < MAX_COLS * 8 ? mod->ncrits : MAX_COLS * 8, shown = 0;
    dcs_text_add(t, "Why: ");
    for (size_t pick = 0; pick < TOP_REASONS; pick++) {
        long best = -1;
        for (size_t c = 0; c < nc; c++) {
            double v = dcs_report_value(s->res, i, c);
            if (used[c] || isnan(v) || v <= 0)
                continue;
            if (best < 0 || dcs_report_contribution(s->res, i, c) >
                                dcs_report_contribution(s->res, i, (size_t)best))
                best = (long)c;
        }
        if (best < 0)
            break;
        used[best] = 1;
        long m = (long)mod->crits[best].metric;
        const dcs_field_info *f = field_of(s, m);
        bcol c = {.kind = COL_METRIC, .metric = m,
                  .code = dcs_book_metric_code(s->res, &mod->metrics[m], s->res->eval.neligible)};
        char title[160], val[128];
        plain_title(s, m, title, sizeof title);
        metric_text(s, &c, i, val, sizeof val);
        const char *adj = !f ? "" : f->better == DCS_BETTER_LOWER ? "low "
                              : f->better == DCS_BETTER_HIGHER ? "high " : "";
        dcs_text_add(t, "%s%s%s (%s)", shown++ ? ", " : "", adj, title, val);
    }
    if (shown == 0)
        dcs_text_add(t, "no criterion scores it above 0");
    nearly_text(s, i, t);
    dcs_text_add(t, ".");
    char community[512];
    dcs_community_site_text(s->res, i, community, sizeof community);
    if (*community)
        dcs_text_add(t, " %s", community);
}

static void write_option(brief *s, size_t i)
{
    row(s, dcs_book_row_pt(1, FONT_PT));
    for (size_t c = 0; c < s->ncols; c++)
        option_cell(s, &s->col[c], (lxw_col_t)c, i);
    s->r++;
    dcs_text t = {0};
    reason_text(s, i, &t);
    size_t c0 = s->ncols > 2 ? 1 : 0;
    paragraph(s, c0, s->ncols - 1, dcs_text_str(&t), s->f.reason, SMALL_PT, 0);
    dcs_text_free(&t);
}

static void write_answer(brief *s)
{
    answer_title(s);
    if (s->nopt == 0) {
        paragraph(s, 0, s->ncols - 1, "No site is eligible: every candidate fails at least one "
                  "rule (see the exclusions below and the Excluded sheet).", s->f.text, FONT_PT,
                  0);
        return;
    }
    answer_header(s);
    for (size_t k = 0; k < s->nopt; k++)
        write_option(s, s->opt[k]);
}

/* ------------------------------------------------------------------ */
/* exclusions and caveats                                              */
/* ------------------------------------------------------------------ */

int dcs_brief_rule_unmeasured(const dcs_result *res, size_t k, char *why, size_t size)
{
    const dcs_rule *rule = &res->model.rules[k];
    if (rule->context >= 0 || res->sites.n == 0 || rule->op == DCS_OP_EMPTY)
        return 0; /* ordinances: an empty text is a pass, not a gap */
    const dcs_metric *m = &res->model.metrics[rule->metric];
    if (m->context >= 0 && res->outside && (size_t)m->context < res->ncontexts) {
        size_t nc = res->ncontexts, covered = 0;
        for (size_t i = 0; i < res->sites.n && !covered; i++)
            covered = !res->outside[i * nc + (size_t)m->context];
        if (!covered) {
            snprintf(why, size, "%s covers no site", res->scn->contexts[m->context].name);
            return 1;
        }
    }
    for (size_t i = 0; i < res->sites.n; i++) {
        if (m->kind == DCS_NUM ? !isnan(dcs_site_num(&res->sites, i)[m->col])
                               : dcs_site_text(&res->sites, i)[m->col] != NULL)
            return 0;
    }
    snprintf(why, size, "%s was measured at no site", m->name);
    return 1;
}

/* The rules in the order shown: those applied by sites failing them, most
 * first, then those not applied; returns how many were applied. */
static size_t rule_order(const brief *s, size_t *order)
{
    const dcs_model *mod = &s->res->model;
    size_t n = 0, applied;
    char why[200];
    for (size_t k = 0; k < mod->nrules; k++)
        if (!dcs_brief_rule_unmeasured(s->res, k, why, sizeof why))
            order[n++] = k;
    applied = n;
    for (size_t a = 1; a < applied; a++) /* insertion sort: stable, most failing first */
        for (size_t b = a; b > 0 && s->res->eval.rule_fails[order[b]] >
                                        s->res->eval.rule_fails[order[b - 1]]; b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (size_t k = 0; k < mod->nrules; k++)
        if (dcs_brief_rule_unmeasured(s->res, k, why, sizeof why))
            order[n++] = k;
    return applied;
}

/* The bottom of the page: a row for each rule (the sites failing it, its
 * name) beside a row for each caveat. */
typedef struct {
    size_t *order, applied, nrows;
    size_t name_col;     /* the rules' names from here to cav_col; counts before */
    const char **caveat; /* nrows, NULL where none */
    char map_problem[400];
} bottom;

static void unapplied_text(const brief *s, size_t k, char *out, size_t size)
{
    char label[128], why[200];
    dcs_rule_label(&s->res->model.rules[k], label, sizeof label);
    dcs_brief_rule_unmeasured(s->res, k, why, sizeof why);
    snprintf(out, size, "%s \xE2\x80\x94 not applied: %s", label, why);
}

/* Row r's text in the rules' columns and the columns it spans: a rule's
 * name (from name_col), or a rule not applied (from 0, over the caveats'
 * columns too where the row has no caveat). */
static void rule_cell(const brief *s, const bottom *bt, size_t r, char *text, size_t size,
                      size_t *c0, size_t *c1)
{
    const dcs_model *mod = &s->res->model;
    *text = '\0';
    if (r >= mod->nrules)
        return;
    if (r < bt->applied) {
        dcs_rule_label(&mod->rules[bt->order[r]], text, size);
        if (mod->rules[bt->order[r]].op == DCS_OP_EMPTY) { /* ordinances: which rules */
            char why[320];
            dcs_community_rule_summary(s->res, why, sizeof why);
            if (*why)
                snprintf(text + strlen(text), size - strlen(text), ": %s", why);
        }
        *c0 = bt->name_col;
        *c1 = s->cav_col - 1;
        return;
    }
    unapplied_text(s, bt->order[r], text, size);
    *c0 = 0;
    *c1 = bt->caveat[r] ? s->cav_col - 1 : s->map_col - 1;
}

static unsigned bottom_lines(const brief *s, const bottom *bt, size_t r)
{
    unsigned lines = 1, l;
    char text[400];
    size_t c0 = 0, c1 = 0;
    rule_cell(s, bt, r, text, sizeof text, &c0, &c1);
    if (*text) {
        l = dcs_book_lines(text, cols_pt(s, c0, c1), SMALL_PT, 0);
        lines = l > lines ? l : lines;
    }
    if (bt->caveat[r]) {
        l = dcs_book_lines(bt->caveat[r], cols_pt(s, s->cav_col, s->map_col - 1), SMALL_PT, 0);
        lines = l > lines ? l : lines;
    }
    return lines;
}

static void write_bottom_row(brief *s, const bottom *bt, size_t r)
{
    char text[400];
    size_t c0 = 0, c1 = 0;
    row(s, dcs_book_row_pt(bottom_lines(s, bt, r), SMALL_PT));
    rule_cell(s, bt, r, text, sizeof text, &c0, &c1);
    if (*text && r < bt->applied) {
        size_t k = bt->order[r];
        if (bt->name_col > 1)
            worksheet_merge_range(s->ws, s->r, 0, s->r, (lxw_col_t)(bt->name_col - 1), "",
                                  s->f.small_num);
        worksheet_write_number(s->ws, s->r, 0, (double)s->res->eval.rule_fails[k],
                               s->f.small_num);
        span(s, c0, c1, text, s->f.small);
    } else if (*text) {
        span(s, c0, c1, text, s->f.small_note);
    }
    if (bt->caveat[r])
        span(s, s->cav_col, s->map_col - 1, bt->caveat[r], s->f.caveat);
    s->r++;
}

/* Width in points of the widest rule name. */
static double names_width(const brief *s)
{
    double most = 0;
    for (size_t k = 0; k < s->res->model.nrules; k++) {
        char label[128];
        dcs_rule_label(&s->res->model.rules[k], label, sizeof label);
        double w = dcs_book_text_pt(label, SMALL_PT, 0);
        most = w > most ? w : most;
    }
    return most + 6 + 9; /* the indent */
}

/* The columns of the bottom: counts in the first columns that hold the
 * largest, the names in those after that hold the widest (within
 * RULES_SHARE of the page), the caveats, then the map (MAP_SHARE). */
static void bottom_layout(brief *s, bottom *bt)
{
    size_t k = 1, cav, map;
    while (k + 3 < s->ncols && cols_pt(s, 0, k - 1) < count_width(s))
        k++;
    double names = fmin(names_width(s), PAGE_W_PT * RULES_SHARE);
    cav = k + 1;
    while (cav + 2 < s->ncols && cols_pt(s, k, cav - 1) < names)
        cav++;
    map = first_beyond(s, cav + 1, PAGE_W_PT * (1 - MAP_SHARE));
    bt->name_col = k;
    s->cav_col = cav;
    s->map_col = map > s->ncols ? s->ncols : map;
    bt->applied = rule_order(s, bt->order);
}

/* ------------------------------------------------------------------ */
/* the map                                                             */
/* ------------------------------------------------------------------ */

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 |
           p[3];
}

/* A PNG's size in pixels as a spreadsheet shows them (96 per inch, after
 * the pHYs chunk's resolution when it has one); 0 when not a PNG. */
static int png_size(const unsigned char *buf, size_t len, double *w, double *h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (len < 33 || memcmp(buf, sig, 8) != 0 || memcmp(buf + 12, "IHDR", 4) != 0)
        return 0;
    *w = (double)be32(buf + 16);
    *h = (double)be32(buf + 20);
    for (size_t p = 8; p + 12 <= len;) {
        unsigned long n = be32(buf + p);
        if (memcmp(buf + p + 4, "IDAT", 4) == 0 || n > len - p - 12)
            break;
        if (memcmp(buf + p + 4, "pHYs", 4) == 0 && n == 9 && buf[p + 16] == 1) {
            double dx = be32(buf + p + 8) * 0.0254, dy = be32(buf + p + 12) * 0.0254;
            if (dx > 0 && dy > 0) {
                *w *= 96.0 / dx;
                *h *= 96.0 / dy;
            }
        }
        p += 12 + n;
    }
    return *w > 0 && *h > 0;
}

/* The map in the columns from map_col, from row first down height_pt
 * points; NULL, or what went wrong in problem. */
static const char *insert_map(brief *s, lxw_row_t first, double height_pt, char *problem,
                              size_t size)
{
    if (s->map_col >= s->ncols)
        return NULL;
    /* Excel pixels: a column is 7 per character plus 5; a point is 4/3 */
    double w_px = 0, h_px = height_pt * 4.0 / 3.0 - 4;
    for (size_t c = s->map_col; c < s->ncols; c++)
        w_px += 7.0 * s->col[c].width + 5.0;
    w_px -= 8;
    if (h_px > w_px) /* no taller than wide: the map's legend and credits sit at its sides */
        h_px = w_px;
    if (w_px < 60 || h_px < 45)
        return NULL;
    char title[128];
    snprintf(title, sizeof title, "Sites by score class; the top %zu numbered",
             s->res->scn->outputs.top_n);
    dcs_map_options mo = {.width_px = (int)(2 * w_px), .height_px = (int)(2 * h_px),
                          .title = title};
    unsigned char *buf = NULL;
    size_t len = 0;
    dcs_error e;
    dcs_error_clear(&e);
    if (dcs_map_png_buffer(s->res, &mo, &buf, &len, &e) != DCS_OK) {
        snprintf(problem, size, "%s", e.message);
        return problem;
    }
    double pw, ph;
    if (png_size(buf, len, &pw, &ph)) {
        double k = fmin(w_px / pw, h_px / ph);
        lxw_image_options io = {.x_offset = 6, .y_offset = 2, .x_scale = k, .y_scale = k,
                                .description = title};
        if (worksheet_insert_image_buffer_opt(s->ws, first, (lxw_col_t)s->map_col, buf, len,
                                              &io) != LXW_NO_ERROR)
            snprintf(problem, size, "the workbook refused the picture");
    } else {
        snprintf(problem, size, "the picture is not a PNG");
    }
    free(buf);
    return *problem ? problem : NULL;
}

/* ------------------------------------------------------------------ */
/* the sheet                                                           */
/* ------------------------------------------------------------------ */

/* The caveats, one a row: every warning's plain sentence, then the map's
 * problem if any ("\xE2\x80\xA2" is a bullet). */
static int caveat_texts(const brief *s, bottom *bt, dcs_text *texts, size_t n)
{
    const dcs_warnings *w = &s->res->warnings;
    size_t k = 0, notes = 0;
    for (size_t i = 0; i < w->count && k < n; i++) {
        if (w->items[i].note) { /* handled by the run: counted below, not a caveat */
            notes++;
            continue;
        }
        dcs_text_add(&texts[k++], "\xE2\x80\xA2 %s", dcs_warning_text(&w->items[i]));
    }
    if (k == 0 && !bt->map_problem[0] && n > 0)
        dcs_text_add(&texts[k++], "None: the run raised no warnings%s.",
                     notes ? " (notes on the weather files: see the JSON summary)" : "");
    if (bt->map_problem[0] && k < n)
        dcs_text_add(&texts[k++], "\xE2\x80\xA2 The map could not be drawn: %s", bt->map_problem);
    for (size_t j = 0; j < k; j++)
        bt->caveat[j] = dcs_text_str(&texts[j]);
    return (int)k;
}

/* Exclusions and caveats at the left, the map at the right from their
 * titles to the foot of the page. */
static dcs_status write_bottom(brief *s, dcs_error *err)
{
    const dcs_model *mod = &s->res->model;
    size_t nwarn = s->res->warnings.count + 2;
    bottom bt = {.order = calloc(mod->nrules + 1, sizeof *bt.order)};
    dcs_text *texts = calloc(nwarn, sizeof *texts);
    if (!bt.order || !texts) {
        free(bt.order);
        free(texts);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory writing the workbook's Summary");
    }
    bottom_layout(s, &bt);
    lxw_row_t first = s->r;
    insert_map(s, first, PAGE_H_PT - s->height, bt.map_problem, sizeof bt.map_problem);
    size_t ncav = 0;
    bt.nrows = mod->nrules;
    const char **cav = calloc(nwarn + mod->nrules, sizeof *cav);
    bt.caveat = cav;
    if (cav)
        ncav = (size_t)caveat_texts(s, &bt, texts, nwarn);
    if (ncav > bt.nrows)
        bt.nrows = ncav;
    if (cav) {
        double pt = SECTION_PT;
        unsigned a = dcs_book_lines(RULES_TITLE, cols_pt(s, 0, s->cav_col - 1), pt, 1);
        unsigned b = dcs_book_lines(CAVEATS_TITLE, cols_pt(s, s->cav_col, s->map_col - 1), pt, 1);
        row(s, dcs_book_row_pt(a > b ? a : b, pt));
        span(s, 0, s->cav_col - 1, RULES_TITLE, s->f.section);
        span(s, s->cav_col, s->map_col - 1, CAVEATS_TITLE, s->f.section);
        s->r++;
        for (size_t r = 0; r < bt.nrows; r++)
            write_bottom_row(s, &bt, r);
    }
    for (size_t k = 0; k < nwarn; k++)
        dcs_text_free(&texts[k]);
    free(texts);
    free(cav);
    free(bt.order);
    if (!cav)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory writing the workbook's Summary");
    if (s->height < PAGE_H_PT - 1) { /* rows under the map, for the print area */
        row(s, PAGE_H_PT - 1 - s->height);
        s->r++;
    }
    return DCS_OK;
}

dcs_status dcs_report_brief(dcs_book *b, const dcs_result *res, const dcs_field_info *fields,
                            size_t nfields, dcs_error *err)
{
    brief s = {.b = b, .res = res, .fields = fields, .nfields = nfields, .place = -1};
    s.ws = workbook_add_worksheet(b->wb, "Summary");
    if (!s.ws)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory writing the workbook's Summary");
    s.place = place_metric(res);
    s.opt = res->ndistinct ? res->distinct : res->eval.order;
    s.nopt = res->ndistinct ? res->ndistinct : res->eval.neligible;
    if (s.nopt > res->scn->outputs.top_n)
        s.nopt = res->scn->outputs.top_n;
    make_formats(&s);
    choose_columns(&s);
    column_formats(&s);
    size_columns(&s);
    write_question(&s);
    write_answer(&s);
    row(&s, 6); /* a gap */
    s.r++;
    dcs_status st = write_bottom(&s, err);
    if (st != DCS_OK)
        return st;
    worksheet_print_area(s.ws, 0, 0, s.r ? s.r - 1 : 0, (lxw_col_t)(s.ncols - 1));
    worksheet_gridlines(s.ws, LXW_HIDE_ALL_GRIDLINES);
    worksheet_center_horizontally(s.ws);
    dcs_print_opts po = {.fit = DCS_FIT_PAGE, .narrow = 1};
    dcs_print_setup(s.ws, res, &po);
    worksheet_activate(s.ws);
    return DCS_OK;
}
