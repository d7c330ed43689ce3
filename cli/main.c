/*
 * main.c - dcsite's entry point: the only place that prints messages and
 * chooses exit codes.  The engine (analysis/) and the writers (reports/)
 * return statuses with messages; this file turns them into words on
 * stderr (GRASS style: "dcsite: ERROR: ...") and an exit code.
 */
#include <cpl_conv.h>
#include <errno.h>
#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <pthread.h>
#include <ogr_srs_api.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "inputs/dsn.h"
#include "batch_report.h"
#include "cli_progress.h"
#include "energy/energy.h"
#include "fingerprint.h"
#include "init.h"
#include "inputs/inputs.h"
#include "core/libctx.h"
#include "inputs/model.h"
#include "manpage.h"
#include "options.h"
#include "report.h"
#include "output_guard.h"
#include "report_gis.h"
#include "report_json.h"
#include "report_pg.h"
#include "report_xlsx.h"
#include "pipeline/diagnose.h"
#include "pipeline/run.h"
#include "inputs/scenario.h"
#include "shard_io.h"
#include "core/version.h"
#include "energy/weather.h"
#include "inputs/hourly.h"
#include "report_hourly.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t writing_reports;
static volatile sig_atomic_t reading_scenario;

/* While the engine runs, a signal asks it to stop at the next site; while
 * reports are written, the temporary files are removed and the process
 * ends at once, so no half-written report is ever left. */
static void on_signal(int sig)
{
    static const char stopped[] = "dcsite: ERROR: interrupted while reading the scenario\n";
    stop_requested = 1;
    if (reading_scenario) { /* nothing written yet: nothing to clean up */
        ssize_t w = write(STDERR_FILENO, stopped, sizeof stopped - 1);
        (void)w;
        _exit(DCS_EXIT_INTERRUPTED);
    }
    if (writing_reports) {
        dcs_output_discard_all();
        signal(sig, SIG_DFL);
        raise(sig);
    }
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);  /* the terminal closed */
    sigaction(SIGPIPE, &sa, NULL); /* whoever read our output is gone */
}

/* dcs_scenario_load(); a signal meanwhile ends the process at once (the
 * parse of a huge scenario cannot poll stop_requested). */
static dcs_status load_scenario(const char *path, dcs_scenario *scn, dcs_strlist *problems,
                                dcs_error *err)
{
    reading_scenario = 1;
    dcs_status st = dcs_scenario_load(path, scn, problems, err);
    reading_scenario = 0;
    return st;
}

/* prefix and text on one line: passwords hidden (connection strings are
 * quoted in messages), GDAL's multi-line messages joined. */
static void print_line(FILE *out, const char *prefix, const char *text)
{
    char *r = dcs_redact(text);
    if (!r) {
        fprintf(out, "%s(message not shown: out of memory)\n", prefix);
        return;
    }
    size_t n = 0;
    for (const char *p = r; *p; p++) {
        int space = *p == '\n' || *p == '\t' || *p == '\r' || *p == ' ';
        if (!space)
            r[n++] = *p;
        else if (n > 0 && r[n - 1] != ' ')
            r[n++] = ' ';
    }
    while (n > 0 && r[n - 1] == ' ')
        n--;
    r[n] = '\0';
    fprintf(out, "%s%s\n", prefix, r);
    free(r);
}

static int fail(dcs_status st, const char *message)
{
    print_line(stderr, "dcsite: ERROR: ", message);
    return dcs_exit_code(st);
}

/* ---- run ----------------------------------------------------------------- */

/* One criterion's metric for the top-sites table: number with unit, the
 * text of a text metric, or "n/a" (missing or outside coverage). */
static void print_metric(const dcs_result *res, size_t i, const dcs_metric *m)
{
    char cell[32];
    if (m->kind == DCS_TEXT) {
        const char *t = dcs_site_text(&res->sites, i)[m->col];
        snprintf(cell, sizeof cell, "%s", t ? t : "n/a");
    } else {
        double v = dcs_site_num(&res->sites, i)[m->col];
        if (isnan(v))
            snprintf(cell, sizeof cell, "n/a");
        else
            snprintf(cell, sizeof cell, "%.*f%s%s", fabs(v) < 10 ? 2 : 0, v, m->unit[0] ? " " : "",
                     m->unit);
    }
    printf("  %14.14s", cell);
}

/* A measure-only scenario (no criteria): the first eligible sites by id,
 * with the grid metrics every run has. */
static void print_measured(const dcs_result *res, size_t top)
{
    static const char *const shown[] = {"area_ha", "substation_km", "substation_kv",
                                        "interconnect_cost_musd"};
    printf("Eligible sites of scenario '%s' (%zu candidates, %zu eligible, %zu excluded; "
           "no criteria, so no score: listed by site id, every metric is in the reports):\n",
           res->scn->name, res->sites.n, res->eval.neligible,
           res->sites.n - res->eval.neligible);
    printf("  %-14s", "site");
    for (size_t c = 0; c < sizeof shown / sizeof *shown; c++)
        printf("  %14.14s", shown[c]);
    printf("\n");
    for (size_t r = 0; r < res->eval.neligible && r < top; r++) {
        size_t i = res->eval.order[r];
        printf("  %-14s", res->sites.id[i]);
        for (size_t c = 0; c < sizeof shown / sizeof *shown; c++)
            print_metric(res, i, &res->model.metrics[dcs_model_find_metric(&res->model, shown[c])]);
        printf("\n");
    }
}

static void print_top(const dcs_result *res, size_t top)
{
    if (res->model.ncrits == 0) {
        print_measured(res, top);
        return;
    }
    printf("Top sites of scenario '%s' (%zu candidates, %zu eligible, %zu excluded):\n",
           res->scn->name, res->sites.n, res->eval.neligible,
           res->sites.n - res->eval.neligible);
    printf("%5s  %-14s %7s", "rank", "site", "score");
    for (size_t c = 0; c < res->model.ncrits; c++)
        printf("  %14.14s", res->model.crits[c].name);
    printf("\n");
    for (size_t r = 0; r < res->eval.neligible && r < top; r++) {
        size_t i = res->eval.order[r];
        printf("%5zu  %-14s %7.4f", res->eval.rank[i], res->sites.id[i], res->eval.score[i]);
        for (size_t c = 0; c < res->model.ncrits; c++)
            print_metric(res, i, &res->model.metrics[res->model.crits[c].metric]);
        printf("\n");
    }
}

