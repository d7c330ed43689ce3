/* options.c - option, command and exit-code tables; parsing, help. See options.h. */
#include "options.h"

#include "pipeline/shard.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OPT(long_, short_, arg_, where, text)                                                 \
    {.name = long_, .short_name = short_, .arg = arg_, .commands = where, .help = text}

const dcs_cli_option dcs_cli_options[] = {
    OPT("output", 'o', "DIR", "run merge batch init",
        "write the reports into DIR (default: out); init: the scenario file to write "
        "(default: scenario.json)"),
    OPT("force", 'F', NULL, "init", "replace the scenario file if it exists"),
    OPT("quiet", 'q', NULL, "run merge batch", "no progress or summary on stderr"),
    OPT("format", 'f', "FORMAT", "run merge batch",
        "GIS output: GPKG (default), GeoJSON, FlatGeobuf, Shapefile, CSV or any OGR vector "
        "driver"),
    OPT("crs", 'r', "CRS", "run merge batch", "CRS of the GIS output (default: the working CRS)"),
    OPT("shard", 's', "I/N", "run",
        "measure only shard I of N (sites i with i mod N = I) into DIR/shard-I-of-N.gpkg"),
    OPT("shards", 'S', "DIR", "merge", "where the shard files are (default: the output DIR)"),
    OPT("db", 'd', "CONNECTION", "run",
        "write the GIS layers to PostgreSQL/PostGIS ('PG:dbname=... host=...'), replacing an "
        "earlier run's tables once complete"),
    OPT("table", 't', "[SCHEMA.]TABLE", "run",
        "table for --db (default: public.<scenario name>); eligible points go to TABLE_points"),
    OPT("threads", 'T', "N", "run merge batch",
        "threads measuring sites (default: $DCSITE_THREADS, else one per CPU)"),
    OPT("cooling", 'c', "ARCHETYPE", "energy",
        "air_economizer, water_economizer (default), air_chiller or liquid"),
    OPT("design-class", 'K', "CLASS", "energy",
        "colocation (default), hyperscale or enterprise: the electrical and mechanical "
        "parameters set together (docs/methods.md)"),
    OPT("it-mw", 'm', "N", "energy", "IT load in MW (default 100)"),
    OPT("json", 'j', NULL, "energy", "print the results as JSON"),
    OPT("hourly", 'H', "FILE", "energy",
        "also write the 8760 hours (weather, mode, PUE, power, water, flag) to FILE as CSV"),
    OPT("design-dry-bulb", 'D', "C", "energy",
        "design dry bulb for the design peak (default: the EPW header's design conditions, "
        "else the year's 0.4 % percentiles)"),
    OPT("design-wet-bulb", 'W', "C", "energy",
        "its coincident wet bulb (default: the file's design humidity ratio)"),
    OPT("signals", 'G', "TABLE", "energy",
        "hourly grid signals (region, hour 1-8760 and any of co2_avg_lb_mwh, "
        "co2_marginal_lb_mwh, cfe_share, price_usd_mwh, system_load_mw): add hourly CO2, the "
        "24/7 CFE score and the hourly cost"),
    OPT("region", 'R', "R", "energy", "the region of --signals to use (default: its only one)"),
    OPT("clean-supply", 'P', "TABLE", "energy",
        "an hourly clean-supply shape (columns hour and mw) for the matched CFE score (with "
        "--signals)"),
    OPT("help", 'h', NULL, "", "show this help and exit"),
    OPT("man", 'M', NULL, "", "print the manual page (roff, for man -l -) and exit"),
    OPT("version", 'V', NULL, "", "show dcsite's and the libraries' versions and exit"),
};
#undef OPT
const size_t dcs_cli_noptions = sizeof dcs_cli_options / sizeof dcs_cli_options[0];
#define NOPTIONS_MAX 32 /* room in the getopt tables */
_Static_assert(sizeof dcs_cli_options / sizeof dcs_cli_options[0] <= NOPTIONS_MAX,
               "raise NOPTIONS_MAX");

