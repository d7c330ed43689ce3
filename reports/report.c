/* report.c - write all reports of a run. See report.h.
 *
 * Every report is written under a temporary name first; only when all of
 * them are complete are they renamed, so a failure leaves the previous set
 * of reports as it was.  Formats that write files beside the main one
 * (a Shapefile's .shx, .dbf, .prj, .cpg; the map's world file and .prj)
 * have those renamed with it.
 * GIS layers sent to a database (--db) follow the same steps in a
 * transaction: written under temporary table names, swapped in and
 * committed just before the files are renamed, rolled back on failure
 * (report_pg.h).
 * The workbook and the map (PNG, then PDF) are written in a thread of their
 * own while the GIS layers, the web page and the summary are written (unless
 * the run was held to one thread); once those are written, the caller's
 * thread takes the ones that thread has not begun, from the last.  They
 * read only the finished result (report_map.h, report_xlsx.h); the second
 * thread reports no progress (the callback serves one thread). */
#include "report.h"
#include "report_gis.h"
#include "report_html.h"
#include "report_json.h"
#include "report_map.h"
#include "report_pg.h"
#include "report_raster.h"
#include "report_xlsx.h"

#include "fingerprint.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct report_job report_job;
typedef dcs_status (*writer_fn)(const dcs_result *, const dcs_report_paths *,
                                const report_job *, dcs_error *);

enum { NJOBS = 8 }; /* the reports one run can write */

struct report_job {
    const char *stem_suffix; /* "" or "_points", "_score" */
    const char *ext;
    writer_fn fn;
    char *final;
    char tmp[DCS_PATH_MAX];
    int wanted;
    const dcs_gis_format *fmt;
    const char *const *sidecars; /* NULL: those of fmt (if any) */
    const dcs_report_options *opt;
    unsigned layers;
    dcs_pg_write *pg;            /* database output: the open transaction */
    const dcs_pg_target *target;
    const char *phase;           /* named in the progress as it begins; NULL: the
                                  * writer reports its own steps */
    dcs_map_cache *map_cache;    /* the maps' shared sites image (NULL: none) */
    int background;              /* may run in the map's thread: 1 first, then
                                  * 2, 3 (the longest first: the workbook of
                                  * many sites, then the PDF, then the PNG) */
    const atomic_int *busy;      /* set by write_all(): non-zero while the map's
                                  * thread is busy with background jobs (NULL:
                                  * no such thread) */
};

static dcs_status write_gis(const dcs_result *r, const dcs_report_paths *p, const report_job *j,
                            dcs_error *e)
{
    (void)p;
    return dcs_report_gis(r, j->fmt, j->opt, j->layers, j->tmp, j->busy, e);
}

static dcs_status write_pg(const dcs_result *r, const dcs_report_paths *p, const report_job *j,
                           dcs_error *e)
{
    (void)p;
    dcs_status st = dcs_pg_write_begin(j->opt->db, j->target, j->pg, e);
    return st == DCS_OK ? dcs_report_pg(r, j->fmt, j->opt->crs, j->pg, &j->opt->progress, e)
                        : st;
}

static dcs_status write_tif(const dcs_result *r, const dcs_report_paths *p, const report_job *j,
                            dcs_error *e)
{
    (void)p;
    return dcs_report_score_tif(r, j->tmp, e);
}

static dcs_status write_xlsx(const dcs_result *r, const dcs_report_paths *p, const report_job *j,
                             dcs_error *e)
{
    (void)p;
    return dcs_report_xlsx(r, j->opt->fingerprint, j->tmp, e);
}

static dcs_status write_map_png(const dcs_result *r, const dcs_report_paths *p,
                                const report_job *j, dcs_error *e)
{
    (void)p;
    return dcs_map_png(r, NULL, j->tmp, j->map_cache, e);
}

static dcs_status write_map_pdf(const dcs_result *r, const dcs_report_paths *p,
                                const report_job *j, dcs_error *e)
{
    (void)p;
    return dcs_map_pdf(r, NULL, j->tmp, j->map_cache, e);
}

