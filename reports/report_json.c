/* report_json.c - the JSON run summary (cJSON). See report_json.h.
 *
 * Layout (a contract for programs, docs/schema/summary.schema.json; see
 * docs/outputs.md): schema_version, dcsite_version, libraries,
 * scenario{name,file,description}, run{started_utc,seconds,working_crs},
 * facility{...}, fingerprint, inputs[], substations{}, counts{...},
 * aggregation, ahp{}, criteria[], units{}, fields[], top_sites[],
 * distinct{}, distinct_options[], score_classes{}, warnings[], energy{},
 * decision{}, outputs{} and last, with outputs.all_sites, sites[].
 *
 * SCHEMA_VERSION: the major number changes when a key is removed, renamed
 * or changes meaning or type; the minor one when a key is added.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_json.h"
#include "report_decision.h"
#include "report_json_sites.h"
#include "inputs/dsn.h"
#include "decision/mcda.h"
#include "core/version.h"

#define SCHEMA_VERSION "2.0"

static void add_libraries(cJSON *root)
{
    dcs_lib_version libs[DCS_NLIBS];
    dcs_library_versions(libs);
    cJSON *o = cJSON_AddObjectToObject(root, "libraries");
    for (int i = 0; o && i < DCS_NLIBS; i++)
        cJSON_AddStringToObject(o, libs[i].name, libs[i].version);
}

static void add_header(cJSON *root, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    cJSON_AddStringToObject(root, "schema_version", SCHEMA_VERSION);
    cJSON_AddStringToObject(root, "dcsite_version", DCS_VERSION);
    add_libraries(root);
    cJSON *s = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(s, "name", scn->name);
    cJSON_AddStringToObject(s, "file", scn->path);
    if (scn->description)
        cJSON_AddStringToObject(s, "description", scn->description);
    cJSON *r = cJSON_AddObjectToObject(root, "run");
    cJSON_AddStringToObject(r, "started_utc", res->started_utc);
    cJSON_AddNumberToObject(r, "seconds", res->seconds);
    cJSON_AddStringToObject(r, "working_crs", res->crs.name);
    cJSON *f = cJSON_AddObjectToObject(root, "facility");
    cJSON_AddNumberToObject(f, "it_load_mw", scn->it_load_mw);
    cJSON_AddNumberToObject(f, "design_pue", scn->design_pue);
    cJSON_AddNumberToObject(f, "peak_demand_mw", res->peak_mw);
    cJSON_AddNumberToObject(f, "land_ha", scn->land_ha);
}

static void add_inputs(cJSON *root, const dcs_result *res)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "inputs");
    for (size_t i = 0; arr && i < res->ninputs; i++) {
        const dcs_input_info *in = &res->inputs[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "role", in->role);
        cJSON_AddStringToObject(o, "dataset", in->dataset);
        cJSON_AddStringToObject(o, "layer", in->layer);
        cJSON_AddStringToObject(o, "crs", in->crs);
        cJSON_AddStringToObject(o, "geometry_type", in->geom_type);
        cJSON_AddNumberToObject(o, "features", (double)in->nfeatures);
        cJSON_AddNumberToObject(o, "repaired_geometries", (double)in->nrepaired);
        cJSON_AddNumberToObject(o, "skipped_no_geometry", (double)in->nnull);
        cJSON_AddNumberToObject(o, "skipped_wrong_type", (double)in->nwrongtype);
        if (in->has_extent) {
            double box[4] = {in->minlon, in->minlat, in->maxlon, in->maxlat};
            cJSON_AddItemToObject(o, "extent_lonlat", cJSON_CreateDoubleArray(box, 4));
        }
    }
    cJSON *subs = cJSON_AddObjectToObject(root, "substations");
    cJSON_AddNumberToObject(subs, "read", (double)res->subs_read);
    cJSON_AddNumberToObject(subs, "qualifying", (double)res->subs_qualified);
    cJSON_AddNumberToObject(subs, "min_voltage_kv", res->scn->substations.min_voltage_kv);
    if (res->scn->substations.require_headroom)
        cJSON_AddNumberToObject(subs, "min_headroom_mw", res->peak_mw);
    else
        cJSON_AddNullToObject(subs, "min_headroom_mw"); /* qualify on voltage alone */
    cJSON_AddStringToObject(subs, "unknown_headroom",
                            res->scn->interconnection.upgrade_unknown ? "upgrade" : "no_upgrade");
}