const dcs_cli_command dcs_cli_commands[] = {
    {.name = "run",
     .command = DCS_CMD_RUN,
     .usage = "run SCENARIO.json [-o DIR] [--format F] [--crs CRS] [--db CONN [--table T]]\n"
              "             [--threads N] [--quiet]",
     .help = "score and rank the candidate sites; write .xlsx, .gpkg and .json reports"},
    {.name = "merge",
     .command = DCS_CMD_MERGE,
     .usage = "merge SCENARIO.json [--shards DIR] [-o DIR]",
     .help = "rank the sites of all shards of a split run; the same reports as one run"},
    {.name = "batch",
     .command = DCS_CMD_BATCH,
     .usage = "batch SCENARIO.json...|LIST [-o DIR]",
     .help = "run many scenarios: DIR/<name>/ each, DIR/batch.xlsx and .json comparing them"},
    {.name = "check",
     .command = DCS_CMD_CHECK,
     .usage = "check SCENARIO.json",
     .help = "validate the scenario and every layer it names, and predict what a run would "
             "warn about, without running"},
    {.name = "energy",
     .command = DCS_CMD_ENERGY,
     .usage = "energy WEATHERFILE [--cooling A] [--design-class C] [--it-mw N] [--json]\n"
              "             [--hourly FILE] [--signals TABLE [--region R] [--clean-supply TABLE]]\n"
              "             [--design-dry-bulb C [--design-wet-bulb C]]",
     .help = "model a year of energy and water at one weather station (EPW or TMY3)"},
    {.name = "init",
     .command = DCS_CMD_INIT,
     .usage = "init SITES [DATASET...] [-o SCENARIO.json] [--force]",
     .help = "inspect your layers, list every guess, write a starter scenario"},
};
const size_t dcs_cli_ncommands = sizeof dcs_cli_commands / sizeof dcs_cli_commands[0];

const dcs_cli_exit dcs_cli_exits[] = {
    {.code = DCS_EXIT_OK, .brief = "success", .meaning = "success"},
    {.code = DCS_EXIT_INTERNAL,
     .brief = "internal error",
     .meaning = "internal error (out of memory, a bug)"},
    {.code = DCS_EXIT_USAGE,
     .brief = "usage error",
     .meaning = "usage error (unknown command or option, missing argument)"},
    {.code = DCS_EXIT_SCENARIO,
     .brief = "bad scenario",
     .meaning = "bad scenario (JSON syntax, unknown key, wrong type, missing key, value out of "
                "range, unknown metric)"},
    {.code = DCS_EXIT_DATA,
     .brief = "bad input data",
     .meaning = "bad input data (a dataset or database that cannot be opened, a missing layer, "
                "table or field, no CRS, the wrong geometry type, duplicate site ids, geometry "
                "that cannot be used; init: a site dataset without a polygon layer with "
                "features; check: no qualifying substation, a layer a rule or criterion needs "
                "that is empty or lies outside the sites)"},
    {.code = DCS_EXIT_IO,
     .brief = "output failure",
     .meaning = "output failure (the output directory or a report cannot be written; --db: "
                "cannot connect, create or replace the tables; init: the scenario file exists "
                "and --force is not given)"},
    {.code = DCS_EXIT_PARTIAL,
     .brief = "some scenarios of a batch failed",
     .meaning = "batch only: some scenarios failed; the others' reports and the comparison are "
                "written"},
    {.code = DCS_EXIT_INTERRUPTED,
     .brief = "interrupted",
     .meaning = "interrupted (SIGINT or SIGTERM) while the sites are read or measured; a signal "
                "while the reports are written removes the temporary files and is re-raised"},
};
const size_t dcs_cli_nexits = sizeof dcs_cli_exits / sizeof dcs_cli_exits[0];

