/* run.c - the analysis pipeline. See run.h. */
#include "pipeline/run.h"

#include <gdal.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inputs/context.h"
#include "pipeline/decision_support.h"
#include "pipeline/diagnose.h"
#include "core/libctx.h"
#include "pipeline/community_run.h"
#include "pipeline/measure.h"
#include "pipeline/shard.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(const dcs_run_options *opt, const char *phase, size_t done, size_t total)
{
    if (opt && opt->progress)
        opt->progress(opt->user, phase, done, total);
}

static int stopped(const dcs_run_options *opt)
{
    return opt && opt->stop && *opt->stop;
}

/* Working CRS from the site layer's lon/lat extent (or the scenario). */
static dcs_status open_working_crs(const dcs_scenario *scn, dcs_inputs *in, dcs_result *res,
                                   dcs_error *err)
{
    OGREnvelope ll;
    dcs_status st = dcs_layer_lonlat_extent(&in->layers[DCS_IN_SITES], &ll, err);
    if (st != DCS_OK)
        return st;
    st = dcs_crs_open(&res->crs, scn->working_crs, ll.MinX, ll.MinY, ll.MaxX, ll.MaxY, err);
    return st == DCS_OK ? dcs_layers_prepare(in->layers, in->n, &res->crs, err) : st;
}

/* ---- measuring sites in threads ------------------------------------------ */

#define CHUNK 64 /* sites a thread takes at a time */

typedef struct {
    dcs_result *res;
    dcs_context_data *cd;      /* this thread's copy (or the original) */
    const dcs_run_options *opt;
    atomic_size_t *next, *done;
    atomic_int *abort;         /* set by the first failure */
    atomic_int *finished;      /* threads done */
    const size_t *order;       /* the sites in the order they are measured */
    dcs_status st;
    dcs_error err;
    size_t failed_site;        /* the site that failed (SIZE_MAX none) */
    int reports;               /* the calling thread's worker: reports progress */
} worker;

/* Measure sites order[a .. b); returns 0 when the work must stop. */
static int measure_chunk(worker *w, size_t a, size_t b)
{
    dcs_result *res = w->res;
    size_t nc = res->ncontexts;
    for (size_t k = a; k < b; k++) {
        size_t i = w->order[k];
        if (atomic_load(w->abort) || stopped(w->opt))
            return 0;
        w->st = dcs_measure_site(w->cd, &res->sites, i, res->outside + i * nc, &w->err);
        if (w->st != DCS_OK) {
            w->failed_site = i;
            atomic_store(w->abort, 1);
            return 0;
        }
        atomic_fetch_add(w->done, 1);
    }
    return 1;
}

static void *measure_worker(void *arg)
{
    worker *w = arg;
    size_t n = w->res->sites.n;
    for (;;) {
        size_t a = atomic_fetch_add(w->next, CHUNK);
        if (a >= n || !measure_chunk(w, a, a + CHUNK < n ? a + CHUNK : n))
            break;
        if (w->reports) /* the callback throttles what it draws */
            progress(w->opt, "measuring sites", atomic_load(w->done), n);
    }
    atomic_fetch_add(w->finished, 1);
    return NULL;
}

/* Threads to use for n sites: as asked, else one per online CPU; never
 * more than there are chunks of sites. */
static int thread_count(const dcs_run_options *opt, size_t n)
{
    long t = opt && opt->threads > 0 ? opt->threads : sysconf(_SC_NPROCESSORS_ONLN);
    size_t chunks = (n + CHUNK - 1) / CHUNK;
    if (t < 1)
        t = 1;
    if (t > DCS_MAX_THREADS)
        t = DCS_MAX_THREADS;
    if ((size_t)t > chunks)
        t = chunks ? (long)chunks : 1;
    return (int)t;
}

/* The calling thread, done with its share, reports progress until the
 * others have finished. */
static void wait_reporting(worker *w, int nthreads, const dcs_run_options *opt)
{
    size_t n = w->res->sites.n;
    const struct timespec tick = {0, 50 * 1000 * 1000};
    while (atomic_load(w->finished) < nthreads) {
        progress(opt, "measuring sites", atomic_load(w->done), n);
        nanosleep(&tick, NULL);
    }
}

