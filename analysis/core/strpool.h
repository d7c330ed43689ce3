/*
 * strpool.h - one copy of each distinct string, shared by every site.
 *
 * The text metrics of a run repeat a handful of values over millions of
 * sites (zoning, county, grid subregion, substation and station ids): the
 * pool keeps each distinct text once, so a site's text cell costs a
 * pointer, not a heap string.  Interning is thread-safe (a mutex; the
 * measuring threads intern zone attributes and ids as they go).
 *
 * Ownership: the pool owns every string it returns; they stay valid until
 * dcs_strpool_free().  Never free them one by one.
 */
#ifndef DCS_STRPOOL_H
#define DCS_STRPOOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    pthread_mutex_t lock;
    char **slot;     /* open addressing; NULL = empty */
    size_t cap, n;   /* cap is a power of two */
    uint64_t gen;    /* this pool's number, for the threads' caches */
} dcs_strpool;

/* A new empty pool, or NULL when out of memory. */
dcs_strpool *dcs_strpool_new(void);

/* The pool's copy of s (added when new); NULL when s is NULL or out of
 * memory. */
char *dcs_strpool_intern(dcs_strpool *p, const char *s);

/* The FNV-1a hash of s the pool files it under (for other tables of
 * strings). */
uint64_t dcs_strpool_hash(const char *s);

/* Distinct strings held. */
size_t dcs_strpool_count(dcs_strpool *p);

void dcs_strpool_free(dcs_strpool *p);

#endif
