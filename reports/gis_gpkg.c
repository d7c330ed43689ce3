/* gis_gpkg.c - a GeoPackage layer's rows without OGR.  See gis_gpkg.h. */
#include "gis_gpkg.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feature_pipe.h"
#include "gis_fields.h"
#include "gpkg_rows.h"
#include "output.h"

#define PROGRESS_ROWS 1024 /* rows between two progress reports */
/* Fewest rows split between two connections (all the rows, or those left
 * when the other thread becomes free): below, the side file and the copy
 * cost more than the second thread saves (~0.2 s at 100k rows). */
#define SPLIT_MIN_ROWS 50000

/* One row in flight: built by the worker, bound by the caller. */
typedef struct {
    dcs_gpkg_blob blob;
    dcs_strbuf wkb;     /* scratch: a point's or a transformed geometry's WKB */
    char *why;          /* the reasons of an excluded site */
    int nomem;
} row_slot;

typedef struct side_job side_job;

typedef struct {
    const dcs_gis_gpkg_layer *L;
    dcs_gpkg_rows *w;
    OGRCoordinateTransformationH ct; /* the worker's own clone, or NULL */
    int32_t srs;
    size_t first, n; /* its rows: first .. first + n - 1 */
    size_t total;    /* rows in all, for the progress */
    dcs_rtree_boxes *boxes; /* may be NULL */
    int threaded;
    int report;             /* 1: the thread that reports progress */
    atomic_size_t *side_done; /* rows the side writer has put (NULL: none) */
    int nomem;
    /* the main job's split (unused in the side job's own rows_job) */
    side_job *sj;             /* the side writer of the last rows, once started */
    pthread_t side_tid;
    const atomic_int *busy;   /* while non-zero the other thread is busy; once it
                               * is 0 the rows left may be split (NULL: never) */
    const char *side_path;
} rows_job;

static const char *phase(const dcs_gis_gpkg_layer *L, int commit)
{
    if (commit)
        return L->points ? "committing eligible points" : "committing candidates";
    return L->points ? "writing eligible points" : "writing candidates";
}

/* Room for n bytes of WKB in the slot's scratch: its start, or NULL. */
static unsigned char *scratch(row_slot *s, size_t n)
{
    s->wkb.len = 0;
    return dcs_strbuf_reserve(&s->wkb, n) ? (unsigned char *)s->wkb.p : NULL;
}

/* The site's point, in the layer's CRS (a failed transformation: no
 * geometry). */
static int point_blob(const rows_job *j, row_slot *s, size_t i)
{
    double x = j->L->res->sites.lon[i], y = j->L->res->sites.lat[i];
    if (j->ct && !OCTTransform(j->ct, 1, &x, &y, NULL))
        return 1;
    OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
    unsigned char *wkb = g ? scratch(s, 21) : NULL;
    if (!wkb) {
        OGR_G_DestroyGeometry(g);
        return -1;
    }
    OGR_G_SetPoint_2D(g, 0, x, y);
    OGR_G_ExportToIsoWkb(g, wkbNDR, wkb);
    OGR_G_DestroyGeometry(g);
    return dcs_gpkg_blob_make(&s->blob, wkb, 21, j->srs, 0);
}

/* Through OGR: promoted to a multipolygon, transformed, exported. */
static int ogr_blob(const rows_job *j, row_slot *s, size_t i)
{
    OGRGeometryH g = dcs_site_ogr(&j->L->res->sites, i);
    if (g && j->L->multi)
        g = OGR_G_ForceToMultiPolygon(g);
    if (!g || (j->ct && OGR_G_Transform(g, j->ct) != OGRERR_NONE)) {
        OGR_G_DestroyGeometry(g);
        return 1; /* no geometry, as an OGR writer leaves a failed one */
    }
    size_t n = (size_t)OGR_G_WkbSize(g);
    unsigned char *wkb = scratch(s, n);
    int ok = wkb && OGR_G_ExportToIsoWkb(g, wkbNDR, wkb) == OGRERR_NONE;
    OGR_G_DestroyGeometry(g);
    return ok ? dcs_gpkg_blob_make(&s->blob, wkb, n, j->srs, 0) : -1;
}

/* Worker thread: row r's reasons and geometry blob. */
static void fill_slot(void *ctx, size_t r, void *slot)
{
    const rows_job *j = ctx;
    const dcs_gis_gpkg_layer *L = j->L;
    const dcs_result *res = L->res;
    row_slot *s = slot;
    r += j->first;
    size_t i = L->points ? res->eval.order[r] : r;
    int nomem = 0, got = 1;
    free(s->why);
    s->why = res->eval.eligible[i] ? NULL : dcs_result_reasons(res, i, &nomem);
    s->blob.bytes.len = 0;
    s->blob.has_box = 0;
    if (!L->geom_col)
        got = 1;
    else if (L->as_point)
        got = point_blob(j, s, i);
    else if (!j->ct && res->sites.wkb[i])
        got = dcs_gpkg_blob_make(&s->blob, res->sites.wkb[i], res->sites.wkb_size[i], j->srs,
                                 L->multi);
    if (L->geom_col && !L->as_point && (j->ct || got == 0))
        got = ogr_blob(j, s, i);
    s->nomem = nomem || got < 0;
}