static dcs_status write_html(const dcs_result *r, const dcs_report_paths *p, const report_job *j,
                             dcs_error *e)
{
    (void)p;
    return dcs_report_html(r, j->opt->fingerprint, j->tmp, e);
}

static dcs_status write_json(const dcs_result *r, const dcs_report_paths *p, const report_job *j,
                             dcs_error *e)
{
    return dcs_report_json(r, p, j->opt->fingerprint, j->tmp, e);
}

/* path with its extension replaced by ext */
static void with_ext(const char *path, const char *ext, char *out)
{
    snprintf(out, DCS_PATH_MAX, "%s", path);
    char *dot = strrchr(out, '.');
    if (dot)
        snprintf(dot + 1, DCS_PATH_MAX - (size_t)(dot + 1 - out), "%s", ext);
}

static const char *const *sidecars(const report_job *j)
{
    static const char *const none[] = {NULL};
    if (j->sidecars)
        return j->sidecars;
    return j->fmt && j->fmt->sidecars ? j->fmt->sidecars : none;
}

static void discard(const report_job *j)
{
    char side[DCS_PATH_MAX];
    if (j->pg) {
        dcs_pg_write_abort(j->pg);
        return;
    }
    dcs_output_discard(j->tmp);
    for (const char *const *s = sidecars(j); *s; s++) {
        with_ext(j->tmp, *s, side);
        dcs_output_discard(side);
    }
}

/* The job's files into the commit set: the main one and every sidecar the
 * driver wrote; a sidecar of an earlier run that this one did not write
 * goes with the set (it would not match the new file). */
static dcs_status add_to_set(const report_job *j, dcs_commit_set *set, dcs_error *err)
{
    char tmp[DCS_PATH_MAX], final[DCS_PATH_MAX];
    dcs_status st = dcs_commit_add(set, j->tmp, j->final, err);
    for (const char *const *s = sidecars(j); st == DCS_OK && *s; s++) {
        with_ext(j->tmp, *s, tmp);
        with_ext(j->final, *s, final);
        if (access(tmp, F_OK) == 0) /* a driver writes some of them only at times */
            st = dcs_commit_add(set, tmp, final, err);
        else if (access(final, F_OK) == 0)
            st = dcs_commit_add(set, NULL, final, err);
    }
    return st;
}

/* Every report of the run into place at once (output.h).  A database
 * output commits first: its swap may wait for other sessions' locks and
 * must stay interruptible (signals are held back only during the file
 * renames); it is atomic by itself, and when it fails no file is touched.
 * If the files then cannot be renamed, the message says that the tables
 * were replaced. */
static dcs_status commit_all(report_job *jobs, size_t n, dcs_error *err)
{
    dcs_commit_set set = {.items = NULL, .n = 0, .cap = 0, .blocked = 0};
    dcs_pg_write *pg = NULL;
    dcs_status st = DCS_OK;
    for (size_t k = 0; st == DCS_OK && k < n; k++) {
        if (!jobs[k].wanted)
            continue;
        if (jobs[k].pg)
            pg = jobs[k].pg;
        else
            st = add_to_set(&jobs[k], &set, err);
    }
    if (st == DCS_OK && pg)
        st = dcs_pg_write_commit(pg, err);
    if (st == DCS_OK && (st = dcs_commit_run(&set, err)) == DCS_OK)
        dcs_commit_finish(&set);
    else if (pg && !pg->ds && set.n) { /* the tables went in, the files not */
        char why[DCS_ERROR_MAX];
        snprintf(why, sizeof why, "%s", err->message);
        dcs_error_set(err, st, "%s (the database tables were replaced already)", why);
    }
    dcs_commit_free(&set);
    return st;
}

static void begin(const report_job *j)
{
    char side[DCS_PATH_MAX];
    if (j->pg)
        return; /* the database rolls back by itself if we die */
    dcs_output_begin(j->tmp);
    for (const char *const *s = sidecars(j); *s; s++) {
        with_ext(j->tmp, *s, side);
        dcs_output_begin(side);
    }
}

/* Every job's final and temporary names; DCS_ERR_IO when one would not
 * fit (a name is never cut). */
