/*
 * test_progress.c - progress reports (issue 6).
 *
 * Drawing (cli/cli_progress.c) at chosen times: the expected lines are
 * worked out by hand from the documented rules (a plain line every 5 s, a
 * bar redrawn at most 5 times a second, first and last always, rate =
 * done / seconds since the phase began, time left = (total - done) / rate,
 * rounded).
 *
 * Reporting (analysis/pipeline/run.c, analysis/inputs/sites.c, reports/report_gis.c) on the
 * shipped demo (data/scenarios/dallas.json, run from the repository root),
 * with a callback that records every call: each counted phase starts at 0,
 * never goes back, ends at its total, and measuring is reported while the
 * sites are measured, not only at the end.
 */
#include "core/libctx.h"
#include "testutil.h"

#include <stdlib.h>
#include <unistd.h>

#include "cli_progress.h"
#include "report.h"
#include "pipeline/run.h"

/* ---- drawing ------------------------------------------------------------- */

typedef struct {
    dcs_cli_progress p;
    char *buf;
    size_t len;
    size_t seen; /* bytes already returned by drawn() */
} drawing;

static void drawing_open(drawing *d, int tty)
{
    d->buf = NULL;
    d->len = d->seen = 0;
    FILE *out = open_memstream(&d->buf, &d->len);
    assert_non_null(out);
    dcs_cli_progress_init(&d->p, out, tty);
}

/* What was drawn since the last call (a copy the caller frees). */
static char *drawn(drawing *d)
{
    fflush(d->p.out);
    char *s = strndup(d->buf + d->seen, d->len - d->seen);
    d->seen = d->len;
    return s;
}

static void drawing_close(drawing *d)
{
    fclose(d->p.out);
    free(d->buf);
}

/* One draw and exactly what must come out of it. */
typedef struct {
    double t;
    const char *phase;
    size_t done, total;
    const char *want;
} step;

static void run_steps(int tty, const step *steps, size_t n)
{
    drawing d;
    drawing_open(&d, tty);
    for (size_t k = 0; k < n; k++) {
        const step *s = &steps[k];
        dcs_cli_progress_at(&d.p, s->t, s->phase, s->done, s->total);
        char *got = drawn(&d);
        if (strcmp(got, s->want) != 0)
            fail_msg("step %zu, t=%g %s %zu/%zu: drew \"%s\", expected \"%s\"", k, s->t,
                     s->phase, s->done, s->total, got, s->want);
        free(got);
    }
    drawing_close(&d);
}

#define RUN_STEPS(tty, steps) run_steps(tty, steps, sizeof steps / sizeof steps[0])

static void test_plain_lines_every_five_seconds(void **state)
{
    (void)state;
    static const step steps[] = {
        {0, "measuring sites", 0, 1000, "dcsite: measuring sites 0/1000 (0%)\n"},
        {1, "measuring sites", 100, 1000, ""},
        {4.99, "measuring sites", 499, 1000, ""},
        /* 500 in 5 s: 100/s; 500 left: 5 s */
        {5, "measuring sites", 500, 1000,
         "dcsite: measuring sites 500/1000 (50%), 100/s, ETA 0:05\n"},
        {6, "measuring sites", 600, 1000, ""},
        /* the last is drawn however soon: 1000 in 9 s = 111.1/s */
        {9, "measuring sites", 1000, 1000,
         "dcsite: measuring sites 1000/1000 (100%), 111/s, ETA 0:00\n"},
        {20, "measuring sites", 1000, 1000, ""}, /* never twice */
    };
    RUN_STEPS(0, steps);
}

static void test_terminal_bar_redrawn_in_place(void **state)
{
    (void)state;
    static const step steps[] = {
        {0, "writing candidates", 0, 4000,
         "\rdcsite: writing candidates [........................] 0/4000 (  0%)\033[K"},
        {0.1, "writing candidates", 100, 4000, ""}, /* under 0.2 s */
        /* a quarter: 6 of 24 marks; no rate before half a second */
        {0.25, "writing candidates", 1000, 4000,
         "\rdcsite: writing candidates [######..................] 1000/4000 ( 25%)\033[K"},
        /* 2000 in 1 s; 2000 left: 1 s */
        {1, "writing candidates", 2000, 4000,
         "\rdcsite: writing candidates [############............] 2000/4000 ( 50%), "
         "2000/s, ETA 0:01\033[K"},
        /* the end: a full bar and a newline */
        {2, "writing candidates", 4000, 4000,
         "\rdcsite: writing candidates [########################] 4000/4000 (100%), "
         "2000/s, ETA 0:00\033[K\n"},
    };
    RUN_STEPS(1, steps);
}

