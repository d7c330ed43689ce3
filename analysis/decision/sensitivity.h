/*
 * sensitivity.h - how robust is the ranking to the weights (pure, no I/O).
 *
 * Works on the criterion values dcs_evaluate() already computed (nothing
 * is measured again): each draw of weights re-aggregates those values with
 * the scenario's aggregation (weighted sum, weighted product or TOPSIS,
 * mcda.h) and re-ranks the eligible sites (dcs_rank_sites: ties by id).
 *
 * Monte Carlo.  `runs` weight vectors are drawn from a seeded PRNG
 * (splitmix64, Steele, Lea and Flood 2014; same seed -> same draws on
 * every platform).  Two ways to draw:
 *  - perturbation p (0 < p <= 1): each base weight is multiplied by a
 *    factor uniform in [1 - p, 1 + p], then the weights are divided by
 *    their sum;
 *  - ranges: criterion c with a range [lo_c, hi_c] (on the normalised
 *    scale, 0..1) takes a weight uniform in it, a criterion without one
 *    (lo_c NaN) keeps its base weight; then the weights are divided by
 *    their sum (so a drawn weight may end up outside its range).  A draw
 *    whose weights all are 0 is replaced by the base weights.
 * Per eligible site: p_top = share of runs in which its rank is <= top_n,
 * and its 5th, 50th and 95th rank percentiles (nearest-rank method: the
 * ceil(q * runs)-th smallest rank).  Percentiles need one rank per run
 * and site; when runs x eligible sites exceeds DCS_SENS_MAX_CELLS, they
 * are kept only for the first `ntracked` sites of the base ranking (NaN
 * for the others; p_top is always computed for all).
 *
 * One-at-a-time sweep.  For each criterion c, its weight t goes from 0 to
 * 1 in `sweep_steps` equal steps while the other weights keep their
 * proportions (scaled by (1 - t) / (1 - w_c); shared equally when they are
 * all 0).  sweep_top[c * steps + k] is the top site at t = k / (steps -
 * 1).  The weights at which the top site changes are located by bisection
 * (to 1e-9) between sample points (the base weight is one of them);
 * sweep_lo[c] and sweep_hi[c] bound the interval around the base weight in
 * which the base top site stays on top (0 and 1 when it never loses), and
 * sweep_lo_site/sweep_hi_site name the site that takes over just beyond
 * (DCS_SENS_NONE when none).
 *
 * Cost: O(runs x n log n) for the Monte Carlo; O(ncrits x steps x n) for
 * the sweep.  Ownership: dcs_sensitivity_free() frees every array.
 */
#ifndef DCS_SENSITIVITY_H
#define DCS_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define DCS_SENS_NONE ((size_t)-1)
/* Most ranks kept for percentiles (runs x sites), about 64 MB. */
#define DCS_SENS_MAX_CELLS ((size_t)1 << 24)

/* The evaluated sites (evaluate.h's arrays). */
typedef struct {
    size_t n, ncrits;
    const double *value;           /* n * ncrits criterion values in [0, 1], NaN missing */
    const unsigned char *eligible; /* n */
    const char *const *id;         /* n */
    const size_t *base_rank;       /* n: rank under the base weights, 0 if excluded */
    const double *weight;          /* ncrits base weights, adding up to 1 */
    int aggregation;               /* dcs_aggregation (mcda.h) */
} dcs_sens_input;

typedef struct {
    size_t runs;        /* >= 1 */
    uint64_t seed;
    size_t top_n;       /* >= 1 */
    double perturbation; /* used when lo is NULL */
    const double *lo, *hi; /* ncrits; NaN = keep the base weight; NULL = perturbation */
    size_t sweep_steps; /* >= 2 */
} dcs_sens_params;

typedef struct {
    size_t n, ncrits, runs, top_n, steps, ntracked;
    double *p_top;                 /* n: NaN for excluded sites */
    double *rank_p05, *rank_p50, *rank_p95; /* n: NaN excluded or not tracked */
    size_t *sweep_top;             /* ncrits * steps: site index (DCS_SENS_NONE: none eligible) */
    double *sweep_lo, *sweep_hi;   /* ncrits */
    size_t *sweep_lo_site, *sweep_hi_site; /* ncrits */
} dcs_sensitivity;

/* splitmix64: the next 64-bit output; *state advances. */
uint64_t dcs_splitmix64(uint64_t *state);

/* Uniform in [0, 1) with 53 random bits. */
double dcs_rand_unit(uint64_t *state);

/* Weights for the one-at-a-time sweep: criterion c at t, the others
 * scaled from base as documented above; out has ncrits entries. */
void dcs_sweep_weights(const double *base, size_t ncrits, size_t c, double t, double *out);

dcs_status dcs_sensitivity_run(const dcs_sens_input *in, const dcs_sens_params *p,
                               dcs_sensitivity *out, dcs_error *err);

void dcs_sensitivity_free(dcs_sensitivity *s);

#endif
