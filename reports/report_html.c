/* report_html.c - the web map report. See report_html.h.
 *
 * The page, in order: the head (title, Leaflet's style sheet, the report's
 * style sheet), the header (name and description), the map and the side
 * panel (filled by the script), the footer (credits, fingerprint), then
 * Leaflet's script, the data (<script id="dcs-data"
 * type="application/json">) and the report's script, which reads the data
 * and builds the map, the legend, the filters and the table.
 *
 * The sites are listed excluded first, then the eligible ones from the
 * lowest score up (the map picture's drawing order: better sites are drawn
 * over worse ones).  Numbers: scores and metric values with 6 significant
 * digits, criterion values with 4 (popups and table show 3 decimals), null
 * for NaN or infinite.  Geometry is written from GEOS directly (points,
 * polygons, multipolygons), each site's coordinates transformed in one
 * OCTTransform() call. */
#include "report_html.h"

#include <errno.h>
#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ogr_srs_api.h>

#include "core/version.h"
#include "decision/evaluate.h"
#include "report_common.h"
#include "web_assets.h"

/* ------------------------------------------------------------ escaping */

void dcs_html_text(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&#39;", fp); break;
        default: fputc(*s, fp);
        }
    }
}

/* The length (2 to 4) of the valid UTF-8 sequence at s, its code point in
 * *cp; 0 when s does not start one (overlong, surrogate, beyond U+10FFFF,
 * cut short). */
static int utf8_seq(const unsigned char *s, unsigned *cp)
{
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || s[0] > 0xf4)
        return 0;
    unsigned c = s[0] & (0x7f >> n);
    for (int k = 1; k < n; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[k] & 0x3f);
    }
    if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

void dcs_html_json_string(FILE *fp, const char *s)
{
    if (!s) {
        fputs("null", fp);
        return;
    }
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp;
        int n;
        if (*p == '"' || *p == '\\') {
            fprintf(fp, "\\%c", *p++);
        } else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
            fprintf(fp, "\\u%04x", *p++);
        } else if (*p < 0x80) {
            fputc(*p++, fp);
        } else if ((n = utf8_seq(p, &cp)) == 0) {
            fputs("\\ufffd", fp);
            p++;
        } else if (cp == 0x2028 || cp == 0x2029) {
            fprintf(fp, "\\u%04x", cp);
            p += n;
        } else {
            fwrite(p, 1, (size_t)n, fp);
            p += n;
        }
    }
    fputc('"', fp);
}

/* ------------------------------------------------------------- writing */

/* Coordinate buffers of one site (grown as needed). */
typedef struct {
    double *x, *y;
    size_t cap;
} coord_buf;

typedef struct {
    FILE *fp;
    const dcs_result *res;
    GEOSContextHandle_t geos;
    dcs_error *err;
    dcs_status st;
    coord_buf buf;
} html_writer;

static void num(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.6g", v);
    else
        fputs("null", fp);
}

static void key_str(FILE *fp, const char *key, const char *s)
{
    fprintf(fp, "\"%s\":", key);
    dcs_html_json_string(fp, s);
}

static const char *op_name(const dcs_rule *rule)
{
    if (rule->context >= 0)
        return "coverage";
    switch (rule->op) {
    case DCS_OP_MIN: return "min";
    case DCS_OP_MAX: return "max";
    case DCS_OP_IN: return "in";
    case DCS_OP_NOT_IN: return "not_in";
    case DCS_OP_EMPTY: return "empty";
    }
    return "";
}

/* Site i's value of metric m: a number, a string or null. */
static void metric_value(FILE *fp, const dcs_result *res, size_t m, size_t i)
{
    const dcs_metric *mt = &res->model.metrics[m];
    if (mt->kind == DCS_NUM)
        num(fp, dcs_site_num(&res->sites, i)[mt->col]);
    else
        dcs_html_json_string(fp, dcs_site_text(&res->sites, i)[mt->col]);
}

