/*
 * table.h - a table joined to the sites on a key (e.g. county FIPS).
 *
 * dcs_table_load() reads every row of a layer (a CSV, a GeoPackage table,
 * any OGR layer) into memory: the key as text and the mapped fields as
 * numbers or texts; rows are sorted by key for binary search.  When a key
 * appears more than once the first row wins and the repeats are counted.
 *
 * Ownership: the table owns its keys and values; dcs_table_free().
 */
#ifndef DCS_TABLE_H
#define DCS_TABLE_H

#include <stddef.h>

#include "core/error.h"
#include "inputs/layers.h"

typedef struct {
    size_t n, nfields;
    char **key;       /* n, sorted */
    double *num;      /* n * nfields; NaN for text fields and nulls */
    char **text;      /* n * nfields; NULL for number fields and nulls */
    size_t nduplicates;
} dcs_table;

/* text_kinds[i]: 1 when fields[i] is read as text. */
dcs_status dcs_table_load(dcs_layer *L, int key_field, const int *fields, const int *text_kinds,
                          size_t nfields, dcs_table *t, dcs_error *err);

/* Row of key, or -1. */
long dcs_table_find(const dcs_table *t, const char *key);

void dcs_table_free(dcs_table *t);

#endif