static void print_warnings(const dcs_result *res)
{
    for (size_t i = 0; i < res->warnings.count; i++)
        print_line(stderr, res->warnings.items[i].note ? "dcsite: note: " : "dcsite: WARNING: ",
                   res->warnings.items[i].message);
}

static int usage_error(const char *message)
{
    print_line(stderr, "dcsite: ", message);
    return DCS_EXIT_USAGE;
}

/* --db, --table and --format together. */
static int check_db_options(const dcs_cli *cli, const dcs_gis_format *fmt)
{
    dcs_error err;
    dcs_pg_target t;
    if (cli->table && !cli->db)
        return usage_error("--table names a table for --db: give --db 'PG:...' too");
    if (fmt->database && !cli->db) {
        snprintf(err.message, sizeof err.message,
                 "--format %s writes to a database: give it with --db 'PG:dbname=...'",
                 cli->format);
        return usage_error(err.message);
    }
    if (!cli->db)
        return DCS_EXIT_OK;
    if (cli->format && !fmt->database) {
        snprintf(err.message, sizeof err.message,
                 "--db writes the GIS layers to PostgreSQL; --format %s writes files (leave "
                 "--format out, or use --format PostgreSQL)",
                 cli->format);
        return usage_error(err.message);
    }
    if (!dcs_dsn_is_postgres(cli->db)) {
        snprintf(err.message, sizeof err.message,
                 "--db: '%s' is not a PostgreSQL connection string (PG:dbname=... host=... or "
                 "postgresql://...)",
                 cli->db);
        return usage_error(err.message);
    }
    if (cli->table && dcs_pg_target_parse(cli->table, NULL, &t, &err) != DCS_OK)
        return usage_error(err.message);
    return DCS_EXIT_OK;
}

/* --format, --crs, --db and --table are checked before any work: exit 2
 * when unusable. */
static int check_output_options(const dcs_cli *cli)
{
    dcs_gis_format fmt;
    dcs_error err;
    if (dcs_gis_format_find(cli->format ? cli->format : cli->db ? "PostgreSQL" : NULL, &fmt,
                            &err) != DCS_OK) {
        fprintf(stderr, "dcsite: %s\n", err.message);
        return DCS_EXIT_USAGE;
    }
    int db = check_db_options(cli, &fmt);
    if (db != DCS_EXIT_OK)
        return db;
    OGRSpatialReferenceH srs = cli->crs ? OSRNewSpatialReference(NULL) : NULL;
    int bad = srs && OSRSetFromUserInput(srs, cli->crs) != OGRERR_NONE;
    if (srs)
        OSRRelease(srs);
    if (bad) {
        fprintf(stderr, "dcsite: --crs: \"%s\" is not a CRS PROJ knows (e.g. EPSG:4326)\n",
                cli->crs);
        return DCS_EXIT_USAGE;
    }
    return DCS_EXIT_OK;
}

/* The run fingerprint of scn into fp; prints and returns an exit code on
 * failure, 0 when done. */
static int fingerprint_or_fail(const dcs_scenario *scn, char fp[DCS_SHA256_HEX_SIZE])
{
    dcs_error err;
    dcs_error_clear(&err);
    if (dcs_run_fingerprint(scn, fp, &err) != DCS_OK)
        return fail(err.status, err.message);
    return DCS_EXIT_OK;
}

static void print_reports(const dcs_report_paths *paths)
{
    printf("\nReports:\n");
    const char *p[] = {paths->xlsx,    paths->gis,     paths->gis_points, paths->score_tif,
                       paths->map_png, paths->map_pdf, paths->html,       paths->json};
    for (int k = 0; k < (int)(sizeof p / sizeof p[0]); k++) {
        char line[DCS_PATH_MAX + 400];
        snprintf(line, sizeof line, "%s", p[k]);
        if (k == 1 && paths->gis_tables[0][0])
            snprintf(line, sizeof line, "%s tables %s, %s", p[k], paths->gis_tables[0],
                     paths->gis_tables[1]);
        if (p[k][0])
            print_line(stdout, "  ", line);
    }
}

/* --db: connect and check the schema and rights now, not after the run. */
static int db_preflight(const dcs_cli *cli, const dcs_scenario *scn)
{
    dcs_error err;
    dcs_pg_target target;
    dcs_error_clear(&err);
    dcs_status st = dcs_pg_target_parse(cli->table, scn->name, &target, &err);
    if (st == DCS_OK)
        st = dcs_pg_preflight(cli->db, &target, &err);
    return st == DCS_OK ? DCS_EXIT_OK : fail(st, err.message);
}

/* What one run of a scenario does: measure (or read the shards' rows),
 * rank, write the reports into outdir. */
typedef struct {
    const char *fingerprint; /* NULL: computed by the report writers */
    const dcs_shard_set *shards; /* merge: rows from these shard files */
    int show_top;            /* print the top sites and report paths */
} run_plan;

/* The run fingerprint hashed in a thread while the run reads and measures.
 * It reads every input file once more (~300 MB for a million parcels, about
 * a second), which after measuring would keep one core busy and the other
 * idle.  Not when the run is held to one thread.  To list a dataset's files
 * it opens the dataset again with GDAL handles of its own, closed before it
 * returns: the run's handles are never shared with the thread. */
typedef struct {
    const dcs_scenario *scn;
    pthread_t thread;
    int started;
    dcs_status st;
    char fp[DCS_SHA256_HEX_SIZE];
} fingerprint_job;

static void *fingerprint_thread(void *arg)
{
    fingerprint_job *j = arg;
    dcs_error err;
    dcs_error_clear(&err);
    j->st = dcs_run_fingerprint(j->scn, j->fp, &err);
    return NULL;
}

