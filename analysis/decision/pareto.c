/* pareto.c - non-dominated sites. See pareto.h. */
#include "decision/pareto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Per site and goal a "badness" key: lower is better, missing = +inf. */
typedef struct {
    const double *key;
    size_t ngoals;
} sort_ctx;

static int compare_keys(const void *a, const void *b, void *arg)
{
    const sort_ctx *c = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const double *ki = c->key + i * c->ngoals, *kj = c->key + j * c->ngoals;
    for (size_t g = 0; g < c->ngoals; g++) {
        if (ki[g] < kj[g])
            return -1;
        if (ki[g] > kj[g])
            return 1;
    }
    return i < j ? -1 : i > j;
}

/* 1 when key a dominates key b. */
static int dominates(const double *a, const double *b, size_t ngoals)
{
    int better = 0;
    for (size_t g = 0; g < ngoals; g++) {
        if (a[g] > b[g])
            return 0;
        better |= a[g] < b[g];
    }
    return better;
}

static void make_keys(const double *num, size_t nnum, size_t n, const dcs_pareto_goal *goals,
                      size_t ngoals, double *key)
{
    for (size_t i = 0; i < n; i++)
        for (size_t g = 0; g < ngoals; g++) {
            double v = num[i * nnum + goals[g].col];
            key[i * ngoals + g] = isnan(v) ? INFINITY : goals[g].maximize ? -v : v;
        }
}

dcs_status dcs_pareto_front(const double *num, size_t nnum, size_t n,
                            const unsigned char *eligible, const dcs_pareto_goal *goals,
                            size_t ngoals, unsigned char *front, dcs_error *err)
{
    double *key = malloc((n ? n : 1) * (ngoals ? ngoals : 1) * sizeof *key);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    size_t *members = malloc((n ? n : 1) * sizeof *members);
    if (!key || !order || !members) {
        free(key);
        free(order);
        free(members);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (Pareto front)");
    }
    make_keys(num, nnum, n, goals, ngoals, key);
    size_t k = 0, nfront = 0;
    for (size_t i = 0; i < n; i++) {
        front[i] = 0;
        if (eligible[i])
            order[k++] = i;
    }
    sort_ctx ctx = {.key = key, .ngoals = ngoals};
    qsort_r(order, k, sizeof *order, compare_keys, &ctx);
    for (size_t r = 0; r < k; r++) {
        size_t i = order[r];
        int beaten = 0;
        for (size_t f = 0; f < nfront && !beaten; f++)
            beaten = dominates(key + members[f] * ngoals, key + i * ngoals, ngoals);
        if (!beaten) {
            members[nfront++] = i;
            front[i] = 1;
        }
    }
    free(key);
    free(order);
    free(members);
    return DCS_OK;
}
