/* batch_report.c - a batch's comparison JSON and workbook. See batch_report.h. */
#include "batch_report.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/version.h"
#include "report_html.h"

static const char *const key_metrics[] = {"pue_annual",          "energy_mwh_yr",
                                          "water_m3_yr",         "co2_t_yr",
                                          "cost_usd_per_mwh_it", "substation_km",
                                          "interconnect_cost_musd"};
#define NKEY (sizeof key_metrics / sizeof key_metrics[0])
enum { TOP = 10 };

const char *dcs_batch_status_name(dcs_batch_status st)
{
    return st == DCS_BATCH_RAN ? "ran" : st == DCS_BATCH_SKIPPED ? "skipped" : "failed";
}

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

static const cJSON *item(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static cJSON *copy_or_null(const cJSON *v)
{
    return v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
}

/* What the comparison keeps of one scenario's JSON summary. */
static void add_results(cJSON *o, const cJSON *summary)
{
    const cJSON *counts = item(summary, "counts"), *top = item(summary, "top_sites");
    const cJSON *first = cJSON_GetArrayItem(top, 0);
    cJSON_AddItemToObject(o, "fingerprint", copy_or_null(item(summary, "fingerprint")));
    cJSON_AddItemToObject(o, "candidates", copy_or_null(item(counts, "candidates")));
    cJSON_AddItemToObject(o, "eligible", copy_or_null(item(counts, "eligible")));
    cJSON_AddItemToObject(o, "excluded", copy_or_null(item(counts, "excluded")));
    cJSON_AddItemToObject(o, "top_site", copy_or_null(item(first, "site_id")));
    cJSON_AddItemToObject(o, "top_score", copy_or_null(item(first, "score")));
    const cJSON *html = item(item(summary, "outputs"), "html");
    if (cJSON_IsString(html))
        cJSON_AddStringToObject(o, "html", html->valuestring);
    cJSON *km = cJSON_AddObjectToObject(o, "top_metrics");
    const cJSON *metrics = item(first, "metrics");
    for (size_t k = 0; k < NKEY; k++)
        cJSON_AddItemToObject(km, key_metrics[k], copy_or_null(item(metrics, key_metrics[k])));
    cJSON *arr = cJSON_AddArrayToObject(o, "top10");
    const cJSON *s;
    int n = 0;
    cJSON_ArrayForEach(s, top)
    {
        if (n++ == TOP)
            break;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        cJSON_AddItemToObject(e, "rank", copy_or_null(item(s, "rank")));
        cJSON_AddItemToObject(e, "site_id", copy_or_null(item(s, "site_id")));
        cJSON_AddItemToObject(e, "score", copy_or_null(item(s, "score")));
    }
}

static cJSON *scenario_entry(const dcs_batch_item *it)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "scenario", it->scenario);
    cJSON_AddStringToObject(o, "name", it->name);
    cJSON_AddStringToObject(o, "status", dcs_batch_status_name(it->status));
    if (it->status == DCS_BATCH_FAILED) {
        cJSON_AddStringToObject(o, "error", it->message);
        return o;
    }
    cJSON_AddStringToObject(o, "outdir", it->outdir);
    cJSON *summary = read_json(it->json);
    if (summary)
        add_results(o, summary);
    else
        cJSON_AddStringToObject(o, "error", "its JSON summary cannot be read");
    cJSON_Delete(summary);
    return o;
}

static cJSON *comparison(const dcs_batch_item *items, size_t n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "dcsite_version", DCS_VERSION);
    size_t count[3] = {0, 0, 0};
    cJSON *arr = cJSON_AddArrayToObject(root, "scenarios");
    for (size_t i = 0; i < n; i++) {
        count[items[i].status]++;
        cJSON_AddItemToArray(arr, scenario_entry(&items[i]));
    }
    cJSON *c = cJSON_AddObjectToObject(root, "counts");
    for (int s = 0; s < 3; s++)
        cJSON_AddNumberToObject(c, dcs_batch_status_name((dcs_batch_status)s), (double)count[s]);
    return root;
}

static dcs_status write_text(const char *path, const char *text, dcs_error *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, fp) != n || fputc('\n', fp) == EOF;
    bad |= fclose(fp) != 0;
    if (bad)
        return dcs_error_set(err, DCS_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    return DCS_OK;
}

/* ---- index page --------------------------------------------------------------- */

/* path as an href relative to outdir when it lies inside it (else as
 * given), percent-encoding every byte but unreserved ones and '/', then
 * HTML-escaped by the caller's dcs_html_text() (nothing left to escape). */