static void test_phases(void **state)
{
    (void)state;
    static const step steps[] = {
        /* a phase without counts is named once */
        {0, "reading context layers", 0, 1, "dcsite: reading context layers...\n"},
        {8, "reading context layers", 0, 1, ""},
        {9, "reading context layers", 1, 1, ""},
        /* a new phase is drawn at once and its rate counts from its start:
         * 1000 of 100000 in 10 s = 100/s, 99000 left = 990 s = 16:30 */
        {10, "measuring sites", 0, 100000, "dcsite: measuring sites 0/100000 (0%)\n"},
        {20, "measuring sites", 1000, 100000,
         "dcsite: measuring sites 1000/100000 (1%), 100/s, ETA 16:30\n"},
        /* a phase that ends within half a second still gets its rate */
        {30, "writing eligible points", 0, 50, "dcsite: writing eligible points 0/50 (0%)\n"},
        {30.25, "writing eligible points", 50, 50,
         "dcsite: writing eligible points 50/50 (100%), 200/s, ETA 0:00\n"},
    };
    RUN_STEPS(0, steps);
}

/* ---- reporting ------------------------------------------------------------ */

#define MAX_CALLS 20000

typedef struct {
    size_t n;
    char phase[MAX_CALLS][64];
    size_t done[MAX_CALLS], total[MAX_CALLS];
} record;

static void record_call(void *user, const char *phase, size_t done, size_t total)
{
    record *r = user;
    assert_true(r->n < MAX_CALLS);
    snprintf(r->phase[r->n], sizeof r->phase[r->n], "%s", phase);
    r->done[r->n] = done;
    r->total[r->n] = total;
    r->n++;
}

/* The calls of one phase: each with the same total, done never going
 * back, from 0 to the total; returns how many were strictly between. */
static size_t check_phase(const record *r, const char *phase, size_t total)
{
    size_t calls = 0, between = 0, last = 0;
    for (size_t k = 0; k < r->n; k++) {
        if (strcmp(r->phase[k], phase) != 0)
            continue;
        if (r->total[k] != total)
            fail_msg("%s: call %zu has total %zu, expected %zu", phase, k, r->total[k], total);
        if (calls == 0 && r->done[k] != 0)
            fail_msg("%s: starts at %zu, not 0", phase, r->done[k]);
        if (r->done[k] < last)
            fail_msg("%s: went back from %zu to %zu", phase, last, r->done[k]);
        between += r->done[k] > 0 && r->done[k] < total;
        last = r->done[k];
        calls++;
    }
    if (calls == 0)
        fail_msg("%s: never reported", phase);
    if (last != total)
        fail_msg("%s: ended at %zu of %zu", phase, last, total);
    return between;
}

/* The index of the last call of a phase (rec->n when there is none). */
static size_t last_call(const record *r, const char *phase)
{
    size_t at = r->n;
    for (size_t k = 0; k < r->n; k++)
        if (strcmp(r->phase[k], phase) == 0)
            at = k;
    return at;
}

static int demo_run(record *rec, int threads, dcs_scenario *scn, dcs_result *res)
{
    dcs_error err;
    dcs_init();
    assert_int_equal(dcs_scenario_load("data/scenarios/dallas.json", scn, NULL, &err), DCS_OK);
    dcs_run_options opt = {.progress = record_call, .user = rec, .stop = NULL, .threads = threads};
    dcs_status st = dcs_run(scn, &opt, res, &err);
    if (st != DCS_OK)
        fail_msg("demo run: %s", err.message);
    return 0;
}

