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
 * Ownership: the result (result.h) owns what the run found;
 * dcs_result_free() frees it all.  It points into the scenario, which
 * must outlive it.
 */
#ifndef DCS_RUN_H
#define DCS_RUN_H

#include <geos_c.h>
#include <signal.h>
#include <stddef.h>

#include "core/error.h"
#include "core/progress.h"
#include "pipeline/result.h"
#include "inputs/scenario.h"

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

dcs_status dcs_run(const dcs_scenario *scn, const dcs_run_options *opt, dcs_result *res,
                   dcs_error *err);





#endif
