/*
 * flex.h - flexible capacity: how much constant new load fits under a
 * capacity if it accepts a little curtailment a year (pure: no I/O).
 *
 * The "curtailment-enabled headroom" of Norris et al., "Rethinking Load
 * Growth" (Nicholas Institute, Duke University, February 2025), applied at
 * a substation or a region.  Given an hourly load shape L[h] (MW, h = 0 ..
 * n-1, normally n = 8760), a capacity C (MW) it must stay under and a new
 * load F (MW, constant every hour: the Duke method's assumption; a shaped
 * facility load is not supported), define for each hour the gap
 *     d[h] = max(0, C - L[h])
 * and the curtailment of the new load
 *     c[h](F) = max(0, F - d[h])
 * (the new load drops just enough to keep L + F at C; in an hour where L
 * already exceeds C it can drop at most all of itself, F).  Where L <= C,
 * c[h] = max(0, L[h] + F - C).  An hour is curtailed when c[h] > 0, i.e.
 * d[h] < F.  Budgets:
 *  - hours: at most N curtailed hours a year.  With the gaps sorted
 *    ascending, d(0) <= d(1) <= ..., F = d(N) (the gap of the (N+1)-th
 *    largest load): exactly the hours with a strictly smaller gap are
 *    curtailed, at most N (fewer when loads tie), and any larger F would
 *    add the (N+1)-th.  N must be below n.  When the load is above C in
 *    more than N hours this is 0.
 *  - energy: at most X % of the new load's energy, sum c[h](F) <= X/100 *
 *    F * n.  The share sum c / (F n) never falls as F grows (each c[h]/F
 *    is non-decreasing), so the feasible F form an interval [0, F*].  F*
 *    is found exactly on the sorted gaps, not by iteration: between
 *    consecutive gaps d(k-1) < F <= d(k) exactly k hours are curtailed and
 *    the condition is k F - D(k) <= B F with D(k) = d(0) + ... + d(k-1) and
 *    B = X/100 * n, so F* = D(k) / (k - B) in the first such segment where
 *    that bound lies below d(k).  No tolerance beyond floating-point
 *    rounding (relative ~1e-12 on 8760 hours).  0 <= X < 100.
 * The result gives F, the hours curtailed at F (#{d[h] < F}), the energy
 * curtailed sum c[h](F) in MWh (hourly data: MW x 1 h) and that energy as a
 * percentage of F x n.
 *
 * Backup generators: if curtailment is covered on site by generators, each
 * curtailed hour is a generator run hour (a partly curtailed hour still
 * counts whole), so the flexibility is usable only when the hours are
 * within the generators' permitted non-emergency run hours (a scenario
 * figure; docs/methods.md "Flexible capacity" for the federal and Virginia
 * rules): dcs_flex_within_cap().
 *
 * How it is meant to be fed (not wired in yet):
 *  - L: the region's hourly system_load_mw column of the hourly grid
 *    signals table, scaled to the site's substation with
 *    dcs_flex_scale_to_peak() so that its peak is the substation's
 *    capacity minus its headroom (the substation's capacity and headroom
 *    fields), and C = that capacity.  Then the budget-0 answer is the
 *    headroom itself and larger budgets add flexible capacity on top.
 *  - without the substation's capacity, at region level: L = the regional
 *    shape unscaled and C = its peak (Duke's choice, the region's annual
 *    peak); the answer is then the region's flexible headroom, shared by
 *    every site in it, and must be labelled so.
 *  - the budgets: the scenario's list (e.g. energy 0.25, 0.5 and 1 %, or
 *    hours 50); the generator cap: the scenario's permitted hours.
 *
 * Two ways in: dcs_flex_headroom() for one shape and one question, or
 * dcs_flex_shape_init() once per region and dcs_flex_headroom_shape() per
 * site and budget (no sort, no allocation per query).
 *
 * Thread-safety: no global state; every function may run concurrently on
 * different outputs, and one initialised dcs_flex_shape may be queried
 * from many threads.  Inputs are read only.  dcs_flex_headroom allocates
 * a scratch sorted copy and frees it before returning; a dcs_flex_shape
 * owns its sorted copy until dcs_flex_shape_free.
 */
#ifndef DCS_FLEX_H
#define DCS_FLEX_H

