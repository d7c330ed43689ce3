/* manpage.c - dcsite(1) in roff from the option tables. See manpage.h. */
#include "manpage.h"

#include <string.h>

#include "core/version.h"
#include "options.h"

/* Text with roff's special characters escaped: backslash, a hyphen (an
 * ASCII hyphen-minus in options and paths, \-), a leading dot or quote. */
static void roff(FILE *out, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", out);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else if (*s == '\n') {
            fputc('\n', out);
            if (s[1] == '.' || s[1] == '\'')
                fputs("\\&", out);
        } else
            fputc(*s, out);
    }
}

/* A paragraph tag line ".TP" then "tag" in bold, then the text. */
static void tagged(FILE *out, const char *tag, const char *text)
{
    fputs(".TP\n.B ", out);
    roff(out, tag);
    fputc('\n', out);
    roff(out, text);
    fputc('\n', out);
}

static void synopsis(FILE *out)
{
    fputs(".SH SYNOPSIS\n", out);
    for (size_t i = 0; i < dcs_cli_ncommands; i++) {
        const char *u = dcs_cli_commands[i].usage;
        fputs(".B dcsite\n", out);
        /* the usage's own line break and indent become one space */
        for (const char *p = u; *p; p++) {
            if (*p == '\n') {
                fputc(' ', out);
                while (p[1] == ' ')
                    p++;
                continue;
            }
            char one[2] = {*p, '\0'};
            roff(out, one);
        }
        fputs("\n.br\n", out);
    }
    fputs(".B dcsite\n\\-\\-help | \\-\\-man | \\-\\-version\n", out);
}

static void commands(FILE *out)
{
    fputs(".SH COMMANDS\n", out);
    for (size_t i = 0; i < dcs_cli_ncommands; i++)
        tagged(out, dcs_cli_commands[i].name, dcs_cli_commands[i].help);
}

static void options(FILE *out)
{
    fputs(".SH OPTIONS\n", out);
    for (size_t i = 0; i < dcs_cli_noptions; i++) {
        const dcs_cli_option *o = &dcs_cli_options[i];
        fprintf(out, ".TP\n.BR \\-%c \", \" \\-\\-", o->short_name);
        roff(out, o->name);
        if (o->arg) {
            fputs(" \" \" \\fI", out);
            roff(out, o->arg);
            fputs("\\fR", out);
        }
        fputc('\n', out);
        roff(out, o->help);
        fputs(".\n", out);
        if (o->commands[0]) {
            fputs("Commands: ", out);
            for (const char *p = o->commands; *p; p++)
                fputs(*p == ' ' ? ", " : (char[2]){*p, '\0'}, out);
            fputs(".\n", out);
        }
    }
}

static void exit_status(FILE *out)
{
    fputs(".SH EXIT STATUS\n", out);
    for (size_t i = 0; i < dcs_cli_nexits; i++) {
        char code[16];
        snprintf(code, sizeof code, "%d", dcs_cli_exits[i].code);
        tagged(out, code, dcs_cli_exits[i].meaning);
    }
}

static const char *const description[] = {
    "dcsite tells planners where a data center can go and what it will cost the grid, the "
    "water supply and the neighbours.  It reads candidate sites (parcels, or a generated grid) "
    "and context layers through GDAL, works in a metric CRS with PROJ, models energy and "
    "cooling from hourly weather, applies hard constraints (every excluded site says why), "
    "scores and ranks the rest, and writes an Excel workbook, GIS layers and a JSON summary.",
    "A scenario file (JSON) names every input and rule; see docs/scenario.md.  Progress goes "
    "to stderr, results and report paths to stdout.",
};

static const struct {
    const char *what, *command;
} examples[] = {
    {"Rank the sample region and write its reports into out/demo:",
     "dcsite run data/scenarios/dallas.json -o out/demo"},
    {"Write a starter scenario from your own layers, listing every guess:",
     "dcsite init parcels.gpkg substations.geojson census.gpkg dem.tif -o my_county.json"},
    {"Check a scenario and every layer it names, listing every problem:",
     "dcsite check my_county.json"},
    {"Write the GIS layers as FlatGeobuf in WGS 84:",
     "dcsite run my_county.json --format FlatGeobuf --crs EPSG:4326"},
    {"Split a run in four shards, then rank them together:",
     "dcsite run s.json --shard 0/4 -o out  (... 3/4)\ndcsite merge s.json -o out"},
    {"A year of energy and water at one weather station:",
     "dcsite energy station.epw --cooling air_chiller --it-mw 50"},
};

void dcs_cli_man(FILE *out)
{
    fprintf(out, ".TH DCSITE 1 \"\" \"dcsite %s\" \"User Commands\"\n", DCS_VERSION);
    fputs(".SH NAME\ndcsite \\- where a data center can go, and what it costs the grid, "
          "the water and the neighbours\n", out);
    synopsis(out);
    fputs(".SH DESCRIPTION\n", out);
    for (size_t i = 0; i < sizeof description / sizeof *description; i++) {
        fputs(i ? ".PP\n" : "", out);
        roff(out, description[i]);
        fputc('\n', out);
    }
    commands(out);
    options(out);
    fputs(".SH ENVIRONMENT\n", out);
    tagged(out, "DCSITE_THREADS",
           "threads measuring sites when --threads is not given (1 to 64; default one per "
           "online CPU).");
    exit_status(out);
    fputs(".SH EXAMPLES\n", out);
    for (size_t i = 0; i < sizeof examples / sizeof *examples; i++) {
        fputs(".PP\n", out);
        roff(out, examples[i].what);
        fputs("\n.PP\n.RS\n.nf\n", out);
        roff(out, examples[i].command);
        fputs("\n.fi\n.RE\n", out);
    }
    fputs(".SH SEE ALSO\n.BR ogr2ogr (1),\n.BR qgis (1).\n"
          "The reference manual is in the docs/ folder of the source: docs/cli.md (commands, "
          "exit codes, bad input), docs/scenario.md, docs/metrics.md, docs/methods.md, "
          "docs/outputs.md, docs/postgis.md, docs/batch.md.\n", out);
}