/* The failure of the lowest-numbered site, or an interruption. */
static dcs_status collect_status(dcs_result *res, worker *w, int nthreads,
                                 const dcs_run_options *opt, dcs_error *err)
{
    worker *first = NULL;
    for (int t = 0; t < nthreads; t++)
        if (w[t].st != DCS_OK && (!first || w[t].failed_site < first->failed_site))
            first = &w[t];
    if (first) {
        *err = first->err;
        return dcs_error_prefix(err, "site \"%s\": ", res->sites.id[first->failed_site]);
    }
    if (stopped(opt))
        return dcs_error_set(err, DCS_ERR_INTERRUPTED, "interrupted while measuring sites");
    return DCS_OK;
}

static dcs_status start_workers(dcs_result *res, dcs_context_data *cd, dcs_context_data *copies,
                                worker *w, pthread_t *tid, int *nstarted, dcs_error *err)
{
    for (int t = 1; t < res->threads; t++) {
        dcs_status st = dcs_context_clone(cd, &copies[t], err);
        if (st != DCS_OK)
            return st;
        w[t].cd = &copies[t];
        if (pthread_create(&tid[t], NULL, measure_worker, &w[t]) != 0)
            return dcs_error_set(err, DCS_ERR_NOMEM, "cannot start thread %d of %d", t + 1,
                                 res->threads);
        (*nstarted)++;
    }
    return DCS_OK;
}