#include <stddef.h>

#include "core/error.h"

typedef enum {
    DCS_FLEX_BUDGET_HOURS = 0, /* budget: at most N curtailed hours a year */
    DCS_FLEX_BUDGET_ENERGY     /* budget: at most X % of F x n curtailed */
} dcs_flex_budget_kind;

typedef struct {
    const double *load;          /* L[h], MW, n finite values (any sign) */
    size_t n;                    /* hours, >= 1 (8760, or 8784 in a leap year) */
    double capacity_mw;          /* C, finite and > 0 */
    dcs_flex_budget_kind budget_kind;
    double budget;               /* N hours (0 <= N < n) or X % (0 <= X < 100) */
} dcs_flex_input;

typedef struct {
    double extra_mw;   /* F: the largest constant new load within the budget */
    double hours;      /* hours curtailed at F: #{h : L[h] + F > C}; 0 when F = 0 */
    double energy_mwh; /* energy curtailed at F: sum of c[h](F) */
    double energy_pct; /* 100 x energy_mwh / (F x n); 0 when F = 0 */
} dcs_flex_result;

/* The flexible capacity of in (see above) into *out.  DCS_ERR_DATA (out
 * untouched) for a NULL or empty load, a non-finite load value (the hour
 * is named), a capacity not finite and > 0, or a budget out of range;
 * DCS_ERR_NOMEM when the scratch copy cannot be allocated. */
dcs_status dcs_flex_headroom(const dcs_flex_input *in, dcs_flex_result *out, dcs_error *err);

/* A load shape sorted once for many queries: a region's hourly load is
 * sorted when the region is read, then each site's substation is a query
 * on it with its own scale and capacity (scaling by a positive factor
 * keeps the order), O(n) per query instead of a sort.  Read only after
 * dcs_flex_shape_init, so one shape may serve queries from many threads.
 * The caller frees it with dcs_flex_shape_free. */
typedef struct {
    double *desc; /* the loads, largest first (owned) */
    size_t n;
    double peak;  /* desc[0] */
} dcs_flex_shape;

typedef struct {
    double scale;       /* the shape is multiplied by this, finite and > 0: 1 at region
                           level, (capacity - headroom) / shape.peak at a substation */
    double capacity_mw; /* C, finite and > 0 */
    dcs_flex_budget_kind budget_kind;
    double budget;      /* as in dcs_flex_input */
} dcs_flex_query;

/* Copy and sort load (n finite values).  DCS_ERR_DATA for a NULL or empty
 * load or a non-finite value (the hour is named), DCS_ERR_NOMEM; on error
 * *shape is left empty (safe to free). */
dcs_status dcs_flex_shape_init(dcs_flex_shape *shape, const double *load, size_t n,
                               dcs_error *err);

/* Free what dcs_flex_shape_init allocated and empty *shape; NULL is fine. */
void dcs_flex_shape_free(dcs_flex_shape *shape);

/* The flexible capacity of scale x shape under q->capacity_mw, the same
 * answer as dcs_flex_headroom on the scaled hours.  DCS_ERR_DATA (out
 * untouched) for an empty shape, a scale or capacity not finite and > 0,
 * or a budget out of range.  Allocates nothing. */
dcs_status dcs_flex_headroom_shape(const dcs_flex_shape *shape, const dcs_flex_query *q,
                                   dcs_flex_result *out, dcs_error *err);

/* Scale a load shape so its peak becomes peak_mw: out[h] = load[h] x
 * peak_mw / max(load).  For a substation, peak_mw = capacity - headroom
 * (the substation's own peak, by the assumption that it follows the
 * region's shape).  out may be load itself.  DCS_ERR_DATA (out untouched)
 * when load or out is NULL, n is 0, a value is not finite, the shape's
 * peak is not > 0, or peak_mw is not finite and >= 0. */
dcs_status dcs_flex_scale_to_peak(const double *load, size_t n, double peak_mw, double *out,
                                  dcs_error *err);

/* 1 when the curtailed hours of r fit within cap_hours generator run hours
 * a year (r->hours <= cap_hours), else 0; 0 for a non-finite or negative
 * cap. */
int dcs_flex_within_cap(const dcs_flex_result *r, double cap_hours);

#endif