static void write_classes(FILE *fp, const dcs_result *res)
{
    const dcs_classes *c = &res->classes;
    fputs("\"classes\":{\"method\":\"quantile\",\"breaks\":[", fp);
    for (size_t k = 0; c->n && k <= c->n; k++) {
        fputs(k ? "," : "", fp);
        num(fp, c->brk[k]);
    }
    fputs("],\"colours\":[", fp);
    for (size_t k = 0; k < c->n; k++)
        fprintf(fp, "%s\"#%06x\"", k ? "," : "", c->colour[k] & 0xffffffu);
    fprintf(fp, "],\"excluded\":\"#%06x\",\"eligible\":\"#%06x\"}", DCS_CLASS_EXCLUDED,
            DCS_CLASS_ELIGIBLE);
}

static void write_criteria(FILE *fp, const dcs_result *res)
{
    fputs("\"criteria\":[", fp);
    for (size_t c = 0; c < res->model.ncrits; c++) {
        const dcs_crit *cr = &res->model.crits[c];
        const dcs_metric *m = &res->model.metrics[cr->metric];
        fputs(c ? ",{" : "{", fp);
        key_str(fp, "name", cr->name);
        fputc(',', fp);
        key_str(fp, "metric", m->name);
        fputc(',', fp);
        key_str(fp, "unit", m->unit);
        fputs(",\"weight\":", fp);
        num(fp, cr->weight);
        fputc('}', fp);
    }
    fputc(']', fp);
}

static void write_rules(FILE *fp, const dcs_result *res)
{
    fputs("\"rules\":[", fp);
    for (size_t r = 0; r < res->model.nrules; r++) {
        const dcs_rule *rule = &res->model.rules[r];
        char label[128];
        dcs_rule_label(rule, label, sizeof label);
        fputs(r ? ",{" : "{", fp);
        key_str(fp, "name", label);
        fputc(',', fp);
        key_str(fp, "op", op_name(rule));
        int coverage = rule->context >= 0;
        const dcs_metric *m = coverage ? NULL : &res->model.metrics[rule->metric];
        fputc(',', fp);
        key_str(fp, "metric", m ? m->name : NULL);
        fputc(',', fp);
        key_str(fp, "unit", m ? m->unit : NULL);
        fputs(",\"limit\":", fp);
        num(fp, !coverage && (rule->op == DCS_OP_MIN || rule->op == DCS_OP_MAX) ? rule->limit
                                                                              : NAN);
        fputs(",\"set\":[", fp);
        for (size_t k = 0; !coverage && k < rule->nset; k++) {
            fputs(k ? "," : "", fp);
            dcs_html_json_string(fp, rule->set[k]);
        }
        fprintf(fp, "],\"sites\":%zu}", res->eval.rule_fails[r]);
    }
    fputc(']', fp);
}

/* The n points of seq, transformed to lon/lat, as "[[lon,lat],...]"
 * rounded to DCS_HTML_DECIMALS; 0 when the transformation fails. */
static int write_seq(html_writer *w, const GEOSCoordSequence *seq, int point)
{
    unsigned n = 0;
    if (!GEOSCoordSeq_getSize_r(w->geos, seq, &n))
        return 0;
    if (n > w->buf.cap) {
        size_t cap = n * 2;
        double *x = realloc(w->buf.x, cap * sizeof *x), *y = x ? realloc(w->buf.y, cap * sizeof *y)
                                                             : NULL;
        if (x)
            w->buf.x = x;
        if (y)
            w->buf.y = y;
        if (!x || !y)
            return 0;
        w->buf.cap = cap;
    }
    for (unsigned k = 0; k < n; k++)
        if (!GEOSCoordSeq_getXY_r(w->geos, seq, k, &w->buf.x[k], &w->buf.y[k]))
            return 0;
    if (n && !OCTTransform(w->res->crs.work_to_lonlat, (int)n, w->buf.x, w->buf.y, NULL))
        return 0;
    fputs(point ? "" : "[", w->fp);
    for (unsigned k = 0; k < n; k++)
        fprintf(w->fp, "%s[%.*f,%.*f]", k ? "," : "", DCS_HTML_DECIMALS, w->buf.x[k],
                DCS_HTML_DECIMALS, w->buf.y[k]);
    fputs(point ? "" : "]", w->fp);
    return 1;
}