static dcs_status measure_sites(dcs_result *res, dcs_context_data *cd,
                                const dcs_run_options *opt, dcs_error *err)
{
    size_t n = res->sites.n, nc = res->ncontexts;
    atomic_size_t next = 0, done = 0;
    atomic_int abort_flag = 0, finished = 0;
    int T = res->threads = thread_count(opt, n), started = 0;
    worker w[DCS_MAX_THREADS];
    pthread_t tid[DCS_MAX_THREADS];
    dcs_context_data copies[DCS_MAX_THREADS];
    memset(copies, 0, sizeof copies);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    res->outside = calloc((n ? n : 1) * (nc ? nc : 1), 1);
    if (!res->outside || !order || dcs_sites_spatial_order(&res->sites, order) != 0) {
        free(order);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    for (int t = 0; t < T; t++)
        w[t] = (worker){
            .res = res,
            .cd = cd,
            .opt = opt,
            .next = &next,
            .done = &done,
            .abort = &abort_flag,
            .finished = &finished,
            .order = order,
            .st = DCS_OK,
            .err = {0},
            .failed_site = SIZE_MAX,
            .reports = t == 0,
        };
    dcs_status st = start_workers(res, cd, copies, w, tid, &started, err);
    if (st != DCS_OK)
        atomic_store(&abort_flag, 1);
    progress(opt, "measuring sites", 0, n);
    measure_worker(&w[0]);
    wait_reporting(&w[0], started + 1, opt);
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    for (int t = 1; t < T; t++)
        dcs_context_free(&copies[t]);
    free(order);
    if (st == DCS_OK && (st = collect_status(res, w, started + 1, opt, err)) == DCS_OK)
        progress(opt, "measuring sites", n, n);
    return st;
}

static void warn_layer(dcs_result *res, const dcs_input_info *info)
{
    if (info->nbadtext)
        dcs_warning_plain(
            dcs_warn(&res->warnings, DCS_WARN_TEXT_REPAIRED, info->role,
                     "%s: layer '%s' of '%s': %lld text value%s not valid UTF-8 or held control "
                     "characters, the first at feature %lld; %s (re-save the layer as UTF-8 "
                     "to keep every character)",
                     info->role, info->layer, info->dataset, info->nbadtext,
                     info->nbadtext == 1 ? " was" : "s were", info->badtext_fid,
                     info->latin1 ? "its bytes were read as Latin-1 (the layer's declared "
                                    "encoding), control characters replaced by U+FFFD"
                                  : "each bad byte and control character was replaced by U+FFFD"),
            "In %s, %lld text value%s damaged characters, shown as a replacement mark.", info->role,
            info->nbadtext, info->nbadtext == 1 ? " has" : "s have");
    if (info->nrepaired)
        dcs_warning_plain(dcs_warn(&res->warnings, DCS_WARN_GEOMETRY_REPAIRED, info->role,
                                   "%s: %lld invalid geometries repaired (GEOS MakeValid)",
                                   info->role, info->nrepaired),
                          "In %s, %lld invalid geometr%s repaired before measuring.",
                          info->role, info->nrepaired, info->nrepaired == 1 ? "y was" : "ies were");
    if (info->nnull)
        dcs_warning_plain(dcs_warn(&res->warnings, DCS_WARN_NO_GEOMETRY, info->role,
                                   "%s: %lld features without geometry skipped", info->role,
                                   info->nnull),
                          "In %s, %lld feature%s no geometry and %s left out.", info->role,
                          info->nnull, info->nnull == 1 ? " has" : "s have",
                          info->nnull == 1 ? "was" : "were");
    if (info->nwrongtype)
        dcs_warning_plain(dcs_warn(&res->warnings, DCS_WARN_WRONG_GEOMETRY_TYPE, info->role,
                                   "%s: %lld features of the wrong geometry type skipped",
                                   info->role, info->nwrongtype),
                          "In %s, %lld feature%s the wrong geometry type and %s left out.",
                          info->role, info->nwrongtype, info->nwrongtype == 1 ? " has" : "s have",
                          info->nwrongtype == 1 ? "was" : "were");
    if (info->ndegenerate)
        dcs_warning_plain(dcs_warn(&res->warnings, DCS_WARN_NO_AREA, info->role,
                                   "%s: %lld polygon%s with no area skipped (a collapsed ring, "
                                   "three points or all vertices on one line: made valid it is "
                                   "only a line or a point), the first feature %lld; fix or "
                                   "delete %s", info->role, info->ndegenerate,
                                   info->ndegenerate == 1 ? "" : "s", info->degenerate_fid,
                                   info->ndegenerate == 1 ? "it" : "them"),
                          "In %s, %lld polygon%s no area and %s left out.", info->role,
                          info->ndegenerate, info->ndegenerate == 1 ? " has" : "s have",
                          info->ndegenerate == 1 ? "was" : "were");
}

/* Headroom unknown at qualifying substations: the interconnection cost
 * assumes what interconnection.unknown_headroom says; the run says it. */
static void warn_unknown_headroom(dcs_result *res, const dcs_substations *subs)
{
    const dcs_scenario *scn = res->scn;
    int up = scn->interconnection.upgrade_unknown;
    char why[160];
    if (scn->substations.headroom_field)
        snprintf(why, sizeof why, "their %s is empty", scn->substations.headroom_field);
    else
        snprintf(why, sizeof why, "substations.headroom_field is not given");
    dcs_warning_plain(
        dcs_warn(&res->warnings, DCS_WARN_UNKNOWN_HEADROOM, "substations",
                 "substations: headroom unknown at %zu of the %zu qualifying substations (%s); "
                 "interconnect_cost_musd assumes %s there (interconnection.unknown_headroom: "
                 "\"%s\" would %s)",
                 subs->nunknown_headroom, subs->n, why,
                 up ? "an upgrade is needed" : "no upgrade is needed",
                 up ? "no_upgrade" : "upgrade", up ? "drop it" : "add it"),
        "The spare capacity of %zu substation%s is unknown; their connection costs %s the "
        "%.0f M$ substation upgrade%s.",
        subs->nunknown_headroom, subs->nunknown_headroom == 1 ? "" : "s",
        up ? "include" : "leave out", scn->interconnection.upgrade_musd,
        up ? " as if every one of them were short of capacity" : ", as if each could serve the facility");
}

/* The scenario option that would let the most substations qualify. */
static const char *no_substation_hint(const dcs_scenario *scn, const dcs_substations *subs)
{
    if (subs->nread == 0)
        return "the layer has no features";
    if (subs->nno_voltage == subs->nread)
        return "no substation has a voltage: check substations.voltage_field";
    if (subs->nlow_headroom >= subs->nlow_voltage)
        return scn->substations.headroom_field && subs->nlow_headroom
                   ? "set \"require_headroom\": false to qualify on voltage alone"
                   : "check substations.voltage_field";
    return "lower substations.min_voltage_kv";
}

static void record_inputs(dcs_result *res, dcs_inputs *in, const dcs_substations *subs)
{
    dcs_inputs_collect_counts(in);
    res->inputs = in->info;
    res->ninputs = in->ninfo;
    in->info = NULL; /* the result owns the records now */
    for (size_t i = 0; i < res->ninputs; i++)
        warn_layer(res, &res->inputs[i]);
    res->subs_read = subs->nread;
    res->subs_qualified = (long long)subs->n;
    if (subs->nrepeated)
        dcs_warning_plain(
            dcs_warn(&res->warnings, DCS_WARN_DUPLICATE_IDS, "substations",
                     "substations: %zu of the %zu qualifying substations repeat%s an earlier "
                     "one's %s (e.g. \"%s\"); substation_id does not tell them apart",
                     subs->nrepeated, subs->n, subs->nrepeated == 1 ? "s" : "",
                     res->scn->substations.id_field,
                     subs->id[subs->repeated_example]),
            "%zu substation%s share%s an id with another (e.g. %s), so a site's nearest "
            "substation cannot always be told apart by its id.", subs->nrepeated,
            subs->nrepeated == 1 ? "" : "s", subs->nrepeated == 1 ? "s" : "",
            subs->id[subs->repeated_example]);
    if (subs->nunknown_headroom)
        warn_unknown_headroom(res, subs);
    for (size_t r = 0; r < res->scn->substations.nrules; r++) {
        const dcs_substation_rule *u = &res->scn->substations.rules[r];
        if (subs[1 + r].n == 0)
            dcs_warning_plain(
                dcs_warn(&res->warnings, DCS_WARN_NO_SUBSTATION, u->name,
                         "substations.rules '%s': none of %lld substations qualifies (>= %g kV%s); "
                         "its metrics are empty at every site",
                         u->name, subs[1 + r].nread, u->min_voltage_kv,
                         isnan(u->min_headroom_mw) ? "" : " with enough headroom"),
                "No substation meets the rule %s, so its distance is empty everywhere.",
                u->name);
    }
    if (subs->n == 0)
        dcs_warning_plain(
            dcs_warn(&res->warnings, DCS_WARN_NO_SUBSTATION, "substations",
                     "substations: none of %lld qualifies (%lld without a voltage, %lld below "
                     "%g kV, %lld with less than %.1f MW of headroom); every site lacks a "
                     "substation distance: %s",
                     subs->nread, subs->nno_voltage, subs->nlow_voltage,
                     res->scn->substations.min_voltage_kv, subs->nlow_headroom, res->peak_mw,
                     no_substation_hint(res->scn, subs)),
            "No substation can serve the facility (none of %lld has at least %g kV and "
            "%.1f MW of headroom), so no site has a grid connection distance or cost.",
            subs->nread, res->scn->substations.min_voltage_kv, res->peak_mw);
}

static dcs_status load_sites(dcs_result *res, dcs_inputs *in, const dcs_run_options *opt,
                             dcs_error *err)
{
    dcs_layer *L = &in->layers[DCS_IN_SITES];
    if (res->scn->sites.grid != DCS_GRID_NONE) {
        progress(opt, "reading sites", 0, 1);
        return dcs_sites_from_grid(L, &res->model, &res->crs, res->geos, &res->sites, err);
    }
    dcs_progress p = {.fn = opt ? opt->progress : NULL, .user = opt ? opt->user : NULL};
    return dcs_sites_load(L, &res->model, &res->crs, res->geos,
                          thread_count(opt, (size_t)1 << 40), &p, &res->sites, err);
}

/* The result takes the stations' results and warnings. */
static void keep_stations(dcs_result *res, dcs_context_data *cd)
{
    res->stations = cd->stations.st;
    res->nstations = cd->stations.n;
    cd->stations.st = NULL;
    cd->stations.n = 0;
    for (size_t i = 0; i < cd->stations.warnings.count; i++)
        dcs_warn(&res->warnings, DCS_WARN_WEATHER_DATA, "weather", "%s",
                 cd->stations.warnings.items[i]);
    for (size_t i = 0; i < res->nstations; i++) {
        free(res->stations[i].hourly_mw); /* measured: the report needs only the year */
        res->stations[i].hourly_mw = NULL;
        dcs_warning *w = res->stations[i].note ? dcs_warn(&res->warnings,
                                                          DCS_WARN_WEATHER_SUSPECT, "weather",
                                                          "%s", res->stations[i].note)
                                               : NULL;
        if (w)
            w->note = 1;
    }
}

/* Up to 3 values of list (n items, NULLs skipped, a repeat of the
 * previous one skipped) as "'a', 'b', 'c'" in buf. */
static const char *sample(char *const *list, size_t n, size_t stride, size_t col, char *buf,
                          size_t size)
{
    size_t len = 0, k = 0;
    const char *prev = NULL;
    buf[0] = '\0';
    for (size_t i = 0; i < n && k < 3 && len + 1 < size; i++) {
        const char *v = list[i * stride + col];
        if (!v || (prev && strcmp(prev, v) == 0))
            continue;
        len += (size_t)snprintf(buf + len, size - len, "%s'%.40s'", k++ ? ", " : "", v);
        prev = v;
    }
    if (k == 0)
        snprintf(buf, size, "no values");
    return buf;
}

/* A join no site's key matches: every joined metric is empty; say which
 * keys each side has. */
static void warn_join_no_match(dcs_result *res, const dcs_context_data *cd, size_t j)
{
    const dcs_model *m = &res->model;
    const dcs_join *jn = &res->scn->joins[j];
    const dcs_sites *s = &res->sites;
    size_t col = m->metrics[m->join_on[j]].col, matched = 0;
    for (size_t i = 0; i < s->n && !matched; i++) {
        const char *key = dcs_site_text(s, i)[col];
        matched = key && dcs_table_find(&cd->tables[j], key) >= 0;
    }
    if (matched || s->n == 0)
        return;
    char ours[200], theirs[200];
    sample(s->text, s->n, s->ntext, col, ours, sizeof ours);
    sample(cd->tables[j].key, cd->tables[j].n, 1, 0, theirs, sizeof theirs);
    dcs_warning_plain(
        dcs_warn(&res->warnings, DCS_WARN_JOIN_NO_MATCH, jn->name,
                 "%s (join): no site's %s matches a %s of '%s' (sites have %s; the table has "
                 "%s); every value it joins is empty: check both hold the same codes in the "
                 "same form (leading zeros, numbers stored as text)",
                 jn->name, jn->on, jn->key_field, jn->src.dataset, ours, theirs),
        "Table %s matched none of the sites; its values are blank.", jn->name);
}

static void warn_joins(dcs_result *res, const dcs_context_data *cd)
{
    for (size_t j = 0; j < cd->njoins; j++)
        warn_join_no_match(res, cd, j);
    for (size_t j = 0; j < cd->njoins; j++)
        if (cd->tables[j].nduplicates)
            dcs_warning_plain(
                dcs_warn(&res->warnings, DCS_WARN_JOIN_DUPLICATES, res->scn->joins[j].name,
                         "%s (join): %zu repeated keys; the first row of each was used",
                         res->scn->joins[j].name, cd->tables[j].nduplicates),
                "Table %s repeats %zu keys; the first row of each was used.",
                res->scn->joins[j].name, cd->tables[j].nduplicates);
}

/* Sites whose grid region the hourly signal table does not have. */
static void warn_hourly(dcs_result *res, const dcs_context_data *cd)
{
    const dcs_model *m = &res->model;
    if (m->hourly_on < 0 || !res->scn->energy.hourly.src.dataset)
        return;
    size_t n = 0;
    const char *first = NULL;
    for (size_t i = 0; i < res->sites.n; i++) {
        const char *key = dcs_site_text(&res->sites, i)[m->metrics[m->hourly_on].col];
        if (!dcs_hourly_find(&cd->hourly, key) && n++ == 0)
            first = key;
    }
    const char *file = res->scn->energy.hourly.src.dataset;
    if (n)
        dcs_warning_plain(
            dcs_warn(&res->warnings, DCS_WARN_HOURLY_REGION, "energy.hourly_signals",
                     "energy.hourly_signals: %zu sites have a %s ('%s' first) that %s does not "
                     "have; their hourly metrics are empty",
                     n, res->scn->energy.hourly.on, first ? first : "(none)", file),
            "%zu sites are in a grid region without hourly signals ('%s' first); their hourly "
            "carbon, CFE and cost are blank.", n, first ? first : "(none)");
}

static dcs_status evaluate_sites(dcs_result *res, dcs_error *err)
{
    dcs_site_rows rows = dcs_result_rows(res);
    return dcs_evaluate_threads(&res->model, &rows, res->threads, &res->eval, err);
}

dcs_status dcs_run(const dcs_scenario *scn, const dcs_run_options *opt, dcs_result *res,
                   dcs_error *err)
{
    double t0 = now_seconds();
    memset(res, 0, sizeof *res);
    res->scn = scn;
    res->ncontexts = scn->ncontexts;
    res->peak_mw = dcs_scenario_peak_mw(scn);
    time_t now = time(NULL);
    strftime(res->started_utc, sizeof res->started_utc, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

    dcs_inputs in;
    dcs_context_data cd = {0};
    if (!(res->geos = dcs_geos_init()))
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory starting the run");
    dcs_status st = dcs_inputs_open(scn, &in, NULL, err);
    if (st == DCS_OK)
        st = dcs_model_build(scn, in.attr_kinds, &res->model, NULL, err);
    if (st == DCS_OK)
        st = open_working_crs(scn, &in, res, err);
    if (st == DCS_OK)
        st = dcs_context_start(&in, &res->model, &res->crs, res->geos, res->peak_mw,
                               thread_count(opt, (size_t)1 << 40) > 1, &cd, err);
    if (st == DCS_OK)
        st = load_sites(res, &in, opt, err);
    if (st == DCS_OK && opt && opt->shard_count > 1 && scn->assembly.enabled)
        st = dcs_error_set(err, DCS_ERR_SCENARIO,
                           "assembly: campuses span shards; run this scenario without --shard");
    if (st == DCS_OK && opt && opt->shard_count > 1)
        st = dcs_shard_select(&res->sites, opt->shard_index, opt->shard_count, err);
    if (st == DCS_OK)
        st = dcs_decision_prepare(res, err);
    if (st == DCS_OK) {
        progress(opt, "reading context layers", 0, 1);
        st = dcs_context_load(&in, &cd, err);
    }
    if (st == DCS_OK && !(opt && opt->rows))
        st = dcs_context_prepare_sites(&cd, &res->sites, err);
    if (st == DCS_OK)
        st = opt && opt->rows ? opt->rows(opt->rows_user, res, err)
                              : measure_sites(res, &cd, opt, err);
    if (st == DCS_OK) {
        record_inputs(res, &in, cd.subs);
        warn_joins(res, &cd);
        warn_hourly(res, &cd);
        dcs_community_warnings(&res->model, &res->sites, &res->warnings);
        keep_stations(res, &cd);
        dcs_diagnose_inputs(res);
    }
    /* Context and inputs go before the evaluation's arrays come: the peak
     * memory is then the sites' and the context's, not all three. */
    dcs_context_free(&cd);
    dcs_inputs_close(&in);
    if (st == DCS_OK)
        st = evaluate_sites(res, err);
    if (st == DCS_OK)
        st = dcs_decision_analyse(res, err);
    res->seconds = now_seconds() - t0;
    return st;
}