static dcs_status job_paths(const char *name, const char *outdir, report_job *jobs, size_t n,
                            dcs_error *err)
{
    dcs_status st = DCS_OK;
    for (size_t k = 0; st == DCS_OK && k < n; k++) {
        report_job *j = &jobs[k];
        char stem[DCS_PATH_MAX];
        snprintf(stem, sizeof stem, "%s%s", name, j->stem_suffix);
        if (j->wanted && !j->pg)
            st = dcs_output_paths_fit(outdir, stem, j->ext, 32, err);
        if (st != DCS_OK)
            break;
        dcs_output_paths(outdir, stem, j->ext, j->final, j->tmp);
        if (j->fmt && j->fmt->tmp_visible)
            snprintf(j->tmp, DCS_PATH_MAX, "%s/%s.part-%ld.%s", outdir, stem, (long)getpid(),
                     j->ext);
        if (j->pg) {
            snprintf(j->final, DCS_PATH_MAX, "%s", j->opt->db);
            j->tmp[0] = '\0';
        }
        if (!j->wanted)
            j->final[0] = '\0';
    }
    return st;
}

/* The jobs marked background (the workbook, the map's PDF and PNG: none
 * reports progress) in a thread beside the others, in the order of their
 * `background` rank, the longest first.  The thread runs the first, then
 * takes the next ones; once the caller's thread has written its own
 * reports (the GIS file, the web page, the summary) it takes the rest from
 * the other end, the shortest first, so that the two threads end together:
 * the PNG beside the PDF, or both maps beside the workbook. */
typedef struct {
    const dcs_result *res;
    const dcs_report_paths *paths;
    report_job *jobs;
    size_t n;
    size_t queue[NJOBS]; /* the background jobs, longest first */
    size_t lo, hi; /* queue[lo .. hi) not yet taken (under mu) */
    size_t current; /* the job the thread runs or ran last (under mu) */
    dcs_status st;
    dcs_error err;
    pthread_mutex_t mu;
    pthread_t thread;
    int running;
    atomic_int busy; /* 1 until the thread has no job left (then the GIS
                      * writer may give it rows: gis_gpkg.h) */
} background;

static int is_background(const report_job *j)
{
    return j->wanted && j->background;
}

/* The next background job from the front (or the back), or n when none is
 * left. */
static size_t take(background *b, int from_back)
{
    size_t k = b->n;
    pthread_mutex_lock(&b->mu);
    if (b->lo < b->hi)
        k = from_back ? b->queue[--b->hi] : b->queue[b->lo++];
    pthread_mutex_unlock(&b->mu);
    return k;
}

static void *run_background(void *arg)
{
    background *b = arg;
    size_t k = b->queue[0]; /* the first, kept for this thread */
    do {
        pthread_mutex_lock(&b->mu);
        b->current = k;
        pthread_mutex_unlock(&b->mu);
        b->st = b->jobs[k].fn(b->res, b->paths, &b->jobs[k], &b->err);
    } while (b->st == DCS_OK && (k = take(b, 0)) < b->n);
    atomic_store(&b->busy, 0);
    return NULL;
}

/* What the caller waits for: the thread's job, as a progress phase. */
static const char *waiting_for(background *b)
{
    pthread_mutex_lock(&b->mu);
    const char *ext = b->jobs[b->current].ext;
    pthread_mutex_unlock(&b->mu);
    return strcmp(ext, "xlsx") == 0 ? "finishing the workbook" : "finishing the map";
}

static void background_start(background *b)
{
    size_t nq = 0;
    for (int rank = 1; rank <= 3; rank++)
        for (size_t k = 0; k < b->n; k++)
            if (is_background(&b->jobs[k]) && b->jobs[k].background == rank)
                b->queue[nq++] = k;
    b->lo = 1;
    b->hi = nq;
    b->current = nq ? b->queue[0] : b->n;
    b->running = nq > 0 && b->res->threads != 1 && pthread_mutex_init(&b->mu, NULL) == 0;
    atomic_init(&b->busy, b->running);
    if (b->running && pthread_create(&b->thread, NULL, run_background, b) != 0) {
        pthread_mutex_destroy(&b->mu);
        b->running = 0;
    }
}

/* The caller's share once its own reports are written: background jobs
 * the thread has not taken, from the back. */
