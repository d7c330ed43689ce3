/*
 * classes.h - score classes for maps and GIS styles: class breaks taken
 * from the eligible sites' scores, and the colour of each class (pure).
 *
 * Breaks are quantiles of the scores (equal-count classes), so a run whose
 * eligible scores span 0.45 to 0.74 gets classes across that span, not two
 * of five fixed 0.2-wide bins.  With n classes and m scores sorted
 * ascending, break k (0 < k < n) is the score at position floor(k m / n);
 * break 0 is the lowest score and break n the highest.  A score s belongs
 * to the first class k with s <= break k+1 (each class includes its upper
 * break, as QGIS's graduated renderer does).  Ties can make breaks equal:
 * repeated breaks are dropped, so a run where every site scores alike has
 * one class.
 *
 * Colours: ColorBrewer's sequential "YlGnBu" scheme (Cynthia A. Brewer,
 * colorbrewer2.org, Pennsylvania State University; light = low, dark =
 * high score) for 3 to 7 classes; fewer classes take the lightest and the
 * darkest of three.  Excluded sites are drawn in DCS_CLASS_EXCLUDED grey.
 *
 * Nothing to free; thread-safe.
 */
#ifndef DCS_CLASSES_H
#define DCS_CLASSES_H

#include <stddef.h>

#define DCS_CLASSES_MAX 7
#define DCS_CLASS_EXCLUDED 0xbdbdbdu /* 0xRRGGBB */
/* Eligible sites when there are no score classes (a measure-only run). */
#define DCS_CLASS_ELIGIBLE 0x41b6c4u

typedef struct {
    size_t n;                           /* classes (0 when no score) */
    double brk[DCS_CLASSES_MAX + 1];    /* n + 1 breaks, ascending */
    unsigned colour[DCS_CLASSES_MAX];   /* 0xRRGGBB, light to dark */
} dcs_classes;

/* Classes of the finite values among score[0..m) (NaN are skipped), at most
 * `wanted` (1 to DCS_CLASSES_MAX). */
void dcs_classes_quantile(const double *score, size_t m, size_t wanted, dcs_classes *c);

/* The class of s (0 .. n-1), or -1 for NaN or when there is no class.
 * Below the lowest break counts as class 0, above the highest as n-1. */
int dcs_class_of(const dcs_classes *c, double s);

#endif
