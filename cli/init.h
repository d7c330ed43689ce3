/*
 * init.h - `dcsite init`: a starter scenario from the layers a user has.
 *
 * dcs_init_build() inspects the site dataset and every other dataset given
 * (inputs/inspect.h), guesses what each layer is for and which fields play
 * the usual parts (inputs/guess.h), and builds the scenario as a cJSON
 * document: facility defaults, the site layer with its id and obvious
 * attributes, the substations, each context layer under its section, the
 * weather files as energy stations, a few criteria on metrics the layers
 * give, no constraints (so no site is excluded before the user has seen the
 * metrics) and every output.  Paths are written relative to the scenario's
 * directory, as the scenario format resolves them.  Each layer found, each
 * guess and what could not be guessed (and why) becomes one line of
 * `lines`, for main.c to print; nothing here prints.
 *
 * dcs_init_write() writes the document next to its final name and renames
 * it into place (or, without force, links it, so an existing file is never
 * replaced even if it appears meanwhile).
 *
 * Errors: the site dataset or a dataset given that cannot be opened, a
 * site dataset with no polygon layer, or with no features or no CRS in it:
 * DCS_ERR_DATA naming the file; the scenario file already there (without
 * force) or not writable: DCS_ERR_IO.
 *
 * Ownership: dcs_init_free() frees the document and the lines.  Not
 * thread-safe (GDAL datasets are opened and closed inside).
 */
#ifndef DCS_INIT_H
#define DCS_INIT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/strlist.h"

typedef struct {
    const char *sites;              /* the candidate sites: a polygon layer's dataset */
    const char *const *datasets;    /* context datasets, weather files */
    size_t ndatasets;
    const char *output;             /* the scenario file to write */
    int force;                      /* replace an existing output */
} dcs_init_request;

typedef struct {
    cJSON *doc;        /* the scenario */
    dcs_strlist lines; /* "layer: ...", "guess: ...", "not guessed: ...", "skipped: ..." */
    size_t nguesses;
} dcs_init_result;

dcs_status dcs_init_build(const dcs_init_request *rq, dcs_init_result *out, dcs_error *err);

dcs_status dcs_init_write(const dcs_init_result *res, const char *path, int force,
                          dcs_error *err);

void dcs_init_free(dcs_init_result *res);

#endif
