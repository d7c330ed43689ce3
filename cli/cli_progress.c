/* cli_progress.c - progress on stderr, throttled, ending at 100%. See cli_progress.h. */
#include "cli_progress.h"

#include <string.h>
#include <time.h>

void dcs_cli_progress_init(dcs_cli_progress *p, FILE *out, int tty)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->tty = tty;
}

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ", 1234/s, ETA 0:42" once the rate is known (after half a second, or at
 * the end however short the phase), else "". */
static void rate_and_eta(const dcs_cli_progress *p, double t, size_t done, size_t total,
                         char *buf, size_t size)
{
    double dt = t - p->started;
    int known = done > 0 && (dt > 0.5 || (done == total && dt > 0));
    double rate = known ? (double)done / dt : 0;
    buf[0] = '\0';
    if (rate <= 0)
        return;
    long eta = done < total ? (long)((double)(total - done) / rate + 0.5) : 0;
    snprintf(buf, size, ", %.0f/s, ETA %ld:%02ld", rate, eta / 60, eta % 60);
}

static void draw(const dcs_cli_progress *p, double t, size_t done, size_t total)
{
    enum { WIDTH = 24 };
    char bar[WIDTH + 1], tail[64];
    int pct = (int)(100.0 * (double)done / (double)total);
    int fill = (int)((double)WIDTH * (double)done / (double)total);
    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = '\0';
    rate_and_eta(p, t, done, total, tail, sizeof tail);
    if (p->tty)
        fprintf(p->out, "\rdcsite: %s [%s] %zu/%zu (%3d%%)%s\033[K%s", p->phase, bar, done,
                total, pct, tail, done == total ? "\n" : "");
    else
        fprintf(p->out, "dcsite: %s %zu/%zu (%d%%)%s\n", p->phase, done, total, pct, tail);
    fflush(p->out);
}

void dcs_cli_progress_at(dcs_cli_progress *p, double t, const char *phase, size_t done,
                         size_t total)
{
    int finished = total > 0 && done == total;
    int new_phase = strcmp(p->phase, phase) != 0;
    if (!new_phase && (done == p->drawn || (!finished && t - p->last < (p->tty ? 0.2 : 5.0))))
        return;
    p->last = t;
    p->drawn = done;
    if (new_phase) {
        snprintf(p->phase, sizeof p->phase, "%s", phase);
        p->started = t;
    }
    if (total <= 1) { /* a phase without counts: its name, once */
        if (new_phase) {
            fprintf(p->out, "dcsite: %s...\n", phase);
            fflush(p->out);
        }
        return;
    }
    draw(p, t, done, total);
}

void dcs_cli_progress_show(void *user, const char *phase, size_t done, size_t total)
{
    dcs_cli_progress_at(user, monotonic(), phase, done, total);
}
