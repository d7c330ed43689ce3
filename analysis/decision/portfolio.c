/* portfolio.c - sites drawing down shared substation capacity. See portfolio.h. */
#include "decision/portfolio.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[DCS_PF_STATUS_COUNT] = {
    [DCS_PF_FIRST] = "first choice",
    [DCS_PF_MOVED] = "moved",
    [DCS_PF_NO_CAPACITY] = "no capacity",
    [DCS_PF_BEYOND_TARGET] = "beyond target",
    [DCS_PF_NO_CONNECTION] = "no connection",
};

const char *dcs_pf_status_name(dcs_pf_status s)
{
    return s < DCS_PF_STATUS_COUNT ? status_names[s] : "?";
}

static int compare_ids(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t dcs_portfolio_find(const dcs_portfolio *p, const char *id)
{
    if (!id || p->nsubs == 0)
        return SIZE_MAX;
    const char **hit = bsearch(&id, p->sub_id, p->nsubs, sizeof *p->sub_id, compare_ids);
    return hit ? (size_t)(hit - p->sub_id) : SIZE_MAX;
}

/* The distinct substation ids of the input, sorted. */
static int collect_substations(const dcs_portfolio_input *in, dcs_portfolio *p)
{
    size_t m = 0;
    p->sub_id = malloc((in->n * in->k + 1) * sizeof *p->sub_id);
    if (!p->sub_id)
        return -1;
    for (size_t j = 0; j < in->n * in->k; j++)
        if (in->sub[j])
            p->sub_id[m++] = in->sub[j];
    qsort(p->sub_id, m, sizeof *p->sub_id, compare_ids);
    for (size_t j = 0; j < m; j++)
        if (p->nsubs == 0 || strcmp(p->sub_id[p->nsubs - 1], p->sub_id[j]) != 0)
            p->sub_id[p->nsubs++] = p->sub_id[j];
    return 0;
}

static int allocate_arrays(const dcs_portfolio_input *in, dcs_portfolio *p)
{
    size_t n1 = in->n + 1, s1 = p->nsubs + 1;
    p->status = calloc(n1, sizeof *p->status);
    p->choice = calloc(n1, sizeof *p->choice);
    p->site_sub = calloc(n1, sizeof *p->site_sub);
    p->first_sub = calloc(n1, sizeof *p->first_sub);
    p->alone = calloc(n1, sizeof *p->alone);
    p->capacity = calloc(s1, sizeof *p->capacity);
    p->allocated = calloc(s1, sizeof *p->allocated);
    p->nsites = calloc(s1, sizeof *p->nsites);
    p->conflict = calloc(s1, sizeof *p->conflict);
    return p->status && p->choice && p->site_sub && p->first_sub && p->alone && p->capacity &&
                   p->allocated && p->nsites && p->conflict
               ? 0
               : -1;
}

/* Each substation's headroom as the sites report it (the first seen;
 * a different value marks a conflict). */
static int record_capacities(const dcs_portfolio_input *in, dcs_portfolio *p)
{
    unsigned char *seen = calloc(p->nsubs + 1, 1);
    if (!seen)
        return -1;
    for (size_t s = 0; s < p->nsubs; s++)
        p->capacity[s] = NAN;
    for (size_t j = 0; j < in->n * in->k; j++) {
        size_t s = dcs_portfolio_find(p, in->sub[j]);
        if (s == SIZE_MAX)
            continue;
        double c = in->capacity[j];
        if (!seen[s]) {
            seen[s] = 1;
            p->capacity[s] = c;
        } else if (!(c == p->capacity[s] || (isnan(c) && isnan(p->capacity[s])))) {
            p->conflict[s] = 1;
        }
    }
    free(seen);
    return 0;
}

/* Room at substation s for need MW (unknown headroom: room). */
static int has_room(const dcs_portfolio *p, size_t s, double need)
{
    return isnan(p->capacity[s]) || p->capacity[s] - p->allocated[s] >= need;
}

/* Site i takes the first of its connections with room. */
static void serve_site(const dcs_portfolio_input *in, dcs_portfolio *p, size_t i)
{
    const char *const *sub = in->sub + i * in->k;
    double need = in->need[i];
    p->choice[i] = -1;
    p->site_sub[i] = SIZE_MAX;
    p->first_sub[i] = dcs_portfolio_find(p, sub[0]);
    if (p->first_sub[i] == SIZE_MAX) {
        p->status[i] = DCS_PF_NO_CONNECTION;
        return;
    }
    double cap0 = p->capacity[p->first_sub[i]];
    p->alone[i] = isnan(cap0) || cap0 >= need;
    if (!isnan(in->target_mw) && p->total_mw >= in->target_mw) {
        p->status[i] = DCS_PF_BEYOND_TARGET;
        return;
    }
    for (size_t c = 0; c < in->k; c++) {
        size_t s = dcs_portfolio_find(p, sub[c]);
        if (s == SIZE_MAX || !has_room(p, s, need))
            continue;
        p->choice[i] = (int)c;
        p->site_sub[i] = s;
        p->allocated[s] += need;
        p->nsites[s]++;
        p->total_mw += need;
        p->nallocated++;
        p->status[i] = c == 0 ? DCS_PF_FIRST : DCS_PF_MOVED;
        return;
    }
    p->status[i] = DCS_PF_NO_CAPACITY;
}

dcs_status dcs_portfolio_allocate(const dcs_portfolio_input *in, dcs_portfolio *out,
                                  dcs_error *err)
{
    memset(out, 0, sizeof *out);
    out->n = in->n;
    out->k = in->k;
    if (in->k == 0)
        return dcs_error_set(err, DCS_ERR_INTERNAL, "portfolio: no connection per site");
    if (collect_substations(in, out) != 0 || allocate_arrays(in, out) != 0 ||
        record_capacities(in, out) != 0) {
        dcs_portfolio_free(out);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory for the portfolio");
    }
    for (size_t i = 0; i < in->n; i++)
        serve_site(in, out, i);
    return DCS_OK;
}

void dcs_portfolio_free(dcs_portfolio *p)
{
    free(p->status);
    free(p->choice);
    free(p->site_sub);
    free(p->first_sub);
    free(p->alone);
    free(p->sub_id);
    free(p->capacity);
    free(p->allocated);
    free(p->nsites);
    free(p->conflict);
    memset(p, 0, sizeof *p);
}
