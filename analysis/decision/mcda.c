/* mcda.c - AHP weights, weighted product, TOPSIS. See mcda.h. */
#include "decision/mcda.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AHP_DIAGONAL_TOL 1e-9
#define AHP_RECIPROCAL_TOL 1e-6
#define AHP_CONVERGED 1e-12
#define AHP_MAX_ITER 10000

/* Saaty's random consistency index RI(n), n = 1..15 (index 0 unused): the
 * mean CI of random reciprocal matrices with entries from the 1/9..9 scale,
 * as published (including the dip at n = 12) in T. L. Saaty, The Analytic
 * Hierarchy Process, McGraw-Hill, New York, 1980; n = 1..10 are reprinted
 * in T. L. Saaty, "How to make a decision: the Analytic Hierarchy
 * Process", European Journal of Operational Research 48 (1990) 9-26. */
static const double random_index[DCS_AHP_MAX_N + 1] = {
    0, 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
};

static dcs_status check_entries(const double *a, size_t n, dcs_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double v = a[i * n + j];
            if (!isfinite(v) || v <= 0)
                return dcs_error_set(err, DCS_ERR_SCENARIO,
                                     "matrix[%zu][%zu] = %g is not a positive finite number", i,
                                     j, v);
        }
    return DCS_OK;
}

static dcs_status check_diagonal(const double *a, size_t n, dcs_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i * n + i] - 1) > AHP_DIAGONAL_TOL)
            return dcs_error_set(err, DCS_ERR_SCENARIO,
                                 "matrix[%zu][%zu] = %g is on the diagonal and must be 1", i, i,
                                 a[i * n + i]);
    return DCS_OK;
}

/* a[j][i] * a[i][j] = 1 within the relative tolerance, for every i < j. */
static dcs_status check_reciprocal(const double *a, size_t n, dcs_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double up = a[i * n + j], low = a[j * n + i];
            if (fabs(low * up - 1) > AHP_RECIPROCAL_TOL)
                return dcs_error_set(err, DCS_ERR_SCENARIO,
                                     "matrix[%zu][%zu] = %g is not the reciprocal of "
                                     "matrix[%zu][%zu] = %g (expected %.4g)",
                                     j, i, low, i, j, up, 1 / up);
        }
    return DCS_OK;
}

/* y = A w; returns the sum of y. */
static double multiply(const double *a, size_t n, const double *w, double *y)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] = 0;
        for (size_t j = 0; j < n; j++)
            y[i] += a[i * n + j] * w[j];
        sum += y[i];
    }
    return sum;
}

/* Power iteration from the uniform vector, w kept at sum 1; 1 when two
 * successive vectors agree within AHP_CONVERGED in every component. */
static int power_iterate(const double *a, size_t n, double *w)
{
    double y[DCS_AHP_MAX_N];
    for (size_t i = 0; i < n; i++)
        w[i] = 1.0 / (double)n;
    for (int it = 0; it < AHP_MAX_ITER; it++) {
        double sum = multiply(a, n, w, y), change = 0;
        if (!isfinite(sum) || sum <= 0)
            return 0;
        for (size_t i = 0; i < n; i++) {
            y[i] /= sum;
            change = fmax(change, fabs(y[i] - w[i]));
            w[i] = y[i];
        }
        if (change <= AHP_CONVERGED)
            return 1;
    }
    return 0;
}

dcs_status dcs_ahp_weights(const double *matrix, size_t n, double *weights, double *lambda_max,
                           double *ci, double *cr, dcs_error *err)
{
    if (n < 1 || n > DCS_AHP_MAX_N)
        return dcs_error_set(err, DCS_ERR_SCENARIO, "matrix size n = %zu is outside 1..%d", n,
                             DCS_AHP_MAX_N);
    dcs_status st = check_entries(matrix, n, err);
    if (st == DCS_OK)
        st = check_diagonal(matrix, n, err);
    if (st == DCS_OK)
        st = check_reciprocal(matrix, n, err);
    if (st != DCS_OK)
        return st;
    if (!power_iterate(matrix, n, weights))
        return dcs_error_set(err, DCS_ERR_SCENARIO,
                             "matrix: the power iteration for the principal eigenvector did "
                             "not converge in %d iterations",
                             AHP_MAX_ITER);
    double y[DCS_AHP_MAX_N];
    /* sum of (A w)_i = lambda_max * sum of w_i = lambda_max */
    double lambda = multiply(matrix, n, weights, y);
    /* lambda_max >= n for a positive reciprocal matrix (Saaty, J. Math.
     * Psych. 15 (1977) 234-281), so a negative CI is rounding noise */
    double c = n > 2 ? fmax(0, (lambda - (double)n) / (double)(n - 1)) : 0;
    if (lambda_max)
        *lambda_max = lambda;
    if (ci)
        *ci = c;
    if (cr)
        *cr = n > 2 ? c / random_index[n] : 0;
    return DCS_OK;
}

