/* classes.c - quantile score classes and their colours. See classes.h. */
#include "decision/classes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ColorBrewer YlGnBu, 3 to 7 classes (colorbrewer2.org). */
static const unsigned ylgnbu[5][7] = {
    {0xedf8b1, 0x7fcdbb, 0x2c7fb8},
    {0xffffcc, 0xa1dab4, 0x41b6c4, 0x225ea8},
    {0xffffcc, 0xa1dab4, 0x41b6c4, 0x2c7fb8, 0x253494},
    {0xffffcc, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x2c7fb8, 0x253494},
    {0xffffcc, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x1d91c0, 0x225ea8, 0x0c2c84},
};

static int ascending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void colour(dcs_classes *c)
{
    if (c->n >= 3) {
        memcpy(c->colour, ylgnbu[c->n - 3], c->n * sizeof *c->colour);
    } else if (c->n == 2) {
        c->colour[0] = ylgnbu[0][0];
        c->colour[1] = ylgnbu[0][2];
    } else if (c->n == 1) {
        c->colour[0] = ylgnbu[0][2];
    }
}

void dcs_classes_quantile(const double *score, size_t m, size_t wanted, dcs_classes *c)
{
    memset(c, 0, sizeof *c);
    if (wanted < 1)
        wanted = 1;
    if (wanted > DCS_CLASSES_MAX)
        wanted = DCS_CLASSES_MAX;
    double *v = malloc((m ? m : 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; v && i < m; i++)
        if (isfinite(score[i]))
            v[n++] = score[i];
    if (!v || n == 0) {
        free(v);
        return;
    }
    qsort(v, n, sizeof *v, ascending);
    double brk[DCS_CLASSES_MAX + 1];
    for (size_t k = 0; k <= wanted; k++)
        brk[k] = k == 0 ? v[0] : k == wanted ? v[n - 1] : v[k * n / wanted];
    free(v);
    /* drop repeated breaks: a class needs a span (or is the only one) */
    c->brk[0] = brk[0];
    for (size_t k = 1; k <= wanted; k++)
        if (brk[k] > c->brk[c->n])
            c->brk[++c->n] = brk[k];
    if (c->n == 0) { /* every score alike */
        c->n = 1;
        c->brk[1] = c->brk[0];
    }
    colour(c);
}

int dcs_class_of(const dcs_classes *c, double s)
{
    if (c->n == 0 || isnan(s))
        return -1;
    for (size_t k = 0; k + 1 < c->n; k++)
        if (s <= c->brk[k + 1])
            return (int)k;
    return (int)c->n - 1;
}
