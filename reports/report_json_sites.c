/* report_json_sites.c - sites, distinct options, score classes and field
 * meanings in the JSON summary. See report_json_sites.h. */
#include "report_json_sites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "decision/classes.h"
#include "report_common.h"
#include "report_decision.h"
#include "report_fields.h"

cJSON *dcs_json_number(cJSON *obj, const char *key, double v)
{
    return isnan(v) ? cJSON_AddNullToObject(obj, key) : cJSON_AddNumberToObject(obj, key, v);
}

/* obj[key] = text, or null when text is NULL. */
static void add_text(cJSON *obj, const char *key, const char *text)
{
    if (text)
        cJSON_AddStringToObject(obj, key, text);
    else
        cJSON_AddNullToObject(obj, key);
}

/* Every metric of site i as name: value. */
static cJSON *site_metrics(const dcs_result *res, size_t i)
{
    cJSON *m = cJSON_CreateObject();
    for (size_t k = 0; m && k < res->model.nmetrics; k++) {
        const dcs_metric *mt = &res->model.metrics[k];
        if (mt->kind == DCS_NUM)
            dcs_json_number(m, mt->name, dcs_site_num(&res->sites, i)[mt->col]);
        else
            add_text(m, mt->name, dcs_site_text(&res->sites, i)[mt->col]);
    }
    return m;
}

/* Each criterion of site i as name: {value, contribution}. */
static void site_criteria(cJSON *o, const dcs_result *res, size_t i)
{
    cJSON *cr = cJSON_AddObjectToObject(o, "criteria");
    for (size_t c = 0; cr && c < res->model.ncrits; c++) {
        cJSON *v = cJSON_AddObjectToObject(cr, res->model.crits[c].name);
        dcs_json_number(v, "value", dcs_report_value(res, i, c));
        cJSON_AddNumberToObject(v, "contribution", dcs_report_contribution(res, i, c));
    }
}

cJSON *dcs_json_site(const dcs_result *res, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "rank", (double)res->eval.rank[i]);
    cJSON_AddStringToObject(o, "site_id", res->sites.id[i]);
    dcs_json_number(o, "score", res->eval.score[i]);
    dcs_json_number(o, "lon", res->sites.lon[i]);
    dcs_json_number(o, "lat", res->sites.lat[i]);
    dcs_json_number(o, "centroid_lon", res->sites.centroid_lon[i]);
    dcs_json_number(o, "centroid_lat", res->sites.centroid_lat[i]);
    if (res->eval.gaps[i])
        cJSON_AddStringToObject(o, "coverage_gaps", res->eval.gaps[i]);
    dcs_decision_json_site(o, res, i);
    cJSON_AddItemToObject(o, "metrics", site_metrics(res, i));
    site_criteria(o, res, i);
    return o;
}

static void add_top_sites(cJSON *root, const dcs_result *res)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "top_sites");
    size_t top = res->scn->outputs.top_n;
    for (size_t r = 0; arr && r < res->eval.neligible && r < top; r++)
        cJSON_AddItemToArray(arr, dcs_json_site(res, res->eval.order[r]));
}

/* One distinct option: rank, site_id, score, lon/lat and, when grouped by
 * a metric, its group under the metric's own name ("substation_id"). */
static cJSON *distinct_option(const dcs_result *res, size_t i, const char *by)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "rank", (double)res->eval.rank[i]);
    cJSON_AddStringToObject(o, "site_id", res->sites.id[i]);
    dcs_json_number(o, "score", res->eval.score[i]);
    dcs_json_number(o, "lon", res->sites.lon[i]);
    dcs_json_number(o, "lat", res->sites.lat[i]);
    if (by && !cJSON_GetObjectItemCaseSensitive(o, by))
        add_text(o, by, dcs_site_text(&res->sites, i)[res->distinct_col]);
    return o;
}

/* "distinct" {by, min_spacing_km} and "distinct_options", the best site
 * of each distinct place in rank order (decision/distinct.h). */
static void add_distinct(cJSON *root, const dcs_result *res)
{
    const char *by = res->distinct_col >= 0 ? res->scn->outputs.distinct_by : NULL;
    cJSON *d = cJSON_AddObjectToObject(root, "distinct");
    if (d) {
        add_text(d, "by", by);
        cJSON_AddNumberToObject(d, "min_spacing_km", res->scn->outputs.distinct_km);
    }
    cJSON *arr = cJSON_AddArrayToObject(root, "distinct_options");
    for (size_t k = 0; arr && k < res->ndistinct; k++)
        cJSON_AddItemToArray(arr, distinct_option(res, res->distinct[k], by));
}

/* 0xRRGGBB as "#rrggbb". */
static cJSON *colour_string(unsigned rgb)
{
    char hex[16];
    snprintf(hex, sizeof hex, "#%06x", rgb & 0xffffffu);
    return cJSON_CreateString(hex);
}

/* "score_classes": quantile breaks (n + 1, none without a score) and the
 * colour of each of the n classes (decision/classes.h). */
static void add_score_classes(cJSON *root, const dcs_result *res)
{
    const dcs_classes *c = &res->classes;
    cJSON *o = cJSON_AddObjectToObject(root, "score_classes");
    if (!o)
        return;
    cJSON_AddStringToObject(o, "method", "quantile");
    cJSON *breaks = cJSON_AddArrayToObject(o, "breaks");
    for (size_t k = 0; breaks && c->n && k <= c->n; k++)
        cJSON_AddItemToArray(breaks, cJSON_CreateNumber(c->brk[k]));
    cJSON *colours = cJSON_AddArrayToObject(o, "colours");
    for (size_t k = 0; colours && k < c->n; k++)
        cJSON_AddItemToArray(colours, colour_string(c->colour[k]));
    cJSON_AddItemToObject(o, "excluded_colour", colour_string(DCS_CLASS_EXCLUDED));
}

void dcs_json_add_ranking(cJSON *root, const dcs_result *res)
{
    add_top_sites(root, res);
    add_distinct(root, res);
    add_score_classes(root, res);
}

static cJSON *field_object(const dcs_field_info *f)
{
    static const char *const kinds[] = {
        [DCS_FIELD_REAL] = "real", [DCS_FIELD_INTEGER] = "integer", [DCS_FIELD_TEXT] = "text"};
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "name", f->name);
    cJSON_AddStringToObject(o, "title", f->title);
    cJSON_AddStringToObject(o, "unit", f->unit ? f->unit : "");
    cJSON_AddStringToObject(o, "type", kinds[f->kind]);
    cJSON_AddStringToObject(o, "better", dcs_better_name(f->better));
    cJSON_AddStringToObject(o, "source", f->source);
    cJSON_AddStringToObject(o, "meaning", f->meaning);
    return o;
}

dcs_status dcs_json_add_fields(cJSON *root, const dcs_result *res, dcs_error *err)
{
    size_t n;
    dcs_field_info *f = dcs_report_fields(res, &n);
    if (!f)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory listing the report fields");
    cJSON *units = cJSON_AddObjectToObject(root, "units");
    cJSON *arr = cJSON_AddArrayToObject(root, "fields");
    for (size_t k = 0; units && arr && k < n; k++) {
        if (!cJSON_GetObjectItemCaseSensitive(units, f[k].name))
            cJSON_AddStringToObject(units, f[k].name, f[k].unit ? f[k].unit : "");
        cJSON_AddItemToArray(arr, field_object(&f[k]));
    }
    free(f);
    return DCS_OK;
}
