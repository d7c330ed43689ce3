/*
 * options.h - the command line: one option table drives both parsing and
 * --help.
 *
 *   dcsite run SCENARIO.json [-o OUTDIR] [--format F] [--crs CRS]
 *              [--db CONNECTION [--table [SCHEMA.]TABLE]] [--threads N] [--quiet]
 *   dcsite run SCENARIO.json --shard I/N [-o OUTDIR] [--threads N] [--quiet]
 *   dcsite merge SCENARIO.json [--shards DIR] [-o OUTDIR]
 *   dcsite batch SCENARIO.json...|LIST [-o OUTDIR]
 *   dcsite check SCENARIO.json
 *   dcsite energy WEATHERFILE [--cooling ARCHETYPE] [--it-mw N] [--json]
 *   dcsite --help | --version
 */
#ifndef DCS_OPTIONS_H
#define DCS_OPTIONS_H

#include <stdio.h>

#include <stddef.h>

#include "core/error.h"

typedef enum {
    DCS_CMD_NONE,
    DCS_CMD_RUN,
    DCS_CMD_CHECK,
    DCS_CMD_ENERGY,
    DCS_CMD_MERGE,
    DCS_CMD_BATCH
} dcs_command;

/* Most operands batch takes on its command line (more: a LIST file). */
#define DCS_CLI_MAX_INPUTS 256

typedef struct {
    dcs_command command;
    const char *input;  /* the scenario, or the weather file for energy */
    const char *inputs[DCS_CLI_MAX_INPUTS]; /* batch: every operand (input is the first) */
    size_t ninputs;
    const char *shard_text;  /* run: --shard I/N as given, NULL = the whole run */
    size_t shard_index, shard_count;
    const char *shards_dir;  /* merge: where the shard files are, NULL = the output dir */
    const char *outdir; /* NULL: "out" */
    int quiet;
    const char *format;      /* run: GIS output driver, NULL = GPKG */
    const char *crs;         /* run: GIS output CRS, NULL = working CRS */
    const char *db;          /* run: PostgreSQL connection string for the GIS layers */
    const char *table;       /* run: [schema.]table for --db */
    const char *cooling;     /* energy: archetype name, NULL = default */
    const char *it_mw_text;  /* energy: --it-mw as given */
    double it_mw;            /* energy: IT load, default 100 */
    const char *threads_text; /* run: --threads as given */
    int threads;             /* run: from --threads or $DCSITE_THREADS; 0 = automatic */
    int json;
    int help;
    int version;
} dcs_cli;

#define DCS_CLI_MAX_THREADS 64 /* = DCS_MAX_THREADS in run.h */

/* Exit codes (listed in README.md). */
enum {
    DCS_EXIT_OK = 0,
    DCS_EXIT_INTERNAL = 1,
    DCS_EXIT_USAGE = 2,
    DCS_EXIT_SCENARIO = 3,
    DCS_EXIT_DATA = 4,
    DCS_EXIT_IO = 5,
    DCS_EXIT_PARTIAL = 6, /* batch: some scenarios failed, the others' results are written */
    DCS_EXIT_INTERRUPTED = 130,
};

/* Parse argv; on a usage error returns -1 with a message in msg. */
int dcs_cli_parse(int argc, char **argv, dcs_cli *cli, char *msg, size_t size);

void dcs_cli_help(FILE *out);

/* The exit code for a status. */
int dcs_exit_code(dcs_status status);

#endif