/* A polygon's rings: "[[...],[...]]". */
static int write_rings(html_writer *w, const GEOSGeometry *poly)
{
    int holes = GEOSGetNumInteriorRings_r(w->geos, poly);
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(w->geos, poly);
    int ok = ring && holes >= 0;
    fputc('[', w->fp);
    for (int k = -1; ok && k < holes; k++) {
        ring = k < 0 ? ring : GEOSGetInteriorRingN_r(w->geos, poly, k);
        fputs(k >= 0 ? "," : "", w->fp);
        ok = ring && write_seq(w, GEOSGeom_getCoordSeq_r(w->geos, ring), 0);
    }
    fputc(']', w->fp);
    return ok;
}

/* g (a Point, Polygon or MultiPolygon in the working CRS) as a GeoJSON
 * geometry in lon/lat; 0 for another type or when it cannot be written. */
static int write_geojson(html_writer *w, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(w->geos, g);
    if (type == GEOS_POINT && !GEOSisEmpty_r(w->geos, g)) {
        fputs("{\"type\":\"Point\",\"coordinates\":", w->fp);
        int ok = write_seq(w, GEOSGeom_getCoordSeq_r(w->geos, g), 1);
        fputc('}', w->fp);
        return ok;
    }
    if (type == GEOS_POLYGON && !GEOSisEmpty_r(w->geos, g)) {
        fputs("{\"type\":\"Polygon\",\"coordinates\":", w->fp);
        int ok = write_rings(w, g);
        fputc('}', w->fp);
        return ok;
    }
    if (type != GEOS_MULTIPOLYGON || GEOSisEmpty_r(w->geos, g))
        return 0;
    int n = GEOSGetNumGeometries_r(w->geos, g), ok = n > 0;
    fputs("{\"type\":\"MultiPolygon\",\"coordinates\":[", w->fp);
    for (int k = 0; ok && k < n; k++) {
        fputs(k ? "," : "", w->fp);
        ok = write_rings(w, GEOSGetGeometryN_r(w->geos, g, k));
    }
    fputs("]}", w->fp);
    return ok;
}

/* Site i's geometry as GeoJSON in lon/lat: simplified in the working CRS,
 * transformed, rounded (null, and the report fails, when it cannot be). */
static void write_geometry(html_writer *w, size_t i)
{
    const dcs_result *res = w->res;
    GEOSGeometry *g = dcs_site_geometry(&res->sites, i, w->geos);
    GEOSGeometry *s = g && dcs_site_is_polygon(&res->sites, i)
                          ? GEOSTopologyPreserveSimplify_r(w->geos, g, DCS_HTML_SIMPLIFY_M)
                          : NULL;
    int ok = g && write_geojson(w, s ? s : g);
    if (!ok) {
        fputs("null", w->fp);
        if (w->st == DCS_OK)
            w->st = dcs_error_set(w->err, g ? DCS_ERR_DATA : DCS_ERR_NOMEM,
                                  "HTML report: the geometry of site '%s' cannot be written in "
                                  "longitude and latitude (the web map takes points, polygons "
                                  "and multipolygons)", res->sites.id[i]);
    }
    if (s)
        GEOSGeom_destroy_r(w->geos, s);
    if (g)
        GEOSGeom_destroy_r(w->geos, g);
}

/* "failed" (nearly = 0) or "nearly" (1): [[rule, value], ...] of site i. */
static void write_rule_hits(FILE *fp, const dcs_result *res, size_t i, int nearly)
{
    const dcs_model *mod = &res->model;
    size_t n = 0;
    fprintf(fp, ",\"%s\":[", nearly ? "nearly" : "failed");
    for (size_t r = 0; r < mod->nrules; r++) {
        const dcs_rule *rule = &mod->rules[r];
        int coverage = rule->context >= 0;
        const dcs_metric *m = coverage ? NULL : &mod->metrics[rule->metric];
        int hit;
        if (!nearly)
            hit = res->eval.failed[i * mod->nrules + r];
        else
            hit = m && m->kind == DCS_NUM && !res->eval.failed[i * mod->nrules + r] &&
                  dcs_report_nearly(rule, dcs_site_num(&res->sites, i)[m->col]);
        if (!hit)
            continue;
        fprintf(fp, "%s[%zu,", n++ ? "," : "", r);
        if (m)
            metric_value(fp, res, rule->metric, i);
        else
            fputs("null", fp);
        fputc(']', fp);
    }
    fputc(']', fp);
}

