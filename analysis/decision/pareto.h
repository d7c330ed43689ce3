/*
 * pareto.h - the sites no other site beats on every chosen metric (pure).
 *
 * Site a dominates site b when a is at least as good as b on every chosen
 * metric and strictly better on one ("good" = lower for a "min" goal,
 * higher for "max").  The Pareto front is the set of eligible sites that
 * no eligible site dominates; excluded sites are never on it and never
 * dominate.  Metric values are raw metric numbers (not criterion values).
 *
 * Missing values: a missing (NaN) value counts as worse than any present
 * value, and two missing values as equal.  So a site missing a metric can
 * still be on the front when it is best on another metric, and a site
 * missing every metric is on the front only when every site is.
 *
 * Method: sort-filter skyline (Chomicki et al. 2003): the sites are sorted
 * lexicographically, best first, so no site can be dominated by one after
 * it; each site is then compared only with the front found so far.  Cost
 * O(n log n + n x front size x metrics).
 */
#ifndef DCS_PARETO_H
#define DCS_PARETO_H

#include <stddef.h>

#include "core/error.h"

typedef struct {
    size_t col;   /* column in a site's number row */
    int maximize; /* 1: higher is better; 0: lower is better */
} dcs_pareto_goal;

/* num: n rows of nnum numbers; front[i] set to 1 on the front, else 0. */
dcs_status dcs_pareto_front(const double *num, size_t nnum, size_t n,
                            const unsigned char *eligible, const dcs_pareto_goal *goals,
                            size_t ngoals, unsigned char *front, dcs_error *err);

#endif
