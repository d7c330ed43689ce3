/* report_book.c - formats, cell writers, number formats and printed sizes
 * shared by the workbook's sheets. See report_book.h. */
#include "report_book.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs/dsn.h"

/* ------------------------------------------------------------------ */
/* formats and cells                                                   */
/* ------------------------------------------------------------------ */

void dcs_book_formats(dcs_book *b)
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
    b->wrap_header = workbook_add_format(b->wb);
    format_set_bold(b->wrap_header);
    format_set_bottom(b->wrap_header, LXW_BORDER_THIN);
    format_set_bg_color(b->wrap_header, 0xDDEBF7);
    format_set_text_wrap(b->wrap_header);
    format_set_align(b->wrap_header, LXW_ALIGN_VERTICAL_TOP);
    b->link = workbook_add_format(b->wb);
    format_set_font_color(b->link, LXW_COLOR_BLUE);
    format_set_underline(b->link, LXW_UNDERLINE_SINGLE);
    b->note = workbook_add_format(b->wb);
    format_set_italic(b->note);
    format_set_font_color(b->note, 0x595959);
    b->wrap = workbook_add_format(b->wb);
    format_set_text_wrap(b->wrap);
    format_set_align(b->wrap, LXW_ALIGN_VERTICAL_TOP);
    b->wrap_bold = workbook_add_format(b->wb);
    format_set_bold(b->wrap_bold);
    format_set_text_wrap(b->wrap_bold);
    format_set_align(b->wrap_bold, LXW_ALIGN_VERTICAL_TOP);
    b->wrap_note = workbook_add_format(b->wb);
    format_set_italic(b->wrap_note);
    format_set_font_color(b->wrap_note, 0x595959);
    format_set_text_wrap(b->wrap_note);
    format_set_align(b->wrap_note, LXW_ALIGN_VERTICAL_TOP);
}

lxw_format *dcs_book_numfmt(dcs_book *b, const char *code)
{
    if (!code)
        return NULL;
    for (size_t i = 0; i < b->nfmts; i++)
        if (strcmp(b->fmts[i].code, code) == 0)
            return b->fmts[i].f;
    lxw_format *f = workbook_add_format(b->wb);
    if (f)
        format_set_num_format(f, code);
    if (f && b->nfmts < DCS_BOOK_NFMT) {
        b->fmts[b->nfmts].code = code;
        b->fmts[b->nfmts++].f = f;
    }
    return f;
}

void dcs_put_num(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (isfinite(v))
        worksheet_write_number(ws, r, c, v, f);
}

size_t dcs_utf8_whole(const char *s, size_t n)
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

char *dcs_utf8_trim(char *buf)
{
    buf[dcs_utf8_whole(buf, strlen(buf))] = '\0';
    return buf;
}

