/* evaluate.c - constraints, scores and ranks. See evaluate.h. */
#include "decision/evaluate.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision/constraints.h"
#include "decision/mcda.h"
#include "decision/score.h"

static int allocate(dcs_evaluation *ev, size_t n, size_t nrules, size_t ncrits)
{
    memset(ev, 0, sizeof *ev);
    ev->n = n;
    ev->nrules = nrules;
    ev->ncrits = ncrits;
    size_t n1 = n ? n : 1;
    ev->failed = calloc(n1 * (nrules ? nrules : 1), 1);
    ev->eligible = calloc(n1, 1);
    ev->gaps = calloc(n1, sizeof *ev->gaps);
    ev->value = calloc(n1 * (ncrits ? ncrits : 1), sizeof *ev->value);
    ev->score = calloc(n1, sizeof *ev->score);
    ev->rank = calloc(n1, sizeof *ev->rank);
    ev->order = calloc(n1, sizeof *ev->order);
    ev->rule_fails = calloc(nrules ? nrules : 1, sizeof *ev->rule_fails);
    return ev->failed && ev->eligible && ev->gaps && ev->value && ev->score &&
                   ev->rank && ev->order && ev->rule_fails
               ? 0
               : -1;
}

void dcs_rule_label(const dcs_rule *rule, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", rule->context >= 0 ? "coverage_" : "", rule->name);
}

/* 1 when the metric's context layer does not cover site i. */
static int uncovered(const dcs_model *m, const dcs_site_rows *rows, size_t i, size_t metric)
{
    long k = m->metrics[metric].context;
    return k >= 0 && rows->outside && rows->outside[i * rows->ncontexts + (size_t)k];
}

/* Check one rule on site i: 1 pass, 0 fail (reason filled). */
static int check_rule(const dcs_model *m, const dcs_site_rows *rows, size_t i,
                      const dcs_rule *rule, char *reason, size_t size)
{
    if (rule->context >= 0) {
        if (!rows->outside || !rows->outside[i * rows->ncontexts + (size_t)rule->context])
            return 1;
        if (reason)
            snprintf(reason, size, "coverage_%s: layer '%s' does not cover this site",
                     rule->name, rule->name);
        return 0;
    }
    if (uncovered(m, rows, i, rule->metric)) /* neutral: the rule does not apply */
        return 1;
    const dcs_metric *mt = &m->metrics[rule->metric];
    double x = mt->kind == DCS_NUM ? rows->num[i * rows->nnum + mt->col] : NAN;
    const char *t = mt->kind == DCS_TEXT ? rows->text[i * rows->ntext + mt->col] : NULL;
    return dcs_rule_check(rule, mt->name, x, t, reason, size);
}

/* Check every rule on site i: its failed flags and eligibility (the
 * reasons are written out only when asked, dcs_evaluation_reasons()). */
static int apply_rules(const dcs_model *m, const dcs_site_rows *rows, size_t i,
                       dcs_evaluation *ev)
{
    int fails = 0;
    for (size_t r = 0; r < m->nrules; r++) {
        if (check_rule(m, rows, i, &m->rules[r], NULL, 0))
            continue;
        ev->failed[i * m->nrules + r] = 1;
        fails++;
    }
    ev->eligible[i] = fails == 0;
    return 0;
}

/* A text grown piece by piece, pieces parted by a separator; s stays NULL
 * until a piece comes (caller frees s). */
typedef struct {
    char *s;
    size_t len, cap;
    int nomem;
} joined;

static void join_add(joined *j, const char *sep, const char *piece)
{
    size_t seplen = j->s ? strlen(sep) : 0, n = strlen(piece), need = j->len + seplen + n + 1;
    if (j->nomem)
        return;
    if (need > j->cap) {
        char *grown = realloc(j->s, need * 2);
        if (!grown) {
            j->nomem = 1;
            return;
        }
        j->s = grown;
        j->cap = need * 2;
    }
    memcpy(j->s + j->len, sep, seplen);
    memcpy(j->s + j->len + seplen, piece, n + 1);
    j->len += seplen + n;
}

