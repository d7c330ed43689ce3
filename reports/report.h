/*
 * report.h - the report writers: JSON summary, GeoPackage (or any OGR
 * vector format) and Excel workbook, all written from one dcs_result.
 *
 * Each writer writes to a temporary name and renames when complete (see
 * output.h); on failure nothing is left under the final name and an
 * earlier report of the same name is untouched.
 */
#ifndef DCS_REPORT_H
#define DCS_REPORT_H

#include <math.h>
#include <stddef.h>

#include "error.h"
#include "output.h"
#include "result.h"

#include <gdal.h>

typedef struct {
    char json[DCS_PATH_MAX];
    char gis[DCS_PATH_MAX];        /* candidates (and eligible points when multi-layer) */
    char gis_points[DCS_PATH_MAX]; /* eligible points, single-layer formats */
    char score_tif[DCS_PATH_MAX];  /* score raster, grid candidates */
    char xlsx[DCS_PATH_MAX];
    char gis_tables[2][160];       /* database output: schema.table of both layers */
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
} dcs_gis_format;

enum { DCS_GIS_CANDIDATES = 1, DCS_GIS_POINTS = 2 };

/* GPKG, GeoJSON, FlatGeobuf, Shapefile, CSV (with WKT) or any other OGR
 * vector driver by name; DCS_ERR_SCENARIO when unknown. */
dcs_status dcs_gis_format_find(const char *name, dcs_gis_format *f, dcs_error *err);

/* Warnings, added to res->warnings, for what the workbook must leave out:
 * Excel sheets stop at 1,048,576 rows, so Ranking and Excluded keep the
 * first 1,048,575 sites (the GIS and JSON outputs keep every site).
 * Call before dcs_reports_write() so that the JSON summary lists them. */
void dcs_report_xlsx_limits(dcs_result *res);

/* Write every output the scenario asks for into outdir (created when
 * missing).  Paths not written are left empty.  Every output records the
 * run fingerprint: "fingerprint" in the JSON summary, the metadata item
 * DCSITE_FINGERPRINT of the GIS dataset, a row of the workbook's
 * Assumptions sheet. */
dcs_status dcs_reports_write(const dcs_result *res, const char *outdir,
                             const dcs_report_options *opt, dcs_report_paths *paths,
                             dcs_error *err);

/* 1 when outdir already holds this scenario's complete reports with this
 * run fingerprint, so a re-run (batch, merge) can skip it: the JSON summary
 * (renamed into place last, once every report is complete) names the
 * fingerprint, every output it lists exists, and so do the workbook and
 * the GIS output in opt's format that the scenario asks for.  (The output
 * CRS is not checked: --crs is not part of the fingerprint.) */
int dcs_reports_done(const dcs_scenario *scn, const char *outdir, const dcs_report_options *opt,
                     const char *fingerprint);

dcs_status dcs_report_json(const dcs_result *res, const dcs_report_paths *paths,
                           const char *fingerprint, const char *tmp, dcs_error *err);
dcs_status dcs_report_gis(const dcs_result *res, const dcs_gis_format *fmt,
                          const dcs_report_options *opt, unsigned layers, const char *tmp,
                          dcs_error *err);
/* Write the layers into an open dataset: the candidates as names[0], the
 * eligible points as names[1] (NULL: that layer is not written), with the
 * layer creation options lco; label names the destination in messages. */
dcs_status dcs_report_gis_layers(const dcs_result *res, const dcs_gis_format *fmt,
                                 const char *crs, GDALDatasetH ds, const char *const names[2],
                                 char **lco, const char *label, const dcs_progress *progress,
                                 dcs_error *err);
/* The score of grid candidates as a GeoTIFF in the working CRS. */
dcs_status dcs_report_score_tif(const dcs_result *res, const char *tmp, dcs_error *err);
dcs_status dcs_report_xlsx(const dcs_result *res, const char *fingerprint, const char *tmp,
                           dcs_error *err);

/* A weather station's modelled year as a JSON object (caller frees with
 * cJSON_Delete): PUE, peak demand, energy, water, WUE, mode hours and the
 * monthly profile. */
struct cJSON *dcs_report_station_json(const dcs_station *st);

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

static inline const char *dcs_report_status(const dcs_result *res, size_t i)
{
    return res->eval.eligible[i] ? "eligible" : "excluded";
}

#endif
