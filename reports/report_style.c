/* report_style.c - default QGIS styles and field metadata of the
 * GeoPackage. See report_style.h. */
#include "report_style.h"
#include "core/strbuf.h"

#include <cpl_error.h>
#include <ogr_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing string ------------------------------------------------------ */

typedef dcs_strbuf sbuf; /* core/strbuf.h */

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !dcs_strbuf_reserve(b, (size_t)n)) {
        b->nomem = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* The string, or NULL (and nothing to free) when out of memory. */
static char *sbuf_take(sbuf *b)
{
    if (b->nomem || !dcs_strbuf_reserve(b, 0)) {
        free(b->p);
        return NULL;
    }
    b->p[b->len] = '\0';
    return b->p;
}

/* s as XML attribute text; control characters (not allowed in XML 1.0)
 * become spaces. */
static void put_xml(sbuf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&')
            put(b, "&amp;");
        else if (c == '<')
            put(b, "&lt;");
        else if (c == '>')
            put(b, "&gt;");
        else if (c == '"')
            put(b, "&quot;");
        else
            put(b, "%c", c < 0x20 ? ' ' : (char)c);
    }
}

/* s as a quoted SQL string literal. */
static void put_sql(sbuf *b, const char *s)
{
    put(b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            put(b, "''");
        else
            put(b, "%c", *s);
    }
    put(b, "'");
}

/* The shortest decimal that reads back as exactly v, so a rule's filter
 * and dcs_class_of() agree on a score equal to a break. */
