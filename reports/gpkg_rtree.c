/* gpkg_rtree.c - a GeoPackage spatial index packed in one pass.
 * See gpkg_rtree.h. */
#include "gpkg_rtree.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/radix.h"

/* One connection, used from one thread: no SQLite mutex on every call
 * (a tenth of the time of binding the values). */
#define OPEN_FLAGS (SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX)

#define CELL_BYTES 24 /* 8-byte rowid, 4 x 4-byte float */

/* ---- the boxes ------------------------------------------------------------ */

int dcs_rtree_boxes_add(dcs_rtree_boxes *b, int64_t fid, double minx, double maxx, double miny,
                        double maxy)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        int64_t *fid2 = realloc(b->fid, cap * sizeof *fid2);
        if (fid2)
            b->fid = fid2;
        float *box2 = fid2 ? realloc(b->box, cap * 4 * sizeof *box2) : NULL;
        if (!box2)
            return 0;
        b->box = box2;
        b->cap = cap;
    }
    /* SQLite's rtree stores floats rounded outwards: minima down, maxima up */
    const double v[4] = {minx, maxx, miny, maxy};
    float *o = b->box + 4 * b->n;
    for (int k = 0; k < 4; k++) {
        float f = (float)v[k];
        if (k % 2 == 0 && (double)f > v[k])
            f = nextafterf(f, -INFINITY);
        else if (k % 2 == 1 && (double)f < v[k])
            f = nextafterf(f, INFINITY);
        o[k] = f;
    }
    b->fid[b->n++] = fid;
    return 1;
}

void dcs_rtree_boxes_free(dcs_rtree_boxes *b)
{
    free(b->fid);
    free(b->box);
    memset(b, 0, sizeof *b);
}

/* ---- Hilbert order ---------------------------------------------------------- */

/* Position of cell (x, y) of a 65536 x 65536 grid along the Hilbert curve. */
static uint32_t hilbert(uint32_t x, uint32_t y)
{
    uint32_t d = 0;
    for (uint32_t s = 1u << 15; s > 0; s >>= 1) {
        uint32_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
        d += s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = s - 1 - x;
                y = s - 1 - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

/* The rows' indexes in Hilbert order of their boxes' centres, as the low
 * 32 bits of a sorted array (the key in the high bits); NULL when out of
 * memory. */
static uint64_t *hilbert_order(const dcs_rtree_boxes *b)
{
    uint64_t *ord = malloc((b->n ? b->n : 1) * sizeof *ord);
    uint64_t *tmp = malloc((b->n ? b->n : 1) * sizeof *tmp);
    if (!ord || !tmp) {
        free(ord);
        free(tmp);
        return NULL;
    }
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < b->n; i++) {
        const float *p = b->box + 4 * i;
        x0 = fmin(x0, p[0]), x1 = fmax(x1, p[1]), y0 = fmin(y0, p[2]), y1 = fmax(y1, p[3]);
    }
    double sx = x1 > x0 ? 65535.0 / (x1 - x0) : 0, sy = y1 > y0 ? 65535.0 / (y1 - y0) : 0;
    for (size_t i = 0; i < b->n; i++) {
        const float *p = b->box + 4 * i;
        uint32_t hx = (uint32_t)(((p[0] + (double)p[1]) / 2 - x0) * sx);
        uint32_t hy = (uint32_t)(((p[2] + (double)p[3]) / 2 - y0) * sy);
        ord[i] = (uint64_t)hilbert(hx > 65535 ? 65535 : hx, hy > 65535 ? 65535 : hy) << 32 |
                 (uint64_t)i;
    }
    dcs_radix_sort_hi32(ord, tmp, b->n); /* indexes ascending: ties stay by index */
    free(tmp);
    return ord;
}

/* ---- SQLite's node format ---------------------------------------------------- */

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put_cell(unsigned char *p, int64_t id, const float box[4])
{
    uint64_t u = (uint64_t)id;
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(u >> (56 - 8 * k));
    for (int c = 0; c < 4; c++) {
        uint32_t w;
        memcpy(&w, &box[c], 4);
        for (int k = 0; k < 4; k++)
            p[8 + 4 * c + k] = (unsigned char)(w >> (24 - 8 * k));
    }
}

static void grow(float *acc, const float *box, int first)
{
    if (first) {
        memcpy(acc, box, 4 * sizeof *acc);
        return;
    }
    acc[0] = fminf(acc[0], box[0]), acc[1] = fmaxf(acc[1], box[1]);
    acc[2] = fminf(acc[2], box[2]), acc[3] = fmaxf(acc[3], box[3]);
}

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *node, *rowid, *parent;
    size_t nodesize, fanout;
    unsigned char *blob;
} rtree_io;

