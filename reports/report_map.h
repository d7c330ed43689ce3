/*
 * report_map.h - the result as a map, drawn with cairo: a PNG (in memory,
 * or a file with its ESRI world file and .prj so GIS software places it)
 * or a vector PDF.
 *
 * What the map shows: every candidate site (polygons as drawn in the
 * working CRS, point sites as dots) filled by its score class
 * (res->classes: quantile breaks and ColorBrewer YlGnBu colours,
 * decision/classes.h), excluded sites in DCS_CLASS_EXCLUDED grey, the top
 * N eligible sites (outputs.top_n) outlined in red and numbered by rank
 * (labels beside the site with a leader line and a white halo, placed so
 * that they do not cover any top site's representative point); a frame
 * fitted to the sites' extent plus a 4 % margin; a legend panel at the
 * right with each class's score range, the excluded grey, the top-N
 * outline, the site counts, the working CRS, a scale bar and a north
 * arrow; the title at the top and the credits at the bottom
 * (outputs.attribution, or "Data:" and the input datasets' file names,
 * database tables by name only; then "Map: dcsite <version>").
 *
 * Geometry of the picture: the map is drawn in the working CRS with the
 * same scale along x and y, grid north up.  The north arrow therefore
 * points to grid north of the working CRS, which departs from true north
 * by the meridian convergence (in a UTM zone about delta-longitude x
 * sin(latitude): 1.6 degrees at a zone's edge at 33 N).  The scale bar
 * measures working-CRS metres; these differ from ground distance by the
 * projection's scale factor, under 0.1 % within a UTM zone (0.9996 on the
 * central meridian).
 *
 * Size: 1600 x 1200 px unless the options say otherwise.  The layout and
 * every text size scale with min(width / 1600, height / 1200); at 1600 px
 * the smallest text is 29 px, 8.2 pt when the image is printed 16 cm wide.
 * The PDF draws the same layout scaled to fit an A4 landscape sheet
 * (28 x 21 cm for 4:3), as vectors, but for the sites of a run of more
 * than 20,000: an image of about 290 dpi (a path per site would make a
 * file of tens of MB at a million sites).  The PNG of such a run shows
 * the same image at half size (see dcs_map_cache), so both maps are the
 * same whatever the order they are drawn in.
 *
 * Files: dcs_map_png() writes path (which should end in .png) and, beside
 * it, <path without its extension>.pgw (pixel size, rotation terms, the
 * centre of the upper-left pixel, in working-CRS metres) and
 * <path without its extension>.prj (the working CRS as ESRI WKT), and
 * <path>.aux.xml (GDAL's auxiliary metadata: the working CRS as WKT).
 * GDAL reads the world file for the PNG's geotransform and the .aux.xml
 * for its CRS (it does not read a .prj beside a raster; other GIS software
 * does), so QGIS places the PNG without asking.  The caller picks the
 * names: reports/report.c gives temporary names and renames the four
 * files together (output.h).
 *
 * Ownership: dcs_map_png_buffer() returns a malloc()ed buffer the caller
 * frees with free().  Nothing else is kept but the font caches cairo and
 * fontconfig hold for the process (dcs_map_release_fonts()).
 *
 * Thread-safety: the drawing functions only read the finished result and
 * draw on a surface of their own, so several may run at once (cairo and
 * its font back end are thread-safe across surfaces); not so
 * dcs_map_release_fonts().  Text uses cairo's toy font API with "DejaVu
 * Sans" (Debian fonts-dejavu-core); without it fontconfig substitutes
 * another sans-serif face.
 */
#ifndef DCS_REPORT_MAP_H
#define DCS_REPORT_MAP_H

#include <stddef.h>

#include "core/error.h"
#include "pipeline/result.h"

typedef struct {
    int width_px, height_px; /* 0: defaults (1600 x 1200) */
    const char *title;       /* NULL: the scenario's name and description */
} dcs_map_options;

/* The sites of a run drawn once for both of its maps: a PDF of more than
 * 20,000 sites draws them as an image at twice the PNG's scale and keeps
 * it here (with the top sites' places for the labels); a PNG drawn later
 * with the same layout paints that image at half size (cairo's box
 * filter: four pixels to one) instead of drawing every site again, which
 * at a million sites took a second.  Thread-safe: the maps may be drawn in
 * different threads (a PNG that comes first draws its own sites).
 * dcs_map_cache_new() returns NULL when out of memory (then each map
 * draws its own); dcs_map_cache_free() frees the image. */
typedef struct dcs_map_cache dcs_map_cache;

dcs_map_cache *dcs_map_cache_new(void);
void dcs_map_cache_free(dcs_map_cache *cache);

/* The map as PNG bytes in memory (caller frees *buf with free()).
 * opt may be NULL (defaults).  DCS_ERR_NOMEM, or DCS_ERR_IO when cairo
 * cannot draw or encode the image. */
dcs_status dcs_map_png_buffer(const dcs_result *res, const dcs_map_options *opt,
                              unsigned char **buf, size_t *len, dcs_error *err);

/* The map written to a PNG file and its world file (path with .pgw) and
 * CRS (path with .prj).  DCS_ERR_IO naming the file that could not be
 * written, DCS_ERR_NOMEM. */
dcs_status dcs_map_png(const dcs_result *res, const dcs_map_options *opt, const char *path,
                       dcs_map_cache *cache, dcs_error *err);

/* The map as a vector PDF at path (same layout, no georeferencing). */
dcs_status dcs_map_pdf(const dcs_result *res, const dcs_map_options *opt, const char *path,
                       dcs_map_cache *cache, dcs_error *err);

/* Free the font caches cairo and fontconfig keep for the life of the
 * process (they would show as leaks under valgrind and LeakSanitizer);
 * the next map loads them again.  NOT thread-safe: call only when no map
 * is being drawn and no other cairo or fontconfig object is alive, as
 * dcs_reports_write() does once it has written a run's reports. */
void dcs_map_release_fonts(void);

#endif
