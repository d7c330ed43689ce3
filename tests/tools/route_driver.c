/*
 * route_driver.c - a test-only front end to geometry/route.h, so the
 * end-to-end suite (tests/e2e/test_route.py) can compare the engine with
 * other least-cost path solvers without a dcsite command.
 *
 *   route_driver COST.tif [--barrier MASK.tif] [--neighbours 8|16]
 *                [--soft-factor F] [--soft-penalty P] [--margin M]
 *                [--corner-cut] [--xy] [--path]  < queries
 *
 * Band 1 of COST.tif is the cost per km (its nodata value counts as
 * impassable); band 1 of MASK.tif the barrier byte per cell (same grid).
 * Each line of standard input is one query: a start and one or more
 * targets, as "col row col row ..." (or "x y x y ..." in the raster's CRS
 * with --xy).  Each answer is one line of JSON: {"status": "ok", "cost",
 * "length_km", "vertices", "target", "settled" [, "path": [[x, y], ...]]}
 * or {"status": "error", "code", "found", "message"}.  Exit status 0
 * unless the arguments or rasters are unusable (then 2, with a message on
 * stderr).  Built by `make tests-build`; not installed.
 */
#include <gdal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geometry/route.h"

typedef struct {
    const char *cost_path, *barrier_path;
    dcs_route_opts opts;
    int xy, path;
} args;

static int parse_args(int argc, char **argv, args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(s, "--barrier") && more)
            a->barrier_path = argv[++i];
        else if (!strcmp(s, "--neighbours") && more)
            a->opts.neighbours = atoi(argv[++i]);
        else if (!strcmp(s, "--soft-factor") && more)
            a->opts.soft_factor = atof(argv[++i]);
        else if (!strcmp(s, "--soft-penalty") && more)
            a->opts.soft_penalty = atof(argv[++i]);
        else if (!strcmp(s, "--margin") && more)
            a->opts.window_margin_m = atof(argv[++i]);
        else if (!strcmp(s, "--corner-cut"))
            a->opts.allow_corner_cut = 1;
        else if (!strcmp(s, "--xy"))
            a->xy = 1;
        else if (!strcmp(s, "--path"))
            a->path = 1;
        else if (s[0] != '-' && !a->cost_path)
            a->cost_path = s;
        else {
            fprintf(stderr, "route_driver: unknown or incomplete argument '%s'\n", s);
            return -1;
        }
    }
    if (!a->cost_path) {
        fprintf(stderr, "usage: route_driver COST.tif [options] < queries\n");
        return -1;
    }
    return 0;
}

/* Band 1 of path as doubles (nodata as NaN) or bytes; the grid's size and
 * geotransform. */
static void *read_band(const char *path, int bytes, dcs_route_grid *g)
{
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    if (!ds) {
        fprintf(stderr, "route_driver: cannot open %s\n", path);
        return NULL;
    }
    long w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    void *buf = malloc((size_t)(w * h) * (bytes ? 1 : sizeof(double)));
    int has_nodata = 0;
    double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    if (buf && GDALRasterIO(band, GF_Read, 0, 0, (int)w, (int)h, buf, (int)w, (int)h,
                            bytes ? GDT_Byte : GDT_Float64, 0, 0) != CE_None) {
        free(buf);
        buf = NULL;
    }
    if (buf && !bytes && has_nodata)
        for (long i = 0; i < w * h; i++)
            if (((double *)buf)[i] == nodata)
                ((double *)buf)[i] = NAN;
    if (g->width && (g->width != w || g->height != h)) {
        fprintf(stderr, "route_driver: %s is %ld x %ld, the cost raster %ld x %ld\n", path,
                w, h, g->width, g->height);
        free(buf);
        buf = NULL;
    }
    g->width = w;
    g->height = h;
    if (!bytes)
        GDALGetGeoTransform(ds, g->gt);
    GDALClose(ds);
    return buf;
}

static void print_json_text(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s == '\n' ? ' ' : *s);
    }
    putchar('"');
}

static void answer(const args *a, dcs_route_work *w, dcs_route *rt, const dcs_route_grid *g,
                   const double *v, size_t n)
{
    dcs_route_cell cells[256];
    dcs_error err = {0};
    size_t nc = n / 2 > 256 ? 256 : n / 2;
    for (size_t i = 0; i < nc; i++) {
        if (!a->xy)
            cells[i] = (dcs_route_cell){.col = (long)v[2 * i], .row = (long)v[2 * i + 1]};
        else if (dcs_route_cell_of(g, v[2 * i], v[2 * i + 1], &cells[i]) != 0)
            cells[i] = (dcs_route_cell){.col = -1, .row = -1};
    }
    dcs_status st = nc < 2 ? dcs_error_set(&err, DCS_ERR_DATA, "a query needs a start and a target")
                           : dcs_route_find(g, &a->opts, cells[0], cells + 1, nc - 1, w, rt, &err);
    if (st != DCS_OK) {
        printf("{\"status\": \"error\", \"code\": %d, \"found\": %d, \"message\": ", (int)st,
               rt->found);
        print_json_text(err.message);
        printf("}\n");
        return;
    }
    printf("{\"status\": \"ok\", \"cost\": %.17g, \"length_km\": %.17g, \"vertices\": %zu, "
           "\"target\": %zu, \"settled\": %ld",
           rt->cost, rt->length_km, rt->nverts, rt->target, rt->cells_settled);
    if (a->path) {
        printf(", \"path\": [");
        for (size_t i = 0; i < rt->nverts; i++)
            printf("%s[%.17g, %.17g]", i ? ", " : "", rt->x[i], rt->y[i]);
        printf("]");
    }
    printf("}\n");
}

int main(int argc, char **argv)
{
    args a = {.opts = {.neighbours = 8}};
    dcs_route_grid g = {0};
    double *cost = NULL;
    unsigned char *bar = NULL;
    dcs_route_work w = {0};
    dcs_route rt = {0};
    char line[8192];
    int rc = 2;
    if (parse_args(argc, argv, &a) != 0)
        goto done;
    GDALAllRegister();
    cost = read_band(a.cost_path, 0, &g);
    if (!cost)
        goto done;
    if (a.barrier_path && !(bar = read_band(a.barrier_path, 1, &g)))
        goto done;
    g.cost = cost;
    g.barrier = bar;
    while (fgets(line, sizeof line, stdin)) {
        double v[512];
        size_t n = 0;
        char *p = line, *end;
        for (double x = strtod(p, &end); end != p && n < 512; x = strtod(p, &end)) {
            v[n++] = x;
            p = end;
        }
        if (n == 0)
            continue;
        answer(&a, &w, &rt, &g, v, n);
        fflush(stdout);
    }
    rc = 0;
done:
    free(cost);
    free(bar);
    dcs_route_work_free(&w);
    dcs_route_free(&rt);
    return rc;
}
