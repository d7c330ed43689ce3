/* gpkg_read.c - a GeoPackage layer's rows through SQLite. See gpkg_read.h. */
#include "inputs/gpkg_read.h"

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FIELDS 64
/* A polygon's area is "clearly above 0" when it exceeds this share of the
 * sum of its rings' areas: far above the rounding of either computation,
 * so OGR_G_Area() is then > 0 too. */
#define AREA_MARGIN 1e-9

struct dcs_gpkg_reader {
    sqlite3 *db;
    sqlite3_stmt *stmt;
    const dcs_layer *L;
    size_t nfields;
    int done;                 /* the statement ran to its end (a further step would restart it) */
    OGRFieldType type[MAX_FIELDS];
    char num[32];             /* an integer field's text */
};

/* ---- the blob --------------------------------------------------------------- */

typedef struct {
    const unsigned char *p, *end;
    double area, rings;       /* signed area (holes subtracted), sum of ring areas */
} wkb_walk;

static int take_u32le(wkb_walk *w, uint32_t *v)
{
    if (w->end - w->p < 4)
        return 0;
    *v = (uint32_t)w->p[0] | (uint32_t)w->p[1] << 8 | (uint32_t)w->p[2] << 16 |
         (uint32_t)w->p[3] << 24;
    w->p += 4;
    return 1;
}

/* A little-endian header: byte order 1 and the type wanted. */
static int take_header(wkb_walk *w, uint32_t want)
{
    uint32_t t;
    if (w->end - w->p < 5 || *w->p != 1)
        return 0;
    w->p++;
    return take_u32le(w, &t) && t == want;
}

/* A closed ring of 4 points or more; its area (shoelace about its first point,
 * which keeps the products small) added to w, as a hole when hole. */
static int take_ring(wkb_walk *w, int hole)
{
    uint32_t n;
    if (!take_u32le(w, &n) || n < 4 || (size_t)(w->end - w->p) / 16 < n)
        return 0;
    double x0, y0, px = 0, py = 0, twice = 0;
    memcpy(&x0, w->p, 8);
    memcpy(&y0, w->p + 8, 8);
    for (uint32_t k = 1; k < n; k++) {
        double x, y;
        memcpy(&x, w->p + 16 * k, 8);
        memcpy(&y, w->p + 16 * k + 8, 8);
        x -= x0, y -= y0;
        twice += px * y - x * py;
        px = x, py = y;
    }
    int closed = memcmp(w->p, w->p + 16 * ((size_t)n - 1), 16) == 0;
    w->p += 16 * (size_t)n;
    double a = fabs(twice) / 2;
    w->area += hole ? -a : a;
    w->rings += a;
    return closed && isfinite(a);
}

static int take_polygon(wkb_walk *w)
{
    uint32_t nrings;
    if (!take_header(w, 3) || !take_u32le(w, &nrings) || nrings < 1)
        return 0;
    for (uint32_t r = 0; r < nrings; r++)
        if (!take_ring(w, r > 0))
            return 0;
    return 1;
}

static int plain_wkb(const unsigned char *wkb, size_t size)
{
    wkb_walk w = {.p = wkb, .end = wkb + size};
    uint32_t nparts;
    if (size >= 5 && wkb[0] == 1 && wkb[1] == 3) {
        if (!take_polygon(&w))
            return 0;
    } else if (take_header(&w, 6) && take_u32le(&w, &nparts) && nparts >= 1) {
        for (uint32_t k = 0; k < nparts; k++)
            if (!take_polygon(&w))
                return 0;
    } else
        return 0;
    return w.p == w.end && w.area > AREA_MARGIN * w.rings;
}

int dcs_gpkg_plain_polygon(const unsigned char *blob, size_t size, const unsigned char **wkb,
                           size_t *wkb_size)
{
    static const size_t envelope[8] = {0, 32, 48, 48, 64, 0, 0, 0};
    if (!blob || size < 8 || blob[0] != 'G' || blob[1] != 'P' || blob[2] != 0)
        return 0;
    unsigned flags = blob[3], e = (flags >> 1) & 7;
    if (flags & 0x30 || e > 4) /* empty, extended, or an unknown envelope */
        return 0;
    size_t head = 8 + envelope[e];
    if (size <= head || !plain_wkb(blob + head, size - head))
        return 0;
    *wkb = blob + head;
    *wkb_size = size - head;
    return 1;
}

/* ---- the connection ------------------------------------------------------------ */

/* The file behind the layer, when it is a GeoPackage in a local file. */
static const char *local_gpkg(const dcs_layer *L)
{
    const char *env = getenv("DCSITE_GPKG_DIRECT");
    if (env && strcmp(env, "0") == 0)
        return NULL;
    GDALDriverH drv = L->ds ? GDALGetDatasetDriver(L->ds) : NULL;
    const char *path = L->ds ? GDALGetDescription(L->ds) : NULL;
    struct stat st;
    if (!drv || strcmp(GDALGetDriverShortName(drv), "GPKG") != 0 || !path ||
        strncmp(path, "/vsi", 4) == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    return path;
}

/* The types it reads as OGR does: text, integers and reals, no subtype. */
static int readable_type(OGRFieldDefnH d)
{
    OGRFieldType t = OGR_Fld_GetType(d);
    return OGR_Fld_GetSubType(d) == OFSTNone &&
           (t == OFTString || t == OFTInteger || t == OFTInteger64 || t == OFTReal);
}

/* OGR's GeoPackage driver's select (ogrgeopackagetablelayer.cpp,
 * ResetStatement): SELECT columns FROM "table" m [WHERE filter], the
 * filter as given.  NULL when the layer has no FID or geometry column;
 * sqlite3_free() it. */
static char *build_select(const dcs_layer *L, const int *fields, size_t nfields)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(L->lyr);
    const char *fid = OGR_L_GetFIDColumn(L->lyr), *geom = OGR_L_GetGeometryColumn(L->lyr);
    if (!fid || !*fid || !geom || !*geom)
        return NULL;
    sqlite3_str *sql = sqlite3_str_new(NULL);
    sqlite3_str_appendf(sql, "SELECT m.\"%w\", m.\"%w\"", fid, geom);
    for (size_t k = 0; k < nfields; k++)
        sqlite3_str_appendf(sql, ", m.\"%w\"",
                            OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, fields[k])));
    sqlite3_str_appendf(sql, " FROM \"%w\" m", OGR_L_GetName(L->lyr));
    if (L->src->where && *L->src->where)
        sqlite3_str_appendf(sql, " WHERE %s", L->src->where);
    return sqlite3_str_finish(sql);
}

