/* flex.c - flexible capacity under a curtailment budget; see flex.h. */
#include "energy/flex.h"

#include <math.h>
#include <stdlib.h>

static int cmp_asc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static dcs_status check_input(const dcs_flex_input *in, dcs_error *err)
{
    if (!in || !in->load || in->n == 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "flexible capacity: no hourly load shape (give the region's "
                             "system_load_mw hours)");
    if (!isfinite(in->capacity_mw) || in->capacity_mw <= 0)
        return dcs_error_set(err, DCS_ERR_DATA,
                             "flexible capacity: capacity %g MW is not a positive number "
                             "(give the substation's capacity or the region's peak)",
                             in->capacity_mw);
    for (size_t h = 0; h < in->n; h++)
        if (!isfinite(in->load[h]))
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "flexible capacity: the load in hour %zu is not a number "
                                 "(fill or drop the gap in the hourly load shape)",
                                 h);
    if (in->budget_kind == DCS_FLEX_BUDGET_HOURS) {
        if (!(in->budget >= 0 && in->budget < (double)in->n))
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "flexible capacity: a budget of %g curtailed hours is outside "
                                 "0 .. %zu (fewer than the hours in the shape)",
                                 in->budget, in->n - 1);
    } else if (in->budget_kind == DCS_FLEX_BUDGET_ENERGY) {
        if (!(in->budget >= 0 && in->budget < 100))
            return dcs_error_set(err, DCS_ERR_DATA,
                                 "flexible capacity: a budget of %g %% of the new load's energy "
                                 "is outside 0 .. 100 (exclusive)",
                                 in->budget);
    } else {
        return dcs_error_set(err, DCS_ERR_INTERNAL, "flexible capacity: unknown budget kind %d",
                             (int)in->budget_kind);
    }
    return DCS_OK;
}

/* Largest F with sum max(0, F - d[j]) <= b F over the ascending gaps d. */
static double energy_headroom(const double *d, size_t n, double b)
{
    double sum = 0; /* D(k) = d[0] + ... + d[k-1] */
    for (size_t k = 1; k <= n; k++) {
        sum += d[k - 1];
        if ((double)k <= b)
            continue; /* the whole segment is within the budget */
        double f = sum / ((double)k - b);
        if (k == n || f < d[k])
            return f < d[k - 1] ? d[k - 1] : f; /* never below the feasible segment end */
    }
    return d[n - 1]; /* unreachable: b < n makes the last segment bind */
}

static void measure(const double *d, size_t n, double f, dcs_flex_result *out)
{
    double hours = 0, energy = 0;
    for (size_t j = 0; j < n && d[j] < f; j++) {
        hours += 1;
        energy += f - d[j];
    }
    *out = (dcs_flex_result){
        .extra_mw = f,
        .hours = hours,
        .energy_mwh = energy,
        .energy_pct = f > 0 ? 100.0 * energy / (f * (double)n) : 0,
    };
}

dcs_status dcs_flex_headroom(const dcs_flex_input *in, dcs_flex_result *out, dcs_error *err)
{
    dcs_status st = check_input(in, err);
    if (st != DCS_OK)
        return st;
    double *d = malloc(in->n * sizeof *d);
    if (!d)
        return dcs_error_set(err, DCS_ERR_NOMEM,
                             "flexible capacity: no memory for %zu hours", in->n);
    for (size_t h = 0; h < in->n; h++) {
        double gap = in->capacity_mw - in->load[h];
        d[h] = gap > 0 ? gap : 0;
    }
    qsort(d, in->n, sizeof *d, cmp_asc);
    double f = in->budget_kind == DCS_FLEX_BUDGET_HOURS
                   ? d[(size_t)in->budget]
                   : energy_headroom(d, in->n, in->budget / 100.0 * (double)in->n);
    measure(d, in->n, f, out);
    free(d);
    return DCS_OK;
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
