/*
 * report_common.h - what the report writers share: where the reports go
 * (dcs_report_paths), how the GIS outputs are written (dcs_report_options,
 * dcs_gis_format) and each site's criterion values and contributions as
 * every report shows them.  Plain types and inline reads of a finished
 * dcs_result: nothing to free, safe from any thread.
 */
#ifndef DCS_REPORT_COMMON_H
#define DCS_REPORT_COMMON_H

#include <math.h>
#include <stddef.h>

#include <gdal.h>

#include "output.h"
#include "core/progress.h"
#include "pipeline/result.h"

typedef struct {
    char json[DCS_PATH_MAX];
    char gis[DCS_PATH_MAX];        /* candidates (and eligible points when multi-layer) */
    char gis_points[DCS_PATH_MAX]; /* eligible points, single-layer formats */
    char score_tif[DCS_PATH_MAX];  /* score raster, grid candidates */
    char xlsx[DCS_PATH_MAX];
    char gis_tables[2][160];       /* database output: schema.table of both layers */
    char map_png[DCS_PATH_MAX];    /* the map (with .pgw and .prj beside it) */
    char map_pdf[DCS_PATH_MAX];    /* the map as a vector PDF */
    char html[DCS_PATH_MAX];       /* the web map report (report_html.h) */
} dcs_report_paths;

/* How the GIS outputs are written (command line --format, --crs). */
typedef struct {
    const char *format;      /* NULL: GPKG */
    const char *crs;         /* NULL: the working CRS */
    const char *db;          /* --db: a PostgreSQL connection string for the GIS layers */
    const char *table;       /* --table: [schema.]table there (NULL: the scenario name) */
    const char *fingerprint; /* the run fingerprint (fingerprint.h); NULL: computed */
    dcs_progress progress;   /* rows written ("writing candidates" ...); fn NULL: none */
} dcs_report_options;

/* A GIS output format: an OGR vector driver that can create files. */
typedef struct {
    GDALDriverH drv;
    char name[64]; /* GDAL's driver name */
    char ext[16];
    int multi_layer;              /* one file holds both layers */
    int database;                 /* PostgreSQL: tables through --db, not files */
    const char *const *sidecars;  /* extensions of the files written beside it */
    const char *const *lco;       /* layer creation options */
    /* GML: the temporary is DIR/<name>.part-PID.gml, not hidden, because
     * GDAL's GML writer points the file at the schema "<name up to the
     * last dot>.xsd", which is then the final <name>.xsd */
    int tmp_visible;
} dcs_gis_format;

enum { DCS_GIS_CANDIDATES = 1, DCS_GIS_POINTS = 2 };

/* Criterion c's value of site i, in [0, 1] (NaN when missing). */
static inline double dcs_report_value(const dcs_result *res, size_t i, size_t c)
{
    return res->eval.value[i * res->eval.ncrits + c];
}

/* Criterion c's contribution to site i's score (weight x value). */
static inline double dcs_report_contribution(const dcs_result *res, size_t i, size_t c)
{
    double v = dcs_report_value(res, i, c);
    return isnan(v) ? 0 : res->model.crits[c].weight * v;
}

/* A rule a site "nearly failed" (the brief's reasons, the HTML report's
 * popups): a numeric min or max rule it passes with value v within
 * DCS_REPORT_NEARLY (a share of |limit|) of the limit.  0 for other rules,
 * a missing value or a limit of 0. */
#define DCS_REPORT_NEARLY 0.10
static inline int dcs_report_nearly(const dcs_rule *rule, double v)
{
    double band = DCS_REPORT_NEARLY * fabs(rule->limit);
    if (!isfinite(v) || band == 0)
        return 0;
    if (rule->op == DCS_OP_MAX)
        return v <= rule->limit && v > rule->limit - band;
    if (rule->op == DCS_OP_MIN)
        return v >= rule->limit && v < rule->limit + band;
    return 0;
}

static inline const char *dcs_report_status(const dcs_result *res, size_t i)
{
    return res->eval.eligible[i] ? "eligible" : "excluded";
}

#endif