static dcs_status background_help(background *b, dcs_status st, dcs_error *err)
{
    size_t k;
    while (b->running && st == DCS_OK && (k = take(b, 1)) < b->n) {
        if (b->jobs[k].phase)
            dcs_progress_report(&b->jobs[k].opt->progress, b->jobs[k].phase, 0, 1);
        st = b->jobs[k].fn(b->res, b->paths, &b->jobs[k], err);
    }
    return st;
}

/* Wait for the thread; its failure becomes st's when st is DCS_OK. */
static dcs_status background_join(background *b, dcs_status st, dcs_error *err)
{
    if (!b->running)
        return st;
    pthread_join(b->thread, NULL);
    pthread_mutex_destroy(&b->mu);
    b->running = 0;
    if (st == DCS_OK && b->st != DCS_OK) {
        *err = b->err;
        st = b->st;
    }
    return st;
}

static dcs_status write_all(const dcs_result *res, const char *outdir, report_job *jobs,
                            size_t n, const dcs_report_paths *paths, dcs_error *err)
{
    dcs_status st = job_paths(res->scn->name, outdir, jobs, n, err);
    for (size_t k = 0; st == DCS_OK && k < n; k++) /* every temporary known before any thread */
        if (jobs[k].wanted)
            begin(&jobs[k]);
    background bg = {.res = res, .paths = paths, .jobs = jobs, .n = n, .st = DCS_OK};
    if (st == DCS_OK)
        background_start(&bg);
    for (size_t k = 0; st == DCS_OK && k < n; k++)
        if (jobs[k].wanted && !(jobs[k].background && bg.running)) {
            if (jobs[k].phase)
                dcs_progress_report(&jobs[k].opt->progress, jobs[k].phase, 0, 1);
            jobs[k].busy = bg.running ? &bg.busy : NULL;
            st = jobs[k].fn(res, paths, &jobs[k], err);
        }
    st = background_help(&bg, st, err);
    if (bg.running && st == DCS_OK && jobs[0].opt)
        dcs_progress_report(&jobs[0].opt->progress, waiting_for(&bg), 0, 1);
    st = background_join(&bg, st, err);
    if (st == DCS_OK)
        st = commit_all(jobs, n, err);
    for (size_t k = 0; st != DCS_OK && k < n; k++) {
        if (jobs[k].wanted && jobs[k].final[0])
            discard(&jobs[k]);
        jobs[k].final[0] = '\0';
    }
    return st;
}

/* What a run writes: the format, the database target and one job per
 * report.  The jobs point into the plan (it must not move) and into paths. */
typedef struct {
    dcs_gis_format fmt;
    dcs_pg_target target;
    dcs_pg_write pgw;
    dcs_report_options o;
    report_job jobs[NJOBS];
    int db;
} report_plan;