static void add_counts(cJSON *root, const dcs_result *res)
{
    cJSON *c = cJSON_AddObjectToObject(root, "counts");
    cJSON_AddNumberToObject(c, "candidates", (double)res->sites.n);
    cJSON_AddNumberToObject(c, "eligible", (double)res->eval.neligible);
    cJSON_AddNumberToObject(c, "excluded", (double)(res->sites.n - res->eval.neligible));
    cJSON *by = cJSON_AddObjectToObject(c, "excluded_by_rule");
    for (size_t r = 0; by && r < res->model.nrules; r++) {
        char label[128];
        dcs_rule_label(&res->model.rules[r], label, sizeof label);
        cJSON_AddNumberToObject(by, label, (double)res->eval.rule_fails[r]);
    }
    size_t gaps = 0;
    for (size_t i = 0; i < res->sites.n; i++)
        gaps += res->eval.gaps[i] != NULL;
    cJSON_AddNumberToObject(c, "outside_some_coverage", (double)gaps);
}

static cJSON *value_function(const dcs_value_fn *fn)
{
    static const char *const types[] = {"linear", "piecewise", "step", "categorical"};
    cJSON *vf = cJSON_CreateObject();
    cJSON_AddStringToObject(vf, "type", types[fn->type]);
    if (fn->type == DCS_VF_LINEAR) {
        cJSON_AddNumberToObject(vf, "worst", fn->worst);
        cJSON_AddNumberToObject(vf, "best", fn->best);
    } else if (fn->type == DCS_VF_CATEGORICAL) {
        cJSON *cats = cJSON_AddObjectToObject(vf, "categories");
        for (size_t k = 0; k < fn->ncat; k++)
            cJSON_AddNumberToObject(cats, fn->cat[k], fn->v[k]);
        cJSON_AddNumberToObject(vf, "other", fn->other);
    } else {
        cJSON *pts = cJSON_AddArrayToObject(vf, "points");
        for (size_t k = 0; k < fn->npoints; k++) {
            double xy[2] = {fn->x[k], fn->v[k]};
            cJSON_AddItemToArray(pts, cJSON_CreateDoubleArray(xy, 2));
        }
    }
    return vf;
}

static void add_criteria(cJSON *root, const dcs_result *res)
{
    cJSON_AddStringToObject(root, "aggregation",
                            dcs_aggregation_name((dcs_aggregation)res->scn->aggregation));
    if (res->model.ahp) {
        cJSON *a = cJSON_AddObjectToObject(root, "ahp");
        cJSON_AddNumberToObject(a, "lambda_max", res->model.ahp_lambda);
        cJSON_AddNumberToObject(a, "consistency_index", res->model.ahp_ci);
        cJSON_AddNumberToObject(a, "consistency_ratio", res->model.ahp_cr);
        size_t n = res->scn->ncriteria;
        cJSON *m = cJSON_AddArrayToObject(a, "matrix");
        for (size_t i = 0; m && i < n; i++)
            cJSON_AddItemToArray(m, cJSON_CreateDoubleArray(res->scn->ahp_matrix + i * n, (int)n));
    }
    cJSON *arr = cJSON_AddArrayToObject(root, "criteria");
    for (size_t c = 0; arr && c < res->model.ncrits; c++) {
        const dcs_crit *k = &res->model.crits[c];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "name", k->name);
        cJSON_AddStringToObject(o, "metric", res->model.metrics[k->metric].name);
        cJSON_AddNumberToObject(o, "weight", k->weight);
        cJSON_AddItemToObject(o, "value_function", value_function(k->fn));
    }
}

/* One object per warning: code, layer (or null), message, plain. */
static void add_warnings(cJSON *root, const dcs_result *res)
{
    cJSON *w = cJSON_AddArrayToObject(root, "warnings");
    for (size_t i = 0; w && i < res->warnings.count; i++) {
        const dcs_warning *x = &res->warnings.items[i];
        cJSON *o = cJSON_CreateObject();
        if (!o)
            return;
        cJSON_AddStringToObject(o, "code", dcs_warning_code_name(x->code));
        if (x->layer)
            cJSON_AddStringToObject(o, "layer", x->layer);
        else
            cJSON_AddNullToObject(o, "layer");
        cJSON_AddStringToObject(o, "message", x->message);
        cJSON_AddStringToObject(o, "plain", dcs_warning_text(x));
        cJSON_AddStringToObject(o, "severity", x->note ? "note" : "warning");
        cJSON_AddItemToArray(w, o);
    }
}