static void test_run_reports_while_measuring(void **state)
{
    (void)state;
    static record rec; /* large: not on the stack */
    rec.n = 0;
    dcs_scenario scn;
    dcs_result res;
    demo_run(&rec, 1, &scn, &res);
    size_t n = res.sites.n;
    assert_true(n > 20 * 64); /* many chunks of 64 sites */
    /* every feature of the demo's site layer has a geometry: read = sites */
    check_phase(&rec, "reading sites", n);
    /* with one thread, the calling thread measures every chunk: a report
     * after each, so at least one for each chunk but the last */
    size_t between = check_phase(&rec, "measuring sites", n);
    if (between < n / 64 - 1)
        fail_msg("measuring sites: %zu reports between 0 and %zu, expected >= %zu", between, n,
                 n / 64 - 1);
    dcs_result_free(&res);
    dcs_scenario_free(&scn);
}

static void test_reports_count_rows(void **state)
{
    (void)state;
    static record rec;
    rec.n = 0;
    dcs_scenario scn;
    dcs_result res;
    demo_run(&rec, 2, &scn, &res);
    check_phase(&rec, "measuring sites", res.sites.n);
    rec.n = 0;
    char dir[] = "/tmp/dcsite-progress-XXXXXX";
    assert_non_null(mkdtemp(dir));
    dcs_report_options ropt = {.fingerprint = "test", .progress = {.fn = record_call, .user = &rec}};
    dcs_report_paths paths;
    dcs_error err;
    dcs_status st = dcs_reports_write(&res, dir, &ropt, &paths, &err);
    if (st != DCS_OK)
        fail_msg("reports: %s", err.message);
    /* a row report every 1,024 rows: the demo has more than that */
    assert_true(res.sites.n > 1024);
    assert_true(check_phase(&rec, "writing candidates", res.sites.n) >= 1);
    check_phase(&rec, "writing eligible points", res.eval.neligible);
    /* the slow steps are named, in the order they happen: GDAL creates the
     * GeoPackage's layers, then dcsite writes their rows and indexes */
    size_t d = last_call(&rec, "creating the GIS file"), a = last_call(&rec, "writing candidates"),
           b = last_call(&rec, "committing candidates"),
           c = last_call(&rec, "writing eligible points"), e = last_call(&rec, "indexing candidates"),
           g = last_call(&rec, "writing the summary"), h = last_call(&rec, "finishing the map");
    if (h == rec.n) /* the second thread was still on the workbook */
        h = last_call(&rec, "finishing the workbook");
    assert_true(d < a && a < b && b < c && c < e && e < g && g < h && h < rec.n);
    /* with two threads the workbook and the maps are written beside the
     * GIS file by a second thread, which names nothing; the caller's
     * thread takes what that thread has not begun once the summary is
     * written, and names it */
    size_t png = last_call(&rec, "drawing the map (PNG)"),
           pdf = last_call(&rec, "drawing the map (PDF)");
    assert_true(png == rec.n || (g < png && png < h));
    assert_true(pdf == rec.n || (g < pdf && pdf < h));
    assert_int_equal(last_call(&rec, "writing the workbook"), rec.n);
    char pgw[DCS_PATH_MAX + 8], prj[DCS_PATH_MAX + 8], aux[DCS_PATH_MAX + 16];
    size_t stem = strlen(paths.map_png) > 4 ? strlen(paths.map_png) - 4 : 0; /* less ".png" */
    snprintf(pgw, sizeof pgw, "%.*s.pgw", (int)stem, paths.map_png);
    snprintf(prj, sizeof prj, "%.*s.prj", (int)stem, paths.map_png);
    snprintf(aux, sizeof aux, "%s.aux.xml", paths.map_png);
    const char *files[] = {paths.json, paths.gis, paths.xlsx, paths.map_png, paths.map_pdf, paths.html,
                           stem ? pgw : "", stem ? prj : "", stem ? aux : ""};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
        if (files[k][0])
            unlink(files[k]);
    assert_int_equal(rmdir(dir), 0); /* nothing else was left */
    dcs_result_free(&res);
    dcs_scenario_free(&scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_lines_every_five_seconds),
        cmocka_unit_test(test_terminal_bar_redrawn_in_place),
        cmocka_unit_test(test_phases),
        cmocka_unit_test(test_run_reports_while_measuring),
        cmocka_unit_test(test_reports_count_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