dcs_gpkg_reader *dcs_gpkg_reader_open(const dcs_layer *L, const int *fields, size_t nfields)
{
    const char *path = local_gpkg(L);
    if (!path || nfields > MAX_FIELDS)
        return NULL;
    dcs_gpkg_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    *r = (dcs_gpkg_reader){.L = L, .nfields = nfields};
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(L->lyr);
    int ok = 1;
    for (size_t k = 0; k < nfields && ok; k++) {
        OGRFieldDefnH d = fields[k] >= 0 ? OGR_FD_GetFieldDefn(defn, fields[k]) : NULL;
        ok = d && readable_type(d);
        r->type[k] = ok ? OGR_Fld_GetType(d) : OFTString;
    }
    char *sql = ok ? build_select(L, fields, nfields) : NULL;
    ok = sql && sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                                NULL) == SQLITE_OK &&
         sqlite3_prepare_v2(r->db, sql, -1, &r->stmt, NULL) == SQLITE_OK;
    sqlite3_free(sql);
    if (!ok) {
        dcs_gpkg_reader_close(r);
        return NULL;
    }
    return r;
}

void dcs_gpkg_reader_close(dcs_gpkg_reader *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->stmt);
    sqlite3_close(r->db);
    free(r);
}

/* ---- the rows ------------------------------------------------------------------ */

/* The value of field k has the storage class OGR's type reads as is. */
static int plain_value(const dcs_gpkg_reader *r, size_t k)
{
    int c = 2 + (int)k, t = sqlite3_column_type(r->stmt, c);
    if (t == SQLITE_NULL)
        return 1;
    switch (r->type[k]) {
    case OFTString:
        return t == SQLITE_TEXT;
    case OFTInteger: {
        sqlite3_int64 v = sqlite3_column_int64(r->stmt, c);
        return t == SQLITE_INTEGER && v >= INT32_MIN && v <= INT32_MAX;
    }
    case OFTInteger64:
        return t == SQLITE_INTEGER;
    default:
        return t == SQLITE_FLOAT;
    }
}

dcs_status dcs_gpkg_reader_next(dcs_gpkg_reader *r, dcs_gpkg_row *row, int *done,
                                dcs_error *err)
{
    int rc = r->done ? SQLITE_DONE : sqlite3_step(r->stmt);
    *done = r->done = rc == SQLITE_DONE;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return dcs_error_set(err, DCS_ERR_IO, "%s: cannot read layer '%s' of '%s': %s",
                             r->L->role, dcs_layer_label(r->L), r->L->src->dataset,
                             sqlite3_errmsg(r->db));
    if (*done)
        return DCS_OK;
    *row = (dcs_gpkg_row){.fid = sqlite3_column_int64(r->stmt, 0)};
    const unsigned char *blob = sqlite3_column_blob(r->stmt, 1);
    size_t size = (size_t)sqlite3_column_bytes(r->stmt, 1);
    row->plain = sqlite3_column_type(r->stmt, 0) == SQLITE_INTEGER &&
                 sqlite3_column_type(r->stmt, 1) == SQLITE_BLOB &&
                 dcs_gpkg_plain_polygon(blob, size, &row->wkb, &row->wkb_size);
    for (size_t k = 0; k < r->nfields && row->plain; k++)
        row->plain = plain_value(r, k);
    return DCS_OK;
}

int dcs_gpkg_reader_null(const dcs_gpkg_reader *r, size_t k)
{
    return sqlite3_column_type(r->stmt, 2 + (int)k) == SQLITE_NULL;
}

const char *dcs_gpkg_reader_text(dcs_gpkg_reader *r, size_t k)
{
    int c = 2 + (int)k;
    if (dcs_gpkg_reader_null(r, k))
        return NULL;
    if (r->type[k] == OFTInteger || r->type[k] == OFTInteger64) {
        snprintf(r->num, sizeof r->num, "%lld", (long long)sqlite3_column_int64(r->stmt, c));
        return r->num;
    }
    return (const char *)sqlite3_column_text(r->stmt, c);
}

double dcs_gpkg_reader_double(const dcs_gpkg_reader *r, size_t k)
{
    int c = 2 + (int)k;
    if (dcs_gpkg_reader_null(r, k))
        return NAN;
    if (r->type[k] == OFTString) { /* as dcs_field_double(): the whole text a number */
        const char *s = (const char *)sqlite3_column_text(r->stmt, c);
        char *end;
        double v = strtod(s, &end);
        return end != s && *end == '\0' ? v : NAN;
    }
    return r->type[k] == OFTReal ? sqlite3_column_double(r->stmt, c)
                                 : (double)sqlite3_column_int64(r->stmt, c);
}
