/* feature_pipe.c - build rows in one thread, insert them in another.
 * See feature_pipe.h. */
#include "feature_pipe.h"

#include <pthread.h>

#define BATCH 32 /* rows handed over at most at a time: one lock per batch, not per row */

typedef struct {
    void *const *ring;
    size_t nring, batch; /* slots; rows handed over at a time (a quarter of them at most) */
    size_t n;
    size_t built;    /* rows 0..built-1 are ready */
    size_t released; /* rows 0..released-1 are inserted: their slots are free */
    int stop;
    int builder_waits, inserter_waits;
    dcs_row_fill fill;
    void *ctx;
    pthread_mutex_t mu;
    pthread_cond_t more; /* built grew */
    pthread_cond_t room; /* released grew, or stop */
} pipe_state;

/* Under the lock: rows 0..r-1 are built; wake the inserter if it waits. */
static void publish(pipe_state *p, size_t r)
{
    p->built = r;
    if (p->inserter_waits)
        pthread_cond_signal(&p->more);
}

/* Under the lock: rows 0..r-1 are inserted; wake the builder if it waits. */
static void release(pipe_state *p, size_t r)
{
    p->released = r;
    if (p->builder_waits)
        pthread_cond_signal(&p->room);
}

static void *builder(void *arg)
{
    pipe_state *p = arg;
    size_t room_end = 0; /* rows below it have a free slot */
    for (size_t r = 0; r < p->n; r++) {
        if (r == room_end || (r + 1) % p->batch == 0) {
            pthread_mutex_lock(&p->mu);
            publish(p, r);
            p->builder_waits = 1;
            while (!p->stop && r - p->released >= p->nring)
                pthread_cond_wait(&p->room, &p->mu);
            p->builder_waits = 0;
            room_end = p->released + p->nring;
            int stop = p->stop;
            pthread_mutex_unlock(&p->mu);
            if (stop)
                return NULL;
        }
        p->fill(p->ctx, r, p->ring[r % p->nring]);
    }
    pthread_mutex_lock(&p->mu);
    publish(p, p->n);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* The caller's side: row r once it is built, its slot back in batches. */
static size_t insert_all(pipe_state *p, dcs_row_put put)
{
    size_t ready = 0; /* rows below it are built */
    for (size_t r = 0; r < p->n; r++) {
        if (r == ready || r % p->batch == 0) {
            pthread_mutex_lock(&p->mu);
            release(p, r);
            p->inserter_waits = 1;
            while (p->built <= r)
                pthread_cond_wait(&p->more, &p->mu);
            p->inserter_waits = 0;
            ready = p->built;
            pthread_mutex_unlock(&p->mu);
        }
        int rc = put(p->ctx, r, p->ring[r % p->nring]);
        if (rc != 0)
            return rc == DCS_PIPE_LAST ? r + 1 : r;
    }
    return p->n;
}

static size_t one_thread(pipe_state *p, dcs_row_put put)
{
    for (size_t r = 0; r < p->n; r++) {
        p->fill(p->ctx, r, p->ring[0]);
        int rc = put(p->ctx, r, p->ring[0]);
        if (rc != 0)
            return rc == DCS_PIPE_LAST ? r + 1 : r;
    }
    return p->n;
}

size_t dcs_row_pipe(void *const *slots, size_t nslots, size_t n, dcs_row_fill fill,
                    dcs_row_put put, void *ctx, int threaded)
{
    size_t batch = nslots / 4 < BATCH ? nslots / 4 : BATCH;
    pipe_state p = {.ring = slots,
                    .nring = nslots,
                    .batch = batch ? batch : 1,
                    .n = n,
                    .fill = fill,
                    .ctx = ctx};
    size_t done;
    pthread_t worker;
    if (!threaded || n < 2 || pthread_mutex_init(&p.mu, NULL) != 0)
        return one_thread(&p, put);
    pthread_cond_init(&p.more, NULL);
    pthread_cond_init(&p.room, NULL);
    if (pthread_create(&worker, NULL, builder, &p) != 0) {
        done = one_thread(&p, put);
    } else {
        done = insert_all(&p, put);
        pthread_mutex_lock(&p.mu);
        p.stop = 1;
        pthread_cond_signal(&p.room);
        pthread_mutex_unlock(&p.mu);
        pthread_join(worker, NULL);
    }
    pthread_cond_destroy(&p.room);
    pthread_cond_destroy(&p.more);
    pthread_mutex_destroy(&p.mu);
    return done;
}

/* dcs_feature_pipe's callbacks around the caller's. */
typedef struct {
    dcs_feature_fill fill;
    dcs_feature_put put;
    void *ctx;
} feature_calls;

static void fill_feature(void *ctx, size_t r, void *slot)
{
    const feature_calls *c = ctx;
    c->fill(c->ctx, r, slot);
}

static int put_feature(void *ctx, size_t r, void *slot)
{
    const feature_calls *c = ctx;
    OGR_F_SetFID(slot, OGRNullFID); /* the insert gave it the previous row's */
    return c->put(c->ctx, r, slot);
}

size_t dcs_feature_pipe(OGRFeatureDefnH defn, size_t n, dcs_feature_fill fill,
                        dcs_feature_put put, void *ctx, int threaded)
{
    OGRFeatureH ring[DCS_PIPE_RING];
    feature_calls c = {.fill = fill, .put = put, .ctx = ctx};
    size_t k, done = n + 1;
    for (k = 0; k < DCS_PIPE_RING; k++)
        if (!(ring[k] = OGR_F_Create(defn)))
            goto fail;
    done = dcs_row_pipe((void *const *)ring, DCS_PIPE_RING, n, fill_feature, put_feature, &c, threaded);
fail:
    while (k-- > 0)
        OGR_F_Destroy(ring[k]);
    return done;
}
