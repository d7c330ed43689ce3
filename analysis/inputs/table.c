/* table.c - joined tables. See table.h. */
#include "inputs/table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strlist.h"

typedef struct {
    char *key;
    size_t row; /* position in the layer: ties keep layer order */
} keyed_row;

static int compare_keys(const void *a, const void *b)
{
    const keyed_row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

static int grow(dcs_table *t, keyed_row **rows, size_t *cap)
{
    if (t->n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 256, nf = t->nfields ? t->nfields : 1;
    keyed_row *r = realloc(*rows, c * sizeof *r);
    if (r)
        *rows = r;
    double *num = realloc(t->num, c * nf * sizeof *num);
    if (num)
        t->num = num;
    char **text = realloc(t->text, c * nf * sizeof *text);
    if (text)
        t->text = text;
    if (!r || !num || !text)
        return -1;
    *cap = c;
    return 0;
}

static void read_row(dcs_layer *L, dcs_table *t, OGRFeatureH f, const int *fields,
                     const int *text_kinds)
{
    for (size_t k = 0; k < t->nfields; k++) {
        t->num[t->n * t->nfields + k] = text_kinds[k] ? NAN : dcs_field_double(f, fields[k]);
        t->text[t->n * t->nfields + k] =
            text_kinds[k] && OGR_F_IsFieldSetAndNotNull(f, fields[k])
                ? dcs_layer_text(L, f, fields[k])
                : NULL;
    }
}

/* Put the value rows in key order and drop repeated keys. */
static int sort_rows(dcs_table *t, keyed_row *rows)
{
    qsort(rows, t->n, sizeof *rows, compare_keys);
    size_t nf = t->nfields, m = 0;
    double *num = malloc((t->n ? t->n : 1) * (nf ? nf : 1) * sizeof *num);
    char **text = calloc((t->n ? t->n : 1) * (nf ? nf : 1), sizeof *text);
    t->key = calloc(t->n ? t->n : 1, sizeof *t->key);
    if (!num || !text || !t->key) {
        free(num);
        free(text);
        return -1;
    }
    for (size_t i = 0; i < t->n; i++) {
        char **old = t->text + rows[i].row * nf;
        if (m > 0 && strcmp(t->key[m - 1], rows[i].key) == 0) {
            t->nduplicates++;
            free(rows[i].key);
            for (size_t k = 0; k < nf; k++)
                free(old[k]);
            continue;
        }
        t->key[m] = rows[i].key;
        memcpy(num + m * nf, t->num + rows[i].row * nf, nf * sizeof *num);
        memcpy(text + m * nf, old, nf * sizeof *text);
        m++;
    }
    free(t->num);
    free(t->text);
    t->num = num;
    t->text = text;
    t->n = m;
    return 0;
}

dcs_status dcs_table_load(dcs_layer *L, int key_field, const int *fields, const int *text_kinds,
                          size_t nfields, dcs_table *t, dcs_error *err)
{
    memset(t, 0, sizeof *t);
    t->nfields = nfields;
    keyed_row *rows = NULL;
    size_t cap = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(L->lyr);
    while ((f = OGR_L_GetNextFeature(L->lyr))) {
        if (OGR_F_IsFieldSetAndNotNull(f, key_field)) {
            if (grow(t, &rows, &cap) != 0 ||
                !(rows[t->n].key = dcs_layer_text(L, f, key_field))) {
                OGR_F_Destroy(f);
                goto nomem;
            }
            rows[t->n].row = t->n;
            read_row(L, t, f, fields, text_kinds);
            t->n++;
        }
        OGR_F_Destroy(f);
    }
    if (sort_rows(t, rows) != 0)
        goto nomem;
    free(rows);
    return DCS_OK;
nomem:
    for (size_t i = 0; rows && i < t->n; i++)
        free(rows[i].key);
    free(rows);
    t->key = NULL; /* the keys were only in rows */
    dcs_table_free(t);
    return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory reading %s", L->role);
}

long dcs_table_find(const dcs_table *t, const char *key)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->key[mid], key);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

void dcs_table_free(dcs_table *t)
{
    for (size_t i = 0; t->key && i < t->n; i++)
        free(t->key[i]);
    for (size_t i = 0; t->text && i < t->n * t->nfields; i++)
        free(t->text[i]);
    free(t->key);
    free(t->num);
    free(t->text);
    memset(t, 0, sizeof *t);
}
