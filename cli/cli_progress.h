/*
 * cli_progress.h - progress on stderr for the command line: what a
 * dcs_progress_fn (analysis/core/progress.h) draws.
 *
 * On a terminal, one line redrawn in place at most 5 times a second:
 *   dcsite: measuring sites [#########...............] 52000/100000 ( 52%), 4410/s, ETA 0:11
 * Otherwise a plain line every 5 s:
 *   dcsite: measuring sites 52000/100000 (52%), 4410/s, ETA 0:11
 * Either way the first report of a phase and its last (done == total) are
 * always drawn, a count already drawn is never drawn again, and a phase
 * without counts (total <= 1) is named once: "dcsite: reading context
 * layers...".  The rate and time left appear once the phase has run half a
 * second (or at its end, however short).
 *
 * Ownership: the state owns nothing; `out` stays the caller's.
 */
#ifndef DCS_CLI_PROGRESS_H
#define DCS_CLI_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    FILE *out;
    int tty;        /* draw a bar redrawn in place */
    double last;    /* when the last line was drawn */
    double started; /* when the current phase began */
    char phase[64];
    size_t drawn;   /* the count last drawn in this phase */
} dcs_cli_progress;

/* A state drawing to out (a terminal when tty is non-zero). */
void dcs_cli_progress_init(dcs_cli_progress *p, FILE *out, int tty);

/* A dcs_progress_fn: user is a dcs_cli_progress; the time is now. */
void dcs_cli_progress_show(void *user, const char *phase, size_t done, size_t total);

/* The same at time t (seconds, any fixed origin): for tests. */
void dcs_cli_progress_at(dcs_cli_progress *p, double t, const char *phase, size_t done,
                         size_t total);

#endif
