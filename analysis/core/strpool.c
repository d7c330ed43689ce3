/* strpool.c - interned strings. See strpool.h. */
#include "core/strpool.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Each thread remembers the last texts it interned, per pool generation
 * (a pool's number, never reused), so repeated texts skip the lock. */
typedef struct {
    uint64_t gen;
    char *s;
} cached;

static _Atomic uint64_t generations = 1;
static _Thread_local cached recent[256];

dcs_strpool *dcs_strpool_new(void)
{
    dcs_strpool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->gen = atomic_fetch_add(&generations, 1);
    p->cap = 64;
    p->slot = calloc(p->cap, sizeof *p->slot);
    if (!p->slot || pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p->slot);
        free(p);
        return NULL;
    }
    return p;
}

uint64_t dcs_strpool_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The slot holding s (hash h), or the empty slot where it belongs. */
static size_t find(char *const *slot, size_t cap, const char *s, uint64_t h)
{
    size_t k = (size_t)h & (cap - 1);
    while (slot[k] && strcmp(slot[k], s) != 0)
        k = (k + 1) & (cap - 1);
    return k;
}

/* Double the table; -1 when out of memory. */
static int grow(dcs_strpool *p)
{
    size_t cap = p->cap * 2;
    char **slot = calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t k = 0; k < p->cap; k++)
        if (p->slot[k])
            slot[find(slot, cap, p->slot[k], dcs_strpool_hash(p->slot[k]))] = p->slot[k];
    free(p->slot);
    p->slot = slot;
    p->cap = cap;
    return 0;
}

char *dcs_strpool_intern(dcs_strpool *p, const char *s)
{
    if (!s)
        return NULL;
    uint64_t h = dcs_strpool_hash(s);
    cached *c = &recent[h & 255];
    if (c->gen == p->gen && strcmp(c->s, s) == 0)
        return c->s;
    pthread_mutex_lock(&p->lock);
    char *out = NULL;
    if (2 * (p->n + 1) > p->cap && grow(p) != 0)
        goto fail;
    size_t k = find(p->slot, p->cap, s, h);
    if (!p->slot[k]) {
        size_t len = strlen(s) + 1;
        if (!(p->slot[k] = malloc(len)))
            goto fail;
        memcpy(p->slot[k], s, len);
        p->n++;
    }
    out = p->slot[k];
    *c = (cached){p->gen, out};
fail:
    pthread_mutex_unlock(&p->lock);
    return out;
}

size_t dcs_strpool_count(dcs_strpool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->n;
    pthread_mutex_unlock(&p->lock);
    return n;
}

void dcs_strpool_free(dcs_strpool *p)
{
    if (!p)
        return;
    for (size_t k = 0; k < p->cap; k++)
        free(p->slot[k]);
    free(p->slot);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
