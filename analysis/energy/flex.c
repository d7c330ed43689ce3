/* flex.c - flexible capacity under a curtailment budget; see flex.h. */
#include "energy/flex.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

static dcs_status check_load(const double *load, size_t n, dcs_error *err)
{
    if (!load || n == 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "flexible capacity: no hourly load shape (give the region's "
                             "system_load_mw hours)");
    for (size_t h = 0; h < n; h++)
        if (!isfinite(load[h]))
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "flexible capacity: the load in hour %zu is not a number "
                                 "(fill or drop the gap in the hourly load shape)",
                                 h);
    return DCS_OK;
}

static dcs_status check_query(const dcs_flex_query *q, size_t n, dcs_error *err)
{
    if (!isfinite(q->scale) || q->scale <= 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "flexible capacity: scale %g is not a positive number (capacity "
                             "minus headroom over the shape's peak)",
                             q->scale);
    if (!isfinite(q->capacity_mw) || q->capacity_mw <= 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "flexible capacity: capacity %g MW is not a positive number "
                             "(give the substation's capacity or the region's peak)",
                             q->capacity_mw);
    if (q->budget_kind == DCS_FLEX_BUDGET_HOURS) {
        if (!(q->budget >= 0 && q->budget < (double)n))
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "flexible capacity: a budget of %g curtailed hours is outside "
                                 "0 .. %zu (fewer than the hours in the shape)",
                                 q->budget, n - 1);
    } else if (q->budget_kind == DCS_FLEX_BUDGET_ENERGY) {
        if (!(q->budget >= 0 && q->budget < 100))
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "flexible capacity: a budget of %g %% of the new load's energy "
                                 "is outside 0 .. 100 (exclusive)",
                                 q->budget);
    } else {
        return dcs_error_set(err, DCS_ERR_INTERNAL, "flexible capacity: unknown budget kind %d",
                             (int)q->budget_kind);
    }
    return DCS_OK;
}

/* The j-th smallest gap d(j) = max(0, C - k L) over the descending loads. */
static double gap(const dcs_flex_shape *s, const dcs_flex_query *q, size_t j)
{
    double g = q->capacity_mw - q->scale * s->desc[j];
    return g > 0 ? g : 0;
}

/* Largest F with sum max(0, F - d(j)) <= b F (see flex.h). */
static double energy_headroom(const dcs_flex_shape *s, const dcs_flex_query *q, double b)
{
    double sum = 0; /* D(k) = d(0) + ... + d(k-1) */
    for (size_t k = 1; k <= s->n; k++) {
        double prev = gap(s, q, k - 1);
        sum += prev;
        if ((double)k <= b)
            continue; /* the whole segment is within the budget */
        double f = sum / ((double)k - b);
        if (k == s->n || f < gap(s, q, k))
            return f < prev ? prev : f; /* never below the feasible segment's end */
    }
    return gap(s, q, s->n - 1); /* unreachable: b < n makes the last segment bind */
}

static void measure(const dcs_flex_shape *s, const dcs_flex_query *q, double f,
                    dcs_flex_result *out)
{
    double hours = 0, energy = 0;
    for (size_t j = 0; j < s->n; j++) {
        double d = gap(s, q, j);
        if (!(d < f))
            break;
        hours += 1;
        energy += f - d;
    }
    *out = (dcs_flex_result){
        .extra_mw = f,
        .hours = hours,
        .energy_mwh = energy,
        .energy_pct = f > 0 ? 100.0 * energy / (f * (double)s->n) : 0,
    };
}

dcs_status dcs_flex_shape_init(dcs_flex_shape *shape, const double *load, size_t n,
                               dcs_error *err)
{
    *shape = (dcs_flex_shape){.desc = NULL};
    dcs_status st = check_load(load, n, err);
    if (st != DCS_OK)
        return st;
    double *desc = malloc(n * sizeof *desc);
    if (!desc)
        return dcs_error_set(err, DCS_ERR_NOMEM, "flexible capacity: no memory for %zu hours",
                             n);
    memcpy(desc, load, n * sizeof *desc);
    qsort(desc, n, sizeof *desc, cmp_desc);
    *shape = (dcs_flex_shape){.desc = desc, .n = n, .peak = desc[0]};
    return DCS_OK;
}

void dcs_flex_shape_free(dcs_flex_shape *shape)
{
    if (!shape)
        return;
    free(shape->desc);
    *shape = (dcs_flex_shape){.desc = NULL};
}

dcs_status dcs_flex_headroom_shape(const dcs_flex_shape *shape, const dcs_flex_query *q,
                                   dcs_flex_result *out, dcs_error *err)
{
    if (!shape || !shape->desc || shape->n == 0 || !q)
        return dcs_error_set(err, DCS_ERR_DATA, "flexible capacity: no hourly load shape");
    dcs_status st = check_query(q, shape->n, err);
    if (st != DCS_OK)
        return st;
    double f = q->budget_kind == DCS_FLEX_BUDGET_HOURS
                   ? gap(shape, q, (size_t)q->budget)
                   : energy_headroom(shape, q, q->budget / 100.0 * (double)shape->n);
    measure(shape, q, f, out);
    return DCS_OK;
}

dcs_status dcs_flex_headroom(const dcs_flex_input *in, dcs_flex_result *out, dcs_error *err)
{
    if (!in)
        return dcs_error_set(err, DCS_ERR_DATA, "flexible capacity: no hourly load shape");
    dcs_flex_query q = {.scale = 1, .capacity_mw = in->capacity_mw,
                        .budget_kind = in->budget_kind, .budget = in->budget};
    dcs_status st = check_load(in->load, in->n, err);
    if (st == DCS_OK)
        st = check_query(&q, in->n, err); /* before the sort: cheap errors first */
    if (st != DCS_OK)
        return st;
    dcs_flex_shape shape;
    st = dcs_flex_shape_init(&shape, in->load, in->n, err);
    if (st == DCS_OK)
        st = dcs_flex_headroom_shape(&shape, &q, out, err);
    dcs_flex_shape_free(&shape);
    return st;
}

dcs_status dcs_flex_scale_to_peak(const double *load, size_t n, double peak_mw, double *out,
                                  dcs_error *err)
{
    if (!load || !out || n == 0)
        return dcs_error_set(err, DCS_ERR_DATA, "load shape scaling: no hourly load shape");
    if (!isfinite(peak_mw) || peak_mw < 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "load shape scaling: target peak %g MW is not a number >= 0 "
                             "(capacity minus headroom: check the substation's fields)",
                             peak_mw);
    double max = -INFINITY;
    for (size_t h = 0; h < n; h++) {
        if (!isfinite(load[h]))
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "load shape scaling: the load in hour %zu is not a number", h);
        if (load[h] > max)
            max = load[h];
    }
    if (!(max > 0))
        return dcs_error_set(err, DCS_ERR_DATA,
                             "load shape scaling: the shape's peak %g MW is not positive, so "
                             "it cannot be scaled (check the system_load_mw column)",
                             max);
    double k = peak_mw / max;
    for (size_t h = 0; h < n; h++)
        out[h] = load[h] * k;
    return DCS_OK;
}

int dcs_flex_within_cap(const dcs_flex_result *r, double cap_hours)
{
    if (!r || !isfinite(cap_hours) || cap_hours < 0)
        return 0;
    return r->hours <= cap_hours;
}
