/* portfolio_run.c - a run's portfolio from its sites' metrics. See portfolio_run.h. */
#include "pipeline/portfolio_run.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strlist.h"

/* The arrays dcs_portfolio_allocate() reads, filled from the metrics. */
typedef struct {
    const char **sub;
    double *cost, *capacity, *need;
} pf_arrays;

static void free_arrays(pf_arrays *a)
{
    free(a->sub);
    free(a->cost);
    free(a->capacity);
    free(a->need);
}

static double metric_num(const dcs_result *res, size_t i, long m)
{
    return m < 0 ? NAN : dcs_site_num(&res->sites, i)[res->model.metrics[m].col];
}

static const char *metric_text(const dcs_result *res, size_t i, long m)
{
    return m < 0 ? NULL : dcs_site_text(&res->sites, i)[res->model.metrics[m].col];
}

/* Connection c of the site at rank r (site i) into the arrays. */
static void fill_connection(const dcs_result *res, size_t i, size_t r, size_t c, size_t k,
                            pf_arrays *a)
{
    const dcs_model *m = &res->model;
    long id, cost, head;
    if (c == 0) {
        id = dcs_model_find_metric(m, "substation_id");
        cost = dcs_model_find_metric(m, "interconnect_cost_musd");
        head = dcs_model_find_metric(m, "substation_headroom_mw");
    } else {
        id = (long)(m->alts_first + 3 * (c - 1));
        cost = id + 1;
        head = id + 2;
    }
    a->sub[r * k + c] = metric_text(res, i, id);
    a->cost[r * k + c] = metric_num(res, i, cost);
    a->capacity[r * k + c] = metric_num(res, i, head);
}

static int fill_arrays(const dcs_result *res, size_t k, pf_arrays *a)
{
    size_t n = res->eval.neligible;
    a->sub = calloc(n * k + 1, sizeof *a->sub);
    a->cost = calloc(n * k + 1, sizeof *a->cost);
    a->capacity = calloc(n * k + 1, sizeof *a->capacity);
    a->need = calloc(n + 1, sizeof *a->need);
    if (!a->sub || !a->cost || !a->capacity || !a->need)
        return -1;
    long peak = res->scn->energy.enabled ? dcs_model_find_metric(&res->model, "peak_demand_mw")
                                         : -1;
    for (size_t r = 0; r < n; r++) {
        size_t i = res->eval.order[r];
        double need = metric_num(res, i, peak);
        a->need[r] = isnan(need) ? res->peak_mw : need;
        for (size_t c = 0; c < k; c++)
            fill_connection(res, i, r, c, k, a);
    }
    return 0;
}

/* Who is on a substation so far: the first three site ids, and how many. */
typedef struct {
    dcs_strlist first;
    size_t n;
} on_substation;

/* "A, B, C and 2 more". */
static void list_sites(const on_substation *on, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t j = 0; j < on->first.count; j++)
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s", j ? ", " : "",
                                on->first.items[j]);
    if (on->n > on->first.count && len < size)
        snprintf(out + len, size - len, " and %zu more", on->n - on->first.count);
}

/* Where the site at rank r ended up, and why. */
static char *note_for(const dcs_result *res, const dcs_portfolio *p, const pf_arrays *a,
                      size_t r, const on_substation *taken)
{
    char who[160], buf[320];
    const char *first = p->first_sub[r] == SIZE_MAX ? "" : p->sub_id[p->first_sub[r]];
    if (p->first_sub[r] != SIZE_MAX)
        list_sites(&taken[p->first_sub[r]], who, sizeof who);
    switch (p->status[r]) {
    case DCS_PF_FIRST:
        snprintf(buf, sizeof buf, "on %s, its first choice%s", first,
                 isnan(p->capacity[p->first_sub[r]]) ? " (headroom unknown: taken as enough)"
                                                    : "");
        break;
    case DCS_PF_MOVED:
        snprintf(buf, sizeof buf, "moved to %s (+%.1f M$): %s is taken by %s",
                 p->sub_id[p->site_sub[r]],
                 a->cost[r * p->k + (size_t)p->choice[r]] - a->cost[r * p->k], first, who);
        break;
    case DCS_PF_NO_CAPACITY:
        snprintf(buf, sizeof buf, "no capacity: %s is taken by %s%s", first,
                 who[0] ? who : "other sites",
                 p->k > 1 ? ", and none of its alternatives has room" : "");
        break;
    case DCS_PF_BEYOND_TARGET:
        snprintf(buf, sizeof buf, "not allocated: the %.0f MW target was reached first",
                 res->scn->portfolio.target_mw);
        break;
    default:
        snprintf(buf, sizeof buf, "no qualifying substation");
    }
    return dcs_strdup(buf);
}

/* The notes, in rank order, with who took each substation so far. */
static int write_notes(dcs_result *res, const pf_arrays *a)
{
    const dcs_portfolio *p = &res->portfolio;
    on_substation *taken = calloc(p->nsubs + 1, sizeof *taken);
    res->pf_note = calloc(p->n + 1, sizeof *res->pf_note);
    int nomem = !taken || !res->pf_note;
    for (size_t r = 0; !nomem && r < p->n; r++) {
        nomem = !(res->pf_note[r] = note_for(res, p, a, r, taken));
        size_t s = p->site_sub[r];
        if (nomem || s == SIZE_MAX)
            continue;
        if (taken[s].first.count < 3)
            nomem = dcs_strlist_addf(&taken[s].first, "%s",
                                     res->sites.id[res->eval.order[r]]) != 0;
        taken[s].n++;
    }
    for (size_t s = 0; taken && s < p->nsubs; s++)
        dcs_strlist_free(&taken[s].first);
    free(taken);
    return nomem ? -1 : 0;
}

dcs_status dcs_portfolio_run(dcs_result *res, dcs_error *err)
{
    if (!res->scn->portfolio.enabled)
        return DCS_OK;
    size_t k = 1 + res->scn->portfolio.alternatives;
    pf_arrays a = {0};
    dcs_status st = DCS_OK;
    if (fill_arrays(res, k, &a) != 0) {
        free_arrays(&a);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory for the portfolio");
    }
    dcs_portfolio_input in = {
        .n = res->eval.neligible,
        .k = k,
        .sub = a.sub,
        .cost = a.cost,
        .capacity = a.capacity,
        .need = a.need,
        .target_mw = res->scn->portfolio.target_mw,
    };
    st = dcs_portfolio_allocate(&in, &res->portfolio, err);
    if (st == DCS_OK) {
        res->has_portfolio = 1;
        if (write_notes(res, &a) != 0)
            st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory for the portfolio");
    }
    free_arrays(&a);
    return st;
}
