/* gis_csv.c - a CSV layer formatted on both cores.  See gis_csv.h. */
#include "gis_csv.h"

#include <cpl_conv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_line.h"
#include "feature_pipe.h"
#include "gis_fields.h"

#define BLOCK 512  /* rows a block: half formatted by each thread */
#define NBLOCKS 8  /* blocks in flight (~0.5 MB each at 90 fields) */

typedef struct {
    dcs_csv_buf text;
} block_slot;

typedef struct {
    const dcs_gis_csv_layer *L;
    size_t n, nblocks;                    /* rows, blocks */
    OGRCoordinateTransformationH ct_work; /* the worker's clone, or NULL */
    OGRCoordinateTransformationH ct_main; /* the caller's (the layer's own) */
    FILE *fp;
    dcs_csv_buf mine; /* the caller's half of a block */
    int failed, nomem;
} csv_job;

/* Where a row's cells go, for gis_fields.h's sink. */
typedef struct {
    dcs_csv_buf *b;
    int wkt;
} csv_to;

static void cell_real(void *to, int k, double v)
{
    const csv_to *t = to;
    dcs_csv_cell_real(t->b, k == 0 && !t->wkt, v);
}

static void cell_integer(void *to, int k, int v)
{
    const csv_to *t = to;
    dcs_csv_cell_int(t->b, k == 0 && !t->wkt, v);
}

static void cell_text(void *to, int k, const char *s)
{
    const csv_to *t = to;
    dcs_csv_cell_text(t->b, k == 0 && !t->wkt, s);
}

/* Site i's geometry as WKT in the output CRS (NULL: none, or a failed
 * transformation); the caller frees it with CPLFree. */
static char *geometry_wkt(const dcs_gis_csv_layer *L, OGRCoordinateTransformationH ct, size_t i)
{
    OGRGeometryH g;
    if (L->as_point) {
        g = OGR_G_CreateGeometry(wkbPoint);
        if (g)
            OGR_G_SetPoint_2D(g, 0, L->res->sites.lon[i], L->res->sites.lat[i]);
    } else {
        g = dcs_site_ogr(&L->res->sites, i);
        if (g && L->multi)
            g = OGR_G_ForceToMultiPolygon(g);
    }
    char *text = NULL;
    if (g && (!ct || OGR_G_Transform(g, ct) == OGRERR_NONE))
        OGR_G_ExportToWkt(g, &text);
    OGR_G_DestroyGeometry(g);
    return text;
}

/* Row r's line appended to b. */
static void format_row(const csv_job *j, OGRCoordinateTransformationH ct, dcs_csv_buf *b,
                       size_t r)
{
    static const dcs_gis_field_sink sink = {
        .real = cell_real, .integer = cell_integer, .text = cell_text};
    const dcs_gis_csv_layer *L = j->L;
    const dcs_result *res = L->res;
    size_t i = L->points ? res->eval.order[r] : r;
    if (L->wkt) {
        char *wkt = geometry_wkt(L, ct, i);
        dcs_csv_cell_text(b, 1, wkt);
        CPLFree(wkt);
    }
    int nomem = 0;
    char *why = res->eval.eligible[i] ? NULL : dcs_result_reasons(res, i, &nomem);
    csv_to to = {.b = b, .wkt = L->wkt};
    dcs_gis_fields_emit(&sink, &to, res, i, why);
    free(why);
    dcs_csv_end(b);
    if (nomem)
        b->nomem = 1;
}

/* The lines of block k's first half (second 0) or second half into b,
 * which they replace. */
static void format_half(const csv_job *j, size_t k, int second, OGRCoordinateTransformationH ct,
                        dcs_csv_buf *b)
{
    size_t a = k * BLOCK, e = a + BLOCK < j->n ? a + BLOCK : j->n, mid = a + (e - a) / 2;
    b->len = 0;
    for (size_t r = second ? mid : a; r < (second ? e : mid); r++)
        format_row(j, ct, b, r);
}

/* Worker thread: the first half of block k. */
static void fill_block(void *ctx, size_t k, void *slot)
{
    const csv_job *j = ctx;
    format_half(j, k, 0, j->ct_work, &((block_slot *)slot)->text);
}

static void write_text(csv_job *j, const dcs_csv_buf *b)
{
    if (b->len && fwrite(b->p, 1, b->len, j->fp) != b->len)
        j->failed = 1;
}

/* Caller's thread: the second half of block k, then the block's lines. */
static int put_block(void *ctx, size_t k, void *slot)
{
    csv_job *j = ctx;
    block_slot *s = slot;
    format_half(j, k, 1, j->ct_main, &j->mine);
    if (s->text.nomem || j->mine.nomem) {
        j->nomem = 1;
        return 1;
    }
    write_text(j, &s->text);
    write_text(j, &j->mine);
    size_t done = (k + 1) * BLOCK < j->n ? (k + 1) * BLOCK : j->n;
    dcs_progress_report(j->L->progress,
                        j->L->points ? "writing eligible points" : "writing candidates", done,
                        j->n);
    return j->failed;
}

/* The header and the rows: 0, or 1 when a write failed or out of memory. */
static void write_rows(csv_job *j)
{
    dcs_csv_buf head = {0};
    dcs_csv_header(&head, j->L->defn, j->L->wkt);
    write_text(j, &head);
    j->nomem |= head.nomem;
    dcs_strbuf_free(&head);
    block_slot slots[NBLOCKS];
    void *ring[NBLOCKS];
    memset(slots, 0, sizeof slots);
    for (int k = 0; k < NBLOCKS; k++)
        ring[k] = &slots[k];
    if (!j->failed && !j->nomem)
        dcs_row_pipe(ring, NBLOCKS, j->nblocks, fill_block, put_block, j, j->L->threaded);
    for (int k = 0; k < NBLOCKS; k++)
        dcs_strbuf_free(&slots[k].text);
    dcs_strbuf_free(&j->mine);
}

dcs_status dcs_gis_csv_write(const dcs_gis_csv_layer *L, dcs_error *err)
{
    const dcs_result *res = L->res;
    csv_job j = {.L = L, .n = L->points ? res->eval.neligible : res->sites.n};
    j.nblocks = (j.n + BLOCK - 1) / BLOCK;
    j.ct_main = L->as_point ? L->ll_to_out : L->to_out;
    if (L->wkt && j.ct_main && !(j.ct_work = OCTClone(j.ct_main)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_status st = DCS_OK;
    if (!(j.fp = fopen(L->path, "w")))
        st = dcs_error_set(err, DCS_ERR_IO, "cannot create '%s': %s", L->path, strerror(errno));
    if (st == DCS_OK) {
        const char *phase = L->points ? "writing eligible points" : "writing candidates";
        dcs_progress_report(L->progress, phase, 0, j.n);
        write_rows(&j);
        int bad = ferror(j.fp) || j.failed;
        int e = errno;
        if (fclose(j.fp) != 0 && !bad) {
            bad = 1;
            e = errno;
        }
        if (j.nomem)
            st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        else if (bad)
            st = dcs_error_set(err, DCS_ERR_IO, "cannot write '%s': %s", L->path,
                               strerror(e ? e : EIO));
        else
            dcs_progress_report(L->progress, phase, j.n, j.n);
    }
    if (j.ct_work)
        OCTDestroyCoordinateTransformation(j.ct_work);
    return st;
}
