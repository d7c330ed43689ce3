/* sensitivity.c - Monte Carlo over the weights and one-at-a-time sweeps.
 * See sensitivity.h. */
#include "decision/sensitivity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decision/mcda.h"
#include "decision/score.h"

uint64_t dcs_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double dcs_rand_unit(uint64_t *state)
{
    return (double)(dcs_splitmix64(state) >> 11) * 0x1.0p-53;
}

void dcs_sweep_weights(const double *base, size_t ncrits, size_t c, double t, double *out)
{
    if (ncrits == 1) {
        out[0] = 1;
        return;
    }
    double rest = 1 - base[c];
    for (size_t j = 0; j < ncrits; j++)
        out[j] = rest > 1e-15 ? base[j] * (1 - t) / rest : (1 - t) / (double)(ncrits - 1);
    out[c] = t;
}

/* Everything needed to score and rank the sites under some weights. */
typedef struct {
    const dcs_sens_input *in;
    size_t neligible;
    double *compact; /* TOPSIS: the eligible sites' values, row by row */
    double *close;   /* TOPSIS closeness of the eligible sites */
    double *score, *w;
    size_t *order, *rank;
} scorer;

static void scorer_free(scorer *s)
{
    free(s->compact);
    free(s->close);
    free(s->score);
    free(s->w);
    free(s->order);
    free(s->rank);
}

static int scorer_init(scorer *s, const dcs_sens_input *in)
{
    memset(s, 0, sizeof *s);
    s->in = in;
    size_t n1 = in->n ? in->n : 1, nc1 = in->ncrits ? in->ncrits : 1;
    s->compact = malloc(n1 * nc1 * sizeof *s->compact);
    s->close = malloc(n1 * sizeof *s->close);
    s->score = malloc(n1 * sizeof *s->score);
    s->w = malloc(nc1 * sizeof *s->w);
    s->order = malloc(n1 * sizeof *s->order);
    s->rank = malloc(n1 * sizeof *s->rank);
    if (!s->compact || !s->close || !s->score || !s->w || !s->order || !s->rank)
        return -1;
    for (size_t i = 0; i < in->n; i++)
        if (in->eligible[i])
            memcpy(s->compact + in->ncrits * s->neligible++, in->value + i * in->ncrits,
                   in->ncrits * sizeof *s->compact);
    return 0;
}

/* Scores of every site under the weights in s->w (NaN when excluded). */
static dcs_status score_all(scorer *s, dcs_error *err)
{
    const dcs_sens_input *in = s->in;
    if (in->aggregation == DCS_AGG_TOPSIS) {
        dcs_status st = dcs_topsis(s->compact, s->neligible, in->ncrits, s->w, s->close, err);
        for (size_t i = 0, k = 0; st == DCS_OK && i < in->n; i++)
            s->score[i] = in->eligible[i] ? s->close[k++] : NAN;
        return st;
    }
    for (size_t i = 0; i < in->n; i++) {
        const double *v = in->value + i * in->ncrits;
        if (!in->eligible[i])
            s->score[i] = NAN;
        else if (in->aggregation == DCS_AGG_WEIGHTED_PRODUCT)
            s->score[i] = dcs_weighted_product(v, s->w, in->ncrits);
        else
            s->score[i] = dcs_weighted_sum(v, s->w, in->ncrits);
    }
    return DCS_OK;
}

/* The first site of the ranking (highest score, then lowest id), as in
 * dcs_rank_sites. */
static size_t top_site(const scorer *s)
{
    size_t best = DCS_SENS_NONE;
    for (size_t i = 0; i < s->in->n; i++) {
        if (!s->in->eligible[i])
            continue;
        if (best == DCS_SENS_NONE || s->score[i] > s->score[best] ||
            (s->score[i] == s->score[best] && strcmp(s->in->id[i], s->in->id[best]) < 0))
            best = i;
    }
    return best;
}

/* Draw one weight vector into s->w. */
static void draw_weights(scorer *s, const dcs_sens_params *p, uint64_t *state)
{
    const double *base = s->in->weight;
    size_t nc = s->in->ncrits;
    double sum = 0;
    for (size_t c = 0; c < nc; c++) {
        double u = dcs_rand_unit(state);
        if (!p->lo)
            s->w[c] = base[c] * (1 - p->perturbation + 2 * p->perturbation * u);
        else if (isnan(p->lo[c]))
            s->w[c] = base[c];
        else
            s->w[c] = p->lo[c] + (p->hi[c] - p->lo[c]) * u;
        sum += s->w[c];
    }
    for (size_t c = 0; c < nc; c++)
        s->w[c] = sum > 0 ? s->w[c] / sum : base[c];
}

