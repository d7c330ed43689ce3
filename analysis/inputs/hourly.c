/* hourly.c - hourly grid signals and clean supply. See hourly.h. */
#include "inputs/hourly.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs/layers.h"

/* One table being read: which columns, what was found. */
typedef struct {
    const char *file;
    const char *what;   /* "region" or "supply" (the supply has no key column) */
    int key_fld;        /* -1: one profile */
    int hour_fld;
    int fld[DCS_SIG_COUNT]; /* -1: not read */
    const char *fld_name[DCS_SIG_COUNT];
    int share;          /* the slot that must lie in 0-1 (-1: none) */
    int nonneg;         /* the slot that must be >= 0 (-1: none) */
    dcs_strlist *problems;
    size_t nproblems;
    int nomem;
    dcs_hourly *out;
    unsigned char **seen; /* per region, DCS_HOURS flags */
    size_t cap;
    size_t last;          /* the region of the row before */
    size_t before;        /* problems->count when reading began */
} reader;

/* "region 'ERCT'" or "clean supply" (no key column), in buf. */
static const char *who(const reader *r, const char *key, char *buf, size_t size)
{
    if (r->key_fld < 0)
        snprintf(buf, size, "%s", r->what);
    else
        snprintf(buf, size, "%s '%s'", r->what, key);
    return buf;
}

static void problem(reader *r, const char *fmt, ...)
{
    if (r->nproblems++ >= DCS_HOURLY_MAX_PROBLEMS)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (dcs_strlist_addf(r->problems, "%s: %s", r->file, buf) != 0)
        r->nomem = 1;
}

/* The field as a finite number; 0 when empty or not a number (*text then
 * points at what was there). */
static int number(OGRFeatureH f, int fld, double *v, const char **text)
{
    *text = "";
    if (!OGR_F_IsFieldSetAndNotNull(f, fld))
        return 0;
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, fld));
    if (t == OFTReal || t == OFTInteger || t == OFTInteger64) {
        *v = OGR_F_GetFieldAsDouble(f, fld);
        return isfinite(*v);
    }
    *text = OGR_F_GetFieldAsString(f, fld);
    char *end;
    *v = strtod(*text, &end);
    while (*end == ' ')
        end++;
    return end != *text && *end == '\0' && isfinite(*v);
}

static long find_region(const reader *r, const char *key)
{
    if (r->last < r->out->n && strcmp(r->out->region[r->last].key, key) == 0)
        return (long)r->last;
    for (size_t i = 0; i < r->out->n; i++)
        if (strcmp(r->out->region[i].key, key) == 0)
            return (long)i;
    return -1;
}

static long add_region(reader *r, const char *key)
{
    dcs_hourly *h = r->out;
    if (h->n == r->cap) {
        size_t c = r->cap ? 2 * r->cap : 8;
        dcs_hourly_region *g = realloc(h->region, c * sizeof *g);
        if (g)
            h->region = g;
        unsigned char **s = realloc(r->seen, c * sizeof *s);
        if (s)
            r->seen = s;
        if (!g || !s)
            return -1;
        r->cap = c;
    }
    dcs_hourly_region *g = &h->region[h->n];
    memset(g, 0, sizeof *g);
    r->seen[h->n] = calloc(DCS_HOURS, 1);
    g->key = dcs_strdup(key);
    int bad = !r->seen[h->n] || !g->key;
    for (size_t k = 0; k < DCS_SIG_COUNT; k++) {
        if (r->fld[k] < 0 || !(g->sig[k] = malloc(DCS_HOURS * sizeof(double)))) {
            bad |= r->fld[k] >= 0;
            continue;
        }
        for (size_t t = 0; t < DCS_HOURS; t++)
            g->sig[k][t] = NAN;
    }
    h->n++; /* freed with the set even when incomplete */
    return bad ? -1 : (long)h->n - 1;
}

/* The region of a row (created when new), or -1 (problem or no memory). */
static long row_region(reader *r, OGRFeatureH f, long long row)
{
    const char *key = "";
    if (r->key_fld >= 0) {
        if (!OGR_F_IsFieldSetAndNotNull(f, r->key_fld)) {
            problem(r, "row %lld has no region (its key field is empty)", row);
            return -1;
        }
        key = OGR_F_GetFieldAsString(f, r->key_fld);
    }
    long g = find_region(r, key);
    if (g < 0 && (g = add_region(r, key)) < 0)
        r->nomem = 1;
    return g;
}