/* "Exit codes: 0 success, 1 internal error, ..." wrapped before 78 columns. */
static void print_exit_codes(FILE *out)
{
    const char *lead = "Exit codes:";
    size_t col = 0;
    fprintf(out, "\n");
    for (size_t i = 0; i < dcs_cli_nexits; i++) {
        char item[96];
        snprintf(item, sizeof item, "%d %s%s", dcs_cli_exits[i].code, dcs_cli_exits[i].brief,
                 i + 1 < dcs_cli_nexits ? "," : ".");
        if (i == 0)
            col = (size_t)fprintf(out, "%s %s", lead, item);
        else if (col + 1 + strlen(item) > 78)
            col = (size_t)fprintf(out, "\n%s", item) - 1;
        else
            col += (size_t)fprintf(out, " %s", item);
    }
    fprintf(out, "\n");
}

void dcs_cli_help(FILE *out)
{
    fprintf(out, "dcsite - where a data center can go and what it costs the grid,\n"
                 "the water supply and the neighbours.\n\nUsage:\n");
    for (size_t i = 0; i < dcs_cli_ncommands; i++)
        fprintf(out, "  dcsite %s\n      %s\n", dcs_cli_commands[i].usage, dcs_cli_commands[i].help);
    fprintf(out, "  dcsite --help | --version\n\nOptions:\n");
    for (size_t i = 0; i < dcs_cli_noptions; i++) {
        char left[64];
        snprintf(left, sizeof left, "-%c, --%s%s%s", dcs_cli_options[i].short_name, dcs_cli_options[i].name,
                 dcs_cli_options[i].arg ? " " : "", dcs_cli_options[i].arg ? dcs_cli_options[i].arg : "");
        fprintf(out, "  %-26s %s%s%s%s\n", left, dcs_cli_options[i].help,
                dcs_cli_options[i].commands[0] ? " [" : "", dcs_cli_options[i].commands,
                dcs_cli_options[i].commands[0] ? "]" : "");
    }
    print_exit_codes(out);
}

static int applies(const dcs_cli_option *o, dcs_command cmd)
{
    if (!o->commands[0] || cmd == DCS_CMD_NONE)
        return 1;
    for (size_t i = 0; i < dcs_cli_ncommands; i++)
        if (dcs_cli_commands[i].command == cmd)
            return strstr(o->commands, dcs_cli_commands[i].name) != NULL;
    return 0;
}

static void set_option(dcs_cli *cli, int code)
{
    switch (code) {
    case 'o':
        cli->outdir = optarg;
        break;
    case 'q':
        cli->quiet = 1;
        break;
    case 'h':
        cli->help = 1;
        break;
    case 'V':
        cli->version = 1;
        break;
    case 'M':
        cli->man = 1;
        break;
    case 'c':
        cli->cooling = optarg;
        break;
    case 'K':
        cli->design_class = optarg;
        break;
    case 'f':
        cli->format = optarg;
        break;
    case 'r':
        cli->crs = optarg;
        break;
    case 'd':
        cli->db = optarg;
        break;
    case 't':
        cli->table = optarg;
        break;
    case 'm':
        cli->it_mw_text = optarg;
        break;
    case 'j':
        cli->json = 1;
        break;
    case 'H':
        cli->hourly = optarg;
        break;
    case 'D':
        cli->design_db_text = optarg;
        break;
    case 'W':
        cli->design_wb_text = optarg;
        break;
    case 'G':
        cli->signals = optarg;
        break;
    case 'R':
        cli->region = optarg;
        break;
    case 'P':
        cli->supply = optarg;
        break;
    case 'T':
        cli->threads_text = optarg;
        break;
    case 's':
        cli->shard_text = optarg;
        break;
    case 'S':
        cli->shards_dir = optarg;
        break;
    case 'F':
        cli->force = 1;
        break;
    }
}

static const char *command_name(dcs_command cmd)
{
    for (size_t i = 0; i < dcs_cli_ncommands; i++)
        if (dcs_cli_commands[i].command == cmd)
            return dcs_cli_commands[i].name;
    return "?";
}

