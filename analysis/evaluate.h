/*
 * evaluate.h - constraints, scores and ranks for all sites (pure).
 *
 * Given the model and the sites' metric rows, dcs_evaluate() checks every
 * rule on every site (an excluded site records every rule it fails, not
 * only the first), computes each eligible site's criterion values and
 * weighted score, and ranks the eligible sites (ties by site id).
 * No I/O and no geometry: unit-testable on hand-made rows.
 *
 * Ownership: dcs_evaluation_free() frees all arrays and reason strings.
 */
#ifndef DCS_EVALUATE_H
#define DCS_EVALUATE_H

#include <stddef.h>

#include "error.h"
#include "model.h"

typedef struct {
    size_t n;
    const char *const *id;
    const double *num; /* n rows of nnum */
    char *const *text; /* n rows of ntext */
    size_t nnum, ntext;
} dcs_site_rows;

typedef struct {
    size_t n, nrules, ncrits;
    unsigned char *failed;   /* n * nrules: 1 when site i fails rule r */
    unsigned char *eligible; /* n */
    char **reasons;          /* n: "rule: why; rule: why", NULL if eligible */
    double *value;           /* n * ncrits: criterion value in [0, 1] (NaN missing) */
    double *score;           /* n: weighted score in [0, 1], NaN if excluded */
    size_t *rank;            /* n: 1.. for eligible sites, 0 otherwise */
    size_t *order;           /* neligible site indices in rank order */
    size_t neligible;
    size_t *rule_fails;      /* nrules: how many sites fail each rule */
} dcs_evaluation;

dcs_status dcs_evaluate(const dcs_model *model, const dcs_site_rows *rows, dcs_evaluation *ev,
                        dcs_error *err);

void dcs_evaluation_free(dcs_evaluation *ev);

#endif
