/*
 * report_print.h - how the workbook's sheets print, and its Fields sheet.
 *
 * Print setup (dcs_print_setup()): US Letter paper, the orientation and
 * scaling a sheet asks for (one page for the brief, one page wide for
 * lists, or a fixed scale for tables too wide to shrink legibly), the
 * header rows and id columns repeated on every page, margins, and a
 * header and footer with the scenario's name, the sheet's name, the run's
 * date and "Page n of N".  Letter rather than A4: the brief is laid out
 * within 10.4 x 7.6 in (Letter landscape less its margins), which also
 * fits A4 landscape's height when printed to fit.
 *
 * Fields sheet (dcs_fields_sheet()): one row per column of the Ranking
 * sheet and of the GIS layers, from dcs_report_fields(): name, title with
 * unit, unit, meaning, whether a higher value is better, and its source.
 *
 * Ownership: nothing to free; the strings given are copied by
 * libxlsxwriter.  One thread writes a book.
 */
#ifndef DCS_REPORT_PRINT_H
#define DCS_REPORT_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <xlsxwriter.h>

#include "core/error.h"
#include "pipeline/result.h"
#include "report_book.h"
#include "report_fields.h"

typedef enum {
    DCS_FIT_NONE,  /* print at `scale` percent, as many pages as it takes */
    DCS_FIT_WIDE,  /* one page wide, as many pages tall as it takes */
    DCS_FIT_PAGE   /* one page (the brief) */
} dcs_print_fit;

typedef struct {
    int portrait;          /* 0: landscape */
    dcs_print_fit fit;
    uint16_t scale;        /* percent, with DCS_FIT_NONE (0: 100) */
    lxw_row_t header_rows; /* rows repeated at the top of every page (0: none) */
    lxw_col_t id_cols;     /* columns repeated at the left of every page (0: none) */
    int narrow;            /* narrow margins (the brief) */
} dcs_print_opts;

/* Paper, orientation, scaling, repeated rows and columns, margins, header
 * and footer of ws. */
void dcs_print_setup(lxw_worksheet *ws, const dcs_result *res, const dcs_print_opts *opt);

/* The Fields sheet: every field of fields[0..n). */
void dcs_fields_sheet(dcs_book *b, const dcs_result *res, const dcs_field_info *fields, size_t n);

#endif