double dcs_weighted_product(const double *values, const double *weights, size_t n)
{
    double p = 1;
    for (size_t i = 0; i < n; i++) {
        if (weights[i] == 0)
            continue;
        if (isnan(values[i]) || values[i] <= 0)
            return 0;
        p *= pow(values[i], weights[i]);
    }
    return p;
}

static double value_or_zero(double v)
{
    return isnan(v) ? 0 : v;
}

static dcs_status check_topsis_input(const double *values, size_t nalt, size_t ncrit,
                                     const double *weights, dcs_error *err)
{
    for (size_t j = 0; j < ncrit; j++)
        if (!isfinite(weights[j]) || weights[j] < 0)
            return dcs_error_set(err, DCS_ERR_INTERNAL,
                                 "topsis: weights[%zu] = %g is not a finite number >= 0", j,
                                 weights[j]);
    for (size_t i = 0; i < nalt; i++)
        for (size_t j = 0; j < ncrit; j++) {
            double v = values[i * ncrit + j];
            if (!isnan(v) && !(v >= 0 && v <= 1))
                return dcs_error_set(err, DCS_ERR_INTERNAL,
                                     "topsis: values[%zu][%zu] = %g is outside [0, 1]", i, j, v);
        }
    return DCS_OK;
}

/* Column j: its Euclidean norm, and the largest and smallest weighted
 * normalised value (the ideal and anti-ideal). */
static void topsis_column(const double *values, size_t nalt, size_t ncrit, double weight,
                          size_t j, double *norm, double *ideal, double *anti)
{
    double ss = 0;
    for (size_t i = 0; i < nalt; i++) {
        double x = value_or_zero(values[i * ncrit + j]);
        ss += x * x;
    }
    *norm = sqrt(ss);
    *ideal = -INFINITY;
    *anti = INFINITY;
    for (size_t i = 0; i < nalt; i++) {
        double x = value_or_zero(values[i * ncrit + j]);
        double v = *norm > 0 ? weight * (x / *norm) : 0;
        *ideal = fmax(*ideal, v);
        *anti = fmin(*anti, v);
    }
}

/* d- / (d+ + d-) for one row, 0 when both distances are 0. */
static double topsis_closeness(const double *row, size_t ncrit, const double *weights,
                               const double *norm, const double *ideal, const double *anti)
{
    double plus = 0, minus = 0;
    for (size_t j = 0; j < ncrit; j++) {
        double x = value_or_zero(row[j]);
        double v = norm[j] > 0 ? weights[j] * (x / norm[j]) : 0;
        plus += (v - ideal[j]) * (v - ideal[j]);
        minus += (v - anti[j]) * (v - anti[j]);
    }
    plus = sqrt(plus);
    minus = sqrt(minus);
    return plus + minus > 0 ? minus / (plus + minus) : 0;
}

dcs_status dcs_topsis(const double *values, size_t nalt, size_t ncrit, const double *weights,
                      double *closeness, dcs_error *err)
{
    dcs_status st = check_topsis_input(values, nalt, ncrit, weights, err);
    if (st != DCS_OK || nalt == 0)
        return st;
    if (ncrit == 0) {
        for (size_t i = 0; i < nalt; i++)
            closeness[i] = 0;
        return DCS_OK;
    }
    double *norm = NULL, *ideal, *anti;
    if (ncrit > SIZE_MAX / (3 * sizeof *norm)) {
        st = dcs_error_set(err, DCS_ERR_NOMEM, "topsis: %zu criteria are too many", ncrit);
        goto fail;
    }
    norm = malloc(3 * ncrit * sizeof *norm);
    if (!norm) {
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory for topsis (%zu criteria)", ncrit);
        goto fail;
    }
    ideal = norm + ncrit;
    anti = ideal + ncrit;
    for (size_t j = 0; j < ncrit; j++)
        topsis_column(values, nalt, ncrit, weights[j], j, &norm[j], &ideal[j], &anti[j]);
    for (size_t i = 0; i < nalt; i++)
        closeness[i] = topsis_closeness(values + i * ncrit, ncrit, weights, norm, ideal, anti);
fail:
    free(norm);
    return st;
}

static const char *const aggregation_names[] = {
    [DCS_AGG_WEIGHTED_SUM] = "weighted_sum",
    [DCS_AGG_WEIGHTED_PRODUCT] = "weighted_product",
    [DCS_AGG_TOPSIS] = "topsis",
};

#define AGGREGATION_COUNT (sizeof aggregation_names / sizeof aggregation_names[0])

const char *dcs_aggregation_name(dcs_aggregation agg)
{
    if ((size_t)agg >= AGGREGATION_COUNT)
        return "?";
    return aggregation_names[agg];
}

int dcs_aggregation_from_name(const char *name, dcs_aggregation *out)
{
    if (!name)
        return 0;
    for (size_t k = 0; k < AGGREGATION_COUNT; k++)
        if (strcmp(name, aggregation_names[k]) == 0) {
            *out = (dcs_aggregation)k;
            return 1;
        }
    return 0;
}