static void exact(double v, char out[32])
{
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(out, 32, "%.*g", digits, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

/* ---- the QML ----------------------------------------------------------------- */

#define OUTLINE_ELIGIBLE 0x4d4d4du /* dark grey edges of eligible sites */
#define OUTLINE_EXCLUDED 0xa6a6a6u /* excluded: a shade darker than the fill */

static void opt(sbuf *b, const char *name, const char *value)
{
    put(b, "      <Option name=\"%s\" value=\"%s\" type=\"QString\"/>\n", name, value);
}

static void opt_rgb(sbuf *b, const char *name, unsigned rgb)
{
    char v[32];
    snprintf(v, sizeof v, "%u,%u,%u,255", rgb >> 16 & 0xffu, rgb >> 8 & 0xffu, rgb & 0xffu);
    opt(b, name, v);
}

static void put_fill(sbuf *b, unsigned rgb, int excluded)
{
    put(b, "    <layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\">\n"
           "     <Option type=\"Map\">\n");
    opt_rgb(b, "color", rgb);
    opt(b, "style", "solid");
    opt_rgb(b, "outline_color", excluded ? OUTLINE_EXCLUDED : OUTLINE_ELIGIBLE);
    opt(b, "outline_style", "solid");
    opt(b, "outline_width", excluded ? "0.1" : "0.2");
    opt(b, "outline_width_unit", "MM");
    opt(b, "joinstyle", "bevel");
}

static void put_marker(sbuf *b, unsigned rgb, int excluded)
{
    put(b, "    <layer class=\"SimpleMarker\" enabled=\"1\" pass=\"0\" locked=\"0\">\n"
           "     <Option type=\"Map\">\n");
    opt(b, "name", "circle");
    opt_rgb(b, "color", rgb);
    opt_rgb(b, "outline_color", excluded ? OUTLINE_EXCLUDED : OUTLINE_ELIGIBLE);
    opt(b, "outline_style", "solid");
    opt(b, "outline_width", "0.2");
    opt(b, "outline_width_unit", "MM");
    opt(b, "size", excluded ? "1.6" : "2.6");
    opt(b, "size_unit", "MM");
    opt(b, "scale_method", "diameter");
}

static void put_symbol(sbuf *b, size_t index, unsigned rgb, int excluded,
                       dcs_style_geometry geometry)
{
    put(b, "   <symbol type=\"%s\" name=\"%zu\" alpha=\"1\" clip_to_extent=\"1\" "
           "force_rhr=\"0\">\n",
        geometry == DCS_STYLE_POINTS ? "marker" : "fill", index);
    if (geometry == DCS_STYLE_POINTS)
        put_marker(b, rgb, excluded);
    else
        put_fill(b, rgb, excluded);
    put(b, "     </Option>\n    </layer>\n   </symbol>\n");
}

/* Class k's filter: the eligible sites dcs_class_of() puts in class k
 * (each class holds its upper break; below the lowest break is class 0,
 * above the highest the last class). */
static void put_class_filter(sbuf *b, const dcs_classes *c, size_t k)
{
    char v[32];
    put(b, "&quot;status&quot; = 'eligible'");
    if (k > 0) {
        exact(c->brk[k], v);
        put(b, " AND &quot;score&quot; &gt; %s", v);
    }
    if (k + 1 < c->n) {
        exact(c->brk[k + 1], v);
        put(b, " AND &quot;score&quot; &lt;= %s", v);
    }
}

/* Rules "excluded" (symbol 0) and "class1".."classN" (symbols 1..N). */
static void put_renderer(sbuf *b, const dcs_classes *c, dcs_style_geometry geometry)
{
    put(b, " <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" forceraster=\"0\" "
           "enableorderby=\"1\" referencescale=\"-1\">\n  <rules key=\"root\">\n"
           "   <rule key=\"excluded\" label=\"excluded\" "
           "filter=\"&quot;status&quot; = 'excluded'\" symbol=\"0\"/>\n");
    if (c->n == 0) /* no score classes (measure-only, or none eligible) */
        put(b, "   <rule key=\"eligible\" label=\"eligible\" "
               "filter=\"&quot;status&quot; = 'eligible'\" symbol=\"1\"/>\n");
    for (size_t k = 0; k < c->n; k++) {
        put(b, "   <rule key=\"class%zu\" label=\"score %.3f", k + 1, c->brk[k]);
        if (c->brk[k + 1] > c->brk[k])
            put(b, " - %.3f", c->brk[k + 1]);
        put(b, "\" filter=\"");
        put_class_filter(b, c, k);
        put(b, "\" symbol=\"%zu\"/>\n", k + 1);
    }
    put(b, "  </rules>\n  <symbols>\n");
    put_symbol(b, 0, DCS_CLASS_EXCLUDED, 1, geometry);
    if (c->n == 0)
        put_symbol(b, 1, DCS_CLASS_ELIGIBLE, 0, geometry);
    for (size_t k = 0; k < c->n; k++)
        put_symbol(b, k + 1, c->colour[k], 0, geometry);
    /* excluded (null score) first, then by score: the best drawn on top */
    put(b, "  </symbols>\n  <orderby>\n"
           "   <orderByClause asc=\"1\" nullsFirst=\"1\">\"score\"</orderByClause>\n"
           "  </orderby>\n </renderer-v2>\n");
}

/* The rank of the top N sites, bold on a white halo, above and right of
 * the site's point, shown even where labels collide.  A polygon is
 * labelled from its point on surface (the lon/lat point dcsite gives a
 * site, where eligible_points puts it), so with both layers shown their
 * labels fall on one another and read as one. */
static void put_labels(sbuf *b, size_t top, dcs_style_geometry geometry)
{
    put(b, " <labeling type=\"rule-based\">\n  <rules key=\"labels\">\n"
           "   <rule key=\"top\" description=\"top %zu by rank\" "
           "filter=\"&quot;rank&quot; &lt;= %zu\">\n    <settings calloutType=\"simple\">\n",
        top, top);
    put(b, "     <text-style fieldName=\"rank\" isExpression=\"0\" fontFamily=\"DejaVu Sans\" "
           "namedStyle=\"Bold\" fontWeight=\"75\" fontItalic=\"0\" fontSize=\"9\" "
           "fontSizeUnit=\"Point\" textColor=\"20,20,20,255\" textOpacity=\"1\" "
           "multilineHeight=\"1\" capitalization=\"0\" blendMode=\"0\">\n"
           "      <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" "
           "bufferColor=\"255,255,255,255\" bufferOpacity=\"0.9\" bufferNoFill=\"0\" "
           "bufferJoinStyle=\"128\" bufferBlendMode=\"0\"/>\n     </text-style>\n");
    put(b, "     <placement placement=\"1\" quadOffset=\"2\" xOffset=\"1.2\" yOffset=\"0\" "
           "offsetUnits=\"MM\" offsetType=\"0\" dist=\"0\" distUnits=\"MM\" "
           "priority=\"10\" rotationAngle=\"0\" centroidInside=\"1\" centroidWhole=\"1\" "
           "fitInPolygonOnly=\"0\" placementFlags=\"10\" geometryGeneratorEnabled=\"%d\" "
           "geometryGeneratorType=\"PointGeometry\" "
           "geometryGenerator=\"point_on_surface($geometry)\"/>\n",
        geometry == DCS_STYLE_POLYGONS);
    put(b, "     <rendering drawLabels=\"1\" displayAll=\"1\" obstacle=\"1\" obstacleType=\"1\" "
           "obstacleFactor=\"1\" zIndex=\"1\" scaleVisibility=\"0\" scaleMin=\"0\" "
           "scaleMax=\"0\" fontLimitPixelSize=\"0\" fontMinPixelSize=\"0\" "
           "fontMaxPixelSize=\"10000\" limitNumLabels=\"0\" maxNumLabels=\"2000\" "
           "minFeatureSize=\"0\" labelPerPart=\"0\" mergeLines=\"0\" "
           "upsidedownLabels=\"0\" unplacedVisibility=\"0\"/>\n"
           "    </settings>\n   </rule>\n  </rules>\n </labeling>\n");
}

static void put_aliases(sbuf *b, const dcs_field_info *f, size_t nf)
{
    put(b, " <aliases>\n");
    for (size_t k = 0; k < nf; k++) {
        put(b, "  <alias field=\"");
        put_xml(b, f[k].name);
        put(b, "\" name=\"");
        put_xml(b, f[k].title);
        put(b, "\"/>\n");
    }
    put(b, " </aliases>\n");
}

char *dcs_report_style_qml(const dcs_result *res, const dcs_field_info *f, size_t nf,
                           dcs_style_geometry geometry)
{
    size_t top = res->model.ncrits ? res->scn->outputs.top_n : 0; /* measure-only: no rank */
    sbuf b = {0};
    put(&b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling|Fields\" "
            "labelsEnabled=\"%d\">\n",
        top > 0);
    put_renderer(&b, &res->classes, geometry);
    if (top > 0)
        put_labels(&b, top, geometry);
    put_aliases(&b, f, nf);
    put(&b, " <previewExpression>\"site_id\"</previewExpression>\n</qgis>\n");
    return sbuf_take(&b);
}

/* ---- layer_styles -------------------------------------------------------------- */

/* GDAL's message without the statement the GeoPackage driver puts in
 * front: "sqlite3_exec(CREATE ...) failed: why" or "In ExecuteSQL():
 * sqlite3_step(INSERT ...):\n  why" -> "why". */
static const char *sql_reason(void)
{
    const char *msg = CPLGetLastErrorMsg();
    const char *cut = strstr(msg, ") failed: ");
    if (cut)
        return cut + 10;
    cut = strstr(msg, "):\n");
    if (!cut)
        return msg;
    for (cut += 3; *cut == ' ';)
        cut++;
    return cut;
}

static int add_field(OGRLayerH lyr, const char *name, OGRFieldType type)
{
    OGRFieldDefnH f = OGR_Fld_Create(name, type);
    int ok = OGR_L_CreateField(lyr, f, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(f);
    return ok;
}

/* The table QGIS reads default styles from, with QGIS's columns. */
static OGRLayerH create_styles_table(GDALDatasetH ds)
{
    static const char *const lco[] = {"FID=id", NULL};
    static const char *const text[] = {"f_table_catalog", "f_table_schema", "f_table_name",
                                       "f_geometry_column", "styleName", "styleQML",
                                       "styleSLD", "description", "owner", "ui"};
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, (char **)lco);
    int ok = lyr != NULL;
    for (size_t k = 0; ok && k < sizeof text / sizeof *text; k++)
        ok = add_field(lyr, text[k], OFTString);
    ok = ok && add_field(lyr, "useAsDefault", OFTInteger) &&
         add_field(lyr, "update_time", OFTDateTime);
    return ok ? lyr : NULL;
}

static void set_text(OGRFeatureH f, const char *field, const char *value)
{
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, field), value);
}

