/*
 * report_fields.h - what every column of the reports means: the fields of
 * the GIS layers (candidates and eligible_points), in their order, each
 * with a short title for people ("Interconnection cost (M$)"), its unit,
 * one sentence of meaning, whether a higher value is better, and where it
 * comes from (which layer, table or model).
 *
 * One list serves every report: the GeoPackage's field aliases and
 * descriptions (gpkg_data_columns), the workbook's Fields sheet and column
 * headers, and the JSON summary's units.  Direction ("higher is better")
 * is known for the score, rank, criterion values and contributions, and
 * for each metric a criterion scores (from its value function: linear
 * worst/best, or the first and last breakpoints); otherwise it is none.
 *
 * Ownership: dcs_report_fields() returns a new array (free with free());
 * the strings inside are its own fixed buffers or point into the result,
 * which must outlive the array.  Thread-safe on a finished result.
 */
#ifndef DCS_REPORT_FIELDS_H
#define DCS_REPORT_FIELDS_H

#include <stddef.h>

#include "pipeline/result.h"

typedef enum { DCS_BETTER_NONE, DCS_BETTER_HIGHER, DCS_BETTER_LOWER } dcs_better;
typedef enum { DCS_FIELD_REAL, DCS_FIELD_INTEGER, DCS_FIELD_TEXT } dcs_field_kind;

typedef struct {
    char name[112];     /* the column's name in the GIS layers and JSON */
    char title[160];    /* for people, with the unit: "Interconnection cost (M$)" */
    const char *unit;   /* "" when none */
    char meaning[320];  /* one sentence */
    dcs_better better;
    char source[200];   /* "substations: grid.gpkg [subs]", "computed by dcsite", ... */
    dcs_field_kind kind;
    long metric;        /* index into res->model.metrics, or -1 */
} dcs_field_info;

/* Every field of the candidates layer, in order; *n gets the count.
 * NULL when out of memory. */
dcs_field_info *dcs_report_fields(const dcs_result *res, size_t *n);

/* "higher", "lower" or "" */
const char *dcs_better_name(dcs_better b);

#endif
