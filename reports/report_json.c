/* report_json.c - the JSON run summary (cJSON). See report_json.h.
 *
 * Layout (the field names are a contract for pipelines; see docs/outputs.md):
 *   dcsite_version, libraries, scenario{name,file,description}, fingerprint,
 *   run{started_utc,seconds,working_crs}, facility{...},
 *   inputs[], counts{candidates,eligible,excluded,excluded_by_rule{}},
 *   criteria[], top_sites[], warnings[], outputs{}
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_json.h"
#include "report_decision.h"
#include "inputs/dsn.h"
#include "decision/mcda.h"
#include "core/version.h"

/* cJSON numbers cannot be NaN: missing values are null. */
static cJSON *add_number(cJSON *obj, const char *key, double v)
{
    return isnan(v) ? cJSON_AddNullToObject(obj, key) : cJSON_AddNumberToObject(obj, key, v);
}

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
    cJSON_AddNumberToObject(subs, "min_headroom_mw", res->peak_mw);
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

/* Every metric of site i as name: value. */
static cJSON *site_metrics(const dcs_result *res, size_t i)
{
    cJSON *m = cJSON_CreateObject();
    for (size_t k = 0; m && k < res->model.nmetrics; k++) {
        const dcs_metric *mt = &res->model.metrics[k];
        if (mt->kind == DCS_NUM) {
            add_number(m, mt->name, dcs_site_num(&res->sites, i)[mt->col]);
        } else {
            const char *t = dcs_site_text(&res->sites, i)[mt->col];
            if (t)
                cJSON_AddStringToObject(m, mt->name, t);
            else
                cJSON_AddNullToObject(m, mt->name);
        }
    }
    return m;
}

static cJSON *site_object(const dcs_result *res, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "rank", (double)res->eval.rank[i]);
    cJSON_AddStringToObject(o, "site_id", res->sites.id[i]);
    add_number(o, "score", res->eval.score[i]);
    add_number(o, "lon", res->sites.lon[i]);
    add_number(o, "lat", res->sites.lat[i]);
    if (res->eval.gaps[i])
        cJSON_AddStringToObject(o, "coverage_gaps", res->eval.gaps[i]);
    dcs_decision_json_site(o, res, i);
    cJSON_AddItemToObject(o, "metrics", site_metrics(res, i));
    cJSON *cr = cJSON_AddObjectToObject(o, "criteria");
    for (size_t c = 0; cr && c < res->model.ncrits; c++) {
        cJSON *v = cJSON_AddObjectToObject(cr, res->model.crits[c].name);
        add_number(v, "value", dcs_report_value(res, i, c));
        cJSON_AddNumberToObject(v, "contribution", dcs_report_contribution(res, i, c));
    }
    return o;
}

static void add_sites(cJSON *root, const dcs_result *res)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "top_sites");
    size_t top = res->scn->outputs.top_n;
    for (size_t r = 0; arr && r < res->eval.neligible && r < top; r++)
        cJSON_AddItemToArray(arr, site_object(res, res->eval.order[r]));
    cJSON *w = cJSON_AddArrayToObject(root, "warnings");
    for (size_t i = 0; w && i < res->warnings.count; i++) {
        const dcs_warning *x = &res->warnings.items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", dcs_warning_code_name(x->code));
        if (x->layer)
            cJSON_AddStringToObject(o, "layer", x->layer);
        else
            cJSON_AddNullToObject(o, "layer");
        cJSON_AddStringToObject(o, "message", x->message);
        cJSON_AddStringToObject(o, "plain", dcs_warning_text(x));
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
    add_number(o, "wue_l_kwh", e->wue_l_kwh);
    cJSON_AddNumberToObject(o, "peak_day_water_m3", e->peak_day_water_m3);
    cJSON_AddNumberToObject(o, "free_hours", e->mode_hours[DCS_MODE_FREE]);
    cJSON_AddNumberToObject(o, "partial_hours", e->mode_hours[DCS_MODE_PARTIAL]);
    cJSON_AddNumberToObject(o, "mechanical_hours", e->mode_hours[DCS_MODE_MECHANICAL]);
    cJSON *months = cJSON_AddArrayToObject(o, "monthly");
    for (int m = 0; months && m < 12; m++) {
        cJSON *mo = cJSON_CreateObject();
        cJSON_AddItemToArray(months, mo);
        cJSON_AddNumberToObject(mo, "month", m + 1);
        cJSON_AddNumberToObject(mo, "energy_mwh", e->month_energy_mwh[m]);
        cJSON_AddNumberToObject(mo, "water_m3", e->month_water_m3[m]);
        add_number(mo, "pue", dcs_energy_month_pue(e, m));
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
    if (paths->json[0])
        cJSON_AddStringToObject(o, "json", paths->json);
}

static dcs_status write_text(const char *path, const char *text, dcs_error *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    size_t n = strlen(text);
    /* e: the errno of the first call that failed */
    errno = 0;
    int bad = fwrite(text, 1, n, fp) != n || fputc('\n', fp) == EOF;
    int e = bad ? errno : 0;
    if (fflush(fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad)
        return dcs_error_set(err, DCS_ERR_IO, "cannot write '%s': %s", path,
                             e ? strerror(e) : "write error");
    return DCS_OK;
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

dcs_status dcs_report_json(const dcs_result *res, const dcs_report_paths *paths,
                           const char *fingerprint, const char *tmp, dcs_error *err)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory building the JSON summary");
    add_header(root, res);
    cJSON_AddStringToObject(root, "fingerprint", fingerprint ? fingerprint : "");
    add_inputs(root, res);
    add_counts(root, res);
    add_criteria(root, res);
    add_sites(root, res);
    add_energy(root, res);
    dcs_decision_json(root, res);
    add_outputs(root, paths);
    redact_tree(root);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory printing the JSON summary");
    dcs_status st = write_text(tmp, text, err);
    cJSON_free(text);
    return st;
}