static void write_site(html_writer *w, size_t i, int first)
{
    FILE *fp = w->fp;
    const dcs_result *res = w->res;
    fputs(first ? "\n{\"type\":\"Feature\",\"geometry\":" : ",\n{\"type\":\"Feature\",\"geometry\":",
          fp);
    write_geometry(w, i);
    fputs(",\"properties\":{", fp);
    key_str(fp, "id", res->sites.id[i]);
    fprintf(fp, ",\"rank\":%zu,\"score\":", res->eval.rank[i]);
    num(fp, res->eval.score[i]);
    fprintf(fp, ",\"class\":%d,\"at\":[", res->eval.eligible[i]
                                              ? dcs_class_of(&res->classes, res->eval.score[i])
                                              : -1);
    fprintf(fp, "%.*f,%.*f]", DCS_HTML_DECIMALS, res->sites.lon[i], DCS_HTML_DECIMALS,
            res->sites.lat[i]);
    fputs(",\"values\":[", fp);
    for (size_t c = 0; c < res->model.ncrits; c++) {
        double v = dcs_report_value(res, i, c);
        if (isfinite(v))
            fprintf(fp, "%s%.4g", c ? "," : "", v);
        else
            fputs(c ? ",null" : "null", fp);
    }
    fputs("],\"metrics\":[", fp);
    for (size_t c = 0; c < res->model.ncrits; c++) {
        fputs(c ? "," : "", fp);
        metric_value(fp, res, res->model.crits[c].metric, i);
    }
    fputc(']', fp);
    write_rule_hits(fp, res, i, 0);
    write_rule_hits(fp, res, i, 1);
    if (res->eval.gaps[i]) {
        fputc(',', fp);
        key_str(fp, "gaps", res->eval.gaps[i]);
    }
    fputs("}}", fp);
}

/* The sites: excluded first, then eligible from the lowest score up. */
static void write_sites(html_writer *w)
{
    const dcs_result *res = w->res;
    int first = 1;
    fputs("\"sites\":{\"type\":\"FeatureCollection\",\"features\":[", w->fp);
    for (size_t i = 0; w->st == DCS_OK && i < res->sites.n; i++)
        if (!res->eval.eligible[i]) {
            write_site(w, i, first);
            first = 0;
        }
    for (size_t r = res->eval.neligible; w->st == DCS_OK && r > 0; r--) {
        write_site(w, res->eval.order[r - 1], first);
        first = 0;
    }
    fputs("]}", w->fp);
}

static void write_data(html_writer *w, const char *fingerprint)
{
    FILE *fp = w->fp;
    const dcs_result *res = w->res;
    const dcs_scenario *scn = res->scn;
    fputs("{", fp);
    key_str(fp, "name", scn->name);
    fputc(',', fp);
    key_str(fp, "description", scn->description);
    fputc(',', fp);
    key_str(fp, "attribution", scn->outputs.attribution);
    fputc(',', fp);
    key_str(fp, "crs", res->crs.name);
    fputc(',', fp);
    key_str(fp, "fingerprint", fingerprint);
    fputc(',', fp);
    key_str(fp, "started_utc", res->started_utc);
    fputc(',', fp);
    key_str(fp, "dcsite_version", DCS_VERSION);
    fputc(',', fp);
    key_str(fp, "basemap", scn->outputs.html_basemap);
    fputc(',', fp);
    key_str(fp, "basemap_attribution", scn->outputs.html_basemap_attribution);
    fprintf(fp, ",\"top_n\":%zu,\"simplify_m\":%g,\"decimals\":%d,\"nearly\":%g,", scn->outputs.top_n,
            DCS_HTML_SIMPLIFY_M, DCS_HTML_DECIMALS, DCS_REPORT_NEARLY);
    fprintf(fp, "\"counts\":{\"candidates\":%zu,\"eligible\":%zu,\"excluded\":%zu},\n",
            res->sites.n, res->eval.neligible, res->sites.n - res->eval.neligible);
    write_classes(fp, res);
    fputs(",\n", fp);
    write_criteria(fp, res);
    fputs(",\n", fp);
    write_rules(fp, res);
    fputs(",\n", fp);
    write_sites(w);
    fputs("}", fp);
}