static void read_values(reader *r, OGRFeatureH f, long g, int hour)
{
    const char *key = r->out->region[g].key;
    char w[160];
    for (size_t k = 0; k < DCS_SIG_COUNT; k++) {
        double v;
        const char *text;
        if (r->fld[k] < 0)
            continue;
        if (!number(f, r->fld[k], &v, &text))
            problem(r, "%s, hour %d: %s '%s' is not a number", who(r, key, w, sizeof w), hour,
                    r->fld_name[k], text);
        else if ((int)k == r->share && !(v >= 0 && v <= 1))
            problem(r, "%s, hour %d: %s %g is outside 0-1 (a share, not a percentage)",
                    who(r, key, w, sizeof w), hour, r->fld_name[k], v);
        else if ((int)k == r->nonneg && v < 0)
            problem(r, "%s, hour %d: %s %g is negative", who(r, key, w, sizeof w), hour,
                    r->fld_name[k], v);
        else
            r->out->region[g].sig[k][hour - 1] = v;
    }
}

static void read_row(reader *r, OGRFeatureH f, long long row)
{
    long g = row_region(r, f, row);
    if (g < 0)
        return;
    r->last = (size_t)g;
    double hv;
    const char *text;
    const char *key = r->out->region[g].key;
    char w[160];
    if (!number(f, r->hour_fld, &hv, &text) || hv != floor(hv) || hv < 1 || hv > DCS_HOURS) {
        problem(r, "%s, row %lld: hour '%s' is not a whole number from 1 to 8760",
                who(r, key, w, sizeof w), row, *text ? text : OGR_F_GetFieldAsString(f, r->hour_fld));
        return;
    }
    int hour = (int)hv;
    if (r->seen[g][hour - 1]) {
        problem(r, "%s: hour %d appears more than once (row %lld repeats it)",
                who(r, key, w, sizeof w), hour, row);
        return;
    }
    r->seen[g][hour - 1] = 1;
    read_values(r, f, g, hour);
}

static void check_complete(reader *r)
{
    if (r->out->n == 0)
        problem(r, "no rows (the table needs one row per %s and hour 1-8760)", r->what);
    char w[160];
    for (size_t g = 0; g < r->out->n; g++) {
        size_t have = 0, first = 0;
        for (size_t t = DCS_HOURS; t-- > 0;)
            if (r->seen[g][t])
                have++;
            else
                first = t + 1;
        if (have < DCS_HOURS)
            problem(r, "%s has %zu of the 8760 hours (hour %zu is the first missing)",
                    who(r, r->out->region[g].key, w, sizeof w), have, first);
    }
}

static dcs_status read_all(reader *r, dcs_layer *L, dcs_error *err)
{
    r->before = r->problems->count;
    OGR_L_ResetReading(L->lyr);
    OGRFeatureH f;
    long long row = 0;
    while (!r->nomem && (f = OGR_L_GetNextFeature(L->lyr))) {
        read_row(r, f, ++row);
        OGR_F_Destroy(f);
    }
    if (!r->nomem)
        check_complete(r);
    for (size_t g = 0; g < r->out->n; g++)
        free(r->seen[g]);
    free(r->seen);
    if (r->nomem)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory reading %s", r->file);
    if (r->nproblems > DCS_HOURLY_MAX_PROBLEMS &&
        dcs_strlist_addf(r->problems, "%s: %zu more problems", r->file,
                         r->nproblems - DCS_HOURLY_MAX_PROBLEMS) != 0)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory reading %s", r->file);
    if (r->nproblems)
        return dcs_error_set(err, DCS_ERR_DATA, "%s", r->problems->items[r->before]);
    return DCS_OK;
}

/* Open src, a ".gz" file through GDAL's /vsigzip/. */
static dcs_status open_table(dcs_layer *L, const char *role, const dcs_source *src,
                             dcs_source *copy, char **path, dcs_error *err)
{
    const char *d = src->dataset;
    size_t n = strlen(d);
    *copy = *src;
    *path = NULL;
    if (n > 3 && strcmp(d + n - 3, ".gz") == 0 && strncmp(d, "/vsi", 4) != 0) {
        if (!(*path = malloc(n + 10)))
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        snprintf(*path, n + 10, "/vsigzip/%s", d);
        copy->dataset = *path;
    }
    return dcs_layer_open(L, role, copy, DCS_GEOM_NONE, err);
}