static dcs_status plan_reports(const dcs_scenario *scn, const dcs_report_options *opt,
                               dcs_report_paths *paths, report_plan *p, dcs_error *err)
{
    memset(p, 0, sizeof *p);
    memset(paths, 0, sizeof *paths);
    p->o = (dcs_report_options){
        .format = NULL,
        .crs = NULL,
        .db = NULL,
        .table = NULL,
        .fingerprint = NULL,
        .progress = {.fn = NULL, .user = NULL},
    };
    if (opt)
        p->o = *opt;
    opt = &p->o;
    dcs_status st = dcs_gis_format_find(opt->db && !opt->format ? "PostgreSQL" : opt->format,
                                        &p->fmt, err);
    if (st == DCS_OK && p->fmt.database && !opt->db)
        st = dcs_error_set(err, DCS_ERR_SCENARIO,
                           "--format %s writes to a database: give it with --db 'PG:...'",
                           p->fmt.name);
    if (st == DCS_OK && p->fmt.database)
        st = dcs_pg_target_parse(opt->table, scn->name, &p->target, err);
    int gis = scn->outputs.gpkg, single = !p->fmt.multi_layer;
    int db = p->db = st == DCS_OK && p->fmt.database;
    /* the map goes with the GIS layers or the workbook, unless outputs.map is false */
    int map = (gis || scn->outputs.xlsx) && scn->outputs.map;
    static const char *const map_sidecars[] = {"pgw", "prj", "png.aux.xml", NULL};
    /* the summary goes last: it lists the other reports' paths */
    report_job jobs[NJOBS] = {
        {.stem_suffix = "",
         .ext = p->fmt.ext,
         .fn = db ? write_pg : write_gis,
         .final = paths->gis,
         .wanted = gis,
         .fmt = &p->fmt,
         .opt = opt,
         .layers = single || !scn->outputs.eligible_points
                       ? DCS_GIS_CANDIDATES
                       : DCS_GIS_CANDIDATES | DCS_GIS_POINTS,
         .pg = db ? &p->pgw : NULL,
         .target = &p->target},
        {.stem_suffix = "_points",
         .ext = p->fmt.ext,
         .fn = write_gis,
         .final = paths->gis_points,
         .wanted = gis && single && scn->outputs.eligible_points,
         .fmt = &p->fmt,
         .opt = opt,
         .layers = DCS_GIS_POINTS},
        {.stem_suffix = "_score",
         .ext = "tif",
         .fn = write_tif,
         .final = paths->score_tif,
         .wanted = gis && scn->sites.grid != DCS_GRID_NONE,
         .opt = opt},
        {.stem_suffix = "", .ext = "xlsx", .fn = write_xlsx, .final = paths->xlsx,
         .wanted = scn->outputs.xlsx, .opt = opt, .phase = "writing the workbook",
         .background = 1},
        {.stem_suffix = "_map", .ext = "png", .fn = write_map_png, .final = paths->map_png,
         .wanted = map, .sidecars = map_sidecars, .opt = opt, .phase = "drawing the map (PNG)",
         .background = 3},
        {.stem_suffix = "_map", .ext = "pdf", .fn = write_map_pdf, .final = paths->map_pdf,
         .wanted = map, .opt = opt, .phase = "drawing the map (PDF)", .background = 2},
        {.stem_suffix = "", .ext = "html", .fn = write_html, .final = paths->html,
         .wanted = scn->outputs.html, .opt = opt, .phase = "writing the web map report"},
        {.stem_suffix = "", .ext = "json", .fn = write_json, .final = paths->json,
         .wanted = scn->outputs.json, .opt = opt, .phase = "writing the summary"},
    };
    memcpy(p->jobs, jobs, sizeof jobs);
    return st;
}

dcs_status dcs_reports_write(const dcs_result *res, const char *outdir,
                             const dcs_report_options *opt, dcs_report_paths *paths,
                             dcs_error *err)
{
    const dcs_scenario *scn = res->scn;
    report_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_status st = plan_reports(scn, opt, paths, plan, err);
    dcs_map_cache *maps = dcs_map_cache_new(); /* NULL: each map draws its sites */
    for (size_t k = 0; k < NJOBS; k++)
        if (plan->jobs[k].fn == write_map_png || plan->jobs[k].fn == write_map_pdf)
            plan->jobs[k].map_cache = maps;
    char fingerprint[DCS_SHA256_HEX_SIZE];
    if (st == DCS_OK && !plan->o.fingerprint &&
        (st = dcs_run_fingerprint(scn, fingerprint, err)) == DCS_OK)
        plan->o.fingerprint = fingerprint;
    if (st == DCS_OK)
        st = dcs_output_dir(outdir, err);
    if (st == DCS_OK && plan->db && scn->outputs.gpkg)
        for (int k = 0; k < 2; k++)
            snprintf(paths->gis_tables[k], sizeof paths->gis_tables[k], "%s.%s%s",
                     plan->target.schema, plan->target.table, k ? "_points" : "");
    if (st == DCS_OK)
        st = write_all(res, outdir, plan->jobs, NJOBS, paths, err);
    if (st != DCS_OK)
        memset(paths->gis_tables, 0, sizeof paths->gis_tables);
    dcs_map_cache_free(maps);
    dcs_map_release_fonts(); /* no map is being drawn now (see report_map.h) */
    free(plan);
    return st;
}

/* The names a job writes: the main file and its sidecars, final and
 * temporary, and a SQLite file's side files; each through fn. */
