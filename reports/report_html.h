/*
 * report_html.h - the web map report: one self-contained HTML file
 * (outputs.html, <name>.html) that opens from disk in a browser with no
 * server and no network.
 *
 * The page carries Leaflet (web_assets.h: the npm package pinned in
 * package.json, pasted in at build time), its own script and style
 * (reports/web/report.js, report.css) and the run's data as one JSON
 * document in a <script type="application/json"> element: the candidate
 * sites as a GeoJSON FeatureCollection in WGS 84 (longitude, latitude),
 * each site's geometry simplified with GEOS (topology preserving) at
 * DCS_HTML_SIMPLIFY_M metres of the working CRS, then transformed and
 * rounded to DCS_HTML_DECIMALS decimals of a degree (about 1.1 m); with
 * each site its id, rank, score, score class (res->classes: the classes of
 * the map picture and the QGIS style), a point on it for its label, its
 * criteria's values and metric values, the rules it fails and those it
 * nearly fails (dcs_report_nearly(), report_common.h) with its value of
 * each rule's metric; and the score classes and colours, the criteria and
 * weights, the rules with how many sites fail each, the top N
 * (outputs.top_n), the basemap (outputs.html_basemap and
 * html_basemap_attribution) and the credits.  What the page does with it
 * is described in docs/outputs.md.
 *
 * Text goes into the page escaped for where it lands: element text and
 * attributes through dcs_html_text(), JSON strings through
 * dcs_html_json_string(), which also escapes <, >, & and U+2028/U+2029 so
 * that no site id can close the script element or break the script; the
 * page's script puts text into the document only as text nodes.
 *
 * Site geometries must be points, polygons or multipolygons (what the site
 * layer and the grid give); another type fails the report (DCS_ERR_DATA).
 *
 * Ownership: nothing is kept.  Thread-safety: the writer only reads the
 * finished result (it uses a GEOS context of its own and the result's
 * working-CRS-to-lon/lat transformation, so no two HTML reports of the
 * same result at once); the escaping functions are thread-safe.
 */
#ifndef DCS_REPORT_HTML_H
#define DCS_REPORT_HTML_H

#include <stdio.h>

#include "core/error.h"
#include "pipeline/result.h"

#define DCS_HTML_SIMPLIFY_M 5.0 /* simplification tolerance, working-CRS metres */
#define DCS_HTML_DECIMALS 5     /* decimals of a degree in the coordinates */

/* Write the report of res to path (fingerprint: the run's, shown in the
 * page's footer; may be NULL).  DCS_ERR_IO naming the file when it cannot
 * be written, DCS_ERR_NOMEM, DCS_ERR_DATA when a geometry cannot be
 * written in lon/lat. */
dcs_status dcs_report_html(const dcs_result *res, const char *fingerprint, const char *path,
                           dcs_error *err);

/* s as HTML text or attribute value: & < > " ' as entities (NULL: nothing). */
void dcs_html_text(FILE *fp, const char *s);

/* s as a JSON string literal ("..." with the quotes) safe inside an HTML
 * <script> element: \" \\ and control characters escaped as JSON does,
 * and < > & U+2028 U+2029 as \uXXXX; a byte that is not valid UTF-8
 * becomes U+FFFD.  NULL: null. */
void dcs_html_json_string(FILE *fp, const char *s);

#endif
