/*
 * portfolio.h - sites that compete for the same grid capacity.
 *
 * A portfolio takes the eligible sites in a stated order (the ranking: the
 * best site is served first) and lets each draw its demand from the
 * headroom of a substation.  Each site offers its connections in its own
 * order of preference, cheapest first (the first is the connection it
 * would use alone).  A site takes the first whose remaining capacity
 * covers its demand; when its first choice is full it moves to the next;
 * when none has room it gets nothing (DCS_PF_NO_CAPACITY).  A substation
 * whose headroom is unknown (NaN) is taken to have room, and the result
 * says so.  With a target, allocation stops once the allocated total
 * reaches it: later sites are DCS_PF_BEYOND_TARGET.  This is the
 * priority-order draw-down of NREL reV's capacity-aware connection
 * (`reV poi-sort`, 2025), on dcsite's connection costs.
 *
 * Pure: no I/O, no globals.  dcs_portfolio_allocate() fills *out, which
 * owns its arrays (dcs_portfolio_free()); out->sub_id points into the
 * input's ids, which must outlive it.  Thread-safe on distinct outputs.
 */
#ifndef DCS_PORTFOLIO_H
#define DCS_PORTFOLIO_H

#include <stddef.h>

#include "core/error.h"

typedef enum {
    DCS_PF_FIRST,         /* on its first choice */
    DCS_PF_MOVED,         /* its first choice was full: on a later one */
    DCS_PF_NO_CAPACITY,   /* none of its connections has room left */
    DCS_PF_BEYOND_TARGET, /* the target was reached before its turn */
    DCS_PF_NO_CONNECTION, /* it has no qualifying connection at all */
    DCS_PF_STATUS_COUNT
} dcs_pf_status;

typedef struct {
    size_t n;                /* sites, in allocation order */
    size_t k;                /* connections offered per site (>= 1) */
    const char *const *sub;  /* n * k substation ids; NULL: no such connection */
    const double *cost;      /* n * k costs (M$), for the record */
    const double *capacity;  /* n * k headroom of that substation, MW (NaN: unknown) */
    const double *need;      /* n demands, MW */
    double target_mw;        /* stop once the allocated total reaches it (NaN: none) */
} dcs_portfolio_input;

typedef struct {
    size_t n, k;
    dcs_pf_status *status; /* n */
    int *choice;           /* n: the connection used (0 .. k-1), -1 none */
    size_t *site_sub;      /* n: the substation used (index into sub_id), SIZE_MAX none */
    size_t *first_sub;     /* n: its first choice, SIZE_MAX none */
    int *alone;            /* n: 1 when its first choice could serve it alone */
    size_t nsubs;          /* distinct substations offered, sorted by id */
    const char **sub_id;   /* nsubs (pointers into the input) */
    double *capacity;      /* nsubs: headroom, MW (NaN: unknown) */
    double *allocated;     /* nsubs: demand allocated to it, MW */
    size_t *nsites;        /* nsubs: sites allocated to it */
    int *conflict;         /* nsubs: 1 when sites report different headrooms for it */
    double total_mw;       /* allocated in all */
    size_t nallocated;     /* sites allocated */
} dcs_portfolio;

dcs_status dcs_portfolio_allocate(const dcs_portfolio_input *in, dcs_portfolio *out,
                                  dcs_error *err);

/* "first choice", "moved", "no capacity", "beyond target", "no connection". */
const char *dcs_pf_status_name(dcs_pf_status s);

/* Index of substation id in p->sub_id, or SIZE_MAX. */
size_t dcs_portfolio_find(const dcs_portfolio *p, const char *id);

void dcs_portfolio_free(dcs_portfolio *p);

#endif
