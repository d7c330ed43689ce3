/*
 * inputs.h - open and check every layer a scenario names.
 *
 * dcs_inputs_open() opens the site layer, the substation layer and each
 * overlay, checks geometry types and the fields the scenario maps, and
 * records what it found (dcs_input_info: feature count, extent, CRS).  It
 * does not stop at the first problem: every one is appended to `problems`,
 * so `dcsite check` can show them all; `run` refuses to go on if any.
 *
 * Layer order: [0] sites, [1] substations, [2 + i] overlay i.
 *
 * Ownership: dcs_inputs owns the open layers; dcs_inputs_close().
 */
#ifndef DCS_INPUTS_H
#define DCS_INPUTS_H

#include <stddef.h>

#include "error.h"
#include "layers.h"
#include "model.h"
#include "scenario.h"
#include "strlist.h"

typedef struct {
    char role[96];
    char dataset[512];
    char layer[128];
    char crs[160];
    char geom_type[48];
    long long nfeatures;
    int has_extent;
    double minlon, minlat, maxlon, maxlat;
    /* filled after reading */
    long long nnull, nrepaired, nwrongtype;
} dcs_input_info;

enum { DCS_IN_SITES = 0, DCS_IN_SUBSTATIONS = 1, DCS_IN_OVERLAY0 = 2 };

typedef struct {
    size_t n;
    dcs_layer *layers;       /* n entries; closed ones have ds == NULL */
    dcs_input_info *info;    /* n entries */
    dcs_metric_kind *attr_kinds; /* kind of each sites.attributes entry */
} dcs_inputs;

/* Opens what it can; returns DCS_ERR_DATA when anything was wrong (every
 * problem in `problems`, the first in err). */
dcs_status dcs_inputs_open(const dcs_scenario *scn, dcs_inputs *in, dcs_strlist *problems,
                           dcs_error *err);

/* Copy the read counters of the layers into their info records. */
void dcs_inputs_collect_counts(dcs_inputs *in);

void dcs_inputs_close(dcs_inputs *in);

#endif