/* --threads, else $DCSITE_THREADS: a whole number from 1 to DCS_CLI_MAX_THREADS
 * (0 when neither is given). */
static int parse_threads(dcs_cli *cli, char *msg, size_t size)
{
    const char *text = cli->threads_text, *what = "--threads";
    if (!text && (text = getenv("DCSITE_THREADS")) && *text)
        what = "DCSITE_THREADS";
    cli->threads = 0;
    if (!text || !*text)
        return 0;
    char *end;
    long t = strtol(text, &end, 10);
    if (end == text || *end || t < 1 || t > DCS_CLI_MAX_THREADS) {
        snprintf(msg, size, "%s: \"%s\" is not a thread count (expected 1 to %d)", what, text,
                 DCS_CLI_MAX_THREADS);
        return -1;
    }
    cli->threads = (int)t;
    return 0;
}

/* --design-dry-bulb / --design-wet-bulb: a temperature -70..70 C, NaN when
 * not given. */
static int parse_design(const char *text, const char *what, double *out, char *msg, size_t size)
{
    *out = NAN;
    if (!text)
        return 0;
    char *end;
    *out = strtod(text, &end);
    if (end == text || *end || !(*out >= -70 && *out <= 70)) {
        snprintf(msg, size, "%s: \"%s\" is not a temperature in C (expected -70 to 70)", what,
                 text);
        return -1;
    }
    return 0;
}

/* --it-mw: a positive number; --threads; --shard: I/N. */
static int parse_numbers(dcs_cli *cli, char *msg, size_t size)
{
    if (cli->shard_text &&
        dcs_shard_parse(cli->shard_text, &cli->shard_index, &cli->shard_count) != 0) {
        snprintf(msg, size, "--shard: \"%s\" is not a shard (expected I/N with 0 <= I < N, "
                            "e.g. 0/4)", cli->shard_text);
        return -1;
    }
    cli->it_mw = 100;
    if (parse_threads(cli, msg, size) != 0 ||
        parse_design(cli->design_db_text, "--design-dry-bulb", &cli->design_db, msg, size) != 0 ||
        parse_design(cli->design_wb_text, "--design-wet-bulb", &cli->design_wb, msg, size) != 0)
        return -1;
    if (!cli->it_mw_text)
        return 0;
    char *end;
    cli->it_mw = strtod(cli->it_mw_text, &end);
    if (end == cli->it_mw_text || *end || !(cli->it_mw > 0 && cli->it_mw <= 10000)) {
        snprintf(msg, size,
                 "--it-mw: \"%s\" is not a load in MW (expected more than 0, up to 10000)",
                 cli->it_mw_text);
        return -1;
    }
    return 0;
}

static dcs_command find_command(const char *word)
{
    for (size_t i = 0; i < dcs_cli_ncommands; i++)
        if (strcmp(dcs_cli_commands[i].name, word) == 0)
            return dcs_cli_commands[i].command;
    return DCS_CMD_NONE;
}

/* Build getopt_long's tables from the option table. */
static void getopt_tables(struct option *longopts, char *shortopts)
{
    char *s = shortopts;
    *s++ = '+'; /* stop at the first non-option: the command word */
    *s++ = ':'; /* report a missing argument as ':' */
    for (size_t i = 0; i < dcs_cli_noptions; i++) {
        longopts[i] = (struct option){.name = dcs_cli_options[i].name,
                                      .has_arg = dcs_cli_options[i].arg ? required_argument : 0,
                                      .flag = NULL,
                                      .val = dcs_cli_options[i].short_name};
        *s++ = (char)dcs_cli_options[i].short_name;
        if (dcs_cli_options[i].arg)
            *s++ = ':';
    }
    longopts[dcs_cli_noptions] = (struct option){0};
    *s = '\0';
}