/* The joined text, or NULL with *nomem set when a piece did not fit. */
static char *join_finish(joined *j, int *nomem)
{
    *nomem = j->nomem;
    if (!j->nomem)
        return j->s;
    free(j->s);
    return NULL;
}

char *dcs_evaluation_reasons(const dcs_model *m, const dcs_site_rows *rows,
                             const dcs_evaluation *ev, size_t i, int *nomem)
{
    joined why = {0};
    for (size_t r = 0; r < m->nrules; r++) {
        char reason[768]; /* "ordinances: " lists every failed ordinance rule */
        if (ev->failed[i * m->nrules + r] &&
            !check_rule(m, rows, i, &m->rules[r], reason, sizeof reason))
            join_add(&why, "; ", reason);
    }
    return join_finish(&why, nomem);
}

/* Names of the context layers that do not cover site i. */
static int list_gaps(const dcs_model *m, const dcs_site_rows *rows, size_t i,
                     dcs_evaluation *ev)
{
    if (!rows->outside)
        return 0;
    joined gaps = {0};
    for (size_t k = 0; k < rows->ncontexts; k++)
        if (rows->outside[i * rows->ncontexts + k])
            join_add(&gaps, ", ", m->scn->contexts[k].name);
    int nomem;
    ev->gaps[i] = join_finish(&gaps, &nomem);
    return nomem ? -1 : 0;
}

static void criterion_values(const dcs_model *m, const dcs_site_rows *rows, size_t i,
                             dcs_evaluation *ev)
{
    double *val = ev->value + i * m->ncrits;
    for (size_t c = 0; c < m->ncrits; c++) {
        const dcs_crit *k = &m->crits[c];
        const dcs_metric *mt = &m->metrics[k->metric];
        if (uncovered(m, rows, i, k->metric))
            val[c] = DCS_NEUTRAL_VALUE;
        else if (mt->kind == DCS_TEXT)
            val[c] = dcs_value_fn_eval_text(k->fn, rows->text[i * rows->ntext + mt->col]);
        else
            val[c] = dcs_value_fn_eval(k->fn, rows->num[i * rows->nnum + mt->col]);
    }
}

/* TOPSIS closeness over the eligible sites only. */
static dcs_status topsis_scores(const dcs_model *m, dcs_evaluation *ev, const double *w,
                                dcs_error *err)
{
    size_t k = 0, nc = m->ncrits;
    double *vals = malloc((ev->n ? ev->n : 1) * (nc ? nc : 1) * sizeof *vals);
    double *close = malloc((ev->n ? ev->n : 1) * sizeof *close);
    dcs_status st = DCS_OK;
    if (!vals || !close) {
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory (TOPSIS)");
        goto fail;
    }
    for (size_t i = 0; i < ev->n; i++)
        if (ev->eligible[i])
            memcpy(vals + nc * k++, ev->value + i * nc, nc * sizeof *vals);
    st = dcs_topsis(vals, k, nc, w, close, err);
    k = 0;
    for (size_t i = 0; st == DCS_OK && i < ev->n; i++)
        ev->score[i] = ev->eligible[i] ? close[k++] : NAN;
fail:
    free(vals);
    free(close);
    return st;
}

static dcs_status aggregate(const dcs_model *m, dcs_evaluation *ev, const double *w,
                            dcs_error *err)
{
    if (m->scn->aggregation == DCS_AGG_TOPSIS && m->ncrits > 0)
        return topsis_scores(m, ev, w, err);
    for (size_t i = 0; i < ev->n; i++) {
        const double *v = ev->value + i * m->ncrits;
        if (!ev->eligible[i] || m->ncrits == 0) /* measure-only: no score, ranked by id */
            ev->score[i] = NAN;
        else if (m->scn->aggregation == DCS_AGG_WEIGHTED_PRODUCT)
            ev->score[i] = dcs_weighted_product(v, w, m->ncrits);
        else
            ev->score[i] = dcs_weighted_sum(v, w, m->ncrits);
    }
    return DCS_OK;
}

