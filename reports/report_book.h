/*
 * report_book.h - what the workbook's sheets share while it is written
 * (libxlsxwriter 1.1.4): the workbook with its common formats and the
 * number formats made once per code; cell writers that keep the XML valid
 * (a string cut at a UTF-8 character boundary to Excel's 32,767
 * characters, passwords of connection strings hidden, NaN left empty); a
 * growing string; numbers as the workbook shows them (a number format
 * code for every numeric column, by unit or else by the size of its
 * values, and the same digits as text for sentences); and estimates of
 * printed sizes, so that wrapped text gets rows tall enough to show it.
 *
 * Printed sizes: spreadsheets store column widths in characters of the
 * default font (Calibri 11: 7 px a character plus 5 px of padding), and
 * row heights in points; neither Excel nor LibreOffice sizes a row to
 * wrapped text on opening, so every row holding wrapped text is given its
 * height here.  Text is measured with the larger advance width of two
 * cases: Excel with Calibri (measured with Carlito, its metric twin;
 * columns of 5.25 pt a character plus 3.75 pt), and LibreOffice where
 * Carlito is missing (Calibri drawn with DejaVu Sans, and columns 7 pt a
 * character plus 5 pt, as DejaVu's digits are wider).
 *
 * Ownership: the book holds the libxlsxwriter workbook, which owns every
 * format; a dcs_text owns its buffer (dcs_text_free()).  Number format
 * codes are kept by pointer: pass string literals.  One thread writes a
 * book.
 */
#ifndef DCS_REPORT_BOOK_H
#define DCS_REPORT_BOOK_H

#include <stddef.h>
#include <xlsxwriter.h>

#include "pipeline/result.h"

#define DCS_EXCEL_MAX_ROWS 1048576u
#define DCS_EXCEL_MAX_COLS 16384u
#define DCS_EXCEL_MAX_STRING 32767u
#define DCS_BOOK_NFMT 48

typedef struct {
    lxw_workbook *wb;
    int constant; /* constant-memory mode: every sheet written row by row */
    lxw_format *section, *bold, *header, *link, *note;
    lxw_format *wrap, *wrap_bold, *wrap_note, *wrap_header; /* wrapped, aligned top */
    struct {
        const char *code;
        lxw_format *f;
    } fmts[DCS_BOOK_NFMT];
    size_t nfmts;
} dcs_book;

/* The common formats: section title, bold, table header, link, note, and
 * wrapped versions (text, bold, note, table header) aligned top. */
void dcs_book_formats(dcs_book *b);

/* The number format with this code (a string literal), made once; NULL
 * code: NULL (General). */
lxw_format *dcs_book_numfmt(dcs_book *b, const char *code);

/* A number; NaN (missing) and infinities leave the cell empty. */
void dcs_put_num(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f);

/* A string (NULL leaves the cell empty) with any password in it hidden,
 * cut to Excel's 32,767 characters at a UTF-8 boundary. */
void dcs_put_str(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s, lxw_format *f);

/* Length of the first n bytes of s without a UTF-8 sequence cut short at
 * their end. */
size_t dcs_utf8_whole(const char *s, size_t n);

/* Drop a UTF-8 sequence cut short at the end of buf; returns buf. */
char *dcs_utf8_trim(char *buf);

/* A growing string; on allocation failure it keeps what it has. */
typedef struct {
    char *s;
    size_t len, cap;
} dcs_text;

void dcs_text_add(dcs_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *dcs_text_str(const dcs_text *t); /* "" when empty */
void dcs_text_free(dcs_text *t);

/* The number format code of metric m's column over the first nrows
 * eligible sites in rank order: by unit ("km" 0.00, "M$" 0.0, "$" #,##0
 * ...), else by the size of the values (#,##0 from 1,000; 0.0 from 10;
 * 0.00 from 1; 0.0000 below; 0 or #,##0 when every value is whole).
 * NULL for a text metric. */
const char *dcs_book_metric_code(const dcs_result *res, const dcs_metric *m, size_t nrows);

/* v as a cell with number format code shows it ("#,##0" 1,972,672;
 * "0.0" 15.7; "0.0%" 12.5%); "n/a" for NaN. */
void dcs_book_format(char *buf, size_t size, double v, const char *code);

/* Printed width of s in points at font_pt, regular (or italic) or bold
 * (see the header comment). */
double dcs_book_text_pt(const char *s, double font_pt, int bold);

/* Width in points of a column width_chars wide (as LibreOffice prints it:
 * the wider of the two). */
double dcs_book_col_pt(double width_chars);

/* The column width (characters) that holds text width_pt wide. */
double dcs_book_chars_for(double width_pt);

/* Lines s takes when wrapped at word boundaries in a cell width_pt wide. */
unsigned dcs_book_lines(const char *s, double width_pt, double font_pt, int bold);

/* Row height in points for n lines at font_pt. */
double dcs_book_row_pt(unsigned lines, double font_pt);

/* Width in points of the longest word of s at font_pt. */
double dcs_book_word_pt(const char *s, double font_pt, int bold);

#endif