static void fingerprint_start(fingerprint_job *j, const dcs_cli *cli, const dcs_scenario *scn,
                              const run_plan *plan)
{
    long threads = cli->threads > 0 ? cli->threads : sysconf(_SC_NPROCESSORS_ONLN);
    j->scn = scn;
    j->st = DCS_ERR_INTERNAL;
    j->started = !plan->fingerprint && threads > 1 &&
                 pthread_create(&j->thread, NULL, fingerprint_thread, j) == 0;
}

/* The fingerprint the thread computed, else NULL: the report writers then
 * compute it and report why it failed. */
static const char *fingerprint_finish(fingerprint_job *j)
{
    if (!j->started)
        return NULL;
    pthread_join(j->thread, NULL);
    j->started = 0;
    return j->st == DCS_OK ? j->fp : NULL;
}

/* The engine's options for a run of the command line (progress drawn on
 * stderr through ps unless --quiet; SIGINT/SIGTERM stop it). */
static dcs_run_options run_options_of(const dcs_cli *cli, dcs_cli_progress *ps)
{
    return (dcs_run_options){
        .progress = cli->quiet ? NULL : dcs_cli_progress_show,
        .user = ps,
        .stop = &stop_requested,
        .threads = cli->threads,
        .shard_index = 0,
        .shard_count = 0,
        .rows = NULL,
        .rows_user = NULL,
    };
}

/* How the reports are written: --format, --crs, --db, --table and the run
 * fingerprint; no progress unless the caller sets it. */
static dcs_report_options report_options_of(const dcs_cli *cli, const char *fingerprint)
{
    return (dcs_report_options){
        .format = cli->format,
        .crs = cli->crs,
        .db = cli->db,
        .table = cli->table,
        .fingerprint = fingerprint,
        .progress = {.fn = NULL, .user = NULL},
    };
}

static dcs_status run_and_report(const dcs_cli *cli, const dcs_scenario *scn,
                                 const char *outdir, const run_plan *plan, dcs_error *err)
{
    fingerprint_job fj;
    fingerprint_start(&fj, cli, scn, plan);
    dcs_cli_progress ps;
    dcs_cli_progress_init(&ps, stderr, isatty(STDERR_FILENO));
    dcs_run_options opt = run_options_of(cli, &ps);
    if (plan->shards) {
        opt.rows = dcs_shards_rows;
        opt.rows_user = (void *)plan->shards;
    }
    dcs_result res;
    dcs_report_options guard_opt = report_options_of(cli, NULL);
    /* a bad -o, a path too long or an output that is an input: before the run */
    dcs_status st = dcs_outputs_guard(scn, outdir, &guard_opt, NULL, NULL, err);
    if (st == DCS_OK)
        st = dcs_run(scn, &opt, &res, err);
    else
        memset(&res, 0, sizeof res);
    dcs_report_paths paths;
    if (st == DCS_OK) {
        writing_reports = 1;
        if (!cli->quiet)
            dcs_cli_progress_show(&ps, "writing reports", 0, 1);
        const char *fp = fingerprint_finish(&fj);
        dcs_report_options ropt =
            report_options_of(cli, plan->fingerprint ? plan->fingerprint : fp);
        ropt.progress = (dcs_progress){.fn = opt.progress, .user = &ps};
        dcs_report_xlsx_limits(&res);
        st = dcs_reports_write(&res, outdir, &ropt, &paths, err);
        writing_reports = 0;
    }
    if (st == DCS_OK && !cli->quiet)
        print_warnings(&res);
    if (st == DCS_OK && plan->show_top) {
        print_top(&res, scn->outputs.top_n);
        print_reports(&paths);
    }
    fingerprint_finish(&fj); /* a failed run still waits for the thread */
    dcs_result_free(&res);
    return st;
}

static const char *outdir_of(const dcs_cli *cli)
{
    return cli->outdir ? cli->outdir : "out";
}

/* run --shard I/N: measure this shard's sites into OUTDIR/shard-I-of-N.gpkg,
 * unless a complete one with the same fingerprint is there already. */
static int run_shard(const dcs_cli *cli, const dcs_scenario *scn)
{
    char fp[DCS_SHA256_HEX_SIZE], path[DCS_PATH_MAX];
    int code = fingerprint_or_fail(scn, fp);
    if (code != DCS_EXIT_OK)
        return code;
    dcs_shard_path(outdir_of(cli), cli->shard_index, cli->shard_count, path);
    if (dcs_shard_done(outdir_of(cli), cli->shard_index, cli->shard_count, fp)) {
        printf("Shard %zu/%zu of '%s' is complete in %s (same fingerprint): skipped\n",
               cli->shard_index, cli->shard_count, scn->name, path);
        return DCS_EXIT_OK;
    }
    dcs_cli_progress ps;
    dcs_cli_progress_init(&ps, stderr, isatty(STDERR_FILENO));
    dcs_run_options opt = run_options_of(cli, &ps);
    opt.shard_index = cli->shard_index;
    opt.shard_count = cli->shard_count;
    dcs_result res;
    dcs_error err;
    dcs_error_clear(&err);
    char tmp[DCS_PATH_MAX], stem[96];
    snprintf(stem, sizeof stem, "shard-%zu-of-%zu", cli->shard_index, cli->shard_count);
    dcs_output_paths(outdir_of(cli), stem, "gpkg", path, tmp);
    dcs_status st = dcs_output_dir_check(outdir_of(cli), &err);
    if (st == DCS_OK)
        st = dcs_output_paths_fit(outdir_of(cli), stem, "gpkg", 0, &err);
    if (st == DCS_OK)
        st = dcs_outputs_guard(scn, outdir_of(cli), NULL, path, tmp, &err);
    if (st == DCS_OK)
        st = dcs_run(scn, &opt, &res, &err);
    else
        memset(&res, 0, sizeof res);
    if (st == DCS_OK) {
        writing_reports = 1;
        st = dcs_shard_write(&res, fp, cli->shard_index, cli->shard_count, outdir_of(cli), path,
                             &err);
        writing_reports = 0;
    }
    if (st == DCS_OK) {
        if (!cli->quiet)
            print_warnings(&res);
        printf("Shard %zu/%zu of '%s': %zu sites measured into %s\n", cli->shard_index,
               cli->shard_count, scn->name, res.sites.n, path);
    }
    dcs_result_free(&res);
    return st == DCS_OK ? DCS_EXIT_OK : fail(st, err.message);
}

