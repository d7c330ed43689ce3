/*
 * inputs.h - open and check every layer a scenario names.
 *
 * dcs_inputs_open() opens the site layer (or the grid's area of interest),
 * the substation layer, each vector context layer, each coverage layer,
 * each joined table, each raster and the noise receptors; it checks geometry types, the fields
 * the scenario maps (and their kinds), raster bands and CRSs, and records
 * what it found (dcs_input_info: feature count or raster size, extent,
 * CRS).  It does not stop at the first problem: every one is appended to
 * `problems`, so `dcsite check` can show them all; `run` refuses to go on
 * if there is any.
 *
 * Ownership: dcs_inputs owns the open layers; dcs_inputs_close().
 */
#ifndef DCS_INPUTS_H
#define DCS_INPUTS_H

#include <stddef.h>

#include "core/error.h"
#include "inputs/layers.h"
#include "inputs/model.h"
#include "inputs/scenario.h"
#include "core/strlist.h"

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
    long long ndegenerate, degenerate_fid; /* no-area polygons skipped, the first */
    long long nbadtext, badtext_fid; /* text made valid UTF-8 (layers.h) */
    int latin1;
} dcs_input_info;

enum { DCS_IN_SITES = 0, DCS_IN_SUBSTATIONS = 1 };

typedef struct {
    const dcs_scenario *scn;  /* the scenario opened (it must outlive the inputs) */
    size_t n;                 /* vector layers opened (some may have failed: ds NULL) */
    dcs_layer *layers;
    dcs_input_info *info;     /* ninfo records: the layers, then the rasters */
    size_t ninfo;
    size_t ncontexts, njoins;
    long *ctx_layer;          /* per context: its vector layer, -1 for a raster */
    long *cover_layer;        /* per context: its coverage layer, -1 when none */
    long *join_layer;         /* per join: its table */
    long *ctx_info;           /* per context: its info record */
    dcs_metric_kind *attr_kinds; /* dcs_model_attr_slots() entries */
    int **zone_fields;        /* per context: field indices of its attributes */
    int **join_fields;        /* per join: field indices of its attributes */
    int *join_key;            /* per join: index of key_field */
    int *weighted_field;      /* per context: index of the area-weighted field */
    long station_layer;       /* energy.station_table, -1 when none */
    int station_field;        /* its file_field */
    long noise_layer;         /* noise.receptors, -1 when none (property_line) */
    dcs_strlist unopened;     /* datasets that could not be opened (tried once each) */
} dcs_inputs;

/* Opens what it can; returns DCS_ERR_DATA when anything was wrong (every
 * problem in `problems`, the first in err). */
dcs_status dcs_inputs_open(const dcs_scenario *scn, dcs_inputs *in, dcs_strlist *problems,
                           dcs_error *err);

/* Copy the read counters of the layers into their info records. */
void dcs_inputs_collect_counts(dcs_inputs *in);

void dcs_inputs_close(dcs_inputs *in);

#endif
