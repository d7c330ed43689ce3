/*
 * scenario.h - the scenario file: what to analyse and how.
 *
 * A scenario is a JSON document (parsed with cJSON) naming the candidate
 * site layer and the context layers (each a GDAL dataset, a layer and a
 * field mapping), the facility, the hard constraints, the weighted
 * criteria and the outputs.  dcs_scenario_load() checks the document
 * strictly: unknown keys, wrong types, missing required keys and values out
 * of range are all reported with their key path, e.g.
 *   criteria[2].weight: expected a number, got "high"
 * Every problem found is appended to `problems`; the error record carries
 * the first one.  Relative dataset paths are resolved against the
 * directory of the scenario file.
 *
 * Metric names used by constraints and criteria are checked later, against
 * the metric table (metrics.h), once the layers' fields are known.
 *
 * Ownership: dcs_scenario_load() allocates everything inside *scn;
 * dcs_scenario_free() frees it all (safe on a zeroed or partly loaded
 * scenario).
 */
#ifndef DCS_SCENARIO_H
#define DCS_SCENARIO_H

#include <stddef.h>

#include "error.h"
#include "strlist.h"

/* A layer in a GDAL dataset. */
typedef struct {
    char *dataset; /* path (resolved) or connection string */
    char *layer;   /* NULL: the dataset's only layer */
    char *where;   /* optional OGR attribute filter, NULL when none */
} dcs_source;

/* A site attribute carried into the analysis as a metric. */
typedef struct {
    char *metric; /* metric name used in constraints, criteria, outputs */
    char *field;  /* field in the site layer */
} dcs_attribute;

/* A polygon layer whose overlap with each site is measured (<name>_pct). */
typedef struct {
    char *name;
    dcs_source src;
} dcs_overlay;

typedef enum {
    DCS_OP_MIN,    /* value >= limit */
    DCS_OP_MAX,    /* value <= limit */
    DCS_OP_IN,     /* text value is one of set */
    DCS_OP_NOT_IN, /* text value is none of set */
} dcs_constraint_op;

typedef struct {
    char *name;
    char *metric;
    dcs_constraint_op op;
    double limit;  /* DCS_OP_MIN / DCS_OP_MAX */
    char **set;    /* DCS_OP_IN / DCS_OP_NOT_IN */
    size_t nset;
} dcs_constraint;

typedef enum {
    DCS_VF_LINEAR, /* 0 at `worst`, 1 at `best`, linear between, clamped */
} dcs_value_fn_type;

typedef struct {
    dcs_value_fn_type type;
    double worst;
    double best;
} dcs_value_fn;

typedef struct {
    char *name;
    char *metric;
    double weight; /* as given; normalised to sum 1 by the scoring step */
    dcs_value_fn fn;
} dcs_criterion;

typedef struct {
    char *path;        /* the scenario file as given */
    char *name;        /* report base name */
    char *description; /* may be NULL */

    double it_load_mw; /* IT (critical) load */
    double design_pue; /* peak PUE used for the grid request */
    double land_ha;    /* land needed; 0 = no land rule */
    char *working_crs; /* "EPSG:xxxx" etc., NULL = chosen from the data */

    struct {
        dcs_source src;
        char *id_field; /* NULL: the feature id */
        dcs_attribute *attrs;
        size_t nattrs;
    } sites;

    struct {
        dcs_source src;
        char *id_field;
        char *voltage_field;
        char *headroom_field;
        double min_voltage_kv;
    } substations;

    dcs_overlay *overlays;
    size_t noverlays;
    dcs_constraint *constraints;
    size_t nconstraints;
    dcs_criterion *criteria;
    size_t ncriteria;

    struct {
        int xlsx, gpkg, json;
        size_t top_n;
    } outputs;
} dcs_scenario;

/* Peak facility demand in MW: IT load times design PUE. */
double dcs_scenario_peak_mw(const dcs_scenario *scn);

/* Read and check the scenario at path.  On failure returns
 * DCS_ERR_SCENARIO (or DCS_ERR_NOMEM) with every problem in `problems`
 * (may be NULL) and the first in err. */
dcs_status dcs_scenario_load(const char *path, dcs_scenario *scn, dcs_strlist *problems,
                             dcs_error *err);

/* Same, from a JSON text; relative paths resolve against base_dir. */
dcs_status dcs_scenario_parse(const char *text, const char *base_dir, const char *path,
                              dcs_scenario *scn, dcs_strlist *problems, dcs_error *err);

void dcs_scenario_free(dcs_scenario *scn);

const char *dcs_constraint_op_name(dcs_constraint_op op);

#endif
