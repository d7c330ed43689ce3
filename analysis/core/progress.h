/*
 * progress.h - how the engine and the report writers tell the caller how
 * far a long phase has come.  Neither prints: the command line draws the
 * bar or the lines (cli/main.c), throttled, so a phase may report as often
 * as it likes (once per chunk of work is enough).
 *
 * The callback is always called from the thread that called the engine
 * or the writer, never from a worker thread.  A NULL dcs_progress, or one
 * whose fn is NULL, reports nothing.
 */
#ifndef DCS_PROGRESS_H
#define DCS_PROGRESS_H

#include <stddef.h>

/* phase: a short name ("reading sites", "writing candidates"); done of
 * total units (sites, features, rows); total <= 1: only that the phase
 * has begun. */
typedef void (*dcs_progress_fn)(void *user, const char *phase, size_t done, size_t total);

typedef struct {
    dcs_progress_fn fn;
    void *user;
} dcs_progress;

static inline void dcs_progress_report(const dcs_progress *p, const char *phase, size_t done,
                                       size_t total)
{
    if (p && p->fn)
        p->fn(p->user, phase, done > total ? total : done, total);
}

#endif
