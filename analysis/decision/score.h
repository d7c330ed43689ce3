/*
 * score.h - value functions, weighted scores and ranking (pure, no I/O).
 *
 * A value function maps a metric to [0, 1] (1 = best): linear between a
 * worst and a best value, piecewise-linear through breakpoints, a step
 * function of thresholds, or a table of categories.  A site's score is
 * the weighted sum of its criterion values with weights that add up to 1,
 * so it lies in [0, 1].  A missing metric value scores 0 on its criterion
 * (the worst), and the site is still ranked.
 *
 * Ranking orders eligible sites by score, highest first; equal scores are
 * ordered by site id (byte order) so results never depend on input order.
 */
#ifndef DCS_SCORE_H
#define DCS_SCORE_H

#include <stddef.h>

#include "inputs/scenario.h"

/* Value in [0, 1] of a number under a linear, piecewise or step function;
 * NaN when x is NaN (or fn is categorical). */
double dcs_value_fn_eval(const dcs_value_fn *fn, double x);

/* Value in [0, 1] of a text under a categorical function (`other` for an
 * unlisted category); NaN when text is NULL. */
double dcs_value_fn_eval_text(const dcs_value_fn *fn, const char *text);

/* Sum of weights[i] * values[i], NaN values counting as 0. */
double dcs_weighted_sum(const double *values, const double *weights, size_t n);

/* Fill order[0..k) with the indices of eligible sites in rank order and
 * rank[i] with 1..k for them (0 for the others); returns k. */
size_t dcs_rank_sites(const double *score, const char *const *ids,
                      const unsigned char *eligible, size_t n, size_t *order, size_t *rank);

/* The same, the sort split between two threads when threads > 1 and there
 * are many eligible sites (each half sorted in its own thread, then
 * merged: the order is a total one, ties by index, so it is the same). */
size_t dcs_rank_sites_threads(const double *score, const char *const *ids,
                              const unsigned char *eligible, size_t n, size_t *order,
                              size_t *rank, int threads);

#endif