static int command_run(const dcs_cli *cli)
{
    int usage = check_output_options(cli);
    if (usage != DCS_EXIT_OK)
        return usage;
    dcs_scenario scn;
    dcs_error err;
    dcs_error_clear(&err);
    if (load_scenario(cli->input, &scn, NULL, &err) != DCS_OK) {
        dcs_scenario_free(&scn);
        return fail(err.status, err.message);
    }
    int code = DCS_EXIT_OK;
    if (cli->db && scn.outputs.gpkg && !cli->shard_text) /* find out now, not after the run */
        code = db_preflight(cli, &scn);
    if (code != DCS_EXIT_OK) {
        /* the message is printed */
    } else if (cli->shard_text) {
        code = run_shard(cli, &scn);
    } else {
        run_plan plan = {.fingerprint = NULL, .shards = NULL, .show_top = 1};
        dcs_status st = run_and_report(cli, &scn, outdir_of(cli), &plan, &err);
        code = st == DCS_OK ? DCS_EXIT_OK : fail(st, err.message);
    }
    dcs_scenario_free(&scn);
    return code;
}

/* ---- merge ---------------------------------------------------------------- */

static int command_merge(const dcs_cli *cli)
{
    int code = check_output_options(cli);
    if (code != DCS_EXIT_OK)
        return code;
    dcs_scenario scn;
    dcs_error err;
    dcs_error_clear(&err);
    if (load_scenario(cli->input, &scn, NULL, &err) != DCS_OK) {
        dcs_scenario_free(&scn);
        return fail(err.status, err.message);
    }
    char fp[DCS_SHA256_HEX_SIZE];
    const char *outdir = outdir_of(cli), *dir = cli->shards_dir ? cli->shards_dir : outdir;
    dcs_shard_set set = {0};
    code = fingerprint_or_fail(&scn, fp);
    dcs_report_options ropt = report_options_of(cli, fp);
    if (code == DCS_EXIT_OK && dcs_reports_done(&scn, outdir, &ropt, fp)) {
        printf("Reports of '%s' are complete in %s (same fingerprint): skipped\n", scn.name,
               outdir);
    } else if (code == DCS_EXIT_OK) {
        dcs_status st = dcs_shards_find(dir, fp, &set, &err);
        if (st == DCS_OK && !cli->quiet)
            fprintf(stderr, "dcsite: merging %zu shards from %s\n", set.count, dir);
        run_plan plan = {.fingerprint = fp, .shards = &set, .show_top = 1};
        if (st == DCS_OK)
            st = run_and_report(cli, &scn, outdir, &plan, &err);
        if (st != DCS_OK)
            code = fail(st, err.message);
    }
    dcs_shards_free(&set);
    dcs_scenario_free(&scn);
    return code;
}

/* ---- batch ---------------------------------------------------------------- */

typedef struct {
    char **paths;
    size_t n, cap;
} path_list;

static int path_add(path_list *l, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **p = realloc(l->paths, cap * sizeof *p);
        if (!p)
            return -1;
        l->paths = p;
        l->cap = cap;
    }
    return (l->paths[l->n] = strdup(path)) ? (int)++l->n : -1;
}

