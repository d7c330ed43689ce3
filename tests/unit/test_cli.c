/* test_cli.c - option parsing, --help and the manual page from the option
 * tables, exit codes. */
#include "testutil.h"

#include <stdlib.h>

#include "manpage.h"
#include "options.h"

static int parse(dcs_cli *cli, char *msg, int argc, ...)
{
    char *argv[16];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    argv[argc] = NULL;
    return dcs_cli_parse(argc, argv, cli, msg, 256);
}

static void test_run_command(void **state)
{
    (void)state;
    dcs_cli cli;
    char msg[256];
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "run", "s.json", "-o", "out/x"), 0);
    assert_int_equal(cli.command, DCS_CMD_RUN);
    assert_string_equal(cli.input, "s.json");
    assert_string_equal(cli.outdir, "out/x");
    assert_false(cli.quiet);
    /* options before the operand, long forms */
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "run", "--quiet", "--output=d", "s.json"), 0);
    assert_true(cli.quiet);
    assert_string_equal(cli.outdir, "d");
    assert_string_equal(cli.input, "s.json");
    assert_int_equal(parse(&cli, msg, 3, "dcsite", "check", "s.json"), 0);
    assert_int_equal(cli.command, DCS_CMD_CHECK);
    assert_int_equal(parse(&cli, msg, 7, "dcsite", "energy", "w.tmy3", "--cooling", "liquid",
                           "--it-mw", "40"),
                     0);
    assert_int_equal(cli.command, DCS_CMD_ENERGY);
    assert_string_equal(cli.input, "w.tmy3");
    assert_string_equal(cli.cooling, "liquid");
    assert_near(cli.it_mw, 40, 0);
    assert_false(cli.json);
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "energy", "w.tmy3", "--json"), 0);
    assert_true(cli.json);
    assert_near(cli.it_mw, 100, 0);
    assert_int_equal(parse(&cli, msg, 7, "dcsite", "run", "s.json", "--db", "PG:dbname=gis",
                           "-t", "results.sites"),
                     0);
    assert_string_equal(cli.db, "PG:dbname=gis");
    assert_string_equal(cli.table, "results.sites");
    assert_int_equal(parse(&cli, msg, 2, "dcsite", "--help"), 0);
    assert_true(cli.help);
    assert_int_equal(parse(&cli, msg, 2, "dcsite", "-V"), 0);
    assert_true(cli.version);
}

static void test_usage_errors(void **state)
{
    (void)state;
    dcs_cli cli;
    char msg[256];
    assert_int_equal(parse(&cli, msg, 1, "dcsite"), -1);
    assert_contains(msg, "no command given");
    assert_int_equal(parse(&cli, msg, 3, "dcsite", "fly", "s.json"), -1);
    assert_string_equal(msg,
                        "unknown command 'fly' (commands: run, merge, batch, check, energy, init)");
    assert_int_equal(parse(&cli, msg, 2, "dcsite", "run"), -1);
    assert_string_equal(msg, "run: a scenario file is required");
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "run", "s.json", "--colour"), -1);
    assert_string_equal(msg, "unknown option '--colour'");
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "run", "s.json", "-o"), -1);
    assert_string_equal(msg, "option '-o' needs an argument");
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "run", "a.json", "b.json"), -1);
    assert_string_equal(msg, "unexpected argument 'b.json'");
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "check", "s.json", "-o", "d"), -1);
    assert_string_equal(msg, "option '--output' does not apply to this command");
    /* also when the option comes before the command */
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "-o", "d", "check", "s.json"), -1);
    assert_string_equal(msg, "option '--output' does not apply to this command");
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "--quiet", "check", "s.json"), -1);
    assert_string_equal(msg, "option '--quiet' does not apply to this command");
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "-q", "run", "s.json", "-oout"), 0);
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "run", "s.json", "--json"), -1);
    assert_string_equal(msg, "option '--json' does not apply to this command");
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "energy", "w.epw", "--it-mw=abc"), -1);
    assert_string_equal(msg, "--it-mw: \"abc\" is not a load in MW (expected more than 0, up to 10000)");
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "check", "s.json", "--db", "PG:x"), -1);
    assert_string_equal(msg, "option '--db' does not apply to this command");
    assert_int_equal(parse(&cli, msg, 2, "dcsite", "energy"), -1);
    assert_string_equal(msg, "energy: a weather file is required");
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "run", "s.json", "--threads", "0"), -1);
    assert_string_equal(msg, "--threads: \"0\" is not a thread count (expected 1 to 64)");
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "check", "s.json", "--threads", "2"), -1);
    assert_string_equal(msg, "option '--threads' does not apply to this command");
    /* shards */
    const char *bad_shards[] = {"4/4", "1", "1/0", "-1/4", "a/4", "1/4x", "/4", "1/", "1/100001"};
    for (size_t i = 0; i < sizeof bad_shards / sizeof *bad_shards; i++) {
        assert_int_equal(parse(&cli, msg, 5, "dcsite", "run", "s.json", "--shard", bad_shards[i]),
                         -1);
        assert_contains(msg, "is not a shard (expected I/N with 0 <= I < N");
    }
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "merge", "s.json", "--shard", "0/2"), -1);
    assert_string_equal(msg, "option '--shard' does not apply to this command");
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "run", "s.json", "--shards", "d"), -1);
    assert_string_equal(msg, "option '--shards' does not apply to this command");
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "merge", "a.json", "b.json"), -1);
    assert_string_equal(msg, "unexpected argument 'b.json'");
    assert_int_equal(parse(&cli, msg, 2, "dcsite", "batch"), -1);
    assert_string_equal(msg, "batch: a scenario file is required");
}

