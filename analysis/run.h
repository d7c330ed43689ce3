/*
 * run.h - the main job: scenario -> layers -> site metrics -> constraints
 * and scores -> ranks.  Reports are written from the result by reports/.
 *
 * dcs_run() never prints: progress goes through an optional callback
 * (always called from the thread that called dcs_run), and it stops with
 * DCS_ERR_INTERRUPTED when *stop becomes non-zero (set by a signal handler
 * in the command line).
 *
 * Sites are measured by several threads (dcs_run_options.threads), each
 * with its own copy of the context (measure.h); every site's metrics are
 * the same whatever the number of threads.
 *
 * Ownership: the result owns the model, the sites, the evaluation, the
 * input records and the warnings; dcs_result_free() frees them all.  It
 * points into the scenario, which must outlive it.
 */
#ifndef DCS_RUN_H
#define DCS_RUN_H

#include <geos_c.h>
#include <signal.h>
#include <stddef.h>

#include "assembly.h"
#include "error.h"
#include "evaluate.h"
#include "geo.h"
#include "inputs.h"
#include "model.h"
#include "progress.h"
#include "scenario.h"
#include "sensitivity.h"
#include "sites.h"
#include "stations.h"
#include "strlist.h"

typedef struct dcs_result dcs_result;

/* Fills every site's metric rows and res->outside (sites.n * ncontexts,
 * calloc'd) in place of measuring them: `dcsite merge` reads them back
 * from the shards' files. */
typedef dcs_status (*dcs_rows_fn)(void *user, dcs_result *res, dcs_error *err);

typedef struct {
    dcs_progress_fn progress;
    void *user;
    volatile sig_atomic_t *stop;
    int threads; /* threads measuring sites; 0: one per online CPU (at most DCS_MAX_THREADS) */
    /* shard_count > 1: keep only this shard's sites (shard.h) */
    size_t shard_index, shard_count;
    dcs_rows_fn rows; /* NULL: measure the sites */
    void *rows_user;
} dcs_run_options;

#define DCS_MAX_THREADS 64

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
    dcs_strlist warnings;
    long long subs_read, subs_qualified;
    double peak_mw;
    int threads;          /* threads that measured the sites */
    /* decision support (decision.h) */
    dcs_assembly assembly;  /* campus sites (appended to sites) and their parcels */
    unsigned char *pareto;  /* sites.n: 1 on the Pareto front; NULL: no "pareto" section */
    dcs_sensitivity sens;   /* valid when has_sens */
    int has_sens;
    char started_utc[32]; /* ISO 8601 */
    double seconds;
};

dcs_status dcs_run(const dcs_scenario *scn, const dcs_run_options *opt, dcs_result *res,
                   dcs_error *err);

void dcs_result_free(dcs_result *res);

/* Register GDAL's drivers and keep GDAL's messages from being printed
 * (they reach the user through dcs_error).  Call once before any other
 * dcs_ function that touches data. */
void dcs_init(void);

/* Create a GEOS context whose messages are kept (not printed); free with
 * dcs_geos_finish(). */
/* Why site i of a finished run was excluded (dcs_evaluation_reasons():
 * new string, caller frees; NULL when eligible or *nomem). */
char *dcs_result_reasons(const dcs_result *res, size_t i, int *nomem);

GEOSContextHandle_t dcs_geos_init(void);
void dcs_geos_finish(GEOSContextHandle_t geos);

#endif
