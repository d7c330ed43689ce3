/*
 * shard.h - which candidate sites a shard of a run measures.
 *
 * A run split into N shards (`dcsite run --shard I/N`) measures, in shard
 * I, the sites whose position i in the single run's site order (the site
 * layer's feature order, or the grid's cell order) has i mod N == I.  The
 * selection is deterministic and needs no coordination: every shard reads
 * the whole site layer and keeps its own rows.  Striding (rather than
 * contiguous blocks) spreads neighbouring, similarly costly sites over the
 * shards.  The k-th site kept by shard I was site k * N + I of the run.
 *
 * Ownership: dcs_shard_select() frees the sites it drops; the dcs_sites
 * keeps owning the rest.
 */
#ifndef DCS_SHARD_H
#define DCS_SHARD_H

#include <stddef.h>

#include "core/error.h"
#include "inputs/sites.h"

/* Parse "I/N" (0 <= I < N, 1 <= N <= 100000); 0 on success, -1 if bad. */
int dcs_shard_parse(const char *text, size_t *index, size_t *count);

/* How many of n sites shard index of count holds. */
size_t dcs_shard_size(size_t n, size_t index, size_t count);

/* Position in the whole run of the k-th site of shard index of count. */
static inline size_t dcs_shard_site(size_t k, size_t index, size_t count)
{
    return k * count + index;
}

/* Keep only shard index of count's sites (in order), freeing the others. */
dcs_status dcs_shard_select(dcs_sites *sites, size_t index, size_t count, dcs_error *err);

#endif