typedef struct {
    const dcs_model *m;
    const dcs_site_rows *rows;
    dcs_evaluation *ev;
    size_t a, b; /* sites [a, b) */
    int nomem;
} site_range;

/* Rules, coverage gaps and criterion values of the sites in a range. */
static void *evaluate_range(void *arg)
{
    site_range *g = arg;
    for (size_t i = g->a; i < g->b && !g->nomem; i++) {
        if (apply_rules(g->m, g->rows, i, g->ev) != 0 || list_gaps(g->m, g->rows, i, g->ev) != 0)
            g->nomem = 1;
        criterion_values(g->m, g->rows, i, g->ev);
    }
    return NULL;
}

/* evaluate_range() over all sites, split between up to `threads` threads
 * (each site is written by one thread only); -1 when out of memory. */
static int evaluate_sites(const dcs_model *m, const dcs_site_rows *rows, dcs_evaluation *ev,
                          int threads)
{
    enum { MAX_THREADS = 64 };
    site_range g[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int T = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads, started = 1, nomem = 0;
    if ((size_t)T > rows->n / 1024 + 1)
        T = (int)(rows->n / 1024 + 1); /* not worth a thread below ~1000 sites */
    for (int t = 0; t < T; t++)
        g[t] = (site_range){
            .m = m,
            .rows = rows,
            .ev = ev,
            .a = rows->n * (size_t)t / (size_t)T,
            .b = rows->n * (size_t)(t + 1) / (size_t)T,
            .nomem = 0,
        };
    for (; started < T; started++)
        if (pthread_create(&tid[started], NULL, evaluate_range, &g[started]) != 0)
            break;
    for (int t = started; t < T; t++) /* threads that could not start: do their share here */
        evaluate_range(&g[t]);
    evaluate_range(&g[0]);
    for (int t = 1; t < started; t++)
        pthread_join(tid[t], NULL);
    for (int t = 0; t < T; t++)
        nomem |= g[t].nomem;
    for (size_t i = 0; i < rows->n; i++)
        for (size_t r = 0; r < m->nrules; r++)
            ev->rule_fails[r] += ev->failed[i * m->nrules + r];
    return nomem ? -1 : 0;
}

dcs_status dcs_evaluate(const dcs_model *m, const dcs_site_rows *rows, dcs_evaluation *ev,
                        dcs_error *err)
{
    return dcs_evaluate_threads(m, rows, 1, ev, err);
}

dcs_status dcs_evaluate_threads(const dcs_model *m, const dcs_site_rows *rows, int threads,
                                dcs_evaluation *ev, dcs_error *err)
{
    double *w = malloc((m->ncrits ? m->ncrits : 1) * sizeof *w);
    if (!w || allocate(ev, rows->n, m->nrules, m->ncrits) != 0)
        goto nomem;
    for (size_t c = 0; c < m->ncrits; c++)
        w[c] = m->crits[c].weight;
    if (evaluate_sites(m, rows, ev, threads) != 0)
        goto nomem;
    dcs_status st = aggregate(m, ev, w, err);
    free(w);
    if (st != DCS_OK) {
        dcs_evaluation_free(ev);
        return st;
    }
    ev->neligible = dcs_rank_sites_threads(ev->score, rows->id, ev->eligible, rows->n, ev->order,
                                           ev->rank, threads);
    return DCS_OK;
nomem:
    free(w);
    dcs_evaluation_free(ev);
    return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory evaluating sites");
}

void dcs_evaluation_free(dcs_evaluation *ev)
{
    for (size_t i = 0; ev->gaps && i < ev->n; i++)
        free(ev->gaps[i]);
    free(ev->failed);
    free(ev->eligible);
    free(ev->gaps);
    free(ev->value);
    free(ev->score);
    free(ev->rank);
    free(ev->order);
    free(ev->rule_fails);
    memset(ev, 0, sizeof *ev);
}
