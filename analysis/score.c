/* score.c - value functions, scores and ranks. See score.h. */
#include "score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double dcs_value_fn_eval(const dcs_value_fn *fn, double x)
{
    if (isnan(x))
        return NAN;
    switch (fn->type) {
    case DCS_VF_LINEAR: {
        double v = (x - fn->worst) / (fn->best - fn->worst);
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }
    }
    return NAN;
}

double dcs_weighted_sum(const double *values, const double *weights, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(values[i]))
            s += weights[i] * values[i];
    return s;
}

/* What compare_rank needs to order two site indices (glibc qsort_r). */
typedef struct {
    const double *score;
    const char *const *ids;
} rank_ctx;

static int compare_rank(const void *a, const void *b, void *arg)
{
    const rank_ctx *c = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (c->score[i] > c->score[j])
        return -1;
    if (c->score[i] < c->score[j])
        return 1;
    int k = strcmp(c->ids[i], c->ids[j]);
    if (k)
        return k;
    return i < j ? -1 : i > j;
}

size_t dcs_rank_sites(const double *score, const char *const *ids,
                      const unsigned char *eligible, size_t n, size_t *order, size_t *rank)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        rank[i] = 0;
        if (eligible[i])
            order[k++] = i;
    }
    rank_ctx ctx = {score, ids};
    qsort_r(order, k, sizeof *order, compare_rank, &ctx);
    for (size_t r = 0; r < k; r++)
        rank[order[r]] = r + 1;
    return k;
}
