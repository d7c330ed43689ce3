/*
 * web_assets.h - the files the HTML report (report_html.h) pastes into
 * every page, carried by the binary: Leaflet's script and style sheet
 * (npm package leaflet, the version pinned in package.json, fetched by
 * `make` with npm ci) and the report's own script and style
 * (reports/web/report.js, report.css).  The Makefile turns them into
 * $(BUILD)/gen/web_assets.c with tools/embed.c, which refuses a file that
 * holds "</script", "</style" or "<!--".  Each array ends in a NUL not counted in
 * its _len.  Constant data: nothing to free, safe from any thread.
 */
#ifndef DCS_WEB_ASSETS_H
#define DCS_WEB_ASSETS_H

#include <stddef.h>

extern const char dcs_web_leaflet_js[];
extern const size_t dcs_web_leaflet_js_len;
extern const char dcs_web_leaflet_css[];
extern const size_t dcs_web_leaflet_css_len;
extern const char dcs_web_report_js[];
extern const size_t dcs_web_report_js_len;
extern const char dcs_web_report_css[];
extern const size_t dcs_web_report_css_len;

#endif