static void put_str_plain(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                          lxw_format *f)
{
    if (!s)
        return;
    size_t n = strlen(s);
    size_t k = dcs_utf8_whole(s, n < DCS_EXCEL_MAX_STRING ? n : DCS_EXCEL_MAX_STRING);
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

void dcs_put_str(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f)
{
    if (!dcs_redact_needed(s)) {
        put_str_plain(ws, r, c, s, f);
        return;
    }
    char *hidden = dcs_redact(s);
    put_str_plain(ws, r, c, hidden, f); /* out of memory: the cell stays empty */
    free(hidden);
}

/* ------------------------------------------------------------------ */
/* growing strings                                                     */
/* ------------------------------------------------------------------ */

void dcs_text_add(dcs_text *t, const char *fmt, ...)
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

const char *dcs_text_str(const dcs_text *t)
{
    return t->s ? t->s : "";
}

void dcs_text_free(dcs_text *t)
{
    free(t->s);
    *t = (dcs_text){0};
}

/* ------------------------------------------------------------------ */
/* number formats                                                      */
/* ------------------------------------------------------------------ */

/* Largest absolute value of number column col over the first n eligible
 * sites in rank order; *whole: every finite value is a whole number. */
static double max_abs(const dcs_result *res, size_t col, size_t n, int *whole)
{
    double mx = 0;
    *whole = 1;
    for (size_t r = 0; r < n; r++) {
        double v = dcs_site_num(&res->sites, res->eval.order[r])[col];
        if (!isfinite(v))
            continue;
        if (fabs(v) > mx)
            mx = fabs(v);
        if (v != floor(v))
            *whole = 0;
    }
    return mx;
}

static const char *code_by_size(double mx, int whole)
{
    if (whole)
        return mx >= 1000 ? "#,##0" : "0";
    if (mx >= 1000)
        return "#,##0";
    if (mx >= 10)
        return "0.0";
    if (mx >= 1)
        return "0.00";
    return "0.0000";
}

const char *dcs_book_metric_code(const dcs_result *res, const dcs_metric *m, size_t nrows)
{
    static const struct {
        const char *unit, *code;
    } table[] = {
        {"km", "0.00"},     {"ha", "0.0"},      {"%", "0.0"},    {"$", "#,##0"},
        {"M$", "0.0"},      {"MW", "0.0"},      {"kV", "0"},     {"L/kWh", "0.00"},
        {"MWh", "#,##0"},   {"m3", "#,##0"},    {"h", "#,##0"},  {"t", "#,##0"},
        {"$/MWh", "0.00"},
    };
    if (m->kind != DCS_NUM)
        return NULL;
    const char *unit = m->unit ? m->unit : "";
    int whole;
    double mx = max_abs(res, m->col, nrows, &whole);
    if (strcmp(unit, "$") == 0 && mx < 100)
        return "#,##0.00"; /* small amounts (per accelerator-hour): cents matter */
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
        if (strcmp(unit, table[k].unit) == 0)
            return table[k].code;
    if (strncmp(m->name, "pue_", 4) == 0)
        return "0.000";
    return code_by_size(mx, whole);
}

/* "1234567" -> "1,234,567" (digits only, into out). */
static void group_thousands(const char *digits, char *out, size_t size)
{
    size_t n = strlen(digits), k = 0;
    for (size_t i = 0; i < n && k + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
}

void dcs_book_format(char *buf, size_t size, double v, const char *code)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "n/a");
        return;
    }
    if (!code) {
        snprintf(buf, size, "%.10g", v);
        return;
    }
    int pct = strchr(code, '%') != NULL, group = strchr(code, ',') != NULL, dec = 0;
    const char *dot = strchr(code, '.');
    for (const char *p = dot ? dot + 1 : ""; *p == '0'; p++)
        dec++;
    char raw[400], whole[400];
    snprintf(raw, sizeof raw, "%.*f", dec, pct ? v * 100 : v);
    const char *digits = raw[0] == '-' ? raw + 1 : raw;
    const char *frac = strchr(digits, '.');
    size_t nint = frac ? (size_t)(frac - digits) : strlen(digits);
    char intpart[400];
    snprintf(intpart, sizeof intpart, "%.*s", (int)nint, digits);
    if (group)
        group_thousands(intpart, whole, sizeof whole);
    else
        snprintf(whole, sizeof whole, "%s", intpart);
    snprintf(buf, size, "%s%s%s%s", raw[0] == '-' ? "-" : "", whole, frac ? frac : "",
             pct ? "%" : "");
}

/* ------------------------------------------------------------------ */
/* printed sizes                                                       */
/* ------------------------------------------------------------------ */

/* Advance widths of ASCII 32..126 in 1/1000 em, the larger of DejaVu Sans
 * (LibreOffice without Carlito, columns 7 pt a character) and Carlito, the
 * metric twin of Calibri, over 0.75 (Excel, columns 5.25 pt a character):
 * regular (and italic), then bold. */
static const unsigned short glyph_w[2][95] = {
    {318, 434, 535, 838, 676, 953, 910, 294, 404, 404, 664, 838, 333, 408, 337, 517,
     676, 676, 676, 676, 676, 676, 676, 676, 676, 676, 357, 357, 838, 838, 838, 618,
     1192, 771, 725, 711, 820, 651, 613, 841, 831, 336, 425, 693, 561, 1140, 861, 883,
     689, 897, 724, 635, 650, 855, 757, 1187, 692, 650, 685, 409, 515, 409, 838, 664,
     500, 686, 701, 564, 701, 663, 407, 686, 701, 306, 319, 606, 306, 1065, 701, 703,
     701, 701, 465, 521, 447, 701, 602, 953, 592, 604, 527, 636, 614, 636, 838},
    {348, 456, 585, 838, 696, 1002, 939, 311, 457, 457, 664, 838, 380, 415, 380, 573,
     696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 618,
     1198, 808, 762, 734, 840, 683, 683, 850, 841, 372, 441, 775, 637, 1165, 878, 902,
     733, 915, 770, 720, 682, 870, 788, 1208, 771, 724, 725, 457, 573, 457, 838, 664,
     500, 675, 716, 593, 716, 678, 435, 716, 715, 343, 343, 665, 343, 1085, 715, 717,
     716, 716, 493, 595, 478, 715, 652, 993, 645, 652, 582, 712, 633, 712, 838}};

