/*
 * distinct.h - distinct options: the best site of each distinct place, so
 * that a planner sees ten options and not ten neighbouring cells of one
 * place (pure).
 *
 * Eligible sites are taken in rank order; a site is kept when no site kept
 * before it has the same group (the nearest substation's id, by default)
 * and none lies within min_spacing_m of it (geodesic distance between the
 * sites' representative points).  A site without a group (NULL) is a group
 * of its own.  Greedy in rank order, so the first option is always the top
 * site and each later one is the best site left that is distinct from
 * every option before it.  Cost: at most n x want comparisons.
 *
 * Nothing to free beyond the caller's `out`; thread-safe.
 */
#ifndef DCS_DISTINCT_H
#define DCS_DISTINCT_H

#include <stddef.h>

typedef struct {
    size_t n;                 /* eligible sites */
    const size_t *order;      /* their site indices, in rank order */
    const char *const *group; /* by site index: the group's key, NULL = a group of its own */
    const double *lon, *lat;  /* by site index, degrees (NULL when min_spacing_m is 0) */
    double min_spacing_m;     /* 0: groups only */
    size_t want;              /* how many options at most */
} dcs_distinct_input;

/* Writes up to in->want site indices into out (room for in->want) in rank
 * order; returns how many. */
size_t dcs_distinct_pick(const dcs_distinct_input *in, size_t *out);

#endif
