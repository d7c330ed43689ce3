/* gpkg_rows.c - a GeoPackage layer's rows through one prepared INSERT.
 * See gpkg_rows.h. */
#include "gpkg_rows.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* One connection, used from one thread: no SQLite mutex on every call
 * (a tenth of the time of binding the values). */
#define OPEN_FLAGS (SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX)

#define HEADER_BYTES 8        /* "GP", version, flags, srs_id */
#define ENVELOPE_BYTES 32     /* minx, maxx, miny, maxy */
#define MAX_DEPTH 8           /* nested collections read at most */
#define MAX_TRIGGERS 2        /* GDAL's feature-count triggers of one table */

/* ---- the blob ---------------------------------------------------------------- */

/* What a scan of a WKB found: its end, and the box of its coordinates. */
typedef struct {
    const unsigned char *p, *end;
    double box[4];
    size_t npoints;
} wkb_scan;

static int read_u32(wkb_scan *s, int le, uint32_t *v)
{
    if (s->end - s->p < 4)
        return 0;
    const unsigned char *b = s->p;
    *v = le ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
            : (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
    s->p += 4;
    return 1;
}

static double read_f64(const unsigned char *b, int le)
{
    uint64_t u = 0;
    for (int k = 0; k < 8; k++)
        u |= (uint64_t)b[le ? k : 7 - k] << (8 * k);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* n points of the scan's byte order into the box (a point of NaNs is an
 * empty point and counts for nothing). */
static int scan_points(wkb_scan *s, int le, uint32_t n)
{
    if ((size_t)(s->end - s->p) / 16 < n)
        return 0;
    for (uint32_t k = 0; k < n; k++, s->p += 16) {
        double x = read_f64(s->p, le), y = read_f64(s->p + 8, le);
        if (isnan(x) && isnan(y))
            continue;
        s->box[0] = fmin(s->box[0], x);
        s->box[1] = fmax(s->box[1], x);
        s->box[2] = fmin(s->box[2], y);
        s->box[3] = fmax(s->box[3], y);
        s->npoints++;
    }
    return 1;
}

/* One geometry (2D types 1-7) from s->p; 0 when it cannot be read. */
static int scan_geometry(wkb_scan *s, int depth)
{
    uint32_t type, n, m;
    if (depth > MAX_DEPTH || s->p >= s->end || *s->p > 1)
        return 0;
    int le = *s->p++ == 1;
    if (!read_u32(s, le, &type))
        return 0;
    switch (type) {
    case 1:
        return scan_points(s, le, 1);
    case 2:
        return read_u32(s, le, &n) && scan_points(s, le, n);
    case 3:
        if (!read_u32(s, le, &n))
            return 0;
        for (uint32_t r = 0; r < n; r++)
            if (!read_u32(s, le, &m) || !scan_points(s, le, m))
                return 0;
        return 1;
    case 4: case 5: case 6: case 7:
        if (!read_u32(s, le, &n))
            return 0;
        for (uint32_t k = 0; k < n; k++)
            if (!scan_geometry(s, depth + 1))
                return 0;
        return 1;
    default:
        return 0;
    }
}

static void put_u32le(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

static void put_f64le(unsigned char *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(u >> (8 * k));
}

int dcs_gpkg_blob_make(dcs_gpkg_blob *b, const unsigned char *wkb, size_t n, int32_t srs_id,
                       int as_multi)
{
    wkb_scan s = {.p = wkb, .end = wkb + n, .box = {INFINITY, -INFINITY, INFINITY, -INFINITY}};
    b->bytes.len = 0;
    b->has_box = 0;
    if (n < 5 || !scan_geometry(&s, 0) || s.p != s.end)
        return 0;
    int le = wkb[0] == 1;
    wkb_scan head = {.p = wkb + 1, .end = wkb + n};
    uint32_t type = 0;
    read_u32(&head, le, &type);
    int empty = s.npoints == 0, envelope = !empty && type != 1;
    int wrap = as_multi && type == 3; /* Polygon -> MultiPolygon of one */
    size_t len = HEADER_BYTES + (envelope ? ENVELOPE_BYTES : 0) + (wrap ? 9 : 0) + n;
    if (!dcs_strbuf_reserve(&b->bytes, len))
        return -1;
    unsigned char *p = (unsigned char *)b->bytes.p;
    p[0] = 'G', p[1] = 'P', p[2] = 0;
    p[3] = (unsigned char)(1 | (envelope ? 1 << 1 : 0) | (empty ? 1 << 4 : 0)); /* LE header */
    put_u32le(p + 4, (uint32_t)srs_id);
    p += HEADER_BYTES;
    if (envelope) {
        for (int k = 0; k < 4; k++)
            put_f64le(p + 8 * k, s.box[k]);
        p += ENVELOPE_BYTES;
    }
    if (wrap) {
        p[0] = 1;
        put_u32le(p + 1, 6);
        put_u32le(p + 5, 1);
        p += 9;
    }
    memcpy(p, wkb, n);
    b->bytes.len = len;
    if (!empty) {
        b->has_box = 1;
        memcpy(b->box, s.box, sizeof b->box);
    }
    return 1;
}

void dcs_gpkg_blob_free(dcs_gpkg_blob *b)
{
    dcs_strbuf_free(&b->bytes);
    memset(b, 0, sizeof *b);
}

/* ---- the writer -------------------------------------------------------------- */

struct dcs_gpkg_rows {
    sqlite3 *db;
    sqlite3_stmt *insert;
    char *path, *table;
    int geom;      /* the table has a geometry column (bound second) */
    int first;     /* parameter index of field 0 */
    int32_t srs;
    int64_t count;
    double extent[4]; /* minx, maxx, miny, maxy of the rows' boxes */
    int has_extent;
    char *trigger_sql[MAX_TRIGGERS];
    int ntriggers;
    int side;      /* a side file's writer: rows only (dcs_gpkg_rows_open_side) */
    int attached;  /* the side file is attached as SIDE_SCHEMA */
};

#define SIDE_SCHEMA "dcs_side"

static int exec(sqlite3 *db, char *sql)
{
    int ok = sql && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_free(sql);
    return ok;
}

static int prepare(sqlite3 *db, sqlite3_stmt **s, char *sql)
{
    int ok = sql && sqlite3_prepare_v2(db, sql, -1, s, NULL) == SQLITE_OK;
    sqlite3_free(sql);
    return ok;
}

static int read_srs(dcs_gpkg_rows *w, const char *geom_col)
{
    sqlite3_stmt *q = NULL;
    int ok = prepare(w->db, &q,
                     sqlite3_mprintf("SELECT srs_id FROM gpkg_geometry_columns WHERE "
                                     "lower(table_name) = lower('%q') AND "
                                     "lower(column_name) = lower('%q')",
                                     w->table, geom_col)) &&
             sqlite3_step(q) == SQLITE_ROW;
    if (ok)
        w->srs = (int32_t)sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return ok;
}

/* GDAL's triggers that count the table's rows in gpkg_ogr_contents: kept
 * (their SQL) and dropped, so the rows go in without an UPDATE each. */
static int drop_count_triggers(dcs_gpkg_rows *w)
{
    sqlite3_stmt *q = NULL;
    int ok = prepare(w->db, &q,
                     sqlite3_mprintf("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name = '%q' AND name IN "
                                     "('trigger_insert_feature_count_%q', "
                                     "'trigger_delete_feature_count_%q')",
                                     w->table, w->table, w->table));
    char *names[MAX_TRIGGERS] = {NULL};
    int rc;
    while (ok && (rc = sqlite3_step(q)) == SQLITE_ROW && w->ntriggers < MAX_TRIGGERS) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const char *sql = (const char *)sqlite3_column_text(q, 1);
        names[w->ntriggers] = sqlite3_mprintf("%s", name ? name : "");
        w->trigger_sql[w->ntriggers] = sqlite3_mprintf("%s", sql ? sql : "");
        ok = names[w->ntriggers] && w->trigger_sql[w->ntriggers];
        w->ntriggers++;
    }
    sqlite3_finalize(q);
    for (int k = 0; k < w->ntriggers; k++) {
        ok = ok && exec(w->db, sqlite3_mprintf("DROP TRIGGER \"%w\"", names[k]));
        sqlite3_free(names[k]);
    }
    return ok;
}

static char *insert_sql(const dcs_gpkg_rows *w, const char *fid_col, const char *geom_col,
                        const char *const *columns, int ncolumns)
{
    sqlite3_str *q = sqlite3_str_new(NULL);
    sqlite3_str_appendf(q, "INSERT INTO \"%w\" (\"%w\"", w->table, fid_col);
    if (geom_col)
        sqlite3_str_appendf(q, ", \"%w\"", geom_col);
    for (int k = 0; k < ncolumns; k++)
        sqlite3_str_appendf(q, ", \"%w\"", columns[k]);
    sqlite3_str_appendall(q, ") VALUES (?");
    for (int k = 1; k < w->first - 1 + ncolumns; k++)
        sqlite3_str_appendall(q, ", ?");
    sqlite3_str_appendall(q, ")");
    return sqlite3_str_finish(q);
}

static void rows_free(dcs_gpkg_rows *w)
{
    sqlite3_finalize(w->insert);
    sqlite3_close(w->db);
    for (int k = 0; k < w->ntriggers; k++)
        sqlite3_free(w->trigger_sql[k]);
    free(w->path);
    free(w->table);
    free(w);
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

/* A writer's struct for table of path, its connection not open yet. */
static dcs_gpkg_rows *rows_new(const char *path, const char *table, const char *geom_col)
{
    dcs_gpkg_rows *w = calloc(1, sizeof *w);
    if (!w || !(w->path = dup(path)) || !(w->table = dup(table))) {
        if (w)
            rows_free(w);
        return NULL;
    }
    w->geom = geom_col != NULL;
    w->first = geom_col ? 3 : 2;
    w->extent[0] = w->extent[2] = INFINITY;
    w->extent[1] = w->extent[3] = -INFINITY;
    return w;
}

/* w handed out when ok, else freed with a message naming its file. */
static dcs_status opened(dcs_gpkg_rows *w, int ok, dcs_gpkg_rows **out, dcs_error *err)
{
    if (ok) {
        *out = w;
        return DCS_OK;
    }
    dcs_status st = dcs_error_set(err, DCS_ERR_IO, "cannot write layer '%s' in '%s': %s",
                                  w->table, w->path,
                                  w->db ? sqlite3_errmsg(w->db) : "out of memory");
    rows_free(w);
    return st;
}

dcs_status dcs_gpkg_rows_open(const char *path, const char *table, const char *fid_col,
                              const char *geom_col, const char *const *columns, int ncolumns,
                              dcs_gpkg_rows **out, dcs_error *err)
{
    dcs_gpkg_rows *w = rows_new(path, table, geom_col);
    *out = NULL;
    if (!w)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    int ok = sqlite3_open_v2(path, &w->db, OPEN_FLAGS, NULL) == SQLITE_OK &&
             exec(w->db, sqlite3_mprintf("PRAGMA synchronous = OFF")) &&
             exec(w->db, sqlite3_mprintf("BEGIN")) && (!geom_col || read_srs(w, geom_col)) &&
             drop_count_triggers(w) &&
             prepare(w->db, &w->insert, insert_sql(w, fid_col, geom_col, columns, ncolumns));
    return opened(w, ok, out, err);
}

/* The table's CREATE TABLE and the page size, read through the main
 * writer's own connection (inside its transaction: another connection
 * would find the file locked once the writer has spilled pages); NULL when
 * it cannot (sqlite3_free it). */
static char *table_sql(const dcs_gpkg_rows *w, int *page_size)
{
    sqlite3_stmt *q = NULL;
    char *sql = NULL;
    if (prepare(w->db, &q, sqlite3_mprintf("SELECT sql, (SELECT page_size FROM pragma_page_size) "
                                           "FROM sqlite_master WHERE type = 'table' AND name = "
                                           "'%q'",
                                           w->table)) &&
        sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        sql = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(q, 0));
        *page_size = sqlite3_column_int(q, 1);
    }
    sqlite3_finalize(q);
    return sql;
}

dcs_status dcs_gpkg_rows_open_side(const dcs_gpkg_rows *w, const char *side_path,
                                   const char *fid_col, const char *geom_col,
                                   const char *const *columns, int ncolumns,
                                   dcs_gpkg_rows **out, dcs_error *err)
{
    int page_size = 0;
    char *create = table_sql(w, &page_size);
    dcs_gpkg_rows *side = create ? rows_new(side_path, w->table, geom_col) : NULL;
    *out = NULL;
    if (!side) {
        sqlite3_free(create);
        return dcs_error_set(err, DCS_ERR_IO, "cannot read the table '%s' of '%s'", w->table,
                             w->path);
    }
    side->side = 1;
    /* a scratch file: no journal, no syncing (it is deleted after the merge, or
     * with the run's other temporary files when the run is interrupted) */
    int ok = sqlite3_open_v2(side_path, &side->db, OPEN_FLAGS | SQLITE_OPEN_CREATE, NULL) ==
                 SQLITE_OK &&
             exec(side->db, sqlite3_mprintf("PRAGMA page_size = %d", page_size)) &&
             exec(side->db, sqlite3_mprintf("PRAGMA journal_mode = OFF")) &&
             exec(side->db, sqlite3_mprintf("PRAGMA synchronous = OFF")) &&
             exec(side->db, create) && exec(side->db, sqlite3_mprintf("BEGIN")) &&
             prepare(side->db, &side->insert,
                     insert_sql(side, fid_col, geom_col, columns, ncolumns));
    return opened(side, ok, out, err);
}

dcs_status dcs_gpkg_rows_commit_side(dcs_gpkg_rows *side, dcs_error *err)
{
    sqlite3_finalize(side->insert);
    side->insert = NULL;
    int ok = exec(side->db, sqlite3_mprintf("COMMIT"));
    dcs_status st = ok ? DCS_OK
                       : dcs_error_set(err, DCS_ERR_IO, "cannot write layer '%s' in '%s': %s",
                                       side->table, side->path, sqlite3_errmsg(side->db));
    sqlite3_close(side->db);
    side->db = NULL;
    return st;
}

/* The side file attached to the main writer's connection: ATTACH cannot
 * run inside a transaction, so the rows so far are committed first (into
 * the temporary file: nothing is final before the run's commit, and a
 * failure discards the file). */
static int attach(dcs_gpkg_rows *w, const char *side_path)
{
    if (!w->attached)
        w->attached = exec(w->db, sqlite3_mprintf("COMMIT")) &&
                      exec(w->db, sqlite3_mprintf("ATTACH '%q' AS " SIDE_SCHEMA, side_path)) &&
                      exec(w->db, sqlite3_mprintf("BEGIN"));
    return w->attached;
}

dcs_status dcs_gpkg_rows_merge(dcs_gpkg_rows *w, dcs_gpkg_rows *side, dcs_error *err)
{
    /* the same table definition on both sides: SQLite copies the records as
     * they are ("transfer optimization"), ~1 us a row instead of ~4.7 */
    int ok = attach(w, side->path) &&
             exec(w->db, sqlite3_mprintf("INSERT INTO main.\"%w\" SELECT * FROM " SIDE_SCHEMA
                                         ".\"%w\"",
                                         w->table, side->table));
    if (ok) {
        w->count += side->count;
        for (int k = 0; k < 4; k += 2) {
            w->extent[k] = fmin(w->extent[k], side->extent[k]);
            w->extent[k + 1] = fmax(w->extent[k + 1], side->extent[k + 1]);
        }
        w->has_extent |= side->has_extent;
    }
    rows_free(side);
    return ok ? DCS_OK
              : dcs_error_set(err, DCS_ERR_IO, "cannot write layer '%s' in '%s': %s", w->table,
                              w->path, sqlite3_errmsg(w->db));
}

int32_t dcs_gpkg_rows_srs(const dcs_gpkg_rows *w)
{
    return w->geom ? w->srs : 0;
}

void dcs_gpkg_rows_real(dcs_gpkg_rows *w, int k, double v)
{
    if (isnan(v))
        sqlite3_bind_null(w->insert, w->first + k);
    else
        sqlite3_bind_double(w->insert, w->first + k, v);
}

void dcs_gpkg_rows_int(dcs_gpkg_rows *w, int k, int64_t v)
{
    sqlite3_bind_int64(w->insert, w->first + k, v);
}

void dcs_gpkg_rows_text(dcs_gpkg_rows *w, int k, const char *s)
{
    if (s)
        sqlite3_bind_text(w->insert, w->first + k, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(w->insert, w->first + k);
}

void dcs_gpkg_rows_null(dcs_gpkg_rows *w, int k)
{
    sqlite3_bind_null(w->insert, w->first + k);
}

int dcs_gpkg_rows_put(dcs_gpkg_rows *w, int64_t fid, const dcs_gpkg_blob *g)
{
    sqlite3_bind_int64(w->insert, 1, fid);
    if (w->geom && g && g->bytes.len)
        sqlite3_bind_blob(w->insert, 2, g->bytes.p, (int)g->bytes.len, SQLITE_STATIC);
    else if (w->geom)
        sqlite3_bind_null(w->insert, 2);
    int rc = sqlite3_step(w->insert);
    sqlite3_reset(w->insert);
    if (rc != SQLITE_DONE)
        return -1;
    w->count++;
    if (w->geom && g && g->has_box) {
        w->extent[0] = fmin(w->extent[0], g->box[0]);
        w->extent[1] = fmax(w->extent[1], g->box[1]);
        w->extent[2] = fmin(w->extent[2], g->box[2]);
        w->extent[3] = fmax(w->extent[3], g->box[3]);
        w->has_extent = 1;
    }
    return 0;
}

static int has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *q = NULL;
    int yes = prepare(db, &q,
                      sqlite3_mprintf("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                      "name = '%q'",
                                      name)) &&
              sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return yes;
}

/* What GDAL writes at close: the extent, the count, the triggers back. */
static int finish(dcs_gpkg_rows *w)
{
    int ok = !w->has_extent ||
             exec(w->db, sqlite3_mprintf("UPDATE gpkg_contents SET min_x = %!.17g, max_x = "
                                         "%!.17g, min_y = %!.17g, max_y = %!.17g, last_change "
                                         "= strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now') WHERE "
                                         "lower(table_name) = lower('%q')",
                                         w->extent[0], w->extent[1], w->extent[2],
                                         w->extent[3], w->table));
    if (ok && has_table(w->db, "gpkg_ogr_contents"))
        ok = exec(w->db, sqlite3_mprintf("UPDATE gpkg_ogr_contents SET feature_count = %lld "
                                         "WHERE lower(table_name) = lower('%q')",
                                         (long long)w->count, w->table));
    for (int k = 0; ok && k < w->ntriggers; k++)
        ok = exec(w->db, sqlite3_mprintf("%s", w->trigger_sql[k]));
    return ok && exec(w->db, sqlite3_mprintf("COMMIT"));
}

dcs_status dcs_gpkg_rows_close(dcs_gpkg_rows *w, int ok, dcs_error *err)
{
    if (!w)
        return DCS_OK;
    dcs_status st = DCS_OK;
    if (!ok || !finish(w)) {
        st = dcs_error_set(err, DCS_ERR_IO, "cannot write layer '%s' in '%s': %s", w->table,
                           w->path, sqlite3_errmsg(w->db));
        sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
    }
    rows_free(w);
    return st;
}