#define CELL_PADDING_PT 5.0

static double glyph_pt(const unsigned char *p, size_t *adv, double font_pt, int bold)
{
    unsigned c = *p;
    *adv = 1;
    if (c >= 32 && c < 127)
        return glyph_w[bold != 0][c - 32] * font_pt / 1000.0;
    while ((p[*adv] & 0xC0) == 0x80) /* one UTF-8 character: a wide glyph */
        (*adv)++;
    return font_pt;
}

static double span_pt(const char *s, size_t n, double font_pt, int bold)
{
    double w = 0;
    size_t adv;
    for (size_t k = 0; k < n && s[k]; k += adv)
        w += glyph_pt((const unsigned char *)s + k, &adv, font_pt, bold);
    return w;
}

double dcs_book_text_pt(const char *s, double font_pt, int bold)
{
    return s ? span_pt(s, strlen(s), font_pt, bold) : 0;
}

double dcs_book_col_pt(double width_chars)
{
    return 7.0 * width_chars + 5.0;
}

double dcs_book_chars_for(double width_pt)
{
    double w = (width_pt + CELL_PADDING_PT - 5.0) / 7.0;
    return w < 1 ? 1 : w;
}

double dcs_book_word_pt(const char *s, double font_pt, int bold)
{
    double best = 0;
    while (s && *s) {
        size_t n = strcspn(s, " \n");
        double w = span_pt(s, n, font_pt, bold);
        if (w > best)
            best = w;
        s += n;
        s += *s != '\0';
    }
    return best;
}

/* Lines of one paragraph (no newline) wrapped greedily at spaces; a word
 * wider than the line is cut after its last '/' or '-' that fits (as
 * LibreOffice does with paths), else anywhere. */
static unsigned paragraph_lines(const char *s, size_t n, double avail, double font_pt, int bold)
{
    unsigned lines = 1;
    double x = 0, space = span_pt(" ", 1, font_pt, bold);
    size_t k = 0;
    while (k < n) {
        size_t w = 0;
        while (k + w < n && s[k + w] != ' ')
            w++;
        double ww = span_pt(s + k, w, font_pt, bold);
        if (x > 0 && x + space + ww > avail) {
            lines++;
            x = 0;
        }
        if (x > 0)
            x += space;
        const char *p = s + k;
        size_t left = w;
        while (ww > avail - x) { /* a word longer than the line: cut after / or - */
            size_t cut = 0;
            for (size_t j = 1; j < left; j++)
                if ((p[j - 1] == '/' || p[j - 1] == '-') && span_pt(p, j, font_pt, bold) <= avail - x)
                    cut = j;
            if (!cut) /* no such place: cut anywhere */
                for (cut = 1; cut < left && span_pt(p, cut + 1, font_pt, bold) <= avail - x;)
                    cut++;
            p += cut;
            left -= cut;
            ww = span_pt(p, left, font_pt, bold);
            lines++;
            x = 0;
        }
        x += ww;
        k += w + 1;
    }
    return lines;
}

unsigned dcs_book_lines(const char *s, double width_pt, double font_pt, int bold)
{
    double avail = width_pt - CELL_PADDING_PT;
    if (avail < font_pt)
        avail = font_pt;
    unsigned lines = 0;
    while (s) {
        size_t n = strcspn(s, "\n");
        lines += paragraph_lines(s, n, avail, font_pt, bold);
        s = s[n] ? s + n + 1 : NULL;
    }
    return lines ? lines : 1;
}

double dcs_book_row_pt(unsigned lines, double font_pt)
{
    return (lines ? lines : 1) * font_pt * 1.18 + 1.5;
}