static void path_list_free(path_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A LIST file: one scenario per line, relative to the list's directory;
 * blank lines and lines starting with # are skipped. */
static int read_list(const char *list, path_list *out)
{
    FILE *fp = fopen(list, "r");
    if (!fp) {
        fprintf(stderr, "dcsite: ERROR: cannot read scenario list '%s': %s\n", list,
                strerror(errno));
        return DCS_EXIT_SCENARIO;
    }
    char line[DCS_PATH_MAX], path[2 * DCS_PATH_MAX], dir[DCS_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", list);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[1] = '\0';
    else
        dir[0] = '\0';
    int code = DCS_EXIT_OK;
    while (code == DCS_EXIT_OK && fgets(line, sizeof line, fp)) {
        char *s = line, *e = line + strlen(line);
        while (*s == ' ' || *s == '\t')
            s++;
        while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        if (!*s || *s == '#')
            continue;
        snprintf(path, sizeof path, "%s%s", *s == '/' ? "" : dir, s);
        if (path_add(out, path) < 0)
            code = fail(DCS_ERR_NOMEM, "out of memory");
    }
    fclose(fp);
    return code;
}

static int batch_scenarios(const dcs_cli *cli, path_list *out)
{
    for (size_t i = 0; i < cli->ninputs; i++) {
        int code = ends_with(cli->inputs[i], ".json") ? (path_add(out, cli->inputs[i]) < 0
                                                             ? fail(DCS_ERR_NOMEM, "out of memory")
                                                             : DCS_EXIT_OK)
                                                      : read_list(cli->inputs[i], out);
        if (code != DCS_EXIT_OK)
            return code;
    }
    if (out->n == 0) {
        fprintf(stderr, "dcsite: ERROR: the batch lists no scenario\n");
        return DCS_EXIT_USAGE;
    }
    return DCS_EXIT_OK;
}

static int name_taken(const dcs_batch_item *items, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (items[i].status != DCS_BATCH_FAILED && strcmp(items[i].name, name) == 0)
            return 1;
    return 0;
}

/* One scenario of a batch: into outdir/<name>/, skipped when complete. */
static void batch_one(const dcs_cli *cli, dcs_batch_item *items, size_t i, const char *outdir)
{
    dcs_batch_item *it = &items[i];
    dcs_scenario scn;
    dcs_error err;
    dcs_error_clear(&err);
    char fp[DCS_SHA256_HEX_SIZE];
    dcs_status st = load_scenario(it->scenario, &scn, NULL, &err);
    if (st == DCS_OK) {
        snprintf(it->name, sizeof it->name, "%s", scn.name);
        scn.outputs.json = 1; /* the comparison reads it */
        snprintf(it->outdir, sizeof it->outdir, "%s/%s", outdir, scn.name);
        char tmp[DCS_PATH_MAX];
        dcs_output_paths(it->outdir, scn.name, "json", it->json, tmp);
        if (name_taken(items, i, scn.name))
            st = dcs_error_set(&err, DCS_ERR_SCENARIO,
                               "another scenario of the batch is also called '%s'", scn.name);
    }
    if (st == DCS_OK)
        st = dcs_run_fingerprint(&scn, fp, &err);
    dcs_report_options ropt = report_options_of(cli, fp);
    if (st == DCS_OK && dcs_reports_done(&scn, it->outdir, &ropt, fp)) {
        it->status = DCS_BATCH_SKIPPED;
    } else if (st == DCS_OK) {
        if (!cli->quiet)
            fprintf(stderr, "dcsite: scenario %zu: %s\n", i + 1, it->scenario);
        run_plan plan = {.fingerprint = fp, .shards = NULL, .show_top = 0};
        st = run_and_report(cli, &scn, it->outdir, &plan, &err);
        it->status = DCS_BATCH_RAN;
    }
    if (st != DCS_OK) {
        it->status = DCS_BATCH_FAILED;
        snprintf(it->message, sizeof it->message, "%s", err.message);
        if (strstr(err.message, it->scenario)) /* the message names the file already */
            fprintf(stderr, "dcsite: ERROR: %s\n", err.message);
        else
            fprintf(stderr, "dcsite: ERROR: scenario '%s': %s\n", it->scenario, err.message);
    }
    printf("  %-8s %s%s%s\n", dcs_batch_status_name(it->status), it->scenario,
           it->status == DCS_BATCH_FAILED ? "" : " -> ",
           it->status == DCS_BATCH_FAILED ? "" : it->outdir);
    dcs_scenario_free(&scn);
}

static int batch_exit_code(const dcs_batch_item *items, size_t n)
{
    if (stop_requested)
        return DCS_EXIT_INTERRUPTED;
    for (size_t i = 0; i < n; i++)
        if (items[i].status == DCS_BATCH_FAILED)
            return DCS_EXIT_PARTIAL;
    return DCS_EXIT_OK;
}

static int command_batch(const dcs_cli *cli)
{
    int code = check_output_options(cli);
    path_list list = {0};
    if (code == DCS_EXIT_OK)
        code = batch_scenarios(cli, &list);
    dcs_batch_item *items = code == DCS_EXIT_OK ? calloc(list.n, sizeof *items) : NULL;
    if (code == DCS_EXIT_OK && !items)
        code = fail(DCS_ERR_NOMEM, "out of memory");
    if (code != DCS_EXIT_OK) {
        path_list_free(&list);
        return code;
    }
    const char *outdir = outdir_of(cli);
    printf("Batch of %zu scenarios into %s:\n", list.n, outdir);
    size_t done = 0;
    for (; done < list.n && !stop_requested; done++) {
        items[done].scenario = list.paths[done];
        batch_one(cli, items, done, outdir);
    }
    char json[DCS_PATH_MAX], xlsx[DCS_PATH_MAX], html[DCS_PATH_MAX];
    dcs_error err;
    dcs_error_clear(&err);
    if (dcs_batch_report(items, done, outdir, json, xlsx, html, &err) != DCS_OK)
        code = fail(err.status, err.message);
    else
        printf("\nComparison:\n  %s\n  %s\n  %s\n", xlsx, json, html);
    if (code == DCS_EXIT_OK)
        code = batch_exit_code(items, done);
    free(items);
    path_list_free(&list);
    return code;
}

/* ---- check ---------------------------------------------------------------- */

static void print_input(const dcs_input_info *in)
{
    char dataset[sizeof in->dataset];
    printf("  %-22s %s", in->role, dcs_redact_to(in->dataset, dataset, sizeof dataset));
    if (in->layer[0])
        printf(" [layer %s]", in->layer);
    printf("\n");
    if (!in->crs[0])
        return;
    printf("  %-22s %lld features, %s, CRS %s\n", "", in->nfeatures, in->geom_type, in->crs);
    if (in->has_extent)
        printf("  %-22s extent (lon/lat) %.5f, %.5f - %.5f, %.5f\n", "", in->minlon, in->minlat,
               in->maxlon, in->maxlat);
}

/* What the run would warn about, predicted from the opened inputs and the
 * model (pipeline/diagnose.h): run-spoiling findings into `problems`, the
 * others into `warnings`.  Prints the metric list. */
static void check_predict(const dcs_scenario *scn, dcs_inputs *in, dcs_strlist *scn_problems,
                          dcs_strlist *problems, dcs_warnings *warnings, dcs_error *err)
{
    dcs_model model;
    if (dcs_model_build(scn, in->attr_kinds, &model, scn_problems, err) != DCS_OK)
        return;
    printf("Metrics available:");
    for (size_t i = 0; i < model.nmetrics; i++)
        printf(" %s", model.metrics[i].name);
    printf("\n");
    if (dcs_diagnose_before_run(scn, in, &model, problems, warnings, err) != DCS_OK &&
        err->status != DCS_ERR_NOMEM)
        dcs_strlist_addf(problems, "%s", err->message);
    dcs_model_free(&model);
}

/* "2 problems found, 1 warning: the scenario cannot run as it is" */
static void print_verdict(size_t nblocking, size_t npredicted, size_t nwarnings)
{
    size_t n = nblocking + npredicted;
    char warned[48] = "";
    if (nwarnings)
        snprintf(warned, sizeof warned, ", %zu warning%s", nwarnings, nwarnings == 1 ? "" : "s");
    printf("%zu problem%s found%s: %s\n", n, n == 1 ? "" : "s", warned,
           nblocking    ? "the scenario cannot run as it is"
           : npredicted ? "the scenario would run, but its ranking would not be usable"
           : nwarnings  ? "the scenario can run; read the warnings"
                        : "the scenario is valid");
}

/* energy.hourly_signals and energy.clean_supply read and checked: every
 * problem appended. */
static void check_hourly(const dcs_scenario *scn, dcs_strlist *problems)
{
    dcs_error e;
    size_t before = problems->count;
    if (scn->energy.hourly.src.dataset) {
        dcs_hourly h;
        if (dcs_hourly_load(&scn->energy.hourly, 0, &h, problems, &e) != DCS_OK &&
            problems->count == before)
            dcs_strlist_addf(problems, "%s", e.message);
        dcs_hourly_free(&h);
    }
    before = problems->count;
    if (scn->energy.supply.src.dataset) {
        double *mw = NULL;
        if (dcs_supply_load(&scn->energy.supply, &mw, problems, &e) != DCS_OK &&
            problems->count == before)
            dcs_strlist_addf(problems, "%s", e.message);
        free(mw);
    }
}

static int command_check(const dcs_cli *cli)
{
    dcs_scenario scn;
    dcs_error err;
    dcs_strlist scn_problems = {0}, data_problems = {0}, predicted = {0};
    dcs_warnings warnings = {0};
    dcs_error_clear(&err);
    dcs_status st = load_scenario(cli->input, &scn, &scn_problems, &err);
    /* the verdict comes last, once every problem is counted */
    printf("Scenario %s: %s\n", cli->input, st == DCS_OK ? "read" : "has problems");
    dcs_inputs in = {0};
    int layers_ok = 0;
    if (st == DCS_OK) {
        layers_ok = dcs_inputs_open(&scn, &in, &data_problems, &err) == DCS_OK;
        printf("Layers:\n");
        for (size_t i = 0; i < in.ninfo; i++)
            print_input(&in.info[i]);
    }
    if (st == DCS_OK && scn.energy.enabled) {
        long t = in.station_layer;
        if (t < 0 || in.layers[t].ds)
            dcs_stations_check(&scn, t >= 0 ? &in.layers[t] : NULL, in.station_field,
                               &data_problems, &err);
        check_hourly(&scn, &data_problems);
    }
    if (layers_ok)
        check_predict(&scn, &in, &scn_problems, &predicted, &warnings, &err);
    for (size_t i = 0; i < scn_problems.count; i++)
        print_line(stderr, "dcsite: ERROR: ", scn_problems.items[i]);
    for (size_t i = 0; i < data_problems.count; i++)
        print_line(stderr, "dcsite: ERROR: ", data_problems.items[i]);
    for (size_t i = 0; i < predicted.count; i++)
        print_line(stderr, "dcsite: ERROR: ", predicted.items[i]);
    for (size_t i = 0; i < warnings.count; i++)
        print_line(stderr, "dcsite: WARNING: ", warnings.items[i].message);
    print_verdict(scn_problems.count + data_problems.count, predicted.count, warnings.count);
    int code = scn_problems.count                        ? DCS_EXIT_SCENARIO
               : data_problems.count || predicted.count ? DCS_EXIT_DATA
                                                         : DCS_EXIT_OK;
    if (err.status == DCS_ERR_NOMEM)
        code = DCS_EXIT_INTERNAL;
    dcs_inputs_close(&in);
    dcs_strlist_free(&scn_problems);
    dcs_strlist_free(&data_problems);
    dcs_strlist_free(&predicted);
    dcs_warnings_free(&warnings);
    dcs_scenario_free(&scn);
    return code;
}

/* ---- energy ------------------------------------------------------------- */

static void print_energy(const dcs_station *st, const char *cooling, double it_mw)
{
    const dcs_energy *e = &st->energy;
    static const char *const month[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    printf("Station %s (%.3f, %.3f, %.0f m), %s, IT load %g MW\n", st->name, st->lat, st->lon,
           st->elevation_m, cooling, it_mw);
    printf("  annual PUE          %8.3f\n  peak PUE            %8.3f\n", e->pue_annual,
           e->pue_peak);
    printf("  peak demand         %8.1f MW\n  energy              %8.0f MWh/yr\n", e->peak_mw,
           e->energy_mwh);
    printf("  water               %8.0f m3/yr\n  WUE                 %8.3f L/kWh\n", e->water_m3,
           e->wue_l_kwh);
    printf("  peak-day water      %8.0f m3\n", e->peak_day_water_m3);
    printf("  hours free / partial / mechanical: %d / %d / %d\n",
           e->mode_hours[DCS_MODE_FREE], e->mode_hours[DCS_MODE_PARTIAL],
           e->mode_hours[DCS_MODE_MECHANICAL]);
    if (e->excluded_hours)
        printf("  suspect weather hours left out of the peaks: %d\n", e->excluded_hours);
    printf("\n  design condition (%s): dry bulb %.1f C, wet bulb %.1f C\n",
           dcs_design_source_name(e->design_source), e->design_dry_bulb_c, e->design_wet_bulb_c);
    printf("  design PUE          %8.3f\n  design peak demand  %8.1f MW  (typical-year peak "
           "%+.1f MW)\n",
           e->pue_design, e->peak_design_mw, e->peak_design_mw - e->peak_mw);
    printf("  design-day water    %8.0f m3\n", e->design_day_water_m3);
    printf("\n  month   energy MWh   water m3     PUE\n");
    for (int m = 0; m < 12; m++)
        printf("  %-5s %12.0f %10.0f %7.3f\n", month[m], e->month_energy_mwh[m],
               e->month_water_m3[m], dcs_energy_month_pue(e, m));
}

/* The year (and its hours when --hourly or --signals asks for them), then
 * the CSV; with --signals each hour's facility power in st->hourly_mw. */
static dcs_status energy_model(const dcs_cli *cli, const dcs_cooling_params *p,
                               const dcs_weather *w, dcs_station *st, dcs_error *err)
{
    dcs_energy_options o = {.design_dry_bulb_c = cli->design_db,
                            .design_wet_bulb_c = cli->design_wb};
    int keep = cli->hourly || cli->signals;
    if (keep && !(o.hours = calloc(w->hours ? w->hours : 1, sizeof *o.hours)))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    if (cli->signals && !(st->hourly_mw = malloc(DCS_HOURS * sizeof *st->hourly_mw))) {
        free(o.hours);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    dcs_status s = dcs_energy_run(w, p, cli->it_mw, &o, &st->energy, err);
    if (s == DCS_OK && cli->hourly)
        s = dcs_report_hourly_csv(cli->hourly, w, o.hours, cli->it_mw, err);
    for (size_t h = 0; s == DCS_OK && cli->signals && h < DCS_HOURS; h++)
        st->hourly_mw[h] = o.hours[h].facility_mw;
    free(o.hours);
    return s;
}

/* --signals (and --clean-supply) for --region against the station's hours. */
typedef struct {
    const char *region;
    dcs_hourly_figures f;
    int has[DCS_SIG_COUNT];
    int supply;
} energy_grid;

/* Print the problems of a signal table; the exit code. */
static int fail_problems(const dcs_strlist *problems, const dcs_error *err)
{
    for (size_t i = 0; i < problems->count; i++)
        print_line(stderr, "dcsite: ERROR: ", problems->items[i]);
    if (problems->count == 0)
        print_line(stderr, "dcsite: ERROR: ", err->message);
    return dcs_exit_code(err->status);
}

static int energy_signals(const dcs_cli *cli, const dcs_station *st, energy_grid *g)
{
    dcs_hourly_spec spec = {.src = {.dataset = (char *)cli->signals}, .key_field = "region",
                            .hour_field = "hour"};
    dcs_supply_spec sup = {.src = {.dataset = (char *)cli->supply}, .hour_field = "hour",
                           .mw_field = "mw"};
    dcs_hourly h;
    dcs_strlist problems = {0};
    dcs_error err;
    double *ppa = NULL;
    int rc = DCS_EXIT_OK;
    if (dcs_hourly_load(&spec, 1, &h, &problems, &err) != DCS_OK ||
        (cli->supply && dcs_supply_load(&sup, &ppa, &problems, &err) != DCS_OK)) {
        rc = fail_problems(&problems, &err);
        goto done;
    }
    const dcs_hourly_region *r = cli->region ? dcs_hourly_find(&h, cli->region)
                                 : h.n == 1 ? &h.region[0] : NULL;
    if (!r) {
        dcs_strlist names = {0};
        for (size_t i = 0; i < h.n; i++)
            dcs_strlist_addf(&names, "%s", h.region[i].key);
        char *list = dcs_strlist_join(&names, ", ");
        fprintf(stderr, "dcsite: --signals %s: %s (its regions: %s)\n", cli->signals,
                cli->region ? "no such --region" : "more than one region; name one with --region",
                list ? list : "");
        free(list);
        dcs_strlist_free(&names);
        rc = DCS_EXIT_USAGE;
        goto done;
    }
    g->region = dcs_strdup(r->key);
    g->f = dcs_hourly_combine(st->hourly_mw, DCS_HOURS, (const double *const *)r->sig, ppa);
    for (size_t k = 0; k < DCS_SIG_COUNT; k++)
        g->has[k] = h.has[k];
    g->supply = ppa != NULL;
done:
    free(ppa);
    dcs_hourly_free(&h);
    dcs_strlist_free(&problems);
    return rc;
}

static void print_energy_grid(const energy_grid *g, const char *table)
{
    printf("\n  hourly grid signals (region %s of %s):\n", g->region, table);
    if (g->has[DCS_SIG_CO2_AVG])
        printf("  co2_hourly_t_yr           %14.1f t\n", g->f.co2_avg_t);
    if (g->has[DCS_SIG_CO2_MARGINAL])
        printf("  co2_marginal_t_yr         %14.1f t\n", g->f.co2_marginal_t);
    if (g->has[DCS_SIG_CFE_SHARE])
        printf("  cfe_grid_pct              %14.3f %%\n", g->f.cfe_grid_pct);
    if (g->has[DCS_SIG_CFE_SHARE] && g->supply)
        printf("  cfe_matched_pct           %14.3f %%\n  unmatched_mwh_yr          %14.1f MWh\n",
               g->f.cfe_matched_pct, g->f.unmatched_mwh);
    if (g->has[DCS_SIG_PRICE])
        printf("  energy_cost_hourly_usd_yr %14.0f $\n", g->f.cost_usd);
}

/* The same figures under "hourly_grid" in the JSON. */
static int add_energy_grid_json(cJSON *o, const energy_grid *g, const char *table)
{
    cJSON *x = cJSON_AddObjectToObject(o, "hourly_grid");
    if (!x || !cJSON_AddStringToObject(x, "signals", table) ||
        !cJSON_AddStringToObject(x, "region", g->region))
        return -1;
    const struct {
        const char *name;
        double v;
        int on;
    } v[] = {
        {"co2_hourly_t_yr", g->f.co2_avg_t, g->has[DCS_SIG_CO2_AVG]},
        {"co2_marginal_t_yr", g->f.co2_marginal_t, g->has[DCS_SIG_CO2_MARGINAL]},
        {"cfe_grid_pct", g->f.cfe_grid_pct, g->has[DCS_SIG_CFE_SHARE]},
        {"cfe_matched_pct", g->f.cfe_matched_pct, g->has[DCS_SIG_CFE_SHARE] && g->supply},
        {"unmatched_mwh_yr", g->f.unmatched_mwh, g->has[DCS_SIG_CFE_SHARE] && g->supply},
        {"energy_cost_hourly_usd_yr", g->f.cost_usd, g->has[DCS_SIG_PRICE]},
    };
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        if (v[k].on && !(isfinite(v[k].v) ? cJSON_AddNumberToObject(x, v[k].name, v[k].v)
                                          : cJSON_AddNullToObject(x, v[k].name)))
            return -1;
    return 0;
}

static int print_energy_json(const dcs_station *st, const char *cooling, const char *dclass,
                             double it_mw, const energy_grid *g, const char *table)
{
    cJSON *o = dcs_report_station_json(st);
    cJSON_AddStringToObject(o, "cooling", cooling);
    cJSON_AddStringToObject(o, "design_class", dclass);
    cJSON_AddNumberToObject(o, "it_load_mw", it_mw);
    if (g->region && add_energy_grid_json(o, g, table) != 0) {
        cJSON_Delete(o);
        return fail(DCS_ERR_NOMEM, "out of memory");
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text)
        return fail(DCS_ERR_NOMEM, "out of memory");
    printf("%s\n", text);
    cJSON_free(text);
    return DCS_EXIT_OK;
}

static int command_energy(const dcs_cli *cli)
{
    dcs_cooling_archetype a = DCS_COOL_WATER_ECONOMIZER;
    if (cli->cooling && !dcs_cooling_from_name(cli->cooling, &a)) {
        fprintf(stderr, "dcsite: --cooling: unknown archetype \"%s\" (air_economizer, "
                        "water_economizer, air_chiller, liquid)\n", cli->cooling);
        return DCS_EXIT_USAGE;
    }
    dcs_design_class dc = DCS_CLASS_COLOCATION;
    if (cli->design_class && !dcs_design_class_from_name(cli->design_class, &dc)) {
        fprintf(stderr, "dcsite: --design-class: unknown class \"%s\" (colocation, "
                        "hyperscale, enterprise)\n", cli->design_class);
        return DCS_EXIT_USAGE;
    }
    if (!isnan(cli->design_wb) && isnan(cli->design_db)) {
        fprintf(stderr, "dcsite: --design-wet-bulb needs --design-dry-bulb too\n");
        return DCS_EXIT_USAGE;
    }
    if (cli->design_wb > cli->design_db) {
        fprintf(stderr, "dcsite: --design-wet-bulb %g is above --design-dry-bulb %g; a wet bulb "
                        "is at most the dry bulb\n", cli->design_wb, cli->design_db);
        return DCS_EXIT_USAGE;
    }
    if ((cli->region || cli->supply) && !cli->signals) {
        fprintf(stderr, "dcsite: --%s needs --signals (an hourly grid-signal table)\n",
                cli->region ? "region" : "clean-supply");
        return DCS_EXIT_USAGE;
    }
    dcs_cooling_params p = dcs_cooling_class_defaults(a, dc);
    dcs_weather w;
    dcs_error err;
    if (dcs_weather_read(cli->input, &w, &err) != DCS_OK)
        return fail(err.status, err.message);
    for (size_t i = 0; i < w.warnings.count; i++)
        print_line(stderr, "dcsite: WARNING: ", w.warnings.items[i]);
    for (size_t i = 0; i < w.notes.count; i++)
        print_line(stderr, "dcsite: note: ", w.notes.items[i]);
    dcs_station st = {.file = (char *)cli->input, .format = w.format, .lon = w.longitude,
                      .lat = w.latitude, .elevation_m = w.elevation_m};
    snprintf(st.name, sizeof st.name, "%s", w.station);
    dcs_status s = energy_model(cli, &p, &w, &st, &err);
    dcs_weather_free(&w);
    energy_grid g = {.region = NULL};
    int rc = s != DCS_OK ? fail(s, err.message)
             : cli->signals ? energy_signals(cli, &st, &g) : DCS_EXIT_OK;
    free(st.hourly_mw);
    if (rc == DCS_EXIT_OK && cli->json)
        rc = print_energy_json(&st, dcs_cooling_name(a), dcs_design_class_name(dc), cli->it_mw,
                               &g, cli->signals);
    else if (rc == DCS_EXIT_OK) {
        char label[96];
        snprintf(label, sizeof label, "%s, %s class", dcs_cooling_name(a),
                 dcs_design_class_name(dc));
        print_energy(&st, label, cli->it_mw);
        if (g.region)
            print_energy_grid(&g, cli->signals);
    }
    free((char *)g.region);
    return rc;
}

/* ---- init --------------------------------------------------------------- */

static int command_init(const dcs_cli *cli)
{
    const char *out = cli->outdir ? cli->outdir : "scenario.json";
    dcs_init_request rq = {.sites = cli->input,
                           .datasets = cli->inputs + 1,
                           .ndatasets = cli->ninputs - 1,
                           .output = out,
                           .force = cli->force};
    dcs_init_result res;
    dcs_error err;
    dcs_error_clear(&err);
    dcs_status st = dcs_init_build(&rq, &res, &err);
    for (size_t i = 0; st == DCS_OK && i < res.lines.count; i++)
        print_line(stdout, "", res.lines.items[i]);
    if (st == DCS_OK)
        st = dcs_init_write(&res, out, cli->force, &err);
    if (st == DCS_OK)
        printf("\nWrote %s: review the %zu guesses above ('not guessed' is left to you), then\n"
               "  dcsite check %s\n  dcsite run %s -o out\n",
               out, res.nguesses, out, out);
    dcs_init_free(&res);
    return st == DCS_OK ? DCS_EXIT_OK : fail(st, err.message);
}

static void print_version(void)
{
    dcs_lib_version libs[DCS_NLIBS];
    dcs_library_versions(libs);
    printf("dcsite %s\n", DCS_VERSION);
    for (int i = 0; i < DCS_NLIBS; i++)
        printf("  %-14s %s\n", libs[i].name, libs[i].version);
}

int main(int argc, char **argv)
{
    dcs_cli cli;
    char msg[256];
    if (dcs_cli_parse(argc, argv, &cli, msg, sizeof msg) != 0) {
        fprintf(stderr, "dcsite: %s\n", msg);
        fprintf(stderr, "Usage: dcsite run|merge|batch|check SCENARIO.json | energy WEATHERFILE "
                        "| init SITES [DATASET...] [options]; see dcsite --help\n");
        return DCS_EXIT_USAGE;
    }
    if (cli.help) {
        dcs_cli_help(stdout);
        return DCS_EXIT_OK;
    }
    if (cli.version) {
        print_version();
        return DCS_EXIT_OK;
    }
    if (cli.man) {
        dcs_cli_man(stdout);
        return DCS_EXIT_OK;
    }
    dcs_init();
    install_signals();
    int code = cli.command == DCS_CMD_RUN     ? command_run(&cli)
               : cli.command == DCS_CMD_MERGE ? command_merge(&cli)
               : cli.command == DCS_CMD_BATCH ? command_batch(&cli)
               : cli.command == DCS_CMD_CHECK ? command_check(&cli)
               : cli.command == DCS_CMD_INIT  ? command_init(&cli)
                                              : command_energy(&cli);
    GDALDestroyDriverManager();
    OGRCleanupAll();
    dcs_output_release();
    return code;
}
