/*
 * mcda.h - multi-criteria decision analysis helpers (pure, no I/O).
 *
 * AHP (Saaty's Analytic Hierarchy Process): criterion weights from an
 * n x n matrix of pairwise comparisons, with Saaty's consistency index
 * and consistency ratio.  The caller decides what to do with an
 * inconsistent matrix (DCS_AHP_CR_LIMIT is Saaty's usual threshold).
 *
 * Aggregation of criterion values (each in [0, 1], higher is better, NaN
 * = missing) into one score per alternative: the weighted sum
 * (dcs_weighted_sum in score.h), the weighted product and TOPSIS.  As in
 * the weighted sum, a missing value counts as 0, the worst.
 *
 * Nothing here prints, exits or keeps state.  Ownership: every output
 * array belongs to the caller and is sized by the caller as documented;
 * nothing returned needs freeing.
 */
#ifndef DCS_MCDA_H
#define DCS_MCDA_H

#include <stddef.h>

#include "core/error.h"

/* Largest AHP matrix: Saaty's random index table stops at 15. */
#define DCS_AHP_MAX_N 15

/* Saaty's rule of thumb: a consistency ratio above 0.1 calls for the
 * judgements to be revised. */
#define DCS_AHP_CR_LIMIT 0.1

/* Weights from the n x n row-major pairwise comparison matrix (matrix[i*n
 * + j] = how many times criterion i matters more than j).  The matrix
 * must have 1 <= n <= DCS_AHP_MAX_N, positive finite entries, ones on the
 * diagonal (within 1e-9) and a[j][i] = 1/a[i][j] (relative tolerance
 * 1e-6, so thirds must be given to about 7 digits).  On success weights[0..n)
 * holds the principal right eigenvector scaled to sum 1 (power iteration
 * to 1e-12), and, for each of lambda_max, ci and cr that is not NULL, the
 * principal eigenvalue, CI = (lambda_max - n) / (n - 1) and CR = CI /
 * RI(n); CI and CR are 0 when n <= 2.  A matrix that breaks a rule, or
 * whose iteration does not converge, gives DCS_ERR_SCENARIO with a message
 * naming the entry, e.g. "matrix[2][0] = 0.5 is not the reciprocal of
 * matrix[0][2] = 3 (expected 0.3333)"; the outputs are then unspecified. */
dcs_status dcs_ahp_weights(const double *matrix, size_t n, double *weights, double *lambda_max,
                           double *ci, double *cr, dcs_error *err);

/* Weighted product: the product of values[i] ^ weights[i] (weights adding
 * up to 1 keep the result in [0, 1]).  A value of 0 or NaN (missing) on a
 * criterion with a positive weight makes the product 0; a criterion with
 * weight 0 is left out (v^0 = 1).  n = 0 gives the empty product, 1. */
double dcs_weighted_product(const double *values, const double *weights, size_t n);

/* TOPSIS (Hwang and Yoon, 1981) for benefit criteria.  values is nalt x
 * ncrit, row-major, each NaN (missing, counted as 0) or in [0, 1]; weights
 * are >= 0 and finite.  Each column is divided by its Euclidean norm (an
 * all-zero column stays 0) and multiplied by its weight; the ideal is the
 * column maximum, the anti-ideal the column minimum; closeness[i] = d- /
 * (d+ + d-) with d+ and d- the Euclidean distances of alternative i to the
 * ideal and the anti-ideal.  When d+ + d- = 0 (the alternative sits on
 * both, e.g. all alternatives are equal) closeness is 0.  A value or
 * weight out of range is a caller bug: DCS_ERR_INTERNAL. */
dcs_status dcs_topsis(const double *values, size_t nalt, size_t ncrit, const double *weights,
                      double *closeness, dcs_error *err);

typedef enum { DCS_AGG_WEIGHTED_SUM, DCS_AGG_WEIGHTED_PRODUCT, DCS_AGG_TOPSIS } dcs_aggregation;

/* "weighted_sum", "weighted_product" or "topsis" ("?" for another value). */
const char *dcs_aggregation_name(dcs_aggregation agg);

/* 1 and *out set when name is one of the names above, else 0 (*out kept). */
int dcs_aggregation_from_name(const char *name, dcs_aggregation *out);

#endif