/* What the style shows, for the style manager's description column. */
static void describe(const dcs_result *res, const char *table, char *out, size_t size)
{
    const dcs_classes *c = &res->classes;
    int n = snprintf(out, size, "%s coloured by score", table);
    if (c->n > 0 && n >= 0 && (size_t)n < size)
        n += snprintf(out + n, size - (size_t)n, " in %zu quantile class%s (%.3f to %.3f)",
                      c->n, c->n == 1 ? "" : "es", c->brk[0], c->brk[c->n]);
    if (n >= 0 && (size_t)n < size)
        snprintf(out + n, size - (size_t)n, "; excluded sites grey; the top %zu labelled by rank",
                 res->scn->outputs.top_n);
}

static dcs_status style_row(const dcs_result *res, OGRLayerH styles, OGRLayerH lyr,
                            const char *qml, const char *label, dcs_error *err)
{
    char what[256];
    const char *table = OGR_L_GetName(lyr);
    describe(res, table, what, sizeof what);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(styles));
    set_text(f, "f_table_catalog", "");
    set_text(f, "f_table_schema", "");
    set_text(f, "f_table_name", table);
    set_text(f, "f_geometry_column", OGR_L_GetGeometryColumn(lyr));
    set_text(f, "styleName", "dcsite score");
    set_text(f, "styleQML", qml);
    set_text(f, "styleSLD", "");
    set_text(f, "description", what);
    OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "useAsDefault"), 1);
    CPLErrorReset();
    dcs_status st = OGR_L_CreateFeature(styles, f) == OGRERR_NONE
                        ? DCS_OK
                        : dcs_error_set(err, DCS_ERR_IO,
                                        "cannot write the style of layer '%s' to '%s': %s",
                                        table, label, sql_reason());
    OGR_F_Destroy(f);
    return st;
}

