/*
 * report_style.h - how the GeoPackage of the scored sites opens in QGIS:
 * a default style for each layer and the titles and descriptions of its
 * fields.
 *
 * The style (QML, QGIS's style XML) is a rule-based renderer on "score":
 * one rule per score class of the run (res->classes: quantile breaks and
 * ColorBrewer colours, decision/classes.h), whose filter puts a site in
 * the class dcs_class_of() gives it, and one rule for the excluded sites
 * (status = 'excluded') in the grey DCS_CLASS_EXCLUDED.  Features are
 * drawn excluded first, then by ascending score, so the best sites lie
 * on top.  The top N sites (rank <= outputs.top_n) are labelled with
 * their rank, and every field gets its title (report_fields.h) as alias.
 *
 * dcs_report_style_gpkg() writes into an open GeoPackage:
 *   - table layer_styles, one default style (useAsDefault = 1) per layer
 *     with a geometry (a point or a polygon style after the layer's type;
 *     none for a table without geometry), with f_table_catalog =
 *     f_table_schema = '' as QGIS looks them up;
 *   - table gpkg_data_columns (GeoPackage schema extension, registered in
 *     gpkg_extensions): name and title = the field's title, description
 *     = its meaning and source, for every field of both layers.
 * GDAL 3.6's GeoPackage driver neither writes OGR field alternative names
 * to gpkg_data_columns nor reads them back, and QGIS 3.22 takes aliases
 * only from the style, so the aliases are in both places.
 *
 * Ownership: dcs_report_style_qml() returns a new string (free()).
 * Thread-safety: reads a finished result only; dcs_report_style_gpkg()
 * uses the dataset, which no other thread may use meanwhile.
 */
#ifndef DCS_REPORT_STYLE_H
#define DCS_REPORT_STYLE_H

#include <stddef.h>

#include <gdal.h>

#include "core/error.h"
#include "pipeline/result.h"
#include "report_fields.h"

typedef enum { DCS_STYLE_POLYGONS, DCS_STYLE_POINTS } dcs_style_geometry;

/* The QML of a layer of polygons (candidates) or points (eligible
 * points) with the fields f[0..nf); NULL when out of memory. */
char *dcs_report_style_qml(const dcs_result *res, const dcs_field_info *f, size_t nf,
                           dcs_style_geometry geometry);

/* Default styles and field metadata of the layers named in names[2]
 * (candidates, eligible points; NULL: not in the file) of the GeoPackage
 * ds; label names the file in messages. */
dcs_status dcs_report_style_gpkg(const dcs_result *res, GDALDatasetH ds,
                                 const char *const names[2], const char *label,
                                 dcs_error *err);

#endif
