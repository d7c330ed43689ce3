/* score.c - value functions, scores and ranks. See score.h. */
#include "decision/score.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Linear interpolation through the breakpoints, flat beyond the ends. */
static double piecewise(const dcs_value_fn *fn, double x)
{
    size_t n = fn->npoints;
    if (x <= fn->x[0])
        return fn->v[0];
    if (x >= fn->x[n - 1])
        return fn->v[n - 1];
    size_t i = 1;
    while (fn->x[i] < x)
        i++;
    double t = (x - fn->x[i - 1]) / (fn->x[i] - fn->x[i - 1]);
    return fn->v[i - 1] + t * (fn->v[i] - fn->v[i - 1]);
}

/* The value of the last breakpoint at or below x (the first one below). */
static double step(const dcs_value_fn *fn, double x)
{
    size_t i = 0;
    while (i + 1 < fn->npoints && fn->x[i + 1] <= x)
        i++;
    return fn->v[i];
}

double dcs_value_fn_eval(const dcs_value_fn *fn, double x)
{
    if (isnan(x))
        return NAN;
    switch (fn->type) {
    case DCS_VF_LINEAR: {
        double v = (x - fn->worst) / (fn->best - fn->worst);
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }
    case DCS_VF_PIECEWISE:
        return piecewise(fn, x);
    case DCS_VF_STEP:
        return step(fn, x);
    case DCS_VF_CATEGORICAL:
        break;
    }
    return NAN;
}

double dcs_value_fn_eval_text(const dcs_value_fn *fn, const char *text)
{
    if (!text || fn->type != DCS_VF_CATEGORICAL)
        return NAN;
    for (size_t i = 0; i < fn->ncat; i++)
        if (strcmp(fn->cat[i], text) == 0)
            return fn->v[i];
    return fn->other;
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

/* Indices of the eligible sites into order; their count. */
static size_t eligible_sites(const unsigned char *eligible, size_t n, size_t *order,
                             size_t *rank)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        rank[i] = 0;
        if (eligible[i])
            order[k++] = i;
    }
    return k;
}

static void set_ranks(const size_t *order, size_t k, size_t *rank)
{
    for (size_t r = 0; r < k; r++)
        rank[order[r]] = r + 1;
}

size_t dcs_rank_sites(const double *score, const char *const *ids,
                      const unsigned char *eligible, size_t n, size_t *order, size_t *rank)
{
    size_t k = eligible_sites(eligible, n, order, rank);
    rank_ctx ctx = {.score = score, .ids = ids};
    qsort_r(order, k, sizeof *order, compare_rank, &ctx);
    set_ranks(order, k, rank);
    return k;
}

/* Below this many eligible sites one thread sorts (a thread costs more). */
#define SPLIT_SORT_MIN 65536

typedef struct {
    size_t *a;
    size_t n;
    const rank_ctx *ctx;
} sort_half;

static void *sort_half_thread(void *arg)
{
    sort_half *h = arg;
    qsort_r(h->a, h->n, sizeof *h->a, compare_rank, (void *)h->ctx);
    return NULL;
}

/* a[0 .. na) and b[0 .. nb), each sorted, merged into out. */
static void merge_ranked(const size_t *a, size_t na, const size_t *b, size_t nb, size_t *out,
                         const rank_ctx *ctx)
{
    size_t i = 0, j = 0, o = 0;
    while (i < na && j < nb)
        out[o++] = compare_rank(&b[j], &a[i], (void *)ctx) < 0 ? b[j++] : a[i++];
    while (i < na)
        out[o++] = a[i++];
    while (j < nb)
        out[o++] = b[j++];
}

size_t dcs_rank_sites_threads(const double *score, const char *const *ids,
                              const unsigned char *eligible, size_t n, size_t *order,
                              size_t *rank, int threads)
{
    size_t k = eligible_sites(eligible, n, order, rank);
    rank_ctx ctx = {.score = score, .ids = ids};
    size_t *merged = threads > 1 && k >= SPLIT_SORT_MIN ? malloc(k * sizeof *merged) : NULL;
    pthread_t tid;
    sort_half first = {.a = order, .n = k / 2, .ctx = &ctx};
    if (!merged || pthread_create(&tid, NULL, sort_half_thread, &first) != 0) {
        free(merged); /* one thread: as dcs_rank_sites */
        qsort_r(order, k, sizeof *order, compare_rank, &ctx);
        set_ranks(order, k, rank);
        return k;
    }
    qsort_r(order + k / 2, k - k / 2, sizeof *order, compare_rank, &ctx);
    pthread_join(tid, NULL);
    merge_ranked(order, k / 2, order + k / 2, k - k / 2, merged, &ctx);
    memcpy(order, merged, k * sizeof *order);
    free(merged);
    set_ranks(order, k, rank);
    return k;
}