static dcs_status write_styles(const dcs_result *res, GDALDatasetH ds, OGRLayerH lyr[2],
                               const dcs_field_info *f, size_t nf, const char *label,
                               dcs_error *err)
{
    CPLErrorReset();
    OGRLayerH styles = create_styles_table(ds);
    if (!styles)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create table 'layer_styles' in '%s': %s",
                             label, sql_reason());
    dcs_status st = DCS_OK;
    for (int k = 0; st == DCS_OK && k < 2; k++) {
        OGRwkbGeometryType type = lyr[k] ? wkbFlatten(OGR_L_GetGeomType(lyr[k])) : wkbNone;
        if (type == wkbNone) /* no layer, or a table without geometry (outputs.geometry "none") */
            continue;
        char *qml = dcs_report_style_qml(res, f, nf,
                                         type == wkbPoint ? DCS_STYLE_POINTS : DCS_STYLE_POLYGONS);
        st = qml ? style_row(res, styles, lyr[k], qml, label, err)
                 : dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        free(qml);
    }
    return st;
}

/* ---- gpkg_data_columns ----------------------------------------------------------- */

/* GeoPackage 1.2.1's table (a column's name unique within its table) and
 * the extension's registration, unless GDAL or an earlier call made them. */
static const char data_columns_ddl[] =
    "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, "
    "column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, "
    "constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
    "CONSTRAINT gdc_tn UNIQUE (table_name, name))";
static const char extensions_ddl[] =
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
    "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
    "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))";
/* The schema extension registers both of its tables (GeoPackage 1.2.1,
 * requirement 141, checked by GDAL's validate_gpkg.py): the constraints
 * table is made empty. */
static const char constraints_ddl[] =
    "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, "
    "constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, "
    "max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, "
    "CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))";
#define REGISTER_SCHEMA(table)                                                              \
    "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "  \
    "scope) SELECT '" table "', NULL, 'gpkg_schema', "                                    \
    "'http://www.geopackage.org/spec121/#extension_schema', 'read-write' WHERE NOT EXISTS " \
    "(SELECT 1 FROM gpkg_extensions WHERE table_name = '" table "' AND "                  \
    "extension_name = 'gpkg_schema')"
static const char *const register_schema[2] = {REGISTER_SCHEMA("gpkg_data_columns"),
                                               REGISTER_SCHEMA("gpkg_data_column_constraints")};

/* Field k's name in gpkg_data_columns: its title, or "title [column]"
 * when an earlier field has the same title (names are unique per table). */