static void put_href(FILE *fp, const char *outdir, const char *path)
{
    size_t n = strlen(outdir);
    while (n > 1 && outdir[n - 1] == '/')
        n--;
    if (strncmp(path, outdir, n) == 0 && path[n] == '/')
        path += n + 1;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (isalnum(*p) || strchr("-._~/", *p))
            fputc(*p, fp);
        else
            fprintf(fp, "%%%02X", *p);
    }
}

static void put_cell(FILE *fp, const cJSON *v, int score)
{
    fputs(score ? "<td class=\"num\">" : "<td>", fp);
    if (cJSON_IsString(v))
        dcs_html_text(fp, v->valuestring);
    else if (cJSON_IsNumber(v))
        fprintf(fp, score ? "%.4f" : "%.0f", v->valuedouble);
    fputs("</td>", fp);
}

/* One row: the scenario's name linked to its HTML report (its JSON
 * summary when it has none), status, counts, top site and score. */
static void index_row(FILE *fp, const cJSON *e, const char *outdir)
{
    const cJSON *html = item(e, "html"), *od = item(e, "outdir"), *name = item(e, "name");
    char json[DCS_PATH_MAX];
    fputs("<tr><td>", fp);
    const char *target = cJSON_IsString(html) ? html->valuestring : NULL;
    if (!target && cJSON_IsString(od) && cJSON_IsString(name)) {
        snprintf(json, sizeof json, "%s/%s.json", od->valuestring, name->valuestring);
        target = json;
    }
    if (target) {
        fputs("<a href=\"", fp);
        put_href(fp, outdir, target);
        fputs("\">", fp);
    }
    dcs_html_text(fp, cJSON_IsString(name) && *name->valuestring ? name->valuestring
                                                                 : item(e, "scenario")->valuestring);
    fputs(target ? "</a></td>" : "</td>", fp);
    put_cell(fp, item(e, "scenario"), 0);
    put_cell(fp, item(e, "status"), 0);
    put_cell(fp, item(e, "candidates"), 0);
    put_cell(fp, item(e, "eligible"), 0);
    put_cell(fp, item(e, "top_site"), 0);
    put_cell(fp, item(e, "top_score"), 1);
    put_cell(fp, item(e, "error"), 0);
    fputs("</tr>\n", fp);
}

/* outdir/index.html: a page linking each scenario's report. */
static dcs_status write_index(const cJSON *root, const char *outdir, const char *path,
                              dcs_error *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<title>dcsite batch</title>\n<style>body{font:14px/1.4 \"DejaVu Sans\",Arial,"
          "sans-serif;margin:16px}table{border-collapse:collapse}td,th{padding:3px 8px;"
          "border-bottom:1px solid #ddd;text-align:left}td.num{text-align:right}</style>\n"
          "</head>\n<body>\n<h1>dcsite batch</h1>\n<p>Each scenario's web map report "
          "(its JSON summary when it wrote none: set outputs.html). Compared in "
          "<a href=\"batch.xlsx\">batch.xlsx</a> and <a href=\"batch.json\">batch.json</a>."
          "</p>\n<table>\n<tr><th>Scenario</th><th>File</th><th>Status</th><th>Candidates</th>"
          "<th>Eligible</th><th>Top site</th><th>Top score</th><th>Error</th></tr>\n",
          fp);
    const cJSON *e;
    cJSON_ArrayForEach(e, item(root, "scenarios")) index_row(fp, e, outdir);
    fputs("</table>\n<p>dcsite " DCS_VERSION "</p>\n</body>\n</html>\n", fp);
    int bad = ferror(fp);
    bad |= fclose(fp) != 0;
    if (bad)
        return dcs_error_set(err, DCS_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    return DCS_OK;
}

/* ---- workbook ----------------------------------------------------------------- */

static void cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const cJSON *v, lxw_format *num)
{
    if (cJSON_IsNumber(v))
        worksheet_write_number(ws, r, c, v->valuedouble, num);
    else if (cJSON_IsString(v))
        worksheet_write_string(ws, r, c, v->valuestring, NULL);
}

