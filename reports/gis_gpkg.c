/* gis_gpkg.c - a GeoPackage layer's rows without OGR.  See gis_gpkg.h. */
#include "gis_gpkg.h"

#include <stdlib.h>
#include <string.h>

#include "feature_pipe.h"
#include "gis_fields.h"
#include "gpkg_rows.h"

#define PROGRESS_ROWS 1024 /* rows between two progress reports */

/* One row in flight: built by the worker, bound by the caller. */
typedef struct {
    dcs_gpkg_blob blob;
    dcs_strbuf wkb;     /* scratch: a point's or a transformed geometry's WKB */
    char *why;          /* the reasons of an excluded site */
    int nomem;
} row_slot;

typedef struct {
    const dcs_gis_gpkg_layer *L;
    dcs_gpkg_rows *w;
    OGRCoordinateTransformationH ct; /* the worker's own clone, or NULL */
    int32_t srs;
    size_t n; /* rows in all */
    int nomem;
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

/* Caller's thread: bind row r's values and insert it. */
static int put_slot(void *ctx, size_t r, void *slot)
{
    static const dcs_gis_field_sink sink = {
        .real = sink_real, .integer = sink_integer, .text = sink_text};
    rows_job *j = ctx;
    const dcs_gis_gpkg_layer *L = j->L;
    row_slot *s = slot;
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
    if (L->boxes && s->blob.has_box && !dcs_rtree_boxes_add(L->boxes, fid, b[0], b[1], b[2], b[3])) {
        j->nomem = 1;
        return 1;
    }
    if ((r + 1) % PROGRESS_ROWS == 0)
        dcs_progress_report(L->progress, phase(L, 0), r + 1, j->n);
    return 0;
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
    done = dcs_row_pipe(ring, DCS_PIPE_RING, n, fill_slot, put_slot, j, j->L->threaded);
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

dcs_status dcs_gis_gpkg_rows(const dcs_gis_gpkg_layer *L, dcs_error *err)
{
    const dcs_result *res = L->res;
    size_t n = L->points ? res->eval.neligible : res->sites.n;
    rows_job j = {.L = L, .n = n};
    OGRCoordinateTransformationH ct = L->as_point ? L->ll_to_out : L->to_out;
    if (L->geom_col && ct && !(j.ct = OCTClone(ct)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_status st = dcs_gpkg_rows_open(L->path, L->table, L->fid_col, L->geom_col, L->columns,
                                       L->ncolumns, &j.w, err);
    if (st == DCS_OK) {
        j.srs = dcs_gpkg_rows_srs(j.w);
        dcs_progress_report(L->progress, phase(L, 0), 0, n);
        size_t done = pipe_rows(&j, n);
        if (done == n) {
            dcs_progress_report(L->progress, phase(L, 0), n, n);
            dcs_progress_report(L->progress, phase(L, 1), 0, 1);
        }
        st = dcs_gpkg_rows_close(j.w, done == n && !j.nomem, err);
        if (j.nomem)
            st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        else if (done < n)
            st = dcs_error_prefix(err, "site \"%s\": ",
                                  res->sites.id[L->points ? res->eval.order[done] : done]);
    }
    if (j.ct)
        OCTDestroyCoordinateTransformation(j.ct);
    return st;
}