static void put_unique_title(sbuf *b, const dcs_field_info *f, size_t k)
{
    int repeated = 0;
    for (size_t j = 0; j < k && !repeated; j++)
        repeated = strcmp(f[j].title, f[k].title) == 0;
    if (!repeated) {
        put_sql(b, f[k].title);
        return;
    }
    char name[sizeof f[k].title + sizeof f[k].name + 4];
    snprintf(name, sizeof name, "%s [%s]", f[k].title, f[k].name);
    put_sql(b, name);
}

/* "meaning; higher is better; source: where from" */
static void put_description(sbuf *b, const dcs_field_info *f)
{
    char text[sizeof f->meaning + sizeof f->source + 48];
    const char *better = dcs_better_name(f->better);
    snprintf(text, sizeof text, "%s%s%s%s; source: %s", f->meaning, *better ? "; " : "",
             better, *better ? " is better" : "", f->source);
    put_sql(b, text);
}

static char *data_columns_sql(const char *table, const dcs_field_info *f, size_t nf)
{
    sbuf b = {0};
    put(&b, "INSERT INTO gpkg_data_columns (table_name, column_name, name, title, "
            "description) VALUES ");
    for (size_t k = 0; k < nf; k++) {
        put(&b, "%s(", k ? ", " : "");
        put_sql(&b, table);
        put(&b, ", ");
        put_sql(&b, f[k].name);
        put(&b, ", ");
        put_unique_title(&b, f, k);
        put(&b, ", ");
        put_sql(&b, f[k].title);
        put(&b, ", ");
        put_description(&b, &f[k]);
        put(&b, ")");
    }
    return sbuf_take(&b);
}

static dcs_status exec_sql(GDALDatasetH ds, const char *sql, const char *label, dcs_error *err)
{
    CPLErrorReset();
    OGRLayerH rs = GDALDatasetExecuteSQL(ds, sql, NULL, "SQLITE");
    if (rs)
        GDALDatasetReleaseResultSet(ds, rs);
    if (CPLGetLastErrorType() >= CE_Failure)
        return dcs_error_set(err, DCS_ERR_IO,
                             "cannot write the field descriptions (gpkg_data_columns) to "
                             "'%s': %s",
                             label, sql_reason());
    return DCS_OK;
}

static dcs_status write_data_columns(GDALDatasetH ds, OGRLayerH lyr[2],
                                     const dcs_field_info *f, size_t nf, const char *label,
                                     dcs_error *err)
{
    int tx = GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
    dcs_status st = exec_sql(ds, data_columns_ddl, label, err);
    if (st == DCS_OK)
        st = exec_sql(ds, extensions_ddl, label, err);
    if (st == DCS_OK)
        st = exec_sql(ds, constraints_ddl, label, err);
    for (int k = 0; st == DCS_OK && k < 2; k++)
        st = exec_sql(ds, register_schema[k], label, err);
    for (int k = 0; st == DCS_OK && k < 2; k++) {
        if (!lyr[k])
            continue;
        char *sql = data_columns_sql(OGR_L_GetName(lyr[k]), f, nf);
        st = sql ? exec_sql(ds, sql, label, err)
                 : dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
        free(sql);
    }
    if (tx && st == DCS_OK && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        st = dcs_error_set(err, DCS_ERR_IO, "cannot commit the field descriptions to '%s': %s",
                           label, sql_reason());
    else if (tx && st != DCS_OK)
        GDALDatasetRollbackTransaction(ds);
    return st;
}

dcs_status dcs_report_style_gpkg(const dcs_result *res, GDALDatasetH ds,
                                 const char *const names[2], const char *label,
                                 dcs_error *err)
{
    OGRLayerH lyr[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++)
        if (names[k] && !(lyr[k] = GDALDatasetGetLayerByName(ds, names[k])))
            return dcs_error_set(err, DCS_ERR_INTERNAL, "layer '%s' is not in '%s'", names[k],
                                 label);
    size_t nf;
    dcs_field_info *f = dcs_report_fields(res, &nf);
    if (!f)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    dcs_status st = write_styles(res, ds, lyr, f, nf, label, err);
    if (st == DCS_OK)
        st = write_data_columns(ds, lyr, f, nf, label, err);
    free(f);
    return st;
}