static void sink_real(void *to, int k, double v)
{
    dcs_gpkg_rows_real(to, k, v);
}

static void sink_integer(void *to, int k, int v)
{
    dcs_gpkg_rows_int(to, k, v);
}

static void sink_text(void *to, int k, const char *s)
{
    dcs_gpkg_rows_text(to, k, s);
}

/* ---- the last rows in a side file, by a second thread --------------------- */

struct side_job {
    rows_job j;
    dcs_rtree_boxes boxes;
    atomic_size_t done; /* rows it has put, for the progress */
    dcs_status st;
    dcs_error err;
};

static size_t pipe_rows(rows_job *j, size_t n);

/* The id of the site in row r. */
static const char *row_site(const dcs_gis_gpkg_layer *L, size_t r)
{
    return L->res->sites.id[L->points ? L->res->eval.order[r] : r];
}

static void *side_rows(void *arg)
{
    side_job *sj = arg;
    size_t done = pipe_rows(&sj->j, sj->j.n);
    if (sj->j.nomem)
        sj->st = dcs_error_set(&sj->err, DCS_ERR_NOMEM, "out of memory");
    else if (done == sj->j.n)
        sj->st = dcs_gpkg_rows_commit_side(sj->j.w, &sj->err);
    else { /* why, from SQLite; the writer is done with */
        sj->st = dcs_gpkg_rows_close(sj->j.w, 0, &sj->err);
        sj->j.w = NULL;
        dcs_error_prefix(&sj->err, "site \"%s\": ", row_site(sj->j.L, sj->j.first + done));
    }
    return NULL;
}

static void side_free(side_job *sj, const char *side_path)
{
    if (!sj)
        return;
    dcs_error scratch;
    if (sj->j.w) /* not merged: its rows are dropped */
        dcs_gpkg_rows_close(sj->j.w, 0, &scratch);
    if (sj->j.ct)
        OCTDestroyCoordinateTransformation(sj->j.ct);
    dcs_rtree_boxes_free(&sj->boxes);
    dcs_output_discard(side_path);
    free(sj);
}

/* A side writer for rows h .. total - 1 of main job j (its writer open),
 * in a thread of its own; j then ends at row h.  Nothing changes when it
 * cannot be opened or started: j keeps all its rows. */
static void side_start(rows_job *j, size_t h)
{
    const dcs_gis_gpkg_layer *L = j->L;
    side_job *sj = calloc(1, sizeof *sj);
    dcs_error scratch;
    if (!sj)
        return;
    sj->j = (rows_job){.L = L, .first = h, .n = j->total - h, .total = j->total,
                       .srs = j->srs, .boxes = L->boxes ? &sj->boxes : NULL,
                       .side_done = &sj->done};
    dcs_output_begin(j->side_path);
    OGRCoordinateTransformationH ct = L->as_point ? L->ll_to_out : L->to_out;
    if ((L->geom_col && ct && !(sj->j.ct = OCTClone(ct))) ||
        dcs_gpkg_rows_open_side(j->w, j->side_path, L->fid_col, L->geom_col, L->columns,
                                L->ncolumns, &sj->j.w, &scratch) != DCS_OK ||
        pthread_create(&j->side_tid, NULL, side_rows, sj) != 0) {
        side_free(sj, j->side_path);
        return;
    }
    j->sj = sj;
    j->side_done = &sj->done;
    j->n = h - j->first;
}

/* The other thread became free with `done` of the main job's rows put:
 * the second half of the rows left goes to a side writer when there are
 * enough of them.  Decided once. */
static void split_late(rows_job *j, size_t done)
{
    size_t left = j->n - done;
    j->busy = NULL;
    if (left >= SPLIT_MIN_ROWS)
        side_start(j, j->first + done + left / 2);
}

/* The side job's rows, committed, into the main writer; its boxes after
 * the main job's.  The side writer is freed here once merged, else by
 * side_free(). */
