/*
 * evaluate.h - constraints, scores and ranks for all sites (pure).
 *
 * Given the model and the sites' metric rows, dcs_evaluate() checks every
 * rule on every site (an excluded site records every rule it fails, not
 * only the first), computes each criterion's value, aggregates the values
 * of eligible sites into a score (weighted sum, weighted product or
 * TOPSIS, as the scenario says) and ranks the eligible sites (ties by site
 * id).  No I/O and no geometry: unit-testable on hand-made rows.
 *
 * Coverage: outside[i * ncontexts + k] is 1 when context layer k does not
 * cover site i.  Such a site fails the rule coverage_<name> when the
 * layer's `outside` is "exclude"; when it is "neutral", the rules on the
 * layer's metrics are not applied to the site and its criteria score 0.5.
 * Either way the layer is listed in the site's `gaps`.
 *
 * Ownership: dcs_evaluation_free() frees all arrays and strings.
 */
#ifndef DCS_EVALUATE_H
#define DCS_EVALUATE_H

#include <stddef.h>

#include "core/error.h"
#include "inputs/model.h"

/* Value given to a criterion on a layer that does not cover the site
 * when the scenario asks for a neutral treatment. */
#define DCS_NEUTRAL_VALUE 0.5

typedef struct {
    size_t n;
    const char *const *id;
    const double *num;            /* n rows of nnum */
    char *const *text;            /* n rows of ntext */
    size_t nnum, ntext;
    const unsigned char *outside; /* n rows of ncontexts; NULL: all covered */
    size_t ncontexts;
} dcs_site_rows;

typedef struct {
    size_t n, nrules, ncrits;
    unsigned char *failed;   /* n * nrules: 1 when site i fails rule r */
    unsigned char *eligible; /* n */
    char **gaps;             /* n: "flood, slope" layers not covering it, or NULL */
    double *value;           /* n * ncrits: criterion value in [0, 1] (NaN missing) */
    double *score;           /* n: score in [0, 1], NaN if excluded */
    size_t *rank;            /* n: 1.. for eligible sites, 0 otherwise */
    size_t *order;           /* neligible site indices in rank order */
    size_t neligible;
    size_t *rule_fails;      /* nrules: how many sites fail each rule */
} dcs_evaluation;

dcs_status dcs_evaluate(const dcs_model *model, const dcs_site_rows *rows, dcs_evaluation *ev,
                        dcs_error *err);

/* Why site i was excluded: "rule: why; rule: why" for each rule it fails
 * (new string, caller frees); NULL when it fails none, or out of memory
 * (*nomem set).  Written on demand from the rows, so an evaluation of a
 * million mostly excluded sites holds no text. */
char *dcs_evaluation_reasons(const dcs_model *model, const dcs_site_rows *rows,
                             const dcs_evaluation *ev, size_t i, int *nomem);

/* dcs_evaluate() with the per-site work (rules, criterion values)
 * split between up to `threads` threads; the result is the same. */
dcs_status dcs_evaluate_threads(const dcs_model *model, const dcs_site_rows *rows, int threads,
                                dcs_evaluation *ev, dcs_error *err);

/* The name a rule is reported under ("coverage_flood" for coverage rules). */
void dcs_rule_label(const dcs_rule *rule, char *buf, size_t size);

void dcs_evaluation_free(dcs_evaluation *ev);

#endif