static void test_threads(void **state)
{
    (void)state;
    dcs_cli cli;
    char msg[256];
    unsetenv("DCSITE_THREADS");
    assert_int_equal(parse(&cli, msg, 3, "dcsite", "run", "s.json"), 0);
    assert_int_equal(cli.threads, 0); /* automatic */
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "run", "s.json", "--threads=3"), 0);
    assert_int_equal(cli.threads, 3);
    setenv("DCSITE_THREADS", "2", 1);
    assert_int_equal(parse(&cli, msg, 3, "dcsite", "run", "s.json"), 0);
    assert_int_equal(cli.threads, 2);
    assert_int_equal(parse(&cli, msg, 5, "dcsite", "run", "s.json", "-T", "64"), 0);
    assert_int_equal(cli.threads, 64); /* the option wins */
    setenv("DCSITE_THREADS", "2x", 1);
    assert_int_equal(parse(&cli, msg, 3, "dcsite", "run", "s.json"), -1);
    assert_string_equal(msg, "DCSITE_THREADS: \"2x\" is not a thread count (expected 1 to 64)");
    unsetenv("DCSITE_THREADS");
}

static void test_shard_merge_batch(void **state)
{
    (void)state;
    dcs_cli cli;
    char msg[256];
    assert_int_equal(parse(&cli, msg, 7, "dcsite", "run", "s.json", "--shard", "3/4", "-o", "d"),
                     0);
    assert_string_equal(cli.shard_text, "3/4");
    assert_int_equal(cli.shard_index, 3);
    assert_int_equal(cli.shard_count, 4);
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "run", "s.json", "--shard=0/1"), 0);
    assert_int_equal(cli.shard_index, 0);
    assert_int_equal(cli.shard_count, 1);
    assert_int_equal(parse(&cli, msg, 3, "dcsite", "run", "s.json"), 0);
    assert_null(cli.shard_text);
    assert_int_equal(parse(&cli, msg, 7, "dcsite", "merge", "s.json", "--shards", "sh", "-o",
                           "out"),
                     0);
    assert_int_equal(cli.command, DCS_CMD_MERGE);
    assert_string_equal(cli.shards_dir, "sh");
    assert_string_equal(cli.outdir, "out");
    assert_int_equal(parse(&cli, msg, 7, "dcsite", "batch", "a.json", "list.txt", "-o", "o",
                           "c.json"),
                     0);
    assert_int_equal(cli.command, DCS_CMD_BATCH);
    assert_int_equal(cli.ninputs, 3);
    assert_string_equal(cli.input, "a.json");
    assert_string_equal(cli.inputs[1], "list.txt");
    assert_string_equal(cli.inputs[2], "c.json");
    assert_string_equal(cli.outdir, "o");
}

static void test_init(void **state)
{
    (void)state;
    dcs_cli cli;
    char msg[256];
    assert_int_equal(parse(&cli, msg, 7, "dcsite", "init", "parcels.gpkg", "subs.gpkg", "-o",
                           "s.json", "--force"),
                     0);
    assert_int_equal(cli.command, DCS_CMD_INIT);
    assert_string_equal(cli.input, "parcels.gpkg");
    assert_int_equal(cli.ninputs, 2);
    assert_string_equal(cli.inputs[1], "subs.gpkg");
    assert_string_equal(cli.outdir, "s.json");
    assert_int_equal(cli.force, 1);
    assert_int_equal(parse(&cli, msg, 3, "dcsite", "init", "parcels.gpkg"), 0);
    assert_int_equal(cli.force, 0);
    assert_null(cli.outdir);
    assert_int_equal(parse(&cli, msg, 2, "dcsite", "init"), -1);
    assert_string_equal(msg, "init: a site layer (a dataset of polygons) is required");
    assert_int_equal(parse(&cli, msg, 4, "dcsite", "run", "s.json", "--force"), -1);
    assert_string_equal(msg, "option '--force' does not apply to this command");
}