static void write_head(FILE *fp, const dcs_scenario *scn)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"dcsite " DCS_VERSION "\">\n<title>",
          fp);
    dcs_html_text(fp, scn->name);
    fputs(" - dcsite site ranking</title>\n<style>\n", fp);
    fwrite(dcs_web_leaflet_css, 1, dcs_web_leaflet_css_len, fp);
    fputs("\n</style>\n<style>\n", fp);
    fwrite(dcs_web_report_css, 1, dcs_web_report_css_len, fp);
    fputs("\n</style>\n</head>\n", fp);
}

static void write_body(FILE *fp, const dcs_result *res, const char *fingerprint)
{
    const dcs_scenario *scn = res->scn;
    fputs("<body>\n<header id=\"head\"><h1>", fp);
    dcs_html_text(fp, scn->name);
    fputs("</h1><p id=\"description\">", fp);
    dcs_html_text(fp, scn->description);
    fputs("</p></header>\n<main id=\"main\">\n"
          "<div id=\"map\" aria-label=\"Map of the candidate sites\"></div>\n"
          "<aside id=\"side\"><section id=\"legend\"></section><section id=\"filters\">"
          "</section>\n<section id=\"table-box\"><h2>Ranking</h2><p id=\"table-note\"></p>"
          "<div id=\"table-scroll\"><table id=\"ranking\"><thead></thead><tbody></tbody>"
          "</table></div><div id=\"pager\"></div></section></aside>\n</main>\n"
          "<footer id=\"foot\"><span id=\"credits\">",
          fp);
    dcs_html_text(fp, scn->outputs.attribution ? scn->outputs.attribution : "");
    fputs("</span> <span>Report: dcsite " DCS_VERSION ", run ", fp);
    dcs_html_text(fp, res->started_utc);
    fputs(", fingerprint <code>", fp);
    dcs_html_text(fp, fingerprint ? fingerprint : "n/a");
    fputs("</code>. Map library: Leaflet (BSD-2-Clause).</span></footer>\n"
          "<noscript>This report needs JavaScript to draw the map.</noscript>\n", fp);
}

static dcs_status write_page(html_writer *w, const char *fingerprint)
{
    FILE *fp = w->fp;
    write_head(fp, w->res->scn);
    write_body(fp, w->res, fingerprint);
    fputs("<script>\n", fp);
    fwrite(dcs_web_leaflet_js, 1, dcs_web_leaflet_js_len, fp);
    fputs("\n</script>\n<script id=\"dcs-data\" type=\"application/json\">\n", fp);
    write_data(w, fingerprint);
    fputs("\n</script>\n<script>\n", fp);
    fwrite(dcs_web_report_js, 1, dcs_web_report_js_len, fp);
    fputs("\n</script>\n</body>\n</html>\n", fp);
    return w->st;
}

dcs_status dcs_report_html(const dcs_result *res, const char *fingerprint, const char *path,
                           dcs_error *err)
{
    if (!res->crs.work_to_lonlat)
        return dcs_error_set(err, DCS_ERR_INTERNAL,
                             "HTML report '%s': the run has no transformation to longitude and "
                             "latitude (a bug: please report it)", path);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create the HTML report '%s': %s", path,
                             strerror(errno));
    html_writer w = {.fp = fp, .res = res, .geos = GEOS_init_r(), .err = err, .st = DCS_OK};
    if (!w.geos)
        w.st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory writing the HTML report '%s'",
                             path);
    dcs_status st = w.st == DCS_OK ? write_page(&w, fingerprint) : w.st;
    int bad = ferror(fp);
    int saved = errno;
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (st == DCS_OK && bad)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot write the HTML report '%s': %s", path,
                           strerror(saved));
    if (w.geos)
        GEOS_finish_r(w.geos);
    free(w.buf.x);
    free(w.buf.y);
    return st;
}