cJSON *dcs_report_station_json(const dcs_station *st)
{
    const dcs_energy *e = &st->energy;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", st->name);
    cJSON_AddStringToObject(o, "file", st->file);
    cJSON_AddStringToObject(o, "format", dcs_weather_format_name(st->format));
    cJSON_AddNumberToObject(o, "lat", st->lat);
    cJSON_AddNumberToObject(o, "lon", st->lon);
    cJSON_AddNumberToObject(o, "elevation_m", st->elevation_m);
    cJSON_AddNumberToObject(o, "pue_annual", e->pue_annual);
    cJSON_AddNumberToObject(o, "pue_peak", e->pue_peak);
    cJSON_AddNumberToObject(o, "peak_demand_mw", e->peak_mw);
    cJSON_AddNumberToObject(o, "energy_mwh_yr", e->energy_mwh);
    cJSON_AddNumberToObject(o, "it_energy_mwh_yr", e->it_energy_mwh);
    cJSON_AddNumberToObject(o, "water_m3_yr", e->water_m3);
    dcs_json_number(o, "wue_l_kwh", e->wue_l_kwh);
    cJSON_AddNumberToObject(o, "peak_day_water_m3", e->peak_day_water_m3);
    cJSON_AddNumberToObject(o, "free_hours", e->mode_hours[DCS_MODE_FREE]);
    cJSON_AddNumberToObject(o, "partial_hours", e->mode_hours[DCS_MODE_PARTIAL]);
    cJSON_AddNumberToObject(o, "mechanical_hours", e->mode_hours[DCS_MODE_MECHANICAL]);
    cJSON_AddNumberToObject(o, "excluded_hours", e->excluded_hours);
    cJSON_AddStringToObject(o, "design_source", dcs_design_source_name(e->design_source));
    dcs_json_number(o, "design_dry_bulb_c", e->design_dry_bulb_c);
    dcs_json_number(o, "design_wet_bulb_c", e->design_wet_bulb_c);
    dcs_json_number(o, "pue_design", e->pue_design);
    dcs_json_number(o, "peak_demand_design_mw", e->peak_design_mw);
    dcs_json_number(o, "design_day_water_m3", e->design_day_water_m3);
    cJSON *months = cJSON_AddArrayToObject(o, "monthly");
    for (int m = 0; months && m < 12; m++) {
        cJSON *mo = cJSON_CreateObject();
        cJSON_AddItemToArray(months, mo);
        cJSON_AddNumberToObject(mo, "month", m + 1);
        cJSON_AddNumberToObject(mo, "energy_mwh", e->month_energy_mwh[m]);
        cJSON_AddNumberToObject(mo, "water_m3", e->month_water_m3[m]);
        dcs_json_number(mo, "pue", dcs_energy_month_pue(e, m));
    }
    return o;
}

static void add_energy(cJSON *root, const dcs_result *res)
{
    const dcs_scenario *scn = res->scn;
    if (!scn->energy.enabled)
        return;
    cJSON *en = cJSON_AddObjectToObject(root, "energy");
    cJSON_AddStringToObject(en, "cooling", dcs_cooling_name(scn->energy.cooling.archetype));
    cJSON_AddStringToObject(en, "design_class",
                            dcs_design_class_name(scn->energy.cooling.design_class));
    cJSON_AddNumberToObject(en, "it_load_mw", scn->it_load_mw);
    cJSON_AddNumberToObject(en, "accelerator_kw", scn->energy.accelerator_kw);
    size_t n;
    const dcs_cooling_param *t = dcs_cooling_param_table(&n);
    cJSON *params = cJSON_AddObjectToObject(en, "parameters");
    for (size_t k = 0; params && k < n; k++)
        cJSON_AddNumberToObject(params, t[k].name,
                                *(const double *)((const char *)&scn->energy.cooling + t[k].offset));
    cJSON *arr = cJSON_AddArrayToObject(en, "stations");
    for (size_t i = 0; arr && i < res->nstations; i++)
        cJSON_AddItemToArray(arr, dcs_report_station_json(&res->stations[i]));
}

static void add_outputs(cJSON *root, const dcs_report_paths *paths)
{
    cJSON *o = cJSON_AddObjectToObject(root, "outputs");
    if (paths->gis[0])
        cJSON_AddStringToObject(o, "gis", paths->gis);
    if (paths->gis_points[0])
        cJSON_AddStringToObject(o, "gis_points", paths->gis_points);
    if (paths->gis_tables[0][0]) {
        const char *tables[2] = {paths->gis_tables[0], paths->gis_tables[1]};
        cJSON_AddItemToObject(o, "gis_tables", cJSON_CreateStringArray(tables, 2));
    }
    if (paths->score_tif[0])
        cJSON_AddStringToObject(o, "score_tif", paths->score_tif);
    if (paths->xlsx[0])
        cJSON_AddStringToObject(o, "xlsx", paths->xlsx);
    if (paths->map_png[0])
        cJSON_AddStringToObject(o, "map_png", paths->map_png);
    if (paths->map_pdf[0])
        cJSON_AddStringToObject(o, "map_pdf", paths->map_pdf);
    if (paths->html[0])
        cJSON_AddStringToObject(o, "html", paths->html);
    if (paths->json[0])
        cJSON_AddStringToObject(o, "json", paths->json);
}

/* Hide the password of every connection string in the summary (datasets,
 * warnings, output names). */