static void test_help_lists_every_option(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    dcs_cli_help(fp);
    fclose(fp);
    const char *want[] = {"-o, --output DIR", "-q, --quiet", "-h, --help", "-V, --version",
                          "-c, --cooling ARCHETYPE", "-m, --it-mw N", "-j, --json",
                          "-T, --threads N", "-d, --db CONNECTION",
                          "-t, --table [SCHEMA.]TABLE",
                          "dcsite run SCENARIO.json", "dcsite check SCENARIO.json",
                          "dcsite energy WEATHERFILE", "-s, --shard I/N", "-S, --shards DIR",
                          "dcsite merge SCENARIO.json", "dcsite batch SCENARIO.json",
                          "dcsite init SITES [DATASET...]", "-F, --force",
                          "5 output failure", "6 some scenarios of a batch failed"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_contains(buf, want[i]);
    free(buf);
}

/* name with each hyphen as roff's "\-". */
static void roff_hyphens(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (; *name && n + 3 < size; name++) {
        if (*name == '-')
            out[n++] = '\\';
        out[n++] = *name;
    }
    out[n] = '\0';
}

/* Every option, command and exit code of the tables in --help and in the
 * manual page (roff: "\-\-name", bold tags), and nothing else claimed as an
 * option: each "\-\-word" of the page's OPTIONS section is in the table. */
static void test_help_and_man_follow_the_tables(void **state)
{
    (void)state;
    char *help = NULL, *man = NULL;
    size_t help_len = 0, man_len = 0;
    FILE *fp = open_memstream(&help, &help_len);
    dcs_cli_help(fp);
    fclose(fp);
    fp = open_memstream(&man, &man_len);
    dcs_cli_man(fp);
    fclose(fp);
    char want[128];
    for (size_t i = 0; i < dcs_cli_noptions; i++) {
        snprintf(want, sizeof want, "-%c, --%s", dcs_cli_options[i].short_name,
                 dcs_cli_options[i].name);
        assert_contains(help, want);
        char name[64];
        roff_hyphens(dcs_cli_options[i].name, name, sizeof name);
        snprintf(want, sizeof want, ".BR \\-%c \", \" \\-\\-%s%s", dcs_cli_options[i].short_name,
                 name, dcs_cli_options[i].arg ? " \" \" \\fI" : "\n");
        assert_contains(man, want);
    }
    for (size_t i = 0; i < dcs_cli_ncommands; i++) {
        snprintf(want, sizeof want, ".TP\n.B %s\n", dcs_cli_commands[i].name);
        assert_contains(man, want);
    }
    const char *exits = strstr(man, ".SH EXIT STATUS\n");
    assert_non_null(exits);
    for (size_t i = 0; i < dcs_cli_nexits; i++) {
        snprintf(want, sizeof want, "%d %s", dcs_cli_exits[i].code, dcs_cli_exits[i].brief);
        assert_contains(help, want);
        snprintf(want, sizeof want, ".TP\n.B %d\n", dcs_cli_exits[i].code);
        assert_contains(exits, want);
    }
    /* the OPTIONS section names no option the parser does not take */
    const char *opts = strstr(man, ".SH OPTIONS\n"), *end = strstr(man, ".SH ENVIRONMENT\n");
    assert_true(opts && end && opts < end);
    size_t tags = 0;
    for (const char *p = opts; (p = strstr(p, ".BR \\-")) && p < end; p++, tags++) {
        char name[64], plain[64];
        size_t n = 0;
        assert_int_equal(sscanf(p, ".BR \\-%*c \", \" \\-\\-%63[a-z\\-]", name), 1);
        for (const char *q = name; *q; q++) /* "\-" back to "-" */
            if (*q != '\\')
                plain[n++] = *q;
        plain[n] = '\0';
        dcs_cli cli;
        char msg[256], arg[80];
        snprintf(arg, sizeof arg, "--%s", plain);
        /* every tagged option parses, with a value or as a flag */
        assert_true(parse(&cli, msg, 4, "dcsite", "--help", arg, "x") == 0 ||
                    parse(&cli, msg, 3, "dcsite", "--help", arg) == 0);
    }
    assert_int_equal(tags, dcs_cli_noptions);
    /* a version-stamped header and the roff escapes for hyphens */
    assert_contains(man, ".TH DCSITE 1");
    assert_null(strstr(opts, " --"));
    free(help);
    free(man);
}

static void test_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(dcs_exit_code(DCS_OK), 0);
    assert_int_equal(dcs_exit_code(DCS_ERR_SCENARIO), 3);
    assert_int_equal(dcs_exit_code(DCS_ERR_DATA), 4);
    assert_int_equal(dcs_exit_code(DCS_ERR_GEOMETRY), 4);
    assert_int_equal(dcs_exit_code(DCS_ERR_IO), 5);
    assert_int_equal(dcs_exit_code(DCS_ERR_INTERRUPTED), 130);
    assert_int_equal(dcs_exit_code(DCS_ERR_NOMEM), 1);
    assert_int_equal(dcs_exit_code(DCS_ERR_INTERNAL), 1);
    assert_int_equal(DCS_EXIT_PARTIAL, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_command),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_shard_merge_batch),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_help_lists_every_option),
        cmocka_unit_test(test_help_and_man_follow_the_tables),
        cmocka_unit_test(test_exit_codes),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
