/* report_print.c - print setup of every sheet, and the Fields sheet.
 * See report_print.h. */
#include "report_print.h"

#include <stdio.h>
#include <string.h>

#include "core/version.h"

#define PAPER_LETTER 1
#define FIELDS_FONT_PT 9.0

/* ------------------------------------------------------------------ */
/* print setup                                                         */
/* ------------------------------------------------------------------ */

/* s with '&' doubled (a header/footer code otherwise), at most max bytes
 * of s, cut at a UTF-8 boundary. */
static void escape_amp(const char *s, size_t max, char *out, size_t size)
{
    size_t k = 0, n = dcs_utf8_whole(s, strlen(s) < max ? strlen(s) : max);
    for (size_t i = 0; i < n && k + 3 < size; i++) {
        if (s[i] == '&')
            out[k++] = '&';
        out[k++] = s[i];
    }
    out[k] = '\0';
}

static void header_footer(lxw_worksheet *ws, const dcs_result *res, double margin)
{
    char name[256], date[16], head[255], foot[255];
    escape_amp(res->scn->name, 100, name, sizeof name);
    snprintf(date, sizeof date, "%.10s", res->started_utc);
    /* &9: 9 pt; &A: the sheet's name; &P of &N: page n of N */
    snprintf(head, sizeof head, "&L&9&A: %s&R&9run of %s (UTC)", name, date);
    snprintf(foot, sizeof foot, "&L&9dcsite %s&R&9Page &P of &N", DCS_VERSION);
    lxw_header_footer_options opt = {.margin = margin};
    worksheet_set_header_opt(ws, head, &opt);
    worksheet_set_footer_opt(ws, foot, &opt);
}

void dcs_print_setup(lxw_worksheet *ws, const dcs_result *res, const dcs_print_opts *opt)
{
    worksheet_set_paper(ws, PAPER_LETTER);
    if (opt->portrait)
        worksheet_set_portrait(ws);
    else
        worksheet_set_landscape(ws);
    switch (opt->fit) {
    case DCS_FIT_PAGE:
        worksheet_fit_to_pages(ws, 1, 1);
        break;
    case DCS_FIT_WIDE:
        worksheet_fit_to_pages(ws, 1, 0);
        break;
    case DCS_FIT_NONE:
        worksheet_set_print_scale(ws, opt->scale ? opt->scale : 100);
        break;
    }
    if (opt->header_rows > 0)
        worksheet_repeat_rows(ws, 0, opt->header_rows - 1);
    if (opt->id_cols > 0)
        worksheet_repeat_columns(ws, 0, (lxw_col_t)(opt->id_cols - 1));
    if (opt->narrow)
        worksheet_set_margins(ws, 0.3, 0.3, 0.45, 0.45);
    else
        worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
    header_footer(ws, res, opt->narrow ? 0.18 : 0.25);
}

/* ------------------------------------------------------------------ */
/* the Fields sheet                                                    */
/* ------------------------------------------------------------------ */

enum { F_NAME, F_TITLE, F_UNIT, F_MEANING, F_BETTER, F_SOURCE, F_NCOLS };

/* Widths (characters) of the six columns: the name column as wide as the
 * longest name (within limits), the meaning column takes what is left of
 * a landscape page. */
static void fields_widths(const dcs_field_info *f, size_t n, double w[F_NCOLS])
{
    double name = 0;
    for (size_t k = 0; k < n; k++) {
        double x = dcs_book_text_pt(f[k].name, FIELDS_FONT_PT, 0);
        if (x > name)
            name = x;
    }
    w[F_NAME] = dcs_book_chars_for(name);
    if (w[F_NAME] < 10)
        w[F_NAME] = 10;
    if (w[F_NAME] > 22)
        w[F_NAME] = 22;
    w[F_TITLE] = 20;
    w[F_UNIT] = 7;
    w[F_BETTER] = 7;
    w[F_SOURCE] = 20;
    /* Letter landscape less 0.8 in of margins: 734 pt = 7 x chars + 5 per column */
    w[F_MEANING] = (734.0 - 5.0 * F_NCOLS) / 7.0 - w[F_NAME] - w[F_TITLE] - w[F_UNIT] -
                   w[F_BETTER] - w[F_SOURCE] - 1;
}

static double row_height(const char *const cells[F_NCOLS], const double w[F_NCOLS], int bold)
{
    unsigned lines = 1;
    for (int c = 0; c < F_NCOLS; c++) {
        unsigned l = dcs_book_lines(cells[c], dcs_book_col_pt(w[c]), FIELDS_FONT_PT, bold);
        if (l > lines)
            lines = l;
    }
    return dcs_book_row_pt(lines, FIELDS_FONT_PT);
}

static lxw_format *fields_format(dcs_book *b, int header)
{
    lxw_format *f = workbook_add_format(b->wb);
    format_set_font_size(f, FIELDS_FONT_PT);
    format_set_text_wrap(f);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (header) {
        format_set_bold(f);
        format_set_bottom(f, LXW_BORDER_THIN);
        format_set_bg_color(f, 0xDDEBF7);
    }
    return f;
}

void dcs_fields_sheet(dcs_book *b, const dcs_result *res, const dcs_field_info *fields, size_t n)
{
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "Fields");
    if (!ws)
        return;
    double w[F_NCOLS];
    fields_widths(fields, n, w);
    for (int c = 0; c < F_NCOLS; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w[c], NULL);
    lxw_format *hf = fields_format(b, 1), *cf = fields_format(b, 0);
    static const char *const hdr[F_NCOLS] = {"name", "title", "unit", "meaning",
                                             "higher is better", "source"};
    worksheet_set_row(ws, 0, row_height(hdr, w, 1), NULL);
    for (int c = 0; c < F_NCOLS; c++)
        dcs_put_str(ws, 0, (lxw_col_t)c, hdr[c], hf);
    for (size_t k = 0; k < n; k++) {
        const dcs_field_info *f = &fields[k];
        const char *cells[F_NCOLS] = {f->name, f->title, f->unit ? f->unit : "", f->meaning,
                                      dcs_better_name(f->better), f->source};
        lxw_row_t r = (lxw_row_t)(k + 1);
        worksheet_set_row(ws, r, row_height(cells, w, 0), NULL);
        for (int c = 0; c < F_NCOLS; c++)
            dcs_put_str(ws, r, (lxw_col_t)c, cells[c], cf);
    }
    worksheet_freeze_panes(ws, 1, 1);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, F_NCOLS - 1);
    dcs_print_opts po = {.fit = DCS_FIT_WIDE, .header_rows = 1};
    dcs_print_setup(ws, res, &po);
}