static void redact_tree(cJSON *item)
{
    for (; item; item = item->next) {
        if (cJSON_IsString(item) && dcs_redact_needed(item->valuestring)) {
            char *r = dcs_redact(item->valuestring);
            if (!r || !cJSON_SetValuestring(item, r)) /* out of memory: drop the text */
                item->valuestring[0] = '\0';
            free(r);
        }
        redact_tree(item->child);
    }
}

/* The summary file as it is written; e: the errno of the first failure. */
typedef struct {
    FILE *fp;
    int bad, e;
} json_file;

static void put(json_file *f, const char *s, size_t n)
{
    if (f->bad || n == 0)
        return;
    errno = 0;
    if (fwrite(s, 1, n, f->fp) != n) {
        f->bad = 1;
        f->e = errno;
    }
}

/* A value printed on its own, two levels deeper ("\n" -> "\n\t\t"):
 * cJSON's strings hold no raw newline, so this is what cJSON_Print gives
 * for it as an item of an array in the root object (the object and the
 * array each indent one more tab). */
static void put_nested(json_file *f, const char *text)
{
    for (const char *nl; (nl = strchr(text, '\n')) != NULL; text = nl + 1) {
        put(f, text, (size_t)(nl + 1 - text));
        put(f, "\t\t", 2);
    }
    put(f, text, strlen(text));
}

/* "sites": every eligible site in rank order, built, printed and written
 * one at a time, so that listing a million sites takes one site's memory. */
static dcs_status put_sites(json_file *f, const dcs_result *res, dcs_error *err)
{
    static const char head[] = ",\n\t\"sites\":\t[";
    put(f, head, sizeof head - 1);
    for (size_t r = 0; r < res->eval.neligible && !f->bad; r++) {
        cJSON *site = dcs_json_site(res, res->eval.order[r]);
        redact_tree(site);
        char *text = site ? cJSON_Print(site) : NULL;
        cJSON_Delete(site);
        if (!text)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory printing the JSON summary");
        put(f, ", ", r ? 2 : 0);
        put_nested(f, text);
        cJSON_free(text);
    }
    put(f, "]\n}", 3);
    return DCS_OK;
}

/* Flush and close; the first failure of a write, the flush or the close
 * is the error. */
static dcs_status close_file(json_file *f, const char *path, dcs_error *err)
{
    if (fflush(f->fp) != 0 && !f->bad) {
        f->bad = 1;
        f->e = errno;
    }
    if (fclose(f->fp) != 0 && !f->bad) {
        f->bad = 1;
        f->e = errno;
    }
    if (f->bad)
        return dcs_error_set(err, DCS_ERR_IO, "cannot write '%s': %s", path,
                             f->e ? strerror(f->e) : "write error");
    return DCS_OK;
}

/* text (the summary but "sites") and, with outputs.all_sites, "sites" as
 * its last key: text without its closing "\n}", then the array, then
 * "\n}". */
static dcs_status write_summary(const char *path, const char *text, const dcs_result *res,
                                dcs_error *err)
{
    json_file f = {.fp = fopen(path, "wb")};
    if (!f.fp)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    size_t n = strlen(text);
    int all = res->scn->outputs.all_sites && n >= 2 && strcmp(text + n - 2, "\n}") == 0;
    put(&f, text, all ? n - 2 : n);
    dcs_status st = all ? put_sites(&f, res, err) : DCS_OK;
    put(&f, "\n", 1);
    if (st != DCS_OK) {
        fclose(f.fp);
        return st;
    }
    return close_file(&f, path, err);
}

/* The summary's tree, without "sites", into *out. */
static dcs_status summary_tree(const dcs_result *res, const dcs_report_paths *paths,
                               const char *fingerprint, cJSON **out, dcs_error *err)
{
    cJSON *root = *out = cJSON_CreateObject();
    if (!root)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory building the JSON summary");
    add_header(root, res);
    cJSON_AddStringToObject(root, "fingerprint", fingerprint ? fingerprint : "");
    add_inputs(root, res);
    add_counts(root, res);
    add_criteria(root, res);
    dcs_status st = dcs_json_add_fields(root, res, err);
    if (st != DCS_OK) {
        cJSON_Delete(root);
        *out = NULL;
        return st;
    }
    dcs_json_add_ranking(root, res);
    add_warnings(root, res);
    add_energy(root, res);
    dcs_decision_json(root, res);
    add_outputs(root, paths);
    redact_tree(root);
    return DCS_OK;
}

dcs_status dcs_report_json(const dcs_result *res, const dcs_report_paths *paths,
                           const char *fingerprint, const char *tmp, dcs_error *err)
{
    cJSON *root;
    dcs_status st = summary_tree(res, paths, fingerprint, &root, err);
    if (st != DCS_OK)
        return st;
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory printing the JSON summary");
    st = write_summary(tmp, text, res, err);
    cJSON_free(text);
    return st;
}