static dcs_status each_name(const report_job *j,
                            dcs_status (*fn)(void *, const char *, dcs_error *), void *user,
                            dcs_error *err)
{
    static const char *const sqlite_side[] = {"", "-journal", "-wal", "-shm"};
    char side[DCS_PATH_MAX], name[DCS_PATH_MAX + 16];
    const char *base[2] = {j->final, j->tmp};
    dcs_status st = DCS_OK;
    for (int b = 0; b < 2 && st == DCS_OK; b++) {
        for (size_t q = 0; q < 4 && st == DCS_OK; q++) {
            snprintf(name, sizeof name, "%s%s", base[b], sqlite_side[q]);
            st = fn(user, name, err);
        }
        for (const char *const *s = sidecars(j); st == DCS_OK && *s; s++) {
            with_ext(base[b], *s, side);
            st = fn(user, side, err);
        }
    }
    return st;
}

dcs_status dcs_reports_each_path(const dcs_scenario *scn, const char *outdir,
                                 const dcs_report_options *opt,
                                 dcs_status (*fn)(void *user, const char *path, dcs_error *err),
                                 void *user, dcs_error *err)
{
    report_plan *plan = calloc(1, sizeof *plan);
    dcs_report_paths *paths = calloc(1, sizeof *paths);
    dcs_status st = plan && paths ? plan_reports(scn, opt, paths, plan, err)
                                  : dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    if (st == DCS_OK)
        st = dcs_output_dir_check(outdir, err);
    if (st == DCS_OK)
        st = job_paths(scn->name, outdir, plan->jobs, NJOBS, err);
    for (size_t k = 0; st == DCS_OK && k < NJOBS; k++)
        if (plan->jobs[k].wanted && !plan->jobs[k].pg)
            st = each_name(&plan->jobs[k], fn, user, err);
    free(plan);
    free(paths);
    return st;
}

/* The JSON summary at path, parsed (NULL when missing or unreadable). */
static cJSON *read_json(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    char buf[8192];
    size_t got;
    while (mem && (got = fread(buf, 1, sizeof buf, fp)) > 0)
        fwrite(buf, 1, got, mem);
    fclose(fp);
    if (mem)
        fclose(mem);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    return root;
}

/* outdir/<name><suffix>.ext exists */
static int report_exists(const dcs_scenario *scn, const char *outdir, const char *suffix,
                         const char *ext)
{
    char final[DCS_PATH_MAX], tmp[DCS_PATH_MAX], stem[512];
    snprintf(stem, sizeof stem, "%s%s", scn->name, suffix);
    dcs_output_paths(outdir, stem, ext, final, tmp);
    return access(final, F_OK) == 0;
}

int dcs_reports_done(const dcs_scenario *scn, const char *outdir, const dcs_report_options *opt,
                     const char *fingerprint)
{
    char json[DCS_PATH_MAX], tmp[DCS_PATH_MAX];
    dcs_gis_format fmt;
    dcs_error err;
    if (!scn->outputs.json || dcs_gis_format_find(opt ? opt->format : NULL, &fmt, &err) != DCS_OK)
        return 0;
    int map = (scn->outputs.gpkg || scn->outputs.xlsx) && scn->outputs.map;
    if ((scn->outputs.gpkg && !report_exists(scn, outdir, "", fmt.ext)) ||
        (scn->outputs.xlsx && !report_exists(scn, outdir, "", "xlsx")) ||
        (scn->outputs.html && !report_exists(scn, outdir, "", "html")) ||
        (map && (!report_exists(scn, outdir, "_map", "png") ||
                 !report_exists(scn, outdir, "_map", "pdf"))))
        return 0;
    dcs_output_paths(outdir, scn->name, "json", json, tmp);
    cJSON *root = read_json(json);
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(root, "fingerprint");
    int done = cJSON_IsString(fp) && strcmp(fp->valuestring, fingerprint) == 0;
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(root, "outputs"), *o;
    cJSON_ArrayForEach(o, out)
    {
        if (done && (!cJSON_IsString(o) || access(o->valuestring, F_OK) != 0))
            done = 0;
    }
    cJSON_Delete(root);
    return done;
}
