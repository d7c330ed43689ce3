/*
 * result.h - what a run found: the model, the measured sites, their
 * evaluation, the weather stations, what was read and the warnings, and
 * the decision-support figures.  dcs_run() (run.h) fills it, `dcsite
 * merge` fills it from shards, the report writers (reports/) read it.
 *
 * Ownership: the result owns the model, the sites, the evaluation, the
 * input records, the stations, the warnings, the decision-support arrays
 * and its GEOS context; dcs_result_free() frees them all and leaves the
 * result zeroed.  It points into the scenario, which must outlive it.
 * A finished result is read-only and may be read by several threads.
 */
#ifndef DCS_RESULT_H
#define DCS_RESULT_H

#include <geos_c.h>
#include <stddef.h>

#include "decision/assembly.h"
#include "decision/classes.h"
#include "decision/evaluate.h"
#include "decision/portfolio.h"
#include "geometry/geo.h"
#include "inputs/inputs.h"
#include "inputs/model.h"
#include "inputs/scenario.h"
#include "decision/sensitivity.h"
#include "inputs/sites.h"
#include "inputs/stations.h"
#include "core/strlist.h"
#include "core/warning.h"

typedef struct dcs_result dcs_result;

/* One routed line (pipeline/route_run.h): cell centres in the working CRS,
 * from the site to its substation. */
typedef struct {
    size_t site;   /* index in sites */
    size_t nverts;
    double *x, *y;
} dcs_routed_line;

/* Routed lines of a run ("interconnection.route"); valid when has_routes. */
typedef struct {
    double cell_m;          /* the grid's cell, metres of the working CRS */
    int neighbours;         /* 8 or 16 */
    long width, height;     /* the grid's cells */
    size_t routed;          /* sites routed (found or not) */
    size_t unreachable;     /* of those, sites with no route */
    double *km, *cost_musd; /* sites.n: route length and routed connection cost; NaN: none */
    char **note;            /* sites.n: why there is no route; NULL otherwise */
    dcs_routed_line *lines; /* nlines, in rank order */
    size_t nlines;
} dcs_routes;

struct dcs_result {
    const dcs_scenario *scn;
    GEOSContextHandle_t geos;
    dcs_model model;
    dcs_crs crs;
    dcs_sites sites;
    dcs_evaluation eval;
    unsigned char *outside; /* sites.n * ncontexts: 1 when layer k does not cover site i */
    dcs_station *stations;  /* the energy model's stations and their year */
    size_t nstations;
    size_t ncontexts;
    dcs_input_info *inputs;
    size_t ninputs;
    dcs_warnings warnings; /* what the run noticed (core/warning.h) */
    long long subs_read, subs_qualified;
    double peak_mw;
    int threads;          /* threads that measured the sites */
    /* decision support (pipeline/decision_support.h) */
    dcs_assembly assembly;  /* campus sites (appended to sites) and their parcels */
    unsigned char *pareto;  /* sites.n: 1 on the Pareto front; NULL: no "pareto" section */
    dcs_sensitivity sens;   /* valid when has_sens */
    int has_sens;
    dcs_portfolio portfolio; /* by rank - 1 (pipeline/portfolio_run.h); valid when has_portfolio */
    char **pf_note;          /* portfolio.n: where each eligible site ended up, and why */
    int has_portfolio;
    dcs_routes routes;       /* routed lines (pipeline/route_run.h); valid when has_routes */
    int has_routes;
    dcs_classes classes;    /* score classes from the eligible scores, for maps and styles */
    long distinct_col;      /* text column grouping distinct options, -1: none */
    size_t *distinct;       /* ndistinct site indices: the best site of each distinct place */
    size_t ndistinct;
    char started_utc[32]; /* ISO 8601 */
    double seconds;
};

void dcs_result_free(dcs_result *res);

/* Free what dcs_route_run() filled (nsites: the result's sites.n). */
void dcs_routes_free(dcs_routes *r, size_t nsites);

/* The sites' metric rows as dcs_evaluate() takes them (pointers into the
 * result; nothing to free). */
dcs_site_rows dcs_result_rows(const dcs_result *res);

/* Why site i of a finished run was excluded (dcs_evaluation_reasons():
 * new string, caller frees; NULL when eligible or *nomem). */
char *dcs_result_reasons(const dcs_result *res, size_t i, int *nomem);

#endif