static int alloc_result(dcs_sensitivity *o, const dcs_sens_input *in, const dcs_sens_params *p)
{
    memset(o, 0, sizeof *o);
    size_t n1 = in->n ? in->n : 1, nc1 = in->ncrits ? in->ncrits : 1;
    o->n = in->n;
    o->ncrits = in->ncrits;
    o->runs = p->runs;
    o->top_n = p->top_n;
    o->steps = p->sweep_steps;
    o->p_top = malloc(n1 * sizeof *o->p_top);
    o->rank_p05 = malloc(n1 * sizeof *o->rank_p05);
    o->rank_p50 = malloc(n1 * sizeof *o->rank_p50);
    o->rank_p95 = malloc(n1 * sizeof *o->rank_p95);
    o->sweep_top = malloc(nc1 * (p->sweep_steps ? p->sweep_steps : 1) * sizeof *o->sweep_top);
    o->sweep_lo = malloc(nc1 * sizeof *o->sweep_lo);
    o->sweep_hi = malloc(nc1 * sizeof *o->sweep_hi);
    o->sweep_lo_site = malloc(nc1 * sizeof *o->sweep_lo_site);
    o->sweep_hi_site = malloc(nc1 * sizeof *o->sweep_hi_site);
    if (!o->p_top || !o->rank_p05 || !o->rank_p50 || !o->rank_p95 || !o->sweep_top ||
        !o->sweep_lo || !o->sweep_hi || !o->sweep_lo_site || !o->sweep_hi_site)
        return -1;
    for (size_t i = 0; i < in->n; i++)
        o->p_top[i] = o->rank_p05[i] = o->rank_p50[i] = o->rank_p95[i] = NAN;
    return 0;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile pct (0-100) of the sorted ranks v[0..runs). */
static double percentile(const uint32_t *v, size_t runs, size_t pct)
{
    size_t k = (pct * runs + 99) / 100;
    return v[k ? k - 1 : 0];
}

static void rank_percentiles(dcs_sensitivity *o, const dcs_sens_input *in, uint32_t *ranks)
{
    for (size_t i = 0; i < in->n; i++) {
        if (!in->eligible[i] || in->base_rank[i] == 0 || in->base_rank[i] > o->ntracked)
            continue;
        uint32_t *v = ranks + (in->base_rank[i] - 1) * o->runs;
        qsort(v, o->runs, sizeof *v, compare_u32);
        o->rank_p05[i] = percentile(v, o->runs, 5);
        o->rank_p50[i] = percentile(v, o->runs, 50);
        o->rank_p95[i] = percentile(v, o->runs, 95);
    }
}

static dcs_status monte_carlo(scorer *s, const dcs_sens_params *p, dcs_sensitivity *o,
                              dcs_error *err)
{
    const dcs_sens_input *in = s->in;
    o->ntracked = s->neligible < DCS_SENS_MAX_CELLS / p->runs ? s->neligible
                                                               : DCS_SENS_MAX_CELLS / p->runs;
    size_t *count = calloc(in->n ? in->n : 1, sizeof *count);
    uint32_t *ranks = malloc((o->ntracked ? o->ntracked : 1) * p->runs * sizeof *ranks);
    dcs_status st = DCS_OK;
    if (!count || !ranks) {
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (sensitivity analysis)");
        goto fail;
    }
    uint64_t state = p->seed;
    for (size_t r = 0; r < p->runs && st == DCS_OK; r++) {
        draw_weights(s, p, &state);
        if ((st = score_all(s, err)) != DCS_OK)
            break;
        dcs_rank_sites(s->score, in->id, in->eligible, in->n, s->order, s->rank);
        for (size_t i = 0; i < in->n; i++) {
            size_t b = in->base_rank[i];
            if (!in->eligible[i])
                continue;
            count[i] += s->rank[i] <= p->top_n;
            if (b >= 1 && b <= o->ntracked)
                ranks[(b - 1) * p->runs + r] = (uint32_t)s->rank[i];
        }
    }
    for (size_t i = 0; st == DCS_OK && i < in->n; i++)
        if (in->eligible[i])
            o->p_top[i] = (double)count[i] / (double)p->runs;
    if (st == DCS_OK)
        rank_percentiles(o, in, ranks);
fail:
    free(count);
    free(ranks);
    return st;
}

/* The top site with criterion c at weight t (others scaled). */
static dcs_status top_at(scorer *s, size_t c, double t, size_t *top, dcs_error *err)
{
    dcs_sweep_weights(s->in->weight, s->in->ncrits, c, t, s->w);
    dcs_status st = score_all(s, err);
    *top = top_site(s);
    return st;
}

/* Between a (the base top site leads) and b (site other leads), find where
 * the lead changes; *at is the midpoint of the final bracket. */
static dcs_status bisect(scorer *s, size_t c, size_t base_top, double a, double b, double *at,
                         size_t *other, dcs_error *err)
{
    dcs_status st = DCS_OK;
    while (st == DCS_OK && fabs(b - a) > 1e-9) {
        double m = 0.5 * (a + b);
        size_t top;
        st = top_at(s, c, m, &top, err);
        if (top == base_top) {
            a = m;
        } else {
            b = m;
            *other = top;
        }
    }
    *at = 0.5 * (a + b);
    return st;
}

/* From the base weight towards the end `dir` (+1: up to 1, -1: down to 0),
 * the first grid step whose top site differs, then bisection. */
static dcs_status find_change(scorer *s, dcs_sensitivity *o, size_t c, size_t base_top, int dir,
                              double *at, size_t *site, dcs_error *err)
{
    double wc = s->in->weight[c], prev = wc;
    size_t steps = o->steps;
    *at = dir > 0 ? 1 : 0;
    *site = DCS_SENS_NONE;
    for (size_t j = 0; j < steps; j++) {
        size_t k = dir > 0 ? j : steps - 1 - j;
        double t = (double)k / (double)(steps - 1);
        if ((dir > 0 && t <= wc) || (dir < 0 && t >= wc))
            continue;
        size_t top = o->sweep_top[c * steps + k];
        if (top != base_top) {
            *site = top;
            return bisect(s, c, base_top, prev, t, at, site, err);
        }
        prev = t;
    }
    return DCS_OK;
}

static dcs_status sweep(scorer *s, dcs_sensitivity *o, dcs_error *err)
{
    dcs_status st = DCS_OK;
    for (size_t c = 0; c < o->ncrits && st == DCS_OK; c++) {
        for (size_t k = 0; k < o->steps && st == DCS_OK; k++)
            st = top_at(s, c, (double)k / (double)(o->steps - 1), &o->sweep_top[c * o->steps + k],
                        err);
        size_t base_top = DCS_SENS_NONE;
        if (st == DCS_OK)
            st = top_at(s, c, s->in->weight[c], &base_top, err);
        if (st == DCS_OK)
            st = find_change(s, o, c, base_top, -1, &o->sweep_lo[c], &o->sweep_lo_site[c], err);
        if (st == DCS_OK)
            st = find_change(s, o, c, base_top, +1, &o->sweep_hi[c], &o->sweep_hi_site[c], err);
    }
    return st;
}

dcs_status dcs_sensitivity_run(const dcs_sens_input *in, const dcs_sens_params *p,
                               dcs_sensitivity *out, dcs_error *err)
{
    if (p->runs < 1 || p->top_n < 1 || p->sweep_steps < 2 || in->ncrits < 1)
        return dcs_error_set(err, DCS_ERR_INTERNAL,
                             "sensitivity: runs, top_n, criteria must be >= 1, steps >= 2");
    scorer s;
    dcs_status st = DCS_OK;
    memset(out, 0, sizeof *out);
    if (scorer_init(&s, in) != 0 || alloc_result(out, in, p) != 0)
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (sensitivity analysis)");
    if (st == DCS_OK)
        st = monte_carlo(&s, p, out, err);
    if (st == DCS_OK)
        st = sweep(&s, out, err);
    scorer_free(&s);
    if (st != DCS_OK)
        dcs_sensitivity_free(out);
    return st;
}

void dcs_sensitivity_free(dcs_sensitivity *s)
{
    free(s->p_top);
    free(s->rank_p05);
    free(s->rank_p50);
    free(s->rank_p95);
    free(s->sweep_top);
    free(s->sweep_lo);
    free(s->sweep_hi);
    free(s->sweep_lo_site);
    free(s->sweep_hi_site);
    memset(s, 0, sizeof *s);
}