static const dcs_cli_option *spec_for(int code)
{
    for (size_t i = 0; i < dcs_cli_noptions; i++)
        if (dcs_cli_options[i].short_name == code)
            return &dcs_cli_options[i];
    return NULL;
}

/* getopt over argv: options may come before or after the command and the
 * operand; seen[k] is set for each option of the table that was given. */
static int parse_words(int argc, char **argv, dcs_cli *cli, int *seen, char *msg, size_t size)
{
    struct option longopts[NOPTIONS_MAX + 1];
    char shortopts[2 + 2 * NOPTIONS_MAX + 1];
    getopt_tables(longopts, shortopts);
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, shortopts, longopts, NULL);
        if (c == -1) {
            if (optind >= argc)
                return 0;
            const char *word = argv[optind++];
            if (cli->command == DCS_CMD_NONE && (cli->command = find_command(word)) != DCS_CMD_NONE)
                continue;
            if (cli->command == DCS_CMD_NONE) {
                snprintf(msg, size,
                         "unknown command '%s' (commands: run, merge, batch, check, energy, init)",
                         word);
                return -1;
            }
            if (cli->ninputs && cli->command != DCS_CMD_BATCH && cli->command != DCS_CMD_INIT) {
                snprintf(msg, size, "unexpected argument '%s'", word);
                return -1;
            }
            if (cli->ninputs == DCS_CLI_MAX_INPUTS) {
                snprintf(msg, size, "more than %d scenarios: list them in a file instead",
                         DCS_CLI_MAX_INPUTS);
                return -1;
            }
            cli->inputs[cli->ninputs++] = word;
            cli->input = cli->inputs[0];
            continue;
        }
        if (c == '?' || c == ':') {
            const char *what = argv[optind - 1];
            snprintf(msg, size, c == ':' ? "option '%s' needs an argument" : "unknown option '%s'",
                     what);
            return -1;
        }
        const dcs_cli_option *o = spec_for(c);
        if (o)
            seen[o - dcs_cli_options] = 1;
        set_option(cli, c);
    }
}

int dcs_cli_parse(int argc, char **argv, dcs_cli *cli, char *msg, size_t size)
{
    int seen[NOPTIONS_MAX] = {0};
    memset(cli, 0, sizeof *cli);
    optind = 0; /* 0: glibc reinitialises getopt (parse may run more than once) */
    if (parse_words(argc, argv, cli, seen, msg, size) != 0)
        return -1;
    for (size_t k = 0; k < dcs_cli_noptions; k++)
        if (seen[k] && !applies(&dcs_cli_options[k], cli->command)) {
            snprintf(msg, size, "option '--%s' does not apply to this command", dcs_cli_options[k].name);
            return -1;
        }
    if (cli->help || cli->version || cli->man)
        return 0;
    if (cli->command == DCS_CMD_NONE) {
        snprintf(msg, size, "no command given (try 'dcsite --help')");
        return -1;
    }
    if (!cli->input) {
        snprintf(msg, size, "%s: a %s is required", command_name(cli->command),
                 cli->command == DCS_CMD_ENERGY ? "weather file"
                 : cli->command == DCS_CMD_INIT ? "site layer (a dataset of polygons)"
                                                : "scenario file");
        return -1;
    }
    return parse_numbers(cli, msg, size);
}

int dcs_exit_code(dcs_status status)
{
    switch (status) {
    case DCS_OK:
        return DCS_EXIT_OK;
    case DCS_ERR_SCENARIO:
        return DCS_EXIT_SCENARIO;
    case DCS_ERR_DATA:
    case DCS_ERR_GEOMETRY:
        return DCS_EXIT_DATA;
    case DCS_ERR_IO:
        return DCS_EXIT_IO;
    case DCS_ERR_INTERRUPTED:
        return DCS_EXIT_INTERRUPTED;
    case DCS_ERR_NOMEM:
    case DCS_ERR_INTERNAL:
    case DCS_STATUS_COUNT:
        break;
    }
    return DCS_EXIT_INTERNAL;
}