static int compare_regions(const void *a, const void *b)
{
    return strcmp(((const dcs_hourly_region *)a)->key, ((const dcs_hourly_region *)b)->key);
}

/* The signal columns: the spec's, or with auto_fields those present. */
static dcs_status signal_fields(const dcs_hourly_spec *spec, int auto_fields, dcs_layer *L,
                                reader *r, dcs_error *err)
{
    int any = 0;
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(L->lyr);
    for (size_t k = 0; k < DCS_SIG_COUNT; k++) {
        r->fld[k] = -1;
        r->fld_name[k] = spec->fields[k] ? spec->fields[k] : dcs_signal_names[k];
        if (spec->fields[k]) {
            if ((r->fld[k] = dcs_layer_field(L, spec->fields[k], err)) < 0)
                return err->status;
        } else if (auto_fields) {
            r->fld[k] = OGR_FD_GetFieldIndex(d, dcs_signal_names[k]);
        }
        r->out->has[k] = r->fld[k] >= 0;
        any |= r->fld[k] >= 0;
    }
    if (!any)
        return dcs_error_set(err, DCS_ERR_DATA, "%s: no signal column (expected one or more of "
                             "co2_avg_lb_mwh, co2_marginal_lb_mwh, cfe_share, price_usd_mwh, "
                             "system_load_mw)", spec->src.dataset);
    return DCS_OK;
}

dcs_status dcs_hourly_load(const dcs_hourly_spec *spec, int auto_fields, dcs_hourly *out,
                           dcs_strlist *problems, dcs_error *err)
{
    memset(out, 0, sizeof *out);
    dcs_layer L = {0};
    reader r = {.file = spec->src.dataset, .what = "region", .share = DCS_SIG_CFE_SHARE,
                .nonneg = -1, .problems = problems, .out = out};
    dcs_source src;
    char *gz;
    dcs_status st = open_table(&L, "energy.hourly_signals", &spec->src, &src, &gz, err);
    if (st == DCS_OK && ((r.key_fld = dcs_layer_field(&L, spec->key_field, err)) < 0 ||
                         (r.hour_fld = dcs_layer_field(&L, spec->hour_field, err)) < 0))
        st = err->status;
    if (st == DCS_OK)
        st = signal_fields(spec, auto_fields, &L, &r, err);
    if (st == DCS_OK)
        st = read_all(&r, &L, err);
    if (st == DCS_OK)
        qsort(out->region, out->n, sizeof *out->region, compare_regions);
    dcs_layer_close(&L);
    free(gz);
    if (st != DCS_OK)
        dcs_hourly_free(out);
    return st;
}

const dcs_hourly_region *dcs_hourly_find(const dcs_hourly *h, const char *key)
{
    dcs_hourly_region k = {.key = (char *)key};
    return key ? bsearch(&k, h->region, h->n, sizeof k, compare_regions) : NULL;
}

void dcs_hourly_free(dcs_hourly *h)
{
    for (size_t g = 0; g < h->n; g++) {
        free(h->region[g].key);
        for (size_t k = 0; k < DCS_SIG_COUNT; k++)
            free(h->region[g].sig[k]);
    }
    free(h->region);
    memset(h, 0, sizeof *h);
}

dcs_status dcs_supply_load(const dcs_supply_spec *spec, double **mw, dcs_strlist *problems,
                           dcs_error *err)
{
    *mw = NULL;
    dcs_hourly h = {0};
    dcs_layer L = {0};
    reader r = {.file = spec->src.dataset, .what = "clean supply", .key_fld = -1, .share = -1,
                .nonneg = 0, .problems = problems, .out = &h};
    for (size_t k = 0; k < DCS_SIG_COUNT; k++)
        r.fld[k] = -1;
    r.fld_name[0] = spec->mw_field;
    dcs_source src;
    char *gz;
    dcs_status st = open_table(&L, "energy.clean_supply", &spec->src, &src, &gz, err);
    if (st == DCS_OK && ((r.hour_fld = dcs_layer_field(&L, spec->hour_field, err)) < 0 ||
                         (r.fld[0] = dcs_layer_field(&L, spec->mw_field, err)) < 0))
        st = err->status;
    if (st == DCS_OK)
        st = read_all(&r, &L, err);
    if (st == DCS_OK) {
        *mw = h.region[0].sig[0];
        h.region[0].sig[0] = NULL;
    }
    dcs_layer_close(&L);
    free(gz);
    dcs_hourly_free(&h);
    return st;
}