static int step_reset(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

static int write_node(rtree_io *io, int64_t nodeno, size_t ncell, int64_t parent)
{
    put16(io->blob + 2, (unsigned)ncell);
    sqlite3_bind_int64(io->node, 1, nodeno);
    sqlite3_bind_blob(io->node, 2, io->blob, (int)io->nodesize, SQLITE_STATIC);
    if (!step_reset(io->node))
        return 0;
    if (parent <= 0)
        return 1;
    sqlite3_bind_int64(io->parent, 1, nodeno);
    sqlite3_bind_int64(io->parent, 2, parent);
    return step_reset(io->parent);
}

/* Pack the rows bottom-up: level 0 holds the rows in Hilbert order, full
 * nodes of fanout cells; each level above holds the boxes of the one
 * below.  Nodes are numbered from the root (1) down, level by level. */
static int pack(rtree_io *io, const dcs_rtree_boxes *b, const uint64_t *ord)
{
    size_t M = io->fanout, count[40], nlev = 0;
    for (size_t c = (b->n + M - 1) / M;; c = (c + M - 1) / M) {
        count[nlev++] = c;
        if (c == 1 || nlev == 40)
            break;
    }
    int64_t base[40];
    base[nlev - 1] = 1;
    for (size_t k = nlev - 1; k-- > 0;)
        base[k] = base[k + 1] + (int64_t)count[k + 1];
    int64_t *leaf = malloc(b->n * sizeof *leaf);
    float *box = malloc(count[0] * 4 * sizeof *box), *up = malloc(count[0] * 4 * sizeof *up);
    int ok = leaf && box && up;
    for (size_t k = 0; ok && k < nlev; k++) {
        size_t items = k == 0 ? b->n : count[k - 1];
        for (size_t j = 0; ok && j < count[k]; j++) {
            memset(io->blob, 0, io->nodesize);
            size_t lo = j * M, hi = lo + M < items ? lo + M : items;
            for (size_t c = lo; c < hi; c++) {
                size_t i = k == 0 ? (size_t)(ord[c] & 0xffffffffu) : c;
                const float *bx = k == 0 ? b->box + 4 * i : box + 4 * c;
                put_cell(io->blob + 4 + CELL_BYTES * (c - lo),
                         k == 0 ? b->fid[i] : base[k - 1] + (int64_t)c, bx);
                grow(up + 4 * j, bx, c == lo);
                if (k == 0)
                    leaf[i] = base[0] + (int64_t)j;
            }
            if (k == nlev - 1)
                put16(io->blob, (unsigned)k); /* the root holds the tree's depth */
            ok = write_node(io, base[k] + (int64_t)j, hi - lo,
                            k == nlev - 1 ? 0 : base[k + 1] + (int64_t)(j / M));
        }
        float *t = box;
        box = up, up = t;
    }
    for (size_t i = 0; ok && i < b->n; i++) { /* in insertion (FID) order: appends */
        sqlite3_bind_int64(io->rowid, 1, b->fid[i]);
        sqlite3_bind_int64(io->rowid, 2, leaf[i]);
        ok = step_reset(io->rowid);
    }
    free(leaf);
    free(box);
    free(up);
    return ok;
}

/* ---- the tables, triggers and extension row --------------------------------- */

static int exec(sqlite3 *db, char *sql)
{
    int ok = sql && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_free(sql);
    return ok;
}

/* The GeoPackage rtree extension's triggers (spec 1.2, "Extension
 * Definition": insert, update1-4, delete) for table t, column g, key f. */
static int triggers(sqlite3 *db, const char *r, const char *t, const char *g, const char *f)
{
    static const char *const when[6] = {
        "AFTER INSERT ON \"%w\" WHEN (new.\"%w\" NOT NULL AND NOT ST_IsEmpty(NEW.\"%w\"))",
        "AFTER UPDATE OF \"%w\" ON \"%w\" WHEN OLD.\"%w\" = NEW.\"%w\" AND "
        "(NEW.\"%w\" NOTNULL AND NOT ST_IsEmpty(NEW.\"%w\"))",
        "AFTER UPDATE OF \"%w\" ON \"%w\" WHEN OLD.\"%w\" = NEW.\"%w\" AND "
        "(NEW.\"%w\" ISNULL OR ST_IsEmpty(NEW.\"%w\"))",
        "AFTER UPDATE ON \"%w\" WHEN OLD.\"%w\" != NEW.\"%w\" AND "
        "(NEW.\"%w\" NOTNULL AND NOT ST_IsEmpty(NEW.\"%w\"))",
        "AFTER UPDATE ON \"%w\" WHEN OLD.\"%w\" != NEW.\"%w\" AND "
        "(NEW.\"%w\" ISNULL OR ST_IsEmpty(NEW.\"%w\"))",
        "AFTER DELETE ON \"%w\" WHEN old.\"%w\" NOT NULL",
    };
    static const char *const suffix[6] = {"insert",  "update1", "update2",
                                          "update3", "update4", "delete"};
    char *put = sqlite3_mprintf(
        "INSERT OR REPLACE INTO \"%w\" VALUES (NEW.\"%w\", ST_MinX(NEW.\"%w\"), "
        "ST_MaxX(NEW.\"%w\"), ST_MinY(NEW.\"%w\"), ST_MaxY(NEW.\"%w\"));",
        r, f, g, g, g, g);
    char *del_old = sqlite3_mprintf("DELETE FROM \"%w\" WHERE id = OLD.\"%w\";", r, f);
    char *del_both =
        sqlite3_mprintf("DELETE FROM \"%w\" WHERE id IN (OLD.\"%w\", NEW.\"%w\");", r, f, f);
    int ok = put && del_old && del_both;
    for (int k = 0; ok && k < 6; k++) {
        char *cond;
        if (k == 0)
            cond = sqlite3_mprintf(when[k], t, g, g);
        else if (k <= 2)
            cond = sqlite3_mprintf(when[k], g, t, f, f, g, g);
        else if (k <= 4)
            cond = sqlite3_mprintf(when[k], t, f, f, g, g);
        else
            cond = sqlite3_mprintf(when[k], t, g);
        const char *body[6] = {put, put, del_old, del_old, del_both, del_old};
        ok = cond && exec(db, sqlite3_mprintf("CREATE TRIGGER \"%w_%s\" %s BEGIN %s %s END", r,
                                              suffix[k], cond, body[k], k == 3 ? put : ""));
        sqlite3_free(cond);
    }
    sqlite3_free(put);
    sqlite3_free(del_old);
    sqlite3_free(del_both);
    return ok;
}

static int prepare(sqlite3 *db, sqlite3_stmt **s, char *sql)
{
    int ok = sql && sqlite3_prepare_v2(db, sql, -1, s, NULL) == SQLITE_OK;
    sqlite3_free(sql);
    return ok;
}

static int build(rtree_io *io, const char *r, const char *t, const char *g, const char *f,
                 const dcs_rtree_boxes *b)
{
    sqlite3 *db = io->db;
    sqlite3_stmt *size = NULL;
    int ok = exec(db, sqlite3_mprintf("CREATE VIRTUAL TABLE \"%w\" USING rtree(id, minx, maxx, "
                                      "miny, maxy)",
                                      r)) &&
             prepare(db, &size,
                     sqlite3_mprintf("SELECT length(data) FROM \"%w_node\" WHERE nodeno = 1", r)) &&
             sqlite3_step(size) == SQLITE_ROW;
    io->nodesize = ok ? (size_t)sqlite3_column_int(size, 0) : 0;
    sqlite3_finalize(size);
    io->fanout = io->nodesize > 4 ? (io->nodesize - 4) / CELL_BYTES : 0;
    ok = ok && io->fanout >= 2 && (io->blob = malloc(io->nodesize)) != NULL &&
         prepare(db, &io->node,
                 sqlite3_mprintf("INSERT OR REPLACE INTO \"%w_node\" VALUES (?, ?)", r)) &&
         prepare(db, &io->rowid, sqlite3_mprintf("INSERT INTO \"%w_rowid\" VALUES (?, ?)", r)) &&
         prepare(db, &io->parent, sqlite3_mprintf("INSERT INTO \"%w_parent\" VALUES (?, ?)", r));
    uint64_t *ord = ok && b->n ? hilbert_order(b) : NULL;
    ok = ok && (b->n == 0 || (ord && pack(io, b, ord)));
    free(ord);
    return ok && triggers(db, r, t, g, f) &&
           exec(db, sqlite3_mprintf(
                        "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name "
                        "TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope "
                        "TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, "
                        "extension_name))")) &&
           exec(db, sqlite3_mprintf("INSERT INTO gpkg_extensions VALUES ('%q', '%q', "
                                    "'gpkg_rtree_index', "
                                    "'http://www.geopackage.org/spec120/#extension_rtree', "
                                    "'write-only')",
                                    t, g));
}

dcs_status dcs_gpkg_rtree_write(const char *path, const char *table, const char *geom,
                                const char *fid_col, dcs_rtree_boxes *b, dcs_error *err)
{
    rtree_io io = {0};
    char *r = sqlite3_mprintf("rtree_%s_%s", table, geom);
    int ok = r && b->n < 0xffffffffu &&
             sqlite3_open_v2(path, &io.db, OPEN_FLAGS, NULL) == SQLITE_OK &&
             exec(io.db, sqlite3_mprintf("PRAGMA synchronous = OFF")) &&
             exec(io.db, sqlite3_mprintf("BEGIN")) && build(&io, r, table, geom, fid_col, b);
    sqlite3_finalize(io.node);
    sqlite3_finalize(io.rowid);
    sqlite3_finalize(io.parent);
    ok = ok && exec(io.db, sqlite3_mprintf("COMMIT"));
    dcs_status st = DCS_OK;
    if (!ok)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot write the spatial index of layer '%s' in '%s': %s",
                           table, path, io.db ? sqlite3_errmsg(io.db) : "out of memory");
    sqlite3_close(io.db);
    sqlite3_free(r);
    free(io.blob);
    return st;
}