static dcs_status side_merge(rows_job *j, side_job *sj, dcs_error *err)
{
    if (sj->st != DCS_OK) {
        *err = sj->err;
        return sj->st;
    }
    for (size_t k = 0; j->boxes && k < sj->boxes.n; k++) {
        const float *b = sj->boxes.box + 4 * k;
        if (!dcs_rtree_boxes_add(j->boxes, sj->boxes.fid[k], b[0], b[1], b[2], b[3]))
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    dcs_gpkg_rows *side = sj->j.w;
    sj->j.w = NULL;
    return dcs_gpkg_rows_merge(j->w, side, err);
}

/* Caller's thread: bind row r's values and insert it. */
static int put_slot(void *ctx, size_t r, void *slot)
{
    static const dcs_gis_field_sink sink = {
        .real = sink_real, .integer = sink_integer, .text = sink_text};
    rows_job *j = ctx;
    const dcs_gis_gpkg_layer *L = j->L;
    row_slot *s = slot;
    size_t k = r;
    r += j->first;
    size_t i = L->points ? L->res->eval.order[r] : r;
    if (s->nomem) {
        j->nomem = 1;
        return 1;
    }
    dcs_gis_fields_emit(&sink, j->w, L->res, i, s->why);
    int64_t fid = (int64_t)r + 1;
    if (dcs_gpkg_rows_put(j->w, fid, &s->blob) != 0)
        return 1;
    const double *b = s->blob.box;
    if (j->boxes && s->blob.has_box && !dcs_rtree_boxes_add(j->boxes, fid, b[0], b[1], b[2], b[3])) {
        j->nomem = 1;
        return 1;
    }
    if ((k + 1) % PROGRESS_ROWS == 0 && !j->report)
        atomic_store(j->side_done, k + 1);
    else if ((k + 1) % PROGRESS_ROWS == 0)
        dcs_progress_report(L->progress, phase(L, 0),
                            k + 1 + (j->side_done ? atomic_load(j->side_done) : 0), j->total);
    if ((k + 1) % PROGRESS_ROWS == 0 && j->busy && !atomic_load(j->busy))
        split_late(j, k + 1);
    return k + 1 == j->n ? DCS_PIPE_LAST : 0; /* the rows after it are the side job's */
}

/* The rows through the pipe; n, or the row that failed. */
static size_t pipe_rows(rows_job *j, size_t n)
{
    row_slot *slots = calloc(DCS_PIPE_RING, sizeof *slots);
    void **ring = calloc(DCS_PIPE_RING, sizeof *ring);
    size_t done = 0;
    if (!slots || !ring) {
        j->nomem = 1;
        goto done;
    }
    for (int k = 0; k < DCS_PIPE_RING; k++)
        ring[k] = &slots[k];
    done = dcs_row_pipe(ring, DCS_PIPE_RING, n, fill_slot, put_slot, j, j->threaded);
done:
    for (int k = 0; slots && k < DCS_PIPE_RING; k++) {
        dcs_gpkg_blob_free(&slots[k].blob);
        dcs_strbuf_free(&slots[k].wkb);
        free(slots[k].why);
    }
    free(slots);
    free(ring);
    return done;
}

/* The main job's rows (through pipe_rows) and the side job's, when one
 * was started (at once, or once the other thread became free), merged;
 * returns the main job's rows done (j->n, or the first that failed) and in
 * *side_st how the side job ended. */
static size_t all_rows(rows_job *j, dcs_status *side_st, dcs_error *err)
{
    size_t done = pipe_rows(j, j->n);
    *side_st = DCS_OK;
    if (j->sj) {
        pthread_join(j->side_tid, NULL);
        if (done == j->n && !j->nomem)
            *side_st = side_merge(j, j->sj, err);
    }
    return done;
}

dcs_status dcs_gis_gpkg_rows(const dcs_gis_gpkg_layer *L, dcs_error *err)
{
    const dcs_result *res = L->res;
    size_t n = L->points ? res->eval.neligible : res->sites.n;
    char side_path[DCS_PATH_MAX + 16];
    snprintf(side_path, sizeof side_path, "%s-rows", L->path);
    int busy = L->split && L->busy && atomic_load(L->busy);
    rows_job j = {.L = L, .n = n, .total = n, .boxes = L->boxes, .threaded = L->threaded,
                  .report = 1, .busy = busy ? L->busy : NULL, .side_path = side_path};
    OGRCoordinateTransformationH ct = L->as_point ? L->ll_to_out : L->to_out;
    if (L->geom_col && ct && !(j.ct = OCTClone(ct)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_status st = dcs_gpkg_rows_open(L->path, L->table, L->fid_col, L->geom_col, L->columns,
                                       L->ncolumns, &j.w, err);
    if (st == DCS_OK) {
        j.srs = dcs_gpkg_rows_srs(j.w);
        if (L->split && !busy && n >= SPLIT_MIN_ROWS) /* the second core is free now */
            side_start(&j, n / 2);
        dcs_progress_report(L->progress, phase(L, 0), 0, n);
        dcs_status side_st;
        size_t done = all_rows(&j, &side_st, err);
        int ok = done == j.n && !j.nomem && side_st == DCS_OK;
        if (ok) {
            dcs_progress_report(L->progress, phase(L, 0), n, n);
            dcs_progress_report(L->progress, phase(L, 1), 0, 1);
        }
        dcs_error close_err;
        st = dcs_gpkg_rows_close(j.w, ok, side_st == DCS_OK ? err : &close_err);
        if (j.nomem)
            st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        else if (done < j.n)
            st = dcs_error_prefix(err, "site \"%s\": ", row_site(L, done));
        else if (side_st != DCS_OK)
            st = side_st;
    }
    side_free(j.sj, side_path);
    if (j.ct)
        OCTDestroyCoordinateTransformation(j.ct);
    return st;
}
