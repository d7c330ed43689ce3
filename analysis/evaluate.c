/* evaluate.c - constraints, scores and ranks. See evaluate.h. */
#include "evaluate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "constraints.h"
#include "score.h"
#include "strlist.h"

static int allocate(dcs_evaluation *ev, size_t n, size_t nrules, size_t ncrits)
{
    memset(ev, 0, sizeof *ev);
    ev->n = n;
    ev->nrules = nrules;
    ev->ncrits = ncrits;
    size_t n1 = n ? n : 1;
    ev->failed = calloc(n1 * (nrules ? nrules : 1), 1);
    ev->eligible = calloc(n1, 1);
    ev->reasons = calloc(n1, sizeof *ev->reasons);
    ev->value = calloc(n1 * (ncrits ? ncrits : 1), sizeof *ev->value);
    ev->score = calloc(n1, sizeof *ev->score);
    ev->rank = calloc(n1, sizeof *ev->rank);
    ev->order = calloc(n1, sizeof *ev->order);
    ev->rule_fails = calloc(nrules ? nrules : 1, sizeof *ev->rule_fails);
    return ev->failed && ev->eligible && ev->reasons && ev->value && ev->score && ev->rank &&
                   ev->order && ev->rule_fails
               ? 0
               : -1;
}

/* Check every rule on site i; returns 0, or -1 when out of memory. */
static int apply_rules(const dcs_model *m, const dcs_site_rows *rows, size_t i,
                       dcs_evaluation *ev)
{
    dcs_strlist why = {0};
    const double *num = rows->num + i * rows->nnum;
    char *const *text = rows->text + i * rows->ntext;
    for (size_t r = 0; r < m->nrules; r++) {
        const dcs_rule *rule = &m->rules[r];
        const dcs_metric *mt = &m->metrics[rule->metric];
        double x = mt->kind == DCS_NUM ? num[mt->col] : NAN;
        const char *t = mt->kind == DCS_TEXT ? text[mt->col] : NULL;
        char reason[256];
        if (dcs_rule_check(rule, mt->name, x, t, reason, sizeof reason))
            continue;
        ev->failed[i * m->nrules + r] = 1;
        ev->rule_fails[r]++;
        if (dcs_strlist_addf(&why, "%s", reason) != 0) {
            dcs_strlist_free(&why);
            return -1;
        }
    }
    ev->eligible[i] = why.count == 0;
    if (why.count && !(ev->reasons[i] = dcs_strlist_join(&why, "; "))) {
        dcs_strlist_free(&why);
        return -1;
    }
    dcs_strlist_free(&why);
    return 0;
}

static void score_site(const dcs_model *m, const dcs_site_rows *rows, size_t i,
                       dcs_evaluation *ev, double *weights)
{
    const double *num = rows->num + i * rows->nnum;
    double *val = ev->value + i * m->ncrits;
    for (size_t c = 0; c < m->ncrits; c++) {
        const dcs_crit *k = &m->crits[c];
        val[c] = dcs_value_fn_eval(k->fn, num[m->metrics[k->metric].col]);
        weights[c] = k->weight;
    }
    ev->score[i] = ev->eligible[i] ? dcs_weighted_sum(val, weights, m->ncrits) : NAN;
}

dcs_status dcs_evaluate(const dcs_model *m, const dcs_site_rows *rows, dcs_evaluation *ev,
                        dcs_error *err)
{
    double *weights = malloc((m->ncrits ? m->ncrits : 1) * sizeof *weights);
    if (!weights || allocate(ev, rows->n, m->nrules, m->ncrits) != 0)
        goto nomem;
    for (size_t i = 0; i < rows->n; i++) {
        if (apply_rules(m, rows, i, ev) != 0)
            goto nomem;
        score_site(m, rows, i, ev, weights);
    }
    ev->neligible = dcs_rank_sites(ev->score, rows->id, ev->eligible, rows->n, ev->order, ev->rank);
    free(weights);
    return DCS_OK;
nomem:
    free(weights);
    dcs_evaluation_free(ev);
    return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory evaluating sites");
}

void dcs_evaluation_free(dcs_evaluation *ev)
{
    for (size_t i = 0; ev->reasons && i < ev->n; i++)
        free(ev->reasons[i]);
    free(ev->failed);
    free(ev->eligible);
    free(ev->reasons);
    free(ev->value);
    free(ev->score);
    free(ev->rank);
    free(ev->order);
    free(ev->rule_fails);
    memset(ev, 0, sizeof *ev);
}
