/*
 * options.h - the command line: one table of options, one of commands and
 * one of exit codes drive parsing, --help and the manual page (manpage.h).
 *
 *   dcsite run SCENARIO.json [-o OUTDIR] [--format F] [--crs CRS]
 *              [--db CONNECTION [--table [SCHEMA.]TABLE]] [--threads N] [--quiet]
 *   dcsite run SCENARIO.json --shard I/N [-o OUTDIR] [--threads N] [--quiet]
 *   dcsite merge SCENARIO.json [--shards DIR] [-o OUTDIR]
 *   dcsite batch SCENARIO.json...|LIST [-o OUTDIR]
 *   dcsite check SCENARIO.json
 *   dcsite energy WEATHERFILE [--cooling ARCHETYPE] [--design-class CLASS] [--it-mw N]
 *                 [--json] [--hourly FILE] [--signals T [--region R] [--clean-supply T]]
 *                 [--design-dry-bulb C [--design-wet-bulb C]]
 *   dcsite init SITES [DATASET...] [-o SCENARIO.json] [--force]
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
    DCS_CMD_BATCH,
    DCS_CMD_INIT
} dcs_command;

/* Most operands batch takes on its command line (more: a LIST file). */
#define DCS_CLI_MAX_INPUTS 256

typedef struct {
    dcs_command command;
    const char *input;  /* the scenario, the weather file for energy, the sites for init */
    const char *inputs[DCS_CLI_MAX_INPUTS]; /* batch, init: every operand (input is the first) */
    size_t ninputs;
    const char *shard_text;  /* run: --shard I/N as given, NULL = the whole run */
    size_t shard_index, shard_count;
    const char *shards_dir;  /* merge: where the shard files are, NULL = the output dir */
    const char *outdir; /* NULL: "out"; init: the scenario file, NULL: "scenario.json" */
    int force;          /* init: replace an existing scenario file */
    int quiet;
    const char *format;      /* run: GIS output driver, NULL = GPKG */
    const char *crs;         /* run: GIS output CRS, NULL = working CRS */
    const char *db;          /* run: PostgreSQL connection string for the GIS layers */
    const char *table;       /* run: [schema.]table for --db */
    const char *cooling;     /* energy: archetype name, NULL = default */
    const char *design_class; /* energy: design class name, NULL = default (colocation) */
    const char *it_mw_text;  /* energy: --it-mw as given */
    double it_mw;            /* energy: IT load, default 100 */
    const char *hourly;      /* energy: --hourly CSV path, NULL = none */
    const char *signals;     /* energy: --signals table, NULL = none */
    const char *region;      /* energy: --region, NULL = the table's only region */
    const char *supply;      /* energy: --clean-supply table, NULL = none */
    const char *design_db_text, *design_wb_text; /* energy: --design-dry/wet-bulb as given */
    double design_db, design_wb; /* energy: those in C, NaN when not given */
    const char *threads_text; /* run: --threads as given */
    int threads;             /* run: from --threads or $DCSITE_THREADS; 0 = automatic */
    int json;
    int help;
    int version;
    int man;
} dcs_cli;

#define DCS_CLI_MAX_THREADS 64 /* = DCS_MAX_THREADS in run.h */

/* Exit codes (dcs_cli_exits below; docs/cli.md). */
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

/* One option of the command line. */
typedef struct {
    const char *name;     /* long name, without "--" */
    int short_name;
    const char *arg;      /* NULL: takes no argument */
    const char *commands; /* where it applies: "run", "run merge", "" = all */
    const char *help;
} dcs_cli_option;

/* One command word. */
typedef struct {
    const char *name;
    dcs_command command;
    const char *usage; /* after "dcsite " */
    const char *help;
} dcs_cli_command;

/* One exit code: a few words for --help, a sentence for the manual. */
typedef struct {
    int code;
    const char *brief;
    const char *meaning;
} dcs_cli_exit;

/* The tables (constant, thread-safe to read). */
extern const dcs_cli_option dcs_cli_options[];
extern const size_t dcs_cli_noptions;
extern const dcs_cli_command dcs_cli_commands[];
extern const size_t dcs_cli_ncommands;
extern const dcs_cli_exit dcs_cli_exits[];
extern const size_t dcs_cli_nexits;

/* Parse argv; on a usage error returns -1 with a message in msg. */
int dcs_cli_parse(int argc, char **argv, dcs_cli *cli, char *msg, size_t size);

void dcs_cli_help(FILE *out);

/* The exit code for a status. */
int dcs_exit_code(dcs_status status);

#endif