static void comparison_sheet(lxw_workbook *wb, const cJSON *root, lxw_format *bold,
                             lxw_format *num)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Comparison");
    static const char *const head[] = {"scenario", "file", "status", "candidates", "eligible",
                                       "excluded", "top site", "top score"};
    enum { NHEAD = sizeof head / sizeof head[0] };
    for (lxw_col_t c = 0; c < NHEAD; c++)
        worksheet_write_string(ws, 0, c, head[c], bold);
    for (size_t k = 0; k < NKEY; k++)
        worksheet_write_string(ws, 0, (lxw_col_t)(NHEAD + k), key_metrics[k], bold);
    worksheet_write_string(ws, 0, (lxw_col_t)(NHEAD + NKEY), "fingerprint / error", bold);
    const cJSON *s;
    lxw_row_t r = 1;
    cJSON_ArrayForEach(s, item(root, "scenarios"))
    {
        static const char *const keys[] = {"name", "scenario", "status", "candidates",
                                           "eligible", "excluded", "top_site", "top_score"};
        for (lxw_col_t c = 0; c < NHEAD; c++)
            cell(ws, r, c, item(s, keys[c]), num);
        for (size_t k = 0; k < NKEY; k++)
            cell(ws, r, (lxw_col_t)(NHEAD + k), item(item(s, "top_metrics"), key_metrics[k]), num);
        const cJSON *last = item(s, "error") ? item(s, "error") : item(s, "fingerprint");
        cell(ws, r, (lxw_col_t)(NHEAD + NKEY), last, NULL);
        r++;
    }
    worksheet_set_column(ws, 0, 2, 22, NULL);
    worksheet_set_column(ws, 3, (lxw_col_t)(NHEAD + NKEY - 1), 14, NULL);
    worksheet_freeze_panes(ws, 1, 1);
}

static void top_sheet(lxw_workbook *wb, const cJSON *root, lxw_format *bold, lxw_format *num)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Top 10");
    static const char *const head[] = {"scenario", "rank", "site", "score"};
    for (lxw_col_t c = 0; c < 4; c++)
        worksheet_write_string(ws, 0, c, head[c], bold);
    const cJSON *s, *t;
    lxw_row_t r = 1;
    cJSON_ArrayForEach(s, item(root, "scenarios"))
    {
        cJSON_ArrayForEach(t, item(s, "top10"))
        {
            cell(ws, r, 0, item(s, "name"), NULL);
            cell(ws, r, 1, item(t, "rank"), NULL);
            cell(ws, r, 2, item(t, "site_id"), NULL);
            cell(ws, r, 3, item(t, "score"), num);
            r++;
        }
    }
    worksheet_set_column(ws, 0, 0, 22, NULL);
    worksheet_set_column(ws, 2, 2, 18, NULL);
    worksheet_freeze_panes(ws, 1, 0);
}

static dcs_status write_xlsx(const cJSON *root, const char *path, dcs_error *err)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create workbook '%s'", path);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *num = workbook_add_format(wb);
    format_set_num_format(num, "#,##0.0000");
    comparison_sheet(wb, root, bold, num);
    top_sheet(wb, root, bold, num);
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR)
        return dcs_error_set(err, DCS_ERR_IO, "cannot write workbook '%s': %s", path,
                             lxw_strerror(e));
    return DCS_OK;
}

dcs_status dcs_batch_report(const dcs_batch_item *items, size_t n, const char *outdir,
                            char json[DCS_PATH_MAX], char xlsx[DCS_PATH_MAX],
                            char html[DCS_PATH_MAX], dcs_error *err)
{
    char tmp_json[DCS_PATH_MAX], tmp_xlsx[DCS_PATH_MAX], tmp_html[DCS_PATH_MAX];
    dcs_output_paths(outdir, "batch", "json", json, tmp_json);
    dcs_output_paths(outdir, "batch", "xlsx", xlsx, tmp_xlsx);
    dcs_output_paths(outdir, "index", "html", html, tmp_html);
    cJSON *root = comparison(items, n);
    char *text = root ? cJSON_Print(root) : NULL;
    dcs_status st = text ? dcs_output_dir(outdir, err)
                         : dcs_error_set(err, DCS_ERR_NOMEM, "out of memory comparing the batch");
    dcs_output_begin(tmp_json);
    dcs_output_begin(tmp_xlsx);
    dcs_output_begin(tmp_html);
    if (st == DCS_OK)
        st = write_text(tmp_json, text, err);
    if (st == DCS_OK)
        st = write_xlsx(root, tmp_xlsx, err);
    dcs_commit_set set = {.items = NULL, .n = 0, .cap = 0, .blocked = 0};
    if (st == DCS_OK)
        st = write_index(root, outdir, tmp_html, err);
    if (st == DCS_OK)
        st = dcs_commit_add(&set, tmp_xlsx, xlsx, err);
    if (st == DCS_OK)
        st = dcs_commit_add(&set, tmp_html, html, err);
    if (st == DCS_OK)
        st = dcs_commit_add(&set, tmp_json, json, err);
    if (st == DCS_OK && (st = dcs_commit_run(&set, err)) == DCS_OK) /* all or none */
        dcs_commit_finish(&set);
    dcs_commit_free(&set);
    if (st != DCS_OK) {
        dcs_output_discard(tmp_json);
        dcs_output_discard(tmp_xlsx);
        dcs_output_discard(tmp_html);
    }
    cJSON_free(text);
    cJSON_Delete(root);
    return st;
}
